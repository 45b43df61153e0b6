/**
 * What a finished fit leaves to the garbage collector. Its result and everything it had in
 * scope must be young garbage once dropped: collected by V8's next minor GC (scavenge), not
 * copied by it into the old space to wait for a full collection. A fit that kept ~2 KB
 * there per call (its result's getter closure, under a hidden class of its own) made a
 * loop of small fits pay scavenges of several milliseconds. Measured on the built package
 * in a child process with --expose-gc (npm test builds first).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);

// 4 000 one-epoch fits between a full collection and two minor ones; the old space's
// growth per fit. A full collection in between could only lower it.
const script = `
import v8 from "node:v8";
import { LinearRegression, fit, toDataset, Random } from "downhill";
const r = new Random(42);
const X = Array.from({ length: 100 }, () => [12 * r.normal(), 12 * r.normal()]);
const y = X.map(([a, b]) => 2 * a - 30 * b);
const model = new LinearRegression({ bias: false, init: [1, 1] });
const data = model.bind(toDataset(X, y));
const options = { optimizer: "sgd", optimizerOptions: { lr: 2e-5 }, batchSize: 100, epochs: 1, shuffle: false, tol: null };
const oldSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "old_space").space_used_size;
let last;
for (let i = 0; i < 500; i++) last = await fit(model, data, options);
globalThis.gc();
const before = oldSpace();
const fits = 4000;
for (let i = 0; i < fits; i++) last = await fit(model, data, options);
globalThis.gc({ type: "minor" });
globalThis.gc({ type: "minor" });
console.log(JSON.stringify({ perFit: (oldSpace() - before) / fits, epochs: last.history.length, reason: last.reason }));
`;

describe("a finished fit", () => {
  it("is collected by minor GCs: the old space grows by well under 1 KB per fit", () => {
    expect(existsSync(new URL("dist/index.js", root)), "run `npm run build` first").toBe(true);
    const out = JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: root, encoding: "utf8" }));
    expect(out.epochs).toBe(1);
    expect(out.reason).toBe("maxIter");
    // ~450 B per fit now (allocation feedback and the like); ~2.5 KB when each result kept its closure.
    expect(out.perFit).toBeLessThan(1200);
  });
});
