/**
 * One Monte Carlo path: the exogenous processes, then the agents in a fixed order each step, over the protocol's
 * markets (one pool and one lending market per model). Everything a path draws comes from its own keyed streams
 * (`PathRandom`), so `simulatePath(scenario, seed, i)` is a pure function of its arguments.
 *
 * Step order: regime and prices (scenario events applied) -> usage and revenue (ledger cost -> holders, borrowers'
 * collateral revenue repays their debt) -> arbitrageur pulls the pool to the external price -> LP drains -> oracle
 * (pool TWAP) -> interest -> liquidators (latency, gas, seized collateral sold into the pool) -> extension agents (the
 * insurance pool first, `insurance.ts`).
 */
import { createHash } from "node:crypto";
import { capsFromLiquidity, sellableCollateral, usageCost, WAD, ORACLE_PRICE_SCALE } from "@cogfi/sdk";
import type { Scenario, ScenarioEvent } from "../scenario.js";
import { SimPool } from "./amm.js";
import { InsuranceAgent } from "./insurance.js";
import { REVENUE_SCALE, SimMarket, type SimPosition } from "./lending.js";
import { priceIncrements, RegimeProcess, UsageProcess } from "./paths.js";
import { PathRandom } from "./rng.js";
import { oraclePriceOf, sharesOf, usdOf, usdPerShareOfTick } from "./units.js";

/** A line of a path's trace (besides the summary). */
export type TraceEvent = { path: number; step: number; model: number; kind: string; [field: string]: unknown };

/** What one model holds during a path. */
export type ModelState = {
  model: number;
  externalUsd: number;
  pool: SimPool;
  market: SimMarket;
  usage: UsageProcess;
  ticks: number[];
  oraclePrice: bigint;
};

/** What agents see each step. */
export type StepContext = {
  scenario: Scenario;
  step: number;
  timestamp: bigint;
  random: PathRandom;
  models: ModelState[];
  trace: (event: Omit<TraceEvent, "path" | "step">) => void;
};

/**
 * An agent: acts once per step after the built-in ones, in list order, and may add figures to the path's result.
 * This is the extension point for agents this package does not model yet (insurance underwriters and insured
 * buyers, once the InsurancePool lands): they read the models' usage and markets from the context.
 */
export interface Agent {
  readonly name: string;
  /** Accounts the agent simulates (for the account-steps figure). */
  readonly accounts: number;
  step(context: StepContext): Promise<void> | void;
  finish?(context: StepContext): Record<string, unknown>;
}

export type SimulateOptions = {
  agents?: (context: StepContext) => Agent[];
  /**
   * Record what an on-chain replay needs (`replay --evm`): a `setup` event per model (pool, market, opened positions),
   * a `swap` event per arbitrage (amounts and price limit) and a `state` event per step and model (pool price, tick and
   * liquidity, oracle price, market totals, each position). Default false: runs without a trace skip the cost.
   */
  record?: boolean;
};

/** The figures of one path (sums over its models). */
export type PathResult = {
  path: number;
  /** Realized bad debt plus, at the horizon, debt above its collateral's value at the external price (stablecoin units). */
  badDebt: bigint;
  badDebtRealized: bigint;
  /** The markets' initial supply (stablecoin units): bad debt as a share of it. */
  supply: bigint;
  liquidations: number;
  /** Collateral seized, valued at the external price when seized (USD): liquidations at risk. */
  liquidatedUsd: number;
  /** Seized collateral's value minus the debt it repaid (USD): the incentive borrowers paid. */
  borrowerLossUsd: number;
  /** Steps from the oracle first seeing a position unhealthy to its liquidation, summed over liquidations. */
  liquidationDelaySteps: number;
  maxLiquidationDelaySteps: number;
  /** LP value vs holding the initial tokens at the final external price, mean over models (-0.01 = -1%). */
  lpPnlVsHold: number;
  /** Loss-versus-rebalancing: the arbitrageur's gains at the external price, fees included (USD). */
  lvrUsd: number;
  /** Mean |oracle TWAP / external price - 1| over steps and models, in basis points. */
  twapErrorBps: number;
  arbitrages: number;
  /** Lowest external price over the path relative to the initial one (min over models). */
  minPriceRatio: number;
  /** Revenue paid to share holders (stablecoin units) and the part that repaid debt. */
  holderRevenue: bigint;
  revenueRepaid: bigint;
  accountSteps: number;
  extensions: Record<string, Record<string, unknown>>;
  /** sha256 over every step's pool price, oracle price and market totals: replay compares it. */
  digest: string;
};

const borrowCapCache = new Map<string, Promise<bigint>>();

/** The borrow cap the sdk's caps-from-liquidity rule gives on the initial pool (cached per configuration). */
async function initialBorrowCap(pool: SimPool, lltv: bigint, price: bigint): Promise<bigint> {
  const key = `${pool.state.fee}:${pool.state.sqrtPriceX96}:${pool.state.liquidity}:${lltv}:${price}`;
  let cap = borrowCapCache.get(key);
  if (!cap) {
    cap = sellableCollateral({ pool: pool.state, share: pool.share, lltv }).then(
      ({ shares }) => capsFromLiquidity({ sellableShares: shares, price, lltv }).borrowCap,
    );
    borrowCapCache.set(key, cap);
  }
  return cap;
}

const round = (x: number): number => Number(x.toPrecision(12));

const applies = (event: ScenarioEvent, model: number) => event.models === undefined || event.models.includes(model);

/** Runs path `path` of `scenario` with `seed`; returns its result and trace events. */
export async function simulatePath(scenario: Scenario, seed: number, path: number, options: SimulateOptions = {}): Promise<{ result: PathResult; events: TraceEvent[] }> {
  const params = scenario.params;
  const random = new PathRandom(seed, path);
  const events: TraceEvent[] = [];
  const digest = createHash("sha256");
  const regime = new RegimeProcess(random, params);
  const models: ModelState[] = [];
  let supply = 0n;
  for (let m = 0; m < params.models; m++) {
    const externalUsd = params.price.initialUsd;
    const pool = new SimPool(m, params, externalUsd);
    const market = new SimMarket(params);
    const oraclePrice = oraclePriceOf(externalUsd);
    const cap = await initialBorrowCap(pool, market.lltv, oraclePrice);
    const totalDebt = BigInt(Math.floor(Number(cap) * params.lending.capMultiplier * params.lending.capUsage));
    const deposits = BigInt(Math.ceil(Number(totalDebt) / params.lending.utilization));
    market.supply(deposits);
    supply += deposits;
    const weights = params.lending.borrowers.reduce((sum, b) => sum + b.weight, 0);
    params.lending.borrowers.forEach((b, i) => {
      const debt = BigInt(Math.floor((Number(totalDebt) * b.weight) / weights));
      if (debt === 0n) return;
      const ltv = b.ltvOfLltv * params.lending.lltv;
      const collateral = BigInt(Math.ceil((Number(debt) * 1e12) / (ltv * externalUsd))) ;
      market.open(i, collateral, debt);
    });
    models.push({ model: m, externalUsd, pool, market, usage: new UsageProcess(random, params, m), ticks: Array(params.amm.twapWindowSteps).fill(pool.state.tick), oraclePrice });
    if (options.record) {
      events.push({
        path,
        step: 0,
        model: m,
        kind: "setup",
        pool: { fee: pool.state.fee, tickSpacing: pool.state.tickSpacing, sqrtPriceX96: pool.state.sqrtPriceX96, tick: pool.state.tick, liquidity: pool.state.liquidity },
        market: { lltv: market.lltv, borrowRatePerSecond: market.borrowRatePerSecond, supplied: deposits, ...market.market },
        oraclePrice,
        positions: market.positions.map((p) => ({ borrower: p.borrower, collateral: p.collateral, borrowShares: p.borrowShares, debt: market.debt(p) })),
      });
    }
  }

  const stats = { liquidations: 0, liquidatedUsd: 0, borrowerLossUsd: 0, delay: 0, maxDelay: 0, lvrUsd: 0, twapErr: 0, arbitrages: 0, minPriceRatio: 1, holderRevenue: 0n, revenueRepaid: 0n };
  const holderBps = 10_000n - BigInt(params.revenue.protocolFeeBps + params.revenue.submitterFeeBps);
  const supplyUnits = BigInt(Math.round(params.revenue.shareSupply)) * WAD;
  const pricing = { inputPerMTok: BigInt(params.pricing.inputPerMTok), outputPerMTok: BigInt(params.pricing.outputPerMTok), reasoningPerMTok: BigInt(params.pricing.reasoningPerMTok) };
  const liquidators = params.liquidators.map((l, i) => ({ ...l, index: i })).sort((a, b) => a.latencySteps - b.latencySteps || a.index - b.index);

  const context: StepContext = {
    scenario,
    step: 0,
    timestamp: 0n,
    random,
    models,
    trace: (event) => events.push({ ...event, path, step: context.step } as TraceEvent),
  };
  // The insurance agents (on unless `insurance.enabled` is false), then any the caller adds.
  const extra = [...(params.insurance.enabled ? [new InsuranceAgent(context)] : []), ...(options.agents?.(context) ?? [])];
  const accounts = params.models * (params.lending.borrowers.length + params.liquidators.length + 3) + extra.reduce((n, a) => n + a.accounts, 0);

  for (let t = 0; t < params.horizonSteps; t++) {
    context.step = t;
    context.timestamp = BigInt((t + 1) * params.stepSeconds);
    const stressed = regime.step();
    const increments = priceIncrements(random, params, stressed);
    for (const state of models) {
      const m = state.model;
      let logMove = increments[m]!;
      const { multiplier, collapsed } = state.usage.step();
      if (collapsed) {
        logMove += params.usage.priceElasticity * Math.log(params.usage.collapseFactor);
        context.trace({ model: m, kind: "usageCollapse", level: round(state.usage.level) });
      }
      for (const event of scenario.events) {
        if (!applies(event, m)) continue;
        if (event.type === "priceCrash" && t >= event.atStep && t < event.atStep + event.overSteps) {
          logMove += Math.log(1 - event.drop) / event.overSteps;
        } else if (event.type === "revenueCollapse" && t === event.atStep) {
          state.usage.level *= event.keep;
          logMove += params.usage.priceElasticity * Math.log(Math.max(event.keep, 1e-9));
          context.trace({ model: m, kind: "revenueCollapse", keep: event.keep });
        } else if (event.type === "reasoningBlowup" && t === event.atStep) {
          state.usage.reasoningFactor *= event.factor;
          context.trace({ model: m, kind: "reasoningBlowup", factor: event.factor });
        }
      }
      state.externalUsd *= Math.exp(logMove);
      stats.minPriceRatio = Math.min(stats.minPriceRatio, state.externalUsd / params.price.initialUsd);

      // Usage -> attested cost (sdk usageCost) -> holders; borrowers' collateral revenue repays their debt.
      const usage = state.usage.requests(state.usage.level === 0 ? 0 : multiplier);
      const cost = usageCost(usage, pricing);
      const holders = (cost * holderBps) / 10_000n;
      stats.holderRevenue += holders;
      state.market.accrue(context.timestamp);
      const stepRepaid = state.market.creditRevenue((holders * REVENUE_SCALE) / supplyUnits);
      stats.revenueRepaid += stepRepaid;

      // Arbitrageur.
      const arb = await state.pool.arbitrage(state.externalUsd, params.amm.arbGasUsd);
      if (arb) {
        if (options.record) {
          context.trace({ model: m, kind: "swap", shareIn: arb.shareIn, usdIn: arb.usdIn, shareOut: arb.shareOut, usdOut: arb.usdOut, sqrtPriceLimitX96: arb.sqrtPriceLimitX96 });
        }
        stats.arbitrages++;
        stats.lvrUsd += arb.profitUsd + arb.feeUsd;
      }

      // LPs drain.
      for (const event of scenario.events) {
        if (event.type !== "liquidityDrain" || !applies(event, m) || t < event.atStep || t >= event.atStep + event.overSteps) continue;
        const out = state.pool.drain(1 - Math.pow(1 - event.fraction, 1 / event.overSteps));
        context.trace({ model: m, kind: "liquidityDrain", liquidity: out.liquidity, usd: out.usdUnits, shares: out.shareUnits });
      }

      // Oracle: the pool's TWAP (arithmetic mean of ticks, rounded toward -infinity, as Uniswap's oracle).
      state.ticks.push(state.pool.state.tick);
      state.ticks.shift();
      const meanTick = Math.floor(state.ticks.reduce((a, b) => a + b, 0) / state.ticks.length);
      const oracleUsd = usdPerShareOfTick(meanTick);
      state.oraclePrice = oraclePriceOf(oracleUsd);
      stats.twapErr += Math.abs(oracleUsd / state.externalUsd - 1) * 10_000;

      // Liquidators.
      for (const position of state.market.positions) {
        if (position.borrowShares === 0n) continue;
        if (state.market.healthy(position, state.oraclePrice)) {
          position.unhealthySince = null;
          continue;
        }
        position.unhealthySince ??= t;
        await liquidate(state, position, t);
      }
      if (options.record) {
        const { pool, market } = state;
        context.trace({
          model: m,
          kind: "state",
          timestamp: context.timestamp,
          pool: { sqrtPriceX96: pool.state.sqrtPriceX96, tick: pool.state.tick, liquidity: pool.state.liquidity },
          oracleTick: meanTick,
          oraclePrice: state.oraclePrice,
          externalPrice: oraclePriceOf(state.externalUsd),
          market: market.market,
          positions: market.positions.map((p) => ({ borrower: p.borrower, collateral: p.collateral, borrowShares: p.borrowShares })),
          revenueRepaid: stepRepaid,
        });
      }
      digest.update(`${t}:${m}:${state.pool.state.sqrtPriceX96}:${state.oraclePrice}:${state.market.market.totalBorrowAssets}:${state.market.market.totalSupplyAssets};`);
    }
    for (const agent of extra) await agent.step(context);
  }

  async function liquidate(state: ModelState, position: SimPosition, t: number): Promise<void> {
    for (const liquidator of liquidators) {
      if (t - position.unhealthySince! < liquidator.latencySteps) continue;
      const seizable = state.market.seizable(position, state.oraclePrice);
      if (seizable === 0n) return;
      for (const divisor of [1n, 2n, 4n, 8n]) {
        // All of it: when the debt bounds the seizure, repay every borrow share (as liquidators do: seizing
        // `seizable` could round to one share more than the position owes); else seize all the collateral. Parts: by
        // seized collateral.
        const outcome =
          divisor === 1n && seizable < position.collateral
            ? state.market.previewRepay(position, state.oraclePrice, position.borrowShares)
            : state.market.preview(position, state.oraclePrice, seizable / divisor || 1n);
        const proceeds = await state.pool.sellShares(outcome.seizedAssets, state.externalUsd, false);
        const profitUsd = usdOf(proceeds) - usdOf(outcome.repaidAssets) - liquidator.gasUsd;
        if (profitUsd <= 0) continue;
        await state.pool.sellShares(outcome.seizedAssets, state.externalUsd, true);
        state.market.apply(position, outcome);
        const delay = t - position.unhealthySince!;
        const seizedUsd = sharesOf(outcome.seizedAssets) * state.externalUsd;
        stats.liquidations++;
        stats.liquidatedUsd += seizedUsd;
        stats.borrowerLossUsd += seizedUsd - usdOf(outcome.repaidAssets);
        stats.delay += delay;
        stats.maxDelay = Math.max(stats.maxDelay, delay);
        context.trace({
          model: state.model,
          kind: "liquidation",
          borrower: position.borrower,
          liquidator: liquidator.index,
          // The call as the contract takes it: by repaid shares when the debt bounds the seizure, else by seized collateral.
          by: divisor === 1n && seizable < position.collateral ? "repaidShares" : "seizedAssets",
          repaidShares: outcome.repaidShares,
          seized: outcome.seizedAssets,
          repaid: outcome.repaidAssets,
          badDebt: outcome.badDebtAssets,
          proceeds,
          delay,
        });
        if (position.borrowShares === 0n || state.market.healthy(position, state.oraclePrice)) position.unhealthySince = null;
        return;
      }
    }
  }

  let badDebtRealized = 0n;
  let badDebt = 0n;
  let lpPnl = 0;
  for (const state of models) {
    badDebtRealized += state.market.badDebtRealized;
    badDebt += state.market.badDebtRealized;
    const price = oraclePriceOf(state.externalUsd);
    for (const position of state.market.positions) {
      if (position.borrowShares === 0n) continue;
      const debt = state.market.debt(position);
      const value = (position.collateral * price) / ORACLE_PRICE_SCALE;
      if (debt > value) badDebt += debt - value;
    }
    lpPnl += state.pool.lpPnlVsHold(state.externalUsd);
  }
  const extensions: Record<string, Record<string, unknown>> = {};
  for (const agent of extra) if (agent.finish) extensions[agent.name] = agent.finish(context);
  const result: PathResult = {
    path,
    badDebt,
    badDebtRealized,
    supply,
    liquidations: stats.liquidations,
    liquidatedUsd: round(stats.liquidatedUsd),
    borrowerLossUsd: round(stats.borrowerLossUsd),
    liquidationDelaySteps: stats.delay,
    maxLiquidationDelaySteps: stats.maxDelay,
    lpPnlVsHold: round(lpPnl / models.length),
    lvrUsd: round(stats.lvrUsd),
    twapErrorBps: round(stats.twapErr / (params.horizonSteps * models.length)),
    arbitrages: stats.arbitrages,
    minPriceRatio: round(stats.minPriceRatio),
    holderRevenue: stats.holderRevenue,
    revenueRepaid: stats.revenueRepaid,
    accountSteps: accounts * params.horizonSteps,
    extensions,
    digest: digest.digest("hex"),
  };
  return { result, events };
}
