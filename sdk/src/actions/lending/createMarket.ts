import { parseEventLogs, type Hash, type Hex } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { lendingMarketAbi } from "../../generated/abis.js";
import { writeAndWait } from "../../internal/write.js";
import { lendingAddresses, type MarketParams } from "../../lending/addresses.js";

export type CreateMarketParameters = {
  marketParams: MarketParams;
  /**
   * Caps to set right after creation (`setCaps`, owner only; default: none, the market starts uncapped). See
   * `capsFromLiquidity` for the borrow cap a pool's liquidity supports.
   */
  caps?: { supplyCap: bigint; borrowCap: bigint };
};
export type CreateMarketReturnType = {
  hash: Hash;
  /** The market's id (keccak256 of its params). */
  id: Hex;
  /** Whether the collateral's revenue is in the loan token, so that it repays debt. */
  selfRepaying: boolean;
  /** The `setCaps` transaction, when caps were given. */
  capsHash?: Hash;
};
export type CreateMarketErrorType =
  | CogFiContractError<"IrmNotEnabled" | "LltvNotEnabled" | "MarketAlreadyCreated" | "NotAModelShare" | "NotOwner">
  | CogFiError;

/**
 * Creates a lending market `{loanToken, collateralToken (a ModelShare), oracle, irm, lltv}` on the deployment's
 * LendingMarket. Anyone may create one with an IRM and an LLTV the owner enabled (`lendingAddresses(client).adaptiveIrm`,
 * `LENDING_LLTVS`); caps, when given, need the owner (the deployment's protocol owner).
 * @example
 * const { adaptiveIrm } = lendingAddresses(client);
 * const { oracle } = await createShareOracle(client, { pool });
 * const { id } = await createMarket(client, {
 *   marketParams: { loanToken: stablecoin, collateralToken: share, oracle, irm: adaptiveIrm, lltv: LENDING_LLTVS[2] },
 * });
 */
export async function createMarket(client: CogFiClient, parameters: CreateMarketParameters): Promise<CreateMarketReturnType> {
  const { lendingMarket } = lendingAddresses(client);
  const { hash, receipt } = await writeAndWait(client, "createMarket", {
    address: lendingMarket,
    abi: lendingMarketAbi,
    functionName: "createMarket",
    args: [parameters.marketParams],
  });
  const [event] = parseEventLogs({ abi: lendingMarketAbi, eventName: "CreateMarket", logs: receipt.logs });
  if (!event) throw new CogFiError(`createMarket ${hash} emitted no CreateMarket event`);
  const result: CreateMarketReturnType = { hash, id: event.args.id, selfRepaying: event.args.selfRepaying };
  if (parameters.caps) {
    const caps = await writeAndWait(client, "createMarket: setCaps", {
      address: lendingMarket,
      abi: lendingMarketAbi,
      functionName: "setCaps",
      args: [parameters.marketParams, parameters.caps.supplyCap, parameters.caps.borrowCap],
    });
    result.capsHash = caps.hash;
  }
  return result;
}
