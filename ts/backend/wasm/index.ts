/**
 * The WebAssembly backend: buffers live in the module's linear memory and a step is one
 * call over a table of pointers prepared once, touching no JS objects per element.
 */
import { bytesPerElement, type ArrayOf, type Dtype } from "../../dtype.ts";
import { DownhillError, DownhillRangeError, disposedError } from "../../errors.ts";
import { KERNEL_NAMES, type KernelName } from "../../kernels/optim/index.ts";
import { assertLive, checkRowCount, checkTrainRows, type Backend, type MlpCall, type ModelCall, type ModelName, type RowStorage, type StepPlan, type StepRow, type Storage, type TrainCall } from "../backend.ts";
import type { Abi, StepCall } from "./abi.ts";
import { loadAbi } from "./load.ts";
import { wasmTensorKernels } from "./tensor.ts";

/** Alignment of every buffer: enough for f64 and for 128-bit SIMD loads. */
const ALIGN = 16;
/** wasm32 addresses 4 GiB; larger requests are refused before the module is asked. */
const MAX_BYTES = 2 ** 32 - 65536;

interface Allocation {
  readonly ptr: number;
  readonly bytes: number;
  readonly align: number;
}

// Frees what an owner forgot to dispose, once the owner is garbage-collected. Nothing
// relies on it: dispose() frees deterministically and unregisters.
const registry = new FinalizationRegistry<Allocation>((a) => {
  loadAbi().free(a.ptr, a.bytes, a.align);
});

function allocate(abi: Abi, bytes: number, align: number, what: string): number {
  if (!Number.isSafeInteger(bytes) || bytes > MAX_BYTES) {
    throw new DownhillRangeError("OUT_OF_MEMORY", `Cannot allocate ${what} of ${bytes} bytes: WebAssembly memory holds at most 4 GiB.`);
  }
  const ptr = abi.alloc(bytes, align);
  if (ptr === 0) {
    throw new DownhillError("OUT_OF_MEMORY", `Out of WebAssembly memory allocating ${what} of ${bytes} bytes (memory is ${abi.memory.buffer.byteLength} bytes). Dispose objects you no longer need.`);
  }
  return ptr;
}

/** A typed array inside WASM memory with one owner. */
export class WasmStorage<D extends Dtype = Dtype> implements Storage<D> {
  readonly dtype: D;
  readonly length: number;
  readonly #abi: Abi;
  readonly #allocation: Allocation;
  #view: ArrayOf<D> | null = null;
  #disposed = false;

  constructor(abi: Abi, dtype: D, length: number) {
    this.dtype = dtype;
    this.length = length;
    this.#abi = abi;
    const bytes = length * bytesPerElement(dtype);
    this.#allocation = { ptr: allocate(abi, bytes, ALIGN, `a buffer of ${length} ${dtype} values`), bytes, align: ALIGN };
    registry.register(this, this.#allocation, this);
    this.array.fill(0);
  }

  /** Byte address in linear memory, for step tables. */
  get ptr(): number {
    if (this.#disposed) throw disposedError("storage");
    return this.#allocation.ptr;
  }

  get array(): ArrayOf<D> {
    if (this.#disposed) throw disposedError("storage");
    let view = this.#view;
    // memory.grow detaches the old buffer, which empties every view on it: checking the
    // length is ~50 ns cheaper per access than reading memory.buffer.
    if (view === null || (view.length === 0 && this.length !== 0)) {
      const buffer = this.#abi.memory.buffer;
      const { ptr } = this.#allocation;
      view = (this.dtype === "f32" ? new Float32Array(buffer, ptr, this.length) : new Float64Array(buffer, ptr, this.length)) as ArrayOf<D>;
      this.#view = view;
    }
    return view;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#view = null;
    registry.unregister(this);
    const { ptr, bytes, align } = this.#allocation;
    this.#abi.free(ptr, bytes, align);
  }
}

/** Row indices (u32) inside WASM memory with one owner, read by the model kernels. */
class WasmRows implements RowStorage {
  readonly length: number;
  readonly #abi: Abi;
  readonly #allocation: Allocation;
  #view: Uint32Array | null = null;
  #disposed = false;

  constructor(abi: Abi, length: number) {
    this.length = length;
    this.#abi = abi;
    const bytes = length * 4;
    this.#allocation = { ptr: allocate(abi, bytes, 4, `a buffer of ${length} row indices`), bytes, align: 4 };
    registry.register(this, this.#allocation, this);
    this.array.fill(0);
  }

  get ptr(): number {
    if (this.#disposed) throw disposedError("row buffer");
    return this.#allocation.ptr;
  }

  get array(): Uint32Array {
    if (this.#disposed) throw disposedError("row buffer");
    let view = this.#view;
    // A detached (grown) buffer empties its views: see WasmStorage.array.
    if (view === null || (view.length === 0 && this.length !== 0)) {
      view = new Uint32Array(this.#abi.memory.buffer, this.#allocation.ptr, this.length);
      this.#view = view;
    }
    return view;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#view = null;
    registry.unregister(this);
    const { ptr, bytes, align } = this.#allocation;
    this.#abi.free(ptr, bytes, align);
  }
}

/** `rows` as this backend's own buffer; refused when it is the ts backend's (it holds no pointer into this memory). */
function wasmRows(rows: RowStorage): WasmRows {
  if (!(rows instanceof WasmRows)) throw new DownhillError("INVALID_ARGUMENT", "Row indices of the ts backend were given to the wasm backend.");
  return rows;
}

/** Runs crate/src/model/<call.model>.rs on the first `count` rows of `call.rows`: one call. */
function modelLossAndGradient(call: ModelCall, count: number): number {
  const rows = wasmRows(call.rows);
  const bias = call.bias === null ? 0 : pointer(call.bias);
  const gradB = call.gradB === null ? 0 : pointer(call.gradB);
  return loadAbi().model(call.model, call.x.dtype)(
    pointer(call.x), pointer(call.y), call.n, call.d, call.k, rows.ptr, count,
    pointer(call.weights), bias, call.bias === null ? 0 : 1, pointer(call.gradW), gradB, pointer(call.scratch), call.scratch.length,
    call.loss, call.delta, call.l2, call.l1,
  );
}

/**
 * Runs crate/src/model/mlp.rs on the first `count` rows of `call.rows`: writes the layer
 * widths and the pointer table (per layer w, b, grad_w, grad_b) to `call.table`, then one call.
 */
function mlpLossAndGradient(call: MlpCall, count: number): number {
  const [rows, table, sizes] = [wasmRows(call.rows), wasmRows(call.table), call.sizes];
  const layers = sizes.length - 1;
  const words = table.array;
  for (let l = 0; l <= layers; l++) words[l] = sizes[l]!;
  for (let l = 0; l < layers; l++) {
    const at = layers + 1 + 4 * l;
    words[at] = pointer(call.weights[l]!);
    words[at + 1] = pointer(call.biases[l]!);
    words[at + 2] = pointer(call.gradW[l]!);
    words[at + 3] = pointer(call.gradB[l]!);
  }
  return loadAbi().mlp(call.x.dtype)(
    pointer(call.x), pointer(call.y), call.n, rows.ptr, count, table.ptr, layers, table.ptr + 4 * (layers + 1),
    call.activation, call.output, pointer(call.scratch), call.scratch.length, call.l2,
  );
}

/** The model codes of dh_train_<dtype> (crate/src/abi.rs, train_exports!). */
const MODEL_CODES: Record<ModelName, number> = { linear: 0, logistic: 1, softmax: 2 };
/** Step kernels are numbered in ts/kernels/optim/index.ts's order, as dh_train_<dtype> expects. */
const KERNEL_CODES = new Map(KERNEL_NAMES.map((name, i) => [name, i]));

/** Runs crate/src/train.rs through dh_train_<dtype>: one call for every batch (and epoch) of the run. */
function train(call: TrainCall): number {
  assertLive(call.plan);
  const m = call.model;
  const rows = wasmRows(m.rows);
  const flags = wasmRows(call.flags);
  const e = call.epochs;
  const rng = e?.rng == null ? null : wasmRows(e.rng);
  checkTrainRows(call);
  return loadAbi().train(m.x.dtype)(
    pointer(m.x), pointer(m.y), m.n, m.d, m.k, MODEL_CODES[m.model], m.bias === null ? 0 : 1, m.loss, m.delta, m.l2, m.l1,
    rows.ptr + 4 * call.first, call.count, call.batch, pointer(m.scratch), m.scratch.length,
    (call.plan as WasmPlan).table, KERNEL_CODES.get(call.kernel)!, pointer(call.scalars), flags.ptr, call.maxNorm, call.tol,
    pointer(call.losses), pointer(call.norms),
    e === null ? 0 : e.count, rng === null ? 0 : rng.ptr, e === null ? 0 : pointer(e.watch), e === null ? 0 : pointer(e.best),
  );
}

/** Rows `[len, param, grad, state…]` of u32 in WASM memory, read by crate/src/abi.rs. */
class WasmPlan implements StepPlan {
  readonly dtype: Dtype;
  readonly rows: readonly StepRow[];
  readonly #abi: Abi;
  readonly #allocation: Allocation;
  #disposed = false;
  /** The bound export of the kernel this plan steps with, looked up on the first step. */
  #call: StepCall | null = null;
  #callKernel: KernelName | null = null;

  constructor(abi: Abi, dtype: Dtype, rows: readonly StepRow[], stateCount: number) {
    this.dtype = dtype;
    this.rows = rows;
    this.#abi = abi;
    const stride = 3 + stateCount;
    const bytes = rows.length * stride * 4;
    this.#allocation = { ptr: allocate(abi, bytes, 4, "a step table"), bytes, align: 4 };
    registry.register(this, this.#allocation, this);
    const table = new Uint32Array(abi.memory.buffer, this.#allocation.ptr, rows.length * stride);
    rows.forEach((row, i) => {
      table[i * stride] = row.param.length;
      table[i * stride + 1] = pointer(row.param);
      table[i * stride + 2] = pointer(row.grad);
      for (let k = 0; k < stateCount; k++) {
        const s = row.state[k];
        table[i * stride + 3 + k] = s ? pointer(s) : 0;
      }
    });
  }

  get table(): number {
    if (this.#disposed) throw disposedError("step plan");
    return this.#allocation.ptr;
  }

  get abi(): Abi {
    return this.#abi;
  }

  /** Runs `kernel` on every row; the export is looked up once per plan, not per step. */
  step(kernel: KernelName, scalars: Float64Array, flags: number): void {
    if (this.#callKernel !== kernel) {
      this.#call = this.#abi.step(kernel, this.dtype);
      this.#callKernel = kernel;
    }
    this.#call!(this.table, this.rows.length, scalars, flags);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    registry.unregister(this);
    const { ptr, bytes, align } = this.#allocation;
    this.#abi.free(ptr, bytes, align);
  }
}

function pointer(storage: Storage): number {
  if (!(storage instanceof WasmStorage)) {
    throw new DownhillError("INVALID_ARGUMENT", "A buffer of the ts backend was given to the wasm backend; create parameters with the optimizer's backend.");
  }
  return storage.ptr;
}

export const wasmBackend: Backend = {
  name: "wasm",

  alloc<D extends Dtype>(dtype: D, length: number): Storage<D> {
    return new WasmStorage(loadAbi(), dtype, length);
  },

  reserve(bytes, what) {
    const abi = loadAbi();
    let total = 0;
    for (const b of bytes) total += Number.isSafeInteger(b) && b >= 0 ? b : Infinity;
    const live = abi.liveBytes();
    if (total > MAX_BYTES - live) {
      throw new DownhillRangeError(
        "OUT_OF_MEMORY",
        `Cannot allocate ${what}: it needs ${total} bytes, but WebAssembly memory holds at most 4 GiB and ${live} bytes are in use. Nothing was allocated; use smaller data or batches, or dispose objects you no longer need.`,
      );
    }
  },

  plan(dtype, rows, stateCount) {
    return new WasmPlan(loadAbi(), dtype, rows, stateCount);
  },

  step(kernel, plan, scalars, flags) {
    assertLive(plan);
    (plan as WasmPlan).step(kernel, scalars, flags);
  },

  sumOfSquares: (x) => loadAbi().reduce("sum_of_squares", x.dtype)(pointer(x), x.length),
  sumOfAbs: (x) => loadAbi().reduce("sum_of_abs", x.dtype)(pointer(x), x.length),
  maxAbs: (x) => loadAbi().reduce("max_abs", x.dtype)(pointer(x), x.length),
  scale: (x, factor) => loadAbi().scale(x.dtype)(pointer(x), x.length, factor),
  clamp: (x, min, max) => loadAbi().clamp(x.dtype)(pointer(x), x.length, min, max),
  residual: (pred, target, out) => loadAbi().loss.residual(pred.dtype, pointer(pred), pointer(target), pred.length, pointer(out)),
  loss: (name, pred, target, grad) => loadAbi().loss.pointwise(name, pred.dtype, pointer(pred), pointer(target), pred.length, pointer(grad)),
  huberLoss: (pred, target, delta, grad) => loadAbi().loss.huber(pred.dtype, pointer(pred), pointer(target), pred.length, delta, pointer(grad)),
  crossEntropy: (targets, logits, target, classes, grad) =>
    loadAbi().loss.crossEntropy(targets, logits.dtype, pointer(logits), pointer(target), classes === 0 ? 0 : logits.length / classes, classes, pointer(grad)),
  penalty: (name, weights, lambda, grad) => loadAbi().loss.penalty(name, weights.dtype, pointer(weights), weights.length, lambda, pointer(grad)),
  allocRows: (length) => new WasmRows(loadAbi(), length),
  shuffleRows(state, rows, count) {
    loadAbi().rng.shuffle(wasmRows(state).ptr, wasmRows(rows).ptr, count);
  },
  fillRowsInOrder(rows, count) {
    const own = wasmRows(rows);
    checkRowCount(own, count);
    loadAbi().fillInOrder(own.ptr, count);
  },
  modelLossAndGradient,
  mlpLossAndGradient,
  train,
  tensor: wasmTensorKernels(pointer),
};

