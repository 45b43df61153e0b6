/**
 * A pool of worker threads for data-parallel fits: worker_threads in Node, module Web
 * Workers (from a Blob URL) in Deno and browsers. Each worker instantiates the module the
 * main thread compiled (a WebAssembly.Module can be posted; nothing is fetched or read)
 * and holds its shard of the data (ts/backend/wasm/worker.ts).
 *
 * A command (one step's partial losses and gradients) goes out and comes back in one of
 * three ways, chosen once per pool:
 * - "blocking": SharedArrayBuffer for the weights, rows and results, and Atomics for the
 *   handshake: the main thread bumps a generation word and notifies, each worker counts a
 *   pending word down and the last one notifies; the main thread waits with Atomics.wait
 *   (allowed on Node's and Deno's main threads) for up to BLOCK_MS, then asynchronously,
 *   so that a long step lets the event loop run and a dead worker is noticed;
 * - "async": the same memory, waited on with Atomics.waitAsync (polling where it is
 *   missing): browsers' main threads may not block;
 * - "messages": no SharedArrayBuffer (a browser page that is not cross-origin isolated):
 *   each command and its result is a postMessage with transferred copies.
 * All three run the same kernels on the same rows, so they give the same bits.
 */
import type { Dtype } from "../../dtype.ts";
import { DownhillError } from "../../errors.ts";
import { loadModule } from "./load.ts";
import {
  RUN_ALL,
  RUN_LOSS,
  RUN_STEP,
  STOP,
  nodeWorkerSource,
  webWorkerSource,
  type ControlLayout,
  type InitMessage,
  type RunMessage,
  type SharedBuffers,
  type WorkerFault,
  type WorkerKernel,
  type WorkerReply,
} from "./worker.ts";

export { RUN_ALL, RUN_LOSS, RUN_STEP };

/** How commands and results travel (see the module docs). */
export type Transport = "blocking" | "async" | "messages";

/** The most workers a pool may have. */
export const MAX_WORKERS = 64;

/** Longest the main thread blocks in Atomics.wait before waiting asynchronously (ms). */
const BLOCK_MS = 25;

/** Control words: generation, pending, command, total, then per worker its status and its rows of the batch. */
const LAYOUT: ControlLayout = { generation: 0, pending: 1, command: 2, total: 3, status: 4 };

type FloatArray = Float32Array | Float64Array;

/** Worker threads started and not yet ended, over the whole process. */
let live = 0;

/** The number of worker threads that downhill started and that have not ended yet. */
export function liveWorkers(): number {
  return live;
}

let forcedTransport: Transport | null = null;
let injected: { readonly worker: number; readonly fault: WorkerFault } | null = null;

/**
 * @internal For tests: force a transport (null: choose), and make one worker fail on its
 * n-th command (null: none). Applies to pools started afterwards.
 */
export function setWorkerTestHooks(hooks: { transport?: Transport | null; fault?: { worker: number; run: number; kind: "throw" | "exit" } | null }): void {
  if (hooks.transport !== undefined) forcedTransport = hooks.transport;
  if (hooks.fault !== undefined) injected = hooks.fault === null ? null : { worker: hooks.fault.worker, fault: { run: hooks.fault.run, kind: hooks.fault.kind } };
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type WaitAsync = (array: Int32Array, index: number, value: number, timeout?: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

let canBlock: boolean | null = null;
/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function mainCanBlock(): boolean {
  if (canBlock === null) {
    try {
      // A value that differs from the word's returns at once where waiting is allowed.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      canBlock = true;
    } catch {
      canBlock = false;
    }
  }
  return canBlock;
}

const runtime = globalThis as { process?: { versions?: { node?: string } }; Deno?: unknown; crossOriginIsolated?: boolean };

function sharedMemory(): boolean {
  return typeof SharedArrayBuffer === "function" && runtime.crossOriginIsolated !== false;
}

/** What the pool needs of a started worker. */
interface Handle {
  post(message: InitMessage | RunMessage, transfer: ArrayBuffer[]): void;
  /** Ends the thread; resolves when it has ended. */
  terminate(): Promise<void>;
}

interface Events {
  message(reply: WorkerReply): void;
  failure(message: string): void;
}

interface NodeWorker {
  on(event: "message", listener: (reply: WorkerReply) => void): void;
  on(event: "error" | "messageerror", listener: (error: Error) => void): void;
  on(event: "exit", listener: (code: number) => void): void;
  postMessage(message: unknown, transfer?: readonly ArrayBuffer[]): void;
  terminate(): Promise<number>;
}
type NodeWorkerClass = new (source: string, options: { eval: true }) => NodeWorker;

let nodeWorkerClass: NodeWorkerClass | null = null;

async function spawnNode(index: number, events: Events): Promise<Handle> {
  if (nodeWorkerClass === null) {
    // A computed specifier keeps bundlers from resolving node:worker_threads for browser builds.
    const specifier = ["node", "worker_threads"].join(":");
    nodeWorkerClass = ((await import(/* @vite-ignore */ specifier)) as { Worker: NodeWorkerClass }).Worker;
  }
  const worker = new nodeWorkerClass(nodeWorkerSource(), { eval: true });
  live++;
  let ending = false;
  let ended: Promise<void> | null = null;
  worker.on("message", (reply) => events.message(reply));
  worker.on("error", (error) => events.failure(`worker ${index} threw ${error.message}`));
  worker.on("messageerror", (error) => events.failure(`worker ${index} could not read a message (${error.message})`));
  worker.on("exit", (code) => {
    live--;
    if (!ending) events.failure(`worker ${index} exited (code ${code})`);
  });
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate() {
      ending = true;
      ended ??= worker.terminate().then(() => undefined);
      return ended;
    },
  };
}

function spawnWeb(index: number, events: Events): Handle {
  let url: string;
  let worker: Worker;
  try {
    url = URL.createObjectURL(new Blob([webWorkerSource()], { type: "text/javascript" }));
    worker = new Worker(url, { type: "module" });
  } catch (error) {
    throw new DownhillError(
      "WORKER_FAILED",
      `fit options.workers: could not start a Web Worker from a Blob URL (${error instanceof Error ? error.message : String(error)}); a Content-Security-Policy must allow worker-src blob:.`,
    );
  }
  live++;
  let ended = false;
  worker.onmessage = (event: MessageEvent<WorkerReply>) => events.message(event.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    events.failure(`worker ${index} threw ${event.message}`);
  };
  worker.onmessageerror = () => events.failure(`worker ${index} could not read a message`);
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate() {
      if (!ended) {
        ended = true;
        worker.terminate();
        URL.revokeObjectURL(url);
        live--;
      }
      return Promise.resolve();
    },
  };
}

/** A shard of the data for one worker, in the kernel's dtype: rows `first … first + rows − 1`. */
export interface Shard {
  readonly x: FloatArray;
  readonly y: FloatArray;
  readonly first: number;
  readonly rows: number;
}

interface Pending {
  resolve(): void;
  reject(error: unknown): void;
}

export class WorkerPool {
  readonly size: number;
  readonly transport: Transport;
  /** Set by the caller before each command: every parameter, flattened in parameter order. */
  readonly weights: FloatArray;
  /** Set by the caller before a RUN_STEP: the batch's row indices into the dataset (the first `total`). */
  readonly batch: Uint32Array;
  /** After each command: per worker, the sums of its gradient terms (P values) and of its loss terms, and (RUN_STEP) how many rows of the batch it held. */
  readonly grads: readonly FloatArray[];
  readonly losses: Float64Array;
  readonly rows: Int32Array;
  readonly #handles: Handle[] = [];
  readonly #control: Int32Array | null;
  readonly #pending: (Pending | null)[];
  readonly #errors: (DownhillError | null)[];
  #failure: DownhillError | null = null;
  #rejectFailed: (error: unknown) => void = () => {};
  /** Rejects with the first failure of a thread; always handled, raced against every wait. */
  readonly #failed: Promise<never>;
  #closing: Promise<void> | null = null;

  private constructor(size: number, transport: Transport, dtype: Dtype, params: number, batchCapacity: number) {
    this.size = size;
    this.transport = transport;
    this.#failed = new Promise<never>((_, reject) => {
      this.#rejectFailed = reject;
    });
    this.#failed.catch(() => {});
    const bytes = dtype === "f32" ? 4 : 8;
    const make = (buffer: ArrayBufferLike, offset: number, length: number): FloatArray =>
      dtype === "f32" ? new Float32Array(buffer, offset * 4, length) : new Float64Array(buffer, offset * 8, length);
    const workers = Array.from({ length: size }, (_, w) => w);
    if (transport === "messages") {
      this.#control = null;
      this.weights = make(new ArrayBuffer(params * bytes), 0, params);
      this.batch = new Uint32Array(batchCapacity);
      this.grads = workers.map(() => make(new ArrayBuffer(params * bytes), 0, params));
      this.losses = new Float64Array(size);
    } else {
      this.#control = new Int32Array(new SharedArrayBuffer(4 * (LAYOUT.status + 2 * size)));
      this.weights = make(new SharedArrayBuffer(params * bytes), 0, params);
      this.batch = new Uint32Array(new SharedArrayBuffer(4 * batchCapacity));
      const grads = new SharedArrayBuffer(size * params * bytes);
      this.grads = workers.map((w) => make(grads, w * params, params));
      this.losses = new Float64Array(new SharedArrayBuffer(8 * size));
    }
    this.rows = new Int32Array(size);
    this.#pending = workers.map(() => null);
    this.#errors = workers.map(() => null);
  }

  /**
   * Starts one worker per shard, each with its own instance of the module and its shard
   * copied in; resolves when all are ready. On any failure every started thread is ended
   * and the promise rejects with a DownhillError.
   */
  static async start(kernel: WorkerKernel, params: number, shards: readonly Shard[], batchCapacity: number): Promise<WorkerPool> {
    const node = runtime.Deno === undefined && runtime.process?.versions?.node !== undefined;
    if (!node && typeof Worker !== "function") {
      throw new DownhillError("WORKER_FAILED", "fit options.workers: this runtime has no worker threads (neither node:worker_threads nor Web Workers); remove workers to fit on this thread.");
    }
    const module = loadModule();
    const shared = sharedMemory();
    const transport: Transport = forcedTransport ?? (shared ? (mainCanBlock() ? "blocking" : "async") : "messages");
    if (transport !== "messages" && !shared) {
      throw new DownhillError("WORKER_FAILED", `The "${transport}" transport needs SharedArrayBuffer, which this runtime does not offer.`);
    }
    const pool = new WorkerPool(shards.length, transport, kernel.dtype, params, batchCapacity);
    const ready: Promise<void>[] = [];
    try {
      for (let w = 0; w < shards.length; w++) {
        const events: Events = { message: (reply) => pool.#message(w, reply), failure: (message) => pool.#fail(message) };
        pool.#handles.push(node ? await spawnNode(w, events) : spawnWeb(w, events));
        ready.push(new Promise<void>((resolve, reject) => (pool.#pending[w] = { resolve, reject })));
      }
      shards.forEach((shard, w) => {
        // Fresh copies, transferred: the caller's arrays stay as they are.
        const x = shard.x.slice();
        const y = shard.y.slice();
        const sharedBuffers: SharedBuffers | null =
          pool.#control === null
            ? null
            : {
                control: pool.#control.buffer as SharedArrayBuffer,
                layout: LAYOUT,
                weights: pool.weights.buffer as SharedArrayBuffer,
                batch: pool.batch.buffer as SharedArrayBuffer,
                grads: pool.grads[0]!.buffer as SharedArrayBuffer,
                losses: pool.losses.buffer as SharedArrayBuffer,
              };
        const init: InitMessage = {
          type: "init", index: w, module, kernel, x, y, first: shard.first, rows: shard.rows, batchCapacity, params,
          shared: sharedBuffers, commands: { step: RUN_STEP, all: RUN_ALL, loss: RUN_LOSS, stop: STOP },
          fault: injected !== null && injected.worker === w ? injected.fault : null,
        };
        pool.#handles[w]!.post(init, [x.buffer as ArrayBuffer, y.buffer as ArrayBuffer]);
      });
      await Promise.race([Promise.all(ready), pool.#failed]);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  #message(w: number, reply: WorkerReply): void {
    const pending = this.#pending[w];
    if (reply.type === "error") {
      const error = new DownhillError(reply.code, `fit options.workers: worker ${w} failed: ${reply.message}`);
      this.#errors[w] = error;
      if (pending) {
        this.#pending[w] = null;
        pending.reject(error);
      }
      return;
    }
    if (reply.type === "result") {
      this.grads[w]!.set(reply.grad);
      this.losses[w] = reply.loss;
      this.rows[w] = reply.rows;
    }
    if (pending) {
      this.#pending[w] = null;
      pending.resolve();
    }
  }

  #fail(message: string): void {
    if (this.#closing !== null || this.#failure !== null) return;
    this.#failure = new DownhillError("WORKER_FAILED", `fit options.workers: ${message}; the fit cannot go on without it.`);
    this.#rejectFailed(this.#failure);
  }

  /**
   * Runs `command` on every worker with `weights` (and for RUN_STEP the first `total`
   * entries of `batch`) as set; `total` is the rows of the whole batch, or of the dataset
   * for RUN_ALL and RUN_LOSS. Returns once every worker has written its results
   * (`grads`, `losses`), or a promise of that when it had to wait asynchronously; throws
   * (or rejects) with the first worker's error.
   */
  dispatch(command: typeof RUN_STEP | typeof RUN_ALL | typeof RUN_LOSS, total: number): void | Promise<void> {
    if (this.#closing !== null) throw new DownhillError("DISPOSED", "This pool of workers has been closed.");
    if (this.#failure !== null) throw this.#failure;
    const control = this.#control;
    if (control === null) return this.#dispatchMessages(command, total);
    for (let w = 0; w < this.size; w++) Atomics.store(control, LAYOUT.status + 2 * w, 0);
    Atomics.store(control, LAYOUT.command, command);
    Atomics.store(control, LAYOUT.total, total);
    Atomics.store(control, LAYOUT.pending, this.size);
    Atomics.add(control, LAYOUT.generation, 1);
    Atomics.notify(control, LAYOUT.generation);
    if (this.transport === "blocking") {
      const deadline = now() + BLOCK_MS;
      for (;;) {
        const pending = Atomics.load(control, LAYOUT.pending);
        if (pending === 0) return this.#settle();
        const left = deadline - now();
        if (left <= 0) break;
        Atomics.wait(control, LAYOUT.pending, pending, left);
      }
    }
    return this.#waitAsync(control);
  }

  async #waitAsync(control: Int32Array): Promise<void> {
    for (;;) {
      if (this.#failure !== null) throw this.#failure;
      const pending = Atomics.load(control, LAYOUT.pending);
      if (pending === 0) break;
      if (waitAsync !== undefined) {
        // A timeout, so that the loop also looks at failures now and then.
        const wait = waitAsync(control, LAYOUT.pending, pending, 100);
        if (wait.async) await Promise.race([wait.value, this.#failed]);
      } else {
        await Promise.race([sleep(1), this.#failed]);
      }
    }
    await this.#settle();
  }

  /** After a shared-memory command: nothing when every worker succeeded, else a promise of its error. */
  #settle(): void | Promise<never> {
    const control = this.#control!;
    for (let w = 0; w < this.size; w++) {
      if (Atomics.load(control, LAYOUT.status + 2 * w) !== 0) return this.#errorOf(w);
      this.rows[w] = Atomics.load(control, LAYOUT.status + 2 * w + 1);
    }
  }

  /** The error worker `w` posted before it counted down (its message may still be on its way). */
  async #errorOf(w: number): Promise<never> {
    for (let tries = 0; this.#errors[w] === null && tries < 1000; tries++) {
      if (this.#failure !== null) throw this.#failure;
      await sleep(1);
    }
    throw this.#errors[w] ?? new DownhillError("WORKER_FAILED", `fit options.workers: worker ${w} failed without saying why.`);
  }

  #dispatchMessages(command: number, total: number): Promise<void> {
    const replies: Promise<void>[] = [];
    for (let w = 0; w < this.size; w++) {
      replies.push(new Promise<void>((resolve, reject) => (this.#pending[w] = { resolve, reject })));
      const weights = this.weights.slice();
      const batch = this.batch.slice(0, command === RUN_STEP ? total : 0);
      this.#handles[w]!.post({ type: "run", command, weights, batch, total }, [weights.buffer as ArrayBuffer, batch.buffer as ArrayBuffer]);
    }
    return Promise.race([Promise.all(replies), this.#failed]).then(() => undefined);
  }

  /** Ends every worker thread; idempotent; resolves when all have ended. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const control = this.#control;
    if (control !== null) {
      // Workers waiting for a command return from their loop; then every thread is ended.
      Atomics.store(control, LAYOUT.command, STOP);
      Atomics.add(control, LAYOUT.generation, 1);
      Atomics.notify(control, LAYOUT.generation);
    }
    for (let w = 0; w < this.size; w++) {
      const pending = this.#pending[w];
      this.#pending[w] = null;
      pending?.reject(new DownhillError("DISPOSED", "This pool of workers has been closed."));
    }
    this.#closing = Promise.all(this.#handles.map((h) => h.terminate())).then(() => undefined);
    return this.#closing;
  }

  get closed(): boolean {
    return this.#closing !== null;
  }
}
