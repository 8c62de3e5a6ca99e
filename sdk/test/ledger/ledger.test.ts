import { keccak256, parseUnits, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { getModel, isCogFiError, registerDerivative, registerModel } from "../../src/index.js";
import { getClaimableRevenue } from "../../src/actions/share/getClaimableRevenue.js";
import {
  batchCharges,
  buildDevQuote,
  closeSession,
  DEV_ENCLAVE_MEASUREMENT,
  enclaveReportData,
  registerEnclave,
  getComputeCost,
  getSession,
  getUsageStats,
  histogramBucket,
  ledgerAddresses,
  getGateway,
  getKeyGateway,
  getSettledBatches,
  chargedPricing,
  openSession,
  packPricing,
  settleUsage,
  signUsageBatch,
  topUpSession,
  verifyUsageBatch,
  type UsageReceipt,
} from "../../src/index.js";
import { modelParams } from "../fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "./harness.js";

const USDC = (amount: string) => parseUnits(amount, 6);
const BASE_OWNER = 1;
const TUNE_OWNER = 2;
const BUYER = 3;
const KEEPER = 4;

let chain: LedgerChain;
let baseId: bigint;
let tuneId: bigint;
/** The gateway of `enclave` (serving the fine-tune). */
let gatewayId: bigint;
/** The next batch number of `gatewayId`. */
let nextBatch = 1n;
const enclave = enclaveAccount(1);

function receipts(sessionId: bigint, from: bigint, count: number): UsageReceipt[] {
  return Array.from({ length: count }, (_, i) => ({
    sessionId,
    sequence: from + BigInt(i),
    inputTokens: 800n + BigInt(i) * 100n,
    outputTokens: 250n,
    reasoningTokens: 1_000n * BigInt(i + 1),
    requestHash: keccak256(toHex(`request-${sessionId}-${from + BigInt(i)}`)),
  }));
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ({ modelId: baseId } = await registerModel(chain.client(BASE_OWNER), modelParams("ledger-base")));
  ({ modelId: tuneId } = await registerDerivative(chain.client(TUNE_OWNER), {
    parentId: baseId,
    royaltyBps: 1_000,
    ...modelParams("ledger-tune"),
  }));
  ({ gatewayId } = await chain.registerDevEnclave(tuneId, enclave));
  await chain.fund(BUYER, USDC("1000"));
});
afterAll(() => chain?.stop());

describe("attested inference round trip", () => {
  test("open, sign, verify, settle: holders, parent royalties, stats and cost feed", async () => {
    const buyer = chain.client(BUYER);
    const keeper = chain.client(KEEPER);
    const { inferenceLedger: ledger } = ledgerAddresses(chain.reader);
    const now = await chain.now();

    expect(await getGateway(chain.reader, { gatewayId })).toEqual({
      gatewayId,
      modelId: tuneId,
      key: enclave.address,
      measurement: DEV_ENCLAVE_MEASUREMENT,
    });
    expect(await getKeyGateway(chain.reader, { key: enclave.address, modelId: tuneId })).toEqual({ status: "Valid", gatewayId });
    const { sessionId } = await openSession(buyer, { modelId: tuneId, gatewayId, budget: USDC("10"), expiry: now + 86_400n });
    const opened = await getSession(chain.reader, { sessionId });
    expect(opened?.status).toBe("active");
    expect(opened?.remaining).toBe(USDC("10"));
    expect(opened?.gatewayId).toBe(gatewayId);

    const pricing = (await getModel(chain.reader, { modelId: tuneId })).pricing;
    const batchNumber = nextBatch++;
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: chain.deployment.chainId,
      ledger,
      modelId: tuneId,
      batchNumber,
      servedPricing: packPricing(pricing),
      receipts: receipts(sessionId, 1n, 3),
    });
    const verified = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger, client: chain.reader });
    expect(verified).toMatchObject({ valid: true, keyStatus: "Valid", gatewayId, settledBatches: batchNumber - 1n, problems: [] });

    const [predicted] = batchCharges(batch, pricing, [USDC("10")]);
    const settled = await settleUsage(keeper, { batch });
    expect(settled).toMatchObject({ gatewayId, batchNumber, skipped: [] });
    expect(await getSettledBatches(chain.reader, { gatewayId })).toBe(batchNumber);
    expect(settled.charged).toBe(predicted!.charged);
    expect(settled.sessions).toEqual([
      { sessionId, lastSequence: 3n, cost: predicted!.cost, charged: predicted!.charged, covered: 0n, unpaid: 0n },
    ]);
    expect(settled.protocolFee).toBe((settled.charged * 250n) / 10_000n);
    expect(settled.submitterFee).toBe((settled.charged * 100n) / 10_000n);

    // A replayed batch: the keeper's simulation fails with BatchOutOfOrder (expected above its number), nothing is sent.
    const replay = await settleUsage(keeper, { batch }).catch((e: unknown) => e);
    expect(isCogFiError(replay, "BatchOutOfOrder")).toBe(true);
    expect((replay as { args: readonly unknown[] }).args).toEqual([gatewayId, batchNumber, batchNumber + 1n]);
    const stale = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger, client: chain.reader });
    expect(stale.problems).toEqual([
      {
        kind: "BatchOutOfOrder",
        gatewayId,
        got: batchNumber,
        expected: batchNumber + 1n,
        message: `BatchOutOfOrder: already settled (gateway ${gatewayId} settled ${batchNumber} batches)`,
      },
    ]);

    const after = await getSession(chain.reader, { sessionId });
    expect(after?.spent).toBe(settled.charged);
    expect(after?.lastSequence).toBe(3n);

    // Revenue streams to holders over a day: the fine-tune's owner holds all its shares, the base owner all of its.
    const revenue = settled.charged - settled.protocolFee - settled.submitterFee;
    const royalty = (revenue * 1_000n) / 10_000n;
    const stats = await getUsageStats(chain.reader, { modelId: tuneId });
    const cost = await getComputeCost(chain.reader, { modelId: tuneId });
    await chain.warp(86_400);
    const [tune, base] = await Promise.all([
      getModel(chain.reader, { modelId: tuneId }),
      getModel(chain.reader, { modelId: baseId }),
    ]);
    expect(await getClaimableRevenue(chain.reader, { share: tune.share, holder: chain.accounts[TUNE_OWNER]!.address })).toBe(
      revenue - royalty,
    );
    expect(await getClaimableRevenue(chain.reader, { share: base.share, holder: chain.accounts[BASE_OWNER]!.address })).toBe(
      royalty,
    );

    expect(stats.requests).toBe(3n);
    expect(stats.charged).toBe(settled.charged);
    expect(stats.histogram.reduce((sum, b) => sum + b.requests, 0n)).toBe(3n);
    expect(stats.histogram[histogramBucket(250n + 1_000n)]!.requests).toBe(1n);

    expect(cost?.roundId).toBe(1n);
    expect(cost?.costPerRequest).toBe((predicted!.cost * 10n ** 12n) / 3n);
    const tokens = receipts(sessionId, 1n, 3).reduce((s, r) => s + r.inputTokens + r.outputTokens + r.reasoningTokens, 0n);
    expect(cost?.costPerMillionTokens).toBe((predicted!.cost * 10n ** 12n * 1_000_000n) / tokens);

  });

  test("a batch from an unattested key is flagged offline and rejected on chain", async () => {
    const { inferenceLedger: ledger } = ledgerAddresses(chain.reader);
    await chain.registerDevEnclave(tuneId, enclave); // keep the real key fresh after the warp above
    const { sessionId } = await openSession(chain.client(BUYER), { modelId: tuneId, gatewayId, budget: USDC("1"), expiry: (await chain.now()) + 3_600n });
    const rogue = enclaveAccount(99);
    const signed = { gatewayId, modelId: tuneId, batchNumber: nextBatch, servedPricing: 0n, receipts: receipts(sessionId, 1n, 1) };
    const { batch } = await signUsageBatch({ account: rogue, chainId: chain.deployment.chainId, ledger, ...signed });
    const verified = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger, client: chain.reader });
    expect(verified.valid).toBe(false);
    expect(verified.keyStatus).toBe("Unknown");
    const error = await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e);
    expect(isCogFiError(error, "InvalidEnclaveKey")).toBe(true);
    // Signed for another chain: the signature no longer recovers the enclave.
    const foreign = await signUsageBatch({ account: enclave, chainId: 1, ledger, ...signed });
    const wrongChain = await settleUsage(chain.client(KEEPER), { batch: foreign.batch }).catch((e: unknown) => e);
    expect(isCogFiError(wrongChain, "InvalidSignature")).toBe(true);
  });
});

describe("gateways", () => {
  test("batches settle in signing order, at the lower of the served pricing and the pricing in force; another gateway's session is skipped", async () => {
    const { inferenceLedger: ledger } = ledgerAddresses(chain.reader);
    const keeper = chain.client(KEEPER);
    const second = enclaveAccount(3);
    const { gatewayId: secondId } = await chain.registerDevEnclave(tuneId, second);
    expect(secondId).not.toBe(gatewayId);
    const expiry = (await chain.now()) + 3_600n;
    const { sessionId: mine } = await openSession(chain.client(BUYER), { modelId: tuneId, gatewayId: secondId, budget: USDC("5"), expiry });
    const { sessionId: theirs } = await openSession(chain.client(BUYER), { modelId: tuneId, gatewayId, budget: USDC("5"), expiry });
    const pricing = (await getModel(chain.reader, { modelId: tuneId })).pricing;
    const served = { inputPerMTok: pricing.inputPerMTok / 2n, outputPerMTok: pricing.outputPerMTok * 2n, reasoningPerMTok: 0n };
    const sign = (batchNumber: bigint, receiptsOf: UsageReceipt[]) =>
      signUsageBatch({
        account: second,
        gatewayId: secondId,
        chainId: chain.deployment.chainId,
        ledger,
        modelId: tuneId,
        batchNumber,
        servedPricing: packPricing(served),
        receipts: receiptsOf,
      });
    const first = (await sign(1n, receipts(mine, 1n, 2))).batch;
    const next = (await sign(2n, [...receipts(mine, 3n, 1), ...receipts(theirs, 1n, 2)])).batch;

    // Batch 2 before batch 1: refused, nothing charged.
    const early = await settleUsage(keeper, { batch: next }).catch((e: unknown) => e);
    expect(isCogFiError(early, "BatchOutOfOrder")).toBe(true);
    expect((early as { args: readonly unknown[] }).args).toEqual([secondId, 2n, 1n]);
    expect((await verifyUsageBatch({ batch: next, chainId: chain.deployment.chainId, ledger, client: chain.reader })).problems).toEqual([
      { kind: "BatchOutOfOrder", gatewayId: secondId, got: 2n, expected: 1n, message: `BatchOutOfOrder: waits for batch 1 of gateway ${secondId}` },
    ]);

    const [predicted] = batchCharges(first, pricing, [USDC("5")]);
    // Charged per kind at the lower price: half the input price, no reasoning price, the output price in force.
    expect(chargedPricing(pricing, first.servedPricing)).toEqual({ ...served, outputPerMTok: pricing.outputPerMTok });
    expect(predicted!.cost).toBeLessThan(batchCharges({ sessionIds: first.sessionIds, receipts: first.receipts }, pricing)[0]!.cost);
    const settledFirst = await settleUsage(keeper, { batch: first });
    expect(settledFirst.charged).toBe(predicted!.charged);

    // The session bound to the other gateway is skipped, the rest of the batch settles.
    const verified = await verifyUsageBatch({ batch: next, chainId: chain.deployment.chainId, ledger, client: chain.reader });
    expect(verified).toMatchObject({ valid: true, skipped: [{ sessionId: theirs, receipts: 2n, reason: "otherGateway" }] });
    const settledNext = await settleUsage(keeper, { batch: next });
    expect(settledNext.skipped).toEqual([{ sessionId: theirs, receipts: 2n, reason: "otherGateway" }]);
    expect(settledNext.sessions.map((s) => s.sessionId)).toEqual([mine]);
    expect((await getSession(chain.reader, { sessionId: theirs }))?.spent).toBe(0n);
    expect(await getSettledBatches(chain.reader, { gatewayId: secondId })).toBe(2n);
  });
});

describe("session lifecycle", () => {
  test("top up, request close, grace, refund", async () => {
    const buyer = chain.client(BUYER);
    const { gatewayId: baseGateway } = await chain.registerDevEnclave(baseId, enclaveAccount(2));
    const { sessionId } = await openSession(buyer, { modelId: baseId, gatewayId: baseGateway, budget: USDC("5"), expiry: (await chain.now()) + 7_200n });
    await topUpSession(buyer, { sessionId, amount: USDC("2") });
    expect((await getSession(chain.reader, { sessionId }))?.budget).toBe(USDC("7"));

    const requested = await closeSession(buyer, { sessionId });
    expect(requested.kind).toBe("requested");
    expect((await getSession(chain.reader, { sessionId }))?.status).toBe("grace");

    const early = await closeSession(buyer, { sessionId }).catch((e: unknown) => e);
    expect(isCogFiError(early, "SettlementGraceActive")).toBe(true);

    await chain.warp(3_600);
    const refunded = await closeSession(chain.client(KEEPER), { sessionId });
    expect(refunded).toMatchObject({ kind: "refunded", refund: USDC("7") });
    expect((await getSession(chain.reader, { sessionId }))?.status).toBe("closed");
  });

  test("a batch settled from refundableAt on charges nothing, as batchCharges predicts", async () => {
    const buyer = chain.client(BUYER);
    const { sessionId } = await openSession(buyer, { modelId: tuneId, gatewayId, budget: USDC("3"), expiry: (await chain.now()) + 600n });
    const { batch } = await signUsageBatch({
      account: enclave,
      gatewayId,
      chainId: chain.deployment.chainId,
      ledger: ledgerAddresses(chain.reader).inferenceLedger,
      modelId: tuneId,
      batchNumber: nextBatch++,
      servedPricing: packPricing((await getModel(chain.reader, { modelId: tuneId })).pricing),
      receipts: receipts(sessionId, 1n, 2),
    });

    // Nobody settles or closes in time: the keeper submits after the refund time (the key is re-attested first).
    await chain.warp(600 + 3_600);
    await chain.registerDevEnclave(tuneId, enclave);
    const session = (await getSession(chain.reader, { sessionId }))!;
    expect(session.status).toBe("refundable");
    const pricing = (await getModel(chain.reader, { modelId: tuneId })).pricing;
    const [predicted] = batchCharges(batch, pricing, [session.remaining], {
      timestamp: await chain.now(),
      refundableAt: [session.refundableAt],
    });
    expect(predicted).toMatchObject({ charged: 0n, unpaid: predicted!.cost });
    expect(predicted!.cost).toBeGreaterThan(0n);

    const settled = await settleUsage(chain.client(KEEPER), { batch });
    expect(settled.charged).toBe(0n);
    expect(settled.sessions).toEqual([
      { sessionId, lastSequence: 2n, cost: predicted!.cost, charged: 0n, covered: 0n, unpaid: predicted!.cost },
    ]);
    const after = (await getSession(chain.reader, { sessionId }))!;
    expect(after).toMatchObject({ spent: 0n, lastSequence: 2n });
    const replay = await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e);
    expect(isCogFiError(replay, "BatchOutOfOrder")).toBe(true);

    const refunded = await closeSession(chain.client(KEEPER), { sessionId });
    expect(refunded).toMatchObject({ kind: "refunded", refund: USDC("3") });
  });

  test("custom errors decode", async () => {
    const expiry = (await chain.now()) + 3_600n;
    const past = await openSession(chain.client(BUYER), { modelId: tuneId, gatewayId, budget: USDC("1"), expiry: 1n }).catch((e: unknown) => e);
    expect(isCogFiError(past, "InvalidExpiry")).toBe(true);
    const unknown = await openSession(chain.client(BUYER), { modelId: tuneId, gatewayId: 10_000n, budget: USDC("1"), expiry }).catch((e: unknown) => e);
    expect(isCogFiError(unknown, "UnknownGateway")).toBe(true);
    const mismatch = await openSession(chain.client(BUYER), { modelId: baseId, gatewayId, budget: USDC("1"), expiry }).catch((e: unknown) => e);
    expect(isCogFiError(mismatch, "GatewayModelMismatch")).toBe(true);
    expect(await getSession(chain.reader, { sessionId: 10_000n })).toBeUndefined();
    expect(await getComputeCost(chain.reader, { modelId: baseId })).toBeUndefined();
  });
});

describe("enclave registration", () => {
  test("buildDevQuote + registerEnclave, re-attest, and the registry's errors decode", async () => {
    const { enclaveRegistry, devAttestationVerifier } = ledgerAddresses(chain.reader);
    const key = enclaveAccount(7);
    const now = await chain.now();
    const reportData = enclaveReportData({ chainId: chain.deployment.chainId, enclaveRegistry, modelId: baseId, enclaveKey: key.address });
    const quote = await buildDevQuote({
      platform: chain.platform,
      verifier: devAttestationVerifier!,
      chainId: chain.deployment.chainId,
      enclaveKey: key.address,
      reportData,
      timestamp: now,
    });
    const registered = await registerEnclave(chain.client(5), { modelId: baseId, quote });
    expect(registered).toMatchObject({ key: key.address, measurement: DEV_ENCLAVE_MEASUREMENT, attestedAt: now });

    const again = await registerEnclave(chain.client(5), { modelId: baseId, quote }).catch((e: unknown) => e);
    expect(isCogFiError(again, "QuoteNotNewer")).toBe(true);

    const forged = await buildDevQuote({
      platform: enclaveAccount(8),
      verifier: devAttestationVerifier!,
      chainId: chain.deployment.chainId,
      enclaveKey: key.address,
      reportData,
      timestamp: now,
    });
    const bad = await registerEnclave(chain.client(5), { modelId: baseId, quote: forged }).catch((e: unknown) => e);
    expect(isCogFiError(bad, "InvalidPlatformSignature")).toBe(true);

    const otherModel = await buildDevQuote({
      platform: chain.platform,
      verifier: devAttestationVerifier!,
      chainId: chain.deployment.chainId,
      enclaveKey: enclaveAccount(9).address,
      reportData,
      timestamp: now,
    });
    const mismatch = await registerEnclave(chain.client(5), { modelId: baseId, quote: otherModel }).catch((e: unknown) => e);
    expect(isCogFiError(mismatch, "ReportDataMismatch")).toBe(true);
  });
});
