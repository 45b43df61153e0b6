//! The affine map shared by the linear models, `z = x·W + b` over a batch of rows of a
//! resident dataset, and its backward `∂W = Σ_r x_rᵀ g_r`, `∂b = Σ_r g_r` (what autograd
//! computes for torch.nn.Linear followed by a loss). W is `d × k` row-major (k = 1 for the
//! scalar models), b has k values or none. Dot products are summed in
//! crate/src/loss/sum.rs's order; gradients accumulate row by row in batch order, so
//! ts/kernels/model/affine.ts gives the same bits.

use crate::float::Float;
use crate::loss::penalty::{l1_penalty, l2_penalty};
use crate::loss::sum::lane_sum;
use crate::reduce::LANES;

/// Rows `rows` (indices into the n samples) of a dataset: `x` holds `n × d` features
/// row-major, `y` one target per sample.
pub struct Batch<'a, T> {
    pub x: &'a [T],
    pub y: &'a [T],
    pub d: usize,
    pub rows: &'a [u32],
}

/// Scratch values a model kernel needs for a batch of `rows` rows and `k` outputs:
/// the outputs z, the targets and the gradient w.r.t. z.
pub fn scratch_len(rows: usize, k: usize) -> usize {
    rows * (2 * k + 1)
}

/// A data-parallel fit's worker holds the rows `[first, first + len)` of the dataset; this
/// picks its rows of a batch (indices into the dataset): those in its range, as indices
/// into its shard, in batch order, written to the front of `out` (as many as fit).
/// Returns how many there are, which may exceed `out.len()`.
pub fn select_rows(batch: &[u32], first: u32, len: u32, out: &mut [u32]) -> usize {
    let mut count = 0;
    for &row in batch {
        let local = row.wrapping_sub(first);
        if local < len {
            if count < out.len() {
                out[count] = local;
            }
            count += 1;
        }
    }
    count
}

/// `z[r·k + c] = Σ_j x[i, j] · w[j·k + c] (+ b[c])` and `target[r] = y[i]` for the r-th
/// row i of the batch; `b` is empty without a bias.
pub fn forward<T: Float>(batch: &Batch<T>, w: &[T], b: &[T], k: usize, z: &mut [T], target: &mut [T]) {
    let d = batch.d;
    for (r, &row) in batch.rows.iter().enumerate() {
        let i = row as usize;
        let xi = &batch.x[i * d..(i + 1) * d];
        for c in 0..k {
            let dot = if k == 1 { dot(xi, w) } else { lane_sum(d, |j| xi[j] * w[j * k + c]) };
            z[r * k + c] = if b.is_empty() { dot } else { dot + b[c] };
        }
        target[r] = batch.y[i];
    }
}

/// `Σ_j a[j] · b[j]` in lane_sum's order (crate/src/loss/sum.rs), over whole chunks so
/// that the compiler drops bounds checks and vectorizes: the same bits as
/// `lane_sum(a.len(), |j| a[j] * b[j])`.
fn dot<T: Float>(a: &[T], b: &[T]) -> T {
    let mut acc = [T::ZERO; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b[..a.len()].chunks_exact(LANES));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for j in 0..LANES {
            acc[j] = acc[j] + x[j] * y[j];
        }
    }
    let mut total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, y) in ta.iter().zip(tb) {
        total = total + *x * *y;
    }
    total
}

/// Overwrites `grad_w` (d × k) with `Σ_r x_rᵀ g_r` and `grad_b` (k values, or empty) with
/// `Σ_r g_r`, accumulating from zero in batch order; `g` holds the batch's `rows × k`
/// gradients w.r.t. z.
pub fn backward<T: Float>(batch: &Batch<T>, g: &[T], k: usize, grad_w: &mut [T], grad_b: &mut [T]) {
    let d = batch.d;
    for v in grad_w.iter_mut() {
        *v = T::ZERO;
    }
    for v in grad_b.iter_mut() {
        *v = T::ZERO;
    }
    for (r, &row) in batch.rows.iter().enumerate() {
        let i = row as usize;
        let xi = &batch.x[i * d..(i + 1) * d];
        let gr = &g[r * k..(r + 1) * k];
        if k == 1 {
            // The same updates as the loop below, written so that they vectorize.
            let g0 = gr[0];
            for (gw, &xj) in grad_w.iter_mut().zip(xi) {
                *gw = *gw + g0 * xj;
            }
            if let Some(gb) = grad_b.first_mut() {
                *gb = *gb + g0;
            }
            continue;
        }
        for j in 0..d {
            let xj = xi[j];
            let gw = &mut grad_w[j * k..(j + 1) * k];
            for c in 0..k {
                gw[c] = gw[c] + gr[c] * xj;
            }
        }
        for c in 0..grad_b.len() {
            grad_b[c] = grad_b[c] + gr[c];
        }
    }
}

/// `value + λ₂·Σ w² + λ₁·Σ |w|` (crate/src/loss/penalty.rs, the bias is not penalized),
/// adding the penalties' gradients into `grad_w`; a zero λ adds nothing.
pub fn penalize<T: Float>(value: T, w: &[T], l2: T, l1: T, grad_w: &mut [T]) -> T {
    let mut total = value;
    if l2 != T::ZERO {
        total = total + l2_penalty(w, l2, grad_w);
    }
    if l1 != T::ZERO {
        total = total + l1_penalty(w, l1, grad_w);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_and_backward_in_closed_form() {
        // x = [[1, 2], [3, 4], [5, 6]], W = [[1, -1], [0.5, 2]] (2 × 2), b = [0.25, -0.5].
        let x = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [7.0, 8.0, 9.0];
        let batch = Batch { x: &x, y: &y, d: 2, rows: &[2, 0] };
        let (w, b) = ([1.0, -1.0, 0.5, 2.0], [0.25, -0.5]);
        let (mut z, mut t) = ([0.0; 4], [0.0; 2]);
        forward(&batch, &w, &b, 2, &mut z, &mut t);
        assert_eq!(z, [5.0 + 3.0 + 0.25, -5.0 + 12.0 - 0.5, 1.0 + 1.0 + 0.25, -1.0 + 4.0 - 0.5]);
        assert_eq!(t, [9.0, 7.0]);
        let g = [1.0, 2.0, -1.0, 0.5];
        let (mut gw, mut gb) = ([9.0; 4], [9.0; 2]);
        backward(&batch, &g, 2, &mut gw, &mut gb);
        assert_eq!(gw, [5.0 - 1.0, 10.0 + 0.5, 6.0 - 2.0, 12.0 + 1.0]);
        assert_eq!(gb, [0.0, 2.5]);
        let mut none: [f64; 0] = [];
        forward(&batch, &w[..2], &[], 1, &mut z[..2], &mut t);
        assert_eq!(&z[..2], &[5.0 - 6.0, 1.0 - 2.0]);
        backward(&batch, &[1.0, 1.0], 1, &mut gw[..2], &mut none);
        assert_eq!(&gw[..2], &[6.0, 8.0]);
    }

    #[test]
    fn select_rows_keeps_the_shard_s_rows_in_batch_order() {
        let mut out = [9u32; 4];
        // The shard holds rows 4, 5, 6: the batch's 5, 4 and 5 again, as shard rows 1, 0, 1.
        assert_eq!(select_rows(&[7, 2, 5, 9, 4, 5, 0], 4, 3, &mut out), 3);
        assert_eq!(out, [1, 0, 1, 9]);
        let mut small = [0u32; 1];
        assert_eq!(select_rows(&[4, 5, 6], 4, 3, &mut small), 3);
        assert_eq!(small, [0]);
        assert_eq!(select_rows(&[], 0, 10, &mut out), 0);
        assert_eq!(select_rows(&[3, u32::MAX], 4, 3, &mut out), 0);
    }

    #[test]
    fn dot_follows_lane_sum_bit_for_bit() {
        for n in [0usize, 1, 7, 8, 9, 17, 33] {
            let a: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1013) as f32 * if i % 3 == 0 { -1e3 } else { 1e-3 }).collect();
            let b: Vec<f32> = (0..n).map(|i| 1.0 + (i % 5) as f32 * 0.37).collect();
            assert_eq!(dot(&a, &b).to_bits(), lane_sum(n, |j| a[j] * b[j]).to_bits(), "n = {}", n);
        }
    }

    #[test]
    fn penalties_add_to_value_and_gradient() {
        let w = [1.0f64, -2.0];
        let mut g = [0.0; 2];
        assert_eq!(penalize(1.0, &w, 0.5, 0.25, &mut g), 1.0 + 2.5 + 0.75);
        assert_eq!(g, [1.0 + 0.25, -2.0 - 0.25]);
        let mut g = [-0.0f64; 2];
        assert_eq!(penalize(1.0, &w, 0.0, 0.0, &mut g), 1.0);
        assert_eq!(g[0].to_bits(), (-0.0f64).to_bits());
    }
}
