/**
 * TypeScript twin of crate/src/tensor/reduce.rs: sums of autograd tensors, the whole
 * tensor in ts/kernels/loss/sum.ts's lane order (that of ts/kernels/reduce.ts), or along
 * one axis of a `rows × cols` matrix: down the columns (axis 0) row by row from zero,
 * across each row (axis 1) in lane order.
 */
import { laneSumF32, laneSumF64 } from "../loss/sum.ts";

const fround = Math.fround;

/** `Σ x` in lane order. */
export function sumF64(x: Float64Array): number {
  return laneSumF64(x.length, (i) => x[i]!);
}

export function sumF32(x: Float32Array): number {
  return laneSumF32(x.length, (i) => x[i]!);
}

/** Axis 0: `out[c] = Σ_r x[r·cols + c]` (`cols` values); axis 1: `out[r] = sum(row r)` (`rows` values). */
export function sumAxisF64(x: Float64Array, rows: number, cols: number, axis: number, out: Float64Array): void {
  if (axis === 0) {
    out.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[c] = out[c]! + x[r * cols + c]!;
    }
  } else {
    for (let r = 0; r < rows; r++) out[r] = sumF64(x.subarray(r * cols, (r + 1) * cols));
  }
}

export function sumAxisF32(x: Float32Array, rows: number, cols: number, axis: number, out: Float32Array): void {
  if (axis === 0) {
    out.fill(0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out[c] = fround(out[c]! + x[r * cols + c]!);
    }
  } else {
    for (let r = 0; r < rows; r++) out[r] = sumF32(x.subarray(r * cols, (r + 1) * cols));
  }
}
