import { BaseError, ContractFunctionRevertedError, decodeErrorResult, toFunctionSelector, type Abi, type Hex } from "viem";
import * as abis from "./generated/abis.js";

type AnyAbiItem = (typeof abis)[keyof typeof abis][number];

/** Every custom error any CogFi contract can revert with. */
export type CogFiErrorName = Extract<AnyAbiItem, { type: "error" }>["name"];

/** All custom errors of the generated ABIs, deduplicated by signature, for decoding nested reverts. */
export const cogfiErrorsAbi: Abi = (() => {
  const seen = new Map<string, Abi[number]>();
  for (const abi of Object.values(abis) as Abi[]) {
    for (const item of abi) {
      if (item.type !== "error") continue;
      const signature = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
      seen.set(toFunctionSelector(signature), item);
    }
  }
  return [...seen.values()];
})();

/** Base class of every error the SDK throws; `cause` keeps the underlying error. */
export class CogFiError extends Error {
  override name = "CogFiError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A CogFi contract reverted with one of its custom errors. */
export class CogFiContractError<name extends CogFiErrorName = CogFiErrorName> extends CogFiError {
  override name = "CogFiContractError";
  readonly errorName: name;
  readonly args: readonly unknown[];
  readonly data: Hex;
  constructor(errorName: name, args: readonly unknown[], data: Hex, options?: { cause?: unknown; action?: string }) {
    const rendered = args.map((arg) => (typeof arg === "bigint" ? arg.toString() : String(arg))).join(", ");
    super(`${options?.action ? `${options.action}: ` : ""}${errorName}(${rendered})`, options);
    this.errorName = errorName;
    this.args = args;
    this.data = data;
  }
}

/** Finds the revert data inside a viem error chain, if any. */
function revertDataOf(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError) return reverted.raw ?? undefined;
  // Errors raised outside a contract call (estimateGas, sendTransaction) carry the data on a nested `data` field.
  let found: Hex | undefined;
  error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) found = data as Hex;
    return false;
  });
  return found;
}

/**
 * Decodes a CogFi custom error out of any error thrown by viem, or returns undefined.
 * @example
 * try { await registerDerivative(client, params) }
 * catch (e) { if (decodeCogFiError(e)?.errorName === "InvalidRoyalty") ... }
 */
export function decodeCogFiError(error: unknown, action?: string): CogFiContractError | undefined {
  if (error instanceof CogFiContractError) return error;
  const data = revertDataOf(error);
  if (!data) return undefined;
  try {
    const decoded = decodeErrorResult({ abi: cogfiErrorsAbi, data });
    return new CogFiContractError(decoded.errorName as CogFiErrorName, decoded.args ?? [], data, { cause: error, action });
  } catch {
    return undefined;
  }
}

/** Turns any error from an action into a `CogFiContractError` when it decodes, else a `CogFiError` with cause. */
export function toCogFiError(error: unknown, action: string): CogFiError {
  if (error instanceof CogFiError) return error;
  const decoded = decodeCogFiError(error, action);
  if (decoded) return decoded;
  const message = error instanceof BaseError ? error.shortMessage : error instanceof Error ? error.message : String(error);
  return new CogFiError(`${action}: ${message}`, { cause: error });
}

/** Whether `error` is a CogFi custom error named `name` (narrows its type). */
export function isCogFiError<name extends CogFiErrorName>(error: unknown, name: name): error is CogFiContractError<name> {
  return error instanceof CogFiContractError && error.errorName === name;
}
