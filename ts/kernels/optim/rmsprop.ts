/**
 * TypeScript twin of crate/src/optim/rmsprop.rs: the operation order of
 * torch.optim.rmsprop._single_tensor_rmsprop. The f32 kernel rounds with Math.fround
 * after every operation, so both backends agree bit for bit.
 */

/** Hyperparameters of one step, in f64; the f32 kernel rounds them first. */
export interface Rmsprop {
  lr: number;
  alpha: number;
  /** `1 - alpha`. */
  alphaComplement: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  /** `momentum > 0` decided in f64, as PyTorch does, not after rounding to f32. */
  hasMomentum: boolean;
  centered: boolean;
  maximize: boolean;
}

import { FLAG_CENTERED, FLAG_MAXIMIZE, type StepKernel } from "./kernel.ts";

const fround = Math.fround;

/** Scalars `[lr, alpha, 1 - alpha, eps, weightDecay, momentum]`; flags centered, maximize. */
function hyper(s: Float64Array, flags: number): Rmsprop {
  return {
    lr: s[0]!,
    alpha: s[1]!,
    alphaComplement: s[2]!,
    eps: s[3]!,
    weightDecay: s[4]!,
    momentum: s[5]!,
    hasMomentum: s[5]! > 0,
    centered: (flags & FLAG_CENTERED) !== 0,
    maximize: (flags & FLAG_MAXIMIZE) !== 0,
  };
}

/** State `[squareAvg, momentumBuffer, gradAvg]`, all starting at zero. */
export const kernel: StepKernel = {
  states: 3,
  f32: (s, flags, param, grad, [squareAvg, momentumBuffer, gradAvg]) => stepF32(hyper(s, flags), param, grad, squareAvg!, momentumBuffer!, gradAvg!),
  f64: (s, flags, param, grad, [squareAvg, momentumBuffer, gradAvg]) => stepF64(hyper(s, flags), param, grad, squareAvg!, momentumBuffer!, gradAvg!),
};

/** `momentumBuffer` is empty when momentum is 0 and `gradAvg` when not centered. */
export function stepF64(
  hp: Rmsprop,
  param: Float64Array,
  grad: Float64Array,
  squareAvg: Float64Array,
  momentumBuffer: Float64Array,
  gradAvg: Float64Array,
): void {
  const n = param.length;
  const { alpha, alphaComplement, eps, weightDecay, momentum, hasMomentum, centered, maximize } = hp;
  const negLr = -hp.lr;
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    g = weightDecay !== 0 ? g + weightDecay * param[i]! : g;
    // addcmul: value · t1 · t2, left to right.
    const sq = squareAvg[i]! * alpha + alphaComplement * g * g;
    squareAvg[i] = sq;
    let avg: number;
    if (centered) {
      const ga = gradAvg[i]! * alpha + alphaComplement * g;
      gradAvg[i] = ga;
      // A variance, >= 0 in exact arithmetic; rounding can leave it a hair below 0,
      // where PyTorch's sqrt gives NaN. Clamped, so only that case differs from torch.
      const variance = sq - ga * ga;
      avg = Math.sqrt(variance < 0 ? 0 : variance);
    } else {
      avg = Math.sqrt(sq);
    }
    avg = avg + eps;
    if (hasMomentum) {
      const buf = momentumBuffer[i]! * momentum + g / avg;
      momentumBuffer[i] = buf;
      param[i] = param[i]! + negLr * buf;
    } else {
      param[i] = param[i]! + (negLr * g) / avg;
    }
  }
}

export function stepF32(
  hp: Rmsprop,
  param: Float32Array,
  grad: Float32Array,
  squareAvg: Float32Array,
  momentumBuffer: Float32Array,
  gradAvg: Float32Array,
): void {
  const n = param.length;
  const alpha = fround(hp.alpha);
  const alphaComplement = fround(hp.alphaComplement);
  const eps = fround(hp.eps);
  const weightDecay = fround(hp.weightDecay);
  const momentum = fround(hp.momentum);
  const { hasMomentum, centered, maximize } = hp;
  const negLr = -fround(hp.lr);
  for (let i = 0; i < n; i++) {
    let g = maximize ? -grad[i]! : grad[i]!;
    g = weightDecay !== 0 ? fround(g + fround(weightDecay * param[i]!)) : g;
    // addcmul: value · t1 · t2, left to right.
    const sq = fround(fround(squareAvg[i]! * alpha) + fround(fround(alphaComplement * g) * g));
    squareAvg[i] = sq;
    let avg: number;
    if (centered) {
      const ga = fround(fround(gradAvg[i]! * alpha) + fround(alphaComplement * g));
      gradAvg[i] = ga;
      const variance = fround(sq - fround(ga * ga));
      avg = fround(Math.sqrt(variance < 0 ? 0 : variance));
    } else {
      avg = fround(Math.sqrt(sq));
    }
    avg = fround(avg + eps);
    if (hasMomentum) {
      const buf = fround(fround(momentumBuffer[i]! * momentum) + fround(g / avg));
      momentumBuffer[i] = buf;
      param[i] = param[i]! + fround(negLr * buf);
    } else {
      param[i] = param[i]! + fround(fround(negLr * g) / avg);
    }
  }
}
