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
  budget: bigint;
  spent: bigint;
  /** Highest receipt sequence settled so far (0 before the first). */
  lastSequence: bigint;
  /** Approves inference while the block timestamp is below it. */
  expiry: bigint;
  closed: boolean;
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
  /** `EnclaveRegistry.keyStatus(key, modelId)` at `blockNumber`, by name (`Valid`, `Unknown`, `Expired`, ...). */
  keyStatus(key: Address, modelId: bigint, blockNumber: bigint): Promise<KeyStatusName>;
}
