// The alert collector on synthetic core output (records written at the abi offsets): episode
// NEW/UPDATE merging, the maxAlerts bound, flow windows judged into FLOWRULE alerts, rate limiting
// that keeps suppressed alerts, subjects (channels), marks and CSV rows.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT } from '../../src/shared/protocol';
import { AlertCollector } from '../../src/worker/alert-collector';
import { DetectorLimits } from '../../src/worker/limiter';
import { FlowRuleSet } from '../../src/rules/flow-rules';
import { NameTable } from '../../src/io/names';
import { alertRecords, markRecords, output, v4, windowRecords } from './core-records';

const A = v4('192.168.1.52');
const B = v4('192.168.1.34');
const C = v4('10.0.0.9');

describe('AlertCollector: episodes', () => {
  it('a NEW row is overwritten by its UPDATE; single-packet alerts append', () => {
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0 });
    c.take(output({
      alerts: alertRecords([
        { tsUs: 1000, src: A, dst: B, dport: 80, detector: abi.DET_SYNFLOOD, variant: abi.SYNFLOOD_DST, episode: 1, kind: abi.ALERT_KIND_NEW,
          value: 101, threshold: 100, windowS: 60, count: 101, peakRate: 101, aux: 1, severity: abi.SEV_LOW, score: 1.01, recordIndex: 7 },
        { tsUs: 1500, src: C, dst: B, detector: abi.DET_ZSCORE, score: -4.5, mean: 600, std: 20, samples: 30, size: 54, value: 54, threshold: 3, recordIndex: 9, recordOffset: 1234 },
      ]),
    }));
    c.take(output({
      alerts: alertRecords([
        { tsUs: 2000, src: A, dst: C, detector: abi.DET_PORTSCAN, episode: 2, kind: abi.ALERT_KIND_NEW, value: 11, threshold: 10, windowS: 60 },
        { tsUs: 1000, lastUs: 9000, src: A, dst: B, dport: 80, detector: abi.DET_SYNFLOOD, variant: abi.SYNFLOOD_DST, episode: 1, kind: abi.ALERT_KIND_UPDATE,
          value: 5870, threshold: 100, windowS: 60, count: 5870, peakRate: 5870, aux: 3, severity: abi.SEV_HIGH, score: 58.7, recordIndex: 7 },
      ]),
    }));
    const { alerts: a, channels } = c.finish(new NameTable());
    expect(a.count).toBe(3);
    expect(Array.from(a.detector)).toEqual([abi.DET_SYNFLOOD, abi.DET_ZSCORE, abi.DET_PORTSCAN]);
    expect(Array.from(a.episode)).toEqual([1, 0, 2]);
    // row 0: the UPDATE's final numbers, the NEW's first time and record
    expect([a.tsUs[0], a.lastUs[0], a.value[0], a.evidence[0], a.peakRate[0], a.aux[0], a.severity[0], a.score[0], a.recordIndex[0]]).toEqual([
      1000, 9000, 5870, 5870, 5870, 3, abi.SEV_HIGH, 58.7, 7,
    ]);
    expect([a.threshold[0], a.windowS[0], a.variant[0], a.dport[0]]).toEqual([100, 60, abi.SYNFLOOD_DST, 80]);
    // the z-score row keeps its baseline fields
    expect([a.score[1], a.mean[1], a.std[1], a.samples[1], a.size[1], a.recordIndex[1], a.recordOffset[1]]).toEqual([-4.5, 600, 20, 30, 54, 9, 1234]);
    expect(Array.from(a.rule)).toEqual([-1, -1, -1]);
    expect(a.features.length).toBe(3 * FEATURE_COUNT);
    expect(a.features.every(Number.isNaN)).toBe(true);
    expect(Array.from(a.suppressed)).toEqual([0, 0, 0]);
    expect(channels.map((ch) => [ch.src, ch.dst, ch.proto, ch.alerts])).toEqual([
      ['192.168.1.52', '192.168.1.34', 'TCP', 1],
      ['10.0.0.9', '192.168.1.34', 'TCP', 1],
      ['192.168.1.52', '10.0.0.9', 'TCP', 1],
    ]);
    expect(c.total).toBe(3);
    const counts = c.detectorCounts();
    expect(counts.SYNFLOOD).toEqual({ alerts: 1, suppressed: 0, evidencePackets: 0 });
    expect(counts.ZSCORE.alerts).toBe(1);
    expect(counts.PORTSCAN.alerts).toBe(1);
  });

  it('keeps at most maxAlerts rows; a dropped episode\'s UPDATE is ignored; counts stay complete', () => {
    const c = new AlertCollector({ maxAlerts: 2, maxTracePoints: 0 });
    c.take(output({
      alerts: alertRecords([
        { tsUs: 1, src: A, dst: B, detector: abi.DET_PORTSCAN, episode: 1, value: 11 },
        { tsUs: 2, src: A, dst: C, detector: abi.DET_PORTSCAN, episode: 2, value: 11 },
        { tsUs: 3, src: C, dst: B, detector: abi.DET_PORTSCAN, episode: 3, value: 11 },
        { tsUs: 3, src: C, dst: B, detector: abi.DET_PORTSCAN, episode: 3, kind: abi.ALERT_KIND_UPDATE, value: 999 },
        { tsUs: 1, src: A, dst: B, detector: abi.DET_PORTSCAN, episode: 1, kind: abi.ALERT_KIND_UPDATE, value: 50 },
        { tsUs: 4, src: C, dst: A, detector: abi.DET_ZSCORE },
      ]),
    }));
    const { alerts: a } = c.finish(new NameTable());
    expect(a.count).toBe(2);
    expect(Array.from(a.value)).toEqual([50, 11]);
    expect([c.total, c.dropped]).toEqual([4, 2]);
    expect(c.detectorCounts().PORTSCAN.alerts).toBe(3);
    expect(c.detectorCounts().ZSCORE.alerts).toBe(1);
  });

  it('an UPDATE whose NEW never came is taken as the whole episode', () => {
    const c = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0 });
    c.take(output({ alerts: alertRecords([{ tsUs: 5, src: A, dst: B, detector: abi.DET_LARGESIZE, episode: 4, kind: abi.ALERT_KIND_UPDATE, value: 9000 }]) }));
    const { alerts: a } = c.finish(new NameTable());
    expect([a.count, a.value[0], a.episode[0]]).toEqual([1, 9000, 4]);
  });

  it('a zero address (no single destination, e.g. SYNFLOOD spread) renders as ""', () => {
    const c = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0 });
    c.take(output({ alerts: alertRecords([{ tsUs: 5, detector: abi.DET_SYNFLOOD, variant: abi.SYNFLOOD_SPREAD, episode: 1 }]) }));
    const { channels } = c.finish(new NameTable());
    expect(channels[0]).toMatchObject({ src: '', dst: '', proto: 'TCP' });
  });
});

describe('AlertCollector: flow rules and limits', () => {
  const rules = new FlowRuleSet([
    { name: 'off', expr: 'packets > 0', severity: 'low', enabled: false },
    { name: 'fanout', expr: 'dst_ports > 100 and packets <= 8', severity: 'medium', enabled: true },
    { name: 'small', expr: 'mean_size < 100', severity: 'high', enabled: true },
  ]);

  it('each matching (window, rule) is a FLOWRULE alert with the window as subject and its features', () => {
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0, flowRules: rules, flowWindowS: 60 });
    c.take(output({
      windows: windowRecords([
        { firstUs: 10e6, lastUs: 10.5e6, orig: A, resp: B, origPort: 40000, respPort: 22, packets: 2, syn: 1, bytes: 120, dstPorts: 1000, firstRecord: 3, late: 1 },
        { firstUs: 11e6, lastUs: 20e6, orig: A, resp: C, origPort: 40001, respPort: 443, packets: 50, bytes: 50000, dstPorts: 2 },
      ], rules),
    }));
    expect([c.windows, c.matchedWindows]).toEqual([2, 1]);
    const { alerts: a, channels } = c.finish(new NameTable());
    expect(a.count).toBe(2); // window 0 matches both enabled rules, window 1 none
    expect(Array.from(a.detector)).toEqual([abi.DET_FLOWRULE, abi.DET_FLOWRULE]);
    expect(Array.from(a.rule)).toEqual([0, 1]); // indexes into rules.names = ['fanout', 'small']
    expect(rules.names).toEqual(['fanout', 'small']);
    expect(Array.from(a.severity)).toEqual([abi.SEV_MEDIUM, abi.SEV_HIGH]);
    expect([a.tsUs[0], a.lastUs[0], a.sport[0], a.dport[0], a.score[0], a.windowS[0], a.evidence[0], a.aux[0], a.recordIndex[0]]).toEqual([
      10e6, 10.5e6, 40000, 22, 1, 60, 2, 1, 3,
    ]);
    expect(Number.isNaN(a.value[0]) && Number.isNaN(a.threshold[0])).toBe(true);
    expect(Array.from(a.features.subarray(0, FEATURE_COUNT))).toEqual([2, 120, 60, 2, 120, 1000, 0.5]);
    expect(Array.from(a.features.subarray(FEATURE_COUNT))).toEqual([2, 120, 60, 2, 120, 1000, 0.5]);
    expect(channels.map((ch) => [ch.src, ch.dst, ch.alerts])).toEqual([['192.168.1.52', '192.168.1.34', 2]]);
  });

  it('the limiter marks alerts past 10 per 60 s suppressed but keeps them, and counts them', () => {
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0, flowRules: rules, flowWindowS: 60, limits: new DetectorLimits(DEFAULT_OPTIONS.limits) });
    const scan = Array.from({ length: 25 }, (_, i) => ({
      firstUs: 1e12 + i * 1e6, lastUs: 1e12 + i * 1e6, orig: A, resp: B, origPort: 50000, respPort: i + 1, packets: 2, bytes: 240, dstPorts: 500,
    }));
    c.take(output({ windows: windowRecords(scan.slice(0, 12), rules) }));
    c.take(output({ windows: windowRecords(scan.slice(12), rules) }));
    const { alerts: a } = c.finish(new NameTable());
    expect(a.count).toBe(25);
    expect(Array.from(a.suppressed)).toEqual([...Array(10).fill(0), ...Array(15).fill(1)]);
    expect(c.detectorCounts().FLOWRULE).toEqual({ alerts: 25, suppressed: 15, evidencePackets: 0 });
    // 60 s after the first report, reporting resumes.
    c.take(output({ windows: windowRecords([{ ...scan[0], firstUs: 1e12 + 60e6, lastUs: 1e12 + 60e6 }], rules) }));
    expect(c.finish(new NameTable()).alerts.suppressed[25]).toBe(0);
  });

  it('rule detector alerts are limited too when their limit is on', () => {
    const limits = new DetectorLimits({ ...DEFAULT_OPTIONS.limits, portscan: { enabled: true, max: 1, perS: 60 } });
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0, limits });
    c.take(output({
      alerts: alertRecords([
        { tsUs: 1e6, detector: abi.DET_PORTSCAN, episode: 1 },
        { tsUs: 2e6, detector: abi.DET_PORTSCAN, episode: 2 },
        { tsUs: 3e6, detector: abi.DET_ZSCORE },
        { tsUs: 2e6, detector: abi.DET_PORTSCAN, episode: 2, kind: abi.ALERT_KIND_UPDATE, value: 7 },
      ]),
    }));
    const { alerts: a } = c.finish(new NameTable());
    expect(Array.from(a.suppressed)).toEqual([0, 1, 0]);
    expect(a.value[1]).toBe(7); // a suppressed episode is still updated
  });

  it('without flow rules, windows are only counted', () => {
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0 });
    c.take(output({ windows: windowRecords([{ firstUs: 0, lastUs: 0, packets: 1, bytes: 60, dstPorts: 999 }]) }));
    expect([c.windows, c.total]).toEqual([1, 0]);
  });
});

describe('AlertCollector: marks and rows', () => {
  it('collects raw marks in input order across drains only when asked (64 B each)', () => {
    const c = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0, collectMarks: true });
    c.take(output({ marks: markRecords(0, 100, 1 << abi.DET_SYNFLOOD) }));
    c.take(output({ marks: markRecords(100, 3, (1 << abi.DET_PORTSCAN) | (1 << abi.DET_SYNFLOOD)) }));
    const m = c.takeMarks();
    expect(m.length).toBe(103 * abi.MARK_STRIDE);
    const v = new DataView(m.buffer);
    for (let i = 0; i < 103; i++) expect(v.getUint32(i * abi.MARK_STRIDE + abi.MARK_RECORD_INDEX, true)).toBe(i);
    expect(v.getUint32(102 * abi.MARK_STRIDE + abi.MARK_REASONS, true)).toBe((1 << abi.DET_PORTSCAN) | (1 << abi.DET_SYNFLOOD));
    const off = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0 });
    off.take(output({ marks: markRecords(0, 5, 2) }));
    expect(off.takeMarks().length).toBe(0);
  });

  it('rowFields stay aligned with the alert columns (rows mode), {} when the row is gone', () => {
    const any = new FlowRuleSet([{ name: 'any', expr: 'packets > 0', severity: 'low', enabled: true }]);
    const c = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0, flowRules: any });
    const rec = new Uint8Array(2 * abi.REC_STRIDE);
    new DataView(rec.buffer).setUint32(abi.REC_INDEX, 5, true);
    new DataView(rec.buffer).setUint32(abi.REC_STRIDE + abi.REC_INDEX, 6, true);
    c.setRows([{ n: 'five' }, { n: 'six' }], rec, 2);
    c.take(output({ alerts: alertRecords([{ tsUs: 1, detector: abi.DET_ZSCORE, recordIndex: 6 }]) }));
    c.setRows([], new Uint8Array(0), 0);
    c.take(output({ windows: windowRecords([{ firstUs: 0, lastUs: 0, packets: 1, bytes: 60, firstRecord: 5 }], any) }));
    const { alerts, rowFields } = c.finish(new NameTable());
    expect(alerts.count).toBe(2);
    expect(rowFields).toEqual([{ n: 'six' }, {}]);
  });

  it('finish() hands every column buffer over for transfer', () => {
    const c = new AlertCollector({ maxAlerts: 10, maxTracePoints: 0 });
    c.take(output({ alerts: alertRecords([{ tsUs: 1, detector: abi.DET_ZSCORE }]) }));
    const { alerts, transfer } = c.finish(new NameTable());
    const views = Object.values(alerts).filter((x) => ArrayBuffer.isView(x));
    expect(views.length).toBe(25);
    expect(new Set(transfer)).toEqual(new Set(views.map((x) => (x as Uint8Array).buffer)));
  });
});

describe('AlertCollector: host alerts and the warm-up drop', () => {
  const key = (src: Uint8Array, dst: Uint8Array, proto: number) => {
    const k = new Uint8Array(abi.TRACE_KEY_BYTES);
    k.set(src, 0);
    k.set(dst, 16);
    new DataView(k.buffer).setUint32(32, proto, true);
    return k;
  };
  const host = (tsUs: number, aux: number) => ({
    detector: abi.DET_PROFILE, variant: 2, severity: abi.SEV_MEDIUM, key: key(A, B, 6), tsUs, lastUs: tsUs + 10, score: 0.85, value: 0.85,
    threshold: 0.8, windowS: 0, evidence: 4, peakRate: NaN, aux, size: NaN, mean: 420, std: 0.3, samples: 50, recordIndex: 3, sport: 5000, dport: 22,
  });

  it('addHostAlert appends a row through the limiter and maxAlerts, with every column as given', () => {
    const c = new AlertCollector({ maxAlerts: 2, maxTracePoints: 0, limits: new DetectorLimits({ ...DEFAULT_OPTIONS.limits, profile: { enabled: true, max: 1, perS: 60 } }) });
    expect(c.addHostAlert(host(1000, 0))).toBe(0);
    expect(c.addHostAlert(host(2000, 1))).toBe(1);
    expect(c.addHostAlert(host(3000, 2))).toBe(-1); // counted, not kept
    const { alerts: a, channels } = c.finish(new NameTable());
    expect(a.count).toBe(2);
    expect(c.total).toBe(3);
    expect(c.dropped).toBe(1);
    expect(Array.from(a.suppressed)).toEqual([0, 1]);
    expect(c.detectorCounts().PROFILE).toEqual({ alerts: 3, suppressed: 2, evidencePackets: 0 });
    expect([a.detector[1], a.variant[1], a.severity[1], a.tsUs[1], a.lastUs[1], a.value[1], a.threshold[1], a.aux[1], a.mean[1], a.std[1], a.samples[1], a.recordIndex[1], a.sport[1], a.dport[1], a.episode[1], a.rule[1], a.recordOffset[1]])
      .toEqual([abi.DET_PROFILE, 2, abi.SEV_MEDIUM, 2000, 2010, 0.85, 0.8, 1, 420, 0.3, 50, 3, 5000, 22, 0, -1, -1]);
    expect(Number.isNaN(a.features[FEATURE_COUNT])).toBe(true);
    expect(channels).toEqual([{ src: '192.168.1.52', dst: '192.168.1.34', proto: 'TCP', key: key(A, B, 6), alerts: 2 }]);
  });

  it('dropBefore removes the named detectors\' rows before the end and uncounts them, keeping the rest in order', () => {
    const c = new AlertCollector({ maxAlerts: 100, maxTracePoints: 0, limits: new DetectorLimits({ ...DEFAULT_OPTIONS.limits, spike: { enabled: true, max: 1, perS: 1000 } }) });
    c.take(output({
      alerts: alertRecords([
        { tsUs: 1000, src: A, dst: B, detector: abi.DET_SPIKE, episode: 1, kind: abi.ALERT_KIND_NEW, value: 5 },
        { tsUs: 1500, src: C, dst: B, detector: abi.DET_ZSCORE, score: 4, value: 4, recordIndex: 1 },
        { tsUs: 2000, src: C, dst: A, detector: abi.DET_SPIKE, episode: 2, kind: abi.ALERT_KIND_NEW, value: 6 },
        { tsUs: 2500, src: A, dst: C, detector: abi.DET_LATENCY, episode: 3, kind: abi.ALERT_KIND_NEW, value: 7 },
        { tsUs: 9000, src: A, dst: B, detector: abi.DET_SPIKE, episode: 4, kind: abi.ALERT_KIND_NEW, value: 8 },
      ]),
    }));
    const dropped = c.dropBefore([abi.DET_SPIKE, abi.DET_LATENCY, abi.DET_PROTOSHIFT, abi.DET_LONGCONN], 5000);
    expect(dropped).toEqual({ SPIKE: 2, LATENCY: 1, PROTOSHIFT: 0, LONGCONN: 0 });
    expect(c.total).toBe(2);
    const counts = c.detectorCounts();
    expect(counts.SPIKE).toEqual({ alerts: 1, suppressed: 1, evidencePackets: 0 }); // 2000 (suppressed) is dropped; 9000 stays, suppressed
    expect(counts.LATENCY.alerts).toBe(0);
    expect(counts.ZSCORE.alerts).toBe(1);
    const { alerts: a, channels } = c.finish(new NameTable());
    expect(Array.from(a.detector)).toEqual([abi.DET_ZSCORE, abi.DET_SPIKE]);
    expect(Array.from(a.tsUs)).toEqual([1500, 9000]);
    expect(Array.from(a.value)).toEqual([4, 8]);
    expect(a.features.length).toBe(2 * FEATURE_COUNT);
    expect(channels.map((ch) => ch.alerts)).toEqual([1, 1, 0, 0]);
  });
});
