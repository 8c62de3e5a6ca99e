/**
 * The HTTP side of a service (express 5): request ids, `/health` (liveness), `/ready` (readiness), `/metrics`,
 * JSON bodies with a size limit, 4xx/5xx errors as JSON, and a server that drains gracefully on stop.
 *
 * A service builds its app in three steps: `createServiceApp` (the common routes and middleware), its own
 * routes, then `handleErrors` (404 and the error handler, which must come last); `listenHttp` serves it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import type { Counter, Registry } from "prom-client";
import { trackConnections, type Drainer } from "./drain.js";
import type { Logger } from "./logger.js";

/** An error a handler throws to answer with `status`; `code` is stable and machine-readable. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }
}

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean; code?: string; limit?: number };

/** A decompression failure of zlib (gzip, deflate: `Z_DATA_ERROR`, `Z_BUF_ERROR`, ...), brotli or zstd. */
function isDecompressionError(error: BodyParserError): boolean {
  return typeof error.code === "string" && /^(Z_|ERR_(_|BROTLI|ZSTD))/.test(error.code);
}

/**
 * The client's fault in reading a request body (bad JSON, too large, bad encoding), as an `HttpError`; an
 * `HttpError` as it is; anything else undefined (the service's own failure).
 */
export function toHttpError(error: unknown, req?: Pick<Request, "headers">): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (!(error instanceof Error)) return undefined;
  const parserError = error as BodyParserError;
  if (isDecompressionError(parserError)) {
    const encoding = req?.headers["content-encoding"] ?? "the declared content-encoding";
    return new HttpError(400, "invalid_request", `The request body could not be decompressed as ${encoding}: ${parserError.message}`, { cause: error });
  }
  switch (parserError.type) {
    case "entity.parse.failed":
      return new HttpError(400, "invalid_json", `The request body is not valid JSON: ${parserError.message}`, { cause: error });
    case "entity.too.large":
      return new HttpError(413, "body_too_large", `The request body exceeds the limit of ${String(parserError.limit ?? "")} bytes.`, { cause: error });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpError(415, "unsupported_media_type", parserError.message, { cause: error });
    case "request.aborted":
    case "request.size.invalid":
      return new HttpError(400, "invalid_request", parserError.message, { cause: error });
  }
  // Any other failure reading the body that the parser marks as the client's (a 4xx it exposes).
  if (parserError.expose === true && typeof parserError.status === "number" && parserError.status >= 400 && parserError.status < 500) {
    return new HttpError(400, "invalid_request", `The request body could not be read: ${parserError.message}`, { cause: error });
  }
  return undefined;
}

/** A request whose body `jsonBody` parsed keeps the raw bytes (for signatures and size accounting). */
export type RequestWithRawBody = Request & { rawBody?: Buffer };

/**
 * Parses a JSON body of at most `limitBytes`, whatever the content type (curl -d sends form encoding; the body
 * must still be JSON), and keeps the raw bytes as `req.rawBody`. Errors reach `handleErrors` as 400/413/415.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  return express.json({
    limit: limitBytes,
    strict: false,
    type: () => true,
    verify: (req, _res, buffer) => {
      (req as RequestWithRawBody).rawBody = buffer;
    },
  });
}

/** A status and a JSON body. */
export type HttpReport = { status: number; body: unknown };

export type ServiceAppOptions = {
  /** Served at `/metrics`. */
  metrics: { registry: Registry };
  /** Liveness, at `/health` (default: 200 `{ "status": "ok" }` while the process answers). */
  health?: () => HttpReport | Promise<HttpReport>;
  /** Readiness, at `/ready`: 200 while true, 503 while false and once the server drains (default: always true). */
  ready?: () => boolean | Promise<boolean>;
  /** Counts every response by route (its pattern, `unmatched` for none) and status. */
  requests?: Counter<"route" | "status">;
};

/** The drainers of the apps `listenHttp` serves, so that `/ready` turns 503 when their server drains. */
const drainers = new WeakMap<Express, Drainer>();

/** An id of at most 128 word characters, dots, colons and dashes: a caller's id is kept only if it is one. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The id of a request (`X-Request-Id`, the caller's or a fresh one), for logs. */
export function requestId(res: Response): string | undefined {
  return res.locals.requestId as string | undefined;
}

/**
 * An express app with the routes and middleware every service has. Add the service's routes, then call
 * `handleErrors`.
 * @example
 * const app = createServiceApp({ metrics, ready: () => runner.started });
 * app.get("/status", (_req, res) => { res.json(runner.status()); });
 * handleErrors(app, { logger });
 */
export function createServiceApp(options: ServiceAppOptions): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  app.use((req: Request, res: Response, next: NextFunction) => {
    const given = req.headers["x-request-id"];
    const id = typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader("x-request-id", id);
    if (options.requests) {
      const requests = options.requests;
      res.on("finish", () => {
        const route = (req.route?.path as string | undefined) ?? "unmatched";
        requests.inc({ route, status: String(res.statusCode) });
      });
    }
    next();
  });

  app.get("/health", async (_req, res) => {
    const { status, body } = options.health ? await options.health() : { status: 200, body: { status: "ok" } };
    res.status(status).json(body);
  });
  app.get("/ready", async (_req, res) => {
    const draining = drainers.get(app)?.draining ?? false;
    const ready = !draining && (options.ready ? await options.ready() : true);
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : draining ? "draining" : "not_ready" });
  });
  app.get("/metrics", async (_req, res) => {
    res.setHeader("content-type", options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });
  return app;
}

/** What an error is answered with: status, code (for logs and metrics), message and the JSON body. */
export type ErrorResponse = { status: number; code: string; message: string; body: unknown };

/** The default answer: a client error as `{ error: { type, message } }`; anything else a 500 that says nothing more. */
export function defaultErrorResponse(error: unknown, req: Request): ErrorResponse {
  const http = toHttpError(error, req) ?? new HttpError(500, "internal_error", "The service failed to process the request.");
  return { status: http.status, code: http.code, message: http.message, body: { error: { type: http.code, message: http.message } } };
}

/**
 * Adds the 404 for unknown routes and the error handler: 5xx are logged as errors with their cause chain, 4xx
 * as refusals at info. `respond` shapes the answer (default `defaultErrorResponse`).
 */
export function handleErrors(app: Express, options: { logger: Logger; respond?: (error: unknown, req: Request) => ErrorResponse }): void {
  const respond = options.respond ?? defaultErrorResponse;
  app.use((req: Request) => {
    throw new HttpError(404, "not_found", `Unknown endpoint: ${req.method} ${req.path}`);
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const answer = respond(error, req);
    const fields = { requestId: requestId(res), method: req.method, path: req.path, code: answer.code };
    if (answer.status >= 500) options.logger.error({ err: error, ...fields }, "request failed");
    else options.logger.info({ ...fields, status: answer.status, reason: answer.message }, "request refused");
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.status(answer.status).json(answer.body);
  });
}

/** A listening server. */
export type RunningHttpServer = {
  server: Server;
  /** Base URL, e.g. `http://127.0.0.1:8788` (IPv6 hosts in brackets). */
  url: string;
  port: number;
  /**
   * Graceful drain: stop accepting connections, let requests in flight finish, close idle connections, and after
   * `graceMs` close whatever is left. `/ready` answers 503 from the moment it is called.
   */
  stop(graceMs: number): Promise<void>;
};

/** Serves `app` on host:port (0 picks a free port); fails with the listen error as cause. */
export async function listenHttp(
  app: Express,
  options: { host: string; port: number; /** Idle keep-alive connections are closed after this long (Node's default: 5 s). */ keepAliveTimeoutMs?: number },
): Promise<RunningHttpServer> {
  const server = createServer();
  if (options.keepAliveTimeoutMs !== undefined) {
    server.keepAliveTimeout = options.keepAliveTimeoutMs;
    // A request's headers may arrive just as an idle connection times out: wait a little longer for them than the
    // keep-alive timeout, so a client (or a load balancer) reusing the connection is not cut off mid-request.
    server.headersTimeout = options.keepAliveTimeoutMs + 1_000;
  }
  // The tracker's request listener runs before the app's, so that it sees every response before it is sent (a
  // synchronous handler answers within the app's listener; the gateway's async routes hid this order).
  const drainer = trackConnections(server);
  server.on("request", app);
  drainers.set(app, drainer);
  try {
    await new Promise<void>((done, fail) => {
      server.once("error", fail);
      server.listen(options.port, options.host, () => {
        server.off("error", fail);
        done();
      });
    });
  } catch (cause) {
    throw new Error(`cannot listen on ${options.host}:${options.port}`, { cause });
  }
  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return { server, url: `http://${host}:${port}`, port, stop: (graceMs) => drainer.drain(graceMs) };
}
