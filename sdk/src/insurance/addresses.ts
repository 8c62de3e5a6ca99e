import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";
import { groupAddresses, type GroupAddresses } from "../manifest.js";

/** The compute-insurance contracts, by field: `insurancePool` (the manifest's `insurance` group). */
export type InsuranceAddresses = GroupAddresses<"insurance">;

/**
 * The insurance contracts of the client's deployment; throws a `CogFiError` naming what is missing.
 * @example
 * const { insurancePool } = insuranceAddresses(client);
 */
export function insuranceAddresses(client: Pick<CogFiClient, "deployment">): InsuranceAddresses {
  return groupAddresses(client.deployment.contracts, "insurance", (key) => new CogFiError(`deployment has no ${key}: deploy the InsurancePool first`));
}
