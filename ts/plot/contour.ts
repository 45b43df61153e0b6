/**
 * A contour plot of f(x, y) over a box, with optimizer paths drawn on it: f is sampled
 * on a grid, d3-contour traces the level sets (marching squares, linearly interpolated),
 * the bands between levels are filled from dark (low) to pale (high), and each path is a
 * line with a ring at its start and a square at its end. A colour bar shows the levels.
 *
 * Grid: `nx × ny` cells over the box, f sampled at the cell centres, so d3-contour's grid
 * coordinate c maps to x = x0 + c·(x1 − x0)/nx exactly (d3 places value i at i + 0.5).
 */
import { contours } from "d3-contour";
import { scaleLinear } from "d3-scale";
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { makeFrame, marker, type Area, type LegendEntry } from "./frame.ts";
import {
  checkBoolean,
  checkChoice,
  checkDomain,
  checkFunction,
  checkMarks,
  checkNumber,
  checkObject,
  checkPlotOptions,
  checkSeriesList,
  checkString,
  checkWhole,
  optional,
  type Mark,
  type PlotOptions,
} from "./options.ts";
import { clipPolyline, grow, pathData, type Point } from "./polyline.ts";
import { element, seriesColor, shortNumber, text } from "./svg.ts";

/** A path in the (x, y) plane, such as an optimizer's weights after each step. */
export interface ContourPath {
  /** Shown in the legend; distinct per path. */
  readonly name: string;
  /** The points `[x, y]` in order, the start first. Non-finite points leave a gap. */
  readonly points: ArrayLike<ArrayLike<number>>;
}

/** Options of plotContour (and the common PlotOptions); defaults in CONTOUR_DEFAULTS. */
export interface ContourPlotOptions extends PlotOptions {
  /** The box's x range `[x0, x1]`; default the paths' and marks' range plus 10% on each side. */
  xDomain?: readonly [number, number];
  /** The box's y range `[y0, y1]`; default as xDomain. */
  yDomain?: readonly [number, number];
  /** Keep one unit the same length on both axes (the box grows around its centre); default false. */
  equalScale?: boolean;
  /** Grid cells along the longer side of the plot, a whole number in [8, 400]; default 120. */
  resolution?: number;
  /** How many levels (a whole number in [2, 60], spaced as levelScale says), or the levels themselves (increasing); default 14. */
  levels?: number | readonly number[];
  /** Spacing of counted levels: "log" (needs f >= 0), "linear", or "auto" (log when f >= 0 spans three decades or more); default "auto". */
  levelScale?: "auto" | "log" | "linear";
  /** Points to label, such as the known minimum: `{ x, y, label }`, drawn as a black cross. */
  marks?: readonly {
    /** The mark's x. */
    readonly x: number;
    /** The mark's y. */
    readonly y: number;
    /** Its label. */
    readonly label: string;
  }[];
  /** Name of f shown above the colour bar; default "f(x, y)". */
  valueLabel?: string;
}

const A = "plotContour";
const KEYS = ["xDomain", "yDomain", "equalScale", "resolution", "levels", "levelScale", "marks", "valueLabel"];

/** plotContour's defaults. */
export const CONTOUR_DEFAULTS = Object.freeze({
  /** Grid cells along the longer side. */
  resolution: 120,
  /** Counted levels. */
  levels: 14,
  /** Log spacing when f >= 0 spans three decades or more, else linear. */
  levelScale: "auto" as const,
  /** Axes scaled independently. */
  equalScale: false,
  /** Name of f above the colour bar. */
  valueLabel: "f(x, y)",
});

/** The fill of the lowest band (darkest) and of the highest (palest): a neutral blue-grey that paths in any palette colour stand out on. */
const LOW = "#7f8ca6";
const HIGH = "#f7f8fa";

function checkPath(item: unknown, argument: string): { name: string; points: Point[] } {
  const o = checkObject(argument, item, ["name", "points"], ["name", "points"]);
  const name = checkString(`${argument}.name`, o["name"]);
  const raw = o["points"];
  if (!Array.isArray(raw)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.points must be an array of points [x, y]; got ${describe(raw)}.`);
  if (raw.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.points is empty; give at least the start point.`);
  const points = raw.map((p: unknown, k): Point => {
    const ok = (Array.isArray(p) || p instanceof Float64Array || p instanceof Float32Array) && p.length === 2 && typeof p[0] === "number" && typeof p[1] === "number";
    if (!ok) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.points[${k}] must be a point [x, y] of two numbers; got ${describe(p)}.`);
    const q = p as ArrayLike<number>;
    return [q[0]!, q[1]!];
  });
  return { name, points };
}

function checkLevels(value: unknown): number | number[] {
  if (typeof value === "number") return checkWhole(`${A} options.levels`, value, { min: 2, max: 60 });
  if (!Array.isArray(value)) throw new DownhillTypeError("INVALID_ARGUMENT", `${A} options.levels must be a count (a whole number in [2, 60]) or an array of increasing numbers; got ${describe(value)}.`);
  if (value.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${A} options.levels is empty; give at least one level or a count.`);
  const levels = value.map((v, i) => checkNumber(`${A} options.levels[${i}]`, v));
  for (let i = 1; i < levels.length; i++) {
    if (!(levels[i]! > levels[i - 1]!)) throw new DownhillRangeError("INVALID_ARGUMENT", `${A} options.levels must increase; levels[${i}] = ${levels[i]} follows ${levels[i - 1]}.`);
  }
  return levels;
}

/** Range of the points and marks, padded by 10% (or by 1 when it has no width). */
function autoDomain(values: readonly number[], axis: "x" | "y"): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A}: no finite ${axis} in the paths or marks to choose the box from; give options.${axis}Domain.`);
  }
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = hi > lo ? 0.1 * (hi - lo) : Math.max(1, Math.abs(lo) * 0.1);
  return [lo - pad, hi + pad];
}

/** Mantissas of log-spaced levels by levels per decade: round numbers, roughly evenly spaced in log. */
const MANTISSAS: readonly (readonly number[])[] = [[1], [1], [1, 3], [1, 2, 5], [1, 2, 3, 5], [1, 1.5, 2, 3, 5, 7]];

/** Levels for a count: round numbers evenly spread in log10 (log spacing), or d3's nice ticks (linear). */
function countedLevels(count: number, lo: number, hi: number, log: boolean, positiveLo: number): number[] {
  if (!log) return scaleLinear().domain([lo, hi]).nice(count).ticks(count).filter((t) => t > lo && t < hi);
  const low = Math.log10(positiveLo);
  const high = Math.log10(hi);
  const perDecade = Math.min(MANTISSAS.length - 1, Math.max(1, Math.round(count / Math.max(high - low, 1e-9))));
  const levels: number[] = [];
  for (let k = Math.floor(low); k <= Math.ceil(high); k++) {
    for (const m of MANTISSAS[perDecade]!) {
      const t = Number((m * 10 ** k).toPrecision(6));
      if (t > positiveLo && t < hi) levels.push(t);
    }
  }
  return levels;
}

/**
 * A contour plot of `f(x, y)` with paths on it, as an SVG document (a string): filled
 * bands between levels (log-spaced when f >= 0 spans orders of magnitude), a colour bar,
 * each path with a start ring and an end square, marks such as the minimum, axes and a
 * legend. Same input, same bytes.
 *
 * @example
 * const mse = (w0, w1) => meanSquaredError(X, y, [w0, w1]);
 * const svg = plotContour(mse, [{ name: "Adam", points: weightsAfterEachStep }], {
 *   xDomain: [-10, 14], yDomain: [-36, 6], marks: [{ x: 2, y: -30, label: "minimum" }], xLabel: "w0", yLabel: "w1",
 * });
 */
export function plotContour(f: (x: number, y: number) => number, paths: readonly ContourPath[] = [], options: ContourPlotOptions = {}): string {
  checkFunction<typeof f>(`${A}(f)`, f, "(x, y) => number");
  const settings = checkPlotOptions(`${A} options`, options, KEYS, { xLabel: "x", yLabel: "y" });
  const o = options as Record<string, unknown>;
  const equalScale = optional(o["equalScale"], CONTOUR_DEFAULTS.equalScale, (v) => checkBoolean(`${A} options.equalScale`, v));
  const resolution = optional(o["resolution"], CONTOUR_DEFAULTS.resolution, (v) => checkWhole(`${A} options.resolution`, v, { min: 8, max: 400 }));
  const levelsOption = optional<number | number[]>(o["levels"], CONTOUR_DEFAULTS.levels, checkLevels);
  const levelScale = optional(o["levelScale"], CONTOUR_DEFAULTS.levelScale, (v) => checkChoice(`${A} options.levelScale`, v, ["auto", "log", "linear"] as const));
  const marks: Mark[] = optional(o["marks"], [], (v) => checkMarks(`${A} options.marks`, v, true));
  const valueLabel = optional(o["valueLabel"], CONTOUR_DEFAULTS.valueLabel, (v) => checkString(`${A} options.valueLabel`, v));
  const list = paths === undefined ? [] : Array.isArray(paths) && paths.length === 0 ? [] : checkSeriesList(`${A}(paths)`, paths, checkPath);
  const xDomain = o["xDomain"] === undefined ? autoDomain([...list.flatMap((p) => p.points.map((q) => q[0])), ...marks.map((m) => m.x)], "x") : checkDomain(`${A} options.xDomain`, o["xDomain"]);
  const yDomain = o["yDomain"] === undefined ? autoDomain([...list.flatMap((p) => p.points.map((q) => q[1])), ...marks.map((m) => m.y!)], "y") : checkDomain(`${A} options.yDomain`, o["yDomain"]);

  const legend: LegendEntry[] = list.map((p, i) => ({ label: p.name, color: seriesColor(i) }));
  if (list.length > 0) legend.push({ label: "start", color: "#444444", line: false, marker: "ring" }, { label: "end", color: "#444444", line: false, marker: "square" });
  for (const m of marks) legend.push({ label: m.label, color: "#111111", line: false, marker: "cross" });
  const colorbarWidth = 90;
  const frame = makeFrame({
    settings,
    x: { kind: "linear", domain: xDomain, nice: false },
    y: { kind: "linear", domain: yDomain, nice: false },
    legend,
    kind: "contour-plot",
    rightExtra: colorbarWidth,
    equalScale,
  });
  const { area } = frame;
  const [x0, x1] = frame.x.domain;
  const [y0, y1] = frame.y.domain;

  // Sample f at the cell centres, row by row from y0 upwards.
  const long = Math.max(area.width, area.height);
  const nx = Math.max(8, Math.round((resolution * area.width) / long));
  const ny = Math.max(8, Math.round((resolution * area.height) / long));
  const values = new Float64Array(nx * ny);
  let lo = Infinity;
  let hi = -Infinity;
  let positiveLo = Infinity;
  for (let j = 0; j < ny; j++) {
    const y = y0 + ((j + 0.5) * (y1 - y0)) / ny;
    for (let i = 0; i < nx; i++) {
      const x = x0 + ((i + 0.5) * (x1 - x0)) / nx;
      const v: unknown = f(x, y);
      if (typeof v !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${A}(f) must return a number; at (${x}, ${y}) it returned ${describe(v)}.`);
      // NaN counts as above every level (unfilled), like an overflow to Infinity.
      values[j * nx + i] = Number.isNaN(v) ? Infinity : v;
      if (Number.isFinite(v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        if (v > 0 && v < positiveLo) positiveLo = v;
      }
    }
  }
  if (!(lo <= hi)) throw new DownhillRangeError("INVALID_ARGUMENT", `${A}(f): f is NaN or infinite everywhere in the box [${x0}, ${x1}] × [${y0}, ${y1}].`);
  const explicit = Array.isArray(levelsOption);
  const log = explicit
    ? levelsOption[0]! > 0 && levelsOption.length >= 2 && levelsOption[levelsOption.length - 1]! / levelsOption[0]! >= 100
    : levelScale === "log" || (levelScale === "auto" && lo >= 0 && hi > 0 && hi / positiveLo >= 1e3);
  if (!explicit && levelScale === "log" && !(lo >= 0 && hi > 0)) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A} options.levelScale "log" needs f >= 0 with some f > 0 in the box; f ranges over [${lo}, ${hi}]. Use levelScale: "linear".`);
  }
  // Log levels start above the smallest positive value, but no more than nine decades below the largest.
  const levels = explicit ? levelsOption : countedLevels(levelsOption, lo, hi, log, Math.max(positiveLo, hi * 1e-9));
  if (levels.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${A}: f is constant (${lo}) in the box; there are no levels to draw.`);

  // Band k (values >= levels[k]) takes colour k: darkest below the first level, palest above the last.
  const fill = scaleLinear<string>().domain([0, levels.length]).range([LOW, HIGH]);
  const bandColor = (k: number): string => fill(k + 1);
  const toPixel = (cx: number, cy: number): Point => [frame.x.map(x0 + (cx * (x1 - x0)) / nx), frame.y.map(y0 + (cy * (y1 - y0)) / ny)];
  const geometries = contours().size([nx, ny]).thresholds(levels)(Array.from(values));
  const bands = geometries.map((g, k) => {
    let d = "";
    for (const polygon of g.coordinates) {
      for (const ring of polygon) {
        d += pathData([ring.map(([cx, cy]) => toPixel(cx!, cy!))], true);
      }
    }
    return element("path", { class: "contour", "data-level": String(g.value), d: d || undefined, fill: bandColor(k), stroke: "#6b7385", "stroke-opacity": 0.45, "stroke-width": 0.6 });
  });
  const background = element("rect", { x: area.left, y: area.top, width: area.width, height: area.height, fill: fill(0) });

  const bounds = grow(area, 8);
  const drawn = list.map((p, i) => {
    const color = seriesColor(i);
    const pixels = p.points.map(([x, y]): Point => (Number.isFinite(x) && Number.isFinite(y) ? [frame.x.map(x), frame.y.map(y)] : [NaN, NaN]));
    const d = pathData(clipPolyline(pixels, bounds));
    const first = pixels[0]!;
    let lastIndex = pixels.length - 1;
    while (lastIndex > 0 && !(Number.isFinite(pixels[lastIndex]![0]) && Number.isFinite(pixels[lastIndex]![1]))) lastIndex--;
    const last = pixels[lastIndex]!;
    const inside = (q: Point): boolean => Number.isFinite(q[0]) && q[0] >= area.left && q[0] <= area.left + area.width && q[1] >= area.top && q[1] <= area.top + area.height;
    return element("g", { class: "path", "data-name": p.name, "data-points": p.points.length }, [
      d ? element("path", { d, fill: "none", stroke: "#ffffff", "stroke-opacity": 0.85, "stroke-width": 4.5, "stroke-linejoin": "round", "stroke-linecap": "round" }) : "",
      d ? element("path", { class: "path-line", d, fill: "none", stroke: color, "stroke-width": 2, "stroke-linejoin": "round", "stroke-linecap": "round" }) : "",
      inside(first) ? marker("ring", first[0], first[1], color, 5, { class: "start" }) : "",
      inside(last) ? marker("square", last[0], last[1], color, 4.5, { class: "end" }) : "",
    ]);
  });
  const marked = marks.map((m) => {
    const mx = frame.x.map(m.x);
    const my = frame.y.map(m.y!);
    return element("g", { class: "mark", "data-label": m.label }, [marker("cross", mx, my, "#ffffff", 6, { "stroke-width": "5" }), marker("cross", mx, my, "#111111", 6)]);
  });
  const colorbar = drawColorbar(levels, log, bandColor, fill(0), area, valueLabel);
  // Marks under the paths: a run that ends at the minimum shows its end square on the cross.
  return frame.render(background + bands.join("") + marked.join("") + drawn.join(""), colorbar);
}

/** The colour bar right of the plot: one block per band, on a log or linear axis of the levels. */
function drawColorbar(levels: readonly number[], log: boolean, bandColor: (k: number) => string, belowColor: string, area: Area, label: string): string {
  const left = area.left + area.width + 22;
  const barWidth = 14;
  const top = area.top + 16;
  const height = area.height - 16;
  const n = levels.length;
  // The bar shows n + 1 bands of equal height: below the first level, between levels, above the last.
  const bandHeight = height / (n + 1);
  const y = (k: number): number => top + height - k * bandHeight;
  const blocks: string[] = [element("rect", { x: left, y: y(1), width: barWidth, height: bandHeight, fill: belowColor })];
  for (let k = 0; k < n; k++) blocks.push(element("rect", { x: left, y: y(k + 2), width: barWidth, height: bandHeight, fill: bandColor(k) }));
  // Labels at the level boundaries; thinned to about one per 22 pixels.
  const every = Math.max(1, Math.ceil(22 / bandHeight));
  const labelled = levels.map((v, k) => ({ v, k })).filter(({ v, k }) => (log ? isDecade(v) || (every === 1 && k % every === 0) : k % every === 0));
  const labels = labelled.map(({ v, k }) =>
    element("g", { class: "level", "data-value": String(v) }, [
      element("line", { x1: left + barWidth, x2: left + barWidth + 4, y1: y(k + 1), y2: y(k + 1), stroke: "#555555" }),
      text(formatLevel(v, log), { x: left + barWidth + 7, y: y(k + 1), dy: "0.32em", fill: "#333333", "font-size": 11 }),
    ]),
  );
  return element("g", { class: "colorbar" }, [
    text(label, { x: left, y: area.top + 6, fill: "#222222", "font-size": 11 }),
    ...blocks,
    element("rect", { x: left, y: top, width: barWidth, height, fill: "none", stroke: "#777777", "stroke-width": 0.8 }),
    ...labels,
  ]);
}

const isDecade = (v: number): boolean => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;

function formatLevel(v: number, log: boolean): string {
  if (log && isDecade(v)) {
    const k = Math.round(Math.log10(v));
    if (k >= -2 && k <= 4) return String(10 ** k);
    return `1e${k}`;
  }
  return shortNumber(v).replace("-", "−");
}
