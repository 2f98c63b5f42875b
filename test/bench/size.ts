// `npm run size`: the page's bundle as a visitor downloads it — every file of dist/ except source
// maps (HTML, JS, CSS, WASM, the service worker, the sample), raw and compressed with gzip (level 9)
// and brotli — and the total gzip size against BUNDLE_BUDGET_BYTES (issue #5: "the bundle size (JS,
// CSS and WASM, compressed) is reported by a script and kept under a budget written in the
// README"). The single self-contained dist/flowlens.html (kind 'single': everything inlined, the
// WASM core as base64) is reported on its own line and held to the same budget. Exits 1 over
// budget. Run after `npm run build` (`npm run load` times the page load: test/bench/load.ts);
// test/e2e/size.test.ts checks the budgets on every `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Budget for the gzip-compressed JS + CSS + WASM + HTML of the hosted site in dist/ (the sample
 *  capture excluded), and separately for the gzip-compressed single file dist/flowlens.html. */
export const BUNDLE_BUDGET_BYTES = 300 * 1024;

export interface SizeRow {
  file: string;
  /** 'single': dist/flowlens.html, the self-contained build (not part of the hosted site). */
  kind: 'js' | 'css' | 'wasm' | 'html' | 'single' | 'other';
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

/** The single-file build's name in dist/ (vite.single.config.ts). */
export const SINGLE_FILE = 'flowlens.html';

function kindOf(file: string): SizeRow['kind'] {
  if (file === SINGLE_FILE) return 'single';
  const ext = file.slice(file.lastIndexOf('.') + 1);
  return ext === 'js' || ext === 'css' || ext === 'wasm' || ext === 'html' ? ext : 'other';
}

/** Every file under `dist` but source maps, with its compressed sizes. Throws when dist/ is missing. */
export function bundleSizes(dist: string): SizeRow[] {
  const rows: SizeRow[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (!name.endsWith('.map')) {
        const b = readFileSync(path);
        rows.push({
          file: relative(dist, path),
          kind: kindOf(relative(dist, path)),
          bytes: b.length,
          gzipBytes: gzipSync(b, { level: 9 }).length,
          brotliBytes: brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
        });
      }
    }
  };
  walk(dist);
  return rows.sort((a, b) => b.gzipBytes - a.gzipBytes);
}

/** gzip bytes of what the hosted site's budget counts (JS, CSS, WASM, HTML; not the single file). */
export function budgetedGzipBytes(rows: readonly SizeRow[]): number {
  return rows.filter((r) => r.kind !== 'other' && r.kind !== 'single').reduce((s, r) => s + r.gzipBytes, 0);
}

/** The single file's row, or undefined when dist/ has none. */
export function singleFileRow(rows: readonly SizeRow[]): SizeRow | undefined {
  return rows.find((r) => r.kind === 'single');
}

function main(): void {
  const dist = resolve(new URL('../../dist', import.meta.url).pathname);
  const all = bundleSizes(dist);
  const rows = all.filter((r) => r.kind !== 'single');
  const kib = (n: number) => (n / 1024).toFixed(1).padStart(8);
  console.log(`${'file'.padEnd(40)} ${'raw KiB'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
  for (const r of rows) console.log(`${r.file.padEnd(40)} ${kib(r.bytes)} ${kib(r.gzipBytes)} ${kib(r.brotliBytes)}`);
  const total = budgetedGzipBytes(rows);
  const ok = total <= BUNDLE_BUDGET_BYTES;
  console.log(`hosted site, JS + CSS + WASM + HTML, gzip: ${(total / 1024).toFixed(1)} KiB of a ${(BUNDLE_BUDGET_BYTES / 1024).toFixed(0)} KiB budget: ${ok ? 'within' : 'OVER'}`);
  const single = singleFileRow(all);
  let singleOk = false;
  if (!single) console.log(`${SINGLE_FILE}: missing (run \`npm run build\`)`);
  else {
    singleOk = single.gzipBytes <= BUNDLE_BUDGET_BYTES;
    console.log(`${single.file.padEnd(40)} ${kib(single.bytes)} ${kib(single.gzipBytes)} ${kib(single.brotliBytes)}`);
    console.log(`single file (everything inlined), gzip: ${(single.gzipBytes / 1024).toFixed(1)} KiB of a ${(BUNDLE_BUDGET_BYTES / 1024).toFixed(0)} KiB budget: ${singleOk ? 'within' : 'OVER'}`);
  }
  if (!ok || !singleOk) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
