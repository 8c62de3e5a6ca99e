import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { modelRegistryAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";

export type SetPausedParameters = { modelId: bigint; paused: boolean };
export type SetPausedReturnType = { hash: `0x${string}` };
export type SetPausedErrorType = CogFiContractError<"UnknownModel" | "NotModelOwner" | "PauseUnchanged"> | CogFiError;

/**
 * Pauses or unpauses a model: a paused model opens no sessions and settles no usage. Owner only.
 * @example
 * await setPaused(ownerClient, { modelId: 1n, paused: true });
 */
export async function setPaused(client: CogFiClient, { modelId, paused }: SetPausedParameters): Promise<SetPausedReturnType> {
  const { hash } = await writeAndWait(client, "setPaused", {
    address: client.deployment.contracts.ModelRegistry,
    abi: modelRegistryAbi,
    functionName: "setPaused",
    args: [modelId, paused],
  });
  return { hash };
}
