/**
 * Loads the crate's WebAssembly module. The bytes are inlined in the bundle, so loading
 * reads no file and touches no network. Node and Deno compile synchronously on first
 * use; browsers call `init()` first so that the compile happens before the first step.
 */
import compileDownhill from "../../../build/downhill.wasm";
import { bind, type Abi } from "./abi.ts";

let abi: Abi | null = null;
let compiled: WebAssembly.Module | null = null;
let failure: unknown = null;

/** The bound module, compiled on first use; throws the load error if it cannot load. */
export function loadAbi(): Abi {
  if (abi) return abi;
  if (failure !== null) throw failure;
  try {
    compiled = compileDownhill();
    abi = bind(new WebAssembly.Instance(compiled, {}));
    return abi;
  } catch (error) {
    failure = error;
    throw error;
  }
}

/**
 * The compiled module (compiled on first use, like loadAbi), for workers: a
 * WebAssembly.Module can be posted to a worker, which instantiates it without compiling.
 */
export function loadModule(): WebAssembly.Module {
  loadAbi();
  return compiled!;
}

/** The bound module if it loaded already, without trying to load it. */
export function loadedAbi(): Abi | null {
  return abi;
}
