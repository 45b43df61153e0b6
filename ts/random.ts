/**
 * Seeded random numbers: xoshiro128** seeded through splitmix32 (ts/kernels/rng.ts, the
 * twin of crate/src/rng.rs), so integers, uniforms and shuffles are the same bits in
 * TypeScript and in the WebAssembly module. Normal draws (Marsaglia's polar method) use
 * Math.log, which is not exactly rounded and may differ from Rust's libm, so they are
 * made here only and copied where needed: the same seed gives the same normals on the
 * same JavaScript engine.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "./errors.ts";
import { isDetached, isFloatArray } from "./dtype.ts";
import { below, nextU32, seed as seedState, shuffle, uniform } from "./kernels/rng.ts";
import { checkNumber } from "./options.ts";

/** Largest seed: seeds are integers in [0, 2³² − 1]. */
export const MAX_SEED = 4294967295;

/** A saved generator, for `Random.setState` (plain data: JSON round-trips it). */
export interface RandomState {
  /** The four xoshiro128** words, each in [0, 2³² − 1], not all zero. */
  readonly words: readonly [number, number, number, number];
  /** The second normal of the last polar pair, not yet returned. */
  readonly spareNormal: number | null;
}

/** A seed: an integer in [0, 2³² − 1]. Other numbers, BigInts and strings are refused. */
export function checkSeed(value: unknown, argument = "seed"): number {
  const wanted = `an integer in [0, 2^32 - 1] (0 to ${MAX_SEED})`;
  if (typeof value !== "number") {
    const hint = typeof value === "bigint" ? "; convert it with Number()" : "";
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}${hint}.`);
  }
  if (!Number.isInteger(value) || value < 0 || value > MAX_SEED) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${value}.`);
  }
  return value;
}

/** A Random from a seed, or the given Random itself (to share one stream). */
export function toRandom(value: unknown, argument: string): Random {
  if (value instanceof Random) return value;
  if (value === undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} is required: an integer in [0, 2^32 - 1] or a Random, so that results are reproducible.`);
  }
  return new Random(checkSeed(value, argument));
}

function checkCount(value: unknown, argument: string, min: number): number {
  if (typeof value !== "number") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an integer in [${min}, ${MAX_SEED}]; got ${describe(value)}.`);
  }
  if (!Number.isInteger(value) || value < min || value > MAX_SEED) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be an integer in [${min}, ${MAX_SEED}]; got ${value}.`);
  }
  return value;
}

type Shuffleable = unknown[] | Uint32Array | Int32Array | Uint16Array | Int16Array | Uint8Array | Int8Array | Float32Array | Float64Array;

/** A seeded generator; the same seed and the same calls give the same numbers. */
/**
 * The largest |z| the polar method can return with 53-bit uniforms is about 12 (s >= 2^-104);
 * draws stay within mean ± NORMAL_REACH·std, which must therefore be finite.
 */
export const NORMAL_REACH = 16;

/** low <= high, both finite, and a width high − low that does not overflow. */
export function checkUniform(name: string, low: unknown, high: unknown): void {
  const lo = checkNumber(`${name}(low)`, low);
  const hi = checkNumber(`${name}(high)`, high, { min: lo });
  if (!Number.isFinite(hi - lo)) throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(low, high): the width high − low = ${hi} − ${lo} overflows; use a narrower range.`);
}

/** A finite mean and std >= 0 whose draws (within mean ± 16·std) cannot overflow. */
export function checkNormal(name: string, mean: unknown, std: unknown): void {
  const m = checkNumber(`${name}(mean)`, mean);
  const s = checkNumber(`${name}(std)`, std, { min: 0 });
  if (!Number.isFinite(Math.abs(m) + NORMAL_REACH * s)) throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(mean, std): draws reach mean ± ${NORMAL_REACH}·std = ${m} ± ${NORMAL_REACH * s}, which overflows; use a smaller std.`);
}

/** A live Float32Array or Float64Array to fill. */
function checkFillTarget(argument: string, target: unknown): void {
  if (!isFloatArray(target)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a Float32Array or a Float64Array; got ${describe(target)}.`);
  if (isDetached(target.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} is a ${target.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
}

/** A seeded generator; the same seed and the same calls give the same numbers. */
export class Random {
  readonly #s: Uint32Array;
  #spare: number | null = null;

  constructor(seed: number) {
    this.#s = seedState(checkSeed(seed));
  }

  /** The next 32-bit output, an integer in [0, 2³² − 1]. */
  nextU32(): number {
    return nextU32(this.#s);
  }

  /** A uniform number in [low, high): `low + (high − low) · u`, u with 53 random bits. */
  uniform(low = 0, high = 1): number {
    checkUniform("uniform", low, high);
    return low + (high - low) * uniform(this.#s);
  }

  /** A normal draw `mean + std · z` (Marsaglia's polar method; the pair's second value is kept for the next call). */
  normal(mean = 0, std = 1): number {
    checkNormal("normal", mean, std);
    return mean + std * this.#standardNormal();
  }

  /** An unbiased integer in [0, n), 1 <= n <= 2³² − 1. */
  int(n: number): number {
    return below(this.#s, checkCount(n, "int(n)", 1));
  }

  /**
   * With a length: a random permutation of 0 … length − 1 as a Uint32Array. With an
   * array: that array shuffled in place and returned. The swaps are those of
   * crate/src/rng.rs `shuffle`, so permutations are the same on both backends.
   */
  shuffle(length: number): Uint32Array;
  shuffle<T extends Shuffleable>(array: T): T;
  shuffle(arrayOrLength: unknown): unknown {
    if (typeof arrayOrLength === "number") {
      const n = checkCount(arrayOrLength, "shuffle(length)", 0);
      const perm = new Uint32Array(n);
      for (let i = 0; i < n; i++) perm[i] = i;
      shuffle(this.#s, perm);
      return perm;
    }
    if (arrayOrLength instanceof Uint32Array) {
      shuffle(this.#s, arrayOrLength);
      return arrayOrLength;
    }
    if (!Array.isArray(arrayOrLength) && !(ArrayBuffer.isView(arrayOrLength) && !(arrayOrLength instanceof DataView))) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `shuffle() takes a length or an array; got ${describe(arrayOrLength)}.`);
    }
    const a = arrayOrLength as unknown[];
    let i = a.length;
    while (i > 1) {
      i -= 1;
      const j = below(this.#s, i + 1);
      const v = a[i];
      a[i] = a[j];
      a[j] = v;
    }
    return a;
  }

  /** Fills `target` with uniform draws in [low, high) (rounded to f32 by a Float32Array). */
  fillUniform<T extends Float32Array | Float64Array>(target: T, low = 0, high = 1): T {
    checkFillTarget("fillUniform(target)", target);
    checkUniform("fillUniform", low, high);
    const width = high - low;
    for (let i = 0; i < target.length; i++) target[i] = low + width * uniform(this.#s);
    return target;
  }

  /** Fills `target` with normal draws `mean + std · z`, in order. */
  fillNormal<T extends Float32Array | Float64Array>(target: T, mean = 0, std = 1): T {
    checkFillTarget("fillNormal(target)", target);
    checkNormal("fillNormal", mean, std);
    for (let i = 0; i < target.length; i++) target[i] = mean + std * this.#standardNormal();
    return target;
  }

  /** A copy of the generator's state. */
  state(): RandomState {
    const s = this.#s;
    return { words: [s[0]!, s[1]!, s[2]!, s[3]!], spareNormal: this.#spare };
  }

  /** Restores a state from `state()`; validated before anything changes. */
  setState(state: RandomState): void {
    if (typeof state !== "object" || state === null || !Array.isArray(state.words) || state.words.length !== 4) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `setState(state) takes what state() returned: { words: [4 integers], spareNormal }; got ${describe(state)}.`);
    }
    const words = state.words.map((w, k) => checkSeed(w, `setState(state): words[${k}]`));
    if (words.every((w) => w === 0)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", "setState(state): words must not all be zero (xoshiro128** would return only zeros).");
    }
    const spare = state.spareNormal;
    if (spare !== null && (typeof spare !== "number" || !Number.isFinite(spare))) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `setState(state): spareNormal must be null or a finite number; got ${describe(spare)}.`);
    }
    this.#s.set(words);
    this.#spare = spare;
  }

  #standardNormal(): number {
    const spare = this.#spare;
    if (spare !== null) {
      this.#spare = null;
      return spare;
    }
    let u: number, v: number, r: number;
    do {
      u = 2 * uniform(this.#s) - 1;
      v = 2 * uniform(this.#s) - 1;
      r = u * u + v * v;
    } while (r >= 1 || r === 0);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    this.#spare = v * f;
    return u * f;
  }
}
