// The built page stays under its bundle budget (test/bench/size.ts, README "Bundle size"): the
// gzip size of dist/'s JS, CSS, WASM and HTML. Runs in the browser-test step, after `npm run build`.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { BUNDLE_BUDGET_BYTES, budgetedGzipBytes, bundleSizes } from '../bench/size';
import { ROOT } from './harness';

describe('bundle size', () => {
  it('JS + CSS + WASM + HTML of dist/, gzip, are within the budget; every kind is there', () => {
    const rows = bundleSizes(join(ROOT, 'dist'));
    for (const kind of ['js', 'css', 'wasm', 'html'] as const) expect(rows.some((r) => r.kind === kind), kind).toBe(true);
    expect(rows.some((r) => r.file.endsWith('.map'))).toBe(false);
    const total = budgetedGzipBytes(rows);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(BUNDLE_BUDGET_BYTES);
  });
});
