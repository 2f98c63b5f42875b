// The single self-contained build: dist/flowlens.html, for opening from disk (file://) with no
// network, e.g. from an incident-response kit. Runs after the hosted build (`npm run build`) into
// the same dist/ without emptying it. MODE 'single' (src/main.ts: no service worker, no sample).
// - vite-plugin-singlefile inlines the page's JS (one inline module script) and CSS (one <style>);
// - the worker is inlined (src/spawn-worker.single.ts: `?worker&inline`, a classic worker started
//   from a blob: URL);
// - the WASM core is inlined into the worker as base64 (src/worker/core-wasm.single.ts; the hosted
//   page's early fetch of it, src/core-preload.ts, becomes a no-op);
// - singleFileCsp() then sets the CSP: sha256 hashes of the inline script and style, worker-src
//   blob:, connect-src 'none' (scripts/build-plugins.ts).
// The sample capture (public/) is left out: it is a file of the hosted site.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { viteSingleFile } from 'vite-plugin-singlefile';
import { singleFileCsp } from './scripts/build-plugins';

export const SINGLE_FILE_NAME = 'flowlens.html';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  mode: 'single',
  base: './',
  publicDir: false,
  assetsInclude: ['**/*.wasm'],
  // A classic worker: Chromium refuses module workers from blob: URLs on a file:// page.
  worker: { format: 'iife' },
  resolve: {
    alias: [
      { find: /^\.\/spawn-worker$/, replacement: src('spawn-worker.single.ts') },
      { find: /^\.\/core-wasm$/, replacement: src('worker/core-wasm.single.ts') },
      { find: /^\.\/core-preload$/, replacement: src('core-preload.single.ts') },
    ],
  },
  plugins: [viteSingleFile({ outputFileName: SINGLE_FILE_NAME }), singleFileCsp(SINGLE_FILE_NAME)],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: false,
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
  },
});
