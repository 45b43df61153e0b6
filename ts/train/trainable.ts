/**
 * The contract between models and the training loop: fit() knows nothing of a model but
 * this. A model owns Parameters on one backend; `bind` copies a dataset into that
 * backend's memory once per fit, and each batch is then one call that writes the
 * gradients into the parameters' `grad` and returns the batch's loss.
 */
import type { BackendName } from "../backend/backend.ts";
import type { Dataset } from "../data/dataset.ts";
import type { Dtype, FloatArray } from "../dtype.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import type { Parameter } from "../parameter.ts";
import type { ParallelSpec } from "./data-parallel.ts";

/** What {@link fit} trains: downhill's models, or your own that implement this. */
export interface Trainable {
  /** Element type of the parameters. */
  readonly dtype: Dtype;
  /** The backend the parameters live on. */
  readonly backend: BackendName;
  /** The parameters an optimizer updates, in a fixed order (weights before biases). */
  parameters(): Parameter[];
  /**
   * Validates `data` for this model (feature count, target kind: real values, 0/1
   * labels or class indices) and copies it into the model's memory; throws before
   * copying anything if it does not fit.
   */
  bind(data: Dataset): BoundData;
  /**
   * @internal For fit's `workers`: validates `data` as bind does and creates the
   * parameters, without copying the data, and describes the model's partial kernel,
   * which the workers run on their shards (ts/train/data-parallel.ts).
   */
  parallel?(data: Dataset): ParallelSpec;
}

/** A dataset resident in a model's memory, with the model's loss over it. */
export interface BoundData {
  /** Rows available. */
  readonly n: number;
  /**
   * Mean loss over the rows `indices[start] … indices[end − 1]` at the current
   * parameters; overwrites every parameter's `grad` with the gradient of that mean loss
   * (plus any penalty). One backend call on the wasm backend.
   */
  lossAndGradient(indices: Uint32Array, start: number, end: number): number;
  /**
   * @internal fit's fused path: the batches of `run.batch` rows of
   * `run.indices[run.start … run.end − 1]`, each with its optimizer step, in one backend
   * call (Backend.train) through `optimizer.fusedSteps`. Returns the batches' losses and
   * gradient norms, or null (nothing done) when the optimizer cannot run fused or its
   * tensors are not this model's parameters in order; fit then steps batch by batch.
   */
  steps?(run: StepsRun, optimizer: Optimizer<object>): StepsDone | null;
  /**
   * @internal fit's row order, kept where the kernels read it (the backend's memory):
   * fit shuffles it there and gives it to steps() as `run.indices`, which then copies and
   * checks nothing in JavaScript.
   */
  order?(): RowOrder;
  /**
   * @internal True when `lossAndGradient()` without arguments runs every row in order
   * (downhill's models' bound data, and the workers'): fit() calls it for a full batch of
   * rows in order instead of passing n row numbers to check and copy.
   */
  readonly allRowsCall?: boolean;
  /** Mean loss over all rows (plus any penalty), without touching gradients. */
  loss(): number;
  /** Frees the resident copy; idempotent. */
  dispose(): void;
  /** True after dispose() (fit() then refuses it up front). */
  readonly disposed?: boolean;
  /** The model that bound it (fit() refuses it for another model). */
  readonly model?: Trainable;
}

/**
 * What downhill's models' `bind(dataset)` returns: bound data whose `lossAndGradient()`
 * without arguments runs every row in order (the full batch, without passing or checking
 * indices), and which fit() can train on again and again (`fit(model, bound, …)`).
 */
export interface BoundDataset extends BoundData {
  /** Without arguments: every row in order. */
  lossAndGradient(indices?: Uint32Array, start?: number, end?: number): number;
  readonly disposed: boolean;
  readonly model: Trainable;
}

/**
 * @internal The n row numbers of a bound dataset in fit()'s epoch order (BoundData.order),
 * in the backend's memory; every row in order when made.
 */
export interface RowOrder {
  /** The row numbers (a view into the backend's memory: take it again after any allocation). */
  readonly rows: Uint32Array;
  /** Puts every row back in order. */
  reset(): void;
  /**
   * Permutes the rows in place as ts/kernels/rng.ts `shuffle` (Random.shuffle) does with
   * the generator state `words` (4 words, advanced in place).
   */
  shuffle(words: Uint32Array): void;
}

/** @internal A run of fused training steps (BoundData.steps). */
export interface StepsRun {
  /** The rows: an array (checked and copied in), or this bound data's own order() (neither). */
  readonly indices: Uint32Array | RowOrder;
  readonly start: number;
  readonly end: number;
  readonly batch: number;
  /** clipGradNorm, NaN for none. */
  readonly maxNorm: number;
  /** gradientTol: the run stops after a step whose gradient norm is below it. */
  readonly tol: number;
  /** Whole epochs over `indices[start … end − 1]` instead of one run of its batches. */
  readonly epochs?: EpochsRun;
}

/**
 * @internal What a StepsRun did: batch j's mean loss and gradient norm (before clipping)
 * are losses[j] and norms[j] for j < count. The arrays are the bound data's own, in the
 * backend's memory: read them before anything else runs on that backend.
 */
export interface StepsDone {
  /**
   * Batches recorded. The run stops at the first batch whose loss or norm is not finite
   * (recorded, not stepped) or whose norm is below `run.tol` (stepped), so every batch
   * before the last had finite values and a norm of at least `run.tol`.
   */
  readonly count: number;
  readonly losses: Float64Array;
  readonly norms: Float64Array;
}

/**
 * @internal Whole epochs in one StepsRun, each with fit()'s end-of-epoch work
 * (crate/src/train.rs `epochs`): the rows reshuffled in place before each epoch when
 * `rng` is given, scikit-learn's no-improvement rule, and the best weights. The rule's
 * state and the best epoch are written back.
 */
export interface EpochsRun {
  readonly count: number;
  /** fit's generator's 4 state words (advanced in place), or null for no shuffle. */
  readonly rng: Uint32Array | null;
  /** The rule's tol, NaN for no rule, and its nIterNoChange. */
  readonly tol: number;
  readonly patience: number;
  /** Epochs in a row without improvement by more than tol (read and written). */
  bad: number;
  /** The lowest epoch loss so far, Infinity before any (read and written). */
  bestLoss: number;
  /** Written: the last epoch of the run (from 1) that lowered bestLoss, 0 for none. */
  bestEpoch: number;
  /** fit's copies of the parameters, set to those of that epoch when it is not 0. */
  readonly best: readonly FloatArray[];
}
