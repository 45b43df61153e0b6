/**
 * The losses refuse invalid arguments with a message naming the argument, the value (or
 * index) and what is allowed, before anything is computed or written; the crate's loss
 * exports refuse bad pointers, aliasing and out-of-range class indices with a status.
 */
import { describe, expect, it } from "vitest";
import { WasmStorage } from "../../ts/backend/wasm/index.ts";
import { loadAbi } from "../../ts/backend/wasm/load.ts";
import {
  DownhillRangeError,
  DownhillTypeError,
  bceWithLogitsLoss,
  crossEntropyLoss,
  huberLoss,
  l1Penalty,
  l2Penalty,
  maeLoss,
  mseLoss,
  residual,
  rssLoss,
  setBackend,
} from "../../ts/index.ts";

type ErrorClass = typeof DownhillTypeError | typeof DownhillRangeError;

const CASES: [string, () => unknown, ErrorClass, RegExp, string?][] = [
  ["lengths differ", () => mseLoss([1, 2, 3], [1, 2]), DownhillRangeError, /mseLoss: pred and target must have the same length; got 3 and 2\./, "SHAPE_MISMATCH"],
  ["NaN in pred", () => maeLoss(new Float32Array([1, NaN]), [0, 0]), DownhillRangeError, /maeLoss\(pred\): pred\[1\] is NaN; every value must be finite\./],
  ["Infinity in target", () => rssLoss([1, 2, 3], [0, 0, -Infinity]), DownhillRangeError, /rssLoss\(target\): target\[2\] is -Infinity; every value must be finite\./],
  ["a string in pred", () => mseLoss([1, "2"] as never, [1, 2]), DownhillTypeError, /mseLoss\(pred\): pred\[1\] must be a number; got "2"/],
  ["pred not an array", () => mseLoss({ length: 1 } as never, [1]), DownhillTypeError, /mseLoss\(pred\) must be a Float32Array, Float64Array or an array of numbers; got an object/],
  ["target of another dtype", () => mseLoss(new Float32Array(2), new Float64Array(2)), DownhillTypeError, /mseLoss\(target\) must be a Float32Array \(the dtype of the predictions\)/],
  ["an unknown option", () => mseLoss([1], [1], { backnd: "ts" } as never), DownhillTypeError, /mseLoss\(options\): unknown option "backnd"; did you mean "backend"\?/],
  ["an unknown backend", () => residual([1], [1], { backend: "gpu" } as never), DownhillTypeError, /residual\(options\.backend\) must be one of "wasm", "ts"; got "gpu"/],
  ["delta 0", () => huberLoss([1], [1], { delta: 0 }), DownhillRangeError, /huberLoss\(delta\) must be a finite number > 0; got 0\./],
  ["delta NaN", () => huberLoss([1], [1], { delta: NaN }), DownhillRangeError, /huberLoss\(delta\) .*got NaN/],
  ["delta Infinity", () => huberLoss([1], [1], { delta: Infinity }), DownhillRangeError, /huberLoss\(delta\) .*got Infinity/],
  ["delta a string", () => huberLoss([1], [1], { delta: "1" as never }), DownhillTypeError, /huberLoss\(delta\) .*got "1"/],
  ["delta that underflows f32", () => huberLoss(new Float32Array(1), [1], { delta: 1e-50 }), DownhillRangeError, /huberLoss\(delta\) must be > 0 and finite in f32; got 1e-50/],
  ["BCE target above 1", () => bceWithLogitsLoss([0, 0, 0], [0, 1, 1.5]), DownhillRangeError, /bceWithLogitsLoss\(target\): target\[2\] is 1\.5; every target must be in \[0, 1\]\./],
  ["BCE target below 0", () => bceWithLogitsLoss([0], [-0.25]), DownhillRangeError, /target\[0\] is -0\.25/],
  ["BCE NaN logit", () => bceWithLogitsLoss([NaN], [0]), DownhillRangeError, /bceWithLogitsLoss\(pred\): pred\[0\] is NaN/],
  ["CE without options", () => crossEntropyLoss([1, 2], [0], undefined as never), DownhillTypeError, /crossEntropyLoss\(options\) must be given with the number of classes/],
  ["CE classes 0", () => crossEntropyLoss([1, 2], [0], { classes: 0 }), DownhillRangeError, /crossEntropyLoss\(classes\) must be a finite number >= 1; got 0\./],
  ["CE classes 2.5", () => crossEntropyLoss([1, 2], [0], { classes: 2.5 }), DownhillRangeError, /crossEntropyLoss\(classes\) must be an integer from 1 to 4294967295; got 2\.5\./],
  ["CE logits not rows × classes", () => crossEntropyLoss([1, 2, 3], [0], { classes: 2 }), DownhillRangeError, /logits must hold rows × 2 values; got 3, not a multiple of 2\./, "SHAPE_MISMATCH"],
  ["CE target of the wrong length", () => crossEntropyLoss([1, 2, 3, 4], [0, 1, 1], { classes: 2 }), DownhillRangeError, /target must hold 2 class indices or 2 × 2 = 4 probabilities for 2 rows of logits; got 3 values\./, "SHAPE_MISMATCH"],
  ["CE index out of range", () => crossEntropyLoss([1, 2, 3, 4], new Uint32Array([1, 2]), { classes: 2 }), DownhillRangeError, /crossEntropyLoss\(target\): target\[1\] is 2; class indices must be integers in \[0, 2\)\./],
  ["CE negative index", () => crossEntropyLoss([1, 2, 3, 4], new Int32Array([-1, 0]), { classes: 2 }), DownhillRangeError, /target\[0\] is -1; class indices/],
  ["CE fractional index", () => crossEntropyLoss([1, 2, 3, 4], [0, 0.5], { classes: 2, target: "indices" }), DownhillRangeError, /target\[1\] is 0\.5; class indices must be integers/],
  ["CE NaN probability", () => crossEntropyLoss([1, 2, 3, 4], [0.5, 0.5, NaN, 1], { classes: 2 }), DownhillRangeError, /crossEntropyLoss\(target\): target\[2\] is NaN/],
  ["CE Infinity logit", () => crossEntropyLoss([1, Infinity], [0], { classes: 2 }), DownhillRangeError, /crossEntropyLoss\(logits\): logits\[1\] is Infinity/],
  ["CE bad target kind", () => crossEntropyLoss([1, 2], [0], { classes: 2, target: "labels" as never }), DownhillTypeError, /crossEntropyLoss\(options\.target\) must be "indices" or "probabilities"; got "labels"/],
  ["CE probabilities given as indices' length", () => crossEntropyLoss([1, 2, 3, 4], [0.5, 0.5], { classes: 2, target: "probabilities" }), DownhillRangeError, /target must hold 2 × 2 = 4 probabilities/, "SHAPE_MISMATCH"],
  ["lambda negative", () => l2Penalty([1], { lambda: -1 }), DownhillRangeError, /l2Penalty\(lambda\) must be a finite number >= 0; got -1\./],
  ["lambda missing", () => l1Penalty([1], {} as never), DownhillTypeError, /l1Penalty\(lambda\) must be a finite number >= 0; got undefined/],
  ["penalty without options", () => l1Penalty([1], undefined as never), DownhillTypeError, /l1Penalty\(options\) must be given with the penalty's strength/],
  ["penalty grad of another dtype", () => l2Penalty(new Float32Array(2), { lambda: 1, grad: new Float64Array(2) as never }), DownhillTypeError, /l2Penalty\(options\.grad\) must be a Float32Array \(the weights' dtype\)/],
  ["penalty grad of another length", () => l2Penalty(new Float64Array(2), { lambda: 1, grad: new Float64Array(3) }), DownhillRangeError, /l2Penalty: weights and grad must have the same length; got 2 and 3\./, "SHAPE_MISMATCH"],
  ["penalty grad detached", () => { const g = new Float64Array(0); structuredClone(g.buffer, { transfer: [g.buffer] }); return l2Penalty([], { lambda: 0, grad: g }); }, DownhillTypeError, /l2Penalty\(options\.grad\) is a Float64Array whose ArrayBuffer is detached/],
  ["penalty grad overlapping the weights", () => { const b = new Float64Array(4); return l1Penalty(b.subarray(0, 2), { lambda: 1, grad: b.subarray(1, 3) }); }, DownhillRangeError, /l1Penalty\(options\.grad\) overlaps the weights/],
  ["penalty NaN weight", () => l1Penalty([0, NaN], { lambda: 1 }), DownhillRangeError, /l1Penalty\(weights\): weights\[1\] is NaN/],
];

describe("losses refuse invalid arguments", () => {
  for (const backend of ["wasm", "ts"] as const) {
    it.each(CASES.map((c) => [c[0], c] as const))(`${backend}: %s`, (_, [, call, kind, message, code]) => {
      setBackend(backend);
      try {
        expect(call).toThrow(kind);
        expect(call).toThrow(message);
        expect(call).toThrow(expect.objectContaining({ code: code ?? "INVALID_ARGUMENT" }));
      } finally {
        setBackend("wasm");
      }
    });
  }

  it("leave a penalty's gradient buffer untouched when refusing", () => {
    for (const backend of ["wasm", "ts"] as const) {
      const grad = new Float64Array([1, 2, 3]);
      expect(() => l2Penalty([1, 2, NaN], { backend, lambda: 1, grad })).toThrow(/weights\[2\] is NaN/);
      expect(() => l2Penalty([1, 2, 3], { backend, lambda: -1, grad })).toThrow(/lambda/);
      expect(Array.from(grad)).toEqual([1, 2, 3]);
    }
  });

  it("log-loss at probabilities 0 and 1 (logits ±1000) stays finite, with the exact gradient", () => {
    for (const backend of ["wasm", "ts"] as const) {
      for (const dtype of ["f32", "f64"] as const) {
        const make = (v: number[]) => (dtype === "f32" ? Float32Array.from(v) : Float64Array.from(v));
        const right = bceWithLogitsLoss(make([1000, -1000]), [1, 0], { backend });
        expect(right.value).toBe(0);
        expect(Array.from(right.grad)).toEqual([0, 0]);
        const wrong = bceWithLogitsLoss(make([1000, -1000]), [0, 1], { backend });
        expect(wrong.value).toBe(1000);
        expect(Array.from(wrong.grad)).toEqual([0.5, -0.5]);
        const ce = crossEntropyLoss(make([1000, -1000, -1000, 1000]), [1, 1], { backend, classes: 2 });
        expect(ce.value).toBe(1000);
        expect(Array.from(ce.grad)).toEqual([0.5, -0.5, 0, 0]);
      }
    }
  });
});

describe("the crate's loss exports refuse bad arguments with a status", () => {
  it("null, misaligned and out-of-bounds pointers, aliasing, bad delta, lambda and class indices", () => {
    const abi = loadAbi();
    const end = abi.memory.buffer.byteLength;
    const fault = (call: () => unknown, reason: RegExp) => {
      expect(call).toThrow(expect.objectContaining({ code: "WASM_FAULT" }));
      expect(call).toThrow(reason);
    };
    const a = new WasmStorage(abi, "f64", 4);
    const b = new WasmStorage(abi, "f64", 4);
    const g = new WasmStorage(abi, "f64", 4);
    a.array.set([1, 2, 3, 4]);
    b.array.set([0, 1, 0, 1]);
    g.array.set([7, 7, 7, 7]);
    const L = abi.loss;
    fault(() => L.pointwise("mse", "f64", 0, b.ptr, 4, g.ptr), /a null pointer/);
    fault(() => L.pointwise("mae", "f64", a.ptr + 4, b.ptr, 4, g.ptr), /a misaligned pointer/);
    fault(() => L.pointwise("rss", "f32", end - 8, b.ptr, 4, g.ptr), /outside WebAssembly memory/);
    fault(() => L.pointwise("bceWithLogits", "f64", a.ptr, b.ptr, 4, a.ptr), /buffers that overlap/);
    fault(() => L.residual("f64", a.ptr, b.ptr, 4, b.ptr), /buffers that overlap/);
    fault(() => L.huber("f64", a.ptr, b.ptr, 4, 0, g.ptr), /an invalid argument/);
    fault(() => L.huber("f32", a.ptr, b.ptr, 4, 1e-50, g.ptr), /an invalid argument/);
    fault(() => L.penalty("l2", "f64", a.ptr, 4, -1, g.ptr), /an invalid argument/);
    fault(() => L.penalty("l1", "f64", a.ptr, 4, NaN, g.ptr), /an invalid argument/);
    fault(() => L.penalty("l1", "f64", a.ptr, 4, 1, a.ptr + 8), /buffers that overlap/);
    // Class indices must be integers in [0, classes): 1 row of 4 classes, then 2 rows of 2.
    b.array.set([4, 0, 0, 0]);
    fault(() => L.crossEntropy("index", "f64", a.ptr, b.ptr, 1, 4, g.ptr), /an invalid argument/);
    b.array.set([0, 0.5, 0, 0]);
    fault(() => L.crossEntropy("index", "f64", a.ptr, b.ptr, 2, 2, g.ptr), /an invalid argument/);
    fault(() => L.crossEntropy("probs", "f64", a.ptr, b.ptr, 2, 0, g.ptr), /an invalid argument/);
    fault(() => L.crossEntropy("probs", "f64", a.ptr, b.ptr, 2 ** 31, 2 ** 31, g.ptr), /outside WebAssembly memory/);
    expect(Array.from(g.array)).toEqual([7, 7, 7, 7]);
    expect(Array.from(a.array)).toEqual([1, 2, 3, 4]);
    for (const s of [a, b, g]) s.dispose();
  });
});
