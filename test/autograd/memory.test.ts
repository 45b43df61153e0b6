/**
 * Tensors on the wasm backend live in WebAssembly memory and are freed deterministically:
 * by dispose(), by tidy() (every tensor created inside except those returned or kept, in
 * nested scopes, also when the scope throws), and backward() frees its temporaries; the
 * FinalizationRegistry reclaims forgotten ones after garbage collection.
 */
import { describe, expect, it } from "vitest";
import { keep, memoryUsage, tensor, tidy, type Tensor } from "../../ts/index.ts";

const live = () => memoryUsage().liveBytes;

describe("autograd memory (wasm)", () => {
  it("a training loop of 10 000 tidy iterations returns live bytes and memory size to where they were", () => {
    const w = tensor([[0.1, -0.2], [0.3, 0.05], [-0.1, 0.2]], { backend: "wasm", requiresGrad: true });
    const b = tensor([0, 0], { backend: "wasm", requiresGrad: true });
    const x = [[1, 2, 3], [0.5, -1, 2], [3, 0, -1], [-2, 1, 1]];
    const y = tensor([[1, 0], [0, 1], [1, 1], [0, 0]], { backend: "wasm" });
    const step = () =>
      tidy(() => {
        const logits = tensor(x, { backend: "wasm" }).matmul(w).add(b);
        const loss = logits.sigmoid().sub(y).pow(2).mean().add(w.abs().sum().mul(1e-3)).add(logits.softplus().mean(0).sum());
        w.zeroGrad();
        b.zeroGrad();
        loss.backward();
        // A plain gradient step through the views: the update itself allocates nothing.
        w.data.forEach((v, i, a) => (a[i] = v - 0.1 * w.grad!.data[i]!));
        return loss.item();
      });
    const first = step(); // allocates w.grad and b.grad once
    const before = memoryUsage();
    let last = first;
    for (let i = 0; i < 10_000; i++) last = step();
    const after = memoryUsage();
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.memoryBytes).toBe(before.memoryBytes);
    expect(last).toBeLessThan(first); // it did train
    for (const t of [w, b, y]) t.dispose();
  });

  it("bytes are counted while a tensor lives; dispose() frees them, with the gradient and hidden constants", () => {
    const before = live();
    const x = tensor(new Float64Array(1000), { backend: "wasm", requiresGrad: true });
    expect(live() - before).toBe(8000);
    const y = x.mul(2); // holds a constant 2 (one f64)
    expect(live() - before).toBe(8000 + 8000 + 8);
    const loss = y.mean(); // holds its sum and the count
    loss.backward(); // temporaries freed; x.grad allocated
    expect(live() - before).toBe(8000 + 8000 + 8 + (8 + 8 + 8) + 8000);
    for (const t of [loss, y, x]) t.dispose();
    expect(live()).toBe(before);
    const f32 = tensor(new Float32Array(10), { backend: "wasm" });
    expect(live() - before).toBe(40);
    f32.dispose();
    expect(live()).toBe(before);
  });

  it("tidy() keeps what it returns (in arrays and objects) for the enclosing scope, and keep() for good", () => {
    const before = live();
    let inner: Tensor | null = null;
    let kept: Tensor | null = null;
    let dropped: Tensor | null = null;
    const outer = tidy(() => {
      const result = tidy(() => {
        dropped = tensor([1, 2], { backend: "wasm" });
        kept = keep(tensor([3], { backend: "wasm" }));
        inner = dropped.mul(3);
        return { values: [inner], label: "x" };
      });
      expect(dropped!.disposed).toBe(true);
      expect(result.values[0]!.disposed).toBe(false);
      return result.values[0]!.add(1);
    });
    expect(inner!.disposed).toBe(true); // returned by the inner scope, freed by the outer one
    expect(outer.toArray()).toEqual([4, 7]);
    expect(kept!.disposed).toBe(false);
    outer.dispose();
    kept!.dispose();
    expect(live()).toBe(before);
  });

  it("a scope that throws frees what it created and rethrows", () => {
    const before = live();
    let made: Tensor | null = null;
    expect(() =>
      tidy(() => {
        made = tensor([1, 2, 3], { backend: "wasm" }).exp();
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(made!.disposed).toBe(true);
    expect(live()).toBe(before);
  });

  it("views are re-created after memory grows", () => {
    const x = tensor([1, 2, 3], { backend: "wasm" });
    const old = x.data;
    const size = memoryUsage().memoryBytes;
    const big = tensor(new Float64Array(4 * 1024 * 1024), { backend: "wasm" }); // 32 MiB of values
    const again = tensor(new Float64Array(4 * 1024 * 1024), { backend: "wasm" });
    expect(memoryUsage().memoryBytes).toBeGreaterThan(size);
    expect(old.length).toBe(0);
    expect(Array.from(x.data)).toEqual([1, 2, 3]);
    expect(tidy(() => x.add(1).toArray())).toEqual([2, 3, 4]);
    for (const t of [big, again, x]) t.dispose();
  });

  it("a tensor made from another tensor's view copies it even when the allocation grows memory", () => {
    const values = Float64Array.from({ length: 3 * 1024 * 1024 }, (_, i) => i % 7);
    const source = tensor(values, { backend: "wasm" });
    const size = memoryUsage().memoryBytes;
    const copies = [tensor(source.data, { backend: "wasm" }), tensor(source.data, { backend: "wasm" })];
    expect(memoryUsage().memoryBytes).toBeGreaterThan(size); // at least one allocation grew memory
    for (const copy of copies) {
      expect(copy.size).toBe(values.length);
      expect(copy.data[5]).toBe(5);
      expect(copy.data[values.length - 1]).toBe((values.length - 1) % 7);
    }
    for (const t of [...copies, source]) t.dispose();
  });

  it("tensors never disposed are reclaimed after garbage collection", async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, "run with --expose-gc (vitest.config.ts sets it)").toBeTypeOf("function");
    const before = live();
    (() => {
      for (let i = 0; i < 200; i++) {
        const x = tensor(new Float64Array(1000), { backend: "wasm", requiresGrad: true });
        x.tanh().sum().backward();
      }
    })();
    expect(live()).toBeGreaterThan(before + 200 * 8000);
    for (let round = 0; round < 20 && live() > before; round++) {
      gc!();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(live()).toBe(before);
  });
});
