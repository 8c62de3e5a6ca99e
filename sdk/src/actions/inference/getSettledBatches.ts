import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { inferenceLedgerAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import { ledgerAddresses } from "../../ledger/addresses.js";

export type GetSettledBatchesParameters = { gatewayId: bigint; blockNumber?: bigint };
/** Batches of the gateway settled so far: its batch `n` is settled iff `n <= settledBatches`. */
export type GetSettledBatchesReturnType = bigint;
export type GetSettledBatchesErrorType = CogFiError;

/**
 * Reads how many batches of a gateway the ledger has settled. Batches settle in signing order, so the next one to
 * submit is number `settledBatches + 1`.
 * @example
 * const settled = await getSettledBatches(client, { gatewayId: 1n });
 * const isSettled = batch.batchNumber <= settled;
 */
export async function getSettledBatches(
  client: CogFiClient,
  { gatewayId, blockNumber }: GetSettledBatchesParameters,
): Promise<GetSettledBatchesReturnType> {
  return readOrThrow("getSettledBatches", () =>
    client.publicClient.readContract({
      address: ledgerAddresses(client).inferenceLedger,
      abi: inferenceLedgerAbi,
      functionName: "settledBatches",
      args: [gatewayId],
      blockNumber,
    }),
  );
}
