// Page entry: loads the styles, starts the analysis worker (a module worker running the WASM
// core) and mounts the page. The only place the worker is created; the page talks to it through
// Comlink and never touches WASM memory or file bytes itself.
//
// Two builds share this entry (see vite.config.ts and vite.single.config.ts): the hosted site
// (dist/index.html, MODE 'production') and the single self-contained file (dist/flowlens.html,
// MODE 'single', opened from disk). The hosted site registers the offline service worker.
import * as Comlink from 'comlink';
import 'uplot/dist/uPlot.min.css';
import './ui/style.css';
import type { FlowlensWorkerApi } from './worker/api';
import type { CoreStatusMessage } from './worker/core-status';
import { createApp } from './ui/app';
import { spawnWorker } from './spawn-worker';
import { preloadCore } from './core-preload';
import { registerOfflineWorker } from './offline';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks #app');

const SINGLE_FILE = import.meta.env.MODE === 'single';
document.documentElement.dataset.build = SINGLE_FILE ? 'single' : 'hosted';

const worker = spawnWorker();
preloadCore(worker);
// data-core on <body>: 'loading' until the worker has compiled the WASM core, then 'ready' or 'failed'.
document.body.dataset.core = 'loading';
const app = createApp(root, Comlink.wrap<FlowlensWorkerApi>(worker));
worker.addEventListener('message', (e: MessageEvent<unknown>) => {
  const d = e.data as Partial<Record<'flowlensCore' | 'message', unknown>> | null;
  if (!d || typeof d !== 'object' || (d.flowlensCore !== 'ready' && d.flowlensCore !== 'failed')) return;
  const status = d as CoreStatusMessage;
  document.body.dataset.core = status.flowlensCore;
  performance.mark(`flowlens:core-${status.flowlensCore}`);
  if (status.flowlensCore === 'failed') app.showFailure('The analysis core could not be loaded', status.message);
});
worker.addEventListener('error', (e) => {
  document.body.dataset.core = 'failed';
  app.showFailure('The analysis worker stopped', e.message || 'it could not be loaded');
});

if (SINGLE_FILE) {
  // The sample capture is a file of the hosted site; the single file fetches nothing.
  document.getElementById('sample-button')?.remove();
} else if (import.meta.env.PROD) {
  registerOfflineWorker();
}
