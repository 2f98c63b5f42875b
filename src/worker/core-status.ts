// The one message the analysis worker sends outside Comlink (src/worker/worker.ts): whether its WASM
// core loaded. Comlink ignores it (it has no id); src/main.ts shows it as document.body.dataset.core.
/** Posted once by the worker: the core compiled and instantiated, or why it did not. */
export type CoreStatusMessage = { flowlensCore: 'ready' } | { flowlensCore: 'failed'; message: string };
