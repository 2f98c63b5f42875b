// Offline after the first visit (hosted build only): registers the service worker that
// scripts/service-worker.ts generates into dist/sw.js at build time. It precaches every file of
// the build and serves them cache-first, so the page loads and analyses with no network.
//
// Updates: each build has its own cache (named by a hash of the files). On a visit while online the
// browser re-checks sw.js; a changed one precaches the new files in the background, then takes
// over at once and deletes the old cache. The open tab keeps the code it already runs (the worker
// and the WASM core are loaded at start); the new version is what the next load shows.

/** Registers ./sw.js (scope: the page's directory) when the page is served over http(s) by a
 *  browser that has service workers in a secure context; a no-op otherwise (file://, plain http to
 *  another host). A failed registration only costs offline use: it is reported on the console. */
export function registerOfflineWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  if (location.protocol !== 'https:' && location.protocol !== 'http:') return;
  const register = () => {
    navigator.serviceWorker.register('./sw.js', { scope: './' }).catch((e: unknown) => {
      console.warn('Flowlens: offline use is unavailable (service worker not registered):', e);
    });
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}
