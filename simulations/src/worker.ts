/** Worker thread: runs the path ranges the main thread sends (see `runRange`). */
import { parentPort } from "node:worker_threads";
import { runRangeInline, type WorkerReply, type WorkerTask } from "./run.js";
import { resolveScenario } from "./scenario.js";

if (!parentPort) throw new Error("worker.ts runs as a worker thread");
const port = parentPort;
port.on("message", async (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    const scenario = resolveScenario(task.file, task.overrides);
    reply = { ok: true, from: task.from, out: await runRangeInline(scenario, task.seed, task.from, task.to, { trace: task.trace }) };
  } catch (error) {
    reply = { ok: false, from: task.from, error: error instanceof Error ? `${error.message}\n${error.stack}` : String(error) };
  }
  port.postMessage(reply);
});
