/**
 * `npm run bench`: issue 9's suite. Every contender (downhill wasm and ts, the wasm
 * kernels without the public layer, the native crate, TensorFlow.js cpu and wasm, a plain
 * JS loop) on W1–W4 and the other optimizers; each result checked once against an f64
 * reference; times as medians over rotated rounds with ratios to native and to the ts
 * fallback; the issue's target table with ✔/✘. Writes bench/RESULTS.md and
 * bench/results.json after a full run.
 *
 * `--quick` is the CI smoke run: every contender on small sizes, one short round, nothing
 * written, nothing asserted about time — but a failed numeric check or a leaked TF.js
 * tensor still fails it. `--only Adam,SGD,W2` runs a subset (optimizer classes and the
 * training workloads W2, W3, W4) and writes nothing.
 */
import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { CONTENDERS, checksTable, measure, ratioTable, timesTable, type Case, type CheckResult, type Measurement } from "./harness.ts";
import { startNative } from "./native.ts";
import { OPTIMIZER_CLASSES, optimizerCases } from "./optimizers.bench.ts";
import { tfjsDescription } from "./peers/tfjs.ts";
import { evaluateTargets, targetTables } from "./targets.ts";
import { TRAINING_WORKLOADS, trainCaseName, trainCases } from "./train.bench.ts";
import { WORKER_WORKLOADS, workerCases } from "./workers.bench.ts";
import { CHECK_STEPS, gradientWeights, regressionData, seedData, stepData } from "./workloads.ts";

const quick = process.argv.includes("--quick");
const onlyArg = process.argv.indexOf("--only");
const only = onlyArg >= 0 ? (process.argv[onlyArg + 1] ?? "").split(",").filter(Boolean) : undefined;
const known = [...OPTIMIZER_CLASSES, ...TRAINING_WORKLOADS, ...WORKER_WORKLOADS] as string[];
const unknown = only?.filter((t) => !known.includes(t)) ?? [];
if (only && (only.length === 0 || unknown.length > 0)) {
  console.error(`--only takes a comma-separated list of ${known.join(", ")}; got ${unknown.length ? unknown.join(", ") : "nothing"}.`);
  process.exit(2);
}
const onlyOptimizers = only?.filter((t) => OPTIMIZER_CLASSES.includes(t));
const onlyWorkloads = only?.filter((t) => (TRAINING_WORKLOADS as readonly string[]).includes(t));

const sizes = quick ? [1_000] : [1_000, 10_000, 1_000_000];
const rows = quick ? 2_000 : 100_000;
const options = quick ? { rounds: 1, timeMs: 10, iterations: 1, prewarmMs: 0 } : { rounds: 5, timeMs: 200, iterations: 5, prewarmMs: 500 };

/** The cases crate/examples/native_bench.rs measures (it names them as the JS cases are named). */
const NATIVE_CASE = /^(W1 (Adam|SGD momentum|bandwidth probe|division probe) f(32|64) N=\w+|W2 MSE gradient f(32|64) \d+×\d+|W3 seed (fit|probe) f(32|64)|W4 Adam epoch f(32|64) \d+×\d+)$/;

/** bench/RESULTS.md: how it was measured, then the targets, the checks and the tables. */
function resultsMarkdown(run: { date: Date; commit: string; machine: string; tfjs: string; body: string[] }): string {
  return `# Benchmark results

Measured by \`npm run bench\` (bench/run.ts, tinybench) on ${run.date.toISOString().slice(0, 10)} at commit ${run.commit}.
Machine: ${run.machine}. Peers: ${run.tfjs}; the native crate built by the host cargo with \`-C target-cpu=native\`.

The workloads are issue 9's: **W1** one optimizer step (Adam lr 1e-3, SGD momentum 0.9) on
N parameters with a fixed randn gradient, each call one more step on the same buffers;
**W2** the linear-regression MSE gradient on X ${rows} × 16; **W3** the seed fit (500 steps
of batch gradient descent on 100 × 2, lr 2e-5); **W4** one epoch of Adam, batch 32, seeded
shuffle, on W2's data. The other optimizers are stepped like W1.

Contenders: **native**, the same crate compiled for this CPU (crate/examples/native_bench.rs,
on the same inputs); **wasm** and **ts**, downhill's public API (\`optimizer.step()\`,
\`model.bind(data).lossAndGradient()\`, \`fit(model, model.bind(data), …)\` with the data bound once) on the
WebAssembly and TypeScript backends; **wasm kernels**, the same work written directly
against the wasm backend's kernels (data, buffers and step plans set up once, where fit()
builds its optimizer and buffers on every call; no validation, no history) — the bare kernel for W1, the same loop for W3/W4; **plain JS**, a hand-written loop over typed arrays (W1);
**tfjs-wasm** and **tfjs-cpu**, TensorFlow.js used idiomatically (\`tf.variable\`,
\`tf.train.adam\`/\`momentum\`/\`sgd\`, \`applyGradients\`/\`minimize\`, \`tidy\`), float32
only, checked for leaked tensors. The bandwidth probe reads 4 arrays and writes 3 (Adam's
memory traffic without its arithmetic) and the division probe computes \`m / (√v / c + eps)\`
(its arithmetic chain, reading 2 arrays and writing 1), natively and in hand-written
WebAssembly SIMD (bench/probe.ts); the seed probe is W3's arithmetic alone (each row's
residual and its terms of the gradient, summed row after row, then the step; no row
numbers, loss, norm or best weights), hand-written in WebAssembly and plain natively; the rounding probe is the plain JS Adam loop with every
f32 operation rounded (Math.fround), as the bit-exact ts fallback must round them.

Each time is the median over ${options.rounds} rounds of the median time per call
(${options.timeMs} ms and at least ${options.iterations} calls per contender and round, each
call timed on its own, after ${options.prewarmMs} ms of untimed calls per contender and case; the contenders' order rotated between rounds, native's
rounds among them: its process runs beside the JS one and times a round when asked), with the fastest round in parentheses. A ratio of two contenders of a case is the
median over rounds of each round's ratio (3.0× = three times as long): their rounds ran
minutes apart at most, so a slow phase of the machine that outlasts them cancels out; the
step over the bandwidth probe, two cases, is the ratio of their medians. GB/s counts the bytes a step must read and
write (5 arrays' worth for SGD with momentum, 7 for Adam, 9 for AdamW with amsgrad and
centered RMSprop with momentum; X and y once for W2). Every contender's result was checked
once against a float64 reference (parameters after ${CHECK_STEPS} steps, the gradient, the
fitted weights). This machine has noisy neighbours: compare ratios, not absolute times.

${run.body.join("\n\n")}
`;
}

async function main(): Promise<number> {
  const started = new Date();
  const inputs = { step: stepData(Math.max(...sizes)), regression: regressionData(rows), gradientWeights: gradientWeights(), seed: seedData() };
  const cases: Case[] = [
    ...(onlyOptimizers?.length === 0 ? [] : optimizerCases(sizes, inputs.step, onlyOptimizers)),
    ...(onlyWorkloads?.length === 0 ? [] : trainCases(inputs.regression, inputs.seed, onlyWorkloads)),
    ...(only && !only.includes("W2workers") ? [] : workerCases(inputs.regression)),
  ];
  const tfjs = await tfjsDescription();
  console.log(
    `downhill benchmarks${quick ? " (quick smoke run: times are not meaningful)" : ""}: ${cases.length} cases, ` +
      `${options.rounds} round${options.rounds === 1 ? "" : "s"} of ${options.timeMs} ms (at least ${options.iterations} calls) per contender; ${tfjs}`,
  );

  // Native joins each case it measures as one more contender, its rounds rotated with theirs.
  const native = await startNative(inputs, { sizes, checkSteps: CHECK_STEPS, ...(only ? { only } : {}) }, (line) => console.log(line));
  const missing = native ? cases.filter((c) => NATIVE_CASE.test(c.name) && !native.cases.has(c.name)).map((c) => c.name) : [];
  if (native && missing.length > 0) {
    native.close();
    throw new Error(`native_bench does not measure ${missing.join(", ")}`);
  }
  const measured = native ? cases.map((c) => (native.cases.has(c.name) ? { ...c, contenders: [native.contender(c.name), ...c.contenders] } : c)) : cases;
  let results: Measurement[];
  let checks: CheckResult[];
  try {
    ({ measurements: results, checks } = await measure(measured, options, (line) => console.log(line)));
  } finally {
    native?.close();
  }
  const byName = new Map(cases.map((c) => [c.name, c]));
  const allChecks = checks.sort((a, b) => cases.indexOf(byName.get(a.case)!) - cases.indexOf(byName.get(b.case)!) || CONTENDERS.indexOf(a.contender) - CONTENDERS.indexOf(b.contender));
  const targets = evaluateTargets(results, {
    gradient: (dtype) => trainCaseName("gradient", dtype, rows),
    seed: (dtype) => trainCaseName("seed", dtype, rows),
    epoch: (dtype) => trainCaseName("epoch", dtype, rows),
  });

  const suites = [...new Set(cases.map((c) => c.suite))];
  const sections = suites.map((suite) => {
    const of = results.filter((r) => r.suite === suite);
    const parts = [`### ${suite}`, "Median time per call (fastest round in parentheses):", timesTable(of)];
    for (const base of ["native", "ts", "1 worker"] as const) {
      const table = ratioTable(of, base);
      if (table) parts.push(`Ratio of times to ${base}, round by round (${base === "native" ? "the ceiling" : base === "ts" ? "the TypeScript fallback" : "the same work on one worker thread"}; below 1× is faster):`, table);
    }
    return parts.join("\n\n");
  });
  const checksSection = `### Numeric checks\n\n${checksTable(allChecks)}`;
  const targetSection = `### Targets (issue 9)\n\n${targetTables(targets)}`;
  console.log(`\n${sections.join("\n\n")}\n\n${checksSection}\n\n${targetSection}\n`);

  const failed = allChecks.filter((c) => !c.ok);
  if (!quick && !only) {
    const cpu = os.cpus()[0]?.model ?? "unknown CPU";
    const machine = `${cpu}${vectorUnits()}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}; Node ${process.version}`;
    const commit = (() => {
      try {
        return execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
      } catch {
        return "unknown";
      }
    })();
    writeFileSync(
      new URL("results.json", import.meta.url),
      `${JSON.stringify({ date: started.toISOString(), commit, machine, tfjs, options, sizes, rows, results, checks: allChecks, targets }, null, 2)}\n`,
    );
    writeFileSync(new URL("RESULTS.md", import.meta.url), resultsMarkdown({ date: started, commit, machine, tfjs, body: [targetSection, checksSection, ...sections] }));
    console.log("wrote bench/RESULTS.md and bench/results.json");
  }
  if (failed.length > 0) {
    console.error(`${failed.length} numeric check${failed.length === 1 ? "" : "s"} failed: ${failed.map((c) => `${c.case} / ${c.contender} (${c.error.toExponential(1)} > ${c.tolerance})`).join("; ")}`);
    return 1;
  }
  return 0;
}

// Errors are reported here rather than left uncaught: TF.js's wasm backend installs an
// uncaughtException handler that rethrows and makes Node print its minified source.
try {
  process.exitCode = await main();
} catch (error) {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
}

/**
 * The widest vector instructions the native build may use, from /proc/cpuinfo (Linux):
 * " (CPU family F, AVX-512)". The native ceiling depends on it, WebAssembly's 128-bit
 * SIMD does not. Empty where it cannot be read.
 */
function vectorUnits(): string {
  try {
    const info = readFileSync("/proc/cpuinfo", "utf8");
    const flags = new Set(/^flags\s*:(.*)$/m.exec(info)?.[1]?.trim().split(/\s+/) ?? []);
    const family = /^cpu family\s*:\s*(\d+)/m.exec(info)?.[1];
    const widest = flags.has("avx512f") ? "AVX-512" : flags.has("avx2") ? "AVX2" : flags.has("sse2") ? "SSE2" : null;
    const parts = [family === undefined ? null : `CPU family ${family}`, widest].filter((p) => p !== null);
    return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
  } catch {
    return "";
  }
}
