import JSBI from "jsbi";
import type { Address } from "viem";
import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";
import { groupAddresses, type GroupAddresses } from "../manifest.js";

/** The AMM contracts of a deployment, by field: `factory`, `router`, `liquidityManager`, `tickLens` (the manifest's `amm` group). */
export type AmmAddresses = GroupAddresses<"amm">;

/** The AMM addresses recorded by the deploy script, or a CogFiError naming the missing one. */
export function ammAddresses(client: CogFiClient): AmmAddresses {
  return groupAddresses(client.deployment.contracts, "amm", (key) => new CogFiError(`deployment has no ${key}: deploy the AMM first`));
}

export const toJsbi = (value: bigint): JSBI => JSBI.BigInt(value.toString());
export const toBigInt = (value: JSBI | string | number): bigint => BigInt(value.toString());

/** Orders two token addresses like the pools do. */
export function sortTokens(a: Address, b: Address): [Address, Address] {
  return a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
}

