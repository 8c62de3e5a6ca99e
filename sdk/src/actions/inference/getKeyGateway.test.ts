import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getKeyGateway } from "../../index.js";
import { enclaveAccount } from "../../../test/ledger/harness.js";
import { serveModel, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "key-gateway");
});
afterAll(() => chain?.stop());

describe("getKeyGateway", () => {
  test("an attested key is Valid for its model, with its gateway", async () => {
    expect(await getKeyGateway(chain.reader, { key: served.enclave.address, modelId: served.modelId })).toEqual({
      status: "Valid",
      gatewayId: served.gatewayId,
    });
  });

  test("an unknown key reads as Unknown, and a key of another model as WrongModel (no revert)", async () => {
    const unknown = await getKeyGateway(chain.reader, { key: enclaveAccount(42).address, modelId: served.modelId });
    expect(unknown.status).toBe("Unknown");
    const other = await getKeyGateway(chain.reader, { key: served.enclave.address, modelId: served.modelId + 1_000n });
    expect(other.status).not.toBe("Valid");
  });
});
