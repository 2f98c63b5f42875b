// The module Web Worker entry: owns the WASM core instance and exposes the analysis service to
// the page through Comlink. Receives the File itself, never its bytes; results come back as
// transferred typed arrays. Type-checked with the webworker lib only (no DOM).
//
// The core is loaded as soon as the worker starts (not at the first analysis), and the worker
// tells the page when it is ready with one plain message outside Comlink's protocol
// ({ flowlensCore: 'ready' } or { flowlensCore: 'failed', message }; Comlink ignores messages
// without an id). src/main.ts turns it into document.body.dataset.core, which the load-time
// measurement (test/bench/load.ts) and the browser tests wait for.
import * as Comlink from 'comlink';
import { Engine, instantiateCore } from './engine';
import { compileCore } from './core-wasm';
import type { CoreStatusMessage } from './core-status';
import { createWorkerApi } from './service';

const engine: Promise<Engine> = compileCore().then(async (module) => new Engine(await instantiateCore(module)));
engine.then(
  () => self.postMessage({ flowlensCore: 'ready' } satisfies CoreStatusMessage),
  (e: unknown) => self.postMessage({ flowlensCore: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies CoreStatusMessage),
);

Comlink.expose(createWorkerApi(() => engine));
