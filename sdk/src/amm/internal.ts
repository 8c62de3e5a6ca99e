import { Token } from "@uniswap/sdk-core";
import JSBI from "jsbi";
import { erc20Abi, type Address } from "viem";
import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";

/** The AMM contracts of a deployment. */
export type AmmAddresses = { factory: Address; router: Address; liquidityManager: Address; tickLens: Address };

/**
 * The AMM addresses recorded by the deploy script (`CognitionPoolFactory`, `CognitionRouter`,
 * `LiquidityManager`, `TickLens`), or a CogFiError naming the missing one.
 */
export function ammAddresses(client: CogFiClient): AmmAddresses {
  const contracts = client.deployment.contracts;
  const pick = (name: string): Address => {
    const address = contracts[name];
    if (!address) throw new CogFiError(`deployment has no ${name}: deploy the AMM first`);
    return address;
  };
  return {
    factory: pick("CognitionPoolFactory"),
    router: pick("CognitionRouter"),
    liquidityManager: pick("LiquidityManager"),
    tickLens: pick("TickLens"),
  };
}

export const toJsbi = (value: bigint): JSBI => JSBI.BigInt(value.toString());
export const toBigInt = (value: JSBI | string | number): bigint => BigInt(value.toString());

/** The default deadline of a write: 20 minutes after the latest block. */
export async function defaultDeadline(client: CogFiClient): Promise<bigint> {
  const block = await client.publicClient.getBlock();
  return block.timestamp + 1_200n;
}

/** A uniswap sdk-core `Token` for an ERC-20, with its decimals read from chain. */
export async function readToken(client: CogFiClient, address: Address): Promise<Token> {
  const decimals = await client.publicClient.readContract({ address, abi: erc20Abi, functionName: "decimals" });
  return new Token(client.publicClient.chain.id, address, decimals);
}

/** Orders two token addresses like the pools do. */
export function sortTokens(a: Address, b: Address): [Address, Address] {
  return a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
}

