/**
 * Keeper bench: signed receipts verified per second, as the usage relay verifies them before paying gas (format,
 * ordering, Merkle commitment and the enclave signature; `verifyUsageBatch` without a client). The on-chain part of
 * the relay's check (key status and gateway, settled counter, sessions) is a fixed number of reads per batch,
 * whatever its size, and is not measured here.
 *
 *   npx tsx keeper/bench/verify.ts [--batches 40] [--receipts 256] [--sessions 16] [--rounds 5]
 *
 * Prints one JSON line per round and a summary: receipts/s (median of rounds), batches/s, per-batch ms.
 */
import { parseArgs } from "node:util";
import { keccak256, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { signUsageBatch, verifyUsageBatch, type SignedUsageBatch } from "@cogfi/sdk";

const { values } = parseArgs({
  options: {
    batches: { type: "string", default: "40" },
    receipts: { type: "string", default: "256" },
    sessions: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
  },
});
const batches = Number(values.batches);
const receiptsPerBatch = Number(values.receipts);
const sessions = Number(values.sessions);
const rounds = Number(values.rounds);
const ledger = "0x00000000000000000000000000000000000000aa" as const;
const enclave = privateKeyToAccount(`0x${"42".repeat(32)}`);

const signed: SignedUsageBatch[] = [];
for (let b = 0; b < batches; b++) {
  const receipts = Array.from({ length: receiptsPerBatch }, (_, i) => {
    const session = i % sessions;
    const sequence = BigInt(b * receiptsPerBatch + Math.floor(i / sessions) + 1);
    return {
      sessionId: BigInt(session + 1),
      sequence,
      inputTokens: 1_000n,
      outputTokens: 300n,
      reasoningTokens: 2_000n,
      requestHash: keccak256(toHex(`bench-${b}-${i}`)),
    };
  });
  const { batch } = await signUsageBatch({ account: enclave, gatewayId: 1n, chainId: 31337, ledger, modelId: 1n, batchNumber: BigInt(b + 1), servedPricing: 1n, receipts });
  signed.push(batch);
}

const results: number[] = [];
for (let round = 0; round < rounds; round++) {
  const start = process.hrtime.bigint();
  for (const batch of signed) {
    const verdict = await verifyUsageBatch({ batch, chainId: 31337, ledger });
    if (!verdict.valid) throw new Error(`bench batch ${batch.batchNumber} did not verify: ${verdict.problems.map((p) => p.message).join("; ")}`);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const receiptsPerSecond = (batches * receiptsPerBatch) / seconds;
  results.push(receiptsPerSecond);
  console.log(JSON.stringify({ round, batches, receiptsPerBatch, seconds: +seconds.toFixed(3), receiptsPerSecond: Math.round(receiptsPerSecond) }));
}
const sorted = [...results].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  JSON.stringify({
    summary: "signed receipts verified per second (one core)",
    receiptsPerSecondMedian: Math.round(median),
    batchesPerSecond: +(median / receiptsPerBatch).toFixed(1),
    msPerBatch: +((1000 * receiptsPerBatch) / median).toFixed(2),
    target: 2000,
  }),
);
