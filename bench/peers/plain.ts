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
 */
function adamF32Rounded(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array): Step {
  const { lr, beta1, beta2, eps } = ADAM;
  const [b1, b2, c1, c2, e] = [fround(beta1), fround(beta2), fround(1 - beta1), fround(1 - beta2), fround(eps)];
  return (t) => {
    const negStepSize = fround(-lr / (1 - beta1 ** t));
    const correction2 = fround(Math.sqrt(1 - beta2 ** t));
    for (let i = 0; i < p.length; i++) {
      const gi = g[i]!;
      const mi = fround(fround(m[i]! * b1) + fround(c1 * gi));
      const vi = fround(fround(v[i]! * b2) + fround(fround(c2 * gi) * gi));
      m[i] = mi;
      v[i] = vi;
      p[i] = fround(p[i]! + fround(fround(negStepSize * mi) / fround(fround(fround(Math.sqrt(vi)) / correction2) + e)));
    }
  };
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

/**
 * The plain-JS contender of W1 for `optimizer` ("Adam" or "SGD momentum"); with
 * `rounded`, f32 Adam rounding every operation (the rounding probe).
 */
export function plainStep(optimizer: "Adam" | "SGD momentum", dtype: Dtype, data: StepData, rounded = false): Contender {
  return {
    name: "plain JS",
    setup(): Running {
      const n = data.params.length;
      let p: Float32Array | Float64Array;
      let step: Step;
      if (dtype === "f32") {
        const p32 = Float32Array.from(data.params);
        const g = Float32Array.from(data.grad);
        const adam = rounded ? adamF32Rounded : adamF32;
        step = optimizer === "Adam" ? adam(p32, g, new Float32Array(n), new Float32Array(n)) : sgdF32(p32, g, new Float32Array(n));
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
