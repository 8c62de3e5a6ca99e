import { fcParams } from "@cogfi/sdk/testing";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { FakeChain } from "../test/fakes.js";
import { Approver, type ApprovalRequest } from "./approval.js";
import { ChainView } from "./chain/view.js";
import { affordableMaxTokens, costUp, worstCaseCost } from "./cost.js";
import { GatewayError } from "./errors.js";
import { Exposure } from "./exposure.js";
import { ModelCatalog } from "./models.js";

const BUYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as const;
const approvalConfig = { maxCompletionTokens: 32_768, defaultMaxTokens: 4_096, onInsufficientBudget: "cap" as const, minCompletionTokens: 16, promptMarginBps: 0 };

function setup(config = approvalConfig, headMaxAgeMs = 0, reattest?: (chain: FakeChain, modelId: bigint) => Promise<boolean>) {
  const chain = new FakeChain();
  chain.addModel(1n, "cogito-8b");
  chain.addModel(2n, "other-model");
  const view = new ChainView(chain, { headMaxAgeMs, cacheEntries: 100 });
  const exposure = new Exposure();
  const approver = new Approver(view, new ModelCatalog(view), exposure, config, {
    enclaveFor: () => "0x0000000000000000000000000000000000000e01",
    lastSequence: () => 0n,
    reattest: reattest && ((modelId) => reattest(chain, modelId)),
  });
  const ask = (overrides: Partial<ApprovalRequest> = {}) =>
    approver.approve({
      credential: { sessionId: 1n, buyer: BUYER, signature: "0x" },
      model: "cogito-8b",
      promptTokens: 100,
      maxTokens: 1_000,
      arrivedAt: performance.now(),
      ...overrides,
    });
  return { chain, exposure, approver, ask };
}

async function refusal(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

describe("cost math", () => {
  test("costUp rounds up like ReceiptLib.costUp", () => {
    const pricing = { inputPerMTok: 100_000n, outputPerMTok: 400_000n, reasoningPerMTok: 400_000n };
    expect(costUp(1n, 0n, 0n, pricing)).toBe(1n);
    expect(costUp(10n, 0n, 0n, pricing)).toBe(1n);
    expect(costUp(10n, 1n, 0n, pricing)).toBe(2n);
    expect(costUp(1_000_000n, 1_000_000n, 1_000_000n, pricing)).toBe(900_000n);
  });

  test("property: the affordable cap is the largest whose worst case fits", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 0n, max: 100_000n }),
        fc.bigInt({ min: 0n, max: 10n ** 8n }),
        fc.bigInt({ min: 1n, max: 10n ** 8n }),
        fc.bigInt({ min: 0n, max: 10n ** 8n }),
        (available, prompt, input, output, reasoning) => {
          const pricing = { inputPerMTok: input, outputPerMTok: output, reasoningPerMTok: reasoning };
          const cap = affordableMaxTokens(available, prompt, pricing)!;
          if (cap < 0n) {
            expect(worstCaseCost(prompt, 0n, pricing)).toBeGreaterThan(available);
            return;
          }
          expect(worstCaseCost(prompt, cap, pricing)).toBeLessThanOrEqual(available);
          expect(worstCaseCost(prompt, cap + 1n, pricing)).toBeGreaterThan(available);
        },
      ),
      fcParams(),
    );
  });
});

describe("Approver", () => {
  test("approves an open funded session and reserves the worst case", async () => {
    const { chain, exposure, ask } = setup();
    chain.addSession({ sessionId: 1n, buyer: BUYER });
    const approval = await ask();
    expect(approval.maxTokens).toBe(1_000);
    expect(approval.capped).toBe(false);
    // 100 input at 0.1/M + 1,000 completion at 0.4/M = 10 + 400 units·1e-6... rounded up
    expect(approval.reserved).toBe(worstCaseCost(100n, 1_000n, chain.models.get(1n)!.pricing));
    expect(exposure.committed(1n)).toBe(approval.reserved);
    approval.release();
    approval.release();
    expect(exposure.committed(1n)).toBe(0n);
  });

  test("refuses unknown, foreign, closed, expired sessions, wrong and unknown models, paused models", async () => {
    const { chain, ask } = setup();
    expect((await refusal(ask())).code).toBe("unknown_session");
    chain.addSession({ sessionId: 1n, buyer: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" });
    chain.mine();
    expect((await refusal(ask())).code).toBe("invalid_credential");
    chain.addSession({ sessionId: 1n, buyer: BUYER });
    chain.mine();
    expect((await refusal(ask({ model: "other-model" }))).code).toBe("wrong_model");
    expect((await refusal(ask({ model: "no-such-model" }))).code).toBe("model_not_found");
    expect((await ask({ model: "cogito-8b#1" })).maxTokens).toBe(1_000);
    chain.models.get(1n)!.paused = true;
    chain.mine();
    expect((await refusal(ask())).code).toBe("model_paused");
    chain.models.get(1n)!.paused = false;
    chain.sessions.get(1n)!.expiry = chain.head_.timestamp + 1n;
    chain.mine();
    expect((await refusal(ask())).code).toBe("session_expired");
    chain.sessions.get(1n)!.closed = true;
    chain.mine();
    expect((await refusal(ask())).code).toBe("session_closed");
  });

  test("a state change is seen from the next block on (cache keyed by block)", async () => {
    const { chain, ask } = setup();
    chain.addSession({ sessionId: 1n, buyer: BUYER });
    (await ask()).release();
    chain.sessions.get(1n)!.spent = chain.sessions.get(1n)!.budget; // drained on chain...
    (await ask()).release(); // ...but the gateway has not seen a new block: same state
    chain.mine();
    expect((await refusal(ask())).code).toBe("insufficient_budget");
  });

  test("caps max_tokens to what the budget pays, refuses below the minimum", async () => {
    const { chain, ask } = setup();
    // Prices are units per million tokens: 100 prompt tokens cost 10 units, a completion token 0.4.
    chain.addSession({ sessionId: 1n, buyer: BUYER, budget: 1_000n });
    const approval = await ask({ maxTokens: 10_000 });
    expect(approval.capped).toBe(true);
    expect(approval.maxTokens).toBe(2_475); // (1,000·1e6 - 100·1e5) / 4e5
    approval.release();
    chain.sessions.get(1n)!.budget = 0n;
    chain.mine();
    const error = await refusal(ask());
    expect(error.status).toBe(402);
    expect(error.code).toBe("insufficient_budget");
  });

  test("an insured session: max_tokens clamped to the policy's strike + per-request limit, then to the budget", async () => {
    const { chain, ask } = setup();
    chain.addSession({ sessionId: 1n, buyer: BUYER, policy: { policyId: 7n, strikeTokens: 2_000n, limitTokens: 8_000n } });
    const above = await ask({ maxTokens: 32_000 });
    expect(above).toMatchObject({ maxTokens: 10_000, policyCapped: true, capped: false });
    expect(above.reserved).toBe(worstCaseCost(100n, 10_000n, chain.models.get(1n)!.pricing));
    above.release();
    const within = await ask({ maxTokens: 10_000 });
    expect(within).toMatchObject({ maxTokens: 10_000, policyCapped: false });
    within.release();
    // The default (4,096) is below the ceiling; an uninsured session is never clamped by a policy.
    expect(await ask({ maxTokens: undefined })).toMatchObject({ maxTokens: 4_096, policyCapped: false });
    chain.addSession({ sessionId: 2n, buyer: BUYER });
    expect(await ask({ credential: { sessionId: 2n, buyer: BUYER, signature: "0x" }, maxTokens: 32_000 })).toMatchObject({ maxTokens: 32_000, policyCapped: false });
    // The budget binds below the ceiling: both caps apply, the lower wins.
    chain.addSession({ sessionId: 3n, buyer: BUYER, budget: 1_000n, policy: { policyId: 8n, strikeTokens: 2_000n, limitTokens: 8_000n } });
    expect(await ask({ credential: { sessionId: 3n, buyer: BUYER, signature: "0x" }, maxTokens: 32_000 })).toMatchObject({
      maxTokens: 2_475,
      policyCapped: true,
      capped: true,
    });
  });

  test("the refuse policy never caps", async () => {
    const { chain, ask } = setup({ ...approvalConfig, onInsufficientBudget: "refuse" as never });
    chain.addSession({ sessionId: 1n, buyer: BUYER, budget: 1_000n });
    expect((await refusal(ask({ maxTokens: 10_000 }))).code).toBe("insufficient_budget");
    expect((await ask({ maxTokens: 2_000 })).maxTokens).toBe(2_000);
  });

  test("property: concurrent approvals never reserve more than the remaining budget", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 0n, max: 20_000n }),
        fc.array(fc.integer({ min: 1, max: 20_000 }), { minLength: 1, maxLength: 30 }),
        async (budget, caps) => {
          const { chain, exposure, ask } = setup();
          chain.addSession({ sessionId: 1n, buyer: BUYER, budget });
          const results = await Promise.allSettled(caps.map((maxTokens) => ask({ maxTokens })));
          const reserved = results.reduce((sum, r) => sum + (r.status === "fulfilled" ? r.value.reserved : 0n), 0n);
          expect(reserved).toBeLessThanOrEqual(budget);
          expect(exposure.committed(1n)).toBe(reserved);
        },
      ),
      fcParams({ numRuns: 50 }),
    );
  });

  test("unsettled receipts count against the budget until the chain settles them", async () => {
    const { chain, exposure, ask } = setup();
    chain.addSession({ sessionId: 1n, buyer: BUYER, budget: 1_000n });
    exposure.record(1n, 1n, 600n);
    exposure.record(1n, 2n, 300n);
    const approval = await ask({ maxTokens: 100_000 });
    // 100 units left: (100·1e6 - 1e7) / 4e5 = 225 tokens
    expect(approval.maxTokens).toBe(225);
    approval.release();
    // Receipt 1 settles: 600 charged on chain, and no longer counted by the gateway.
    chain.sessions.get(1n)!.spent = 600n;
    chain.sessions.get(1n)!.lastSequence = 1n;
    chain.mine();
    expect((await ask({ maxTokens: 100_000 })).maxTokens).toBe(225);
    expect(exposure.unsettled(1n)).toBe(300n);
  });

  test("an enclave key that is not valid on chain refuses with 503 and asks for re-attestation", async () => {
    const { chain, ask } = setup();
    chain.addSession({ sessionId: 1n, buyer: BUYER });
    chain.keyStatuses.set(1n, "Expired");
    const error = await refusal(ask());
    expect(error.status).toBe(503);
    expect(error.code).toBe("enclave_not_attested");
    expect(error.message).toMatch(/Expired/);
  });

  test("a session bound to another gateway is refused with 403 wrong_gateway; the approval names this gateway", async () => {
    const { chain, ask } = setup();
    chain.gatewayIds.set(1n, 7n);
    chain.addSession({ sessionId: 1n, buyer: BUYER, gatewayId: 8n });
    const error = await refusal(ask());
    expect(error.status).toBe(403);
    expect(error.code).toBe("wrong_gateway");
    expect(error.message).toMatch(/bound to gateway 8; this gateway is gateway 7/);
    chain.addSession({ sessionId: 2n, buyer: BUYER });
    const approval = await ask({ credential: { sessionId: 2n, buyer: BUYER, signature: "0x" } });
    expect(approval.gatewayId).toBe(7n);
    approval.release();
  });

  test("with self-registration, an unattested key is attested and the request judged afterwards", async () => {
    const attested: bigint[] = [];
    const { chain, ask } = setup(approvalConfig, 0, async (fake, modelId) => {
      attested.push(modelId);
      fake.keyStatuses.set(modelId, "Valid");
      fake.mine();
      return true;
    });
    chain.addSession({ sessionId: 1n, buyer: BUYER });
    chain.keyStatuses.set(1n, "Unknown");
    const approval = await ask();
    expect(attested).toEqual([1n]);
    expect(approval.maxTokens).toBe(1_000);
  });

  test("with a cached head, a session opened since is found by re-checking on a fresh head", async () => {
    const { chain, ask } = setup(approvalConfig, 60_000);
    chain.addSession({ sessionId: 9n, buyer: BUYER });
    (await ask({ credential: { sessionId: 9n, buyer: BUYER, signature: "0x" } })).release(); // caches the head
    chain.addSession({ sessionId: 1n, buyer: BUYER }, { fromNextBlock: true });
    chain.mine();
    const approval = await ask({ arrivedAt: performance.now() });
    expect(approval.head.number).toBe(chain.head_.number);
    approval.release();
  });

  test("an RPC failure is a 503 chain_unavailable", async () => {
    const { chain, ask } = setup();
    chain.failing = true;
    const error = await refusal(ask());
    expect(error.status).toBe(503);
    expect(error.code).toBe("chain_unavailable");
  });
  describe("the prompt is counted only for a funded session's buyer", () => {
    const counter = () => {
      const calls = { n: 0 };
      return { calls, count: async () => (calls.n++, 100) };
    };

    test.each([
      ["an unknown session", (chain: FakeChain) => void chain, "unknown_session"],
      ["another wallet's credential", (chain: FakeChain) => chain.addSession({ sessionId: 1n, buyer: "0x000000000000000000000000000000000000dEaD" }), "invalid_credential"],
      ["a closed session", (chain: FakeChain) => chain.addSession({ sessionId: 1n, buyer: BUYER, closed: true }), "session_closed"],
      ["an expired session", (chain: FakeChain) => chain.addSession({ sessionId: 1n, buyer: BUYER, expiry: 1n }), "session_expired"],
      ["an exhausted budget", (chain: FakeChain) => chain.addSession({ sessionId: 1n, buyer: BUYER, budget: 10n, spent: 10n }), "insufficient_budget"],
    ])("%s: refused without counting", async (_name, arrange, code) => {
      const { chain, ask } = setup();
      arrange(chain);
      const { calls, count } = counter();
      const error = await refusal(ask({ promptTokens: count }));
      expect(error.code).toBe(code);
      expect(calls.n).toBe(0);
    });

    test("the buyer's request is counted once, even when re-judged on a fresh head", async () => {
      const { chain, ask } = setup(approvalConfig, 60_000);
      chain.addSession({ sessionId: 9n, buyer: BUYER });
      (await ask({ credential: { sessionId: 9n, buyer: BUYER, signature: "0x" } })).release(); // caches the head
      chain.addSession({ sessionId: 1n, buyer: BUYER, budget: 10n ** 12n });
      chain.sessions.get(1n)!.budget = 10n ** 12n;
      const { calls, count } = counter();
      const approval = await ask({ promptTokens: count, arrivedAt: performance.now() });
      expect(calls.n).toBe(1);
      expect(approval.promptTokens).toBe(100);
      approval.release();
    });
  });
});
