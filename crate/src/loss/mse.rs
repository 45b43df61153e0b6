//! Squared-error losses: the residual `d = y − ŷ`, the residual sum of squares and the
//! mean squared error (torch.nn.MSELoss, reduction "mean"; its backward
//! `mse_loss_backward` computes `norm · (ŷ − y)` with `norm = 2 / N` rounded to the dtype).

use crate::float::Float;
use crate::loss::sum::lane_sum;

/// `out_i = y_i − ŷ_i`.
pub fn residual<T: Float>(pred: &[T], target: &[T], out: &mut [T]) {
    for i in 0..pred.len() {
        out[i] = target[i] - pred[i];
    }
}

/// `Σ (y − ŷ)²` (torch.nn.MSELoss, reduction "sum"); `grad_i = 2 · (ŷ_i − y_i)`.
pub fn rss<T: Float>(pred: &[T], target: &[T], grad: &mut [T]) -> T {
    let two = T::ONE + T::ONE;
    lane_sum(pred.len(), |i| {
        let d = target[i] - pred[i];
        grad[i] = two * (pred[i] - target[i]);
        d * d
    })
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
    let norm = T::from_f64(2.0 / total as f64);
    lane_sum(pred.len(), |i| {
        let d = target[i] - pred[i];
        grad[i] = norm * (pred[i] - target[i]);
        d * d
    })
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
    fn partial_is_a_share_of_the_mean_over_total_rows() {
        let mut grad = [0.0f64; 3];
        assert_eq!(mse_partial(&[1.0, 2.0, 4.0], &[0.0, 2.0, 1.0], 8, &mut grad), 10.0);
        assert_eq!(grad, [0.25, 0.0, 0.75]);
    }
}
