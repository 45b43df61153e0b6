/**
 * What the commands print and write: numbers for people, aligned tables, JSON lines for
 * machines (`--json`: one object per line, each with a "type"), CSV cells and files
 * written whole (to a temporary name, then renamed, so that an interrupted run never
 * leaves half a model behind).
 */
import { accessSync, constants, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Io } from "./args.ts";
import { CliError, EXIT } from "./args.ts";

/** A number for people: 4 significant digits, exponent notation when very small or large. */
export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e6) return String(Number(v.toPrecision(4)));
  return v.toExponential(3).replace(/\.?0+e/, "e");
}

/** R² (6 significant digits) or accuracy (a percentage) for people. */
export function formatScore(metric: "r2" | "accuracy", score: number): string {
  return metric === "r2" ? `R² ${String(Number(score.toPrecision(6)))}` : `accuracy ${String(Number((100 * score).toPrecision(4)))}%`;
}

/** A duration in ms for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/** Rows of cells as aligned columns (numbers right-aligned). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? "").length)));
  const numeric = header.map((_, j) => rows.length > 0 && rows.every((r) => /^[-+0-9.e]+$|^-$|^NaN$|^-?Infinity$/.test(r[j] ?? "")));
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n") + "\n";
}

/** One JSON line on stdout: `{"type": …, …}`. Non-finite numbers become null (JSON has none). */
export function jsonLine(io: Io, type: string, data: Record<string, unknown>): void {
  io.out(`${JSON.stringify({ type, ...data }, jsonReplacer)}\n`);
}

/** JSON.stringify's replacer: typed arrays as arrays, NaN and ±Infinity as null. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (typeof value === "number" && !Number.isFinite(value)) return null;
  return value;
}

/**
 * JSON for people: two-space indentation, but an array of numbers or strings (a bias, a
 * row of weights, the features) on one line, so that a model file reads as its matrices. Parses to the same
 * value as JSON.stringify's output (NaN and ±Infinity as null).
 */
export function prettyJson(value: unknown, indent = ""): string {
  const v = jsonReplacer("", value);
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    if (v.every((x) => typeof x !== "object" || x === null)) return `[${v.map((x) => JSON.stringify(jsonReplacer("", x)) ?? "null").join(", ")}]`;
    const inner = `${indent}  `;
    return `[\n${v.map((x) => inner + prettyJson(x, inner)).join(",\n")}\n${indent}]`;
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${prettyJson(x, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/** A CSV field: quoted when it holds a delimiter, a quote or a line break. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Writes `text` to `path` whole: to a temporary file beside it, then renamed over it.
 * A failure is a CliError (exit 1) naming the file and what the flag was.
 */
export function writeFileWhole(path: string, text: string, flag: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(`${flag}: cannot write ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`, EXIT.failure);
  }
}

/** Fails now, not after the training, when `path` cannot be written (its directory is missing or read-only). */
export function checkWritable(path: string, flag: string, command: string): void {
  const directory = dirname(resolve(path));
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    throw new CliError(`downhill ${command}: ${flag} ${JSON.stringify(path)}: cannot write to the directory ${JSON.stringify(directory)} (missing or not writable)`);
  }
}
