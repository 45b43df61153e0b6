/**
 * Polylines in pixel space: cut at non-finite points, clipped to a rectangle
 * (Liang–Barsky, per segment), and written as compact SVG path data. Clipping in
 * numbers rather than only with a clipPath keeps a diverging path (weights at 1e30)
 * from writing huge coordinates, and keeps the visible part's direction exact. The path
 * data itself comes from d3-shape.
 */
import { curveLinearClosed, line } from "d3-shape";
import type { Area } from "./frame.ts";
import { px } from "./svg.ts";

/** A point in pixels (or data units), [x, y]. */
export type Point = readonly [number, number];

/** The part of segment a→b inside the rectangle, or null (Liang & Barsky 1984). */
function clipSegment(a: Point, b: Point, r: Area): [Point, Point] | null {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  let t0 = 0;
  let t1 = 1;
  const edges: [number, number][] = [
    [-dx, a[0] - r.left],
    [dx, r.left + r.width - a[0]],
    [-dy, a[1] - r.top],
    [dy, r.top + r.height - a[1]],
  ];
  for (const [p, q] of edges) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const t = q / p;
    if (p < 0) {
      if (t > t1) return null;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return null;
      if (t < t1) t1 = t;
    }
  }
  return [
    [a[0] + t0 * dx, a[1] + t0 * dy],
    [a[0] + t1 * dx, a[1] + t1 * dy],
  ];
}

/** The visible pieces of a polyline: split at non-finite points and where it leaves `bounds`. */
export function clipPolyline(points: readonly Point[], bounds: Area): Point[][] {
  const pieces: Point[][] = [];
  let current: Point[] = [];
  const finish = (): void => {
    if (current.length > 0) pieces.push(current);
    current = [];
  };
  const finite = (p: Point): boolean => Number.isFinite(p[0]) && Number.isFinite(p[1]);
  if (points.length === 1 && finite(points[0]!)) {
    const only = clipSegment(points[0]!, points[0]!, bounds);
    return only ? [[only[0]]] : [];
  }
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (!finite(a) || !finite(b)) {
      finish();
      continue;
    }
    const visible = clipSegment(a, b, bounds);
    if (visible === null) {
      finish();
      continue;
    }
    const [p, q] = visible;
    const last = current[current.length - 1];
    if (last === undefined || last[0] !== p[0] || last[1] !== p[1]) {
      finish();
      current.push(p);
    }
    current.push(q);
    if (q[0] !== b[0] || q[1] !== b[1]) finish();
  }
  finish();
  return pieces;
}

const open = line<Point>().digits(2);
const closed = line<Point>().curve(curveLinearClosed).digits(2);

/** Drops points that round to the same hundredth of a pixel as the one before (a long run crawling in place draws nothing new). */
function distinct(piece: readonly Point[]): Point[] {
  const kept: Point[] = [];
  let previous = "";
  for (const p of piece) {
    const key = `${px(p[0])},${px(p[1])}`;
    if (key !== previous) kept.push(p);
    previous = key;
  }
  return kept;
}

/** SVG path data (d3-shape's line, two decimals) of pieces of polylines; closed rings with `close`. */
export function pathData(pieces: readonly (readonly Point[])[], close = false): string {
  const generator = close ? closed : open;
  return pieces.map((piece) => generator(distinct(piece)) ?? "").join("");
}

/** A rectangle grown by `margin` pixels on every side. */
export const grow = (r: Area, margin: number): Area => ({ left: r.left - margin, top: r.top - margin, width: r.width + 2 * margin, height: r.height + 2 * margin });
