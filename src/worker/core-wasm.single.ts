// The single-file build's core source (vite.single.config.ts aliases ./core-wasm to this module):
// build/core.wasm is inlined into the worker's code as a base64 data: URL string and compiled from
// its bytes, so nothing is fetched (the page's CSP allows no connection at all; compiling WASM from
// bytes needs script-src 'wasm-unsafe-eval' only).
import coreDataUrl from '../../build/core.wasm?url&inline';

/** Decodes the inlined core and compiles it. Rejects when the string is not a base64 data: URL
 *  (a build that did not inline it) or the bytes do not compile. */
export function compileCore(): Promise<WebAssembly.Module> {
  const comma = coreDataUrl.indexOf(',');
  if (!coreDataUrl.startsWith('data:') || !coreDataUrl.slice(0, comma).endsWith(';base64')) {
    return Promise.reject(new Error('the WASM core was not inlined as a base64 data: URL'));
  }
  const binary = atob(coreDataUrl.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return WebAssembly.compile(bytes);
}
