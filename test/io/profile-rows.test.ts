// PROFILE alerts as output rows (src/io/alert-rows.ts): the message is the detail's explanation,
// the evidence carries the level, both scores, the basis and the top features; without a detail
// (a result that lost it) a fallback message from the columns. Also the one number formatter and
// the one deviation helper shared by the messages.
import { describe, expect, it } from 'vitest';
import { DET_PROFILE, SEV_HIGH } from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT, type AnalysisResult, type ProfileDetail, type Summary } from '../../src/shared/protocol';
import { ALERT_CSV_COLUMNS, alertRow, deviationPct, grouped, profileDetail, toCsvHeader, toCsvRow, csvColumns } from '../../src/io/alert-rows';

const T0 = 1678886400e6;
const detail: ProfileDetail = {
  alert: 0,
  level: 'CRITICAL',
  combined: 0.962,
  statistical: 1,
  ml: 0.905,
  connection: { tsUs: T0, durationS: 2, orig: '10.0.0.5', resp: '192.168.1.1', origPort: 50000, respPort: 22, proto: 6, origBytes: 12345, respBytes: 800, origPkts: 20, respPkts: 12 },
  features: [
    { feature: 'service', value: 22, typical: 0, baselineMean: 0, baselineStd: 0, z: 0, p: 1e-7, score: 1, label: 'tcp/22' },
    { feature: 'origBytes', value: 12345, typical: 420, baselineMean: Math.log1p(420), baselineStd: 0.4, z: 8.1, p: 1e-6, score: 1 },
    { feature: 'hour', value: 3, typical: 12, baselineMean: 0.04, baselineStd: 0, z: 0, p: 0.3, score: 0.09 },
  ],
  baseline: { basis: 'source', unknownSource: false, connections: 300, topServices: [{ label: 'tcp/443', share: 0.9 }], services: 3, hours: new Array(24).fill(0), days: new Array(7).fill(0), numeric: [] },
  explanation: 'Per-source profile: 10.0.0.5 → 192.168.1.1:22/tcp scores 0.96 (CRITICAL; statistical 1.00, ML 0.91): port tcp/22 never used by this source',
};

function result(withDetail: boolean): AnalysisResult {
  const one = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int16Array>(C: new (n: number) => T, v: number): T => {
    const c = new C(1);
    c[0] = v;
    return c;
  };
  return {
    ok: true,
    warnings: [],
    cancelled: false,
    summary: {} as Summary,
    options: DEFAULT_OPTIONS,
    channels: [{ src: '10.0.0.5', dst: '192.168.1.1', proto: 'TCP', key: new Uint8Array(36), alerts: 1 }],
    flowRules: [],
    alerts: {
      count: 1,
      tsUs: one(Float64Array, T0),
      lastUs: one(Float64Array, T0 + 2e6),
      detector: one(Uint8Array, DET_PROFILE),
      variant: one(Uint8Array, 4),
      severity: one(Uint8Array, SEV_HIGH),
      score: one(Float64Array, 0.962),
      value: one(Float64Array, 0.962),
      threshold: one(Float64Array, 0.95),
      windowS: one(Float64Array, 0),
      evidence: one(Float64Array, 32),
      peakRate: one(Float64Array, NaN),
      aux: one(Float64Array, 0),
      size: one(Float64Array, NaN),
      mean: one(Float64Array, 0),
      std: one(Float64Array, 0),
      samples: one(Uint32Array, 300),
      recordIndex: one(Uint32Array, 9),
      recordOffset: one(Float64Array, -1),
      sport: one(Uint16Array, 50000),
      dport: one(Uint16Array, 22),
      channel: one(Uint32Array, 0),
      episode: one(Uint32Array, 0),
      suppressed: one(Uint8Array, 0),
      rule: one(Int16Array, -1),
      features: new Float64Array(FEATURE_COUNT).fill(NaN),
    },
    ...(withDetail ? { profile: { mode: 'baseline', learnt: 0, scored: 1, connsDropped: 0, byLevel: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 1 }, details: [detail] } } : {}),
  };
}

describe('PROFILE rows', () => {
  it('take the explanation and the detail\'s numbers', () => {
    const r = result(true);
    expect(profileDetail(r, 0)).toBe(detail);
    const row = alertRow(r, 0);
    expect(row).toMatchObject({ detector: 'PROFILE', variant: 'critical', severity: 'high', score: 0.962, src: '10.0.0.5', dport: 22, record: 10, message: detail.explanation });
    expect(row.evidence).toEqual({
      value: 0.962, threshold: 0.95, count: 32, samples: 300, level: 'CRITICAL', statistical: 1, ml: 0.905, baseline: 'source',
      features: 'service=tcp/22 origBytes=12345 hour=3', metric: 'service', mean: 0, std: 0,
    });
    const cols = csvColumns([]);
    expect(cols).toEqual([...ALERT_CSV_COLUMNS]);
    const cells = toCsvRow(row, cols).split(',');
    expect(cells[cols.indexOf('evidence.level')]).toBe('CRITICAL');
    expect(toCsvHeader(cols)).toContain('evidence.features');
  });

  it('without a detail (or one of another alert) fall back to the columns', () => {
    const r = result(false);
    expect(profileDetail(r, 0)).toBeUndefined();
    const row = alertRow(r, 0);
    expect(row.message).toBe('Per-source profile: 10.0.0.5:50000 → 192.168.1.1:22 (TCP) scores 0.96 (CRITICAL; threshold 0.95)');
    expect(row.evidence).toEqual({ value: 0.962, threshold: 0.95, count: 32, samples: 300 });
    const wrong = result(true);
    wrong.profile!.details[0] = { ...detail, alert: 5 };
    expect(profileDetail(wrong, 0)).toBeUndefined();
  });
});

describe('shared number helpers', () => {
  it('grouped: whole numbers by default, decimals on request', () => {
    expect(grouped(549460.4)).toBe('549,460');
    expect(grouped(7.06, 1)).toBe('7.1');
    expect(grouped(1234.5, 1)).toBe('1,234.5');
    expect(grouped(NaN)).toBe('NaN');
  });
  it('deviationPct: floor 1 by default, 0 for real sub-unit means, NaN without a baseline', () => {
    expect(deviationPct(549460, 131400)).toBeCloseTo(318.16, 2);
    expect(deviationPct(3, 0.5)).toBe(250); // (3 − 0.5) ÷ 1
    expect(deviationPct(3, 0.5, 0)).toBe(500);
    expect(deviationPct(3, 0, 0)).toBeNaN();
  });
});
