/**
 * Linear warmup (or decay), torch.optim.lr_scheduler.LinearLR: each group's lr goes from
 * initialLr·startFactor to initialLr·endFactor in `totalIters` epochs, then stays:
 * lr = initialLr·(startFactor + (endFactor − startFactor)·min(epoch, totalIters)/totalIters).
 */
import { checkNumber } from "../options.ts";
import { LRScheduler, checkOptimizer, checkWhole, withDefaults, type ScheduledOptimizer } from "./scheduler.ts";

/** Options of {@link LinearLR}. */
export interface LinearLROptions {
  /** Factor of the initial lr at epoch 0, > 0 and <= 1 (torch divides by it). Default 1/3. */
  startFactor: number;
  /** Factor of the initial lr from epoch `totalIters` on, in [0, 1]. Default 1. */
  endFactor: number;
  /** Epochs from startFactor to endFactor, a whole number >= 1. Default 5. */
  totalIters: number;
}

/** torch's defaults of the optional options, frozen. */
export const LINEAR_LR_DEFAULTS: Readonly<LinearLROptions> = Object.freeze({ startFactor: 1 / 3, endFactor: 1, totalIters: 5 });

function validate(argument: string, options: unknown): LinearLROptions {
  const o = withDefaults(argument, options, LINEAR_LR_DEFAULTS, Object.keys(LINEAR_LR_DEFAULTS));
  return {
    startFactor: checkNumber(`${argument}.startFactor`, o["startFactor"], { min: 0, minExclusive: true, max: 1 }),
    endFactor: checkNumber(`${argument}.endFactor`, o["endFactor"], { min: 0, max: 1 }),
    totalIters: checkWhole(`${argument}.totalIters`, o["totalIters"], { min: 1 }),
  };
}

/** Linear warmup or decay of each group's lr from `startFactor` to `endFactor` times its initial lr over `totalIters` epochs (torch.optim.lr_scheduler.LinearLR). */
export class LinearLR extends LRScheduler<LinearLROptions> {
  constructor(optimizer: ScheduledOptimizer, options?: Partial<LinearLROptions>) {
    checkOptimizer("LinearLR", optimizer);
    super("LinearLR", optimizer, validate("LinearLR options", options));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): LinearLROptions {
    return validate(argument, options);
  }

  protected getLr(epoch: number, lrs: readonly number[]): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    if (epoch === 0) return lrs.map((lr) => lr * startFactor);
    if (epoch > totalIters) return [...lrs];
    return lrs.map((lr) => lr * (1 + (endFactor - startFactor) / (totalIters * startFactor + (epoch - 1) * (endFactor - startFactor))));
  }

  protected override closedFormLr(epoch: number): number[] {
    const { startFactor, endFactor, totalIters } = this.options;
    return this.baseLrs.map((base) => base * (startFactor + ((endFactor - startFactor) * Math.min(totalIters, epoch)) / totalIters));
  }
}
