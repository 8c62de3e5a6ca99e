import { parseEventLogs } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { modelRegistryAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import type { ModelParams, RegisteredModel } from "../../registry/types.js";

export type RegisterModelParameters = ModelParams;
export type RegisterModelReturnType = RegisteredModel;
export type RegisterModelErrorType =
  | CogFiContractError<"InvalidName" | "InvalidShareSupply">
  | CogFiError;

/**
 * Registers a base model owned by the client's account and deploys its ModelShare (whole supply to the owner).
 * @example
 * const { modelId, share } = await registerModel(client, {
 *   name: "cogito-8b", metadataURI: "ipfs://...", shareSupply: parseUnits("1000000", 18),
 *   pricing: { inputPerMTok: 100_000n, outputPerMTok: 400_000n, reasoningPerMTok: 400_000n },
 * });
 */
export async function registerModel(
  client: CogFiClient,
  parameters: RegisterModelParameters,
): Promise<RegisterModelReturnType> {
  const { hash, receipt } = await writeAndWait(client, "registerModel", {
    address: client.deployment.contracts.ModelRegistry,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args: [parameters],
  });
  return registeredFromReceipt(receipt.logs, hash);
}

/** Reads the `ModelRegistered` event of a registration receipt. */
export function registeredFromReceipt(
  logs: Parameters<typeof parseEventLogs>[0]["logs"],
  hash: `0x${string}`,
): RegisteredModel {
  const [event] = parseEventLogs({ abi: modelRegistryAbi, eventName: "ModelRegistered", logs });
  if (!event) throw new CogFiError(`registration ${hash} emitted no ModelRegistered event`);
  return { modelId: event.args.modelId, share: event.args.share, hash };
}
