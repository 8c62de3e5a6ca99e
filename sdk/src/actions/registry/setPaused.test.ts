import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, registerModel, setPaused } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: TestChain;
let modelId: bigint;
beforeAll(async () => {
  chain = await startTestChain();
  ({ modelId } = await registerModel(chain.client(1), modelParams("pausable")));
});
afterAll(() => chain?.stop());

describe("setPaused", () => {
  test("the owner pauses and unpauses a model", async () => {
    await setPaused(chain.client(1), { modelId, paused: true });
    expect((await getModel(chain.reader, { modelId })).paused).toBe(true);
    await setPaused(chain.client(1), { modelId, paused: false });
    expect((await getModel(chain.reader, { modelId })).paused).toBe(false);
  });

  test("decodes NotModelOwner and PauseUnchanged", async () => {
    const stranger = await setPaused(chain.client(3), { modelId, paused: true }).catch((e: unknown) => e);
    expect(isCogFiError(stranger, "NotModelOwner")).toBe(true);
    if (isCogFiError(stranger, "NotModelOwner")) expect(stranger.args).toEqual([modelId, chain.accounts[3]!.address]);
    const unchanged = await setPaused(chain.client(1), { modelId, paused: false }).catch((e: unknown) => e);
    expect(isCogFiError(unchanged, "PauseUnchanged")).toBe(true);
  });
});
