/**
 * The objects a running fit() or minimize() uses (models, parameters, optimizers), for the
 * BUSY checks. An array: a handful are in use at once, and each fit() adds and removes
 * its model, each parameter and its optimizer. A WeakSet's add costs ~0.15 µs; a Set
 * emptied and filled again on every fit costs about as much per add and delete together
 * (profile of 1-epoch fits, issue 9).
 */
export class InUse {
  readonly #items: object[] = [];

  has(item: object): boolean {
    return this.#items.includes(item);
  }

  add(item: object): void {
    this.#items.push(item);
  }

  /** Removes one occurrence of `item` (the last added), if any. */
  delete(item: object): void {
    const items = this.#items;
    const at = items.lastIndexOf(item);
    if (at < 0) return;
    items[at] = items[items.length - 1]!;
    items.pop();
  }
}
