//! Squared-error losses: the residual `d = y − ŷ`, the residual sum of squares and the
//! mean squared error (torch.nn.MSELoss, reduction "mean"; its backward
//! `mse_loss_backward` computes `norm · (ŷ − y)` with `norm = 2 / N` rounded to the dtype).

use crate::float::Float;
use crate::reduce::LANES;

/// `out_i = y_i − ŷ_i`.
pub fn residual<T: Float>(pred: &[T], target: &[T], out: &mut [T]) {
    for i in 0..pred.len() {
        out[i] = target[i] - pred[i];
    }
}

/// `Σ (y − ŷ)²` (torch.nn.MSELoss, reduction "sum"); `grad_i = 2 · (ŷ_i − y_i)`.
pub fn rss<T: Float>(pred: &[T], target: &[T], grad: &mut [T]) -> T {
    squared_errors(pred, target, scaled_error(T::ONE + T::ONE), grad)
}

/// `Σ (y − ŷ)² / N` (torch.nn.MSELoss); `grad_i = (2 / N) · (ŷ_i − y_i)`. NaN when N = 0, as torch.
pub fn mse<T: Float>(pred: &[T], target: &[T], grad: &mut [T]) -> T {
    let n = pred.len();
    mse_partial(pred, target, n, grad) / T::from_f64(n as f64)
}

/// These rows' share of the mean squared error over `total` rows (data-parallel fits):
/// `Σ (y − ŷ)²`, not divided, and `grad_i = (2 / total) · (ŷ_i − y_i)`, the same terms
/// as `mse` over all `total` rows.
pub fn mse_partial<T: Float>(pred: &[T], target: &[T], total: usize, grad: &mut [T]) -> T {
    squared_errors(pred, target, mse_gradient(total), grad)
}

/// `mse_partial`'s gradient of one row, `(ŷ, y) ↦ (2 / total) · (ŷ − y)`, for a model kernel
/// that computes it in the row's forward pass (crate/src/model/affine.rs); the TS twin
/// writes the expression out where it is used.
pub(crate) fn mse_gradient<T: Float>(total: usize) -> impl Fn(T, T) -> T {
    scaled_error(mse_scale(total))
}

/// `mse_gradient`'s factor `2 / total` in T, read back from memory (`crate::opaque`) so
/// that V8 keeps the division out of the row loops that multiply by it.
pub(crate) fn mse_scale<T: Float>(total: usize) -> T {
    crate::opaque(T::from_f64(2.0 / total as f64))
}

/// `(ŷ, y) ↦ scale · (ŷ − y)`: `mse_gradient` for the factor `mse_scale(total)`.
pub(crate) fn scaled_error<T: Float>(scale: T) -> impl Fn(T, T) -> T {
    move |pred, target| scale * (pred - target)
}

/// `Σ (y − ŷ)²` summed in crate/src/loss/sum.rs's order, with `grad_i = gradient(ŷ_i, y_i)`:
/// `lane_sum(n, |i| …)` written out over whole chunks, so that the compiler drops the
/// bounds checks and vectorizes (the same bits).
fn squared_errors<T: Float>(pred: &[T], target: &[T], gradient: impl Fn(T, T) -> T, grad: &mut [T]) -> T {
    let n = pred.len();
    let (target, grad) = (&target[..n], &mut grad[..n]);
    let whole = n - n % LANES;
    let mut acc = [T::ZERO; LANES];
    for ((p, t), g) in pred.chunks_exact(LANES).zip(target.chunks_exact(LANES)).zip(grad.chunks_exact_mut(LANES)) {
        for j in 0..LANES {
            let d = t[j] - p[j];
            g[j] = gradient(p[j], t[j]);
            acc[j] = acc[j] + d * d;
        }
    }
    let mut total = lanes_total(&acc);
    for i in whole..n {
        let d = target[i] - pred[i];
        grad[i] = gradient(pred[i], target[i]);
        total = total + d * d;
    }
    total
}

/// lane_sum's combination of the 8 lanes. Out of line on purpose: inlined, LLVM vectorizes
/// this tree instead of the chunks' loop, packing lanes j and j + 4 into one vector that it
/// fills element by element.
#[inline(never)]
fn lanes_total<T: Float>(acc: &[T; LANES]) -> T {
    ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let pred = [1.0f64, 2.0, 4.0];
        let target = [0.0f64, 2.0, 1.0];
        let mut out = [0.0; 3];
        residual(&pred, &target, &mut out);
        assert_eq!(out, [-1.0, 0.0, -3.0]);
        let mut grad = [0.0; 3];
        assert_eq!(rss(&pred, &target, &mut grad), 10.0);
        assert_eq!(grad, [2.0, 0.0, 6.0]);
        assert_eq!(mse(&pred, &target, &mut grad), 10.0 / 3.0);
        assert_eq!(grad, [2.0 / 3.0, 0.0, 2.0]);
        let mut g32 = [0.0f32; 2];
        assert_eq!(mse(&[3.0f32, -1.0], &[1.0, 1.0], &mut g32), 4.0);
        assert_eq!(g32, [2.0, -2.0]);
        assert!(mse::<f64>(&[], &[], &mut []).is_nan());
    }

    #[test]
    fn sums_in_lane_sum_order() {
        use crate::loss::sum::lane_sum;
        for n in [0usize, 1, 7, 8, 9, 17, 1023] {
            // Squares of very different sizes, so that the order of the additions shows in the bits.
            let pred: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1013) as f32 * [3.1, -0.2, 0.05][i % 3]).collect();
            let target: Vec<f32> = (0..n).map(|i| (i % 5) as f32 * 0.37).collect();
            let (mut grad, mut expected_grad) = (vec![0.0f32; n], vec![0.0f32; n]);
            let norm = (2.0 / 3.0f64) as f32;
            let expected = lane_sum(n, |i| {
                let d = target[i] - pred[i];
                expected_grad[i] = norm * (pred[i] - target[i]);
                d * d
            });
            assert_eq!(mse_partial(&pred, &target, 3, &mut grad).to_bits(), expected.to_bits(), "n = {}", n);
            assert_eq!(grad, expected_grad);
        }
    }

    #[test]
    fn partial_is_a_share_of_the_mean_over_total_rows() {
        let mut grad = [0.0f64; 3];
        assert_eq!(mse_partial(&[1.0, 2.0, 4.0], &[0.0, 2.0, 1.0], 8, &mut grad), 10.0);
        assert_eq!(grad, [0.25, 0.0, 0.75]);
    }
}
