import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getSettledBatches, settleUsage } from "../../index.js";
import { KEEPER, openTestSession, serveModel, signTestBatch, testReceipts, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "settled-batches");
});
afterAll(() => chain?.stop());

describe("getSettledBatches", () => {
  test("counts the gateway's settled batches", async () => {
    expect(await getSettledBatches(chain.reader, { gatewayId: served.gatewayId })).toBe(0n);
    const sessionId = await openTestSession(chain, served);
    const { batch } = await signTestBatch(chain, served, 1n, testReceipts(sessionId, 1n, 1));
    const { hash } = await settleUsage(chain.client(KEEPER), { batch });
    expect(await getSettledBatches(chain.reader, { gatewayId: served.gatewayId })).toBe(1n);
    const { blockNumber } = await chain.reader.publicClient.getTransactionReceipt({ hash });
    expect(await getSettledBatches(chain.reader, { gatewayId: served.gatewayId, blockNumber: blockNumber - 1n })).toBe(0n);
  });

  test("an unknown gateway has settled nothing (no revert)", async () => {
    expect(await getSettledBatches(chain.reader, { gatewayId: 10_000n })).toBe(0n);
  });
});
