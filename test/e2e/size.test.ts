// The built page stays under its bundle budget (test/bench/size.ts, README "Bundle size"): the
// gzip size of the hosted site's JS, CSS, WASM and HTML in dist/, and of the single file
// dist/flowlens.html. Runs in the browser-test step, after `npm run build`.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { BUNDLE_BUDGET_BYTES, budgetedGzipBytes, bundleSizes, singleFileRow } from '../bench/size';
import { ROOT } from './harness';

describe('bundle size', () => {
  it('JS + CSS + WASM + HTML of dist/, gzip, are within the budget; every kind is there', () => {
    const rows = bundleSizes(join(ROOT, 'dist'));
    for (const kind of ['js', 'css', 'wasm', 'html'] as const) expect(rows.some((r) => r.kind === kind), kind).toBe(true);
    expect(rows.some((r) => r.file.endsWith('.map'))).toBe(false);
    const total = budgetedGzipBytes(rows);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
    // The single file is not counted in the hosted site's total.
    const single = singleFileRow(rows);
    expect(single?.file).toBe('flowlens.html');
    expect(total).toBeLessThan(rows.filter((r) => r.kind !== 'other').reduce((s, r) => s + r.gzipBytes, 0));
  });

  it('the single file, gzip, is within the same budget and holds the WASM core (base64: larger than the hosted core)', () => {
    const rows = bundleSizes(join(ROOT, 'dist'));
    const single = singleFileRow(rows);
    const wasm = rows.find((r) => r.kind === 'wasm');
    expect(single).toBeDefined();
    expect(wasm).toBeDefined();
    expect(single!.bytes).toBeGreaterThan((wasm!.bytes * 4) / 3);
    expect(single!.gzipBytes).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });
});
