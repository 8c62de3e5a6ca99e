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
