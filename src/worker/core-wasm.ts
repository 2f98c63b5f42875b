// Where the worker gets the WASM core from, in the hosted build (dist/): the page compiles it while
// the worker starts (src/core-preload.ts) and posts the module; this waits for that one message.
// The single-file build (vite.single.config.ts) swaps this module for core-wasm.single.ts, which
// carries the bytes inline.
import type { CoreModuleMessage } from './core-status';

/** Resolves with the core module the page posts; rejects with the page's error when its fetch or
 *  compilation failed. */
export function compileCore(): Promise<WebAssembly.Module> {
  return new Promise((resolve, reject) => {
    const onMessage = (e: MessageEvent<Partial<CoreModuleMessage> | null>) => {
      const d = e.data;
      if (!d || typeof d !== 'object') return;
      if ('flowlensCoreModule' in d && d.flowlensCoreModule instanceof WebAssembly.Module) resolve(d.flowlensCoreModule);
      else if ('flowlensCoreError' in d) reject(new Error(`the page could not load the WASM core: ${d.flowlensCoreError}`));
      else return;
      self.removeEventListener('message', onMessage);
    };
    self.addEventListener('message', onMessage);
  });
}
