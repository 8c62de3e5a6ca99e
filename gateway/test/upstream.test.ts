/**
 * The upstream backend against a minimal OpenAI-compatible server: forwarding, the approved cap sent upstream,
 * and token counting with gpt-tokenizer when the upstream reports no usage.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { countPromptTokens, countTextTokens } from "../src/tokenizer.js";
import { FakeChain, FakeSigner, fakeAttestor } from "./fakes.js";
import { fakeDeployment, tempDir } from "./helpers.js";

const buyer = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const ANSWER = "The capital of France is Paris.";
const REASONING = "The user asks about France; its capital is Paris.";

let upstream: Server;
const seen: Record<string, unknown>[] = [];
let gateway: RunningGateway;
let openai: OpenAI;
/** Whether the fake upstream reports usage. */
let reportUsage = false;

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.post("/v1/chat/completions", (req, res) => {
    seen.push(req.body as Record<string, unknown>);
    const body = req.body as { stream?: boolean; model: string };
    const usage = reportUsage
      ? { prompt_tokens: 11, completion_tokens: 30, total_tokens: 41, completion_tokens_details: { reasoning_tokens: 20 } }
      : undefined;
    if (!body.stream) {
      res.json({
        id: "up-1",
        object: "chat.completion",
        model: body.model,
        choices: [{ index: 0, message: { role: "assistant", content: ANSWER, reasoning_content: REASONING }, finish_reason: "stop" }],
        ...(usage ? { usage } : {}),
      });
      return;
    }
    res.setHeader("content-type", "text/event-stream");
    const chunk = (delta: unknown, finish: string | null) =>
      res.write(`data: ${JSON.stringify({ id: "up-1", object: "chat.completion.chunk", model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    chunk({ role: "assistant", reasoning_content: REASONING }, null);
    for (const word of ANSWER.split(/(?= )/)) chunk({ content: word }, null);
    chunk({}, "stop");
    if (usage) res.write(`data: ${JSON.stringify({ id: "up-1", choices: [], usage })}\n\n`);
    res.end("data: [DONE]\n\n");
  });
  upstream = createServer(app);
  await new Promise<void>((done) => upstream.listen(0, "127.0.0.1", done));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;

  const chain = new FakeChain();
  chain.addModel(1n, "cogito-8b");
  chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 12n });
  gateway = await startGateway(
    {
      dataDir: tempDir(),
      http: { port: 0 },
      chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment, headMaxAgeMs: 0 },
      backend: { kind: "upstream", baseUrl: upstreamUrl, modelMap: { "cogito-8b": "llama-3-8b" } },
      logLevel: "silent",
    },
    { chainReader: chain, signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false },
  );
  const apiKey = await createSessionCredential(buyer, { chainId: 31337, ledger: fakeDeployment.contracts.InferenceLedger! }, 1n);
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
  upstream?.close();
});

const messages = [{ role: "user" as const, content: "What is the capital of France?" }];

describe("upstream backend", () => {
  test("forwards with the upstream model name and the approved cap, counts tokens itself when usage is missing", async () => {
    reportUsage = false;
    const completion = await openai.chat.completions.create({ model: "cogito-8b", messages, max_tokens: 500, temperature: 0.2 });
    const forwarded = seen.at(-1)!;
    expect(forwarded).toMatchObject({ model: "llama-3-8b", max_tokens: 500, temperature: 0.2, stream: false });
    expect(completion.choices[0]!.message.content).toBe(ANSWER);
    const reasoning = countTextTokens(REASONING);
    expect(completion.usage).toEqual({
      prompt_tokens: countPromptTokens(messages),
      completion_tokens: countTextTokens(ANSWER) + reasoning,
      total_tokens: countPromptTokens(messages) + countTextTokens(ANSWER) + reasoning,
      completion_tokens_details: { reasoning_tokens: reasoning },
    });
  });

  test("uses the upstream's usage when it reports one", async () => {
    reportUsage = true;
    const completion = await openai.chat.completions.create({ model: "cogito-8b", messages, max_tokens: 500 });
    expect(completion.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 30, completion_tokens_details: { reasoning_tokens: 20 } });
  });

  test("streams through, asking the upstream for usage, and reports usage at the end", async () => {
    reportUsage = false;
    const stream = await openai.chat.completions.create({ model: "cogito-8b", messages, max_tokens: 500, stream: true, stream_options: { include_usage: true } });
    let content = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      if (chunk.usage) usage = chunk.usage;
    }
    expect(seen.at(-1)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(content).toBe(ANSWER);
    expect(usage!.completion_tokens).toBe(countTextTokens(ANSWER) + countTextTokens(REASONING));
  });

  test("an upstream that claims more tokens than approved is clamped to the cap in the receipt", async () => {
    reportUsage = true; // claims 30 completion tokens
    const completion = await openai.chat.completions.create({ model: "cogito-8b", messages, max_tokens: 16 });
    expect(completion.usage!.completion_tokens).toBe(16);
    expect(completion.usage!.completion_tokens_details!.reasoning_tokens).toBe(16);
  });

  test("an unreachable upstream is a 502 and nothing is recorded", async () => {
    const before = gateway.store.receiptCount;
    upstream.closeAllConnections();
    await new Promise<void>((done) => upstream.close(() => done()));
    const error = await openai.chat.completions.create({ model: "cogito-8b", messages, max_tokens: 16 }).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(gateway.store.receiptCount).toBe(before);
  });
});
