/**
 * The native ceiling: crate/examples/native_bench.rs, the same kernels compiled for this
 * CPU (`-C target-cpu=native`) with any host cargo. The workloads' inputs are written to
 * a temporary directory as little-endian f64 files, so that native runs on the very data
 * the JS contenders do and its results are checked against the same references.
 *
 * The binary runs beside this process for the whole benchmark and measures a round of a
 * case when asked (its protocol is at the top of native_bench.rs), so the harness puts
 * native's rounds between the JS contenders' rounds, rotated with them: every contender
 * of a case is timed in the same phases of the machine's load. (Measured in its own
 * process after the JS contenders, native's W3 and W4 medians differed 1.6–1.8× between
 * two runs on one machine while the code was the same.)
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Contender, Remote } from "./harness.ts";
import type { Regression, StepData } from "./workloads.ts";

const crate = new URL("../crate/", import.meta.url).pathname;
const targetDir = join(crate, "target", "native");

/** Everything native_bench.rs reads. */
export interface NativeInputs {
  step: StepData;
  regression: Regression;
  gradientWeights: Float64Array;
  seed: Regression;
}

/** The running native_bench: its cases and checked values, a contender per case, and close(). */
export interface Native {
  /** The cases it measures, named as the JS cases are. */
  readonly cases: ReadonlySet<string>;
  /** The native contender of a case it measures. */
  contender(caseName: string): Contender;
  /** Ends the process (at the end of the run, or after an error). */
  close(): void;
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

/** Lines from the child's stdout, one at a time, and its exit as an error. */
class Lines {
  private readonly waiting: ((line: string | Error) => void)[] = [];
  private readonly ready: (string | Error)[] = [];

  constructor(child: ChildProcessWithoutNullStreams, stderr: () => string) {
    createInterface({ input: child.stdout }).on("line", (line) => this.push(line));
    child.on("close", (code, signal) => this.push(new Error(`native_bench ended (${signal ?? `exit code ${code}`}): ${stderr().trim().split("\n").slice(-3).join(" / ")}`)));
    child.on("error", (error) => this.push(error));
  }

  private push(item: string | Error): void {
    const next = this.waiting.shift();
    if (next) next(item);
    else this.ready.push(item);
  }

  /** The next line; rejects once the process has ended (and on every later call). */
  next(): Promise<string> {
    const first = this.ready[0];
    if (first instanceof Error) return Promise.reject(first);
    if (first !== undefined) return Promise.resolve(this.ready.shift() as string);
    return new Promise((resolve, reject) =>
      this.waiting.push((x) => {
        if (x instanceof Error) {
          this.ready.unshift(x);
          reject(x);
        } else resolve(x);
      }),
    );
  }
}

/**
 * Builds native_bench with the host cargo and starts it on the workloads' inputs with the
 * JS run's sizes; `only` passes `--only` on (optimizer classes and workloads). Resolves
 * to null (with a note) where no cargo is available or the build fails.
 */
export async function startNative(
  inputs: NativeInputs,
  settings: { sizes: readonly number[]; checkSteps: number; only?: readonly string[] },
  log: (line: string) => void,
): Promise<Native | null> {
  const cargo = ["cargo", join(process.env["HOME"] ?? "/root", ".cargo/bin/cargo"), "/usr/bin/cargo"].find((c) => spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0);
  if (!cargo) {
    log("  native: no cargo found; the native column stays empty");
    return null;
  }
  const build = spawnSync(cargo, ["build", "--quiet", "--release", "--offline", "--example", "native_bench"], {
    cwd: crate,
    encoding: "utf8",
    env: { ...process.env, RUSTFLAGS: "-C target-cpu=native", CARGO_TARGET_DIR: targetDir },
  });
  if (build.status !== 0) {
    log(`  native: cargo build failed (${build.stderr.trim().split("\n").slice(-3).join(" / ")}); the native column stays empty`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), "downhill-bench-"));
  writeInputs(dir, inputs);
  const args = ["--data", dir, "--sizes", settings.sizes.join(","), "--check-steps", String(settings.checkSteps)];
  if (settings.only) args.push("--only", settings.only.join(","));
  const child = spawn(join(targetDir, "release", "examples", "native_bench"), args, { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const lines = new Lines(child, () => stderr);
  // A write after the process ended fails with EPIPE; Lines reports the ending itself.
  child.stdin.on("error", () => {});
  const close = () => {
    child.stdin.end();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The checked values, then the cases it serves.
    const checks = new Map<string, Float64Array>();
    for (;;) {
      const r = JSON.parse(await lines.next()) as { check: string; values: (number | null)[] } | { ready: string[] };
      if ("ready" in r) {
        // Its inputs are read: the directory can go now.
        rmSync(dir, { recursive: true, force: true });
        const cases = new Set(r.ready);
        log(`  native: ${cases.size} cases`);
        // One command at a time: the harness awaits each round before the next contender's.
        const ask = async (command: string): Promise<Record<string, unknown>> => {
          child.stdin.write(`${command}\n`);
          return JSON.parse(await lines.next()) as Record<string, unknown>;
        };
        const remote = (name: string): Remote => ({
          checked: () => checks.get(name) ?? new Float64Array(0),
          warm: async (ms) => void (await ask(`warm ${name} ${Math.round(ms)}`)),
          round: async (ms, warmupMs, calls) => {
            const r = await ask(`round ${name} ${Math.round(ms)} ${Math.round(warmupMs)} ${calls}`);
            if (r["case"] !== name || typeof r["us"] !== "number" || typeof r["calls"] !== "number") throw new Error(`native_bench answered ${JSON.stringify(r)} to a round of ${name}`);
            return { us: r["us"], calls: r["calls"] };
          },
        });
        return {
          cases,
          contender: (name) => {
            if (!cases.has(name)) throw new Error(`native_bench has no case ${name}`);
            return { name: "native", remote: remote(name) };
          },
          close,
        };
      }
      checks.set(r.check, Float64Array.from(r.values, (v) => v ?? NaN));
    }
  } catch (error) {
    close();
    log(`  native: ${error instanceof Error ? error.message : String(error)}; the native column stays empty`);
    return null;
  }
}
