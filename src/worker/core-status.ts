// The messages the page and the analysis worker exchange outside Comlink (Comlink ignores
// messages without its id and type): the WASM core handed to the worker, and whether it loaded.
/** Posted once by the worker (src/worker/worker.ts): the core compiled and instantiated, or why
 *  it did not. src/main.ts shows it as document.body.dataset.core. */
export type CoreStatusMessage = { flowlensCore: 'ready' } | { flowlensCore: 'failed'; message: string };

/** Posted once by the hosted page (src/core-preload.ts) to the worker: the core it compiled while
 *  the worker's script was still loading, or why it could not. */
export type CoreModuleMessage = { flowlensCoreModule: WebAssembly.Module } | { flowlensCoreError: string };
