/**
 * Every loss gives the same bits on both backends (crate/src/loss/ ↔ ts/kernels/loss/):
 * the same value and the same gradient, in f32 and f64, over sizes 0 … 100003 and over
 * arbitrary finite values (huge ones included, where results overflow alike). Means of
 * zero values are refused alike on both.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  l1Penalty,
  l2Penalty,
  maeLoss,
  mseLoss,
  residual,
  rssLoss,
  type Dtype,
  type FloatArray,
  type LossResult,
} from "../../ts/index.ts";
import { bytes, firstDifference, randomNormals } from "../helpers/random.ts";

const SIZES = [0, 1, 3, 4, 5, 7, 8, 9, 17, 1023, 100_003];
const DTYPES = ["f32", "f64"] as const;

function typed(dtype: Dtype, values: ArrayLike<number>): FloatArray {
  return dtype === "f32" ? Float32Array.from(values) : Float64Array.from(values);
}

/** Values in [0, 1] (BCE targets and probabilities), with exact 0 and 1 sprinkled in. */
function unit(seed: number, n: number): Float64Array {
  const x = randomNormals(seed, n);
  for (let i = 0; i < n; i++) x[i] = i % 13 === 0 ? i % 2 : 1 / (1 + Math.exp(-x[i]!));
  return x;
}

function same(what: string, a: LossResult | FloatArray, b: LossResult | FloatArray): void {
  if ("value" in a && "value" in b) {
    expect(Object.is(a.value, b.value), `${what}: value ${a.value} (wasm) vs ${b.value} (ts)`).toBe(true);
    expect(firstDifference(bytes(a.grad), bytes(b.grad)), `${what}: first differing gradient byte`).toBe(-1);
    expect(a.grad.constructor).toBe(b.grad.constructor);
  } else {
    expect(firstDifference(bytes(a as FloatArray), bytes(b as FloatArray)), `${what}: first differing byte`).toBe(-1);
  }
}

/** Means refuse empty input (torch would give NaN), on both backends alike; everything else gives the same bits. */
const MEANS = new Set(["mseLoss", "maeLoss", "huberLoss", "huberLoss delta 0.37", "bceWithLogitsLoss"]);
function sameOrEmptyRefused(what: string, empty: boolean, wasm: () => LossResult | FloatArray, ts: () => LossResult | FloatArray): void {
  if (empty) {
    expect(wasm, what).toThrow(/is empty: the mean over zero values is undefined/);
    expect(ts, what).toThrow(/is empty: the mean over zero values is undefined/);
    return;
  }
  same(what, wasm(), ts());
}

type Case = (dtype: Dtype, pred: FloatArray, target: FloatArray, seed: number, backend: "wasm" | "ts") => LossResult | FloatArray;

/** Losses of two equal-length vectors; the target is mapped into each loss's domain. */
const POINTWISE: Record<string, Case> = {
  residual: (_, p, t, __, backend) => residual(p, t, { backend }),
  rssLoss: (_, p, t, __, backend) => rssLoss(p, t, { backend }),
  mseLoss: (_, p, t, __, backend) => mseLoss(p, t, { backend }),
  maeLoss: (_, p, t, __, backend) => maeLoss(p, t, { backend }),
  huberLoss: (_, p, t, __, backend) => huberLoss(p, t, { backend }),
  "huberLoss delta 0.37": (_, p, t, __, backend) => huberLoss(p, t, { backend, delta: 0.37 }),
  bceWithLogitsLoss: (dtype, p, _, seed, backend) => bceWithLogitsLoss(p, typed(dtype, unit(seed, p.length)), { backend }),
  l2Penalty: (dtype, p, t, __, backend) => l2Penalty(p, { backend, lambda: 0.3, grad: typed(dtype, t) }),
  l1Penalty: (dtype, p, t, __, backend) => l1Penalty(p, { backend, lambda: 1e-3, grad: typed(dtype, t) }),
  "l2Penalty without grad": (_, p, __, ___, backend) => l2Penalty(p, { backend, lambda: 2 }),
};

const CLASSES = [1, 2, 3, 5, 10];

function crossEntropyCase(dtype: Dtype, logits: FloatArray, classes: number, seed: number, probabilities: boolean, backend: "wasm" | "ts"): LossResult {
  const rows = logits.length / classes;
  if (!probabilities) {
    const indices = new Uint32Array(rows);
    const draws = randomNormals(seed + 7, rows);
    for (let i = 0; i < rows; i++) indices[i] = Math.floor(Math.abs(draws[i]! * 1e6)) % classes;
    return crossEntropyLoss(logits, indices, { classes, backend, target: "indices" });
  }
  return crossEntropyLoss(logits, typed(dtype, unit(seed + 3, logits.length)), { classes, backend, target: "probabilities" });
}

describe("losses: wasm and ts give the same bits", () => {
  for (const dtype of DTYPES) {
    for (const [name, loss] of Object.entries(POINTWISE)) {
      it(`${dtype} ${name}: sizes ${SIZES.join(", ")}`, () => {
        fc.assert(
          fc.property(fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1e-3, 1, 30, 1e4), (n, seed, scale) => {
            const p = typed(dtype, randomNormals(seed, n, scale));
            const t = typed(dtype, randomNormals(seed + 1, n, scale));
            sameOrEmptyRefused(`${name} of ${n} values`, n === 0 && MEANS.has(name), () => loss(dtype, p, t, seed, "wasm"), () => loss(dtype, p, t, seed, "ts"));
          }),
          { numRuns: 25 },
        );
      });

      it(`${dtype} ${name}: arbitrary finite values`, () => {
        const values = dtype === "f32" ? fc.float32Array({ maxLength: 40, noNaN: true, noDefaultInfinity: true }) : fc.float64Array({ maxLength: 40, noNaN: true, noDefaultInfinity: true });
        fc.assert(
          fc.property(values, fc.integer({ min: 0, max: 1000 }), (p, seed) => {
            const t = typed(dtype, Array.from(p, (v, i) => (i % 3 === 0 ? v : -v * 0.5)));
            sameOrEmptyRefused(name, p.length === 0 && MEANS.has(name), () => loss(dtype, p, t, seed, "wasm"), () => loss(dtype, p, t, seed, "ts"));
          }),
          { numRuns: 150 },
        );
      });
    }

    for (const probabilities of [false, true]) {
      const name = `crossEntropyLoss with class ${probabilities ? "probabilities" : "indices"}`;
      it(`${dtype} ${name}: rows ${SIZES.join(", ")}, classes ${CLASSES.join(", ")}`, () => {
        fc.assert(
          fc.property(fc.constantFrom(...SIZES), fc.constantFrom(...CLASSES), fc.integer({ min: 0, max: 2 ** 30 }), fc.constantFrom(1e-2, 1, 10, 300), (rows, classes, seed, scale) => {
            const logits = typed(dtype, randomNormals(seed, rows * classes, scale));
            sameOrEmptyRefused(`${name}, ${rows} × ${classes}`, rows === 0, () => crossEntropyCase(dtype, logits, classes, seed, probabilities, "wasm"), () => crossEntropyCase(dtype, logits, classes, seed, probabilities, "ts"));
          }),
          { numRuns: 25 },
        );
      });

      it(`${dtype} ${name}: arbitrary finite logits`, () => {
        const values = dtype === "f32" ? fc.float32Array({ maxLength: 60, noNaN: true, noDefaultInfinity: true }) : fc.float64Array({ maxLength: 60, noNaN: true, noDefaultInfinity: true });
        fc.assert(
          fc.property(values, fc.constantFrom(...CLASSES), fc.integer({ min: 0, max: 1000 }), (x, classes, seed) => {
            const logits = x.subarray(0, x.length - (x.length % classes));
            sameOrEmptyRefused(name, logits.length === 0, () => crossEntropyCase(dtype, logits, classes, seed, probabilities, "wasm"), () => crossEntropyCase(dtype, logits, classes, seed, probabilities, "ts"));
          }),
          { numRuns: 150 },
        );
      });
    }
  }
});
