/**
 * CORS, so a browser app can call the gateway with a session credential (`cors.allowedOrigins`; off by default).
 *
 * A request from an allowed origin gets `Access-Control-Allow-Origin` (its origin, or `*` when any origin is
 * allowed) and may read the receipt headers (`x-cogfi-*`). A preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) from an allowed origin is answered 204 with the methods, the headers it asked
 * for (among them `Authorization`, which carries the credential; the official `openai` client also sends its
 * `x-stainless-*` headers) and `Access-Control-Max-Age`; from another origin it is a 403 `origin_not_allowed`. No
 * cookies are involved (the credential is a bearer token), so `Access-Control-Allow-Credentials` is never sent.
 * Requests from other origins are served as without CORS: the browser withholds the answer from the page.
 */
import type { NextFunction, Request, Response } from "express";
import type { GatewayConfig } from "../config.js";
import { refuse } from "../errors.js";

/** Response headers a page may read: the receipt of its request. */
const EXPOSED_HEADERS = "x-cogfi-session, x-cogfi-sequence, x-cogfi-request-hash, x-cogfi-max-tokens";
const ALLOWED_METHODS = "GET, POST, OPTIONS";
/** Allowed when a preflight names no headers. */
const DEFAULT_ALLOWED_HEADERS = "authorization, content-type, x-cogfi-session";
/** `Access-Control-Request-Headers`: a list of header names (RFC 9110 tokens), of a sane length. */
const HEADER_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
const HEADER_LIST_MAX_CHARS = 2_048;

export function corsMiddleware(config: GatewayConfig["cors"]) {
  const anyOrigin = config.allowedOrigins.includes("*");
  const allowed = new Set(config.allowedOrigins);
  const enabled = allowed.size > 0;
  return function cors(req: Request, res: Response, next: NextFunction): void {
    const origin = req.headers.origin;
    if (!enabled || origin === undefined) return next();
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (!anyOrigin && !allowed.has(origin)) {
      if (preflight) throw refuse.originNotAllowed(origin);
      return next();
    }
    res.setHeader("access-control-allow-origin", anyOrigin ? "*" : origin);
    if (!anyOrigin) res.vary("Origin");
    if (!preflight) {
      res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
      return next();
    }
    const requested = req.headers["access-control-request-headers"];
    const headers = requested !== undefined && requested.length <= HEADER_LIST_MAX_CHARS && HEADER_LIST.test(requested.trim()) ? requested.trim() : DEFAULT_ALLOWED_HEADERS;
    res.setHeader("access-control-allow-methods", ALLOWED_METHODS);
    res.setHeader("access-control-allow-headers", headers);
    res.setHeader("access-control-max-age", String(config.maxAgeSeconds));
    res.vary("Access-Control-Request-Headers");
    res.status(204).end();
  };
}
