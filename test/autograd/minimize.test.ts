/**
 * minimize() and gradCheck() with objectives written with tensors (`gradient: "autograd"`):
 * the gradient backward() gives equals the closed-form one, Rosenbrock reaches (1, 1) on
 * both backends, a least-squares fit reaches the normal equations' solution, and each
 * evaluation's tensors are freed.
 */
import { describe, expect, it } from "vitest";
import { gradCheck, memoryUsage, minimize, tensor, type Tensor } from "../../ts/index.ts";
import { beale, himmelblau, rosenbrock } from "../helpers/objectives.ts";
import { BACKENDS } from "../helpers/tensors.ts";

/** (1 − x)² + 100 (y − x²)² written with tensors. */
const rosenbrockTensor = (p: Tensor): Tensor => {
  const x = p.index(0);
  const y = p.index(1);
  return x.sub(1).pow(2).add(y.sub(x.pow(2)).pow(2).mul(100));
};

/** Beale's function: Σ_i (c_i − x + x·y^i)², i = 1…3. */
const bealeTensor = (p: Tensor): Tensor => {
  const x = p.index(0);
  const y = p.index(1);
  const term = (c: number, i: number) => x.mul(y.pow(i)).sub(x).add(c).pow(2);
  return term(1.5, 1).add(term(2.25, 2)).add(term(2.625, 3));
};

/** (x² + y − 11)² + (x + y² − 7)², both residuals in one vector. */
const himmelblauTensor = (p: Tensor): Tensor => {
  const swapped = p.reshape([2, 1]).transpose().matmul(tensor([[0, 1], [1, 0]], { backend: p.backend })); // [y, x]
  return p.pow(2).add(swapped).sub(tensor([11, 7], { backend: p.backend })).pow(2).sum();
};

const CASES = [
  [rosenbrock, rosenbrockTensor],
  [beale, bealeTensor],
  [himmelblau, himmelblauTensor],
] as const;

describe.each(BACKENDS)("autograd objectives (%s)", (backend) => {
  it.each(CASES.map(([fn, tf]) => [fn.name, fn, tf] as const))("%s: backward()'s gradient is the closed form's, and gradCheck passes", (_, fn, tf) => {
    for (const x of [fn.x0, [0.3, -0.7], [2.2, 1.4]]) {
      const check = gradCheck(tf, x, { gradient: "autograd", backend });
      expect(check.ok).toBe(true);
      const { value, grad } = fn.f(x);
      check.analytic.forEach((g, i) => expect(Math.abs(g - grad[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(grad[i]!))));
      let seen = NaN;
      gradCheck((p: Tensor) => {
        const out = tf(p);
        if (Number.isNaN(seen)) seen = out.item(); // the first call is at x
        return out;
      }, x, { gradient: "autograd", backend });
      expect(Math.abs(seen - value)).toBeLessThanOrEqual(1e-12 * Math.max(1, value));
    }
  });

  it("gradCheck works in f32 with looser tolerances", () => {
    const check = gradCheck(rosenbrockTensor, new Float32Array([-1.5, 2]), { gradient: "autograd", backend, atol: 1e-2, rtol: 1e-2 });
    expect(check.ok).toBe(true);
    const { grad } = rosenbrock.f([-1.5, 2]);
    check.analytic.forEach((g, i) => expect(Math.abs(g - grad[i]!)).toBeLessThanOrEqual(1e-5 * Math.abs(grad[i]!)));
  });

  it("minimize (L-BFGS) reaches Rosenbrock's minimum (1, 1) and frees every tensor of every evaluation", async () => {
    await minimize(rosenbrockTensor, [0, 0], { gradient: "autograd", backend, maxIter: 2 }); // the module is loaded, memory grown
    const before = memoryUsage().liveBytes;
    const result = await minimize(rosenbrockTensor, [-1.5, 2], { gradient: "autograd", backend });
    expect(memoryUsage().liveBytes).toBe(before);
    expect(result.reason).toBe("converged");
    expect(Math.abs(result.x[0]! - 1)).toBeLessThan(1e-6);
    expect(Math.abs(result.x[1]! - 1)).toBeLessThan(1e-6);
    // The same run with the closed-form gradient takes a path within rounding of this one.
    const closed = await minimize(rosenbrock.f, [-1.5, 2]);
    expect(Math.abs(result.iterations - closed.iterations)).toBeLessThanOrEqual(2);
  });

  it("minimize with Adam and an f32 x0 works on tensors of x's dtype", async () => {
    let dtype = "";
    const result = await minimize((p: Tensor) => {
      dtype = p.dtype;
      return p.sub(tensor([3, -1], { backend, dtype: p.dtype })).pow(2).sum();
    }, new Float32Array([0, 0]), { gradient: "autograd", optimizer: "adam", optimizerOptions: { lr: 0.1 }, maxIter: 2000, gradientTol: 1e-3, backend });
    expect(dtype).toBe("f32");
    expect(result.x).toBeInstanceOf(Float32Array);
    expect(Math.abs(result.x[0]! - 3)).toBeLessThan(1e-3);
    expect(Math.abs(result.x[1]! + 1)).toBeLessThan(1e-3);
  });

  it("a least-squares fit with data tensors made outside the objective reaches the normal equations' solution", async () => {
    // y = 2 + 3·t − 0.5·t² sampled with a known perturbation; solve for (a, b, c).
    const ts = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5];
    const noise = ts.map((_, i) => 0.05 * Math.sin(3 * i));
    const rows = ts.map((t) => [1, t, t * t]);
    const target = ts.map((t, i) => 2 + 3 * t - 0.5 * t * t + noise[i]!);
    const X = tensor(rows, { backend });
    const y = tensor(target, { backend });
    const result = await minimize((w: Tensor) => X.matmul(w).sub(y).pow(2).mean(), [0, 0, 0], { gradient: "autograd", backend, gradientTol: 1e-12 });
    // Normal equations XᵀX w = Xᵀy, solved by Gaussian elimination in plain JavaScript.
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[i]! * r[j]!, 0)));
    const rhs = [0, 1, 2].map((i) => rows.reduce((s, r, k) => s + r[i]! * target[k]!, 0));
    for (let c = 0; c < 3; c++) {
      for (let r = c + 1; r < 3; r++) {
        const f = A[r]![c]! / A[c]![c]!;
        for (let k = c; k < 3; k++) A[r]![k]! -= f * A[c]![k]!;
        rhs[r]! -= f * rhs[c]!;
      }
    }
    const w = [0, 0, 0];
    for (let r = 2; r >= 0; r--) w[r] = (rhs[r]! - [0, 1, 2].slice(r + 1).reduce((s, k) => s + A[r]![k]! * w[k]!, 0)) / A[r]![r]!;
    result.x.forEach((v, i) => expect(Math.abs(v - w[i]!)).toBeLessThan(1e-8));
    X.dispose();
    y.dispose();
  });
});
