import type { Address } from "viem";
import type { CogFiClient } from "../client.js";
import { CogFiError } from "../errors.js";

/** The deployment entries of the attested-inference contracts (written by script/Deploy.s.sol). */
export const LEDGER_CONTRACT_NAMES = ["InferenceLedger", "InferenceLedgerLens", "EnclaveRegistry", "ComputeCostFeed"] as const;

export type LedgerAddresses = {
  inferenceLedger: Address;
  /** Views of the ledger's sessions, statistics and fees (the ledger keeps only what settlement needs). */
  inferenceLedgerLens: Address;
  enclaveRegistry: Address;
  computeCostFeed: Address;
  /** Present on local chains only. */
  devAttestationVerifier?: Address;
};

/** The ledger contracts of the client's deployment; throws a `CogFiError` naming what is missing. */
export function ledgerAddresses(client: Pick<CogFiClient, "deployment">): LedgerAddresses {
  const contracts = client.deployment.contracts as Partial<Record<string, Address>>;
  for (const name of LEDGER_CONTRACT_NAMES) {
    if (!contracts[name]) throw new CogFiError(`deployment has no ${name}: deploy the ledger suite first`);
  }
  return {
    inferenceLedger: contracts.InferenceLedger!,
    inferenceLedgerLens: contracts.InferenceLedgerLens!,
    enclaveRegistry: contracts.EnclaveRegistry!,
    computeCostFeed: contracts.ComputeCostFeed!,
    devAttestationVerifier: contracts.DevAttestationVerifier,
  };
}
