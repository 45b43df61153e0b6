/** Element types: every buffer is f32 (Float32Array) or f64 (Float64Array). */
export type Dtype = "f32" | "f64";

/** The typed array that holds elements of a dtype. */
export type ArrayOf<D extends Dtype> = D extends "f32" ? Float32Array : Float64Array;

/** A typed array of either dtype. */
export type FloatArray = Float32Array | Float64Array;

export function dtypeOf(array: FloatArray): Dtype {
  return array instanceof Float32Array ? "f32" : "f64";
}

export function bytesPerElement(dtype: Dtype): 4 | 8 {
  return dtype === "f32" ? 4 : 8;
}

/** True when a buffer was transferred or detached (its views read as empty). */
export function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === "boolean") return flag;
  if (typeof SharedArrayBuffer !== "undefined" && buffer instanceof SharedArrayBuffer) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

export function isFloatArray(value: unknown): value is FloatArray {
  return value instanceof Float32Array || value instanceof Float64Array;
}
