/**
 * The native ceiling: crate/examples/native_bench.rs, the same kernels compiled for this
 * CPU (`-C target-cpu=native`) with any host cargo. The workloads' inputs are written to
 * a temporary directory as little-endian f64 files, so that native runs on the very data
 * the JS contenders do and its results are checked against the same references. Returns
 * its measurements as the "native" contender and the values of its checked cases, or
 * none (with a note) when no cargo is available.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Measurement } from "./harness.ts";
import type { Regression, StepData } from "./workloads.ts";

const crate = new URL("../crate/", import.meta.url).pathname;

/** Everything native_bench.rs reads. */
export interface NativeInputs {
  step: StepData;
  regression: Regression;
  gradientWeights: Float64Array;
  seed: Regression;
}

export interface NativeRun {
  measurements: Measurement[];
  /** Checked values by case name. */
  checks: Map<string, Float64Array>;
}

function writeInputs(dir: string, inputs: NativeInputs): void {
  const file = (name: string, values: Float64Array) => {
    const bytes = new DataView(new ArrayBuffer(values.length * 8));
    for (let i = 0; i < values.length; i++) bytes.setFloat64(i * 8, values[i]!, true);
    writeFileSync(join(dir, name), new Uint8Array(bytes.buffer));
  };
  file("step_params.f64", inputs.step.params);
  file("step_grad.f64", inputs.step.grad);
  file("regression_x.f64", inputs.regression.X);
  file("regression_y.f64", inputs.regression.y);
  file("gradient_weights.f64", inputs.gradientWeights);
  file("seed_x.f64", inputs.seed.X);
  file("seed_y.f64", inputs.seed.y);
}

/**
 * Runs native_bench with the JS run's sizes, rounds and time per round; `only` passes
 * `--only` on (optimizer classes and workloads).
 */
export function nativeRun(
  inputs: NativeInputs,
  settings: { sizes: readonly number[]; rounds: number; timeMs: number; checkSteps: number; only?: readonly string[] },
  log: (line: string) => void,
): NativeRun {
  const none: NativeRun = { measurements: [], checks: new Map() };
  const cargo = ["cargo", join(process.env["HOME"] ?? "/root", ".cargo/bin/cargo"), "/usr/bin/cargo"].find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);
  if (!cargo) {
    log("  native: no cargo found; the native column stays empty");
    return none;
  }
  const dir = mkdtempSync(join(tmpdir(), "downhill-bench-"));
  try {
    writeInputs(dir, inputs);
    const args = ["--data", dir, "--sizes", settings.sizes.join(","), "--rounds", String(settings.rounds), "--ms", String(settings.timeMs), "--check-steps", String(settings.checkSteps)];
    if (settings.only) args.push("--only", settings.only.join(","));
    const result = spawnSync(cargo, ["run", "--quiet", "--release", "--offline", "--example", "native_bench", "--", ...args], {
      cwd: crate,
      encoding: "utf8",
      env: { ...process.env, RUSTFLAGS: "-C target-cpu=native", CARGO_TARGET_DIR: join(crate, "target", "native") },
      maxBuffer: 1 << 26,
    });
    if (result.status !== 0) {
      log(`  native: cargo failed (${result.stderr.trim().split("\n").slice(-3).join(" / ")}); the native column stays empty`);
      return none;
    }
    const run: NativeRun = { measurements: [], checks: new Map() };
    for (const line of result.stdout.split("\n").filter((l) => l.trim() !== "")) {
      const r = JSON.parse(line) as { case: string; medianUs: number; minUs: number; roundsUs: number[] } | { check: string; values: (number | null)[] };
      if ("check" in r) run.checks.set(r.check, Float64Array.from(r.values, (v) => v ?? NaN));
      else run.measurements.push({ suite: "native", case: r.case, contender: "native", medianUs: r.medianUs, minUs: r.minUs, roundsUs: r.roundsUs, samples: 0, bytes: 0 });
    }
    log(`  native: ${run.measurements.length} cases`);
    return run;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
