// The alert rate limiter against a brute-force reference of its documented rule (src/worker/
// limiter.ts), on random in-order and out-of-order alert times; plus per-detector isolation.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';
import { DetectorLimits, RateLimiter } from '../../src/worker/limiter';
import { rng } from '../helpers/rng';

/** The rule, literally: judging time e_i = max(t_0..t_i); report iff fewer than `max` earlier
 *  reported alerts have e_j > e_i - W. O(n^2). */
function reference(times: number[], max: number, perS: number): boolean[] {
  const w = perS * 1e6;
  const eff: number[] = [];
  const out: boolean[] = [];
  let mark = -Infinity;
  times.forEach((t, i) => {
    mark = Math.max(mark, t);
    eff.push(mark);
    let n = 0;
    for (let j = 0; j < i; j++) if (out[j] && eff[j] > mark - w) n++;
    out.push(n < max);
  });
  return out;
}

function run(times: number[], max: number, perS: number): boolean[] {
  const l = new RateLimiter(max, perS);
  return times.map((t) => l.admit(t));
}

/** Random alert times (µs): bursts, gaps, duplicates; `jitterS` > 0 makes them out of order. */
function times(r: () => number, n: number, jitterS: number): number[] {
  const out: number[] = [];
  let t = 1.7e15;
  for (let i = 0; i < n; i++) {
    const k = r();
    t += k < 0.5 ? 0 : k < 0.8 ? r() * 2e6 : k < 0.95 ? r() * 30e6 : r() * 300e6;
    out.push(Math.round(t - r() * jitterS * 1e6));
  }
  return out;
}

describe('RateLimiter', () => {
  it('matches the brute-force rule on random in-order alerts', () => {
    const r = rng(1);
    for (let trial = 0; trial < 200; trial++) {
      const max = 1 + Math.floor(r() * 12);
      const perS = [0.5, 1, 10, 60, 300][Math.floor(r() * 5)];
      const ts = times(r, 300, 0).sort((a, b) => a - b);
      expect(run(ts, max, perS)).toEqual(reference(ts, max, perS));
    }
  });

  it('matches the brute-force rule on out-of-order alerts (judged at the watermark)', () => {
    const r = rng(2);
    for (let trial = 0; trial < 200; trial++) {
      const max = 1 + Math.floor(r() * 12);
      const perS = [1, 10, 60][Math.floor(r() * 3)];
      const ts = times(r, 300, 90);
      expect(run(ts, max, perS)).toEqual(reference(ts, max, perS));
    }
  });

  it('in time order: never more than max reported in any perS window, and only suppresses when full', () => {
    const r = rng(3);
    const ts = times(r, 5000, 0).sort((a, b) => a - b);
    const ok = run(ts, 10, 60);
    const reported = ts.filter((_, i) => ok[i]);
    for (let i = 0; i < reported.length; i++) {
      let n = 0;
      for (let j = i; j < reported.length && reported[j] < reported[i] + 60e6; j++) n++;
      expect(n).toBeLessThanOrEqual(10);
    }
    ts.forEach((t, i) => {
      if (ok[i]) return;
      expect(reported.filter((x) => x > t - 60e6 && x <= t).length).toBe(10);
    });
    expect(ok.filter((x) => !x).length).toBeGreaterThan(0);
  });

  it('a late alert does not reopen a passed window', () => {
    const l = new RateLimiter(1, 10);
    expect(l.admit(100e6)).toBe(true);
    expect(l.admit(50e6)).toBe(false); // judged at 100 s, where the window is full
    expect(l.admit(110e6)).toBe(true); // 100 s is exactly one window back: out
  });

  it('grows its ring past the initial size for large limits', () => {
    const ts = Array.from({ length: 1000 }, (_, i) => i * 1000);
    expect(run(ts, 500, 60)).toEqual(reference(ts, 500, 60));
  });
});

describe('DetectorLimits', () => {
  it('limits only enabled detectors, each on its own', () => {
    const lim = new DetectorLimits({ ...DEFAULT_OPTIONS.limits, portscan: { enabled: true, max: 2, perS: 60 } });
    const flow = Array.from({ length: 15 }, (_, i) => lim.admit(abi.DET_FLOWRULE, i * 1e6));
    const scan = Array.from({ length: 5 }, (_, i) => lim.admit(abi.DET_PORTSCAN, i * 1e6));
    const z = Array.from({ length: 50 }, (_, i) => lim.admit(abi.DET_ZSCORE, i * 1e6));
    expect(flow.filter(Boolean).length).toBe(10); // default: 10 per 60 s
    expect(scan).toEqual([true, true, false, false, false]);
    expect(z.every(Boolean)).toBe(true); // off by default
  });
});
