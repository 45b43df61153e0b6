/**
 * `npm run bench:fit-costs`: what fit() adds to the kernels, taken apart (prints, writes
 * nothing; the figures issue 9's notes give for W3's and W4's fit()-vs-kernel-loop cells).
 *
 * - W3's data (100 × 2, batch GD, SGD lr 2e-5, data bound once): a fit of 1 epoch (fit()'s
 *   cost per call, with one epoch of arithmetic) and of 500 and 2 000 epochs (the slope is
 *   the cost per epoch);
 * - 20 000 one-epoch fits on W3's data in a row: the median, the 99th and 99.9th
 *   percentiles and the mean per fit, which, unlike the rest, count the garbage
 *   collector's pauses (what a loop of small fits, as a search makes, waits for);
 * - 500 frozen epoch records made alone (what the first read of a 500-epoch fit's
 *   `history` makes: fit() keeps the numbers and makes the records when asked);
 * - W4's data (100 000 × 16, Adam, batch 32, data bound once): one epoch shuffled and one
 *   in order; the difference is the epoch's shuffle (and the scattered rows' cache misses);
 *   the shuffle alone; and the model's kernel on one 32-row batch (per call, of 1 000 in a
 *   row).
 *
 * Each figure is the fastest and the median of RUNS calls after WARMUP, in one process.
 */
import { LinearRegression, Random, fit, toDataset, type Dtype, type FitOptions } from "../ts/index.ts";
import { wasmBackend } from "../ts/backend/wasm/index.ts";
import { fillInOrder } from "../ts/kernels/model/affine.ts";
import { EPOCH, SEED_FIT, regressionData, seedData } from "./workloads.ts";

const ROWS = 100_000;
const dtype: Dtype = "f32";

/** Milliseconds in ms, µs or ns. */
const us = (ms: number): string => (ms >= 1 ? `${ms.toFixed(2)} ms` : ms >= 0.001 ? `${(ms * 1000).toFixed(1)} µs` : `${(ms * 1e6).toFixed(0)} ns`);

/** Times `call` RUNS times after `warmup` calls; `per` > 1 reports each figure divided by it (a call that loops `per` times). */
async function timed(label: string, runs: number, warmup: number, call: () => unknown, per = 1): Promise<void> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    times.push((performance.now() - started) / per);
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(58)} fastest ${us(times[0]!).padStart(9)}   median ${us(times[runs >> 1]!).padStart(9)}`);
}

/** `runs` calls of `call` in a row after `warmup`: percentiles of the calls and the mean over the whole loop (the pauses between calls included). */
async function tail(label: string, runs: number, warmup: number, call: () => unknown): Promise<void> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  const began = performance.now();
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  const mean = (performance.now() - began) / runs;
  times.sort((a, b) => a - b);
  const at = (q: number) => us(times[Math.floor(q * runs)]!);
  console.log(`${label.padEnd(58)} median ${at(0.5)}, p99 ${at(0.99)}, p99.9 ${at(0.999)}, mean ${us(mean)}`);
}

/** 500 epoch records as a fit's `history` makes them: one frozen 7-field object each, in a frozen array. */
function records(): readonly object[] {
  const history: object[] = [];
  for (let epoch = 1; epoch <= SEED_FIT.iterations; epoch++) {
    history.push(Object.freeze({ epoch, iterations: 1, trainLoss: epoch * 1.5, validationLoss: null, gradNorm: epoch * 0.25, lr: SEED_FIT.lr, time: epoch * 1e-4 }));
  }
  return Object.freeze(history);
}

const seed = seedData();
const small = new LinearRegression({ bias: false, init: [...SEED_FIT.init], dtype });
const smallData = small.bind(toDataset({ data: seed.X, shape: [seed.n, seed.d] }, seed.y, { dtype }));
const seedFit = (epochs: number): FitOptions => ({ optimizer: "sgd", optimizerOptions: { lr: SEED_FIT.lr }, batchSize: seed.n, epochs, shuffle: false, tol: null });
for (const epochs of [1, 500, 2000]) {
  await timed(`W3 data, fit() of ${epochs} epoch${epochs === 1 ? "" : "s"} (${dtype})`, 2000, 500, () => fit(small, smallData, seedFit(epochs)));
}
await tail(`W3 data, 20 000 fits of 1 epoch in a row (${dtype})`, 20_000, 3000, () => fit(small, smallData, seedFit(1)));
await timed("500 frozen epoch records, made alone", 20_000, 2000, records);

const big = regressionData(ROWS);
const model = new LinearRegression({ dtype });
const bound = model.bind(toDataset({ data: big.X, shape: [big.n, big.d] }, big.y, { dtype }));
const epoch: FitOptions = { optimizer: "adam", optimizerOptions: { lr: EPOCH.lr }, batchSize: EPOCH.batchSize, epochs: 1, tol: null };
await timed(`W4 data, fit() of one epoch, shuffled (${dtype})`, 60, 10, () => fit(model, bound, { ...epoch, seed: EPOCH.seed }));
await timed(`W4 data, fit() of one epoch, rows in order (${dtype})`, 60, 10, () => fit(model, bound, { ...epoch, shuffle: false }));
// The epoch's shuffle alone: fit()'s row order permuted in WebAssembly memory
// (crate/src/rng.rs), as fit() does before each shuffled epoch.
const order = wasmBackend.allocRows(ROWS);
const state = wasmBackend.allocRows(4);
state.array.set(new Random(EPOCH.seed).state().words);
fillInOrder(order.array, ROWS);
await timed(`W4 data, the epoch's shuffle of ${ROWS} rows alone (wasm)`, 200, 20, () => wasmBackend.shuffleRows(state, order, ROWS));
order.dispose();
state.dispose();
// One of the epoch's 3 125 batches alone: the model's kernel on 32 rows (the same rows
// each time, so in cache), through the bound data's public call.
const batch = Uint32Array.from({ length: EPOCH.batchSize }, (_, i) => i * 7);
await timed(`W4 data, lossAndGradient of one ${EPOCH.batchSize}-row batch (${dtype})`, 200, 20, () => {
  for (let i = 0; i < 1000; i++) bound.lossAndGradient(batch, 0, batch.length);
}, 1000);
bound.dispose();
model.dispose();
smallData.dispose();
small.dispose();
