/**
 * Linear regression `ŷ = x·w + b` trained by gradient descent on the mean squared error
 * (default, as scikit-learn's SGDRegressor and torch.nn.MSELoss), the mean absolute error
 * or the Huber loss, with optional L2/L1 weight penalties. One fused kernel call per batch
 * (crate/src/model/linear.rs).
 */
import type { Dataset, Features, Targets } from "../data/dataset.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { HUBER, MAE, MSE } from "../kernels/model/linear.ts";
import { checkNumber } from "../options.ts";
import { LINEAR_MODEL_DEFAULTS, LinearModel, type LinearModelOptions, type ModelSpec } from "./linear-model.ts";

/** The loss {@link LinearRegression} minimizes: mean squared error, mean absolute error or Huber. */
export type RegressionLoss = "mse" | "mae" | "huber";

/** Options of {@link LinearRegression}. */
export interface LinearRegressionOptions extends LinearModelOptions {
  /** Default "mse". */
  loss?: RegressionLoss;
  /** Huber's threshold (torch.nn.HuberLoss's delta), default 1; only with loss "huber". */
  delta?: number;
}

/** LinearRegression's defaults, frozen. */
export const LINEAR_REGRESSION_DEFAULTS = Object.freeze({
  ...LINEAR_MODEL_DEFAULTS,
  /** Mean squared error. */
  loss: "mse" as RegressionLoss,
  /** Huber's threshold, as torch.nn.HuberLoss. */
  delta: 1,
});

const CODES: Readonly<Record<RegressionLoss, number>> = { mse: MSE, mae: MAE, huber: HUBER };

function spec(options: LinearRegressionOptions): ModelSpec {
  const name = "LinearRegression";
  if (typeof options !== "object" || options === null) return { model: "linear", name, loss: MSE, delta: 1 };
  const loss = options.loss ?? LINEAR_REGRESSION_DEFAULTS.loss;
  if (loss !== "mse" && loss !== "mae" && loss !== "huber") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.loss must be "mse", "mae" or "huber"; got ${describe(loss)}.`);
  }
  let delta: number = LINEAR_REGRESSION_DEFAULTS.delta;
  if (options.delta !== undefined) {
    if (loss !== "huber") throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.delta is Huber's threshold; it needs loss "huber" (loss is "${loss}").`);
    delta = checkNumber(`${name} options.delta`, options.delta, { min: 0, minExclusive: true });
    if (options.dtype === "f32" && !(Math.fround(delta) > 0 && Number.isFinite(Math.fround(delta)))) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.delta must be > 0 and finite in f32 with dtype "f32"; got ${delta}.`);
    }
  }
  return { model: "linear", name, loss: CODES[loss], delta };
}

/** Linear regression `y ≈ x·w + b`, trained by {@link fit} on the MSE, MAE or Huber loss, with optional L2/L1 penalties. */
export class LinearRegression extends LinearModel {
  /** The loss it minimizes. */
  readonly loss: RegressionLoss;
  /** Huber's threshold (used with loss "huber"). */
  readonly delta: number;

  constructor(options: LinearRegressionOptions = {}) {
    const s = spec(options);
    super(s, options, ["loss", "delta"], 1);
    this.loss = options.loss ?? LINEAR_REGRESSION_DEFAULTS.loss;
    this.delta = s.delta;
  }

  /** Targets are finite reals (the Dataset guarantees it). */
  protected checkTargets(): number {
    return 1;
  }

  /** A copy of the weights (one per feature). */
  get weights(): Float64Array {
    return this.weightValues();
  }

  /** The bias (intercept); 0 without one. */
  get bias(): number {
    return this.biasValues()[0]!;
  }

  /** Predictions `x·w + b` for each row, computed in the model's dtype. */
  predict(X: Dataset | Features): Float64Array {
    return this.decision(X, "LinearRegression.predict(X)").z;
  }

  /**
   * The coefficient of determination R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² of the predictions
   * (scikit-learn's r2_score: 1 for a perfect fit of constant targets, else 0 when the
   * targets are constant; NaN for fewer than two samples).
   */
  score(X: Dataset | Features, y?: Targets): number {
    const ds = this.scored(X, y, "LinearRegression.score");
    const pred = this.decision(ds, "LinearRegression.score");
    return r2Score(ds.y, pred.z);
  }
}

/** scikit-learn's r2_score (force_finite=True) in f64. */
export function r2Score(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  const n = y.length;
  if (n < 2) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let residual = 0, total = 0;
  for (let i = 0; i < n; i++) {
    const r = y[i]! - pred[i]!;
    const t = y[i]! - mean;
    residual += r * r;
    total += t * t;
  }
  if (total === 0) return residual === 0 ? 1 : 0;
  return 1 - residual / total;
}
