/**
 * fit(): batches, shuffling, determinism, history, schedules and optimizers, checked
 * against independent computations (normal equations, gradients recomputed in the test,
 * replayed schedules, a second fit built another way).
 */
import { describe, expect, it } from "vitest";
import { Adam, ReduceLROnPlateau, SGD, StepLR, clipGradNorm, fit, trainValidationSplit, type BackendName, type EpochRecord, type FitResult, type Parameter } from "../../ts/index.ts";
import type { BoundData, Trainable } from "../../ts/train/trainable.ts";
import { LeastSquares, leastSquares, linearData, mseAndGradient } from "../helpers/trainables.ts";

const BACKENDS: readonly BackendName[] = ["ts", "wasm"];

/** The result without timings, as exact JSON (bit patterns of every number). */
function bits(result: FitResult): string {
  const exact = (x: number) => (Object.is(x, -0) ? "-0" : String(x));
  return JSON.stringify({
    ...result,
    history: result.history.map(({ time: _time, ...r }) => r),
    finalWeights: result.finalWeights.map((w) => Array.from(w, exact)),
    bestWeights: result.bestWeights.map((w) => Array.from(w, exact)),
  }, (_, v) => (typeof v === "number" ? exact(v) : v));
}

describe("fit converges to the least-squares solution", () => {
  const data = linearData(60, [1.5, -2, 0.5], 0.3, 0.1, 7);
  const exact = leastSquares(data.X, data.y!, data.n, data.d);

  for (const backend of BACKENDS) {
    it(`${backend}: batch gradient descent reaches the normal-equation solution (reason "converged")`, async () => {
      const model = new LeastSquares(3, { backend });
      const result = await fit(model, data, { batchSize: data.n, shuffle: false, optimizer: "sgd", optimizerOptions: { lr: 0.1 }, tol: null, gradientTol: 1e-10, epochs: 100_000 });
      expect(result.reason).toBe("converged");
      expect(result.converged).toBe(true);
      expect(result.iterations).toBe(result.epochs); // one step per epoch with the whole data
      const [w, b] = model.values();
      [...w!, ...b!].forEach((v, i) => expect(v).toBeCloseTo(exact[i]!, 9));
      expect(result.history.at(-1)!.gradNorm).toBeLessThan(1e-10);
    });
  }

  it("mini-batch Adam with a shrinking schedule gets close too", async () => {
    const model = new LeastSquares(3);
    const result = await fit(model, data, { batchSize: 8, optimizer: "adam", optimizerOptions: { lr: 0.05 }, schedule: (o) => new StepLR(o, { stepSize: 50, gamma: 0.3 }), tol: null, epochs: 400, seed: 3 });
    expect(result.reason).toBe("maxIter");
    expect(result.converged).toBe(false);
    const [w, b] = model.values();
    [...w!, ...b!].forEach((v, i) => expect(v).toBeCloseTo(exact[i]!, 3));
  });
});

describe("batches", () => {
  const data = linearData(10, [1, -1], 0.5, 0.2, 1);

  async function batchesOf(options: Parameters<typeof fit>[2]): Promise<{ model: LeastSquares; result: FitResult }> {
    const model = new LeastSquares(2);
    model.logBatches = true;
    const result = await fit(model, data, { tol: null, optimizerOptions: { lr: 0.01 }, ...options });
    return { model, result };
  }

  it.each([
    ["1 (SGD)", 1, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]],
    ["the dataset size (batch GD)", 10, [10]],
    ["between (mini-batch), with a short last batch", 4, [4, 4, 2]],
    ["larger than the data (clamped)", 1000, [10]],
  ])("batchSize %s", async (_, batchSize, sizes) => {
    const { model, result } = await batchesOf({ batchSize, epochs: 3, seed: 5 });
    expect(model.batches.map((b) => b.length)).toEqual([...sizes, ...sizes, ...sizes]);
    expect(result.iterations).toBe(3 * sizes.length);
    expect(result.history.map((h) => h.iterations)).toEqual([sizes.length, sizes.length, sizes.length]);
    // Every epoch visits every row once.
    for (let e = 0; e < 3; e++) {
      const rows = model.batches.slice(e * sizes.length, (e + 1) * sizes.length).flat();
      expect([...rows].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }
  });

  it("shuffles each epoch with the seed, and keeps the order without shuffle", async () => {
    const shuffled = await batchesOf({ batchSize: 10, epochs: 3, seed: 9 });
    const orders = shuffled.model.batches.map((b) => b.join());
    expect(new Set(orders).size).toBe(3);
    const plain = await batchesOf({ batchSize: 10, epochs: 2, shuffle: false });
    expect(plain.model.batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it("each step applies the mean gradient of its batch's rows, the short last batch averaged over its own size", async () => {
    const model = new LeastSquares(2, { weights: [0.3, -0.2], bias: 0.1 });
    model.logBatches = true;
    let before = [...model.weight.toArray(), ...model.bias.toArray()];
    const checked: number[] = [];
    await fit(model, data, {
      batchSize: 4,
      epochs: 2,
      seed: 11,
      tol: null,
      optimizer: "sgd",
      optimizerOptions: { lr: 1 },
      onIteration: (it) => {
        const rows = model.batches.at(-1)!;
        expect(rows.length).toBe(it.batchSize);
        const expected = mseAndGradient(data, before.slice(0, 2), before[2]!, rows);
        const after = [...model.weight.toArray(), ...model.bias.toArray()];
        // lr 1: the step is exactly minus the gradient.
        [...expected.gw, expected.gb].forEach((g, k) => expect(before[k]! - after[k]!).toBeCloseTo(g, 12));
        expect(it.loss).toBeCloseTo(expected.loss, 12);
        checked.push(rows.length);
        before = after;
      },
    });
    expect(checked).toEqual([4, 4, 2, 4, 4, 2]);
  });
});

describe("determinism", () => {
  const data = linearData(37, [0.5, 2, -1], -0.4, 0.3, 2);
  const options = { batchSize: 5, epochs: 12, optimizer: "adam" as const, optimizerOptions: { lr: 0.02 }, tol: 1e-6, earlyStopping: true, validationFraction: 0.2, recordIterations: true };

  it("same seed, data and options: the same result, bit for bit, on each backend and across backends", async () => {
    const runs: string[] = [];
    for (const backend of BACKENDS) {
      for (let k = 0; k < 2; k++) runs.push(bits(await fit(new LeastSquares(3, { backend }), data, { ...options, seed: 42 })));
    }
    expect(new Set(runs).size).toBe(1);
  });

  it("f32 models are reproducible too", async () => {
    const a = await fit(new LeastSquares(3, { dtype: "f32" }), data, { ...options, seed: 1 });
    const b = await fit(new LeastSquares(3, { dtype: "f32", backend: "wasm" }), data, { ...options, seed: 1 });
    expect(bits(a)).toBe(bits(b));
    expect(a.finalWeights[0]).toBeInstanceOf(Float32Array);
  });

  it("a different seed gives a different order and different weights", async () => {
    const a = await fit(new LeastSquares(3), data, { ...options, seed: 1 });
    const b = await fit(new LeastSquares(3), data, { ...options, seed: 2 });
    expect(bits(a)).not.toBe(bits(b));
    expect(Array.from(a.finalWeights[0]!)).not.toEqual(Array.from(b.finalWeights[0]!));
  });
});

describe("history", () => {
  const data = linearData(23, [1, 2], 0, 0.5, 4);

  it("records per epoch the mean training loss, validation loss, gradient norm, lr and time, and per iteration on request", async () => {
    const model = new LeastSquares(2);
    model.logBatches = true;
    const norms: number[] = [];
    const epochWeights: number[][] = [];
    const result = await fit(model, data, {
      batchSize: 4,
      epochs: 6,
      seed: 8,
      tol: null,
      validationFraction: 0.3,
      recordIterations: true,
      optimizerOptions: { lr: 0.05 },
      schedule: (o) => new StepLR(o, { stepSize: 2, gamma: 0.5 }),
      onIteration: () => {
        const g = [...model.weight.grad, ...model.bias.grad];
        norms.push(Math.sqrt(g.reduce((s, x) => s + x * x, 0)));
      },
      onEpoch: () => void epochWeights.push([...model.weight.toArray(), ...model.bias.toArray()]),
    });
    const its = result.iterationHistory!;
    expect(result.history).toHaveLength(6);
    expect(its).toHaveLength(result.iterations);
    // The validation part: 7 of 23 rows (⌈0.3·23⌉), so 16 training rows in batches of 4, 4, 4, 4.
    expect(result.history.every((h) => h.iterations === 4)).toBe(true);
    // The split is trainValidationSplit's with the fit's seed, drawn before the shuffles.
    const split = trainValidationSplit(data, { validationFraction: 0.3, seed: 8 });
    const validationRows = Array.from(split.validationIndices);
    expect(validationRows).toHaveLength(7);
    expect(model.batches.slice(0, 4).flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    result.history.forEach((h, e) => {
      expect(h.epoch).toBe(e + 1);
      const mine = its.filter((r) => r.epoch === h.epoch);
      const weighted = mine.reduce((s, r) => s + r.loss * r.batchSize, 0) / mine.reduce((s, r) => s + r.batchSize, 0);
      expect(h.trainLoss).toBeCloseTo(weighted, 12);
      expect(h.gradNorm).toBe(mine.at(-1)!.gradNorm);
      expect(h.lr).toBeCloseTo(0.05 * 0.5 ** Math.floor(e / 2), 15);
      const w = epochWeights[e]!;
      expect(h.validationLoss).toBeCloseTo(mseAndGradient(data, w.slice(0, 2), w[2]!, validationRows).loss, 12);
      expect(h.time).toBeGreaterThanOrEqual(0);
    });
    its.forEach((r, k) => {
      expect(r.iteration).toBe(k + 1);
      expect(r.gradNorm).toBeCloseTo(norms[k]!, 12);
    });
  });

  it("hands onEpoch the records the history then holds: frozen, in a frozen array read as the same array each time", async () => {
    const seen: EpochRecord[] = [];
    const result = await fit(new LeastSquares(2), data, { batchSize: 8, epochs: 4, seed: 1, tol: null, validationFraction: 0.2, onEpoch: (r) => void seen.push(r) });
    expect(seen).toHaveLength(4);
    expect(result.history).toBe(result.history);
    expect(result.history).toHaveLength(4);
    result.history.forEach((h, i) => {
      expect(h).toBe(seen[i]);
      expect(Object.isFrozen(h)).toBe(true);
    });
    expect([Object.isFrozen(result.history), Object.isFrozen(result)]).toEqual([true, true]);
    // It is an ordinary field to a copy: JSON and spreads carry it.
    expect(JSON.parse(JSON.stringify(result)).history).toEqual(JSON.parse(JSON.stringify(seen)));
    expect({ ...result }.history).toBe(result.history);
  });

  it("steps a schedule per iteration when asked", async () => {
    const result = await fit(new LeastSquares(2), data, {
      batchSize: 8,
      epochs: 3,
      tol: null,
      recordIterations: true,
      optimizerOptions: { lr: 0.1 },
      schedule: (o) => new StepLR(o, { stepSize: 1, gamma: 0.9 }),
      scheduleEvery: "iteration",
    });
    result.iterationHistory!.forEach((r, k) => expect(r.lr).toBeCloseTo(0.1 * 0.9 ** k, 15));
  });

  it("feeds ReduceLROnPlateau the monitored loss every epoch", async () => {
    const result = await fit(new LeastSquares(2), data, {
      batchSize: 23,
      shuffle: false,
      epochs: 8,
      tol: null,
      optimizerOptions: { lr: 1e-4 },
      schedule: (o) => new ReduceLROnPlateau(o, { patience: 1, threshold: 0.05 }),
    });
    // Replay the recorded losses into an independent ReduceLROnPlateau.
    const replay = new SGD([new Float64Array(1)], { lr: 1e-4 });
    const plateau = new ReduceLROnPlateau(replay, { patience: 1, threshold: 0.05 });
    const expected = result.history.map((h) => {
      const lr = replay.paramGroups[0]!.options.lr;
      plateau.step(h.trainLoss);
      return lr;
    });
    expect(result.history.map((h) => h.lr)).toEqual(expected);
    expect(new Set(expected).size).toBeGreaterThan(1);
  });
});

describe("optimizers", () => {
  const data = linearData(30, [1, -1, 2], 1, 0.1, 5);

  it("a name with optimizerOptions, a factory and an optimizer instance train the same bits", async () => {
    const common = { batchSize: 7, epochs: 5, seed: 3, tol: null };
    const byName = await fit(new LeastSquares(3), data, { ...common, optimizer: "adam", optimizerOptions: { lr: 0.03, amsgrad: true } });
    const byFactory = await fit(new LeastSquares(3), data, { ...common, optimizer: (p: Parameter[]) => new Adam(p, { lr: 0.03, amsgrad: true }) });
    const model = new LeastSquares(3);
    const mine = new Adam(model.parameters(), { lr: 0.03, amsgrad: true });
    const byInstance = await fit(model, data, { ...common, optimizer: mine });
    expect(bits(byFactory)).toBe(bits(byName));
    expect(bits(byInstance)).toBe(bits(byName));
    // fit() does not dispose an optimizer it was given; its state continues.
    expect(mine.disposed).toBe(false);
    expect(mine.steps).toBe(byName.iterations);
  });

  it.each(["sgd", "adam", "adamw", "adamax", "nadam", "radam", "adagrad", "rmsprop", "adadelta", "lion"] as const)("%s by name lowers the loss", async (name) => {
    const model = new LeastSquares(3);
    const result = await fit(model, data, { optimizer: name, optimizerOptions: { lr: name === "adadelta" ? 1 : 0.01 }, epochs: 20, tol: null, batchSize: 10 });
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
  });

  it("clipGradNorm clips exactly as the public clipGradNorm does", async () => {
    /** The same model, clipping its own gradient with the public function. */
    class Clipping extends LeastSquares {
      override bind(d: typeof data): BoundData {
        const inner = super.bind(d);
        return { ...inner, n: inner.n, lossAndGradient: (i, s, e) => {
          const loss = inner.lossAndGradient(i, s, e);
          clipGradNorm(this.parameters(), 0.5);
          return loss;
        } };
      }
    }
    const common = { batchSize: 5, epochs: 4, seed: 2, tol: null, optimizerOptions: { lr: 0.1 } };
    const a = await fit(new LeastSquares(3), data, { ...common, clipGradNorm: 0.5 });
    const b = await fit(new Clipping(3), data, common);
    expect(a.finalWeights.map((w) => Array.from(w))).toEqual(b.finalWeights.map((w) => Array.from(w)));
    const c = await fit(new LeastSquares(3), data, common);
    expect(Array.from(c.finalWeights[0]!)).not.toEqual(Array.from(a.finalWeights[0]!));
  });
});

describe("reliability", () => {
  const data = linearData(20, [1, 2], 0, 0.1, 6);

  it("epochs 0 changes nothing", async () => {
    const model = new LeastSquares(2, { weights: [0.5, 0.25], bias: 1 });
    const result = await fit(model, data, { epochs: 0 });
    expect(model.values()).toEqual([[0.5, 0.25], [1]]);
    expect(result).toMatchObject({ reason: "maxIter", converged: false, epochs: 0, iterations: 0, history: [], bestEpoch: 0, restoredBest: false });
    expect(model.live).toBe(0);
  });

  it("a throwing callback rejects with its error, leaves the weights at the last completed step, and the model reusable", async () => {
    const model = new LeastSquares(2);
    const boom = new Error("boom");
    let seen: number[][] = [];
    const run = fit(model, data, {
      batchSize: 3,
      tol: null,
      onIteration: (it) => {
        seen = model.values();
        if (it.iteration === 5) throw boom;
      },
    });
    await expect(run).rejects.toBe(boom);
    expect(model.values()).toEqual(seen);
    expect(model.live).toBe(0);
    const again = await fit(model, data, { epochs: 2, tol: null });
    expect(again.epochs).toBe(2);
  });

  it("an async callback is awaited", async () => {
    const order: string[] = [];
    await fit(new LeastSquares(2), data, {
      epochs: 2,
      tol: null,
      onEpoch: async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${e.epoch}`);
      },
      onIteration: (it) => void (it.iteration === 1 || order.at(-1)?.startsWith("end") ? order.push(`it ${it.epoch}`) : undefined),
    });
    expect(order).toEqual(["it 1", "end 1", "it 2", "end 2"]);
  });

  it("a second concurrent fit of the same model is refused with code BUSY", async () => {
    const model = new LeastSquares(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = fit(model, data, { epochs: 1, tol: null, onEpoch: () => gate });
    await expect(fit(model, data)).rejects.toMatchObject({ code: "BUSY" });
    release();
    expect((await first).epochs).toBe(1);
    expect((await fit(model, data, { epochs: 1 })).epochs).toBe(1);
    // Another model may train meanwhile.
    const other = new LeastSquares(2);
    const gate2 = new Promise<void>((r) => (release = r));
    const running = fit(model, data, { epochs: 1, onEpoch: () => gate2 });
    expect((await fit(other, data, { epochs: 1 })).epochs).toBe(1);
    release();
    await running;
  });

  it("a second model object over the same parameters is refused too", async () => {
    const model = new LeastSquares(2);
    const wrapper: Trainable = { dtype: model.dtype, backend: model.backend, parameters: () => model.parameters(), bind: (d) => model.bind(d) };
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = fit(model, data, { epochs: 1, onEpoch: () => gate });
    await expect(fit(wrapper, data)).rejects.toMatchObject({ code: "BUSY" });
    release();
    await first;
    expect((await fit(wrapper, data, { epochs: 1 })).epochs).toBe(1);
  });

  it("frees bound data when the model refuses it", async () => {
    const model = new LeastSquares(3);
    await expect(fit(model, data)).rejects.toThrow(/expected 3 features/);
    expect(model.live).toBe(0);
  });

  it("reads the parameters after binding, for models that create them when they first see the data", async () => {
    let inner: LeastSquares | null = null;
    const lazy: Trainable = {
      dtype: "f64",
      backend: "ts",
      parameters: () => {
        if (inner === null) throw new Error("not bound yet");
        return inner.parameters();
      },
      bind: (d) => (inner ??= new LeastSquares(d.d)).bind(d),
    };
    const result = await fit(lazy, data, { epochs: 2, batchSize: 20, tol: null, optimizer: "adam" });
    expect(result.iterations).toBe(2);
    expect(inner!.weight.toArray()).not.toEqual([0, 0]);
  });

  it("works with any Trainable (an object, not a class)", async () => {
    const inner = new LeastSquares(2);
    const trainable: Trainable = { dtype: inner.dtype, backend: inner.backend, parameters: () => inner.parameters(), bind: (d) => inner.bind(d) };
    const result = await fit(trainable, data, { epochs: 3, tol: null });
    expect(result.iterations).toBe(3);
  });
});
