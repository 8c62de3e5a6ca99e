/**
 * POST /v1/chat/completions: OpenAI's chat completions, plain and streaming, on the shared serving pipeline
 * (completion.ts: credential -> approval -> backend -> durable receipt -> response).
 */
import { randomBytes } from "node:crypto";
import type { Response } from "express";
import type { ChatMessage } from "../backends/types.js";
import { refuse } from "../errors.js";
import type { ReceiptUsage } from "../receipts/usage.js";
import {
  authenticateSession,
  receiptRef,
  serveCompletion,
  setReceiptHeaders,
  type CompletionContext,
  type CompletionFormat,
  type CompletionRequest,
} from "./completion.js";
import { parseChatRequest, type ChatCompletionRequest } from "./schemas.js";

/** The context of the completion routes (chat completions and responses). */
export type ChatContext = CompletionContext;

/** Checks the credential and its session before the body is read (see completion.ts). */
export const chatAuthentication = authenticateSession;

/** Request fields that go to the backend as they are. */
const FORWARDED = [
  "temperature", "top_p", "stop", "seed", "presence_penalty", "frequency_penalty", "logit_bias", "logprobs",
  "top_logprobs", "user", "response_format", "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort",
  "max_completion_tokens",
] as const;

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

/** Chat completion objects and chunks. */
function chatFormat(body: ChatCompletionRequest, systemFingerprint: string): CompletionFormat {
  return {
    newResponseId: () => `chatcmpl-${randomBytes(12).toString("hex")}`,

    json(res: Response, { ids, approval, result, usage, receipt }) {
      const message: Record<string, unknown> = { role: "assistant", content: result.content, refusal: null };
      if (result.reasoningContent) message.reasoning_content = result.reasoningContent;
      if (result.toolCalls && result.toolCalls.length > 0) message.tool_calls = result.toolCalls;
      setReceiptHeaders(res, receipt, approval);
      res.json({
        id: ids.responseId,
        object: "chat.completion",
        created: ids.created,
        model: body.model,
        system_fingerprint: systemFingerprint,
        choices: [{ index: 0, message, logprobs: null, finish_reason: result.finishReason }],
        usage: usageJson(usage),
      });
    },

    stream(sse, ids) {
      const includeUsage = body.stream_options?.include_usage === true;
      const base = { id: ids.responseId, object: "chat.completion.chunk", created: ids.created, model: body.model, system_fingerprint: systemFingerprint };
      const send = (payload: unknown) => sse.write(`data: ${JSON.stringify(payload)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
        ...base,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
        ...(includeUsage ? { usage: null } : {}),
      });
      return {
        open: () => send(chunk({ role: "assistant", content: "", refusal: null }, null)),
        async delta({ content, reasoningContent, toolCalls }) {
          const delta: Record<string, unknown> = {};
          if (content) delta.content = content;
          if (reasoningContent) delta.reasoning_content = reasoningContent;
          if (toolCalls) delta.tool_calls = toolCalls;
          await send(chunk(delta, null));
        },
        async finish({ finishReason, usage, receipt }) {
          // The finish chunk also names the receipt (the headers went out before its sequence existed).
          await send({ ...chunk({}, finishReason), cogfi: receiptRef(receipt) });
          if (includeUsage) await send({ ...base, choices: [], usage: usageJson(usage) });
          await sse.write("data: [DONE]\n\n");
        },
        fail: (error) => send(error.toJSON()),
      };
    },
  };
}

export function chatCompletionsHandler(context: ChatContext) {
  const { config } = context;
  return async function handle(req: CompletionRequest, res: Response): Promise<void> {
    if (context.isShuttingDown()) throw refuse.shuttingDown();
    const body = parseChatRequest(req.body);
    const maxParam = body.max_completion_tokens != null ? "max_completion_tokens" : "max_tokens";
    const requestedMax = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    if (requestedMax !== undefined && requestedMax > config.approval.maxCompletionTokens) {
      throw refuse.maxTokensTooLarge(requestedMax, config.approval.maxCompletionTokens, maxParam);
    }
    const params: Record<string, unknown> = {};
    for (const key of FORWARDED) if (body[key] !== undefined && body[key] !== null) params[key] = body[key];
    const job = {
      model: body.model,
      messages: body.messages as ChatMessage[],
      promptExtraText: body.tools ? JSON.stringify(body.tools) : "",
      maxTokens: requestedMax,
      params,
      stream: body.stream === true,
    };
    await serveCompletion(context, req, res, job, chatFormat(body, context.systemFingerprint));
  };
}
