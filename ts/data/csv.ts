/**
 * CSV to Dataset: RFC 4180 fields (quotes, doubled quotes, delimiters and line breaks
 * inside quotes), LF, CRLF or CR line ends, a UTF-8 byte-order mark and blank lines are
 * accepted. Each selected field must be a decimal number (`12`, `-0.5`, `1e-3`, spaces
 * around it allowed); anything else is an error naming the 1-based data row, its line in
 * the text and the column. Missing values ("", NA, N/A, NaN, null, None, #N/A in any
 * case) are errors too unless `missing` gives a number to use instead.
 */
import type { Dtype } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkBoolean, checkKeys, checkNumber, suggest } from "../options.ts";
import { makeDataset, type Dataset } from "./dataset.ts";

/** Options of {@link parseCsv} and {@link readCsv}. */
export interface CsvOptions {
  /** The first line holds the column names; default true. Without a header columns are named x0, x1, … */
  header?: boolean;
  /** One character; default ",". */
  delimiter?: string;
  /** Feature columns, by name or 0-based index, in order; default every column but the target. */
  columns?: readonly (string | number)[];
  /** The target column, by name or 0-based index; default none (y is null). */
  target?: string | number;
  /** Default "f64". */
  dtype?: Dtype;
  /** A finite number replacing missing values; default: missing values are errors. */
  missing?: number;
}

interface Settings {
  header: boolean;
  delimiter: string;
  columns: readonly (string | number)[] | undefined;
  target: string | number | undefined;
  dtype: Dtype;
  missing: number | undefined;
}

const KEYS = ["header", "delimiter", "columns", "target", "dtype", "missing"] as const;
const MISSING = new Set(["", "na", "n/a", "nan", "null", "none", "#n/a"]);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const typeError = (message: string): never => {
  throw new DownhillTypeError("INVALID_ARGUMENT", message);
};
const rangeError = (message: string, code: "INVALID_ARGUMENT" | "SHAPE_MISMATCH" = "INVALID_ARGUMENT"): never => {
  throw new DownhillRangeError(code, message);
};

function checkColumnRef(value: unknown, argument: string): string | number {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  return typeError(`${argument} must be a column name (string) or a 0-based index (whole number >= 0); got ${describe(value)}.`);
}

function settings(fn: string, options: CsvOptions): Settings {
  checkKeys(`${fn} options`, options, KEYS);
  const header = options.header === undefined ? true : checkBoolean(`${fn} options.header`, options.header);
  const delimiter = options.delimiter ?? ",";
  if (typeof delimiter !== "string" || delimiter.length !== 1 || delimiter === '"' || delimiter === "\n" || delimiter === "\r") {
    typeError(`${fn} options.delimiter must be one character other than a quote or a line break; got ${describe(delimiter)}.`);
  }
  let columns: (string | number)[] | undefined;
  if (options.columns !== undefined) {
    if (!Array.isArray(options.columns)) typeError(`${fn} options.columns must be an array of column names or indices; got ${describe(options.columns)}.`);
    columns = options.columns.map((c, k) => checkColumnRef(c, `${fn} options.columns[${k}]`));
    if (columns.length === 0) rangeError(`${fn} options.columns is empty; select at least one feature column.`);
  }
  const target = options.target === undefined ? undefined : checkColumnRef(options.target, `${fn} options.target`);
  const dtype = options.dtype ?? "f64";
  if (dtype !== "f32" && dtype !== "f64") typeError(`${fn} options.dtype must be "f32" or "f64"; got ${describe(dtype)}.`);
  const missing = options.missing === undefined ? undefined : checkNumber(`${fn} options.missing`, options.missing);
  return { header, delimiter, columns, target, dtype, missing };
}

interface CsvRecord {
  readonly fields: string[];
  /** 1-based line of the record's first character. */
  readonly line: number;
}

/** Splits `text` into records of fields (RFC 4180), skipping blank lines. */
function records(text: string, delimiter: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const len = text.length;
  const delim = delimiter.charCodeAt(0);
  const QUOTE = 34, LF = 10, CR = 13;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const lineBreak = (): void => {
    // At a CR or LF: consume CRLF as one break.
    if (text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i += 2;
    else i += 1;
    line += 1;
  };
  while (i < len) {
    const startLine = line;
    const c0 = text.charCodeAt(i);
    if (c0 === LF || c0 === CR) {
      lineBreak(); // a blank line
      continue;
    }
    const fields: string[] = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let field = "";
        let from = ++i;
        for (;;) {
          if (i >= len) rangeError(`CSV: the quote opened on line ${openLine} is never closed.`);
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            field += text.slice(from, i);
            if (text.charCodeAt(i + 1) === QUOTE) {
              field += '"';
              i += 2;
              from = i;
              continue;
            }
            i += 1;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line += 1;
          i += 1;
        }
        const next = text.charCodeAt(i);
        if (i < len && next !== delim && next !== LF && next !== CR) {
          rangeError(`CSV line ${line}: unexpected ${JSON.stringify(text[i])} after the closing quote of a field; quotes inside a quoted field are doubled ("").`);
        }
        fields.push(field);
      } else {
        const start = i;
        while (i < len) {
          const c = text.charCodeAt(i);
          if (c === delim || c === LF || c === CR) break;
          if (c === QUOTE) rangeError(`CSV line ${line}: a quote inside an unquoted field; quote the whole field and double the quote ("").`);
          i += 1;
        }
        fields.push(text.slice(start, i));
      }
      if (i < len && text.charCodeAt(i) === delim) {
        i += 1;
        continue;
      }
      if (i < len) lineBreak();
      break;
    }
    out.push({ fields, line: startLine });
  }
  return out;
}

/**
 * A Dataset from CSV text. `columns` picks the features (default: all but `target`),
 * `target` the column that becomes y. Errors name the 1-based data row, its line and the
 * column: `parseCsv: row 3 (line 4), column "age": "n/a?" is not a number.`
 */
export function parseCsv(text: string, options: CsvOptions = {}): Dataset {
  const s = settings("parseCsv", options);
  if (typeof text !== "string") typeError(`parseCsv(text) takes the CSV as a string; got ${describe(text)}. For a file use readCsv(path).`);
  return build(text, s, "parseCsv");
}

function build(text: string, s: Settings, fn: string): Dataset {
  const all = records(text, s.delimiter);
  if (all.length === 0) rangeError(`${fn}: the CSV is empty.`);
  const width = all[0]!.fields.length;
  const names = s.header ? all[0]!.fields.map((f) => f.trim()) : Array.from({ length: width }, (_, j) => `x${j}`);
  const rows = s.header ? all.slice(1) : all;
  if (rows.length === 0) rangeError(`${fn}: the CSV has a header but no data rows.`);
  const label = (j: number) => (s.header ? `column ${JSON.stringify(names[j])}` : `column index ${j}`);
  const resolve = (ref: string | number, argument: string): number => {
    if (typeof ref === "number") {
      if (ref >= width) rangeError(`${fn} options.${argument}: column index ${ref} does not exist; the CSV has ${width} columns (0 to ${width - 1}).`);
      return ref;
    }
    const found = names.indexOf(ref);
    if (found < 0) {
      const hint = suggest(ref, names);
      rangeError(`${fn} options.${argument}: no column named ${JSON.stringify(ref)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""}. Columns: ${names.map((n) => JSON.stringify(n)).join(", ")}.`);
    }
    if (names.indexOf(ref, found + 1) >= 0) rangeError(`${fn} options.${argument}: the header names ${JSON.stringify(ref)} more than once; select it by index.`);
    return found;
  };
  const targetIndex = s.target === undefined ? -1 : resolve(s.target, "target");
  const selected = s.columns === undefined ? names.map((_, j) => j).filter((j) => j !== targetIndex) : s.columns.map((c, k) => resolve(c, `columns[${k}]`));
  if (selected.length === 0) rangeError(`${fn}: no feature columns: the only column is the target.`);
  for (let k = 0; k < selected.length; k++) {
    if (selected[k] === targetIndex) rangeError(`${fn} options.columns selects the target ${label(targetIndex)} as a feature.`);
    if (selected.indexOf(selected[k]!, k + 1) >= 0) rangeError(`${fn} options.columns selects ${label(selected[k]!)} twice.`);
  }

  const n = rows.length;
  const d = selected.length;
  const X = new Float64Array(n * d);
  const y = targetIndex < 0 ? null : new Float64Array(n);
  const where = (i: number, j: number) => `${fn}: row ${i + 1} (line ${rows[i]!.line}), ${label(j)}`;
  const parse = (field: string, i: number, j: number): number => {
    const t = field.trim();
    if (NUMBER.test(t)) {
      const v = Number(t);
      if (!Number.isFinite(v)) rangeError(`${where(i, j)}: ${JSON.stringify(field)} overflows f64.`);
      return v;
    }
    if (MISSING.has(t.toLowerCase())) {
      if (s.missing !== undefined) return s.missing;
      rangeError(`${where(i, j)}: missing value ${JSON.stringify(field)}; fill it in the data or pass options.missing (a number to use instead).`);
    }
    return rangeError(`${where(i, j)}: ${JSON.stringify(field)} is not a number.`);
  };
  for (let i = 0; i < n; i++) {
    const { fields, line } = rows[i]!;
    if (fields.length !== width) {
      rangeError(`${fn}: row ${i + 1} (line ${line}) has ${fields.length} fields but ${s.header ? "the header" : "the first row"} has ${width}.`, "SHAPE_MISMATCH");
    }
    for (let k = 0; k < d; k++) X[i * d + k] = parse(fields[selected[k]!]!, i, selected[k]!);
    if (y !== null) y[i] = parse(fields[targetIndex]!, i, targetIndex);
  }
  const featureNames = selected.map((j) => names[j]!);
  return makeDataset(s.dtype, n, d, X, y, featureNames, targetIndex < 0 ? null : names[targetIndex]!, (i, j) => where(i, j < 0 ? targetIndex : selected[j]!));
}

/**
 * Reads a CSV file (UTF-8) with node:fs — Node and Deno — and parses it like parseCsv.
 * In a browser, fetch the text and call parseCsv.
 */
export async function readCsv(path: string | URL, options: CsvOptions = {}): Promise<Dataset> {
  const s = settings("readCsv", options);
  if (typeof path !== "string" && !(path instanceof URL)) typeError(`readCsv(path) takes a file path or a file: URL; got ${describe(path)}. For CSV text use parseCsv(text).`);
  const runtime = globalThis as { process?: { versions?: { node?: unknown } }; Deno?: unknown };
  if (runtime.process?.versions?.node === undefined && runtime.Deno === undefined) {
    throw new DownhillError("INVALID_ARGUMENT", "readCsv reads files with node:fs, which only Node and Deno have; in a browser, fetch the text and pass it to parseCsv.");
  }
  // A computed specifier keeps bundlers from resolving node:fs for browser builds.
  const specifier = ["node", "fs/promises"].join(":");
  const fs = (await import(/* @vite-ignore */ specifier)) as { readFile(path: string | URL, encoding: "utf8"): Promise<string> };
  let text: string;
  try {
    text = await fs.readFile(path, "utf8");
  } catch (error) {
    throw new DownhillError("INVALID_ARGUMENT", `readCsv: cannot read ${JSON.stringify(String(path))}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return build(text, s, "readCsv");
}
