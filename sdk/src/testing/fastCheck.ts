/**
 * Seeds for the fast-check properties of the test suites, in one place.
 *
 * - `npm test`: every property runs with a seed fixed by its test (file and name), so the gate does not depend on
 *   the inputs a run happens to draw: a property that passes on a commit passes on every run of that commit.
 * - `FC_SEED=<int>` runs the properties with that seed instead (`FC_PATH=<path>` as well goes straight to a
 *   shrunk counterexample); narrow the run to the test with `-t` since the seed applies to every property that runs.
 * - `FC_EXPLORE=1` (`npm run test:explore`): fresh random seeds and `FC_RUNS_FACTOR` (default 10) times the runs,
 *   to look for new counterexamples; a failure found there is kept as a regression case (pinned `seed`, `examples`).
 *
 * A failure names the seed, the path and the command that replays it.
 * @example
 * fc.assert(fc.property(fc.nat(), (n) => n >= 0), fcParams({ numRuns: 200 }));
 */
import { randomInt } from "node:crypto";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import fc, { type Parameters, type RunDetails } from "fast-check";
import { expect } from "vitest";

/** The repository root: seeds are fixed by test paths relative to it, wherever vitest runs from. */
const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** fast-check's default number of runs. */
const DEFAULT_RUNS = 100;

/** Thrown for an FC_* variable that cannot be used. */
export class PropertySeedError extends Error {
  override name = "PropertySeedError";
}

/** What the FC_* environment variables ask for. */
export type PropertyMode = { seed?: number; path?: string; explore: boolean; runsFactor: number };

export function propertyMode(env: Record<string, string | undefined> = process.env): PropertyMode {
  const explore = env.FC_EXPLORE !== undefined && env.FC_EXPLORE !== "" && env.FC_EXPLORE !== "0";
  const mode: PropertyMode = { explore, runsFactor: explore ? integer(env, "FC_RUNS_FACTOR", 1) ?? 10 : 1 };
  const seed = integer(env, "FC_SEED", -(2 ** 31));
  if (seed !== undefined) mode.seed = seed;
  if (env.FC_PATH) {
    if (seed === undefined) throw new PropertySeedError("FC_PATH replays a path of FC_SEED's run: set FC_SEED too");
    if (!/^\d+(:\d+)*$/.test(env.FC_PATH)) throw new PropertySeedError(`FC_PATH=${env.FC_PATH} is not a fast-check path (like 17:1:5)`);
    mode.path = env.FC_PATH;
  }
  return mode;
}

function integer(env: Record<string, string | undefined>, name: string, min: number): number | undefined {
  const text = env[name];
  if (text === undefined || text === "") return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value >= 2 ** 31) {
    throw new PropertySeedError(`${name}=${text} is not an integer in [${min}, 2^31)`);
  }
  return value;
}

/** The fixed seed of a property: FNV-1a of its label, as a signed 32-bit integer. */
export function seedOf(label: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(label)) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}

/**
 * The parameters of a property run in the current vitest test: `params` with the seed and number of runs the
 * FC_* variables ask for and a reporter that prints how to replay a failure. A `seed` in `params` is pinned (a
 * regression case): it runs whatever the variables say.
 */
export function fcParams<Ts>(params: Parameters<Ts> = {}, env: Record<string, string | undefined> = process.env): Parameters<Ts> {
  const { currentTestName, testPath } = expect.getState();
  if (!currentTestName || !testPath) throw new PropertySeedError("fcParams is for properties run inside a vitest test");
  const file = relative(process.cwd(), testPath);
  const mode = propertyMode(env);
  const pinned = params.seed !== undefined;
  const fixed = () => seedOf(`${relative(REPO_ROOT, testPath)} > ${currentTestName}`);
  const seed = pinned ? params.seed! : (mode.seed ?? (mode.explore ? randomInt(-(2 ** 31), 2 ** 31) : fixed()));
  const path = pinned ? params.path : (mode.path ?? params.path);
  return {
    ...params,
    seed,
    ...(path === undefined ? {} : { path }),
    numRuns: Math.ceil((params.numRuns ?? DEFAULT_RUNS) * mode.runsFactor),
    reporter: (details: RunDetails<Ts>) => {
      if (!details.failed) return;
      const replay = [`FC_SEED=${details.seed}`];
      if (details.counterexamplePath !== null) replay.push(`FC_PATH=${details.counterexamplePath}`);
      if (mode.explore) replay.push(`FC_EXPLORE=1`, `FC_RUNS_FACTOR=${mode.runsFactor}`);
      const how = pinned
        ? `(seed ${details.seed} is pinned in the test)`
        : `replay: ${replay.join(" ")} npx vitest run ${file} -t ${shellQuote(escapeRegExp(currentTestName.split(" > ").at(-1)!))}`;
      throw new Error(`${fc.defaultReportMessage(details) ?? "property failed"}\n\n${how}`, { cause: details.errorInstance });
    },
  };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const shellQuote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
