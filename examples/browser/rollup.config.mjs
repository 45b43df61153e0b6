// Bundles the browser example: `npm run example:browser` (after `npm run build`) writes
// examples/browser/dist/main.js, which index.html loads. "downhill" resolves to the built
// package (dist/index.js, the WebAssembly module inlined); d3-contour and its d3-array
// come from node_modules, resolved as Node resolves them from the importing file.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const downhill = here("../../dist/index.js");

if (!existsSync(downhill)) {
  throw new Error(`${downhill} does not exist: run \`npm run build\` before \`npm run example:browser\`.`);
}

/** Resolves bare imports: "downhill" to the build, anything else through node_modules. */
const resolvePackages = {
  name: "resolve-packages",
  resolveId(id, importer) {
    if (id === "downhill") return downhill;
    if (importer === undefined || id.startsWith(".") || id.startsWith("/") || id.startsWith("\0")) return null;
    return createRequire(importer).resolve(id);
  },
};

export default {
  input: here("main.js"),
  output: { file: here("dist/main.js"), format: "es", sourcemap: false },
  plugins: [resolvePackages],
};
