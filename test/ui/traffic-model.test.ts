// The overview / tabs models (src/ui/traffic-model.ts) on real captures analysed in node, with
// cross-checks computed independently here: host byte totals against the conns' totals, the top
// flow against a plain max, range filters against a plain overlap test, shares summing to 1.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { TIMELINE_CLASSES, type AnalysisResult, type ConnColumns, type TrafficTimeline } from '../../src/shared/protocol';
import * as abi from '../../src/shared/abi';
import { tallyAlerts } from '../../src/ui/alert-filter';
import { formatUtcUs } from '../../src/ui/format';
import {
  alertMatrix, alertsByFiveTuple, alertsInRange, binsInRange, captureRates, classShares, classTotals, classTotalsOfFlows,
  connHistory, flowKey, flowsInRange, hostAlertCounts, hostRows, makeRange, parseUtcUs, skippedReasons, stackShares,
  timelineRates, topFlows, topServices, utcTicks,
} from '../../src/ui/traffic-model';
import { DATA, newEngine } from '../helpers/core';

async function analyse(path: string): Promise<AnalysisResult> {
  const o = defaultOptions();
  o.seed = 1;
  return (await analyzeBlob(await newEngine(), new Blob([readFileSync(DATA + path)]), path, o)).result;
}

const SCAN = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const SMTP = 'normal/zeek_smtp.pcap';

function allIdx(c: ConnColumns): number[] {
  return Array.from({ length: c.count }, (_, i) => i);
}

describe('traffic model on real captures', () => {
  let scan: AnalysisResult;
  let smtp: AnalysisResult;
  beforeAll(async () => {
    scan = await analyse(SCAN);
    smtp = await analyse(SMTP);
  }, 60_000);

  it('range filter of flows = a plain overlap test; the whole span keeps every flow', () => {
    const c = scan.conns!;
    expect(flowsInRange(c, null).length).toBe(c.count);
    expect(flowsInRange(c, makeRange(scan.summary.tsFirstUs, scan.summary.tsLastUs)).length).toBe(c.count);
    // MANIFEST: the SYN probes run 18:58:34.958 → 18:58:36.196; take the middle 0.3 s
    const from = scan.summary.tsFirstUs + 500_000;
    const to = from + 300_000;
    const got = Array.from(flowsInRange(c, makeRange(to, from))); // either order
    const want = allIdx(c).filter((i) => c.firstUs[i] <= to && c.lastUs[i] >= from);
    expect(got).toEqual(want);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(c.count);
    // alerts in that range narrow too, and match a plain count
    const a = scan.alerts;
    let n = 0;
    for (let i = 0; i < a.count; i++) if (a.tsUs[i] <= to && a.lastUs[i] >= from) n++;
    expect(alertsInRange(scan, makeRange(from, to)).all).toBe(n);
    expect(n).toBeLessThan(a.count);
    expect(alertsInRange(scan, null).all).toBe(a.count);
  });

  it('top flows by bytes / packets / duration: the first is the independent max, order descending, matched counted', () => {
    const c = smtp.conns!;
    for (const by of ['bytes', 'packets', 'duration'] as const) {
      const val = (i: number) => (by === 'bytes' ? c.bytesOrig[i] + c.bytesResp[i] : by === 'packets' ? c.pktsOrig[i] + c.pktsResp[i] : c.lastUs[i] - c.firstUs[i]);
      const max = Math.max(...allIdx(c).map(val));
      const { rows, matched } = topFlows(c, flowsInRange(c, null), by, 3);
      expect(matched).toBe(c.count);
      expect(rows).toHaveLength(3);
      expect(val(rows[0])).toBe(max);
      for (let k = 1; k < rows.length; k++) expect(val(rows[k - 1])).toBeGreaterThanOrEqual(val(rows[k]));
    }
    // the SMTP session 10.10.1.4:1470 → 74.53.140.153:25 is the largest flow of the capture
    const top = topFlows(c, flowsInRange(c, null), 'bytes', 1).rows[0];
    expect([c.names[c.orig[top]], c.origPort[top], c.respPort[top]]).toEqual(['10.10.1.4', 1470, 25]);
  });

  it('Zeek-style history: the complete SMTP session, the rejected scan probes', () => {
    const c = smtp.conns!;
    const i = [...c.origPort].indexOf(1470);
    expect(c.state[i]).toBe(abi.CONN_STATE_SF);
    expect(connHistory(c, i)).toBe('ShAaDdFf');
    // SYN scan: 995 closed ports answered RST/ACK (REJ): Zeek writes "Sr"
    const s = scan.conns!;
    const rej = allIdx(s).filter((k) => s.state[k] === abi.CONN_STATE_REJ);
    expect(rej.length).toBe(995);
    expect(new Set(rej.map((k) => connHistory(s, k)))).toEqual(new Set(['Sr']));
    // UDP flows have no history
    const udp = allIdx(s).find((k) => s.proto[k] === 17)!;
    expect(connHistory(s, udp)).toBe('-');
  });

  it('hosts: byte and flow totals add up to the conns, peers and alerts are right for the scanner', () => {
    const c = scan.conns!;
    const rows = hostRows(scan, c, flowsInRange(c, null), null);
    let bytes = 0;
    for (let i = 0; i < c.count; i++) bytes += c.bytesOrig[i] + c.bytesResp[i];
    expect(rows.reduce((n, h) => n + h.bytesSent, 0)).toBe(bytes);
    expect(rows.reduce((n, h) => n + h.bytesReceived, 0)).toBe(bytes);
    expect(rows.reduce((n, h) => n + h.flowsOrig, 0)).toBe(c.count);
    expect(rows.reduce((n, h) => n + h.flowsResp, 0)).toBe(c.count);
    for (let k = 1; k < rows.length; k++) expect(rows[k - 1].bytesSent + rows[k - 1].bytesReceived).toBeGreaterThanOrEqual(rows[k].bytesSent + rows[k].bytesReceived);
    const scanner = rows.find((h) => h.address === '192.168.1.10')!;
    // MANIFEST: 1002 SYN probes from 192.168.1.10 to 192.168.1.25 (one flow per probed port)
    expect(scanner.flowsOrig).toBe(1002);
    expect(scanner.peers).toBe(1);
    // every alert of this capture names the scanner pair; check against a plain count
    let named = 0;
    for (let i = 0; i < scan.alerts.count; i++) {
      const ch = scan.channels[scan.alerts.channel[i]];
      if (scan.alerts.detector[i] !== abi.DET_PROTOSHIFT && (ch.src === '192.168.1.10' || ch.dst === '192.168.1.10')) named++;
    }
    expect(named).toBeGreaterThan(0);
    expect(scanner.alerts).toBe(named);
    expect(hostAlertCounts(scan, null).get('192.168.1.10')).toBe(named);
    // a range before the capture: no alerts
    expect(hostAlertCounts(scan, makeRange(0, 1)).size).toBe(0);
  });

  it('alerts by 5-tuple: every port-carrying alert of the scan lands on a flow of the capture', () => {
    const c = scan.conns!;
    const byTuple = alertsByFiveTuple(scan);
    let onFlows = 0;
    const keys = new Set(allIdx(c).map((i) => flowKey(c, i)));
    for (const [k, n] of byTuple) if (keys.has(k)) onFlows += n;
    let withPorts = 0;
    for (let i = 0; i < scan.alerts.count; i++) if ((scan.alerts.sport[i] || scan.alerts.dport[i]) && scan.alerts.detector[i] !== abi.DET_PROTOSHIFT) withPorts++;
    expect(withPorts).toBeGreaterThan(900);
    expect(onFlows).toBe(withPorts);
  });

  it('class totals and services of the flows: packets add up to the decoded packets', () => {
    const c = smtp.conns!;
    const cls = classTotalsOfFlows(c, flowsInRange(c, null));
    expect(cls.map((r) => r.name)).toEqual([...TIMELINE_CLASSES]);
    expect(cls.reduce((n, r) => n + r.packets, 0)).toBe(smtp.summary.packetsDecoded);
    expect(cls[0].packets).toBe(smtp.summary.tcp);
    const svc = topServices(c, flowsInRange(c, null), 10);
    expect(svc.reduce((n, r) => n + r.flows, 0)).toBe(c.count);
    expect(svc.find((r) => r.label === 'tcp/25')?.flows).toBeGreaterThanOrEqual(1);
  });

  it('alert matrix: detector × severity sums to the alerts and agrees with tallyAlerts', () => {
    const m = alertMatrix(scan);
    const tallies = tallyAlerts(scan);
    expect(m.detectors).toEqual(tallies.map((t) => t.name));
    expect(m.counts.flat().reduce((a, b) => a + b, 0)).toBe(scan.alerts.count);
    m.detectors.forEach((_, d) => {
      const t = tallies[d];
      expect(m.counts[d][m.severities.indexOf('high')]).toBe(t.high);
      expect(m.counts[d][m.severities.indexOf('medium')]).toBe(t.medium);
      expect(m.counts[d][m.severities.indexOf('low')]).toBe(t.low);
    });
  });

  it('the core timeline: shares sum to 1 per non-empty bin, class totals = the summary, a range narrows them', () => {
    for (const r of [scan, smtp]) {
      const t = r.timeline!;
      expect(t.bins).toBeGreaterThan(1);
      const s = classShares(t);
      let nonEmpty = 0;
      for (let k = 0; k < t.bins; k++) {
        const col = s.map((row) => row[k]);
        if (t.packets[k] === 0) expect(col.every((v) => v === null)).toBe(true);
        else {
          nonEmpty++;
          expect(col.reduce((a, b) => a! + b!, 0)).toBeCloseTo(1, 12);
        }
      }
      expect(nonEmpty).toBeGreaterThan(0);
      const tot = classTotals(t, null);
      expect(tot.reduce((n, x) => n + x.packets, 0)).toBe(r.summary.packetsDecoded);
      expect(tot.reduce((n, x) => n + x.bytes, 0)).toBe(r.summary.bytesDecoded);
      expect(tot[0].packets).toBe(r.summary.tcp);
      expect(tot[1].packets).toBe(r.summary.udp);
      // the bytes of the flows and of the bins agree (every decoded packet is in one flow)
      expect(classTotalsOfFlows(r.conns!, flowsInRange(r.conns!, null)).reduce((n, x) => n + x.bytes, 0)).toBe(r.summary.bytesDecoded);
      const rates = timelineRates(t);
      let pk = 0;
      for (let k = 0; k < t.bins; k++) pk += (rates.pps[k] * t.binUs) / 1e6;
      expect(pk).toBeCloseTo(r.summary.packetsDecoded, 6);
    }
    // half of the scan's span holds fewer packets than the whole
    const t = scan.timeline!;
    const mid = makeRange(scan.summary.tsFirstUs, scan.summary.tsFirstUs + (scan.summary.tsLastUs - scan.summary.tsFirstUs) / 2);
    const half = classTotals(t, mid).reduce((n, x) => n + x.packets, 0);
    expect(half).toBeGreaterThan(0);
    expect(half).toBeLessThan(scan.summary.packetsDecoded);
  });

  it('skipped reasons and capture rates from the summary', () => {
    const sk = skippedReasons(scan);
    // MANIFEST: 2020 records, 2011 IPv4, 9 non-IP frames
    expect(sk.find((s) => s.key === 'notIp')!.count).toBe(9);
    expect(sk.reduce((n, s) => n + s.count, 0) + scan.summary.packetsDecoded).toBe(scan.summary.recordsRead);
    const rates = captureRates(scan);
    expect(rates.spanUs).toBeCloseTo(1.241e6, -4);
    expect(rates.packetsPerS).toBeCloseTo(2011 / (rates.spanUs / 1e6), 6);
  });
});

/** A hand-built timeline (until the core's lands on this branch): 4 bins of 1 s, bin 2 empty. */
function handTimeline(): TrafficTimeline {
  const cls = [
    [10, 0, 0, 5],
    [5, 2, 0, 5],
    [0, 0, 0, 0],
    [5, 0, 0, 0],
    [0, 2, 0, 0],
  ];
  const packets = Float64Array.from([20, 4, 0, 10]);
  return {
    binUs: 1e6,
    startUs: 1_000_000_000_000,
    bins: 4,
    packets,
    bytes: Float64Array.from([2000, 400, 0, 1000]),
    classPackets: cls.map((r) => Float64Array.from(r)),
    classBytes: cls.map((r) => Float64Array.from(r, (v) => v * 100)),
  };
}

describe('timeline models', () => {
  it('rates per second from bins', () => {
    const t = handTimeline();
    t.binUs = 500_000;
    const r = timelineRates(t);
    expect(r.pps).toEqual([40, 8, 0, 20]);
    expect(r.bps).toEqual([4000, 800, 0, 2000]);
    expect(r.xS[1] - r.xS[0]).toBeCloseTo(0.5, 9);
  });

  it('shares sum to 1 per non-empty bin, null in empty bins; stacked rows end at 1', () => {
    const t = handTimeline();
    const s = classShares(t);
    for (let k = 0; k < t.bins; k++) {
      const col = s.map((row) => row[k]);
      if (t.packets[k] === 0) expect(col.every((v) => v === null)).toBe(true);
      else expect(col.reduce((a, b) => a! + b!, 0)).toBeCloseTo(1, 12);
    }
    expect(s[0][0]).toBeCloseTo(0.5, 12);
    const st = stackShares(s);
    expect(st[4][0]).toBeCloseTo(1, 12);
    expect(st[4][2]).toBeNull();
  });

  it('bins in a range and class totals over them', () => {
    const t = handTimeline();
    expect(binsInRange(t, null)).toEqual([0, 4]);
    expect(binsInRange(t, makeRange(t.startUs + 1.5e6, t.startUs + 3.2e6))).toEqual([1, 4]);
    expect(binsInRange(t, makeRange(t.startUs - 5e6, t.startUs - 1e6))).toEqual([0, 0]);
    const tot = classTotals(t, makeRange(t.startUs + 1.5e6, t.startUs + 3.2e6));
    expect(tot.map((r) => r.packets)).toEqual([5, 7, 0, 0, 2]); // bins 1..3 of each class row
    expect(classTotals(t, null).reduce((n, r) => n + r.packets, 0)).toBe(34);
  });
});

describe('UTC input parsing', () => {
  it('reads back what formatUtcUs writes, to the microsecond', () => {
    for (const us of [1_231_009_114_958_123, 0, 1_700_000_000_000_001]) expect(parseUtcUs(formatUtcUs(us))).toBe(us);
    expect(parseUtcUs('2009-01-03 18:58:35')).toBe(Date.UTC(2009, 0, 3, 18, 58, 35) * 1000);
    expect(parseUtcUs('2009-01-03T18:58:35.5Z')).toBe(Date.UTC(2009, 0, 3, 18, 58, 35) * 1000 + 500_000);
    expect(parseUtcUs('yesterday')).toBeNull();
    expect(parseUtcUs('2009-13-45T99:00:00Z')).toBeNull();
  });
});

describe('UTC tick labels', () => {
  it('time of day to the ms under 10 s (date on the first), to the s under a day, date + minute beyond', () => {
    const t0 = Date.UTC(2009, 0, 3, 18, 58, 35, 250) / 1000;
    expect(utcTicks([t0, t0 + 0.5], 1.2)).toEqual(['18:58:35.250\n2009-01-03', '18:58:35.750']);
    expect(utcTicks([t0, t0 + 60], 3600)).toEqual(['18:58:35\n2009-01-03', '18:59:35']);
    expect(utcTicks([t0], 86400 * 30)).toEqual(['2009-01-03 18:58']);
  });
});
