/**
 * model.json, the file `downhill fit --out` writes and `downhill predict` reads (format
 * "downhill-model", version 1). Plain JSON, every number in f64:
 *
 * - `format`: "downhill-model"; `version`: 1.
 * - `kind`: "linear" (LinearRegression), "logistic" (LogisticRegression), "softmax"
 *   (SoftmaxRegression) or "mlp" (MLP).
 * - `features`: the CSV columns the model reads, in order; `target`: the column it predicts.
 * - `standardization`: null when the model was trained on the raw values; else
 *   `{ mean, scale, target }`: the features were standardized, `x' = (x − mean) / scale`
 *   (one mean and scale per feature), before the model saw them, and for a regression
 *   `target` is `{ mean, scale }` of the target: the model predicts `(y − mean) / scale`,
 *   so a prediction in the CSV's units is `output · scale + mean` (null for classifiers).
 *   The weights apply to the standardized values.
 * - linear, logistic: `weights` (one per feature) and `bias` (a number).
 * - softmax: `classes` (k ≥ 2), `weights` (one row of k numbers per feature) and `bias` (k numbers).
 * - mlp: `task` ("regression", "binary" or "softmax" — the output and its loss), `classes`
 *   (softmax only), `activation` ("relu", "tanh" or "sigmoid") and `layers`: for each
 *   hidden layer and then the output layer, `weights` (one row of outputs per input) and
 *   `bias` (one per output).
 * - `training`: how the model was made (informative, not read back): the data file and
 *   rows, model, optimizer and options, schedule, batch size, epochs, seed, stopping rule,
 *   why it stopped, which weights were saved ("final" or "best"), the losses and the score
 *   on the training rows (R² or accuracy).
 *
 * `readModelFile` checks all of it and names the JSON path of the first problem:
 * `model.json: $.layers[1].bias must be an array of 8 numbers; got 7 values.`
 */
import { LinearRegression, LogisticRegression, MLP, SoftmaxRegression, type BackendName, type FloatArray, type MLPActivation, type MLPOutput } from "../index.ts";
import { suggest } from "../options.ts";
import { CliError } from "./args.ts";

/** The `format` of a model file. */
export const MODEL_FORMAT = "downhill-model";
/** The `version` written; files of a later version are refused. */
export const MODEL_VERSION = 1;

/** The models the CLI fits. */
export type ModelKind = "linear" | "logistic" | "softmax" | "mlp";
/** Every ModelKind, for flags and checks. */
export const MODEL_KINDS: readonly ModelKind[] = ["linear", "logistic", "softmax", "mlp"];
/** The MLP's outputs (MLPOutput). */
export const MLP_TASKS: readonly MLPOutput[] = ["regression", "binary", "softmax"];
/** The MLP's hidden activations. */
export const ACTIVATIONS: readonly MLPActivation[] = ["relu", "tanh", "sigmoid"];

/** The statistics the values were standardized with (see the module's doc). */
export interface Standardization {
  /** Per feature. */
  readonly mean: number[];
  /** Per feature, > 0. */
  readonly scale: number[];
  /** A regression's target; null for classifiers. */
  readonly target: { readonly mean: number; readonly scale: number } | null;
}

interface Common {
  readonly format: typeof MODEL_FORMAT;
  readonly version: typeof MODEL_VERSION;
  readonly features: string[];
  readonly target: string;
  readonly standardization: Standardization | null;
  readonly training: Record<string, unknown>;
}

/** A linear or logistic regression: one weight per feature and a bias. */
export interface LinearModelFile extends Common {
  readonly kind: "linear" | "logistic";
  readonly weights: number[];
  readonly bias: number;
}

/** A softmax regression: a row of `classes` weights per feature and a bias per class. */
export interface SoftmaxModelFile extends Common {
  readonly kind: "softmax";
  readonly classes: number;
  readonly weights: number[][];
  readonly bias: number[];
}

/** One MLP layer: a row of weights (one per output) for each input, and a bias per output. */
export interface Layer {
  readonly weights: number[][];
  readonly bias: number[];
}

/** An MLP: its task, activation and layers (hidden layers, then the output layer). */
export interface MlpModelFile extends Common {
  readonly kind: "mlp";
  readonly task: MLPOutput;
  readonly classes?: number;
  readonly activation: MLPActivation;
  readonly layers: Layer[];
}

/** A checked model file. */
export type ModelFile = LinearModelFile | SoftmaxModelFile | MlpModelFile;

/** What the model is, besides its weights. */
export type ModelShape =
  | { readonly kind: "linear" | "logistic" }
  | { readonly kind: "softmax"; readonly classes: number }
  | { readonly kind: "mlp"; readonly task: MLPOutput; readonly classes: number | null; readonly activation: MLPActivation; readonly sizes: readonly number[] };

/** `flat` (rows × cols, row-major) as rows. */
function rows(flat: ArrayLike<number>, cols: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += cols) out.push(Array.from({ length: cols }, (_, j) => flat[i + j]!));
  return out;
}

/**
 * The model file for `weights` (the model's parameters in `parameters()` order: weights
 * then bias; for an MLP W and b of each layer) and the rest of the description.
 */
export function toModelFile(
  shape: ModelShape,
  weights: readonly FloatArray[],
  meta: { features: readonly string[]; target: string; standardization: Standardization | null; training: Record<string, unknown> },
): ModelFile {
  const head = { format: MODEL_FORMAT, version: MODEL_VERSION } as const;
  const common = {
    features: [...meta.features],
    target: meta.target,
    standardization: meta.standardization,
  } satisfies Omit<Common, "training" | "format" | "version">;
  const d = meta.features.length;
  switch (shape.kind) {
    case "linear":
    case "logistic":
      return { ...head, kind: shape.kind, ...common, weights: Array.from(weights[0]!), bias: weights[1]![0]!, training: meta.training };
    case "softmax":
      return { ...head, kind: "softmax", ...common, classes: shape.classes, weights: rows(weights[0]!, shape.classes), bias: Array.from(weights[1]!), training: meta.training };
    case "mlp": {
      const layers: Layer[] = [];
      for (let l = 0; l + 1 < shape.sizes.length; l++) layers.push({ weights: rows(weights[2 * l]!, shape.sizes[l + 1]!), bias: Array.from(weights[2 * l + 1]!) });
      if (shape.sizes[0] !== d) throw new Error(`internal: the MLP has ${shape.sizes[0]} inputs but ${d} feature names`);
      const classes = shape.task === "softmax" ? { classes: shape.classes! } : {};
      return { ...head, kind: "mlp", ...common, task: shape.task, ...classes, activation: shape.activation, layers, training: meta.training };
    }
  }
}

/** Checks a parsed JSON value as a model file, naming the JSON path of the first problem. */
export class ModelFileReader {
  readonly #file: string;

  constructor(file: string) {
    this.#file = file;
  }

  fail(path: string, message: string): never {
    throw new CliError(`${this.#file}: ${path} ${message}`);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value)) this.fail(path, `must be an object; got ${kindOf(value)}.`);
    return value as Record<string, unknown>;
  }

  /** Every required key present, no key outside `required` + `optional` (with a "did you mean"). */
  keys(o: Record<string, unknown>, path: string, required: readonly string[], optional: readonly string[] = []): void {
    for (const key of required) if (!(key in o)) this.fail(path, `lacks "${key}" (required keys: ${required.join(", ")}).`);
    const allowed = [...required, ...optional];
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key)) {
        const hint = suggest(key, allowed);
        this.fail(`${path}.${key}`, `is not part of the format${hint ? `; did you mean "${hint}"?` : ""} (allowed here: ${allowed.join(", ")}).`);
      }
    }
  }

  string(value: unknown, path: string): string {
    if (typeof value !== "string" || value === "") this.fail(path, `must be a non-empty string; got ${kindOf(value)}.`);
    return value as string;
  }

  choice<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
    if (typeof value !== "string" || !allowed.includes(value as T)) this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; got ${kindOf(value)}.`);
    return value as T;
  }

  number(value: unknown, path: string): number {
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, `must be a finite number; got ${kindOf(value)}.`);
    return value as number;
  }

  whole(value: unknown, path: string, min: number): number {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) this.fail(path, `must be a whole number >= ${min}; got ${kindOf(value)}.`);
    return value as number;
  }

  /** An array of `length` finite numbers (any length >= 1 when undefined). */
  numbers(value: unknown, path: string, length?: number): number[] {
    const wanted = length === undefined ? "a non-empty array of numbers" : `an array of ${length} number${length === 1 ? "" : "s"}`;
    if (!Array.isArray(value)) this.fail(path, `must be ${wanted}; got ${kindOf(value)}.`);
    const a = value as unknown[];
    if ((length !== undefined && a.length !== length) || a.length === 0) this.fail(path, `must be ${wanted}; got ${a.length} value${a.length === 1 ? "" : "s"}.`);
    a.forEach((v, i) => this.number(v, `${path}[${i}]`));
    return a as number[];
  }

  /** `rowCount` rows of `cols` numbers each. */
  matrix(value: unknown, path: string, rowCount: number, cols: number | undefined, what: string): number[][] {
    if (!Array.isArray(value)) this.fail(path, `must be ${what}; got ${kindOf(value)}.`);
    const a = value as unknown[];
    if (a.length !== rowCount) this.fail(path, `must be ${what}: ${rowCount} row${rowCount === 1 ? "" : "s"}; got ${a.length}.`);
    const width = cols ?? (Array.isArray(a[0]) ? (a[0] as unknown[]).length : undefined);
    return a.map((row, i) => this.numbers(row, `${path}[${i}]`, width));
  }
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "object") return "an object";
  return String(value);
}

/** Parses and checks the text of a model file. */
export function readModelFile(text: string, file: string): ModelFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)}); is it a model written by downhill fit --out?`);
  }
  const r = new ModelFileReader(file);
  const o = r.object(json, "$");
  if (o["format"] !== MODEL_FORMAT) r.fail("$.format", `must be "${MODEL_FORMAT}"; got ${kindOf(o["format"])}: this is not a model written by downhill fit --out.`);
  const version = r.whole(o["version"], "$.version", 1);
  if (version > MODEL_VERSION) r.fail("$.version", `is ${version}: the file was written by a newer downhill; this one reads version ${MODEL_VERSION}.`);
  const kind = r.choice(o["kind"], "$.kind", MODEL_KINDS);
  const common = ["format", "version", "kind", "features", "target", "standardization", "training"];
  const extra = kind === "linear" || kind === "logistic" ? ["weights", "bias"] : kind === "softmax" ? ["classes", "weights", "bias"] : ["task", "activation", "layers"];
  r.keys(o, "$", [...common, ...extra], kind === "mlp" ? ["classes"] : []);

  if (!Array.isArray(o["features"]) || o["features"].length === 0) r.fail("$.features", `must be a non-empty array of column names; got ${kindOf(o["features"])}.`);
  const features = (o["features"] as unknown[]).map((f, i) => r.string(f, `$.features[${i}]`));
  features.forEach((f, i) => {
    if (features.indexOf(f) !== i) r.fail(`$.features[${i}]`, `repeats the column ${JSON.stringify(f)} (also at $.features[${features.indexOf(f)}]).`);
  });
  const target = r.string(o["target"], "$.target");
  if (features.includes(target)) r.fail("$.target", `${JSON.stringify(target)} is also one of the features.`);
  const d = features.length;
  let standardization: Standardization | null = null;
  if (o["standardization"] !== null) {
    const s = r.object(o["standardization"], "$.standardization");
    r.keys(s, "$.standardization", ["mean", "scale", "target"]);
    const mean = r.numbers(s["mean"], "$.standardization.mean", d);
    const scale = r.numbers(s["scale"], "$.standardization.scale", d);
    scale.forEach((v, i) => {
      if (!(v > 0)) r.fail(`$.standardization.scale[${i}]`, `must be > 0 (features are divided by it); got ${v}.`);
    });
    let target: Standardization["target"] = null;
    if (s["target"] !== null) {
      const t = r.object(s["target"], "$.standardization.target");
      r.keys(t, "$.standardization.target", ["mean", "scale"]);
      const tMean = r.number(t["mean"], "$.standardization.target.mean");
      const tScale = r.number(t["scale"], "$.standardization.target.scale");
      if (!(tScale > 0)) r.fail("$.standardization.target.scale", `must be > 0; got ${tScale}.`);
      const regression = kind === "linear" || (kind === "mlp" && o["task"] === "regression");
      if (!regression) r.fail("$.standardization.target", "must be null: only a regression's target is standardized (this model classifies).");
      target = { mean: tMean, scale: tScale };
    }
    standardization = { mean, scale, target };
  }
  const training = r.object(o["training"], "$.training");
  const base = { format: MODEL_FORMAT, version: MODEL_VERSION, features, target, standardization, training } as const;

  if (kind === "linear" || kind === "logistic") {
    return { ...base, kind, weights: r.numbers(o["weights"], "$.weights", d), bias: r.number(o["bias"], "$.bias") };
  }
  if (kind === "softmax") {
    const classes = r.whole(o["classes"], "$.classes", 2);
    const weights = r.matrix(o["weights"], "$.weights", d, classes, `one row of ${classes} weights (one per class) for each of the ${d} features`);
    return { ...base, kind, classes, weights, bias: r.numbers(o["bias"], "$.bias", classes) };
  }
  const task = r.choice(o["task"], "$.task", MLP_TASKS);
  let classes: number | undefined;
  if (task === "softmax") classes = r.whole(o["classes"], "$.classes", 2);
  else if (o["classes"] !== undefined) r.fail("$.classes", `is only used with task "softmax"; the task is "${task}".`);
  const activation = r.choice(o["activation"], "$.activation", ACTIVATIONS);
  if (!Array.isArray(o["layers"]) || o["layers"].length < 2) {
    r.fail("$.layers", `must be an array of at least 2 layers (hidden layers, then the output layer); got ${kindOf(o["layers"])}.`);
  }
  const raw = o["layers"] as unknown[];
  const outputs = classes ?? 1;
  let inputs = d;
  const layers = raw.map((value, l) => {
    const path = `$.layers[${l}]`;
    const layer = r.object(value, path);
    r.keys(layer, path, ["weights", "bias"]);
    const last = l === raw.length - 1;
    const width = last ? outputs : undefined;
    const what = last
      ? `the output layer: one row of ${outputs} weight${outputs === 1 ? "" : "s"} for each of its ${inputs} inputs`
      : `one row of weights (one per unit) for each of the layer's ${inputs} inputs`;
    const weights = r.matrix(layer["weights"], `${path}.weights`, inputs, width, what);
    const units = weights[0]!.length;
    const bias = r.numbers(layer["bias"], `${path}.bias`, units);
    inputs = units;
    return { weights, bias };
  });
  return { ...base, kind, task, ...(classes === undefined ? {} : { classes }), activation, layers };
}

/** A library model with the file's weights, ready to predict. */
export type RestoredModel = LinearRegression | LogisticRegression | SoftmaxRegression | MLP;

/** Builds the model the file describes (on `backend`, default the global one) with its weights. */
export function restoreModel(file: ModelFile, backend?: BackendName): RestoredModel {
  const on = backend === undefined ? {} : { backend };
  const flat = (m: number[][]) => m.flat();
  switch (file.kind) {
    case "linear":
    case "logistic": {
      const model = file.kind === "linear" ? new LinearRegression({ init: file.weights, ...on }) : new LogisticRegression({ init: file.weights, ...on });
      model.parameters()[1]!.data.set([file.bias]);
      return model;
    }
    case "softmax": {
      const model = new SoftmaxRegression({ classes: file.classes, init: flat(file.weights), ...on });
      model.parameters()[1]!.data.set(file.bias);
      return model;
    }
    case "mlp": {
      const hidden = file.layers.slice(0, -1).map((l) => l.bias.length);
      const classes = file.classes === undefined ? {} : { classes: file.classes };
      // The seed only fills the initial weights, which the file's replace at once.
      const model = new MLP({ layers: hidden, activation: file.activation, output: file.task, ...classes, features: file.features.length, seed: 0, ...on });
      const params = model.parameters();
      file.layers.forEach((layer, l) => {
        params[2 * l]!.data.set(flat(layer.weights));
        params[2 * l + 1]!.data.set(layer.bias);
      });
      return model;
    }
  }
}
