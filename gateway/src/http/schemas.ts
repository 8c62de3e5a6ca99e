/**
 * The accepted shape of `POST /v1/chat/completions`: OpenAI's chat completion request, text content only.
 * Unknown top-level fields are refused as OpenAI does ("Unrecognized request argument supplied: <name>").
 */
import { z, type ZodIssue } from "zod";
import { GatewayError, refuse } from "../errors.js";

const textPart = z.object({ type: z.literal("text"), text: z.string() }).strict();
const content = z.union([z.string(), z.array(textPart).min(1)]);
const name = z.string().min(1).max(256).optional();

const toolCall = z
  .object({
    id: z.string(),
    type: z.literal("function"),
    function: z.object({ name: z.string(), arguments: z.string() }).strict(),
  })
  .strict();

export const chatMessageSchema = z.discriminatedUnion("role", [
  z.object({ role: z.literal("system"), content, name }).strict(),
  z.object({ role: z.literal("developer"), content, name }).strict(),
  z.object({ role: z.literal("user"), content, name }).strict(),
  z
    .object({
      role: z.literal("assistant"),
      content: content.nullable().optional(),
      name,
      tool_calls: z.array(toolCall).optional(),
      refusal: z.string().nullable().optional(),
    })
    .strict(),
  z.object({ role: z.literal("tool"), content, tool_call_id: z.string() }).strict(),
]);

const nullableOptional = <T extends z.ZodTypeAny>(schema: T) => schema.nullable().optional();
const tokenCount = z.number().int().min(1);

export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(512),
    messages: z.array(chatMessageSchema).min(1).max(100_000),
    max_tokens: nullableOptional(tokenCount),
    max_completion_tokens: nullableOptional(tokenCount),
    stream: nullableOptional(z.boolean()),
    stream_options: nullableOptional(z.object({ include_usage: z.boolean().optional() }).strict()),
    temperature: nullableOptional(z.number().min(0).max(2)),
    top_p: nullableOptional(z.number().min(0).max(1)),
    n: nullableOptional(z.literal(1, { errorMap: () => ({ message: "only n = 1 is supported" }) })),
    stop: nullableOptional(z.union([z.string(), z.array(z.string()).max(4)])),
    seed: nullableOptional(z.number().int()),
    presence_penalty: nullableOptional(z.number().min(-2).max(2)),
    frequency_penalty: nullableOptional(z.number().min(-2).max(2)),
    logit_bias: nullableOptional(z.record(z.number().min(-100).max(100))),
    logprobs: nullableOptional(z.boolean()),
    top_logprobs: nullableOptional(z.number().int().min(0).max(20)),
    user: z.string().max(512).optional(),
    response_format: nullableOptional(z.object({ type: z.enum(["text", "json_object", "json_schema"]) }).passthrough()),
    tools: nullableOptional(z.array(z.object({ type: z.literal("function"), function: z.object({ name: z.string() }).passthrough() }).strict())),
    tool_choice: nullableOptional(z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function") }).passthrough()])),
    parallel_tool_calls: nullableOptional(z.boolean()),
    reasoning_effort: nullableOptional(z.enum(["minimal", "low", "medium", "high"])),
    metadata: nullableOptional(z.record(z.string())),
    store: nullableOptional(z.boolean()),
    service_tier: nullableOptional(z.string()),
  })
  .strict();

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

function pathOf(issue: ZodIssue): string {
  return issue.path.reduce<string>(
    (path, part) => (typeof part === "number" ? `${path}[${part}]` : path ? `${path}.${part}` : String(part)),
    "",
  );
}

/** Turns a zod failure into the first problem as an OpenAI-style 400. */
export function requestError(issues: readonly ZodIssue[]): GatewayError {
  const issue = issues[0]!;
  const path = pathOf(issue);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0]!;
    if (issue.path.length === 0) return refuse.unknownParameter(key);
    return refuse.invalidRequest(`Unrecognized field '${key}' in '${path}'.`, `${path}.${key}`);
  }
  if (issue.code === "invalid_union_discriminator") {
    return refuse.invalidRequest(`Invalid value for '${path}': ${issue.message}.`, path);
  }
  if (issue.code === "invalid_type" && issue.received === "undefined") {
    return refuse.invalidRequest(`Missing required parameter: '${path}'.`, path);
  }
  return refuse.invalidRequest(`Invalid value for '${path || "body"}': ${issue.message}.`, path || null);
}

/** Validates a parsed JSON body. */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw refuse.invalidRequest("The request body must be a JSON object.");
  }
  const result = chatCompletionRequestSchema.safeParse(body);
  if (!result.success) throw requestError(result.error.issues);
  return result.data;
}

const receiptsQuery = z
  .object({
    after: z
      .string()
      .regex(/^(-1|[0-9]{1,15})$/, "expected a batch cursor (an integer, -1 for the start)")
      .optional(),
    limit: z.string().regex(/^[0-9]{1,6}$/, "expected a positive integer").optional(),
  })
  .strict();

/** Validates GET /v1/receipts query parameters. */
export function parseReceiptsQuery(query: unknown, defaults: { limit: number; max: number }): { after: number; limit: number } {
  const result = receiptsQuery.safeParse(query);
  if (!result.success) throw requestError(result.error.issues);
  // Above the maximum the page is just capped (has_more says there is more).
  const limit = Math.min(result.data.limit === undefined ? defaults.limit : Number(result.data.limit), defaults.max);
  if (limit < 1) throw refuse.invalidRequest("limit must be at least 1", "limit");
  return { after: result.data.after === undefined ? -1 : Number(result.data.after), limit };
}
