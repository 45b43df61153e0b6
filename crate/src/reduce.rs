//! Reductions over one tensor (the per-tensor norms of torch.nn.utils.clip_grad_norm_:
//! `torch.norm(g, p)`, which accumulates in the tensor's dtype), with ONE summation order
//! that ts/kernels/reduce.ts repeats exactly, so both backends give the same bits:
//!
//! - 8 partial results; lane j takes the elements i ≡ j (mod 8) of the whole 8-element
//!   chunks, in order;
//! - the lanes are combined as `((a0 ⊕ a1) ⊕ (a2 ⊕ a3)) ⊕ ((a4 ⊕ a5) ⊕ (a6 ⊕ a7))`;
//! - then the tail elements (fewer than 8) are folded in, in order.
//!
//! The lanes are independent, so LLVM keeps them in SIMD registers (2 × f32x4 or
//! 4 × f64x2) without reassociating anything. Its vectors pair lane j with lane j + 4,
//! though, each filled from two scalar loads, because it vectorizes the combination tree
//! with the loop; where that shows (the narrow fits' loss), WebAssembly has written-out
//! versions (`sum_of_squares_after_f32x4`, `sum_of_squares_after_f64x2`).

use crate::float::Float;

/// Partial results per reduction; see the module docs for the order.
pub const LANES: usize = 8;

/// `Σ x²` (torch.norm(g, 2) before its square root). The generic loop in every type: the
/// fused fits take it for each epoch's gradient norm, mostly of a few values, where the
/// WebAssembly vector versions of `sum_of_squares_after` inlined made W3's f32 kernel loop
/// slower (scratch A/B: 67.2 against 66.1 µs).
pub fn sum_of_squares<T: Float>(x: &[T]) -> T {
    squares_after([T::ZERO; LANES], x)
}

/// `sum_of_squares` of values of which a kernel has summed the first whole chunks into
/// `acc` (lane j: their squares i ≡ j mod 8, in order) without storing them: the same
/// order, continued over `x`, the values after them (crate/src/model/linear.rs's loss of
/// the narrow path's errors). In WebAssembly, f32 and f64 run `sum_of_squares_after_f32x4`
/// and `sum_of_squares_after_f64x2` instead, the same bits.
#[inline(always)]
pub(crate) fn sum_of_squares_after<T: Float>(acc: [T; LANES], x: &[T]) -> T {
    T::sum_of_squares_after(acc, x)
}

/// `total + x₀² + x₁² + …`, in order: the tail of the sums of squares below.
#[inline(always)]
fn add_squares<T: Float>(mut total: T, x: &[T]) -> T {
    for &v in x {
        total = total + v * v;
    }
    total
}

/// `sum_of_squares_after` written for any element type.
pub(crate) fn squares_after<T: Float>(mut acc: [T; LANES], x: &[T]) -> T {
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for j in 0..LANES {
            acc[j] = acc[j] + chunk[j] * chunk[j];
        }
    }
    let total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    add_squares(total, tail)
}

/// `sum_of_squares_after` for f32 with WebAssembly SIMD, the same operations on the same
/// values: lanes 0–3 and 4–7 are two f32x4 with one load each per chunk, combined in
/// registers as `squares_after` combines them — (a₀ + a₁, a₂ + a₃, a₄ + a₅, a₆ + a₇) by
/// two shuffles and an add, then those pairs, then the two halves. LLVM's own vectors for
/// the generic loop pair lane j with lane j + 4, building each from two scalar loads.
#[cfg(target_arch = "wasm32")]
pub(crate) fn sum_of_squares_after_f32x4(acc: [f32; LANES], x: &[f32]) -> f32 {
    use crate::simd::load;
    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul};
    let (mut lo, mut hi) = (load(&acc), load(&acc[4..]));
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        let (a, b) = (load(chunk), load(&chunk[4..]));
        lo = f32x4_add(lo, f32x4_mul(a, a));
        hi = f32x4_add(hi, f32x4_mul(b, b));
    }
    let pairs = crate::simd::pair_sums_f32x4;
    let pairs_of_lanes = pairs(lo, hi);
    let halves = pairs(pairs_of_lanes, pairs_of_lanes);
    let total = f32x4_extract_lane::<0>(halves) + f32x4_extract_lane::<1>(halves);
    add_squares(total, tail)
}

/// `sum_of_squares_after` for f64 with WebAssembly SIMD: lanes 0–1, 2–3, 4–5 and 6–7 are
/// four f64x2, combined in registers in `squares_after`'s order.
#[cfg(target_arch = "wasm32")]
pub(crate) fn sum_of_squares_after_f64x2(acc: [f64; LANES], x: &[f64]) -> f64 {
    use crate::simd::load;
    use core::arch::wasm32::{f64x2_add, f64x2_extract_lane, f64x2_mul};
    let mut q = [load(&acc), load(&acc[2..]), load(&acc[4..]), load(&acc[6..])];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (k, q) in q.iter_mut().enumerate() {
            let v = load(&chunk[2 * k..]);
            *q = f64x2_add(*q, f64x2_mul(v, v));
        }
    }
    let pairs = crate::simd::pair_sums_f64x2;
    let halves = pairs(pairs(q[0], q[1]), pairs(q[2], q[3]));
    let total = f64x2_extract_lane::<0>(halves) + f64x2_extract_lane::<1>(halves);
    add_squares(total, tail)
}

/// `Σ |x|` (torch.norm(g, 1)).
pub fn sum_of_abs<T: Float>(x: &[T]) -> T {
    let mut acc = [T::ZERO; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for j in 0..LANES {
            acc[j] = acc[j] + chunk[j].abs();
        }
    }
    let mut total = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for &v in tail {
        total = total + v.abs();
    }
    total
}

/// `max |x|` (torch's `g.abs().max()`): NaN if any element is NaN, 0 for an empty tensor
/// (where torch raises). Maxima are taken over the magnitude bits, which order like the
/// magnitudes with every NaN above +∞; integer maxima vectorize (i32x4.max_u) where
/// NaN-propagating float ones do not, and they give the same value in any order.
pub fn max_abs<T: Magnitude>(x: &[T]) -> T {
    let mut acc = [T::ZERO_BITS; LANES];
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder();
    for chunk in chunks {
        for j in 0..LANES {
            acc[j] = acc[j].max(chunk[j].magnitude());
        }
    }
    let mut total = (acc[0].max(acc[1]).max(acc[2].max(acc[3]))).max(acc[4].max(acc[5]).max(acc[6].max(acc[7])));
    for &v in tail {
        total = total.max(v.magnitude());
    }
    T::from_magnitude(total)
}

/// Element types whose IEEE 754 encoding, with the sign bit cleared, orders like the
/// magnitude as an unsigned integer (NaNs above +∞).
pub trait Magnitude: Float {
    type Bits: Copy + Ord;
    const ZERO_BITS: Self::Bits;
    /// The bits of |x|.
    fn magnitude(self) -> Self::Bits;
    fn from_magnitude(bits: Self::Bits) -> Self;
}

impl Magnitude for f32 {
    type Bits = u32;
    const ZERO_BITS: u32 = 0;
    #[inline(always)]
    fn magnitude(self) -> u32 {
        self.to_bits() & 0x7fff_ffff
    }
    #[inline(always)]
    fn from_magnitude(bits: u32) -> f32 {
        f32::from_bits(bits)
    }
}

impl Magnitude for f64 {
    type Bits = u64;
    const ZERO_BITS: u64 = 0;
    #[inline(always)]
    fn magnitude(self) -> u64 {
        self.to_bits() & 0x7fff_ffff_ffff_ffff
    }
    #[inline(always)]
    fn from_magnitude(bits: u64) -> f64 {
        f64::from_bits(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The documented order, written out element by element as a reference.
    fn reference(x: &[f64], step: impl Fn(f64, f64) -> f64, combine: impl Fn(f64, f64) -> f64) -> f64 {
        let whole = x.len() / LANES * LANES;
        let mut acc = [0.0; LANES];
        for (i, &v) in x[..whole].iter().enumerate() {
            acc[i % LANES] = step(acc[i % LANES], v);
        }
        let c = &combine;
        let mut total = c(c(c(acc[0], acc[1]), c(acc[2], acc[3])), c(c(acc[4], acc[5]), c(acc[6], acc[7])));
        for &v in &x[whole..] {
            total = step(total, v);
        }
        total
    }

    fn data(n: usize) -> Vec<f64> {
        // Values of very different magnitudes, so that another summation order would
        // round differently.
        (0..n).map(|i| ((i * 7919) % 1013) as f64 * 1e-3 * if i % 3 == 0 { -1e5 } else { 1.0 } + 0.1).collect()
    }

    #[test]
    fn sums_follow_the_documented_order_bit_for_bit() {
        for n in [0, 1, 3, 7, 8, 9, 16, 17, 1023] {
            let x = data(n);
            assert_eq!(sum_of_squares(&x).to_bits(), reference(&x, |a, v| a + v * v, |a, b| a + b).to_bits(), "n = {}", n);
            assert_eq!(sum_of_abs(&x).to_bits(), reference(&x, |a, v| a + v.abs(), |a, b| a + b).to_bits(), "n = {}", n);
            assert_eq!(max_abs(&x).to_bits(), reference(&x, |a, v| a.max(v.abs()), f64::max).to_bits(), "n = {}", n);
        }
    }

    #[test]
    fn small_cases_in_closed_form() {
        assert_eq!(sum_of_squares(&[3.0f32, -4.0]), 25.0);
        assert_eq!(sum_of_abs(&[1.5f64, -2.5, 0.0]), 4.0);
        assert_eq!(max_abs(&[1.0f32, -7.0, 3.0, 2.0, 0.0, 1.0, 1.0, 1.0, -8.0]), 8.0);
        assert_eq!(sum_of_squares::<f64>(&[]), 0.0);
        assert_eq!(max_abs::<f32>(&[]), 0.0);
    }

    #[test]
    fn f32_accumulates_in_f32() {
        // 2^24 + 1 is not an f32: the lone 1.0 after 2^24 is lost in f32 (not in f64).
        let x = [4096.0f32, 1.0];
        assert_eq!(sum_of_squares(&x), 16_777_216.0f32);
        assert_eq!(sum_of_squares(&[4096.0f64, 1.0]), 16_777_217.0);
    }

    #[test]
    fn nan_and_infinity_propagate_and_zeros_are_positive() {
        let mut x = [1.0f64; 11];
        x[9] = f64::NAN;
        assert!(sum_of_squares(&x).is_nan());
        assert!(sum_of_abs(&x).is_nan());
        assert!(max_abs(&x).is_nan());
        x[9] = f64::NEG_INFINITY;
        assert_eq!(max_abs(&x), f64::INFINITY);
        assert_eq!(sum_of_abs(&x), f64::INFINITY);
        let zeros = [-0.0f32; 10];
        assert_eq!(max_abs(&zeros).to_bits(), 0.0f32.to_bits());
        assert_eq!(sum_of_abs(&zeros).to_bits(), 0.0f32.to_bits());
    }
}
