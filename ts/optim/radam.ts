/**
 * RAdam (Liu et al. 2020, "On the Variance of the Adaptive Learning Rate and Beyond"),
 * PyTorch's torch.optim.RAdam: while the variance of the adaptive learning rate is
 * intractable (`rho_t ≤ 5`, the first steps) it takes SGD-with-momentum steps on the
 * bias-corrected first moment; afterwards Adam steps scaled by the rectification term
 * `r_t`. Options and defaults are current PyTorch's: `decoupledWeightDecay` and
 * `maximize` (PyTorch ≥ 2.1; 1.13 has neither). The update follows torch 1.13's
 * `_single_tensor_radam`.
 */
import { FLAG_DECOUPLED, FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBetas, checkBoolean, checkNumber } from "../options.ts";
import { Powers } from "./power.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link RAdam}: torch.optim.RAdam's, in camelCase. */
export interface RAdamOptions {
  /** Learning rate, >= 0. Default 1e-3. */
  lr: number;
  /** `[beta1, beta2]`, each in [0, 1): decay of the first and second moment averages. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator, > 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0: an L2 penalty added to the gradient, or decoupled. Default 0. */
  weightDecay: number;
  /** Decoupled weight decay as in AdamW: multiply the parameter by `1 − lr·weightDecay` first. Default false. */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.RAdam's defaults, frozen. */
export const RADAM_DEFAULTS: Readonly<RAdamOptions> = Object.freeze({
  lr: 1e-3,
  betas: Object.freeze([0.9, 0.999] as const),
  eps: 1e-8,
  weightDecay: 0,
  decoupledWeightDecay: false,
  maximize: false,
});

function validate(argument: string, o: RAdamOptions): RAdamOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    betas: checkBetas(`${argument}.betas`, o.betas),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    decoupledWeightDecay: checkBoolean(`${argument}.decoupledWeightDecay`, o.decoupledWeightDecay),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Rectified Adam (Liu et al., 2020): `torch.optim.RAdam`. */
export class RAdam extends Optimizer<RAdamOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<RAdamOptions>[],
    options?: Partial<RAdamOptions> & CommonOptions,
  ) {
    super("RAdam", "radam", params, options, RADAM_DEFAULTS, validate, ["expAvg", "expAvgSq"]);
  }

  protected stateNeeded(): readonly boolean[] {
    return [true, true];
  }

  readonly #powers = new Powers();

  protected prepare(o: Readonly<RAdamOptions>, step: number, s: Float64Array, group: number): number {
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    const { lr, weightDecay } = o;
    const beta2Power = this.#powers.of(group, 1, beta2, step);
    const biasCorrection1 = 1 - this.#powers.of(group, 0, beta1, step);
    const biasCorrection2 = 1 - beta2Power;
    // The length of the approximated simple moving average, and its limit.
    const rhoInf = 2 / (1 - beta2) - 1;
    const rhoT = rhoInf - (2 * step * beta2Power) / biasCorrection2;
    const decoupled = o.decoupledWeightDecay;
    s[0] = beta1;
    s[1] = beta2;
    s[2] = decoupled ? 1 - lr * weightDecay : weightDecay;
    s[3] = o.eps;
    s[4] = biasCorrection1;
    s[5] = lr;
    s[6] = Math.sqrt(biasCorrection2);
    // The rectification term, > 0; 0 tells the kernel to take the unrectified step.
    s[7] = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
    return (decoupled ? FLAG_DECOUPLED : 0) | (o.maximize ? FLAG_MAXIMIZE : 0);
  }
}
