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
  /** One record per epoch, in order. */
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
