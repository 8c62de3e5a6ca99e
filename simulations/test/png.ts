/**
 * A small PNG decoder for tests (the browser's screenshots): 8-bit greyscale, grey + alpha, RGB or RGBA, not
 * interlaced, every scanline filter (PNG spec, ISO/IEC 15948, sections 9 and 11). Anything else is refused with the
 * reason, never guessed at.
 */
import { inflateSync } from "node:zlib";

export type Image = { width: number; height: number; /** RGBA, 4 bytes a pixel, row by row */ rgba: Uint8Array };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel by colour type (0 grey, 2 RGB, 4 grey + alpha, 6 RGBA). */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export function decodePng(png: Uint8Array): Image {
  const data = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (data.length < 8 || SIGNATURE.some((b, i) => data[i] !== b)) throw new Error("not a PNG (bad signature)");
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= data.length; ) {
    const length = data.readUInt32BE(at);
    const type = data.toString("latin1", at + 4, at + 8);
    const body = data.subarray(at + 8, at + 8 + length);
    if (body.length !== length) throw new Error(`PNG chunk ${type} is truncated`);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const [depth, colourType, , , interlace] = [body[8]!, body[9]!, body[10]!, body[11]!, body[12]!];
      if (depth !== 8) throw new Error(`PNG bit depth ${depth} is not supported (8 only)`);
      if (interlace !== 0) throw new Error("interlaced PNG is not supported");
      channels = CHANNELS[colourType] ?? 0;
      if (channels === 0) throw new Error(`PNG colour type ${colourType} is not supported`);
    } else if (type === "IDAT") {
      idat.push(body);
    } else if (type === "IEND") {
      break;
    }
    at += 12 + length; // length, type, body, CRC
  }
  if (width === 0 || height === 0) throw new Error("PNG has no IHDR or an empty image");
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) throw new Error(`PNG data is ${raw.length} bytes, expected ${height * (stride + 1)}`);

  // Undo the per-scanline filters in place (bytes per pixel = channels at 8 bits).
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    const prior = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : new Uint8Array(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? out[x - channels]! : 0;
      const b = prior[x]!;
      const c = x >= channels ? prior[x - channels]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          throw new Error(`PNG scanline ${y} has unknown filter ${filter}`);
      }
      out[x] = (line[x]! + predictor) & 0xff;
    }
  }

  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = pixels.subarray(i * channels, (i + 1) * channels);
    const [r, g, b, alpha] = channels === 1 ? [s[0]!, s[0]!, s[0]!, 255] : channels === 2 ? [s[0]!, s[0]!, s[0]!, s[1]!] : channels === 3 ? [s[0]!, s[1]!, s[2]!, 255] : [s[0]!, s[1]!, s[2]!, s[3]!];
    rgba.set([r, g, b, alpha], i * 4);
  }
  return { width, height, rgba };
}

/** Number of distinct RGBA colours in an image. */
export function distinctColours(image: Image): number {
  const seen = new Set<number>();
  const view = new DataView(image.rgba.buffer, image.rgba.byteOffset, image.rgba.byteLength);
  for (let i = 0; i < image.width * image.height; i++) seen.add(view.getUint32(i * 4));
  return seen.size;
}

/** Number of pixels within `tolerance` (per channel) of an opaque colour given as "#rrggbb". */
export function pixelsNear(image: Image, hex: string, tolerance: number): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (let i = 0; i < image.rgba.length; i += 4) {
    if (Math.abs(image.rgba[i]! - r!) <= tolerance && Math.abs(image.rgba[i + 1]! - g!) <= tolerance && Math.abs(image.rgba[i + 2]! - b!) <= tolerance) count++;
  }
  return count;
}
