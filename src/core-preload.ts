// Hosted build: the page fetches and compiles the WASM core itself, right at start, and hands the
// compiled module to the worker (WebAssembly.Module is structured-cloneable to a dedicated worker).
// The download and compilation then run while the worker's script is still being fetched and
// evaluated, instead of after it: the page is ready sooner (test/bench/load.ts). The single-file
// build swaps this module for core-preload.single.ts (its worker carries the core inline).
import type { CoreModuleMessage } from './worker/core-status';

/** Starts compiling build/core.wasm (fetched from the same origin) and posts the result to
 *  `worker` as a CoreModuleMessage (src/worker/core-wasm.ts waits for it). */
export function preloadCore(worker: Worker): void {
  WebAssembly.compileStreaming(fetch(new URL('../build/core.wasm', import.meta.url))).then(
    (module) => worker.postMessage({ flowlensCoreModule: module } satisfies CoreModuleMessage),
    (e: unknown) => worker.postMessage({ flowlensCoreError: e instanceof Error ? e.message : String(e) } satisfies CoreModuleMessage),
  );
}
