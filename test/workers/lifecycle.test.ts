/**
 * The worker threads of fit's `workers` start with the fit and end when it settles —
 * after a normal end, an abort, a divergence, a callback's error or a worker's failure —
 * and a worker's failure rejects the fit with a DownhillError. The three ways commands
 * travel (shared memory with a blocking or an asynchronous wait, or messages) give the
 * same bits. A Node process that fits with workers (the built bundle) exits on its own.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { DownhillError, LinearRegression, fit, memoryUsage, type Dtype } from "../../ts/index.ts";
import { liveWorkers, setWorkerTestHooks, type Transport } from "../../ts/backend/wasm/workers.ts";
import { firstDifference } from "../helpers/random.ts";
import { CASES, FIT, dataFor, runFit } from "./cases.ts";

const linear = CASES.find((c) => c.name === "linear mse")!;
const mlpSoftmax = CASES.find((c) => c.name === "MLP softmax tanh")!;
const TRANSPORTS: readonly Transport[] = ["blocking", "async", "messages"];

afterEach(() => setWorkerTestHooks({ transport: null, fault: null }));

describe("worker threads live exactly as long as the fit", () => {
  it("run during the fit and have ended when it resolves", async () => {
    const data = dataFor(linear, 300, "f64");
    const seen: number[] = [];
    const result = await fit(new LinearRegression(), data, { ...FIT, workers: 3, onIteration: () => void seen.push(liveWorkers(), memoryUsage().workers) });
    expect(result.reason).toBe("maxIter");
    expect(seen.length).toBe(2 * result.iterations);
    expect(new Set(seen)).toEqual(new Set([3]));
    expect(liveWorkers()).toBe(0);
    expect(memoryUsage().workers).toBe(0);
  });

  it("end when an AbortSignal stops the fit mid-way, from a callback or from a timer", async () => {
    const data = dataFor(linear, 2000, "f64");
    const controller = new AbortController();
    const result = await fit(new LinearRegression(), data, {
      ...FIT, epochs: 50, workers: 2, signal: controller.signal,
      onIteration: (r) => void (r.iteration === 3 && controller.abort()),
    });
    expect(result.reason).toBe("aborted");
    expect(result.iterations).toBe(3);
    expect(liveWorkers()).toBe(0);
    // A timer can abort too: the fit yields to the event loop while the workers compute.
    const timer = new AbortController();
    const timed = await fit(new LinearRegression(), data, {
      ...FIT, batchSize: 8, epochs: 100_000, workers: 2, signal: timer.signal,
      onIteration: (r) => void (r.iteration === 1 && setTimeout(() => timer.abort(), 30)),
    });
    expect(timed.reason).toBe("aborted");
    expect(timed.iterations).toBeGreaterThan(0);
    expect(timed.iterations).toBeLessThan(100_000 * 250);
    expect(liveWorkers()).toBe(0);
  });

  it("end when the fit diverges", async () => {
    const data = dataFor(linear, 300, "f64");
    const result = await fit(new LinearRegression(), data, { optimizer: "sgd", optimizerOptions: { lr: 1e3 }, batchSize: 50, epochs: 20, tol: null, workers: 2 });
    expect(result.reason).toBe("diverged");
    expect(result.restoredBest).toBe(true);
    expect(liveWorkers()).toBe(0);
  });

  it("end when a callback throws, and the fit rejects with its error", async () => {
    const data = dataFor(linear, 300, "f64");
    const boom = new Error("callback failed");
    await expect(fit(new LinearRegression(), data, { ...FIT, workers: 2, onIteration: (r) => {
      if (r.iteration === 2) throw boom;
    } })).rejects.toBe(boom);
    expect(liveWorkers()).toBe(0);
  });
});

describe("a worker's failure rejects the fit with a DownhillError and ends every thread", () => {
  for (const transport of TRANSPORTS) {
    it(`an error in worker 1's third command (${transport})`, async () => {
      setWorkerTestHooks({ transport, fault: { worker: 1, run: 3, kind: "throw" } });
      const model = new LinearRegression();
      const error = await fit(model, dataFor(linear, 300, "f64"), { ...FIT, workers: 2 }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(DownhillError);
      expect((error as DownhillError).code).toBe("WORKER_FAILED");
      expect((error as Error).message).toMatch(/worker 1 failed: Injected fault in worker 1 on command 3/);
      expect(liveWorkers()).toBe(0);
      // The model stays usable: the same fit without the fault runs.
      setWorkerTestHooks({ fault: null });
      expect((await fit(model, dataFor(linear, 300, "f64"), { ...FIT, workers: 2 })).reason).toBe("maxIter");
      expect(liveWorkers()).toBe(0);
    });

    it(`worker 0's thread ending in its second command (${transport})`, async () => {
      setWorkerTestHooks({ transport, fault: { worker: 0, run: 2, kind: "exit" } });
      const error = await fit(new LinearRegression(), dataFor(linear, 300, "f64"), { ...FIT, workers: 2 }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(DownhillError);
      expect((error as DownhillError).code).toBe("WORKER_FAILED");
      expect((error as Error).message).toMatch(/worker 0 exited \(code 1\)/);
      expect(liveWorkers()).toBe(0);
    });
  }
});

describe("every transport gives the same bits", () => {
  for (const c of [linear, mlpSoftmax]) {
    for (const dtype of ["f64", "f32"] as Dtype[]) {
      it(`${c.name}, ${dtype}`, async () => {
        const data = dataFor(c, 400, dtype);
        const none = await runFit(c, data, dtype, undefined);
        const runs: Uint8Array[] = [];
        for (const transport of TRANSPORTS) {
          setWorkerTestHooks({ transport });
          runs.push((await runFit(c, data, dtype, 3)).bits);
          expect(firstDifference((await runFit(c, data, dtype, 1)).bits, none.bits), `${transport}, workers: 1`).toBe(-1);
        }
        expect(firstDifference(runs[1]!, runs[0]!), "async vs blocking").toBe(-1);
        expect(firstDifference(runs[2]!, runs[0]!), "messages vs blocking").toBe(-1);
        expect(liveWorkers()).toBe(0);
      });
    }
  }
});

describe("every transport gives the same bits for every row in order (no indices sent)", () => {
  it("linear, f32: a full-batch fit without shuffling", async () => {
    const data = dataFor(linear, 300, "f32");
    const options = { optimizer: "adam", optimizerOptions: { lr: 0.05 }, batchSize: 300, epochs: 6, shuffle: false, tol: null } as const;
    const none = await runFit(linear, data, "f32", undefined, options);
    const runs: Uint8Array[] = [];
    for (const transport of TRANSPORTS) {
      setWorkerTestHooks({ transport });
      runs.push((await runFit(linear, data, "f32", 2, options)).bits);
      expect(firstDifference((await runFit(linear, data, "f32", 1, options)).bits, none.bits), `${transport}, workers: 1`).toBe(-1);
    }
    expect(firstDifference(runs[1]!, runs[0]!), "async vs blocking").toBe(-1);
    expect(firstDifference(runs[2]!, runs[0]!), "messages vs blocking").toBe(-1);
    expect(liveWorkers()).toBe(0);
  });
});

describe("the built package in Node", () => {
  it("fits with 2 workers and the process exits on its own", () => {
    const root = new URL("../../", import.meta.url);
    expect(existsSync(new URL("dist/index.js", root)), "run `npm run build` first").toBe(true);
    const script = `
      import { LinearRegression, Random, fit, toDataset } from "downhill";
      const random = new Random(5);
      const X = Array.from({ length: 400 }, () => [random.normal(), random.normal()]);
      const y = X.map(([a, b]) => 3 * a - b + 1);
      const run = async (workers) => {
        const model = new LinearRegression();
        const result = await fit(model, toDataset(X, y), { optimizer: "adam", optimizerOptions: { lr: 0.05 }, epochs: 40, tol: null, ...(workers ? { workers } : {}) });
        return [...result.finalWeights[0], ...result.finalWeights[1]];
      };
      console.log(JSON.stringify({ none: await run(), one: await run(1), two: await run(2) }));
    `;
    // No process.exit in the script: a thread left running would keep it alive until the timeout.
    const out = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8", timeout: 60_000 }));
    expect(out.one).toEqual(out.none);
    out.two.forEach((v: number, i: number) => expect(Math.abs(v - out.none[i])).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(out.none[i]))));
    // Least squares of an exact linear target: 40 epochs of Adam get close to (3, −1, 1).
    expect(out.two[0]).toBeCloseTo(3, 1);
    expect(out.two[1]).toBeCloseTo(-1, 1);
    expect(out.two[2]).toBeCloseTo(1, 1);
  });
});
