/**
 * Adadelta (Zeiler 2012), PyTorch's torch.optim.Adadelta: the step is the ratio of two
 * running root-mean-squares, of past steps and of gradients, times the gradient, scaled
 * by `lr`. Options and defaults are the same in PyTorch 1.13 and 2.x (`foreach`,
 * `capturable` and `differentiable` have no counterpart here).
 */
import { FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBoolean, checkNumber } from "../options.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link Adadelta}: torch.optim.Adadelta's, in camelCase. */
export interface AdadeltaOptions {
  /** Scale of the step, >= 0. Default 1.0. */
  lr: number;
  /** Decay of the running means, in [0, 1]. Default 0.9. */
  rho: number;
  /** Added inside both square roots, > 0. Default 1e-6. */
  eps: number;
  /** L2 penalty added to the gradient, >= 0. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.Adadelta's defaults, frozen. */
export const ADADELTA_DEFAULTS: Readonly<AdadeltaOptions> = Object.freeze({
  lr: 1.0,
  rho: 0.9,
  eps: 1e-6,
  weightDecay: 0,
  maximize: false,
});

function validate(argument: string, o: AdadeltaOptions): AdadeltaOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    rho: checkNumber(`${argument}.rho`, o.rho, { min: 0, max: 1 }),
    eps: checkNumber(`${argument}.eps`, o.eps, { min: 0, minExclusive: true }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Adadelta (Zeiler, 2012): `torch.optim.Adadelta`. */
export class Adadelta extends Optimizer<AdadeltaOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<AdadeltaOptions>[],
    options?: Partial<AdadeltaOptions> & CommonOptions,
  ) {
    super("Adadelta", "adadelta", params, options, ADADELTA_DEFAULTS, validate, ["squareAvg", "accDelta"]);
  }

  protected stateNeeded(): readonly boolean[] {
    return [true, true];
  }

  /** prepare() reads only the options. */
  protected override sameScalarsEveryStep(): boolean {
    return true;
  }

  protected prepare(o: Readonly<AdadeltaOptions>, _step: number, s: Float64Array): number {
    s[0] = o.lr;
    s[1] = o.rho;
    s[2] = 1 - o.rho;
    s[3] = o.eps;
    s[4] = o.weightDecay;
    return o.maximize ? FLAG_MAXIMIZE : 0;
  }
}
