/**
 * The workloads of issue 9 — their data, hyperparameters and float64 references — shared
 * by every contender (downhill's backends, the native crate, TensorFlow.js, plain JS):
 *   W1 one optimizer step (Adam, SGD with momentum) on N parameters, fixed randn gradient;
 *   W2 the linear-regression MSE gradient on X n × 16 (randn), y = X·w* + 0.5 + 0.1·noise;
 *   W3 the seed fit: X = 12·randn(100, 2), y = 2·x0 − 30·x1, 500 steps of batch GD;
 *   W4 one epoch of mini-batch Adam (batch 32, seeded shuffle) on W2's data.
 * The references are written independently of downhill's kernels (textbook formulas, plain
 * loops in f64); for an f32 contender they start from the inputs rounded to f32, so that
 * the error measured is that of its arithmetic.
 */
import { Random } from "../ts/index.ts";
import type { Dtype } from "../ts/index.ts";

export const ADAM = Object.freeze({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
export const SGD_MOMENTUM = Object.freeze({ lr: 1e-3, momentum: 0.9 });
/** W3: the tutorials' experiment. */
export const SEED_FIT = Object.freeze({ lr: 2e-5, iterations: 500, init: [1, 1] as const });
/** W4: one epoch of fit() with Adam; `seed` is fit()'s, so everyone shuffles alike. */
export const EPOCH = Object.freeze({ lr: 1e-3, batchSize: 32, seed: 1 });
/** Features of W2 and W4. */
export const FEATURES = 16;
/** W1's numeric check: parameters after this many steps from a fresh state. */
export const CHECK_STEPS = 10;

/** W1's parameters and gradient: the first N values of two seeded randn vectors. */
export interface StepData {
  readonly params: Float64Array;
  readonly grad: Float64Array;
}

export function stepData(n: number): StepData {
  return { params: new Random(11).fillNormal(new Float64Array(n)), grad: new Random(12).fillNormal(new Float64Array(n)) };
}

/** A regression problem, X row-major n × d. */
export interface Regression {
  readonly n: number;
  readonly d: number;
  readonly X: Float64Array;
  readonly y: Float64Array;
}

/** W2/W4: X randn, y = X·w* + 0.5 + 0.1·noise with w* randn. */
export function regressionData(n: number, d = FEATURES, seed = 1): Regression {
  const r = new Random(seed);
  const trueWeights = r.fillNormal(new Float64Array(d));
  const X = r.fillNormal(new Float64Array(n * d));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0.5;
    for (let j = 0; j < d; j++) s += X[i * d + j]! * trueWeights[j]!;
    y[i] = s + 0.1 * r.normal();
  }
  return { n, d, X, y };
}

/** W3: the seed experiment's data, as in README (Random(42), rows drawn in order). */
export function seedData(): Regression {
  const r = new Random(42);
  const n = 100;
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    X[2 * i] = 12 * r.normal();
    X[2 * i + 1] = 12 * r.normal();
    y[i] = 2 * X[2 * i]! - 30 * X[2 * i + 1]!;
  }
  return { n, d: 2, X, y };
}

/** W2's point of evaluation: weights (j − 7.5)/8, bias 0 (so the forward pass matters). */
export function gradientWeights(d = FEATURES): Float64Array {
  return Float64Array.from({ length: d }, (_, j) => (j - 7.5) / 8);
}

/** `values` as a contender of `dtype` holds them: rounded to f32, or as they are. */
export function rounded(values: Float64Array, dtype: Dtype): Float64Array {
  return dtype === "f32" ? values.map(Math.fround) : values;
}

/** Adam in the paper's form (bias-corrected moments m̂, v̂), `steps` steps with the fixed gradient. */
export function adamReference(params: Float64Array, grad: Float64Array, steps: number): Float64Array {
  const { lr, beta1, beta2, eps } = ADAM;
  const p = params.slice();
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      const g = grad[i]!;
      m[i] = beta1 * m[i]! + (1 - beta1) * g;
      v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
      const mHat = m[i]! / (1 - beta1 ** t);
      const vHat = v[i]! / (1 - beta2 ** t);
      p[i] = p[i]! - (lr * mHat) / (Math.sqrt(vHat) + eps);
    }
  }
  return p;
}

/** Heavy-ball momentum as PyTorch defines it (buffer = gradient on the first step). */
export function sgdMomentumReference(params: Float64Array, grad: Float64Array, steps: number): Float64Array {
  const { lr, momentum } = SGD_MOMENTUM;
  const p = params.slice();
  const buffer = grad.slice();
  for (let t = 1; t <= steps; t++) {
    for (let i = 0; i < p.length; i++) {
      if (t > 1) buffer[i] = momentum * buffer[i]! + grad[i]!;
      p[i] = p[i]! - lr * buffer[i]!;
    }
  }
  return p;
}

/** r = X·w + b − y over `rows`; returns [dw (d values), db] of the mean squared error. */
function mseGradient(data: Regression, rows: ArrayLike<number>, w: Float64Array, b: number | null): Float64Array {
  const { d, X, y } = data;
  const out = new Float64Array(d + 1);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    let r = (b ?? 0) - y[i]!;
    for (let j = 0; j < d; j++) r += X[i * d + j]! * w[j]!;
    for (let j = 0; j < d; j++) out[j] = out[j]! + r * X[i * d + j]!;
    out[d] = out[d]! + r;
  }
  const scale = 2 / rows.length;
  for (let j = 0; j <= d; j++) out[j] = out[j]! * scale;
  return out;
}

const allRows = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

/** W2: dw = (2/n)·Xᵀr and db = (2/n)·Σr at `w` and bias 0: d + 1 values. */
export function gradientReference(data: Regression, w: Float64Array): Float64Array {
  return mseGradient(data, allRows(data.n), w, 0);
}

/** W3: the weights after the seed fit's batch gradient descent (no bias). */
export function seedFitReference(data: Regression): Float64Array {
  const w = Float64Array.from(SEED_FIT.init);
  const rows = allRows(data.n);
  for (let t = 0; t < SEED_FIT.iterations; t++) {
    const g = mseGradient(data, rows, w, null);
    for (let j = 0; j < data.d; j++) w[j] = w[j]! - SEED_FIT.lr * g[j]!;
  }
  return w;
}

/** W4: weights and bias (d + 1 values) after one Adam epoch from zero over the batches of `order`. */
export function epochReference(data: Regression, order: Uint32Array): Float64Array {
  const { beta1, beta2, eps } = ADAM;
  const d = data.d;
  const p = new Float64Array(d + 1);
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  let t = 0;
  for (let start = 0; start < data.n; start += EPOCH.batchSize) {
    const g = mseGradient(data, order.subarray(start, Math.min(start + EPOCH.batchSize, data.n)), p.subarray(0, d), p[d]!);
    t++;
    for (let i = 0; i <= d; i++) {
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
      p[i] = p[i]! - (EPOCH.lr * (m[i]! / (1 - beta1 ** t))) / (Math.sqrt(v[i]! / (1 - beta2 ** t)) + eps);
    }
  }
  return p;
}

/** fit()'s row order for its first epoch: the identity shuffled by Random(seed). */
export function epochOrder(n: number): Uint32Array {
  return new Random(EPOCH.seed).shuffle(n);
}

/** `data` with X and y rounded as a contender of `dtype` holds them. */
export function roundedData(data: Regression, dtype: Dtype): Regression {
  return dtype === "f64" ? data : { ...data, X: rounded(data.X, "f32"), y: rounded(data.y, "f32") };
}

/** max|x − ref| / max|ref|: the error relative to the reference's scale (∞ if NaN or lengths differ). */
export function relativeError(x: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (x.length !== ref.length) return Infinity;
  let error = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const e = Math.abs(x[i]! - ref[i]!);
    if (!(e <= error)) error = Number.isNaN(e) ? Infinity : e;
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return scale === 0 ? error : error / scale;
}

/**
 * Largest relative error accepted, by workload and dtype. f64 contenders agree with the
 * references to rounding (sums of 10⁵ terms included); f32 ones to a few ulps of the
 * values for one short computation, more where errors accumulate (sums over 10⁵ rows in
 * W2, 3 125 Adam steps in W4).
 */
export const TOLERANCE: Readonly<Record<"W1" | "W2" | "W3" | "W4", Readonly<Record<Dtype, number>>>> = {
  W1: { f32: 1e-5, f64: 1e-12 },
  W2: { f32: 1e-4, f64: 1e-10 },
  W3: { f32: 1e-4, f64: 1e-10 },
  W4: { f32: 1e-4, f64: 1e-9 },
};
