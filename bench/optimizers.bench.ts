/**
 * One optimizer step per timed call on the same buffers, parameters and gradients
 * resident in each backend's memory (the zero-copy hot path). W1 (Adam, SGD with
 * momentum) runs every contender: downhill's public `step()` on wasm and ts, the same
 * wasm kernel called through the backend interface without the public layer ("wasm
 * kernels"), a plain JS loop, TensorFlow.js (f32) and, from native.ts, the crate compiled
 * natively; the bandwidth probe gives W1's floor. The other optimizers run on wasm and ts.
 */
import * as downhill from "../ts/index.ts";
import type { Dtype, Optimizer, Parameter } from "../ts/index.ts";
import type { Storage } from "../ts/backend/backend.ts";
import { wasmBackend } from "../ts/backend/wasm/index.ts";
import { FLAG_NEW_STATE, SCALARS } from "../ts/kernels/optim/kernel.ts";
import { ADAM_DEFAULTS, prepareAdam } from "../ts/optim/adam.ts";
import { Powers } from "../ts/optim/power.ts";
import { once, type Case, type Contender, type Running } from "./harness.ts";
import { plainStep, roundingProbe } from "./peers/plain.ts";
import { tfjsStep } from "./peers/tfjs.ts";
import { wasmDivideProbe, wasmProbe } from "./probe.ts";
import { ADAM, CHECK_STEPS, SGD_MOMENTUM, TOLERANCE, adamReference, rounded, sgdMomentumReference, type StepData } from "./workloads.ts";

interface Subject {
  /** Label, e.g. "Adam". */
  name: string;
  /** Class name exported by downhill, and the options to benchmark it with. */
  className: string;
  options: Record<string, unknown>;
  /** Arrays a step reads or writes per element (param r+w, grad r, each state r+w). */
  arrays: number;
  /** W1's subjects, with every contender and a numeric check. */
  w1?: "Adam" | "SGD momentum";
}

const SUBJECTS: Subject[] = [
  { name: "SGD momentum", className: "SGD", options: { lr: SGD_MOMENTUM.lr, momentum: SGD_MOMENTUM.momentum }, arrays: 5, w1: "SGD momentum" },
  { name: "Adam", className: "Adam", options: { lr: ADAM.lr, betas: [ADAM.beta1, ADAM.beta2], eps: ADAM.eps }, arrays: 7, w1: "Adam" },
  { name: "AdamW amsgrad", className: "AdamW", options: { lr: 1e-3, amsgrad: true }, arrays: 9 },
  { name: "Adamax", className: "Adamax", options: {}, arrays: 7 },
  { name: "NAdam", className: "NAdam", options: {}, arrays: 7 },
  { name: "RAdam", className: "RAdam", options: {}, arrays: 7 },
  { name: "Adagrad", className: "Adagrad", options: {}, arrays: 5 },
  { name: "RMSprop centered", className: "RMSprop", options: { centered: true, momentum: 0.9 }, arrays: 9 },
  { name: "Adadelta", className: "Adadelta", options: {}, arrays: 7 },
  { name: "Lion", className: "Lion", options: {}, arrays: 5 },
];

/** Optimizer class names `--only` accepts. */
export const OPTIMIZER_CLASSES = SUBJECTS.map((s) => s.className);

type OptimizerClass = new (params: Parameter[], options: Record<string, unknown>) => Optimizer<object>;

/** downhill's public API: `optimizer.step()` on a Parameter whose gradient is set once. */
function publicStep(subject: Subject, backend: "wasm" | "ts", dtype: Dtype, data: StepData): Contender {
  const Class = (downhill as unknown as Record<string, OptimizerClass>)[subject.className]!;
  return {
    name: backend,
    setup(): Running {
      const p = downhill.Parameter.zeros(data.params.length, { dtype, backend });
      p.data.set(data.params);
      p.grad.set(data.grad);
      const opt = new Class([p], subject.options);
      return {
        run: () => opt.step(),
        read: () => Float64Array.from(p.data),
        dispose: () => {
          opt.dispose();
          p.dispose();
        },
      };
    },
  };
}

/**
 * The same step without the public layer: buffers and a step plan made once through the
 * backend interface, then per call only what a step must do — the step's scalars (bias
 * corrections) and `wasmBackend.step`, i.e. the export behind abi.ts's status check.
 */
function kernelStep(optimizer: "Adam" | "SGD momentum", dtype: Dtype, data: StepData): Contender {
  return {
    name: "wasm kernels",
    setup(): Running {
      const n = data.params.length;
      const owned: Storage[] = [];
      const alloc = () => {
        const s = wasmBackend.alloc(dtype, n);
        owned.push(s);
        return s;
      };
      const [param, grad] = [alloc(), alloc()];
      param.array.set(data.params);
      grad.array.set(data.grad);
      const adam = optimizer === "Adam";
      const state = adam ? [alloc(), alloc(), null] : [alloc()];
      const plan = wasmBackend.plan(dtype, [{ param, grad, state }], state.length);
      const scalars = new Float64Array(SCALARS);
      const options = { ...ADAM_DEFAULTS, lr: ADAM.lr, betas: [ADAM.beta1, ADAM.beta2] as const, eps: ADAM.eps };
      if (!adam) scalars.set([SGD_MOMENTUM.lr, SGD_MOMENTUM.momentum, 1, 0]);
      let t = 0;
      const powers = new Powers();
      const run = adam
        ? () => {
            t++;
            const flags = prepareAdam(options, false, t, scalars, powers, 0);
            wasmBackend.step("adam", plan, scalars, t === 1 ? flags | FLAG_NEW_STATE : flags);
          }
        : () => {
            t++;
            wasmBackend.step("sgd", plan, scalars, t === 1 ? FLAG_NEW_STATE : 0);
          };
      return {
        run,
        read: () => Float64Array.from(param.array),
        dispose: () => {
          plan.dispose();
          for (const s of owned) s.dispose();
        },
      };
    },
  };
}

const label = (n: number) => n.toExponential(0).replace("+", "");

/** Case names, as crate/examples/native_bench.rs prints them too; W1's subjects and the probe say "W1". */
export const stepCaseName = (subject: string, dtype: Dtype, n: number, w1: boolean) => `${w1 ? "W1 " : ""}${subject} ${dtype} N=${label(n)}`;

/**
 * Cases for every subject (or those whose class is in `only`), dtype and size, on the
 * first N values of `largest`; with Adam, the bandwidth, division and (f32) rounding probes. W1's smallest size carries
 * the numeric check: CHECK_STEPS steps from a fresh state against the f64 reference.
 */
export function optimizerCases(sizes: readonly number[], largest: StepData, only?: readonly string[]): Case[] {
  const data = (n: number): StepData => ({ params: largest.params.subarray(0, n), grad: largest.grad.subarray(0, n) });
  const smallest = Math.min(...sizes);
  const subjects = SUBJECTS.filter((s) => !only || only.includes(s.className));
  return subjects.flatMap((subject) =>
    (["f32", "f64"] as const).flatMap((dtype) =>
      sizes.flatMap((n): Case[] => {
        const bytes = (k: number) => k * n * (dtype === "f32" ? 4 : 8);
        const d = data(n);
        const w1 = subject.w1;
        if (!w1) {
          return [{ suite: "other optimizers", name: stepCaseName(subject.name, dtype, n, false), bytes: bytes(subject.arrays), contenders: [publicStep(subject, "wasm", dtype, d), publicStep(subject, "ts", dtype, d)] }];
        }
        const contenders = [publicStep(subject, "wasm", dtype, d), kernelStep(w1, dtype, d), publicStep(subject, "ts", dtype, d), plainStep(w1, dtype, d)];
        if (dtype === "f32") contenders.push(tfjsStep("wasm", w1, d), tfjsStep("cpu", w1, d));
        const step: Case = { suite: "W1 optimizer step", name: stepCaseName(subject.name, dtype, n, true), bytes: bytes(subject.arrays), contenders };
        if (n === smallest) {
          const reference = w1 === "Adam" ? adamReference : sgdMomentumReference;
          step.check = {
            what: `parameters after ${CHECK_STEPS} steps`,
            calls: CHECK_STEPS,
            reference: once(() => reference(rounded(d.params, dtype), rounded(d.grad, dtype), CHECK_STEPS)),
            tolerance: TOLERANCE.W1[dtype],
          };
        }
        if (w1 !== "Adam") return [step];
        const probes: Case[] = [
          { suite: "W1 optimizer step", name: stepCaseName("bandwidth probe", dtype, n, true), bytes: bytes(7), contenders: [wasmProbe(dtype, n)] },
          { suite: "W1 optimizer step", name: stepCaseName("division probe", dtype, n, true), bytes: bytes(3), contenders: [wasmDivideProbe(dtype, n)] },
        ];
        // The plain loop rounding every f32 operation, as the bit-exact fallback must.
        if (dtype === "f32") probes.push({ suite: "W1 optimizer step", name: stepCaseName("rounding probe", dtype, n, true), bytes: bytes(7), contenders: [roundingProbe(d)] });
        return [step, ...probes];
      }),
    ),
  );
}
