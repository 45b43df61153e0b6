/**
 * Command-line arguments: one declaration per flag (type, placeholder, help, default)
 * drives both node:util's parseArgs and the `--help` text, and values are checked here
 * with messages that name the flag. Every problem with what the user typed is a
 * CliError with exit code 2.
 */
import { parseArgs } from "node:util";
import { suggest } from "../options.ts";

/** Exit codes: 0 success, 1 a failure while running, 2 bad flags or input, 130 interrupted (Ctrl-C). */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 2, interrupted: 130 });

/** An error to report on stderr (without a stack) and exit with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.usage) {
    super(message);
    this.name = "CliError";
    this.exitCode = exitCode;
  }
}

/** One flag. `value` is the placeholder shown in help (string flags only). */
export interface FlagSpec {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly value?: string;
  readonly help: string;
  /** Shown as "(default …)" in help; parsing does not apply it. */
  readonly default?: string;
}

/** A command's flags by name (without the dashes). */
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The flags every command has. */
export const COMMON_FLAGS: FlagSpecs = {
  help: { type: "boolean", short: "h", help: "Show this help and exit." },
};

/** One `downhill <command>`: its help and how it runs. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The usage line after "downhill ". */
  readonly usage: string;
  /** Paragraphs after the usage line. */
  readonly description: string;
  readonly flags: FlagSpecs;
  /** Lines at the end of the help (examples, notes). */
  readonly epilog?: string;
  /** Runs the command; resolves to the exit code. */
  run(args: readonly string[], io: Io): Promise<number>;
}

/** Where a command writes and what it may know about its terminal. */
export interface Io {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** stderr is a terminal: progress bars may redraw in place. */
  readonly errIsTTY: boolean;
  /** Terminal width for progress lines. */
  readonly columns: number;
  /**
   * A signal that fires on Ctrl-C (SIGINT). Asking for it makes the first Ctrl-C a request
   * to stop cleanly; commands that never ask are ended by Ctrl-C at once.
   */
  readonly interrupt: () => AbortSignal;
}

/** parseArgs's values: a string per string flag given, true per switch given. */
export type Values = Record<string, string | boolean | undefined>;

/** The flags and the other arguments of a command line. */
export interface Parsed {
  readonly values: Values;
  readonly positionals: readonly string[];
}

/**
 * Parses `args` against `flags` (strict: unknown flags, missing values and values given to
 * boolean flags are usage errors naming the flag, with a "did you mean").
 */
export function parse(command: string, flags: FlagSpecs, args: readonly string[], hints: Readonly<Record<string, string>> = {}): Parsed {
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, spec] of Object.entries(flags)) options[name] = spec.short === undefined ? { type: spec.type } : { type: spec.type, short: spec.short };
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: values as Values, positionals };
  } catch (error) {
    throw new CliError(`downhill ${command}: ${argumentError(error, flags, hints)} (see downhill ${command} --help)`);
  }
}

/**
 * parseArgs's error, rewritten to name the flag and what to do. `hints`: what to say
 * about a flag this command does not have (by name without dashes).
 */
function argumentError(error: unknown, flags: FlagSpecs, hints: Readonly<Record<string, string>>): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown }).code;
  // parseArgs names a flag as '--lr', '-q' or '-q, --quiet': keep the long name.
  const flag = /'(?:-\w, )?(-[^' ]*)/.exec(message)?.[1] ?? "";
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const name = flag.replace(/^-+/, "").replace(/=.*$/, "");
    if (flag.startsWith("--") && hints[name] !== undefined) return `unknown flag ${flag}: ${hints[name]}`;
    const hint = flag.startsWith("--") ? suggest(name, Object.keys(flags)) : undefined;
    return `unknown flag ${flag}${hint ? `; did you mean --${hint}?` : ""}`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    if (message.includes("does not take an argument")) return `${flag} is a switch and takes no value`;
    if (message.includes("ambiguous")) return `${flag} needs a value; write a value that starts with "-" as ${flag}=-1`;
    return `${flag} needs a value`;
  }
  return message;
}

/** The help text of a command. */
export function helpText(c: Command): string {
  const flags = { ...c.flags, ...COMMON_FLAGS };
  const left = (name: string, spec: FlagSpec): string =>
    `${spec.short === undefined ? "    " : `-${spec.short}, `}--${name}${spec.type === "string" ? ` <${spec.value ?? "value"}>` : ""}`;
  // Flags in a column up to 30 wide (longer ones get a line of their own), help wrapped at 100.
  const width = Math.min(30, Math.max(...Object.entries(flags).map(([n, s]) => left(n, s).length)));
  const lines = [`Usage: downhill ${c.usage}`, "", c.description, "", "Options:"];
  for (const [name, spec] of Object.entries(flags)) {
    const help = spec.default === undefined ? spec.help : `${spec.help} (default: ${spec.default})`;
    const flag = left(name, spec);
    const wrapped = wrap(help, 100 - width - 4);
    if (flag.length > width) lines.push(`  ${flag}`);
    else lines.push(`  ${flag.padEnd(width)}  ${wrapped.shift()}`);
    for (const rest of wrapped) lines.push(`  ${" ".repeat(width)}  ${rest}`);
  }
  if (c.epilog !== undefined) lines.push("", c.epilog);
  return `${lines.join("\n")}\n`;
}

/** `text` in lines of at most `width` characters, broken at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Reads typed values of one command's flags, with errors that name the flag. */
export class FlagReader {
  readonly #command: string;
  readonly #values: Values;

  constructor(command: string, values: Values) {
    this.#command = command;
    this.#values = values;
  }

  /** A usage error of this command. */
  fail(message: string): never {
    throw new CliError(`downhill ${this.#command}: ${message}`);
  }

  has(name: string): boolean {
    return this.#values[name] !== undefined;
  }

  flag(name: string): boolean {
    return this.#values[name] === true;
  }

  string(name: string): string | undefined {
    const v = this.#values[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") return this.fail(`--${name} needs a value`);
    if (v.trim() === "") return this.fail(`--${name} needs a value; got an empty string`);
    return v;
  }

  /** A finite number within the bounds; `whole` asks for an integer. */
  number(name: string, fallback: number, bounds?: NumberBounds): number;
  number(name: string, fallback: undefined, bounds?: NumberBounds): number | undefined;
  number(name: string, fallback: number | undefined, bounds: NumberBounds = {}): number | undefined {
    const raw = this.string(name);
    return raw === undefined ? fallback : parseNumber(`--${name}`, raw, bounds, (m) => this.fail(m));
  }

  /** A comma-separated list of numbers, each within the bounds. */
  numbers(name: string, bounds: NumberBounds = {}): number[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    return raw.split(",").map((part, i) => parseNumber(`--${name} (item ${i + 1} of "${raw}")`, part, bounds, (m) => this.fail(m)));
  }

  /** A comma-separated list of names. */
  names(name: string): string[] | undefined {
    const raw = this.string(name);
    if (raw === undefined) return undefined;
    const list = raw.split(",").map((s) => s.trim());
    const empty = list.indexOf("");
    if (empty >= 0) this.fail(`--${name} "${raw}" has an empty name at position ${empty + 1}; separate names with single commas`);
    return list;
  }

  /** One of `allowed`, with a "did you mean". */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    return parseChoice(`--${name}`, raw, allowed, (m) => this.fail(m));
  }
}

/** What a number flag allows (the bounds included unless marked exclusive). */
export interface NumberBounds {
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly whole?: boolean;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `raw` as a number within `bounds`; `fail` gets the message otherwise. */
export function parseNumber(what: string, raw: string, bounds: NumberBounds, fail: (message: string) => never): number {
  const text = raw.trim();
  if (!NUMBER.test(text)) return fail(`${what}: ${JSON.stringify(raw)} is not a number`);
  const v = Number(text);
  const kind = bounds.whole ? "a whole number" : "a number";
  const lo = bounds.min === undefined ? "" : `${bounds.minExclusive ? ">" : ">="} ${bounds.min}`;
  const hi = bounds.max === undefined ? "" : `${bounds.maxExclusive ? "<" : "<="} ${bounds.max}`;
  const wanted = [kind, [lo, hi].filter(Boolean).join(" and ")].filter(Boolean).join(" ");
  const below = bounds.min !== undefined && (bounds.minExclusive ? v <= bounds.min : v < bounds.min);
  const above = bounds.max !== undefined && (bounds.maxExclusive ? v >= bounds.max : v > bounds.max);
  if (!Number.isFinite(v) || below || above || (bounds.whole && !Number.isSafeInteger(v))) return fail(`${what} must be ${wanted}; got ${raw}`);
  return v;
}

/** `raw` as one of `allowed` (case-insensitive), with a "did you mean". */
export function parseChoice<T extends string>(what: string, raw: string, allowed: readonly T[], fail: (message: string) => never): T {
  const found = allowed.find((a) => a === raw.toLowerCase());
  if (found !== undefined) return found;
  const hint = suggest(raw, allowed);
  return fail(`${what}: unknown value ${JSON.stringify(raw)}${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`);
}
