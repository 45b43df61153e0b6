/**
 * TypeScript twin of crate/src/loss/mse.rs: the residual `d = y − ŷ`, the residual sum of
 * squares and the mean squared error (torch.nn.MSELoss, reduction "mean"; its backward
 * `mse_loss_backward` computes `norm · (ŷ − y)` with `norm = 2 / N` rounded to the dtype).
 * The f32 versions round with Math.fround after every operation.
 */
import { laneSumF32, laneSumF64 } from "./sum.ts";

const fround = Math.fround;

/** `out_i = y_i − ŷ_i`. */
export function residualF64(pred: Float64Array, target: Float64Array, out: Float64Array): void {
  for (let i = 0; i < pred.length; i++) out[i] = target[i]! - pred[i]!;
}

export function residualF32(pred: Float32Array, target: Float32Array, out: Float32Array): void {
  for (let i = 0; i < pred.length; i++) out[i] = fround(target[i]! - pred[i]!);
}

/** `Σ (y − ŷ)²` (torch.nn.MSELoss, reduction "sum"); `grad_i = 2 · (ŷ_i − y_i)`. */
export function rssF64(pred: Float64Array, target: Float64Array, grad: Float64Array): number {
  const two = 1 + 1;
  return laneSumF64(pred.length, (i) => {
    const d = target[i]! - pred[i]!;
    grad[i] = two * (pred[i]! - target[i]!);
    return d * d;
  });
}

export function rssF32(pred: Float32Array, target: Float32Array, grad: Float32Array): number {
  const two = fround(1 + 1);
  return laneSumF32(pred.length, (i) => {
    const d = fround(target[i]! - pred[i]!);
    grad[i] = fround(two * fround(pred[i]! - target[i]!));
    return fround(d * d);
  });
}

/** `Σ (y − ŷ)² / N` (torch.nn.MSELoss); `grad_i = (2 / N) · (ŷ_i − y_i)`. NaN when N = 0, as torch. */
export function mseF64(pred: Float64Array, target: Float64Array, grad: Float64Array): number {
  const n = pred.length;
  return msePartialF64(pred, target, n, grad) / n;
}

export function mseF32(pred: Float32Array, target: Float32Array, grad: Float32Array): number {
  const n = pred.length;
  return fround(msePartialF32(pred, target, n, grad) / fround(n));
}

/**
 * These rows' share of the mean squared error over `total` rows (data-parallel fits):
 * `Σ (y − ŷ)²`, not divided, and `grad_i = (2 / total) · (ŷ_i − y_i)`, the same terms as
 * `mse` over all `total` rows.
 */
export function msePartialF64(pred: Float64Array, target: Float64Array, total: number, grad: Float64Array): number {
  const norm = 2 / total;
  return laneSumF64(pred.length, (i) => {
    const d = target[i]! - pred[i]!;
    grad[i] = norm * (pred[i]! - target[i]!);
    return d * d;
  });
}

export function msePartialF32(pred: Float32Array, target: Float32Array, total: number, grad: Float32Array): number {
  const norm = fround(2 / total);
  return laneSumF32(pred.length, (i) => {
    const d = fround(target[i]! - pred[i]!);
    grad[i] = fround(norm * fround(pred[i]! - target[i]!));
    return fround(d * d);
  });
}
