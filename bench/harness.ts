/**
 * A small layer over tinybench: each case is measured for every contender in several
 * rounds, the contenders' order rotating between rounds so that none always runs first
 * or last; the tables report the median and min per call and ratios within the run.
 * Before a case is timed, each contender's result is checked once against the case's
 * float64 reference.
 */
import { Bench } from "tinybench";
import { relativeError } from "./workloads.ts";

/** Contender names, in the order the tables show them. */
export const CONTENDERS = ["native", "wasm", "wasm kernels", "ts", "plain JS", "tfjs-wasm", "tfjs-cpu", "1 worker", "2 workers"] as const;
export type ContenderName = (typeof CONTENDERS)[number];

/** A contender ready to run: its state built, nothing timed yet. */
export interface Running {
  /** One timed call. */
  run: () => void | Promise<void>;
  /** The checked quantity after the calls made so far (parameters, gradient, weights), as f64. */
  read: () => Float64Array;
  dispose: () => void;
}

/** A contender run in this process. */
export interface LocalContender {
  name: ContenderName;
  /** Builds the state; nothing is run yet. */
  setup(): Running | Promise<Running>;
}

/**
 * A contender in another process that times its own calls (native.ts): the harness asks
 * it for each round between the other contenders' rounds.
 */
export interface Remote {
  /** The checked quantity, computed by the other process from a fresh setup (empty if it has none). */
  checked(): Float64Array;
  /** Untimed calls for about `ms`. */
  warm(ms: number): Promise<void>;
  /** One round: `warmupMs` of untimed calls, then calls timed one by one for `ms` and at least `calls` of them; their median in µs. */
  round(ms: number, warmupMs: number, calls: number): Promise<{ us: number; calls: number }>;
}

export interface RemoteContender {
  name: ContenderName;
  remote: Remote;
}

export type Contender = LocalContender | RemoteContender;

/** The numeric check of a case: `calls` calls from a fresh setup, then `read()` vs the reference. */
export interface Check {
  /** What is compared, e.g. "parameters after 10 steps". */
  what: string;
  calls: number;
  /** The f64 reference (computed once, on first use). */
  reference: () => Float64Array;
  /** Largest accepted relativeError (workloads.ts). */
  tolerance: number;
}

export interface Case {
  suite: string;
  /** e.g. "W1 Adam f32 N=1e6"; the native binary prints the same names. */
  name: string;
  /** Bytes read and written per call, for the GB/s columns; 0 when not meaningful. */
  bytes: number;
  contenders: Contender[];
  check?: Check;
}

export interface Measurement {
  suite: string;
  case: string;
  contender: ContenderName;
  /** Median and min over rounds of each round's median time per call, in microseconds. */
  medianUs: number;
  minUs: number;
  /** Each round's median, in microseconds, in round order. */
  roundsUs: number[];
  /** Timed calls over all rounds. */
  samples: number;
  bytes: number;
}

export interface CheckResult {
  case: string;
  contender: ContenderName;
  what: string;
  error: number;
  tolerance: number;
  ok: boolean;
}

export interface RunOptions {
  rounds: number;
  /** tinybench time budget per task and round, ms. */
  timeMs: number;
  /** Minimum timed calls per task and round (tinybench's `iterations`); a contender whose first call exceeds `timeMs` gets min(3, iterations). */
  iterations: number;
  /**
   * Untimed calls, for about this many ms, of each contender of a case before its first
   * round: the JIT's optimizing tier takes longer than one round's warmup to settle on a
   * large function such as fit() (measured: W3's fit() ran 1.2–1.3× its settled time in
   * the first rounds after 100 ms of warmup).
   */
  prewarmMs: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const collectGarbage = (globalThis as { gc?: () => void }).gc;

/** Memoizes a case's reference: computed once per run, for every contender. */
export function once<T>(make: () => T): () => T {
  let value: { v: T } | null = null;
  return () => (value ??= { v: make() }).v;
}

/** Compares `values` with the check's reference. */
export function compare(c: Case, contender: ContenderName, values: Float64Array): CheckResult {
  const check = c.check!;
  const error = relativeError(values, check.reference());
  return { case: c.name, contender, what: check.what, error, tolerance: check.tolerance, ok: error <= check.tolerance };
}

/** Runs `use` on a fresh setup and disposes it; an error of `use` wins over one of dispose. */
async function using<T>(contender: LocalContender, use: (running: Running) => Promise<T>): Promise<T> {
  const running = await contender.setup();
  let result: T;
  try {
    result = await use(running);
  } catch (error) {
    try {
      running.dispose();
    } catch {
      // The first error says more; dispose's (a TF.js leak check, say) follows from it.
    }
    throw error;
  }
  running.dispose();
  return result;
}

function checkOne(c: Case, contender: Contender): Promise<CheckResult> {
  if ("remote" in contender) return Promise.resolve(compare(c, contender.name, contender.remote.checked()));
  return using(contender, async (running) => {
    for (let i = 0; i < c.check!.calls; i++) await running.run();
    return compare(c, contender.name, running.read());
  });
}

export async function measure(
  cases: Case[],
  options: RunOptions,
  log: (line: string) => void,
): Promise<{ measurements: Measurement[]; checks: CheckResult[] }> {
  const measurements: Measurement[] = [];
  const checks: CheckResult[] = [];
  for (const c of cases) {
    if (c.check) for (const contender of c.contenders) checks.push(await checkOne(c, contender));
    const perRound = new Map<ContenderName, { times: number[]; samples: number }>(c.contenders.map((k) => [k.name, { times: [], samples: 0 }]));
    if (options.prewarmMs > 0) {
      for (const contender of c.contenders) {
        if ("remote" in contender) {
          await contender.remote.warm(options.prewarmMs);
          continue;
        }
        await using(contender, async (running) => {
          const until = performance.now() + options.prewarmMs;
          do await running.run();
          while (performance.now() < until);
        });
      }
    }
    for (let round = 0; round < options.rounds; round++) {
      const order = c.contenders.map((_, i) => c.contenders[(i + round) % c.contenders.length]!);
      for (const contender of order) {
        collectGarbage?.();
        const entry = perRound.get(contender.name)!;
        if ("remote" in contender) {
          const { us, calls } = await contender.remote.round(options.timeMs, Math.min(100, options.timeMs), options.iterations);
          entry.times.push(us);
          entry.samples += calls;
          continue;
        }
        await using(contender, async (running) => {
          // One untimed call first: it warms up, and tells a slow contender (a TF.js epoch
          // takes seconds), which then gets 3 timed calls and no further warmup.
          const started = performance.now();
          await running.run();
          const slow = performance.now() - started > options.timeMs;
          const bench = new Bench({
            time: options.timeMs,
            iterations: slow ? Math.min(3, options.iterations) : options.iterations,
            warmup: !slow,
            warmupTime: Math.min(100, options.timeMs),
            warmupIterations: Math.min(2, options.iterations),
            throws: true,
          });
          bench.add(contender.name, running.run);
          await bench.run();
          const r = bench.tasks[0]!.result;
          if (r.state !== "completed") throw new Error(`${c.name} / ${contender.name}: ${r.state}`);
          entry.times.push(r.latency.p50 * 1000);
          entry.samples += r.latency.samplesCount;
        });
      }
    }
    for (const [name, { times, samples }] of perRound) {
      measurements.push({ suite: c.suite, case: c.name, contender: name, medianUs: median(times), minUs: Math.min(...times), roundsUs: times, samples, bytes: c.bytes });
    }
    log(`  measured ${c.name}`);
  }
  return { measurements, checks };
}

export const formatTime = (us: number): string =>
  us >= 1e6 ? `${(us / 1e6).toFixed(2)} s` : us >= 1000 ? `${(us / 1000).toFixed(2)} ms` : us >= 1 ? `${us.toFixed(2)} µs` : `${(us * 1000).toFixed(0)} ns`;

/** A ratio as the tables print it: 3 significant digits, "×". */
export const formatRatio = (r: number): string => (r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : r >= 0.01 ? `${r.toFixed(2)}×` : `${r.toPrecision(2)}×`);

const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
const markdown = (head: readonly string[], rows: readonly (readonly string[])[]) => [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");

function present(results: readonly Measurement[]): { cases: string[]; contenders: ContenderName[]; of: (name: string, c: ContenderName) => Measurement | undefined } {
  const cases = [...new Set(results.map((r) => r.case))];
  const names = new Set(results.map((r) => r.contender));
  const index = new Map(results.map((r) => [`${r.case}\u0000${r.contender}`, r]));
  return { cases, contenders: CONTENDERS.filter((c) => names.has(c)), of: (name, c) => index.get(`${name}\u0000${c}`) };
}

/**
 * Times: one row per case (in the order given), a column per contender with the median
 * time per call and the fastest round in parentheses ("—" where a contender has no such
 * case), and the bandwidth native and wasm reach where the case says how many bytes a
 * call moves.
 */
export function timesTable(results: readonly Measurement[]): string {
  const { cases, contenders, of } = present(results);
  const gbps = (["native", "wasm"] as const).filter((c) => contenders.includes(c));
  const rows = cases.map((name) => {
    const bytes = results.find((r) => r.case === name && r.bytes > 0)?.bytes ?? 0;
    return [
      name,
      ...contenders.map((c) => {
        const m = of(name, c);
        return m ? `${formatTime(m.medianUs)} (${formatTime(m.minUs)})` : "—";
      }),
      ...gbps.map((c) => {
        const m = of(name, c);
        return m && bytes ? (bytes / (m.medianUs * 1e-6) / 1e9).toFixed(1) : "—";
      }),
    ];
  });
  return markdown(["case", ...contenders.map((c) => `${c} median (min)`), ...gbps.map((c) => `${c} GB/s`)], rows);
}

/**
 * `a`'s time over `b`'s, two contenders of one case: the median over rounds of each
 * round's ratio when both have every round (their rounds ran minutes apart at most, so a
 * slow phase of the machine that lasts longer slows both and cancels out), else the ratio
 * of their medians.
 */
export function pairedRatio(a: Measurement, b: Measurement): number {
  const n = a.roundsUs.length;
  if (n === 0 || n !== b.roundsUs.length) return a.medianUs / b.medianUs;
  return median(a.roundsUs.map((t, i) => t / b.roundsUs[i]!));
}

/** Each contender's time over `base`'s for the same case (pairedRatio; 3.0× = three times as long). */
export function ratioTable(results: readonly Measurement[], base: ContenderName): string | null {
  const { cases, contenders, of } = present(results);
  if (!contenders.includes(base)) return null;
  const others = contenders.filter((c) => c !== base);
  const rows = cases.map((name) => [
    name,
    ...others.map((c) => {
      const x = of(name, c);
      const y = of(name, base);
      return x && y ? formatRatio(pairedRatio(x, y)) : "—";
    }),
  ]);
  return markdown(["case", ...others.map((c) => `${c} / ${base}`)], rows);
}

/** The numeric checks: one row per case and contender. */
export function checksTable(checks: readonly CheckResult[]): string {
  return markdown(
    ["case", "contender", "compared with the f64 reference", "relative error", "bound", ""],
    checks.map((c) => [c.case, c.contender, c.what, c.error.toExponential(1), c.tolerance.toExponential(0), c.ok ? "✔" : "✘"]),
  );
}
