/**
 * The risk simulation's child process: receives one run (scenario name, overrides, seed) over IPC, runs it with the
 * simulations package's programmatic API, and sends back the results and their HTML report. A separate process, so
 * the CPU-bound paths never block the keeper's event loop (its other jobs and its HTTP API keep answering).
 */
import { loadScenarioFile, manifestOf, renderHtml, resultsOf, runRange, type Results } from "@cogfi/simulations";

export type RiskRunRequest = { scenario: string; overrides: Record<string, unknown>; seed: number };
export type RiskRunReply = { ok: true; results: Results; html: string } | { ok: false; error: string };

async function run(request: RiskRunRequest): Promise<RiskRunReply> {
  const file = loadScenarioFile(request.scenario);
  const input = { file, overrides: request.overrides, seed: request.seed };
  const { manifest } = manifestOf(input);
  const out = await runRange(input, 0, manifest.paths, { trace: false });
  const results = resultsOf(manifest, out.results);
  return { ok: true, results, html: await renderHtml([results]) };
}

process.once("message", (request: RiskRunRequest) => {
  run(request)
    .catch((error: unknown): RiskRunReply => ({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    // bigints (on-chain amounts in the results) travel as decimal strings; the parent reads the JSON as is.
    .then((reply) => process.send!(JSON.stringify(reply, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)), () => process.exit(0)));
});
