/**
 * `downhill/plot`: SVG plots of optimization runs, as strings — loss curves, optimizer
 * paths over a contour plot, learning-rate sweeps, and runs on a function of one
 * variable. Built with d3-contour, d3-scale and d3-shape; no DOM needed, so they work in
 * Node, Deno and browsers alike. The same input always gives the same bytes.
 *
 * A separate entry point: the core `downhill` does not load d3.
 *
 * @example
 * import { plotLoss } from "downhill/plot";
 * import { writeFileSync } from "node:fs";
 * writeFileSync("loss.svg", plotLoss([{ name: "Adam", values: result.history.map((h) => h.trainLoss) }]));
 *
 * @module
 */
export { plotLoss, type LossPlotOptions, type LossSeries } from "./loss.ts";
export { plotContour, CONTOUR_DEFAULTS, type ContourPath, type ContourPlotOptions } from "./contour.ts";
export { plotLrSweep, type LrSweepPlotOptions, type LrSweepPoint, type LrSweepSeries } from "./lr-sweep.ts";
export { plotFunction, FUNCTION_PLOT_DEFAULTS, type FunctionPath, type FunctionPlotOptions } from "./function.ts";
export { PLOT_DEFAULTS, type PlotOptions } from "./options.ts";
export { PALETTE } from "./svg.ts";
export { DownhillError, DownhillRangeError, DownhillTypeError, type ErrorCode } from "../errors.ts";
