// The SPIKE, LATENCY and PROTOSHIFT chart columns (src/ui/series.ts): time order, gaps for NaN
// baselines and thresholds, flagged points, and the PROTOSHIFT stack of class shares in percent.
import { describe, expect, it } from 'vitest';
import type { DetectorSeries } from '../../src/shared/protocol';
import { latencyColumns, shareColumns, spikeColumns } from '../../src/ui/series';
import { decodeProtocolShares } from '../../src/worker/protocol-shares';
import { rng } from '../helpers/rng';

const f = (a: number[]) => Float64Array.from(a);

describe('spikeColumns', () => {
  it('sorts windows by start, turns NaN baselines into gaps, marks flagged windows with their rate', () => {
    const s: DetectorSeries = {
      detector: 'SPIKE',
      tsUs: f([20e6, 0, 10e6]),
      value: f([900, 100, 120]),
      mean: f([110, NaN, 100]),
      medium: f([300, NaN, NaN]),
      high: f([NaN, NaN, NaN]),
      flagged: Uint8Array.from([1, 0, 0]),
      threshold: 300,
      windowS: 10,
      truncated: false,
    };
    const [x, v, m, med, high, flag] = spikeColumns(s, 0);
    expect(x).toEqual([0, 10, 20]);
    expect(v).toEqual([100, 120, 900]);
    expect(m).toEqual([null, 100, 110]);
    expect(med).toEqual([null, null, 300]);
    expect(high).toEqual([null, null, null]);
    expect(flag).toEqual([null, null, 900]);
  });
});

describe('latencyColumns', () => {
  it('splits flagged samples by level (1 above MEDIUM, 2 above HIGH) and keeps the thresholds per sample', () => {
    const s: DetectorSeries = {
      detector: 'LATENCY',
      tsUs: f([1e6, 2e6, 3e6, 4e6]),
      value: f([30, 31, 50, 90]),
      mean: f([NaN, 30, 30.1, 32]),
      std: f([NaN, 0, 0.5, 5]),
      medium: f([NaN, NaN, 45, 48]),
      high: f([NaN, NaN, 60.2, 64]),
      flagged: Uint8Array.from([0, 0, 1, 2]),
      threshold: 64,
      windowS: 0,
      truncated: false,
    };
    const [x, v, m, med, high, above, aboveHigh] = latencyColumns(s, 1e6);
    expect(x).toEqual([0, 1, 2, 3]);
    expect(v).toEqual([30, 31, 50, 90]);
    expect(m).toEqual([null, 30, 30.1, 32]);
    expect(med).toEqual([null, null, 45, 48]);
    expect(high).toEqual([null, null, 60.2, 64]);
    expect(above).toEqual([null, null, 50, null]);
    expect(aboveHigh).toEqual([null, null, null, 90]);
  });
});

describe('shareColumns', () => {
  /** A PROTOSHIFT series from random class shares per window and one service flagged in window 2. */
  function randomSeries(seed: number, windows: number) {
    const r = rng(seed);
    const truth: number[][] = [];
    const tsUs: number[] = [], size: number[] = [], mean: number[] = [], flags: number[] = [], rec: number[] = [];
    const svc = (17 << 16) | 53;
    for (let w = 0; w < windows; w++) {
      const raw = Array.from({ length: 5 }, () => r());
      const sum = raw.reduce((a, b) => a + b, 0);
      truth.push(raw.map((x) => x / sum));
      for (let c = 0; c < 5; c++) {
        tsUs.push(w * 10e6); size.push(truth[w][c]); mean.push(w < 3 ? NaN : 0.2); flags.push(1 | (c << 8)); rec.push(0);
      }
      tsUs.push(w * 10e6); size.push(0.5); mean.push(w < 3 ? NaN : 0.1); flags.push(1 | (w === 4 ? 2 : 0) | (5 << 8)); rec.push(svc);
    }
    const z = tsUs.map(() => 100);
    const shares = decodeProtocolShares({ tsUs, size, mean, std: mean, z, flags, recordIndex: rec }, 10, false);
    const s: DetectorSeries = { detector: 'PROTOSHIFT', tsUs: shares.tsUs, value: shares.shares[5], shares, focus: 5, threshold: 30, windowS: 10, truncated: false };
    return { s, truth };
  }

  it('stacks the five class shares (running sums in %), the top one 100 in every window', () => {
    const { s, truth } = randomSeries(3, 8);
    const d = shareColumns(s, 0);
    expect(d.classes).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other']);
    expect(d.x).toEqual([0, 10, 20, 30, 40, 50, 60, 70]);
    for (let w = 0; w < 8; w++) {
      let run = 0;
      for (let c = 0; c < 5; c++) {
        run += truth[w][c] * 100;
        expect(d.stacked[c][w]).toBeCloseTo(run, 9);
      }
      expect(d.stacked[4][w]).toBeCloseTo(100, 9);
    }
  });

  it('gives the flagged row its share, its baseline (gaps in warm-up) and the flagged windows', () => {
    const { s } = randomSeries(4, 6);
    const d = shareColumns(s, 0);
    expect(d.focusLabel).toBe('UDP/53');
    expect(d.focus).toEqual([50, 50, 50, 50, 50, 50]);
    expect(d.baseline).toEqual([null, null, null, 10, 10, 10]);
    expect(d.flagged).toEqual([null, null, null, null, 50, null]);
  });

  it('has null focus columns when the alert names no row of the trace', () => {
    const { s } = randomSeries(5, 3);
    const d = shareColumns({ ...s, focus: -1 }, 0);
    expect(d.focusLabel).toBe('');
    expect(d.focus).toEqual([null, null, null]);
    expect(d.stacked.length).toBe(5);
  });
});
