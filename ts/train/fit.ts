/**
 * The training loop: mini-batch gradient descent of any Trainable with any optimizer and
 * schedule, with scikit-learn's stopping rules (max_iter, tol + n_iter_no_change,
 * early_stopping on a validation fraction), a gradient-norm tolerance, callbacks, an
 * AbortSignal and divergence detection. Same seed, data and options: same bits.
 *
 * Each epoch (re)shuffles the row order with the seeded Random (the same permutation on
 * both backends), cuts it into batches of `batchSize` rows (the last one shorter), and
 * for each batch asks the model for the mean loss and its gradient, then steps. The
 * monitored loss is the validation loss when there is a validation part, else the
 * epoch's mean training loss; the weights at its best epoch are kept as a copy.
 */
import type { Backend, Storage } from "../backend/backend.ts";
import { resolveBackend } from "../backend/select.ts";
import { checkDataset, type Dataset } from "../data/dataset.ts";
import { trainValidationSplit } from "../data/split.ts";
import type { FloatArray } from "../dtype.ts";
import { DownhillError, DownhillTypeError, describe, disposedError } from "../errors.ts";
import { InUse } from "../in-use.ts";
import { Optimizer, beginTraining, endTraining, isTraining } from "../optim/optimizer.ts";
import { Parameter } from "../parameter.ts";
import { ReduceLROnPlateau } from "../schedule/reduce-lr-on-plateau.ts";
import { Scheduler, type ScheduledOptimizer } from "../schedule/scheduler.ts";
import { EpochLog, Fitted, type Divergence, type FitResult, type IterationRecord, type StopReason } from "./history.ts";
import { checkFitOptions, type CallbackResult, type FitOptions, type FitSettings } from "./options.ts";
import type { BoundData, EpochsRun, Trainable } from "./trainable.ts";
import { fillInOrder } from "../kernels/model/affine.ts";
import { bindParallel, checkParallelModel, type ParallelBound } from "./data-parallel.ts";
import { OPTIMIZERS, TIME_SLICE, isThenable, macrotask, now } from "./loop.ts";

/**
 * Models and parameters being fitted now: a second concurrent fit of them is refused (code
 * "BUSY"). fit() removes them in its finally block.
 */
const FITTING = new InUse();

function checkModel(model: unknown): void {
  const m = model as Trainable;
  if (typeof model !== "object" || model === null || typeof m.parameters !== "function" || typeof m.bind !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fit(model): model must be a trainable model (with parameters() and bind(data)); got ${describe(model)}.`);
  }
}

/** What `model.bind` returned must be bound data; anything else is freed if it can be and refused. */
function checkBound(bound: unknown): BoundData {
  const b = bound as BoundData;
  const ok =
    typeof bound === "object" && bound !== null && Number.isSafeInteger(b.n) && b.n > 0 &&
    typeof b.lossAndGradient === "function" && typeof b.loss === "function" && typeof b.dispose === "function";
  if (!ok) {
    if (typeof (bound as { dispose?: unknown } | null)?.dispose === "function") (bound as BoundData).dispose();
    throw new DownhillTypeError("INVALID_ARGUMENT", `fit(model): model.bind(data) must return bound data ({ n, lossAndGradient, loss, dispose }); got ${describe(bound)}.`);
  }
  return b;
}

/** The model's parameters, read after binding: models may create them when they first see the data. */
function checkParameters(model: Trainable): Parameter[] {
  const params: unknown = model.parameters();
  if (!Array.isArray(params) || params.length === 0 || !params.every((p) => p instanceof Parameter)) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fit(model): model.parameters() must return a non-empty array of Parameters; got ${describe(params)}.`);
  }
  params.forEach((p: Parameter, i) => {
    if (p.disposed) throw disposedError(`parameter (model.parameters()[${i}])`);
  });
  return params as Parameter[];
}

/**
 * Checks the options of a named optimizer before any data is bound, by building it on a
 * one-element array of the TypeScript backend (which allocates nothing else).
 */
function checkOptimizerOptions(s: FitSettings): void {
  if (typeof s.optimizer !== "string") return;
  new OPTIMIZERS[s.optimizer]([new Float64Array(1)], { ...s.optimizerOptions, backend: "ts" }).dispose();
}

/** The optimizer to use and whether fit() made it (and so disposes it). */
function createOptimizer(s: FitSettings, params: Parameter[]): { optimizer: ScheduledOptimizer; owned: boolean } {
  let optimizer: unknown;
  let owned = true;
  if (typeof s.optimizer === "string") {
    optimizer = new OPTIMIZERS[s.optimizer](params, s.optimizerOptions);
  } else if (s.optimizer instanceof Optimizer) {
    optimizer = s.optimizer;
    owned = false;
  } else {
    optimizer = s.optimizer(params);
    if (!(optimizer instanceof Optimizer)) {
      throw new DownhillTypeError("INVALID_ARGUMENT", `fit options.optimizer: the factory must return a downhill optimizer (new SGD(params, …), …); it returned ${describe(optimizer)}.`);
    }
  }
  const o = optimizer as ScheduledOptimizer;
  if (o.disposed) throw disposedError("optimizer (fit options.optimizer)");
  // Built here from model.parameters(): it updates nothing else.
  if (typeof s.optimizer === "string") return { optimizer: o, owned };
  const own = new Set<unknown>(params);
  for (const group of o.paramGroups) {
    for (const p of group.params) {
      if (own.has(p)) continue;
      // One a factory made is fit()'s to dispose; the caller's own is left as it is.
      if (owned) o.dispose();
      throw new DownhillTypeError("INVALID_ARGUMENT", "fit options.optimizer: the optimizer updates a parameter that is not one of model.parameters(); build it on the model's parameters.");
    }
  }
  return { optimizer: o, owned };
}

function checkScheduler(schedule: unknown, optimizer: ScheduledOptimizer): Scheduler {
  if (!(schedule instanceof Scheduler) || typeof (schedule as unknown as { step?: unknown }).step !== "function") {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fit options.schedule must return a downhill scheduler (new StepLR(optimizer, …), …); it returned ${describe(schedule)}.`);
  }
  if (schedule.optimizer !== optimizer) {
    throw new DownhillTypeError("INVALID_ARGUMENT", "fit options.schedule: the scheduler drives another optimizer; build it on the optimizer it is given.");
  }
  return schedule;
}

/** The gradients of the parameters with their backends, for the norm and clipping. */
interface Gradient {
  readonly backend: Backend;
  readonly storage: Storage;
  readonly f32: boolean;
}

/**
 * The total L2 norm of the gradients as clipGradNorm computes it: each tensor's norm in
 * its dtype, then `sqrt(Σ n_i²)` in f64. Allocates nothing.
 */
function gradientNorm(grads: readonly Gradient[]): number {
  let total = 0;
  for (let i = 0; i < grads.length; i++) {
    const g = grads[i]!;
    const root = Math.sqrt(g.backend.sumOfSquares(g.storage));
    const n = g.f32 ? Math.fround(root) : root;
    total += n * n;
  }
  return Math.sqrt(total);
}

/** clipGradNorm(params, maxNorm) given the total norm already computed. */
function clip(grads: readonly Gradient[], total: number, maxNorm: number): void {
  const coefficient = (1 / (total + 1e-6)) * maxNorm;
  if (!(coefficient >= 1)) for (let i = 0; i < grads.length; i++) grads[i]!.backend.scale(grads[i]!.storage, coefficient);
}

function allFinite(params: readonly Parameter[]): boolean {
  for (let i = 0; i < params.length; i++) {
    const data = params[i]!.data;
    for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k]!)) return false;
  }
  return true;
}

const firstLr = (optimizer: ScheduledOptimizer): number => optimizer.learningRate(0);

/** An epoch's running sums as its batches are stepped or read. */
interface Tally {
  lossSum: number;
  rows: number;
  steps: number;
  gradNorm: number;
}

/** The most batches fit() hands to one fused backend call. */
const MAX_CHUNK = 4096;

/**
 * The batches per fused call that the last fit on a bound dataset had reached, and its
 * batch size: the next fit of that size starts there instead of at 16 (a bound dataset
 * fitted again and again, as in a search, then makes one call where it made two).
 */
const PACE = new WeakMap<object, { readonly batch: number; readonly chunk: number }>();

const NO_RECORDS = new Float64Array(0);

function describeEnd(reason: StopReason, epochs: number, iterations: number, bestEpoch: number, divergence: Divergence | null): string {
  const ran = `${epochs} epoch${epochs === 1 ? "" : "s"} (${iterations} iteration${iterations === 1 ? "" : "s"})`;
  switch (reason) {
    case "converged":
      return `Converged after ${ran}: the gradient norm fell below gradientTol.`;
    case "noImprovement":
      return `Stopped after ${ran}: the monitored loss did not improve by more than tol for nIterNoChange epochs.`;
    case "earlyStopping":
      return `Stopped early after ${ran}: the validation loss did not improve by more than tol for nIterNoChange epochs; restored the weights of epoch ${bestEpoch}.`;
    case "maxIter":
      return `Reached the limit of epochs or maxIter after ${ran} without meeting a stopping rule (converged: false); raise epochs or maxIter, or the learning rate.`;
    case "callback":
      return `Stopped by a callback after ${ran}.`;
    case "aborted":
      return `Aborted by the AbortSignal after ${ran}.`;
    case "diverged": {
      const d = divergence!;
      const restored = bestEpoch === 0 ? "the initial weights" : `the weights of epoch ${bestEpoch}`;
      const last = d.lastFiniteLoss === null ? "no batch had a finite loss" : `the last finite batch loss was ${d.lastFiniteLoss}`;
      return `Diverged in epoch ${d.epoch}, batch ${d.batch} (iteration ${d.iteration}) with learning rate ${d.lr}: the ${d.what} became NaN or infinite (${last}); restored ${restored}. Lower the learning rate, standardize the features or clip gradients.`;
    }
  }
}

/** Data bound with `model.bind` (anything with a lossAndGradient method) rather than a Dataset. */
const isBound = (data: unknown): data is BoundData => typeof (data as Partial<BoundData> | null)?.lossAndGradient === "function";

/** Bound data given to fit(): live, this model's, and not needing the Dataset itself. */
function checkResident(data: BoundData, model: Trainable, s: FitSettings): void {
  checkBound(data);
  if (data.disposed === true) throw disposedError("bound dataset (fit(data))");
  if (data.model !== undefined && data.model !== model) {
    throw new DownhillTypeError("INVALID_ARGUMENT", "fit(data): this data was bound by another model; pass data bound by model.bind(data) of the model being fitted, or the Dataset.");
  }
  const needs = s.validationFraction > 0 ? `validationFraction ${s.validationFraction}` : s.workers !== undefined ? `workers ${s.workers}` : null;
  if (needs !== null) {
    throw new DownhillTypeError("INVALID_ARGUMENT", `fit options.${needs.replace(" ", " (")}) needs the Dataset itself (to split it or to share it with workers), not data bound with model.bind(); pass the Dataset.`);
  }
}

/**
 * Trains `model` on `data` and resolves to how it went (see FitResult); rejects with a
 * DownhillError for invalid options (nothing touched), "BUSY" when the model is already
 * being fitted, or with the error a callback threw (weights at the last completed step).
 *
 * `data` is a Dataset, which fit() copies into the model's memory for this fit, or data
 * already resident there, `model.bind(dataset)`: fits on it skip the copy and keep their
 * buffers, and it stays bound until you dispose() it (not with validationFraction or
 * workers, which need the Dataset).
 */
export async function fit(model: Trainable, data: Dataset | BoundData, options: FitOptions = {}): Promise<FitResult> {
  const s = checkFitOptions(options);
  checkModel(model);
  const resident = isBound(data) ? data : null;
  if (resident !== null) checkResident(resident, model, s);
  else checkDataset(data, "fit(data)");
  // Bound data is bound already: the optimizer built below checks its options before
  // anything changes.
  if (resident === null) checkOptimizerOptions(s);
  if (s.workers !== undefined) checkParallelModel(model, s.workers);
  if (FITTING.has(model)) busy();
  FITTING.add(model);
  // What the finally block undoes, in reverse order of making (no closures: fit() is
  // called hundreds of times in a search, and each allocation counts there).
  let params: Parameter[] = [];
  let train: BoundData | ParallelBound | null = null;
  let validation: BoundData | null = null;
  let optimizer: ScheduledOptimizer | null = null;
  let owned = false;
  let training = false;
  let parallel: ParallelBound | null = null;
  try {
    let trainData = data as Dataset;
    let validationData: Dataset | null = null;
    if (s.validationFraction > 0) {
      const split = trainValidationSplit(trainData, s.shuffle ? { validationFraction: s.validationFraction, seed: s.random! } : { validationFraction: s.validationFraction, shuffle: false });
      trainData = split.train;
      validationData = split.validation;
    }
    const bound = resident ?? (s.workers === undefined ? checkBound(model.bind(trainData)) : (parallel = await bindParallel(model, trainData, s.workers, s.batchSize)));
    if (resident === null) train = bound;
    if (validationData !== null) validation = checkBound(model.bind(validationData));
    const checked = checkParameters(model);
    if (checked.some((p) => FITTING.has(p))) busy();
    for (const p of (params = checked)) FITTING.add(p);
    ({ optimizer, owned } = createOptimizer(s, params));
    if (isTraining(optimizer)) busy();
    beginTraining(optimizer);
    training = true;
    const scheduler = s.schedule === undefined ? null : checkScheduler(s.schedule(optimizer), optimizer);
    return await run(s, params, optimizer, scheduler, bound, validation);
  } finally {
    if (training) endTraining(optimizer!);
    if (owned) optimizer!.dispose();
    validation?.dispose();
    train?.dispose();
    for (const p of params) FITTING.delete(p);
    FITTING.delete(model);
    // The worker threads have ended when fit settles.
    if (parallel !== null) await (parallel as ParallelBound).closed;
  }
}

function busy(): never {
  throw new DownhillError("BUSY", "fit(model): this model (or one of its parameters, or the optimizer) is already being fitted; await the running fit before starting another on it.");
}

async function run(
  s: FitSettings,
  params: readonly Parameter[],
  optimizer: ScheduledOptimizer,
  scheduler: Scheduler | null,
  train: BoundData | ParallelBound,
  validation: BoundData | null,
): Promise<FitResult> {
  const grads: Gradient[] = params.map((p) => ({ backend: resolveBackend(p.backend), storage: Parameter.storages(p).grad, f32: p.dtype === "f32" }));
  const n = train.n;
  const batchSize = Math.min(s.batchSize, n);
  const plateau = scheduler instanceof ReduceLROnPlateau ? scheduler : null;
  const stepper = plateau === null && scheduler !== null ? (scheduler as unknown as { step(): void }) : null;
  const perIterationSchedule = stepper !== null && s.scheduleEvery === "iteration";
  const { onEpoch, onIteration, signal, random, tol, maxIter, gradientTol, clipGradNorm } = s;
  const iterationHistory: IterationRecord[] | null = s.recordIterations ? [] : null;
  const perIteration = onIteration !== undefined || iterationHistory !== null;

  const history = new EpochLog(validation !== null);
  const best: FloatArray[] = params.map((p) => p.data.slice());
  let bestLoss = Infinity;
  let bestEpoch = 0;
  let badEpochs = 0;
  let iterations = 0;
  let epoch = 0;
  let reason: StopReason | null = signal?.aborted ? "aborted" : null;
  let divergence: Divergence | null = null;
  /** The training loss of the last batch whose loss and gradient were finite; null before the first. */
  let lastFiniteLoss: number | null = null;
  let lastYield = now();
  /** The divergence at batch `batch` of this epoch, whose loss or gradient is not finite. */
  const divergedAt = (batch: number, loss: number): Divergence =>
    // The previous step of this epoch may have made the weights non-finite (checked
    // only now, not after every step): then that step is where it diverged.
    batch > 1 && !allFinite(params)
      ? Object.freeze({ epoch, batch: batch - 1, iteration: iterations, lr: firstLr(optimizer), what: "weights", lastFiniteLoss })
      : Object.freeze({ epoch, batch, iteration: iterations + 1, lr: firstLr(optimizer), what: Number.isFinite(loss) ? "gradient" : "loss", lastFiniteLoss });
  // Whole runs of batches go to the backend in one call (crate/src/train.rs) when nothing
  // needs JavaScript between two batches; same steps, same bits. When nothing needs it
  // between two epochs either (no onEpoch, schedule or validation), whole epochs do, with
  // the shuffle, the no-improvement rule and the best weights; otherwise runs within an
  // epoch of several batches.
  const bound = train as Partial<BoundData>;
  const fusible = typeof bound.steps === "function" && onIteration === undefined && !perIterationSchedule;
  let fused = fusible && n > batchSize;
  let epochwise = fusible && onEpoch === undefined && scheduler === null && validation === null;
  const perEpoch = Math.ceil(n / batchSize);
  // Every row in order, when that is a batch: a call without arguments, where the bound
  // data has one (no n row numbers to pass, check and copy; the workers run their shards).
  const wholeInOrder = train.allRowsCall === true && !s.shuffle;
  // The epochs' row order: the bound data's own where it keeps one in the backend's
  // memory (shuffled there and read there by steps(), no copies), else an array here.
  const own = typeof bound.order === "function" ? bound.order() : null;
  const array = own === null ? new Uint32Array(n) : null;
  if (own === null) fillInOrder(array!, n);
  else own.reset();
  /** The order's row numbers now (a view into the backend's memory when it is the bound data's). */
  const rows = (): Uint32Array => array ?? own!.rows;
  const order = own ?? array!;
  /** The epoch's shuffle: the same permutation and generator state either way. */
  const shuffleOrder = (): void => {
    if (own === null) {
      random!.shuffle(array!);
      return;
    }
    const state = random!.state();
    const words = Uint32Array.from(state.words);
    own.shuffle(words);
    random!.setState({ words: [words[0]!, words[1]!, words[2]!, words[3]!], spareNormal: state.spareNormal });
  };
  // Batches per call: no more than this fit can run (the bound data sizes its record
  // buffers to the calls).
  const most = fusible ? Math.max(1, Math.min(MAX_CHUNK, s.epochs * perEpoch, maxIter)) : 0;
  const paceBefore = PACE.get(train);
  let chunk = Math.min(paceBefore?.batch === batchSize ? paceBefore.chunk : 16, most);
  /** The last fused call's batch losses and gradient norms (the bound data's arrays). */
  let losses: Float64Array<ArrayBufferLike> = NO_RECORDS;
  let norms: Float64Array<ArrayBufferLike> = NO_RECORDS;
  /**
   * Adapts the batches per call to about a quarter of a time slice at the rate the last
   * call ran (at most 32 times as many per call: a coarse clock may read 0): fewer calls,
   * and abort() still heard.
   */
  const paced = (took: number, full: boolean): void => {
    if (took < TIME_SLICE / 4 && full) chunk = Math.min(most, chunk * 32, Math.max(chunk * 4, Math.floor((chunk * TIME_SLICE) / 4 / took)));
    else if (took > TIME_SLICE && chunk > 1) chunk = Math.max(1, chunk >> 1);
  };
  /**
   * Whether the `count` batches of a fused run all had finite losses and norms, none below
   * gradientTol. A run stops at the first batch that has not (StepsDone), so only its last
   * batch can: one record to read, not one per batch.
   */
  const uneventful = (count: number): boolean => Number.isFinite(losses[count - 1]!) && norms[count - 1]! >= gradientTol && norms[count - 1]! < Infinity;
  /**
   * Reads batch `batch` (of `size` rows) of a fused run from losses[j] and norms[j] into
   * the epoch's tally, as the per-batch loop would have seen it; false when the fit stops
   * there.
   */
  const replay = (t: Tally, j: number, batch: number, size: number, lr: number): boolean => {
    const loss = losses[j]!;
    t.gradNorm = norms[j]!;
    t.lossSum += loss * size;
    t.rows += size;
    if (!Number.isFinite(loss) || !Number.isFinite(t.gradNorm)) {
      reason = "diverged";
      divergence = divergedAt(batch, loss);
      return false;
    }
    lastFiniteLoss = loss;
    iterations++;
    t.steps++;
    if (t.gradNorm < gradientTol) reason = "converged";
    iterationHistory?.push(Object.freeze({ epoch, iteration: iterations, batchSize: size, loss, gradNorm: t.gradNorm, lr }));
    return reason === null;
  };

  while (reason === null) {
    if (epoch >= s.epochs || iterations >= maxIter) {
      reason = "maxIter";
      break;
    }
    const count = epochwise && !signal?.aborted ? Math.min(s.epochs - epoch, Math.floor((maxIter - iterations) / perEpoch), Math.floor(chunk / perEpoch)) : 0;
    if (count >= 1) {
      // `count` epochs in one call; their records are then read as the loop below would
      // have made them (each epoch's time is the call's share).
      const lr = firstLr(optimizer);
      const began = now();
      const state = s.shuffle ? random!.state() : null;
      const rng = state === null ? null : Uint32Array.from(state.words);
      const watch: EpochsRun = { count, rng, tol: tol ?? NaN, patience: s.nIterNoChange, bad: badEpochs, bestLoss, bestEpoch: 0, best };
      const records = bound.steps!({ indices: order, start: 0, end: n, batch: batchSize, maxNorm: clipGradNorm ?? NaN, tol: gradientTol, epochs: watch }, optimizer);
      if (records === null) {
        // Not this optimizer or not these parameters: batch by batch from here on.
        epochwise = fused = false;
        continue;
      }
      ({ losses, norms } = records);
      const done = records.count;
      if (state !== null) random!.setState({ words: [rng![0]!, rng![1]!, rng![2]!, rng![3]!], spareNormal: state.spareNormal });
      const ended = now();
      const took = ended - began;
      const ran = Math.ceil(done / perEpoch);
      const t: Tally = { lossSum: 0, rows: 0, steps: 0, gradNorm: NaN };
      if (iterationHistory === null && done === ran * perEpoch && uneventful(done)) {
        // Whole epochs, every batch's loss and norm finite and none below gradientTol:
        // the records straight from the run's arrays, as the replay below makes them.
        history.addRun(losses, norms, ran, n, batchSize, lr, took / ran);
        epoch += ran;
        iterations += done;
        t.steps = perEpoch;
        lastFiniteLoss = losses[done - 1]!;
      } else {
        for (let e = 0, j = 0; e < ran; e++) {
          epoch++;
          t.lossSum = t.rows = t.steps = 0;
          t.gradNorm = NaN;
          for (let start = 0, batch = 1; start < n && j < done; start += batchSize, batch++, j++) {
            if (!replay(t, j, batch, Math.min(start + batchSize, n) - start, lr)) break;
          }
          history.add(t.steps, t.lossSum / t.rows, null, t.gradNorm, lr, took / ran);
        }
      }
      // The run stopped after the first epoch whose weights became non-finite.
      if (reason !== "diverged" && !allFinite(params)) {
        reason = "diverged";
        divergence = Object.freeze({ epoch, batch: t.steps, iteration: iterations, lr, what: "weights", lastFiniteLoss });
      }
      // The run kept the rule's count and the best epoch as the loop below does (up to a
      // diverged epoch, which changes neither).
      badEpochs = watch.bad;
      if (watch.bestEpoch > 0) {
        bestLoss = watch.bestLoss;
        bestEpoch = epoch - ran + watch.bestEpoch;
      }
      if (reason !== "diverged" && tol !== null && badEpochs >= s.nIterNoChange) reason ??= s.earlyStopping ? "earlyStopping" : "noImprovement";
      paced(took, count === Math.floor(chunk / perEpoch));
      // The clock as the call ended: reading it again costs ~0.1 µs and tells nothing new.
      if (reason === null && ended - lastYield > TIME_SLICE) {
        await macrotask();
        lastYield = now();
      }
      continue;
    }
    epoch++;
    const started = now();
    const lr = firstLr(optimizer);
    if (s.shuffle) shuffleOrder();
    const t: Tally = { lossSum: 0, rows: 0, steps: 0, gradNorm: NaN };
    for (let start = 0, batch = 1; start < n; start += batchSize, batch++) {
      if (signal?.aborted) {
        reason = "aborted";
        break;
      }
      if (iterations >= maxIter) {
        reason = "maxIter";
        break;
      }
      if (fused) {
        // Up to `chunk` batches in one backend call; the records are then read as the
        // per-batch path below would have seen them.
        const count = Math.min(Math.ceil((n - start) / batchSize), maxIter - iterations, chunk);
        const began = now();
        const records = bound.steps!({ indices: order, start, end: Math.min(start + count * batchSize, n), batch: batchSize, maxNorm: clipGradNorm ?? NaN, tol: gradientTol }, optimizer);
        if (records !== null) {
          ({ losses, norms } = records);
          const done = records.count;
          const stepLr = firstLr(optimizer);
          for (let j = 0; ; j++, start += batchSize, batch++) {
            // The for statement's increments then move past this chunk's last batch.
            if (!replay(t, j, batch, Math.min(start + batchSize, n) - start, stepLr) || j === done - 1) break;
          }
          if (reason !== null) break;
          paced(now() - began, count === chunk);
          if (now() - lastYield > TIME_SLICE) {
            await macrotask();
            lastYield = now();
          }
          continue;
        }
        // Not this optimizer or not these parameters: batch by batch from here on.
        fused = epochwise = false;
      }
      const end = Math.min(start + batchSize, n);
      let loss = wholeInOrder && end - start === n ? (train as { lossAndGradient(): number | Promise<number> }).lossAndGradient() : train.lossAndGradient(rows(), start, end);
      if (typeof loss !== "number") loss = await loss;
      const gradNorm = (t.gradNorm = gradientNorm(grads));
      t.lossSum += loss * (end - start);
      t.rows += end - start;
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        reason = "diverged";
        divergence = divergedAt(batch, loss);
        break;
      }
      lastFiniteLoss = loss;
      if (clipGradNorm !== undefined) clip(grads, gradNorm, clipGradNorm);
      optimizer.step();
      iterations++;
      t.steps++;
      if (gradNorm < gradientTol) reason = "converged";
      if (perIteration) {
        const record: IterationRecord = Object.freeze({ epoch, iteration: iterations, batchSize: end - start, loss, gradNorm, lr: firstLr(optimizer) });
        iterationHistory?.push(record);
        if (onIteration !== undefined) {
          let answer: CallbackResult = onIteration(record);
          if (isThenable(answer)) answer = await answer;
          if (answer === "stop") reason ??= "callback";
        }
      }
      if (perIterationSchedule) stepper.step();
      if (reason !== null) break;
      if (now() - lastYield > TIME_SLICE) {
        await macrotask();
        lastYield = now();
      }
    }
    if (t.rows === 0) {
      // Stopped before the epoch's first batch: nothing to record.
      epoch--;
      break;
    }
    const { steps, gradNorm } = t;
    const trainLoss = t.lossSum / t.rows;
    if (reason !== "diverged" && !allFinite(params)) {
      reason = "diverged";
      divergence = Object.freeze({ epoch, batch: steps, iteration: iterations, lr: firstLr(optimizer), what: "weights", lastFiniteLoss });
    }
    const validationLoss = validation === null ? null : validation.loss();
    if (reason !== "diverged" && validationLoss !== null && !Number.isFinite(validationLoss)) {
      reason = "diverged";
      divergence = Object.freeze({ epoch, batch: steps, iteration: iterations, lr: firstLr(optimizer), what: "loss", lastFiniteLoss });
    }
    history.add(steps, trainLoss, validationLoss, gradNorm, lr, now() - started);
    if (reason !== "diverged") {
      const monitored = validationLoss ?? trainLoss;
      // scikit-learn's rule (sgd_fast _plain_sgd, MLP _update_no_improvement_count).
      if (tol !== null) {
        badEpochs = monitored > bestLoss - tol ? badEpochs + 1 : 0;
        if (badEpochs >= s.nIterNoChange) reason ??= s.earlyStopping ? "earlyStopping" : "noImprovement";
      }
      if (monitored < bestLoss) {
        bestLoss = monitored;
        bestEpoch = epoch;
        for (let i = 0; i < params.length; i++) best[i]!.set(params[i]!.data);
      }
      if (plateau !== null) plateau.step(monitored);
      else if (stepper !== null && !perIterationSchedule) stepper.step();
    }
    if (onEpoch !== undefined) {
      let answer: CallbackResult = onEpoch(history.record(epoch - 1));
      if (isThenable(answer)) answer = await answer;
      if (answer === "stop") reason ??= "callback";
    }
    if (reason === null && now() - lastYield > TIME_SLICE) {
      await macrotask();
      lastYield = now();
    }
  }

  // A fit whose length capped its calls (chunk = most) learnt only that this pace is fast
  // enough: it keeps a larger one that an earlier fit reached, so that a short fit between
  // two long ones does not send the next back to small calls.
  if (fusible) PACE.set(train, { batch: batchSize, chunk: chunk === most && paceBefore?.batch === batchSize ? Math.max(chunk, paceBefore.chunk) : chunk });
  const stop: StopReason = reason ?? "maxIter";
  const finalWeights = params.map((p) => p.data.slice());
  const restoredBest = stop === "earlyStopping" || stop === "diverged";
  if (restoredBest) for (let i = 0; i < params.length; i++) params[i]!.data.set(best[i]!);
  // The history is made into records when first read (see EpochLog).
  return new Fitted({
    reason: stop,
    converged: stop === "converged" || stop === "noImprovement" || stop === "earlyStopping",
    epochs: epoch,
    iterations,
    iterationHistory: iterationHistory === null ? null : Object.freeze(iterationHistory),
    finalWeights: Object.freeze(finalWeights),
    bestWeights: Object.freeze(best),
    bestEpoch,
    bestLoss,
    restoredBest,
    divergence,
    message: describeEnd(stop, epoch, iterations, bestEpoch, divergence),
  }, history);
}
