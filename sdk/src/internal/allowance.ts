import { erc20Abi, type Address } from "viem";
import { requireWallet, type CogFiClient } from "../client.js";
import { writeAndWait } from "./write.js";

/**
 * Approves `spender` for exactly `needed` of `token` when the wallet's allowance is below it. Exact, not
 * unlimited: a compromised spender can never take more than the action in hand needed.
 */
export async function ensureAllowance(
  client: CogFiClient,
  action: string,
  token: Address,
  spender: Address,
  needed: bigint,
): Promise<void> {
  if (needed === 0n) return;
  const wallet = requireWallet(client, action);
  const allowance = await client.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [wallet.account.address, spender],
  });
  if (allowance >= needed) return;
  await writeAndWait(client, `${action}: approve`, {
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, needed],
  });
}
