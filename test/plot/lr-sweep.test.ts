/**
 * plotLrSweep on a real lrSweep: gradient descent on f(x) = x², where a step multiplies
 * x by 1 − 2·lr, so every lr > 1 diverges and the loss after k steps is (1 − 2·lr)^(2k).
 * Points at the log-log mapping computed here, diverged rates as crosses in the band,
 * the suggestion ringed, and validation.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError, lrSweep, minimize, objectiveTrial } from "../../ts/index.ts";
import { plotLrSweep } from "../../ts/plot/index.ts";
import { find, parseSvg, plotArea, textOf } from "./svg-tree.ts";

const square = (x: ArrayLike<number>) => ({ value: x[0]! * x[0]!, grad: [2 * x[0]!] });
const STEPS = 5;

async function sweep() {
  return lrSweep(
    objectiveTrial((lr, { signal }) => minimize(square, [1], { optimizer: "sgd", optimizerOptions: { lr }, maxIter: STEPS, tol: null, gradientTol: 0, signal })),
    { from: 1e-3, to: 10, perDecade: 2 },
  );
}

describe("plotLrSweep", () => {
  it("draws the sweep's points at their log-log positions, diverged rates as crosses, the suggestion ringed", async () => {
    const result = await sweep();
    const diverged = result.points.filter((p) => p.diverged);
    const kept = result.points.filter((p) => !p.diverged);
    // Independently: rates above 1 grow |x|; (1 − 2·lr)^(2·STEPS) is the loss of the others.
    expect(diverged.map((p) => p.lr)).toEqual(result.rates.filter((lr) => Math.abs(1 - 2 * lr) ** (2 * STEPS) > 4));
    for (const p of kept) expect(p.loss).toBeCloseTo((1 - 2 * p.lr) ** (2 * STEPS), 12);

    const root = parseSvg(plotLrSweep([{ name: "SGD", points: result.points, suggestion: result.suggestion }], { title: "sweep" }));
    const area = plotArea(root);
    expect([area.xScale, area.yScale]).toEqual(["log", "log"]);
    const [x0, x1] = area.xDomain;
    const [y0, y1] = area.yDomain;
    const mapX = (lr: number) => area.left + ((Math.log10(lr) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * area.width;
    const mapY = (loss: number) => area.top + ((Math.log10(y1) - Math.log10(loss)) / (Math.log10(y1) - Math.log10(y0))) * area.height;
    const dots = find(root, "circle", "point");
    // (A loss of exactly 0 could not be drawn on a log axis; none of these rates reaches it.)
    const drawable = kept.filter((p) => p.loss > 0);
    expect(drawable).toHaveLength(kept.length);
    expect(dots.map((d) => Number(d.attributes["data-lr"]))).toEqual(drawable.map((p) => p.lr));
    dots.forEach((d, i) => {
      expect(Math.abs(Number(d.attributes["cx"]) - mapX(drawable[i]!.lr))).toBeLessThan(0.01);
      expect(Math.abs(Number(d.attributes["cy"]) - mapY(drawable[i]!.loss))).toBeLessThan(0.01);
      expect(Number(d.attributes["cy"])).toBeGreaterThanOrEqual(area.top);
      expect(Number(d.attributes["cy"])).toBeLessThanOrEqual(area.top + area.height);
    });
    const crosses = find(root, "path", "diverged");
    expect(crosses.map((c) => Number(c.attributes["data-lr"]))).toEqual(diverged.map((p) => p.lr));
    // Crosses sit in the band above the plot area.
    for (const c of crosses) for (const y of c.attributes["d"]!.match(/,(-?[\d.]+)/g)!.map((m) => Number(m.slice(1)))) expect(y).toBeLessThan(area.top);
    const ring = find(root, "circle", "suggestion")[0]!;
    const best = kept.find((p) => p.lr === result.suggestion)!;
    expect(Math.abs(Number(ring.attributes["cx"]) - mapX(best.lr))).toBeLessThan(0.01);
    // The best rate is 10^-0.5: |1 − 2·0.316|^10 ≈ 4.5e-5 beats 0.8^10 (lr 0.1) and 1 (lr 1).
    expect(result.suggestion).toBeCloseTo(10 ** -0.5, 10);
    expect(find(root, "g", "legend-entry").map(textOf)).toEqual(["SGD (suggested 0.316)", "diverged", "suggested rate"]);
  });

  it("takes several sweeps, one line each, and no band when nothing diverged", () => {
    const a = [1e-3, 1e-2, 1e-1].map((lr, i) => ({ lr, loss: 10 - i, diverged: false }));
    const b = [1e-3, 1e-2, 1e-1].map((lr, i) => ({ lr, loss: 5 - i, diverged: false }));
    const root = parseSvg(plotLrSweep([{ name: "a", points: a }, { name: "b", points: b, suggestion: null }]));
    expect(find(root, "g", "series").map((g) => g.attributes["data-name"])).toEqual(["a", "b"]);
    expect(find(root, "g", "diverged-band")).toHaveLength(0);
    expect(find(root, "circle", "suggestion")).toHaveLength(0);
  });

  it("is deterministic", async () => {
    const result = await sweep();
    const series = [{ name: "SGD", points: result.points, suggestion: result.suggestion }];
    expect(plotLrSweep(series)).toBe(plotLrSweep(series));
  });

  it("refuses bad input with errors that name the argument", () => {
    const points = [{ lr: 0.1, loss: 1, diverged: false }];
    const check = (f: () => unknown, type: typeof DownhillTypeError | typeof DownhillRangeError, message: RegExp) => {
      let caught: unknown;
      try {
        f();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(type);
      expect(caught).toBeInstanceOf(DownhillError);
      expect((caught as Error).message).toMatch(message);
    };
    check(() => plotLrSweep([{ name: "a", points, suggestion: 0.2 }]), DownhillRangeError, /plotLrSweep\(series\)\[0\].suggestion \(0.2\) must be the lr of one of the points that did not diverge/);
    check(() => plotLrSweep([{ name: "a", points: [{ lr: 0, loss: 1, diverged: false }] }]), DownhillRangeError, /plotLrSweep\(series\)\[0\].points\[0\].lr must be a finite number > 0; got 0/);
    check(() => plotLrSweep([{ name: "a", points: [{ lr: 1, loss: 1 }] as never }]), DownhillTypeError, /points\[0\].diverged must be true or false; got undefined/);
    check(() => plotLrSweep([{ name: "a", points: [] }]), DownhillRangeError, /plotLrSweep\(series\)\[0\].points is empty/);
    check(() => plotLrSweep([{ name: "a", points, best: 1 } as never]), DownhillTypeError, /plotLrSweep\(series\)\[0\]: unknown option "best"/);
    check(() => plotLrSweep([{ name: "a", points }], { xScale: "log" } as never), DownhillTypeError, /plotLrSweep options: unknown option "xScale"/);
  });
});
