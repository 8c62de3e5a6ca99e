import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getSession, isCogFiError, topUpSession } from "../../index.js";
import { BUYER, openTestSession, serveModel, USDC, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "top-up");
});
afterAll(() => chain?.stop());

describe("topUpSession", () => {
  test("adds budget and extends the expiry", async () => {
    const sessionId = await openTestSession(chain, served, USDC("5"), 3_600n);
    const before = (await getSession(chain.reader, { sessionId }))!;
    await topUpSession(chain.client(BUYER), { sessionId, amount: USDC("2"), newExpiry: before.expiry + 3_600n });
    const after = (await getSession(chain.reader, { sessionId }))!;
    expect(after.budget).toBe(USDC("7"));
    expect(after.expiry).toBe(before.expiry + 3_600n);
  });

  test("decodes UnknownSession", async () => {
    const error = await topUpSession(chain.client(BUYER), { sessionId: 10_000n, amount: USDC("1") }).catch((e: unknown) => e);
    expect(isCogFiError(error, "UnknownSession")).toBe(true);
  });
});
