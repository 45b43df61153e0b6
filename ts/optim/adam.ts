/**
 * Adam (Kingma & Ba 2015), PyTorch's torch.optim.Adam: steps scaled by running averages
 * of the gradient and of its square, both bias-corrected; optionally AMSGrad (Reddi et
 * al. 2018: normalize by the running maximum of the second moment). `weightDecay` is an
 * L2 penalty added to the gradient, or with `decoupledWeightDecay` (PyTorch ≥ 2.7; not
 * in 1.13) the parameter is first multiplied by `1 − lr·weightDecay`, which is AdamW.
 * The update follows torch 1.13's `_single_tensor_adam` operation for operation.
 */
import { FLAG_AMSGRAD, FLAG_DECOUPLED, FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBetas, checkBoolean, checkNumber } from "../options.ts";
import { Powers } from "./power.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** The options Adam and AdamW share. */
export interface AdamCoreOptions {
  /** Learning rate, >= 0. Default 1e-3. */
  lr: number;
  /** `[beta1, beta2]`, each in [0, 1): decay of the first and second moment averages. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator, > 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0. Adam: L2 penalty added to the gradient, default 0. AdamW: decoupled, default 1e-2. */
  weightDecay: number;
  /** AMSGrad: divide by the running maximum of the second moment. Default false. */
  amsgrad: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

export interface AdamOptions extends AdamCoreOptions {
  /** Decoupled weight decay as in AdamW (PyTorch ≥ 2.7). Default false. */
  decoupledWeightDecay: boolean;
}

/** torch.optim.Adam's defaults, frozen. */
export const ADAM_DEFAULTS: Readonly<AdamOptions> = Object.freeze({
  lr: 1e-3,
  betas: Object.freeze([0.9, 0.999] as const),
  eps: 1e-8,
  weightDecay: 0,
  amsgrad: false,
  maximize: false,
  decoupledWeightDecay: false,
});

/** Validates the options Adam and AdamW share. */
export function validateAdamCore(argument: string, o: AdamCoreOptions): AdamCoreOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    betas: checkBetas(`${argument}.betas`, o.betas),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    amsgrad: checkBoolean(`${argument}.amsgrad`, o.amsgrad),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

function validate(argument: string, o: AdamOptions): AdamOptions {
  // One object literal, not a spread of the core's options: V8 clones an object with
  // double fields on its slow path, and the clones did not share a hidden class, so every
  // step's reads of an Adam's options were megamorphic (~10 % of a W4 epoch, issue 9).
  const core = validateAdamCore(argument, o);
  return {
    lr: core.lr,
    betas: core.betas,
    eps: core.eps,
    weightDecay: core.weightDecay,
    amsgrad: core.amsgrad,
    maximize: core.maximize,
    decoupledWeightDecay: checkBoolean(`${argument}.decoupledWeightDecay`, o.decoupledWeightDecay),
  };
}

/** The state buffers of the adam kernel, in its order. */
export const ADAM_STATE = ["expAvg", "expAvgSq", "maxExpAvgSq"] as const;

export function adamStateNeeded(o: Readonly<AdamCoreOptions>): readonly boolean[] {
  return [true, true, o.amsgrad];
}

/**
 * Scalars of the adam kernel for step `step`, computed in f64 as torch computes them in
 * Python floats (`step_size = lr / bias_correction1`, `sqrt(bias_correction2)`); the
 * powers of β come from `powers` (param group `group`'s).
 */
export function prepareAdam(o: Readonly<AdamCoreOptions>, decoupled: boolean, step: number, s: Float64Array, powers: Powers, group: number): number {
  const beta1 = o.betas[0];
  const beta2 = o.betas[1];
  const biasCorrection1 = 1 - powers.of(group, 0, beta1, step);
  const biasCorrection2 = 1 - powers.of(group, 1, beta2, step);
  s[0] = beta1;
  s[1] = beta2;
  s[2] = o.eps;
  s[3] = decoupled ? 1 - o.lr * o.weightDecay : o.weightDecay;
  s[4] = -(o.lr / biasCorrection1);
  s[5] = Math.sqrt(biasCorrection2);
  return (o.amsgrad ? FLAG_AMSGRAD : 0) | (decoupled ? FLAG_DECOUPLED : 0) | (o.maximize ? FLAG_MAXIMIZE : 0);
}

/** Adam (Kingma & Ba, 2015), with AMSGrad and decoupled weight decay as options: `torch.optim.Adam`. */
export class Adam extends Optimizer<AdamOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<AdamOptions>[],
    options?: Partial<AdamOptions> & CommonOptions,
  ) {
    super("Adam", "adam", params, options, ADAM_DEFAULTS, validate, ADAM_STATE);
  }

  protected stateNeeded(o: Readonly<AdamOptions>): readonly boolean[] {
    return adamStateNeeded(o);
  }

  readonly #powers = new Powers();

  protected prepare(o: Readonly<AdamOptions>, step: number, s: Float64Array, group: number): number {
    return prepareAdam(o, o.decoupledWeightDecay, step, s, this.#powers, group);
  }
}
