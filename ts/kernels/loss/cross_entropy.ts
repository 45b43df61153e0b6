/**
 * TypeScript twin of crate/src/loss/cross_entropy.rs: softmax cross-entropy from logits
 * (torch.nn.CrossEntropyLoss, reduction "mean", no weights, no label smoothing) over
 * `rows × classes` logits, row-major, against class indices (stored as floats of the
 * logits' dtype, each an integer in [0, classes)) or class probabilities (`rows × classes`).
 * Per row, with m = max x and s = Σ exp(x − m) summed in class order:
 * `log_softmax = (x − m) − log s`, loss = −Σ t·log_softmax, and the gradient is
 * `(softmax − t) · (1 / rows)` with softmax = exp(x − m) / s. Rows are summed in
 * ts/kernels/loss/sum.ts's order; exp and log are ts/kernels/math.ts's (in f64, rounded
 * with Math.fround in the f32 versions, which round after every operation).
 */
import { exp, log } from "../math.ts";
import { laneSumF32, laneSumF64 } from "./sum.ts";

const fround = Math.fround;

/** Writes `exp(x − m)` of row r to `grad` and returns m; the sum s goes to `sums[0]`. */
function shiftedExpsF64(logits: Float64Array, start: number, classes: number, grad: Float64Array, sums: Float64Array): number {
  let m = logits[start]!;
  for (let k = 0; k < classes; k++) {
    const x = logits[start + k]!;
    if (x > m) m = x;
  }
  let s = 0;
  for (let k = 0; k < classes; k++) {
    const e = exp(logits[start + k]! - m);
    grad[start + k] = e;
    s = s + e;
  }
  sums[0] = s;
  return m;
}

function shiftedExpsF32(logits: Float32Array, start: number, classes: number, grad: Float32Array, sums: Float64Array): number {
  let m = logits[start]!;
  for (let k = 0; k < classes; k++) {
    const x = logits[start + k]!;
    if (x > m) m = x;
  }
  let s = 0;
  for (let k = 0; k < classes; k++) {
    const e = fround(exp(fround(logits[start + k]! - m)));
    grad[start + k] = e;
    s = fround(s + e);
  }
  sums[0] = s;
  return m;
}

/**
 * Mean cross-entropy against class indices `target` (length rows, integers in
 * [0, classes)); `logits` and `grad` hold `rows × classes` values, `classes` >= 1.
 */
export function crossEntropyIndexF64(logits: Float64Array, target: Float64Array, classes: number, grad: Float64Array): number {
  const rows = target.length;
  return crossEntropyIndexPartialF64(logits, target, classes, rows, grad) / rows;
}

export function crossEntropyIndexF32(logits: Float32Array, target: Float32Array, classes: number, grad: Float32Array): number {
  const rows = target.length;
  return fround(crossEntropyIndexPartialF32(logits, target, classes, rows, grad) / fround(rows));
}

/**
 * These rows' share of the mean cross-entropy over `total` rows (against class indices):
 * the sum of the rows' losses, not divided, with the gradient `(softmax − t) · (1 / total)`.
 */
export function crossEntropyIndexPartialF64(logits: Float64Array, target: Float64Array, classes: number, total: number, grad: Float64Array): number {
  const norm = 1 / total;
  const sums = new Float64Array(1);
  return laneSumF64(target.length, (r) => {
    const start = r * classes;
    const m = shiftedExpsF64(logits, start, classes, grad, sums);
    const s = sums[0]!;
    const logS = log(s);
    const c = target[r]!;
    for (let k = 0; k < classes; k++) {
      const t = k === c ? 1 : 0;
      grad[start + k] = (grad[start + k]! / s - t) * norm;
    }
    return logS - (logits[start + c]! - m);
  });
}

export function crossEntropyIndexPartialF32(logits: Float32Array, target: Float32Array, classes: number, total: number, grad: Float32Array): number {
  const norm = fround(1 / total);
  const sums = new Float64Array(1);
  return laneSumF32(target.length, (r) => {
    const start = r * classes;
    const m = shiftedExpsF32(logits, start, classes, grad, sums);
    const s = sums[0]!;
    const logS = fround(log(s));
    const c = target[r]!;
    for (let k = 0; k < classes; k++) {
      const t = k === c ? 1 : 0;
      grad[start + k] = fround(fround(fround(grad[start + k]! / s) - t) * norm);
    }
    return fround(logS - fround(logits[start + c]! - m));
  });
}

/**
 * Mean cross-entropy against class probabilities `target` (`rows × classes`, like
 * `logits` and `grad`); `classes` >= 1.
 */
export function crossEntropyProbsF64(logits: Float64Array, target: Float64Array, classes: number, grad: Float64Array): number {
  const rows = classes === 0 ? 0 : Math.floor(logits.length / classes);
  const norm = 1 / rows;
  const sums = new Float64Array(1);
  const total = laneSumF64(rows, (r) => {
    const start = r * classes;
    const m = shiftedExpsF64(logits, start, classes, grad, sums);
    const s = sums[0]!;
    const logS = log(s);
    let loss = 0;
    for (let k = 0; k < classes; k++) {
      const t = target[start + k]!;
      loss = loss - t * ((logits[start + k]! - m) - logS);
      grad[start + k] = (grad[start + k]! / s - t) * norm;
    }
    return loss;
  });
  return total / rows;
}

export function crossEntropyProbsF32(logits: Float32Array, target: Float32Array, classes: number, grad: Float32Array): number {
  const rows = classes === 0 ? 0 : Math.floor(logits.length / classes);
  const norm = fround(1 / rows);
  const sums = new Float64Array(1);
  const total = laneSumF32(rows, (r) => {
    const start = r * classes;
    const m = shiftedExpsF32(logits, start, classes, grad, sums);
    const s = sums[0]!;
    const logS = fround(log(s));
    let loss = 0;
    for (let k = 0; k < classes; k++) {
      const t = target[start + k]!;
      loss = fround(loss - fround(t * fround(fround(logits[start + k]! - m) - logS)));
      grad[start + k] = fround(fround(fround(grad[start + k]! / s) - t) * norm);
    }
    return loss;
  });
  return fround(total / fround(rows));
}
