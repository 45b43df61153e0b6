//! Sums of autograd tensors: the whole tensor in crate/src/loss/sum.rs's lane order (that
//! of crate/src/reduce.rs), or along one axis of a `rows × cols` matrix: down the columns
//! (axis 0) row by row from zero, across each row (axis 1) in lane order. The backward
//! passes broadcast the gradient back with crate/src/tensor/view.rs's `add_strided`.

use crate::float::Float;
use crate::loss::sum::lane_sum;

/// `Σ x` in lane order.
pub fn sum<T: Float>(x: &[T]) -> T {
    lane_sum(x.len(), |i| x[i])
}

/// Axis 0: `out[c] = Σ_r x[r·cols + c]` (`cols` values); axis 1: `out[r] = sum(row r)`
/// (`rows` values).
pub fn sum_axis<T: Float>(x: &[T], rows: usize, cols: usize, axis: u32, out: &mut [T]) {
    if axis == 0 {
        for v in out.iter_mut() {
            *v = T::ZERO;
        }
        for r in 0..rows {
            for c in 0..cols {
                out[c] = out[c] + x[r * cols + c];
            }
        }
    } else {
        for r in 0..rows {
            out[r] = sum(&x[r * cols..(r + 1) * cols]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_along_each_axis() {
        let x = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        let mut columns = [9.0f32; 3];
        sum_axis(&x, 2, 3, 0, &mut columns);
        assert_eq!(columns, [5.0, 7.0, 9.0]);
        let mut rows = [0.0f32; 2];
        sum_axis(&x, 2, 3, 1, &mut rows);
        assert_eq!(rows, [6.0, 15.0]);
        assert_eq!(sum(&x), 21.0);
        assert_eq!(sum::<f64>(&[]), 0.0);
    }
}
