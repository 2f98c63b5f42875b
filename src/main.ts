// Page entry: loads the styles, starts the analysis worker (a module worker running the WASM
// core) and mounts the page. The only place the worker is created; the page talks to it through
// Comlink and never touches WASM memory or file bytes itself.
import * as Comlink from 'comlink';
import 'uplot/dist/uPlot.min.css';
import './ui/style.css';
import type { FlowlensWorkerApi } from './worker/api';
import { createApp } from './ui/app';

const root = document.getElementById('app');
if (!root) throw new Error('index.html lacks #app');

const worker = new Worker(new URL('./worker/worker.ts', import.meta.url), { type: 'module', name: 'flowlens' });
const app = createApp(root, Comlink.wrap<FlowlensWorkerApi>(worker));
worker.addEventListener('error', (e) => {
  app.showFailure('The analysis worker stopped', e.message || 'it could not be loaded');
});
