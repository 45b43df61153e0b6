/**
 * When the WebAssembly module cannot load (an engine without SIMD, say), downhill warns
 * once and runs everything on the ts backend, with the same results.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../../ts/backend/wasm/load.ts", () => ({
  loadAbi: () => {
    throw new WebAssembly.CompileError("WebAssembly.Module(): invalid opcode 0xfd (SIMD unsupported)");
  },
  loadedAbi: () => null,
}));

const { Parameter, SGD, getBackend, init, memoryUsage } = await import("../../ts/index.ts");

describe("fallback to the ts backend", () => {
  it("warns once, reports ts, and still optimizes", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    expect(await init()).toBe("ts");
    expect(getBackend()).toBe("ts");
    const p = Parameter.from(new Float64Array([1, 2]), { backend: "wasm" });
    expect(p.backend).toBe("ts");
    const opt = new SGD([p], { lr: 0.5 });
    expect(opt.backend).toBe("ts");
    p.grad.set([1, 1]);
    opt.step();
    expect(p.toArray()).toEqual([0.5, 1.5]);
    expect(memoryUsage()).toEqual({ liveBytes: 0, memoryBytes: 0, workers: 0 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/WebAssembly backend could not load \(.*SIMD unsupported\)\); using the TypeScript backend/);
    warn.mockRestore();
  });
});
