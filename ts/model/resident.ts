/**
 * What the bound datasets of downhill's models (ts/model/linear-model.ts, ts/model/mlp.ts)
 * share: the features and targets copied into the backend's memory once, a row buffer
 * and the kernel's scratch for batches of up to as many rows as a call needs (grown on
 * demand), and the state of the kernel calls made on them — disposed, or faulted after
 * a call the module refused.
 */
import type { Backend, RowStorage, Storage } from "../backend/backend.ts";
import type { Dataset } from "../data/dataset.ts";
import type { Dtype } from "../dtype.ts";
import { DownhillError, disposedError } from "../errors.ts";
import { shuffle } from "../kernels/rng.ts";
import { batchRows, fillInOrder } from "../train/batch.ts";

export class Resident {
  readonly n: number;
  readonly impl: Backend;
  readonly x: Storage;
  readonly y: Storage;
  readonly #scratchLen: (rows: number) => number;
  #rows: RowStorage;
  #scratch: Storage;
  /** The generator's 4 state words for shuffle(), made on first use. */
  #state: RowStorage | null = null;
  /** True while the row buffer holds every row in order. */
  #inOrder = false;
  /** Counts reallocations of the row and scratch buffers: kernel calls built on older ones must be rebuilt. */
  #generation = 0;
  #disposed = false;
  /** Set when a kernel call failed after validation (see guard): the bound data refuses further use. */
  #fault: DownhillError | null = null;

  /** Copies `ds` into `impl`'s memory as `dtype`, with buffers for a batch of all its rows; frees what it made if that fails. */
  constructor(impl: Backend, dtype: Dtype, ds: Dataset, scratchLen: (rows: number) => number) {
    this.n = ds.n;
    this.impl = impl;
    this.#scratchLen = scratchLen;
    const owned: { dispose(): void }[] = [];
    try {
      const keep = <T extends { dispose(): void }>(b: T): T => (owned.push(b), b);
      this.x = keep(impl.alloc(dtype, ds.n * ds.d));
      this.y = keep(impl.alloc(dtype, ds.n));
      this.x.array.set(ds.X);
      this.y.array.set(ds.y!);
      this.#rows = keep(impl.allocRows(ds.n));
      this.#scratch = keep(impl.alloc(dtype, scratchLen(ds.n)));
    } catch (error) {
      for (const o of owned) o.dispose();
      throw error;
    }
  }

  get rows(): RowStorage {
    return this.#rows;
  }

  get scratch(): Storage {
    return this.#scratch;
  }

  get generation(): number {
    return this.#generation;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Row and scratch buffers for batches of up to `count` rows (reallocated, both or neither, when smaller). */
  reserve(count: number): void {
    if (count <= this.#rows.length) return;
    const rows = this.impl.allocRows(count);
    let scratch: Storage;
    try {
      scratch = this.impl.alloc(this.x.dtype, this.#scratchLen(count));
    } catch (error) {
      rows.dispose();
      throw error;
    }
    this.#rows.dispose();
    this.#scratch.dispose();
    this.#rows = rows;
    this.#scratch = scratch;
    this.#inOrder = false;
    this.#generation++;
  }

  /**
   * The rows of `lossAndGradient(indices?, start?, end?)` in the row buffer — checked
   * first, or every row in order without arguments; returns how many.
   */
  setBatch(indices?: Uint32Array, start?: number, end?: number): number {
    const batch = batchRows(indices, start, end, this.n);
    if (batch === null) {
      this.allRows();
      return this.n;
    }
    this.setRows(batch);
    return batch.length;
  }

  /** Copies rows already checked to the front of the row buffer. */
  setRows(rows: Uint32Array): void {
    this.reserve(rows.length);
    this.#rows.array.set(rows);
    this.#inOrder = false;
  }

  /** Every row in order in the row buffer (left there by the last call that wrote them). */
  allRows(): void {
    this.reserve(this.n);
    if (!this.#inOrder) fillInOrder(this.#rows.array, this.n);
    this.#inOrder = true;
  }

  /**
   * Permutes `order` (the n row numbers) in place as ts/kernels/rng.ts `shuffle` does with
   * the generator state `words` (advanced in place). On the wasm backend the shuffle runs
   * in WebAssembly (crate/src/rng.rs, the same swaps) on a copy in the row buffer, twice
   * as fast as in JavaScript even with the copies.
   */
  shuffle(order: Uint32Array, words: Uint32Array): void {
    this.live();
    if (this.impl.name === "ts") {
      shuffle(words, order);
      return;
    }
    const n = order.length;
    this.reserve(n);
    const state = (this.#state ??= this.impl.allocRows(4));
    this.#rows.array.set(order);
    this.#inOrder = false;
    state.array.set(words);
    this.guard(() => this.impl.shuffleRows(state, this.#rows, n));
    order.set(this.#rows.array.subarray(0, n));
    words.set(state.array);
  }

  /** Throws after dispose() and after a fault. */
  live(): void {
    if (this.#disposed) throw disposedError("bound dataset");
    if (this.#fault !== null) throw this.#fault;
  }

  /**
   * Runs one kernel call. A failure here, after every argument was checked, is a fault of
   * the WebAssembly module (or of memory overwritten from outside): the gradients may be
   * half-written, so this bound data refuses further use; the model and other objects
   * are unaffected, and the model can bind the data again.
   */
  guard<T>(kernel: () => T): T {
    try {
      return kernel();
    } catch (error) {
      if (error instanceof DownhillError && error.code !== "WASM_FAULT") throw error;
      this.#fault = new DownhillError("WASM_FAULT", `This bound dataset is unusable: a kernel call failed (${error instanceof Error ? error.message : String(error)}). Dispose it and bind the data again.`);
      throw error;
    }
  }

  /** Frees the data and buffers; idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.x.dispose();
    this.y.dispose();
    this.#rows.dispose();
    this.#scratch.dispose();
    this.#state?.dispose();
  }
}
