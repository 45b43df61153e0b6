/**
 * TypeScript twin of crate/src/model/logistic.rs: logistic regression, logits
 * `z = x·w + b` against 0/1 labels with the mean binary cross-entropy from logits of
 * ts/kernels/loss/bce.ts (torch.nn.BCEWithLogitsLoss), plus optional L2/L1 weight penalties.
 */
import { bceWithLogitsPartialF32, bceWithLogitsPartialF64 } from "../loss/bce.ts";
import { backwardF32, backwardF64, forwardF32, forwardF64, penalizeF32, penalizeF64, type Batch } from "./affine.ts";

/**
 * Mean loss of the batch at weights `w` (d values) and bias `b` (1 value, or empty), plus
 * the penalties; overwrites `gradW` and `gradB` with its gradient. `scratch` holds at
 * least `scratchLen(rows, 1)` values.
 */
export function lossAndGradientF64(batch: Batch<Float64Array>, l2: number, l1: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF64(batch, m, w, b, gradW, gradB, scratch);
  return penalizeF64(sum / m, w, l2, l1, gradW);
}

/**
 * The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
 * of its rows' losses (not divided, no penalties); overwrites `gradW` and `gradB` with
 * the sum of its rows' terms of the gradient of that mean.
 */
export function partialLossAndGradientF64(batch: Batch<Float64Array>, total: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const logits = scratch.subarray(0, m);
  const target = scratch.subarray(m, 2 * m);
  const g = scratch.subarray(2 * m, 3 * m);
  forwardF64(batch, w, b, 1, logits, target);
  const sum = bceWithLogitsPartialF64(logits, target, total, g);
  backwardF64(batch, g, 1, gradW, gradB);
  return sum;
}

export function lossAndGradientF32(batch: Batch<Float32Array>, l2: number, l1: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF32(batch, m, w, b, gradW, gradB, scratch);
  return penalizeF32(Math.fround(sum / Math.fround(m)), w, l2, l1, gradW);
}

export function partialLossAndGradientF32(batch: Batch<Float32Array>, total: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const logits = scratch.subarray(0, m);
  const target = scratch.subarray(m, 2 * m);
  const g = scratch.subarray(2 * m, 3 * m);
  forwardF32(batch, w, b, 1, logits, target);
  const sum = bceWithLogitsPartialF32(logits, target, total, g);
  backwardF32(batch, g, 1, gradW, gradB);
  return sum;
}
