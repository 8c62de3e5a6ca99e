/**
 * Demo traffic for `npm start`: a buyer funds one session per demo model with the gateway (its id for the model, as
 * its GET /v1/models publishes it) and sends chat completions through it, the way any OpenAI client would (Bearer
 * session credential, plain JSON over HTTP).
 */
import { parseUnits, type Address } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { mockStablecoinAbi, openSession, type CogFiClient } from "../sdk/src/index.js";
import { createSessionCredential } from "../gateway/src/index.js";

export type DemoTraffic = {
  stats: { sent: number; ok: number; failed: number };
  sessionIds: bigint[];
  /** The gateway id each session is bound to, in `sessionIds` order. */
  gatewayIds: bigint[];
  stop(): Promise<void>;
};

/** The gateway's id for `modelId`, from its GET /v1/models (what a buyer reads before opening a session). */
export async function gatewayIdFor(gatewayUrl: string, modelId: bigint): Promise<bigint> {
  const response = await fetch(`${gatewayUrl}/v1/models`);
  if (!response.ok) throw new Error(`GET ${gatewayUrl}/v1/models answered ${response.status}`);
  const { data } = (await response.json()) as { data: { cogfi: { modelId: string; gatewayId: string | null } }[] };
  const gatewayId = data.find((model) => model.cogfi.modelId === modelId.toString())?.cogfi.gatewayId;
  if (!gatewayId) throw new Error(`the gateway at ${gatewayUrl} has no gateway id for model ${modelId} (key not registered)`);
  return BigInt(gatewayId);
}

const PROMPTS = [
  "Summarise the liability clause of a standard SaaS agreement.",
  "Prove that the square root of 2 is irrational.",
  "Plan a three-step migration from REST to gRPC.",
  "What are the risks of concentrated liquidity for a new token?",
];

export async function startDemoTraffic(parameters: {
  buyer: CogFiClient;
  buyerAccount: PrivateKeyAccount;
  gatewayUrl: string;
  ledger: Address;
  /** Each model's session is opened under its policy here, if any (an insured session, docs/insurance.md). */
  models: ReadonlyArray<{ modelId: bigint; name: string; policyId?: bigint }>;
  intervalMs: number;
}): Promise<DemoTraffic> {
  const { buyer, buyerAccount, gatewayUrl, ledger, models, intervalMs } = parameters;
  const budget = parseUnits("50", 6);
  const stablecoin = buyer.deployment.contracts.Stablecoin;
  const mint = await buyer.walletClient!.writeContract({
    address: stablecoin,
    abi: mockStablecoinAbi,
    functionName: "mint",
    args: [buyerAccount.address, budget * BigInt(models.length)],
  });
  await buyer.publicClient.waitForTransactionReceipt({ hash: mint });
  const now = (await buyer.publicClient.getBlock()).timestamp;

  const sessions: Array<{ modelId: bigint; name: string; gatewayId: bigint; sessionId: bigint; apiKey: string }> = [];
  for (const model of models) {
    const gatewayId = await gatewayIdFor(gatewayUrl, model.modelId);
    // Six days: inside the ledger's longest session (7 days minus the settlement grace).
    const { sessionId } = await openSession(buyer, { modelId: model.modelId, gatewayId, budget, expiry: now + 6n * 86_400n, policyId: model.policyId ?? 0n });
    const apiKey = await createSessionCredential(buyerAccount, { chainId: buyer.deployment.chainId, ledger }, sessionId);
    sessions.push({ modelId: model.modelId, name: model.name, gatewayId, sessionId, apiKey });
  }

  const stats = { sent: 0, ok: 0, failed: 0 };
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const tick = async () => {
    const session = sessions[stats.sent % sessions.length]!;
    const prompt = PROMPTS[stats.sent % PROMPTS.length]!;
    stats.sent++;
    try {
      const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${session.apiKey}` },
        // A seed per request: the same prompt thinks for another length each time, as a real model's does (the
        // simulated backend is deterministic per request and seed).
        // max_tokens leaves room for long reasoning: on an insured session the gateway lowers it to the policy's
        // strike + per-request limit, and on any session to what the budget pays.
        body: JSON.stringify({ model: session.name, messages: [{ role: "user", content: prompt }], max_tokens: 16_384, seed: stats.sent }),
      });
      if (response.ok) stats.ok++;
      else stats.failed++;
      await response.arrayBuffer();
    } catch {
      stats.failed++;
    }
  };
  const timer = setInterval(() => {
    if (!stopped) inFlight = inFlight.then(tick);
  }, intervalMs);
  return {
    stats,
    sessionIds: sessions.map((session) => session.sessionId),
    gatewayIds: sessions.map((session) => session.gatewayId),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
    },
  };
}
