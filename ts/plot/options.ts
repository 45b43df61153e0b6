/**
 * Validation of the plots' options and data, done before anything is drawn: sizes,
 * labels, domains, series. Messages name the argument, the value and what is allowed,
 * like the rest of downhill (ts/options.ts), and errors are DownhillTypeError or
 * DownhillRangeError with code "INVALID_ARGUMENT".
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkBoolean, checkKeys, checkNumber, type Range } from "../options.ts";

/** Options every plot takes. */
export interface PlotOptions {
  /** Width of the SVG in pixels, a whole number in [320, 4000]; default 760. */
  width?: number;
  /** Height of the SVG in pixels, a whole number in [240, 4000]; default 480. */
  height?: number;
  /** Title above the plot; default none. */
  title?: string;
  /** Label of the horizontal axis (each plot has its own default). */
  xLabel?: string;
  /** Label of the vertical axis (each plot has its own default). */
  yLabel?: string;
}

/** The common options after validation. */
export interface PlotSettings {
  readonly width: number;
  readonly height: number;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
}

/** The default size of every plot. */
export const PLOT_DEFAULTS = Object.freeze({
  /** Width in px. */
  width: 760,
  /** Height in px. */
  height: 480,
});

/** The keys of PlotOptions, for checkKeys. */
export const PLOT_KEYS: readonly string[] = Object.freeze(["width", "height", "title", "xLabel", "yLabel"]);

/** A whole number in `range`. */
export function checkWhole(argument: string, value: unknown, range: Range = {}): number {
  const n = checkNumber(argument, value, range);
  if (!Number.isInteger(n)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a whole number; got ${n}.`);
  return n;
}

/** A string (any, including empty). */
export function checkString(argument: string, value: unknown): string {
  if (typeof value !== "string") throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a string; got ${describe(value)}.`);
  return value;
}

/** One of the strings in `allowed`. */
export function checkChoice<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const Error = typeof value === "string" ? DownhillRangeError : DownhillTypeError;
    throw new Error("INVALID_ARGUMENT", `${argument} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}; got ${describe(value)}.`);
  }
  return value as T;
}

/** `value` or, when it is undefined, `fallback`; otherwise checked by `check`. */
export function optional<T>(value: unknown, fallback: T, check: (value: unknown) => T): T {
  return value === undefined ? fallback : check(value);
}

/** Checks the keys of a plot's options (common ones plus `extraKeys`) and the common values. */
export function checkPlotOptions(argument: string, options: unknown, extraKeys: readonly string[], labels: { xLabel: string; yLabel: string }): PlotSettings {
  checkKeys(argument, options, [...PLOT_KEYS, ...extraKeys]);
  const o = (options ?? {}) as Record<string, unknown>;
  return {
    width: optional(o["width"], PLOT_DEFAULTS.width, (v) => checkWhole(`${argument}.width`, v, { min: 320, max: 4000 })),
    height: optional(o["height"], PLOT_DEFAULTS.height, (v) => checkWhole(`${argument}.height`, v, { min: 240, max: 4000 })),
    title: optional(o["title"], "", (v) => checkString(`${argument}.title`, v)),
    xLabel: optional(o["xLabel"], labels.xLabel, (v) => checkString(`${argument}.xLabel`, v)),
    yLabel: optional(o["yLabel"], labels.yLabel, (v) => checkString(`${argument}.yLabel`, v)),
  };
}

/** `[lo, hi]`: two finite numbers with lo < hi (both > 0 when `positive`). */
export function checkDomain(argument: string, value: unknown, positive = false): readonly [number, number] {
  const wanted = `an array [lo, hi] of two finite numbers with lo < hi${positive ? ", both > 0 (a log scale)" : ""}`;
  if (!Array.isArray(value) || value.length !== 2) {
    const Error = Array.isArray(value) ? DownhillRangeError : DownhillTypeError;
    throw new Error("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  }
  const range: Range = positive ? { min: 0, minExclusive: true } : {};
  const lo = checkNumber(`${argument}[0]`, value[0], range);
  const hi = checkNumber(`${argument}[1]`, value[1], range);
  if (!(lo < hi)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got [${lo}, ${hi}].`);
  return [lo, hi];
}

/** An array or typed array of numbers (NaN and ±Infinity allowed: they are gaps). */
export function checkNumbers(argument: string, value: unknown): ArrayLike<number> {
  if (value instanceof Float64Array || value instanceof Float32Array) return value;
  if (!Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an array of numbers or a Float64Array/Float32Array; got ${describe(value)}.`);
  }
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}[${i}] must be a number; got ${describe(value[i])}.`);
  }
  return value as number[];
}

/** A non-empty array of series objects (each checked by `check`), with distinct names. */
export function checkSeriesList<T extends { readonly name: string }>(argument: string, value: unknown, check: (item: unknown, argument: string) => T): T[] {
  if (!Array.isArray(value)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an array of series; got ${describe(value)}.`);
  if (value.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} is empty; give at least one series.`);
  const seen = new Set<string>();
  return value.map((item, i) => {
    const series = check(item, `${argument}[${i}]`);
    if (seen.has(series.name)) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}[${i}].name ${describe(series.name)} is used twice; give each series its own name.`);
    seen.add(series.name);
    return series;
  });
}

/** A plain object with the keys of `allowed`, of which `required` must be present. */
export function checkObject(argument: string, value: unknown, allowed: readonly string[], required: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an object with ${required.join(", ")}; got ${describe(value)}.`);
  }
  checkKeys(argument, value, allowed);
  const o = value as Record<string, unknown>;
  for (const key of required) {
    if (o[key] === undefined) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.${key} is missing.`);
  }
  return o;
}

/** A function of the given arity (for messages only; arity is not enforced). */
export function checkFunction<T>(argument: string, value: unknown, shape: string): T {
  if (typeof value !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a function ${shape}; got ${describe(value)}.`);
  return value as T;
}

/** A label mark: `{ x, label }` or `{ x, y, label }`. */
export interface Mark {
  readonly x: number;
  readonly y: number | undefined;
  readonly label: string;
}

/** An array of marks `{ x, y?, label }`; `needY` requires y. */
export function checkMarks(argument: string, value: unknown, needY: boolean): Mark[] {
  if (!Array.isArray(value)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an array of { x${needY ? ", y" : ""}, label }; got ${describe(value)}.`);
  return value.map((item, i) => {
    const a = `${argument}[${i}]`;
    const o = checkObject(a, item, needY ? ["x", "y", "label"] : ["x", "label"], needY ? ["x", "y", "label"] : ["x", "label"]);
    return { x: checkNumber(`${a}.x`, o["x"]), y: needY ? checkNumber(`${a}.y`, o["y"]) : undefined, label: checkString(`${a}.label`, o["label"]) };
  });
}

export { checkBoolean, checkNumber };
