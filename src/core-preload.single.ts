// Single-file build: nothing to preload, the worker decodes its inlined core itself
// (src/worker/core-wasm.single.ts). vite.single.config.ts aliases ./core-preload to this module.
/** No-op in the single file. */
export function preloadCore(_worker: Worker): void {}
