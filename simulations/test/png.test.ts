/**
 * The test PNG decoder against PNGs built here byte by byte: every colour type it accepts, every scanline filter,
 * images split across several IDAT chunks; and refusals of what it does not read.
 */
import fc from "fast-check";
import { deflateSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { fcParams } from "@cogfi/sdk/testing";
import { decodePng, distinctColours, pixelsNear } from "./png.js";

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  return Buffer.concat([head, body, Buffer.alloc(4)]); // the decoder does not check CRCs
}

/** A PNG of `samples` (row-major, `channels` bytes a pixel), each row filtered with `filters[y]`. */
function encodePng(width: number, height: number, colourType: number, channels: number, samples: Uint8Array, filters: number[], idatParts = 1, interlace = 0): Buffer {
  const stride = width * channels;
  const raw = Buffer.alloc(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const filter = filters[y]!;
    raw[y * (stride + 1)] = filter;
    for (let x = 0; x < stride; x++) {
      const value = samples[y * stride + x]!;
      const a = x >= channels ? samples[y * stride + x - channels]! : 0;
      const b = y > 0 ? samples[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? samples[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      raw[y * (stride + 1) + 1 + x] = (value - predictor) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, colourType, 0, 0, interlace], 8);
  const z = deflateSync(raw);
  const cut = Math.ceil(z.length / idatParts);
  const idats = Array.from({ length: idatParts }, (_, i) => chunk("IDAT", z.subarray(i * cut, (i + 1) * cut)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), ...idats, chunk("IEND", new Uint8Array())]);
}

const COLOUR_TYPES = [
  { colourType: 0, channels: 1 },
  { colourType: 2, channels: 3 },
  { colourType: 4, channels: 2 },
  { colourType: 6, channels: 4 },
];

describe("test PNG decoder", () => {
  test("decodes what was encoded, for every colour type, filter and IDAT split", () => {
    const image = fc
      .record({ width: fc.integer({ min: 1, max: 9 }), height: fc.integer({ min: 1, max: 7 }), type: fc.constantFrom(...COLOUR_TYPES), parts: fc.integer({ min: 1, max: 3 }) })
      .chain(({ width, height, type, parts }) =>
        fc.record({
          width: fc.constant(width),
          height: fc.constant(height),
          type: fc.constant(type),
          parts: fc.constant(parts),
          samples: fc.uint8Array({ minLength: width * height * type.channels, maxLength: width * height * type.channels }),
          filters: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: height, maxLength: height }),
        }),
      );
    fc.assert(
      fc.property(image, ({ width, height, type, parts, samples, filters }) => {
        const decoded = decodePng(encodePng(width, height, type.colourType, type.channels, samples, filters, parts));
        expect([decoded.width, decoded.height]).toEqual([width, height]);
        for (let i = 0; i < width * height; i++) {
          const s = [...samples.subarray(i * type.channels, (i + 1) * type.channels)];
          const expected = type.channels === 1 ? [s[0], s[0], s[0], 255] : type.channels === 2 ? [s[0], s[0], s[0], s[1]] : type.channels === 3 ? [...s, 255] : s;
          expect([...decoded.rgba.subarray(i * 4, i * 4 + 4)]).toEqual(expected);
        }
      }),
      fcParams({ numRuns: 200 }),
    );
  });

  test("counts colours and pixels near a colour", () => {
    // 2x2 RGB: two pixels of the charts' bar blue, one slightly off (anti-aliasing), one white.
    const samples = Uint8Array.from([0x4c, 0x78, 0xa8, 0x4c, 0x78, 0xa8, 0x50, 0x7a, 0xa4, 255, 255, 255]);
    const image = decodePng(encodePng(2, 2, 2, 3, samples, [1, 4]));
    expect(distinctColours(image)).toBe(3);
    expect(pixelsNear(image, "#4c78a8", 0)).toBe(2);
    expect(pixelsNear(image, "#4c78a8", 4)).toBe(3);
    expect(pixelsNear(image, "#ffffff", 0)).toBe(1);
  });

  test("refuses what it does not read, saying why", () => {
    const samples = new Uint8Array(3);
    expect(() => decodePng(Buffer.from("GIF89a not a png"))).toThrow("bad signature");
    expect(() => decodePng(encodePng(1, 1, 2, 3, samples, [0], 1, 1))).toThrow("interlaced");
    expect(() => decodePng(encodePng(1, 1, 3, 1, new Uint8Array(1), [0]))).toThrow("colour type 3");
    expect(() => decodePng(encodePng(1, 1, 2, 3, samples, [5]))).toThrow("unknown filter 5");
  });
});
