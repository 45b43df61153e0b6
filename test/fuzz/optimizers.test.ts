/**
 * Fuzzing every optimizer's public surface with arbitrary (valid and invalid) arguments:
 * each call either succeeds or throws a documented DownhillError — never an engine error
 * (WebAssembly.RuntimeError, a plain TypeError), never a silent NaN from finite input,
 * and after an error nothing has changed. FUZZ_RUNS sets the number of cases
 * (`npm run fuzz` runs many more than CI).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DownhillError, Parameter, memoryUsage, type Optimizer } from "../../ts/index.ts";
import { OPTIMIZERS } from "../helpers/optimizers.ts";

const RUNS = Number(process.env["FUZZ_RUNS"] ?? 150);
const CODES = ["INVALID_ARGUMENT", "SHAPE_MISMATCH", "DISPOSED", "BUSY", "NOT_FITTED", "STATE_MISMATCH", "OUT_OF_MEMORY", "DIVERGED", "WASM_FAULT", "WORKER_FAILED"];

/** Any value a careless caller might pass where a number, boolean or array belongs. */
const anything = fc.oneof(
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0, 1, -1, 1e-300, 1e300),
  fc.string({ maxLength: 4 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -5n, max: 5n }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.constant({}),
);

/** Options built from a valid set with some values replaced and some keys added. */
function mutatedOptions(valid: fc.Arbitrary<Record<string, unknown>>) {
  return fc
    .tuple(valid, fc.dictionary(fc.constantFrom("lr", "betas", "eps", "momentum", "weightDecay", "alpha", "rho", "lrDecay", "nesterov", "maximize", "amsgrad", "centered", "dampening", "momentumDecay", "learningRate", "lR", "foo"), anything, { maxKeys: 3 }))
    .map(([o, changes]) => ({ ...o, ...changes }));
}

function expectDocumented(error: unknown): void {
  expect(error).toBeInstanceOf(DownhillError);
  expect(CODES).toContain((error as DownhillError).code);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any optimizer of the table
function snapshot(opt: Optimizer<any>, params: Parameter[]): string {
  return JSON.stringify([params.map((p) => p.toArray()), opt.steps, params.map((_, i) => Object.entries(opt.state(i)).map(([k, v]) => [k, Array.from(v)]))]);
}

describe.each(OPTIMIZERS)("$name fuzz", ({ create, options }) => {
  for (const backend of ["wasm", "ts"] as const) {
    it(`${backend}: construction succeeds or throws a DownhillError, allocating nothing on error`, () => {
      fc.assert(
        fc.property(mutatedOptions(options), (o) => {
          const p = Parameter.from([0.5, -1, 2], { backend });
          const before = memoryUsage().liveBytes;
          try {
            create([p], { ...o, backend }).dispose();
          } catch (error) {
            expectDocumented(error);
            expect(memoryUsage().liveBytes).toBe(before);
          } finally {
            p.dispose();
          }
        }),
        { numRuns: RUNS },
      );
    });

    it(`${backend}: steps with arbitrary gradients succeed with finite results or throw and change nothing`, () => {
      fc.assert(
        fc.property(
          options,
          fc.constantFrom("f32", "f64"),
          fc.array(fc.oneof(fc.constant("ok"), fc.constant("short"), fc.constant("other dtype"), fc.constant("number[]"), fc.constant("alias"), anything), { minLength: 0, maxLength: 3 }),
          (o, dtype, gradKinds) => {
            const params = [Parameter.from([0.5, -1, 2], { dtype, backend }), Parameter.from([3, 0.25], { dtype, backend })];
            const opt = create(params, { ...o, backend });
            try {
              params.forEach((p) => p.grad.set(p.data.map((x) => 0.1 * x + 0.01)));
              opt.step();
              const before = snapshot(opt, params);
              const Ctor = dtype === "f32" ? Float32Array : Float64Array;
              const grads = gradKinds.map((kind, i) => {
                const n = params[i]?.length ?? 3;
                if (kind === "ok") return new Ctor(n).map((_, j) => j - 1);
                if (kind === "short") return new Ctor(Math.max(0, n - 1));
                if (kind === "other dtype") return dtype === "f32" ? new Float64Array(n) : new Float32Array(n);
                if (kind === "number[]") return Array.from({ length: n }, () => 1);
                if (kind === "alias") return params[i]?.data ?? new Ctor(n);
                return kind;
              });
              try {
                opt.step(grads as never);
                for (const p of params) for (const x of p.data) expect(Number.isFinite(x)).toBe(true);
              } catch (error) {
                expectDocumented(error);
                expect(snapshot(opt, params)).toBe(before);
              }
            } finally {
              opt.dispose();
              params.forEach((p) => p.dispose());
            }
          },
        ),
        { numRuns: Math.ceil(RUNS / 3) },
      );
    });
  }
});
