/**
 * The bandwidth probe in WebAssembly: W1's memory traffic without its arithmetic — read 4
 * arrays, write 3 (p ← a, w0 ← g, w1 ← p + b; the one add makes every read count), as in
 * crate/examples/native_bench.rs — in 128-bit SIMD, written in the text format and
 * assembled by binaryen. Its own module and memory; the floor for an Adam step. And the
 * division probe, its arithmetic without the memory traffic (below).
 */
import binaryen from "binaryen";
import type { Dtype } from "../ts/index.ts";
import type { Contender, Running } from "./harness.ts";
import { SEED_FIT } from "./workloads.ts";

/** probe_<dtype>(p, g, a, b, w0, w1, bytes): byte addresses, `bytes` a multiple of 16. */
function wat(dtype: Dtype): string {
  const add = dtype === "f32" ? "f32x4.add" : "f64x2.add";
  const at = (array: string) => `(i32.add (local.get $${array}) (local.get $i))`;
  return `
  (func (export "probe_${dtype}") (param $p i32) (param $g i32) (param $a i32) (param $b i32) (param $w0 i32) (param $w1 i32) (param $bytes i32)
    (local $i i32) (local $x v128)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (local.set $x (v128.load ${at("p")}))
        (v128.store ${at("p")} (v128.load ${at("a")}))
        (v128.store ${at("w0")} (v128.load ${at("g")}))
        (v128.store ${at("w1")} (${add} (local.get $x) (v128.load ${at("b")})))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))`;
}

/**
 * The division probe: Adam's per-element division chain without the rest of the step,
 * `out = m / (sqrt(v) / c + eps)` (torch's denominator, then the quotient), reading 2
 * arrays and writing 1: the arithmetic floor of an Adam step, as the bandwidth probe is
 * its memory floor. crate/examples/native_bench.rs runs the same loop natively.
 */
function divideWat(dtype: Dtype): string {
  const v = dtype === "f32" ? "f32x4" : "f64x2";
  const splat = (x: number) => `(v128.const ${v} ${Array(dtype === "f32" ? 4 : 2).fill(x).join(" ")})`;
  const at = (array: string) => `(i32.add (local.get $${array}) (local.get $i))`;
  return `
  (func (export "divide_${dtype}") (param $m i32) (param $v i32) (param $out i32) (param $bytes i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (v128.store ${at("out")}
          (${v}.div (v128.load ${at("m")})
            (${v}.add (${v}.div (${v}.sqrt (v128.load ${at("v")})) ${splat(DIVIDE.c)}) ${splat(DIVIDE.eps)})))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $next))))`;
}

/**
 * The seed probe: W3's arithmetic alone, hand-written. `steps` steps of batch gradient
 * descent on the row-major `n × 2` X (n a multiple of 4): per row r = x·w − y (the dot in
 * one multiply of a vector), its terms `r · x` added to one vector of sums, row after row
 * as the crate sums them; per step w ← w − lr · (scale · sums). Four rows per iteration (V8
 * does not unroll loops), weights, scale and lr in registers, no row numbers, no loss, no
 * norm, no best weights, no bounds checks beyond the engine's own: the floor of the fused
 * fit's loop in WebAssembly. crate/examples/native_bench.rs runs the same loop natively.
 */
function seedWat(dtype: Dtype): string {
  const [v, size, load] = dtype === "f32" ? ["f32x4", 4, "v128.load64_zero"] : ["f64x2", 8, "v128.load"];
  const scalar = dtype;
  const row = (k: number) => `
        (local.set $xv (${load} offset=${k * 2 * size} (local.get $xp)))
        (local.set $p (${v}.mul (local.get $xv) (local.get $wv)))
        (local.set $r (${scalar}.sub (${scalar}.add (${v}.extract_lane 0 (local.get $p)) (${v}.extract_lane 1 (local.get $p))) (${scalar}.load offset=${k * size} (local.get $yp))))
        (local.set $acc (${v}.add (local.get $acc) (${v}.mul (local.get $xv) (${v}.splat (local.get $r)))))`;
  return `
  (func (export "seed_${dtype}") (param $x i32) (param $y i32) (param $w i32) (param $n i32) (param $steps i32) (param $scale ${scalar}) (param $lr ${scalar})
    (local $t i32) (local $xp i32) (local $yp i32) (local $end i32) (local $r ${scalar}) (local $wv v128) (local $xv v128) (local $p v128) (local $acc v128)
    (local.set $wv (${load} (local.get $w)))
    (local.set $end (i32.add (local.get $y) (i32.mul (local.get $n) (i32.const ${size}))))
    (loop $step
      (local.set $acc (v128.const i32x4 0 0 0 0))
      (local.set $xp (local.get $x))
      (local.set $yp (local.get $y))
      (loop $rows ${[0, 1, 2, 3].map(row).join("")}
        (local.set $xp (i32.add (local.get $xp) (i32.const ${8 * size})))
        (br_if $rows (i32.lt_u (local.tee $yp (i32.add (local.get $yp) (i32.const ${4 * size}))) (local.get $end))))
      (local.set $wv (${v}.sub (local.get $wv) (${v}.mul (${v}.splat (local.get $lr)) (${v}.mul (${v}.splat (local.get $scale)) (local.get $acc)))))
      (br_if $step (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $steps))))
    (${scalar}.store (local.get $w) (${v}.extract_lane 0 (local.get $wv)))
    (${scalar}.store offset=${size} (local.get $w) (${v}.extract_lane 1 (local.get $wv))))`;
}

/** The division probe's constants: Adam's sqrt(1 − β2^t) at t = 1 and its eps, as native_bench.rs uses. */
const DIVIDE = { c: 0.0316227766, eps: 1e-8 };

type Probe = (p: number, g: number, a: number, b: number, w0: number, w1: number, bytes: number) => void;
type Divide = (m: number, v: number, out: number, bytes: number) => void;
type Seed = (x: number, y: number, w: number, n: number, steps: number, scale: number, lr: number) => void;

let instance: { memory: WebAssembly.Memory; probe: Record<Dtype, Probe>; divide: Record<Dtype, Divide>; seed: Record<Dtype, Seed> } | null = null;

function load(): NonNullable<typeof instance> {
  if (instance) return instance;
  const module = binaryen.parseText(`(module (memory (export "memory") 1) ${wat("f32")} ${wat("f64")} ${divideWat("f32")} ${divideWat("f64")} ${seedWat("f32")} ${seedWat("f64")})`);
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    if (!module.validate()) throw new Error("the probes' WebAssembly does not validate");
    const exports = new WebAssembly.Instance(new WebAssembly.Module(module.emitBinary() as Uint8Array<ArrayBuffer>), {}).exports as Record<string, unknown>;
    instance = {
      memory: exports["memory"] as WebAssembly.Memory,
      probe: { f32: exports["probe_f32"] as Probe, f64: exports["probe_f64"] as Probe },
      divide: { f32: exports["divide_f32"] as Divide, f64: exports["divide_f64"] as Divide },
      seed: { f32: exports["seed_f32"] as Seed, f64: exports["seed_f64"] as Seed },
    };
    return instance;
  } finally {
    module.dispose();
  }
}

/** `count` arrays of `n` values at the start of the probes' memory (grown as needed): their byte size each and a view of them all. */
function arrays(what: string, dtype: Dtype, n: number, count: number): { bytes: number; view: Float32Array | Float64Array } {
  const { memory } = load();
  const bytes = n * (dtype === "f32" ? 4 : 8);
  if (bytes % 16 !== 0) throw new Error(`${what}: N = ${n} is not a whole number of 16-byte vectors`);
  const need = count * bytes - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  const view = dtype === "f32" ? new Float32Array(memory.buffer, 0, count * n) : new Float64Array(memory.buffer, 0, count * n);
  return { bytes, view };
}

/** The probe over 6 arrays of `n` values (4 read, 3 written; n·bytes a multiple of 16), at the start of the module's memory. */
export function wasmProbe(dtype: Dtype, n: number): Contender {
  return {
    name: "wasm",
    setup(): Running {
      const { probe } = load();
      const { bytes, view } = arrays("bandwidth probe", dtype, n, 6);
      for (let i = 0; i < view.length; i++) view[i] = (i % 7) - 3;
      const [p, g, a, b, w0, w1] = [0, 1, 2, 3, 4, 5].map((k) => k * bytes) as [number, number, number, number, number, number];
      const run = probe[dtype];
      return { run: () => run(p, g, a, b, w0, w1, bytes), read: () => new Float64Array(0), dispose: () => {} };
    },
  };
}

/** The division probe over 3 arrays of `n` values (m and v read, out written), at the start of the module's memory. */
export function wasmDivideProbe(dtype: Dtype, n: number): Contender {
  return {
    name: "wasm",
    setup(): Running {
      const { divide } = load();
      const { bytes, view } = arrays("division probe", dtype, n, 3);
      // m in [−3, 3], v in [1, 7] (square roots of positive numbers, as Adam's v).
      for (let i = 0; i < 2 * n; i++) view[i] = i < n ? (i % 7) - 3 : (i % 7) + 1;
      const run = divide[dtype];
      return { run: () => run(0, bytes, 2 * bytes, bytes), read: () => new Float64Array(0), dispose: () => {} };
    },
  };
}

/**
 * The seed probe on W3's data (`n × 2` rows, n a multiple of 4), from the seed fit's
 * initial weights: each call the fit's 500 steps, the weights carried over as the W3
 * contenders carry theirs.
 */
export function wasmSeedProbe(dtype: Dtype, data: { X: Float64Array; y: Float64Array; n: number; d: number }): Contender {
  return {
    name: "wasm",
    setup(): Running {
      const { seed } = load();
      const { n, d } = data;
      if (d !== 2 || n % 4 !== 0) throw new Error(`seed probe: needs n × 2 rows with n a multiple of 4, got ${n} × ${d}`);
      // X, then y, then the two weights.
      const { view } = arrays("seed probe", dtype, 4 * Math.ceil((3 * n + 2) / 4), 1);
      view.set(data.X);
      view.set(data.y, 2 * n);
      const w = view.subarray(3 * n, 3 * n + 2);
      w.set(SEED_FIT.init);
      const size = view.BYTES_PER_ELEMENT;
      const run = seed[dtype];
      return { run: () => run(0, 2 * n * size, 3 * n * size, n, SEED_FIT.iterations, 2 / n, SEED_FIT.lr), read: () => Float64Array.from(w), dispose: () => {} };
    },
  };
}
