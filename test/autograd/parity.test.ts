/**
 * The two backends give the same bits (crate/src/tensor/ ↔ ts/kernels/tensor/): every
 * operation's forward values and the gradients backward() leaves in each input, in f32 and
 * f64, over shapes from empty to 1023 (and 100 003) elements and over arbitrary finite
 * values, huge ones included. Elements are compared with Object.is (so −0 ≠ +0; any NaN
 * equals any NaN, since WebAssembly does not fix the sign or payload of a NaN).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensor, tidy, type Dtype, type Shape, type Tensor } from "../../ts/index.ts";
import { BINARY, DTYPES, UNARY, broadcastPairs, sizeOf, weights, type Input } from "../helpers/tensors.ts";

interface Run {
  readonly out: number[];
  readonly grads: number[][];
}

/** Forward and backward of `Σ w ⊙ build(inputs)` on one backend. */
function run(backend: "wasm" | "ts", dtype: Dtype, inputs: readonly Input[], build: (leaves: Tensor[]) => Tensor): Run {
  return tidy(() => {
    const leaves = inputs.map((i) => tensor(i.values.slice(), { shape: i.shape, dtype, backend, requiresGrad: true }));
    const out = build(leaves);
    out.mul(tensor(weights(out.size), { shape: out.shape, dtype, backend })).sum().backward();
    return { out: out.toArray(), grads: leaves.map((l) => l.grad?.toArray() ?? []) };
  });
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

function expectSame(what: string, dtype: Dtype, inputs: readonly Input[], build: (leaves: Tensor[]) => Tensor): void {
  const wasm = run("wasm", dtype, inputs, build);
  const ts = run("ts", dtype, inputs, build);
  const at = firstDifference(wasm.out, ts.out);
  expect(at, `${what}: forward value ${at}: ${wasm.out[at]} (wasm) vs ${ts.out[at]} (ts)`).toBe(-1);
  wasm.grads.forEach((g, k) => {
    const d = firstDifference(g, ts.grads[k]!);
    expect(d, `${what}: gradient of input ${k}, element ${d}: ${g[d]} (wasm) vs ${ts.grads[k]![d]} (ts)`).toBe(-1);
  });
}

/** Moderate values (meaningful results) or any finite double (overflow, underflow, subnormals). */
const value = fc.oneof(fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ noNaN: true, noDefaultInfinity: true }));
const valuesOf = (shape: Shape): fc.Arbitrary<Input> => fc.array(value, { minLength: sizeOf(shape), maxLength: sizeOf(shape) }).map((values) => ({ shape, values }));
const SIZES = [0, 1, 3, 8, 9, 17, 1023];
const shapes: fc.Arbitrary<Shape> = fc.oneof(
  fc.constant([] as Shape),
  fc.constantFrom(...SIZES).map((n) => [n] as Shape),
  fc.tuple(fc.constantFrom(0, 1, 3, 9), fc.constantFrom(1, 2, 8, 17)).map(([r, c]) => [r, c] as Shape),
);
const matrices = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })).map(([r, c]) => [r, c] as Shape);

describe("autograd: wasm and ts give the same bits", () => {
  for (const dtype of DTYPES) {
    for (const op of UNARY) {
      it(`${dtype} ${op.name}`, () => {
        fc.assert(fc.property(shapes.chain(valuesOf), (x) => expectSame(op.name, dtype, [x], ([t]) => op.apply(t!))), { numRuns: 40 });
      });
    }

    for (const op of BINARY) {
      it(`${dtype} ${op.name} with broadcasting`, () => {
        const pairs = broadcastPairs.chain(([a, b]) => fc.tuple(valuesOf(a), valuesOf(b)));
        fc.assert(fc.property(pairs, ([a, b]) => expectSame(op.name, dtype, [a, b], ([x, y]) => x![op.name](y!))), { numRuns: 60 });
      });
    }

    it(`${dtype} matmul`, () => {
      const operands = fc
        .tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 17 }), fc.integer({ min: 0, max: 9 }))
        .chain(([m, k, n]) => fc.tuple(valuesOf([m, k]), valuesOf([k, n])));
      fc.assert(fc.property(operands, ([a, b]) => expectSame("matmul", dtype, [a, b], ([x, y]) => x!.matmul(y!))), { numRuns: 40 });
    });

    it(`${dtype} sums, means and views`, () => {
      const cases: [string, (x: Tensor) => Tensor][] = [
        ["sum()", (x) => x.sum()],
        ["sum(0)", (x) => x.sum(0)],
        ["sum(1)", (x) => x.sum(1)],
        ["mean()", (x) => x.mean()],
        ["mean(1)", (x) => x.mean(1)],
        ["index", (x) => x.index(x.shape[0]! - 1)],
        ["slice", (x) => x.slice(1)],
        ["column", (x) => x.column(0)],
        ["transpose", (x) => x.transpose()],
        ["reshape", (x) => x.reshape([x.size])],
      ];
      fc.assert(
        fc.property(matrices.chain(valuesOf), (x) => {
          for (const [name, build] of cases) expectSame(name, dtype, [x], ([t]) => build(t!));
        }),
        { numRuns: 40 },
      );
    });

    it(`${dtype} a graph over 100 003 elements`, () => {
      const n = 100_003;
      const values = Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * 4 + (i % 11 === 0 ? 1e3 : 0));
      expectSame("large graph", dtype, [{ shape: [n], values }], ([x]) => x!.tanh().mul(x!.softplus()).add(x!.exp().log()).pow(2));
    });
  }
});
