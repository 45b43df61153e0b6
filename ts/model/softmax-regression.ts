/**
 * Softmax (multinomial logistic) regression: `P(y = c | x) = softmax(x·W + b)_c` with W
 * features × classes (row-major), trained on the mean softmax cross-entropy
 * (torch.nn.CrossEntropyLoss) with optional L2/L1 weight penalties. Targets are class
 * indices 0 … classes − 1. One fused kernel call per batch (crate/src/model/softmax.rs).
 */
import type { Dataset, Features, Targets } from "../data/dataset.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { exp } from "../kernels/math.ts";
import { checkNumber } from "../options.ts";
import { LINEAR_MODEL_DEFAULTS, LinearModel, type LinearModelOptions } from "./linear-model.ts";
import { accuracy } from "./logistic-regression.ts";

/** Options of {@link SoftmaxRegression}. */
export interface SoftmaxRegressionOptions extends LinearModelOptions {
  /** Number of classes (>= 2); default: 1 + the largest class index of the first dataset bound (at least 2). */
  classes?: number;
}

/** SoftmaxRegression's defaults: those of every linear model. */
export const SOFTMAX_REGRESSION_DEFAULTS = LINEAR_MODEL_DEFAULTS;

function checkClasses(options: SoftmaxRegressionOptions): number | null {
  if (typeof options !== "object" || options === null || options.classes === undefined) return null;
  const k = checkNumber("SoftmaxRegression options.classes", options.classes, { min: 2 });
  if (!Number.isSafeInteger(k)) throw new DownhillRangeError("INVALID_ARGUMENT", `SoftmaxRegression options.classes must be a whole number >= 2; got ${k}.`);
  return k;
}

/** Multinomial logistic regression: class indices 0 … K−1, softmax cross-entropy from logits. */
export class SoftmaxRegression extends LinearModel {
  constructor(options: SoftmaxRegressionOptions = {}) {
    const classes = checkClasses(options);
    const init: unknown = typeof options === "object" && options !== null ? options.init : undefined;
    if (classes === null && (Array.isArray(init) || ArrayBuffer.isView(init))) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `SoftmaxRegression options.init as an array (features × classes, row-major) needs options.classes; got init ${describe(init)} without classes.`);
    }
    super({ model: "softmax", name: "SoftmaxRegression", loss: 0, delta: 0 }, options, ["classes"], classes);
  }

  /** The number of classes, once known (from options.classes or the first bind). */
  get classes(): number | null {
    return this.outputs;
  }

  /** Every target is a class index: an integer in [0, classes). */
  protected checkTargets(y: ArrayLike<number>, argument: string, classes: number | null): number {
    let max = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!(Number.isInteger(v) && v >= 0 && (classes === null || v < classes))) {
        const allowed = classes === null ? "a whole number >= 0" : `a whole number in [0, ${classes - 1}]`;
        throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: y[${i}] = ${v} is not a class index; SoftmaxRegression needs ${allowed}.`);
      }
      if (v > max) max = v;
    }
    return classes ?? Math.max(2, max + 1);
  }

  /** A copy of the weights: features × classes, row-major. */
  get weights(): Float64Array {
    return this.weightValues();
  }

  /** A copy of the biases (one per class; zeros without a bias). */
  get bias(): Float64Array {
    return this.biasValues();
  }

  /** The logits `x·W + b`: rows × classes, row-major. */
  decisionFunction(X: Dataset | Features): Float64Array {
    return this.decision(X, "SoftmaxRegression.decisionFunction(X)").z;
  }

  /** Class probabilities, rows × classes row-major: the softmax of each row's logits, in f64. */
  predictProba(X: Dataset | Features): Float64Array {
    const { z, n, k } = this.decision(X, "SoftmaxRegression.predictProba(X)");
    for (let r = 0; r < n; r++) {
      let m = z[r * k]!;
      for (let c = 1; c < k; c++) if (z[r * k + c]! > m) m = z[r * k + c]!;
      let s = 0;
      for (let c = 0; c < k; c++) {
        const e = exp(z[r * k + c]! - m);
        z[r * k + c] = e;
        s += e;
      }
      for (let c = 0; c < k; c++) z[r * k + c] = z[r * k + c]! / s;
    }
    return z;
  }

  /** The class of largest logit for each row (the first on ties, as numpy's argmax). */
  predict(X: Dataset | Features): Float64Array {
    const { z, n, k } = this.decision(X, "SoftmaxRegression.predict(X)");
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (z[r * k + c]! > z[r * k + best]!) best = c;
      out[r] = best;
    }
    return out;
  }

  /** Accuracy: the fraction of rows whose predicted class equals y. */
  score(X: Dataset | Features, y?: Targets): number {
    const ds = this.scored(X, y, "SoftmaxRegression.score");
    return accuracy(ds.y, this.predict(ds));
  }
}
