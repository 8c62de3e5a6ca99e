import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { closeSession, getSession, isCogFiError, SETTLEMENT_GRACE } from "../../index.js";
import { BUYER, KEEPER, openTestSession, serveModel, USDC, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "close-session");
});
afterAll(() => chain?.stop());

describe("closeSession", () => {
  test("the buyer requests the close; after the grace anyone refunds the rest", async () => {
    const sessionId = await openTestSession(chain, served, USDC("4"));
    const requested = await closeSession(chain.client(BUYER), { sessionId });
    expect(requested.kind).toBe("requested");
    expect((await getSession(chain.reader, { sessionId }))?.status).toBe("grace");

    const early = await closeSession(chain.client(BUYER), { sessionId }).catch((e: unknown) => e);
    expect(isCogFiError(early, "SettlementGraceActive")).toBe(true);

    await chain.warp(Number(SETTLEMENT_GRACE));
    const refunded = await closeSession(chain.client(KEEPER), { sessionId });
    expect(refunded).toMatchObject({ kind: "refunded", refund: USDC("4") });
    expect((await getSession(chain.reader, { sessionId }))?.status).toBe("closed");
  });

  test("decodes NotSessionBuyer for someone else's active session", async () => {
    const sessionId = await openTestSession(chain, served, USDC("1"));
    const error = await closeSession(chain.client(KEEPER), { sessionId }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotSessionBuyer")).toBe(true);
  });
});
