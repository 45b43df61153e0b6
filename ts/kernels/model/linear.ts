/**
 * TypeScript twin of crate/src/model/linear.rs: linear regression `ŷ = x·w + b` with a
 * regression loss of ts/kernels/loss/ (mean squared error by default; mean absolute error
 * or Huber) plus optional L2/L1 weight penalties, forward and backward of one batch.
 */
import { huberPartialF32, huberPartialF64 } from "../loss/huber.ts";
import { maePartialF32, maePartialF64 } from "../loss/mae.ts";
import { msePartialF32, msePartialF64 } from "../loss/mse.ts";
import { backwardF32, backwardF64, forwardF32, forwardF64, penalizeF32, penalizeF64, type Batch } from "./affine.ts";

/** Loss codes shared with crate/src/model/linear.rs. */
export const MSE = 0;
export const MAE = 1;
export const HUBER = 2;

/** The regression loss: `code` is MSE, MAE or HUBER (with threshold `delta` > 0). */
export interface Loss {
  readonly code: number;
  readonly delta: number;
}

/**
 * Mean loss of the batch at weights `w` (d values) and bias `b` (1 value, or empty), plus
 * the penalties; overwrites `gradW` and `gradB` with its gradient. `scratch` holds at
 * least `scratchLen(rows, 1)` values.
 */
export function lossAndGradientF64(batch: Batch<Float64Array>, loss: Loss, l2: number, l1: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF64(batch, loss, m, w, b, gradW, gradB, scratch);
  return penalizeF64(sum / m, w, l2, l1, gradW);
}

/**
 * The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
 * of its rows' losses (not divided, no penalties); overwrites `gradW` and `gradB` with
 * the sum of its rows' terms of the gradient of that mean, the same terms as
 * `lossAndGradient` over all `total` rows.
 */
export function partialLossAndGradientF64(batch: Batch<Float64Array>, loss: Loss, total: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const pred = scratch.subarray(0, m);
  const target = scratch.subarray(m, 2 * m);
  const g = scratch.subarray(2 * m, 3 * m);
  forwardF64(batch, w, b, 1, pred, target);
  const sum = loss.code === MAE ? maePartialF64(pred, target, total, g) : loss.code === HUBER ? huberPartialF64(pred, target, loss.delta, total, g) : msePartialF64(pred, target, total, g);
  backwardF64(batch, g, 1, gradW, gradB);
  return sum;
}

export function lossAndGradientF32(batch: Batch<Float32Array>, loss: Loss, l2: number, l1: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF32(batch, loss, m, w, b, gradW, gradB, scratch);
  return penalizeF32(Math.fround(sum / Math.fround(m)), w, l2, l1, gradW);
}

export function partialLossAndGradientF32(batch: Batch<Float32Array>, loss: Loss, total: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const pred = scratch.subarray(0, m);
  const target = scratch.subarray(m, 2 * m);
  const g = scratch.subarray(2 * m, 3 * m);
  forwardF32(batch, w, b, 1, pred, target);
  const sum = loss.code === MAE ? maePartialF32(pred, target, total, g) : loss.code === HUBER ? huberPartialF32(pred, target, loss.delta, total, g) : msePartialF32(pred, target, total, g);
  backwardF32(batch, g, 1, gradW, gradB);
  return sum;
}
