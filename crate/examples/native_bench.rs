//! The ceiling for downhill's WebAssembly benchmarks: the same kernels compiled natively,
//! run by bench/native.ts as
//! `cargo run --release --example native_bench -- --data DIR --sizes 1000,… --rounds R --ms M`
//! with `-C target-cpu=native`. The inputs are the JavaScript benchmark's (little-endian
//! f64 files in DIR, see bench/native.ts), so that the results can be checked against the
//! same float64 references. Prints one JSON object per line: per case (named as the JS
//! cases are) the median time per call of each round, and per checked case the values the
//! check compares. `--only Adam,SGD,W2,W3,W4` runs a subset.

use downhill::float::Float;
use downhill::model::affine::{scratch_len, Batch};
use downhill::model::linear::{self, Loss, MSE};
use downhill::optim::{adam, sgd, FLAG_NEW_STATE, SCALARS};
use downhill::train::{self, Records, Slot};
use downhill::rng;
use std::path::{Path, PathBuf};
use std::time::Instant;

// The workloads' hyperparameters, as in bench/workloads.ts.
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;
const ADAM_LR: f64 = 1e-3;
const SGD_LR: f64 = 1e-3;
const MOMENTUM: f64 = 0.9;
const SEED_FIT_LR: f64 = 2e-5;
const SEED_FIT_ITERATIONS: usize = 500;
const SEED_FIT_INIT: [f64; 2] = [1.0, 1.0];
const EPOCH_BATCH: usize = 32;
const EPOCH_SEED: u32 = 1;
const FEATURES: usize = 16;

struct Options {
    data: PathBuf,
    rounds: usize,
    ms: u128,
    sizes: Vec<usize>,
    check_steps: usize,
    only: Option<Vec<String>>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let value = |flag: &str| -> Option<String> { args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1).cloned()) };
        let number = |flag: &str, default: usize| -> Result<usize, String> {
            match value(flag) {
                None => Ok(default),
                Some(v) => v.parse::<usize>().map_err(|_| format!("{} takes a whole number; got {}", flag, v)),
            }
        };
        let data = value("--data").ok_or("--data DIR (the inputs written by bench/native.ts) is required")?;
        let sizes = match value("--sizes") {
            None => vec![1_000, 10_000, 1_000_000],
            Some(list) => list.split(',').map(|s| s.parse::<usize>().map_err(|_| format!("--sizes: {} is not a size", s))).collect::<Result<Vec<_>, _>>()?,
        };
        if sizes.is_empty() {
            return Err("--sizes is empty".to_string());
        }
        Ok(Options {
            data: PathBuf::from(data),
            rounds: number("--rounds", 5)?.max(1),
            ms: number("--ms", 300)? as u128,
            sizes,
            check_steps: number("--check-steps", 10)?,
            only: value("--only").map(|list| list.split(',').map(String::from).collect()),
        })
    }

    fn wants(&self, token: &str) -> bool {
        match &self.only {
            None => true,
            Some(list) => list.iter().any(|t| t == token),
        }
    }

    /// The median microseconds per call of `f` in each of `rounds` rounds of `ms`
    /// milliseconds, each call timed on its own (as tinybench times the JS contenders).
    fn measure(&self, mut f: impl FnMut()) -> Vec<f64> {
        for _ in 0..3 {
            f();
        }
        let mut samples = Vec::new();
        (0..self.rounds)
            .map(|_| {
                samples.clear();
                let start = Instant::now();
                while samples.is_empty() || start.elapsed().as_millis() < self.ms {
                    let call = Instant::now();
                    f();
                    samples.push(call.elapsed().as_secs_f64() * 1e6);
                }
                median(&mut samples)
            })
            .collect()
    }
}

fn json_number(x: f64) -> String {
    if x.is_finite() {
        format!("{}", x)
    } else {
        "null".to_string()
    }
}

fn json_list(values: impl Iterator<Item = f64>) -> String {
    values.map(json_number).collect::<Vec<_>>().join(",")
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let m = values.len() / 2;
    if values.len() % 2 == 1 {
        values[m]
    } else {
        (values[m - 1] + values[m]) / 2.0
    }
}

fn report(case: &str, rounds: Vec<f64>) {
    let mut sorted = rounds.clone();
    let middle = median(&mut sorted);
    println!(
        "{{\"case\":\"{}\",\"medianUs\":{},\"minUs\":{},\"roundsUs\":[{}]}}",
        case,
        json_number(middle),
        json_number(sorted[0]),
        json_list(rounds.into_iter())
    );
}

fn report_check<T: Float>(case: &str, values: &[T]) {
    println!("{{\"check\":\"{}\",\"values\":[{}]}}", case, json_list(values.iter().map(|v| v.to_f64())));
}

/// Prints a sum of the results to stderr, so the compiler cannot drop the timed work.
fn checksum<T: Float>(values: &[T]) {
    let sum: f64 = values.iter().map(|v| v.to_f64()).sum();
    eprintln!("checksum {}", sum);
}

fn read(dir: &Path, name: &str) -> Vec<f64> {
    let path = dir.join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {}", path.display(), e));
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            f64::from_le_bytes(b)
        })
        .collect()
}

fn cast<T: Float>(values: &[f64]) -> Vec<T> {
    values.iter().map(|&v| T::from_f64(v)).collect()
}

/// 1000 → "1e3", as JavaScript's `toExponential(0)` without the "+".
fn label(n: usize) -> String {
    format!("{:e}", n as f64)
}

/// Adam's hyperparameters for step `t` (from 1), computed in f64 as ts/optim/adam.ts does.
fn adam_hp<T: Float>(lr: f64, t: u64) -> adam::Adam<T> {
    let bias_correction1 = 1.0 - BETA1.powi(t as i32);
    let bias_correction2 = 1.0 - BETA2.powi(t as i32);
    adam::Adam::new(BETA1, BETA2, EPS, 0.0, -(lr / bias_correction1), bias_correction2.sqrt(), false, false, false)
}

/// W1: one SGD-momentum or Adam step per call on the same buffers, the bandwidth probe, and
/// at the smallest size the parameters after `check_steps` steps from a fresh state.
fn step_cases<T: Float>(o: &Options, dtype: &str, params: &[f64], grad: &[f64]) {
    let smallest = *o.sizes.iter().min().unwrap();
    for &n in &o.sizes {
        let (p0, g) = (cast::<T>(&params[..n]), cast::<T>(&grad[..n]));
        if o.wants("SGD") {
            let name = format!("W1 SGD momentum {} N={}", dtype, label(n));
            let hp = sgd::Sgd::<T>::new(SGD_LR, MOMENTUM, 1.0, 0.0, false, false);
            let (mut p, mut buffer, mut t) = (p0.clone(), vec![T::ZERO; n], 0u64);
            report(&name, o.measure(|| {
                t += 1;
                sgd::step(&hp, t == 1, &mut p, &g, &mut buffer)
            }));
            checksum(&p);
            if n == smallest {
                let (mut p, mut buffer) = (p0.clone(), vec![T::ZERO; n]);
                for t in 1..=o.check_steps {
                    sgd::step(&hp, t == 1, &mut p, &g, &mut buffer);
                }
                report_check(&name, &p);
            }
        }
        if o.wants("Adam") {
            let name = format!("W1 Adam {} N={}", dtype, label(n));
            let (mut p, mut m, mut v, mut t) = (p0.clone(), vec![T::ZERO; n], vec![T::ZERO; n], 0u64);
            report(&name, o.measure(|| {
                t += 1;
                adam::step(&adam_hp(ADAM_LR, t), &mut p, &g, &mut m, &mut v, &mut [])
            }));
            checksum(&p);
            if n == smallest {
                let (mut p, mut m, mut v) = (p0.clone(), vec![T::ZERO; n], vec![T::ZERO; n]);
                for t in 1..=o.check_steps {
                    adam::step(&adam_hp(ADAM_LR, t as u64), &mut p, &g, &mut m, &mut v, &mut []);
                }
                report_check(&name, &p);
            }
            // Adam's memory traffic without its arithmetic: read 4 arrays, write 3 (one add,
            // so that every read is used); bench/probe.ts is the same in WebAssembly.
            let (a, b) = (cast::<T>(&grad[..n]), cast::<T>(&params[..n]));
            let (mut w0, mut w1) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            let mut p = p0.clone();
            report(&format!("W1 bandwidth probe {} N={}", dtype, label(n)), o.measure(|| {
                let (p, g, a, b) = (&mut p[..n], &g[..n], &a[..n], &b[..n]);
                let (w0, w1) = (&mut w0[..n], &mut w1[..n]);
                for i in 0..n {
                    let (x, y, z, u) = (p[i], g[i], a[i], b[i]);
                    p[i] = z;
                    w0[i] = y;
                    w1[i] = x + u;
                }
            }));
            checksum(&p);
            checksum(&w0);
            checksum(&w1);
            // Adam's division chain without the rest of the step, out = m / (√v / c + eps)
            // (read 2 arrays, write 1); bench/probe.ts is the same in WebAssembly.
            let m: Vec<T> = (0..n).map(|i| T::from_f64((i % 7) as f64 - 3.0)).collect();
            let v: Vec<T> = (0..n).map(|i| T::from_f64((i % 7) as f64 + 1.0)).collect();
            let (c, eps) = (T::from_f64(DIVIDE_C), T::from_f64(DIVIDE_EPS));
            let mut out = vec![T::ZERO; n];
            report(&format!("W1 division probe {} N={}", dtype, label(n)), o.measure(|| {
                for ((out, &m), &v) in out.iter_mut().zip(&m).zip(&v) {
                    *out = m / (v.sqrt() / c + eps);
                }
            }));
            checksum(&out);
        }
    }
}

/// The division probe's constants (bench/probe.ts): Adam's sqrt(1 − β2^t) at t = 1, and eps.
const DIVIDE_C: f64 = 0.0316227766;
const DIVIDE_EPS: f64 = 1e-8;

/// W2: the MSE gradient over all rows at the weights the JS side wrote (bias 0).
fn gradient_case<T: Float>(o: &Options, dtype: &str, x: &[f64], y: &[f64], weights: &[f64]) {
    let (n, d) = (y.len(), FEATURES);
    let (x, y, w, b) = (cast::<T>(x), cast::<T>(y), cast::<T>(weights), vec![T::ZERO]);
    let rows: Vec<u32> = (0..n as u32).collect();
    let (mut gw, mut gb) = (vec![T::ZERO; d], vec![T::ZERO; 1]);
    let mut scratch = vec![T::ZERO; scratch_len(n, 1)];
    let batch = Batch { x: &x, y: &y, d, rows: &rows, follows: false };
    let loss = Loss { code: MSE, delta: T::ONE };
    let name = format!("W2 MSE gradient {} {}×{}", dtype, n, d);
    report(&name, o.measure(|| {
        linear::loss_and_gradient(&batch, loss, T::ZERO, T::ZERO, &w, &b, &mut gw, &mut gb, &mut scratch);
    }));
    let mut values = gw.clone();
    values.extend_from_slice(&gb);
    report_check(&name, &values);
}

/// W3's 500 steps of batch gradient descent, from the weights in `w`: all 500 epochs of one
/// batch in one call of crate/src/train.rs's `epochs`, as the wasm backend's fused fit runs
/// them (the model kernel, fit()'s gradient norm, the SGD step, the epoch loss and the
/// best-weight copy per epoch; no rule, no shuffle).
fn seed_fit<T: Float>(batch: &Batch<T>, w: &mut [T], gw: &mut [T], scratch: &mut [T]) {
    let steps = SEED_FIT_ITERATIONS;
    let mut scalars = vec![0.0; steps * SCALARS];
    for t in 0..steps {
        scalars[t * SCALARS..t * SCALARS + 4].copy_from_slice(&[SEED_FIT_LR, 0.0, 1.0, 0.0]);
    }
    let flags = vec![0u32; steps];
    let (mut losses, mut norms) = (vec![0.0; steps], vec![0.0; steps]);
    let mut order = batch.rows.to_vec();
    let mut best = vec![T::ZERO; w.len()];
    let mut watch = train::Watch { tol: None, patience: 1, bad: 0, best_loss: f64::INFINITY, best_epoch: 0 };
    let mut none = [T::ZERO; 0];
    let mut slots = [Slot { param: w, grad: gw, state: [&mut none[..]] }];
    let loss = Loss { code: MSE, delta: T::ONE };
    let n = order.len();
    train::epochs::<T, sgd::Step<T>, 1>(&mut slots, &mut order, n, steps, None, &scalars, &flags, None, 0.0, &mut watch, &mut best, Records { loss: &mut losses, norm: &mut norms }, |rows, slots| {
        // Natively no kernel reads `follows` (the vector path it enables is WebAssembly's).
        let batch = Batch { x: batch.x, y: batch.y, d: batch.d, rows, follows: false };
        linear::loss_and_gradient(&batch, loss, T::ZERO, T::ZERO, &*slots[0].param, &[], &mut *slots[0].grad, &mut [], scratch)
    });
}

/// W3: the seed fit per call (weights carried over, as repeated fit() calls do); the check
/// runs it once from (1, 1).
fn seed_case<T: Float>(o: &Options, dtype: &str, x: &[f64], y: &[f64]) {
    let n = y.len();
    let (x, y) = (cast::<T>(x), cast::<T>(y));
    let rows: Vec<u32> = (0..n as u32).collect();
    let batch = Batch { x: &x, y: &y, d: 2, rows: &rows, follows: false };
    let (mut w, mut gw, mut scratch) = (cast::<T>(&SEED_FIT_INIT), vec![T::ZERO; 2], vec![T::ZERO; scratch_len(n, 1)]);
    let name = format!("W3 seed fit {}", dtype);
    report(&name, o.measure(|| seed_fit(&batch, &mut w, &mut gw, &mut scratch)));
    checksum(&w);
    let mut w = cast::<T>(&SEED_FIT_INIT);
    seed_fit(&batch, &mut w, &mut gw, &mut scratch);
    report_check(&name, &w);
    let (scale, lr) = (T::from_f64(2.0 / n as f64), T::from_f64(SEED_FIT_LR));
    let name = format!("W3 seed probe {}", dtype);
    let mut w = [T::from_f64(SEED_FIT_INIT[0]), T::from_f64(SEED_FIT_INIT[1])];
    report(&name, o.measure(|| seed_probe(&x, &y, &mut w, scale, lr)));
    checksum(&w);
    let mut w = [T::from_f64(SEED_FIT_INIT[0]), T::from_f64(SEED_FIT_INIT[1])];
    seed_probe(&x, &y, &mut w, scale, lr);
    report_check(&name, &w);
}

/// W3's arithmetic alone, as bench/probe.ts's seed probe: per step, each row's
/// `r = x·w − y` and its terms `r · x` summed row after row, then `w ← w − lr · (scale ·
/// sums)`; no row numbers, loss, norm or best weights. The floor of the fused fit's loop.
fn seed_probe<T: Float>(x: &[T], y: &[T], w: &mut [T; 2], scale: T, lr: T) {
    for _ in 0..SEED_FIT_ITERATIONS {
        let (mut a0, mut a1) = (T::ZERO, T::ZERO);
        for (row, &target) in x.chunks_exact(2).zip(y) {
            let r = (row[0] * w[0] + row[1] * w[1]) - target;
            a0 = a0 + row[0] * r;
            a1 = a1 + row[1] * r;
        }
        w[0] = w[0] - lr * (scale * a0);
        w[1] = w[1] - lr * (scale * a1);
    }
}

/// W4's model and optimizer state: weights and bias with their gradients and Adam moments.
struct Epoch<T> {
    w: Vec<T>,
    b: Vec<T>,
    gw: Vec<T>,
    gb: Vec<T>,
    moments: [Vec<T>; 4],
    order: Vec<u32>,
    scratch: Vec<T>,
}

impl<T: Float> Epoch<T> {
    fn new(n: usize, d: usize) -> Self {
        Epoch {
            w: vec![T::ZERO; d],
            b: vec![T::ZERO; 1],
            gw: vec![T::ZERO; d],
            gb: vec![T::ZERO; 1],
            moments: [vec![T::ZERO; d], vec![T::ZERO; d], vec![T::ZERO; 1], vec![T::ZERO; 1]],
            order: (0..n as u32).collect(),
            scratch: vec![T::ZERO; scratch_len(EPOCH_BATCH, 1)],
        }
    }

    /// One epoch as fit() runs it: a fresh Adam, rows shuffled by the seeded generator,
    /// batches of 32, each with the model kernel, the gradient norm and an Adam step per
    /// tensor, in crate/src/train.rs's loop.
    fn run(&mut self, x: &[T], y: &[T], d: usize) {
        for m in self.moments.iter_mut() {
            for v in m.iter_mut() {
                *v = T::ZERO;
            }
        }
        for (i, r) in self.order.iter_mut().enumerate() {
            *r = i as u32;
        }
        let mut state = rng::seed(EPOCH_SEED);
        rng::shuffle(&mut state, &mut self.order);
        let loss = Loss { code: MSE, delta: T::ONE };
        let steps = (self.order.len() + EPOCH_BATCH - 1) / EPOCH_BATCH;
        // Each step's scalars, as fit() prepares them for its fused run of the epoch.
        let mut scalars = vec![0.0; steps * SCALARS];
        for t in 1..=steps {
            let (bc1, bc2) = (1.0 - BETA1.powi(t as i32), 1.0 - BETA2.powi(t as i32));
            scalars[(t - 1) * SCALARS..(t - 1) * SCALARS + 6].copy_from_slice(&[BETA1, BETA2, EPS, 0.0, -(ADAM_LR / bc1), bc2.sqrt()]);
        }
        let mut flags = vec![0u32; steps];
        flags[0] = FLAG_NEW_STATE;
        let (mut losses, mut norms) = (vec![0.0; steps], vec![0.0; steps]);
        let [mw, vw, mb, vb] = &mut self.moments;
        let (mut e1, mut e2) = ([T::ZERO; 0], [T::ZERO; 0]);
        let mut slots = [
            Slot { param: &mut self.w[..], grad: &mut self.gw[..], state: [&mut mw[..], &mut vw[..], &mut e1[..]] },
            Slot { param: &mut self.b[..], grad: &mut self.gb[..], state: [&mut mb[..], &mut vb[..], &mut e2[..]] },
        ];
        let scratch = &mut self.scratch;
        // The same call as the wasm backend's fused epoch: crate/src/train.rs.
        train::steps::<T, adam::Step<T>, 3>(&mut slots, &self.order, EPOCH_BATCH, &scalars, &flags, None, 0.0, Records { loss: &mut losses, norm: &mut norms }, |rows, slots| {
            let (first, rest) = slots.split_at_mut(1);
            let batch = Batch { x, y, d, rows, follows: false };
            linear::loss_and_gradient(&batch, loss, T::ZERO, T::ZERO, &*first[0].param, &*rest[0].param, &mut *first[0].grad, &mut *rest[0].grad, scratch)
        });
    }
}

/// W4: one epoch per call (weights carried over, as repeated fit() calls do); the check
/// runs one from zero.
fn epoch_case<T: Float>(o: &Options, dtype: &str, x: &[f64], y: &[f64]) {
    let (n, d) = (y.len(), FEATURES);
    let (x, y) = (cast::<T>(x), cast::<T>(y));
    let name = format!("W4 Adam epoch {} {}×{}", dtype, n, d);
    let mut timed = Epoch::<T>::new(n, d);
    report(&name, o.measure(|| timed.run(&x, &y, d)));
    checksum(&timed.w);
    let mut fresh = Epoch::<T>::new(n, d);
    fresh.run(&x, &y, d);
    let mut values = fresh.w.clone();
    values.extend_from_slice(&fresh.b);
    report_check(&name, &values);
}

fn main() {
    let o = match Options::parse() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("native_bench: {}", message);
            std::process::exit(2);
        }
    };
    if o.wants("SGD") || o.wants("Adam") {
        let (params, grad) = (read(&o.data, "step_params.f64"), read(&o.data, "step_grad.f64"));
        let largest = *o.sizes.iter().max().unwrap();
        if params.len() < largest || grad.len() < largest {
            eprintln!("native_bench: the step data holds {} values, fewer than N = {}", params.len().min(grad.len()), largest);
            std::process::exit(2);
        }
        step_cases::<f32>(&o, "f32", &params, &grad);
        step_cases::<f64>(&o, "f64", &params, &grad);
    }
    if o.wants("W2") || o.wants("W4") {
        let (x, y) = (read(&o.data, "regression_x.f64"), read(&o.data, "regression_y.f64"));
        if o.wants("W2") {
            let weights = read(&o.data, "gradient_weights.f64");
            gradient_case::<f32>(&o, "f32", &x, &y, &weights);
            gradient_case::<f64>(&o, "f64", &x, &y, &weights);
        }
        if o.wants("W4") {
            epoch_case::<f32>(&o, "f32", &x, &y);
            epoch_case::<f64>(&o, "f64", &x, &y);
        }
    }
    if o.wants("W3") {
        let (x, y) = (read(&o.data, "seed_x.f64"), read(&o.data, "seed_y.f64"));
        seed_case::<f32>(&o, "f32", &x, &y);
        seed_case::<f64>(&o, "f64", &x, &y);
    }
}
