/**
 * plotContour: level sets where the function has them (circles of radius √t for
 * x² + y²), counted levels, paths with their start and end markers at the mapped
 * points, clipping of diverging paths, equal scale, determinism and validation.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError } from "../../ts/index.ts";
import { plotContour } from "../../ts/plot/index.ts";
import { find, parseSvg, pathPieces, plotArea, textOf } from "./svg-tree.ts";

const bowl = (x: number, y: number) => x * x + y * y;

function errorOf(f: () => unknown): Error & { code?: string } {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error("no error thrown");
}

describe("plotContour", () => {
  it("draws each level set where f equals the level: circles of radius √t for x² + y²", () => {
    const levels = [0.25, 1, 2.25];
    const root = parseSvg(plotContour(bowl, [], { xDomain: [-2, 2], yDomain: [-2, 2], levels, resolution: 120, width: 640, height: 560 }));
    const area = plotArea(root);
    const contours = find(root, "path", "contour");
    expect(contours.map((c) => Number(c.attributes["data-level"]))).toEqual(levels);
    const toData = ([px, py]: [number, number]): [number, number] => [-2 + ((px - area.left) / area.width) * 4, 2 - ((py - area.top) / area.height) * 4];
    contours.forEach((c, k) => {
      // The filled region f >= t: the box's edge with the circle as a hole. Off the edge, every point is on the circle.
      const points = pathPieces(c.attributes["d"]!).flat().map(toData);
      const inner = points.filter(([x, y]) => Math.max(Math.abs(x), Math.abs(y)) < 2 - 1e-3);
      expect(inner.length).toBeGreaterThan(40);
      expect(points.length - inner.length).toBeGreaterThanOrEqual(4); // the box's corners at least
      // Linear interpolation on a grid of cells about 4/110 wide: within a few hundredths of a cell
      // (an offset of half a cell, the classic mistake with d3-contour's grid, would be 0.018).
      for (const p of inner) expect(Math.abs(Math.hypot(...p) - Math.sqrt(levels[k]!))).toBeLessThan(0.002);
    });
    // The colour bar: a block per band (n levels → n + 1 bands) and a label per level.
    const bar = find(root, "g", "colorbar")[0]!;
    expect(find(bar, "rect")).toHaveLength(levels.length + 2); // bands and the outline
    expect(find(bar, "g", "level").map((g) => Number(g.attributes["data-value"]))).toEqual(levels);
  });

  it("counted levels are increasing round numbers spread over f's range, log-spaced when f spans decades", () => {
    const root = parseSvg(plotContour((x, y) => 100 * x * x + y * y, [], { xDomain: [-10, 10], yDomain: [-10, 10], levels: 10 }));
    const levels = find(root, "path", "contour").map((c) => Number(c.attributes["data-level"]));
    expect(levels.length).toBeGreaterThanOrEqual(6);
    for (let i = 1; i < levels.length; i++) expect(levels[i]!).toBeGreaterThan(levels[i - 1]!);
    // Round mantissas (1, 2, 3, 5 …) and about as many per decade throughout.
    for (const t of levels) expect([1, 1.5, 2, 3, 5, 7]).toContain(Number((t / 10 ** Math.floor(Math.log10(t) + 1e-12)).toPrecision(3)));
    expect(levels[levels.length - 1]! / levels[0]!).toBeGreaterThan(1e3);
    expect(levels[levels.length - 1]!).toBeLessThan(100 * 100 + 100);
    // A function of both signs gets linear levels.
    const signed = parseSvg(plotContour((x, y) => x - y, [], { xDomain: [-1, 1], yDomain: [-1, 1], levels: 5 }));
    const linear = find(signed, "path", "contour").map((c) => Number(c.attributes["data-level"]));
    const steps = linear.slice(1).map((t, i) => t - linear[i]!);
    for (const s of steps) expect(s).toBeCloseTo(steps[0]!, 12);
  });

  it("draws each path from its first to its last point, with the start ring and end square there", () => {
    const paths = [
      { name: "down", points: [[1.5, 1.5], [1, 1], [0.5, 0.2], [0.1, 0]] },
      { name: "across", points: [[-1.5, 1], [0, 1], [1.5, -1]] },
    ];
    const root = parseSvg(plotContour(bowl, paths, { xDomain: [-2, 2], yDomain: [-2, 2], marks: [{ x: 0, y: 0, label: "minimum" }] }));
    const area = plotArea(root);
    const map = ([x, y]: number[]) => [area.left + ((x! + 2) / 4) * area.width, area.top + ((2 - y!) / 4) * area.height];
    const groups = find(root, "g", "path");
    expect(groups.map((g) => g.attributes["data-name"])).toEqual(["down", "across"]);
    groups.forEach((g, i) => {
      const line = find(g, "path", "path-line")[0]!;
      const [piece] = pathPieces(line.attributes["d"]!);
      const want = paths[i]!.points.map(map);
      expect(piece).toHaveLength(want.length);
      piece!.forEach((p, k) => {
        expect(Math.abs(p[0] - want[k]![0]!)).toBeLessThan(0.01);
        expect(Math.abs(p[1] - want[k]![1]!)).toBeLessThan(0.01);
      });
      const start = find(g, "circle", "start")[0]!;
      expect(Math.abs(Number(start.attributes["cx"]) - want[0]![0]!)).toBeLessThan(0.01);
      expect(Math.abs(Number(start.attributes["cy"]) - want[0]![1]!)).toBeLessThan(0.01);
      const end = find(g, "rect", "end")[0]!;
      const endCentre = [Number(end.attributes["x"]) + Number(end.attributes["width"]) / 2, Number(end.attributes["y"]) + Number(end.attributes["height"]) / 2];
      expect(Math.abs(endCentre[0]! - want[want.length - 1]![0]!)).toBeLessThan(0.02);
      expect(Math.abs(endCentre[1]! - want[want.length - 1]![1]!)).toBeLessThan(0.02);
    });
    expect(find(root, "g", "legend-entry").map(textOf)).toEqual(["down", "across", "start", "end", "minimum"]);
    expect(find(root, "g", "mark")).toHaveLength(1);
  });

  it("clips a diverging path at the box and cuts it at non-finite points", () => {
    const diverging = [[0, 0], [1, 0.5], [-30, 40], [1e30, -1e30], [NaN, 0], [0.5, 0.5], [1, 1]];
    const svg = plotContour(bowl, [{ name: "blows up", points: diverging }], { xDomain: [-2, 2], yDomain: [-2, 2] });
    const root = parseSvg(svg);
    const area = plotArea(root);
    const pieces = pathPieces(find(root, "path", "path-line")[0]!.attributes["d"]!);
    // (0,0)→(1,0.5)→ out of the box; (0.5,0.5)→(1,1) after the NaN.
    expect(pieces).toHaveLength(2);
    for (const p of pieces.flat()) {
      expect(p[0]).toBeGreaterThanOrEqual(area.left - 8.01);
      expect(p[0]).toBeLessThanOrEqual(area.left + area.width + 8.01);
      expect(p[1]).toBeGreaterThanOrEqual(area.top - 8.01);
      expect(p[1]).toBeLessThanOrEqual(area.top + area.height + 8.01);
    }
    // The first piece leaves along the segment (1, 0.5) → (−30, 40): its last point lies on that line.
    const last = pieces[0]![pieces[0]!.length - 1]!;
    const data = [-2 + ((last[0] - area.left) / area.width) * 4, 2 - ((last[1] - area.top) / area.height) * 4];
    const t = (data[0]! - 1) / (-31);
    expect(Math.abs(data[1]! - (0.5 + t * 39.5))).toBeLessThan(0.01);
    expect(svg).not.toMatch(/\d{6,}\.\d/);
  });

  it("equalScale gives both axes the same units per pixel, around the box's centre", () => {
    const root = parseSvg(plotContour(bowl, [], { xDomain: [-1, 1], yDomain: [-10, 10], equalScale: true, width: 700, height: 500 }));
    const area = plotArea(root);
    const xUnits = (area.xDomain[1] - area.xDomain[0]) / area.width;
    const yUnits = (area.yDomain[1] - area.yDomain[0]) / area.height;
    expect(xUnits).toBeCloseTo(yUnits, 4);
    expect(area.yDomain[0]).toBeCloseTo(-10, 6);
    expect(area.xDomain[0] + area.xDomain[1]).toBeCloseTo(0, 9);
  });

  it("chooses the box from the paths and marks when none is given", () => {
    const root = parseSvg(plotContour(bowl, [{ name: "p", points: [[0, 0], [10, 5]] }], { marks: [{ x: -10, y: 0, label: "m" }] }));
    const area = plotArea(root);
    expect(area.xDomain).toEqual([-12, 12]);
    expect(area.yDomain).toEqual([-0.5, 5.5]);
  });

  it("is deterministic, and the clip id differs between drawings", () => {
    const a = plotContour(bowl, [{ name: "p", points: [[1, 1], [0, 0]] }], { xDomain: [-2, 2], yDomain: [-2, 2] });
    expect(plotContour(bowl, [{ name: "p", points: [[1, 1], [0, 0]] }], { xDomain: [-2, 2], yDomain: [-2, 2] })).toBe(a);
    const b = plotContour(bowl, [{ name: "p", points: [[1, 1], [0.5, 0]] }], { xDomain: [-2, 2], yDomain: [-2, 2] });
    const id = (svg: string) => /clipPath id="([^"]+)"/.exec(svg)![1];
    expect(id(a)).not.toBe(id(b));
  });

  it("refuses bad input with errors that name the argument", () => {
    const box = { xDomain: [-1, 1] as const, yDomain: [-1, 1] as const };
    const cases: [() => unknown, RegExp, typeof DownhillTypeError | typeof DownhillRangeError][] = [
      [() => plotContour("f" as never, [], box), /plotContour\(f\) must be a function \(x, y\) => number; got "f"/, DownhillTypeError],
      [() => plotContour(bowl, [], { ...box, levels: [1, 1] }), /plotContour options.levels must increase; levels\[1\] = 1 follows 1/, DownhillRangeError],
      [() => plotContour(bowl, [], { ...box, levels: 1 }), /plotContour options.levels must be a finite number >= 2 and <= 60; got 1/, DownhillRangeError],
      [() => plotContour(bowl, [], { ...box, resolution: 1000 }), /plotContour options.resolution must be a finite number >= 8 and <= 400; got 1000/, DownhillRangeError],
      [() => plotContour((x) => x, [], { ...box, levelScale: "log" }), /levelScale "log" needs f >= 0/, DownhillRangeError],
      [() => plotContour(() => "1" as never, [], box), /plotContour\(f\) must return a number; at \(/, DownhillTypeError],
      [() => plotContour(() => NaN, [], box), /f is NaN or infinite everywhere/, DownhillRangeError],
      [() => plotContour(bowl, [{ name: "p", points: [[1, 2, 3]] }], box), /plotContour\(paths\)\[0\].points\[0\] must be a point \[x, y\] of two numbers; got an array of length 3/, DownhillTypeError],
      [() => plotContour(bowl, [{ name: "p", points: [] }], box), /plotContour\(paths\)\[0\].points is empty/, DownhillRangeError],
      [() => plotContour(bowl, []), /no finite x in the paths or marks to choose the box from; give options.xDomain/, DownhillRangeError],
      [() => plotContour(bowl, [], { ...box, marks: [{ x: 0, label: "m" }] as never }), /plotContour options.marks\[0\].y is missing/, DownhillTypeError],
      [() => plotContour(bowl, [], { ...box, equalscale: true } as never), /unknown option "equalscale"; did you mean "equalScale"\?/, DownhillTypeError],
    ];
    for (const [f, message, type] of cases) {
      const e = errorOf(f);
      expect(e, String(message)).toBeInstanceOf(type);
      expect(e).toBeInstanceOf(DownhillError);
      expect(e.code).toBe("INVALID_ARGUMENT");
      expect(e.message).toMatch(message);
    }
  });
});
