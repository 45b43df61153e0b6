/**
 * β^t for the optimizers' bias corrections (`1 - beta1 ** step` in torch.optim, computed
 * in Python floats, so by C's pow), step after step.
 *
 * V8's `**` (Math.pow) costs ~70 ns and is not correctly rounded: for β = 0.9 and 0.999
 * it differs from the correctly rounded power, and from Python's, in about one step in
 * ten. Here the power is carried from step to step as a double-double (hi + lo, ~106
 * bits) and multiplied by β once per step, exactly up to one rounding of the low part
 * (Dekker's product); `hi` is then the power rounded to the nearest double. After t steps
 * the double-double is off by about t · 2⁻¹⁰⁴ relative, so `hi` can be wrong only when the
 * exact power lies within that of a halfway point between two doubles; the tests compare
 * it with the exact power (BigInt arithmetic), reached step by step and by squaring, and
 * with Python's.
 *
 * Once the power drops below 2⁻⁹⁰⁰ its low part loses bits (subnormal), and `hi` is only
 * within a few units in the last place — long after `1 − β^t` has become 1.
 */

import { productError } from "./exact.ts";

/** 2²⁷ + 1, Dekker's split (as in ./exact.ts), for the walk below, which splits `hi` itself. */
const SPLIT = 134217729;

/** Steps a Power walks forward one product at a time; a longer jump (or going back, or a new base) squares. */
const WALK = 64;

/**
 * base^t, the nearest double, for t = 0, 1, 2, … . Asked for t, t + 1, t + 2, … (the
 * optimizers' steps) it costs one double-double product per step. Another base (a
 * schedule cycling β₁ changes it every step), going back, or a jump of more than WALK
 * steps (a restored optimizer) computes the double-double power by repeated squaring,
 * ~2 log₂ t products: as accurate (about 2 log₂ t · 2⁻¹⁰⁴ relative), and the same value
 * in every case the tests compare.
 */
export class Power {
  #base = NaN;
  #t = 0;
  #hi = 1;
  #lo = 0;

  /** base^t (t a whole number ≥ 0), the nearest double. */
  of(base: number, t: number): number {
    if (base !== this.#base || t < this.#t || t - this.#t > WALK) {
      this.#square(base, t);
      return this.#hi;
    }
    let hi = this.#hi;
    let lo = this.#lo;
    // productError(hi, base, p) written out, with base's split made once and no imported
    // binding in the loop: about twice as fast a step (~6 against ~12 ns under vite-node,
    // by a scratch timing), the same operations.
    const b = SPLIT * base;
    const bh = b - (b - base);
    const bl = base - bh;
    for (let k = this.#t; k < t; k++) {
      // (hi + lo) · base: hi · base exactly as p + e, plus lo · base.
      const p = hi * base;
      const a = SPLIT * hi;
      const ah = a - (a - hi);
      const al = hi - ah;
      const e = ah * bh - p + ah * bl + al * bh + al * bl + lo * base;
      hi = p + e;
      lo = e - (hi - p);
    }
    this.#t = t;
    this.#hi = hi;
    this.#lo = lo;
    return hi;
  }

  /** base^t by repeated squaring of the double-double (base, 0), kept as the new start. */
  #square(base: number, t: number): void {
    let rh = 1;
    let rl = 0;
    let sh = base;
    let sl = 0;
    for (let k = t; k > 0; ) {
      if (k % 2 === 1) {
        product(rh, rl, sh, sl);
        rh = out.hi;
        rl = out.lo;
      }
      k = Math.floor(k / 2);
      if (k > 0) {
        product(sh, sl, sh, sl);
        sh = out.hi;
        sl = out.lo;
      }
    }
    this.#base = base;
    this.#t = t;
    this.#hi = rh;
    this.#lo = rl;
  }
}

/** The result of the last product(), high and low parts (kept here, so that no pair is allocated). */
const out = { hi: 0, lo: 0 };

/** (ah + al) · (bh + bl) as a double-double: ah · bh exactly (Dekker) plus the cross terms. */
function product(ah: number, al: number, bh: number, bl: number): void {
  const p = ah * bh;
  const e = productError(ah, bh, p) + (ah * bl + al * bh);
  const hi = p + e;
  out.hi = hi;
  out.lo = e - (hi - p);
}

/** The Powers of an optimizer: one per param group and β (`which` 0 or 1), made on first use. */
export class Powers {
  readonly #all: Power[] = [];

  of(group: number, which: number, base: number, t: number): number {
    return (this.#all[2 * group + which] ??= new Power()).of(base, t);
  }
}
