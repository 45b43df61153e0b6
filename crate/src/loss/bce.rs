//! Binary cross-entropy from logits (torch.nn.BCEWithLogitsLoss, reduction "mean"), in the
//! numerically stable form `max(x, 0) − x·y + log1p(exp(−|x|))`, finite for any finite
//! logit; the gradient is torch's `(sigmoid(x) − y) · (1 / N)`. exp and log1p are
//! crate/src/math.rs's (computed in f64, rounded to the dtype), so both backends agree.

use crate::float::Float;
use crate::loss::sum::lane_sum;
use crate::math;

/// Mean binary cross-entropy of `logits` against `target` (each in [0, 1]).
pub fn bce_with_logits<T: Float>(logits: &[T], target: &[T], grad: &mut [T]) -> T {
    let n = logits.len();
    bce_with_logits_partial(logits, target, n, grad) / T::from_f64(n as f64)
}

/// These rows' share of the mean binary cross-entropy over `total` rows: the sum of the
/// terms, not divided, with `grad_i = (sigmoid(x_i) − y_i) · (1 / total)`.
pub fn bce_with_logits_partial<T: Float>(logits: &[T], target: &[T], total: usize, grad: &mut [T]) -> T {
    let norm = T::from_f64(1.0 / total as f64);
    lane_sum(logits.len(), |i| {
        let x = logits[i];
        let y = target[i];
        let e = T::from_f64(math::exp((-x.abs()).to_f64()));
        // sigmoid(x) from e = exp(−|x|), without overflow on either side.
        let sigmoid = if x >= T::ZERO { T::ONE / (T::ONE + e) } else { e / (T::ONE + e) };
        grad[i] = (sigmoid - y) * norm;
        let positive = if x > T::ZERO { x } else { T::ZERO };
        positive - x * y + T::from_f64(math::log1p(e.to_f64()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        let mut grad = [0.0f64; 2];
        // At x = 0 the loss is ln 2 whatever y, and sigmoid(0) = 1/2.
        let value = bce_with_logits(&[0.0, 0.0], &[1.0, 0.25], &mut grad);
        assert_eq!(value, core::f64::consts::LN_2);
        assert_eq!(grad, [-0.25, 0.125]);
        let sum = bce_with_logits_partial(&[0.0, 0.0], &[1.0, 0.25], 4, &mut grad);
        assert_eq!(sum, 2.0 * core::f64::consts::LN_2);
        assert_eq!(grad, [-0.125, 0.0625]);
        let mut grad = [0.0f64; 1];
        let x = 1.5f64;
        let value = bce_with_logits(&[x], &[1.0], &mut grad);
        assert!((value - (1.0 + (-x).exp()).ln()).abs() < 1e-15);
        assert!((grad[0] - (1.0 / (1.0 + (-x).exp()) - 1.0)).abs() < 1e-15);
    }

    #[test]
    fn saturated_probabilities_stay_finite() {
        let mut grad = [0.0f32; 4];
        let value = bce_with_logits(&[1000.0f32, -1000.0, 1000.0, -1000.0], &[1.0, 0.0, 0.0, 1.0], &mut grad);
        assert_eq!(value, 500.0); // two exact predictions (0) and two wrong by 1000
        assert_eq!(grad, [0.0, 0.0, 0.25, -0.25]);
        let mut grad = [0.0f64; 2];
        assert_eq!(bce_with_logits(&[1000.0f64, -1000.0], &[1.0, 0.0], &mut grad), 0.0);
    }
}
