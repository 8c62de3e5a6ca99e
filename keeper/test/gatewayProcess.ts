/**
 * A real gateway (`gateway/src/main.ts`, simulated model backend) as a child process, for keeper tests that need the
 * receipts a gateway signs and serves: started on a fresh data folder, registered on chain with its own dev enclave.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { BatchJson, Deployment } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT } from "@cogfi/sdk/node";

export type GatewayProcess = {
  url: string;
  child: ChildProcess;
  /** Waits until every receipt is signed, then reads every batch the gateway serves. */
  batches(timeoutMs?: number): Promise<BatchJson[]>;
  stop(): Promise<void>;
};

/** Writes `deployment` as `<dir>/31337.json` (the gateway and the keeper read addresses from there). */
export function deploymentsDirFor(deployment: Deployment): string {
  const dir = mkdtempSync(join(tmpdir(), "cogfi-deployments-"));
  writeFileSync(join(dir, `${deployment.chainId}.json`), JSON.stringify(deployment));
  return dir;
}

export async function startGatewayProcess(parameters: { rpcUrl: string; deploymentsDir: string; env?: Record<string, string> }): Promise<GatewayProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "cogfi-gateway-"));
  // node itself (not the tsx wrapper), so a kill reaches the gateway.
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/src/main.ts", "--port", "0"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      COGFI_RPC_URL: parameters.rpcUrl,
      COGFI_CHAIN_ID: "31337",
      COGFI_DEPLOYMENTS_DIR: parameters.deploymentsDir,
      COGFI_GATEWAY_DATA_DIR: dataDir,
      COGFI_GATEWAY_HEAD_MAX_AGE_MS: "100",
      COGFI_GATEWAY_BATCH_MAX_DELAY_MS: "300",
      COGFI_GATEWAY_REGISTRAR_KEY: ANVIL_PRIVATE_KEYS[0],
      COGFI_LOG_LEVEL: "info",
      ...parameters.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in 60 s: ${stderr}`)), 60_000);
    child.once("exit", (code) => reject(new Error(`the gateway exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("{")) return;
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === "gateway listening" && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
  return {
    url,
    child,
    async batches(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let pending = -1;
      while (Date.now() < deadline) {
        pending = ((await (await fetch(`${url}/health`)).json()) as { receiptsPending: number }).receiptsPending;
        if (pending === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      if (pending !== 0) throw new Error(`${pending} receipts still waiting to be signed after ${timeoutMs} ms`);
      const batches: BatchJson[] = [];
      let cursor = "-1";
      for (;;) {
        const page = (await (await fetch(`${url}/v1/receipts?after=${cursor}&limit=500`)).json()) as { data: BatchJson[]; next_cursor: string; has_more: boolean };
        batches.push(...page.data);
        cursor = page.next_cursor;
        if (!page.has_more) return batches;
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
