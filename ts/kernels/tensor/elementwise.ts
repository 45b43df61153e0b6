/**
 * TypeScript twin of crate/src/tensor/elementwise.rs: element-wise operations of autograd
 * tensors and their backward passes, with the derivatives of torch's `derivatives.yaml`.
 * exp, log and log1p are ts/kernels/math.ts's and tanh, sigmoid and relu the MLP's
 * activations (ts/kernels/model/mlp.ts), so both backends give the same bits. Binary
 * operations broadcast through views; backward kernels add into the input's gradient,
 * summing over broadcast elements in row-major order. The f32 versions round with
 * Math.fround after every operation.
 */
import { sign } from "../float.ts";
import { exp, log, log1p } from "../math.ts";
import { activateF32, activateF64, activationBackwardF32, activationBackwardF64, RELU as MLP_RELU, SIGMOID as MLP_SIGMOID, TANH as MLP_TANH } from "../model/mlp.ts";
import type { View } from "./view.ts";

const fround = Math.fround;

/** Unary operation codes, shared with crate/src/tensor/elementwise.rs. */
export const NEG = 0;
export const EXP = 1;
export const LOG = 2;
export const SQRT = 3;
export const ABS = 4;
export const TANH = 5;
export const SIGMOID = 6;
export const RELU = 7;
export const SOFTPLUS = 8;
export const POW = 9;

/** Binary operation codes. */
export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;

/** Which input of a binary operation a backward pass differentiates. */
export const LEFT = 0;
export const RIGHT = 1;

/**
 * `x^p` in f64: by repeated squaring for whole exponents up to 1024 in magnitude (exact
 * operations only), else `exp(p·ln|x|)` with the sign of an odd power of a negative x
 * (NaN for a negative x and a fractional p, as IEEE pow).
 */
function power(x: number, p: number): number {
  if (p === 0) return 1;
  const whole = p === Math.floor(p);
  if (whole && Math.abs(p) <= 1024) {
    let e = Math.abs(p);
    let base = x;
    let result = 1;
    while (e > 0) {
      if (e % 2 === 1) result = result * base;
      e = Math.floor(e / 2);
      if (e > 0) base = base * base;
    }
    return p < 0 ? 1 / result : result;
  }
  const magnitude = exp(p * log(Math.abs(x)));
  if (x < 0) {
    if (!whole) return NaN;
    return p % 2 !== 0 ? -magnitude : magnitude;
  }
  return magnitude;
}

/** softplus(x) = ln(1 + eˣ) as `max(x, 0) + log1p(exp(−|x|))` (torch's with β = 1, without its switch above 20). */
function softplusF64(x: number): number {
  const e = exp(-Math.abs(x));
  const positive = x > 0 ? x : 0;
  return positive + log1p(e);
}

function softplusF32(x: number): number {
  const e = fround(exp(-Math.abs(x)));
  const positive = x > 0 ? x : 0;
  return fround(positive + fround(log1p(e)));
}

/** `out = op(x)` element-wise; `p` is the exponent of POW. */
export function unaryF64(op: number, p: number, x: Float64Array, out: Float64Array): void {
  const n = out.length;
  switch (op) {
    case NEG: for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
    case EXP: for (let i = 0; i < n; i++) out[i] = exp(x[i]!); break;
    case LOG: for (let i = 0; i < n; i++) out[i] = log(x[i]!); break;
    case SQRT: for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!); break;
    case ABS: for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); break;
    case TANH: for (let i = 0; i < n; i++) out[i] = activateF64(MLP_TANH, x[i]!); break;
    case SIGMOID: for (let i = 0; i < n; i++) out[i] = activateF64(MLP_SIGMOID, x[i]!); break;
    case RELU: for (let i = 0; i < n; i++) out[i] = activateF64(MLP_RELU, x[i]!); break;
    case SOFTPLUS: for (let i = 0; i < n; i++) out[i] = softplusF64(x[i]!); break;
    case POW: for (let i = 0; i < n; i++) out[i] = power(x[i]!, p); break;
  }
}

export function unaryF32(op: number, p: number, x: Float32Array, out: Float32Array): void {
  const n = out.length;
  switch (op) {
    case NEG: for (let i = 0; i < n; i++) out[i] = -x[i]!; break;
    case EXP: for (let i = 0; i < n; i++) out[i] = fround(exp(x[i]!)); break;
    case LOG: for (let i = 0; i < n; i++) out[i] = fround(log(x[i]!)); break;
    case SQRT: for (let i = 0; i < n; i++) out[i] = fround(Math.sqrt(x[i]!)); break;
    case ABS: for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!); break;
    case TANH: for (let i = 0; i < n; i++) out[i] = activateF32(MLP_TANH, x[i]!); break;
    case SIGMOID: for (let i = 0; i < n; i++) out[i] = activateF32(MLP_SIGMOID, x[i]!); break;
    case RELU: for (let i = 0; i < n; i++) out[i] = activateF32(MLP_RELU, x[i]!); break;
    case SOFTPLUS: for (let i = 0; i < n; i++) out[i] = softplusF32(x[i]!); break;
    case POW: {
      const q = fround(p);
      for (let i = 0; i < n; i++) out[i] = fround(power(x[i]!, q));
      break;
    }
  }
}

/**
 * `grad += g · op'(x)` element-wise, from the input `x` and the output `y` of `unary`
 * (torch: neg `−g`, exp `g·y`, log `g / x`, sqrt `g / (2y)`, abs `g·sgn(x)`, tanh
 * `g·(1 − y²)`, sigmoid `g·(1 − y)·y`, relu `g` where y > 0, softplus `g·sigmoid(x)`,
 * pow `g·(p·x^(p−1))`, 0 for p = 0).
 */
export function unaryBackwardF64(op: number, p: number, x: Float64Array, y: Float64Array, g: Float64Array, grad: Float64Array): void {
  const n = grad.length;
  switch (op) {
    case NEG: for (let i = 0; i < n; i++) grad[i] = grad[i]! + -g[i]!; break;
    case EXP: for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! * y[i]!; break;
    case LOG: for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! / x[i]!; break;
    case SQRT: for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! / (y[i]! + y[i]!); break;
    case ABS: for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! * sign(x[i]!); break;
    case TANH: for (let i = 0; i < n; i++) grad[i] = grad[i]! + activationBackwardF64(MLP_TANH, g[i]!, y[i]!); break;
    case SIGMOID: for (let i = 0; i < n; i++) grad[i] = grad[i]! + activationBackwardF64(MLP_SIGMOID, g[i]!, y[i]!); break;
    case RELU: for (let i = 0; i < n; i++) grad[i] = grad[i]! + activationBackwardF64(MLP_RELU, g[i]!, y[i]!); break;
    case SOFTPLUS: for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! * activateF64(MLP_SIGMOID, x[i]!); break;
    case POW:
      if (p !== 0) {
        const q = p - 1;
        for (let i = 0; i < n; i++) grad[i] = grad[i]! + g[i]! * (p * power(x[i]!, q));
      }
      break;
  }
}

export function unaryBackwardF32(op: number, p: number, x: Float32Array, y: Float32Array, g: Float32Array, grad: Float32Array): void {
  const n = grad.length;
  switch (op) {
    case NEG: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + -g[i]!); break;
    case EXP: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! * y[i]!)); break;
    case LOG: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! / x[i]!)); break;
    case SQRT: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! / fround(y[i]! + y[i]!))); break;
    case ABS: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! * sign(x[i]!))); break;
    case TANH: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + activationBackwardF32(MLP_TANH, g[i]!, y[i]!)); break;
    case SIGMOID: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + activationBackwardF32(MLP_SIGMOID, g[i]!, y[i]!)); break;
    case RELU: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + activationBackwardF32(MLP_RELU, g[i]!, y[i]!)); break;
    case SOFTPLUS: for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! * activateF32(MLP_SIGMOID, x[i]!))); break;
    case POW: {
      const pf = fround(p);
      if (pf !== 0) {
        const q = fround(pf - 1);
        for (let i = 0; i < n; i++) grad[i] = fround(grad[i]! + fround(g[i]! * fround(pf * fround(power(x[i]!, q)))));
      }
      break;
    }
  }
}

/** The operation of each binary code (indexed by ADD, SUB, MUL, DIV), in f64 or rounded to f32. */
const BINARY_F64: readonly ((x: number, y: number) => number)[] = [(x, y) => x + y, (x, y) => x - y, (x, y) => x * y, (x, y) => x / y];
const BINARY_F32: readonly ((x: number, y: number) => number)[] = BINARY_F64.map((f) => (x: number, y: number) => fround(f(x, y)));

function zip(f: (x: number, y: number) => number, a: Float32Array | Float64Array, av: View, b: Float32Array | Float64Array, bv: View, rows: number, cols: number, out: Float32Array | Float64Array): void {
  for (let r = 0; r < rows; r++) {
    const ar = av.offset + r * av.rowStride, br = bv.offset + r * bv.rowStride;
    for (let c = 0; c < cols; c++) out[r * cols + c] = f(a[ar + c * av.colStride]!, b[br + c * bv.colStride]!);
  }
}

/** `out[r, c] = a[av(r, c)] op b[bv(r, c)]` over the dense `rows × cols` output. */
export function binaryF64(op: number, a: Float64Array, av: View, b: Float64Array, bv: View, rows: number, cols: number, out: Float64Array): void {
  const f = BINARY_F64[op];
  if (f !== undefined) zip(f, a, av, b, bv, rows, cols, out);
}

export function binaryF32(op: number, a: Float32Array, av: View, b: Float32Array, bv: View, rows: number, cols: number, out: Float32Array): void {
  const f = BINARY_F32[op];
  if (f !== undefined) zip(f, a, av, b, bv, rows, cols, out);
}

/** ∂(a op b)/∂side times g, from g, a and b, indexed [op][side] (LEFT, RIGHT): the crate's match arms. */
const DERIVATIVE_F64: readonly (readonly ((g: number, x: number, y: number) => number)[])[] = [
  [(g) => g, (g) => g],
  [(g) => g, (g) => -g],
  [(g, _, y) => g * y, (g, x) => g * x],
  [(g, _, y) => g / y, (g, x, y) => -g * ((x / y) / y)],
];
const DERIVATIVE_F32: readonly (readonly ((g: number, x: number, y: number) => number)[])[] = [
  [(g) => g, (g) => g],
  [(g) => g, (g) => -g],
  [(g, _, y) => fround(g * y), (g, x) => fround(g * x)],
  [(g, _, y) => fround(g / y), (g, x, y) => fround(-g * fround(fround(x / y) / y))],
];

function scatter(
  d: (g: number, x: number, y: number) => number, round: (v: number) => number,
  g: Float32Array | Float64Array, a: Float32Array | Float64Array, av: View, b: Float32Array | Float64Array, bv: View, rows: number, cols: number, grad: Float32Array | Float64Array, gv: View,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = gv.offset + r * gv.rowStride + c * gv.colStride;
      const term = d(g[r * cols + c]!, a[av.offset + r * av.rowStride + c * av.colStride]!, b[bv.offset + r * bv.rowStride + c * bv.colStride]!);
      grad[i] = round(grad[i]! + term);
    }
  }
}

const same = (v: number): number => v;

/**
 * Adds the gradient of `binary`'s output `g` (dense `rows × cols`) with respect to its
 * `side` input into that input's gradient `grad`, laid out like the input (its view):
 * add `g`, sub `g`/`−g`, mul `g·b`/`g·a`, div `g / b`/`−g·((a / b) / b)`.
 */
export function binaryBackwardF64(op: number, side: number, g: Float64Array, a: Float64Array, av: View, b: Float64Array, bv: View, rows: number, cols: number, grad: Float64Array): void {
  const d = DERIVATIVE_F64[op]?.[side];
  if (d !== undefined) scatter(d, same, g, a, av, b, bv, rows, cols, grad, side === LEFT ? av : bv);
}

export function binaryBackwardF32(op: number, side: number, g: Float32Array, a: Float32Array, av: View, b: Float32Array, bv: View, rows: number, cols: number, grad: Float32Array): void {
  const d = DERIVATIVE_F32[op]?.[side];
  if (d !== undefined) scatter(d, fround, g, a, av, b, bv, rows, cols, grad, side === LEFT ? av : bv);
}
