/**
 * The HTTP surface against an in-memory chain: OpenAI compatibility (official client, streaming), validation
 * of bad input, errors in OpenAI's shape, receipts paging. The same flows run on anvil in ledger.test.ts.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { FakeChain, FakeSigner, fakeAttestor } from "./fakes.js";
import { fakeDeployment, post, tempDir } from "./helpers.js";

const buyer = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const domain = { chainId: 31337, ledger: fakeDeployment.contracts.InferenceLedger! };

let gateway: RunningGateway;
let chain: FakeChain;
let signer: FakeSigner;
let apiKey: string;
let openai: OpenAI;

beforeAll(async () => {
  chain = new FakeChain();
  chain.addModel(1n, "cogito-8b");
  chain.addModel(2n, "cogito-8b-legal");
  chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 12n });
  signer = new FakeSigner();
  gateway = await startGateway(
    {
      dataDir: tempDir(),
      http: { port: 0, bodyLimitBytes: 64 * 1024 },
      chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment, headMaxAgeMs: 0 },
      receipts: { batchMaxDelayMs: 20 },
      logLevel: "silent",
    },
    { chainReader: chain, signer, attestor: fakeAttestor, processMetrics: false },
  );
  apiKey = await createSessionCredential(buyer, domain, 1n);
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(() => gateway?.stop());

const chatUrl = () => `${gateway.url}/v1/chat/completions`;
const auth = () => ({ authorization: `Bearer ${apiKey}` });
const valid = { model: "cogito-8b", messages: [{ role: "user", content: "hello" }], max_tokens: 64 };

describe("OpenAI compatibility", () => {
  test("the official client completes a chat", async () => {
    const completion = await openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: "What is 2+2?" }], max_tokens: 2_000 });
    expect(completion.object).toBe("chat.completion");
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0]!.message.role).toBe("assistant");
    expect(completion.choices[0]!.message.content!.length).toBeGreaterThan(0);
    const usage = completion.usage!;
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.completion_tokens_details!.reasoning_tokens).toBeGreaterThanOrEqual(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(2_000);
  });

  test("the official client streams, with usage in the final chunk", async () => {
    const stream = await openai.chat.completions.create({
      model: "cogito-8b",
      messages: [{ role: "user", content: "Stream a story" }],
      max_tokens: 3_000,
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined | null;
    const ids = new Set<string>();
    for await (const chunk of stream) {
      ids.add(chunk.id);
      if (chunk.choices[0]?.delta.content) content += chunk.choices[0].delta.content;
      if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(ids.size).toBe(1);
    expect(finish).toMatch(/^(stop|length)$/);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(usage!.completion_tokens - usage!.completion_tokens_details!.reasoning_tokens!).toBe(content.split(" ").length);
  });

  test("a stream without include_usage has no usage chunk", async () => {
    const stream = await openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: "x" }], max_tokens: 50, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((chunk) => !chunk.usage)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBeTruthy();
  });

  test("the same request gives the same completion (seeded simulated backend)", async () => {
    const request = { model: "cogito-8b", messages: [{ role: "user" as const, content: "determinism" }], max_tokens: 500 };
    const a = await openai.chat.completions.create(request);
    const b = await openai.chat.completions.create(request);
    expect(a.choices[0]!.message.content).toBe(b.choices[0]!.message.content);
    expect(a.usage).toEqual(b.usage);
    expect(a.id).not.toBe(b.id);
  });

  test("GET /v1/models lists the registry's models", async () => {
    const models = await openai.models.list();
    expect(models.data.map((model) => model.id)).toEqual(["cogito-8b", "cogito-8b-legal"]);
    const one = await openai.models.retrieve("cogito-8b-legal");
    expect((one as unknown as { cogfi: { modelId: string } }).cogfi.modelId).toBe("2");
  });

  test("the X-CogFi-Session header works as well as the bearer key", async () => {
    const response = await post(chatUrl(), JSON.stringify(valid), { "x-cogfi-session": apiKey });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-cogfi-session")).toBe("1");
  });
});

describe("bad input: a 4xx with a clear message, nothing signed, the server stays up", () => {
  const cases: [string, () => Promise<Awaited<ReturnType<typeof post>>>, number, string, RegExp][] = [
    ["malformed JSON", () => post(chatUrl(), '{"model": "cogito-8b", "messages": [', auth()), 400, "invalid_json", /not valid JSON/],
    ["a JSON array", () => post(chatUrl(), "[1,2]", auth()), 400, "invalid_request", /JSON object/],
    ["messages of the wrong type", () => post(chatUrl(), JSON.stringify({ ...valid, messages: "hello" }), auth()), 400, "invalid_request", /messages/],
    ["a missing model", () => post(chatUrl(), JSON.stringify({ messages: valid.messages }), auth()), 400, "invalid_request", /Missing required parameter: 'model'/],
    ["an unknown role", () => post(chatUrl(), JSON.stringify({ ...valid, messages: [{ role: "wizard", content: "x" }] }), auth()), 400, "invalid_request", /messages\[0\]\.role/],
    ["max_tokens as a string", () => post(chatUrl(), JSON.stringify({ ...valid, max_tokens: "10" }), auth()), 400, "invalid_request", /max_tokens/],
    ["a negative max_tokens", () => post(chatUrl(), JSON.stringify({ ...valid, max_tokens: -1 }), auth()), 400, "invalid_request", /max_tokens/],
    ["a fractional max_tokens", () => post(chatUrl(), JSON.stringify({ ...valid, max_tokens: 1.5 }), auth()), 400, "invalid_request", /max_tokens/],
    ["an unknown field", () => post(chatUrl(), JSON.stringify({ ...valid, frobnicate: true }), auth()), 400, "unknown_parameter", /Unrecognized request argument supplied: frobnicate/],
    ["an unknown field in a message", () => post(chatUrl(), JSON.stringify({ ...valid, messages: [{ role: "user", content: "x", mood: 1 }] }), auth()), 400, "invalid_request", /mood/],
    ["n > 1", () => post(chatUrl(), JSON.stringify({ ...valid, n: 3 }), auth()), 400, "invalid_request", /n = 1/],
    ["a huge max_tokens", () => post(chatUrl(), JSON.stringify({ ...valid, max_tokens: 1e15 }), auth()), 400, "max_tokens_too_large", /max_tokens is too large/],
    ["a huge max_completion_tokens", () => post(chatUrl(), JSON.stringify({ ...valid, max_completion_tokens: 10_000_000 }), auth()), 400, "max_tokens_too_large", /max_completion_tokens is too large/],
    ["a body over the limit", () => post(chatUrl(), JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(100_000) }] }), auth()), 413, "body_too_large", /exceeds the limit/],
    ["no credential", () => post(chatUrl(), JSON.stringify(valid)), 401, "missing_credential", /No session credential/],
    ["a garbage credential", () => post(chatUrl(), JSON.stringify(valid), { authorization: "Bearer sk-123" }), 401, "invalid_credential", /cogfi-session-/],
    ["a credential for an unknown session", () => post(chatUrl(), JSON.stringify(valid), { authorization: `Bearer ${apiKey.replace("session-1-", "session-99-")}` }), 401, "unknown_session", /99/],
    ["a forged credential (edited session id)", async () => {
      chain.addSession({ sessionId: 2n, buyer: buyer.address });
      return post(chatUrl(), JSON.stringify(valid), { authorization: `Bearer ${apiKey.replace("session-1-", "session-2-")}` });
    }, 401, "invalid_credential", /not signed by the buyer/],
    ["the wrong model", () => post(chatUrl(), JSON.stringify({ ...valid, model: "cogito-8b-legal" }), auth()), 403, "wrong_model", /approves model `cogito-8b`/],
    ["an unknown model", () => post(chatUrl(), JSON.stringify({ ...valid, model: "gpt-17" }), auth()), 404, "model_not_found", /gpt-17/],
  ];

  test.each(cases)("%s", async (_name, send, status, code, message) => {
    const before = gateway.store.receiptCount;
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.json.error).toMatchObject({ code, type: expect.any(String) });
    expect(response.json.error!.message).toMatch(message);
    expect(Object.keys(response.json.error!).sort()).toEqual(["code", "message", "param", "type"]);
    expect(gateway.store.receiptCount).toBe(before);
  });

  test("the server is still up and serving", async () => {
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
    const response = await post(chatUrl(), JSON.stringify(valid), auth());
    expect(response.status).toBe(200);
  });

  test("the official client surfaces the errors with their status", async () => {
    const noSession = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "sk-nothing", maxRetries: 0 });
    const error = await noSession.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: "x" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_credential");
  });

  test("unknown endpoints are a 404 in OpenAI's shape", async () => {
    const response = await fetch(`${gateway.url}/v1/embeddings`, { method: "POST" });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  test("refusals are counted by reason in /metrics", async () => {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(text).toMatch(/cogfi_gateway_refusals_total\{reason="invalid_json"\} [1-9]/);
    expect(text).toMatch(/cogfi_gateway_receipts_pending/);
    expect(text).toMatch(/cogfi_gateway_tokens_total\{model="cogito-8b",kind="reasoning"\}/);
  });
});

describe("receipts", () => {
  test("every served request has exactly one receipt, served in signed batches with cursors", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const completion = await openai.chat.completions.create({ model: "cogito-8b", messages: [{ role: "user", content: `r${i}` }], max_tokens: 100 });
      ids.push(completion.id);
    }
    await gateway.flushReceipts();
    const all: {
      cursor: string;
      gatewayId: string;
      batchNumber: string;
      servedPricing: string;
      items: { responseId: string; sequence: string; sessionId: string }[];
    }[] = [];
    let cursor = "-1";
    for (;;) {
      const page = (await (await fetch(`${gateway.url}/v1/receipts?after=${cursor}&limit=1`)).json()) as {
        data: typeof all;
        next_cursor: string;
        has_more: boolean;
      };
      all.push(...page.data);
      cursor = page.next_cursor;
      if (!page.has_more) break;
    }
    const served = all.flatMap((batch) => batch.items.map((item) => item.responseId));
    for (const id of ids) expect(served.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(served).size).toBe(served.length);
    const sequences = all.flatMap((batch) => batch.items.filter((i) => i.sessionId === "1").map((i) => BigInt(i.sequence)));
    expect([...sequences].sort((a, b) => (a < b ? -1 : 1))).toEqual(sequences);
    // The gateway's batches (model 1's key is gateway 1 on the fake chain) are numbered 1, 2, 3... and carry the
    // pricing they were served at, packed.
    expect(all.map((batch) => batch.gatewayId)).toEqual(all.map(() => "1"));
    expect(all.map((batch) => batch.batchNumber)).toEqual(all.map((_, i) => String(i + 1)));
    expect(new Set(all.map((batch) => batch.servedPricing))).toEqual(new Set([((100_000n << 160n) | (400_000n << 80n) | 400_000n).toString()]));
  });

  test("/v1/models publishes this gateway's id for each model", async () => {
    const models = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: { id: string; cogfi: { gatewayId: string | null } }[] };
    expect(models.data.map((m) => [m.id, m.cogfi.gatewayId])).toEqual([
      ["cogito-8b", "1"],
      ["cogito-8b-legal", "2"],
    ]);
  });

  test("a limit above the maximum is capped", async () => {
    const response = await fetch(`${gateway.url}/v1/receipts?limit=100000`);
    expect(response.status).toBe(200);
  });

  test("bad cursors are a 400", async () => {
    for (const query of ["after=abc", "limit=0", "limit=-5", "limit=ten", "after=1&bogus=1"]) {
      const response = await fetch(`${gateway.url}/v1/receipts?${query}`);
      expect(response.status, query).toBe(400);
    }
  });
});

describe("insured sessions", () => {
  test("max_tokens above the policy's strike + per-request limit is clamped to it (x-cogfi-max-tokens), the completion stays under it", async () => {
    chain.addSession({ sessionId: 9n, buyer: buyer.address, budget: 10n ** 12n, policy: { policyId: 3n, strikeTokens: 200n, limitTokens: 300n } });
    chain.mine();
    const insuredKey = await createSessionCredential(buyer, domain, 9n);
    const response = await post(chatUrl(), JSON.stringify({ ...valid, max_tokens: 20_000 }), { authorization: `Bearer ${insuredKey}` });
    expect(response.status, response.text).toBe(200);
    expect(response.headers.get("x-cogfi-max-tokens")).toBe("500");
    const { usage } = response.json as unknown as { usage: { completion_tokens: number } };
    expect(usage.completion_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeLessThanOrEqual(500);
    // Below the ceiling the client's max_tokens stands.
    const within = await post(chatUrl(), JSON.stringify({ ...valid, max_tokens: 400 }), { authorization: `Bearer ${insuredKey}` });
    expect(within.status, within.text).toBe(200);
    expect(within.headers.get("x-cogfi-max-tokens")).toBe("400");
  });
});

describe("smaller fixes", () => {
  test("a body that is not valid gzip is a 400 with a clear message", async () => {
    const response = await fetch(chatUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth() },
      body: "this is not gzip at all",
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/could not be decompressed as gzip/);
  });

  test("a valid gzip body is still served", async () => {
    const { gzipSync } = await import("node:zlib");
    const response = await fetch(chatUrl(), {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", ...auth() },
      body: gzipSync(JSON.stringify(valid)),
    });
    expect(response.status).toBe(200);
  });

  test("every id chat accepts names the model at GET /v1/models/{id} (cogito-8b#1)", async () => {
    const chat = await post(chatUrl(), JSON.stringify({ ...valid, model: "cogito-8b#1" }), auth());
    expect(chat.status).toBe(200);
    for (const id of ["cogito-8b", "cogito-8b#1"]) {
      const response = await fetch(`${gateway.url}/v1/models/${encodeURIComponent(id)}`);
      expect(response.status, id).toBe(200);
      expect(((await response.json()) as { id: string; cogfi: { modelId: string } }).cogfi.modelId).toBe("1");
    }
    expect((await fetch(`${gateway.url}/v1/models/${encodeURIComponent("cogito-8b#2")}`)).status).toBe(404);
  });

  test("a session its buyer closed is refused as closed, one that ran out its time as expired", async () => {
    chain.addSession({ sessionId: 30n, buyer: buyer.address });
    chain.addSession({ sessionId: 31n, buyer: buyer.address, expiry: chain.head_.timestamp + 1n });
    chain.requestClose(30n);
    chain.mine(5n);
    const closed = await post(chatUrl(), JSON.stringify(valid), { authorization: `Bearer ${await createSessionCredential(buyer, domain, 30n)}` });
    expect(closed.status).toBe(403);
    expect(closed.json.error).toMatchObject({ code: "session_closed" });
    expect(closed.json.error!.message).toMatch(/closed by its buyer/);
    const expired = await post(chatUrl(), JSON.stringify(valid), { authorization: `Bearer ${await createSessionCredential(buyer, domain, 31n)}` });
    expect(expired.status).toBe(403);
    expect(expired.json.error).toMatchObject({ code: "session_expired" });
    expect(expired.json.error!.message).toMatch(/expired at/);
  });
});
