/**
 * `downhill fit`, `predict` and `sweep` end to end: the built CLI is run on CSV files made
 * here, and its model files and predictions are checked against arithmetic done here
 * (least squares by Gaussian elimination, statistics, the sigmoid, the schedule's formula).
 * Needs `npm run build` first (npm test does it).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomNormals } from "../helpers/random.ts";
import { CLI, cliBuilt, downhill, leastSquares, meanStd, readNumbers, start, workspace, writeCsv } from "./run.ts";

const ws = workspace();
afterAll(() => ws.dispose());
beforeAll(() => {
  expect(cliBuilt(), `${CLI} is missing: run \`npm run build\` first`).toBe(true);
});

const column = (X: readonly (readonly number[])[], j: number) => X.map((r) => r[j]!);
const close = (actual: number, expected: number, rel: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * (1 + Math.abs(expected)));
const json = (path: string) => JSON.parse(readFileSync(ws.path(path), "utf8"));
const lines = (stdout: string) => stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("fit and predict a linear regression", () => {
  // Columns of very different scales; y = 3 + 2a − 0.5b + 4c + small noise.
  const n = 300;
  const z = randomNormals(11, 4 * n);
  const X = Array.from({ length: n }, (_, i) => [10 * z[4 * i]!, 50 + 100 * z[4 * i + 1]!, z[4 * i + 2]!]);
  const y = X.map(([a, b, c], i) => 3 + 2 * a! - 0.5 * b! + 4 * c! + 0.1 * z[4 * i + 3]!);
  writeCsv(ws.path("lin.csv"), ["a", "b", "c", "y"], X.map((r, i) => [...r, y[i]!]));
  const ls = leastSquares(X, y);

  /** The model's coefficients in the CSV's units, undoing the saved standardization. */
  function coefficients(model: { weights: number[]; bias: number; standardization: { mean: number[]; scale: number[]; target: { mean: number; scale: number } } }): number[] {
    const st = model.standardization;
    const w = model.weights.map((wj, j) => (wj * st.target.scale) / st.scale[j]!);
    const b = st.target.scale * (model.bias - model.weights.reduce((s, wj, j) => s + (wj * st.mean[j]!) / st.scale[j]!, 0)) + st.target.mean;
    return [...w, b];
  }

  it("batch gradient descent reaches the least-squares weights computed here", () => {
    const r = downhill(["fit", "lin.csv", "--target", "y", "--optimizer", "sgd", "--lr", "0.1", "--batch-size", "300", "--epochs", "400", "--tol", "none", "--out", "model.json", "--quiet"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("wrote model.json");
    const model = json("model.json");
    expect(model).toMatchObject({ format: "downhill-model", version: 1, kind: "linear", features: ["a", "b", "c"], target: "y" });
    // The saved statistics are each column's population mean and standard deviation.
    for (let j = 0; j < 3; j++) {
      const { mean, std } = meanStd(column(X, j));
      close(model.standardization.mean[j], mean, 1e-12);
      close(model.standardization.scale[j], std, 1e-12);
    }
    const target = meanStd(y);
    close(model.standardization.target.mean, target.mean, 1e-12);
    close(model.standardization.target.scale, target.std, 1e-12);
    const fitted = coefficients(model);
    for (let j = 0; j < 4; j++) close(fitted[j]!, ls[j]!, 1e-9);
    // The noise is small: least squares is near the weights the data was made with.
    [2, -0.5, 4, 3].forEach((truth, j) => expect(Math.abs(fitted[j]! - truth)).toBeLessThan(0.05));
    expect(model.training).toMatchObject({ optimizer: "sgd", optimizerOptions: { lr: 0.1 }, batchSize: 300, epochs: 400, reason: "maxIter", weights: "final" });
  });

  it("predict writes x·w + b of the saved model for every row, and its R²", () => {
    const model = json("model.json");
    const [w0, w1, w2, b] = coefficients(model) as [number, number, number, number];
    const expected = X.map(([a, bb, c]) => w0 * a! + w1 * bb! + w2 * c! + b);
    const r = downhill(["predict", "model.json", "lin.csv", "--out", "predictions.csv"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const { header, rows } = readNumbers(readFileSync(ws.path("predictions.csv"), "utf8"));
    expect(header).toEqual(["prediction"]);
    expect(rows).toHaveLength(n);
    rows.forEach(([p], i) => close(p!, expected[i]!, 1e-9));
    // The least-squares fit's own predictions.
    rows.forEach(([p], i) => close(p!, ls[0]! * X[i]![0]! + ls[1]! * X[i]![1]! + ls[2]! * X[i]![2]! + ls[3]!, 1e-8));
    const out = lines(downhill(["predict", "model.json", "lin.csv", "--json"], ws.dir).stdout);
    expect(out).toHaveLength(1);
    const result = out[0]! as { type: string; rows: number; metric: string; score: number; predictions: number[] };
    expect(result).toMatchObject({ type: "result", rows: n, metric: "r2", target: "y" });
    expect(result.predictions).toEqual(rows.map((row) => row[0]));
    const mean = y.reduce((s, v) => s + v, 0) / n;
    const r2 = 1 - y.reduce((s, v, i) => s + (v - expected[i]!) ** 2, 0) / y.reduce((s, v) => s + (v - mean) ** 2, 0);
    close(result.score, r2, 1e-9);
  });

  it("--json prints one line per epoch, then the result; --schedule step:2:0.5 halves the lr every 2 epochs", () => {
    const r = downhill(["fit", "lin.csv", "--target", "y", "--optimizer", "sgd", "--lr", "0.1", "--epochs", "7", "--tol", "none", "--schedule", "step:2:0.5", "--json"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    const out = lines(r.stdout);
    const epochs = out.filter((o) => o["type"] === "epoch");
    expect(epochs.map((e) => e["epoch"])).toEqual([1, 2, 3, 4, 5, 6, 7]);
    epochs.forEach((e, i) => expect(e["lr"]).toBeCloseTo(0.1 * 0.5 ** Math.floor(i / 2), 15));
    const result = out.at(-1)!;
    expect(out).toHaveLength(8);
    expect(result).toMatchObject({ type: "result", epochs: 7, reason: "maxIter", schedule: "step:2:0.5", out: null });
    expect(result["trainLoss"]).toBe(epochs.at(-1)!["trainLoss"]);
  });

  it("--plot draws the loss per epoch as an SVG", () => {
    const r = downhill(["fit", "lin.csv", "--target", "y", "--epochs", "5", "--tol", "none", "--validation-fraction", "0.2", "--plot", "loss.svg", "--quiet"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const svg = readFileSync(ws.path("loss.svg"), "utf8");
    expect(svg).toMatch(/^(<\?xml[^>]*>\s*)?<svg/);
    expect(svg).toContain("epoch");
    expect(svg).toContain("validation");
    expect(svg.match(/<path/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
  });

  it("progress: plain lines when stderr is not a terminal, a bar redrawn in place on one", () => {
    const plain = downhill(["fit", "lin.csv", "--target", "y", "--epochs", "40", "--tol", "none"], ws.dir);
    expect(plain.status, plain.stderr).toBe(0);
    const progress = plain.stderr.trim().split("\n");
    expect(progress[0]).toMatch(/^epoch 1\/40  loss \S+  lr 0\.01  \(/);
    expect(progress.at(-1)).toMatch(/^epoch 40\/40  loss /);
    expect(progress.length).toBeLessThanOrEqual(1 + 20 + 1);
    expect(plain.stderr).not.toContain("\r");
    // `script` runs the command on a pseudo-terminal (util-linux; skipped where it is missing).
    const script = spawnSync("script", ["--version"], { encoding: "utf8" });
    if (script.status !== 0) return;
    const command = [process.execPath, CLI, "fit", "lin.csv", "--target", "y", "--epochs", "40", "--tol", "none"].map((a) => `'${a}'`).join(" ");
    const tty = spawnSync("script", ["-qec", command, "/dev/null"], { cwd: ws.dir, encoding: "utf8", env: { ...process.env, COLUMNS: "100" } });
    expect(tty.status, tty.stdout).toBe(0);
    const redraws = tty.stdout.split("\r\x1b[2K").slice(1);
    expect(redraws.length).toBeGreaterThanOrEqual(1);
    expect(redraws.at(-1)).toMatch(/^epoch 40\/40 \[#+\]  loss \S+  lr 0\.01/);
    expect(tty.stdout).toContain("linear regression on lin.csv");
  });

  it("a fit that diverges restores and saves its best weights and exits with 1", () => {
    const r = downhill(["fit", "lin.csv", "--target", "y", "--optimizer", "sgd", "--lr", "100", "--batch-size", "300", "--epochs", "1000", "--tol", "none", "--out", "diverged.json", "--quiet"], ws.dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toContain("The fit diverged");
    const model = json("diverged.json");
    expect(model.training).toMatchObject({ reason: "diverged", weights: "best" });
    for (const w of model.weights) expect(Number.isFinite(w)).toBe(true);
  });

  it("sweep tries each power of ten, flags the rates that diverge and suggests one that does not", () => {
    const r = downhill(["sweep", "lin.csv", "--target", "y", "--optimizer", "sgd", "--batch-size", "300", "--lr-min", "1e-4", "--lr-max", "10", "--plot", "sweep.svg", "--json"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    const trials = out.filter((o) => o["type"] === "trial") as { lr: number; loss: number; diverged: boolean }[];
    expect(trials.map((t) => t.lr)).toEqual([1e-4, 1e-3, 1e-2, 1e-1, 1, 10]);
    // Batch GD on standardized data: the Hessian's eigenvalues are about 2, so lr 10 blows up
    // and a small rate barely moves (the standardized target's loss starts at 1).
    expect(trials.at(-1)!.diverged).toBe(true);
    expect(trials[0]!.loss).toBeGreaterThan(0.9);
    const result = out.at(-1)! as { type: string; suggestion: number };
    const best = trials.filter((t) => !t.diverged).reduce((a, t) => (t.loss < a.loss ? t : a));
    expect(result.type).toBe("result");
    expect(result.suggestion).toBe(best.lr);
    const svg = readFileSync(ws.path("sweep.svg"), "utf8");
    expect(svg).toContain("learning rate");
  });

  it("sweep --random-search samples lr in the range and reports the best trial", () => {
    const r = downhill(["sweep", "lin.csv", "--target", "y", "--optimizer", "sgd", "--random-search", "--rounds", "2", "--trials", "3", "--lr-min", "1e-3", "--lr-max", "0.3", "--seed", "5", "--json"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const out = lines(r.stdout);
    const trials = out.filter((o) => o["type"] === "trial") as { round: number; config: { lr: number; momentum: number }; score: number; diverged: boolean }[];
    expect(trials.map((t) => t.round)).toEqual([1, 1, 1, 2, 2, 2]);
    for (const t of trials) {
      expect(t.config.lr).toBeGreaterThanOrEqual(1e-3);
      expect(t.config.lr).toBeLessThanOrEqual(0.3);
      expect(t.config.momentum).toBeGreaterThanOrEqual(0);
      expect(t.config.momentum).toBeLessThan(0.99);
    }
    const best = trials.filter((t) => !t.diverged).reduce((a, t) => (t.score < a.score ? t : a));
    expect(out.at(-1)).toMatchObject({ type: "result", bestScore: best.score, bestConfig: best.config });
  });
});

describe("fit and predict a logistic regression", () => {
  // Labels from a noisy linear rule: separable but for the points near the boundary.
  const n = 400;
  const z = randomNormals(23, 3 * n);
  const X = Array.from({ length: n }, (_, i) => [z[3 * i]!, z[3 * i + 1]!]);
  const labels = X.map(([a, b], i) => (a! + 2 * b! + 0.3 * z[3 * i + 2]! > 0 ? 1 : 0));
  writeCsv(ws.path("labels.csv"), ["x1", "x2", "label"], X.map((r, i) => [...r, labels[i]!]));

  it("reaches a high accuracy, and predict gives the sigmoid of the saved model's logits", () => {
    const r = downhill(["fit", "labels.csv", "--target", "label", "--model", "logistic", "--epochs", "200", "--out", "logistic.json", "--quiet"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const model = json("logistic.json");
    expect(model).toMatchObject({ kind: "logistic", features: ["x1", "x2"], target: "label" });
    expect(model.standardization.target).toBeNull();
    const p = downhill(["predict", "logistic.json", "labels.csv", "--out", "p.csv"], ws.dir);
    expect(p.status, p.stderr).toBe(0);
    const { header, rows } = readNumbers(readFileSync(ws.path("p.csv"), "utf8"));
    expect(header).toEqual(["prediction", "probability"]);
    const st = model.standardization;
    rows.forEach(([label, probability], i) => {
      const logit = model.bias + X[i]!.reduce((s, x, j) => s + (model.weights[j] * (x - st.mean[j])) / st.scale[j], 0);
      close(probability!, 1 / (1 + Math.exp(-logit)), 1e-12);
      expect(label).toBe(logit > 0 ? 1 : 0);
    });
    const accuracy = rows.filter(([label], i) => label === labels[i]).length / n;
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
    expect(p.stdout).toContain(`accuracy ${Number((100 * accuracy).toPrecision(4))}%`);
  });
});

describe("Ctrl-C", () => {
  it("SIGINT during a long fit stops it, writes the best model and exits with 130", async () => {
    const n = 4000;
    const z = randomNormals(31, 2 * n);
    writeCsv(ws.path("long.csv"), ["u", "v", "w"], Array.from({ length: n }, (_, i) => [z[2 * i]!, z[2 * i + 1]!, Math.sin(z[2 * i]!) * z[2 * i + 1]!]));
    const args = ["fit", "long.csv", "--target", "w", "--model", "mlp", "--hidden", "32,32", "--batch-size", "4", "--epochs", "1000000", "--tol", "none", "--out", "interrupted.json"];
    const run = await start(args, ws.dir, (stderr) => stderr.includes("epoch 1/"));
    run.kill("SIGINT");
    const r = await run.exit;
    expect(r.status, r.stderr).toBe(130);
    expect(r.stderr).toContain("Interrupted");
    expect(r.stdout).toContain("interrupted (Ctrl-C)");
    const model = json("interrupted.json");
    expect(model.kind).toBe("mlp");
    expect(model.training).toMatchObject({ reason: "interrupted", weights: "best" });
    expect(model.training.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(model.training.epochs).toBeLessThan(1000000);
    // The saved model is complete: predict reads it.
    const p = downhill(["predict", "interrupted.json", "long.csv", "--json"], ws.dir);
    expect(p.status, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout).predictions).toHaveLength(n);
  });
});
