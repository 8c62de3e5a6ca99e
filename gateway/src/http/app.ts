/** The express application: routes, JSON body limits, OpenAI-shaped errors, per-route metrics (on the sdk's service kit). */
import type express from "express";
import type { Request } from "express";
import { createServiceApp, handleErrors, jsonBody as serviceJsonBody, toHttpError, type Logger } from "@cogfi/sdk/service";
import { GatewayError, refuse, type RefusalCode } from "../errors.js";
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

/** Maps anything thrown in a handler to a GatewayError (a body the client got wrong: the kit's 400/413/415). */
export function toGatewayError(error: unknown, req?: Pick<Request, "headers">): GatewayError {
  if (error instanceof GatewayError) return error;
  const http = toHttpError(error, req);
  if (http) return new GatewayError(http.status, http.code as RefusalCode, http.message, { cause: http.cause });
  return refuse.internal(error);
}

export function createApp(routes: AppRoutes): express.Express {
  const { metrics, logger } = routes;
  // Request ids, /health, /metrics; every response counted by route and status (refusals by code below).
  const app = createServiceApp({ metrics, requests: metrics.requests, health: routes.health, ready: async () => (await routes.health()).status === 200 });

  app.use(corsMiddleware(routes.chat.config.cors));

  // Parse whatever the content type (curl -d sends form encoding); the body must still be JSON. Keeps `rawBody`.
  const jsonBody = serviceJsonBody(routes.bodyLimitBytes);

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
  app.use((req: Request) => {
    throw refuse.notFound(req.method, req.path);
  });

  handleErrors(app, {
    logger,
    respond: (error, req) => {
      const gatewayError = toGatewayError(error, req);
      metrics.refusals.inc({ reason: gatewayError.code });
      return { status: gatewayError.status, code: gatewayError.code, message: gatewayError.message, body: gatewayError.toJSON() };
    },
  });

  return app;
}
