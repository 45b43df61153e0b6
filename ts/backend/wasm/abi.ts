/**
 * Typed bindings of crate/src/abi.rs: the only file that touches `instance.exports`
 * and the module's memory. Status codes returned by exports become DownhillErrors.
 */
import type { Dtype } from "../../dtype.ts";
import { DownhillError } from "../../errors.ts";
import type { KernelName } from "../../kernels/optim/index.ts";
import type { View } from "../../kernels/tensor/view.ts";
import type { CrossEntropyTargets, LossName, ModelName, PenaltyName } from "../backend.ts";

export interface Abi {
  readonly memory: WebAssembly.Memory;
  alloc(size: number, align: number): number;
  free(ptr: number, size: number, align: number): void;
  liveBytes(): number;
  /** The export dh_<kernel>_step_<dtype> (crate/src/abi.rs, step_exports!). */
  step(kernel: KernelName, dtype: Dtype): StepCall;
  /** The export dh_<name>_<dtype> (crate/src/abi.rs, reduce_exports!). */
  reduce(name: ReduceName, dtype: Dtype): ReduceCall;
  /** dh_scale_<dtype>: `x ← x · factor` over `len` elements at `ptr`. */
  scale(dtype: Dtype): (ptr: number, len: number, factor: number) => void;
  /** dh_clamp_<dtype>: `x ← clamp(x, min, max)` over `len` elements at `ptr`. */
  clamp(dtype: Dtype): (ptr: number, len: number, min: number, max: number) => void;
  /** The dh_rng_* exports (crate/src/rng.rs), bound on first use. */
  readonly rng: RngCalls;
  /** The loss exports (crate/src/abi.rs, "Losses") and crate/src/math.rs's functions, bound on first use. */
  readonly loss: LossCalls;
  /** The export dh_<model>_<dtype> (crate/src/abi.rs, model_exports!), bound on first use. */
  model(name: ModelName, dtype: Dtype): ModelKernelCall;
  /** The export dh_mlp_<dtype> (crate/src/abi.rs, mlp_exports!), bound on first use. */
  mlp(dtype: Dtype): MlpKernelCall;
  /** The export dh_train_<dtype> (crate/src/abi.rs, train_exports!), bound on first use. */
  train(dtype: Dtype): TrainKernelCall;
  /**
   * The export dh_<model>_partial_<dtype> (crate/src/abi.rs, model_partial_exports!): a
   * batch's share of the mean over `total` rows, as a data-parallel fit's workers compute
   * it (ts/backend/wasm/worker.ts binds the same export in each worker); bound on first use.
   */
  modelPartial(name: ModelName, dtype: Dtype): ModelPartialCall;
  /** The export dh_mlp_partial_<dtype> (crate/src/abi.rs, mlp_partial_exports!), bound on first use. */
  mlpPartial(dtype: Dtype): MlpPartialCall;
  /**
   * dh_select_rows: of the `count` u32 row indices at `batch`, those in `[first, first + len)`
   * minus `first`, to the `capacity` u32s at `out`; returns how many there are.
   */
  selectRows(batch: number, count: number, first: number, len: number, out: number, capacity: number): number;
  /** dh_fill_in_order: `0, 1, …, len − 1` to the `len` u32s at `rows`. */
  fillInOrder(rows: number, len: number): void;
  /** The dh_tensor_* exports (crate/src/abi.rs, tensor_exports!), bound on first use. */
  readonly tensor: TensorCalls;
}

/**
 * crate/src/tensor/'s kernels by pointer (`len`s count elements; each view is passed as
 * its offset, row stride and column stride); a refused call throws WASM_FAULT.
 */
export interface TensorCalls {
  unary(dtype: Dtype, op: number, p: number, x: number, len: number, out: number): void;
  unaryBackward(dtype: Dtype, op: number, p: number, x: number, y: number, g: number, len: number, grad: number): void;
  binary(dtype: Dtype, op: number, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, rows: number, cols: number, out: number): void;
  binaryBackward(dtype: Dtype, op: number, side: number, g: number, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, rows: number, cols: number, grad: number): void;
  matmul(dtype: Dtype, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, m: number, k: number, n: number, out: number): void;
  sum(dtype: Dtype, x: number, len: number, out: number): void;
  sumAxis(dtype: Dtype, x: number, rows: number, cols: number, axis: number, out: number): void;
  copy(dtype: Dtype, x: number, len: number, view: View, rows: number, cols: number, out: number): void;
  addStrided(dtype: Dtype, src: number, srcLen: number, srcView: View, dst: number, dstLen: number, dstView: View, rows: number, cols: number): void;
}

/**
 * The MLP kernel on `count` rows (u32 indices at `rows`) of the features at `x` and targets
 * at `y`, through `layers` layers of the `layers + 1` u32 widths at `sizes`, with the
 * pointer table (per layer w, b, grad_w, grad_b) at `table`; returns the mean loss plus penalty.
 */
export type MlpKernelCall = (
  x: number, y: number, n: number, rows: number, count: number, sizes: number, layers: number, table: number,
  activation: number, output: number, scratch: number, scratchLen: number, l2: number,
) => number;

/**
 * A model kernel on `count` rows (u32 indices at `rows`) of the `n × d` features at `x`
 * and targets at `y` with `k` outputs; `bias` 1 or 0; returns the mean loss plus penalties.
 */
export type ModelKernelCall = (
  x: number, y: number, n: number, d: number, k: number, rows: number, count: number,
  w: number, b: number, bias: number, gradW: number, gradB: number, scratch: number, scratchLen: number,
  loss: number, delta: number, l2: number, l1: number,
) => number;

/**
 * Training steps (crate/src/train.rs): the model `model` (0 linear, 1 logistic, 2
 * softmax) with ModelKernelCall's arguments, its weights and bias being rows 0 and 1 of
 * the step table at `table`; batches of `batch` of the `count` rows at `order`; step
 * kernel number `kernel` (ts/kernels/optim/index.ts's order) with SCALARS f64s per step
 * at `scalars` and a u32 of flags per step at `flags`; `maxNorm` NaN for no clipping.
 * Writes each batch's loss and gradient norm to the f64s at `losses` and `norms`;
 * returns how many batches it recorded.
 */
export type TrainKernelCall = (
  x: number, y: number, n: number, d: number, k: number, model: number, bias: number, loss: number, delta: number, l2: number, l1: number,
  order: number, count: number, batch: number, scratch: number, scratchLen: number,
  table: number, kernel: number, scalars: number, flags: number, maxNorm: number, tol: number, losses: number, norms: number,
  epochs: number, rng: number, watch: number, best: number,
) => number;

/** As ModelKernelCall, for `count` rows' share of the mean over `total` rows; returns the loss sum, without penalties. */
export type ModelPartialCall = (
  x: number, y: number, n: number, d: number, k: number, rows: number, count: number, total: number,
  w: number, b: number, bias: number, gradW: number, gradB: number, scratch: number, scratchLen: number,
  loss: number, delta: number,
) => number;

/** As MlpKernelCall, for `count` rows' share of the mean over `total` rows; returns the loss sum, without the penalty. */
export type MlpPartialCall = (
  x: number, y: number, n: number, rows: number, count: number, total: number, sizes: number, layers: number, table: number,
  activation: number, output: number, scratch: number, scratchLen: number,
) => number;

/**
 * crate/src/loss/: each call returns the loss value (computed in the dtype, widened to a
 * number) and writes the gradient w.r.t. the predictions to `grad` (penalties add theirs).
 */
export interface LossCalls {
  residual(dtype: Dtype, pred: number, target: number, len: number, out: number): void;
  pointwise(name: LossName, dtype: Dtype, pred: number, target: number, len: number, grad: number): number;
  huber(dtype: Dtype, pred: number, target: number, len: number, delta: number, grad: number): number;
  crossEntropy(targets: CrossEntropyTargets, dtype: Dtype, logits: number, target: number, rows: number, classes: number, grad: number): number;
  penalty(name: PenaltyName, dtype: Dtype, weights: number, len: number, lambda: number, grad: number): number;
  /** dh_exp, dh_log, dh_log1p: crate/src/math.rs, for the parity tests of ts/kernels/math.ts. */
  math(name: "exp" | "log" | "log1p", x: number): number;
  /**
   * dh_{mse,mae,bce_with_logits,huber,cross_entropy_index}_partial_<dtype>: `len` rows'
   * share of the mean over `total` rows (returns the sum of the terms; writes the
   * gradient of the mean). `delta` is Huber's threshold, `classes` cross-entropy's
   * (`len` then counts rows); both are ignored by the others.
   */
  partial(name: PartialLossName, dtype: Dtype, pred: number, target: number, len: number, total: number, grad: number, delta: number, classes: number): number;
}

/** Losses with a partial export (crate/src/loss/*_partial). */
export type PartialLossName = "mse" | "mae" | "bceWithLogits" | "huber" | "crossEntropyIndex";

/** crate/src/rng.rs: the generator's state is 4 u32 words at `state`, advanced in place. */
export interface RngCalls {
  seed(seed: number, state: number): void;
  nextU32(state: number, out: number, len: number): void;
  uniform(state: number, out: number, len: number): void;
  below(state: number, n: number, out: number, len: number): void;
  shuffle(state: number, values: number, len: number): void;
}

/** Reductions of crate/src/reduce.rs. */
export type ReduceName = "sum_of_squares" | "sum_of_abs" | "max_abs";

/** The reduction of `len` elements at `ptr`, computed in their dtype, as a number. */
export type ReduceCall = (ptr: number, len: number) => number;

/** Runs a step kernel on `count` rows of the table at `table`. */
export type StepCall = (table: number, count: number, scalars: Float64Array, flags: number) => void;

/** Status codes of crate/src/abi.rs. */
const STATUS: Record<number, string> = {
  1: "a null pointer",
  2: "a misaligned pointer",
  3: "a buffer outside WebAssembly memory",
  4: "buffers that overlap",
  5: "a missing optimizer state buffer",
  6: "an invalid argument",
};

function check(status: number, what: string): void {
  if (status !== 0) {
    throw new DownhillError("WASM_FAULT", `${what} was refused by the WebAssembly module: ${STATUS[status] ?? `status ${status}`}. Nothing was changed.`);
  }
}

/**
 * Rethrows what an export threw: a trap (WebAssembly.RuntimeError, a bug in downhill or
 * memory corrupted from outside) becomes a WASM_FAULT with the trap as its cause. The
 * module itself stays usable: a trap unwinds the call and leaves the instance intact.
 */
function trapped(error: unknown, what: string): never {
  if (error instanceof WebAssembly.RuntimeError) {
    const fault = new DownhillError("WASM_FAULT", `${what} trapped in the WebAssembly module (${error.message}); the object that made the call may be half-updated.`);
    Object.defineProperty(fault, "cause", { value: error, configurable: true, writable: true });
    throw fault;
  }
  throw error;
}

type Exports = Record<string, unknown>;

function exported<F>(exports: Exports, name: string): F {
  const value = exports[name];
  if (typeof value !== "function") {
    throw new DownhillError("WASM_FAULT", `The WebAssembly module has no export "${name}"; the build in dist/ does not match this version of downhill.`);
  }
  return value as F;
}

type RawStep = (table: number, count: number, s0: number, s1: number, s2: number, s3: number, s4: number, s5: number, s6: number, s7: number, flags: number) => number;

function stepCall(raw: RawStep, name: string): StepCall {
  const what = `The ${name} step`;
  return (table, count, s, flags) => {
    let status: number;
    try {
      status = raw(table, count, s[0]!, s[1]!, s[2]!, s[3]!, s[4]!, s[5]!, s[6]!, s[7]!, flags);
    } catch (error) {
      trapped(error, what);
    }
    check(status, what);
  };
}

export function bind(instance: WebAssembly.Instance): Abi {
  const exports = instance.exports as Exports;
  const memory = exports["memory"];
  if (!(memory instanceof WebAssembly.Memory)) {
    throw new DownhillError("WASM_FAULT", "The WebAssembly module exports no memory.");
  }
  const alloc = exported<(size: number, align: number) => number>(exports, "dh_alloc");
  const free = exported<(ptr: number, size: number, align: number) => number>(exports, "dh_free");
  const liveBytes = exported<() => number>(exports, "dh_live_bytes");
  // Step exports are bound on first use, so a module without one kernel still serves the others.
  const steps = new Map<string, StepCall>();
  const step = (kernel: KernelName, dtype: Dtype): StepCall => {
    const key = `${kernel}_${dtype}`;
    let call = steps.get(key);
    if (call === undefined) {
      call = stepCall(exported<RawStep>(exports, `dh_${kernel}_step_${dtype}`), kernel);
      steps.set(key, call);
    }
    return call;
  };
  // Reductions write their result here: one f64, allocated once with the module.
  const resultPtr = alloc(8, 8) >>> 0;
  if (resultPtr === 0) throw new DownhillError("OUT_OF_MEMORY", "The WebAssembly module could not allocate 8 bytes at startup.");
  let resultView = new Float64Array(memory.buffer, resultPtr, 1);
  /** The same 8 bytes as a u32, for the counts the training kernel returns there. */
  let resultWords = new Uint32Array(memory.buffer, resultPtr, 1);
  // Like step exports, these are bound on first use.
  // Keyed by a constant name and a dtype (or ""): building the export's name per call
  // would allocate and hash a new string on every kernel call (~0.5 µs).
  const calls = new Map<string, Map<string, unknown>>();
  const lazily = <F>(name: string, dtype: string, wrap: () => F): F => {
    let byDtype = calls.get(name);
    if (byDtype === undefined) calls.set(name, (byDtype = new Map()));
    let call = byDtype.get(dtype) as F | undefined;
    if (call === undefined) {
      call = wrap();
      byDtype.set(dtype, call);
    }
    return call;
  };
  const reduce = (name: ReduceName, dtype: Dtype): ReduceCall =>
    lazily(name, dtype, () => {
      const raw = exported<(ptr: number, len: number, out: number) => number>(exports, `dh_${name}_${dtype}`);
      const what = `The reduction ${name}`;
      return (ptr: number, len: number): number => {
        try {
          check(raw(ptr, len, resultPtr), what);
        } catch (error) {
          trapped(error, what);
        }
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
    });
  const scale = (dtype: Dtype) =>
    lazily("dh_scale", dtype, () => {
      const raw = exported<(ptr: number, len: number, factor: number) => number>(exports, `dh_scale_${dtype}`);
      return (ptr: number, len: number, factor: number) => {
        try {
          check(raw(ptr, len, factor), "Scaling a gradient");
        } catch (error) {
          trapped(error, "Scaling a gradient");
        }
      };
    });
  const clamp = (dtype: Dtype) =>
    lazily("dh_clamp", dtype, () => {
      const raw = exported<(ptr: number, len: number, min: number, max: number) => number>(exports, `dh_clamp_${dtype}`);
      return (ptr: number, len: number, min: number, max: number) => {
        try {
          check(raw(ptr, len, min, max), "Clamping a gradient");
        } catch (error) {
          trapped(error, "Clamping a gradient");
        }
      };
    });
  const rng = (): RngCalls =>
    lazily("dh_rng", "", () => {
      type Fill = (state: number, out: number, len: number) => number;
      const raw = <F>(name: string) => exported<F>(exports, `dh_rng_${name}`);
      const [seed, nextU32, uniform, shuffle] = [raw<(seed: number, state: number) => number>("seed"), raw<Fill>("next_u32"), raw<Fill>("uniform"), raw<Fill>("shuffle")];
      const below = raw<(state: number, n: number, out: number, len: number) => number>("below");
      const what = "Drawing random numbers";
      const call = (status: () => number): void => {
        try {
          check(status(), what);
        } catch (error) {
          trapped(error, what);
        }
      };
      return {
        seed: (value: number, state: number) => call(() => seed(value, state)),
        nextU32: (state: number, out: number, len: number) => call(() => nextU32(state, out, len)),
        uniform: (state: number, out: number, len: number) => call(() => uniform(state, out, len)),
        below: (state: number, n: number, out: number, len: number) => call(() => below(state, n, out, len)),
        shuffle: (state: number, values: number, len: number) => call(() => shuffle(state, values, len)),
      };
    });
  const loss = (): LossCalls =>
    lazily("dh_loss", "", () => {
      const raw = <F>(name: string) => exported<F>(exports, name);
      const read = (): number => {
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
      // Losses run once per call on data copied in for it: a closure per call costs nothing here.
      const call = (status: () => number, what: string): void => {
        try {
          check(status(), what);
        } catch (error) {
          trapped(error, what);
        }
      };
      const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      type Pointwise = (pred: number, target: number, len: number, grad: number, out: number) => number;
      type Rows = (logits: number, target: number, rows: number, classes: number, grad: number, out: number) => number;
      type Penalty = (weights: number, len: number, lambda: number, grad: number, out: number) => number;
      return {
        residual: (dtype: Dtype, pred: number, target: number, len: number, out: number) =>
          call(() => raw<(p: number, t: number, n: number, o: number) => number>(`dh_residual_${dtype}`)(pred, target, len, out), "The residual"),
        pointwise: (name: LossName, dtype: Dtype, pred: number, target: number, len: number, grad: number) => {
          call(() => raw<Pointwise>(`dh_${snake(name)}_${dtype}`)(pred, target, len, grad, resultPtr), `The loss ${name}`);
          return read();
        },
        huber: (dtype: Dtype, pred: number, target: number, len: number, delta: number, grad: number) => {
          call(() => raw<(p: number, t: number, n: number, d: number, g: number, o: number) => number>(`dh_huber_${dtype}`)(pred, target, len, delta, grad, resultPtr), "The Huber loss");
          return read();
        },
        crossEntropy: (targets: CrossEntropyTargets, dtype: Dtype, logits: number, target: number, rows: number, classes: number, grad: number) => {
          call(() => raw<Rows>(`dh_cross_entropy_${targets}_${dtype}`)(logits, target, rows, classes, grad, resultPtr), "The cross-entropy loss");
          return read();
        },
        penalty: (name: PenaltyName, dtype: Dtype, weights: number, len: number, lambda: number, grad: number) => {
          call(() => raw<Penalty>(`dh_${name}_penalty_${dtype}`)(weights, len, lambda, grad, resultPtr), `The ${name} penalty`);
          return read();
        },
        math: (name: "exp" | "log" | "log1p", x: number) => raw<(x: number) => number>(`dh_${name}`)(x),
        partial: (name: PartialLossName, dtype: Dtype, pred: number, target: number, len: number, total: number, grad: number, delta: number, classes: number) => {
          const f = raw<(...args: number[]) => number>(`dh_${snake(name)}_partial_${dtype}`);
          call(
            () =>
              name === "huber" ? f(pred, target, len, delta, total, grad, resultPtr)
              : name === "crossEntropyIndex" ? f(pred, target, len, classes, total, grad, resultPtr)
              : f(pred, target, len, total, grad, resultPtr),
            `The partial loss ${name}`,
          );
          return read();
        },
      };
    });
  const model = (name: ModelName, dtype: Dtype): ModelKernelCall =>
    lazily(name, dtype, () => {
      type Raw = (...args: [...Parameters<ModelKernelCall>, number]) => number;
      const raw = exported<Raw>(exports, `dh_${name}_${dtype}`);
      const what = `The ${name} model's loss and gradient`;
      return (x: number, y: number, n: number, d: number, k: number, rows: number, count: number, w: number, b: number, bias: number, gradW: number, gradB: number, scratch: number, scratchLen: number, loss: number, delta: number, l2: number, l1: number): number => {
        try {
          check(raw(x, y, n, d, k, rows, count, w, b, bias, gradW, gradB, scratch, scratchLen, loss, delta, l2, l1, resultPtr), what);
        } catch (error) {
          trapped(error, what);
        }
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
    });
  const mlp = (dtype: Dtype): MlpKernelCall =>
    lazily("dh_mlp", dtype, () => {
      type Raw = (...args: [...Parameters<MlpKernelCall>, number]) => number;
      const raw = exported<Raw>(exports, `dh_mlp_${dtype}`);
      return (x: number, y: number, n: number, rows: number, count: number, sizes: number, layers: number, table: number, activation: number, output: number, scratch: number, scratchLen: number, l2: number): number => {
        try {
          check(raw(x, y, n, rows, count, sizes, layers, table, activation, output, scratch, scratchLen, l2, resultPtr), "The MLP's loss and gradient");
        } catch (error) {
          trapped(error, "The MLP's loss and gradient");
        }
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
    });
  const train = (dtype: Dtype): TrainKernelCall =>
    lazily("dh_train", dtype, () => {
      type Raw = (...args: [...Parameters<TrainKernelCall>, number]) => number;
      const raw = exported<Raw>(exports, `dh_train_${dtype}`);
      const what = "Training steps";
      // The arguments spelled out: a rest parameter and a spread call allocate an array of
      // 28 numbers per call and take V8's generic call path.
      return (
        x: number, y: number, n: number, d: number, k: number, model: number, bias: number, loss: number, delta: number, l2: number, l1: number,
        order: number, count: number, batch: number, scratch: number, scratchLen: number,
        table: number, kernel: number, scalars: number, flags: number, maxNorm: number, tol: number, losses: number, norms: number,
        epochs: number, rng: number, watch: number, best: number,
      ): number => {
        try {
          check(
            raw(x, y, n, d, k, model, bias, loss, delta, l2, l1, order, count, batch, scratch, scratchLen, table, kernel, scalars, flags, maxNorm, tol, losses, norms, epochs, rng, watch, best, resultPtr),
            what,
          );
        } catch (error) {
          trapped(error, what);
        }
        if (resultWords.length === 0) resultWords = new Uint32Array(memory.buffer, resultPtr, 1);
        return resultWords[0]!;
      };
    });
  const modelPartial = (name: ModelName, dtype: Dtype): ModelPartialCall =>
    lazily(name, dtype === "f32" ? "partial f32" : "partial f64", () => {
      type Raw = (...args: [...Parameters<ModelPartialCall>, number]) => number;
      const raw = exported<Raw>(exports, `dh_${name}_partial_${dtype}`);
      const what = `The ${name} model's partial loss and gradient`;
      return (x: number, y: number, n: number, d: number, k: number, rows: number, count: number, total: number, w: number, b: number, bias: number, gradW: number, gradB: number, scratch: number, scratchLen: number, loss: number, delta: number): number => {
        try {
          check(raw(x, y, n, d, k, rows, count, total, w, b, bias, gradW, gradB, scratch, scratchLen, loss, delta, resultPtr), what);
        } catch (error) {
          trapped(error, what);
        }
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
    });
  const mlpPartial = (dtype: Dtype): MlpPartialCall =>
    lazily("dh_mlp", dtype === "f32" ? "partial f32" : "partial f64", () => {
      type Raw = (...args: [...Parameters<MlpPartialCall>, number]) => number;
      const raw = exported<Raw>(exports, `dh_mlp_partial_${dtype}`);
      const what = "The MLP's partial loss and gradient";
      return (x: number, y: number, n: number, rows: number, count: number, total: number, sizes: number, layers: number, table: number, activation: number, output: number, scratch: number, scratchLen: number): number => {
        try {
          check(raw(x, y, n, rows, count, total, sizes, layers, table, activation, output, scratch, scratchLen, resultPtr), what);
        } catch (error) {
          trapped(error, what);
        }
        if (resultView.length === 0) resultView = new Float64Array(memory.buffer, resultPtr, 1);
        return resultView[0]!;
      };
    });
  const tensor = (): TensorCalls =>
    lazily("dh_tensor", "", () => {
      type Raw = (...args: number[]) => number;
      const raws = new Map<string, Raw>();
      const raw = (name: string, dtype: Dtype): Raw => {
        const key = `dh_tensor_${name}_${dtype}`;
        let f = raws.get(key);
        if (f === undefined) {
          f = exported<Raw>(exports, key);
          raws.set(key, f);
        }
        return f;
      };
      const what = "A tensor operation";
      return {
        unary: (dtype: Dtype, op: number, p: number, x: number, len: number, out: number) => check(raw("unary", dtype)(op, p, x, len, out), what),
        unaryBackward: (dtype: Dtype, op: number, p: number, x: number, y: number, g: number, len: number, grad: number) =>
          check(raw("unary_backward", dtype)(op, p, x, y, g, len, grad), what),
        binary: (dtype: Dtype, op: number, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, rows: number, cols: number, out: number) =>
          check(raw("binary", dtype)(op, a, aLen, av.offset, av.rowStride, av.colStride, b, bLen, bv.offset, bv.rowStride, bv.colStride, rows, cols, out), what),
        binaryBackward: (dtype: Dtype, op: number, side: number, g: number, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, rows: number, cols: number, grad: number) =>
          check(raw("binary_backward", dtype)(op, side, g, a, aLen, av.offset, av.rowStride, av.colStride, b, bLen, bv.offset, bv.rowStride, bv.colStride, rows, cols, grad), what),
        matmul: (dtype: Dtype, a: number, aLen: number, av: View, b: number, bLen: number, bv: View, m: number, k: number, n: number, out: number) =>
          check(raw("matmul", dtype)(a, aLen, av.offset, av.rowStride, av.colStride, b, bLen, bv.offset, bv.rowStride, bv.colStride, m, k, n, out), what),
        sum: (dtype: Dtype, x: number, len: number, out: number) => check(raw("sum", dtype)(x, len, out), what),
        sumAxis: (dtype: Dtype, x: number, rows: number, cols: number, axis: number, out: number) => check(raw("sum_axis", dtype)(x, rows, cols, axis, out), what),
        copy: (dtype: Dtype, x: number, len: number, view: View, rows: number, cols: number, out: number) =>
          check(raw("copy", dtype)(x, len, view.offset, view.rowStride, view.colStride, rows, cols, out), what),
        addStrided: (dtype: Dtype, src: number, srcLen: number, sv: View, dst: number, dstLen: number, dv: View, rows: number, cols: number) =>
          check(raw("add_strided", dtype)(src, srcLen, sv.offset, sv.rowStride, sv.colStride, dst, dstLen, dv.offset, dv.rowStride, dv.colStride, rows, cols), what),
      };
    });
  const selectRows = (batch: number, count: number, first: number, len: number, out: number, capacity: number): number => {
    const raw = lazily("dh_select_rows", "", () => exported<(...args: number[]) => number>(exports, "dh_select_rows"));
    try {
      check(raw(batch, count, first, len, out, capacity, resultPtr), "Selecting a worker's rows");
    } catch (error) {
      trapped(error, "Selecting a worker's rows");
    }
    return new Uint32Array(memory.buffer, resultPtr, 1)[0]!;
  };
  const fillInOrder = (rows: number, len: number): void => {
    const raw = lazily("dh_fill_in_order", "", () => exported<(rows: number, len: number) => number>(exports, "dh_fill_in_order"));
    try {
      check(raw(rows, len), "Putting rows in order");
    } catch (error) {
      trapped(error, "Putting rows in order");
    }
  };
  return {
    memory,
    model,
    mlp,
    train,
    modelPartial,
    mlpPartial,
    selectRows,
    fillInOrder,
    get tensor() {
      return tensor();
    },
    get loss() {
      return loss();
    },
    get rng() {
      return rng();
    },
    alloc: (size, align) => {
      try {
        return alloc(size, align) >>> 0;
      } catch (error) {
        trapped(error, "Allocating memory");
      }
    },
    free: (ptr, size, align) => {
      try {
        check(free(ptr, size, align), "Freeing memory");
      } catch (error) {
        trapped(error, "Freeing memory");
      }
    },
    liveBytes: () => liveBytes() >>> 0,
    step,
    reduce,
    scale,
    clamp,
  };
}
