/**
 * Where the CLI runs from: the package's root (the nearest directory above this module
 * whose package.json is downhill's — the checkout, or node_modules/downhill once
 * installed) and its version.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(): { root: string | null; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
        if (pkg.name === "downhill" && typeof pkg.version === "string") return { root: dir, version: pkg.version };
      } catch {
        // Not JSON: keep looking above.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return { root: null, version: "unknown" };
    dir = parent;
  }
}

const found = findRoot();

/** The package's root directory, or null when no package.json of downhill is found above the CLI. */
export const PACKAGE_ROOT: string | null = found.root;

/** downhill's version, from its package.json. */
export const VERSION: string = found.version;
