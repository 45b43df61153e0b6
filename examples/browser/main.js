// The browser example: downhill fits y = 2·x0 − 30·x1 (the tutorials' experiment) and the
// page animates the optimizer's path over the MSE contours. Choosing another optimizer or
// learning rate aborts the running fit and starts again. Bundled by rollup (see
// rollup.config.mjs); the WebAssembly module is inlined in the bundle, so nothing is
// fetched, but browsers must `await init()` before creating downhill objects.
//
// For tests, the page publishes its state as window.__downhill and data-* attributes on
// <body>: { state: "loading" | "running" | "done" | "error", run, backend, optimizer, lr,
// steps, loss, weights, reason, data: { X, y } }.
import { contours } from "d3-contour";
import { LinearRegression, Random, fit, init, mseLoss, toDataset } from "downhill";

const STEPS = 500;
const STEPS_PER_FRAME = 2;

/** The optimizers on offer, each with a learning rate that reaches (2, −30) in 500 steps. */
const PRESETS = {
  gd: { label: "Batch gradient descent", optimizer: "sgd", options: {}, batchSize: 100, lr: 1e-4 },
  sgd: { label: "Stochastic gradient descent (batch 1)", optimizer: "sgd", options: {}, batchSize: 1, lr: 1e-4 },
  minibatch: { label: "Mini-batch gradient descent (batch 10)", optimizer: "sgd", options: {}, batchSize: 10, lr: 1e-4 },
  momentum: { label: "Momentum (0.9)", optimizer: "sgd", options: { momentum: 0.9 }, batchSize: 100, lr: 1e-4 },
  nesterov: { label: "Nesterov momentum (0.9)", optimizer: "sgd", options: { momentum: 0.9, nesterov: true }, batchSize: 100, lr: 1e-4 },
  adagrad: { label: "Adagrad", optimizer: "adagrad", options: {}, batchSize: 100, lr: 3 },
  rmsprop: { label: "RMSprop", optimizer: "rmsprop", options: {}, batchSize: 100, lr: 0.1 },
  adam: { label: "Adam", optimizer: "adam", options: {}, batchSize: 100, lr: 0.3 },
};

// The plotted window of the (w0, w1) plane, 10 px per unit, w1 growing upwards.
const VIEW = { w0: [-22, 26], w1: [-46, 10], scale: 10 };
const WIDTH = (VIEW.w0[1] - VIEW.w0[0]) * VIEW.scale;
const HEIGHT = (VIEW.w1[1] - VIEW.w1[0]) * VIEW.scale;
const toX = (w0) => (w0 - VIEW.w0[0]) * VIEW.scale;
const toY = (w1) => (VIEW.w1[1] - w1) * VIEW.scale;

const $ = (id) => document.getElementById(id);
const SVG = "http://www.w3.org/2000/svg";

function svgElement(name, attributes, parent) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  parent?.appendChild(element);
  return element;
}

const status = {
  state: "loading",
  run: 0,
  backend: null,
  optimizer: null,
  lr: null,
  steps: 0,
  loss: null,
  weights: null,
  reason: null,
  error: null,
  data: null,
};

/** Mirrors the status to window.__downhill, <body data-*> and the table on the page. */
function publish(changes) {
  Object.assign(status, changes);
  window.__downhill = { ...status };
  const body = document.body.dataset;
  body.state = status.state;
  body.run = String(status.run);
  body.backend = status.backend ?? "";
  $("backend").textContent = status.backend ?? "…";
  $("step").textContent = String(status.steps);
  $("loss").textContent = status.loss === null ? "…" : status.loss.toPrecision(6);
  $("weights").textContent = status.weights === null ? "…" : status.weights.map((w) => w.toFixed(6)).join(", ");
  $("reason").textContent = status.reason ?? (status.state === "running" ? "running…" : "…");
}

/** The MSE over (w0, w1) as a quadratic form: wᵀAw − 2bᵀw + c with A = XᵀX/N, b = Xᵀy/N. */
function mseSurface(X, y) {
  const n = X.length;
  let a00 = 0, a01 = 0, a11 = 0, b0 = 0, b1 = 0, c = 0;
  for (let i = 0; i < n; i++) {
    const [x0, x1] = X[i];
    a00 += x0 * x0; a01 += x0 * x1; a11 += x1 * x1;
    b0 += x0 * y[i]; b1 += x1 * y[i]; c += y[i] * y[i];
  }
  return (w0, w1) => (a00 * w0 * w0 + 2 * a01 * w0 * w1 + a11 * w1 * w1 - 2 * (b0 * w0 + b1 * w1) + c) / n;
}

/** A d3-contour ring in grid units (cell centres at i + 0.5) as SVG path commands. */
function ringPath(ring, cell) {
  return `M${ring.map(([x, y]) => `${(x * cell).toFixed(1)},${(y * cell).toFixed(1)}`).join("L")}Z`;
}

/** Draws the contours, axes and markers once; returns the elements the animation moves. */
function drawBackground(svg, mse) {
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute("width", String(WIDTH));
  svg.setAttribute("height", String(HEIGHT));
  svg.replaceChildren();
  const cell = VIEW.scale / 2; // two samples per unit
  const nx = WIDTH / cell;
  const ny = HEIGHT / cell;
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) values[j * nx + i] = mse(VIEW.w0[0] + (i + 0.5) / 2, VIEW.w1[1] - (j + 0.5) / 2);
  }
  // The MSE grows with the squared distance from the minimum: thresholds max·(k/20)² give
  // rings evenly spaced in distance, as in the tutorials' contour plots.
  let max = 0;
  for (const v of values) max = Math.max(max, v);
  const thresholds = Array.from({ length: 20 }, (_, k) => max * (k / 20) ** 2);
  const bands = contours().size([nx, ny]).thresholds(thresholds)(values);
  const contourGroup = svgElement("g", { stroke: "#ffffff", "stroke-width": 0.8 }, svg);
  bands.forEach((band, k) => {
    const t = k / (bands.length - 1);
    const d = band.coordinates.map((polygon) => polygon.map((ring) => ringPath(ring, cell)).join("")).join("");
    svgElement("path", { d, fill: `hsl(${50 + 170 * t} 60% ${90 - 40 * t}%)` }, contourGroup).appendChild(
      svgElement("title", {}),
    ).textContent = `MSE ≥ ${band.value.toPrecision(2)}`;
  });
  // Axes through the origin, with ticks every 10.
  const axes = svgElement("g", { stroke: "#47515f", "stroke-width": 1, "font-size": 11, fill: "#47515f" }, svg);
  svgElement("line", { x1: 0, x2: WIDTH, y1: toY(0), y2: toY(0) }, axes);
  svgElement("line", { x1: toX(0), x2: toX(0), y1: 0, y2: HEIGHT }, axes);
  for (let v = -40; v <= 20; v += 10) {
    if (v === 0) continue;
    if (toX(v) > 12 && toX(v) < WIDTH - 12) {
      svgElement("line", { x1: toX(v), x2: toX(v), y1: toY(0) - 4, y2: toY(0) + 4 }, axes);
      svgElement("text", { x: toX(v), y: toY(0) + 16, "text-anchor": "middle", stroke: "none" }, axes).textContent = String(v);
    }
    if (toY(v) > 12 && toY(v) < HEIGHT - 6) {
      svgElement("line", { x1: toX(0) - 4, x2: toX(0) + 4, y1: toY(v), y2: toY(v) }, axes);
      svgElement("text", { x: toX(0) - 8, y: toY(v) + 4, "text-anchor": "end", stroke: "none" }, axes).textContent = String(v);
    }
  }
  svgElement("text", { x: WIDTH - 6, y: toY(0) - 8, "text-anchor": "end", stroke: "none" }, axes).textContent = "w₀";
  svgElement("text", { x: toX(0) + 8, y: 14, stroke: "none" }, axes).textContent = "w₁";
  // The true weights and the start.
  const [tx, ty] = [toX(2), toY(-30)];
  svgElement("path", { d: `M${tx - 6},${ty - 6}L${tx + 6},${ty + 6}M${tx - 6},${ty + 6}L${tx + 6},${ty - 6}`, stroke: "#111", "stroke-width": 2 }, svg);
  svgElement("circle", { cx: toX(1), cy: toY(1), r: 4, fill: "#111" }, svg);
  const path = svgElement("polyline", { fill: "none", stroke: "#c2185b", "stroke-width": 2, "stroke-linejoin": "round" }, svg);
  const head = svgElement("circle", { r: 5, fill: "#c2185b", stroke: "#fff", "stroke-width": 1.5 }, svg);
  return { path, head };
}

const nextFrame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
const lrOf = (slider) => Number((10 ** Number(slider.value)).toPrecision(3));

async function main() {
  const backend = await init(); // compiles the inlined WebAssembly module (or falls back to "ts")
  const random = new Random(42);
  const X = Array.from({ length: 100 }, () => [12 * random.normal(), 12 * random.normal()]);
  const y = X.map(([x0, x1]) => 2 * x0 - 30 * x1);
  const data = toDataset(X, y);
  const { path, head } = drawBackground($("plot"), mseSurface(X, y));

  const select = $("optimizer");
  const slider = $("lr");
  for (const [key, preset] of Object.entries(PRESETS)) select.add(new Option(preset.label, key));
  // The rate in use: the preset's exactly, or the slider's (log10 steps of 0.1) once moved.
  let lr = PRESETS[select.value].lr;
  const showLr = () => ($("lr-value").textContent = String(lr));
  const usePreset = () => {
    lr = PRESETS[select.value].lr;
    slider.value = String(Math.log10(lr));
    showLr();
  };
  usePreset();
  publish({ backend, data: { X, y } });

  let current = null; // the running fit: { controller, done }
  let runs = 0;

  async function start() {
    const run = ++runs;
    current?.controller.abort();
    await current?.done; // the aborted fit ends at its next batch boundary
    if (run !== runs) return; // a newer restart took over
    const preset = PRESETS[select.value];
    const rate = lr;
    const controller = new AbortController();
    const model = new LinearRegression({ bias: false, init: [1, 1] });
    const points = [[1, 1]];
    const draw = () => {
      path.setAttribute("points", points.map(([w0, w1]) => `${toX(w0).toFixed(1)},${toY(w1).toFixed(1)}`).join(" "));
      const [w0, w1] = points[points.length - 1];
      head.setAttribute("cx", toX(w0).toFixed(1));
      head.setAttribute("cy", toY(w1).toFixed(1));
    };
    draw();
    publish({ state: "running", run, optimizer: select.value, lr: rate, steps: 0, loss: null, weights: [1, 1], reason: null, error: null });
    const done = (async () => {
      try {
        const result = await fit(model, data, {
          optimizer: preset.optimizer,
          optimizerOptions: { ...preset.options, lr: rate },
          batchSize: preset.batchSize,
          epochs: STEPS,
          maxIter: STEPS,
          seed: 1,
          tol: null,
          signal: controller.signal,
          onIteration: async (record) => {
            if (run !== runs) return "stop"; // superseded; the abort takes effect at this boundary too
            const w = model.weights;
            points.push([w[0], w[1]]);
            publish({ steps: record.iteration, loss: record.loss, weights: [w[0], w[1]] });
            if (record.iteration % STEPS_PER_FRAME === 0) {
              draw();
              await nextFrame();
            }
          },
        });
        const w = model.weights; // after a divergence, the best weights fit() restored
        draw();
        if (run === runs) {
          publish({
            state: "done",
            backend: model.backend,
            steps: result.iterations,
            loss: mseLoss(model.predict(data), y).value,
            weights: [w[0], w[1]],
            reason: result.reason === "maxIter" ? `after ${result.iterations} steps` : result.reason,
          });
        }
      } catch (error) {
        showError(error);
      } finally {
        model.dispose();
      }
    })();
    current = { controller, done };
  }

  select.addEventListener("change", () => {
    usePreset();
    void start();
  });
  slider.addEventListener("input", () => {
    lr = lrOf(slider);
    showLr();
    void start();
  });
  $("restart").addEventListener("click", () => void start());
  await start();
}

function showError(error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  $("error").hidden = false;
  $("error").textContent = message;
  publish({ state: "error", error: message });
}

main().catch(showError);
