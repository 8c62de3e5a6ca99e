/**
 * The keeper's RPC transport over the fault proxy: failover to the next endpoint on transport faults (counted), no
 * failover on the node's own answers, and the proxy's seeded schedule.
 */
import { createPublicClient, type PublicClient } from "viem";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAnvil, type AnvilInstance } from "@cogfi/sdk/node";
import { createKeeperMetrics } from "../src/metrics.js";
import { isTransportFault, keeperTransport, rpcFailureKind } from "../src/rpc.js";
import { seededRandom, startRpcProxy, type RpcProxy } from "./rpcProxy.js";

let anvil: AnvilInstance;
const proxies: RpcProxy[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  for (const proxy of proxies) await proxy.stop();
  await anvil?.stop();
});

async function proxy(seed: number, failRate: number): Promise<RpcProxy> {
  const started = await startRpcProxy({ target: anvil.rpcUrl, seed, failRate, maxDelayMs: 5, hangMs: 600 });
  proxies.push(started);
  return started;
}

async function sample(metrics: ReturnType<typeof createKeeperMetrics>, name: "rpcErrors" | "rpcFailovers"): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  return (await metrics[name].get()).values.map(({ labels, value }) => ({ labels: labels as Record<string, string | number>, value }));
}

describe("keeper RPC transport", () => {
  test("every call fails over from an endpoint that always fails to the next one, and each failover is counted", async () => {
    const broken = await proxy(1, 1);
    const metrics = createKeeperMetrics();
    const client = createPublicClient({ chain: foundry, transport: keeperTransport([broken.url, anvil.rpcUrl], metrics, { timeoutMs: 300, retryCount: 0, retryDelayMs: 0 }) }) as PublicClient;
    const head = await createPublicClient({ chain: foundry, transport: keeperTransportDirect() }).getBlockNumber();
    for (let i = 0; i < 24; i++) expect(await client.getBlockNumber({ cacheTime: 0 })).toBe(head);
    const failovers = await sample(metrics, "rpcFailovers");
    expect(failovers).toEqual([{ labels: { to: new URL(anvil.rpcUrl).origin }, value: 24 }]);
    const errors = await sample(metrics, "rpcErrors");
    expect(errors.reduce((sum, row) => sum + row.value, 0)).toBe(24);
    expect(errors.every((row) => row.labels.endpoint === new URL(broken.url).origin && row.labels.method === "eth_blockNumber")).toBe(true);
    const kinds = Object.fromEntries(errors.map((row) => [row.labels.kind, row.value])) as Record<string, number | undefined>;
    const { faults } = broken.stats();
    expect(Object.keys(kinds).every((kind) => ["http_502", "timeout", "rpc_-32603"].includes(kind)), JSON.stringify(kinds)).toBe(true);
    // A 502 the proxy sends after forwarding can come after the client's timeout on a loaded machine: compare in sum.
    expect(kinds["rpc_-32603"] ?? 0).toBe(faults.rpc32603);
    expect((kinds.http_502 ?? 0) + (kinds.timeout ?? 0)).toBe(faults.http502 + faults.timeout);
  });

  test("the node's own answer (a revert, a bad parameter) is thrown at once, not failed over", async () => {
    const metrics = createKeeperMetrics();
    const client = createPublicClient({ chain: foundry, transport: keeperTransport([anvil.rpcUrl, anvil.rpcUrl], metrics, { timeoutMs: 1_000, retryCount: 2, retryDelayMs: 0 }) }) as PublicClient;
    // Init code that reverts (PUSH1 0 PUSH1 0 REVERT), run as a call.
    const error = await client.call({ data: "0x60006000fd" }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(isTransportFault(error)).toBe(false);
    expect(await sample(metrics, "rpcFailovers")).toEqual([]);
    const errors = await sample(metrics, "rpcErrors");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.value).toBe(1);
    expect(rpcFailureKind(error)).toBe(errors[0]!.labels.kind);
  });

  test("the proxy's schedule is the seed's: the same seed fails the same calls, about 30% of them", async () => {
    const outcomes = async (seed: number) => {
      const started = await proxy(seed, 0.3);
      const results: string[] = [];
      for (let i = 0; i < 60; i++) {
        const response = await fetch(started.url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_chainId", params: [] }),
        }).catch(() => undefined);
        const text = response ? await response.text().catch(() => "cut") : "cut";
        results.push(response === undefined || text === "cut" ? "timeout" : response.status !== 200 ? `http_${response.status}` : text.includes("-32603") ? "rpc_-32603" : "ok");
      }
      await started.stop();
      return { results, stats: started.stats() };
    };
    const first = await outcomes(42);
    const again = await outcomes(42);
    expect(again.results).toEqual(first.results);
    const failed = first.results.filter((result) => result !== "ok").length;
    expect(failed).toBe(first.stats.faults.http502 + first.stats.faults.timeout + first.stats.faults.rpc32603);
    expect(failed).toBeGreaterThanOrEqual(8);
    expect(failed).toBeLessThanOrEqual(30);
    // The generator itself: uniform enough, and a function of the seed.
    const draws = Array.from({ length: 10_000 }, seededRandom(7));
    expect(draws.filter((draw) => draw < 0.3).length / draws.length).toBeCloseTo(0.3, 1);
    expect(Array.from({ length: 5 }, seededRandom(7))).toEqual(draws.slice(0, 5));
  });
});

function keeperTransportDirect() {
  return keeperTransport([anvil.rpcUrl], createKeeperMetrics(), { timeoutMs: 1_000, retryCount: 0, retryDelayMs: 0 });
}
