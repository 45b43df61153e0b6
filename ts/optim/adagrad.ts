/**
 * Adagrad (Duchi, Hazan & Singer 2011), PyTorch's torch.optim.Adagrad: each coordinate's
 * step is divided by the root of the sum of its squared gradients, so often-updated
 * coordinates slow down. Options and defaults are the same in PyTorch 1.13 and 2.x
 * (PyTorch's `foreach`, `fused` and `differentiable` have no counterpart here).
 * PyTorch fills `sum` with `initialAccumulatorValue` at construction; downhill does it
 * on the first step, with the group's value at that time.
 */
import { FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBoolean, checkNumber } from "../options.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link Adagrad}: torch.optim.Adagrad's, in camelCase. */
export interface AdagradOptions {
  /** Learning rate, >= 0. Default 1e-2. */
  lr: number;
  /** The learning rate at step t is `lr / (1 + (t - 1) * lrDecay)`; >= 0. Default 0. */
  lrDecay: number;
  /** L2 penalty added to the gradient, >= 0. Default 0. */
  weightDecay: number;
  /** What the sum of squared gradients starts from, >= 0. Default 0. */
  initialAccumulatorValue: number;
  /** Added to the root of the sum before dividing, > 0. Default 1e-10. */
  eps: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.Adagrad's defaults, frozen. */
export const ADAGRAD_DEFAULTS: Readonly<AdagradOptions> = Object.freeze({
  lr: 1e-2,
  lrDecay: 0,
  weightDecay: 0,
  initialAccumulatorValue: 0,
  eps: 1e-10,
  maximize: false,
});

function validate(argument: string, o: AdagradOptions): AdagradOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    lrDecay: checkNumber(`${argument}.lrDecay`, o.lrDecay, { min: 0 }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    initialAccumulatorValue: checkNumber(`${argument}.initialAccumulatorValue`, o.initialAccumulatorValue, { min: 0 }),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Adagrad (Duchi et al., 2011): `torch.optim.Adagrad`. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<AdagradOptions>[],
    options?: Partial<AdagradOptions> & CommonOptions,
  ) {
    super("Adagrad", "adagrad", params, options, ADAGRAD_DEFAULTS, validate, ["sum"]);
  }

  protected stateNeeded(): readonly boolean[] {
    return [true];
  }

  protected prepare(o: Readonly<AdagradOptions>, step: number, s: Float64Array): number {
    s[0] = o.lr / (1 + (step - 1) * o.lrDecay);
    s[1] = o.weightDecay;
    s[2] = o.eps;
    s[3] = o.initialAccumulatorValue;
    return o.maximize ? FLAG_MAXIMIZE : 0;
  }
}
