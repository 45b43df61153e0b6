/**
 * Datasets: a validated, row-major copy of a feature matrix X (n samples × d features)
 * and an optional target y, made once at the edge (scikit-learn's check_X_y). Every
 * problem gets an error naming the row and column: ragged rows, non-numbers, NaN and
 * ±Infinity, X/y length mismatch, zero rows or features, 1-D input, a flat buffer whose
 * length does not fit its shape, detached buffers, unsupported containers.
 *
 * dtype: that of a typed array given as X (or y, when X is not typed), else "f64": JS
 * numbers are f64, so nothing is rounded at the edge; a model in f32 rounds once when
 * fit() copies the data into its memory. Values that overflow f32 are refused.
 */
import { isDetached, type ArrayOf, type Dtype } from "../dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys } from "../options.ts";

/** Validated training data, made by {@link toDataset} or {@link parseCsv}: features X (n × d) and targets y. */
export interface Dataset<D extends Dtype = Dtype> {
  /** Number of samples (rows). */
  readonly n: number;
  /** Number of features (columns). */
  readonly d: number;
  /** Element type of X and y. */
  readonly dtype: D;
  /** Features, row-major: sample i, feature j at `X[i * d + j]`. */
  readonly X: ArrayOf<D>;
  /** One target per sample, or null. */
  readonly y: ArrayOf<D> | null;
  /** One name per feature: the column names, or `x0 … x{d−1}` by default. */
  readonly featureNames: readonly string[];
  /** The target's name ("y" by default), or null without a target. */
  readonly targetName: string | null;
}

/** A flat row-major buffer with its shape. */
export interface FlatMatrix {
  /** n·d values, row-major. */
  data: Float32Array | Float64Array | readonly number[];
  /** The shape `[n, d]`: rows and columns. */
  shape: readonly [number, number];
}

/** One sample's features. */
export type Row = readonly number[] | Float32Array | Float64Array;
/** Features as {@link toDataset} takes them: rows, a flat matrix with its shape, or objects (one key per feature). */
export type Features = readonly Row[] | FlatMatrix | readonly Record<string, unknown>[];
/** One target per sample. */
export type Targets = readonly number[] | Float32Array | Float64Array;

/** Options of {@link toDataset}. */
export interface DatasetOptions {
  /** Element type; default: a typed array's, else "f64". */
  dtype?: Dtype;
  /** Objects: which keys are features, in order (default: every key of the first object but the target). Arrays: the feature names. */
  features?: readonly string[];
  /** Objects: the key holding the target. Arrays: the target's name (default "y"). */
  target?: string;
}

const fail = (message: string): never => {
  throw new DownhillTypeError("INVALID_ARGUMENT", message);
};
const failRange = (message: string, code: "INVALID_ARGUMENT" | "SHAPE_MISMATCH" = "INVALID_ARGUMENT"): never => {
  throw new DownhillRangeError(code, message);
};

function checkTypedArray(value: ArrayBufferView, what: string): void {
  if (isDetached(value.buffer)) fail(`${what} is a ${value.constructor.name} whose ArrayBuffer is detached (transferred); pass a live copy.`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== "object" || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
};

const isFloat = (v: unknown): v is Float32Array | Float64Array => v instanceof Float32Array || v instanceof Float64Array;

/** A finite number check with the message naming where the value is. */
function checkValue(value: unknown, where: string): number {
  if (typeof value !== "number") fail(`${where} must be a number; got ${describe(value)}.`);
  if (!Number.isFinite(value as number)) failRange(`${where} must be finite; got ${value}.`);
  return value as number;
}

/**
 * The Dataset of already-checked numbers: copies into the dtype and refuses values
 * that overflow f32. `where(i, j)` names X's element for messages (j = -1: y).
 */
export function makeDataset<D extends Dtype>(
  dtype: D,
  n: number,
  d: number,
  X: ArrayLike<number>,
  y: ArrayLike<number> | null,
  featureNames: readonly string[],
  targetName: string | null,
  where: (i: number, j: number) => string,
): Dataset<D> {
  const make = (len: number) => (dtype === "f32" ? new Float32Array(len) : new Float64Array(len)) as ArrayOf<D>;
  const x = make(n * d);
  x.set(X);
  const yy = y === null ? null : make(n);
  if (yy !== null && y !== null) yy.set(y);
  if (dtype === "f32") {
    for (let k = 0; k < x.length; k++) {
      if (!Number.isFinite(x[k]!)) failRange(`${where(Math.floor(k / d), k % d)} = ${X[k]} overflows f32 (largest ≈ 3.4e38); use dtype "f64".`);
    }
    if (yy !== null) {
      for (let i = 0; i < n; i++) if (!Number.isFinite(yy[i]!)) failRange(`${where(i, -1)} = ${y![i]} overflows f32 (largest ≈ 3.4e38); use dtype "f64".`);
    }
  }
  return Object.freeze({ n, d, dtype, X: x, y: yy, featureNames: Object.freeze([...featureNames]), targetName });
}

const defaultNames = (d: number) => Array.from({ length: d }, (_, j) => `x${j}`);

function checkNames(names: unknown, argument: string): readonly string[] {
  if (!Array.isArray(names) || names.some((s) => typeof s !== "string")) fail(`${argument} must be an array of strings; got ${describe(names)}.`);
  const list = names as string[];
  const seen = new Set<string>();
  for (const s of list) {
    if (seen.has(s)) failRange(`${argument} names "${s}" twice.`);
    seen.add(s);
  }
  return list;
}

/**
 * A Dataset from `X` — rows (`number[][]` or typed-array rows), a flat row-major buffer
 * with its shape (`{ data, shape: [n, d] }`) or objects with named fields (choose them
 * with `options.features` and `options.target`) — and an optional `y` with one number
 * per sample. Everything is checked before anything is copied; the result owns copies.
 */
export function toDataset(X: Features, y?: Targets, options: DatasetOptions = {}): Dataset {
  checkKeys("toDataset options", options, ["dtype", "features", "target"]);
  if (options.dtype !== undefined && options.dtype !== "f32" && options.dtype !== "f64") {
    fail(`toDataset options.dtype must be "f32" or "f64"; got ${describe(options.dtype)}.`);
  }
  if (options.target !== undefined && typeof options.target !== "string") fail(`toDataset options.target must be a string; got ${describe(options.target)}.`);
  const names = options.features === undefined ? undefined : checkNames(options.features, "toDataset options.features");

  let n: number, d: number, flat: ArrayLike<number>, typed: Dtype | undefined;
  let where = (i: number, j: number) => (j < 0 ? `y[${i}]` : `X[${i}][${j}]`);
  let featureNames: readonly string[] | undefined = names;
  let fromObjects: number[] | null = null;
  let targetName: string | null = null;

  if (isFloat(X) || X instanceof Uint8Array || ArrayBuffer.isView(X)) {
    fail(`toDataset(X): a flat ${(X as ArrayBufferView).constructor.name} is 1-D; X must be 2-D. Pass { data, shape: [n, d] } for a row-major buffer, or an array of rows.`);
  }
  if (Array.isArray(X)) {
    if (X.length === 0) failRange("toDataset(X): X has zero rows; a dataset needs at least one sample.");
    const first: unknown = X[0];
    if (isPlainObject(first)) {
      ({ n, d, flat, featureNames, fromObjects, targetName, where } = fromRecords(X as readonly unknown[], y, options));
    } else if (Array.isArray(first) || ArrayBuffer.isView(first)) {
      ({ n, d, flat, typed } = fromRows(X as readonly unknown[]));
    } else if (typeof first === "number") {
      return failRange(`toDataset(X): X is 1-D (an array of numbers); it must be 2-D. Wrap each sample in an array ([[x0], [x1], …]) or pass { data, shape: [n, d] }.`);
    } else {
      return fail(`toDataset(X): X[0] must be a row (an array of numbers) or an object of named values; got ${describe(first)}.`);
    }
  } else if (isPlainObject(X) && "data" in X && "shape" in X) {
    ({ n, d, flat, typed } = fromFlat(X as unknown as FlatMatrix));
  } else {
    return fail(`toDataset(X): X must be an array of rows, { data, shape: [n, d] } or an array of objects; got ${describe(X)}.`);
  }
  if (d === 0) failRange("toDataset(X): X has zero features; each sample needs at least one value.");
  if (featureNames !== undefined && featureNames.length !== d) {
    failRange(`toDataset options.features names ${featureNames.length} features but X has ${d}.`, "SHAPE_MISMATCH");
  }

  let yValues: ArrayLike<number> | null = fromObjects;
  if (fromObjects === null && y !== undefined) {
    yValues = checkTargets(y, n);
    if (typed === undefined && isFloat(y)) typed = y instanceof Float32Array ? "f32" : "f64";
    targetName = options.target ?? "y";
  } else if (fromObjects === null && options.target !== undefined) {
    fail(`toDataset options.target names the target "${options.target}" but no y was given; with arrays pass y, with objects name a key of each object.`);
  }
  const dtype = options.dtype ?? typed ?? "f64";
  return makeDataset(dtype, n, d, flat, yValues, featureNames ?? defaultNames(d), targetName, where);
}

function fromRows(rows: readonly unknown[]): { n: number; d: number; flat: Float64Array | Float32Array; typed: Dtype | undefined } {
  const n = rows.length;
  const first = rows[0] as ArrayLike<unknown>;
  const d = first.length;
  let allF32 = true, allF64 = true;
  for (let i = 0; i < n; i++) {
    const row: unknown = rows[i];
    if (ArrayBuffer.isView(row)) {
      if (!isFloat(row)) fail(`toDataset(X): X[${i}] is a ${row.constructor.name}; rows must be arrays of numbers, Float32Arrays or Float64Arrays.`);
      checkTypedArray(row, `toDataset(X): X[${i}]`);
    } else if (!Array.isArray(row)) {
      fail(`toDataset(X): X[${i}] must be a row (an array of numbers); got ${describe(row)}.`);
    }
    const r = row as ArrayLike<unknown>;
    if (r.length !== d) failRange(`toDataset(X): ragged rows: X[${i}] has ${r.length} values but X[0] has ${d}.`, "SHAPE_MISMATCH");
    allF32 &&= row instanceof Float32Array;
    allF64 &&= row instanceof Float64Array;
  }
  const typed = allF32 ? "f32" : allF64 ? "f64" : undefined;
  const flat = typed === "f32" ? new Float32Array(n * d) : new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const r = rows[i] as ArrayLike<unknown>;
    for (let j = 0; j < d; j++) flat[i * d + j] = checkValue(r[j], `toDataset(X): X[${i}][${j}]`);
  }
  return { n, d, flat, typed };
}

function fromFlat(m: FlatMatrix): { n: number; d: number; flat: ArrayLike<number>; typed: Dtype | undefined } {
  checkKeys("toDataset(X)", m, ["data", "shape"]);
  const { data, shape } = m as { data: unknown; shape: unknown };
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((s) => typeof s === "number" && Number.isSafeInteger(s) && s >= 0)) {
    return fail(`toDataset(X): shape must be [n, d], two whole numbers; got ${Array.isArray(shape) ? `[${shape.map((v: unknown) => (typeof v === "number" ? String(v) : describe(v))).join(",")}]` : describe(shape)}.`);
  }
  const [n, d] = shape as [number, number];
  if (!isFloat(data) && !Array.isArray(data)) {
    if (ArrayBuffer.isView(data)) return fail(`toDataset(X): data is a ${data.constructor.name}; it must be a Float32Array, a Float64Array or an array of numbers.`);
    return fail(`toDataset(X): data must be a Float32Array, a Float64Array or an array of numbers; got ${describe(data)}.`);
  }
  if (isFloat(data)) checkTypedArray(data, "toDataset(X): data");
  const values = data as ArrayLike<unknown>;
  if (n === 0) failRange("toDataset(X): X has zero rows (shape [0, d]); a dataset needs at least one sample.");
  if (d === 0) failRange("toDataset(X): X has zero features (shape [n, 0]); each sample needs at least one value.");
  if (values.length % d !== 0) {
    failRange(`toDataset(X): data has ${values.length} values, which is not a multiple of the ${d} features of shape [${n}, ${d}].`, "SHAPE_MISMATCH");
  }
  if (values.length !== n * d) {
    failRange(`toDataset(X): data has ${values.length} values (${values.length / d} rows of ${d}) but shape [${n}, ${d}] needs ${n * d}.`, "SHAPE_MISMATCH");
  }
  for (let k = 0; k < values.length; k++) checkValue(values[k], `toDataset(X): data[${k}] (row ${Math.floor(k / d)}, column ${k % d})`);
  const typed = data instanceof Float32Array ? "f32" : data instanceof Float64Array ? "f64" : undefined;
  return { n, d, flat: values as ArrayLike<number>, typed };
}

function fromRecords(records: readonly unknown[], y: Targets | undefined, options: DatasetOptions) {
  const target = options.target;
  if (target !== undefined && y !== undefined) fail(`toDataset: give the target either as y or as options.target ("${target}"), not both.`);
  const first = records[0] as Record<string, unknown>;
  const features = options.features ?? Object.keys(first).filter((k) => k !== target);
  if (target !== undefined && features.includes(target)) failRange(`toDataset options.features includes the target "${target}".`);
  const n = records.length;
  const d = features.length;
  const flat = new Float64Array(n * d);
  const targets = target === undefined ? null : new Array<number>(n);
  const at = (i: number, key: string) => `toDataset(X): X[${i}]${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
  for (let i = 0; i < n; i++) {
    const record: unknown = records[i];
    if (!isPlainObject(record)) fail(`toDataset(X): X[${i}] must be an object like X[0]; got ${describe(record)}.`);
    const r = record as Record<string, unknown>;
    for (let j = 0; j < d; j++) {
      const key = features[j]!;
      if (!(key in r)) failRange(`${at(i, key)} is missing: every object needs the feature "${key}".`);
      flat[i * d + j] = checkValue(r[key], at(i, key));
    }
    if (targets !== null) {
      if (!(target! in r)) failRange(`${at(i, target!)} is missing: every object needs the target "${target}".`);
      targets[i] = checkValue(r[target!], at(i, target!));
    }
  }
  const where = (i: number, j: number) => (j < 0 ? at(i, target ?? "y") : at(i, features[j]!));
  return { n, d, flat, featureNames: features, fromObjects: targets, targetName: target ?? null, where };
}

function checkTargets(y: unknown, n: number): ArrayLike<number> {
  if (ArrayBuffer.isView(y)) {
    if (!isFloat(y)) fail(`toDataset(y): y is a ${y.constructor.name}; it must be an array of numbers, a Float32Array or a Float64Array.`);
    checkTypedArray(y, "toDataset(y)");
  } else if (!Array.isArray(y)) {
    fail(`toDataset(y): y must be an array of numbers, a Float32Array or a Float64Array; got ${describe(y)}.`);
  }
  const values = y as ArrayLike<unknown>;
  if (values.length !== n) failRange(`toDataset: X has ${n} samples but y has ${values.length} values; they must match.`, "SHAPE_MISMATCH");
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Array.isArray(v) || ArrayBuffer.isView(v)) fail(`toDataset(y): y must be 1-D (one number per sample); y[${i}] is ${describe(v)}.`);
    checkValue(v, `toDataset(y): y[${i}]`);
  }
  return values as ArrayLike<number>;
}

/** The rows `indices` of a dataset, in that order, as a new Dataset. */
export function selectRows<D extends Dtype>(dataset: Dataset<D>, indices: ArrayLike<number>): Dataset<D> {
  const { d, dtype } = dataset;
  const m = indices.length;
  const X = (dtype === "f32" ? new Float32Array(m * d) : new Float64Array(m * d)) as ArrayOf<D>;
  const y = dataset.y === null ? null : ((dtype === "f32" ? new Float32Array(m) : new Float64Array(m)) as ArrayOf<D>);
  for (let r = 0; r < m; r++) {
    const i = indices[r]!;
    X.set(dataset.X.subarray(i * d, i * d + d), r * d);
    if (y !== null) y[r] = dataset.y![i]!;
  }
  return Object.freeze({ n: m, d, dtype, X, y, featureNames: dataset.featureNames, targetName: dataset.targetName });
}

/** Checks that `value` is a Dataset (as toDataset/parseCsv make them) before it is used. */
export function checkDataset(value: unknown, argument: string): Dataset {
  const ds = value as Dataset;
  const ok =
    typeof value === "object" && value !== null &&
    Number.isSafeInteger(ds.n) && Number.isSafeInteger(ds.d) && ds.n > 0 && ds.d > 0 &&
    (ds.dtype === "f32" || ds.dtype === "f64") && isFloat(ds.X) && ds.X.length === ds.n * ds.d &&
    (ds.y === null || (isFloat(ds.y) && ds.y.length === ds.n)) && Array.isArray(ds.featureNames) && ds.featureNames.length === ds.d;
  if (!ok) fail(`${argument} must be a Dataset (from toDataset, parseCsv or readCsv); got ${describe(value)}.`);
  if (isDetached(ds.X.buffer) || (ds.y !== null && isDetached(ds.y.buffer))) fail(`${argument}: its buffers are detached.`);
  return ds;
}

