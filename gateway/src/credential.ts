/**
 * Session credentials: what a buyer sends as its API key.
 *
 * Format: `cogfi-session-<sessionId>-<signature>`, where `<sessionId>` is the decimal id of an InferenceLedger
 * session and `<signature>` is the buyer's 65-byte EIP-191 (`personal_sign`) signature, 0x-prefixed, over
 * {@link credentialMessage}. Session ids are public (they are in the ledger's events), so the id alone must not
 * spend a budget: the signature proves the session's buyer issued the credential. It binds the chain and the
 * ledger, so a credential for one deployment is useless on another; it stays valid as long as the session
 * itself (closing the session on chain revokes it).
 */
import { isHex, recoverMessageAddress, type Address, type Hex, type LocalAccount } from "viem";
import { refuse } from "./errors.js";

export const CREDENTIAL_PREFIX = "cogfi-session-";
const CREDENTIAL_PATTERN = /^cogfi-session-([0-9]{1,78})-(0x[0-9a-fA-F]{130})$/;
const MAX_UINT256 = (1n << 256n) - 1n;
/** Half the secp256k1 group order: a canonical (EIP-2) signature has `s` at most this. */
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** A parsed credential; `buyer` is the address that signed it. */
export type SessionCredential = { sessionId: bigint; signature: Hex; buyer: Address };

/** What a credential binds besides the session id. */
export type CredentialDomain = { chainId: number; ledger: Address };

/** The exact text a buyer signs to authorise a gateway to run requests on its session. */
export function credentialMessage(domain: CredentialDomain, sessionId: bigint): string {
  return `CogFi inference session\nchain: ${domain.chainId}\nledger: ${domain.ledger.toLowerCase()}\nsession: ${sessionId}`;
}

/**
 * Creates the API key a buyer gives its OpenAI client.
 * @example
 * const apiKey = await createSessionCredential(buyerAccount, { chainId: 31337, ledger }, sessionId);
 * const openai = new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey });
 */
export async function createSessionCredential(
  account: Pick<LocalAccount, "signMessage">,
  domain: CredentialDomain,
  sessionId: bigint,
): Promise<string> {
  const signature = await account.signMessage({ message: credentialMessage(domain, sessionId) });
  return `${CREDENTIAL_PREFIX}${sessionId}-${signature}`;
}

/** Syntax check only: the session id and signature, or a 401 GatewayError. */
export function parseCredential(raw: string): { sessionId: bigint; signature: Hex } {
  const match = CREDENTIAL_PATTERN.exec(raw.trim());
  if (!match) {
    throw refuse.invalidCredential(
      "expected `cogfi-session-<sessionId>-<0x-prefixed 65-byte signature>` (see gateway/README.md)",
    );
  }
  // One string per session and signer: every other spelling of the same signature is refused, so a credential
  // (and the verifier's cache, keyed by it) is canonical.
  const [, id, signature] = match as unknown as [string, string, Hex];
  if (id.length > 1 && id.startsWith("0")) throw refuse.invalidCredential("the session id must not have leading zeros");
  const sessionId = BigInt(id);
  if (sessionId === 0n || sessionId > MAX_UINT256) throw refuse.invalidCredential("session id out of range");
  if (!isHex(signature) || signature !== signature.toLowerCase()) throw refuse.invalidCredential("the signature must be lower-case hex");
  const s = BigInt(`0x${signature.slice(66, 130)}`);
  if (s === 0n || s > SECP256K1_HALF_N) {
    throw refuse.invalidCredential("the signature is not canonical: its s must be at most n/2 (EIP-2; every wallet signs so)");
  }
  const v = signature.slice(130);
  if (v !== "1b" && v !== "1c") throw refuse.invalidCredential("the signature's v must be 27 or 28 (0x1b or 0x1c)");
  return { sessionId, signature };
}

/**
 * Parses and verifies credentials, remembering the signer of recent ones so the signature recovery (about a
 * millisecond) runs once per credential, not once per request.
 */
export class CredentialVerifier {
  readonly #domain: CredentialDomain;
  readonly #cache = new Map<string, SessionCredential>();
  readonly #maxEntries: number;

  constructor(domain: CredentialDomain, maxEntries = 10_000) {
    this.#domain = domain;
    this.#maxEntries = maxEntries;
  }

  async verify(raw: string): Promise<SessionCredential> {
    const cached = this.#cache.get(raw);
    if (cached) return cached;
    const { sessionId, signature } = parseCredential(raw);
    let buyer: Address;
    try {
      buyer = await recoverMessageAddress({ message: credentialMessage(this.#domain, sessionId), signature });
    } catch (cause) {
      throw refuse.invalidCredential("the signature does not recover to an address", cause);
    }
    const credential = { sessionId, signature, buyer };
    if (this.#cache.size >= this.#maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest !== undefined) this.#cache.delete(oldest);
    }
    this.#cache.set(raw, credential);
    return credential;
  }
}

/** Extracts the credential from `Authorization: Bearer …` or `X-CogFi-Session`. */
export function credentialFromHeaders(headers: { authorization?: string; "x-cogfi-session"?: string | string[] }): string | undefined {
  const header = headers["x-cogfi-session"];
  if (typeof header === "string" && header.length > 0) return header;
  const authorization = headers.authorization;
  if (!authorization) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  return match ? match[1]!.trim() : authorization.trim();
}
