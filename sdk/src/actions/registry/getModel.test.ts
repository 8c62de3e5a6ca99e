import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, registerModel, setPricing } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { demoPricing, modelParams } from "../../../test/fixtures.js";

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
});
afterAll(() => chain?.stop());

describe("getModel", () => {
  test("reads a model with its pricing in force and a scheduled change", async () => {
    const { modelId, share } = await registerModel(chain.client(1), modelParams("read-me"));
    const model = await getModel(chain.reader, { modelId });
    expect(model).toMatchObject({
      modelId,
      owner: chain.accounts[1]!.address,
      share,
      parentId: 0n,
      depth: 0,
      paused: false,
      pricing: demoPricing,
      name: "read-me",
      metadataURI: "ipfs://cogfi/read-me",
    });
    expect(model.pendingPricing).toBeUndefined();
    expect(model.pendingOwner).toBeUndefined();

    const next = { ...demoPricing, outputPerMTok: 500_000n };
    const { effectiveAt } = await setPricing(chain.client(1), { modelId, pricing: next });
    expect((await getModel(chain.reader, { modelId })).pendingPricing).toEqual({ pricing: next, effectiveAt });
  });

  test("decodes UnknownModel", async () => {
    const error = await getModel(chain.reader, { modelId: 9_999n }).catch((e: unknown) => e);
    expect(isCogFiError(error, "UnknownModel")).toBe(true);
  });
});
