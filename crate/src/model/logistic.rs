//! Logistic regression: logits `z = x·w + b` against 0/1 labels with the mean binary
//! cross-entropy from logits of crate/src/loss/bce.rs (torch.nn.BCEWithLogitsLoss, the
//! log-loss of scikit-learn's LogisticRegression), plus optional L2/L1 weight penalties.

use crate::float::Float;
use crate::loss::bce::bce_with_logits_partial;
use crate::model::affine::{backward, forward, penalize, Batch};

/// Mean loss of the batch at weights `w` (d values) and bias `b` (1 value, or empty), plus
/// the penalties; overwrites `grad_w` and `grad_b` with its gradient. `scratch` holds at
/// least `scratch_len(rows, 1)` values.
#[allow(clippy::too_many_arguments)]
pub fn loss_and_gradient<T: Float>(batch: &Batch<T>, l2: T, l1: T, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    let sum = partial_loss_and_gradient(batch, m, w, b, grad_w, grad_b, scratch);
    penalize(sum / T::from_f64(m as f64), w, l2, l1, grad_w)
}

/// The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
/// of its rows' losses (not divided, no penalties); overwrites `grad_w` and `grad_b` with
/// the sum of its rows' terms of the gradient of that mean.
#[allow(clippy::too_many_arguments)]
pub fn partial_loss_and_gradient<T: Float>(batch: &Batch<T>, total: usize, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    let (logits, rest) = scratch.split_at_mut(m);
    let (target, rest) = rest.split_at_mut(m);
    let g = &mut rest[..m];
    forward(batch, w, b, 1, logits, target);
    let sum = bce_with_logits_partial(logits, target, total, g);
    backward(batch, g, 1, grad_w, grad_b);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_zero_weights_the_loss_is_ln2_and_the_gradient_is_the_mean_of_x_times_half_minus_y() {
        let x = [1.0f64, 2.0, -1.0, 0.5, 3.0, 1.0];
        let y = [1.0, 0.0, 0.0];
        let batch = Batch { x: &x, y: &y, d: 2, rows: &[0, 1, 2, 1], follows: false };
        let (mut gw, mut gb) = ([0.0; 2], [0.0; 1]);
        let mut scratch = [0.0; 12];
        let value = loss_and_gradient(&batch, 0.0, 0.0, &[0.0, 0.0], &[0.0], &mut gw, &mut gb, &mut scratch);
        assert_eq!(value, core::f64::consts::LN_2);
        // (σ(0) − y)/4 = −1/8 for row 0, +1/8 for the others.
        assert_eq!(gw, [(-1.0 - 1.0 + 3.0 - 1.0) / 8.0, (-2.0 + 0.5 + 1.0 + 0.5) / 8.0]);
        assert_eq!(gb, [2.0 / 8.0]);
    }
}
