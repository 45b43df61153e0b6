/**
 * Schedules one after another, torch.optim.lr_scheduler.SequentialLR: `schedulers[0]`
 * runs until epoch `milestones[0]`, where `schedulers[1]` restarts from its epoch 0, and
 * so on, e.g. a LinearLR warmup followed by a CosineAnnealingLR decay. Create the
 * schedules on the same optimizer first, then chain them; step only the SequentialLR.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import {
  INITIAL_STEP,
  LRScheduler,
  PREPARE_LOAD,
  REWIND,
  STEP_AT,
  Scheduler,
  checkNumbers,
  checkOptimizer,
  checkWhole,
  initialLrs,
  withDefaults,
  type ScheduledOptimizer,
  type SchedulerState,
} from "./scheduler.ts";

/** Options of {@link SequentialLR}. */
export interface SequentialLROptions {
  /** The schedules, in the order they run; all created on this optimizer. */
  schedulers: readonly LRScheduler<object>[];
  /** The epochs at which the next schedule takes over: one fewer than schedulers, increasing, >= 1. */
  milestones: readonly number[];
}

function checkMilestones(argument: string, value: unknown, count: number): number[] {
  const wanted = `an array of ${count} increasing epochs >= 1, one fewer than schedulers`;
  if (!Array.isArray(value)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  if (value.length !== count) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  const milestones = value.map((m, i) => checkWhole(`${argument}[${i}]`, m, { min: 1 }));
  milestones.forEach((m, i) => {
    if (i > 0 && m <= milestones[i - 1]!) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be increasing; got ${m} after ${milestones[i - 1]}.`);
    }
  });
  return milestones;
}

function validate(argument: string, options: unknown, optimizer: ScheduledOptimizer): { schedulers: LRScheduler<object>[]; milestones: number[] } {
  const o = withDefaults(argument, options, {}, ["schedulers", "milestones"]);
  const schedulers: unknown = o["schedulers"];
  if (!Array.isArray(schedulers) || schedulers.length === 0) {
    const Error = Array.isArray(schedulers) ? DownhillRangeError : DownhillTypeError;
    throw new Error("INVALID_ARGUMENT", `${argument}.schedulers must be a non-empty array of schedules (StepLR, LinearLR, …); got ${describe(schedulers)}.`);
  }
  schedulers.forEach((s: unknown, i) => {
    if (!(s instanceof LRScheduler)) {
      throw new DownhillTypeError(
        "INVALID_ARGUMENT",
        `${argument}.schedulers[${i}] must be a schedule stepped without arguments (StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, OneCycleLR); got ${s instanceof Scheduler ? `a ${s.constructor.name}` : describe(s)}.`,
      );
    }
    if (s.optimizer !== optimizer) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.schedulers[${i}] drives another optimizer; create every schedule on the optimizer given to SequentialLR.`);
    }
    if (schedulers.indexOf(s) !== i) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.schedulers[${i}] is the same schedule as schedulers[${schedulers.indexOf(s)}]; a schedule may appear only once.`);
    }
  });
  return { schedulers: schedulers as LRScheduler<object>[], milestones: checkMilestones(`${argument}.milestones`, o["milestones"], schedulers.length - 1) };
}

/** Schedules one after another, switching at `milestones` (torch.optim.lr_scheduler.SequentialLR); step only the SequentialLR. */
export class SequentialLR extends Scheduler {
  readonly #schedulers: readonly LRScheduler<object>[];
  #milestones: readonly number[];
  #lastEpoch = 0;

  constructor(optimizer: ScheduledOptimizer, options: SequentialLROptions) {
    const { schedulers, milestones } = validate("SequentialLR options", options, checkOptimizer("SequentialLR", optimizer));
    super("SequentialLR", optimizer);
    this.#schedulers = Object.freeze(schedulers);
    this.#milestones = Object.freeze(milestones);
    // torch: reset every lr to its initial value, undo the steps the schedules took at
    // their construction, and take the first schedule's initial step again.
    const before = this.currentLrs();
    const initial = initialLrs(this.optimizer);
    this.write(initial.map((lr) => ({ lr })));
    for (const s of schedulers) s[REWIND](1);
    try {
      schedulers[0]![INITIAL_STEP]();
    } catch (error) {
      for (const s of schedulers) s[REWIND](-1);
      this.write(before.map((lr) => ({ lr })));
      throw error;
    }
    this.lastLr = schedulers[0]!.getLastLr();
  }

  /** The schedules, in order. */
  get schedulers(): readonly LRScheduler<object>[] {
    return this.#schedulers;
  }

  /** The epochs at which the next schedule takes over. */
  get milestones(): readonly number[] {
    return this.#milestones;
  }

  /** The epoch of the last step: 0 right after construction. */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /** Advances by one epoch: the current schedule steps, or the next one starts at its epoch 0. */
  step(): void {
    const epoch = this.#lastEpoch + 1;
    const index = this.#milestones.filter((m) => m <= epoch).length; // Python's bisect_right
    const scheduler = this.#schedulers[index]!;
    if (index > 0 && this.#milestones[index - 1] === epoch) scheduler[STEP_AT](0);
    else scheduler.step();
    this.#lastEpoch = epoch;
    this.lastLr = scheduler.getLastLr();
  }

  stateDict(): SchedulerState {
    return {
      scheduler: this.name,
      milestones: [...this.#milestones],
      lastEpoch: this.#lastEpoch,
      lastLr: this.getLastLr(),
      schedulers: this.#schedulers.map((s) => s.stateDict()),
    };
  }

  [PREPARE_LOAD](state: unknown, argument: string, write: boolean): () => void {
    const s = this.checkState(state, argument, ["milestones", "lastEpoch", "lastLr", "schedulers"]);
    const count = this.#schedulers.length;
    const milestones = checkMilestones(`${argument}.milestones`, s["milestones"], count - 1);
    const lastEpoch = checkWhole(`${argument}.lastEpoch`, s["lastEpoch"], { min: 0 });
    const lastLr = checkNumbers(`${argument}.lastLr`, s["lastLr"], this.groups, { min: 0 });
    const states: unknown = s["schedulers"];
    if (!Array.isArray(states) || states.length !== count) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.schedulers must be an array of ${count} schedule states; got ${describe(states)}.`);
    }
    const apply = this.#schedulers.map((child, i) => child[PREPARE_LOAD](states[i], `${argument}.schedulers[${i}]`, false));
    return () => {
      if (write) this.write(lastLr.map((lr) => ({ lr })));
      for (const a of apply) a();
      this.#milestones = Object.freeze(milestones);
      this.#lastEpoch = lastEpoch;
      this.lastLr = lastLr;
    };
  }
}
