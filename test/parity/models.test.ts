/**
 * The linear models' fused kernels give the same bits on both backends
 * (crate/src/model/ ↔ ts/kernels/model/): the same batch loss and the same gradients, in
 * f32 and f64, over arbitrary sizes, class counts, batch sizes (1, and a short last
 * batch), repeated rows and parameters moved between batches.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, SoftmaxRegression, toDataset, type Dtype, type LinearModel } from "../../ts/index.ts";
import { bytes, firstDifference, randomNormals } from "../helpers/random.ts";

type Backend = "wasm" | "ts";

interface ModelCase {
  make(backend: Backend, dtype: Dtype, init: Float64Array, k: number): LinearModel;
  /** Outputs per row: 1 or the classes. */
  outputs(k: number): number;
  targets(seed: number, n: number, k: number): number[];
}

const real = (seed: number, n: number) => Array.from(randomNormals(seed, n, 3));
const labels = (seed: number, n: number) => Array.from(randomNormals(seed, n), (v) => (v > 0 ? 1 : 0));
const classes = (seed: number, n: number, k: number) => Array.from(randomNormals(seed, n), (v) => Math.min(k - 1, Math.floor(Math.abs(v) * k)));

const CASES: Record<string, ModelCase> = {
  "linear mse": { make: (backend, dtype, init) => new LinearRegression({ backend, dtype, init }), outputs: () => 1, targets: real },
  "linear mae": { make: (backend, dtype, init) => new LinearRegression({ backend, dtype, init, loss: "mae" }), outputs: () => 1, targets: real },
  "linear huber 0.7, l2": {
    make: (backend, dtype, init) => new LinearRegression({ backend, dtype, init, loss: "huber", delta: 0.7, penalty: { l2: 0.03 } }),
    outputs: () => 1,
    targets: real,
  },
  "linear mse, l1 + l2, no bias": {
    make: (backend, dtype, init) => new LinearRegression({ backend, dtype, init, bias: false, penalty: { l2: 0.1, l1: 1e-3 } }),
    outputs: () => 1,
    targets: real,
  },
  logistic: { make: (backend, dtype, init) => new LogisticRegression({ backend, dtype, init }), outputs: () => 1, targets: labels },
  "logistic, l1, no bias": {
    make: (backend, dtype, init) => new LogisticRegression({ backend, dtype, init, bias: false, penalty: { l1: 0.01 } }),
    outputs: () => 1,
    targets: labels,
  },
  softmax: { make: (backend, dtype, init, k) => new SoftmaxRegression({ backend, dtype, init, classes: k }), outputs: (k) => k, targets: classes },
  "softmax, l2, no bias": {
    make: (backend, dtype, init, k) => new SoftmaxRegression({ backend, dtype, init, classes: k, bias: false, penalty: { l2: 0.2 } }),
    outputs: (k) => k,
    targets: classes,
  },
};

/** A permutation of 0 … n−1 from a seed (Fisher–Yates over a small LCG). */
function permutation(seed: number, n: number): Uint32Array {
  const p = Uint32Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j]!, p[i]!];
  }
  return p;
}

interface Run {
  name: string;
  dtype: Dtype;
  n: number;
  d: number;
  k: number;
  batch: number;
  seed: number;
}

function check({ name, dtype, n, d, k, batch, seed }: Run): void {
  const c = CASES[name]!;
  const outputs = c.outputs(k);
  const X = randomNormals(seed, n * d, 2);
  const data = toDataset({ data: X, shape: [n, d] }, c.targets(seed + 1, n, k));
  const init = randomNormals(seed + 2, d * outputs, 0.5);
  const models = (["wasm", "ts"] as const).map((backend) => c.make(backend, dtype, init, k));
  const bound = models.map((m) => m.bind(data));
  const where = `${name} ${dtype} n=${n} d=${d} k=${k} batch=${batch} seed=${seed}`;
  const same = (step: string, values: number[]) => {
    expect(Object.is(values[0], values[1]), `${where} ${step}: loss ${values[0]} (wasm) vs ${values[1]} (ts)`).toBe(true);
    const [pw, pt] = models.map((m) => m.parameters());
    expect(pw!.length).toBe(pt!.length);
    pw!.forEach((p, i) => expect(firstDifference(bytes(p.grad), bytes(pt![i]!.grad)), `${where} ${step}: gradient ${i}`).toBe(-1));
  };
  try {
    const order = permutation(seed, n);
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      same(`rows ${start}…${end - 1}`, bound.map((b) => b.lossAndGradient(order, start, end)));
      // Move the parameters (identically) so that later batches see other values.
      for (const m of models) for (const p of m.parameters()) for (let i = 0; i < p.length; i++) p.data[i] = p.data[i]! - 0.1 * p.grad[i]!;
    }
    // Rows in order, as a full batch without shuffling and its batches have them: with MSE
    // and 1 or 2 features, the wasm kernel's vector path (crate/src/model/affine.rs
    // narrow_mse_f32x4 / narrow_mse_f64x2). Then every row, without row numbers; then rows
    // in order but for one (a gap, or the last two swapped), which must not take it.
    const inOrder = Uint32Array.from({ length: n }, (_, i) => i);
    for (let start = 0; start < n; start += batch) {
      const end = Math.min(n, start + batch);
      same(`rows ${start}…${end - 1} in order`, bound.map((b) => b.lossAndGradient(inOrder, start, end)));
      for (const m of models) for (const p of m.parameters()) for (let i = 0; i < p.length; i++) p.data[i] = p.data[i]! - 0.1 * p.grad[i]!;
    }
    same("every row", bound.map((b) => (b as unknown as { lossAndGradient(): number }).lossAndGradient()));
    if (n >= 3) {
      const gap = Uint32Array.from({ length: n - 1 }, (_, i) => (i < n - 2 ? i : n - 1));
      same("rows in order but for a gap", bound.map((b) => b.lossAndGradient(gap, 0, gap.length)));
      const swapped = Uint32Array.from(inOrder);
      [swapped[n - 2], swapped[n - 1]] = [swapped[n - 1]!, swapped[n - 2]!];
      same("rows in order but the last two swapped", bound.map((b) => b.lossAndGradient(swapped, 0, n)));
    }
    const repeated = Uint32Array.from([n - 1, 0, n - 1, Math.floor(n / 2), 0]);
    same("repeated rows", bound.map((b) => b.lossAndGradient(repeated, 0, repeated.length)));
    const full = bound.map((b) => b.loss());
    expect(Object.is(full[0], full[1]), `${where} loss(): ${full[0]} vs ${full[1]}`).toBe(true);
    const [pw, pt] = models.map((m) => m.parameters());
    pw!.forEach((p, i) => expect(firstDifference(bytes(p.data), bytes(pt![i]!.data)), `${where}: parameter ${i}`).toBe(-1));
  } finally {
    for (const m of models) m.dispose();
  }
}

describe("model kernels: wasm and ts give the same bits", () => {
  for (const name of Object.keys(CASES)) {
    it(`${name}: arbitrary sizes, batches and dtypes`, () => {
      fc.assert(
        fc.property(
          fc.record({
            dtype: fc.constantFrom<Dtype>("f32", "f64"),
            n: fc.integer({ min: 1, max: 40 }),
            d: fc.integer({ min: 1, max: 19 }),
            k: fc.integer({ min: 2, max: 6 }),
            batch: fc.integer({ min: 1, max: 45 }),
            seed: fc.integer({ min: 0, max: 2 ** 30 }),
          }),
          (r) => check({ name, ...r }),
        ),
        { numRuns: 60 },
      );
    });

    it(`${name}: batch size 1, a short last batch, and a large dataset`, () => {
      for (const dtype of ["f32", "f64"] as const) {
        check({ name, dtype, n: 17, d: 9, k: 3, batch: 8, seed: 11 }); // batches of 8, 8, 1
        check({ name, dtype, n: 5, d: 1, k: 2, batch: 1, seed: 12 });
        check({ name, dtype, n: 1000, d: 17, k: 4, batch: 64, seed: 13 }); // last batch of 40
        // Wider rows: the f32 wasm kernel keeps up to 4 whole 8-column chunks in registers
        // and loops over more (crate/src/model/affine.rs dots_f32x4), 4 rows at a time.
        for (const d of [24, 31, 32, 39, 40, 41, 67]) check({ name, dtype, n: 23, d, k: 3, batch: 11, seed: 14 + d });
        // Narrow rows in order (the vector path for MSE with 1 or 2 features): every count
        // of rows past the last group of four (f32) or two (f64), and W3's 100 × 2.
        for (const d of [1, 2, 3]) for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 101]) check({ name, dtype, n, d, k: 2, batch: n > 9 ? 33 : n, seed: 50 + 13 * n + d });
      }
    });
  }
});
