/**
 * Acceptance (issue #11): the official `openai` client against the gateway on anvil with the deployed suite.
 * Plain and streaming `chat.completions.create` and `responses.create` answer with text; every usage figure the
 * client sees equals the receipt the gateway signed (reasoning tokens included); a responses call is approved,
 * reserved against the session budget, receipted and settled exactly like a chat call; the session's budget is
 * charged on chain what the receipts say, reasoning at its own price.
 */
import OpenAI from "openai";
import { parseUnits } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  getSession,
  getSettledBatches,
  ledgerAddresses,
  openSession,
  parseServedBatch,
  registerModel,
  settleUsage,
  usageCost,
  type BatchJson,
  type Pricing,
} from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { SimulatedBackend } from "../src/backends/simulated.js";
import type { Backend, BackendRequest, StreamEvent } from "../src/backends/types.js";
import { backendConfigSchema, type SimulatedBackendConfig } from "../src/config.js";
import { affordableMaxTokens, worstCaseCost } from "../src/cost.js";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { tempDir } from "./helpers.js";

const USDC = (amount: string) => parseUnits(amount, 6);
const OWNER = 1;
const BUYER = 3;
const KEEPER = 4;
/** Reasoning dearer than visible output, so a charge that matches proves reasoning tokens were charged as such. */
const PRICING: Pricing = { inputPerMTok: 100_000n, outputPerMTok: 400_000n, reasoningPerMTok: 800_000n };
/** The gateway's default prompt margin in the worst case (approval.promptMarginBps = 1,000). */
const withMargin = (promptTokens: number) => BigInt(Math.ceil((promptTokens * 11_000) / 10_000));

/** The simulated backend, except that a stream can be held before its end (its receipt) until the test lets go. */
class HoldableBackend implements Backend {
  readonly kind = "simulated";
  readonly #inner: SimulatedBackend;
  #hold: Promise<void> | undefined;

  constructor(config: SimulatedBackendConfig) {
    this.#inner = new SimulatedBackend(config);
  }

  /** The next stream pauses before its end event until the returned function is called. */
  holdNextStream(): () => void {
    let release!: () => void;
    this.#hold = new Promise<void>((resolve) => (release = resolve));
    return release;
  }

  complete(request: BackendRequest) {
    return this.#inner.complete(request);
  }

  async *stream(request: BackendRequest): AsyncIterable<StreamEvent> {
    const hold = this.#hold;
    this.#hold = undefined;
    for await (const event of this.#inner.stream(request)) {
      if (event.type === "end" && hold) await hold;
      yield event;
    }
  }
}

let chain: LedgerChain;
let gateway: RunningGateway;
let backend: HoldableBackend;
let ledger: `0x${string}`;
let modelId: bigint;

type Item = BatchJson["items"][number];

async function allBatches(): Promise<BatchJson[]> {
  await gateway.flushReceipts();
  const batches: BatchJson[] = [];
  let cursor = "-1";
  for (;;) {
    const page = (await (await fetch(`${gateway.url}/v1/receipts?after=${cursor}&limit=100`)).json()) as { data: BatchJson[]; next_cursor: string; has_more: boolean };
    batches.push(...page.data);
    cursor = page.next_cursor;
    if (!page.has_more) return batches;
  }
}

/** The signed receipt of a response id (exactly one). */
async function receiptOf(responseId: string): Promise<Item> {
  const items = (await allBatches()).flatMap((batch) => batch.items).filter((item) => item.responseId === responseId);
  expect(items, `one signed receipt for ${responseId}`).toHaveLength(1);
  return items[0]!;
}

const costOf = (item: Item) =>
  usageCost({ inputTokens: BigInt(item.inputTokens), outputTokens: BigInt(item.outputTokens), reasoningTokens: BigInt(item.reasoningTokens) }, PRICING);

async function openFundedSession(budget: bigint) {
  const models = ((await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string; cogfi: { gatewayId: string } }[] }).data;
  const gatewayId = BigInt(models.find((model) => model.id === "oai-model")!.cogfi.gatewayId);
  const { sessionId } = await openSession(chain.client(BUYER), { modelId, gatewayId, budget, expiry: (await chain.now()) + 86_000n });
  const apiKey = await createSessionCredential(chain.accounts[BUYER]!, { chainId: chain.deployment.chainId, ledger }, sessionId);
  return { sessionId, openai: new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 }) };
}

/**
 * Settles every signed batch of the gateway in order (what a keeper does) and returns, per batch, what the ledger
 * charged `sessionId` and what the sdk's cost of the session's receipts in that batch is (the ledger rounds once
 * per session group).
 */
async function settleAll(sessionId: bigint): Promise<{ charged: bigint; expected: bigint }[]> {
  const batches = (await allBatches()).sort((a, b) => Number(BigInt(a.batchNumber) - BigInt(b.batchNumber)));
  const out: { charged: bigint; expected: bigint }[] = [];
  for (const json of batches) {
    if (BigInt(json.batchNumber) <= (await getSettledBatches(chain.reader, { gatewayId: BigInt(json.gatewayId) }))) continue;
    const settled = await settleUsage(chain.client(KEEPER), { batch: parseServedBatch(json) });
    const items = json.items.filter((item) => item.sessionId === sessionId.toString());
    if (items.length === 0) continue;
    const sum = (key: "inputTokens" | "outputTokens" | "reasoningTokens") => items.reduce((total, item) => total + BigInt(item[key]), 0n);
    out.push({
      charged: settled.sessions.find((session) => session.sessionId === sessionId)!.charged,
      expected: usageCost({ inputTokens: sum("inputTokens"), outputTokens: sum("outputTokens"), reasoningTokens: sum("reasoningTokens") }, PRICING),
    });
  }
  return out;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  ledger = ledgerAddresses({ deployment: chain.deployment }).inferenceLedger;
  ({ modelId } = await registerModel(chain.client(OWNER), modelParams("oai-model", { pricing: PRICING })));
  await chain.fund(BUYER, USDC("100"));
  backend = new HoldableBackend(backendConfigSchema.parse({ kind: "simulated", streamChunkTokens: 8 }) as SimulatedBackendConfig);
  gateway = await startGateway(
    {
      dataDir: tempDir(),
      http: { port: 0 },
      chain: { rpcUrl: chain.rpcUrl, deployment: chain.deployment, headMaxAgeMs: 0, pollingIntervalMs: 20 },
      models: ["oai-model"],
      receipts: { batchMaxDelayMs: 50 },
      enclave: { registrarKey: ANVIL_PRIVATE_KEYS[0] },
      logLevel: "silent",
    },
    { backend },
  );
}, 120_000);
afterAll(async () => {
  await gateway?.stop();
  await chain?.stop();
});

describe("the official openai client against the gateway on anvil", () => {
  test("plain and streaming chat and responses: text, usage equal to the signed receipts, the budget charged as receipted", async () => {
    const { sessionId, openai } = await openFundedSession(USDC("1"));
    const before = (await getSession(chain.reader, { sessionId }))!;

    // 1. chat.completions.create, plain.
    const chat = await openai.chat.completions.create({ model: "oai-model", messages: [{ role: "user", content: "Hello, who are you?" }], max_tokens: 2_000 });
    expect(chat.choices[0]!.message.content!.length).toBeGreaterThan(0);

    // 2. chat.completions.create, streaming, usage in the last chunk.
    const chatStream = await openai.chat.completions.create({
      model: "oai-model",
      messages: [{ role: "user", content: "Stream me a poem" }],
      max_tokens: 2_000,
      stream: true,
      stream_options: { include_usage: true },
    });
    let chatStreamText = "";
    let chatStreamId = "";
    let chatStreamUsage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of chatStream) {
      chatStreamId = chunk.id;
      chatStreamText += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) chatStreamUsage = chunk.usage;
    }
    expect(chatStreamText.length).toBeGreaterThan(0);

    // 3. responses.create, plain.
    const response = await openai.responses.create({ model: "oai-model", input: "What is a receipt?", max_output_tokens: 2_000 });
    expect(response.output_text.length).toBeGreaterThan(0);

    // 4. responses.create, streaming.
    const responseStream = await openai.responses.create({ model: "oai-model", instructions: "Answer briefly.", input: [{ role: "user", content: "Stream an answer" }], max_output_tokens: 2_000, stream: true });
    let streamedText = "";
    let streamed: OpenAI.Responses.Response | undefined;
    for await (const event of responseStream) {
      if (event.type === "response.output_text.delta") streamedText += event.delta;
      if (event.type === "response.completed" || event.type === "response.incomplete") streamed = event.response;
    }
    expect(streamedText.length).toBeGreaterThan(0);
    expect(streamed!.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text: streamedText }] });

    // Every figure the client saw is the signed receipt's: visible output = completion - reasoning.
    const receipts = await Promise.all([chat.id, chatStreamId, response.id, streamed!.id].map(receiptOf));
    const chatUsages = [chat.usage!, chatStreamUsage!];
    chatUsages.forEach((usage, i) => {
      const reasoning = usage.completion_tokens_details!.reasoning_tokens!;
      expect({ inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens - reasoning, reasoningTokens: reasoning }).toEqual({
        inputTokens: receipts[i]!.inputTokens,
        outputTokens: receipts[i]!.outputTokens,
        reasoningTokens: receipts[i]!.reasoningTokens,
      });
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    });
    [response.usage!, streamed!.usage!].forEach((usage, i) => {
      const receipt = receipts[i + 2]!;
      expect(usage).toEqual({
        input_tokens: receipt.inputTokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: receipt.outputTokens + receipt.reasoningTokens,
        output_tokens_details: { reasoning_tokens: receipt.reasoningTokens },
        total_tokens: receipt.inputTokens + receipt.outputTokens + receipt.reasoningTokens,
      });
    });
    // The visible text is what the receipt charges as output (each simulated word is one token).
    const texts = [chat.choices[0]!.message.content!, chatStreamText, response.output_text, streamedText];
    expect(receipts.map((receipt) => receipt.outputTokens)).toEqual(texts.map((text) => text.split(" ").length));
    expect(receipts.every((receipt) => receipt.reasoningTokens > 0), "the simulated model reasons on every request").toBe(true);
    // One session, one sequence: chat and responses calls share it.
    expect(receipts.map((receipt) => receipt.sequence)).toEqual(["1", "2", "3", "4"]);

    // Settled on chain: the session is charged exactly the sdk's cost of its receipts, reasoning at its price.
    const settled = await settleAll(sessionId);
    expect(settled.length).toBeGreaterThan(0);
    for (const { charged, expected } of settled) expect(charged).toBe(expected);
    const after = (await getSession(chain.reader, { sessionId }))!;
    const charged = settled.reduce((total, { charged }) => total + charged, 0n);
    expect(after.spent - before.spent).toBe(charged);
    expect(after.lastSequence).toBe(4n);
    const reasoningShare = receipts.reduce((total, receipt) => total + BigInt(receipt.reasoningTokens), 0n) * PRICING.reasoningPerMTok;
    expect(charged * 1_000_000n).toBeGreaterThan(reasoningShare);
  });

  test("a streaming responses call is reserved against the budget while in flight, like a chat call, then its receipt replaces the reservation", async () => {
    const budget = 2_000n;
    const { sessionId, openai } = await openFundedSession(budget);
    const pricing = PRICING;

    // A responses stream held open before its end: approved with max_output_tokens 1,000, its worst case reserved.
    const release = backend.holdNextStream();
    const stream = await openai.responses.create({ model: "oai-model", input: "Hold this stream open", max_output_tokens: 1_000, stream: true });
    const events = stream[Symbol.asyncIterator]();
    const created = await events.next();
    expect(created.value?.type).toBe("response.created");

    // Meanwhile a chat call asks for far more than the budget: it is capped to what the budget pays beside the
    // reservation.
    const capped = await openai.chat.completions
      .create({ model: "oai-model", messages: [{ role: "user", content: "Meanwhile, a chat" }], max_tokens: 30_000 })
      .withResponse();
    expect(capped.data.choices[0]!.message.content!.length).toBeGreaterThan(0);
    expect(capped.response.headers.get("x-cogfi-sequence"), "the chat was served while the stream was unreceipted").toBe("1");

    release();
    let final: OpenAI.Responses.Response | undefined;
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.type === "response.completed" || next.value.type === "response.incomplete") final = next.value.response;
    }
    const streamReceipt = await receiptOf(final!.id);
    expect(streamReceipt.sequence).toBe("2");
    expect(final!.max_output_tokens).toBe(1_000);
    const reserved = worstCaseCost(withMargin(final!.usage!.input_tokens), 1_000n, pricing);
    const chatCap = Number(capped.response.headers.get("x-cogfi-max-tokens"));
    expect(chatCap).toBe(Number(affordableMaxTokens(budget - reserved, withMargin(capped.data.usage!.prompt_tokens), pricing)));

    // Once both are receipted, their receipts' costs (not the reservations) count: a responses call asking for too
    // much is capped to exactly what is left, as chat would be.
    const chatReceipt = await receiptOf(capped.data.id);
    const committed = costOf(chatReceipt) + costOf(streamReceipt);
    const third = await openai.responses.create({ model: "oai-model", input: "And now?", max_output_tokens: 30_000 }).withResponse();
    const thirdCap = Number(third.response.headers.get("x-cogfi-max-tokens"));
    expect(third.data.max_output_tokens).toBe(thirdCap);
    expect(thirdCap).toBe(Number(affordableMaxTokens(budget - committed, withMargin(third.data.usage!.input_tokens), pricing)));
    expect(third.data.usage!.output_tokens).toBeLessThanOrEqual(thirdCap);

    // Settlement charges what was receipted and never more than the budget.
    const settled = await settleAll(sessionId);
    for (const { charged, expected } of settled) expect(charged).toBe(expected);
    const after = (await getSession(chain.reader, { sessionId }))!;
    expect(after.spent).toBe(settled.reduce((total, { charged }) => total + charged, 0n));
    expect(after.spent).toBeLessThanOrEqual(budget);
    expect(after.lastSequence).toBe(3n);
  });
});
