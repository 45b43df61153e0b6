/**
 * L-BFGS with torch.optim.LBFGS's semantics (torch 1.13, itself after minFunc): `step(closure)`
 * runs up to `maxIter` quasi-Newton iterations, each with a fixed step `lr` or a strong-Wolfe
 * line search (`_strong_wolfe`, `_cubic_interpolate`, ported statement by statement).
 *
 * Pure TypeScript in f64 on both backends: its work is dot products and axpys on one flat
 * vector and a short history, where a WebAssembly call would cost more than it saves. The
 * axpys round once, as torch's fused `add_(…, alpha=…)` does, so trajectories follow torch's.
 * Parameters in f32 receive the f64 result rounded to f32 (torch would compute in f32).
 */
import type { FloatArray } from "../dtype.ts";
import { isFloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { checkKeys, checkNumber } from "../options.ts";
import { Parameter } from "../parameter.ts";
import { checkWhole } from "../schedule/scheduler.ts";
import { productError } from "./exact.ts";

/** Options of {@link LBFGS}: torch.optim.LBFGS's, in camelCase. */
export interface LBFGSOptions {
  /** Step length (without line search) or first trial step (with it); > 0. Default 1. */
  lr?: number;
  /** Most iterations per `step()`, a whole number >= 1. Default 20. */
  maxIter?: number;
  /** Most closure evaluations per `step()`, a whole number >= 1, or null for ⌊maxIter · 5/4⌋. */
  maxEval?: number | null;
  /** Stop when the largest gradient entry is <= this (first-order optimality), >= 0. Default 1e-7. */
  toleranceGrad?: number;
  /** Stop when the step or the loss change is below this, >= 0. Default 1e-9. */
  toleranceChange?: number;
  /** Pairs (s, y) kept, a whole number >= 1. Default 100. */
  historySize?: number;
  /** null (fixed step `lr`) or "strong_wolfe". Default null. */
  lineSearchFn?: "strong_wolfe" | null;
}

/** torch.optim.LBFGS's defaults (torch 1.13). */
export const LBFGS_DEFAULTS = Object.freeze({
  /** Step length 1. */
  lr: 1,
  /** 20 iterations per step. */
  maxIter: 20,
  /** ⌊maxIter · 5/4⌋ evaluations per step. */
  maxEval: null as number | null,
  /** First-order optimality tolerance. */
  toleranceGrad: 1e-7,
  /** Step and loss-change tolerance. */
  toleranceChange: 1e-9,
  /** Pairs (s, y) kept. */
  historySize: 100,
  /** No line search: fixed steps of lr. */
  lineSearchFn: null as "strong_wolfe" | null,
});

/** The options after validation, with maxEval resolved. */
export interface LBFGSSettings {
  /** Step length, or first trial step with a line search. */
  readonly lr: number;
  /** Most iterations per `step()`. */
  readonly maxIter: number;
  /** Most closure evaluations per `step()`. */
  readonly maxEval: number;
  /** First-order optimality tolerance. */
  readonly toleranceGrad: number;
  /** Step and loss-change tolerance. */
  readonly toleranceChange: number;
  /** Pairs (s, y) kept. */
  readonly historySize: number;
  /** null (fixed steps) or "strong_wolfe". */
  readonly lineSearchFn: "strong_wolfe" | null;
}

/**
 * Computes the loss at the parameters' current values and writes its gradient into `grads`
 * (one array per parameter, in order: a Parameter's own `grad`, or a buffer of the same
 * length and dtype for a plain typed array); returns the loss.
 */
export type LBFGSClosure = (grads: readonly FloatArray[]) => number;

const NAME = "LBFGS";

function checkLBFGSOptions(options: unknown): LBFGSSettings {
  const A = `${NAME} options`;
  checkKeys(A, options, Object.keys(LBFGS_DEFAULTS));
  const o = { ...LBFGS_DEFAULTS, ...(options as object | undefined) } as Record<string, unknown>;
  const lr = checkNumber(`${A}.lr`, o["lr"], { min: 0, minExclusive: true });
  const maxIter = checkWhole(`${A}.maxIter`, o["maxIter"], { min: 1 });
  const maxEval = o["maxEval"] === null ? Math.floor((maxIter * 5) / 4) : checkWhole(`${A}.maxEval`, o["maxEval"], { min: 1 });
  const toleranceGrad = checkNumber(`${A}.toleranceGrad`, o["toleranceGrad"], { min: 0 });
  const toleranceChange = checkNumber(`${A}.toleranceChange`, o["toleranceChange"], { min: 0 });
  const historySize = checkWhole(`${A}.historySize`, o["historySize"], { min: 1 });
  const ls = o["lineSearchFn"];
  if (ls !== null && ls !== "strong_wolfe") {
    const hint = typeof ls === "string" && ls.toLowerCase().replace(/[_\-\s]/g, "") === "strongwolfe" ? '; did you mean "strong_wolfe"?' : "";
    throw new (typeof ls === "string" ? DownhillRangeError : DownhillTypeError)("INVALID_ARGUMENT", `${A}.lineSearchFn must be null or "strong_wolfe"; got ${describe(ls)}${hint}.`);
  }
  return Object.freeze({ lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearchFn: ls });
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function absMax(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (!(v <= m)) m = v; // NaN propagates, as torch's max does
  }
  return m;
}

function absSum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]!);
  return s;
}

/**
 * `a * b + c` with one rounding, as torch's `x.add_(y, alpha=a)` computes it on CPU (it
 * uses a fused multiply-add): Dekker's exact product and Knuth's exact sum, then one
 * rounding of the pieces (correct except in rare double-rounding ties).
 */
export function fusedMultiplyAdd(a: number, b: number, c: number): number {
  const p = a * b;
  if (!Number.isFinite(p) || p === 0 || !Number.isFinite(c)) return p + c;
  const e = productError(a, b, p); // a·b = p + e exactly
  const s = p + c;
  const v = s - p;
  const t = (p - (s - v)) + (c - v); // p + c = s + t exactly
  return s + (t + e);
}

/** Python's `min(a, b)` / `max(a, b)`: the first argument unless the second compares strictly. */
const pyMin = (a: number, b: number): number => (b < a ? b : a);
const pyMax = (a: number, b: number): number => (b > a ? b : a);

/**
 * torch.optim.lbfgs._cubic_interpolate: the minimizer of the cubic through (x1, f1, g1) and
 * (x2, f2, g2), clamped to `bounds` (the interval between x1 and x2 by default).
 */
export function cubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  let xminBound: number;
  let xmaxBound: number;
  if (bounds !== undefined) [xminBound, xmaxBound] = bounds;
  else [xminBound, xmaxBound] = x1 <= x2 ? [x1, x2] : [x2, x1];
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 ** 2 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    let minPos: number;
    if (x1 <= x2) minPos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2));
    else minPos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return pyMin(pyMax(minPos, xminBound), xmaxBound);
  }
  return (xminBound + xmaxBound) / 2;
}

type Evaluate = (x: Float64Array, t: number, d: Float64Array) => [number, Float64Array];

/**
 * torch.optim.lbfgs._strong_wolfe (after minFunc's lswolfe): brackets a step satisfying the
 * strong Wolfe conditions, then zooms in by cubic interpolation. Returns [f, g, t, evaluations].
 */
function strongWolfe(
  objFunc: Evaluate,
  x: Float64Array,
  tInit: number,
  d: Float64Array,
  f: number,
  gIn: Float64Array,
  gtd: number,
  c1 = 1e-4,
  c2 = 0.9,
  toleranceChange = 1e-9,
  maxLs = 25,
): [number, Float64Array, number, number] {
  let t = tInit;
  const dNorm = absMax(d);
  const g = gIn.slice();
  let [fNew, gNew] = objFunc(x, t, d);
  let lsFuncEvals = 1;
  let gtdNew = dot(gNew, d);

  let tPrev = 0;
  let fPrev = f;
  let gPrev = g;
  let gtdPrev = gtd;
  let done = false;
  let lsIter = 0;
  let bracket: number[] = [];
  let bracketF: number[] = [];
  let bracketG: Float64Array[] = [];
  let bracketGtd: number[] = [];
  while (lsIter < maxLs) {
    if (fNew > f + c1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.slice()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    if (Math.abs(gtdNew) <= -c2 * gtd) {
      bracket = [t];
      bracketF = [fNew];
      bracketG = [gNew];
      done = true;
      break;
    }
    if (gtdNew >= 0) {
      bracket = [tPrev, t];
      bracketF = [fPrev, fNew];
      bracketG = [gPrev, gNew.slice()];
      bracketGtd = [gtdPrev, gtdNew];
      break;
    }
    const minStep = t + 0.01 * (t - tPrev);
    const maxStep = t * 10;
    const tmp = t;
    t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [minStep, maxStep]);
    tPrev = tmp;
    fPrev = fNew;
    gPrev = gNew.slice();
    gtdPrev = gtdNew;
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;
  }
  if (lsIter === maxLs) {
    bracket = [0, t];
    bracketF = [f, fNew];
    bracketG = [g, gNew];
  }

  let insufProgress = false;
  let [lowPos, highPos] = bracketF[0]! <= bracketF[bracketF.length - 1]! ? [0, 1] : [1, 0];
  while (!done && lsIter < maxLs) {
    if (Math.abs(bracket[1]! - bracket[0]!) * dNorm < toleranceChange) break;
    t = cubicInterpolate(bracket[0]!, bracketF[0]!, bracketGtd[0]!, bracket[1]!, bracketF[1]!, bracketGtd[1]!);
    const hi = pyMax(bracket[0]!, bracket[1]!);
    const lo = pyMin(bracket[0]!, bracket[1]!);
    const eps = 0.1 * (hi - lo);
    if (pyMin(hi - t, t - lo) < eps) {
      if (insufProgress || t >= hi || t <= lo) {
        t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
        insufProgress = false;
      } else {
        insufProgress = true;
      }
    } else {
      insufProgress = false;
    }
    [fNew, gNew] = objFunc(x, t, d);
    lsFuncEvals += 1;
    gtdNew = dot(gNew, d);
    lsIter += 1;

    if (fNew > f + c1 * t * gtd || fNew >= bracketF[lowPos]!) {
      bracket[highPos] = t;
      bracketF[highPos] = fNew;
      bracketG[highPos] = gNew.slice();
      bracketGtd[highPos] = gtdNew;
      [lowPos, highPos] = bracketF[0]! <= bracketF[1]! ? [0, 1] : [1, 0];
    } else {
      if (Math.abs(gtdNew) <= -c2 * gtd) {
        done = true;
      } else if (gtdNew * (bracket[highPos]! - bracket[lowPos]!) >= 0) {
        bracket[highPos] = bracket[lowPos]!;
        bracketF[highPos] = bracketF[lowPos]!;
        bracketG[highPos] = bracketG[lowPos]!;
        bracketGtd[highPos] = bracketGtd[lowPos]!;
      }
      bracket[lowPos] = t;
      bracketF[lowPos] = fNew;
      bracketG[lowPos] = gNew.slice();
      bracketGtd[lowPos] = gtdNew;
    }
  }
  return [bracketF[lowPos]!, bracketG[lowPos]!, bracket[lowPos]!, lsFuncEvals];
}

/** What L-BFGS keeps between steps (torch's `state[params[0]]`). */
interface LBFGSState {
  funcEvals: number;
  nIter: number;
  d: Float64Array | null;
  t: number;
  oldDirs: Float64Array[];
  oldStps: Float64Array[];
  ro: number[];
  hDiag: number;
  prevFlatGrad: Float64Array | null;
  prevLoss: number;
  al: number[] | null;
}

/**
 * torch.optim.LBFGS on Parameters or plain typed arrays (updated in place). One param group;
 * `step(closure)` calls the closure to evaluate the loss and its gradient, possibly many times.
 */
export class LBFGS {
  /** The options after validation. */
  readonly options: LBFGSSettings;
  readonly #params: readonly (Parameter | FloatArray)[];
  /** Gradient buffers of the plain typed arrays (null for Parameters, which have their own). */
  readonly #ownGrads: readonly (FloatArray | null)[];
  readonly #numel: number;
  readonly #state: LBFGSState = {
    funcEvals: 0,
    nIter: 0,
    d: null,
    t: 0,
    oldDirs: [],
    oldStps: [],
    ro: [],
    hDiag: 1,
    prevFlatGrad: null,
    prevLoss: NaN,
    al: null,
  };
  #disposed = false;
  #stepping = false;

  constructor(params: readonly (Parameter | FloatArray)[], options: LBFGSOptions = {}) {
    if (!Array.isArray(params) || params.length === 0) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${NAME}(params): params must be a non-empty array of Parameters or typed arrays (one param group: LBFGS has no per-group options); got ${describe(params)}.`);
    }
    params.forEach((p: unknown, i) => {
      if (p instanceof Parameter) {
        if (p.disposed) throw disposedError(`parameter (params[${i}] of ${NAME})`);
      } else if (!isFloatArray(p)) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${NAME}(params): params[${i}] must be a Parameter, Float32Array or Float64Array; got ${describe(p)}.`);
      }
      for (let j = 0; j < i; j++) {
        if (params[j] === p) throw new DownhillRangeError("INVALID_ARGUMENT", `${NAME}(params): params[${i}] is the same as params[${j}]; a parameter may appear only once.`);
      }
    });
    this.options = checkLBFGSOptions(options);
    this.#params = params.slice();
    this.#ownGrads = params.map((p) => (p instanceof Parameter ? null : p instanceof Float32Array ? new Float32Array(p.length) : new Float64Array(p.length)));
    this.#numel = params.reduce((total, p) => total + p.length, 0);
  }

  /** The parameters, as given. */
  get params(): readonly (Parameter | FloatArray)[] {
    return this.#params;
  }

  /** Closure evaluations and iterations over all steps (torch's `func_evals`, `n_iter`). */
  get counts(): {
    /** Closure evaluations. */
    readonly funcEvals: number;
    /** Iterations. */
    readonly nIter: number;
  } {
    return { funcEvals: this.#state.funcEvals, nIter: this.#state.nIter };
  }

  /** True after {@link LBFGS.dispose}. */
  get disposed(): boolean {
    return this.#disposed;
  }

  /** Drops the history; idempotent. LBFGS owns no WebAssembly memory. */
  dispose(): void {
    this.#disposed = true;
    this.#state.oldDirs = [];
    this.#state.oldStps = [];
  }

  #data(i: number): FloatArray {
    const p = this.#params[i]!;
    return p instanceof Parameter ? p.data : p;
  }

  /** Where the closure writes each gradient; Parameters' views are fetched anew (memory may have grown). */
  #grads(): FloatArray[] {
    return this.#params.map((p, i) => (p instanceof Parameter ? p.grad : this.#ownGrads[i]!));
  }

  #gatherFlatGrad(): Float64Array {
    const flat = new Float64Array(this.#numel);
    let offset = 0;
    for (const g of this.#grads()) {
      flat.set(g, offset);
      offset += g.length;
    }
    return flat;
  }

  #addGrad(stepSize: number, update: Float64Array): void {
    let offset = 0;
    for (let i = 0; i < this.#params.length; i++) {
      const data = this.#data(i);
      for (let k = 0; k < data.length; k++) data[k] = fusedMultiplyAdd(stepSize, update[offset + k]!, data[k]!);
      offset += data.length;
    }
  }

  #cloneParam(): Float64Array {
    const flat = new Float64Array(this.#numel);
    let offset = 0;
    for (let i = 0; i < this.#params.length; i++) {
      const data = this.#data(i);
      flat.set(data, offset);
      offset += data.length;
    }
    return flat;
  }

  #setParam(flat: Float64Array): void {
    let offset = 0;
    for (let i = 0; i < this.#params.length; i++) {
      const data = this.#data(i);
      data.set(flat.subarray(offset, offset + data.length));
      offset += data.length;
    }
  }

  #evaluate(closure: LBFGSClosure): number {
    const grads = this.#grads();
    for (const g of grads) g.fill(0);
    const loss: unknown = closure(grads);
    if (typeof loss !== "number") {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${NAME}.step(closure): the closure must return the loss as a number; it returned ${describe(loss)}.`);
    }
    return loss;
  }

  /** Performs one optimization step (up to `maxIter` iterations); returns the loss the first closure call gave. */
  step(closure: LBFGSClosure): number {
    if (this.#disposed) throw disposedError("LBFGS optimizer");
    if (typeof closure !== "function") {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${NAME}.step(closure): closure must be a function (grads) => loss that writes the gradient into grads; got ${describe(closure)}.`);
    }
    if (this.#stepping) throw new DownhillError("BUSY", `${NAME}.step: called from inside its own closure.`);
    for (let i = 0; i < this.#params.length; i++) {
      const p = this.#params[i]!;
      if (p instanceof Parameter && p.disposed) throw disposedError(`parameter (params[${i}] of ${NAME})`);
    }
    this.#stepping = true;
    try {
      return this.#step(closure);
    } finally {
      this.#stepping = false;
    }
  }

  #step(closure: LBFGSClosure): number {
    const { lr, maxIter, maxEval, toleranceGrad, toleranceChange, lineSearchFn, historySize } = this.options;
    const state = this.#state;

    const origLoss = this.#evaluate(closure);
    let loss = origLoss;
    let currentEvals = 1;
    state.funcEvals += 1;

    let flatGrad = this.#gatherFlatGrad();
    let optCond = absMax(flatGrad) <= toleranceGrad;
    if (optCond) return origLoss;

    let d = state.d;
    let t = state.t;
    let oldDirs = state.oldDirs;
    let oldStps = state.oldStps;
    let ro = state.ro;
    let hDiag = state.hDiag;
    let prevFlatGrad = state.prevFlatGrad;
    let prevLoss = state.prevLoss;

    let nIter = 0;
    while (nIter < maxIter) {
      nIter += 1;
      state.nIter += 1;

      // Descent direction.
      if (state.nIter === 1) {
        d = flatGrad.map((v) => -v);
        oldDirs = [];
        oldStps = [];
        ro = [];
        hDiag = 1;
      } else {
        const y = flatGrad.map((v, i) => v - prevFlatGrad![i]!);
        const s = d!.map((v) => v * t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (oldDirs.length === historySize) {
            oldDirs.shift();
            oldStps.shift();
            ro.shift();
          }
          oldDirs.push(y);
          oldStps.push(s);
          ro.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        const numOld = oldDirs.length;
        state.al ??= new Array<number>(historySize).fill(NaN);
        const al = state.al;
        const q = flatGrad.map((v) => -v);
        for (let i = numOld - 1; i >= 0; i--) {
          al[i] = dot(oldStps[i]!, q) * ro[i]!;
          const a = al[i]!;
          const dir = oldDirs[i]!;
          for (let k = 0; k < q.length; k++) q[k] = fusedMultiplyAdd(-a, dir[k]!, q[k]!);
        }
        const r = q.map((v) => v * hDiag);
        d = r;
        for (let i = 0; i < numOld; i++) {
          const beI = dot(oldDirs[i]!, r) * ro[i]!;
          const alpha = al[i]! - beI;
          const stp = oldStps[i]!;
          for (let k = 0; k < r.length; k++) r[k] = fusedMultiplyAdd(alpha, stp[k]!, r[k]!);
        }
      }

      if (prevFlatGrad === null) prevFlatGrad = flatGrad.slice();
      else prevFlatGrad.set(flatGrad);
      prevLoss = loss;

      // Step length.
      t = state.nIter === 1 ? pyMin(1, 1 / absSum(flatGrad)) * lr : lr;
      const gtd = dot(flatGrad, d);
      if (gtd > -toleranceChange) break;

      let lsFuncEvals = 0;
      if (lineSearchFn !== null) {
        const xInit = this.#cloneParam();
        const objFunc: Evaluate = (x, step, dir) => {
          this.#addGrad(step, dir);
          const value = this.#evaluate(closure);
          const grad = this.#gatherFlatGrad();
          this.#setParam(x);
          return [value, grad];
        };
        [loss, flatGrad, t, lsFuncEvals] = strongWolfe(objFunc, xInit, t, d, loss, flatGrad, gtd);
        this.#addGrad(t, d);
        optCond = absMax(flatGrad) <= toleranceGrad;
      } else {
        this.#addGrad(t, d);
        if (nIter !== maxIter) {
          loss = this.#evaluate(closure);
          flatGrad = this.#gatherFlatGrad();
          optCond = absMax(flatGrad) <= toleranceGrad;
          lsFuncEvals = 1;
        }
      }
      currentEvals += lsFuncEvals;
      state.funcEvals += lsFuncEvals;

      // Stopping conditions.
      if (nIter === maxIter) break;
      if (currentEvals >= maxEval) break;
      if (optCond) break;
      if (absMaxScaled(d, t) <= toleranceChange) break;
      if (Math.abs(loss - prevLoss) < toleranceChange) break;
    }

    state.d = d;
    state.t = t;
    state.oldDirs = oldDirs;
    state.oldStps = oldStps;
    state.ro = ro;
    state.hDiag = hDiag;
    state.prevFlatGrad = prevFlatGrad;
    state.prevLoss = prevLoss;
    return origLoss;
  }
}

/** torch's `d.mul(t).abs().max()`: the product rounded per element before the maximum. */
function absMaxScaled(d: Float64Array, t: number): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]! * t);
    if (!(v <= m)) m = v;
  }
  return m;
}
