//! Adam (Kingma & Ba 2015) with L2 weight decay, AMSGrad (Reddi et al. 2018) and
//! maximization, and AdamW (Loshchilov & Hutter 2019: decoupled weight decay) as the same
//! kernel with [`FLAG_DECOUPLED`]; the operation order of torch.optim.adam._single_tensor_adam
//! and torch.optim.adamw._single_tensor_adamw (torch 1.13, non-capturable branch).

use super::{Kernel, FLAG_AMSGRAD, FLAG_DECOUPLED, FLAG_MAXIMIZE, SCALARS};
use crate::float::{maximum, Float};

/// Hyperparameters of one step, rounded to the element type (PyTorch casts its Python
/// float scalars to the tensor's dtype the same way).
#[derive(Clone, Copy, Debug)]
pub struct Adam<T> {
    pub beta1: T,
    /// `1 - beta1`, computed in f64 as Python computes it before torch casts it.
    pub beta1_complement: T,
    pub beta2: T,
    /// `1 - beta2`, computed in f64.
    pub beta2_complement: T,
    pub eps: T,
    /// L2 coefficient added to the gradient (Adam), or with `decoupled` the factor
    /// `1 - lr * weight_decay` the parameter is multiplied by first (AdamW).
    pub weight_decay: T,
    /// `-lr / (1 - beta1^t)`, computed in f64.
    pub neg_step_size: T,
    /// `sqrt(1 - beta2^t)`, computed in f64.
    pub bias_correction2_sqrt: T,
    pub amsgrad: bool,
    pub decoupled: bool,
    pub maximize: bool,
}

impl<T: Float> Adam<T> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        beta1: f64,
        beta2: f64,
        eps: f64,
        weight_decay: f64,
        neg_step_size: f64,
        bias_correction2_sqrt: f64,
        amsgrad: bool,
        decoupled: bool,
        maximize: bool,
    ) -> Self {
        Adam {
            beta1: T::from_f64(beta1),
            beta1_complement: T::from_f64(1.0 - beta1),
            beta2: T::from_f64(beta2),
            beta2_complement: T::from_f64(1.0 - beta2),
            eps: T::from_f64(eps),
            weight_decay: T::from_f64(weight_decay),
            neg_step_size: T::from_f64(neg_step_size),
            bias_correction2_sqrt: T::from_f64(bias_correction2_sqrt),
            amsgrad,
            decoupled,
            maximize,
        }
    }
}

/// Scalars `[beta1, beta2, eps, weight_decay or 1 - lr*weight_decay, -lr/(1 - beta1^t),
/// sqrt(1 - beta2^t)]`; flags amsgrad, decoupled, maximize. State `[exp_avg, exp_avg_sq,
/// max_exp_avg_sq]`, all starting at zero (the last only with AMSGrad).
#[derive(Clone, Copy, Debug)]
pub struct Step<T> {
    pub hp: Adam<T>,
}

impl<T: Float> Kernel<T, 3> for Step<T> {
    fn new(s: &[f64; SCALARS], flags: u32) -> Self {
        Step {
            hp: Adam::new(
                s[0],
                s[1],
                s[2],
                s[3],
                s[4],
                s[5],
                flags & FLAG_AMSGRAD != 0,
                flags & FLAG_DECOUPLED != 0,
                flags & FLAG_MAXIMIZE != 0,
            ),
        }
    }
    fn required_states(&self) -> u32 {
        0b011 | ((self.hp.amsgrad as u32) << 2)
    }
    fn step(&self, param: &mut [T], grad: &[T], [exp_avg, exp_avg_sq, max_exp_avg_sq]: [&mut [T]; 3]) {
        step(&self.hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    }
}

/// One Adam/AdamW step on one tensor. `max_exp_avg_sq` is empty unless `amsgrad`.
///
/// The flags pick one of twelve copies of the loop, each compiled with its flags as
/// constants: a loop body holds only its own operations and no per-element branch or
/// select (LLVM otherwise if-converts the weight decay branches into masked selects that
/// every element pays for). The f32 loop in WebAssembly is bound by the divider: two
/// divisions and a square root per four elements.
pub fn step<T: Float>(
    hp: &Adam<T>,
    param: &mut [T],
    grad: &[T],
    exp_avg: &mut [T],
    exp_avg_sq: &mut [T],
    max_exp_avg_sq: &mut [T],
) {
    if hp.amsgrad {
        by_decay::<T, true>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    } else {
        by_decay::<T, false>(hp, param, grad, exp_avg, exp_avg_sq, &mut [])
    }
}

/// Weight decay modes, as const generic parameters.
const NO_DECAY: u8 = 0;
const L2: u8 = 1;
const DECOUPLED: u8 = 2;

fn by_decay<T: Float, const AMSGRAD: bool>(
    hp: &Adam<T>,
    param: &mut [T],
    grad: &[T],
    exp_avg: &mut [T],
    exp_avg_sq: &mut [T],
    max_exp_avg_sq: &mut [T],
) {
    if hp.decoupled {
        by_maximize::<T, AMSGRAD, DECOUPLED>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    } else if hp.weight_decay != T::ZERO {
        by_maximize::<T, AMSGRAD, L2>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    } else {
        by_maximize::<T, AMSGRAD, NO_DECAY>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    }
}

fn by_maximize<T: Float, const AMSGRAD: bool, const DECAY: u8>(
    hp: &Adam<T>,
    param: &mut [T],
    grad: &[T],
    exp_avg: &mut [T],
    exp_avg_sq: &mut [T],
    max_exp_avg_sq: &mut [T],
) {
    if hp.maximize {
        run::<T, AMSGRAD, DECAY, true>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    } else {
        run::<T, AMSGRAD, DECAY, false>(hp, param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq)
    }
}

/// The step with its flags fixed at compile time.
fn run<T: Float, const AMSGRAD: bool, const DECAY: u8, const MAXIMIZE: bool>(
    hp: &Adam<T>,
    param: &mut [T],
    grad: &[T],
    exp_avg: &mut [T],
    exp_avg_sq: &mut [T],
    max_exp_avg_sq: &mut [T],
) {
    let n = param.len();
    let grad = &grad[..n];
    let exp_avg = &mut exp_avg[..n];
    let exp_avg_sq = &mut exp_avg_sq[..n];
    let max_exp_avg_sq = if AMSGRAD { &mut max_exp_avg_sq[..n] } else { max_exp_avg_sq };
    for i in 0..n {
        let mut g = if MAXIMIZE { -grad[i] } else { grad[i] };
        if DECAY == DECOUPLED {
            param[i] = param[i] * hp.weight_decay;
        } else if DECAY == L2 {
            g = g + hp.weight_decay * param[i];
        }
        let m = exp_avg[i] * hp.beta1 + hp.beta1_complement * g;
        exp_avg[i] = m;
        let v = exp_avg_sq[i] * hp.beta2 + hp.beta2_complement * g * g;
        exp_avg_sq[i] = v;
        let second = if AMSGRAD {
            let v_max = maximum(max_exp_avg_sq[i], v);
            max_exp_avg_sq[i] = v_max;
            v_max
        } else {
            v
        };
        let denom = second.sqrt() / hp.bias_correction2_sqrt + hp.eps;
        param[i] = param[i] + hp.neg_step_size * m / denom;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Scalars as the TypeScript class computes them for step `t`.
    fn hp(lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, t: i32, amsgrad: bool, decoupled: bool) -> Adam<f64> {
        let bc1 = 1.0 - b1.powi(t);
        let bc2 = 1.0 - b2.powi(t);
        let decay = if decoupled { 1.0 - lr * wd } else { wd };
        Adam::new(b1, b2, eps, decay, -(lr / bc1), bc2.sqrt(), amsgrad, decoupled, false)
    }

    #[test]
    fn first_step_moves_by_lr_times_sign_of_gradient() {
        // m1 = (1-b1) g, v1 = (1-b2) g², so m1/(1-b1) / sqrt(v1/(1-b2)) = sign(g).
        let (lr, b1, b2, eps) = (0.1, 0.9, 0.999, 1e-8);
        let mut p = [1.0, -2.0];
        let g = [3.0, -0.5];
        let (mut m, mut v) = ([0.0; 2], [0.0; 2]);
        step(&hp(lr, b1, b2, eps, 0.0, 1, false, false), &mut p, &g, &mut m, &mut v, &mut []);
        for i in 0..2 {
            let mi = (1.0 - b1) * g[i];
            let vi = (1.0 - b2) * g[i] * g[i];
            assert_eq!(m[i], mi);
            assert_eq!(v[i], vi);
            let want = [1.0, -2.0][i] - lr * g[i].signum() / (1.0 + eps / g[i].abs());
            assert!((p[i] - want).abs() < 1e-15, "{} vs {}", p[i], want);
        }
    }

    #[test]
    fn two_steps_match_the_closed_form() {
        let (lr, b1, b2, eps) = (0.01, 0.8, 0.9, 1e-6);
        let (g1, g2) = (2.0, -1.0);
        let mut p = [0.5];
        let (mut m, mut v) = ([0.0], [0.0]);
        step(&hp(lr, b1, b2, eps, 0.0, 1, false, false), &mut p, &[g1], &mut m, &mut v, &mut []);
        step(&hp(lr, b1, b2, eps, 0.0, 2, false, false), &mut p, &[g2], &mut m, &mut v, &mut []);
        let m2 = b1 * (1.0 - b1) * g1 + (1.0 - b1) * g2;
        let v2 = b2 * (1.0 - b2) * g1 * g1 + (1.0 - b2) * g2 * g2;
        let p1 = 0.5 - lr * g1.signum() / (1.0 + eps / g1.abs());
        let p2 = p1 - lr / (1.0 - b1 * b1) * m2 / ((v2 / (1.0 - b2 * b2)).sqrt() + eps);
        assert!((m[0] - m2).abs() < 1e-15 && (v[0] - v2).abs() < 1e-15);
        assert!((p[0] - p2).abs() < 1e-14, "{} vs {}", p[0], p2);
    }

    #[test]
    fn amsgrad_keeps_the_largest_second_moment() {
        let (lr, b1, b2, eps) = (0.1, 0.0, 0.5, 0.0);
        let mut p = [0.0];
        let (mut m, mut v, mut vmax) = ([0.0], [0.0], [0.0]);
        step(&hp(lr, b1, b2, eps, 0.0, 1, true, false), &mut p, &[4.0], &mut m, &mut v, &mut vmax);
        assert_eq!((v[0], vmax[0]), (8.0, 8.0));
        step(&hp(lr, b1, b2, eps, 0.0, 2, true, false), &mut p, &[0.0], &mut m, &mut v, &mut vmax);
        assert_eq!((v[0], vmax[0]), (4.0, 8.0));
        // With beta1 = 0 and a zero gradient the second step does not move.
        assert_eq!(p[0], -0.1 * 4.0 / (8.0f64.sqrt() / 0.5f64.sqrt()));
    }

    #[test]
    fn l2_weight_decay_adds_to_the_gradient_and_decoupled_shrinks_the_parameter() {
        let (lr, wd) = (0.1, 0.5);
        // L2: the effective gradient g + wd*p = 1 + 0.5*2 = 2, a first step moves by ~lr.
        let mut p = [2.0];
        step(&hp(lr, 0.9, 0.999, 0.0, wd, 1, false, false), &mut p, &[1.0], &mut [0.0], &mut [0.0], &mut []);
        assert!((p[0] - (2.0 - lr)).abs() < 1e-15);
        // Decoupled: p * (1 - lr*wd) first, then the Adam step on g alone.
        let mut q = [2.0];
        let (mut m, mut v) = ([0.0], [0.0]);
        step(&hp(lr, 0.9, 0.999, 0.0, wd, 1, false, true), &mut q, &[-1.0], &mut m, &mut v, &mut []);
        assert!((q[0] - (2.0 * (1.0 - lr * wd) + lr)).abs() < 1e-15);
        assert_eq!(m[0], (1.0 - 0.9) * -1.0);
    }

    #[test]
    fn maximize_is_the_step_on_the_negated_gradient() {
        let mut a = [1.0, 2.0];
        let mut b = [1.0, 2.0];
        let mut h = hp(0.1, 0.9, 0.999, 1e-8, 0.1, 1, false, false);
        step(&h, &mut a, &[-0.3, 0.7], &mut [0.0; 2], &mut [0.0; 2], &mut []);
        h.maximize = true;
        step(&h, &mut b, &[0.3, -0.7], &mut [0.0; 2], &mut [0.0; 2], &mut []);
        assert_eq!(a, b);
    }

    #[test]
    fn f32_rounds_each_operation() {
        let h: Adam<f32> = Adam::new(0.9, 0.999, 1e-8, 0.0, -0.001, (1.0f64 - 0.999).sqrt(), false, false, false);
        let mut p = [1.0f32];
        let (mut m, mut v) = ([0.0f32], [0.0f32]);
        step(&h, &mut p, &[0.3f32], &mut m, &mut v, &mut []);
        let mi = 0.0f32 * 0.9f32 + ((1.0f64 - 0.9) as f32) * 0.3f32;
        let vi = 0.0f32 * 0.999f32 + ((1.0f64 - 0.999) as f32) * 0.3f32 * 0.3f32;
        let denom = vi.sqrt() / ((1.0f64 - 0.999).sqrt() as f32) + 1e-8f32;
        assert_eq!(p, [1.0f32 + (-0.001f32) * mi / denom]);
    }

    #[test]
    fn empty_tensors_are_a_no_op() {
        let mut p: [f64; 0] = [];
        step(&hp(0.1, 0.9, 0.999, 1e-8, 0.0, 1, true, false), &mut p, &[], &mut [], &mut [], &mut []);
    }
}
