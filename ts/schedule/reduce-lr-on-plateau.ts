/**
 * Lower the lr when a metric stops improving, torch.optim.lr_scheduler.ReduceLROnPlateau:
 * `step(metric)` takes the monitored value (a validation loss, an accuracy); after more
 * than `patience` steps without an improvement by more than `threshold`, each group's lr
 * is multiplied by `factor` (not below `minLr`), then `cooldown` steps pass before bad
 * steps count again. As in torch, a NaN metric is never an improvement.
 */
import { DownhillTypeError, describe, disposedError } from "../errors.ts";
import { checkNumber } from "../options.ts";
import {
  PREPARE_LOAD,
  Scheduler,
  checkChoice,
  checkNumbers,
  checkOptimizer,
  checkPerGroup,
  checkWhole,
  withDefaults,
  type ScheduledOptimizer,
  type SchedulerState,
} from "./scheduler.ts";

/** Options of {@link ReduceLROnPlateau}. */
export interface ReduceLROnPlateauOptions {
  /** "min": lower the lr when the metric stops decreasing; "max": stops increasing. Default "min". */
  mode: "min" | "max";
  /** Factor of each reduction, >= 0 and < 1. Default 0.1. */
  factor: number;
  /** Steps without improvement tolerated before a reduction, a whole number >= 0. Default 10. */
  patience: number;
  /** Smallest improvement that counts, >= 0 (relative or absolute, see thresholdMode). Default 1e-4. */
  threshold: number;
  /** "rel": better than best·(1 ∓ threshold); "abs": better than best ∓ threshold. Default "rel". */
  thresholdMode: "rel" | "abs";
  /** Steps after a reduction during which bad steps are not counted, a whole number >= 0. Default 0. */
  cooldown: number;
  /** Lowest lr, >= 0: one number, or one per param group. Default 0. */
  minLr: number | readonly number[];
  /** A reduction smaller than eps is skipped, > 0. Default 1e-8. */
  eps: number;
}

/** The options after validation, with one minLr per group. */
export type ReduceLROnPlateauSettings = Omit<ReduceLROnPlateauOptions, "minLr"> & {
  /** The lowest lr of each param group. */
  minLr: readonly number[];
};

/** torch's defaults of the optional options, frozen. */
export const REDUCE_LR_ON_PLATEAU_DEFAULTS: Readonly<ReduceLROnPlateauOptions> = Object.freeze({
  mode: "min",
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: "rel",
  cooldown: 0,
  minLr: 0,
  eps: 1e-8,
});

function validate(argument: string, options: unknown, groups: number): ReduceLROnPlateauSettings {
  const o = withDefaults(argument, options, REDUCE_LR_ON_PLATEAU_DEFAULTS, Object.keys(REDUCE_LR_ON_PLATEAU_DEFAULTS));
  return {
    mode: checkChoice(`${argument}.mode`, o["mode"], ["min", "max"] as const),
    factor: checkNumber(`${argument}.factor`, o["factor"], { min: 0, max: 1, maxExclusive: true }),
    patience: checkWhole(`${argument}.patience`, o["patience"], { min: 0 }),
    threshold: checkNumber(`${argument}.threshold`, o["threshold"], { min: 0 }),
    thresholdMode: checkChoice(`${argument}.thresholdMode`, o["thresholdMode"], ["rel", "abs"] as const),
    cooldown: checkWhole(`${argument}.cooldown`, o["cooldown"], { min: 0 }),
    minLr: Object.freeze(checkPerGroup(`${argument}.minLr`, o["minLr"], groups, { min: 0 })),
    eps: checkNumber(`${argument}.eps`, o["eps"], { min: 0, minExclusive: true }),
  };
}

/** A best value in a state dict: a number, or "Infinity"/"-Infinity" (JSON has neither). */
function bestToJson(best: number): number | string {
  return Number.isFinite(best) ? best : String(best);
}

function bestFromJson(argument: string, value: unknown): number {
  if (value === "Infinity" || value === "-Infinity") return Number(value);
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a number, "Infinity" or "-Infinity"; got ${describe(value)}.`);
  }
  return value;
}

/** Lowers the lr when a monitored metric stops improving: `step(metric)` (torch.optim.lr_scheduler.ReduceLROnPlateau). */
export class ReduceLROnPlateau extends Scheduler {
  #options: Readonly<ReduceLROnPlateauSettings>;
  #lastEpoch = 0;
  /** The best metric so far; the worst possible value before the first step. */
  #best: number;
  #numBadEpochs = 0;
  #cooldownCounter = 0;

  constructor(optimizer: ScheduledOptimizer, options?: Partial<ReduceLROnPlateauOptions>) {
    const settings = validate("ReduceLROnPlateau options", options, checkOptimizer("ReduceLROnPlateau", optimizer).paramGroups.length);
    super("ReduceLROnPlateau", optimizer);
    this.#options = Object.freeze(settings);
    this.#best = settings.mode === "min" ? Infinity : -Infinity;
  }

  /** The options after validation, with one minLr per param group. */
  get options(): Readonly<ReduceLROnPlateauSettings> {
    return this.#options;
  }

  /** Steps taken. */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /** The best metric seen (±Infinity before the first step). */
  get best(): number {
    return this.#best;
  }

  /** Steps since the last improvement (0 during cooldown). */
  get numBadEpochs(): number {
    return this.#numBadEpochs;
  }

  /** Steps of cooldown left. */
  get cooldownCounter(): number {
    return this.#cooldownCounter;
  }

  #isBetter(a: number, best: number): boolean {
    const { mode, thresholdMode, threshold } = this.#options;
    if (mode === "min" && thresholdMode === "rel") return a < best * (1 - threshold);
    if (mode === "min") return a < best - threshold;
    if (thresholdMode === "rel") return a > best * (threshold + 1);
    return a > best + threshold;
  }

  /** Records `metric` (the monitored value for this epoch) and lowers the lr if it has stalled. */
  step(metric: number): void {
    if (typeof metric !== "number") {
      throw new DownhillTypeError("INVALID_ARGUMENT", `ReduceLROnPlateau.step(metric): metric must be a number (the monitored value); got ${describe(metric)}.`);
    }
    if (this.optimizer.disposed) throw disposedError("optimizer (driven by this ReduceLROnPlateau)");
    const o = this.#options;
    let best = this.#best;
    let bad = this.#numBadEpochs;
    let cooldown = this.#cooldownCounter;
    if (this.#isBetter(metric, best)) {
      best = metric;
      bad = 0;
    } else {
      bad += 1;
    }
    if (cooldown > 0) {
      cooldown -= 1;
      bad = 0; // bad epochs in cooldown are ignored
    }
    if (bad > o.patience) {
      const lrs = this.currentLrs();
      this.write(
        lrs.map((old, i) => {
          const lr = Math.max(old * o.factor, o.minLr[i]!);
          return old - lr > o.eps ? { lr } : {};
        }),
      );
      cooldown = o.cooldown;
      bad = 0;
    }
    this.#lastEpoch += 1;
    this.#best = best;
    this.#numBadEpochs = bad;
    this.#cooldownCounter = cooldown;
    this.lastLr = this.currentLrs();
  }

  stateDict(): SchedulerState {
    return {
      scheduler: this.name,
      options: { ...this.#options, minLr: [...this.#options.minLr] },
      lastEpoch: this.#lastEpoch,
      best: bestToJson(this.#best),
      numBadEpochs: this.#numBadEpochs,
      cooldownCounter: this.#cooldownCounter,
      lastLr: this.getLastLr(),
    };
  }

  [PREPARE_LOAD](state: unknown, argument: string, write: boolean): () => void {
    const s = this.checkState(state, argument, ["options", "lastEpoch", "best", "numBadEpochs", "cooldownCounter", "lastLr"]);
    const options = validate(`${argument}.options`, s["options"], this.groups);
    const lastEpoch = checkWhole(`${argument}.lastEpoch`, s["lastEpoch"], { min: 0 });
    const best = bestFromJson(`${argument}.best`, s["best"]);
    const numBadEpochs = checkWhole(`${argument}.numBadEpochs`, s["numBadEpochs"], { min: 0 });
    const cooldownCounter = checkWhole(`${argument}.cooldownCounter`, s["cooldownCounter"], { min: 0 });
    const lastLr = checkNumbers(`${argument}.lastLr`, s["lastLr"], this.groups, { min: 0 });
    return () => {
      if (write) this.write(lastLr.map((lr) => ({ lr })));
      this.#options = Object.freeze(options);
      this.#lastEpoch = lastEpoch;
      this.#best = best;
      this.#numBadEpochs = numBadEpochs;
      this.#cooldownCounter = cooldownCounter;
      this.lastLr = lastLr;
    };
  }
}
