/**
 * Every Rust kernel has a TypeScript twin at the same path (crate/src/X.rs ↔
 * ts/kernels/X.ts), and the constants both sides share have the same values.
 */
import { readFileSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { KERNELS, KERNEL_NAMES } from "../ts/kernels/optim/index.ts";
import * as kernel from "../ts/kernels/optim/kernel.ts";

const root = new URL("../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const stems = (dir: string, ext: string) =>
  readdirSync(new URL(dir, root))
    .filter((f) => f.endsWith(ext))
    .map((f) => f.slice(0, -ext.length));

describe("twins", () => {
  for (const dir of ["optim", "loss", "model", "tensor"]) {
    it(`crate/src/${dir} and ts/kernels/${dir} hold the same kernels`, () => {
      const rust = stems(`crate/src/${dir}/`, ".rs").filter((s) => s !== "mod");
      const ts = stems(`ts/kernels/${dir}/`, ".ts").filter((s) => s !== "index" && s !== "kernel");
      expect(rust.length).toBeGreaterThan(0);
      expect(ts.sort()).toEqual(rust.sort());
      const declared = [...read(`crate/src/${dir}/mod.rs`).matchAll(/pub mod (\w+);/g)].map((m) => m[1]);
      expect(declared.sort()).toEqual(rust.sort());
    });
  }

  /** Functions of a twin pair: Rust's `pub fn`s camelCased; TS's exports without their F32/F64 suffix. */
  const functions = (stem: string) => ({
    rust: [...new Set([...read(`crate/src/${stem}.rs`).matchAll(/^pub fn (\w+)/gm)].map((m) => m[1]!.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())))].sort(),
    ts: [...new Set([...read(`ts/kernels/${stem}.ts`).matchAll(/^export function (\w+)/gm)].map((m) => m[1]!.replace(/F(32|64)$/, "")))].sort(),
  });

  for (const stem of ["reduce", "clip"]) {
    it(`crate/src/${stem}.rs and ts/kernels/${stem}.ts define the same kernels and constants`, () => {
      const { rust, ts } = functions(stem);
      expect(rust.length).toBeGreaterThan(0);
      expect(ts).toEqual(rust);
      const rustConsts = Object.fromEntries([...read(`crate/src/${stem}.rs`).matchAll(/^pub const (\w+): usize = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
      const tsConsts = Object.fromEntries([...read(`ts/kernels/${stem}.ts`).matchAll(/^export const (\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
      expect(tsConsts).toEqual(rustConsts);
      expect(read("crate/src/lib.rs")).toContain(`pub mod ${stem};`);
    });
  }

  it("every reduction and in-place update is exported by the crate for f32 and f64 and bound in abi.ts", () => {
    const abi = read("crate/src/abi.rs");
    const bindings = read("ts/backend/wasm/abi.ts");
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    for (const name of functions("reduce").rust.map(snake)) {
      expect(abi).toContain(`reduce_exports!(${name}, dh_${name}_f32, dh_${name}_f64);`);
      expect(bindings).toContain(`"${name}"`);
    }
    for (const name of functions("clip").rust.map(snake)) {
      for (const dtype of ["f32", "f64"]) expect(abi).toContain(`pub extern "C" fn dh_${name}_${dtype}(`);
    }
  });

  it("crate/src/rng.rs and ts/kernels/rng.ts define the same generator, exported by the crate and bound in abi.ts", () => {
    const { rust, ts } = functions("rng");
    expect(rust).toEqual(["below", "nextU32", "seed", "shuffle", "splitmix32", "uniform"]);
    expect(ts).toEqual(rust);
    const gamma = (text: string) => Number(/GOLDEN_GAMMA(?::\s*u32)?\s*=\s*(0x[0-9a-f_]+);/i.exec(text)?.[1]?.replace(/_/g, ""));
    expect(gamma(read("crate/src/rng.rs"))).toBe(gamma(read("ts/kernels/rng.ts")));
    expect(gamma(read("ts/kernels/rng.ts"))).toBe(0x9e3779b9);
    expect(read("crate/src/lib.rs")).toContain("pub mod rng;");
    const abi = read("crate/src/abi.rs");
    const bindings = read("ts/backend/wasm/abi.ts");
    for (const name of rust.filter((f) => f !== "splitmix32")) {
      const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      expect(abi).toContain(`pub extern "C" fn dh_rng_${snake}(`);
      expect(bindings).toContain(`>("${snake}")`);
    }
  });

  it("crate/src/math.rs and ts/kernels/math.ts, and each loss twin, define the same functions; the crate exports them for f32 and f64", () => {
    const abi = read("crate/src/abi.rs");
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    const math = functions("math");
    expect(math.rust).toEqual(["exp", "log", "log1p"]);
    expect(math.ts).toEqual(math.rust);
    for (const name of math.rust) expect(abi).toContain(`pub extern "C" fn dh_${name}(x: f64) -> f64`);
    expect(read("crate/src/lib.rs")).toContain("pub mod math;");
    expect(read("crate/src/lib.rs")).toContain("pub mod loss;");
    const stems = readdirSync(new URL("crate/src/loss/", root)).filter((f) => f.endsWith(".rs") && f !== "mod.rs").map((f) => f.slice(0, -3));
    expect(stems.length).toBeGreaterThan(1);
    for (const stem of stems) {
      const { rust, ts } = functions(`loss/${stem}`);
      expect(rust.length, stem).toBeGreaterThan(0);
      expect(ts, stem).toEqual(rust);
      if (stem === "sum") continue;
      for (const name of rust.map(snake)) {
        for (const dtype of ["f32", "f64"]) {
          const exported = abi.includes(`pub extern "C" fn dh_${name}_${dtype}(`) || new RegExp(`_exports!\\((?:\\w+, )?${name}, dh_${name}_f32, dh_${name}_f64\\);`).test(abi);
          expect(exported, `dh_${name}_${dtype}`).toBe(true);
        }
      }
    }
  });

  it("each model twin (crate/src/model ↔ ts/kernels/model) defines the same functions and loss codes; the crate exports and abi.ts binds each model", () => {
    const abi = read("crate/src/abi.rs");
    expect(read("crate/src/lib.rs")).toContain("pub mod model;");
    for (const stem of ["affine", "linear", "logistic", "softmax"]) {
      const { rust, ts } = functions(`model/${stem}`);
      expect(rust.length, stem).toBeGreaterThan(0);
      expect(ts, stem).toEqual(rust);
      const rustConsts = Object.fromEntries([...read(`crate/src/model/${stem}.rs`).matchAll(/^pub const (\w+): u32 = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
      const tsConsts = Object.fromEntries([...read(`ts/kernels/model/${stem}.ts`).matchAll(/^export const (\w+) = (\d+);/gm)].map((m) => [m[1], Number(m[2])]));
      expect(tsConsts, stem).toEqual(rustConsts);
      if (stem === "affine") continue;
      expect(abi).toMatch(new RegExp(`model_exports!\\(Model::\\w+, dh_${stem}_f32, dh_${stem}_f64\\);`));
    }
    expect(read("ts/backend/wasm/abi.ts")).toContain("`dh_${name}_${dtype}`");
  });

  it("crate/src/model/mlp.rs and ts/kernels/model/mlp.ts define the same functions and codes; the crate exports and abi.ts binds the MLP", () => {
    const { rust, ts } = functions("model/mlp");
    expect(rust).toContain("lossAndGradient");
    expect(ts).toEqual(rust);
    const consts = (text: string, re: RegExp) => Object.fromEntries([...text.matchAll(re)].map((m) => [m[1], Number(m[2])]));
    const rustConsts = consts(read("crate/src/model/mlp.rs"), /^pub const (\w+): u32 = (\d+);/gm);
    expect(Object.keys(rustConsts).sort()).toEqual(["BINARY", "REGRESSION", "RELU", "SIGMOID", "SOFTMAX", "TANH"]);
    expect(consts(read("ts/kernels/model/mlp.ts"), /^export const (\w+) = (\d+);/gm)).toEqual(rustConsts);
    expect(read("crate/src/abi.rs")).toContain("mlp_exports!(dh_mlp_f32, dh_mlp_f64);");
    expect(read("ts/backend/wasm/abi.ts")).toContain("`dh_mlp_${dtype}`");
  });

  it("each autograd twin (crate/src/tensor ↔ ts/kernels/tensor) defines the same functions and codes; the crate exports and abi.ts binds each kernel", () => {
    const abi = read("crate/src/abi.rs");
    const bindings = read("ts/backend/wasm/abi.ts");
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    expect(read("crate/src/lib.rs")).toContain("pub mod tensor;");
    const kernels: string[] = [];
    for (const stem of ["elementwise", "matmul", "reduce", "view"]) {
      const { rust, ts } = functions(`tensor/${stem}`);
      expect(rust.length, stem).toBeGreaterThan(0);
      expect(ts, stem).toEqual(rust);
      const consts = (text: string, re: RegExp) => Object.fromEntries([...text.matchAll(re)].map((m) => [m[1], Number(m[2])]));
      expect(consts(read(`ts/kernels/tensor/${stem}.ts`), /^export const (\w+) = (\d+);/gm), stem).toEqual(consts(read(`crate/src/tensor/${stem}.rs`), /^pub const (\w+): u32 = (\d+);/gm));
      kernels.push(...rust.filter((f) => f !== "dense"));
    }
    expect(kernels.sort()).toEqual(["addStrided", "binary", "binaryBackward", "copy", "matmul", "sum", "sumAxis", "unary", "unaryBackward"]);
    for (const name of kernels.map(snake)) {
      for (const dtype of ["f32", "f64"]) expect(abi, `dh_tensor_${name}_${dtype}`).toMatch(new RegExp(`tensor_exports!\\(\\s*dh_tensor_${name}_f32, dh_tensor_${name}_f64,`));
      expect(bindings).toContain(`raw("${name}", dtype)`);
    }
  });

  it("crate/src/float.rs and ts/kernels/float.ts define the same helpers", () => {
    const rust = [...read("crate/src/float.rs").matchAll(/^pub fn (\w+)/gm)].map((m) => m[1]!.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));
    const ts = [...read("ts/kernels/float.ts").matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
    expect(rust.length).toBeGreaterThan(0);
    expect(ts.sort()).toEqual(rust.sort());
  });

  it("flags and the scalar count agree in crate/src/optim/mod.rs and ts/kernels/optim/kernel.ts", () => {
    const rust = Object.fromEntries([...read("crate/src/optim/mod.rs").matchAll(/pub const (\w+): (?:u32|usize) = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
    expect(Object.keys(rust).length).toBeGreaterThan(1);
    expect(rust).toEqual({ ...kernel });
  });

  it("every TypeScript kernel is exported by the crate for f32 and f64", () => {
    const abi = read("crate/src/abi.rs");
    for (const name of KERNEL_NAMES) {
      expect(abi).toContain(`step_exports!(${name}, ${KERNELS[name].states}, dh_${name}_step_f32, dh_${name}_step_f64);`);
    }
    expect([...abi.matchAll(/^step_exports!/gm)].length).toBe(KERNEL_NAMES.length);
  });

  it("status codes have the same meaning in crate/src/abi.rs and ts/backend/wasm/abi.ts", () => {
    const rust = [...read("crate/src/abi.rs").matchAll(/pub const (\w+): i32 = (\d+);/g)].map((m) => Number(m[2]));
    const ts = [...read("ts/backend/wasm/abi.ts").matchAll(/^ {2}(\d+): "/gm)].map((m) => Number(m[1]));
    expect(ts).toEqual(rust.filter((code) => code !== 0));
  });
});
