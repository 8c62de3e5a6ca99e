import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { getGateway, isCogFiError, registerDevEnclave, registerModel } from "../../index.js";
import { enclaveAccount } from "../../../test/ledger/harness.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: LedgerChain;
let modelId: bigint;
beforeAll(async () => {
  chain = await startLedgerChain();
  ({ modelId } = await registerModel(chain.client(1), modelParams("dev-enclave")));
});
afterAll(() => chain?.stop());

describe("registerDevEnclave", () => {
  test("builds a dev quote dated at the latest block and registers the key", async () => {
    const enclave = enclaveAccount(40);
    const registered = await registerDevEnclave(chain.client(0), { modelId, enclaveKey: enclave.address, platform: chain.platform });
    expect(registered.key).toBe(enclave.address);
    // Dated at the block that was the latest when the quote was built: the one before the registration's block (a
    // block mined a wall-clock second later carries a later timestamp, so the chain's time now is no reference).
    const { blockNumber } = await chain.reader.publicClient.waitForTransactionReceipt({ hash: registered.hash });
    expect(registered.attestedAt).toBe((await chain.reader.publicClient.getBlock({ blockNumber: blockNumber - 1n })).timestamp);
    expect((await getGateway(chain.reader, { gatewayId: registered.gatewayId }))?.modelId).toBe(modelId);
  });

  test("decodes MeasurementNotAllowed for a measurement the registry does not allow", async () => {
    const error = await registerDevEnclave(chain.client(0), {
      modelId,
      enclaveKey: enclaveAccount(41).address,
      platform: chain.platform,
      measurement: `0x${"ab".repeat(32)}`,
    }).catch((e: unknown) => e);
    expect(isCogFiError(error, "MeasurementNotAllowed")).toBe(true);
  });
});
