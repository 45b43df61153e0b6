//! Many steps of fit()'s inner loop in one call: for each batch, the model's mean loss and
//! gradient, the total gradient norm as fit() computes it, optional clipping to a maximum
//! norm, and one optimizer step on every tensor. fit() (ts/train/fit.ts) hands whole runs
//! of batches to this loop when nothing needs JavaScript between them (no per-iteration
//! callback or schedule), so an epoch of small batches costs one WebAssembly call instead
//! of several per batch. Every operation is the one the per-batch path runs — the same
//! model kernel, reduction, clip and step kernel, in the same order — so both paths, and
//! ts/kernels/train.ts on the ts backend, give the same bits.

use crate::clip::scale;
use crate::float::Float;
use crate::optim::{Kernel, SCALARS};
use crate::reduce::sum_of_squares;

/// One tensor the optimizer updates: its values, its gradient (written by the model) and
/// the optimizer's `K` state buffers (empty where the optimizer keeps none).
pub struct Slot<'a, T, const K: usize> {
    pub param: &'a mut [T],
    pub grad: &'a mut [T],
    pub state: [&'a mut [T]; K],
}

/// What each step records: the batch's mean loss and the gradient norm before clipping.
pub struct Records<'a> {
    pub loss: &'a mut [f64],
    pub norm: &'a mut [f64],
}

/// The total L2 norm of the gradients as ts/train/fit.ts's `gradientNorm` (and
/// torch.nn.utils.clip_grad_norm_) computes it: each tensor's norm in its dtype, then
/// `sqrt(Σ n_i²)` in f64.
pub fn gradient_norm<T: Float, const K: usize>(slots: &[Slot<T, K>]) -> f64 {
    let mut total = 0.0f64;
    for slot in slots {
        let n = T::from_f64(sum_of_squares(slot.grad).to_f64().sqrt()).to_f64();
        total += n * n;
    }
    total.sqrt()
}

/// clip_grad_norm_ given the total norm: scales every gradient by
/// `max_norm / (total + 1e-6)` when that is below 1 (or NaN).
pub fn clip<T: Float, const K: usize>(slots: &mut [Slot<T, K>], total: f64, max_norm: f64) {
    let coefficient = (1.0 / (total + 1e-6)) * max_norm;
    if !(coefficient >= 1.0) {
        for slot in slots.iter_mut() {
            scale(slot.grad, T::from_f64(coefficient));
        }
    }
}

/// Runs one step per batch of `batch` rows of `order` (the last one shorter): `model`
/// writes every slot's gradient for those rows and returns their mean loss; then the
/// gradient norm, clipping when `max_norm` is given, and kernel `S` built from step j's
/// `scalars[j·SCALARS ..]` and `flags[j]` on every slot. Records each step's loss and norm.
///
/// Stops after recording a batch whose loss or norm is not finite (without stepping: fit
/// reports divergence there) or after stepping a batch whose norm is below `tol` (fit
/// reports convergence). Returns the number of batches recorded.
#[allow(clippy::too_many_arguments)]
pub fn steps<T: Float, S: Kernel<T, K>, const K: usize>(
    slots: &mut [Slot<T, K>],
    order: &[u32],
    batch: usize,
    scalars: &[f64],
    flags: &[u32],
    max_norm: Option<f64>,
    tol: f64,
    records: Records,
    mut model: impl FnMut(&[u32], &mut [Slot<T, K>]) -> T,
) -> usize {
    let mut done = 0;
    for (j, rows) in order.chunks(batch).enumerate() {
        let loss = model(rows, slots).to_f64();
        let norm = gradient_norm(slots);
        records.loss[j] = loss;
        records.norm[j] = norm;
        done = j + 1;
        if !(loss.is_finite() && norm.is_finite()) {
            break;
        }
        if let Some(max_norm) = max_norm {
            clip(slots, norm, max_norm);
        }
        let mut hyper = [0.0; SCALARS];
        hyper.copy_from_slice(&scalars[j * SCALARS..(j + 1) * SCALARS]);
        let kernel = S::new(&hyper, flags[j]);
        for slot in slots.iter_mut() {
            let mut states = slot.state.iter_mut();
            let state: [&mut [T]; K] = core::array::from_fn(|_| match states.next() {
                Some(s) => &mut **s,
                None => &mut [],
            });
            kernel.step(slot.param, slot.grad, state);
        }
        if norm < tol {
            break;
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::mse::mse_partial;
    use crate::optim::{adam, sgd};

    /// Least squares on y = 3x through one weight: each batch's MSE gradient by hand.
    fn mse_model<'a>(x: &'a [f64], y: &'a [f64]) -> impl FnMut(&[u32], &mut [Slot<f64, 1>]) -> f64 + 'a {
        move |rows, slots| {
            let w = slots[0].param[0];
            let m = rows.len();
            let pred: Vec<f64> = rows.iter().map(|&i| w * x[i as usize]).collect();
            let target: Vec<f64> = rows.iter().map(|&i| y[i as usize]).collect();
            let mut g = vec![0.0; m];
            let sum = mse_partial(&pred, &target, m, &mut g);
            slots[0].grad[0] = rows.iter().zip(&g).fold(0.0, |acc, (&i, gi)| acc + gi * x[i as usize]);
            sum / m as f64
        }
    }

    #[test]
    fn gradient_descent_steps_match_a_hand_loop() {
        let x = [1.0, 2.0, -1.0, 0.5, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v).collect();
        let order = [4u32, 0, 2, 1, 3];
        let lr = 0.05;
        let mut scalars = vec![0.0; 3 * SCALARS];
        for j in 0..3 {
            scalars[j * SCALARS] = lr;
            scalars[j * SCALARS + 2] = 1.0;
        }
        let (mut w, mut g, mut buf) = ([0.0f64], [0.0f64], [0.0f64; 0]);
        let (mut loss, mut norm) = ([0.0; 3], [0.0; 3]);
        let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
        let done = steps::<f64, sgd::Step<f64>, 1>(&mut slots, &order, 2, &scalars, &[0, 0, 0], None, 0.0, Records { loss: &mut loss, norm: &mut norm }, mse_model(&x, &y));
        assert_eq!(done, 3);
        // By hand: w ← w − lr · (2/m) Σ (w x − y) x over batches [4, 0], [2, 1], [3].
        let mut v = 0.0f64;
        for (j, b) in [[4usize, 0].as_slice(), &[2, 1], &[3]].iter().enumerate() {
            let m = b.len() as f64;
            let grad: f64 = b.iter().map(|&i| 2.0 / m * (v * x[i] - y[i]) * x[i]).sum();
            let mean: f64 = b.iter().map(|&i| (v * x[i] - y[i]).powi(2)).sum::<f64>() / m;
            assert!((loss[j] - mean).abs() <= 1e-12 * mean.max(1.0), "loss {} vs {}", loss[j], mean);
            assert!((norm[j] - grad.abs()).abs() <= 1e-12 * grad.abs().max(1.0));
            v -= lr * grad;
        }
        assert!((w[0] - v).abs() <= 1e-12);
    }

    #[test]
    fn stops_at_a_non_finite_loss_without_stepping_and_after_converging() {
        let x = [1.0, f64::NAN];
        let y = [3.0, 0.0];
        let mut scalars = vec![0.0; 2 * SCALARS];
        scalars[0] = 0.1;
        scalars[2] = 1.0;
        scalars[SCALARS] = 0.1;
        scalars[SCALARS + 2] = 1.0;
        let (mut w, mut g, mut buf) = ([0.0f64], [0.0f64], [0.0f64; 0]);
        let (mut loss, mut norm) = ([0.0; 2], [0.0; 2]);
        let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
        let done = steps::<f64, sgd::Step<f64>, 1>(&mut slots, &[0, 1], 1, &scalars, &[0, 0], None, 0.0, Records { loss: &mut loss, norm: &mut norm }, mse_model(&x, &y));
        assert_eq!(done, 2);
        assert!(loss[1].is_nan());
        // Only the first batch stepped: w = 0 − 0.1 · 2 · (0 − 3) · 1.
        assert_eq!(slots[0].param[0], 0.6000000000000001);
        // A tolerance above the first norm (6): one step, then stop.
        let (mut w, mut g) = ([0.0f64], [0.0f64]);
        let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
        let done = steps::<f64, sgd::Step<f64>, 1>(&mut slots, &[0, 0], 1, &scalars, &[0, 0], None, 7.0, Records { loss: &mut loss, norm: &mut norm }, mse_model(&x, &y));
        assert_eq!((done, norm[0]), (1, 6.0));
    }

    #[test]
    fn clipping_scales_to_the_maximum_norm_before_the_step() {
        let mut a = [3.0f32, 0.0];
        let mut b = [4.0f32];
        let (mut pa, mut pb) = ([0.0f32; 2], [0.0f32]);
        let (mut e1, mut e2) = ([0.0f32; 0], [0.0f32; 0]);
        let mut slots = [
            Slot { param: &mut pa[..], grad: &mut a[..], state: [&mut e1[..]] },
            Slot { param: &mut pb[..], grad: &mut b[..], state: [&mut e2[..]] },
        ];
        assert_eq!(gradient_norm(&slots), 5.0);
        clip(&mut slots, 5.0, 1.0);
        let c = (1.0 / (5.0 + 1e-6)) * 1.0;
        assert_eq!(slots[0].grad[0], 3.0 * c as f32);
        assert_eq!(slots[1].grad[0], 4.0 * c as f32);
        clip(&mut slots, 0.5, 1.0);
        assert_eq!(slots[1].grad[0], 4.0 * c as f32);
    }

    #[test]
    fn adam_through_the_loop_equals_adam_step_by_step() {
        let x = [1.0, 2.0, -1.0, 0.5];
        let y = [2.0, 1.0, 0.0, -1.0];
        let order = [1u32, 3, 0, 2];
        let mut scalars = vec![0.0; 4 * SCALARS];
        let mut flags = vec![0u32; 4];
        for t in 1..=4 {
            let hyper = adam_scalars(t);
            scalars[(t - 1) * SCALARS..t * SCALARS].copy_from_slice(&hyper);
        }
        flags[0] = crate::optim::FLAG_NEW_STATE;
        let (mut w, mut g, mut m, mut v, mut vmax) = ([0.5f64], [0.0f64], [0.0f64], [0.0f64], [0.0f64; 0]);
        let (mut loss, mut norm) = ([0.0; 4], [0.0; 4]);
        {
            let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut m[..], &mut v[..], &mut vmax[..]] }];
            let mut model = mse_model3(&x, &y);
            let done = steps::<f64, adam::Step<f64>, 3>(&mut slots, &order, 1, &scalars, &flags, None, 0.0, Records { loss: &mut loss, norm: &mut norm }, &mut model);
            assert_eq!(done, 4);
        }
        let (mut w2, mut m2, mut v2) = ([0.5f64], [0.0f64], [0.0f64]);
        for (j, &i) in order.iter().enumerate() {
            let i = i as usize;
            let grad = [2.0 * (w2[0] * x[i] - y[i]) * x[i]];
            let hyper = adam_scalars(j + 1);
            let kernel = adam::Step::<f64>::new(&hyper, flags[j]);
            kernel.step(&mut w2, &grad, [&mut m2, &mut v2, &mut []]);
        }
        assert_eq!(w[0].to_bits(), w2[0].to_bits());
    }

    fn adam_scalars(t: usize) -> [f64; SCALARS] {
        // adam.rs's order: beta1, beta2, eps, weight decay, −lr/(1 − β1^t), sqrt(1 − β2^t).
        [0.9, 0.999, 1e-8, 0.0, -(1e-2 / (1.0 - 0.9f64.powi(t as i32))), (1.0 - 0.999f64.powi(t as i32)).sqrt(), 0.0, 0.0]
    }

    fn mse_model3<'a>(x: &'a [f64], y: &'a [f64]) -> impl FnMut(&[u32], &mut [Slot<f64, 3>]) -> f64 + 'a {
        move |rows, slots| {
            let i = rows[0] as usize;
            let r = slots[0].param[0] * x[i] - y[i];
            slots[0].grad[0] = 2.0 * r * x[i];
            r * r
        }
    }
}
