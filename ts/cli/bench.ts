/**
 * `downhill bench [--quick] [--only SGD,Adam]`: the tinybench suites of bench/ (what
 * `npm run bench` runs: bench/run.ts under vite-node with --expose-gc). They are part of
 * the source repository, not of the npm package — they need the TypeScript sources, the
 * dev dependencies and cargo for the native column — so from an installed package the
 * command says where to find them instead of pretending to measure.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CliError, EXIT, FlagReader, parse, type Command, type Io } from "./args.ts";
import { PACKAGE_ROOT } from "./version.ts";

const FLAGS = {
  quick: { type: "boolean", help: "A smoke run: one size, tiny time budgets, nothing written (times are not meaningful)." },
  only: { type: "string", value: "SGD,Adam", help: "Only these optimizers' suites (nothing written)." },
} as const;

/** `downhill bench`. */
export const benchCommand: Command = {
  name: "bench",
  summary: "run the benchmark suites (WebAssembly against TypeScript) in a source checkout",
  usage: "bench [--quick] [--only SGD,Adam]",
  description:
    "Runs the tinybench suites of bench/ — every optimizer in f32 and f64 at N = 1e3, 1e4 and\n" +
    "1e6, and the training loops — and prints the table with the wasm/ts ratios, as\n" +
    "`npm run bench` does. A full run (no --quick, no --only) rewrites bench/RESULTS.md and\n" +
    "bench/results.json and takes several minutes. The suites ship with the source repository,\n" +
    "not with the npm package: in a checkout run `npm ci` first.",
  flags: FLAGS,
  epilog: "Exit codes: the benchmark run's (0 when it completed); 1 when bench/ is not there; 2 bad flags.",
  run: runBench,
};

async function runBench(args: readonly string[], io: Io): Promise<number> {
  const { values, positionals } = parse("bench", FLAGS, args);
  const f = new FlagReader("bench", values);
  if (positionals.length > 0) f.fail(`takes no arguments; got ${positionals.join(" ")}`);
  const only = f.names("only");
  const root = PACKAGE_ROOT;
  const runner = root === null ? null : join(root, "bench", "run.ts");
  const viteNode = root === null ? null : join(root, "node_modules", "vite-node", "vite-node.mjs");
  if (runner === null || !existsSync(runner)) {
    throw new CliError(
      "downhill bench: the benchmark suites are not here: they live in bench/ of the source repository and are not part of the npm package. " +
        "In a checkout: npm ci && npm run build && node dist/cli.js bench --quick (or npm run bench -- --quick).",
      EXIT.failure,
    );
  }
  if (viteNode === null || !existsSync(viteNode)) {
    throw new CliError(`downhill bench: bench/ is here (${root}) but its dev dependencies are not: run npm ci in ${root} first.`, EXIT.failure);
  }
  const forwarded = [...(f.flag("quick") ? ["--quick"] : []), ...(only === undefined ? [] : ["--only", only.join(",")])];
  io.err(`downhill bench: running bench/run.ts${forwarded.length > 0 ? ` ${forwarded.join(" ")}` : ""} in ${root}\n`);
  // The child shares the terminal, so Ctrl-C reaches it directly; wait for it either way.
  io.interrupt();
  const child = spawn(process.execPath, ["--expose-gc", viteNode, "--config", "vitest.config.ts", "bench/run.ts", ...forwarded], { cwd: root!, stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.on("error", (error) => reject(new CliError(`downhill bench: cannot start node: ${error.message}`, EXIT.failure)));
    child.on("exit", (code, signal) => resolve(code ?? (signal === "SIGINT" ? EXIT.interrupted : EXIT.failure)));
  });
}
