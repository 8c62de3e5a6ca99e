/** The `GET /v1/receipts` wire format (`sdk/src/ledger/wire.ts`): the parser undoes the serializer, over JSON text. */
import fc from "fast-check";
import { bytesToHex, getAddress, type Address, type Hex } from "viem";
import { describe, expect, test } from "vitest";
import {
  parseReceiptsPage,
  parseServedBatch,
  ReceiptFormatError,
  serializeReceiptsPage,
  serializeServedBatch,
  type ReceiptsPage,
  type ServedBatch,
  type ServedReceipt,
} from "../../src/index.js";
import { fcParams } from "../../src/testing/index.js";

const MAX_UINT256 = (1n << 256n) - 1n;
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length }).map((b) => bytesToHex(b));
const bytes32 = bytes(32) as fc.Arbitrary<Hex>;
const address = bytes(20).map((hex) => getAddress(hex)) as fc.Arbitrary<Address>;
const uint256 = fc.bigInt({ min: 0n, max: MAX_UINT256 });
const uint32 = fc.integer({ min: 0, max: 0xffff_ffff });
const millis = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });

const receipt: fc.Arbitrary<ServedReceipt> = fc.record({
  responseId: fc.string({ maxLength: 40 }),
  sessionId: uint256,
  sequence: uint256,
  inputTokens: uint32,
  outputTokens: uint32,
  reasoningTokens: uint32,
  requestHash: bytes32,
  createdAt: millis,
});

const batch: fc.Arbitrary<ServedBatch> = fc.record({
  cursor: fc.integer({ min: 0, max: 2 ** 40 }),
  modelId: uint256,
  gatewayId: uint256,
  batchNumber: uint256,
  servedPricing: uint256,
  enclave: address,
  sessionIds: fc.array(uint256, { minLength: 1, maxLength: 4 }),
  receipts: fc.array(uint256, { minLength: 1, maxLength: 6 }),
  requestsCommitment: bytes32,
  digest: bytes32,
  signature: fc.oneof(bytes(65), bytes(64), bytes(0)) as fc.Arbitrary<Hex>,
  signedAt: millis,
  items: fc.array(receipt, { maxLength: 6 }),
});

const page: fc.Arbitrary<ReceiptsPage> = fc.record({
  chainId: fc.integer({ min: 1, max: 2 ** 40 }),
  ledger: address,
  batches: fc.array(batch, { maxLength: 4 }),
  nextCursor: fc.integer({ min: -1, max: 2 ** 40 }),
  hasMore: fc.boolean(),
});

/** What crosses the network: JSON text. */
const overTheWire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

describe("receipts wire format", () => {
  test("parseReceiptsPage(serializeReceiptsPage(page)) is the page", () => {
    fc.assert(
      fc.property(page, (value) => {
        expect(parseReceiptsPage(overTheWire(serializeReceiptsPage(value)))).toEqual(value);
      }),
      fcParams(),
    );
  });

  test("parseServedBatch(serializeServedBatch(batch)) is the batch", () => {
    fc.assert(
      fc.property(batch, (value) => {
        expect(parseServedBatch(overTheWire(serializeServedBatch(value)))).toEqual(value);
      }),
      fcParams(),
    );
  });

  test("rejects what does not match the format, naming the field", () => {
    const valid = serializeServedBatch(fc.sample(batch, { seed: 1, numRuns: 1 })[0]!);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...valid, modelId: "-1" }, /modelId/],
      [{ ...valid, batchNumber: (MAX_UINT256 + 1n).toString() }, /batchNumber: larger than a uint256/],
      [{ ...valid, receipts: ["0x01"] }, /receipts\.0/],
      [{ ...valid, sessionIds: [] }, /sessionIds/],
      [{ ...valid, enclave: "0x1234" }, /enclave/],
      [{ ...valid, items: undefined }, /items/],
    ];
    for (const [json, message] of cases) {
      expect(() => parseServedBatch(json)).toThrow(ReceiptFormatError);
      expect(() => parseServedBatch(json)).toThrow(message);
    }
    expect(() => parseReceiptsPage({ object: "list", chainId: 1, ledger: getAddress(`0x${"11".repeat(20)}`), data: [], next_cursor: "x", has_more: false })).toThrow(
      /next_cursor/,
    );
  });
});
