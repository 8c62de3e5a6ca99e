/** The express application: routes, JSON body limits, OpenAI-shaped errors, per-route metrics. */
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { GatewayError, refuse } from "../errors.js";
import type { GatewayMetrics } from "../metrics.js";
import { ModelCatalog } from "../models.js";
import { chatAuthentication, chatCompletionsHandler, type ChatContext } from "./chat.js";
import { corsMiddleware } from "./cors.js";
import { responsesHandler } from "./responses.js";

export type AppRoutes = {
  chat: ChatContext;
  metrics: GatewayMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  health: () => Promise<{ status: number; body: unknown }>;
  models: () => Promise<unknown[]>;
  receipts: (query: unknown) => Promise<unknown>;
  attestation: (query: unknown) => Promise<unknown>;
};

type BodyParserError = Error & { type?: string; status?: number; expose?: boolean; code?: string };

/** A decompression failure of zlib (gzip, deflate: `Z_DATA_ERROR`, `Z_BUF_ERROR`, ...), brotli or zstd. */
function isDecompressionError(error: BodyParserError): boolean {
  return typeof error.code === "string" && /^(Z_|ERR_(_|BROTLI|ZSTD))/.test(error.code);
}

/** Maps anything thrown in a handler to a GatewayError. */
export function toGatewayError(error: unknown, req?: Pick<Request, "headers">): GatewayError {
  if (error instanceof GatewayError) return error;
  const parserError = error as BodyParserError;
  if (parserError instanceof Error && isDecompressionError(parserError)) {
    const encoding = req?.headers["content-encoding"] ?? "the declared content-encoding";
    return new GatewayError(400, "invalid_request", `The request body could not be decompressed as ${encoding}: ${parserError.message}`, { cause: error });
  }
  switch (parserError?.type) {
    case "entity.parse.failed":
      return new GatewayError(400, "invalid_json", `The request body is not valid JSON: ${parserError.message}`, { cause: error });
    case "entity.too.large":
      return new GatewayError(413, "body_too_large", `The request body exceeds the limit of ${String((error as { limit?: number }).limit ?? "")} bytes.`, { cause: error });
    case "encoding.unsupported":
    case "charset.unsupported":
      return new GatewayError(415, "unsupported_media_type", parserError.message, { cause: error });
    case "request.aborted":
    case "request.size.invalid":
      return new GatewayError(400, "invalid_request", parserError.message, { cause: error });
  }
  // Any other failure reading the body that the parser marks as the client's (a 4xx it exposes).
  if (parserError?.expose === true && typeof parserError.status === "number" && parserError.status >= 400 && parserError.status < 500) {
    return new GatewayError(400, "invalid_request", `The request body could not be read: ${parserError.message}`, { cause: error });
  }
  return refuse.internal(error);
}

export function createApp(routes: AppRoutes): express.Express {
  const { metrics, logger } = routes;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");

  // Count every response by route and status; refusals by code.
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.on("finish", () => {
      const route = (req.route?.path as string | undefined) ?? "unmatched";
      metrics.requests.inc({ route, status: String(res.statusCode) });
    });
    next();
  });

  app.use(corsMiddleware(routes.chat.config.cors));

  const jsonBody = express.json({
    limit: routes.bodyLimitBytes,
    strict: false,
    // Parse whatever the content type (curl -d sends form encoding); the body must still be JSON.
    type: () => true,
    verify: (req, _res, buffer) => {
      (req as Request & { rawBody?: Buffer }).rawBody = buffer;
    },
  });

  // The credential and its session are checked before the body is read (see chatAuthentication).
  app.post("/v1/chat/completions", chatAuthentication(routes.chat), jsonBody, chatCompletionsHandler(routes.chat));
  app.post("/v1/responses", chatAuthentication(routes.chat), jsonBody, responsesHandler(routes.chat));

  app.get("/v1/models", async (_req, res) => {
    res.json({ object: "list", data: await routes.models() });
  });
  app.get("/v1/models/:model", async (req, res) => {
    // Any id chat completions accept names the model here too: its public id, its name, `<name>#<modelId>`.
    const requested = req.params.model;
    const models = (await routes.models()) as { id: string; cogfi: { name: string; modelId: string } }[];
    const model =
      models.find((entry) => entry.id === requested) ??
      models.find((entry) => ModelCatalog.matches(requested, { name: entry.cogfi.name, modelId: BigInt(entry.cogfi.modelId) }));
    if (!model) throw refuse.modelNotFound(requested);
    res.json(model);
  });
  app.get("/v1/receipts", async (req, res) => {
    res.json(await routes.receipts(req.query));
  });
  app.get("/attestation", async (req, res) => {
    res.json(await routes.attestation(req.query));
  });
  app.get("/health", async (_req, res) => {
    const { status, body } = await routes.health();
    res.status(status).json(body);
  });
  app.get("/metrics", async (_req, res) => {
    res.setHeader("content-type", metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  app.use((req: Request) => {
    throw refuse.notFound(req.method, req.path);
  });

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const gatewayError = toGatewayError(error, req);
    if (gatewayError.status >= 500) {
      logger.error({ err: error, method: req.method, path: req.path, code: gatewayError.code }, "request failed");
    } else {
      logger.info({ method: req.method, path: req.path, status: gatewayError.status, code: gatewayError.code, reason: gatewayError.message }, "request refused");
    }
    metrics.refusals.inc({ reason: gatewayError.code });
    if (res.headersSent) {
      if (!res.writableEnded) res.end();
      return;
    }
    res.status(gatewayError.status).json(gatewayError.toJSON());
  });

  return app;
}
