//! Linear regression `ŷ = x·w + b` with a regression loss of crate/src/loss/ (mean squared
//! error by default, as scikit-learn's SGDRegressor and torch.nn.MSELoss; mean absolute
//! error or Huber) plus optional L2/L1 weight penalties: forward and backward of one batch
//! in one pass over its rows, as autograd would compute `loss(Linear(x), y) + penalty`.

use crate::float::Float;
use crate::loss::huber::{huber_gradient, huber_of_errors, huber_partial};
use crate::loss::mae::{mae_gradient, mae_partial};
use crate::loss::mse::{mse_gradient, mse_partial, mse_scale, scaled_error};
use crate::model::affine::{forward_backward, narrow_errors, penalize, Batch};
use crate::reduce::{sum_of_abs, sum_of_squares_after};

/// Loss codes shared with ts/kernels/model/linear.ts and ts/backend/wasm/abi.ts.
pub const MSE: u32 = 0;
pub const MAE: u32 = 1;
pub const HUBER: u32 = 2;

/// The regression loss: `code` is MSE, MAE or HUBER (with threshold `delta` > 0).
#[derive(Clone, Copy)]
pub struct Loss<T> {
    pub code: u32,
    pub delta: T,
}

/// Mean loss of the batch at weights `w` (d values) and bias `b` (1 value, or empty), plus
/// the penalties; overwrites `grad_w` and `grad_b` with its gradient. `scratch` holds at
/// least `scratch_len(rows, 1)` values.
#[allow(clippy::too_many_arguments)]
pub fn loss_and_gradient<T: Float>(batch: &Batch<T>, loss: Loss<T>, l2: T, l1: T, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    let sum = partial_loss_and_gradient(batch, loss, m, w, b, grad_w, grad_b, scratch);
    penalize(sum / T::from_f64(m as f64), w, l2, l1, grad_w)
}

/// The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
/// of its rows' losses (not divided, no penalties); overwrites `grad_w` and `grad_b` with
/// the sum of its rows' terms of the gradient of that mean, the same terms as
/// `loss_and_gradient` over all `total` rows.
#[allow(clippy::too_many_arguments)]
pub fn partial_loss_and_gradient<T: Float>(batch: &Batch<T>, loss: Loss<T>, total: usize, w: &[T], b: &[T], grad_w: &mut [T], grad_b: &mut [T], scratch: &mut [T]) -> T {
    let m = batch.rows.len();
    // Each row's loss and its gradient w.r.t. ŷ depend on that row alone, on its error
    // ŷ − y, so forward, the loss's gradient and backward run together (crate/src/model/
    // affine.rs); the loss is then summed over all rows in its own order.
    // ts/kernels/model/linear.ts runs the three steps one after the other, with the same
    // results. Fewer than LANES features: one pass that keeps each row's error only.
    // |ŷ − y| and (ŷ − y)² are |y − ŷ| and (y − ŷ)², bit for bit.
    let errors = &mut scratch[..m];
    let narrow = match loss.code {
        MAE => narrow_errors(batch, w, b, errors, grad_w, grad_b, mae_gradient(total), None).map(|_| sum_of_abs(errors)),
        HUBER => narrow_errors(batch, w, b, errors, grad_w, grad_b, huber_gradient(loss.delta, total), None).map(|_| huber_of_errors(errors, loss.delta)),
        // One factor for the rows' gradients and the vector path; the errors of the rows
        // that path took are summed already (Squares).
        _ => {
            let scale = mse_scale(total);
            narrow_errors(batch, w, b, errors, grad_w, grad_b, scaled_error(scale), Some(scale)).map(|s| sum_of_squares_after(s.lanes, &errors[s.rows..]))
        }
    };
    if let Some(sum) = narrow {
        return sum;
    }
    let (pred, rest) = scratch.split_at_mut(m);
    let (target, rest) = rest.split_at_mut(m);
    let g = &mut rest[..m];
    match loss.code {
        MAE => {
            forward_backward(batch, w, b, pred, target, g, grad_w, grad_b, mae_gradient(total));
            mae_partial(pred, target, total, g)
        }
        HUBER => {
            forward_backward(batch, w, b, pred, target, g, grad_w, grad_b, huber_gradient(loss.delta, total));
            huber_partial(pred, target, loss.delta, total, g)
        }
        _ => {
            forward_backward(batch, w, b, pred, target, g, grad_w, grad_b, mse_gradient(total));
            mse_partial(pred, target, total, g)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::affine::scratch_len;

    #[test]
    fn mse_gradient_is_two_over_b_times_xt_residual() {
        let x = [1.0f64, 2.0, -1.0, 0.5, 3.0, 1.0];
        let y = [1.0, -2.0, 4.0];
        let batch = Batch { x: &x, y: &y, d: 2, rows: &[0, 2], follows: false };
        let (w, b) = ([0.5, -1.0], [0.25]);
        let (mut gw, mut gb) = ([0.0; 2], [0.0; 1]);
        let mut scratch = [0.0; 6];
        assert_eq!(scratch_len(2, 1), 6);
        let value = loss_and_gradient(&batch, Loss { code: MSE, delta: 1.0 }, 0.0, 0.0, &w, &b, &mut gw, &mut gb, &mut scratch);
        // Residuals ŷ − y: row 0: 0.5 − 2 + 0.25 − 1 = −2.25; row 2: 1.5 − 1 + 0.25 − 4 = −3.25.
        let (r0, r2) = (-2.25, -3.25);
        assert_eq!(value, (r0 * r0 + r2 * r2) / 2.0);
        assert_eq!(gw, [r0 * 1.0 + r2 * 3.0, r0 * 2.0 + r2 * 1.0]);
        assert_eq!(gb, [r0 + r2]);
        let value = loss_and_gradient(&batch, Loss { code: MAE, delta: 1.0 }, 0.5, 0.0, &w, &[], &mut gw, &mut [], &mut scratch);
        assert_eq!(value, (2.5 + 3.5) / 2.0 + 0.5 * 1.25);
        assert_eq!(gw, [-0.5 - 1.5 + 0.5, -1.0 - 0.5 - 1.0]);
        let value = loss_and_gradient(&batch, Loss { code: HUBER, delta: 3.0 }, 0.0, 0.0, &w, &b, &mut gw, &mut gb, &mut scratch);
        assert_eq!(value, (0.5 * 2.25 * 2.25 + 3.0 * (3.25 - 1.5)) / 2.0);
        assert_eq!(gb, [-2.25 / 2.0 - 1.5]);
    }

    #[test]
    fn partial_shares_add_up_to_the_whole_batch() {
        // Values exact in binary, so that the two summation orders agree exactly.
        let x = [1.0f64, 2.0, -1.0, 0.5, 3.0, 1.0, 0.25, -2.0];
        let y = [1.0, -2.0, 4.0, 0.5];
        let (w, b) = ([0.5, -1.0], [0.25]);
        for code in [MSE, MAE, HUBER] {
            let loss = Loss { code, delta: 1.5 };
            let mut scratch = [0.0; 12];
            let (mut gw, mut gb) = ([0.0; 2], [0.0; 1]);
            let all = Batch { x: &x, y: &y, d: 2, rows: &[3, 0, 2, 1], follows: false };
            let mean = loss_and_gradient(&all, loss, 0.0, 0.0, &w, &b, &mut gw, &mut gb, &mut scratch);
            let (mut gw1, mut gb1, mut gw2, mut gb2) = ([0.0; 2], [0.0; 1], [0.0; 2], [0.0; 1]);
            let s1 = partial_loss_and_gradient(&Batch { x: &x, y: &y, d: 2, rows: &[3, 0], follows: false }, loss, 4, &w, &b, &mut gw1, &mut gb1, &mut scratch);
            let s2 = partial_loss_and_gradient(&Batch { x: &x, y: &y, d: 2, rows: &[2, 1], follows: false }, loss, 4, &w, &b, &mut gw2, &mut gb2, &mut scratch);
            assert_eq!((s1 + s2) / 4.0, mean, "loss {}", code);
            assert_eq!([gw1[0] + gw2[0], gw1[1] + gw2[1], gb1[0] + gb2[0]], [gw[0], gw[1], gb[0]], "loss {}", code);
        }
    }
}
