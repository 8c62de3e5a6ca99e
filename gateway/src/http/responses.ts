/**
 * POST /v1/responses: OpenAI's Responses API, text in and text out, plain and streaming, on the same serving
 * pipeline as chat completions (completion.ts): the same credential check, approval, budget cap and reservation,
 * receipt and settlement. `max_output_tokens` is the completion cap (`max_tokens` of chat).
 *
 * The input is a string (one user message) or a list of messages whose content is a string or text parts
 * (`input_text`, and `output_text` for assistant messages, so a previous response's `output` can be sent back);
 * `instructions` becomes a leading system message. Nothing is stored: `previous_response_id`, `conversation` and
 * `background` are refused, and so are tools and non-text formats.
 */
import { randomBytes } from "node:crypto";
import type { Response } from "express";
import { z } from "zod";
import type { Approval } from "../approval.js";
import type { ChatMessage } from "../backends/types.js";
import { refuse } from "../errors.js";
import type { Receipt } from "../receipts/types.js";
import type { ReceiptUsage } from "../receipts/usage.js";
import {
  receiptRef,
  serveCompletion,
  setReceiptHeaders,
  type CompletionContext,
  type CompletionFormat,
  type CompletionRequest,
  type ResponseIds,
} from "./completion.js";
import { requestError } from "./schemas.js";

const nullableOptional = <T extends z.ZodTypeAny>(schema: T) => schema.nullable().optional();

const inputText = z.object({ type: z.literal("input_text"), text: z.string() }).strict();
/** A part of a previous response's output message, sent back as input. */
const outputText = z
  .object({ type: z.literal("output_text"), text: z.string(), annotations: z.array(z.unknown()).optional(), logprobs: z.array(z.unknown()).optional() })
  .strict();

const message = <R extends "user" | "system" | "developer">(role: R) =>
  z
    .object({ type: z.literal("message").optional(), role: z.literal(role), content: z.union([z.string(), z.array(inputText).min(1)]) })
    .strict();
const assistantMessage = z
  .object({
    type: z.literal("message").optional(),
    id: z.string().optional(),
    status: z.enum(["in_progress", "completed", "incomplete"]).optional(),
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(z.union([outputText, inputText])).min(1)]),
  })
  .strict();
const inputMessage = z.discriminatedUnion("role", [message("user"), message("system"), message("developer"), assistantMessage]);
const inputList = z.array(inputMessage).min(1).max(100_000);

/** A field this gateway cannot honour: accepted only when absent or null. */
const refused = (why: string) => z.null({ errorMap: () => ({ message: why }) }).optional();

export const responsesRequestSchema = z
  .object({
    model: z.string().min(1).max(512),
    input: z.union([z.string(), inputList]),
    instructions: nullableOptional(z.string()),
    max_output_tokens: nullableOptional(z.number().int().min(1)),
    stream: nullableOptional(z.boolean()),
    stream_options: nullableOptional(z.object({ include_obfuscation: z.boolean().optional() }).strict()),
    temperature: nullableOptional(z.number().min(0).max(2)),
    top_p: nullableOptional(z.number().min(0).max(1)),
    reasoning: nullableOptional(
      z
        .object({
          effort: nullableOptional(z.enum(["minimal", "low", "medium", "high"])),
          summary: nullableOptional(z.enum(["auto", "concise", "detailed"])),
        })
        .strict(),
    ),
    text: z
      .object({
        format: z.object({ type: z.literal("text", { errorMap: () => ({ message: "only text output is supported" }) }) }).strict().optional(),
        verbosity: nullableOptional(z.enum(["low", "medium", "high"])),
      })
      .strict()
      .optional(),
    tools: z.array(z.unknown()).max(0, "tools are not supported on /v1/responses by this gateway").optional(),
    tool_choice: nullableOptional(z.enum(["none", "auto"])),
    parallel_tool_calls: nullableOptional(z.boolean()),
    metadata: nullableOptional(z.record(z.string())),
    store: nullableOptional(z.boolean()),
    include: nullableOptional(z.array(z.string())),
    truncation: nullableOptional(z.enum(["auto", "disabled"])),
    service_tier: nullableOptional(z.enum(["auto", "default", "flex", "scale", "priority"])),
    user: z.string().max(512).optional(),
    safety_identifier: z.string().max(512).optional(),
    prompt_cache_key: z.string().max(512).optional(),
    previous_response_id: refused("this gateway stores no responses: send the whole conversation in `input`"),
    conversation: refused("this gateway stores no conversations: send the whole conversation in `input`"),
    background: z.literal(false, { errorMap: () => ({ message: "background responses are not supported" }) }).nullable().optional(),
  })
  .strict();

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** Validates a parsed JSON body. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw refuse.invalidRequest("The request body must be a JSON object.");
  }
  // The input first, so its problems are reported precisely rather than as a failed union.
  const input = (body as { input?: unknown }).input;
  if (input === undefined) throw refuse.invalidRequest("Missing required parameter: 'input'.", "input");
  if (Array.isArray(input)) {
    input.forEach((item: unknown, index) => {
      const type = typeof item === "object" && item !== null ? (item as { type?: unknown }).type : undefined;
      if (type !== undefined && type !== "message") {
        throw refuse.invalidRequest(`Unsupported input item type '${String(type)}': this gateway takes text messages only.`, `input[${index}].type`);
      }
    });
    const items = inputList.safeParse(input);
    if (!items.success) throw requestError(items.error.issues.map((issue) => ({ ...issue, path: ["input", ...issue.path] })));
  } else if (typeof input !== "string") {
    throw refuse.invalidRequest("Invalid value for 'input': expected a string or a list of messages.", "input");
  }
  const result = responsesRequestSchema.safeParse(body);
  if (!result.success) throw requestError(result.error.issues);
  return result.data;
}

/** The conversation as chat messages: `instructions` first (as a system message), then the input. */
export function responsesMessages(body: ResponsesRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: "system", content: body.instructions });
  if (typeof body.input === "string") {
    messages.push({ role: "user", content: body.input });
    return messages;
  }
  for (const item of body.input) {
    const content = typeof item.content === "string" ? item.content : item.content.map((part) => ({ type: "text" as const, text: part.text }));
    messages.push({ role: item.role, content });
  }
  return messages;
}

type ResponsesUsageJson = {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  /** Visible output plus reasoning, as OpenAI counts it. */
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
};

export function responsesUsageJson(usage: ReceiptUsage): ResponsesUsageJson {
  const output = usage.outputTokens + usage.reasoningTokens;
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + output,
  };
}

type Status = "in_progress" | "completed" | "incomplete";

/** A response's status from the backend's finish reason. */
function statusOf(finishReason: string): { status: Status; incomplete: { reason: string } | null } {
  if (finishReason === "length") return { status: "incomplete", incomplete: { reason: "max_output_tokens" } };
  if (finishReason === "content_filter") return { status: "incomplete", incomplete: { reason: "content_filter" } };
  return { status: "completed", incomplete: null };
}

const outputTextPart = (text: string) => ({ type: "output_text", text, annotations: [], logprobs: [] });
const outputMessage = (id: string, status: Status, text: string | undefined) => ({
  id,
  type: "message",
  status,
  role: "assistant",
  content: text === undefined ? [] : [outputTextPart(text)],
});

/** Response objects and their stream events. */
function responsesFormat(body: ResponsesRequest): CompletionFormat {
  const messageId = `msg_${randomBytes(24).toString("hex")}`;
  const responseObject = (
    ids: ResponseIds,
    approval: Approval,
    state: { status: Status; incomplete: { reason: string } | null; text?: string; usage?: ReceiptUsage; receipt?: Receipt },
  ) => ({
    id: ids.responseId,
    object: "response",
    created_at: ids.created,
    status: state.status,
    background: false,
    error: null,
    incomplete_details: state.incomplete,
    instructions: body.instructions ?? null,
    // The cap the request ran with (lowered to what the budget pays, as `x-cogfi-max-tokens` says).
    max_output_tokens: approval.maxTokens,
    model: body.model,
    output: state.text === undefined ? [] : [outputMessage(messageId, state.status, state.text)],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: body.reasoning?.effort ?? null, summary: null },
    service_tier: "default",
    store: false,
    temperature: body.temperature ?? 1,
    text: { format: { type: "text" }, verbosity: body.text?.verbosity ?? "medium" },
    tool_choice: body.tool_choice ?? "auto",
    tools: [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: state.usage ? responsesUsageJson(state.usage) : null,
    user: body.user ?? null,
    metadata: body.metadata ?? {},
    // The receipt (an extra field OpenAI clients ignore; plain responses also carry it in headers).
    ...(state.receipt ? { cogfi: receiptRef(state.receipt) } : {}),
  });

  return {
    newResponseId: () => `resp_${randomBytes(24).toString("hex")}`,

    json(res: Response, { ids, approval, result, usage, receipt }) {
      const { status, incomplete } = statusOf(result.finishReason);
      setReceiptHeaders(res, receipt, approval);
      res.json(responseObject(ids, approval, { status, incomplete, text: result.content ?? "", usage, receipt }));
    },

    stream(sse, ids, approval) {
      let sequence = 0;
      let text = "";
      const emit = (type: string, payload: Record<string, unknown>) =>
        sse.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`);
      const at = { item_id: messageId, output_index: 0, content_index: 0 };
      return {
        async open() {
          const response = responseObject(ids, approval, { status: "in_progress", incomplete: null });
          await emit("response.created", { response });
          await emit("response.in_progress", { response });
          await emit("response.output_item.added", { output_index: 0, item: outputMessage(messageId, "in_progress", undefined) });
          await emit("response.content_part.added", { ...at, part: outputTextPart("") });
        },
        async delta({ content }) {
          // Text output only: reasoning text an upstream streams is counted in usage, not returned.
          if (!content) return;
          text += content;
          await emit("response.output_text.delta", { ...at, delta: content, logprobs: [] });
        },
        async finish({ finishReason, usage, receipt }) {
          const { status, incomplete } = statusOf(finishReason);
          await emit("response.output_text.done", { ...at, text, logprobs: [] });
          await emit("response.content_part.done", { ...at, part: outputTextPart(text) });
          await emit("response.output_item.done", { output_index: 0, item: outputMessage(messageId, status, text) });
          const response = responseObject(ids, approval, { status, incomplete, text, usage, receipt });
          await emit(status === "completed" ? "response.completed" : "response.incomplete", { response });
        },
        async fail(error) {
          // OpenAI's `error` event, with the gateway's error object so clients raise it as an API error.
          const { error: body } = error.toJSON();
          await emit("error", { code: body.code, message: body.message, param: body.param, error: body });
        },
      };
    },
  };
}

export function responsesHandler(context: CompletionContext) {
  const { config } = context;
  return async function handle(req: CompletionRequest, res: Response): Promise<void> {
    if (context.isShuttingDown()) throw refuse.shuttingDown();
    const body = parseResponsesRequest(req.body);
    const requestedMax = body.max_output_tokens ?? undefined;
    if (requestedMax !== undefined && requestedMax > config.approval.maxCompletionTokens) {
      throw refuse.maxTokensTooLarge(requestedMax, config.approval.maxCompletionTokens, "max_output_tokens");
    }
    const params: Record<string, unknown> = {};
    if (body.temperature != null) params.temperature = body.temperature;
    if (body.top_p != null) params.top_p = body.top_p;
    if (body.user !== undefined) params.user = body.user;
    if (body.reasoning?.effort != null) params.reasoning_effort = body.reasoning.effort;
    const job = { model: body.model, messages: responsesMessages(body), promptExtraText: "", maxTokens: requestedMax, params, stream: body.stream === true };
    await serveCompletion(context, req, res, job, responsesFormat(body));
  };
}
