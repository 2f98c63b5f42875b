// Where the worker gets the WASM core from, in the hosted build (dist/): the core is an asset of
// its own, fetched from the same origin and compiled while it streams. The single-file build
// (vite.single.config.ts) swaps this module for core-wasm.single.ts, which carries the bytes inline.
/** Compiles the core (build/core.wasm). Rejects when the fetch or the compilation fails. */
export function compileCore(): Promise<WebAssembly.Module> {
  return WebAssembly.compileStreaming(fetch(new URL('../../build/core.wasm', import.meta.url)));
}
