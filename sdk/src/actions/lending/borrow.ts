import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type BorrowParameters = {
  marketParams: MarketParams;
  /** Whose position (default: the client's account; another needs its `setAuthorization`). */
  onBehalf?: Address;
  /** Receiver of the loan (default: the client's account). */
  receiver?: Address;
} & ({ assets: bigint; shares?: never } | { shares: bigint; assets?: never });
export type BorrowReturnType = { hash: Hash; assets: bigint; shares: bigint };
export type BorrowErrorType =
  | CogFiContractError<
      | "MarketNotCreated"
      | "InconsistentInput"
      | "ZeroAddress"
      | "Unauthorized"
      | "BorrowCapExceeded"
      | "InsufficientLiquidity"
      | "InsufficientCollateral"
      | "ZeroPrice"
      | "Overflow"
      // From a ShareOracle's `borrowPrice`, when new risk must stop.
      | "StaleFeed"
      | "SpotDeviates"
      | "InRangeLiquidityTooLow"
      | "AnswerOutOfBounds"
      | "InvalidAnswer"
      | "IncompleteRound"
      | "FeedDecimalsChanged"
    >
  | CogFiError;

/**
 * Borrows `assets` of the loan token (borrow shares minted rounded up) or the assets of `shares` against the
 * position's collateral; the position must stay healthy at the oracle's `borrowPrice` (see `getPosition`'s
 * `maxBorrowable`).
 * @example
 * const { maxBorrowable } = await getPosition(client, { marketParams, user });
 * const { assets } = await borrow(client, { marketParams, assets: maxBorrowable / 2n });
 */
export async function borrow(client: CogFiClient, parameters: BorrowParameters): Promise<BorrowReturnType> {
  const wallet = requireWallet(client, "borrow");
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "borrow", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "borrow",
    args: [
      parameters.marketParams,
      parameters.assets ?? 0n,
      parameters.shares ?? 0n,
      parameters.onBehalf ?? wallet.account.address,
      parameters.receiver ?? wallet.account.address,
    ],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Borrow", logs: receipt.logs });
  if (!event) throw new CogFiError(`borrow ${hash} emitted no Borrow event`);
  return { hash, assets: event.args.assets, shares: event.args.shares };
}
