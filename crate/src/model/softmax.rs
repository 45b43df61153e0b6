//! Softmax (multinomial logistic) regression: logits `z = x·W + b` with W `d × k`
//! row-major and b k values, against class indices with the mean softmax cross-entropy
//! of crate/src/loss/cross_entropy.rs (torch.nn.CrossEntropyLoss), plus optional L2/L1
//! weight penalties.

use crate::float::Float;
use crate::loss::cross_entropy::cross_entropy_index_partial;
use crate::model::affine::{backward, forward, penalize, Batch};

/// Mean loss of the batch at weights `w` (d × k) and bias `b` (k values, or empty), plus
/// the penalties; overwrites `grad_w` and `grad_b` with its gradient. Every target of the
/// batch is an integer in [0, k); `scratch` holds at least `scratch_len(rows, k)` values.
#[allow(clippy::too_many_arguments)]
pub fn loss_and_gradient<T: Float>(batch: &Batch<T>, k: usize, l2: T, l1: T, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    let sum = partial_loss_and_gradient(batch, k, m, w, b, grad_w, grad_b, scratch);
    penalize(sum / T::from_f64(m as f64), w, l2, l1, grad_w)
}

/// The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
/// of its rows' losses (not divided, no penalties); overwrites `grad_w` and `grad_b` with
/// the sum of its rows' terms of the gradient of that mean.
#[allow(clippy::too_many_arguments)]
pub fn partial_loss_and_gradient<T: Float>(batch: &Batch<T>, k: usize, total: usize, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    let (logits, rest) = scratch.split_at_mut(m * k);
    let (target, rest) = rest.split_at_mut(m);
    let g = &mut rest[..m * k];
    forward(batch, w, b, k, logits, target);
    let sum = cross_entropy_index_partial(logits, target, k, total, g);
    backward(batch, g, k, grad_w, grad_b);
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_zero_weights_the_loss_is_ln_k() {
        let x = [1.0f64, 2.0, -1.0, 0.5];
        let y = [2.0, 0.0];
        let batch = Batch { x: &x, y: &y, d: 2, rows: &[0, 1], follows: false };
        let (mut gw, mut gb) = ([0.0; 6], [0.0; 3]);
        let mut scratch = [0.0; 14];
        let value = loss_and_gradient(&batch, 3, 0.0, 0.0, &[0.0; 6], &[0.0; 3], &mut gw, &mut gb, &mut scratch);
        assert!((value - 3.0f64.ln()).abs() < 1e-15);
        // g = (1/3 − t)/2 per row: row 0 (class 2), row 1 (class 0).
        let third = 1.0 / 3.0;
        let g0 = [third / 2.0, third / 2.0, (third - 1.0) / 2.0];
        let g1 = [(third - 1.0) / 2.0, third / 2.0, third / 2.0];
        for c in 0..3 {
            assert!((gb[c] - (g0[c] + g1[c])).abs() < 1e-15);
            assert!((gw[c] - (g0[c] * 1.0 + g1[c] * -1.0)).abs() < 1e-15);
            assert!((gw[3 + c] - (g0[c] * 2.0 + g1[c] * 0.5)).abs() < 1e-15);
        }
    }
}
