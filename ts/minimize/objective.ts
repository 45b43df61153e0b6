/**
 * Objectives of minimize() and gradCheck(): a function of x that returns its value, or its
 * value and gradient `{ value, grad }`, with the gradient otherwise from `options.gradient`:
 * a function, "autograd" (the objective takes x as a Tensor and returns a scalar Tensor,
 * differentiated by backward() inside a tidy scope per evaluation), or by default central
 * finite differences.
 */
import { Tensor, tensor } from "../autograd/tensor.ts";
import { tidy } from "../autograd/tidy.ts";
import type { BackendName } from "../backend/backend.ts";
import { isDetached, type FloatArray } from "../dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";

/** What an objective returns: its value, or its value and gradient. */
export type ObjectiveResult =
  | number
  | {
      /** f(x). */
      readonly value: number;
      /** ∇f(x), one entry per coordinate. */
      readonly grad: ArrayLike<number>;
    };

/** The function to minimize; it must not modify x. */
export type Objective = (x: FloatArray) => ObjectiveResult;

/** The gradient of the objective at x (one entry per coordinate). */
export type GradientFunction = (x: FloatArray) => ArrayLike<number>;

/**
 * An objective written with downhill's tensors (`gradient: "autograd"`): x arrives as a
 * Tensor of shape [n] (requiring a gradient, in x's dtype) and the result is a scalar
 * Tensor computed from it. Tensors made during a call are freed after it.
 */
export type TensorObjective = (x: Tensor) => Tensor;

/** Where a gradient comes from when the objective returns only its value. */
export type GradientOption = GradientFunction | "autograd";

/** Checks `options.gradient`: undefined, a function, or "autograd". */
export function checkGradientOption(argument: string, value: unknown): GradientOption | undefined {
  if (value === undefined || value === "autograd" || typeof value === "function") return value as GradientOption | undefined;
  throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a function (x) => gradient or "autograd"; got ${describe(value)}.`);
}

/** Machine epsilon of the array's dtype (scipy's `_eps_for_method` takes the smaller type's). */
const epsilonOf = (x: FloatArray): number => (x instanceof Float32Array ? 2 ** -23 : 2 ** -52);

/**
 * Central differences with scipy's '3-point' steps (`approx_derivative` in
 * scipy/optimize/_numdiff.py): h_i = ε^(1/3) · sign(x_i) · max(1, |x_i|), sign(0) = +1,
 * g_i = (f(x + h_i e_i) − f(x − h_i e_i)) / (x_i⁺ − x_i⁻), the denominator taken from the
 * perturbed coordinates as stored (exact in the array's dtype). Writes `grad`; perturbs
 * `x` one coordinate at a time and restores it; returns the number of evaluations (2n).
 */
/**
 * Refuses coordinates whose perturbed points x ± h overflow x's dtype (within about 1e-5
 * of its largest value: f32 above ~3.4e38): their differences would be NaN.
 */
export function checkDifferenceSteps(argument: string, x: FloatArray): void {
  const relative = epsilonOf(x) ** (1 / 3);
  const round = x instanceof Float32Array ? Math.fround : (v: number) => v;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const h = relative * (xi >= 0 ? 1 : -1) * Math.max(1, Math.abs(xi));
    if (!Number.isFinite(round(xi - h)) || !Number.isFinite(round(xi + h))) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}: x[${i}] = ${xi} is too close to the largest ${x instanceof Float32Array ? "f32" : "f64"} value for a finite-difference step (x ± ${Math.abs(h)} overflows).`);
    }
  }
}

export function centralDifferences(f: (x: FloatArray) => number, x: FloatArray, grad: FloatArray): number {
  const relative = epsilonOf(x) ** (1 / 3);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const h = relative * (xi >= 0 ? 1 : -1) * Math.max(1, Math.abs(xi));
    x[i] = xi - h;
    const lower = x[i]!;
    const f1 = f(x);
    x[i] = xi + h;
    const upper = x[i]!;
    const f2 = f(x);
    x[i] = xi;
    grad[i] = (f2 - f1) / (upper - lower);
  }
  return 2 * x.length;
}

/**
 * The gradient of `f` at `x` by central differences with scipy's '3-point' steps
 * (h_i = ε^(1/3) · sign(x_i) · max(1, |x_i|)), in x's dtype; `x` is not modified. Costs
 * 2·x.length evaluations of f.
 */
export function finiteDifferenceGradient<A extends FloatArray>(f: (x: A) => number, x: A): A {
  if (typeof f !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `finiteDifferenceGradient(f): f must be a function (x) => number; got ${describe(f)}.`);
  if (!(x instanceof Float32Array || x instanceof Float64Array)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `finiteDifferenceGradient(f, x): x must be a Float32Array or Float64Array; got ${describe(x)}.`);
  }
  if (isDetached(x.buffer)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `finiteDifferenceGradient(f, x): x is a ${x.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
  }
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new DownhillRangeError("INVALID_ARGUMENT", `finiteDifferenceGradient(f, x): x[${i}] must be a finite number; got ${x[i]}.`);
  }
  checkDifferenceSteps("finiteDifferenceGradient(f, x)", x);
  const work = x.slice() as A;
  const grad = (x instanceof Float32Array ? new Float32Array(x.length) : new Float64Array(x.length)) as A;
  centralDifferences((point) => {
    const value: unknown = f(point as A);
    if (typeof value !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `finiteDifferenceGradient(f): f must return a number; it returned ${describe(value)}.`);
    return value;
  }, work, grad);
  return grad;
}

/** Evaluates an objective and its gradient, counting the objective's calls. */
export class ObjectiveEvaluator {
  /** Calls of the objective so far (finite differences count 2 per coordinate). */
  evaluations = 0;
  readonly #name: string;
  readonly #objective: Objective | TensorObjective;
  readonly #gradient: GradientOption | undefined;
  readonly #backend: BackendName | undefined;
  /** True when the last evaluation used finite differences. */
  numeric = false;

  /** `backend`: that of autograd's tensors (default the global one). */
  constructor(name: string, objective: Objective | TensorObjective, gradient: GradientOption | undefined, backend?: BackendName) {
    this.#name = name;
    this.#objective = objective;
    this.#gradient = gradient;
    this.#backend = backend;
  }

  /** The objective's value at x, checked; its gradient if it returned one, else null. */
  #call(x: FloatArray): { value: number; grad: ArrayLike<number> | null } {
    if (this.#gradient === "autograd") return { value: this.#autograd(x, null), grad: null };
    this.evaluations++;
    const result: unknown = (this.#objective as Objective)(x);
    if (typeof result === "number") return { value: result, grad: null };
    const r = result as { value?: unknown; grad?: unknown } | null;
    if (typeof r === "object" && r !== null && typeof r.value === "number" && isArrayLike(r.grad)) return { value: r.value, grad: r.grad };
    if (result instanceof Tensor) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${this.#name}: the objective returned a Tensor; pass { gradient: "autograd" } so that x arrives as a Tensor and the gradient comes from backward().`);
    }
    throw new DownhillTypeError(
      "INVALID_ARGUMENT",
      `${this.#name}: the objective must return a number or { value: number, grad: array of numbers }; it returned ${describe(result)}${promiseHint(result)}.`,
    );
  }

  /**
   * The value of a tensor objective at x, in a tidy scope that frees every tensor of the
   * call; with `grad`, the gradient by backward() is written into it (zeros when the value
   * does not depend on x).
   */
  #autograd(x: FloatArray, grad: FloatArray | null): number {
    this.evaluations++;
    return tidy(() => {
      const options = this.#backend === undefined ? { requiresGrad: grad !== null } : { requiresGrad: grad !== null, backend: this.#backend };
      const leaf = tensor(x, options);
      const out: unknown = (this.#objective as TensorObjective)(leaf);
      if (!(out instanceof Tensor)) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${this.#name}: with gradient: "autograd" the objective takes x as a Tensor and must return a Tensor (one value computed from x); it returned ${describe(out)}${promiseHint(out)}.`);
      }
      if (out.size !== 1) {
        throw new DownhillRangeError("SHAPE_MISMATCH", `${this.#name}: the objective returned a Tensor of shape [${out.shape.join(", ")}]; return a single value (reduce it with sum() or mean()).`);
      }
      const value = out.item();
      if (grad !== null) {
        if (out.requiresGrad) out.backward();
        const g = leaf.grad;
        if (g === null) grad.fill(0);
        else grad.set(g.data);
      }
      return value;
    });
  }

  #checkGrad(grad: ArrayLike<number>, n: number, from: string): void {
    if (grad.length !== n) {
      throw new DownhillRangeError("SHAPE_MISMATCH", `${this.#name}: ${from} has ${grad.length} entries but x has ${n}; return one partial derivative per coordinate.`);
    }
  }

  /** The value at x; writes the gradient into `grad` (x is perturbed and restored for finite differences). */
  evaluate(x: FloatArray, grad: FloatArray): number {
    if (this.#gradient === "autograd") {
      this.numeric = false;
      return this.#autograd(x, grad);
    }
    const { value, grad: returned } = this.#call(x);
    if (returned !== null) {
      this.#checkGrad(returned, x.length, "the gradient the objective returned");
      copyInto(grad, returned);
      this.numeric = false;
    } else if (this.#gradient !== undefined) {
      const g: unknown = this.#gradient(x);
      if (!isArrayLike(g)) throw new DownhillTypeError("INVALID_ARGUMENT", `${this.#name}: options.gradient must return an array of numbers; it returned ${describe(g)}.`);
      this.#checkGrad(g, x.length, "options.gradient's result");
      copyInto(grad, g);
      this.numeric = false;
    } else {
      centralDifferences((point) => this.#call(point).value, x, grad);
      this.numeric = true;
    }
    return value;
  }

  /** The value only (one call). */
  value(x: FloatArray): number {
    return this.#call(x).value;
  }
}

function promiseHint(value: unknown): string {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function" ? " (a promise: the objective must be synchronous)" : "";
}

function isArrayLike(value: unknown): value is ArrayLike<number> {
  return Array.isArray(value) || value instanceof Float64Array || value instanceof Float32Array;
}

function copyInto(target: FloatArray, source: ArrayLike<number>): void {
  for (let i = 0; i < target.length; i++) {
    const v = source[i];
    target[i] = typeof v === "number" ? v : NaN;
  }
}
