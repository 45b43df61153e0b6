/**
 * What every learning-rate schedule shares, after torch.optim.lr_scheduler (torch 1.13):
 * the optimizer it drives, each group's initial lr (torch's `initial_lr`, shared by all
 * schedules of one optimizer), the last lr it set, and a plain-JSON state dict.
 * Schedules write the optimizer's options only through `setOptions`, all groups or none.
 */
import { DownhillRangeError, DownhillTypeError, describe, disposedError, abstractClass } from "../errors.ts";
import { checkKeys, checkNumber, type Range } from "../options.ts";
import { Optimizer } from "../optim/optimizer.ts";

/** Any downhill optimizer: schedules read and set its groups' `lr` (and momentum). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- every optimizer's options have an lr
export type ScheduledOptimizer = Optimizer<any>;

/** A schedule's state: plain JSON, as `stateDict()` returns and `loadStateDict()` takes. */
export type SchedulerState = {
  /** The schedule's class name, e.g. "StepLR"; loading checks it. */
  readonly scheduler: string;
} & Record<string, unknown>;

/** torch's `group['initial_lr']`: set by the first schedule of an optimizer (OneCycleLR sets its own). */
const INITIAL_LRS = new WeakMap<ScheduledOptimizer, readonly number[]>();

// Hooks SequentialLR uses on the schedules it chains; not part of the public API.
/** torch's `step(epoch)`: jump to `epoch`, with the closed form where there is one. */
export const STEP_AT = Symbol("downhill.schedule.stepAt");
/** torch's `_initial_step()`: restart the step count and take a step. */
export const INITIAL_STEP = Symbol("downhill.schedule.initialStep");
/** torch's `last_epoch -= 1` in SequentialLR's constructor (−1 undoes it). */
export const REWIND = Symbol("downhill.schedule.rewind");
/** Validates a state dict and returns what applies it (writing the optimizer's lr if `write`). */
export const PREPARE_LOAD = Symbol("downhill.schedule.prepareLoad");

/** `options` (an object or undefined) over `defaults`, after refusing keys not in `allowed`. */
export function withDefaults(argument: string, options: unknown, defaults: object, allowed: readonly string[]): Record<string, unknown> {
  checkKeys(argument, options, allowed);
  return { ...defaults, ...(options as object | undefined) } as Record<string, unknown>;
}

/** Each group's initial lr (torch's `group['initial_lr']`) as the optimizer's first schedule recorded it. */
export function initialLrs(optimizer: ScheduledOptimizer): readonly number[] {
  return INITIAL_LRS.get(optimizer) ?? optimizer.paramGroups.map((g) => (g.options as { lr: number }).lr);
}

/** A whole number in `range` (epochs, steps, counts). */
export function checkWhole(argument: string, value: unknown, range: Range = {}): number {
  const n = checkNumber(argument, value, range);
  if (!Number.isInteger(n)) {
    const bound = range.min === undefined ? "" : ` ${range.minExclusive ? ">" : ">="} ${range.min}`;
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a whole number${bound}; got ${n}.`);
  }
  return n;
}

/** One of the strings in `allowed`. */
export function checkChoice<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) {
    const wanted = `one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
    const Error = typeof value === "string" ? DownhillRangeError : DownhillTypeError;
    throw new Error("INVALID_ARGUMENT", `${argument} must be ${wanted}; got ${describe(value)}.`);
  }
  return value as T;
}

/** A number for every group, or one array with a number per group (torch's "float or list"). */
export function checkPerGroup(argument: string, value: unknown, groups: number, range: Range = {}): number[] {
  if (!Array.isArray(value)) return new Array<number>(groups).fill(checkNumber(argument, value, range));
  if (value.length !== groups) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a number or an array of ${groups} numbers, one per param group; got ${describe(value)}.`);
  }
  return value.map((v, i) => checkNumber(`${argument}[${i}]`, v, range));
}

/** A plain object with exactly the keys `keys`. */
export function checkRecord(argument: string, value: unknown, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an object from stateDict(); got ${describe(value)}.`);
  }
  checkKeys(argument, value, keys);
  const missing = keys.filter((k) => !(k in value));
  if (missing.length > 0) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} is missing ${missing.map((k) => `"${k}"`).join(", ")}; give an object from stateDict().`);
  }
  return value as Record<string, unknown>;
}

/** An array of `length` finite numbers in `range`. */
export function checkNumbers(argument: string, value: unknown, length: number, range: Range = {}): number[] {
  if (!Array.isArray(value) || value.length !== length) {
    const Error = Array.isArray(value) ? DownhillRangeError : DownhillTypeError;
    throw new Error("INVALID_ARGUMENT", `${argument} must be an array of ${length} numbers, one per param group; got ${describe(value)}.`);
  }
  return value.map((v, i) => checkNumber(`${argument}[${i}]`, v, range));
}

/** Python's `a % b` (the sign of `b`), which torch's formulas use. */
export function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** `optimizer` must be a live downhill optimizer; `name` is the schedule's, for the message. */
export function checkOptimizer(name: string, optimizer: unknown): ScheduledOptimizer {
  if (!(optimizer instanceof Optimizer)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(optimizer): optimizer must be a downhill optimizer (SGD, Adam, …); got ${describe(optimizer)}.`);
  }
  if (optimizer.disposed) throw disposedError(`optimizer (given to ${name})`);
  return optimizer;
}

/** What every schedule has: its optimizer, the lr it set last, and its state dict. */
export abstract class Scheduler {
  /** The optimizer whose learning rates this schedule sets. */
  readonly optimizer: ScheduledOptimizer;
  /** The class name, for messages and state dicts. */
  protected readonly name: string;
  #lastLr: readonly number[];

  protected constructor(name: string, optimizer: unknown) {
    if (new.target === Scheduler) abstractClass("Scheduler", "a schedule (new StepLR(optimizer, …), new ReduceLROnPlateau(optimizer), …)");
    this.name = name;
    this.optimizer = checkOptimizer(name, optimizer);
    this.#lastLr = this.currentLrs();
  }

  /** The learning rate of every param group as this schedule last set it. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  /** Records the lrs the schedule just set: what {@link Scheduler.getLastLr} returns. */
  protected set lastLr(lrs: readonly number[]) {
    this.#lastLr = Object.freeze([...lrs]);
  }

  /** The optimizer's current lr of every group. */
  protected currentLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => (g.options as { lr: number }).lr);
  }

  /** The number of param groups. */
  protected get groups(): number {
    return this.optimizer.paramGroups.length;
  }

  /**
   * Writes `updates[i]` (options such as `{ lr }`) to group i, all groups or none: a value
   * the optimizer refuses restores the groups already written, and nothing changes.
   */
  protected write(updates: readonly Record<string, unknown>[]): void {
    updates.forEach((u, i) => {
      const lr = u["lr"];
      if (typeof lr === "number" && !Number.isFinite(lr)) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${this.name}: the schedule gives param group ${i} a learning rate of ${lr}; check its options.`);
      }
    });
    const groups = this.optimizer.paramGroups;
    const before = updates.map((u, i) => Object.fromEntries(Object.keys(u).map((k) => [k, (groups[i]!.options as Record<string, unknown>)[k]])));
    let written = 0;
    try {
      for (; written < updates.length; written++) this.optimizer.setOptions(updates[written]!, written);
    } catch (error) {
      for (let i = 0; i < written; i++) this.optimizer.setOptions(before[i]!, i);
      throw error;
    }
  }

  /** The schedule's state as plain JSON, to save with the optimizer's and resume later. */
  abstract stateDict(): SchedulerState;

  /**
   * Restores a state from `stateDict()` (validated first; nothing changes if it is refused)
   * and sets the optimizer's learning rates to the saved ones, so that a fresh optimizer and
   * schedule continue exactly where the saved ones were.
   */
  loadStateDict(state: unknown): void {
    this[PREPARE_LOAD](state, `${this.name}.loadStateDict(state)`, true)();
  }

  /** Validates `state`; returns what applies it. */
  abstract [PREPARE_LOAD](state: unknown, argument: string, write: boolean): () => void;

  /** Validates the fields every state dict has; returns them. */
  protected checkState(state: unknown, argument: string, keys: readonly string[]): Record<string, unknown> {
    const s = checkRecord(argument, state, ["scheduler", ...keys]);
    if (s["scheduler"] !== this.name) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.scheduler must be "${this.name}" (the state of a ${this.name}); got ${describe(s["scheduler"])}.`);
    }
    return s;
  }
}

/**
 * A schedule stepped without arguments, torch's `_LRScheduler`: `step()` advances
 * `lastEpoch` and sets each group's lr from the recursive ("chainable") formula, which
 * reads the group's current lr, as torch does; `baseLrs` are the groups' initial lrs.
 * Construction takes the first step, to epoch 0.
 */
export abstract class LRScheduler<O extends object> extends Scheduler {
  #options: Readonly<O>;
  #baseLrs: readonly number[];
  #lastEpoch = -1;
  #stepCount = 0;
  /** True for the initial lrs OneCycleLR sets itself (torch overwrites `initial_lr`). */
  readonly #ownInitialLrs: boolean;

  /** Call `initialStep()` at the end of the subclass's constructor. */
  protected constructor(name: string, optimizer: unknown, options: O, initialLrs?: readonly number[]) {
    if (new.target === LRScheduler) abstractClass("LRScheduler", "a schedule (new StepLR(optimizer, …), new CosineAnnealingLR(optimizer, …), …)");
    super(name, optimizer);
    this.#options = Object.freeze(options);
    this.#ownInitialLrs = initialLrs !== undefined;
    this.#baseLrs = Object.freeze([...(initialLrs ?? INITIAL_LRS.get(this.optimizer) ?? this.currentLrs())]);
  }

  /** The validated options. */
  get options(): Readonly<O> {
    return this.#options;
  }

  /** The initial lr of every group (torch's `base_lrs`). */
  get baseLrs(): readonly number[] {
    return this.#baseLrs;
  }

  /** The epoch (or iteration) of the last step: 0 right after construction. */
  get lastEpoch(): number {
    return this.#lastEpoch;
  }

  /** Advances the schedule by one epoch (or iteration) and sets the optimizer's lr. */
  step(): void {
    if (this.optimizer.disposed) throw disposedError(`optimizer (driven by this ${this.name})`);
    this.#advance(this.#lastEpoch + 1, this.#stepCount + 1, false);
  }

  /** The lr of every group at `epoch` from the current ones (torch's chainable `get_lr`). */
  protected abstract getLr(epoch: number, lrs: readonly number[], stepCount: number): number[];

  /** The lr of every group at `epoch` from `baseLrs` alone (torch's `_get_closed_form_lr`), if any. */
  protected closedFormLr(_epoch: number): number[] | undefined {
    return undefined;
  }

  /** Options other than `lr` to set with it at `epoch` (OneCycleLR's momentum). */
  protected extraOptions(_epoch: number, _group: number): Record<string, unknown> {
    return {};
  }

  /** Refuses a step to `epoch` before anything changes (OneCycleLR past its last step). */
  protected checkEpoch(_epoch: number): void {}

  /** Writes the optimizer's options for `epoch` and commits the step. */
  #advance(epoch: number, stepCount: number, closedForm: boolean): void {
    this.checkEpoch(epoch);
    const lrs = (closedForm ? this.closedFormLr(epoch) : undefined) ?? this.getLr(epoch, this.currentLrs(), stepCount);
    this.write(lrs.map((lr, i) => ({ ...this.extraOptions(epoch, i), lr })));
    this.#lastEpoch = epoch;
    this.#stepCount = stepCount;
    this.lastLr = lrs;
  }

  /** Construction's step to epoch 0 (torch's `_initial_step`); records the initial lrs. */
  protected initialStep(): void {
    this[INITIAL_STEP]();
    if (this.#ownInitialLrs || !INITIAL_LRS.has(this.optimizer)) INITIAL_LRS.set(this.optimizer, this.#baseLrs);
  }

  /** @internal torch's `_initial_step()`, for SequentialLR. */
  [INITIAL_STEP](): void {
    this.#advance(this.#lastEpoch + 1, 1, false);
  }

  /** @internal torch's `step(epoch)`, for SequentialLR. */
  [STEP_AT](epoch: number): void {
    this.#advance(epoch, this.#stepCount + 1, true);
  }

  /** @internal torch's `last_epoch -= epochs`, for SequentialLR. */
  [REWIND](epochs: number): void {
    this.#lastEpoch -= epochs;
  }

  /** Validates options given to the constructor or found in a state dict. */
  protected abstract validate(argument: string, options: unknown): O;

  /** The option values as plain JSON. */
  protected optionsJson(): Record<string, unknown> {
    return { ...this.#options };
  }

  stateDict(): SchedulerState {
    return {
      scheduler: this.name,
      options: structuredClone(this.optionsJson()),
      lastEpoch: this.#lastEpoch,
      stepCount: this.#stepCount,
      baseLrs: [...this.#baseLrs],
      lastLr: this.getLastLr(),
    };
  }

  [PREPARE_LOAD](state: unknown, argument: string, write: boolean): () => void {
    const s = this.checkState(state, argument, ["options", "lastEpoch", "stepCount", "baseLrs", "lastLr"]);
    const options = this.validate(`${argument}.options`, s["options"]);
    // −1: a schedule SequentialLR has not started yet.
    const lastEpoch = checkWhole(`${argument}.lastEpoch`, s["lastEpoch"], { min: -1 });
    const stepCount = checkWhole(`${argument}.stepCount`, s["stepCount"], { min: 1 });
    const baseLrs = checkNumbers(`${argument}.baseLrs`, s["baseLrs"], this.groups, { min: 0 });
    const lastLr = checkNumbers(`${argument}.lastLr`, s["lastLr"], this.groups, { min: 0 });
    const extra = this.stateExtra(options, lastEpoch, argument);
    return () => {
      if (write) this.write(lastLr.map((lr, i) => ({ ...extra(i), lr })));
      this.#options = Object.freeze(options);
      this.#baseLrs = Object.freeze(baseLrs);
      this.#lastEpoch = lastEpoch;
      this.#stepCount = stepCount;
      this.lastLr = lastLr;
    };
  }

  /**
   * Checks a loaded state against its options (OneCycleLR: lastEpoch within the cycle) and
   * returns the options besides lr to restore in each group.
   */
  protected stateExtra(_options: O, _lastEpoch: number, _argument: string): (group: number) => Record<string, unknown> {
    return () => ({});
  }
}
