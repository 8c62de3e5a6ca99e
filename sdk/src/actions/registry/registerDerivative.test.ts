import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, registerDerivative, registerModel } from "../../index.js";
import { startTestChain, type TestChain } from "../../testing/testChain.js";
import { modelParams } from "../../../test/fixtures.js";

let chain: TestChain;
let baseId: bigint;
beforeAll(async () => {
  chain = await startTestChain();
  ({ modelId: baseId } = await registerModel(chain.client(1), modelParams("base")));
});
afterAll(() => chain.stop());

describe("registerDerivative", () => {
  test("records the parent, royalty and depth", async () => {
    const { modelId } = await registerDerivative(chain.client(2), { parentId: baseId, royaltyBps: 1_000, ...modelParams("tune") });
    const model = await getModel(chain.reader, { modelId });
    expect(model.parentId).toBe(baseId);
    expect(model.royaltyBps).toBe(1_000);
    expect(model.depth).toBe(1);
    expect(model.owner).toBe(chain.accounts[2]!.address);
  });

  test.each([0, 5_001])("rejects royalty %i bps with InvalidRoyalty", async (royaltyBps) => {
    const error = await registerDerivative(chain.client(2), { parentId: baseId, royaltyBps, ...modelParams("bad") }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(error, "InvalidRoyalty")).toBe(true);
  });

  test("rejects an unknown parent with UnknownModel", async () => {
    const error = await registerDerivative(chain.client(2), { parentId: 777n, royaltyBps: 100, ...modelParams("orphan") }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(error, "UnknownModel")).toBe(true);
  });

  test("rejects a fifth generation with AncestryTooDeep", async () => {
    let parentId = baseId;
    for (let generation = 1; generation <= 4; generation++) {
      ({ modelId: parentId } = await registerDerivative(chain.client(2), {
        parentId,
        royaltyBps: 500,
        ...modelParams(`gen-${generation}`),
      }));
    }
    expect((await getModel(chain.reader, { modelId: parentId })).depth).toBe(4);
    const error = await registerDerivative(chain.client(2), { parentId, royaltyBps: 500, ...modelParams("gen-5") }).catch(
      (e: unknown) => e,
    );
    expect(isCogFiError(error, "AncestryTooDeep")).toBe(true);
    if (isCogFiError(error, "AncestryTooDeep")) expect(error.args).toEqual([5n]);
  });
});
