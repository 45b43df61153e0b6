/**
 * Shared by test/autograd: every tensor operation with a reference in plain JavaScript
 * and its domain, fast-check arbitraries of shapes and values (broadcast pairs included),
 * and a gradient check of autograd against central finite differences computed in f64.
 */
import fc from "fast-check";
import { tensor, tidy, type Dtype, type Shape, type Tensor } from "../../ts/index.ts";

export type BackendName = "wasm" | "ts";
export const BACKENDS: readonly BackendName[] = ["wasm", "ts"];
export const DTYPES: readonly Dtype[] = ["f64", "f32"];

const positive = (v: number) => 0.2 + Math.abs(v);
const awayFromZero = (v: number) => (v < 0 ? -1 : 1) * (0.3 + Math.abs(v));
const any = (v: number) => v;

/** A one-input operation, its value in plain JavaScript, and the inputs it is checked on. */
export interface UnaryCase {
  readonly name: string;
  readonly apply: (x: Tensor) => Tensor;
  readonly reference: (v: number) => number;
  readonly domain: (v: number) => number;
}

export const UNARY: readonly UnaryCase[] = [
  { name: "neg", apply: (x) => x.neg(), reference: (v) => -v, domain: any },
  { name: "exp", apply: (x) => x.exp(), reference: Math.exp, domain: any },
  { name: "log", apply: (x) => x.log(), reference: Math.log, domain: positive },
  { name: "sqrt", apply: (x) => x.sqrt(), reference: Math.sqrt, domain: positive },
  { name: "abs", apply: (x) => x.abs(), reference: Math.abs, domain: awayFromZero },
  { name: "tanh", apply: (x) => x.tanh(), reference: Math.tanh, domain: any },
  { name: "sigmoid", apply: (x) => x.sigmoid(), reference: (v) => 1 / (1 + Math.exp(-v)), domain: any },
  { name: "relu", apply: (x) => x.relu(), reference: (v) => Math.max(v, 0), domain: awayFromZero },
  { name: "softplus", apply: (x) => x.softplus(), reference: (v) => Math.log1p(Math.exp(v)), domain: any },
  { name: "pow(3)", apply: (x) => x.pow(3), reference: (v) => v ** 3, domain: any },
  { name: "pow(2)", apply: (x) => x.pow(2), reference: (v) => v * v, domain: any },
  { name: "pow(-2)", apply: (x) => x.pow(-2), reference: (v) => v ** -2, domain: awayFromZero },
  { name: "pow(0.5)", apply: (x) => x.pow(0.5), reference: Math.sqrt, domain: positive },
  { name: "pow(2.5)", apply: (x) => x.pow(2.5), reference: (v) => v ** 2.5, domain: positive },
  { name: "pow(0)", apply: (x) => x.pow(0), reference: () => 1, domain: any },
  { name: "add(2.5)", apply: (x) => x.add(2.5), reference: (v) => v + 2.5, domain: any },
  { name: "sub(0.25)", apply: (x) => x.sub(0.25), reference: (v) => v - 0.25, domain: any },
  { name: "mul(-1.5)", apply: (x) => x.mul(-1.5), reference: (v) => v * -1.5, domain: any },
  { name: "div(4)", apply: (x) => x.div(4), reference: (v) => v / 4, domain: any },
];

/** A two-input element-wise operation; the right input is mapped into `rightDomain`. */
export interface BinaryCase {
  readonly name: "add" | "sub" | "mul" | "div";
  readonly reference: (a: number, b: number) => number;
  readonly rightDomain: (v: number) => number;
}

export const BINARY: readonly BinaryCase[] = [
  { name: "add", reference: (a, b) => a + b, rightDomain: any },
  { name: "sub", reference: (a, b) => a - b, rightDomain: any },
  { name: "mul", reference: (a, b) => a * b, rightDomain: any },
  { name: "div", reference: (a, b) => a / b, rightDomain: awayFromZero },
];

export interface Input {
  readonly shape: Shape;
  readonly values: readonly number[];
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Values in [−3, 3] for a shape. */
export const valuesOf = (shape: Shape, min = -3, max = 3): fc.Arbitrary<Input> =>
  fc.array(fc.double({ min, max, noNaN: true }), { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((values) => ({ shape, values }));

const dim = fc.integer({ min: 1, max: 4 });

/** Shapes of rank 0–2 with sizes 1–4. */
export const shapes: fc.Arbitrary<Shape> = fc.oneof(
  fc.constant([] as Shape),
  dim.map((d) => [d] as Shape),
  fc.tuple(dim, dim).map(([r, c]) => [r, c] as Shape),
);

/** An operand's shape in a broadcast over an `n × d` output: numpy's forms for rank ≤ 2. */
const FORMS = ["full", "row", "row2", "column", "scalar", "one", "one2"] as const;
export type Form = (typeof FORMS)[number];

export function formShape(form: Form, n: number, d: number): Shape {
  switch (form) {
    case "full": return [n, d];
    case "row": return [d];
    case "row2": return [1, d];
    case "column": return [n, 1];
    case "scalar": return [];
    case "one": return [1];
    case "one2": return [1, 1];
  }
}

/** Two shapes that broadcast together. */
export const broadcastPairs: fc.Arbitrary<[Shape, Shape]> = fc
  .tuple(dim, dim, fc.constantFrom(...FORMS), fc.constantFrom(...FORMS))
  .map(([n, d, fa, fb]) => [formShape(fa, n, d), formShape(fb, n, d)]);

/** Deterministic weights in [−1, 1] that make the checked loss Σ w·out depend on every output. */
export function weights(n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3));
}

/**
 * Autograd's gradients of `loss = Σ w ⊙ build(inputs)` with respect to every input, and
 * central finite differences of the same loss computed in f64 (at the inputs as rounded to
 * `dtype`, with weights rounded likewise), with steps h = 1e-5·max(1, |x|).
 */
export function gradients(backend: BackendName, dtype: Dtype, inputs: readonly Input[], build: (leaves: Tensor[]) => Tensor): { analytic: number[][]; numeric: number[][]; value: number } {
  const round = dtype === "f32" ? Math.fround : (v: number) => v;
  return tidy(() => {
    const leaves = inputs.map((i) => tensor(i.values.slice(), { shape: i.shape, dtype, backend, requiresGrad: true }));
    const out = build(leaves);
    const w = tensor(weights(out.size), { shape: out.shape, dtype, backend });
    const loss = out.mul(w).sum();
    loss.backward();
    const analytic = leaves.map((leaf) => leaf.grad?.toArray() ?? new Array<number>(leaf.size).fill(0));
    const point = inputs.map((i) => i.values.map(round));
    const w64 = weights(out.size).map(round);
    const at = (values: number[][]): number =>
      tidy(() => {
        const xs = values.map((v, k) => tensor(v, { shape: inputs[k]!.shape, dtype: "f64", backend }));
        return build(xs).mul(tensor(w64, { shape: out.shape, dtype: "f64", backend })).sum().item();
      });
    const numeric = point.map((values, k) =>
      values.map((v, e) => {
        const h = 1e-5 * Math.max(1, Math.abs(v));
        const up = point.map((p) => p.slice());
        const down = point.map((p) => p.slice());
        up[k]![e] = v + h;
        down[k]![e] = v - h;
        return (at(up) - at(down)) / (2 * h);
      }),
    );
    return { analytic, numeric, value: loss.item() };
  });
}

/** Tolerances of the gradient checks: f64 tight, f32 looser (its results carry ~1e-7 relative rounding). */
export const TOLERANCE: Record<Dtype, { atol: number; rtol: number }> = {
  f64: { atol: 1e-6, rtol: 1e-6 },
  f32: { atol: 2e-3, rtol: 2e-3 },
};

/** The first element where |a − n| > atol + rtol·|n|, described, or null. */
export function mismatch(analytic: readonly number[][], numeric: readonly number[][], { atol, rtol }: { atol: number; rtol: number }): string | null {
  for (let k = 0; k < analytic.length; k++) {
    for (let e = 0; e < analytic[k]!.length; e++) {
      const a = analytic[k]![e]!;
      const n = numeric[k]![e]!;
      if (!(Math.abs(a - n) <= atol + rtol * Math.abs(n))) return `input ${k}, element ${e}: autograd ${a}, finite differences ${n}`;
    }
  }
  return null;
}
