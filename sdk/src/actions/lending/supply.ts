import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { approveLoanPayment } from "../../internal/lending.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type SupplyParameters = {
  marketParams: MarketParams;
  /** For whom (default: the client's account). */
  onBehalf?: Address;
  /** Approve the market for the loan token if needed (default true; by shares: the assets an hour of interest on). */
  approve?: boolean;
} & ({ assets: bigint; shares?: never } | { shares: bigint; assets?: never });
export type SupplyReturnType = { hash: Hash; assets: bigint; shares: bigint };
export type SupplyErrorType =
  | CogFiContractError<"MarketNotCreated" | "InconsistentInput" | "ZeroAddress" | "SupplyCapExceeded" | "Overflow">
  | CogFiError;

/**
 * Lends `assets` of the loan token (or the assets worth `shares`, rounded up) to a market, for `onBehalf`; supply
 * shares are minted rounded down.
 * @example
 * const { shares } = await supply(client, { marketParams, assets: 1_000_000_000n }); // 1,000 mUSD
 */
export async function supply(client: CogFiClient, parameters: SupplyParameters): Promise<SupplyReturnType> {
  const wallet = requireWallet(client, "supply");
  const { lendingMarket } = lendingAddresses(client);
  const { marketParams } = parameters;
  const assets = parameters.assets ?? 0n;
  const shares = parameters.shares ?? 0n;
  if (parameters.approve ?? true) await approveLoanPayment(client, "supply", marketParams, "supply", { assets, shares });
  const { hash, receipt } = await writeAndWait(client, "supply", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "supply",
    args: [marketParams, assets, shares, parameters.onBehalf ?? wallet.account.address],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "Supply", logs: receipt.logs });
  if (!event) throw new CogFiError(`supply ${hash} emitted no Supply event`);
  return { hash, assets: event.args.assets, shares: event.args.shares };
}

