/**
 * POST /v1/chat/completions: credential -> approval -> backend -> durable receipt -> response.
 *
 * The receipt is on disk before the response completes: for a plain response before the body is sent, for a
 * stream before the final chunk (finish reason, usage) and `[DONE]`. A stream the client abandons is charged
 * for what the backend generated until then (its reasoning and the output delivered).
 */
import { randomBytes } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import type { Approval, Approver } from "../approval.js";
import type { Backend, BackendRequest, BackendUsage, ChatMessage } from "../backends/types.js";
import type { GatewayConfig } from "../config.js";
import { costUp } from "../cost.js";
import { credentialFromHeaders, type CredentialVerifier, type SessionCredential } from "../credential.js";
import { GatewayError, refuse } from "../errors.js";
import type { Exposure } from "../exposure.js";
import type { GatewayMetrics } from "../metrics.js";
import type { ReceiptStore } from "../receipts/store.js";
import type { Receipt } from "../receipts/types.js";
import { finalizeUsage, type ReceiptUsage } from "../receipts/usage.js";
import { packPricing, requestHashOf } from "@cogfi/sdk";
import { countPromptTokensAsync, promptTokenBound } from "../tokenizer.js";
import { parseChatRequest, type ChatCompletionRequest } from "./schemas.js";

export type ChatContext = {
  config: GatewayConfig;
  verifier: CredentialVerifier;
  approver: Approver;
  backend: Backend;
  store: ReceiptStore;
  exposure: Exposure;
  metrics: GatewayMetrics;
  logger: Logger;
  systemFingerprint: string;
  isShuttingDown: () => boolean;
};

/** Request fields that go to the backend as they are. */
const FORWARDED = [
  "temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
  "top_logprobs", "user", "response_format", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort",
  "max_completion_tokens",
] as const;

type RawBodyRequest = Request & { rawBody?: Buffer; credential?: SessionCredential; arrivedAt?: number };

function newResponseId(): string {
  return `chatcmpl-${randomBytes(12).toString("hex")}`;
}

type UsageJson = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  completion_tokens_details: { reasoning_tokens: number };
};

function usageJson(usage: ReceiptUsage): UsageJson {
  const completion = usage.outputTokens + usage.reasoningTokens;
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: completion,
    total_tokens: usage.inputTokens + completion,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/**
 * Runs before the body is read: the credential, and whether its session exists, is its signer's and is open. A
 * request that fails is answered without reading its body (Node discards the rest unparsed), so a stranger's
 * request costs one signature recovery and a cached session read, whatever its size.
 */
export function chatAuthentication(context: ChatContext) {
  return async function authenticate(req: RawBodyRequest, _res: Response, next: NextFunction): Promise<void> {
    const arrivedAt = performance.now();
    if (context.isShuttingDown()) throw refuse.shuttingDown();
    const raw = credentialFromHeaders(req.headers as Parameters<typeof credentialFromHeaders>[0]);
    if (!raw) throw refuse.missingCredential();
    const credential = await context.verifier.verify(raw);
    await context.approver.authenticate(credential, arrivedAt);
    req.credential = credential;
    req.arrivedAt = arrivedAt;
    next();
  };
}

export function chatCompletionsHandler(context: ChatContext) {
  const { config, metrics, logger } = context;

  return async function handle(req: RawBodyRequest, res: Response): Promise<void> {
    const arrivedAt = req.arrivedAt ?? performance.now();
    if (context.isShuttingDown()) throw refuse.shuttingDown();
    const body = parseChatRequest(req.body);
    const maxParam = body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
    const requestedMax = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    if (requestedMax !== undefined && requestedMax > config.approval.maxCompletionTokens) {
      throw refuse.maxTokensTooLarge(requestedMax, config.approval.maxCompletionTokens, maxParam);
    }
    let credential = req.credential;
    if (!credential) {
      const raw = credentialFromHeaders(req.headers as Parameters<typeof credentialFromHeaders>[0]);
      if (!raw) throw refuse.missingCredential();
      credential = await context.verifier.verify(raw);
    }
    // Counted only once approval has checked the session and its buyer (a stranger's request is never tokenized);
    // linear in the body, which bounds it (every token is at least one byte).
    const bound = req.rawBody ? promptTokenBound(req.rawBody.length) : Number.POSITIVE_INFINITY;
    const countPrompt = async () => Math.min(await countPromptTokensAsync(body.messages, body.tools ? JSON.stringify(body.tools) : ""), bound);
    const approval = await context.approver.approve({ credential, model: body.model, promptTokens: countPrompt, maxTokens: requestedMax, arrivedAt });
    const promptTokens = approval.promptTokens;
    if (approval.capped) metrics.cappedRequests.inc();

    const params: Record<string, unknown> = {};
    for (const key of FORWARDED) if (body[key] !== undefined && body[key] !== null) params[key] = body[key];
    const abort = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) abort.abort(new Error("client disconnected"));
    };
    res.on("close", onClose);
    const backendRequest: BackendRequest = {
      model: approval.model.name,
      modelId: approval.model.modelId,
      messages: body.messages as ChatMessage[],
      maxTokens: approval.maxTokens,
      promptTokens,
      params,
      signal: abort.signal,
    };
    const responseId = newResponseId();
    const created = Math.floor(Date.now() / 1_000);
    metrics.inFlight.inc();
    const mode = body.stream ? "stream" : "json";
    try {
      if (body.stream) {
        await streamCompletion(context, req, res, body, backendRequest, approval, { responseId, created });
      } else {
        await jsonCompletion(context, req, res, body, backendRequest, approval, { responseId, created });
      }
      metrics.completions.inc({ model: approval.model.name, mode });
      metrics.latency.observe({ mode }, (performance.now() - arrivedAt) / 1_000);
    } finally {
      approval.release();
      metrics.inFlight.dec();
      res.off("close", onClose);
    }
    logger.debug({ responseId, sessionId: approval.session.sessionId, model: body.model, mode }, "completion served");
  };
}

/** Appends the receipt, accounts for it and waits until it is durable. */
async function recordReceipt(
  context: ChatContext,
  approval: Approval,
  responseId: string,
  rawBody: Uint8Array,
  usage: ReceiptUsage,
): Promise<Receipt> {
  const { store, exposure, metrics, logger } = context;
  const startedAt = performance.now();
  const cost = costUp(BigInt(usage.inputTokens), BigInt(usage.outputTokens), BigInt(usage.reasoningTokens), approval.model.pricing);
  if (usage.clamped) logger.warn({ responseId, sessionId: approval.session.sessionId }, "backend exceeded the approved max_tokens; receipt clamped");
  const { receipt, durable } = store.append(
    {
      responseId,
      modelId: approval.model.modelId,
      gatewayId: approval.gatewayId,
      sessionId: approval.session.sessionId,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      reasoningTokens: usage.reasoningTokens,
      requestHash: (sequence) => requestHashOf({ sessionId: approval.session.sessionId, sequence, requestBody: rawBody, responseId }),
      cost,
      pricing: packPricing(approval.model.pricing),
    },
    approval.session.lastSequence,
  );
  // Account for the receipt and drop the reservation in the same step: the budget is never counted twice or
  // not at all.
  exposure.record(receipt.sessionId, receipt.sequence, cost);
  approval.release();
  try {
    await durable;
  } catch (cause) {
    throw refuse.receiptWriteFailed(cause);
  }
  metrics.receiptOverhead.observe((performance.now() - startedAt) / 1_000);
  const model = approval.model.name;
  metrics.receiptsWritten.inc();
  metrics.tokens.inc({ model, kind: "input" }, usage.inputTokens);
  metrics.tokens.inc({ model, kind: "output" }, usage.outputTokens);
  metrics.tokens.inc({ model, kind: "reasoning" }, usage.reasoningTokens);
  return receipt;
}

async function jsonCompletion(
  context: ChatContext,
  req: RawBodyRequest,
  res: Response,
  body: ChatCompletionRequest,
  backendRequest: BackendRequest,
  approval: Approval,
  ids: { responseId: string; created: number },
): Promise<void> {
  let result;
  try {
    result = await context.backend.complete(backendRequest);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (backendRequest.signal.aborted) return;
    throw refuse.upstream(error instanceof Error ? error.message : String(error), error);
  }
  const content = result.content ?? "";
  const usage = finalizeUsage(
    result.usage,
    { promptTokens: backendRequest.promptTokens, content, reasoningContent: result.reasoningContent ?? "" },
    approval.maxTokens,
  );
  const receipt = await recordReceipt(context, approval, ids.responseId, req.rawBody ?? new Uint8Array(), usage);
  const message: Record<string, unknown> = { role: "assistant", content: result.content, refusal: null };
  if (result.reasoningContent) message.reasoning_content = result.reasoningContent;
  if (result.toolCalls && result.toolCalls.length > 0) message.tool_calls = result.toolCalls;
  res.setHeader("x-cogfi-session", receipt.sessionId.toString());
  res.setHeader("x-cogfi-sequence", receipt.sequence.toString());
  res.setHeader("x-cogfi-request-hash", receipt.requestHash);
  res.setHeader("x-cogfi-max-tokens", String(approval.maxTokens));
  res.json({
    id: ids.responseId,
    object: "chat.completion",
    created: ids.created,
    model: body.model,
    system_fingerprint: context.systemFingerprint,
    choices: [{ index: 0, message, logprobs: null, finish_reason: result.finishReason }],
    usage: usageJson(usage),
  });
}

async function streamCompletion(
  context: ChatContext,
  req: RawBodyRequest,
  res: Response,
  body: ChatCompletionRequest,
  backendRequest: BackendRequest,
  approval: Approval,
  ids: { responseId: string; created: number },
): Promise<void> {
  const includeUsage = body.stream_options?.include_usage === true;
  const base = { id: ids.responseId, object: "chat.completion.chunk", created: ids.created, model: body.model, system_fingerprint: context.systemFingerprint };
  const send = async (payload: unknown): Promise<void> => {
    if (res.writableEnded || res.destroyed) return;
    if (!res.write(`data: ${JSON.stringify(payload)}\n\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  };
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });

  let content = "";
  let reasoningContent = "";
  let reasoningTokens: number | undefined;
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.status(200);
    res.setHeader("content-type", "text/event-stream; charset=utf-8");
    res.setHeader("cache-control", "no-cache");
    res.setHeader("connection", "keep-alive");
    res.setHeader("x-cogfi-session", approval.session.sessionId.toString());
    res.setHeader("x-cogfi-max-tokens", String(approval.maxTokens));
    res.flushHeaders();
  };

  let end: { finishReason: string; usage: BackendUsage } | undefined;
  try {
    for await (const event of context.backend.stream(backendRequest)) {
      if (!started) {
        start();
        await send(chunk({ role: "assistant", content: "", refusal: null }, null));
      }
      if (event.type === "end") {
        end = event;
        break;
      }
      if (event.reasoningTokens !== undefined) reasoningTokens = event.reasoningTokens;
      const delta: Record<string, unknown> = {};
      if (event.content) {
        content += event.content;
        delta.content = event.content;
      }
      if (event.reasoningContent) {
        reasoningContent += event.reasoningContent;
        delta.reasoning_content = event.reasoningContent;
      }
      if (event.toolCalls) delta.tool_calls = event.toolCalls;
      if (Object.keys(delta).length > 0) await send(chunk(delta, null));
    }
  } catch (error) {
    if (!backendRequest.signal.aborted) {
      if (!started) {
        if (error instanceof GatewayError) throw error;
        throw refuse.upstream(error instanceof Error ? error.message : String(error), error);
      }
      context.logger.error({ err: error, responseId: ids.responseId }, "backend stream failed mid-response");
    }
  }

  if (!end) {
    // The client left or the backend failed mid-stream: charge what was generated and delivered, end the stream
    // without [DONE] (the response did not complete).
    if (started) {
      const usage = finalizeUsage({ reasoningTokens }, { promptTokens: backendRequest.promptTokens, content, reasoningContent }, approval.maxTokens);
      await recordReceipt(context, approval, ids.responseId, req.rawBody ?? new Uint8Array(), usage).catch((error: unknown) =>
        context.logger.error({ err: error, responseId: ids.responseId }, "receipt of an interrupted stream not recorded"),
      );
      if (!res.writableEnded) res.end();
    }
    return;
  }

  const usage = finalizeUsage(end.usage, { promptTokens: backendRequest.promptTokens, content, reasoningContent }, approval.maxTokens);
  let receipt: Receipt;
  try {
    receipt = await recordReceipt(context, approval, ids.responseId, req.rawBody ?? new Uint8Array(), usage);
  } catch (error) {
    if (!started) throw error;
    const failure = error instanceof GatewayError ? error : refuse.internal(error);
    await send(failure.toJSON());
    res.end();
    return;
  }
  if (!started) start();
  // The final chunk also names the receipt (the headers went out before its sequence existed).
  const cogfi = { sessionId: receipt.sessionId.toString(), sequence: receipt.sequence.toString(), requestHash: receipt.requestHash };
  await send({ ...chunk({}, end.finishReason), cogfi });
  if (includeUsage) await send({ ...base, choices: [], usage: usageJson(usage) });
  if (!res.writableEnded && !res.destroyed) res.end("data: [DONE]\n\n");
}
