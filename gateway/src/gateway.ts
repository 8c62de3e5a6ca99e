/**
 * Assembles and runs the gateway: config -> enclave identity -> receipt store (recovery) -> chain view ->
 * approval -> backend -> HTTP server, and shuts it all down in the reverse order, flushing receipts.
 */
import { mkdirSync, renameSync } from "node:fs";
import { resolve } from "node:path";
import { createCogFiClient, serializeReceiptsPage, type CogFiClient } from "@cogfi/sdk";
import { createLogger, listenHttp, type Logger, type RunningHttpServer } from "@cogfi/sdk/service";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Approver } from "./approval.js";
import { SimulatedBackend } from "./backends/simulated.js";
import type { Backend } from "./backends/types.js";
import { UpstreamBackend } from "./backends/upstream.js";
import { createSdkChainReader } from "./chain/sdkReader.js";
import type { ChainReader } from "./chain/types.js";
import { ChainView } from "./chain/view.js";
import { GatewayConfigError, parseGatewayConfig, redactConfig, type GatewayConfig, type GatewayConfigInput } from "./config.js";
import { CredentialVerifier } from "./credential.js";
import type { Attestor } from "./enclave/attestor.js";
import { createDevAttestor } from "./enclave/dev.js";
import { DEV_MEASUREMENT, DEV_SEALING_SECRET, EnclaveIdentity, LOCAL_DEV_PLATFORM_KEY } from "./enclave/identity.js";
import { refuse } from "./errors.js";
import { Exposure } from "./exposure.js";
import { createApp } from "./http/app.js";
import { parseReceiptsQuery } from "./http/schemas.js";
import { createGatewayMetrics, type GatewayMetrics } from "./metrics.js";
import { ModelCatalog } from "./models.js";
import { Batcher } from "./receipts/batcher.js";
import { servedBatch } from "./receipts/served.js";
import { createWorkerReceiptSigner } from "./receipts/sdkSigner.js";
import { ReceiptStore, ReceiptStoreError } from "./receipts/store.js";
import type { ReceiptSigner } from "./receipts/types.js";

/** Parts a caller (tests, the benchmark) may supply instead of the defaults built from the config. */
export type GatewayDeps = {
  logger?: Logger;
  chainReader?: ChainReader;
  signer?: ReceiptSigner;
  attestor?: Attestor;
  backend?: Backend;
  /** Collect Node's default process metrics (default true). */
  processMetrics?: boolean;
};

export type RunningGateway = {
  /** Base URL, e.g. `http://127.0.0.1:8787` (the OpenAI base URL is `${url}/v1`). */
  url: string;
  port: number;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  store: ReceiptStore;
  identity: EnclaveIdentity;
  /** Signs every pending receipt now and waits until the batches are durable. */
  flushReceipts(): Promise<void>;
  /** Reads the chain's settled batches and drops the receipt log's settled segments (also run every `receipts.compactIntervalMs`). */
  compactReceipts(): Promise<void>;
  /** Graceful shutdown: stop accepting, finish requests in flight, sign and flush receipts, close the log. */
  stop(): Promise<void>;
};

/**
 * Starts the gateway.
 * @example
 * const gateway = await startGateway({
 *   dataDir: ".cogfi/gateway",
 *   chain: { rpcUrl: "http://127.0.0.1:8545", deployment: loadDeployment(31337) },
 *   enclave: { registrarKey: ANVIL_PRIVATE_KEYS[0] },
 * });
 * const openai = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: credential });
 * // ...
 * await gateway.stop();
 */
export async function startGateway(input: GatewayConfigInput, deps: GatewayDeps = {}): Promise<RunningGateway> {
  const config = parseGatewayConfig(input);
  const logger = deps.logger ?? createLogger({ service: "gateway", level: config.logLevel });
  const deployment = config.chain.deployment;
  const ledger: Address | undefined = deployment.contracts.InferenceLedger;
  if (!ledger) throw new GatewayConfigError("the deployment has no InferenceLedger: deploy the attested-inference suite first");
  logger.info({ config: redactConfig(config) }, "starting gateway");
  mkdirSync(config.dataDir, { recursive: true });

  const measurement = (config.enclave.measurement ?? DEV_MEASUREMENT) as `0x${string}`;
  const identity = EnclaveIdentity.loadOrCreate(
    config.enclave.keyFile ?? resolve(config.dataDir, "enclave.sealed.json"),
    (config.enclave.sealingSecret ?? DEV_SEALING_SECRET) as `0x${string}`,
    measurement,
  );
  logger.info({ measurement, created: identity.created }, identity.created ? "enclave seed created and sealed" : "enclave seed unsealed");

  const metrics = createGatewayMetrics(deps.processMetrics ?? true);
  const reader: CogFiClient = createCogFiClient({ rpcUrl: config.chain.rpcUrl, deployment, pollingInterval: config.chain.pollingIntervalMs });
  const chainReader = deps.chainReader ?? createSdkChainReader(reader);
  const view = new ChainView(chainReader, config.chain);
  const catalog = new ModelCatalog(view, config.models);
  const exposure = new Exposure();

  // The receipt log's segments; a single-file log left by an earlier version is moved in as the first one.
  const logPath = resolve(config.dataDir, "receipts");
  const legacyLogPath = resolve(config.dataDir, "receipts.log");
  const segmentLimit = (value: number) => (value === 0 ? Number.POSITIVE_INFINITY : value);
  let anchor: `0x${string}`;
  try {
    anchor = await chainReader.blockHash(BigInt(deployment.deployedAtBlock));
  } catch (cause) {
    throw new GatewayConfigError(`cannot read block ${deployment.deployedAtBlock} of ${config.chain.rpcUrl}`, { cause });
  }
  const openStore = () =>
    ReceiptStore.open({
      path: logPath,
      durability: config.receipts.durability,
      groupCommitWindowMs: config.receipts.groupCommitWindowMs,
      commitMode: config.receipts.commitMode,
      maxBatchesInMemory: config.receipts.batchesInMemory,
      segments: {
        maxBytes: segmentLimit(config.receipts.segmentMaxBytes),
        maxRecords: segmentLimit(config.receipts.segmentMaxRecords),
        legacyFile: legacyLogPath,
      },
      // Unsettled usage counts against budgets (settled receipts are dropped as the chain is read).
      onRecoveredReceipt: (receipt) => exposure.record(receipt.sessionId, receipt.sequence, receipt.cost),
      chainId: deployment.chainId,
      ledger,
      anchor,
    });
  let store: ReceiptStore;
  try {
    store = await openStore();
  } catch (error) {
    // A local chain restarted from scratch: its old receipts can never settle. Keep them aside, start afresh.
    if (!(error instanceof ReceiptStoreError && error.reason === "foreign" && deployment.local)) throw error;
    const archived = `${logPath}.foreign-${Date.now()}`;
    renameSync(logPath, archived);
    logger.warn({ archived, reason: error.message }, "the receipt log belongs to another local chain instance; archived it");
    store = await openStore();
  }
  if (store.recovery.migratedFrom) {
    logger.info({ from: store.recovery.migratedFrom, to: logPath }, "single-file receipt log moved in as the first segment");
  }
  if (store.recovery.removedSegments) {
    logger.warn({ removed: store.recovery.removedSegments }, "receipt log: removed segments left by a crash mid-roll or mid-compaction");
  }
  if (store.recovery.tornBytes > 0) {
    logger.warn({ ...store.recovery }, "receipt log had a torn tail (a crash mid-write); it was cut off and copied aside");
  }
  logger.info(
    {
      receipts: store.receiptCount,
      batches: store.batchCount,
      unbatched: store.unbatched,
      replayed: store.recovery.records,
      segments: store.log.segments.length,
    },
    "receipt log recovered",
  );
  store.log.onCommit = (records, seconds) => {
    metrics.logCommits.observe(seconds);
    metrics.logCommitRecords.observe(records);
  };
  store.log.onSegmentError = (error) => logger.error({ err: error }, "receipt log: cannot start the next segment; will retry");
  // Compaction: learn which batches the chain has settled (per gateway), then drop the segments they empty.
  let compacting: Promise<void> | undefined;
  const compact = () =>
    (compacting ??= (async () => {
      try {
        const head = await chainReader.head();
        const confirmations = BigInt(config.receipts.compactConfirmations ?? (deployment.local ? 0 : 64));
        if (head.number < confirmations) return;
        const settledAt = head.number - confirmations;
        for (const gatewayId of store.batchGateways()) store.markSettled(gatewayId, await chainReader.settledBatches(gatewayId, settledAt));
        const dropped = await store.compact();
        if (dropped.segments > 0) {
          logger.info({ ...dropped, firstBatch: store.batchBase, segments: store.log.segments.length }, "receipt log: settled segments dropped");
        }
      } catch (error) {
        logger.warn({ err: error }, "receipt log compaction failed; will retry");
      }
    })().finally(() => (compacting = undefined)));
  const compactTimer = config.receipts.compactIntervalMs > 0 ? setInterval(() => void compact(), config.receipts.compactIntervalMs) : undefined;
  compactTimer?.unref();

  const signer = deps.signer ?? createWorkerReceiptSigner(identity, { chainId: deployment.chainId, ledger }, { nice: config.receipts.signerNice });
  const batcher = new Batcher(
    store,
    signer,
    {
      maxReceipts: config.receipts.batchMaxReceipts,
      maxDelayMs: config.receipts.batchMaxDelayMs,
      sign: config.receipts.sign,
      settledBatches: (gatewayId) => chainReader.settledBatches(gatewayId),
    },
    logger.child({ job: "batcher" }),
  );
  batcher.onBatch = () => metrics.batches.inc();
  batcher.onError = () => metrics.batchErrors.inc();
  metrics.sources.pendingReceipts = () => store.unbatched;

  const devAttestor = deps.attestor
    ? undefined
    : createDevAttestor({
        identity,
        reader,
        registrar: config.enclave.registrarKey
          ? createCogFiClient({
              rpcUrl: config.chain.rpcUrl,
              deployment,
              account: privateKeyToAccount(config.enclave.registrarKey as `0x${string}`),
              pollingInterval: config.chain.pollingIntervalMs,
            })
          : undefined,
        platformKey: (config.enclave.devPlatformKey ?? (deployment.local ? LOCAL_DEV_PLATFORM_KEY : undefined)) as `0x${string}` | undefined,
        logger: logger.child({ job: "enclave" }),
      });
  const attestor: Attestor = deps.attestor ?? devAttestor!;
  const servedModelIds = async () => {
    const head = await view.heads.refresh();
    return (await catalog.list(head.number)).map((entry) => entry.model.modelId);
  };
  const selfRegister = config.enclave.selfRegister ?? deployment.local;
  let registration: { ok: boolean; error?: string } | undefined;
  let stopRenewal: (() => void) | undefined;
  if (selfRegister) {
    try {
      await attestor.register(await servedModelIds());
      // Approval must judge keys by a head that includes the registrations.
      await view.heads.refresh();
      registration = { ok: true };
    } catch (error) {
      registration = { ok: false, error: error instanceof Error ? error.message : String(error) };
      logger.error({ err: error }, "dev self-registration of the enclave keys failed; requests are refused until a key is valid");
    }
    stopRenewal = devAttestor?.startRenewal(servedModelIds);
  }
  // Which on-chain gateway this process is for each model (buyers open sessions with these ids).
  try {
    const head = await view.heads.refresh();
    for (const { model } of await catalog.list(head.number)) {
      const key = signer.enclaveFor(model.modelId);
      const { status, gatewayId } = await view.keyGateway(key, model.modelId, head.number);
      logger.info({ model: model.name, modelId: model.modelId, key, status, gatewayId: gatewayId === 0n ? null : gatewayId }, "gateway identity");
    }
  } catch (error) {
    logger.warn({ err: error }, "cannot read this gateway's ids from the chain yet");
  }
  /**
   * Re-attests a model's key when approval finds it not valid (a model registered after start, a lapsed key):
   * one attempt at a time per model, a failed one not retried for 10 s. Resolves true once registered.
   */
  const reattempts = new Map<bigint, { at: number; done: Promise<boolean> }>();
  const reattest = (modelId: bigint): Promise<boolean> => {
    if (!selfRegister || shuttingDown) return Promise.resolve(false);
    const previous = reattempts.get(modelId);
    if (previous && Date.now() - previous.at < 10_000) return previous.done;
    const done = attestor.register([modelId]).then(
      async () => {
        await view.heads.refresh().catch(() => undefined);
        registration = { ok: true };
        reattempts.delete(modelId);
        return true;
      },
      (error: unknown) => {
        logger.error({ err: error, modelId }, "re-attestation failed");
        return false;
      },
    );
    reattempts.set(modelId, { at: Date.now(), done });
    return done;
  };

  const backend: Backend =
    deps.backend ?? (config.backend.kind === "simulated" ? new SimulatedBackend(config.backend) : new UpstreamBackend(config.backend));

  let shuttingDown = false;
  const app = createApp({
    metrics,
    logger,
    bodyLimitBytes: config.http.bodyLimitBytes,
    chat: {
      config,
      verifier: new CredentialVerifier({ chainId: deployment.chainId, ledger }),
      approver: new Approver(view, catalog, exposure, config.approval, {
        enclaveFor: (modelId) => signer.enclaveFor(modelId),
        lastSequence: (sessionId) => store.lastSequence(sessionId),
        reattest: (modelId) => reattest(modelId),
        onLookupError: (cause) => logger.warn({ err: cause }, "cannot read a session's close request; reporting it as expired"),
      }),
      backend,
      store,
      exposure,
      metrics,
      logger,
      systemFingerprint: `cogfi-${measurement.slice(2, 14)}`,
      isShuttingDown: () => shuttingDown,
    },
    models: async () => {
      const head = await view.head().catch((cause) => {
        throw refuse.chainUnavailable(cause);
      });
      const models = await catalog.list(head.number);
      // This gateway's id per model (its key's gateway, kept through rotation): what buyers open sessions with.
      const gatewaysAt = (block: bigint) =>
        Promise.all(models.map(({ model }) => view.keyGateway(signer.enclaveFor(model.modelId), model.modelId, block))).catch((cause) => {
          throw refuse.chainUnavailable(cause);
        });
      let gateways = await gatewaysAt(head.number);
      // A served model whose key was never registered (registered after start) has no gateway yet, so no buyer could
      // open a session with it: with self-registration, register its key now.
      const unregistered = models.filter((_, i) => gateways[i]!.gatewayId === 0n).map(({ model }) => model.modelId);
      if (unregistered.length > 0 && selfRegister) {
        const registered = await Promise.all(unregistered.map((modelId) => reattest(modelId)));
        if (registered.some(Boolean)) {
          const fresh = await view.heads.refresh().catch((cause) => {
            throw refuse.chainUnavailable(cause);
          });
          gateways = await gatewaysAt(fresh.number);
        }
      }
      return models.map(({ publicId, model }, i) => ({
        id: publicId,
        object: "model",
        created: 0,
        owned_by: model.owner,
        cogfi: {
          modelId: model.modelId.toString(),
          gatewayId: gateways[i]!.gatewayId === 0n ? null : gateways[i]!.gatewayId.toString(),
          keyStatus: gateways[i]!.status,
          enclave: signer.enclaveFor(model.modelId),
          name: model.name,
          parentId: model.parentId.toString(),
          paused: model.paused,
          pricing: {
            inputPerMTok: model.pricing.inputPerMTok.toString(),
            outputPerMTok: model.pricing.outputPerMTok.toString(),
            reasoningPerMTok: model.pricing.reasoningPerMTok.toString(),
          },
        },
      }));
    },
    receipts: async (query) => {
      const { after, limit } = parseReceiptsQuery(query, { limit: config.receipts.pageDefault, max: config.receipts.pageMax });
      const page = await store.page(after, limit);
      const last = page.batches.at(-1);
      return serializeReceiptsPage({
        chainId: deployment.chainId,
        ledger,
        batches: page.batches.map(({ batch, receipts }) => servedBatch(batch, receipts)),
        nextCursor: last ? last.batch.batch : after,
        hasMore: page.hasMore,
      });
    },
    attestation: async (query) => {
      const head = await view.head().catch((cause) => {
        throw refuse.chainUnavailable(cause);
      });
      const requested = typeof (query as { model?: unknown }).model === "string" ? (query as { model: string }).model : undefined;
      const models = (await catalog.list(head.number)).filter(
        (entry) => requested === undefined || entry.publicId === requested || ModelCatalog.matches(requested, entry.model) || entry.model.modelId.toString() === requested,
      );
      if (requested !== undefined && models.length === 0) throw refuse.modelNotFound(requested);
      const quotes = await Promise.all(models.map(async (entry) => ({ model: entry.publicId, ...(await attestor.quote(entry.model.modelId)) })));
      return { mode: attestor.mode, measurement, chainId: deployment.chainId, keys: quotes };
    },
    health: async () => {
      const failure = store.log.failure;
      const head = view.heads.latest;
      const ok = !failure && !shuttingDown;
      return {
        status: ok ? 200 : 503,
        body: {
          status: ok ? "ok" : shuttingDown ? "shutting_down" : "receipt_log_failed",
          chainId: deployment.chainId,
          headBlock: head?.number.toString() ?? null,
          receipts: store.receiptCount,
          batches: store.batchCount,
          receiptsPending: store.unbatched,
          registration: registration ?? null,
          backend: backend.kind,
        },
      };
    },
  });

  let server: RunningHttpServer;
  try {
    server = await listenHttp(app, { host: config.http.host, port: config.http.port, keepAliveTimeoutMs: config.http.keepAliveTimeoutMs });
  } catch (error) {
    stopRenewal?.();
    clearInterval(compactTimer);
    await compacting;
    await batcher.stop();
    await signer.close?.();
    await store.close();
    throw new GatewayConfigError(`cannot listen on ${config.http.host}:${config.http.port}`, { cause: error });
  }
  const { url, port } = server;
  logger.info({ url, backend: backend.kind, chainId: deployment.chainId }, "gateway listening");

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      shuttingDown = true;
      stopRenewal?.();
      logger.info("shutting down: draining requests");
      await server.stop(config.http.shutdownGraceMs);
      logger.info({ pending: store.unbatched }, "signing pending receipts");
      clearInterval(compactTimer);
      await compacting;
      await batcher.stop();
      await signer.close?.();
      await store.close();
      await backend.close?.();
      logger.info({ receipts: store.receiptCount, batches: store.batchCount }, "gateway stopped");
    })();
    return stopping;
  };

  return { url, port, config, metrics, store, identity, flushReceipts: () => batcher.flush(), compactReceipts: compact, stop };
}
