/**
 * The errors downhill throws. Every one carries a `code` and is `instanceof DownhillError`;
 * wrong types are also `instanceof TypeError`, out-of-range values `instanceof RangeError`.
 */

/** Why an operation was refused. */
export type ErrorCode =
  | "INVALID_ARGUMENT"
  | "SHAPE_MISMATCH"
  | "DISPOSED"
  | "BUSY"
  | "NOT_FITTED"
  | "STATE_MISMATCH"
  | "OUT_OF_MEMORY"
  | "DIVERGED"
  | "WASM_FAULT"
  | "WORKER_FAILED";

const brand = Symbol.for("downhill.error");

function mark(error: Error, code: ErrorCode, name: string): void {
  Object.defineProperty(error, brand, { value: true });
  Object.defineProperty(error, "name", { value: name, configurable: true, writable: true });
  Object.defineProperty(error, "code", { value: code, enumerable: true });
}

/**
 * Base of all downhill errors. `instanceof DownhillError` also holds for
 * {@link DownhillTypeError} and {@link DownhillRangeError}, which extend the built-in
 * TypeError and RangeError.
 */
export class DownhillError extends Error {
  /** What went wrong, for programs (see {@link ErrorCode}); the message is for people. */
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    mark(this, code, "DownhillError");
  }
  /** True for every error downhill throws, including its TypeError and RangeError subclasses. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}

/** A value of the wrong type: a string where a number belongs, an unknown option. */
export class DownhillTypeError extends TypeError {
  /** What went wrong, for programs (see {@link ErrorCode}). */
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    mark(this, code, "DownhillTypeError");
  }
}

/** A value of the right type outside what is allowed: a negative learning rate. */
export class DownhillRangeError extends RangeError {
  /** What went wrong, for programs (see {@link ErrorCode}). */
  declare readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    mark(this, code, "DownhillRangeError");
  }
}

/** Formats a value for an error message: strings quoted, objects named by kind. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n (a BigInt)`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length ?? value.byteLength}`;
  if (typeof value === "function") return "a function";
  return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
}

/** Refuses `new Base(…)` of an abstract class called from JavaScript, which TypeScript alone cannot prevent. */
export function abstractClass(name: string, instead: string): never {
  throw new DownhillTypeError("INVALID_ARGUMENT", `${name} is an abstract base class and cannot be constructed; create ${instead} instead.`);
}

/** The error for any use of an object after `dispose()`. */
export function disposedError(what: string): DownhillError {
  return new DownhillError("DISPOSED", `This ${what} has been disposed; create a new one instead of using it after dispose().`);
}
