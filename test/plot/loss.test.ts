/**
 * plotLoss: well-formed SVG, one line per series, points where the log (or linear)
 * mapping computed here puts them, decade ticks, gaps for values a log scale cannot
 * show, determinism, and validation.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError } from "../../ts/index.ts";
import { plotLoss } from "../../ts/plot/index.ts";
import { find, parseSvg, pathPieces, plotArea, textOf } from "./svg-tree.ts";

const decay = (n: number, rate: number, start: number) => Array.from({ length: n }, (_, k) => start * Math.exp(-rate * k));

describe("plotLoss", () => {
  it("writes a well-formed SVG with one line and one legend entry per series", () => {
    const svg = plotLoss(
      [
        { name: "SGD", values: decay(200, 0.02, 1e3) },
        { name: "Adam <fast> & \"sure\"", values: decay(200, 0.05, 1e3) },
        { name: "Momentum", values: Float64Array.from(decay(150, 0.04, 5e2)) },
      ],
      { title: "Loss & friends" },
    );
    const root = parseSvg(svg);
    expect(root.name).toBe("svg");
    expect(root.attributes["xmlns"]).toBe("http://www.w3.org/2000/svg");
    const series = find(root, "path", "series");
    expect(series.map((s) => s.attributes["data-name"])).toEqual(["SGD", 'Adam <fast> & "sure"', "Momentum"]);
    expect(series.map((s) => s.attributes["data-points"])).toEqual(["200", "200", "150"]);
    expect(new Set(series.map((s) => s.attributes["stroke"])).size).toBe(3);
    expect(find(root, "g", "legend-entry").map(textOf)).toEqual(["SGD", 'Adam <fast> & "sure"', "Momentum"]);
    expect(textOf(find(root, "text", "title")[0]!)).toBe("Loss & friends");
    expect(textOf(find(root, "text", "x-label")[0]!)).toBe("iteration");
  });

  it("places every point where the log-scale mapping puts it", () => {
    const values = [100, 10, 1, 0.1, 0.01, 0.5, 3];
    const svg = plotLoss([{ name: "a", values }], { yDomain: [0.01, 100], xDomain: [0, 6], width: 700, height: 450 });
    const root = parseSvg(svg);
    const area = plotArea(root);
    expect(area.yScale).toBe("log");
    expect(area.yDomain).toEqual([0.01, 100]);
    expect(area.xDomain).toEqual([0, 6]);
    const [piece] = pathPieces(find(root, "path", "series")[0]!.attributes["d"]!);
    expect(piece).toHaveLength(values.length);
    values.forEach((v, k) => {
      const x = area.left + (k / 6) * area.width;
      const y = area.top + ((Math.log10(100) - Math.log10(v)) / (Math.log10(100) - Math.log10(0.01))) * area.height;
      expect(Math.abs(piece![k]![0] - x)).toBeLessThan(0.02);
      expect(Math.abs(piece![k]![1] - y)).toBeLessThan(0.02);
    });
    // Ticks: the decades, each at its mapped height, labelled 10ⁿ.
    const ticks = find(find(root, "g", "y-axis")[0]!, "g", "tick");
    expect(ticks.map((t) => Number(t.attributes["data-value"]))).toEqual([0.01, 0.1, 1, 10, 100]);
    expect(ticks.map(textOf)).toEqual(["10⁻²", "10⁻¹", "1", "10", "10²"]);
    for (const t of ticks) {
      const v = Number(t.attributes["data-value"]);
      const y = Number(/translate\([^,]+,([^)]+)\)/.exec(t.attributes["transform"]!)![1]);
      expect(Math.abs(y - (area.top + ((2 - Math.log10(v)) / 4) * area.height))).toBeLessThan(0.01);
    }
  });

  it("maps linearly with yScale linear, and on a log x axis with xScale log", () => {
    const linear = parseSvg(plotLoss([{ name: "a", values: [0, 5, 10] }], { yScale: "linear", yDomain: [0, 10], xDomain: [0, 2] }));
    const area = plotArea(linear);
    const [piece] = pathPieces(find(linear, "path", "series")[0]!.attributes["d"]!);
    expect(piece!.map(([, y]) => y)).toEqual([area.top + area.height, area.top + area.height / 2, area.top].map((v) => Math.round(v * 100) / 100));
    const logX = parseSvg(plotLoss([{ name: "a", values: [1, 2, 3], x: [1, 10, 100] }], { xScale: "log", yDomain: [1, 3] }));
    const a2 = plotArea(logX);
    expect(a2.xScale).toBe("log");
    const [p2] = pathPieces(find(logX, "path", "series")[0]!.attributes["d"]!);
    // Without xDomain a log x axis keeps the data's range: 1 … 100 spans the width.
    expect(p2!.map(([x]) => x)).toEqual([a2.left, a2.left + a2.width / 2, a2.left + a2.width].map((v) => Math.round(v * 100) / 100));
  });

  it("the default loss axis covers the data, rounded out to whole decades", () => {
    const root = parseSvg(plotLoss([{ name: "a", values: [3e-5, 2, 700] }]));
    expect(plotArea(root).yDomain).toEqual([1e-5, 1e3]);
  });

  it("leaves gaps at NaN, infinite and (on a log scale) non-positive values", () => {
    const values = [4, 3, NaN, 2, 1, 0, 0.5, Infinity, 0.25, -1];
    const root = parseSvg(plotLoss([{ name: "a", values }], { yDomain: [0.1, 10], xDomain: [0, 9] }));
    const pieces = pathPieces(find(root, "path", "series")[0]!.attributes["d"]!);
    // Drawable runs: [4, 3], [2, 1], [0.5] (a single point draws nothing), [0.25].
    expect(pieces.map((p) => p.length)).toEqual([2, 2]);
  });

  it("is deterministic", () => {
    const series = [{ name: "a", values: decay(300, 0.01, 10) }];
    expect(plotLoss(series, { title: "t" })).toBe(plotLoss(series, { title: "t" }));
  });

  it("refuses bad input with errors that name the argument", () => {
    const ok = [{ name: "a", values: [1, 2] }];
    const expectError = (f: () => unknown, type: typeof DownhillTypeError | typeof DownhillRangeError, message: RegExp) => {
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
    expectError(() => plotLoss(ok, { widht: 500 } as never), DownhillTypeError, /plotLoss options: unknown option "widht"; did you mean "width"\?/);
    expectError(() => plotLoss(ok, { width: 100 }), DownhillRangeError, /plotLoss options.width must be a finite number >= 320 and <= 4000; got 100/);
    expectError(() => plotLoss(ok, { height: 300.5 }), DownhillRangeError, /plotLoss options.height must be a whole number; got 300.5/);
    expectError(() => plotLoss(ok, { yScale: "ln" as never }), DownhillRangeError, /plotLoss options.yScale must be one of "log", "linear"; got "ln"/);
    expectError(() => plotLoss(ok, { yDomain: [0, 1] }), DownhillRangeError, /plotLoss options.yDomain\[0\] must be a finite number > 0; got 0/);
    expectError(() => plotLoss(ok, { xDomain: [3, 1] }), DownhillRangeError, /plotLoss options.xDomain must be an array \[lo, hi\] of two finite numbers with lo < hi; got \[3, 1\]/);
    expectError(() => plotLoss([]), DownhillRangeError, /plotLoss\(series\) is empty/);
    expectError(() => plotLoss("a" as never), DownhillTypeError, /plotLoss\(series\) must be an array of series; got "a"/);
    expectError(() => plotLoss([{ name: "a", values: [1] }, { name: "a", values: [2] }]), DownhillRangeError, /plotLoss\(series\)\[1\].name "a" is used twice/);
    expectError(() => plotLoss([{ name: "a", values: [1, "2"] as never }]), DownhillTypeError, /plotLoss\(series\)\[0\].values\[1\] must be a number; got "2"/);
    expectError(() => plotLoss([{ name: "a", values: [1, 2], x: [1] }]), DownhillRangeError, /plotLoss\(series\)\[0\].x has 1 values but plotLoss\(series\)\[0\].values has 2/);
    expectError(() => plotLoss([{ name: "a", values: [0, -1, NaN] }]), DownhillRangeError, /no value can be drawn on a log scale/);
    expectError(() => plotLoss([{ values: [1] }] as never), DownhillTypeError, /plotLoss\(series\)\[0\].name is missing/);
  });
});
