/**
 * The CLI's edges: usage and input errors (exit code 2, a message naming the flag or the
 * file, row and column, nothing written), --help and --version, the checks of a model
 * file (the JSON path of the problem), predictions of hand-written model files against
 * forward passes computed here, and `bench` from an installed package.
 */
import { mkdirSync, copyFileSync, existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { benchCommand } from "../../ts/cli/bench.ts";
import { fitCommand } from "../../ts/cli/fit.ts";
import { predictCommand } from "../../ts/cli/predict.ts";
import { sweepCommand } from "../../ts/cli/sweep.ts";
import { CLI, cliBuilt, downhill, readNumbers, workspace, writeCsv } from "./run.ts";

const ws = workspace();
afterAll(() => ws.dispose());
beforeAll(() => {
  expect(cliBuilt(), `${CLI} is missing: run \`npm run build\` first`).toBe(true);
});

const root = new URL("../../", import.meta.url).pathname;
const close = (actual: number, expected: number, rel: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * (1 + Math.abs(expected)));

writeCsv(ws.path("small.csv"), ["a", "b", "y"], [[1, 2, 3.5], [2, 0, 1.25], [3, 1, 4], [4, 3, 8]]);
writeFileSync(ws.path("bad.csv"), "a,b,y\n1,2,3\n4,x5,6\n7,8,9\n");

describe("usage and input errors exit with 2 and say what is wrong", () => {
  const cases: [string, string[], RegExp][] = [
    ["an unknown flag", ["fit", "small.csv", "--target", "y", "--bogus", "--out", "never.json"], /downhill fit: unknown flag --bogus/],
    ["a misspelt flag", ["fit", "small.csv", "--targt", "y", "--out", "never.json"], /unknown flag --targt; did you mean --target\?/],
    ["no --target", ["fit", "small.csv", "--out", "never.json"], /--target is required/],
    ["a bad number", ["fit", "small.csv", "--target", "y", "--lr", "abc", "--out", "never.json"], /--lr: "abc" is not a number/],
    ["a number out of range", ["fit", "small.csv", "--target", "y", "--epochs", "0", "--out", "never.json"], /--epochs must be a whole number >= 1; got 0/],
    ["a flag without its value", ["fit", "small.csv", "--target", "y", "--out", "never.json", "--lr"], /--lr needs a value/],
    ["a non-numeric CSV cell", ["fit", "bad.csv", "--target", "y", "--out", "never.json"], /bad\.csv: row 2 \(line 3\), column "b": "x5" is not a number/],
    ["a target column that does not exist", ["fit", "small.csv", "--target", "z", "--out", "never.json"], /--target: no column named "z"/],
    ["a feature column that does not exist", ["fit", "small.csv", "--target", "y", "--features", "a,c", "--out", "never.json"], /--features: no column named "c"/],
    ["labels that are not 0/1", ["fit", "small.csv", "--target", "y", "--model", "logistic", "--out", "never.json"], /small\.csv: row 1, column "y": 3\.5 is not a label 0 or 1/],
    ["an unknown model", ["fit", "small.csv", "--target", "y", "--model", "logistc", "--out", "never.json"], /--model: unknown value "logistc" \(did you mean "logistic"\?\)/],
    ["a bad schedule", ["fit", "small.csv", "--target", "y", "--schedule", "step:x", "--out", "never.json"], /--schedule "step:x" \(step size in epochs\): "x" is not a number/],
    ["a flag of another optimizer", ["fit", "small.csv", "--target", "y", "--momentum", "0.9", "--out", "never.json"], /--momentum applies to --optimizer sgd or rmsprop/],
    ["a missing CSV file", ["fit", "missing.csv", "--target", "y", "--out", "never.json"], /cannot read "missing\.csv"/],
    ["predict without its CSV", ["predict", "never.json"], /expects a model file and a CSV file/],
    ["sweep's --lr", ["sweep", "small.csv", "--target", "y", "--lr", "0.1"], /unknown flag --lr: the sweep varies the learning rate/],
    ["an unknown command", ["fitt"], /unknown command "fitt" \(did you mean "fit"\?\)/],
  ];
  it.each(cases)("%s", (_, args, message) => {
    const r = downhill(args, ws.dir);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(existsSync(ws.path("never.json"))).toBe(false);
  });
});

describe("help and version", () => {
  it.each([fitCommand, predictCommand, sweepCommand, benchCommand].map((c) => [c.name, c] as const))("downhill %s --help lists every flag", (name, command) => {
    const r = downhill([name, "--help"], ws.dir);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith(`Usage: downhill ${name} `)).toBe(true);
    for (const flag of [...Object.keys(command.flags), "help"]) expect(r.stdout).toMatch(new RegExp(`--${flag}\\b`));
    expect(downhill(["help", name], ws.dir).stdout).toBe(r.stdout);
    // --help wins over anything else on the line.
    expect(downhill([name, "--bogus", "-h"], ws.dir)).toMatchObject({ status: 0, stdout: r.stdout });
  });

  it("downhill --help lists the commands; --version prints package.json's version", () => {
    const r = downhill(["--help"], ws.dir);
    expect(r.status).toBe(0);
    for (const name of ["fit", "predict", "sweep", "bench"]) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    const { version } = JSON.parse(readFileSync(join(dirname(CLI), "..", "package.json"), "utf8")) as { version: string };
    expect(downhill(["--version"], ws.dir)).toMatchObject({ status: 0, stdout: `downhill ${version}\n` });
  });
});

describe("model files", () => {
  // A hand-written MLP: 2 features → 3 tanh units → 1 output, standardized features and target.
  const mlp = {
    format: "downhill-model",
    version: 1,
    kind: "mlp",
    features: ["p", "q"],
    target: "r",
    standardization: { mean: [1, -2], scale: [2, 0.5], target: { mean: 10, scale: 3 } },
    task: "regression",
    activation: "tanh",
    layers: [
      { weights: [[0.5, -1, 0.25], [1.5, 0.75, -0.5]], bias: [0.1, -0.2, 0.3] },
      { weights: [[1], [-2], [0.5]], bias: [0.05] },
    ],
    training: {},
  };
  const rows = [[0, 0], [1, -2], [3.5, -1.25], [-2, 4]];
  writeCsv(ws.path("pq.csv"), ["q", "extra", "p"], rows.map(([p, q]) => [q!, 7, p!])); // columns in another order, plus one unused

  function write(name: string, model: unknown): string {
    writeFileSync(ws.path(name), typeof model === "string" ? model : JSON.stringify(model));
    return name;
  }

  it("an MLP's predictions are its forward pass (computed here), in the target's units", () => {
    const r = downhill(["predict", write("mlp.json", mlp), "pq.csv"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const { header, rows: out } = readNumbers(r.stdout);
    expect(header).toEqual(["prediction"]);
    rows.forEach(([p, q], i) => {
      const x = [(p! - 1) / 2, (q! + 2) / 0.5];
      const [W1, W2] = mlp.layers;
      const h = W1!.bias.map((b, k) => Math.tanh(b + x[0]! * W1!.weights[0]![k]! + x[1]! * W1!.weights[1]![k]!));
      const o = W2!.bias[0]! + h.reduce((s, v, k) => s + v * W2!.weights[k]![0]!, 0);
      close(out[i]![0]!, o * 3 + 10, 1e-12);
    });
  });

  it("a softmax model's probabilities are the softmax of x·W + b (computed here)", () => {
    const model = { format: "downhill-model", version: 1, kind: "softmax", features: ["p", "q"], target: "c", standardization: null, classes: 3, weights: [[1, -1, 0.5], [0.25, 2, -1]], bias: [0, 0.5, -0.5], training: {} };
    const r = downhill(["predict", write("softmax.json", model), "pq.csv", "--out", "classes.csv"], ws.dir);
    expect(r.status, r.stderr).toBe(0);
    const { header, rows: out } = readNumbers(readFileSync(ws.path("classes.csv"), "utf8"));
    expect(header).toEqual(["prediction", "probability_0", "probability_1", "probability_2"]);
    rows.forEach(([p, q], i) => {
      const z = model.bias.map((b, c) => b + p! * model.weights[0]![c]! + q! * model.weights[1]![c]!);
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const probabilities = e.map((v) => v / e.reduce((s, u) => s + u, 0));
      probabilities.forEach((pc, c) => close(out[i]![c + 1]!, pc, 1e-12));
      expect(out[i]![0]).toBe(z.indexOf(Math.max(...z)));
    });
  });

  const broken: [string, (m: Record<string, unknown>) => unknown, RegExp][] = [
    ["not JSON", () => "{ format: downhill", /not valid JSON/],
    ["another format", (m) => ({ ...m, format: "something-else" }), /\$\.format must be "downhill-model"/],
    ["a newer version", (m) => ({ ...m, version: 2 }), /\$\.version is 2: the file was written by a newer downhill/],
    ["an unknown key", (m) => ({ ...m, activaton: "tanh" }), /\$\.activaton is not part of the format; did you mean "activation"\?/],
    ["a missing key", (m) => ({ ...m, layers: undefined }), /\$ lacks "layers"/],
    ["a bias of the wrong length", (m) => ({ ...m, layers: [mlp.layers[0], { ...mlp.layers[1], bias: [1, 2] }] }), /\$\.layers\[1\]\.bias must be an array of 1 number; got 2 values/],
    ["a layer that does not fit the previous one", (m) => ({ ...m, layers: [mlp.layers[0], { weights: [[1], [2]], bias: [0] }] }), /\$\.layers\[1\]\.weights must be .*3 rows; got 2/],
    ["a weight that is not a number", (m) => ({ ...m, layers: [{ ...mlp.layers[0], weights: [[0.5, "x", 0.25], [1, 1, 1]] }, mlp.layers[1]] }), /\$\.layers\[0\]\.weights\[0\]\[1\] must be a finite number; got "x"/],
    ["a zero scale", (m) => ({ ...m, standardization: { ...mlp.standardization, scale: [2, 0] } }), /\$\.standardization\.scale\[1\] must be > 0/],
    ["an unknown activation", (m) => ({ ...m, activation: "gelu" }), /\$\.activation must be one of "relu", "tanh", "sigmoid"; got "gelu"/],
  ];
  it.each(broken)("a model file with %s is refused naming the JSON path", (_, mutate, message) => {
    const r = downhill(["predict", write("broken.json", mutate({ ...mlp })), "pq.csv"], ws.dir);
    expect(r.stderr).toMatch(/^downhill predict: broken\.json: /);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
  });

  it("a CSV without the model's feature columns is refused naming them", () => {
    writeCsv(ws.path("p-only.csv"), ["p", "r"], [[1, 2]]);
    const r = downhill(["predict", write("mlp.json", mlp), "p-only.csv"], ws.dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/p-only\.csv: no column "q", which mlp\.json was trained on/);
  });
});

describe("bench", () => {
  it("from an installed package (no bench/), says where the suites are instead of measuring", () => {
    // What npm installs: package.json and dist/, next to the dependencies.
    const pkg = ws.path("installed/node_modules/downhill");
    mkdirSync(join(pkg, "dist"), { recursive: true });
    copyFileSync(join(root, "package.json"), join(pkg, "package.json"));
    for (const file of ["cli.js", "index.js"]) copyFileSync(join(dirname(CLI), file), join(pkg, "dist", file));
    for (const dep of ["d3-scale", "d3-shape", "d3-contour", "d3-array", "d3-interpolate", "d3-format", "d3-time", "d3-time-format", "d3-color", "d3-path", "internmap"]) {
      if (existsSync(join(root, "node_modules", dep))) symlinkSync(join(root, "node_modules", dep), ws.path(`installed/node_modules/${dep}`));
    }
    const r = downhill(["bench", "--quick"], ws.dir, join(pkg, "dist", "cli.js"));
    expect(r.stderr).toMatch(/the benchmark suites are not here: they live in bench\/ of the source repository/);
    expect(r.status).toBe(1);
  });
});
