/**
 * Lifecycle guarantees of objects in WebAssembly memory: 100 000 create/dispose cycles
 * leak nothing and stop growing memory; memory growth in the middle of training (inside
 * a user callback) leaves every live view valid and the run exact; objects sharing the
 * one WebAssembly memory never disturb each other.
 */
import { describe, expect, it } from "vitest";
import { Adam, LinearRegression, MLP, Parameter, SGD, fit, memoryUsage, toDataset, type BackendName, type FitOptions, type IterationRecord } from "../../ts/index.ts";
import { randomNormals } from "../helpers/random.ts";

/** A regression dataset with noise, from the seeded helper (independent of downhill's Random). */
function regression(n: number, d: number, seed: number) {
  const X = randomNormals(seed, n * d);
  const noise = randomNormals(seed + 1, n);
  const y = Array.from({ length: n }, (_, i) => {
    let t = 0.5 + 0.1 * noise[i]!;
    for (let j = 0; j < d; j++) t += (j % 2 === 0 ? 1 : -2) * X[i * d + j]!;
    return t;
  });
  return toDataset({ data: X, shape: [n, d] }, y);
}

/** Bytes that certainly make WebAssembly memory grow: more than it has now. */
const growthBytes = () => memoryUsage().memoryBytes + 65536;

describe("100 000 create/dispose cycles", () => {
  it("return allocator live bytes to the baseline, and WebAssembly memory stops growing", () => {
    // Each cycle creates and disposes two parameters of different sizes and dtypes; every
    // tenth also an Adam optimizer over them that steps (state, step table).
    const cycle = (i: number) => {
      const p = Parameter.from([1, 2, 3, i % 7], { dtype: "f64", backend: "wasm" });
      const q = Parameter.zeros(1 + (i % 61), { dtype: "f32", backend: "wasm" });
      if (i % 10 === 0) {
        const opt = new Adam([p, q], { lr: 0.01, amsgrad: i % 20 === 0 });
        p.grad.fill(1);
        q.grad.fill(-1);
        opt.step();
        opt.dispose();
      }
      q.dispose();
      p.dispose();
    };
    cycle(0); // the allocator may grow memory once
    const base = memoryUsage();
    const sizes: number[] = [];
    for (let block = 0; block < 10; block++) {
      for (let i = 0; i < 10_000; i++) cycle(i);
      const now = memoryUsage();
      expect(now.liveBytes).toBe(base.liveBytes);
      sizes.push(now.memoryBytes);
    }
    expect(sizes).toEqual(new Array(10).fill(base.memoryBytes));
  });
});

describe("memory growth during training", () => {
  const data = regression(64, 5, 11);

  /** fit() on `backend`, allocating `bytes` (kept alive) from inside onIteration at iteration 3 when asked. */
  async function train(backend: BackendName, model: LinearRegression | MLP, bytes: number, options: FitOptions = {}) {
    const kept: Parameter[] = [];
    let grew = false;
    let staleView: Float64Array | Float32Array | null = null;
    const result = await fit(model, data, {
      optimizer: "adam",
      optimizerOptions: { lr: 0.01 },
      batchSize: 8,
      epochs: 3,
      seed: 5,
      tol: null,
      ...options,
      onIteration: (it: IterationRecord) => {
        if (it.iteration === 3 && bytes > 0) {
          staleView = model.parameters()[0]!.data;
          const size = memoryUsage().memoryBytes;
          kept.push(Parameter.zeros(Math.ceil(bytes / 8), { dtype: "f64", backend }));
          grew = memoryUsage().memoryBytes > size;
        }
      },
    });
    return { result, kept, grew, staleView: staleView as Float64Array | Float32Array | null };
  }

  for (const make of [
    ["LinearRegression", (backend: BackendName) => new LinearRegression({ backend })],
    ["MLP", (backend: BackendName) => new MLP({ layers: [6], activation: "tanh", seed: 3, backend })],
  ] as const) {
    it(`${make[0]}: growth inside a user callback leaves every view valid; the run equals the ts backend's bit for bit`, async () => {
      const onWasm = make[1]("wasm");
      const grown = await train("wasm", onWasm, growthBytes());
      expect(grown.grew).toBe(true);
      // The view taken before growth was detached; the model's views were re-created.
      expect(grown.staleView!.length).toBe(0);
      const onTs = make[1]("ts");
      const reference = await train("ts", onTs, 0);
      expect(grown.result.history.map((h) => h.trainLoss)).toEqual(reference.result.history.map((h) => h.trainLoss));
      expect(grown.result.finalWeights.map((w) => Array.from(w))).toEqual(reference.result.finalWeights.map((w) => Array.from(w)));
      expect(onWasm.parameters().map((p) => p.toArray())).toEqual(onTs.parameters().map((p) => p.toArray()));
      // The allocation made inside the callback is intact and reaches the end of the new memory.
      const big = grown.kept[0]!;
      big.data[big.length - 1] = 42;
      expect(big.data[big.length - 1]).toBe(42);
      expect(Array.from(onWasm.predict(data))).toEqual(Array.from(onTs.predict(data)));
      big.dispose();
      onWasm.dispose();
      onTs.dispose();
    });
  }

  it("an optimizer over plain typed arrays (mirrored into WebAssembly memory) steps correctly across growth", () => {
    const run = (backend: BackendName, growAt: number) => {
      const w = Float64Array.of(1, -2, 3);
      const v = Float32Array.of(0.5, 0.25);
      const opt = new SGD([w, v], { lr: 0.1, momentum: 0.9, nesterov: true, backend });
      const kept: Parameter[] = [];
      for (let k = 0; k < 6; k++) {
        if (k === growAt) kept.push(Parameter.zeros(Math.ceil(growthBytes() / 8), { dtype: "f64", backend }));
        opt.step([Float64Array.from(w, (x) => 2 * x - 1), Float32Array.from(v, (x) => x + 1)]);
      }
      const out = [Array.from(w), Array.from(v), Array.from(opt.state(0)["momentumBuffer"]!), Array.from(opt.state(1)["momentumBuffer"]!)];
      opt.dispose();
      kept.forEach((p) => p.dispose());
      return out;
    };
    const size = memoryUsage().memoryBytes;
    const grown = run("wasm", 3);
    expect(memoryUsage().memoryBytes).toBeGreaterThan(size);
    expect(grown).toEqual(run("ts", -1));
  });
});

describe("objects sharing one WebAssembly memory", () => {
  it("two models trained concurrently, with allocations and disposals between their steps, equal each one trained alone", async () => {
    const a = regression(40, 3, 21);
    const b = regression(30, 4, 31);
    const options = (turns: string[], who: string): FitOptions => ({
      optimizer: "sgd",
      optimizerOptions: { lr: 0.05, momentum: 0.9 },
      batchSize: 7,
      epochs: 4,
      seed: 9,
      tol: null,
      // Yield at every step, so that the two fits interleave; churn the allocator meanwhile.
      onIteration: async () => {
        turns.push(who);
        const junk = Parameter.zeros(257, { backend: "wasm" });
        await new Promise((resolve) => setTimeout(resolve, 0));
        junk.dispose();
      },
    });
    const turns: string[] = [];
    const [ma, mb] = [new MLP({ layers: [5], seed: 1, backend: "wasm" }), new LinearRegression({ backend: "wasm", penalty: { l2: 0.01 } })];
    const [ra, rb] = await Promise.all([fit(ma, a, options(turns, "a")), fit(mb, b, options(turns, "b"))]);
    // They did interleave.
    expect(turns.slice(0, 6).join("")).toMatch(/ab|ba/);
    // Each alone, on the ts backend (no shared memory at all).
    const [sa, sb] = [new MLP({ layers: [5], seed: 1, backend: "ts" }), new LinearRegression({ backend: "ts", penalty: { l2: 0.01 } })];
    const alone = [await fit(sa, a, options([], "a")), await fit(sb, b, options([], "b"))];
    expect(ra.finalWeights.map((w) => Array.from(w))).toEqual(alone[0]!.finalWeights.map((w) => Array.from(w)));
    expect(rb.finalWeights.map((w) => Array.from(w))).toEqual(alone[1]!.finalWeights.map((w) => Array.from(w)));
    expect(ra.history.map((h) => h.trainLoss)).toEqual(alone[0]!.history.map((h) => h.trainLoss));
    expect(rb.history.map((h) => h.trainLoss)).toEqual(alone[1]!.history.map((h) => h.trainLoss));
    for (const m of [ma, mb, sa, sb]) m.dispose();
  });

  it("optimizers stepping in turn, one disposed and replaced midway, equal each run alone", () => {
    const steps = 20;
    const grad = (k: number, n: number) => Float64Array.from({ length: n }, (_, j) => Math.cos(k + j));
    const alone = (backend: BackendName, make: (p: Parameter) => { step(): void; dispose(): void }, n: number) => {
      const p = Parameter.from(Array.from({ length: n }, (_, j) => j - 1), { dtype: "f64", backend });
      const opt = make(p);
      for (let k = 0; k < steps; k++) (p.grad.set(grad(k, n)), opt.step());
      const out = p.toArray();
      opt.dispose();
      p.dispose();
      return out;
    };
    const makeA = (p: Parameter) => new Adam([p], { lr: 0.05, amsgrad: true });
    const makeB = (p: Parameter) => new SGD([p], { lr: 0.05, momentum: 0.5 });
    const pa = Parameter.from([-1, 0, 1, 2, 3], { dtype: "f64", backend: "wasm" });
    const pb = Parameter.from([-1, 0, 1], { dtype: "f64", backend: "wasm" });
    const optA = makeA(pa);
    const optB = makeB(pb);
    let optC: SGD | null = null;
    let pc: Parameter | null = null;
    for (let k = 0; k < steps; k++) {
      pa.grad.set(grad(k, 5));
      optA.step();
      pb.grad.set(grad(k, 3));
      optB.step();
      if (k === 5) {
        pc = Parameter.zeros(1000, { backend: "wasm" });
        optC = new SGD([pc], { momentum: 0.9 });
      }
      if (pc !== null && optC !== null) (pc.grad.fill(k), optC.step());
      if (k === 12) (optC!.dispose(), pc!.dispose(), (optC = null), (pc = null));
    }
    expect(pa.toArray()).toEqual(alone("ts", makeA, 5));
    expect(pb.toArray()).toEqual(alone("ts", makeB, 3));
    for (const x of [optA, optB, pa, pb]) x.dispose();
  });
});
