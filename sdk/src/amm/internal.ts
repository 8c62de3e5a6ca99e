import { Token } from "@uniswap/sdk-core";
import JSBI from "jsbi";
import {
  erc20Abi,
  maxUint256,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
} from "viem";
import { requireWallet, type CogFiClient } from "../client.js";
import { CogFiError, toCogFiError } from "../errors.js";
import { writeAndWait, type WriteResult } from "../internal/write.js";

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

/** Approves `spender` for `amount` (unlimited by default) unless the allowance already covers `needed`. */
export async function ensureAllowance(
  client: CogFiClient,
  action: string,
  token: Address,
  spender: Address,
  needed: bigint,
  amount: bigint = maxUint256,
): Promise<void> {
  if (needed === 0n) return;
  const owner = client.walletClient?.account.address;
  if (!owner) throw new CogFiError(`${action} needs a client created with an account`);
  const allowance = await client.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [owner, spender],
  });
  if (allowance >= needed) return;
  await writeAndWait(client, `${action}: approve`, {
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, amount],
  });
}

/** Orders two token addresses like the pools do. */
export function sortTokens(a: Address, b: Address): [Address, Address] {
  return a.toLowerCase() < b.toLowerCase() ? [a, b] : [b, a];
}

/**
 * `writeAndWait` with a gas margin. The pools do per-block work (oracle write, model-share revenue claim) only in
 * the first interaction of a block, but `eth_estimateGas` runs on the latest block, where that work is already
 * done, so a bare estimate can run out of gas. The margin covers it: estimate * 1.25 + 60k.
 */
export async function writeAmm<
  const abi extends Abi,
  functionName extends ContractFunctionName<abi, "nonpayable" | "payable">,
>(
  client: CogFiClient,
  action: string,
  call: {
    address: Address;
    abi: abi;
    functionName: functionName;
    args: ContractFunctionArgs<abi, "nonpayable" | "payable", functionName>;
  },
): Promise<WriteResult> {
  const wallet = requireWallet(client, action);
  try {
    const { request } = await client.publicClient.simulateContract({ ...(call as object), account: wallet.account } as never);
    const estimate = await client.publicClient.estimateContractGas({ ...(call as object), account: wallet.account } as never);
    const hash = await wallet.writeContract({ ...(request as object), gas: (estimate * 5n) / 4n + 60_000n } as never);
    const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new CogFiError(`${action}: transaction ${hash} reverted`);
    return { hash, receipt };
  } catch (error) {
    throw toCogFiError(error, action);
  }
}
