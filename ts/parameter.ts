/**
 * A trainable parameter: values and gradient, both in the memory of its backend (WASM
 * linear memory for "wasm"). Write gradients into `grad` in place and step: the hot path
 * copies nothing across the WASM boundary.
 */
import type { Backend, BackendName, Storage } from "./backend/backend.ts";
import { checkBackendName, resolveBackend } from "./backend/select.ts";
import type { ArrayOf, Dtype } from "./dtype.ts";
import { isDetached, isFloatArray } from "./dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "./errors.ts";
import { checkKeys } from "./options.ts";

/** Options of {@link Parameter.from} and {@link Parameter.zeros}. */
export interface ParameterOptions<D extends Dtype = Dtype> {
  /** Element type; default: that of a typed array, else "f32" (PyTorch's default). */
  dtype?: D;
  /** Default: the global backend (see setBackend). */
  backend?: BackendName;
}

function checkDtype(value: unknown, argument: string): Dtype {
  if (value !== "f32" && value !== "f64") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be "f32" or "f64"; got ${describe(value)}.`);
  }
  return value;
}

function checkLength(value: unknown, argument: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    const E = typeof value === "number" ? DownhillRangeError : DownhillTypeError;
    throw new E("INVALID_ARGUMENT", `${argument} must be a whole number >= 0; got ${describe(value)}.`);
  }
  return value + 0; // −0 becomes 0
}

/** Checks the values of Parameter.from and returns them as numbers; nothing is allocated yet. */
function checkValues(values: unknown, dtype: Dtype): ArrayLike<number> {
  if (!(Array.isArray(values) || isFloatArray(values))) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `Parameter.from(values) takes an array of numbers, a Float32Array or a Float64Array; got ${describe(values)}.`);
  }
  if (isFloatArray(values) && isDetached(values.buffer)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `Parameter.from(values) is a ${values.constructor.name} whose ArrayBuffer is detached (transferred); pass a live copy.`);
  }
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== "number") {
      throw new DownhillTypeError("INVALID_ARGUMENT", `Parameter.from(values): values[${i}] must be a number; got ${describe(v)}.`);
    }
    if (!Number.isFinite(v)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `Parameter.from(values): values[${i}] must be finite; got ${v}.`);
    }
    if (dtype === "f32" && !Number.isFinite(Math.fround(v))) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `Parameter.from(values): values[${i}] = ${v} overflows f32 (largest ≈ 3.4e38); use dtype "f64".`);
    }
  }
  return values as ArrayLike<number>;
}

/**
 * A tensor of values an optimizer updates, with its gradient: both live in WebAssembly
 * memory on the wasm backend (plain typed arrays on "ts"). Create with
 * {@link Parameter.from} or {@link Parameter.zeros}; free with {@link Parameter.dispose}.
 */
export class Parameter<D extends Dtype = Dtype> {
  /** Element type of the values and the gradient. */
  readonly dtype: D;
  /** Number of values. */
  readonly length: number;
  /** The backend that holds the values. */
  readonly backend: BackendName;
  readonly #data: Storage<D>;
  readonly #grad: Storage<D>;

  private constructor(backend: Backend, dtype: D, length: number) {
    this.dtype = dtype;
    this.length = length;
    this.backend = backend.name;
    this.#data = backend.alloc(dtype, length);
    try {
      this.#grad = backend.alloc(dtype, length);
    } catch (error) {
      this.#data.dispose();
      throw error;
    }
  }

  /**
   * A parameter holding a copy of `values`, with a zero gradient. The dtype is
   * `options.dtype`, else that of a typed array, else "f32".
   */
  static from<D extends Dtype>(values: ArrayLike<number>, options: ParameterOptions<D> & { dtype: D }): Parameter<D>;
  static from(values: Float64Array, options?: { backend?: BackendName }): Parameter<"f64">;
  static from(values: Float32Array | readonly number[], options?: { backend?: BackendName }): Parameter<"f32">;
  static from(values: Float32Array | Float64Array | readonly number[], options?: ParameterOptions): Parameter;
  static from(values: unknown, options: ParameterOptions = {}): Parameter {
    checkKeys("Parameter.from options", options, ["dtype", "backend"]);
    const dtype = options.dtype !== undefined ? checkDtype(options.dtype, "options.dtype") : values instanceof Float64Array ? "f64" : "f32";
    const numbers = checkValues(values, dtype);
    const backend = resolveBackend(options.backend === undefined ? undefined : checkBackendName(options.backend, "options.backend"));
    const p = new Parameter(backend, dtype, numbers.length);
    p.data.set(numbers);
    return p;
  }

  /** A parameter of `length` zeros. */
  static zeros<D extends Dtype = "f32">(length: number, options: ParameterOptions<D> = {}): Parameter<D> {
    checkKeys("Parameter.zeros options", options, ["dtype", "backend"]);
    const n = checkLength(length, "Parameter.zeros(length)");
    const dtype = (options.dtype !== undefined ? checkDtype(options.dtype, "options.dtype") : "f32") as D;
    const backend = resolveBackend(options.backend === undefined ? undefined : checkBackendName(options.backend, "options.backend"));
    return new Parameter(backend, dtype, n);
  }

  /** The values: a live view (into WASM memory on the wasm backend). Do not keep it across allocations. */
  get data(): ArrayOf<D> {
    return this.#data.array;
  }

  /** The gradient, written by you or by a model before each step. */
  get grad(): ArrayOf<D> {
    return this.#grad.array;
  }

  /** Sets the gradient to zero. */
  zeroGrad(): void {
    this.#grad.array.fill(0);
  }

  /** A copy of the values as a plain array. */
  toArray(): number[] {
    return Array.from(this.#data.array);
  }

  /** True after {@link Parameter.dispose}. */
  get disposed(): boolean {
    return this.#data.disposed;
  }

  /** Frees the values and gradient; idempotent. Later use throws a DISPOSED error. */
  dispose(): void {
    this.#data.dispose();
    this.#grad.dispose();
  }

  /** @internal The storages, for optimizers on the same backend. */
  static storages<D extends Dtype>(p: Parameter<D>): { data: Storage<D>; grad: Storage<D> } {
    return { data: p.#data, grad: p.#grad };
  }
}
