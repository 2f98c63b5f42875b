// Starts the analysis worker in the hosted build (dist/): a module worker loaded from its own
// same-origin file. The single-file build (vite.single.config.ts) swaps this module for
// spawn-worker.single.ts, which inlines the worker.
/** A new analysis worker (src/worker/worker.ts). */
export function spawnWorker(): Worker {
  return new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module', name: 'flowlens' });
}
