import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getSession, isCogFiError, openSession } from "../../index.js";
import { BUYER, serveModel, USDC, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "open-session");
});
afterAll(() => chain?.stop());

describe("openSession", () => {
  test("escrows the budget (approving the ledger first) and binds the session to the gateway", async () => {
    const expiry = (await chain.now()) + 3_600n;
    const { sessionId } = await openSession(chain.client(BUYER), { modelId: served.modelId, gatewayId: served.gatewayId, budget: USDC("10"), expiry });
    const session = await getSession(chain.reader, { sessionId });
    expect(session).toMatchObject({ status: "active", budget: USDC("10"), remaining: USDC("10"), spent: 0n, gatewayId: served.gatewayId, expiry });
  });

  test("decodes InvalidExpiry and UnknownGateway", async () => {
    const past = await openSession(chain.client(BUYER), { modelId: served.modelId, gatewayId: served.gatewayId, budget: USDC("1"), expiry: 1n }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(past, "InvalidExpiry")).toBe(true);
    const expiry = (await chain.now()) + 3_600n;
    const unknown = await openSession(chain.client(BUYER), { modelId: served.modelId, gatewayId: 10_000n, budget: USDC("1"), expiry }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(unknown, "UnknownGateway")).toBe(true);
  });
});
