/**
 * W2 with data-parallel workers (issue 9, "Multi-core"): the full-batch MSE gradient on W2's
 * X n × 16, computed by fit's `workers` machinery — the rows held in shards by worker
 * threads, each worker summing its rows' gradient terms, the main thread adding the sums —
 * with 1 and with 2 workers, f32 and f64. Each call is one batch of all n rows: the
 * weights sent, every worker's partial gradient computed and added up. "wasm" is the same
 * gradient on the calling thread (`model.bind(data).lossAndGradient()`), for scale. Target:
 * 2 workers ≤ 0.6× the time of 1 worker on a 2-core machine.
 *
 * The parallel probe calibrates that ratio: the same split of pure arithmetic (square
 * roots, no memory traffic, no shared state) over 1 and 2 plain worker threads. On an idle
 * 2-core machine it takes 0.5× as long with 2; when other processes hold a core, it shows
 * how much parallelism the run actually had.
 */
import { LinearRegression, toDataset, type Dtype, type Parameter } from "../ts/index.ts";
import { liveWorkers } from "../ts/backend/wasm/workers.ts";
import { bindParallel } from "../ts/train/data-parallel.ts";
import { once, type Case, type Contender, type Running } from "./harness.ts";
import { FEATURES, TOLERANCE, gradientReference, gradientWeights, roundedData, type Regression } from "./workloads.ts";

/** The `--only` token of these cases. */
export const WORKER_WORKLOADS = ["W2workers"] as const;

export const workerCaseName = (dtype: Dtype, n: number): string => `W2 MSE gradient ${dtype} ${n}×${FEATURES}, workers`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The gradient of all rows through `workers` worker threads (none: on this thread). */
function gradient(name: "wasm" | "1 worker" | "2 workers", dtype: Dtype, data: Regression): Contender {
  const workers = name === "wasm" ? 0 : name === "1 worker" ? 1 : 2;
  return {
    name,
    async setup(): Promise<Running> {
      // The previous contender's threads end asynchronously: do not time them alongside.
      while (liveWorkers() > 0) await sleep(1);
      const model = new LinearRegression({ dtype, init: gradientWeights() });
      const dataset = toDataset({ data: data.X, shape: [data.n, data.d] }, data.y, { dtype });
      const bound = workers === 0 ? model.bind(dataset) : await bindParallel(model, dataset, workers, data.n);
      const [w, b] = model.parameters() as [Parameter, Parameter];
      return {
        // Every row in order, as a full-batch fit without shuffling asks for it: no indices
        // (each worker runs its whole shard). Always a promise with workers (tinybench
        // wants one kind of task): a call that the main thread completed by blocking
        // resolves at once.
        run: workers === 0 ? () => void bound.lossAndGradient() : async () => void (await (bound as Awaited<ReturnType<typeof bindParallel>>).lossAndGradient()),
        read: () => Float64Array.from([...w.grad, ...b.grad]),
        dispose: () => (bound.dispose(), model.dispose()),
      };
    },
  };
}

/** Square roots summed over [from, to), as the probe's workers compute them. */
function roots(from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i++) s += Math.sqrt(i);
  return s;
}

const PROBE_TERMS = 20_000_000;

/** The parallel probe: PROBE_TERMS square roots split evenly over `workers` plain worker threads. */
function probe(name: "1 worker" | "2 workers"): Contender {
  const workers = name === "1 worker" ? 1 : 2;
  return {
    name,
    async setup(): Promise<Running> {
      const { Worker } = await import("node:worker_threads");
      const source = `const { parentPort } = require("node:worker_threads");
const roots = ${roots.toString()};
parentPort.on("message", ([from, to]) => parentPort.postMessage(roots(from, to)));`;
      const threads = Array.from({ length: workers }, () => new Worker(source, { eval: true, execArgv: [] }));
      let total = 0;
      const ask = (thread: (typeof threads)[number], from: number, to: number) =>
        new Promise<number>((resolve) => {
          thread.once("message", resolve);
          thread.postMessage([from, to]);
        });
      return {
        run: async () => {
          const parts = await Promise.all(threads.map((t, w) => ask(t, Math.floor((w * PROBE_TERMS) / workers), Math.floor(((w + 1) * PROBE_TERMS) / workers))));
          total = parts.reduce((a, b) => a + b, 0);
        },
        read: () => Float64Array.of(total),
        dispose: () => void threads.forEach((t) => t.terminate()),
      };
    },
  };
}

/** W2 with 1 and 2 workers (and on this thread), f32 and f64, on `big`; then the parallel probe. */
export function workerCases(big: Regression): Case[] {
  const probeCase: Case = {
    suite: "workers",
    name: "parallel probe: 2e7 square roots",
    bytes: 0,
    contenders: [probe("1 worker"), probe("2 workers")],
    check: { what: "Σ √i", calls: 1, reference: once(() => Float64Array.of(roots(0, PROBE_TERMS))), tolerance: 1e-12 },
  };
  return [...w2Cases(big), probeCase];
}

function w2Cases(big: Regression): Case[] {
  return (["f32", "f64"] as const).map((dtype) => {
    const data = roundedData(big, dtype);
    return {
      suite: "workers",
      name: workerCaseName(dtype, big.n),
      bytes: big.n * (FEATURES + 1) * (dtype === "f32" ? 4 : 8),
      contenders: [gradient("wasm", dtype, data), gradient("1 worker", dtype, data), gradient("2 workers", dtype, data)],
      check: { what: "dw and db", calls: 1, reference: once(() => gradientReference(data, gradientWeights())), tolerance: TOLERANCE.W2[dtype] },
    };
  });
}
