/**
 * The enclave's identity: a 32-byte seed, generated once and sealed to a file, from which one signing key per
 * model is derived (the EnclaveRegistry binds each key to a single model).
 *
 * Dev-mode sealing stands in for a TEE's sealing key: the seed is encrypted with AES-256-GCM under
 * HKDF-SHA256(sealing secret, salt = measurement), so only the same build (measurement) with the same secret can
 * unseal it, as SGX's MRENCLAVE sealing policy would. In a real enclave the secret is the CPU's sealing key and
 * never leaves it; here it is `enclave.sealingSecret` or a public dev constant.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from "node:fs";
import { dirname } from "node:path";
import { concat, keccak256, numberToHex, stringToHex, toHex, type Address, type Hex } from "viem";
import { privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";
import { DEV_ENCLAVE_MEASUREMENT } from "@cogfi/sdk";
import { ANVIL_PRIVATE_KEYS } from "@cogfi/sdk/node";

/**
 * Measurement of the dev build (a real enclave reports its own): the sdk's `DEV_ENCLAVE_MEASUREMENT`,
 * keccak256("cogfi-gateway-dev-v1"), which local deployments allow globally.
 */
export const DEV_MEASUREMENT: Hex = DEV_ENCLAVE_MEASUREMENT;
/** Public dev stand-in for a CPU sealing key: keccak256("cogfi-gateway/dev-sealing-secret"). Dev only. */
export const DEV_SEALING_SECRET: Hex = keccak256(stringToHex("cogfi-gateway/dev-sealing-secret"));

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Thrown when the sealed key cannot be created or unsealed. */
export class EnclaveIdentityError extends Error {
  override name = "EnclaveIdentityError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

type SealedFile = { version: 1; measurement: Hex; iv: Hex; tag: Hex; ciphertext: Hex; createdAt: string };

function sealingKey(secret: Hex, measurement: Hex): Buffer {
  return Buffer.from(
    hkdfSync("sha256", Buffer.from(secret.slice(2), "hex"), Buffer.from(measurement.slice(2), "hex"), "cogfi-gateway/seal/v1", 32),
  );
}

/** Seals `seed` for `measurement`. */
export function seal(seed: Uint8Array, secret: Hex, measurement: Hex): SealedFile {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(secret, measurement), iv);
  cipher.setAAD(Buffer.from(measurement.slice(2), "hex"));
  const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
  return {
    version: 1,
    measurement,
    iv: toHex(iv),
    tag: toHex(cipher.getAuthTag()),
    ciphertext: toHex(ciphertext),
    createdAt: new Date().toISOString(),
  };
}

/** Unseals a sealed seed; fails for another measurement or secret. */
export function unseal(sealed: SealedFile, secret: Hex, measurement: Hex): Uint8Array {
  if (sealed.version !== 1) throw new EnclaveIdentityError(`unknown sealed key version ${String(sealed.version)}`);
  if (sealed.measurement.toLowerCase() !== measurement.toLowerCase()) {
    throw new EnclaveIdentityError(`the key was sealed for measurement ${sealed.measurement}, this build is ${measurement}`);
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(secret, measurement), Buffer.from(sealed.iv.slice(2), "hex"));
    decipher.setAAD(Buffer.from(measurement.slice(2), "hex"));
    decipher.setAuthTag(Buffer.from(sealed.tag.slice(2), "hex"));
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext.slice(2), "hex")), decipher.final()]);
  } catch (cause) {
    throw new EnclaveIdentityError("cannot unseal the enclave key (wrong sealing secret or tampered file)", { cause });
  }
}

export class EnclaveIdentity {
  readonly measurement: Hex;
  readonly #seed: Uint8Array;
  readonly #accounts = new Map<bigint, PrivateKeyAccount>();
  /** Whether the seed was created by this start (false: unsealed from the file). */
  readonly created: boolean;

  private constructor(seed: Uint8Array, measurement: Hex, created: boolean) {
    this.#seed = seed;
    this.measurement = measurement;
    this.created = created;
  }

  /** An identity from a raw seed (the signing worker gets the unsealed seed from its parent thread). */
  static fromSeed(seed: Uint8Array, measurement: Hex): EnclaveIdentity {
    return new EnclaveIdentity(seed, measurement, false);
  }

  /** The raw seed, for handing to the signing worker thread of the same process. */
  get seed(): Uint8Array {
    return this.#seed;
  }

  /** Unseals the seed from `keyFile`, or creates and seals a new one. */
  static loadOrCreate(keyFile: string, secret: Hex, measurement: Hex): EnclaveIdentity {
    if (existsSync(keyFile)) {
      let sealed: SealedFile;
      try {
        sealed = JSON.parse(readFileSync(keyFile, "utf8")) as SealedFile;
      } catch (cause) {
        throw new EnclaveIdentityError(`cannot read the sealed key ${keyFile}`, { cause });
      }
      return new EnclaveIdentity(unseal(sealed, secret, measurement), measurement, false);
    }
    const seed = randomBytes(32);
    mkdirSync(dirname(keyFile), { recursive: true });
    const tmp = `${keyFile}.tmp`;
    writeFileSync(tmp, JSON.stringify(seal(seed, secret, measurement), null, 2), { mode: 0o600 });
    const fd = openSync(tmp, "r");
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, keyFile);
    return new EnclaveIdentity(seed, measurement, true);
  }

  /** The signing account of `modelId`: keccak256("cogfi-gateway/model-key" ‖ seed ‖ modelId) reduced to a valid key. */
  account(modelId: bigint): PrivateKeyAccount {
    let account = this.#accounts.get(modelId);
    if (!account) {
      let key = keccak256(concat([stringToHex("cogfi-gateway/model-key"), toHex(this.#seed), numberToHex(modelId, { size: 32 })]));
      while (BigInt(key) === 0n || BigInt(key) >= SECP256K1_ORDER) key = keccak256(key);
      account = privateKeyToAccount(key);
      this.#accounts.set(modelId, account);
    }
    return account;
  }

  address(modelId: bigint): Address {
    return this.account(modelId).address;
  }
}

/**
 * The dev platform key local deployments (chain 31337) trust: anvil's account 9, as the deploy script and the
 * sdk's ledger test harness use. Public by design; never trust it on a real network.
 */
export const LOCAL_DEV_PLATFORM_KEY: Hex = ANVIL_PRIVATE_KEYS[9];
