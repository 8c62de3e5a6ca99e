import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { approveLoanPayment } from "../../internal/lending.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type RepayParameters = {
  marketParams: MarketParams;
  /** Whose debt (default: the client's account; anyone may repay anyone's). */
  onBehalf?: Address;
  /** Approve the market for the loan token if needed (default true; by shares: their debt an hour of interest on). */
  approve?: boolean;
} & ({ assets: bigint; shares?: never } | { shares: bigint; assets?: never });
export type RepayReturnType = { hash: Hash; assets: bigint; shares: bigint };
export type RepayErrorType = CogFiContractError<"MarketNotCreated" | "InconsistentInput" | "ZeroAddress" | "Overflow"> | CogFiError;

/**
 * Repays `assets` of debt (borrow shares burned rounded down) or the debt of `shares` (rounded up): by shares to
 * repay everything (`getPosition(...).borrowShares`). Credited revenue is not applied here (so the shares read
 * before still match); more than the debt reverts.
 * @example
 * const { borrowShares } = await getPosition(client, { marketParams, user });
 * await repay(client, { marketParams, shares: borrowShares });
 */
export async function repay(client: CogFiClient, parameters: RepayParameters): Promise<RepayReturnType> {
  const wallet = requireWallet(client, "repay");
  const { lendingMarket } = lendingAddresses(client);
  const { marketParams } = parameters;
  const assets = parameters.assets ?? 0n;
  const shares = parameters.shares ?? 0n;
  if (parameters.approve ?? true) await approveLoanPayment(client, "repay", marketParams, "borrow", { assets, shares });
  const { hash, receipt } = await writeAndWait(client, "repay", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "repay",
    args: [marketParams, assets, shares, parameters.onBehalf ?? wallet.account.address],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Repay", logs: receipt.logs });
  if (!event) throw new CogFiError(`repay ${hash} emitted no Repay event`);
  return { hash, assets: event.args.assets, shares: event.args.shares };
}
