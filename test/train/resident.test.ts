/**
 * fit() on data kept resident with model.bind(dataset): the same fit as on the Dataset,
 * bit for bit; the bound data outlives the fit (fit() neither copies nor frees it), and
 * what cannot work with it is refused up front with nothing changed.
 */
import { describe, expect, it } from "vitest";
import { LinearRegression, LogisticRegression, MLP, fit, toDataset, type FitOptions, type Trainable } from "../../ts/index.ts";
import { Random } from "../../ts/random.ts";

function regression(n: number, d: number, seed: number) {
  const r = new Random(seed);
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => r.normal()));
  const y = X.map((row) => row.reduce((s, x, j) => s + x * (j + 1), 0.5) + 0.1 * r.normal());
  return { X, y };
}

const D = regression(150, 4, 3);
const ds = toDataset(D.X, D.y);
const labels = toDataset(D.X, D.y.map((v) => (v > 3 ? 1 : 0)));

const weights = (m: Trainable) => m.parameters().flatMap((p) => [...p.data]);
const history = (r: Awaited<ReturnType<typeof fit>>) => r.history.map(({ time: _t, ...rest }) => rest);

describe("fit() on resident data", () => {
  const cases: [string, () => Trainable & { dispose(): void }, typeof ds, FitOptions][] = [
    ["linear, mini-batch Adam (whole epochs per call)", () => new LinearRegression({ features: 4 }), ds, { optimizer: "adam", optimizerOptions: { lr: 0.05 }, batchSize: 16, epochs: 6, seed: 2 }],
    ["linear, full-batch GD with scikit-learn's rule", () => new LinearRegression({ features: 4, dtype: "f32" }), ds, { optimizer: "sgd", optimizerOptions: { lr: 0.05 }, batchSize: 500, epochs: 300, tol: 1e-4, shuffle: false }],
    ["logistic on the ts backend, with onEpoch", () => new LogisticRegression({ features: 4, backend: "ts" }), labels, { optimizer: "sgd", optimizerOptions: { lr: 0.1, momentum: 0.9 }, batchSize: 32, epochs: 4, seed: 5, onEpoch: () => {} }],
    ["MLP", () => new MLP({ layers: [6], seed: 4 }), ds, { optimizer: "adam", batchSize: 32, epochs: 3, seed: 9 }],
  ];
  for (const [name, make, data, options] of cases) {
    it(`${name}: the same bits as on the Dataset; the data stays bound for the next fit`, async () => {
      const a = make();
      const b = make();
      const onDataset = await fit(a, data, options);
      const bound = b.bind(data);
      const onResident = await fit(b, bound, options);
      expect(weights(b)).toEqual(weights(a));
      expect(history(onResident)).toEqual(history(onDataset));
      expect([onResident.reason, onResident.bestEpoch, onResident.bestLoss]).toEqual([onDataset.reason, onDataset.bestEpoch, onDataset.bestLoss]);
      expect(bound.disposed).toBe(false);
      // A second fit continues from the weights on the same resident data, as a second fit on the Dataset does.
      const again = await fit(a, data, options);
      const againResident = await fit(b, bound, options);
      expect(weights(b)).toEqual(weights(a));
      expect(history(againResident)).toEqual(history(again));
      bound.dispose();
      a.dispose();
      b.dispose();
    });
  }

  it("refuses disposed data, data bound by another model, and the options that need the Dataset, changing nothing", async () => {
    const m = new LinearRegression({ features: 4 });
    const other = new LinearRegression({ features: 4 });
    const bound = m.bind(ds);
    const theirs = other.bind(ds);
    const before = weights(m);
    await expect(fit(m, theirs, { epochs: 1 })).rejects.toThrow(/fit\(data\): this data was bound by another model/);
    await expect(fit(m, bound, { validationFraction: 0.2, earlyStopping: true, epochs: 1 })).rejects.toThrow(/fit options\.validationFraction \(0\.2\) needs the Dataset itself/);
    await expect(fit(m, bound, { workers: 2, epochs: 1 })).rejects.toThrow(/fit options\.workers \(2\) needs the Dataset itself/);
    bound.dispose();
    await expect(fit(m, bound, { epochs: 1 })).rejects.toMatchObject({ code: "DISPOSED", message: expect.stringMatching(/bound dataset \(fit\(data\)\)/) });
    expect(weights(m)).toEqual(before);
    // The model still fits on its Dataset.
    expect((await fit(m, ds, { epochs: 1 })).epochs).toBe(1);
    theirs.dispose();
    m.dispose();
    other.dispose();
  });

  for (const backend of ["wasm", "ts"] as const) {
    it(`${backend}: lossAndGradient() without arguments is every row in order, also after other batches`, () => {
      for (const make of [() => new LinearRegression({ features: 4, backend, init: [0.5, -1, 2, 0.25] }), () => new MLP({ layers: [5], seed: 2, backend })]) {
        const m = make();
        const bound = m.bind(ds);
        const all = Uint32Array.from({ length: ds.n }, (_, i) => i);
        const grads = () => m.parameters().flatMap((p) => [...p.grad]);
        const expected = bound.lossAndGradient(all, 0, ds.n);
        const expectedGrads = grads();
        expect(bound.lossAndGradient()).toBe(expected);
        expect(grads()).toEqual(expectedGrads);
        // Another batch, the loss, a fit in between: the full batch is still every row.
        bound.lossAndGradient(Uint32Array.of(7, 3, 9), 0, 3);
        expect(bound.lossAndGradient()).toBe(expected);
        expect(grads()).toEqual(expectedGrads);
        bound.loss();
        expect(bound.lossAndGradient()).toBe(expected);
        expect(() => bound.lossAndGradient(undefined, 0, 3)).toThrow(/indices must be a Uint32Array/);
        bound.dispose();
        m.dispose();
      }
    });
  }
});
