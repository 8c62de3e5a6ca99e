import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { settleUsage, verifyUsageBatch } from "../../index.js";
import { enclaveAccount } from "../../../test/ledger/harness.js";
import { KEEPER, openTestSession, serveModel, signTestBatch, testReceipts, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "verify-batch");
});
afterAll(() => chain?.stop());

describe("verifyUsageBatch", () => {
  test("a fresh batch is valid; once settled it is flagged BatchOutOfOrder", async () => {
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 2));
    const parameters = { batch, chainId: chain.deployment.chainId, ledger: served.ledger, client: chain.reader };
    expect(await verifyUsageBatch(parameters)).toMatchObject({ valid: true, keyStatus: "Valid", gatewayId: served.gatewayId, settledBatches: 0n, problems: [] });
    await settleUsage(chain.client(KEEPER), { batch });
    const stale = await verifyUsageBatch(parameters);
    expect(stale.valid).toBe(false);
    expect(stale.problems).toMatchObject([{ kind: "BatchOutOfOrder", gatewayId: served.gatewayId, got: 1n, expected: 2n }]);
  });

  test("a batch signed by an unattested key is invalid with key status Unknown", async () => {
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 2n, testReceipts(sessionId, 1n, 1), enclaveAccount(99));
    const verified = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger: served.ledger, client: chain.reader });
    expect(verified).toMatchObject({ valid: false, keyStatus: "Unknown" });
  });
});
