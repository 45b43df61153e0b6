/**
 * The 1cycle policy, torch.optim.lr_scheduler.OneCycleLR (Smith & Topin 2017,
 * "Super-Convergence"; fastai's two phases by default): each group's lr rises from
 * maxLr/divFactor to maxLr over the first pctStart of `totalSteps`, then anneals to
 * maxLr/(divFactor·finalDivFactor), while momentum (or Adam's beta1) moves the opposite
 * way between maxMomentum and baseMomentum. Stepped once per batch, not per epoch.
 *
 * torch lets `step()` run once past the cycle (to step `totalSteps`) and extrapolates
 * there — to a negative lr with annealStrategy "linear"; downhill holds the final values
 * on that step instead, and, like torch, refuses any step after it.
 */
import { DownhillRangeError, DownhillTypeError } from "../errors.ts";
import { checkBoolean, checkNumber } from "../options.ts";
import {
  LRScheduler,
  checkChoice,
  checkOptimizer,
  checkPerGroup,
  checkWhole,
  withDefaults,
  type ScheduledOptimizer,
} from "./scheduler.ts";

/** Options of {@link OneCycleLR}. */
export interface OneCycleLROptions {
  /** The peak lr, > 0: one number, or one per param group. Required. */
  maxLr: number | readonly number[];
  /** Steps in the cycle, a whole number >= 1; or give `epochs` and `stepsPerEpoch`. */
  totalSteps: number;
  /** With `stepsPerEpoch`, the cycle's length is epochs·stepsPerEpoch (instead of `totalSteps`). */
  epochs: number;
  /** With `epochs`: optimizer steps (batches) per epoch, a whole number >= 1. */
  stepsPerEpoch: number;
  /** Fraction of the cycle spent raising the lr, in [0, 1]. Default 0.3. */
  pctStart: number;
  /** How to move between values: "cos" (cosine) or "linear". Default "cos". */
  annealStrategy: "cos" | "linear";
  /** Cycle `momentum` (SGD, RMSprop) or `betas[0]` (Adam family) inversely to the lr. Default true. */
  cycleMomentum: boolean;
  /** Momentum at the lr's peak, in [0, 1): one number or one per group. Default 0.85. */
  baseMomentum: number | readonly number[];
  /** Momentum at the start and end of the cycle, in [0, 1): one number or one per group. Default 0.95. */
  maxMomentum: number | readonly number[];
  /** The initial lr is maxLr/divFactor, > 0. Default 25. */
  divFactor: number;
  /** The final lr is the initial lr / finalDivFactor, > 0. Default 1e4. */
  finalDivFactor: number;
  /** Three phases as in the paper (up, down to the initial lr, then down to the final lr). Default false. */
  threePhase: boolean;
}

/** The options after validation: one number per group, and the cycle's length. */
export interface OneCycleLRSettings {
  /** The peak lr of each param group. */
  maxLr: readonly number[];
  /** Steps in the cycle. */
  totalSteps: number;
  /** Fraction of the cycle spent raising the lr. */
  pctStart: number;
  /** How values move: "cos" or "linear". */
  annealStrategy: "cos" | "linear";
  /** Whether momentum (or beta1) cycles inversely to the lr. */
  cycleMomentum: boolean;
  /** Momentum at the lr's peak, per group. */
  baseMomentum: readonly number[];
  /** Momentum at the start and end of the cycle, per group. */
  maxMomentum: readonly number[];
  /** The initial lr is maxLr/divFactor. */
  divFactor: number;
  /** The final lr is the initial lr / finalDivFactor. */
  finalDivFactor: number;
  /** Three phases as in the paper instead of fastai's two. */
  threePhase: boolean;
}

/** torch's defaults of the optional options, frozen. */
export const ONE_CYCLE_LR_DEFAULTS = Object.freeze({
  /** A third of the cycle (0.3) raises the lr. */
  pctStart: 0.3,
  /** Cosine annealing. */
  annealStrategy: "cos",
  /** Momentum cycles. */
  cycleMomentum: true,
  /** Momentum at the lr's peak. */
  baseMomentum: 0.85,
  /** Momentum at the start and end. */
  maxMomentum: 0.95,
  /** Start at maxLr / 25. */
  divFactor: 25,
  /** End at the start lr / 1e4. */
  finalDivFactor: 1e4,
  /** Two phases (fastai's). */
  threePhase: false,
} as const);

type Value = "initial" | "max" | "min";
interface Phase {
  endStep: number;
  startLr: Value;
  endLr: Value;
  startMomentum: "base" | "max";
  endMomentum: "base" | "max";
}

/** torch's `_schedule_phases`, with its float arithmetic for the phase ends. */
function phases(s: Pick<OneCycleLRSettings, "pctStart" | "totalSteps" | "threePhase">): Phase[] {
  const { pctStart, totalSteps } = s;
  if (s.threePhase) {
    return [
      { endStep: pctStart * totalSteps - 1, startLr: "initial", endLr: "max", startMomentum: "max", endMomentum: "base" },
      { endStep: 2 * pctStart * totalSteps - 2, startLr: "max", endLr: "initial", startMomentum: "base", endMomentum: "max" },
      { endStep: totalSteps - 1, startLr: "initial", endLr: "min", startMomentum: "max", endMomentum: "max" },
    ];
  }
  return [
    { endStep: pctStart * totalSteps - 1, startLr: "initial", endLr: "max", startMomentum: "max", endMomentum: "base" },
    { endStep: totalSteps - 1, startLr: "max", endLr: "min", startMomentum: "base", endMomentum: "max" },
  ];
}

const OPTION_NAMES = ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", ...Object.keys(ONE_CYCLE_LR_DEFAULTS)];

/** Which option OneCycleLR cycles: `momentum`, Adam's `betas[0]`, or none (torch's check). */
function momentumOption(optimizer: ScheduledOptimizer): "momentum" | "betas" | undefined {
  const options = optimizer.paramGroups[0]!.options as object;
  return "betas" in options ? "betas" : "momentum" in options ? "momentum" : undefined;
}

function validate(argument: string, options: unknown, optimizer: ScheduledOptimizer): OneCycleLRSettings {
  const o = withDefaults(argument, options, ONE_CYCLE_LR_DEFAULTS, OPTION_NAMES);
  const groups = optimizer.paramGroups.length;
  const maxLr = checkPerGroup(`${argument}.maxLr`, o["maxLr"], groups, { min: 0, minExclusive: true });
  let totalSteps: number;
  if (o["totalSteps"] !== undefined) {
    totalSteps = checkWhole(`${argument}.totalSteps`, o["totalSteps"], { min: 1 });
    if (o["epochs"] !== undefined || o["stepsPerEpoch"] !== undefined) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: give totalSteps, or epochs and stepsPerEpoch, not both.`);
    }
  } else if (o["epochs"] !== undefined || o["stepsPerEpoch"] !== undefined) {
    totalSteps =
      checkWhole(`${argument}.epochs`, o["epochs"], { min: 1 }) * checkWhole(`${argument}.stepsPerEpoch`, o["stepsPerEpoch"], { min: 1 });
  } else {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}: give the cycle's length as totalSteps, or as epochs and stepsPerEpoch.`);
  }
  const momentumRange = { min: 0, max: 1, maxExclusive: true };
  const settings: OneCycleLRSettings = {
    maxLr: Object.freeze(maxLr),
    totalSteps,
    pctStart: checkNumber(`${argument}.pctStart`, o["pctStart"], { min: 0, max: 1 }),
    annealStrategy: checkChoice(`${argument}.annealStrategy`, o["annealStrategy"], ["cos", "linear"] as const),
    cycleMomentum: checkBoolean(`${argument}.cycleMomentum`, o["cycleMomentum"]),
    baseMomentum: Object.freeze(checkPerGroup(`${argument}.baseMomentum`, o["baseMomentum"], groups, momentumRange)),
    maxMomentum: Object.freeze(checkPerGroup(`${argument}.maxMomentum`, o["maxMomentum"], groups, momentumRange)),
    divFactor: checkNumber(`${argument}.divFactor`, o["divFactor"], { min: 0, minExclusive: true }),
    finalDivFactor: checkNumber(`${argument}.finalDivFactor`, o["finalDivFactor"], { min: 0, minExclusive: true }),
    threePhase: checkBoolean(`${argument}.threePhase`, o["threePhase"]),
  };
  // torch divides by each phase's length and fails with ZeroDivisionError on an empty one.
  let start = 0;
  for (const phase of phases(settings)) {
    if (phase.endStep === start) {
      throw new DownhillRangeError(
        "INVALID_ARGUMENT",
        `${argument}.pctStart: pctStart ${settings.pctStart} with ${totalSteps} total steps makes a phase of the cycle zero steps long; choose another pctStart.`,
      );
    }
    start = phase.endStep;
  }
  if (settings.cycleMomentum && momentumOption(optimizer) === undefined) {
    throw new DownhillTypeError(
      "INVALID_ARGUMENT",
      `${argument}.cycleMomentum: the optimizer has neither a momentum nor a betas option to cycle; set cycleMomentum: false.`,
    );
  }
  return settings;
}

function annealCos(start: number, end: number, pct: number): number {
  const cosOut = Math.cos(Math.PI * pct) + 1;
  return end + ((start - end) / 2.0) * cosOut;
}

function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/** The 1cycle policy (Smith & Topin 2017): the lr rises to `maxLr` and anneals while momentum moves the other way; stepped once per batch (torch.optim.lr_scheduler.OneCycleLR). */
export class OneCycleLR extends LRScheduler<OneCycleLRSettings> {
  constructor(optimizer: ScheduledOptimizer, options: Partial<OneCycleLROptions> & Pick<OneCycleLROptions, "maxLr">) {
    const settings = validate("OneCycleLR options", options, checkOptimizer("OneCycleLR", optimizer));
    super("OneCycleLR", optimizer, settings, settings.maxLr.map((m) => m / settings.divFactor));
    this.initialStep();
  }

  protected validate(argument: string, options: unknown): OneCycleLRSettings {
    return validate(argument, options, this.optimizer);
  }

  /** The steps in the cycle; `step()` may be called this many times. */
  get totalSteps(): number {
    return this.options.totalSteps;
  }

  protected override checkEpoch(epoch: number): void {
    if (epoch > this.options.totalSteps) {
      throw new DownhillRangeError(
        "INVALID_ARGUMENT",
        `OneCycleLR.step(): this would be step ${epoch} of a cycle of ${this.options.totalSteps} total steps; create a new schedule for more.`,
      );
    }
  }

  /** The phase's start and end values and the fraction of it done at `step` (torch's get_lr loop). */
  #locate(o: OneCycleLRSettings, step: number): { phase: Phase; pct: number } {
    const all = phases(o);
    let startStep = 0;
    for (const [i, phase] of all.entries()) {
      if (step <= phase.endStep || i === all.length - 1) return { phase, pct: (step - startStep) / (phase.endStep - startStep) };
      startStep = phase.endStep;
    }
    throw new Error("unreachable: the last phase always matches");
  }

  /** The lr and momentum of group `g` at `epoch`; the step past the cycle keeps the last step's. */
  #values(o: OneCycleLRSettings, epoch: number, g: number): { lr: number; momentum: number } {
    const { phase, pct } = this.#locate(o, Math.min(epoch, o.totalSteps - 1));
    const anneal = o.annealStrategy === "cos" ? annealCos : annealLinear;
    // torch's group['initial_lr'], 'max_lr' and 'min_lr'.
    const initial = o.maxLr[g]! / o.divFactor;
    const lrs: Record<Value, number> = { initial, max: o.maxLr[g]!, min: initial / o.finalDivFactor };
    const momenta = { base: o.baseMomentum[g]!, max: o.maxMomentum[g]! };
    return {
      lr: anneal(lrs[phase.startLr], lrs[phase.endLr], pct),
      momentum: anneal(momenta[phase.startMomentum], momenta[phase.endMomentum], pct),
    };
  }

  protected getLr(epoch: number): number[] {
    return this.baseLrs.map((_, g) => this.#values(this.options, epoch, g).lr);
  }

  protected override extraOptions(epoch: number, g: number): Record<string, unknown> {
    return this.#momentumOptions(this.options, epoch, g);
  }

  #momentumOptions(o: OneCycleLRSettings, epoch: number, g: number): Record<string, unknown> {
    if (!o.cycleMomentum) return {};
    const momentum = this.#values(o, epoch, g).momentum;
    if (momentumOption(this.optimizer) === "momentum") return { momentum };
    const betas = (this.optimizer.paramGroups[g]!.options as { betas: readonly number[] }).betas;
    return { betas: [momentum, ...betas.slice(1)] };
  }

  protected override stateExtra(o: OneCycleLRSettings, lastEpoch: number, argument: string): (group: number) => Record<string, unknown> {
    if (lastEpoch > o.totalSteps) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.lastEpoch must be at most totalSteps (${o.totalSteps}); got ${lastEpoch}.`);
    }
    return (g) => this.#momentumOptions(o, lastEpoch, g);
  }
}
