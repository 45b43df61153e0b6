/**
 * The worker side of a data-parallel fit (fit's `workers` option): each worker owns one
 * WebAssembly instance of downhill's module, holding its shard of the dataset, and per
 * step runs a model's partial kernel (crate/src/abi.rs, model_partial_exports! and
 * mlp_partial_exports!) on its rows of the batch: the sum of those rows' loss terms and
 * gradient terms, each already scaled for the mean over the whole batch. The main thread
 * (ts/backend/wasm/workers.ts) adds the workers' sums in worker order.
 *
 * `workerMain` runs in another realm and cannot import anything: the pool ships its
 * source text (Function.prototype.toString) inside the bundle and starts it with
 * `eval: true` (Node) or from a Blob URL (Deno, browsers). It is therefore
 * self-contained — only globals, no helpers from other modules — and it is, besides
 * ts/backend/wasm/abi.ts, the only code that touches the module's exports: it binds the
 * few it needs and turns every status code into an error.
 */
import type { Dtype } from "../../dtype.ts";

/** What a worker computes: a linear model's or an MLP's partial kernel, with its shapes and codes. */
export interface WorkerKernel {
  readonly model: "linear" | "logistic" | "softmax" | "mlp";
  readonly dtype: Dtype;
  /** Features and outputs. */
  readonly d: number;
  readonly k: number;
  /** Linear models: whether the parameters hold a bias after the weights (the MLP always has biases). */
  readonly bias: boolean;
  /** Linear regression's loss code and Huber threshold (0 otherwise). */
  readonly loss: number;
  readonly delta: number;
  /** MLP: layer widths (inputs first) and crate/src/model/mlp.rs's codes; [] and 0 for linear models. */
  readonly sizes: readonly number[];
  readonly activation: number;
  readonly output: number;
}

/** Indices into the shared Int32Array of control words (the pool passes them to each worker). */
export interface ControlLayout {
  /** Bumped by the main thread to start a command. */
  readonly generation: number;
  /** Workers still running the command; the last one to finish notifies. */
  readonly pending: number;
  /** The command: RUN_STEP, RUN_ALL, RUN_LOSS or STOP. */
  readonly command: number;
  /** Rows of the whole batch (the mean's denominator; RUN_STEP: the batch's indices given). */
  readonly total: number;
  /** Worker w's status (0: done; 1: failed, its error posted) is at `status + 2w`, its rows of the batch at `status + 2w + 1`. */
  readonly status: number;
}

/**
 * Commands: the partial loss and gradient of the rows given; the partial loss of every row
 * of the shard; stop; the partial loss and gradient of every row of the shard in order (a
 * full batch in order: no indices to send, copy and select from).
 */
export const RUN_STEP = 1;
export const RUN_LOSS = 2;
export const STOP = 3;
export const RUN_ALL = 4;

/** The buffers a worker shares with the main thread when SharedArrayBuffer is available. */
export interface SharedBuffers {
  readonly control: SharedArrayBuffer;
  readonly layout: ControlLayout;
  /** The parameters, flattened in parameter order (P values of the dtype). */
  readonly weights: SharedArrayBuffer;
  /** The batch: up to `batchCapacity` row indices into the whole dataset (u32). */
  readonly batch: SharedArrayBuffer;
  /** Every worker's P gradient sums, worker w's from element w·P. */
  readonly grads: SharedArrayBuffer;
  /** Every worker's loss sum (f64, widened exactly from the dtype). */
  readonly losses: SharedArrayBuffer;
}

/** For tests of the failure paths: fail on the `run`-th command (1 for the first). */
export interface WorkerFault {
  readonly run: number;
  /** "throw": the command throws an error; "exit": the worker thread ends without a word. */
  readonly kind: "throw" | "exit";
}

export interface InitMessage {
  readonly type: "init";
  readonly index: number;
  readonly module: WebAssembly.Module;
  readonly kernel: WorkerKernel;
  /** The shard: rows `first … first + rows − 1` of the dataset, `rows` × d features (row-major) and `rows` targets, in the kernel's dtype. */
  readonly x: Float32Array | Float64Array;
  readonly y: Float32Array | Float64Array;
  readonly first: number;
  readonly rows: number;
  /** The most rows a batch has. */
  readonly batchCapacity: number;
  /** Values of all the parameters together. */
  readonly params: number;
  /** Null: no shared memory; each command arrives as a RunMessage and its result is posted back. */
  readonly shared: SharedBuffers | null;
  /** RUN_STEP, RUN_ALL, RUN_LOSS and STOP (the worker cannot import them). */
  readonly commands: { readonly step: number; readonly all: number; readonly loss: number; readonly stop: number };
  readonly fault: WorkerFault | null;
}

export interface RunMessage {
  readonly type: "run";
  readonly command: number;
  readonly weights: Float32Array | Float64Array;
  /** RUN_STEP: the batch (row indices into the dataset); empty for RUN_LOSS. */
  readonly batch: Uint32Array;
  /** Rows of the whole batch, or of the dataset for RUN_LOSS. */
  readonly total: number;
}

/** What a worker posts: ready after init; a result (message transport); an error. */
export type WorkerReply =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly grad: Float32Array | Float64Array; readonly loss: number; readonly rows: number }
  | { readonly type: "error"; readonly code: "WASM_FAULT" | "OUT_OF_MEMORY" | "WORKER_FAILED"; readonly message: string };

/** How a worker talks to the main thread: parentPort (Node) or the worker's global scope. */
export interface WorkerPort {
  post(message: WorkerReply, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: InitMessage | RunMessage) => void): void;
  /** Ends the thread (the "exit" fault). */
  exit(): void;
}

/** The worker's entry point. Self-contained: see the module docs. */
export function workerMain(port: WorkerPort): void {
  type Exports = Record<string, (...args: number[]) => number> & { memory: WebAssembly.Memory };
  type Fault = Error & { code: "WASM_FAULT" | "OUT_OF_MEMORY" | "WORKER_FAILED" };
  const fail = (code: Fault["code"], message: string): never => {
    throw Object.assign(new Error(message), { code });
  };
  const STATUS = ["ok", "a null pointer", "a misaligned pointer", "a buffer outside WebAssembly memory", "buffers that overlap", "a missing optimizer state buffer", "an invalid argument"];

  interface State {
    /** Runs a command; for RUN_STEP, `batch` holds the batch's `total` row indices. Returns the loss sum; writes the gradient sums to `grad`. */
    readonly run: (command: number, weights: Float32Array | Float64Array, batch: Uint32Array, total: number, grad: Float32Array | Float64Array) => number;
    /** The rows of the shard the last RUN_STEP or RUN_ALL used (the main thread checks that they add up to the batch). */
    readonly rows: () => number;
  }
  let state: State | null = null;
  let runs = 0;

  function start(init: InitMessage): State {
    const { kernel, params, batchCapacity } = init;
    // The most of this shard's rows a batch can hold (a batch has no row twice).
    const capacity = Math.min(batchCapacity, init.rows);
    const f32 = kernel.dtype === "f32";
    const size = f32 ? 4 : 8;
    const exports = new WebAssembly.Instance(init.module, {}).exports as Exports;
    const bound = (name: string): ((...args: number[]) => number) => {
      const f = exports[name];
      if (typeof f !== "function") return fail("WORKER_FAILED", `The WebAssembly module has no export "${name}"; the build does not match this version of downhill.`);
      return f;
    };
    const alloc = (bytes: number, align: number, what: string): number => {
      const ptr = bound("dh_alloc")(Math.max(bytes, 1), align) >>> 0;
      if (ptr === 0) fail("OUT_OF_MEMORY", `Out of WebAssembly memory in worker ${init.index} allocating ${what} (${bytes} bytes).`);
      return ptr;
    };
    const m = init.rows;
    const { d, k } = kernel;
    const mlp = kernel.model === "mlp";
    const sizes = kernel.sizes;
    const layers = sizes.length - 1;
    let widest = 0;
    let widths = 0;
    for (let l = 0; l < sizes.length; l++) {
      widths += sizes[l]!;
      if (l > 0 && sizes[l]! > widest) widest = sizes[l]!;
    }
    // crate/src/model/affine.rs's and mlp.rs's scratch_len for `capacity` rows.
    const scratchLen = mlp ? capacity * (widths + 1 + 2 * widest) : capacity * (2 * k + 1);
    const x = alloc(m * d * size, 16, `its shard of ${m} × ${d} features`);
    const y = alloc(m * size, 16, "its targets");
    const rows = alloc(capacity * 4, 4, "row indices");
    const batch = alloc(batchCapacity * 4, 4, "a batch's row indices");
    const found = alloc(4, 4, "a count");
    const scratch = alloc(scratchLen * size, 16, "the scratch of a batch");
    const w = alloc(params * size, 16, "the parameters");
    const g = alloc(params * size, 16, "the gradient");
    const out = alloc(8, 8, "the result");
    const table = mlp ? alloc((sizes.length + 4 * layers) * 4, 4, "the layer table") : 0;
    // Memory grows only while allocating: these views stay valid from here on.
    const buffer = exports.memory.buffer;
    const view = (ptr: number, len: number) => (f32 ? new Float32Array(buffer, ptr, len) : new Float64Array(buffer, ptr, len));
    view(x, m * d).set(init.x);
    view(y, m).set(init.y);
    const weights = view(w, params);
    const grads = view(g, params);
    const rowView = new Uint32Array(buffer, rows, capacity);
    const batchView = new Uint32Array(buffer, batch, batchCapacity);
    const foundView = new Uint32Array(buffer, found, 1);
    const result = new Float64Array(buffer, out, 1);
    if (mlp) {
      // Layer widths, then per layer the pointers [w, b, grad_w, grad_b] (crate/src/abi.rs, run_mlp).
      const words = new Uint32Array(buffer, table, sizes.length + 4 * layers);
      let at = 0;
      for (let l = 0; l <= layers; l++) words[l] = sizes[l]!;
      for (let l = 0; l < layers; l++) {
        const wLen = sizes[l]! * sizes[l + 1]!;
        const base = layers + 1 + 4 * l;
        words[base] = w + at * size;
        words[base + 2] = g + at * size;
        at += wLen;
        words[base + 1] = w + at * size;
        words[base + 3] = g + at * size;
        at += sizes[l + 1]!;
      }
    }
    const suffix = f32 ? "f32" : "f64";
    const partial = bound(mlp ? `dh_mlp_partial_${suffix}` : `dh_${kernel.model}_partial_${suffix}`);
    const wLen = d * k;
    const b = kernel.bias ? w + wLen * size : 0;
    const gb = kernel.bias ? g + wLen * size : 0;
    const call = (count: number, total: number): number => {
      const status = mlp
        ? partial(x, y, m, rows, count, total, table, layers, table + 4 * (layers + 1), kernel.activation, kernel.output, scratch, scratchLen, out)
        : partial(x, y, m, d, k, rows, count, total, w, b, kernel.bias ? 1 : 0, g, gb, scratch, scratchLen, kernel.loss, kernel.delta, out);
      if (status !== 0) fail("WASM_FAULT", `The ${kernel.model} model's partial loss and gradient was refused by the WebAssembly module in worker ${init.index}: ${STATUS[status] ?? `status ${status}`}.`);
      return result[0]!;
    };
    const select = bound("dh_select_rows");
    const fault = init.fault;
    let used = 0;
    /** How many leading entries of the row buffer hold their own index (RUN_ALL and RUN_LOSS write them; a selection overwrites them). */
    let ordered = 0;
    const inOrder = (count: number): void => {
      for (let i = ordered; i < count; i++) rowView[i] = i;
      ordered = Math.max(ordered, count);
    };
    return {
      rows: () => used,
      run(command, src, batchSrc, total, grad) {
        runs++;
        if (fault !== null && fault.run === runs) {
          if (fault.kind === "exit") port.exit();
          fail("WORKER_FAILED", `Injected fault in worker ${init.index} on command ${runs}.`);
        }
        weights.set(src);
        if (command === init.commands.step) {
          // This worker's rows of the batch, in batch order (crate/src/model/affine.rs, select_rows).
          if (total > batchCapacity) fail("WORKER_FAILED", `Worker ${init.index} was given a batch of ${total} rows; it has room for ${batchCapacity}.`);
          batchView.set(batchSrc.subarray(0, total));
          ordered = 0;
          const status = select(batch, total, init.first, m, rows, capacity, found);
          if (status !== 0) fail("WASM_FAULT", `Selecting worker ${init.index}'s rows was refused by the WebAssembly module: ${STATUS[status] ?? `status ${status}`}.`);
          const count = foundView[0]!;
          if (count > capacity) fail("WORKER_FAILED", `Worker ${init.index} holds ${count} rows of a batch (a row given twice?); it has room for ${capacity}.`);
          used = count;
          const loss = call(count, total);
          grad.set(grads);
          return loss;
        }
        if (command === init.commands.all) {
          // Every row of the shard, in order: the rows a RUN_STEP would select from a
          // batch of all rows in order, without the batch.
          if (m > capacity) fail("WORKER_FAILED", `Worker ${init.index} was asked for all ${m} rows of its shard at once; it has room for ${capacity}.`);
          inOrder(m);
          used = m;
          const loss = call(m, total);
          grad.set(grads);
          return loss;
        }
        // RUN_LOSS: every row of the shard, in chunks of `capacity`, the sums added in the dtype.
        let sum = 0;
        for (let start = 0; start < m; start += capacity) {
          const c = Math.min(capacity, m - start);
          if (start === 0) inOrder(c);
          else {
            ordered = 0;
            for (let i = 0; i < c; i++) rowView[i] = start + i;
          }
          const s = call(c, total);
          sum = f32 ? Math.fround(sum + s) : sum + s;
        }
        return sum;
      },
    };
  }

  function report(error: unknown): void {
    const e = error as Partial<Fault>;
    const code = e.code === "WASM_FAULT" || e.code === "OUT_OF_MEMORY" ? e.code : "WORKER_FAILED";
    port.post({ type: "error", code, message: error instanceof Error ? error.message : String(error) });
  }

  /** The shared-memory loop: wait for a new generation, run its command, count down, notify. */
  function serve(s: State, init: InitMessage, shared: SharedBuffers): void {
    const { index, params } = init;
    const dtype = init.kernel.dtype;
    const control = new Int32Array(shared.control);
    const L = shared.layout;
    const weights = dtype === "f32" ? new Float32Array(shared.weights) : new Float64Array(shared.weights);
    const grad = dtype === "f32" ? new Float32Array(shared.grads, index * params * 4, params) : new Float64Array(shared.grads, index * params * 8, params);
    const batch = new Uint32Array(shared.batch, 0, init.batchCapacity);
    const losses = new Float64Array(shared.losses);
    let seen = Atomics.load(control, L.generation);
    port.post({ type: "ready" });
    for (;;) {
      Atomics.wait(control, L.generation, seen);
      const generation = Atomics.load(control, L.generation);
      if (generation === seen) continue;
      seen = generation;
      const command = Atomics.load(control, L.command);
      if (command === init.commands.stop) return;
      let status = 0;
      try {
        losses[index] = s.run(command, weights, batch, Atomics.load(control, L.total) >>> 0, grad);
      } catch (error) {
        status = 1;
        report(error);
      }
      Atomics.store(control, L.status + 2 * index + 1, s.rows());
      Atomics.store(control, L.status + 2 * index, status);
      if (Atomics.sub(control, L.pending, 1) === 1) Atomics.notify(control, L.pending);
    }
  }

  port.listen((message) => {
    if (message.type === "init") {
      try {
        state = start(message);
      } catch (error) {
        report(error);
        return;
      }
      if (message.shared !== null) serve(state, message, message.shared);
      else port.post({ type: "ready" });
      return;
    }
    try {
      if (state === null) fail("WORKER_FAILED", "A command reached a worker that did not start.");
      const f32 = message.weights instanceof Float32Array;
      const grad = f32 ? new Float32Array(message.weights.length) : new Float64Array(message.weights.length);
      const loss = state!.run(message.command, message.weights, message.batch, message.total, grad);
      port.post({ type: "result", grad, loss, rows: state!.rows() }, [grad.buffer as ArrayBuffer]);
    } catch (error) {
      report(error);
    }
  });
}

/**
 * Node: the worker's source for `new Worker(source, { eval: true })`. It runs as a script
 * or, when the process was started with --input-type=module (workers inherit execArgv),
 * as a module: import() works in both, and parentPort queues messages until listened to.
 */
export function nodeWorkerSource(): string {
  return `import("node:worker_threads").then(({ parentPort }) => (${workerMain.toString()})({
  post: (message, transfer) => parentPort.postMessage(message, transfer),
  listen: (handler) => parentPort.on("message", handler),
  exit: () => process.exit(1),
}));
`;
}

/** Deno and browsers: the source of a module worker (from a Blob URL). */
export function webWorkerSource(): string {
  return `(${workerMain.toString()})({
  post: (message, transfer) => self.postMessage(message, transfer ?? []),
  listen: (handler) => self.addEventListener("message", (event) => handler(event.data)),
  exit: () => self.close(),
});
`;
}
