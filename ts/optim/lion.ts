/**
 * Lion, EvoLved Sign Momentum (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms"). PyTorch has none; this follows the paper's update as lion-pytorch and
 * optax.lion implement it, with lion-pytorch's defaults: every coordinate moves by
 * exactly `lr` in the direction of `sign(beta1·m + (1 − beta1)·g)`, after decoupled
 * weight decay `p ← p·(1 − lr·weightDecay)`; then `m ← beta2·m + (1 − beta2)·g`.
 * Its steps are larger than Adam's: the paper suggests an lr 3–10× smaller and a
 * weightDecay 3–10× larger than for AdamW.
 */
import { FLAG_MAXIMIZE } from "../kernels/optim/kernel.ts";
import { checkBetas, checkBoolean, checkNumber } from "../options.ts";
import { Optimizer, type CommonOptions, type ParamGroupInput, type ParamInput } from "./optimizer.ts";

/** Options of {@link Lion}. */
export interface LionOptions {
  /** Learning rate: the size of every coordinate's step, >= 0. Default 1e-4. */
  lr: number;
  /** `[beta1, beta2]`, each in [0, 1): interpolation for the step's sign, and momentum decay. Default [0.9, 0.99]. */
  betas: readonly [number, number];
  /** Decoupled weight decay (the parameter is multiplied by `1 − lr·weightDecay`), >= 0. Default 0. */
  weightDecay: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize: boolean;
}

/** The defaults of lion-pytorch, frozen. */
export const LION_DEFAULTS: Readonly<LionOptions> = Object.freeze({
  lr: 1e-4,
  betas: Object.freeze([0.9, 0.99] as const),
  weightDecay: 0,
  maximize: false,
});

function validate(argument: string, o: LionOptions): LionOptions {
  return {
    lr: checkNumber(`${argument}.lr (learning rate)`, o.lr, { min: 0 }),
    betas: checkBetas(`${argument}.betas`, o.betas),
    weightDecay: checkNumber(`${argument}.weightDecay`, o.weightDecay, { min: 0 }),
    maximize: checkBoolean(`${argument}.maximize`, o.maximize),
  };
}

/** Lion, the sign of an interpolated momentum (Chen et al., 2023), as in optax and lion-pytorch. */
export class Lion extends Optimizer<LionOptions> {
  constructor(
    params: readonly ParamInput[] | readonly ParamGroupInput<LionOptions>[],
    options?: Partial<LionOptions> & CommonOptions,
  ) {
    super("Lion", "lion", params, options, LION_DEFAULTS, validate, ["expAvg"]);
  }

  protected stateNeeded(): readonly boolean[] {
    return [true];
  }

  /** prepare() reads only the options. */
  protected override sameScalarsEveryStep(): boolean {
    return true;
  }

  protected prepare(o: Readonly<LionOptions>, _step: number, s: Float64Array): number {
    const beta1 = o.betas[0];
    const beta2 = o.betas[1];
    s[0] = o.lr;
    s[1] = beta1;
    s[2] = 1 - beta1;
    s[3] = beta2;
    s[4] = 1 - beta2;
    s[5] = 1 - o.lr * o.weightDecay;
    return o.maximize ? FLAG_MAXIMIZE : 0;
  }
}
