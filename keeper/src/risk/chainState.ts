/**
 * The chain state the risk job simulates from, read at one block, and its translation into a scenario override of
 * the simulations package (`@cogfi/simulations` parameters: `lending.lltv`, `lending.utilization`,
 * `price.initialUsd`, `amm.liquidityUsd`, `amm.fee`).
 *
 * The engine models one market shape per run, so the override takes the market with the most borrowed assets (the
 * one whose failure costs most); every market read is reported beside it. The insurance pool's capital and exposure
 * are reported as inputs: the engine has no insurance agent yet (simulations/README.md, "Limits").
 */
import { BaseError, ContractFunctionRevertedError, ContractFunctionZeroDataError, formatUnits, isAddressEqual, type Address, type Hex } from "viem";
import { cognitionPoolAbi, getMarket, getPoolAddress, getPoolState, lendingMarketAbi, mockStablecoinAbi, shareOracleAbi, type CogFiClient } from "@cogfi/sdk";

export type MarketSnapshot = {
  id: Hex;
  lltv: number;
  totalSupplyAssets: string;
  totalBorrowAssets: string;
  utilization: number;
  pool?: { address: Address; fee: number; priceUsd: number; liquidityUsd: number };
};

export type ChainSnapshot = {
  blockNumber: string;
  blockTimestamp: number;
  markets: MarketSnapshot[];
  insurance?: { capital: string; exposure: string; requiredCapital: string; freeCapital: string };
};

const FEE_TIERS = [500, 3000, 10000] as const;

/** Reads every market of the LendingMarket (created up to `blockNumber`), its pool and the insurance pool. */
export async function readChainSnapshot(client: CogFiClient, options: { blockNumber: bigint; fromBlock: bigint; logChunkBlocks: bigint }): Promise<ChainSnapshot> {
  const { blockNumber } = options;
  const block = await client.publicClient.getBlock({ blockNumber });
  const contracts = client.deployment.contracts;
  const lendingMarket = contracts.LendingMarket as Address | undefined;
  const markets: MarketSnapshot[] = [];
  if (lendingMarket) {
    const ids: Hex[] = [];
    for (let from = options.fromBlock; from <= blockNumber; from += options.logChunkBlocks) {
      const to = from + options.logChunkBlocks - 1n < blockNumber ? from + options.logChunkBlocks - 1n : blockNumber;
      const logs = await client.publicClient.getContractEvents({ address: lendingMarket, abi: lendingMarketAbi, eventName: "CreateMarket", fromBlock: from, toBlock: to });
      ids.push(...logs.map((log) => log.args.id!));
    }
    for (const id of ids) {
      const market = await getMarket(client, { id, blockNumber });
      const lltv = Number(formatUnits(market.params.lltv, 18));
      markets.push({
        id,
        lltv,
        totalSupplyAssets: market.totalSupplyAssets.toString(),
        totalBorrowAssets: market.totalBorrowAssets.toString(),
        utilization: Number(formatUnits(market.utilization, 18)),
        pool: await readPool(client, market.params.collateralToken, market.params.loanToken, market.params.oracle, blockNumber),
      });
    }
  }
  let insurance: ChainSnapshot["insurance"];
  if (contracts.InsurancePool) {
    const state = await getPoolState(client, { blockNumber });
    insurance = {
      capital: state.capital.toString(),
      exposure: state.exposure.toString(),
      requiredCapital: state.requiredCapital.toString(),
      freeCapital: (state.capital > state.requiredCapital ? state.capital - state.requiredCapital : 0n).toString(),
    };
  }
  return { blockNumber: blockNumber.toString(), blockTimestamp: Number(block.timestamp), markets, insurance };
}

/** The share's pool against the loan token (the ShareOracle's, else the first fee tier that exists): spot price and depth. */
async function readPool(client: CogFiClient, share: Address, stablecoin: Address, oracle: Address, blockNumber: bigint): Promise<MarketSnapshot["pool"]> {
  let pool: Address | undefined;
  try {
    pool = await client.publicClient.readContract({ address: oracle, abi: shareOracleAbi, functionName: "pool", blockNumber });
  } catch (error) {
    // A fixed-price oracle (no pool() view: the call reverts or returns nothing): look the pool up by fee tier
    // below. An RPC failure is rethrown.
    if (!(error instanceof BaseError && error.walk((e) => e instanceof ContractFunctionZeroDataError || e instanceof ContractFunctionRevertedError))) throw error;
    pool = undefined;
  }
  for (const fee of FEE_TIERS) {
    if (pool) break;
    pool = await getPoolAddress(client, { tokenA: share, tokenB: stablecoin, fee });
  }
  if (!pool) return undefined;
  const read = <F extends "slot0" | "token0" | "fee">(functionName: F) => client.publicClient.readContract({ address: pool!, abi: cognitionPoolAbi, functionName, blockNumber });
  const [slot0, token0, fee] = (await Promise.all([read("slot0"), read("token0"), read("fee")])) as [readonly [bigint, ...unknown[]], Address, number];
  const decimals = (token: Address) => client.publicClient.readContract({ address: token, abi: mockStablecoinAbi, functionName: "decimals", blockNumber });
  const [shareDecimals, stableDecimals, stableBalance] = await Promise.all([
    decimals(share),
    decimals(stablecoin),
    client.publicClient.readContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "balanceOf", args: [pool], blockNumber }),
  ]);
  // price of token0 in token1 = (sqrtP / 2^96)^2, in raw units; the share's USD price with the stablecoin at $1.
  const ratio = (Number(slot0[0]) / 2 ** 96) ** 2;
  const shareIsToken0 = isAddressEqual(token0, share);
  const rawStablePerShare = shareIsToken0 ? ratio : 1 / ratio;
  const priceUsd = rawStablePerShare * 10 ** (shareDecimals - stableDecimals);
  // A pool holds about as much value in shares as in stablecoin around its price: depth ~ twice its stablecoin.
  const liquidityUsd = 2 * Number(formatUnits(stableBalance, stableDecimals));
  return { address: pool, fee, priceUsd, liquidityUsd };
}

/** The simulation overrides for `snapshot` (only `paths` when no market has a pool: the baseline's defaults). */
export function scenarioOverrides(snapshot: ChainSnapshot, paths: number): Record<string, unknown> {
  const priced = snapshot.markets.filter((market) => market.pool && market.pool.priceUsd > 0 && market.pool.liquidityUsd > 0);
  const borrowed = (market: MarketSnapshot) => BigInt(market.totalBorrowAssets);
  const main = [...priced].sort((a, b) => (borrowed(b) > borrowed(a) ? 1 : borrowed(b) < borrowed(a) ? -1 : 0))[0];
  if (!main) return { paths };
  const pool = main.pool!;
  return {
    paths,
    // The engine needs some utilization to open positions: an idle market is simulated at 1%.
    lending: { lltv: main.lltv, utilization: Math.min(1, Math.max(0.01, main.utilization)) },
    price: { initialUsd: pool.priceUsd },
    amm: { liquidityUsd: pool.liquidityUsd, ...(pool.fee === 500 || pool.fee === 3000 || pool.fee === 10000 ? { fee: pool.fee } : {}) },
  };
}
