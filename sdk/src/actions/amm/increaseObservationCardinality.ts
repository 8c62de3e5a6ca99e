import type { Address, Hash } from "viem";
import type { CogFiClient } from "../../client.js";
import { CogFiError, type CogFiContractError } from "../../errors.js";
import { cognitionPoolAbi } from "../../generated/abis.js";
import { readOrThrow, writeAndWait } from "../../internal/write.js";

/** Observation slots a pool initializes per transaction by default (~22k gas each: ~22M gas, under a 30M block). */
export const OBSERVATION_SLOTS_PER_TRANSACTION = 1_000;
/** Most observations a pool can store (`uint16` ring). */
export const MAX_OBSERVATION_CARDINALITY = 65_535;

export type IncreaseObservationCardinalityParameters = {
  pool: Address;
  /** The ring size to reach (a share oracle needs its `requiredCardinality`); nothing is sent if already there. */
  cardinality: number;
  /** Slots initialized per transaction, at most (default `OBSERVATION_SLOTS_PER_TRANSACTION`). */
  slotsPerTransaction?: number;
};
export type IncreaseObservationCardinalityReturnType = {
  /** One hash per transaction sent, in order (empty when the ring was already large enough). */
  hashes: Hash[];
  /** `observationCardinalityNext` before and after. */
  previous: number;
  cardinalityNext: number;
};
export type IncreaseObservationCardinalityErrorType = CogFiContractError<"NotInitialized" | "Reentrancy"> | CogFiError;

/**
 * Grows a pool's observation ring to `cardinality` slots (`increaseObservationCardinalityNext`), in transactions of at
 * most `slotsPerTransaction` new slots each, so that a TWAP reader (a lending market's share oracle) finds the
 * history it needs. Anyone may pay for it; the slots are used as the pool writes new observations.
 * @example
 * const { requiredCardinality } = ...; // the oracle's
 * await increaseObservationCardinality(client, { pool, cardinality: requiredCardinality });
 */
export async function increaseObservationCardinality(
  client: CogFiClient,
  parameters: IncreaseObservationCardinalityParameters,
): Promise<IncreaseObservationCardinalityReturnType> {
  const { pool, cardinality } = parameters;
  const step = parameters.slotsPerTransaction ?? OBSERVATION_SLOTS_PER_TRANSACTION;
  if (!Number.isInteger(cardinality) || cardinality < 1 || cardinality > MAX_OBSERVATION_CARDINALITY) {
    throw new CogFiError(`increaseObservationCardinality: cardinality ${cardinality} is not an integer in 1..${MAX_OBSERVATION_CARDINALITY}`);
  }
  if (!Number.isInteger(step) || step < 1) throw new CogFiError(`increaseObservationCardinality: slotsPerTransaction ${step} is not a positive integer`);
  const cardinalityNext = async () =>
    (await readOrThrow("increaseObservationCardinality", () =>
      client.publicClient.readContract({ address: pool, abi: cognitionPoolAbi, functionName: "slot0" }),
    ))[4];
  const previous = await cardinalityNext();
  const hashes: Hash[] = [];
  for (let current = previous; current < cardinality; ) {
    const target = Math.min(current + step, cardinality);
    const { hash } = await writeAndWait(client, "increaseObservationCardinality", {
      address: pool,
      abi: cognitionPoolAbi,
      functionName: "increaseObservationCardinalityNext",
      args: [target],
    });
    hashes.push(hash);
    current = target;
  }
  const next = hashes.length === 0 ? previous : await cardinalityNext();
  if (next < cardinality) throw new CogFiError(`increaseObservationCardinality: ${pool} reached ${next} slots, not ${cardinality}`);
  return { hashes, previous, cardinalityNext: next };
}
