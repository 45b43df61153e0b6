//! Matrix products of autograd tensors: `out ← out + A·B` (BLAS gemm with β = 1), A and B
//! read through [`View`]s so that the backward products `∂A += ∂C·Bᵀ` and `∂B += Aᵀ·∂C`
//! need no transposed copy. Each dot product adds its k terms in index order starting
//! from zero and is then added to `out`, so ts/kernels/tensor/matmul.ts gives the same bits.

use crate::float::Float;
use crate::tensor::view::View;

/// `out[i·n + j] += Σ_p a[av(i, p)]·b[bv(p, j)]` for an `m × k` A and a `k × n` B.
#[allow(clippy::too_many_arguments)]
pub fn matmul<T: Float>(a: &[T], av: View, b: &[T], bv: View, m: usize, k: usize, n: usize, out: &mut [T]) {
    for i in 0..m {
        for j in 0..n {
            let mut s = T::ZERO;
            for p in 0..k {
                s = s + a[av.at(i, p)] * b[bv.at(p, j)];
            }
            let o = i * n + j;
            out[o] = out[o] + s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::view::dense;

    #[test]
    fn products_and_transposed_views() {
        let a = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        let b = [1.0f64, 0.0, -1.0, 2.0, 0.5, 1.0]; // 3 × 2
        let mut out = [0.0; 4];
        matmul(&a, dense(3), &b, dense(2), 2, 3, 2, &mut out);
        assert_eq!(out, [1.0 - 2.0 + 1.5, 4.0 + 3.0, 4.0 - 5.0 + 3.0, 10.0 + 6.0]);
        // Aᵀ·A (3 × 3) through a transposed view of A, added to what out holds.
        let mut gram = [1.0; 9];
        matmul(&a, View { offset: 0, row_stride: 1, col_stride: 3 }, &a, dense(3), 3, 2, 3, &mut gram);
        assert_eq!(gram, [18.0, 23.0, 28.0, 23.0, 30.0, 37.0, 28.0, 37.0, 46.0]);
    }
}
