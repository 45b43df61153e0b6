/**
 * What every optimizer shares: parameter groups with their own options, state created
 * lazily per parameter, one backend call per group and dtype per step, and validation of
 * everything before anything is written.
 */
import type { Backend, BackendName, StepPlan, Storage } from "../backend/backend.ts";
import { KERNELS, type KernelName } from "../kernels/optim/index.ts";
import { FLAG_NEW_STATE, SCALARS } from "../kernels/optim/kernel.ts";
import { checkBackendName, resolveBackend } from "../backend/select.ts";
import { TsStorage } from "../backend/ts/index.ts";
import { dtypeOf, isDetached, isFloatArray, type Dtype, type FloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError, abstractClass } from "../errors.ts";
import { checkKeys, overlay } from "../options.ts";
import { InUse } from "../in-use.ts";
import { Parameter } from "../parameter.ts";
import { STATE_DICT_FORMAT, STATE_DICT_VERSION, bufferDict, optionsDict, readStateDict, type OptimizerStateDict, type ParamStateDict, type ParameterInfo } from "./state-dict.ts";

/** What an optimizer updates: a Parameter, or a plain typed array updated in place. */
export type ParamInput = Parameter | Float32Array | Float64Array;

/** A parameter group: its parameters and options that override the optimizer's. */
export type ParamGroupInput<O> = Partial<O> & {
  /** The group's parameters. */
  params: readonly ParamInput[];
};

/** Options every optimizer takes besides its hyperparameters. */
export interface CommonOptions {
  /** Backend for plain typed-array parameters; Parameters bring their own. */
  backend?: BackendName;
}

interface Slot {
  readonly input: ParamInput;
  readonly dtype: Dtype;
  readonly length: number;
  /** Storages the kernel reads and writes: the Parameter's own, or mirrors of a typed array. */
  readonly param: Storage;
  readonly grad: Storage;
  /** True when `param` mirrors a user array in WASM memory and is copied in and out. */
  readonly mirrored: boolean;
  state: (Storage | null)[] | null;
}

interface Group<O> {
  options: O;
  readonly slots: Slot[];
  /** Backend plans per dtype; rebuilt when state buffers are created. */
  plans: StepPlan[] | null;
  /** Steps this group has taken (PyTorch's per-parameter `step`). */
  steps: number;
  /** True when the group's state was just created: the next step tells the kernel (FLAG_NEW_STATE). */
  fresh: boolean;
  /** The step's hyperparameters, filled by `prepare`, reused to avoid allocation. */
  readonly scalars: Float64Array;
}

/**
 * An optimizer's backend, groups, slots, flags and step count: what step() reads, in one
 * record. A program that steps several optimizer classes makes every `this.#field` read
 * in the base class megamorphic (each class's instances have a hidden class of their
 * own): in a scratch that first stepped all ten classes, as the benchmark does, Adam's
 * public step() at N = 1e3 took ~120 ns longer than the bare kernel, against ~10 ns with
 * Adam alone. Records of one shape keep step()'s reads monomorphic: one private read for
 * the record, then plain property reads (~20-35 ns over the kernel then).
 */
interface Hot<O> {
  readonly name: string;
  /** "SGD.step", for error messages (built once: the hot path allocates nothing). */
  readonly stepName: string;
  readonly kernel: KernelName;
  /** The backend every step runs on. */
  readonly backend: Backend;
  /** Set once in the constructor, as is `slots`: the param groups. */
  groups: Group<O>[];
  /** All slots of all groups, in the order parameters were given. */
  slots: Slot[];
  /** The optimizer's own prepare(), bound: a call, not a lookup on `this`. */
  readonly prepare: (options: Readonly<O>, step: number, scalars: Float64Array, group: number) => number;
  /** False until every buffer the current options need exists; reset when options or state change. */
  stateReady: boolean;
  disposed: boolean;
  /** Why the optimizer is unusable after a failed kernel call (see #faulted), or null. */
  fault: DownhillError | null;
  /** Steps taken. */
  steps: number;
}

/** Throws after dispose() and after a fault. */
function usable<O extends object>(hot: Hot<O>): void {
  if (hot.disposed) throw disposedError(`${hot.name} optimizer`);
  if (hot.fault !== null) throw hot.fault;
}

/**
 * Counts one more step of `group` (param group `index`) and fills its scalars for that
 * step; returns the step's flags (FLAG_NEW_STATE on the step after its state was created).
 */
function advance<O extends object>(hot: Hot<O>, group: Group<O>, index: number): number {
  group.steps++;
  const flags = hot.prepare(group.options, group.steps, group.scalars, index) | (group.fresh ? FLAG_NEW_STATE : 0);
  group.fresh = false;
  return flags;
}

/** step()'s checks of the parameters (still live, of their length) and of `grads`. */
function checkStep<O extends object>(hot: Hot<O>, slots: readonly Slot[], grads: unknown): void {
  const name = hot.stepName;
  let plain = -1;
  for (let i = 0; i < slots.length; i++) {
    const input = slots[i]!.input;
    if (input instanceof Parameter) {
      if (input.disposed) throw disposedError(`parameter (params[${i}] of ${hot.name})`);
    } else {
      if (plain < 0) plain = i;
      if (input.length !== slots[i]!.length) {
        throw new DownhillError("SHAPE_MISMATCH", `${name}: params[${i}] now has length ${input.length}, not ${slots[i]!.length}; its buffer was detached or replaced.`);
      }
    }
  }
  if (grads === undefined) {
    if (plain >= 0) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(grads): params[${plain}] is a plain typed array, so step() needs grads: one typed array per parameter.`);
    }
    return;
  }
  if (!Array.isArray(grads)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(grads): grads must be an array of typed arrays, one per parameter; got ${describe(grads)}.`);
  }
  if (grads.length !== slots.length) {
    throw new DownhillError("SHAPE_MISMATCH", `${name}(grads): got ${grads.length} gradients for ${slots.length} parameters.`);
  }
  slots.forEach((s, i) => {
    const g: unknown = grads[i];
    if (!isFloatArray(g)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(grads): grads[${i}] must be a Float32Array or Float64Array; got ${describe(g)}.`);
    }
    if (dtypeOf(g) !== s.dtype) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(grads): grads[${i}] is ${dtypeOf(g)} but params[${i}] is ${s.dtype}; give gradients of the parameter's dtype.`);
    }
    if (g.length !== s.length) {
      throw new DownhillError("SHAPE_MISMATCH", `${name}(grads): grads[${i}] has length ${g.length} but params[${i}] has length ${s.length}.`);
    }
    const own = s.input instanceof Parameter ? s.param.array : s.input;
    if (overlaps(g, own)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(grads): grads[${i}] shares memory with params[${i}]; give the gradient its own buffer.`);
    }
  });
}

/** A read-only view of one group for users: its parameters and options. */
export interface ParamGroupView<O> {
  /** The group's parameters, as given. */
  readonly params: readonly ParamInput[];
  /** The group's options after defaults and validation. */
  readonly options: Readonly<O>;
}

/**
 * Optimizers driven by a running fit() or minimize(): their state may not be replaced
 * meanwhile. Both remove theirs in a finally block.
 */
const TRAINING = new InUse();

/** @internal fit() and minimize() mark the optimizer they drive for the length of the run. */
export function beginTraining(optimizer: object): void {
  TRAINING.add(optimizer);
}

/** @internal */
export function endTraining(optimizer: object): void {
  TRAINING.delete(optimizer);
}

/** @internal Whether a running fit() or minimize() drives `optimizer`. */
export function isTraining(optimizer: object): boolean {
  return TRAINING.has(optimizer);
}

function overlaps(a: FloatArray, b: FloatArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * The base of every optimizer: parameters in groups with their own options, lazily
 * created state per parameter, `step()`, `stateDict()`/`loadStateDict()` and `dispose()`.
 */
export abstract class Optimizer<O extends object> {
  /** The backend every step runs on. */
  readonly backend: BackendName;
  readonly #name: string;
  readonly #stateNames: readonly string[];
  readonly #validate: (argument: string, options: O) => O;
  readonly #optionNames: readonly string[];
  /** Backend, groups, slots, flags and step count (see Hot). */
  readonly #hot: Hot<O>;

  protected constructor(
    name: string,
    kernel: KernelName,
    params: readonly ParamInput[] | readonly ParamGroupInput<O>[],
    options: unknown,
    defaults: Readonly<O>,
    validate: (argument: string, options: O) => O,
    stateNames: readonly string[],
  ) {
    if (new.target === Optimizer) abstractClass("Optimizer", "an optimizer (new SGD(params, options), new Adam(…), …)");
    this.#name = name;
    this.#stateNames = stateNames;
    if (KERNELS[kernel].states !== stateNames.length) throw new Error(`${name}: ${stateNames.length} state names for kernel ${kernel}`);
    const optionNames = Object.keys(defaults);
    this.#validate = validate;
    this.#optionNames = optionNames;
    checkKeys(`${name} options`, options, optionNames, "backend");
    const base = validate(`${name} options`, overlay(defaults, options, "backend"));
    const groupInputs = this.#groupInputs(params);
    // Loops, not flatMap: fit() builds an optimizer per call, and flatMap costs ~1 µs.
    const inputs: ParamInput[] = [];
    for (const g of groupInputs) for (const p of g.params) inputs.push(p);
    this.#checkInputs(inputs);
    const backend = this.#chooseBackend(inputs, (options as CommonOptions | undefined)?.backend);
    // A list of parameters is one group with the options above; groups may override them.
    const groupOptions = groupInputs === params ? groupInputs.map((g, i) => {
      const { params: _params, ...overrides } = g;
      checkKeys(`${name} param group ${i}`, overrides, optionNames);
      return validate(`${name} param group ${i}`, { ...base, ...overrides } as O);
    }) : [base];
    // Everything is valid: only now allocate.
    this.backend = backend.name;
    const hot: Hot<O> = (this.#hot = {
      name, stepName: `${name}.step`, kernel, backend, groups: [], slots: [], prepare: this.prepare.bind(this),
      stateReady: false, disposed: false, fault: null, steps: 0,
    });
    const created: Slot[] = [];
    try {
      hot.groups = groupInputs.map((g, i) => ({
        options: groupOptions[i]!,
        slots: g.params.map((input) => {
          const slot = this.#slot(input);
          created.push(slot);
          return slot;
        }),
        plans: null,
        steps: 0,
        fresh: false,
        scalars: new Float64Array(SCALARS),
      }));
    } catch (error) {
      for (const s of created) if (s.mirrored) (s.param.dispose(), s.grad.dispose());
      throw error;
    }
    for (const g of hot.groups) for (const slot of g.slots) hot.slots.push(slot);
  }

  #groupInputs(params: unknown): ParamGroupInput<O>[] {
    const name = this.#name;
    if (!Array.isArray(params)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(params): params must be an array of Parameters or typed arrays, or of param groups { params, ...options }; got ${describe(params)}.`);
    }
    if (params.length === 0) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(params): the parameter list is empty; give at least one parameter.`);
    }
    const isGroup = (p: unknown) => typeof p === "object" && p !== null && !Array.isArray(p) && !isFloatArray(p) && !(p instanceof Parameter);
    const groups = params.every(isGroup) ? (params as ParamGroupInput<O>[]) : [{ params } as unknown as ParamGroupInput<O>];
    groups.forEach((g, i) => {
      if (!Array.isArray(g.params)) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(params): param group ${i} must have a params array; got ${describe(g.params)}.`);
      }
      if (g.params.length === 0) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(params): param group ${i} has no parameters.`);
      }
    });
    return groups;
  }

  #checkInputs(inputs: readonly unknown[]): void {
    const name = this.#name;
    inputs.forEach((p, i) => {
      if (p instanceof Parameter) {
        if (p.disposed) throw disposedError(`parameter (params[${i}] of ${name})`);
      } else if (!isFloatArray(p)) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(params): params[${i}] must be a Parameter, Float32Array or Float64Array; got ${describe(p)}.`);
      } else if (isDetached(p.buffer)) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(params): params[${i}] is a ${p.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
      }
    });
    for (let i = 0; i < inputs.length; i++) {
      for (let j = 0; j < i; j++) {
        const a = inputs[i] as ParamInput;
        const b = inputs[j] as ParamInput;
        const same = a === b || (isFloatArray(a) && isFloatArray(b) && overlaps(a, b));
        if (same) {
          throw new DownhillRangeError("INVALID_ARGUMENT", `${name}(params): params[${i}] is the same memory as params[${j}]; a parameter may appear only once.`);
        }
      }
    }
  }

  #chooseBackend(inputs: readonly ParamInput[], option: unknown): Backend {
    const requested = option === undefined ? undefined : checkBackendName(option, `${this.#name} options.backend`);
    const owned = inputs.filter((p): p is Parameter => p instanceof Parameter).map((p) => p.backend);
    const first = owned[0];
    if (first !== undefined) {
      const other = owned.find((b) => b !== first) ?? (requested !== undefined && requested !== first ? requested : undefined);
      if (other !== undefined) {
        throw new DownhillTypeError("INVALID_ARGUMENT", `${this.#name}: parameters live on the "${first}" backend but "${other}" was also asked for; create all parameters with one backend.`);
      }
      return resolveBackend(first);
    }
    return resolveBackend(requested);
  }

  #slot(input: ParamInput): Slot {
    if (input instanceof Parameter) {
      const { data, grad } = Parameter.storages(input);
      return { input, dtype: input.dtype, length: input.length, param: data, grad, mirrored: false, state: null };
    }
    const dtype = dtypeOf(input);
    if (this.#hot.backend.name === "ts") {
      const param = new TsStorage(dtype, input);
      return { input, dtype, length: input.length, param, grad: this.#hot.backend.alloc(dtype, input.length), mirrored: false, state: null };
    }
    const param = this.#hot.backend.alloc(dtype, input.length);
    try {
      return { input, dtype, length: input.length, param, grad: this.#hot.backend.alloc(dtype, input.length), mirrored: true, state: null };
    } catch (error) {
      param.dispose();
      throw error;
    }
  }

  /** The groups with their parameters and (validated) options. */
  get paramGroups(): readonly ParamGroupView<O>[] {
    return this.#hot.groups.map((g) => ({ params: g.slots.map((s) => s.input), options: Object.freeze({ ...g.options }) }));
  }

  /**
   * The learning rate of param group `group` (default 0) now, as a schedule last set it:
   * `paramGroups[group].options.lr` without copying the groups (training loops read it
   * every step).
   */
  learningRate(group = 0): number {
    const g = this.#hot.groups[group];
    if (g === undefined || !Number.isInteger(group)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${this.#name}.learningRate(group): group must be a whole number from 0 to ${this.#hot.groups.length - 1}; got ${describe(group)}.`);
    }
    return (g.options as { lr?: number }).lr ?? NaN;
  }

  /**
   * Changes the options of param group `group` (every group when omitted), validated as
   * at construction; nothing changes if any value is refused. Learning-rate schedules
   * use this to set `lr`.
   */
  setOptions(options: Partial<O>, group?: number): void {
    usable(this.#hot);
    const argument = `${this.#name}.setOptions(options)`;
    checkKeys(argument, options, this.#optionNames);
    if (group !== undefined && (!Number.isInteger(group) || group < 0 || group >= this.#hot.groups.length)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${this.#name}.setOptions(options, group): group must be a whole number from 0 to ${this.#hot.groups.length - 1}; got ${describe(group)}.`);
    }
    const targets = group === undefined ? this.#hot.groups : [this.#hot.groups[group]!];
    const updated = targets.map((g) => this.#validate(argument, { ...g.options, ...options }));
    targets.forEach((g, i) => (g.options = updated[i]!));
    this.#hot.stateReady = false;
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.#hot.steps;
  }

  /** Which state buffers (in `stateNames` order) the kernel needs with these options. */
  protected abstract stateNeeded(options: Readonly<O>): readonly boolean[];

  /**
   * Fills `scalars` (SCALARS entries, in the kernel's order) for this step and returns its
   * flags; `step` counts this group's steps including this one, from 1. Scalar math
   * (bias corrections, powers) happens here, once per step, in f64. `group` is the param
   * group's index, for optimizers that carry scalar state per group (NAdam's muProduct).
   */
  protected abstract prepare(options: Readonly<O>, step: number, scalars: Float64Array, group: number): number;

  /**
   * One optimization step. Parameters' own gradients are used; `grads` (one typed array
   * per parameter, in order, of its dtype and length) is required for plain typed-array
   * parameters and, for Parameters, is written into their `grad` first.
   */
  step(grads?: readonly FloatArray[]): void {
    // Only this one private read: the rest comes from the record (see Hot).
    const hot = this.#hot;
    usable(hot);
    const slots = hot.slots;
    checkStep(hot, slots, grads);
    // Everything that may fail (validation, allocation) happens before the first write.
    // The hot path allocates nothing once the state exists: plain loops, cached plans.
    if (!hot.stateReady) this.#prepareState();
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.mirrored) s.param.array.set(s.input as FloatArray);
      const g = grads?.[i];
      if (g) s.grad.array.set(g);
    }
    const groups = hot.groups;
    const backend = hot.backend!;
    try {
      for (let index = 0; index < groups.length; index++) {
        const group = groups[index]!;
        const flags = advance(hot, group, index);
        const plans = group.plans!;
        for (let k = 0; k < plans.length; k++) backend.step(hot.kernel, plans[k]!, group.scalars, flags);
      }
    } catch (error) {
      this.#faulted(error);
    }
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i]!;
      if (s.mirrored) (s.input as FloatArray).set(s.param.array);
    }
    hot.steps++;
  }

  /**
   * A kernel call failed after validation passed (a fault in the WebAssembly module, or
   * memory corrupted from outside): parameters and state may be half-updated, so this
   * optimizer refuses further use. Other objects are not affected. Rethrows `error`.
   */
  #faulted(error: unknown): never {
    if (error instanceof DownhillError && error.code !== "WASM_FAULT") throw error;
    this.#hot.fault = new DownhillError(
      "WASM_FAULT",
      `This ${this.#name} optimizer is unusable: a kernel call failed during step ${this.#hot.steps + 1} (${error instanceof Error ? error.message : String(error)}). Its parameters and state may be partly updated; dispose() it and create a new optimizer.`,
    );
    throw error;
  }

  /**
   * @internal fit's fused training (ts/train/fit.ts, crate/src/train.rs): the kernel and
   * the step plan when a whole run of steps can go to the backend in one call — one
   * param group of one dtype, no plain typed arrays — with the state created as the next
   * step() would create it; null otherwise.
   */
  fusible(): { readonly kernel: KernelName; readonly plan: StepPlan } | null {
    usable(this.#hot);
    if (this.#hot.groups.length !== 1 || this.#hot.slots.some((s) => s.mirrored)) return null;
    if (!this.#hot.stateReady) this.#prepareState();
    const plans = this.#hot.groups[0]!.plans!;
    return plans.length === 1 ? { kernel: this.#hot.kernel, plan: plans[0]! } : null;
  }

  /**
   * @internal Runs `count` steps of a fusible() optimizer through `run`: fills the
   * SCALARS values and the flags of each step into `scalars` and `flags` as step() would
   * compute them, calls `run`, which returns how many of the steps it took, and keeps
   * exactly those (step counts and per-group scalars such as NAdam's muProduct are
   * rewound past the others). A failing run makes the optimizer unusable, as in step().
   */
  fusedSteps(count: number, scalars: Float64Array, flags: Uint32Array, run: () => number): number {
    usable(this.#hot);
    const group = this.#hot.groups[0]!;
    const before = { steps: group.steps, fresh: group.fresh, scalars: this.groupScalars(0) };
    // Where prepare() ignores the step, steps after the second (the first may carry
    // FLAG_NEW_STATE) repeat it: copied, not prepared again, which for a long run of
    // cheap steps (W3's 500 of SGD on 100 rows) is a measurable share of the call.
    const prepared = this.sameScalarsEveryStep() ? Math.min(count, 2) : count;
    for (let j = 0; j < prepared; j++) {
      flags[j] = advance(this.#hot, group, 0);
      scalars.set(group.scalars, j * SCALARS);
    }
    if (prepared < count) {
      group.steps += count - prepared;
      flags.fill(flags[prepared - 1]!, prepared, count);
      const end = count * SCALARS;
      for (let at = prepared * SCALARS; at < end; ) {
        // [SCALARS, at) holds whole copies of the second step's scalars: double them.
        const length = Math.min(at - SCALARS, end - at);
        scalars.copyWithin(at, at - length, at);
        at += length;
      }
    }
    let taken: number;
    try {
      taken = run();
    } catch (error) {
      this.#faulted(error);
    }
    if (taken !== count) {
      group.steps = before.steps;
      group.fresh = before.fresh;
      this.setGroupScalars(0, before.scalars);
      for (let j = 0; j < taken; j++) advance(this.#hot, group, 0);
    }
    this.#hot.steps += taken;
    return taken;
  }

  /**
   * Creates the state buffers the options need and the step plans that use them, for
   * every group, before the step writes anything; on failure (out of memory) frees what
   * it made and leaves the optimizer as it was.
   */
  #prepareState(): void {
    const { created, grown, undo } = this.#createState();
    const groups = this.#hot.groups;
    const next: (StepPlan[] | null)[] = [];
    try {
      for (const group of groups) next.push(created.has(group) || grown.has(group) || group.plans === null ? this.#plans(group) : null);
    } catch (error) {
      for (const plans of next) for (const p of plans ?? []) p.dispose();
      undo();
      throw error;
    }
    groups.forEach((group, i) => {
      const plans = next[i];
      if (plans === null || plans === undefined) return;
      for (const p of group.plans ?? []) p.dispose();
      group.plans = plans;
      if (created.has(group)) group.fresh = true;
    });
    this.#hot.stateReady = true;
  }

  /**
   * Allocates missing state buffers for every group. `created`: groups whose parameters
   * got their state now (the kernel sees FLAG_NEW_STATE). `grown`: groups whose existing
   * state got a buffer that new options need (setOptions turned on amsgrad, momentum,
   * centered…); it starts at zero, as PyTorch's would. On failure frees them all again.
   */
  #createState(): { created: Set<Group<O>>; grown: Set<Group<O>>; undo: () => void } {
    const buffers: Storage[] = [];
    const assigned: Slot[] = [];
    const added: [Slot, number][] = [];
    const created = new Set<Group<O>>();
    const grown = new Set<Group<O>>();
    const alloc = (s: Slot) => {
      const buffer = this.#hot.backend.alloc(s.dtype, s.length);
      buffers.push(buffer);
      return buffer;
    };
    try {
      for (const group of this.#hot.groups) {
        const needed = this.stateNeeded(group.options);
        if (!needed.some(Boolean)) continue;
        for (const s of group.slots) {
          if (s.state === null) {
            s.state = needed.map((n) => (n ? alloc(s) : null));
            assigned.push(s);
            created.add(group);
            continue;
          }
          for (let k = 0; k < needed.length; k++) {
            if (needed[k] && s.state[k] === null) {
              s.state[k] = alloc(s);
              added.push([s, k]);
              grown.add(group);
            }
          }
        }
      }
    } catch (error) {
      undo();
      throw error;
    }
    return { created, grown, undo };

    function undo(): void {
      for (const b of buffers) b.dispose();
      for (const s of assigned) s.state = null;
      for (const [s, k] of added) s.state![k] = null;
    }
  }

  #plans(group: Group<O>): StepPlan[] {
    const byDtype = new Map<Dtype, Slot[]>();
    for (const s of group.slots) byDtype.set(s.dtype, [...(byDtype.get(s.dtype) ?? []), s]);
    const count = this.#stateNames.length;
    const plans: StepPlan[] = [];
    try {
      for (const [dtype, slots] of byDtype) {
        plans.push(this.#hot.backend.plan(dtype, slots.map((s) => ({ param: s.param, grad: s.grad, state: s.state ?? new Array<null>(count).fill(null) })), count));
      }
    } catch (error) {
      for (const p of plans) p.dispose();
      throw error;
    }
    return plans;
  }

  /** Sets the gradients of all Parameters to zero (typed-array parameters have none). */
  zeroGrad(): void {
    usable(this.#hot);
    for (const g of this.#hot.groups) for (const s of g.slots) if (s.input instanceof Parameter) s.grad.array.fill(0);
  }

  /**
   * The state of parameter `index` (in the order given), as copies: e.g.
   * `{ momentumBuffer: Float32Array }`; empty before the first step.
   */
  state(index: number): Record<string, FloatArray> {
    usable(this.#hot);
    const slots = this.#hot.slots;
    const slot = Number.isInteger(index) ? slots[index] : undefined;
    if (slot === undefined) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${this.#name}.state(index): index must be a whole number from 0 to ${slots.length - 1}; got ${describe(index)}.`);
    }
    const out: Record<string, FloatArray> = {};
    slot.state?.forEach((s, k) => {
      if (s) out[this.#stateNames[k]!] = s.array.slice();
    });
    return out;
  }

  /**
   * Whether stateDict() writes PyTorch's per-parameter `step` into each parameter's
   * state. Every torch.optim optimizer keeps one except SGD, which overrides this.
   */
  protected stepInState(): boolean {
    return true;
  }

  /**
   * Whether prepare() gives the same scalars and flags at every step of a group (it does
   * not read `step` or per-group scalars): then fit's fused runs prepare two steps and
   * copy the second. SGD, RMSprop, Adadelta and Lion override this.
   */
  protected sameScalarsEveryStep(): boolean {
    return false;
  }

  /**
   * Scalars kept per param group besides the step count (NAdam's `muProduct`), by the
   * name PyTorch's state uses; stateDict() writes them into each parameter's state like
   * `step`. Override together with {@link setGroupScalars}.
   */
  protected groupScalars(_group: number): Readonly<Record<string, number>> {
    return {};
  }

  /** Restores what {@link groupScalars} returned (same names, finite numbers) when a state is loaded. */
  protected setGroupScalars(_group: number, _scalars: Readonly<Record<string, number>>): void {}

  /**
   * The optimizer's state as plain data for JSON.stringify, in PyTorch's state_dict
   * layout (camelCase): `state` by parameter id (`step`, buffers as number arrays) and
   * `paramGroups` (options and ids), plus `format`, `version`, `optimizer`, `steps` and
   * `parameters` (dtype and length by id). Parameter values are not included.
   */
  stateDict(): OptimizerStateDict {
    usable(this.#hot);
    const state: Record<string, ParamStateDict> = {};
    const parameters: ParameterInfo[] = [];
    const stepInState = this.stepInState();
    let id = 0;
    const paramGroups = this.#hot.groups.map((group, g) => {
      const ids: number[] = [];
      const scalars = this.groupScalars(g);
      for (const slot of group.slots) {
        const info: ParameterInfo = { dtype: slot.dtype, length: slot.length };
        if (slot.state?.some((b) => b !== null)) {
          const entry: ParamStateDict = stepInState ? { step: group.steps, ...scalars } : { ...scalars };
          const negativeZeros: Record<string, number[]> = {};
          slot.state.forEach((buffer, k) => {
            if (buffer === null) return;
            const name = this.#stateNames[k]!;
            const { values, negativeZeros: zeros } = bufferDict(buffer.array, `state["${id}"].${name}`);
            entry[name] = values;
            if (zeros.length > 0) negativeZeros[name] = zeros;
          });
          if (Object.keys(negativeZeros).length > 0) info.negativeZeros = negativeZeros;
          state[String(id)] = entry;
        }
        parameters.push(info);
        ids.push(id++);
      }
      return optionsDict(group.options, ids);
    });
    return { format: STATE_DICT_FORMAT, version: STATE_DICT_VERSION, optimizer: this.#name, steps: this.#hot.steps, state, paramGroups, parameters };
  }

  /**
   * Restores a state saved by stateDict() (possibly through JSON, from either backend)
   * into this optimizer, built with the same kinds of parameters in the same groups:
   * state buffers, options and step counts. Everything is validated first; on any
   * problem nothing changes and the error names the JSON path (code "STATE_MISMATCH"
   * when the state does not fit this optimizer).
   */
  loadStateDict(dict: unknown): void {
    usable(this.#hot);
    if (TRAINING.has(this)) {
      throw new DownhillError("BUSY", `${this.#name}.loadStateDict(dict): this optimizer is driven by a running fit() or minimize(); load the state before the run starts or after it ends.`);
    }
    this.#hot.slots.forEach((s, i) => {
      if (s.input instanceof Parameter && s.input.disposed) throw disposedError(`parameter (params[${i}] of ${this.#name})`);
    });
    const loaded = readStateDict(dict, {
      name: this.#name,
      stateNames: this.#stateNames,
      stepInState: this.stepInState(),
      optionNames: this.#optionNames,
      validate: this.#validate,
      groups: this.#hot.groups.map((g, i) => ({ scalarNames: Object.keys(this.groupScalars(i)), params: g.slots })),
    });
    // Allocate and fill every buffer before the first change; free them again on failure.
    const created: Storage[] = [];
    let states: ((Storage | null)[] | null)[];
    try {
      states = this.#hot.slots.map((slot, id) =>
        loaded.params[id]?.map((values) => {
          if (values === null) return null;
          const buffer = this.#hot.backend.alloc(slot.dtype, slot.length);
          created.push(buffer);
          buffer.array.set(values);
          return buffer;
        }) ?? null,
      );
    } catch (error) {
      for (const b of created) b.dispose();
      throw error;
    }
    this.#hot.slots.forEach((slot, id) => {
      for (const b of slot.state ?? []) b?.dispose();
      slot.state = states[id]!;
    });
    this.#hot.groups.forEach((group, g) => {
      for (const p of group.plans ?? []) p.dispose();
      group.plans = null;
      group.fresh = false;
      const { options, scalars } = loaded.groups[g]!;
      group.options = options;
      group.steps = loaded.steps;
      if (scalars !== null) this.setGroupScalars(g, scalars);
    });
    this.#hot.steps = loaded.steps;
    this.#hot.stateReady = false;
  }

  /** True after {@link Optimizer.dispose}. */
  get disposed(): boolean {
    return this.#hot.disposed;
  }

  /** Frees the optimizer's state and mirrors (not the Parameters you passed); idempotent. */
  dispose(): void {
    if (this.#hot.disposed) return;
    this.#hot.disposed = true;
    for (const g of this.#hot.groups) {
      for (const p of g.plans ?? []) p.dispose();
      g.plans = null;
      for (const s of g.slots) {
        for (const b of s.state ?? []) b?.dispose();
        s.state = null;
        if (!(s.input instanceof Parameter)) (s.param.dispose(), s.grad.dispose());
      }
    }
  }
}

