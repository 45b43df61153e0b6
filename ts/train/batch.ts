/**
 * The checks every BoundData.lossAndGradient makes of its batch `indices[start … end − 1]`
 * (the models' own and the data-parallel one), with the same messages everywhere, and
 * those of BoundData.steps' whole epochs.
 */
import { isFloatArray } from "../dtype.ts";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import type { EpochsRun } from "./trainable.ts";

/** `indices` is a Uint32Array and `0 <= start < end <= indices.length`. */
export function checkBatchRange(indices: unknown, start: number, end: number): asserts indices is Uint32Array {
  if (!(indices instanceof Uint32Array)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `lossAndGradient(indices): indices must be a Uint32Array of row numbers; got ${describe(indices)}.`);
  }
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > indices.length || start >= end) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `lossAndGradient(indices, start, end): need 0 <= start < end <= indices.length (${indices.length}); got start ${describe(start)}, end ${describe(end)}.`);
  }
}

/** Every index of the batch is one of the `n` bound rows; names the first that is not. */
export function checkBatchRows(indices: Uint32Array, start: number, end: number, n: number): void {
  for (let i = start; i < end; i++) {
    if (indices[i]! >= n) throw new DownhillRangeError("INVALID_ARGUMENT", `lossAndGradient(indices): indices[${i}] = ${indices[i]} is not a row of the ${n} bound rows.`);
  }
}

/** A call `lossAndGradient()` without arguments: every row in order. */
export const isAllRowsCall = (indices: unknown, start: unknown, end: unknown): boolean => indices === undefined && start === undefined && end === undefined;

/**
 * The rows of a call `lossAndGradient(indices?, start?, end?)` of downhill's models,
 * checked: `indices[start … end − 1]`, or null without arguments (every row in order).
 */
export function batchRows(indices: Uint32Array | undefined, start: number | undefined, end: number | undefined, n: number): Uint32Array | null {
  if (isAllRowsCall(indices, start, end)) return null;
  checkBatchRange(indices, start!, end!);
  checkBatchRows(indices, start!, end!, n);
  return batchIndices(indices, start!, end!);
}

/** The batch's indices, without making a view when it is the whole array (full-batch fits). */
export function batchIndices(indices: Uint32Array, start: number, end: number): Uint32Array {
  return start === 0 && end === indices.length ? indices : indices.subarray(start, end);
}

/**
 * An EpochsRun of BoundData.steps: `count` whole epochs (at least one), the generator's
 * state is 4 words not all zero, the rule's values are numbers of the right kind, and
 * `best` has one array per parameter of `sizes`' lengths.
 */
export function checkEpochsRun(e: EpochsRun, sizes: readonly number[]): void {
  const fail = (what: string, value: unknown, allowed: string): never => {
    throw new DownhillRangeError("INVALID_ARGUMENT", `steps(run): run.epochs.${what} must be ${allowed}; got ${describe(value)}.`);
  };
  if (!Number.isSafeInteger(e.count) || e.count < 1) fail("count", e.count, "a whole number >= 1");
  if (e.rng !== null && (!(e.rng instanceof Uint32Array) || e.rng.length !== 4 || e.rng.every((w) => w === 0))) fail("rng", e.rng, "null or a Uint32Array of 4 words, not all zero");
  if (!(Number.isNaN(e.tol) || Number.isFinite(e.tol))) fail("tol", e.tol, "a finite number, or NaN for no rule");
  if (!Number.isSafeInteger(e.patience) || e.patience < 1 || e.patience > 4294967295) fail("patience", e.patience, "a whole number >= 1");
  if (!Number.isSafeInteger(e.bad) || e.bad < 0 || e.bad > 4294967295) fail("bad", e.bad, "a whole number >= 0");
  if (typeof e.bestLoss !== "number" || Number.isNaN(e.bestLoss)) fail("bestLoss", e.bestLoss, "a number (Infinity before any epoch)");
  if (!Array.isArray(e.best) || e.best.length !== sizes.length || e.best.some((b, i) => !isFloatArray(b) || b.length !== sizes[i])) {
    fail("best", e.best, `one float array per parameter, of lengths ${sizes.join(", ")}`);
  }
}
