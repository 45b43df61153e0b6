/**
 * What the bound datasets of downhill's models (ts/model/linear-model.ts, ts/model/mlp.ts)
 * share: the features and targets copied into the backend's memory once, a row buffer
 * and the kernel's scratch for batches of up to as many rows as a call needs (grown on
 * demand), fit()'s row order, and the state of the kernel calls made on them — disposed,
 * or faulted after a call the module refused.
 */
import type { Backend, RowStorage, Storage } from "../backend/backend.ts";
import type { Dataset } from "../data/dataset.ts";
import type { Dtype } from "../dtype.ts";
import { DownhillError, disposedError } from "../errors.ts";
import type { RowOrder } from "../train/trainable.ts";
import { batchRows } from "../train/batch.ts";

export class Resident {
  readonly n: number;
  readonly impl: Backend;
  readonly x: Storage;
  readonly y: Storage;
  readonly #scratchLen: (rows: number) => number;
  #rows: RowStorage;
  #scratch: Storage;
  /** fit()'s row order, made on first use. */
  #order: ResidentOrder | null = null;
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
    if (!this.#inOrder) this.impl.fillRowsInOrder(this.#rows, this.n);
    this.#inOrder = true;
  }

  /** fit()'s row order in this backend's memory (BoundData.order), made on first use and kept. */
  order(): ResidentOrder {
    this.live();
    return (this.#order ??= new ResidentOrder(this));
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
    this.#order?.dispose();
  }
}

/**
 * The n row numbers of fit()'s epochs (RowOrder), in the backend's memory next to the data:
 * shuffled there (crate/src/rng.rs `shuffle` ↔ ts/kernels/rng.ts, the same swaps) and read
 * there by the train kernel, so that an epoch copies no row numbers across the boundary.
 */
export class ResidentOrder implements RowOrder {
  readonly #data: Resident;
  /** The row numbers, and the generator's 4 state words for shuffle(). */
  readonly storage: RowStorage;
  readonly #state: RowStorage;

  constructor(data: Resident) {
    this.#data = data;
    this.storage = data.impl.allocRows(data.n);
    try {
      this.#state = data.impl.allocRows(4);
    } catch (error) {
      this.storage.dispose();
      throw error;
    }
    try {
      this.reset();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  get rows(): Uint32Array {
    this.#data.live();
    return this.storage.array;
  }

  reset(): void {
    const data = this.#data;
    data.live();
    data.guard(() => data.impl.fillRowsInOrder(this.storage, data.n));
  }

  shuffle(words: Uint32Array): void {
    const data = this.#data;
    data.live();
    this.#state.array.set(words);
    data.guard(() => data.impl.shuffleRows(this.#state, this.storage, data.n));
    words.set(this.#state.array);
  }

  dispose(): void {
    this.storage.dispose();
    this.#state.dispose();
  }
}
