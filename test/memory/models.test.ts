/**
 * The linear models own their WebAssembly memory: binding and disposing a dataset 1000
 * times, and whole create/bind/train/dispose cycles of every model, return live bytes
 * and memory size to where they were.
 */
import { describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, SGD, SoftmaxRegression, fit, memoryUsage, toDataset } from "../../ts/index.ts";
import { randomNormals } from "../helpers/random.ts";

const n = 50, d = 7;
const X = { data: randomNormals(1, n * d), shape: [n, d] as [number, number] };
const rowsOf = (count: number) => Uint32Array.from({ length: count }, (_, i) => (i * 7) % n);

describe("model memory", () => {
  it("1000 bind/dispose cycles (with batches, loss() and a grown batch buffer) return live bytes to the baseline", () => {
    const model = new SoftmaxRegression({ backend: "wasm", classes: 3, dtype: "f32" });
    const data = toDataset(X, Array.from({ length: n }, (_, i) => i % 3));
    const cycle = () => {
      const bound = model.bind(data);
      bound.lossAndGradient(rowsOf(16), 0, 16);
      bound.lossAndGradient(rowsOf(3 * n), 0, 3 * n); // larger than n: the row buffers grow
      bound.loss();
      bound.dispose();
    };
    cycle(); // creates the parameters and lets the allocator grow memory once
    const before = memoryUsage();
    for (let i = 0; i < 1000; i++) cycle();
    const after = memoryUsage();
    expect(before.liveBytes).toBeGreaterThan(0);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.memoryBytes).toBe(before.memoryBytes);
    model.dispose();
  });

  it("create/bind/train/dispose cycles of every model free everything, including data still bound", () => {
    const y = Array.from(randomNormals(2, n));
    const cycle = (i: number) => {
      const models = [
        new LinearRegression({ backend: "wasm", loss: "huber", penalty: { l2: 0.1 } }),
        new LogisticRegression({ backend: "wasm", bias: false }),
        new SoftmaxRegression({ backend: "wasm", classes: 4, dtype: "f32" }),
      ];
      const targets = [y, y.map((v) => (v > 0 ? 1 : 0)), y.map((v) => Math.min(3, Math.floor(Math.abs(v) * 2)))];
      models.forEach((m, k) => {
        const bound = m.bind(toDataset(X, targets[k]!));
        const opt = new SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
        bound.lossAndGradient(rowsOf(10 + (i % 5)), 0, 10 + (i % 5));
        opt.step();
        bound.loss();
        opt.dispose();
        m.dispose(); // frees the bound data too
      });
    };
    cycle(0);
    const before = memoryUsage();
    for (let i = 0; i < 300; i++) cycle(i);
    const after = memoryUsage();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.memoryBytes).toBe(before.memoryBytes);
  });

  it("fit() on a Dataset frees what it made for the fit: the bound training and validation parts and its optimizer's state", async () => {
    const model = new LinearRegression({ backend: "wasm" });
    const data = toDataset(X, Array.from(randomNormals(3, n)));
    const options = { optimizer: "sgd", optimizerOptions: { lr: 0.01, momentum: 0.9 }, batchSize: 8, epochs: 2, seed: 4, validationFraction: 0.2 } as const;
    await fit(model, data, options); // creates the parameters
    const before = memoryUsage();
    for (let i = 0; i < 20; i++) {
      const result = await fit(model, data, options);
      expect(result.history[0]!.validationLoss).toBeGreaterThan(0);
      expect(memoryUsage().liveBytes).toBe(before.liveBytes);
    }
    model.dispose();
  });

  it("fit() refuses a factory's optimizer that updates another model's parameters and disposes it; the caller's own optimizer is left usable", async () => {
    const model = new LinearRegression({ backend: "wasm" });
    const other = new LinearRegression({ backend: "wasm" });
    const data = toDataset(X, Array.from(randomNormals(3, n)));
    await fit(model, data, { epochs: 1 }); // creates the parameters
    await fit(other, data, { epochs: 1 });
    const before = memoryUsage().liveBytes;
    let made: SGD | null = null;
    const factory = () => (made = new SGD(other.parameters(), { lr: 0.1, momentum: 0.9 }));
    await expect(fit(model, data, { optimizer: factory, epochs: 1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(made!.disposed).toBe(true);
    expect(memoryUsage().liveBytes).toBe(before);
    const own = new SGD(other.parameters(), { lr: 0.1, momentum: 0.9 });
    await expect(fit(model, data, { optimizer: own, epochs: 1 })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(own.disposed).toBe(false);
    own.step();
    own.dispose();
    model.dispose();
    other.dispose();
  });

  it("a bound dataset holds its copy while alive: X, y, rows and scratch", () => {
    const model = new LinearRegression({ backend: "wasm" });
    const data = toDataset(X, Array.from(randomNormals(3, n)));
    model.bind(data).dispose(); // parameters now exist
    const before = memoryUsage().liveBytes;
    const bound = model.bind(data);
    // X (n·d f64) + y (n f64) + rows (n u32) + scratch (3n f64).
    expect(memoryUsage().liveBytes - before).toBe(8 * n * d + 8 * n + 4 * n + 8 * 3 * n);
    bound.dispose();
    expect(memoryUsage().liveBytes).toBe(before);
    model.dispose();
  });
});
