/**
 * The learning-rate sweep: the loss each rate reached against the rate, both on log
 * scales, one line per sweep. Rates that diverged have no meaningful loss: they are
 * drawn as crosses in a band above the plot, at their rate. The suggested rate is
 * ringed and named in the legend.
 */
import { DownhillRangeError, DownhillTypeError, describe } from "../errors.ts";
import { makeFrame, marker, type LegendEntry } from "./frame.ts";
import { checkBoolean, checkNumber, checkObject, checkPlotOptions, checkSeriesList, checkString, type PlotOptions } from "./options.ts";
import { clipPolyline, grow, pathData, type Point } from "./polyline.ts";
import { element, seriesColor, shortNumber, text } from "./svg.ts";

/** One rate's outcome; lrSweep's SweepPoint fits (other fields are ignored). */
export interface LrSweepPoint {
  /** The learning rate tried. */
  readonly lr: number;
  /** The loss it reached. */
  readonly loss: number;
  /** Whether it diverged (drawn as a cross). */
  readonly diverged: boolean;
}

/** One sweep: lrSweep's result fits as `{ name, points: result.points, suggestion: result.suggestion }`. */
export interface LrSweepSeries {
  /** Shown in the legend; distinct per sweep. */
  readonly name: string;
  /** One point per rate tried. */
  readonly points: readonly LrSweepPoint[];
  /** The suggested rate (ringed), one of the points' rates; null or absent for none. */
  readonly suggestion?: number | null;
}

/** Options of plotLrSweep: the common PlotOptions. */
export type LrSweepPlotOptions = PlotOptions;

const A = "plotLrSweep";

/** A log range grown by 6% of its decades (at least a fifth of a decade) on each side, so that no point or ring sits on the frame. */
function padLog(lo: number, hi: number): [number, number] {
  const pad = 10 ** Math.max(0.2, 0.06 * Math.log10(hi / lo));
  return [lo / pad, hi * pad];
}

function checkSeries(item: unknown, argument: string): { name: string; points: LrSweepPoint[]; suggestion: number | null } {
  const o = checkObject(argument, item, ["name", "points", "suggestion"], ["name", "points"]);
  const name = checkString(`${argument}.name`, o["name"]);
  const raw = o["points"];
  if (!Array.isArray(raw)) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument}.points must be an array of { lr, loss, diverged }; got ${describe(raw)}.`);
  if (raw.length === 0) throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.points is empty; give at least one rate's outcome.`);
  const points = raw.map((p: unknown, k): LrSweepPoint => {
    const a = `${argument}.points[${k}]`;
    if (typeof p !== "object" || p === null) throw new DownhillTypeError("INVALID_ARGUMENT", `${a} must be an object { lr, loss, diverged }; got ${describe(p)}.`);
    const q = p as Record<string, unknown>;
    const lr = checkNumber(`${a}.lr`, q["lr"], { min: 0, minExclusive: true });
    if (typeof q["loss"] !== "number") throw new DownhillTypeError("INVALID_ARGUMENT", `${a}.loss must be a number (NaN allowed for a diverged rate); got ${describe(q["loss"])}.`);
    return { lr, loss: q["loss"], diverged: checkBoolean(`${a}.diverged`, q["diverged"]) };
  });
  let suggestion: number | null = null;
  if (o["suggestion"] !== undefined && o["suggestion"] !== null) {
    suggestion = checkNumber(`${argument}.suggestion`, o["suggestion"], { min: 0, minExclusive: true });
    if (!points.some((p) => p.lr === suggestion && !p.diverged)) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `${argument}.suggestion (${suggestion}) must be the lr of one of the points that did not diverge.`);
    }
  }
  return { name, points, suggestion };
}

/**
 * A learning-rate sweep as an SVG document (a string): loss against learning rate on
 * log-log axes, one line per sweep, diverged rates as crosses in a band above the plot,
 * the suggested rate ringed. Same input, same bytes.
 *
 * @example
 * const sweep = await lrSweep(fitTrial(() => new LinearRegression(), data), { from: 1e-6, to: 1 });
 * const svg = plotLrSweep([{ name: "SGD", points: sweep.points, suggestion: sweep.suggestion }]);
 */
export function plotLrSweep(series: readonly LrSweepSeries[], options: LrSweepPlotOptions = {}): string {
  const settings = checkPlotOptions(`${A} options`, options, [], { xLabel: "learning rate", yLabel: "loss after the trial" });
  const list = checkSeriesList(`${A}(series)`, series, checkSeries);
  const rates = list.flatMap((s) => s.points.map((p) => p.lr));
  const losses = list.flatMap((s) => s.points.filter((p) => !p.diverged && Number.isFinite(p.loss) && p.loss > 0).map((p) => p.loss));
  const xLo = Math.min(...rates);
  const xHi = Math.max(...rates);
  const yLo = losses.length > 0 ? Math.min(...losses) : 1;
  const yHi = losses.length > 0 ? Math.max(...losses) : 10;
  const anyDiverged = list.some((s) => s.points.some((p) => p.diverged));
  const band = anyDiverged ? 14 + 10 * list.length : 0;

  const legend: LegendEntry[] = list.map((s, i) => ({
    label: s.suggestion === null ? s.name : `${s.name} (suggested ${shortNumber(s.suggestion)})`,
    color: seriesColor(i),
    marker: "circle" as const,
  }));
  if (anyDiverged) legend.push({ label: "diverged", color: "#444444", line: false, marker: "cross" });
  if (list.some((s) => s.suggestion !== null)) legend.push({ label: "suggested rate", color: "#444444", line: false, marker: "ring" });
  const frame = makeFrame({
    settings,
    x: { kind: "log", domain: padLog(xLo, xHi), nice: false },
    y: { kind: "log", domain: padLog(yLo, yHi), nice: false },
    legend,
    kind: "lr-sweep-plot",
    topExtra: band,
  });
  const { area } = frame;
  const bounds = grow(area, 6);
  const drawn = list.map((s, i) => {
    const color = seriesColor(i);
    const drawable = (p: LrSweepPoint): boolean => !p.diverged && Number.isFinite(p.loss) && p.loss > 0;
    // The line joins neighbouring rates that did not diverge; a diverged rate breaks it.
    const pixels = s.points.map((p): Point => (drawable(p) ? [frame.x.map(p.lr), frame.y.map(p.loss)] : [NaN, NaN]));
    const d = pathData(clipPolyline(pixels, bounds));
    const dots = s.points.filter(drawable).map((p) => marker("circle", frame.x.map(p.lr), frame.y.map(p.loss), color, 4, { class: "point", "data-lr": String(p.lr), "data-loss": String(p.loss) }));
    const best = s.points.find((p) => p.lr === s.suggestion && drawable(p));
    const ring = best ? marker("ring", frame.x.map(best.lr), frame.y.map(best.loss), color, 9, { class: "suggestion", "fill-opacity": "0" }) : "";
    return element("g", { class: "series", "data-name": s.name }, [
      d ? element("path", { d, fill: "none", stroke: color, "stroke-width": 2, "stroke-linejoin": "round" }) : "",
      ...dots,
      ring,
    ]);
  });
  let diverged = "";
  if (anyDiverged) {
    const bandTop = area.top - band;
    const crosses = list.flatMap((s, i) =>
      s.points.filter((p) => p.diverged).map((p) => marker("cross", frame.x.map(p.lr), bandTop + 8 + 10 * i, seriesColor(i), 4, { class: "diverged", "data-lr": String(p.lr), "data-name": s.name })),
    );
    diverged = element("g", { class: "diverged-band" }, [
      element("rect", { x: area.left, y: bandTop, width: area.width, height: band - 4, fill: "#fbeaea" }),
      text("diverged", { x: area.left - 6, y: bandTop + (band - 4) / 2, dy: "0.32em", "text-anchor": "end", fill: "#a33", "font-size": 11 }),
      ...crosses,
    ]);
  }
  return frame.render(drawn.join(""), diverged);
}
