/**
 * A multilayer perceptron trained by backpropagation: hidden layers
 * `a = act(a_prev·W + b)` (relu, tanh or sigmoid), a linear output layer and the loss of
 * its task — mean squared error ("regression", torch.nn.MSELoss), binary cross-entropy
 * from logits ("binary", torch.nn.BCEWithLogitsLoss) or softmax cross-entropy ("softmax",
 * torch.nn.CrossEntropyLoss) — plus an optional L2 penalty on the weights. Parameters are,
 * per layer in order, W (in × out, row-major) and b. Forward, loss and backward of a batch
 * are one fused kernel call (crate/src/model/mlp.rs on wasm, ts/kernels/model/mlp.ts on ts,
 * bit-identical); activations live in a scratch buffer allocated at bind.
 *
 * Weights start from He (relu) or Xavier (tanh, sigmoid) initialization as torch.nn.init
 * recommends — heNormal with the activation's gain, xavierUniform with calculateGain of
 * the activation; gain 1 (linear) for the output layer — drawn from one seeded stream;
 * biases start at 0. dtype defaults to "f64" like the linear models.
 */
import type { Backend, BackendName, MlpCall, RowStorage, Storage } from "../backend/backend.ts";
import { checkBackendName, resolveBackend } from "../backend/select.ts";
import { checkDataset, type Dataset, type Features, type Targets } from "../data/dataset.ts";
import { bytesPerElement, type Dtype } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { Resident } from "./resident.ts";
import { calculateGain, heNormal, xavierUniform, type Initializer } from "../init.ts";
import { exp } from "../kernels/math.ts";
import { BINARY, forwardF32, forwardF64, RELU, REGRESSION, scratchLen, SIGMOID, SOFTMAX, TANH } from "../kernels/model/mlp.ts";
import { checkKeys, checkNumber } from "../options.ts";
import { Parameter } from "../parameter.ts";
import { Random, checkSeed } from "../random.ts";
import type { ParallelSpec } from "../train/data-parallel.ts";
import type { BoundDataset, RowOrder, Trainable } from "../train/trainable.ts";
import { asDataset } from "./linear-model.ts";
import { r2Score } from "./linear-regression.ts";
import { accuracy } from "./logistic-regression.ts";

/** The hidden layers' activation function. */
export type MLPActivation = "relu" | "tanh" | "sigmoid";
/** The task, which fixes the loss: MSE, BCE from logits or softmax cross-entropy. */
export type MLPOutput = "regression" | "binary" | "softmax";

/** Options of {@link MLP}. */
export interface MLPOptions {
  /** Widths of the hidden layers, e.g. [16, 8]: at least one, each a whole number >= 1. */
  layers: readonly number[];
  /** Default "relu". */
  activation?: MLPActivation;
  /** Default "regression". */
  output?: MLPOutput;
  /** Classes of "softmax" (>= 2); default: 1 + the largest class index of the first dataset bound (at least 2). */
  classes?: number;
  /** Number of features: creates the parameters at construction. Default: the first bind. */
  features?: number;
  /** Default "f64". */
  dtype?: Dtype;
  /** Default: the global backend (see setBackend). */
  backend?: BackendName;
  /** "he", "xavier" or an Initializer for every weight matrix; default "he" for relu, "xavier" otherwise. */
  init?: "he" | "xavier" | Initializer;
  /** Seed of "he"/"xavier" initialization (required for them): an integer in [0, 2³² − 1]. */
  seed?: number;
  /** `l2·Σ W²` over every weight matrix (biases are not penalized); default 0. */
  penalty?: {
    /** λ of the L2 penalty, >= 0; default 0. */
    l2?: number;
  };
}

/** MLP's defaults, frozen. */
export const MLP_DEFAULTS = Object.freeze({
  /** ReLU hidden layers. */
  activation: "relu" as MLPActivation,
  /** Regression with MSE. */
  output: "regression" as MLPOutput,
  /** Parameters and data in f64. */
  dtype: "f64" as Dtype,
  /** No penalty. */
  penalty: Object.freeze({
    /** No L2 penalty. */
    l2: 0,
  }),
});

const ACTIVATIONS: Record<MLPActivation, number> = { relu: RELU, tanh: TANH, sigmoid: SIGMOID };
const OUTPUTS: Record<MLPOutput, number> = { regression: REGRESSION, binary: BINARY, softmax: SOFTMAX };

const isInitializer = (v: unknown): v is Initializer =>
  typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as Initializer).fill === "function";

function checkWhole(argument: string, value: unknown, min: number): number {
  const v = checkNumber(argument, value, { min });
  if (!Number.isSafeInteger(v)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a whole number >= ${min}; got ${v}.`);
  return v;
}

/**
 * A multilayer perceptron trained by backpropagation with {@link fit}: hidden layers with
 * relu, tanh or sigmoid, a linear output and the loss of its task (MSE, binary or softmax
 * cross-entropy); forward, loss and backward of a batch in one call.
 */
export class MLP implements Trainable {
  /** Element type of the parameters and of bound data. */
  readonly dtype: Dtype;
  /** The backend the parameters live on. */
  readonly backend: BackendName;
  /** Hidden layer widths. */
  readonly layers: readonly number[];
  /** The hidden layers' activation. */
  readonly activation: MLPActivation;
  /** The task, which fixes the loss. */
  readonly output: MLPOutput;
  readonly #impl: Backend;
  readonly #init: Initializer | "he" | "xavier";
  readonly #random: Random | null;
  readonly #l2: number;
  #classes: number | null;
  /** Layer widths, inputs first, once the features are known. */
  #sizes: number[] | null = null;
  #weights: Parameter[] = [];
  #biases: Parameter[] = [];
  readonly #bound = new Set<MLPBound>();
  #disposed = false;

  constructor(options: MLPOptions) {
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `MLP(options) takes an options object with at least layers; got ${describe(options)}.`);
    }
    checkKeys("MLP options", options, ["layers", "activation", "output", "classes", "features", "dtype", "backend", "init", "seed", "penalty"]);
    const layers: unknown = options.layers;
    if (!Array.isArray(layers)) throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.layers must be an array of hidden layer widths, e.g. [16, 8]; got ${describe(layers)}.`);
    if (layers.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", "MLP options.layers must hold at least one hidden layer width, e.g. [16]; got an empty array.");
    this.layers = Object.freeze(layers.map((w, i) => checkWhole(`MLP options.layers[${i}]`, w, 1)));
    const activation: unknown = options.activation ?? MLP_DEFAULTS.activation;
    if (typeof activation !== "string" || !Object.hasOwn(ACTIVATIONS, activation)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.activation must be "relu", "tanh" or "sigmoid"; got ${describe(activation)}.`);
    }
    this.activation = activation as MLPActivation;
    const output: unknown = options.output ?? MLP_DEFAULTS.output;
    if (typeof output !== "string" || !Object.hasOwn(OUTPUTS, output)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.output must be "regression", "binary" or "softmax"; got ${describe(output)}.`);
    }
    this.output = output as MLPOutput;
    this.#classes = null;
    if (options.classes !== undefined) {
      if (this.output !== "softmax") throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.classes is only used with output "softmax"; got output ${describe(this.output)}.`);
      this.#classes = checkWhole("MLP options.classes", options.classes, 2);
    }
    const dtype = options.dtype ?? MLP_DEFAULTS.dtype;
    if (dtype !== "f32" && dtype !== "f64") throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.dtype must be "f32" or "f64"; got ${describe(dtype)}.`);
    this.dtype = dtype;
    const penalty: unknown = options.penalty ?? MLP_DEFAULTS.penalty;
    if (typeof penalty !== "object" || penalty === null || Array.isArray(penalty)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.penalty must be an object { l2? }; got ${describe(penalty)}.`);
    }
    checkKeys("MLP options.penalty", penalty, ["l2"]);
    const l2 = (penalty as { l2?: unknown }).l2;
    this.#l2 = l2 === undefined ? 0 : checkNumber("MLP options.penalty.l2", l2, { min: 0 });
    if (dtype === "f32" && !Number.isFinite(Math.fround(this.#l2))) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `MLP options.penalty.l2 must fit in f32 (at most ≈ 3.4e38) with dtype "f32"; got ${this.#l2}.`);
    }
    const init: unknown = options.init ?? (this.activation === "relu" ? "he" : "xavier");
    if (init !== "he" && init !== "xavier" && !isInitializer(init)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.init must be "he", "xavier" or an Initializer (normal({ … }), …); got ${describe(init)}.`);
    }
    this.#init = init;
    if (typeof init === "string") {
      if (options.seed === undefined) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `MLP options.seed is required for init "${init}": an integer in [0, 2^32 - 1], so that the random initial weights are reproducible.`);
      }
      this.#random = new Random(checkSeed(options.seed, "MLP options.seed"));
    } else {
      if (options.seed !== undefined) throw new DownhillTypeError("INVALID_ARGUMENT", "MLP options.seed is not used with an Initializer for options.init (it carries its own seed); remove one of them.");
      this.#random = null;
    }
    const features = options.features === undefined ? null : checkWhole("MLP options.features", options.features, 1);
    if (features !== null && this.output === "softmax" && this.#classes === null) {
      throw new DownhillTypeError("INVALID_ARGUMENT", "MLP options.features with output \"softmax\" needs options.classes, to create the output layer.");
    }
    const backend = options.backend === undefined ? undefined : checkBackendName(options.backend, "MLP options.backend");
    this.#impl = resolveBackend(backend);
    this.backend = this.#impl.name;
    if (features !== null) this.#create(features, this.#classes ?? 1);
  }

  /** The number of features, once known (options.features or the first bind). */
  get features(): number | null {
    return this.#sizes === null ? null : this.#sizes[0]!;
  }

  /** The classes of a "softmax" MLP, once known; null otherwise. */
  get classes(): number | null {
    return this.#classes;
  }

  /** Layer widths, inputs first and outputs last, once the features are known. */
  get sizes(): readonly number[] | null {
    return this.#sizes === null ? null : [...this.#sizes];
  }

  /** The parameters an optimizer updates: W and b of each layer, in order. */
  parameters(): Parameter[] {
    this.#live();
    this.#sizesOrThrow("parameters()");
    return this.#weights.flatMap((w, l) => [w, this.#biases[l]!]);
  }

  /** Targets fit the output: finite reals, 0/1 labels or class indices; returns the outputs. */
  #checkTargets(y: ArrayLike<number>, argument: string): number {
    if (this.output === "regression") return 1;
    if (this.output === "binary") {
      for (let i = 0; i < y.length; i++) {
        const v = y[i]!;
        if (v !== 0 && v !== 1) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: y[${i}] = ${v} is not a label; an MLP with output "binary" needs labels 0 or 1.`);
      }
      return 1;
    }
    const classes = this.#classes;
    let max = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!(Number.isInteger(v) && v >= 0 && (classes === null || v < classes))) {
        const allowed = classes === null ? "a whole number >= 0" : `a whole number in [0, ${classes - 1}]`;
        throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: y[${i}] = ${v} is not a class index; an MLP with output "softmax" needs ${allowed}.`);
      }
      if (v > max) max = v;
    }
    return classes ?? Math.max(2, max + 1);
  }

  bind(data: Dataset): BoundDataset {
    const argument = "MLP.bind(data)";
    const { ds, k } = this.#accept(data, argument);
    // Everything this bind allocates, checked at once before anything is.
    const sizes = this.#sizes ?? [ds.d, ...this.layers, k];
    const size = bytesPerElement(this.dtype);
    const parameters: number[] = [];
    if (this.#sizes === null) for (let l = 0; l + 1 < sizes.length; l++) parameters.push(2 * sizes[l]! * sizes[l + 1]! * size, 2 * sizes[l + 1]! * size);
    this.#impl.reserve(
      [...parameters, ds.n * ds.d * size, ds.n * size, (sizes.length + 4 * (sizes.length - 1)) * 4, ds.n * 4, scratchLen(ds.n, sizes) * size],
      `${argument}: ${parameters.length > 0 ? "the parameters, " : ""}a copy of the ${ds.n} × ${ds.d} data and the activations of a batch of all ${ds.n} rows through layers of ${sizes.join(", ")} units`,
    );
    if (this.#sizes === null) {
      this.#create(ds.d, k);
      if (this.output === "softmax") this.#classes = k;
    }
    const bound = new MLPBound(this, this.#impl, ds, this.#sizes!, this.#makeCall.bind(this));
    this.#bound.add(bound);
    return bound;
  }

  /** @internal fit's `workers` (Trainable.parallel): checks the data as bind does, creates the parameters, copies nothing. */
  parallel(data: Dataset): ParallelSpec {
    const { ds, k } = this.#accept(data, "MLP.bind(data)");
    if (this.#sizes === null) {
      this.#create(ds.d, k);
      if (this.output === "softmax") this.#classes = k;
    }
    const sizes = [...this.#sizes!];
    const impl = this.#impl;
    const weights = this.#weights.map((p) => Parameter.storages(p));
    const f32 = this.dtype === "f32";
    const l2 = f32 ? Math.fround(this.#l2) : this.#l2;
    return {
      data: ds,
      kernel: { model: "mlp", dtype: this.dtype, d: sizes[0]!, k: sizes[sizes.length - 1]!, bias: true, loss: 0, delta: 0, sizes, activation: ACTIVATIONS[this.activation], output: OUTPUTS[this.output] },
      params: this.parameters(),
      // crate/src/model/mlp.rs after its mean: the L2 penalty of each weight matrix in layer order.
      penalize(mean: number): number {
        let total = mean;
        if (l2 !== 0) {
          for (const w of weights) {
            total += impl.penalty("l2", w.data, l2, w.grad);
            if (f32) total = Math.fround(total);
          }
        }
        return total;
      },
    };
  }

  /** Checks `data` for this model (targets, features, f32 range); returns it with the outputs it needs. */
  #accept(data: Dataset, argument: string): { ds: Dataset; k: number } {
    this.#live();
    const ds = checkDataset(data, argument);
    if (ds.y === null) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: the dataset has no target y; give toDataset(X, y) targets to train on.`);
    this.#checkFeatures(ds.d, argument);
    const k = this.#checkTargets(ds.y, argument);
    if (this.dtype === "f32" && ds.dtype === "f64") {
      for (let i = 0; i < ds.X.length; i++) {
        if (!Number.isFinite(Math.fround(ds.X[i]!))) {
          throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: X[${Math.floor(i / ds.d)}][${i % ds.d}] = ${ds.X[i]} overflows f32 (largest ≈ 3.4e38); use dtype "f64".`);
        }
      }
      for (let i = 0; i < ds.n; i++) {
        if (!Number.isFinite(Math.fround(ds.y[i]!))) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: y[${i}] = ${ds.y[i]} overflows f32 (largest ≈ 3.4e38); use dtype "f64".`);
      }
    }
    return { ds, k };
  }

  /** @internal Called by MLPBound.dispose. */
  forget(bound: MLPBound): void {
    this.#bound.delete(bound);
  }

  /** @internal Throws DISPOSED after dispose(). */
  assertLive(): void {
    this.#live();
  }

  /** The kernel call over resident buffers; `sinks` replace the parameters' gradients (for loss()). */
  #makeCall(x: Storage, y: Storage, n: number, rows: RowStorage, scratch: Storage, table: RowStorage, sinks: { w: Storage[]; b: Storage[] } | null): MlpCall {
    const w = this.#weights.map((p) => Parameter.storages(p));
    const b = this.#biases.map((p) => Parameter.storages(p));
    return {
      x, y, n, rows, sizes: this.#sizes!, activation: ACTIVATIONS[this.activation], output: OUTPUTS[this.output],
      weights: w.map((s) => s.data), biases: b.map((s) => s.data),
      gradW: sinks?.w ?? w.map((s) => s.grad), gradB: sinks?.b ?? b.map((s) => s.grad),
      scratch, table, l2: this.#l2,
    };
  }

  /** The network's outputs for every row of `X` (n × k, widened to f64), computed in the model's dtype. */
  #decision(X: Dataset | Features, argument: string): { z: Float64Array; n: number; k: number } {
    this.#live();
    const sizes = this.#sizesOrThrow(argument);
    const ds = asDataset(X, undefined, argument);
    this.#checkFeatures(ds.d, argument);
    const { n, d } = ds;
    const k = sizes[sizes.length - 1]!;
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    let hidden = 0;
    for (let l = 1; l < sizes.length; l++) hidden += sizes[l]!;
    const start = n * (hidden - k);
    const z = new Float64Array(n * k);
    if (this.dtype === "f32") {
      const acts = new Float32Array(n * hidden);
      const data = (ps: Parameter[]) => ps.map((p) => p.data as Float32Array);
      forwardF32({ x: Float32Array.from(ds.X), y: new Float32Array(n), d, rows }, ACTIVATIONS[this.activation], data(this.#weights), data(this.#biases), new Float32Array(n * d), acts);
      z.set(acts.subarray(start));
    } else {
      const acts = new Float64Array(n * hidden);
      const data = (ps: Parameter[]) => ps.map((p) => p.data as Float64Array);
      const x = ds.X instanceof Float64Array ? ds.X : Float64Array.from(ds.X);
      forwardF64({ x, y: new Float64Array(n), d, rows }, ACTIVATIONS[this.activation], data(this.#weights), data(this.#biases), new Float64Array(n * d), acts);
      z.set(acts.subarray(start));
    }
    return { z, n, k };
  }

  /** The outputs of the last layer: predictions (regression) or logits, n × outputs row-major. */
  decisionFunction(X: Dataset | Features): Float64Array {
    return this.#decision(X, "MLP.decisionFunction(X)").z;
  }

  /**
   * Regression: the predicted values. Binary: labels 0/1 (1 where the logit is > 0).
   * Softmax: the class of largest logit (the first on ties).
   */
  predict(X: Dataset | Features): Float64Array {
    const { z, n, k } = this.#decision(X, "MLP.predict(X)");
    if (this.output === "regression") return z;
    if (this.output === "binary") {
      for (let i = 0; i < n; i++) z[i] = z[i]! > 0 ? 1 : 0;
      return z;
    }
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (z[r * k + c]! > z[r * k + best]!) best = c;
      out[r] = best;
    }
    return out;
  }

  /** Binary: P(y = 1 | x) per row. Softmax: class probabilities, rows × classes. In f64. */
  predictProba(X: Dataset | Features): Float64Array {
    if (this.output === "regression") throw new DownhillTypeError("INVALID_ARGUMENT", "MLP.predictProba(X) needs output \"binary\" or \"softmax\"; this MLP does regression (use predict).");
    const { z, n, k } = this.#decision(X, "MLP.predictProba(X)");
    if (this.output === "binary") {
      for (let i = 0; i < n; i++) {
        const e = exp(-Math.abs(z[i]!));
        z[i] = z[i]! >= 0 ? 1 / (1 + e) : e / (1 + e);
      }
      return z;
    }
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

  /** Regression: R² (scikit-learn's r2_score). Classification: accuracy. */
  score(X: Dataset | Features, y?: Targets): number {
    this.#live();
    const ds = asDataset(X, y, "MLP.score");
    if (ds.y === null) throw new DownhillTypeError("INVALID_ARGUMENT", "MLP.score: no targets to score against; pass a Dataset with y, or X and y.");
    const pred = this.predict(ds);
    return this.output === "regression" ? r2Score(ds.y, pred) : accuracy(ds.y, pred);
  }

  /** True after {@link MLP.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the parameters and every bound dataset; idempotent. Later use throws DISPOSED. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const bound of [...this.#bound]) bound.dispose();
    for (const p of [...this.#weights, ...this.#biases]) p.dispose();
  }

  #live(): void {
    if (this.#disposed) throw disposedError("MLP");
  }

  #sizesOrThrow(what: string): number[] {
    if (this.#sizes === null) {
      throw new DownhillError("NOT_FITTED", `MLP.${what.replace(/^.*\./, "")}: the model has no parameters yet; they are created by the first bind(data) (fit does it), which sets the number of features, or by options.features.`);
    }
    return this.#sizes;
  }

  #checkFeatures(d: number, argument: string): void {
    const features = this.features;
    if (features !== null && d !== features) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${argument}: the data has ${d} feature${d === 1 ? "" : "s"} but the model has ${features} (fixed by its first dataset or options.features).`);
    }
  }

  /** Creates W and b of every layer for `d` features and `k` outputs, W initialized, b zero. */
  #create(d: number, k: number): void {
    const sizes = [d, ...this.layers, k];
    const options = { dtype: this.dtype, backend: this.backend };
    const created: Parameter[] = [];
    // A failure puts the generator back where it was, so that a retry draws the same weights.
    const position = this.#random?.state() ?? null;
    try {
      for (let l = 0; l + 1 < sizes.length; l++) {
        const fanIn = sizes[l]!, fanOut = sizes[l + 1]!;
        const w = Parameter.zeros(fanIn * fanOut, options);
        created.push(w);
        const hidden = l + 2 < sizes.length;
        if (this.#init === "he") {
          heNormal({ fanIn, nonlinearity: hidden ? this.activation : "linear", seed: this.#random! }).fill(w);
        } else if (this.#init === "xavier") {
          xavierUniform({ fanIn, fanOut, gain: hidden ? calculateGain(this.activation) : 1, seed: this.#random! }).fill(w);
        } else {
          this.#init.fill(w);
        }
        created.push(Parameter.zeros(fanOut, options));
      }
    } catch (error) {
      for (const p of created) p.dispose();
      if (position !== null) this.#random!.setState(position);
      throw error;
    }
    this.#weights = created.filter((_, i) => i % 2 === 0);
    this.#biases = created.filter((_, i) => i % 2 === 1);
    this.#sizes = sizes;
  }
}

type MakeCall = (x: Storage, y: Storage, n: number, rows: RowStorage, scratch: Storage, table: RowStorage, sinks: { w: Storage[]; b: Storage[] } | null) => MlpCall;

/** A dataset copied into an MLP's backend memory, with the scratch its kernel needs. */
class MLPBound implements BoundDataset {
  readonly n: number;
  /** @internal lossAndGradient() without arguments: every row in order (BoundData.allRowsCall). */
  readonly allRowsCall = true;
  readonly #model: MLP;
  /** The data, rows and scratch in the backend's memory, and the calls' fault state. */
  readonly #data: Resident;
  readonly #sizes: readonly number[];
  readonly #makeCall: MakeCall;
  readonly #table: RowStorage;
  /** The data's buffer generation the cached calls were built on. */
  #built = 0;
  /** Where loss() writes the gradients it discards; allocated on its first call. */
  #sinks: { w: Storage[]; b: Storage[] } | null = null;
  #call: MlpCall | null = null;
  #lossCall: MlpCall | null = null;

  constructor(model: MLP, impl: Backend, ds: Dataset, sizes: readonly number[], makeCall: MakeCall) {
    this.n = ds.n;
    this.#model = model;
    this.#sizes = sizes;
    this.#makeCall = makeCall;
    const data = new Resident(impl, model.dtype, ds, (rows) => scratchLen(rows, sizes));
    try {
      this.#table = impl.allocRows(sizes.length + 4 * (sizes.length - 1));
    } catch (error) {
      data.dispose();
      throw error;
    }
    this.#data = data;
  }

  #live(): void {
    this.#data.live();
    this.#model.assertLive();
  }

  /** The kernel call over the data's current buffers, with the gradients written to `sinks` (the parameters' when null). */
  #mlpCall(sinks: { w: Storage[]; b: Storage[] } | null): MlpCall {
    const d = this.#data;
    if (this.#built !== d.generation) {
      this.#call = this.#lossCall = null;
      this.#built = d.generation;
    }
    if (sinks === null) return (this.#call ??= this.#makeCall(d.x, d.y, this.n, d.rows, d.scratch, this.#table, null));
    return (this.#lossCall ??= this.#makeCall(d.x, d.y, this.n, d.rows, d.scratch, this.#table, sinks));
  }

  lossAndGradient(indices?: Uint32Array, start?: number, end?: number): number {
    this.#live();
    const count = this.#data.setBatch(indices, start, end);
    return this.#run(this.#mlpCall(null), count);
  }

  /** @internal fit's row order (BoundData.order). */
  order(): RowOrder {
    this.#live();
    return this.#data.order();
  }

  loss(): number {
    this.#live();
    const d = this.#data;
    d.allRows();
    if (this.#sinks === null) {
      const sinks: { w: Storage[]; b: Storage[] } = { w: [], b: [] };
      const dtype = d.x.dtype;
      try {
        for (let l = 0; l + 1 < this.#sizes.length; l++) {
          sinks.w.push(d.impl.alloc(dtype, this.#sizes[l]! * this.#sizes[l + 1]!));
          sinks.b.push(d.impl.alloc(dtype, this.#sizes[l + 1]!));
        }
      } catch (error) {
        for (const s of [...sinks.w, ...sinks.b]) s.dispose();
        throw error;
      }
      this.#sinks = sinks;
    }
    return this.#run(this.#mlpCall(this.#sinks), this.n);
  }

  /** One kernel call, guarded (Resident.guard: a failure after validation makes this bound data unusable). */
  #run(call: MlpCall, count: number): number {
    const d = this.#data;
    return d.guard(() => d.impl.mlpLossAndGradient(call, count));
  }

  /** The model that bound this data. */
  get model(): MLP {
    return this.#model;
  }

  get disposed(): boolean {
    return this.#data.disposed;
  }

  dispose(): void {
    if (this.#data.disposed) return;
    this.#data.dispose();
    this.#table.dispose();
    for (const s of [...(this.#sinks?.w ?? []), ...(this.#sinks?.b ?? [])]) s.dispose();
    this.#call = null;
    this.#lossCall = null;
    this.#model.forget(this);
  }
}
