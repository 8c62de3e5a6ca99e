import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { buildDevQuote, enclaveReportData, getKeyGateway, isCogFiError, ledgerAddresses, registerEnclave, registerModel } from "../../index.js";
import { enclaveAccount } from "../../../test/ledger/harness.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: LedgerChain;
let modelId: bigint;
beforeAll(async () => {
  chain = await startLedgerChain();
  ({ modelId } = await registerModel(chain.client(1), modelParams("register-enclave")));
});
afterAll(() => chain?.stop());

describe("registerEnclave", () => {
  test("the first registration creates the key's gateway; a newer quote re-attests it; a replay decodes QuoteNotNewer", async () => {
    const { enclaveRegistry, devAttestationVerifier } = ledgerAddresses(chain.reader);
    const key = enclaveAccount(30);
    const chainId = chain.deployment.chainId;
    const reportData = enclaveReportData({ chainId, enclaveRegistry, modelId, enclaveKey: key.address });
    const quoteAt = async () =>
      buildDevQuote({ platform: chain.platform, verifier: devAttestationVerifier!, chainId, enclaveKey: key.address, reportData, timestamp: await chain.now() });

    const quote = await quoteAt();
    const first = await registerEnclave(chain.client(5), { modelId, quote });
    expect(first).toMatchObject({ key: key.address, created: true });
    expect(await getKeyGateway(chain.reader, { key: key.address, modelId })).toEqual({ status: "Valid", gatewayId: first.gatewayId });

    const replay = await registerEnclave(chain.client(5), { modelId, quote }).catch((e: unknown) => e);
    expect(isCogFiError(replay, "QuoteNotNewer")).toBe(true);

    await chain.warp(60);
    const again = await registerEnclave(chain.client(5), { modelId, quote: await quoteAt() });
    expect(again).toMatchObject({ gatewayId: first.gatewayId, created: false });
    expect(again.attestedAt).toBeGreaterThan(first.attestedAt);
  });
});
