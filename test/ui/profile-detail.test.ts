// The texts of the PROFILE detail table (src/ui/profile-detail.ts; the DOM part is exercised by the
// page): the connection's value per feature with its unit, and the source's baseline as a typical
// value with its ±1σ range (numeric features, log1p space) or a count and share (categorical).
import { describe, expect, it } from 'vitest';
import { featureBaselineText, featureValueText } from '../../src/ui/profile-detail';
import type { ProfileFeature } from '../../src/shared/protocol';

const f = (x: Partial<ProfileFeature> & Pick<ProfileFeature, 'feature' | 'value'>): ProfileFeature => ({
  typical: 0, baselineMean: 0, baselineStd: 0, z: 0, p: 1, score: 0, ...x,
});

describe('profile detail texts', () => {
  it('shows the connection value with its unit', () => {
    expect(featureValueText(f({ feature: 'origBytes', value: 12345 }))).toBe('12,345 B');
    expect(featureValueText(f({ feature: 'duration', value: 0.04567 }))).toBe('0.0457 s');
    expect(featureValueText(f({ feature: 'packets', value: 7 }))).toBe('7');
    expect(featureValueText(f({ feature: 'connsPerMinute', value: 635.2 }))).toBe('635/min');
    expect(featureValueText(f({ feature: 'service', value: 22, label: 'tcp/22' }))).toBe('tcp/22');
    expect(featureValueText(f({ feature: 'hour', value: 3 }))).toBe('03:00');
    expect(featureValueText(f({ feature: 'day', value: 0 }))).toBe('Sun');
  });

  it('shows the baseline: typical value and ±1σ range, or count and share', () => {
    const m = Math.log1p(420);
    expect(featureBaselineText(f({ feature: 'origBytes', value: 1, typical: 420, baselineMean: m, baselineStd: 0.5 }), 100)).toBe(
      `typical 420 B (±1σ: ${Math.round(Math.expm1(m - 0.5))}–${Math.round(Math.expm1(m + 0.5))}; log1p ${m.toFixed(2)} ± 0.50)`,
    );
    expect(featureBaselineText(f({ feature: 'service', value: 22, typical: 0 }), 300)).toBe('never');
    expect(featureBaselineText(f({ feature: 'service', value: 443, typical: 270, baselineMean: 0.9 }), 300)).toBe('270 of 300 (90 %)');
    expect(featureBaselineText(f({ feature: 'hour', value: 3, typical: 6, baselineMean: 0.02 }), 300)).toBe('6 of 300 (2.0 %)');
    expect(featureBaselineText(f({ feature: 'newSource', value: 1 }), 0)).toBe('not seen while learning');
  });
});
