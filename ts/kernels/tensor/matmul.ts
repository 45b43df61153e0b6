/**
 * TypeScript twin of crate/src/tensor/matmul.rs: `out ← out + A·B` (BLAS gemm with β = 1),
 * A and B read through views so that the backward products `∂A += ∂C·Bᵀ` and
 * `∂B += Aᵀ·∂C` need no transposed copy. Each dot product adds its k terms in index order
 * starting from zero and is then added to `out`, as in the crate.
 */
import type { View } from "./view.ts";

const fround = Math.fround;

/** `out[i·n + j] += Σ_p a[av(i, p)]·b[bv(p, j)]` for an `m × k` A and a `k × n` B. */
export function matmulF64(a: Float64Array, av: View, b: Float64Array, bv: View, m: number, k: number, n: number, out: Float64Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s = s + a[av.offset + i * av.rowStride + p * av.colStride]! * b[bv.offset + p * bv.rowStride + j * bv.colStride]!;
      }
      const o = i * n + j;
      out[o] = out[o]! + s;
    }
  }
}

export function matmulF32(a: Float32Array, av: View, b: Float32Array, bv: View, m: number, k: number, n: number, out: Float32Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        s = fround(s + fround(a[av.offset + i * av.rowStride + p * av.colStride]! * b[bv.offset + p * bv.rowStride + j * bv.colStride]!));
      }
      const o = i * n + j;
      out[o] = fround(out[o]! + s);
    }
  }
}
