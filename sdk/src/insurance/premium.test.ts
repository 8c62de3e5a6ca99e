/**
 * The sdk's premium against PremiumLib: the docs' hand-computed example, and a property on anvil that
 * `quotePremiumOffline` equals `InsurancePool.quotePremium` to the unit for random histograms (written into the
 * ledger's storage) and random terms, including where the contract refuses a quote out of range.
 */
import fc from "fast-check";
import { encodeAbiParameters, keccak256, numberToHex, pad, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_INSURANCE_PARAMETERS, MAX_COINSURANCE_BPS, MAX_POLICY_PERIOD, MIN_POLICY_OBSERVATIONS } from "../constants.js";
import { isCogFiError } from "../errors.js";
import { registerModel } from "../actions/registry/registerModel.js";
import { ledgerAddresses } from "../ledger/addresses.js";
import { rpc } from "../node/anvil.js";
import { fcParams } from "../testing/fastCheck.js";
import { startTestChain, type TestChain } from "../testing/testChain.js";
import { modelParams } from "../../test/fixtures.js";
import { quotePremium } from "../actions/insurance/quotePremium.js";
import { bucketUpperTokens, excessTokens, experienceBps, invalidTermsField, quotePremiumOffline, type PolicyTerms } from "./premium.js";

/** `InferenceLedgerStorageLib.HISTOGRAMS_SLOT`: the ledger's `mapping(modelId => uint256[8])` of packed counts. */
const HISTOGRAMS_SLOT = 10n;

describe("premium (pure)", () => {
  test("the docs' example (test/insurance/libraries/PremiumLib.t.sol): 3,487 units", () => {
    const histogram = Array.from({ length: 32 }, () => 0n);
    histogram[0] = 10n;
    histogram[11] = 20n; // [1,024, 2,048): priced at 2,047
    histogram[31] = 1n; // 2^30 or more: the per-request limit
    expect(excessTokens(histogram, 1_000n, 4_000n)).toEqual({ excessSum: 24_940n, observations: 31n });
    const terms: PolicyTerms = {
      modelId: 1n,
      period: 7n * 86_400n,
      strikeTokens: 1_000n,
      limitTokens: 4_000n,
      coinsuranceBps: 8_000n,
      requests: 3n,
      aggregateLimit: 10_000n,
    };
    const quote = quotePremiumOffline(terms, { histogram, ratePerMTok: 1_500_000n, loadingBps: 2_000n, capitalChargeBps: 500n });
    expect(quote).toEqual({ premium: 3_487n, expectedClaims: 2_897n, observations: 31n });
  });

  test("bucket tops and the experience factor (at least 1x, rounded up)", () => {
    expect([0, 1, 2, 11, 30].map(bucketUpperTokens)).toEqual([0n, 1n, 3n, 2_047n, (1n << 30n) - 1n]);
    expect(bucketUpperTokens(31)).toBe((1n << 256n) - 1n);
    expect(experienceBps(0n, 0n)).toBe(10_000n);
    expect(experienceBps(1n, 3n)).toBe(10_000n);
    expect(experienceBps(4n, 3n)).toBe(13_334n);
  });
});

describe("premium against InsurancePool.quotePremium on anvil", () => {
  let chain: TestChain;
  /** Models with different rates (the lower of output and reasoning price). */
  const models: { modelId: bigint; ratePerMTok: bigint }[] = [];

  beforeAll(async () => {
    chain = await startTestChain();
    const rates: [bigint, bigint][] = [
      [400_000n, 400_000n],
      [1_500_000n, 2_000_000n],
      [7_000_000n, 3_000_000n],
    ];
    for (const [index, [outputPerMTok, reasoningPerMTok]] of rates.entries()) {
      const { modelId } = await registerModel(
        chain.client(1),
        modelParams(`premium-${index}`, { pricing: { inputPerMTok: 100_000n, outputPerMTok, reasoningPerMTok } }),
      );
      models.push({ modelId, ratePerMTok: outputPerMTok < reasoningPerMTok ? outputPerMTok : reasoningPerMTok });
    }
  });
  afterAll(() => chain?.stop());

  /** Writes `histogram` as `modelId`'s packed counts in the ledger's storage (four 64-bit lanes per slot). */
  async function setHistogram(modelId: bigint, histogram: readonly bigint[]): Promise<void> {
    const { inferenceLedger } = ledgerAddresses(chain.reader);
    const first = BigInt(keccak256(encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [modelId, HISTOGRAMS_SLOT])));
    for (let s = 0; s < 8; s++) {
      const packed = histogram.slice(4 * s, 4 * s + 4).reduce((word, count, lane) => word | (count << BigInt(64 * lane)), 0n);
      const slot: Hex = numberToHex(first + BigInt(s), { size: 32 });
      await rpc(chain.rpcUrl, "anvil_setStorageAt", [inferenceLedger, slot, pad(numberToHex(packed), { size: 32 })]);
    }
  }

  test("equals the contract to the unit for random histograms and terms (and refuses where it refuses)", async () => {
    const buyer = chain.accounts[5]!.address;
    // Counts: mostly realistic (a few thousand per bucket), sometimes up to 2^64 - 1 (the widest a bucket holds).
    const count = fc.oneof(
      { weight: 6, arbitrary: fc.bigInt(0n, 5_000n) },
      { weight: 1, arbitrary: fc.constant(0n) },
      { weight: 1, arbitrary: fc.bigInt(0n, (1n << 64n) - 1n) },
    );
    // Mostly 1,000 observations or more; sometimes fewer (InsufficientHistory).
    const histogram = fc.oneof(
      { weight: 9, arbitrary: fc.array(count, { minLength: 32, maxLength: 32 }).filter((c) => c.reduce((a, b) => a + b, 0n) >= MIN_POLICY_OBSERVATIONS) },
      { weight: 1, arbitrary: fc.array(fc.bigInt(0n, 30n), { minLength: 32, maxLength: 32 }) },
    );
    // Mostly in range; each field sometimes just out of it (InvalidTerms).
    const ranged = (low: bigint, high: bigint, wide: bigint) =>
      fc.oneof({ weight: 8, arbitrary: fc.bigInt(low, high) }, { weight: 8, arbitrary: fc.bigInt(low, wide) }, { weight: 1, arbitrary: fc.constantFrom(0n, wide + 1n) });
    const terms = fc.record({
      model: fc.nat({ max: models.length - 1 }),
      period: ranged(1n, 30n * 86_400n, MAX_POLICY_PERIOD),
      strikeTokens: fc.oneof({ weight: 8, arbitrary: fc.bigInt(0n, 20_000n) }, { weight: 2, arbitrary: fc.bigInt(0n, 1n << 32n) }),
      limitTokens: ranged(1n, 50_000n, (1n << 32n) - 1n),
      coinsuranceBps: ranged(1n, MAX_COINSURANCE_BPS, MAX_COINSURANCE_BPS),
      requests: ranged(1n, 10_000n, (1n << 32n) - 1n),
      aggregateLimit: ranged(1n, 10n ** 12n, (1n << 64n) - 1n),
    });
    const tally = { compared: 0, invalidTerms: 0, insufficientHistory: 0 };
    await fc.assert(
      fc.asyncProperty(histogram, terms, async (counts, { model, ...drawn }) => {
        const { modelId, ratePerMTok } = models[model]!;
        await setHistogram(modelId, counts);
        const policy: PolicyTerms = { ...drawn, modelId };
        const offline = quotePremiumOffline(policy, { histogram: counts, ratePerMTok, ...DEFAULT_INSURANCE_PARAMETERS });
        const field = invalidTermsField(policy, ratePerMTok);
        const result = await quotePremium(chain.reader, { buyer, terms: policy }).catch((e: unknown) => e);
        if (field !== null) {
          expect(isCogFiError(result, "InvalidTerms") && result.args[0] === BigInt(field), `InvalidTerms(${field}): ${String(result)}`).toBe(true);
          tally.invalidTerms++;
        } else if (offline.observations < MIN_POLICY_OBSERVATIONS) {
          expect(isCogFiError(result, "InsufficientHistory") && result.args[1] === offline.observations, String(result)).toBe(true);
          tally.insufficientHistory++;
        } else {
          expect(result).toEqual({ premium: offline.premium, expectedClaims: offline.expectedClaims });
          tally.compared++;
        }
      }),
      fcParams({ numRuns: 150 }),
    );
    // The property exercised every side.
    console.info(`premium property on anvil: ${JSON.stringify(tally)}`);
    expect(tally.compared).toBeGreaterThan(75);
    expect(tally.invalidTerms).toBeGreaterThan(0);
    expect(tally.insufficientHistory).toBeGreaterThan(0);
  }, 120_000);
});
