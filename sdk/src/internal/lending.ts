/** What the lending actions share: market params by id, and a market's totals accrued to a block's time. */
import { zeroAddress, type Address, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import { CogFiError, toCogFiError } from "../errors.js";
import { adaptiveIrmAbi, lendingMarketAbi, shareOracleAbi } from "../generated/abis.js";
import { lendingAddresses, marketId, type MarketParams } from "../lending/addresses.js";
import { accrueInterest, toAssetsUp, type MarketTotals } from "../lending/math.js";
import { ensureAllowance } from "./allowance.js";
import { readOrThrow } from "./write.js";

/** A market, by its params or by its id (its params are then read from the market). */
export type MarketRef = { marketParams: MarketParams; id?: never } | { id: Hex; marketParams?: never };

/** The market's params and id. */
export async function resolveMarket(client: CogFiClient, action: string, ref: MarketRef, blockNumber?: bigint): Promise<{ params: MarketParams; id: Hex }> {
  if (ref.marketParams) return { params: ref.marketParams, id: marketId(ref.marketParams) };
  const { lendingMarket } = lendingAddresses(client);
  const [loanToken, collateralToken, oracle, irm, lltv] = await readOrThrow(action, () =>
    client.publicClient.readContract({ address: lendingMarket, abi: lendingMarketAbi, functionName: "idToMarketParams", args: [ref.id], blockNumber }),
  );
  if (loanToken === zeroAddress && collateralToken === zeroAddress) throw new CogFiError(`${action}: no market ${ref.id}`);
  return { params: { loanToken, collateralToken, oracle, irm, lltv }, id: ref.id };
}

export type AccruedMarket = {
  /** Stored totals (accrued up to their `lastUpdate`). */
  stored: MarketTotals;
  /** Totals after accruing interest up to `timestamp`. */
  accrued: MarketTotals;
  /** The IRM's rate for the period (per second, WAD). */
  borrowRate: bigint;
  /** Interest accrued since `lastUpdate`. */
  interest: bigint;
  timestamp: bigint;
  blockNumber: bigint;
};

/**
 * Reads a market's totals at `blockNumber` (default latest) and accrues them to `timestamp` (default the block's) at
 * the IRM's `borrowRateView` for that time (evaluated with the block's time overridden when `timestamp` is given),
 * with `accrueInterest`: what a call in a block at `timestamp` would see.
 */
export async function readAccruedMarket(
  client: CogFiClient,
  action: string,
  params: MarketParams,
  id: Hex,
  options: { blockNumber?: bigint; timestamp?: bigint } = {},
): Promise<AccruedMarket> {
  const { lendingMarket } = lendingAddresses(client);
  try {
    const block = await client.publicClient.getBlock(options.blockNumber === undefined ? {} : { blockNumber: options.blockNumber });
    const blockNumber = block.number;
    const [totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee] = await client.publicClient.readContract({
      address: lendingMarket,
      abi: lendingMarketAbi,
      functionName: "market",
      args: [id],
      blockNumber,
    });
    if (lastUpdate === 0n) throw new CogFiError(`${action}: market ${id} does not exist`);
    const stored: MarketTotals = { totalSupplyAssets, totalSupplyShares, totalBorrowAssets, totalBorrowShares, lastUpdate, fee };
    // Never before the market's last update. A node can answer a read "at" a block with a later state than that
    // block's (anvil restored from a state dump keeps no history of earlier states), and the IRM's
    // `block.timestamp - lastUpdate` would underflow (Panic 0x11, seen once in the npm start test).
    const requested = options.timestamp ?? block.timestamp;
    const timestamp = requested > lastUpdate ? requested : lastUpdate;
    const borrowRate =
      params.irm === zeroAddress
        ? 0n
        : await client.publicClient.readContract({
            address: params.irm,
            abi: adaptiveIrmAbi,
            functionName: "borrowRateView",
            args: [params, stored],
            blockNumber,
            blockOverrides: { time: timestamp },
          });
    const { market: accrued, interest } = accrueInterest(stored, borrowRate, timestamp);
    return { stored, accrued, borrowRate, interest, timestamp, blockNumber };
  } catch (error) {
    throw toCogFiError(error, action);
  }
}

/**
 * The market accrued an hour past the latest block: an upper bound of what an amount given in shares costs in a
 * transaction sent now (interest only grows the assets of a share), for exact approvals.
 */
export async function accruedAhead(client: CogFiClient, action: string, params: MarketParams): Promise<{ latest: MarketTotals }> {
  const block = await readOrThrow(action, () => client.publicClient.getBlock());
  const { accrued } = await readAccruedMarket(client, action, params, marketId(params), {
    blockNumber: block.number,
    timestamp: block.timestamp + 3_600n,
  });
  return { latest: accrued };
}

/**
 * Approves the market for exactly what a payment of loan tokens needs: `assets`, or the assets worth `shares` of the
 * market's supply (`supply`) or borrow (`repay`) side, rounded up at `accruedAhead`'s bound.
 */
export async function approveLoanPayment(
  client: CogFiClient,
  action: string,
  params: MarketParams,
  side: "supply" | "borrow",
  payment: { assets: bigint; shares: bigint },
): Promise<void> {
  let needed = payment.assets;
  if (payment.shares > 0n) {
    const { latest } = await accruedAhead(client, action, params);
    needed =
      side === "supply"
        ? toAssetsUp(payment.shares, latest.totalSupplyAssets, latest.totalSupplyShares)
        : toAssetsUp(payment.shares, latest.totalBorrowAssets, latest.totalBorrowShares);
  }
  await ensureAllowance(client, action, params.loanToken, lendingAddresses(client).lendingMarket, needed);
}

/**
 * An `IOracle`'s `price()` (or `borrowPrice()`), read through the ShareOracle ABI (every IOracle has the same two
 * selectors), at `blockNumber` (default latest).
 */
export async function readOraclePrice(
  client: CogFiClient,
  action: string,
  oracle: Address,
  functionName: "price" | "borrowPrice" = "price",
  blockNumber?: bigint,
): Promise<bigint> {
  return readOrThrow(action, () => client.publicClient.readContract({ address: oracle, abi: shareOracleAbi, functionName, blockNumber }));
}
