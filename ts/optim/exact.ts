/**
 * Dekker's exact product: the rounding error of a float64 multiplication, itself a
 * float64, so that a · b = p + e exactly. L-BFGS's fused multiply-add (ts/optim/lbfgs.ts)
 * and the powers of the bias corrections (ts/optim/power.ts) are built on it.
 */

/** 2²⁷ + 1: Dekker's split of a double into two 26-bit halves. */
const SPLIT = 134217729;

/** `a · b − p` exactly, for p = a · b rounded (no overflow in the split: |a|, |b| < 2⁹⁹⁶). */
export function productError(a: number, b: number, p: number): number {
  const as = SPLIT * a;
  const ah = as - (as - a);
  const al = a - ah;
  const bs = SPLIT * b;
  const bh = bs - (bs - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}
