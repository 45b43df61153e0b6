/**
 * The linear models' shared machinery (LinearRegression, LogisticRegression,
 * SoftmaxRegression): options, lazily created Parameters, binding a dataset into the
 * backend's memory and the fused kernel call per batch (crate/src/model/ on wasm,
 * ts/kernels/model/ on ts, bit-identical), prediction and dispose.
 *
 * dtype defaults to "f64", unlike Parameter's "f32" (PyTorch's default): these are small
 * convex models whose cost is one pass over the data, so f64 costs little, keeps the
 * dataset's default dtype (no rounding when binding) and matches scikit-learn, whose
 * linear models compute in float64 and are what results are compared with. Choose "f32"
 * to halve the memory of large datasets.
 */
import type { Backend, BackendName, EpochsCall, ModelCall, ModelName, RowStorage, Storage } from "../backend/backend.ts";
import { checkBackendName, resolveBackend } from "../backend/select.ts";
import { checkDataset, toDataset, type Dataset, type Features, type Targets } from "../data/dataset.ts";
import type { ArrayOf, Dtype } from "../dtype.ts";
import { bytesPerElement, isFloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError, abstractClass } from "../errors.ts";
import { fillInOrder } from "../kernels/model/affine.ts";
import { batchIndices, checkBatchRange, checkBatchRows, checkEpochsRun } from "../train/batch.ts";
import { Resident } from "./resident.ts";
import type { Initializer } from "../init.ts";
import { forwardF32, forwardF64, scratchLen } from "../kernels/model/affine.ts";
import { checkBoolean, checkKeys, checkNumber } from "../options.ts";
import { Parameter } from "../parameter.ts";
import type { ParallelSpec } from "../train/data-parallel.ts";
import type { BoundDataset, RowOrder, StepsDone, StepsRun, Trainable } from "../train/trainable.ts";
import type { Optimizer } from "../optim/optimizer.ts";
import { SCALARS } from "../kernels/optim/kernel.ts";

/** Weight penalties added to the mean loss: `l2·Σ w² + l1·Σ |w|` (the bias is not penalized). */
export interface PenaltyOptions {
  /** Default 0. */
  l2?: number;
  /** Default 0. */
  l1?: number;
}

/** Options every linear model takes (see {@link LinearRegression}, {@link LogisticRegression}, {@link SoftmaxRegression}). */
export interface LinearModelOptions {
  /** Learn a bias (intercept); default true. */
  bias?: boolean;
  /** Element type of parameters and bound data; default "f64" (see the module docs). */
  dtype?: Dtype;
  /** Default: the global backend (see setBackend). */
  backend?: BackendName;
  /**
   * Initial weights: an Initializer (ts/init.ts) or the values themselves (d values, or
   * d × classes row-major for softmax). Default zeros, like scikit-learn's SGD models;
   * the bias always starts at 0.
   */
  init?: Initializer | readonly number[] | Float32Array | Float64Array;
  /** L2 and L1 weight penalties; default none. */
  penalty?: PenaltyOptions;
  /**
   * Number of features: creates the parameters at construction (so that an optimizer can
   * be built on them before fit). Default: from an init array, else the first bind.
   */
  features?: number;
}

/** The defaults every linear model shares, frozen. */
export const LINEAR_MODEL_DEFAULTS = Object.freeze({
  /** Learn a bias. */
  bias: true,
  /** Parameters and data in f64. */
  dtype: "f64" as Dtype,
  /** No penalty. */
  penalty: Object.freeze({
    /** No L2 penalty. */
    l2: 0,
    /** No L1 penalty. */
    l1: 0,
  }),
});

/** What a subclass tells the base: its kernel, names and options. */
export interface ModelSpec {
  readonly model: ModelName;
  readonly name: string;
  /** Linear regression's loss code and Huber threshold; 0 for the classifiers. */
  readonly loss: number;
  readonly delta: number;
}

const isInitializer = (v: unknown): v is Initializer =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && typeof (v as Initializer).fill === "function";

const isDatasetLike = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v) && "X" in v && "n" in v && "d" in v && "dtype" in v;

/** A Dataset as given, or one made by toDataset from rows / a flat matrix / objects. */
export function asDataset(X: Dataset | Features, y: Targets | undefined, argument: string): Dataset {
  if (isDatasetLike(X)) {
    if (y !== undefined) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: a Dataset carries its own targets; do not pass y as well.`);
    return checkDataset(X, argument);
  }
  return toDataset(X as Features, y);
}

/**
 * The base of the linear models: weights (and a bias) as Parameters on one backend, a
 * fused forward + loss + backward call per batch for {@link fit}, and `dispose()`.
 */
export abstract class LinearModel implements Trainable {
  /** Element type of the parameters and of bound data. */
  readonly dtype: Dtype;
  /** The backend the parameters live on. */
  readonly backend: BackendName;
  /** Whether the model learns a bias. */
  readonly hasBias: boolean;
  readonly #impl: Backend;
  readonly #spec: ModelSpec;
  readonly #init: Initializer | Float64Array | null;
  readonly #l2: number;
  readonly #l1: number;
  #weights: Parameter | null = null;
  #bias: Parameter | null = null;
  #features: number | null = null;
  #outputs: number | null = null;
  readonly #bound = new Set<Bound>();
  #disposed = false;

  /** @internal Validates the options common to every linear model; `extra` are the subclass's keys. */
  protected constructor(spec: ModelSpec, options: LinearModelOptions, extra: readonly string[], outputs: number | null) {
    if (new.target === LinearModel) abstractClass("LinearModel", "a model (new LinearRegression(), new LogisticRegression(), new SoftmaxRegression())");
    const name = spec.name;
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(options) takes an options object; got ${describe(options)}.`);
    }
    checkKeys(`${name} options`, options, ["bias", "dtype", "backend", "init", "penalty", "features", ...extra]);
    this.hasBias = options.bias === undefined ? LINEAR_MODEL_DEFAULTS.bias : checkBoolean(`${name} options.bias`, options.bias);
    const dtype = options.dtype ?? LINEAR_MODEL_DEFAULTS.dtype;
    if (dtype !== "f32" && dtype !== "f64") throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.dtype must be "f32" or "f64"; got ${describe(dtype)}.`);
    this.dtype = dtype;
    const penalty: unknown = options.penalty ?? LINEAR_MODEL_DEFAULTS.penalty;
    if (typeof penalty !== "object" || penalty === null || Array.isArray(penalty)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.penalty must be an object { l2?, l1? }; got ${describe(penalty)}.`);
    }
    checkKeys(`${name} options.penalty`, penalty, ["l2", "l1"]);
    const lambda = (key: "l2" | "l1"): number => {
      const value = (penalty as PenaltyOptions)[key];
      if (value === undefined) return 0;
      const v = checkNumber(`${name} options.penalty.${key}`, value, { min: 0 });
      if (dtype === "f32" && !Number.isFinite(Math.fround(v))) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.penalty.${key} must fit in f32 (at most ≈ 3.4e38) with dtype "f32"; got ${v}.`);
      }
      return v;
    };
    this.#l2 = lambda("l2");
    this.#l1 = lambda("l1");
    const init: unknown = options.init;
    if (init === undefined) {
      this.#init = null;
    } else if (isInitializer(init)) {
      this.#init = init;
    } else if (Array.isArray(init) || isFloatArray(init)) {
      const values = init as ArrayLike<unknown>;
      if (values.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.init must hold at least one value; got an empty array.`);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.init[${i}] must be a number; got ${describe(v)}.`);
        if (!Number.isFinite(v) || (dtype === "f32" && !Number.isFinite(Math.fround(v)))) {
          throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.init[${i}] must be finite${dtype === "f32" ? " in f32" : ""}; got ${v}.`);
        }
      }
      this.#init = Float64Array.from(values as ArrayLike<number>);
    } else {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.init must be an Initializer (zeros(), normal({ … }), …) or an array of initial weights; got ${describe(init)}.`);
    }
    const backend = options.backend === undefined ? undefined : checkBackendName(options.backend, `${name} options.backend`);
    this.#spec = spec;
    this.#impl = resolveBackend(backend);
    this.backend = this.#impl.name;
    this.#outputs = outputs;
    let features: number | null = null;
    if (options.features !== undefined) {
      features = checkNumber(`${name} options.features`, options.features, { min: 1 });
      if (!Number.isSafeInteger(features)) throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.features must be a whole number >= 1; got ${features}.`);
      if (outputs === null) throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.features needs options.classes, to create the features × classes weights.`);
    }
    if (this.#init instanceof Float64Array) {
      const k = outputs ?? 1;
      if (this.#init.length % k !== 0) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.init holds ${this.#init.length} values, which is not a whole number of rows of ${k} classes (the weights are features × classes, row-major).`);
      }
      if (features !== null && this.#init.length !== features * k) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${name} options.init holds ${this.#init.length} values but options.features × outputs is ${features} × ${k} = ${features * k}.`);
      }
      this.#create(this.#init.length / k, k);
    } else if (features !== null) {
      this.#create(features, outputs!);
    }
  }

  /** The number of features, once known (from an init array or the first bind). */
  get features(): number | null {
    return this.#features;
  }

  /** The number of outputs (1, or the classes), once known. */
  protected get outputs(): number | null {
    return this.#outputs;
  }

  /** The parameters an optimizer updates: the weights, then the bias (if any). */
  parameters(): Parameter[] {
    this.#live();
    const w = this.#weightsOrThrow("parameters()");
    return this.#bias === null ? [w] : [w, this.#bias];
  }

  /** A copy of the weights (d values; d × classes row-major for softmax). */
  protected weightValues(): Float64Array {
    this.#live();
    return Float64Array.from(this.#weightsOrThrow("weights").data);
  }

  /** A copy of the biases (k values; zeros without a bias). */
  protected biasValues(): Float64Array {
    this.#live();
    const w = this.#weightsOrThrow("bias");
    return this.#bias === null ? new Float64Array(w.length / this.#features!) : Float64Array.from(this.#bias.data);
  }

  /**
   * Checks the targets of `y` (finite reals, 0/1 labels or class indices; a message names
   * the row) and returns the outputs they need.
   */
  protected abstract checkTargets(y: ArrayLike<number>, argument: string, outputs: number | null): number;

  bind(data: Dataset): BoundDataset {
    const argument = `${this.#spec.name}.bind(data)`;
    const { ds, k } = this.#accept(data, argument);
    // Everything this bind allocates, checked at once before anything is.
    const size = bytesPerElement(this.dtype);
    const parameters = this.#weights === null ? [ds.d * k, ds.d * k, ...(this.hasBias ? [k, k] : [])].map((len) => len * size) : [];
    this.#impl.reserve(
      [...parameters, ds.n * ds.d * size, ds.n * size, ds.n * 4, scratchLen(ds.n, k) * size],
      `${argument}: ${parameters.length > 0 ? "the parameters, " : ""}a copy of the ${ds.n} × ${ds.d} data and the scratch for a batch of all ${ds.n} rows with ${k} output${k === 1 ? "" : "s"}`,
    );
    if (this.#weights === null) this.#create(ds.d, k);
    const d = this.#features!;
    const bound = new Bound(this, this.#impl, ds, { dtype: this.dtype, k, weights: d * k, bias: this.hasBias ? k : 0 }, this.#call.bind(this));
    this.#bound.add(bound);
    return bound;
  }

  /** @internal fit's `workers` (Trainable.parallel): checks the data as bind does, creates the parameters, copies nothing. */
  parallel(data: Dataset): ParallelSpec {
    const { ds, k } = this.#accept(data, `${this.#spec.name}.bind(data)`);
    if (this.#weights === null) this.#create(ds.d, k);
    const impl = this.#impl;
    const w = Parameter.storages(this.#weights!);
    const f32 = this.dtype === "f32";
    const [l2, l1] = f32 ? [Math.fround(this.#l2), Math.fround(this.#l1)] : [this.#l2, this.#l1];
    const spec = this.#spec;
    return {
      data: ds,
      kernel: { model: spec.model, dtype: this.dtype, d: ds.d, k, bias: this.hasBias, loss: spec.loss, delta: spec.delta, sizes: [], activation: 0, output: 0 },
      params: this.parameters(),
      // crate/src/model/affine.rs's penalize: the L2 penalty, then the L1, each skipped when its λ is 0 in the dtype.
      penalize(mean: number): number {
        let total = mean;
        if (l2 !== 0) total += impl.penalty("l2", w.data, l2, w.grad);
        if (f32) total = Math.fround(total);
        if (l1 !== 0) total += impl.penalty("l1", w.data, l1, w.grad);
        return f32 ? Math.fround(total) : total;
      },
    };
  }

  /** Checks `data` for this model (targets, features, f32 range); returns it with the outputs it needs. */
  #accept(data: Dataset, argument: string): { ds: Dataset; k: number } {
    this.#live();
    const ds = checkDataset(data, argument);
    if (ds.y === null) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: the dataset has no target y; give toDataset(X, y) targets to train on.`);
    this.#checkFeatures(ds.d, argument);
    const k = this.checkTargets(ds.y, argument, this.#outputs);
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

  /** @internal Called by Bound.dispose. */
  forget(bound: Bound): void {
    this.#bound.delete(bound);
  }

  /** @internal Throws DISPOSED after dispose(). */
  assertLive(): void {
    this.#live();
  }

  /** The kernel call over resident buffers, with the model's parameters and hyperparameters. */
  #call(x: Storage, y: Storage, n: number, rows: RowStorage, scratch: Storage, gradW: Storage | null, gradB: Storage | null): ModelCall {
    const w = Parameter.storages(this.#weights!);
    const b = this.#bias === null ? null : Parameter.storages(this.#bias);
    const spec = this.#spec;
    return {
      model: spec.model, x, y, n, d: this.#features!, k: this.#outputs!, rows,
      weights: w.data, bias: b === null ? null : b.data,
      gradW: gradW ?? w.grad, gradB: b === null ? null : gradB ?? b.grad,
      scratch, loss: spec.loss, delta: spec.delta, l2: this.#l2, l1: this.#l1,
    };
  }

  /**
   * @internal The outputs z = x·W + b of every row of `X` (n × k, widened to f64), computed
   * by the kernels' forward pass in the model's dtype on either backend.
   */
  protected decision(X: Dataset | Features, argument: string): { z: Float64Array; n: number; k: number } {
    this.#live();
    const w = this.#weightsOrThrow(argument);
    const ds = asDataset(X, undefined, argument);
    this.#checkFeatures(ds.d, argument);
    const { n, d } = ds;
    const k = this.#outputs!;
    const rows = new Uint32Array(n);
    fillInOrder(rows, n);
    const z = new Float64Array(n * k);
    if (this.dtype === "f32") {
      const x = Float32Array.from(ds.X);
      const out = new Float32Array(n * k);
      const b = this.#bias === null ? new Float32Array(0) : (this.#bias.data as Float32Array);
      forwardF32({ x, y: new Float32Array(n), d, rows }, w.data as Float32Array, b, k, out, new Float32Array(n));
      z.set(out);
    } else {
      const x = ds.X instanceof Float64Array ? ds.X : Float64Array.from(ds.X);
      const b = this.#bias === null ? new Float64Array(0) : (this.#bias.data as Float64Array);
      forwardF64({ x, y: new Float64Array(n), d, rows }, w.data as Float64Array, b, k, z, new Float64Array(n));
    }
    return { z, n, k };
  }

  /** @internal The dataset of `score(X, y)` with its targets. */
  protected scored(X: Dataset | Features, y: Targets | undefined, argument: string): Dataset & { y: ArrayOf<Dtype> } {
    this.#live();
    const ds = asDataset(X, y, argument);
    if (ds.y === null) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: no targets to score against; pass a Dataset with y, or X and y.`);
    return ds as Dataset & { y: ArrayOf<Dtype> };
  }

  /** True after {@link LinearModel.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Frees the parameters and every bound dataset; idempotent. Later use throws DISPOSED. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const bound of [...this.#bound]) bound.dispose();
    this.#weights?.dispose();
    this.#bias?.dispose();
  }

  #live(): void {
    if (this.#disposed) throw disposedError(this.#spec.name);
  }

  #weightsOrThrow(what: string): Parameter {
    if (this.#weights === null) {
      throw new DownhillError("NOT_FITTED", `${this.#spec.name}.${what.replace(/^.*\./, "")}: the model has no parameters yet; they are created by the first bind(data) (fit does it), which sets the number of features, or by an options.init array.`);
    }
    return this.#weights;
  }

  #checkFeatures(d: number, argument: string): void {
    if (this.#features !== null && d !== this.#features) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${argument}: the data has ${d} feature${d === 1 ? "" : "s"} but the model has ${this.#features} (fixed by its first dataset or its init array).`);
    }
  }

  #create(d: number, k: number): void {
    const options = { dtype: this.dtype, backend: this.backend };
    const weights = Parameter.zeros(d * k, options);
    try {
      if (this.#init instanceof Float64Array) weights.data.set(this.#init);
      else if (this.#init !== null) this.#init.fill(weights);
      this.#bias = this.hasBias ? Parameter.zeros(k, options) : null;
    } catch (error) {
      weights.dispose();
      throw error;
    }
    this.#weights = weights;
    this.#features = d;
    this.#outputs = k;
  }
}

/** The dtype, outputs and parameter lengths of a bound model. */
interface Shape {
  readonly dtype: Dtype;
  readonly k: number;
  readonly weights: number;
  readonly bias: number;
}

type MakeCall = (x: Storage, y: Storage, n: number, rows: RowStorage, scratch: Storage, gradW: Storage | null, gradB: Storage | null) => ModelCall;

/** The buffers of Bound.steps' backend calls. */
interface TrainBuffers {
  readonly steps: number;
  readonly scalars: Storage;
  readonly flags: RowStorage;
  readonly losses: Storage;
  readonly norms: Storage;
  /** EpochsCall's 5 f64, 4 rng words and the best weights and bias. */
  readonly watch: Storage;
  readonly rng: RowStorage;
  readonly best: Storage;
}

/** A dataset copied into a model's backend memory, with the buffers its kernel needs. */
class Bound implements BoundDataset {
  readonly n: number;
  /** @internal lossAndGradient() without arguments: every row in order (BoundData.allRowsCall). */
  readonly allRowsCall = true;
  readonly #model: LinearModel;
  /** The data, rows and scratch in the backend's memory, and the calls' fault state. */
  readonly #data: Resident;
  readonly #makeCall: MakeCall;
  readonly #shape: Shape;
  /** The data's buffer generation the cached calls were built on. */
  #built = 0;
  /** steps()' buffers: per step (scalars, flags, losses, norms), grown as runs need, and per run (epochs' watch, rng and best). */
  #train: TrainBuffers | null = null;
  /** Where loss() writes the gradient it discards; allocated on its first call. */
  #sink: { w: Storage; b: Storage | null } | null = null;
  #call: ModelCall | null = null;
  #lossCall: ModelCall | null = null;
  /** The kernel call on fit()'s row order (order()'s storage) instead of the row buffer. */
  #orderCall: ModelCall | null = null;

  constructor(model: LinearModel, impl: Backend, ds: Dataset, shape: Shape, makeCall: MakeCall) {
    this.n = ds.n;
    this.#model = model;
    this.#makeCall = makeCall;
    this.#shape = shape;
    this.#data = new Resident(impl, shape.dtype, ds, (rows) => scratchLen(rows, shape.k));
  }

  #live(): void {
    this.#data.live();
    this.#model.assertLive();
  }

  /** The kernel call over the data's current buffers, with the gradients written to `gradW`/`gradB` (the parameters' when null). */
  #modelCall(sink: { w: Storage; b: Storage | null } | null): ModelCall {
    const d = this.#data;
    if (this.#built !== d.generation) {
      this.#call = this.#lossCall = this.#orderCall = null;
      this.#built = d.generation;
    }
    if (sink === null) return (this.#call ??= this.#makeCall(d.x, d.y, this.n, d.rows, d.scratch, null, null));
    return (this.#lossCall ??= this.#makeCall(d.x, d.y, this.n, d.rows, d.scratch, sink.w, sink.b));
  }

  lossAndGradient(indices?: Uint32Array, start?: number, end?: number): number {
    this.#live();
    const count = this.#data.setBatch(indices, start, end);
    return this.#run(this.#modelCall(null), count);
  }

  /** @internal fit's row order (BoundData.order). */
  order(): RowOrder {
    this.#live();
    return this.#data.order();
  }

  steps(run: StepsRun, optimizer: Optimizer<object>): StepsDone | null {
    this.#live();
    const { indices, start, end, batch } = run;
    const data = this.#data;
    // fit()'s order, kept in the backend's memory, is a permutation of the rows by
    // construction (abi.rs checks the rows again, as for any array).
    const own = indices instanceof Uint32Array ? null : data.order();
    if (own !== null && indices !== own) throw new DownhillError("INVALID_ARGUMENT", "steps(run): run.indices must be a Uint32Array or this bound dataset's order().");
    checkBatchRange(own === null ? indices : own.rows, start, end);
    if (own === null) checkBatchRows(indices as Uint32Array, start, end, this.n);
    if (!Number.isSafeInteger(batch) || batch < 1) throw new DownhillRangeError("INVALID_ARGUMENT", `steps(run): run.batch must be a whole number >= 1; got ${describe(batch)}.`);
    const fused = optimizer.fusible();
    if (fused === null) return null;
    const count = end - start;
    data.reserve(count);
    // First: it drops the cached calls when the buffers were reallocated.
    const base = this.#modelCall(null);
    const call = own === null ? base : (this.#orderCall ??= { ...base, rows: own.storage });
    const rows = fused.plan.rows;
    const ours = call.bias === null ? [call.weights, call.gradW] : [call.weights, call.gradW, call.bias, call.gradB];
    if (rows.length * 2 !== ours.length || rows.some((r, i) => r.param !== ours[2 * i] || r.grad !== ours[2 * i + 1])) return null;
    const e = run.epochs;
    if (e !== undefined) checkEpochsRun(e, rows.map((r) => r.param.length));
    const steps = Math.ceil(count / batch) * (e === undefined ? 1 : e.count);
    const buffers = this.#trainBuffers(steps);
    if (own === null) data.setRows(batchIndices(indices as Uint32Array, start, end));
    const losses = buffers.losses.array as Float64Array;
    const norms = buffers.norms.array as Float64Array;
    let epochs: EpochsCall | null = null;
    if (e !== undefined) {
      (buffers.watch.array as Float64Array).set([e.tol, e.patience, e.bad, e.bestLoss, 0]);
      if (e.rng !== null) buffers.rng.array.set(e.rng);
      epochs = { count: e.count, rng: e.rng === null ? null : buffers.rng, watch: buffers.watch, best: buffers.best };
    }
    let done = 0;
    optimizer.fusedSteps(steps, buffers.scalars.array as Float64Array, buffers.flags.array, () => {
      done = data.guard(() =>
        data.impl.train({
          model: call, first: own === null ? 0 : start, count, batch, kernel: fused.kernel, plan: fused.plan, scalars: buffers.scalars, flags: buffers.flags,
          maxNorm: run.maxNorm, tol: run.tol, losses: buffers.losses, norms: buffers.norms, epochs,
        }),
      );
      // The last batch recorded was not stepped if its loss or norm is not finite.
      return Number.isFinite(losses[done - 1]!) && Number.isFinite(norms[done - 1]!) ? done : done - 1;
    });
    if (e !== undefined) {
      // The rows as shuffled (an order of its own was shuffled in place), the generator's
      // state, the rule's state and the best weights.
      if (own === null) (indices as Uint32Array).set(data.rows.array.subarray(0, count), start);
      if (e.rng !== null) e.rng.set(buffers.rng.array);
      const watch = buffers.watch.array as Float64Array;
      e.bad = watch[2]!;
      e.bestLoss = watch[3]!;
      e.bestEpoch = watch[4]!;
      if (e.bestEpoch > 0) {
        const best = buffers.best.array;
        for (let i = 0, at = 0; i < e.best.length; at += e.best[i]!.length, i++) e.best[i]!.set(best.subarray(at, at + e.best[i]!.length));
      }
    }
    return { count: done, losses, norms };
  }

  /** The per-step buffers of steps() for runs of up to `steps` steps. */
  #trainBuffers(steps: number): TrainBuffers {
    const current = this.#train;
    if (current !== null && current.steps >= steps) return current;
    const impl = this.#data.impl;
    const weights = this.#shape.weights + this.#shape.bias;
    const dtype = this.#shape.dtype;
    impl.reserve([steps * SCALARS * 8, steps * 4, steps * 8, steps * 8, 5 * 8, 4 * 4, weights * (dtype === "f32" ? 4 : 8)], `the buffers of ${steps} training steps`);
    const made: { dispose(): void }[] = [];
    try {
      const keep = <T extends { dispose(): void }>(b: T): T => (made.push(b), b);
      const next: TrainBuffers = {
        steps, scalars: keep(impl.alloc("f64", steps * SCALARS)), flags: keep(impl.allocRows(steps)), losses: keep(impl.alloc("f64", steps)), norms: keep(impl.alloc("f64", steps)),
        watch: keep(impl.alloc("f64", 5)), rng: keep(impl.allocRows(4)), best: keep(impl.alloc(dtype, weights)),
      };
      this.#disposeTrain();
      this.#train = next;
      return next;
    } catch (error) {
      for (const b of made) b.dispose();
      throw error;
    }
  }

  #disposeTrain(): void {
    const t = this.#train;
    if (t === null) return;
    t.scalars.dispose();
    t.flags.dispose();
    t.losses.dispose();
    t.norms.dispose();
    t.watch.dispose();
    t.rng.dispose();
    t.best.dispose();
    this.#train = null;
  }

  loss(): number {
    this.#live();
    const d = this.#data;
    d.allRows();
    if (this.#sink === null) {
      const w = d.impl.alloc(this.#shape.dtype, this.#shape.weights);
      let b: Storage | null = null;
      try {
        if (this.#shape.bias > 0) b = d.impl.alloc(this.#shape.dtype, this.#shape.bias);
      } catch (error) {
        w.dispose();
        throw error;
      }
      this.#sink = { w, b };
    }
    return this.#run(this.#modelCall(this.#sink), this.n);
  }

  /** One kernel call, guarded (Resident.guard: a failure after validation makes this bound data unusable). */
  #run(call: ModelCall, count: number): number {
    const d = this.#data;
    return d.guard(() => d.impl.modelLossAndGradient(call, count));
  }

  /** The model that bound this data. */
  get model(): LinearModel {
    return this.#model;
  }

  get disposed(): boolean {
    return this.#data.disposed;
  }

  dispose(): void {
    if (this.#data.disposed) return;
    this.#data.dispose();
    this.#sink?.w.dispose();
    this.#sink?.b?.dispose();
    this.#disposeTrain();
    this.#call = null;
    this.#lossCall = null;
    this.#orderCall = null;
    this.#model.forget(this);
  }
}
