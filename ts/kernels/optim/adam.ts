/**
 * TypeScript twin of crate/src/optim/adam.rs: Adam and, with FLAG_DECOUPLED, AdamW, in
 * the operation order of torch.optim.adam._single_tensor_adam and
 * torch.optim.adamw._single_tensor_adamw (torch 1.13). The f32 kernel rounds with
 * Math.fround after every operation, so both backends agree bit for bit.
 */

/** Hyperparameters of one step, in f64; the f32 kernel rounds them first. */
export interface Adam {
  beta1: number;
  /** `1 - beta1`, computed in f64 as Python computes it before torch casts it. */
  beta1Complement: number;
  beta2: number;
  /** `1 - beta2`, computed in f64. */
  beta2Complement: number;
  eps: number;
  /** L2 coefficient (Adam), or with `decoupled` the factor `1 - lr * weightDecay` (AdamW). */
  weightDecay: number;
  /** `-lr / (1 - beta1^t)`. */
  negStepSize: number;
  /** `sqrt(1 - beta2^t)`. */
  biasCorrection2Sqrt: number;
  amsgrad: boolean;
  decoupled: boolean;
  maximize: boolean;
}

import { maximum } from "../float.ts";
import { FLAG_AMSGRAD, FLAG_DECOUPLED, FLAG_MAXIMIZE, type StepKernel } from "./kernel.ts";

const fround = Math.fround;

/**
 * Scalars `[beta1, beta2, eps, weightDecay or 1 - lr*weightDecay, -lr/(1 - beta1^t),
 * sqrt(1 - beta2^t)]`; flags amsgrad, decoupled, maximize.
 */
function hyper(s: Float64Array, flags: number): Adam {
  return {
    beta1: s[0]!,
    beta1Complement: 1 - s[0]!,
    beta2: s[1]!,
    beta2Complement: 1 - s[1]!,
    eps: s[2]!,
    weightDecay: s[3]!,
    negStepSize: s[4]!,
    biasCorrection2Sqrt: s[5]!,
    amsgrad: (flags & FLAG_AMSGRAD) !== 0,
    decoupled: (flags & FLAG_DECOUPLED) !== 0,
    maximize: (flags & FLAG_MAXIMIZE) !== 0,
  };
}

/** State `[expAvg, expAvgSq, maxExpAvgSq]`, all starting at zero (the last only with AMSGrad). */
export const kernel: StepKernel = {
  states: 3,
  f32: (s, flags, param, grad, [expAvg, expAvgSq, maxExpAvgSq]) => stepF32(hyper(s, flags), param, grad, expAvg!, expAvgSq!, maxExpAvgSq!),
  f64: (s, flags, param, grad, [expAvg, expAvgSq, maxExpAvgSq]) => stepF64(hyper(s, flags), param, grad, expAvg!, expAvgSq!, maxExpAvgSq!),
};

/** `maxExpAvgSq` is empty unless `amsgrad`. */
export function stepF64(
  hp: Adam,
  param: Float64Array,
  grad: Float64Array,
  expAvg: Float64Array,
  expAvgSq: Float64Array,
  maxExpAvgSq: Float64Array,
): void {
  const n = param.length;
  const { beta1, beta1Complement, beta2, beta2Complement, eps, weightDecay, negStepSize, biasCorrection2Sqrt, amsgrad, decoupled, maximize } = hp;
  const l2 = !decoupled && weightDecay !== 0;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    if (decoupled) {
      param[i] = param[i]! * weightDecay;
    } else if (l2) {
      g = g + weightDecay * param[i]!;
    }
    const m = expAvg[i]! * beta1 + beta1Complement * g;
    expAvg[i] = m;
    // addcmul: value · t1 · t2, left to right.
    const v = expAvgSq[i]! * beta2 + beta2Complement * g * g;
    expAvgSq[i] = v;
    let second: number;
    if (amsgrad) {
      const vMax = maximum(maxExpAvgSq[i]!, v);
      maxExpAvgSq[i] = vMax;
      second = vMax;
    } else {
      second = v;
    }
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps;
    // addcdiv: value · t1 / t2, left to right.
    param[i] = param[i]! + (negStepSize * m) / denom;
  }
}

export function stepF32(
  hp: Adam,
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  maxExpAvgSq: Float32Array,
): void {
  const n = param.length;
  const beta1 = fround(hp.beta1);
  const beta1Complement = fround(hp.beta1Complement);
  const beta2 = fround(hp.beta2);
  const beta2Complement = fround(hp.beta2Complement);
  const eps = fround(hp.eps);
  const weightDecay = fround(hp.weightDecay);
  const negStepSize = fround(hp.negStepSize);
  const biasCorrection2Sqrt = fround(hp.biasCorrection2Sqrt);
  const { amsgrad, decoupled, maximize } = hp;
  const l2 = !decoupled && weightDecay !== 0;
  if (!amsgrad && !decoupled && !l2 && !maximize) {
    // The default options without their tests per element (V8 does not hoist them out of
    // the loop; crate/src/optim/adam.rs compiles run() per flag set): the loop below's
    // operations for these flags, so the same bits; ~10 % faster.
    for (let i = 0; i < n; i++) {
      const g = grad[i]!;
      const m = fround(fround(expAvg[i]! * beta1) + fround(beta1Complement * g));
      expAvg[i] = m;
      const v = fround(fround(expAvgSq[i]! * beta2) + fround(fround(beta2Complement * g) * g));
      expAvgSq[i] = v;
      const denom = fround(fround(fround(Math.sqrt(v)) / biasCorrection2Sqrt) + eps);
      param[i] = fround(param[i]! + fround(fround(negStepSize * m) / denom));
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    if (decoupled) {
      param[i] = fround(param[i]! * weightDecay);
    } else if (l2) {
      g = fround(g + fround(weightDecay * param[i]!));
    }
    const m = fround(fround(expAvg[i]! * beta1) + fround(beta1Complement * g));
    expAvg[i] = m;
    const v = fround(fround(expAvgSq[i]! * beta2) + fround(fround(beta2Complement * g) * g));
    expAvgSq[i] = v;
    let second: number;
    if (amsgrad) {
      const vMax = maximum(maxExpAvgSq[i]!, v);
      maxExpAvgSq[i] = vMax;
      second = vMax;
    } else {
      second = v;
    }
    const denom = fround(fround(fround(Math.sqrt(second)) / biasCorrection2Sqrt) + eps);
    param[i] = fround(param[i]! + fround(fround(negStepSize * m) / denom));
  }
}
