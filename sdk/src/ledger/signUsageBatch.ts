import type { Address, Hex, LocalAccount, TypedDataDomain } from "viem";
import type { CogFiError } from "../errors.js";
import {
  buildUsageBatch,
  usageBatchDigest,
  usageBatchDomain,
  usageBatchTypedData,
  type SignedUsageBatch,
  type UsageBatch,
  type UsageReceipt,
} from "./receipts.js";

/** Where the batch will settle: a ready EIP-712 domain, or the chain id and ledger address to build it from. */
type DomainParameters = { domain: TypedDataDomain } | { chainId: number | bigint; ledger: Address };

export type SignUsageBatchParameters = {
  /** The enclave key (a viem local account, e.g. `privateKeyToAccount(sealedKey)`). */
  account: Pick<LocalAccount, "address" | "signTypedData">;
} & DomainParameters &
  (
    | {
        modelId: bigint;
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
 * Packs receipts into a batch (or takes a built one) and signs it with the enclave key: one signature per batch.
 * Runs in the gateway; needs no chain access.
 * @example
 * const { batch } = await signUsageBatch({
 *   account: enclaveAccount, chainId: 31337, ledger: deployment.contracts.InferenceLedger!, modelId: 1n, receipts,
 * });
 */
export async function signUsageBatch(parameters: SignUsageBatchParameters): Promise<SignUsageBatchReturnType> {
  const { account } = parameters;
  const domain = "domain" in parameters ? parameters.domain : usageBatchDomain(parameters);
  let batch: UsageBatch;
  let requestHashes: Hex[] | undefined;
  if ("batch" in parameters) {
    batch = parameters.batch;
    if (batch.enclave.toLowerCase() !== account.address.toLowerCase()) {
      throw new Error(`signUsageBatch: batch names enclave ${batch.enclave}, account is ${account.address}`);
    }
  } else {
    ({ batch, requestHashes } = buildUsageBatch({ modelId: parameters.modelId, enclave: account.address, receipts: parameters.receipts }));
  }
  const signature = await account.signTypedData(usageBatchTypedData(batch, domain));
  return { batch: { ...batch, signature }, signature, digest: usageBatchDigest(batch, domain), requestHashes };
}
