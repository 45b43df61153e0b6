/**
 * Cosine annealing, torch.optim.lr_scheduler.CosineAnnealingLR (the annealing of SGDR,
 * Loshchilov & Hutter 2016, without restarts): from each group's initial lr down to
 * `etaMin` over `tMax` epochs, lr = etaMin + (initialLr − etaMin)·(1 + cos(π·epoch/tMax))/2.
 * As in torch, stepping past `tMax` climbs back up (the cosine's period is 2·tMax).
 */
import { checkNumber } from "../options.ts";
import { LRScheduler, checkOptimizer, checkWhole, pyMod, withDefaults, type ScheduledOptimizer } from "./scheduler.ts";

/** Options of {@link CosineAnnealingLR}. */
export interface CosineAnnealingLROptions {
  /** Epochs from the initial lr to `etaMin` (torch's T_max), a whole number >= 1. Required. */
  tMax: number;
  /** The lowest lr (torch's eta_min), >= 0. Default 0. */
  etaMin: number;
}

/** torch's defaults of the optional options, frozen. */
export const COSINE_ANNEALING_LR_DEFAULTS: Readonly<Omit<CosineAnnealingLROptions, "tMax">> = Object.freeze({ etaMin: 0 });

function validate(argument: string, options: unknown): CosineAnnealingLROptions {
  const o = withDefaults(argument, options, COSINE_ANNEALING_LR_DEFAULTS, ["tMax", "etaMin"]);
  return {
    tMax: checkWhole(`${argument}.tMax`, o["tMax"], { min: 1 }),
    etaMin: checkNumber(`${argument}.etaMin`, o["etaMin"], { min: 0 }),
  };
}

/** Cosine annealing from each group's initial lr down to `etaMin` over `tMax` epochs (torch.optim.lr_scheduler.CosineAnnealingLR). */
export class CosineAnnealingLR extends LRScheduler<CosineAnnealingLROptions> {
  constructor(optimizer: ScheduledOptimizer, options: Partial<CosineAnnealingLROptions> & Pick<CosineAnnealingLROptions, "tMax">) {
    checkOptimizer("CosineAnnealingLR", optimizer);
    super("CosineAnnealingLR", optimizer, validate("CosineAnnealingLR options", options));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): CosineAnnealingLROptions {
    return validate(argument, options);
  }

  // torch's get_lr, branch for branch: the ratio of consecutive cosines, except where the
  // previous cosine is −1 (the bottom of the curve), where it adds the step instead.
  protected getLr(epoch: number, lrs: readonly number[], stepCount: number): number[] {
    const { tMax, etaMin } = this.options;
    if (epoch === 0) return [...lrs];
    if (stepCount === 1 && epoch > 0) {
      return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((epoch * Math.PI) / tMax))) / 2);
    }
    if (pyMod(epoch - 1 - tMax, 2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    return lrs.map((lr) => ((1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax))) * (lr - etaMin) + etaMin);
  }

  protected override closedFormLr(epoch: number): number[] {
    const { tMax, etaMin } = this.options;
    return this.baseLrs.map((base) => etaMin + ((base - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2);
  }
}
