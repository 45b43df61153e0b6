/**
 * The package as users install it: `npm pack`, then `npm install --offline <tarball>` into
 * a fresh temporary project (dependencies come from the npm cache; no registry), then
 * import it from Node (ESM, and `require` through Node's require(esm)), from Deno (bare,
 * `npm:` and a local path, with an unreachable registry and no net permission) and from
 * a rollup bundle resolved as a browser bundler does. Every run has the network blocked
 * (test/package/no-network.mjs for Node) and takes the same ten SGD steps, checked
 * against torch's update computed here by hand. Prints the tarball's size. Needs
 * `npm run build` first (npm test does it).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));
const noNetwork = fileURLToPath(new URL("./no-network.mjs", import.meta.url));
const deno = join(root, "node_modules", ".bin", "deno");

/** What every run prints: where "downhill" came from, the backend and ten SGD steps. */
interface Outcome {
  where: string | null;
  backend: string;
  values: number[];
}

/** The same check in every runtime: `await init()`, then SGD with momentum on a Parameter. */
const checkScript = (specifier: string, where: string): string => `
import { Parameter, SGD, init } from ${JSON.stringify(specifier)};
const backend = await init();
const p = Parameter.from(new Float64Array([0.5, -1.25, 3]));
const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
for (let s = 0; s < 10; s++) { p.grad.set([1, -2, 0.5].map((g) => g * (s + 1))); opt.step(); }
console.log(JSON.stringify({ where: ${where}, backend: p.backend === backend ? backend : "mismatch", values: p.toArray() }));
opt.dispose();
p.dispose();
`;

/** torch.optim.SGD with momentum 0.9, lr 0.1: b ← g, then b ← 0.9·b + g; p ← p − lr·b. */
function sgdByHand(): number[] {
  return [0.5, -1.25, 3].map((start, i) => {
    let p = start;
    let b = 0;
    for (let s = 0; s < 10; s++) {
      const g = [1, -2, 0.5][i]! * (s + 1);
      b = s === 0 ? g : 0.9 * b + g;
      p = p + -0.1 * b;
    }
    return p;
  });
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** The last line of a successful run, as JSON. */
function outcome(r: { status: number | null; stdout: string; stderr: string }): Outcome {
  expect(r.status, `exit status; stderr:\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!) as Outcome;
}

const node = (args: string[], cwd: string) => run(process.execPath, ["--import", pathToFileURL(noNetwork).href, ...args], cwd);

type Exports = string | null | { [key: string]: Exports };

/** Package "exports" resolution with a browser bundler's conditions. */
function exportTarget(exports: Exports, conditions: readonly string[]): string | null {
  if (exports === null || typeof exports === "string") return exports;
  for (const [key, value] of Object.entries(exports)) {
    if (conditions.includes(key)) {
      const target = exportTarget(value, conditions);
      if (target !== null) return target;
    }
  }
  return null;
}

/**
 * A tiny rollup plugin that resolves bare imports from node_modules as a browser bundler
 * does (conditions "browser", "import", "default"); @rollup/plugin-node-resolve is not a
 * dependency of downhill.
 */
function nodeModules() {
  return {
    name: "node-modules",
    resolveId(id: string, importer: string | undefined): string | null {
      if (importer === undefined || id.startsWith(".") || id.startsWith("/") || id.startsWith("\0")) return null;
      const parts = id.split("/");
      const name = id.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
      const subpath = `.${id.slice(name.length)}`;
      for (let dir = dirname(importer); ; dir = dirname(dir)) {
        const pkgDir = join(dir, "node_modules", name);
        if (existsSync(join(pkgDir, "package.json"))) {
          const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as { exports?: Exports; module?: string; main?: string };
          let target: string | null;
          if (pkg.exports !== undefined) {
            const e = pkg.exports;
            const entry = typeof e === "object" && e !== null && Object.keys(e).some((k) => k.startsWith(".")) ? (e[subpath] ?? null) : subpath === "." ? e : null;
            target = exportTarget(entry, ["browser", "import", "default"]);
          } else target = subpath === "." ? (pkg.module ?? pkg.main ?? "index.js") : subpath;
          if (target === null) throw new Error(`${name} does not export ${subpath} for the browser`);
          return join(pkgDir, target);
        }
        if (dirname(dir) === dir) return null;
      }
    },
  };
}

interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

describe("the packed tarball, installed in a fresh project", () => {
  let temp: string;
  let app: string;
  let packed: Packed;
  let installedOffline = true;
  const expected = sgdByHand();

  beforeAll(() => {
    expect(existsSync(join(root, "dist", "index.js")), "run `npm run build` first").toBe(true);
    temp = mkdtempSync(join(tmpdir(), "downhill-pack-"));
    const report = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", temp], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as Packed[];
    packed = report[0]!;
    const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
    console.log(`npm pack: ${packed.filename} is ${packed.size} bytes packed (${kib(packed.size)}), ${packed.unpackedSize} bytes unpacked (${kib(packed.unpackedSize)}), ${packed.files.length} files`);
    app = join(temp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "downhill-pack-test", private: true, type: "module" }));
    const tarball = join(temp, packed.filename);
    let install = run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], app);
    if (install.status !== 0 && install.stderr.includes("ENOTCACHED")) {
      // A fresh machine's npm cache holds the tarballs `npm ci` fetched by exact version, not
      // the registry's package documents that resolving the tarball's version ranges reads:
      // fetch those once through a throwaway project, then install offline again.
      const warm = join(temp, "warm");
      mkdirSync(warm);
      writeFileSync(join(warm, "package.json"), JSON.stringify({ name: "downhill-pack-warm", private: true }));
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], warm);
      install = run("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], app);
    }
    if (install.status !== 0) {
      installedOffline = false;
      console.warn(`npm install --offline failed (dependencies not in the npm cache?); installing from the registry instead:\n${install.stderr}`);
      install = run("npm", ["install", "--no-audit", "--no-fund", tarball], app);
    }
    expect(install.status, install.stderr).toBe(0);
  }, 180_000);

  afterAll(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it("installs offline from the npm cache, with no install scripts", () => {
    expect(installedOffline, "npm install --offline failed; see the warning above").toBe(true);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "downhill", "package.json"), "utf8")) as {
      scripts?: Record<string, string>;
      exports: Record<string, Exports>;
      bin?: string | Record<string, string>;
    };
    for (const script of ["preinstall", "install", "postinstall"]) expect(pkg.scripts?.[script], `scripts.${script}`).toBeUndefined();
    // Every file an export or a bin points to is in the tarball.
    const paths = new Set(packed.files.map((f) => f.path));
    const targets = Object.values(pkg.exports).flatMap((e) => (typeof e === "string" ? [e] : Object.values(e as Record<string, Exports>)))
      .concat(typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {}));
    for (const target of targets) expect(paths.has(String(target).replace(/^\.\//, "")), `${String(target)} is packed`).toBe(true);
    // Only the build and the docs: no sources, tests, crate or build intermediates.
    for (const path of paths) expect(path, "packed file").toMatch(/^(dist\/|README\.md$|LICENSE|package\.json$)/);
  });

  it("has a self-contained core entry: no module it imports or requires by name", async () => {
    const { parseAst } = await import("rollup/parseAst");
    const source = readFileSync(join(app, "node_modules", "downhill", "dist", "index.js"), "utf8");
    // Every static import or re-export, and every import("…") or require("…") of a literal:
    // what a bundler or Node would load with the core. (Code inside strings, such as a
    // worker's source, is not code here.)
    const loads: string[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (typeof node !== "object" || node === null) return;
      const n = node as { type?: string; source?: { type?: string; value?: unknown } | null; callee?: { type?: string; name?: string }; arguments?: { type?: string; value?: unknown }[] };
      if ((n.type === "ImportDeclaration" || n.type === "ExportNamedDeclaration" || n.type === "ExportAllDeclaration") && n.source) loads.push(`${n.type} ${String(n.source.value)}`);
      if (n.type === "ImportExpression" && n.source?.type === "Literal") loads.push(`import(${String(n.source.value)})`);
      if (n.type === "CallExpression" && n.callee?.type === "Identifier" && n.callee.name === "require" && n.arguments?.[0]?.type === "Literal") loads.push(`require(${String(n.arguments[0].value)})`);
      for (const value of Object.values(node)) if (typeof value === "object") visit(value);
    };
    visit(parseAst(source));
    expect(loads).toEqual([]);
    // The WebAssembly module is inside, as base64 ("AGFzbQ" is "\0asm", its magic number).
    expect(source).toContain("AGFzbQ");
  });

  it("blocks the network in the Node runs (the guard itself)", () => {
    for (const code of ['await import("node:https")', 'await fetch("http://127.0.0.1:9/")']) {
      const r = node(["--input-type=module", "-e", code], app);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("no-network");
    }
    const r = node(["-e", 'require("node:net")'], app);
    expect(r.stderr).toContain("no-network");
  });

  it("imports from Node as ESM, on the wasm backend, without the network", () => {
    writeFileSync(join(app, "check-node.mjs"), checkScript("downhill", 'import.meta.resolve("downhill")'));
    const out = outcome(node(["check-node.mjs"], app));
    expect(out.where).toBe(pathToFileURL(join(app, "node_modules", "downhill", "dist", "index.js")).href);
    expect(out.backend).toBe("wasm");
    expect(out.values).toEqual(expected);
  });

  it("imports every subpath export from Node (dependencies from the offline install)", () => {
    const pkg = JSON.parse(readFileSync(join(app, "node_modules", "downhill", "package.json"), "utf8")) as { exports: Record<string, unknown> };
    const subpaths = Object.keys(pkg.exports).filter((key) => key !== "." && !key.endsWith(".json"));
    for (const subpath of subpaths) {
      const specifier = `downhill/${subpath.slice(2)}`;
      const script = `const m = await import(${JSON.stringify(specifier)}); console.log(JSON.stringify({ exports: Object.keys(m).length }));`;
      const r = node(["--input-type=module", "-e", script], app);
      expect(r.status, `${specifier}: ${r.stderr}`).toBe(0);
      expect((JSON.parse(r.stdout.trim()) as { exports: number }).exports, specifier).toBeGreaterThan(0);
    }
  });

  it("is ESM-only: require() works through Node's require(esm), else fails with ERR_REQUIRE_ESM", () => {
    const script = `
      const out = { requireModule: process.features.require_module === true };
      try {
        const { Parameter, SGD, getBackend } = require("downhill");
        const p = Parameter.from(new Float64Array([0.5, -1.25, 3]));
        const opt = new SGD([p], { lr: 0.1, momentum: 0.9 });
        for (let s = 0; s < 10; s++) { p.grad.set([1, -2, 0.5].map((g) => g * (s + 1))); opt.step(); }
        Object.assign(out, { ok: true, where: require.resolve("downhill"), backend: getBackend(), values: p.toArray() });
      } catch (error) {
        Object.assign(out, { ok: false, code: error.code, message: error.message });
      }
      console.log(JSON.stringify(out));`;
    const r = node(["-e", script], app);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim()) as { requireModule: boolean; ok: boolean; code?: string; where?: string; backend?: string; values?: number[] };
    if (out.requireModule) {
      // Node ≥ 20.19 / 22.12: require() of an ES module without top-level await.
      expect(out.ok, JSON.stringify(out)).toBe(true);
      expect(out.where).toBe(join(app, "node_modules", "downhill", "dist", "index.js"));
      expect(out.backend).toBe("wasm");
      expect(out.values).toEqual(expected);
    } else {
      expect(out.code).toBe("ERR_REQUIRE_ESM");
    }
  });

  it("imports from Deno (bare, npm: and a local path) with no registry and no net permission", () => {
    expect(existsSync(deno), "the deno npm package (node_modules/.bin/deno)").toBe(true);
    const env = {
      NO_COLOR: "1",
      DENO_NO_UPDATE_CHECK: "1",
      DENO_DIR: join(temp, "deno-cache"), // an empty cache: nothing comes from an earlier download
      NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/", // unreachable: any registry request fails
    };
    const cases = [
      ["bare", "downhill"],
      ["npm", "npm:downhill"],
      ["path", "./node_modules/downhill/dist/index.js"],
    ] as const;
    for (const [name, specifier] of cases) {
      const file = `check-deno-${name}.mjs`;
      writeFileSync(join(app, file), checkScript(specifier, "null"));
      const out = outcome(run(deno, ["run", "--no-prompt", `--allow-read=${app}`, "--no-remote", file], app, env));
      expect(out.backend, specifier).toBe("wasm");
      expect(out.values, specifier).toEqual(expected);
    }
  }, 120_000);

  it("bundles with rollup for the browser into one self-contained file that runs", async () => {
    const { rollup } = await import("rollup");
    const entry = join(app, "bundle-entry.mjs");
    writeFileSync(entry, checkScript("downhill", "null"));
    const warnings: string[] = [];
    const bundle = await rollup({ input: entry, plugins: [nodeModules()], onwarn: (w) => void warnings.push(w.message) });
    const file = join(app, "bundle.mjs");
    const { output } = await bundle.write({ file, format: "es" });
    await bundle.close();
    expect(warnings).toEqual([]);
    const chunk = output[0];
    expect(chunk.imports).toEqual([]); // "downhill" was bundled, not left as an import
    expect(chunk.dynamicImports).toEqual([]);
    expect(chunk.moduleIds).toContain(join(app, "node_modules", "downhill", "dist", "index.js"));
    const out = outcome(node([file], app));
    expect(out.backend).toBe("wasm");
    expect(out.values).toEqual(expected);
  }, 120_000);
});
