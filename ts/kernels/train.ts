/**
 * TypeScript twin of crate/src/train.rs: many steps of fit()'s inner loop in one call —
 * per batch the model's mean loss and gradient, the total gradient norm as fit()
 * computes it, optional clipping, and one optimizer step on every tensor. The same
 * kernels in the same order as the per-batch path, so every path gives the same bits.
 */
import { scaleF32, scaleF64 } from "./clip.ts";
import { SCALARS, type StepKernel } from "./optim/kernel.ts";
import { sumOfSquaresF32, sumOfSquaresF64 } from "./reduce.ts";
import { shuffle } from "./rng.ts";

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
 * and `flags[j]` on every slot, in f32 when `f32` (the slots' arrays are Float32Arrays)
 * else f64. Stops after recording a batch whose loss or norm is not finite (not stepped)
 * or after stepping one whose norm is below `tol`. Returns the batches recorded. The
 * per-element loops are the kernels' own, each for one array type.
 */
export function steps(
  slots: readonly Slot<Float32Array | Float64Array>[], f32: boolean, order: Uint32Array, batch: number, scalars: Float64Array, flags: Uint32Array,
  maxNorm: number, tol: number, records: Records, kernel: StepKernel, model: (rows: Uint32Array) => number,
): number {
  const single = slots as readonly Slot<Float32Array>[];
  const double = slots as readonly Slot<Float64Array>[];
  const hyper = new Float64Array(SCALARS);
  let done = 0;
  for (let start = 0, j = 0; start < order.length; start += batch, j++) {
    const loss = model(order.subarray(start, Math.min(start + batch, order.length)));
    const norm = f32 ? gradientNormF32(single) : gradientNormF64(double);
    records.loss[j] = loss;
    records.norm[j] = norm;
    done = j + 1;
    if (!(Number.isFinite(loss) && Number.isFinite(norm))) break;
    if (!Number.isNaN(maxNorm)) {
      if (f32) clipF32(single, norm, maxNorm);
      else clipF64(double, norm, maxNorm);
    }
    for (let s = 0; s < SCALARS; s++) hyper[s] = scalars[j * SCALARS + s]!;
    for (let i = 0; i < slots.length; i++) {
      if (f32) kernel.f32(hyper, flags[j]!, single[i]!.param, single[i]!.grad, single[i]!.state);
      else kernel.f64(hyper, flags[j]!, double[i]!.param, double[i]!.grad, double[i]!.state);
    }
    if (norm < tol) break;
  }
  return done;
}

/**
 * What fit() carries from one epoch to the next: scikit-learn's no-improvement rule
 * (`tol`, NaN without it, and `patience` = nIterNoChange epochs) with its count of bad
 * epochs, and the lowest epoch loss so far with the epoch (from 1, within this run; 0 for
 * none) that reached it.
 */
export interface Watch {
  tol: number;
  patience: number;
  bad: number;
  bestLoss: number;
  bestEpoch: number;
}

/**
 * Up to `count` whole epochs: each shuffles `order` with `rng` when given, runs `steps`
 * (`steps` over all of `order` with steps `from … to − 1`'s scalars, flags and
 * records; `⌈order.length / batch⌉` per epoch), then fit()'s end-of-epoch work — the
 * epoch's loss `Σ loss_j · rows_j / Σ rows_j`, the no-improvement rule, and every slot's
 * values copied in order to `best` when that loss is the lowest. Stops after an epoch
 * with a non-finite loss or norm, non-finite weights (no rule, no copy), a last batch
 * whose norm is below `tol`, or a met rule. Returns the batches recorded.
 */
export function epochs(
  slots: readonly Slot<Float32Array | Float64Array>[], order: Uint32Array, batch: number, count: number, rng: Uint32Array | null,
  tol: number, watch: Watch, best: Float32Array | Float64Array, records: Records, steps: (from: number, to: number, records: Records) => number,
): number {
  const n = order.length;
  const per = Math.ceil(n / batch);
  let done = 0;
  for (let e = 0; e < count; e++) {
    if (rng !== null) shuffle(rng, order);
    const from = e * per, to = (e + 1) * per;
    const taken = steps(from, to, { loss: records.loss.subarray(from, to), norm: records.norm.subarray(from, to) });
    done = from + taken;
    const loss = records.loss[done - 1]!, norm = records.norm[done - 1]!;
    if (!(Number.isFinite(loss) && Number.isFinite(norm)) || !slots.every((s) => allFinite(s.param))) return done;
    let sum = 0, rows = 0;
    for (let j = 0; j < taken; j++) {
      const size = Math.min(n, (j + 1) * batch) - j * batch;
      sum += records.loss[from + j]! * size;
      rows += size;
    }
    const epochLoss = sum / rows;
    let stop = norm < tol;
    if (!Number.isNaN(watch.tol)) {
      watch.bad = epochLoss > watch.bestLoss - watch.tol ? watch.bad + 1 : 0;
      stop ||= watch.bad >= watch.patience;
    }
    if (epochLoss < watch.bestLoss) {
      watch.bestLoss = epochLoss;
      watch.bestEpoch = e + 1;
      let at = 0;
      for (let i = 0; i < slots.length; i++) {
        best.set(slots[i]!.param, at);
        at += slots[i]!.param.length;
      }
    }
    if (stop) return done;
  }
  return done;
}

function allFinite(values: Float32Array | Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}
