/**
 * The benchmark's gateway process (spawned by bench.ts): the real gateway — HTTP, validation, credential check,
 * approval with per-block caches, simulated backend, receipt log, sdk batch signing — against an in-memory
 * chain that serves one funded session, so the figures measure the gateway and not an RPC node.
 * Configured by the BENCH_SERVER env variable (JSON); prints one JSON line `{url, apiKey}` when listening.
 */
import { privateKeyToAccount } from "viem/accounts";
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";
import { createSessionCredential } from "../src/credential.js";
import { startGateway } from "../src/gateway.js";
import type { CommitMode, Durability } from "../src/receipts/log.js";
import { FakeChain, fakeAttestor } from "../test/fakes.js";
import { fakeDeployment, tempDir } from "../test/helpers.js";

const options = JSON.parse(process.env.BENCH_SERVER ?? "{}") as {
  durability?: Durability;
  sign?: boolean;
  dataDir?: string;
  commitMode?: CommitMode;
  signerNice?: number;
};
const buyer = privateKeyToAccount(ANVIL_PRIVATE_KEYS[3]);
const chain = new FakeChain();
chain.addModel(1n, "bench-model");
chain.addSession({ sessionId: 1n, buyer: buyer.address, budget: 10n ** 20n, expiry: 10n ** 12n });

const gateway = await startGateway(
  {
    dataDir: options.dataDir ?? tempDir("cogfi-bench-"),
    http: { port: 0 },
    chain: { rpcUrl: "http://127.0.0.1:1", deployment: fakeDeployment },
    receipts: {
      durability: options.durability ?? "fsync",
      sign: options.sign ?? true,
      commitMode: options.commitMode ?? "inline",
      ...(options.signerNice !== undefined ? { signerNice: options.signerNice } : {}),
    },
    logLevel: "warn",
  },
  // The real sdk signer (default); no attestation in the loop.
  { chainReader: chain, attestor: fakeAttestor },
);
const apiKey = await createSessionCredential(buyer, { chainId: fakeDeployment.chainId, ledger: fakeDeployment.contracts.InferenceLedger! }, 1n);
process.stdout.write(`${JSON.stringify({ url: gateway.url, apiKey })}\n`);

process.on("SIGTERM", () => {
  const stats = { receipts: gateway.store.receiptCount, batches: gateway.store.batchCount };
  void gateway.stop().then(() => {
    // Receipts covered by a batch: all but those still unbatched after the shutdown's final signing.
    const signed = gateway.store.receiptCount - gateway.store.unbatched;
    process.stdout.write(`${JSON.stringify({ stopped: true, ...stats, signed })}\n`);
    process.exit(0);
  });
});
