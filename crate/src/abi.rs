//! The WebAssembly boundary and the crate's only unsafe code.
//!
//! Exports are plain `extern "C"` functions over linear memory (no wasm-bindgen): the
//! TypeScript side (ts/backend/wasm/abi.ts) owns the bindings. Every export checks its
//! pointers (null, alignment, bounds of linear memory, aliasing) and returns a status
//! code instead of trapping; only then are pointers turned into slices for the safe
//! kernels.

use crate::float::Float;
use crate::optim::{self, Kernel, SCALARS};
use crate::train::Slot;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::alloc::{GlobalAlloc, Layout, System};

/// Status codes shared with ts/backend/wasm/abi.ts.
pub const OK: i32 = 0;
pub const NULL_POINTER: i32 = 1;
pub const MISALIGNED: i32 = 2;
pub const OUT_OF_BOUNDS: i32 = 3;
pub const ALIASED: i32 = 4;
pub const MISSING_STATE: i32 = 5;
pub const BAD_ARGUMENT: i32 = 6;

// ---------------------------------------------------------------------------------
// Memory: a counting allocator so tests can prove that nothing leaks.

struct CountingAllocator;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Allocates `size` bytes aligned to `align` (a power of two); 0 when memory cannot grow
/// or the request is invalid, so the caller can raise an out-of-memory error.
#[no_mangle]
pub extern "C" fn dh_alloc(size: usize, align: usize) -> usize {
    match Layout::from_size_align(size.max(1), align) {
        // SAFETY: the layout has a non-zero size.
        Ok(layout) => unsafe { std::alloc::alloc(layout) as usize },
        Err(_) => 0,
    }
}

/// Frees what `dh_alloc(size, align)` returned. A null pointer is ignored.
#[no_mangle]
pub extern "C" fn dh_free(ptr: usize, size: usize, align: usize) -> i32 {
    if ptr == 0 {
        return OK;
    }
    match Layout::from_size_align(size.max(1), align) {
        // SAFETY: the TS owner frees each allocation exactly once with its own layout.
        Ok(layout) => {
            unsafe { std::alloc::dealloc(ptr as *mut u8, layout) };
            OK
        }
        Err(_) => BAD_ARGUMENT,
    }
}

/// Bytes currently allocated through the global allocator.
#[no_mangle]
pub extern "C" fn dh_live_bytes() -> usize {
    LIVE_BYTES.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------
// Checked views of linear memory.

#[cfg(target_arch = "wasm32")]
fn memory_end() -> usize {
    core::arch::wasm32::memory_size(0) * 65536
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_end() -> usize {
    usize::MAX
}

/// A byte range `[start, end)` that a slice would cover, after the checks every pointer
/// passes: non-null unless empty, aligned for `T`, inside linear memory.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

fn span<T>(ptr: usize, len: usize) -> Result<Span, i32> {
    let size = core::mem::size_of::<T>();
    let bytes = len.checked_mul(size).ok_or(OUT_OF_BOUNDS)?;
    if len == 0 {
        return Ok(Span { start: ptr, end: ptr });
    }
    if ptr == 0 {
        return Err(NULL_POINTER);
    }
    if ptr % core::mem::align_of::<T>() != 0 {
        return Err(MISALIGNED);
    }
    let end = ptr.checked_add(bytes).ok_or(OUT_OF_BOUNDS)?;
    if end > memory_end() || bytes > isize::MAX as usize {
        return Err(OUT_OF_BOUNDS);
    }
    Ok(Span { start: ptr, end })
}

fn disjoint(spans: &[Span]) -> bool {
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            if a.start < b.end && b.start < a.end {
                return false;
            }
        }
    }
    true
}

/// The written ranges overlap neither each other nor any read range.
fn writes_apart(inputs: &[Span], outputs: &[Span]) -> bool {
    disjoint(outputs) && inputs.iter().all(|s| outputs.iter().all(|o| disjoint(&[*s, *o])))
}

/// Every row index is below `n`, and with `classes` every row's target is a class index
/// in `[0, classes)`.
fn rows_valid<T: Float>(rows: &[u32], y: &[T], n: usize, classes: Option<usize>) -> bool {
    rows.iter().all(|&i| {
        let i = i as usize;
        i < n
            && classes.map_or(true, |k| {
                let c = y[i].to_f64();
                c >= 0.0 && c < k as f64 && c == (c as usize) as f64
            })
    })
}

/// The spans of one row `[len, param, grad, state0 … stateK-1]` of a step table, checked
/// (param and grad always, a state where its pointer is not 0), written after `spans[at..]`;
/// returns how many it wrote. Bit k of `required` says that state buffer k must be present.
fn row_spans<T, const K: usize>(row: &[u32], required: u32, spans: &mut [Span], at: usize) -> Result<usize, i32> {
    let len = row[0] as usize;
    let mut n = at;
    for (i, &ptr) in row[1..3 + K].iter().enumerate() {
        if i < 2 || ptr != 0 {
            spans[n] = span::<T>(ptr as usize, len)?;
            n += 1;
        } else if required & (1 << (i - 2)) != 0 {
            return Err(MISSING_STATE);
        }
    }
    Ok(n - at)
}

/// The slices of a step-table row whose spans `row_spans` checked; absent states are empty.
///
/// # Safety
/// The row's spans must have passed `row_spans` and overlap nothing else in use while the
/// returned slices live; the TS owner keeps the allocations alive for the call.
unsafe fn row_slot<'a, T, const K: usize>(row: &[u32]) -> Slot<'a, T, K> {
    let len = row[0] as usize;
    let state: [&'a mut [T]; K] = core::array::from_fn(|k| {
        let ptr = row[3 + k] as usize;
        slice_mut::<T>(ptr, if ptr == 0 { 0 } else { len })
    });
    Slot { param: slice_mut::<T>(row[1] as usize, len), grad: slice_mut::<T>(row[2] as usize, len), state }
}

/// Reads entry `index` of a step table of `u32` rows `[len, param, grad, state0 … stateK-1]`,
/// checks it (`row_spans`, and that its buffers are disjoint) and makes its slices.
fn tensor<'a, T, const K: usize>(
    table: &[u32],
    index: usize,
    required: u32,
) -> Result<Slot<'a, T, K>, i32> {
    let row = &table[index * (3 + K)..(index + 1) * (3 + K)];
    let mut spans = [Span { start: 0, end: 0 }; 16];
    let present = row_spans::<T, K>(row, required, &mut spans, 0)?;
    if !disjoint(&spans[..present]) {
        return Err(ALIASED);
    }
    // SAFETY: each range was checked above to be non-null (unless empty), aligned, inside
    // linear memory and disjoint from the others, so the slices never alias.
    Ok(unsafe { row_slot::<T, K>(row) })
}

unsafe fn slice<'a, T>(ptr: usize, len: usize) -> &'a [T] {
    if len == 0 {
        &[]
    } else {
        core::slice::from_raw_parts(ptr as *const T, len)
    }
}

unsafe fn slice_mut<'a, T>(ptr: usize, len: usize) -> &'a mut [T] {
    if len == 0 {
        &mut []
    } else {
        core::slice::from_raw_parts_mut(ptr as *mut T, len)
    }
}

/// The step table itself: `count` rows of `3 + K` u32s.
fn table<'a, const K: usize>(ptr: usize, count: usize) -> Result<&'a [u32], i32> {
    if K > 13 {
        return Err(BAD_ARGUMENT);
    }
    let words = count.checked_mul(3 + K).ok_or(OUT_OF_BOUNDS)?;
    span::<u32>(ptr, words)?;
    // SAFETY: checked just above; the table is only read.
    Ok(unsafe { slice::<u32>(ptr, words) })
}

/// Checks every row of a table before the first kernel runs, so that a bad row leaves
/// all tensors untouched, then runs `kernel` on each row.
fn for_each_tensor<T, const K: usize>(
    table_ptr: usize,
    count: usize,
    required: u32,
    mut kernel: impl FnMut(Slot<T, K>) -> Result<(), i32>,
) -> i32 {
    let rows = match table::<K>(table_ptr, count) {
        Ok(rows) => rows,
        Err(status) => return status,
    };
    for i in 0..count {
        if let Err(status) = tensor::<T, K>(rows, i, required) {
            return status;
        }
    }
    for i in 0..count {
        if let Err(status) = tensor::<T, K>(rows, i, required).and_then(&mut kernel) {
            return status;
        }
    }
    OK
}

// ---------------------------------------------------------------------------------
// Gradient clipping: reductions over one tensor (crate/src/reduce.rs) and in-place
// updates (crate/src/clip.rs), one export per kernel and dtype.

/// Runs `reduce` over the `len` elements at `x` and writes its result, widened exactly
/// to f64, to the f64 at `out`.
fn run_reduce<T: Float>(x: usize, len: usize, out: usize, reduce: impl Fn(&[T]) -> T) -> i32 {
    let spans = match (span::<T>(x, len), span::<f64>(out, 1)) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(status), _) | (_, Err(status)) => return status,
    };
    if !disjoint(&spans) {
        return ALIASED;
    }
    // SAFETY: both ranges were checked above (non-null unless empty, aligned, inside
    // linear memory) and do not overlap; the TS owner keeps them alive during the call.
    unsafe {
        let value = reduce(slice::<T>(x, len)).to_f64();
        *(out as *mut f64) = value;
    }
    OK
}

/// Exports `$f32` and `$f64`: `(x, len, out) -> status` writing `reduce::$kernel` of the
/// tensor at `x` to the f64 at `out`.
macro_rules! reduce_exports {
    ($kernel:ident, $f32:ident, $f64:ident) => {
        #[no_mangle]
        pub extern "C" fn $f32(x: usize, len: usize, out: usize) -> i32 {
            run_reduce::<f32>(x, len, out, crate::reduce::$kernel::<f32>)
        }

        #[no_mangle]
        pub extern "C" fn $f64(x: usize, len: usize, out: usize) -> i32 {
            run_reduce::<f64>(x, len, out, crate::reduce::$kernel::<f64>)
        }
    };
}

reduce_exports!(sum_of_squares, dh_sum_of_squares_f32, dh_sum_of_squares_f64);
reduce_exports!(sum_of_abs, dh_sum_of_abs_f32, dh_sum_of_abs_f64);
reduce_exports!(max_abs, dh_max_abs_f32, dh_max_abs_f64);

/// Runs `update` on the `len` elements at `x`, in place.
fn run_update<T: Float>(x: usize, len: usize, update: impl FnOnce(&mut [T])) -> i32 {
    if let Err(status) = span::<T>(x, len) {
        return status;
    }
    // SAFETY: the range was checked above; it is the only slice made for this call.
    update(unsafe { slice_mut::<T>(x, len) });
    OK
}

/// `(x, len, factor) -> status`: `x ← x · factor` with `factor` rounded to the dtype.
#[no_mangle]
pub extern "C" fn dh_scale_f32(x: usize, len: usize, factor: f64) -> i32 {
    run_update::<f32>(x, len, |s| crate::clip::scale(s, f32::from_f64(factor)))
}

#[no_mangle]
pub extern "C" fn dh_scale_f64(x: usize, len: usize, factor: f64) -> i32 {
    run_update::<f64>(x, len, |s| crate::clip::scale(s, factor))
}

/// `(x, len, min, max) -> status`: `x ← clamp(x, min, max)` with the bounds rounded to
/// the dtype; BAD_ARGUMENT unless `min <= max` (NaN bounds included).
#[no_mangle]
pub extern "C" fn dh_clamp_f32(x: usize, len: usize, min: f64, max: f64) -> i32 {
    let (min, max) = (f32::from_f64(min), f32::from_f64(max));
    if !(min <= max) {
        return BAD_ARGUMENT;
    }
    run_update::<f32>(x, len, |s| crate::clip::clamp(s, min, max))
}

#[no_mangle]
pub extern "C" fn dh_clamp_f64(x: usize, len: usize, min: f64, max: f64) -> i32 {
    if !(min <= max) {
        return BAD_ARGUMENT;
    }
    run_update::<f64>(x, len, |s| crate::clip::clamp(s, min, max))
}

// ---------------------------------------------------------------------------------
// Random numbers (crate/src/rng.rs): the generator's state is 4 u32 words at `state`,
// advanced in place; draws go to `len` elements at `out`.

/// Checks the state and the output buffer (disjoint), refuses the all-zero state (a
/// fixed point of xoshiro) unless `seeding`, then runs `draw`.
fn run_rng<T>(state: usize, out: usize, len: usize, seeding: bool, draw: impl FnOnce(&mut [u32; 4], &mut [T])) -> i32 {
    let spans = match (span::<u32>(state, 4), span::<T>(out, len)) {
        (Ok(a), Ok(b)) => [a, b],
        (Err(status), _) | (_, Err(status)) => return status,
    };
    if !disjoint(&spans) {
        return ALIASED;
    }
    if u32::try_from(len).is_err() {
        return BAD_ARGUMENT;
    }
    // SAFETY: both ranges were checked above (non-null, aligned, inside linear memory)
    // and do not overlap; the TS owner keeps them alive during the call.
    unsafe {
        let words = &mut *(state as *mut [u32; 4]);
        if !seeding && *words == [0; 4] {
            return BAD_ARGUMENT;
        }
        draw(words, slice_mut::<T>(out, len));
    }
    OK
}

/// `(seed, state) -> status`: writes the state of `rng::seed(seed)`.
#[no_mangle]
pub extern "C" fn dh_rng_seed(seed: u32, state: usize) -> i32 {
    run_rng::<u32>(state, 0, 0, true, |s, _| *s = crate::rng::seed(seed))
}

/// `(state, out, len) -> status`: `len` outputs of `rng::next_u32` as u32s.
#[no_mangle]
pub extern "C" fn dh_rng_next_u32(state: usize, out: usize, len: usize) -> i32 {
    run_rng::<u32>(state, out, len, false, |s, out| out.iter_mut().for_each(|x| *x = crate::rng::next_u32(s)))
}

/// `(state, out, len) -> status`: `len` draws of `rng::uniform` as f64s.
#[no_mangle]
pub extern "C" fn dh_rng_uniform(state: usize, out: usize, len: usize) -> i32 {
    run_rng::<f64>(state, out, len, false, |s, out| out.iter_mut().for_each(|x| *x = crate::rng::uniform(s)))
}

/// `(state, n, out, len) -> status`: `len` draws of `rng::below(n)`; BAD_ARGUMENT if n = 0.
#[no_mangle]
pub extern "C" fn dh_rng_below(state: usize, n: u32, out: usize, len: usize) -> i32 {
    if n == 0 {
        return BAD_ARGUMENT;
    }
    run_rng::<u32>(state, out, len, false, |s, out| out.iter_mut().for_each(|x| *x = crate::rng::below(s, n)))
}

/// `(state, values, len) -> status`: `rng::shuffle` of the `len` u32s at `values`, in place.
#[no_mangle]
pub extern "C" fn dh_rng_shuffle(state: usize, values: usize, len: usize) -> i32 {
    run_rng::<u32>(state, values, len, false, crate::rng::shuffle)
}

// ---------------------------------------------------------------------------------
// Losses (crate/src/loss/): the value and the gradient w.r.t. the predictions in one
// call; the value, widened exactly to f64, goes to the f64 at `out`.

/// Checks the read-only `inputs` (which may overlap each other), the written `grad`
/// (which may overlap nothing) and `out`.
fn loss_spans<T>(inputs: &[(usize, usize)], grad: (usize, usize), out: usize) -> Result<(), i32> {
    let g = span::<T>(grad.0, grad.1)?;
    let o = span::<f64>(out, 1)?;
    if !disjoint(&[g, o]) {
        return Err(ALIASED);
    }
    for &(ptr, len) in inputs {
        let s = span::<T>(ptr, len)?;
        if !disjoint(&[s, g]) || !disjoint(&[s, o]) {
            return Err(ALIASED);
        }
    }
    Ok(())
}

/// Runs `kernel(pred, target, grad)` over `len` elements each and writes its value to `out`.
fn run_loss<T: Float>(pred: usize, target: usize, len: usize, grad: usize, out: usize, kernel: impl FnOnce(&[T], &[T], &mut [T]) -> T) -> i32 {
    if let Err(status) = loss_spans::<T>(&[(pred, len), (target, len)], (grad, len), out) {
        return status;
    }
    // SAFETY: every range was checked above (non-null unless empty, aligned, inside linear
    // memory); `grad` and `out` overlap nothing, and the inputs are only read.
    unsafe {
        let value = kernel(slice::<T>(pred, len), slice::<T>(target, len), slice_mut::<T>(grad, len)).to_f64();
        *(out as *mut f64) = value;
    }
    OK
}

/// Exports `$f32` and `$f64`: `(pred, target, len, grad, out) -> status` running
/// `loss::$module::$kernel`.
macro_rules! loss_exports {
    ($module:ident, $kernel:ident, $f32:ident, $f64:ident) => {
        #[no_mangle]
        pub extern "C" fn $f32(pred: usize, target: usize, len: usize, grad: usize, out: usize) -> i32 {
            run_loss::<f32>(pred, target, len, grad, out, crate::loss::$module::$kernel::<f32>)
        }

        #[no_mangle]
        pub extern "C" fn $f64(pred: usize, target: usize, len: usize, grad: usize, out: usize) -> i32 {
            run_loss::<f64>(pred, target, len, grad, out, crate::loss::$module::$kernel::<f64>)
        }
    };
}

loss_exports!(mse, rss, dh_rss_f32, dh_rss_f64);
loss_exports!(mse, mse, dh_mse_f32, dh_mse_f64);
loss_exports!(mae, mae, dh_mae_f32, dh_mae_f64);
loss_exports!(bce, bce_with_logits, dh_bce_with_logits_f32, dh_bce_with_logits_f64);

/// `(pred, target, len, delta, grad, out) -> status`: the mean Huber loss; BAD_ARGUMENT
/// unless `delta`, rounded to the dtype, is finite and > 0.
#[no_mangle]
pub extern "C" fn dh_huber_f32(pred: usize, target: usize, len: usize, delta: f64, grad: usize, out: usize) -> i32 {
    let delta = f32::from_f64(delta);
    if !(delta > 0.0 && delta <= f32::MAX) {
        return BAD_ARGUMENT;
    }
    run_loss::<f32>(pred, target, len, grad, out, |p, t, g| crate::loss::huber::huber(p, t, delta, g))
}

#[no_mangle]
pub extern "C" fn dh_huber_f64(pred: usize, target: usize, len: usize, delta: f64, grad: usize, out: usize) -> i32 {
    if !(delta > 0.0 && delta <= f64::MAX) {
        return BAD_ARGUMENT;
    }
    run_loss::<f64>(pred, target, len, grad, out, |p, t, g| crate::loss::huber::huber(p, t, delta, g))
}

/// The partial losses (crate/src/loss/*_partial): `len` rows' share of a mean over
/// `total` rows, for data-parallel fits. BAD_ARGUMENT unless `total` >= max(len, 1).
fn run_loss_partial<T: Float>(pred: usize, target: usize, len: usize, total: usize, grad: usize, out: usize, kernel: impl FnOnce(&[T], &[T], usize, &mut [T]) -> T) -> i32 {
    if total == 0 || total < len {
        return BAD_ARGUMENT;
    }
    run_loss::<T>(pred, target, len, grad, out, |p, t, g| kernel(p, t, total, g))
}

/// Exports `$f32` and `$f64`: `(pred, target, len, total, grad, out) -> status` running
/// `loss::$module::$kernel`, the `len` rows' share of the mean over `total` rows.
macro_rules! loss_partial_exports {
    ($module:ident, $kernel:ident, $f32:ident, $f64:ident) => {
        #[no_mangle]
        pub extern "C" fn $f32(pred: usize, target: usize, len: usize, total: usize, grad: usize, out: usize) -> i32 {
            run_loss_partial::<f32>(pred, target, len, total, grad, out, crate::loss::$module::$kernel::<f32>)
        }

        #[no_mangle]
        pub extern "C" fn $f64(pred: usize, target: usize, len: usize, total: usize, grad: usize, out: usize) -> i32 {
            run_loss_partial::<f64>(pred, target, len, total, grad, out, crate::loss::$module::$kernel::<f64>)
        }
    };
}

loss_partial_exports!(mse, mse_partial, dh_mse_partial_f32, dh_mse_partial_f64);
loss_partial_exports!(mae, mae_partial, dh_mae_partial_f32, dh_mae_partial_f64);
loss_partial_exports!(bce, bce_with_logits_partial, dh_bce_with_logits_partial_f32, dh_bce_with_logits_partial_f64);

/// `(pred, target, len, delta, total, grad, out) -> status`: the Huber loss's partial
/// (see `loss_partial_exports!`); `delta` as in `dh_huber_*`.
#[no_mangle]
pub extern "C" fn dh_huber_partial_f32(pred: usize, target: usize, len: usize, delta: f64, total: usize, grad: usize, out: usize) -> i32 {
    let delta = f32::from_f64(delta);
    if !(delta > 0.0 && delta <= f32::MAX) {
        return BAD_ARGUMENT;
    }
    run_loss_partial::<f32>(pred, target, len, total, grad, out, |p, t, total, g| crate::loss::huber::huber_partial(p, t, delta, total, g))
}

#[no_mangle]
pub extern "C" fn dh_huber_partial_f64(pred: usize, target: usize, len: usize, delta: f64, total: usize, grad: usize, out: usize) -> i32 {
    if !(delta > 0.0 && delta <= f64::MAX) {
        return BAD_ARGUMENT;
    }
    run_loss_partial::<f64>(pred, target, len, total, grad, out, |p, t, total, g| crate::loss::huber::huber_partial(p, t, delta, total, g))
}

/// `(pred, target, len, out) -> status`: `out ← target − pred` (`out` may be neither input).
fn run_residual<T: Float>(pred: usize, target: usize, len: usize, out: usize) -> i32 {
    let (p, t, o) = match (span::<T>(pred, len), span::<T>(target, len), span::<T>(out, len)) {
        (Ok(p), Ok(t), Ok(o)) => (p, t, o),
        (Err(status), _, _) | (_, Err(status), _) | (_, _, Err(status)) => return status,
    };
    if !disjoint(&[p, o]) || !disjoint(&[t, o]) {
        return ALIASED;
    }
    // SAFETY: checked above; `out` overlaps neither input, which are only read.
    unsafe { crate::loss::mse::residual(slice::<T>(pred, len), slice::<T>(target, len), slice_mut::<T>(out, len)) };
    OK
}

#[no_mangle]
pub extern "C" fn dh_residual_f32(pred: usize, target: usize, len: usize, out: usize) -> i32 {
    run_residual::<f32>(pred, target, len, out)
}

#[no_mangle]
pub extern "C" fn dh_residual_f64(pred: usize, target: usize, len: usize, out: usize) -> i32 {
    run_residual::<f64>(pred, target, len, out)
}

/// Runs a cross-entropy kernel over `rows × classes` logits; `target` holds `rows`
/// class indices (`probs` false: each an integer in [0, classes), checked first) or
/// `rows × classes` probabilities. BAD_ARGUMENT for rows > 0 with no class.
fn run_cross_entropy<T: Float>(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize, probs: bool) -> i32 {
    run_cross_entropy_of::<T>(logits, target, rows, classes, grad, out, probs, None)
}

/// run_cross_entropy, or with `partial` = Some(total) (class indices only) the rows'
/// share of the mean over `total` >= max(rows, 1) rows.
#[allow(clippy::too_many_arguments)]
fn run_cross_entropy_of<T: Float>(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize, probs: bool, partial: Option<usize>) -> i32 {
    let len = match rows.checked_mul(classes) {
        Some(len) => len,
        None => return OUT_OF_BOUNDS,
    };
    if (rows > 0 && classes == 0) || matches!(partial, Some(total) if total == 0 || total < rows || probs) {
        return BAD_ARGUMENT;
    }
    let target_len = if probs { len } else { rows };
    if let Err(status) = loss_spans::<T>(&[(logits, len), (target, target_len)], (grad, len), out) {
        return status;
    }
    // SAFETY: every range was checked above; `grad` and `out` overlap nothing, and the
    // inputs are only read.
    unsafe {
        let t = slice::<T>(target, target_len);
        if !probs {
            for &c in t {
                let c = c.to_f64();
                if !(c >= 0.0 && c < classes as f64 && c == (c as usize) as f64) {
                    return BAD_ARGUMENT;
                }
            }
        }
        let (x, g) = (slice::<T>(logits, len), slice_mut::<T>(grad, len));
        let value = match (probs, partial) {
            (true, _) => crate::loss::cross_entropy::cross_entropy_probs(x, t, classes, g),
            (false, None) => crate::loss::cross_entropy::cross_entropy_index(x, t, classes, g),
            (false, Some(total)) => crate::loss::cross_entropy::cross_entropy_index_partial(x, t, classes, total, g),
        };
        *(out as *mut f64) = value.to_f64();
    }
    OK
}

/// `(logits, target, rows, classes, grad, out) -> status`: softmax cross-entropy against
/// class indices stored as floats of the dtype.
#[no_mangle]
pub extern "C" fn dh_cross_entropy_index_f32(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy::<f32>(logits, target, rows, classes, grad, out, false)
}

#[no_mangle]
pub extern "C" fn dh_cross_entropy_index_f64(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy::<f64>(logits, target, rows, classes, grad, out, false)
}

/// `(logits, target, rows, classes, total, grad, out) -> status`: the `rows` rows' share
/// of the mean cross-entropy over `total` rows, against class indices.
#[no_mangle]
pub extern "C" fn dh_cross_entropy_index_partial_f32(logits: usize, target: usize, rows: usize, classes: usize, total: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy_of::<f32>(logits, target, rows, classes, grad, out, false, Some(total))
}

#[no_mangle]
pub extern "C" fn dh_cross_entropy_index_partial_f64(logits: usize, target: usize, rows: usize, classes: usize, total: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy_of::<f64>(logits, target, rows, classes, grad, out, false, Some(total))
}

/// `(logits, target, rows, classes, grad, out) -> status`: softmax cross-entropy against
/// class probabilities.
#[no_mangle]
pub extern "C" fn dh_cross_entropy_probs_f32(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy::<f32>(logits, target, rows, classes, grad, out, true)
}

#[no_mangle]
pub extern "C" fn dh_cross_entropy_probs_f64(logits: usize, target: usize, rows: usize, classes: usize, grad: usize, out: usize) -> i32 {
    run_cross_entropy::<f64>(logits, target, rows, classes, grad, out, true)
}

/// Runs a weight penalty: its value to `out`, its gradient added into `grad`; BAD_ARGUMENT
/// unless `lambda` is finite and >= 0.
fn run_penalty<T: Float>(weights: usize, len: usize, lambda: f64, grad: usize, out: usize, kernel: impl FnOnce(&[T], T, &mut [T]) -> T) -> i32 {
    if !(lambda >= 0.0 && lambda <= f64::MAX) {
        return BAD_ARGUMENT;
    }
    if let Err(status) = loss_spans::<T>(&[(weights, len)], (grad, len), out) {
        return status;
    }
    // SAFETY: every range was checked above; `grad` and `out` overlap nothing.
    unsafe {
        let value = kernel(slice::<T>(weights, len), T::from_f64(lambda), slice_mut::<T>(grad, len)).to_f64();
        *(out as *mut f64) = value;
    }
    OK
}

/// Exports `$f32` and `$f64`: `(weights, len, lambda, grad, out) -> status` running
/// `loss::penalty::$kernel`.
macro_rules! penalty_exports {
    ($kernel:ident, $f32:ident, $f64:ident) => {
        #[no_mangle]
        pub extern "C" fn $f32(weights: usize, len: usize, lambda: f64, grad: usize, out: usize) -> i32 {
            run_penalty::<f32>(weights, len, lambda, grad, out, crate::loss::penalty::$kernel::<f32>)
        }

        #[no_mangle]
        pub extern "C" fn $f64(weights: usize, len: usize, lambda: f64, grad: usize, out: usize) -> i32 {
            run_penalty::<f64>(weights, len, lambda, grad, out, crate::loss::penalty::$kernel::<f64>)
        }
    };
}

penalty_exports!(l2_penalty, dh_l2_penalty_f32, dh_l2_penalty_f64);
penalty_exports!(l1_penalty, dh_l1_penalty_f32, dh_l1_penalty_f64);

// ---------------------------------------------------------------------------------
// Models (crate/src/model/): forward, loss and backward of one batch of a resident
// dataset in one call; the mean loss (plus penalties), widened exactly to f64, goes to
// the f64 at `out`.

/// Which model kernel runs: crate/src/model/{linear,logistic,softmax}.rs.
#[derive(Clone, Copy, PartialEq)]
enum Model {
    Linear,
    Logistic,
    Softmax,
}

/// The arguments every model export takes (see `model_exports!`).
struct ModelArgs {
    x: usize,
    y: usize,
    n: usize,
    d: usize,
    k: usize,
    rows: usize,
    count: usize,
    /// Rows of the whole batch whose mean the partial kernels take their share of.
    total: usize,
    w: usize,
    b: usize,
    bias: u32,
    grad_w: usize,
    grad_b: usize,
    scratch: usize,
    scratch_len: usize,
    loss: u32,
    delta: f64,
    l2: f64,
    l1: f64,
    out: usize,
}

/// Checks every buffer (the written ones — gradients, scratch, `out` — overlap nothing),
/// the hyperparameters, each row index (< n) and, for softmax, each target of the batch
/// (an integer in [0, k)), then runs the model's kernel: `partial` runs its
/// `partial_loss_and_gradient` (the batch's share of a mean over `total` >= count rows,
/// without penalties), otherwise `loss_and_gradient`.
/// A model call's hyperparameters, rounded to the dtype, and the lengths of its buffers.
struct ModelShape<T> {
    l2: T,
    l1: T,
    delta: T,
    x_len: usize,
    w_len: usize,
    b_len: usize,
}

/// Checks what every model export takes besides pointers: outputs, bias flag, penalties,
/// loss and Huber threshold, sizes, and a scratch of `batch · (2k + 1)` values.
fn model_shape<T: Float>(model: Model, a: &ModelArgs, batch: usize) -> Result<ModelShape<T>, i32> {
    use crate::model::linear;
    if a.k == 0 || (model != Model::Softmax && a.k != 1) || a.bias > 1 {
        return Err(BAD_ARGUMENT);
    }
    let (l2, l1) = (T::from_f64(a.l2), T::from_f64(a.l1));
    if !(a.l2 >= 0.0 && a.l2 <= f64::MAX && a.l1 >= 0.0 && a.l1 <= f64::MAX) || !(l2.to_f64() <= f64::MAX && l1.to_f64() <= f64::MAX) {
        return Err(BAD_ARGUMENT);
    }
    let delta = T::from_f64(a.delta);
    if model == Model::Linear && (a.loss > linear::HUBER || (a.loss == linear::HUBER && !(delta > T::ZERO && delta.to_f64() <= f64::MAX))) {
        return Err(BAD_ARGUMENT);
    }
    let (x_len, w_len) = match (a.n.checked_mul(a.d), a.d.checked_mul(a.k)) {
        (Some(x), Some(w)) => (x, w),
        _ => return Err(OUT_OF_BOUNDS),
    };
    match batch.checked_mul(2 * a.k + 1) {
        Some(need) if need <= a.scratch_len => {}
        Some(_) => return Err(BAD_ARGUMENT),
        None => return Err(OUT_OF_BOUNDS),
    }
    Ok(ModelShape { l2, l1, delta, x_len, w_len, b_len: if a.bias == 1 { a.k } else { 0 } })
}

fn run_model<T: Float>(model: Model, a: &ModelArgs, partial: bool) -> i32 {
    use crate::model::{affine, linear, logistic, softmax};
    if partial && (a.total == 0 || a.total < a.count) {
        return BAD_ARGUMENT;
    }
    let ModelShape { l2, l1, delta, x_len, w_len, b_len } = match model_shape::<T>(model, a, a.count) {
        Ok(shape) => shape,
        Err(status) => return status,
    };
    let checked = (|| -> Result<([Span; 5], [Span; 4]), i32> {
        let inputs = [span::<T>(a.x, x_len)?, span::<T>(a.y, a.n)?, span::<u32>(a.rows, a.count)?, span::<T>(a.w, w_len)?, span::<T>(a.b, b_len)?];
        let outputs = [span::<T>(a.grad_w, w_len)?, span::<T>(a.grad_b, b_len)?, span::<T>(a.scratch, a.scratch_len)?, span::<f64>(a.out, 1)?];
        Ok((inputs, outputs))
    })();
    let (inputs, outputs) = match checked {
        Ok(spans) => spans,
        Err(status) => return status,
    };
    if !writes_apart(&inputs, &outputs) {
        return ALIASED;
    }
    // SAFETY: every range was checked above (non-null unless empty, aligned, inside linear
    // memory); the written ranges overlap nothing, and the inputs are only read.
    unsafe {
        let rows = slice::<u32>(a.rows, a.count);
        let y = slice::<T>(a.y, a.n);
        if !rows_valid(rows, y, a.n, if model == Model::Softmax { Some(a.k) } else { None }) {
            return BAD_ARGUMENT;
        }
        let batch = affine::Batch { x: slice::<T>(a.x, x_len), y, d: a.d, rows, follows: false };
        let (w, b) = (slice::<T>(a.w, w_len), slice::<T>(a.b, b_len));
        let (grad_w, grad_b, scratch) = (slice_mut::<T>(a.grad_w, w_len), slice_mut::<T>(a.grad_b, b_len), slice_mut::<T>(a.scratch, a.scratch_len));
        let loss = linear::Loss { code: a.loss, delta };
        let value = match (model, partial) {
            (Model::Linear, false) => linear::loss_and_gradient(&batch, loss, l2, l1, w, b, grad_w, grad_b, scratch),
            (Model::Logistic, false) => logistic::loss_and_gradient(&batch, l2, l1, w, b, grad_w, grad_b, scratch),
            (Model::Softmax, false) => softmax::loss_and_gradient(&batch, a.k, l2, l1, w, b, grad_w, grad_b, scratch),
            (Model::Linear, true) => linear::partial_loss_and_gradient(&batch, loss, a.total, w, b, grad_w, grad_b, scratch),
            (Model::Logistic, true) => logistic::partial_loss_and_gradient(&batch, a.total, w, b, grad_w, grad_b, scratch),
            (Model::Softmax, true) => softmax::partial_loss_and_gradient(&batch, a.k, a.total, w, b, grad_w, grad_b, scratch),
        };
        *(a.out as *mut f64) = value.to_f64();
    }
    OK
}

/// Exports `$f32` and `$f64`: `(x, y, n, d, k, rows, count, w, b, bias, grad_w, grad_b,
/// scratch, scratch_len, loss, delta, l2, l1, out) -> status` running `$model`'s kernel on
/// the `count` rows (u32 indices) at `rows` of the `n × d` features at `x` and targets at
/// `y`, with `k` outputs, `bias` 1 (b and grad_b hold k values) or 0 (no bias), `loss` and
/// `delta` (linear regression only: 0 MSE, 1 MAE, 2 Huber) and penalties `l2`, `l1`.
macro_rules! model_exports {
    ($model:expr, $f32:ident, $f64:ident) => {
        model_export!($model, f32 => $f32);
        model_export!($model, f64 => $f64);
    };
}

/// One export of `model_exports!`, for element type `$t`.
macro_rules! model_export {
    ($model:expr, $t:ty => $name:ident) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $name(
            x: usize, y: usize, n: usize, d: usize, k: usize, rows: usize, count: usize,
            w: usize, b: usize, bias: u32, grad_w: usize, grad_b: usize, scratch: usize, scratch_len: usize,
            loss: u32, delta: f64, l2: f64, l1: f64, out: usize,
        ) -> i32 {
            run_model::<$t>($model, &ModelArgs { x, y, n, d, k, rows, count, total: count, w, b, bias, grad_w, grad_b, scratch, scratch_len, loss, delta, l2, l1, out }, false)
        }
    };
}

model_exports!(Model::Linear, dh_linear_f32, dh_linear_f64);
model_exports!(Model::Logistic, dh_logistic_f32, dh_logistic_f64);
model_exports!(Model::Softmax, dh_softmax_f32, dh_softmax_f64);

/// Exports `$f32` and `$f64`: `(x, y, n, d, k, rows, count, total, w, b, bias, grad_w,
/// grad_b, scratch, scratch_len, loss, delta, out) -> status` running `$model`'s
/// `partial_loss_and_gradient`: the `count` rows' share of the mean loss over `total` rows
/// (a data-parallel fit's worker computes it on its rows of the batch), its loss sum to
/// `out` and the sum of its gradient terms to `grad_w`, `grad_b`; no penalties.
macro_rules! model_partial_exports {
    ($model:expr, $f32:ident, $f64:ident) => {
        model_partial_export!($model, f32 => $f32);
        model_partial_export!($model, f64 => $f64);
    };
}

/// One export of `model_partial_exports!`, for element type `$t`.
macro_rules! model_partial_export {
    ($model:expr, $t:ty => $name:ident) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $name(
            x: usize, y: usize, n: usize, d: usize, k: usize, rows: usize, count: usize, total: usize,
            w: usize, b: usize, bias: u32, grad_w: usize, grad_b: usize, scratch: usize, scratch_len: usize,
            loss: u32, delta: f64, out: usize,
        ) -> i32 {
            run_model::<$t>($model, &ModelArgs { x, y, n, d, k, rows, count, total, w, b, bias, grad_w, grad_b, scratch, scratch_len, loss, delta, l2: 0.0, l1: 0.0, out }, true)
        }
    };
}

model_partial_exports!(Model::Linear, dh_linear_partial_f32, dh_linear_partial_f64);
model_partial_exports!(Model::Logistic, dh_logistic_partial_f32, dh_logistic_partial_f64);
model_partial_exports!(Model::Softmax, dh_softmax_partial_f32, dh_softmax_partial_f64);

/// `(batch, count, first, len, out, capacity, found) -> status`: crate/src/model/affine.rs's
/// `select_rows`, a data-parallel worker's rows of a batch: of the `count` u32 row indices
/// at `batch`, those in `[first, first + len)`, minus `first`, to the `capacity` u32s at
/// `out`; how many there are (possibly more than `capacity`) to the u32 at `found`.
#[no_mangle]
pub extern "C" fn dh_select_rows(batch: usize, count: usize, first: u32, len: u32, out: usize, capacity: usize, found: usize) -> i32 {
    let spans = (|| -> Result<(Span, Span, Span), i32> { Ok((span::<u32>(batch, count)?, span::<u32>(out, capacity)?, span::<u32>(found, 1)?)) })();
    let (b, o, f) = match spans {
        Ok(spans) => spans,
        Err(status) => return status,
    };
    if !disjoint(&[o, f]) || !disjoint(&[b, o]) || !disjoint(&[b, f]) {
        return ALIASED;
    }
    // SAFETY: the three ranges were checked above; `out` and `found` overlap nothing, and
    // `batch` is only read.
    unsafe {
        let n = crate::model::affine::select_rows(slice::<u32>(batch, count), first, len, slice_mut::<u32>(out, capacity));
        *(found as *mut u32) = n as u32;
    }
    OK
}

/// `(rows, len) -> status`: `fill_in_order` of the `len` u32s at `rows` (0, 1, …).
#[no_mangle]
pub extern "C" fn dh_fill_in_order(rows: usize, len: usize) -> i32 {
    if let Err(status) = span::<u32>(rows, len) {
        return status;
    }
    if u32::try_from(len).is_err() {
        return BAD_ARGUMENT;
    }
    // SAFETY: the range was checked above (non-null unless empty, aligned, inside linear
    // memory); the TS owner keeps it alive during the call.
    unsafe { crate::model::affine::fill_in_order(slice_mut::<u32>(rows, len)) };
    OK
}

/// The arguments of the MLP export (see `mlp_exports!`).
struct MlpArgs {
    x: usize,
    y: usize,
    n: usize,
    rows: usize,
    count: usize,
    /// Rows of the whole batch whose mean the partial kernel takes its share of.
    total: usize,
    sizes: usize,
    layers: usize,
    table: usize,
    activation: u32,
    output: u32,
    scratch: usize,
    scratch_len: usize,
    l2: f64,
    out: usize,
}

/// Checks the layer sizes (each >= 1; one output unit unless softmax), the codes, every
/// buffer (the written ones — gradients, scratch, `out` — overlap nothing), each row index
/// (< n) and, for softmax, each target of the batch, then runs crate/src/model/mlp.rs:
/// `partial_loss_and_gradient` (the batch's share of a mean over `total` >= count rows,
/// without the penalty) when `partial`, otherwise `loss_and_gradient`.
fn run_mlp<T: Float>(a: &MlpArgs, partial: bool) -> i32 {
    use crate::model::{affine, mlp};
    if a.layers == 0 || a.layers > 1024 || a.activation > mlp::SIGMOID || a.output > mlp::SOFTMAX || (partial && (a.total == 0 || a.total < a.count)) {
        return BAD_ARGUMENT;
    }
    let l2 = T::from_f64(a.l2);
    if !(a.l2 >= 0.0 && a.l2 <= f64::MAX && l2.to_f64() <= f64::MAX) {
        return BAD_ARGUMENT;
    }
    let (sizes_span, table_span) = match (span::<u32>(a.sizes, a.layers + 1), span::<u32>(a.table, 4 * a.layers)) {
        (Ok(s), Ok(t)) => (s, t),
        (Err(status), _) | (_, Err(status)) => return status,
    };
    // SAFETY: both ranges were checked just above; they are only read.
    let (sizes32, table) = unsafe { (slice::<u32>(a.sizes, a.layers + 1), slice::<u32>(a.table, 4 * a.layers)) };
    let sizes: Vec<usize> = sizes32.iter().map(|&s| s as usize).collect();
    let k = sizes[a.layers];
    if sizes.iter().any(|&s| s == 0) || (a.output != mlp::SOFTMAX && k != 1) {
        return BAD_ARGUMENT;
    }
    let d = sizes[0];
    let mut need = Some(0usize);
    for &s in &sizes {
        need = need.and_then(|t| t.checked_add(s));
    }
    let widest = sizes[1..].iter().copied().max().unwrap_or(0);
    let need = need
        .and_then(|t| t.checked_add(1))
        .and_then(|t| widest.checked_mul(2).and_then(|w| t.checked_add(w)))
        .and_then(|t| t.checked_mul(a.count));
    match need {
        Some(need) if need <= a.scratch_len => {}
        Some(_) => return BAD_ARGUMENT,
        None => return OUT_OF_BOUNDS,
    }
    let x_len = match a.n.checked_mul(d) {
        Some(len) => len,
        None => return OUT_OF_BOUNDS,
    };
    let checked = (|| -> Result<(Vec<Span>, Vec<Span>), i32> {
        let mut inputs = vec![span::<T>(a.x, x_len)?, span::<T>(a.y, a.n)?, span::<u32>(a.rows, a.count)?, sizes_span, table_span];
        let mut outputs = vec![span::<T>(a.scratch, a.scratch_len)?, span::<f64>(a.out, 1)?];
        for l in 0..a.layers {
            let w_len = sizes[l].checked_mul(sizes[l + 1]).ok_or(OUT_OF_BOUNDS)?;
            let b_len = sizes[l + 1];
            let row = &table[4 * l..4 * l + 4];
            inputs.push(span::<T>(row[0] as usize, w_len)?);
            inputs.push(span::<T>(row[1] as usize, b_len)?);
            outputs.push(span::<T>(row[2] as usize, w_len)?);
            outputs.push(span::<T>(row[3] as usize, b_len)?);
        }
        Ok((inputs, outputs))
    })();
    let (inputs, outputs) = match checked {
        Ok(spans) => spans,
        Err(status) => return status,
    };
    if !writes_apart(&inputs, &outputs) {
        return ALIASED;
    }
    // SAFETY: every range was checked above (non-null unless empty, aligned, inside linear
    // memory); the written ranges overlap nothing, and the inputs are only read.
    unsafe {
        let rows = slice::<u32>(a.rows, a.count);
        let y = slice::<T>(a.y, a.n);
        if !rows_valid(rows, y, a.n, if a.output == mlp::SOFTMAX { Some(k) } else { None }) {
            return BAD_ARGUMENT;
        }
        let batch = affine::Batch { x: slice::<T>(a.x, x_len), y, d, rows, follows: false };
        let mut weights: Vec<&[T]> = Vec::with_capacity(a.layers);
        let mut biases: Vec<&[T]> = Vec::with_capacity(a.layers);
        let mut grad_w: Vec<&mut [T]> = Vec::with_capacity(a.layers);
        let mut grad_b: Vec<&mut [T]> = Vec::with_capacity(a.layers);
        for l in 0..a.layers {
            let (w_len, b_len) = (sizes[l] * sizes[l + 1], sizes[l + 1]);
            let row = &table[4 * l..4 * l + 4];
            weights.push(slice::<T>(row[0] as usize, w_len));
            biases.push(slice::<T>(row[1] as usize, b_len));
            grad_w.push(slice_mut::<T>(row[2] as usize, w_len));
            grad_b.push(slice_mut::<T>(row[3] as usize, b_len));
        }
        let scratch = slice_mut::<T>(a.scratch, a.scratch_len);
        let value = if partial {
            mlp::partial_loss_and_gradient(&batch, &sizes, a.activation, a.output, a.total, &weights, &biases, &mut grad_w, &mut grad_b, scratch)
        } else {
            mlp::loss_and_gradient(&batch, &sizes, a.activation, a.output, l2, &weights, &biases, &mut grad_w, &mut grad_b, scratch)
        };
        *(a.out as *mut f64) = value.to_f64();
    }
    OK
}

/// Exports `$f32` and `$f64`: `(x, y, n, rows, count, sizes, layers, table, activation,
/// output, scratch, scratch_len, l2, out) -> status` running crate/src/model/mlp.rs on the
/// `count` rows (u32 indices) at `rows` of the `n × sizes[0]` features at `x` and targets
/// at `y`, through `layers` dense layers of the `layers + 1` u32 widths at `sizes`; `table`
/// holds `4 × layers` u32 pointers, per layer `[w, b, grad_w, grad_b]`.
macro_rules! mlp_exports {
    ($f32:ident, $f64:ident) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f32(
            x: usize, y: usize, n: usize, rows: usize, count: usize, sizes: usize, layers: usize, table: usize,
            activation: u32, output: u32, scratch: usize, scratch_len: usize, l2: f64, out: usize,
        ) -> i32 {
            run_mlp::<f32>(&MlpArgs { x, y, n, rows, count, total: count, sizes, layers, table, activation, output, scratch, scratch_len, l2, out }, false)
        }

        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f64(
            x: usize, y: usize, n: usize, rows: usize, count: usize, sizes: usize, layers: usize, table: usize,
            activation: u32, output: u32, scratch: usize, scratch_len: usize, l2: f64, out: usize,
        ) -> i32 {
            run_mlp::<f64>(&MlpArgs { x, y, n, rows, count, total: count, sizes, layers, table, activation, output, scratch, scratch_len, l2, out }, false)
        }
    };
}

mlp_exports!(dh_mlp_f32, dh_mlp_f64);

/// `(x, y, n, rows, count, total, sizes, layers, table, activation, output, scratch,
/// scratch_len, out) -> status`: crate/src/model/mlp.rs's `partial_loss_and_gradient`,
/// the `count` rows' share of the mean loss over `total` rows (a data-parallel fit's
/// worker computes it on its rows of the batch): the loss sum to `out`, the sums of the
/// gradient terms through the pointer table; no penalty. Arguments as `dh_mlp_*`.
macro_rules! mlp_partial_exports {
    ($f32:ident, $f64:ident) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f32(
            x: usize, y: usize, n: usize, rows: usize, count: usize, total: usize, sizes: usize, layers: usize, table: usize,
            activation: u32, output: u32, scratch: usize, scratch_len: usize, out: usize,
        ) -> i32 {
            run_mlp::<f32>(&MlpArgs { x, y, n, rows, count, total, sizes, layers, table, activation, output, scratch, scratch_len, l2: 0.0, out }, true)
        }

        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f64(
            x: usize, y: usize, n: usize, rows: usize, count: usize, total: usize, sizes: usize, layers: usize, table: usize,
            activation: u32, output: u32, scratch: usize, scratch_len: usize, out: usize,
        ) -> i32 {
            run_mlp::<f64>(&MlpArgs { x, y, n, rows, count, total, sizes, layers, table, activation, output, scratch, scratch_len, l2: 0.0, out }, true)
        }
    };
}

mlp_partial_exports!(dh_mlp_partial_f32, dh_mlp_partial_f64);

/// crate/src/math.rs's functions, for the tests that compare them with ts/kernels/math.ts.
#[no_mangle]
pub extern "C" fn dh_exp(x: f64) -> f64 {
    crate::math::exp(x)
}

#[no_mangle]
pub extern "C" fn dh_log(x: f64) -> f64 {
    crate::math::log(x)
}

#[no_mangle]
pub extern "C" fn dh_log1p(x: f64) -> f64 {
    crate::math::log1p(x)
}

// ---------------------------------------------------------------------------------
// Optimizer steps: one export per kernel and dtype, all with the same signature.

fn run_step<T: Float, S: Kernel<T, K>, const K: usize>(
    table: usize,
    count: usize,
    scalars: [f64; SCALARS],
    flags: u32,
) -> i32 {
    let kernel = S::new(&scalars, flags);
    for_each_tensor::<T, K>(table, count, kernel.required_states(), |t| {
        kernel.step(t.param, &*t.grad, t.state);
        Ok(())
    })
}

/// Exports `$f32` and `$f64`: `(table, count, s0 … s7, flags) -> status` running
/// `$kernel` (a [`Kernel`] with `$k` state buffers) on every row of the table.
macro_rules! step_exports {
    ($kernel:ident, $k:literal, $f32:ident, $f64:ident) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f32(
            table: usize, count: usize,
            s0: f64, s1: f64, s2: f64, s3: f64, s4: f64, s5: f64, s6: f64, s7: f64,
            flags: u32,
        ) -> i32 {
            run_step::<f32, optim::$kernel::Step<f32>, $k>(table, count, [s0, s1, s2, s3, s4, s5, s6, s7], flags)
        }

        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f64(
            table: usize, count: usize,
            s0: f64, s1: f64, s2: f64, s3: f64, s4: f64, s5: f64, s6: f64, s7: f64,
            flags: u32,
        ) -> i32 {
            run_step::<f64, optim::$kernel::Step<f64>, $k>(table, count, [s0, s1, s2, s3, s4, s5, s6, s7], flags)
        }
    };
}

step_exports!(sgd, 1, dh_sgd_step_f32, dh_sgd_step_f64);
step_exports!(adagrad, 1, dh_adagrad_step_f32, dh_adagrad_step_f64);
step_exports!(rmsprop, 3, dh_rmsprop_step_f32, dh_rmsprop_step_f64);
step_exports!(adadelta, 2, dh_adadelta_step_f32, dh_adadelta_step_f64);
step_exports!(lion, 1, dh_lion_step_f32, dh_lion_step_f64);
step_exports!(adam, 3, dh_adam_step_f32, dh_adam_step_f64);
step_exports!(adamax, 2, dh_adamax_step_f32, dh_adamax_step_f64);
step_exports!(nadam, 2, dh_nadam_step_f32, dh_nadam_step_f64);
step_exports!(radam, 2, dh_radam_step_f32, dh_radam_step_f64);

// ---------------------------------------------------------------------------------
// Training (crate/src/train.rs): many batches of a linear model, each with its optimizer
// step, in one call.

/// The arguments of a train export besides the model's (see `train_exports!`).
struct TrainArgs {
    model: ModelArgs,
    which: Model,
    batch: usize,
    table: usize,
    scalars: usize,
    flags: usize,
    max_norm: f64,
    tol: f64,
    losses: usize,
    norms: usize,
    /// Whole epochs over the `count` rows (0: one run of batches, no epoch-end work).
    epochs: usize,
    /// 4 u32 words of rng state (shuffle before each epoch), or 0.
    rng: usize,
    /// 5 f64: tol (NaN for none), patience, bad epochs, best loss, best epoch (written).
    watch: usize,
    /// The best weights: the weights' then the bias's values.
    best: usize,
}

/// Checks everything — the model's arguments, every row of the batches, the step table
/// (row 0 the weights, row 1 the bias), every step's hyperparameters against the state
/// buffers present, and that no two buffers overlap — then runs crate/src/train.rs's
/// `steps` with kernel `S`. The number of batches recorded goes to the u32 at `out`.
fn run_train<T: Float, S: Kernel<T, K>, const K: usize>(t: &TrainArgs) -> i32 {
    use crate::model::{affine, linear, logistic, softmax};
    use crate::train::{epochs, steps, Records, Watch};
    let a = &t.model;
    if a.count == 0 || t.batch == 0 || !(t.max_norm.is_nan() || t.max_norm >= 0.0) || t.tol.is_nan() {
        return BAD_ARGUMENT;
    }
    if t.epochs > 0 && (t.epochs > u32::MAX as usize || a.count > u32::MAX as usize) {
        return BAD_ARGUMENT;
    }
    let ModelShape { l2, l1, delta, x_len, w_len, b_len } = match model_shape::<T>(t.which, a, t.batch.min(a.count)) {
        Ok(shape) => shape,
        Err(status) => return status,
    };
    let tensors = 1 + a.bias as usize;
    let per = (a.count + t.batch - 1) / t.batch;
    let count = match per.checked_mul(t.epochs.max(1)) {
        Some(count) if count <= u32::MAX as usize => count,
        _ => return BAD_ARGUMENT,
    };
    let rows = match table::<K>(t.table, tensors) {
        Ok(rows) => rows,
        Err(status) => return status,
    };
    let checked = (|| -> Result<Vec<Span>, i32> {
        let mut spans = vec![
            span::<T>(a.x, x_len)?,
            span::<T>(a.y, a.n)?,
            span::<u32>(a.rows, a.count)?,
            span::<T>(a.scratch, a.scratch_len)?,
            span::<f64>(t.scalars, count * SCALARS)?,
            span::<u32>(t.flags, count)?,
            span::<f64>(t.losses, count)?,
            span::<f64>(t.norms, count)?,
            span::<u32>(a.out, 1)?,
            span::<u32>(t.table, tensors * (3 + K))?,
        ];
        if t.epochs > 0 {
            spans.push(span::<f64>(t.watch, 5)?);
            spans.push(span::<T>(t.best, w_len + b_len)?);
            if t.rng != 0 {
                spans.push(span::<u32>(t.rng, 4)?);
            }
        }
        for (i, row) in rows.chunks_exact(3 + K).enumerate() {
            if row[0] as usize != if i == 0 { w_len } else { b_len } {
                return Err(BAD_ARGUMENT);
            }
            let at = spans.len();
            spans.resize(at + 2 + K, Span { start: 0, end: 0 });
            let present = row_spans::<T, K>(row, 0, &mut spans, at)?;
            spans.truncate(at + present);
        }
        Ok(spans)
    })();
    let spans = match checked {
        Ok(spans) => spans,
        Err(status) => return status,
    };
    if !disjoint(&spans) {
        return ALIASED;
    }
    // SAFETY: every range was checked above (non-null unless empty, aligned, inside linear
    // memory) and no two overlap; the slices made from them live only for this call.
    unsafe {
        let order = slice_mut::<u32>(a.rows, a.count);
        let y = slice::<T>(a.y, a.n);
        if !rows_valid(order, y, a.n, if t.which == Model::Softmax { Some(a.k) } else { None }) {
            return BAD_ARGUMENT;
        }
        let mut watch = None;
        if t.epochs > 0 {
            let w = slice::<f64>(t.watch, 5);
            let (tol, patience, bad) = (w[0], w[1], w[2]);
            let whole = |v: f64| v >= 0.0 && v <= u32::MAX as f64 && v == v.trunc();
            if !(tol.is_nan() || tol.is_finite()) || !whole(patience) || patience < 1.0 || !whole(bad) || w[3].is_nan() {
                return BAD_ARGUMENT;
            }
            if t.rng != 0 && *(t.rng as *const [u32; 4]) == [0; 4] {
                return BAD_ARGUMENT;
            }
            let tol = if tol.is_nan() { None } else { Some(tol) };
            watch = Some(Watch { tol, patience: patience as usize, bad: bad as usize, best_loss: w[3], best_epoch: 0 });
        }
        let (scalars, flags) = (slice::<f64>(t.scalars, count * SCALARS), slice::<u32>(t.flags, count));
        let mut slots: Vec<Slot<T, K>> = rows.chunks_exact(3 + K).map(|row| row_slot::<T, K>(row)).collect();
        for j in 0..count {
            let mut hyper = [0.0; SCALARS];
            hyper.copy_from_slice(&scalars[j * SCALARS..(j + 1) * SCALARS]);
            let required = S::new(&hyper, flags[j]).required_states();
            for slot in &slots {
                if (0..K).any(|k| required & (1 << k) != 0 && slot.state[k].len() != slot.param.len()) {
                    return MISSING_STATE;
                }
            }
        }
        let x = slice::<T>(a.x, x_len);
        let scratch = slice_mut::<T>(a.scratch, a.scratch_len);
        let records = Records { loss: slice_mut::<f64>(t.losses, count), norm: slice_mut::<f64>(t.norms, count) };
        let (which, d, k, loss) = (t.which, a.d, a.k, linear::Loss { code: a.loss, delta });
        let max_norm = if t.max_norm.is_nan() { None } else { Some(t.max_norm) };
        // An order this call does not shuffle keeps its rows where they are: when they
        // follow each other, so do every batch's, checked here once instead of per batch.
        let follows = (t.epochs == 0 || t.rng == 0) && affine::consecutive(order).is_some();
        let model = |rows: &[u32], slots: &mut [Slot<T, K>]| {
            let (first, rest) = slots.split_at_mut(1);
            let weights = &mut first[0];
            let (b, grad_b): (&[T], &mut [T]) = match rest.first_mut() {
                Some(bias) => (&*bias.param, &mut *bias.grad),
                None => (&[], &mut []),
            };
            let batch = affine::Batch { x, y, d, rows, follows };
            match which {
                Model::Linear => linear::loss_and_gradient(&batch, loss, l2, l1, &*weights.param, b, &mut *weights.grad, grad_b, scratch),
                Model::Logistic => logistic::loss_and_gradient(&batch, l2, l1, &*weights.param, b, &mut *weights.grad, grad_b, scratch),
                Model::Softmax => softmax::loss_and_gradient(&batch, k, l2, l1, &*weights.param, b, &mut *weights.grad, grad_b, scratch),
            }
        };
        let done = match watch.as_mut() {
            None => steps::<T, S, K>(&mut slots, order, t.batch, scalars, flags, max_norm, t.tol, records, model),
            Some(watch) => {
                let rng = if t.rng == 0 { None } else { Some(&mut *(t.rng as *mut [u32; 4])) };
                let best = slice_mut::<T>(t.best, w_len + b_len);
                let done = epochs::<T, S, K>(&mut slots, order, t.batch, t.epochs, rng, scalars, flags, max_norm, t.tol, watch, best, records, model);
                let w = slice_mut::<f64>(t.watch, 5);
                w[2] = watch.bad as f64;
                w[3] = watch.best_loss;
                w[4] = watch.best_epoch as f64;
                done
            }
        };
        *(a.out as *mut u32) = done as u32;
    }
    OK
}

/// Runs the step kernel numbered as in ts/kernels/optim/index.ts (the order of
/// `step_exports!` above).
fn run_train_kernel<T: Float>(kernel: u32, t: &TrainArgs) -> i32 {
    match kernel {
        0 => run_train::<T, optim::sgd::Step<T>, 1>(t),
        1 => run_train::<T, optim::adagrad::Step<T>, 1>(t),
        2 => run_train::<T, optim::rmsprop::Step<T>, 3>(t),
        3 => run_train::<T, optim::adadelta::Step<T>, 2>(t),
        4 => run_train::<T, optim::lion::Step<T>, 1>(t),
        5 => run_train::<T, optim::adam::Step<T>, 3>(t),
        6 => run_train::<T, optim::adamax::Step<T>, 2>(t),
        7 => run_train::<T, optim::nadam::Step<T>, 2>(t),
        8 => run_train::<T, optim::radam::Step<T>, 2>(t),
        _ => BAD_ARGUMENT,
    }
}

/// Exports `$f32` and `$f64`: `(x, y, n, d, k, model, bias, loss, delta, l2, l1, order,
/// count, batch, scratch, scratch_len, table, kernel, scalars, flags, max_norm, tol,
/// losses, norms, epochs, rng, watch, best, out) -> status`. The model (0 linear, 1
/// logistic, 2 softmax) is the one of `model_exports!` with the same arguments, its
/// weights and bias being rows 0 and 1 of the step table (`bias` rows of
/// `[len, param, grad, state…]` after the first); `order` holds the `count` rows of the
/// batches of `batch` rows, step j's scalars are `scalars[j·8 ..]` and its flags
/// `flags[j]`; `max_norm` NaN means no clipping. Each batch's loss and gradient norm go to
/// `losses[j]`, `norms[j]`. With `epochs` > 0, crate/src/train.rs's `epochs` runs that
/// many epochs over the rows (`⌈count / batch⌉` steps each), shuffling `order` in place
/// with the 4 u32 words at `rng` unless it is 0; `watch` holds 5 f64 — tol (NaN for none),
/// patience, bad epochs, best loss — read and written back, and the best epoch of the run
/// written; `best` takes the weights' and bias's values at that epoch.
macro_rules! train_exports {
    ($($t:ty => $name:ident),*) => {
        $(
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $name(
            x: usize, y: usize, n: usize, d: usize, k: usize, model: u32, bias: u32, loss: u32, delta: f64, l2: f64, l1: f64,
            order: usize, count: usize, batch: usize, scratch: usize, scratch_len: usize,
            table: usize, kernel: u32, scalars: usize, flags: usize, max_norm: f64, tol: f64,
            losses: usize, norms: usize, epochs: usize, rng: usize, watch: usize, best: usize, out: usize,
        ) -> i32 {
            let which = match model {
                0 => Model::Linear,
                1 => Model::Logistic,
                2 => Model::Softmax,
                _ => return BAD_ARGUMENT,
            };
            let model = ModelArgs { x, y, n, d, k, rows: order, count, total: count, w: 0, b: 0, bias, grad_w: 0, grad_b: 0, scratch, scratch_len, loss, delta, l2, l1, out };
            run_train_kernel::<$t>(kernel, &TrainArgs { model, which, batch, table, scalars, flags, max_norm, tol, losses, norms, epochs, rng, watch, best })
        }
        )*
    };
}

train_exports!(f32 => dh_train_f32, f64 => dh_train_f64);

// ---------------------------------------------------------------------------------
// Autograd tensors (crate/src/tensor/): every export checks its buffers, that each view
// stays inside its buffer, and that the written buffer overlaps none it reads.

use crate::tensor::{elementwise, view::View};

/// A buffer of `len` elements at `ptr` read or written through `view` as `rows × cols`.
fn viewed<T>(ptr: usize, len: usize, view: View, rows: usize, cols: usize) -> Result<Span, i32> {
    let s = span::<T>(ptr, len)?;
    if view.fits(rows, cols, len) {
        Ok(s)
    } else {
        Err(BAD_ARGUMENT)
    }
}

/// Ok when `written` overlaps none of `read` (which may overlap each other).
fn apart(written: Span, read: &[Span]) -> Result<(), i32> {
    if read.iter().all(|s| disjoint(&[*s, written])) {
        Ok(())
    } else {
        Err(ALIASED)
    }
}

fn dense_len(rows: usize, cols: usize) -> Result<usize, i32> {
    rows.checked_mul(cols).ok_or(OUT_OF_BOUNDS)
}

fn status(checked: Result<(), i32>) -> i32 {
    match checked {
        Ok(()) => OK,
        Err(status) => status,
    }
}

/// `out = op(x)` over `len` elements (elementwise::unary); `p` is POW's exponent.
fn run_tensor_unary<T: Float>(op: u32, p: f64, x: usize, len: usize, out: usize) -> i32 {
    status((|| {
        if op > elementwise::POW {
            return Err(BAD_ARGUMENT);
        }
        apart(span::<T>(out, len)?, &[span::<T>(x, len)?])?;
        // SAFETY: both ranges were checked above and do not overlap; x is only read.
        unsafe { elementwise::unary(op, T::from_f64(p), slice::<T>(x, len), slice_mut::<T>(out, len)) };
        Ok(())
    })())
}

/// `grad += g · op'(x)` from the input `x` and output `y` of `unary`, `len` elements each.
fn run_tensor_unary_backward<T: Float>(op: u32, p: f64, x: usize, y: usize, g: usize, len: usize, grad: usize) -> i32 {
    status((|| {
        if op > elementwise::POW {
            return Err(BAD_ARGUMENT);
        }
        apart(span::<T>(grad, len)?, &[span::<T>(x, len)?, span::<T>(y, len)?, span::<T>(g, len)?])?;
        // SAFETY: every range was checked above; `grad` overlaps none of the inputs, which are only read.
        unsafe { elementwise::unary_backward(op, T::from_f64(p), slice::<T>(x, len), slice::<T>(y, len), slice::<T>(g, len), slice_mut::<T>(grad, len)) };
        Ok(())
    })())
}

/// `out[r, c] = a[av(r, c)] op b[bv(r, c)]` over a dense `rows × cols` out.
#[allow(clippy::too_many_arguments)]
fn run_tensor_binary<T: Float>(op: u32, a: usize, a_len: usize, av: View, b: usize, b_len: usize, bv: View, rows: usize, cols: usize, out: usize) -> i32 {
    status((|| {
        if op > elementwise::DIV {
            return Err(BAD_ARGUMENT);
        }
        let len = dense_len(rows, cols)?;
        apart(span::<T>(out, len)?, &[viewed::<T>(a, a_len, av, rows, cols)?, viewed::<T>(b, b_len, bv, rows, cols)?])?;
        // SAFETY: every range was checked above, each view inside its buffer; `out` overlaps
        // neither input, which are only read.
        unsafe { elementwise::binary(op, slice::<T>(a, a_len), av, slice::<T>(b, b_len), bv, rows, cols, slice_mut::<T>(out, len)) };
        Ok(())
    })())
}

/// Adds the gradient of `binary` w.r.t. input `side` into `grad` (laid out like that input).
#[allow(clippy::too_many_arguments)]
fn run_tensor_binary_backward<T: Float>(op: u32, side: u32, g: usize, a: usize, a_len: usize, av: View, b: usize, b_len: usize, bv: View, rows: usize, cols: usize, grad: usize) -> i32 {
    status((|| {
        if op > elementwise::DIV || side > elementwise::RIGHT {
            return Err(BAD_ARGUMENT);
        }
        let len = dense_len(rows, cols)?;
        let grad_len = if side == elementwise::LEFT { a_len } else { b_len };
        let read = [span::<T>(g, len)?, viewed::<T>(a, a_len, av, rows, cols)?, viewed::<T>(b, b_len, bv, rows, cols)?];
        apart(span::<T>(grad, grad_len)?, &read)?;
        // SAFETY: every range was checked above (grad has its input's length and view);
        // `grad` overlaps none of the inputs, which are only read.
        unsafe {
            let (g, a, b) = (slice::<T>(g, len), slice::<T>(a, a_len), slice::<T>(b, b_len));
            elementwise::binary_backward(op, side, g, a, av, b, bv, rows, cols, slice_mut::<T>(grad, grad_len));
        }
        Ok(())
    })())
}

/// `out += A·B` for an `m × k` A and a `k × n` B read through their views; out dense `m × n`.
#[allow(clippy::too_many_arguments)]
fn run_tensor_matmul<T: Float>(a: usize, a_len: usize, av: View, b: usize, b_len: usize, bv: View, m: usize, k: usize, n: usize, out: usize) -> i32 {
    status((|| {
        let len = dense_len(m, n)?;
        apart(span::<T>(out, len)?, &[viewed::<T>(a, a_len, av, m, k)?, viewed::<T>(b, b_len, bv, k, n)?])?;
        // SAFETY: every range was checked above; `out` overlaps neither input.
        unsafe { crate::tensor::matmul::matmul(slice::<T>(a, a_len), av, slice::<T>(b, b_len), bv, m, k, n, slice_mut::<T>(out, len)) };
        Ok(())
    })())
}

/// `out[0] = Σ x` over `len` elements, in lane order.
fn run_tensor_sum<T: Float>(x: usize, len: usize, out: usize) -> i32 {
    status((|| {
        apart(span::<T>(out, 1)?, &[span::<T>(x, len)?])?;
        // SAFETY: both ranges were checked above and do not overlap.
        unsafe { slice_mut::<T>(out, 1)[0] = crate::tensor::reduce::sum(slice::<T>(x, len)) };
        Ok(())
    })())
}

/// Sums of a dense `rows × cols` x along `axis` (0: `cols` values; 1: `rows` values).
fn run_tensor_sum_axis<T: Float>(x: usize, rows: usize, cols: usize, axis: u32, out: usize) -> i32 {
    status((|| {
        if axis > 1 {
            return Err(BAD_ARGUMENT);
        }
        let out_len = if axis == 0 { cols } else { rows };
        let len = dense_len(rows, cols)?;
        apart(span::<T>(out, out_len)?, &[span::<T>(x, len)?])?;
        // SAFETY: both ranges were checked above and do not overlap.
        unsafe { crate::tensor::reduce::sum_axis(slice::<T>(x, len), rows, cols, axis, slice_mut::<T>(out, out_len)) };
        Ok(())
    })())
}

/// `out[r·cols + c] = x[view(r, c)]`.
fn run_tensor_copy<T: Float>(x: usize, len: usize, view: View, rows: usize, cols: usize, out: usize) -> i32 {
    status((|| {
        let out_len = dense_len(rows, cols)?;
        apart(span::<T>(out, out_len)?, &[viewed::<T>(x, len, view, rows, cols)?])?;
        // SAFETY: both ranges were checked above (the view inside x) and do not overlap.
        unsafe { crate::tensor::view::copy(slice::<T>(x, len), view, rows, cols, slice_mut::<T>(out, out_len)) };
        Ok(())
    })())
}

/// `dst[dst_view(r, c)] += src[src_view(r, c)]` over `rows × cols`.
#[allow(clippy::too_many_arguments)]
fn run_tensor_add_strided<T: Float>(src: usize, src_len: usize, sv: View, dst: usize, dst_len: usize, dv: View, rows: usize, cols: usize) -> i32 {
    status((|| {
        apart(viewed::<T>(dst, dst_len, dv, rows, cols)?, &[viewed::<T>(src, src_len, sv, rows, cols)?])?;
        // SAFETY: both ranges were checked above (each view inside its buffer) and do not overlap.
        unsafe { crate::tensor::view::add_strided(slice::<T>(src, src_len), sv, slice_mut::<T>(dst, dst_len), dv, rows, cols) };
        Ok(())
    })())
}

/// Exports `$f32` and `$f64` with the arguments listed, calling `$run::<f32>` / `$run::<f64>`
/// with `$call` (views arrive as three usizes: offset, row stride, column stride).
macro_rules! tensor_exports {
    ($f32:ident, $f64:ident, ($($arg:ident: $ty:ty),*), $run:ident($($call:expr),*)) => {
        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f32($($arg: $ty),*) -> i32 {
            $run::<f32>($($call),*)
        }

        #[no_mangle]
        #[allow(clippy::too_many_arguments)]
        pub extern "C" fn $f64($($arg: $ty),*) -> i32 {
            $run::<f64>($($call),*)
        }
    };
}

fn view(offset: usize, row_stride: usize, col_stride: usize) -> View {
    View { offset, row_stride, col_stride }
}

tensor_exports!(dh_tensor_unary_f32, dh_tensor_unary_f64, (op: u32, p: f64, x: usize, len: usize, out: usize), run_tensor_unary(op, p, x, len, out));
tensor_exports!(
    dh_tensor_unary_backward_f32, dh_tensor_unary_backward_f64,
    (op: u32, p: f64, x: usize, y: usize, g: usize, len: usize, grad: usize),
    run_tensor_unary_backward(op, p, x, y, g, len, grad)
);
tensor_exports!(
    dh_tensor_binary_f32, dh_tensor_binary_f64,
    (op: u32, a: usize, a_len: usize, a_off: usize, a_rs: usize, a_cs: usize, b: usize, b_len: usize, b_off: usize, b_rs: usize, b_cs: usize, rows: usize, cols: usize, out: usize),
    run_tensor_binary(op, a, a_len, view(a_off, a_rs, a_cs), b, b_len, view(b_off, b_rs, b_cs), rows, cols, out)
);
tensor_exports!(
    dh_tensor_binary_backward_f32, dh_tensor_binary_backward_f64,
    (op: u32, side: u32, g: usize, a: usize, a_len: usize, a_off: usize, a_rs: usize, a_cs: usize, b: usize, b_len: usize, b_off: usize, b_rs: usize, b_cs: usize, rows: usize, cols: usize, grad: usize),
    run_tensor_binary_backward(op, side, g, a, a_len, view(a_off, a_rs, a_cs), b, b_len, view(b_off, b_rs, b_cs), rows, cols, grad)
);
tensor_exports!(
    dh_tensor_matmul_f32, dh_tensor_matmul_f64,
    (a: usize, a_len: usize, a_off: usize, a_rs: usize, a_cs: usize, b: usize, b_len: usize, b_off: usize, b_rs: usize, b_cs: usize, m: usize, k: usize, n: usize, out: usize),
    run_tensor_matmul(a, a_len, view(a_off, a_rs, a_cs), b, b_len, view(b_off, b_rs, b_cs), m, k, n, out)
);
tensor_exports!(dh_tensor_sum_f32, dh_tensor_sum_f64, (x: usize, len: usize, out: usize), run_tensor_sum(x, len, out));
tensor_exports!(dh_tensor_sum_axis_f32, dh_tensor_sum_axis_f64, (x: usize, rows: usize, cols: usize, axis: u32, out: usize), run_tensor_sum_axis(x, rows, cols, axis, out));
tensor_exports!(
    dh_tensor_copy_f32, dh_tensor_copy_f64,
    (x: usize, len: usize, off: usize, rs: usize, cs: usize, rows: usize, cols: usize, out: usize),
    run_tensor_copy(x, len, view(off, rs, cs), rows, cols, out)
);
tensor_exports!(
    dh_tensor_add_strided_f32, dh_tensor_add_strided_f64,
    (src: usize, src_len: usize, s_off: usize, s_rs: usize, s_cs: usize, dst: usize, dst_len: usize, d_off: usize, d_rs: usize, d_cs: usize, rows: usize, cols: usize),
    run_tensor_add_strided(src, src_len, view(s_off, s_rs, s_cs), dst, dst_len, view(d_off, d_rs, d_cs), rows, cols)
);
