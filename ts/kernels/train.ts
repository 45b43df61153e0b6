/**
 * TypeScript twin of crate/src/train.rs: many steps of fit()'s inner loop in one call —
 * per batch the model's mean loss and gradient, the total gradient norm as fit()
 * computes it, optional clipping, and one optimizer step on every tensor. The same
 * kernels in the same order as the per-batch path, so every path gives the same bits.
 */
import { scaleF32, scaleF64 } from "./clip.ts";
import { SCALARS, type StepKernel } from "./optim/kernel.ts";
import { sumOfSquaresF32, sumOfSquaresF64 } from "./reduce.ts";

/** One tensor the optimizer updates, with its gradient and the optimizer's state buffers (empty where it keeps none). */
export interface Slot<A> {
  readonly param: A;
  readonly grad: A;
  readonly state: A[];
}

/** What each step records: the batch's mean loss and the gradient norm before clipping. */
export interface Records {
  readonly loss: Float64Array;
  readonly norm: Float64Array;
}

/** The total gradient norm: each tensor's norm in its dtype, then `sqrt(Σ n_i²)` in f64. */
export function gradientNormF64(slots: readonly Slot<Float64Array>[]): number {
  let total = 0;
  for (let i = 0; i < slots.length; i++) {
    const n = Math.sqrt(sumOfSquaresF64(slots[i]!.grad));
    total += n * n;
  }
  return Math.sqrt(total);
}

export function gradientNormF32(slots: readonly Slot<Float32Array>[]): number {
  let total = 0;
  for (let i = 0; i < slots.length; i++) {
    const n = Math.fround(Math.sqrt(sumOfSquaresF32(slots[i]!.grad)));
    total += n * n;
  }
  return Math.sqrt(total);
}

/** clip_grad_norm_ given the total norm: scales every gradient by `maxNorm / (total + 1e-6)` when that is below 1 (or NaN). */
export function clipF64(slots: readonly Slot<Float64Array>[], total: number, maxNorm: number): void {
  const coefficient = (1 / (total + 1e-6)) * maxNorm;
  if (!(coefficient >= 1)) for (let i = 0; i < slots.length; i++) scaleF64(slots[i]!.grad, coefficient);
}

export function clipF32(slots: readonly Slot<Float32Array>[], total: number, maxNorm: number): void {
  const coefficient = (1 / (total + 1e-6)) * maxNorm;
  if (!(coefficient >= 1)) for (let i = 0; i < slots.length; i++) scaleF32(slots[i]!.grad, coefficient);
}

/**
 * One step per batch of `batch` rows of `order` (the last one shorter): `model` writes
 * every slot's gradient for those rows and returns their mean loss; then the norm,
 * clipping when `maxNorm` is not NaN, and `kernel` with step j's `scalars[j·SCALARS …]`
 * and `flags[j]`. Stops after recording a batch whose loss or norm is not finite (not
 * stepped) or after stepping one whose norm is below `tol`. Returns the batches recorded.
 */
export function stepsF64(
  slots: readonly Slot<Float64Array>[], order: Uint32Array, batch: number, scalars: Float64Array, flags: Uint32Array,
  maxNorm: number, tol: number, records: Records, kernel: StepKernel, model: (rows: Uint32Array) => number,
): number {
  const hyper = new Float64Array(SCALARS);
  let done = 0;
  for (let start = 0, j = 0; start < order.length; start += batch, j++) {
    const loss = model(order.subarray(start, Math.min(start + batch, order.length)));
    const norm = gradientNormF64(slots);
    records.loss[j] = loss;
    records.norm[j] = norm;
    done = j + 1;
    if (!(Number.isFinite(loss) && Number.isFinite(norm))) break;
    if (!Number.isNaN(maxNorm)) clipF64(slots, norm, maxNorm);
    for (let s = 0; s < SCALARS; s++) hyper[s] = scalars[j * SCALARS + s]!;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      kernel.f64(hyper, flags[j]!, slot.param, slot.grad, slot.state);
    }
    if (norm < tol) break;
  }
  return done;
}

export function stepsF32(
  slots: readonly Slot<Float32Array>[], order: Uint32Array, batch: number, scalars: Float64Array, flags: Uint32Array,
  maxNorm: number, tol: number, records: Records, kernel: StepKernel, model: (rows: Uint32Array) => number,
): number {
  const hyper = new Float64Array(SCALARS);
  let done = 0;
  for (let start = 0, j = 0; start < order.length; start += batch, j++) {
    const loss = model(order.subarray(start, Math.min(start + batch, order.length)));
    const norm = gradientNormF32(slots);
    records.loss[j] = loss;
    records.norm[j] = norm;
    done = j + 1;
    if (!(Number.isFinite(loss) && Number.isFinite(norm))) break;
    if (!Number.isNaN(maxNorm)) clipF32(slots, norm, maxNorm);
    for (let s = 0; s < SCALARS; s++) hyper[s] = scalars[j * SCALARS + s]!;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      kernel.f32(hyper, flags[j]!, slot.param, slot.grad, slot.state);
    }
    if (norm < tol) break;
  }
  return done;
}
