/**
 * The gateway on anvil with the real contracts: the official `openai` client with a funded session (plain and
 * streaming), the documented refusals (no session, expired, closed, drained, wrong model, another gateway's
 * session) with nothing signed, self-registration, its gateway ids in /v1/models and /attestation, and receipts
 * fetched from /v1/receipts that verify with the sdk and settle in the gateway's batch order.
 */
import OpenAI from "openai";
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  closeSession,
  getKeyGateway,
  getSession,
  getSettledBatches,
  isCogFiError,
  ledgerAddresses,
  openSession,
  registerModel,
  settleUsage,
  parseServedBatch,
  verifyUsageBatch,
  type BatchJson,
  type SettleUsageReturnType,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { tempDir } from "./helpers.js";

const USDC = (amount: string) => parseUnits(amount, 6);
const OWNER = 1;
const BUYER = 3;
const KEEPER = 4;

let chain: LedgerChain;
let gateway: RunningGateway;
let modelId: bigint;
let otherModelId: bigint;
let ledger: `0x${string}`;

type ModelJson = { id: string; cogfi: { modelId: string; gatewayId: string | null; enclave: string; keyStatus: string } };

/** The gateway's models as a buyer sees them (GET /v1/models). */
async function listedModels(): Promise<ModelJson[]> {
  return ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: ModelJson[] }).data;
}

/** The gateway's id for `model`, as it publishes it in /v1/models. */
async function gatewayOf(model: bigint): Promise<bigint> {
  const listed = (await listedModels()).find((entry) => entry.cogfi.modelId === model.toString());
  if (!listed?.cogfi.gatewayId) throw new Error(`the gateway lists no gateway id for model ${model}`);
  return BigInt(listed.cogfi.gatewayId);
}

/** Opens a session for the buyer with the gateway (or `gatewayId`) and returns an OpenAI client using its credential. */
async function session(budget: bigint, options: { model?: bigint; ttl?: bigint; gatewayId?: bigint } = {}) {
  const model = options.model ?? modelId;
  const { sessionId } = await openSession(chain.client(BUYER), {
    modelId: model,
    gatewayId: options.gatewayId ?? (await gatewayOf(model)),
    budget,
    expiry: (await chain.now()) + (options.ttl ?? 86_000n),
  });
  const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: chain.deployment.chainId, ledger }, sessionId);
  return { sessionId, apiKey, openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }) };
}

async function allBatches(): Promise<BatchJson[]> {
  await gateway.flushReceipts();
  const batches: BatchJson[] = [];
  let cursor = "-1";
  for (;;) {
    const page = (await (await fetch(`${gateway.url}/v1/receipts?after=${cursor}&limit=100`)).json()) as {
      data: BatchJson[];
      next_cursor: string;
      has_more: boolean;
    };
    batches.push(...page.data);
    cursor = page.next_cursor;
    if (!page.has_more) return batches;
  }
}

const signedFor = async (sessionId: bigint) =>
  (await allBatches()).flatMap((batch) => batch.items.filter((item) => item.sessionId === sessionId.toString()));

/**
 * Settles, in order, every batch of `target`'s gateway up to `target` (what a keeper does: a gateway's batches
 * settle in signing order) and returns what settling `target` did.
 */
async function settleThrough(target: BatchJson): Promise<SettleUsageReturnType> {
  const gatewayId = BigInt(target.gatewayId);
  const batches = (await allBatches())
    .filter((json) => json.gatewayId === target.gatewayId && BigInt(json.batchNumber) <= BigInt(target.batchNumber))
    .sort((a, b) => Number(BigInt(a.batchNumber) - BigInt(b.batchNumber)));
  let result: SettleUsageReturnType | undefined;
  for (const json of batches) {
    if (BigInt(json.batchNumber) <= (await getSettledBatches(chain.reader, { gatewayId }))) continue;
    const settled = await settleUsage(chain.client(KEEPER), { batch: parseServedBatch(json) });
    if (json.cursor === target.cursor) result = settled;
  }
  if (!result) throw new Error(`batch ${target.batchNumber} of gateway ${gatewayId} was already settled`);
  return result;
}

const apiError = (error: unknown) => error as InstanceType<typeof OpenAI.APIError>;

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses({ deployment: chain.deployment }).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("gw-model")));
  ({ modelId: otherModelId } = await registerModel(chain.client(OWNER), modelParams("gw-other")));
  await chain.fund(BUYER, USDC("1000"));
  gateway = await startGateway({
    dataDir: tempDir(),
    http: { port: 0 },
    chain: { rpcUrl: chain.rpcUrl, deployment: chain.deployment, headMaxAgeMs: 0, pollingIntervalMs: 20 },
    models: ["gw-model", "gw-other", "gw-late"],
    receipts: { batchMaxDelayMs: 50 },
    enclave: { registrarKey: ANVIL_PRIVATE_KEYS[0] },
    logLevel: "silent",
  });
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await chain?.stop();
});

describe("serving a funded session", () => {
  test("the gateway registered its enclave keys and serves their dev quotes", async () => {
    const attestation = (await (await fetch(`${gateway.url}/attestation`)).json()) as {
      mode: string;
      keys: { model: string; enclaveKey: `0x${string}`; status: string; quote: string; gatewayId: string | null }[];
    };
    expect(attestation.mode).toBe("dev");
    expect(attestation.keys.map((k) => [k.model, k.status])).toEqual([
      ["gw-model", "Valid"],
      ["gw-other", "Valid"],
    ]);
    // Each key created its gateway on chain; /attestation and /v1/models publish its id.
    const onChain = await Promise.all(
      [modelId, otherModelId].map((id, i) => getKeyGateway(chain.reader, { key: attestation.keys[i]!.enclaveKey, modelId: id })),
    );
    expect(attestation.keys.map((k) => k.gatewayId)).toEqual(onChain.map((g) => g.gatewayId.toString()));
    expect((await listedModels()).map((m) => m.cogfi.gatewayId)).toEqual(onChain.map((g) => g.gatewayId.toString()));
    expect(onChain[0]!.gatewayId).not.toBe(onChain[1]!.gatewayId);
    expect(attestation.keys[0]!.enclaveKey).not.toBe(attestation.keys[1]!.enclaveKey);
    expect(attestation.keys[0]!.quote.length).toBeGreaterThan(2 + 64 * 6);
  });

  test("/v1/models lists the served models from the registry", async () => {
    const { openai } = await session(USDC("1"));
    const models = await openai.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["gw-model", "gw-other"]);
  });

  test("the official client completes plain and streaming chats; receipts verify with the sdk and settle on chain", async () => {
    const { sessionId, openai } = await session(USDC("10"));
    const plain = await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "Hello" }], max_tokens: 3_000 });
    expect(plain.choices[0]!.message.content).toBeTruthy();
    expect(plain.usage!.completion_tokens_details!.reasoning_tokens).toBeGreaterThanOrEqual(0);

    const stream = await openai.chat.completions.create({
      model: "gw-model",
      messages: [{ role: "user", content: "Stream please" }],
      max_tokens: 3_000,
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamed: OpenAI.CompletionUsage | undefined;
    let streamId = "";
    for await (const chunk of stream) {
      streamId = chunk.id;
      if (chunk.usage) streamed = chunk.usage;
    }
    expect(streamed!.total_tokens).toBeGreaterThan(0);

    const items = await signedFor(sessionId);
    expect(items.map((item) => item.responseId)).toEqual([plain.id, streamId]);
    expect(items.map((item) => item.sequence)).toEqual(["1", "2"]);
    expect(items[0]).toMatchObject({
      inputTokens: plain.usage!.prompt_tokens,
      outputTokens: plain.usage!.completion_tokens - plain.usage!.completion_tokens_details!.reasoning_tokens!,
      reasoningTokens: plain.usage!.completion_tokens_details!.reasoning_tokens,
    });

    // Every batch verifies with the sdk, then settles, in the gateway's order: numbered 1, 2, ... per gateway.
    const before = (await getSession(chain.reader, { sessionId }))!;
    const batches = (await allBatches()).filter((batch) => batch.items.some((item) => item.sessionId === sessionId.toString()));
    expect(batches.map((json) => json.batchNumber)).toEqual(batches.map((_, i) => String(i + 1)));
    for (const json of batches) {
      const batch: SignedUsageBatch = parseServedBatch(json);
      expect(batch.gatewayId).toBe(await gatewayOf(modelId));
      // Served at the pricing in force (the fixture's).
      expect(json.servedPricing).toBe(((100_000n << 160n) | (400_000n << 80n) | 400_000n).toString());
      const verified = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger, client: chain.reader });
      expect(verified, verified.problems.map((problem) => problem.message).join("; ")).toMatchObject({ valid: true, keyStatus: "Valid" });
      expect(verified.digest).toBe(json.digest);
      const settled = await settleUsage(chain.client(KEEPER), { batch });
      expect(settled.charged).toBeGreaterThan(0n);
      expect(settled).toMatchObject({ gatewayId: batch.gatewayId, batchNumber: batch.batchNumber });
      // Re-submitting changes nothing: the batch is no longer its gateway's next.
      expect(isCogFiError(await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e), "BatchOutOfOrder")).toBe(true);
    }
    const after = (await getSession(chain.reader, { sessionId }))!;
    expect(after.lastSequence).toBe(2n);
    expect(after.spent).toBeGreaterThan(before.spent);

    // The next request continues the sequence above the settled one.
    const third = await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "again" }], max_tokens: 100 }).withResponse();
    expect(third.response.headers.get("x-cogfi-sequence")).toBe("3");
  });
});

describe("refusals: the documented error, nothing signed", () => {
  test("no session", async () => {
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "sk-not-a-session", maxRetries: 0 });
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe("invalid_credential");
  });

  test("a session that does not exist", async () => {
    const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: chain.deployment.chainId, ledger }, 9_999n);
    const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(401);
    expect(error.code).toBe("unknown_session");
  });

  test("an expired session", async () => {
    const { sessionId, openai } = await session(USDC("1"), { ttl: 120n });
    await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }], max_tokens: 50 });
    await chain.warp(200);
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(403);
    expect(error.code).toBe("session_expired");
    expect(await signedFor(sessionId)).toHaveLength(1); // only the request served before the expiry
  });

  test("a session whose buyer asked to close it is refused from the next block", async () => {
    const { sessionId, openai } = await session(USDC("1"));
    await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }], max_tokens: 50 });
    await closeSession(chain.client(BUYER), { sessionId });
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(403);
    // The close request moved its expiry to now; its SessionCloseRequested event tells it from an expired one.
    expect(error.code).toBe("session_closed");
    expect(error.message).toMatch(/closed by its buyer/);
    expect(await signedFor(sessionId)).toHaveLength(1);
  });

  test("a drained session is refused from the block that drained it", async () => {
    // 10 units: one request capped to what the budget pays drains it.
    const { sessionId, openai } = await session(10n);
    await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }], max_tokens: 1_000 });
    const [json] = (await allBatches()).filter((batch) => batch.items.some((item) => item.sessionId === sessionId.toString()));
    await settleThrough(json!);
    const drained = (await getSession(chain.reader, { sessionId }))!;
    expect(drained.remaining).toBeLessThan(8n); // less than the cheapest request (16 tokens at 0.4 + the prompt)
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(402);
    expect(error.code).toBe("insufficient_budget");
    expect(await signedFor(sessionId)).toHaveLength(1);
  });

  test("a session bound to another gateway", async () => {
    // Another attested enclave of the model is another gateway: this one must not serve its sessions.
    const other = enclaveAccount(42);
    const { gatewayId: otherGateway } = await chain.registerDevEnclave(modelId, other);
    const { sessionId, openai } = await session(USDC("1"), { gatewayId: otherGateway });
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(403);
    expect(error.code).toBe("wrong_gateway");
    expect(error.message).toContain(`bound to gateway ${otherGateway}`);
    expect(await signedFor(sessionId)).toHaveLength(0);
  });

  test("the wrong model", async () => {
    const { sessionId, openai } = await session(USDC("1"), { model: otherModelId });
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(403);
    expect(error.code).toBe("wrong_model");
    expect(await signedFor(sessionId)).toHaveLength(0);
  });

  test("a small budget caps max_tokens, and the receipt's cost fits it", async () => {
    const { sessionId, openai } = await session(USDC("0.001")); // 1,000 units
    const { data, response } = await openai.chat.completions
      .create({ model: "gw-model", messages: [{ role: "user", content: "think hard" }], max_tokens: 30_000 })
      .withResponse();
    const cap = Number(response.headers.get("x-cogfi-max-tokens"));
    expect(cap).toBeLessThan(30_000);
    expect(data.usage!.completion_tokens).toBeLessThanOrEqual(cap);
    const [json] = (await allBatches()).filter((batch) => batch.items.some((item) => item.sessionId === sessionId.toString()));
    const settled = await settleThrough(json!);
    expect(settled.sessions.find((s) => s.sessionId === sessionId)!.unpaid).toBe(0n);
  });
});

describe("enclave key lifecycle", () => {
  test("a lapsed key is re-attested on the next request, which is then served", async () => {
    const { openai } = await session(USDC("1"), { ttl: 5n * 86_400n });
    await chain.warp(86_400 + 60); // past maxAttestationAge (1 day): the key is Expired
    const before = (await (await fetch(`${gateway.url}/attestation?model=gw-model`)).json()) as { keys: { status: string }[] };
    expect(before.keys.map((k) => k.status)).toEqual(["Expired"]);
    const completion = await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }], max_tokens: 20 });
    expect(completion.object).toBe("chat.completion");
    const after = (await (await fetch(`${gateway.url}/attestation?model=gw-model`)).json()) as { keys: { status: string }[] };
    expect(after.keys.map((k) => k.status)).toEqual(["Valid"]);
  });

  test("a model registered after start gets its key attested on its first request", async () => {
    const { modelId: late } = await registerModel(chain.client(OWNER), modelParams("gw-late"));
    // A buyer looks the model up first: the gateway registers its key so it can publish its gateway id.
    const { openai } = await session(USDC("1"), { model: late });
    const completion = await openai.chat.completions.create({ model: "gw-late", messages: [{ role: "user", content: "x" }], max_tokens: 20 });
    expect(completion.object).toBe("chat.completion");
  });
});
