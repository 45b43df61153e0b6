/**
 * Gradient clipping, PyTorch's torch.nn.utils.clip_grad_norm_ and clip_grad_value_ (1.13),
 * in place on the gradients: a Parameter's `grad` (in WASM memory on the wasm backend,
 * not copied) or a plain typed array, which is taken as the gradient itself.
 *
 * clipGradNorm computes, like PyTorch:
 *
 *     n_i   = torch.norm(g_i, p)            per tensor, in its dtype (ts/kernels/reduce.ts)
 *     total = torch.norm(stack(n_i), p)     here in f64 from the n_i, in the order given:
 *             p = 2: sqrt(Σ n_i·n_i)   p = 1: Σ n_i   p = ∞: max n_i   else (Σ n_i^p)^(1/p)
 *     coef  = min(1, (1 / (total + 1e-6)) · maxNorm)    (torch's `max_norm / tensor` is
 *                                                         `reciprocal() * max_norm`)
 *     g_i  ← g_i · coef                     coef rounded to the dtype
 *
 * PyTorch combines f32 norms in f32 (its total is an f32 tensor); the f64 total is the
 * same to within f32 rounding. Everything in downhill's order is bit-identical across
 * backends: the reductions are twins with one summation order, the rest is this code.
 */
import type { Backend, Storage } from "../backend/backend.ts";
import { resolveBackend } from "../backend/select.ts";
import { TsStorage, tsBackend } from "../backend/ts/index.ts";
import { dtypeOf, isFloatArray, type FloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { checkBoolean, checkKeys, checkNumber } from "../options.ts";
import { Parameter } from "../parameter.ts";
import type { ParamInput } from "./optimizer.ts";

/** Options of {@link clipGradNorm}. */
export interface ClipGradNormOptions {
  /** Throw (code "DIVERGED", nothing changed) when the total norm is NaN or ±Infinity. Default false. */
  errorIfNonfinite?: boolean;
}

interface Gradient {
  readonly backend: Backend;
  readonly storage: Storage;
}

function overlaps(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Checks `params` (one or an array) and returns each gradient's storage and backend. */
function gradients(fn: string, params: unknown): Gradient[] {
  const list: unknown[] = Array.isArray(params) ? params : [params];
  const out = list.map((p, i): Gradient => {
    if (p instanceof Parameter) {
      if (p.disposed) throw disposedError(`parameter (params[${i}] of ${fn})`);
      return { backend: resolveBackend(p.backend), storage: Parameter.storages(p).grad };
    }
    if (isFloatArray(p)) return { backend: tsBackend, storage: new TsStorage(dtypeOf(p), p) };
    const what = Array.isArray(params) ? `params[${i}]` : "params";
    throw new DownhillTypeError("INVALID_ARGUMENT", `${fn}(params): ${what} must be a Parameter, Float32Array or Float64Array (or an array of them); got ${describe(p)}.`);
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < i; j++) {
      if (list[i] === list[j] || overlaps(out[i]!.storage.array, out[j]!.storage.array)) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${fn}(params): params[${i}] is the same gradient as params[${j}]; give each gradient once.`);
      }
    }
  }
  return out;
}

function checkNormType(value: unknown): number {
  const wanted = "a number >= 1, or Infinity for the max norm";
  if (typeof value !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `clipGradNorm(normType) must be ${wanted}; got ${describe(value)}.`);
  if (!(value >= 1)) throw new DownhillRangeError("INVALID_ARGUMENT", `clipGradNorm(normType) must be ${wanted}; got ${value}.`);
  return value;
}

/**
 * `Σ |x|^p` in the array's dtype, for p other than 1, 2 and ∞. Math.pow is not exactly
 * rounded (nor is Rust's powf, and they may differ), so this one loop serves both
 * backends, reading WASM memory in place.
 */
function sumOfPowers(x: FloatArray, p: number): number {
  let total = 0;
  if (x instanceof Float32Array) {
    for (let i = 0; i < x.length; i++) total = Math.fround(total + Math.fround(Math.abs(x[i]!) ** p));
  } else {
    for (let i = 0; i < x.length; i++) total = total + Math.abs(x[i]!) ** p;
  }
  return total;
}

/** torch.norm(g, p) of one gradient, computed in its dtype, as a number. */
function tensorNorm(g: Gradient, p: number): number {
  const f32 = g.storage.dtype === "f32";
  const round = f32 ? Math.fround : (x: number) => x;
  if (p === 2) return round(Math.sqrt(g.backend.sumOfSquares(g.storage)));
  if (p === 1) return g.backend.sumOfAbs(g.storage);
  if (p === Infinity) return g.backend.maxAbs(g.storage);
  return round(round(sumOfPowers(g.storage.array, p)) ** (1 / p));
}

/**
 * Scales all gradients together so that their total `normType`-norm (as if concatenated
 * into one vector) is at most `maxNorm`, and returns the total norm before clipping;
 * torch.nn.utils.clip_grad_norm_. `normType`: 2 (default), 1, Infinity or any p >= 1.
 * Gradients of zero length count as 0. Nothing is changed when an argument is refused.
 */
export function clipGradNorm(
  params: ParamInput | readonly ParamInput[],
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  const grads = gradients("clipGradNorm", params);
  const limit = checkNumber("clipGradNorm(maxNorm)", maxNorm, { min: 0 });
  const p = checkNormType(normType);
  checkKeys("clipGradNorm options", options, ["errorIfNonfinite"]);
  const errorIfNonfinite = options.errorIfNonfinite === undefined ? false : checkBoolean("clipGradNorm options.errorIfNonfinite", options.errorIfNonfinite);
  if (grads.length === 0) return 0;

  let total = 0;
  for (const g of grads) {
    const n = tensorNorm(g, p);
    if (p === Infinity) total = Math.max(total, n); // NaN if either is NaN, like torch.max
    else if (p === 1) total += n;
    else if (p === 2) total += n * n;
    else total += n ** p;
  }
  if (p === 2) total = Math.sqrt(total);
  else if (p !== 1 && p !== Infinity) total = total ** (1 / p);

  if (errorIfNonfinite && !Number.isFinite(total)) {
    throw new DownhillError(
      "DIVERGED",
      `clipGradNorm: the total norm of order ${p} of the gradients is ${total}, so it cannot be clipped; nothing was changed. Pass errorIfNonfinite: false to scale by it anyway.`,
    );
  }
  const coefficient = (1 / (total + 1e-6)) * limit;
  // Clamped to 1, NaN kept (torch.clamp). Multiplying by 1 changes no value, so skip it.
  if (!(coefficient >= 1)) for (const g of grads) g.backend.scale(g.storage, coefficient);
  return total;
}

/**
 * Clamps every gradient element to [−clipValue, clipValue] in place (NaN stays NaN);
 * torch.nn.utils.clip_grad_value_. `clipValue` must be a finite number >= 0.
 */
export function clipGradValue(params: ParamInput | readonly ParamInput[], clipValue: number): void {
  const grads = gradients("clipGradValue", params);
  const limit = checkNumber("clipGradValue(clipValue)", clipValue, { min: 0 });
  for (const g of grads) g.backend.clamp(g.storage, -limit, limit);
}
