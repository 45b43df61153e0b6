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
 * it with the exact power (BigInt arithmetic) and with Python's.
 *
 * Once the power drops below 2⁻⁹⁰⁰ its low part loses bits (subnormal), and `hi` is only
 * within a few units in the last place — long after `1 − β^t` has become 1.
 */

/** 2²⁷ + 1: Dekker's split of a double into two 26-bit halves. */
const SPLIT = 134217729;

/** base^t for t = 0, 1, 2, …: each value is the t-fold product from 1, whatever was asked before. */
export class Power {
  #base = NaN;
  #t = 0;
  #hi = 1;
  #lo = 0;

  /**
   * base^t (t a whole number ≥ 0), the nearest double. Asked for t, t + 1, t + 2, … it
   * costs one double-double product per step; going back (or another base) starts over
   * from base⁰, so a jump to step t costs t products.
   */
  of(base: number, t: number): number {
    if (base !== this.#base || t < this.#t) {
      this.#base = base;
      this.#t = 0;
      this.#hi = 1;
      this.#lo = 0;
    }
    let hi = this.#hi;
    let lo = this.#lo;
    const b = SPLIT * base;
    const bh = b - (b - base);
    const bl = base - bh;
    for (let k = this.#t; k < t; k++) {
      // (hi + lo) · base: hi · base exactly as p + e (Dekker), plus lo · base.
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
}

/** The Powers of an optimizer: one per param group and β (`which` 0 or 1), made on first use. */
export class Powers {
  readonly #all: Power[] = [];

  of(group: number, which: number, base: number, t: number): number {
    return (this.#all[2 * group + which] ??= new Power()).of(base, t);
  }
}
