// fit's `workers` under Deno, on the built bundle: module Web Workers started from a Blob
// URL, the compiled WebAssembly.Module posted to them, shared memory and Atomics. Two
// fits with 2 workers give the same bits, `workers: 1` the bits of a fit without
// workers, and Deno's sanitizers check that no worker or timer outlives a test.
const { LinearRegression, MLP, Random, fit, toDataset } = await import("../../dist/index.js");

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const random = new Random(9);
const X = Array.from({ length: 600 }, () => [random.normal(), random.normal(), random.normal()]);
const y = X.map(([a, b, c]) => 2 * a - b + 0.5 * c + 0.1 * random.normal());
const labels = X.map(([a, b]) => (a - b > 0 ? 1 : 0));

type Weights = readonly (Float32Array | Float64Array)[];
const flat = (w: Weights) => w.flatMap((a) => Array.from(a));
const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

async function weights(make: () => { dispose(): void }, targets: number[], workers?: number): Promise<number[]> {
  const model = make();
  try {
    const options = { optimizer: "adam" as const, optimizerOptions: { lr: 0.05 }, batchSize: 64, epochs: 12, tol: null, seed: 3 };
    // deno-lint-ignore no-explicit-any
    const result = await fit(model as any, toDataset(X, targets), workers === undefined ? options : { ...options, workers });
    return flat(result.finalWeights);
  } finally {
    model.dispose();
  }
}

Deno.test("fit with 2 workers repeats itself; workers: 1 is the single-threaded fit (linear regression, f32)", async () => {
  const make = () => new LinearRegression({ dtype: "f32" });
  const none = await weights(make, y);
  const one = await weights(make, y, 1);
  const a = await weights(make, y, 2);
  const b = await weights(make, y, 2);
  assert(same(one, none), `workers: 1 differs from no workers: ${one} vs ${none}`);
  assert(same(a, b), `two runs with 2 workers differ: ${a} vs ${b}`);
  a.forEach((v, i) => assert(Math.abs(v - none[i]!) <= 1e-5 * (1 + Math.abs(none[i]!)), `weight ${i}: ${v} vs ${none[i]}`));
  assert(Math.abs(a[0]! - 2) < 0.2 && Math.abs(a[1]! + 1) < 0.2, `not near (2, −1, 0.5): ${a}`);
});

Deno.test("an MLP classifier with 3 workers repeats itself and stays within rounding of one thread (f64)", async () => {
  const make = () => new MLP({ layers: [5], activation: "tanh", output: "binary", seed: 2 });
  const none = await weights(make, labels);
  const a = await weights(make, labels, 3);
  const b = await weights(make, labels, 3);
  assert(same(a, b), "two runs with 3 workers differ");
  a.forEach((v, i) => assert(Math.abs(v - none[i]!) <= 1e-13 * (1 + Math.abs(none[i]!)), `weight ${i}: ${v} vs ${none[i]}`));
});

Deno.test("no worker thread outlives the fits", async () => {
  const { memoryUsage } = await import("../../dist/index.js");
  assert(memoryUsage().workers === 0, `${memoryUsage().workers} worker threads still running`);
  const seen: number[] = [];
  const model = new LinearRegression();
  await fit(model, toDataset(X, y), { epochs: 2, workers: 2, onIteration: () => void seen.push(memoryUsage().workers) });
  model.dispose();
  assert(seen.length > 0 && seen.every((n) => n === 2), `during the fit: ${seen}`);
  assert(memoryUsage().workers === 0, `after the fit: ${memoryUsage().workers}`);
});
