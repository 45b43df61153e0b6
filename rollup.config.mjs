// Bundles the compiled TypeScript (build/, from `tsc -p tsconfig.build.json`) into one
// ESM file per entry point, dist/<name>.js. The core, dist/index.js, has the WebAssembly
// module inlined and imports nothing: importing downhill reads no file and touches no
// network. targetEnv "browser" decodes the inlined bytes with atob, which Node ≥ 16, Deno
// and browsers all have (the "auto" loader reaches for Node's Buffer whenever
// process.versions.node is set, which Deno sets without a global Buffer).
//
// Each entry is its own bundle, so no entry imports a shared chunk. The runtime
// dependencies of package.json (d3 for downhill/plot) stay imports. A subpath entry that
// imports the core's public surface (ts/index.ts) gets it as an import of ./index.js
// rather than a second copy of the core and its WebAssembly; small shared modules such
// as ts/errors.ts are copied (DownhillError's instanceof works across copies).
//
// To add an entry: one line in ENTRIES, and its "exports" and "files" in package.json.
import wasm from "@rollup/plugin-wasm";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** dist/<name>.js ← build/<input> (tsc's output of ts/<input with .ts>). */
const ENTRIES = [
  { name: "index", input: "build/index.js" },
  { name: "plot", input: "build/plot/index.js" },
  { name: "cli", input: "build/cli/main.js" }, // the `downhill` bin; compiled by tsconfig.cli.json (with Node's types)
];

const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));
const dependencies = Object.keys(pkg.dependencies ?? {});
const core = fileURLToPath(new URL("./build/index.js", import.meta.url));

/** Runtime dependencies and Node built-ins are left as imports. */
const external = (id) => id.startsWith("node:") || dependencies.some((d) => id === d || id.startsWith(`${d}/`));

/** In a subpath entry, imports of the core's entry module become imports of dist/index.js. */
const coreAsImport = (name) => ({
  name: "core-as-import",
  async resolveId(source, importer, options) {
    if (name === "index" || importer === undefined) return null;
    const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
    // "./index.js" as written: every entry's bundle sits beside dist/index.js. (An absolute
    // id of dist/index.js is rendered relative to the importing build/ module instead:
    // "../../dist/index.js" from build/plot/, which does not exist beside dist/plot.js.)
    return resolved !== null && resolved.id === core ? { id: "./index.js", external: true } : null;
  },
});

export default ENTRIES.map(({ name, input }) => ({
  input,
  external,
  output: { file: `dist/${name}.js`, format: "es", sourcemap: false },
  plugins: [coreAsImport(name), wasm({ sync: ["build/downhill.wasm"], targetEnv: "browser", maxFileSize: Number.MAX_SAFE_INTEGER })],
}));
