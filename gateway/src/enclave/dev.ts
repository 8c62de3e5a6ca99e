/**
 * Dev-mode attestation: dev quotes signed by the dev platform key (the sdk's `buildDevQuote`), self-registration
 * of each model's key in the EnclaveRegistry (`registerEnclave`), and re-attestation at half-life so keys never
 * lapse while the gateway runs (docs/enclaves.md).
 *
 * Quote timestamps are the latest block's timestamp: the chain is the clock the registry checks against.
 */
import {
  buildDevQuote,
  enclaveRegistryAbi,
  enclaveReportData,
  getKeyGateway,
  ledgerAddresses,
  registerEnclave,
  toCogFiError,
  type CogFiClient,
} from "@cogfi/sdk";
import type { Logger } from "pino";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Attestor, EnclaveQuote } from "./attestor.js";
import type { EnclaveIdentity } from "./identity.js";

export type DevAttestorOptions = {
  identity: EnclaveIdentity;
  /** Reads the registry. */
  reader: CogFiClient;
  /** Sends registrations; without it the gateway only serves quotes. */
  registrar?: CogFiClient;
  /** The dev platform key the DevAttestationVerifier trusts; without it no quote can be built. */
  platformKey?: Hex;
  logger: Logger;
};

export class AttestationError extends Error {
  override name = "AttestationError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export type DevAttestor = Attestor & {
  /** Re-attests the keys of `modelIds()` whenever they pass half their attestation age; returns a stop function. */
  startRenewal(modelIds: () => Promise<readonly bigint[]>): () => void;
};

export function createDevAttestor(options: DevAttestorOptions): DevAttestor {
  const { identity, reader, registrar, logger } = options;
  const platform = options.platformKey ? privateKeyToAccount(options.platformKey) : undefined;
  const chainId = reader.deployment.chainId;
  const addresses = () => ledgerAddresses(reader);
  const inflight = new Map<bigint, Promise<void>>();

  async function read<T>(action: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toCogFiError(error, action);
    }
  }

  async function keyState(modelId: bigint) {
    const { enclaveRegistry } = addresses();
    const key = identity.address(modelId);
    const [{ status, gatewayId }, record, maxAge, block] = await read("keyStatus", () =>
      Promise.all([
        getKeyGateway(reader, { key, modelId }),
        reader.publicClient.readContract({ address: enclaveRegistry, abi: enclaveRegistryAbi, functionName: "enclaveKey", args: [key] }),
        reader.publicClient.readContract({ address: enclaveRegistry, abi: enclaveRegistryAbi, functionName: "maxAttestationAge" }),
        reader.publicClient.getBlock({ blockTag: "latest" }),
      ]),
    );
    return { key, status, gatewayId, attestedAt: BigInt(record.attestedAt), maxAge, now: block.timestamp };
  }

  async function buildQuote(modelId: bigint, timestamp: bigint): Promise<{ quote: Hex; reportData: Hex }> {
    const { enclaveRegistry, devAttestationVerifier } = addresses();
    if (!platform) throw new AttestationError("no dev platform key configured (enclave.devPlatformKey)");
    if (!devAttestationVerifier) throw new AttestationError("the deployment has no DevAttestationVerifier");
    const enclaveKey = identity.address(modelId);
    const reportData = enclaveReportData({ chainId, enclaveRegistry, modelId, enclaveKey });
    const quote = await buildDevQuote({
      platform,
      verifier: devAttestationVerifier,
      chainId,
      enclaveKey,
      measurement: identity.measurement,
      reportData,
      timestamp,
    });
    return { quote, reportData };
  }

  /**
   * On a local chain, allows the dev measurement globally when the registrar is the registry's owner and nobody
   * allowed it yet (the deploy script or the test harness usually has).
   */
  async function ensureMeasurementAllowed(modelId: bigint): Promise<void> {
    if (!registrar?.walletClient || !reader.deployment.local) return;
    const { enclaveRegistry } = addresses();
    const [allowed, owner] = await read("isMeasurementAllowed", () =>
      Promise.all([
        reader.publicClient.readContract({ address: enclaveRegistry, abi: enclaveRegistryAbi, functionName: "isMeasurementAllowed", args: [modelId, identity.measurement] }),
        reader.publicClient.readContract({ address: enclaveRegistry, abi: enclaveRegistryAbi, functionName: "owner" }),
      ]),
    );
    if (allowed || owner.toLowerCase() !== registrar.walletClient.account.address.toLowerCase()) return;
    const hash = await read("setGlobalMeasurement", () =>
      registrar.walletClient!.writeContract({
        address: enclaveRegistry,
        abi: enclaveRegistryAbi,
        functionName: "setGlobalMeasurement",
        args: [identity.measurement, 1], // MeasurementStatus.Allowed
      }),
    );
    await registrar.publicClient.waitForTransactionReceipt({ hash });
    logger.info({ measurement: identity.measurement }, "allowed the dev measurement globally (local chain)");
  }

  async function registerOne(modelId: bigint): Promise<void> {
    if (!registrar) throw new AttestationError("no registrar key configured (enclave.registrarKey)");
    const state = await keyState(modelId);
    const halfLife = state.maxAge / 2n;
    if (state.status === "Valid" && state.now - state.attestedAt < halfLife) return;
    await ensureMeasurementAllowed(modelId);
    // A quote must be newer than the one on record: on a chain whose clock has not moved, wait for a later block.
    const timestamp = state.now > state.attestedAt ? state.now : state.attestedAt + 1n;
    const { quote } = await buildQuote(modelId, timestamp);
    const registered = await registerEnclave(registrar, { modelId, quote });
    logger.info(
      { modelId, key: registered.key, gatewayId: registered.gatewayId, created: registered.created, attestedAt: registered.attestedAt, previous: state.status },
      "enclave key attested on chain",
    );
  }

  const attestor: DevAttestor = {
    mode: "dev",

    async quote(modelId: bigint): Promise<EnclaveQuote> {
      const state = await keyState(modelId);
      const built = platform ? await buildQuote(modelId, state.now) : undefined;
      return {
        modelId: modelId.toString(),
        enclaveKey: state.key,
        measurement: identity.measurement,
        reportData: built?.reportData ?? enclaveReportData({ chainId, enclaveRegistry: addresses().enclaveRegistry, modelId, enclaveKey: state.key }),
        timestamp: state.now.toString(),
        quote: built?.quote ?? "0x",
        status: state.status,
        gatewayId: state.gatewayId === 0n ? null : state.gatewayId.toString(),
      };
    },

    async register(modelIds: readonly bigint[]): Promise<void> {
      const failures: string[] = [];
      for (const modelId of modelIds) {
        // One registration per model at a time.
        let running = inflight.get(modelId);
        if (!running) {
          running = registerOne(modelId).finally(() => inflight.delete(modelId));
          inflight.set(modelId, running);
        }
        try {
          await running;
        } catch (error) {
          failures.push(`model ${modelId}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      if (failures.length > 0) throw new AttestationError(`enclave registration failed: ${failures.join("; ")}`);
    },

    startRenewal(modelIds) {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const tick = async () => {
        let delayMs = 60_000;
        try {
          const ids = await modelIds();
          await attestor.register(ids);
          // Check again at a quarter of the attestation age (so a key is renewed between half and three quarters).
          const { maxAge } = await keyState(ids[0] ?? 1n);
          delayMs = Math.max(10_000, Math.min(Number(maxAge / 4n) * 1_000, 6 * 3_600_000));
        } catch (error) {
          logger.error({ err: error }, "enclave re-attestation failed; retrying in a minute");
        }
        if (!stopped) {
          timer = setTimeout(() => void tick(), delayMs);
          timer.unref();
        }
      };
      timer = setTimeout(() => void tick(), 60_000);
      timer.unref();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    },
  };
  return attestor;
}
