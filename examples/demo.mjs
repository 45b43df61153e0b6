// The demo (`npm run demo`): the tutorials' experiment with eight optimizers on both
// backends, a table of the results, and plots of it all.
//
// Data X = 12·randn(100, 2) (seeded), y = 2·x0 − 30·x1, no bias, w from (1, 1), 500
// iterations: batch GD, SGD (one sample per step) and mini-batch GD with the tutorials'
// learning rates, then Momentum, Nesterov, Adagrad, RMSProp and Adam. Each runs with
// fit() on the WebAssembly backend and on the TypeScript one (same bits, different
// speed). It writes SVG plots (downhill/plot) and an index.html that shows them.
//
//   node examples/demo.mjs [--out DIR]      (default ./downhill-demo)
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { LinearRegression, Random, fit, fitTrial, lrSweep, minimize, toDataset } from "downhill";
import { plotContour, plotFunction, plotLoss, plotLrSweep } from "downhill/plot";

const HELP = `Usage: node examples/demo.mjs [--out DIR]

Runs the tutorials' experiment (X = 12·randn(100, 2), y = 2·x0 − 30·x1, w from (1, 1),
500 iterations) with eight optimizers on the wasm and ts backends, prints a table, and
writes SVG plots and index.html.

  --out DIR, -o DIR   where to write the plots (default ./downhill-demo)
  --help, -h          this text`;

function parseArgs(argv) {
  let out = "downhill-demo";
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      console.log(HELP);
      process.exit(0);
    } else if (arg === "--out" || arg === "-o") {
      if (argv[i + 1] === undefined || argv[i + 1].startsWith("-")) fail(`${arg} needs a directory, e.g. ${arg} ./plots`);
      out = argv[++i];
    } else if (arg.startsWith("--out=")) {
      out = arg.slice("--out=".length);
      if (out === "") fail("--out= needs a directory, e.g. --out=./plots");
    } else fail(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { out: resolve(out) };
}

function fail(message) {
  console.error(`demo: ${message}\n\n${HELP}`);
  process.exit(2);
}

const { out } = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------------------
// The data and its loss: MSE(w) = (1/N)·Σ (x_i·w − y_i)².
const N = 100;
const SEED = 42;
const random = new Random(SEED);
const X = Array.from({ length: N }, () => [12 * random.normal(), 12 * random.normal()]);
const y = X.map(([x0, x1]) => 2 * x0 - 30 * x1);
const data = toDataset(X, y);
const TRUE_W = [2, -30];

/** The MSE over all rows, summed directly (what the tutorials track at every step). */
function mse(w0, w1) {
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const r = w0 * X[i][0] + w1 * X[i][1] - y[i];
    sum += r * r;
  }
  return sum / N;
}

// The same MSE as a quadratic form wᵀAw − 2bᵀw + c, for the contour grids (O(1) per point).
const A = [0, 0, 0];
const B = [0, 0];
let C = 0;
for (let i = 0; i < N; i++) {
  const [x0, x1] = X[i];
  A[0] += (x0 * x0) / N;
  A[1] += (x0 * x1) / N;
  A[2] += (x1 * x1) / N;
  B[0] += (x0 * y[i]) / N;
  B[1] += (x1 * y[i]) / N;
  C += (y[i] * y[i]) / N;
}
const mseSurface = (w0, w1) => Math.max(0, A[0] * w0 * w0 + 2 * A[1] * w0 * w1 + A[2] * w1 * w1 - 2 * (B[0] * w0 + B[1] * w1) + C);

// ---------------------------------------------------------------------------------------
// The runs. fit() averages the batch gradient (2/batch)·Σ x_i·r_i, so the tutorials'
// SGD, which scales one sample's gradient by 2/N, is lr 0.002 / N here.
const FULL = { batchSize: N, epochs: 500, shuffle: false };
const RUNS = [
  { name: "Batch GD", optimizer: "sgd", options: { lr: 2e-5 }, ...FULL, settings: "lr 2e-5, all rows" },
  { name: "SGD", optimizer: "sgd", options: { lr: 0.002 / N }, batchSize: 1, epochs: 5, shuffle: true, seed: SEED, settings: "lr 0.002·(1/N), 1 row" },
  { name: "Mini-batch GD", optimizer: "sgd", options: { lr: 1e-5 }, batchSize: 30, epochs: 500, shuffle: false, settings: "lr 1e-5, 30 rows, 500 passes" },
  { name: "Momentum", optimizer: "sgd", options: { lr: 2e-5, momentum: 0.9 }, ...FULL, settings: "lr 2e-5, momentum 0.9" },
  { name: "Nesterov", optimizer: "sgd", options: { lr: 2e-5, momentum: 0.9, nesterov: true }, ...FULL, settings: "lr 2e-5, momentum 0.9" },
  { name: "Adagrad", optimizer: "adagrad", options: { lr: 2 }, ...FULL, settings: "lr 2" },
  { name: "RMSProp", optimizer: "rmsprop", options: { lr: 0.1 }, ...FULL, settings: "lr 0.1, alpha 0.99" },
  { name: "Adam", optimizer: "adam", options: { lr: 0.3 }, ...FULL, settings: "lr 0.3, betas (0.9, 0.999)" },
];
// Timing: the fastest of several whole fits, which is what the code can do when nothing
// else competes for the CPU (medians move with the machine's load; minima much less).
const TIMED_REPEATS = 9;

/** One fit of `run` on `backend`; with `record`, the weights before the first step and after every step. */
async function fitOnce(run, backend, record) {
  const model = new LinearRegression({ bias: false, init: [1, 1], backend });
  const path = record ? [[1, 1]] : null;
  const options = { optimizer: run.optimizer, optimizerOptions: run.options, batchSize: run.batchSize, epochs: run.epochs, shuffle: run.shuffle, tol: null };
  if (run.seed !== undefined) options.seed = run.seed;
  if (record) {
    options.onIteration = () => {
      const w = model.parameters()[0].data;
      path.push([w[0], w[1]]);
    };
  }
  const started = performance.now();
  const result = await fit(model, data, options);
  const ms = performance.now() - started;
  const final = Array.from(result.finalWeights[0]);
  model.dispose();
  return { ms, final, path, iterations: result.iterations };
}

console.log(`downhill demo: the tutorials' experiment (seed ${SEED}): X = 12·randn(${N}, 2), y = 2·x0 − 30·x1, w from (1, 1)\n`);
// Warm-up, so that the first optimizer's times do not include compiling the code paths.
for (let k = 0; k < 3; k++) for (const backend of ["wasm", "ts"]) await fitOnce(RUNS[0], backend, false);
const results = [];
for (const run of RUNS) {
  const recorded = { wasm: await fitOnce(run, "wasm", true), ts: await fitOnce(run, "ts", true) };
  const time = {};
  for (const backend of ["wasm", "ts"]) {
    const times = [];
    for (let k = 0; k < TIMED_REPEATS; k++) times.push((await fitOnce(run, backend, false)).ms);
    time[backend] = Math.min(...times);
  }
  const path = recorded.wasm.path;
  const losses = path.map(([w0, w1]) => mse(w0, w1));
  let best = 0;
  for (let k = 1; k < losses.length; k++) if (losses[k] < losses[best]) best = k;
  const sameBits = recorded.wasm.path.every((w, k) => Object.is(w[0], recorded.ts.path[k][0]) && Object.is(w[1], recorded.ts.path[k][1]));
  results.push({
    name: run.name,
    settings: run.settings,
    optimizer: run.optimizer,
    options: run.options,
    batchSize: run.batchSize,
    epochs: run.epochs,
    iterations: recorded.wasm.iterations,
    finalWeights: recorded.wasm.final,
    bestMse: losses[best],
    bestIteration: best,
    bestWeights: path[best],
    msWasm: time.wasm,
    msTs: time.ts,
    sameBits,
    path,
    losses,
  });
}

// ---------------------------------------------------------------------------------------
// The table.
const fixed = (v, digits) => v.toFixed(digits).replace(/^-(0\.0*)$/, "$1");
const columns = [
  ["optimizer", (r) => r.name, "left"],
  ["settings", (r) => r.settings, "left"],
  ["steps", (r) => String(r.iterations)],
  ["final w0", (r) => fixed(r.finalWeights[0], 4)],
  ["final w1", (r) => fixed(r.finalWeights[1], 4)],
  ["best MSE", (r) => r.bestMse.toExponential(3)],
  ["at step", (r) => String(r.bestIteration)],
  ["wasm ms", (r) => r.msWasm.toFixed(1)],
  ["ts ms", (r) => r.msTs.toFixed(1)],
  ["ts/wasm", (r) => `${(r.msTs / r.msWasm).toFixed(2)}×`],
  ["same bits", (r) => (r.sameBits ? "yes" : "NO")],
];
const cells = results.map((r) => columns.map(([, cell]) => cell(r)));
const widths = columns.map(([title], c) => Math.max(title.length, ...cells.map((row) => row[c].length)));
const line = (row) => row.map((cell, c) => (columns[c][2] === "left" ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
console.log(line(columns.map(([title]) => title)));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of cells) console.log(line(row));
console.log(
  `\nTrue weights (${TRUE_W.join(", ")}). "best MSE" is the lowest full-data MSE over the steps (step 0: the start), ` +
    `"same bits": the wasm and ts runs took identical steps. Times: the fastest of ${TIMED_REPEATS} whole fits (all steps), no recording.`,
);

// ---------------------------------------------------------------------------------------
// Plots.
mkdirSync(out, { recursive: true });
const written = [];
const write = (name, content) => {
  writeFileSync(join(out, name), content);
  written.push(name);
};
const slug = (name) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-");

write(
  "loss.svg",
  plotLoss(
    // Steps 1, 2, … on a log axis: the first steps and mini-batch GD's 2000 both show.
    results.map((r) => ({ name: r.name, values: r.losses.slice(1), x: r.losses.slice(1).map((_, k) => k + 1) })),
    { title: "MSE after each step (log-log)", xLabel: "step (optimizer update)", yLabel: "MSE over all 100 rows", xScale: "log", width: 820, height: 500 },
  ),
);

const minimumMark = { x: TRUE_W[0], y: TRUE_W[1], label: "minimum (2, −30)" };
const contourLabels = { xLabel: "w0", yLabel: "w1", valueLabel: "MSE" };
write(
  "paths.svg",
  plotContour(
    mseSurface,
    results.map((r) => ({ name: r.name, points: r.path })),
    { title: "Every optimizer's path over the MSE", ...contourLabels, xDomain: [0, 4.5], yDomain: [-34, 4], marks: [minimumMark], width: 820, height: 560 },
  ),
);
const contourFiles = [];
results.forEach((r, i) => {
  const name = `path-${slug(r.name)}.svg`;
  contourFiles.push({ name, title: r.name });
  write(
    name,
    plotContour(mseSurface, [{ name: r.name, points: r.path }], {
      title: `${r.name} (${r.settings}): ${r.iterations} steps from (1, 1)`,
      ...contourLabels,
      marks: [minimumMark],
      width: 760,
      height: 500,
    }),
  );
  void i;
});

// Learning-rate sweep: 50 full-batch steps at each power of ten.
const sweepConfigs = [
  { name: "gradient descent", optimizer: "sgd", optimizerOptions: {} },
  { name: "momentum 0.9", optimizer: "sgd", optimizerOptions: { momentum: 0.9 } },
  { name: "Adam", optimizer: "adam", optimizerOptions: {} },
];
const sweeps = [];
for (const s of sweepConfigs) {
  const trial = fitTrial(() => new LinearRegression({ bias: false, init: [1, 1] }), data, {
    optimizer: s.optimizer,
    optimizerOptions: s.optimizerOptions,
    batchSize: N,
    epochs: 50,
    shuffle: false,
  });
  const sweep = await lrSweep(trial, { from: 1e-7, to: 1 });
  sweeps.push({ name: s.name, points: sweep.points, suggestion: sweep.suggestion, message: sweep.message });
}
const sweepSeries = sweeps.map(({ name, points, suggestion }) => ({ name, points, suggestion }));
write("lr-sweep.svg", plotLrSweep(sweepSeries, { title: "Learning-rate sweep: MSE after 50 full-batch steps", width: 820, height: 500 }));

// A plateau and a local minimum: f(x) = q(u(x)) with q(u) = u⁴ − 2u² − u/2 (a local
// minimum near −0.94, a barrier, the global minimum near 1.06) and u(x) = p + softplus(k(x − p))/k,
// which is x right of p and flattens f to a plateau left of it.
const P = -1.7;
const K = 4;
const sigmoid = (z) => 1 / (1 + Math.exp(-z));
const softplus = (z) => (z > 30 ? z : Math.log1p(Math.exp(z)));
const u = (x) => P + softplus(K * (x - P)) / K;
const uInverse = (v) => P + Math.log(Math.expm1(K * (v - P))) / K;
const q = (v) => v ** 4 - 2 * v * v - 0.5 * v;
const dq = (v) => 4 * v ** 3 - 4 * v - 0.5;
const plateauF = (x) => q(u(x));
const objective = (x) => ({ value: q(u(x[0])), grad: [dq(u(x[0])) * sigmoid(K * (x[0] - P))] });
const root = (lo, hi) => {
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (dq(lo) * dq(mid) <= 0) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
};
// The critical points of q, mapped back through u: where f has its minima and its barrier.
const localMin = uInverse(root(-1.5, -0.5));
const barrier = uInverse(root(-0.5, 0.5));
const globalMin = uInverse(root(0.5, 1.5));
const X0 = -3;
const plateauRuns = [
  { name: "gradient descent (lr 0.01)", optimizerOptions: { lr: 0.01 } },
  { name: "momentum 0.9 (lr 0.01)", optimizerOptions: { lr: 0.01, momentum: 0.9 } },
];
const plateauResults = [];
for (const r of plateauRuns) {
  const xs = [X0];
  const result = await minimize(objective, [X0], {
    optimizer: "sgd",
    optimizerOptions: r.optimizerOptions,
    gradientTol: 1e-6,
    maxIter: 2000,
    onIteration: (_, x) => {
      xs.push(x[0]);
    },
  });
  plateauResults.push({ name: r.name, xs, x: result.x[0], value: result.value, reason: result.reason, iterations: result.iterations });
}
write(
  "plateau.svg",
  plotFunction(
    plateauF,
    plateauResults.map((r) => ({ name: r.name, xs: r.xs })),
    {
      title: "A plateau and a local minimum: minimize() from x = −3",
      xDomain: [-3.4, 1.8],
      marks: [
        { x: localMin, label: "local min" },
        { x: barrier, label: "barrier" },
        { x: globalMin, label: "global min" },
      ],
      width: 820,
      height: 620,
    },
  ),
);

// index.html: the table and every plot.
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const tableHtml =
  "<table><thead><tr>" +
  columns.map(([title]) => `<th>${escape(title)}</th>`).join("") +
  "</tr></thead><tbody>" +
  cells.map((row) => "<tr>" + row.map((cell, c) => `<td class="${columns[c][2] === "left" ? "l" : "r"}">${escape(cell)}</td>`).join("") + "</tr>").join("") +
  "</tbody></table>";
const figure = (file, caption) => `<figure><img src="${file}" alt="${escape(caption)}"><figcaption>${escape(caption)}</figcaption></figure>`;
const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>downhill demo: the tutorials' experiment</title>
<style>
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
  table { border-collapse: collapse; font-size: 0.9rem; margin: 1rem 0; }
  th, td { padding: 0.25rem 0.6rem; border-bottom: 1px solid #ddd; }
  th { text-align: left; } td.r { text-align: right; font-variant-numeric: tabular-nums; }
  figure { margin: 1.5rem 0; } img { max-width: 100%; border: 1px solid #eee; }
  figcaption { color: #555; font-size: 0.9rem; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 0.5rem 1rem; }
</style>
</head>
<body>
<h1>downhill demo</h1>
<p>The tutorials' experiment: X = 12·randn(${N}, 2) (seed ${SEED}), y = 2·x0 − 30·x1, no bias, w from (1, 1).
Each optimizer ran with <code>fit()</code> on the WebAssembly backend and on the TypeScript backend.</p>
${tableHtml}
<p>True weights (2, −30). Best MSE: the lowest full-data MSE over the steps. Times: the fastest of ${TIMED_REPEATS} whole fits.</p>
${figure("loss.svg", "MSE after each step, log-log: momentum methods and Adam reach the exact fit; plain gradient descent is still on its way after 500 steps.")}
${figure("paths.svg", "All paths over the MSE contours in the (w0, w1) plane (w0 stretched: the contours are nearly circles at equal scale).")}
<h2>Each optimizer's path</h2>
<div class="grid">
${contourFiles.map((c) => figure(c.name, c.title)).join("\n")}
</div>
${figure("lr-sweep.svg", "Learning-rate sweep over powers of ten (lrSweep): too small crawls, too large diverges (crosses in the red band); rings mark the suggested rates.")}
${figure("plateau.svg", "A plateau and a local minimum: gradient descent crawls over the plateau and stops in the local minimum; momentum crosses the plateau quickly and carries over the barrier into the global minimum. Bottom: x against the iteration.")}
</body>
</html>
`;
write("index.html", html);

// Machine-readable results, for tests and further plots.
write(
  "results.json",
  JSON.stringify(
    {
      seed: SEED,
      n: N,
      runs: results.map(({ path, losses, ...r }) => ({ ...r, path })),
      sweeps: sweeps.map((s) => ({ name: s.name, suggestion: s.suggestion, points: s.points })),
      plateau: { x0: X0, localMin, barrier, globalMin, runs: plateauResults.map(({ xs, ...r }) => r) },
    },
    null,
    1,
  ) + "\n",
);

console.log("\nLearning-rate sweep (50 full-batch steps per rate, lrSweep):");
for (const s of sweeps) console.log(`  ${s.name.padEnd(17)} ${s.message}`);
console.log(`\nPlateau and local minimum, from x = ${X0} (local minimum ${localMin.toFixed(3)}, global minimum ${globalMin.toFixed(3)}):`);
for (const r of plateauResults) console.log(`  ${r.name.padEnd(27)} ended at x = ${r.x.toFixed(3)} (f = ${r.value.toFixed(3)}) after ${r.iterations} iterations: ${r.reason}`);

const shown = relative(process.cwd(), out) || ".";
console.log(`\nWrote ${written.length} files to ${out}:`);
console.log(`  ${written.join(", ")}`);
console.log(`Open ${join(shown.startsWith("..") ? out : shown, "index.html")} in a browser to see them all.`);
