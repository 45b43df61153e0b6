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
    /// True when the caller knows that each row is the one before plus 1 (`consecutive`),
    /// as the fused training loop does for every batch of an order it does not shuffle,
    /// having checked the order once; false when it does not know (the kernels that care
    /// then check the batch). Results do not depend on it.
    pub follows: bool,
}

/// Scratch values a model kernel needs for a batch of `rows` rows and `k` outputs:
/// the outputs z, the targets and the gradient w.r.t. z.
pub fn scratch_len(rows: usize, k: usize) -> usize {
    rows * (2 * k + 1)
}

/// fit()'s row order before its first shuffle: row i at position i. In WebAssembly a
/// vector loop, four rows per instruction; filled from JavaScript, 100 000 rows took ~80 µs
/// of a W4 epoch (issue 9).
pub fn fill_in_order(rows: &mut [u32]) {
    for (i, row) in rows.iter_mut().enumerate() {
        *row = i as u32;
    }
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
    if k == 1 {
        // forward_tile's store for the rows' lanes, cleared only when d has a whole chunk.
        let (mut wide, mut narrow): ([T; LANES * TILE], [T; 0]);
        let lanes: &mut [T] = if d >= LANES {
            wide = [T::ZERO; LANES * TILE];
            &mut wide
        } else {
            narrow = [];
            &mut narrow
        };
        for ((rows, z), target) in batch.rows.chunks(TILE).zip(z.chunks_mut(TILE)).zip(target.chunks_mut(TILE)) {
            forward_tile(batch, rows, w, b, lanes, z, target);
        }
        return;
    }
    for (r, &row) in batch.rows.iter().enumerate() {
        let i = row as usize;
        let xi = &batch.x[i * d..(i + 1) * d];
        for c in 0..k {
            let dot = lane_sum(d, |j| xi[j] * w[j * k + c]);
            z[r * k + c] = if b.is_empty() { dot } else { dot + b[c] };
        }
        target[r] = batch.y[i];
    }
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
    if k == 1 {
        add_gradient(batch, batch.rows, &g[..batch.rows.len()], grad_w, grad_b);
        return;
    }
    for (r, &row) in batch.rows.iter().enumerate() {
        let i = row as usize;
        let xi = &batch.x[i * d..(i + 1) * d];
        let gr = &g[r * k..(r + 1) * k];
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

/// For a scalar model (k = 1) whose loss gives each row's gradient w.r.t. z from that row
/// alone, `g[r] = gradient(z[r], target[r])`: `forward`, then the gradients, then
/// `backward`, with the same results, TILE rows at a time while the rows' features are in
/// cache (the features are read from memory once instead of twice). A model of fewer than
/// LANES features whose loss needs only the errors z − target has `narrow_errors`.
/// ts/kernels/model/linear.ts runs `forward`, the loss and `backward` one after the other:
/// the same operations on the same values in the same order, so the same bits.
#[allow(clippy::too_many_arguments)]
pub(crate) fn forward_backward<T: Float>(batch: &Batch<T>, w: &[T], b: &[T], z: &mut [T], target: &mut [T], g: &mut [T], grad_w: &mut [T], grad_b: &mut [T], gradient: impl Fn(T, T) -> T) {
    for v in grad_w.iter_mut() {
        *v = T::ZERO;
    }
    for v in grad_b.iter_mut() {
        *v = T::ZERO;
    }
    let m = batch.rows.len();
    let (z, target, g) = (&mut z[..m], &mut target[..m], &mut g[..m]);
    let mut lanes = [T::ZERO; LANES * TILE];
    let tiles = batch.rows.chunks(TILE).zip(z.chunks_mut(TILE)).zip(target.chunks_mut(TILE)).zip(g.chunks_mut(TILE));
    for (((rows, z), target), g) in tiles {
        forward_tile(batch, rows, w, b, &mut lanes, z, target);
        for ((g, &z), &t) in g.iter_mut().zip(&*z).zip(&*target) {
            *g = gradient(z, t);
        }
        add_gradient(batch, rows, g, grad_w, grad_b);
    }
}

/// For a scalar model (k = 1) of fewer than LANES features (no whole chunk of lane_sum's
/// in its dot products) whose loss is a function of each row's error `z − target` alone
/// (MSE, MAE, Huber): `forward`, then `e[r] = z[r] − target[r]` and
/// `g[r] = gradient(z[r], target[r])`, then `backward`, with the same bits in `e`,
/// `grad_w` and `grad_b`; returns false, having done nothing, for LANES features or more.
/// One pass over the rows, each row in turn: its dot product `lane_sum(D, |j| x[i, j] ·
/// w[j])` (+ b), error and gradient, and its terms of ∂W and ∂b added to sums kept in
/// registers, stored once at the end (row by row, `backward`'s order). D fixed so that the
/// loops over the features unroll. The error is all the loss needs afterwards, so the pass
/// stores one value per row (z, the target and g were three: in V8's code of this loop
/// every live pointer counts). `mse` is the loss's factor when `gradient` is MSE's,
/// `g = mse · e`: then rows that follow each other in the data may take the element type's
/// vector path (`Float::narrow_mse`), with the same bits; in f32 that path sums the first
/// rows' squared errors itself instead of storing their errors: see `Squares`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn narrow_errors<T: Float>(batch: &Batch<T>, w: &[T], b: &[T], e: &mut [T], grad_w: &mut [T], grad_b: &mut [T], gradient: impl Fn(T, T) -> T, mse: Option<T>) -> Option<Squares<T>> {
    let e = &mut e[..batch.rows.len()];
    let mut squares = Squares { lanes: [T::ZERO; LANES], rows: 0 };
    let s = &mut squares;
    match batch.d {
        0 => narrow_rows::<T, 0>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        1 => narrow_rows::<T, 1>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        2 => narrow_rows::<T, 2>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        3 => narrow_rows::<T, 3>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        4 => narrow_rows::<T, 4>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        5 => narrow_rows::<T, 5>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        6 => narrow_rows::<T, 6>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        7 => narrow_rows::<T, 7>(batch, w, b, e, grad_w, grad_b, gradient, mse, s),
        _ => return None,
    }
    Some(squares)
}

/// What `narrow_errors` leaves for the loss besides the errors it stored: the f32 MSE
/// vector path does not store the errors of the first `rows` rows (a multiple of LANES)
/// but sums their squares into `lanes` as crate/src/reduce.rs's `sum_of_squares` would
/// (lane j: rows i ≡ j mod 8, in order), so that the loss is `sum_of_squares_after(lanes,
/// &errors[rows..])`, the same bits as `sum_of_squares(errors)`. Zero rows elsewhere.
pub struct Squares<T> {
    pub lanes: [T; LANES],
    pub rows: usize,
}

/// `narrow_errors` for D features.
#[allow(clippy::too_many_arguments)]
fn narrow_rows<T: Float, const D: usize>(batch: &Batch<T>, w: &[T], b: &[T], e: &mut [T], grad_w: &mut [T], grad_b: &mut [T], gradient: impl Fn(T, T) -> T, mse: Option<T>, squares: &mut Squares<T>) {
    let mut weights = [T::ZERO; D];
    weights.copy_from_slice(&w[..D]);
    let bias = b.first().copied();
    let (mut acc, mut sum) = ([T::ZERO; D], T::ZERO);
    // Rows the element type's vector path took (MSE on rows in order), the rest below.
    let done = match mse {
        Some(scale) => T::narrow_mse::<D>(batch, &weights, bias, scale, e, &mut acc, &mut sum, squares),
        None => 0,
    };
    // One row: its prediction, error and gradient, and its terms added to the sums.
    let row = |i: usize, e: &mut T, acc: &mut [T; D], sum: &mut T| {
        let x = &batch.x[i * D..(i + 1) * D];
        let dot = lane_sum(D, |j| x[j] * weights[j]);
        let z = match bias {
            Some(b0) => dot + b0,
            None => dot,
        };
        let t = batch.y[i];
        *e = z - t;
        let g = gradient(z, t);
        for j in 0..D {
            acc[j] = acc[j] + g * x[j];
        }
        *sum = *sum + g;
    };
    // Two rows per iteration (the sums still take them in order): V8 does not unroll
    // loops, and the loop's own instructions cost as much as a narrow row's arithmetic.
    // With four, V8 kept two of the f32 sums on the stack, a store and a load on each
    // iteration's chain of adds (perf annotate), and W3 ran 9 % slower in f32, no faster
    // in f64; three were slower still.
    let m = batch.rows.len();
    let (rows, e) = (&batch.rows[done..m], &mut e[done..m]);
    let m = m - done;
    for (r, e) in rows.chunks_exact(2).zip(e.chunks_exact_mut(2)) {
        for k in 0..2 {
            row(r[k] as usize, &mut e[k], &mut acc, &mut sum);
        }
    }
    for k in m - m % 2..m {
        row(rows[k] as usize, &mut e[k], &mut acc, &mut sum);
    }
    grad_w[..D].copy_from_slice(&acc);
    if let Some(gb) = grad_b.first_mut() {
        *gb = sum;
    }
}

/// The first of `rows` when each of them is the one before plus 1 (rows in order, as a
/// full batch without shuffling has them), None otherwise or when there are none. A plain
/// loop that stops at the first row out of place: the fused training loop asks once per
/// call (see `Batch::follows`), a model call once per batch.
pub(crate) fn consecutive(rows: &[u32]) -> Option<usize> {
    let first = *rows.first()?;
    // No wrapping past u32::MAX: the last row number must be first + len − 1 exactly.
    let follow = rows.iter().enumerate().all(|(k, &r)| u64::from(r) == u64::from(first) + k as u64);
    follow.then(|| first as usize)
}

/// `narrow_rows` for MSE (`g = scale · e`) on f32 rows that follow each other in the data,
/// D = 1 or 2 features, eight rows per iteration in two groups of four in f32x4: each
/// row's dot product, error and gradient computed for four rows at once (the same
/// operations per lane as `narrow_rows` per row: `(+0 + x₀w₀) + x₁w₁`, then + b, which
/// without a bias adds −0 and changes no bits), then each row's terms added to the sums in
/// row order (∂W's as one vector, a row at a time). The squared errors go to
/// `sum_of_squares`' lanes (`Squares`): the first group's to lanes 0–3, the second's to
/// lanes 4–7; the errors are not stored. No row numbers to load and check: in V8 this runs
/// the W3-shaped fit's rows in about half the instructions of the per-row loop. Returns
/// the number of rows it took, a multiple of eight (the caller's per-row loop takes the
/// rest), or 0, having done nothing, for other rows or widths.
#[cfg(target_arch = "wasm32")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn narrow_mse_f32x4<const D: usize>(batch: &Batch<f32>, w: &[f32; D], bias: Option<f32>, scale: f32, _e: &mut [f32], acc: &mut [f32; D], sum: &mut f32, squares: &mut Squares<f32>) -> usize {
    use crate::simd::load;
    use core::arch::wasm32::{f32x4, f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, f32x4_sub, i32x4_shuffle, v128};
    let (x, y) = match rows_in_order::<f32, D>(batch, LANES) {
        Some(rows) => rows,
        None => return 0,
    };
    let whole = y.len() - y.len() % LANES;
    let (zero, s, b) = (f32x4_splat(0.0), f32x4_splat(scale), f32x4_splat(bias.unwrap_or(-0.0)));
    let w0 = f32x4_splat(w[0]);
    let w1 = f32x4_splat(w[D - 1]);
    let mut a = if D == 2 { f32x4(acc[0], acc[D - 1], 0.0, 0.0) } else { zero };
    let (mut a0, mut total) = (acc[0], *sum);
    // Four rows: their errors, with their terms added to the sums.
    let mut group = |xs: &[f32], ys: &[f32]| -> v128 {
        let xa = load(xs);
        let xb = if D == 2 { load(&xs[4..]) } else { zero };
        // Feature 0 and feature 1 of the four rows.
        let (x0, x1) = if D == 2 { (i32x4_shuffle::<0, 2, 4, 6>(xa, xb), i32x4_shuffle::<1, 3, 5, 7>(xa, xb)) } else { (xa, zero) };
        let mut dot = f32x4_add(zero, f32x4_mul(x0, w0));
        if D == 2 {
            dot = f32x4_add(dot, f32x4_mul(x1, w1));
        }
        let error = f32x4_sub(f32x4_add(dot, b), load(ys));
        let g = f32x4_mul(s, error);
        if D == 2 {
            // Row k's (x₀, x₁) in lanes 0 and 1, zeros above.
            a = f32x4_add(a, f32x4_mul(i32x4_shuffle::<0, 0, 0, 0>(g, g), i32x4_shuffle::<0, 1, 4, 5>(xa, zero)));
            a = f32x4_add(a, f32x4_mul(i32x4_shuffle::<1, 1, 1, 1>(g, g), i32x4_shuffle::<2, 3, 4, 5>(xa, zero)));
            a = f32x4_add(a, f32x4_mul(i32x4_shuffle::<2, 2, 2, 2>(g, g), i32x4_shuffle::<0, 1, 4, 5>(xb, zero)));
            a = f32x4_add(a, f32x4_mul(i32x4_shuffle::<3, 3, 3, 3>(g, g), i32x4_shuffle::<2, 3, 4, 5>(xb, zero)));
        } else {
            let terms = f32x4_mul(g, x0);
            a0 = a0 + f32x4_extract_lane::<0>(terms);
            a0 = a0 + f32x4_extract_lane::<1>(terms);
            a0 = a0 + f32x4_extract_lane::<2>(terms);
            a0 = a0 + f32x4_extract_lane::<3>(terms);
        }
        total = total + f32x4_extract_lane::<0>(g);
        total = total + f32x4_extract_lane::<1>(g);
        total = total + f32x4_extract_lane::<2>(g);
        total = total + f32x4_extract_lane::<3>(g);
        error
    };
    let (mut lo, mut hi) = (zero, zero);
    for (xs, ys) in x[..whole * D].chunks_exact(LANES * D).zip(y[..whole].chunks_exact(LANES)) {
        let error = group(&xs[..4 * D], &ys[..4]);
        lo = f32x4_add(lo, f32x4_mul(error, error));
        let error = group(&xs[4 * D..], &ys[4..]);
        hi = f32x4_add(hi, f32x4_mul(error, error));
    }
    if D == 2 {
        acc.copy_from_slice(&[f32x4_extract_lane::<0>(a), f32x4_extract_lane::<1>(a)][..D]);
    } else {
        acc[0] = a0;
    }
    *sum = total;
    crate::simd::store(&mut squares.lanes[..4], lo);
    crate::simd::store(&mut squares.lanes[4..], hi);
    squares.rows = whole;
    whole
}

/// `narrow_mse_f32x4` for f64, two rows per iteration in f64x2, storing the rows' errors
/// (`squares` untouched): summing their squares here instead, in four f64x2 of
/// `sum_of_squares`' lanes, made the loop slower by more than the pass over the errors
/// costs (W3's kernel loop, scratch A/B: 79.2 against 78.2 µs with the four in two pairs
/// swapped every four rows, 84.4 µs with four rows per group). Returns the number of rows
/// it took, a multiple of two.
#[cfg(target_arch = "wasm32")]
#[allow(clippy::too_many_arguments)]
pub(crate) fn narrow_mse_f64x2<const D: usize>(batch: &Batch<f64>, w: &[f64; D], bias: Option<f64>, scale: f64, e: &mut [f64], acc: &mut [f64; D], sum: &mut f64, _squares: &mut Squares<f64>) -> usize {
    use crate::simd::{load, store};
    use core::arch::wasm32::{f64x2, f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, f64x2_sub, i64x2_shuffle};
    let (x, y) = match rows_in_order::<f64, D>(batch, 2) {
        Some(rows) => rows,
        None => return 0,
    };
    let m = y.len();
    let e = &mut e[..m];
    let (zero, s, b) = (f64x2_splat(0.0), f64x2_splat(scale), f64x2_splat(bias.unwrap_or(-0.0)));
    let w0 = f64x2_splat(w[0]);
    let w1 = f64x2_splat(w[D - 1]);
    let mut a = if D == 2 { f64x2(acc[0], acc[D - 1]) } else { zero };
    let (mut a0, mut total) = (acc[0], *sum);
    let whole = m - m % 2;
    for ((xs, ys), es) in x[..whole * D].chunks_exact(2 * D).zip(y.chunks_exact(2)).zip(e.chunks_exact_mut(2)) {
        let xa = load(xs);
        let xb = if D == 2 { load(&xs[2..]) } else { zero };
        let (x0, x1) = if D == 2 { (i64x2_shuffle::<0, 2>(xa, xb), i64x2_shuffle::<1, 3>(xa, xb)) } else { (xa, zero) };
        let mut dot = f64x2_add(zero, f64x2_mul(x0, w0));
        if D == 2 {
            dot = f64x2_add(dot, f64x2_mul(x1, w1));
        }
        let error = f64x2_sub(f64x2_add(dot, b), load(ys));
        store(es, error);
        let g = f64x2_mul(s, error);
        if D == 2 {
            a = f64x2_add(a, f64x2_mul(i64x2_shuffle::<0, 0>(g, g), xa));
            a = f64x2_add(a, f64x2_mul(i64x2_shuffle::<1, 1>(g, g), xb));
        } else {
            let terms = f64x2_mul(g, x0);
            a0 = a0 + f64x2_extract_lane::<0>(terms);
            a0 = a0 + f64x2_extract_lane::<1>(terms);
        }
        total = total + f64x2_extract_lane::<0>(g);
        total = total + f64x2_extract_lane::<1>(g);
    }
    if D == 2 {
        acc.copy_from_slice(&[f64x2_extract_lane::<0>(a), f64x2_extract_lane::<1>(a)][..D]);
    } else {
        acc[0] = a0;
    }
    *sum = total;
    whole
}

/// The vector paths' rows when `batch` has D = 1 or 2 features and at least `min` rows,
/// in order: their features and targets.
#[cfg(target_arch = "wasm32")]
fn rows_in_order<'a, T: Float, const D: usize>(batch: &Batch<'a, T>, min: usize) -> Option<(&'a [T], &'a [T])> {
    let m = batch.rows.len();
    if !(D == 1 || D == 2) || m < min {
        return None;
    }
    let first = if batch.follows { batch.rows[0] as usize } else { consecutive(batch.rows)? };
    Some((&batch.x[first * D..(first + m) * D], &batch.y[first..first + m]))
}

/// Rows that the scalar models' kernels (k = 1) take at a time.
const TILE: usize = 64;

/// `forward` (k = 1) for the (at most TILE) rows `rows`: each dot product summed in
/// lane_sum's order (crate/src/loss/sum.rs), `lane_sum(d, |j| x[i, j] · w[j])`, bit for
/// bit: the whole 8-column chunks by `Float::chunk_dots` (which may use `lanes`, LANES ·
/// TILE values, or none when d < LANES), then the tail columns. Without a whole chunk
/// every lane is +0 and so is their combination: the tail starts from +0, as lane_sum's
/// does.
fn forward_tile<T: Float>(batch: &Batch<T>, rows: &[u32], w: &[T], b: &[T], lanes: &mut [T], z: &mut [T], target: &mut [T]) {
    let d = batch.d;
    let whole = d - d % LANES;
    let w = &w[..d];
    if whole == 0 {
        for v in z.iter_mut() {
            *v = T::ZERO;
        }
    } else {
        T::chunk_dots(batch.x, d, whole, rows, w, lanes, z);
    }
    let tail = &w[whole..];
    match tail.len() {
        0 => {}
        1 => add_tail::<T, 1>(batch, rows, tail, z),
        2 => add_tail::<T, 2>(batch, rows, tail, z),
        3 => add_tail::<T, 3>(batch, rows, tail, z),
        4 => add_tail::<T, 4>(batch, rows, tail, z),
        5 => add_tail::<T, 5>(batch, rows, tail, z),
        6 => add_tail::<T, 6>(batch, rows, tail, z),
        _ => add_tail::<T, 7>(batch, rows, tail, z),
    }
    if let Some(&b0) = b.first() {
        for v in z.iter_mut() {
            *v = *v + b0;
        }
    }
    for (t, &row) in target.iter_mut().zip(rows) {
        *t = batch.y[row as usize];
    }
}

/// `z[r] = lane_sum(whole, |j| x[i, j] · w[j])` for each row i = `rows[r]` of the `d`
/// columns of `x`, over its first `whole` columns (a multiple of LANES): each row's 8 lanes
/// summed over its chunks and stored in `lanes` (LANES values per row), then combined.
/// (Summed in the same loop, LLVM would vectorize the combination instead, packing lanes
/// j and j + 4 into one vector that it fills element by element.)
pub(crate) fn chunk_dots<T: Float>(x: &[T], d: usize, whole: usize, rows: &[u32], w: &[T], lanes: &mut [T], z: &mut [T]) {
    for (&row, out) in rows.iter().zip(lanes.chunks_exact_mut(LANES)) {
        let start = row as usize * d;
        let mut acc = [T::ZERO; LANES];
        for (x, y) in x[start..start + whole].chunks_exact(LANES).zip(w[..whole].chunks_exact(LANES)) {
            for j in 0..LANES {
                acc[j] = acc[j] + x[j] * y[j];
            }
        }
        out.copy_from_slice(&acc);
    }
    for (z, acc) in z.iter_mut().zip(lanes.chunks_exact(LANES)) {
        *z = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    }
}

/// `chunk_dots` for f32 with WebAssembly SIMD, the same operations on the same values:
/// a row's 8 lanes are two f32x4 (lanes 0–3 and 4–7) summed over its chunks; four rows'
/// lanes are then combined together by shuffles that pair neighbouring lanes, (a₀ + a₁)
/// and (a₂ + a₃), then those pairs, then the two halves, as lane_sum does, and the four
/// sums stored at once. LLVM does not find this combination itself (it combines each row
/// with scalar adds). Up to 4 chunks (32 columns) the chunk count is fixed at compile
/// time, so that the weights stay in registers and the loop over chunks unrolls.
#[cfg(target_arch = "wasm32")]
pub(crate) fn chunk_dots_f32x4(x: &[f32], d: usize, whole: usize, rows: &[u32], w: &[f32], z: &mut [f32]) {
    fetch_rows(x, d, whole, rows);
    match whole / LANES {
        1 => dots_f32x4::<1>(x, d, whole, rows, w, z),
        2 => dots_f32x4::<2>(x, d, whole, rows, w, z),
        3 => dots_f32x4::<3>(x, d, whole, rows, w, z),
        4 => dots_f32x4::<4>(x, d, whole, rows, w, z),
        _ => dots_f32x4::<0>(x, d, whole, rows, w, z),
    }
}

/// Reads one value in every 64 bytes (a cache line of x86-64 and ARM64 CPUs) of the first
/// `whole` columns of each row of `rows`, and discards it, when the rows are scattered
/// over the data, as a shuffled batch's are. Issued back to back before a tile's dot
/// products, these loads have all the tile's rows fetched from memory at once, where the
/// dot products' own loads, a row after a row, wait for each row's lines in turn: a W4
/// epoch (100 000 random rows of 16 f64, 12.8 MB) spent most of its time in `forward_tile`
/// before. Rows in order (a full batch, an unshuffled fit) are left to the hardware's
/// prefetcher, as the extra loads made W2's gradient slower: told apart by their first and
/// last row alone (`consecutive` would walk them all), which a shuffled tile matches only
/// by chance, and then goes without the fetch, with the same results.
#[cfg(target_arch = "wasm32")]
fn fetch_rows<T: Copy>(x: &[T], d: usize, whole: usize, rows: &[u32]) {
    let (first, last) = match (rows.first(), rows.last()) {
        (Some(&first), Some(&last)) => (first as usize, last as usize),
        _ => return,
    };
    if last == first + rows.len() - 1 {
        return;
    }
    let step = 64 / core::mem::size_of::<T>();
    for &row in rows {
        let start = row as usize * d;
        let mut c = 0;
        while c < whole {
            crate::fetch(&x[start + c]);
            c += step;
        }
    }
}

/// `chunk_dots_f32x4` for C chunks, or any number when C is 0.
#[cfg(target_arch = "wasm32")]
fn dots_f32x4<const C: usize>(x: &[f32], d: usize, whole: usize, rows: &[u32], w: &[f32], z: &mut [f32]) {
    use crate::simd::{load, store};
    use core::arch::wasm32::{f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, v128};
    let whole = if C > 0 { C * LANES } else { whole };
    let w = &w[..whole];
    let zero = f32x4_splat(0.0);
    let mut weights = [(zero, zero); C];
    for (held, y) in weights.iter_mut().zip(w.chunks_exact(LANES)) {
        *held = (load(y), load(&y[4..]));
    }
    // Row i's lanes: lo = lanes 0–3, hi = lanes 4–7, each summed from +0 over the chunks.
    let row_lanes = |i: u32| -> (v128, v128) {
        let start = i as usize * d;
        let xs = &x[start..start + whole];
        let (mut lo, mut hi) = (zero, zero);
        if C > 0 {
            for (c, &(wlo, whi)) in weights.iter().enumerate() {
                let xc = &xs[c * LANES..(c + 1) * LANES];
                lo = f32x4_add(lo, f32x4_mul(load(xc), wlo));
                hi = f32x4_add(hi, f32x4_mul(load(&xc[4..]), whi));
            }
        } else {
            for (xc, y) in xs.chunks_exact(LANES).zip(w.chunks_exact(LANES)) {
                lo = f32x4_add(lo, f32x4_mul(load(xc), load(y)));
                hi = f32x4_add(hi, f32x4_mul(load(&xc[4..]), load(&y[4..])));
            }
        }
        (lo, hi)
    };
    let pairs = crate::simd::pair_sums_f32x4;
    let mut quads = rows.chunks_exact(4).zip(z.chunks_exact_mut(4));
    for (r, z) in &mut quads {
        let ((l0, h0), (l1, h1), (l2, h2), (l3, h3)) = (row_lanes(r[0]), row_lanes(r[1]), row_lanes(r[2]), row_lanes(r[3]));
        let lo = pairs(pairs(l0, l1), pairs(l2, l3));
        let hi = pairs(pairs(h0, h1), pairs(h2, h3));
        store(z, f32x4_add(lo, hi));
    }
    let whole_quads = rows.len() - rows.len() % 4;
    for (&i, z) in rows[whole_quads..].iter().zip(&mut z[whole_quads..]) {
        let (lo, hi) = row_lanes(i);
        let halves = pairs(pairs(lo, hi), pairs(lo, hi));
        *z = f32x4_extract_lane::<0>(halves) + f32x4_extract_lane::<1>(halves);
    }
}

/// `chunk_dots` for f64 with WebAssembly SIMD, the same operations on the same values:
/// a row's 8 lanes are four f64x2 (lanes 0–1, 2–3, 4–5, 6–7) summed over its chunks; two
/// rows' lanes are then combined together: shuffles pair each vector's two lanes, giving
/// (a₀ + a₁) … (a₆ + a₇) for both rows, then ((a₀ + a₁) + (a₂ + a₃)) + ((a₄ + a₅) + (a₆ +
/// a₇)) as lane_sum adds them, and one store for the two sums. Up to 4 chunks the chunk
/// count is fixed at compile time, as in `chunk_dots_f32x4`.
#[cfg(target_arch = "wasm32")]
pub(crate) fn chunk_dots_f64x2(x: &[f64], d: usize, whole: usize, rows: &[u32], w: &[f64], z: &mut [f64]) {
    fetch_rows(x, d, whole, rows);
    match whole / LANES {
        1 => dots_f64x2::<1>(x, d, whole, rows, w, z),
        2 => dots_f64x2::<2>(x, d, whole, rows, w, z),
        3 => dots_f64x2::<3>(x, d, whole, rows, w, z),
        4 => dots_f64x2::<4>(x, d, whole, rows, w, z),
        _ => dots_f64x2::<0>(x, d, whole, rows, w, z),
    }
}

/// `chunk_dots_f64x2` for C chunks, or any number when C is 0.
#[cfg(target_arch = "wasm32")]
fn dots_f64x2<const C: usize>(x: &[f64], d: usize, whole: usize, rows: &[u32], w: &[f64], z: &mut [f64]) {
    use crate::simd::{load, store};
    use core::arch::wasm32::{f64x2_add, f64x2_extract_lane, f64x2_mul, f64x2_splat, v128};
    let whole = if C > 0 { C * LANES } else { whole };
    let w = &w[..whole];
    let zero = f64x2_splat(0.0);
    let mut weights = [[zero; 4]; C];
    for (held, y) in weights.iter_mut().zip(w.chunks_exact(LANES)) {
        *held = [load(y), load(&y[2..]), load(&y[4..]), load(&y[6..])];
    }
    // Row i's lanes as four vectors, each summed from +0 over the chunks.
    let row_lanes = |i: u32| -> [v128; 4] {
        let start = i as usize * d;
        let xs = &x[start..start + whole];
        let mut acc = [zero; 4];
        let mut add = |xc: &[f64], y: [v128; 4]| {
            for (v, (a, y)) in acc.iter_mut().zip(y.iter()).enumerate() {
                *a = f64x2_add(*a, f64x2_mul(load(&xc[2 * v..]), *y));
            }
        };
        if C > 0 {
            for (c, &y) in weights.iter().enumerate() {
                add(&xs[c * LANES..(c + 1) * LANES], y);
            }
        } else {
            for (xc, y) in xs.chunks_exact(LANES).zip(w.chunks_exact(LANES)) {
                add(xc, [load(y), load(&y[2..]), load(&y[4..]), load(&y[6..])]);
            }
        }
        acc
    };
    let pairs = crate::simd::pair_sums_f64x2;
    // Two rows' lane sums, side by side.
    let sums = |r: [v128; 4], s: [v128; 4]| {
        let (p01, p23, p45, p67) = (pairs(r[0], s[0]), pairs(r[1], s[1]), pairs(r[2], s[2]), pairs(r[3], s[3]));
        f64x2_add(f64x2_add(p01, p23), f64x2_add(p45, p67))
    };
    let mut twos = rows.chunks_exact(2).zip(z.chunks_exact_mut(2));
    for (r, z) in &mut twos {
        store(z, sums(row_lanes(r[0]), row_lanes(r[1])));
    }
    if rows.len() % 2 == 1 {
        let last = rows.len() - 1;
        let lanes = row_lanes(rows[last]);
        z[last] = f64x2_extract_lane::<0>(sums(lanes, lanes));
    }
}

/// `z[r] = ((z[r] + x[i, c]·w[0]) + x[i, c + 1]·w[1]) + …` over the last R (< LANES)
/// columns c of each row i of `rows`, lane_sum's tail; R fixed so that the loop over the
/// columns unrolls (a loop of a few iterations per row costs more than its arithmetic).
fn add_tail<T: Float, const R: usize>(batch: &Batch<T>, rows: &[u32], tail: &[T], z: &mut [T]) {
    let d = batch.d;
    let mut w = [T::ZERO; R];
    w.copy_from_slice(tail);
    for (z, &row) in z.iter_mut().zip(rows) {
        let end = (row as usize + 1) * d;
        let x = &batch.x[end - R..end];
        let mut total = *z;
        for j in 0..R {
            total = total + x[j] * w[j];
        }
        *z = total;
    }
}

/// Adds `g[r] · x[i_r]` to `grad_w` and `g[r]` to `grad_b` (1 value, or empty) for the
/// rows `rows` in order (k = 1): each column's sum runs over the rows in order as in
/// `backward`'s loop, but a block of columns is summed in registers over all the rows and
/// stored once, instead of ∂W being loaded and stored for every row. The block widths are
/// fixed (16, 8, then the last d mod 8 columns) so that the loops over the columns unroll,
/// and ∂b is summed in the first block's pass, its sum running alongside the columns'.
fn add_gradient<T: Float>(batch: &Batch<T>, rows: &[u32], g: &[T], grad_w: &mut [T], grad_b: &mut [T]) {
    let d = batch.d;
    let mut bias = grad_b;
    let mut col = 0;
    while col + COLUMNS <= d {
        add_columns::<T, COLUMNS>(batch, rows, g, col, &mut grad_w[col..col + COLUMNS], core::mem::take(&mut bias));
        col += COLUMNS;
    }
    if col + LANES <= d {
        add_columns::<T, LANES>(batch, rows, g, col, &mut grad_w[col..col + LANES], core::mem::take(&mut bias));
        col += LANES;
    }
    let (rest, bias) = (&mut grad_w[col..d], core::mem::take(&mut bias));
    match rest.len() {
        0 if bias.is_empty() => {}
        0 => add_columns::<T, 0>(batch, rows, g, col, rest, bias),
        1 => add_columns::<T, 1>(batch, rows, g, col, rest, bias),
        2 => add_columns::<T, 2>(batch, rows, g, col, rest, bias),
        3 => add_columns::<T, 3>(batch, rows, g, col, rest, bias),
        4 => add_columns::<T, 4>(batch, rows, g, col, rest, bias),
        5 => add_columns::<T, 5>(batch, rows, g, col, rest, bias),
        6 => add_columns::<T, 6>(batch, rows, g, col, rest, bias),
        _ => add_columns::<T, 7>(batch, rows, g, col, rest, bias),
    }
}

/// The widest block of ∂W's columns that `add_gradient` keeps in registers (16 f32 are 4
/// SIMD registers, 16 f64 are 8).
const COLUMNS: usize = 16;

/// `out[c] += Σ_r g[r] · x[i_r, col + c]` for the W columns from `col`, and `bias[0] +=
/// Σ_r g[r]` if `bias` holds a value, over the rows in order.
fn add_columns<T: Float, const W: usize>(batch: &Batch<T>, rows: &[u32], g: &[T], col: usize, out: &mut [T], bias: &mut [T]) {
    let mut acc = [T::ZERO; W];
    acc.copy_from_slice(out);
    let mut sum = bias.first().copied().unwrap_or(T::ZERO);
    for (&row, &g0) in rows.iter().zip(g) {
        let start = row as usize * batch.d + col;
        let xs = &batch.x[start..start + W];
        for j in 0..W {
            acc[j] = acc[j] + g0 * xs[j];
        }
        sum = sum + g0;
    }
    out.copy_from_slice(&acc);
    if let Some(b0) = bias.first_mut() {
        *b0 = sum;
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
    fn fill_in_order_writes_each_position_its_index() {
        for n in [0usize, 1, 3, 4, 5, 17, 1000] {
            let mut rows = vec![u32::MAX; n];
            fill_in_order(&mut rows);
            assert!(rows.iter().enumerate().all(|(i, &r)| r as usize == i), "{} rows", n);
        }
    }

    #[test]
    fn forward_and_backward_in_closed_form() {
        // x = [[1, 2], [3, 4], [5, 6]], W = [[1, -1], [0.5, 2]] (2 × 2), b = [0.25, -0.5].
        let x = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0];
        let y = [7.0, 8.0, 9.0];
        let batch = Batch { x: &x, y: &y, d: 2, rows: &[2, 0], follows: false };
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

    /// Features whose sums depend on the order of the additions: large terms of both signs
    /// among small ones, so that a different order changes the bits.
    fn features(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i * 7919) % 1013) as f32 * if i % 3 == 0 { -1e3 } else { 1e-3 }).collect()
    }

    /// 150 rows (more than two tiles) of a 200-row dataset, out of order and some repeated.
    fn rows() -> Vec<u32> {
        (0..150u32).map(|r| (r * 37 + 11) % 200).collect()
    }

    #[test]
    fn scalar_forward_sums_each_row_in_lane_sum_order() {
        for d in (0usize..=17).chain([24, 33]) {
            let x = features(200 * d);
            let y: Vec<f32> = (0..200).map(|i| i as f32 - 99.5).collect();
            let w: Vec<f32> = (0..d).map(|j| 1.0 + (j % 5) as f32 * 0.37).collect();
            let rows = rows();
            let batch = Batch { x: &x, y: &y, d, rows: &rows, follows: false };
            for b in [&[][..], &[0.3f32][..]] {
                let (mut z, mut t) = (vec![0.0f32; rows.len()], vec![0.0f32; rows.len()]);
                forward(&batch, &w, b, 1, &mut z, &mut t);
                for (r, &row) in rows.iter().enumerate() {
                    let i = row as usize;
                    let dot = lane_sum(d, |j| x[i * d + j] * w[j]);
                    let expected = if b.is_empty() { dot } else { dot + b[0] };
                    assert_eq!(z[r].to_bits(), expected.to_bits(), "d = {}, row {}", d, r);
                    assert_eq!(t[r], y[i]);
                }
            }
        }
    }

    #[test]
    fn scalar_backward_sums_each_column_in_batch_order() {
        for d in (0usize..=17).chain([24, 33, 40]) {
            let x = features(200 * d);
            let y = vec![0.0f32; 200];
            let rows = rows();
            let g: Vec<f32> = (0..rows.len()).map(|r| if r % 4 == 0 { 1e3 } else { 1e-2 } * (r as f32 - 70.25)).collect();
            let batch = Batch { x: &x, y: &y, d, rows: &rows, follows: false };
            let (mut gw, mut gb) = (vec![9.0f32; d], [9.0f32]);
            backward(&batch, &g, 1, &mut gw, &mut gb);
            // The updates of the general loop, one row at a time.
            let (mut expected_w, mut expected_b) = (vec![0.0f32; d], 0.0f32);
            for (r, &row) in rows.iter().enumerate() {
                for j in 0..d {
                    expected_w[j] = expected_w[j] + g[r] * x[row as usize * d + j];
                }
                expected_b = expected_b + g[r];
            }
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&gw), bits(&expected_w), "d = {}", d);
            assert_eq!(gb[0].to_bits(), expected_b.to_bits(), "d = {}", d);
        }
    }

    /// `forward`, each row's gradient, then `backward`: z, the targets, g, ∂W and ∂b.
    fn three_steps<T: Float>(batch: &Batch<T>, w: &[T], b: &[T], gradient: impl Fn(T, T) -> T) -> [Vec<T>; 5] {
        let m = batch.rows.len();
        let (mut z, mut t, mut gw, mut gb) = (vec![T::ZERO; m], vec![T::ZERO; m], vec![T::ZERO; batch.d], vec![T::ZERO; b.len()]);
        forward(batch, w, b, 1, &mut z, &mut t);
        let g: Vec<T> = z.iter().zip(&t).map(|(&z, &t)| gradient(z, t)).collect();
        backward(batch, &g, 1, &mut gw, &mut gb);
        [z, t, g, gw, gb]
    }

    #[test]
    fn forward_backward_equals_its_three_steps() {
        for d in (0usize..=17).chain([24, 33]) {
            let x = features(200 * d);
            let y: Vec<f32> = (0..200).map(|i| (i % 7) as f32 * 150.0).collect();
            let w: Vec<f32> = (0..d).map(|j| 0.5 - (j % 3) as f32 * 0.61).collect();
            let all = rows();
            for (rows, b) in [(&all[..], &[0.25f32][..]), (&all[..], &[][..]), (&all[..5], &[0.25][..])] {
                let m = rows.len();
                let batch = Batch { x: &x, y: &y, d, rows, follows: false };
                let gradient = |z: f32, t: f32| 0.01 * (z - t);
                let [z, t, g, gw, gb] = three_steps(&batch, &w, b, gradient);
                let (mut z2, mut t2, mut g2, mut gw2, mut gb2) = (vec![0.0f32; m], vec![0.0f32; m], vec![0.0f32; m], vec![9.0f32; d], vec![9.0f32; b.len()]);
                forward_backward(&batch, &w, b, &mut z2, &mut t2, &mut g2, &mut gw2, &mut gb2, gradient);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!((bits(&z2), bits(&t2), bits(&g2)), (bits(&z), bits(&t), bits(&g)), "d = {}, {} rows, bias {:?}", d, m, b);
                assert_eq!((bits(&gw2), bits(&gb2)), (bits(&gw), bits(&gb)), "d = {}, {} rows, bias {:?}", d, m, b);
            }
        }
    }

    #[test]
    fn narrow_errors_equal_the_three_steps_below_lanes_features() {
        for d in 0usize..=9 {
            let x = features(200 * d);
            let y: Vec<f64> = (0..200).map(|i| (i % 7) as f64 * 150.0).collect();
            let x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
            let w: Vec<f64> = (0..d).map(|j| 0.5 - (j % 3) as f64 * 0.61).collect();
            let all = rows();
            for (rows, b) in [(&all[..], &[0.25f64][..]), (&all[..], &[][..]), (&all[..5], &[0.25][..]), (&all[..3], &[][..])] {
                let m = rows.len();
                let batch = Batch { x: &x, y: &y, d, rows, follows: false };
                let gradient = |z: f64, t: f64| 0.01 * (z - t);
                let [z, t, _, gw, gb] = three_steps(&batch, &w, b, gradient);
                let (mut e, mut gw2, mut gb2) = (vec![7.0; m], vec![9.0; d], vec![9.0; b.len()]);
                let narrow = narrow_errors(&batch, &w, b, &mut e, &mut gw2, &mut gb2, gradient, None);
                assert_eq!(narrow.is_some(), d < LANES, "d = {}", d);
                // Without the MSE vector path (None), every error is stored.
                assert_eq!(narrow.as_ref().map_or(0, |s| s.rows), 0, "d = {}", d);
                if narrow.is_none() {
                    assert_eq!((e, gw2, gb2), (vec![7.0; m], vec![9.0; d], vec![9.0; b.len()]), "d = {}: untouched", d);
                    continue;
                }
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                let errors: Vec<f64> = z.iter().zip(&t).map(|(&z, &t)| z - t).collect();
                assert_eq!(bits(&e), bits(&errors), "d = {}, {} rows, bias {:?}", d, m, b);
                assert_eq!((bits(&gw2), bits(&gb2)), (bits(&gw), bits(&gb)), "d = {}, {} rows, bias {:?}", d, m, b);
            }
        }
    }

    #[test]
    fn consecutive_rows_start_anywhere_and_do_not_wrap() {
        assert_eq!(consecutive(&[5, 6, 7, 8, 9]), Some(5));
        assert_eq!(consecutive(&[0]), Some(0));
        assert_eq!(consecutive(&[]), None);
        assert_eq!(consecutive(&[5, 6, 8, 9]), None);
        assert_eq!(consecutive(&[0, 1, 2, 3, 4, 5, 7, 6]), None);
        assert_eq!(consecutive(&[u32::MAX - 1, u32::MAX]), Some(u32::MAX as usize - 1));
        assert_eq!(consecutive(&[u32::MAX, 0]), None);
    }

    #[test]
    fn a_dot_product_of_negative_zeros_is_positive_zero() {
        // lane_sum starts from +0, and +0 + (−0) = +0: every product here is −0.
        for d in [1usize, 2, 5, 7, 8, 9, 15] {
            let x: Vec<f64> = (0..2 * d).map(|j| if j < d { 1.0 } else { 2.5 }).collect();
            let w = vec![-0.0; d];
            let batch = Batch { x: &x, y: &[0.0, 0.0], d, rows: &[0, 1], follows: false };
            let (mut z, mut t, mut g, mut gw) = ([9.0; 2], [9.0; 2], [9.0; 2], vec![9.0; d]);
            forward_backward(&batch, &w, &[], &mut z, &mut t, &mut g, &mut gw, &mut [], |z, _| z);
            assert_eq!(z.map(f64::to_bits), [0.0f64.to_bits(); 2], "d = {}", d);
            forward(&batch, &w, &[], 1, &mut z, &mut t);
            assert_eq!(z.map(f64::to_bits), [0.0f64.to_bits(); 2], "d = {}", d);
            // The error z − 0 keeps z's sign: +0 from a +0 dot product.
            let mut e = [9.0; 2];
            if narrow_errors(&batch, &w, &[], &mut e, &mut gw, &mut [], |z, _| z, None).is_some() {
                assert_eq!(e.map(f64::to_bits), [0.0f64.to_bits(); 2], "d = {}", d);
            }
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
