//! The ceiling for downhill's WebAssembly benchmarks: the same kernels compiled natively,
//! built by bench/native.ts with `-C target-cpu=native` and run as
//! `native_bench --data DIR --sizes 1000,… --check-steps K [--only Adam,SGD,W2,W3,W4]`.
//! The inputs are the JavaScript benchmark's (little-endian f64 files in DIR, see
//! bench/native.ts), so that the results can be checked against the same float64
//! references. It sets every case up, prints per checked case (named as the JS cases are)
//! the values the check compares, then `{"ready":[…case names…]}`, and then serves the JS
//! harness's rounds, one command per line on stdin, so that native's rounds run between
//! the JS contenders' rounds, in the same phases of the machine's load:
//! - `warm CASE MS`: untimed calls for MS milliseconds; answers `{"warmed":"CASE"}`;
//! - `round CASE MS WARM_MS CALLS`: WARM_MS ms of untimed calls (at least 2), then calls
//!   each timed on its own (as tinybench times the JS contenders) for MS ms and at least
//!   CALLS calls; answers `{"case":"CASE","us":median µs per call,"calls":count}`.
//! It exits at the end of stdin.

use downhill::float::Float;
use downhill::model::affine::{scratch_len, Batch};
use downhill::model::linear::{self, Loss, MSE};
use downhill::optim::{adam, sgd, FLAG_NEW_STATE, SCALARS};
use downhill::train::{self, Records, Slot};
use downhill::rng;
use std::io::{BufRead, Write};
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
    sizes: Vec<usize>,
    check_steps: usize,
    only: Option<Vec<String>>,
}

impl Options {
    fn parse() -> Result<Options, String> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let value = |flag: &str| -> Option<String> { args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1).cloned()) };
        let data = value("--data").ok_or("--data DIR (the inputs written by bench/native.ts) is required")?;
        let sizes = match value("--sizes") {
            None => vec![1_000, 10_000, 1_000_000],
            Some(list) => list.split(',').map(|s| s.parse::<usize>().map_err(|_| format!("--sizes: {} is not a size", s))).collect::<Result<Vec<_>, _>>()?,
        };
        if sizes.is_empty() {
            return Err("--sizes is empty".to_string());
        }
        let check_steps = match value("--check-steps") {
            None => 10,
            Some(v) => v.parse::<usize>().map_err(|_| format!("--check-steps takes a whole number; got {}", v))?,
        };
        Ok(Options { data: PathBuf::from(data), sizes, check_steps, only: value("--only").map(|list| list.split(',').map(String::from).collect()) })
    }

    fn wants(&self, token: &str) -> bool {
        match &self.only {
            None => true,
            Some(list) => list.iter().any(|t| t == token),
        }
    }
}

/// The cases set up so far, each a closure that owns its buffers and makes one call.
struct Cases {
    list: Vec<(String, Box<dyn FnMut()>)>,
}

impl Cases {
    fn add(&mut self, name: String, call: impl FnMut() + 'static) {
        self.list.push((name, Box::new(call)));
    }

    fn find(&mut self, name: &str) -> Option<&mut Box<dyn FnMut()>> {
        self.list.iter_mut().find(|(n, _)| n == name).map(|(_, call)| call)
    }
}

/// Calls `f` untimed until `ms` milliseconds have passed, at least `calls` times.
fn warm(f: &mut dyn FnMut(), ms: u128, calls: usize) {
    let start = Instant::now();
    let mut done = 0;
    while done < calls || start.elapsed().as_millis() < ms {
        f();
        done += 1;
    }
}

/// One round: the median microseconds per call of `f` over `ms` milliseconds and at least
/// `calls` calls, each timed on its own; and the number of calls.
fn round(f: &mut dyn FnMut(), ms: u128, calls: usize) -> (f64, usize) {
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < calls.max(1) || start.elapsed().as_millis() < ms {
        let call = Instant::now();
        f();
        samples.push(call.elapsed().as_secs_f64() * 1e6);
    }
    let count = samples.len();
    (median(&mut samples), count)
}

/// Answers the harness's commands (see the top of this file) until stdin ends.
fn serve(cases: &mut Cases) -> Result<(), String> {
    let names: Vec<String> = cases.list.iter().map(|(n, _)| format!("\"{}\"", n)).collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let say = |out: &mut std::io::StdoutLock, line: String| -> Result<(), String> { writeln!(out, "{}", line).and_then(|_| out.flush()).map_err(|e| format!("cannot write: {}", e)) };
    say(&mut out, format!("{{\"ready\":[{}]}}", names.join(",")))?;
    for line in std::io::stdin().lock().lines() {
        let line = line.map_err(|e| format!("cannot read a command: {}", e))?;
        let words: Vec<&str> = line.split(' ').collect();
        let number = |i: usize| -> Result<usize, String> {
            words.get(i).and_then(|w| w.parse::<usize>().ok()).ok_or_else(|| format!("{:?}: word {} is not a whole number", line, i + 1))
        };
        // Case names hold spaces: the numbers are the last words.
        let (verb, numbers) = match words.first() {
            Some(&"warm") => ("warm", 1),
            Some(&"round") => ("round", 3),
            _ => return Err(format!("{:?} is not a command (warm CASE MS, round CASE MS WARM_MS CALLS)", line)),
        };
        if words.len() < 2 + numbers {
            return Err(format!("{:?}: {} takes a case and {} numbers", line, verb, numbers));
        }
        let case = words[1..words.len() - numbers].join(" ");
        let first = words.len() - numbers;
        let f = cases.find(&case).ok_or_else(|| format!("{:?}: no case {:?}", line, case))?;
        if verb == "warm" {
            warm(&mut **f, number(first)? as u128, 1);
            say(&mut out, format!("{{\"warmed\":\"{}\"}}", case))?;
        } else {
            warm(&mut **f, number(first + 1)? as u128, 2);
            let (us, calls) = round(&mut **f, number(first)? as u128, number(first + 2)?);
            say(&mut out, format!("{{\"case\":\"{}\",\"us\":{},\"calls\":{}}}", case, json_number(us), calls))?;
        }
    }
    Ok(())
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

fn report_check<T: Float>(case: &str, values: &[T]) {
    println!("{{\"check\":\"{}\",\"values\":[{}]}}", case, json_list(values.iter().map(|v| v.to_f64())));
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

/// W1: one SGD-momentum or Adam step per call on the same buffers, the bandwidth and
/// division probes, and at the smallest size the parameters after `check_steps` steps from
/// a fresh state.
fn step_cases<T: Float + 'static>(o: &Options, cases: &mut Cases, dtype: &str, params: &[f64], grad: &[f64]) {
    let smallest = *o.sizes.iter().min().unwrap();
    for &n in &o.sizes {
        let (p0, g) = (cast::<T>(&params[..n]), cast::<T>(&grad[..n]));
        if o.wants("SGD") {
            let name = format!("W1 SGD momentum {} N={}", dtype, label(n));
            let hp = sgd::Sgd::<T>::new(SGD_LR, MOMENTUM, 1.0, 0.0, false, false);
            if n == smallest {
                let (mut p, mut buffer) = (p0.clone(), vec![T::ZERO; n]);
                for t in 1..=o.check_steps {
                    sgd::step(&hp, t == 1, &mut p, &g, &mut buffer);
                }
                report_check(&name, &p);
            }
            let (mut p, g, mut buffer, mut t) = (p0.clone(), g.clone(), vec![T::ZERO; n], 0u64);
            cases.add(name, move || {
                t += 1;
                sgd::step(&hp, t == 1, &mut p, &g, &mut buffer)
            });
        }
        if o.wants("Adam") {
            let name = format!("W1 Adam {} N={}", dtype, label(n));
            if n == smallest {
                let (mut p, mut m, mut v) = (p0.clone(), vec![T::ZERO; n], vec![T::ZERO; n]);
                for t in 1..=o.check_steps {
                    adam::step(&adam_hp(ADAM_LR, t as u64), &mut p, &g, &mut m, &mut v, &mut []);
                }
                report_check(&name, &p);
            }
            let (mut p, g1, mut m, mut v, mut t) = (p0.clone(), g.clone(), vec![T::ZERO; n], vec![T::ZERO; n], 0u64);
            cases.add(name, move || {
                t += 1;
                adam::step(&adam_hp(ADAM_LR, t), &mut p, &g1, &mut m, &mut v, &mut [])
            });
            // Adam's memory traffic without its arithmetic: read 4 arrays, write 3 (one add,
            // so that every read is used); bench/probe.ts is the same in WebAssembly.
            let (a, b) = (cast::<T>(&grad[..n]), cast::<T>(&params[..n]));
            let (mut w0, mut w1) = (vec![T::ZERO; n], vec![T::ZERO; n]);
            let (mut p, g) = (p0.clone(), g.clone());
            cases.add(format!("W1 bandwidth probe {} N={}", dtype, label(n)), move || {
                let (p, g, a, b) = (&mut p[..n], &g[..n], &a[..n], &b[..n]);
                let (w0, w1) = (&mut w0[..n], &mut w1[..n]);
                for i in 0..n {
                    let (x, y, z, u) = (p[i], g[i], a[i], b[i]);
                    p[i] = z;
                    w0[i] = y;
                    w1[i] = x + u;
                }
            });
            // Adam's division chain without the rest of the step, out = m / (√v / c + eps)
            // (read 2 arrays, write 1); bench/probe.ts is the same in WebAssembly.
            let m: Vec<T> = (0..n).map(|i| T::from_f64((i % 7) as f64 - 3.0)).collect();
            let v: Vec<T> = (0..n).map(|i| T::from_f64((i % 7) as f64 + 1.0)).collect();
            let (c, eps) = (T::from_f64(DIVIDE_C), T::from_f64(DIVIDE_EPS));
            let mut out = vec![T::ZERO; n];
            cases.add(format!("W1 division probe {} N={}", dtype, label(n)), move || {
                for ((out, &m), &v) in out.iter_mut().zip(&m).zip(&v) {
                    *out = m / (v.sqrt() / c + eps);
                }
            });
        }
    }
}

/// The division probe's constants (bench/probe.ts): Adam's sqrt(1 − β2^t) at t = 1, and eps.
const DIVIDE_C: f64 = 0.0316227766;
const DIVIDE_EPS: f64 = 1e-8;

/// W2: the MSE gradient over all rows at the weights the JS side wrote (bias 0).
fn gradient_case<T: Float + 'static>(cases: &mut Cases, dtype: &str, x: &[f64], y: &[f64], weights: &[f64]) {
    let (n, d) = (y.len(), FEATURES);
    let (x, y, w, b) = (cast::<T>(x), cast::<T>(y), cast::<T>(weights), vec![T::ZERO]);
    let rows: Vec<u32> = (0..n as u32).collect();
    let (mut gw, mut gb) = (vec![T::ZERO; d], vec![T::ZERO; 1]);
    let mut scratch = vec![T::ZERO; scratch_len(n, 1)];
    let loss = Loss { code: MSE, delta: T::ONE };
    let name = format!("W2 MSE gradient {} {}×{}", dtype, n, d);
    {
        let batch = Batch { x: &x, y: &y, d, rows: &rows, follows: false };
        linear::loss_and_gradient(&batch, loss, T::ZERO, T::ZERO, &w, &b, &mut gw, &mut gb, &mut scratch);
        let mut values = gw.clone();
        values.extend_from_slice(&gb);
        report_check(&name, &values);
    }
    cases.add(name, move || {
        let batch = Batch { x: &x, y: &y, d, rows: &rows, follows: false };
        linear::loss_and_gradient(&batch, loss, T::ZERO, T::ZERO, &w, &b, &mut gw, &mut gb, &mut scratch);
    });
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
fn seed_case<T: Float + 'static>(cases: &mut Cases, dtype: &str, x: &[f64], y: &[f64]) {
    let n = y.len();
    let (x, y) = (cast::<T>(x), cast::<T>(y));
    let rows: Vec<u32> = (0..n as u32).collect();
    let (mut gw, mut scratch) = (vec![T::ZERO; 2], vec![T::ZERO; scratch_len(n, 1)]);
    let name = format!("W3 seed fit {}", dtype);
    let mut w = cast::<T>(&SEED_FIT_INIT);
    seed_fit(&Batch { x: &x, y: &y, d: 2, rows: &rows, follows: false }, &mut w, &mut gw, &mut scratch);
    report_check(&name, &w);
    let (fx, fy) = (x.clone(), y.clone());
    let mut w = cast::<T>(&SEED_FIT_INIT);
    cases.add(name, move || seed_fit(&Batch { x: &fx, y: &fy, d: 2, rows: &rows, follows: false }, &mut w, &mut gw, &mut scratch));
    let (scale, lr) = (T::from_f64(2.0 / n as f64), T::from_f64(SEED_FIT_LR));
    let name = format!("W3 seed probe {}", dtype);
    let mut w = [T::from_f64(SEED_FIT_INIT[0]), T::from_f64(SEED_FIT_INIT[1])];
    seed_probe(&x, &y, &mut w, scale, lr);
    report_check(&name, &w);
    let mut w = [T::from_f64(SEED_FIT_INIT[0]), T::from_f64(SEED_FIT_INIT[1])];
    cases.add(name, move || seed_probe(&x, &y, &mut w, scale, lr));
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
fn epoch_case<T: Float + 'static>(cases: &mut Cases, dtype: &str, x: &[f64], y: &[f64]) {
    let (n, d) = (y.len(), FEATURES);
    let (x, y) = (cast::<T>(x), cast::<T>(y));
    let name = format!("W4 Adam epoch {} {}×{}", dtype, n, d);
    let mut fresh = Epoch::<T>::new(n, d);
    fresh.run(&x, &y, d);
    let mut values = fresh.w.clone();
    values.extend_from_slice(&fresh.b);
    report_check(&name, &values);
    let mut timed = Epoch::<T>::new(n, d);
    cases.add(name, move || timed.run(&x, &y, d));
}

fn main() {
    let o = match Options::parse() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("native_bench: {}", message);
            std::process::exit(2);
        }
    };
    let mut cases = Cases { list: Vec::new() };
    if o.wants("SGD") || o.wants("Adam") {
        let (params, grad) = (read(&o.data, "step_params.f64"), read(&o.data, "step_grad.f64"));
        let largest = *o.sizes.iter().max().unwrap();
        if params.len() < largest || grad.len() < largest {
            eprintln!("native_bench: the step data holds {} values, fewer than N = {}", params.len().min(grad.len()), largest);
            std::process::exit(2);
        }
        step_cases::<f32>(&o, &mut cases, "f32", &params, &grad);
        step_cases::<f64>(&o, &mut cases, "f64", &params, &grad);
    }
    if o.wants("W2") || o.wants("W4") {
        let (x, y) = (read(&o.data, "regression_x.f64"), read(&o.data, "regression_y.f64"));
        if o.wants("W2") {
            let weights = read(&o.data, "gradient_weights.f64");
            gradient_case::<f32>(&mut cases, "f32", &x, &y, &weights);
            gradient_case::<f64>(&mut cases, "f64", &x, &y, &weights);
        }
        if o.wants("W4") {
            epoch_case::<f32>(&mut cases, "f32", &x, &y);
            epoch_case::<f64>(&mut cases, "f64", &x, &y);
        }
    }
    if o.wants("W3") {
        let (x, y) = (read(&o.data, "seed_x.f64"), read(&o.data, "seed_y.f64"));
        seed_case::<f32>(&mut cases, "f32", &x, &y);
        seed_case::<f64>(&mut cases, "f64", &x, &y);
    }
    if let Err(message) = serve(&mut cases) {
        eprintln!("native_bench: {}", message);
        std::process::exit(2);
    }
}
