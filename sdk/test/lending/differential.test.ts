/**
 * Differential against `@morpho-org/blue-sdk` (Morpho Blue's own TypeScript math), on anvil: random markets (LLTV,
 * fee, price), positions, interest periods (time warps) and price moves. For each draw, the blue-sdk `Market` and
 * `AccrualPosition` built from our on-chain state must give, to the wei, the same totals after accrual as the
 * contract (and as the sdk's `getMarket` / `getPosition`), the same share conversions, health, max borrow and
 * liquidation price as the sdk, and the same liquidation amounts as the contract's `Liquidate` event; the contract's
 * own health verdict (a liquidation of a healthy position reverts `HealthyPosition`) must match blue-sdk's.
 * Deliberate differences: the rate is our AdaptiveIrm's (blue-sdk computes Morpho's AdaptiveCurveIrm), so blue-sdk is
 * given the rate our IRM answers; revenue credit is not modelled by blue-sdk (no revenue is deposited here).
 */
import { AccrualPosition, Market, MarketUtils } from "@morpho-org/blue-sdk";
import fc from "fast-check";
import { erc20Abi, maxUint256, parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  borrow,
  createMarket,
  getMarket,
  getPosition,
  isCogFiError,
  LENDING_LLTVS,
  lendingAddresses,
  lendingMarketAbi,
  liquidate,
  liquidationOutcome,
  liquidationRepaidShares,
  liquidationSeizedAssets,
  supply,
  supplyCollateral,
  toAssetsDown,
  toAssetsUp,
  toSharesDown,
  toSharesUp,
  type MarketParams,
} from "../../src/index.js";
import { rpc } from "../../src/node/anvil.js";
import { fcParams } from "../../src/testing/fastCheck.js";
import { BORROWER, deployMockOracle, LENDER, LIQUIDATOR, OWNER, setOraclePrice, setupMarket, snapshot, startLendingChain, type LendingChain, type TestMarket } from "./harness.js";

let chain: LendingChain;
let base: TestMarket;
beforeAll(async () => {
  chain = await startLendingChain();
  base = await setupMarket(chain, "lend-differential");
  // The liquidator holds plenty and has approved the market once: no transaction may come between the fixed block
  // time and the liquidation.
  await chain.fund(LIQUIDATOR, 10n ** 18n);
  const liquidator = chain.client(LIQUIDATOR).walletClient!;
  const hash = await liquidator.writeContract({
    address: base.stablecoin,
    abi: erc20Abi,
    functionName: "approve",
    args: [lendingAddresses(chain.reader).lendingMarket, maxUint256],
  });
  await chain.reader.publicClient.waitForTransactionReceipt({ hash });
});
afterAll(() => chain?.stop());

type Draw = {
  lltvIndex: number;
  feeBps: number;
  supplyUsd: number;
  collateralShares: number;
  borrowPermille: number;
  /** Price, in 1e-4 USD per share. */
  priceE4: number;
  elapsed: number;
  /** New price, permille of the first. */
  movePermille: number;
  bySeized: boolean;
  liquidatePermille: number;
};

const drawArb: fc.Arbitrary<Draw> = fc.record({
  lltvIndex: fc.integer({ min: 0, max: LENDING_LLTVS.length - 1 }),
  feeBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2_500 })),
  supplyUsd: fc.integer({ min: 1, max: 5_000_000 }),
  collateralShares: fc.integer({ min: 1, max: 500_000 }),
  // Half the draws borrow near the limit, so that price drops make positions liquidatable.
  borrowPermille: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 900, max: 1_000 })),
  priceE4: fc.integer({ min: 1, max: 10_000_000 }),
  elapsed: fc.integer({ min: 1, max: 2 * 365 * 86_400 }),
  movePermille: fc.oneof(fc.integer({ min: 300, max: 1_500 }), fc.integer({ min: 300, max: 1_000 })),
  bySeized: fc.boolean(),
  liquidatePermille: fc.integer({ min: 1, max: 1_000 }),
});

/** 1e36-scaled price of a share (18 decimals) in the stablecoin (6 decimals) from 1e-4 USD units. */
const priceOf = (priceE4: bigint) => priceE4 * 10n ** 6n * 10n ** 36n / 10n ** 18n / 10_000n;

async function readStored(id: `0x${string}`) {
  const { lendingMarket } = lendingAddresses(chain.reader);
  const [totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee] = await chain.reader.publicClient.readContract({
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "market",
    args: [id],
  });
  return { totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee };
}

function blueMarket(marketParams: MarketParams, totals: Awaited<ReturnType<typeof readStored>>, price: bigint): Market {
  return new Market({ params: marketParams, ...totals, price });
}

describe("differential against @morpho-org/blue-sdk", () => {
  test("property: totals after accrual, share conversions, health, max borrow and liquidation amounts equal blue-sdk's and the contract's to the wei", async () => {
    let liquidations = 0;
    let healthyChecks = 0;
    let badDebts = 0;
    // A pinned draw deep under water, liquidated of all its collateral: bad debt is realized (checked against the contract).
    const underwater: Draw = { lltvIndex: 4, feeBps: 0, supplyUsd: 1_000_000, collateralShares: 1_000, borrowPermille: 1_000, priceE4: 20_000, elapsed: 1, movePermille: 300, bySeized: true, liquidatePermille: 1_000 };
    const params = fcParams<[Draw]>({ numRuns: 80, examples: [[underwater]] });
    await fc.assert(
      fc.asyncProperty(drawArb, async (d) => {
        const restore = await snapshot(chain);
        try {
          const price = priceOf(BigInt(d.priceE4));
          const oracle = await deployMockOracle(chain, price);
          const marketParams: MarketParams = { ...base.marketParams, oracle, lltv: LENDING_LLTVS[d.lltvIndex]! };
          const { id } = await createMarket(chain.client(OWNER), { marketParams });
          const { lendingMarket } = lendingAddresses(chain.reader);
          if (d.feeBps > 0) {
            const owner = chain.client(OWNER).walletClient!;
            const hash = await owner.writeContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "setFee", args: [marketParams, BigInt(d.feeBps) * 10n ** 14n] });
            await chain.reader.publicClient.waitForTransactionReceipt({ hash });
          }
          await supply(chain.client(LENDER), { marketParams, assets: parseUnits(String(d.supplyUsd), 6) });
          await supplyCollateral(chain.client(BORROWER), { marketParams, assets: parseUnits(String(d.collateralShares), 18) });
          const borrower = chain.accounts[BORROWER]!.address;
          const before = await getPosition(chain.reader, { marketParams, user: borrower });
          const market = await getMarket(chain.reader, { marketParams });
          const room = before.maxBorrowable < market.liquidity ? before.maxBorrowable : market.liquidity;
          const borrowed = (room * BigInt(d.borrowPermille)) / 1000n;
          if (borrowed > 0n) await borrow(chain.client(BORROWER), { marketParams, assets: borrowed });

          // An interest period and a price move.
          await chain.warp(d.elapsed);
          const moved = (price * BigInt(d.movePermille)) / 1000n;
          await setOraclePrice(chain, oracle, moved);

          // The next block's time, fixed so that prediction and transaction accrue over the same period.
          const latest = await chain.reader.publicClient.getBlock();
          const at = latest.timestamp + 1n;
          const stored = await readStored(id);
          const ours = await getMarket(chain.reader, { marketParams, blockNumber: latest.number, timestamp: at });
          const position = await getPosition(chain.reader, { marketParams, user: borrower, blockNumber: latest.number, timestamp: at });

          // blue-sdk's accrual at our IRM's rate.
          const { interest, feeShares } = MarketUtils.getAccruedInterest(ours.borrowRate, stored, at - stored.lastUpdate);
          const blueAccrued = blueMarket(marketParams, {
            ...stored,
            totalSupplyAssets: stored.totalSupplyAssets + interest,
            totalBorrowAssets: stored.totalBorrowAssets + interest,
            totalSupplyShares: stored.totalSupplyShares + feeShares,
            lastUpdate: at,
          }, moved);
          for (const key of ["totalSupplyAssets", "totalSupplyShares", "totalBorrowAssets", "totalBorrowShares"] as const) {
            expect(ours[key], key).toBe(blueAccrued[key]);
          }
          expect(ours.utilization).toBe(blueAccrued.utilization);
          expect(ours.liquidity).toBe(blueAccrued.liquidity);

          const bluePosition = new AccrualPosition({ user: borrower, supplyShares: position.supplyShares, borrowShares: position.borrowShares, collateral: position.collateral }, blueAccrued);
          expect(position.debt).toBe(bluePosition.borrowAssets);
          expect(position.supplyAssets).toBe(bluePosition.supplyAssets);
          expect(position.collateralValue).toBe(bluePosition.collateralValue);
          expect(position.maxBorrow).toBe(bluePosition.maxBorrowAssets);
          expect(position.maxBorrowable).toBe(bluePosition.maxBorrowableAssets);
          expect(position.healthFactor).toBe(bluePosition.healthFactor);
          expect(position.healthy).toBe(bluePosition.isHealthy);
          expect(position.liquidationPrice).toBe(bluePosition.liquidationPrice);
          expect(position.seizableCollateral).toBe(bluePosition.seizableCollateral);
          // Share conversions both ways and both roundings, on the lender's supply and the borrower's debt.
          const lender = await getPosition(chain.reader, { marketParams, user: chain.accounts[LENDER]!.address, blockNumber: latest.number, timestamp: at });
          const ourSupply = [ours.totalSupplyAssets, ours.totalSupplyShares] as const;
          const ourBorrow = [ours.totalBorrowAssets, ours.totalBorrowShares] as const;
          expect(toAssetsDown(lender.supplyShares, ...ourSupply)).toBe(blueAccrued.toSupplyAssets(lender.supplyShares, "Down"));
          expect(toAssetsUp(lender.supplyShares, ...ourSupply)).toBe(blueAccrued.toSupplyAssets(lender.supplyShares, "Up"));
          expect(toSharesDown(lender.supplyAssets, ...ourSupply)).toBe(blueAccrued.toSupplyShares(lender.supplyAssets, "Down"));
          expect(toSharesUp(lender.supplyAssets, ...ourSupply)).toBe(blueAccrued.toSupplyShares(lender.supplyAssets, "Up"));
          expect(toAssetsDown(position.borrowShares, ...ourBorrow)).toBe(blueAccrued.toBorrowAssets(position.borrowShares, "Down"));
          expect(toSharesDown(position.debt, ...ourBorrow)).toBe(blueAccrued.toBorrowShares(position.debt, "Down"));
          expect(toSharesUp(position.debt, ...ourBorrow)).toBe(blueAccrued.toBorrowShares(position.debt, "Up"));

          await rpc(chain.rpcUrl, "evm_setNextBlockTimestamp", [Number(at)]);
          if (bluePosition.isHealthy) {
            // The contract agrees it is healthy, and its accrual is blue-sdk's.
            const error = await liquidate(chain.client(LIQUIDATOR), { marketParams, borrower, repaidShares: 1n, approve: false }).catch((e: unknown) => e);
            expect(isCogFiError(error, "HealthyPosition"), String(error)).toBe(true);
            const owner = chain.client(OWNER).walletClient!;
            const hash = await owner.writeContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "accrueInterest", args: [marketParams] });
            await chain.reader.publicClient.waitForTransactionReceipt({ hash });
            const after = await readStored(id);
            expect(after.lastUpdate).toBe(at);
            for (const key of ["totalSupplyAssets", "totalSupplyShares", "totalBorrowAssets", "totalBorrowShares"] as const) {
              expect(after[key], key).toBe(blueAccrued[key]);
            }
            healthyChecks++;
            return;
          }
          // Unhealthy: a liquidation by seized collateral or by repaid shares pays blue-sdk's amounts.
          const seizedAsked = d.bySeized ? (bluePosition.seizableCollateral! * BigInt(d.liquidatePermille)) / 1000n : 0n;
          const sharesAsked = d.bySeized ? 0n : (position.borrowShares * BigInt(d.liquidatePermille)) / 1000n;
          if (seizedAsked === 0n && sharesAsked === 0n) return;
          const expectedShares = d.bySeized ? blueAccrued.getLiquidationRepaidShares(seizedAsked)! : sharesAsked;
          const expectedSeized = d.bySeized ? seizedAsked : blueAccrued.getLiquidationSeizedAssets(sharesAsked)!;
          // The sdk's liquidation math is blue-sdk's.
          if (d.bySeized) expect(liquidationRepaidShares(seizedAsked, ours, moved, marketParams.lltv)).toBe(expectedShares);
          else expect(liquidationSeizedAssets(sharesAsked, ours, moved, marketParams.lltv)).toBe(expectedSeized);
          // More than the collateral, or shares beyond the debt, revert in both (blue-sdk: underflow); skip those draws.
          if (expectedSeized > position.collateral || expectedShares > position.borrowShares) return;
          const done = await liquidate(chain.client(LIQUIDATOR), { marketParams, borrower, approve: false, ...(d.bySeized ? { seizedAssets: seizedAsked } : { repaidShares: sharesAsked }) });
          expect(done.repaidShares).toBe(expectedShares);
          expect(done.seizedAssets).toBe(expectedSeized);
          expect(done.repaidAssets).toBe(blueAccrued.toBorrowAssets(expectedShares, "Up"));
          // The sdk's transition (the simulations' liquidation, bad debt included) leaves the contract's state.
          const outcome = liquidationOutcome(position, ours, moved, marketParams.lltv, d.bySeized ? { seizedAssets: seizedAsked } : { repaidShares: sharesAsked });
          expect(outcome.repaidAssets).toBe(done.repaidAssets);
          const afterLiquidation = await readStored(id);
          for (const key of ["totalSupplyAssets", "totalSupplyShares", "totalBorrowAssets", "totalBorrowShares"] as const) {
            expect(afterLiquidation[key], `${key} after liquidation`).toBe(outcome.market[key]);
          }
          const positionAfter = await getPosition(chain.reader, { marketParams, user: borrower });
          expect(positionAfter.collateral).toBe(outcome.position.collateral);
          expect(positionAfter.borrowShares).toBe(outcome.position.borrowShares);
          if (outcome.badDebtAssets > 0n) badDebts++;
          liquidations++;
        } finally {
          await restore();
        }
      }),
      params,
    );
    console.info(`differential: ${healthyChecks} healthy draws (accrual checked against the contract), ${liquidations} liquidations (${badDebts} realizing bad debt)`);
    // Both branches ran.
    expect(healthyChecks).toBeGreaterThan(0);
    expect(liquidations).toBeGreaterThan(0);
    expect(badDebts).toBeGreaterThan(0);
  }, 600_000);
});
