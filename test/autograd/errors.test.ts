/**
 * Tensors refuse bad input with errors that name the argument, the value (both shapes for
 * a mismatch) and what is allowed, before anything changes; use after dispose is DISPOSED.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError, gradCheck, keep, memoryUsage, minimize, tensor, tidy, type Tensor } from "../../ts/index.ts";
import { BACKENDS } from "../helpers/tensors.ts";

const throwsCode = (fn: () => unknown, code: string, Kind: unknown, message: RegExp) => {
  let caught: unknown = null;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, String(message)).toBeInstanceOf(Kind as new () => Error);
  expect(caught).toBeInstanceOf(DownhillError);
  expect((caught as DownhillError).code).toBe(code);
  expect((caught as Error).message).toMatch(message);
};

describe("tensor() refuses bad values and options", () => {
  it.each([
    ["a string", () => tensor("1" as never), DownhillTypeError, "INVALID_ARGUMENT", /tensor\(values\) takes a number, an array of numbers, an array of rows or a Float32Array\/Float64Array; got "1"/],
    ["a string element", () => tensor([1, "2"] as never), DownhillTypeError, "INVALID_ARGUMENT", /values\[1\] must be a number; got "2"/],
    ["ragged rows", () => tensor([[1, 2], [3]]), DownhillRangeError, "SHAPE_MISMATCH", /values\[1\] has 1 numbers but values\[0\] has 2; rows must have the same length/],
    ["rank 3", () => tensor([[[1]]] as never), DownhillTypeError, "INVALID_ARGUMENT", /values\[0\]\[0\] must be a number; got an array of length 1 \(tensors have rank 2 at most\)/],
    ["a shape of the wrong size", () => tensor([1, 2, 3], { shape: [2, 2] }), DownhillRangeError, "SHAPE_MISMATCH", /shape: \[2, 2\] \}\): the shape holds 4 values but 3 were given/],
    ["a shape of rank 3", () => tensor([1], { shape: [1, 1, 1] }), DownhillTypeError, "INVALID_ARGUMENT", /tensor options\.shape must be an array of at most 2 sizes/],
    ["a fractional size", () => tensor([1], { shape: [0.5] as never }), DownhillTypeError, "INVALID_ARGUMENT", /tensor options\.shape\[0\] must be a whole number; got 0\.5/],
    ["an unknown option", () => tensor(1, { requiresGradient: true } as never), DownhillTypeError, "INVALID_ARGUMENT", /unknown option "requiresGradient"; did you mean "requiresGrad"\?/],
    ["a bad dtype", () => tensor(1, { dtype: "f16" as never }), DownhillTypeError, "INVALID_ARGUMENT", /tensor options\.dtype must be "f32" or "f64"; got "f16"/],
    ["a bad backend", () => tensor(1, { backend: "gpu" as never }), DownhillTypeError, "INVALID_ARGUMENT", /tensor options\.backend must be one of "wasm", "ts"; got "gpu"/],
    ["requiresGrad not a boolean", () => tensor(1, { requiresGrad: 1 as never }), DownhillTypeError, "INVALID_ARGUMENT", /requiresGrad must be true or false; got 1/],
  ])("%s", (_, fn, Kind, code, message) => throwsCode(fn, code, Kind, message));
});

describe.each(BACKENDS)("operations refuse what does not fit (%s)", (backend) => {
  const t = (values: number[] | number[][] | number, requiresGrad = false) => tensor(values, { backend, requiresGrad });

  it("a shape mismatch names both shapes", () => {
    tidy(() => {
      throwsCode(() => t([[1, 2, 3], [4, 5, 6]]).add(t([1, 2])), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.add: shapes \[2, 3\] and \[2\] do not broadcast; each dimension \(aligned from the right\) must be equal or 1/);
      throwsCode(() => t([[1, 2, 3]]).reshape([3, 1]).div(t([[1, 2], [3, 4]])), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.div: shapes \[3, 1\] and \[2, 2\] do not broadcast/);
      throwsCode(() => t([[1, 2, 3]]).matmul(t([[1, 2]])), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.matmul: shapes \[1, 3\] and \[1, 2\] do not fit: the first has 3 columns, the second 1 row/);
      throwsCode(() => t(2).matmul(t([1])), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.matmul: shapes \[\] and \[1\]: both tensors must have rank 1 or 2/);
      throwsCode(() => t([1, 2, 3]).reshape([2, 2]), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.reshape: shape \[3\] \(3 values\) cannot become \[2, 2\] \(4 values\)/);
    });
  });

  it("positions and axes out of range are refused, naming the shape", () => {
    tidy(() => {
      throwsCode(() => t([1, 2, 3]).index(3), "INVALID_ARGUMENT", DownhillRangeError, /Tensor\.index\(i\) for shape \[3\] must be in \[-3, 2\]; got 3/);
      throwsCode(() => t([1, 2, 3]).index(1.5), "INVALID_ARGUMENT", DownhillTypeError, /must be a whole number; got 1\.5/);
      throwsCode(() => t(1).index(0), "SHAPE_MISMATCH", DownhillRangeError, /a scalar \(shape \[\]\) cannot be indexed/);
      throwsCode(() => t([1, 2, 3]).slice(2, 1), "INVALID_ARGUMENT", DownhillRangeError, /Tensor\.slice\(2, 1\): end \(1\) comes before start \(2\)/);
      throwsCode(() => t([1, 2, 3]).column(0), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.column\(j\): the tensor has shape \[3\]; column\(\) selects from a matrix/);
      throwsCode(() => t([[1, 2]]).sum(2), "INVALID_ARGUMENT", DownhillRangeError, /Tensor\.sum\(axis\) for shape \[1, 2\] must be in \[-2, 1\]; got 2/);
      throwsCode(() => t(1).mean(0), "INVALID_ARGUMENT", DownhillRangeError, /Tensor\.mean\(axis\): a scalar has no axis/);
    });
  });

  it("operands of another dtype, backend or type are refused", () => {
    tidy(() => {
      const other = backend === "wasm" ? "ts" : "wasm";
      throwsCode(() => t([1]).add(tensor([1], { backend: other })), "INVALID_ARGUMENT", DownhillTypeError, new RegExp(`Tensor\\.add: the tensors are on different backends \\("${backend}" and "${other}"\\)`));
      throwsCode(() => t([1]).sub(tensor([1], { backend, dtype: "f32" })), "INVALID_ARGUMENT", DownhillTypeError, /Tensor\.sub: the dtypes differ \(f64 and f32\)/);
      throwsCode(() => t([1]).mul([2] as never), "INVALID_ARGUMENT", DownhillTypeError, /Tensor\.mul: the operand must be a Tensor or a number; got an array of length 1/);
      throwsCode(() => t([1]).pow("2" as never), "INVALID_ARGUMENT", DownhillTypeError, /Tensor\.pow\(exponent\): exponent must be a number; got "2"/);
    });
  });

  it("backward() needs a single value that requires grad", () => {
    tidy(() => {
      const x = t([1, 2], true);
      throwsCode(() => x.mul(2).backward(), "SHAPE_MISMATCH", DownhillRangeError, /Tensor\.backward\(\): the tensor has shape \[2\] \(2 values\); backward\(\) starts from a single value \(a loss\): reduce it first with sum\(\) or mean\(\)/);
      throwsCode(() => t([1, 2]).sum().backward(), "INVALID_ARGUMENT", DownhillError, /this tensor does not require a gradient/);
      expect(x.grad).toBeNull();
    });
  });

  it("use after dispose is DISPOSED, dispose is idempotent, and backward over a disposed input changes no gradient", () => {
    const x = t([1, 2], true);
    const y = x.mul(3);
    y.dispose();
    y.dispose();
    expect(y.disposed).toBe(true);
    throwsCode(() => y.data, "DISPOSED", DownhillError, /This tensor \(shape \[2\], f64; used by data\) has been disposed/);
    throwsCode(() => y.add(1), "DISPOSED", DownhillError, /used by Tensor\.add/);
    throwsCode(() => x.add(y), "DISPOSED", DownhillError, /used by Tensor\.add/);
    throwsCode(() => y.item(), "DISPOSED", DownhillError, /has been disposed/);

    const data = t([[1, 0], [0, 1]]);
    tidy(() => x.sum().backward());
    expect(x.grad!.toArray()).toEqual([1, 1]);
    const loss = data.matmul(x).sum();
    data.dispose();
    const before = memoryUsage().liveBytes;
    throwsCode(() => loss.backward(), "DISPOSED", DownhillError, /Tensor\.backward\(\): a tensor of its graph \(shape \[2, 2\], f64\) was disposed before backward\(\)/);
    expect(x.grad!.toArray()).toEqual([1, 1]);
    expect(memoryUsage().liveBytes).toBe(before);
    loss.dispose();
    x.dispose();
    throwsCode(() => x.grad, "DISPOSED", DownhillError, /has been disposed/);
  });
});

describe("tidy() and keep() refuse misuse", () => {
  it("an async function is refused, and what it created so far is freed", async () => {
    const before = memoryUsage().liveBytes;
    let made: Tensor | null = null;
    throwsCode(
      () =>
        tidy((async () => {
          made = tensor([1, 2, 3], { backend: "wasm" });
        }) as never),
      "INVALID_ARGUMENT",
      DownhillTypeError,
      /tidy\(fn\): fn returned a promise; tidy scopes must be synchronous/,
    );
    expect(made!.disposed).toBe(true);
    expect(memoryUsage().liveBytes).toBe(before);
  });

  it("non-functions and non-tensors are refused", () => {
    throwsCode(() => tidy(3 as never), "INVALID_ARGUMENT", DownhillTypeError, /tidy\(fn\): fn must be a function; got 3/);
    throwsCode(() => keep({} as never), "INVALID_ARGUMENT", DownhillTypeError, /keep\(tensor\): tensor must be a Tensor; got an object/);
  });
});

describe("minimize() and gradCheck() with gradient: \"autograd\"", () => {
  it("an objective that returns no tensor, or more than one value, is refused", async () => {
    await expect(minimize((() => 3) as never, [1], { gradient: "autograd" })).rejects.toThrow(/with gradient: "autograd" the objective takes x as a Tensor and must return a Tensor \(one value computed from x\); it returned 3/);
    await expect(minimize((x: Tensor) => x.mul(2), [1, 2], { gradient: "autograd" })).rejects.toThrow(/the objective returned a Tensor of shape \[2\]; return a single value \(reduce it with sum\(\) or mean\(\)\)/);
    await expect(minimize(((x: Float64Array) => tensor(x).sum()) as never, [1, 2])).rejects.toThrow(/the objective returned a Tensor; pass \{ gradient: "autograd" \}/);
    expect(() => gradCheck((x: Tensor) => x, [1, 2], { gradient: "autograd" })).toThrow(/gradCheck\(f\): the objective returned a Tensor of shape \[2\]/);
  });

  it("options are checked", async () => {
    await expect(minimize((x: Tensor) => x.sum(), [1], { gradient: "autograd-please" as never })).rejects.toThrow(/minimize options\.gradient must be a function \(x\) => gradient or "autograd"; got "autograd-please"/);
    expect(() => gradCheck((x: Tensor) => x.sum(), [1], { gradient: "autograd", backend: "gpu" as never })).toThrow(/gradCheck options\.backend must be one of "wasm", "ts"; got "gpu"/);
  });
});
