import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { REPO_ROOT } from "@cogfi/sdk/node";

const CLI = resolve(REPO_ROOT, "keeper/bin/cogfi-keeper.mjs");

/** The `cogfi-keeper` processes a test file started, so that its `afterAll` can kill what is left. */
export class KeeperProcesses {
  private readonly children = new Set<ChildProcess>();

  /**
   * Starts `cogfi-keeper <args>` with `env` on top of this process's; resolves with the process and its HTTP API's
   * URL once it logs "keeper started", fails with its output if it exits first or does not start in `timeoutMs`.
   */
  start(args: readonly string[], env: Record<string, string>, timeoutMs = 60_000): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    this.children.add(child);
    return new Promise((done, fail) => {
      let output = "";
      const timer = setTimeout(() => fail(new Error(`the keeper did not start in ${timeoutMs} ms:\n${output}`)), timeoutMs);
      child.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const started = output.split("\n").find((line) => line.includes('"keeper started"'));
        if (started) {
          clearTimeout(timer);
          done({ child, url: (JSON.parse(started) as { url: string }).url });
        }
      });
      child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.once("exit", (code) => {
        clearTimeout(timer);
        fail(new Error(`the keeper exited with ${code}:\n${output}`));
      });
    });
  }

  /** `kill -9`: resolves once the process is gone. */
  kill9(child: ChildProcess): Promise<void> {
    return new Promise((done) => {
      child.removeAllListeners("exit");
      child.once("exit", () => {
        this.children.delete(child);
        done();
      });
      child.kill("SIGKILL");
    });
  }

  killAll(): void {
    for (const child of this.children) child.kill("SIGKILL");
  }
}
