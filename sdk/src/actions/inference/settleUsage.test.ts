import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { batchCharges, getModel, getSession, isCogFiError, settleUsage } from "../../index.js";
import { KEEPER, openTestSession, serveModel, signTestBatch, testReceipts, USDC, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "settle");
});
afterAll(() => chain?.stop());

describe("settleUsage", () => {
  test("charges the sessions what batchCharges predicts and reports the fees", async () => {
    const sessionId = await openTestSession(chain, served, USDC("10"));
    const { batch } = await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 3));
    const pricing = (await getModel(chain.reader, { modelId: served.modelId })).pricing;
    const [predicted] = batchCharges(batch, pricing, [USDC("10")]);
    const settled = await settleUsage(chain.client(KEEPER), { batch });
    expect(settled).toMatchObject({ gatewayId: served.gatewayId, batchNumber: 1n, skipped: [], charged: predicted!.charged });
    expect(settled.sessions).toEqual([{ sessionId, lastSequence: 3n, cost: predicted!.cost, charged: predicted!.charged, covered: 0n, unpaid: 0n }]);
    expect((await getSession(chain.reader, { sessionId }))?.spent).toBe(settled.charged);
  });

  test("a replayed batch decodes BatchOutOfOrder with the gateway and numbers", async () => {
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 2n, testReceipts(sessionId, 1n, 1));
    await settleUsage(chain.client(KEEPER), { batch });
    const error = await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e);
    expect(isCogFiError(error, "BatchOutOfOrder")).toBe(true);
    if (isCogFiError(error, "BatchOutOfOrder")) expect(error.args).toEqual([served.gatewayId, 2n, 3n]);
  });
});
