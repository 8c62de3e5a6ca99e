import { zeroAddress } from "viem";
import type { CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { modelRegistryAbi } from "../../generated/abis.js";
import { readOrThrow } from "../../internal/write.js";
import type { ModelInfo } from "../../registry/types.js";

export type GetModelParameters = { modelId: bigint; blockNumber?: bigint };
export type GetModelReturnType = ModelInfo;
export type GetModelErrorType = CogFiContractError<"UnknownModel"> | CogFiError;

/**
 * Reads a model, with the pricing in force now and any scheduled change.
 * @example
 * const model = await getModel(client, { modelId: 1n });
 * console.log(model.name, model.share, model.pricing.outputPerMTok);
 */
export async function getModel(client: CogFiClient, { modelId, blockNumber }: GetModelParameters): Promise<GetModelReturnType> {
  const address = client.deployment.contracts.ModelRegistry;
  const [model, pricing, block] = await readOrThrow("getModel", () =>
    Promise.all([
      client.publicClient.readContract({ address, abi: modelRegistryAbi, functionName: "getModel", args: [modelId], blockNumber }),
      client.publicClient.readContract({ address, abi: modelRegistryAbi, functionName: "pricingOf", args: [modelId], blockNumber }),
      client.publicClient.getBlock(blockNumber === undefined ? {} : { blockNumber }),
    ]),
  );
  const scheduled = model.pendingPricingAt !== 0n && model.pendingPricingAt > block.timestamp;
  return {
    modelId,
    owner: model.owner,
    share: model.share,
    parentId: model.parentId,
    royaltyBps: model.royaltyBps,
    depth: model.depth,
    paused: model.paused,
    pricing: { ...pricing },
    pendingPricing:
      scheduled
        ? { pricing: { ...model.pendingPricing }, effectiveAt: model.pendingPricingAt }
        : undefined,
    pendingOwner: model.pendingOwner === zeroAddress ? undefined : model.pendingOwner,
    name: model.name,
    metadataURI: model.metadataURI,
  };
}
