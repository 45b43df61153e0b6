//! Element-wise operations of autograd tensors and their backward passes, with the
//! derivatives of torch's `derivatives.yaml`. exp, log and log1p are crate/src/math.rs's
//! (computed in f64, rounded to the dtype) and tanh, sigmoid and relu are the MLP's
//! activations (crate/src/model/mlp.rs), so ts/kernels/tensor/elementwise.ts gives the
//! same bits. Binary operations broadcast through [`View`]s; backward kernels add into
//! the input's gradient, summing over broadcast elements in row-major order.

use crate::float::{sign, Float};
use crate::math;
use crate::model::mlp;
use crate::tensor::view::View;

/// Unary operation codes, shared with ts/kernels/tensor/elementwise.ts.
pub const NEG: u32 = 0;
pub const EXP: u32 = 1;
pub const LOG: u32 = 2;
pub const SQRT: u32 = 3;
pub const ABS: u32 = 4;
pub const TANH: u32 = 5;
pub const SIGMOID: u32 = 6;
pub const RELU: u32 = 7;
pub const SOFTPLUS: u32 = 8;
pub const POW: u32 = 9;

/// Binary operation codes.
pub const ADD: u32 = 0;
pub const SUB: u32 = 1;
pub const MUL: u32 = 2;
pub const DIV: u32 = 3;

/// Which input of a binary operation a backward pass differentiates.
pub const LEFT: u32 = 0;
pub const RIGHT: u32 = 1;

/// `x^p` in f64: by repeated squaring for whole exponents up to 1024 in magnitude (exact
/// operations only), else `exp(p·ln|x|)` with the sign of an odd power of a negative x
/// (NaN for a negative x and a fractional p, as IEEE pow).
fn power(x: f64, p: f64) -> f64 {
    if p == 0.0 {
        return 1.0;
    }
    let whole = p == p.floor();
    if whole && p.abs() <= 1024.0 {
        let mut e = p.abs();
        let mut base = x;
        let mut result = 1.0;
        while e > 0.0 {
            if e % 2.0 == 1.0 {
                result = result * base;
            }
            e = (e / 2.0).floor();
            if e > 0.0 {
                base = base * base;
            }
        }
        return if p < 0.0 { 1.0 / result } else { result };
    }
    let magnitude = math::exp(p * math::log(x.abs()));
    if x < 0.0 {
        if !whole {
            f64::NAN
        } else if p % 2.0 != 0.0 {
            -magnitude
        } else {
            magnitude
        }
    } else {
        magnitude
    }
}

/// softplus(x) = ln(1 + eˣ) as `max(x, 0) + log1p(exp(−|x|))`, finite for any finite x
/// (torch's softplus with β = 1, without its switch to x above 20).
fn softplus<T: Float>(x: T) -> T {
    let e = T::from_f64(math::exp((-x.abs()).to_f64()));
    let positive = if x > T::ZERO { x } else { T::ZERO };
    positive + T::from_f64(math::log1p(e.to_f64()))
}

#[inline(always)]
fn map<T: Float>(x: &[T], out: &mut [T], f: impl Fn(T) -> T) {
    for (o, &v) in out.iter_mut().zip(x) {
        *o = f(v);
    }
}

/// `out = op(x)` element-wise; `p` is the exponent of POW.
pub fn unary<T: Float>(op: u32, p: T, x: &[T], out: &mut [T]) {
    match op {
        NEG => map(x, out, |v| -v),
        EXP => map(x, out, |v| T::from_f64(math::exp(v.to_f64()))),
        LOG => map(x, out, |v| T::from_f64(math::log(v.to_f64()))),
        SQRT => map(x, out, |v| v.sqrt()),
        ABS => map(x, out, |v| v.abs()),
        TANH => map(x, out, |v| mlp::activate(mlp::TANH, v)),
        SIGMOID => map(x, out, |v| mlp::activate(mlp::SIGMOID, v)),
        RELU => map(x, out, |v| mlp::activate(mlp::RELU, v)),
        SOFTPLUS => map(x, out, softplus),
        POW => {
            let p = p.to_f64();
            map(x, out, |v| T::from_f64(power(v.to_f64(), p)))
        }
        _ => {}
    }
}

#[inline(always)]
fn accumulate<T: Float>(grad: &mut [T], term: impl Fn(usize) -> T) {
    for i in 0..grad.len() {
        grad[i] = grad[i] + term(i);
    }
}

/// `grad += g · op'(x)` element-wise, from the input `x` and the output `y` of `unary`
/// (torch: neg `−g`, exp `g·y`, log `g / x`, sqrt `g / (2y)`, abs `g·sgn(x)`, tanh
/// `g·(1 − y²)`, sigmoid `g·(1 − y)·y`, relu `g` where y > 0, softplus `g·sigmoid(x)`,
/// pow `g·(p·x^(p−1))`, 0 for p = 0).
pub fn unary_backward<T: Float>(op: u32, p: T, x: &[T], y: &[T], g: &[T], grad: &mut [T]) {
    match op {
        NEG => accumulate(grad, |i| -g[i]),
        EXP => accumulate(grad, |i| g[i] * y[i]),
        LOG => accumulate(grad, |i| g[i] / x[i]),
        SQRT => accumulate(grad, |i| g[i] / (y[i] + y[i])),
        ABS => accumulate(grad, |i| g[i] * sign(x[i])),
        TANH => accumulate(grad, |i| mlp::activation_backward(mlp::TANH, g[i], y[i])),
        SIGMOID => accumulate(grad, |i| mlp::activation_backward(mlp::SIGMOID, g[i], y[i])),
        RELU => accumulate(grad, |i| mlp::activation_backward(mlp::RELU, g[i], y[i])),
        SOFTPLUS => accumulate(grad, |i| g[i] * mlp::activate(mlp::SIGMOID, x[i])),
        POW => {
            if p != T::ZERO {
                let q = (p - T::ONE).to_f64();
                accumulate(grad, |i| g[i] * (p * T::from_f64(power(x[i].to_f64(), q))));
            }
        }
        _ => {}
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn zip<T: Float>(a: &[T], av: View, b: &[T], bv: View, rows: usize, cols: usize, out: &mut [T], f: impl Fn(T, T) -> T) {
    for r in 0..rows {
        for c in 0..cols {
            out[r * cols + c] = f(a[av.at(r, c)], b[bv.at(r, c)]);
        }
    }
}

/// `out[r, c] = a[av(r, c)] op b[bv(r, c)]` over the dense `rows × cols` output.
#[allow(clippy::too_many_arguments)]
pub fn binary<T: Float>(op: u32, a: &[T], av: View, b: &[T], bv: View, rows: usize, cols: usize, out: &mut [T]) {
    match op {
        ADD => zip(a, av, b, bv, rows, cols, out, |x, y| x + y),
        SUB => zip(a, av, b, bv, rows, cols, out, |x, y| x - y),
        MUL => zip(a, av, b, bv, rows, cols, out, |x, y| x * y),
        DIV => zip(a, av, b, bv, rows, cols, out, |x, y| x / y),
        _ => {}
    }
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn scatter<T: Float>(g: &[T], a: &[T], av: View, b: &[T], bv: View, rows: usize, cols: usize, grad: &mut [T], gv: View, d: impl Fn(T, T, T) -> T) {
    for r in 0..rows {
        for c in 0..cols {
            let i = gv.at(r, c);
            grad[i] = grad[i] + d(g[r * cols + c], a[av.at(r, c)], b[bv.at(r, c)]);
        }
    }
}

/// Adds the gradient of `binary`'s output `g` (dense `rows × cols`) with respect to its
/// `side` input into that input's gradient `grad`, laid out like the input (its view):
/// add `g`, sub `g`/`−g`, mul `g·b`/`g·a`, div `g / b`/`−g·((a / b) / b)`.
#[allow(clippy::too_many_arguments)]
pub fn binary_backward<T: Float>(op: u32, side: u32, g: &[T], a: &[T], av: View, b: &[T], bv: View, rows: usize, cols: usize, grad: &mut [T]) {
    let gv = if side == LEFT { av } else { bv };
    match (op, side) {
        (ADD, _) | (SUB, LEFT) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, _, _| g),
        (SUB, _) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, _, _| -g),
        (MUL, LEFT) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, _, y| g * y),
        (MUL, _) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, x, _| g * x),
        (DIV, LEFT) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, _, y| g / y),
        (DIV, _) => scatter(g, a, av, b, bv, rows, cols, grad, gv, |g, x, y| -g * ((x / y) / y)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::view::dense;

    #[test]
    fn power_by_squaring_and_by_logarithms() {
        assert_eq!(power(3.0, 4.0), 81.0);
        assert_eq!(power(-2.0, 3.0), -8.0);
        assert_eq!(power(2.0, -2.0), 0.25);
        assert_eq!(power(0.0, -1.0), f64::INFINITY);
        assert_eq!(power(f64::NAN, 0.0), 1.0);
        assert!(power(-2.0, 0.5).is_nan());
        assert!((power(2.0, 0.5) - core::f64::consts::SQRT_2).abs() < 4e-16);
        assert!((power(1.0001, 2001.0) - 1.0001f64.powf(2001.0)).abs() < 1e-13);
        assert!((power(-1.0001, 2001.0) + 1.0001f64.powf(2001.0)).abs() < 1e-13);
    }

    #[test]
    fn unary_values_in_closed_form() {
        let x = [-2.0f64, -0.5, 0.0, 0.75, 3.0];
        let mut out = [0.0; 5];
        unary(SOFTPLUS, 0.0, &x, &mut out);
        for (o, v) in out.iter().zip(&x) {
            assert!((o - (1.0 + v.exp()).ln()).abs() < 1e-15, "softplus {}", v);
        }
        unary(POW, 3.0, &x, &mut out);
        assert_eq!(out, [-8.0, -0.125, 0.0, 0.421875, 27.0]);
        unary(RELU, 0.0, &x, &mut out);
        assert_eq!(out, [0.0, 0.0, 0.0, 0.75, 3.0]);
    }

    #[test]
    fn unary_derivatives_match_central_differences() {
        let x = [-1.3f64, -0.4, 0.2, 0.9, 2.1];
        let h = 1e-6;
        for op in [NEG, EXP, LOG, SQRT, ABS, TANH, SIGMOID, RELU, SOFTPLUS, POW] {
            let p = 2.5;
            let x: Vec<f64> = if op == LOG || op == SQRT || op == POW { x.iter().map(|v| v.abs()).collect() } else { x.to_vec() };
            let (mut y, mut up, mut down) = (vec![0.0; 5], vec![0.0; 5], vec![0.0; 5]);
            unary(op, p, &x, &mut y);
            unary(op, p, &x.iter().map(|v| v + h).collect::<Vec<_>>(), &mut up);
            unary(op, p, &x.iter().map(|v| v - h).collect::<Vec<_>>(), &mut down);
            let mut grad = vec![1.0; 5];
            unary_backward(op, p, &x, &y, &[2.0; 5], &mut grad);
            for i in 0..5 {
                let numeric = 2.0 * (up[i] - down[i]) / (2.0 * h);
                assert!((grad[i] - 1.0 - numeric).abs() < 1e-6, "op {} at {}: {} vs {}", op, x[i], grad[i] - 1.0, numeric);
            }
        }
    }

    #[test]
    fn binary_broadcasts_a_row_and_its_backward_sums_over_rows() {
        let a = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        let b = [10.0f64, 20.0, 30.0]; // a row
        let row = View { offset: 0, row_stride: 0, col_stride: 1 };
        let mut out = [0.0; 6];
        binary(MUL, &a, dense(3), &b, row, 2, 3, &mut out);
        assert_eq!(out, [10.0, 40.0, 90.0, 40.0, 100.0, 180.0]);
        let g = [1.0; 6];
        let mut grad_b = [0.0; 3];
        binary_backward(MUL, RIGHT, &g, &a, dense(3), &b, row, 2, 3, &mut grad_b);
        assert_eq!(grad_b, [5.0, 7.0, 9.0]);
        let mut grad_b = [0.0; 3];
        binary_backward(DIV, RIGHT, &g, &a, dense(3), &b, row, 2, 3, &mut grad_b);
        assert_eq!(grad_b, [-(1.0 / 10.0 / 10.0 + 4.0 / 10.0 / 10.0), -(2.0 / 20.0 / 20.0 + 5.0 / 20.0 / 20.0), -(3.0 / 30.0 / 30.0 + 6.0 / 30.0 / 30.0)]);
    }
}
