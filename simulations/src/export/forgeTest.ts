/**
 * A property's shrunk counterexample -> a forge test that replays it against the real contracts
 * (`cogfi-sim export-forge`). The counterexample file names the scenario (a scenario file's fields, every parameter in
 * it), the engine seed and path, and where it came from (property, fast-check seed and path). The exporter runs the
 * engine on it with recording on and writes `test/simulations/generated/<Name>_<seed>.t.sol`: a contract on
 * `SimulationReplayBase` (the lending base's suite, the real pool) whose setUp opens the engine's pool, market and
 * positions, and whose test replays every step (swaps via the pool, the oracle price, liquidations and the sale of the
 * seized shares), asserting each amount, the pool price and the market totals to the wei, then the bad debt the engine
 * found: realized by liquidations plus, at the horizon, debt above its collateral's value at the external price.
 *
 * Deterministic: the same counterexample gives the same bytes (the engine is a pure function of it; the source is
 * formatted by the repository's pinned `forge fmt`). Steps go into data contracts of `STEPS_PER_CHUNK` steps each, so
 * no contract nears the 24 KB code-size limit.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "@cogfi/sdk/node";
import { z } from "zod";
import { canonicalJson, canonicalJsonPretty } from "../canonical.js";
import { SimulationError } from "../errors.js";
import { simulatePath, type TraceEvent } from "../engine/simulate.js";
import { resolveScenario, scenarioFileSchema } from "../scenario.js";

export const COUNTEREXAMPLE_KIND = "cogfi-sim/counterexample";
/** Where exported tests go (under the repository root); `npm run test:forge` runs them. */
export const GENERATED_DIR = "test/simulations/generated";
const STEPS_PER_CHUNK = 40;

export const counterexampleSchema = z
  .object({
    kind: z.literal(COUNTEREXAMPLE_KIND),
    /** PascalCase: the test's file and contract name start with it. */
    name: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
    /** The property that failed, in words. */
    property: z.string().min(1),
    /** fast-check's seed and shrunk path of the failure. */
    fcSeed: z.number().int(),
    fcPath: z.string(),
    /** The generated input as the property saw it (for the reader; the scenario below is what runs). */
    input: z.unknown(),
    scenario: scenarioFileSchema,
    /** The engine's seed and path. */
    seed: z.number().int().min(0),
    path: z.number().int().min(0),
  })
  .strict();
export type Counterexample = z.infer<typeof counterexampleSchema>;

/** The counterexample file's text (canonical JSON). */
export const counterexampleJson = (ce: Counterexample): string => canonicalJsonPretty(ce);

/** `<Name>_<seed>`, the seed's minus sign written `m` (file and contract names). */
export function exportStem(ce: Pick<Counterexample, "name" | "fcSeed">): string {
  return `${ce.name}_${ce.fcSeed < 0 ? `m${-ce.fcSeed}` : ce.fcSeed}`;
}

type Ev = TraceEvent & Record<string, unknown>;
const big = (v: unknown): bigint => BigInt(v as bigint | string);
const n = (v: unknown): string => big(v).toString();

/** Runs the engine on the counterexample and writes the forge test's source. */
export async function forgeTestSource(input: unknown): Promise<{ stem: string; source: string; badDebt: bigint; badDebtRealized: bigint }> {
  const parsed = counterexampleSchema.safeParse(input);
  if (!parsed.success) throw new SimulationError(`export-forge: not a counterexample: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const ce = parsed.data;
  const scenario = resolveScenario(ce.scenario, {});
  if (scenario.params.models !== 1) throw new SimulationError(`export-forge: ${scenario.params.models} models; the forge test replays one`);
  const { result, events } = await simulatePath(scenario, ce.seed, ce.path, { record: true });
  const evs = events as Ev[];
  const setup = evs.find((e) => e.kind === "setup");
  if (!setup) throw new SimulationError("export-forge: the engine recorded no setup");
  const unsupported = evs.find((e) => e.kind === "liquidityDrain" || (e.kind === "state" && big(e.revenueRepaid) !== 0n));
  if (unsupported) throw new SimulationError(`export-forge: step ${unsupported.step} has ${unsupported.kind === "state" ? "revenue repaying debt" : "an LP drain"}, which the forge test does not replay`);
  const pool = setup.pool as Record<string, unknown>;
  const market = setup.market as Record<string, unknown>;
  const positions = setup.positions as Record<string, unknown>[];
  const stem = exportStem(ce);

  const steps = evs
    .filter((e) => e.kind === "state")
    .map((state) => {
      const swap = evs.find((e) => e.kind === "swap" && e.step === state.step);
      const m = state.market as Record<string, unknown>;
      const sellShares = swap !== undefined && big(swap.shareIn) > 0n;
      const arb = swap === undefined ? 0 : sellShares ? 2 : 1;
      return [
        state.step,
        arb,
        swap ? n(sellShares ? swap.shareIn : swap.usdIn) : "0",
        swap ? n(swap.sqrtPriceLimitX96) : "0",
        swap ? n(sellShares ? swap.usdOut : swap.shareOut) : "0",
        n(state.oraclePrice),
        n((state.pool as Record<string, unknown>).sqrtPriceX96),
        n(m.totalSupplyAssets),
        n(m.totalBorrowAssets),
      ].join(", ");
    });
  const lastState = evs.filter((e) => e.kind === "state").at(-1)!;
  const liquidations = evs
    .filter((e) => e.kind === "liquidation")
    .map((l) => [l.step, l.borrower, l.by === "repaidShares", n(l.by === "repaidShares" ? l.repaidShares : l.seized), n(l.seized), n(l.repaid), n(l.badDebt), n(l.proceeds)].join(", "));

  const chunks: string[][] = [];
  for (let i = 0; i < steps.length; i += STEPS_PER_CHUNK) chunks.push(steps.slice(i, i + STEPS_PER_CHUNK));
  const unrealized = result.badDebt - result.badDebtRealized;
  const gasUnits = BigInt(Math.round(Math.min(...scenario.params.liquidators.map((l) => l.gasUsd)) * 1e6));
  const source = `// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

// Generated by \`cogfi-sim export-forge ${GENERATED_DIR}/${stem}.json\` from the counterexample beside it: do not edit.
// Property: ${ce.property}
// fast-check seed ${ce.fcSeed}, path ${ce.fcPath}; engine seed ${ce.seed}, path ${ce.path}; input ${canonicalJson(ce.input)}

import {
    SimLiquidation,
    SimPosition,
    SimSetup,
    SimStep,
    SimulationReplayBase
} from "../SimulationReplayBase.sol";

${chunks
  .map(
    (chunk, c) => `/// @notice Steps ${c * STEPS_PER_CHUNK} to ${c * STEPS_PER_CHUNK + chunk.length - 1} of the engine's path.
contract ${stem}Steps${c} {
    function steps() external pure returns (SimStep[] memory s) {
        s = new SimStep[](${chunk.length});
${chunk.map((row, i) => `        s[${i}] = SimStep(${row});`).join("\n")}
    }
}
`,
  )
  .join("\n")}
/// @notice The engine's bad debt (${result.badDebt} units: ${result.badDebtRealized} realized by liquidations, ${unrealized} left at
/// the horizon) occurs on chain.
contract ${stem}Test is SimulationReplayBase {
    function setUp() public override {
        super.setUp();
        SimPosition[] memory positions = new SimPosition[](${positions.length});
${positions.map((p, i) => `        positions[${i}] = SimPosition(${n(p.collateral)}, ${n(p.debt)}, ${n(p.borrowShares)});`).join("\n")}
        _setUpSimulation(
            SimSetup(${n(market.lltv)}, ${n(market.borrowRatePerSecond)}, ${pool.fee}, ${n(pool.sqrtPriceX96)}, ${n(pool.liquidity)}, ${n(setup.oraclePrice)}, ${n(market.supplied)}, ${scenario.params.stepSeconds}),
            positions
        );
    }

    function test_replaysTheEnginesBadDebt() public {
        SimLiquidation[] memory liquidations = new SimLiquidation[](${liquidations.length});
${liquidations.map((row, i) => `        liquidations[${i}] = SimLiquidation(${row});`).join("\n")}
${chunks.map((_, c) => `        _replay(new ${stem}Steps${c}().steps(), liquidations);`).join("\n")}
        assertEq(simBadDebtRealized, ${result.badDebtRealized}, "bad debt realized by liquidations");
        assertEq(_unrealizedBadDebt(${n(lastState.externalPrice)}), ${unrealized}, "debt above the collateral's value at the horizon");
        assertGt(simBadDebtRealized + ${unrealized}, 0, "the engine's bad debt");${
          unrealized > 0n
            ? `
        // The liquidation the engine's liquidators declined (the cheapest pays ${gasUnits} units of gas): seizing
        // everything left realizes the bad debt on chain.
        assertGt(_liquidateAllAtHorizon(${gasUnits}), 0, "seizing the underwater collateral realizes bad debt");`
            : ""
        }
    }
}
`;
  return { stem, source: formatSolidity(source), badDebt: result.badDebt, badDebtRealized: result.badDebtRealized };
}

/** Writes `<dir>/<stem>.t.sol` and the counterexample's canonical JSON `<dir>/<stem>.json`; returns both paths. */
export async function writeForgeTest(input: unknown, dir: string): Promise<{ test: string; counterexample: string; badDebt: string }> {
  const { stem, source, badDebt } = await forgeTestSource(input);
  mkdirSync(dir, { recursive: true });
  const test = join(dir, `${stem}.t.sol`);
  const counterexample = join(dir, `${stem}.json`);
  writeFileSync(test, source);
  writeFileSync(counterexample, counterexampleJson(counterexampleSchema.parse(input)));
  return { test, counterexample, badDebt: badDebt.toString() };
}

/** The repository's `forge fmt` (foundry.toml's [fmt]) on a source text. */
function formatSolidity(source: string): string {
  try {
    return execFileSync(process.execPath, [resolve(REPO_ROOT, "tools/foundry.mjs"), "forge", "fmt", "--raw", "-"], { cwd: REPO_ROOT, input: source, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  } catch (cause) {
    throw new SimulationError(`export-forge: forge fmt failed on the generated source: ${(cause as { stderr?: string }).stderr ?? cause}`, { cause });
  }
}
