/**
 * The benchmark's ratios (bench/harness.ts pairedRatio) and target cells
 * (bench/targets.ts), on measurements made up here with ratios worked out by hand.
 */
import { describe, expect, it } from "vitest";
import { pairedRatio, type ContenderName, type Measurement } from "../../bench/harness.ts";
import { evaluateTargets } from "../../bench/targets.ts";

const m = (name: string, contender: ContenderName, roundsUs: number[]): Measurement => {
  const sorted = [...roundsUs].sort((a, b) => a - b);
  return { suite: "s", case: name, contender, medianUs: sorted[sorted.length >> 1]!, minUs: sorted[0]!, roundsUs, samples: roundsUs.length, bytes: 0 };
};

describe("pairedRatio", () => {
  it("is the median of the rounds' ratios, so a slow phase that slows both contenders cancels", () => {
    // Rounds 2 and 3 slow for both (×2): each round's ratio is 1.5, 1.5, 1.5, 1.4, 1.6.
    const a = m("c", "wasm", [150, 300, 300, 140, 160]);
    const b = m("c", "native", [100, 200, 200, 100, 100]);
    expect(pairedRatio(a, b)).toBe(1.5);
    // The ratio of the medians would be 160 / 100.
    expect(a.medianUs / b.medianUs).toBe(1.6);
  });

  it("falls back to the ratio of medians when the rounds do not pair up", () => {
    // Three rounds against two: the medians m() records, 20 and 5.
    expect(pairedRatio(m("c", "wasm", [30, 10, 20]), m("c", "native", [4, 5]))).toBe(4);
  });
});

describe("evaluateTargets", () => {
  const names = { gradient: (d: string) => `W2 ${d}`, seed: (d: string) => `W3 ${d}`, epoch: (d: string) => `W4 ${d}` };

  it("judges a case's cells round by round, against the faster TF.js backend by median", () => {
    const results = [
      m("W3 f32", "native", [100, 200, 100]),
      m("W3 f32", "wasm", [110, 220, 150]),
      m("W3 f32", "wasm kernels", [100, 100, 100]),
      m("W3 f32", "tfjs-wasm", [200_000, 100_000, 100_000]),
      m("W3 f32", "tfjs-cpu", [50_000, 400_000, 400_000]),
    ];
    const targets = evaluateTargets(results, names);
    const cell = (row: string, column: string) => targets.find((t) => t.row === row && t.column === column)!;
    // wasm / native per round: 1.1, 1.1, 1.5 → 1.1 (≤ 1.2).
    expect(cell("W3 f32", "downhill wasm vs native crate")).toMatchObject({ measured: 1.1, ok: true });
    // tfjs-wasm has the lower median (100 000 against 400 000): 110/200 000, 220/100 000, 150/100 000 → 0.0015 (> 1/1000).
    expect(cell("W3 f32", "downhill wasm vs best TF.js backend")).toMatchObject({ measured: 0.0015, ok: false });
    // fit() / kernels per round: 1.1, 2.2, 1.5 → 1.5 (> 1.2).
    expect(cell("W3 f32: fit() / the same loop against the kernels", "also")).toMatchObject({ measured: 1.5, ok: false });
    // Cases without times are not measured.
    expect(cell("W4 f64", "downhill wasm vs native crate")).toMatchObject({ measured: null, ok: null });
  });
});
