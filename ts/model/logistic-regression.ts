/**
 * Binary logistic regression: `P(y = 1 | x) = sigmoid(x·w + b)` trained on the mean binary
 * cross-entropy from logits (torch.nn.BCEWithLogitsLoss; scikit-learn's log-loss) with
 * optional L2/L1 weight penalties. Labels are 0 and 1. One fused kernel call per batch
 * (crate/src/model/logistic.rs).
 */
import type { Dataset, Features, Targets } from "../data/dataset.ts";
import { DownhillRangeError } from "../errors.ts";
import { exp } from "../kernels/math.ts";
import { LINEAR_MODEL_DEFAULTS, LinearModel, type LinearModelOptions } from "./linear-model.ts";

/** Options of {@link LogisticRegression}: those of every linear model. */
export type LogisticRegressionOptions = LinearModelOptions;

/** LogisticRegression's defaults: those of every linear model. */
export const LOGISTIC_REGRESSION_DEFAULTS = LINEAR_MODEL_DEFAULTS;

/** The fraction of `pred` equal to `y`. */
export function accuracy(y: ArrayLike<number>, pred: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === pred[i]) hits++;
  return hits / y.length;
}

/** Binary logistic regression: labels 0/1, cross-entropy from logits, `predictProba` the sigmoid. */
export class LogisticRegression extends LinearModel {
  constructor(options: LogisticRegressionOptions = {}) {
    super({ model: "logistic", name: "LogisticRegression", loss: 0, delta: 0 }, options, [], 1);
  }

  /** Every label is exactly 0 or 1. */
  protected checkTargets(y: ArrayLike<number>, argument: string): number {
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (v !== 0 && v !== 1) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: y[${i}] = ${v} is not a label; LogisticRegression needs labels 0 or 1 (use SoftmaxRegression for more classes).`);
    }
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

  /** The logits `x·w + b` of each row (scikit-learn's decision_function). */
  decisionFunction(X: Dataset | Features): Float64Array {
    return this.decision(X, "LogisticRegression.decisionFunction(X)").z;
  }

  /** `P(y = 1 | x)` for each row: the sigmoid of the logit, in f64. */
  predictProba(X: Dataset | Features): Float64Array {
    const { z } = this.decision(X, "LogisticRegression.predictProba(X)");
    for (let i = 0; i < z.length; i++) {
      const e = exp(-Math.abs(z[i]!));
      z[i] = z[i]! >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
    return z;
  }

  /** Labels 0/1: 1 where the logit is > 0 (probability > 1/2), as scikit-learn. */
  predict(X: Dataset | Features): Float64Array {
    const { z } = this.decision(X, "LogisticRegression.predict(X)");
    for (let i = 0; i < z.length; i++) z[i] = z[i]! > 0 ? 1 : 0;
    return z;
  }

  /** Accuracy: the fraction of rows whose predicted label equals y. */
  score(X: Dataset | Features, y?: Targets): number {
    const ds = this.scored(X, y, "LogisticRegression.score");
    return accuracy(ds.y, this.predict(ds));
  }
}
