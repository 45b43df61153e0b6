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
use crate::rng::shuffle;

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

/// What fit() carries from one epoch to the next: scikit-learn's no-improvement rule
/// (`tol`, None without it, and `patience` = nIterNoChange epochs) with its count of bad
/// epochs, and the lowest epoch loss so far with the epoch (from 1, within this run; 0 for
/// none) that reached it.
pub struct Watch {
    pub tol: Option<f64>,
    pub patience: usize,
    pub bad: usize,
    pub best_loss: f64,
    pub best_epoch: usize,
}

/// Runs up to `count` whole epochs: each shuffles `order` with `rng` when given (as fit()
/// reshuffles its row order), runs `steps` over all of it with that epoch's scalars, flags
/// and records (`⌈order.len() / batch⌉` of each per epoch), then does fit()'s end-of-epoch
/// work: the epoch's loss `Σ loss_j · rows_j / Σ rows_j`, the no-improvement rule, and the
/// weights copied to `best` (every slot's values, in order) when that loss is the lowest.
///
/// Stops where fit() would: after an epoch whose batch had a non-finite loss or norm, whose
/// weights became non-finite (no rule, no copy), whose last batch converged (norm < `tol`)
/// or that met the no-improvement rule. Returns the number of batches recorded.
#[allow(clippy::too_many_arguments)]
pub fn epochs<T: Float, S: Kernel<T, K>, const K: usize>(
    slots: &mut [Slot<T, K>],
    order: &mut [u32],
    batch: usize,
    count: usize,
    mut rng: Option<&mut [u32; 4]>,
    scalars: &[f64],
    flags: &[u32],
    max_norm: Option<f64>,
    tol: f64,
    watch: &mut Watch,
    best: &mut [T],
    records: Records,
    mut model: impl FnMut(&[u32], &mut [Slot<T, K>]) -> T,
) -> usize {
    let n = order.len();
    let per = (n + batch - 1) / batch;
    let mut done = 0;
    for e in 0..count {
        if let Some(state) = rng.as_deref_mut() {
            shuffle(state, order);
        }
        let (from, to) = (e * per, (e + 1) * per);
        let epoch = Records { loss: &mut records.loss[from..to], norm: &mut records.norm[from..to] };
        let taken = steps::<T, S, K>(slots, order, batch, &scalars[from * SCALARS..to * SCALARS], &flags[from..to], max_norm, tol, epoch, &mut model);
        done = from + taken;
        let (loss, norm) = (records.loss[done - 1], records.norm[done - 1]);
        if !(loss.is_finite() && norm.is_finite()) || !slots.iter().all(|s| s.param.iter().all(|v| v.to_f64().is_finite())) {
            return done;
        }
        let (mut sum, mut rows) = (0.0f64, 0usize);
        for j in 0..taken {
            let size = n.min((j + 1) * batch) - j * batch;
            sum += records.loss[from + j] * size as f64;
            rows += size;
        }
        let epoch_loss = sum / rows as f64;
        let mut stop = norm < tol;
        if let Some(t) = watch.tol {
            watch.bad = if epoch_loss > watch.best_loss - t { watch.bad + 1 } else { 0 };
            stop |= watch.bad >= watch.patience;
        }
        if epoch_loss < watch.best_loss {
            watch.best_loss = epoch_loss;
            watch.best_epoch = e + 1;
            let mut at = 0;
            for slot in slots.iter() {
                best[at..at + slot.param.len()].copy_from_slice(slot.param);
                at += slot.param.len();
            }
        }
        if stop {
            return done;
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

    fn sgd_scalars(lr: f64, steps: usize) -> Vec<f64> {
        let mut scalars = vec![0.0; steps * SCALARS];
        for j in 0..steps {
            scalars[j * SCALARS] = lr;
            scalars[j * SCALARS + 2] = 1.0;
        }
        scalars
    }

    #[test]
    fn epochs_shuffle_step_and_keep_the_best_as_a_hand_loop_does() {
        let x = [1.0, 2.0, -1.0, 0.5, 3.0];
        let y: Vec<f64> = x.iter().map(|v| 3.0 * v).collect();
        let (batch, count, lr) = (2, 4, 0.05);
        let per = 3;
        let scalars = sgd_scalars(lr, count * per);
        let flags = vec![0u32; count * per];
        let mut order = [0u32, 1, 2, 3, 4];
        let mut state = crate::rng::seed(9);
        let (mut w, mut g, mut buf) = ([0.0f64], [0.0f64], [0.0f64; 0]);
        let (mut loss, mut norm) = (vec![0.0; count * per], vec![0.0; count * per]);
        let mut best = [0.0f64];
        let mut watch = Watch { tol: Some(1e-3), patience: 5, bad: 0, best_loss: f64::INFINITY, best_epoch: 0 };
        let done = {
            let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
            let records = Records { loss: &mut loss, norm: &mut norm };
            epochs::<f64, sgd::Step<f64>, 1>(&mut slots, &mut order, batch, count, Some(&mut state), &scalars, &flags, None, 0.0, &mut watch, &mut best, records, mse_model(&x, &y))
        };
        assert_eq!(done, count * per);
        // By hand: shuffle, then gradient descent over the batches, then the epoch's loss.
        let (mut v, mut hand_order, mut hand_state) = (0.0f64, [0u32, 1, 2, 3, 4], crate::rng::seed(9));
        let (mut best_loss, mut best_v) = (f64::INFINITY, 0.0);
        for e in 0..count {
            crate::rng::shuffle(&mut hand_state, &mut hand_order);
            let mut sum = 0.0;
            for (j, b) in hand_order.chunks(batch).enumerate() {
                let m = b.len() as f64;
                let mean: f64 = b.iter().map(|&i| (v * x[i as usize] - y[i as usize]).powi(2)).sum::<f64>() / m;
                assert!((loss[e * per + j] - mean).abs() <= 1e-12 * mean.max(1.0));
                sum += mean * m;
                v -= lr * b.iter().map(|&i| 2.0 / m * (v * x[i as usize] - y[i as usize]) * x[i as usize]).sum::<f64>();
            }
            if sum / 5.0 < best_loss {
                best_loss = sum / 5.0;
                best_v = v;
            }
        }
        assert_eq!(order, hand_order);
        assert_eq!(state, hand_state);
        assert!((w[0] - v).abs() <= 1e-12 && (best[0] - best_v).abs() <= 1e-12);
        // The loss falls every epoch: the last is the best, and no epoch was bad.
        assert_eq!((watch.best_epoch, watch.bad), (count, 0));
        assert!((watch.best_loss - best_loss).abs() <= 1e-12 * best_loss);
    }

    #[test]
    fn epochs_stop_on_no_improvement_and_on_weights_that_overflow() {
        let x = [1.0, 2.0];
        let y = [3.0, 6.0];
        let flags = vec![0u32; 10];
        let (mut g, mut buf, mut best) = ([0.0f64], [0.0f64; 0], [7.0f64]);
        let (mut loss, mut norm) = (vec![0.0; 10], vec![0.0; 10]);
        // lr 0: every epoch has the first epoch's loss, which is never better by tol.
        let mut w = [1.0f64];
        let mut watch = Watch { tol: Some(1e-4), patience: 2, bad: 0, best_loss: f64::INFINITY, best_epoch: 0 };
        let done = {
            let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
            let records = Records { loss: &mut loss, norm: &mut norm };
            epochs::<f64, sgd::Step<f64>, 1>(&mut slots, &mut [0, 1], 2, 10, None, &sgd_scalars(0.0, 10), &flags, None, 0.0, &mut watch, &mut best, records, mse_model(&x, &y))
        };
        // Epoch 1 sets the best (2.5² · 5 / 2 … at w = 1); epochs 2 and 3 are bad: stop.
        assert_eq!((done, watch.bad, watch.best_epoch), (3, 2, 1));
        assert_eq!((watch.best_loss, best[0]), ((4.0 + 16.0) / 2.0, 1.0));
        // A huge step: the weights overflow in epoch 1, whose loss was finite: no rule, no copy.
        let mut w = [1.0f64];
        let mut watch = Watch { tol: None, patience: 1, bad: 0, best_loss: f64::INFINITY, best_epoch: 0 };
        let done = {
            let mut slots = [Slot { param: &mut w[..], grad: &mut g[..], state: [&mut buf[..]] }];
            let records = Records { loss: &mut loss, norm: &mut norm };
            epochs::<f64, sgd::Step<f64>, 1>(&mut slots, &mut [0, 1], 2, 10, None, &sgd_scalars(1e308, 10), &flags, None, 0.0, &mut watch, &mut best, records, mse_model(&x, &y))
        };
        assert!(loss[0].is_finite() && !w[0].is_finite());
        assert_eq!((done, watch.best_epoch, watch.best_loss, best[0]), (1, 0, f64::INFINITY, 1.0));
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
