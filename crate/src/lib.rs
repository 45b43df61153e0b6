//! Kernels of downhill: the update loops of gradient-based optimizers, written as safe
//! functions over slices and exported to WebAssembly by [`abi`].
//!
//! Each kernel copies the operation order of the PyTorch routine it names, uses only
//! exactly rounded operations (+ − × ÷ sqrt, no fused multiply-add) and is generic over
//! [`float::Float`], so the TypeScript twin in `ts/kernels/` reproduces it bit for bit
//! (with `Math.fround` after each f32 operation).

pub mod abi;
pub mod clip;
pub mod float;
pub mod loss;
pub mod math;
pub mod model;
pub mod optim;
pub mod reduce;
pub mod rng;
pub mod tensor;
pub mod train;

/// Loads and stores of one 16-byte vector (4 f32 or 2 f64 lanes) for the kernels written
/// with WebAssembly SIMD intrinsics (crate/src/model/affine.rs `chunk_dots_f32x4`,
/// `chunk_dots_f64x2`): the intrinsics take raw pointers, these take slices and check
/// their length. And the step those kernels combine lanes with, in crate/src/reduce.rs's
/// order: neighbouring lanes added in pairs.
#[cfg(target_arch = "wasm32")]
pub(crate) mod simd {
    use core::arch::wasm32::{f32x4_add, f64x2_add, i32x4_shuffle, i64x2_shuffle, v128, v128_load, v128_store};

    /// The element types a vector holds 16 bytes of.
    pub trait Lane: Copy {
        const PER_VECTOR: usize;
    }
    impl Lane for f32 {
        const PER_VECTOR: usize = 4;
    }
    impl Lane for f64 {
        const PER_VECTOR: usize = 2;
    }

    /// The first 16 bytes of `x`.
    #[inline(always)]
    pub fn load<T: Lane>(x: &[T]) -> v128 {
        let x = &x[..T::PER_VECTOR];
        // SAFETY: `x` is 16 readable bytes; v128_load reads them unaligned.
        unsafe { v128_load(x.as_ptr() as *const v128) }
    }

    /// `(a₀ + a₁, a₂ + a₃, b₀ + b₁, b₂ + b₃)` of two f32x4.
    #[inline(always)]
    pub fn pair_sums_f32x4(a: v128, b: v128) -> v128 {
        f32x4_add(i32x4_shuffle::<0, 2, 4, 6>(a, b), i32x4_shuffle::<1, 3, 5, 7>(a, b))
    }

    /// `(a₀ + a₁, b₀ + b₁)` of two f64x2.
    #[inline(always)]
    pub fn pair_sums_f64x2(a: v128, b: v128) -> v128 {
        f64x2_add(i64x2_shuffle::<0, 2>(a, b), i64x2_shuffle::<1, 3>(a, b))
    }

    /// Writes `v` over the first 16 bytes of `out`.
    #[inline(always)]
    pub fn store<T: Lane>(out: &mut [T], v: v128) {
        let out = &mut out[..T::PER_VECTOR];
        // SAFETY: `out` is 16 writable bytes, borrowed mutably here; v128_store writes unaligned.
        unsafe { v128_store(out.as_mut_ptr() as *mut v128, v) }
    }
}

/// `x`, read back from memory: a value that V8's optimizing compiler sees as loaded, not
/// computed. For a loop-invariant `2 / total` that the per-row gradient closures multiply
/// by, TurboFan otherwise splits the division into the loop body and divides on every row
/// (seen in its code of the narrow loop, crate/src/model/affine.rs: 77 divisions in the
/// function, 44 with --no-turbo-splitting); a load stays where it is. Same value, same bits.
#[inline(always)]
pub(crate) fn opaque<T: Copy>(x: T) -> T {
    // SAFETY: a read of a local through a reference to it.
    unsafe { core::ptr::read_volatile(&x) }
}

/// Reads `x` from memory and discards it: a load the compilers keep, for its side effect of
/// bringing `x`'s cache line in (crate/src/model/affine.rs `fetch_rows`). WebAssembly has
/// no prefetch instruction.
#[cfg(target_arch = "wasm32")]
#[inline(always)]
pub(crate) fn fetch<T: Copy>(x: &T) {
    // SAFETY: a read through a shared reference, of a value that is initialized.
    unsafe {
        core::ptr::read_volatile(x);
    }
}
