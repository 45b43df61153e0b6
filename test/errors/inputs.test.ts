/**
 * Inputs the fuzzing of test/fuzz/api.test.ts found accepted silently (an engine error, a
 * NaN or an infinity from finite input, a state no run can produce), each now refused with
 * the promised error before anything changes — one named case per finding.
 */
import { describe, expect, it } from "vitest";
import {
  Adam,
  DownhillError,
  DownhillRangeError,
  DownhillTypeError,
  LinearModel,
  LRScheduler,
  MINIMIZE_OPTIMIZER_NAMES,
  NAdam,
  OPTIMIZER_NAMES,
  Optimizer,
  Parameter,
  Random,
  SGD,
  Scheduler,
  Tensor,
  constant,
  crossEntropyLoss,
  finiteDifferenceGradient,
  gradCheck,
  huberLoss,
  l1Penalty,
  l2Penalty,
  lrSweep,
  maeLoss,
  mseLoss,
  normal,
  rssLoss,
  sweepRates,
  tensor,
  uniform,
  xavierNormal,
} from "../../ts/index.ts";

type ErrorClass = typeof DownhillTypeError | typeof DownhillRangeError | typeof DownhillError;

function detached(): Float64Array {
  const a = new Float64Array(2);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

const CASES: [string, () => unknown, ErrorClass, string, RegExp][] = [
  ["new Optimizer()", () => new (Optimizer as unknown as new (...a: unknown[]) => unknown)([Parameter.zeros(1)]), DownhillTypeError, "INVALID_ARGUMENT", /Optimizer is an abstract base class and cannot be constructed; create an optimizer/],
  ["new Scheduler()", () => new (Scheduler as unknown as new (...a: unknown[]) => unknown)("x", null), DownhillTypeError, "INVALID_ARGUMENT", /Scheduler is an abstract base class/],
  ["new LRScheduler()", () => new (LRScheduler as unknown as new (...a: unknown[]) => unknown)("x", null, {}), DownhillTypeError, "INVALID_ARGUMENT", /LRScheduler is an abstract base class/],
  ["new LinearModel()", () => new (LinearModel as unknown as new (...a: unknown[]) => unknown)({ name: "x" }, {}, [], null), DownhillTypeError, "INVALID_ARGUMENT", /LinearModel is an abstract base class/],
  ["new Tensor()", () => new (Tensor as unknown as new (...a: unknown[]) => unknown)(), DownhillTypeError, "INVALID_ARGUMENT", /Tensor cannot be constructed directly; create tensors with tensor\(values, options\)/],
  ["a Parameter value overflowing f32", () => Parameter.from([1, 3.4028235677973366e38]), DownhillRangeError, "INVALID_ARGUMENT", /values\[1\] = 3\.4028235677973366e\+38 overflows f32 \(largest ≈ 3\.4e38\); use dtype "f64"/],
  ["a detached Parameter source", () => Parameter.from(detached()), DownhillTypeError, "INVALID_ARGUMENT", /Parameter\.from\(values\) is a Float64Array whose ArrayBuffer is detached/],
  ["a detached typed-array parameter", () => new SGD([detached()]), DownhillTypeError, "INVALID_ARGUMENT", /SGD\(params\): params\[0\] is a Float64Array whose ArrayBuffer is detached/],
  ["a detached tensor source", () => tensor(detached()), DownhillTypeError, "INVALID_ARGUMENT", /tensor\(values\) is a Float64Array whose ArrayBuffer is detached/],
  ["the mean squared error of nothing", () => mseLoss([], []), DownhillRangeError, "INVALID_ARGUMENT", /mseLoss\(pred\) is empty: the mean over zero values is undefined \(NaN in torch\)/],
  ["the mean absolute error of nothing", () => maeLoss(new Float32Array(0), new Float32Array(0)), DownhillRangeError, "INVALID_ARGUMENT", /maeLoss\(pred\) is empty/],
  ["the Huber loss of nothing", () => huberLoss([], []), DownhillRangeError, "INVALID_ARGUMENT", /huberLoss\(pred\) is empty/],
  ["cross-entropy of zero rows", () => crossEntropyLoss([], [], { classes: 3 }), DownhillRangeError, "INVALID_ARGUMENT", /crossEntropyLoss\(logits\) is empty/],
  ["a detached loss input", () => mseLoss(detached(), [1, 2]), DownhillTypeError, "INVALID_ARGUMENT", /mseLoss\(pred\) is a Float64Array whose ArrayBuffer is detached/],
  ["constant() overflowing an f32 array", () => constant(-3.5e38).create(2), DownhillRangeError, "INVALID_ARGUMENT", /constant\(-3\.5e\+38\)\.create\(length\): values up to ±3\.5e\+38 overflow f32/],
  ["a uniform range whose width overflows", () => uniform({ low: -1e308, high: 1e308, seed: 1 }), DownhillRangeError, "INVALID_ARGUMENT", /the width high − low = 1e\+308 − -1e\+308 overflows/],
  ["normal draws that would overflow", () => normal({ mean: 1e308, std: 1e307, seed: 1 }), DownhillRangeError, "INVALID_ARGUMENT", /draws reach mean ± 16·std = 1e\+308 ± 1\.6e\+308, which overflows/],
  ["xavierNormal with a gain overflowing f32", () => xavierNormal({ fanIn: 1, fanOut: 1, gain: 3e37, seed: 1 }).create(3), DownhillRangeError, "INVALID_ARGUMENT", /xavierNormal\(std=3e\+37\)\.create\(length\): values up to ±4\.8e\+38 overflow f32/],
  ["Random.uniform with a width that overflows", () => new Random(1).uniform(-Number.MAX_VALUE, Number.MAX_VALUE), DownhillRangeError, "INVALID_ARGUMENT", /uniform\(low, high\): the width high − low/],
  ["Random.fillNormal without a target", () => new Random(1).fillNormal(undefined as never), DownhillTypeError, "INVALID_ARGUMENT", /fillNormal\(target\) must be a Float32Array or a Float64Array; got undefined/],
  ["sweepRates without numbers", () => sweepRates("a" as never, 1, 1), DownhillTypeError, "INVALID_ARGUMENT", /sweepRates\(from, to, perDecade\): from must be a finite number > 0; got "a"/],
  ["sweepRates with to <= from", () => sweepRates(1, 0.1, 1), DownhillRangeError, "INVALID_ARGUMENT", /to \(0\.1\) must be greater than from \(1\)/],
  ["sweepRates of a billion rates", () => sweepRates(1e-300, 1e300, 1e6), DownhillRangeError, "INVALID_ARGUMENT", /makes 600000001 rates; at most 10000 are allowed/],
  ["finite differences next to the largest f32", () => finiteDifferenceGradient(() => 0, Float32Array.of(1, -3.4e38)), DownhillRangeError, "INVALID_ARGUMENT", /x\[1\] = -3\.3999999[0-9e+]* is too close to the largest f32 value for a finite-difference step/],
  ["finite differences at NaN", () => finiteDifferenceGradient(() => 0, Float64Array.of(Number.NaN)), DownhillRangeError, "INVALID_ARGUMENT", /x\[0\] must be a finite number; got NaN/],
  ["gradCheck of a detached x", () => gradCheck(() => ({ value: 0, grad: [] }), detached()), DownhillTypeError, "INVALID_ARGUMENT", /gradCheck\(f, x\): x is a Float64Array whose ArrayBuffer is detached/],
];

describe("inputs found by fuzzing are refused with the promised error", () => {
  it.each(CASES)("%s", (_, run, type, code, message) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(DownhillError);
    expect((error as DownhillError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
  });

  it("lrSweep refuses a sweep of more than 10 000 rates before any trial", async () => {
    let trials = 0;
    await expect(lrSweep(() => (trials++, 1), { from: 1e-300, to: 1, perDecade: 40 })).rejects.toThrow(/lrSweep options: from 1e-300 to 1 at perDecade 40 makes 12001 rates; at most 10000/);
    expect(trials).toBe(0);
  });

  it("a refused initializer draws nothing: the next values are those of a fresh twin", () => {
    const init = normal({ mean: 0, std: 3e37, seed: 5 });
    expect(() => init.create(4)).toThrow(/overflow f32/); // f32: 16·std overflows
    expect(() => init.fill(new Float32Array(3))).toThrow(/overflow f32/);
    expect(Array.from(init.create(3, { dtype: "f64" }))).toEqual(Array.from(normal({ mean: 0, std: 3e37, seed: 5 }).create(3, { dtype: "f64" })));
  });

  it("a penalty of strength 0 (also once rounded to f32) is 0 with a zero gradient, not 0·∞ = NaN", () => {
    for (const backend of ["wasm", "ts"] as const) {
      for (const [weights, lambda] of [[Float64Array.of(1e300, -1e300), 0], [Float32Array.of(1.8e19, 2), 5e-324]] as const) {
        for (const penalty of [l1Penalty, l2Penalty]) {
          const grad = weights instanceof Float32Array ? Float32Array.of(0.5, 0.25) : Float64Array.of(0.5, 0.25);
          const r = penalty(weights, { backend, lambda, grad });
          expect(r.value).toBe(0);
          expect(Array.from(r.grad)).toEqual([0.5, 0.25]);
          expect(Array.from(penalty(weights, { backend, lambda }).grad)).toEqual([0, 0]);
        }
      }
      // A sum, not a mean: the residual sum of squares of nothing is 0.
      expect(rssLoss([], [], { backend }).value).toBe(0);
    }
  });

  it("Parameter.zeros(-0) has length 0, not −0", () => {
    const p = Parameter.zeros(-0);
    expect(Object.is(p.length, 0)).toBe(true);
    p.dispose();
  });

  it("the lists of optimizer names are frozen", () => {
    expect(Object.isFrozen(OPTIMIZER_NAMES)).toBe(true);
    expect(Object.isFrozen(MINIMIZE_OPTIMIZER_NAMES)).toBe(true);
    expect(() => (OPTIMIZER_NAMES as unknown as string[]).push("mine")).toThrow(TypeError);
  });
});

describe("loadStateDict refuses states no run produces", () => {
  function stepped<T extends Adam | NAdam>(make: (p: Parameter) => T) {
    const p = Parameter.from([1, -2], { dtype: "f64" });
    const opt = make(p);
    p.grad.set([0.5, -0.5]);
    opt.step();
    return { p, opt, dict: JSON.parse(JSON.stringify(opt.stateDict())) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
  }

  it("a negative average of squares, which would make a square root NaN", () => {
    const { p, opt, dict } = stepped((q) => new Adam([q], { amsgrad: true }));
    const before = JSON.stringify(opt.stateDict());
    for (const name of ["expAvgSq", "maxExpAvgSq"]) {
      const bad = structuredClone(dict);
      bad.state["0"][name][1] = -1e-3;
      expect(() => opt.loadStateDict(bad)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT", message: expect.stringMatching(new RegExp(`state\\["0"\\]\\.${name}\\[1\\] is -0\\.001, but ${name} is never negative`)) }));
    }
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    opt.dispose();
    p.dispose();
  });

  it("NAdam's muProduct outside [0, 1), which would divide by zero", () => {
    const { p, opt, dict } = stepped((q) => new NAdam([q]));
    for (const value of [1, -0.5]) {
      const bad = structuredClone(dict);
      bad.state["0"].muProduct = value;
      expect(() => opt.loadStateDict(bad)).toThrow(new RegExp(`state\\["0"\\]\\.muProduct must be >= 0 and < 1 \\(no run of NAdam gives another value\\); got ${value}`));
    }
    opt.dispose();
    p.dispose();
  });

  it("steps > 0 without the state every parameter has after a step", () => {
    const p = Parameter.from([1, -2], { dtype: "f64" });
    const opt = new NAdam([p], { lr: 0 });
    const dict = JSON.parse(JSON.stringify(opt.stateDict()));
    dict.steps = 1;
    expect(() => opt.loadStateDict(dict)).toThrow(expect.objectContaining({ code: "STATE_MISMATCH", message: expect.stringMatching(/steps is 1 but state\["0"\] is missing; after a step NAdam keeps state for every parameter/) }));
    // SGD keeps no state without momentum: steps > 0 with no state is what it saves.
    const sgd = new SGD([p]);
    p.grad.set([1, 1]);
    sgd.step();
    const saved = sgd.stateDict();
    expect(saved.steps).toBe(1);
    expect(() => sgd.loadStateDict(saved)).not.toThrow();
    opt.dispose();
    sgd.dispose();
    p.dispose();
  });
});
