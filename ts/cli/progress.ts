/**
 * Training progress, on stderr so that stdout stays for results:
 * - "bar" (stderr is a terminal): one line redrawn in place, at most 10 times a second,
 *   with the epoch, a bar, the loss, the learning rate, epochs per second and the time left;
 * - "lines" (stderr is a file or a pipe): a plain line for the first epoch, about every
 *   twentieth and the last, and at least every 5 seconds;
 * - "json" (`--json`): one `{"type":"epoch", …}` line per epoch on stdout;
 * - "quiet" (`--quiet`): nothing.
 */
import type { EpochRecord } from "../index.ts";
import type { Io } from "./args.ts";
import { formatDuration, formatNumber, jsonLine } from "./output.ts";

/** How progress is shown (see the module's doc). */
export type ProgressMode = "bar" | "lines" | "json" | "quiet";

/** The mode for these flags and this terminal. */
export function progressMode(io: Io, options: { json: boolean; quiet: boolean }): ProgressMode {
  if (options.json) return "json";
  if (options.quiet) return "quiet";
  return io.errIsTTY ? "bar" : "lines";
}

const REDRAW_MS = 100;
const LINE_EVERY_MS = 5000;
const now = (): number => performance.now();

/** Shows a fit's epochs as they end, in one of the modes. */
export class EpochProgress {
  readonly #io: Io;
  readonly #mode: ProgressMode;
  readonly #epochs: number;
  readonly #every: number;
  readonly #started = now();
  #lastDraw = -Infinity;
  #last: EpochRecord | null = null;
  #shown: EpochRecord | null = null;
  #barOpen = false;

  /** `epochs`: the most epochs the fit may run (its --epochs). */
  constructor(io: Io, mode: ProgressMode, epochs: number) {
    this.#io = io;
    this.#mode = mode;
    this.#epochs = epochs;
    this.#every = Math.max(1, Math.ceil(epochs / 20));
  }

  /** After each epoch. */
  update(record: EpochRecord): void {
    this.#last = record;
    const t = now();
    switch (this.#mode) {
      case "json":
        jsonLine(this.#io, "epoch", {
          epoch: record.epoch,
          epochs: this.#epochs,
          trainLoss: record.trainLoss,
          validationLoss: record.validationLoss,
          lr: record.lr,
          gradNorm: record.gradNorm,
          timeMs: record.time,
        });
        return;
      case "bar":
        if (t - this.#lastDraw >= REDRAW_MS || record.epoch === this.#epochs) this.#drawBar(record, t);
        return;
      case "lines":
        if (record.epoch === 1 || record.epoch % this.#every === 0 || record.epoch === this.#epochs || t - this.#lastDraw >= LINE_EVERY_MS) this.#line(record, t);
        return;
      case "quiet":
        return;
    }
  }

  /** After the fit (also when it was interrupted): shows the last epoch and ends the bar's line. */
  finish(): void {
    const last = this.#last;
    if (this.#mode === "bar") {
      if (last !== null && this.#shown !== last) this.#drawBar(last, now());
      if (this.#barOpen) this.#io.err("\n");
      this.#barOpen = false;
    } else if (this.#mode === "lines" && last !== null && this.#shown !== last) {
      this.#line(last, now());
    }
  }

  /** Epochs per second so far and the estimated time left. */
  #speed(record: EpochRecord, t: number): { rate: string; left: string } {
    const seconds = (t - this.#started) / 1000;
    const perSecond = seconds > 0 ? record.epoch / seconds : Infinity;
    const rate = perSecond >= 1 ? `${formatNumber(perSecond)} epochs/s` : `${formatNumber(1 / perSecond)} s/epoch`;
    const remaining = this.#epochs - record.epoch;
    const left = remaining > 0 && Number.isFinite(perSecond) && perSecond > 0 ? formatDuration((1000 * remaining) / perSecond) : "";
    return { rate, left };
  }

  #metrics(record: EpochRecord): string {
    const validation = record.validationLoss === null ? "" : `  val ${formatNumber(record.validationLoss)}`;
    return `loss ${formatNumber(record.trainLoss)}${validation}  lr ${formatNumber(record.lr)}`;
  }

  #drawBar(record: EpochRecord, t: number): void {
    const { rate, left } = this.#speed(record, t);
    const columns = this.#io.columns;
    const digits = String(this.#epochs).length;
    // A bar of fixed width (so that it does not jump), then as many parts as fit.
    const width = columns >= 100 ? 24 : columns >= 70 ? 12 : 0;
    const filled = Math.round((width * Math.min(record.epoch, this.#epochs)) / Math.max(1, this.#epochs));
    let line = `epoch ${String(record.epoch).padStart(digits)}/${this.#epochs}${width > 0 ? ` [${"#".repeat(filled)}${"-".repeat(width - filled)}]` : ""}`;
    for (const part of [this.#metrics(record), rate, left ? `${left} left` : ""]) {
      if (part === "") continue;
      if (line.length + 2 + part.length >= columns) break;
      line += `  ${part}`;
    }
    this.#io.err(`\r\x1b[2K${line.slice(0, columns - 1)}`);
    this.#barOpen = true;
    this.#lastDraw = t;
    this.#shown = record;
  }

  #line(record: EpochRecord, t: number): void {
    const { rate } = this.#speed(record, t);
    this.#io.err(`epoch ${record.epoch}/${this.#epochs}  ${this.#metrics(record)}  (${rate})\n`);
    this.#lastDraw = t;
    this.#shown = record;
  }
}
