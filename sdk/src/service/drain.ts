/**
 * Graceful HTTP shutdown: stop accepting, let requests in flight finish, then close each connection with a FIN
 * once it carries no request (responses in flight get `Connection: close` so clients do not reuse them). A
 * connection that has not sent its first request yet gets a short while to do so (it is then answered; a service
 * refuses what it no longer takes, as the gateway does new completions with 503 `shutting_down`). A socket is
 * never destroyed while a response may still be unread, which would turn into a reset on the client; only after
 * the grace period is everything left destroyed. `createHttpService` uses it; moved here from the gateway.
 */
import type { Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type Drainer = {
  /** Whether `drain` was called. */
  readonly draining: boolean;
  drain(graceMs: number): Promise<void>;
};

/** How long a connection that has sent no request yet may still send one once draining started. */
const FIRST_REQUEST_GRACE_MS = 1_000;

export function trackConnections(server: Server): Drainer {
  const active = new Map<Socket, Set<ServerResponse>>();
  const served = new WeakSet<Socket>();
  let draining = false;

  const endIfIdle = (socket: Socket) => {
    if (draining && (active.get(socket)?.size ?? 0) === 0 && !socket.destroyed) socket.end();
  };

  server.on("connection", (socket: Socket) => {
    active.set(socket, new Set());
    socket.once("close", () => active.delete(socket));
  });
  server.on("request", (req, res: ServerResponse) => {
    const socket = req.socket;
    const responses = active.get(socket) ?? new Set<ServerResponse>();
    active.set(socket, responses);
    served.add(socket);
    responses.add(res);
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      responses.delete(res);
      endIfIdle(socket);
    });
  });

  return {
    get draining() {
      return draining;
    },
    async drain(graceMs: number): Promise<void> {
      draining = true;
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const [socket, responses] of active) {
        for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
        if (served.has(socket)) endIfIdle(socket);
      }
      const fresh = setTimeout(() => {
        for (const socket of active.keys()) endIfIdle(socket);
      }, Math.min(FIRST_REQUEST_GRACE_MS, graceMs));
      const grace = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(fresh);
      clearTimeout(grace);
    },
  };
}
