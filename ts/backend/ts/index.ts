/** The pure-TypeScript backend: plain typed arrays and the kernels of ts/kernels/. */
import type { ArrayOf, Dtype } from "../../dtype.ts";
import { DownhillRangeError, disposedError } from "../../errors.ts";
import { clampF32, clampF64, scaleF32, scaleF64 } from "../../kernels/clip.ts";
import { KERNELS } from "../../kernels/optim/index.ts";
import { huberF32, huberF64 } from "../../kernels/loss/huber.ts";
import { CROSS_ENTROPY_KERNELS, LOSS_KERNELS, PENALTY_KERNELS } from "../../kernels/loss/index.ts";
import { residualF32, residualF64 } from "../../kernels/loss/mse.ts";
import { maxAbs, sumOfAbsF32, sumOfAbsF64, sumOfSquaresF32, sumOfSquaresF64 } from "../../kernels/reduce.ts";
import { fillInOrder } from "../../kernels/model/affine.ts";
import * as linear from "../../kernels/model/linear.ts";
import * as logistic from "../../kernels/model/logistic.ts";
import * as softmax from "../../kernels/model/softmax.ts";
import * as mlp from "../../kernels/model/mlp.ts";
import { SCALARS } from "../../kernels/optim/kernel.ts";
import { epochs, steps, type Records, type Watch } from "../../kernels/train.ts";
import { shuffle } from "../../kernels/rng.ts";
import { tsTensorKernels } from "./tensor.ts";
import { assertLive, checkRowCount, checkTrainRows, type Backend, type MlpCall, type ModelCall, type RowStorage, type StepPlan, type StepRow, type Storage, type TrainCall } from "../backend.ts";

/**
 * The largest typed array this backend asks for: 2³² bytes, the most WebAssembly memory
 * can hold too, and the limit of many engines (which refuse larger ones with a
 * RangeError; that becomes OUT_OF_MEMORY here too).
 */
const MAX_ARRAY_BYTES = 2 ** 32;

/** The engine refused a typed array (too long, or no memory): OUT_OF_MEMORY, with its error as the cause. */
function outOfMemory(what: string, error: unknown): DownhillRangeError {
  if (!(error instanceof RangeError)) throw error;
  const e = new DownhillRangeError("OUT_OF_MEMORY", `Out of memory allocating ${what} on the ts backend (${error.message}). Dispose objects you no longer need, or use smaller data.`);
  Object.defineProperty(e, "cause", { value: error, configurable: true, writable: true });
  return e;
}

const EMPTY_F32 = new Float32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_ROWS: Uint32Array = new Uint32Array(0);

/** A typed array in JS memory, allocated here or wrapping the user's own array. */
export class TsStorage<D extends Dtype = Dtype> implements Storage<D> {
  readonly dtype: D;
  readonly length: number;
  #array: ArrayOf<D> | null;

  constructor(dtype: D, array: ArrayOf<D>) {
    this.dtype = dtype;
    this.length = array.length;
    this.#array = array;
  }

  get array(): ArrayOf<D> {
    if (this.#array === null) throw disposedError("storage");
    return this.#array;
  }

  get disposed(): boolean {
    return this.#array === null;
  }

  dispose(): void {
    this.#array = null;
  }
}

/** Row indices in a plain Uint32Array. */
class TsRows implements RowStorage {
  readonly length: number;
  #array: Uint32Array | null;

  constructor(length: number) {
    this.length = length;
    this.#array = new Uint32Array(length);
  }

  get array(): Uint32Array {
    if (this.#array === null) throw disposedError("row buffer");
    return this.#array;
  }

  get disposed(): boolean {
    return this.#array === null;
  }

  dispose(): void {
    this.#array = null;
  }
}

/** Runs ts/kernels/model/<call.model>.ts on the first `count` rows of `call.rows`. */
function modelLossAndGradient(call: ModelCall, count: number): number {
  return modelKernel(call)(call.rows.array.subarray(0, count));
}

/** The model kernel of `call` (ts/kernels/model/<call.model>.ts in its dtype) as a function of the batch's rows. */
function modelKernel(call: ModelCall): (rows: Uint32Array) => number {
  const { d, k, l2, l1 } = call;
  const lossOf = { code: call.loss, delta: call.delta };
  if (call.x.dtype === "f32") {
    const batch = { x: call.x.array as Float32Array, y: call.y.array as Float32Array, d, rows: EMPTY_ROWS };
    const w = call.weights.array as Float32Array, gradW = call.gradW.array as Float32Array, scratch = call.scratch.array as Float32Array;
    const b = (call.bias?.array as Float32Array | undefined) ?? EMPTY_F32, gradB = (call.gradB?.array as Float32Array | undefined) ?? EMPTY_F32;
    return (rows) => {
      batch.rows = rows;
      if (call.model === "linear") return linear.lossAndGradientF32(batch, lossOf, l2, l1, w, b, gradW, gradB, scratch);
      if (call.model === "logistic") return logistic.lossAndGradientF32(batch, l2, l1, w, b, gradW, gradB, scratch);
      return softmax.lossAndGradientF32(batch, k, l2, l1, w, b, gradW, gradB, scratch);
    };
  }
  const batch = { x: call.x.array as Float64Array, y: call.y.array as Float64Array, d, rows: EMPTY_ROWS };
  const w = call.weights.array as Float64Array, gradW = call.gradW.array as Float64Array, scratch = call.scratch.array as Float64Array;
  const b = (call.bias?.array as Float64Array | undefined) ?? EMPTY_F64, gradB = (call.gradB?.array as Float64Array | undefined) ?? EMPTY_F64;
  return (rows) => {
    batch.rows = rows;
    if (call.model === "linear") return linear.lossAndGradientF64(batch, lossOf, l2, l1, w, b, gradW, gradB, scratch);
    if (call.model === "logistic") return logistic.lossAndGradientF64(batch, l2, l1, w, b, gradW, gradB, scratch);
    return softmax.lossAndGradientF64(batch, k, l2, l1, w, b, gradW, gradB, scratch);
  };
}

/** Runs ts/kernels/model/mlp.ts on the first `count` rows of `call.rows`. */
function mlpLossAndGradient(call: MlpCall, count: number): number {
  const rows = call.rows.array.subarray(0, count);
  const d = call.sizes[0]!;
  if (call.x.dtype === "f32") {
    const all = (list: readonly Storage[]) => list.map((s) => s.array as Float32Array);
    const batch = { x: call.x.array as Float32Array, y: call.y.array as Float32Array, d, rows };
    return mlp.lossAndGradientF32(batch, call.sizes, call.activation, call.output, call.l2, all(call.weights), all(call.biases), all(call.gradW), all(call.gradB), call.scratch.array as Float32Array);
  }
  const all = (list: readonly Storage[]) => list.map((s) => s.array as Float64Array);
  const batch = { x: call.x.array as Float64Array, y: call.y.array as Float64Array, d, rows };
  return mlp.lossAndGradientF64(batch, call.sizes, call.activation, call.output, call.l2, all(call.weights), all(call.biases), all(call.gradW), all(call.gradB), call.scratch.array as Float64Array);
}

/** Runs ts/kernels/train.ts: the model's kernel (modelKernel) and the plan's step kernel per batch. */
function train(call: TrainCall): number {
  assertLive(call.plan);
  const m = call.model;
  checkTrainRows(call);
  const order = m.rows.array.subarray(call.first, call.first + call.count);
  const records = { loss: call.losses.array as Float64Array, norm: call.norms.array as Float64Array };
  const kernel = KERNELS[call.kernel];
  const scalars = call.scalars.array as Float64Array;
  const flags = call.flags.array;
  const model = modelKernel(m);
  const f32 = m.x.dtype === "f32";
  const slots = f32 ? (call.plan as TsPlan).f32 : (call.plan as TsPlan).f64;
  const run = (from: number, to: number, r: Records): number =>
    steps(slots, f32, order, call.batch, scalars.subarray(from * SCALARS, to * SCALARS), flags.subarray(from, to), call.maxNorm, call.tol, r, kernel, model);
  const e = call.epochs;
  if (e === null) return run(0, Math.ceil(call.count / call.batch), records);
  const w = e.watch.array as Float64Array;
  const watch: Watch = { tol: w[0]!, patience: w[1]!, bad: w[2]!, bestLoss: w[3]!, bestEpoch: 0 };
  const done = epochs(slots, order, call.batch, e.count, e.rng?.array ?? null, call.tol, watch, e.best.array, records, run);
  w[2] = watch.bad;
  w[3] = watch.bestLoss;
  w[4] = watch.bestEpoch;
  return done;
}


/**
 * The arrays each kernel call takes, gathered once so that a step allocates nothing: a
 * TsStorage keeps its array until disposed, and assertLive checks that before each step.
 */
interface Arrays<A> {
  readonly param: A;
  readonly grad: A;
  readonly state: A[];
}

class TsPlan implements StepPlan {
  readonly f32: readonly Arrays<Float32Array>[];
  readonly f64: readonly Arrays<Float64Array>[];

  constructor(
    readonly dtype: Dtype,
    readonly rows: readonly StepRow[],
    stateCount: number,
  ) {
    const gather = <A>(empty: A) => (row: StepRow): Arrays<A> => ({
      param: row.param.array as A,
      grad: row.grad.array as A,
      state: Array.from({ length: stateCount }, (_, k) => (row.state[k]?.array as A | undefined) ?? empty),
    });
    this.f32 = dtype === "f32" ? rows.map(gather(EMPTY_F32)) : [];
    this.f64 = dtype === "f64" ? rows.map(gather(EMPTY_F64)) : [];
  }

  dispose(): void {}
}

export const tsBackend: Backend = {
  name: "ts",

  alloc<D extends Dtype>(dtype: D, length: number): Storage<D> {
    tsBackend.reserve([length * (dtype === "f32" ? 4 : 8)], `a buffer of ${length} ${dtype} values`);
    let array: ArrayOf<D>;
    try {
      array = (dtype === "f32" ? new Float32Array(length) : new Float64Array(length)) as ArrayOf<D>;
    } catch (error) {
      throw outOfMemory(`a buffer of ${length} ${dtype} values`, error);
    }
    return new TsStorage(dtype, array);
  },

  reserve(bytes, what) {
    for (const b of bytes) {
      if (!Number.isSafeInteger(b) || b > MAX_ARRAY_BYTES) {
        throw new DownhillRangeError("OUT_OF_MEMORY", `Cannot allocate ${what}: a buffer of ${b} bytes is larger than a JavaScript typed array can be (${MAX_ARRAY_BYTES} bytes).`);
      }
    }
  },

  plan(dtype, rows, stateCount) {
    return new TsPlan(dtype, rows, stateCount);
  },

  step(kernel, plan, scalars, flags) {
    assertLive(plan);
    const k = KERNELS[kernel];
    const { f32, f64 } = plan as TsPlan;
    for (let i = 0; i < f32.length; i++) {
      const a = f32[i]!;
      k.f32(scalars, flags, a.param, a.grad, a.state);
    }
    for (let i = 0; i < f64.length; i++) {
      const a = f64[i]!;
      k.f64(scalars, flags, a.param, a.grad, a.state);
    }
  },

  sumOfSquares: (x) => (x.dtype === "f32" ? sumOfSquaresF32(x.array as Float32Array) : sumOfSquaresF64(x.array as Float64Array)),
  sumOfAbs: (x) => (x.dtype === "f32" ? sumOfAbsF32(x.array as Float32Array) : sumOfAbsF64(x.array as Float64Array)),
  maxAbs: (x) => maxAbs(x.array),

  scale(x, factor) {
    if (x.dtype === "f32") scaleF32(x.array as Float32Array, factor);
    else scaleF64(x.array as Float64Array, factor);
  },

  clamp(x, min, max) {
    if (x.dtype === "f32") clampF32(x.array as Float32Array, min, max);
    else clampF64(x.array as Float64Array, min, max);
  },

  residual(pred, target, out) {
    if (pred.dtype === "f32") residualF32(pred.array as Float32Array, target.array as Float32Array, out.array as Float32Array);
    else residualF64(pred.array as Float64Array, target.array as Float64Array, out.array as Float64Array);
  },
  loss(name, pred, target, grad) {
    const k = LOSS_KERNELS[name];
    if (pred.dtype === "f32") return k.f32(pred.array as Float32Array, target.array as Float32Array, grad.array as Float32Array);
    return k.f64(pred.array as Float64Array, target.array as Float64Array, grad.array as Float64Array);
  },
  huberLoss(pred, target, delta, grad) {
    if (pred.dtype === "f32") return huberF32(pred.array as Float32Array, target.array as Float32Array, delta, grad.array as Float32Array);
    return huberF64(pred.array as Float64Array, target.array as Float64Array, delta, grad.array as Float64Array);
  },
  crossEntropy(targets, logits, target, classes, grad) {
    const k = CROSS_ENTROPY_KERNELS[targets];
    if (logits.dtype === "f32") return k.f32(logits.array as Float32Array, target.array as Float32Array, classes, grad.array as Float32Array);
    return k.f64(logits.array as Float64Array, target.array as Float64Array, classes, grad.array as Float64Array);
  },
  penalty(name, weights, lambda, grad) {
    const k = PENALTY_KERNELS[name];
    if (weights.dtype === "f32") return k.f32(weights.array as Float32Array, lambda, grad.array as Float32Array);
    return k.f64(weights.array as Float64Array, lambda, grad.array as Float64Array);
  },
  shuffleRows(state, rows, count) {
    shuffle(state.array.subarray(0, 4), rows.array.subarray(0, count));
  },
  fillRowsInOrder(rows, count) {
    checkRowCount(rows, count);
    fillInOrder(rows.array, count);
  },
  allocRows(length) {
    tsBackend.reserve([length * 4], `a buffer of ${length} row indices`);
    try {
      return new TsRows(length);
    } catch (error) {
      throw outOfMemory(`a buffer of ${length} row indices`, error);
    }
  },
  modelLossAndGradient,
  mlpLossAndGradient,
  train,
  tensor: tsTensorKernels,
};
