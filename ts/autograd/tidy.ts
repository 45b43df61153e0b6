/**
 * Deterministic freeing of tensors, as TF.js's `tf.tidy`: a scope disposes every tensor
 * created inside it except those it returns (found in the returned value, arrays and plain
 * objects) and those passed to `keep()`; returned tensors move to the enclosing scope.
 * Unlike TF.js, a scope that throws still frees its tensors, and an async function is
 * refused (tensors created after an `await` would escape the scope).
 */
import { DownhillTypeError, describe } from "../errors.ts";
import type { Tensor } from "./tensor.ts";

/** What a scope can free: a tensor. */
export interface Disposable {
  dispose(): void;
}

/** Open scopes, innermost last; each holds the tensors created in it and not yet returned. */
const scopes: Set<Disposable>[] = [];

/** @internal Registers a new tensor with the innermost open scope, if any. */
export function track(tensor: Disposable): void {
  scopes[scopes.length - 1]?.add(tensor);
}

/** Frees every tensor of a scope, even if one dispose throws. */
function disposeAll(scope: Iterable<Disposable>): void {
  let failure: unknown = null;
  for (const t of scope) {
    try {
      t.dispose();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}

/** Adds to `found` the members of `scope` reachable from `value` through arrays and plain objects. */
function collect(value: unknown, scope: Set<Disposable>, found: Set<Disposable>, seen: Set<unknown>): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  if (scope.has(value as Disposable)) {
    found.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, scope, found, seen);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    for (const item of Object.values(value)) collect(item, scope, found, seen);
  }
}

/**
 * Runs `fn` and disposes every tensor created while it runs, except the tensors it returns
 * (directly, or inside arrays and plain objects), which belong to the enclosing scope, and
 * those passed to {@link keep}. Scopes nest. If `fn` throws, its tensors are disposed and
 * the error is rethrown. `fn` must be synchronous.
 */
export function tidy<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `tidy(fn): fn must be a function; got ${describe(fn)}.`);
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (error) {
    scopes.pop();
    disposeAll(scope);
    throw error;
  }
  scopes.pop();
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    disposeAll(scope);
    throw new DownhillTypeError("INVALID_ARGUMENT", "tidy(fn): fn returned a promise; tidy scopes must be synchronous (tensors created after an await would escape the scope). Call tidy inside the async function, around the synchronous part.");
  }
  const returned = new Set<Disposable>();
  collect(result, scope, returned, new Set());
  for (const t of returned) scope.delete(t);
  const parent = scopes[scopes.length - 1];
  if (parent !== undefined) for (const t of returned) parent.add(t);
  disposeAll(scope);
  return result;
}

/**
 * Keeps `tensor` out of every open scope, so that no tidy() disposes it; dispose it
 * yourself when done. Returns it.
 */
export function keep<T extends Tensor>(tensor: T): T {
  if (typeof (tensor as { dispose?: unknown } | null)?.dispose !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `keep(tensor): tensor must be a Tensor; got ${describe(tensor)}.`);
  }
  for (const scope of scopes) scope.delete(tensor);
  return tensor;
}
