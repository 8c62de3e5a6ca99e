/**
 * A lending market with open positions for the liquidation tests: a fresh share as collateral (mock oracle at $2),
 * the share's deep pool (where the FlashLiquidator sells what it seizes), a lender, and borrowers.
 */
import { nearestUsableTick } from "@uniswap/v3-sdk";
import { parseUnits } from "viem";
import { addLiquidity, borrow, createPool, getPool, modelShareAbi, ORACLE_PRICE_SCALE, supply, supplyCollateral } from "@cogfi/sdk";
import { sortTokens } from "../../sdk/src/amm/internal.js";
import { twoStablePerShare } from "../../sdk/test/amm/pool.js";
import { BORROWER, LENDER, setupMarket, SHARE_OWNER, type LendingChain, type TestMarket } from "../../sdk/test/lending/harness.js";

/** Borrowers and their debts against 1,000 shares each ($2,000 at $2; LLTV 77%: at most $1,540). */
export const POSITIONS: Array<{ account: number; debt: bigint }> = [
  { account: BORROWER, debt: parseUnits("1000", 6) },
  { account: 5, debt: parseUnits("1200", 6) },
  { account: 6, debt: parseUnits("1400", 6) },
  { account: 7, debt: parseUnits("1500", 6) },
];
export const COLLATERAL = parseUnits("1000", 18);
/** $1.20 a share, 1e36-scaled per unit: every position is unhealthy; those owing more than ~$1,117 are insolvent. */
export const CRASH_PRICE = (12n * 10n ** 5n * ORACLE_PRICE_SCALE) / 10n ** 18n;

/** A market lending the stablecoin against a fresh share (mock oracle at $2), its deep pool, a lender and `positions` (`POSITIONS` by default). */
export async function openMarketWithPositions(chain: LendingChain, name: string, positions: ReadonlyArray<{ account: number; debt: bigint }> = POSITIONS): Promise<TestMarket> {
  const opened = await setupMarket(chain, name);
  const [token0, token1] = sortTokens(opened.share, opened.stablecoin);
  // The share's pool at $2 with deep liquidity from the lender (the seized shares are sold there).
  const { pool } = await createPool(chain.amm(SHARE_OWNER), { share: opened.share, fee: 3000, sqrtPriceX96: twoStablePerShare(token0, opened.share) });
  const { tick } = await getPool(chain.ammReader, { pool });
  const shares = parseUnits("200000", 18);
  const stable = parseUnits("400000", 6);
  await addLiquidity(chain.amm(LENDER), {
    token0,
    token1,
    fee: 3000,
    tickLower: nearestUsableTick(tick - 6000, 60),
    tickUpper: nearestUsableTick(tick + 6000, 60),
    amount0Desired: token0 === opened.share ? shares : stable,
    amount1Desired: token0 === opened.share ? stable : shares,
  });
  await supply(chain.client(LENDER), { marketParams: opened.marketParams, assets: parseUnits("100000", 6) });
  const shareOwner = chain.client(BORROWER).walletClient!;
  for (const { account, debt } of positions) {
    if (account !== BORROWER) {
      const hash = await shareOwner.writeContract({ address: opened.share, abi: modelShareAbi, functionName: "transfer", args: [chain.accounts[account]!.address, COLLATERAL] });
      await chain.reader.publicClient.waitForTransactionReceipt({ hash });
    }
    await supplyCollateral(chain.client(account), { marketParams: opened.marketParams, assets: COLLATERAL });
    await borrow(chain.client(account), { marketParams: opened.marketParams, assets: debt });
  }
  return opened;
}
