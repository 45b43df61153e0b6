/**
 * The browser example (examples/browser) in a real browser: Debian's Chromium, headless,
 * driven by playwright-core (no browser download). Bundles the page with
 * `npm run example:browser`, serves it over localhost, and checks that downhill trained on
 * the wasm backend, that the fitted weights are the least-squares solution (solved here
 * from the page's data by the normal equations), and that choosing another optimizer or
 * learning rate restarts the fit with it (replayed here by hand). Needs `npm run build`
 * first (npm test does it); skipped only when /usr/bin/chromium is missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));
const exampleDir = fileURLToPath(new URL("../../examples/browser/", import.meta.url));
const haveChromium = existsSync(CHROMIUM);

if (!haveChromium) {
  console.warn(`test/browser: skipped, ${CHROMIUM} is not installed (apt-get install chromium; .ci/run installs it).`);
}

/** What the page publishes as window.__downhill. */
interface PageStatus {
  state: "loading" | "running" | "done" | "error";
  run: number;
  backend: string | null;
  optimizer: string | null;
  lr: number | null;
  steps: number;
  loss: number | null;
  weights: [number, number] | null;
  reason: string | null;
  error: string | null;
  data: { X: [number, number][]; y: number[] } | null;
}

const status = (page: Page): Promise<PageStatus> =>
  page.evaluate(() => (window as unknown as { __downhill: PageStatus }).__downhill);

/** Waits until run `run` has finished (or the page reports an error) and returns the status. */
async function finished(page: Page, run: number): Promise<PageStatus> {
  await page.waitForFunction(
    (n) => {
      const s = (window as unknown as { __downhill?: PageStatus }).__downhill;
      return s !== undefined && (s.state === "error" || (s.state === "done" && s.run === n));
    },
    run,
    { timeout: 60_000 },
  );
  const s = await status(page);
  expect(s.error, "the page reported an error").toBeNull();
  return s;
}

/** Least squares without intercept by the 2 × 2 normal equations XᵀX w = Xᵀy. */
function leastSquares(X: readonly (readonly number[])[], y: readonly number[]): [number, number] {
  let a00 = 0, a01 = 0, a11 = 0, b0 = 0, b1 = 0;
  X.forEach(([x0, x1], i) => {
    a00 += x0! * x0!;
    a01 += x0! * x1!;
    a11 += x1! * x1!;
    b0 += x0! * y[i]!;
    b1 += x1! * y[i]!;
  });
  const det = a00 * a11 - a01 * a01;
  return [(a11 * b0 - a01 * b1) / det, (a00 * b1 - a01 * b0) / det];
}

function mse(X: readonly (readonly number[])[], y: readonly number[], w: readonly number[]): number {
  let sum = 0;
  X.forEach(([x0, x1], i) => {
    const r = w[0]! * x0! + w[1]! * x1! - y[i]!;
    sum += r * r;
  });
  return sum / X.length;
}

/** torch.optim.Adam's update (defaults betas 0.9, 0.999, eps 1e-8), full-batch MSE gradient, in f64. */
function adamByHand(X: readonly (readonly number[])[], y: readonly number[], lr: number, steps: number): number[] {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const w = [1, 1];
  const m = [0, 0];
  const v = [0, 0];
  for (let t = 1; t <= steps; t++) {
    const g = [0, 0];
    X.forEach(([x0, x1], i) => {
      const r = w[0]! * x0! + w[1]! * x1! - y[i]!;
      g[0]! += (2 / X.length) * r * x0!;
      g[1]! += (2 / X.length) * r * x1!;
    });
    for (let k = 0; k < 2; k++) {
      m[k] = beta1 * m[k]! + (1 - beta1) * g[k]!;
      v[k] = beta2 * v[k]! + (1 - beta2) * g[k]! * g[k]!;
      const denom = Math.sqrt(v[k]!) / Math.sqrt(1 - beta2 ** t) + eps;
      w[k] = w[k]! - (lr / (1 - beta1 ** t)) * (m[k]! / denom);
    }
  }
  return w;
}

describe.skipIf(!haveChromium)("the browser example in headless Chromium", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  const problems: string[] = [];

  beforeAll(async () => {
    expect(existsSync(`${root}dist/index.js`), "run `npm run build` first").toBe(true);
    execFileSync("npm", ["run", "--silent", "example:browser"], { cwd: root, stdio: "pipe" });
    expect(existsSync(`${exampleDir}dist/main.js`)).toBe(true);
    // A .mjs without type declarations: imported by URL, typed here.
    const serve = (await import(new URL("../../examples/browser/serve.mjs", import.meta.url).href)) as {
      serveDirectory(dir: string): Promise<{ server: Server; url: string }>;
    };
    ({ server, url } = await serve.serveDirectory(exampleDir));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    page = await browser.newPage();
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(`console ${message.type()}: ${message.text()}`);
    });
    page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()}`));
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it("trains on the wasm backend and reaches the least-squares weights", async () => {
    const s = await finished(page, 1);
    expect(s.backend).toBe("wasm");
    expect(await page.evaluate(() => document.body.dataset["backend"])).toBe("wasm");
    expect(s.optimizer).toBe("gd");
    expect(s.lr).toBe(1e-4);
    expect(s.steps).toBe(500);
    const { X, y } = s.data!;
    expect(X).toHaveLength(100);
    const best = leastSquares(X, y);
    // y is exactly linear, so least squares recovers the generating weights.
    expect(best[0]).toBeCloseTo(2, 9);
    expect(best[1]).toBeCloseTo(-30, 9);
    // Gradient descent at lr 1e-4 contracts the error by about (1 − 2.9e-2) per step:
    // after 500 steps it is within 1e-3 of the optimum.
    expect(Math.abs(s.weights![0] - best[0])).toBeLessThan(1e-3);
    expect(Math.abs(s.weights![1] - best[1])).toBeLessThan(1e-3);
    expect(s.loss!).toBeCloseTo(mse(X, y, s.weights!), 10);
    // The path drawn on the contour plot: the start and one point per step.
    const points = await page.locator("#plot polyline").getAttribute("points");
    expect(points!.trim().split(/\s+/)).toHaveLength(501);
    expect(problems).toEqual([]);
  }, 90_000);

  it("restarts with the optimizer chosen in the controls", async () => {
    const before = await status(page);
    await page.selectOption("#optimizer", "adam");
    const s = await finished(page, before.run + 1);
    expect(s.optimizer).toBe("adam");
    expect(s.lr).toBe(0.3); // the preset rate for Adam, shown on the slider
    expect(await page.locator("#lr-value").textContent()).toBe("0.3");
    expect(s.backend).toBe("wasm");
    expect(s.steps).toBe(500);
    const { X, y } = s.data!;
    const expected = adamByHand(X, y, 0.3, 500);
    expect(Math.abs(s.weights![0] - expected[0]!)).toBeLessThan(1e-6);
    expect(Math.abs(s.weights![1] - expected[1]!)).toBeLessThan(1e-6);
    const best = leastSquares(X, y);
    expect(Math.abs(s.weights![0] - best[0])).toBeLessThan(1e-3);
    expect(Math.abs(s.weights![1] - best[1])).toBeLessThan(1e-3);
    expect(problems).toEqual([]);
  }, 90_000);

  it("restarts with the learning rate set on the slider", async () => {
    const before = await status(page);
    await page.locator("#lr").fill("-1"); // log10 of the rate
    const s = await finished(page, before.run + 1);
    expect(s.optimizer).toBe("adam");
    expect(s.lr).toBe(0.1);
    expect(s.steps).toBe(500);
    const { X, y } = s.data!;
    // At lr 0.1 Adam moves at most about 0.1 per step: 500 steps from (1, 1) do not reach
    // w1 = −30, so matching the replay shows that the new rate was used from the start.
    const expected = adamByHand(X, y, 0.1, 500);
    expect(Math.abs(expected[1]! - leastSquares(X, y)[1])).toBeGreaterThan(1);
    expect(Math.abs(s.weights![0] - expected[0]!)).toBeLessThan(1e-6);
    expect(Math.abs(s.weights![1] - expected[1]!)).toBeLessThan(1e-6);
    expect(problems).toEqual([]);
  }, 90_000);
});
