import type { Abi, ContractFunctionArgs, ContractFunctionName, Hash, TransactionReceipt, Address } from "viem";
import { requireWallet, type CogFiClient } from "../client.js";
import { CogFiError, toCogFiError } from "../errors.js";

export type WriteResult = { hash: Hash; receipt: TransactionReceipt };

/**
 * Simulates, sends and waits for one contract call, turning reverts into typed CogFi errors.
 * Simulation first means a custom error surfaces before any gas is spent. The gas limit carries a margin
 * (x1.25 + 60k): an estimate taken on the latest block misses work done once per block (an AMM's oracle write
 * and revenue claim, a ledger's cost-feed round), which the first transaction of the next block pays.
 */
export async function writeAndWait<
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

/** Runs a read and turns reverts into typed CogFi errors. */
export async function readOrThrow<T>(action: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw toCogFiError(error, action);
  }
}
