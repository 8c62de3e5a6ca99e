import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { modelRegistryAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { registeredFromReceipt } from "./registerModel.js";
import type { ModelParams, RegisteredModel } from "../../registry/types.js";

export type RegisterDerivativeParameters = ModelParams & {
  parentId: bigint;
  /** Share of the derivative's revenue paid to the parent, in (0, 5000] bps. */
  royaltyBps: number;
};
export type RegisterDerivativeReturnType = RegisteredModel;
export type RegisterDerivativeErrorType =
  | CogFiContractError<"UnknownModel" | "InvalidRoyalty" | "AncestryTooDeep" | "InvalidName" | "InvalidShareSupply">
  | CogFiError;

/**
 * Registers a derivative (fine-tune, distillation) of `parentId` that pays it `royaltyBps` of its revenue.
 * @example
 * const tune = await registerDerivative(client, {
 *   parentId: 1n, royaltyBps: 1_000, name: "cogito-8b-legal", metadataURI: "ipfs://...",
 *   shareSupply: parseUnits("500000", 18),
 *   pricing: { inputPerMTok: 150_000n, outputPerMTok: 600_000n, reasoningPerMTok: 600_000n },
 * });
 */
export async function registerDerivative(
  client: CogFiClient,
  parameters: RegisterDerivativeParameters,
): Promise<RegisterDerivativeReturnType> {
  const { parentId, royaltyBps, ...params } = parameters;
  const { hash, receipt } = await writeAndWait(client, "registerDerivative", {
    address: client.deployment.contracts.ModelRegistry,
    abi: modelRegistryAbi,
    functionName: "registerDerivative",
    args: [parentId, BigInt(royaltyBps), params],
  });
  return registeredFromReceipt(receipt.logs, hash);
}
