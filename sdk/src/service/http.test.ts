import { request, type IncomingMessage } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { createServiceApp, handleErrors, HttpError, jsonBody, listenHttp, type RequestWithRawBody, type RunningHttpServer } from "./http.js";
import { createLogger } from "./logger.js";
import { createServiceMetrics } from "./metrics.js";

const servers: RunningHttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop(0)));
});

/** A service with a slow route that answers when `release` is called, and routes that fail. */
async function start(options: { ready?: () => boolean } = {}) {
  const lines: Record<string, any>[] = [];
  const logger = createLogger({
    service: "probe",
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  });
  const metrics = createServiceMetrics({ prefix: "cogfi_probe_", processMetrics: false });
  const requests = metrics.counter("requests_total", "HTTP requests by route and status", ["route", "status"]);
  const app = createServiceApp({ metrics, requests, ready: options.ready });
  let entered = 0;
  const waiting: (() => void)[] = [];
  app.get("/slow", async (_req, res) => {
    entered++;
    await new Promise<void>((release) => waiting.push(release));
    res.json({ done: true });
  });
  app.post("/echo", jsonBody(1_024), (req, res) => {
    res.json({ body: req.body, rawBytes: (req as RequestWithRawBody).rawBody?.length });
  });
  app.get("/teapot", () => {
    throw new HttpError(418, "teapot", "I am a teapot.");
  });
  app.get("/boom", () => {
    throw new Error("handler failed", { cause: new Error("disk full") });
  });
  handleErrors(app, { logger });
  const server = await listenHttp(app, { host: "127.0.0.1", port: 0 });
  servers.push(server);
  return { server, lines, release: () => waiting.splice(0).forEach((release) => release()), entered: () => entered };
}

/** One request on its own connection; resolves with status, headers and body, or rejects with the socket error. */
function get(url: string, path: string): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 2));
}

describe("graceful drain", () => {
  test("requests in flight finish; new connections are refused; /ready turns 503 on open ones", async () => {
    const { server, release, entered } = await start();
    const inflight = [get(server.url, "/slow"), get(server.url, "/slow"), get(server.url, "/slow")];
    await until(() => entered() === 3);
    // A connection opened before the drain that sends its first request during it.
    const early = connect(server.port, "127.0.0.1");
    await new Promise((r) => early.once("connect", r));

    let stopped = false;
    const stopping = server.stop(10_000).then(() => (stopped = true));
    early.write("GET /ready HTTP/1.1\r\nHost: x\r\n\r\n");
    const readyAnswer = await new Promise<string>((resolve) => {
      let text = "";
      early.on("data", (chunk: Buffer) => (text += chunk.toString()));
      early.on("end", () => resolve(text));
    });
    expect(readyAnswer).toMatch(/^HTTP\/1\.1 503/);
    expect(readyAnswer).toMatch(/connection: close/i);
    expect(readyAnswer).toContain('{"status":"draining"}');

    await expect(get(server.url, "/health")).rejects.toMatchObject({ code: "ECONNREFUSED" });
    expect(stopped).toBe(false);

    release();
    const answers = await Promise.all(inflight);
    expect(answers.map((answer) => [answer.status, answer.body])).toEqual(Array(3).fill([200, '{"done":true}']));
    await stopping;
    expect(stopped).toBe(true);
  });

  test("after the deadline what is still running is cut off", async () => {
    const { server, entered } = await start();
    const stuck = get(server.url, "/slow").then(
      () => new Error("the stuck request was answered"),
      (error: unknown) => error,
    );
    await until(() => entered() === 1);
    const started = Date.now();
    await server.stop(100);
    const elapsedMs = Date.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(90);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(await stuck).toMatchObject({ code: "ECONNRESET" });
  });
});

describe("routes every service has", () => {
  test("/health, /ready, and /metrics with per-route request counts", async () => {
    let ready = false;
    const { server } = await start({ ready: () => ready });
    expect(await get(server.url, "/health")).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(await get(server.url, "/ready")).toMatchObject({ status: 503, body: '{"status":"not_ready"}' });
    ready = true;
    expect(await get(server.url, "/ready")).toMatchObject({ status: 200, body: '{"status":"ready"}' });
    await get(server.url, "/nope");
    const metrics = await get(server.url, "/metrics");
    expect(metrics.status).toBe(200);
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('cogfi_probe_requests_total{route="/health",status="200"} 1');
    expect(metrics.body).toContain('cogfi_probe_requests_total{route="/ready",status="503"} 1');
    expect(metrics.body).toContain('cogfi_probe_requests_total{route="unmatched",status="404"} 1');
  });

  test("request ids: the caller's when well-formed, a fresh one otherwise", async () => {
    const { server } = await start();
    const given = await fetch(`${server.url}/health`, { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const forged = await fetch(`${server.url}/health`, { headers: { "x-request-id": "a b\tc" } });
    expect(forged.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("errors", () => {
  test("client errors are {error:{type,message}} and logged as refusals", async () => {
    const { server, lines } = await start();
    const cases: [Promise<Response>, number, string, RegExp][] = [
      [fetch(`${server.url}/nope`), 404, "not_found", /^Unknown endpoint: GET \/nope$/],
      [fetch(`${server.url}/teapot`), 418, "teapot", /^I am a teapot\.$/],
      [fetch(`${server.url}/echo`, { method: "POST", body: "{not json" }), 400, "invalid_json", /not valid JSON/],
      [fetch(`${server.url}/echo`, { method: "POST", body: JSON.stringify({ pad: "x".repeat(2_000) }) }), 413, "body_too_large", /limit of 1024 bytes/],
    ];
    for (const [sent, status, type, message] of cases) {
      const response = await sent;
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(Object.keys(body.error).sort()).toEqual(["message", "type"]);
      expect(body.error.type).toBe(type);
      expect(body.error.message).toMatch(message);
    }
    expect(lines.filter((line) => line.msg === "request refused").map((line) => line.code)).toEqual(["not_found", "teapot", "invalid_json", "body_too_large"]);
    expect(lines.every((line) => typeof line.requestId === "string")).toBe(true);
  });

  test("a JSON body within the limit is parsed whatever the content type, its raw bytes kept", async () => {
    const { server } = await start();
    const response = await fetch(`${server.url}/echo`, { method: "POST", body: '{"a":1}', headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(await response.json()).toEqual({ body: { a: 1 }, rawBytes: 7 });
  });

  test("a failure is a 500 that says nothing more, logged with its cause", async () => {
    const { server, lines } = await start();
    const response = await fetch(`${server.url}/boom`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { type: "internal_error", message: "The service failed to process the request." } });
    const logged = lines.find((line) => line.msg === "request failed")!;
    expect(logged).toMatchObject({ level: "error", code: "internal_error", path: "/boom", err: { message: "handler failed", cause: { message: "disk full" } } });
  });

  test("the keep-alive timeout is applied, with the headers timeout just above it", async () => {
    const app = createServiceApp({ metrics: createServiceMetrics({ prefix: "cogfi_probe_", processMetrics: false }) });
    const running = await listenHttp(app, { host: "127.0.0.1", port: 0, keepAliveTimeoutMs: 65_000 });
    try {
      expect(running.server.keepAliveTimeout).toBe(65_000);
      expect(running.server.headersTimeout).toBe(66_000);
    } finally {
      await running.stop(0);
    }
  });

  test("a port in use fails with the listen error as cause", async () => {
    const { server } = await start();
    const app = createServiceApp({ metrics: createServiceMetrics({ prefix: "cogfi_probe_", processMetrics: false }) });
    const error = await listenHttp(app, { host: "127.0.0.1", port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`cannot listen on 127.0.0.1:${server.port}`);
    expect(((error as Error).cause as NodeJS.ErrnoException).code).toBe("EADDRINUSE");
  });
});
