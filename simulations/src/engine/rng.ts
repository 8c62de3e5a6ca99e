/**
 * Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011),
 * written from the paper's description. A draw is a pure function of (seed, path index, stream name, counter), so a
 * path's numbers never depend on which shard or worker runs it, nor on how many numbers other paths or other
 * streams of the same path drew. Floats come from Math.log / Math.sqrt / Math.cos, which are deterministic for one
 * Node build; the bench and the tests pin the run to one engine (see simulations/README.md, "Reproducibility").
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact, in 16-bit halves). */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const loHi = aLo * bHi;
  const hiLo = aHi * bLo;
  const cross = (loLo >>> 16) + (loHi & 0xffff) + (hiLo & 0xffff);
  return (aHi * bHi + (loHi >>> 16) + (hiLo >>> 16) + (cross >>> 16)) >>> 0;
}

/** One Philox4x32-10 block: four uint32 from a 128-bit counter and a 64-bit key. */
export function philox4x32(counter: readonly [number, number, number, number], key: readonly [number, number]): [number, number, number, number] {
  let [x0, x1, x2, x3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulHi(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulHi(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [x0, x1, x2, x3];
}

/** FNV-1a of a stream name: its 32-bit id in the counter. */
export function streamId(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/**
 * A stream of draws keyed by (seed, path, name). Counter words: [block index, name id, path index, 0]; key: the
 * seed's low and high 32 bits. Seeds are integers in [0, 2^53).
 */
export class RandomStream {
  private readonly key: [number, number];
  private readonly name: number;
  private block = 0;
  private buffer: number[] = [];
  private spareNormal: number | undefined;

  constructor(seed: number, readonly path: number, readonly streamName: string) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed ${seed} is not an integer in [0, 2^53)`);
    if (!Number.isSafeInteger(path) || path < 0 || path >= 2 ** 32) throw new RangeError(`path ${path} is not a uint32`);
    this.key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
    this.name = streamId(streamName);
  }

  /** The next uint32. */
  nextU32(): number {
    if (this.buffer.length === 0) {
      this.buffer = philox4x32([this.block, this.name, this.path, 0], this.key).reverse();
      this.block++;
    }
    return this.buffer.pop()!;
  }

  /** Uniform in (0, 1) with 53 random bits (never 0, so logs are finite). */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  /** Standard normal (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const z = this.spareNormal;
      this.spareNormal = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Bernoulli(p). */
  chance(p: number): boolean {
    return this.uniform() < p;
  }

  /** Poisson(mean): inversion below 30, a rounded normal approximation above (counts per step are large). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * this.normal()));
    const limit = Math.exp(-mean);
    let k = 0;
    let product = this.uniform();
    while (product > limit) {
      k++;
      product *= this.uniform();
    }
    return k;
  }

  /** Pareto(scale, alpha): scale x U^(-1/alpha). */
  pareto(scale: number, alpha: number): number {
    return scale * Math.pow(this.uniform(), -1 / alpha);
  }
}

/** A path's streams, created on first use by name. */
export class PathRandom {
  private readonly streams = new Map<string, RandomStream>();
  constructor(readonly seed: number, readonly path: number) {}
  stream(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = new RandomStream(this.seed, this.path, name);
      this.streams.set(name, stream);
    }
    return stream;
  }
}
