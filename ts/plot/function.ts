/**
 * A function of one variable with optimizer runs on it, for plateaus and local minima:
 * the top panel draws f(x) and each run's iterates as dots on the curve (ring at the
 * start, square at the end); the bottom panel draws each run's x against the iteration,
 * which shows how long a run crawls over a plateau and where it settles. Marks (such as
 * the minima) are dashed lines in both panels.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { axes, grid, hash, makeFrame, makeScale, marker, tickCount, type LegendEntry } from "./frame.ts";
import { checkBoolean, checkDomain, checkFunction, checkMarks, checkNumbers, checkObject, checkPlotOptions, checkSeriesList, checkString, checkWhole, optional, type Mark, type PlotOptions } from "./options.ts";
import { clipPolyline, grow, pathData, type Point } from "./polyline.ts";
import { element, px, seriesColor, text } from "./svg.ts";

/** One run: the iterates x₀ (the start), x₁, … */
export interface FunctionPath {
  /** Shown in the legend; distinct per run. */
  readonly name: string;
  /** The iterates in order, the start first. */
  readonly xs: ArrayLike<number>;
}

/** Options of plotFunction (and the common PlotOptions); defaults in FUNCTION_PLOT_DEFAULTS. */
export interface FunctionPlotOptions extends PlotOptions {
  /** The x range `[lo, hi]`; default the runs' and marks' range plus 10% on each side. */
  xDomain?: readonly [number, number];
  /** Points at which f is evaluated for the curve, a whole number in [16, 5000]; default 400. */
  samples?: number;
  /** Points of interest `{ x, label }` (minima, a barrier), drawn as dashed vertical lines. */
  marks?: readonly {
    /** Where the dashed line is drawn. */
    readonly x: number;
    /** Its label. */
    readonly label: string;
  }[];
  /** Most dots drawn per run in the top panel (evenly spaced in iterations, the last always), a whole number in [2, 1000]; default 60. */
  maxDots?: number;
  /** Add the bottom panel, x against iteration; default true when there are runs. */
  iterations?: boolean;
}

const A = "plotFunction";
const KEYS = ["xDomain", "samples", "marks", "maxDots", "iterations"];

/** plotFunction's defaults. */
export const FUNCTION_PLOT_DEFAULTS = Object.freeze({
  /** Points at which f is evaluated. */
  samples: 400,
  /** Most dots per run in the top panel. */
  maxDots: 60,
});

function checkPath(item: unknown, argument: string): FunctionPath {
  const o = checkObject(argument, item, ["name", "xs"], ["name", "xs"]);
  const name = checkString(`${argument}.name`, o["name"]);
  const xs = checkNumbers(`${argument}.xs`, o["xs"]);
  if (xs.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.xs is empty; give at least the start.`);
  return { name, xs };
}

/** Evaluates f, insisting on a number. */
function evaluate(f: (x: number) => number, x: number): number {
  const v: unknown = f(x);
  if (typeof v !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${A}(f) must return a number; at x = ${x} it returned ${describe(v)}.`);
  return v;
}

/** The indices of the dots drawn: every `stride`-th iterate and the last. */
function dotIndices(n: number, maxDots: number): number[] {
  const stride = Math.max(1, Math.ceil((n - 1) / (maxDots - 1)));
  const picked: number[] = [];
  for (let k = 0; k < n - 1; k += stride) picked.push(k);
  picked.push(n - 1);
  return picked;
}

/**
 * `f(x)` with optimizer runs on it, as an SVG document (a string): the curve, each run's
 * iterates as dots on it with a start ring and an end square, and (by default) a second
 * panel with each run's x against the iteration. Same input, same bytes.
 *
 * @example
 * const f = (x) => x ** 4 - 2 * x ** 2 - 0.5 * x;
 * const gd = await minimize((x) => ({ value: f(x[0]), grad: [4 * x[0] ** 3 - 4 * x[0] - 0.5] }), [-2], { optimizer: "sgd", optimizerOptions: { lr: 0.01 }, onIteration: (r, x) => xs.push(x[0]) });
 * const svg = plotFunction(f, [{ name: "gradient descent", xs }], { xDomain: [-2, 2] });
 */
export function plotFunction(f: (x: number) => number, paths: readonly FunctionPath[] = [], options: FunctionPlotOptions = {}): string {
  checkFunction<typeof f>(`${A}(f)`, f, "(x) => number");
  const settings = checkPlotOptions(`${A} options`, options, KEYS, { xLabel: "x", yLabel: "f(x)" });
  const o = options as Record<string, unknown>;
  const samples = optional(o["samples"], FUNCTION_PLOT_DEFAULTS.samples, (v) => checkWhole(`${A} options.samples`, v, { min: 16, max: 5000 }));
  const maxDots = optional(o["maxDots"], FUNCTION_PLOT_DEFAULTS.maxDots, (v) => checkWhole(`${A} options.maxDots`, v, { min: 2, max: 1000 }));
  const marks: Mark[] = optional(o["marks"], [], (v) => checkMarks(`${A} options.marks`, v, false));
  const list = Array.isArray(paths) && paths.length === 0 ? [] : checkSeriesList(`${A}(paths)`, paths, checkPath);
  const showIterations = optional(o["iterations"], list.length > 0, (v) => checkBoolean(`${A} options.iterations`, v));
  if (showIterations && list.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${A} options.iterations: true needs at least one run in paths.`);
  let xDomain: readonly [number, number];
  if (o["xDomain"] !== undefined) xDomain = checkDomain(`${A} options.xDomain`, o["xDomain"]);
  else {
    const all = [...list.flatMap((p) => Array.from(p.xs)), ...marks.map((m) => m.x)].filter((v) => Number.isFinite(v));
    if (all.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${A}: no finite x in the runs or marks to choose the range from; give options.xDomain.`);
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const pad = hi > lo ? 0.1 * (hi - lo) : 1;
    xDomain = [lo - pad, hi + pad];
  }

  // The curve, sampled evenly over the domain.
  const curve: [number, number][] = [];
  let yLo = Infinity;
  let yHi = -Infinity;
  for (let i = 0; i < samples; i++) {
    const x = xDomain[0] + ((xDomain[1] - xDomain[0]) * i) / (samples - 1);
    const y = evaluate(f, x);
    curve.push([x, y]);
    if (Number.isFinite(y)) {
      yLo = Math.min(yLo, y);
      yHi = Math.max(yHi, y);
    }
  }
  if (!(yLo <= yHi)) throw new DownhillRangeError("INVALID_ARGUMENT", `${A}(f): f is NaN or infinite everywhere in [${xDomain[0]}, ${xDomain[1]}].`);
  const yPad = yHi > yLo ? 0.05 * (yHi - yLo) : 1;

  const legend: LegendEntry[] = [{ label: settings.yLabel || "f(x)", color: "#333333" }];
  list.forEach((p, i) => legend.push({ label: p.name, color: seriesColor(i), marker: "circle" }));
  if (list.length > 0) legend.push({ label: "start", color: "#444444", line: false, marker: "ring" }, { label: "end", color: "#444444", line: false, marker: "square" });

  // The bottom panel's y axis is x itself, over the same domain: its labels share the left margin.
  const lowerBlock = showIterations ? Math.round(settings.height * 0.4) : 0;
  const lowerYSpec = { kind: "linear" as const, domain: xDomain, nice: false };
  const lowerLabels = showIterations ? makeScale(lowerYSpec, [0, 1], tickCount(lowerBlock - 62)).ticks.map((t) => t.label) : [];
  const frame = makeFrame({
    settings,
    x: { kind: "linear", domain: xDomain, nice: false },
    y: { kind: "linear", domain: [yLo - yPad, yHi + yPad] },
    legend,
    kind: "function-plot",
    bottomExtra: lowerBlock,
    extraLeftLabels: lowerLabels,
  });
  const { area } = frame;
  const bounds = grow(area, 4);
  const toPixel = ([x, y]: readonly [number, number]): Point => (Number.isFinite(x) && Number.isFinite(y) ? [frame.x.map(x), frame.y.map(y)] : [NaN, NaN]);
  const parts: string[] = [];
  for (const m of marks) {
    const mx = frame.x.map(m.x);
    parts.push(element("line", { class: "mark", "data-label": m.label, x1: mx, x2: mx, y1: area.top, y2: area.top + area.height, stroke: "#777777", "stroke-dasharray": "4 3", "stroke-width": 1 }));
  }
  parts.push(element("path", { class: "curve", d: pathData(clipPolyline(curve.map(toPixel), bounds)), fill: "none", stroke: "#333333", "stroke-width": 2 }));
  list.forEach((p, i) => {
    const color = seriesColor(i);
    const at = (k: number): Point => toPixel([p.xs[k]!, evaluate(f, p.xs[k]!)]);
    const n = p.xs.length;
    const dots = dotIndices(n, maxDots)
      .slice(1, -1)
      .map((k) => at(k))
      .filter((q) => Number.isFinite(q[0]) && Number.isFinite(q[1]))
      .map((q) => element("circle", { cx: q[0], cy: q[1], r: 3, fill: color, "fill-opacity": 0.75 }));
    const start = at(0);
    let lastIndex = n - 1;
    while (lastIndex > 0 && !Number.isFinite(p.xs[lastIndex]!)) lastIndex--;
    const end = at(lastIndex);
    parts.push(
      element("g", { class: "path", "data-name": p.name, "data-points": n }, [
        ...dots,
        Number.isFinite(start[1]) ? marker("ring", start[0], start[1], color, 5.5, { class: "start" }) : "",
        Number.isFinite(end[1]) ? marker("square", end[0], end[1], color, 5, { class: "end" }) : "",
      ]),
    );
  });
  const markLabels = marks.map((m) => text(m.label, { class: "mark-label", x: frame.x.map(m.x), y: area.top + 12, "text-anchor": "middle", fill: "#444444", "font-size": 11, stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" }));

  let lower = "";
  if (showIterations) {
    // Below the top panel's axis (50 px of ticks and label) and a gap; above its own axis.
    const top = area.top + area.height + 62;
    const lowerArea = { left: area.left, top, width: area.width, height: lowerBlock - 62 };
    const longest = Math.max(...list.map((p) => p.xs.length));
    const lx = makeScale({ kind: "linear", domain: [0, Math.max(1, longest - 1)] }, [lowerArea.left, lowerArea.left + lowerArea.width], tickCount(lowerArea.width));
    const ly = makeScale(lowerYSpec, [lowerArea.top + lowerArea.height, lowerArea.top], tickCount(lowerArea.height));
    const lowerBounds = grow(lowerArea, 4);
    const traces = list.map((p, i) => {
      const pixels: Point[] = Array.from(p.xs, (x, k): Point => (Number.isFinite(x) ? [lx.map(k), ly.map(x)] : [NaN, NaN]));
      return element("path", { class: "trace", "data-name": p.name, d: pathData(clipPolyline(pixels, lowerBounds)) || undefined, fill: "none", stroke: seriesColor(i), "stroke-width": 2, "stroke-linejoin": "round" });
    });
    const markLines = marks.map((m) => {
      const my = ly.map(m.x);
      return element("line", { class: "mark", x1: lowerArea.left, x2: lowerArea.left + lowerArea.width, y1: my, y2: my, stroke: "#777777", "stroke-dasharray": "4 3", "stroke-width": 1 });
    });
    const body = markLines.join("") + traces.join("");
    const clipId = `function-plot-lower-${hash(body)}`;
    lower = element("g", { class: "iterations-panel" }, [
      element("defs", {}, element("clipPath", { id: clipId }, element("rect", { x: lowerArea.left, y: lowerArea.top, width: lowerArea.width, height: lowerArea.height }))),
      grid(lx, ly, lowerArea),
      element("g", { "clip-path": `url(#${clipId})` }, body),
      axes(lx, ly, lowerArea, { xLabel: "iteration", yLabel: "" }),
      text(settings.xLabel || "x", { class: "axis-label", transform: `translate(16,${px(lowerArea.top + lowerArea.height / 2)}) rotate(-90)`, "text-anchor": "middle", fill: "#222222" }),
    ]);
  }
  return frame.render(parts.join(""), markLabels.join("") + lower);
}
