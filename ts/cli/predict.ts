/**
 * `downhill predict model.json data.csv [--out preds.csv]`: checks the model file (errors
 * name the JSON path) and the CSV's columns against it, standardizes the features with
 * the saved statistics and writes one row of predictions per data row. When the CSV also
 * has the target column, it reports R² (regression) or accuracy (classification).
 */
import { readFileSync } from "node:fs";
import { parseCsv, type Dataset } from "../index.ts";
import { EXIT, CliError, FlagReader, parse, type Command, type Io } from "./args.ts";
import { readModelFile, restoreModel, type ModelFile } from "./model-file.ts";
import { csvField, formatScore, jsonLine, writeFileWhole } from "./output.ts";
import { csvError } from "./training.ts";

const FLAGS = {
  out: { type: "string", short: "o", value: "preds.csv", help: "Write the predictions here.", default: "stdout" },
  missing: { type: "string", value: "number", help: "Use this number for missing cells (empty, NA, NaN, null); without it they are errors." },
  backend: { type: "string", value: "wasm|ts", help: "WebAssembly or the pure-TypeScript fallback (same numbers).", default: "wasm" },
  json: { type: "boolean", help: "Print one JSON object: rows, score and, without --out, the predictions." },
} as const;

/** `downhill predict`. */
export const predictCommand: Command = {
  name: "predict",
  summary: "predict with a saved model on the rows of a CSV file",
  usage: "predict <model.json> <data.csv> [--out preds.csv]",
  description:
    "Reads a model saved by downhill fit --out and a CSV with (at least) the model's feature\n" +
    "columns, and writes a CSV with one row per data row: the column \"prediction\" (the value,\n" +
    "the label 0/1 or the class), plus \"probability\" (logistic, mlp binary: P(y = 1)) or\n" +
    "\"probability_0\" … (softmax: one per class). If the CSV has the model's target column\n" +
    "too, the R² or the accuracy is reported (on stderr when the predictions go to stdout).",
  flags: FLAGS,
  epilog: "Example:\n  downhill predict model.json new-houses.csv --out predictions.csv\n\nExit codes: 0 done, 1 the output could not be written, 2 bad flags, model file or CSV.",
  run: runPredict,
};

/** The names in the CSV's first record (RFC 4180 quoting), to check the columns before parsing. */
export function headerNames(text: string): string[] {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && (text[i] === "\n" || text[i] === "\r")) i++;
  const names: string[] = [];
  let field = "";
  let quoted = false;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') (field += '"'), i++;
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") (names.push(field.trim()), (field = ""));
    else if (c === "\n" || c === "\r") break;
    else field += c;
  }
  names.push(field.trim());
  return names;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(`downhill predict: cannot read the ${what} ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The features (and a regression's target, when the CSV has it) standardized with the
 * model's statistics, as at training: `(x − mean) / scale` in f64.
 */
function standardized(ds: Dataset, model: ModelFile): Dataset {
  const st = model.standardization;
  if (st === null) return ds;
  const { n, d } = ds;
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) X[i * d + j] = (ds.X[i * d + j]! - st.mean[j]!) / st.scale[j]!;
  }
  const t = st.target;
  const y = ds.y === null ? null : t === null ? Float64Array.from(ds.y) : Float64Array.from(ds.y, (v) => (v - t.mean) / t.scale);
  return { ...ds, dtype: "f64", X, y };
}

async function runPredict(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("predict", FLAGS, args);
  const f = new FlagReader("predict", values);
  if (positionals.length !== 2) f.fail(`expects a model file and a CSV file: downhill predict <model.json> <data.csv>; got ${positionals.length} argument${positionals.length === 1 ? "" : "s"}`);
  const [modelPath, csvPath] = positionals as [string, string];
  const out = f.string("out");
  const missing = f.number("missing", undefined);
  const backend = f.choice("backend", ["wasm", "ts"] as const, "wasm");
  const json = f.flag("json");

  const file = readModelFile(readText(modelPath, "model file"), modelPath);
  const text = readText(csvPath, "CSV file");
  const names = headerNames(text);
  const absent = file.features.filter((name) => !names.includes(name));
  if (absent.length > 0) {
    throw new CliError(
      `${csvPath}: no column${absent.length === 1 ? "" : "s"} ${absent.map((a) => JSON.stringify(a)).join(", ")}, which ${modelPath} was trained on ` +
        `(its features: ${file.features.join(", ")}); the CSV's columns are: ${names.join(", ")}`,
    );
  }
  const hasTarget = names.includes(file.target);
  let ds: Dataset;
  try {
    ds = parseCsv(text, { columns: file.features, ...(hasTarget ? { target: file.target } : {}), ...(missing === undefined ? {} : { missing }) });
  } catch (error) {
    throw csvError(error, csvPath);
  }
  const data = standardized(ds, file);
  const model = restoreModel(file, backend);
  try {
    const predictions = model.predict(data);
    // A standardized regression predicts (y − mean) / scale: back to the CSV's units.
    const t = file.standardization?.target ?? null;
    if (t !== null) for (let i = 0; i < predictions.length; i++) predictions[i] = predictions[i]! * t.scale + t.mean;
    const task = file.kind === "mlp" ? file.task : file.kind === "linear" ? "regression" : file.kind === "logistic" ? "binary" : "softmax";
    const probabilities = task === "regression" ? null : (model as { predictProba(d: Dataset): Float64Array }).predictProba(data);
    const k = probabilities === null ? 0 : probabilities.length / data.n;
    const metric = task === "regression" ? "r2" : "accuracy";
    const score = hasTarget ? (model as { score(d: Dataset): number }).score(data) : null;

    const header = ["prediction", ...(probabilities === null ? [] : task === "binary" ? ["probability"] : Array.from({ length: k }, (_, c) => `probability_${c}`))];
    const lines = [header.map(csvField).join(",")];
    for (let i = 0; i < data.n; i++) {
      const cells = [String(predictions[i])];
      for (let c = 0; c < k; c++) cells.push(String(probabilities![i * k + c]));
      lines.push(cells.join(","));
    }
    const csv = `${lines.join("\n")}\n`;
    const scoreText = score === null ? "" : `; ${formatScore(metric, score)} against the column ${JSON.stringify(file.target)}`;
    if (out !== undefined) writeFileWhole(out, csv, "--out");
    if (json) {
      const rows = probabilities === null ? {} : { probabilities: Array.from({ length: data.n }, (_, i) => (task === "binary" ? probabilities[i]! : Array.from(probabilities.subarray(i * k, i * k + k)))) };
      jsonLine(io, "result", { rows: data.n, out: out ?? null, target: hasTarget ? file.target : null, metric: hasTarget ? metric : null, score, ...(out === undefined ? { predictions: Array.from(predictions), ...rows } : {}) });
    } else if (out !== undefined) {
      io.out(`wrote ${data.n} predictions to ${out}${scoreText}\n`);
    } else {
      io.out(csv);
      if (score !== null) io.err(`${data.n} predictions${scoreText}\n`);
    }
    return EXIT.ok;
  } finally {
    model.dispose();
  }
}
