import type { CogFiClient } from "../../client.js";
import type { CogFiError } from "../../errors.js";
import { insurancePoolAbi } from "../../generated/abis.js";
import { insuranceAddresses } from "../../insurance/addresses.js";
import { readOrThrow } from "../../internal/write.js";

export type GetPoolStateParameters = { blockNumber?: bigint };
export type GetPoolStateReturnType = {
  /** Accounted assets (`totalAssets`): deposits + premiums - claims - withdrawals. */
  capital: bigint;
  /** Share supply (`totalSupply`, queued shares included) and the share token's decimals (the asset's + 6). */
  totalShares: bigint;
  shareDecimals: number;
  /** Stablecoin units one whole share redeems for (`convertToAssets(10^shareDecimals)`, rounded down). */
  sharePrice: bigint;
  /** Outstanding aggregate limits of unreleased policies, net of claims paid. */
  exposure: bigint;
  /** Capital running policies require (`exposure / maxLeverage`, rounded up): never withdrawn. */
  requiredCapital: bigint;
  /** Capital free to withdraw (`capital - requiredCapital`, at least 0). */
  freeCapital: bigint;
  /** Premiums received and claims paid since deployment. */
  premiums: bigint;
  claims: bigint;
  /** Claims over premiums, in bps (0 before any premium). */
  lossRatioBps: bigint;
  /** Exposure over the capacity (`capital x maxLeverage`), in bps (0 without capital). */
  utilizationBps: bigint;
  policyCount: bigint;
  /** The pool's pricing and capacity parameters. */
  loadingBps: bigint;
  capitalChargeBps: bigint;
  maxLeverageBps: bigint;
  maxModelExposureBps: bigint;
};
export type GetPoolStateErrorType = CogFiError;

/**
 * Reads the InsurancePool's state at one block: capital, exposure, premiums and claims, loss ratio, utilization and
 * the underwriters' share price.
 * @example
 * const { sharePrice, lossRatioBps } = await getPoolState(client);
 */
export async function getPoolState(client: CogFiClient, parameters: GetPoolStateParameters = {}): Promise<GetPoolStateReturnType> {
  const { insurancePool } = insuranceAddresses(client);
  // Every figure at one block; cacheTime 0: viem caches the block number for its polling interval.
  const blockNumber = parameters.blockNumber ?? (await readOrThrow("getPoolState", () => client.publicClient.getBlockNumber({ cacheTime: 0 })));
  const read = <name extends ViewName>(functionName: name) =>
    client.publicClient.readContract({ address: insurancePool, abi: insurancePoolAbi, functionName, blockNumber } as never) as Promise<ViewReturn[name]>;
  const [capital, totalShares, shareDecimals, exposure, requiredCapital, totals, policyCount, loadingBps, capitalChargeBps, maxLeverageBps, maxModelExposureBps] =
    await readOrThrow("getPoolState", () =>
      Promise.all([
        read("totalAssets"),
        read("totalSupply"),
        read("decimals"),
        read("exposure"),
        read("requiredCapital"),
        read("totals"),
        read("policyCount"),
        read("loadingBps"),
        read("capitalChargeBps"),
        read("maxLeverageBps"),
        read("maxModelExposureBps"),
      ]),
    );
  const sharePrice = await readOrThrow("getPoolState", () =>
    client.publicClient.readContract({
      address: insurancePool,
      abi: insurancePoolAbi,
      functionName: "convertToAssets",
      args: [10n ** BigInt(shareDecimals)],
      blockNumber,
    }),
  );
  const [premiums, claims] = totals;
  const capacity = (capital * maxLeverageBps) / 10_000n;
  return {
    capital,
    totalShares,
    shareDecimals,
    sharePrice,
    exposure,
    requiredCapital,
    freeCapital: capital > requiredCapital ? capital - requiredCapital : 0n,
    premiums,
    claims,
    lossRatioBps: premiums === 0n ? 0n : (claims * 10_000n) / premiums,
    utilizationBps: capacity === 0n ? 0n : (exposure * 10_000n) / capacity,
    policyCount,
    loadingBps,
    capitalChargeBps,
    maxLeverageBps,
    maxModelExposureBps,
  };
}

type ViewReturn = {
  totalAssets: bigint;
  totalSupply: bigint;
  decimals: number;
  exposure: bigint;
  requiredCapital: bigint;
  totals: readonly [bigint, bigint];
  policyCount: bigint;
  loadingBps: bigint;
  capitalChargeBps: bigint;
  maxLeverageBps: bigint;
  maxModelExposureBps: bigint;
};
type ViewName = keyof ViewReturn;
