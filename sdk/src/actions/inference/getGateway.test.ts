import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { DEV_ENCLAVE_MEASUREMENT, getGateway } from "../../index.js";
import { serveModel, type ServedModel } from "../../../test/ledger/fixtures.js";

let chain: LedgerChain;
let served: ServedModel;
beforeAll(async () => {
  chain = await startLedgerChain();
  served = await serveModel(chain, "get-gateway");
});
afterAll(() => chain?.stop());

describe("getGateway", () => {
  test("reads the model, key and measurement of a gateway", async () => {
    expect(await getGateway(chain.reader, { gatewayId: served.gatewayId })).toEqual({
      gatewayId: served.gatewayId,
      modelId: served.modelId,
      key: served.enclave.address,
      measurement: DEV_ENCLAVE_MEASUREMENT,
    });
  });

  test("returns undefined for an unknown gateway (the registry read does not revert)", async () => {
    expect(await getGateway(chain.reader, { gatewayId: 10_000n })).toBeUndefined();
  });
});
