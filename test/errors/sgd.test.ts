/**
 * Every invalid option or argument throws the promised error — naming the argument, the
 * value and what is allowed — before anything is allocated or written.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError, Parameter, SGD, SGD_DEFAULTS, memoryUsage } from "../../ts/index.ts";

type ErrorClass = typeof DownhillTypeError | typeof DownhillRangeError | typeof DownhillError;

const BAD_OPTIONS: [string, Record<string, unknown>, ErrorClass, RegExp][] = [
  ["negative lr", { lr: -1 }, DownhillRangeError, /lr \(learning rate\) must be a finite number >= 0; got -1/],
  ["NaN lr", { lr: NaN }, DownhillRangeError, /lr .*got NaN/],
  ["infinite lr", { lr: Infinity }, DownhillRangeError, /lr .*got Infinity/],
  ["-infinite lr", { lr: -Infinity }, DownhillRangeError, /lr .*got -Infinity/],
  ["string lr", { lr: "0.1" }, DownhillTypeError, /lr .*got "0\.1"/],
  ["null lr", { lr: null }, DownhillTypeError, /lr .*got null/],
  ["BigInt lr", { lr: 1n }, DownhillTypeError, /lr .*got 1n \(a BigInt\)/],
  ["boolean lr", { lr: true }, DownhillTypeError, /lr .*got true/],
  ["negative momentum", { momentum: -0.1 }, DownhillRangeError, /momentum must be a finite number >= 0 and < 1; got -0\.1/],
  ["momentum 1", { momentum: 1 }, DownhillRangeError, /momentum .*< 1; got 1/],
  ["NaN momentum", { momentum: NaN }, DownhillRangeError, /momentum .*got NaN/],
  ["negative dampening", { dampening: -0.1 }, DownhillRangeError, /dampening must be a finite number >= 0 and <= 1; got -0\.1/],
  ["dampening above 1", { dampening: 1.5 }, DownhillRangeError, /dampening .*got 1\.5/],
  ["negative weight decay", { weightDecay: -1e-4 }, DownhillRangeError, /weightDecay must be a finite number >= 0; got -0\.0001/],
  ["NaN weight decay", { weightDecay: NaN }, DownhillRangeError, /weightDecay .*got NaN/],
  ["nesterov without momentum", { nesterov: true }, DownhillRangeError, /Nesterov momentum needs momentum > 0 and dampening = 0; got momentum 0/],
  ["nesterov with dampening", { nesterov: true, momentum: 0.9, dampening: 0.1 }, DownhillRangeError, /dampening 0\.1/],
  ["non-boolean nesterov", { nesterov: "yes" }, DownhillTypeError, /nesterov must be true or false; got "yes"/],
  ["non-boolean maximize", { maximize: 1 }, DownhillTypeError, /maximize must be true or false; got 1/],
  ["misspelled lr", { learningrate: 0.1 }, DownhillTypeError, /unknown option "learningrate"; did you mean "lr"\?/],
  ["snake_case option", { weight_decay: 0.1 }, DownhillTypeError, /unknown option "weight_decay"; did you mean "weightDecay"\?/],
  ["typo in momentum", { momentun: 0.9 }, DownhillTypeError, /unknown option "momentun"; did you mean "momentum"\?/],
  ["unknown option", { frobnicate: 1 }, DownhillTypeError, /unknown option "frobnicate"\. Allowed: lr, momentum/],
  ["unknown backend", { backend: "gpu" }, DownhillTypeError, /backend must be one of "wasm", "ts"; got "gpu"/],
];

describe("SGD refuses invalid options at construction", () => {
  for (const backend of ["wasm", "ts"] as const) {
    it.each(BAD_OPTIONS)(`${backend}: %s`, (_, options, type, message) => {
      const p = Parameter.from([1, 2, 3], { backend });
      const before = memoryUsage().liveBytes;
      const create = () => new SGD([p], options);
      expect(create).toThrow(type);
      expect(create).toThrow(DownhillError);
      expect(create).toThrow(message);
      try {
        create();
      } catch (e) {
        expect((e as DownhillError).code).toBe("INVALID_ARGUMENT");
      }
      expect(memoryUsage().liveBytes).toBe(before);
      expect(p.toArray()).toEqual([1, 2, 3]);
      p.dispose();
    });
  }

  it("refuses options that are not an object", () => {
    const p = Parameter.from([1]);
    expect(() => new SGD([p], 0.1 as never)).toThrow(/SGD options must be an object; got 0\.1/);
    expect(() => new SGD([p], [0.1] as never)).toThrow(/SGD options must be an object; got an array of length 1/);
    p.dispose();
  });
});

describe("SGD refuses invalid parameters", () => {
  it("an empty list, a non-array and non-parameters", () => {
    expect(() => new SGD([])).toThrow(/the parameter list is empty/);
    expect(() => new SGD(new Float32Array(3) as never)).toThrow(/params must be an array .*; got a Float32Array of length 3/);
    expect(() => new SGD([[1, 2, 3]] as never)).toThrow(/params\[0\] must be a Parameter, Float32Array or Float64Array; got an array of length 3/);
    expect(() => new SGD([1, 2] as never)).toThrow(/params\[0\] must be a Parameter, Float32Array or Float64Array; got 1/);
  });

  it("the same memory twice, including overlapping views", () => {
    const a = new Float64Array(8);
    expect(() => new SGD([a, a])).toThrow(/params\[1\] is the same memory as params\[0\]/);
    expect(() => new SGD([a.subarray(0, 4), a.subarray(3, 8)])).toThrow(/params\[1\] is the same memory as params\[0\]/);
    expect(() => new SGD([a.subarray(0, 4), a.subarray(4, 8)])).not.toThrow();
  });

  it("a disposed parameter, and parameters of two backends", () => {
    const p = Parameter.from([1], { backend: "wasm" });
    const q = Parameter.from([1], { backend: "ts" });
    expect(() => new SGD([p, q])).toThrow(/parameters live on the "wasm" backend but "ts" was also asked for/);
    expect(() => new SGD([p], { backend: "ts" })).toThrow(/"wasm" backend but "ts"/);
    p.dispose();
    expect(() => new SGD([p])).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    q.dispose();
  });

  it("bad param groups", () => {
    const p = Parameter.from([1]);
    expect(() => new SGD([{ params: [] }])).toThrow(/param group 0 has no parameters/);
    expect(() => new SGD([{ params: p }] as never)).toThrow(/param group 0 must have a params array/);
    expect(() => new SGD([{ params: [p], lr: -1 }])).toThrow(/SGD param group 0\.lr \(learning rate\) must be a finite number >= 0; got -1/);
    expect(() => new SGD([{ params: [p], lrr: 0.1 }] as never)).toThrow(/SGD param group 0: unknown option "lrr"; did you mean "lr"\?/);
    p.dispose();
  });
});

describe("a refused step changes nothing", () => {
  for (const backend of ["wasm", "ts"] as const) {
    it(`${backend}: mismatched, mistyped, aliased or missing gradients`, () => {
      const a = new Float64Array([1, 2, 3]);
      const b = new Float64Array([4, 5]);
      const opt = new SGD([a, b], { lr: 0.1, momentum: 0.9, backend });
      opt.step([new Float64Array([1, 1, 1]), new Float64Array([1, 1])]);
      const snapshot = () => JSON.stringify([Array.from(a), Array.from(b), opt.state(0), opt.state(1), opt.steps]);
      const before = snapshot();
      const g3 = new Float64Array(3);
      const g2 = new Float64Array(2);
      expect(() => opt.step([g3, new Float64Array(3)])).toThrow(/grads\[1\] has length 3 but params\[1\] has length 2/);
      expect(() => opt.step([g3])).toThrow(/got 1 gradients for 2 parameters/);
      expect(() => opt.step([g3, new Float32Array(2)])).toThrow(/grads\[1\] is f32 but params\[1\] is f64/);
      expect(() => opt.step([a, g2])).toThrow(/grads\[0\] shares memory with params\[0\]/);
      expect(() => opt.step([g3, [1, 2]] as never)).toThrow(/grads\[1\] must be a Float32Array or Float64Array; got an array of length 2/);
      expect(() => opt.step()).toThrow(/params\[0\] is a plain typed array, so step\(\) needs grads/);
      expect(() => opt.step([g3, new Float64Array(3)])).toThrow(expect.objectContaining({ code: "SHAPE_MISMATCH" }));
      expect(snapshot()).toBe(before);
      opt.dispose();
    });

    it(`${backend}: a parameter disposed while the optimizer holds it`, () => {
      const p = Parameter.from([1, 2], { dtype: "f64", backend });
      const q = Parameter.from([3, 4], { dtype: "f64", backend });
      const opt = new SGD([p, q], { lr: 0.5 });
      p.grad.set([1, 1]);
      q.grad.set([1, 1]);
      q.dispose();
      expect(() => opt.step()).toThrow(expect.objectContaining({ code: "DISPOSED" }));
      expect(p.toArray()).toEqual([1, 2]);
      opt.dispose();
      p.dispose();
    });
  }

  it("use after dispose is a clear error and double dispose a no-op", () => {
    const p = Parameter.from([1, 2]);
    const opt = new SGD([p]);
    opt.dispose();
    opt.dispose();
    expect(() => opt.step()).toThrow(/This SGD optimizer has been disposed/);
    expect(() => opt.zeroGrad()).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    p.dispose();
    p.dispose();
    expect(() => p.data).toThrow(/has been disposed/);
    expect(() => p.grad).toThrow(DownhillError);
  });
});

describe("Parameter refuses invalid input", () => {
  it("names the bad value", () => {
    expect(() => Parameter.from([1, NaN])).toThrow(/values\[1\] must be finite; got NaN/);
    expect(() => Parameter.from([1, "2"] as never)).toThrow(/values\[1\] must be a number; got "2"/);
    expect(() => Parameter.from("abc" as never)).toThrow(/takes an array of numbers, a Float32Array or a Float64Array; got "abc"/);
    expect(() => Parameter.from([1], { dtype: "f16" as never })).toThrow(/options\.dtype must be "f32" or "f64"; got "f16"/);
    expect(() => Parameter.from([1], { dtpye: "f32" } as never)).toThrow(/unknown option "dtpye"; did you mean "dtype"\?/);
    expect(() => Parameter.zeros(-1)).toThrow(/Parameter\.zeros\(length\) must be a whole number >= 0; got -1/);
    expect(() => Parameter.zeros(1.5)).toThrow(DownhillRangeError);
  });
});

describe("paramGroups", () => {
  it("hold the defaults overlaid with the options given, without backend (not an option of a group)", () => {
    for (const backend of ["wasm", "ts"] as const) {
      const p = Parameter.from([1, 2], { dtype: "f64", backend });
      const opt = new SGD([p], { lr: 0.2, nesterov: true, momentum: 0.5, backend });
      expect(opt.paramGroups[0]!.options).toEqual({ ...SGD_DEFAULTS, lr: 0.2, nesterov: true, momentum: 0.5 });
      expect(Object.keys(opt.paramGroups[0]!.options)).toEqual(Object.keys(SGD_DEFAULTS));
      opt.dispose();
      p.dispose();
    }
  });
});

describe("setOptions", () => {
  it("changes a group's options, validated, all or nothing", () => {
    const a = Parameter.from([1], { dtype: "f64" });
    const b = Parameter.from([1], { dtype: "f64" });
    const opt = new SGD([{ params: [a] }, { params: [b], lr: 0.5 }], { lr: 0.1 });
    opt.setOptions({ lr: 0.2 }, 0);
    expect(opt.paramGroups.map((g) => g.options.lr)).toEqual([0.2, 0.5]);
    opt.setOptions({ lr: 0.3 });
    expect(opt.paramGroups.map((g) => g.options.lr)).toEqual([0.3, 0.3]);
    expect(() => opt.setOptions({ lr: -1 })).toThrow(/SGD\.setOptions\(options\)\.lr \(learning rate\) must be a finite number >= 0; got -1/);
    expect(() => opt.setOptions({ nesterov: true })).toThrow(/Nesterov momentum needs momentum > 0/);
    expect(() => opt.setOptions({ lr: 0.1 }, 2)).toThrow(/group must be a whole number from 0 to 1; got 2/);
    expect(() => opt.setOptions({ lR: 0.1 } as never)).toThrow(/did you mean "lr"/);
    expect(opt.paramGroups.map((g) => g.options.lr)).toEqual([0.3, 0.3]);
    a.grad.set([1]);
    b.grad.set([2]);
    opt.setOptions({ momentum: 0.5 }, 1); // state appears for group 1 on the next step
    opt.step();
    expect(a.toArray()).toEqual([1 - 0.3]);
    expect(b.toArray()).toEqual([1 - 0.3 * 2]);
    expect(opt.state(0)).toEqual({});
    expect(Array.from(opt.state(1)["momentumBuffer"]!)).toEqual([2]);
    opt.dispose();
    a.dispose();
    b.dispose();
  });
});
