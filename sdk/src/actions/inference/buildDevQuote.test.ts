import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, type LedgerChain } from "../../../test/ledger/harness.js";
import { buildDevQuote, DEV_ENCLAVE_MEASUREMENT, enclaveReportData, isCogFiError, ledgerAddresses, registerEnclave, registerModel } from "../../index.js";
import { enclaveAccount } from "../../../test/ledger/harness.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: LedgerChain;
let modelId: bigint;
beforeAll(async () => {
  chain = await startLedgerChain();
  ({ modelId } = await registerModel(chain.client(1), modelParams("dev-quote")));
});
afterAll(() => chain?.stop());

async function quoteFor(platform: Parameters<typeof buildDevQuote>[0]["platform"], seed: number) {
  const { enclaveRegistry, devAttestationVerifier } = ledgerAddresses(chain.reader);
  const key = enclaveAccount(seed);
  const chainId = chain.deployment.chainId;
  const reportData = enclaveReportData({ chainId, enclaveRegistry, modelId, enclaveKey: key.address });
  const quote = await buildDevQuote({ platform, verifier: devAttestationVerifier!, chainId, enclaveKey: key.address, reportData, timestamp: await chain.now() });
  return { key, quote };
}

describe("buildDevQuote", () => {
  test("builds a quote the DevAttestationVerifier accepts", async () => {
    const { key, quote } = await quoteFor(chain.platform, 20);
    expect(quote).toMatch(/^0x[0-9a-f]+$/);
    const registered = await registerEnclave(chain.client(5), { modelId, quote });
    expect(registered).toMatchObject({ key: key.address, measurement: DEV_ENCLAVE_MEASUREMENT });
  });

  test("a quote signed by another platform key decodes InvalidPlatformSignature", async () => {
    const { quote } = await quoteFor(enclaveAccount(8), 21);
    const error = await registerEnclave(chain.client(5), { modelId, quote }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InvalidPlatformSignature")).toBe(true);
  });
});
