import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startLedgerChain, enclaveAccount, type LedgerChain } from "../../../test/ledger/harness.js";
import {
  BUYER,
  KEEPER,
  openTestSession,
  serveModel,
  signTestBatch,
  testReceipts,
  USDC,
  type ServedModel,
} from "../../../test/ledger/fixtures.js";
import { modelParams } from "../../../test/fixtures.js";
import {
  CogFiContractError,
  DEFAULT_REVENUE_STREAM_PERIOD,
  getClaimableRevenue,
  getModelRevenue,
  openSession,
  registerDerivative,
  settleUsage,
  type GetModelRevenueReturnType,
  type SettleUsageReturnType,
} from "../../index.js";

const FINE_TUNER = 2;
const OTHER_BUYER = 5;
const ROYALTY_BPS = 1_500n;

let chain: LedgerChain;
let base: ServedModel;
let tune: ServedModel;
let beforeTraffic: bigint;
let baseSettled: SettleUsageReturnType;
let tuneSettled: SettleUsageReturnType;

beforeAll(async () => {
  chain = await startLedgerChain();
  base = await serveModel(chain, "revenue-base");
  const { modelId, share } = await registerDerivative(chain.client(FINE_TUNER), {
    ...modelParams("revenue-tune"),
    parentId: base.modelId,
    royaltyBps: Number(ROYALTY_BPS),
  });
  const enclave = enclaveAccount(2);
  const { gatewayId } = await chain.registerDevEnclave(modelId, enclave);
  tune = { modelId, share, gatewayId, enclave, ledger: base.ledger };
  beforeTraffic = await chain.reader.publicClient.getBlockNumber();

  // Two buyers use the base model, one the fine-tune; every session settles.
  await chain.fund(OTHER_BUYER, USDC("100"));
  const { sessionId: otherSession } = await openSession(chain.client(OTHER_BUYER), {
    modelId: base.modelId,
    gatewayId: base.gatewayId,
    budget: USDC("10"),
    expiry: (await chain.now()) + 86_400n,
  });
  const baseSession = await openTestSession(chain, base);
  const tuneSession = await openTestSession(chain, tune);
  const baseBatch = await signTestBatch(chain, base, 1n, [...testReceipts(baseSession, 1n, 2), ...testReceipts(otherSession, 1n, 2)]);
  baseSettled = await settleUsage(chain.client(KEEPER), { batch: baseBatch.batch });
  tuneSettled = await settleUsage(chain.client(KEEPER), { batch: (await signTestBatch(chain, tune, 1n, testReceipts(tuneSession, 1n, 3))).batch });
});
afterAll(() => chain?.stop());

/** Fees the ledger kept out of a settlement. */
const fees = (settled: SettleUsageReturnType) => settled.protocolFee + settled.submitterFee;

describe("getModelRevenue", () => {
  test("settled revenue is routed to the model's holders and, as royalty, to its parent's", async () => {
    const blockNumber = await chain.reader.publicClient.getBlockNumber();
    const [b, t] = await Promise.all([
      getModelRevenue(chain.reader, { modelId: base.modelId, blockNumber }),
      getModelRevenue(chain.reader, { modelId: tune.modelId, blockNumber }),
    ]);
    expect(b.blockNumber).toBe(blockNumber);
    expect(b.holder).toBe(chain.accounts[1]!.address);
    expect(t.holder).toBe(chain.accounts[FINE_TUNER]!.address);

    // Settled: every buyer's sessions, as charged.
    expect(baseSettled.sessions.length).toBe(2);
    expect(b.settled).toBe(baseSettled.charged);
    expect(t.settled).toBe(tuneSettled.charged);
    expect(b.settled).toBeGreaterThan(0n);

    // Settled = fees + royalties paid up + own revenue, to the unit.
    expect(b.settled).toBe(fees(baseSettled) + b.royaltiesPaid + b.ownRevenue);
    expect(t.settled).toBe(fees(tuneSettled) + t.royaltiesPaid + t.ownRevenue);
    expect(b.royaltiesPaid).toBe(0n);
    expect(t.royaltiesPaid).toBe(((t.settled - fees(tuneSettled)) * ROYALTY_BPS) / 10_000n);
    expect(t.royaltiesPaid).toBeGreaterThan(0n);
    expect(b.royaltiesReceived).toBe(t.royaltiesPaid);
    expect(t.royaltiesReceived).toBe(0n);

    // What reached each share, and how much of it has streamed in so far.
    expect(b.deposited).toBe(b.ownRevenue + b.royaltiesReceived);
    expect(t.deposited).toBe(t.ownRevenue);
    for (const r of [b, t]) {
      expect(r.released + r.streaming).toBe(r.deposited);
      expect(r.streamPeriod).toBe(DEFAULT_REVENUE_STREAM_PERIOD);
      expect(r.streamEnd).toBeGreaterThan(r.timestamp);
      expect(r.streamEnd).toBeLessThanOrEqual(r.timestamp + r.streamPeriod);
      // The owner holds the whole supply: it can claim everything released.
      expect(r.claimable).toBe(r.released);
      expect(r.claimable).toBe(await getClaimableRevenue(chain.reader, { share: r.share, holder: r.holder, blockNumber }));
    }
  });

  test("every figure is read at the given block, also after the chain moved on", async () => {
    const blockNumber = await chain.reader.publicClient.getBlockNumber();
    const first = await getModelRevenue(chain.reader, { modelId: base.modelId, blockNumber });
    await chain.warp(DEFAULT_REVENUE_STREAM_PERIOD);
    const again = await getModelRevenue(chain.reader, { modelId: base.modelId, blockNumber });
    expect(again).toEqual(first);

    // One period later the stream has run out: everything deposited is released and claimable by the owner.
    const later = await getModelRevenue(chain.reader, { modelId: base.modelId });
    expect(later.blockNumber).toBeGreaterThan(blockNumber);
    expect(later.streaming).toBe(0n);
    expect(later.released).toBe(first.deposited);
    expect(later.claimable).toBe(first.deposited);
    expect(later.claimable).toBeGreaterThan(first.claimable);
  });

  test("before any traffic there is nothing settled, routed or claimable", async () => {
    const empty: Partial<GetModelRevenueReturnType> = await getModelRevenue(chain.reader, { modelId: tune.modelId, blockNumber: beforeTraffic });
    for (const key of ["settled", "ownRevenue", "royaltiesPaid", "royaltiesReceived", "deposited", "released", "streaming", "claimable"] as const) {
      expect(empty[key], key).toBe(0n);
    }
  });

  test("a holder other than the owner: its own claimable revenue", async () => {
    const r = await getModelRevenue(chain.reader, { modelId: base.modelId, holder: chain.accounts[BUYER]!.address });
    expect(r.holder).toBe(chain.accounts[BUYER]!.address);
    expect(r.claimable).toBe(0n);
    expect(r.released).toBeGreaterThan(0n);
  });

  test("an unknown model is a typed UnknownModel error", async () => {
    const error = await getModelRevenue(chain.reader, { modelId: 10_000n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CogFiContractError);
    expect((error as CogFiContractError).errorName).toBe("UnknownModel");
  });
});
