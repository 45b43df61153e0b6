/**
 * RMSprop (Hinton, lecture 6e of "Neural Networks for Machine Learning"; the centered
 * variant from Graves 2013), PyTorch's torch.optim.RMSprop: the step is divided by the
 * root of a running mean of squared gradients. Options and defaults are the same in
 * PyTorch 1.13 and 2.x (`foreach`, `capturable` and `differentiable` have no counterpart
 * here). Stricter than PyTorch: momentum < 1 and alpha <= 1.
 */
import { FLAG_CENTERED, FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBoolean, checkNumber } from "../options.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link RMSprop}: torch.optim.RMSprop's, in camelCase. */
export interface RMSpropOptions {
  /** Learning rate, >= 0. Default 1e-2. */
  lr: number;
  /** Smoothing constant of the running means, in [0, 1]. Default 0.99. */
  alpha: number;
  /** Added to the root of the mean before dividing, > 0. Default 1e-8. */
  eps: number;
  /** L2 penalty added to the gradient, >= 0. Default 0. */
  weightDecay: number;
  /** Momentum factor in [0, 1); > 0 keeps a momentum buffer of normalized steps. Default 0. */
  momentum: number;
  /** Normalize by the estimated variance (mean of squares minus squared mean). Default false. */
  centered: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.RMSprop's defaults, frozen. */
export const RMSPROP_DEFAULTS: Readonly<RMSpropOptions> = Object.freeze({
  lr: 1e-2,
  alpha: 0.99,
  eps: 1e-8,
  weightDecay: 0,
  momentum: 0,
  centered: false,
  maximize: false,
});

function validate(argument: string, o: RMSpropOptions): RMSpropOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    alpha: checkNumber(`${argument}.alpha`, o.alpha, { min: 0, max: 1 }),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    momentum: checkNumber(`${argument}.momentum`, o.momentum, { min: 0, max: 1, maxExclusive: true }),
    centered: checkBoolean(`${argument}.centered`, o.centered),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** RMSprop (Hinton), optionally centered and with momentum: `torch.optim.RMSprop`. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<RMSpropOptions>[],
    options?: Partial<RMSpropOptions> & CommonOptions,
  ) {
    super("RMSprop", "rmsprop", params, options, RMSPROP_DEFAULTS, validate, ["squareAvg", "momentumBuffer", "gradAvg"]);
  }

  protected stateNeeded(o: Readonly<RMSpropOptions>): readonly boolean[] {
    return [true, o.momentum > 0, o.centered];
  }

  /** prepare() reads only the options. */
  protected override sameScalarsEveryStep(): boolean {
    return true;
  }

  protected prepare(o: Readonly<RMSpropOptions>, _step: number, s: Float64Array): number {
    s[0] = o.lr;
    s[1] = o.alpha;
    s[2] = 1 - o.alpha;
    s[3] = o.eps;
    s[4] = o.weightDecay;
    s[5] = o.momentum;
    return (o.centered ? FLAG_CENTERED : 0) | (o.maximize ? FLAG_MAXIMIZE : 0);
  }
}
