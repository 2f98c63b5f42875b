// Vite plugins of Flowlens's two builds (vite.config.ts: the hosted site; vite.single.config.ts:
// dist/flowlens.html):
// - offlineServiceWorker(): emits dist/sw.js, the precaching service worker, listing every file the
//   hosted build writes (source maps excepted) and the public/ files.
// - devInlineStyles(): lets `npm run dev` apply Vite's injected <style> elements;
// - singleFileCsp(): after vite-plugin-singlefile has inlined everything, checks that flowlens.html
//   references no file and rewrites its CSP meta for a page opened from disk: sha256 hash sources
//   for its inline script(s) and style(s), the worker from blob: only, no connection at all.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { serviceWorkerSource, type PrecacheFile } from './service-worker';

/** The CSP meta of index.html: group 1 up to the content's opening quote, group 2 its closing quote. */
const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/i;

/** Dev server only: Vite injects the CSS as <style> elements there, so style-src gets
 *  'unsafe-inline' in `npm run dev`; the builds keep style-src 'self' (hosted) or hashes (single). */
export function devInlineStyles(): Plugin {
  return {
    name: 'flowlens:dev-inline-styles',
    apply: 'serve',
    transformIndexHtml(html) {
      return html.replace(CSP_META, (_m, open: string, close: string) => `${open}${_m.slice(open.length, -close.length).replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")}${close}`);
    },
  };
}

/** Emits sw.js (scripts/service-worker.ts) into the build's root. */
export function offlineServiceWorker(): Plugin {
  let publicDir = '';
  return {
    name: 'flowlens:offline-service-worker',
    apply: 'build',
    configResolved(config) {
      publicDir = config.publicDir;
    },
    generateBundle: {
      order: 'post',
      handler(_options, bundle) {
        const files: PrecacheFile[] = [];
        for (const [fileName, out] of Object.entries(bundle)) {
          if (fileName.endsWith('.map')) continue;
          files.push({ path: fileName, bytes: out.type === 'chunk' ? out.code : out.source });
        }
        if (publicDir && existsSync(publicDir)) {
          const walk = (dir: string): void => {
            for (const name of readdirSync(dir)) {
              const path = join(dir, name);
              if (statSync(path).isDirectory()) walk(path);
              else files.push({ path: relative(publicDir, path).split(sep).join('/'), bytes: readFileSync(path) });
            }
          };
          walk(publicDir);
        }
        if (!files.some((f) => f.path === 'index.html')) this.error('offlineServiceWorker: the build has no index.html');
        this.emitFile({ type: 'asset', fileName: 'sw.js', source: serviceWorkerSource(files) });
      },
    },
  };
}

/** `'sha256-…'` CSP hash source of `text` (its UTF-8 bytes, as browsers hash an inline element). */
export function cspHashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** The CSP of the single file, given the hash sources of its inline scripts and styles. */
export function singleFileCspPolicy(scriptHashes: readonly string[], styleHashes: readonly string[]): string {
  return [
    "default-src 'none'",
    `script-src ${[...scriptHashes, "'wasm-unsafe-eval'"].join(' ')}`,
    'worker-src blob:',
    "connect-src 'none'",
    'img-src data:',
    `style-src ${styleHashes.length ? styleHashes.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Rewrites the CSP meta of a single-file page (see singleFileCspPolicy). Throws when the page
 *  still references a script, stylesheet or preload by URL, has no CSP meta, or an inline element
 *  holds a carriage return (the HTML parser would change it and the hash would not match). */
export function applySingleFileCsp(html: string): string {
  const external = /<script\b[^>]*\bsrc\s*=|<link\b[^>]*\brel\s*=\s*"?(?:stylesheet|modulepreload|preload)\b/i.exec(html);
  if (external) throw new Error(`single file still references a file: ${external[0]}`);
  const inline = (tag: string) =>
    [...html.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'gi'))].map((m) => {
      if (m[1].includes('\r')) throw new Error(`an inline <${tag}> holds a carriage return`);
      return cspHashSource(m[1]);
    });
  const scripts = inline('script');
  const styles = inline('style');
  if (!CSP_META.test(html)) throw new Error('single file has no Content-Security-Policy meta');
  return html.replace(CSP_META, (_m, open: string, close: string) => `${open}${singleFileCspPolicy(scripts, styles)}${close}`);
}

/** Runs applySingleFileCsp on `fileName` of the output directory once it is written. */
export function singleFileCsp(fileName: string): Plugin {
  let outDir = '';
  return {
    name: 'flowlens:single-file-csp',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    // A provisional policy with placeholder hashes, so that vite-plugin-singlefile's CSP check
    // sees that inline code is meant to be allowed; writeBundle puts the real hashes in.
    transformIndexHtml: {
      order: 'pre',
      handler(html) {
        const pending = ["'sha256-pending'"];
        return html.replace(CSP_META, (_m, open: string, close: string) => `${open}${singleFileCspPolicy(pending, pending)}${close}`);
      },
    },
    writeBundle() {
      const path = join(outDir, fileName);
      writeFileSync(path, applySingleFileCsp(readFileSync(path, 'utf8')));
    },
  };
}
