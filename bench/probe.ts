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

/** The division probe's constants: Adam's sqrt(1 − β2^t) at t = 1 and its eps, as native_bench.rs uses. */
const DIVIDE = { c: 0.0316227766, eps: 1e-8 };

type Probe = (p: number, g: number, a: number, b: number, w0: number, w1: number, bytes: number) => void;
type Divide = (m: number, v: number, out: number, bytes: number) => void;

let instance: { memory: WebAssembly.Memory; probe: Record<Dtype, Probe>; divide: Record<Dtype, Divide> } | null = null;

function load(): NonNullable<typeof instance> {
  if (instance) return instance;
  const module = binaryen.parseText(`(module (memory (export "memory") 1) ${wat("f32")} ${wat("f64")} ${divideWat("f32")} ${divideWat("f64")})`);
  try {
    module.setFeatures(binaryen.Features.MVP | binaryen.Features.SIMD128);
    if (!module.validate()) throw new Error("the bandwidth probe's WebAssembly does not validate");
    const exports = new WebAssembly.Instance(new WebAssembly.Module(module.emitBinary() as Uint8Array<ArrayBuffer>), {}).exports as Record<string, unknown>;
    instance = {
      memory: exports["memory"] as WebAssembly.Memory,
      probe: { f32: exports["probe_f32"] as Probe, f64: exports["probe_f64"] as Probe },
      divide: { f32: exports["divide_f32"] as Divide, f64: exports["divide_f64"] as Divide },
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
