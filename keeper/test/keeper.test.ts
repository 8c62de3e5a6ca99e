import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ANVIL_PRIVATE_KEYS, TEST_STATE_DIR, startTestChain, type TestChain } from "@cogfi/sdk/node";
import { KeeperConfigError, parseKeeperConfig, startKeeper, type Job, type RunningKeeper } from "../src/index.js";

let chain: TestChain;
let keeper: RunningKeeper;
const passes: number[] = [];
let concurrent = 0;
let maxConcurrent = 0;

/** A job that records its passes, fails every third one, and overlaps itself if the runner lets it. */
const probeJob: Job = {
  name: "probe",
  intervalMs: 5,
  async run() {
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    passes.push(Date.now());
    await new Promise((r) => setTimeout(r, 10));
    concurrent--;
    if (passes.length % 3 === 0) throw new Error("probe failure");
  },
};

beforeAll(async () => {
  chain = await startTestChain();
  keeper = await startKeeper(
    { rpcUrl: chain.rpcUrl, chainId: 31337, privateKey: ANVIL_PRIVATE_KEYS[9], deploymentsDir: TEST_STATE_DIR, httpPort: 0, logLevel: "silent" },
    { jobs: () => [probeJob] },
  );
});
afterAll(async () => {
  await keeper.stop();
  await chain.stop();
});

describe("keeper service", () => {
  test("serves health, Prometheus metrics and job status", async () => {
    await new Promise((r) => setTimeout(r, 200));
    const health = (await (await fetch(`${keeper.url}/health`)).json()) as Record<string, unknown> & { lastBlock: { number: string; ageSeconds: number } };
    expect(health).toMatchObject({ status: "ok", gateways: {}, oldestUnsettledReceiptAgeSeconds: null });
    expect(BigInt(health.lastBlock.number)).toBe(await chain.reader.publicClient.getBlockNumber({ cacheTime: 0 }));
    expect(BigInt(health.balanceWei as string)).toBeGreaterThan(0n);

    const metrics = await (await fetch(`${keeper.url}/metrics`)).text();
    // A real parser of the text exposition format reads every family, with its type and samples.
    const families = new Map(parsePrometheusTextFormat(metrics).map((family) => [family.name, family]));
    expect(families.get("cogfi_keeper_job_runs_total")).toMatchObject({ type: "COUNTER" });
    expect(families.get("cogfi_keeper_job_runs_total")!.metrics).toContainEqual(expect.objectContaining({ labels: { job: "probe", outcome: "ok" } }));
    const durations = families.get("cogfi_keeper_job_duration_seconds")!;
    expect(durations.type).toBe("HISTOGRAM");
    // The +Inf bucket counts every pass.
    expect(Number(durations.metrics[0]!.buckets!["+Inf"])).toBeGreaterThanOrEqual(3);
    for (const name of ["cogfi_keeper_transactions_total", "cogfi_keeper_liquidations_total", "cogfi_keeper_receipts_settled_total"]) {
      expect(families.get(name)?.type).toBe("COUNTER");
    }
    expect(metrics).toMatch(/cogfi_keeper_job_runs_total\{job="probe",outcome="ok"\} \d+/);
    expect(metrics).toMatch(/cogfi_keeper_job_runs_total\{job="probe",outcome="error"\} \d+/);

    const status = (await (await fetch(`${keeper.url}/status`)).json()) as { chainId: number; jobs: Array<{ name: string; runs: number; failures: number }> };
    expect(status.chainId).toBe(31337);
    const probe = status.jobs.find((job) => job.name === "probe");
    expect(probe?.runs).toBeGreaterThanOrEqual(3);
    expect(probe?.failures).toBeGreaterThanOrEqual(1);
  });

  test("a failing pass does not stop the job, and passes of one job never overlap", () => {
    expect(passes.length).toBeGreaterThan(3);
    expect(maxConcurrent).toBe(1);
  });

  test("unknown routes answer 404 with the service kit's JSON error", async () => {
    const response = await fetch(`${keeper.url}/nope`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { type: "not_found", message: "Unknown endpoint: GET /nope" } });
  });

  test("is ready while running, with a request id on every answer", async () => {
    const response = await fetch(`${keeper.url}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ready" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("keeper RPC failover", () => {
  test("with its first RPC down, the keeper reads and sends through the next one", async () => {
    const blocks: bigint[] = [];
    const reader: Job = {
      name: "reader",
      intervalMs: 10,
      async run(context) {
        blocks.push(await context.client.publicClient.getBlockNumber({ cacheTime: 0 }));
      },
    };
    const failover = await startKeeper(
      {
        rpcUrl: "http://127.0.0.1:9",
        fallbackRpcUrls: [chain.rpcUrl],
        chainId: 31337,
        privateKey: ANVIL_PRIVATE_KEYS[8],
        deploymentsDir: TEST_STATE_DIR,
        httpPort: 0,
        logLevel: "silent",
      },
      { jobs: () => [reader], serve: false },
    );
    try {
      await failover.runner.runOnce("reader");
      expect(failover.runner.status()[0]).toMatchObject({ runs: 1, failures: 0 });
      expect(blocks).toHaveLength(1);
    } finally {
      await failover.stop();
    }
  });
});

describe("keeper health", () => {
  test("a gateway that does not answer makes the keeper degraded, not down; no chain makes it down (503)", async () => {
    const noGateway = await startKeeper(
      {
        rpcUrl: chain.rpcUrl,
        chainId: 31337,
        privateKey: ANVIL_PRIVATE_KEYS[7],
        deploymentsDir: TEST_STATE_DIR,
        httpPort: 0,
        gatewayUrls: ["http://127.0.0.1:9"],
        logLevel: "silent",
      },
      { jobs: () => [] },
    );
    const noChain = await startKeeper(
      { rpcUrl: "http://127.0.0.1:9", chainId: 31337, privateKey: ANVIL_PRIVATE_KEYS[7], deploymentsDir: TEST_STATE_DIR, httpPort: 0, logLevel: "silent" },
      { jobs: () => [] },
    );
    try {
      const degraded = await fetch(`${noGateway.url}/health`);
      expect(degraded.status).toBe(200);
      expect(await degraded.json()).toMatchObject({ status: "degraded", gateways: { "http://127.0.0.1:9": { reachable: false } } });
      const down = await fetch(`${noChain.url}/health`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ status: "down", error: expect.stringMatching(/the chain cannot be read/) });
    } finally {
      await noGateway.stop();
      await noChain.stop();
    }
  });
});

describe("keeper config", () => {
  test("lists every invalid field and never echoes the key", () => {
    let error: unknown;
    try {
      parseKeeperConfig({ rpcUrl: "not a url", chainId: -1, privateKey: "0x1234", httpPort: 70_000 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeeperConfigError);
    const message = (error as Error).message;
    for (const field of ["rpcUrl", "chainId", "privateKey", "httpPort"]) expect(message).toContain(field);
    expect(message).not.toContain("0x1234");
  });

  test("rejects unknown fields", () => {
    expect(() => parseKeeperConfig({ rpcUrl: "http://127.0.0.1:8545", chainId: 1, privateKey: ANVIL_PRIVATE_KEYS[0], typo: 1 })).toThrow(
      /Unrecognized key/,
    );
  });

  test("the finality depth defaults to 64 blocks and may not be shallower than the confirmations", () => {
    const base = { rpcUrl: "http://127.0.0.1:8545", chainId: 1, privateKey: ANVIL_PRIVATE_KEYS[0] };
    expect(parseKeeperConfig(base).tx).toMatchObject({ confirmations: 1, finalityDepth: 64 });
    expect(parseKeeperConfig({ ...base, tx: { confirmations: 12, finalityDepth: 12 } }).tx.finalityDepth).toBe(12);
    expect(() => parseKeeperConfig({ ...base, tx: { confirmations: 12, finalityDepth: 6 } })).toThrow(/finalityDepth must be at least confirmations/);
  });
});
