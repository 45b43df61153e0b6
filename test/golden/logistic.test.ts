/**
 * Logistic regression converges to the optimum torch.optim.LBFGS finds for the same
 * penalized objective (test/golden/generate_logistic.py): mean BCE-with-logits +
 * l2·Σw², bias not penalized, on a fixed non-separable dataset.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { LogisticRegression, fit, toDataset } from "../../ts/index.ts";

const fixture = JSON.parse(readFileSync(new URL("logistic.json", import.meta.url), "utf8")) as {
  l2: number;
  X: number[][];
  y: number[];
  weights: number[];
  bias: number;
  loss: number;
  gradNorm: number;
};

describe.each(["wasm", "ts"] as const)("logistic regression on %s", (backend) => {
  it("full-batch gradient descent reaches torch's L-BFGS optimum", async () => {
    expect(fixture.gradNorm).toBeLessThan(1e-8);
    const data = toDataset(fixture.X, fixture.y);
    const model = new LogisticRegression({ penalty: { l2: fixture.l2 }, backend });
    const result = await fit(model, data, { optimizer: "sgd", optimizerOptions: { lr: 1 }, batchSize: data.n, epochs: 3000, shuffle: false, tol: null });
    expect(result.reason).toBe("maxIter");
    Array.from(model.weights).forEach((w, j) => expect(Math.abs(w - fixture.weights[j]!)).toBeLessThan(1e-12));
    expect(Math.abs((model.bias as number) - fixture.bias)).toBeLessThan(1e-12);
    const bound = model.bind(data);
    expect(Math.abs(bound.loss() - fixture.loss)).toBeLessThan(1e-12);
    bound.dispose();
    model.dispose();
  });
});
