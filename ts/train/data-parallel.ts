/**
 * Data-parallel gradients for fit's `workers: n`: the training rows are cut into n
 * contiguous shards, each copied once into its own worker's WebAssembly instance
 * (ts/backend/wasm/workers.ts). Per batch, the main thread sends the weights and each
 * worker's rows of the batch; every worker returns the sums of its rows' loss and gradient
 * terms, each term already scaled for the mean over the whole batch exactly as the
 * single-threaded kernel scales it; the main thread adds the workers' sums in worker order
 * (0, 1, …), divides the loss sum by the batch size, and adds the penalties with the
 * model's own backend — the same operations the fused kernel ends with.
 *
 * So a fit with n workers repeats itself bit for bit, `workers: 1` gives exactly the bits
 * of a fit without workers, and fits with different n differ only in how the rows' terms
 * are grouped into sums (test/workers bounds the difference).
 */
import { MAX_WORKERS, RUN_ALL, RUN_LOSS, RUN_STEP, WorkerPool, type Shard } from "../backend/wasm/workers.ts";
import type { WorkerKernel } from "../backend/wasm/worker.ts";
import type { Dataset } from "../data/dataset.ts";
import type { FloatArray } from "../dtype.ts";
import { DownhillError, DownhillRangeError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { batchIndices, checkBatchRange, checkBatchRows, isAllRowsCall } from "./batch.ts";
import { Parameter } from "../parameter.ts";
import type { Trainable } from "./trainable.ts";

export { MAX_WORKERS };

/** What a model tells fit about itself for a data-parallel fit (Trainable.parallel). */
export interface ParallelSpec {
  /** The dataset, checked for the model as bind checks it. */
  readonly data: Dataset;
  /** The partial kernel the workers run. */
  readonly kernel: WorkerKernel;
  /** The parameters in the kernel's order (for linear models: weights, then bias). */
  readonly params: readonly Parameter[];
  /**
   * Adds the penalties' gradients into the parameters' `grad` and returns `mean` plus the
   * penalties, in the model's dtype: what the fused kernel does after its mean loss.
   */
  penalize(mean: number): number;
}

const fround = Math.fround;

/** `fit options.workers`: a whole number in [1, MAX_WORKERS]. */
export function checkWorkers(value: unknown, argument: string): number {
  if (typeof value !== "number") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a whole number of worker threads in [1, ${MAX_WORKERS}]; got ${describe(value)}.`);
  }
  if (!Number.isInteger(value) || value < 1 || value > MAX_WORKERS) {
    throw new DownhillRangeError("INVALID_ARGUMENT", `${argument} must be a whole number of worker threads in [1, ${MAX_WORKERS}]; got ${value}.`);
  }
  return value;
}

/**
 * Checks that `model` can be fitted with workers (a downhill model on the wasm backend)
 * before anything is bound; throws naming what is wrong.
 */
export function checkParallelModel(model: Trainable, workers: number): void {
  if (typeof model.parallel !== "function") {
    throw new DownhillTypeError(
      "INVALID_ARGUMENT",
      `fit options.workers (${workers}) needs one of downhill's models (LinearRegression, LogisticRegression, SoftmaxRegression, MLP), whose kernels the workers run; this model has no parallel form. Remove workers.`,
    );
  }
  if (model.backend !== "wasm") {
    throw new DownhillTypeError(
      "INVALID_ARGUMENT",
      `fit options.workers (${workers}) runs the WebAssembly kernels in each worker; this model is on the "${model.backend}" backend. Create it with backend: "wasm", or remove workers.`,
    );
  }
}

/**
 * Starts `workers` workers holding `data` in shards for `model` and returns the bound
 * data fit drives; `batchSize` is the most rows a batch has. Rejects (with every started
 * thread ended) if the data does not fit the model or a worker cannot start.
 */
export async function bindParallel(model: Trainable, data: Dataset, workers: number, batchSize: number): Promise<ParallelBound> {
  if (workers > data.n) {
    const n = data.n;
    throw new DownhillRangeError("INVALID_ARGUMENT", `fit options.workers (${workers}) is more than the ${n} training row${n === 1 ? "" : "s"}; each worker needs at least one row. Use at most ${n} workers.`);
  }
  const spec = model.parallel!(data);
  const ds = spec.data;
  const n = ds.n;
  const { dtype, d } = spec.kernel;
  const shards: Shard[] = [];
  for (let w = 0; w < workers; w++) {
    const lo = Math.floor((w * n) / workers);
    const hi = Math.floor(((w + 1) * n) / workers);
    const x = dtype === "f32" ? new Float32Array(ds.X.subarray(lo * d, hi * d)) : new Float64Array(ds.X.subarray(lo * d, hi * d));
    const y = dtype === "f32" ? new Float32Array(ds.y!.subarray(lo, hi)) : new Float64Array(ds.y!.subarray(lo, hi));
    shards.push({ x, y, first: lo, rows: hi - lo });
  }
  const params = spec.params.reduce((total, p) => total + p.length, 0);
  const pool = await WorkerPool.start(spec.kernel, params, shards, Math.min(batchSize, n));
  return new ParallelBound(spec, pool);
}

/**
 * A dataset held by workers in shards, with the model's loss over it (see the module
 * docs): BoundData, except that its results may come as promises.
 */
export class ParallelBound {
  readonly n: number;
  /** @internal lossAndGradient() without arguments: each worker's whole shard (BoundData.allRowsCall). */
  readonly allRowsCall = true;
  readonly #spec: ParallelSpec;
  readonly #pool: WorkerPool;
  readonly #f32: boolean;
  /** Resolves when every worker thread has ended (after dispose). */
  closed: Promise<void> = Promise.resolve();
  #disposed = false;

  constructor(spec: ParallelSpec, pool: WorkerPool) {
    this.n = spec.data.n;
    this.#spec = spec;
    this.#pool = pool;
    this.#f32 = spec.kernel.dtype === "f32";
  }

  /** Worker threads of this fit. */
  get workers(): number {
    return this.#pool.size;
  }

  /** How the workers exchange each step's data ("blocking", "async" or "messages"). */
  get transport(): string {
    return this.#pool.transport;
  }

  #live(): void {
    if (this.#disposed) throw disposedError("bound dataset (workers)");
    for (const p of this.#spec.params) if (p.disposed) throw disposedError("parameter (model.parameters())");
  }

  /** Writes the parameters into the pool's weights. */
  #sendWeights(): void {
    const weights = this.#pool.weights;
    let at = 0;
    for (const p of this.#spec.params) {
      weights.set(p.data, at);
      at += p.length;
    }
  }

  /**
   * The mean loss and gradient of rows `indices[start … end − 1]`; without arguments, of
   * every row in order (each worker runs its whole shard: no indices to send and select).
   */
  lossAndGradient(indices?: Uint32Array, start?: number, end?: number): number | Promise<number> {
    this.#live();
    const all = isAllRowsCall(indices, start, end);
    if (!all) checkBatchRange(indices!, start!, end!);
    const pool = this.#pool;
    const total = all ? this.n : end! - start!;
    if (total > pool.batch.length) {
      throw new DownhillRangeError("INVALID_ARGUMENT", `lossAndGradient: a batch of ${total} rows is larger than the workers were started for (${pool.batch.length} rows).`);
    }
    // Every worker picks its rows of the batch, in batch order, itself.
    if (!all) pool.batch.set(batchIndices(indices!, start!, end!));
    this.#sendWeights();
    const done = pool.dispatch(all ? RUN_ALL : RUN_STEP, total);
    const finish = (): number => {
      if (!all) this.#checkRows(indices!, start!, end!);
      else if (this.#held() !== this.n) throw new DownhillError("WORKER_FAILED", `lossAndGradient: the workers' shards did not cover the ${this.n} rows.`);
      return this.#combine(total);
    };
    return done === undefined ? finish() : done.then(finish);
  }

  /** The rows the workers held in the last command, added up. */
  #held(): number {
    let held = 0;
    for (const count of this.#pool.rows) held += count;
    return held;
  }

  /**
   * Every row of the batch was some worker's when the workers' rows add up to the batch
   * (the workers' shards cover [0, n) without overlap); otherwise names the first row
   * that is not. Checked after the workers ran, before anything is written: a scan of
   * the batch here would cost the main thread as much as the row selection costs a worker.
   */
  #checkRows(indices: Uint32Array, start: number, end: number): void {
    const held = this.#held();
    if (held === end - start) return;
    checkBatchRows(indices, start, end, this.n);
    throw new DownhillRangeError("INVALID_ARGUMENT", `lossAndGradient: the workers held ${held} of the batch's ${end - start} rows.`);
  }

  /** Adds the workers' sums in worker order into the parameters' gradients; the mean loss plus penalties. */
  #combine(total: number): number {
    this.#live();
    const pool = this.#pool;
    const f32 = this.#f32;
    const grads = pool.grads;
    const size = pool.size;
    let at = 0;
    for (const p of this.#spec.params) {
      const g = Parameter.storages(p).grad.array;
      const len = p.length;
      g.set(grads[0]!.subarray(at, at + len));
      for (let w = 1; w < size; w++) {
        const part = grads[w]!;
        if (f32) for (let j = 0; j < len; j++) g[j] = fround(g[j]! + part[at + j]!);
        else for (let j = 0; j < len; j++) g[j] = g[j]! + part[at + j]!;
      }
      at += len;
    }
    return this.#spec.penalize(this.#mean(total));
  }

  /** The workers' loss sums added in worker order, divided by `total`, in the dtype. */
  #mean(total: number): number {
    const losses = this.#pool.losses;
    let sum = losses[0]!;
    for (let w = 1; w < losses.length; w++) sum = this.#f32 ? fround(sum + losses[w]!) : sum + losses[w]!;
    return this.#f32 ? fround(sum / fround(total)) : sum / total;
  }

  /** Mean loss over all rows plus the penalties; the parameters' gradients are left as they were. */
  loss(): number | Promise<number> {
    this.#live();
    this.#sendWeights();
    const done = this.#pool.dispatch(RUN_LOSS, this.n);
    const finish = (): number => {
      this.#live();
      // penalize adds into the gradients: keep them, and put them back after.
      const saved: FloatArray[] = this.#spec.params.map((p) => p.grad.slice());
      try {
        return this.#spec.penalize(this.#mean(this.n));
      } finally {
        this.#spec.params.forEach((p, i) => Parameter.storages(p).grad.array.set(saved[i]!));
      }
    };
    return done === undefined ? finish() : done.then(finish);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Ends the worker threads (see `closed`); idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.closed = this.#pool.close();
  }
}
