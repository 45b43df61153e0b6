/**
 * Losses with their gradients, PyTorch's torch.nn losses (1.13, reduction "mean" unless
 * named otherwise): each returns `{ value, grad }`, the loss and its gradient w.r.t. the
 * predictions (already divided by N for means), computed in one pass by the kernels of
 * crate/src/loss/ (wasm) or ts/kernels/loss/ (ts), which give the same bits.
 *
 * Inputs are Float32Array, Float64Array or number[]: the dtype is the predictions' (f64
 * for number[]); a typed target must have that dtype, a number[] target is converted to
 * it. Everything is validated before anything is computed: lengths, NaN/±Infinity (with
 * the index), BCE targets in [0, 1], class indices, delta, lambda.
 *
 * Cross-entropy class indices may be given as Uint32Array, Int32Array, number[] or a float
 * array; the kernels store them as floats of the logits' dtype (exact for the < 2^24 classes
 * allowed in f32).
 */
import type { Backend, CrossEntropyTargets, LossName, PenaltyName, Storage } from "../backend/backend.ts";
import { checkBackendName, resolveBackend } from "../backend/select.ts";
import { TsStorage } from "../backend/ts/index.ts";
import type { BackendName } from "../backend/backend.ts";
import { dtypeOf, isDetached, isFloatArray, type Dtype, type FloatArray } from "../dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys, checkNumber } from "../options.ts";

/** Predictions, targets and weights: a typed array (its dtype) or numbers (f64). */
export type FloatInput = Float32Array | Float64Array | readonly number[];
/** The gradient's array type for an input: Float32Array for Float32Array, else Float64Array. */
export type GradOf<P> = P extends Float32Array ? Float32Array : Float64Array;
/** Class indices for crossEntropyLoss: integers in [0, classes). */
export type ClassIndices = Uint32Array | Int32Array | Float32Array | Float64Array | readonly number[];

/** Options every loss takes. */
export interface LossOptions {
  /** Which backend computes the loss; both give the same bits. Default: the global default. */
  backend?: BackendName;
}

/** Options of {@link huberLoss}. */
export interface HuberLossOptions extends LossOptions {
  /** Where the loss changes from quadratic to linear; > 0. Default 1 (torch.nn.HuberLoss). */
  delta?: number;
}

/** Options of {@link crossEntropyLoss}. */
export interface CrossEntropyLossOptions extends LossOptions {
  /** K, the number of classes: logits hold N × K values, row-major. */
  classes: number;
  /**
   * "indices" (N class indices) or "probabilities" (N × K values). Default: by the target's
   * length (indices when both fit, that is when K = 1).
   */
  target?: "indices" | "probabilities";
}

/** Options of {@link l2Penalty} and {@link l1Penalty}. */
export interface PenaltyOptions<A extends FloatArray = FloatArray> extends LossOptions {
  /** λ, the penalty's strength; finite, >= 0. */
  lambda: number;
  /** A weight-gradient buffer of the weights' dtype and length to add the penalty's gradient into. Default: a new zero buffer. */
  grad?: A;
}

/** A loss's value and its gradient, computed in one pass. */
export interface LossResult<A extends FloatArray = FloatArray> {
  /** The loss, computed in the inputs' dtype. */
  readonly value: number;
  /** d value / d predictions (for penalties: the weight gradient with the penalty's added). */
  readonly grad: A;
}

/** torch.nn.HuberLoss's default. */
export const HUBER_LOSS_DEFAULTS: Readonly<{
  /** Where the loss turns linear: 1. */
  delta: number;
}> = Object.freeze({ delta: 1.0 });

function newArray(dtype: Dtype, length: number): FloatArray {
  return dtype === "f32" ? new Float32Array(length) : new Float64Array(length);
}

/** `value` as a float array of `dtype` (its own dtype when undefined and typed; f64 for number[]). */
function floats(fn: string, name: string, value: unknown, dtype?: Dtype): FloatArray {
  if (isFloatArray(value)) {
    if (isDetached(value.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(${name}) is a ${value.constructor.name} whose ArrayBuffer is detached (transferred); pass a live copy.`);
    if (dtype !== undefined && dtypeOf(value) !== dtype) {
      const wanted = dtype === "f32" ? "Float32Array" : "Float64Array";
      throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(${name}) must be a ${wanted} (the dtype of the predictions) or an array of numbers; got ${describe(value)}.`);
    }
    return value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (typeof value[i] !== "number") {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(${name}): ${name}[${i}] must be a number; got ${describe(value[i])}.`);
      }
    }
    return dtype === "f32" ? Float32Array.from(value as number[]) : Float64Array.from(value as number[]);
  }
  throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(${name}) must be a Float32Array, Float64Array or an array of numbers; got ${describe(value)}.`);
}

function checkFinite(fn: string, name: string, x: ArrayLike<number>): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (!Number.isFinite(v)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(${name}): ${name}[${i}] is ${v}; every value must be finite.`);
    }
  }
}

function checkSameLength(fn: string, a: string, x: ArrayLike<number>, b: string, y: ArrayLike<number>): void {
  if (x.length !== y.length) {
    throw new DownhillRangeError("SHAPE_MISMATCH", `${fn}: ${a} and ${b} must have the same length; got ${x.length} and ${y.length}.`);
  }
}

function backendOf(fn: string, options: { backend?: unknown } | undefined): Backend {
  const name = options?.backend;
  return resolveBackend(name === undefined ? undefined : checkBackendName(name, `${fn}(options.backend)`));
}

/**
 * Runs `call` on storages of `backend` holding `inputs` and a gradient buffer of `length`
 * elements starting from `initial` (zeros when null). The ts backend computes on the
 * arrays themselves; the wasm backend copies them into WASM memory and frees them after.
 */
function run<A extends FloatArray>(
  backend: Backend,
  dtype: Dtype,
  inputs: readonly FloatArray[],
  initial: A | null,
  length: number,
  call: (storages: Storage[], grad: Storage) => number,
): LossResult<A> {
  if (backend.name === "ts") {
    const grad = initial ?? (newArray(dtype, length) as A);
    const value = call(inputs.map((x) => new TsStorage(dtype, x)), new TsStorage(dtype, grad));
    return { value, grad };
  }
  const owned: Storage[] = [];
  try {
    const storages = inputs.map((x) => {
      const s = backend.alloc(dtype, x.length);
      owned.push(s);
      s.array.set(x);
      return s;
    });
    const grad = backend.alloc(dtype, length);
    owned.push(grad);
    if (initial !== null) grad.array.set(initial);
    const value = call(storages, grad);
    const out = initial ?? (newArray(dtype, length) as A);
    out.set(grad.array);
    return { value, grad: out };
  } finally {
    for (const s of owned) s.dispose();
  }
}

/** Checks (pred, target, options) of a loss over equal-length vectors. */
function pointwiseInputs(fn: string, pred: unknown, target: unknown, options: unknown, keys: readonly string[]) {
  checkKeys(`${fn}(options)`, options, keys);
  const backend = backendOf(fn, options as LossOptions | undefined);
  const p = floats(fn, "pred", pred);
  const dtype = dtypeOf(p);
  const t = floats(fn, "target", target, dtype);
  checkSameLength(fn, "pred", p, "target", t);
  checkFinite(fn, "pred", p);
  checkFinite(fn, "target", t);
  return { backend, dtype, p, t };
}

/** A mean over zero values is 0/0: refused rather than returned as NaN (torch's answer). */
function checkNotEmpty(fn: string, name: string, length: number): void {
  if (length === 0) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(${name}) is empty: the mean over zero values is undefined (NaN in torch); give at least one value.`);
  }
}

function pointwise<P extends FloatInput>(fn: string, name: LossName, pred: P, target: FloatInput, options: LossOptions | undefined): LossResult<GradOf<P>> {
  const { backend, dtype, p, t } = pointwiseInputs(fn, pred, target, options, ["backend"]);
  if (name !== "rss") checkNotEmpty(fn, "pred", p.length);
  if (name === "bceWithLogits") {
    for (let i = 0; i < t.length; i++) {
      const y = t[i]!;
      if (!(y >= 0 && y <= 1)) throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(target): target[${i}] is ${y}; every target must be in [0, 1].`);
    }
  }
  return run(backend, dtype, [p, t], null, p.length, ([ps, ts], g) => backend.loss(name, ps!, ts!, g)) as LossResult<GradOf<P>>;
}

/** `d_i = y_i − ŷ_i`, the residuals of predictions `pred` against `target`. */
export function residual<P extends FloatInput>(pred: P, target: FloatInput, options?: LossOptions): GradOf<P> {
  const { backend, dtype, p, t } = pointwiseInputs("residual", pred, target, options, ["backend"]);
  return run(backend, dtype, [p, t], null, p.length, ([ps, ts], out) => {
    backend.residual(ps!, ts!, out);
    return 0;
  }).grad as GradOf<P>;
}

/** Residual sum of squares `Σ (y − ŷ)²` (torch.nn.MSELoss with reduction "sum"); grad `2·(ŷ − y)`. */
export function rssLoss<P extends FloatInput>(pred: P, target: FloatInput, options?: LossOptions): LossResult<GradOf<P>> {
  return pointwise("rssLoss", "rss", pred, target, options);
}

/** Mean squared error `Σ (y − ŷ)² / N` (torch.nn.MSELoss); grad `2·(ŷ − y) / N`. Empty inputs are refused (torch gives NaN). */
export function mseLoss<P extends FloatInput>(pred: P, target: FloatInput, options?: LossOptions): LossResult<GradOf<P>> {
  return pointwise("mseLoss", "mse", pred, target, options);
}

/** Mean absolute error `Σ |ŷ − y| / N` (torch.nn.L1Loss); grad `sign(ŷ − y) / N` with sign(0) = 0. */
export function maeLoss<P extends FloatInput>(pred: P, target: FloatInput, options?: LossOptions): LossResult<GradOf<P>> {
  return pointwise("maeLoss", "mae", pred, target, options);
}

/**
 * Binary cross-entropy from logits (torch.nn.BCEWithLogitsLoss): mean of
 * `max(x, 0) − x·y + log1p(exp(−|x|))`, finite for any finite logit; grad `(sigmoid(x) − y) / N`.
 * Targets must be in [0, 1].
 */
export function bceWithLogitsLoss<P extends FloatInput>(logits: P, target: FloatInput, options?: LossOptions): LossResult<GradOf<P>> {
  return pointwise("bceWithLogitsLoss", "bceWithLogits", logits, target, options);
}

/** Huber loss (torch.nn.HuberLoss): mean of `0.5·d²` if |d| < delta else `delta·(|d| − 0.5·delta)`. */
export function huberLoss<P extends FloatInput>(pred: P, target: FloatInput, options?: HuberLossOptions): LossResult<GradOf<P>> {
  const fn = "huberLoss";
  const { backend, dtype, p, t } = pointwiseInputs(fn, pred, target, options, ["backend", "delta"]);
  checkNotEmpty(fn, "pred", p.length);
  const delta = options?.delta === undefined ? HUBER_LOSS_DEFAULTS.delta : checkNumber(`${fn}(delta)`, options.delta, { min: 0, minExclusive: true });
  if (dtype === "f32" && !(Math.fround(delta) > 0 && Number.isFinite(Math.fround(delta)))) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(delta) must be > 0 and finite in f32; got ${delta}.`);
  }
  return run(backend, dtype, [p, t], null, p.length, ([ps, ts], g) => backend.huberLoss(ps!, ts!, delta, g)) as LossResult<GradOf<P>>;
}

/**
 * Softmax cross-entropy from logits (torch.nn.CrossEntropyLoss, no weights, no label
 * smoothing): `logits` hold N × K values row-major (K = `classes`); `target` holds N class
 * indices or N × K class probabilities. Mean over rows of `−Σ t·log_softmax(x)`; grad
 * `(softmax(x) − t) / N`.
 */
export function crossEntropyLoss<P extends FloatInput>(logits: P, target: ClassIndices, options: CrossEntropyLossOptions): LossResult<GradOf<P>> {
  const fn = "crossEntropyLoss";
  checkKeys(`${fn}(options)`, options, ["backend", "classes", "target"]);
  if (options === undefined) throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(options) must be given with the number of classes, e.g. { classes: 3 }.`);
  const backend = backendOf(fn, options);
  const x = floats(fn, "logits", logits);
  const dtype = dtypeOf(x);
  const classes = checkNumber(`${fn}(classes)`, options.classes, { min: 1 });
  const maxClasses = dtype === "f32" ? 2 ** 24 : 2 ** 32 - 1;
  if (!Number.isInteger(classes) || classes > maxClasses) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(classes) must be an integer from 1 to ${maxClasses}; got ${classes}.`);
  }
  if (x.length % classes !== 0) {
    throw new DownhillRangeError("SHAPE_MISMATCH", `${fn}: logits must hold rows × ${classes} values; got ${x.length}, not a multiple of ${classes}.`);
  }
  const rows = x.length / classes;
  checkNotEmpty(fn, "logits", rows);
  const kind = options.target;
  if (kind !== undefined && kind !== "indices" && kind !== "probabilities") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(options.target) must be "indices" or "probabilities"; got ${describe(kind)}.`);
  }
  const length = (target as { length?: unknown } | null)?.length;
  if (!(Array.isArray(target) || ArrayBuffer.isView(target)) || typeof length !== "number") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(target) must be class indices (Uint32Array, Int32Array or numbers) or probabilities (a float array); got ${describe(target)}.`);
  }
  const targets: CrossEntropyTargets = kind === "indices" ? "index" : kind === "probabilities" ? "probs" : length === rows ? "index" : "probs";
  const wantedLength = targets === "index" ? rows : x.length;
  if (length !== wantedLength) {
    const wanted = kind === undefined ? `${rows} class indices or ${rows} × ${classes} = ${x.length} probabilities` : targets === "index" ? `${rows} class indices` : `${rows} × ${classes} = ${x.length} probabilities`;
    throw new DownhillRangeError("SHAPE_MISMATCH", `${fn}: target must hold ${wanted} for ${rows} rows of logits; got ${length} values.`);
  }
  checkFinite(fn, "logits", x);
  let t: FloatArray;
  if (targets === "index") {
    if (!(target instanceof Uint32Array || target instanceof Int32Array || isFloatArray(target) || Array.isArray(target))) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(target) must be class indices as a Uint32Array, Int32Array, float array or numbers; got ${describe(target)}.`);
    }
    const indices = target as ArrayLike<unknown>;
    t = newArray(dtype, rows);
    for (let i = 0; i < rows; i++) {
      const c = indices[i];
      if (typeof c !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(target): target[${i}] must be a class index; got ${describe(c)}.`);
      if (!(Number.isInteger(c) && c >= 0 && c < classes)) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(target): target[${i}] is ${c}; class indices must be integers in [0, ${classes}).`);
      }
      t[i] = c;
    }
  } else {
    t = floats(fn, "target", target, dtype);
    checkFinite(fn, "target", t);
  }
  return run(backend, dtype, [x, t], null, x.length, ([xs, ts], g) => backend.crossEntropy(targets, xs!, ts!, classes, g)) as LossResult<GradOf<P>>;
}

function penalty<P extends FloatInput>(fn: string, name: PenaltyName, weights: P, options: PenaltyOptions): LossResult<GradOf<P>> {
  checkKeys(`${fn}(options)`, options, ["backend", "lambda", "grad"]);
  if (options === undefined) throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(options) must be given with the penalty's strength, e.g. { lambda: 1e-4 }.`);
  const backend = backendOf(fn, options);
  const w = floats(fn, "weights", weights);
  const dtype = dtypeOf(w);
  const lambda = checkNumber(`${fn}(lambda)`, options.lambda, { min: 0 });
  if (dtype === "f32" && !Number.isFinite(Math.fround(lambda))) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(lambda) must be finite in f32; got ${lambda}.`);
  }
  let initial: FloatArray | null = null;
  if (options.grad !== undefined) {
    const g: unknown = options.grad;
    if (!isFloatArray(g) || dtypeOf(g) !== dtype) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(options.grad) must be a ${dtype === "f32" ? "Float32Array" : "Float64Array"} (the weights' dtype); got ${describe(g)}.`);
    }
    if (isDetached(g.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(options.grad) is a ${g.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
    checkSameLength(fn, "weights", w, "grad", g);
    if (g.buffer === w.buffer && g.byteOffset < w.byteOffset + w.byteLength && w.byteOffset < g.byteOffset + g.byteLength) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(options.grad) overlaps the weights; give a separate gradient buffer.`);
    }
    checkFinite(fn, "grad", g);
    initial = g;
  }
  checkFinite(fn, "weights", w);
  // λ = 0 (also once rounded to f32) adds nothing: not 0·∞ = NaN when Σw² (or 2w) overflows.
  if ((dtype === "f32" ? Math.fround(lambda) : lambda) === 0) return { value: 0, grad: initial ?? newArray(dtype, w.length) } as LossResult<GradOf<P>>;
  return run(backend, dtype, [w], initial, w.length, ([ws], g) => backend.penalty(name, ws!, lambda, g)) as LossResult<GradOf<P>>;
}

/** L2 penalty `λ·Σ w²`; its gradient `2·λ·w` is added into `options.grad` (or a new zero buffer). */
export function l2Penalty<P extends FloatInput>(weights: P, options: PenaltyOptions<GradOf<P>>): LossResult<GradOf<P>> {
  return penalty("l2Penalty", "l2", weights, options);
}

/** L1 penalty `λ·Σ |w|`; its gradient `λ·sign(w)` (sign(0) = 0) is added into `options.grad` (or a new zero buffer). */
export function l1Penalty<P extends FloatInput>(weights: P, options: PenaltyOptions<GradOf<P>>): LossResult<GradOf<P>> {
  return penalty("l1Penalty", "l1", weights, options);
}
