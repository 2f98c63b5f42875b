// Per-source profiles (src/ml/source-profile.ts): Welford, the service sketch's bounds, the rate
// tracker's windows, the tail probabilities and their combination, and the statistical score of
// planted deviations against a generated office client.
import { describe, expect, it } from 'vitest';
import {
  CMS_WIDTH,
  combineTails,
  erfc,
  RateTracker,
  rateSinkOf,
  scoreConnection,
  ServiceCounts,
  SourceProfile,
  surprise,
  TOP_K_PORTS,
  Welford,
  DISTINCT_DST_CAP,
  type LiveRates,
} from '../../src/ml/source-profile';
import { dayOfWeek, hourOfDay } from '../../src/ml/connection';
import { rng } from '../helpers/rng';
import { conn, HOUR_US, officeClient, T0_US } from './gen';

/** A profile learnt from `conns` (one source) with its tracker, as baseline-model.ts does. */
function profileOf(conns: ReturnType<typeof officeClient>): SourceProfile {
  const p = new SourceProfile();
  const t = new RateTracker();
  const sink = rateSinkOf(p);
  const rates: LiveRates = { connsPerMinute: 0, dstsPerHour: 0 };
  for (const c of conns) {
    t.observe(c, rates, sink);
    p.update(c);
  }
  t.flush(sink);
  return p;
}

describe('Welford', () => {
  it('matches the two-pass mean and sample variance', () => {
    const r = rng(1);
    const xs = Array.from({ length: 1000 }, () => 1e6 + r() * 10);
    const w = new Welford();
    xs.forEach((x) => w.add(x));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    expect(Math.abs(w.mean - mean) / mean).toBeLessThan(1e-12);
    expect(Math.abs(w.variance() - v) / v).toBeLessThan(1e-9);
    expect(new Welford().std()).toBe(0);
  });
});

describe('calendar bins (UTC)', () => {
  it('agree with Date', () => {
    const r = rng(2);
    for (let i = 0; i < 200; i++) {
      const ms = Math.floor(r() * 4e12) - 1e12;
      const d = new Date(ms);
      expect(hourOfDay(ms * 1000)).toBe(d.getUTCHours());
      expect(dayOfWeek(ms * 1000)).toBe(d.getUTCDay());
    }
  });
});

describe('ServiceCounts', () => {
  it('is exact while at most TOP_K_PORTS services were seen', () => {
    const s = new ServiceCounts();
    const exact = new Map<number, number>();
    const r = rng(3);
    for (let i = 0; i < 5000; i++) {
      const k = 6 * 65536 + Math.floor(r() * TOP_K_PORTS);
      s.add(k);
      exact.set(k, (exact.get(k) ?? 0) + 1);
    }
    expect(s.sketch).toBeNull();
    for (const [k, n] of exact) expect(s.estimate(k)).toBe(n);
    expect(s.estimate(17 * 65536 + 53)).toBe(0);
    expect(s.distinct()).toBe(TOP_K_PORTS);
  });

  it('keeps its bounds on a skewed stream of 600 services', () => {
    const s = new ServiceCounts();
    const exact = new Map<number, number>();
    const r = rng(4);
    const n = 20000;
    for (let i = 0; i < n; i++) {
      // Zipf-like: service rank ~ 1/u.
      const k = 6 * 65536 + Math.min(599, Math.floor(1 / (r() + 1 / 600)) - 1);
      s.add(k);
      exact.set(k, (exact.get(k) ?? 0) + 1);
    }
    expect(s.sketch).not.toBeNull();
    expect(s.counts.reduce((a, b) => a + b, 0)).toBe(n);
    let over = 0;
    for (const [k, c] of exact) {
      const e = s.estimate(k);
      expect(e).toBeGreaterThanOrEqual(c); // never undercounts
      if (e - c > (Math.E / CMS_WIDTH) * n) over++;
    }
    expect(over / exact.size).toBeLessThan(0.02); // ε·n with probability ≥ 1 − e^−4
    // Space-Saving: every service above n/k is in the table.
    for (const [k, c] of exact) if (c > n / TOP_K_PORTS) expect(s.keys).toContain(k);
    const d = s.distinct();
    expect(Math.abs(d - exact.size) / exact.size).toBeLessThan(0.1);
    // A service never seen is rarer than the most common one.
    expect(s.rarity(6 * 65536 + 9999).p).toBeLessThan(s.rarity(6 * 65536).p);
  });

  it('rates a new service by how often the source takes up new ones', () => {
    const fixed = new ServiceCounts();
    for (let i = 0; i < 1000; i++) fixed.add(6 * 65536 + 443);
    expect(fixed.rarity(6 * 65536 + 443).p).toBe(1);
    expect(fixed.rarity(6 * 65536 + 22).p).toBeCloseTo(2 / 1001, 12); // (0 + D 1 + 1) / (n + 1)
    const roaming = new ServiceCounts();
    for (let i = 0; i < 1000; i++) roaming.add(17 * 65536 + 10000 + (i % 500));
    expect(roaming.rarity(6 * 65536 + 22).p).toBeGreaterThan(0.4);
  });
});

describe('RateTracker', () => {
  it('closes active minutes and hours and gives sliding estimates', () => {
    const t = new RateTracker();
    const minutes: number[] = [];
    const hours: number[] = [];
    const sink = { minuteClosed: (n: number) => minutes.push(n), hourClosed: (n: number) => hours.push(n) };
    const r: LiveRates = { connsPerMinute: 0, dstsPerHour: 0 };
    const at = (s: number, resp = 'a') => t.observe(conn({ tsUs: T0_US + s * 1e6, resp }), r, sink);
    at(0);
    at(10, 'b');
    at(20, 'c');
    expect(r.connsPerMinute).toBe(3);
    expect(r.dstsPerHour).toBe(3);
    at(70, 'a'); // minute 1, 10 s in: 1 + 3 × 50/60
    expect(minutes).toEqual([3]);
    expect(r.connsPerMinute).toBeCloseTo(1 + 3 * (50 / 60), 9);
    at(200); // minute 3: minute 2 was idle, so nothing carries over
    expect(minutes).toEqual([3, 1]);
    expect(r.connsPerMinute).toBe(1);
    at(3600 + 900, 'z'); // next hour, a quarter in: max(1, 3 × 3/4)
    expect(hours).toEqual([3]);
    expect(r.dstsPerHour).toBeCloseTo(2.25, 9);
    t.flush(sink);
    expect(minutes).toEqual([3, 1, 1, 1]);
    expect(hours).toEqual([3, 1]);
  });

  it('caps the distinct responders of an hour', () => {
    const t = new RateTracker();
    const r: LiveRates = { connsPerMinute: 0, dstsPerHour: 0 };
    for (let i = 0; i < 1000; i++) t.observe(conn({ tsUs: T0_US + i * 1000, resp: `10.1.${i >> 8}.${i & 255}` }), r);
    expect(r.dstsPerHour).toBe(DISTINCT_DST_CAP);
    expect(r.connsPerMinute).toBe(1000);
  });
});

describe('tails and their combination', () => {
  it('erfc is accurate to 1.2e-7 relative', () => {
    const ref: [number, number][] = [
      [0, 1],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028513],
      [3, 2.209049699858544e-5],
      [5, 1.5374597944280349e-12],
      [-1, 1.8427007929497148],
    ];
    for (const [x, v] of ref) expect(Math.abs(erfc(x) - v) / v).toBeLessThan(1.2e-7);
  });

  it('surprise maps p to [0, 1] by decades', () => {
    expect(surprise(1)).toBe(0);
    expect(surprise(1e-3)).toBeCloseTo(0.5, 12);
    expect(surprise(1e-6)).toBeCloseTo(1, 12);
    expect(surprise(1e-30)).toBe(1);
    expect(surprise(0)).toBe(1);
  });

  it('combineTails is in [0, 1] and monotonic in every p', () => {
    const r = rng(5);
    for (let trial = 0; trial < 2000; trial++) {
      const k = 1 + Math.floor(r() * 10);
      const ps = Array.from({ length: k }, () => 10 ** (-8 * r()));
      const s = combineTails(ps);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      const i = Math.floor(r() * k);
      const smaller = ps.slice();
      smaller[i] *= r();
      expect(combineTails(smaller)).toBeGreaterThanOrEqual(s);
    }
    // Šidák: one p of 1e-7 among 10 features is a family p of ~1e-6.
    expect(combineTails([1e-7, ...new Array(9).fill(1)])).toBeCloseTo(1, 3);
    expect(combineTails([1e-4])).toBeCloseTo(4 / 6, 9);
    expect(combineTails(new Array(10).fill(1))).toBe(0);
  });
});

describe('scoreConnection against an office client', () => {
  const history = officeClient(6);
  const p = profileOf(history);
  const quiet: LiveRates = { connsPerMinute: 1, dstsPerHour: 3 };

  it('learns the client', () => {
    expect(p.n).toBe(history.length);
    expect(p.hours.slice(9, 17).reduce((a, b) => a + b, 0)).toBe(p.n);
    expect(p.days.slice(1, 6).every((d) => d > 0)).toBe(true); // Monday..Friday
    expect(p.services.keys.length).toBe(2);
    expect(Math.expm1(p.origBytes.mean)).toBeGreaterThan(500);
  });

  it('scores its usual connections low and names nothing strongly', () => {
    const later = officeClient(7).slice(0, 200);
    const stats = later.map((c) => scoreConnection(p, c, quiet).statistical);
    stats.sort((a, b) => a - b);
    expect(stats[Math.floor(0.9 * stats.length)]).toBeLessThan(0.3);
    expect(stats[stats.length - 1]).toBeLessThan(0.7);
  });

  it('flags a planted exfiltration and names the feature with its baseline', () => {
    const c = conn({ tsUs: T0_US + 10 * HOUR_US, origBytes: 5e8, durationS: 2, respBytes: 20000 });
    const s = scoreConnection(p, c, quiet);
    expect(s.statistical).toBe(1);
    const top = s.contributions[0];
    expect(top.feature).toBe('origBytes');
    expect(top.value).toBe(5e8);
    expect(top.z).toBeGreaterThan(10);
    expect(top.baselineMean).toBeCloseTo(p.origBytes.mean, 12);
    expect(top.baselineStd).toBeCloseTo(p.origBytes.std(), 12);
    for (let i = 1; i < s.contributions.length; i++) expect(s.contributions[i].score).toBeLessThanOrEqual(s.contributions[i - 1].score);
  });

  it('flags a new service, a night-time connection and a burst, each by its feature', () => {
    const ssh = scoreConnection(p, conn({ respPort: 22 }), quiet);
    expect(ssh.contributions[0].feature).toBe('service');
    expect(ssh.contributions[0].label).toBe('tcp/22');
    expect(ssh.contributions[0].p).toBeLessThan(3 / p.n);
    const night = scoreConnection(p, conn({ tsUs: T0_US + 3 * HOUR_US }), quiet);
    expect(night.contributions[0].feature).toBe('hour');
    const burst = scoreConnection(p, conn(), { connsPerMinute: 500, dstsPerHour: 3 });
    expect(burst.contributions[0].feature).toBe('connsPerMinute');
    expect(burst.statistical).toBe(1);
  });

  it('is monotonic in a feature\'s deviation', () => {
    let last = -1;
    for (const bytes of [1000, 3000, 10000, 1e5, 1e6, 1e7]) {
      const s = scoreConnection(p, conn({ origBytes: bytes }), quiet).statistical;
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
    expect(last).toBe(1);
    last = -1;
    for (const rate of [1, 2, 5, 10, 30, 100]) {
      const s = scoreConnection(p, conn(), { connsPerMinute: rate, dstsPerHour: 3 }).statistical;
      expect(s).toBeGreaterThanOrEqual(last);
      last = s;
    }
  });

  it('adds the newSource feature only when asked', () => {
    expect(scoreConnection(p, conn(), quiet).contributions.some((c) => c.feature === 'newSource')).toBe(false);
    const s = scoreConnection(p, conn(), quiet, 1e-5);
    const f = s.contributions.find((c) => c.feature === 'newSource')!;
    expect(f.p).toBe(1e-5);
    expect(s.statistical).toBeCloseTo(combineTails(s.contributions.map((c) => c.p)), 12);
  });
});

describe('profile JSON', () => {
  it('round-trips, including the sketch', () => {
    const p = profileOf(officeClient(8, '10.0.0.1', 1));
    for (let i = 0; i < 100; i++) p.update(conn({ respPort: 1000 + i }));
    expect(p.services.sketch).not.toBeNull();
    const back = SourceProfile.fromJSON(JSON.parse(JSON.stringify(p)), 'p');
    expect(JSON.stringify(back)).toBe(JSON.stringify(p));
    const c = conn({ respPort: 1050 });
    const r: LiveRates = { connsPerMinute: 2, dstsPerHour: 2 };
    expect(scoreConnection(back, c, r)).toEqual(scoreConnection(p, c, r));
  });
});
