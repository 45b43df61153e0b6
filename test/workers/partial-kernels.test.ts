/**
 * The kernels the workers run — the partial losses, the models' partial loss and
 * gradient (a batch's share of the mean over `total` rows) and select_rows — give the
 * same bits in WebAssembly and in their TypeScript twins, with `total` different from the
 * rows given (which the mean kernels, total = rows, never exercise).
 */
import { describe, expect, it } from "vitest";
import type { Dtype } from "../../ts/index.ts";
import type { Storage } from "../../ts/backend/backend.ts";
import { wasmBackend } from "../../ts/backend/wasm/index.ts";
import { loadAbi } from "../../ts/backend/wasm/load.ts";
import type { PartialLossName } from "../../ts/backend/wasm/abi.ts";
import { bceWithLogitsPartialF32, bceWithLogitsPartialF64 } from "../../ts/kernels/loss/bce.ts";
import { crossEntropyIndexPartialF32, crossEntropyIndexPartialF64 } from "../../ts/kernels/loss/cross_entropy.ts";
import { huberPartialF32, huberPartialF64 } from "../../ts/kernels/loss/huber.ts";
import { maePartialF32, maePartialF64 } from "../../ts/kernels/loss/mae.ts";
import { msePartialF32, msePartialF64 } from "../../ts/kernels/loss/mse.ts";
import { scratchLen, selectRows } from "../../ts/kernels/model/affine.ts";
import * as linear from "../../ts/kernels/model/linear.ts";
import * as logistic from "../../ts/kernels/model/logistic.ts";
import * as mlp from "../../ts/kernels/model/mlp.ts";
import * as softmax from "../../ts/kernels/model/softmax.ts";
import { bytes, firstDifference, randomNormals } from "../helpers/random.ts";

type FloatArray = Float32Array | Float64Array;
const ptr = (s: Storage | { ptr: number }): number => (s as unknown as { ptr: number }).ptr;

/** A wasm buffer holding `values` in `dtype`; freed by `free`. */
function buffers(dtype: Dtype) {
  const owned: { dispose(): void }[] = [];
  return {
    of(values: ArrayLike<number>): Storage {
      const s = wasmBackend.alloc(dtype, Math.max(values.length, 1));
      owned.push(s);
      s.array.set(Array.from(values));
      return s;
    },
    rows(values: ArrayLike<number>): { ptr: number; array: Uint32Array } {
      const r = wasmBackend.allocRows(Math.max(values.length, 1));
      owned.push(r);
      r.array.set(Array.from(values));
      return r as unknown as { ptr: number; array: Uint32Array };
    },
    free: () => owned.forEach((o) => o.dispose()),
  };
}

const typed = (dtype: Dtype, values: ArrayLike<number>): FloatArray => (dtype === "f32" ? Float32Array.from(values) : Float64Array.from(values));

function sameBits(a: FloatArray, b: FloatArray, what: string): void {
  expect(firstDifference(bytes(a), bytes(b)), what).toBe(-1);
}

describe("partial losses: wasm and ts give the same bits, total ≠ rows", () => {
  const TS: Record<PartialLossName, Record<Dtype, (p: FloatArray, t: FloatArray, total: number, g: FloatArray) => number>> = {
    mse: { f32: (p, t, n, g) => msePartialF32(p as Float32Array, t as Float32Array, n, g as Float32Array), f64: (p, t, n, g) => msePartialF64(p as Float64Array, t as Float64Array, n, g as Float64Array) },
    mae: { f32: (p, t, n, g) => maePartialF32(p as Float32Array, t as Float32Array, n, g as Float32Array), f64: (p, t, n, g) => maePartialF64(p as Float64Array, t as Float64Array, n, g as Float64Array) },
    bceWithLogits: {
      f32: (p, t, n, g) => bceWithLogitsPartialF32(p as Float32Array, t as Float32Array, n, g as Float32Array),
      f64: (p, t, n, g) => bceWithLogitsPartialF64(p as Float64Array, t as Float64Array, n, g as Float64Array),
    },
    huber: {
      f32: (p, t, n, g) => huberPartialF32(p as Float32Array, t as Float32Array, 0.6, n, g as Float32Array),
      f64: (p, t, n, g) => huberPartialF64(p as Float64Array, t as Float64Array, 0.6, n, g as Float64Array),
    },
    crossEntropyIndex: {
      f32: (p, t, n, g) => crossEntropyIndexPartialF32(p as Float32Array, t as Float32Array, 3, n, g as Float32Array),
      f64: (p, t, n, g) => crossEntropyIndexPartialF64(p as Float64Array, t as Float64Array, 3, n, g as Float64Array),
    },
  };
  for (const name of Object.keys(TS) as PartialLossName[]) {
    for (const dtype of ["f32", "f64"] as const) {
      it(`${name} ${dtype}`, () => {
        for (const rows of [0, 1, 7, 9, 33]) {
          const classes = name === "crossEntropyIndex" ? 3 : 1;
          const pred = typed(dtype, randomNormals(rows + 1, rows * classes, 2));
          const target = typed(
            dtype,
            Array.from(randomNormals(rows + 2, rows), (v) => (name === "crossEntropyIndex" ? Math.min(2, Math.floor(Math.abs(v) * 2)) : name === "bceWithLogits" ? (v > 0 ? 1 : 0) : v)),
          );
          const total = rows + 5;
          const grad = typed(dtype, new Array(rows * classes).fill(0));
          const value = TS[name][dtype](pred, target, total, grad);
          const b = buffers(dtype);
          try {
            const [p, t, g] = [b.of(pred), b.of(target), b.of(new Array(rows * classes).fill(0))];
            const got = loadAbi().loss.partial(name, dtype, ptr(p), ptr(t), rows, total, ptr(g), 0.6, classes);
            expect(Object.is(got, value), `${name} ${dtype} rows ${rows}: ${got} vs ${value}`).toBe(true);
            sameBits(g.array.subarray(0, rows * classes) as FloatArray, grad, `${name} ${dtype} rows ${rows} gradient`);
          } finally {
            b.free();
          }
        }
      });
    }
  }

  it("refuse a total smaller than the rows given", () => {
    const b = buffers("f64");
    try {
      const [p, t, g] = [b.of([1, 2, 3]), b.of([0, 0, 0]), b.of([0, 0, 0])];
      expect(() => loadAbi().loss.partial("mse", "f64", ptr(p), ptr(t), 3, 2, ptr(g), 0, 0)).toThrow(/an invalid argument/);
      expect(() => loadAbi().loss.partial("mse", "f64", ptr(p), ptr(t), 0, 0, ptr(g), 0, 0)).toThrow(/an invalid argument/);
    } finally {
      b.free();
    }
  });
});

describe("models' partial loss and gradient: wasm and ts give the same bits, total ≠ rows", () => {
  const n = 37, d = 5, k = 3;
  const batch = [4, 30, 11, 11, 0, 36, 17, 2, 25, 9, 13, 21, 8];
  const total = 29;
  const x = randomNormals(1, n * d, 1.5);
  const linearCases = [
    { model: "linear" as const, loss: linear.MSE, delta: 0, k: 1, bias: true },
    { model: "linear" as const, loss: linear.MAE, delta: 0, k: 1, bias: false },
    { model: "linear" as const, loss: linear.HUBER, delta: 0.4, k: 1, bias: true },
    { model: "logistic" as const, loss: 0, delta: 0, k: 1, bias: true },
    { model: "softmax" as const, loss: 0, delta: 0, k, bias: true },
    { model: "softmax" as const, loss: 0, delta: 0, k, bias: false },
  ];
  for (const c of linearCases) {
    for (const dtype of ["f32", "f64"] as const) {
      it(`${c.model} loss ${c.loss}, ${c.bias ? "bias" : "no bias"}, ${dtype}`, () => {
        const y = Array.from(randomNormals(2, n), (v) => (c.model === "logistic" ? (v > 0 ? 1 : 0) : c.model === "softmax" ? Math.min(k - 1, Math.floor(Math.abs(v) * k)) : v));
        const w = typed(dtype, randomNormals(3, d * c.k, 0.5));
        const bias = typed(dtype, c.bias ? randomNormals(4, c.k) : []);
        const rows = Uint32Array.from(batch);
        const scratch = typed(dtype, new Array(scratchLen(rows.length, c.k)).fill(0));
        const [gw, gb] = [typed(dtype, new Array(d * c.k).fill(0)), typed(dtype, new Array(bias.length).fill(0))];
        const tsBatch = { x: typed(dtype, x), y: typed(dtype, y), d, rows };
        const f32 = dtype === "f32";
        const value =
          c.model === "linear"
            ? (f32 ? linear.partialLossAndGradientF32 : linear.partialLossAndGradientF64)(tsBatch as never, { code: c.loss, delta: c.delta }, total, w as never, bias as never, gw as never, gb as never, scratch as never)
            : c.model === "logistic"
              ? (f32 ? logistic.partialLossAndGradientF32 : logistic.partialLossAndGradientF64)(tsBatch as never, total, w as never, bias as never, gw as never, gb as never, scratch as never)
              : (f32 ? softmax.partialLossAndGradientF32 : softmax.partialLossAndGradientF64)(tsBatch as never, k, total, w as never, bias as never, gw as never, gb as never, scratch as never);
        const b = buffers(dtype);
        try {
          const [X, Y, W, B, GW, GB, S] = [b.of(x), b.of(y), b.of(w), b.of(bias), b.of(gw.map(() => NaN)), b.of(gb.map(() => NaN)), b.of(scratch)];
          const R = b.rows(batch);
          const got = loadAbi().modelPartial(c.model, dtype)(
            ptr(X), ptr(Y), n, d, c.k, R.ptr, batch.length, total, ptr(W), c.bias ? ptr(B) : 0, c.bias ? 1 : 0, ptr(GW), c.bias ? ptr(GB) : 0, ptr(S), S.length, c.loss, c.delta,
          );
          expect(Object.is(got, value), `loss ${got} vs ${value}`).toBe(true);
          sameBits(GW.array.subarray(0, gw.length) as FloatArray, gw, "grad w");
          if (c.bias) sameBits(GB.array.subarray(0, gb.length) as FloatArray, gb, "grad b");
        } finally {
          b.free();
        }
      });
    }
  }

  for (const [output, outK] of [[mlp.REGRESSION, 1], [mlp.BINARY, 1], [mlp.SOFTMAX, 3]] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      it(`MLP output ${output}, ${dtype}`, () => {
        const sizes = [d, 4, 3, outK];
        const layers = sizes.length - 1;
        const y = Array.from(randomNormals(5, n), (v) => (output === mlp.BINARY ? (v > 0 ? 1 : 0) : output === mlp.SOFTMAX ? Math.min(2, Math.floor(Math.abs(v) * 3)) : v));
        const ws = Array.from({ length: layers }, (_, l) => typed(dtype, randomNormals(10 + l, sizes[l]! * sizes[l + 1]!, 0.6)));
        const bs = Array.from({ length: layers }, (_, l) => typed(dtype, randomNormals(20 + l, sizes[l + 1]!, 0.2)));
        const gws = ws.map((w) => typed(dtype, new Array(w.length).fill(0)));
        const gbs = bs.map((v) => typed(dtype, new Array(v.length).fill(0)));
        const rows = Uint32Array.from(batch);
        const scratch = typed(dtype, new Array(mlp.scratchLen(rows.length, sizes)).fill(0));
        const tsBatch = { x: typed(dtype, x), y: typed(dtype, y), d, rows };
        const value = (dtype === "f32" ? mlp.partialLossAndGradientF32 : mlp.partialLossAndGradientF64)(tsBatch as never, sizes, mlp.TANH, output, total, ws as never, bs as never, gws as never, gbs as never, scratch as never);
        const b = buffers(dtype);
        try {
          const [X, Y, S] = [b.of(x), b.of(y), b.of(scratch)];
          const W = ws.map((w) => b.of(w));
          const B = bs.map((v) => b.of(v));
          const GW = gws.map((g) => b.of(g.map(() => NaN)));
          const GB = gbs.map((g) => b.of(g.map(() => NaN)));
          const table = b.rows([...sizes, ...W.flatMap((_, l) => [ptr(W[l]!), ptr(B[l]!), ptr(GW[l]!), ptr(GB[l]!)])]);
          const R = b.rows(batch);
          const got = loadAbi().mlpPartial(dtype)(ptr(X), ptr(Y), n, R.ptr, batch.length, total, table.ptr, layers, table.ptr + 4 * (layers + 1), mlp.TANH, output, ptr(S), S.length);
          expect(Object.is(got, value), `loss ${got} vs ${value}`).toBe(true);
          GW.forEach((g, l) => sameBits(g.array as FloatArray, gws[l]!, `grad W${l}`));
          GB.forEach((g, l) => sameBits(g.array as FloatArray, gbs[l]!, `grad b${l}`));
        } finally {
          b.free();
        }
      });
    }
  }
});

describe("select_rows: wasm and ts agree, and keep a shard's rows in batch order", () => {
  it("over shards, batches and capacities", () => {
    const batch = [9, 3, 14, 0, 7, 3, 12, 5, 15, 1, 8, 2 ** 32 - 1];
    for (const [first, len, capacity] of [[0, 4, 8], [4, 4, 8], [8, 8, 3], [12, 4, 0], [0, 16, 12], [20, 5, 5]] as const) {
      const out = new Uint32Array(capacity);
      const count = selectRows(Uint32Array.from(batch), first, len, out);
      // Independently: the filter, in order.
      const expected = batch.filter((r) => r >= first && r < first + len).map((r) => r - first);
      expect(count).toBe(expected.length);
      expect(Array.from(out.subarray(0, Math.min(count, capacity)))).toEqual(expected.slice(0, capacity));
      const b = buffers("f64");
      try {
        const B = b.rows(batch);
        const O = b.rows(new Array(Math.max(capacity, 1)).fill(0));
        expect(loadAbi().selectRows(B.ptr, batch.length, first, len, O.ptr, capacity)).toBe(count);
        expect(Array.from(O.array.subarray(0, Math.min(count, capacity)))).toEqual(expected.slice(0, capacity));
      } finally {
        b.free();
      }
    }
  });
});
