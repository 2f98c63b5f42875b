// `npm run size`: the page's bundle as a visitor downloads it — every file of dist/ except source
// maps (HTML, JS, CSS, WASM, the sample), raw and compressed with gzip (level 9) and brotli — and
// the total gzip size against BUNDLE_BUDGET_BYTES (issue #5: "the bundle size (JS, CSS and WASM,
// compressed) is reported by a script and kept under a budget written in the README"). Exits 1
// over budget. Run after `npm run build`; test/e2e/size.test.ts checks the budget on every
// `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Budget for the gzip-compressed JS + CSS + WASM + HTML of dist/ (the sample capture excluded). */
export const BUNDLE_BUDGET_BYTES = 300 * 1024;

export interface SizeRow {
  file: string;
  kind: 'js' | 'css' | 'wasm' | 'html' | 'other';
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
}

function kindOf(file: string): SizeRow['kind'] {
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
          kind: kindOf(name),
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

/** gzip bytes of what the budget counts (JS, CSS, WASM, HTML). */
export function budgetedGzipBytes(rows: readonly SizeRow[]): number {
  return rows.filter((r) => r.kind !== 'other').reduce((s, r) => s + r.gzipBytes, 0);
}

function main(): void {
  const dist = resolve(new URL('../../dist', import.meta.url).pathname);
  const rows = bundleSizes(dist);
  const kib = (n: number) => (n / 1024).toFixed(1).padStart(8);
  console.log(`${'file'.padEnd(40)} ${'raw KiB'.padStart(8)} ${'gzip'.padStart(8)} ${'brotli'.padStart(8)}`);
  for (const r of rows) console.log(`${r.file.padEnd(40)} ${kib(r.bytes)} ${kib(r.gzipBytes)} ${kib(r.brotliBytes)}`);
  const total = budgetedGzipBytes(rows);
  const ok = total <= BUNDLE_BUDGET_BYTES;
  console.log(`JS + CSS + WASM + HTML, gzip: ${(total / 1024).toFixed(1)} KiB of a ${(BUNDLE_BUDGET_BYTES / 1024).toFixed(0)} KiB budget: ${ok ? 'within' : 'OVER'}`);
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) main();
