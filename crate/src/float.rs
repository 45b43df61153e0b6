//! The element types the kernels run on: f32 and f64, behind one small trait so that
//! each kernel is written once and monomorphized (and auto-vectorized) per type.

use crate::model::affine::{Batch, Squares};
use core::ops::{Add, Div, Mul, Neg, Sub};

pub trait Float:
    Copy
    + PartialEq
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    /// Rounds a hyperparameter computed in f64 to this type, as PyTorch casts a Python
    /// float scalar to the tensor's dtype (round to nearest, ties to even).
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn sqrt(self) -> Self;
    /// |x|, exact (clears the sign bit, like torch.abs).
    fn abs(self) -> Self;
    /// crate/src/model/affine.rs `chunk_dots`: each row's dot product over the first
    /// `whole` columns (whole LANES-wide chunks) in lane_sum's order. In WebAssembly, f32
    /// and f64 run `chunk_dots_f32x4` and `chunk_dots_f64x2` instead, with the same bits.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn chunk_dots(x: &[Self], d: usize, whole: usize, rows: &[u32], w: &[Self], lanes: &mut [Self], z: &mut [Self]) {
        crate::model::affine::chunk_dots(x, d, whole, rows, w, lanes, z)
    }
    /// crate/src/reduce.rs `sum_of_squares_after`. In WebAssembly, f32 and f64 run
    /// `sum_of_squares_after_f32x4` and `sum_of_squares_after_f64x2`, with the same bits.
    #[inline(always)]
    fn sum_of_squares_after(acc: [Self; crate::reduce::LANES], x: &[Self]) -> Self {
        crate::reduce::squares_after(acc, x)
    }
    /// crate/src/model/affine.rs `narrow_rows` for MSE with D features: a vector path for
    /// some rows and widths that gives the same bits, returning how many of the batch's
    /// first rows it took (0, nothing done, where there is none), storing their errors or
    /// summing their squares (`Squares`). In WebAssembly, f32 and f64 run
    /// `narrow_mse_f32x4` and `narrow_mse_f64x2` on rows in order with 1 or 2 features;
    /// elsewhere no type has one.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn narrow_mse<const D: usize>(_batch: &Batch<Self>, _w: &[Self; D], _bias: Option<Self>, _scale: Self, _e: &mut [Self], _acc: &mut [Self; D], _sum: &mut Self, _squares: &mut Squares<Self>) -> usize {
        0
    }
}

impl Float for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x as f32
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f32::abs(self)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn chunk_dots(x: &[Self], d: usize, whole: usize, rows: &[u32], w: &[Self], _lanes: &mut [Self], z: &mut [Self]) {
        crate::model::affine::chunk_dots_f32x4(x, d, whole, rows, w, z)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn narrow_mse<const D: usize>(batch: &Batch<Self>, w: &[Self; D], bias: Option<Self>, scale: Self, e: &mut [Self], acc: &mut [Self; D], sum: &mut Self, squares: &mut Squares<Self>) -> usize {
        crate::model::affine::narrow_mse_f32x4(batch, w, bias, scale, e, acc, sum, squares)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn sum_of_squares_after(acc: [Self; crate::reduce::LANES], x: &[Self]) -> Self {
        crate::reduce::sum_of_squares_after_f32x4(acc, x)
    }
}

impl Float for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline(always)]
    fn from_f64(x: f64) -> Self {
        x
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn abs(self) -> Self {
        f64::abs(self)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn chunk_dots(x: &[Self], d: usize, whole: usize, rows: &[u32], w: &[Self], _lanes: &mut [Self], z: &mut [Self]) {
        crate::model::affine::chunk_dots_f64x2(x, d, whole, rows, w, z)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn narrow_mse<const D: usize>(batch: &Batch<Self>, w: &[Self; D], bias: Option<Self>, scale: Self, e: &mut [Self], acc: &mut [Self; D], sum: &mut Self, squares: &mut Squares<Self>) -> usize {
        crate::model::affine::narrow_mse_f64x2(batch, w, bias, scale, e, acc, sum, squares)
    }
    #[cfg(target_arch = "wasm32")]
    #[inline(always)]
    fn sum_of_squares_after(acc: [Self; crate::reduce::LANES], x: &[Self]) -> Self {
        crate::reduce::sum_of_squares_after_f64x2(acc, x)
    }
}

/// The larger of two values, NaN if either is NaN (torch.maximum), so a NaN gradient
/// is never silently dropped. Written as two selects (no early return) so that LLVM
/// vectorizes the loops that use it; `a + b` is NaN whenever either is.
#[inline(always)]
pub fn maximum<T: Float>(a: T, b: T) -> T {
    let larger = if a > b { a } else { b };
    let either_nan = a != a || b != b;
    if either_nan {
        a + b
    } else {
        larger
    }
}

/// −1, 0 or 1 by the sign of `x`; zeros and NaN are returned as they are (torch.sign).
#[inline(always)]
pub fn sign<T: Float>(x: T) -> T {
    if x > T::ZERO {
        T::ONE
    } else if x < T::ZERO {
        -T::ONE
    } else {
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maximum_propagates_nan_from_either_side() {
        assert!(maximum(f64::NAN, 1.0).is_nan());
        assert!(maximum(1.0, f64::NAN).is_nan());
        assert_eq!(maximum(2.0f32, -3.0), 2.0);
        assert_eq!(maximum(-2.0f64, 3.0), 3.0);
    }

    #[test]
    fn sign_keeps_zero_and_nan() {
        assert_eq!(sign(5.0f32), 1.0);
        assert_eq!(sign(-0.5f64), -1.0);
        assert_eq!(sign(0.0f64).to_bits(), 0.0f64.to_bits());
        assert_eq!(sign(-0.0f64).to_bits(), (-0.0f64).to_bits());
        assert!(sign(f32::NAN).is_nan());
    }
}
