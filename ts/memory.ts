/** How much WebAssembly memory downhill holds: for leak checks and monitoring. */
import { loadedAbi } from "./backend/wasm/load.ts";
import { liveWorkers } from "./backend/wasm/workers.ts";

/** What {@link memoryUsage} reports. */
export interface MemoryUsage {
  /** Bytes allocated by live buffers, optimizer state and step tables. */
  liveBytes: number;
  /** Size of the module's linear memory; it grows and never shrinks. */
  memoryBytes: number;
  /**
   * Worker threads of running data-parallel fits (fit's `workers`), each with its own
   * instance and memory, not counted above; 0 once every such fit has settled.
   */
  workers: number;
}

/** Current usage; zeros when the WebAssembly module has not been loaded. */
export function memoryUsage(): MemoryUsage {
  const abi = loadedAbi();
  const workers = liveWorkers();
  return abi ? { liveBytes: abi.liveBytes(), memoryBytes: abi.memory.buffer.byteLength, workers } : { liveBytes: 0, memoryBytes: 0, workers };
}
