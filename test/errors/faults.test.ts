/**
 * Out of memory and faults. A dataset whose bound form cannot fit is refused before
 * anything is allocated (OUT_OF_MEMORY), leaving the model and memory as they were; a
 * kernel call that fails after validation — a status from the module, or a trap — makes
 * only the object that made it unusable, and new objects work.
 *
 * How the faults are provoked, without test hooks in the library: the exports check every
 * pointer, size and index, so the honest way to make one fail is what a buggy program
 * can do through the public API — write through `p.data.buffer` (all of WebAssembly
 * memory) outside its own view, over an optimizer's step table or a bound dataset's
 * targets. A trap (WebAssembly.RuntimeError) cannot be provoked in downhill's own exports
 * at all; its conversion is tested on a second instance of the module whose step export
 * is replaced by a function of a tiny hand-written module that executes `unreachable`.
 */
import { describe, expect, it } from "vitest";
import compileDownhill from "../../build/downhill.wasm";
import { bind } from "../../ts/backend/wasm/abi.ts";
import { WasmStorage } from "../../ts/backend/wasm/index.ts";
import { DownhillError, LinearRegression, MLP, Parameter, SGD, SoftmaxRegression, fit, memoryUsage, toDataset, type BackendName } from "../../ts/index.ts";

/** The u32 index in WebAssembly memory of the step-table row `[length, param, grad, …]` of `p`. */
function stepTableRow(p: Parameter): number {
  const words = new Uint32Array(p.data.buffer);
  const data = p.data.byteOffset, grad = p.grad.byteOffset;
  for (let i = 0; i + 2 < words.length; i++) if (words[i] === p.length && words[i + 1] === data && words[i + 2] === grad) return i;
  throw new Error("step table not found");
}

describe("out of memory", () => {
  /** n rows with n distinct classes: a full batch needs n × (2n + 1) logits and gradients. */
  const manyClasses = (n: number) => toDataset({ data: Float64Array.from({ length: n }, (_, i) => i / n), shape: [n, 1] }, Array.from({ length: n }, (_, i) => i));

  for (const backend of ["wasm", "ts"] as BackendName[]) {
    it(`${backend}: a dataset whose bound form exceeds what memory can hold is refused before allocating; the model and memory are unchanged and the module stays usable`, async () => {
      const data = manyClasses(65536); // 65 536 rows, 65 536 classes: ~69 GB of scratch
      const model = new SoftmaxRegression({ backend });
      const before = memoryUsage();
      let error: unknown;
      try {
        model.bind(data);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DownhillError);
      expect(error).toBeInstanceOf(RangeError);
      expect((error as DownhillError).code).toBe("OUT_OF_MEMORY");
      expect((error as Error).message).toMatch(/SoftmaxRegression\.bind\(data\): the parameters, a copy of the 65536 × 1 data and the scratch for a batch of all 65536 rows with 65536 outputs/);
      expect(memoryUsage()).toEqual(before);
      // Nothing was created: the model still has no parameters.
      expect(() => model.weights).toThrow(expect.objectContaining({ code: "NOT_FITTED" }));
      // fit() rejects the same way and leaves everything as it was.
      await expect(fit(model, data, { epochs: 1 })).rejects.toMatchObject({ code: "OUT_OF_MEMORY" });
      expect(memoryUsage()).toEqual(before);
      // The module (and this very model) still work: bind smaller data and train.
      const small = toDataset([[0], [0.5], [1]], [0, 1, 2]);
      const result = await fit(model, small, { optimizer: "sgd", optimizerOptions: { lr: 0.5 }, epochs: 20, tol: null, batchSize: 3 });
      expect(result.history.at(-1)!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
      expect(model.weights.length).toBe(3);
      model.dispose();
    });

    it(`${backend}: an MLP whose activations for the data cannot fit is refused before it creates its parameters or draws its initial weights`, () => {
      const n = 300_000;
      const data = toDataset({ data: new Float64Array(2 * n), shape: [n, 2] }, new Float64Array(n));
      const model = new MLP({ layers: [2048], seed: 7, backend });
      const before = memoryUsage();
      expect(() => model.bind(data)).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY", message: expect.stringMatching(/MLP\.bind\(data\): .*layers of 2, 2048, 1 units/) }));
      expect(memoryUsage()).toEqual(before);
      expect(() => model.parameters()).toThrow(expect.objectContaining({ code: "NOT_FITTED" }));
      // The generator did not move: the weights drawn now equal a fresh model's.
      const small = toDataset([[1, 2], [3, 4]], [1, 2]);
      model.bind(small).dispose();
      const fresh = new MLP({ layers: [2048], seed: 7, backend });
      fresh.bind(small).dispose();
      expect(model.parameters()[0]!.toArray()).toEqual(fresh.parameters()[0]!.toArray());
      model.dispose();
      fresh.dispose();
    });
  }

  it("a parameter larger than wasm32 can address, or than a typed array of the ts backend, is OUT_OF_MEMORY", () => {
    const before = memoryUsage();
    expect(() => Parameter.zeros(2 ** 30, { dtype: "f64", backend: "wasm" })).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY" }));
    expect(memoryUsage()).toEqual(before);
    // 2^30 f64 values are 8 GiB: refused before the engine is asked (which might even
    // succeed, lazily, and fail only when the memory is touched).
    expect(() => Parameter.zeros(2 ** 30, { dtype: "f64", backend: "ts" })).toThrow(
      expect.objectContaining({ code: "OUT_OF_MEMORY", message: expect.stringMatching(/a buffer of 8589934592 bytes is larger than a JavaScript typed array can be \(4294967296 bytes\)/) }),
    );
  });
});

describe("a fault in a kernel call makes only that object unusable", () => {
  it("an optimizer whose step table was overwritten from outside: WASM_FAULT, nothing written, unusable after; other and new objects work", () => {
    const baseline = memoryUsage().liveBytes;
    const p = Parameter.from([1, 2, 3], { dtype: "f64", backend: "wasm" });
    const other = Parameter.from([1, 2, 3], { dtype: "f64", backend: "wasm" });
    const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
    const otherOpt = new SGD([other], { lr: 0.1, momentum: 0.9 });
    for (const [q, o] of [[p, opt], [other, otherOpt]] as const) (q.grad.set([1, 1, 1]), o.step());
    const afterOneStep = [0.9, 1.9, 2.9];
    expect(p.toArray()).toEqual(afterOneStep);
    // A buggy program writes through p.data.buffer outside p's view, over opt's step table.
    const row = stepTableRow(p);
    new Uint32Array(p.data.buffer)[row + 1] = p.data.buffer.byteLength - 8; // param pointer: 3 f64 would run past the end
    let error: unknown;
    try {
      opt.step();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DownhillError);
    expect((error as DownhillError).code).toBe("WASM_FAULT");
    expect((error as Error).message).toMatch(/The sgd step was refused by the WebAssembly module: a buffer outside WebAssembly memory/);
    expect(p.toArray()).toEqual(afterOneStep); // the module refused before writing
    // From now on the optimizer says why it cannot be used; dispose still frees it.
    for (const use of [() => opt.step(), () => opt.stateDict(), () => opt.state(0), () => opt.zeroGrad(), () => opt.setOptions({ lr: 1 }), () => opt.loadStateDict({})]) {
      expect(use).toThrow(expect.objectContaining({ code: "WASM_FAULT", message: expect.stringMatching(/This SGD optimizer is unusable: a kernel call failed during step 2 .*dispose\(\) it and create a new optimizer/) }));
    }
    // Another optimizer is unaffected: step 2 of momentum 0.9 with gradient 1 moves by 0.1 · 1.9.
    otherOpt.step();
    expect(other.toArray()).toEqual(afterOneStep.map((v) => v - 0.1 * (0.9 * 1 + 1)));
    // A new optimizer over the same parameter works.
    const fresh = new SGD([p], { lr: 0.5 });
    fresh.step();
    expect(p.toArray()).toEqual(afterOneStep.map((v) => v - 0.5));
    for (const x of [fresh, opt, opt, otherOpt, p, other]) x.dispose();
    expect(memoryUsage().liveBytes).toBe(baseline);
  });

  it("a bound dataset whose targets were overwritten from outside: WASM_FAULT, unusable after; the model binds again and trains", async () => {
    const labels = [0, 1, 2, 0, 1, 2, 1, 0];
    const data = toDataset(labels.map((c, i) => [c + 0.1 * i, 1 - c]), labels);
    const model = new SoftmaxRegression({ backend: "wasm", classes: 3 });
    const bound = model.bind(data);
    const spare = model.bind(data);
    const rows = Uint32Array.from(labels, (_, i) => i);
    const value = bound.lossAndGradient(rows, 0, 8);
    expect(value).toBeCloseTo(Math.log(3), 14); // zero weights: uniform probabilities
    // Find the bound copy of y (the class indices as f64) and write a class that does not exist.
    const [w] = model.parameters();
    const f64 = new Float64Array(w!.data.buffer);
    const copies: number[] = [];
    for (let i = 0; i + labels.length <= f64.length; i++) if (labels.every((c, k) => f64[i + k] === c)) copies.push(i);
    expect(copies.length).toBeGreaterThan(0);
    for (const at of copies) f64[at] = 7;
    expect(() => bound.lossAndGradient(rows, 0, 8)).toThrow(expect.objectContaining({ code: "WASM_FAULT", message: expect.stringMatching(/an invalid argument/) }));
    expect(() => bound.loss()).toThrow(expect.objectContaining({ code: "WASM_FAULT", message: expect.stringMatching(/This bound dataset is unusable/) }));
    expect(() => spare.loss()).toThrow(expect.objectContaining({ code: "WASM_FAULT" })); // its copy was overwritten too: refused, not read
    bound.dispose();
    spare.dispose();
    // The model itself is fine: a new binding trains it.
    const result = await fit(model, data, { optimizer: "sgd", optimizerOptions: { lr: 0.5 }, batchSize: 8, epochs: 30, tol: null });
    expect(result.history.at(-1)!.trainLoss).toBeLessThan(Math.log(3));
    model.dispose();
  });

  it("a fused fit whose step table is overwritten between epochs: WASM_FAULT before any write; the optimizer is unusable, the weights are those of the last epoch", async () => {
    const X = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
    const data = toDataset(X, X.map(([a, b]) => 2 * a! - b! + 0.5));
    const train = (epochs: number, corrupt: boolean) => {
      const model = new LinearRegression({ backend: "wasm", features: 2 });
      const optimizer = new SGD(model.parameters(), { lr: 0.1, momentum: 0.5 });
      const [w] = model.parameters();
      const run = fit(model, data, {
        optimizer, batchSize: 8, epochs, seed: 1, tol: null,
        onEpoch: () => {
          // The state exists once the first epoch has stepped: overwrite w's param pointer.
          if (corrupt) new Uint32Array(w!.data.buffer)[stepTableRow(w!) + 1] = w!.data.buffer.byteLength - 8;
        },
      });
      return { model, optimizer, run };
    };
    const once = train(1, false);
    await once.run;
    const faulty = train(3, true);
    await expect(faulty.run).rejects.toMatchObject({ code: "WASM_FAULT", message: expect.stringMatching(/Training steps was refused by the WebAssembly module: a buffer outside WebAssembly memory/) });
    expect([...faulty.model.weights, faulty.model.bias]).toEqual([...once.model.weights, once.model.bias]);
    expect(() => faulty.optimizer.step()).toThrow(expect.objectContaining({ code: "WASM_FAULT", message: expect.stringMatching(/This SGD optimizer is unusable/) }));
    for (const x of [once.model, once.optimizer, faulty.model, faulty.optimizer]) x.dispose();
  });

  it("a trap in an export becomes WASM_FAULT with the trap as its cause, and the module instance keeps working", () => {
    // (module (func (export "trap") unreachable))
    const trapBytes = Uint8Array.of(0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 8, 1, 4, 116, 114, 97, 112, 0, 0, 10, 5, 1, 3, 0, 0, 11);
    const trap = new WebAssembly.Instance(new WebAssembly.Module(trapBytes), {}).exports["trap"] as () => void;
    expect(trap).toThrow(WebAssembly.RuntimeError);
    const instance = new WebAssembly.Instance(compileDownhill(), {});
    const abi = bind({ exports: { ...instance.exports, dh_sgd_step_f64: trap } } as unknown as WebAssembly.Instance);
    const x = new WasmStorage(abi, "f64", 4);
    x.array.set([1, 2, 3, 4]);
    let error: unknown;
    try {
      abi.step("sgd", "f64")(x.ptr, 1, new Float64Array(8), 0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DownhillError);
    expect((error as DownhillError).code).toBe("WASM_FAULT");
    expect((error as Error).message).toMatch(/The sgd step trapped in the WebAssembly module \(unreachable\)/);
    expect((error as Error).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    // The instance survived the trap: allocation, reductions and frees work.
    expect(abi.reduce("sum_of_squares", "f64")(x.ptr, 4)).toBe(30);
    const y = new WasmStorage(abi, "f32", 3);
    y.array.set([3, 4, 0]);
    expect(abi.reduce("sum_of_squares", "f32")(y.ptr, 3)).toBe(25);
    x.dispose();
    y.dispose();
    expect(abi.liveBytes()).toBe(8); // only the result slot bind() keeps
  });
});
