import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getAddress } from "viem";
import { getPool, isCogFiError, quoteExactInput, quoteExactOutput, swap } from "../../index.js";
import { startAmmChain, type AmmChain } from "../../../test/amm/harness.js";
import { mintPosition, setupPool, TRADER, type TestPool } from "../../../test/amm/pool.js";

let chain: AmmChain;
let p: TestPool;
beforeAll(async () => {
  chain = await startAmmChain();
  p = await setupPool(chain, "swap");
  await mintPosition(chain, p);
});
afterAll(() => chain?.stop());

describe("swap", () => {
  test("exact input and exact output execute exactly the quotes", async () => {
    const state = await getPool(chain.ammReader, { pool: p.pool });
    const quoteIn = await quoteExactInput({ pool: state, tokenIn: p.stablecoin, amountIn: 5_000_000n });
    const done = await swap(chain.amm(TRADER), { tokenIn: p.stablecoin, tokenOut: p.share, fee: 3000, amountIn: 5_000_000n, amountOutMinimum: quoteIn.amountOut });
    expect(getAddress(done.pool)).toBe(p.pool); // the event's address, not checksummed
    expect(done).toMatchObject({ amountIn: 5_000_000n, amountOut: quoteIn.amountOut, sqrtPriceX96After: quoteIn.sqrtPriceX96After });

    const after = await getPool(chain.ammReader, { pool: p.pool });
    const quoteOut = await quoteExactOutput({ pool: after, tokenOut: p.stablecoin, amountOut: 1_000_000n });
    const back = await swap(chain.amm(TRADER), { tokenIn: p.share, tokenOut: p.stablecoin, fee: 3000, amountOut: 1_000_000n, amountInMaximum: quoteOut.amountIn });
    expect(back.amountIn).toBe(quoteOut.amountIn);
    expect(back.amountOut).toBe(1_000_000n);
  });

  test("decodes TooLittleReceived with the amounts", async () => {
    const state = await getPool(chain.ammReader, { pool: p.pool });
    const quote = await quoteExactInput({ pool: state, tokenIn: p.stablecoin, amountIn: 1_000_000n });
    const error = await swap(chain.amm(TRADER), {
      tokenIn: p.stablecoin,
      tokenOut: p.share,
      fee: 3000,
      amountIn: 1_000_000n,
      amountOutMinimum: quote.amountOut + 1n,
    }).catch((e: unknown) => e);
    expect(isCogFiError(error, "TooLittleReceived")).toBe(true);
    if (isCogFiError(error, "TooLittleReceived")) expect(error.args).toEqual([quote.amountOut, quote.amountOut + 1n]);
  });
});
