/**
 * Loss curves: one line per series (loss against iteration or epoch), on a log-scale
 * loss axis by default, with a legend. Values that cannot be drawn (NaN, ±Infinity, and
 * on a log scale 0 and below) leave a gap, so a diverging run ends where it blew up.
 */
import { DownhillRangeError } from "../errors.ts";
import { makeFrame, type AxisSpec } from "./frame.ts";
import { checkChoice, checkDomain, checkNumbers, checkObject, checkPlotOptions, checkSeriesList, checkString, optional, type PlotOptions } from "./options.ts";
import { clipPolyline, grow, pathData, type Point } from "./polyline.ts";
import { element, seriesColor } from "./svg.ts";

/** One curve. */
export interface LossSeries {
  /** Shown in the legend; distinct per series. */
  readonly name: string;
  /** The losses, one per point. */
  readonly values: ArrayLike<number>;
  /** The x of each value (as many as values); default 0, 1, 2, … */
  readonly x?: ArrayLike<number>;
}

/** Options of plotLoss (and the common PlotOptions). */
export interface LossPlotOptions extends PlotOptions {
  /** Scale of the loss axis; default "log". */
  yScale?: "log" | "linear";
  /** Scale of the x axis; default "linear" ("log" needs x > 0). */
  xScale?: "linear" | "log";
  /** Loss axis range `[lo, hi]`; default the data's range, rounded outwards. */
  yDomain?: readonly [number, number];
  /** x axis range `[lo, hi]`; default the data's range, rounded outwards. */
  xDomain?: readonly [number, number];
}

const A = "plotLoss";
const KEYS = ["yScale", "xScale", "yDomain", "xDomain"];

function checkSeries(item: unknown, argument: string): LossSeries {
  const o = checkObject(argument, item, ["name", "values", "x"], ["name", "values"]);
  const name = checkString(`${argument}.name`, o["name"]);
  const values = checkNumbers(`${argument}.values`, o["values"]);
  if (o["x"] === undefined) return { name, values };
  const x = checkNumbers(`${argument}.x`, o["x"]);
  if (x.length !== values.length) {
    throw new DownhillRangeError("SHAPE_MISMATCH", `${argument}.x has ${x.length} values but ${argument}.values has ${values.length}; give one x per value.`);
  }
  return { name, values, x };
}

/** The extent of the values a scale can show (finite; > 0 on a log scale). */
function extent(arrays: readonly ArrayLike<number>[], log: boolean): [number, number] | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const values of arrays) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v) || (log && v <= 0)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : null;
}

/** A domain that has width: a single value v becomes [v/2, 2v] (log) or [v − 1, v + 1] (linear). */
function widen([lo, hi]: [number, number], log: boolean): [number, number] {
  if (lo < hi) return [lo, hi];
  return log ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
}

/**
 * Loss curves as an SVG document (a string): one line per series against its x
 * (default the index), on a log-scale loss axis unless `yScale: "linear"`, with axes,
 * ticks, labels and a legend. Same input, same bytes.
 *
 * @example
 * const svg = plotLoss([{ name: "SGD", values: sgdLosses }, { name: "Adam", values: adamLosses }], { title: "Training loss" });
 */
export function plotLoss(series: readonly LossSeries[], options: LossPlotOptions = {}): string {
  const settings = checkPlotOptions(`${A} options`, options, KEYS, { xLabel: "iteration", yLabel: "loss" });
  const o = options as Record<string, unknown>;
  const yScale = optional(o["yScale"], "log" as const, (v) => checkChoice(`${A} options.yScale`, v, ["log", "linear"] as const));
  const xScale = optional(o["xScale"], "linear" as const, (v) => checkChoice(`${A} options.xScale`, v, ["linear", "log"] as const));
  const yLog = yScale === "log";
  const xLog = xScale === "log";
  const yDomain = o["yDomain"] === undefined ? undefined : checkDomain(`${A} options.yDomain`, o["yDomain"], yLog);
  const xDomain = o["xDomain"] === undefined ? undefined : checkDomain(`${A} options.xDomain`, o["xDomain"], xLog);
  const list = checkSeriesList(`${A}(series)`, series, checkSeries);
  const xs = list.map((s) => s.x ?? Float64Array.from({ length: s.values.length }, (_, i) => i));

  const yExtent = yDomain ?? extent(list.map((s) => s.values), yLog);
  if (yExtent === null) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${A}(series): no value can be drawn${yLog ? " on a log scale (every value is NaN, infinite, or <= 0; use yScale: \"linear\" for losses <= 0)" : " (every value is NaN or infinite)"}.`);
  }
  const xExtent = xDomain ?? extent(xs, xLog);
  if (xExtent === null) throw new DownhillRangeError("INVALID_ARGUMENT", `${A}(series): no x value can be drawn${xLog ? " on a log scale (x must be > 0)" : ""}.`);
  const ySpec: AxisSpec = { kind: yScale, domain: widen([yExtent[0], yExtent[1]], yLog), nice: yDomain === undefined };
  // A log x axis keeps the data's own range: rounding out to whole decades could leave most of it empty.
  const xSpec: AxisSpec = { kind: xScale, domain: widen([xExtent[0], xExtent[1]], xLog), nice: xDomain === undefined && !xLog };

  const legend = list.map((s, i) => ({ label: s.name, color: seriesColor(i) }));
  const frame = makeFrame({ settings, x: xSpec, y: ySpec, legend, kind: "loss-plot" });
  const bounds = grow(frame.area, 4);
  const lines = list.map((s, i) => {
    const x = xs[i]!;
    const points: Point[] = [];
    for (let k = 0; k < s.values.length; k++) {
      const v = s.values[k]!;
      const xv = x[k]!;
      const drawable = Number.isFinite(v) && Number.isFinite(xv) && (!yLog || v > 0) && (!xLog || xv > 0);
      points.push(drawable ? [frame.x.map(xv), frame.y.map(v)] : [NaN, NaN]);
    }
    const d = pathData(clipPolyline(points, bounds));
    return element("path", { class: "series", "data-name": s.name, "data-points": s.values.length, d: d || undefined, fill: "none", stroke: seriesColor(i), "stroke-width": 2, "stroke-linejoin": "round", "stroke-linecap": "round" });
  });
  return frame.render(lines.join(""));
}
