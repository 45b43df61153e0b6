/**
 * Edge cases of a step, for every optimizer of the table on both backends: lr = 0 (allowed:
 * parameters unchanged, state advancing as at any other rate), zero gradients, gradients
 * of the wrong length or dtype (no partial update), and gradients aliasing parameters.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, Parameter, RMSprop, SGD, type Dtype, type FloatArray } from "../../ts/index.ts";
import { OPTIMIZERS } from "../helpers/optimizers.ts";

const BACKENDS = ["wasm", "ts"] as const;
const DTYPES: Dtype[] = ["f32", "f64"];

/** Gradients that do not depend on the parameters: step k of parameter i. */
function gradient(dtype: Dtype, length: number, k: number, i: number): FloatArray {
  const values = Array.from({ length }, (_, j) => Math.sin(1 + 7 * k + 3 * i + j) * (j % 3 === 0 ? 4 : 0.25));
  return dtype === "f32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** The state of every parameter as plain arrays, keyed "index.name". */
function stateOf(opt: { state(i: number): Record<string, FloatArray> }, count: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (let i = 0; i < count; i++) for (const [name, v] of Object.entries(opt.state(i))) out[`${i}.${name}`] = Array.from(v);
  return out;
}

const bits = (a: ArrayLike<number>) => Array.from(a, (v) => (Object.is(v, -0) ? "-0" : String(v)));

describe.each(OPTIMIZERS)("$name", ({ name, create, cases }) => {
  for (const backend of BACKENDS) {
    for (const dtype of DTYPES) {
      it(`${backend} ${dtype}: lr = 0 leaves the parameters unchanged, bit for bit, and the state advances as at any other lr`, () => {
        for (const options of cases) {
          const start = [[0.5, -1.25, 3, 2e-3], [7, -0.125]];
          const run = (lr: number, weightDecay: number | undefined) => {
            const params = start.map((v) => Parameter.from(v, { dtype, backend }));
            const o: Record<string, unknown> = { ...options, lr };
            if (weightDecay !== undefined) o["weightDecay"] = weightDecay;
            const opt = create(params, o);
            const trace: Record<string, number[]>[] = [];
            for (let k = 0; k < 3; k++) {
              params.forEach((p, i) => p.grad.set(gradient(dtype, p.length, k, i)));
              opt.step();
              trace.push(stateOf(opt, params.length));
            }
            const result = { values: params.map((p) => bits(p.data)), trace, steps: opt.steps, dict: opt.stateDict() };
            opt.dispose();
            params.forEach((p) => p.dispose());
            return result;
          };
          // With the options as given (weight decay included), lr = 0 moves nothing.
          const frozen = run(0, undefined);
          expect(frozen.values, `${name} ${JSON.stringify(options)}`).toEqual(start.map((v) => bits(dtype === "f32" ? Float32Array.from(v) : Float64Array.from(v))));
          expect(frozen.steps).toBe(3);
          if (name !== "SGD") for (const entry of Object.values(frozen.dict.state)) expect(entry["step"]).toBe(3);
          // Without weight decay the state does not depend on the parameters, so it must
          // equal the state of a run at another learning rate: it advanced normally.
          const atZero = run(0, 0);
          const atOther = run(0.05, 0);
          expect(atZero.trace).toEqual(atOther.trace);
          expect(atOther.values).not.toEqual(atZero.values);
          if (Object.keys(atZero.trace[0]!).length > 0) expect(atZero.trace[2]).not.toEqual(atZero.trace[0]);
        }
      });

      it(`${backend} ${dtype}: zero gradients without weight decay leave the parameters unchanged and the state finite`, () => {
        for (const options of cases) {
          const params = [Parameter.from([0.5, -1.25, 3], { dtype, backend }), Parameter.from([7], { dtype, backend })];
          const opt = create(params, { ...options, weightDecay: 0 });
          for (let k = 0; k < 4; k++) {
            opt.zeroGrad();
            opt.step();
          }
          expect(params.map((p) => bits(p.data))).toEqual([bits([0.5, -1.25, 3]), bits([7])]);
          for (const v of Object.values(stateOf(opt, 2))) for (const x of v) expect(Number.isFinite(x)).toBe(true);
          opt.dispose();
          params.forEach((p) => p.dispose());
        }
      });

      it(`${backend} ${dtype}: a gradient of another length, dtype or aliasing its parameter changes no parameter and no state`, () => {
        const a = dtype === "f32" ? Float32Array.of(1, 2, 3) : Float64Array.of(1, 2, 3);
        const b = dtype === "f32" ? Float32Array.of(4, 5) : Float64Array.of(4, 5);
        const opt = create([a, b], { ...cases[cases.length - 1], backend });
        opt.step([gradient(dtype, 3, 0, 0), gradient(dtype, 2, 0, 1)]);
        const snapshot = () => JSON.stringify([bits(a), bits(b), stateOf(opt, 2), opt.steps]);
        const before = snapshot();
        const other = dtype === "f32" ? Float64Array : Float32Array;
        const attempts: [unknown[], string, RegExp][] = [
          [[gradient(dtype, 3, 1, 0), gradient(dtype, 3, 1, 1)], "SHAPE_MISMATCH", /grads\[1\] has length 3 but params\[1\] has length 2/],
          [[gradient(dtype, 2, 1, 0), gradient(dtype, 2, 1, 1)], "SHAPE_MISMATCH", /grads\[0\] has length 2 but params\[0\] has length 3/],
          [[gradient(dtype, 3, 1, 0), new other(2)], "INVALID_ARGUMENT", new RegExp(`grads\\[1\\] is ${dtype === "f32" ? "f64" : "f32"} but params\\[1\\] is ${dtype}`)],
          [[gradient(dtype, 3, 1, 0), b], "INVALID_ARGUMENT", /grads\[1\] shares memory with params\[1\]/],
          [[gradient(dtype, 3, 1, 0)], "SHAPE_MISMATCH", /got 1 gradients for 2 parameters/],
        ];
        for (const [grads, code, message] of attempts) {
          expect(() => opt.step(grads as FloatArray[])).toThrow(message);
          expect(() => opt.step(grads as FloatArray[])).toThrow(expect.objectContaining({ code }));
          expect(snapshot()).toBe(before);
        }
        opt.dispose();
      });
    }
  }
});

describe("mixed dtypes", () => {
  it("f32 parameters with f64 gradients are refused, naming both dtypes, and nothing changes", () => {
    for (const backend of BACKENDS) {
      const p = Float32Array.of(1, 2);
      const q = Parameter.from([3, 4], { dtype: "f32", backend });
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9, backend });
      const before = Array.from(p);
      expect(() => opt.step([Float64Array.of(1, 1)])).toThrow(/SGD\.step\(grads\): grads\[0\] is f64 but params\[0\] is f32; give gradients of the parameter's dtype/);
      expect(() => opt.step([Float64Array.of(1, 1)])).toThrow(DownhillError);
      expect(Array.from(p)).toEqual(before);
      expect(opt.steps).toBe(0);
      expect(opt.state(0)).toEqual({});
      // A Parameter is refused the same way when its gradient is passed to step().
      const optQ = new SGD([q], { lr: 0.1 });
      expect(() => optQ.step([Float64Array.of(1, 1)])).toThrow(/grads\[0\] is f64 but params\[0\] is f32/);
      expect(q.toArray()).toEqual([3, 4]);
      expect(Array.from(q.grad)).toEqual([0, 0]);
      opt.dispose();
      optQ.dispose();
      q.dispose();
    }
  });
});

describe("RMSprop centered", () => {
  it("a variance that rounding leaves below zero is clamped to 0 (torch: NaN), the same on both backends", () => {
    // alpha ≈ 1e-16: after two steps sq − ga² = −4.4e-16 in f64, computed here in the kernel's order.
    const alpha = 9.834032748869389e-17, lr = 0.01, eps = 1e-8;
    const grads = [-1.2121129359691951, -1.5205303416004097];
    let p = 1, sq = 0, ga = 0;
    for (const g of grads) {
      sq = sq * alpha + (1 - alpha) * g * g;
      ga = ga * alpha + (1 - alpha) * g;
      const variance = sq - ga * ga;
      p = p + (-lr * g) / (Math.sqrt(Math.max(variance, 0)) + eps);
    }
    expect(sq - ga * ga).toBeLessThan(0);
    for (const backend of BACKENDS) {
      const w = Parameter.from([1], { dtype: "f64", backend });
      const opt = new RMSprop([w], { lr, alpha, eps, centered: true });
      for (const g of grads) (w.grad.set([g]), opt.step());
      expect(w.toArray()).toEqual([p]);
      expect(Number.isFinite(w.toArray()[0])).toBe(true);
      opt.dispose();
      w.dispose();
    }
  });
});
