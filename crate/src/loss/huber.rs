//! Huber loss (torch.nn.HuberLoss, reduction "mean"): with z = |ŷ − y|,
//! `0.5·z·z` if z < δ else `δ·(z − 0.5·δ)`, averaged; the backward is torch's
//! `huber_loss_backward`: `−δ·norm` if x < −δ, `δ·norm` if x > δ, else `norm·x`, with
//! x = ŷ − y and norm = 1 / N rounded to the dtype.

use crate::float::Float;
use crate::loss::sum::lane_sum;

/// Mean Huber loss with threshold `delta` (> 0); the gradient w.r.t. `pred` goes to `grad`.
pub fn huber<T: Float>(pred: &[T], target: &[T], delta: T, grad: &mut [T]) -> T {
    let n = pred.len();
    huber_partial(pred, target, delta, n, grad) / T::from_f64(n as f64)
}

/// These rows' share of the mean Huber loss over `total` rows: the sum of the terms, not
/// divided, with the gradient of the mean over `total` rows (norm = 1 / total).
pub fn huber_partial<T: Float>(pred: &[T], target: &[T], delta: T, total: usize, grad: &mut [T]) -> T {
    let gradient = huber_gradient(delta, total);
    lane_sum(pred.len(), |i| {
        grad[i] = gradient(pred[i], target[i]);
        huber_term(pred[i] - target[i], delta)
    })
}

/// `huber_partial`'s sum from each row's error `ŷ − y` alone, in the same order, without
/// the gradient (crate/src/model/affine.rs `narrow_errors` computes it with the errors).
pub(crate) fn huber_of_errors<T: Float>(errors: &[T], delta: T) -> T {
    lane_sum(errors.len(), |i| huber_term(errors[i], delta))
}

/// One row's Huber loss from its error `ŷ − y`: quadratic below `delta` in magnitude,
/// linear above (torch.nn.HuberLoss).
#[inline(always)]
fn huber_term<T: Float>(error: T, delta: T) -> T {
    let half = T::from_f64(0.5);
    let z = error.abs();
    if z < delta {
        half * z * z
    } else {
        delta * (z - half * delta)
    }
}

/// `huber_partial`'s gradient of one row (torch's `huber_loss_backward` with norm =
/// 1 / total), for a model kernel that computes it in the row's forward pass
/// (crate/src/model/affine.rs); the TS twin writes the expression out where it is used.
pub(crate) fn huber_gradient<T: Float>(delta: T, total: usize) -> impl Fn(T, T) -> T {
    let norm = crate::opaque(T::from_f64(1.0 / total as f64));
    move |pred, target| {
        let x = pred - target;
        if x < -delta {
            -delta * norm
        } else if x > delta {
            delta * norm
        } else {
            norm * x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let mut grad = [0.0f64; 4];
        // x = 0.5 (quadratic), −3 (linear), 2 = δ (linear), 0.
        let value = huber(&[0.5, -3.0, 2.0, 1.0], &[0.0, 0.0, 0.0, 1.0], 2.0, &mut grad);
        assert_eq!(value, (0.125 + 2.0 * (3.0 - 1.0) + 2.0 * (2.0 - 1.0)) / 4.0);
        assert_eq!(grad, [0.125, -0.5, 0.5, 0.0]);
        let mut g32 = [0.0f32; 1];
        assert_eq!(huber(&[4.0f32], &[0.0], 1.0, &mut g32), 3.5);
        assert_eq!(g32, [1.0]);
    }

    #[test]
    fn partial_is_a_share_of_the_mean_over_total_rows() {
        let mut grad = [0.0f64; 2];
        let sum = huber_partial(&[0.5, -3.0], &[0.0, 0.0], 2.0, 8, &mut grad);
        assert_eq!(sum, 0.125 + 2.0 * (3.0 - 1.0));
        assert_eq!(grad, [0.0625, -0.25]);
    }
}
