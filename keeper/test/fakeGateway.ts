import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Address } from "viem";
import { serializeReceiptsPage, usageBatchDigest, usageBatchDomain, type SignedUsageBatch } from "@cogfi/sdk";

export type FakeGateway = {
  url: string;
  /** Batches served by GET /v1/receipts, cursor = index; push to serve more. */
  served: SignedUsageBatch[];
  /** While down, every request's connection is dropped (as a crashed gateway's would be). */
  setDown(down: boolean): void;
  stop(): Promise<void>;
};

/** A stand-in for a gateway's GET /v1/receipts, in the gateway's wire format (from the sdk), without per-receipt items. */
export async function startFakeGateway(ledger: Address, chainId = 31337): Promise<FakeGateway> {
  const served: SignedUsageBatch[] = [];
  let down = false;
  const server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://gateway");
    const after = Number(url.searchParams.get("after") ?? "-1");
    const limit = Number(url.searchParams.get("limit") ?? "50");
    const page = served.map((batch, cursor) => ({ batch, cursor })).filter(({ cursor }) => cursor > after);
    const batches = page.slice(0, limit).map(({ batch, cursor }) => ({
      ...batch,
      cursor,
      digest: usageBatchDigest(batch, batch.gatewayId, usageBatchDomain({ chainId, ledger })),
      signedAt: 0,
      items: [],
    }));
    res.setHeader("content-type", "application/json");
    res.end(
      JSON.stringify(serializeReceiptsPage({ chainId, ledger, batches, nextCursor: batches.at(-1)?.cursor ?? after, hasMore: page.length > limit })),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    setDown: (value) => void (down = value),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
