// Starts the analysis worker in the single-file build (dist/flowlens.html): Vite inlines the whole
// worker bundle (WASM core included, see src/worker/core-wasm.single.ts) as a string and starts it
// from a blob: URL as a classic worker (vite.single.config.ts: Chromium refuses module workers
// from blob: URLs on a file:// page), which the page's CSP allows as worker-src blob: (and nothing else).
import FlowlensWorker from './worker/worker?worker&inline';

/** A new analysis worker (src/worker/worker.ts, inlined). */
export function spawnWorker(): Worker {
  return new FlowlensWorker({ name: 'flowlens' });
}
