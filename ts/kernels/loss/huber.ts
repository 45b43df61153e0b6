/**
 * TypeScript twin of crate/src/loss/huber.rs: Huber loss (torch.nn.HuberLoss, reduction
 * "mean"): with z = |ŷ − y|, `0.5·z·z` if z < δ else `δ·(z − 0.5·δ)`, averaged; the
 * backward is torch's `huber_loss_backward`: `−δ·norm` if x < −δ, `δ·norm` if x > δ, else
 * `norm·x`, with x = ŷ − y and norm = 1 / N rounded to the dtype. The f32 version rounds
 * `delta` to f32 first and with Math.fround after every operation.
 */
import { laneSumF32, laneSumF64 } from "./sum.ts";

const fround = Math.fround;

/** Mean Huber loss with threshold `delta` (> 0); the gradient w.r.t. `pred` goes to `grad`. */
export function huberF64(pred: Float64Array, target: Float64Array, delta: number, grad: Float64Array): number {
  const n = pred.length;
  return huberPartialF64(pred, target, delta, n, grad) / n;
}

export function huberF32(pred: Float32Array, target: Float32Array, delta: number, grad: Float32Array): number {
  const n = pred.length;
  return fround(huberPartialF32(pred, target, delta, n, grad) / fround(n));
}

/**
 * These rows' share of the mean Huber loss over `total` rows: the sum of the terms, not
 * divided, with the gradient of the mean over `total` rows (norm = 1 / total).
 */
export function huberPartialF64(pred: Float64Array, target: Float64Array, delta: number, total: number, grad: Float64Array): number {
  const norm = 1 / total;
  const half = 0.5;
  return laneSumF64(pred.length, (i) => {
    const x = pred[i]! - target[i]!;
    const z = Math.abs(x);
    grad[i] = x < -delta ? -delta * norm : x > delta ? delta * norm : norm * x;
    return z < delta ? half * z * z : delta * (z - half * delta);
  });
}

export function huberPartialF32(pred: Float32Array, target: Float32Array, delta: number, total: number, grad: Float32Array): number {
  const d = fround(delta);
  const norm = fround(1 / total);
  const half = 0.5;
  return laneSumF32(pred.length, (i) => {
    const x = fround(pred[i]! - target[i]!);
    const z = Math.abs(x);
    grad[i] = x < -d ? fround(-d * norm) : x > d ? fround(d * norm) : fround(norm * x);
    return z < d ? fround(fround(half * z) * z) : fround(d * fround(z - fround(half * d)));
  });
}
