/**
 * Standardization as scikit-learn's StandardScaler: per feature, `(x − mean) / scale`
 * with the mean and the population standard deviation (ddof = 0) of the data it was
 * fitted on, computed in f64. A constant feature (all values equal) gets its value as
 * mean and scale 1, so it becomes 0, as sklearn's constant-feature handling does (found
 * exactly: min = max, rather than by a variance threshold). f32 data: `x − mean` is
 * rounded to f32, then the division by the f64 scale is rounded to f32. y is not changed.
 */
import { DownhillError, DownhillRangeError } from "../errors.ts";
import { checkBoolean, checkKeys } from "../options.ts";
import type { ArrayOf, Dtype } from "../dtype.ts";
import { checkDataset, type Dataset } from "./dataset.ts";

/** Options of {@link Standardizer}. */
export interface StandardizerOptions {
  /** Subtract the mean; default true. */
  withMean?: boolean;
  /** Divide by the standard deviation; default true. */
  withStd?: boolean;
}

/**
 * Per-feature standardization as scikit-learn's StandardScaler: `fit` the mean and
 * population standard deviation of the training part, then `transform` any part with them.
 */
export class Standardizer {
  /** Whether `transform` subtracts the mean. */
  readonly withMean: boolean;
  /** Whether `transform` divides by the standard deviation. */
  readonly withStd: boolean;
  #mean: Float64Array | null = null;
  #variance: Float64Array | null = null;
  #scale: Float64Array | null = null;
  #featureNames: readonly string[] | null = null;

  constructor(options: StandardizerOptions = {}) {
    checkKeys("Standardizer options", options, ["withMean", "withStd"]);
    this.withMean = options.withMean === undefined ? true : checkBoolean("Standardizer options.withMean", options.withMean);
    this.withStd = options.withStd === undefined ? true : checkBoolean("Standardizer options.withStd", options.withStd);
  }

  /** Computes each feature's mean and standard deviation from `dataset` (the training data). */
  fit(dataset: Dataset): this {
    const { n, d, X } = checkDataset(dataset, "Standardizer.fit(dataset)");
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    const scale = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let sum = 0, min = Infinity, max = -Infinity;
      for (let i = 0; i < n; i++) {
        const v = X[i * d + j]!;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (min === max) {
        mean[j] = min;
        variance[j] = 0;
        scale[j] = 1;
        continue;
      }
      const m = sum / n;
      let squares = 0;
      for (let i = 0; i < n; i++) {
        const e = X[i * d + j]! - m;
        squares += e * e;
      }
      mean[j] = m;
      variance[j] = squares / n;
      scale[j] = variance[j] === 0 ? 1 : Math.sqrt(variance[j]!);
    }
    this.#mean = mean;
    this.#variance = variance;
    this.#scale = scale;
    this.#featureNames = dataset.featureNames;
    return this;
  }

  /** A new Dataset with standardized features; the same y, names and dtype. */
  transform<D extends Dtype>(dataset: Dataset<D>): Dataset<D> {
    const { n, d, dtype, X } = checkDataset(dataset, "Standardizer.transform(dataset)") as Dataset<D>;
    const mean = this.#mean;
    const scale = this.#scale;
    if (mean === null || scale === null) {
      throw new DownhillError("NOT_FITTED", "This Standardizer is not fitted yet; call fit(trainingData) (or fitTransform) before transform.");
    }
    if (d !== mean.length) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `Standardizer.transform(dataset): the dataset has ${d} features but the Standardizer was fitted on ${mean.length}.`);
    }
    const out = (dtype === "f32" ? new Float32Array(n * d) : new Float64Array(n * d)) as ArrayOf<D>;
    const round = dtype === "f32" ? Math.fround : (v: number) => v;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        let v = X[i * d + j]!;
        if (this.withMean) v = round(v - mean[j]!);
        if (this.withStd) v = round(v / scale[j]!);
        out[i * d + j] = v;
      }
    }
    const y = dataset.y === null ? null : (dataset.y.slice() as ArrayOf<D>);
    return Object.freeze({ n, d, dtype, X: out, y, featureNames: dataset.featureNames, targetName: dataset.targetName });
  }

  /** fit(dataset), then transform(dataset). */
  fitTransform<D extends Dtype>(dataset: Dataset<D>): Dataset<D> {
    return this.fit(dataset).transform(dataset);
  }

  /** True once {@link Standardizer.fit} has run. */
  get fitted(): boolean {
    return this.#mean !== null;
  }

  /** Per-feature means (a copy), or null before fit. */
  get mean(): Float64Array | null {
    return this.#mean === null ? null : this.#mean.slice();
  }

  /** Per-feature population variances (a copy), or null before fit. */
  get variance(): Float64Array | null {
    return this.#variance === null ? null : this.#variance.slice();
  }

  /** Per-feature divisors: the standard deviation, 1 for constant features (a copy), or null before fit. */
  get scale(): Float64Array | null {
    return this.#scale === null ? null : this.#scale.slice();
  }

  /** Feature names of the fitted data, or null before fit. */
  get featureNames(): readonly string[] | null {
    return this.#featureNames;
  }
}
