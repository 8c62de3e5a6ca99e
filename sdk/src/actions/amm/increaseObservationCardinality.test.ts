import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cognitionPoolAbi, createPool, increaseObservationCardinality, isCogFiError } from "../../index.js";
import { setupShare, startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { POOL_OWNER, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "grow-observations");
});
afterAll(() => chain?.stop());

const cardinalityNext = async (pool: `0x${string}`) =>
  (await chain.reader.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "slot0" }))[4];

describe("increaseObservationCardinality", () => {
  test("grows the ring in steps of at most slotsPerTransaction, then sends nothing once it is large enough", async () => {
    expect(await cardinalityNext(p.pool)).toBe(1);
    // Anyone may pay for it (here a trader, not the pool's creator).
    const grown = await increaseObservationCardinality(chain.amm(TRADER), { pool: p.pool, cardinality: 25, slotsPerTransaction: 10 });
    // 1 -> 11 -> 21 -> 25: three transactions.
    expect(grown.hashes).toHaveLength(3);
    expect(grown).toMatchObject({ previous: 1, cardinalityNext: 25 });
    expect(await cardinalityNext(p.pool)).toBe(25);

    const again = await increaseObservationCardinality(chain.amm(TRADER), { pool: p.pool, cardinality: 20 });
    expect(again).toEqual({ hashes: [], previous: 25, cardinalityNext: 25 });
  });

  test("refuses a cardinality outside the uint16 ring without sending anything", async () => {
    for (const cardinality of [0, 65_536, 1.5]) {
      const error = await increaseObservationCardinality(chain.amm(TRADER), { pool: p.pool, cardinality }).catch((e: unknown) => e);
      expect(error, String(cardinality)).toBeInstanceOf(Error);
      expect((error as Error).message).toContain(`cardinality ${cardinality} is not an integer`);
    }
    expect(await cardinalityNext(p.pool)).toBe(25);
  });

  test("decodes NotInitialized for a pool without a price", async () => {
    const { share } = await setupShare(chain, "grow-uninitialized", POOL_OWNER, []);
    const { pool } = await createPool(chain.amm(POOL_OWNER), { share, fee: 3000 });
    const error = await increaseObservationCardinality(chain.amm(TRADER), { pool, cardinality: 10 }).catch((e: unknown) => e);
    expect(isCogFiError(error, "NotInitialized")).toBe(true);
  });
});
