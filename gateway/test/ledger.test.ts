/**
 * The gateway on anvil with the real contracts: the official `openai` client with a funded session (plain and
 * streaming), the documented refusals (no session, expired, closed, drained, wrong model) with nothing signed,
 * self-registration and /attestation, and receipts fetched from /v1/receipts that verify with the sdk and settle.
 */
import OpenAI from "openai";
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  closeSession,
  getSession,
  isCogFiError,
  ledgerAddresses,
  openSession,
  registerModel,
  settleUsage,
  signUsageBatch,
  verifyUsageBatch,
  type SignedUsageBatch,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { parseBatchJson, type BatchJson } from "../src/receipts/json.js";
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

/** Opens a session for the buyer and returns an OpenAI client using its credential. */
async function session(budget: bigint, options: { model?: bigint; ttl?: bigint } = {}) {
  const { sessionId } = await openSession(chain.client(BUYER), {
    modelId: options.model ?? modelId,
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
      keys: { model: string; enclaveKey: string; status: string; quote: string }[];
    };
    expect(attestation.mode).toBe("dev");
    expect(attestation.keys.map((k) => [k.model, k.status])).toEqual([
      ["gw-model", "Valid"],
      ["gw-other", "Valid"],
    ]);
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

    // Every batch verifies with the sdk, then settles.
    const before = (await getSession(chain.reader, { sessionId }))!;
    for (const json of (await allBatches()).filter((batch) => batch.items.some((item) => item.sessionId === sessionId.toString()))) {
      const batch: SignedUsageBatch = parseBatchJson(json);
      const verified = await verifyUsageBatch({ batch, chainId: chain.deployment.chainId, ledger, client: chain.reader });
      expect(verified, JSON.stringify(verified.problems)).toMatchObject({ valid: true, keyStatus: "Valid" });
      expect(verified.digest).toBe(json.digest);
      const settled = await settleUsage(chain.client(KEEPER), { batch });
      expect(settled.charged).toBeGreaterThan(0n);
      // Re-submitting changes nothing.
      expect(isCogFiError(await settleUsage(chain.client(KEEPER), { batch }).catch((e: unknown) => e), "StaleSequence")).toBe(true);
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
    expect(error.code).toBe("session_expired");
    expect(await signedFor(sessionId)).toHaveLength(1);
  });

  test("a drained session is refused from the block that drained it", async () => {
    const { sessionId, openai } = await session(USDC("0.01"));
    // Another attested enclave of the model bills the whole budget.
    const other = enclaveAccount(42);
    await chain.registerDevEnclave(modelId, other);
    const { batch } = await signUsageBatch({
      account: other,
      chainId: chain.deployment.chainId,
      ledger,
      modelId,
      receipts: [{ sessionId, sequence: 1n, inputTokens: 10n ** 9n, outputTokens: 0n, reasoningTokens: 0n, requestHash: `0x${"00".repeat(32)}` }],
    });
    await settleUsage(chain.client(KEEPER), { batch });
    expect((await getSession(chain.reader, { sessionId }))!.remaining).toBe(0n);
    const error = apiError(await openai.chat.completions.create({ model: "gw-model", messages: [{ role: "user", content: "x" }] }).catch((e) => e));
    expect(error.status).toBe(402);
    expect(error.code).toBe("insufficient_budget");
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
    const settled = await settleUsage(chain.client(KEEPER), { batch: parseBatchJson(json!) });
    expect(settled.sessions[0]!.unpaid).toBe(0n);
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
    const { openai } = await session(USDC("1"), { model: late });
    const completion = await openai.chat.completions.create({ model: "gw-late", messages: [{ role: "user", content: "x" }], max_tokens: 20 });
    expect(completion.object).toBe("chat.completion");
  });
});
