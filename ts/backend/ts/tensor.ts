/** Autograd's kernels on the ts backend: the twins in ts/kernels/tensor/ on plain typed arrays. */
import { binaryBackwardF32, binaryBackwardF64, binaryF32, binaryF64, unaryBackwardF32, unaryBackwardF64, unaryF32, unaryF64 } from "../../kernels/tensor/elementwise.ts";
import { matmulF32, matmulF64 } from "../../kernels/tensor/matmul.ts";
import { sumAxisF32, sumAxisF64, sumF32, sumF64 } from "../../kernels/tensor/reduce.ts";
import { addStridedF32, addStridedF64, copy } from "../../kernels/tensor/view.ts";
import type { Storage, TensorKernels } from "../backend.ts";

const f32 = (s: Storage) => s.array as Float32Array;
const f64 = (s: Storage) => s.array as Float64Array;

export const tsTensorKernels: TensorKernels = {
  unary(op, p, x, out) {
    if (x.dtype === "f32") unaryF32(op, p, f32(x), f32(out));
    else unaryF64(op, p, f64(x), f64(out));
  },
  unaryBackward(op, p, x, y, g, grad) {
    if (x.dtype === "f32") unaryBackwardF32(op, p, f32(x), f32(y), f32(g), f32(grad));
    else unaryBackwardF64(op, p, f64(x), f64(y), f64(g), f64(grad));
  },
  binary(op, a, av, b, bv, rows, cols, out) {
    if (a.dtype === "f32") binaryF32(op, f32(a), av, f32(b), bv, rows, cols, f32(out));
    else binaryF64(op, f64(a), av, f64(b), bv, rows, cols, f64(out));
  },
  binaryBackward(op, side, g, a, av, b, bv, rows, cols, grad) {
    if (a.dtype === "f32") binaryBackwardF32(op, side, f32(g), f32(a), av, f32(b), bv, rows, cols, f32(grad));
    else binaryBackwardF64(op, side, f64(g), f64(a), av, f64(b), bv, rows, cols, f64(grad));
  },
  matmul(a, av, b, bv, m, k, n, out) {
    if (a.dtype === "f32") matmulF32(f32(a), av, f32(b), bv, m, k, n, f32(out));
    else matmulF64(f64(a), av, f64(b), bv, m, k, n, f64(out));
  },
  sum(x, out) {
    out.array[0] = x.dtype === "f32" ? sumF32(f32(x)) : sumF64(f64(x));
  },
  sumAxis(x, rows, cols, axis, out) {
    if (x.dtype === "f32") sumAxisF32(f32(x), rows, cols, axis, f32(out));
    else sumAxisF64(f64(x), rows, cols, axis, f64(out));
  },
  copy(x, view, rows, cols, out) {
    copy(x.array, view, rows, cols, out.array);
  },
  addStrided(src, srcView, dst, dstView, rows, cols) {
    if (src.dtype === "f32") addStridedF32(f32(src), srcView, f32(dst), dstView, rows, cols);
    else addStridedF64(f64(src), srcView, f64(dst), dstView, rows, cols);
  },
};
