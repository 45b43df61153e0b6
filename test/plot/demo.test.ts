/**
 * The demo (`npm run demo`, examples/demo.mjs) run as users run it, on the built package,
 * into a temporary directory: its table, its files, and its numbers checked against an
 * independent float64 replay of the tutorials' rules. Also the package's entry points:
 * the core bundle does not load d3, and "downhill/plot" resolves through "exports".
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Random } from "../../ts/index.ts";
import { find, parseSvg } from "./svg-tree.ts";

const root = new URL("../../", import.meta.url);
const dist = (file: string) => new URL(`dist/${file}`, root);
const NAMES = ["Batch GD", "SGD", "Mini-batch GD", "Momentum", "Nesterov", "Adagrad", "RMSProp", "Adam"];

// The experiment's data, drawn here from the same seeded generator.
const N = 100;
const random = new Random(42);
const X = Array.from({ length: N }, () => [12 * random.normal(), 12 * random.normal()] as [number, number]);
const y = X.map(([a, b]) => 2 * a - 30 * b);
const mse = ([w0, w1]: number[]) => X.reduce((s, [a, b], i) => s + (w0! * a + w1! * b - y[i]!) ** 2, 0) / N;

interface Run {
  name: string;
  iterations: number;
  finalWeights: [number, number];
  bestMse: number;
  bestIteration: number;
  sameBits: boolean;
  msWasm: number;
  msTs: number;
  path: [number, number][];
}

describe("the demo on the built package", () => {
  let out = "";
  let stdout = "";
  let results: { seed: number; runs: Run[]; sweeps: { name: string; suggestion: number | null; points: { lr: number; loss: number; diverged: boolean }[] }[]; plateau: { localMin: number; globalMin: number; runs: { name: string; x: number; reason: string }[] } };

  beforeAll(() => {
    expect(existsSync(dist("index.js")) && existsSync(dist("plot.js")), "run `npm run build` first").toBe(true);
    out = mkdtempSync(join(tmpdir(), "downhill-demo-"));
    stdout = execFileSync(process.execPath, ["examples/demo.mjs", "--out", out], { cwd: root, encoding: "utf8", timeout: 180_000 });
    results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
  }, 200_000);
  afterAll(() => {
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it("prints a table row per optimizer with the numbers of its run", () => {
    const lines = stdout.split("\n");
    const header = lines.find((l) => l.startsWith("optimizer"))!;
    for (const column of ["final w0", "final w1", "best MSE", "at step", "wasm ms", "ts ms", "ts/wasm", "same bits"]) expect(header).toContain(column);
    for (const run of results.runs) {
      const row = lines.find((l) => l.startsWith(`${run.name}  `));
      expect(row, run.name).toBeDefined();
      const cells = row!.split(/\s{2,}/);
      expect(cells.slice(-9)).toEqual([
        String(run.iterations),
        run.finalWeights[0].toFixed(4),
        run.finalWeights[1].toFixed(4),
        run.bestMse.toExponential(3),
        String(run.bestIteration),
        run.msWasm.toFixed(1),
        run.msTs.toFixed(1),
        `${(run.msTs / run.msWasm).toFixed(2)}×`,
        "yes",
      ]);
    }
    expect(results.runs.map((r) => r.name)).toEqual(NAMES);
    expect(stdout).toContain(`Wrote 14 files to ${out}:`);
    expect(stdout).toMatch(/Open .*index\.html in a browser/);
  });

  it("batch GD, SGD and mini-batch GD follow the tutorials' update rules (float64 replay)", () => {
    const step = (w: [number, number], rows: number[], lr: number, scale: number): [number, number] => {
      let g0 = 0;
      let g1 = 0;
      for (const i of rows) {
        const r = X[i]![0] * w[0] + X[i]![1] * w[1] - y[i]!;
        g0 += X[i]![0] * r;
        g1 += X[i]![1] * r;
      }
      return [w[0] - lr * scale * g0, w[1] - lr * scale * g1];
    };
    const all = Array.from({ length: N }, (_, i) => i);
    let w: [number, number] = [1, 1];
    const path = [w];
    for (let s = 0; s < 500; s++) path.push((w = step(w, all, 2e-5, 2 / N)));
    const [batch, , mini] = results.runs;
    expect(batch!.path).toHaveLength(501);
    batch!.path.forEach((p, s) => p.forEach((v, j) => expect(Math.abs(v - path[s]![j]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v)))));
    // The tutorial reports about (2.1, −29) for batch GD.
    expect(batch!.finalWeights[0]).toBeCloseTo(2.15, 1);
    expect(batch!.finalWeights[1]).toBeGreaterThan(-29.5);
    expect(batch!.finalWeights[1]).toBeLessThan(-28);
    w = [1, 1];
    for (let pass = 0; pass < 500; pass++) {
      for (let start = 0; start < N; start += 30) {
        const rows = all.slice(start, start + 30);
        w = step(w, rows, 1e-5, 2 / rows.length);
      }
    }
    expect(mini!.iterations).toBe(2000);
    mini!.finalWeights.forEach((v, j) => expect(Math.abs(v - w[j]!)).toBeLessThan(1e-12 * Math.abs(w[j]!)));
    expect(results.runs[1]!.iterations).toBe(500);
  });

  it("best MSE and its step are the minimum over each recorded path; both backends took the same steps", () => {
    for (const run of results.runs) {
      expect(run.path).toHaveLength(run.iterations + 1);
      const losses = run.path.map(mse);
      const best = losses.indexOf(Math.min(...losses));
      expect(run.bestIteration, run.name).toBe(best);
      expect(Math.abs(run.bestMse - losses[best]!)).toBeLessThanOrEqual(1e-9 * Math.max(1, losses[best]!));
      expect(run.sameBits).toBe(true);
      expect(run.msWasm).toBeGreaterThan(0);
      expect(run.msTs).toBeGreaterThan(0);
    }
    // With no noise the minimum is (2, −30); momentum, Nesterov and Adam reach it.
    for (const name of ["Momentum", "Nesterov", "Adam"]) {
      const run = results.runs.find((r) => r.name === name)!;
      expect(Math.abs(run.finalWeights[0] - 2)).toBeLessThan(1e-5);
      expect(Math.abs(run.finalWeights[1] + 30)).toBeLessThan(1e-5);
    }
  });

  it("the sweep flags exactly the rates above gradient descent's stability limit 2/λmax", () => {
    // Hessian of the MSE: (2/N)·XᵀX; its largest eigenvalue in closed form for 2×2.
    const a = (2 / N) * X.reduce((s, [x0]) => s + x0 * x0, 0);
    const b = (2 / N) * X.reduce((s, [x0, x1]) => s + x0 * x1, 0);
    const c = (2 / N) * X.reduce((s, [, x1]) => s + x1 * x1, 0);
    const lambdaMax = (a + c) / 2 + Math.sqrt(((a - c) / 2) ** 2 + b * b);
    const gd = results.sweeps.find((s) => s.name === "gradient descent")!;
    expect(gd.points.map((p) => p.lr)).toEqual([1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1]);
    expect(gd.points.filter((p) => p.diverged).map((p) => p.lr)).toEqual(gd.points.map((p) => p.lr).filter((lr) => lr > 2 / lambdaMax));
    expect(results.sweeps.map((s) => s.name)).toEqual(["gradient descent", "momentum 0.9", "Adam"]);
  });

  it("gradient descent stops in the local minimum, momentum reaches the global one", () => {
    const [gd, momentum] = results.plateau.runs;
    expect(results.plateau.localMin).toBeLessThan(results.plateau.globalMin);
    expect(Math.abs(gd!.x - results.plateau.localMin)).toBeLessThan(1e-3);
    expect(Math.abs(momentum!.x - results.plateau.globalMin)).toBeLessThan(1e-3);
    expect([gd!.reason, momentum!.reason]).toEqual(["converged", "converged"]);
  });

  it("writes well-formed SVGs with the expected series, and an index.html that shows them all", () => {
    const files = readdirSync(out).sort();
    const svgs = files.filter((f) => f.endsWith(".svg"));
    expect(svgs).toHaveLength(12);
    expect(files).toContain("index.html");
    const parse = (f: string) => parseSvg(readFileSync(join(out, f), "utf8"));
    expect(find(parse("loss.svg"), "path", "series").map((s) => s.attributes["data-name"])).toEqual(NAMES);
    expect(find(parse("paths.svg"), "g", "path").map((s) => s.attributes["data-name"])).toEqual(NAMES);
    for (const name of NAMES) {
      const file = `path-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.svg`;
      const tree = parse(file);
      expect(find(tree, "g", "path").map((s) => s.attributes["data-name"])).toEqual([name]);
      expect(find(tree, "path", "contour").length).toBeGreaterThan(5);
    }
    expect(find(parse("lr-sweep.svg"), "g", "series")).toHaveLength(3);
    expect(find(parse("plateau.svg"), "g", "path")).toHaveLength(2);
    const html = readFileSync(join(out, "index.html"), "utf8");
    for (const svg of svgs) expect(html).toContain(`<img src="${svg}"`);
    for (const name of NAMES) expect(html).toContain(`<td class="l">${name}</td>`);
  });

  it("rejects an unknown argument with a usage message and exit code 2", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, ["examples/demo.mjs", "--outdir", "x"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      status = (e as { status: number }).status;
      stderr = (e as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toContain('unknown argument "--outdir"');
    expect(stderr).toContain("Usage: node examples/demo.mjs [--out DIR]");
  });
});

describe("the package's entry points", () => {
  it("the core bundle does not load d3; the plot bundle imports only its d3 dependencies", () => {
    const core = readFileSync(dist("index.js"), "utf8");
    expect(core).not.toMatch(/from\s*["']d3-/);
    expect(core).not.toMatch(/import\s*\(\s*["']d3-/);
    const plot = readFileSync(dist("plot.js"), "utf8");
    const imports = [...plot.matchAll(/^import\s[^;]*?from\s*["']([^"']+)["']/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(["d3-contour", "d3-scale", "d3-shape"]);
    expect(existsSync(dist("types/plot/index.d.ts"))).toBe(true);
  });

  it('"downhill/plot" resolves through package.json "exports" and draws', () => {
    const script = `
      import { plotLoss, DownhillError } from "downhill/plot";
      import { DownhillError as CoreError } from "downhill";
      const svg = plotLoss([{ name: "a", values: [3, 2, 1] }]);
      let sameErrors = false;
      try { plotLoss([]); } catch (e) { sameErrors = e instanceof CoreError && e instanceof DownhillError; }
      console.log(JSON.stringify({ start: svg.slice(0, 4), sameErrors }));
    `;
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
    expect(out).toEqual({ start: "<svg", sameErrors: true });
  });
});
