/**
 * TypeScript twin of crate/src/loss/bce.rs: binary cross-entropy from logits
 * (torch.nn.BCEWithLogitsLoss, reduction "mean"), in the numerically stable form
 * `max(x, 0) − x·y + log1p(exp(−|x|))`, finite for any finite logit; the gradient is
 * torch's `(sigmoid(x) − y) · (1 / N)`. exp and log1p are ts/kernels/math.ts's (in f64,
 * rounded with Math.fround in the f32 version, which rounds after every operation).
 */
import { exp, log1p } from "../math.ts";
import { laneSumF32, laneSumF64 } from "./sum.ts";

const fround = Math.fround;

/** Mean binary cross-entropy of `logits` against `target` (each in [0, 1]). */
export function bceWithLogitsF64(logits: Float64Array, target: Float64Array, grad: Float64Array): number {
  const n = logits.length;
  return bceWithLogitsPartialF64(logits, target, n, grad) / n;
}

export function bceWithLogitsF32(logits: Float32Array, target: Float32Array, grad: Float32Array): number {
  const n = logits.length;
  return fround(bceWithLogitsPartialF32(logits, target, n, grad) / fround(n));
}

/**
 * These rows' share of the mean binary cross-entropy over `total` rows: the sum of the
 * terms, not divided, with `grad_i = (sigmoid(x_i) − y_i) · (1 / total)`.
 */
export function bceWithLogitsPartialF64(logits: Float64Array, target: Float64Array, total: number, grad: Float64Array): number {
  const norm = 1 / total;
  return laneSumF64(logits.length, (i) => {
    const x = logits[i]!;
    const y = target[i]!;
    const e = exp(-Math.abs(x));
    // sigmoid(x) from e = exp(−|x|), without overflow on either side.
    const sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
    grad[i] = (sigmoid - y) * norm;
    const positive = x > 0 ? x : 0;
    return positive - x * y + log1p(e);
  });
}

export function bceWithLogitsPartialF32(logits: Float32Array, target: Float32Array, total: number, grad: Float32Array): number {
  const norm = fround(1 / total);
  return laneSumF32(logits.length, (i) => {
    const x = logits[i]!;
    const y = target[i]!;
    const e = fround(exp(-Math.abs(x)));
    const sigmoid = x >= 0 ? fround(1 / fround(1 + e)) : fround(e / fround(1 + e));
    grad[i] = fround(fround(sigmoid - y) * norm);
    const positive = x > 0 ? x : 0;
    return fround(fround(positive - fround(x * y)) + fround(log1p(e)));
  });
}
