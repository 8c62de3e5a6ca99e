/**
 * The one serving pipeline behind every completion route (`POST /v1/chat/completions`, `POST /v1/responses`):
 * credential -> approval (cap, reservation) -> backend -> durable receipt -> response. A route only parses its
 * wire format into a {@link CompletionJob} and writes the result in its own shape ({@link CompletionFormat}); the
 * approval, the reservation, the receipt and its accounting are the same code whatever the route.
 *
 * The receipt is on disk before the response completes: for a plain response before the body is sent, for a
 * stream before its closing events (finish reason, usage). A stream the client abandons is charged for what the
 * backend generated until then (its reasoning and the output delivered).
 */
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "pino";
import { packPricing, requestHashOf } from "@cogfi/sdk";
import type { Approval, Approver } from "../approval.js";
import type { Backend, BackendRequest, BackendResult, BackendUsage, ChatMessage } from "../backends/types.js";
import type { GatewayConfig } from "../config.js";
import { costUp } from "../cost.js";
import { credentialFromHeaders, type CredentialVerifier, type SessionCredential } from "../credential.js";
import { GatewayError, refuse } from "../errors.js";
import type { Exposure } from "../exposure.js";
import type { GatewayMetrics } from "../metrics.js";
import type { ReceiptStore } from "../receipts/store.js";
import type { Receipt } from "../receipts/types.js";
import { finalizeUsage, type ReceiptUsage } from "../receipts/usage.js";
import { countPromptTokensAsync, promptTokenBound } from "../tokenizer.js";

/** What the completion routes share: approval, backend, receipts. */
export type CompletionContext = {
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

export type CompletionRequest = Request & { rawBody?: Buffer; credential?: SessionCredential; arrivedAt?: number };

/** A request as the pipeline runs it, whichever route it came by. */
export type CompletionJob = {
  /** The `model` the client asked for. */
  model: string;
  messages: ChatMessage[];
  /** Text counted with the prompt beside the messages (serialized tool definitions). */
  promptExtraText: string;
  /** The completion cap the client asked for, already checked against `approval.maxCompletionTokens`. */
  maxTokens: number | undefined;
  /** Parameters forwarded to the backend as they are. */
  params: Record<string, unknown>;
  stream: boolean;
};

export type ResponseIds = { responseId: string; created: number };

/** A plain completion whose receipt is durable, ready to be written in a route's shape. */
export type ServedCompletion = {
  ids: ResponseIds;
  approval: Approval;
  result: BackendResult;
  usage: ReceiptUsage;
  receipt: Receipt;
};

/** Writes one stream in a route's event format. Every call happens after the response headers went out. */
export type CompletionStreamWriter = {
  /** The events that open the stream (sent when the backend produced its first event). */
  open(): Promise<void>;
  delta(delta: { content?: string; reasoningContent?: string; toolCalls?: unknown[] }): Promise<void>;
  /** The closing events; the receipt is durable. */
  finish(end: { finishReason: string; usage: ReceiptUsage; receipt: Receipt }): Promise<void>;
  /** The receipt could not be made durable after the stream started: the closing events are withheld. */
  fail(error: GatewayError): Promise<void>;
};

/** A route's wire format. */
export type CompletionFormat = {
  /** A fresh response id (`chatcmpl-…`, `resp_…`); it is bound into the receipt's request hash. */
  newResponseId(): string;
  json(res: Response, served: ServedCompletion): void;
  stream(sse: SseChannel, ids: ResponseIds, approval: Approval): CompletionStreamWriter;
};

/** An SSE response with backpressure: `write` waits while the socket's buffer is full. */
export type SseChannel = { write(text: string): Promise<void> };

function sseChannel(res: Response): SseChannel {
  return {
    async write(text) {
      if (res.writableEnded || res.destroyed) return;
      if (res.write(text)) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    },
  };
}

/** The receipt headers of a plain response. */
export function setReceiptHeaders(res: Response, receipt: Receipt, approval: Approval): void {
  res.setHeader("x-cogfi-session", receipt.sessionId.toString());
  res.setHeader("x-cogfi-sequence", receipt.sequence.toString());
  res.setHeader("x-cogfi-request-hash", receipt.requestHash);
  res.setHeader("x-cogfi-max-tokens", String(approval.maxTokens));
}

/** The receipt a stream names in its closing event (its headers went out before the sequence existed). */
export function receiptRef(receipt: Receipt): { sessionId: string; sequence: string; requestHash: `0x${string}` } {
  return { sessionId: receipt.sessionId.toString(), sequence: receipt.sequence.toString(), requestHash: receipt.requestHash };
}

/**
 * Runs before the body is read: the credential, and whether its session exists, is its signer's and is open. A
 * request that fails is answered without reading its body (Node discards the rest unparsed), so a stranger's
 * request costs one signature recovery and a cached session read, whatever its size.
 */
export function authenticateSession(context: CompletionContext) {
  return async function authenticate(req: CompletionRequest, _res: Response, next: NextFunction): Promise<void> {
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

/** Approves, runs, receipts and answers one parsed request. */
export async function serveCompletion(
  context: CompletionContext,
  req: CompletionRequest,
  res: Response,
  job: CompletionJob,
  format: CompletionFormat,
): Promise<void> {
  const { metrics, logger } = context;
  const arrivedAt = req.arrivedAt ?? performance.now();
  let credential = req.credential;
  if (!credential) {
    const raw = credentialFromHeaders(req.headers as Parameters<typeof credentialFromHeaders>[0]);
    if (!raw) throw refuse.missingCredential();
    credential = await context.verifier.verify(raw);
  }
  // Counted only once approval has checked the session and its buyer (a stranger's request is never tokenized);
  // linear in the body, which bounds it (every token is at least one byte).
  const bound = req.rawBody ? promptTokenBound(req.rawBody.length) : Number.POSITIVE_INFINITY;
  const countPrompt = async () => Math.min(await countPromptTokensAsync(job.messages, job.promptExtraText), bound);
  const approval = await context.approver.approve({ credential, model: job.model, promptTokens: countPrompt, maxTokens: job.maxTokens, arrivedAt });
  if (approval.capped) metrics.cappedRequests.inc();

  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort(new Error("client disconnected"));
  };
  res.on("close", onClose);
  const backendRequest: BackendRequest = {
    model: approval.model.name,
    modelId: approval.model.modelId,
    messages: job.messages,
    maxTokens: approval.maxTokens,
    promptTokens: approval.promptTokens,
    params: job.params,
    signal: abort.signal,
  };
  const ids: ResponseIds = { responseId: format.newResponseId(), created: Math.floor(Date.now() / 1_000) };
  metrics.inFlight.inc();
  const mode = job.stream ? "stream" : "json";
  try {
    if (job.stream) {
      await streamCompletion(context, req, res, backendRequest, approval, ids, format);
    } else {
      await jsonCompletion(context, req, res, backendRequest, approval, ids, format);
    }
    metrics.completions.inc({ model: approval.model.name, mode });
    metrics.latency.observe({ mode }, (performance.now() - arrivedAt) / 1_000);
  } finally {
    approval.release();
    metrics.inFlight.dec();
    res.off("close", onClose);
  }
  logger.debug({ responseId: ids.responseId, sessionId: approval.session.sessionId, model: job.model, mode }, "completion served");
}

/** Appends the receipt, accounts for it and waits until it is durable. */
async function recordReceipt(
  context: CompletionContext,
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
  context: CompletionContext,
  req: CompletionRequest,
  res: Response,
  backendRequest: BackendRequest,
  approval: Approval,
  ids: ResponseIds,
  format: CompletionFormat,
): Promise<void> {
  let result: BackendResult;
  try {
    result = await context.backend.complete(backendRequest);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (backendRequest.signal.aborted) return;
    throw refuse.upstream(error instanceof Error ? error.message : String(error), error);
  }
  const usage = finalizeUsage(
    result.usage,
    { promptTokens: backendRequest.promptTokens, content: result.content ?? "", reasoningContent: result.reasoningContent ?? "" },
    approval.maxTokens,
  );
  const receipt = await recordReceipt(context, approval, ids.responseId, req.rawBody ?? new Uint8Array(), usage);
  format.json(res, { ids, approval, result, usage, receipt });
}

async function streamCompletion(
  context: CompletionContext,
  req: CompletionRequest,
  res: Response,
  backendRequest: BackendRequest,
  approval: Approval,
  ids: ResponseIds,
  format: CompletionFormat,
): Promise<void> {
  const writer = format.stream(sseChannel(res), ids, approval);
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
        await writer.open();
      }
      if (event.type === "end") {
        end = event;
        break;
      }
      if (event.reasoningTokens !== undefined) reasoningTokens = event.reasoningTokens;
      if (event.content) content += event.content;
      if (event.reasoningContent) reasoningContent += event.reasoningContent;
      if (event.content || event.reasoningContent || event.toolCalls) {
        await writer.delta({ content: event.content, reasoningContent: event.reasoningContent, toolCalls: event.toolCalls });
      }
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
    // without its closing events (the response did not complete).
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
    await writer.fail(error instanceof GatewayError ? error : refuse.internal(error));
    res.end();
    return;
  }
  if (!started) {
    start();
    await writer.open();
  }
  await writer.finish({ finishReason: end.finishReason, usage, receipt });
  if (!res.writableEnded && !res.destroyed) res.end();
}
