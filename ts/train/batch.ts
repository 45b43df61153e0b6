/**
 * The checks every BoundData.lossAndGradient makes of its batch `indices[start … end − 1]`
 * (the models' own and the data-parallel one), with the same messages everywhere.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";

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

/** The batch's indices, without making a view when it is the whole array (full-batch fits). */
export function batchIndices(indices: Uint32Array, start: number, end: number): Uint32Array {
  return start === 0 && end === indices.length ? indices : indices.subarray(start, end);
}
