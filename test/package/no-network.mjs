// Preloaded with `node --import` by test/package/pack.test.ts: any use of the network
// from then on throws, so a package that reached for it at import (to fetch its
// WebAssembly, phone home, check for updates) would fail loudly. Blocks the networking
// built-in modules for import (a resolve hook) and require (Module._load), and the
// global fetch, WebSocket, EventSource and XMLHttpRequest.
import { createRequire, register } from "node:module";

const BLOCKED = ["http", "https", "http2", "net", "tls", "dgram", "dns", "dns/promises"];

const hook = `
const BLOCKED = new Set(${JSON.stringify(BLOCKED)});
export async function resolve(specifier, context, next) {
  if (BLOCKED.has(specifier.replace(/^node:/, ""))) {
    throw new Error("no-network: import of " + specifier + " from " + context.parentURL);
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hook)}`);

const Module = createRequire(import.meta.url)("node:module");
const load = Module._load;
Module._load = function loadWithoutNetwork(request, ...rest) {
  if (BLOCKED.includes(String(request).replace(/^node:/, ""))) throw new Error(`no-network: require of ${request}`);
  return load.call(this, request, ...rest);
};

for (const name of ["fetch", "WebSocket", "EventSource", "XMLHttpRequest"]) {
  Object.defineProperty(globalThis, name, {
    configurable: true,
    writable: true,
    value: function blocked() {
      throw new Error(`no-network: ${name}`);
    },
  });
}
