/**
 * Every operation's gradient, as backward() computes it, against central finite
 * differences of the same loss in f64 (fast-check over shapes and values), on both backends:
 * f64 within 1e-6, f32 within 2e-3. Forward values are checked against plain JavaScript.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tensor, tidy, type Shape, type Tensor } from "../../ts/index.ts";
import { BACKENDS, BINARY, DTYPES, TOLERANCE, UNARY, broadcastPairs, gradients, mismatch, shapes, sizeOf, valuesOf, type Input } from "../helpers/tensors.ts";

const RUNS = 12;

/** Maps the generated values of an input into an operation's domain. */
const mapInput = (input: Input, domain: (v: number) => number): Input => ({ shape: input.shape, values: input.values.map(domain) });

/** Checks the gradients of `build` at inputs drawn by `arbitrary`, on every backend and dtype. */
function property(name: string, arbitrary: fc.Arbitrary<Input[]>, build: (leaves: Tensor[]) => Tensor, runs = RUNS): void {
  for (const backend of BACKENDS) {
    for (const dtype of DTYPES) {
      it(`${name} (${backend}, ${dtype})`, () => {
        fc.assert(
          fc.property(arbitrary, (inputs) => {
            const { analytic, numeric } = gradients(backend, dtype, inputs, build);
            const where = mismatch(analytic, numeric, TOLERANCE[dtype]);
            expect(where, `${name} at shapes ${inputs.map((i) => `[${i.shape.join(", ")}]`).join(" and ")}`).toBeNull();
          }),
          { numRuns: runs },
        );
      });
    }
  }
}

const one = (shape: fc.Arbitrary<Shape> = shapes, domain: (v: number) => number = (v) => v) => shape.chain((s) => valuesOf(s)).map((i) => [mapInput(i, domain)]);

describe("element-wise operations: gradients match finite differences", () => {
  for (const op of UNARY) property(op.name, one(shapes, op.domain), ([x]) => op.apply(x!));

  for (const op of BINARY) {
    const pair = broadcastPairs.chain(([a, b]) => fc.tuple(valuesOf(a), valuesOf(b))).map(([a, b]) => [a, mapInput(b, op.rightDomain)]);
    property(`${op.name} with broadcasting`, pair, ([a, b]) => a![op.name](b!), 2 * RUNS);
  }

  property("one tensor used twice: x·x + x", one(), ([x]) => x!.mul(x!).add(x!));
  property("a chain: softplus(tanh(x)·2 − x²)", one(), ([x]) => x!.tanh().mul(2).sub(x!.pow(2)).softplus());
});

describe("products, sums and views: gradients match finite differences", () => {
  const matmulShapes = fc
    .tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.boolean())
    .map(([m, k, n, vectorLeft, vectorRight]): [Shape, Shape] => [vectorLeft ? [k] : [m, k], vectorRight ? [k] : [k, n]]);
  property("matmul (ranks 1 and 2)", matmulShapes.chain(([a, b]) => fc.tuple(valuesOf(a), valuesOf(b))), ([a, b]) => a!.matmul(b!), 2 * RUNS);

  const matrices = fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 })).map(([r, c]) => [r, c] as Shape);
  property("sum()", one(), ([x]) => x!.sum());
  property("mean()", one(), ([x]) => x!.mean());
  for (const axis of [0, 1, -1]) {
    property(`sum(${axis})`, one(matrices), ([x]) => x!.sum(axis));
    property(`mean(${axis})`, one(matrices), ([x]) => x!.mean(axis));
  }
  const nonScalar = fc.oneof(fc.integer({ min: 1, max: 4 }).map((d) => [d] as Shape), matrices);
  property("index(i), i from the end too", one(nonScalar), ([x]) => x!.index(x!.shape[0]! - 1).add(x!.index(0)));
  property("slice(1) and slice(0, 1)", one(nonScalar), ([x]) => x!.slice(0, 1).mul(x!.slice(x!.shape[0]! - 1)));
  property("column(j)", one(matrices), ([x]) => x!.column(-1).mul(x!.column(0)));
  property("transpose()", one(matrices), ([x]) => x!.transpose().matmul(x!));
  property("reshape to a column and back", one(matrices), ([x]) => x!.reshape([x!.size, 1]).mul(x!.reshape([x!.size])).sum(0));
});

describe("forward values match plain JavaScript", () => {
  for (const backend of BACKENDS) {
    it(`every unary operation within 4 ulp-scaled of Math (${backend}, f64)`, () => {
      fc.assert(
        fc.property(fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: 1, maxLength: 20 }), (raw) => {
          for (const op of UNARY) {
            const values = raw.map(op.domain);
            const got = tidy(() => op.apply(tensor(values, { backend })).toArray());
            values.forEach((v, i) => {
              const want = op.reference(v);
              expect(Math.abs(got[i]! - want), `${op.name}(${v})`).toBeLessThanOrEqual(1e-15 * Math.max(1, Math.abs(want)) * (op.name.startsWith("pow(2.5") ? 16 : 4));
            });
          }
        }),
        { numRuns: 30 },
      );
    });

    it(`broadcast binary operations follow numpy's rule (${backend})`, () => {
      fc.assert(
        fc.property(broadcastPairs.chain(([a, b]) => fc.tuple(valuesOf(a), valuesOf(b))), ([a, b]) => {
          const ar = a.shape.length === 2 ? a.shape : [1, a.shape[0] ?? 1];
          const br = b.shape.length === 2 ? b.shape : [1, b.shape[0] ?? 1];
          const rows = Math.max(ar[0]!, br[0]!);
          const cols = Math.max(ar[1]!, br[1]!);
          const at = (input: Input, dims: readonly number[], r: number, c: number) => input.values[(dims[0] === 1 ? 0 : r) * dims[1]! + (dims[1] === 1 ? 0 : c)]!;
          for (const op of BINARY) {
            const right = { shape: b.shape, values: b.values.map(op.rightDomain) };
            const out = tidy(() => {
              const t = tensor(a.values.slice(), { shape: a.shape, backend })[op.name](tensor(right.values.slice(), { shape: right.shape, backend }));
              return { shape: t.shape, values: t.toArray() };
            });
            const rank = Math.max(a.shape.length, b.shape.length);
            expect(out.shape).toEqual(rank === 2 ? [rows, cols] : rank === 1 ? [cols] : []);
            expect(out.values.length).toBe(sizeOf(out.shape));
            for (let r = 0; r < rows; r++) {
              for (let c = 0; c < cols; c++) expect(out.values[r * cols + c]).toBe(op.reference(at(a, ar, r, c), at(right, br, r, c)));
            }
          }
        }),
        { numRuns: 60 },
      );
    });

    it(`matmul, sums and views give their closed forms (${backend})`, () => {
      tidy(() => {
        const a = tensor([[1, 2, 3], [4, 5, 6]], { backend });
        const b = tensor([[1, 0], [-1, 2], [0.5, 1]], { backend });
        expect(a.matmul(b).toArray()).toEqual([1 - 2 + 1.5, 4 + 3, 4 - 5 + 3, 10 + 6]);
        expect(a.matmul(tensor([1, 1, 1], { backend })).toArray()).toEqual([6, 15]);
        expect(tensor([1, 2, 3], { backend }).matmul(tensor([4, 5, 6], { backend })).item()).toBe(32);
        expect(a.sum().item()).toBe(21);
        expect(a.sum(0).toArray()).toEqual([5, 7, 9]);
        expect(a.sum(1).toArray()).toEqual([6, 15]);
        expect(a.mean(0).toArray()).toEqual([2.5, 3.5, 4.5]);
        expect(a.mean().item()).toBe(3.5);
        expect(a.index(1).toArray()).toEqual([4, 5, 6]);
        expect(a.index(-2).shape).toEqual([3]);
        expect(a.slice(1).shape).toEqual([1, 3]);
        expect(a.column(2).toArray()).toEqual([3, 6]);
        expect(a.transpose().toArray()).toEqual([1, 4, 2, 5, 3, 6]);
        expect(a.reshape([3, 2]).toArray()).toEqual([1, 2, 3, 4, 5, 6]);
        expect(tensor([7, 8, 9], { backend }).index(-1).item()).toBe(9);
        expect(tensor([7, 8, 9], { backend }).slice(-2).toArray()).toEqual([8, 9]);
      });
    });
  }
});

describe("backward()", () => {
  for (const backend of BACKENDS) {
    it(`accumulates into .grad like torch until zeroGrad(), and reaches leaves through every path (${backend})`, () => {
      const x = tensor([1.5, -2], { backend, requiresGrad: true });
      tidy(() => x.pow(2).sum().backward());
      expect(x.grad!.toArray()).toEqual([3, -4]);
      tidy(() => x.pow(2).sum().backward());
      expect(x.grad!.toArray()).toEqual([6, -8]);
      x.zeroGrad();
      expect(x.grad!.toArray()).toEqual([0, 0]);
      // y = x0·x1 + x0: ∂/∂x0 = x1 + 1, ∂/∂x1 = x0.
      tidy(() => x.index(0).mul(x.index(1)).add(x.index(0)).backward());
      expect(x.grad!.toArray()).toEqual([-2 + 1, 1.5]);
      x.dispose();
    });

    it(`a leaf that does not require grad gets none, a detached copy cuts the graph (${backend})`, () => {
      tidy(() => {
        const w = tensor([[1, 2], [3, 4]], { backend, requiresGrad: true });
        const data = tensor([0.5, -1], { backend });
        const frozen = w.detach();
        expect(frozen.requiresGrad).toBe(false);
        w.matmul(data).add(frozen.sum()).sum().backward();
        expect(data.grad).toBeNull();
        expect(w.grad!.toArray()).toEqual([0.5, -1, 0.5, -1]);
        const scalar = tensor(3, { backend, requiresGrad: true });
        scalar.backward();
        expect(scalar.grad!.item()).toBe(1);
      });
    });
  }
});
