#!/usr/bin/env node
/**
 * The `downhill` command: `downhill <fit|predict|sweep|bench> …`, `--help` for it and
 * for each command, `--version`. Results go to stdout, progress and errors to stderr.
 * Exit codes: 0 success, 1 a failure while running, 2 bad flags or input (the message
 * names the flag, or the file, row and column), 130 interrupted by Ctrl-C.
 */
import { DownhillError } from "../index.ts";
import { suggest } from "../options.ts";
import { CliError, EXIT, helpText, type Command, type Io } from "./args.ts";
import { benchCommand } from "./bench.ts";
import { fitCommand } from "./fit.ts";
import { predictCommand } from "./predict.ts";
import { sweepCommand } from "./sweep.ts";
import { VERSION } from "./version.ts";

const COMMANDS: readonly Command[] = [fitCommand, predictCommand, sweepCommand, benchCommand];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `downhill ${VERSION}: gradient-based optimization from the shell`,
    "",
    "Usage: downhill <command> [options]",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Options:",
    "  -h, --help     Show help (downhill <command> --help for a command's options)",
    "  -v, --version  Show the version",
    "",
    "Examples:",
    "  downhill fit data.csv --target y --out model.json",
    "  downhill predict model.json new.csv --out predictions.csv",
    "  downhill sweep data.csv --target y --optimizer sgd",
    "",
    "Exit codes: 0 success, 1 failure while running, 2 bad flags or input, 130 interrupted (Ctrl-C).",
    "",
  ].join("\n");
}

/**
 * The interrupt signal, installed on first use by the commands that stop cleanly: the
 * first Ctrl-C aborts it (the command saves what it has and exits with 130), a second
 * one exits at once. Commands that never ask keep Node's default (exit at once).
 */
function interruptSignal(err: (text: string) => void): () => AbortSignal {
  let controller: AbortController | null = null;
  return () => {
    if (controller !== null) return controller.signal;
    const c = new AbortController();
    controller = c;
    process.on("SIGINT", () => {
      if (c.signal.aborted) process.exit(EXIT.interrupted);
      err("\nInterrupted: stopping after the current step (Ctrl-C again to quit at once)\n");
      c.abort();
    });
    return c.signal;
  };
}

// A reader that stops early (`downhill predict … | head`) closes the pipe: stop quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}

async function main(argv: readonly string[]): Promise<number> {
  const err = (text: string) => void process.stderr.write(text);
  const io: Io = {
    out: (text) => void process.stdout.write(text),
    err,
    errIsTTY: process.stderr.isTTY === true,
    // A pseudo-terminal without a size reports 0 columns.
    columns: (process.stderr.columns ?? 0) >= 20 ? process.stderr.columns : 80,
    interrupt: interruptSignal(err),
  };
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    const command = COMMANDS.find((c) => c.name === topic);
    io.out(command === undefined ? topHelp() : helpText(command));
    return topic !== undefined && command === undefined ? unknownCommand(topic) : first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "--version" || first === "-v" || first === "-V") {
    io.out(`downhill ${VERSION}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) return unknownCommand(first);
  // --help anywhere before a "--" shows the command's help, whatever else is there.
  const end = rest.indexOf("--");
  const options = end < 0 ? rest : rest.slice(0, end);
  if (options.includes("--help") || options.includes("-h")) {
    io.out(helpText(command));
    return EXIT.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof CliError) {
      err(`${error.message.startsWith("downhill") ? "" : `downhill ${command.name}: `}${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof DownhillError || error instanceof TypeError || error instanceof RangeError) {
      const code = (error as { code?: unknown }).code;
      if (code !== undefined) {
        err(`downhill ${command.name}: ${(error as Error).message}\n`);
        return code === "INVALID_ARGUMENT" || code === "SHAPE_MISMATCH" ? EXIT.usage : EXIT.failure;
      }
    }
    err(`downhill ${command.name}: unexpected error (a bug in downhill; please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
}

function unknownCommand(name: string): number {
  const hint = suggest(name, COMMANDS.map((c) => c.name));
  process.stderr.write(`downhill: unknown command ${JSON.stringify(name)}${hint ? ` (did you mean "${hint}"?)` : ""}; the commands are ${COMMANDS.map((c) => c.name).join(", ")} (see downhill --help)\n`);
  return EXIT.usage;
}

process.exitCode = await main(process.argv.slice(2));
