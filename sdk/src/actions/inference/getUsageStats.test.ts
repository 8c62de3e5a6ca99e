import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getUsageStats, histogramBucket, settleUsage } from "../../index.js";
import { KEEPER, openTestSession, serveModel, signTestBatch, testReceipts, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "usage-stats");
});
afterAll(() => chain?.stop());

describe("getUsageStats", () => {
  test("counts settled requests, charges and the output-token histogram", async () => {
    const empty = await getUsageStats(chain.reader, { modelId: served.modelId });
    expect(empty.requests).toBe(0n);
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 3));
    const settled = await settleUsage(chain.client(KEEPER), { batch });
    const stats = await getUsageStats(chain.reader, { modelId: served.modelId });
    expect(stats.requests).toBe(3n);
    expect(stats.charged).toBe(settled.charged);
    expect(stats.histogram.reduce((sum, bucket) => sum + bucket.requests, 0n)).toBe(3n);
    expect(stats.histogram[histogramBucket(250n + 1_000n)]!.requests).toBe(1n);
  });

  test("an unknown model has empty stats (no revert)", async () => {
    expect((await getUsageStats(chain.reader, { modelId: 10_000n })).requests).toBe(0n);
  });
});
