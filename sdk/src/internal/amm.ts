import { Token } from "@uniswap/sdk-core";
import { erc20Abi, type Address } from "viem";
import type { CogFiClient } from "../client.js";

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
