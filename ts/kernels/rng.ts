/**
 * TypeScript twin of crate/src/rng.rs: xoshiro128** 1.1 (Blackman & Vigna,
 * https://prng.di.unimi.it/xoshiro128starstar.c) seeded from a u32 through splitmix32.
 * Every operation is a 32-bit integer one: Math.imul is the wrapping u32 multiply and
 * `>>> 0` brings results back to u32, so the stream equals the crate's bit for bit.
 *
 * Derived draws, the same on both sides:
 * - `uniform`: 53 bits from two outputs, `((a >>> 5) · 2²⁶ + (b >>> 6)) / 2⁵³` in [0, 1);
 * - `below`: unbiased integer in [0, n) by rejection (OpenBSD's arc4random_uniform):
 *   outputs below `2³² mod n` are redrawn, then `r mod n`;
 * - `shuffle`: Fisher–Yates from the last element down, `j = below(i + 1)`.
 *
 * The state is a Uint32Array of 4 words, never all zero, advanced in place.
 */

/** The golden-ratio increment of splitmix32's counter. */
export const GOLDEN_GAMMA = 0x9e3779b9;

/** splitmix32's output function for counter value `z`. */
export function splitmix32(z: number): number {
  let t = (z ^ (z >>> 16)) >>> 0;
  t = Math.imul(t, 0x21f0aaad) >>> 0;
  t = (t ^ (t >>> 15)) >>> 0;
  t = Math.imul(t, 0x735a2d97) >>> 0;
  return (t ^ (t >>> 15)) >>> 0;
}

/** The state for `seed` (a u32): splitmix32 of the counter `seed + k · GOLDEN_GAMMA`, k = 1..4. */
export function seed(seed: number): Uint32Array {
  const state = new Uint32Array(4);
  let counter = seed >>> 0;
  for (let k = 0; k < 4; k++) {
    counter = (counter + GOLDEN_GAMMA) >>> 0;
    state[k] = splitmix32(counter);
  }
  return state;
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** The next output of xoshiro128**, advancing `s`. */
export function nextU32(s: Uint32Array): number {
  const s1 = s[1]!;
  const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
  const t = (s1 << 9) >>> 0;
  s[2] = s[2]! ^ s[0]!;
  s[3] = s[3]! ^ s[1]!;
  s[1] = s[1]! ^ s[2]!;
  s[0] = s[0]! ^ s[3]!;
  s[2] = s[2]! ^ t;
  s[3] = rotl(s[3]!, 11);
  return result;
}

/** A uniform number in [0, 1) with 53 random bits; every operation is exact. */
export function uniform(s: Uint32Array): number {
  const a = nextU32(s) >>> 5;
  const b = nextU32(s) >>> 6;
  return (a * 67108864 + b) / 9007199254740992;
}

/**
 * `a mod n` for whole numbers 0 <= a < 2³², 1 <= n < 2³²: exact, as the quotient of two
 * such numbers is never rounded up to the next whole number; V8's `%` on numbers past
 * 2³¹ calls fmod, several times slower.
 */
const mod = (a: number, n: number): number => a - Math.floor(a / n) * n;

/**
 * An unbiased integer in [0, n), 1 <= n <= 2³² − 1, by rejection of the `2³² mod n` lowest
 * outputs. That threshold is below n, so it is computed only for an output below n.
 */
export function below(s: Uint32Array, n: number): number {
  for (;;) {
    const r = nextU32(s);
    if (r >= n || r >= mod(4294967296 - n, n)) return mod(r, n);
  }
}

/**
 * Fisher–Yates shuffle of `values` in place: for i from length − 1 down to 1, swap element
 * i with element `below(i + 1)`. nextU32 and below are written out with the state in
 * local variables (the same operations; four times faster than through the array).
 */
export function shuffle(s: Uint32Array, values: Uint32Array): void {
  let s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
  let i = values.length;
  while (i > 1) {
    i -= 1;
    const n = i + 1;
    let r: number;
    do {
      const m = Math.imul(s1, 5);
      r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
    } while (r < n && r < mod(4294967296 - n, n));
    const j = mod(r, n);
    const v = values[i]!;
    values[i] = values[j]!;
    values[j] = v;
  }
  s[0] = s0;
  s[1] = s1;
  s[2] = s2;
  s[3] = s3;
}
