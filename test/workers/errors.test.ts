/**
 * Invalid uses of `workers` are refused before anything starts: no thread, no parameter
 * created, the model untouched. minimize() has no data to split and refuses `workers`.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, LinearRegression, MLP, fit, minimize, toDataset } from "../../ts/index.ts";
import { liveWorkers } from "../../ts/backend/wasm/workers.ts";
import { bindParallel } from "../../ts/train/data-parallel.ts";
import { LeastSquares } from "../helpers/trainables.ts";

const data = toDataset([[1, 2], [2, 0], [3, 1], [4, 3], [5, 1]], [5, 2, 5, 10, 7]);

async function refusal(run: () => Promise<unknown>): Promise<DownhillError> {
  const error = await run().then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(DownhillError);
  return error as DownhillError;
}

describe("fit options.workers", () => {
  for (const [value, kind] of [
    [0, RangeError], [-2, RangeError], [1.5, RangeError], [NaN, RangeError], [Infinity, RangeError], [65, RangeError],
    ["2", TypeError], [null, TypeError], [true, TypeError],
  ] as const) {
    it(`refuses ${String(value)} before anything starts`, async () => {
      const model = new LinearRegression();
      const e = await refusal(() => fit(model, data, { workers: value as number }));
      expect(e).toBeInstanceOf(kind);
      expect(e.code).toBe("INVALID_ARGUMENT");
      expect(e.message).toContain("fit options.workers must be a whole number of worker threads in [1, 64]");
      expect(e.message).toContain(`got ${typeof value === "string" ? `"${value}"` : String(value)}`);
      expect(model.features).toBeNull(); // no parameters were created
      expect(liveWorkers()).toBe(0);
    });
  }

  it("refuses more workers than training rows, naming both", async () => {
    const model = new LinearRegression();
    const e = await refusal(() => fit(model, data, { workers: 6 }));
    expect(e.message).toBe("fit options.workers (6) is more than the 5 training rows; each worker needs at least one row. Use at most 5 workers.");
    expect(model.features).toBeNull();
    expect(liveWorkers()).toBe(0);
  });

  it("refuses a model on the ts backend", async () => {
    const model = new MLP({ layers: [3], seed: 1, backend: "ts" });
    const e = await refusal(() => fit(model, data, { workers: 2 }));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.message).toContain('this model is on the "ts" backend');
    expect(model.features).toBeNull();
    expect(liveWorkers()).toBe(0);
  });

  it("refuses a Trainable of your own, which has no kernel for the workers", async () => {
    const model = new LeastSquares(2);
    const e = await refusal(() => fit(model, data, { workers: 2 }));
    expect(e.message).toContain("fit options.workers (2) needs one of downhill's models");
    expect(model.binds).toBe(0);
    expect(liveWorkers()).toBe(0);
  });

  it("refuses data the model cannot take, before any thread starts", async () => {
    const model = new LinearRegression({ features: 3, init: [1, 2, 3] });
    const before = Array.from(model.parameters()[0]!.data);
    const e = await refusal(() => fit(model, data, { workers: 2 }));
    expect(e.code).toBe("SHAPE_MISMATCH");
    expect(Array.from(model.parameters()[0]!.data)).toEqual(before);
    expect(liveWorkers()).toBe(0);
  });

  it("refuses a second concurrent fit of the same model (BUSY) while its workers run", async () => {
    const model = new LinearRegression();
    const running = fit(model, data, { workers: 2, epochs: 50, batchSize: 2, tol: null });
    const e = await refusal(() => fit(model, data, { workers: 2 }));
    expect(e.code).toBe("BUSY");
    expect((await running).reason).toBe("maxIter");
    expect(liveWorkers()).toBe(0);
  });
});

describe("the workers' bound data", () => {
  it("refuses a batch with a row that is not bound, naming it, before any gradient is written", async () => {
    const model = new LinearRegression();
    const bound = await bindParallel(model, data, 2, 5);
    try {
      const [w] = model.parameters();
      w!.grad.set([7, 7]);
      const e = await refusal(async () => bound.lossAndGradient(Uint32Array.from([0, 3, 5, 1]), 0, 4));
      expect(e).toBeInstanceOf(RangeError);
      expect(e.message).toBe("lossAndGradient(indices): indices[2] = 5 is not a row of the 5 bound rows.");
      expect(Array.from(w!.grad)).toEqual([7, 7]);
      // The same batch without the stray row works.
      const loss = await bound.lossAndGradient(Uint32Array.from([0, 3, 4, 1]), 0, 4);
      expect(Number.isFinite(loss)).toBe(true);
    } finally {
      bound.dispose();
      await bound.closed;
      model.dispose();
    }
    expect(liveWorkers()).toBe(0);
  });
});

describe("minimize options.workers", () => {
  it("is refused: minimize's objective is a function of x with no rows to split", async () => {
    const e = await refusal(() => minimize((x: Float64Array | Float32Array) => (x[0]! - 1) ** 2, [0], { workers: 2 } as never));
    expect(e).toBeInstanceOf(TypeError);
    expect(e.code).toBe("INVALID_ARGUMENT");
    expect(e.message).toContain("minimize options.workers (2): minimize() has no data to split over worker threads");
    expect(e.message).toContain("fit(model, data, { workers })");
  });
});
