import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { settleUsage, signUsageBatch, verifyUsageBatch, isCogFiError, packPricing, getModel } from "../../index.js";
import { KEEPER, openTestSession, serveModel, testReceipts, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "sign-batch");
});
afterAll(() => chain?.stop());

describe("signUsageBatch", () => {
  test("packs receipts into a batch the enclave signs, which the ledger accepts", async () => {
    const sessionId = await openTestSession(chain, served);
    const { batch, requestHashes } = await signUsageBatch({
      account: served.enclave,
      gatewayId: served.gatewayId,
      chainId: chain.deployment.chainId,
      ledger: served.ledger,
      modelId: served.modelId,
      batchNumber: 1n,
      servedPricing: packPricing((await getModel(chain.reader, { modelId: served.modelId })).pricing),
      receipts: testReceipts(sessionId, 1n, 2),
    });
    expect(batch.enclave).toBe(served.enclave.address);
    expect(batch.sessionIds).toEqual([sessionId]);
    expect(batch.receipts).toHaveLength(2);
    expect(requestHashes).toHaveLength(2);
    const offline = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger: served.ledger });
    expect(offline.signer).toBe(served.enclave.address);
    expect((await settleUsage(chain.client(KEEPER), { batch })).batchNumber).toBe(1n);
  });

  test("a batch signed for another chain decodes InvalidSignature at settlement", async () => {
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signUsageBatch({
      account: served.enclave,
      gatewayId: served.gatewayId,
      chainId: 1,
      ledger: served.ledger,
      modelId: served.modelId,
      batchNumber: 2n,
      servedPricing: 0n,
      receipts: testReceipts(sessionId, 1n, 1),
    });
    const error = await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InvalidSignature")).toBe(true);
  });
});
