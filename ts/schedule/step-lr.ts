/**
 * Step decay, torch.optim.lr_scheduler.StepLR: every `stepSize` epochs each group's lr is
 * multiplied by `gamma`, so lr = initialLr · gamma^⌊epoch / stepSize⌋.
 */
import { checkNumber } from "../options.ts";
import { LRScheduler, checkOptimizer, checkWhole, withDefaults, type ScheduledOptimizer } from "./scheduler.ts";

/** Options of {@link StepLR}. */
export interface StepLROptions {
  /** Epochs between decays, a whole number >= 1. Required. */
  stepSize: number;
  /** Factor of each decay, >= 0. Default 0.1. */
  gamma: number;
}

/** torch's defaults of the optional options, frozen. */
export const STEP_LR_DEFAULTS: Readonly<Omit<StepLROptions, "stepSize">> = Object.freeze({ gamma: 0.1 });

function validate(argument: string, options: unknown): StepLROptions {
  const o = withDefaults(argument, options, STEP_LR_DEFAULTS, ["stepSize", "gamma"]);
  return {
    stepSize: checkWhole(`${argument}.stepSize`, o["stepSize"], { min: 1 }),
    gamma: checkNumber(`${argument}.gamma`, o["gamma"], { min: 0 }),
  };
}

/** Step decay: every `stepSize` epochs each group's lr is multiplied by `gamma` (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LRScheduler<StepLROptions> {
  constructor(optimizer: ScheduledOptimizer, options: Partial<StepLROptions> & Pick<StepLROptions, "stepSize">) {
    checkOptimizer("StepLR", optimizer);
    super("StepLR", optimizer, validate("StepLR options", options));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): StepLROptions {
    return validate(argument, options);
  }

  protected getLr(epoch: number, lrs: readonly number[]): number[] {
    const { stepSize, gamma } = this.options;
    if (epoch === 0 || epoch % stepSize !== 0) return [...lrs];
    return lrs.map((lr) => lr * gamma);
  }

  protected override closedFormLr(epoch: number): number[] {
    const { stepSize, gamma } = this.options;
    return this.baseLrs.map((base) => base * gamma ** Math.floor(epoch / stepSize));
  }
}
