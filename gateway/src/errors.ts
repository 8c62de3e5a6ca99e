/**
 * Errors the gateway answers with, in OpenAI's error JSON shape:
 * `{ "error": { "message", "type", "param", "code" } }` with the matching HTTP status.
 */

/** OpenAI's error `type`s the gateway uses. */
export type OpenAIErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "insufficient_quota"
  | "rate_limit_error"
  | "server_error"
  | "service_unavailable";

/**
 * Why a request was refused. Each code is stable, documented in gateway/README.md, and counted by
 * `cogfi_gateway_refusals_total{reason}`.
 */
export type RefusalCode =
  | "invalid_json"
  | "body_too_large"
  | "unsupported_media_type"
  | "invalid_request"
  | "unknown_parameter"
  | "max_tokens_too_large"
  | "missing_credential"
  | "invalid_credential"
  | "unknown_session"
  | "session_closed"
  | "session_expired"
  | "session_not_started"
  | "wrong_model"
  | "wrong_gateway"
  | "model_not_found"
  | "model_paused"
  | "insufficient_budget"
  | "sequence_exhausted"
  | "enclave_not_attested"
  | "not_found"
  | "method_not_allowed"
  | "origin_not_allowed"
  | "chain_unavailable"
  | "upstream_error"
  | "receipt_write_failed"
  | "shutting_down"
  | "internal_error";

/** An error the HTTP layer turns into an OpenAI-shaped response. */
export class GatewayError extends Error {
  override name = "GatewayError";
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly code: RefusalCode;
  readonly param: string | null;
  /** The model a refusal is about, when it matters to the caller (re-attestation). */
  modelId?: bigint;
  /** The session a refusal is about and its expiry, when it matters to the caller (closed or expired). */
  sessionId?: bigint;
  expiry?: bigint;

  constructor(
    status: number,
    code: RefusalCode,
    message: string,
    options: { type?: OpenAIErrorType; param?: string | null; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.type = options.type ?? defaultType(status);
  }

  /** The response body. */
  toJSON(): { error: { message: string; type: OpenAIErrorType; param: string | null; code: RefusalCode } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

function defaultType(status: number): OpenAIErrorType {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status === 503) return "service_unavailable";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/** Shorthands for the refusals the gateway makes, so their status and code stay consistent. */
export const refuse = {
  invalidRequest: (message: string, param: string | null = null, cause?: unknown) =>
    new GatewayError(400, "invalid_request", message, { param, cause }),
  unknownParameter: (param: string) =>
    new GatewayError(400, "unknown_parameter", `Unrecognized request argument supplied: ${param}`, { param }),
  maxTokensTooLarge: (requested: number, limit: number, param: string) =>
    new GatewayError(
      400,
      "max_tokens_too_large",
      `${param} is too large: ${requested}. This gateway supports at most ${limit} completion tokens.`,
      { param },
    ),
  missingCredential: () =>
    new GatewayError(
      401,
      "missing_credential",
      "No session credential. Send `Authorization: Bearer cogfi-session-<sessionId>-<signature>` " +
        "(or the `X-CogFi-Session` header); see gateway/README.md.",
    ),
  invalidCredential: (why: string, cause?: unknown) =>
    new GatewayError(401, "invalid_credential", `Invalid session credential: ${why}`, { cause }),
  unknownSession: (sessionId: bigint) =>
    new GatewayError(401, "unknown_session", `Session ${sessionId} does not exist on chain.`),
  sessionClosed: (sessionId: bigint) =>
    new GatewayError(403, "session_closed", `Session ${sessionId} is closed.`),
  sessionClosedByBuyer: (sessionId: bigint, closedAt: bigint, refundableAt: bigint) =>
    new GatewayError(
      403,
      "session_closed",
      `Session ${sessionId} was closed by its buyer at ${closedAt} (unix seconds); its unspent budget is refundable ` +
        `from ${refundableAt}. Open a new session.`,
    ),
  sessionExpired: (sessionId: bigint, expiry: bigint) =>
    Object.assign(
      new GatewayError(403, "session_expired", `Session ${sessionId} expired at ${expiry} (unix seconds); extend it or open a new one.`),
      { sessionId, expiry },
    ),
  wrongModel: (sessionId: bigint, sessionModel: string, requested: string) =>
    new GatewayError(
      403,
      "wrong_model",
      `Session ${sessionId} approves model \`${sessionModel}\`, not \`${requested}\`.`,
      { param: "model" },
    ),
  wrongGateway: (sessionId: bigint, sessionGateway: bigint, thisGateway: bigint, model: string) =>
    new GatewayError(
      403,
      "wrong_gateway",
      `Session ${sessionId} is bound to gateway ${sessionGateway}; this gateway is gateway ${thisGateway} for ` +
        `\`${model}\`. Only the session's gateway may serve it: open a session with gateway ${thisGateway} ` +
        `(see GET /v1/models) or send the request to gateway ${sessionGateway}.`,
    ),
  modelNotFound: (model: string) =>
    new GatewayError(404, "model_not_found", `The model \`${model}\` does not exist or is not served by this gateway.`, {
      param: "model",
    }),
  modelPaused: (model: string) =>
    new GatewayError(403, "model_paused", `The model \`${model}\` is paused by its owner.`, { param: "model" }),
  insufficientBudget: (sessionId: bigint, available: bigint, needed: bigint) =>
    new GatewayError(
      402,
      "insufficient_budget",
      `Session ${sessionId} cannot pay for this request: ${available} stablecoin units available ` +
        `(budget minus spent minus this gateway's unsettled usage), at least ${needed} needed. Top up the session.`,
    ),
  sequenceExhausted: (sessionId: bigint) =>
    new GatewayError(403, "sequence_exhausted", `Session ${sessionId} has used every receipt sequence number (2^48 - 1).`),
  enclaveNotAttested: (model: string, status: string, modelId?: bigint) =>
    Object.assign(
      new GatewayError(
        503,
        "enclave_not_attested",
        `This gateway's enclave key for \`${model}\` is not valid on chain (${status}); it must be (re-)attested before serving.`,
      ),
      { modelId },
    ),
  chainUnavailable: (cause: unknown) =>
    new GatewayError(503, "chain_unavailable", "Cannot read the chain to approve this request; retry shortly.", {
      cause,
    }),
  upstream: (message: string, cause?: unknown) =>
    new GatewayError(502, "upstream_error", `Model backend failed: ${message}`, { type: "server_error", cause }),
  receiptWriteFailed: (cause: unknown) =>
    new GatewayError(503, "receipt_write_failed", "Could not record the usage receipt; the response is withheld.", {
      cause,
    }),
  shuttingDown: () => new GatewayError(503, "shutting_down", "The gateway is shutting down; retry on another instance."),
  originNotAllowed: (origin: string) =>
    new GatewayError(403, "origin_not_allowed", `Cross-origin requests from ${origin} are not allowed by this gateway (cors.allowedOrigins).`),
  notFound: (method: string, path: string) =>
    new GatewayError(404, "not_found", `Unknown endpoint: ${method} ${path}`, { type: "invalid_request_error" }),
  internal: (cause: unknown) =>
    new GatewayError(500, "internal_error", "The gateway failed to process the request.", { cause }),
};
