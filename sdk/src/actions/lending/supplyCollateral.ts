import type { Address, Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import type { CogFiContractError, CogFiError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { ensureAllowance } from "../../internal/allowance.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type SupplyCollateralParameters = {
  marketParams: MarketParams;
  /** Model-share units to post. */
  assets: bigint;
  /** For whom (default: the client's account). */
  onBehalf?: Address;
  /** Approve the market for the share if needed (default true). */
  approve?: boolean;
};
export type SupplyCollateralReturnType = { hash: Hash };
export type SupplyCollateralErrorType = CogFiContractError<"MarketNotCreated" | "ZeroAmount" | "ZeroAddress" | "Overflow"> | CogFiError;

/**
 * Posts model shares as collateral. From then on their revenue is credited to the position (and, in a market lending
 * the share's revenue token, repays its debt).
 * @example
 * await supplyCollateral(client, { marketParams, assets: parseUnits("1000", 18) });
 */
export async function supplyCollateral(client: CogFiClient, parameters: SupplyCollateralParameters): Promise<SupplyCollateralReturnType> {
  const wallet = requireWallet(client, "supplyCollateral");
  const { lendingMarket } = lendingAddresses(client);
  const { marketParams, assets } = parameters;
  if (parameters.approve ?? true) await ensureAllowance(client, "supplyCollateral", marketParams.collateralToken, lendingMarket, assets);
  const { hash } = await writeAndWait(client, "supplyCollateral", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "supplyCollateral",
    args: [marketParams, assets, parameters.onBehalf ?? wallet.account.address],
  });
  return { hash };
}
