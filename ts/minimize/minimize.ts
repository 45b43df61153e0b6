/**
 * minimize(): drives any objective f(x) → number downhill from x0 with any optimizer, a
 * schedule, or L-BFGS, with fit()'s stopping rules (gradient tolerance, scikit-learn's
 * tol + nIterNoChange, maxIter), callbacks, an AbortSignal and divergence detection.
 *
 * Each iteration takes one optimizer step (one L-BFGS iteration by default for "lbfgs")
 * and then evaluates f and its gradient at the new x, so every record and the result
 * describe the point x is at. Evaluations at a point already evaluated are reused.
 */
import type { BackendName } from "../backend/backend.ts";
import { checkBackendName } from "../backend/select.ts";
import { isDetached, isFloatArray, type Dtype, type FloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { LBFGS } from "../optim/lbfgs.ts";
import { Optimizer, beginTraining, endTraining, isTraining } from "../optim/optimizer.ts";
import { checkKeys, checkNumber, suggest } from "../options.ts";
import { ReduceLROnPlateau } from "../schedule/reduce-lr-on-plateau.ts";
import { Scheduler, checkChoice, checkWhole, type ScheduledOptimizer } from "../schedule/scheduler.ts";
import { OPTIMIZERS, TIME_SLICE, isThenable, macrotask, now } from "../train/loop.ts";
import { OPTIMIZER_NAMES, checkFunction, checkOptimizerOptionsObject, checkSignal, type CallbackResult, type OptimizerName } from "../train/options.ts";
import { ObjectiveEvaluator, checkGradientOption, type GradientOption, type Objective, type TensorObjective } from "./objective.ts";

/** Optimizers minimize() builds by name: fit()'s and "lbfgs". */
export const MINIMIZE_OPTIMIZER_NAMES = Object.freeze([...OPTIMIZER_NAMES, "lbfgs"] as const);
/** The name of an optimizer minimize() builds: one of {@link MINIMIZE_OPTIMIZER_NAMES}. */
export type MinimizeOptimizerName = (typeof MINIMIZE_OPTIMIZER_NAMES)[number];

/** What minimize() can step with. */
export type MinimizeOptimizer = ScheduledOptimizer | LBFGS;

/** Options of {@link minimize}; every one is optional (defaults in {@link MINIMIZE_DEFAULTS}). */
export interface MinimizeOptions {
  /**
   * A name (built on x with `optimizerOptions`), a factory `(params) => optimizer` given
   * `[x]`, or an optimizer (or LBFGS) you built on `[x0]` (x0 a typed array of `dtype`,
   * then updated in place). Default "lbfgs" with the strong-Wolfe line search.
   */
  optimizer?: MinimizeOptimizerName | ((params: FloatArray[]) => MinimizeOptimizer) | MinimizeOptimizer;
  /**
   * Options of the named optimizer. For "lbfgs", minimize's defaults are
   * `{ lineSearchFn: "strong_wolfe", maxIter: 1, toleranceGrad: 0, toleranceChange: 0 }` (one L-BFGS
   * iteration per minimize iteration, and minimize's gradientTol and tol, not L-BFGS's
   * stall test, decide when to stop; the rest torch's); others take torch's defaults.
   */
  optimizerOptions?: Record<string, unknown>;
  /**
   * When the objective returns only its value: `(x) => gradient`, or "autograd" for an
   * objective written with downhill's tensors (`(x: Tensor) => Tensor`, differentiated by
   * backward()); default central finite differences.
   */
  gradient?: GradientOption;
  /** `(optimizer) => scheduler`, stepped after every iteration (ReduceLROnPlateau is fed the value); not with L-BFGS. */
  schedule?: (optimizer: ScheduledOptimizer) => Scheduler;
  /** Most iterations (optimizer steps), a whole number >= 0; default 1000. */
  maxIter?: number;
  /** A decrease of the best value must exceed this to count, >= 0, or null to never stop for lack of one; default 0. */
  tol?: number | null;
  /** Iterations without a decrease by more than `tol` before stopping, a whole number >= 1; default 100 (momentum methods climb for a while). */
  nIterNoChange?: number;
  /** Stop ("converged") when the gradient's L2 norm is <= this, >= 0; default 1e-5 (scipy's gtol). */
  gradientTol?: number;
  /** Called after each iteration with its record and x (read it, do not write it); may be async; "stop" ends the run. */
  onIteration?: (record: MinimizeRecord, x: FloatArray) => CallbackResult;
  /** Ends the run before the next iteration (reason "aborted"). */
  signal?: AbortSignal;
  /** Element type of x: "f64" (default; "f32" when x0 is a Float32Array). */
  dtype?: Dtype;
  /** Backend of a named optimizer's steps (L-BFGS always runs in TypeScript) and of autograd's tensors. */
  backend?: BackendName;
}

/** minimize()'s defaults, frozen. */
export const MINIMIZE_DEFAULTS = Object.freeze({
  /** L-BFGS with the strong-Wolfe line search. */
  optimizer: "lbfgs" as MinimizeOptimizerName,
  /** The L-BFGS options minimize() uses unless given: one L-BFGS iteration per minimize() iteration. */
  lbfgsOptions: Object.freeze({
    /** torch's strong-Wolfe line search. */
    lineSearchFn: "strong_wolfe",
    /** One iteration per step. */
    maxIter: 1,
    /** minimize()'s gradientTol decides instead. */
    toleranceGrad: 0,
    /** minimize()'s tol decides instead. */
    toleranceChange: 0,
  }),
  /** Most iterations. */
  maxIter: 1000,
  /** Any decrease of the best value counts. */
  tol: 0,
  /** Iterations without a decrease before stopping. */
  nIterNoChange: 100,
  /** scipy's gtol. */
  gradientTol: 1e-5,
});

/** Why minimize() stopped (fit()'s reasons, see StopReason). */
export type MinimizeReason = "converged" | "noImprovement" | "maxIter" | "callback" | "aborted" | "diverged";

/** One iteration: the point reached after the step. */
export interface MinimizeRecord {
  /** 1 for the first step. */
  readonly iteration: number;
  /** f at the new x. */
  readonly value: number;
  /** L2 norm of the gradient at the new x. */
  readonly gradNorm: number;
  /** Learning rate (of the first param group) used by the step. */
  readonly lr: number;
  /** Objective calls so far (finite differences count 2 per coordinate). */
  readonly evaluations: number;
}

/** What {@link minimize} resolves to. */
export interface MinimizeResult {
  /** Where the run ended (the best point, restored, when it diverged); x0 itself when you passed an optimizer built on it. */
  readonly x: FloatArray;
  /** f at x. */
  readonly value: number;
  /** Gradient at x. */
  readonly grad: FloatArray;
  /** Iterations (optimizer steps) taken. */
  readonly iterations: number;
  /** Objective calls (finite differences count 2 per coordinate). */
  readonly evaluations: number;
  /** True for "converged" and "noImprovement". */
  readonly converged: boolean;
  /** Why the run stopped. */
  readonly reason: MinimizeReason;
  /** One sentence on how the run ended. */
  readonly message: string;
  /** One record per iteration. */
  readonly history: readonly MinimizeRecord[];
  /** A copy of the point with the lowest value seen (x0 before any step), and that value. */
  readonly bestX: FloatArray;
  /** The lowest value seen. */
  readonly bestValue: number;
  /** When reason is "diverged": the iteration (0: at x0) and what became NaN or infinite. */
  readonly divergence: {
    /** The iteration; 0 at x0. */
    readonly iteration: number;
    /** What became NaN or infinite. */
    readonly what: "value" | "gradient" | "x";
  } | null;
}

const A = "minimize options";

const KEYS: readonly (keyof MinimizeOptions)[] = [
  "optimizer",
  "optimizerOptions",
  "gradient",
  "schedule",
  "maxIter",
  "tol",
  "nIterNoChange",
  "gradientTol",
  "onIteration",
  "signal",
  "dtype",
  "backend",
];

interface Settings {
  readonly optimizer: MinimizeOptimizerName | ((params: FloatArray[]) => MinimizeOptimizer) | MinimizeOptimizer;
  readonly optimizerOptions: Record<string, unknown> | undefined;
  readonly gradient: GradientOption | undefined;
  readonly schedule: ((optimizer: ScheduledOptimizer) => Scheduler) | undefined;
  readonly maxIter: number;
  readonly tol: number | null;
  readonly nIterNoChange: number;
  readonly gradientTol: number;
  readonly onIteration: MinimizeOptions["onIteration"];
  readonly signal: AbortSignal | undefined;
  readonly dtype: Dtype;
  readonly backend: BackendName | undefined;
}

function checkOptimizer(value: unknown): Settings["optimizer"] {
  if (value instanceof Optimizer || value instanceof LBFGS || typeof value === "function") return value as Settings["optimizer"];
  const allowed = `${MINIMIZE_OPTIMIZER_NAMES.join(", ")}, a function (params) => optimizer, or an optimizer`;
  if (typeof value !== "string") throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer must be an optimizer name (${allowed}); got ${describe(value)}.`);
  if (!(MINIMIZE_OPTIMIZER_NAMES as readonly string[]).includes(value)) {
    const hint = suggest(value, MINIMIZE_OPTIMIZER_NAMES);
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A}.optimizer: unknown optimizer ${describe(value)}${hint ? `; did you mean "${hint}"?` : ""}. Allowed: ${allowed}.`);
  }
  return value as MinimizeOptimizerName;
}

function checkX0(x0: unknown): void {
  const ok = x0 instanceof Float64Array || x0 instanceof Float32Array || (Array.isArray(x0) && x0.every((v) => typeof v === "number"));
  if (!ok) throw new DownhillTypeError("INVALID_ARGUMENT", `minimize(objective, x0): x0 must be an array of numbers, a Float64Array or a Float32Array; got ${describe(x0)}.`);
  if (isFloatArray(x0) && isDetached(x0.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `minimize(objective, x0): x0 is a ${x0.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
  const x = x0 as ArrayLike<number>;
  if (x.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", "minimize(objective, x0): x0 is empty; give at least one coordinate.");
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new DownhillRangeError("INVALID_ARGUMENT", `minimize(objective, x0): x0[${i}] must be a finite number; got ${x[i]}.`);
  }
}

/** Validates every option of minimize(); throws naming the option, the value and what is allowed. */
function checkMinimizeOptions(options: unknown, x0: unknown): Settings {
  if (typeof options === "object" && options !== null && Object.prototype.hasOwnProperty.call(options, "workers")) {
    // fit()'s workers split a batch's rows; minimize's objective is one opaque function of x.
    throw new DownhillTypeError(
      "INVALID_ARGUMENT",
      `${A}.workers (${describe((options as { workers?: unknown }).workers)}): minimize() has no data to split over worker threads: its objective is a JavaScript function of x (a closure that cannot be cut into rows or sent to a worker). Data-parallel gradients are fit(model, data, { workers }) with downhill's models; remove workers.`,
    );
  }
  checkKeys(A, options, KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const optimizer = o["optimizer"] === undefined ? MINIMIZE_DEFAULTS.optimizer : checkOptimizer(o["optimizer"]);
  const optimizerOptions = checkOptimizerOptionsObject(A, optimizer, o["optimizerOptions"]);
  const gradient = checkGradientOption(`${A}.gradient`, o["gradient"]);
  const schedule = checkFunction<Settings["schedule"]>(`${A}.schedule`, o["schedule"]);
  if (schedule !== undefined && (optimizer === "lbfgs" || optimizer instanceof LBFGS)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.schedule does not apply to L-BFGS (its step length comes from the line search); remove it or choose another optimizer.`);
  }
  const maxIter = o["maxIter"] === undefined ? MINIMIZE_DEFAULTS.maxIter : checkWhole(`${A}.maxIter`, o["maxIter"], { min: 0 });
  const tol = o["tol"] === null ? null : o["tol"] === undefined ? MINIMIZE_DEFAULTS.tol : checkNumber(`${A}.tol`, o["tol"], { min: 0 });
  const nIterNoChange = o["nIterNoChange"] === undefined ? MINIMIZE_DEFAULTS.nIterNoChange : checkWhole(`${A}.nIterNoChange`, o["nIterNoChange"], { min: 1 });
  const gradientTol = o["gradientTol"] === undefined ? MINIMIZE_DEFAULTS.gradientTol : checkNumber(`${A}.gradientTol`, o["gradientTol"], { min: 0 });
  const onIteration = checkFunction<Settings["onIteration"]>(`${A}.onIteration`, o["onIteration"]);
  const signal = checkSignal(o["signal"], `${A}.signal`);
  const dtype = o["dtype"] === undefined ? (x0 instanceof Float32Array ? "f32" : "f64") : checkChoice(`${A}.dtype`, o["dtype"], ["f32", "f64"] as const);
  const backend = o["backend"] === undefined ? undefined : checkBackendName(o["backend"], `${A}.backend`);
  if (backend !== undefined && typeof optimizer !== "string" && gradient !== "autograd") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.backend applies only to an optimizer given by name (or to autograd's tensors); choose the backend when you build your optimizer.`);
  }
  if (typeof optimizer === "object") {
    const params: readonly unknown[] = optimizer instanceof LBFGS ? optimizer.params : optimizer.paramGroups.flatMap((g) => g.params);
    if (params.length !== 1 || params[0] !== x0) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer: an optimizer instance must be built on [x0] (x0 the typed array given to minimize, updated in place); pass a name or a factory (params) => optimizer instead.`);
    }
    if ((x0 instanceof Float32Array ? "f32" : "f64") !== dtype) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.dtype (${describe(dtype)}) differs from x0's, which the optimizer updates in place; remove dtype.`);
    }
    if (optimizer.disposed) throw disposedError("optimizer (minimize options.optimizer)");
  }
  return { optimizer, optimizerOptions, gradient, schedule, maxIter, tol, nIterNoChange, gradientTol, onIteration, signal, dtype, backend };
}

/** Checks a named optimizer's options by building it on one element of the TypeScript backend. */
function checkOptimizerOptions(s: Settings): void {
  if (s.optimizer === "lbfgs") new LBFGS([new Float64Array(1)], { ...MINIMIZE_DEFAULTS.lbfgsOptions, ...s.optimizerOptions } as never).dispose();
  else if (typeof s.optimizer === "string") new OPTIMIZERS[s.optimizer]([new Float64Array(1)], { ...s.optimizerOptions, backend: "ts" }).dispose();
}

function createOptimizer(s: Settings, x: FloatArray): { optimizer: MinimizeOptimizer; owned: boolean } {
  if (s.optimizer === "lbfgs") return { optimizer: new LBFGS([x], { ...MINIMIZE_DEFAULTS.lbfgsOptions, ...s.optimizerOptions } as never), owned: true };
  if (typeof s.optimizer === "string") {
    const options = s.backend === undefined ? s.optimizerOptions : { ...s.optimizerOptions, backend: s.backend };
    return { optimizer: new OPTIMIZERS[s.optimizer as OptimizerName]([x], options), owned: true };
  }
  if (typeof s.optimizer !== "function") return { optimizer: s.optimizer, owned: false };
  const made: unknown = s.optimizer([x]);
  if (!(made instanceof Optimizer || made instanceof LBFGS)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer: the factory must return a downhill optimizer (new Adam(params, …), new LBFGS(params, …), …); it returned ${describe(made)}.`);
  }
  const params: readonly unknown[] = made instanceof LBFGS ? made.params : made.paramGroups.flatMap((g) => g.params);
  if (params.length !== 1 || params[0] !== x) {
    made.dispose();
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer: the factory must build the optimizer on the params it is given ([x]).`);
  }
  return { optimizer: made, owned: true };
}

function checkScheduler(schedule: unknown, optimizer: ScheduledOptimizer): Scheduler {
  if (!(schedule instanceof Scheduler)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.schedule must return a downhill scheduler (new StepLR(optimizer, …), …); it returned ${describe(schedule)}.`);
  }
  if (schedule.optimizer !== optimizer) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.schedule: the scheduler drives another optimizer; build it on the optimizer it is given.`);
  }
  return schedule;
}

function norm(g: FloatArray): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) s += g[i]! * g[i]!;
  return Math.sqrt(s);
}

function allFinite(a: FloatArray): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

function sameValues(a: FloatArray, b: FloatArray): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const lrOf = (optimizer: MinimizeOptimizer): number =>
  optimizer instanceof LBFGS ? optimizer.options.lr : (optimizer.paramGroups[0]!.options as { lr: number }).lr;

/** Large problems without a gradient: said once per process. */
let warnedCost = false;
const WARN_ABOVE = 1000;

function describeEnd(reason: MinimizeReason, iterations: number, evaluations: number, divergence: MinimizeResult["divergence"]): string {
  const ran = `${iterations} iteration${iterations === 1 ? "" : "s"} (${evaluations} evaluation${evaluations === 1 ? "" : "s"})`;
  switch (reason) {
    case "converged":
      return `Converged after ${ran}: the gradient norm fell to gradientTol or below.`;
    case "noImprovement":
      return `Stopped after ${ran}: the value did not decrease by more than tol for nIterNoChange iterations.`;
    case "maxIter":
      return `Reached maxIter after ${ran} without meeting a stopping rule (converged: false); raise maxIter or the learning rate, or try "lbfgs".`;
    case "callback":
      return `Stopped by onIteration after ${ran}.`;
    case "aborted":
      return `Aborted by the AbortSignal after ${ran}.`;
    case "diverged": {
      const d = divergence!;
      const where = d.iteration === 0 ? "at x0" : `in iteration ${d.iteration}`;
      return `Diverged ${where}: the ${d.what} became NaN or infinite; restored the best x seen. Lower the learning rate or check the objective.`;
    }
  }
}

/**
 * Minimizes `objective` from `x0` and resolves to how it went (see MinimizeResult); x0 is
 * copied (unless you pass an optimizer built on it). With `gradient: "autograd"` the
 * objective takes x as a Tensor and returns a scalar Tensor. Rejects with a DownhillError
 * for invalid arguments (before anything runs), or with the error the objective or a callback threw.
 */
export function minimize(objective: TensorObjective, x0: ArrayLike<number>, options: MinimizeOptions & { gradient: "autograd" }): Promise<MinimizeResult>;
export function minimize(objective: Objective, x0: ArrayLike<number>, options?: MinimizeOptions): Promise<MinimizeResult>;
export async function minimize(objective: Objective | TensorObjective, x0: ArrayLike<number>, options: MinimizeOptions = {}): Promise<MinimizeResult> {
  if (typeof objective !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `minimize(objective): objective must be a function (x) => value or (x) => { value, grad }; got ${describe(objective)}.`);
  }
  checkX0(x0);
  const s = checkMinimizeOptions(options, x0);
  checkOptimizerOptions(s);
  const inPlace = typeof s.optimizer === "object";
  const x: FloatArray = inPlace ? (x0 as FloatArray) : s.dtype === "f32" ? Float32Array.from(x0) : Float64Array.from(x0);
  if (typeof s.optimizer === "object" && isTraining(s.optimizer)) {
    throw new DownhillError("BUSY", `${A}.optimizer is already driven by a running fit() or minimize(); await that run before starting another with it.`);
  }
  const { optimizer, owned } = createOptimizer(s, x);
  beginTraining(optimizer);
  try {
    const scheduler = s.schedule === undefined ? null : checkScheduler(s.schedule(optimizer as ScheduledOptimizer), optimizer as ScheduledOptimizer);
    return await run(s, objective, x, optimizer, scheduler);
  } finally {
    endTraining(optimizer);
    if (owned) optimizer.dispose();
  }
}

async function run(s: Settings, objective: Objective | TensorObjective, x: FloatArray, optimizer: MinimizeOptimizer, scheduler: Scheduler | null): Promise<MinimizeResult> {
  const n = x.length;
  const newArray = (): FloatArray => (x instanceof Float32Array ? new Float32Array(n) : new Float64Array(n));
  const evaluator = new ObjectiveEvaluator("minimize(objective)", objective, s.gradient, s.backend);
  // The last point evaluated, its value and gradient: L-BFGS's closure and the loop share them.
  const lastX = newArray();
  const grad = newArray();
  let value = NaN;
  let evaluated = false;
  const evaluate = (): number => {
    if (evaluated && sameValues(lastX, x)) return value;
    lastX.set(x);
    value = evaluator.evaluate(x, grad);
    evaluated = true;
    if (evaluator.numeric && n > WARN_ABOVE && !warnedCost) {
      warnedCost = true;
      console.warn(`downhill minimize(): no gradient was given, so each gradient costs ${2 * n} evaluations of the objective (central differences over ${n} coordinates); return { value, grad } from the objective or pass options.gradient.`);
    }
    return value;
  };
  const closure = (grads: readonly FloatArray[]): number => {
    const v = evaluate();
    grads[0]!.set(grad);
    return v;
  };
  const plateau = scheduler instanceof ReduceLROnPlateau ? scheduler : null;
  const stepper = plateau === null && scheduler !== null ? (scheduler as unknown as { step(): void }) : null;
  const { maxIter, tol, nIterNoChange, gradientTol, onIteration, signal } = s;

  const history: MinimizeRecord[] = [];
  const bestX = x.slice();
  const bestGrad = newArray();
  let bestValue = Infinity;
  let badIterations = 0;
  let iterations = 0;
  let reason: MinimizeReason | null = null;
  let divergence: MinimizeResult["divergence"] = null;
  let lastYield = now();

  /** Checks the point just evaluated; true when it is finite. */
  const checkPoint = (): boolean => {
    const what = !allFinite(x) ? "x" : !Number.isFinite(value) ? "value" : !allFinite(grad) ? "gradient" : null;
    if (what !== null) {
      reason = "diverged";
      divergence = Object.freeze({ iteration: iterations, what });
      return false;
    }
    const previousBest = bestValue;
    if (value < bestValue) {
      bestValue = value;
      bestX.set(x);
      bestGrad.set(grad);
    }
    if (norm(grad) <= gradientTol) reason = "converged";
    else if (tol !== null && iterations > 0) {
      // scikit-learn's rule (as fit()'s), where a tie also counts as no decrease (so tol 0 stops a stalled run).
      badIterations = value < previousBest - tol ? 0 : badIterations + 1;
      if (badIterations >= nIterNoChange) reason = "noImprovement";
    }
    return true;
  };

  if (allFinite(x)) evaluate();
  checkPoint();
  while (reason === null) {
    if (signal?.aborted) {
      reason = "aborted";
      break;
    }
    if (iterations >= maxIter) {
      reason = "maxIter";
      break;
    }
    const lr = lrOf(optimizer);
    if (optimizer instanceof LBFGS) optimizer.step(closure);
    else optimizer.step([grad]);
    iterations++;
    if (allFinite(x)) evaluate();
    if (!checkPoint()) break;
    const record: MinimizeRecord = Object.freeze({ iteration: iterations, value, gradNorm: norm(grad), lr, evaluations: evaluator.evaluations });
    history.push(record);
    if (onIteration !== undefined) {
      let answer: CallbackResult = onIteration(record, x);
      if (isThenable(answer)) answer = await answer;
      if (answer === "stop") reason ??= "callback";
    }
    if (plateau !== null) plateau.step(value);
    else if (stepper !== null) stepper.step();
    if (reason === null && now() - lastYield > TIME_SLICE) {
      await macrotask();
      lastYield = now();
    }
  }

  const stop: MinimizeReason = (reason as MinimizeReason | null) ?? "maxIter";
  if (stop === "diverged") {
    if (bestValue === Infinity) {
      // Not even x0 was finite: nothing better to restore.
      bestValue = value;
    } else {
      x.set(bestX);
      grad.set(bestGrad);
      value = bestValue;
    }
  }
  return Object.freeze({
    x,
    value,
    grad: grad.slice(),
    iterations,
    evaluations: evaluator.evaluations,
    converged: stop === "converged" || stop === "noImprovement",
    reason: stop,
    message: describeEnd(stop, iterations, evaluator.evaluations, divergence),
    history: Object.freeze(history),
    bestX,
    bestValue,
    divergence,
  });
}
