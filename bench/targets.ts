/**
 * Issue 9's targets, evaluated on one run's rounds: the table of ratios (downhill wasm
 * vs the native crate, vs the faster TF.js backend; the ts fallback vs a plain JS loop)
 * and the three further targets (W1 near the bandwidth probe, the public API's overhead
 * over the bare kernel, fit() over the same loop against the kernels). Lower is faster.
 * Two contenders of one case are compared round by round (harness.ts pairedRatio); the
 * step and the bandwidth probe, two cases, by their medians.
 */
import { formatRatio, pairedRatio, type ContenderName, type Measurement } from "./harness.ts";

export interface TargetResult {
  /** The table row or the further target's name. */
  row: string;
  column: string;
  /** Largest accepted value of `measured`. */
  target: number;
  /** The measured ratio, or null when a time is missing (not run, e.g. N = 1e6 in --quick). */
  measured: number | null;
  ok: boolean | null;
}

interface Row {
  label: string;
  case: string;
  /** Bounds per column; null where the issue sets none ("—"). */
  native: number;
  tfjs: number | null;
  plain: number | null;
}

export const COLUMNS = ["downhill wasm vs native crate", "downhill wasm vs best TF.js backend", "ts fallback vs plain JS loop"] as const;

export interface TargetCases {
  /** Case names of W2, W3 and W4 by dtype (they carry the row count). */
  gradient: (dtype: "f32" | "f64") => string;
  seed: (dtype: "f32" | "f64") => string;
  epoch: (dtype: "f32" | "f64") => string;
}

function rows(names: TargetCases): Row[] {
  return [
    { label: "W1 Adam f32 N=1e6", case: "W1 Adam f32 N=1e6", native: 1.3, tfjs: 1 / 10, plain: 1.2 },
    { label: "W1 Adam f32 N=1e3 (overhead)", case: "W1 Adam f32 N=1e3", native: 1.5, tfjs: 1 / 50, plain: 1.2 },
    { label: "W1 Adam f64 N=1e6", case: "W1 Adam f64 N=1e6", native: 1.5, tfjs: null, plain: 1.2 },
    { label: "W1 Adam f64 N=1e3", case: "W1 Adam f64 N=1e3", native: 1.5, tfjs: null, plain: 1.2 },
    { label: "W2 f32", case: names.gradient("f32"), native: 1.5, tfjs: 1 / 5, plain: null },
    { label: "W2 f64", case: names.gradient("f64"), native: 1.5, tfjs: null, plain: null },
    { label: "W3 f32", case: names.seed("f32"), native: 1.2, tfjs: 1 / 1000, plain: null },
    { label: "W3 f64", case: names.seed("f64"), native: 1.2, tfjs: null, plain: null },
    { label: "W4 f32", case: names.epoch("f32"), native: 1.5, tfjs: 1 / 500, plain: null },
    { label: "W4 f64", case: names.epoch("f64"), native: 1.5, tfjs: null, plain: null },
  ];
}

/** Every target cell of the issue, measured where the run has both times. */
export function evaluateTargets(results: readonly Measurement[], names: TargetCases): TargetResult[] {
  const find = (name: string, contender: ContenderName) => results.find((r) => r.case === name && r.contender === contender) ?? null;
  const time = (name: string, contender: ContenderName) => find(name, contender)?.medianUs ?? null;
  const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
  /** `a`'s time over `b`'s in case `name`, round by round. */
  const paired = (name: string, a: ContenderName, b: ContenderName) => {
    const [x, y] = [find(name, a), find(name, b)];
    return x === null || y === null ? null : pairedRatio(x, y);
  };
  const result = (row: string, column: string, target: number, measured: number | null): TargetResult => ({
    row,
    column,
    target,
    measured,
    ok: measured === null ? null : measured <= target,
  });
  const out: TargetResult[] = [];
  for (const r of rows(names)) {
    out.push(result(r.label, COLUMNS[0], r.native, paired(r.case, "wasm", "native")));
    if (r.tfjs !== null) {
      // The faster backend by median, compared round by round.
      const tf = (["tfjs-wasm", "tfjs-cpu"] as const).filter((c) => time(r.case, c) !== null).sort((a, b) => time(r.case, a)! - time(r.case, b)!)[0];
      out.push(result(r.label, COLUMNS[1], r.tfjs, tf === undefined ? null : paired(r.case, "wasm", tf)));
    }
    if (r.plain !== null) out.push(result(r.label, COLUMNS[2], r.plain, paired(r.case, "ts", "plain JS")));
  }
  for (const dtype of ["f32", "f64"] as const) {
    const name = `W1 Adam ${dtype} N=1e6`;
    out.push(result(`W1 Adam ${dtype} N=1e6 step / bandwidth probe (wasm)`, "also", 2, ratio(time(name, "wasm"), time(`W1 bandwidth probe ${dtype} N=1e6`, "wasm"))));
  }
  for (const dtype of ["f32", "f64"] as const) {
    const name = `W1 Adam ${dtype} N=1e3`;
    const overhead = paired(name, "wasm", "wasm kernels");
    out.push(result(`W1 Adam ${dtype} N=1e3: public step() overhead over the bare kernel`, "also", 0.1, overhead === null ? null : overhead - 1));
  }
  for (const [workload, name] of [["W3", names.seed], ["W4", names.epoch]] as const) {
    for (const dtype of ["f32", "f64"] as const) {
      out.push(result(`${workload} ${dtype}: fit() / the same loop against the kernels`, "also", 1.2, paired(name(dtype), "wasm", "wasm kernels")));
    }
  }
  return out;
}

const mark = (ok: boolean | null) => (ok === null ? "" : ok ? " ✔" : " ✘");

/** A ratio below 1 as "1/x" (the TF.js column's targets are written so). */
const asFraction = (r: number) => {
  if (r >= 1) return formatRatio(r);
  const x = 1 / r;
  return `1/${x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1).replace(/\.0$/, "") : x.toFixed(2).replace(/\.?0+$/, "")}`;
};

function cell(t: TargetResult | undefined): string {
  if (!t) return "—";
  const fraction = t.column === COLUMNS[1];
  const bound = fraction ? `≤ ${asFraction(t.target)}` : `≤ ${t.target}×`;
  if (t.measured === null) return `not measured (${bound})`;
  return `${fraction ? asFraction(t.measured) : formatRatio(t.measured)} (${bound})${mark(t.ok)}`;
}

/** The table with the measured ratio, its bound and ✔/✘ per cell, then the further targets. */
export function targetTables(targets: readonly TargetResult[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const labels = [...new Set(targets.filter((t) => t.column !== "also").map((t) => t.row))];
  const table = [
    line(["workload", ...COLUMNS]),
    line(["---", ...COLUMNS.map(() => "---")]),
    ...labels.map((label) => line([label, ...COLUMNS.map((c) => cell(targets.find((t) => t.row === label && t.column === c)))])),
  ];
  const also = targets.filter((t) => t.column === "also");
  const percent = (x: number) => `${(x * 100).toFixed(1)} %`;
  const further = [
    line(["also", "measured", "target", ""]),
    line(["---", "---", "---", "---"]),
    ...also.map((t) => {
      const overhead = t.target < 1;
      const value = t.measured === null ? "not measured" : overhead ? percent(t.measured) : formatRatio(t.measured);
      return line([t.row, value, overhead ? `≤ ${percent(t.target)}` : `≤ ${t.target}×`, mark(t.ok).trim()]);
    }),
  ];
  return `${table.join("\n")}\n\n${further.join("\n")}`;
}
