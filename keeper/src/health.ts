import type { Address } from "viem";
import type { CogFiClient } from "@cogfi/sdk";

export type KeeperHealth = {
  /** `ok`; `degraded`: the chain answers but a gateway does not, the key's balance is empty, or a price feed is stale; `down`: no chain. */
  status: "ok" | "degraded" | "down";
  lastBlock?: { number: string; timestamp: number; ageSeconds: number };
  /** The keeper key's native balance, in wei (decimal string). */
  balanceWei?: string;
  gateways: Record<string, { reachable: boolean; error?: string }>;
  /** Age of the oldest batch a gateway signed that the relay has not settled yet (null when caught up). */
  oldestUnsettledReceiptAgeSeconds: number | null;
  /** Price feeds older than their maxAge / heartbeat at the oracle upkeep's last pass (the keeper is then `degraded`). */
  staleFeeds?: ReadonlyArray<{ feed: string; usedBy: string; ageSeconds: number; maxAgeSeconds: number }>;
  error?: string;
};

/**
 * The keeper's liveness report for `/health`: the chain's last block and its age, the key's balance, whether each
 * gateway answers its own `/health`, and how long the oldest unsettled receipt has waited. Answers 200 unless the
 * chain cannot be read (503): a keeper without a chain can do nothing, one without a gateway can still liquidate.
 */
export async function keeperHealth(parameters: {
  client: CogFiClient;
  account: Address;
  gatewayUrls: readonly string[];
  oldestUnsettledSignedAt: () => number | undefined;
  /** Feeds found stale by the oracle upkeep (none when it does not run). */
  staleFeeds?: () => ReadonlyArray<{ feed: string; usedBy: string; ageSeconds: number; maxAgeSeconds: number }>;
  timeoutMs?: number;
}): Promise<{ status: number; body: KeeperHealth }> {
  const { client, account, gatewayUrls } = parameters;
  const timeoutMs = parameters.timeoutMs ?? 2_000;
  const signedAt = parameters.oldestUnsettledSignedAt();
  const gateways = Object.fromEntries(
    await Promise.all(
      gatewayUrls.map(async (url) => {
        try {
          const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(timeoutMs) });
          return [url, response.ok ? { reachable: true } : { reachable: false, error: `HTTP ${response.status}` }] as const;
        } catch (error) {
          return [url, { reachable: false, error: error instanceof Error ? error.message : String(error) }] as const;
        }
      }),
    ),
  );
  const oldestUnsettledReceiptAgeSeconds = signedAt === undefined ? null : Math.max(0, Math.round((Date.now() - signedAt) / 1000));
  try {
    const [block, balance] = await Promise.all([client.publicClient.getBlock({ blockTag: "latest" }), client.publicClient.getBalance({ address: account })]);
    const ageSeconds = Math.max(0, Math.round(Date.now() / 1000 - Number(block.timestamp)));
    const staleFeeds = parameters.staleFeeds?.() ?? [];
    const degraded = balance === 0n || staleFeeds.length > 0 || Object.values(gateways).some((gateway) => !gateway.reachable);
    return {
      status: 200,
      body: {
        status: degraded ? "degraded" : "ok",
        lastBlock: { number: block.number.toString(), timestamp: Number(block.timestamp), ageSeconds },
        balanceWei: balance.toString(),
        gateways,
        oldestUnsettledReceiptAgeSeconds,
        ...(staleFeeds.length > 0 ? { staleFeeds } : {}),
      },
    };
  } catch (error) {
    return {
      status: 503,
      body: { status: "down", gateways, oldestUnsettledReceiptAgeSeconds, error: `the chain cannot be read: ${error instanceof Error ? error.message : String(error)}` },
    };
  }
}
