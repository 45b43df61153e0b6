/**
 * Validation of option objects, done once at the edge: unknown keys (with a "did you
 * mean"), numbers that must be finite and in range, booleans. Messages name the
 * argument, the value and what is allowed.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "./errors.ts";

/** Common misnamings of PyTorch options, and what downhill calls them. */
const ALIASES: Record<string, string> = {
  learningrate: "lr",
  learning_rate: "lr",
  rate: "lr",
  stepsize: "lr",
  beta: "betas",
  epsilon: "eps",
  decay: "weightDecay",
  l2: "weightDecay",
};

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The allowed name closest to `key`, if any is close enough to be a typo. */
export function suggest(key: string, allowed: readonly string[]): string | undefined {
  const folded = key.toLowerCase().replace(/[_\-\s]/g, "");
  const byFold = allowed.find((a) => a.toLowerCase() === folded);
  if (byFold) return byFold;
  const alias = ALIASES[key.toLowerCase()] ?? ALIASES[folded];
  if (alias && allowed.includes(alias)) return alias;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const a of allowed) {
    const d = editDistance(folded, a.toLowerCase());
    if (d < bestDistance) {
      best = a;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.floor(folded.length / 3)) ? best : undefined;
}

/** `value` must be undefined or a plain object whose keys are all in `allowed`. */
export function checkKeys(argument: string, value: unknown, allowed: readonly string[], also?: string): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an object; got ${describe(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key) && key !== also) {
      const all = also === undefined ? allowed : [...allowed, also];
      const hint = suggest(key, all);
      throw new DownhillTypeError(
        "INVALID_ARGUMENT",
        `${argument}: unknown option "${key}"${hint ? `; did you mean "${hint}"?` : ""}. Allowed: ${all.join(", ")}.`,
      );
    }
  }
}

/**
 * `{ ...base, ...options }` without options' key `skip`: the options that checkKeys
 * allowed laid over their defaults (a copy; neither argument changes).
 */
export function overlay<O extends object>(base: Readonly<O>, options: unknown, skip: string): O {
  const merged: Record<string, unknown> = { ...base };
  if (typeof options === "object" && options !== null) {
    for (const key of Object.keys(options)) if (key !== skip) merged[key] = (options as Record<string, unknown>)[key];
  }
  return merged as O;
}

export interface Range {
  min?: number;
  max?: number;
  /** The bound itself is not allowed. */
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function rangeText(r: Range): string {
  const lo = r.min === undefined ? "" : `${r.minExclusive ? ">" : ">="} ${r.min}`;
  const hi = r.max === undefined ? "" : `${r.maxExclusive ? "<" : "<="} ${r.max}`;
  return [lo, hi].filter(Boolean).join(" and ");
}

/** A finite number in `range`; NaN, ±Infinity and non-numbers are refused. */
export function checkNumber(argument: string, value: unknown, range: Range = {}): number {
  // The message is built only on failure: validation runs on every fit() and optimizer.
  const wanted = (): string => `a finite number${rangeText(range) ? ` ${rangeText(range)}` : ""}`;
  if (typeof value !== "number") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be ${wanted()}; got ${describe(value)}.`);
  }
  const below = range.min !== undefined && (range.minExclusive ? value <= range.min : value < range.min);
  const above = range.max !== undefined && (range.maxExclusive ? value >= range.max : value > range.max);
  if (!Number.isFinite(value) || below || above) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be ${wanted()}; got ${value}.`);
  }
  return value;
}

export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be true or false; got ${describe(value)}.`);
  }
  return value;
}

/**
 * A pair `[beta1, beta2]` of finite numbers, each in [0, 1) (stricter than PyTorch, which
 * allows 1); returned frozen so that the caller's array can change without effect.
 */
export function checkBetas(argument: string, value: unknown): readonly [number, number] {
  const wanted = "an array of two numbers [beta1, beta2], each >= 0 and < 1";
  if (!Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  }
  if (value.length !== 2) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  }
  const range: Range = { min: 0, max: 1, maxExclusive: true };
  return Object.freeze([checkNumber(`${argument}[0]`, value[0], range), checkNumber(`${argument}[1]`, value[1], range)] as const);
}
