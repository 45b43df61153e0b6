/**
 * fit()'s fused paths (crate/src/train.rs ↔ ts/kernels/train.ts: whole epochs, or runs of
 * batches within an epoch, in one backend call) against its per-batch path, which an
 * onIteration callback forces: the same weights, best weights, history, iteration records
 * and stop, bit for bit, for every optimizer, model, dtype and backend; and wasm against ts.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  Adadelta, LinearRegression, Lion, LogisticRegression, NAdam, RMSprop, SGD, SoftmaxRegression, fit, toDataset,
  type BackendName, type BoundDataset, type Parameter, type Dataset, type Dtype, type FitOptions, type FitResult, type LinearModel, type OptimizerName,
} from "../../ts/index.ts";
import { wasmBackend } from "../../ts/backend/wasm/index.ts";
import { tsBackend } from "../../ts/backend/ts/index.ts";
import { Random } from "../../ts/random.ts";

afterEach(() => vi.restoreAllMocks());

/** n rows of d features, a linear target with noise, class labels from it. */
function data(n: number, d: number, seed: number): { X: number[][]; y: number[]; labels: number[]; classes: number[] } {
  const r = new Random(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => r.normal()));
  const w = Array.from({ length: d }, (_, j) => (j % 2 === 0 ? 1.5 : -2) / (j + 1));
  const y = X.map((row) => row.reduce((s, x, j) => s + x * w[j]!, 0.3) + 0.1 * r.normal());
  return { X, y, labels: y.map((v) => (v > 0.3 ? 1 : 0)), classes: y.map((v) => (v < -0.5 ? 0 : v < 0.8 ? 1 : 2)) };
}

const D = data(203, 5, 7);

type Kind = "linear" | "mae" | "huber" | "logistic" | "softmax";

function model(kind: Kind, dtype: Dtype, backend: BackendName): { model: LinearModel; ds: Dataset } {
  const base = { dtype, backend, penalty: { l2: 0.01, l1: 0.001 } };
  switch (kind) {
    case "linear":
      return { model: new LinearRegression(base), ds: toDataset(D.X, D.y) };
    case "mae":
      return { model: new LinearRegression({ ...base, loss: "mae", bias: false }), ds: toDataset(D.X, D.y) };
    case "huber":
      return { model: new LinearRegression({ ...base, loss: "huber", delta: 0.5 }), ds: toDataset(D.X, D.y) };
    case "logistic":
      return { model: new LogisticRegression(base), ds: toDataset(D.X, D.labels) };
    case "softmax":
      return { model: new SoftmaxRegression({ ...base, classes: 3 }), ds: toDataset(D.X, D.classes) };
  }
}

const OPTIMIZERS: [OptimizerName, Record<string, unknown>][] = [
  ["sgd", { lr: 0.05 }],
  ["sgd", { lr: 0.02, momentum: 0.9, nesterov: true, weightDecay: 1e-3 }],
  ["adam", { lr: 0.01 }],
  ["adamw", { lr: 0.01, amsgrad: true }],
  ["adamax", { lr: 0.02 }],
  ["nadam", { lr: 0.01 }],
  ["radam", { lr: 0.01 }],
  ["adagrad", { lr: 0.1, lrDecay: 0.01 }],
  ["rmsprop", { lr: 0.005, centered: true, momentum: 0.5 }],
  ["adadelta", { lr: 1 }],
  ["lion", { lr: 0.001, weightDecay: 0.1 }],
];

interface Run {
  result: FitResult;
  weights: number[];
  bestWeights: number[];
  trainCalls: number;
  /** Calls that ran whole epochs. */
  epochCalls: number;
}

/**
 * "epochs": fit() as given (whole epochs per backend call); "batches": an onEpoch
 * callback keeps JS between epochs, so runs of batches within an epoch; "perBatch": an
 * onIteration callback, one step at a time.
 */
type Path = "epochs" | "batches" | "perBatch";

async function run(kind: Kind, dtype: Dtype, backend: BackendName, options: FitOptions, path: Path): Promise<Run> {
  const spy = vi.spyOn(backend === "wasm" ? wasmBackend : tsBackend, "train");
  const { model: m, ds } = model(kind, dtype, backend);
  try {
    const forced = path === "perBatch" ? { onIteration: () => {} } : path === "batches" ? { onEpoch: () => {} } : {};
    const result = await fit(m, ds, { ...options, ...forced });
    const weights = m.parameters().flatMap((p) => [...p.data]);
    const epochCalls = spy.mock.calls.filter(([call]) => call.epochs !== null).length;
    return { result, weights, bestWeights: result.bestWeights.flatMap((w) => [...w]), trainCalls: spy.mock.calls.length, epochCalls };
  } finally {
    m.dispose();
    spy.mockRestore();
  }
}

/** Everything of a result that must agree, with -0 and NaN kept apart by Object.is through toEqual. */
function summary(r: Run) {
  const { result } = r;
  return {
    weights: r.weights,
    bestWeights: r.bestWeights,
    reason: result.reason,
    epochs: result.epochs,
    iterations: result.iterations,
    history: result.history.map(({ time: _time, ...rest }) => rest),
    iterationHistory: result.iterationHistory,
    bestEpoch: result.bestEpoch,
    bestLoss: result.bestLoss,
    divergence: result.divergence,
  };
}

describe("the fused path equals the per-batch path bit for bit", () => {
  for (const backend of ["wasm", "ts"] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      for (const [name, optimizerOptions] of OPTIMIZERS) {
        it(`${backend} ${dtype} ${name} ${JSON.stringify(optimizerOptions)}`, async () => {
          for (const kind of ["linear", "mae", "huber", "logistic", "softmax"] as const) {
            const options: FitOptions = { optimizer: name, optimizerOptions, batchSize: 16, epochs: 3, seed: 11, tol: null, recordIterations: true, ...(kind === "huber" ? { clipGradNorm: 0.5 } : {}) };
            const epochs = await run(kind, dtype, backend, options, "epochs");
            const batches = await run(kind, dtype, backend, options, "batches");
            const perBatch = await run(kind, dtype, backend, options, "perBatch");
            // Without iteration records, whole epochs' records come straight from the
            // run's losses and norms (EpochLog.addRun) instead of batch by batch.
            const quiet = await run(kind, dtype, backend, { ...options, recordIterations: false }, "epochs");
            expect(epochs.epochCalls).toBeGreaterThan(0);
            expect([batches.trainCalls > 0, batches.epochCalls]).toEqual([true, 0]);
            expect(perBatch.trainCalls).toBe(0);
            expect(summary(epochs)).toEqual(summary(perBatch));
            expect(summary(batches)).toEqual(summary(perBatch));
            expect(summary(quiet)).toEqual({ ...summary(perBatch), iterationHistory: null });
            expect(epochs.result.iterations).toBe(3 * Math.ceil(203 / 16));
          }
        });
      }
    }
  }
});

describe("optimizers stepped in fused runs", () => {
  it("count every step as step() does (PyTorch's per-parameter step in stateDict), also where each step's scalars are copied", async () => {
    const makers = [(p: Parameter[]) => new RMSprop(p, { lr: 0.01 }), (p: Parameter[]) => new Adadelta(p), (p: Parameter[]) => new Lion(p, { lr: 1e-3 }), (p: Parameter[]) => new NAdam(p)];
    for (const backend of ["wasm", "ts"] as const) {
      for (const make of makers) {
        const m = new LinearRegression({ features: 5, backend });
        const optimizer = make(m.parameters() as Parameter[]);
        const spy = vi.spyOn(backend === "wasm" ? wasmBackend : tsBackend, "train");
        const result = await fit(m, toDataset(D.X, D.y), { optimizer, batchSize: 16, epochs: 3, seed: 1, tol: null });
        expect(spy.mock.calls.length).toBeGreaterThan(0);
        spy.mockRestore();
        const dict = optimizer.stateDict();
        expect([dict.steps, ...Object.values(dict.state).map((s) => s["step"])]).toEqual([result.iterations, result.iterations, result.iterations]);
        optimizer.dispose();
        m.dispose();
      }
    }
  });
});

describe("stops inside a fused run exactly where the per-batch path stops", () => {
  for (const backend of ["wasm", "ts"] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      it(`${backend} ${dtype}: maxIter in mid-epoch, gradientTol, divergence`, async () => {
        const cases: FitOptions[] = [
          { optimizer: "adam", optimizerOptions: { lr: 0.01 }, batchSize: 8, epochs: 10, maxIter: 37, seed: 2, tol: null },
          // The norm falls below 0.5 somewhere inside an epoch.
          { optimizer: "sgd", optimizerOptions: { lr: 0.1 }, batchSize: 4, epochs: 50, gradientTol: 0.5, seed: 3, tol: null },
          // Far too large a rate: diverges within the first epochs.
          { optimizer: "sgd", optimizerOptions: { lr: 40 }, batchSize: 8, epochs: 20, seed: 4, tol: null, recordIterations: true },
        ];
        const reasons: string[] = [];
        for (const options of cases) {
          const perBatch = await run("linear", dtype, backend, options, "perBatch");
          for (const path of ["epochs", "batches"] as const) expect(summary(await run("linear", dtype, backend, options, path))).toEqual(summary(perBatch));
          reasons.push(perBatch.result.reason);
        }
        expect(reasons).toEqual(["maxIter", "converged", "diverged"]);
      });
    }
  }
});

describe("a run of whole epochs that ends on a batch whose loss alone, or norm alone, is not finite", () => {
  // Without iteration records fit() reads only the run's last batch before taking its
  // records as they are; these are the batches that make that read matter.
  // Loss: y = 0, x = 1, lr 2 triples |w| every epoch (w ← w − 2·2w), so the loss w²
  // overflows some epochs in while its gradient 2w is still finite.
  // Norm: x so large that the gradient 2·x·e overflows while the loss e² (e = 1e9) is finite.
  const cases = {
    loss: { f32: { x: 1, init: 1e15 }, f64: { x: 1, init: 1e150 } },
    gradient: { f32: { x: 1e30, init: 1e-21 }, f64: { x: 1e300, init: 1e-291 } },
  } as const;
  async function fitted(what: keyof typeof cases, dtype: Dtype, backend: BackendName, perBatch: boolean) {
    const { x, init } = cases[what][dtype];
    const spy = vi.spyOn(backend === "wasm" ? wasmBackend : tsBackend, "train");
    const m = new LinearRegression({ dtype, backend, bias: false, init: [init] });
    try {
      const result = await fit(m, toDataset(Array.from({ length: 10 }, () => [x]), new Array<number>(10).fill(0)), {
        optimizer: "sgd", optimizerOptions: { lr: what === "loss" ? 2 : 1e-30 }, batchSize: 10, epochs: 50, shuffle: false, tol: null, ...(perBatch ? { onIteration: () => {} } : {}),
      });
      const epochCalls = spy.mock.calls.filter(([call]) => call.epochs !== null).length;
      return { summary: summary({ result, weights: [...m.parameters()[0]!.data], bestWeights: result.bestWeights.flatMap((w) => [...w]), trainCalls: 0, epochCalls }), epochCalls };
    } finally {
      m.dispose();
      spy.mockRestore();
    }
  }
  for (const backend of ["wasm", "ts"] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      for (const what of ["loss", "gradient"] as const) {
        it(`${backend} ${dtype}: the ${what} overflows; divergence reported where the per-batch path reports it`, async () => {
          const epochs = await fitted(what, dtype, backend, false);
          const perBatch = await fitted(what, dtype, backend, true);
          expect(epochs.epochCalls).toBeGreaterThan(0);
          expect(epochs.summary).toEqual(perBatch.summary);
          expect(epochs.summary.reason).toBe("diverged");
          expect(epochs.summary.divergence!.what).toBe(what);
          // The loss case overflows some epochs in, after whole epochs read straight from the run.
          if (what === "loss") expect(epochs.summary.divergence!.epoch).toBeGreaterThan(5);
        });
      }
    }
  }
});

describe("whole epochs in one call", () => {
  for (const backend of ["wasm", "ts"] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      it(`${backend} ${dtype}: full-batch gradient descent until scikit-learn's rule stops it, shuffled or not`, async () => {
        for (const shuffle of [true, false]) {
          const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: 0.05 }, batchSize: 1000, epochs: 400, tol: 1e-4, nIterNoChange: 4, shuffle, ...(shuffle ? { seed: 3 } : {}) };
          const epochs = await run("linear", dtype, backend, options, "epochs");
          const perBatch = await run("linear", dtype, backend, options, "perBatch");
          expect(summary(epochs)).toEqual(summary(perBatch));
          expect(epochs.result.reason).toBe("noImprovement");
          // A few calls for all its epochs (16, 64, 256 … per call).
          expect(epochs.result.epochs).toBeGreaterThan(30);
          expect(epochs.epochCalls).toBe(epochs.trainCalls);
          expect(epochs.trainCalls).toBeLessThanOrEqual(4);
        }
      });

      it(`${backend} ${dtype}: a second fit on the same bound data starts at the pace the first reached (fewer calls, same bits), after a short one too`, async () => {
        const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: 0.01 }, batchSize: 1000, epochs: 300, shuffle: false, tol: null };
        const m = new LinearRegression({ dtype, backend });
        const bound = m.bind(toDataset(D.X, D.y));
        const spy = vi.spyOn(backend === "wasm" ? wasmBackend : tsBackend, "train");
        // Pacing follows the clock: one that advances 1 µs per reading makes every call fast
        // (far under the quarter time slice it aims at), so the calls depend on the pace alone.
        let clock = 0;
        vi.spyOn(performance, "now").mockImplementation(() => (clock += 0.001));
        await fit(m, bound, options);
        const start = m.parameters().map((p) => p.data.slice());
        const outcome = async (data: typeof bound) => {
          m.parameters().forEach((p, i) => p.data.set(start[i]!));
          spy.mockClear();
          const result = await fit(m, data, options);
          return { calls: spy.mock.calls.length, weights: [...m.weights, m.bias], history: result.history.map(({ time: _t, ...r }) => r), bestWeights: result.bestWeights.map((w) => [...w]) };
        };
        const again = await outcome(bound);
        // A short fit in between, whose length caps its calls, leaves the pace as it was.
        await fit(m, bound, { ...options, epochs: 2 });
        const afterShort = await outcome(bound);
        const fresh = m.bind(toDataset(D.X, D.y));
        const first = await outcome(fresh);
        // A first fit starts at 16 epochs per call and then grows; the second started grown.
        expect(first.calls).toBeGreaterThan(1);
        expect(again.calls).toBeLessThan(first.calls);
        expect({ ...again, calls: 0 }).toEqual({ ...first, calls: 0 });
        expect(afterShort).toEqual(again);
        fresh.dispose();
        bound.dispose();
        m.dispose();
      });

      it(`${backend} ${dtype}: fits on the bound data's order after a call that reallocated its buffers`, async () => {
        const options: FitOptions = { optimizer: "adam", optimizerOptions: { lr: 0.01 }, batchSize: 16, epochs: 2, seed: 5, tol: null };
        const twice = async (between: (bound: BoundDataset) => void) => {
          const m = new LinearRegression({ dtype, backend });
          const bound = m.bind(toDataset(D.X, D.y));
          await fit(m, bound, options);
          between(bound);
          await fit(m, bound, options);
          const weights = [...m.weights, m.bias];
          bound.dispose();
          m.dispose();
          return weights;
        };
        // 406 rows (each twice) grow the row buffer and the scratch past the 203 they had.
        const doubled = Uint32Array.from({ length: 406 }, (_, i) => i % 203);
        expect(await twice((bound) => bound.lossAndGradient(doubled, 0, 406))).toEqual(await twice(() => {}));
      });

      it(`${backend} ${dtype}: weights that overflow at the end of an epoch, and a loss that does mid-epoch`, async () => {
        const reasons = [];
        for (const batchSize of [1000, 50]) {
          const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: batchSize === 1000 ? 1e308 : 3 }, batchSize, epochs: 50, seed: 8, tol: null, recordIterations: true };
          const epochs = await run("linear", dtype, backend, options, "epochs");
          const perBatch = await run("linear", dtype, backend, options, "perBatch");
          expect(summary(epochs)).toEqual(summary(perBatch));
          reasons.push(epochs.result.divergence?.what);
        }
        expect(reasons[0]).toBe("weights");
        expect(reasons[1]).not.toBeUndefined();
      });
    }
  }

  it("leaves a user's generator where the per-batch path leaves it, and its order of rows", async () => {
    const states = [];
    for (const path of ["epochs", "perBatch"] as const) {
      const random = new Random(77);
      random.normal(); // A spare normal that fit() must keep.
      const m = new LinearRegression({ features: 5 });
      const spy = vi.spyOn(wasmBackend, "train");
      const result = await fit(m, toDataset(D.X, D.y), { optimizer: "adam", batchSize: 64, epochs: 9, seed: random, tol: null, ...(path === "perBatch" ? { onIteration: () => {} } : {}) });
      expect(spy.mock.calls.length > 0).toBe(path === "epochs");
      states.push({ state: random.state(), next: random.shuffle(10), weights: [...m.weights, m.bias], history: result.history.map(({ time: _t, ...r }) => r) });
      spy.mockRestore();
      m.dispose();
    }
    expect(states[0]).toEqual(states[1]);
  });

  it("checks what it is asked for: the run's epochs, generator state and best-weight arrays", () => {
    const m = new LinearRegression({ features: 5 });
    const bound = m.bind(toDataset(D.X, D.y));
    const optimizer = new SGD(m.parameters(), { lr: 0.01 });
    const order = Uint32Array.from({ length: 203 }, (_, i) => i);
    const best = m.parameters().map((p) => p.data.slice());
    const epochs = { count: 2, rng: null, tol: NaN, patience: 1, bad: 0, bestLoss: Infinity, bestEpoch: 0, best };
    const runWith = (change: object) => bound.steps!({ indices: order, start: 0, end: 203, batch: 16, maxNorm: NaN, tol: 0, epochs: { ...epochs, ...change } }, optimizer as never);
    const before = [...m.weights];
    expect(() => runWith({ count: 0 })).toThrow(/run\.epochs\.count must be a whole number >= 1; got 0/);
    expect(() => runWith({ count: 1.5 })).toThrow(/run\.epochs\.count must be a whole number >= 1; got 1\.5/);
    expect(() => runWith({ rng: new Uint32Array(4) })).toThrow(/run\.epochs\.rng must be null or a Uint32Array of 4 words, not all zero/);
    expect(() => runWith({ best: [best[0]] })).toThrow(/run\.epochs\.best must be one float array per parameter, of lengths 5, 1/);
    expect(() => runWith({ patience: 0 })).toThrow(/run\.epochs\.patience must be a whole number >= 1; got 0/);
    expect(() => runWith({ bestLoss: NaN })).toThrow(/run\.epochs\.bestLoss/);
    expect([...m.weights]).toEqual(before);
    expect(optimizer.steps).toBe(0);
    // And then it runs: two epochs of 13 batches, the best epoch's weights copied out.
    const watch = { ...epochs };
    expect(bound.steps!({ indices: order, start: 0, end: 203, batch: 16, maxNorm: NaN, tol: 0, epochs: watch }, optimizer as never)!.count).toBe(26);
    expect(optimizer.steps).toBe(26);
    expect(watch.bestEpoch).toBeGreaterThan(0);
    expect(Number.isFinite(watch.bestLoss)).toBe(true);
    if (watch.bestEpoch === 2) expect([...best[0]!, ...best[1]!]).toEqual([...m.weights, m.bias]);
    optimizer.dispose();
    bound.dispose();
    m.dispose();
  });

  for (const backend of ["wasm", "ts"] as const) {
    it(`${backend}: runs on the bound data's own order (kept in its memory) as on the same rows given as an array, and refuses another's`, () => {
      const order = new Random(3).shuffle(203);
      const runs = [];
      for (const own of [false, true]) {
        const m = new LinearRegression({ features: 5, backend });
        const bound = m.bind(toDataset(D.X, D.y));
        const optimizer = new SGD(m.parameters(), { lr: 0.01, momentum: 0.9 });
        const rows = bound.order!();
        rows.rows.set(order);
        // Batches 4 … 9 of 16 rows (the last one short): a window from row 37 on.
        const { count: done, losses, norms } = bound.steps!({ indices: own ? rows : Uint32Array.from(order), start: 37, end: 130, batch: 16, maxNorm: NaN, tol: 0 }, optimizer as never)!;
        runs.push({ done, weights: [...m.weights, m.bias], losses: [...losses.subarray(0, done)], norms: [...norms.subarray(0, done)], order: [...rows.rows] });
        if (own) {
          const other = m.bind(toDataset(D.X, D.y));
          const weights = [...m.weights];
          expect(() => bound.steps!({ indices: other.order!(), start: 0, end: 16, batch: 16, maxNorm: NaN, tol: 0 }, optimizer as never)).toThrow(
            expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/run\.indices must be a Uint32Array or this bound dataset's order\(\)/) }),
          );
          expect([...m.weights]).toEqual(weights);
          other.dispose();
        }
        optimizer.dispose();
        bound.dispose();
        m.dispose();
      }
      expect(runs[0]!.done).toBe(6);
      expect(runs[1]).toEqual(runs[0]);
      expect(runs[1]!.order).toEqual([...order]);
    });
  }
});

describe("clipGradNorm 0 (allowed, as in torch: every gradient scaled to zero)", () => {
  for (const backend of ["wasm", "ts"] as const) {
    it(`${backend}: the fused run equals the per-batch run and leaves SGD's weights at their start`, async () => {
      const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: 0.1 }, clipGradNorm: 0, batchSize: 16, epochs: 2, seed: 1, tol: null };
      const fused = await run("linear", "f64", backend, options, "epochs");
      const perBatch = await run("linear", "f64", backend, options, "perBatch");
      expect(fused.trainCalls).toBeGreaterThan(0);
      expect(summary(fused)).toEqual(summary(perBatch));
      expect(fused.weights.every((w) => w === 0)).toBe(true);
    });
  }
});

describe("the wasm and ts backends' fused runs agree", () => {
  for (const dtype of ["f32", "f64"] as const) {
    it(`${dtype}: every optimizer on softmax regression`, async () => {
      for (const [name, optimizerOptions] of OPTIMIZERS) {
        const options: FitOptions = { optimizer: name, optimizerOptions, batchSize: 10, epochs: 2, seed: 5, tol: null };
        const wasm = await run("softmax", dtype, "wasm", options, "epochs");
        const ts = await run("softmax", dtype, "ts", options, "epochs");
        expect(summary(wasm)).toEqual(summary(ts));
      }
    });
  }
});

describe("the wasm and ts backends agree on linear MSE with 1 or 2 features", () => {
  // WebAssembly runs these batches' rows four (f32) or two (f64) at a time when they follow
  // each other in the data (crate/src/model/affine.rs), which a run checks once for an
  // order it does not shuffle; shuffled batches must take the per-row loop.
  for (const dtype of ["f32", "f64"] as const) {
    it(`${dtype}: in order or shuffled, whole epochs or runs of batches, full and mini-batches`, async () => {
      for (const d of [1, 2]) {
        const N = data(101, d, 3);
        for (const [batchSize, shuffle, path] of [[101, false, "epochs"], [101, true, "epochs"], [24, false, "epochs"], [24, true, "epochs"], [24, false, "batches"], [24, true, "batches"]] as const) {
          const results = [];
          for (const backend of ["wasm", "ts"] as const) {
            const m = new LinearRegression({ dtype, backend });
            try {
              const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: 0.05 }, batchSize, epochs: 4, tol: null, ...(shuffle ? { seed: 2 } : { shuffle }) };
              const result = await fit(m, toDataset(N.X, N.y), path === "batches" ? { ...options, onEpoch: () => {} } : options);
              results.push({ weights: m.parameters().flatMap((p) => [...p.data]), history: result.history.map(({ time: _time, ...rest }) => rest) });
            } finally {
              m.dispose();
            }
          }
          expect(results[0], `d ${d}, batch ${batchSize}, shuffle ${shuffle}, ${path}`).toEqual(results[1]);
        }
      }
    });
  }
});

describe("optimizers given by the user", () => {
  it("keeps exactly the steps taken: a NAdam stopped mid-run by gradientTol has the per-batch path's state", async () => {
    const states = [];
    for (const perBatch of [false, true]) {
      const m = new LinearRegression({ features: 5 });
      const optimizer = new NAdam(m.parameters(), { lr: 0.05 });
      const spy = vi.spyOn(wasmBackend, "train");
      const result = await fit(m, toDataset(D.X, D.y), { optimizer, batchSize: 4, epochs: 30, gradientTol: 0.3, seed: 9, tol: null, ...(perBatch ? { onIteration: () => {} } : {}) });
      expect(result.reason).toBe("converged");
      expect(spy.mock.calls.length > 0).toBe(!perBatch);
      states.push({ iterations: result.iterations, steps: optimizer.steps, state: optimizer.stateDict(), weights: [...m.weights] });
      spy.mockRestore();
      optimizer.dispose();
      m.dispose();
    }
    expect(states[0]).toEqual(states[1]);
    expect(states[0]!.steps).toBe(states[0]!.iterations);
  });

  it("steps batch by batch when the optimizer holds the parameters in another order", async () => {
    const results = [];
    for (const reversed of [true, false]) {
      const m = new LinearRegression({ features: 5 });
      const [w, b] = m.parameters();
      const optimizer = new SGD(reversed ? [b!, w!] : [w!, b!], { lr: 0.05, momentum: 0.9 });
      const spy = vi.spyOn(wasmBackend, "train");
      await fit(m, toDataset(D.X, D.y), { optimizer, batchSize: 16, epochs: 2, seed: 1, tol: null });
      expect(spy.mock.calls.length > 0).toBe(!reversed);
      results.push([...m.weights, m.bias]);
      spy.mockRestore();
      optimizer.dispose();
      m.dispose();
    }
    // The update of each tensor does not depend on the order of the tensors.
    expect(results[0]).toEqual(results[1]);
  });
});

describe("Backend.train's window of rows", () => {
  it("ts: refuses rows past the row buffer's end, as the wasm backend does (below)", () => {
    const b = tsBackend;
    const [x, y, w, gw] = [b.alloc("f64", 8), b.alloc("f64", 4), b.alloc("f64", 2), b.alloc("f64", 2)];
    const rows = b.allocRows(4);
    const plan = b.plan("f64", [{ param: w, grad: gw, state: [null] }], 1);
    const model = { model: "linear" as const, x, y, n: 4, d: 2, k: 1, rows, weights: w, bias: null, gradW: gw, gradB: null, scratch: b.alloc("f64", 12), loss: 0, delta: 1, l2: 0, l1: 0 };
    const call = { model, first: 2, count: 3, batch: 1, kernel: "sgd" as const, plan, scalars: b.alloc("f64", 24), flags: b.allocRows(3), maxNorm: NaN, tol: 0, losses: b.alloc("f64", 3), norms: b.alloc("f64", 3), epochs: null };
    expect(() => b.train(call)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/rows first = 2, count = 3 must lie inside the row buffer of 4 rows/) }));
  });
});

describe("dh_train checks everything before the first write", () => {
  it("refuses missing optimizer state, overlapping outputs, an empty batch and a row out of range, leaving the parameters as they were", () => {
    const n = 6;
    const dtype = "f64";
    const b = wasmBackend;
    const owned: { dispose(): void }[] = [];
    const keep = <T extends { dispose(): void }>(x: T): T => (owned.push(x), x);
    const x = keep(b.alloc(dtype, n * 2));
    const y = keep(b.alloc(dtype, n));
    x.array.set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    y.array.set([1, 0, 1, 0, 1, 0]);
    const [w, gw, m, v] = [keep(b.alloc(dtype, 2)), keep(b.alloc(dtype, 2)), keep(b.alloc(dtype, 2)), keep(b.alloc(dtype, 2))];
    w.array.set([0.5, -0.5]);
    const rows = keep(b.allocRows(n));
    rows.array.set([0, 1, 2, 3, 4, 5]);
    const flags = keep(b.allocRows(3));
    const [scalars, losses, norms] = [keep(b.alloc("f64", 3 * 8)), keep(b.alloc("f64", 3)), keep(b.alloc("f64", 3))];
    // Adam's scalars for steps 1 … 3 (lr 0.01), as ts/optim/adam.ts prepares them.
    for (let t = 1; t <= 3; t++) scalars.array.set([0.9, 0.999, 1e-8, 0, -0.01 / (1 - 0.9 ** t), Math.sqrt(1 - 0.999 ** t)], (t - 1) * 8);
    const scratch = keep(b.alloc(dtype, 2 * 3));
    const model = { model: "linear" as const, x, y, n, d: 2, k: 1, rows, weights: w, bias: null, gradW: gw, gradB: null, scratch, loss: 0, delta: 1, l2: 0, l1: 0 };
    const withStates = keep(b.plan(dtype, [{ param: w, grad: gw, state: [m, v, null] }], 3));
    const withoutStates = keep(b.plan(dtype, [{ param: w, grad: gw, state: [null, null, null] }], 3));
    const call = { model, first: 0, count: n, batch: 2, kernel: "adam" as const, plan: withStates, scalars, flags, maxNorm: NaN, tol: 0, losses, norms, epochs: null };
    const refused = (bad: object, reason: RegExp) => {
      expect(() => b.train({ ...call, ...bad })).toThrow(expect.objectContaining({ code: "WASM_FAULT", message: expect.stringMatching(reason) }));
      expect([...w.array]).toEqual([0.5, -0.5]);
      expect([...m.array, ...v.array]).toEqual([0, 0, 0, 0]);
    };
    // A window of rows past the row buffer's end (it would read another buffer's values).
    for (const window of [{ first: 1 }, { first: -1 }, { first: 0.5 }, { count: n + 1 }]) {
      expect(() => b.train({ ...call, ...window })).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(/must lie inside the row buffer of 6 rows/) }));
    }
    expect([...w.array]).toEqual([0.5, -0.5]);
    refused({ plan: withoutStates }, /a missing optimizer state buffer/);
    refused({ norms: losses }, /buffers that overlap/);
    refused({ batch: 0 }, /an invalid argument/);
    rows.array[4] = n;
    refused({}, /an invalid argument/);
    rows.array[4] = 4;
    // Whole epochs: an all-zero generator (xoshiro would draw zeros forever), patience 0,
    // a NaN best loss and a watch overlapping the records are refused too, rows unshuffled.
    const [watch, best, rng] = [keep(b.alloc("f64", 5)), keep(b.alloc(dtype, 2)), keep(b.allocRows(4))];
    watch.array.set([NaN, 1, 0, Infinity, 0]);
    const epochs = { count: 1, rng, watch, best };
    refused({ epochs }, /an invalid argument/);
    rng.array.set([1, 2, 3, 4]);
    watch.array[1] = 0;
    refused({ epochs }, /an invalid argument/);
    watch.array.set([NaN, 1, 0, NaN, 0]);
    refused({ epochs }, /an invalid argument/);
    watch.array[3] = Infinity;
    refused({ epochs: { ...epochs, watch: losses } }, /buffers that overlap/);
    expect([...rows.array]).toEqual([0, 1, 2, 3, 4, 5]);
    // Then the same call runs: three Adam steps, each moving both weights by about lr = 0.01.
    expect(b.train(call)).toBe(3);
    expect(Math.abs(w.array[0]! - 0.5)).toBeGreaterThan(0.02);
    expect(Math.abs(w.array[0]! - 0.5)).toBeLessThan(0.0301);
    for (const o of owned.reverse()) o.dispose();
  });
});
