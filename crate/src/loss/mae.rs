//! Mean absolute error (torch.nn.L1Loss, reduction "mean", i.e. `(ŷ − y).abs().mean()`,
//! whose backward is `sgn(ŷ − y) · (1 / N)` with sgn(0) = 0).

use crate::float::{sign, Float};
use crate::loss::sum::lane_sum;

/// `Σ |ŷ − y| / N`; `grad_i = sign(ŷ_i − y_i) / N`. NaN when N = 0, as torch.
pub fn mae<T: Float>(pred: &[T], target: &[T], grad: &mut [T]) -> T {
    mae_partial(pred, target, pred.len(), grad) / T::from_f64(pred.len() as f64)
}

/// These rows' share of the mean absolute error over `total` rows: `Σ |ŷ − y|`, not
/// divided, and `grad_i = sign(ŷ_i − y_i) / total`, the same terms as `mae` over all rows.
pub fn mae_partial<T: Float>(pred: &[T], target: &[T], total: usize, grad: &mut [T]) -> T {
    let gradient = mae_gradient(total);
    lane_sum(pred.len(), |i| {
        grad[i] = gradient(pred[i], target[i]);
        (pred[i] - target[i]).abs()
    })
}

/// `mae_partial`'s gradient of one row, `(ŷ, y) ↦ sign(ŷ − y) / total`, for a model kernel
/// that computes it in the row's forward pass (crate/src/model/affine.rs); the TS twin
/// writes the expression out where it is used.
pub(crate) fn mae_gradient<T: Float>(total: usize) -> impl Fn(T, T) -> T {
    let n = T::from_f64(total as f64);
    move |pred, target| sign(pred - target) / n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let mut grad = [9.0f64; 4];
        assert_eq!(mae(&[1.0, 2.0, 4.0, 0.5], &[0.0, 2.0, 5.0, 0.0], &mut grad), 2.5 / 4.0);
        assert_eq!(grad, [0.25, 0.0, -0.25, 0.25]);
        let mut g32 = [0.0f32; 1];
        assert_eq!(mae(&[-3.0f32], &[1.0], &mut g32), 4.0);
        assert_eq!(g32, [-1.0]);
    }

    #[test]
    fn partial_is_a_share_of_the_mean_over_total_rows() {
        let mut grad = [9.0f64; 3];
        assert_eq!(mae_partial(&[1.0, 2.0, 4.0], &[0.0, 2.0, 5.0], 4, &mut grad), 2.0);
        assert_eq!(grad, [0.25, 0.0, -0.25]);
    }
}
