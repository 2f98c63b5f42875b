// The learned-baseline model (src/ml/baseline-model.ts, features.ts) on generated connections:
// options, levels, the feature vector, learn/detect with planted anomalies and the population
// fallback, the warm-up split, determinism, and the JSON file: round trip and every kind of refusal.
import { describe, expect, it } from 'vitest';
import {
  BASELINE_VERSION,
  detect,
  fromJson,
  learn,
  resolveBaselineOptions,
  scoreConnections,
  splitWarmup,
  threatLevel,
  toJson,
  DEFAULT_BASELINE_OPTIONS,
} from '../../src/ml/baseline-model';
import { FEATURE_DIMS, featureRow, fitStandardiser, portClass, standardise } from '../../src/ml/features';
import { BaselineFormatError } from '../../src/ml/json-check';
import type { Connection } from '../../src/ml/connection';
import { conn, HOUR_US, officeClient, T0_US } from './gen';

const CREATED = '2024-06-01T12:00:00.000Z';

/** Five office clients for a week, plus a printer that only ever talks to one server. */
function office(seed = 1): Connection[] {
  const out: Connection[] = [];
  for (let i = 0; i < 5; i++) out.push(...officeClient(seed * 10 + i, `10.0.0.${10 + i}`, 5));
  for (let i = 0; i < 40; i++) out.push(conn({ orig: '10.0.0.99', resp: '10.0.0.5', respPort: 9100, tsUs: T0_US + 9 * HOUR_US + i * 600e6, origBytes: 50000, respBytes: 500 }));
  return out;
}

describe('options and levels', () => {
  it('has the issue\'s defaults', () => {
    expect(DEFAULT_BASELINE_OPTIONS.weights).toEqual({ statistical: 0.6, ml: 0.4 });
    expect(DEFAULT_BASELINE_OPTIONS.threshold).toBe(0.7);
    expect(DEFAULT_BASELINE_OPTIONS.levels).toEqual({ medium: 0.8, high: 0.9, critical: 0.95 });
    expect([DEFAULT_BASELINE_OPTIONS.trees, DEFAULT_BASELINE_OPTIONS.sampleSize]).toEqual([100, 256]);
  });

  it('validates weights, threshold and level order', () => {
    expect(resolveBaselineOptions({ weights: { statistical: 0.5, ml: 0.5 } }).weights).toEqual({ statistical: 0.5, ml: 0.5 });
    expect(() => resolveBaselineOptions({ weights: { statistical: 0.5 } })).toThrow(/weights: statistical \+ ml must be 1/);
    expect(() => resolveBaselineOptions({ weights: { statistical: -0.1, ml: 1.1 } })).toThrow(/weights.statistical/);
    expect(() => resolveBaselineOptions({ threshold: 0.85 })).toThrow(/levels: must ascend/);
    expect(() => resolveBaselineOptions({ levels: { high: 0.97 } })).toThrow(/must ascend/);
    expect(() => resolveBaselineOptions({ trees: 0 })).toThrow(/trees/);
    expect(() => resolveBaselineOptions({ sampleSize: 5000 })).toThrow(/sampleSize/);
  });

  it('maps combined scores to levels at the boundaries', () => {
    const o = DEFAULT_BASELINE_OPTIONS;
    const cases: [number, string][] = [
      [0, 'none'],
      [0.6999, 'none'],
      [0.7, 'LOW'],
      [0.7999, 'LOW'],
      [0.8, 'MEDIUM'],
      [0.9, 'HIGH'],
      [0.9499, 'HIGH'],
      [0.95, 'CRITICAL'],
      [1, 'CRITICAL'],
      [NaN, 'none'],
    ];
    for (const [s, l] of cases) expect(threatLevel(s, o), String(s)).toBe(l);
  });
});

describe('features', () => {
  it('classes ports by IANA range', () => {
    expect([0, 1, 1023, 1024, 49151, 49152, 65535].map(portClass)).toEqual([0, 1, 1, 2, 2, 3, 3]);
  });

  it('writes the vector and standardises it', () => {
    const row = new Float64Array(FEATURE_DIMS + 1).fill(-7);
    featureRow(conn({ tsUs: T0_US + 6 * HOUR_US, origBytes: Math.E - 1, respPort: 50000 }), { connsPerMinute: 3, dstsPerHour: 1 }, row, 1);
    expect(row[0]).toBe(-7);
    expect(row[1]).toBeCloseTo(1, 12);
    expect(row[5]).toBe(3);
    expect(row[6]).toBeCloseTo(1, 12); // 06:00 = a quarter of the day: sin = 1
    expect(row[7]).toBeCloseTo(0, 12);
    expect(row[10]).toBeCloseTo(Math.log(4), 12);
    const X = Float64Array.from([1, 5, 3, 5, 5, 5]);
    const s = fitStandardiser(X, 2);
    expect(s.mean).toEqual([3, 5]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.std[1]).toBe(1); // constant feature
    standardise(s, X);
    expect(X[1]).toBe(0);
    expect(X[0]).toBeCloseTo(-2 / Math.sqrt(8 / 3), 12);
  });
});

describe('learn / detect', () => {
  const train = office(1);
  const model = learn(train, {}, CREATED);

  it('learns a profile per source and the population', () => {
    expect(model.counts.connections).toBe(train.length);
    expect(model.counts.sources).toBe(6);
    expect(model.counts.profiledEnough).toBe(6);
    expect(model.population.n).toBe(train.length);
    expect(model.forest.trees).toBe(100);
    expect(model.forest.sampleSize).toBe(256);
  });

  it('flags few of another week of the same office', () => {
    const week = office(2);
    const alerts = detect(model, week);
    expect(alerts.length / week.length).toBeLessThan(0.01);
  });

  it('flags planted anomalies at MEDIUM or above, with their features', () => {
    const normal = office(3).filter((c) => c.tsUs < T0_US + 24 * HOUR_US);
    const planted = [
      // The printer sends 2 GB to a host on the internet at night.
      conn({ orig: '10.0.0.99', resp: '203.0.113.9', respPort: 443, tsUs: T0_US + 3 * HOUR_US, origBytes: 2e9, durationS: 3000, origPkts: 1.5e6, respPkts: 5e5 }),
      // A client scans 300 ports of one host within a second.
      ...Array.from({ length: 300 }, (_, i) =>
        conn({ orig: '10.0.0.12', resp: '10.0.0.200', respPort: 1 + i, tsUs: T0_US + 11 * HOUR_US + i * 3000, origBytes: 60, respBytes: 54, origPkts: 1, respPkts: 1, durationS: 0.001 }),
      ),
    ];
    const scored = scoreConnections(model, [...normal, ...planted]);
    const exfil = scored[normal.length];
    expect(exfil.basis).toBe('source');
    expect(['MEDIUM', 'HIGH', 'CRITICAL']).toContain(exfil.level);
    expect(exfil.contributions.slice(0, 3).map((c) => c.feature)).toContain('origBytes');
    const scan = scored.slice(normal.length + 1);
    const flagged = scan.filter((s) => s.level === 'MEDIUM' || s.level === 'HIGH' || s.level === 'CRITICAL');
    // The first probes look like any short connection; once the rate shows, every one is flagged.
    expect(flagged.length).toBeGreaterThan(0.9 * scan.length);
    expect(scan.slice(60).every((s) => s.level !== 'none' && s.level !== 'LOW')).toBe(true);
    expect(scan[299].contributions[0].feature).toBe('connsPerMinute');
    // The normal connections around them stay quiet.
    expect(scored.slice(0, normal.length).filter((s) => s.level !== 'none').length).toBeLessThan(0.01 * normal.length + 1);
  });

  it('scores a source below minConnections, and an unknown one, against the population', () => {
    const thin = [...office(1), ...Array.from({ length: 5 }, (_, i) => conn({ orig: '10.0.0.77', tsUs: T0_US + 10 * HOUR_US + i * 1e6 }))];
    const m = learn(thin, {}, CREATED);
    expect(m.profiles.get('10.0.0.77')!.n).toBe(5);
    const [known, thinOne, unknown] = scoreConnections(m, [conn({ orig: '10.0.0.10' }), conn({ orig: '10.0.0.77' }), conn({ orig: '192.0.2.1' })]);
    expect([known.basis, known.unknownSource]).toEqual(['source', false]);
    expect([thinOne.basis, thinOne.unknownSource]).toEqual(['population', false]);
    expect(thinOne.contributions.some((c) => c.feature === 'newSource')).toBe(false);
    expect([unknown.basis, unknown.unknownSource]).toEqual(['population', true]);
    const ns = unknown.contributions.find((c) => c.feature === 'newSource')!;
    expect(ns.p).toBeCloseTo((m.counts.sourcesSeenOnce + 1) / (m.counts.connections + 1), 12);
    // minConnections decides: at 5 the thin source has its own profile.
    const m5 = learn(thin, { minConnections: 5 }, CREATED);
    expect(scoreConnections(m5, [conn({ orig: '10.0.0.77' })])[0].basis).toBe('source');
  });

  it('combines with the configured weights', () => {
    const c = [conn({ orig: '10.0.0.10', respPort: 22, tsUs: T0_US + 2 * HOUR_US })];
    const [a] = scoreConnections(model, c);
    expect(a.combined).toBeCloseTo(0.6 * a.statistical + 0.4 * a.ml, 12);
    const [b] = scoreConnections(model, c, { weights: { statistical: 0.2, ml: 0.8 } });
    expect(b.combined).toBeCloseTo(0.2 * a.statistical + 0.8 * a.ml, 12);
    expect(() => scoreConnections(model, c, { weights: { statistical: 0.2 } })).toThrow(/must be 1/);
  });

  it('explains only the alerts when asked, with the same scores', () => {
    const test = [...office(6).slice(0, 300), conn({ orig: '10.0.0.10', origBytes: 1e9, tsUs: T0_US + 3 * HOUR_US })];
    const all = scoreConnections(model, test);
    const some = scoreConnections(model, test, { explain: 'alerts' });
    expect(some.map(({ contributions, ...r }) => r)).toEqual(all.map(({ contributions, ...r }) => r));
    some.forEach((s, i) => expect(s.contributions).toEqual(s.level === 'none' ? [] : all[i].contributions));
    expect(some[some.length - 1].level).not.toBe('none');
    const alerts = detect(model, test);
    for (let i = 1; i < alerts.length; i++) expect(alerts[i].connection.tsUs).toBeGreaterThanOrEqual(alerts[i - 1].connection.tsUs);
    expect(alerts.map((s) => s.index).sort((a, b) => a - b)).toEqual(all.filter((s) => s.level !== 'none').map((s) => s.index));
  });

  it('repeats with the same seed and differs with another', () => {
    const a = learn(train, { seed: 7 }, CREATED);
    const b = learn(train, { seed: 7 }, CREATED);
    expect(toJson(b)).toBe(toJson(a));
    const test = office(4).slice(0, 500);
    expect(scoreConnections(b, test).map((s) => s.combined)).toEqual(scoreConnections(a, test).map((s) => s.combined));
    const c = learn(train, { seed: 8 }, CREATED);
    expect(scoreConnections(c, test).map((s) => s.ml)).not.toEqual(scoreConnections(a, test).map((s) => s.ml));
  });

  it('refuses bad input', () => {
    expect(() => learn([conn()], {}, CREATED)).toThrow(/at least 2/);
    expect(() => learn([conn(), conn({ origBytes: -1 })], {}, CREATED)).toThrow(/connections\[1\]\.origBytes/);
    expect(() => learn([conn(), conn({ respPort: 70000 })], {}, CREATED)).toThrow(/connections\[1\]\.respPort/);
    expect(() => scoreConnections(model, [conn({ tsUs: NaN })])).toThrow(/connections\[0\]\.tsUs/);
  });
});

describe('splitWarmup', () => {
  const cs = [5, 1, 3, 2, 4].map((m) => conn({ tsUs: T0_US + m * 60e6 }));
  it('cuts by minutes from the first connection, in time order', () => {
    const { learn: l, detect: d } = splitWarmup(cs, { minutes: 2.5 });
    expect(l.map((c) => (c.tsUs - T0_US) / 60e6)).toEqual([1, 2, 3]);
    expect(d.map((c) => (c.tsUs - T0_US) / 60e6)).toEqual([4, 5]);
    expect(splitWarmup(cs, { minutes: 100 }).detect).toEqual([]);
  });
  it('cuts by percent of connections', () => {
    const { learn: l, detect: d } = splitWarmup(cs, { percent: 40 });
    expect(l.length).toBe(2);
    expect(d.length).toBe(3);
    expect(l[1].tsUs).toBeLessThan(d[0].tsUs);
  });
  it('refuses nonsense', () => {
    expect(() => splitWarmup(cs, { minutes: 0 })).toThrow(/minutes/);
    expect(() => splitWarmup(cs, { percent: 100 })).toThrow(/percent/);
    expect(() => splitWarmup(cs, { percent: NaN })).toThrow(/percent/);
  });
});

describe('JSON file', () => {
  const model = learn(office(1), {}, CREATED);
  const text = toJson(model);

  it('round-trips to the same scores and the same text', () => {
    const back = fromJson(text);
    expect(toJson(back)).toBe(text);
    const test = office(5).slice(0, 400);
    expect(scoreConnections(back, test)).toEqual(scoreConnections(model, test));
    expect(back.version).toBe(BASELINE_VERSION);
  });

  /** fromJson of the file after `edit`, expecting a BaselineFormatError whose message matches. */
  const refused = (edit: (o: any) => void, message: RegExp) => {
    const o = JSON.parse(text);
    edit(o);
    let err: unknown;
    try {
      fromJson(JSON.stringify(o));
    } catch (e) {
      err = e;
    }
    expect(err, String(message)).toBeInstanceOf(BaselineFormatError);
    expect((err as Error).message).toMatch(message);
  };

  it('refuses text that is not a baseline', () => {
    expect(() => fromJson('{"format": "flowlens-baseline", ')).toThrow(/not JSON/);
    expect(() => fromJson('[1, 2]')).toThrow(/expected an object, got an array/);
    refused((o) => (o.format = 'something-else'), /unknown field "format"/);
  });

  it('refuses corrupt fields, naming them', () => {
    refused((o) => delete o.counts, /missing field "counts"/);
    refused((o) => (o.extra = 1), /unknown field "extra"/);
    refused((o) => (o.createdAt = 'yesterday'), /createdAt: not a date/);
    refused((o) => (o.options.weights.ml = 0.5), /options.weights: statistical \+ ml must be 1/);
    refused((o) => (o.standardiser.std[3] = 0), /standardiser.std\[3\]: standard deviation must be > 0/);
    refused((o) => (o.standardiser.mean = o.standardiser.mean.slice(1)), /standardiser.mean: expected 11 entries/);
    refused((o) => (o.counts.connections = 'many'), /counts.connections: expected a finite number/);
    refused((o) => (o.population.n += 1), /population/);
    refused((o) => (o.profiles[0][1].hours[10] += 1), /profiles\[0\]\[1\]\.hours: bins do not add up/);
    refused((o) => (o.profiles[0][1].services.counts[0] = -1), /profiles\[0\]\[1\]\.services\.counts\[0\]/);
    refused((o) => (o.profiles[1][0] = o.profiles[0][0]), /twice/);
    refused((o) => o.profiles.pop(), /profiles: 5 profiles, counts say 6/);
    refused((o) => (o.profiles[0][1].origBytes[0] = 3), /counts 3 connections/);
  });

  it('refuses a corrupt forest: bad indices, cycles, sizes, depth', () => {
    const internal = (o: any) => o.forest.attr.findIndex((a: number) => a >= 0);
    refused((o) => (o.forest.attr[internal(o)] = 11), /forest.attr\[\d+\]: 11 is above the maximum 10/);
    refused((o) => (o.forest.left[internal(o)] = 0), /forest.left\[\d+\]: children .* outside tree|before their parent/);
    refused((o) => {
      // Point a later internal node back at an earlier subtree: a node reached twice.
      const i = o.forest.attr.findIndex((a: number, k: number) => a >= 0 && k > 0);
      const j = o.forest.attr.findIndex((a: number, k: number) => a >= 0 && k > i && o.forest.left[k] > o.forest.left[i]);
      o.forest.left[j] = o.forest.left[i];
    }, /reached twice|not the sum|not reached/);
    refused((o) => (o.forest.size[0] -= 1), /root of tree 0 holds 255 rows, not 256/);
    refused((o) => (o.forest.value[o.forest.attr.indexOf(-1)] = 3), /external node with a split value/);
    refused((o) => (o.forest.treeStart[1] = o.forest.treeStart[2]), /not reached|reached twice|outside/);
    refused((o) => (o.forest.heightLimit = 9), /heightLimit: 9 is above the maximum 8/);
    refused((o) => (o.forest.value[internal(o)] = null), /forest.value\[\d+\]: expected a finite number, got null/);
    refused((o) => (o.forest.trees = 99), /treeStart: expected 100 entries/);
  });
});
