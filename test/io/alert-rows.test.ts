// alert-rows: AnalysisResult → the one AlertRow shape of every detector → JSON Lines / CSV, the
// message per detector and variant, the anomalous-flow list and the reason lines from packet
// marks. Results are built column by column here (no core), so each expectation is exact.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import {
  BLACKLIST_MATCH_DST, BLACKLIST_MATCH_SRC, DET_BLACKLIST, DET_FLOWRULE, DET_LARGESIZE, DET_PORTSCAN, DET_SYNFLOOD,
  DET_UNUSUAL, DET_ZSCORE, MARK_DPORT, MARK_DST, MARK_PROTO, MARK_PROTO_LABEL, MARK_REASONS, MARK_RECORD_INDEX, MARK_SPORT,
  MARK_SRC, MARK_STRIDE, MARK_TCP_FLAGS, MARK_TS_US, MARK_WIRE_LEN, PORTSCAN_HOSTS, PORTSCAN_PORTS, PORTSCAN_SYN,
  SEV_HIGH, SEV_LOW, SEV_MEDIUM, SYNFLOOD_DST, SYNFLOOD_SLOW, SYNFLOOD_SPREAD,
} from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT, type AnalysisOptions, type AnalysisResult, type Summary } from '../../src/shared/protocol';
import {
  ALERT_CSV_COLUMNS, alertMessage, alertRecords, alertRow, csvColumns, durationText, flowsLines, isoUs, markCount,
  reasonLines, reasonLinesFromOriginal, reasonNames, rowFieldNames, toCsv, toCsvHeader, toCsvRow, toJsonl, toJsonlRow,
} from '../../src/io/alert-rows';
import { NameTable } from '../../src/io/names';
import { streamOf } from './helpers';

/** One alert's values; omitted columns are 0 (features NaN). */
interface A {
  det: number;
  variant?: number;
  sev?: number;
  score?: number;
  tsUs: number;
  lastUs?: number;
  value?: number;
  threshold?: number;
  windowS?: number;
  evidence?: number;
  peakRate?: number;
  aux?: number;
  size?: number;
  mean?: number;
  std?: number;
  samples?: number;
  record?: number;
  sport?: number;
  dport?: number;
  /** [src, dst, proto] of the channel. */
  ch: [string, string, string];
  episode?: number;
  suppressed?: boolean;
  rule?: number;
  features?: number[];
}

const T0 = 1678886400e6;

function build(list: A[], extra: Partial<AnalysisResult> = {}, options: AnalysisOptions = DEFAULT_OPTIONS): AnalysisResult {
  const n = list.length;
  const col = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array | Int16Array>(C: new (n: number) => T, f: (a: A) => number): T => {
    const c = new C(n);
    list.forEach((a, i) => (c[i] = f(a)));
    return c;
  };
  const channels: AnalysisResult['channels'] = [];
  const chIndex = list.map((a) => {
    let k = channels.findIndex((c) => c.src === a.ch[0] && c.dst === a.ch[1] && c.proto === a.ch[2]);
    if (k < 0) k = channels.push({ src: a.ch[0], dst: a.ch[1], proto: a.ch[2], key: new Uint8Array(36), alerts: 0 }) - 1;
    channels[k].alerts++;
    return k;
  });
  const features = new Float64Array(n * FEATURE_COUNT).fill(NaN);
  list.forEach((a, i) => a.features?.forEach((v, f) => (features[i * FEATURE_COUNT + f] = v)));
  return {
    ok: true,
    warnings: [],
    cancelled: false,
    summary: {} as Summary,
    options,
    channels,
    flowRules: ['syn-only flow', 'fan-out'],
    alerts: {
      count: n,
      tsUs: col(Float64Array, (a) => a.tsUs),
      lastUs: col(Float64Array, (a) => a.lastUs ?? a.tsUs),
      detector: col(Uint8Array, (a) => a.det),
      variant: col(Uint8Array, (a) => a.variant ?? 0),
      severity: col(Uint8Array, (a) => a.sev ?? SEV_LOW),
      score: col(Float64Array, (a) => a.score ?? 0),
      value: col(Float64Array, (a) => a.value ?? 0),
      threshold: col(Float64Array, (a) => a.threshold ?? 0),
      windowS: col(Float64Array, (a) => a.windowS ?? 0),
      evidence: col(Float64Array, (a) => a.evidence ?? 0),
      peakRate: col(Float64Array, (a) => a.peakRate ?? 0),
      aux: col(Float64Array, (a) => a.aux ?? 0),
      size: col(Float64Array, (a) => a.size ?? 0),
      mean: col(Float64Array, (a) => a.mean ?? 0),
      std: col(Float64Array, (a) => a.std ?? 0),
      samples: col(Uint32Array, (a) => a.samples ?? 0),
      recordIndex: col(Uint32Array, (a) => a.record ?? 0),
      recordOffset: col(Float64Array, () => -1),
      sport: col(Uint16Array, (a) => a.sport ?? 0),
      dport: col(Uint16Array, (a) => a.dport ?? 0),
      channel: Uint32Array.from(chIndex),
      episode: col(Uint32Array, (a) => a.episode ?? 0),
      suppressed: col(Uint8Array, (a) => (a.suppressed ? 1 : 0)),
      rule: col(Int16Array, (a) => a.rule ?? -1),
      features,
    },
    ...extra,
  };
}

const OPTIONS: AnalysisOptions = {
  ...structuredClone(DEFAULT_OPTIONS),
  flowFeatures: {
    ...DEFAULT_OPTIONS.flowFeatures,
    rules: [
      { name: 'syn-only flow', expr: 'syn_ratio > 0.9 and packets >= 20', severity: 'medium', enabled: true },
      { name: 'fan-out', expr: 'dst_ports > 100', severity: 'high', enabled: true },
    ],
  },
};

const SCAN = ['192.168.1.10', '192.168.1.25', 'TCP'] as [string, string, string];
const ALL: A[] = [
  { det: DET_PORTSCAN, variant: PORTSCAN_PORTS, sev: SEV_HIGH, score: 100, tsUs: T0, lastUs: T0 + 1.2e6, value: 1000, threshold: 10, windowS: 60, evidence: 990, peakRate: 800, aux: 1000, size: 60, record: 41, sport: 40000, dport: 1, ch: SCAN, episode: 3 },
  { det: DET_PORTSCAN, variant: PORTSCAN_SYN, sev: SEV_MEDIUM, score: 1.5, tsUs: T0, lastUs: T0 + 3e6, value: 150, threshold: 100, windowS: 60, evidence: 50, peakRate: 40, aux: 25, size: 60, ch: SCAN, episode: 4 },
  { det: DET_PORTSCAN, variant: PORTSCAN_HOSTS, sev: SEV_MEDIUM, score: 1.2, tsUs: T0, lastUs: T0 + 12.3e6, value: 30, threshold: 25, windowS: 300, evidence: 5, peakRate: 2, aux: 31, size: 60, dport: 22, ch: ['192.168.1.10', '10.0.0.9', 'TCP'], episode: 5 },
  { det: DET_SYNFLOOD, variant: SYNFLOOD_DST, sev: SEV_HIGH, score: 58.7, tsUs: T0, lastUs: T0 + 0.19e6, value: 5870, threshold: 100, windowS: 60, evidence: 5771, peakRate: 5871, aux: 1, size: 60, dport: 80, sport: 1024, ch: ['10.9.9.9', '192.168.1.34', 'TCP'], episode: 6 },
  { det: DET_SYNFLOOD, variant: SYNFLOOD_SPREAD, sev: SEV_MEDIUM, score: 18, tsUs: T0, lastUs: T0 + 0.8e6, value: 900, threshold: 50, windowS: 1, evidence: 850, peakRate: 900, aux: 300, size: 60, ch: ['10.9.9.9', '10.0.0.1', 'TCP'], episode: 7 },
  { det: DET_BLACKLIST, variant: BLACKLIST_MATCH_SRC, sev: SEV_HIGH, score: 1, tsUs: T0, lastUs: T0 + 2e6, value: 1, evidence: 3, peakRate: 1.5, aux: 1, size: 60, sport: 51000, dport: 80, ch: ['192.168.1.100', '10.0.0.60', 'TCP'], episode: 8 },
  { det: DET_BLACKLIST, variant: BLACKLIST_MATCH_DST, sev: SEV_HIGH, score: 1, tsUs: T0, value: 1, evidence: 1, peakRate: 1, aux: 2, size: 80, sport: 52000, dport: 53, ch: ['192.168.1.30', '10.0.0.50', 'UDP'], episode: 9 },
  { det: DET_BLACKLIST, variant: BLACKLIST_MATCH_SRC | BLACKLIST_MATCH_DST, sev: SEV_HIGH, score: 2, tsUs: T0, value: 1, evidence: 2, peakRate: 2, aux: 3, size: 80, ch: ['2001:db8::1', '2001:db8::2', 'ICMPv6'], episode: 10 },
  { det: DET_LARGESIZE, sev: SEV_MEDIUM, score: 6.009, tsUs: T0, value: 9014, threshold: 1500, evidence: 1, peakRate: 1, size: 9014, sport: 443, dport: 50000, ch: ['10.0.0.40', '192.168.1.20', 'TCP'], episode: 11 },
  { det: DET_LARGESIZE, sev: SEV_LOW, score: 1.333, tsUs: T0, lastUs: T0 + 0.5e6, value: 2000, threshold: 1500, evidence: 3, peakRate: 3, size: 1501, ch: ['10.0.0.40', '192.168.1.20', 'TCP'], episode: 12 },
  { det: DET_UNUSUAL, sev: SEV_LOW, score: 1, tsUs: T0, value: 31337, evidence: 4, peakRate: 4, aux: 6, size: 60, sport: 53000, dport: 31337, ch: ['192.168.1.40', '10.0.0.70', 'TCP'], episode: 13 },
  { det: DET_UNUSUAL, sev: SEV_LOW, score: 1, tsUs: T0, value: 0, evidence: 1, peakRate: 1, aux: 47, size: 100, ch: ['192.168.1.40', '10.0.0.71', 'GRE'], episode: 14 },
  { det: DET_FLOWRULE, sev: SEV_MEDIUM, score: 1, tsUs: T0, lastUs: T0 + 30e6, windowS: 60, size: 60, sport: 40000, dport: 80, ch: ['192.168.1.10', '10.0.0.20', 'TCP'], rule: 0, features: [120, 7200, 60, 4, 240, 1, 1] },
  { det: DET_ZSCORE, sev: SEV_HIGH, score: 38.94736842, tsUs: T0 + 6e6, size: 5000, mean: 1100, std: 100, samples: 3, record: 6, ch: ['A', 'B', 'TCP'] },
  { det: DET_SYNFLOOD, variant: SYNFLOOD_SLOW, sev: SEV_MEDIUM, score: 1.33, tsUs: T0, lastUs: T0 + 320e6, value: 266, threshold: 200, windowS: 600, evidence: 154, peakRate: 17, aux: 25, size: 60, dport: 80, sport: 1024, ch: ['75.136.225.254', '10.10.10.10', 'TCP'], episode: 15 },
];

describe('alertMessage: one phrasing per detector and variant', () => {
  it('says what happened in plain English', () => {
    const r = build(ALL, {}, OPTIONS);
    expect(Array.from({ length: ALL.length }, (_, i) => alertMessage(r, i))).toEqual([
      '192.168.1.10 probed 1000 distinct ports of 192.168.1.25 in 1.2 s (threshold 10 in 60 s)',
      '192.168.1.10 sent 150 SYNs to 25 distinct ports of 192.168.1.25 in 3 s (threshold 100 SYNs and 20 ports in 60 s)',
      '192.168.1.10 probed 30 distinct hosts on tcp/22 in 12 s (threshold 25 in 300 s)',
      '192.168.1.34 received 5870 SYNs from 1 source in 0.19 s (threshold 100 in 60 s)',
      '900 SYNs to 300 destinations in 0.8 s, no single victim (threshold 50 in 1 s)',
      '192.168.1.100:51000 → 10.0.0.60:80 (TCP): 192.168.1.100 matches the blacklist (src); 3 packets',
      '192.168.1.30:52000 → 10.0.0.50:53 (UDP): 10.0.0.50 matches the blacklist (dst); 1 packet',
      '2001:db8::1 → 2001:db8::2 (ICMPv6): 2001:db8::1 and 2001:db8::2 match the blacklist (src, dst); 2 packets',
      '10.0.0.40:443 → 192.168.1.20:50000 (TCP): packet of 9014 bytes (threshold 1500)',
      '10.0.0.40 → 192.168.1.20 (TCP): 3 packets over the threshold, the largest 2000 bytes (threshold 1500)',
      '192.168.1.40:53000 → 10.0.0.70:31337 (TCP): tcp/31337 is not a normal service; 4 packets',
      '192.168.1.40 → 10.0.0.71 (GRE): proto/47 is not a normal service; 1 packet',
      "flow 192.168.1.10:40000 → 10.0.0.20:80 (TCP) matched rule 'syn-only flow': syn_ratio > 0.9 and packets >= 20 (packets 120, syn_ratio 1.00) in its 60 s window",
      "Packet of 5000 B on A → B (TCP) is 38.9σ above the channel's mean of 1100 B (σ 100 B over 3 packets; threshold 3σ)",
      '10.10.10.10 received 266 SYNs from 25 sources in 320 s, low and slow (threshold 200 in 600 s)',
    ]);
  });

  it('formats durations with two significant digits below 100 s', () => {
    expect([0, 0.19, 1.23, 12.3, 60, 99.4, 150.6, -1, NaN].map(durationText)).toEqual(['0 s', '0.19 s', '1.2 s', '12 s', '60 s', '99 s', '151 s', '0 s', '0 s']);
    expect(isoUs(1678886400123456)).toBe('2023-03-15T13:20:00.123456Z');
    expect(isoUs(NaN)).toBe('-');
  });
});

describe('alertRow: the one shape for every detector', () => {
  it('PORTSCAN: subject, times, variant, evidence with the probes', () => {
    const r = build(ALL, {}, OPTIONS);
    expect(JSON.parse(toJsonlRow(alertRow(r, 0)))).toEqual({
      detector: 'PORTSCAN', variant: 'ports', severity: 'high', score: 100,
      first_ts: '2023-03-15T13:20:00.000000Z', last_ts: '2023-03-15T13:20:01.200000Z', first_ts_us: T0, last_ts_us: T0 + 1.2e6,
      src: '192.168.1.10', dst: '192.168.1.25', sport: 40000, dport: 1, proto: 'TCP',
      // Community ID v1 of (192.168.1.10, 192.168.1.25, 6, 40000, 1), seed 0: Python hashlib by hand.
      community_id: '1:ZkqYLCzcgIKBNSfneRbeD3zTIqQ=', size: 60, record: 42,
      suppressed: false, episode: 3,
      evidence: { value: 1000, threshold: 10, window_s: 60, count: 990, peak_rate: 800, probes: 1000 },
      message: '192.168.1.10 probed 1000 distinct ports of 192.168.1.25 in 1.2 s (threshold 10 in 60 s)',
    });
    // Key order: variant right after detector.
    expect(Object.keys(alertRow(r, 0)).slice(0, 3)).toEqual(['detector', 'variant', 'severity']);
  });

  it('names the variants and the second number per detector', () => {
    const rows = alertRecords(build(ALL, {}, OPTIONS));
    expect(rows.map((x) => [x.detector, x.variant])).toEqual([
      ['PORTSCAN', 'ports'], ['PORTSCAN', 'syn'], ['PORTSCAN', 'hosts'], ['SYNFLOOD', 'dst'], ['SYNFLOOD', 'spread'],
      ['BLACKLIST', 'src'], ['BLACKLIST', 'dst'], ['BLACKLIST', 'both'], ['LARGESIZE', undefined], ['LARGESIZE', undefined],
      ['UNUSUAL', undefined], ['UNUSUAL', undefined], ['FLOWRULE', undefined], ['ZSCORE', undefined], ['SYNFLOOD', 'slow'],
    ]);
    expect(rows[8]).not.toHaveProperty('variant');
    expect(rows[1].evidence).toEqual({ value: 150, threshold: 100, window_s: 60, count: 50, peak_rate: 40, ports: 25 });
    expect(rows[2].evidence).toMatchObject({ value: 30, probes: 31 });
    expect(rows[3].evidence).toEqual({ value: 5870, threshold: 100, window_s: 60, count: 5771, peak_rate: 5871, sources: 1 });
    expect(rows[4].evidence).toMatchObject({ value: 900, destinations: 300 });
    expect(rows[14].evidence).toEqual({ value: 266, threshold: 200, window_s: 600, count: 154, peak_rate: 17, sources: 25 });
    expect(rows[5].evidence).toEqual({ value: 1, threshold: 0, window_s: 0, count: 3, peak_rate: 1.5 });
    expect(rows[8]).toMatchObject({ severity: 'medium', score: 6.009, size: 9014, evidence: { value: 9014, threshold: 1500, count: 1 } });
    expect(rows[10].evidence).toEqual({ value: 31337, threshold: 0, window_s: 0, count: 4, peak_rate: 4, protocol: 6 });
    expect(rows[12]).toMatchObject({
      detector: 'FLOWRULE', severity: 'medium', score: 1, episode: 0, last_ts: '2023-03-15T13:20:30.000000Z',
      evidence: { rule: 'syn-only flow', window_s: 60, packets: 120, bytes: 7200, mean_size: 60, packets_per_s: 4, bytes_per_s: 240, dst_ports: 1, syn_ratio: 1 },
    });
    expect(rows[13]).toMatchObject({
      detector: 'ZSCORE', severity: 'high', score: 38.947, record: 7, size: 5000, first_ts: '2023-03-15T13:20:06.000000Z',
      evidence: { value: 38.947, threshold: 3, z: 38.947, mean: 1100, std: 100, samples: 3 },
    });
  });

  it('a negative z keeps its sign in evidence, the score is |z|; the original row rides along', () => {
    const r = build([{ det: DET_ZSCORE, sev: SEV_LOW, score: -16.66666, tsUs: 1678886407123456, size: 100, mean: 600, std: 100 / 3, samples: 1, sport: 5353, dport: 53, ch: ['2001:db8::1', '=1+2', 'UDP'] }], {
      rowFields: [{ timestamp: '1678886407', note: '@SUM(A1)' }],
    });
    const row = alertRow(r, 0);
    expect(row).toMatchObject({ score: 16.667, first_ts_us: 1678886407123456, first_ts: '2023-03-15T13:20:07.123456Z', evidence: { z: -16.667, std: 33.33 } });
    expect(row.message).toBe("Packet of 100 B on [2001:db8::1]:5353 → =1+2:53 (UDP) is 16.7σ below the channel's mean of 600 B (σ 33.3 B over 1 packet; threshold 3σ)");
    expect(row.fields).toEqual({ timestamp: '1678886407', note: '@SUM(A1)' });
  });

  it('leaves suppressed alerts out unless asked, and marks them', () => {
    const r = build([{ ...ALL[0] }, { ...ALL[12], suppressed: true }, { ...ALL[13] }], {}, OPTIONS);
    expect(alertRecords(r, false).map((x) => x.detector)).toEqual(['PORTSCAN', 'ZSCORE']);
    const all = alertRecords(r, true);
    expect(all.map((x) => [x.detector, x.suppressed])).toEqual([['PORTSCAN', false], ['FLOWRULE', true], ['ZSCORE', false]]);
  });
});

describe('JSON Lines and CSV', () => {
  it('JSONL: one object per line, whole or row by row', () => {
    const rows = alertRecords(build(ALL, {}, OPTIONS));
    const text = toJsonl(rows);
    expect(text).toBe(rows.map((r) => toJsonlRow(r) + '\n').join(''));
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l))).toEqual(JSON.parse(JSON.stringify(rows)));
  });

  it('CSV: the same columns for every detector, evidence.<key> cells, round-trips through papaparse', () => {
    const r = build(ALL, {}, OPTIONS);
    const rows = alertRecords(r);
    const text = toCsv(rows);
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual([...ALERT_CSV_COLUMNS]);
    expect(ALERT_CSV_COLUMNS.slice(0, 18)).toEqual([
      'detector', 'variant', 'severity', 'score', 'first_ts', 'last_ts', 'first_ts_us', 'last_ts_us', 'src', 'dst', 'sport', 'dport', 'proto', 'community_id', 'size',
      'record', 'suppressed', 'episode',
    ]);
    expect(parsed.data).toHaveLength(ALL.length);
    expect(parsed.data[0]).toMatchObject({ detector: 'PORTSCAN', variant: 'ports', 'evidence.value': '1000', 'evidence.probes': '1000', 'evidence.z': '', suppressed: 'false', record: '42' });
    expect(parsed.data[12]).toMatchObject({ detector: 'FLOWRULE', variant: '', 'evidence.rule': 'syn-only flow', 'evidence.syn_ratio': '1', 'evidence.value': '' });
    expect(parsed.data[13]).toMatchObject({ detector: 'ZSCORE', 'evidence.z': '38.947', 'evidence.samples': '3' });
    for (const row of parsed.data) expect(row.message).toBe(rows[parsed.data.indexOf(row)].message);
    // The header alone is the same with no rows.
    expect(toCsvHeader([])).toBe(toCsvHeader(csvColumns()));
  });

  it('CSV: original fields as field.<name>; formula-looking text defused, negative numbers kept', () => {
    const r = build([{ ...ALL[13] }, { ...ALL[13], ch: ['A', '=1+2', 'TCP'] }], {
      rowFields: [{ timestamp: '1', note: '<script>x</script>', n: '-1' }, { timestamp: '2', note: '@SUM(A1)', nested: { a: [1, 2] } }],
    });
    expect(rowFieldNames(r)).toEqual(['timestamp', 'note', 'n', 'nested']);
    const cols = csvColumns(rowFieldNames(r));
    const rows = alertRecords(r);
    const text = toCsv(rows, cols);
    expect(text).toBe([toCsvHeader(cols), ...rows.map((x) => toCsvRow(x, cols))].join('\n') + '\n');
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.data[0]).toMatchObject({ 'field.note': '<script>x</script>', 'field.n': '-1', 'field.nested': '' });
    expect(parsed.data[1]).toMatchObject({ dst: "'=1+2", 'field.note': "'@SUM(A1)", 'field.nested': '{"a":[1,2]}' });
  });
});

describe('flowsLines', () => {
  const F = (sport: number, extra: Partial<A> = {}): A => ({ ...ALL[12], sport, ...extra });
  it('one "(src, dst, sport, dport, proto)" per 5-tuple of the FLOWRULE alerts, first-seen order', () => {
    const r = build([F(1), ALL[0], F(2), F(1, { rule: 1 }), F(3, { suppressed: true }), F(2), F(1, { ch: ['10.0.0.20', '192.168.1.10', 'TCP'] })], {}, OPTIONS);
    expect(flowsLines(r, false)).toEqual([
      '(192.168.1.10, 10.0.0.20, 1, 80, TCP)',
      '(192.168.1.10, 10.0.0.20, 2, 80, TCP)',
      '(10.0.0.20, 192.168.1.10, 1, 80, TCP)',
    ]);
    expect(flowsLines(r, true)).toEqual([
      '(192.168.1.10, 10.0.0.20, 1, 80, TCP)',
      '(192.168.1.10, 10.0.0.20, 2, 80, TCP)',
      '(192.168.1.10, 10.0.0.20, 3, 80, TCP)',
      '(10.0.0.20, 192.168.1.10, 1, 80, TCP)',
    ]);
    expect(flowsLines(build([ALL[0], ALL[13]]), true)).toEqual([]);
  });
});

/** Packs marks the way the core writes them (abi MARK_*). */
function marks(list: { ts: number; src: number[]; dst: number[]; sport: number; dport: number; proto: number; flags: number; size: number; index: number; reasons: number[] }[]): Uint8Array {
  const b = new Uint8Array(list.length * MARK_STRIDE);
  const v = new DataView(b.buffer);
  list.forEach((m, k) => {
    const o = k * MARK_STRIDE;
    v.setBigInt64(o + MARK_TS_US, BigInt(m.ts), true);
    b.set(m.src, o + MARK_SRC);
    b.set(m.dst, o + MARK_DST);
    v.setUint16(o + MARK_SPORT, m.sport, true);
    v.setUint16(o + MARK_DPORT, m.dport, true);
    b[o + MARK_PROTO] = m.proto;
    b[o + MARK_TCP_FLAGS] = m.flags;
    v.setUint16(o + MARK_PROTO_LABEL, m.proto, true);
    v.setUint32(o + MARK_WIRE_LEN, m.size, true);
    v.setUint32(o + MARK_RECORD_INDEX, m.index, true);
    v.setUint32(o + MARK_REASONS, m.reasons.reduce((x, d) => x | (1 << d), 0), true);
  });
  return b;
}
const ip4 = (s: string) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...s.split('.').map(Number)];
const ip6 = (hex: string) => hex.match(/../g)!.map((h) => parseInt(h, 16));

describe('reasons', () => {
  it('names reasons in the fixed order BLACKLIST, PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL', () => {
    const all = (1 << DET_UNUSUAL) | (1 << DET_SYNFLOOD) | (1 << DET_LARGESIZE) | (1 << DET_PORTSCAN) | (1 << DET_BLACKLIST);
    expect(reasonNames(all)).toEqual(['BLACKLIST', 'PORTSCAN', 'LARGESIZE', 'SYNFLOOD', 'UNUSUAL']);
    expect(reasonNames((1 << DET_UNUSUAL) | (1 << DET_LARGESIZE))).toEqual(['LARGESIZE', 'UNUSUAL']);
    expect(reasonNames(1 << DET_ZSCORE)).toEqual([]);
  });

  it('writes marks of a capture as packet lines, one per reason, packets in input order', () => {
    const names = new NameTable();
    const buf = new Uint8Array(16);
    names.address('web-01', buf, 0); // node id 0
    const node0 = Array.from(buf);
    const r = build([], {
      marks: marks([
        { ts: 1678886400123456, src: ip4('192.168.1.100'), dst: ip4('10.0.0.60'), sport: 51000, dport: 80, proto: 6, flags: 2, size: 60, index: 2, reasons: [DET_BLACKLIST] },
        { ts: 1678886401000000, src: ip6('20010db8000000000000000000000001'), dst: ip4('10.0.0.20'), sport: 40000, dport: 1011, proto: 17, flags: 0, size: 60, index: 28, reasons: [DET_UNUSUAL, DET_PORTSCAN] },
        { ts: 1678886403000000, src: node0, dst: ip4('10.0.0.50'), sport: 52001, dport: 8080, proto: 6, flags: 8 | 16, size: 2000, index: 41, reasons: [DET_UNUSUAL, DET_LARGESIZE, DET_BLACKLIST] },
        { ts: 1678886404000000, src: ip4('10.0.0.1'), dst: ip4('10.0.0.2'), sport: 0, dport: 0, proto: 47, flags: 0, size: 1600, index: 50, reasons: [DET_LARGESIZE] },
      ]),
    });
    expect(markCount(r)).toBe(4);
    expect(reasonLines(r, names)).toEqual([
      'BLACKLIST,1678886400123,192.168.1.100,10.0.0.60,51000,80,TCP,60,SYN',
      'PORTSCAN,1678886401000,2001:db8::1,10.0.0.20,40000,1011,UDP,60,NONE',
      'UNUSUAL,1678886401000,2001:db8::1,10.0.0.20,40000,1011,UDP,60,NONE',
      'BLACKLIST,1678886403000,web-01,10.0.0.50,52001,8080,TCP,2000,PSH-ACK',
      'LARGESIZE,1678886403000,web-01,10.0.0.50,52001,8080,TCP,2000,PSH-ACK',
      'UNUSUAL,1678886403000,web-01,10.0.0.50,52001,8080,TCP,2000,PSH-ACK',
      'LARGESIZE,1678886404000,10.0.0.1,10.0.0.2,0,0,47,1600,NONE',
    ]);
    expect(reasonLines(build([]))).toEqual([]);
  });

  it('packet-line input: the original lines, exactly, re-read by their data-line index', async () => {
    const text = [
      '1678886400000,192.168.1.20,10.0.0.53,50001,53,UDP,74,NONE', // index 0
      '',
      '1678886400100,192.168.1.100,10.0.0.60,51000,80,tcp,60,SYN  ', // index 1, kept as written
      'not a packet', // index 2 (bad, never marked)
      '\t1678886400320,10.0.0.40,192.168.1.20,443,50000,TCP,9014,PSH-ACK', // index 3
      '1678886400500,192.168.1.40,10.0.0.70,53000,31337,TCP,60,SYN', // index 4
    ].join('\r\n') + '\r\n';
    const m = (index: number, reasons: number[]) => ({ ts: 0, src: ip4('1.1.1.1'), dst: ip4('2.2.2.2'), sport: 0, dport: 0, proto: 6, flags: 0, size: 0, index, reasons });
    const r = build([], { marks: marks([m(1, [DET_BLACKLIST]), m(3, [DET_LARGESIZE]), m(4, [DET_UNUSUAL, DET_SYNFLOOD])]) });
    for (const chunk of [1 << 20, 'random'] as const) {
      const out: string[] = [];
      const missing = await reasonLinesFromOriginal(r, streamOf(text, chunk, 9, 11), (l) => out.push(l));
      expect(missing).toBe(0);
      expect(out).toEqual([
        'BLACKLIST,1678886400100,192.168.1.100,10.0.0.60,51000,80,tcp,60,SYN  ',
        'LARGESIZE,\t1678886400320,10.0.0.40,192.168.1.20,443,50000,TCP,9014,PSH-ACK',
        'SYNFLOOD,1678886400500,192.168.1.40,10.0.0.70,53000,31337,TCP,60,SYN',
        'UNUSUAL,1678886400500,192.168.1.40,10.0.0.70,53000,31337,TCP,60,SYN',
      ]);
    }
    // A mark beyond the file's lines is reported as missing.
    const gone = build([], { marks: marks([m(1, [DET_BLACKLIST]), m(99, [DET_LARGESIZE])]) });
    const out: string[] = [];
    expect(await reasonLinesFromOriginal(gone, streamOf(text), (l) => out.push(l))).toBe(1);
    expect(out).toHaveLength(1);
  });
});
