/**
 * fit's `workers`: every supported model, f32 and f64. With n workers a fit repeats itself
 * bit for bit; `workers: 1` gives exactly the bits of a fit without workers (the workers
 * run the same per-row terms and the one worker's sum is the single-threaded sum); other
 * counts only regroup the sums, so one batch's loss and gradient stay within the
 * summation-order error bound of the single-threaded ones, and whole fits stay close.
 */
import { describe, expect, it } from "vitest";
import { StepLR, type Dtype, type FitOptions } from "../../ts/index.ts";
import { liveWorkers } from "../../ts/backend/wasm/workers.ts";
import { bindParallel } from "../../ts/train/data-parallel.ts";
import { firstDifference } from "../helpers/random.ts";
import { CASES, dataFor, runFit, unitRoundoff } from "./cases.ts";

const DTYPES: readonly Dtype[] = ["f64", "f32"];

describe("fit with workers repeats itself, and workers: 1 is the single-threaded fit", () => {
  for (const c of CASES) {
    for (const dtype of DTYPES) {
      it(`${c.name}, ${dtype}`, async () => {
        const data = dataFor(c, 500, dtype);
        const none = await runFit(c, data, dtype, undefined);
        const one = await runFit(c, data, dtype, 1);
        const twoA = await runFit(c, data, dtype, 2);
        const twoB = await runFit(c, data, dtype, 2);
        const three = await runFit(c, data, dtype, 3);
        expect(none.result.iterations).toBe(24); // 3 epochs of 8 batches (the last one 52 rows)
        expect(firstDifference(one.bits, none.bits), "workers: 1 vs none").toBe(-1);
        expect(firstDifference(twoA.bits, twoB.bits), "workers: 2, twice").toBe(-1);
        expect(twoA.result.iterations).toBe(24);
        // Whole fits: the regrouped sums move each step by a few ulps, and 24 Adam steps keep
        // the weights this close (the largest differences measured over these cases were
        // 1.4e-16 in f64 and 6.4e-8 in f32, relative to 1 + |w|).
        const tol = dtype === "f64" ? 1e-13 : 1e-5;
        for (const other of [twoA, three]) {
          other.weights.forEach((w, i) => expect(Math.abs(w - none.weights[i]!), `weight ${i}`).toBeLessThanOrEqual(tol * (1 + Math.abs(none.weights[i]!))));
        }
        expect(liveWorkers()).toBe(0);
      });
    }
  }
});

describe("fit's other options work alongside workers", () => {
  it("a validation split with early stopping, a schedule, clipping and a recorded history: workers: 1 is the single-threaded fit", async () => {
    const c = CASES.find((k) => k.name === "logistic, l2")!;
    const data = dataFor(c, 800, "f64", 5);
    const options: FitOptions = {
      optimizer: "sgd", optimizerOptions: { lr: 0.5, momentum: 0.9 }, batchSize: 50, epochs: 40, seed: 3,
      earlyStopping: true, validationFraction: 0.2, nIterNoChange: 3, tol: 1e-4, clipGradNorm: 0.5, recordIterations: true,
      schedule: (o) => new StepLR(o, { stepSize: 5, gamma: 0.5 }),
    };
    const none = await runFit(c, data, "f64", undefined, options);
    const one = await runFit(c, data, "f64", 1, options);
    const two = await runFit(c, data, "f64", 2, options);
    expect(none.result.reason).toBe("earlyStopping");
    expect(firstDifference(one.bits, none.bits)).toBe(-1);
    expect(one.result.iterationHistory!.map((r) => r.loss)).toEqual(none.result.iterationHistory!.map((r) => r.loss));
    expect(one.result.history.map((r) => r.validationLoss)).toEqual(none.result.history.map((r) => r.validationLoss));
    expect(two.result.reason).toBe("earlyStopping");
    expect(two.result.epochs).toBe(none.result.epochs);
    expect(liveWorkers()).toBe(0);
  });
});

describe("one batch with workers is within the summation-order bound of the single-threaded batch", () => {
  // Unpenalized models: the penalty is added after the sums, identically on both paths.
  for (const c of CASES.filter((c) => !c.penalized)) {
    for (const dtype of DTYPES) {
      for (const workers of [2, 3]) {
        it(`${c.name}, ${dtype}, ${workers} workers`, async () => {
          const n = 400;
          const data = dataFor(c, n, dtype, 23);
          const model = c.make(dtype);
          const single = model.bind(data);
          const parallel = await bindParallel(model, data, workers, n);
          try {
            const params = model.parameters();
            // Move the weights off their initial values so that every term is non-trivial.
            params.forEach((p, k) => p.data.set(Array.from({ length: p.length }, (_, i) => Math.sin(1 + 3 * i + 7 * k) * 0.7)));
            // A batch of 300 distinct rows in a scrambled order (97 and 400 are coprime).
            const indices = Uint32Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % n);
            const M = indices.length;
            const expectedLoss = single.lossAndGradient(indices, 0, M);
            const expected = params.map((p) => Float64Array.from(p.grad));
            params.forEach((p) => p.grad.fill(NaN));
            let loss = parallel.lossAndGradient(indices, 0, M);
            if (typeof loss !== "number") loss = await loss;
            const got = params.map((p) => Float64Array.from(p.grad));
            // Σ_r |t_r|: each row's gradient term is its one-row gradient divided by M.
            const magnitude = params.map((p) => new Float64Array(p.length));
            let lossTerms = 0;
            for (let r = 0; r < M; r++) {
              lossTerms += single.lossAndGradient(indices, r, r + 1) / M;
              params.forEach((p, k) => p.grad.forEach((g, j) => (magnitude[k]![j]! += Math.abs(g) / M)));
            }
            // Two summations of the same M rounded terms in different orders each stay within
            // (M − 1)·u·Σ|t| of the exact sum; 1 % on top for the estimate of Σ|t|.
            const u = unitRoundoff(dtype);
            const gamma = 2 * (M - 1) * u * 1.01;
            let differs = false;
            got.forEach((g, k) =>
              g.forEach((v, j) => {
                const bound = gamma * magnitude[k]![j]!;
                expect(Math.abs(v - expected[k]![j]!), `parameter ${k}[${j}]`).toBeLessThanOrEqual(bound);
                if (v !== expected[k]![j]!) differs = true;
              }),
            );
            // The losses are non-negative: Σ|ℓ_r| / M is the mean itself; the division adds 2u.
            expect(Math.abs(loss - expectedLoss)).toBeLessThanOrEqual((gamma + 2 * u) * lossTerms);
            // The bound is not vacuous: some terms were regrouped.
            if (dtype === "f32") expect(differs || loss !== expectedLoss).toBe(true);
            // The loss over every row, which leaves the gradients alone: n terms this time.
            const before = params.map((p) => Array.from(p.grad));
            let all = parallel.loss();
            if (typeof all !== "number") all = await all;
            const allExpected = single.loss();
            expect(Math.abs(all - allExpected)).toBeLessThanOrEqual((2 * (n - 1) * u * 1.01 + 2 * u) * allExpected);
            params.forEach((p, k) => expect(Array.from(p.grad), `gradient ${k} after loss()`).toEqual(before[k]));
          } finally {
            parallel.dispose();
            await parallel.closed;
            single.dispose();
            (model as { dispose(): void }).dispose();
          }
          expect(liveWorkers()).toBe(0);
        });
      }
    }
  }
});

describe("every row in order without indices (each worker runs its whole shard)", () => {
  for (const c of CASES) {
    for (const dtype of DTYPES) {
      it(`${c.name}, ${dtype}: the bits of the same batch given as indices; workers: 1 those of the single-threaded call`, async () => {
        const n = 300;
        const data = dataFor(c, n, dtype, 29);
        const model = c.make(dtype);
        const single = model.bind(data);
        try {
          const params = model.parameters();
          params.forEach((p, k) => p.data.set(Array.from({ length: p.length }, (_, i) => Math.cos(2 + 5 * i + 3 * k) * 0.6)));
          const all = Uint32Array.from({ length: n }, (_, i) => i);
          const read = () => params.map((p) => Float64Array.from(p.grad));
          const singleLoss = single.lossAndGradient(all, 0, n);
          const singleGrads = read();
          for (const workers of [1, 2, 3]) {
            const parallel = await bindParallel(model, data, workers, n);
            try {
              params.forEach((p) => p.grad.fill(NaN));
              const given = await parallel.lossAndGradient(all, 0, n);
              const givenGrads = read();
              params.forEach((p) => p.grad.fill(NaN));
              const whole = await parallel.lossAndGradient();
              const wholeGrads = read();
              expect(Object.is(whole, given), `${workers} workers: loss ${whole} vs ${given}`).toBe(true);
              wholeGrads.forEach((g, k) => expect(firstDifference(new Uint8Array(g.buffer), new Uint8Array(givenGrads[k]!.buffer)), `${workers} workers, parameter ${k}`).toBe(-1));
              if (workers === 1) {
                expect(Object.is(whole, singleLoss)).toBe(true);
                wholeGrads.forEach((g, k) => expect(Array.from(g)).toEqual(Array.from(singleGrads[k]!)));
              }
              // A batch with indices after it still selects its own rows.
              const some = Uint32Array.from({ length: 100 }, (_, i) => (i * 7 + 3) % n);
              params.forEach((p) => p.grad.fill(NaN));
              const part = await parallel.lossAndGradient(some, 0, 100);
              const partGrads = read();
              const partSingle = single.lossAndGradient(some, 0, 100);
              if (workers === 1) {
                expect(Object.is(part, partSingle)).toBe(true);
                partGrads.forEach((g, k) => expect(Array.from(g)).toEqual(Array.from(params[k]!.grad)));
              }
              // And every row in order again after it.
              expect(Object.is(await parallel.lossAndGradient(), whole)).toBe(true);
            } finally {
              parallel.dispose();
              await parallel.closed;
            }
          }
        } finally {
          single.dispose();
          model.dispose();
        }
        expect(liveWorkers()).toBe(0);
      });
    }
  }

  it("a full-batch fit without shuffling takes that path: workers: 1 is the single-threaded fit, 2 repeat themselves", async () => {
    const c = CASES[0]!;
    const data = dataFor(c, 240, "f64", 31);
    const options: FitOptions = { optimizer: "sgd", optimizerOptions: { lr: 0.05 }, batchSize: 240, epochs: 12, shuffle: false, tol: null };
    const none = await runFit(c, data, "f64", undefined, options);
    const one = await runFit(c, data, "f64", 1, options);
    const twoA = await runFit(c, data, "f64", 2, options);
    const twoB = await runFit(c, data, "f64", 2, options);
    expect(none.result.iterations).toBe(12);
    expect(firstDifference(one.bits, none.bits)).toBe(-1);
    expect(firstDifference(twoA.bits, twoB.bits)).toBe(-1);
    twoA.weights.forEach((w, i) => expect(Math.abs(w - none.weights[i]!)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(none.weights[i]!))));
  });
});
