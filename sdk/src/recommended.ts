/**
 * The risk parameters `cogfi-sim search` recommends (issue #14 scope 6): one file, `sdk/src/recommended-params.json`,
 * written by `npm run sim:recommend` with its report `docs/risk/recommended-parameters.md`. `script/Deploy.s.sol` reads
 * the same file (the InsurancePool's loading; the LLTV must be one it enables), `npm start` opens its lending markets
 * from it, and `DEFAULT_INSURANCE_PARAMETERS.loadingBps` is its loading.
 */
import recommended from "./recommended-params.json" with { type: "json" };
import { CogFiError } from "./errors.js";
import { LENDING_LLTVS } from "./lending/addresses.js";

/** The file's content (`RecommendedParams` in simulations/src/search.ts writes it). */
export type RecommendedParamsFile = {
  schemaVersion: 1;
  source: string;
  command: string;
  searchDigest: string;
  lending: { lltvBps: number; capUsageBps: number };
  insurance: { loadingBps: number };
};

/** The recommendation in on-chain units. */
export type RecommendedParameters = {
  /** LLTV, WAD (one of `LENDING_LLTVS`). */
  lltv: bigint;
  /** The market's borrow cap as a share of the sdk's `capsFromLiquidity` borrow cap, bps. */
  capUsageBps: bigint;
  /** The InsurancePool's premium loading, bps. */
  loadingBps: bigint;
  /** The report that justifies them and the command that generated both. */
  source: string;
  command: string;
  searchDigest: string;
};

/** Checks a recommended-parameters file and converts it to on-chain units; throws a `CogFiError` naming the field. */
export function parseRecommendedParams(file: RecommendedParamsFile): RecommendedParameters {
  const integer = (value: unknown, name: string, max: number) => {
    if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > max) throw new CogFiError(`recommended parameters: ${name} ${String(value)} is not an integer in [0, ${max}]`);
    return BigInt(value as number);
  };
  if (file.schemaVersion !== 1) throw new CogFiError(`recommended parameters: schemaVersion ${String(file.schemaVersion)}, expected 1`);
  const lltv = integer(file.lending?.lltvBps, "lending.lltvBps", 10_000) * 10n ** 14n;
  if (!LENDING_LLTVS.includes(lltv as (typeof LENDING_LLTVS)[number])) throw new CogFiError(`recommended parameters: LLTV ${lltv} is not one the deployment enables (LENDING_LLTVS)`);
  const capUsageBps = integer(file.lending?.capUsageBps, "lending.capUsageBps", 10_000);
  if (capUsageBps === 0n) throw new CogFiError("recommended parameters: lending.capUsageBps is 0");
  return { lltv, capUsageBps, loadingBps: integer(file.insurance?.loadingBps, "insurance.loadingBps", 50_000), source: file.source, command: file.command, searchDigest: file.searchDigest };
}

/** The committed recommendation (`sdk/src/recommended-params.json`). */
export const RECOMMENDED_PARAMETERS: RecommendedParameters = parseRecommendedParams(recommended as RecommendedParamsFile);
