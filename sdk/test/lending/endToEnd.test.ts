/**
 * End to end through the sdk on anvil (issue #12, last acceptance bullet): the suite deployed by script/Deploy.s.sol
 * (the prepared test state), a demo model with its pool opened as `npm start` opens it (script/demoMarket.ts), and its
 * lending market created as `npm start` creates it (script/demoLending.ts: a ShareOracle on the model's pool, caps from
 * the pool's liquidity, a lender's supply, the model owner's collateral and borrow). Every protocol step goes through a
 * public sdk action; raw calls are left for test plumbing only (minting the mock stablecoin, handing shares to a
 * trader, reading balances and logs).
 *
 * a) inference usage of the model settles through the InferenceLedger (a signed batch of the dev enclave), streams to
 *    the share's holders over the share's period, and `settleRevenue` lets the market's part of it repay the
 *    borrower's debt: the debt falls by the credited revenue less the interest, to the unit;
 * b) a trader crashes the share in the pool with the sdk's `swap`; once the oracle's TWAP window has passed the
 *    position is unhealthy per `getPosition`, and a partial `liquidate` seizes and repays exactly the sdk's math;
 * c) a further crash leaves the collateral short of the debt: seizing all of it realizes the rest as bad debt, taken
 *    from the suppliers to the unit, and the lender can still withdraw what is left.
 *
 * Fixed values throughout (no randomness); time moves with evm_increaseTime / evm_mine only.
 */
import { erc20Abi, keccak256, parseEventLogs, parseUnits, toHex, type Address, type Hash, type TransactionReceipt } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  DEFAULT_REVENUE_STREAM_PERIOD,
  getClaimableRevenue,
  getMarket,
  getModel,
  getModelRevenue,
  getPosition,
  lendingAddresses,
  lendingMarketAbi,
  marketId,
  liquidate,
  liquidationIncentiveFactor,
  liquidationOutcome,
  liquidationRepaidShares,
  liquidationSeizedAssets,
  ORACLE_PRICE_SCALE,
  openSession,
  packPricing,
  registerModel,
  settleRevenue,
  settleUsage,
  signUsageBatch,
  sortTokens,
  swap,
  toAssetsDown,
  toAssetsUp,
  toSharesDown,
  WAD,
  withdraw,
  ledgerAddresses,
  type CogFiClient,
  type GetPositionReturnType,
  type UsageReceipt,
} from "../../src/index.js";
import { openDemoLendingMarket, prepareLendingHistory, type DemoLendingMarket } from "../../../script/demoLending.js";
import { openDemoMarket } from "../../../script/demoMarket.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../ledger/harness.js";

/** Roles: as in `npm start` (0 deploys and owns the protocol, 1 owns the model and borrows, 3 buys, 4 keeps, 5 lends). */
const DEPLOYER = 0;
const MODEL_OWNER = 1;
const BUYER = 3;
const KEEPER = 4;
const LENDER = 5;
const LIQUIDATOR = 6;
/** Sells shares into the pool to crash their price. */
const TRADER = 7;

const USDC = (amount: string): bigint => parseUnits(amount, 6);
const FEE = 3000;
/** The ShareOracle's TWAP window in the demo (script/demoLending.ts). */
const TWAP_WINDOW_SECONDS = 1_800;
const Q96 = 2n ** 96n;
const Q128 = 2n ** 128n;

let chain: LedgerChain;
let modelId: bigint;
let share: Address;
let stablecoin: Address;
let pool: Address;
let market: DemoLendingMarket;
let lendingMarket: Address;
let borrower: Address;
let liquidator: CogFiClient;

/** The position as a transaction mined in block `blockNumber` saw it: the block before, accrued to its timestamp. */
async function positionBefore(blockNumber: bigint, user: Address): Promise<GetPositionReturnType> {
  const { timestamp } = await chain.reader.publicClient.getBlock({ blockNumber });
  return getPosition(chain.reader, { marketParams: market.marketParams, user, blockNumber: blockNumber - 1n, timestamp });
}

const receiptOf = (hash: Hash): Promise<TransactionReceipt> => chain.reader.publicClient.getTransactionReceipt({ hash });
const balanceOf = (token: Address, holder: Address, blockNumber: bigint): Promise<bigint> =>
  chain.reader.publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [holder], blockNumber });

function sqrt(value: bigint): bigint {
  if (value < 2n) return value;
  let x = value;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + value / x) / 2n;
  }
  return x;
}

/** The pool's sqrt price (token1 per token0, Q64.96) of a 1e36-scaled price of a share unit in stablecoin units. */
function sqrtPriceX96Of(price: bigint): bigint {
  const [token0] = sortTokens(share, stablecoin);
  return token0 === share ? sqrt((price * Q96 * Q96) / ORACLE_PRICE_SCALE) : sqrt((ORACLE_PRICE_SCALE * Q96 * Q96) / price);
}

/** Sells the trader's shares into the pool until its price reaches `price` (1e36-scaled); returns the swap. */
async function crashTo(price: bigint) {
  const sqrtPriceLimitX96 = sqrtPriceX96Of(price);
  const held = await balanceOf(share, chain.accounts[TRADER]!.address, await chain.reader.publicClient.getBlockNumber());
  const sold = await swap(chain.client(TRADER), { tokenIn: share, tokenOut: stablecoin, fee: FEE, amountIn: held, amountOutMinimum: 0n, sqrtPriceLimitX96 });
  // The swap stopped at the limit (the trader had shares to spare), so the pool's spot is exactly the target.
  expect(sold.sqrtPriceX96After).toBe(sqrtPriceLimitX96);
  expect(sold.amountIn).toBeLessThan(held);
  return sold;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  stablecoin = chain.deployment.contracts.Stablecoin;
  lendingMarket = lendingAddresses(chain.reader).lendingMarket;
  // npm start's base model (script/start.ts), its offering and its lending market.
  ({ modelId, share } = await registerModel(chain.client(MODEL_OWNER), {
    name: "cogito-8b",
    metadataURI: "ipfs://cogfi-demo/cogito-8b.json",
    pricing: { inputPerMTok: parseUnits("0.20", 6), outputPerMTok: parseUnits("0.80", 6), reasoningPerMTok: parseUnits("0.80", 6) },
    shareSupply: parseUnits("1000000", 18),
  }));
  ({ pool } = await openDemoMarket(chain.client(MODEL_OWNER), share));
  await prepareLendingHistory(chain.client(DEPLOYER), chain.rpcUrl, [pool]);
  market = await openDemoLendingMarket({
    name: "cogito-8b",
    owner: chain.client(DEPLOYER),
    lender: chain.client(LENDER),
    borrower: chain.client(MODEL_OWNER),
    share,
    pool,
  });
  borrower = market.borrower;

  // Test plumbing: the trader gets shares from the model's owner, the liquidator mock stablecoin.
  const owner = chain.client(MODEL_OWNER).walletClient!;
  const transfer = await owner.writeContract({ address: share, abi: erc20Abi, functionName: "transfer", args: [chain.accounts[TRADER]!.address, parseUnits("400000", 18)] });
  await chain.reader.publicClient.waitForTransactionReceipt({ hash: transfer });
  await chain.fund(LIQUIDATOR, USDC("10000"));
  liquidator = chain.client(LIQUIDATOR);
}, 180_000);
afterAll(() => chain?.stop());

describe("lending end to end through the sdk", () => {
  test("a) inference revenue settled through the ledger repays the borrower's debt: down by the credit less the interest", async () => {
    const opened = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    expect(opened.collateral).toBe(parseUnits("10000", 18));
    expect(opened.debt).toBeGreaterThan(0n);
    expect(opened.healthy).toBe(true);
    const totals = await getMarket(chain.reader, { marketParams: market.marketParams });
    expect(totals.selfRepaying).toBe(true);
    expect(totals.fee).toBe(0n);

    // Inference: the dev enclave serves the model, a buyer's session is charged by a signed batch the keeper settles.
    const enclave = enclaveAccount(12);
    const { gatewayId } = await chain.registerDevEnclave(modelId, enclave);
    await chain.fund(BUYER, USDC("10000"));
    const { sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget: USDC("10000"), expiry: (await chain.now()) + 2n * 86_400n });
    // Three long generations: 4e9 output tokens each at $0.80 per million, $3,200 each.
    const receipts: UsageReceipt[] = [1n, 2n, 3n].map((sequence) => ({
      sessionId,
      sequence,
      inputTokens: 1_000n,
      outputTokens: 4_000_000_000n,
      reasoningTokens: 0n,
      requestHash: keccak256(toHex(`end-to-end-${sequence}`)),
    }));
    const { pricing } = await getModel(chain.reader, { modelId });
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: chain.deployment.chainId,
      ledger: ledgerAddresses(chain.reader).inferenceLedger,
      modelId,
      batchNumber: 1n,
      servedPricing: packPricing(pricing),
      receipts,
    });
    const settledUsage = await settleUsage(chain.client(KEEPER), { batch });
    // 3 x (1,000 input tokens at $0.20 + 4e9 output tokens at $0.80 per million): 9,600.0006 mUSD.
    expect(settledUsage.charged).toBe(USDC("9600.0006"));
    expect(settledUsage.skipped).toEqual([]);

    // The share streams the deposit to its holders over its period: after it, all is released.
    await chain.warp(DEFAULT_REVENUE_STREAM_PERIOD + 60n);
    const revenue = await getModelRevenue(chain.reader, { modelId });
    expect(revenue.settled).toBe(settledUsage.charged);
    // A base model: all but the protocol's and the keeper's fees (3.5% here) goes to its own share.
    expect(revenue.ownRevenue).toBe(settledUsage.charged - settledUsage.protocolFee - settledUsage.submitterFee);
    expect(revenue.deposited).toBe(revenue.ownRevenue);
    expect(revenue.streaming).toBe(0n);
    expect(revenue.released).toBe(revenue.ownRevenue);
    // The market holds the posted 10,000 of the 1,000,000 shares: its part of the released revenue, not yet claimed.
    const marketClaimable = await getClaimableRevenue(chain.reader, { share, holder: lendingMarket });
    expect(marketClaimable).toBeLessThanOrEqual((revenue.ownRevenue * opened.collateral) / parseUnits("1000000", 18));
    expect(marketClaimable).toBeGreaterThanOrEqual((revenue.ownRevenue * opened.collateral) / parseUnits("1000000", 18) - 1n);

    const settled = await settleRevenue(chain.client(KEEPER), { marketParams: market.marketParams, borrower });
    const receipt = await receiptOf(settled.hash);
    const pre = await positionBefore(receipt.blockNumber, borrower);
    const post = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower, blockNumber: receipt.blockNumber });

    // The market harvested exactly its claimable revenue (the stream is over: the same one block later) and split it
    // over the posted collateral (the borrower's alone): the index's credit rounds down, the remainder is carried.
    const [harvest] = parseEventLogs({ abi: lendingMarketAbi, eventName: "HarvestRevenue", logs: receipt.logs });
    expect(harvest?.args).toEqual({ share, amount: marketClaimable });
    const credited = (pre.collateral * ((marketClaimable * Q128) / pre.collateral)) / Q128;
    expect(marketClaimable - credited).toBeLessThanOrEqual(1n);
    // All of the credit repays debt (it is below the debt), with borrow shares burned rounded down.
    expect(credited).toBeLessThan(pre.debt);
    expect(settled.repaidAssets).toBe(credited);
    expect(settled.repaidShares).toBe(toSharesDown(credited, pre.market.totalBorrowAssets, pre.market.totalBorrowShares));
    expect(post.borrowShares).toBe(pre.borrowShares - settled.repaidShares);
    expect(post.market.totalBorrowAssets).toBe(pre.market.totalBorrowAssets - credited);
    expect(post.debt).toBe(toAssetsUp(post.borrowShares, post.market.totalBorrowAssets, post.market.totalBorrowShares));
    expect(post.revenueCredited).toBe(0n);
    expect(post.collateral).toBe(opened.collateral);

    // Against the debt when the loan opened: down by the credit less the interest accrued since, where the interest
    // is the sdk's accrual to the settling block's time. The repayment burns shares rounded down, so the remaining
    // debt (rounded up) may keep one unit more than a plain subtraction.
    const interest = pre.debt - opened.debt;
    expect(interest).toBeGreaterThan(0n);
    const roundingUnit = post.debt - (pre.debt - credited);
    expect([0n, 1n]).toContain(roundingUnit);
    expect(opened.debt - post.debt).toBe(credited - interest - roundingUnit);
    expect(credited - interest).toBeGreaterThan(USDC("50"));
    console.log(
      `a) debt ${opened.debt} -> ${post.debt}: credited ${credited} (market harvested ${marketClaimable} of ${revenue.ownRevenue}), interest ${interest}, rounding ${roundingUnit}`,
    );
  });

  test("b) a crash in the pool reaches the oracle after its TWAP window; a partial liquidation pays exactly the sdk's math", async () => {
    const healthyBefore = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    expect(healthyBefore.healthy).toBe(true);
    expect(healthyBefore.liquidationPrice).not.toBeNull();
    // To 90% of the liquidation price: health ~0.9, the collateral still worth more than the debt times the incentive.
    const target = (healthyBefore.liquidationPrice! * 90n) / 100n;
    const crash = await crashTo(target);

    // One block of a crashed spot barely moves a 30-minute TWAP: still healthy.
    const rightAfter = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower, blockNumber: (await receiptOf(crash.hash)).blockNumber });
    expect(rightAfter.healthy).toBe(true);
    await chain.warp(TWAP_WINDOW_SECONDS + 60);

    const unhealthy = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    // The oracle now prices the crashed tick (its floor: at most a tick, 1 bp, below the target).
    expect(unhealthy.price).toBeLessThanOrEqual(target);
    expect(unhealthy.price).toBeGreaterThan((target * 9_998n) / 10_000n);
    expect(unhealthy.healthFactor).toBeLessThan(WAD);
    expect(unhealthy.healthFactor).toBeGreaterThan((WAD * 89n) / 100n);
    expect(unhealthy.healthy).toBe(false);
    expect(unhealthy.revenueCredited).toBe(0n);
    // What waits at the share is the revenue that repaid debt in a), claimed lazily by the market's next withdraw or
    // borrow (`revenueReceivable`), give or take the split's dust: no new revenue is credited by this liquidation.
    const waiting = await getClaimableRevenue(chain.reader, { share, holder: lendingMarket });
    const receivable = await chain.reader.publicClient.readContract({
      address: lendingMarket,
      abi: lendingMarketAbi,
      functionName: "revenueReceivable",
      args: [marketId(market.marketParams)],
    });
    expect(receivable).toBeGreaterThan(0n);
    expect(waiting - receivable).toBeGreaterThanOrEqual(0n);
    expect(waiting - receivable).toBeLessThanOrEqual(1n);
    // Collateral value above debt x incentive: a liquidation of half the debt leaves collateral behind.
    const incentive = liquidationIncentiveFactor(market.marketParams.lltv);
    expect(unhealthy.collateralValue).toBeGreaterThan((unhealthy.debt * incentive) / WAD);

    const repaidShares = unhealthy.borrowShares / 2n;
    const liquidatorAddress = chain.accounts[LIQUIDATOR]!.address;
    const result = await liquidate(liquidator, { marketParams: market.marketParams, borrower, repaidShares });
    const receipt = await receiptOf(result.hash);
    const pre = await positionBefore(receipt.blockNumber, borrower);
    expect(pre.price).toBe(unhealthy.price);
    expect(pre.revenueCredited).toBe(0n);
    const expected = liquidationOutcome(pre, pre.market, pre.price, market.marketParams.lltv, { repaidShares });
    const { seizedAssets: seized, repaidAssets } = expected;
    expect(seized).toBe(liquidationSeizedAssets(repaidShares, pre.market, pre.price, market.marketParams.lltv));
    expect(result).toMatchObject({ seizedAssets: seized, repaidShares, repaidAssets, badDebtAssets: 0n, badDebtShares: 0n });

    const post = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower, blockNumber: receipt.blockNumber });
    expect({ borrowShares: post.borrowShares, collateral: post.collateral }).toEqual(expected.position);
    expect(post.collateral).toBe(pre.collateral - seized);
    expect(post.market).toEqual(expected.market);
    expect(post.market.totalSupplyAssets).toBe(pre.market.totalSupplyAssets);
    // The liquidator paid the repaid assets and received the seized shares, worth more (the incentive).
    const before = receipt.blockNumber - 1n;
    expect((await balanceOf(share, liquidatorAddress, receipt.blockNumber)) - (await balanceOf(share, liquidatorAddress, before))).toBe(seized);
    expect((await balanceOf(stablecoin, liquidatorAddress, before)) - (await balanceOf(stablecoin, liquidatorAddress, receipt.blockNumber))).toBe(repaidAssets);
    expect((seized * pre.price) / ORACLE_PRICE_SCALE).toBeGreaterThan(repaidAssets);
    expect(post.collateral).toBeGreaterThan(0n);
    expect(post.borrowShares).toBeGreaterThan(0n);
    console.log(`b) price ${pre.price}, health ${pre.healthFactor}: repaid ${repaidAssets} (${repaidShares} shares), seized ${seized}; left ${post.collateral} collateral, debt ${post.debt}`);
  });

  test("c) a further crash leaves the debt uncovered: seizing all collateral realizes the rest as bad debt, the lender withdraws what is left", async () => {
    const position = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    // Collateral worth half the debt.
    const target = (position.debt * ORACLE_PRICE_SCALE) / position.collateral / 2n;
    await crashTo(target);
    await chain.warp(TWAP_WINDOW_SECONDS + 60);
    const underwater = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower });
    expect(underwater.price).toBeLessThanOrEqual(target);
    expect(underwater.collateralValue).toBeLessThan(underwater.debt);
    // Repaying all the debt would seize more than there is: all the collateral is seizable.
    expect(underwater.seizableCollateral).toBe(underwater.collateral);

    const result = await liquidate(liquidator, { marketParams: market.marketParams, borrower, seizedAssets: underwater.seizableCollateral });
    const receipt = await receiptOf(result.hash);
    const pre = await positionBefore(receipt.blockNumber, borrower);
    expect(pre.revenueCredited).toBe(0n);
    const expected = liquidationOutcome(pre, pre.market, pre.price, market.marketParams.lltv, { seizedAssets: pre.collateral });
    const { repaidShares, repaidAssets, badDebtShares } = expected;
    expect(repaidShares).toBe(liquidationRepaidShares(pre.collateral, pre.market, pre.price, market.marketParams.lltv));
    expect(badDebtShares).toBe(pre.borrowShares - repaidShares);
    expect(badDebtShares).toBeGreaterThan(0n);
    expect(result).toMatchObject({ seizedAssets: pre.collateral, repaidShares, repaidAssets, badDebtShares, badDebtAssets: expected.badDebtAssets });
    // The event says the same as the action's return.
    const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Liquidate", logs: receipt.logs });
    expect(event?.args.badDebtAssets).toBe(result.badDebtAssets);

    // The suppliers take the bad debt: totalSupplyAssets (accrued to the block's time) drops by exactly it.
    const supplyBefore = await getMarket(chain.reader, {
      marketParams: market.marketParams,
      blockNumber: receipt.blockNumber - 1n,
      timestamp: (await chain.reader.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp,
    });
    const supplyAfter = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: receipt.blockNumber });
    expect(supplyBefore.totalSupplyAssets - supplyAfter.totalSupplyAssets).toBe(result.badDebtAssets);
    expect(supplyAfter.totalSupplyAssets).toBe(expected.market.totalSupplyAssets);
    const post = await getPosition(chain.reader, { marketParams: market.marketParams, user: borrower, blockNumber: receipt.blockNumber });
    expect(post).toMatchObject({ borrowShares: 0n, collateral: 0n, debt: 0n });
    expect(post.market).toEqual(expected.market);
    // The borrower was the only one: nothing is borrowed any more.
    expect(supplyAfter.totalBorrowAssets).toBe(0n);
    expect(supplyAfter.totalBorrowShares).toBe(0n);

    // The lender withdraws all its supply: what is left after the bad debt.
    const lender = await getPosition(chain.reader, { marketParams: market.marketParams, user: market.lender });
    const lenderBalance = await balanceOf(stablecoin, market.lender, lender.blockNumber);
    const withdrawn = await withdraw(chain.client(LENDER), { marketParams: market.marketParams, shares: lender.supplyShares });
    const withdrawReceipt = await receiptOf(withdrawn.hash);
    const atWithdraw = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: withdrawReceipt.blockNumber - 1n });
    expect(withdrawn.assets).toBe(toAssetsDown(lender.supplyShares, atWithdraw.totalSupplyAssets, atWithdraw.totalSupplyShares));
    expect((await balanceOf(stablecoin, market.lender, withdrawReceipt.blockNumber)) - lenderBalance).toBe(withdrawn.assets);
    expect(withdrawn.assets).toBeLessThan(USDC("20000"));
    const emptied = await getMarket(chain.reader, { marketParams: market.marketParams, blockNumber: withdrawReceipt.blockNumber });
    expect(emptied.totalSupplyShares).toBe(0n);
    console.log(
      `c) price ${pre.price}: seized ${pre.collateral}, repaid ${repaidAssets}, bad debt ${result.badDebtAssets} (${badDebtShares} shares); lender withdrew ${withdrawn.assets} of 20000000000 supplied`,
    );
  });
});
