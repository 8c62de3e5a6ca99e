/**
 * Forwards requests to an OpenAI-compatible server (vLLM, llama.cpp server, Ollama, OpenAI itself).
 *
 * The gateway's approved cap goes upstream as `max_tokens` (and `max_completion_tokens` when the client used
 * that name); streams always ask for `stream_options.include_usage` so the upstream's own counts end up in the
 * receipt. Whatever the upstream does not report is counted by the gateway with gpt-tokenizer.
 */
import { refuse } from "../errors.js";
import type { UpstreamBackendConfig } from "../config.js";
import type { Backend, BackendRequest, BackendResult, BackendUsage, StreamEvent } from "./types.js";

type UpstreamUsage = {
  prompt_tokens?: number;
  completion_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
} | null;

type UpstreamChoice = {
  message?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: unknown[] };
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: unknown[] };
  finish_reason?: string | null;
};

type UpstreamCompletion = { choices?: UpstreamChoice[]; usage?: UpstreamUsage };

function usageOf(usage: UpstreamUsage | undefined): BackendUsage {
  if (!usage) return {};
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  return {
    promptTokens: isCount(usage.prompt_tokens) ? usage.prompt_tokens : undefined,
    completionTokens: isCount(usage.completion_tokens) ? usage.completion_tokens : undefined,
    reasoningTokens: isCount(reasoning) ? reasoning : undefined,
  };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

export class UpstreamBackend implements Backend {
  readonly kind = "upstream";
  readonly #config: UpstreamBackendConfig;
  readonly #url: string;

  constructor(config: UpstreamBackendConfig) {
    this.#config = config;
    this.#url = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  }

  #body(request: BackendRequest, stream: boolean): string {
    const { max_completion_tokens: _ignored, ...params } = request.params;
    return JSON.stringify({
      ...params,
      model: this.#config.modelMap[request.model] ?? request.model,
      messages: request.messages,
      max_tokens: request.maxTokens,
      ...("max_completion_tokens" in request.params ? { max_completion_tokens: request.maxTokens } : {}),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    });
  }

  async #post(request: BackendRequest, stream: boolean): Promise<Response> {
    const signal = AbortSignal.any([request.signal, AbortSignal.timeout(this.#config.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: stream ? "text/event-stream" : "application/json",
          ...(this.#config.apiKey ? { authorization: `Bearer ${this.#config.apiKey}` } : {}),
        },
        body: this.#body(request, stream),
        signal,
      });
    } catch (cause) {
      throw refuse.upstream(`cannot reach ${this.#config.baseUrl}`, cause);
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      throw refuse.upstream(`HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    return response;
  }

  async complete(request: BackendRequest): Promise<BackendResult> {
    const response = await this.#post(request, false);
    let body: UpstreamCompletion;
    try {
      body = (await response.json()) as UpstreamCompletion;
    } catch (cause) {
      throw refuse.upstream("the response is not JSON", cause);
    }
    const choice = body.choices?.[0];
    if (!choice?.message) throw refuse.upstream("the response has no choices[0].message");
    const reasoning = choice.message.reasoning_content ?? choice.message.reasoning ?? undefined;
    return {
      content: choice.message.content ?? null,
      reasoningContent: reasoning ?? undefined,
      toolCalls: choice.message.tool_calls,
      finishReason: choice.finish_reason ?? "stop",
      usage: usageOf(body.usage),
    };
  }

  async *stream(request: BackendRequest): AsyncIterable<StreamEvent> {
    const response = await this.#post(request, true);
    if (!response.body) throw refuse.upstream("the stream has no body");
    let finishReason = "stop";
    let usage: BackendUsage = {};
    for await (const data of sseData(response.body)) {
      if (data === "[DONE]") break;
      let chunk: UpstreamCompletion;
      try {
        chunk = JSON.parse(data) as UpstreamCompletion;
      } catch (cause) {
        throw refuse.upstream("a stream chunk is not JSON", cause);
      }
      if (chunk.usage) usage = usageOf(chunk.usage);
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!delta) continue;
      const reasoning = delta.reasoning_content ?? delta.reasoning ?? undefined;
      if (delta.content || reasoning || delta.tool_calls) {
        yield {
          type: "delta",
          content: delta.content ?? undefined,
          reasoningContent: reasoning ?? undefined,
          toolCalls: delta.tool_calls,
        };
      }
    }
    yield { type: "end", finishReason, usage };
  }
}

/** The `data:` payloads of a server-sent-event stream. */
export async function* sseData(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  for await (const bytes of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (data.length > 0) yield data.join("\n");
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(5).replace(/^ /, ""));
      }
    }
  }
  if (data.length > 0) yield data.join("\n");
}
