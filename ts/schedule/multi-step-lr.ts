/**
 * Decay at chosen epochs, torch.optim.lr_scheduler.MultiStepLR: at each milestone each
 * group's lr is multiplied by `gamma` (by gamma^k for a milestone listed k times), so
 * lr = initialLr · gamma^(number of milestones <= epoch).
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkNumber } from "../options.ts";
import { LRScheduler, checkOptimizer, checkWhole, withDefaults, type ScheduledOptimizer } from "./scheduler.ts";

/** Options of {@link MultiStepLR}. */
export interface MultiStepLROptions {
  /** Epochs at which to decay: whole numbers >= 0 in nondecreasing order. Required. */
  milestones: readonly number[];
  /** Factor of each decay, >= 0. Default 0.1. */
  gamma: number;
}

/** torch's defaults of the optional options, frozen. */
export const MULTI_STEP_LR_DEFAULTS: Readonly<Omit<MultiStepLROptions, "milestones">> = Object.freeze({ gamma: 0.1 });

function validate(argument: string, options: unknown): MultiStepLROptions {
  const o = withDefaults(argument, options, MULTI_STEP_LR_DEFAULTS, ["milestones", "gamma"]);
  const milestones: unknown = o["milestones"];
  if (!Array.isArray(milestones)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.milestones must be an array of epochs (whole numbers >= 0, nondecreasing); got ${describe(milestones)}.`);
  }
  const checked = milestones.map((m, i) => checkWhole(`${argument}.milestones[${i}]`, m, { min: 0 }));
  checked.forEach((m, i) => {
    if (i > 0 && m < checked[i - 1]!) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.milestones must be in nondecreasing order; got ${m} after ${checked[i - 1]}.`);
    }
  });
  return { milestones: Object.freeze(checked), gamma: checkNumber(`${argument}.gamma`, o["gamma"], { min: 0 }) };
}

/** Decay at chosen epochs: at each milestone each group's lr is multiplied by `gamma` (torch.optim.lr_scheduler.MultiStepLR). */
export class MultiStepLR extends LRScheduler<MultiStepLROptions> {
  constructor(optimizer: ScheduledOptimizer, options: Partial<MultiStepLROptions> & Pick<MultiStepLROptions, "milestones">) {
    checkOptimizer("MultiStepLR", optimizer);
    super("MultiStepLR", optimizer, validate("MultiStepLR options", options));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): MultiStepLROptions {
    return validate(argument, options);
  }

  protected getLr(epoch: number, lrs: readonly number[]): number[] {
    // torch counts the milestones (collections.Counter) and multiplies by gamma ** count.
    const count = this.options.milestones.filter((m) => m === epoch).length;
    if (count === 0) return [...lrs];
    return lrs.map((lr) => lr * this.options.gamma ** count);
  }

  protected override closedFormLr(epoch: number): number[] {
    const passed = this.options.milestones.filter((m) => m <= epoch).length;
    return this.baseLrs.map((base) => base * this.options.gamma ** passed);
  }
}
