/**
 * POST /v1/responses and CORS against an in-memory chain: the official client (plain, streaming, the stream
 * helper), the Responses event sequence, usage equal to the signed receipt, the budget cap, refusals in OpenAI's
 * shape with nothing signed, and cross-origin access for allowed origins only. The same flows run on anvil in
 * openai.test.ts.
 */
import OpenAI from "openai";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { GatewayConfigError, parseGatewayConfig } from "../src/config.js";
import { createSessionCredential } from "../src/credential.js";
import { startGateway, type RunningGateway } from "../src/gateway.js";
import { FakeChain, FakeSigner, fakeAttestor } from "./fakes.js";
import { fakeDeployment, post, tempDir } from "./helpers.js";

const buyer = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const domain = { chainId: 31337, ledger: fakeDeployment.contracts.InferenceLedger! };
const APP = "https://app.example";

let chain: FakeChain;
let gateway: RunningGateway;
/** A second gateway on the same chain with CORS on for APP and a local dev server. */
let browserGateway: RunningGateway;
let apiKey: string;
let openai: OpenAI;

const start = (cors?: { allowedOrigins: string[] }) =>
  startGateway(
    {
      dataDir: tempDir(),
      http: { port: 0, bodyLimitBytes: 64 * 1024 },
      chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment, headMaxAgeMs: 0 },
      receipts: { batchMaxDelayMs: 20 },
      ...(cors ? { cors } : {}),
      logLevel: "silent",
    },
    { chainReader: chain, signer: new FakeSigner(), attestor: fakeAttestor, processMetrics: false },
  );

beforeAll(async () => {
  chain = new FakeChain();
  chain.addModel(1n, "cogito-8b");
  chain.addModel(2n, "cogito-8b-legal");
  chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 12n });
  [gateway, browserGateway] = await Promise.all([start(), start({ allowedOrigins: [APP, "http://localhost:5173"] })]);
  apiKey = await createSessionCredential(buyer, domain, 1n);
  openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey, maxRetries: 0 });
});
afterAll(async () => {
  await Promise.all([gateway?.stop(), browserGateway?.stop()]);
});

const responsesUrl = (g = gateway) => `${g.url}/v1/responses`;
const auth = () => ({ authorization: `Bearer ${apiKey}` });
const valid = { model: "cogito-8b", input: "hello", max_output_tokens: 64 };

type ServedItem = { responseId: string; sessionId: string; sequence: string; inputTokens: number; outputTokens: number; reasoningTokens: number; requestHash: string };

/** The signed receipt of a response, from GET /v1/receipts. */
async function receiptOf(responseId: string, g = gateway): Promise<ServedItem> {
  await g.flushReceipts();
  const items: ServedItem[] = [];
  let cursor = "-1";
  for (;;) {
    const page = (await (await fetch(`${g.url}/v1/receipts?after=${cursor}&limit=500`)).json()) as { data: { items: ServedItem[] }[]; next_cursor: string; has_more: boolean };
    items.push(...page.data.flatMap((batch) => batch.items));
    cursor = page.next_cursor;
    if (!page.has_more) break;
  }
  const matching = items.filter((item) => item.responseId === responseId);
  expect(matching, `one receipt for ${responseId}`).toHaveLength(1);
  return matching[0]!;
}

/** The receipt's token counts as the Responses API reports usage. */
const usageOfReceipt = (item: ServedItem) => ({
  input_tokens: item.inputTokens,
  input_tokens_details: { cached_tokens: 0 },
  output_tokens: item.outputTokens + item.reasoningTokens,
  output_tokens_details: { reasoning_tokens: item.reasoningTokens },
  total_tokens: item.inputTokens + item.outputTokens + item.reasoningTokens,
});

describe("POST /v1/responses with the official client", () => {
  test("a plain response: text output, usage equal to its signed receipt, the receipt in headers and body", async () => {
    const { data: response, response: http } = await openai.responses
      .create({ model: "cogito-8b", input: "What is 2+2?", max_output_tokens: 2_000 })
      .withResponse();
    expect(response.object).toBe("response");
    expect(response.id).toMatch(/^resp_[0-9a-f]{48}$/);
    expect(response.status).toMatch(/^(completed|incomplete)$/);
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: "message", role: "assistant", status: response.status });
    const receipt = await receiptOf(response.id);
    expect(response.usage).toEqual(usageOfReceipt(receipt));
    // Visible output tokens are exactly the words of the text (one o200k token each).
    expect(receipt.outputTokens).toBe(response.output_text.split(" ").length);
    expect(response.usage!.output_tokens).toBeLessThanOrEqual(2_000);
    expect(http.headers.get("x-cogfi-session")).toBe("1");
    expect(http.headers.get("x-cogfi-sequence")).toBe(receipt.sequence);
    expect(http.headers.get("x-cogfi-request-hash")).toBe(receipt.requestHash);
    expect(http.headers.get("x-cogfi-max-tokens")).toBe("2000");
    expect((response as unknown as { cogfi: unknown }).cogfi).toEqual({ sessionId: "1", sequence: receipt.sequence, requestHash: receipt.requestHash });
  });

  test("a small max_output_tokens is the cap: an incomplete response that still has visible text", async () => {
    const response = await openai.responses.create({ model: "cogito-8b", input: "Think long and hard about this.", max_output_tokens: 20 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(response.usage!.output_tokens).toBe(20);
    expect(response.output_text.length).toBeGreaterThan(0);
    expect(response.max_output_tokens).toBe(20);
  });

  test("a conversation: instructions, typed text parts, and a previous response's output sent back", async () => {
    const first = await openai.responses.create({ model: "cogito-8b", instructions: "Be brief.", input: [{ role: "user", content: "Hi" }], max_output_tokens: 300 });
    const second = await openai.responses.create({
      model: "cogito-8b",
      instructions: "Be brief.",
      input: [
        { role: "user", content: [{ type: "input_text", text: "Hi" }] },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: "user", content: "And then?" },
      ],
      max_output_tokens: 300,
    });
    expect(second.output_text.length).toBeGreaterThan(0);
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
    expect(second.instructions).toBe("Be brief.");
  });

  test("a stream: OpenAI's event sequence, deltas adding up to the text, usage equal to the receipt", async () => {
    const stream = await openai.responses.create({ model: "cogito-8b", input: "Stream a story", max_output_tokens: 3_000, stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    const types = events.map((event) => event.type);
    const deltas = events.filter((event) => event.type === "response.output_text.delta");
    expect(deltas.length).toBeGreaterThan(0);
    const terminal = types.at(-1)!;
    expect(terminal).toMatch(/^response\.(completed|incomplete)$/);
    expect(types).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      ...deltas.map(() => "response.output_text.delta"),
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      terminal,
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const text = deltas.map((event) => event.delta).join("");
    expect(text.length).toBeGreaterThan(0);
    const done = events.find((event) => event.type === "response.output_text.done")!;
    expect(done.text).toBe(text);
    const final = (events.at(-1) as OpenAI.Responses.ResponseCompletedEvent).response;
    expect(final.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text }] });
    const created = (events[0] as OpenAI.Responses.ResponseCreatedEvent).response;
    expect(created).toMatchObject({ id: final.id, status: "in_progress", output: [], usage: null });
    const receipt = await receiptOf(final.id);
    expect(final.usage).toEqual(usageOfReceipt(receipt));
    expect(receipt.outputTokens).toBe(text.split(" ").length);
    expect((final as unknown as { cogfi: unknown }).cogfi).toEqual({ sessionId: "1", sequence: receipt.sequence, requestHash: receipt.requestHash });
  });

  test("the client's stream helper assembles the same text", async () => {
    const request = { model: "cogito-8b", input: "helper", max_output_tokens: 4_000 };
    const plain = await openai.responses.create(request);
    const helper = openai.responses.stream(request);
    let deltas = "";
    helper.on("response.output_text.delta", (event) => {
      deltas += event.delta;
    });
    const final = await helper.finalResponse();
    // Seeded simulated backend: the same request gives the same completion. (The helper's final response has no
    // `output_text` convenience field in this client version, whatever the server: read the message.)
    expect(final.output[0]).toMatchObject({ type: "message", content: [{ type: "output_text", text: plain.output_text }] });
    expect(deltas).toBe(plain.output_text);
  });

  test("a small budget lowers max_output_tokens like chat's max_tokens, and the response says so", async () => {
    chain.addSession({ sessionId: 40n, buyer: buyer.address, budget: 1_000n });
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: await createSessionCredential(buyer, domain, 40n), maxRetries: 0 });
    const { data, response } = await client.responses.create({ model: "cogito-8b", input: "think hard", max_output_tokens: 30_000 }).withResponse();
    const cap = Number(response.headers.get("x-cogfi-max-tokens"));
    expect(cap).toBeLessThan(30_000);
    expect(cap).toBeGreaterThan(0);
    expect(data.max_output_tokens).toBe(cap);
    expect(data.usage!.output_tokens).toBeLessThanOrEqual(cap);
  });

  test("errors reach the client as OpenAI errors", async () => {
    const stranger = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "sk-nothing", maxRetries: 0 });
    const error = await stranger.responses.create({ model: "cogito-8b", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("invalid_credential");
    const tooLarge = await openai.responses.create({ model: "cogito-8b", input: "x", max_output_tokens: 10_000_000 }).catch((e: unknown) => e);
    expect(tooLarge).toBeInstanceOf(OpenAI.BadRequestError);
    expect((tooLarge as InstanceType<typeof OpenAI.APIError>).code).toBe("max_tokens_too_large");
    expect((tooLarge as InstanceType<typeof OpenAI.APIError>).param).toBe("max_output_tokens");
  });
});

describe("POST /v1/responses: bad input is a 4xx with a clear message, nothing signed", () => {
  const body = (fields: Record<string, unknown>) => JSON.stringify({ ...valid, ...fields });
  const cases: [string, () => Promise<Awaited<ReturnType<typeof post>>>, number, string, RegExp][] = [
    ["a missing input", () => post(responsesUrl(), JSON.stringify({ model: "cogito-8b" }), auth()), 400, "invalid_request", /Missing required parameter: 'input'/],
    ["an empty input list", () => post(responsesUrl(), body({ input: [] }), auth()), 400, "invalid_request", /input/],
    ["a function call item", () => post(responsesUrl(), body({ input: [{ type: "function_call_output", call_id: "c", output: "x" }] }), auth()), 400, "invalid_request", /Unsupported input item type 'function_call_output'/],
    ["an image part", () => post(responsesUrl(), body({ input: [{ role: "user", content: [{ type: "input_image", image_url: "https://x" }] }] }), auth()), 400, "invalid_request", /input\[0\]\.content/],
    ["an unknown role", () => post(responsesUrl(), body({ input: [{ role: "wizard", content: "x" }] }), auth()), 400, "invalid_request", /input\[0\]\.role/],
    ["previous_response_id", () => post(responsesUrl(), body({ previous_response_id: "resp_1" }), auth()), 400, "invalid_request", /stores no responses/],
    ["tools", () => post(responsesUrl(), body({ tools: [{ type: "function", name: "f", parameters: {} }] }), auth()), 400, "invalid_request", /tools are not supported/],
    ["a JSON schema output", () => post(responsesUrl(), body({ text: { format: { type: "json_schema", name: "x", schema: {} } } }), auth()), 400, "invalid_request", /text\.format/],
    ["background", () => post(responsesUrl(), body({ background: true }), auth()), 400, "invalid_request", /background responses are not supported/],
    ["an unknown field", () => post(responsesUrl(), body({ frobnicate: 1 }), auth()), 400, "unknown_parameter", /Unrecognized request argument supplied: frobnicate/],
    ["a fractional max_output_tokens", () => post(responsesUrl(), body({ max_output_tokens: 1.5 }), auth()), 400, "invalid_request", /max_output_tokens/],
    ["a huge max_output_tokens", () => post(responsesUrl(), body({ max_output_tokens: 1e9 }), auth()), 400, "max_tokens_too_large", /max_output_tokens is too large/],
    ["malformed JSON", () => post(responsesUrl(), '{"model": ', auth()), 400, "invalid_json", /not valid JSON/],
    ["no credential", () => post(responsesUrl(), body({})), 401, "missing_credential", /No session credential/],
    ["a credential for an unknown session", () => post(responsesUrl(), body({}), { authorization: `Bearer ${apiKey.replace("session-1-", "session-99-")}` }), 401, "unknown_session", /99/],
    ["the wrong model", () => post(responsesUrl(), body({ model: "cogito-8b-legal" }), auth()), 403, "wrong_model", /approves model `cogito-8b`/],
    ["an unknown model", () => post(responsesUrl(), body({ model: "gpt-17" }), auth()), 404, "model_not_found", /gpt-17/],
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
});

describe("CORS", () => {
  const preflight = (g: RunningGateway, origin: string, headers = "authorization, content-type, x-stainless-os") =>
    fetch(responsesUrl(g), { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers } });

  test("a preflight from an allowed origin is answered with the methods, the headers it asked for and a max age", async () => {
    const response = await preflight(browserGateway, APP);
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe(APP);
    expect(response.headers.get("access-control-allow-methods")).toMatch(/POST/);
    expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-stainless-os");
    expect(response.headers.get("access-control-max-age")).toBe("600");
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
    expect(response.headers.get("vary")).toMatch(/Origin/);
  });

  test("a preflight naming no headers, or a malformed list, gets the default list with Authorization", async () => {
    for (const headers of ["", "bad header\nname"]) {
      const response = await fetch(responsesUrl(browserGateway), {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST", ...(headers ? { "access-control-request-headers": headers.replace("\n", " ") } : {}) },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-cogfi-session");
    }
  });

  test("requests from an allowed origin may read the answer and the receipt headers, refusals included", async () => {
    const served = await post(responsesUrl(browserGateway), JSON.stringify(valid), { ...auth(), origin: APP });
    expect(served.status).toBe(200);
    expect(served.headers.get("access-control-allow-origin")).toBe(APP);
    expect(served.headers.get("access-control-expose-headers")).toMatch(/x-cogfi-sequence/);
    const refused = await post(`${browserGateway.url}/v1/chat/completions`, JSON.stringify({ model: "cogito-8b", messages: [] }), { origin: APP });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe(APP);
  });

  test("another origin's preflight is a 403 without CORS headers; its requests get no CORS headers", async () => {
    const response = await preflight(browserGateway, "https://evil.example");
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const direct = await post(responsesUrl(browserGateway), JSON.stringify(valid), { ...auth(), origin: "https://evil.example" });
    expect(direct.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("off by default: no CORS headers, a preflight is an unknown endpoint", async () => {
    const response = await preflight(gateway, APP);
    expect(response.status).toBe(404);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
    const served = await post(responsesUrl(), JSON.stringify(valid), { ...auth(), origin: APP });
    expect(served.status).toBe(200);
    expect(served.headers.get("access-control-allow-origin")).toBeNull();
  });

  test("origins are validated at start and normalized; * allows any origin", () => {
    const base = { dataDir: tempDir(), chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment } };
    expect(parseGatewayConfig({ ...base, cors: { allowedOrigins: ["HTTPS://App.Example:443/", "*"] } }).cors.allowedOrigins).toEqual([APP, "*"]);
    expect(parseGatewayConfig(base).cors).toEqual({ allowedOrigins: [], maxAgeSeconds: 600 });
    for (const bad of ["https://app.example/path", "app.example", "ftp://app.example", "https://user@app.example", "https://app.example?x=1"]) {
      expect(() => parseGatewayConfig({ ...base, cors: { allowedOrigins: [bad] } }), bad).toThrow(GatewayConfigError);
    }
  });

  test("with * any origin is allowed", async () => {
    const open = await start({ allowedOrigins: ["*"] });
    try {
      const response = await preflight(open, "https://anywhere.example");
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe("*");
    } finally {
      await open.stop();
    }
  });
});
