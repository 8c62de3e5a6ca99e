import type { Address, Hex, LocalAccount, TypedDataDomain } from "viem";
import type { CogFiError } from "../../errors.js";
import {
  buildUsageBatch,
  usageBatchDigest,
  usageBatchDomain,
  usageBatchTypedData,
  type SignedUsageBatch,
  type UsageBatch,
  type UsageReceipt,
} from "../../ledger/receipts.js";

/** Where the batch will settle: a ready EIP-712 domain, or the chain id and ledger address to build it from. */
type DomainParameters = { domain: TypedDataDomain } | { chainId: number | bigint; ledger: Address };

export type SignUsageBatchParameters = {
  /** The enclave key (a viem local account, e.g. `privateKeyToAccount(sealedKey)`). */
  account: Pick<LocalAccount, "address" | "signTypedData">;
  /** The key's EnclaveRegistry gateway (`keyGateway(key, modelId)`): signed into the batch, not sent with it. */
  gatewayId: bigint;
} & DomainParameters &
  (
    | {
        modelId: bigint;
        /** The batch's place in the gateway's signing order, from 1 (a re-signed batch keeps its number). */
        batchNumber: bigint;
        /** The pricing the receipts were served at, packed (`packPricing`; their minimum for several). */
        servedPricing: bigint;
        /** Receipts of this model, in any order: they are grouped by session and sorted by sequence. */
        receipts: readonly UsageReceipt[];
      }
    | {
        /** A batch already built with `buildUsageBatch`; its `enclave` must be the account. */
        batch: UsageBatch;
      }
  );
export type SignUsageBatchReturnType = {
  batch: SignedUsageBatch;
  signature: Hex;
  digest: Hex;
  /** Request hashes in the batch's receipt order (when built here from receipts). */
  requestHashes?: Hex[];
};
/** `ReceiptFormatError` (thrown) for receipts that break the format. */
export type SignUsageBatchErrorType = CogFiError;

/**
 * Packs receipts into a batch (or takes a built one) and signs it with the enclave key of gateway `gatewayId`: one
 * signature per batch. Runs in the gateway; needs no chain access.
 * @example
 * const { batch } = await signUsageBatch({
 *   account: enclaveAccount, gatewayId: 1n, chainId: 31337, ledger: deployment.contracts.InferenceLedger!,
 *   modelId: 1n, batchNumber: 1n, servedPricing: packPricing(model.pricing), receipts,
 * });
 */
export async function signUsageBatch(parameters: SignUsageBatchParameters): Promise<SignUsageBatchReturnType> {
  const { account, gatewayId } = parameters;
  const domain = "domain" in parameters ? parameters.domain : usageBatchDomain(parameters);
  let batch: UsageBatch;
  let requestHashes: Hex[] | undefined;
  if ("batch" in parameters) {
    batch = parameters.batch;
    if (batch.enclave.toLowerCase() !== account.address.toLowerCase()) {
      throw new Error(`signUsageBatch: batch names enclave ${batch.enclave}, account is ${account.address}`);
    }
  } else {
    ({ batch, requestHashes } = buildUsageBatch({
      modelId: parameters.modelId,
      batchNumber: parameters.batchNumber,
      servedPricing: parameters.servedPricing,
      enclave: account.address,
      receipts: parameters.receipts,
    }));
  }
  const signature = await account.signTypedData(usageBatchTypedData(batch, gatewayId, domain));
  return {
    batch: { ...batch, gatewayId, signature },
    signature,
    digest: usageBatchDigest(batch, gatewayId, domain),
    requestHashes,
  };
}
