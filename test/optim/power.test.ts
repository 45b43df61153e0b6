/**
 * ts/optim/power.ts: β^t step after step, against the exact power rounded to the nearest
 * double (computed here with BigInt arithmetic, independently of the double-double), and
 * the same value whatever was asked before.
 */
import { describe, expect, it } from "vitest";
import { Adam, AdamW, Adamax, NAdam, Parameter, RAdam, type Optimizer } from "../../ts/index.ts";
import { SCALARS } from "../../ts/kernels/optim/kernel.ts";
import { Power } from "../../ts/optim/power.ts";

/** `x` (a positive normal double) as m · 2^e with m a 53-bit integer. */
function decompose(x: number): { m: bigint; e: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  return { m: (bits & ((1n << 52n) - 1n)) | (1n << 52n), e: exponent - 1075 };
}

/** num · 2^exp (num > 0) rounded to the nearest double, ties to even; the result must be normal. */
function nearest(num: bigint, exp: number): number {
  const shift = num.toString(2).length - 53;
  if (shift <= 0) return Number(num) * 2 ** exp;
  const q = num >> BigInt(shift);
  const r = num - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  const m = r > half || (r === half && (q & 1n) === 1n) ? q + 1n : q;
  // m < 2^54 and exp + shift ≥ −1074 − 53 here: both factors are exact doubles.
  return Number(m) * 2 ** (exp + shift);
}

/** base^1 … base^steps exactly, each rounded to the nearest double (while normal). */
function exactPowers(base: number, steps: number): number[] {
  const { m, e } = decompose(base);
  const out: number[] = [];
  let num = 1n;
  for (let t = 1; t <= steps; t++) {
    num *= m;
    const value = nearest(num, e * t);
    if (!(value >= 2 ** -1000)) break;
    out.push(value);
  }
  return out;
}

describe("Power: β^t as the nearest double, one double-double product per step", () => {
  for (const base of [0.9, 0.999, 0.99, 0.95, 0.9999, 0.8, 0.3]) {
    it(`β = ${base}: every step up to 2 000 (or until 2⁻¹⁰⁰⁰) is the exactly rounded power`, () => {
      const exact = exactPowers(base, 2000);
      const power = new Power();
      const got = exact.map((_, i) => power.of(base, i + 1));
      const wrong = got.flatMap((v, i) => (v === exact[i] ? [] : [i + 1]));
      expect(wrong).toEqual([]);
      expect(exact.length).toBeGreaterThan(500);
    });
  }

  for (const base of [0.9, 0.999, 0.95]) {
    it(`β = ${base}: the same exactly rounded powers reached by squaring (a fresh Power per step, and β changing every step)`, () => {
      const exact = exactPowers(base, 2000);
      const fresh = exact.flatMap((v, i) => (new Power().of(base, i + 1) === v ? [] : [i + 1]));
      expect(fresh).toEqual([]);
      // A schedule cycling β₁ (OneCycleLR) asks for another base at every step.
      const other = exactPowers(0.5, 2000);
      const cycling = new Power();
      const wrong: number[] = [];
      for (let t = 1; t <= 1000; t++) {
        if (cycling.of(base, t) !== exact[t - 1]) wrong.push(t);
        if (cycling.of(0.5, t) !== other[t - 1]) wrong.push(-t);
      }
      expect(wrong).toEqual([]);
    });
  }

  it("jumps far ahead in a few products: β = 1 − 2⁻⁵⁰ at t = 2⁴⁰ (a restored optimizer)", () => {
    // Walking 2⁴⁰ products would not finish; e^(t·ln β) is within a few units of it here.
    const base = 1 - 2 ** -50;
    const t = 2 ** 40;
    const expected = Math.exp(t * Math.log1p(-(2 ** -50)));
    expect(Math.abs(new Power().of(base, t) / expected - 1)).toBeLessThan(1e-13);
    expect(Math.abs(new Power().of(base, t + 3) / expected - 1)).toBeLessThan(1e-13);
  });

  it("0.9^4 is Python's 0.9 ** 4, 0.6561 (V8's `**` gives 0.6561000000000001)", () => {
    const exact = exactPowers(0.9, 4)[3]!;
    // Python: 0.9 ** 4 == 0.6561 (C's pow, correctly rounded here).
    expect(exact).toBe(0.6561);
    expect(new Power().of(0.9, 4)).toBe(0.6561);
  });

  it("gives each step the same value whatever was asked before: going back, jumping, another base", () => {
    const sequential = new Power();
    const values = Array.from({ length: 300 }, (_, i) => sequential.of(0.999, i + 1));
    const wandering = new Power();
    for (const t of [5, 300, 1, 299, 150, 151, 152, 7]) {
      expect(wandering.of(0.999, t)).toBe(values[t - 1]);
      expect(wandering.of(0.9, t)).toBe(new Power().of(0.9, t));
    }
    expect(new Power().of(0.999, 0)).toBe(1);
    expect(new Power().of(0, 3)).toBe(0);
  });
});

describe("the Adam family's bias corrections are these powers (torch's `1 - beta ** step` in Python floats)", () => {
  const steps = 400;
  const p1 = exactPowers(0.9, steps);
  const p2 = exactPowers(0.999, steps);
  /** The scalars each optimizer prepares for steps 1 … `steps` (fusedSteps fills them, then nothing runs). */
  function prepared(make: (p: Parameter) => { fusedSteps: Optimizer<object>["fusedSteps"]; dispose(): void }): Float64Array {
    const p = Parameter.zeros(3, { dtype: "f64" });
    const optimizer = make(p);
    const scalars = new Float64Array(steps * SCALARS);
    optimizer.fusedSteps(steps, scalars, new Uint32Array(steps), () => 0);
    optimizer.dispose();
    p.dispose();
    return scalars;
  }
  const at = (s: Float64Array, t: number, k: number): number => s[(t - 1) * SCALARS + k]!;
  const lr = 0.01;

  it("Adam and AdamW: −lr / (1 − β₁^t) and √(1 − β₂^t)", () => {
    for (const make of [(p: Parameter) => new Adam([p], { lr }), (p: Parameter) => new AdamW([p], { lr })]) {
      const s = prepared(make);
      for (let t = 1; t <= steps; t++) {
        expect([at(s, t, 4), at(s, t, 5)]).toEqual([-(lr / (1 - p1[t - 1]!)), Math.sqrt(1 - p2[t - 1]!)]);
      }
    }
  });

  it("Adamax: −lr / (1 − β₁^t); NAdam: 1 − β₂^t; RAdam: 1 − β₁^t, √(1 − β₂^t) and its rectification from β₂^t", () => {
    const adamax = prepared((p) => new Adamax([p], { lr }));
    const nadam = prepared((p) => new NAdam([p], { lr }));
    const radam = prepared((p) => new RAdam([p], { lr }));
    const rhoInf = 2 / (1 - 0.999) - 1;
    for (let t = 1; t <= steps; t++) {
      expect(at(adamax, t, 4)).toBe(-(lr / (1 - p1[t - 1]!)));
      expect(at(nadam, t, 3)).toBe(1 - p2[t - 1]!);
      expect([at(radam, t, 4), at(radam, t, 6)]).toEqual([1 - p1[t - 1]!, Math.sqrt(1 - p2[t - 1]!)]);
      const rhoT = rhoInf - (2 * t * p2[t - 1]!) / (1 - p2[t - 1]!);
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      expect(at(radam, t, 7)).toBe(rect);
    }
  });
});
