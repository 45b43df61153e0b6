//! Softmax cross-entropy from logits (torch.nn.CrossEntropyLoss, reduction "mean", no
//! weights, no label smoothing) over `rows × classes` logits, row-major, against class
//! indices (stored as floats of the logits' dtype, each an integer in [0, classes)) or
//! class probabilities (`rows × classes`). Per row, with m = max x and s = Σ exp(x − m)
//! summed in class order: `log_softmax = (x − m) − log s`, loss = −Σ t·log_softmax, and the
//! gradient is `(softmax − t) · (1 / rows)` with softmax = exp(x − m) / s. Rows are summed
//! in crate/src/loss/sum.rs's order; exp and log are crate/src/math.rs's (in f64, rounded
//! to the dtype).

use crate::float::Float;
use crate::loss::sum::lane_sum;
use crate::math;

/// Writes `exp(x − m)` of one row to `grad` and returns `(m, s)`: the row's maximum and
/// the sum of the exponentials, in class order.
fn shifted_exps<T: Float>(row: &[T], grad: &mut [T]) -> (T, T) {
    let mut m = row[0];
    for &x in row {
        if x > m {
            m = x;
        }
    }
    let mut s = T::ZERO;
    for k in 0..row.len() {
        let e = T::from_f64(math::exp((row[k] - m).to_f64()));
        grad[k] = e;
        s = s + e;
    }
    (m, s)
}

/// Mean cross-entropy against class indices `target` (length rows, integers in
/// [0, classes)); `logits` and `grad` hold `rows × classes` values, `classes` >= 1.
pub fn cross_entropy_index<T: Float>(logits: &[T], target: &[T], classes: usize, grad: &mut [T]) -> T {
    let rows = target.len();
    cross_entropy_index_partial(logits, target, classes, rows, grad) / T::from_f64(rows as f64)
}

/// These rows' share of the mean cross-entropy over `total` rows (against class
/// indices): the sum of the rows' losses, not divided, with the gradient
/// `(softmax − t) · (1 / total)`.
pub fn cross_entropy_index_partial<T: Float>(logits: &[T], target: &[T], classes: usize, total: usize, grad: &mut [T]) -> T {
    let norm = T::from_f64(1.0 / total as f64);
    lane_sum(target.len(), |r| {
        let row = &logits[r * classes..(r + 1) * classes];
        let g = &mut grad[r * classes..(r + 1) * classes];
        let (m, s) = shifted_exps(row, g);
        let log_s = T::from_f64(math::log(s.to_f64()));
        let c = target[r].to_f64() as usize;
        for k in 0..classes {
            let t = if k == c { T::ONE } else { T::ZERO };
            g[k] = (g[k] / s - t) * norm;
        }
        log_s - (row[c] - m)
    })
}

/// Mean cross-entropy against class probabilities `target` (`rows × classes`, like
/// `logits` and `grad`); `classes` >= 1.
pub fn cross_entropy_probs<T: Float>(logits: &[T], target: &[T], classes: usize, grad: &mut [T]) -> T {
    let rows = if classes == 0 { 0 } else { logits.len() / classes };
    let norm = T::from_f64(1.0 / rows as f64);
    let total = lane_sum(rows, |r| {
        let row = &logits[r * classes..(r + 1) * classes];
        let t = &target[r * classes..(r + 1) * classes];
        let g = &mut grad[r * classes..(r + 1) * classes];
        let (m, s) = shifted_exps(row, g);
        let log_s = T::from_f64(math::log(s.to_f64()));
        let mut loss = T::ZERO;
        for k in 0..classes {
            loss = loss - t[k] * ((row[k] - m) - log_s);
            g[k] = (g[k] / s - t[k]) * norm;
        }
        loss
    });
    total / T::from_f64(rows as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log_softmax(row: &[f64]) -> Vec<f64> {
        let z: f64 = row.iter().map(|x| x.exp()).sum();
        row.iter().map(|x| x - z.ln()).collect()
    }

    #[test]
    fn index_targets_match_the_closed_form() {
        let logits = [1.0f64, 2.0, 0.5, -1.0, 0.0, 3.0];
        let target = [1.0, 2.0];
        let mut grad = [0.0; 6];
        let value = cross_entropy_index(&logits, &target, 3, &mut grad);
        let (a, b) = (log_softmax(&logits[..3]), log_softmax(&logits[3..]));
        assert!((value - -(a[1] + b[2]) / 2.0).abs() < 1e-15);
        for k in 0..3 {
            let ta = if k == 1 { 1.0 } else { 0.0 };
            let tb = if k == 2 { 1.0 } else { 0.0 };
            assert!((grad[k] - (a[k].exp() - ta) / 2.0).abs() < 1e-15);
            assert!((grad[3 + k] - (b[k].exp() - tb) / 2.0).abs() < 1e-15);
        }
    }

    #[test]
    fn partial_shares_add_up_to_the_mean() {
        let logits = [1.0f64, 2.0, 0.5, -1.0, 0.0, 3.0];
        let target = [1.0, 2.0];
        let (mut whole, mut a, mut b) = ([0.0; 6], [0.0; 3], [0.0; 3]);
        let mean = cross_entropy_index(&logits, &target, 3, &mut whole);
        let sa = cross_entropy_index_partial(&logits[..3], &target[..1], 3, 2, &mut a);
        let sb = cross_entropy_index_partial(&logits[3..], &target[1..], 3, 2, &mut b);
        assert!(((sa + sb) / 2.0 - mean).abs() < 1e-15);
        // The same terms as the mean over both rows: bit for bit.
        assert_eq!([a, b].concat(), whole.to_vec());
    }

    #[test]
    fn one_hot_probabilities_equal_index_targets() {
        let logits = [0.3f32, -2.0, 1.25, 4.0, 0.0, -0.5];
        let mut g1 = [0.0f32; 6];
        let mut g2 = [0.0f32; 6];
        let v1 = cross_entropy_index(&logits, &[2.0, 0.0], 3, &mut g1);
        let v2 = cross_entropy_probs(&logits, &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0], 3, &mut g2);
        assert!((v1 - v2).abs() <= 1e-6);
        for k in 0..6 {
            assert!((g1[k] - g2[k]).abs() <= 1e-7);
        }
    }

    #[test]
    fn uniform_logits_and_huge_logits() {
        let mut grad = [0.0f64; 4];
        assert_eq!(cross_entropy_index(&[7.0f64; 4], &[3.0], 4, &mut grad), 4.0f64.ln());
        assert_eq!(grad, [0.25, 0.25, 0.25, -0.75]);
        let mut grad = [0.0f32; 2];
        let value = cross_entropy_index(&[1000.0f32, -1000.0], &[1.0], 2, &mut grad);
        assert_eq!(value, 2000.0);
        assert_eq!(grad, [1.0, -1.0]);
    }
}
