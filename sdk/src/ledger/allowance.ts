import { erc20Abi, type Address } from "viem";
import { requireWallet, type CogFiClient } from "../client.js";
import { writeAndWait } from "../internal/write.js";

/** Approves `spender` for exactly `amount` of the stablecoin when the wallet's allowance is below it. */
export async function ensureAllowance(client: CogFiClient, action: string, spender: Address, amount: bigint): Promise<void> {
  const wallet = requireWallet(client, action);
  const token = client.deployment.contracts.Stablecoin;
  const allowance = await client.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: "allowance",
    args: [wallet.account.address, spender],
  });
  if (allowance >= amount) return;
  await writeAndWait(client, `${action} (approve)`, {
    address: token,
    abi: erc20Abi,
    functionName: "approve",
    args: [spender, amount],
  });
}
