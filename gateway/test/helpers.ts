import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment } from "@cogfi/sdk";

export const tempDir = (prefix = "cogfi-gateway-") => mkdtempSync(join(tmpdir(), prefix));

/** A deployment with placeholder addresses, for gateways running against FakeChain. */
export const fakeDeployment: Deployment = {
  chainId: 31337,
  deployedAtBlock: 0,
  local: true,
  contracts: {
    Stablecoin: "0x0000000000000000000000000000000000000a01",
    StablecoinUsdFeed: "0x0000000000000000000000000000000000000a02",
    ModelRegistry: "0x0000000000000000000000000000000000000a03",
    ModelShareImplementation: "0x0000000000000000000000000000000000000a04",
    InferenceLedger: "0x0000000000000000000000000000000000000a05",
    EnclaveRegistry: "0x0000000000000000000000000000000000000a06",
  },
};

/** POSTs raw bytes. */
export async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as { error?: { message: string; type: string; param: string | null; code: string } } & Record<string, unknown>, text, headers: response.headers };
}
