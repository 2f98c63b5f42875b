// The output rows of SPIKE and PROTOSHIFT alerts (src/io/alert-rows.ts): the issue's message
// ("High traffic spike to 10.10.10.10: 549,460 B/s (threshold 397,795 B/s, baseline 131,400 B/s over
// 60 windows, +318 %)"), the population and global phrasings, the protocol shift messages, the
// evidence keys in JSONL and CSV, the variant names, and the SPIKE reason lines of --format reasons.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT, type AnalysisResult, type Summary } from '../../src/shared/protocol';
import { ALERT_CSV_COLUMNS, alertMessage, alertRow, reasonNames, toCsv, toJsonlRow } from '../../src/io/alert-rows';
import { variantName as tableVariant } from '../../src/ui/alert-filter';

interface M {
  det: number;
  variant: number;
  sev: number;
  value: number;
  threshold: number;
  mean: number;
  std: number;
  samples: number;
  aux: number;
  score: number;
  count: number;
  dst: string;
  dport?: number;
  proto?: string;
}

/** A result of the given metric alerts (every other column 0). */
function result(list: M[]): AnalysisResult {
  const n = list.length;
  const f64 = (f: (a: M) => number) => Float64Array.from(list, f);
  return {
    ok: true, warnings: [], cancelled: false, summary: {} as Summary, options: DEFAULT_OPTIONS, flowRules: [],
    channels: list.map((a) => ({ src: '203.0.113.7', dst: a.dst, proto: a.proto ?? 'TCP', key: new Uint8Array(36), alerts: 1 })),
    alerts: {
      count: n,
      tsUs: f64(() => 1_617_292_579_631_468),
      lastUs: f64(() => 1_617_292_580_057_000),
      detector: Uint8Array.from(list, (a) => a.det),
      variant: Uint8Array.from(list, (a) => a.variant),
      severity: Uint8Array.from(list, (a) => a.sev),
      score: f64((a) => a.score),
      value: f64((a) => a.value),
      threshold: f64((a) => a.threshold),
      windowS: f64(() => 10),
      evidence: f64((a) => a.count),
      peakRate: f64(() => 7197),
      aux: f64((a) => a.aux),
      size: f64(() => 60),
      mean: f64((a) => a.mean),
      std: f64((a) => a.std),
      samples: Uint32Array.from(list, (a) => a.samples),
      recordIndex: new Uint32Array(n),
      recordOffset: f64(() => -1),
      sport: new Uint16Array(n),
      dport: Uint16Array.from(list, (a) => a.dport ?? 0),
      channel: Uint32Array.from(list, (_, i) => i),
      episode: Uint32Array.from(list, (_, i) => i + 1),
      suppressed: new Uint8Array(n),
      rule: new Int16Array(n).fill(-1),
      features: new Float64Array(n * FEATURE_COUNT).fill(NaN),
    },
  };
}

const ISSUE: M = {
  det: abi.DET_SPIKE, variant: abi.SPIKE_DST, sev: abi.SEV_HIGH, value: 549_460, threshold: 397_795, mean: 131_400, std: 1.2, samples: 60,
  aux: 0, score: 549_460 / 131_400, count: 9755, dst: '10.10.10.10',
};

describe('SPIKE rows', () => {
  it("reads like the issue's example", () => {
    expect(alertMessage(result([ISSUE]), 0)).toBe(
      'High traffic spike to 10.10.10.10: 549,460 B/s (threshold 397,795 B/s, baseline 131,400 B/s over 60 windows, +318 %)',
    );
  });

  it('says when a destination is judged against the population, and names all traffic for the global variant', () => {
    const r = result([
      { ...ISSUE, sev: abi.SEV_MEDIUM, value: 98_006, threshold: 1065, mean: 55, samples: 12, aux: 1 },
      { ...ISSUE, variant: abi.SPIKE_GLOBAL, sev: abi.SEV_MEDIUM, value: 69_166, threshold: 2824.3, mean: 637.6, samples: 12, dst: '' },
    ]);
    expect(alertMessage(r, 0)).toBe(
      'Medium traffic spike to 10.10.10.10: 98,006 B/s (threshold 1,065 B/s, no baseline of its own yet: typical destination 55 B/s over 12 windows, +178,093 %)',
    );
    expect(alertMessage(r, 1)).toBe(
      'Medium traffic spike in all traffic: 69,166 B/s (threshold 2,824 B/s, baseline 638 B/s over 12 windows, +10,748 %)',
    );
    expect(alertRow(r, 0).evidence).toEqual({
      metric: 'bytes_per_s', value: 98_006, threshold: 1065, window_s: 10, count: 9755, peak_rate: 7197, mean: 55, std: 1.2, samples: 12, deviation_pct: 178_092.7,
      baseline: 'population',
    });
    expect([alertRow(r, 0).variant, alertRow(r, 1).variant]).toEqual(['dst', 'global']);
    expect([tableVariant(abi.DET_SPIKE, abi.SPIKE_DST), tableVariant(abi.DET_SPIKE, abi.SPIKE_GLOBAL)]).toEqual(['one destination', 'all traffic']);
  });

  it('JSONL and CSV carry the baseline numbers in their evidence columns', () => {
    const r = result([ISSUE]);
    const row = alertRow(r, 0);
    expect(JSON.parse(toJsonlRow(row))).toMatchObject({
      detector: 'SPIKE', variant: 'dst', severity: 'high', dst: '10.10.10.10',
      evidence: { value: 549_460, threshold: 397_795, mean: 131_400, std: 1.2, samples: 60, deviation_pct: 318.2, baseline: 'own' },
    });
    const csv = Papa.parse<Record<string, string>>(toCsv([row]), { header: true, skipEmptyLines: true });
    expect(csv.meta.fields).toEqual([...ALERT_CSV_COLUMNS]);
    const c = csv.data[0];
    expect([c['evidence.value'], c['evidence.mean'], c['evidence.deviation_pct'], c['evidence.baseline'], c['evidence.samples']]).toEqual([
      '549460', '131400', '318.2', 'own', '60',
    ]);
  });

  it('SPIKE is a reason of --format reasons', () => {
    expect(reasonNames((1 << abi.DET_SPIKE) | (1 << abi.DET_SYNFLOOD))).toEqual(['SYNFLOOD', 'SPIKE']);
  });
});

describe('PROTOSHIFT rows', () => {
  const shift: M = {
    det: abi.DET_PROTOSHIFT, variant: abi.PROTOSHIFT_PROTO, sev: abi.SEV_MEDIUM, value: 52.4, threshold: 30, mean: 9.2, std: 3.1, samples: 60,
    aux: 1, score: 52.4 / 9.2, count: 5200, dst: '',
  };
  it('a protocol class and a service', () => {
    const r = result([shift, { ...shift, variant: abi.PROTOSHIFT_SERVICE, sev: abi.SEV_HIGH, value: 98.4, threshold: 50, mean: 0, samples: 12, aux: (17 << 16) | 30120, dport: 30120, proto: 'UDP' }]);
    expect(alertMessage(r, 0)).toBe('Protocol shift: UDP 52 % of packets (baseline 9 % over 60 windows, +43 points; threshold 30 points)');
    expect(alertMessage(r, 1)).toBe('Protocol shift: udp/30120 98 % of packets (baseline 0 % over 12 windows, +98 points; threshold 50 points)');
    expect(alertRow(r, 0).evidence).toMatchObject({ metric: 'packet_share_pct', value: 52.4, mean: 9.2, points: 43.2, class: 'UDP', samples: 60, deviation_pct: 469.6 });
    expect(alertRow(r, 1).evidence).toMatchObject({ metric: 'packet_share_pct', value: 98.4, mean: 0, points: 98.4, service: 'udp/30120', threshold: 50 });
    // No relative deviation from a baseline share of 0 (a service new to the capture).
    expect(alertRow(r, 1).evidence).not.toHaveProperty('deviation_pct');
    expect([alertRow(r, 0).variant, alertRow(r, 1).variant]).toEqual(['proto', 'service']);
    expect([tableVariant(abi.DET_PROTOSHIFT, abi.PROTOSHIFT_PROTO), tableVariant(abi.DET_PROTOSHIFT, abi.PROTOSHIFT_SERVICE)]).toEqual(['protocol', 'service']);
  });
});
