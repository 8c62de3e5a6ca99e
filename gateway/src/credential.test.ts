import { describe, expect, test } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { CredentialVerifier, createSessionCredential, credentialFromHeaders, parseCredential } from "./credential.js";
import { GatewayError } from "./errors.js";

const buyer = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const domain = { chainId: 31337, ledger: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };

describe("session credentials", () => {
  test("a credential recovers to the buyer that signed it", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    expect(credential).toMatch(/^cogfi-session-42-0x[0-9a-f]{130}$/);
    const verified = await new CredentialVerifier(domain).verify(credential);
    expect(verified).toMatchObject({ sessionId: 42n, buyer: buyer.address });
  });

  test("a credential for another chain or ledger recovers to another address", async () => {
    const credential = await createSessionCredential(buyer, { ...domain, chainId: 1 }, 42n);
    const verified = await new CredentialVerifier(domain).verify(credential);
    expect(verified.buyer).not.toBe(buyer.address);
  });

  test("a credential whose session id was edited recovers to another address", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    const verified = await new CredentialVerifier(domain).verify(credential.replace("-42-", "-43-"));
    expect(verified.buyer).not.toBe(buyer.address);
  });

  test.each(["", "sk-abc", "cogfi-session-", "cogfi-session-1", "cogfi-session-0-0x" + "ab".repeat(65), "cogfi-session-x-0x" + "ab".repeat(65), "cogfi-session-1-0x" + "ab".repeat(64)])(
    "malformed credential %j is a 401 invalid_credential",
    (raw) => {
      const error = (() => {
        try {
          parseCredential(raw);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).status).toBe(401);
      expect((error as GatewayError).code).toBe("invalid_credential");
    },
  );

  test("credentials come from Authorization: Bearer or X-CogFi-Session", () => {
    expect(credentialFromHeaders({ authorization: "Bearer abc" })).toBe("abc");
    expect(credentialFromHeaders({ "x-cogfi-session": "xyz", authorization: "Bearer abc" })).toBe("xyz");
    expect(credentialFromHeaders({})).toBeUndefined();
  });
});

describe("credentials are canonical: one string per session and signer", () => {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const refusal = (raw: string): string => {
    try {
      parseCredential(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).code).toBe("invalid_credential");
      return (error as GatewayError).message;
    }
    throw new Error(`accepted ${raw}`);
  };

  test("the credential a wallet signs is accepted as it is", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    expect(parseCredential(credential).sessionId).toBe(42n);
  });

  test("leading zeros in the session id are refused", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    expect(refusal(credential.replace("-42-", "-042-"))).toMatch(/leading zeros/);
  });

  test("upper-case hex is refused", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    const [head, signature] = [credential.slice(0, credential.lastIndexOf("-0x") + 3), credential.slice(credential.lastIndexOf("-0x") + 3)];
    expect(refusal(head + signature.toUpperCase())).toMatch(/lower-case/);
  });

  test("the high-s twin of a signature (same signer) is refused, and so is v 0/1", async () => {
    const credential = await createSessionCredential(buyer, domain, 42n);
    const at = credential.lastIndexOf("-0x") + 3;
    const signature = credential.slice(at);
    const r = signature.slice(0, 64);
    const s = BigInt(`0x${signature.slice(64, 128)}`);
    const v = signature.slice(128);
    const twin = `${r}${(N - s).toString(16).padStart(64, "0")}${v === "1b" ? "1c" : "1b"}`;
    // The twin recovers to the same buyer, so without the check it would be a second valid credential.
    const { recoverMessageAddress } = await import("viem");
    const { credentialMessage } = await import("./credential.js");
    expect(await recoverMessageAddress({ message: credentialMessage(domain, 42n), signature: `0x${twin}` })).toBe(buyer.address);
    expect(refusal(credential.slice(0, at) + twin)).toMatch(/not canonical/);
    expect(refusal(credential.slice(0, at) + signature.slice(0, 128) + (v === "1b" ? "00" : "01"))).toMatch(/v must be 27 or 28/);
  });
});
