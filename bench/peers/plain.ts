/**
 * W1 written the way one would by hand: one loop over typed arrays per step, PyTorch's
 * formulas, arithmetic in JavaScript numbers (f64) and values stored in the array's type.
 * The floor for the TypeScript fallback, which also rounds every f32 operation
 * (Math.fround) to give WebAssembly's bits. One function per element type, so that each
 * loop sees a single array type.
 */
import type { Dtype } from "../../ts/index.ts";
import type { Contender, Running } from "../harness.ts";
import { ADAM, SGD_MOMENTUM, type StepData } from "../workloads.ts";

type Step = (t: number) => void;

function adamF32(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): Step {
  const { lr, beta1, beta2, eps } = ADAM;
  return (t) => {
    const stepSize = lr / (1 - beta1 ** t);
    const correction2 = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  };
}

const fround = Math.fround;

/**
 * adamF32 with every operation rounded to f32 (Math.fround), as f32 arithmetic (and so
 * WebAssembly's bits) requires: the floor of a bit-exact fallback, which adamF32 is not.
 * The loop is a top-level function of its arguments, as the fallback's kernel is: a
 * closure's loop runs faster only while V8 can fold its captured values into constants,
 * which it stops doing once the function has made a second closure.
 */
function adamF32Rounded(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): Step {
  return (t) => roundedLoop(p, g, m, v, fround(-ADAM.lr / (1 - ADAM.beta1 ** t)), fround(Math.sqrt(1 - ADAM.beta2 ** t)));
}

function roundedLoop(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, negStepSize: number, correction2: number): void {
  const [b1, b2, c1, c2, e] = [fround(ADAM.beta1), fround(ADAM.beta2), fround(1 - ADAM.beta1), fround(1 - ADAM.beta2), fround(ADAM.eps)];
  const n = p.length;
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const mi = fround(fround(m[i]! * b1) + fround(c1 * gi));
    const vi = fround(fround(v[i]! * b2) + fround(fround(c2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    p[i] = fround(p[i]! + fround(fround(negStepSize * mi) / fround(fround(fround(Math.sqrt(vi)) / correction2) + e)));
  }
}

function adamF64(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array): Step {
  const { lr, beta1, beta2, eps } = ADAM;
  return (t) => {
    const stepSize = lr / (1 - beta1 ** t);
    const correction2 = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * gi;
      const vi = beta2 * v[i]! + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i]! - (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  };
}

function sgdF32(p: Float32Array, g: Float32Array, buffer: Float32Array): Step {
  const { lr, momentum } = SGD_MOMENTUM;
  return (t) => {
    const first = t === 1;
    for (let i = 0; i < p.length; i++) {
      const b = first ? g[i]! : momentum * buffer[i]! + g[i]!;
      buffer[i] = b;
      p[i] = p[i]! - lr * b;
    }
  };
}

function sgdF64(p: Float64Array, g: Float64Array, buffer: Float64Array): Step {
  const { lr, momentum } = SGD_MOMENTUM;
  return (t) => {
    const first = t === 1;
    for (let i = 0; i < p.length; i++) {
      const b = first ? g[i]! : momentum * buffer[i]! + g[i]!;
      buffer[i] = b;
      p[i] = p[i]! - lr * b;
    }
  };
}

/** The plain-JS contender of W1 for `optimizer` ("Adam" or "SGD momentum"). */
export function plainStep(optimizer: "Adam" | "SGD momentum", dtype: Dtype, data: StepData): Contender {
  return {
    name: "plain JS",
    setup(): Running {
      const n = data.params.length;
      let p: Float32Array | Float64Array;
      let step: Step;
      if (dtype === "f32") {
        const p32 = Float32Array.from(data.params);
        const g = Float32Array.from(data.grad);
        step = optimizer === "Adam" ? adamF32(p32, g, new Float32Array(n), new Float32Array(n)) : sgdF32(p32, g, new Float32Array(n));
        p = p32;
      } else {
        const p64 = data.params.slice();
        const g = data.grad.slice();
        step = optimizer === "Adam" ? adamF64(p64, g, new Float64Array(n), new Float64Array(n)) : sgdF64(p64, g, new Float64Array(n));
        p = p64;
      }
      let t = 0;
      return { run: () => step(++t), read: () => Float64Array.from(p), dispose: () => {} };
    },
  };
}

/** The rounding probe: f32 Adam rounding every operation, as a "plain JS" contender of its own case. */
export function roundingProbe(data: StepData): Contender {
  return {
    name: "plain JS",
    setup(): Running {
      const n = data.params.length;
      const p = Float32Array.from(data.params);
      const step = adamF32Rounded(p, Float32Array.from(data.grad), new Float32Array(n), new Float32Array(n));
      let t = 0;
      return { run: () => step(++t), read: () => Float64Array.from(p), dispose: () => {} };
    },
  };
}
