/**
 * `cogfi-sim replay --evm`: drives one path of a trace through the real contracts on a local chain and checks, step
 * by step, that the chain's state equals the engine's.
 *
 * The chain: the suite the real deploy script deploys (`deploySuite`), then per model a ModelShare (`registerModel`),
 * its CognitionPool at the engine's first price with exactly the engine's full-range liquidity (`createPool`,
 * `addLiquidity`, then `removeLiquidity` of the excess), a lending market at the engine's LLTV (enabled by the owner
 * when the deployment lacks it), the supply and the engine's ladder of positions. Each step, at the step's block
 * time (`T0 + (t + 1) x stepSeconds`, every transaction of a step in blocks of that timestamp): interest accrual,
 * the arbitrageur's swap (same input, same price limit), LP drains (same liquidity), the oracle's price, then the
 * liquidations (same call: by repaid shares or seized collateral) and the liquidator's sale of the seized shares.
 *
 * Compared to the wei after every step: the pool's sqrtPriceX96, tick and liquidity; the market's four totals and
 * last update; each position's collateral and borrow shares; every swap's input and output, drain's amounts and liquidation's
 * seized / repaid / bad-debt amounts. Two quantities the chain cannot take from the engine, and what is done instead:
 * - the **oracle**: the engine's oracle is the mean of the last `twapWindowSteps` post-arbitrage ticks, one
 *   observation a step; the pool's TWAP accumulates each tick for the seconds it held, so it trails the engine's by
 *   the step's own move and counts liquidation sales the engine's mean skips. The market is therefore priced by a
 *   MockLendingOracle set to the engine's oracle price each step (liquidation decisions are the engine's), and the
 *   pool's on-chain TWAP is checked exactly against what the chain's timing implies: the floor of the mean of the
 *   previous `twapWindowSteps` end-of-step ticks (skipped while the window reaches before the pool's first
 *   observation). The gap to the engine's oracle tick is reported, not checked.
 * - the **interest rate model**: the engine holds the rate fixed; the market uses the test FixedRateIrm at the
 *   engine's per-second rate (the deployment's AdaptiveIrm would move it).
 * Refused: traces whose collateral revenue repaid debt (the engine credits revenue instantly; ModelShare streams it
 * over a period), and traces of format 1 (no setup, swap or state lines).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  addLiquidity,
  borrow,
  createCogFiClient,
  createMarket,
  createPool,
  fullRangeBounds,
  getTwap,
  increaseObservationCardinality,
  lendingAddresses,
  lendingMarketAbi,
  liquidate,
  marketId,
  mockLendingOracleAbi,
  mockStablecoinAbi,
  modelShareAbi,
  cognitionPoolAbi,
  registerModel,
  removeLiquidity,
  supply,
  supplyCollateral,
  swap,
  type CogFiClient,
  type Deployment,
  type FeeTier,
  type MarketParams,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, deploySuite, mockLendingOracleBytecode, REPO_ROOT, rpc, startAnvil, loadDeployment, type AnvilInstance } from "@cogfi/sdk/node";
import { TickMath } from "@uniswap/v3-sdk";
import { maxUint256, parseUnits, type Abi, type Address, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { SimulationError } from "../errors.js";
import { TRACE_VERSION, type Manifest } from "../run.js";


/** Anvil accounts by role. */
const OWNER = 0;
const MODEL_OWNER = 1;
const LENDER = 2;
const TRADER = 3; // the LP and the arbitrageur
const LIQUIDATOR = 4;
const FIRST_BORROWER = 5;
const MAX_BORROWERS = ANVIL_PRIVATE_KEYS.length - FIRST_BORROWER;

type Raw = Record<string, unknown>;
type TraceLine = { path: number; step: number; model: number; kind: string } & Raw;

export type EvmDiff = { step: number; model: number; quantity: string; engine: string; chain: string };
export type EvmReplayOutcome = {
  path: number;
  steps: number;
  /** Quantities compared (each a to-the-wei equality). */
  checks: number;
  /** TWAP checks skipped because the window reached before the pool's first observation. */
  twapSkipped: number;
  /** Largest |engine oracle tick - chain TWAP tick| seen: the lag described above (reported, not checked). */
  maxOracleTickGap: number;
  /** The first step with differences, all of them (empty when the chain matched throughout). */
  mismatches: EvmDiff[];
  seconds: number;
};

export type EvmReplayOptions = {
  /** Path of the trace to replay (default: the trace's first). */
  path?: number;
  /** A running anvil with the suite (default: spawn one and deploy it); the replay adds its markets and moves its clock. */
  rpcUrl?: string;
  /** The address book of that chain (default: deployments/<chainId>.json). */
  deployment?: Deployment;
  onStep?: (step: number, total: number) => void;
};

const big = (value: unknown): bigint => BigInt(value as string);

/** Parses a trace for `replay --evm`: the manifest and the chosen path's lines. */
export function parseEvmTrace(text: string, pathIndex?: number): { manifest: Manifest; path: number; lines: TraceLine[] } {
  const rows = text.split("\n").filter((line) => line.length > 0);
  const head = JSON.parse(rows[0] ?? "{}") as { kind?: string; manifest?: Manifest; traceVersion?: number; range?: { from: number; to: number } };
  if (head.kind !== "manifest" || !head.manifest || !head.range) throw new SimulationError("replay --evm: the trace does not start with a manifest line");
  if (head.traceVersion !== TRACE_VERSION) {
    throw new SimulationError(
      `replay --evm: trace format ${head.traceVersion ?? 1} has no setup, swap and state lines; this version reads format ${TRACE_VERSION}: re-run the scenario with run --trace`,
    );
  }
  const path = pathIndex ?? head.range.from;
  if (path < head.range.from || path >= head.range.to) throw new SimulationError(`replay --evm: path ${path} is not in the trace (paths ${head.range.from}..${head.range.to - 1})`);
  const lines: TraceLine[] = [];
  for (const row of rows.slice(1)) {
    const parsed = JSON.parse(row) as { kind: string; event?: TraceLine };
    if (parsed.kind === "event" && parsed.event!.path === path) lines.push(parsed.event!);
  }
  const manifest = head.manifest;
  if (!lines.some((l) => l.kind === "setup")) throw new SimulationError(`replay --evm: path ${path} has no setup lines`);
  const repaid = lines.find((l) => l.kind === "state" && big(l.revenueRepaid) !== 0n);
  if (repaid) {
    throw new SimulationError(
      `replay --evm: at step ${repaid.step} collateral revenue repaid debt, which the chain cannot replay (the engine credits revenue at once, ModelShare streams it): use a scenario with usage.requestsPerHour 0 or lending.selfRepaying false`,
    );
  }
  const borrowers = manifest.params.lending.borrowers.length;
  if (borrowers > MAX_BORROWERS) throw new SimulationError(`replay --evm: ${borrowers} borrowers; the replay has ${MAX_BORROWERS} accounts for them`);
  return { manifest, path, lines };
}

function artifact(name: string): { abi: Abi; bytecode: Hex } {
  const file = resolve(REPO_ROOT, "out", `${name}.sol`, `${name}.json`);
  try {
    const json = JSON.parse(readFileSync(file, "utf8")) as { abi: Abi; bytecode: { object: Hex } };
    return { abi: json.abi, bytecode: json.bytecode.object };
  } catch (cause) {
    throw new SimulationError(`replay --evm: cannot read ${file} (run npm run build)`, { cause });
  }
}

/** Token amounts (rounded up) of `liquidity` over the full range at `sqrtPriceX96`: what minting it costs at most. */
function fullRangeAmounts(sqrtPriceX96: bigint, liquidity: bigint, tickSpacing: number): [bigint, bigint] {
  const [lower, upper] = fullRangeBounds(tickSpacing);
  const a = BigInt(TickMath.getSqrtRatioAtTick(lower).toString());
  const b = BigInt(TickMath.getSqrtRatioAtTick(upper).toString());
  const q96 = 1n << 96n;
  const ceil = (x: bigint, y: bigint) => (x + y - 1n) / y;
  const amount0 = ceil(ceil(liquidity * q96 * (b - sqrtPriceX96), b), sqrtPriceX96);
  const amount1 = ceil(liquidity * (sqrtPriceX96 - a), q96);
  return [amount0, amount1];
}

type ModelChain = { model: number; share: Address; pool: Address; positionId: bigint; marketParams: MarketParams; oracle: Address; borrowers: Map<number, Address>; endTicks: number[] };

/** Replays one path of `traceText` on chain; never throws for a mismatch (see `mismatches`). */
export async function replayOnChain(traceText: string, options: EvmReplayOptions = {}): Promise<EvmReplayOutcome> {
  const started = performance.now();
  const { manifest, path, lines } = parseEvmTrace(traceText, options.path);
  const params = manifest.params;
  let anvil: AnvilInstance | undefined;
  try {
    let rpcUrl = options.rpcUrl;
    let deployment = options.deployment;
    if (!rpcUrl) {
      anvil = await startAnvil();
      rpcUrl = anvil.rpcUrl;
      deployment = await deploySuite({ rpcUrl, privateKey: ANVIL_PRIVATE_KEYS[0], deploymentsDir: resolve(REPO_ROOT, ".cogfi/sim-evm", String(anvil.port)) });
    }
    deployment ??= loadDeployment(Number.parseInt(await rpc<string>(rpcUrl, "eth_chainId"), 16));
    const url = rpcUrl;
    const clients = ANVIL_PRIVATE_KEYS.map((key) => createCogFiClient({ rpcUrl: url, deployment: deployment!, account: privateKeyToAccount(key) }));
    const address = (i: number) => clients[i]!.walletClient!.account.address;
    const publicClient = clients[OWNER]!.publicClient;
    const send = async (client: CogFiClient, request: Parameters<NonNullable<CogFiClient["walletClient"]>["writeContract"]>[0]) => {
      const hash = await client.walletClient!.writeContract(request);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new SimulationError(`replay --evm: ${request.functionName} reverted`);
      return receipt;
    };
    const deploy = async (name: string, args: unknown[], code: { abi: Abi; bytecode: Hex } = artifact(name)): Promise<Address> => {
      const { abi, bytecode } = code;
      const hash = await clients[OWNER]!.walletClient!.deployContract({ abi, bytecode, args } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new SimulationError(`replay --evm: deploying ${name} failed`);
      return receipt.contractAddress;
    };
    const stablecoin = deployment.contracts.Stablecoin;
    const { lendingMarket } = lendingAddresses(clients[OWNER]!);
    const oracleAbi = mockLendingOracleAbi;

    // Funding: stablecoin for the lender, the trader and the liquidator (minted: a mock), approvals once.
    const plenty = parseUnits("1000000000000", 6);
    for (const i of [LENDER, TRADER, LIQUIDATOR]) {
      await send(clients[i]!, { address: stablecoin, abi: mockStablecoinAbi, functionName: "mint", args: [address(i), plenty] } as never);
      await send(clients[i]!, { address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [lendingMarket, maxUint256] } as never);
      await send(clients[i]!, { address: stablecoin, abi: mockStablecoinAbi, functionName: "approve", args: [deployment.contracts.CognitionRouter!, maxUint256] } as never);
    }

    const setups = lines.filter((l) => l.kind === "setup");
    const windowSteps = params.amm.twapWindowSteps;
    const models: ModelChain[] = [];
    // One fixed-rate IRM at the engine's rate (the same for every model: it is a scenario parameter).
    const irm = await deploy("FixedRateIrm", [big((setups[0]!.market as Raw).borrowRatePerSecond)]);
    await send(clients[OWNER]!, { address: lendingMarket, abi: lendingMarketAbi, functionName: "enableIrm", args: [irm] } as never);
    for (const setup of setups) {
      const pool = setup.pool as Raw;
      const market = setup.market as Raw;
      const lltv = big(market.lltv);
      const enabled = await publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "isLltvEnabled", args: [lltv] });
      if (!enabled) await send(clients[OWNER]!, { address: lendingMarket, abi: lendingMarketAbi, functionName: "enableLltv", args: [lltv] } as never);
      const supplyUnits = parseUnits("1000000000", 18);
      const { share } = await registerModel(clients[MODEL_OWNER]!, {
        name: `sim-evm-${setup.model}`,
        metadataURI: `cogfi-sim://${manifest.configHash}/${path}/${setup.model}`,
        pricing: { inputPerMTok: BigInt(params.pricing.inputPerMTok), outputPerMTok: BigInt(params.pricing.outputPerMTok), reasoningPerMTok: BigInt(params.pricing.reasoningPerMTok) },
        shareSupply: supplyUnits,
      });
      if (BigInt(stablecoin) >= BigInt(share)) {
        throw new SimulationError(`replay --evm: the share ${share} sorts before the stablecoin ${stablecoin}; the engine's pools have the stablecoin as token0`);
      }
      const sharesEach = supplyUnits / BigInt(ANVIL_PRIVATE_KEYS.length);
      const borrowers = new Map<number, Address>();
      for (const i of [TRADER, LIQUIDATOR, ...(setup.positions as Raw[]).map((p) => FIRST_BORROWER + Number(p.borrower))]) {
        await send(clients[MODEL_OWNER]!, { address: share, abi: modelShareAbi, functionName: "transfer", args: [address(i), sharesEach] } as never);
        await send(clients[i]!, { address: share, abi: modelShareAbi, functionName: "approve", args: [lendingMarket, maxUint256] } as never);
        await send(clients[i]!, { address: share, abi: modelShareAbi, functionName: "approve", args: [deployment.contracts.CognitionRouter!, maxUint256] } as never);
      }
      const fee = Number(pool.fee) as FeeTier;
      const { pool: poolAddress } = await createPool(clients[MODEL_OWNER]!, { share, fee, sqrtPriceX96: big(pool.sqrtPriceX96) });
      await increaseObservationCardinality(clients[OWNER]!, { pool: poolAddress, cardinality: windowSteps + 4 });
      // Exactly the engine's liquidity: mint a little more (amounts rounded up, plus a margin), remove the excess.
      const liquidity = big(pool.liquidity);
      const [amount0, amount1] = fullRangeAmounts(big(pool.sqrtPriceX96), liquidity + liquidity / 1_000_000n + 1_000n, Number(pool.tickSpacing));
      const [tickLower, tickUpper] = fullRangeBounds(Number(pool.tickSpacing));
      const added = await addLiquidity(clients[TRADER]!, { token0: stablecoin, token1: share, fee, tickLower, tickUpper, amount0Desired: amount0, amount1Desired: amount1 });
      if (added.liquidity < liquidity) throw new SimulationError(`replay --evm: minted ${added.liquidity} liquidity, under the engine's ${liquidity}`);
      if (added.liquidity > liquidity) await removeLiquidity(clients[TRADER]!, { positionId: added.positionId, liquidity: added.liquidity - liquidity });
      const oracle = await deploy("the mock oracle", [big(setup.oraclePrice)], { abi: mockLendingOracleAbi, bytecode: mockLendingOracleBytecode });
      const marketParams: MarketParams = { loanToken: stablecoin, collateralToken: share, oracle, irm, lltv };
      await createMarket(clients[OWNER]!, { marketParams });
      models.push({ model: setup.model, share, pool: poolAddress, positionId: added.positionId, marketParams, oracle, borrowers, endTicks: Array<number>(windowSteps).fill(Number(pool.tick)) });
      for (const p of setup.positions as Raw[]) borrowers.set(Number(p.borrower), address(FIRST_BORROWER + Number(p.borrower)));
    }

    // T0: the engine's time 0, after a TWAP window of history so every window stays within the pool's observations.
    const latest = (await publicClient.getBlock()).timestamp;
    const t0 = latest + BigInt(windowSteps * params.stepSeconds + 60);
    await rpc(url, "anvil_setBlockTimestampInterval", [0]);
    await rpc(url, "evm_setNextBlockTimestamp", [Number(t0)]);
    await rpc(url, "evm_mine");

    const outcome: EvmReplayOutcome = { path, steps: 0, checks: 0, twapSkipped: 0, maxOracleTickGap: 0, mismatches: [], seconds: 0 };
    const diffs: EvmDiff[] = [];
    const check = (step: number, model: number, quantity: string, engine: unknown, chain: unknown) => {
      outcome.checks++;
      if (String(engine) !== String(chain)) diffs.push({ step, model, quantity, engine: String(engine), chain: String(chain) });
    };
    const readMarket = async (m: ModelChain) => {
      const [a, b, c, d, lastUpdate] = (await publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "market", args: [marketId(m.marketParams)] })) as readonly bigint[];
      return { totalSupplyAssets: a!, totalSupplyShares: b!, totalBorrowAssets: c!, totalBorrowShares: d!, lastUpdate: lastUpdate! - t0 };
    };
    const readPosition = async (m: ModelChain, borrower: Address) => {
      const [, borrowShares, collateral] = (await publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "position", args: [marketId(m.marketParams), borrower] })) as readonly bigint[];
      return { borrowShares: borrowShares!, collateral: collateral! };
    };
    const compareLending = async (step: number, m: ModelChain, market: Raw, positions: Raw[]) => {
      const chain = await readMarket(m);
      for (const key of ["totalSupplyAssets", "totalSupplyShares", "totalBorrowAssets", "totalBorrowShares", "lastUpdate"] as const) check(step, m.model, `market.${key}`, market[key], chain[key]);
      for (const p of positions) {
        const onChain = await readPosition(m, m.borrowers.get(Number(p.borrower))!);
        check(step, m.model, `borrower ${p.borrower}.collateral`, p.collateral, onChain.collateral);
        check(step, m.model, `borrower ${p.borrower}.borrowShares`, p.borrowShares, onChain.borrowShares);
      }
    };

    // Time 0: the supply and the ladder of positions.
    for (const setup of setups) {
      const m = models.find((x) => x.model === setup.model)!;
      await supply(clients[LENDER]!, { marketParams: m.marketParams, assets: big((setup.market as Raw).supplied), approve: false });
      for (const p of setup.positions as Raw[]) {
        const client = clients[FIRST_BORROWER + Number(p.borrower)]!;
        await supplyCollateral(client, { marketParams: m.marketParams, assets: big(p.collateral), approve: false });
        await borrow(client, { marketParams: m.marketParams, assets: big(p.debt) });
      }
      await compareLending(-1, m, setup.market as Raw, setup.positions as Raw[]);
    }
    if (diffs.length > 0) return { ...outcome, mismatches: diffs, seconds: (performance.now() - started) / 1000 };

    const byStep = new Map<number, TraceLine[]>();
    for (const line of lines) if (line.kind !== "setup") byStep.set(line.step, [...(byStep.get(line.step) ?? []), line]);
    for (let t = 0; t < params.horizonSteps; t++) {
      const timestamp = t0 + BigInt((t + 1) * params.stepSeconds);
      await rpc(url, "evm_setNextBlockTimestamp", [Number(timestamp)]);
      const stepLines = byStep.get(t) ?? [];
      for (const m of models) {
        const own = stepLines.filter((l) => l.model === m.model);
        const state = own.find((l) => l.kind === "state");
        if (!state) throw new SimulationError(`replay --evm: step ${t} of model ${m.model} has no state line`);
        await send(clients[OWNER]!, { address: lendingMarket, abi: lendingMarketAbi, functionName: "accrueInterest", args: [m.marketParams] } as never);
        for (const line of own) {
          if (line.kind === "swap") {
            const sellShares = big(line.shareIn) > 0n;
            const out = await swap(clients[TRADER]!, {
              tokenIn: sellShares ? m.share : stablecoin,
              tokenOut: sellShares ? stablecoin : m.share,
              fee: Number(params.amm.fee) as FeeTier,
              amountIn: sellShares ? big(line.shareIn) : big(line.usdIn),
              amountOutMinimum: 0n,
              sqrtPriceLimitX96: big(line.sqrtPriceLimitX96),
              approve: false,
            });
            // The limit stops the swap where the engine's did: the chain must take exactly the engine's input.
            check(t, m.model, "arbitrage.amountIn", sellShares ? line.shareIn : line.usdIn, out.amountIn);
            check(t, m.model, "arbitrage.amountOut", sellShares ? line.usdOut : line.shareOut, out.amountOut);
          } else if (line.kind === "liquidityDrain") {
            const out = await removeLiquidity(clients[TRADER]!, { positionId: m.positionId, liquidity: big(line.liquidity) });
            check(t, m.model, "drain.usd", line.usd, out.amount0);
            check(t, m.model, "drain.shares", line.shares, out.amount1);
          }
        }
        // The pool's TWAP against the chain's timing (see the header), then the engine's oracle price for the market.
        const chainWindowStart = m.endTicks.length - windowSteps;
        if (chainWindowStart >= 0) {
          const ticks = m.endTicks.slice(chainWindowStart);
          const expected = Math.floor(ticks.reduce((a, b) => a + b, 0) / windowSteps);
          const twap = await getTwap(clients[OWNER]!, { pool: m.pool, secondsAgo: windowSteps * params.stepSeconds });
          check(t, m.model, "pool.twapTick", expected, twap.arithmeticMeanTick);
          outcome.maxOracleTickGap = Math.max(outcome.maxOracleTickGap, Math.abs(twap.arithmeticMeanTick - Number(state.oracleTick)));
        } else outcome.twapSkipped++;
        await send(clients[OWNER]!, { address: m.oracle, abi: oracleAbi, functionName: "setPrices", args: [big(state.oraclePrice), big(state.oraclePrice)] } as never);
        for (const line of own.filter((l) => l.kind === "liquidation")) {
          const borrower = m.borrowers.get(Number(line.borrower))!;
          const out = await liquidate(clients[LIQUIDATOR]!, {
            marketParams: m.marketParams,
            borrower,
            approve: false,
            ...(line.by === "repaidShares" ? { repaidShares: big(line.repaidShares) } : { seizedAssets: big(line.seized) }),
          });
          check(t, m.model, "liquidation.seized", line.seized, out.seizedAssets);
          check(t, m.model, "liquidation.repaid", line.repaid, out.repaidAssets);
          check(t, m.model, "liquidation.badDebt", line.badDebt, out.badDebtAssets);
          const sale = await swap(clients[LIQUIDATOR]!, { tokenIn: m.share, tokenOut: stablecoin, fee: Number(params.amm.fee) as FeeTier, amountIn: out.seizedAssets, amountOutMinimum: 0n, approve: false });
          check(t, m.model, "liquidation.proceeds", line.proceeds, sale.amountOut);
        }
        const pool = state.pool as Raw;
        const [sqrtPriceX96, tick] = (await publicClient.readContract({ address: m.pool, abi: cognitionPoolAbi, functionName: "slot0" })) as readonly [bigint, number, ...unknown[]];
        const liquidity = await publicClient.readContract({ address: m.pool, abi: cognitionPoolAbi, functionName: "liquidity" });
        check(t, m.model, "pool.sqrtPriceX96", pool.sqrtPriceX96, sqrtPriceX96);
        check(t, m.model, "pool.tick", pool.tick, tick);
        check(t, m.model, "pool.liquidity", pool.liquidity, liquidity);
        m.endTicks.push(tick);
        await compareLending(t, m, { ...(state.market as Raw), lastUpdate: state.timestamp }, state.positions as Raw[]);
      }
      outcome.steps = t + 1;
      options.onStep?.(t + 1, params.horizonSteps);
      if (diffs.length > 0) break;
    }
    return { ...outcome, mismatches: diffs, seconds: (performance.now() - started) / 1000 };
  } catch (cause) {
    if (cause instanceof SimulationError) throw cause;
    throw new SimulationError(`replay --evm failed: ${(cause as Error).message}`, { cause });
  } finally {
    // A chain the caller owns gets its block times back; one this call started goes away. A failed reset is not
    // reported: it only happens when the caller's node is gone, and the replay's own outcome or error is the news.
    if (anvil) await anvil.stop();
    else if (options.rpcUrl) await rpc(options.rpcUrl, "anvil_removeBlockTimestampInterval").catch(() => false);
  }
}

/** A mismatch report: one line per differing quantity. */
export function formatDiffs(diffs: readonly EvmDiff[]): string {
  return diffs.map((d) => `  step ${d.step} model ${d.model} ${d.quantity}: engine ${d.engine}, chain ${d.chain}`).join("\n");
}
