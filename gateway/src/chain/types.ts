/**
 * What the gateway needs to read from the chain, behind one small interface so approval logic and tests do not
 * depend on RPC details. `sdkChainReader` implements it with the sdk's actions.
 */
import type { Address, Hex } from "viem";

/** Stablecoin units per million tokens of each kind. */
export type Pricing = { inputPerMTok: bigint; outputPerMTok: bigint; reasoningPerMTok: bigint };

/** An InferenceLedger session as of some block. */
export type SessionState = {
  sessionId: bigint;
  modelId: bigint;
  buyer: Address;
  /** The EnclaveRegistry gateway the session is bound to: only that gateway may serve it. */
  gatewayId: bigint;
  budget: bigint;
  spent: bigint;
  /** Highest receipt sequence settled so far (0 before the first). */
  lastSequence: bigint;
  /** Approves inference while the block timestamp is below it. */
  expiry: bigint;
  closed: boolean;
  /**
   * The InsurancePool policy the session was opened under and its per-request terms (`sessionCover`): generated
   * tokens up to `strikeTokens + limitTokens` are what the policy insures. Absent for an uninsured session.
   */
  policy?: { policyId: bigint; strikeTokens: bigint; limitTokens: bigint };
};

/** A registered model as of some block. */
export type ModelState = {
  modelId: bigint;
  name: string;
  owner: Address;
  parentId: bigint;
  paused: boolean;
  pricing: Pricing;
};

/** The EnclaveRegistry's `KeyStatus`, by name (`Valid`, `Unknown`, `Expired`, ...). */
export type { KeyStatusName } from "@cogfi/sdk";
import type { KeyStatusName } from "@cogfi/sdk";

export type BlockHead = { number: bigint; timestamp: bigint };

/** An enclave key's status for a model and the gateway it signs for (0n when the key is unknown). */
export type KeyGateway = { status: KeyStatusName; gatewayId: bigint };

export interface ChainReader {
  /** The latest block. */
  head(): Promise<BlockHead>;
  /** Hash of block `blockNumber` (identifies the chain instance the receipt log belongs to). */
  blockHash(blockNumber: bigint): Promise<Hex>;
  /** The session at `blockNumber`, undefined when no such session exists. */
  session(sessionId: bigint, blockNumber: bigint): Promise<SessionState | undefined>;
  /** The model at `blockNumber`, undefined when no such model exists. */
  model(modelId: bigint, blockNumber: bigint): Promise<ModelState | undefined>;
  /** Number of registered models (ids run from 1) at `blockNumber`. */
  modelCount(blockNumber: bigint): Promise<bigint>;
  /**
   * `EnclaveRegistry.keyGateway(key, modelId)` at `blockNumber`: the key's status by name (`Valid`, `Unknown`,
   * `Expired`, ...) and the gateway it signs for (0 for an unknown key).
   */
  keyGateway(key: Address, modelId: bigint, blockNumber: bigint): Promise<KeyGateway>;
  /**
   * The buyer's close request of a session (`SessionCloseRequested`: it moved the expiry to that moment), undefined
   * when the buyer never asked to close it. Tells a session the buyer closed from one that ran out its time.
   */
  closeRequest?(sessionId: bigint): Promise<{ blockNumber: bigint; refundableAt: bigint } | undefined>;
  /** `InferenceLedger.settledBatches(gatewayId)` at `blockNumber` (default the latest): the gateway's batches settled so far. */
  settledBatches(gatewayId: bigint, blockNumber?: bigint): Promise<bigint>;
}
