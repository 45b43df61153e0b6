/**
 * `downhill sweep data.csv --target y …`: a learning-rate sweep (lrSweep with fitTrial: a
 * short fit at each power of ten from --lr-min to --lr-max, flags the rates that
 * diverged and suggests one) or, with --random-search, a seeded random search with
 * narrowing ranges (randomSearch) over the learning rate, the momentum of sgd and rmsprop,
 * and the batch sizes given with --batch-sizes. One line per trial on stderr (or a JSON
 * line on stdout), then the table on stdout. Ctrl-C stops between trials (exit code 130)
 * and still prints what was measured.
 */
import {
  fit,
  fitTrial,
  lrSweep,
  randomSearch,
  type Dimension,
  type FitResult,
  type SearchResult,
  type SweepResult,
} from "../index.ts";
import { plotLrSweep } from "../plot/index.ts";
import { EXIT, FlagReader, parse, type Command, type Io } from "./args.ts";
import { checkWritable, formatNumber, jsonLine, table, writeFileWhole } from "./output.ts";
import {
  DATA_FLAGS,
  MODEL_FLAGS,
  OPTIMIZER_FLAG,
  OPTIMIZER_FLAGS,
  OUTPUT_FLAGS,
  checkTargets,
  fitOptions,
  loadCsv,
  makeModel,
  parseSchedule,
  readTrainingSettings,
  standardize,
  taskOf,
  trainingError,
  trainingRows,
  type ScheduleChoice,
} from "./training.ts";

const FLAGS = {
  ...DATA_FLAGS,
  ...MODEL_FLAGS,
  ...OPTIMIZER_FLAG,
  "lr-min": { type: "string", value: "rate", help: "Smallest learning rate.", default: "1e-6" },
  "lr-max": { type: "string", value: "rate", help: "Largest learning rate.", default: "1" },
  "per-decade": { type: "string", value: "n", help: "Sweep: rates per power of ten.", default: "1" },
  epochs: { type: "string", value: "n", help: "Epochs per trial.", default: "5" },
  ...OPTIMIZER_FLAGS,
  tol: { ...OPTIMIZER_FLAGS["tol"]!, default: "none: every trial runs --epochs epochs" },
  "random-search": { type: "boolean", help: "Random search over lr (log-uniform in [--lr-min, --lr-max]), momentum (sgd, rmsprop; unless --momentum) and --batch-sizes, narrowing the ranges after each round." },
  rounds: { type: "string", value: "n", help: "Random search: rounds.", default: "3" },
  trials: { type: "string", value: "n", help: "Random search: trials per round.", default: "10" },
  "batch-sizes": { type: "string", value: "16,32,…", help: "Random search: batch sizes to choose from.", default: "--batch-size" },
  plot: { type: "string", value: "sweep.svg", help: "Sweep: draw the loss against the learning rate as an SVG (diverged rates as crosses, the suggestion ringed)." },
  ...OUTPUT_FLAGS,
} as const;

/** `downhill sweep`. */
export const sweepCommand: Command = {
  name: "sweep",
  summary: "find a learning rate: a sweep over powers of ten, or a random search",
  usage: "sweep <data.csv> --target <column> [--lr-min 1e-6 --lr-max 1] [--random-search --rounds 3 --trials 10] [options]",
  description:
    "Trains briefly (--epochs, default 5) with each learning rate from --lr-min to --lr-max,\n" +
    "scores each run by its last loss (the validation loss with --early-stopping or\n" +
    "--validation-fraction), flags the rates that diverged (NaN, or 4× the loss of the\n" +
    "smallest rate) and suggests the one with the lowest loss. With --random-search it samples\n" +
    "configurations instead and narrows the ranges around the best after each round.\n" +
    "The model, optimizer and data flags are those of downhill fit.",
  flags: FLAGS,
  epilog:
    "Examples:\n" +
    "  downhill sweep data.csv --target y --optimizer sgd --lr-min 1e-5 --lr-max 1 --per-decade 2\n" +
    "  downhill sweep data.csv --target label --model logistic --optimizer sgd --random-search --rounds 3 --trials 8 --batch-sizes 8,32,128\n\n" +
    "Exit codes: 0 done, 1 every rate diverged, 2 bad flags or input, 130 interrupted.",
  run: runSweep,
};

async function runSweep(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("sweep", FLAGS, args, { lr: "the sweep varies the learning rate; set its range with --lr-min and --lr-max" });
  const f = new FlagReader("sweep", values);
  if (positionals.length !== 1) f.fail(positionals.length === 0 ? "give the CSV file: downhill sweep <data.csv> --target <column>" : `expects one CSV file; got ${positionals.length} arguments (${positionals.join(" ")})`);
  const path = positionals[0]!;
  const s = readTrainingSettings(f, { lr: null, epochs: 5, tol: null });
  const lrMin = f.number("lr-min", 1e-6, { min: 0, minExclusive: true });
  const lrMax = f.number("lr-max", 1, { min: 0, minExclusive: true });
  if (!(lrMax > lrMin)) f.fail(`--lr-max (${lrMax}) must be greater than --lr-min (${lrMin})`);
  const random = f.flag("random-search");
  for (const flag of ["rounds", "trials", "batch-sizes"]) if (!random && f.has(flag)) f.fail(`--${flag} applies to --random-search`);
  if (random && f.has("per-decade")) f.fail("--per-decade applies to the sweep, not to --random-search");
  if (random && f.has("plot")) f.fail("--plot draws the sweep, not a --random-search");
  const plot = f.string("plot");
  if (plot !== undefined) checkWritable(plot, "--plot", "sweep");
  const perDecade = f.number("per-decade", 1, { min: 1, whole: true });
  const rounds = f.number("rounds", 3, { min: 1, whole: true });
  const trials = f.number("trials", 10, { min: 1, whole: true });
  const batchSizes = f.numbers("batch-sizes", { min: 1, whole: true });
  const json = f.flag("json");
  const quiet = f.flag("quiet");
  // The schedule's syntax and values now, before reading the data (onecycle's length needs the rows: built again below).
  if (s.scheduleSpec !== undefined) parseSchedule(f, s.scheduleSpec, s.epochs, 1);
  const signal = io.interrupt();

  const raw = await loadCsv(path, s);
  const classes = checkTargets(raw, s, path);
  const rows = trainingRows(raw.n, s);
  const schedules = new Map<number, ScheduleChoice | null>();
  const scheduleFor = (batchSize: number): ScheduleChoice | null => {
    if (!schedules.has(batchSize)) schedules.set(batchSize, s.scheduleSpec === undefined ? null : parseSchedule(f, s.scheduleSpec, s.epochs, Math.ceil(rows / batchSize)));
    return schedules.get(batchSize)!;
  };
  for (const b of batchSizes ?? [s.batchSize]) scheduleFor(b);
  const { data } = standardize(raw, s.standardize, taskOf(s) === "regression");
  const say = (line: string) => {
    if (!json && !quiet) io.err(`${line}\n`);
  };

  try {
    if (!random) {
      const trial = fitTrial(() => makeModel(s, data.d, classes), data, fitOptions(s, scheduleFor(s.batchSize)));
      const result = await lrSweep(trial, {
        from: lrMin,
        to: lrMax,
        perDecade,
        signal,
        onTrial: (p) => {
          if (json) jsonLine(io, "trial", { trial: p.trial, of: p.of, lr: p.lr, loss: p.loss, diverged: p.diverged, cause: p.cause });
          else say(`trial ${p.trial}/${p.of}: lr ${formatNumber(p.lr)} -> loss ${formatNumber(p.loss)}${p.diverged ? ` (diverged: ${p.cause})` : ""}`);
        },
      });
      if (plot !== undefined && result.points.length > 0) {
        const title = `${s.optimizer} on ${path}: loss after ${s.epochs} epoch${s.epochs === 1 ? "" : "s"} at each learning rate`;
        writeFileWhole(plot, plotLrSweep([{ name: s.optimizer, points: result.points, suggestion: result.suggestion }], { title }), "--plot");
      }
      printSweep(io, result, json, plot);
      if (result.reason === "aborted") return EXIT.interrupted;
      return result.suggestion === null ? EXIT.failure : EXIT.ok;
    }
    const space: Record<string, Dimension> = { lr: { logUniform: [lrMin, lrMax] } };
    if ((s.optimizer === "sgd" || s.optimizer === "rmsprop") && s.optimizerOptions["momentum"] === undefined) space["momentum"] = { uniform: [0, 0.99] };
    if (batchSizes !== undefined) space["batchSize"] = { choice: batchSizes };
    const result = await randomSearch(
      async (config, context): Promise<FitResult> => {
        const c = config as Record<string, number>;
        const batchSize = c["batchSize"] ?? s.batchSize;
        const base = fitOptions({ ...s, batchSize }, scheduleFor(batchSize));
        const optimizerOptions = { ...base.optimizerOptions, lr: c["lr"]!, ...(c["momentum"] === undefined ? {} : { momentum: c["momentum"] }) };
        const model = makeModel(s, data.d, classes);
        try {
          return await fit(model, data, { ...base, optimizerOptions, signal: context.signal });
        } finally {
          model.dispose();
        }
      },
      space,
      {
        rounds,
        trialsPerRound: trials,
        seed: s.seed,
        signal,
        onTrial: (p) => {
          if (json) jsonLine(io, "trial", { round: p.round, trial: p.trial, of: p.of, config: p.config, score: p.score, diverged: p.diverged });
          else say(`trial ${p.trial}/${p.of} (round ${p.round}): ${describeConfig(p.config as Record<string, number>)} -> loss ${formatNumber(p.score)}${p.diverged ? " (diverged)" : ""}`);
        },
      },
    );
    printSearch(io, result, json);
    if (result.reason === "aborted") return EXIT.interrupted;
    return result.best === null ? EXIT.failure : EXIT.ok;
  } catch (error) {
    throw trainingError(error, "sweep");
  }
}

function describeConfig(config: Record<string, number>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k} ${k === "batchSize" ? v : formatNumber(v)}`)
    .join(", ");
}

function printSweep(io: Io, r: SweepResult, json: boolean, plot: string | undefined): void {
  if (json) {
    jsonLine(io, "result", { rates: r.rates, points: r.points, suggestion: r.suggestion, reference: r.reference, reason: r.reason, interrupted: r.reason === "aborted", message: r.message, plot: plot ?? null });
    return;
  }
  if (plot !== undefined) io.err(`wrote ${plot}: the loss at each learning rate\n`);
  const rows = r.points.map((p) => [formatNumber(p.lr), formatNumber(p.loss), p.diverged ? `diverged (${p.cause === "factor" ? "> 4× the smallest rate's loss" : p.cause === "notFinite" ? "not finite" : "reported by fit"})` : p === r.best ? "<- lowest" : ""]);
  io.out(table(["lr", "loss", ""], rows));
  if (r.reason === "aborted") io.out(`interrupted (Ctrl-C) after ${r.points.length} of ${r.rates.length} rates\n`);
  if (r.best === null) {
    io.out(`${r.message}\n`);
    return;
  }
  const diverged = r.points.filter((p) => p.diverged).map((p) => formatNumber(p.lr));
  io.out(`suggested: --lr ${r.best.lr} (the lowest loss, ${formatNumber(r.best.loss)}, of ${r.points.length} rates${diverged.length > 0 ? `; diverged: ${diverged.join(", ")}` : ""})\n`);
}

function printSearch(io: Io, r: SearchResult<Record<string, unknown>>, json: boolean): void {
  if (json) {
    jsonLine(io, "result", { trials: r.trials, best: r.best, bestConfig: r.bestConfig, bestScore: r.bestScore, ranges: r.ranges, reason: r.reason, interrupted: r.reason === "aborted", message: r.message });
    return;
  }
  const names = Object.keys(r.ranges);
  const rows = r.trials.map((t) => {
    const c = t.config as Record<string, number>;
    return [String(t.round), String(t.trial), ...names.map((n) => (n === "batchSize" ? String(c[n]) : formatNumber(c[n]))), formatNumber(t.score), t.diverged ? "diverged" : t === r.best ? "<- best" : ""];
  });
  io.out(table(["round", "trial", ...names, "loss", ""], rows));
  if (r.reason === "aborted") io.out(`interrupted (Ctrl-C) after ${r.trials.length} trials\n`);
  if (r.best === null) {
    io.out(`${r.message}\n`);
    return;
  }
  const short = (v: number) => String(Number(v.toPrecision(4)));
  const flags = Object.entries(r.best.config as Record<string, number>).map(([k, v]) => `--${k === "batchSize" ? "batch-size" : k} ${short(v)}`);
  io.out(`best: ${flags.join(" ")} (loss ${formatNumber(r.best.score)}, trial ${r.best.trial})\n`);
  const narrowed = Object.entries(r.ranges)
    .map(([k, d]) => {
      const [kind, values] = Object.entries(d)[0] as [string, number[]];
      return `${k} ${kind === "choice" ? `one of ${values.join(", ")}` : `${kind === "logUniform" ? "log-uniform" : kind} [${values.map(short).join(", ")}]`}`;
    })
    .join(", ");
  io.out(`narrowed ranges for a next search: ${narrowed}\n`);
}
