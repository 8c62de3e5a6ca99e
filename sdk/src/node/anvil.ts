import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Repository root (the folder holding foundry.toml). */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../../../", import.meta.url)));

/**
 * anvil's well-known development keys (mnemonic "test test ... junk"), public by design: local chains only.
 * Index 0 deploys the suite.
 */
export const ANVIL_PRIVATE_KEYS = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
] as const satisfies readonly `0x${string}`[];

export type AnvilOptions = {
  /** Port to listen on; a free one is picked when omitted. */
  port?: number;
  /** Seconds between automatic blocks; omitted = a block per transaction. */
  blockTime?: number;
  /** Genesis timestamp, for deterministic runs. */
  timestamp?: bigint;
  /** Extra command-line flags. */
  args?: string[];
  /**
   * A file to keep the chain in: loaded at start when it exists, written every `stateIntervalSeconds` and when the
   * node stops, so a restart resumes the same chain.
   */
  statePath?: string;
  /** Seconds between state writes (with `statePath`); default 2. */
  stateIntervalSeconds?: number;
};

/**
 * util-linux's `setpriv --pdeathsig`: the kernel sends anvil SIGTERM when the process that started it dies, even by
 * SIGKILL, so no node outlives its owner (anvil writes its state on SIGTERM). Absent on non-Linux hosts.
 */
const SETPRIV = "/usr/bin/setpriv";

/** Thrown when the port anvil should listen on is taken (often an anvil left by an earlier run). */
export class AnvilPortInUseError extends Error {
  override name = "AnvilPortInUseError";
}

export type AnvilInstance = {
  rpcUrl: string;
  port: number;
  process: ChildProcess;
  /** Stops the node and waits for it to exit. */
  stop(): Promise<void>;
};

/** Finds a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * The anvil binary of the npm platform package. Not `node_modules/.bin/anvil`: that is a Node wrapper, and a signal to
 * it (the parent-death one included) would leave the real node running.
 */
function anvilBinary(): string {
  const arch = ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch] ?? process.arch;
  try {
    const manifest = createRequire(import.meta.url).resolve(`@foundry-rs/anvil-${process.platform}-${arch}/package.json`);
    return resolve(dirname(manifest), "bin", "anvil");
  } catch (cause) {
    throw new Error(`no anvil binary for ${process.platform}-${arch}: run npm install`, { cause });
  }
}

/** Whether nothing listens on `port` on loopback. */
async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once("error", () => resolveFree(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolveFree(true)));
  });
}

/** Sends one JSON-RPC request with fetch. */
export async function rpc<T = unknown>(rpcUrl: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(rpcUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/**
 * Starts the npm-installed anvil on loopback and resolves once it answers JSON-RPC.
 * @example
 * const anvil = await startAnvil();
 * // ... use anvil.rpcUrl
 * await anvil.stop();
 */
export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilInstance> {
  const port = options.port ?? (await freePort());
  const rpcUrl = `http://127.0.0.1:${port}`;
  // Never attach to (or fight for) a node this call did not start.
  const occupant = await rpc<string>(rpcUrl, "eth_chainId").then(
    (chainId) => `a JSON-RPC node (chain ${BigInt(chainId)})`,
    () => undefined,
  );
  if (occupant !== undefined || !(await portIsFree(port))) {
    throw new AnvilPortInUseError(
      `port ${port} is in use${occupant ? ` by ${occupant}` : ""}: stop what runs there (an anvil left by an earlier ` +
        "run?) or choose another port",
    );
  }
  const args = ["--host", "127.0.0.1", "--port", String(port), "--silent", "--chain-id", "31337"];
  if (options.statePath !== undefined) {
    args.push("--state", options.statePath, "--state-interval", String(options.stateIntervalSeconds ?? 2));
  }
  if (options.blockTime !== undefined) args.push("--block-time", String(options.blockTime));
  if (options.timestamp !== undefined) args.push("--timestamp", options.timestamp.toString());
  args.push(...(options.args ?? []));
  const anvilBin = anvilBinary();
  const [command, commandArgs] = existsSync(SETPRIV)
    ? [SETPRIV, ["--pdeathsig", "SIGTERM", "--", anvilBin, ...args]]
    : [anvilBin, args];
  const child = spawn(command, commandArgs, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      await rpc(rpcUrl, "eth_chainId");
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`anvil did not answer on ${rpcUrl} within 20 s: ${stderr.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    rpcUrl,
    port,
    process: child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
