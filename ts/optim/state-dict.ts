/**
 * Optimizer state as plain JSON data, in PyTorch's `state_dict()` layout (camelCase):
 * `state` (per parameter id: `step`, scalars such as `muProduct`, and state buffers as
 * arrays of numbers) and `paramGroups` (options and parameter ids), plus downhill's
 * fields: `format`, `version`, `optimizer`, `steps` and per-parameter `parameters` info.
 *
 * Every f32 and f64 value is a double, which JSON numbers carry exactly; JSON has no −0,
 * so the positions of negative zeros are listed in `parameters[i].negativeZeros`. A
 * restored optimizer therefore continues bit for bit as the saved one would have.
 *
 * Reading validates everything (and copies the values) before the optimizer changes;
 * sizes declared in the data are compared with the optimizer's own, never allocated.
 */
import type { Dtype, FloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { checkKeys } from "../options.ts";

export const STATE_DICT_FORMAT = "downhill.optimizer";
/** The layout written; loadStateDict reads this version and older. */
export const STATE_DICT_VERSION = 1;

/** Per-parameter info that PyTorch's layout keeps in its tensors. */
export interface ParameterInfo {
  /** The parameter's element type. */
  dtype: Dtype;
  /** The parameter's number of values. */
  length: number;
  /** Indices of −0 values per state buffer (JSON.stringify writes −0 as 0). */
  negativeZeros?: Record<string, number[]>;
}

/** One parameter's state: `step` and group scalars (numbers) and buffers (number arrays). */
export type ParamStateDict = Record<string, number | number[]>;

/** A param group: its options (JSON values) and the ids of its parameters. */
export type ParamGroupDict = Record<string, unknown> & {
  /** Ids of the group's parameters (positions across groups). */
  params: number[];
};

/** What `Optimizer.stateDict()` returns: plain data for JSON.stringify. */
export interface OptimizerStateDict {
  /** Always "downhill.optimizer": tells a downhill state from other JSON. */
  format: typeof STATE_DICT_FORMAT;
  /** The layout's version; a newer one than this downhill knows is refused. */
  version: number;
  /** The optimizer's class name, e.g. "SGD". */
  optimizer: string;
  /** Steps taken. */
  steps: number;
  /** By parameter id (its position across groups); parameters without state are absent. */
  state: Record<string, ParamStateDict>;
  /** Every param group's options and parameter ids, in order. */
  paramGroups: ParamGroupDict[];
  /** By parameter id. */
  parameters: ParameterInfo[];
}

/** What the optimizer must look like for a state to load: everything but the values. */
export interface Layout<O> {
  name: string;
  stateNames: readonly string[];
  /** State entries carry torch's per-parameter `step`. */
  stepInState: boolean;
  optionNames: readonly string[];
  validate: (argument: string, options: O) => O;
  groups: readonly {
    /** Names of the group's extra scalars (e.g. muProduct), saved in each entry like `step`. */
    readonly scalarNames: readonly string[];
    readonly params: readonly { readonly dtype: Dtype; readonly length: number }[];
  }[];
}

/** A validated state, ready to be written: values copied into arrays of each dtype. */
export interface LoadedState<O> {
  steps: number;
  groups: {
    options: O;
    /** The group's extra scalars, or null when no parameter of the group has state. */
    scalars: Record<string, number> | null;
  }[];
  /** By parameter id: buffers in `stateNames` order (null: not kept), or null without state. */
  params: ((FloatArray | null)[] | null)[];
}

/**
 * State that no run can make negative (sums and averages of squares, maxima of
 * magnitudes): a negative value would make a square root NaN, so loading refuses it.
 */
const NON_NEGATIVE: ReadonlySet<string> = new Set(["expAvgSq", "maxExpAvgSq", "expInf", "sum", "squareAvg", "accDelta"]);

/** Group scalars and their ranges: NAdam's product of momentum weights, each in [0, 1). */
const SCALAR_RANGES: Readonly<Record<string, { min: number; max: number; text: string }>> = { muProduct: { min: 0, max: 1, text: ">= 0 and < 1" } };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function plain(value: unknown): unknown {
  return Array.isArray(value) ? value.map(plain) : value;
}

/** The JSON form of a group's options: arrays (betas) copied, numbers and booleans as they are. */
export function optionsDict(options: object, ids: number[]): ParamGroupDict {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = plain(value);
  return { ...out, params: ids };
}

/** A buffer's values as numbers, and the indices of its negative zeros. */
export function bufferDict(values: FloatArray, path: string): { values: number[]; negativeZeros: number[] } {
  const out = Array.from(values);
  const negativeZeros: number[] = [];
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (!Number.isFinite(v)) {
      // JSON has no NaN or Infinity: such a state could be saved but never loaded again.
      throw new DownhillError("DIVERGED", `stateDict(): ${path}[${i}] is ${v}; the optimizer diverged, and a state with non-finite values cannot be saved as JSON.`);
    }
    if (Object.is(v, -0)) negativeZeros.push(i);
  }
  return { values: out, negativeZeros };
}

/**
 * Validates `dict` against `layout` and returns its values, or throws naming the JSON
 * path of the first problem: DownhillError "STATE_MISMATCH" when the state does not fit
 * this optimizer, INVALID_ARGUMENT errors for malformed values and refused options.
 */
export function readStateDict<O>(dict: unknown, layout: Layout<O>): LoadedState<O> {
  const where = `${layout.name}.loadStateDict(dict)`;
  const mismatch = (message: string) => new DownhillError("STATE_MISMATCH", `${where}: ${message}`);
  const typeError = (path: string, wanted: string, value: unknown) =>
    new DownhillTypeError("INVALID_ARGUMENT", `${where}: ${path} must be ${wanted}; got ${describe(value)}.`);
  const wholeNumber = (path: string, value: unknown): number => {
    if (typeof value !== "number") throw typeError(path, "a whole number >= 0", value);
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path} must be a whole number >= 0; got ${value}.`);
    }
    return value;
  };

  if (!isRecord(dict)) throw typeError("dict", "the object stateDict() returned", dict);
  if (dict["format"] !== STATE_DICT_FORMAT) {
    throw mismatch(`format is ${describe(dict["format"])}, so this is not an optimizer state written by downhill's stateDict() (format "${STATE_DICT_FORMAT}").`);
  }
  const version = wholeNumber("version", dict["version"]);
  if (version > STATE_DICT_VERSION) {
    throw mismatch(`version ${version} was written by a newer downhill; this version reads versions 1 to ${STATE_DICT_VERSION}. Upgrade downhill to load it.`);
  }
  if (version < 1) throw mismatch(`version must be 1 or more; got ${version}.`);
  if (dict["optimizer"] !== layout.name) {
    throw mismatch(`optimizer is ${describe(dict["optimizer"])}: the state was saved from another kind of optimizer than ${layout.name}.`);
  }
  const steps = wholeNumber("steps", dict["steps"]);

  // Param groups: ids in order, then options through the constructor's validation.
  const groupsIn = dict["paramGroups"];
  if (!Array.isArray(groupsIn)) throw typeError("paramGroups", "an array", groupsIn);
  if (groupsIn.length !== layout.groups.length) {
    throw mismatch(`paramGroups has ${groupsIn.length} groups but this optimizer has ${layout.groups.length}.`);
  }
  const slots: { dtype: Dtype; length: number; group: number }[] = [];
  const groups = layout.groups.map((g, gi) => {
    const path = `paramGroups[${gi}]`;
    const input: unknown = groupsIn[gi];
    if (!isRecord(input)) throw typeError(path, "an object { params, ...options }", input);
    const { params, ...options } = input;
    if (!Array.isArray(params)) throw typeError(`${path}.params`, "an array of parameter ids", params);
    if (params.length !== g.params.length) {
      throw mismatch(`${path}.params has ${params.length} parameters but group ${gi} of this optimizer has ${g.params.length}.`);
    }
    params.forEach((id: unknown, i) => {
      const expected = slots.length + i;
      if (wholeNumber(`${path}.params[${i}]`, id) !== expected) {
        throw mismatch(`${path}.params[${i}] is ${String(id)} but must be ${expected}: parameters are numbered in order across groups.`);
      }
    });
    for (const p of g.params) slots.push({ ...p, group: gi });
    checkKeys(`${where}: ${path}`, options, layout.optionNames);
    const missing = layout.optionNames.find((name) => !(name in options));
    if (missing !== undefined) throw mismatch(`${path} has no value for the option "${missing}".`);
    return { options: layout.validate(`${where}: ${path}`, options as O), scalars: null as Record<string, number> | null };
  });

  // Per-parameter info: dtypes and lengths must be this optimizer's own.
  const info = dict["parameters"];
  if (!Array.isArray(info)) throw typeError("parameters", "an array of { dtype, length }", info);
  if (info.length !== slots.length) throw mismatch(`parameters describes ${info.length} parameters but this optimizer has ${slots.length}.`);
  const negativeZeros = slots.map((slot, id) => {
    const path = `parameters[${id}]`;
    const p: unknown = info[id];
    if (!isRecord(p)) throw typeError(path, "an object { dtype, length }", p);
    checkKeys(`${where}: ${path}`, p, ["dtype", "length", "negativeZeros"]);
    if (p["dtype"] !== "f32" && p["dtype"] !== "f64") throw typeError(`${path}.dtype`, `"f32" or "f64"`, p["dtype"]);
    if (p["dtype"] !== slot.dtype) throw mismatch(`${path}.dtype is "${p["dtype"]}" but parameter ${id} of this optimizer is ${slot.dtype}.`);
    const length = wholeNumber(`${path}.length`, p["length"]);
    if (length !== slot.length) throw mismatch(`${path}.length is ${length} but parameter ${id} of this optimizer has ${slot.length} elements.`);
    const zeros = p["negativeZeros"];
    if (zeros === undefined) return {};
    if (!isRecord(zeros)) throw typeError(`${path}.negativeZeros`, "an object of index arrays", zeros);
    for (const [name, indices] of Object.entries(zeros)) {
      if (!layout.stateNames.includes(name)) throw mismatch(`${path}.negativeZeros.${name}: ${layout.name} keeps no state "${name}".`);
      if (!Array.isArray(indices)) throw typeError(`${path}.negativeZeros.${name}`, "an array of indices", indices);
      if (indices.length > slot.length) throw mismatch(`${path}.negativeZeros.${name} lists ${indices.length} indices for ${slot.length} elements.`);
      indices.forEach((index: unknown, i) => {
        if (wholeNumber(`${path}.negativeZeros.${name}[${i}]`, index) >= slot.length) {
          throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}.negativeZeros.${name}[${i}] must be below ${slot.length}; got ${String(index)}.`);
        }
      });
    }
    return zeros as Record<string, number[]>;
  });

  // State entries: step and group scalars consistent, buffers of the right length, finite values.
  const stateIn = dict["state"];
  if (!isRecord(stateIn)) throw typeError("state", "an object keyed by parameter id", stateIn);
  const params: ((FloatArray | null)[] | null)[] = slots.map(() => null);
  for (const [key, entry] of Object.entries(stateIn)) {
    const path = `state[${JSON.stringify(key)}]`;
    const id = /^(0|[1-9]\d*)$/.test(key) ? Number(key) : -1;
    const slot = slots[id];
    if (slot === undefined) throw mismatch(`${path} is the state of no parameter: ids run from 0 to ${slots.length - 1}.`);
    if (!isRecord(entry)) throw typeError(path, "an object", entry);
    const group = groups[slot.group]!;
    const scalarNames = layout.groups[slot.group]!.scalarNames;
    const allowed = [...(layout.stepInState ? ["step"] : []), ...scalarNames, ...layout.stateNames];
    const unknown = Object.keys(entry).find((k) => !allowed.includes(k));
    if (unknown !== undefined) {
      throw mismatch(`${path} has "${unknown}", which ${layout.name} does not keep; its state is ${allowed.join(", ")}.`);
    }
    if (layout.stepInState) {
      if (!("step" in entry)) throw mismatch(`${path} has no step.`);
      const step = wholeNumber(`${path}.step`, entry["step"]);
      if (step !== steps) throw mismatch(`${path}.step is ${step} but steps is ${steps}; downhill steps all parameters together.`);
    }
    const scalars: Record<string, number> = {};
    for (const name of scalarNames) {
      const value = entry[name];
      if (typeof value !== "number") throw typeError(`${path}.${name}`, "a finite number", value);
      if (!Number.isFinite(value)) throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}.${name} must be a finite number; got ${value}.`);
      const range = SCALAR_RANGES[name];
      if (range !== undefined && !(value >= range.min && value < range.max)) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}.${name} must be ${range.text} (no run of ${layout.name} gives another value); got ${value}.`);
      }
      const seen = group.scalars?.[name];
      if (seen !== undefined && !Object.is(seen, value)) {
        throw mismatch(`${path}.${name} is ${value} but another parameter of group ${slot.group} has ${seen}; the group shares one value.`);
      }
      scalars[name] = value;
    }
    group.scalars = scalars;
    const buffers = layout.stateNames.map((name) => {
      if (!(name in entry)) return null;
      return readBuffer(`${path}.${name}`, entry[name], slot, negativeZeros[id]![name]);
    });
    params[id] = buffers.some((b) => b !== null) ? buffers : null;
  }

  layout.groups.forEach((_, g) => {
    const ids = slots.flatMap((slot, id) => (slot.group === g ? [id] : []));
    const without = ids.find((id) => params[id] === null);
    const withState = ids.find((id) => params[id] !== null);
    if (without !== undefined && withState !== undefined) {
      throw mismatch(`state["${withState}"] exists but state["${without}"] does not; the parameters of a group get their state together.`);
    }
    // Optimizers that count steps in their state create it for every parameter at the
    // first step: steps > 0 without it is no state stateDict() writes (and would resume
    // with moments at zero but bias corrections of a later step).
    if (layout.stepInState && steps > 0 && without !== undefined) {
      throw mismatch(`steps is ${steps} but state["${without}"] is missing; after a step ${layout.name} keeps state for every parameter.`);
    }
  });
  negativeZeros.forEach((zeros, id) => {
    const name = Object.keys(zeros).find((n) => params[id]?.[layout.stateNames.indexOf(n)] == null);
    if (name !== undefined) throw mismatch(`parameters[${id}].negativeZeros lists "${name}", but state["${id}"] has no ${name}.`);
  });

  function readBuffer(path: string, values: unknown, slot: { dtype: Dtype; length: number }, zeros: readonly number[] | undefined): FloatArray {
    if (!Array.isArray(values)) throw typeError(path, `an array of ${slot.length} numbers`, values);
    if (values.length !== slot.length) throw mismatch(`${path} has ${values.length} values but the parameter has ${slot.length}.`);
    const out = slot.dtype === "f32" ? new Float32Array(slot.length) : new Float64Array(slot.length);
    const nonNegative = NON_NEGATIVE.has(path.slice(path.lastIndexOf(".") + 1));
    for (let i = 0; i < out.length; i++) {
      const v: unknown = values[i];
      if (typeof v !== "number") throw typeError(`${path}[${i}]`, "a finite number", v);
      if (!Number.isFinite(v)) throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}[${i}] must be a finite number; got ${v}.`);
      if (v < 0 && nonNegative) throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}[${i}] is ${v}, but ${path.slice(path.lastIndexOf(".") + 1)} is never negative (an average of squares or a maximum of magnitudes).`);
      if (slot.dtype === "f32" && Math.fround(v) !== v) {
        throw new DownhillRangeError("INVALID_ARGUMENT", `${where}: ${path}[${i}] is ${v}, which is not an f32 value; an f32 state holds exactly the numbers stateDict() wrote.`);
      }
      out[i] = v;
    }
    for (const i of zeros ?? []) {
      if (out[i] !== 0) throw mismatch(`${path}[${i}] is listed in negativeZeros but is ${out[i]}.`);
      out[i] = -0;
    }
    return out;
  }

  return { steps, groups, params };
}
