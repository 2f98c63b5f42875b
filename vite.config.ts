// Vite build of the hosted page (index.html → dist/): relative base so dist/ works from any path,
// ES module workers, ES2022 output. The WASM core is an asset the worker fetches by URL
// (src/worker/core-wasm.ts). dist/sw.js, the offline service worker, is generated with the list of
// the built files (scripts/build-plugins.ts). The single self-contained dist/flowlens.html is a
// second build: vite.single.config.ts (`npm run build` runs both).
import { defineConfig } from 'vite';
import { devInlineStyles, offlineServiceWorker } from './scripts/build-plugins';

export default defineConfig({
  base: './',
  assetsInclude: ['**/*.wasm'],
  worker: { format: 'es' },
  plugins: [offlineServiceWorker(), devInlineStyles()],
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // The .wasm core must stay a file (streamed with the right MIME type), never a data: URL.
    assetsInlineLimit: (file) => (file.endsWith('.wasm') ? false : undefined),
    sourcemap: true,
  },
  // Pre-bundle the worker's dependencies up front: found late, they make the dev server reload the
  // page in the middle of the first analysis.
  optimizeDeps: { include: ['comlink', 'uplot', 'ipaddr.js', 'papaparse', '@streamparser/json'] },
  server: { port: 5173 },
  preview: { port: 5173 },
});
