/**
 * The command line with its defaults (as `npm start` runs it): `main.ts` against a local chain, self-registering
 * its enclave key, serves the very first request, and shuts down cleanly on SIGTERM with its receipts signed.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import OpenAI from "openai";
import { parseUnits } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ledgerAddresses, openSession, registerModel } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS, REPO_ROOT } from "@cogfi/sdk/node";
import { modelParams } from "../../sdk/test/fixtures.js";
import { startLedgerChain, type LedgerChain } from "../../sdk/test/ledger/harness.js";
import { createSessionCredential } from "../src/credential.js";
import { tempDir } from "./helpers.js";

let chain: LedgerChain;
beforeAll(async () => {
  chain = await startLedgerChain();
}, 120_000);
afterAll(() => chain?.stop());

test("main.ts serves its first request right after start and stops cleanly", async () => {
  const { modelId } = await registerModel(chain.client(1), modelParams("cli-model"));
  const buyer = chain.accounts[3]!;
  await chain.fund(3, parseUnits("10", 6));

  const deploymentsDir = tempDir("cogfi-deployments-");
  writeFileSync(join(deploymentsDir, "31337.json"), JSON.stringify(chain.deployment));
  const child = spawn(process.execPath, ["--import", "tsx", "gateway/src/main.ts", "--port", "0", "--rpc-url", chain.rpcUrl, "--data-dir", tempDir()], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      COGFI_DEPLOYMENTS_DIR: deploymentsDir,
      COGFI_GATEWAY_REGISTRAR_KEY: ANVIL_PRIVATE_KEYS[0],
      // A long head cache: the head read before self-registration must not be the one approval uses afterwards.
      COGFI_GATEWAY_HEAD_MAX_AGE_MS: "60000",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: { msg?: string; url?: string; receipts?: number; batches?: number }[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`gateway exited with ${code}`)));
      createInterface({ input: child.stdout! }).on("line", (line) => {
        const entry = JSON.parse(line) as (typeof logs)[number];
        logs.push(entry);
        if (entry.msg === "gateway listening") resolve(entry.url!);
      });
    });
    expect(logs.some((entry) => entry.msg === "enclave key attested on chain")).toBe(true);

    // The buyer opens a session with the gateway's id for the model, as /v1/models publishes it.
    const models = (await (await fetch(`${url}/v1/models`)).json()) as { data: { cogfi: { gatewayId: string | null } }[] };
    const gatewayId = BigInt(models.data[0]!.cogfi.gatewayId!);
    const { sessionId } = await openSession(chain.client(3), { modelId, gatewayId, budget: parseUnits("5", 6), expiry: (await chain.now()) + 3_600n });
    const apiKey = await createSessionCredential(buyer, { chainId: 31337, ledger: ledgerAddresses({ deployment: chain.deployment }).inferenceLedger }, sessionId);
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0 });
    const completion = await openai.chat.completions.create({ model: "cli-model", messages: [{ role: "user", content: "hello" }], max_tokens: 500 });
    expect(completion.object).toBe("chat.completion");
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  const stopped = logs.find((entry) => entry.msg === "gateway stopped")!;
  expect(stopped).toMatchObject({ receipts: 1, batches: 1 });
}, 120_000);
