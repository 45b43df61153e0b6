/**
 * Initializers: torch.nn.init's, seeded. Each factory validates its options once and
 * returns an Initializer that creates new arrays or overwrites a typed array or a
 * Parameter's values. Bounds and standard deviations are computed as torch.nn.init does
 * (same formulas, same operation order, in f64); values are drawn in f64 by a
 * {@link Random} and rounded once to the target's dtype.
 *
 * A random initializer owns one stream: successive create/fill calls continue it, so two
 * weights filled by one initializer differ. Give `seed` a Random to share a stream with
 * other draws, or the same integer seed again to repeat values.
 */
import type { ArrayOf, Dtype, FloatArray } from "./dtype.ts";
import { isDetached, isFloatArray } from "./dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "./errors.ts";
import { checkKeys, checkNumber } from "./options.ts";
import { Parameter } from "./parameter.ts";
import { NORMAL_REACH, Random, checkNormal, checkUniform, toRandom } from "./random.ts";

/** Options of {@link Initializer.create}. */
export interface CreateOptions<D extends Dtype = Dtype> {
  /** Default "f32" (PyTorch's default dtype). */
  dtype?: D;
}

/** A seeded recipe for initial values (torch.nn.init's), made by {@link normal}, {@link heNormal}, …. */
export interface Initializer {
  /** What it draws, e.g. `normal(mean=0, std=0.02)`. */
  readonly description: string;
  /** `length` new values, a Float32Array unless `dtype: "f64"`. */
  create(length: number): Float32Array;
  /** `length` new values of `options.dtype`. */
  create<D extends Dtype>(length: number, options: CreateOptions<D> & { dtype: D }): ArrayOf<D>;
  /** `length` new values, a Float32Array unless `dtype: "f64"`. */
  create(length: number, options?: CreateOptions): FloatArray;
  /** Overwrites every element of a Float32Array, a Float64Array or a Parameter's values; returns `target`. */
  fill<T extends FloatArray | Parameter>(target: T): T;
}

/** A seed: an integer in [0, 2³² − 1], or a Random whose stream is continued. */
export type Seed = number | Random;

/** Random initializers need an options object (for the seed at least). */
function checkOptions(name: string, options: unknown, allowed: readonly string[]): void {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name}(options) takes an options object with at least a seed; got ${describe(options)}.`);
  }
  checkKeys(`${name} options`, options, allowed);
}

/** The largest array create() makes: 4 GiB, as the largest WebAssembly memory and buffer of the ts backend. */
const MAX_CREATE_BYTES = 2 ** 32;

/**
 * `limit` is the largest |value| `write` can produce: a Float32Array target is refused
 * (before anything is drawn or written) when it would overflow f32.
 */
function makeInitializer(description: string, write: (target: FloatArray) => void, limit = 0): Initializer {
  const checkF32 = (what: string): void => {
    if (!Number.isFinite(Math.fround(limit))) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${description}.${what}: values up to ±${limit} overflow f32 (largest ≈ 3.4e38); use dtype "f64" or a Float64Array.`);
    }
  };
  const create = (length: unknown, options: CreateOptions = {}): FloatArray => {
    checkKeys(`${description}.create options`, options, ["dtype"]);
    if (typeof length !== "number" || !Number.isSafeInteger(length) || length < 0) {
      const E = typeof length === "number" ? DownhillRangeError : DownhillTypeError;
      throw new E("INVALID_ARGUMENT", `${description}.create(length): length must be a whole number >= 0; got ${describe(length)}.`);
    }
    const dtype = options.dtype ?? "f32";
    if (dtype !== "f32" && dtype !== "f64") {
      throw new DownhillTypeError("INVALID_ARGUMENT", `${description}.create options.dtype must be "f32" or "f64"; got ${describe(dtype)}.`);
    }
    if (dtype === "f32") checkF32("create(length)");
    if (length * (dtype === "f32" ? 4 : 8) > MAX_CREATE_BYTES) {
      throw new DownhillRangeError("OUT_OF_MEMORY", `${description}.create(length): ${length} ${dtype} values would take more than 4 GiB; create smaller arrays.`);
    }
    const out = dtype === "f32" ? new Float32Array(length) : new Float64Array(length);
    write(out);
    return out;
  };
  const fill = <T extends FloatArray | Parameter>(target: T): T => {
    if (target instanceof Parameter) {
      if (target.dtype === "f32") checkF32("fill(target)");
      write(target.data);
    } else if (isFloatArray(target) && !isDetached(target.buffer)) {
      if (target instanceof Float32Array) checkF32("fill(target)");
      write(target);
    }
    else if (isFloatArray(target)) throw new DownhillTypeError("INVALID_ARGUMENT", `${description}.fill(target) is a ${target.constructor.name} whose ArrayBuffer is detached (transferred); pass a live array.`);
    else throw new DownhillTypeError("INVALID_ARGUMENT", `${description}.fill(target) takes a Float32Array, a Float64Array or a Parameter; got ${describe(target)}.`);
    return target;
  };
  return Object.freeze({ description, create: create as Initializer["create"], fill });
}

/** All zeros (torch.nn.init.zeros_). */
export function zeros(): Initializer {
  return makeInitializer("zeros()", (t) => t.fill(0));
}

/** Every element `value` (torch.nn.init.constant_). */
export function constant(value: number): Initializer {
  const v = checkNumber("constant(value)", value);
  return makeInitializer(`constant(${v})`, (t) => t.fill(v), Math.abs(v));
}

/** Options of {@link normal}. */
export interface NormalInitOptions {
  /** Default 0. */
  mean?: number;
  /** Default 1 (torch.nn.init.normal_); must be >= 0. */
  std?: number;
  /** The seed (an integer in [0, 2³² − 1]) or a Random to draw from. Required. */
  seed: Seed;
}

/** Draws from N(mean, std²) (torch.nn.init.normal_). */
export function normal(options: NormalInitOptions): Initializer {
  checkOptions("normal", options, ["mean", "std", "seed"]);
  const mean = checkNumber("normal options.mean", options.mean ?? 0);
  const std = checkNumber("normal options.std", options.std ?? 1, { min: 0 });
  checkNormal("normal options", mean, std);
  const random = toRandom(options.seed, "normal options.seed");
  return makeInitializer(`normal(mean=${mean}, std=${std})`, (t) => random.fillNormal(t, mean, std), Math.abs(mean) + NORMAL_REACH * std);
}

/** Options of {@link uniform}. */
export interface UniformInitOptions {
  /** Default 0. */
  low?: number;
  /** Default 1 (torch.nn.init.uniform_); must be >= low. */
  high?: number;
  /** The seed (an integer in [0, 2³² − 1]) or a Random to draw from. Required. */
  seed: Seed;
}

/** Draws from U[low, high) (torch.nn.init.uniform_). */
export function uniform(options: UniformInitOptions): Initializer {
  checkOptions("uniform", options, ["low", "high", "seed"]);
  const low = checkNumber("uniform options.low", options.low ?? 0);
  const high = checkNumber("uniform options.high", options.high ?? 1, { min: low });
  checkUniform("uniform options", low, high);
  const random = toRandom(options.seed, "uniform options.seed");
  return makeInitializer(`uniform(low=${low}, high=${high})`, (t) => random.fillUniform(t, low, high), Math.max(Math.abs(low), Math.abs(high)));
}

/** Nonlinearities of torch.nn.init.calculate_gain, camelCased. */
export type Nonlinearity =
  | "linear"
  | "conv1d"
  | "conv2d"
  | "conv3d"
  | "convTranspose1d"
  | "convTranspose2d"
  | "convTranspose3d"
  | "sigmoid"
  | "tanh"
  | "relu"
  | "leakyRelu"
  | "selu";

const NONLINEARITIES: readonly Nonlinearity[] = ["linear", "conv1d", "conv2d", "conv3d", "convTranspose1d", "convTranspose2d", "convTranspose3d", "sigmoid", "tanh", "relu", "leakyRelu", "selu"];

/**
 * The recommended gain for a nonlinearity (torch.nn.init.calculate_gain): 1 for linear,
 * convolutions and sigmoid, 5/3 for tanh, √2 for relu, √(2 / (1 + slope²)) for leakyRelu
 * (slope `param`, default 0.01), 3/4 for selu.
 */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  if (!NONLINEARITIES.includes(nonlinearity)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `calculateGain(nonlinearity) must be one of ${NONLINEARITIES.join(", ")}; got ${describe(nonlinearity)}.`);
  }
  if (nonlinearity === "leakyRelu") {
    const slope = param === undefined ? 0.01 : checkNumber("calculateGain(param)", param);
    return Math.sqrt(2.0 / (1 + slope * slope));
  }
  if (param !== undefined) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `calculateGain(param) is only used with "leakyRelu"; got ${describe(param)} for ${JSON.stringify(nonlinearity)}.`);
  }
  switch (nonlinearity) {
    case "tanh":
      return 5.0 / 3;
    case "relu":
      return Math.sqrt(2.0);
    case "selu":
      return 3.0 / 4;
    default:
      return 1;
  }
}

function checkFan(argument: string, value: unknown): number {
  if (typeof value !== "number") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a whole number >= 1; got ${describe(value)}.`);
  }
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a whole number >= 1; got ${value}.`);
  }
  return value;
}

/** Options of {@link xavierUniform} and {@link xavierNormal}. */
export interface XavierOptions {
  /** Inputs per output unit (a Linear layer's in_features). */
  fanIn: number;
  /** Outputs per input unit (a Linear layer's out_features). */
  fanOut: number;
  /** Default 1. */
  gain?: number;
  /** The seed (an integer in [0, 2³² − 1]) or a Random to draw from. Required. */
  seed: Seed;
}

function xavierStd(name: string, options: XavierOptions): { std: number; random: Random } {
  checkOptions(name, options, ["fanIn", "fanOut", "gain", "seed"]);
  const fanIn = checkFan(`${name} options.fanIn`, options.fanIn);
  const fanOut = checkFan(`${name} options.fanOut`, options.fanOut);
  const gain = checkNumber(`${name} options.gain`, options.gain ?? 1, { min: 0 });
  const random = toRandom(options.seed, `${name} options.seed`);
  return { std: gain * Math.sqrt(2.0 / (fanIn + fanOut)), random };
}

/** Glorot & Bengio (2010): U[−a, a) with a = gain·√(6 / (fanIn + fanOut)) (torch.nn.init.xavier_uniform_). */
export function xavierUniform(options: XavierOptions): Initializer {
  const { std, random } = xavierStd("xavierUniform", options);
  const a = Math.sqrt(3.0) * std;
  checkUniform("xavierUniform options", -a, a);
  return makeInitializer(`xavierUniform(bound=${a})`, (t) => random.fillUniform(t, -a, a), a);
}

/** Glorot & Bengio (2010): N(0, std²) with std = gain·√(2 / (fanIn + fanOut)) (torch.nn.init.xavier_normal_). */
export function xavierNormal(options: XavierOptions): Initializer {
  const { std, random } = xavierStd("xavierNormal", options);
  checkNormal("xavierNormal options", 0, std);
  return makeInitializer(`xavierNormal(std=${std})`, (t) => random.fillNormal(t, 0, std), NORMAL_REACH * std);
}

/** Options of {@link heUniform} and {@link heNormal}: `fanIn` or `fanOut`, whichever `mode` uses. */
export interface HeOptions {
  /** Inputs per output unit (a Linear layer's in_features); needed with mode "fanIn". */
  fanIn?: number;
  /** Outputs per input unit (a Linear layer's out_features); needed with mode "fanOut". */
  fanOut?: number;
  /** Which fan scales the variance; default "fanIn" (preserves it in the forward pass). */
  mode?: "fanIn" | "fanOut";
  /** Default "leakyRelu" with `a` = 0, i.e. gain √2 as for relu (torch's defaults). */
  nonlinearity?: Nonlinearity;
  /** Negative slope of leakyRelu; default 0. */
  a?: number;
  /** The seed (an integer in [0, 2³² − 1]) or a Random to draw from. Required. */
  seed: Seed;
}

function heStd(name: string, options: HeOptions): { std: number; random: Random } {
  checkOptions(name, options, ["fanIn", "fanOut", "mode", "nonlinearity", "a", "seed"]);
  const mode = options.mode ?? "fanIn";
  if (mode !== "fanIn" && mode !== "fanOut") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.mode must be "fanIn" or "fanOut"; got ${describe(mode)}.`);
  }
  const fanIn = options.fanIn === undefined && mode === "fanOut" ? undefined : checkFan(`${name} options.fanIn`, options.fanIn);
  const fanOut = options.fanOut === undefined && mode === "fanIn" ? undefined : checkFan(`${name} options.fanOut`, options.fanOut);
  const a = checkNumber(`${name} options.a`, options.a ?? 0);
  const nonlinearity = options.nonlinearity ?? "leakyRelu";
  if (!NONLINEARITIES.includes(nonlinearity)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${name} options.nonlinearity must be one of ${NONLINEARITIES.join(", ")}; got ${describe(nonlinearity)}.`);
  }
  const random = toRandom(options.seed, `${name} options.seed`);
  const fan = (mode === "fanIn" ? fanIn : fanOut)!;
  const gain = nonlinearity === "leakyRelu" ? calculateGain("leakyRelu", a) : calculateGain(nonlinearity);
  return { std: gain / Math.sqrt(fan), random };
}

/** He et al. (2015): U[−bound, bound) with bound = gain·√(3 / fan) (torch.nn.init.kaiming_uniform_). */
export function heUniform(options: HeOptions): Initializer {
  const { std, random } = heStd("heUniform", options);
  const bound = Math.sqrt(3.0) * std;
  checkUniform("heUniform options", -bound, bound);
  return makeInitializer(`heUniform(bound=${bound})`, (t) => random.fillUniform(t, -bound, bound), bound);
}

/** He et al. (2015): N(0, std²) with std = gain / √fan (torch.nn.init.kaiming_normal_). */
export function heNormal(options: HeOptions): Initializer {
  const { std, random } = heStd("heNormal", options);
  checkNormal("heNormal options", 0, std);
  return makeInitializer(`heNormal(std=${std})`, (t) => random.fillNormal(t, 0, std), NORMAL_REACH * std);
}
