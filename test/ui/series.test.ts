// The detector charts' data: SYNs binned per second, PORTSCAN columns in time order.
import { describe, expect, it } from 'vitest';
import type { DetectorSeries } from '../../src/shared/protocol';
import { portscanColumns, seriesOrigin, synBins } from '../../src/ui/series';

function series(detector: DetectorSeries['detector'], tsUs: number[], value: number[]): DetectorSeries {
  return { detector, tsUs: Float64Array.from(tsUs), value: Float64Array.from(value), threshold: 100, windowS: 60, truncated: false };
}

describe('synBins', () => {
  it('counts SYN points per 1-s bin from the origin, empty bins kept', () => {
    const t0 = 1_700_000_000e6;
    const s = series('SYNFLOOD', [t0, t0 + 0.2e6, t0 + 0.999e6, t0 + 1e6, t0 + 3.5e6], [1, 2, 3, 4, 5]);
    const b = synBins(s, seriesOrigin(s.tsUs, 0));
    expect(b.binS).toBe(1);
    expect(b.x).toEqual([0, 1, 2, 3]);
    expect(b.count).toEqual([3, 1, 0, 1]);
    expect(b.inWindow).toEqual([3, 4, null, 5]);
    expect(b.peak).toBe(3);
  });

  it('takes the window count of the latest SYN of a bin even when points are out of order', () => {
    const s = series('SYNFLOOD', [0.5e6, 0.1e6, 0.9e6, 0.3e6], [7, 1, 9, 2]);
    const b = synBins(s, 0);
    expect(b.count).toEqual([4]);
    expect(b.inWindow).toEqual([9]);
  });

  it('widens bins to whole seconds when the span needs more than maxBins', () => {
    const ts = [0, 5e6, 10e6, 99e6];
    const b = synBins(series('SYNFLOOD', ts, [1, 2, 3, 4]), 0, 10);
    expect(b.binS).toBe(10);
    expect(b.x.length).toBeLessThanOrEqual(10);
    expect(b.count.reduce((x, y) => x + y, 0)).toBe(ts.length);
    expect(b.count[0]).toBe(2);
    expect(b.count[b.count.length - 1]).toBe(1);
  });

  it('returns no bins for an empty series', () => {
    expect(synBins(series('SYNFLOOD', [], []), 0).x).toEqual([]);
  });
});

describe('portscanColumns', () => {
  it('sorts probes by time, x in seconds since the origin, the threshold as a constant line', () => {
    const s = series('PORTSCAN', [3e6, 1e6, 2e6], [3, 1, 2]);
    const origin = seriesOrigin(s.tsUs, NaN);
    expect(origin).toBe(1e6);
    expect(portscanColumns(s, origin)).toEqual([[0, 1, 2], [1, 2, 3], [100, 100, 100]]);
  });

  it('falls back to the given origin without points', () => {
    expect(seriesOrigin(new Float64Array(0), 42)).toBe(42);
  });
});
