/**
 * gradCheck(): compares an analytic gradient with central finite differences, like
 * torch.autograd.gradcheck (same default tolerances: |analytic − numeric| <= atol + rtol·|numeric|).
 */
import type { BackendName } from "../backend/backend.ts";
import { checkBackendName } from "../backend/select.ts";
import { isDetached, isFloatArray, type FloatArray } from "../dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys, checkNumber } from "../options.ts";
import { ObjectiveEvaluator, centralDifferences, checkDifferenceSteps, checkGradientOption, type GradientOption, type Objective, type TensorObjective } from "./objective.ts";

/** Options of {@link gradCheck}. */
export interface GradCheckOptions {
  /** The gradient, when `f` returns only its value: a function, or "autograd" for `f` written with tensors (`(x: Tensor) => Tensor`). */
  gradient?: GradientOption;
  /** Absolute tolerance, >= 0; default 1e-5 (torch's). */
  atol?: number;
  /** Relative tolerance, >= 0; default 1e-3 (torch's). */
  rtol?: number;
  /** Backend of autograd's tensors; default the global one. */
  backend?: BackendName;
}

/** torch.autograd.gradcheck's tolerances, frozen. */
export const GRAD_CHECK_DEFAULTS = Object.freeze({
  /** Absolute tolerance. */
  atol: 1e-5,
  /** Relative tolerance. */
  rtol: 1e-3,
});

/** What {@link gradCheck} returns. */
export interface GradCheckResult {
  /** True when every coordinate is within atol + rtol·|numeric|. */
  readonly ok: boolean;
  /** Largest |analytic − numeric| / max(|numeric|, tiny) over the coordinates. */
  readonly maxRelativeError: number;
  /** Largest |analytic − numeric|. */
  readonly maxAbsoluteError: number;
  /** The worst coordinate (largest excess over the tolerance), -1 for an empty x. */
  readonly index: number;
  /** The gradient given (returned by f, or from `gradient`), widened to f64. */
  readonly analytic: Float64Array;
  /** The gradient by central differences. */
  readonly numeric: Float64Array;
}

/**
 * Checks the gradient of `f` at `x`: `f` returns `{ value, grad }`, or its value with
 * `options.gradient` (with "autograd", `f` takes x as a Tensor and returns a scalar Tensor,
 * and backward()'s gradient is checked). x (an array of numbers or a typed array) is not
 * modified; the check runs in f64 unless x is a Float32Array (then use looser tolerances).
 */
export function gradCheck(f: TensorObjective, x: ArrayLike<number>, options: GradCheckOptions & { gradient: "autograd" }): GradCheckResult;
export function gradCheck(f: Objective, x: ArrayLike<number>, options?: GradCheckOptions): GradCheckResult;
export function gradCheck(f: Objective | TensorObjective, x: ArrayLike<number>, options: GradCheckOptions = {}): GradCheckResult {
  const A = "gradCheck options";
  if (typeof f !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `gradCheck(f): f must be a function (x) => { value, grad } or (x) => value with options.gradient; got ${describe(f)}.`);
  const ok = x instanceof Float64Array || x instanceof Float32Array || (Array.isArray(x) && x.every((v) => typeof v === "number"));
  if (!ok) throw new DownhillTypeError("INVALID_ARGUMENT", `gradCheck(f, x): x must be an array of numbers, a Float64Array or a Float32Array; got ${describe(x)}.`);
  if (isFloatArray(x) && isDetached(x.buffer)) throw new DownhillTypeError("INVALID_ARGUMENT", `gradCheck(f, x): x is a ${x.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new DownhillRangeError("INVALID_ARGUMENT", `gradCheck(f, x): x[${i}] must be a finite number; got ${x[i]}.`);
  }
  checkKeys(A, options, ["gradient", "atol", "rtol", "backend"]);
  const o = (options ?? {}) as Record<string, unknown>;
  const gradient = checkGradientOption(`${A}.gradient`, o["gradient"]);
  const backend = o["backend"] === undefined ? undefined : checkBackendName(o["backend"], `${A}.backend`);
  const atol = o["atol"] === undefined ? GRAD_CHECK_DEFAULTS.atol : checkNumber(`${A}.atol`, o["atol"], { min: 0 });
  const rtol = o["rtol"] === undefined ? GRAD_CHECK_DEFAULTS.rtol : checkNumber(`${A}.rtol`, o["rtol"], { min: 0 });

  const point: FloatArray = x instanceof Float32Array ? Float32Array.from(x) : Float64Array.from(x);
  checkDifferenceSteps("gradCheck(f, x)", point);
  const n = point.length;
  const work = point instanceof Float32Array ? new Float32Array(n) : new Float64Array(n);
  const evaluator = new ObjectiveEvaluator("gradCheck(f)", f, gradient, backend);
  evaluator.evaluate(point, work);
  if (evaluator.numeric) {
    throw new DownhillTypeError("INVALID_ARGUMENT", "gradCheck(f): no analytic gradient to check; return { value, grad } from f or pass options.gradient.");
  }
  const analytic = Float64Array.from(work);
  centralDifferences((p) => evaluator.value(p), point, work);
  const numeric = Float64Array.from(work);

  let maxRelativeError = 0;
  let maxAbsoluteError = 0;
  let index = -1;
  let worst = -Infinity;
  let allOk = true;
  for (let i = 0; i < n; i++) {
    const a = analytic[i]!;
    const b = numeric[i]!;
    const abs = Math.abs(a - b);
    const allowed = atol + rtol * Math.abs(b);
    // NaN anywhere fails, as torch.allclose does.
    if (!(abs <= allowed)) allOk = false;
    const rel = abs / Math.max(Math.abs(b), Number.MIN_VALUE);
    if (!(abs <= maxAbsoluteError)) maxAbsoluteError = abs;
    if (!(rel <= maxRelativeError)) maxRelativeError = rel;
    const excess = Number.isNaN(abs) ? Infinity : abs - allowed;
    if (excess > worst) {
      worst = excess;
      index = i;
    }
  }
  return Object.freeze({ ok: allOk, maxRelativeError, maxAbsoluteError, index, analytic, numeric });
}
