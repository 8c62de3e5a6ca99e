import { parseEventLogs, type Address, type Hash } from "viem";
import { requireWallet, type CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import { ensureAllowance } from "../../internal/allowance.js";
import { writeAndWait } from "../../internal/write.js";

export type DepositParameters = {
  /** Stablecoin units to underwrite with. */
  assets: bigint;
  /** Who receives the shares (default: the client's account). */
  receiver?: Address;
  /** Approve the pool for `assets` if needed (default true). */
  approve?: boolean;
};
export type DepositReturnType = { hash: Hash; assets: bigint; shares: bigint };
export type DepositErrorType = CogFiContractError<"VaultOverflow" | "ERC20InsufficientAllowance" | "ERC20InsufficientBalance"> | CogFiError;

/**
 * Underwrites the InsurancePool: deposits `assets` of the stablecoin into its ERC-4626 vault for `cogINS` shares
 * (rounded down; 6 more decimals than the asset). Shares bear premiums and claims; they leave through the queue
 * (`requestWithdraw`, then `completeWithdraw` after `WITHDRAW_COOLDOWN`).
 * @example
 * const { shares } = await deposit(client, { assets: 10_000_000_000n }); // 10,000 mUSD
 */
export async function deposit(client: CogFiClient, parameters: DepositParameters): Promise<DepositReturnType> {
  const wallet = requireWallet(client, "deposit");
  const { insurancePool } = insuranceAddresses(client);
  if (parameters.approve ?? true) {
    await ensureAllowance(client, "deposit", client.deployment.contracts.Stablecoin, insurancePool, parameters.assets);
  }
  const { hash, receipt } = await writeAndWait(client, "deposit", {
    address: insurancePool,
    abi: insurancePoolAbi,
    functionName: "deposit",
    args: [parameters.assets, parameters.receiver ?? wallet.account.address],
  });
  const [event] = parseEventLogs({ abi: insurancePoolAbi, eventName: "Deposit", logs: receipt.logs });
  if (!event) throw new CogFiError(`deposit ${hash} emitted no Deposit event`);
  return { hash, assets: event.args.assets, shares: event.args.shares };
}
