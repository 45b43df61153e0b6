/**
 * What every plot shares: scales with their ticks (d3-scale), the layout of title,
 * plot area, axes and legend, and drawing them. A plot builds a Frame from its axes and
 * legend entries, draws its data with `frame.x.map` / `frame.y.map` inside the clipped
 * plot area, and wraps everything with `frame.render(content)`.
 */
import { scaleLinear, scaleLog } from "d3-scale";
import type { PlotSettings } from "./options.ts";
import { element, escapeXml, powerOfTen, px, shortNumber, text, textWidth } from "./svg.ts";

const FONT = 12;
const TITLE_FONT = 15;

/** An axis before layout: its kind, its data domain and whether to round the domain outwards to ticks. */
export interface AxisSpec {
  readonly kind: "linear" | "log";
  readonly domain: readonly [number, number];
  /** Extend the domain to round tick values (d3's nice()); default true. */
  readonly nice?: boolean;
}

/** A labelled tick: its data value and its text. */
export interface Tick {
  readonly value: number;
  readonly label: string;
}

/** A scale mapping data values to pixels, with labelled ticks and unlabelled minor ticks (log axes). */
export interface Scale {
  readonly kind: "linear" | "log";
  /** The domain after nice(). */
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  readonly map: (value: number) => number;
  readonly ticks: readonly Tick[];
  readonly minor: readonly number[];
}

/** Builds the scale of `spec` onto `range` with about `count` labelled ticks. */
export function makeScale(spec: AxisSpec, range: readonly [number, number], count: number): Scale {
  const nice = spec.nice ?? true;
  if (spec.kind === "linear") {
    const scale = scaleLinear().domain([spec.domain[0], spec.domain[1]]).range([range[0], range[1]]);
    if (nice) scale.nice(count);
    const format = scale.tickFormat(count);
    const ticks = scale.ticks(count).map((value) => ({ value, label: format(value) }));
    const [d0, d1] = scale.domain() as [number, number];
    return { kind: "linear", domain: [d0, d1], range, map: (v) => scale(v), ticks, minor: [] };
  }
  const scale = scaleLog().domain([spec.domain[0], spec.domain[1]]).range([range[0], range[1]]);
  if (nice) scale.nice();
  const [d0, d1] = scale.domain() as [number, number];
  const lo = Math.log10(d0);
  const hi = Math.log10(d1);
  const decades = hi - lo;
  let ticks: Tick[];
  let minor: number[] = [];
  if (decades <= 1.5) {
    // Within a decade or so, powers of ten alone would leave the axis bare: label 1, 2 and 5 × 10^k.
    const all = scale.ticks(10).filter((v) => v >= d0 * (1 - 1e-12) && v <= d1 * (1 + 1e-12));
    const labelled = all.filter((v) => [1, 2, 5].includes(Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-12))));
    ticks = (labelled.length >= 2 ? labelled : all).map((value) => ({ value, label: shortNumber(value) }));
    minor = all.filter((v) => !ticks.some((t) => t.value === v));
  } else {
    // Whole decades, every `step`-th one labelled so that at most about `count` labels show.
    const step = Math.max(1, Math.ceil(decades / count));
    ticks = [];
    for (let k = Math.ceil(lo - 1e-9); k <= Math.floor(hi + 1e-9); k++) {
      if (k % step === 0) ticks.push({ value: 10 ** k, label: powerOfTen(k) });
      else minor.push(10 ** k);
    }
  }
  return { kind: "log", domain: [d0, d1], range, map: (v) => scale(v), ticks, minor };
}

/** A legend row: a line, a marker, or both. */
export interface LegendEntry {
  readonly label: string;
  readonly color: string;
  readonly line?: boolean;
  /** "circle", "cross" or "square" drawn in the middle of the swatch. */
  readonly marker?: "circle" | "cross" | "square" | "ring";
  /** Dashed line. */
  readonly dashed?: boolean;
}

/** Where the plot area is, in pixels. */
export interface Area {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** A laid-out plot: scales, plot area, and the function that draws the frame around the content. */
export interface Frame {
  readonly x: Scale;
  readonly y: Scale;
  readonly area: Area;
  /** The whole SVG document: frame, grid, `content` clipped to the area, axes, legend and `extra` (unclipped, drawn last). */
  render(content: string, extra?: string): string;
}

/** What makeFrame lays out. */
export interface FrameOptions {
  readonly settings: PlotSettings;
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly legend: readonly LegendEntry[];
  /** Short name of the plot, used for element ids and the class of the root. */
  readonly kind: string;
  /** Pixels kept free right of the plot area before the legend (e.g. for a colour bar). */
  readonly rightExtra?: number;
  /** Pixels kept free above the plot area (e.g. for a band of markers). */
  readonly topExtra?: number;
  /** Pixels kept below the x axis' labels, and the area left for the caller there (a second panel). */
  readonly bottomExtra?: number;
  /** Tick labels of another panel that shares the left margin (their width is taken into account). */
  readonly extraLeftLabels?: readonly string[];
  /** Keep one data unit the same number of pixels on both axes (the domains grow around their centres). */
  readonly equalScale?: boolean;
}

/** About one labelled tick per 90 pixels, at least two. */
export const tickCount = (pixels: number): number => Math.max(2, Math.round(pixels / 90));

/** Lays out a plot: margins from the tick labels, the title and the legend; then the scales. */
export function makeFrame(o: FrameOptions): Frame {
  const { settings } = o;
  const top = (settings.title ? 44 : 18) + (o.topExtra ?? 0);
  const legendWidth = o.legend.length === 0 ? 0 : 40 + Math.max(...o.legend.map((e) => textWidth(e.label, FONT)));
  const right = 18 + (o.rightExtra ?? 0) + legendWidth;
  const bottom = 50 + (o.bottomExtra ?? 0);
  let ySpec = o.y;
  let xSpec = o.x;
  const provisionalHeight = settings.height - top - bottom;
  const yLabels = makeScale(ySpec, [0, 1], tickCount(provisionalHeight)).ticks;
  const yLabelWidth = Math.max(0, ...yLabels.map((t) => textWidth(t.label, FONT)), ...(o.extraLeftLabels ?? []).map((l) => textWidth(l, FONT)));
  const left = 24 + (settings.yLabel ? 20 : 0) + yLabelWidth;
  const area: Area = { left, top, width: Math.max(40, settings.width - left - right), height: Math.max(40, settings.height - top - bottom) };
  if (o.equalScale) [xSpec, ySpec] = equalize(xSpec, ySpec, area);
  const x = makeScale(xSpec, [area.left, area.left + area.width], tickCount(area.width));
  const y = makeScale(ySpec, [area.top + area.height, area.top], tickCount(area.height));
  return {
    x,
    y,
    area,
    render(content: string, extra = ""): string {
      const { width, height } = settings;
      // An id derived from the drawing: deterministic, and distinct enough to inline several plots in one page.
      const clipId = `${o.kind}-${hash(content + extra)}`;
      const parts: string[] = [];
      parts.push(element("rect", { width, height, fill: "#ffffff" }));
      parts.push(element("defs", {}, element("clipPath", { id: clipId }, element("rect", { x: area.left, y: area.top, width: area.width, height: area.height }))));
      parts.push(grid(x, y, area));
      parts.push(element("g", { class: "content", "clip-path": `url(#${clipId})` }, content));
      parts.push(axes(x, y, area, settings));
      if (settings.title) parts.push(text(settings.title, { class: "title", x: area.left, y: 26, "font-size": TITLE_FONT, "font-weight": "600", fill: "#222222" }));
      if (o.legend.length > 0) parts.push(legend(o.legend, settings.width - legendWidth - 8, area.top));
      parts.push(extra);
      return svgDocument(width, height, o.kind, settings.title, parts.join(""));
    },
  };
}

/** FNV-1a of a string, as 8 hex digits. */
export function hash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, "0");
}

/** Grows the narrower domain around its centre so that both axes have the same units per pixel. */
function equalize(x: AxisSpec, y: AxisSpec, area: Area): [AxisSpec, AxisSpec] {
  const xUnits = (x.domain[1] - x.domain[0]) / area.width;
  const yUnits = (y.domain[1] - y.domain[0]) / area.height;
  const units = Math.max(xUnits, yUnits);
  const grow = (d: readonly [number, number], pixels: number): [number, number] => {
    const centre = (d[0] + d[1]) / 2;
    return [centre - (units * pixels) / 2, centre + (units * pixels) / 2];
  };
  return [
    { kind: "linear", domain: grow(x.domain, area.width), nice: false },
    { kind: "linear", domain: grow(y.domain, area.height), nice: false },
  ];
}

/** The root element with a title for screen readers. */
export function svgDocument(width: number, height: number, kind: string, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `class="downhill-plot ${kind}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="${FONT}" role="img">` +
    (title ? `<title>${escapeXml(title)}</title>` : "") +
    body +
    "</svg>\n"
  );
}

/** The plot area (with its domains as data attributes) and its grid lines at the ticks. */
export function grid(x: Scale, y: Scale, area: Area): string {
  const lines: string[] = [];
  const bottom = area.top + area.height;
  const right = area.left + area.width;
  for (const t of x.ticks) lines.push(`M${px(x.map(t.value))},${px(area.top)}V${px(bottom)}`);
  for (const t of y.ticks) lines.push(`M${px(area.left)},${px(y.map(t.value))}H${px(right)}`);
  const minor: string[] = [];
  for (const v of x.minor) minor.push(`M${px(x.map(v))},${px(area.top)}V${px(bottom)}`);
  for (const v of y.minor) minor.push(`M${px(area.left)},${px(y.map(v))}H${px(right)}`);
  return (
    element("rect", { class: "plot-area", x: area.left, y: area.top, width: area.width, height: area.height, fill: "#ffffff", "data-x-domain": domainText(x), "data-y-domain": domainText(y), "data-x-scale": x.kind, "data-y-scale": y.kind }) +
    (minor.length ? element("path", { class: "grid-minor", d: minor.join(""), stroke: "#f0f0f0", "stroke-width": 1, fill: "none" }) : "") +
    element("path", { class: "grid", d: lines.join(""), stroke: "#e4e4e4", "stroke-width": 1, fill: "none" })
  );
}

const domainText = (s: Scale): string => `${s.domain[0]} ${s.domain[1]}`;

/** The bottom and left axes: lines, ticks, labels and axis titles. */
export function axes(x: Scale, y: Scale, area: Area, settings: Pick<PlotSettings, "xLabel" | "yLabel">): string {
  const bottom = area.top + area.height;
  const parts: string[] = [];
  const xTicks = x.ticks.map((t) => {
    const at = x.map(t.value);
    return element("g", { class: "tick", "data-value": String(t.value), transform: `translate(${px(at)},${px(bottom)})` }, [
      element("line", { y2: 5, stroke: "#555555" }),
      text(t.label, { y: 18, "text-anchor": "middle", fill: "#333333" }),
    ]);
  });
  const yTicks = y.ticks.map((t) => {
    const at = y.map(t.value);
    return element("g", { class: "tick", "data-value": String(t.value), transform: `translate(${px(area.left)},${px(at)})` }, [
      element("line", { x2: -5, stroke: "#555555" }),
      text(t.label, { x: -8, dy: "0.32em", "text-anchor": "end", fill: "#333333" }),
    ]);
  });
  parts.push(element("g", { class: "axis x-axis" }, [element("path", { d: `M${px(area.left)},${px(bottom)}H${px(area.left + area.width)}`, stroke: "#555555" }), ...xTicks]));
  parts.push(element("g", { class: "axis y-axis" }, [element("path", { d: `M${px(area.left)},${px(area.top)}V${px(bottom)}`, stroke: "#555555" }), ...yTicks]));
  if (settings.xLabel) parts.push(text(settings.xLabel, { class: "axis-label x-label", x: area.left + area.width / 2, y: bottom + 38, "text-anchor": "middle", fill: "#222222" }));
  if (settings.yLabel) {
    const cx = 16;
    const cy = area.top + area.height / 2;
    parts.push(text(settings.yLabel, { class: "axis-label y-label", transform: `translate(${px(cx)},${px(cy)}) rotate(-90)`, "text-anchor": "middle", fill: "#222222" }));
  }
  return parts.join("");
}

/** A marker shape centred at (x, y). */
export function marker(shape: "circle" | "cross" | "square" | "ring", x: number, y: number, color: string, size = 5, extra: Record<string, string> = {}): string {
  switch (shape) {
    case "circle":
      return element("circle", { cx: x, cy: y, r: size, fill: color, stroke: "#ffffff", "stroke-width": 1.5, ...extra });
    case "ring":
      return element("circle", { cx: x, cy: y, r: size, fill: "#ffffff", stroke: color, "stroke-width": 2.5, ...extra });
    case "square":
      return element("rect", { x: x - size, y: y - size, width: 2 * size, height: 2 * size, fill: color, stroke: "#ffffff", "stroke-width": 1.5, ...extra });
    case "cross": {
      const s = size;
      const d = `M${px(x - s)},${px(y - s)}L${px(x + s)},${px(y + s)}M${px(x - s)},${px(y + s)}L${px(x + s)},${px(y - s)}`;
      return element("path", { d, stroke: color, "stroke-width": 2.5, "stroke-linecap": "round", fill: "none", ...extra });
    }
  }
}

function legend(entries: readonly LegendEntry[], left: number, top: number): string {
  const rows = entries.map((e, i) => {
    const y = top + 8 + i * 20;
    const swatch: string[] = [];
    if (e.line ?? true) swatch.push(element("line", { x1: 0, x2: 24, y1: 0, y2: 0, stroke: e.color, "stroke-width": 2.5, "stroke-dasharray": e.dashed ? "5 3" : undefined }));
    if (e.marker) swatch.push(marker(e.marker, 12, 0, e.color, 4));
    return element("g", { class: "legend-entry", "data-name": e.label, transform: `translate(${px(left)},${px(y)})` }, [...swatch, text(e.label, { x: 30, dy: "0.32em", fill: "#222222" })]);
  });
  return element("g", { class: "legend" }, rows);
}
