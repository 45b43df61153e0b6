/**
 * Autograd's kernels on the wasm backend: crate/src/tensor/ through the dh_tensor_*
 * exports, on buffers in linear memory (one call per operation, nothing copied).
 */
import type { Storage, TensorKernels } from "../backend.ts";
import { loadAbi } from "./load.ts";

/** The kernels, given the backend's pointer lookup (which refuses buffers of the ts backend). */
export function wasmTensorKernels(pointer: (storage: Storage) => number): TensorKernels {
  const calls = () => loadAbi().tensor;
  return {
    unary: (op, p, x, out) => calls().unary(x.dtype, op, p, pointer(x), x.length, pointer(out)),
    unaryBackward: (op, p, x, y, g, grad) => calls().unaryBackward(x.dtype, op, p, pointer(x), pointer(y), pointer(g), x.length, pointer(grad)),
    binary: (op, a, av, b, bv, rows, cols, out) => calls().binary(a.dtype, op, pointer(a), a.length, av, pointer(b), b.length, bv, rows, cols, pointer(out)),
    binaryBackward: (op, side, g, a, av, b, bv, rows, cols, grad) =>
      calls().binaryBackward(a.dtype, op, side, pointer(g), pointer(a), a.length, av, pointer(b), b.length, bv, rows, cols, pointer(grad)),
    matmul: (a, av, b, bv, m, k, n, out) => calls().matmul(a.dtype, pointer(a), a.length, av, pointer(b), b.length, bv, m, k, n, pointer(out)),
    sum: (x, out) => calls().sum(x.dtype, pointer(x), x.length, pointer(out)),
    sumAxis: (x, rows, cols, axis, out) => calls().sumAxis(x.dtype, pointer(x), rows, cols, axis, pointer(out)),
    copy: (x, view, rows, cols, out) => calls().copy(x.dtype, pointer(x), x.length, view, rows, cols, pointer(out)),
    addStrided: (src, srcView, dst, dstView, rows, cols) => calls().addStrided(src.dtype, pointer(src), src.length, srcView, pointer(dst), dst.length, dstView, rows, cols),
  };
}
