//! RMSprop (Hinton's lecture 6e; centered as in Graves 2013) with momentum, weight decay
//! and maximization; the operation order of torch.optim.rmsprop._single_tensor_rmsprop.

use super::{Kernel, FLAG_CENTERED, FLAG_MAXIMIZE, SCALARS};
use crate::float::Float;

/// Hyperparameters of one step, rounded to the element type.
#[derive(Clone, Copy, Debug)]
pub struct Rmsprop<T> {
    pub lr: T,
    pub alpha: T,
    /// `1 - alpha`, computed in f64 as PyTorch does in Python.
    pub alpha_complement: T,
    pub eps: T,
    pub weight_decay: T,
    pub momentum: T,
    /// `momentum > 0` decided in f64, as PyTorch does, not after rounding to `T`.
    pub has_momentum: bool,
    pub centered: bool,
    pub maximize: bool,
}

impl<T: Float> Rmsprop<T> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        lr: f64,
        alpha: f64,
        alpha_complement: f64,
        eps: f64,
        weight_decay: f64,
        momentum: f64,
        centered: bool,
        maximize: bool,
    ) -> Self {
        Rmsprop {
            lr: T::from_f64(lr),
            alpha: T::from_f64(alpha),
            alpha_complement: T::from_f64(alpha_complement),
            eps: T::from_f64(eps),
            weight_decay: T::from_f64(weight_decay),
            momentum: T::from_f64(momentum),
            has_momentum: momentum > 0.0,
            centered,
            maximize,
        }
    }
}

/// Scalars `[lr, alpha, 1 - alpha, eps, weight_decay, momentum]`; flags centered and
/// maximize. State `[square_avg, momentum_buffer, grad_avg]`, all starting at zero.
#[derive(Clone, Copy, Debug)]
pub struct Step<T> {
    pub hp: Rmsprop<T>,
}

impl<T: Float> Kernel<T, 3> for Step<T> {
    fn new(s: &[f64; SCALARS], flags: u32) -> Self {
        Step {
            hp: Rmsprop::new(s[0], s[1], s[2], s[3], s[4], s[5], flags & FLAG_CENTERED != 0, flags & FLAG_MAXIMIZE != 0),
        }
    }
    fn required_states(&self) -> u32 {
        1 | (self.hp.has_momentum as u32) << 1 | (self.hp.centered as u32) << 2
    }
    fn step(&self, param: &mut [T], grad: &[T], [square_avg, momentum_buffer, grad_avg]: [&mut [T]; 3]) {
        step(&self.hp, param, grad, square_avg, momentum_buffer, grad_avg)
    }
}

/// One RMSprop step on one tensor. `momentum_buffer` is empty when momentum is 0 and
/// `grad_avg` when not centered (PyTorch keeps no such buffers then).
pub fn step<T: Float>(
    hp: &Rmsprop<T>,
    param: &mut [T],
    grad: &[T],
    square_avg: &mut [T],
    momentum_buffer: &mut [T],
    grad_avg: &mut [T],
) {
    // One loop per variant, so that each indexes only full-length slices: no bounds
    // checks inside, and LLVM vectorizes all four (the arithmetic is the same).
    match (hp.centered, hp.has_momentum) {
        (false, false) => run::<T, false, false>(hp, param, grad, square_avg, momentum_buffer, grad_avg),
        (false, true) => run::<T, false, true>(hp, param, grad, square_avg, momentum_buffer, grad_avg),
        (true, false) => run::<T, true, false>(hp, param, grad, square_avg, momentum_buffer, grad_avg),
        (true, true) => run::<T, true, true>(hp, param, grad, square_avg, momentum_buffer, grad_avg),
    }
}

#[inline(always)]
fn run<T: Float, const CENTERED: bool, const MOMENTUM: bool>(
    hp: &Rmsprop<T>,
    param: &mut [T],
    grad: &[T],
    square_avg: &mut [T],
    momentum_buffer: &mut [T],
    grad_avg: &mut [T],
) {
    let n = param.len();
    let grad = &grad[..n];
    let square_avg = &mut square_avg[..n];
    let neg_lr = -hp.lr;
    let momentum_buffer = &mut momentum_buffer[..if MOMENTUM { n } else { 0 }];
    let grad_avg = &mut grad_avg[..if CENTERED { n } else { 0 }];
    for i in 0..n {
        let g = if hp.maximize { -grad[i] } else { grad[i] };
        let g = if hp.weight_decay != T::ZERO { g + hp.weight_decay * param[i] } else { g };
        // addcmul: value · t1 · t2, left to right.
        let sq = square_avg[i] * hp.alpha + hp.alpha_complement * g * g;
        square_avg[i] = sq;
        let avg = if CENTERED {
            let ga = grad_avg[i] * hp.alpha + hp.alpha_complement * g;
            grad_avg[i] = ga;
            // A variance, >= 0 in exact arithmetic; rounding can leave it a hair below 0,
            // where PyTorch's sqrt gives NaN. Clamped, so only that case differs from torch.
            let variance = sq - ga * ga;
            (if variance < T::ZERO { T::ZERO } else { variance }).sqrt()
        } else {
            sq.sqrt()
        };
        let avg = avg + hp.eps;
        if MOMENTUM {
            let buf = momentum_buffer[i] * hp.momentum + g / avg;
            momentum_buffer[i] = buf;
            param[i] = param[i] + neg_lr * buf;
        } else {
            param[i] = param[i] + neg_lr * g / avg;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hp(lr: f64, alpha: f64, eps: f64, wd: f64, momentum: f64, centered: bool, maximize: bool) -> Rmsprop<f64> {
        Rmsprop::new(lr, alpha, 1.0 - alpha, eps, wd, momentum, centered, maximize)
    }

    #[test]
    fn plain_steps_follow_the_running_mean_of_squares() {
        let h = hp(0.01, 0.75, 1e-8, 0.0, 0.0, false, false);
        let (mut p, mut sq) = ([1.0], [0.0]);
        step(&h, &mut p, &[2.0], &mut sq, &mut [], &mut []);
        let sq1 = 0.0 * 0.75 + 0.25 * 2.0 * 2.0;
        assert_eq!(sq, [sq1]);
        let p1 = 1.0 + -0.01 * 2.0 / (sq1.sqrt() + 1e-8);
        assert_eq!(p, [p1]);
        step(&h, &mut p, &[-1.0], &mut sq, &mut [], &mut []);
        let sq2 = sq1 * 0.75 + 0.25 * -1.0 * -1.0;
        assert_eq!(sq, [sq2]);
        assert_eq!(p, [p1 + -0.01 * -1.0 / (sq2.sqrt() + 1e-8)]);
    }

    #[test]
    fn centered_variance_rounded_below_zero_is_clamped_not_nan() {
        // With alpha ~ 1e-16 two steps leave sq − ga² = −4.4e-16 after rounding (torch: NaN).
        let alpha = 9.834032748869389e-17;
        let h = hp(0.01, alpha, 1e-8, 0.0, 0.0, true, false);
        let (mut p, mut sq, mut ga) = ([1.0], [0.0], [0.0]);
        let (g1, g2) = (-1.2121129359691951f64, -1.5205303416004097f64);
        step(&h, &mut p, &[g1], &mut sq, &mut [], &mut ga);
        step(&h, &mut p, &[g2], &mut sq, &mut [], &mut ga);
        assert!(sq[0] - ga[0] * ga[0] < 0.0);
        assert!(p[0].is_finite());
    }

    #[test]
    fn centered_subtracts_the_squared_mean_and_momentum_accumulates() {
        let h = hp(0.1, 0.5, 1e-8, 0.0, 0.9, true, false);
        let (mut p, mut sq, mut buf, mut ga) = ([0.0], [0.0], [0.0], [0.0]);
        step(&h, &mut p, &[4.0], &mut sq, &mut buf, &mut ga);
        // sq = 8, ga = 2, avg = sqrt(8 - 4) + eps = 2 + eps, buf = 4 / avg.
        assert_eq!((sq, ga), ([8.0], [2.0]));
        let b1 = 4.0 / (2.0 + 1e-8);
        assert_eq!(buf, [b1]);
        assert_eq!(p, [-0.1 * b1]);
        step(&h, &mut p, &[0.0], &mut sq, &mut buf, &mut ga);
        // sq = 4, ga = 1, avg = sqrt(3) + eps, buf = 0.9 b1 + 0.
        assert_eq!((sq, ga), ([4.0], [1.0]));
        assert_eq!(buf, [b1 * 0.9]);
        assert_eq!(p, [-0.1 * b1 + -0.1 * (b1 * 0.9)]);
    }

    #[test]
    fn weight_decay_and_maximize_change_the_direction() {
        let h = hp(0.1, 0.0, 1e-8, 0.5, 0.0, false, true);
        let (mut p, mut sq) = ([2.0], [0.0]);
        step(&h, &mut p, &[3.0], &mut sq, &mut [], &mut []);
        let g: f64 = -3.0 + 0.5 * 2.0;
        assert_eq!(sq, [g * g]);
        assert_eq!(p, [2.0 + -0.1 * g / (g.abs() + 1e-8)]);
    }

    #[test]
    fn f32_rounds_hyperparameters_then_computes_in_f32() {
        let h: Rmsprop<f32> = Rmsprop::new(0.01, 0.99, 1.0 - 0.99, 1e-8, 0.0, 0.0, false, false);
        let (mut p, mut sq) = ([1.0f32], [0.0f32]);
        step(&h, &mut p, &[0.3f32], &mut sq, &mut [], &mut []);
        let s = 0.0f32 * 0.99f32 + (1.0f64 - 0.99) as f32 * 0.3f32 * 0.3f32;
        assert_eq!(sq, [s]);
        assert_eq!(p, [1.0f32 + -(0.01f64 as f32) * 0.3f32 / (s.sqrt() + 1e-8f64 as f32)]);
    }

    #[test]
    fn required_states_follow_momentum_and_centered() {
        let k = |m: f64, c: bool| <Step<f64> as Kernel<f64, 3>>::new(&[0.1, 0.9, 0.1, 1e-8, 0.0, m, 0.0, 0.0], if c { FLAG_CENTERED } else { 0 });
        assert_eq!(k(0.0, false).required_states(), 0b001);
        assert_eq!(k(0.5, false).required_states(), 0b011);
        assert_eq!(k(0.0, true).required_states(), 0b101);
        assert_eq!(k(0.5, true).required_states(), 0b111);
    }

    #[test]
    fn empty_tensors_are_a_no_op() {
        let mut p: [f64; 0] = [];
        step(&hp(0.1, 0.9, 1e-8, 0.1, 0.9, true, false), &mut p, &[], &mut [], &mut [], &mut []);
    }
}
