import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getSession } from "../../index.js";
import { BUYER, openTestSession, serveModel, USDC, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "get-session");
});
afterAll(() => chain?.stop());

describe("getSession", () => {
  test("reads an open session through the lens", async () => {
    const sessionId = await openTestSession(chain, served, USDC("3"));
    const session = await getSession(chain.reader, { sessionId });
    expect(session).toMatchObject({
      sessionId,
      buyer: chain.accounts[BUYER]!.address,
      modelId: served.modelId,
      gatewayId: served.gatewayId,
      budget: USDC("3"),
      spent: 0n,
      remaining: USDC("3"),
      lastSequence: 0n,
      status: "active",
    });
  });

  test("returns undefined for an unknown session (the lens does not revert)", async () => {
    expect(await getSession(chain.reader, { sessionId: 10_000n })).toBeUndefined();
  });
});
