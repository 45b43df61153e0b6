#!/usr/bin/env node
// Build the Rust kernels in crate/ into build/downhill.wasm (wasm32-unknown-unknown + SIMD128).
//
// Usage:
//   node scripts/build-wasm.mjs           build (installs Debian packages if root and nothing usable)
//   node scripts/build-wasm.mjs --check   only report which toolchain would be used; exit 0/1
//
// Environment overrides (mainly for debugging this script):
//   DOWNHILL_RUSTC_CANDIDATES  colon-separated rustc paths to consider INSTEAD of the defaults
//                              (PATH rustc, /usr/bin/rustc); rustup detection is skipped too.
//   DOWNHILL_NO_APT=1          never run apt-get, even as root on Debian.
//   RUSTFLAGS                  appended to, not replaced.
//
// Toolchain search order:
//   a. rustup whose active toolchain has the wasm32-unknown-unknown target installed;
//   b. any rustc (PATH, /usr/bin) whose sysroot ships libstd for wasm32-unknown-unknown
//      (Debian: package libstd-rust-dev-wasm32), used with the cargo next to it;
//   c. as root on Debian: apt-get install rustc cargo libstd-rust-dev-wasm32, then b again;
//   d. otherwise fail, saying what to install.
//
// wasm-pack is deliberately not used: the crate exports plain extern "C" functions and has no
// wasm-bindgen dependency (ts/ owns the bindings), which wasm-pack requires.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const TARGET = "wasm32-unknown-unknown";
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CRATE_DIR = path.join(ROOT, "crate");
const MANIFEST = path.join(CRATE_DIR, "Cargo.toml");
const TARGET_DIR = path.join(CRATE_DIR, "target");
const CARGO_OUTPUT = path.join(TARGET_DIR, TARGET, "release", "downhill.wasm");
const OUT_DIR = path.join(ROOT, "build");
const OUT_FILE = path.join(OUT_DIR, "downhill.wasm");
const WASM_OPT = path.join(ROOT, "node_modules", "binaryen", "bin", "wasm-opt");
const APT_PACKAGES = ["rustc", "cargo", "libstd-rust-dev-wasm32"];

// binaryen cannot detect features here: the rustc 1.63 module carries no target_features
// section, so we must tell wasm-opt exactly what the input uses. Enabling a feature also
// allows the optimizer to *emit* it, so we try the smallest set first and widen only if the
// input does not validate. Sets follow what rustc's generic wasm32 CPU enables over time,
// plus our explicit +simd128 and +bulk-memory (see TARGET_FEATURES).
const WASM_OPT_FEATURE_SETS = [
  // rustc <= 1.69 (LLVM <= 15): MVP + ours.
  ["--mvp-features", "--enable-simd", "--enable-bulk-memory"],
  // rustc 1.70+ (LLVM 16+): generic CPU adds sign-ext and mutable-globals.
  ["--mvp-features", "--enable-simd", "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals"],
  // rustc 1.82+/1.87+: also multivalue, reference-types, bulk-memory-opt, nontrapping fptoint.
  [
    "--mvp-features", "--enable-simd", "--enable-sign-ext", "--enable-mutable-globals",
    "--enable-multivalue", "--enable-reference-types", "--enable-bulk-memory",
    "--enable-bulk-memory-opt", "--enable-nontrapping-float-to-int",
  ],
];

// 128-bit SIMD for the kernels; bulk memory so that the kernels' memset and memcpy (a
// model's per-batch lane buffer is zeroed on every step) are one memory.fill or
// memory.copy instruction each, which engines run natively, instead of compiler_builtins'
// loops of 4-byte stores. Every engine with WebAssembly SIMD has bulk memory: it shipped
// before SIMD in each of them.
const TARGET_FEATURES = "+simd128,+bulk-memory";

// ---------------------------------------------------------------------------------------------
// small helpers

function log(msg) {
  console.log(`[build-wasm] ${msg}`);
}

function fail(msg) {
  console.error(`[build-wasm] ERROR: ${msg}`);
  process.exit(1);
}

/** Run a command, capturing output. Never throws; returns { ok, stdout, stderr, error }. */
function capture(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  return {
    ok: !r.error && r.status === 0,
    stdout: r.stdout ?? "",
    stderr: r.stderr ?? "",
    error: r.error ? r.error.message : r.status !== 0 ? `exit code ${r.status}` : null,
  };
}

/** Run a command with inherited stdio (streamed output); fail the build if it fails. */
function runStreaming(cmd, args, opts = {}) {
  log(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(" ")} failed with exit code ${r.status}`);
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Like `which`: absolute path of an executable on PATH, or null. */
function which(name) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB (${bytes} bytes)`;
}

// ---------------------------------------------------------------------------------------------
// toolchain discovery
//
// A toolchain is { rustc, cargo, binDir, source } with absolute paths. cargo runs `rustc`
// from PATH (and rustup proxies may pick another toolchain), so we always hand the child
// RUSTC=<rustc> and put binDir first on PATH.

/** (a) rustup with the wasm32 target installed for the toolchain active in crate/. */
function findRustupToolchain(rejections) {
  const cargoHome = process.env.CARGO_HOME ?? path.join(os.homedir(), ".cargo");
  const rustup =
    which("rustup") ??
    [path.join(cargoHome, "bin", "rustup"), "/root/.cargo/bin/rustup"].find(isExecutable);
  if (!rustup) return null;

  const targets = capture(rustup, ["target", "list", "--installed"], { cwd: CRATE_DIR });
  if (!targets.ok) {
    rejections.push(`rustup (${rustup}): 'rustup target list --installed' failed: ${targets.error}`);
    return null;
  }
  if (!targets.stdout.split(/\s+/).includes(TARGET)) {
    rejections.push(`rustup (${rustup}): target ${TARGET} not installed ` +
      `(installed: ${targets.stdout.trim().split(/\s+/).join(", ") || "none"})`);
    return null;
  }
  // Resolve the proxies to real toolchain binaries so PATH order cannot mix toolchains.
  const rustc = capture(rustup, ["which", "rustc"], { cwd: CRATE_DIR }).stdout.trim();
  const cargo = capture(rustup, ["which", "cargo"], { cwd: CRATE_DIR }).stdout.trim();
  if (!isExecutable(rustc) || !isExecutable(cargo)) {
    rejections.push(`rustup (${rustup}): 'rustup which rustc/cargo' did not resolve`);
    return null;
  }
  return { rustc, cargo, binDir: path.dirname(rustc), source: `rustup (${rustup})` };
}

/** Candidate rustc binaries for step (b), de-duplicated by real path. */
function rustcCandidates() {
  const override = process.env.DOWNHILL_RUSTC_CANDIDATES;
  const list = override !== undefined
    ? override.split(":").filter(Boolean)
    : [which("rustc"), "/usr/bin/rustc"].filter(Boolean);
  const seen = new Set();
  return list.filter((p) => {
    let key = p;
    try { key = fs.realpathSync(p); } catch { /* keep as-is; rejected later */ }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** (b) A rustc whose sysroot contains libstd for wasm32, plus the cargo in the same dir. */
function checkRustcCandidate(rustc, rejections) {
  if (!isExecutable(rustc)) {
    rejections.push(`${rustc}: not found / not executable`);
    return null;
  }
  const sysroot = capture(rustc, ["--print", "sysroot"], { cwd: CRATE_DIR });
  if (!sysroot.ok) {
    rejections.push(`${rustc}: 'rustc --print sysroot' failed: ${sysroot.error}`);
    return null;
  }
  const libDir = path.join(sysroot.stdout.trim(), "lib", "rustlib", TARGET, "lib");
  let hasStd = false;
  try {
    hasStd = fs.readdirSync(libDir).some((f) => /^libstd-.*\.rlib$/.test(f));
  } catch { /* directory missing */ }
  if (!hasStd) {
    rejections.push(`${rustc}: no ${TARGET} std (no libstd-*.rlib in ${libDir})`);
    return null;
  }
  // Must be the cargo next to this rustc: e.g. rustup's cargo proxy would ignore our rustc.
  const binDir = path.dirname(rustc);
  const cargo = path.join(binDir, "cargo");
  if (!isExecutable(cargo)) {
    rejections.push(`${rustc}: has ${TARGET} std but there is no cargo at ${cargo}`);
    return null;
  }
  return { rustc, cargo, binDir, source: `rustc with ${TARGET} std in its sysroot` };
}

function findSysrootToolchain(rejections) {
  for (const rustc of rustcCandidates()) {
    const tc = checkRustcCandidate(rustc, rejections);
    if (tc) return tc;
  }
  return null;
}

function findToolchain(rejections) {
  if (process.env.DOWNHILL_RUSTC_CANDIDATES === undefined) {
    const tc = findRustupToolchain(rejections);
    if (tc) return tc;
  }
  return findSysrootToolchain(rejections);
}

/** (c) We may install Debian's packages only as root on Debian, and only if allowed. */
function canAptInstall() {
  return (
    process.getuid?.() === 0 &&
    fs.existsSync("/etc/debian_version") &&
    which("apt-get") !== null &&
    process.env.DOWNHILL_NO_APT !== "1"
  );
}

function aptInstallRust() {
  // Only these three packages: Debian's rustc-web/cargo-web variants conflict with them
  // and have broken dpkg on our machines, so never install those.
  log(`no usable toolchain; installing Debian packages: ${APT_PACKAGES.join(" ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  runStreaming("apt-get", ["update"], { env });
  runStreaming("apt-get", ["install", "-y", ...APT_PACKAGES], { env });
}

function howToInstallMessage(rejections) {
  return [
    `no Rust toolchain with the ${TARGET} standard library was found.`,
    "Toolchains looked at:",
    ...(rejections.length ? rejections.map((r) => `  - ${r}`) : ["  - none found at all"]),
    "Install one of:",
    `  rustup users:   rustup target add ${TARGET}`,
    `  Debian/Ubuntu:  sudo apt-get install ${APT_PACKAGES.join(" ")}`,
  ].join("\n");
}

function rustcVersion(tc) {
  return capture(tc.rustc, ["--version"]).stdout.trim() || "(unknown version)";
}

// ---------------------------------------------------------------------------------------------
// build steps

function cargoEnv(tc) {
  const env = { ...process.env };
  env.PATH = [tc.binDir, process.env.PATH ?? ""].join(path.delimiter);
  env.RUSTC = tc.rustc;
  env.CARGO_TARGET_DIR = TARGET_DIR;
  // Append rather than replace the user's flags. CARGO_ENCODED_RUSTFLAGS wins over RUSTFLAGS
  // in cargo, so extend whichever one is in effect.
  const features = `-C target-feature=${TARGET_FEATURES}`;
  if (env.CARGO_ENCODED_RUSTFLAGS) {
    env.CARGO_ENCODED_RUSTFLAGS += `\x1f-C\x1ftarget-feature=${TARGET_FEATURES}`;
  } else {
    env.RUSTFLAGS = env.RUSTFLAGS ? `${env.RUSTFLAGS} ${features}` : features;
  }
  return env;
}

function cargoBuild(tc) {
  // --offline: the crate has no dependencies, and CI/sandboxes may have no network.
  runStreaming(
    tc.cargo,
    ["build", "--release", "--offline", "--target", TARGET, "--manifest-path", MANIFEST],
    { env: cargoEnv(tc), cwd: ROOT },
  );
  if (!fs.existsSync(CARGO_OUTPUT)) fail(`cargo succeeded but ${CARGO_OUTPUT} is missing`);
}

/** Sorted "kind name" export list, to prove wasm-opt kept the ABI intact. */
async function exportsOf(file) {
  const bytes = fs.readFileSync(file);
  if (!WebAssembly.validate(bytes)) fail(`${file} does not validate in this Node's engine`);
  const mod = await WebAssembly.compile(bytes);
  return WebAssembly.Module.exports(mod).map((e) => `${e.kind} ${e.name}`).sort();
}

/** Try the feature sets from smallest to largest; return the first that optimizes cleanly. */
function wasmOpt(input, output) {
  let last = null;
  for (const features of WASM_OPT_FEATURE_SETS) {
    // wasm-opt validates both its input and its output by default.
    const args = [WASM_OPT, input, "-O3", ...features, "-o", output];
    const r = capture(process.execPath, args);
    if (r.ok) return features;
    last = { args, r };
  }
  const detail = (last.r.stderr || last.r.stdout).split("\n").slice(0, 30).join("\n");
  fail(`wasm-opt failed with every feature set; last attempt:\n` +
    `  node ${last.args.join(" ")}\n${detail}`);
}

async function optimizeOrCopy() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const before = fs.statSync(CARGO_OUTPUT).size;

  if (!fs.existsSync(WASM_OPT)) {
    fs.copyFileSync(CARGO_OUTPUT, OUT_FILE);
    log(`wasm-opt not found (${WASM_OPT}; run npm install for binaryen); copied cargo output unoptimized`);
    log(`size: ${kib(before)}`);
    await exportsOf(OUT_FILE);
    return;
  }

  const tmp = `${OUT_FILE}.tmp`;
  const features = wasmOpt(CARGO_OUTPUT, tmp);
  const [want, got] = [await exportsOf(CARGO_OUTPUT), await exportsOf(tmp)];
  if (want.join("\n") !== got.join("\n")) {
    fs.rmSync(tmp, { force: true });
    fail(`wasm-opt changed the export list:\n  before: ${want.join(", ")}\n  after:  ${got.join(", ")}`);
  }
  fs.renameSync(tmp, OUT_FILE);
  const after = fs.statSync(OUT_FILE).size;
  log(`wasm-opt -O3 ${features.join(" ")}`);
  log(`size: ${kib(before)} -> ${kib(after)} (${((100 * after) / before).toFixed(1)}%), ${got.length} exports kept`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const checkOnly = process.argv.includes("--check");
  const rejections = [];
  let tc = findToolchain(rejections);

  if (!tc && checkOnly) {
    console.error(`[build-wasm] ${howToInstallMessage(rejections)}`);
    if (canAptInstall()) log(`(a real build would first try: apt-get install -y ${APT_PACKAGES.join(" ")})`);
    process.exit(1);
  }
  if (!tc && canAptInstall()) {
    aptInstallRust();
    const afterApt = [];
    tc = findSysrootToolchain(afterApt);
    rejections.push(...afterApt.map((r) => `after apt-get install: ${r}`));
  }
  if (!tc) fail(howToInstallMessage(rejections));

  log(`toolchain: ${rustcVersion(tc)} — ${tc.source}`);
  log(`  rustc: ${tc.rustc}`);
  log(`  cargo: ${tc.cargo}`);
  for (const r of rejections) log(`  (skipped ${r})`);
  if (checkOnly) return;

  if (which("wasm-pack")) {
    log("wasm-pack found but not needed: the crate has plain extern \"C\" exports and no wasm-bindgen");
  }
  cargoBuild(tc);
  await optimizeOrCopy();
  log(`wrote ${path.relative(ROOT, OUT_FILE)}`);
}

main().catch((err) => fail(err?.stack ?? String(err)));
