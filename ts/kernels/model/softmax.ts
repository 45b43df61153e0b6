/**
 * TypeScript twin of crate/src/model/softmax.rs: softmax (multinomial logistic)
 * regression, logits `z = x·W + b` with W `d × k` row-major, against class indices with
 * the mean softmax cross-entropy of ts/kernels/loss/cross_entropy.ts
 * (torch.nn.CrossEntropyLoss), plus optional L2/L1 weight penalties.
 */
import { crossEntropyIndexPartialF32, crossEntropyIndexPartialF64 } from "../loss/cross_entropy.ts";
import { backwardF32, backwardF64, forwardF32, forwardF64, penalizeF32, penalizeF64, type Batch } from "./affine.ts";

/**
 * Mean loss of the batch at weights `w` (d × k) and bias `b` (k values, or empty), plus
 * the penalties; overwrites `gradW` and `gradB` with its gradient. Every target of the
 * batch is an integer in [0, k); `scratch` holds at least `scratchLen(rows, k)` values.
 */
export function lossAndGradientF64(batch: Batch<Float64Array>, k: number, l2: number, l1: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF64(batch, k, m, w, b, gradW, gradB, scratch);
  return penalizeF64(sum / m, w, l2, l1, gradW);
}

/**
 * The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
 * of its rows' losses (not divided, no penalties); overwrites `gradW` and `gradB` with
 * the sum of its rows' terms of the gradient of that mean.
 */
export function partialLossAndGradientF64(batch: Batch<Float64Array>, k: number, total: number, w: Float64Array, b: Float64Array, gradW: Float64Array, gradB: Float64Array, scratch: Float64Array): number {
  const m = batch.rows.length;
  const logits = scratch.subarray(0, m * k);
  const target = scratch.subarray(m * k, m * k + m);
  const g = scratch.subarray(m * k + m, 2 * m * k + m);
  forwardF64(batch, w, b, k, logits, target);
  const sum = crossEntropyIndexPartialF64(logits, target, k, total, g);
  backwardF64(batch, g, k, gradW, gradB);
  return sum;
}

export function lossAndGradientF32(batch: Batch<Float32Array>, k: number, l2: number, l1: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF32(batch, k, m, w, b, gradW, gradB, scratch);
  return penalizeF32(Math.fround(sum / Math.fround(m)), w, l2, l1, gradW);
}

export function partialLossAndGradientF32(batch: Batch<Float32Array>, k: number, total: number, w: Float32Array, b: Float32Array, gradW: Float32Array, gradB: Float32Array, scratch: Float32Array): number {
  const m = batch.rows.length;
  const logits = scratch.subarray(0, m * k);
  const target = scratch.subarray(m * k, m * k + m);
  const g = scratch.subarray(m * k + m, 2 * m * k + m);
  forwardF32(batch, w, b, k, logits, target);
  const sum = crossEntropyIndexPartialF32(logits, target, k, total, g);
  backwardF32(batch, g, k, gradW, gradB);
  return sum;
}
