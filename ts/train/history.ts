/**
 * What fit() reports: one record per epoch (and, on request, per iteration), why it
 * stopped, and the final and best weights.
 */
import type { FloatArray } from "../dtype.ts";

/**
 * Why a fit stopped:
 * - "converged": the gradient norm of a batch fell below `gradientTol`;
 * - "noImprovement": the monitored loss did not improve by more than `tol` for
 *   `nIterNoChange` epochs (scikit-learn's rule);
 * - "earlyStopping": the same on the validation loss with `earlyStopping: true` (best
 *   weights restored);
 * - "maxIter": `epochs` or `maxIter` ran out first (not an error: `converged` is false);
 * - "callback": onEpoch or onIteration returned "stop";
 * - "aborted": the AbortSignal fired;
 * - "diverged": the loss, the gradient or the weights became NaN or ±Infinity (best
 *   weights restored, see `divergence`).
 */
export type StopReason = "converged" | "noImprovement" | "earlyStopping" | "maxIter" | "callback" | "aborted" | "diverged";

/** One epoch (a full or, when the fit stopped within it, partial pass over the data). */
export interface EpochRecord {
  /** 1 for the first epoch. */
  readonly epoch: number;
  /** Optimizer steps (batches) in this epoch. */
  readonly iterations: number;
  /** Mean of the epoch's batch losses, each weighted by its number of rows. */
  readonly trainLoss: number;
  /** Loss on the validation part after the epoch, or null without one. */
  readonly validationLoss: number | null;
  /** L2 norm of the last batch's gradient (before clipping). */
  readonly gradNorm: number;
  /** Learning rate (of the first param group) at the epoch's first step. */
  readonly lr: number;
  /** Milliseconds the epoch took (the one value that is not reproducible). */
  readonly time: number;
}

/** One optimizer step; passed to onIteration, and kept with `recordIterations: true`. */
export interface IterationRecord {
  /** The epoch (from 1) of this step. */
  readonly epoch: number;
  /** 1 for the first step of the fit. */
  readonly iteration: number;
  /** Rows in this batch (the last batch of an epoch may be shorter). */
  readonly batchSize: number;
  /** Mean loss over the batch before the step. */
  readonly loss: number;
  /** L2 norm of the batch's gradient (before clipping). */
  readonly gradNorm: number;
  /** Learning rate (of the first param group) used by the step. */
  readonly lr: number;
}

/** Where a fit diverged. */
export interface Divergence {
  /** The epoch (from 1) in which it diverged. */
  readonly epoch: number;
  /** The batch of that epoch (from 1) whose loss or gradient was not finite, or whose step made the weights non-finite. */
  readonly batch: number;
  /** The step whose loss, gradient or result was not finite (the epoch's last step when found by the end-of-epoch weight check). */
  readonly iteration: number;
  /** Learning rate (of the first param group) at that step. */
  readonly lr: number;
  /** What became non-finite. */
  readonly what: "loss" | "gradient" | "weights";
  /** The training loss of the last batch before it whose loss and gradient were finite; null when there was none. */
  readonly lastFiniteLoss: number | null;
}

/** What {@link fit} resolves to: why it stopped, the history and the weights. */
export interface FitResult {
  /** Why the fit stopped; see {@link StopReason}. */
  readonly reason: StopReason;
  /** True when a stopping rule was met ("converged", "noImprovement", "earlyStopping"). */
  readonly converged: boolean;
  /** Epochs run, counting a last partial one. */
  readonly epochs: number;
  /** Optimizer steps taken. */
  readonly iterations: number;
  /** One record per epoch, in order (made on the first read: the same frozen array after). */
  readonly history: readonly EpochRecord[];
  /** Every step's record with `recordIterations: true`, else null. */
  readonly iterationHistory: readonly IterationRecord[] | null;
  /** Copies of the parameters (in `model.parameters()` order) when the fit stopped. */
  readonly finalWeights: readonly FloatArray[];
  /** Copies of the parameters at the end of the epoch with the lowest monitored loss (the initial ones before any). */
  readonly bestWeights: readonly FloatArray[];
  /** That epoch; 0 for the initial weights. */
  readonly bestEpoch: number;
  /** Its monitored loss (validation loss with a validation part, else training loss); Infinity before any epoch. */
  readonly bestLoss: number;
  /** True when the model's parameters were set to `bestWeights` ("earlyStopping", "diverged"). */
  readonly restoredBest: boolean;
  /** Set when reason is "diverged". */
  readonly divergence: Divergence | null;
  /** One sentence on how the fit ended. */
  readonly message: string;
}

/** Numbers per run in EpochLog's runs: first epoch (index), iterations per epoch, lr, time per epoch. */
const RUN = 4;

/**
 * @internal fit()'s epoch records as they are made, turned into frozen EpochRecords only
 * when read: a fit of many short epochs would otherwise spend about as long making and
 * collecting objects as its kernels spend stepping, for a history its caller may never
 * look at. Each epoch keeps its training loss and gradient norm; its iterations, lr and
 * time are its run's (a fused call's epochs share them; an epoch run batch by batch is a
 * run of its own). Epochs are numbered from 1 in order.
 */
export class EpochLog {
  /**
   * Per epoch: training loss, gradient norm. A plain array: a Float64Array of a long fit's
   * size lives outside V8's heap, and allocating and collecting one cost a few µs per fit.
   */
  readonly #losses: number[] = [];
  /** Per run, RUN numbers (see RUN), in epoch order. */
  readonly #runs: number[] = [];
  /** Per epoch, the validation loss; null when the fit has no validation part. */
  readonly #validation: number[] | null;
  /** Records already made (by record() for onEpoch), so that history holds the same objects. */
  readonly #made: EpochRecord[] = [];
  #all: readonly EpochRecord[] | null = null;

  constructor(validated: boolean) {
    this.#validation = validated ? [] : null;
  }

  get length(): number {
    return this.#losses.length / 2;
  }

  /** Appends epoch `length + 1` as a run of its own. */
  add(iterations: number, trainLoss: number, validationLoss: number | null, gradNorm: number, lr: number, time: number): void {
    this.#runs.push(this.length, iterations, lr, time);
    this.#losses.push(trainLoss, gradNorm);
    this.#validation?.push(validationLoss ?? NaN);
    this.#all = null;
  }

  /**
   * Appends `epochs` whole epochs of a fused run (no validation part) in which every
   * batch was stepped: batch j's mean loss and gradient norm are losses[j] and norms[j],
   * an epoch's batches are `batch` rows each of `n` (the last one shorter). Each record
   * is what add() would get from the per-batch loop: the row-weighted mean loss summed
   * in batch order, the last batch's norm, and the run's lr and time per epoch.
   */
  addRun(losses: Float64Array, norms: Float64Array, epochs: number, n: number, batch: number, lr: number, time: number): void {
    const v = this.#losses;
    const first = v.length;
    const per = Math.ceil(n / batch);
    this.#runs.push(first / 2, per, lr, time);
    v.length = first + 2 * epochs;
    if (per === 1) {
      // One batch of all n rows per epoch (batch gradient descent): the loop below without
      // its inner loop, the same operations (0 + loss · n) / n.
      for (let e = 0, at = first; e < epochs; e++, at += 2) {
        v[at] = (0 + losses[e]! * n) / n;
        v[at + 1] = norms[e]!;
      }
      this.#all = null;
      return;
    }
    for (let e = 0, j = 0, at = first; e < epochs; e++, at += 2) {
      let lossSum = 0;
      for (let start = 0; start < n; start += batch, j++) lossSum += losses[j]! * (Math.min(start + batch, n) - start);
      v[at] = lossSum / n;
      v[at + 1] = norms[j - 1]!;
    }
    this.#all = null;
  }

  /** The record of epoch `index + 1`, made once. */
  record(index: number): EpochRecord {
    const made = this.#made[index];
    if (made !== undefined) return made;
    // The last run starting at or before the epoch.
    const runs = this.#runs;
    let low = 0;
    let high = runs.length / RUN - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (runs[middle * RUN]! <= index) low = middle;
      else high = middle - 1;
    }
    const at = low * RUN;
    const record: EpochRecord = Object.freeze({
      epoch: index + 1,
      iterations: runs[at + 1]!,
      trainLoss: this.#losses[2 * index]!,
      validationLoss: this.#validation === null ? null : this.#validation[index]!,
      gradNorm: this.#losses[2 * index + 1]!,
      lr: runs[at + 2]!,
      time: runs[at + 3]!,
    });
    this.#made[index] = record;
    return record;
  }

  /** Every record, in a frozen array (the same array until the next add). */
  records(): readonly EpochRecord[] {
    if (this.#all === null) this.#all = Object.freeze(Array.from({ length: this.length }, (_, i) => this.record(i)));
    return this.#all;
  }
}

/** What fit() knows when it ends: a FitResult but for its history, which the EpochLog makes. */
export type FitOutcome = Omit<FitResult, "history">;

/**
 * @internal fit()'s result: a FitResult whose `history` is made from fit()'s EpochLog on
 * its first read (an own, enumerable, read-only accessor, as every other field is own and
 * enumerable). Every result shares one getter function. A getter written in an object
 * literal is a new function per result; V8 then gives each result a hidden class of its
 * own and keeps those until a full collection, and with them the getter's closure:
 * everything fit() had in scope, about 1.7 KB per fit, copied by every scavenge in between
 * (scratch, 20 000 one-epoch fits).
 */
export class Fitted implements FitResult {
  declare readonly reason: StopReason;
  declare readonly converged: boolean;
  declare readonly epochs: number;
  declare readonly iterations: number;
  declare readonly history: readonly EpochRecord[];
  declare readonly iterationHistory: readonly IterationRecord[] | null;
  declare readonly finalWeights: readonly FloatArray[];
  declare readonly bestWeights: readonly FloatArray[];
  declare readonly bestEpoch: number;
  declare readonly bestLoss: number;
  declare readonly restoredBest: boolean;
  declare readonly divergence: Divergence | null;
  declare readonly message: string;
  readonly #log: EpochLog;

  // Assigned one by one in FitResult's order (history's place included): this is twice as
  // fast as Object.assign, and the defineProperty costs what the rest does.
  constructor(o: FitOutcome, log: EpochLog) {
    this.#log = log;
    this.reason = o.reason;
    this.converged = o.converged;
    this.epochs = o.epochs;
    this.iterations = o.iterations;
    Object.defineProperty(this, "history", Fitted.#history);
    this.iterationHistory = o.iterationHistory;
    this.finalWeights = o.finalWeights;
    this.bestWeights = o.bestWeights;
    this.bestEpoch = o.bestEpoch;
    this.bestLoss = o.bestLoss;
    this.restoredBest = o.restoredBest;
    this.divergence = o.divergence;
    this.message = o.message;
    Object.freeze(this);
  }

  static readonly #history: PropertyDescriptor = {
    get(this: Fitted): readonly EpochRecord[] {
      return this.#log.records();
    },
    enumerable: true,
  };
}
