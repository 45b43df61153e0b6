/**
 * TensorFlow.js 4.x as a peer, used the idiomatic way: `tf.variable`, `tf.train.*` with
 * `applyGradients`/`minimize`, `tf.tidy`, on its cpu and wasm backends (the wasm binary
 * is read from node_modules; nothing is fetched). Production mode is on, as a deployment
 * would have it. TF.js computes in float32 only, so it has no f64 contenders.
 *
 * Every contender checks that it leaks no tensor: the count after its first call must
 * hold for every later call, and disposing must return to the count before setup.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import { getThreadsCount, setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import type { Contender, Running } from "../harness.ts";
import { ADAM, EPOCH, SEED_FIT, SGD_MOMENTUM, type Regression, type StepData } from "../workloads.ts";

export type TfBackend = "cpu" | "wasm";

let configured = false;

async function use(backend: TfBackend): Promise<void> {
  if (!configured) {
    const wasmPackage = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json");
    setWasmPaths(`${join(dirname(wasmPackage), "dist")}/`);
    tf.enableProdMode();
    configured = true;
  }
  if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
  await tf.ready();
}

/** TF.js's version and how its wasm backend runs here, for RESULTS.md. */
export async function tfjsDescription(): Promise<string> {
  await use("wasm");
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return `TensorFlow.js ${tf.version_core} (cpu backend; wasm backend ${simd ? "with" : "without"} SIMD, ${getThreadsCount()} thread${getThreadsCount() === 1 ? "" : "s"})`;
}

interface Body {
  run: () => void;
  read: () => Float64Array;
  dispose: () => void;
}

/** Sets the backend, builds the contender and wraps it with the leak checks. */
function contender(backend: TfBackend, label: string, build: () => Body): Contender {
  const name = backend === "cpu" ? "tfjs-cpu" : "tfjs-wasm";
  return {
    name,
    async setup(): Promise<Running> {
      await use(backend);
      const before = tf.memory().numTensors;
      const body = build();
      let steady = -1;
      return {
        run: () => {
          body.run();
          if (steady < 0) steady = tf.memory().numTensors;
        },
        read: body.read,
        dispose: () => {
          const live = tf.memory().numTensors;
          body.dispose();
          const after = tf.memory().numTensors;
          if (steady >= 0 && live !== steady) throw new Error(`${name} ${label}: ${live - steady} tensors leaked by the calls after the first`);
          if (after !== before) throw new Error(`${name} ${label}: ${after - before} tensors left after dispose`);
        },
      };
    },
  };
}

const f32 = (values: ArrayLike<number>) => Float32Array.from(values);

/** A variable holding `values` (the initial tensor is disposed: the variable keeps the data). */
function variable(values: Float32Array, shape: number[]): tf.Variable {
  const initial = tf.tensor(values, shape, "float32");
  const v = tf.variable(initial);
  initial.dispose();
  return v;
}

/** W1: one `applyGradients` per call with a fixed gradient tensor. */
export function tfjsStep(backend: TfBackend, optimizer: "Adam" | "SGD momentum", data: StepData): Contender {
  return contender(backend, `${optimizer} step`, () => {
    const n = data.params.length;
    const p = variable(f32(data.params), [n]);
    const g = tf.tensor1d(f32(data.grad), "float32");
    const opt = optimizer === "Adam" ? tf.train.adam(ADAM.lr, ADAM.beta1, ADAM.beta2, ADAM.eps) : tf.train.momentum(SGD_MOMENTUM.lr, SGD_MOMENTUM.momentum);
    const grads = [{ name: p.name, tensor: g }];
    return {
      run: () => opt.applyGradients(grads),
      read: () => Float64Array.from(p.dataSync()),
      dispose: () => {
        opt.dispose();
        // MomentumOptimizer.dispose() does not call SGDOptimizer.dispose(), so its
        // learning-rate scalar stays alive (tensorflow/tfjs#4647, still so in 4.22).
        if (optimizer !== "Adam") (opt as unknown as { c: tf.Tensor }).c.dispose();
        p.dispose();
        g.dispose();
      },
    };
  });
}

/** W2: the MSE gradient in a tidy, dw = (2/n)·Xᵀr with matMul(X, r, transposeA). */
export function tfjsGradient(backend: TfBackend, data: Regression, weights: Float64Array): Contender {
  return contender(backend, "MSE gradient", () => {
    const { n, d } = data;
    const X = tf.tensor2d(f32(data.X), [n, d]);
    const y = tf.tensor2d(f32(data.y), [n, 1]);
    const w = tf.tensor2d(f32(weights), [d, 1]);
    const b = tf.scalar(0);
    let last: tf.Tensor[] = [];
    return {
      run: () => {
        tf.dispose(last);
        last = tf.tidy(() => {
          const r = tf.sub(tf.add(tf.matMul(X, w), b), y);
          return [tf.mul(tf.matMul(X, r, true, false), 2 / n), tf.mul(tf.sum(r), 2 / n)];
        });
      },
      read: () => Float64Array.from([...last[0]!.dataSync(), ...last[1]!.dataSync()]),
      dispose: () => tf.dispose([...last, X, y, w, b]),
    };
  });
}

/** W3: 500 × `optimizer.minimize` of the MSE with tf.train.sgd, weights from (1, 1). */
export function tfjsSeedFit(backend: TfBackend, data: Regression): Contender {
  return contender(backend, "seed fit", () => {
    const X = tf.tensor2d(f32(data.X), [data.n, data.d]);
    const y = tf.tensor2d(f32(data.y), [data.n, 1]);
    const w = variable(f32(SEED_FIT.init), [data.d, 1]);
    const opt = tf.train.sgd(SEED_FIT.lr);
    const loss = () => tf.losses.meanSquaredError(y, tf.matMul(X, w)) as tf.Scalar;
    return {
      run: () => {
        for (let t = 0; t < SEED_FIT.iterations; t++) opt.minimize(loss, false, [w]);
      },
      read: () => Float64Array.from(w.dataSync()),
      dispose: () => {
        opt.dispose();
        tf.dispose([X, y, w]);
      },
    };
  });
}

/**
 * W4: one epoch of a new tf.train.adam over batches of 32 rows in `order` (fit()'s
 * shuffle), each gathered from the resident X and y and stepped with `minimize`.
 */
export function tfjsEpoch(backend: TfBackend, data: Regression, order: Uint32Array): Contender {
  return contender(backend, "Adam epoch", () => {
    const { n, d } = data;
    const X = tf.tensor2d(f32(data.X), [n, d]);
    const y = tf.tensor2d(f32(data.y), [n, 1]);
    const w = variable(new Float32Array(d), [d, 1]);
    const b = variable(new Float32Array(1), [1]);
    const rows = Int32Array.from(order);
    return {
      run: () => {
        const opt = tf.train.adam(EPOCH.lr, ADAM.beta1, ADAM.beta2, ADAM.eps);
        for (let start = 0; start < n; start += EPOCH.batchSize) {
          tf.tidy(() => {
            const batch = tf.tensor1d(rows.subarray(start, Math.min(start + EPOCH.batchSize, n)), "int32");
            const xb = tf.gather(X, batch);
            const yb = tf.gather(y, batch);
            opt.minimize(() => tf.losses.meanSquaredError(yb, tf.add(tf.matMul(xb, w), b)) as tf.Scalar, false, [w, b]);
          });
        }
        opt.dispose();
      },
      read: () => Float64Array.from([...w.dataSync(), ...b.dataSync()]),
      dispose: () => tf.dispose([X, y, w, b]),
    };
  });
}
