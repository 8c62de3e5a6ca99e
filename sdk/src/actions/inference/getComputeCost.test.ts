import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getComputeCost, isCogFiError, settleUsage } from "../../index.js";
import { KEEPER, openTestSession, serveModel, signTestBatch, testReceipts, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "compute-cost");
});
afterAll(() => chain?.stop());

describe("getComputeCost", () => {
  test("undefined before any settlement; the first settlement posts round 1", async () => {
    expect(await getComputeCost(chain.reader, { modelId: served.modelId })).toBeUndefined();
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 3));
    const settled = await settleUsage(chain.client(KEEPER), { batch });
    const cost = await getComputeCost(chain.reader, { modelId: served.modelId });
    expect(cost?.roundId).toBe(1n);
    expect(cost?.costPerRequest).toBe((settled.sessions[0]!.cost * 10n ** 12n) / 3n);
    expect(await getComputeCost(chain.reader, { modelId: served.modelId, roundId: 1n })).toEqual(cost);
  });

  test("decodes NoSuchRound for a round not posted", async () => {
    const error = await getComputeCost(chain.reader, { modelId: served.modelId, roundId: 99n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NoSuchRound")).toBe(true);
  });
});
