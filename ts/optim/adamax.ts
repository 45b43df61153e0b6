/**
 * Adamax (Kingma & Ba 2015, section 7.1), PyTorch's torch.optim.Adamax: Adam with the
 * second moment replaced by an exponentially weighted infinity norm,
 * `expInf = max(beta2·expInf, |g| + eps)`; only the first moment is bias-corrected.
 * Default lr 2e-3. The update follows torch 1.13's `_single_tensor_adamax`.
 */
import { FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBetas, checkBoolean, checkNumber } from "../options.ts";
import { Powers } from "./power.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link Adamax}: torch.optim.Adamax's, in camelCase. */
export interface AdamaxOptions {
  /** Learning rate, >= 0. Default 2e-3. */
  lr: number;
  /** `[beta1, beta2]`, each in [0, 1): decay of the first moment and of the infinity norm. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to |g| in the infinity norm, > 0. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient, >= 0. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.Adamax's defaults, frozen. */
export const ADAMAX_DEFAULTS: Readonly<AdamaxOptions> = Object.freeze({
  lr: 2e-3,
  betas: Object.freeze([0.9, 0.999] as const),
  eps: 1e-8,
  weightDecay: 0,
  maximize: false,
});

function validate(argument: string, o: AdamaxOptions): AdamaxOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    betas: checkBetas(`${argument}.betas`, o.betas),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Adamax, Adam with the infinity norm (Kingma & Ba, 2015): `torch.optim.Adamax`. */
export class Adamax extends Optimizer<AdamaxOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<AdamaxOptions>[],
    options?: Partial<AdamaxOptions> & CommonOptions,
  ) {
    super("Adamax", "adamax", params, options, ADAMAX_DEFAULTS, validate, ["expAvg", "expInf"]);
  }

  protected stateNeeded(): readonly boolean[] {
    return [true, true];
  }

  readonly #powers = new Powers();

  protected prepare(o: Readonly<AdamaxOptions>, step: number, s: Float64Array, group: number): number {
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    const biasCorrection = 1 - this.#powers.of(group, 0, beta1, step);
    s[0] = beta1;
    s[1] = beta2;
    s[2] = o.eps;
    s[3] = o.weightDecay;
    s[4] = -(o.lr / biasCorrection);
    return o.maximize ? FLAG_MAXIMIZE : 0;
  }
}
