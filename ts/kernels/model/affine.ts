/**
 * TypeScript twin of crate/src/model/affine.rs: the affine map shared by the linear
 * models, `z = x·W + b` over a batch of rows of a resident dataset, and its backward
 * `∂W = Σ_r x_rᵀ g_r`, `∂b = Σ_r g_r` (what autograd computes for torch.nn.Linear
 * followed by a loss). W is `d × k` row-major, b has k values or none. Dot products are
 * summed in ts/kernels/loss/sum.ts's order; gradients accumulate row by row in batch
 * order. The f32 versions round with Math.fround after every operation.
 */
import { l1PenaltyF32, l1PenaltyF64, l2PenaltyF32, l2PenaltyF64 } from "../loss/penalty.ts";
import { laneSumF32, laneSumF64 } from "../loss/sum.ts";

const fround = Math.fround;

/**
 * Rows `rows` (indices into the n samples) of a dataset: `x` holds `n × d` features
 * row-major, `y` one target per sample.
 */
export interface Batch<A> {
  readonly x: A;
  readonly y: A;
  readonly d: number;
  readonly rows: Uint32Array;
}

/** Scratch values a model kernel needs for `rows` rows and `k` outputs: z, the targets and ∂z. */
export function scratchLen(rows: number, k: number): number {
  return rows * (2 * k + 1);
}

/** fit()'s row order before its first shuffle: row i at position i, for the first `n` entries. */
export function fillInOrder(rows: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) rows[i] = i;
}

/**
 * A data-parallel fit's worker holds the rows `[first, first + len)` of the dataset; this
 * picks its rows of a batch (indices into the dataset): those in its range, as indices
 * into its shard, in batch order, written to the front of `out` (as many as fit).
 * Returns how many there are, which may exceed `out.length`.
 */
export function selectRows(batch: Uint32Array, first: number, len: number, out: Uint32Array): number {
  let count = 0;
  for (let i = 0; i < batch.length; i++) {
    const local = (batch[i]! - first) >>> 0;
    if (local < len) {
      if (count < out.length) out[count] = local;
      count++;
    }
  }
  return count;
}

/**
 * `z[r·k + c] = Σ_j x[i, j] · w[j·k + c] (+ b[c])` and `target[r] = y[i]` for the r-th
 * row i of the batch; `b` is empty without a bias.
 */
export function forwardF64(batch: Batch<Float64Array>, w: Float64Array, b: Float64Array, k: number, z: Float64Array, target: Float64Array): void {
  const { x, y, d, rows } = batch;
  for (let r = 0; r < rows.length; r++) {
    const start = rows[r]! * d;
    for (let c = 0; c < k; c++) {
      const dot = laneSumF64(d, (j) => x[start + j]! * w[j * k + c]!);
      z[r * k + c] = b.length === 0 ? dot : dot + b[c]!;
    }
    target[r] = y[rows[r]!]!;
  }
}

export function forwardF32(batch: Batch<Float32Array>, w: Float32Array, b: Float32Array, k: number, z: Float32Array, target: Float32Array): void {
  const { x, y, d, rows } = batch;
  for (let r = 0; r < rows.length; r++) {
    const start = rows[r]! * d;
    for (let c = 0; c < k; c++) {
      const dot = laneSumF32(d, (j) => fround(x[start + j]! * w[j * k + c]!));
      z[r * k + c] = b.length === 0 ? dot : fround(dot + b[c]!);
    }
    target[r] = y[rows[r]!]!;
  }
}

/**
 * Overwrites `gradW` (d × k) with `Σ_r x_rᵀ g_r` and `gradB` (k values, or empty) with
 * `Σ_r g_r`, accumulating from zero in batch order; `g` holds the batch's `rows × k`
 * gradients w.r.t. z.
 */
export function backwardF64(batch: Batch<Float64Array>, g: Float64Array, k: number, gradW: Float64Array, gradB: Float64Array): void {
  const { x, d, rows } = batch;
  gradW.fill(0);
  gradB.fill(0);
  for (let r = 0; r < rows.length; r++) {
    const start = rows[r]! * d;
    const gr = r * k;
    for (let j = 0; j < d; j++) {
      const xj = x[start + j]!;
      const gw = j * k;
      for (let c = 0; c < k; c++) gradW[gw + c] = gradW[gw + c]! + g[gr + c]! * xj;
    }
    for (let c = 0; c < gradB.length; c++) gradB[c] = gradB[c]! + g[gr + c]!;
  }
}

export function backwardF32(batch: Batch<Float32Array>, g: Float32Array, k: number, gradW: Float32Array, gradB: Float32Array): void {
  const { x, d, rows } = batch;
  gradW.fill(0);
  gradB.fill(0);
  for (let r = 0; r < rows.length; r++) {
    const start = rows[r]! * d;
    const gr = r * k;
    for (let j = 0; j < d; j++) {
      const xj = x[start + j]!;
      const gw = j * k;
      for (let c = 0; c < k; c++) gradW[gw + c] = fround(gradW[gw + c]! + fround(g[gr + c]! * xj));
    }
    for (let c = 0; c < gradB.length; c++) gradB[c] = fround(gradB[c]! + g[gr + c]!);
  }
}

/**
 * `value + λ₂·Σ w² + λ₁·Σ |w|` (ts/kernels/loss/penalty.ts, the bias is not penalized),
 * adding the penalties' gradients into `gradW`; a zero λ adds nothing.
 */
export function penalizeF64(value: number, w: Float64Array, l2: number, l1: number, gradW: Float64Array): number {
  let total = value;
  if (l2 !== 0) total = total + l2PenaltyF64(w, l2, gradW);
  if (l1 !== 0) total = total + l1PenaltyF64(w, l1, gradW);
  return total;
}

export function penalizeF32(value: number, w: Float32Array, l2: number, l1: number, gradW: Float32Array): number {
  let total = value;
  if (fround(l2) !== 0) total = fround(total + l2PenaltyF32(w, l2, gradW));
  if (fround(l1) !== 0) total = fround(total + l1PenaltyF32(w, l1, gradW));
  return total;
}
