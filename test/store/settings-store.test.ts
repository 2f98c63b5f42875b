// Restoring saved settings: whatever was stored is merged onto the defaults, never trusted.
import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/rules/options';
import { RECORD_VERSION, restoreSettings } from '../../src/store/settings-store';

describe('restoreSettings', () => {
  it('restores stored options and editor texts', () => {
    const o = defaultOptions();
    o.rules.portscan.threshold = 25;
    o.limits.zscore.enabled = true;
    const r = restoreSettings({ version: RECORD_VERSION, options: o, blacklistText: '# mine\n192.0.2.1', servicesText: 'tcp/80', savedAtMs: 1 }, defaultOptions());
    expect(r.options.rules.portscan.threshold).toBe(25);
    expect(r.options.limits.zscore.enabled).toBe(true);
    expect(r.blacklistText).toBe('# mine\n192.0.2.1');
    expect(r.servicesText).toBe('tcp/80');
    expect(r.problems).toEqual([]);
  });

  it('reports unknown keys and another version, and keeps the rest', () => {
    const d = defaultOptions();
    const r = restoreSettings({ version: 99, options: { zscore: { window: 50, bogus: 1 } } }, defaultOptions());
    expect(r.options.zscore.window).toBe(50);
    expect(r.options.zscore.threshold).toBe(d.zscore.threshold);
    expect(r.problems.some((p) => p.includes('version 99'))).toBe(true);
    expect(r.problems.some((p) => p.startsWith('zscore.bogus'))).toBe(true);
    // No editor text stored: rebuilt from the merged lists.
    expect(r.servicesText).toBe(d.rules.unusual.normal.join('\n'));
  });

  it('treats garbage as nothing stored', () => {
    for (const junk of [null, 42, 'x', []]) {
      const r = restoreSettings(junk, defaultOptions());
      expect(r.options).toEqual(defaultOptions());
    }
  });
});
