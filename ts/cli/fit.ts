/**
 * `downhill fit data.csv --target y …`: reads the CSV, standardizes the features, fits
 * the model with fit() and saves it as model.json (see model-file.ts), with progress on
 * stderr and a summary (or `--json` lines) on stdout. Ctrl-C stops at the next batch and
 * still saves the weights of the best epoch; the exit code is then 130.
 */
import { fit, type EpochRecord, type FitResult, type FloatArray } from "../index.ts";
import { plotLoss } from "../plot/index.ts";
import { EXIT, FlagReader, parse, type Command, type Io } from "./args.ts";
import { toModelFile, type ModelFile } from "./model-file.ts";
import { checkWritable, formatDuration, formatNumber, formatScore, jsonLine, prettyJson, table, writeFileWhole } from "./output.ts";
import { EpochProgress, progressMode } from "./progress.ts";
import {
  DATA_FLAGS,
  MODEL_FLAGS,
  OPTIMIZER_FLAG,
  OPTIMIZER_FLAGS,
  OUTPUT_FLAGS,
  checkTargets,
  fitOptions,
  loadCsv,
  lossName,
  makeModel,
  parseSchedule,
  readTrainingSettings,
  shapeOf,
  standardize,
  taskOf,
  trainingError,
  trainingRows,
  type ScheduleChoice,
  type TrainingSettings,
} from "./training.ts";
import { VERSION } from "./version.ts";

const FLAGS = {
  ...DATA_FLAGS,
  ...MODEL_FLAGS,
  ...OPTIMIZER_FLAG,
  lr: { type: "string", value: "rate", help: "Learning rate.", default: "0.01" },
  epochs: { type: "string", value: "n", help: "Most epochs (passes over the data).", default: "100" },
  ...OPTIMIZER_FLAGS,
  out: { type: "string", short: "o", value: "model.json", help: "Save the model here (see the README for the format).", default: "not saved" },
  plot: { type: "string", value: "loss.svg", help: "Draw the loss per epoch (training, and validation if any) as an SVG." },
  ...OUTPUT_FLAGS,
} as const;

/** `downhill fit`. */
export const fitCommand: Command = {
  name: "fit",
  summary: "fit a model to a CSV file and save it as JSON",
  usage: "fit <data.csv> --target <column> [options]",
  description:
    "Fits a linear, logistic, softmax or MLP model to the rows of a CSV file (a header line of\n" +
    "column names, then numbers) by mini-batch gradient descent, and saves it with --out.\n" +
    "Progress goes to stderr: a bar on a terminal, plain lines otherwise. Ctrl-C stops after\n" +
    "the current batch and still saves the weights of the best epoch (exit code 130).",
  flags: FLAGS,
  epilog:
    "Examples:\n" +
    "  downhill fit houses.csv --target price --epochs 200 --out model.json\n" +
    "  downhill fit iris.csv --target species --model softmax --optimizer sgd --lr 0.1 --momentum 0.9 --schedule step:30:0.5\n" +
    "  downhill fit data.csv --target y --model mlp --hidden 16,8 --activation tanh --early-stopping --plot loss.svg\n\n" +
    "Exit codes: 0 done, 1 the fit diverged (the best weights are saved) or a file could not be\n" +
    "written, 2 bad flags or input, 130 interrupted (the best weights are saved).",
  run: runFit,
};

const MODEL_NAMES = { linear: "linear regression", logistic: "logistic regression", softmax: "softmax regression", mlp: "MLP" } as const;

async function runFit(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("fit", FLAGS, args);
  const f = new FlagReader("fit", values);
  if (positionals.length !== 1) f.fail(positionals.length === 0 ? "give the CSV file to fit: downhill fit <data.csv> --target <column>" : `expects one CSV file; got ${positionals.length} arguments (${positionals.join(" ")})`);
  const path = positionals[0]!;
  const lr = f.number("lr", 0.01, { min: 0 });
  const s = readTrainingSettings(f, { lr, epochs: 100, tol: 1e-3 });
  const out = f.string("out");
  const plot = f.string("plot");
  if (out !== undefined) checkWritable(out, "--out", "fit");
  if (plot !== undefined) checkWritable(plot, "--plot", "fit");
  const json = f.flag("json");
  const mode = progressMode(io, { json, quiet: f.flag("quiet") });
  // The schedule's syntax and values now, before reading the data (onecycle's length needs the rows: built again below).
  if (s.scheduleSpec !== undefined) parseSchedule(f, s.scheduleSpec, s.epochs, 1);
  const signal = io.interrupt();

  const raw = await loadCsv(path, s);
  const classes = checkTargets(raw, s, path);
  const schedule = s.scheduleSpec === undefined ? null : parseSchedule(f, s.scheduleSpec, s.epochs, Math.ceil(trainingRows(raw.n, s) / s.batchSize));
  const { data, standardization } = standardize(raw, s.standardize, taskOf(s) === "regression");
  const model = makeModel(s, data.d, classes);
  try {
    const progress = new EpochProgress(io, mode, s.epochs);
    const started = performance.now();
    let result: FitResult;
    try {
      result = await fit(model, data, { ...fitOptions(s, schedule), signal, onEpoch: (record) => progress.update(record) });
    } catch (error) {
      throw trainingError(error, "fit");
    } finally {
      progress.finish();
    }
    const seconds = (performance.now() - started) / 1000;
    const interrupted = result.reason === "aborted";
    if (interrupted && result.epochs === 0) {
      if (json) jsonLine(io, "result", { interrupted: true, reason: result.reason, epochs: 0, out: null, message: "Interrupted before the first epoch: nothing to save." });
      else io.err("Interrupted before the first epoch: nothing to save.\n");
      return EXIT.interrupted;
    }
    // The weights to save: on Ctrl-C those of the best epoch; otherwise what fit() left
    // (the best ones when it restored them: early stopping, divergence).
    const fromBest = interrupted || result.restoredBest;
    const saved: readonly FloatArray[] = fromBest ? result.bestWeights : result.finalWeights;
    const params = model.parameters();
    params.forEach((p, i) => p.data.set(saved[i]!));
    const task = taskOf(s);
    const metric = task === "regression" ? "r2" : "accuracy";
    const score = (model as unknown as { score(d: typeof data): number }).score(data);
    const last = result.history.at(-1)!;
    const training = summary(path, raw.n, s, schedule, result, { fromBest, interrupted, seconds, metric, score, last });
    const file = toModelFile(shapeOf(model, s, classes), saved, { features: raw.featureNames, target: s.target, standardization, training });
    if (out !== undefined) writeFileWhole(out, `${prettyJson(file)}\n`, "--out");
    if (plot !== undefined) writeFileWhole(plot, lossPlot(result.history, s, path), "--plot");
    if (json) {
      jsonLine(io, "result", { ...training, out: out ?? null, plot: plot ?? null });
    } else {
      io.out(report(path, raw.n, s, result, file, { fromBest, interrupted, seconds, metric, score, last, out, plot }));
    }
    if (interrupted) return EXIT.interrupted;
    return result.reason === "diverged" ? EXIT.failure : EXIT.ok;
  } finally {
    model.dispose();
  }
}

interface Outcome {
  readonly fromBest: boolean;
  readonly interrupted: boolean;
  readonly seconds: number;
  readonly metric: "r2" | "accuracy";
  readonly score: number;
  readonly last: EpochRecord;
}

/** The `training` part of model.json (and of the `--json` result). */
function summary(path: string, rows: number, s: TrainingSettings, schedule: ScheduleChoice | null, r: FitResult, o: Outcome): Record<string, unknown> {
  return {
    createdBy: `downhill ${VERSION}`,
    data: path,
    rows,
    model: s.kind,
    ...(s.kind === "linear" ? { loss: s.loss } : {}),
    ...(s.kind === "mlp" ? { hidden: s.hidden, activation: s.activation, task: s.task } : {}),
    l2: s.l2,
    backend: s.backend,
    optimizer: s.optimizer,
    optimizerOptions: s.optimizerOptions,
    schedule: schedule?.spec ?? null,
    batchSize: s.batchSize,
    maxEpochs: s.epochs,
    seed: s.seed,
    tol: s.tol,
    patience: s.patience,
    earlyStopping: s.earlyStopping,
    validationFraction: s.validationFraction ?? (s.earlyStopping ? 0.1 : null),
    reason: o.interrupted ? "interrupted" : r.reason,
    message: r.message,
    epochs: r.epochs,
    iterations: r.iterations,
    bestEpoch: r.bestEpoch,
    bestLoss: r.bestLoss,
    weights: o.fromBest ? "best" : "final",
    trainLoss: o.last.trainLoss,
    validationLoss: o.last.validationLoss,
    metric: o.metric,
    score: o.score,
    seconds: Number(o.seconds.toFixed(3)),
  };
}

/** The loss curves of the fit as an SVG (training, and validation when there is a validation part). */
function lossPlot(history: readonly EpochRecord[], s: TrainingSettings, path: string): string {
  const x = history.map((h) => h.epoch);
  const series = [{ name: "training", values: history.map((h) => h.trainLoss), x }];
  if (history.some((h) => h.validationLoss !== null)) series.push({ name: "validation", values: history.map((h) => h.validationLoss ?? NaN), x });
  const title = `${MODEL_NAMES[s.kind]} on ${path}: ${s.optimizer}, lr ${s.optimizerOptions["lr"]}, batch ${s.batchSize}`;
  return plotLoss(series, { title, xLabel: "epoch", yLabel: lossName(s) });
}

/** The human summary on stdout. */
function report(
  path: string,
  rows: number,
  s: TrainingSettings,
  r: FitResult,
  file: ModelFile,
  o: Outcome & { out: string | undefined; plot: string | undefined },
): string {
  const lines: string[] = [];
  const features = file.features;
  const shown = features.length <= 6 ? features.join(", ") : `${features.slice(0, 5).join(", ")}, … (${features.length})`;
  const what = s.kind === "mlp" ? `MLP (${[features.length, ...s.hidden, "out"].join("-")}, ${s.activation}, ${s.task})` : MODEL_NAMES[s.kind];
  lines.push(`${what} on ${path}: ${rows} rows, ${features.length} feature${features.length === 1 ? "" : "s"} (${shown}) -> ${s.target}${s.standardize ? ", standardized" : ""}`);
  const lr = s.optimizerOptions["lr"];
  lines.push(`${s.optimizer} lr ${lr}, batch ${s.batchSize}: ${o.interrupted ? `interrupted (Ctrl-C) after ${r.epochs} epoch${r.epochs === 1 ? "" : "s"}` : r.message} [${formatDuration(o.seconds * 1000)}]`);
  const validation = o.last.validationLoss === null ? "" : `, validation ${formatNumber(o.last.validationLoss)}`;
  lines.push(`${lossName(s)}: training ${formatNumber(o.last.trainLoss)} (epoch ${o.last.epoch})${validation}; ${formatScore(o.metric, o.score)} on all ${rows} rows with the saved weights`);
  if (file.kind === "linear" || file.kind === "logistic") {
    // Coefficients in the CSV's units: with x' = (x − m)/s and a target y' = (y − m_y)/s_y,
    // y = s_y·(b + Σ w_j x'_j) + m_y gives w_j·s_y/s_j and s_y·(b − Σ w_j m_j/s_j) + m_y.
    const st = file.standardization;
    const sy = st?.target?.scale ?? 1;
    const my = st?.target?.mean ?? 0;
    let bias = file.bias;
    const coefficients = file.weights.map((w, j) => {
      if (st === null) return w;
      bias -= (w * st.mean[j]!) / st.scale[j]!;
      return (w * sy) / st.scale[j]!;
    });
    bias = sy * bias + my;
    lines.push("", `coefficients${st === null ? "" : " (in the CSV's units)"}:`);
    const body = features.map((name, j) => [name, formatNumber(coefficients[j]!)]);
    body.push(["(bias)", formatNumber(bias)]);
    lines.push(table(["feature", "weight"], body).trimEnd());
  }
  lines.push("");
  const which = o.fromBest ? `the weights of epoch ${r.bestEpoch} (best ${r.history.some((h) => h.validationLoss !== null) ? "validation" : "training"} loss ${formatNumber(r.bestLoss)})` : `the weights of epoch ${r.epochs}`;
  if (o.out !== undefined) lines.push(`wrote ${o.out}: ${which}`);
  else lines.push("not saved: add --out model.json to save the model");
  if (o.plot !== undefined) lines.push(`wrote ${o.plot}: the loss per epoch`);
  if (r.reason === "diverged") lines.push("", `The fit diverged: ${r.message}`);
  return `${lines.join("\n")}\n`;
}
