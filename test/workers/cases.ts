/**
 * The models the data-parallel tests run (every model fit's `workers` supports, with and
 * without penalties and biases), their data, and helpers to compare runs.
 */
import {
  LinearRegression,
  LogisticRegression,
  MLP,
  SoftmaxRegression,
  fit,
  toDataset,
  type Dataset,
  type Dtype,
  type FitOptions,
  type FitResult,
  type Trainable,
} from "../../ts/index.ts";
import { bytes, concatBytes, randomNormals } from "../helpers/random.ts";

export type DisposableModel = Trainable & { dispose(): void };

export interface WorkerCase {
  readonly name: string;
  /** Whether the model adds a penalty (its gradient is added after the workers' sums). */
  readonly penalized: boolean;
  make(dtype: Dtype): DisposableModel;
  /** Targets for row i given its features (reals, 0/1 labels or class indices). */
  target(x: Float64Array, noise: number): number;
}

const linearTarget = (x: Float64Array, noise: number) => 1.5 * x[0]! - 2 * x[1]! + 0.5 * x[2]! + 0.3 + 0.2 * noise;
const label = (x: Float64Array, noise: number) => (x[0]! - x[1]! + 0.5 * noise > 0 ? 1 : 0);
const klass = (x: Float64Array, noise: number) => (x[0]! + 0.3 * noise > 0.5 ? 2 : x[1]! > 0 ? 1 : 0);

export const CASES: readonly WorkerCase[] = [
  { name: "linear mse, l2 + l1", penalized: true, make: (dtype) => new LinearRegression({ dtype, penalty: { l2: 0.01, l1: 1e-3 } }), target: linearTarget },
  { name: "linear mse", penalized: false, make: (dtype) => new LinearRegression({ dtype }), target: linearTarget },
  { name: "linear mae, no bias", penalized: false, make: (dtype) => new LinearRegression({ dtype, loss: "mae", bias: false }), target: linearTarget },
  { name: "linear huber 0.5", penalized: false, make: (dtype) => new LinearRegression({ dtype, loss: "huber", delta: 0.5 }), target: linearTarget },
  { name: "logistic", penalized: false, make: (dtype) => new LogisticRegression({ dtype }), target: label },
  { name: "logistic, l2", penalized: true, make: (dtype) => new LogisticRegression({ dtype, penalty: { l2: 0.05 } }), target: label },
  { name: "softmax", penalized: false, make: (dtype) => new SoftmaxRegression({ dtype, classes: 3 }), target: klass },
  { name: "softmax, l1, no bias", penalized: true, make: (dtype) => new SoftmaxRegression({ dtype, classes: 3, bias: false, penalty: { l1: 0.01 } }), target: klass },
  { name: "MLP regression relu, l2", penalized: true, make: (dtype) => new MLP({ dtype, layers: [6], activation: "relu", seed: 3, penalty: { l2: 1e-3 } }), target: linearTarget },
  { name: "MLP regression tanh", penalized: false, make: (dtype) => new MLP({ dtype, layers: [5, 4], activation: "tanh", seed: 4 }), target: linearTarget },
  { name: "MLP binary sigmoid", penalized: false, make: (dtype) => new MLP({ dtype, layers: [6], activation: "sigmoid", output: "binary", seed: 5 }), target: label },
  { name: "MLP softmax tanh", penalized: false, make: (dtype) => new MLP({ dtype, layers: [6], activation: "tanh", output: "softmax", classes: 3, seed: 6 }), target: klass },
];

/** n rows of 4 standard normal features and the case's targets, in `dtype`. */
export function dataFor(c: WorkerCase, n: number, dtype: Dtype, seed = 11): Dataset {
  const d = 4;
  const X = randomNormals(seed, n * d);
  const noise = randomNormals(seed + 1, n);
  const y = Array.from({ length: n }, (_, i) => c.target(X.subarray(i * d, (i + 1) * d), noise[i]!));
  return toDataset({ data: dtype === "f32" ? Float32Array.from(X) : X, shape: [n, d] }, y, { dtype });
}

export const FIT: FitOptions = { optimizer: "adam", optimizerOptions: { lr: 0.01 }, batchSize: 64, epochs: 3, tol: null, seed: 7 };

export interface Run {
  readonly result: FitResult;
  /** Final weights, then each epoch's train loss and gradient norm, as one byte string. */
  readonly bits: Uint8Array;
  readonly weights: Float64Array;
}

/** Fits a fresh model of case `c` on `data` with `workers` (undefined: none). */
export async function runFit(c: WorkerCase, data: Dataset, dtype: Dtype, workers: number | undefined, options: FitOptions = FIT): Promise<Run> {
  const model = c.make(dtype);
  try {
    const result = await fit(model, data, workers === undefined ? options : { ...options, workers });
    const history = Float64Array.from(result.history.flatMap((r) => [r.trainLoss, r.gradNorm]));
    const bits = concatBytes([...result.finalWeights.map(bytes), bytes(history)]);
    const weights = Float64Array.from(result.finalWeights.flatMap((w) => Array.from(w)));
    return { result, bits, weights };
  } finally {
    model.dispose();
  }
}

export const unitRoundoff = (dtype: Dtype): number => (dtype === "f32" ? 2 ** -24 : 2 ** -53);
