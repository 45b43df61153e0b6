/**
 * Exponential decay, torch.optim.lr_scheduler.ExponentialLR: every epoch each group's lr
 * is multiplied by `gamma`, so lr = initialLr · gamma^epoch.
 */
import { checkNumber } from "../options.ts";
import { LRScheduler, checkOptimizer, withDefaults, type ScheduledOptimizer } from "./scheduler.ts";

/** Options of {@link ExponentialLR}. */
export interface ExponentialLROptions {
  /** Factor applied every epoch, >= 0. Required. */
  gamma: number;
}

function validate(argument: string, options: unknown): ExponentialLROptions {
  const o = withDefaults(argument, options, {}, ["gamma"]);
  return { gamma: checkNumber(`${argument}.gamma`, o["gamma"], { min: 0 }) };
}

/** Exponential decay: every epoch each group's lr is multiplied by `gamma` (torch.optim.lr_scheduler.ExponentialLR). */
export class ExponentialLR extends LRScheduler<ExponentialLROptions> {
  constructor(optimizer: ScheduledOptimizer, options: ExponentialLROptions) {
    checkOptimizer("ExponentialLR", optimizer);
    super("ExponentialLR", optimizer, validate("ExponentialLR options", options));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): ExponentialLROptions {
    return validate(argument, options);
  }

  protected getLr(epoch: number, lrs: readonly number[]): number[] {
    if (epoch === 0) return [...lrs];
    return lrs.map((lr) => lr * this.options.gamma);
  }

  protected override closedFormLr(epoch: number): number[] {
    return this.baseLrs.map((base) => base * this.options.gamma ** epoch);
  }
}
