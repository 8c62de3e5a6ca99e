import type { Address } from "viem";

/** Stablecoin units (6 decimals for USDC-like coins) per million tokens of each kind. */
export type Pricing = {
  inputPerMTok: bigint;
  outputPerMTok: bigint;
  reasoningPerMTok: bigint;
};

/** What a model owner supplies to register a model. */
export type ModelParams = {
  name: string;
  metadataURI: string;
  pricing: Pricing;
  /** Fixed share supply in 18-decimal units (e.g. `parseUnits("1000000", 18)`). */
  shareSupply: bigint;
};

/** A model as the SDK returns it. */
export type ModelInfo = {
  modelId: bigint;
  owner: Address;
  share: Address;
  /** 0n for a base model. */
  parentId: bigint;
  royaltyBps: number;
  depth: number;
  paused: boolean;
  /** The pricing in force now (the scheduled one once its time has come). */
  pricing: Pricing;
  /** A scheduled change not yet in force, if any. */
  pendingPricing?: { pricing: Pricing; effectiveAt: bigint };
  pendingOwner?: Address;
  name: string;
  metadataURI: string;
};

/** A model's registration result. */
export type RegisteredModel = { modelId: bigint; share: Address; hash: `0x${string}` };
