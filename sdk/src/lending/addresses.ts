import { encodeAbiParameters, keccak256, type Address, type Hex } from "viem";
import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";
import { groupAddresses, type GroupAddresses } from "../manifest.js";

/** The lending contracts, by field: `lendingMarket`, `adaptiveIrm` (the manifest's `lending` group). */
export type LendingAddresses = GroupAddresses<"lending">;

/**
 * The lending contracts of the client's deployment; throws a `CogFiError` naming what is missing.
 * @example
 * const { lendingMarket, adaptiveIrm } = lendingAddresses(client);
 */
export function lendingAddresses(client: Pick<CogFiClient, "deployment">): LendingAddresses {
  return groupAddresses(client.deployment.contracts, "lending", (key) => new CogFiError(`deployment has no ${key}: deploy the lending market first`));
}

/** What defines a market (`ILendingMarket.MarketParams`, Morpho Blue's layout). */
export type MarketParams = {
  loanToken: Address;
  /** The ModelShare posted as collateral. */
  collateralToken: Address;
  /** An `IOracle`: collateral price in loan-token units, 1e36-scaled. */
  oracle: Address;
  /** An IRM the owner enabled (the deployment's `adaptiveIrm`). */
  irm: Address;
  /** Liquidation loan-to-value, WAD, one the owner enabled (`LENDING_LLTVS`). */
  lltv: bigint;
};

/**
 * The LLTVs `script/Deploy.s.sol` enables (`LendingDeployer._lendingLltvs`), WAD: Morpho Blue's ladder from 38.5% to
 * 91.5%. Model shares are long-tail collateral: pick from the low end unless the pool is deep.
 */
export const LENDING_LLTVS = [385n * 10n ** 15n, 625n * 10n ** 15n, 770n * 10n ** 15n, 860n * 10n ** 15n, 915n * 10n ** 15n] as const;

/** A market's id: keccak256 of its five params, ABI-encoded (`MarketIdLib.id`, Morpho Blue's). */
export function marketId(params: MarketParams): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "address" }, { type: "address" }, { type: "address" }, { type: "uint256" }],
      [params.loanToken, params.collateralToken, params.oracle, params.irm, params.lltv],
    ),
  );
}
