/**
 * Random search with narrowing: pick a rough range for each hyperparameter, sample
 * configurations at random in it, train and score each, narrow the ranges around the
 * best configuration, repeat (Bergstra & Bengio 2012, random search; coarse-to-fine).
 *
 * Sampling: each configuration draws its values in the order of the space's keys, one
 * draw each, from the seeded Random: `logUniform: [lo, hi]` is uniform in log10 between
 * lo and hi, `uniform: [lo, hi]` uniform in [lo, hi), `int: [lo, hi]` an integer in
 * lo … hi (both included), `choice: [a, b, …]` one of the values, each as likely. Same
 * seed and space: same configurations.
 *
 * Narrowing, after each round (when some trial so far did not diverge): each continuous
 * range becomes `shrink` times as wide as in the round just run, centred on the best
 * configuration so far — in log10 for logUniform, linearly for uniform and int — then
 * shifted, keeping its width, to lie within the original range. `int` ranges are rounded
 * to whole numbers (still containing the best value); choices are never narrowed. The
 * final ranges have the space's shape, ready for another randomSearch.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys, checkNumber } from "../options.ts";
import { MAX_SEED, toRandom, type Random } from "../random.ts";
import { checkWhole } from "../schedule/scheduler.ts";
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

/** One hyperparameter's range. */
export type Dimension =
  | {
      /** [low, high], > 0, sampled uniformly in log space (learning rates, penalties). */
      readonly logUniform: readonly [number, number];
    }
  | {
      /** [low, high], sampled uniformly. */
      readonly uniform: readonly [number, number];
    }
  | {
      /** [low, high], whole numbers, both included. */
      readonly int: readonly [number, number];
    }
  | {
      /** The values to choose from, with equal chances. */
      readonly choice: readonly unknown[];
    };

/** Names of hyperparameters and their ranges. */
export type SearchSpace = { readonly [name: string]: Dimension };

/** A configuration of `S`: a number for each range, one of the values for each choice. */
export type ConfigOf<S extends SearchSpace> = {
  readonly [K in keyof S]: S[K] extends {
    /** A choice's values: the configuration holds one of them. */
    readonly choice: readonly (infer C)[];
  }
    ? C
    : number;
};

/** Trains with `config` and resolves to its score (lower is better). */
export type SearchTrialFunction<C> = (config: C, context: TrialContext) => TrialOutcome | Promise<TrialOutcome>;

/** Options of {@link randomSearch}. */
export interface RandomSearchOptions<C = Record<string, unknown>> {
  /** Rounds of sampling, each followed by narrowing; a whole number >= 1; default 3. */
  rounds?: number;
  /** Configurations tried per round, a whole number >= 1; default 10. */
  trialsPerRound?: number;
  /** Each round's ranges are this times as wide as the previous round's, in (0, 1); default 0.5. */
  shrink?: number;
  /** Seed of the sampling (an integer in [0, 2³² − 1], or a Random); default 0. */
  seed?: number | Random;
  /** Stops the search between trials (reason "aborted"); also handed to each trial. */
  signal?: AbortSignal;
  /** Called after each trial; may be async; "stop" ends the search (reason "callback"). */
  onTrial?: (progress: SearchProgress<C>) => TrialCallbackResult;
}

/** randomSearch's defaults, frozen. */
export const RANDOM_SEARCH_DEFAULTS = Object.freeze({
  /** Three rounds. */
  rounds: 3,
  /** Ten configurations per round. */
  trialsPerRound: 10,
  /** Each round's ranges half as wide as the previous round's. */
  shrink: 0.5,
  /** Seed of the sampling. */
  seed: 0,
});

const KEYS: readonly (keyof RandomSearchOptions)[] = ["rounds", "trialsPerRound", "shrink", "seed", "signal", "onTrial"];
const KINDS = ["logUniform", "uniform", "int", "choice"] as const;
type Kind = (typeof KINDS)[number];

/** One configuration tried. */
export interface SearchTrial<C> {
  /** 1 for the first round. */
  readonly round: number;
  /** 1 for the first trial of the search. */
  readonly trial: number;
  /** The configuration tried. */
  readonly config: C;
  /** The trial's loss (for a FitResult: its last monitored loss). */
  readonly score: number;
  /** The trial said so (fit's reason "diverged", `diverged: true`) or the score is NaN or ±Infinity. */
  readonly diverged: boolean;
}

/** What onTrial receives: the trial, the number planned and the best so far. */
export interface SearchProgress<C> extends SearchTrial<C> {
  /** The number of trials planned. */
  readonly of: number;
  /** The best trial so far (lowest score that did not diverge), or null. */
  readonly best: SearchTrial<C> | null;
}

/** What {@link randomSearch} resolves to. */
export interface SearchResult<C> {
  /** Every trial, in order. */
  readonly trials: readonly SearchTrial<C>[];
  /** The trial with the lowest score that did not diverge (the earliest on a tie); null if none. */
  readonly best: SearchTrial<C> | null;
  /** The best trial's configuration; null if none. */
  readonly bestConfig: C | null;
  /** Infinity when no trial counts. */
  readonly bestScore: number;
  /** The ranges each round sampled from (`roundRanges[0]` is the space). */
  readonly roundRanges: readonly SearchSpace[];
  /** The ranges narrowed around the best after the last round run: where to search next. */
  readonly ranges: SearchSpace;
  /** "completed", or why it stopped early: the AbortSignal or onTrial's "stop". */
  readonly reason: "completed" | "aborted" | "callback";
  /** One sentence on the outcome. */
  readonly message: string;
}

/** A checked dimension: its kind, its range (or values) now and originally. */
interface Range {
  readonly name: string;
  readonly kind: Kind;
  readonly lo: number;
  readonly hi: number;
  readonly values: readonly unknown[];
}

const S = "randomSearch(space)";

function checkPair(argument: string, value: unknown, kind: Exclude<Kind, "choice">): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be [lo, hi], two numbers with lo < hi; got ${describe(value)}.`);
  }
  const check = kind === "int" ? checkWhole : checkNumber;
  const range = kind === "logUniform" ? { min: 0, minExclusive: true } : {};
  const lo = check(`${argument}[0]`, value[0], range);
  const hi = check(`${argument}[1]`, value[1], range);
  if (!(lo < hi)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be [lo, hi] with lo < hi; got [${lo}, ${hi}].`);
  if (kind === "int" && (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi - lo >= MAX_SEED)) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must span fewer than 2^32 - 1 integers; got [${lo}, ${hi}].`);
  }
  return [lo, hi];
}

function checkSpace(space: unknown): Range[] {
  if (typeof space !== "object" || space === null || Array.isArray(space)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${S} must be an object mapping names to ranges, e.g. { lr: { logUniform: [1e-5, 1] } }; got ${describe(space)}.`);
  }
  const names = Object.keys(space);
  if (names.length === 0) throw new DownhillTypeError("INVALID_ARGUMENT", `${S} must name at least one hyperparameter; got an empty object.`);
  return names.map((name) => {
    const argument = `${S}.${name}`;
    const dim: unknown = (space as Record<string, unknown>)[name];
    const wanted = "{ logUniform: [lo, hi] }, { uniform: [lo, hi] }, { int: [lo, hi] } or { choice: [values…] }";
    if (typeof dim !== "object" || dim === null || Array.isArray(dim)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(dim)}.`);
    }
    checkKeys(argument, dim, KINDS);
    const kinds = Object.keys(dim) as Kind[];
    if (kinds.length !== 1) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be exactly one of ${wanted}; got ${kinds.length === 0 ? "an empty object" : `${kinds.join(" and ")} together`}.`);
    }
    const kind = kinds[0]!;
    const value: unknown = (dim as Record<string, unknown>)[kind];
    if (kind === "choice") {
      if (!Array.isArray(value) || value.length === 0) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.choice must be a non-empty array of values; got ${describe(value)}.`);
      }
      return { name, kind, lo: 0, hi: value.length - 1, values: Object.freeze([...value]) };
    }
    const [lo, hi] = checkPair(`${argument}.${kind}`, value, kind);
    return { name, kind, lo, hi, values: [] };
  });
}

interface SearchSettings<C> {
  readonly rounds: number;
  readonly trialsPerRound: number;
  readonly shrink: number;
  readonly random: Random;
  readonly signal: AbortSignal | undefined;
  readonly onTrial: ((progress: SearchProgress<C>) => TrialCallbackResult) | undefined;
}

const A = "randomSearch options";

function checkSearchOptions<C>(options: unknown): SearchSettings<C> {
  checkKeys(A, options, KEYS);
  const o = (options ?? {}) as Record<string, unknown>;
  const rounds = o["rounds"] === undefined ? RANDOM_SEARCH_DEFAULTS.rounds : checkWhole(`${A}.rounds`, o["rounds"], { min: 1 });
  const trialsPerRound = o["trialsPerRound"] === undefined ? RANDOM_SEARCH_DEFAULTS.trialsPerRound : checkWhole(`${A}.trialsPerRound`, o["trialsPerRound"], { min: 1 });
  const shrink = o["shrink"] === undefined ? RANDOM_SEARCH_DEFAULTS.shrink : checkNumber(`${A}.shrink`, o["shrink"], { min: 0, max: 1, minExclusive: true, maxExclusive: true });
  const random = toRandom(o["seed"] ?? RANDOM_SEARCH_DEFAULTS.seed, `${A}.seed`);
  const signal = checkSignal(`${A}.signal`, o["signal"]);
  const onTrial = checkCallback<SearchSettings<C>["onTrial"]>(`${A}.onTrial`, o["onTrial"]);
  return { rounds, trialsPerRound, shrink, random, signal, onTrial };
}

/** One value drawn from a range (one draw of the generator). */
function sample(range: Range, random: Random): unknown {
  switch (range.kind) {
    case "logUniform": {
      const v = 10 ** random.uniform(Math.log10(range.lo), Math.log10(range.hi));
      return Math.min(range.hi, Math.max(range.lo, v));
    }
    case "uniform":
      return random.uniform(range.lo, range.hi);
    case "int":
      return range.lo + random.int(range.hi - range.lo + 1);
    case "choice":
      return range.values[random.int(range.values.length)];
  }
}

/** The range `shrink` times as wide, centred on `best`, shifted into `original` (see the module's doc). */
function narrow(range: Range, original: Range, best: number, shrink: number): Range {
  if (range.kind === "choice") return range;
  const log = range.kind === "logUniform";
  const scale = (x: number): number => (log ? Math.log10(x) : x);
  const unscale = (x: number): number => (log ? 10 ** x : x);
  const floor = scale(original.lo);
  const ceiling = scale(original.hi);
  const width = shrink * (scale(range.hi) - scale(range.lo));
  let lo = scale(best) - width / 2;
  let hi = scale(best) + width / 2;
  if (lo < floor) [lo, hi] = [floor, floor + width];
  if (hi > ceiling) [lo, hi] = [ceiling - width, ceiling];
  let a = unscale(lo);
  let b = unscale(hi);
  if (range.kind === "int") [a, b] = [Math.round(a), Math.round(b)];
  // Rounding (of 10^x or to integers) must not leave the best value or the original range.
  a = Math.max(original.lo, Math.min(a, best));
  b = Math.min(original.hi, Math.max(b, best));
  return { ...range, lo: a, hi: b };
}

function toSpace(ranges: readonly Range[]): SearchSpace {
  const space: Record<string, Dimension> = {};
  for (const r of ranges) {
    space[r.name] = Object.freeze(r.kind === "choice" ? { choice: r.values } : ({ [r.kind]: Object.freeze([r.lo, r.hi]) } as Dimension));
  }
  return Object.freeze(space);
}

const TIME_SLICE = 10;
const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

/**
 * Samples `trialsPerRound` configurations of `space` per round with the seeded Random,
 * scores each with `trial(config, { signal })` (lower is better; diverged trials never
 * count as best), narrows the ranges around the best so far after each round, for
 * `rounds` rounds (see the module's doc for the rules). Everything is validated before
 * the first trial; an error thrown by a trial rejects the search.
 */
export async function randomSearch<S extends SearchSpace>(
  trial: SearchTrialFunction<ConfigOf<S>>,
  space: S,
  options: RandomSearchOptions<ConfigOf<S>> = {},
): Promise<SearchResult<ConfigOf<S>>> {
  type C = ConfigOf<S>;
  if (typeof trial !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `randomSearch(trial) must be a function (config, { signal }) => score, { loss, diverged? } or a FitResult; got ${describe(trial)}.`);
  }
  const original = checkSpace(space);
  const s = checkSearchOptions<C>(options);
  const signal = trialSignal(s.signal);
  const total = s.rounds * s.trialsPerRound;
  const trials: SearchTrial<C>[] = [];
  const roundRanges: SearchSpace[] = [];
  let ranges: Range[] = original;
  let best: SearchTrial<C> | null = null;
  let reason: SearchResult<C>["reason"] = "completed";
  let lastYield = now();
  for (let round = 1; round <= s.rounds && reason === "completed"; round++) {
    let ran = 0;
    for (let k = 0; k < s.trialsPerRound; k++) {
      if (signal.aborted) {
        reason = "aborted";
        break;
      }
      if (ran === 0) roundRanges.push(toSpace(ranges));
      const values: Record<string, unknown> = {};
      for (const r of ranges) values[r.name] = sample(r, s.random);
      const config = Object.freeze(values) as C;
      const outcome = readOutcome(await trial(config, { signal }), `randomSearch(trial) (trial ${trials.length + 1})`);
      if (outcome.aborted) {
        reason = "aborted";
        break;
      }
      ran++;
      const record: SearchTrial<C> = Object.freeze({ round, trial: trials.length + 1, config, score: outcome.loss, diverged: outcome.diverged });
      trials.push(record);
      if (!record.diverged && (best === null || record.score < best.score)) best = record;
      if (s.onTrial !== undefined && (await wantsStop(s.onTrial(Object.freeze({ ...record, of: total, best }))))) {
        reason = "callback";
        break;
      }
      if (now() - lastYield > TIME_SLICE) {
        await macrotask();
        lastYield = now();
      }
    }
    if (ran > 0 && best !== null) {
      const b = best.config as Record<string, unknown>;
      ranges = ranges.map((r, i) => narrow(r, original[i]!, b[r.name] as number, s.shrink));
    }
  }
  const scored = trials.filter((t) => !t.diverged).length;
  const stopped = reason === "aborted" ? " Aborted by the AbortSignal." : reason === "callback" ? " Stopped by onTrial." : "";
  const message =
    best === null
      ? `No configuration to suggest: ${trials.length === 0 ? "no trial ran" : `all ${trials.length} trials diverged`}.${stopped}`
      : `Best score ${best.score} (trial ${best.trial}, round ${best.round}) with ${JSON.stringify(best.config)}; ${scored} of ${trials.length} trials did not diverge.${stopped}`;
  return Object.freeze({
    trials: Object.freeze(trials),
    best,
    bestConfig: best === null ? null : best.config,
    bestScore: best === null ? Infinity : best.score,
    roundRanges: Object.freeze(roundRanges),
    ranges: toSpace(ranges),
    reason,
    message,
  });
}
