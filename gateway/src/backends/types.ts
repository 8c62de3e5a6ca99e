/** What runs the model: the simulated backend or an OpenAI-compatible upstream. */

/** A chat message as accepted by the gateway (text content only). */
export type ChatMessage = {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | null | { type: "text"; text: string }[];
  name?: string;
  tool_call_id?: string;
  tool_calls?: unknown[];
};

export type BackendRequest = {
  /** The model's on-chain name (what clients send as `model`). */
  model: string;
  modelId: bigint;
  messages: ChatMessage[];
  /** Most completion tokens (visible output plus reasoning) the request may produce: approved and capped. */
  maxTokens: number;
  /** Prompt tokens as the gateway counted them. */
  promptTokens: number;
  /** Sampling and tool parameters forwarded as given (temperature, top_p, stop, seed, tools, ...). */
  params: Record<string, unknown>;
  signal: AbortSignal;
};

/** Usage as a backend reports it; anything missing is counted by the gateway. */
export type BackendUsage = {
  promptTokens?: number;
  /** Visible output plus reasoning, as OpenAI counts `completion_tokens`. */
  completionTokens?: number;
  reasoningTokens?: number;
};

export type BackendResult = {
  content: string | null;
  /** Reasoning text, when the backend returns it (vLLM / DeepSeek `reasoning_content`). */
  reasoningContent?: string;
  toolCalls?: unknown[];
  finishReason: string;
  usage: BackendUsage;
};

export type StreamEvent =
  | {
      type: "delta";
      content?: string;
      reasoningContent?: string;
      toolCalls?: unknown[];
      /** Reasoning tokens generated so far, when the backend knows (charged if the client leaves mid-stream). */
      reasoningTokens?: number;
    }
  | { type: "end"; finishReason: string; usage: BackendUsage };

export interface Backend {
  readonly kind: string;
  complete(request: BackendRequest): Promise<BackendResult>;
  /** Deltas, then exactly one `end` event. */
  stream(request: BackendRequest): AsyncIterable<StreamEvent>;
  close?(): Promise<void>;
}
