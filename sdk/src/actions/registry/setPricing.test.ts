import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, PRICING_DELAY, registerModel, setPricing } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { demoPricing, modelParams } from "../../../test/fixtures.js";

const newPricing = { inputPerMTok: 150_000n, outputPerMTok: 600_000n, reasoningPerMTok: 900_000n };

let chain: TestChain;
let modelId: bigint;
beforeAll(async () => {
  chain = await startTestChain();
  ({ modelId } = await registerModel(chain.client(1), modelParams("priced")));
});
afterAll(() => chain.stop());

describe("setPricing", () => {
  test("schedules pricing that takes effect only after the delay", async () => {
    const { effectiveAt, hash } = await setPricing(chain.client(1), { modelId, pricing: newPricing });
    const receipt = await chain.reader.publicClient.getTransactionReceipt({ hash });
    const block = await chain.reader.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    expect(effectiveAt).toBe(block.timestamp + PRICING_DELAY);

    const before = await getModel(chain.reader, { modelId });
    expect(before.pricing).toEqual(demoPricing);
    expect(before.pendingPricing).toEqual({ pricing: newPricing, effectiveAt });

    const error = await setPricing(chain.client(1), { modelId, pricing: demoPricing }).catch((e: unknown) => e);
    expect(isCogFiError(error, "PricingChangePending")).toBe(true);

    await chain.warp(PRICING_DELAY);
    const after = await getModel(chain.reader, { modelId });
    expect(after.pricing).toEqual(newPricing);
    expect(after.pendingPricing).toBeUndefined();
  });

  test("rejects a caller who is not the owner with NotModelOwner", async () => {
    const error = await setPricing(chain.client(3), { modelId, pricing: newPricing }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotModelOwner")).toBe(true);
    if (isCogFiError(error, "NotModelOwner")) expect(error.args).toEqual([modelId, chain.accounts[3]!.address]);
  });
});
