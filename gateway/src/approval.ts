/**
 * Approval: a request runs only if its session is open, unexpired, for the requested model, the model is served
 * and not paused, and the session's remaining budget minus this gateway's unsettled usage and reservations
 * covers the request's worst-case cost. When it does not, `max_tokens` is lowered to what the budget pays
 * (policy `cap`, down to `minCompletionTokens`) or the request is refused (`refuse`).
 *
 * On a session insured by the InsurancePool, `max_tokens` is first clamped to the policy's `strikeTokens +
 * limitTokens`: the generated tokens the policy insures (gateway/README.md, Insured sessions).
 *
 * The worst case is (prompt tokens + margin) at the input price plus `max_tokens` at the dearer of the output
 * and reasoning prices, rounded up like the ledger. The approved worst case is reserved until the request's
 * receipt is recorded (or the request fails), so concurrent requests cannot overspend a session.
 */
import type { GatewayConfig } from "./config.js";
import type { ChainView } from "./chain/view.js";
import { MAX_SEQUENCE } from "@cogfi/sdk";
import type { Address } from "viem";
import type { BlockHead, KeyGateway, ModelState, SessionState } from "./chain/types.js";
import type { SessionCredential } from "./credential.js";
import { affordableMaxTokens, worstCaseCost } from "./cost.js";
import { GatewayError, refuse, type RefusalCode } from "./errors.js";
import type { Exposure } from "./exposure.js";
import { ModelCatalog } from "./models.js";

export type ApprovalRequest = {
  credential: SessionCredential;
  /** The `model` the client asked for. */
  model: string;
  /**
   * The prompt's tokens, or how to count them: counting runs only once the request is known to come from a funded
   * session's buyer, so a stranger's request costs no tokenizing (see gateway/README.md, Approval).
   */
  promptTokens: number | (() => Promise<number>);
  /** `max_tokens` / `max_completion_tokens` as given (already checked against the gateway's limit). */
  maxTokens: number | undefined;
  /** performance.now() when the request arrived (for head freshness). */
  arrivedAt: number;
};

export type Approval = {
  head: BlockHead;
  session: SessionState;
  model: ModelState;
  /** This gateway's id for the model (the session's gateway). */
  gatewayId: bigint;
  /** The prompt's tokens (counted after the session and its buyer were checked). */
  promptTokens: number;
  /** The completion cap the request runs with. */
  maxTokens: number;
  /** Whether the cap was lowered to fit the budget. */
  capped: boolean;
  /** Whether the cap was lowered to the session's policy ceiling (strike + per-request limit). */
  policyCapped: boolean;
  /** The worst-case cost reserved. */
  reserved: bigint;
  /** Releases the reservation (idempotent). */
  release: () => void;
};

/** Refusals that fresher chain state may lift. */
const RECHECKED = new Set<RefusalCode>(["unknown_session", "session_expired", "insufficient_budget", "enclave_not_attested"]);

export type ApproverHooks = {
  /** The enclave key that will sign the model's receipts. */
  enclaveFor: (modelId: bigint) => Address;
  /** The last sequence this gateway used for a session. */
  lastSequence: (sessionId: bigint) => bigint;
  /**
   * Called when the model's enclave key is not valid on chain: (re-)attests it and resolves true once it is
   * registered (dev mode), false when it cannot.
   */
  reattest?: (modelId: bigint) => Promise<boolean>;
  /** A close request could not be read from the chain (logged; the session is then reported as expired). */
  onLookupError?: (cause: unknown) => void;
};

export class Approver {
  readonly #view: ChainView;
  readonly #catalog: ModelCatalog;
  readonly #exposure: Exposure;
  readonly #config: GatewayConfig["approval"];
  readonly #hooks: ApproverHooks;
  readonly #closeRequests = new Map<string, { blockNumber: bigint; refundableAt: bigint } | null>();
  /** Called when a close request could not be read (the refusal then says expired). */
  readonly #onLookupError: ((cause: unknown) => void) | undefined;

  constructor(view: ChainView, catalog: ModelCatalog, exposure: Exposure, config: GatewayConfig["approval"], hooks: ApproverHooks) {
    this.#view = view;
    this.#catalog = catalog;
    this.#exposure = exposure;
    this.#config = config;
    this.#hooks = hooks;
    this.#onLookupError = hooks.onLookupError;
  }

  /**
   * Approves or refuses. A refusal that newer chain state could lift (a session opened, topped up or extended, a
   * key re-attested in the last moments) made on a cached head is checked once more on a head fetched after the
   * request arrived, so a buyer who just opened a session is not turned away by the cache.
   */
  async approve(request: ApprovalRequest): Promise<Approval> {
    try {
      return await this.#approve(request);
    } catch (error) {
      throw await this.#closedOrExpired(error);
    }
  }

  /**
   * A close request moves a session's expiry to the moment of the request, so on its own state a session the
   * buyer closed looks expired: its `SessionCloseRequested` event tells them apart. Read once per session and
   * expiry (the answer never changes for them), and only for a refusal of the buyer's own credential.
   */
  async #closedOrExpired(error: unknown): Promise<unknown> {
    if (!(error instanceof GatewayError) || error.code !== "session_expired" || error.sessionId === undefined || error.expiry === undefined) return error;
    const reader = this.#view.reader;
    if (!reader.closeRequest) return error;
    const key = `${error.sessionId}:${error.expiry}`;
    let request = this.#closeRequests.get(key);
    if (request === undefined) {
      try {
        request = (await reader.closeRequest(error.sessionId)) ?? null;
      } catch (cause) {
        // The refusal stands either way; only its wording depends on the lookup.
        this.#onLookupError?.(cause);
        return error;
      }
      if (this.#closeRequests.size >= 10_000) this.#closeRequests.delete(this.#closeRequests.keys().next().value!);
      this.#closeRequests.set(key, request);
    }
    return request ? refuse.sessionClosedByBuyer(error.sessionId, error.expiry, request.refundableAt) : error;
  }

  /**
   * The part of approval that needs no request body: the session exists, the credential is its buyer's, it is
   * neither closed nor expired. Run before the body is read, so a stranger's request costs the gateway one
   * signature recovery and a (cached) session read, not reading and parsing its body. Refusals that newer chain
   * state may lift are re-checked on a fresh head, as in {@link approve}.
   */
  async authenticate(credential: SessionCredential, arrivedAt: number): Promise<void> {
    try {
      try {
        await this.#authenticateAt(credential, arrivedAt, this.#view.headMaxAgeMs);
      } catch (error) {
        if (!(error instanceof GatewayError) || !RECHECKED.has(error.code) || this.#view.headMaxAgeMs === 0) throw error;
        await this.#authenticateAt(credential, arrivedAt, 0);
      }
    } catch (error) {
      throw await this.#closedOrExpired(error);
    }
  }

  async #authenticateAt(credential: SessionCredential, arrivedAt: number, headMaxAgeMs: number): Promise<void> {
    let head: BlockHead;
    let session: SessionState | undefined;
    try {
      head = await this.#view.head(arrivedAt, headMaxAgeMs);
      session = await this.#view.session(credential.sessionId, head.number);
    } catch (cause) {
      if (cause instanceof GatewayError) throw cause;
      throw refuse.chainUnavailable(cause);
    }
    if (!session) throw refuse.unknownSession(credential.sessionId);
    if (session.buyer.toLowerCase() !== credential.buyer.toLowerCase()) {
      throw refuse.invalidCredential(`it is not signed by the buyer of session ${session.sessionId}`);
    }
    if (session.closed) throw refuse.sessionClosed(session.sessionId);
    if (head.timestamp >= session.expiry) throw refuse.sessionExpired(session.sessionId, session.expiry);
  }

  async #approve(request: ApprovalRequest): Promise<Approval> {
    // Count at most once, however many times the request is judged.
    const count = request.promptTokens;
    if (typeof count === "function") {
      let counted: Promise<number> | undefined;
      request = { ...request, promptTokens: () => (counted ??= count()) };
    }
    try {
      return await this.#approveAt(request, this.#view.headMaxAgeMs);
    } catch (error) {
      if (!(error instanceof GatewayError) || !RECHECKED.has(error.code)) throw error;
      // The model's key is not valid: attest it (dev mode) and judge the request after the registration.
      if (error.code === "enclave_not_attested" && this.#hooks.reattest && error.modelId !== undefined) {
        if (!(await this.#hooks.reattest(error.modelId))) throw error;
        return this.#approveAt({ ...request, arrivedAt: performance.now() }, 0);
      }
      if (this.#view.headMaxAgeMs === 0) throw error;
      return this.#approveAt(request, 0);
    }
  }

  async #approveAt(request: ApprovalRequest, headMaxAgeMs: number): Promise<Approval> {
    const { credential } = request;
    let head: BlockHead;
    let session: SessionState | undefined;
    let model: ModelState | undefined;
    let key: KeyGateway | undefined;
    try {
      head = await this.#view.head(request.arrivedAt, headMaxAgeMs);
      session = await this.#view.session(credential.sessionId, head.number);
      if (session) {
        [model, key] = await Promise.all([
          this.#view.model(session.modelId, head.number),
          this.#view.keyGateway(this.#hooks.enclaveFor(session.modelId), session.modelId, head.number),
        ]);
      }
    } catch (cause) {
      if (cause instanceof GatewayError) throw cause;
      throw refuse.chainUnavailable(cause);
    }
    if (!session) throw refuse.unknownSession(credential.sessionId);
    if (session.buyer.toLowerCase() !== credential.buyer.toLowerCase()) {
      throw refuse.invalidCredential(`it is not signed by the buyer of session ${session.sessionId}`);
    }
    if (!model || !this.#catalog.isServed(model) || !ModelCatalog.matches(request.model, model)) {
      const exists = await this.#catalog.exists(request.model, head.number).catch((cause) => {
        throw refuse.chainUnavailable(cause);
      });
      if (!exists) throw refuse.modelNotFound(request.model);
      throw refuse.wrongModel(session.sessionId, model?.name ?? `#${session.modelId}`, request.model);
    }
    if (session.closed) throw refuse.sessionClosed(session.sessionId);
    if (head.timestamp >= session.expiry) throw refuse.sessionExpired(session.sessionId, session.expiry);
    if (model.paused) throw refuse.modelPaused(request.model);
    if (key?.status !== "Valid") throw refuse.enclaveNotAttested(request.model, key?.status ?? "Unknown", model.modelId);
    // Only the session's gateway may serve it: another gateway's receipts would never be charged.
    if (session.gatewayId !== key.gatewayId) {
      throw refuse.wrongGateway(session.sessionId, session.gatewayId, key.gatewayId, request.model);
    }
    const lastLocal = this.#hooks.lastSequence(session.sessionId);
    if ((lastLocal > session.lastSequence ? lastLocal : session.lastSequence) >= MAX_SEQUENCE) {
      throw refuse.sequenceExhausted(session.sessionId);
    }
    let wanted = BigInt(request.maxTokens ?? this.#config.defaultMaxTokens);
    // An insured session runs at most the generated tokens its policy insures: above strike + limit the buyer would
    // pay every token alone, and the cover's bound on the buyer's cost per request would not hold.
    let policyCapped = false;
    if (session.policy) {
      const ceiling = session.policy.strikeTokens + session.policy.limitTokens;
      if (wanted > ceiling) {
        wanted = ceiling;
        policyCapped = true;
      }
    }
    const minimum = BigInt(Math.min(this.#config.minCompletionTokens, Number(wanted)));

    // The request is the buyer's, on a live session: only now is its prompt worth counting, and only when the
    // session could pay for the smallest completion even with an empty prompt.
    let counted = request.promptTokens;
    if (typeof counted === "function") {
      const available = this.#available(session);
      if (worstCaseCost(0n, minimum, model.pricing) > available) {
        throw refuse.insufficientBudget(session.sessionId, available, worstCaseCost(0n, minimum, model.pricing));
      }
      counted = await counted();
    }

    // From here to `reserve` nothing awaits: the budget check and the reservation are one atomic step.
    const available = this.#available(session);
    const promptTokens = BigInt(Math.ceil((counted * (10_000 + this.#config.promptMarginBps)) / 10_000));

    let maxTokens = wanted;
    let capped = false;
    if (worstCaseCost(promptTokens, wanted, model.pricing) > available) {
      const affordable = affordableMaxTokens(available, promptTokens, model.pricing);
      if (this.#config.onInsufficientBudget === "refuse" || affordable === undefined || affordable < minimum) {
        throw refuse.insufficientBudget(session.sessionId, available, worstCaseCost(promptTokens, minimum, model.pricing));
      }
      maxTokens = affordable;
      capped = true;
    }
    const reserved = worstCaseCost(promptTokens, maxTokens, model.pricing);
    const release = this.#exposure.reserve(session.sessionId, reserved);
    return { head, session, model, gatewayId: key.gatewayId, promptTokens: counted, maxTokens: Number(maxTokens), capped, policyCapped, reserved, release };
  }

  /** The session's budget left for this gateway: remaining minus unsettled receipts and reservations. */
  #available(session: SessionState): bigint {
    this.#exposure.observeSettled(session.sessionId, session.lastSequence);
    const remaining = session.budget > session.spent ? session.budget - session.spent : 0n;
    const committed = this.#exposure.committed(session.sessionId);
    return remaining > committed ? remaining - committed : 0n;
  }
}
