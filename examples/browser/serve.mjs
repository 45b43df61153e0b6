// A static file server for the browser example (module scripts do not load from file://):
//   node examples/browser/serve.mjs [port]     then open the printed address.
// test/browser imports serveDirectory() to serve the page to headless Chromium.
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".wasm": "application/wasm",
};

/**
 * Serves the files under `root` on 127.0.0.1 (port 0 picks a free one). Resolves to the
 * server and its address once it listens.
 */
export function serveDirectory(root, { port = 0 } = {}) {
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? "/", "http://localhost").pathname);
    const file = normalize(join(root, path.endsWith("/") ? `${path}index.html` : path));
    let ok = file.startsWith(normalize(root + sep));
    try {
      ok = ok && statSync(file).isFile();
    } catch {
      ok = false;
    }
    if (!ok) {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      response.end(`not found: ${path}\n`);
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${address.port}/` });
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL(".", import.meta.url));
  const port = Number(process.argv[2] ?? 8080);
  try {
    statSync(join(root, "dist", "main.js"));
  } catch {
    console.error("examples/browser/dist/main.js is missing: run `npm run build && npm run example:browser` first.");
    process.exit(1);
  }
  const { url } = await serveDirectory(root, { port });
  console.log(`Serving the downhill browser example at ${url} (Ctrl-C to stop).`);
}
