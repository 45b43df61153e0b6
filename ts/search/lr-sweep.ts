/**
 * The learning-rate sweep: train briefly with each power of ten (or `perDecade` rates per
 * decade) from `from` to `to`, score each run, flag the rates that diverged and suggest
 * one. Too small a rate crawls (the loss barely leaves its start), too large a rate never
 * settles (the loss grows or becomes NaN); the sweep shows both ends at once.
 *
 * Divergence: a rate diverged when its trial says so (fit's or minimize's reason
 * "diverged"), when its loss is NaN or ±Infinity, or when its loss exceeds
 * `divergenceFactor` × the reference loss, the loss of the smallest rate that did not
 * diverge. The smallest rate barely moves the weights, so its loss stands for the
 * starting loss: a run that ends `divergenceFactor` times worse than where it started
 * went uphill. (The factor rule applies only when that reference is > 0.)
 *
 * Suggestion: the rate with the lowest loss among those that did not diverge (on a tie,
 * the smaller rate). It is measured with the trial's budget (a few epochs); for a much
 * longer or noisier training, a rate one step below it is the cautious choice.
 */
import { checkDataset, type Dataset } from "../data/dataset.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys, checkNumber } from "../options.ts";
import { checkWhole } from "../schedule/scheduler.ts";
import { fit } from "../train/fit.ts";
import type { FitResult } from "../train/history.ts";
import { checkFitOptions, type FitOptions } from "../train/options.ts";
import type { Trainable } from "../train/trainable.ts";
import {
  checkCallback,
  checkSignal,
  macrotask,
  readOutcome,
  trialSignal,
  wantsStop,
  type TrialCallbackResult,
  type TrialContext,
  type TrialOutcome,
} from "./trial.ts";

/** Trains (briefly) with learning rate `lr` and resolves to the loss reached. */
export type LrTrial = (lr: number, context: TrialContext) => TrialOutcome | Promise<TrialOutcome>;

/** Options of {@link lrSweep}. */
export interface LrSweepOptions {
  /** Smallest rate, > 0; default 1e-6. */
  from?: number;
  /** Largest rate, > from; default 1. Rates go up by 10^(1/perDecade) and stop at the last one <= to. */
  to?: number;
  /** Rates per decade, a whole number >= 1; default 1 (each power of ten). */
  perDecade?: number;
  /** A loss above this × the reference loss counts as diverged; > 1, or null for no such rule; default 4. */
  divergenceFactor?: number | null;
  /** Stops the sweep between trials (reason "aborted"); also handed to each trial. */
  signal?: AbortSignal;
  /** Called after each trial; may be async; "stop" ends the sweep (reason "callback"). */
  onTrial?: (progress: SweepProgress) => TrialCallbackResult;
}

/** lrSweep's defaults, frozen. */
export const LR_SWEEP_DEFAULTS = Object.freeze({
  /** Smallest rate. */
  from: 1e-6,
  /** Largest rate. */
  to: 1,
  /** Each power of ten. */
  perDecade: 1,
  /** Four times the reference loss counts as diverged. */
  divergenceFactor: 4,
});

const KEYS: readonly (keyof LrSweepOptions)[] = ["from", "to", "perDecade", "divergenceFactor", "signal", "onTrial"];

/** One rate's result. */
export interface SweepPoint {
  /** The learning rate tried. */
  readonly lr: number;
  /** The trial's loss (for a FitResult: its last monitored loss). */
  readonly loss: number;
  /** Whether the rate counts as diverged (see `cause`). */
  readonly diverged: boolean;
  /**
   * Why it counts as diverged: "notFinite" (NaN or ±Infinity), "reported" (the trial said
   * so), "factor" (above divergenceFactor × reference); null when it did not diverge.
   */
  readonly cause: "notFinite" | "reported" | "factor" | null;
}

/** What onTrial receives: the point, its 1-based position and the number of rates planned. */
export interface SweepProgress extends SweepPoint {
  /** This trial's position, from 1. */
  readonly trial: number;
  /** The number of rates planned. */
  readonly of: number;
}

/** What {@link lrSweep} resolves to. */
export interface SweepResult {
  /** The rates planned, ascending. */
  readonly rates: readonly number[];
  /** One point per rate tried, in order (fewer than `rates` when stopped early). */
  readonly points: readonly SweepPoint[];
  /** The loss of the smallest rate that did not diverge (the divergence rule's reference); null if none. */
  readonly reference: number | null;
  /** The point with the lowest loss that did not diverge; null when every rate diverged. */
  readonly best: SweepPoint | null;
  /** The suggested learning rate: `best.lr`; null when every rate diverged. */
  readonly suggestion: number | null;
  /** "completed", or why it stopped early: the AbortSignal or onTrial's "stop". */
  readonly reason: "completed" | "aborted" | "callback";
  /** One sentence on the outcome. */
  readonly message: string;
}

interface SweepSettings {
  readonly from: number;
  readonly to: number;
  readonly perDecade: number;
  readonly divergenceFactor: number | null;
  readonly signal: AbortSignal | undefined;
  readonly onTrial: ((progress: SweepProgress) => TrialCallbackResult) | undefined;
}

const A = "lrSweep options";

function checkSweepOptions(options: unknown): SweepSettings {
  checkKeys(A, options, KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const from = o["from"] === undefined ? LR_SWEEP_DEFAULTS.from : checkNumber(`${A}.from`, o["from"], { min: 0, minExclusive: true });
  const to = o["to"] === undefined ? LR_SWEEP_DEFAULTS.to : checkNumber(`${A}.to`, o["to"], { min: 0, minExclusive: true });
  if (!(to > from)) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A}: to (${to}) must be greater than from (${from}).`);
  }
  const perDecade = o["perDecade"] === undefined ? LR_SWEEP_DEFAULTS.perDecade : checkWhole(`${A}.perDecade`, o["perDecade"], { min: 1 });
  checkRateCount(A, from, to, perDecade);
  const divergenceFactor =
    o["divergenceFactor"] === null
      ? null
      : o["divergenceFactor"] === undefined
        ? LR_SWEEP_DEFAULTS.divergenceFactor
        : checkNumber(`${A}.divergenceFactor`, o["divergenceFactor"], { min: 1, minExclusive: true });
  const signal = checkSignal(`${A}.signal`, o["signal"]);
  const onTrial = checkCallback<SweepSettings["onTrial"]>(`${A}.onTrial`, o["onTrial"]);
  return { from, to, perDecade, divergenceFactor, signal, onTrial };
}

/**
 * `from`, then `from · 10^(k/perDecade)` for k = 1, 2 … up to the last one <= `to`
 * (rounded to 12 significant digits, so powers of ten are exact: 1e-3, not 0.0010000000000000002).
 */
export function sweepRates(from: number, to: number, perDecade: number): number[] {
  const argument = "sweepRates(from, to, perDecade)";
  checkNumber(`${argument}: from`, from, { min: 0, minExclusive: true });
  checkNumber(`${argument}: to`, to, { min: 0, minExclusive: true });
  if (!(to > from)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: to (${to}) must be greater than from (${from}).`);
  checkWhole(`${argument}: perDecade`, perDecade, { min: 1 });
  const steps = checkRateCount(argument, from, to, perDecade) - 1;
  const start = Math.log10(from);
  const rates = [from];
  for (let k = 1; k <= steps; k++) rates.push(Math.min(to, Number((10 ** (start + k / perDecade)).toPrecision(12))));
  return rates;
}

/** log10(to / from), also when the ratio overflows (from 1e-300 to 1e300). */
function decades(from: number, to: number): number {
  const ratio = to / from;
  return Number.isFinite(ratio) ? Math.log10(ratio) : Math.log10(to) - Math.log10(from);
}

/** The most rates a sweep tries: more is a mistake in `from`, `to` or `perDecade`, not a sweep. */
const MAX_RATES = 10_000;

/** The number of rates from `from` to `to` at `perDecade`; refuses more than MAX_RATES. */
function checkRateCount(argument: string, from: number, to: number, perDecade: number): number {
  const count = Math.floor(perDecade * decades(from, to) + 1e-9) + 1;
  if (!(count <= MAX_RATES)) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: from ${from} to ${to} at perDecade ${perDecade} makes ${count} rates; at most ${MAX_RATES} are allowed.`);
  }
  return count;
}

const TIME_SLICE = 10;
const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Runs `trial(lr, { signal })` for each rate from `options.from` to `options.to`
 * (powers of ten by default), in ascending order, and reports each rate's loss, which
 * diverged and the suggested rate (see the module's doc for the rules). Options are
 * validated before any trial runs; an error thrown by a trial rejects the sweep.
 */
export async function lrSweep(trial: LrTrial, options: LrSweepOptions = {}): Promise<SweepResult> {
  if (typeof trial !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `lrSweep(trial) must be a function (lr, { signal }) => loss, { loss, diverged? } or a FitResult; got ${describe(trial)}.`);
  }
  const s = checkSweepOptions(options);
  const rates = sweepRates(s.from, s.to, s.perDecade);
  const signal = trialSignal(s.signal);
  const points: SweepPoint[] = [];
  let reference: number | null = null;
  let best: SweepPoint | null = null;
  let reason: SweepResult["reason"] = "completed";
  let lastYield = now();
  for (let i = 0; i < rates.length; i++) {
    if (signal.aborted) {
      reason = "aborted";
      break;
    }
    const lr = rates[i]!;
    const outcome = readOutcome(await trial(lr, { signal }), `lrSweep(trial) at lr ${lr}`);
    if (outcome.aborted) {
      reason = "aborted";
      break;
    }
    const { loss } = outcome;
    let cause: SweepPoint["cause"] = null;
    if (!Number.isFinite(loss)) cause = "notFinite";
    else if (outcome.diverged) cause = "reported";
    else if (reference !== null && reference > 0 && s.divergenceFactor !== null && loss > s.divergenceFactor * reference) cause = "factor";
    const point: SweepPoint = Object.freeze({ lr, loss, diverged: cause !== null, cause });
    points.push(point);
    if (!point.diverged) {
      reference ??= loss;
      if (best === null || loss < best.loss) best = point;
    }
    if (s.onTrial !== undefined && (await wantsStop(s.onTrial(Object.freeze({ ...point, trial: i + 1, of: rates.length }))))) {
      reason = "callback";
      break;
    }
    if (now() - lastYield > TIME_SLICE) {
      await macrotask();
      lastYield = now();
    }
  }
  const diverged = points.filter((p) => p.diverged).map((p) => p.lr);
  const tried = `${points.length} of ${rates.length} rates`;
  const stopped = reason === "aborted" ? " Aborted by the AbortSignal." : reason === "callback" ? " Stopped by onTrial." : "";
  const message =
    best === null
      ? `No rate to suggest: ${points.length === 0 ? "no rate was tried" : `every rate tried diverged (${tried}); lower options.from`}.${stopped}`
      : `Suggested lr ${best.lr}: the lowest loss (${best.loss}) of ${tried}${diverged.length > 0 ? `; diverged: ${diverged.join(", ")}` : ""}.${stopped}`;
  return Object.freeze({
    rates: Object.freeze(rates),
    points: Object.freeze(points),
    reference,
    best,
    suggestion: best === null ? null : best.lr,
    reason,
    message,
  });
}

/** fitTrial's defaults over fit's: a short run of fixed length (no stopping for lack of improvement). */
export const FIT_TRIAL_DEFAULTS = Object.freeze({
  /** Five epochs per rate. */
  epochs: 5,
  /** Never stop early for lack of improvement. */
  tol: null,
});

/**
 * A trial that fits a fresh model from `makeModel()` on `data` with `fitOptions` and
 * `optimizerOptions.lr` set to the rate tried (the optimizer given by name, default
 * "sgd"), for FIT_TRIAL_DEFAULTS.epochs epochs unless `fitOptions.epochs` says otherwise,
 * then disposes the model. Its score is the fit's last monitored loss: the validation
 * loss with a validation part (earlyStopping or validationFraction), else the last
 * epoch's training loss. Every trial uses the same `seed`, so rates are compared on the
 * same shuffles. fitOptions are checked here; the optimizer's own options when the
 * first trial runs (before it trains).
 */
export function fitTrial(makeModel: () => Trainable, data: Dataset, fitOptions: FitOptions = {}): LrTrial {
  if (typeof makeModel !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fitTrial(makeModel) must be a function () => model that makes a fresh model; got ${describe(makeModel)}.`);
  }
  checkDataset(data, "fitTrial(data)");
  if (typeof fitOptions !== "object" || fitOptions === null || Array.isArray(fitOptions)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fitTrial(fitOptions) must be an object of fit options; got ${describe(fitOptions)}.`);
  }
  const A = "fitTrial fitOptions";
  if (fitOptions.optimizer !== undefined && typeof fitOptions.optimizer !== "string") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizer must be an optimizer name ("sgd", "adam", …): the sweep sets the learning rate through optimizerOptions.lr; got ${describe(fitOptions.optimizer)}.`);
  }
  if (fitOptions.signal !== undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.signal: give the signal to lrSweep's options; it hands it to every trial.`);
  }
  const optimizerOptions = fitOptions.optimizerOptions;
  if (typeof optimizerOptions === "object" && optimizerOptions !== null && "lr" in optimizerOptions) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${A}.optimizerOptions.lr (${describe(optimizerOptions["lr"])}) is set by the sweep; remove it.`);
  }
  const base: FitOptions = { ...FIT_TRIAL_DEFAULTS, ...fitOptions };
  // Validates fit's options as fit will see them (lr is a placeholder the sweep replaces).
  const settings = checkFitOptions({ ...base, optimizerOptions: { ...optimizerOptions, lr: 1 } });
  if (settings.epochs === 0 || settings.maxIter === 0) {
    const name = settings.epochs === 0 ? "epochs" : "maxIter";
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A}.${name} must be >= 1 for a trial: a fit that does not train cannot be scored; got 0.`);
  }
  return async (lr: number, { signal }: TrialContext): Promise<FitResult> => {
    const model = makeModel();
    try {
      return await fit(model, data, { ...base, optimizerOptions: { ...optimizerOptions, lr }, signal });
    } finally {
      const m = model as { dispose?: unknown } | null;
      if (typeof m === "object" && m !== null && typeof m.dispose === "function") (m as { dispose(): void }).dispose();
    }
  };
}

/** What an objective run resolves to: minimize()'s result, or anything with its fields. */
export interface ObjectiveRun {
  /** The objective's value where the run ended. */
  readonly value: number;
  /** The lowest value seen (used with `score: "bestValue"`). */
  readonly bestValue?: number;
  /** Why it stopped; "diverged" flags the rate, "aborted" drops the trial. */
  readonly reason?: string;
}

/** Options of {@link objectiveTrial}. */
export interface ObjectiveTrialOptions {
  /** Score a run by its final "value" (default) or its "bestValue". */
  score?: "value" | "bestValue";
}

/**
 * A trial for an objective minimized by any loop that reports `{ value, reason }`, such
 * as minimize(): `run(lr, { signal })` runs it with that learning rate. For example
 * `lrSweep(objectiveTrial((lr, { signal }) => minimize(f, x0, { optimizer: "sgd", optimizerOptions: { lr }, maxIter: 100, signal })))`.
 * The run's `value` (or `bestValue`) is the loss; reason "diverged" (or a NaN or
 * infinite value) flags the rate as diverged; reason "aborted" drops the trial.
 */
export function objectiveTrial(run: (lr: number, context: TrialContext) => ObjectiveRun | Promise<ObjectiveRun>, options: ObjectiveTrialOptions = {}): LrTrial {
  if (typeof run !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `objectiveTrial(run) must be a function (lr, { signal }) => { value, reason }, such as a call of minimize(); got ${describe(run)}.`);
  }
  checkKeys("objectiveTrial options", options, ["score"]);
  const score = options.score ?? "value";
  if (score !== "value" && score !== "bestValue") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `objectiveTrial options.score must be "value" or "bestValue"; got ${describe(score)}.`);
  }
  return async (lr: number, context: TrialContext) => {
    const result: unknown = await run(lr, context);
    const r = result as ObjectiveRun | null;
    const loss = typeof r === "object" && r !== null ? r[score] : undefined;
    if (typeof loss !== "number" || (r!.reason !== undefined && typeof r!.reason !== "string")) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `objectiveTrial(run) must resolve to { ${score}: number, reason?: string }; at lr ${lr} it gave ${describe(result)}.`);
    }
    return { loss, diverged: r!.reason === "diverged", aborted: r!.reason === "aborted" };
  };
}
