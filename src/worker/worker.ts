// The module Web Worker entry: owns the WASM core instance and exposes the analysis service to
// the page through Comlink. Receives the File itself, never its bytes; results come back as
// transferred typed arrays. Type-checked with the webworker lib only (no DOM).
import * as Comlink from 'comlink';
import { Engine, instantiateCore } from './engine';
import { createWorkerApi } from './service';

const wasmUrl = new URL('../../build/core.wasm', import.meta.url);

Comlink.expose(
  createWorkerApi(async () => new Engine(await instantiateCore(await WebAssembly.compileStreaming(fetch(wasmUrl))))),
);
