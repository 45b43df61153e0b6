/**
 * NAdam (Dozat 2016, "Incorporating Nesterov Momentum into Adam"), PyTorch's
 * torch.optim.NAdam: Adam with a Nesterov look-ahead and the momentum schedule
 * `mu_t = beta1·(1 − 0.5·0.96^(t·momentumDecay))`. Options and defaults are current
 * PyTorch's: `decoupledWeightDecay` and `maximize` (PyTorch ≥ 2.1; 1.13 has neither), and
 * the momentum weight `-lr·mu_{t+1} / (1 − muProduct_t·mu_{t+1})` of PyTorch ≥ 2.0 (1.13
 * multiplied mu_t in twice). The element-wise update follows torch 1.13's
 * `_single_tensor_nadam`. `muProduct = mu_1·…·mu_t` is kept per param group in f64
 * (PyTorch keeps it in a 0-dim tensor of the default dtype, usually float32).
 */
import { FLAG_DECOUPLED, FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBetas, checkBoolean, checkNumber } from "../options.ts";
import { Powers } from "./power.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link NAdam}: torch.optim.NAdam's, in camelCase. */
export interface NAdamOptions {
  /** Learning rate, >= 0. Default 2e-3. */
  lr: number;
  /** `[beta1, beta2]`, each in [0, 1): decay of the first and second moment averages. Default [0.9, 0.999]. */
  betas: readonly [number, number];
  /** Added to the denominator, > 0. Default 1e-8. */
  eps: number;
  /** Weight decay, >= 0: an L2 penalty added to the gradient, or decoupled. Default 0. */
  weightDecay: number;
  /** How fast the momentum schedule approaches beta1, >= 0. Default 4e-3. */
  momentumDecay: number;
  /** Decoupled weight decay as in AdamW: multiply the parameter by `1 − lr·weightDecay` first. Default false. */
  decoupledWeightDecay: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.NAdam's defaults, frozen. */
export const NADAM_DEFAULTS: Readonly<NAdamOptions> = Object.freeze({
  lr: 2e-3,
  betas: Object.freeze([0.9, 0.999] as const),
  eps: 1e-8,
  weightDecay: 0,
  momentumDecay: 4e-3,
  decoupledWeightDecay: false,
  maximize: false,
});

function validate(argument: string, o: NAdamOptions): NAdamOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    betas: checkBetas(`${argument}.betas`, o.betas),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    momentumDecay: checkNumber(`${argument}.momentumDecay`, o.momentumDecay, { min: 0 }),
    decoupledWeightDecay: checkBoolean(`${argument}.decoupledWeightDecay`, o.decoupledWeightDecay),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Adam with Nesterov momentum (Dozat, 2016): `torch.optim.NAdam` (PyTorch ≥ 2.0). */
export class NAdam extends Optimizer<NAdamOptions> {
  /** `mu_1·…·mu_t` per param group, as torch's state["mu_product"]. */
  readonly #muProducts: number[] = [];
  readonly #powers = new Powers();

  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<NAdamOptions>[],
    options?: Partial<NAdamOptions> & CommonOptions,
  ) {
    super("NAdam", "nadam", params, options, NADAM_DEFAULTS, validate, ["expAvg", "expAvgSq"]);
  }

  /** Saved in each parameter's state by stateDict(), as torch's state["mu_product"]. */
  protected override groupScalars(group: number): Readonly<Record<string, number>> {
    return { muProduct: this.#muProducts[group] ?? 1 };
  }

  protected override setGroupScalars(group: number, scalars: Readonly<Record<string, number>>): void {
    this.#muProducts[group] = scalars["muProduct"]!;
  }

  protected stateNeeded(): readonly boolean[] {
    return [true, true];
  }

  protected prepare(o: Readonly<NAdamOptions>, step: number, s: Float64Array, group: number): number {
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    const { lr, weightDecay, momentumDecay } = o;
    const biasCorrection2 = 1 - this.#powers.of(group, 1, beta2, step);
    const mu = beta1 * (1 - 0.5 * 0.96 ** (step * momentumDecay));
    const muNext = beta1 * (1 - 0.5 * 0.96 ** ((step + 1) * momentumDecay));
    const muProduct = (step === 1 ? 1 : this.#muProducts[group]!) * mu;
    this.#muProducts[group] = muProduct;
    const muProductNext = muProduct * muNext;
    const decoupled = o.decoupledWeightDecay;
    s[0] = beta1;
    s[1] = beta2;
    s[2] = decoupled ? 1 - lr * weightDecay : weightDecay;
    s[3] = biasCorrection2;
    s[4] = o.eps;
    s[5] = (-lr * (1 - mu)) / (1 - muProduct);
    s[6] = (-lr * muNext) / (1 - muProductNext);
    return (decoupled ? FLAG_DECOUPLED : 0) | (o.maximize ? FLAG_MAXIMIZE : 0);
  }
}
