/**
 * In-memory stand-ins for the chain and the enclave signer, for tests that exercise the gateway's own logic
 * (validation, approval arithmetic, streaming) without anvil. The anvil tests use the real ones.
 */
import { keccak256, numberToHex, type Address, type Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import type { BlockHead, ChainReader, KeyGateway, KeyStatusName, ModelState, SessionState } from "../src/chain/types.js";
import type { Attestor } from "../src/enclave/attestor.js";
import type { BatchInput, BatchSignature, ReceiptSigner } from "../src/receipts/types.js";

export class FakeChain implements ChainReader {
  head_: BlockHead = { number: 1n, timestamp: 1_000_000n };
  sessions = new Map<bigint, SessionState>();
  models = new Map<bigint, ModelState>();
  reads = { head: 0, session: 0, model: 0 };
  failing = false;

  async head(): Promise<BlockHead> {
    this.reads.head++;
    if (this.failing) throw new Error("rpc down");
    return this.head_;
  }
  /** Identifies this fake chain instance. */
  anchor: Hex = `0x${"ab".repeat(32)}`;
  async blockHash(): Promise<Hex> {
    return this.anchor;
  }
  /** Block from which a session exists (sessions added with `fromNextBlock`). */
  visibleFrom = new Map<bigint, bigint>();
  async session(sessionId: bigint, blockNumber: bigint): Promise<SessionState | undefined> {
    this.reads.session++;
    if (this.failing) throw new Error("rpc down");
    if (blockNumber < (this.visibleFrom.get(sessionId) ?? 0n)) return undefined;
    const session = this.sessions.get(sessionId);
    return session && { ...session };
  }
  async model(modelId: bigint): Promise<ModelState | undefined> {
    this.reads.model++;
    if (this.failing) throw new Error("rpc down");
    const model = this.models.get(modelId);
    return model && { ...model };
  }
  async modelCount(): Promise<bigint> {
    return BigInt(this.models.size);
  }
  /** Key statuses by model id; Valid when unset. */
  keyStatuses = new Map<bigint, KeyStatusName>();
  /** The gateway of each model's key; the model id when unset (sessions default to it too). */
  gatewayIds = new Map<bigint, bigint>();
  async keyGateway(_key: Address, modelId: bigint): Promise<KeyGateway> {
    return { status: this.keyStatuses.get(modelId) ?? "Valid", gatewayId: this.gatewayIds.get(modelId) ?? modelId };
  }
  /** Close requests by session id (`requestClose`). */
  closeRequests = new Map<bigint, { blockNumber: bigint; refundableAt: bigint }>();
  async closeRequest(sessionId: bigint): Promise<{ blockNumber: bigint; refundableAt: bigint } | undefined> {
    return this.closeRequests.get(sessionId);
  }
  /** The buyer asks to close a session, as `InferenceLedger.closeSession` does before expiry (next block). */
  requestClose(sessionId: bigint): void {
    this.mine();
    const session = this.sessions.get(sessionId)!;
    session.expiry = this.head_.timestamp;
    this.closeRequests.set(sessionId, { blockNumber: this.head_.number, refundableAt: this.head_.timestamp + 86_400n });
  }
  /** Settled batches by gateway id; 0 when unset. */
  settled = new Map<bigint, bigint>();
  /** The blocks `settledBatches` was read at (undefined: latest). */
  settledReads: (bigint | undefined)[] = [];
  async settledBatches(gatewayId: bigint, blockNumber?: bigint): Promise<bigint> {
    this.settledReads.push(blockNumber);
    return this.settled.get(gatewayId) ?? 0n;
  }

  /** Mines a block: state changes are visible from the new block on. */
  mine(seconds = 1n): void {
    this.head_ = { number: this.head_.number + 1n, timestamp: this.head_.timestamp + seconds };
  }

  addModel(modelId: bigint, name: string, pricing = { inputPerMTok: 100_000n, outputPerMTok: 400_000n, reasoningPerMTok: 400_000n }): void {
    this.models.set(modelId, { modelId, name, owner: "0x0000000000000000000000000000000000000001", parentId: 0n, paused: false, pricing });
  }

  addSession(session: Partial<SessionState> & { sessionId: bigint; buyer: Address }, options: { fromNextBlock?: boolean } = {}): SessionState {
    if (options.fromNextBlock) this.visibleFrom.set(session.sessionId, this.head_.number + 1n);
    const modelId = session.modelId ?? 1n;
    const full: SessionState = {
      modelId,
      gatewayId: this.gatewayIds.get(modelId) ?? modelId,
      budget: 1_000_000n,
      spent: 0n,
      lastSequence: 0n,
      expiry: this.head_.timestamp + 3_600n,
      closed: false,
      ...session,
    };
    this.sessions.set(full.sessionId, full);
    return full;
  }
}

/** Signs nothing real: a deterministic stand-in with the same shape. */
export class FakeSigner implements ReceiptSigner {
  batches: BatchInput[] = [];
  enclaveFor(modelId: bigint): Address {
    return `0x${modelId.toString(16).padStart(40, "0")}` as Address;
  }
  async signBatch(input: BatchInput): Promise<BatchSignature> {
    this.batches.push(input);
    const sessionIds = [...new Set(input.receipts.map((r) => r.sessionId))];
    const ordered = sessionIds.flatMap((id) => input.receipts.filter((r) => r.sessionId === id));
    const receipts = ordered.map((r) => (BigInt(sessionIds.indexOf(r.sessionId)) << 240n) | (r.sequence << 192n));
    const digest = keccak256(numberToHex(receipts.reduce((a, b) => a ^ b, 0n), { size: 32 }));
    return {
      modelId: input.modelId,
      gatewayId: input.gatewayId,
      batchNumber: input.batchNumber,
      servedPricing: input.receipts.reduce((min, r) => (r.pricing < min ? r.pricing : min), input.receipts[0]!.pricing),
      enclave: this.enclaveFor(input.modelId),
      sessionIds,
      receipts,
      requestsCommitment: digest,
      digest,
      signature: `0x${"11".repeat(65)}` as Hex,
      items: ordered.map((r) => r.index),
    };
  }
}

export const fakeAttestor: Attestor = {
  mode: "dev",
  async quote(modelId: bigint) {
    return {
      modelId: modelId.toString(),
      enclaveKey: "0x0000000000000000000000000000000000000001" as Address,
      measurement: `0x${"00".repeat(32)}` as Hex,
      reportData: `0x${"00".repeat(32)}` as Hex,
      timestamp: "0",
      quote: "0x" as Hex,
      status: "unregistered",
      gatewayId: null,
    };
  },
  async register() {},
};

export type { PrivateKeyAccount };
