/**
 * Stochastic gradient descent (optionally with momentum), PyTorch's torch.optim.SGD.
 * With `momentum` > 0 it is also the textbook momentum method `v = a·v − lr·g; w = w + v`
 * (dampening 0): that velocity is −lr times PyTorch's momentum buffer.
 */
import { FLAG_MAXIMIZE, FLAG_NESTEROV } from "../kernels/optim/kernel.ts";
import { DownhillRangeError } from "../errors.ts";
import { checkBoolean, checkNumber } from "../options.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link SGD}: torch.optim.SGD's, in camelCase. */
export interface SGDOptions {
  /** Learning rate, >= 0. Default 1e-3 (PyTorch ≥ 2.2). */
  lr: number;
  /** Momentum factor in [0, 1). Default 0 (plain gradient descent). */
  momentum: number;
  /** Dampening of the gradient's weight in the momentum buffer, in [0, 1]. Default 0. */
  dampening: number;
  /** L2 penalty added to the gradient, >= 0. Default 0. */
  weightDecay: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  nesterov: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** torch.optim.SGD's defaults, frozen. */
export const SGD_DEFAULTS: Readonly<SGDOptions> = Object.freeze({
  lr: 1e-3,
  momentum: 0,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
});

function validate(argument: string, o: SGDOptions): SGDOptions {
  const checked: SGDOptions = {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    momentum: checkNumber(`${argument}.momentum`, o.momentum, { min: 0, max: 1, maxExclusive: true }),
    dampening: checkNumber(`${argument}.dampening`, o.dampening, { min: 0, max: 1 }),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    nesterov: checkBoolean(`${argument}.nesterov`, o.nesterov),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
  if (checked.nesterov && (checked.momentum <= 0 || checked.dampening !== 0)) {
    throw new DownhillRangeError(
      "INVALID_ARGUMENT",
      `${argument}.nesterov: Nesterov momentum needs momentum > 0 and dampening = 0; got momentum ${checked.momentum} and dampening ${checked.dampening}.`,
    );
  }
  return checked;
}

/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and weight decay: `torch.optim.SGD`. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<SGDOptions>[],
    options?: Partial<SGDOptions> & CommonOptions,
  ) {
    super("SGD", "sgd", params, options, SGD_DEFAULTS, validate, ["momentumBuffer"]);
  }

  /** PyTorch's SGD keeps no per-parameter `step`. */
  protected override stepInState(): boolean {
    return false;
  }

  protected stateNeeded(o: Readonly<SGDOptions>): readonly boolean[] {
    return [o.momentum !== 0];
  }

  /** prepare() reads only the options. */
  protected override sameScalarsEveryStep(): boolean {
    return true;
  }

  protected prepare(o: Readonly<SGDOptions>, _step: number, s: Float64Array): number {
    s[0] = o.lr;
    s[1] = o.momentum;
    s[2] = 1 - o.dampening;
    s[3] = o.weightDecay;
    return (o.nesterov ? FLAG_NESTEROV : 0) | (o.maximize ? FLAG_MAXIMIZE : 0);
  }
}
