/**
 * Every reason fit() stops for, each reached by a run built for it, with the expected
 * epoch counted from the rule itself (scikit-learn's tol / n_iter_no_change).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { fit, toDataset, type IterationRecord } from "../../ts/index.ts";
import { LeastSquares, linearData } from "../helpers/trainables.ts";

const data = linearData(24, [1, -2], 0.5, 0.1, 3);

afterEach(() => vi.restoreAllMocks());

describe("maxIter", () => {
  it("stops after `epochs` epochs with converged: false", async () => {
    const result = await fit(new LeastSquares(2), data, { epochs: 3, batchSize: 8, tol: null });
    expect(result).toMatchObject({ reason: "maxIter", converged: false, epochs: 3, iterations: 9 });
  });

  it("stops within an epoch after `maxIter` steps, recording the partial epoch", async () => {
    const model = new LeastSquares(2);
    model.logBatches = true;
    const result = await fit(model, data, { epochs: 100, maxIter: 4, batchSize: 8, tol: null });
    expect(result).toMatchObject({ reason: "maxIter", converged: false, epochs: 2, iterations: 4 });
    expect(result.history.map((h) => h.iterations)).toEqual([3, 1]);
    expect(model.batches).toHaveLength(4);
  });
});

describe("noImprovement", () => {
  it("stops when the training loss has not improved by more than tol for nIterNoChange epochs", async () => {
    // lr 0: the loss never changes, so epoch 1 sets the best and epochs 2 … 1 + nIterNoChange do not improve.
    const model = new LeastSquares(2, { weights: [0.2, 0.1] });
    const result = await fit(model, data, { optimizerOptions: { lr: 0 }, nIterNoChange: 3, tol: 1e-4, batchSize: 24, shuffle: false });
    expect(result).toMatchObject({ reason: "noImprovement", converged: true, epochs: 4, bestEpoch: 1, restoredBest: false });
  });

  it("counts improvements smaller than tol as none (scikit-learn's rule), replayed from the history", async () => {
    const tol = 0.05;
    const result = await fit(new LeastSquares(2), data, { optimizerOptions: { lr: 0.01 }, nIterNoChange: 2, tol, batchSize: 6, seed: 1, epochs: 500 });
    expect(result.reason).toBe("noImprovement");
    let best = Infinity;
    let bad = 0;
    let stopAt = 0;
    for (const h of result.history) {
      bad = h.trainLoss > best - tol ? bad + 1 : 0;
      best = Math.min(best, h.trainLoss);
      if (bad >= 2) {
        stopAt = h.epoch;
        break;
      }
    }
    expect(result.epochs).toBe(stopAt);
    expect(result.epochs).toBeGreaterThan(3);
  });
});

describe("earlyStopping", () => {
  // Training rows follow y = 2x, the last 25% (the validation part without shuffling) y = x:
  // the validation loss falls while w passes 1, then rises as w goes on to 2.
  const X = Array.from({ length: 16 }, (_, i) => [((i % 8) - 3.5) / 2]);
  const y = X.map(([x], i) => (i < 12 ? 2 * x! : x!));
  const shifted = toDataset(X, y);

  it("stops on the validation loss and restores the weights of its best epoch", async () => {
    const model = new LeastSquares(1);
    const weightsAt: number[][][] = [];
    const result = await fit(model, shifted, {
      earlyStopping: true,
      validationFraction: 0.25,
      shuffle: false,
      batchSize: 12,
      optimizerOptions: { lr: 0.05 },
      tol: 1e-6,
      nIterNoChange: 3,
      onEpoch: () => void weightsAt.push(model.values()),
    });
    expect(result.reason).toBe("earlyStopping");
    expect(result.converged).toBe(true);
    const losses = result.history.map((h) => h.validationLoss!);
    const argmin = losses.indexOf(Math.min(...losses)) + 1;
    expect(result.bestEpoch).toBe(argmin);
    expect(result.epochs).toBe(argmin + 3);
    expect(result.restoredBest).toBe(true);
    expect(model.values()).toEqual(weightsAt[argmin - 1]);
    expect(model.values()).toEqual(result.bestWeights.map((w) => Array.from(w)));
    expect(result.finalWeights.map((w) => Array.from(w))).toEqual(weightsAt.at(-1));
    expect(result.finalWeights[0]![0]).toBeGreaterThan(result.bestWeights[0]![0]!);
  });
});

describe("callback", () => {
  it('onEpoch returning "stop" ends the fit after that epoch', async () => {
    const result = await fit(new LeastSquares(2), data, { tol: null, onEpoch: (e) => (e.epoch === 3 ? "stop" : undefined) });
    expect(result).toMatchObject({ reason: "callback", converged: false, epochs: 3 });
  });

  it('onIteration returning "stop" (or a promise of it) ends the fit after that step', async () => {
    const result = await fit(new LeastSquares(2), data, { batchSize: 5, tol: null, onIteration: async (it) => (it.iteration === 7 ? "stop" : undefined) });
    expect(result).toMatchObject({ reason: "callback", epochs: 2, iterations: 7 });
    expect(result.history.map((h) => h.iterations)).toEqual([5, 2]);
  });
});

describe("aborted", () => {
  it("stops at the next batch boundary", async () => {
    const controller = new AbortController();
    const result = await fit(new LeastSquares(2), data, {
      batchSize: 4,
      tol: null,
      signal: controller.signal,
      onIteration: (it) => void (it.iteration === 5 ? controller.abort() : undefined),
    });
    expect(result).toMatchObject({ reason: "aborted", converged: false, iterations: 5, epochs: 1 });
  });

  it("stops a long fit when aborted from a timer, and leaves no listener behind", async () => {
    const controller = new AbortController();
    const add = vi.spyOn(controller.signal, "addEventListener");
    const remove = vi.spyOn(controller.signal, "removeEventListener");
    setTimeout(() => controller.abort(), 30);
    const result = await fit(new LeastSquares(2), data, { batchSize: 1, epochs: 1e9, tol: null, optimizerOptions: { lr: 1e-6 }, signal: controller.signal });
    expect(result.reason).toBe("aborted");
    expect(result.iterations).toBeGreaterThan(0);
    expect(add.mock.calls.length).toBe(remove.mock.calls.length);
  });

  it("an already aborted signal changes nothing", async () => {
    const model = new LeastSquares(2, { weights: [1, 1] });
    const result = await fit(model, data, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ reason: "aborted", epochs: 0, iterations: 0, history: [] });
    expect(model.values()).toEqual([[1, 1], [0]]);
  });
});

describe("diverged", () => {
  for (const dtype of ["f64", "f32"] as const) {
    it(`${dtype}: a huge learning rate stops with "diverged", the epoch and lr, and the best weights restored`, async () => {
      const model = new LeastSquares(2, { dtype });
      const weightsAt: number[][][] = [];
      const result = await fit(model, data, { batchSize: 24, shuffle: false, tol: null, optimizerOptions: { lr: 10 }, onEpoch: () => void weightsAt.push(model.values()) });
      expect(result.reason).toBe("diverged");
      expect(result.converged).toBe(false);
      const d = result.divergence!;
      expect(d.lr).toBe(10);
      expect(d.epoch).toBe(result.epochs);
      expect(result.message).toContain(`epoch ${d.epoch}`);
      expect(result.message).toContain("learning rate 10");
      const last = result.history.at(-1)!;
      const blewUp = !Number.isFinite(last.trainLoss) || !Number.isFinite(last.gradNorm) || result.finalWeights.some((w) => Array.from(w).some((v) => !Number.isFinite(v)));
      expect(blewUp).toBe(true);
      expect(["loss", "gradient", "weights"]).toContain(d.what);
      // The best epoch is the finite one with the lowest loss; its weights are back in the model.
      const finite = result.history.filter((h) => Number.isFinite(h.trainLoss) && h.epoch < d.epoch);
      const bestEpoch = finite.reduce((b, h) => (h.trainLoss < b.trainLoss ? h : b)).epoch;
      expect(result.bestEpoch).toBe(bestEpoch);
      expect(result.restoredBest).toBe(true);
      expect(model.values()).toEqual(weightsAt[bestEpoch - 1]);
      expect(model.values().flat().every(Number.isFinite)).toBe(true);
    });
  }

  for (const dtype of ["f64", "f32"] as const) {
    it(`${dtype}: stops at the first non-finite batch and reports its epoch, batch and the last finite loss`, async () => {
      const model = new LeastSquares(2, { dtype });
      const seen: IterationRecord[] = [];
      const result = await fit(model, data, { batchSize: 5, shuffle: false, tol: null, optimizerOptions: { lr: 3 }, onIteration: (it) => void seen.push(it) });
      expect(result.reason).toBe("diverged");
      const d = result.divergence!;
      // Every step that ran is one onIteration saw; none ran after the divergence.
      expect(result.iterations).toBe(seen.length);
      const last = seen.at(-1)!;
      expect(seen.every((it) => Number.isFinite(it.loss) && Number.isFinite(it.gradNorm))).toBe(true);
      expect(d.lastFiniteLoss).toBe(last.loss);
      const perEpoch = Math.ceil(24 / 5);
      if (d.what === "weights") {
        // The last step made the weights non-finite: it is the reported batch.
        expect([d.epoch, d.batch, d.iteration]).toEqual([last.epoch, (last.iteration - 1) % perEpoch + 1, last.iteration]);
        expect(model.values().flat().every(Number.isFinite)).toBe(true); // best weights restored
      } else {
        // The batch after the last step had a non-finite loss or gradient, and was not stepped.
        const next = last.iteration + 1;
        expect([d.epoch, d.batch, d.iteration]).toEqual([Math.ceil(next / perEpoch), (next - 1) % perEpoch + 1, next]);
      }
      expect(result.message).toContain(`epoch ${d.epoch}, batch ${d.batch}`);
      expect(result.message).toContain(`the last finite batch loss was ${d.lastFiniteLoss}`);
    });
  }

  it("a first batch that is already non-finite reports no last finite loss", async () => {
    const model = new LeastSquares(2, { weights: [0.5, 0.5] });
    const huge = toDataset([[1e200, 1], [-1e200, 2]], [1, 2]);
    const result = await fit(model, huge, { tol: null, batchSize: 1, shuffle: false });
    expect(result.divergence).toMatchObject({ epoch: 1, batch: 1, iteration: 1, what: "loss", lastFiniteLoss: null });
    expect(result.iterations).toBe(0);
    expect(result.message).toContain("no batch had a finite loss");
  });

  it("keeps the initial weights when the first epoch already diverges", async () => {
    const model = new LeastSquares(2, { weights: [0.5, 0.5] });
    const huge = toDataset([[1e200, 1], [-1e200, 2]], [1, 2]);
    const result = await fit(model, huge, { tol: null, optimizerOptions: { lr: 1 } });
    expect(result).toMatchObject({ reason: "diverged", bestEpoch: 0, epochs: 1 });
    expect(model.values()).toEqual([[0.5, 0.5], [0]]);
  });
});
