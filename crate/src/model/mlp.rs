//! A multilayer perceptron: layers `a_l = act(a_{l−1}·W_l + b_l)` (W_l `in × out`
//! row-major, as torch.nn.Linear's weight transposed), a linear output layer, and the
//! loss of crate/src/loss/ on its outputs (mean squared error, binary cross-entropy from
//! logits or softmax cross-entropy), plus an optional L2 penalty on the weights. Forward,
//! loss and backward (backpropagation: the chain rule layer by layer, as autograd computes
//! it) of one batch in one call. Dot products add their terms in index order; gradients
//! accumulate from zero in batch order, so ts/kernels/model/mlp.ts gives the same bits.
//! tanh and sigmoid use crate/src/math.rs's exp (in f64, rounded to the dtype).

use crate::float::{maximum, Float};
use crate::loss::{bce::bce_with_logits_partial, cross_entropy::cross_entropy_index_partial, mse::mse_partial, penalty::l2_penalty};
use crate::math;
use crate::model::affine::Batch;

/// Activation codes shared with ts/kernels/model/mlp.ts and ts/model/mlp.ts.
pub const RELU: u32 = 0;
pub const TANH: u32 = 1;
pub const SIGMOID: u32 = 2;

/// Output (loss) codes: mean squared error, BCE from logits, softmax cross-entropy.
pub const REGRESSION: u32 = 0;
pub const BINARY: u32 = 1;
pub const SOFTMAX: u32 = 2;

/// Scratch values for a batch of `rows` rows through layers of `sizes` (inputs first):
/// the gathered inputs, every layer's outputs, the targets and two buffers of ∂z.
pub fn scratch_len(rows: usize, sizes: &[usize]) -> usize {
    let widest = sizes[1..].iter().copied().max().unwrap_or(0);
    rows * (sizes.iter().sum::<usize>() + 1 + 2 * widest)
}

/// `act(z)`: relu as torch.relu (NaN propagates), tanh as `(1 − e)/(1 + e)` with
/// e = exp(−2|z|) and the sign of z, sigmoid from e = exp(−|z|) without overflow.
pub fn activate<T: Float>(activation: u32, z: T) -> T {
    match activation {
        TANH => {
            let a = z.abs();
            let e = T::from_f64(math::exp((-(a + a)).to_f64()));
            let t = (T::ONE - e) / (T::ONE + e);
            if z < T::ZERO {
                -t
            } else {
                t
            }
        }
        SIGMOID => {
            let e = T::from_f64(math::exp((-z.abs()).to_f64()));
            if z >= T::ZERO {
                T::ONE / (T::ONE + e)
            } else {
                e / (T::ONE + e)
            }
        }
        _ => maximum(z, T::ZERO),
    }
}

/// `g · act'(z)` from the activation's output `a` (torch's threshold_backward,
/// tanh_backward `g·(1 − a²)` and sigmoid_backward `g·(1 − a)·a`).
pub fn activation_backward<T: Float>(activation: u32, g: T, a: T) -> T {
    match activation {
        TANH => g * (T::ONE - a * a),
        SIGMOID => g * (T::ONE - a) * a,
        _ => {
            if a > T::ZERO {
                g
            } else {
                T::ZERO
            }
        }
    }
}

/// One dense layer over `rows` rows: `out[r·o + c] = act(Σ_j input[r·i + j]·w[j·o + c] + b[c])`
/// (no activation on the output layer, `activation` None).
pub fn dense<T: Float>(input: &[T], rows: usize, w: &[T], b: &[T], activation: Option<u32>, out: &mut [T]) {
    let o = b.len();
    let i = w.len() / o;
    for r in 0..rows {
        let a = &input[r * i..(r + 1) * i];
        let z = &mut out[r * o..(r + 1) * o];
        for v in z.iter_mut() {
            *v = T::ZERO;
        }
        for j in 0..i {
            let aj = a[j];
            let wj = &w[j * o..(j + 1) * o];
            for c in 0..o {
                z[c] = z[c] + aj * wj[c];
            }
        }
        for c in 0..o {
            let v = z[c] + b[c];
            z[c] = match activation {
                Some(code) => activate(code, v),
                None => v,
            };
        }
    }
}

/// Gathers the batch's rows into `input` and runs every layer, writing each layer's
/// outputs (`rows × sizes[l]`) in turn to `acts`; the last block holds the outputs.
pub fn forward<T: Float>(batch: &Batch<T>, activation: u32, weights: &[&[T]], biases: &[&[T]], input: &mut [T], acts: &mut [T]) {
    let (d, m) = (batch.d, batch.rows.len());
    for (r, &row) in batch.rows.iter().enumerate() {
        let i = row as usize;
        input[r * d..(r + 1) * d].copy_from_slice(&batch.x[i * d..(i + 1) * d]);
    }
    let layers = weights.len();
    let mut start = 0;
    for l in 0..layers {
        let o = biases[l].len();
        let (done, rest) = acts.split_at_mut(start);
        let previous: &[T] = if l == 0 { input } else { &done[start - m * biases[l - 1].len()..] };
        let act = if l + 1 < layers { Some(activation) } else { None };
        dense(previous, m, weights[l], biases[l], act, &mut rest[..m * o]);
        start += m * o;
    }
}

/// Mean loss of the batch (plus `l2·Σ W²` over every weight matrix) at the given weights
/// and biases; overwrites every gradient. `sizes` are the layer widths, inputs first;
/// the output layer has 1 unit (REGRESSION, BINARY) or the classes (SOFTMAX, every target
/// an integer in [0, classes)). `scratch` holds at least `scratch_len(rows, sizes)` values.
#[allow(clippy::too_many_arguments)]
pub fn loss_and_gradient<T: Float>(
    batch: &Batch<T>,
    sizes: &[usize],
    activation: u32,
    output: u32,
    l2: T,
    weights: &[&[T]],
    biases: &[&[T]],
    grad_w: &mut [&mut [T]],
    grad_b: &mut [&mut [T]],
    scratch: &mut [T],
) -> T {
    let m = batch.rows.len();
    let sum = partial_loss_and_gradient(batch, sizes, activation, output, m, weights, biases, grad_w, grad_b, scratch);
    let mut total = sum / T::from_f64(m as f64);
    if l2 != T::ZERO {
        for l in 0..weights.len() {
            total = total + l2_penalty(weights[l], l2, &mut *grad_w[l]);
        }
    }
    total
}

/// The batch's share of the mean loss over `total` rows, for data-parallel fits: the sum
/// of its rows' losses (not divided, no penalty); overwrites every gradient with the sum
/// of its rows' terms of the gradient of that mean, the same terms as `loss_and_gradient`
/// over all `total` rows.
#[allow(clippy::too_many_arguments)]
pub fn partial_loss_and_gradient<T: Float>(
    batch: &Batch<T>,
    sizes: &[usize],
    activation: u32,
    output: u32,
    total: usize,
    weights: &[&[T]],
    biases: &[&[T]],
    grad_w: &mut [&mut [T]],
    grad_b: &mut [&mut [T]],
    scratch: &mut [T],
) -> T {
    let m = batch.rows.len();
    let layers = weights.len();
    let widest = sizes[1..].iter().copied().max().unwrap_or(0);
    let (input, rest) = scratch.split_at_mut(m * sizes[0]);
    let (acts, rest) = rest.split_at_mut(m * sizes[1..].iter().sum::<usize>());
    let (target, rest) = rest.split_at_mut(m);
    let (delta, rest) = rest.split_at_mut(m * widest);
    let next = &mut rest[..m * widest];
    forward(batch, activation, weights, biases, input, acts);
    for (r, &row) in batch.rows.iter().enumerate() {
        target[r] = batch.y[row as usize];
    }
    // Layer l's outputs start at m·(sizes[1] + … + sizes[l]) in `acts`.
    let offset = |l: usize| m * sizes[1..=l].iter().sum::<usize>();
    let k = sizes[layers];
    let out = &acts[offset(layers - 1)..offset(layers - 1) + m * k];
    let sum = match output {
        BINARY => bce_with_logits_partial(out, target, total, &mut delta[..m * k]),
        SOFTMAX => cross_entropy_index_partial(out, target, k, total, &mut delta[..m * k]),
        _ => mse_partial(out, target, total, &mut delta[..m * k]),
    };
    let (mut g, mut h) = (delta, next);
    for l in (0..layers).rev() {
        let (i, o) = (sizes[l], sizes[l + 1]);
        let a: &[T] = if l == 0 { input } else { &acts[offset(l - 1)..offset(l - 1) + m * i] };
        let (gw, gb) = (&mut *grad_w[l], &mut *grad_b[l]);
        for v in gw.iter_mut() {
            *v = T::ZERO;
        }
        for v in gb.iter_mut() {
            *v = T::ZERO;
        }
        for r in 0..m {
            let gr = &g[r * o..(r + 1) * o];
            let ar = &a[r * i..(r + 1) * i];
            for j in 0..i {
                let aj = ar[j];
                let row = &mut gw[j * o..(j + 1) * o];
                for c in 0..o {
                    row[c] = row[c] + gr[c] * aj;
                }
            }
            for c in 0..o {
                gb[c] = gb[c] + gr[c];
            }
        }
        if l > 0 {
            // ∂a_{l−1} = g·W_lᵀ, then through the activation.
            let w = weights[l];
            for r in 0..m {
                let gr = &g[r * o..(r + 1) * o];
                for j in 0..i {
                    let wj = &w[j * o..(j + 1) * o];
                    let mut s = T::ZERO;
                    for c in 0..o {
                        s = s + gr[c] * wj[c];
                    }
                    h[r * i + j] = activation_backward(activation, s, a[r * i + j]);
                }
            }
            core::mem::swap(&mut g, &mut h);
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the kernel on a 2-3-k net and returns the loss and the flattened gradient.
    fn run(params: &[Vec<f64>], sizes: &[usize], activation: u32, output: u32, l2: f64, batch: &Batch<f64>) -> (f64, Vec<f64>) {
        let weights: Vec<&[f64]> = vec![&params[0], &params[2]];
        let biases: Vec<&[f64]> = vec![&params[1], &params[3]];
        let mut grads: Vec<Vec<f64>> = params.iter().map(|p| vec![f64::NAN; p.len()]).collect();
        let (gw0, rest) = grads.split_at_mut(1);
        let (gb0, rest) = rest.split_at_mut(1);
        let (gw1, gb1) = rest.split_at_mut(1);
        let mut grad_w: Vec<&mut [f64]> = vec![&mut gw0[0], &mut gw1[0]];
        let mut grad_b: Vec<&mut [f64]> = vec![&mut gb0[0], &mut gb1[0]];
        let mut scratch = vec![0.0; scratch_len(batch.rows.len(), sizes)];
        let value = loss_and_gradient(batch, sizes, activation, output, l2, &weights, &biases, &mut grad_w, &mut grad_b, &mut scratch);
        (value, grads.concat())
    }

    #[test]
    fn gradients_match_central_differences() {
        let x = [0.5f64, -1.0, 1.5, 0.25, -0.75, 2.0, 1.0, 1.0];
        let classes = [1.0, 0.0, 2.0, 1.0];
        let labels = [1.0, 0.0, 0.0, 1.0];
        let reals = [0.3, -1.2, 2.5, 0.1];
        for activation in [RELU, TANH, SIGMOID] {
            for (output, y, k) in [(REGRESSION, &reals, 1usize), (BINARY, &labels, 1), (SOFTMAX, &classes, 3)] {
                let sizes = [2usize, 3, k];
                let batch = Batch { x: &x, y, d: 2, rows: &[2, 0, 3, 0], follows: false };
                let mut params: Vec<Vec<f64>> = [6, 3, 3 * k, k].iter().enumerate().map(|(p, &n)| (0..n).map(|i| (((i * 7 + p * 3) % 11) as f64 - 5.0) * 0.23 + 0.05).collect()).collect();
                let (_, grad) = run(&params, &sizes, activation, output, 0.1, &batch);
                let h = 1e-6;
                let mut flat = 0;
                for p in 0..4 {
                    for i in 0..params[p].len() {
                        let v = params[p][i];
                        params[p][i] = v + h;
                        let up = run(&params, &sizes, activation, output, 0.1, &batch).0;
                        params[p][i] = v - h;
                        let down = run(&params, &sizes, activation, output, 0.1, &batch).0;
                        params[p][i] = v;
                        let numeric = (up - down) / (2.0 * h);
                        assert!((numeric - grad[flat]).abs() < 1e-7, "activation {} output {} param {}[{}]: {} vs {}", activation, output, p, i, grad[flat], numeric);
                        flat += 1;
                    }
                }
            }
        }
    }

    #[test]
    fn partial_shares_add_up_to_the_whole_batch() {
        let x = [0.5f64, -1.0, 1.5, 0.25, -0.75, 2.0, 1.0, 1.0];
        let classes = [1.0, 0.0, 2.0, 1.0];
        let reals = [0.3, -1.2, 2.5, 0.1];
        for (output, y, k) in [(REGRESSION, &reals, 1usize), (BINARY, &[1.0, 0.0, 0.0, 1.0], 1), (SOFTMAX, &classes, 3)] {
            let sizes = [2usize, 3, k];
            let params: Vec<Vec<f64>> = [6, 3, 3 * k, k].iter().enumerate().map(|(p, &n)| (0..n).map(|i| (((i * 5 + p * 3) % 7) as f64 - 3.0) * 0.31).collect()).collect();
            let (mean, whole) = run(&params, &sizes, TANH, output, 0.0, &Batch { x: &x, y, d: 2, rows: &[2, 0, 3, 1], follows: false });
            let mut shares = Vec::new();
            for rows in [&[2u32, 0][..], &[3, 1][..]] {
                let weights: Vec<&[f64]> = vec![&params[0], &params[2]];
                let biases: Vec<&[f64]> = vec![&params[1], &params[3]];
                let mut grads: Vec<Vec<f64>> = params.iter().map(|p| vec![f64::NAN; p.len()]).collect();
                let (gw0, rest) = grads.split_at_mut(1);
                let (gb0, rest) = rest.split_at_mut(1);
                let (gw1, gb1) = rest.split_at_mut(1);
                let mut grad_w: Vec<&mut [f64]> = vec![&mut gw0[0], &mut gw1[0]];
                let mut grad_b: Vec<&mut [f64]> = vec![&mut gb0[0], &mut gb1[0]];
                let mut scratch = vec![0.0; scratch_len(2, &sizes)];
                let batch = Batch { x: &x, y, d: 2, rows, follows: false };
                let sum = partial_loss_and_gradient(&batch, &sizes, TANH, output, 4, &weights, &biases, &mut grad_w, &mut grad_b, &mut scratch);
                shares.push((sum, grads.concat()));
            }
            assert!(((shares[0].0 + shares[1].0) / 4.0 - mean).abs() < 1e-15, "output {}", output);
            for i in 0..whole.len() {
                assert!((shares[0].1[i] + shares[1].1[i] - whole[i]).abs() < 1e-15, "output {} gradient {}", output, i);
            }
        }
    }

    #[test]
    fn activations_in_closed_form() {
        assert_eq!(activate(RELU, -2.0f64), 0.0);
        assert_eq!(activate(RELU, 3.0f64), 3.0);
        assert!(activate(RELU, f64::NAN).is_nan());
        assert_eq!(activate(SIGMOID, 0.0f64), 0.5);
        assert_eq!(activate(TANH, 0.0f64), 0.0);
        for z in [-30.0f64, -3.0, -0.5, 0.1, 1.0, 4.0, 800.0] {
            assert!((activate(TANH, z) - z.tanh()).abs() < 4e-16, "tanh {}", z);
            assert!((activate(SIGMOID, z) - 1.0 / (1.0 + (-z).exp())).abs() < 4e-16, "sigmoid {}", z);
        }
        assert_eq!(activate(TANH, 1000.0f32), 1.0);
        assert_eq!(activation_backward(TANH, 2.0f64, 0.5), 1.5);
        assert_eq!(activation_backward(SIGMOID, 2.0f64, 0.5), 0.5);
        assert_eq!(activation_backward(RELU, 2.0f64, 0.0), 0.0);
    }
}
