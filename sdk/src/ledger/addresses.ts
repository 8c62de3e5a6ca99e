import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";
import { groupAddresses, groupEntries, type DeploymentKey, type GroupAddresses } from "../manifest.js";

/** The deployment entries the attested-inference helpers need (from the manifest's `ledger` group). */
export const LEDGER_CONTRACT_NAMES: readonly DeploymentKey[] = groupEntries("ledger")
  .filter((entry) => entry.need !== "optional")
  .map((entry) => entry.key as DeploymentKey);

/**
 * The ledger contracts, by field: `inferenceLedger`, `inferenceLedgerLens` (views of the ledger's sessions,
 * statistics and fees: the ledger keeps only what settlement needs), `enclaveRegistry`, `computeCostFeed`, and
 * `devAttestationVerifier` (local chains only, so optional).
 */
export type LedgerAddresses = GroupAddresses<"ledger">;

/**
 * The ledger contracts of the client's deployment; throws a `CogFiError` naming what is missing.
 * @example
 * const { inferenceLedger, enclaveRegistry } = ledgerAddresses(client);
 */
export function ledgerAddresses(client: Pick<CogFiClient, "deployment">): LedgerAddresses {
  return groupAddresses(client.deployment.contracts, "ledger", (key) => new CogFiError(`deployment has no ${key}: deploy the ledger suite first`));
}
