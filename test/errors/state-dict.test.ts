/**
 * loadStateDict validates the whole state before changing anything: each refusal names
 * the JSON path, structural mismatches have code "STATE_MISMATCH", malformed values and
 * refused options "INVALID_ARGUMENT", and the optimizer (state, options, steps, memory)
 * is left exactly as it was. Declared sizes are compared, never allocated.
 */
import { describe, expect, it } from "vitest";
import { Adam, DownhillError, DownhillRangeError, DownhillTypeError, NAdam, Parameter, SGD, fit, memoryUsage, minimize, type OptimizerStateDict } from "../../ts/index.ts";
import { OPTIMIZERS } from "../helpers/optimizers.ts";
import { LeastSquares, linearData } from "../helpers/trainables.ts";

type ErrorClass = typeof DownhillTypeError | typeof DownhillRangeError | typeof DownhillError;
type Dict = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- edited freely below

const CASES: [string, (d: Dict) => unknown, ErrorClass, string, RegExp][] = [
  ["not an object", () => 5, DownhillTypeError, "INVALID_ARGUMENT", /SGD\.loadStateDict\(dict\): dict must be the object stateDict\(\) returned; got 5/],
  ["an array", () => [], DownhillTypeError, "INVALID_ARGUMENT", /got an array of length 0/],
  ["another format", (d) => ({ ...d, format: "torch" }), DownhillError, "STATE_MISMATCH", /format is "torch", so this is not an optimizer state written by downhill/],
  ["no format", ({ format: _, ...d }) => d, DownhillError, "STATE_MISMATCH", /format is undefined/],
  ["a newer version", (d) => ({ ...d, version: 2 }), DownhillError, "STATE_MISMATCH", /version 2 was written by a newer downhill; this version reads versions 1 to 1/],
  ["a string version", (d) => ({ ...d, version: "1" }), DownhillTypeError, "INVALID_ARGUMENT", /version must be a whole number >= 0; got "1"/],
  ["another optimizer", (d) => ({ ...d, optimizer: "Adam" }), DownhillError, "STATE_MISMATCH", /optimizer is "Adam": the state was saved from another kind of optimizer than SGD/],
  ["negative steps", (d) => ({ ...d, steps: -1 }), DownhillRangeError, "INVALID_ARGUMENT", /steps must be a whole number >= 0; got -1/],
  ["fractional steps", (d) => ({ ...d, steps: 1.5 }), DownhillRangeError, "INVALID_ARGUMENT", /steps must be a whole number >= 0; got 1\.5/],
  ["too many groups", (d) => ({ ...d, paramGroups: [...d["paramGroups"], d["paramGroups"][0]] }), DownhillError, "STATE_MISMATCH", /paramGroups has 3 groups but this optimizer has 2/],
  ["a group that is not an object", (d) => ({ ...d, paramGroups: [d["paramGroups"][0], null] }), DownhillTypeError, "INVALID_ARGUMENT", /paramGroups\[1\] must be an object \{ params, \.\.\.options \}; got null/],
  ["a missing parameter", (d) => set(d, ["paramGroups", 0, "params"], [0]), DownhillError, "STATE_MISMATCH", /paramGroups\[0\]\.params has 1 parameters but group 0 of this optimizer has 2/],
  ["reordered ids", (d) => set(d, ["paramGroups", 0, "params"], [1, 0]), DownhillError, "STATE_MISMATCH", /paramGroups\[0\]\.params\[0\] is 1 but must be 0: parameters are numbered in order across groups/],
  ["a refused option", (d) => set(d, ["paramGroups", 1, "lr"], -1), DownhillRangeError, "INVALID_ARGUMENT", /SGD\.loadStateDict\(dict\): paramGroups\[1\]\.lr \(learning rate\) must be a finite number >= 0; got -1/],
  ["a refused option combination", (d) => set(d, ["paramGroups", 1, "nesterov"], true), DownhillRangeError, "INVALID_ARGUMENT", /paramGroups\[1\]\.nesterov: Nesterov momentum needs momentum > 0 and dampening = 0/],
  ["a missing option", (d) => set(d, ["paramGroups", 0, "nesterov"], undefined), DownhillError, "STATE_MISMATCH", /paramGroups\[0\] has no value for the option "nesterov"/],
  ["an unknown option", (d) => set(d, ["paramGroups", 0, "lrr"], 0.1), DownhillTypeError, "INVALID_ARGUMENT", /paramGroups\[0\]: unknown option "lrr"; did you mean "lr"\?/],
  ["another dtype", (d) => set(d, ["parameters", 1, "dtype"], "f32"), DownhillError, "STATE_MISMATCH", /parameters\[1\]\.dtype is "f32" but parameter 1 of this optimizer is f64/],
  ["an unknown dtype", (d) => set(d, ["parameters", 1, "dtype"], "f16"), DownhillTypeError, "INVALID_ARGUMENT", /parameters\[1\]\.dtype must be "f32" or "f64"; got "f16"/],
  ["a huge declared length", (d) => set(d, ["parameters", 0, "length"], 2 ** 52), DownhillError, "STATE_MISMATCH", /parameters\[0\]\.length is 4503599627370496 but parameter 0 of this optimizer has 3 elements/],
  ["too few parameters described", (d) => ({ ...d, parameters: d["parameters"].slice(1) }), DownhillError, "STATE_MISMATCH", /parameters describes 2 parameters but this optimizer has 3/],
  ["a null value", (d) => set(d, ["state", "1", "momentumBuffer", 1], null), DownhillTypeError, "INVALID_ARGUMENT", /state\["1"\]\.momentumBuffer\[1\] must be a finite number; got null/],
  ["a string value", (d) => set(d, ["state", "0", "momentumBuffer", 2], "1"), DownhillTypeError, "INVALID_ARGUMENT", /state\["0"\]\.momentumBuffer\[2\] must be a finite number; got "1"/],
  ["an infinite value", (d) => set(d, ["state", "1", "momentumBuffer", 0], Infinity), DownhillRangeError, "INVALID_ARGUMENT", /state\["1"\]\.momentumBuffer\[0\] must be a finite number; got Infinity/],
  ["a value that is not an f32", (d) => set(d, ["state", "0", "momentumBuffer", 0], 0.1), DownhillRangeError, "INVALID_ARGUMENT", /state\["0"\]\.momentumBuffer\[0\] is 0\.1, which is not an f32 value/],
  ["a buffer of the wrong length", (d) => set(d, ["state", "1", "momentumBuffer"], [1, 2, 3, 4, 5]), DownhillError, "STATE_MISMATCH", /state\["1"\]\.momentumBuffer has 5 values but the parameter has 2/],
  ["a sparse array of huge length", (d) => set(d, ["state", "0", "momentumBuffer"], new Array(2 ** 32 - 1)), DownhillError, "STATE_MISMATCH", /state\["0"\]\.momentumBuffer has 4294967295 values but the parameter has 3/],
  ["an object posing as an array", (d) => set(d, ["state", "0", "momentumBuffer"], { length: 1e12 }), DownhillTypeError, "INVALID_ARGUMENT", /state\["0"\]\.momentumBuffer must be an array of 3 numbers; got an object/],
  ["a typed array", (d) => set(d, ["state", "0", "momentumBuffer"], new Float32Array(3)), DownhillTypeError, "INVALID_ARGUMENT", /state\["0"\]\.momentumBuffer must be an array of 3 numbers; got a Float32Array of length 3/],
  ["an entry for no parameter", (d) => set(d, ["state", "7"], { momentumBuffer: [] }), DownhillError, "STATE_MISMATCH", /state\["7"\] is the state of no parameter: ids run from 0 to 2/],
  ["a non-numeric key", (d) => set(d, ["state", "01"], { momentumBuffer: [] }), DownhillError, "STATE_MISMATCH", /state\["01"\] is the state of no parameter/],
  ["a state SGD does not keep", (d) => set(d, ["state", "0", "expAvg"], [0, 0, 0]), DownhillError, "STATE_MISMATCH", /state\["0"\] has "expAvg", which SGD does not keep; its state is momentumBuffer/],
  ["a step, which SGD does not keep", (d) => set(d, ["state", "0", "step"], 1), DownhillError, "STATE_MISMATCH", /state\["0"\] has "step", which SGD does not keep/],
  ["state for part of a group", (d) => ({ ...d, state: { "0": d["state"]["0"] } }), DownhillError, "STATE_MISMATCH", /state\["0"\] exists but state\["1"\] does not; the parameters of a group get their state together/],
  ["a negative zero out of range", (d) => set(d, ["parameters", 1, "negativeZeros"], { momentumBuffer: [2] }), DownhillRangeError, "INVALID_ARGUMENT", /parameters\[1\]\.negativeZeros\.momentumBuffer\[0\] must be below 2; got 2/],
  ["a negative zero that is not zero", (d) => set(d, ["parameters", 1, "negativeZeros"], { momentumBuffer: [0] }), DownhillError, "STATE_MISMATCH", /state\["1"\]\.momentumBuffer\[0\] is listed in negativeZeros but is 2/],
  ["a negative zero of an unknown state", (d) => set(d, ["parameters", 1, "negativeZeros"], { sum: [0] }), DownhillError, "STATE_MISMATCH", /parameters\[1\]\.negativeZeros\.sum: SGD keeps no state "sum"/],
];

/** A deep copy of `d` with the value at `path` replaced (undefined deletes). */
function set(d: Dict, path: (string | number)[], value: unknown): Dict {
  const copy = structuredClone(d);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

function setup(backend: "wasm" | "ts") {
  const ps = [Parameter.from([1, 2, 3], { dtype: "f32", backend }), Parameter.from([4, 5], { dtype: "f64", backend }), Parameter.from([6], { dtype: "f64", backend })];
  const opt = new SGD([{ params: [ps[0]!, ps[1]!], momentum: 0.9 }, { params: [ps[2]!] }], { lr: 0.1 });
  ps.forEach((p, i) => p.grad.set([1, -2, 0.5].slice(0, p.length).map((v) => v * (i + 1))));
  opt.step();
  return { ps, opt };
}

describe("SGD.loadStateDict refuses what does not fit and changes nothing", () => {
  for (const backend of ["wasm", "ts"] as const) {
    it.each(CASES)(`${backend}: %s`, (_, edit, type, code, message) => {
      const { ps, opt } = setup(backend);
      const good = JSON.parse(JSON.stringify(opt.stateDict())) as Dict;
      const before = JSON.stringify(opt.stateDict());
      const live = memoryUsage().liveBytes;
      const bad = edit(good);
      const load = () => opt.loadStateDict(bad);
      expect(load).toThrow(type);
      expect(load).toThrow(message);
      expect(load).toThrow(expect.objectContaining({ code }));
      expect(JSON.stringify(opt.stateDict())).toBe(before);
      expect(memoryUsage().liveBytes).toBe(live);
      opt.loadStateDict(good); // the unedited state still loads, replacing the buffers without a leak
      expect(JSON.stringify(opt.stateDict())).toBe(before);
      opt.step(); // rebuilds the step tables the load dropped
      expect(memoryUsage().liveBytes).toBe(live);
      opt.dispose();
      ps.forEach((p) => p.dispose());
    });
  }

  it("refuses a state for another set of parameters", () => {
    const { ps, opt } = setup("ts");
    const dict = opt.stateDict();
    const other = new SGD([Parameter.from([1, 2, 3], { dtype: "f32" })]);
    expect(() => other.loadStateDict(dict)).toThrow(/paramGroups has 2 groups but this optimizer has 1/);
    const grouped = new SGD([{ params: [Parameter.from([1, 2, 3], { dtype: "f32" })] }, { params: [Parameter.from([4, 5], { dtype: "f64" }), Parameter.from([6], { dtype: "f64" })] }]);
    expect(() => grouped.loadStateDict(dict)).toThrow(/paramGroups\[0\]\.params has 2 parameters but group 0 of this optimizer has 1/);
    opt.dispose();
    ps.forEach((p) => p.dispose());
  });

  it("refuses to load into or save from a disposed optimizer", () => {
    const { ps, opt } = setup("wasm");
    const dict: OptimizerStateDict = opt.stateDict();
    opt.dispose();
    expect(() => opt.loadStateDict(dict)).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    expect(() => opt.stateDict()).toThrow(/This SGD optimizer has been disposed/);
    const fresh = new SGD(ps);
    ps[2]!.dispose();
    expect(() => fresh.loadStateDict(dict)).toThrow(expect.objectContaining({ code: "DISPOSED" }));
    ps.forEach((p) => p.dispose());
  });
});

describe("per-parameter step and group scalars", () => {
  it("Adam: each entry's step must be there and equal steps", () => {
    const p = Parameter.from([1, 2], { dtype: "f64" });
    const q = Parameter.from([3], { dtype: "f64" });
    const opt = new Adam([p, q]);
    p.grad.set([1, 1]);
    q.grad.set([1]);
    opt.step();
    opt.step();
    const good = JSON.parse(JSON.stringify(opt.stateDict())) as Dict;
    expect(good["state"]["0"]["step"]).toBe(2);
    const before = JSON.stringify(good);
    expect(() => opt.loadStateDict(set(good, ["state", "1", "step"], 5))).toThrow(/state\["1"\]\.step is 5 but steps is 2; downhill steps all parameters together/);
    expect(() => opt.loadStateDict(set(good, ["state", "0", "step"], undefined))).toThrow(expect.objectContaining({ code: "STATE_MISMATCH", message: expect.stringMatching(/state\["0"\] has no step/) }));
    expect(() => opt.loadStateDict(set(good, ["state", "0", "step"], "2"))).toThrow(/state\["0"\]\.step must be a whole number >= 0; got "2"/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    opt.dispose();
    p.dispose();
    q.dispose();
  });

  it("NAdam: muProduct is saved per parameter like torch's mu_product and must agree within a group", () => {
    const p = Parameter.from([1, 2], { dtype: "f32" });
    const q = Parameter.from([3], { dtype: "f32" });
    const opt = new NAdam([p, q]);
    p.grad.set([1, 1]);
    q.grad.set([1]);
    opt.step();
    const good = JSON.parse(JSON.stringify(opt.stateDict())) as Dict;
    expect(Object.keys(good["state"]["0"])).toEqual(["step", "muProduct", "expAvg", "expAvgSq"]);
    expect(() => opt.loadStateDict(set(good, ["state", "1", "muProduct"], 0.5))).toThrow(/state\["1"\]\.muProduct is 0\.5 but another parameter of group 0 has .*; the group shares one value/);
    expect(() => opt.loadStateDict(set(good, ["state", "1", "muProduct"], null))).toThrow(/state\["1"\]\.muProduct must be a finite number; got null/);
    opt.dispose();
    p.dispose();
    q.dispose();
  });
});

describe("stateDict() of a diverged optimizer", () => {
  it("refuses non-finite state, which JSON cannot carry, naming where it is", () => {
    for (const backend of ["wasm", "ts"] as const) {
      const p = Parameter.from(new Float64Array([1, 2]), { backend });
      const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
      p.grad.set([1, Infinity]);
      opt.step();
      expect(() => opt.stateDict()).toThrow(/stateDict\(\): state\["0"\]\.momentumBuffer\[1\] is Infinity; the optimizer diverged/);
      expect(() => opt.stateDict()).toThrow(expect.objectContaining({ code: "DIVERGED" }));
      opt.dispose();
      p.dispose();
    }
  });
});

describe("every optimizer refuses a state buffer of another size", () => {
  it("for each optimizer, option set and state buffer: STATE_MISMATCH naming the JSON path, nothing changed", () => {
    for (const { name, create, cases } of OPTIMIZERS) {
      for (const options of cases) {
        for (const backend of ["wasm", "ts"] as const) {
          const p = Parameter.from([1, -2, 3], { dtype: "f64", backend });
          const opt = create([p], name === "SGD" && !(options as Dict)["momentum"] ? { ...options, momentum: 0.9 } : options); // SGD keeps state only with momentum
          p.grad.set([0.5, -0.25, 1]);
          opt.step();
          const good = JSON.parse(JSON.stringify(opt.stateDict())) as Dict;
          const buffers = Object.entries(good["state"]["0"] as Dict).filter(([, v]) => Array.isArray(v));
          expect(buffers.length, `${name} ${JSON.stringify(options)}`).toBeGreaterThan(0);
          const before = JSON.stringify(good);
          for (const [buffer] of buffers) {
            for (const length of [2, 4]) {
              const bad = set(good, ["state", "0", buffer], new Array(length).fill(0));
              const message = new RegExp(`state\\["0"\\]\\.${buffer} has ${length} values but the parameter has 3`);
              expect(() => opt.loadStateDict(bad)).toThrow(expect.objectContaining({ code: "STATE_MISMATCH", message: expect.stringMatching(message) }));
            }
          }
          expect(JSON.stringify(opt.stateDict())).toBe(before);
          opt.dispose();
          p.dispose();
        }
      }
    }
  });
});

describe("loading into an optimizer that is training", () => {
  it("is refused with BUSY while fit() drives it, and works once the fit has ended", async () => {
    const model = new LeastSquares(2, { weights: [0.5, -0.5] });
    const opt = new Adam(model.parameters(), { lr: 0.01 });
    const saved = opt.stateDict();
    const data = linearData(12, [1, 2], 0, 0.1, 3);
    let refused: unknown = null;
    let before = "";
    await fit(model, data, {
      optimizer: opt,
      epochs: 2,
      tol: null,
      onIteration: (it) => {
        if (it.iteration !== 2) return;
        before = JSON.stringify(opt.stateDict());
        try {
          opt.loadStateDict(saved);
        } catch (e) {
          refused = e;
        }
        expect(JSON.stringify(opt.stateDict())).toBe(before);
      },
    });
    expect(refused).toBeInstanceOf(DownhillError);
    expect((refused as DownhillError).code).toBe("BUSY");
    expect((refused as Error).message).toMatch(/Adam\.loadStateDict\(dict\): this optimizer is driven by a running fit\(\) or minimize\(\); load the state before the run starts or after it ends/);
    opt.loadStateDict(saved); // after the fit
    expect(opt.steps).toBe(0);
    // The same optimizer in a second concurrent fit is refused too.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = fit(model, data, { optimizer: opt, epochs: 1, onEpoch: () => gate });
    const other = new LeastSquares(2);
    await expect(fit(other, data, { optimizer: opt })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" }); // not its parameters
    await expect(fit(model, data, { optimizer: opt })).rejects.toMatchObject({ code: "BUSY" });
    release();
    await first;
    opt.dispose();
  });

  it("is refused with BUSY while minimize() drives it; a second minimize() with it is refused too", async () => {
    const x = Float64Array.of(3, -1);
    const opt = new SGD([x], { lr: 0.1 });
    const saved = opt.stateDict();
    let refused: unknown = null;
    let second: Promise<unknown> | null = null;
    const result = await minimize((v) => ({ value: v[0]! ** 2 + v[1]! ** 2, grad: [2 * v[0]!, 2 * v[1]!] }), x, {
      optimizer: opt,
      maxIter: 5,
      onIteration: () => {
        try {
          opt.loadStateDict(saved);
        } catch (e) {
          refused = e;
        }
        second ??= minimize((v) => v[0]! ** 2, x, { optimizer: opt, maxIter: 1 }).then(() => null, (e: unknown) => e);
      },
    });
    expect(result.iterations).toBe(5);
    expect(refused).toMatchObject({ code: "BUSY" });
    expect(await second).toMatchObject({ code: "BUSY", message: expect.stringMatching(/minimize options\.optimizer is already driven by a running fit\(\) or minimize\(\)/) });
    opt.loadStateDict(saved);
    opt.dispose();
  });
});
