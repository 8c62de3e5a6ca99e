import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, modelShareAbi, registerModel } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { demoPricing, modelParams } from "../../../test/fixtures.js";

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
});
afterAll(() => chain.stop());

describe("registerModel", () => {
  test("registers a base model and mints the whole share supply to the owner", async () => {
    const owner = chain.client(1);
    const params = modelParams("cogito-base");
    const { modelId, share } = await registerModel(owner, params);

    const model = await getModel(chain.reader, { modelId });
    expect(model.owner).toBe(chain.accounts[1]!.address);
    expect(model.share).toBe(share);
    expect(model.parentId).toBe(0n);
    expect(model.depth).toBe(0);
    expect(model.pricing).toEqual(demoPricing);
    expect(model.pendingPricing).toBeUndefined();
    expect(model.name).toBe("cogito-base");

    const balance = await chain.reader.publicClient.readContract({
      address: share,
      abi: modelShareAbi,
      functionName: "balanceOf",
      args: [chain.accounts[1]!.address],
    });
    expect(balance).toBe(params.shareSupply);
  });

  test("rejects an empty name with a decoded InvalidName error", async () => {
    const error = await registerModel(chain.client(1), modelParams("")).catch((e: unknown) => e);
    expect(isCogFiError(error, "InvalidName")).toBe(true);
  });

  test("rejects a zero share supply with InvalidShareSupply carrying the supply", async () => {
    const error = await registerModel(chain.client(1), modelParams("zero", { shareSupply: 0n })).catch((e: unknown) => e);
    expect(isCogFiError(error, "InvalidShareSupply")).toBe(true);
    if (isCogFiError(error, "InvalidShareSupply")) expect(error.args).toEqual([0n]);
  });
});
