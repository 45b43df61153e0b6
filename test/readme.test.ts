/**
 * README's JavaScript examples run as written (against the sources), and those whose
 * comments promise a result print it.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as downhill from "../ts/index.ts";
import * as plot from "../ts/plot/index.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const blocks = [...readme.matchAll(/```(?:js|ts)\n([\s\S]*?)```/g)].map((m) => m[1]!);

/** Runs one block with `downhill` bound to the sources; returns what it logged. */
async function run(code: string): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const body = code
    .replace(/^import \{([^}]*)\} from "([^"]*)";.*$/gm, (_, names: string, from: string) => `const {${names}} = ${from === "downhill/plot" ? "plot" : "downhill"};`)
    .replace(/console\.log\(/g, "log(");
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction("downhill", "plot", "log", body)(downhill, plot, (...a: unknown[]) => logged.push(a));
  return logged;
}

/** The one block that contains `marker`. */
function block(marker: string): string {
  const found = blocks.filter((b) => b.includes(marker));
  expect(found, marker).toHaveLength(1);
  return found[0]!;
}

describe("README examples", () => {
  it.each(blocks.map((b, i) => [i, b.split("\n").find((l) => !l.startsWith("import") && l.trim()) ?? ""]))("block %i runs: %s", async (i) => {
    await run(blocks[i as number]!);
  });

  it("Node: Nesterov SGD reaches the minimum of the bowl", async () => {
    const [[values]] = (await run(block("gradient of (a − 3)² + (b + 1)²"))) as [[number[]]];
    expect(values[0]).toBeCloseTo(3, 3);
    expect(values[1]).toBeCloseTo(-1, 3);
  });

  it("Node: a plain typed array is updated in place", async () => {
    const logged = await run(`${block("weights is now [0.4, -0.4]")}\nconsole.log(weights);`);
    expect(Array.from(logged[0]![0] as Float64Array)).toEqual([0.5 - 0.1, -0.5 + 0.1]);
  });

  it("Deno: the example's output is as commented", async () => {
    const code = block("// [0.95, 1.95, 2.95]");
    const [[values]] = (await run(code)) as [[number[]]];
    expect(values).toEqual([1 - 0.05, 2 - 0.05, 3 - 0.05]);
  });

  it("clipping: returns the norm before clipping and leaves norm 1", async () => {
    const [[total, b]] = (await run(block("clipGradNorm([a, b], 1.0)"))) as [[number, number[]]];
    expect(total).toBeCloseTo(5, 12);
    expect(b[1]).toBeCloseTo(4 / (5 + 1e-6), 6);
  });

  it("schedules: warmup then cosine ends at lr 0", async () => {
    const [[lrs]] = (await run(block("new SequentialLR("))) as [[number[]]];
    expect(lrs).toHaveLength(1);
    expect(lrs[0]).toBeCloseTo(0, 12);
  });

  it("state: the restored optimizer continues like the original", async () => {
    const [[original, restored]] = (await run(block("restored.loadStateDict(JSON.parse(saved));"))) as [[number[], number[]]];
    expect(restored).toEqual(original);
    expect(original).not.toEqual([1, 2, 3]);
  });

  it("losses: printed values are the ones commented, and match closed forms", async () => {
    const logged = await run(block("mseLoss([1, 2, 4], [0, 2, 1])"));
    expect(logged[0]).toEqual([(1 + 0 + 9) / 3, [(2 / 3) * 1, 0, (2 / 3) * 3]]);
    expect(block("mseLoss([1, 2, 4]")).toContain("// 3.3333333333333335 [0.6666666666666666, 0, 2]");
    const f = Math.fround;
    const rowLoss = (z: number[], k: number) => Math.log(z.reduce((a, v) => a + Math.exp(f(v)), 0)) - f(z[k]!);
    expect(logged[1]![0]).toBeCloseTo((rowLoss([2, 0.5, -1], 0) + rowLoss([0, 1, 3], 2)) / 2, 5);
    expect(logged[1]![0]).toBeCloseTo(0.2, 1);
  });

  it("data: the seeded permutation covers 0…4", async () => {
    const logged = await run(block("new Random(1).shuffle(5)"));
    expect(Array.from(logged[0]![0] as ArrayLike<number>).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it("fit: the seed experiment's weights move toward (2, −30) and its MSE falls", async () => {
    const [[weights, lastLoss]] = (await run(block("const model = new LinearRegression({ bias: false, init: [1, 1] });"))) as [[Float64Array, number]];
    expect(Math.abs(weights[1]! + 30)).toBeLessThan(31 / 2);
    expect(Math.abs(weights[0]! - 2)).toBeLessThan(1);
    expect(lastLoss).toBeLessThan(((1 - 2) ** 2 + (1 + 30) ** 2) * 144);
  });

  it("MLP: learns XOR as commented", async () => {
    const [[predictions, score]] = (await run(block("new MLP({ layers: [8]"))) as [[Float64Array, number]];
    expect(Array.from(predictions)).toEqual([0, 1, 1, 0]);
    expect(score).toBe(1);
  });

  it("multi-core: the fit with 2 workers finds the generating weights and the noise's variance", async () => {
    const [[weights, loss]] = (await run(block("workers: 2,"))) as [[Float64Array, number]];
    // y = x0 − 2·x1 + 0.1·noise: least squares recovers (1, −2); the MSE is the noise's variance 0.01.
    expect(weights[0]).toBeCloseTo(1, 2);
    expect(weights[1]).toBeCloseTo(-2, 2);
    expect(loss).toBeGreaterThan(0.009);
    expect(loss).toBeLessThan(0.011);
    expect(downhill.memoryUsage().workers).toBe(0);
  });

  it("minimize: gradCheck passes and L-BFGS converges in the commented number of iterations", async () => {
    const code = block("await minimize(rosenbrock, [-1.5, 2])");
    const logged = await run(code);
    expect(logged[0]).toEqual([true]);
    expect(logged[1]).toEqual(["converged", 41]);
    expect(code).toContain("// converged 41");
  });

  it("autograd: the printed loss and gradient are the closed form's", async () => {
    const code = block("X.matmul(w).tanh().pow(2).mean()");
    const [[value, grad]] = (await run(code)) as [[number, number[]]];
    const X = [[1, 2], [3, 4]];
    const th = X.map(([a, b]) => Math.tanh(0.5 * a! - b!));
    expect(Math.abs(value - (th[0]! ** 2 + th[1]! ** 2) / 2)).toBeLessThan(1e-14);
    // ∂/∂w_j of mean_i tanh(z_i)² = Σ_i tanh(z_i)·(1 − tanh(z_i)²)·X_ij (the 2 and the 1/2 cancel).
    [0, 1].forEach((j) => expect(Math.abs(grad[j]! - th.reduce((s, t, i) => s + t * (1 - t * t) * X[i]![j]!, 0))).toBeLessThan(1e-14));
    expect(code).toContain(`// ${value} [ ${grad.map((g) => `${String(g).slice(0, 7)}…`).join(", ")} ]`);
  });

  it("autograd: minimize with gradient \"autograd\" ends where the exponential fit's gradient vanishes", async () => {
    const code = block("console.log(fit.reason, fit.x);");
    const [[reason, x]] = (await run(code)) as [[string, Float64Array]];
    expect(reason).toBe("converged");
    const [a, b] = [x[0]!, x[1]!];
    const t = [0, 1, 2, 3, 4];
    const y = [2.0, 2.7, 3.6, 4.9, 6.6];
    const r = t.map((ti, i) => a * Math.exp(b * ti) - y[i]!);
    const ga = t.reduce((s, ti, i) => s + (2 * r[i]! * Math.exp(b * ti)) / 5, 0);
    const gb = t.reduce((s, ti, i) => s + (2 * r[i]! * a * ti * Math.exp(b * ti)) / 5, 0);
    expect(Math.hypot(ga, gb)).toBeLessThan(1e-5);
    expect(code).toContain(`a ≈ ${a.toFixed(3)}, b ≈ ${b.toFixed(4)}`);
  });

  it("search: the random search ends near the known optimum", async () => {
    const logged = await run(block("randomSearch("));
    const [[, suggestion]] = logged as [[unknown, number]];
    expect(suggestion).toBeGreaterThan(0);
    const best = logged[1]![0] as { lr: number; momentum: number };
    expect(Math.abs(Math.log10(best.lr / 0.03))).toBeLessThan(0.5);
    expect(Math.abs(best.momentum - 0.9)).toBeLessThan(0.15);
  });

  it("plots: the downhill/plot example draws both SVGs", async () => {
    expect(await run(block('from "downhill/plot"'))).toEqual([[true, true]]);
  });
});
