import {
  createPublicClient,
  createWalletClient,
  defineChain,
  fallback,
  http,
  type Account,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";
import { foundry } from "viem/chains";
import type { Deployment } from "./deployment.js";

/** What every SDK action takes: a public client, an optional wallet, and the deployment's addresses. */
export type CogFiClient = {
  publicClient: PublicClient<Transport, Chain>;
  /** Needed by write actions only. */
  walletClient?: WalletClient<Transport, Chain, Account>;
  deployment: Deployment;
};

export type CreateCogFiClientParameters = {
  rpcUrl: string;
  /**
   * More endpoints of the same chain: requests fail over to them in order when `rpcUrl` errors or times out
   * (viem's `fallback` transport, which also ranks them by latency and stability).
   */
  fallbackRpcUrls?: readonly string[];
  deployment: Deployment;
  /** A viem account (e.g. `privateKeyToAccount(key)`); omit for a read-only client. */
  account?: Account;
  /** Defaults to anvil's chain for 31337, else a minimal chain built from the deployment's chain id. */
  chain?: Chain;
  /** Milliseconds between receipt polls (default 50 on local chains, 1000 elsewhere). */
  pollingInterval?: number;
  /**
   * A ready viem transport to use instead of the one built from `rpcUrl` and `fallbackRpcUrls` (a service that
   * instruments its RPC calls, say); `rpcUrl` still names the chain's default endpoint.
   */
  transport?: Transport;
};

/**
 * Creates the client object every CogFi action takes.
 * @example
 * const client = createCogFiClient({ rpcUrl: "http://127.0.0.1:8545", deployment: loadDeployment(31337),
 *   account: privateKeyToAccount(key) });
 * const model = await getModel(client, { modelId: 1n });
 */
export function createCogFiClient(parameters: CreateCogFiClientParameters): CogFiClient {
  const { rpcUrl, deployment, account } = parameters;
  const chain =
    parameters.chain ??
    (deployment.chainId === foundry.id
      ? foundry
      : defineChain({
          id: deployment.chainId,
          name: `chain-${deployment.chainId}`,
          nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
          rpcUrls: { default: { http: [rpcUrl] } },
        }));
  const pollingInterval = parameters.pollingInterval ?? (deployment.local ? 50 : 1_000);
  const fallbacks = parameters.fallbackRpcUrls ?? [];
  const transport =
    parameters.transport ??
    (fallbacks.length === 0 ? http(rpcUrl) : fallback([rpcUrl, ...fallbacks].map((url) => http(url, { retryCount: 0 })), { rank: false }));
  const publicClient = createPublicClient({ chain, transport, pollingInterval }) as PublicClient<Transport, Chain>;
  const walletClient = account ? createWalletClient({ chain, transport, account, pollingInterval }) : undefined;
  return { publicClient, walletClient, deployment };
}

/** The wallet of a client, or a clear error for write actions called on a read-only client. */
export function requireWallet(client: CogFiClient, action: string): WalletClient<Transport, Chain, Account> {
  if (!client.walletClient) throw new Error(`${action} needs a client created with an account`);
  return client.walletClient;
}
