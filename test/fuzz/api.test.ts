/**
 * Fuzzing every runtime export of ts/index.ts with arbitrary (valid and invalid)
 * arguments: each call either succeeds or throws a documented DownhillError — never an
 * engine error (WebAssembly.RuntimeError, a plain TypeError from a missing check), never a
 * hang, never a silent NaN from finite input, and after an error nothing has changed
 * (parameters, optimizer and schedule state, random-generator positions, memory).
 *
 * The first test enumerates the exports: a new export without an entry here fails it.
 * FUZZ_RUNS sets the number of cases per entry (small in CI; `npm run fuzz` runs many);
 * FUZZ_SEED and FUZZ_PATH replay a reported failure.
 * Entries that train or search cap epochs and trials in the arguments they generate, so a
 * case is bounded; every asynchronous call also has a time limit, and exceeding it fails.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import * as api from "../../ts/index.ts";
import {
  DownhillError,
  Parameter,
  Random,
  SGD,
  StepLR,
  ExponentialLR,
  LinearRegression,
  memoryUsage,
  toDataset,
  type Dataset,
  type Optimizer,
  type Scheduler,
} from "../../ts/index.ts";
import { OPTIMIZERS } from "../helpers/optimizers.ts";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 20);
/** FUZZ_SEED and FUZZ_PATH replay a failure that fast-check reported (with `-t <entry>`). */
const REPLAY = process.env["FUZZ_SEED"] === undefined ? {} : { seed: Number(process.env["FUZZ_SEED"]), ...(process.env["FUZZ_PATH"] ? { path: process.env["FUZZ_PATH"] } : {}) };
/** Cases for an entry: RUNS scaled by its cost, replaying a reported failure when asked. */
const runs = (weight = 1) => ({ numRuns: Math.max(3, Math.ceil(RUNS * weight)), ...REPLAY });
const CODES = ["INVALID_ARGUMENT", "SHAPE_MISMATCH", "DISPOSED", "BUSY", "NOT_FITTED", "STATE_MISMATCH", "OUT_OF_MEMORY", "DIVERGED", "WASM_FAULT", "WORKER_FAILED"];
/** No single call may take longer than this: longer counts as a hang. */
const HANG_MS = 20_000;

/** An error a test's own callback throws on purpose: rethrown as it is, as documented. */
class UserError extends Error {}

// ---------------------------------------------------------------------------------------
// Arbitrary arguments

function detached(): Float64Array {
  const a = new Float64Array(3);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  // fast-check prints counterexamples; a detached array cannot be read, so say what it is.
  Object.defineProperty(a, fc.toStringMethod, { value: () => "detached Float64Array" });
  return a;
}

/** Any value a careless caller might pass: every type, edge numbers, odd objects. */
const anything: fc.Arbitrary<unknown> = fc.oneof(
  // Not whole numbers from 4097 to 2³²: valid sizes that large would only allocate gigabytes.
  fc.double().filter((x) => !(Number.isInteger(x) && x > 4096 && x <= 2 ** 32)),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, -1, 0.5, 2, 3, 10, 1e-300, 1e300, 2 ** 32, 2 ** 53, -(2 ** 31), 1.5),
  fc.integer({ min: -3, max: 40 }),
  fc.string({ maxLength: 5 }),
  fc.constantFrom("f32", "f64", "wasm", "ts", "sgd", "adam", "lbfgs", "relu", "tanh", "softmax", "binary", "min", "max", "cos", "rel", "abs", "", "lr", "indices", "probabilities"),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -3n, max: 3n }),
  fc.array(fc.double(), { maxLength: 4 }),
  fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 5 }),
  fc.array(fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { maxLength: 3 }), { maxLength: 3 }),
  fc.float32Array({ maxLength: 4 }),
  fc.float64Array({ maxLength: 4 }),
  fc.constantFrom(new Int32Array(2), new Uint32Array([0, 1]), detached(), new Map(), new Set([1]), new Date(0), Symbol("s"), Object.create(null), [1, [2]], { length: 3 }),
  fc.constant({}),
  fc.dictionary(fc.constantFrom("a", "b", "lr", "data", "shape", "value", "grad"), fc.oneof(fc.double(), fc.string({ maxLength: 2 })), { maxKeys: 2 }),
  fc.constantFrom(
    () => 1,
    () => NaN,
    () => "stop",
    () => undefined,
    () => {
      throw new UserError("thrown by a callback");
    },
  ),
);

/** Moderate finite numbers. */
const finite = (min = -10, max = 10) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });

/**
 * Options: mostly a valid set with a few keys replaced or added (known keys, typos and
 * unknown ones), sometimes valid as they are, sometimes anything at all.
 */
function optionsFrom(valid: fc.Arbitrary<Record<string, unknown>>, keys: readonly string[]): fc.Arbitrary<{ options: unknown; pristine: boolean }> {
  const changed = fc
    .tuple(valid, fc.dictionary(fc.constantFrom(...keys, "lR", "learningRate", "foo", "batch_size"), anything, { minKeys: 1, maxKeys: 2 }))
    .map(([o, c]) => ({ options: { ...o, ...c } as unknown, pristine: false }));
  return fc.oneof(
    { weight: 3, arbitrary: valid.map((o) => ({ options: o as unknown, pristine: true })) },
    { weight: 6, arbitrary: changed },
    { weight: 1, arbitrary: anything.map((o) => ({ options: o, pristine: false })) },
  );
}

/** A JSON-like value with one leaf (chosen by `pick`) replaced by `value`. */
function replaceLeaf(root: unknown, pick: number, value: unknown): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  const leaves: [Record<string, unknown>, string][] = [];
  const walk = (node: unknown) => {
    if (typeof node !== "object" || node === null) return;
    for (const key of Object.keys(node)) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === "object" && child !== null && Object.keys(child).length > 0) walk(child);
      else leaves.push([node as Record<string, unknown>, key]);
    }
  };
  walk(copy);
  if (leaves.length === 0) return value;
  const [parent, key] = leaves[pick % leaves.length]!;
  parent[key] = value;
  return copy;
}

// ---------------------------------------------------------------------------------------
// Outcomes

function expectDocumented(error: unknown): void {
  if (error instanceof UserError) return;
  const what = error instanceof Error ? `${error.constructor.name}: ${error.message}\n${error.stack}` : String(error);
  expect(error, what).toBeInstanceOf(DownhillError);
  expect(CODES, what).toContain((error as DownhillError).code);
  expect((error as Error).message.length).toBeGreaterThan(10);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

function attempt<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    expectDocumented(error);
    return { ok: false, error };
  }
}

async function attemptAsync<T>(call: () => T | Promise<T>): Promise<Outcome<Awaited<T>>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no result after ${HANG_MS} ms: a hang`)), HANG_MS)));
  try {
    return { ok: true, value: await Promise.race([Promise.resolve().then(call), hang]) };
  } catch (error) {
    expectDocumented(error);
    return { ok: false, error };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `call`; on a DownhillError, `snapshot()` must read as before. Returns the outcome. */
function unchangedOnError<T>(snapshot: () => string, call: () => T): Outcome<T> {
  const before = snapshot();
  const outcome = attempt(call);
  if (!outcome.ok && !(outcome.error instanceof UserError)) expect(snapshot(), `changed by a refused call: ${String(outcome.error)}`).toBe(before);
  return outcome;
}


/** Numbers (or an array of them) no larger than 1e6 in magnitude, which no loss can overflow. */
const moderate = (v: unknown): boolean => {
  if (typeof v === "number") return Math.abs(v) <= 1e6;
  const values = Array.isArray(v) ? v : ArrayBuffer.isView(v) ? (view(v) as [string, number[]] | "detached")[1] : undefined;
  return Array.isArray(values) && values.every((x) => typeof x === "number" && Math.abs(x) <= 1e6);
};
const allFinite = (values: ArrayLike<number>) => Array.prototype.every.call(values, (v: number) => Number.isFinite(v));
const isFiniteArray = (v: unknown): boolean => (Array.isArray(v) || ArrayBuffer.isView(v)) && allFinite(v as ArrayLike<number>) && !(v instanceof DataView);
/** Typed arrays as arrays (a detached one as "detached"); NaN and infinities kept apart from null. */
const view = (x: ArrayBufferView): unknown => {
  try {
    return [x.constructor.name, Array.from(x as unknown as ArrayLike<number>)];
  } catch {
    return "detached";
  }
};
const json = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : typeof x === "symbol" ? String(x) : ArrayBuffer.isView(x) ? view(x) : Number.isNaN(x) ? "NaN" : x === Infinity ? "Inf" : x === -Infinity ? "-Inf" : x));
const live = () => memoryUsage().liveBytes;
const sum = (x: ArrayLike<number>, f: (v: number) => number) => Array.from(x, f).reduce((a, b) => a + b, 0);

// ---------------------------------------------------------------------------------------
// Shared fixtures

const BACKEND = fc.constantFrom("wasm" as const, "ts" as const);

/** A small valid regression dataset, or something else. */
const regressionRows = fc.array(fc.tuple(finite(), finite()), { minLength: 1, maxLength: 12 });
function regressionData(rows: [number, number][]): Dataset {
  return toDataset(rows.map(([a, b]) => [a, b]), rows.map(([a, b]) => 2 * a - b + 0.5));
}
const dataArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: regressionRows.map(regressionData) },
  { weight: 2, arbitrary: regressionRows.map((rows) => toDataset(rows, rows.map((r, i) => (r[0] > 0 ? 1 : i % 3 === 0 ? 2 : 0)))) },
  { weight: 1, arbitrary: regressionRows.map((rows) => toDataset(rows)) },
  { weight: 2, arbitrary: anything },
);
const featuresArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.tuple(finite(), finite()), { minLength: 1, maxLength: 5 }).map((rows) => rows.map((r) => [...r])) },
  { weight: 1, arbitrary: fc.array(fc.array(finite(), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }) },
  { weight: 2, arbitrary: anything },
);

function params(backend: "wasm" | "ts"): Parameter[] {
  return [Parameter.from([0.5, -1, 2], { dtype: "f32", backend }), Parameter.from([3, 0.25], { dtype: "f64", backend })];
}

/** A snapshot of an optimizer and its parameters, or "disposed". */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any optimizer
function optimizerSnapshot(opt: Optimizer<any>, ps: readonly (Parameter | Float32Array | Float64Array)[]): string {
  if (opt.disposed) return "disposed";
  return json([ps.map((p) => (p instanceof Parameter ? (p.disposed ? "gone" : p.toArray()) : Array.from(p))), opt.steps, opt.paramGroups.map((g) => g.options), ps.map((_, i) => opt.state(i))]);
}

function randomSnapshot(r: Random): string {
  return json(r.state());
}

// ---------------------------------------------------------------------------------------
// Entries, by export name

type Entry = () => void | Promise<void>;

const OPTIMIZER_KEYS = ["lr", "betas", "eps", "momentum", "dampening", "weightDecay", "nesterov", "maximize", "amsgrad", "decoupledWeightDecay", "alpha", "centered", "rho", "lrDecay", "initialAccumulatorValue", "momentumDecay", "backend"];

function optimizerEntry(name: string): Entry {
  const spec = OPTIMIZERS.find((o) => o.name === name)!;
  type Command =
    | { kind: "step"; grads: unknown; valid: boolean }
    | { kind: "setOptions"; options: unknown; group: unknown; pristine: boolean }
    | { kind: "state"; index: unknown }
    | { kind: "stateDict" }
    | { kind: "loadStateDict"; pick: number; value: unknown; intact: boolean }
    | { kind: "zeroGrad" }
    | { kind: "dispose" };
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 4, arbitrary: fc.boolean().map((valid) => ({ kind: "step" as const, grads: null, valid })) },
    { weight: 2, arbitrary: anything.map((grads) => ({ kind: "step" as const, grads, valid: false })) },
    { weight: 2, arbitrary: fc.tuple(optionsFrom(spec.options, OPTIMIZER_KEYS), fc.oneof(fc.constant(undefined), anything)).map(([o, group]) => ({ kind: "setOptions" as const, options: o.options, group, pristine: o.pristine })) },
    { weight: 1, arbitrary: anything.map((index) => ({ kind: "state" as const, index })) },
    { weight: 1, arbitrary: fc.constant({ kind: "stateDict" as const }) },
    { weight: 2, arbitrary: fc.tuple(fc.nat(), anything, fc.boolean()).map(([pick, value, intact]) => ({ kind: "loadStateDict" as const, pick, value, intact })) },
    { weight: 1, arbitrary: fc.constant({ kind: "zeroGrad" as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: "dispose" as const }) },
  );
  const paramsArb = fc.oneof(
    { weight: 3, arbitrary: fc.constant("parameters") },
    { weight: 2, arbitrary: fc.constant("arrays") },
    { weight: 1, arbitrary: anything },
  );
  return () =>
    fc.assert(
      fc.property(optionsFrom(spec.options, OPTIMIZER_KEYS), BACKEND, paramsArb, fc.array(command, { maxLength: 8 }), (o, backend, kind, commands) => {
        const base = live();
        const ps: (Parameter | Float32Array | Float64Array)[] = kind === "parameters" ? params(backend) : kind === "arrays" ? [Float32Array.of(0.5, -1, 2), Float64Array.of(3, 0.25)] : [];
        const before = live();
        const options = typeof o.options === "object" && o.options !== null && kind !== "parameters" ? { backend, ...o.options } : o.options;
        const made = attempt(() => spec.create((kind === "parameters" || kind === "arrays" ? ps : kind) as never, options as never));
        if (!made.ok) {
          expect(live()).toBe(before);
          ps.forEach((p) => p instanceof Parameter && p.dispose());
          return;
        }
        const opt = made.value;
        const snapshot = () => optimizerSnapshot(opt, ps);
        // Steps from generated pristine options must stay finite; other options and an
        // edited state dict may bring valid extremes (eps = 5e-324 is 0 in f32: 0 / 0).
        let pristine = o.pristine;
        for (const c of commands) {
          if (c.kind === "step") {
            const grads = c.valid ? ps.map((p) => (p instanceof Parameter ? p.data : p).map((x, j) => Math.sin(x + j))) : c.grads;
            if (c.valid && !opt.disposed) for (const p of ps) if (p instanceof Parameter) p.grad.set(p.data.map((x) => Math.cos(x)));
            const r = unchangedOnError(snapshot, () => opt.step((kind === "parameters" && c.valid ? undefined : grads) as never));
            if (r.ok && c.valid && pristine && opt.paramGroups.every((g) => Object.values(g.options).every((v) => typeof v !== "number" || Math.abs(v) < 1e6))) {
              for (const p of ps) expect(allFinite(p instanceof Parameter ? p.data : p)).toBe(true);
            }
          } else if (c.kind === "setOptions") {
            if (unchangedOnError(snapshot, () => opt.setOptions(c.options as never, c.group as never)).ok) pristine &&= c.pristine;
          } else if (c.kind === "state") {
            const r = unchangedOnError(snapshot, () => opt.state(c.index as never));
            if (r.ok) for (const v of Object.values(r.value)) expect(ArrayBuffer.isView(v)).toBe(true);
          } else if (c.kind === "stateDict") {
            const r = unchangedOnError(snapshot, () => opt.stateDict());
            if (r.ok) {
              // Through JSON and back into the same optimizer: nothing changes.
              const state = snapshot();
              opt.loadStateDict(JSON.parse(JSON.stringify(r.value)));
              expect(snapshot()).toBe(state);
            }
          } else if (c.kind === "loadStateDict") {
            // A diverged optimizer refuses to save (DIVERGED); there is then nothing to load back.
            const saved = opt.disposed ? { ok: true as const, value: {} } : unchangedOnError(snapshot, () => opt.stateDict());
            if (!saved.ok) {
              expect((saved.error as { code?: string }).code).toBe("DIVERGED");
              expect(snapshot()).toMatch(/"(NaN|Inf|-Inf)"/);
              continue;
            }
            const dict = JSON.parse(JSON.stringify(saved.value)) as unknown;
            const memory = live();
            const r = unchangedOnError(snapshot, () => opt.loadStateDict(c.intact ? dict : replaceLeaf(dict, c.pick, c.value)));
            if (!r.ok) expect(live()).toBe(memory);
            else if (!c.intact) pristine = false;
          } else if (c.kind === "zeroGrad") {
            attempt(() => opt.zeroGrad());
          } else {
            opt.dispose();
            opt.dispose();
          }
        }
        opt.dispose();
        ps.forEach((p) => p instanceof Parameter && p.dispose());
        expect(live()).toBe(base);
      }),
      runs(),
    );
}

const SCHEDULER_OPTIONS: Record<string, [fc.Arbitrary<Record<string, unknown>>, string[]]> = {
  StepLR: [fc.record({ stepSize: fc.integer({ min: 1, max: 5 }), gamma: fc.double({ min: 0.1, max: 1, noNaN: true }) }), ["stepSize", "gamma"]],
  MultiStepLR: [fc.record({ milestones: fc.uniqueArray(fc.integer({ min: 1, max: 10 }), { maxLength: 3 }).map((m) => m.sort((a, b) => a - b)), gamma: fc.double({ min: 0.1, max: 1, noNaN: true }) }), ["milestones", "gamma"]],
  ExponentialLR: [fc.record({ gamma: fc.double({ min: 0.5, max: 1, noNaN: true }) }), ["gamma"]],
  CosineAnnealingLR: [fc.record({ tMax: fc.integer({ min: 1, max: 10 }), etaMin: fc.double({ min: 0, max: 0.01, noNaN: true }) }), ["tMax", "etaMin"]],
  LinearLR: [fc.record({ startFactor: fc.double({ min: 0.1, max: 1, noNaN: true }), endFactor: fc.double({ min: 0, max: 1, noNaN: true }), totalIters: fc.integer({ min: 1, max: 6 }) }), ["startFactor", "endFactor", "totalIters"]],
  OneCycleLR: [
    fc.record({ maxLr: fc.double({ min: 0.01, max: 1, noNaN: true }), totalSteps: fc.integer({ min: 2, max: 12 }), pctStart: fc.double({ min: 0.1, max: 0.9, noNaN: true }), annealStrategy: fc.constantFrom("cos", "linear"), threePhase: fc.boolean() }),
    ["maxLr", "totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase"],
  ],
  ReduceLROnPlateau: [
    fc.record({ mode: fc.constantFrom("min", "max"), factor: fc.double({ min: 0.1, max: 0.9, noNaN: true }), patience: fc.integer({ min: 0, max: 3 }), threshold: fc.double({ min: 0, max: 0.1, noNaN: true }), thresholdMode: fc.constantFrom("rel", "abs"), cooldown: fc.integer({ min: 0, max: 2 }), minLr: fc.constant(0) }),
    ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"],
  ],
};

function schedulerEntry(name: string): Entry {
  const Class = (api as unknown as Record<string, new (optimizer: unknown, options?: unknown) => Scheduler>)[name]!;
  const [valid, keys] = name === "SequentialLR" ? [fc.constant({}), ["schedulers", "milestones"]] : SCHEDULER_OPTIONS[name]!;
  type Command = { kind: "step"; metric: unknown } | { kind: "load"; pick: number; value: unknown; intact: boolean } | { kind: "lr" };
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 4, arbitrary: fc.oneof(finite(0, 5), anything).map((metric) => ({ kind: "step" as const, metric })) },
    { weight: 2, arbitrary: fc.tuple(fc.nat(), anything, fc.boolean()).map(([pick, value, intact]) => ({ kind: "load" as const, pick, value, intact })) },
    { weight: 1, arbitrary: fc.constant({ kind: "lr" as const }) },
  );
  const optimizerArb = fc.oneof({ weight: 5, arbitrary: fc.constant("sgd") }, { weight: 2, arbitrary: fc.constant("adam") }, { weight: 1, arbitrary: anything });
  const sequential = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 5 }), fc.double({ min: 0.5, max: 1, noNaN: true })).map(([m, g]) => ({ milestones: [m], gamma: g })),
    anything.map((x) => ({ milestones: x, gamma: 0.9 })),
  );
  return () =>
    fc.assert(
      fc.property(optionsFrom(valid, keys), optimizerArb, sequential, fc.array(command, { maxLength: 10 }), (o, which, seq, commands) => {
        const p = Parameter.from([1, 2], { dtype: "f64", backend: "ts" });
        const optimizer = which === "sgd" ? new SGD([p], { lr: 0.1, momentum: 0.9 }) : which === "adam" ? new api.Adam([p], { lr: 0.1 }) : which;
        const optionsSnapshot = () => json(optimizer instanceof api.Optimizer ? optimizer.paramGroups.map((g) => g.options) : null);
        let options = o.options;
        if (name === "SequentialLR" && optimizer instanceof api.Optimizer) {
          const schedulers = [new StepLR(optimizer as SGD, { stepSize: 2 }), new ExponentialLR(optimizer as SGD, { gamma: seq.gamma })];
          options = o.pristine ? { schedulers, milestones: seq.milestones } : { schedulers, milestones: seq.milestones, ...(o.options as object) };
        }
        const made = unchangedOnError(name === "SequentialLR" ? () => "" : optionsSnapshot, () => new Class(optimizer, options));
        if (made.ok) {
          const s = made.value;
          const snapshot = () => json([s.stateDict(), optionsSnapshot()]);
          for (const c of commands) {
            if (c.kind === "step") {
              const r = unchangedOnError(snapshot, () => (s as unknown as { step(m?: unknown): void }).step(name === "ReduceLROnPlateau" ? c.metric : undefined));
              if (r.ok && o.pristine) for (const lr of s.getLastLr()) expect(Number.isFinite(lr) && lr >= 0).toBe(true);
            } else if (c.kind === "load") {
              const state = JSON.parse(JSON.stringify(s.stateDict())) as unknown;
              unchangedOnError(snapshot, () => s.loadStateDict(c.intact ? state : replaceLeaf(state, c.pick, c.value)));
            } else {
              expect(s.getLastLr().length).toBe(1);
            }
          }
        }
        if (optimizer instanceof api.Optimizer) optimizer.dispose();
        p.dispose();
      }),
      runs(),
    );
}

/** Models of the table, valid options for each, and how to make one. */
const MODELS: Record<string, [fc.Arbitrary<Record<string, unknown>>, string[]]> = {
  LinearRegression: [
    fc.record({ loss: fc.constantFrom("mse", "mae", "huber"), bias: fc.boolean(), dtype: fc.constantFrom("f32", "f64"), backend: BACKEND, penalty: fc.record({ l2: finite(0, 1), l1: finite(0, 1) }) }),
    ["loss", "delta", "bias", "dtype", "backend", "init", "penalty", "features"],
  ],
  LogisticRegression: [fc.record({ bias: fc.boolean(), dtype: fc.constantFrom("f32", "f64"), backend: BACKEND }), ["bias", "dtype", "backend", "init", "penalty", "features"]],
  SoftmaxRegression: [fc.record({ classes: fc.integer({ min: 2, max: 4 }), dtype: fc.constantFrom("f32", "f64"), backend: BACKEND }), ["classes", "bias", "dtype", "backend", "init", "penalty", "features"]],
  MLP: [
    fc.record({ layers: fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }), activation: fc.constantFrom("relu", "tanh", "sigmoid"), output: fc.constantFrom("regression", "binary", "softmax"), seed: fc.nat(), dtype: fc.constantFrom("f32", "f64"), backend: BACKEND }),
    ["layers", "activation", "output", "classes", "features", "dtype", "backend", "init", "seed", "penalty"],
  ],
};

interface ModelLike {
  parameters(): Parameter[];
  bind(data: unknown): { dispose(): void; lossAndGradient(i: Uint32Array, s: number, e: number): number; loss(): number; n: number };
  predict(X: unknown): Float64Array;
  predictProba?(X: unknown): Float64Array;
  decisionFunction?(X: unknown): Float64Array;
  score(X: unknown, y?: unknown): number;
  dispose(): void;
}

function modelSnapshot(m: ModelLike): string {
  try {
    return json(m.parameters().map((p) => p.toArray()));
  } catch (error) {
    return (error as DownhillError).code;
  }
}

function modelEntry(name: string): Entry {
  const Class = (api as unknown as Record<string, new (options?: unknown) => ModelLike>)[name]!;
  const [valid, keys] = MODELS[name]!;
  type Command = { kind: "bind" | "predict" | "predictProba" | "decisionFunction" | "score"; data: unknown; y: unknown } | { kind: "dispose" };
  const command: fc.Arbitrary<Command> = fc.oneof(
    { weight: 3, arbitrary: fc.tuple(dataArb, anything).map(([data, y]) => ({ kind: "bind" as const, data, y })) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom("predict" as const, "predictProba" as const, "decisionFunction" as const, "score" as const), fc.oneof(featuresArb, dataArb), fc.oneof(fc.array(finite(), { maxLength: 5 }), anything, fc.constant(undefined))).map(([kind, data, y]) => ({ kind, data, y })) },
    { weight: 1, arbitrary: fc.constant({ kind: "dispose" as const }) },
  );
  return () =>
    fc.assert(
      fc.property(optionsFrom(valid, keys), fc.array(command, { maxLength: 6 }), (o, commands) => {
        const before = live();
        const made = attempt(() => new Class(o.options));
        if (!made.ok) return void expect(live()).toBe(before);
        const m = made.value;
        const snapshot = () => modelSnapshot(m);
        for (const c of commands) {
          if (c.kind === "dispose") {
            m.dispose();
            continue;
          }
          if (c.kind === "bind") {
            const r = unchangedOnError(snapshot, () => m.bind(c.data));
            if (r.ok) {
              const bound = r.value;
              const rows = Uint32Array.from({ length: bound.n }, (_, i) => i);
              const loss = unchangedOnError(snapshot, () => bound.lossAndGradient(rows, 0, bound.n));
              if (loss.ok && o.pristine) expect(Number.isFinite(loss.value)).toBe(true);
              bound.dispose();
            }
            continue;
          }
          const method = m[c.kind];
          if (method === undefined) continue;
          const r = unchangedOnError(snapshot, () => (method as (X: unknown, y?: unknown) => unknown).call(m, c.data, c.y));
          if (r.ok && c.kind !== "score" && o.pristine) expect(isFiniteArray(r.value)).toBe(true);
        }
        m.dispose();
        expect(live()).toBe(before);
      }),
      runs(),
    );
}

/** Functions `(pred, target, options)` of the losses. */
const LOSSES = ["mseLoss", "rssLoss", "maeLoss", "huberLoss", "bceWithLogitsLoss", "crossEntropyLoss", "residual", "l1Penalty", "l2Penalty"];

function lossEntry(name: string): Entry {
  const fn = (api as unknown as Record<string, (...args: unknown[]) => { value: number; grad: ArrayLike<number> } | ArrayLike<number>>)[name]!;
  const penalty = name.endsWith("Penalty");
  const values = fc.oneof(
    { weight: 3, arbitrary: fc.array(finite(), { minLength: 0, maxLength: 6 }) },
    { weight: 2, arbitrary: fc.array(finite(0, 1), { minLength: 1, maxLength: 6 }).map((v) => Float32Array.from(v)) },
    { weight: 2, arbitrary: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }) },
    { weight: 2, arbitrary: anything },
  );
  const validOptions = penalty
    ? fc.record({ lambda: finite(0, 1), backend: BACKEND })
    : fc.record({ backend: BACKEND, delta: finite(0.1, 3), classes: fc.integer({ min: 1, max: 3 }) }).map((o) => {
        if (name === "huberLoss") return { backend: o.backend, delta: o.delta };
        if (name === "crossEntropyLoss") return { backend: o.backend, classes: o.classes };
        return { backend: o.backend };
      });
  return () =>
    fc.assert(
      fc.property(values, values, optionsFrom(validOptions as fc.Arbitrary<Record<string, unknown>>, ["backend", "delta", "classes", "target", "lambda", "grad"]), fc.boolean(), (pred, target, o, withGrad) => {
        const inputs = () => json([pred, target]);
        let options = o.options;
        let grad: Float64Array | Float32Array | null = null;
        if (penalty && withGrad && typeof options === "object" && options !== null && (Array.isArray(pred) || ArrayBuffer.isView(pred))) {
          grad = pred instanceof Float32Array ? new Float32Array(pred.length).fill(0.5) : new Float64Array((pred as ArrayLike<number>).length).fill(0.5);
          options = { ...options, grad };
        }
        const snapshot = () => json([inputs(), grad]);
        const r = unchangedOnError(snapshot, () => (penalty ? fn(pred, options) : fn(pred, target, options)));
        if (r.ok) {
          // Inputs were accepted, so they are finite: the result has no NaN, and is finite
          // unless the inputs are large enough to overflow.
          const out = r.value as { value?: number; grad?: ArrayLike<number> };
          const results = name === "residual" ? Array.from(r.value as ArrayLike<number>) : [out.value!, ...Array.from(out.grad!)];
          expect(results.some(Number.isNaN), `NaN from ${json([pred, target, o.options])}`).toBe(false);
          // A penalty's λ may overflow λ·Σ|w| on its own (λ = 9e307, w = [2]).
          const lambda = (options as { lambda?: unknown } | null)?.lambda;
          if (moderate(pred) && moderate(target) && (!penalty || moderate(lambda))) expect(results.every(Number.isFinite)).toBe(true);
        }
      }),
      runs(),
    );
}

const INITIALIZERS: Record<string, fc.Arbitrary<unknown>> = {
  zeros: fc.constant(undefined),
  constant: fc.oneof(finite(), anything),
  normal: optionsFrom(fc.record({ mean: finite(), std: finite(0, 3), seed: fc.nat() }), ["mean", "std", "seed"]).map((o) => o.options),
  uniform: optionsFrom(fc.record({ low: finite(-2, 0), high: finite(0.1, 2), seed: fc.nat() }), ["low", "high", "seed"]).map((o) => o.options),
  xavierUniform: optionsFrom(fc.record({ fanIn: fc.integer({ min: 1, max: 9 }), fanOut: fc.integer({ min: 1, max: 9 }), gain: finite(0.1, 3), seed: fc.nat() }), ["fanIn", "fanOut", "gain", "seed"]).map((o) => o.options),
  xavierNormal: optionsFrom(fc.record({ fanIn: fc.integer({ min: 1, max: 9 }), fanOut: fc.integer({ min: 1, max: 9 }), seed: fc.nat() }), ["fanIn", "fanOut", "gain", "seed"]).map((o) => o.options),
  heUniform: optionsFrom(fc.record({ fanIn: fc.integer({ min: 1, max: 9 }), nonlinearity: fc.constantFrom("relu", "leaky_relu", "linear", "tanh"), seed: fc.nat() }), ["fanIn", "fanOut", "a", "mode", "nonlinearity", "seed"]).map((o) => o.options),
  heNormal: optionsFrom(fc.record({ fanIn: fc.integer({ min: 1, max: 9 }), a: finite(0, 1), seed: fc.nat() }), ["fanIn", "fanOut", "a", "mode", "nonlinearity", "seed"]).map((o) => o.options),
};

function initializerEntry(name: string): Entry {
  const make = (api as unknown as Record<string, (o?: unknown) => api.Initializer>)[name]!;
  return () =>
    fc.assert(
      fc.property(INITIALIZERS[name]!, anything, fc.oneof(fc.constant(undefined), anything), anything, (options, length, createOptions, target) => {
        const made = attempt(() => make(options));
        if (!made.ok) return;
        const init = made.value;
        const twin = make(options); // same options: the same stream, for checking that errors draw nothing
        const created = attempt(() => init.create(length as number, createOptions as never));
        if (created.ok) {
          expect(isFiniteArray(created.value)).toBe(true);
          twin.create(length as number, createOptions as never);
        }
        const copy = ArrayBuffer.isView(target) ? json(target) : null;
        const filled = attempt(() => init.fill(target as never));
        if (!filled.ok && copy !== null) expect(json(target)).toBe(copy);
        if (filled.ok) twin.fill(ArrayBuffer.isView(target) ? (target.constructor as Float64ArrayConstructor).from(target as Float64Array) : (target as never));
        // After any refused call both draw the same next values.
        const next = attempt(() => Array.from(init.create(4, { dtype: "f64" })));
        const twinNext = attempt(() => Array.from(twin.create(4, { dtype: "f64" })));
        expect(next).toEqual(twinNext);
      }),
      runs(),
    );
}

const FIT_KEYS = ["optimizer", "optimizerOptions", "schedule", "scheduleEvery", "batchSize", "epochs", "maxIter", "shuffle", "seed", "tol", "nIterNoChange", "gradientTol", "earlyStopping", "validationFraction", "clipGradNorm", "recordIterations", "onEpoch", "onIteration", "signal"];
const fitOptions = fc.record(
  {
    optimizer: fc.constantFrom("sgd", "adam", "rmsprop", "lion"),
    optimizerOptions: fc.record({ lr: finite(0, 0.1) }),
    batchSize: fc.integer({ min: 1, max: 8 }),
    epochs: fc.integer({ min: 0, max: 3 }),
    tol: fc.oneof(fc.constant(null), finite(0, 0.1)),
    earlyStopping: fc.boolean(),
    clipGradNorm: finite(0.1, 5),
    recordIterations: fc.boolean(),
    schedule: fc.constant((o: SGD) => new StepLR(o, { stepSize: 1, gamma: 0.9 })),
    onEpoch: fc.constantFrom(() => undefined, () => "stop" as const),
  },
  { requiredKeys: ["epochs"] },
);

/** Caps epochs and maxIter of generated options, so that a valid case always ends soon. */
function bounded(options: unknown): unknown {
  if (typeof options !== "object" || options === null) return options;
  const o = { ...(options as Record<string, unknown>) };
  for (const key of ["epochs", "maxIter", "rounds", "trialsPerRound"]) {
    const v = o[key];
    if (typeof v === "number" && v > 3) o[key] = 3;
  }
  if (o["epochs"] === undefined) o["epochs"] = 2;
  return o;
}

const ENTRIES: Record<string, Entry> = {
  DownhillError: () => errorClassEntry(api.DownhillError, Error),
  DownhillTypeError: () => errorClassEntry(api.DownhillTypeError, TypeError),
  DownhillRangeError: () => errorClassEntry(api.DownhillRangeError, RangeError),

  getBackend: () => expect(["wasm", "ts"]).toContain(api.getBackend()),
  setBackend: () =>
    fc.assert(
      fc.property(anything, (name) => {
        const before = api.getBackend();
        const r = unchangedOnError(() => api.getBackend(), () => api.setBackend(name as never));
        if (r.ok) expect(api.getBackend()).toBe(name);
        api.setBackend(before);
      }),
      runs(),
    ),
  init: async () => expect(["wasm", "ts"]).toContain(await api.init()),
  memoryUsage: () =>
    fc.assert(
      fc.property(anything, (x) => {
        const m = (api.memoryUsage as (x: unknown) => api.MemoryUsage)(x);
        expect(Number.isSafeInteger(m.liveBytes) && m.liveBytes >= 0 && Number.isSafeInteger(m.memoryBytes) && m.memoryBytes >= m.liveBytes).toBe(true);
      }),
      runs(),
    ),

  Parameter: () =>
    fc.assert(
      fc.property(fc.oneof(fc.array(finite(), { maxLength: 5 }), anything), optionsFrom(fc.record({ dtype: fc.constantFrom("f32", "f64"), backend: BACKEND }), ["dtype", "backend"]), fc.oneof(fc.nat({ max: 6 }), anything), (values, o, length) => {
        const before = live();
        for (const make of [() => Parameter.from(values as never, o.options as never), () => Parameter.zeros(length as number, o.options as never)]) {
          const r = attempt(make);
          if (!r.ok) {
            expect(live()).toBe(before);
            continue;
          }
          const p = r.value;
          expect(allFinite(p.toArray())).toBe(true);
          expect(p.grad.length).toBe(p.length);
          p.zeroGrad();
          p.dispose();
          p.dispose();
          expect(() => p.data).toThrow(DownhillError);
        }
        expect(live()).toBe(before);
      }),
      runs(),
    ),

  Optimizer: () =>
    fc.assert(
      fc.property(fc.array(anything, { maxLength: 4 }), (args) => {
        attempt(() => new (api.Optimizer as unknown as new (...a: unknown[]) => unknown)(...args));
        expect(() => new (api.Optimizer as unknown as new (...a: unknown[]) => unknown)(...args)).toThrow(DownhillError);
      }),
      runs(0.5),
    ),
  ...Object.fromEntries(OPTIMIZERS.map((o) => [o.name, optimizerEntry(o.name)])),

  clipGradNorm: () => clipEntry("clipGradNorm"),
  clipGradValue: () => clipEntry("clipGradValue"),

  Scheduler: () => abstractEntry(api.Scheduler),
  LRScheduler: () => abstractEntry(api.LRScheduler),
  ...Object.fromEntries(["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "OneCycleLR", "SequentialLR", "ReduceLROnPlateau"].map((n) => [n, schedulerEntry(n)])),

  Random: () =>
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.constant(2 ** 32 - 1), anything), fc.array(fc.tuple(fc.constantFrom("uniform", "normal", "int", "shuffle", "setState", "state", "fillUniform", "fillNormal"), anything, anything), { maxLength: 8 }), (seed, calls) => {
        const made = attempt(() => new Random(seed as number));
        if (!made.ok) return;
        const r = made.value;
        for (const [method, a, b] of calls) {
          const arg = method === "setState" ? (Number.isSafeInteger(a) && (a as number) >= 0 ? replaceLeaf(r.state(), a as number, b) : a) : a;
          const out = unchangedOnError(() => randomSnapshot(r), () => (r[method] as (x: unknown, y: unknown) => unknown).call(r, arg, b));
          if (out.ok && typeof out.value === "number") expect(Number.isFinite(out.value)).toBe(true);
          if (out.ok && method === "shuffle" && typeof arg === "number") expect([...(out.value as Uint32Array)].sort((x, y) => x - y)).toEqual(Array.from({ length: arg }, (_, i) => i));
        }
      }),
      runs(),
    ),
  calculateGain: () =>
    fc.assert(
      fc.property(anything, anything, (nonlinearity, param) => {
        const r = attempt(() => api.calculateGain(nonlinearity as never, param as never));
        if (r.ok) expect(Number.isFinite(r.value) && r.value > 0).toBe(true);
      }),
      runs(),
    ),
  ...Object.fromEntries(Object.keys(INITIALIZERS).map((n) => [n, () => initializerEntry(n)()])),

  ...Object.fromEntries(LOSSES.map((n) => [n, lossEntry(n)])),

  toDataset: () =>
    fc.assert(
      fc.property(
        fc.oneof(featuresArb, fc.tuple(fc.array(finite(), { maxLength: 8 }), fc.tuple(anything, anything)).map(([data, shape]) => ({ data, shape })), fc.array(fc.record({ a: finite(), b: fc.oneof(finite(), anything) }), { maxLength: 3 })),
        fc.oneof(fc.constant(undefined), fc.array(finite(), { maxLength: 5 }), anything),
        optionsFrom(fc.record({ dtype: fc.constantFrom("f32", "f64") }), ["dtype", "features", "target"]),
        (X, y, o) => {
          const input = json([X, y]);
          const r = attempt(() => toDataset(X as never, y as never, o.options as never));
          expect(json([X, y])).toBe(input); // never modifies its input
          if (r.ok) {
            expect(Object.isFrozen(r.value)).toBe(true);
            expect(allFinite(r.value.X) && (r.value.y === null || allFinite(r.value.y))).toBe(true);
            expect(r.value.X.length).toBe(r.value.n * r.value.d);
          }
        },
      ),
      runs(),
    ),
  parseCsv: () =>
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fc.array(fc.oneof(fc.integer({ min: -9, max: 99 }).map(String), fc.constantFrom("a", "b", "y", "", '"q"', "1e999", "NaN", " 2", '"', "x,y")), { minLength: 1, maxLength: 3 }), { maxLength: 4 }).map((rows) => rows.map((r) => r.join(",")).join("\n")),
          fc.string({ maxLength: 20 }),
          anything,
        ),
        optionsFrom(fc.record({ header: fc.boolean(), dtype: fc.constantFrom("f32", "f64") }), ["header", "delimiter", "columns", "target", "dtype", "missing"]),
        (text, o) => {
          const r = attempt(() => api.parseCsv(text as string, o.options as never));
          if (r.ok) expect(allFinite(r.value.X)).toBe(true);
        },
      ),
      runs(),
    ),
  readCsv: () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 8 }).map((s) => `/nonexistent-downhill-fuzz/${s}.csv`), fc.constant(new URL("file:///nonexistent-downhill-fuzz/a.csv")), anything.filter((x) => typeof x !== "string")), optionsFrom(fc.record({ header: fc.boolean() }), ["header", "delimiter", "columns", "target", "dtype", "missing"]), async (path, o) => {
        const r = await attemptAsync(() => api.readCsv(path as string, o.options as never));
        expect(r.ok).toBe(false);
      }),
      runs(0.5),
    ),
  trainValidationSplit: () =>
    fc.assert(
      fc.property(dataArb, optionsFrom(fc.record({ validationFraction: finite(0.05, 0.95), seed: fc.oneof(fc.nat(), fc.nat().map((s) => new Random(s))), shuffle: fc.constant(true) }), ["validationFraction", "shuffle", "seed"]), (data, o) => {
        const seed = (o.options as { seed?: unknown } | null)?.seed;
        const snapshot = () => (seed instanceof Random ? randomSnapshot(seed) : "");
        const r = unchangedOnError(snapshot, () => api.trainValidationSplit(data as Dataset, o.options as never));
        if (r.ok) expect(r.value.train.n + r.value.validation.n).toBe((data as Dataset).n);
      }),
      runs(),
    ),
  Standardizer: () =>
    fc.assert(
      fc.property(optionsFrom(fc.record({ withMean: fc.boolean(), withStd: fc.boolean() }), ["withMean", "withStd"]), dataArb, dataArb, (o, a, b) => {
        const made = attempt(() => new api.Standardizer(o.options as never));
        if (!made.ok) return;
        const s = made.value;
        const snapshot = () => json([s.fitted, s.mean, s.scale]);
        unchangedOnError(snapshot, () => s.transform(a as Dataset));
        const fitted = unchangedOnError(snapshot, () => s.fit(a as Dataset));
        const t = unchangedOnError(snapshot, () => s.transform(b as Dataset));
        if (fitted.ok && t.ok) expect(allFinite(t.value.X)).toBe(true);
      }),
      runs(),
    ),

  fit: () =>
    fc.assert(
      fc.asyncProperty(fc.constantFrom("linear", "mlp", "other"), BACKEND, dataArb, optionsFrom(fitOptions as fc.Arbitrary<Record<string, unknown>>, FIT_KEYS), async (kind, backend, data, o) => {
        const model = kind === "linear" ? new LinearRegression({ backend, init: [0.5, -0.5] }) : kind === "mlp" ? new api.MLP({ layers: [3], seed: 1, features: 2, backend }) : (o.pristine ? new LinearRegression({ backend }) : ({ parameters: () => [] } as never));
        const snapshot = () => modelSnapshot(model as unknown as ModelLike);
        const before = snapshot();
        const r = await attemptAsync(() => api.fit(model, data as Dataset, bounded(o.options) as never));
        if (!r.ok && (r.error as DownhillError).code === "INVALID_ARGUMENT") expect(snapshot()).toBe(before);
        if (r.ok) {
          const result = r.value;
          if (result.reason !== "diverged") for (const h of result.history) expect(Number.isFinite(h.trainLoss), `silent NaN: ${json(result.history)}`).toBe(true);
          for (const w of (model as unknown as ModelLike).parameters()) expect(allFinite(w.data)).toBe(true);
        }
        // Nothing is left busy.
        if (model instanceof LinearRegression || model instanceof api.MLP) {
          await attemptAsync(() => api.fit(model, regressionData([[1, 2], [3, 4]]), { epochs: 1 }));
          model.dispose();
        }
      }),
      runs(0.3),
    ),

  LinearModel: () => abstractEntry(api.LinearModel),
  ...Object.fromEntries(Object.keys(MODELS).map((n) => [n, modelEntry(n)])),

  LBFGS: () =>
    fc.assert(
      fc.property(
        fc.oneof({ weight: 3, arbitrary: fc.constant("x") }, { weight: 1, arbitrary: anything }),
        optionsFrom(fc.record({ lr: finite(0.1, 1), maxIter: fc.integer({ min: 1, max: 10 }), historySize: fc.integer({ min: 1, max: 10 }), lineSearchFn: fc.constantFrom(null, "strong_wolfe") }), ["lr", "maxIter", "maxEval", "toleranceGrad", "toleranceChange", "historySize", "lineSearchFn"]),
        fc.constantFrom("quadratic", "nan", "string", "throws", "not a function"),
        fc.integer({ min: 1, max: 3 }),
        (which, o, closureKind, steps) => {
          const x = Float64Array.of(1.5, -2);
          const made = attempt(() => new api.LBFGS((which === "x" ? [x] : which) as never, bounded(o.options) as never));
          if (!made.ok) return void expect(Array.from(x)).toEqual([1.5, -2]);
          const lbfgs = made.value;
          let calls = 0;
          const closure =
            closureKind === "quadratic"
              ? () => {
                  calls++;
                  return { value: (x[0]! - 1) ** 2 + 3 * x[1]! ** 2, grad: [2 * (x[0]! - 1), 6 * x[1]!] };
                }
              : closureKind === "nan"
                ? () => (calls++, { value: NaN, grad: [NaN, 0] })
                : closureKind === "string"
                  ? () => (calls++, "1" as never)
                  : closureKind === "throws"
                    ? () => {
                        calls++;
                        throw new UserError("objective");
                      }
                    : (5 as never);
          for (let k = 0; k < steps; k++) {
            calls = 0;
            const before = json(Array.from(x));
            const r = attempt(() => (lbfgs.step as (c: unknown) => number)(closure));
            if (!r.ok && calls <= 1 && !(r.error instanceof UserError)) expect(json(Array.from(x))).toBe(before);
            if (r.ok && closureKind === "quadratic" && o.pristine) expect(allFinite(x)).toBe(true);
          }
          lbfgs.dispose();
        },
      ),
      runs(),
    ),
  minimize: () =>
    fc.assert(
      fc.asyncProperty(
        fc.constantFrom("quadratic", "value only", "nan", "garbage", "throws"),
        fc.oneof(fc.array(finite(), { minLength: 1, maxLength: 3 }), anything),
        optionsFrom(fc.record({ optimizer: fc.constantFrom("lbfgs", "adam", "sgd"), maxIter: fc.integer({ min: 0, max: 20 }), tol: fc.oneof(fc.constant(null), finite(0, 1e-3)), dtype: fc.constantFrom("f32", "f64") }), ["optimizer", "optimizerOptions", "gradient", "schedule", "maxIter", "tol", "nIterNoChange", "gradientTol", "onIteration", "signal", "dtype", "backend"]),
        async (kind, x0, o) => {
          const f = {
            quadratic: (x: ArrayLike<number>) => ({ value: sum(x, (v) => (v - 1) ** 2), grad: Array.from(x, (v) => 2 * (v - 1)) }),
            "value only": (x: ArrayLike<number>) => sum(x, (v) => v * v),
            nan: () => NaN,
            garbage: () => ({ value: "x" }),
            throws: () => {
              throw new UserError("objective");
            },
          }[kind];
          const input = json(x0);
          const r = await attemptAsync(() => api.minimize(f as never, x0 as never, bounded(o.options) as never));
          expect(json(x0)).toBe(input); // x0 is copied (no optimizer instance here)
          if (r.ok && r.value.reason !== "diverged") {
            expect(Number.isFinite(r.value.value)).toBe(true);
            expect(allFinite(r.value.x)).toBe(true);
          }
        },
      ),
      runs(0.5),
    ),
  finiteDifferenceGradient: () =>
    fc.assert(
      fc.property(fc.constantFrom("smooth", "nan", "garbage", "throws"), fc.oneof(fc.array(finite(), { minLength: 1, maxLength: 4 }).map((v) => Float64Array.from(v)), anything), (kind, x) => {
        const f = { smooth: (v: Float64Array) => v.reduce((s, a) => s + Math.sin(a), 0), nan: () => NaN, garbage: () => "1", throws: () => { throw new UserError("f"); } }[kind];
        const input = json(x);
        const r = attempt(() => api.finiteDifferenceGradient(f as never, x as never));
        expect(json(x)).toBe(input);
        if (r.ok && kind === "smooth") expect(isFiniteArray(r.value)).toBe(true);
      }),
      runs(),
    ),
  gradCheck: () =>
    fc.assert(
      fc.property(fc.constantFrom("right", "wrong", "nan", "throws"), fc.oneof(fc.array(finite(-3, 3), { minLength: 1, maxLength: 3 }), anything), optionsFrom(fc.record({ atol: finite(1e-8, 1e-3), rtol: finite(1e-6, 1e-2) }), ["atol", "rtol", "gradient", "backend"]), (kind, x, o) => {
        const f = {
          right: (v: ArrayLike<number>) => ({ value: sum(v, (a) => a * a * a), grad: Array.from(v, (a) => 3 * a * a) }),
          wrong: (v: ArrayLike<number>) => ({ value: sum(v, (a) => a * a), grad: Array.from(v, (a) => a) }),
          nan: () => ({ value: NaN, grad: [NaN] }),
          throws: () => {
            throw new UserError("f");
          },
        }[kind];
        const input = json(x);
        const r = attempt(() => api.gradCheck(f as never, x as never, o.options as never));
        expect(json(x)).toBe(input);
        if (r.ok) expect(typeof r.value.ok).toBe("boolean");
      }),
      runs(),
    ),

  tensor: () => tensorEntry(),
  Tensor: () => abstractEntry(api.Tensor), // constructed only by tensor() and operations
  tidy: () =>
    fc.assert(
      fc.property(fc.constantFrom("returns a tensor", "returns an object of tensors", "throws", "promise", "nested"), anything, (kind, other) => {
        const before = live();
        const fn = {
          "returns a tensor": () => api.tensor([1, 2]).mul(2),
          "returns an object of tensors": () => ({ a: api.tensor([[1, 2]]), list: [api.tensor(3), other] }),
          throws: () => {
            api.tensor([1, 2, 3]);
            throw new UserError("inside tidy");
          },
          promise: () => Promise.resolve(api.tensor([1])),
          nested: () => api.tidy(() => api.tensor([4]).add(1)),
        }[kind];
        for (const f of [fn, other]) {
          const r = attempt(() => api.tidy(f as never));
          if (!r.ok) continue;
          const escaped: api.Tensor[] = [];
          const walk = (v: unknown) => (v instanceof api.Tensor ? escaped.push(v) : Array.isArray(v) ? v.forEach(walk) : typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype ? Object.values(v).forEach(walk) : undefined);
          walk(r.value);
          for (const t of escaped) expect(t.disposed).toBe(false);
          escaped.forEach((t) => t.dispose());
        }
        expect(live()).toBe(before);
      }),
      runs(),
    ),
  keep: () =>
    fc.assert(
      fc.property(anything, (x) => {
        const before = live();
        const kept = api.tidy(() => {
          const t = api.tensor([1, 2]);
          attempt(() => api.keep(x as never));
          return { t: api.keep(api.tensor([3])), inner: t.toArray() };
        });
        expect(kept.t.disposed).toBe(false);
        kept.t.dispose();
        expect(live()).toBe(before);
      }),
      runs(),
    ),

  sweepRates: () =>
    fc.assert(
      fc.property(fc.oneof(finite(1e-8, 1), anything), fc.oneof(finite(1e-3, 10), anything), fc.oneof(fc.integer({ min: 1, max: 4 }), anything), (from, to, perDecade) => {
        const r = attempt(() => api.sweepRates(from as number, to as number, perDecade as number));
        if (r.ok) {
          expect(r.value.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
          expect([...r.value].sort((a, b) => a - b)).toEqual(r.value);
        }
      }),
      runs(),
    ),
  lrSweep: () =>
    fc.assert(
      fc.asyncProperty(
        fc.constantFrom("quadratic", "anything", "objectiveTrial", "not a function"),
        anything,
        optionsFrom(fc.record({ from: finite(1e-6, 1e-3), to: finite(0.01, 1), perDecade: fc.integer({ min: 1, max: 2 }) }), ["from", "to", "perDecade", "divergenceFactor", "signal", "onTrial"]),
        async (kind, value, o) => {
          const trial =
            kind === "quadratic" ? (lr: number) => (1 - 0.5 * lr) ** 2 : kind === "anything" ? () => value : kind === "objectiveTrial" ? api.objectiveTrial((lr) => api.minimize((x) => x[0]! ** 2, [1], { optimizer: "sgd", optimizerOptions: { lr }, maxIter: 3 })) : value;
          const r = await attemptAsync(() => api.lrSweep(trial as never, o.options as never));
          if (r.ok) for (const p of r.value.points) expect(typeof p.lr === "number" && p.lr > 0).toBe(true);
        },
      ),
      runs(0.5),
    ),
  fitTrial: () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(() => new LinearRegression({ backend: "ts" })), anything), dataArb, optionsFrom(fc.record({ epochs: fc.integer({ min: 1, max: 2 }), batchSize: fc.integer({ min: 1, max: 4 }) }), FIT_KEYS), async (make, data, o) => {
        const made = attempt(() => api.fitTrial(make as never, data as Dataset, bounded(o.options) as never));
        if (!made.ok) return;
        const r = await attemptAsync(() => made.value(0.01, { signal: new AbortController().signal }));
        if (r.ok) expect(r.value).toBeTypeOf("object");
      }),
      runs(0.3),
    ),
  objectiveTrial: () =>
    fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant((lr: number) => api.minimize((x) => (x[0]! - 2) ** 2, [0], { optimizer: "sgd", optimizerOptions: { lr }, maxIter: 2 })), anything), optionsFrom(fc.record({ score: fc.constantFrom("value", "bestValue") }), ["score"]), async (run, o) => {
        const made = attempt(() => api.objectiveTrial(run as never, o.options as never));
        if (!made.ok) return;
        await attemptAsync(() => made.value(0.1, { signal: new AbortController().signal }));
      }),
      runs(0.5),
    ),
  randomSearch: () =>
    fc.assert(
      fc.asyncProperty(
        fc.constantFrom("score", "anything", "not a function"),
        anything,
        optionsFrom(fc.record({ lr: fc.constant({ logUniform: [1e-4, 1] }), m: fc.record({ uniform: fc.constant([0, 1]) }), k: fc.constant({ int: [1, 4] }), c: fc.constant({ choice: ["a", "b"] }) }), ["lr", "m", "k", "c"]),
        optionsFrom(fc.record({ rounds: fc.integer({ min: 1, max: 2 }), trialsPerRound: fc.integer({ min: 1, max: 4 }), shrink: finite(0.1, 1), seed: fc.nat() }), ["rounds", "trialsPerRound", "shrink", "seed", "signal", "onTrial"]),
        async (kind, value, space, o) => {
          const trial = kind === "score" ? (c: Record<string, number>) => (Math.log10(c["lr"] ?? 1) + 2) ** 2 : kind === "anything" ? () => value : value;
          const r = await attemptAsync(() => api.randomSearch(trial as never, space.options as never, bounded(o.options) as never));
          if (r.ok && kind === "score") expect(r.value.bestConfig).not.toBeNull();
        },
      ),
      runs(0.5),
    ),
};

/** Tensor operations: name, how many arguments, and whether finite inputs can give NaN (a domain or overflow). */
const TENSOR_OPS: [string, number, boolean][] = [
  ["add", 1, false], ["sub", 1, false], ["mul", 1, false], ["div", 1, true], ["neg", 0, false], ["pow", 1, true], ["exp", 0, true], ["log", 0, true],
  ["sqrt", 0, true], ["abs", 0, false], ["tanh", 0, false], ["sigmoid", 0, false], ["relu", 0, false], ["softplus", 0, false], ["matmul", 1, false],
  ["sum", 1, false], ["mean", 1, false], ["index", 1, false], ["slice", 2, false], ["column", 1, false], ["transpose", 0, false], ["reshape", 1, false],
  ["detach", 0, false], ["item", 0, false], ["toArray", 0, false], ["backward", 0, false], ["zeroGrad", 0, false], ["dispose", 0, false],
];

const tensorValues = fc.oneof(
  { weight: 2, arbitrary: finite(-3, 3) },
  { weight: 3, arbitrary: fc.array(finite(-3, 3), { maxLength: 6 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }).chain((c) => fc.array(fc.array(finite(-3, 3), { minLength: c, maxLength: c }), { minLength: 1, maxLength: 3 })) },
  { weight: 1, arbitrary: fc.array(finite(-3, 3), { maxLength: 4 }).map((v) => Float32Array.from(v)) },
  { weight: 2, arbitrary: anything },
);
const tensorOptions = optionsFrom(fc.record({ dtype: fc.constantFrom("f32", "f64"), backend: BACKEND, requiresGrad: fc.boolean() }), ["dtype", "backend", "requiresGrad", "shape"]);

/** Arbitrary tensor programs inside tidy(): every op succeeds or throws a documented error; all memory comes back. */
function tensorEntry(): void {
  const op = fc.tuple(fc.nat({ max: TENSOR_OPS.length - 1 }), fc.nat({ max: 7 }), fc.oneof(fc.integer({ min: -2, max: 3 }), finite(-3, 3), anything), fc.oneof(fc.integer({ min: -1, max: 3 }), anything));
  fc.assert(
    fc.property(fc.array(fc.tuple(tensorValues, tensorOptions), { minLength: 1, maxLength: 3 }), fc.array(op, { maxLength: 10 }), (inputs, program) => {
      const before = live();
      api.tidy(() => {
        const pool: api.Tensor[] = [];
        let nanAllowed = false;
        for (const [values, o] of inputs) {
          const made = attempt(() => api.tensor(values as never, o.options as never));
          if (made.ok) {
            // tensor() stores what it is given (NaN and ±Infinity too, as torch, and f32
            // overflow): a NaN appears only when the input had one.
            const out = made.value.toArray();
            if (!json(values).includes('"NaN"')) expect(out.some(Number.isNaN)).toBe(false);
            if (!allFinite(out)) nanAllowed = true;
            expect(made.value.size).toBe(made.value.shape.reduce((a, b) => a * b, 1));
            pool.push(made.value);
          }
        }
        for (const [which, target, a, b] of program) {
          const t = pool[target % Math.max(1, pool.length)];
          if (t === undefined) return;
          const [name, arity, unsafe] = TENSOR_OPS[which]!;
          const operand = typeof a === "number" && Number.isInteger(a) && a >= 0 && a < pool.length && ["add", "sub", "mul", "div", "matmul"].includes(name) ? pool[a] : a;
          const args = arity === 0 ? [] : arity === 1 ? [operand] : [a, b];
          const snapshot = () => (t.disposed ? "disposed" : json(t.toArray()));
          const r = unchangedOnError(snapshot, () => (t as unknown as Record<string, (...x: unknown[]) => unknown>)[name]!(...args));
          if (!r.ok) continue;
          // Numbers as operands are taken as given, rounded to the dtype (NaN, ±Infinity and f32 overflow too, as torch).
          if (unsafe || (typeof operand === "number" && !Number.isFinite(t.dtype === "f32" ? Math.fround(operand) : operand))) nanAllowed = true;
          // Tensor.mean over zero elements is 0/0 = NaN, as torch.mean (the losses refuse it instead).
          if (name === "mean" && t.size === 0) nanAllowed = true;
          if (r.value instanceof api.Tensor) {
            pool.push(r.value);
            if (!nanAllowed && !r.value.disposed) expect(r.value.toArray().some(Number.isNaN), `${name} gave NaN`).toBe(false);
          }
        }
      });
      expect(live()).toBe(before);
    }),
    runs(),
  );
}

function errorClassEntry(Class: new (code: api.ErrorCode, message: string) => Error, base: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor): void {
  fc.assert(
    fc.property(fc.constantFrom(...(CODES as api.ErrorCode[])), fc.string(), (code, message) => {
      const e = new Class(code, message);
      expect(e).toBeInstanceOf(DownhillError);
      expect(e).toBeInstanceOf(base);
      expect((e as DownhillError).code).toBe(code);
      expect(e.message).toBe(message);
    }),
    runs(0.2),
  );
}

function abstractEntry(Class: unknown): void {
  fc.assert(
    fc.property(fc.array(anything, { maxLength: 4 }), (args) => {
      const r = attempt(() => new (Class as new (...a: unknown[]) => unknown)(...args));
      expect(r.ok).toBe(false);
    }),
    runs(0.5),
  );
}

function clipEntry(name: "clipGradNorm" | "clipGradValue"): void {
  fc.assert(
    fc.property(BACKEND, fc.constantFrom("parameters", "arrays", "other"), anything, fc.oneof(finite(0, 5), anything), fc.oneof(fc.constant(undefined), fc.constantFrom(1, 2, Infinity, 3.5), anything), anything, (backend, kind, other, limit, normType, options) => {
      const ps = params(backend);
      ps.forEach((p, i) => p.grad.set(p.data.map((x) => x * (i + 1))));
      const arrays = [Float32Array.of(1, -2, 3), Float64Array.of(0.5, 4)];
      const target = kind === "parameters" ? ps : kind === "arrays" ? arrays : other;
      const snapshot = () => json([ps.map((p) => Array.from(p.grad)), arrays]);
      const r = unchangedOnError(snapshot, () => (name === "clipGradNorm" ? api.clipGradNorm(target as never, limit as number, normType as number, options as never) : api.clipGradValue(target as never, limit as number)));
      // The total norm is ≥ 0, or NaN when a fuzzed gradient holds NaN (as torch's
      // clip_grad_norm_ returns without error_if_nonfinite); the fixtures' gradients are finite.
      if (r.ok && name === "clipGradNorm") expect(typeof r.value === "number" && (r.value >= 0 || (kind === "other" && Number.isNaN(r.value)))).toBe(true);
      if (r.ok) for (const g of [...ps.map((p) => p.grad), ...arrays]) expect(allFinite(g)).toBe(true);
      ps.forEach((p) => p.dispose());
    }),
    runs(),
  );
}

/** Exports that are data, not functions: frozen, so that no caller can change them. */
const CONSTANTS = Object.keys(api).filter((k) => typeof (api as Record<string, unknown>)[k] !== "function");

describe("fuzzing every public export", () => {
  // Load the module first: binding it allocates its 8-byte result slot once, which would
  // otherwise count as a leak of whichever entry happens to load it.
  beforeAll(() => Parameter.zeros(1, { backend: "wasm" }).dispose());

  it("every runtime export of ts/index.ts has a fuzz entry (functions and classes) or is frozen data", () => {
    const functions = Object.keys(api).filter((k) => typeof (api as Record<string, unknown>)[k] === "function");
    const missing = functions.filter((k) => !(k in ENTRIES));
    expect(missing, `exports without a fuzz entry in test/fuzz/api.test.ts: ${missing.join(", ")}`).toEqual([]);
    const stale = Object.keys(ENTRIES).filter((k) => !functions.includes(k));
    expect(stale, "fuzz entries for names ts/index.ts no longer exports").toEqual([]);
    const deeplyFrozen = (v: unknown): boolean => typeof v !== "object" || v === null || (Object.isFrozen(v) && Object.values(v).every(deeplyFrozen));
    for (const k of CONSTANTS) expect(deeplyFrozen((api as Record<string, unknown>)[k]), `${k} is frozen, all the way down`).toBe(true);
  });

  it.each(Object.keys(ENTRIES))("%s", async (name) => {
    await ENTRIES[name]!();
  });
});
