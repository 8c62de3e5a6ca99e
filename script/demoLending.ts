/**
 * The demo's lending markets: one self-repaying market per demo model (loan token the mock stablecoin, collateral
 * the model's share, priced by a ShareOracle on the model's pool), a lender that supplies stablecoin and a borrower
 * (the model's owner) that posts shares and borrows. As inference revenue settles, `settleLendingRevenue` lets the
 * revenue credited to the borrower's collateral repay its debt.
 *
 * The markets are recorded in <data-dir>/lending.json, so a resumed chain finds them instead of opening new ones.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { getAddress, parseUnits, type Address, type Hex } from "viem";
import {
  createMarket,
  createShareOracle,
  borrow,
  getCapsFromLiquidity,
  getLiquidityFloor,
  getMarket,
  getPosition,
  increaseObservationCardinality,
  lendingAddresses,
  marketId,
  mockStablecoinAbi,
  RECOMMENDED_PARAMETERS,
  settleRevenue,
  supply,
  supplyCollateral,
  type CogFiClient,
  type GetMarketReturnType,
  type GetPositionReturnType,
  type MarketParams,
} from "../sdk/src/index.js";
import { rpc } from "../sdk/src/node/index.js";

/** The oracle's TWAP window: its minimum, 30 minutes. */
export const DEMO_TWAP_WINDOW_SECONDS = 1_800;
/** anvil automines a block per transaction, at most one a second: the shortest block interval. */
const DEMO_BLOCK_TIME_SECONDS = 1;
/** What `borrowPrice` reads: two windows (`BORROW_WINDOWS`) of observations, one per block. */
const REQUIRED_CARDINALITY = Math.ceil((2 * DEMO_TWAP_WINDOW_SECONDS) / DEMO_BLOCK_TIME_SECONDS) + 1;
/**
 * The LLTV and the borrow cap's share of the liquidity cap `cogfi-sim search` recommends (sdk/src/recommended-params.json,
 * justified in docs/risk/recommended-parameters.md; the deploy script reads the same file).
 */
export const DEMO_LLTV = RECOMMENDED_PARAMETERS.lltv;
export const DEMO_CAP_USAGE_BPS = RECOMMENDED_PARAMETERS.capUsageBps;
const LENDER_SUPPLY = parseUnits("20000", 6);
/**
 * 10,000 shares (1% of cogito-8b's, 2% of the fine-tune's): at about $0.077 a share (the oracle's price after the
 * offering) and LLTV 77% they would support ~600 mUSD (at the recommended LLTV, proportionally), and 40% of what they
 * support stays under the borrow cap the pools' depth allows.
 */
const BORROWER_COLLATERAL = parseUnits("10000", 18);
/** The borrower borrows this fraction (percent) of what its collateral allows, and at most 90% of the borrow cap. */
const BORROW_PERCENT_OF_MAX = 40n;

export type DemoLendingMarket = {
  name: string;
  id: Hex;
  marketParams: MarketParams;
  pool: Address;
  borrower: Address;
  lender: Address;
  /** The borrow cap `getCapsFromLiquidity` gave when the market opened; the market's is `DEMO_CAP_USAGE_BPS` of it. */
  liquidityBorrowCap: bigint;
};
type SavedMarket = Omit<DemoLendingMarket, "marketParams" | "liquidityBorrowCap"> & { marketParams: Omit<MarketParams, "lltv"> & { lltv: string }; liquidityBorrowCap: string };

/**
 * Before any lending on a fresh local chain: grows each pool's observation ring to what the oracle's two windows
 * need at one block a second, then advances the chain's clock by two windows and a minute so the pools have the
 * history `price()` and `borrowPrice()` read (a new pool has none, and a real chain would take an hour to build it).
 * Only for a new chain: a resumed one already has its history and its markets.
 */
export async function prepareLendingHistory(client: CogFiClient, rpcUrl: string, pools: readonly Address[]): Promise<void> {
  // In transactions of at most 1,000 new slots (~22M gas), under anvil's 30M block gas limit.
  for (const pool of pools) await increaseObservationCardinality(client, { pool, cardinality: REQUIRED_CARDINALITY });
  await rpc(rpcUrl, "evm_increaseTime", [2 * DEMO_TWAP_WINDOW_SECONDS + 60]);
  await rpc(rpcUrl, "evm_mine", []);
}

/**
 * Opens one demo lending market at the recommended LLTV: oracle (its liquidity floor half the lowest in-range liquidity
 * the caps sell through, `getLiquidityFloor`), market with the supply cap from the pool's liquidity and the borrow cap
 * at the recommended share of the liquidity's, supply, collateral, borrow.
 */
export async function openDemoLendingMarket(parameters: {
  name: string;
  /** The protocol owner: creates the oracle and the market with its caps. */
  owner: CogFiClient;
  lender: CogFiClient;
  /** A share holder: posts shares and borrows. */
  borrower: CogFiClient;
  share: Address;
  pool: Address;
}): Promise<DemoLendingMarket> {
  const { owner, lender, borrower, share, pool, name } = parameters;
  const stablecoin = owner.deployment.contracts.Stablecoin;
  const { minInRangeLiquidity } = await getLiquidityFloor(owner, { pool, lltv: DEMO_LLTV });
  const { oracle } = await createShareOracle(owner, {
    pool,
    loanToken: stablecoin,
    twapWindowSeconds: DEMO_TWAP_WINDOW_SECONDS,
    blockTimeSeconds: DEMO_BLOCK_TIME_SECONDS,
    minInRangeLiquidity,
  });
  const marketParams: MarketParams = { loanToken: stablecoin, collateralToken: share, oracle, irm: lendingAddresses(owner).adaptiveIrm, lltv: DEMO_LLTV };
  const liquidityCaps = await getCapsFromLiquidity(owner, { marketParams, pool });
  const caps = { supplyCap: liquidityCaps.supplyCap, borrowCap: (liquidityCaps.borrowCap * DEMO_CAP_USAGE_BPS) / 10_000n };
  const { id } = await createMarket(owner, { marketParams, caps });

  const lenderAddress = lender.walletClient!.account.address;
  const mint = await lender.walletClient!.writeContract({ address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [lenderAddress, LENDER_SUPPLY] });
  await lender.publicClient.waitForTransactionReceipt({ hash: mint });
  await supply(lender, { marketParams, assets: LENDER_SUPPLY });

  const borrowerAddress = borrower.walletClient!.account.address;
  await supplyCollateral(borrower, { marketParams, assets: BORROWER_COLLATERAL });
  const { maxBorrowable } = await getPosition(borrower, { marketParams, user: borrowerAddress });
  const amount = [(maxBorrowable * BORROW_PERCENT_OF_MAX) / 100n, (caps.borrowCap * 9n) / 10n].reduce((a, b) => (a < b ? a : b));
  if (amount === 0n) throw new Error(`${name}: nothing to borrow (max borrowable ${maxBorrowable}, borrow cap ${caps.borrowCap})`);
  await borrow(borrower, { marketParams, assets: amount });
  return { name, id, marketParams, pool, borrower: borrowerAddress, lender: lenderAddress, liquidityBorrowCap: liquidityCaps.borrowCap };
}

/** The file that records a data dir's lending markets. */
export function lendingStatePath(dataDir: string): string {
  return `${dataDir}/lending.json`;
}

export function saveDemoLending(dataDir: string, markets: readonly DemoLendingMarket[]): void {
  const saved: SavedMarket[] = markets.map((m) => ({ ...m, marketParams: { ...m.marketParams, lltv: m.marketParams.lltv.toString() }, liquidityBorrowCap: m.liquidityBorrowCap.toString() }));
  writeFileSync(lendingStatePath(dataDir), JSON.stringify(saved, null, 2) + "\n");
}

/** The lending markets recorded in a data dir (empty when there are none), checked against their ids. */
export function loadDemoLending(dataDir: string): DemoLendingMarket[] {
  const path = lendingStatePath(dataDir);
  if (!existsSync(path)) return [];
  let saved: SavedMarket[];
  try {
    saved = JSON.parse(readFileSync(path, "utf8")) as SavedMarket[];
  } catch (cause) {
    throw new Error(`${path} is not valid JSON`, { cause });
  }
  return saved.map((m) => {
    const marketParams: MarketParams = {
      loanToken: getAddress(m.marketParams.loanToken),
      collateralToken: getAddress(m.marketParams.collateralToken),
      oracle: getAddress(m.marketParams.oracle),
      irm: getAddress(m.marketParams.irm),
      lltv: BigInt(m.marketParams.lltv),
    };
    if (marketId(marketParams) !== m.id) throw new Error(`${path}: market ${m.name}'s params do not hash to its id ${m.id}`);
    return { ...m, marketParams, pool: getAddress(m.pool), borrower: getAddress(m.borrower), lender: getAddress(m.lender), liquidityBorrowCap: BigInt(m.liquidityBorrowCap ?? 0) };
  });
}

/** Lets each borrower's credited revenue repay its debt; returns the debt repaid per market. */
export async function settleLendingRevenue(client: CogFiClient, markets: readonly DemoLendingMarket[]): Promise<bigint[]> {
  const repaid: bigint[] = [];
  for (const m of markets) repaid.push((await settleRevenue(client, { marketParams: m.marketParams, borrower: m.borrower })).repaidAssets);
  return repaid;
}

export type DemoLendingStatus = { market: DemoLendingMarket; totals: GetMarketReturnType; borrower: GetPositionReturnType };

/** Each market and its borrower's position, at one block. */
export async function readDemoLending(client: CogFiClient, markets: readonly DemoLendingMarket[], blockNumber: bigint): Promise<DemoLendingStatus[]> {
  return Promise.all(
    markets.map(async (market) => {
      const [totals, borrower] = await Promise.all([
        getMarket(client, { marketParams: market.marketParams, blockNumber }),
        getPosition(client, { marketParams: market.marketParams, user: market.borrower, blockNumber }),
      ]);
      return { market, totals, borrower };
    }),
  );
}
