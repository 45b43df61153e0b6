/**
 * The backend interface: one method per kernel, the same signature on both sides.
 * `wasm` runs the Rust crate; `ts` runs the TypeScript twins in ts/kernels/.
 */
import type { ArrayOf, Dtype } from "../dtype.ts";
import { DownhillRangeError, describe, disposedError } from "../errors.ts";
import type { KernelName } from "../kernels/optim/index.ts";
import type { View } from "../kernels/tensor/view.ts";

/** The two backends: "wasm" (Rust compiled to WebAssembly) and "ts" (pure TypeScript, the same bits). */
export type BackendName = "wasm" | "ts";

/** A buffer of one dtype owned by a backend: WASM linear memory or a plain typed array. */
export interface Storage<D extends Dtype = Dtype> {
  readonly dtype: D;
  readonly length: number;
  /** A live view; re-created after WASM memory grows, so never cache it across a call that may allocate. */
  readonly array: ArrayOf<D>;
  readonly disposed: boolean;
  /** Frees the memory; idempotent. */
  dispose(): void;
}

/** One tensor of an optimizer step: parameter, gradient and the optimizer's state buffers. */
export interface StepRow {
  readonly param: Storage;
  readonly grad: Storage;
  /** State buffers in the kernel's order; null where the optimizer keeps none. */
  readonly state: readonly (Storage | null)[];
}

/** The tensors of one parameter group and dtype, prepared once for repeated steps. */
export interface StepPlan {
  readonly dtype: Dtype;
  readonly rows: readonly StepRow[];
  dispose(): void;
}

export interface Backend {
  readonly name: BackendName;
  /** A zero-filled buffer; OUT_OF_MEMORY when the backend cannot hold it (nothing allocated). */
  alloc<D extends Dtype>(dtype: D, length: number): Storage<D>;
  /**
   * Checks, before anything is allocated, that buffers of these byte sizes can all be
   * held at once; throws OUT_OF_MEMORY naming `what` otherwise. Objects that allocate
   * several buffers call it first, so that a request too large fails with nothing
   * touched (not after filling gigabytes).
   */
  reserve(bytes: readonly number[], what: string): void;
  /** Prepares `rows` (all of `dtype`, each with `stateCount` state slots) for stepping. */
  plan(dtype: Dtype, rows: readonly StepRow[], stateCount: number): StepPlan;
  /**
   * One optimizer step on every row of `plan`: crate/src/optim/<kernel>.rs on wasm,
   * ts/kernels/optim/<kernel>.ts on ts. `scalars` has SCALARS entries (kernel.ts).
   */
  step(kernel: KernelName, plan: StepPlan, scalars: Float64Array, flags: number): void;
  /**
   * Reductions of one buffer, computed in its dtype in the summation order of
   * crate/src/reduce.rs ↔ ts/kernels/reduce.ts, returned as a number: `Σ x²`, `Σ |x|`
   * and `max |x|` (NaN if any element is NaN; 0 when empty).
   */
  sumOfSquares(x: Storage): number;
  sumOfAbs(x: Storage): number;
  maxAbs(x: Storage): number;
  /** `x ← x · factor` in place, `factor` rounded to the dtype (crate/src/clip.rs). */
  scale(x: Storage, factor: number): void;
  /** `x ← clamp(x, min, max)` in place, the bounds rounded to the dtype; needs `min <= max`. */
  clamp(x: Storage, min: number, max: number): void;
  /**
   * Losses (crate/src/loss/ ↔ ts/kernels/loss/), computed in the dtype of their buffers
   * (all the same) and returned as a number; the gradient w.r.t. the predictions, already
   * divided by N for means, is written to `grad`. Inputs are checked by the caller.
   */
  residual(pred: Storage, target: Storage, out: Storage): void;
  loss(name: LossName, pred: Storage, target: Storage, grad: Storage): number;
  huberLoss(pred: Storage, target: Storage, delta: number, grad: Storage): number;
  /** `logits` and `grad` hold rows × classes values; `target` rows class indices (as floats) or rows × classes probabilities. */
  crossEntropy(targets: CrossEntropyTargets, logits: Storage, target: Storage, classes: number, grad: Storage): number;
  /** Returns the penalty of `weights` and adds its gradient into `grad`. */
  penalty(name: PenaltyName, weights: Storage, lambda: number, grad: Storage): number;
  /** A zero-filled buffer of `length` row indices (u32), for model batches. */
  allocRows(length: number): RowStorage;
  /**
   * Shuffles the first `count` entries of `rows` in place with the generator whose 4 state
   * words are the first entries of `state`, advanced in place: crate/src/rng.rs `shuffle`
   * ↔ ts/kernels/rng.ts, the same swaps on both backends. Inputs are checked by the caller.
   */
  shuffleRows(state: RowStorage, rows: RowStorage, count: number): void;
  /**
   * Writes 0, 1, …, count − 1 to the first `count` entries of `rows` (fit's order before
   * its first shuffle): crate/src/model/affine.rs `fill_in_order` ↔ ts/kernels/model/affine.ts.
   * Refuses a `count` the buffer does not hold (INVALID_ARGUMENT), writing nothing.
   */
  fillRowsInOrder(rows: RowStorage, count: number): void;
  /**
   * A model's fused kernel (crate/src/model/ ↔ ts/kernels/model/) on the first `count`
   * rows of `call.rows`: forward, loss and backward in one call. Writes the gradient to
   * `gradW`/`gradB` and returns the mean loss plus penalties. Inputs are checked by the caller.
   */
  modelLossAndGradient(call: ModelCall, count: number): number;
  /**
   * The multilayer perceptron's fused kernel (crate/src/model/mlp.rs ↔
   * ts/kernels/model/mlp.ts) on the first `count` rows of `call.rows`: forward, loss and
   * backpropagation in one call. Writes every gradient and returns the mean loss plus the
   * penalty. Inputs are checked by the caller.
   */
  mlpLossAndGradient(call: MlpCall, count: number): number;
  /**
   * Many steps of fit()'s inner loop in one call (crate/src/train.rs ↔
   * ts/kernels/train.ts): per batch of `call.batch` rows of the `call.count` rows of
   * `call.model.rows` from `call.first` on, the model's kernel, the gradient norm, clipping and the optimizer's
   * step kernel on `call.plan` (row 0 the model's weights, row 1 its bias). Writes each
   * batch's loss and norm to `call.losses`/`call.norms` and returns how many batches it
   * recorded (see crate/src/train.rs for where it stops). Inputs are checked by the caller.
   */
  train(call: TrainCall): number;
  /** Autograd's kernels (crate/src/tensor/ ↔ ts/kernels/tensor/). */
  readonly tensor: TensorKernels;
}

/**
 * The kernels of autograd tensors (ts/autograd/tensor.ts), on buffers of one dtype and
 * backend seen as `rows × cols` matrices through views (ts/kernels/tensor/view.ts).
 * Codes are those of crate/src/tensor/elementwise.rs. Backward kernels add into `grad`.
 * Inputs are checked by the caller; written buffers overlap no input.
 */
export interface TensorKernels {
  /** `out = op(x)`; `p` is the exponent of POW. */
  unary(op: number, p: number, x: Storage, out: Storage): void;
  /** `grad += g · op'(x)` from the input x and output y of `unary`. */
  unaryBackward(op: number, p: number, x: Storage, y: Storage, g: Storage, grad: Storage): void;
  /** `out[r, c] = a[av(r, c)] op b[bv(r, c)]`, out dense `rows × cols`. */
  binary(op: number, a: Storage, av: View, b: Storage, bv: View, rows: number, cols: number, out: Storage): void;
  /** Adds ∂(a op b)/∂side · g into `grad`, laid out like that input. */
  binaryBackward(op: number, side: number, g: Storage, a: Storage, av: View, b: Storage, bv: View, rows: number, cols: number, grad: Storage): void;
  /** `out += A·B`, A `m × k` and B `k × n` through their views, out dense `m × n`. */
  matmul(a: Storage, av: View, b: Storage, bv: View, m: number, k: number, n: number, out: Storage): void;
  /** `out[0] = Σ x` in lane order. */
  sum(x: Storage, out: Storage): void;
  /** Sums of a dense `rows × cols` x along axis 0 (`cols` values) or 1 (`rows` values). */
  sumAxis(x: Storage, rows: number, cols: number, axis: number, out: Storage): void;
  /** `out[r·cols + c] = x[view(r, c)]`. */
  copy(x: Storage, view: View, rows: number, cols: number, out: Storage): void;
  /** `dst[dstView(r, c)] += src[srcView(r, c)]` in row-major order. */
  addStrided(src: Storage, srcView: View, dst: Storage, dstView: View, rows: number, cols: number): void;
}

/** Row indices (u32) owned by a backend: WASM linear memory or a plain Uint32Array. */
export interface RowStorage {
  readonly length: number;
  /** A live view; re-created after WASM memory grows. */
  readonly array: Uint32Array;
  readonly disposed: boolean;
  dispose(): void;
}

/** The linear models' kernels: crate/src/model/{linear,logistic,softmax}.rs. */
export type ModelName = "linear" | "logistic" | "softmax";

/** The buffers (all of one dtype and backend) and hyperparameters of a model kernel call. */
export interface ModelCall {
  readonly model: ModelName;
  /** n × d features, row-major, and n targets (class indices as floats for softmax). */
  readonly x: Storage;
  readonly y: Storage;
  readonly n: number;
  readonly d: number;
  /** Outputs: 1, or the classes of softmax. */
  readonly k: number;
  readonly rows: RowStorage;
  /** d × k weights and k biases (null without a bias), with their gradients. */
  readonly weights: Storage;
  readonly bias: Storage | null;
  readonly gradW: Storage;
  readonly gradB: Storage | null;
  /** At least `count · (2k + 1)` values. */
  readonly scratch: Storage;
  /** Linear regression's loss: 0 MSE, 1 MAE, 2 Huber (threshold `delta`); 0 otherwise. */
  readonly loss: number;
  readonly delta: number;
  /** Penalty weights (λ ≥ 0) on the weights, not the bias. */
  readonly l2: number;
  readonly l1: number;
}

/** The buffers and settings of a run of training steps (Backend.train). */
export interface TrainCall {
  /** The model's kernel call; its `rows` hold the batches' rows in order. */
  readonly model: ModelCall;
  /** Where the batches' rows start in `model.rows`. */
  readonly first: number;
  /** Rows of `model.rows` the batches cover, from `first` on (whole epochs shuffle them in place). */
  readonly count: number;
  /** Rows per batch (the last batch may be shorter). */
  readonly batch: number;
  readonly kernel: KernelName;
  readonly plan: StepPlan;
  /** SCALARS values per step, and each step's flags (u32). */
  readonly scalars: Storage;
  readonly flags: RowStorage;
  /** clipGradNorm's maximum norm, NaN for none. */
  readonly maxNorm: number;
  /** Stop after a step whose gradient norm is below this. */
  readonly tol: number;
  /** One f64 per batch each. */
  readonly losses: Storage;
  readonly norms: Storage;
  /** Whole epochs over the `count` rows with fit()'s end-of-epoch work, or null for one run of batches. */
  readonly epochs: EpochsCall | null;
}

/** Whole epochs in one run (crate/src/train.rs `epochs`): `count` epochs of `⌈rows / batch⌉` steps. */
export interface EpochsCall {
  readonly count: number;
  /** The generator's 4 state words, advanced in place by a shuffle of the rows before each epoch; null: no shuffle. */
  readonly rng: RowStorage | null;
  /** 5 f64: tol (NaN for none), patience, bad epochs and best loss (read and written back), the run's best epoch (written, 0 for none). */
  readonly watch: Storage;
  /** The weights' then the bias's values at that epoch (written when an epoch improves). */
  readonly best: Storage;
}

/** The buffers (all of one dtype and backend) and hyperparameters of an MLP kernel call. */
export interface MlpCall {
  /** n × sizes[0] features, row-major, and n targets (class indices as floats for softmax). */
  readonly x: Storage;
  readonly y: Storage;
  readonly n: number;
  readonly rows: RowStorage;
  /** Layer widths, inputs first, outputs last. */
  readonly sizes: readonly number[];
  /** crate/src/model/mlp.rs's codes: RELU/TANH/SIGMOID and REGRESSION/BINARY/SOFTMAX. */
  readonly activation: number;
  readonly output: number;
  /** Per layer: sizes[l] × sizes[l + 1] weights and sizes[l + 1] biases, with their gradients. */
  readonly weights: readonly Storage[];
  readonly biases: readonly Storage[];
  readonly gradW: readonly Storage[];
  readonly gradB: readonly Storage[];
  /** At least `scratchLen(count, sizes)` values (ts/kernels/model/mlp.ts). */
  readonly scratch: Storage;
  /** sizes.length + 4 · layers u32s, where the wasm backend writes the widths and pointer table. */
  readonly table: RowStorage;
  /** Penalty weight (λ ≥ 0) on the weights, not the biases. */
  readonly l2: number;
}

/** Losses whose kernels take (pred, target, grad): crate/src/loss/{mse,mae,bce}.rs. */
export type LossName = "rss" | "mse" | "mae" | "bceWithLogits";
/** How cross-entropy targets are given: class indices or class probabilities. */
export type CrossEntropyTargets = "index" | "probs";
export type PenaltyName = "l1" | "l2";

/**
 * Throws before a step if any buffer of the plan was disposed (a Parameter disposed
 * while an optimizer still holds it), so that no row is updated.
 */
export function assertLive(plan: StepPlan): void {
  const rows = plan.rows;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let dead = row.param.disposed || row.grad.disposed;
    for (let k = 0; k < row.state.length && !dead; k++) dead = row.state[k]?.disposed === true;
    if (dead) throw disposedError("parameter (held by an optimizer)");
  }
}

/** fillRowsInOrder's `count`: a whole number of rows the buffer holds. */
export function checkRowCount(rows: RowStorage, count: number): void {
  if (!(Number.isSafeInteger(count) && count >= 0 && count <= rows.length)) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `fillRowsInOrder(rows, count): count must be a whole number from 0 to the buffer's ${rows.length} rows; got ${describe(count)}.`);
  }
}

/**
 * Throws unless the rows of a train call, `call.first … call.first + call.count − 1`, lie
 * inside `call.model.rows` (a window past its end would read another buffer's values as
 * row numbers).
 */
export function checkTrainRows(call: TrainCall): void {
  const { first, count } = call;
  const length = call.model.rows.length;
  if (!Number.isSafeInteger(first) || first < 0 || !Number.isSafeInteger(count) || count < 0 || first + count > length) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `train(call): rows first = ${first}, count = ${count} must lie inside the row buffer of ${length} rows.`);
  }
}
