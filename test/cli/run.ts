/**
 * Helpers of the CLI tests: run the built `downhill` command (dist/cli.js, from
 * `npm run build`) in a temporary directory, write CSVs, and the independent arithmetic
 * the tests compare with (least squares by Gaussian elimination, statistics in f64).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The CLI under test: dist/cli.js, or the file DOWNHILL_TEST_CLI names (another build of it). */
export const CLI = process.env["DOWNHILL_TEST_CLI"] ?? new URL("../../dist/cli.js", import.meta.url).pathname;

export function cliBuilt(): boolean {
  return existsSync(CLI);
}

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A temporary directory, removed by `dispose()`. */
export function workspace(): { dir: string; path: (name: string) => string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "downhill-cli-"));
  return { dir, path: (name) => join(dir, name), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs `downhill …args` in `cwd` and waits for it. */
export function downhill(args: readonly string[], cwd: string, cli = CLI): Run {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `downhill …args`, resolving once `ready(stderr so far)` holds, with a way to wait for its exit. */
export function start(
  args: readonly string[],
  cwd: string,
  ready: (stderr: string) => boolean,
): Promise<{ kill(signal: NodeJS.Signals): void; exit: Promise<Run> }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
  const exit = new Promise<Run>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
  return new Promise((resolve, reject) => {
    let started = false;
    child.stderr.setEncoding("utf8").on("data", (s: string) => {
      stderr += s;
      if (!started && ready(stderr)) {
        started = true;
        resolve({ kill: (signal) => child.kill(signal), exit });
      }
    });
    exit.then((r) => {
      if (!started) reject(new Error(`downhill exited (${r.status}) before it was ready:\n${r.stderr}`));
    }, reject);
  });
}

/** Writes rows (with a header) as a CSV file; numbers in full precision. */
export function writeCsv(path: string, header: readonly string[], rows: readonly (readonly (number | string)[])[]): void {
  writeFileSync(path, `${[header.join(","), ...rows.map((r) => r.map(String).join(","))].join("\n")}\n`);
}

/** Reads the CSV the CLI writes (a header, then numbers). */
export function readNumbers(text: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = text.trim().split("\n");
  return { header: head!.split(","), rows: lines.map((l) => l.split(",").map(Number)) };
}

/** Solves A x = b (n × n, row-major arrays) by Gaussian elimination with partial pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/** Ordinary least squares with an intercept: [w_1 … w_d, b] minimizing Σ (x·w + b − y)². */
export function leastSquares(X: readonly (readonly number[])[], y: readonly number[]): number[] {
  const d = X[0]!.length + 1;
  const A = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const v = new Array<number>(d).fill(0);
  X.forEach((row, i) => {
    const x = [...row, 1];
    for (let j = 0; j < d; j++) {
      v[j]! += x[j]! * y[i]!;
      for (let k = 0; k < d; k++) A[j]![k]! += x[j]! * x[k]!;
    }
  });
  return solve(A, v);
}

/** Population mean and standard deviation. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, v) => a + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
  return { mean, std };
}
