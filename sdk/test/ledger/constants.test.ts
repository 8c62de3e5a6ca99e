/**
 * The SDK's protocol constants (`sdk/src/constants.ts`) against the deployed suite: every constant a contract
 * exposes is read and compared, enum orders are checked by calls that return (or events that carry) each member,
 * and the one limit with no getter (`MAX_SESSIONS_PER_BATCH`) against the receipt layout that bounds it.
 */
import {
  domainSeparator,
  keccak256,
  parseEventLogs,
  parseUnits,
  toHex,
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  type Hex,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { registerModel } from "../../src/actions/registry/registerModel.js";
import {
  COST_ANSWER_DECIMALS,
  COST_KINDS,
  DEFAULT_INSURANCE_PARAMETERS,
  DEV_QUOTE_DOMAIN_NAME,
  DEV_QUOTE_DOMAIN_VERSION,
  devQuoteTypes,
  HISTOGRAM_BUCKETS,
  KEY_STATUSES,
  LEDGER_DOMAIN_NAME,
  MAX_COINSURANCE_BPS,
  MAX_LIMIT_MULTIPLE_BPS,
  MAX_POLICY_PERIOD,
  MIN_POLICY_OBSERVATIONS,
  WITHDRAW_COOLDOWN,
  LEDGER_DOMAIN_VERSION,
  MAX_ANCESTRY_DEPTH,
  MAX_ATTESTATION_AGE,
  MAX_NAME_LENGTH,
  MAX_PROTOCOL_FEE_BPS,
  MAX_ROYALTY_BPS,
  MAX_SESSION_DURATION,
  MAX_SESSION_INDEX,
  MAX_SESSIONS_PER_BATCH,
  MAX_SUBMITTER_FEE_BPS,
  MEASUREMENT_STATUSES,
  MIN_ATTESTATION_AGE,
  MIN_ROUND_INTERVAL,
  PRICING_DELAY,
  REPORT_DATA_TAG,
  DEFAULT_REVENUE_STREAM_PERIOD,
  MAX_REVENUE_STREAM_PERIOD,
  MIN_REVENUE_STREAM_PERIOD,
  SETTLEMENT_GRACE,
  USAGE_BATCH_TYPE,
  type KeyStatusName,
} from "../../src/constants.js";
import {
  computeCostFeedAbi,
  devAttestationVerifierAbi,
  enclaveRegistryAbi,
  inferenceLedgerAbi,
  insurancePoolAbi,
  modelRegistryAbi,
  modelShareAbi,
} from "../../src/generated/abis.js";
import {
  DEV_ENCLAVE_MEASUREMENT,
  getKeyGateway,
  insuranceAddresses,
  ledgerAddresses,
  openSession,
  packPricing,
  settleUsage,
  signUsageBatch,
  usageBatchDomain,
  usageBatchTypes,
  type LedgerAddresses,
  type UsageReceipt,
} from "../../src/index.js";
import { demoPricing, modelParams } from "../fixtures.js";
import { enclaveAccount, startLedgerChain, type LedgerChain } from "./harness.js";

const USDC = (amount: string) => parseUnits(amount, 6);
/** anvil account 0 deployed the suite and owns the protocol. */
const PROTOCOL_OWNER = 0;
const OWNER = 1;
const OTHER_OWNER = 2;
const BUYER = 3;
const KEEPER = 4;

let chain: LedgerChain;
let addresses: LedgerAddresses;
/** `address.function` of every view this file read. */
const compared = new Set<string>();

/** Public constants the SDK does not mirror, and why. */
const NOT_MIRRORED: Record<string, string> = {
  "EnclaveRegistry.ROTATION_TYPEHASH": "the SDK does not sign key rotations",
  "ModelShare.DOMAIN_SEPARATOR": "each share's permit domain (its name and address); the SDK does not sign permits",
};

/** The EIP-712 type string of a one-struct type set: `Name(type name,...)`. */
function encodeType(types: Record<string, readonly { name: string; type: string }[]>): string {
  const [[name, fields]] = Object.entries(types) as [[string, readonly { name: string; type: string }[]]];
  return `${name}(${fields.map((field) => `${field.type} ${field.name}`).join(",")})`;
}

async function read<const abi extends Abi, name extends ContractFunctionName<abi, "view" | "pure">>(
  address: Address,
  abi: abi,
  functionName: name,
  args?: ContractFunctionArgs<abi, "view" | "pure", name>,
) {
  compared.add(`${address.toLowerCase()}.${functionName}`);
  // viem's generic readContract parameters, narrowed by the caller's literal abi and name.
  return chain.reader.publicClient.readContract({ address, abi, functionName, args } as never) as Promise<unknown>;
}

/** Sends a transaction from anvil account `index` and waits for it. */
async function write(index: number, request: { address: Address; abi: Abi; functionName: string; args: readonly unknown[] }): Promise<void> {
  const client = chain.client(index);
  const hash = await client.walletClient!.writeContract(request as never);
  const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`${request.functionName} reverted in ${hash}`);
}

async function keyStatus(key: Address, modelId: bigint): Promise<KeyStatusName> {
  return (await getKeyGateway(chain.reader, { key, modelId })).status;
}

beforeAll(async () => {
  chain = await startLedgerChain();
  addresses = ledgerAddresses(chain.reader);
});
afterAll(async () => {
  await chain?.stop();
});

describe("protocol constants match the deployed contracts", () => {
  test("ModelRegistry and ModelShare", async () => {
    const registry = chain.deployment.contracts.ModelRegistry;
    expect(await read(registry, modelRegistryAbi, "PRICING_DELAY")).toBe(PRICING_DELAY);
    expect(await read(registry, modelRegistryAbi, "MAX_ROYALTY_BPS")).toBe(MAX_ROYALTY_BPS);
    expect(await read(registry, modelRegistryAbi, "MAX_ANCESTRY_DEPTH")).toBe(MAX_ANCESTRY_DEPTH);
    expect(await read(registry, modelRegistryAbi, "MAX_NAME_LENGTH")).toBe(MAX_NAME_LENGTH);
    // Constants and immutables live in the bytecode: the implementation answers for every clone.
    const share = chain.deployment.contracts.ModelShareImplementation;
    expect(await read(share, modelShareAbi, "MIN_REVENUE_STREAM_PERIOD")).toBe(MIN_REVENUE_STREAM_PERIOD);
    expect(await read(share, modelShareAbi, "MAX_REVENUE_STREAM_PERIOD")).toBe(MAX_REVENUE_STREAM_PERIOD);
    // A deployment parameter: the test suite is deployed with script/Deploy.s.sol's default.
    expect(await read(share, modelShareAbi, "REVENUE_STREAM_PERIOD")).toBe(DEFAULT_REVENUE_STREAM_PERIOD);
  });

  test("InferenceLedger: limits, fees, histogram, EIP-712 domain and UsageBatch type", async () => {
    const ledger = addresses.inferenceLedger;
    expect(await read(ledger, inferenceLedgerAbi, "SETTLEMENT_GRACE")).toBe(SETTLEMENT_GRACE);
    expect(await read(ledger, inferenceLedgerAbi, "MAX_SESSION_DURATION")).toBe(MAX_SESSION_DURATION);
    expect(await read(ledger, inferenceLedgerAbi, "MAX_PROTOCOL_FEE_BPS")).toBe(MAX_PROTOCOL_FEE_BPS);
    expect(await read(ledger, inferenceLedgerAbi, "MAX_SUBMITTER_FEE_BPS")).toBe(MAX_SUBMITTER_FEE_BPS);
    expect(await read(ledger, inferenceLedgerAbi, "HISTOGRAM_BUCKETS")).toBe(BigInt(HISTOGRAM_BUCKETS));

    // The type string, the typed-data types the enclave signs with, and the ledger's typehash agree.
    expect(encodeType(usageBatchTypes)).toBe(USAGE_BATCH_TYPE);
    expect(await read(ledger, inferenceLedgerAbi, "USAGE_BATCH_TYPEHASH")).toBe(keccak256(toHex(USAGE_BATCH_TYPE)));

    const domain = usageBatchDomain({ chainId: chain.deployment.chainId, ledger });
    expect(domain).toMatchObject({ name: LEDGER_DOMAIN_NAME, version: LEDGER_DOMAIN_VERSION });
    expect(await read(ledger, inferenceLedgerAbi, "DOMAIN_SEPARATOR")).toBe(domainSeparator({ domain }));
  });

  test("EnclaveRegistry and DevAttestationVerifier", async () => {
    const registry = addresses.enclaveRegistry;
    expect(await read(registry, enclaveRegistryAbi, "MIN_ATTESTATION_AGE")).toBe(MIN_ATTESTATION_AGE);
    expect(await read(registry, enclaveRegistryAbi, "MAX_ATTESTATION_AGE")).toBe(MAX_ATTESTATION_AGE);
    expect(await read(registry, enclaveRegistryAbi, "REPORT_DATA_TAG")).toBe(REPORT_DATA_TAG);

    const verifier = addresses.devAttestationVerifier!;
    expect(await read(verifier, devAttestationVerifierAbi, "DEV_QUOTE_TYPEHASH")).toBe(keccak256(toHex(encodeType(devQuoteTypes))));
    const [, name, version] = (await read(verifier, devAttestationVerifierAbi, "eip712Domain")) as readonly [Hex, string, string];
    expect({ name, version }).toEqual({ name: DEV_QUOTE_DOMAIN_NAME, version: DEV_QUOTE_DOMAIN_VERSION });
  });

  test("ComputeCostFeed", async () => {
    const feed = addresses.computeCostFeed;
    expect(await read(feed, computeCostFeedAbi, "MIN_ROUND_INTERVAL")).toBe(MIN_ROUND_INTERVAL);
    expect(await read(feed, computeCostFeedAbi, "ANSWER_DECIMALS")).toBe(COST_ANSWER_DECIMALS);
  });

  test("InsurancePool: policy bounds, history, credit, cooldown and the deployed pricing", async () => {
    const pool = insuranceAddresses(chain.reader).insurancePool;
    expect(await read(pool, insurancePoolAbi, "MAX_POLICY_PERIOD")).toBe(MAX_POLICY_PERIOD);
    expect(await read(pool, insurancePoolAbi, "MIN_OBSERVATIONS")).toBe(MIN_POLICY_OBSERVATIONS);
    expect(await read(pool, insurancePoolAbi, "MAX_COINSURANCE_BPS")).toBe(MAX_COINSURANCE_BPS);
    expect(await read(pool, insurancePoolAbi, "MAX_LIMIT_MULTIPLE_BPS")).toBe(MAX_LIMIT_MULTIPLE_BPS);
    expect(await read(pool, insurancePoolAbi, "WITHDRAW_COOLDOWN")).toBe(WITHDRAW_COOLDOWN);
    // Deployment parameters: the suite is deployed with script/Deploy.s.sol's.
    const deployed = {
      loadingBps: await read(pool, insurancePoolAbi, "loadingBps"),
      capitalChargeBps: await read(pool, insurancePoolAbi, "capitalChargeBps"),
      maxLeverageBps: await read(pool, insurancePoolAbi, "maxLeverageBps"),
      maxModelExposureBps: await read(pool, insurancePoolAbi, "maxModelExposureBps"),
    };
    expect(deployed).toEqual(DEFAULT_INSURANCE_PARAMETERS);
  });
});

describe("enum orders and limits without getters, by behaviour", () => {
  let modelId: bigint;
  let gatewayId: bigint;
  let otherGatewayId: bigint;
  const enclave = enclaveAccount(71);
  const otherEnclave = enclaveAccount(72);

  const receipts = (sessionId: bigint, from: bigint, count: number): UsageReceipt[] =>
    Array.from({ length: count }, (_, i) => ({
      sessionId,
      sequence: from + BigInt(i),
      inputTokens: 1_000n,
      outputTokens: 300n + BigInt(i),
      reasoningTokens: 2_000n,
      requestHash: keccak256(toHex(`constants-${sessionId}-${from + BigInt(i)}`)),
    }));

  beforeAll(async () => {
    ({ modelId } = await registerModel(chain.client(OWNER), modelParams("constants")));
    ({ gatewayId } = await chain.registerDevEnclave(modelId, enclave));
    ({ gatewayId: otherGatewayId } = await chain.registerDevEnclave(modelId, otherEnclave));
    await chain.fund(BUYER, USDC("100"));
  });

  test("SkipReason (ReceiptsSkipped) and CostKind (the feed's answers)", async () => {
    const buyer = chain.client(BUYER);
    const expiry = (await chain.now()) + 86_400n;
    const { sessionId: mine } = await openSession(buyer, { modelId, gatewayId, budget: USDC("10"), expiry });
    const { sessionId: theirs } = await openSession(buyer, { modelId, gatewayId: otherGatewayId, budget: USDC("10"), expiry });
    const sign = async (batchNumber: bigint, usage: UsageReceipt[]) =>
      (
        await signUsageBatch({
          account: enclave,
          gatewayId,
          chainId: chain.deployment.chainId,
          ledger: addresses.inferenceLedger,
          modelId,
          batchNumber,
          servedPricing: packPricing(demoPricing),
          receipts: usage,
        })
      ).batch;

    const first = await settleUsage(chain.client(KEEPER), { batch: await sign(1n, receipts(mine, 1n, 3)) });
    expect(first.skipped).toEqual([]);
    // Receipts 1..3 again (stale) and a session bound to the other gateway.
    const second = await settleUsage(chain.client(KEEPER), { batch: await sign(2n, [...receipts(mine, 1n, 4), ...receipts(theirs, 1n, 2)]) });
    const rawReasons = parseEventLogs({
      abi: inferenceLedgerAbi,
      eventName: "ReceiptsSkipped",
      logs: (await chain.reader.publicClient.getTransactionReceipt({ hash: second.hash })).logs,
    }).map((log) => [log.args.sessionId, log.args.reason]);
    expect(rawReasons).toEqual([
      [mine, 0],
      [theirs, 1],
    ]);
    expect(second.skipped).toEqual([
      { sessionId: mine, receipts: 3n, reason: "stale" },
      { sessionId: theirs, receipts: 2n, reason: "otherGateway" },
    ]);

    // The first settlement of a model opens its feed's first round: each kind answers its own average.
    const feed = addresses.computeCostFeed;
    const source = addresses.inferenceLedger;
    const round = (await read(feed, computeCostFeedAbi, "latestRound", [source, modelId])) as bigint;
    expect(round).toBeGreaterThan(0n);
    const { costPerRequest, costPerMTok } = (await read(feed, computeCostFeedAbi, "getRound", [source, modelId, round])) as {
      costPerRequest: bigint;
      costPerMTok: bigint;
    };
    expect(costPerRequest).not.toBe(costPerMTok);
    const answer = async (kind: (typeof COST_KINDS)[number]) =>
      ((await read(feed, computeCostFeedAbi, "getRoundData", [source, modelId, COST_KINDS.indexOf(kind), round])) as readonly bigint[])[1];
    expect(await answer("perRequest")).toBe(costPerRequest);
    expect(await answer("perMillionTokens")).toBe(costPerMTok);
  });

  test("MAX_SESSIONS_PER_BATCH (internal to the ledger, no getter) is what a session index can address", () => {
    // Not checked on chain: one session over the limit is a 4 MB eth_call, above anvil's request size limit. The
    // ledger's bound is the 16-bit session index of a receipt word, which the receipt vectors check.
    expect(BigInt(MAX_SESSIONS_PER_BATCH)).toBe(MAX_SESSION_INDEX + 1n);
  });

  test("MeasurementStatus and KeyStatus: each member returned by the registry", async () => {
    const registry = addresses.enclaveRegistry;
    const measurement = async (fn: "globalMeasurement" | "modelMeasurement", args: readonly unknown[]) =>
      MEASUREMENT_STATUSES[(await read(registry, enclaveRegistryAbi, fn, args as never)) as number];

    // Valid, WrongModel, Unknown.
    const { modelId: otherModel } = await registerModel(chain.client(OTHER_OWNER), modelParams("constants-other"));
    expect(await keyStatus(enclave.address, modelId)).toBe("Valid");
    expect(await keyStatus(enclave.address, otherModel)).toBe("WrongModel");
    expect(await keyStatus(enclaveAccount(79).address, modelId)).toBe("Unknown");

    // Revoked: the model owner revokes a key.
    const revoked = enclaveAccount(73);
    await chain.registerDevEnclave(modelId, revoked);
    await write(OWNER, { address: registry, abi: enclaveRegistryAbi, functionName: "revokeEnclaveKey", args: [revoked.address] });
    expect(await keyStatus(revoked.address, modelId)).toBe("Revoked");

    // MeasurementStatus: the deploy script allows the dev measurement globally; a model owner revokes it for its
    // model, which stops its keys (MeasurementNotAllowed).
    const barred = enclaveAccount(74);
    await chain.registerDevEnclave(otherModel, barred);
    expect(await measurement("globalMeasurement", [DEV_ENCLAVE_MEASUREMENT])).toBe("Allowed");
    expect(await measurement("modelMeasurement", [otherModel, DEV_ENCLAVE_MEASUREMENT])).toBe("Unset");
    await write(OTHER_OWNER, {
      address: registry,
      abi: enclaveRegistryAbi,
      functionName: "setModelMeasurement",
      args: [otherModel, DEV_ENCLAVE_MEASUREMENT, MEASUREMENT_STATUSES.indexOf("Revoked")],
    });
    expect(await measurement("modelMeasurement", [otherModel, DEV_ENCLAVE_MEASUREMENT])).toBe("Revoked");
    expect(await read(registry, enclaveRegistryAbi, "isMeasurementAllowed", [otherModel, DEV_ENCLAVE_MEASUREMENT])).toBe(false);
    expect(await keyStatus(barred.address, otherModel)).toBe("MeasurementNotAllowed");

    // Expired: past the maximum attestation age.
    const maxAge = (await read(registry, enclaveRegistryAbi, "maxAttestationAge")) as bigint;
    await chain.warp(maxAge + 1n);
    expect(await keyStatus(enclave.address, modelId)).toBe("Expired");

    // VerifierReplaced: replacing the verifier (even by itself) retires every key attested before.
    await write(PROTOCOL_OWNER, { address: registry, abi: enclaveRegistryAbi, functionName: "setVerifier", args: [addresses.devAttestationVerifier!] });
    expect(await keyStatus(enclave.address, modelId)).toBe("VerifierReplaced");

    // Every member was returned by the chain under the name the SDK gives its index.
    expect(new Set(KEY_STATUSES)).toEqual(
      new Set<KeyStatusName>(["Valid", "WrongModel", "Unknown", "Revoked", "MeasurementNotAllowed", "Expired", "VerifierReplaced"]),
    );
  });
});

describe("coverage", () => {
  test("every public constant of the deployed contracts was compared above (or is listed as not mirrored)", () => {
    const contracts: [string, Address, Abi][] = [
      ["ModelRegistry", chain.deployment.contracts.ModelRegistry, modelRegistryAbi],
      ["ModelShare", chain.deployment.contracts.ModelShareImplementation, modelShareAbi],
      ["InferenceLedger", addresses.inferenceLedger, inferenceLedgerAbi],
      ["EnclaveRegistry", addresses.enclaveRegistry, enclaveRegistryAbi],
      ["DevAttestationVerifier", addresses.devAttestationVerifier!, devAttestationVerifierAbi],
      ["ComputeCostFeed", addresses.computeCostFeed, computeCostFeedAbi],
      ["InsurancePool", insuranceAddresses(chain.reader).insurancePool, insurancePoolAbi],
    ];
    const unchecked = contracts.flatMap(([contract, address, abi]) =>
      abi
        .filter((item) => item.type === "function" && item.inputs.length === 0 && /^[A-Z][A-Z0-9_]*$/.test(item.name))
        .map((item) => (item as { name: string }).name)
        .filter((name) => !compared.has(`${address.toLowerCase()}.${name}`) && !(`${contract}.${name}` in NOT_MIRRORED))
        .map((name) => `${contract}.${name}`),
    );
    expect(unchecked).toEqual([]);
  });
});
