/**
 * Training workloads, f32 and f64, each timed per call:
 *   W2 full-batch gradient: the MSE gradient on X n × 16 — public API: `model.bind(data)`
 *      once, then `lossAndGradient()` (all rows in order);
 *   W3 seed fit: `fit()` running the tutorials' 500 steps of batch GD on 100 × 2;
 *   W4 one mini-batch epoch: `fit()` with Adam, batch 32, seeded shuffle (n / 32 steps);
 *   W3/W4 fit on data bound once, `fit(model, model.bind(data), …)`.
 * Contenders: downhill's public API on wasm and ts; "wasm kernels", the same loop written
 * against the backend's kernels with the data bound once (what fit() adds is the
 * difference); TensorFlow.js (f32); and, from native.ts, the crate compiled natively.
 */
import { LinearRegression, Random, fit, toDataset, type Dataset, type Dtype, type Parameter } from "../ts/index.ts";
import type { ModelCall, RowStorage, Storage } from "../ts/backend/backend.ts";
import { wasmBackend } from "../ts/backend/wasm/index.ts";
import { scratchLen } from "../ts/kernels/model/affine.ts";
import { MSE } from "../ts/kernels/model/linear.ts";
import { FLAG_NEW_STATE, SCALARS } from "../ts/kernels/optim/kernel.ts";
import { ADAM_DEFAULTS, prepareAdam } from "../ts/optim/adam.ts";
import { Powers } from "../ts/optim/power.ts";
import { once, type Case, type Contender, type Running } from "./harness.ts";
import { wasmSeedProbe } from "./probe.ts";
import { tfjsEpoch, tfjsGradient, tfjsSeedFit } from "./peers/tfjs.ts";
import {
  ADAM,
  EPOCH,
  FEATURES,
  SEED_FIT,
  TOLERANCE,
  epochOrder,
  epochReference,
  gradientReference,
  gradientWeights,
  roundedData,
  seedFitReference,
  type Regression,
} from "./workloads.ts";

type Kind = "gradient" | "seed" | "epoch";

/** Training workloads `--only` accepts. */
export const TRAINING_WORKLOADS = ["W2", "W3", "W4"] as const;

/** Case names, as crate/examples/native_bench.rs prints them too. */
export const trainCaseName = (kind: Kind, dtype: Dtype, n: number): string =>
  kind === "gradient" ? `W2 MSE gradient ${dtype} ${n}×${FEATURES}` : kind === "seed" ? `W3 seed fit ${dtype}` : `W4 Adam epoch ${dtype} ${n}×${FEATURES}`;

const FIT_OPTIONS = {
  seed: { optimizer: "sgd", optimizerOptions: { lr: SEED_FIT.lr }, batchSize: 100, epochs: SEED_FIT.iterations, shuffle: false, tol: null },
  epoch: { optimizer: "adam", optimizerOptions: { lr: EPOCH.lr, betas: [ADAM.beta1, ADAM.beta2], eps: ADAM.eps }, batchSize: EPOCH.batchSize, epochs: 1, seed: EPOCH.seed, tol: null },
} as const;

/** downhill's public API: a LinearRegression, its data bound once, and fit() (or the bound data's lossAndGradient, for W2). */
function publicApi(backend: "wasm" | "ts", dtype: Dtype, data: Dataset, kind: Kind): Contender {
  return {
    name: backend,
    setup(): Running {
      if (kind === "gradient") {
        const model = new LinearRegression({ dtype, backend, init: gradientWeights() });
        const bound = model.bind(data);
        const [w, b] = model.parameters() as [Parameter, Parameter];
        return {
          // Without arguments: every row in order (no indices to pass and check).
          run: () => void bound.lossAndGradient(),
          read: () => Float64Array.from([...w.grad, ...b.grad]),
          dispose: () => (bound.dispose(), model.dispose()),
        };
      }
      // The data bound once and kept resident across fits (fit(model, model.bind(data))),
      // as the kernel loop below binds it once.
      const model = new LinearRegression(kind === "seed" ? { bias: false, init: [...SEED_FIT.init], dtype, backend } : { dtype, backend });
      const resident = model.bind(data);
      return {
        run: async () => void (await fit(model, resident, FIT_OPTIONS[kind])),
        read: () => (kind === "seed" ? model.weights : Float64Array.from([...model.weights, model.bias])),
        dispose: () => (resident.dispose(), model.dispose()),
      };
    },
  };
}

/**
 * The loop of fit() written directly against the wasm backend's kernels: the data copied
 * into WebAssembly memory once, then all the fit's epochs (W3) or the epoch's batches
 * (W4) in one call of the fused training kernel, crate/src/train.rs — no validation, no
 * history. W4 shuffles with fit()'s generator (in WebAssembly) and starts a fresh Adam
 * each epoch, as fit() does.
 */
function kernelLoop(dtype: Dtype, data: Regression, kind: Kind): Contender {
  return {
    name: "wasm kernels",
    setup(): Running {
      const { n, d } = data;
      const owned: { dispose(): void }[] = [];
      const alloc = (length: number): Storage => {
        const s = wasmBackend.alloc(dtype, length);
        owned.push(s);
        return s;
      };
      const bias = kind !== "seed";
      const batch = kind === "epoch" ? EPOCH.batchSize : n;
      const [x, y, w, gw] = [alloc(n * d), alloc(n), alloc(d), alloc(d)];
      const [b, gb] = bias ? [alloc(1), alloc(1)] : [null, null];
      const rows: RowStorage = wasmBackend.allocRows(batch);
      owned.push(rows);
      x.array.set(data.X);
      y.array.set(data.y);
      for (let i = 0; i < batch; i++) rows.array[i] = i;
      const call: ModelCall = {
        model: "linear", x, y, n, d, k: 1, rows, weights: w, bias: b, gradW: gw, gradB: gb,
        scratch: alloc(scratchLen(batch, 1)), loss: MSE, delta: 1, l2: 0, l1: 0,
      };
      const read = () => Float64Array.from(bias ? [...w.array, ...b!.array] : w.array);
      if (kind === "gradient") {
        w.array.set(gradientWeights());
        return { run: () => void wasmBackend.modelLossAndGradient(call, n), read: () => Float64Array.from([...gw.array, ...gb!.array]), dispose: () => owned.forEach((o) => o.dispose()) };
      }
      if (kind === "seed") {
        w.array.set(SEED_FIT.init);
        const plan = wasmBackend.plan(dtype, [{ param: w, grad: gw, state: [null] }], 1);
        owned.push(plan);
        // All 500 epochs of one batch in one call of the fused training kernel
        // (crate/src/train.rs `epochs`), with fit()'s best-weight tracking and no rule.
        const steps = SEED_FIT.iterations;
        const f64 = (length: number): Storage => {
          const s = wasmBackend.alloc("f64", length);
          owned.push(s);
          return s;
        };
        const [scalars, losses, norms, watch] = [f64(steps * SCALARS), f64(steps), f64(steps), f64(5)];
        const flags = wasmBackend.allocRows(steps);
        owned.push(flags);
        for (let t = 0; t < steps; t++) scalars.array.set([SEED_FIT.lr, 0, 1, 0], t * SCALARS);
        const epochs = { count: steps, rng: null, watch, best: alloc(d) };
        const train = { model: call, first: 0, count: n, batch: n, kernel: "sgd" as const, plan, scalars, flags, maxNorm: NaN, tol: 0, losses, norms, epochs };
        return {
          run: () => {
            watch.array.set([NaN, 1, 0, Infinity, 0]);
            wasmBackend.train(train);
          },
          read,
          dispose: () => owned.forEach((o) => o.dispose()),
        };
      }
      const moments = [alloc(d), alloc(d), alloc(1), alloc(1)];
      const plan = wasmBackend.plan(dtype, [{ param: w, grad: gw, state: [moments[0]!, moments[1]!, null] }, { param: b!, grad: gb!, state: [moments[2]!, moments[3]!, null] }], 3);
      owned.push(plan);
      const options = { ...ADAM_DEFAULTS, lr: EPOCH.lr, betas: [ADAM.beta1, ADAM.beta2] as const, eps: ADAM.eps };
      // The epoch's batches in one call of the fused training kernel (crate/src/train.rs),
      // as fit() runs them: all rows shuffled in WebAssembly with fit()'s generator, every
      // step's Adam scalars.
      const steps = Math.ceil(n / batch);
      const all = wasmBackend.allocRows(n);
      const flags = wasmBackend.allocRows(steps);
      const state = wasmBackend.allocRows(4);
      owned.push(all, flags, state);
      const f64 = (length: number): Storage => {
        const s = wasmBackend.alloc("f64", length);
        owned.push(s);
        return s;
      };
      const [scalars, losses, norms] = [f64(steps * SCALARS), f64(steps), f64(steps)];
      const train = { model: { ...call, rows: all }, first: 0, count: n, batch, kernel: "adam" as const, plan, scalars, flags, maxNorm: NaN, tol: 0, losses, norms, epochs: null };
      const step = new Float64Array(SCALARS);
      // As an Adam's: the powers of β carried from step to step (ts/optim/power.ts).
      const powers = new Powers();
      return {
        run: () => {
          for (const m of moments) m.array.fill(0);
          wasmBackend.fillRowsInOrder(all, n);
          state.array.set(new Random(EPOCH.seed).state().words);
          wasmBackend.shuffleRows(state, all, n);
          const [s, f] = [scalars.array, flags.array];
          for (let t = 1; t <= steps; t++) {
            const bits = prepareAdam(options, false, t, step, powers, 0);
            f[t - 1] = t === 1 ? bits | FLAG_NEW_STATE : bits;
            s.set(step, (t - 1) * SCALARS);
          }
          wasmBackend.train(train);
        },
        read,
        dispose: () => owned.forEach((o) => o.dispose()),
      };
    },
  };
}

/** W2, W3 and W4 in f32 and f64 (those in `only`, if given); W2/W4 on `big`, W3 on `small`. */
export function trainCases(big: Regression, small: Regression, only?: readonly string[]): Case[] {
  const wanted = (workload: string) => !only || only.includes(workload);
  const cases: Case[] = [];
  for (const dtype of ["f32", "f64"] as const) {
    const bigData = roundedData(big, dtype);
    const smallData = roundedData(small, dtype);
    const dataset = (r: Regression) => toDataset({ data: r.X, shape: [r.n, r.d] }, r.y);
    // TF.js computes in float32 only.
    const tfjs = (make: (backend: "wasm" | "cpu") => Contender): Contender[] => (dtype === "f32" ? [make("wasm"), make("cpu")] : []);
    const contenders = (kind: Kind, r: Regression): Contender[] => {
      const ds = dataset(r);
      return [publicApi("wasm", dtype, ds, kind), kernelLoop(dtype, r, kind), publicApi("ts", dtype, ds, kind)];
    };
    if (wanted("W2")) {
      cases.push({
        suite: "training",
        name: trainCaseName("gradient", dtype, big.n),
        // X read once, plus y.
        bytes: big.n * (FEATURES + 1) * (dtype === "f32" ? 4 : 8),
        contenders: [...contenders("gradient", bigData), ...tfjs((backend) => tfjsGradient(backend, bigData, gradientWeights()))],
        check: { what: "dw and db", calls: 1, reference: once(() => gradientReference(bigData, gradientWeights())), tolerance: TOLERANCE.W2[dtype] },
      });
    }
    if (wanted("W3")) {
      cases.push({
        suite: "training",
        name: trainCaseName("seed", dtype, small.n),
        bytes: 0,
        contenders: [...contenders("seed", smallData), ...tfjs((backend) => tfjsSeedFit(backend, smallData))],
        check: { what: `weights after ${SEED_FIT.iterations} steps`, calls: 1, reference: once(() => seedFitReference(smallData)), tolerance: TOLERANCE.W3[dtype] },
      });
      // W3's arithmetic alone, hand-written in WebAssembly (bench/probe.ts): the floor of its loop.
      cases.push({
        suite: "training",
        name: `W3 seed probe ${dtype}`,
        bytes: 0,
        contenders: [wasmSeedProbe(dtype, smallData)],
        check: { what: `weights after ${SEED_FIT.iterations} steps`, calls: 1, reference: once(() => seedFitReference(smallData)), tolerance: TOLERANCE.W3[dtype] },
      });
    }
    if (wanted("W4")) {
      const order = epochOrder(big.n);
      cases.push({
        suite: "training",
        name: trainCaseName("epoch", dtype, big.n),
        bytes: 0,
        contenders: [...contenders("epoch", bigData), ...tfjs((backend) => tfjsEpoch(backend, bigData, order))],
        check: { what: "weights and bias after the epoch", calls: 1, reference: once(() => epochReference(bigData, order)), tolerance: TOLERANCE.W4[dtype] },
      });
    }
  }
  return cases;
}
