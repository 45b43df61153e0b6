/**
 * TypeScript twin of crate/src/loss/mae.rs: mean absolute error (torch.nn.L1Loss,
 * reduction "mean", i.e. `(ŷ − y).abs().mean()`, whose backward is `sgn(ŷ − y) · (1 / N)`
 * with sgn(0) = 0). The f32 version rounds with Math.fround after every operation.
 */
import { sign } from "../float.ts";
import { laneSumF32, laneSumF64 } from "./sum.ts";

const fround = Math.fround;

/** `Σ |ŷ − y| / N`; `grad_i = sign(ŷ_i − y_i) / N`. NaN when N = 0, as torch. */
export function maeF64(pred: Float64Array, target: Float64Array, grad: Float64Array): number {
  return maePartialF64(pred, target, pred.length, grad) / pred.length;
}

export function maeF32(pred: Float32Array, target: Float32Array, grad: Float32Array): number {
  return fround(maePartialF32(pred, target, pred.length, grad) / fround(pred.length));
}

/**
 * These rows' share of the mean absolute error over `total` rows: `Σ |ŷ − y|`, not
 * divided, and `grad_i = sign(ŷ_i − y_i) / total`, the same terms as `mae` over all rows.
 */
export function maePartialF64(pred: Float64Array, target: Float64Array, total: number, grad: Float64Array): number {
  const n = total;
  return laneSumF64(pred.length, (i) => {
    const d = pred[i]! - target[i]!;
    grad[i] = sign(d) / n;
    return Math.abs(d);
  });
}

export function maePartialF32(pred: Float32Array, target: Float32Array, total: number, grad: Float32Array): number {
  const n = fround(total);
  return laneSumF32(pred.length, (i) => {
    const d = fround(pred[i]! - target[i]!);
    grad[i] = fround(sign(d) / n);
    return Math.abs(d);
  });
}
