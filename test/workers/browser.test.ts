/**
 * fit's `workers` in a real browser (Debian's Chromium, headless, through playwright-core),
 * on the built bundle: module Web Workers from a Blob URL. A cross-origin-isolated page
 * has SharedArrayBuffer but may not block its main thread, so commands go through shared
 * memory and Atomics.waitAsync; a page that is not isolated has no SharedArrayBuffer, so
 * they go as messages. Both must give the bits of a fit without workers for `workers: 1`,
 * repeat themselves with 2 workers, and end their threads. Needs `npm run build` first;
 * skipped only when /usr/bin/chromium is missing.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const bundle = new URL("../../dist/index.js", import.meta.url);

const page = `<!doctype html><meta charset="utf-8"><script type="module">
import { LinearRegression, MLP, Random, fit, memoryUsage, toDataset } from "/index.js";
const random = new Random(4);
const X = Array.from({ length: 300 }, () => [random.normal(), random.normal()]);
const y = X.map(([a, b]) => (a - 2 * b > 0 ? 1 : 0));
const data = toDataset(X, y);
async function run(workers) {
  const model = new MLP({ layers: [4], activation: "tanh", output: "binary", seed: 1 });
  const result = await fit(model, data, { optimizer: "adam", optimizerOptions: { lr: 0.05 }, batchSize: 40, epochs: 5, tol: null, ...(workers ? { workers } : {}) });
  model.dispose();
  return result.finalWeights.flatMap((w) => Array.from(w));
}
try {
  const out = { isolated: crossOriginIsolated, shared: typeof SharedArrayBuffer === "function" };
  out.none = await run();
  out.one = await run(1);
  out.twoA = await run(2);
  out.twoB = await run(2);
  out.workersAfter = memoryUsage().workers;
  window.__result = out;
} catch (error) {
  window.__result = { error: String(error && error.stack || error) };
}
</script>`;

function serve(isolated: boolean): Promise<{ server: Server; url: string }> {
  const headers = isolated ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" } : {};
  const server = createServer((request, response) => {
    if (request.url === "/index.js") {
      response.writeHead(200, { "Content-Type": "text/javascript", ...headers });
      response.end(readFileSync(bundle));
    } else {
      response.writeHead(200, { "Content-Type": "text/html", ...headers });
      response.end(page);
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })));
}

interface PageResult {
  error?: string;
  isolated: boolean;
  shared: boolean;
  none: number[];
  one: number[];
  twoA: number[];
  twoB: number[];
  workersAfter: number;
}

describe.skipIf(!existsSync(CHROMIUM))("fit with workers in headless Chromium", () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    expect(existsSync(bundle), "run `npm run build` first").toBe(true);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
  });

  for (const isolated of [true, false]) {
    it(`${isolated ? "a cross-origin-isolated page: shared memory, Atomics.waitAsync" : "a page without isolation: messages"}`, async () => {
      const { server, url } = await serve(isolated);
      const tab = await browser!.newPage();
      const problems: string[] = [];
      tab.on("pageerror", (error) => problems.push(error.message));
      try {
        await tab.goto(url);
        await tab.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
        const r = await tab.evaluate(() => (window as unknown as { __result: PageResult }).__result);
        expect(r.error).toBeUndefined();
        expect(r.isolated).toBe(isolated);
        expect(r.shared).toBe(isolated);
        expect(r.one).toEqual(r.none);
        expect(r.twoB).toEqual(r.twoA);
        r.twoA.forEach((v, i) => expect(Math.abs(v - r.none[i]!)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(r.none[i]!))));
        expect(r.workersAfter).toBe(0);
        expect(problems).toEqual([]);
      } finally {
        await tab.close();
        await new Promise((resolve) => server.close(resolve));
      }
    }, 90_000);
  }
});
