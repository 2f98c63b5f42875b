// slidingCount (src/worker/service.ts): the exact sliding count behind the low-and-slow SYNFLOOD
// chart, against a direct count.
import { describe, expect, it } from 'vitest';
import { slidingCount } from '../../src/worker/service';
import { rng } from '../helpers/rng';

describe('slidingCount', () => {
  it('counts the points in (t - W, t] for every point, in any order, ties included', () => {
    const r = rng(5);
    for (let rep = 0; rep < 20; rep++) {
      const n = 1 + Math.floor(r() * 300);
      const ts = Float64Array.from({ length: n }, () => Math.floor(r() * 50) * 100_000); // ties and order
      const w = 0.5 + Math.floor(r() * 4);
      const got = slidingCount(ts, w);
      for (let i = 0; i < n; i++) {
        let c = 0;
        for (let j = 0; j < n; j++) if (ts[j] > ts[i] - w * 1e6 && ts[j] <= ts[i]) c++;
        expect(got[i]).toBe(c);
      }
    }
    expect(slidingCount(new Float64Array(0), 60)).toEqual(new Float64Array(0));
  });
});
