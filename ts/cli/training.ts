/**
 * What `downhill fit` and `downhill sweep` share: the data, model, optimizer, schedule
 * and stopping flags, reading the CSV with errors that name the flag or the row and
 * column, standardization, and the model and fit options they make. Everything the
 * user typed is checked before the CSV is read, with the flag's name in the message.
 */
import {
  Adadelta,
  Adagrad,
  Adam,
  Adamax,
  AdamW,
  CosineAnnealingLR,
  DownhillError,
  ExponentialLR,
  LinearLR,
  LinearRegression,
  Lion,
  LogisticRegression,
  MLP,
  MultiStepLR,
  NAdam,
  OneCycleLR,
  OPTIMIZER_NAMES,
  RAdam,
  ReduceLROnPlateau,
  RMSprop,
  SGD,
  SoftmaxRegression,
  Standardizer,
  StepLR,
  readCsv,
  type BackendName,
  type Dataset,
  type FitOptions,
  type MLPActivation,
  type MLPOutput,
  type OptimizerName,
  type RegressionLoss,
  type ScheduledOptimizer,
  type Scheduler,
  type Trainable,
} from "../index.ts";
import { CliError, FlagReader, parseChoice, parseNumber, type FlagSpecs } from "./args.ts";
import { ACTIVATIONS, MLP_TASKS, MODEL_KINDS, type ModelKind, type ModelShape, type Standardization } from "./model-file.ts";

/** The data's flags, shared by fit and sweep (as are the model's and the optimizer's below). */
export const DATA_FLAGS: FlagSpecs = {
  target: { type: "string", value: "column", help: "The column to predict (required)." },
  features: { type: "string", value: "a,b,…", help: "Feature columns, comma-separated.", default: "every column but the target" },
  missing: { type: "string", value: "number", help: "Use this number for missing cells (empty, NA, NaN, null); without it they are errors." },
  "no-standardize": {
    type: "boolean",
    help: "Train on the raw values. By default each feature, and a regression's target, is standardized to mean 0 and standard deviation 1 (the statistics are saved with the model and predictions are in the CSV's units).",
  },
};

/** The model's flags. */
export const MODEL_FLAGS: FlagSpecs = {
  model: { type: "string", value: MODEL_KINDS.join("|"), help: "linear regression, logistic regression (labels 0/1), softmax regression (classes 0…k−1) or a multilayer perceptron.", default: "linear" },
  hidden: { type: "string", value: "16,8", help: "mlp: widths of the hidden layers.", default: "16" },
  activation: { type: "string", value: ACTIVATIONS.join("|"), help: "mlp: activation of the hidden layers.", default: "relu" },
  task: { type: "string", value: MLP_TASKS.join("|"), help: "mlp: the output and its loss (MSE; cross-entropy of labels 0/1; of classes 0…k−1).", default: "regression" },
  loss: { type: "string", value: "mse|mae|huber", help: "linear: the loss.", default: "mse" },
  l2: { type: "string", value: "lambda", help: "L2 penalty on the weights (not the biases).", default: "0" },
  backend: { type: "string", value: "wasm|ts", help: "WebAssembly or the pure-TypeScript fallback (same numbers).", default: "wasm" },
};

/** --optimizer (first, so that --lr or the rates can follow it in help). */
export const OPTIMIZER_FLAG: FlagSpecs = {
  optimizer: { type: "string", value: "name", help: `One of ${OPTIMIZER_NAMES.join(", ")}.`, default: "adam" },
};

/** The optimizer's options and the stopping rules (each command adds its --lr or rates and --epochs before them). */
export const OPTIMIZER_FLAGS: FlagSpecs = {
  momentum: { type: "string", value: "m", help: "sgd, rmsprop: momentum.", default: "0" },
  "weight-decay": { type: "string", value: "lambda", help: "The optimizer's weight decay.", default: "the optimizer's" },
  "batch-size": { type: "string", value: "n", help: "Rows per step: 1 is SGD, the number of rows batch gradient descent.", default: "32" },
  seed: { type: "string", value: "n", help: "Seed of the shuffles, the validation split and the MLP's initial weights.", default: "0" },
  schedule: {
    type: "string",
    value: "spec",
    help:
      "Learning-rate schedule: step:SIZE[:GAMMA], multistep:E1,E2,…[:GAMMA], exponential:GAMMA, cosine[:T_MAX[:ETA_MIN]], " +
      "linear[:START[:END[:EPOCHS]]], onecycle[:MAX_LR] (per batch), plateau[:FACTOR[:PATIENCE]].",
    default: "none",
  },
  tol: { type: "string", value: "x|none", help: "Stop when the monitored loss improves by less than this for --patience epochs; none: never.", default: "0.001" },
  patience: { type: "string", value: "n", help: "Epochs without improvement before stopping.", default: "5" },
  "early-stopping": { type: "boolean", help: "Hold out --validation-fraction of the rows, stop on their loss and keep the best weights." },
  "validation-fraction": { type: "string", value: "f", help: "Rows held out for validation, in (0, 1).", default: "0.1 with --early-stopping, else none" },
};

/** --json and --quiet. */
export const OUTPUT_FLAGS: FlagSpecs = {
  json: { type: "boolean", help: "Machine-readable output: one JSON object per line on stdout (see the README)." },
  quiet: { type: "boolean", short: "q", help: "No progress output." },
};

/** A schedule built on the optimizer fit() gives it, and how it was asked for. */
export interface ScheduleChoice {
  readonly spec: string;
  readonly every: "epoch" | "iteration";
  readonly make: (optimizer: ScheduledOptimizer) => Scheduler;
}

/** Everything the training flags say, checked. */
export interface TrainingSettings {
  readonly target: string;
  readonly features: string[] | undefined;
  readonly missing: number | undefined;
  readonly standardize: boolean;
  readonly kind: ModelKind;
  readonly hidden: number[];
  readonly activation: MLPActivation;
  readonly task: MLPOutput;
  readonly loss: RegressionLoss;
  readonly l2: number;
  readonly backend: BackendName;
  readonly optimizer: OptimizerName;
  readonly optimizerOptions: Record<string, number>;
  readonly batchSize: number;
  readonly epochs: number;
  readonly seed: number;
  readonly scheduleSpec: string | undefined;
  readonly tol: number | null;
  readonly patience: number;
  readonly earlyStopping: boolean;
  readonly validationFraction: number | undefined;
}

const MOMENTUM_OPTIMIZERS: readonly OptimizerName[] = ["sgd", "rmsprop"];

/**
 * Reads and checks the training flags. `lr`: the learning rate (fit) or null (sweep, which
 * sets it per trial). `epochs`, `tol`: the command's defaults.
 */
export function readTrainingSettings(f: FlagReader, options: { lr: number | null; epochs: number; tol: number | null }): TrainingSettings {
  const target = f.string("target");
  if (target === undefined) f.fail("--target is required: the name of the column to predict");
  const features = f.names("features");
  if (features?.includes(target)) f.fail(`--features lists the target column ${JSON.stringify(target)}; a column is either a feature or the target`);
  const missing = f.number("missing", undefined);
  const kind = f.choice("model", MODEL_KINDS, "linear");
  const onlyFor = (flag: string, kinds: readonly ModelKind[]) => {
    if (f.has(flag) && !kinds.includes(kind)) f.fail(`--${flag} applies to --model ${kinds.join(" or ")}; the model is ${kind}`);
  };
  onlyFor("hidden", ["mlp"]);
  onlyFor("activation", ["mlp"]);
  onlyFor("task", ["mlp"]);
  onlyFor("loss", ["linear"]);
  const hidden = f.numbers("hidden", { min: 1, whole: true }) ?? [16];
  const activation = f.choice("activation", ACTIVATIONS, "relu");
  const task = f.choice("task", MLP_TASKS, "regression");
  const loss = f.choice("loss", ["mse", "mae", "huber"] as const, "mse");
  const l2 = f.number("l2", 0, { min: 0 });
  const backend = f.choice("backend", ["wasm", "ts"] as const, "wasm");
  const optimizer = f.choice("optimizer", OPTIMIZER_NAMES, "adam");
  const optimizerOptions: Record<string, number> = {};
  if (options.lr !== null) optimizerOptions["lr"] = options.lr;
  if (f.has("momentum")) {
    if (!MOMENTUM_OPTIMIZERS.includes(optimizer)) f.fail(`--momentum applies to --optimizer ${MOMENTUM_OPTIMIZERS.join(" or ")}; the optimizer is ${optimizer}`);
    optimizerOptions["momentum"] = f.number("momentum", 0, { min: 0, max: 1, maxExclusive: true });
  }
  if (f.has("weight-decay")) optimizerOptions["weightDecay"] = f.number("weight-decay", 0, { min: 0 });
  const batchSize = f.number("batch-size", 32, { min: 1, whole: true });
  const epochs = f.number("epochs", options.epochs, { min: 1, whole: true });
  const seed = f.number("seed", 0, { min: 0, max: 2 ** 32 - 1, whole: true });
  const earlyStopping = f.flag("early-stopping");
  const tolRaw = f.string("tol");
  // Early stopping needs a tolerance even where the command's default is none (sweep).
  const tolDefault = earlyStopping ? (options.tol ?? 1e-3) : options.tol;
  const tol = tolRaw === undefined ? tolDefault : tolRaw.toLowerCase() === "none" ? null : parseNumber("--tol", tolRaw, { min: 0 }, (m) => f.fail(`${m} (or "none")`));
  const patience = f.number("patience", 5, { min: 1, whole: true });
  if (earlyStopping && tol === null) f.fail("--early-stopping needs --tol (a number): it decides when the validation loss stopped improving; got --tol none");
  const validationFraction = f.number("validation-fraction", undefined, { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const settings: TrainingSettings = {
    target,
    features,
    missing,
    standardize: !f.flag("no-standardize"),
    kind,
    hidden,
    activation,
    task,
    loss,
    l2,
    backend,
    optimizer,
    optimizerOptions,
    batchSize,
    epochs,
    seed,
    scheduleSpec: f.string("schedule"),
    tol,
    patience,
    earlyStopping,
    validationFraction,
  };
  checkOptimizer(f, settings);
  return settings;
}

/** The optimizer's own checks (betas, ranges), run now on a one-element array, reported with the flags. */
function checkOptimizer(f: FlagReader, s: TrainingSettings): void {
  const probe = { ...s.optimizerOptions, lr: s.optimizerOptions["lr"] ?? 1e-3 };
  try {
    const optimizer = new (OPTIMIZER_CLASSES[s.optimizer])([new Float64Array(1)], { ...probe, backend: "ts" });
    optimizer.dispose();
  } catch (error) {
    if (error instanceof DownhillError || error instanceof TypeError || error instanceof RangeError) f.fail(`--optimizer ${s.optimizer}: ${flagNames((error as Error).message)}`);
    throw error;
  }
}

/** Maps option names in a library message to the flags that set them. */
function flagNames(message: string): string {
  return message.replace(/options\.lr\b/g, "--lr").replace(/options\.momentum\b/g, "--momentum").replace(/options\.weightDecay\b/g, "--weight-decay");
}

const OPTIMIZER_CLASSES: Record<OptimizerName, new (params: Float64Array[], options: Record<string, unknown>) => ScheduledOptimizer> = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  adamax: Adamax,
  nadam: NAdam,
  radam: RAdam,
  adagrad: Adagrad,
  rmsprop: RMSprop,
  adadelta: Adadelta,
  lion: Lion,
};

/**
 * Parses `--schedule` for a training of `epochs` epochs of `batches` batches each, and
 * builds it once on a probe optimizer so that bad values are reported now, naming the flag.
 */
export function parseSchedule(f: FlagReader, spec: string, epochs: number, batches: number): ScheduleChoice {
  const [rawName = "", ...parts] = spec.split(":");
  const names = ["step", "multistep", "exponential", "cosine", "linear", "onecycle", "plateau"] as const;
  const name = rawName.toLowerCase() === "exp" ? "exponential" : parseChoice(`--schedule "${spec}"`, rawName, names, (m) => f.fail(m));
  const most: Record<(typeof names)[number], number> = { step: 2, multistep: 2, exponential: 1, cosine: 2, linear: 3, onecycle: 1, plateau: 2 };
  const least: Record<(typeof names)[number], number> = { step: 1, multistep: 1, exponential: 1, cosine: 0, linear: 0, onecycle: 0, plateau: 0 };
  const usage: Record<(typeof names)[number], string> = {
    step: "step:SIZE[:GAMMA]",
    multistep: "multistep:E1,E2,…[:GAMMA]",
    exponential: "exponential:GAMMA",
    cosine: "cosine[:T_MAX[:ETA_MIN]]",
    linear: "linear[:START[:END[:EPOCHS]]]",
    onecycle: "onecycle[:MAX_LR]",
    plateau: "plateau[:FACTOR[:PATIENCE]]",
  };
  if (parts.length < least[name] || parts.length > most[name]) f.fail(`--schedule "${spec}": ${name} takes ${usage[name]}`);
  const at = (i: number, what: string, bounds: Parameters<typeof parseNumber>[2]): number | undefined =>
    parts[i] === undefined || parts[i] === "" ? undefined : parseNumber(`--schedule "${spec}" (${what})`, parts[i]!, bounds, (m) => f.fail(m));
  // An option only when given, so that the schedule's own default applies otherwise.
  const opt = <K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> => (value === undefined ? {} : ({ [key]: value } as Record<K, number>));
  let make: (optimizer: ScheduledOptimizer) => Scheduler;
  let every: "epoch" | "iteration" = "epoch";
  switch (name) {
    case "step": {
      const stepSize = at(0, "step size in epochs", { min: 1, whole: true })!;
      const gamma = at(1, "gamma", { min: 0 });
      make = (o) => new StepLR(o, { stepSize, ...opt("gamma", gamma) });
      break;
    }
    case "multistep": {
      const milestones = (parts[0] ?? "").split(",").map((m, i) => parseNumber(`--schedule "${spec}" (milestone ${i + 1})`, m, { min: 0, whole: true }, (msg) => f.fail(msg)));
      const gamma = at(1, "gamma", { min: 0 });
      make = (o) => new MultiStepLR(o, { milestones, ...opt("gamma", gamma) });
      break;
    }
    case "exponential": {
      const gamma = at(0, "gamma", { min: 0 })!;
      make = (o) => new ExponentialLR(o, { gamma });
      break;
    }
    case "cosine": {
      const tMax = at(0, "T_MAX in epochs", { min: 1, whole: true }) ?? epochs;
      const etaMin = at(1, "ETA_MIN", { min: 0 });
      make = (o) => new CosineAnnealingLR(o, { tMax, ...opt("etaMin", etaMin) });
      break;
    }
    case "linear": {
      const startFactor = at(0, "start factor", { min: 0, max: 1, minExclusive: true });
      const endFactor = at(1, "end factor", { min: 0, max: 1 });
      const totalIters = at(2, "epochs", { min: 1, whole: true });
      make = (o) => new LinearLR(o, { ...opt("startFactor", startFactor), ...opt("endFactor", endFactor), ...opt("totalIters", totalIters) });
      break;
    }
    case "onecycle": {
      const maxLr = at(0, "MAX_LR", { min: 0, minExclusive: true });
      every = "iteration";
      const totalSteps = epochs * batches;
      make = (o) => new OneCycleLR(o, { maxLr: maxLr ?? (o.paramGroups[0]!.options as { lr: number }).lr, totalSteps });
      break;
    }
    case "plateau": {
      const factor = at(0, "factor", { min: 0, max: 1, maxExclusive: true });
      const patience = at(1, "patience in epochs", { min: 0, whole: true });
      make = (o) => new ReduceLROnPlateau(o, { ...opt("factor", factor), ...opt("patience", patience) });
      break;
    }
  }
  try {
    const probe = new SGD([new Float64Array(1)], { lr: 0.1, momentum: 0.9, backend: "ts" });
    make(probe);
    probe.dispose();
  } catch (error) {
    if (error instanceof DownhillError || error instanceof TypeError || error instanceof RangeError) f.fail(`--schedule "${spec}": ${(error as Error).message}`);
    throw error;
  }
  return { spec, every, make };
}

/** The CSV as a Dataset, with errors that name the flag (--target, --features) or the file, row and column. */
export async function loadCsv(path: string, s: Pick<TrainingSettings, "target" | "features" | "missing">): Promise<Dataset> {
  const options = { target: s.target, ...(s.features === undefined ? {} : { columns: s.features }), ...(s.missing === undefined ? {} : { missing: s.missing }) };
  try {
    return await readCsv(path, options);
  } catch (error) {
    throw csvError(error, path);
  }
}

/** readCsv's error with the flags' names and the file's instead of readCsv's options. */
export function csvError(error: unknown, path: string): unknown {
  if (!(error instanceof DownhillError) && !(error instanceof TypeError) && !(error instanceof RangeError)) return error;
  const message = (error as Error).message
    .replace(/^(?:readCsv|parseCsv) options\.target/, "--target")
    .replace(/^(?:readCsv|parseCsv) options\.columns(?:\[\d+\])?/, "--features")
    .replace(/^(?:readCsv|parseCsv) options\.missing/, "--missing")
    .replace(/^readCsv: cannot read /, "cannot read ")
    .replace(/^(?:readCsv|parseCsv): /, `${path}: `)
    .replace(/^CSV /, `${path}: `)
    .replace(/\?\. /g, "? ");
  return new CliError(message.startsWith("--") || message.startsWith(path) || message.startsWith("cannot read") ? message : `${path}: ${message}`);
}

/** Rows and columns of the CSV for messages about a target value (row i, 0-based). */
function targetError(path: string, target: string, row: number, value: number, wanted: string, model: string): never {
  throw new CliError(`${path}: row ${row + 1}, column ${JSON.stringify(target)}: ${value} is not ${wanted}, which ${model} needs`);
}

/** The model's output: regression, binary (labels 0/1) or classes. */
export function taskOf(s: Pick<TrainingSettings, "kind" | "task">): MLPOutput {
  if (s.kind === "mlp") return s.task;
  return s.kind === "linear" ? "regression" : s.kind === "logistic" ? "binary" : "softmax";
}

/** What the training loss is, for labels: "MSE (standardized target)", "cross-entropy", … */
export function lossName(s: Pick<TrainingSettings, "kind" | "task" | "loss" | "standardize">): string {
  const task = taskOf(s);
  if (task !== "regression") return "cross-entropy";
  const name = s.kind === "linear" ? { mse: "MSE", mae: "MAE", huber: "Huber loss" }[s.loss] : "MSE";
  return s.standardize ? `${name} (standardized target)` : name;
}

/** Checks the targets against the model (labels 0/1, class indices) naming the row; returns the classes (softmax) or null. */
export function checkTargets(data: Dataset, s: Pick<TrainingSettings, "kind" | "task" | "target">, path: string): number | null {
  const y = data.y!;
  const task = taskOf(s);
  const model = s.kind === "mlp" ? `--model mlp --task ${s.task}` : `--model ${s.kind}`;
  if (task === "binary") {
    for (let i = 0; i < y.length; i++) if (y[i] !== 0 && y[i] !== 1) targetError(path, s.target, i, y[i]!, "a label 0 or 1", model);
    return null;
  }
  if (task === "softmax") {
    let max = 0;
    for (let i = 0; i < y.length; i++) {
      const v = y[i]!;
      if (!Number.isSafeInteger(v) || v < 0) targetError(path, s.target, i, v, "a class index (a whole number >= 0)", model);
      if (v > max) max = v;
    }
    return Math.max(2, max + 1);
  }
  return null;
}

/**
 * The data standardized (or not) and the statistics to save with the model: each feature
 * to mean 0 and standard deviation 1 (Standardizer), and for a regression the target too,
 * so that the weights, the loss and a good learning rate do not depend on the units of
 * the CSV (Adam moves each weight by about lr per step: a target in the hundreds of
 * thousands would otherwise need millions of steps).
 */
export function standardize(data: Dataset, on: boolean, regression: boolean): { data: Dataset; standardization: Standardization | null } {
  if (!on) return { data, standardization: null };
  const scaler = new Standardizer().fit(data);
  const features = scaler.transform(data);
  let target: { mean: number; scale: number } | null = null;
  let y = features.y;
  if (regression) {
    // The population mean and standard deviation, as Standardizer's (1 for a constant target).
    const values = data.y!;
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i]!;
    const mean = sum / values.length;
    let squares = 0;
    for (let i = 0; i < values.length; i++) squares += (values[i]! - mean) ** 2;
    const scale = squares > 0 ? Math.sqrt(squares / values.length) : 1;
    target = { mean, scale };
    y = Float64Array.from(values, (v) => (v - mean) / scale);
  }
  return {
    data: { ...features, y },
    standardization: { mean: Array.from(scaler.mean!), scale: Array.from(scaler.scale!), target },
  };
}

/** A fresh model of the kind the flags ask for, for `d` features. */
export function makeModel(s: TrainingSettings, d: number, classes: number | null): Trainable & { dispose(): void } {
  const penalty = s.l2 > 0 ? { penalty: { l2: s.l2 } } : {};
  const common = { ...penalty, backend: s.backend, features: d };
  switch (s.kind) {
    case "linear":
      return new LinearRegression({ loss: s.loss, ...common });
    case "logistic":
      return new LogisticRegression(common);
    case "softmax":
      return new SoftmaxRegression({ classes: classes!, ...common });
    case "mlp":
      return new MLP({ layers: s.hidden, activation: s.activation, output: s.task, ...(s.task === "softmax" ? { classes: classes! } : {}), seed: s.seed, ...common });
  }
}

/** The shape to save for a fitted model. */
export function shapeOf(model: Trainable, s: TrainingSettings, classes: number | null): ModelShape {
  if (s.kind === "linear" || s.kind === "logistic") return { kind: s.kind };
  if (s.kind === "softmax") return { kind: "softmax", classes: classes! };
  return { kind: "mlp", task: s.task, classes, activation: s.activation, sizes: (model as MLP).sizes! };
}

/** Rows fit() trains on: all but the validation part (trainValidationSplit holds out ceil(fraction · n)). */
export function trainingRows(n: number, s: TrainingSettings): number {
  const fraction = s.validationFraction ?? (s.earlyStopping ? 0.1 : 0);
  return n - Math.ceil(fraction * n);
}

/** fit()'s options for these settings (without the learning rate's source, signal and callbacks). */
export function fitOptions(s: TrainingSettings, schedule: ScheduleChoice | null): FitOptions {
  return {
    optimizer: s.optimizer,
    optimizerOptions: { ...s.optimizerOptions },
    batchSize: s.batchSize,
    epochs: s.epochs,
    seed: s.seed,
    tol: s.tol,
    nIterNoChange: s.patience,
    earlyStopping: s.earlyStopping,
    ...(s.validationFraction === undefined ? {} : { validationFraction: s.validationFraction }),
    ...(schedule === null ? {} : { schedule: schedule.make, scheduleEvery: schedule.every }),
  };
}

/** A library error from training, as a CLI error (2 for bad input, 1 otherwise). */
export function trainingError(error: unknown, command: string): unknown {
  if (error instanceof CliError) return error;
  if (error instanceof DownhillError || error instanceof TypeError || error instanceof RangeError) {
    const code = (error as { code?: unknown }).code;
    const input = code === "INVALID_ARGUMENT" || code === "SHAPE_MISMATCH";
    return new CliError(`downhill ${command}: ${(error as Error).message}`, input ? 2 : 1);
  }
  return error;
}
