/**
 * What lrSweep() and randomSearch() share: the shape of a trial's outcome and how it is
 * read (a number, `{ loss, diverged?, aborted? }` or a FitResult), the signal handed to each trial,
 * and the pause between trials that lets timers and AbortController.abort() run.
 */
import { DownhillTypeError, describe } from "../errors.ts";
import type { FitResult } from "../train/history.ts";

/** What a callback may return: "stop" ends the search after this trial (reason "callback"). */
export type TrialCallbackResult = void | "stop" | Promise<void | "stop">;

/**
 * What a trial resolves to: the loss (a score to minimize) as a number, a {@link LossOutcome},
 * or the FitResult of a fit (scored by its last monitored loss: the last epoch's
 * validation loss, or its training loss without a validation part).
 * NaN and ±Infinity always count as diverged.
 */
export type TrialOutcome = number | LossOutcome | FitResult;

/** A loss and what the trial knows about it. */
export interface LossOutcome {
  /** The score to minimize. */
  readonly loss: number;
  /** The trial saw it blow up (NaN and ±Infinity count as diverged anyway). */
  readonly diverged?: boolean;
  /** The trial was cut short by the signal: its loss is not recorded. */
  readonly aborted?: boolean;
}

/** Handed to every trial: forward `signal` to fit() or minimize() so that aborting stops the running trial too. */
export interface TrialContext {
  /** The search's AbortSignal (a signal that never fires when none was given). */
  readonly signal: AbortSignal;
}

/** An outcome read into a loss and a verdict. */
export interface ReadOutcome {
  readonly loss: number;
  /** The trial said so, or the loss is NaN or ±Infinity. */
  readonly diverged: boolean;
  /** The trial was cut short by the signal (a FitResult with reason "aborted"): it is not recorded. */
  readonly aborted: boolean;
}

const isFitResult = (value: object): value is FitResult =>
  typeof (value as FitResult).reason === "string" && Array.isArray((value as FitResult).history);

/**
 * Reads a trial's outcome. A FitResult is scored by the loss its model ends with: the
 * best monitored loss when fit restored the best weights (earlyStopping), else the last
 * epoch's validation loss, or its training loss without a validation part; reason
 * "diverged" counts as diverged, "aborted" as cut short.
 */
export function readOutcome(value: unknown, argument: string): ReadOutcome {
  if (typeof value === "number") return { loss: value, diverged: !Number.isFinite(value), aborted: false };
  if (typeof value === "object" && value !== null) {
    if (isFitResult(value)) {
      const last = value.history.at(-1);
      if (last === undefined) {
        const aborted = value.reason === "aborted";
        if (aborted) return { loss: NaN, diverged: false, aborted };
        throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} returned a FitResult with no epoch (reason "${value.reason}"): nothing to score; give fit at least one epoch.`);
      }
      const diverged = value.reason === "diverged";
      const loss = value.restoredBest && !diverged ? value.bestLoss : (last.validationLoss ?? last.trainLoss);
      return { loss, diverged: diverged || !Number.isFinite(loss), aborted: value.reason === "aborted" };
    }
    const o = value as { loss?: unknown; diverged?: unknown; aborted?: unknown };
    const flag = (v: unknown): boolean => v === undefined || typeof v === "boolean";
    if (typeof o.loss === "number" && flag(o.diverged) && flag(o.aborted)) {
      return { loss: o.loss, diverged: o.diverged === true || !Number.isFinite(o.loss), aborted: o.aborted === true };
    }
  }
  throw new DownhillTypeError(
    "INVALID_ARGUMENT",
    `${argument} must return (or resolve to) a loss: a number, { loss: number, diverged?: boolean, aborted?: boolean } or a FitResult; got ${describe(value)}.`,
  );
}

/** An AbortSignal or undefined. */
export function checkSignal(argument: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const ok = typeof AbortSignal !== "undefined" ? value instanceof AbortSignal : typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean";
  if (!ok) throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be an AbortSignal (from an AbortController); got ${describe(value)}.`);
  return value as AbortSignal;
}

/** A function or undefined. */
export function checkCallback<T>(argument: string, value: unknown): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new DownhillTypeError("INVALID_ARGUMENT", `${argument} must be a function; got ${describe(value)}.`);
  return value as T;
}

/** The signal trials receive: the caller's, or one that never fires. */
export const trialSignal = (signal: AbortSignal | undefined): AbortSignal => signal ?? new AbortController().signal;

export const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";

/** Awaits a callback's answer; true when it asks to stop. */
export async function wantsStop(answer: TrialCallbackResult): Promise<boolean> {
  return (isThenable(answer) ? await answer : answer) === "stop";
}

const setImmediateIfAny = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/**
 * Resolves after a macrotask, so that a search of synchronous trials still lets timers,
 * I/O and AbortController.abort() run between trials.
 */
export const macrotask = (): Promise<void> =>
  new Promise((resolve) => {
    if (setImmediateIfAny) setImmediateIfAny(() => resolve());
    else setTimeout(resolve, 0);
  });
