/**
 * A JSON-RPC fault proxy for tests: an HTTP server in front of a node (anvil) that fails a seeded share of the calls
 * and delays the others, so a client meets what a flaky provider does to it:
 *
 * - `http502`: a bare 502 Bad Gateway (half the time after the node has already received the call, so a transaction
 *   may be in the pool although the client saw an error);
 * - `timeout`: no answer for `hangMs`, then the connection is closed (forwarded first half the time, too);
 * - `rpc32603`: a JSON-RPC error `-32603 Internal error`, the call never forwarded.
 *
 * Every decision comes from one seeded generator (mulberry32) in arrival order, so a seed names a fault schedule; the
 * seed and the tally are in `describe()` for a failing test's message. Concurrency makes the arrival order, and so
 * the exact schedule, vary a little between runs; the rates do not.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FaultKind = "http502" | "timeout" | "rpc32603";

export type RpcProxyOptions = {
  /** The node behind the proxy. */
  target: string;
  /** Seed of the fault schedule (printed by `describe()`); random when omitted. */
  seed?: number;
  /** Share of calls that fail (0..1). */
  failRate?: number;
  /** Calls that do not fail wait a uniform 0..maxDelayMs before they are forwarded. */
  maxDelayMs?: number;
  /** How long a `timeout` fault holds the connection before closing it. */
  hangMs?: number;
  /** Methods never failed nor delayed (e.g. `anvil_*` calls the test itself routes through the proxy). */
  exempt?: (method: string) => boolean;
  /** Methods always answered with a 502, never forwarded (a node that refuses every broadcast, say). */
  alwaysFail?: (method: string) => boolean;
};

export type RpcProxy = {
  url: string;
  seed: number;
  /** Calls seen, forwarded, and failed by kind. */
  stats(): { calls: number; forwarded: number; faults: Record<FaultKind, number>; delayedMs: number };
  /** Changes the share of failing calls from now on (0 turns faults off). */
  setFailRate(rate: number): void;
  /** "seed=…, failRate=…, calls=…, faults=…": for failure messages. */
  describe(): string;
  stop(): Promise<void>;
};

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function startRpcProxy(options: RpcProxyOptions): Promise<RpcProxy> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  let failRate = options.failRate ?? 0.3;
  const maxDelayMs = options.maxDelayMs ?? 300;
  const hangMs = options.hangMs ?? 2_000;
  const counts = { calls: 0, forwarded: 0, faults: { http502: 0, timeout: 0, rpc32603: 0 } as Record<FaultKind, number>, delayedMs: 0 };
  const hanging = new Set<NodeJS.Timeout>();

  const forward = async (body: string): Promise<{ status: number; text: string }> => {
    counts.forwarded++;
    const response = await fetch(options.target, { method: "POST", headers: { "content-type": "application/json" }, body });
    return { status: response.status, text: await response.text() };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let parsed: { id?: unknown; method?: string } | Array<{ id?: unknown; method?: string }>;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      res.writeHead(400).end("not JSON");
      return;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    counts.calls += calls.length;
    if (calls.some((call) => options.alwaysFail?.(call.method ?? ""))) {
      counts.faults.http502++;
      res.writeHead(502, { "content-type": "text/plain" }).end("Bad Gateway (fault proxy, always)");
      return;
    }
    const exempt = calls.every((call) => options.exempt?.(call.method ?? "") ?? false);
    // Three draws per call, always, so a seed's schedule does not depend on which branch was taken.
    const [fails, which, afterForward] = [random(), random(), random()];
    const delayMs = Math.floor(random() * maxDelayMs);
    if (exempt || fails >= failRate) {
      if (!exempt) {
        counts.delayedMs += delayMs;
        await new Promise((r) => setTimeout(r, delayMs));
      }
      const { status, text } = await forward(body);
      res.writeHead(status, { "content-type": "application/json" }).end(text);
      return;
    }
    const kind: FaultKind = which < 1 / 3 ? "http502" : which < 2 / 3 ? "timeout" : "rpc32603";
    counts.faults[kind]++;
    if (kind === "rpc32603") {
      const error = (call: { id?: unknown }) => ({ jsonrpc: "2.0", id: call.id ?? null, error: { code: -32603, message: "Internal error (fault proxy)" } });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(Array.isArray(parsed) ? calls.map(error) : error(calls[0]!)));
      return;
    }
    // The node may get the call although its answer is lost on the way back.
    if (afterForward < 0.5) await forward(body).catch(() => undefined);
    if (kind === "http502") {
      res.writeHead(502, { "content-type": "text/plain" }).end("Bad Gateway (fault proxy)");
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        hanging.delete(timer);
        resolve();
      }, hangMs);
      hanging.add(timer);
    });
    req.socket.destroy();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The node behind is gone (the test is ending): answer as a broken proxy would.
      if (!res.headersSent) res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: RpcProxy = {
    url: `http://127.0.0.1:${port}`,
    seed,
    stats: () => ({ ...counts, faults: { ...counts.faults } }),
    setFailRate(rate) {
      failRate = rate;
    },
    describe() {
      const { calls, forwarded, faults, delayedMs } = proxy.stats();
      return `rpc proxy seed=${seed} failRate=${failRate} calls=${calls} forwarded=${forwarded} faults=${JSON.stringify(faults)} delayedMs=${delayedMs}`;
    },
    async stop() {
      for (const timer of hanging) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
