/**
 * TypeScript twin of crate/src/model/mlp.rs: a multilayer perceptron, layers
 * `a_l = act(a_{l−1}·W_l + b_l)` (W_l `in × out` row-major), a linear output layer and the
 * loss of ts/kernels/loss/ on its outputs (mean squared error, binary cross-entropy from
 * logits or softmax cross-entropy), plus an optional L2 penalty on the weights: forward,
 * loss and backward (backpropagation, as autograd computes it) of one batch. Dot products
 * add their terms in index order; gradients accumulate from zero in batch order. tanh and
 * sigmoid use ts/kernels/math.ts's exp. The f32 versions round with Math.fround after
 * every operation.
 */
import { maximum } from "../float.ts";
import { bceWithLogitsPartialF32, bceWithLogitsPartialF64 } from "../loss/bce.ts";
import { crossEntropyIndexPartialF32, crossEntropyIndexPartialF64 } from "../loss/cross_entropy.ts";
import { msePartialF32, msePartialF64 } from "../loss/mse.ts";
import { l2PenaltyF32, l2PenaltyF64 } from "../loss/penalty.ts";
import { exp } from "../math.ts";
import type { Batch } from "./affine.ts";

const fround = Math.fround;

/** Activation codes shared with crate/src/model/mlp.rs. */
export const RELU = 0;
export const TANH = 1;
export const SIGMOID = 2;

/** Output (loss) codes: mean squared error, BCE from logits, softmax cross-entropy. */
export const REGRESSION = 0;
export const BINARY = 1;
export const SOFTMAX = 2;

/**
 * Scratch values for a batch of `rows` rows through layers of `sizes` (inputs first):
 * the gathered inputs, every layer's outputs, the targets and two buffers of ∂z.
 */
export function scratchLen(rows: number, sizes: readonly number[]): number {
  let widest = 0, total = 0;
  for (let l = 0; l < sizes.length; l++) {
    total += sizes[l]!;
    if (l > 0 && sizes[l]! > widest) widest = sizes[l]!;
  }
  return rows * (total + 1 + 2 * widest);
}

/**
 * `act(z)`: relu as torch.relu (NaN propagates), tanh as `(1 − e)/(1 + e)` with
 * e = exp(−2|z|) and the sign of z, sigmoid from e = exp(−|z|) without overflow.
 */
export function activateF64(activation: number, z: number): number {
  if (activation === TANH) {
    const a = Math.abs(z);
    const e = exp(-(a + a));
    const t = (1 - e) / (1 + e);
    return z < 0 ? -t : t;
  }
  if (activation === SIGMOID) {
    const e = exp(-Math.abs(z));
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }
  return maximum(z, 0);
}

export function activateF32(activation: number, z: number): number {
  if (activation === TANH) {
    const a = Math.abs(z);
    const e = fround(exp(-fround(a + a)));
    const t = fround(fround(1 - e) / fround(1 + e));
    return z < 0 ? -t : t;
  }
  if (activation === SIGMOID) {
    const e = fround(exp(-Math.abs(z)));
    return z >= 0 ? fround(1 / fround(1 + e)) : fround(e / fround(1 + e));
  }
  return maximum(z, 0);
}

/**
 * `g · act'(z)` from the activation's output `a` (torch's threshold_backward,
 * tanh_backward `g·(1 − a²)` and sigmoid_backward `g·(1 − a)·a`).
 */
export function activationBackwardF64(activation: number, g: number, a: number): number {
  if (activation === TANH) return g * (1 - a * a);
  if (activation === SIGMOID) return g * (1 - a) * a;
  return a > 0 ? g : 0;
}

export function activationBackwardF32(activation: number, g: number, a: number): number {
  if (activation === TANH) return fround(g * fround(1 - fround(a * a)));
  if (activation === SIGMOID) return fround(fround(g * fround(1 - a)) * a);
  return a > 0 ? g : 0;
}

/**
 * One dense layer over `rows` rows: `out[r·o + c] = act(Σ_j input[r·i + j]·w[j·o + c] + b[c])`
 * (no activation on the output layer, `activation` null).
 */
export function denseF64(input: Float64Array, rows: number, w: Float64Array, b: Float64Array, activation: number | null, out: Float64Array): void {
  const o = b.length;
  const i = w.length / o;
  for (let r = 0; r < rows; r++) {
    const a = r * i, z = r * o;
    out.fill(0, z, z + o);
    for (let j = 0; j < i; j++) {
      const aj = input[a + j]!;
      const wj = j * o;
      for (let c = 0; c < o; c++) out[z + c] = out[z + c]! + aj * w[wj + c]!;
    }
    for (let c = 0; c < o; c++) {
      const v = out[z + c]! + b[c]!;
      out[z + c] = activation === null ? v : activateF64(activation, v);
    }
  }
}

export function denseF32(input: Float32Array, rows: number, w: Float32Array, b: Float32Array, activation: number | null, out: Float32Array): void {
  const o = b.length;
  const i = w.length / o;
  for (let r = 0; r < rows; r++) {
    const a = r * i, z = r * o;
    out.fill(0, z, z + o);
    for (let j = 0; j < i; j++) {
      const aj = input[a + j]!;
      const wj = j * o;
      for (let c = 0; c < o; c++) out[z + c] = fround(out[z + c]! + fround(aj * w[wj + c]!));
    }
    for (let c = 0; c < o; c++) {
      const v = fround(out[z + c]! + b[c]!);
      out[z + c] = activation === null ? v : activateF32(activation, v);
    }
  }
}

/**
 * Gathers the batch's rows into `input` and runs every layer, writing each layer's
 * outputs (`rows × sizes[l]`) in turn to `acts`; the last block holds the outputs.
 */
export function forwardF64(batch: Batch<Float64Array>, activation: number, weights: readonly Float64Array[], biases: readonly Float64Array[], input: Float64Array, acts: Float64Array): void {
  const { x, d, rows } = batch;
  const m = rows.length;
  for (let r = 0; r < m; r++) input.set(x.subarray(rows[r]! * d, (rows[r]! + 1) * d), r * d);
  const layers = weights.length;
  let start = 0;
  for (let l = 0; l < layers; l++) {
    const o = biases[l]!.length;
    const previous = l === 0 ? input : acts.subarray(start - m * biases[l - 1]!.length, start);
    denseF64(previous, m, weights[l]!, biases[l]!, l + 1 < layers ? activation : null, acts.subarray(start, start + m * o));
    start += m * o;
  }
}

export function forwardF32(batch: Batch<Float32Array>, activation: number, weights: readonly Float32Array[], biases: readonly Float32Array[], input: Float32Array, acts: Float32Array): void {
  const { x, d, rows } = batch;
  const m = rows.length;
  for (let r = 0; r < m; r++) input.set(x.subarray(rows[r]! * d, (rows[r]! + 1) * d), r * d);
  const layers = weights.length;
  let start = 0;
  for (let l = 0; l < layers; l++) {
    const o = biases[l]!.length;
    const previous = l === 0 ? input : acts.subarray(start - m * biases[l - 1]!.length, start);
    denseF32(previous, m, weights[l]!, biases[l]!, l + 1 < layers ? activation : null, acts.subarray(start, start + m * o));
    start += m * o;
  }
}

/** Layer l's outputs start at m·(sizes[1] + … + sizes[l]) in `acts`. */
function offsetOf(sizes: readonly number[], m: number, l: number): number {
  let s = 0;
  for (let t = 1; t <= l; t++) s += sizes[t]!;
  return m * s;
}

/**
 * Mean loss of the batch (plus `l2·Σ W²` over every weight matrix) at the given weights
 * and biases; overwrites every gradient. `sizes` are the layer widths, inputs first; the
 * output layer has 1 unit (REGRESSION, BINARY) or the classes (SOFTMAX, every target an
 * integer in [0, classes)). `scratch` holds at least `scratchLen(rows, sizes)` values.
 */
export function lossAndGradientF64(
  batch: Batch<Float64Array>, sizes: readonly number[], activation: number, output: number, l2: number,
  weights: readonly Float64Array[], biases: readonly Float64Array[], gradW: readonly Float64Array[], gradB: readonly Float64Array[], scratch: Float64Array,
): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF64(batch, sizes, activation, output, m, weights, biases, gradW, gradB, scratch);
  let total = sum / m;
  if (l2 !== 0) {
    for (let l = 0; l < weights.length; l++) total = total + l2PenaltyF64(weights[l]!, l2, gradW[l]!);
  }
  return total;
}

/**
 * The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
 * of its rows' losses (not divided, no penalty); overwrites every gradient with the sum of
 * its rows' terms of the gradient of that mean, the same terms as `lossAndGradient` over
 * all `total` rows.
 */
export function partialLossAndGradientF64(
  batch: Batch<Float64Array>, sizes: readonly number[], activation: number, output: number, total: number,
  weights: readonly Float64Array[], biases: readonly Float64Array[], gradW: readonly Float64Array[], gradB: readonly Float64Array[], scratch: Float64Array,
): number {
  const m = batch.rows.length;
  const layers = weights.length;
  let widest = 0, hidden = 0;
  for (let l = 1; l < sizes.length; l++) {
    hidden += sizes[l]!;
    if (sizes[l]! > widest) widest = sizes[l]!;
  }
  let at = 0;
  const input = scratch.subarray(at, (at += m * sizes[0]!));
  const acts = scratch.subarray(at, (at += m * hidden));
  const target = scratch.subarray(at, (at += m));
  const delta = scratch.subarray(at, (at += m * widest));
  const next = scratch.subarray(at, (at += m * widest));
  forwardF64(batch, activation, weights, biases, input, acts);
  for (let r = 0; r < m; r++) target[r] = batch.y[batch.rows[r]!]!;
  const k = sizes[layers]!;
  const out = acts.subarray(offsetOf(sizes, m, layers - 1), offsetOf(sizes, m, layers - 1) + m * k);
  const g0 = delta.subarray(0, m * k);
  const sum = output === BINARY ? bceWithLogitsPartialF64(out, target, total, g0) : output === SOFTMAX ? crossEntropyIndexPartialF64(out, target, k, total, g0) : msePartialF64(out, target, total, g0);
  let g = delta, h = next;
  for (let l = layers - 1; l >= 0; l--) {
    const i = sizes[l]!, o = sizes[l + 1]!;
    const a = l === 0 ? input : acts.subarray(offsetOf(sizes, m, l - 1), offsetOf(sizes, m, l - 1) + m * i);
    const gw = gradW[l]!, gb = gradB[l]!;
    gw.fill(0);
    gb.fill(0);
    for (let r = 0; r < m; r++) {
      const gr = r * o, ar = r * i;
      for (let j = 0; j < i; j++) {
        const aj = a[ar + j]!;
        const row = j * o;
        for (let c = 0; c < o; c++) gw[row + c] = gw[row + c]! + g[gr + c]! * aj;
      }
      for (let c = 0; c < o; c++) gb[c] = gb[c]! + g[gr + c]!;
    }
    if (l > 0) {
      // ∂a_{l−1} = g·W_lᵀ, then through the activation.
      const w = weights[l]!;
      for (let r = 0; r < m; r++) {
        const gr = r * o;
        for (let j = 0; j < i; j++) {
          const wj = j * o;
          let s = 0;
          for (let c = 0; c < o; c++) s = s + g[gr + c]! * w[wj + c]!;
          h[r * i + j] = activationBackwardF64(activation, s, a[r * i + j]!);
        }
      }
      [g, h] = [h, g];
    }
  }
  return sum;
}

export function lossAndGradientF32(
  batch: Batch<Float32Array>, sizes: readonly number[], activation: number, output: number, l2: number,
  weights: readonly Float32Array[], biases: readonly Float32Array[], gradW: readonly Float32Array[], gradB: readonly Float32Array[], scratch: Float32Array,
): number {
  const m = batch.rows.length;
  const sum = partialLossAndGradientF32(batch, sizes, activation, output, m, weights, biases, gradW, gradB, scratch);
  let total = fround(sum / fround(m));
  if (fround(l2) !== 0) {
    for (let l = 0; l < weights.length; l++) total = fround(total + l2PenaltyF32(weights[l]!, l2, gradW[l]!));
  }
  return total;
}

export function partialLossAndGradientF32(
  batch: Batch<Float32Array>, sizes: readonly number[], activation: number, output: number, total: number,
  weights: readonly Float32Array[], biases: readonly Float32Array[], gradW: readonly Float32Array[], gradB: readonly Float32Array[], scratch: Float32Array,
): number {
  const m = batch.rows.length;
  const layers = weights.length;
  let widest = 0, hidden = 0;
  for (let l = 1; l < sizes.length; l++) {
    hidden += sizes[l]!;
    if (sizes[l]! > widest) widest = sizes[l]!;
  }
  let at = 0;
  const input = scratch.subarray(at, (at += m * sizes[0]!));
  const acts = scratch.subarray(at, (at += m * hidden));
  const target = scratch.subarray(at, (at += m));
  const delta = scratch.subarray(at, (at += m * widest));
  const next = scratch.subarray(at, (at += m * widest));
  forwardF32(batch, activation, weights, biases, input, acts);
  for (let r = 0; r < m; r++) target[r] = batch.y[batch.rows[r]!]!;
  const k = sizes[layers]!;
  const out = acts.subarray(offsetOf(sizes, m, layers - 1), offsetOf(sizes, m, layers - 1) + m * k);
  const g0 = delta.subarray(0, m * k);
  const sum = output === BINARY ? bceWithLogitsPartialF32(out, target, total, g0) : output === SOFTMAX ? crossEntropyIndexPartialF32(out, target, k, total, g0) : msePartialF32(out, target, total, g0);
  let g = delta, h = next;
  for (let l = layers - 1; l >= 0; l--) {
    const i = sizes[l]!, o = sizes[l + 1]!;
    const a = l === 0 ? input : acts.subarray(offsetOf(sizes, m, l - 1), offsetOf(sizes, m, l - 1) + m * i);
    const gw = gradW[l]!, gb = gradB[l]!;
    gw.fill(0);
    gb.fill(0);
    for (let r = 0; r < m; r++) {
      const gr = r * o, ar = r * i;
      for (let j = 0; j < i; j++) {
        const aj = a[ar + j]!;
        const row = j * o;
        for (let c = 0; c < o; c++) gw[row + c] = fround(gw[row + c]! + fround(g[gr + c]! * aj));
      }
      for (let c = 0; c < o; c++) gb[c] = fround(gb[c]! + g[gr + c]!);
    }
    if (l > 0) {
      const w = weights[l]!;
      for (let r = 0; r < m; r++) {
        const gr = r * o;
        for (let j = 0; j < i; j++) {
          const wj = j * o;
          let s = 0;
          for (let c = 0; c < o; c++) s = fround(s + fround(g[gr + c]! * w[wj + c]!));
          h[r * i + j] = activationBackwardF32(activation, s, a[r * i + j]!);
        }
      }
      [g, h] = [h, g];
    }
  }
  return sum;
}
