/**
 * fit()'s options, their defaults and their validation, all done before any data is
 * bound or any parameter touched. Stopping defaults are scikit-learn SGDRegressor's
 * (max_iter 1000, tol 1e-3, n_iter_no_change 5, validation_fraction 0.1).
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { Optimizer } from "../optim/optimizer.ts";
import { checkBoolean, checkKeys, checkNumber } from "../options.ts";
import type { Parameter } from "../parameter.ts";
import { toRandom, type Random } from "../random.ts";
import { checkChoice, checkWhole, type ScheduledOptimizer } from "../schedule/scheduler.ts";
import type { Scheduler } from "../schedule/scheduler.ts";
import { checkWorkers } from "./data-parallel.ts";
import type { EpochRecord, IterationRecord } from "./history.ts";

/** Optimizers fit() can build by name, with `optimizerOptions`. */
export const OPTIMIZER_NAMES = Object.freeze(["sgd", "adam", "adamw", "adamax", "nadam", "radam", "adagrad", "rmsprop", "adadelta", "lion"] as const);
/** The name of an optimizer fit() builds: one of {@link OPTIMIZER_NAMES}. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** What a callback may return: "stop" ends the fit (reason "callback"), possibly as a promise. */
export type CallbackResult = void | "stop" | Promise<void | "stop">;

/** Options of {@link fit}; every one is optional (defaults in {@link FIT_DEFAULTS}). */
export interface FitOptions {
  /**
   * A name (built with `optimizerOptions` on the model's parameters and disposed after the
   * fit), a factory `(params) => optimizer` (disposed after the fit), or an optimizer you
   * own (kept, with its state, for a later fit). Default "sgd" (torch's SGD defaults, lr 1e-3).
   */
  optimizer?: OptimizerName | ((params: Parameter[]) => ScheduledOptimizer) | ScheduledOptimizer;
  /** Options of the named optimizer (checked by it). */
  optimizerOptions?: Record<string, unknown>;
  /** `(optimizer) => scheduler`, e.g. `(o) => new StepLR(o, { stepSize: 10 })`; ReduceLROnPlateau is fed the monitored loss each epoch. */
  schedule?: (optimizer: ScheduledOptimizer) => Scheduler;
  /** Step the schedule after every "epoch" (default) or every "iteration" (ReduceLROnPlateau: always per epoch). */
  scheduleEvery?: "epoch" | "iteration";
  /** Rows per step: 1 is SGD, the dataset size batch GD. A whole number >= 1, clamped to the data; default 32. */
  batchSize?: number;
  /** Most epochs, a whole number >= 0; default 1000. */
  epochs?: number;
  /** Most optimizer steps over the whole fit, a whole number >= 0; default no limit. */
  maxIter?: number;
  /** Reshuffle the rows before each epoch; default true. */
  shuffle?: boolean;
  /** Seed of the shuffles and of the validation split (an integer in [0, 2³² − 1], or a Random); default 0. */
  seed?: number | Random;
  /** Smallest improvement of the monitored loss that counts, >= 0, or null to never stop for lack of one; default 1e-3. */
  tol?: number | null;
  /** Epochs without an improvement by more than `tol` before stopping, a whole number >= 1; default 5. */
  nIterNoChange?: number;
  /** Stop ("converged") when a batch's gradient norm is below this, >= 0; default 0 (never). */
  gradientTol?: number;
  /** Hold out `validationFraction` of the rows, monitor their loss and stop on it, restoring the best weights; default false. */
  earlyStopping?: boolean;
  /** Fraction held out for validation, in (0, 1); default 0.1 with earlyStopping, else no validation part. */
  validationFraction?: number;
  /** Clip the total gradient norm to this before each step (clipGradNorm), >= 0; default none. */
  clipGradNorm?: number;
  /** Keep a record of every step in `iterationHistory`; default false. */
  recordIterations?: boolean;
  /** Called after each epoch; may be async; "stop" ends the fit. */
  onEpoch?: (record: EpochRecord) => CallbackResult;
  /** Called after each step; may be async; "stop" ends the fit. */
  onIteration?: (record: IterationRecord) => CallbackResult;
  /** Ends the fit at the next batch boundary (reason "aborted"). */
  signal?: AbortSignal;
  /**
   * Worker threads that share each batch's gradient (data parallelism), a whole number from 1
   * to 64: the training rows are split into that many shards, each copied once into
   * its own worker's WebAssembly instance; per batch the workers compute their rows'
   * loss and gradient sums and the main thread adds them in worker order. Same seed and
   * options: the same bits on every run; `workers: 1` gives exactly the bits of no
   * workers, other counts differ only by how the sums are grouped. For downhill's models
   * on the wasm backend. Default: no workers (everything on the calling thread).
   */
  workers?: number;
}

/** fit()'s defaults (scikit-learn SGDRegressor's stopping rules), frozen. */
export const FIT_DEFAULTS = Object.freeze({
  /** torch's SGD with its defaults (lr 1e-3). */
  optimizer: "sgd" as OptimizerName,
  /** The schedule steps once per epoch. */
  scheduleEvery: "epoch" as const,
  /** Rows per step. */
  batchSize: 32,
  /** Most epochs. */
  epochs: 1000,
  /** Reshuffle the rows every epoch. */
  shuffle: true,
  /** Seed of the shuffles and of the validation split. */
  seed: 0,
  /** Smallest improvement of the monitored loss that counts. */
  tol: 1e-3,
  /** Epochs without such an improvement before stopping. */
  nIterNoChange: 5,
  /** Never stop on the gradient norm. */
  gradientTol: 0,
  /** No validation part. */
  earlyStopping: false,
  /** Held out with earlyStopping. */
  validationFraction: 0.1,
  /** No per-step history. */
  recordIterations: false,
});

const KEYS: readonly (keyof FitOptions)[] = [
  "optimizer",
  "optimizerOptions",
  "schedule",
  "scheduleEvery",
  "batchSize",
  "epochs",
  "maxIter",
  "shuffle",
  "seed",
  "tol",
  "nIterNoChange",
  "gradientTol",
  "earlyStopping",
  "validationFraction",
  "clipGradNorm",
  "recordIterations",
  "onEpoch",
  "onIteration",
  "signal",
  "workers",
];

/** The options after validation. */
export interface FitSettings {
  readonly optimizer: OptimizerName | ((params: Parameter[]) => ScheduledOptimizer) | ScheduledOptimizer;
  readonly optimizerOptions: Record<string, unknown> | undefined;
  readonly schedule: ((optimizer: ScheduledOptimizer) => Scheduler) | undefined;
  readonly scheduleEvery: "epoch" | "iteration";
  readonly batchSize: number;
  readonly epochs: number;
  readonly maxIter: number;
  readonly shuffle: boolean;
  readonly random: Random | null;
  readonly tol: number | null;
  readonly nIterNoChange: number;
  readonly gradientTol: number;
  readonly earlyStopping: boolean;
  /** 0: no validation part. */
  readonly validationFraction: number;
  readonly clipGradNorm: number | undefined;
  readonly recordIterations: boolean;
  readonly onEpoch: ((record: EpochRecord) => CallbackResult) | undefined;
  readonly onIteration: ((record: IterationRecord) => CallbackResult) | undefined;
  readonly signal: AbortSignal | undefined;
  readonly workers: number | undefined;
}

const A = "fit options";

/** `value` must be undefined or a function. */
export function checkFunction<T>(argument: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a function; got ${describe(value)}.`);
  return value as T;
}

function checkOptimizerOption(value: unknown): FitSettings["optimizer"] {
  if (value instanceof Optimizer || typeof value === "function") return value as FitSettings["optimizer"];
  if (typeof value === "string" && !(OPTIMIZER_NAMES as readonly string[]).includes(value)) {
    const folded = value.toLowerCase().replace(/[_\-\s]/g, "");
    const hint = OPTIMIZER_NAMES.find((n) => n === folded);
    throw new DownhillRangeError(
      "INVALID_ARGUMENT",
      `${A}.optimizer: unknown optimizer ${describe(value)}${hint ? `; did you mean "${hint}"?` : ""}. Allowed: ${OPTIMIZER_NAMES.join(", ")}, a function (params) => optimizer, or an optimizer.`,
    );
  }
  if (typeof value !== "string") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer must be an optimizer name (${OPTIMIZER_NAMES.join(", ")}), a function (params) => optimizer, or an optimizer; got ${describe(value)}.`);
  }
  return value as OptimizerName;
}

/**
 * `options.optimizerOptions` of fit() and minimize() (`argument` names the options):
 * undefined, or an object when the optimizer is given by name.
 */
export function checkOptimizerOptionsObject(argument: string, optimizer: unknown, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (typeof optimizer !== "string") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.optimizerOptions apply only to an optimizer given by name; pass the options to your optimizer or factory instead.`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.optimizerOptions must be an object of ${optimizer}'s options; got ${describe(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** `value` must be undefined or an AbortSignal. */
export function checkSignal(value: unknown, argument = `${A}.signal`): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const ok = typeof AbortSignal !== "undefined" ? value instanceof AbortSignal : typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean";
  if (!ok) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an AbortSignal (from an AbortController); got ${describe(value)}.`);
  return value as AbortSignal;
}

/** Validates every option of fit(); throws naming the option, the value and what is allowed. */
export function checkFitOptions(options: unknown): FitSettings {
  checkKeys(A, options, KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const optimizer = o["optimizer"] === undefined ? FIT_DEFAULTS.optimizer : checkOptimizerOption(o["optimizer"]);
  const optimizerOptions = checkOptimizerOptionsObject(A, optimizer, o["optimizerOptions"]);
  const schedule = checkFunction<FitSettings["schedule"]>(`${A}.schedule`, o["schedule"]);
  if (schedule === undefined && o["scheduleEvery"] !== undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.scheduleEvery has no effect without a schedule; remove it or add schedule: (optimizer) => scheduler.`);
  }
  const scheduleEvery = o["scheduleEvery"] === undefined ? FIT_DEFAULTS.scheduleEvery : checkChoice(`${A}.scheduleEvery`, o["scheduleEvery"], ["epoch", "iteration"] as const);
  const batchSize = o["batchSize"] === undefined ? FIT_DEFAULTS.batchSize : checkWhole(`${A}.batchSize`, o["batchSize"], { min: 1 });
  const epochs = o["epochs"] === undefined ? FIT_DEFAULTS.epochs : checkWhole(`${A}.epochs`, o["epochs"], { min: 0 });
  const maxIter = o["maxIter"] === undefined ? Infinity : checkWhole(`${A}.maxIter`, o["maxIter"], { min: 0 });
  const shuffle = o["shuffle"] === undefined ? FIT_DEFAULTS.shuffle : checkBoolean(`${A}.shuffle`, o["shuffle"]);
  const earlyStopping = o["earlyStopping"] === undefined ? FIT_DEFAULTS.earlyStopping : checkBoolean(`${A}.earlyStopping`, o["earlyStopping"]);
  const validationFraction =
    o["validationFraction"] !== undefined
      ? checkNumber(`${A}.validationFraction`, o["validationFraction"], { min: 0, max: 1, minExclusive: true, maxExclusive: true })
      : earlyStopping
        ? FIT_DEFAULTS.validationFraction
        : 0;
  const usesRandom = shuffle || validationFraction > 0;
  if (!usesRandom && o["seed"] !== undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.seed (${describe(o["seed"])}) has no effect with shuffle: false and no validation part; remove one of them.`);
  }
  const random = usesRandom ? toRandom(o["seed"] ?? FIT_DEFAULTS.seed, `${A}.seed`) : null;
  const tol = o["tol"] === null ? null : o["tol"] === undefined ? FIT_DEFAULTS.tol : checkNumber(`${A}.tol`, o["tol"], { min: 0 });
  const nIterNoChange = o["nIterNoChange"] === undefined ? FIT_DEFAULTS.nIterNoChange : checkWhole(`${A}.nIterNoChange`, o["nIterNoChange"], { min: 1 });
  if (earlyStopping && tol === null) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}: earlyStopping needs tol (a number >= 0) to decide when the validation loss stopped improving; got tol: null.`);
  }
  const gradientTol = o["gradientTol"] === undefined ? FIT_DEFAULTS.gradientTol : checkNumber(`${A}.gradientTol`, o["gradientTol"], { min: 0 });
  const clipGradNorm = o["clipGradNorm"] === undefined ? undefined : checkNumber(`${A}.clipGradNorm`, o["clipGradNorm"], { min: 0 });
  const recordIterations = o["recordIterations"] === undefined ? FIT_DEFAULTS.recordIterations : checkBoolean(`${A}.recordIterations`, o["recordIterations"]);
  const onEpoch = checkFunction<FitSettings["onEpoch"]>(`${A}.onEpoch`, o["onEpoch"]);
  const onIteration = checkFunction<FitSettings["onIteration"]>(`${A}.onIteration`, o["onIteration"]);
  const signal = checkSignal(o["signal"]);
  const workers = o["workers"] === undefined ? undefined : checkWorkers(o["workers"], `${A}.workers`);
  return {
    optimizer,
    optimizerOptions,
    schedule,
    scheduleEvery,
    batchSize,
    epochs,
    maxIter,
    shuffle,
    random,
    tol,
    nIterNoChange,
    gradientTol,
    earlyStopping,
    validationFraction,
    clipGradNorm,
    recordIterations,
    onEpoch,
    onIteration,
    signal,
    workers,
  };
}
