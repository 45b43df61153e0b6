/**
 * plotFunction on the local-minimum example of test/minimize (x⁴ − 2x² − x/2): the curve
 * at the mapped f values, each run's dots on the curve with its start and end, the
 * iteration panel tracing x against the step, marks in both panels, and validation.
 */
import { describe, expect, it } from "vitest";
import { DownhillError, DownhillRangeError, DownhillTypeError, minimize } from "../../ts/index.ts";
import { plotFunction } from "../../ts/plot/index.ts";
import { find, parseSvg, pathPieces, plotArea, textOf } from "./svg-tree.ts";

const f = (x: number) => x ** 4 - 2 * x * x - 0.5 * x;
const objective = (x: ArrayLike<number>) => ({ value: f(x[0]!), grad: [4 * x[0]! ** 3 - 4 * x[0]! - 0.5] });

async function run(momentum: number) {
  const xs = [-2];
  await minimize(objective, [-2], { optimizer: "sgd", optimizerOptions: { lr: 0.01, momentum }, gradientTol: 1e-6, onIteration: (_, x) => void xs.push(x[0]!) });
  return xs;
}

describe("plotFunction", () => {
  it("draws the curve, the runs on it and their x against the iteration", async () => {
    const gd = await run(0);
    const heavy = await run(0.9);
    const svg = plotFunction(f, [{ name: "gradient descent", xs: gd }, { name: "momentum", xs: heavy }], {
      xDomain: [-2.2, 2],
      samples: 200,
      maxDots: 30,
      marks: [{ x: -0.93, label: "local" }, { x: 1.06, label: "global" }],
    });
    const root = parseSvg(svg);
    const top = plotArea(root, 0);
    const bottom = plotArea(root, 1);
    expect(top.xDomain).toEqual([-2.2, 2]);
    const [y0, y1] = top.yDomain;
    const mapX = (x: number) => top.left + ((x + 2.2) / 4.2) * top.width;
    const mapY = (y: number) => top.top + ((y1 - y) / (y1 - y0)) * top.height;
    // The curve: 200 samples from −2.2 to 2, each at (x, f(x)).
    const [curve] = pathPieces(find(root, "path", "curve")[0]!.attributes["d"]!);
    expect(curve).toHaveLength(200);
    curve!.forEach(([px, py], i) => {
      const x = -2.2 + (4.2 * i) / 199;
      expect(Math.abs(px - mapX(x))).toBeLessThan(0.01);
      expect(Math.abs(py - mapY(f(x)))).toBeLessThan(0.01);
    });
    // Each run: start ring at x0, end square at its last x, dots on the curve.
    const runs = find(root, "g", "path");
    expect(runs.map((g) => g.attributes["data-name"])).toEqual(["gradient descent", "momentum"]);
    [gd, heavy].forEach((xs, i) => {
      const g = runs[i]!;
      expect(g.attributes["data-points"]).toBe(String(xs.length));
      const start = find(g, "circle", "start")[0]!;
      expect(Math.abs(Number(start.attributes["cx"]) - mapX(-2))).toBeLessThan(0.01);
      expect(Math.abs(Number(start.attributes["cy"]) - mapY(f(-2)))).toBeLessThan(0.01);
      const end = find(g, "rect", "end")[0]!;
      const last = xs[xs.length - 1]!;
      expect(Math.abs(Number(end.attributes["x"]) + Number(end.attributes["width"]) / 2 - mapX(last))).toBeLessThan(0.02);
      const dots = find(g, "circle").filter((c) => c.attributes["class"] === undefined);
      expect(dots.length).toBeLessThanOrEqual(28);
      expect(dots.length).toBeGreaterThan(5);
      for (const d of dots) {
        const x = -2.2 + ((Number(d.attributes["cx"]) - top.left) / top.width) * 4.2;
        expect(Math.abs(Number(d.attributes["cy"]) - mapY(f(x)))).toBeLessThan(0.05);
      }
    });
    // Gradient descent ends left of the barrier, momentum right of it (as test/minimize checks).
    expect(gd[gd.length - 1]!).toBeLessThan(0);
    expect(heavy[heavy.length - 1]!).toBeGreaterThan(0);
    // The iteration panel: x over the same domain against the step 0 … longest run.
    expect(bottom.yDomain).toEqual([-2.2, 2]);
    const traces = find(root, "path", "trace");
    expect(traces.map((t) => t.attributes["data-name"])).toEqual(["gradient descent", "momentum"]);
    const [trace] = pathPieces(traces[1]!.attributes["d"]!);
    const [bx0, bx1] = bottom.xDomain;
    const [first] = trace!;
    expect(Math.abs(first![0] - (bottom.left + ((0 - bx0) / (bx1 - bx0)) * bottom.width))).toBeLessThan(0.01);
    expect(Math.abs(first![1] - (bottom.top + ((2 - -2) / 4.2) * bottom.height))).toBeLessThan(0.01);
    expect(bx1).toBeGreaterThanOrEqual(Math.max(gd.length, heavy.length) - 1);
    expect(find(root, "line", "mark")).toHaveLength(4);
    expect(find(root, "text", "mark-label").map(textOf)).toEqual(["local", "global"]);
  });

  it("without runs: just the curve, no iteration panel", () => {
    const root = parseSvg(plotFunction(f, [], { xDomain: [-2, 2] }));
    expect(find(root, "rect", "plot-area")).toHaveLength(1);
    expect(find(root, "path", "curve")).toHaveLength(1);
  });

  it("is deterministic", () => {
    const paths = [{ name: "a", xs: [-2, -1.5, -1.2] }];
    expect(plotFunction(f, paths)).toBe(plotFunction(f, paths));
  });

  it("refuses bad input with errors that name the argument", () => {
    const check = (g: () => unknown, type: typeof DownhillTypeError | typeof DownhillRangeError, message: RegExp) => {
      let caught: unknown;
      try {
        g();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(type);
      expect(caught).toBeInstanceOf(DownhillError);
      expect((caught as Error).message).toMatch(message);
    };
    check(() => plotFunction(f, [], { xDomain: [-1, 1], iterations: true }), DownhillRangeError, /plotFunction options.iterations: true needs at least one run/);
    check(() => plotFunction(f, []), DownhillRangeError, /no finite x in the runs or marks to choose the range from; give options.xDomain/);
    check(() => plotFunction(f, [{ name: "a", xs: [] }]), DownhillRangeError, /plotFunction\(paths\)\[0\].xs is empty/);
    check(() => plotFunction(f, [], { xDomain: [-1, 1], samples: 3 }), DownhillRangeError, /plotFunction options.samples must be a finite number >= 16 and <= 5000; got 3/);
    check(() => plotFunction(() => undefined as never, [], { xDomain: [-1, 1] }), DownhillTypeError, /plotFunction\(f\) must return a number; at x = -1 it returned undefined/);
    check(() => plotFunction(f, [], { xDomain: [-1, 1], marks: [{ x: "0", label: "m" }] as never }), DownhillTypeError, /plotFunction options.marks\[0\].x must be a finite number; got "0"/);
  });
});
