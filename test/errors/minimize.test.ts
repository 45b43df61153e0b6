/**
 * minimize(), LBFGS, gradCheck and finiteDifferenceGradient refuse every invalid argument
 * with the promised error — naming the option, the value and what is allowed — before the
 * objective is called.
 */
import { describe, expect, it } from "vitest";
import {
  Adam,
  DownhillError,
  DownhillRangeError,
  DownhillTypeError,
  LBFGS,
  SGD,
  StepLR,
  finiteDifferenceGradient,
  gradCheck,
  minimize,
  type MinimizeOptions,
} from "../../ts/index.ts";

type ErrorClass = typeof DownhillTypeError | typeof DownhillRangeError;

const BAD_OPTIONS: [string, unknown, ErrorClass, RegExp][] = [
  ["negative maxIter", { maxIter: -1 }, DownhillRangeError, /minimize options\.maxIter must be a finite number >= 0; got -1/],
  ["fractional maxIter", { maxIter: 2.5 }, DownhillRangeError, /maxIter must be a whole number >= 0; got 2\.5/],
  ["string maxIter", { maxIter: "10" }, DownhillTypeError, /maxIter .*got "10"/],
  ["negative tol", { tol: -1e-3 }, DownhillRangeError, /tol must be a finite number >= 0; got -0\.001/],
  ["NaN tol", { tol: NaN }, DownhillRangeError, /tol .*got NaN/],
  ["nIterNoChange 0", { nIterNoChange: 0 }, DownhillRangeError, /nIterNoChange must be a finite number >= 1; got 0/],
  ["negative gradientTol", { gradientTol: -1 }, DownhillRangeError, /gradientTol must be a finite number >= 0; got -1/],
  ["infinite gradientTol", { gradientTol: Infinity }, DownhillRangeError, /gradientTol .*got Infinity/],
  ["unknown optimizer", { optimizer: "bfgs" }, DownhillRangeError, /unknown optimizer "bfgs"; did you mean "lbfgs"\?\. Allowed: sgd, adam, .*lbfgs/],
  ["optimizer in capitals", { optimizer: "LBFGS" }, DownhillRangeError, /unknown optimizer "LBFGS"; did you mean "lbfgs"\?/],
  ["optimizer of a wrong type", { optimizer: 3 }, DownhillTypeError, /optimizer must be an optimizer name .*got 3/],
  ["optimizerOptions with a factory", { optimizer: ([x]: Float64Array[]) => new SGD([x!]), optimizerOptions: { lr: 1 } }, DownhillTypeError, /optimizerOptions apply only to an optimizer given by name/],
  ["optimizerOptions not an object", { optimizerOptions: 0.1 }, DownhillTypeError, /optimizerOptions must be an object of lbfgs's options; got 0\.1/],
  ["invalid optimizer option", { optimizer: "sgd", optimizerOptions: { lr: -1 } }, DownhillRangeError, /SGD options\.lr \(learning rate\) must be a finite number >= 0; got -1/],
  ["unknown L-BFGS option", { optimizerOptions: { max_iter: 5 } }, DownhillTypeError, /LBFGS options: unknown option "max_iter"; did you mean "maxIter"\?/],
  ["bad line search", { optimizerOptions: { lineSearchFn: "strong-wolfe" } }, DownhillRangeError, /lineSearchFn must be null or "strong_wolfe"; got "strong-wolfe"; did you mean "strong_wolfe"\?/],
  ["factory returning no optimizer", { optimizer: () => ({}) }, DownhillTypeError, /the factory must return a downhill optimizer/],
  ["factory building on other arrays", { optimizer: () => new Adam([new Float64Array(2)]) }, DownhillTypeError, /the factory must build the optimizer on the params it is given/],
  ["instance on other arrays", { optimizer: new Adam([new Float64Array(2)]) }, DownhillTypeError, /an optimizer instance must be built on \[x0\]/],
  ["gradient not a function", { gradient: [1, 2] }, DownhillTypeError, /minimize options\.gradient must be a function \(x\) => gradient or "autograd"; got an array of length 2/],
  ["schedule not a function", { optimizer: "sgd", schedule: 5 }, DownhillTypeError, /schedule must be a function; got 5/],
  ["schedule with L-BFGS", { schedule: (o: SGD) => new StepLR(o, { stepSize: 1 }) }, DownhillTypeError, /schedule does not apply to L-BFGS/],
  ["schedule returning no scheduler", { optimizer: "sgd", schedule: () => ({ step() {} }) }, DownhillTypeError, /schedule must return a downhill scheduler/],
  ["schedule of another optimizer", { optimizer: "sgd", schedule: () => new StepLR(new SGD([new Float64Array(1)]), { stepSize: 1 }) }, DownhillTypeError, /the scheduler drives another optimizer/],
  ["onIteration not a function", { onIteration: "log" }, DownhillTypeError, /onIteration must be a function; got "log"/],
  ["signal not an AbortSignal", { signal: { aborted: false } }, DownhillTypeError, /minimize options\.signal must be an AbortSignal/],
  ["bad dtype", { dtype: "f16" }, DownhillRangeError, /dtype must be one of "f32", "f64"; got "f16"/],
  ["bad backend", { backend: "gpu" }, DownhillTypeError, /minimize options\.backend must be one of "wasm", "ts"; got "gpu"/],
  ["backend with a factory", { optimizer: ([x]: Float64Array[]) => new SGD([x!]), backend: "ts" }, DownhillTypeError, /backend applies only to an optimizer given by name/],
  ["misspelled option", { max_iter: 8 }, DownhillTypeError, /unknown option "max_iter"; did you mean "maxIter"\?/],
  ["typo", { gradTol: 1e-3 }, DownhillTypeError, /unknown option "gradTol"/],
  ["unknown option", { verbose: true }, DownhillTypeError, /unknown option "verbose"\. Allowed: optimizer, optimizerOptions/],
  ["options not an object", 5, DownhillTypeError, /minimize options must be an object; got 5/],
];

describe("minimize refuses invalid options before calling the objective", () => {
  it.each(BAD_OPTIONS)("%s", async (_, options, type, message) => {
    let calls = 0;
    const attempt = minimize(() => (calls++, 0), [1, 2], options as MinimizeOptions);
    await expect(attempt).rejects.toThrow(type);
    await expect(attempt).rejects.toThrow(DownhillError);
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(calls).toBe(0);
  });

  it.each([
    ["objective not a function", "f", [1], DownhillTypeError, /minimize\(objective\): objective must be a function/],
    ["x0 not an array", () => 0, "1,2", DownhillTypeError, /x0 must be an array of numbers, a Float64Array or a Float32Array; got "1,2"/],
    ["x0 with a string", () => 0, [1, "2"], DownhillTypeError, /x0 must be an array of numbers/],
    ["empty x0", () => 0, [], DownhillRangeError, /x0 is empty/],
    ["NaN in x0", () => 0, [1, NaN], DownhillRangeError, /x0\[1\] must be a finite number; got NaN/],
  ] as [string, unknown, unknown, ErrorClass, RegExp][])("%s", async (_, objective, x0, type, message) => {
    await expect(minimize(objective as never, x0 as never)).rejects.toThrow(type);
    await expect(minimize(objective as never, x0 as never)).rejects.toThrow(message);
  });

  it("an instance built on x0 of another dtype than asked, or disposed", async () => {
    const x0 = new Float64Array([1]);
    await expect(minimize(() => 0, x0, { optimizer: new Adam([x0]), dtype: "f32" })).rejects.toThrow(/dtype \("f32"\) differs from x0's/);
    const disposed = new Adam([x0]);
    disposed.dispose();
    await expect(minimize(() => 0, x0, { optimizer: disposed })).rejects.toMatchObject({ code: "DISPOSED" });
  });

  it("what the objective returns is checked", async () => {
    await expect(minimize(() => "1" as never, [1])).rejects.toThrow(/the objective must return a number or \{ value: number, grad: array of numbers \}; it returned "1"/);
    await expect(minimize((async () => 1) as never, [1])).rejects.toThrow(/a promise: the objective must be synchronous/);
    await expect(minimize(() => ({ value: 1, grad: [1, 2] }), [1])).rejects.toMatchObject({ code: "SHAPE_MISMATCH", message: expect.stringMatching(/has 2 entries but x has 1/) });
    await expect(minimize(() => 1, [1], { gradient: () => 3 as never })).rejects.toThrow(/options\.gradient must return an array of numbers; it returned 3/);
  });
});

describe("LBFGS refuses invalid arguments", () => {
  it.each([
    ["lr 0", { lr: 0 }, DownhillRangeError, /LBFGS options\.lr must be a finite number > 0; got 0/],
    ["maxIter 0", { maxIter: 0 }, DownhillRangeError, /maxIter must be a finite number >= 1; got 0/],
    ["fractional maxEval", { maxEval: 2.5 }, DownhillRangeError, /maxEval must be a whole number >= 1; got 2\.5/],
    ["negative toleranceGrad", { toleranceGrad: -1 }, DownhillRangeError, /toleranceGrad must be a finite number >= 0; got -1/],
    ["NaN toleranceChange", { toleranceChange: NaN }, DownhillRangeError, /toleranceChange .*got NaN/],
    ["historySize 0", { historySize: 0 }, DownhillRangeError, /historySize must be a finite number >= 1; got 0/],
    ["lineSearchFn true", { lineSearchFn: true }, DownhillTypeError, /lineSearchFn must be null or "strong_wolfe"; got true/],
    ["typo", { history_size: 3 }, DownhillTypeError, /unknown option "history_size"; did you mean "historySize"\?/],
  ] as [string, unknown, ErrorClass, RegExp][])("%s", (_, options, type, message) => {
    expect(() => new LBFGS([new Float64Array(2)], options as never)).toThrow(type);
    expect(() => new LBFGS([new Float64Array(2)], options as never)).toThrow(message);
  });

  it("params, closure and reentrance", () => {
    expect(() => new LBFGS([] as never)).toThrow(/params must be a non-empty array/);
    expect(() => new LBFGS([[1, 2]] as never)).toThrow(/params\[0\] must be a Parameter, Float32Array or Float64Array/);
    const x = new Float64Array(2);
    expect(() => new LBFGS([x, x])).toThrow(/params\[1\] is the same as params\[0\]/);
    const opt = new LBFGS([x]);
    expect(() => opt.step(5 as never)).toThrow(/closure must be a function/);
    expect(() => opt.step(() => "1" as never)).toThrow(/the closure must return the loss as a number; it returned "1"/);
    expect(() => opt.step(() => opt.step(() => 0))).toThrow(/called from inside its own closure/);
    opt.dispose();
    expect(() => opt.step(() => 0)).toThrow(DownhillError);
  });
});

describe("gradCheck and finiteDifferenceGradient refuse invalid arguments", () => {
  const f = (x: ArrayLike<number>) => ({ value: x[0]!, grad: [1] });
  it.each([
    ["f not a function", () => gradCheck(3 as never, [1]), DownhillTypeError, /gradCheck\(f\): f must be a function/],
    ["x not numbers", () => gradCheck(f, ["1"] as never), DownhillTypeError, /x must be an array of numbers/],
    ["x with Infinity", () => gradCheck(f, [Infinity]), DownhillRangeError, /x\[0\] must be a finite number; got Infinity/],
    ["negative atol", () => gradCheck(f, [1], { atol: -1 }), DownhillRangeError, /gradCheck options\.atol must be a finite number >= 0; got -1/],
    ["NaN rtol", () => gradCheck(f, [1], { rtol: NaN }), DownhillRangeError, /rtol .*got NaN/],
    ["unknown option", () => gradCheck(f, [1], { eps: 1e-6 } as never), DownhillTypeError, /gradCheck options: unknown option "eps"/],
    ["no analytic gradient", () => gradCheck((x) => x[0]!, [1]), DownhillTypeError, /no analytic gradient to check/],
    ["fd: f not a function", () => finiteDifferenceGradient(1 as never, new Float64Array(1)), DownhillTypeError, /f must be a function/],
    ["fd: x not a typed array", () => finiteDifferenceGradient((x) => x[0]!, [1] as never), DownhillTypeError, /x must be a Float32Array or Float64Array/],
    ["fd: f returning a string", () => finiteDifferenceGradient(() => "0" as never, new Float64Array(1)), DownhillTypeError, /f must return a number; it returned "0"/],
  ] as [string, () => unknown, ErrorClass, RegExp][])("%s", (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
  });
});
