import { parseEventLogs, type Address, type Hash, type Hex } from "viem";
import { type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { ensureAllowance } from "../../internal/allowance.js";
import { accruedAhead, readOraclePrice } from "../../internal/lending.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";
import { liquidationRepaidAssets, liquidationRepaidShares } from "../../lending/math.js";

export type LiquidateParameters = {
  marketParams: MarketParams;
  /** The unhealthy position's owner. */
  borrower: Address;
  /** Calldata for the caller's `onLendingLiquidate` callback (flash liquidation; default none). */
  data?: Hex;
  /**
   * Approve the market for the loan token if needed (default true): the repaid assets the oracle's current price and
   * an hour of interest give (a bound; the borrower's revenue credit, applied first, only lowers it).
   */
  approve?: boolean;
} & ({ seizedAssets: bigint; repaidShares?: never } | { repaidShares: bigint; seizedAssets?: never });
export type LiquidateReturnType = {
  hash: Hash;
  /** Collateral sent to the caller. */
  seizedAssets: bigint;
  /** Borrow shares burned. */
  repaidShares: bigint;
  /** Loan token pulled from the caller. */
  repaidAssets: bigint;
  /** Debt realized as bad debt (taken from the suppliers) because no collateral is left; zero otherwise. */
  badDebtAssets: bigint;
  badDebtShares: bigint;
};
export type LiquidateErrorType =
  | CogFiContractError<"MarketNotCreated" | "InconsistentInput" | "HealthyPosition" | "ZeroPrice" | "Overflow">
  | CogFiError;

/**
 * Liquidates an unhealthy position at the oracle's `price`: seizes `seizedAssets` of collateral (repaying the shares
 * they are worth divided by the incentive, rounded up) or repays `repaidShares` (seizing their assets times the
 * incentive, rounded down). To close a position use `getPosition(...).seizableCollateral`; a liquidation that takes
 * the last collateral realizes the rest of the debt as bad debt.
 * @example
 * const { seizableCollateral, healthFactor } = await getPosition(client, { marketParams, user: borrower });
 * if (healthFactor < WAD) await liquidate(client, { marketParams, borrower, seizedAssets: seizableCollateral });
 */
export async function liquidate(client: CogFiClient, parameters: LiquidateParameters): Promise<LiquidateReturnType> {
  const { lendingMarket } = lendingAddresses(client);
  const { marketParams, borrower } = parameters;
  const seizedAssets = parameters.seizedAssets ?? 0n;
  const repaidShares = parameters.repaidShares ?? 0n;
  if (parameters.approve ?? true) {
    const { latest } = await accruedAhead(client, "liquidate", marketParams);
    let shares = repaidShares;
    if (seizedAssets > 0n) {
      const price = await readOraclePrice(client, "liquidate", marketParams.oracle);
      shares = liquidationRepaidShares(seizedAssets, latest, price, marketParams.lltv);
    }
    await ensureAllowance(client, "liquidate", marketParams.loanToken, lendingMarket, liquidationRepaidAssets(shares, latest));
  }
  const { hash, receipt } = await writeAndWait(client, "liquidate", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "liquidate",
    args: [marketParams, borrower, seizedAssets, repaidShares, parameters.data ?? "0x"],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Liquidate", logs: receipt.logs });
  if (!event) throw new CogFiError(`liquidate ${hash} emitted no Liquidate event`);
  return {
    hash,
    seizedAssets: event.args.seizedAssets,
    repaidShares: event.args.repaidShares,
    repaidAssets: event.args.repaidAssets,
    badDebtAssets: event.args.badDebtAssets,
    badDebtShares: event.args.badDebtShares,
  };
}
