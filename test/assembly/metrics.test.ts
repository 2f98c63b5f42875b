// SPIKE and PROTOSHIFT (assembly/detect/metrics.ts, detect/baseline.ts) through the whole core:
// the baseline arithmetic against direct computations, the core against the plain reference
// (test/reference/metrics.ts) on random streams (out of order, late packets, gaps of many windows
// and new sessions, churning services, bursts) and on real captures, the issue's flood captures
// (MANIFEST.md ground truth) and the benign ones, the trace, flush and sweep, the memory cap and
// the off switches.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA } from '../helpers/core';
import type { PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';
import { readCapturePackets, v4 } from '../reference/scan-core';
import {
  bUpdate, bZeros, DEFAULT_METRICS, metricsConfigIds, mexp2, mlog2, newBaseline, referenceMetrics, type MetricsConfig,
  type MetricsResult, type RefEpisode,
} from '../reference/metrics';
import { metricPackets, ONLY_METRICS, packRows, runMetrics, type CoreEpisode, type MetricsRun } from '../reference/metrics-run';

const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };
const SF = 'attacks/synflood/';
const AMP = 'attacks/ddos_amplification/';
/** The benign capture of the same lab LAN as evgenii_syn_flood: what the learned runs learn from. */
const LEARN = 'normal/evgenii_no_flood.pcap';

function capture(rel: string): Uint8Array {
  const b = readFileSync(DATA + rel);
  return new Uint8Array(rel.endsWith('.gz') ? gunzipSync(b) : b);
}

/** 16-byte address of the reference reader's text (dotted quad or 32 hex digits). */
function addrBytes(s: string): Uint8Array {
  if (s.includes('.')) return v4(s);
  const a = new Uint8Array(16);
  for (let i = 0; i < 16; i++) a[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return a;
}

/** The decoded packets of a capture as packet rows (for streams built from several captures). */
function captureRows(rel: string): PacketRow[] {
  return readCapturePackets(capture(rel)).map((p) => ({
    ts: p.tsUs, src: addrBytes(p.src), dst: addrBytes(p.dst), sport: p.sport, dport: p.dport, proto: p.proto, flags: p.flags, size: p.size,
    vlan: p.vlan ?? 0,
  }));
}

/**
 * A stream that learns first: the packets of `learn` shifted in time to end 12 s (more than one
 * 10-s window) before the first packet of `attack`, then the attack's packets as they are. The
 * learned part is stated in every test that uses it (LEARN).
 */
function learnedRows(learn: string, attack: string): { rows: PacketRow[]; attackFrom: number; attackStartUs: number } {
  const l = captureRows(learn);
  const a = captureRows(attack);
  const a0 = Math.min(...a.map((r) => r.ts));
  const l1 = Math.max(...l.map((r) => r.ts));
  const shift = a0 - 12e6 - l1;
  return { rows: [...l.map((r) => ({ ...r, ts: r.ts + shift })), ...a], attackFrom: l.length, attackStartUs: a0 };
}

const strip = (e: CoreEpisode): RefEpisode => {
  const { episode: _e, closed: _c, kinds: _k, newThreshold: _t, newSeverity: _s, ...rest } = e;
  return rest;
};
const byStart = (a: RefEpisode, b: RefEpisode) => a.firstIndex - b.firstIndex || a.detector - b.detector || a.variant - b.variant || a.aux - b.aux || a.dst.localeCompare(b.dst);

/** The core and the reference agree: every episode field, every SPIKE mark, the counters. */
function expectAgreement(core: MetricsRun, ref: MetricsResult, n: number): void {
  expect(core.episodes.every((e) => e.closed)).toBe(true);
  expect(core.episodes.map(strip).sort(byStart)).toEqual([...ref.episodes].sort(byStart));
  const refMarks: number[] = [];
  ref.marks.forEach((m, i) => m && refMarks.push(i)); // packed rows: record index = position
  expect([...core.spikeMarks].sort((a, b) => a - b).slice(0, 50)).toEqual(refMarks.slice(0, 50));
  expect(core.spikeMarks.size).toBe(refMarks.length);
  expect(core.counters[abi.C_MARKS_SPIKE]).toBe(refMarks.length);
  expect(core.counters[abi.C_METRIC_WINDOWS]).toBe(ref.windows);
  expect(core.counters[abi.C_METRIC_LATE]).toBe(ref.late);
  expect(core.counters[abi.C_METRIC_SESSIONS]).toBe(ref.sessions);
  expect(core.counters[abi.C_ALERTS_SPIKE]).toBe(ref.episodes.filter((e) => e.detector === abi.DET_SPIKE).length);
  expect(core.counters[abi.C_ALERTS_PROTOSHIFT]).toBe(ref.episodes.filter((e) => e.detector === abi.DET_PROTOSHIFT).length);
  expect(n).toBeGreaterThan(0);
}

async function runRows(rows: PacketRow[], c: MetricsConfig, extra: Record<number, number> = {}, traceKey?: Uint8Array, chunk?: number) {
  return runMetrics(packRows(rows), { ...ONLY_METRICS, ...RECORDS, ...metricsConfigIds(c), ...extra }, traceKey, chunk);
}

const spikes = <T extends RefEpisode>(eps: T[], variant?: number): T[] =>
  eps.filter((e) => e.detector === abi.DET_SPIKE && (variant === undefined || e.variant === variant));
const shifts = <T extends RefEpisode>(eps: T[], variant?: number): T[] =>
  eps.filter((e) => e.detector === abi.DET_PROTOSHIFT && (variant === undefined || e.variant === variant));

// ---------------------------------------------------------------- baseline arithmetic

describe('baseline arithmetic (detect/baseline.ts, mirrored by the reference)', () => {
  /** Direct weighted mean and variance: equal weights for the first m samples (scaled by
   *  (1 - a)^(n - m)), a(1 - a)^(n - j) for the later ones; m = the last n with 1/n > a. */
  function direct(xs: number[], alpha: number): { mean: number; v: number } {
    const n = xs.length;
    let m = 0;
    while (m < n && 1 / (m + 1) > alpha) m++;
    const w = xs.map((_, j) => (j < m ? (1 - alpha) ** (n - m) / m : alpha * (1 - alpha) ** (n - 1 - j)));
    const sw = w.reduce((s, x) => s + x, 0);
    const mean = xs.reduce((s, x, j) => s + w[j] * x, 0) / sw;
    const v = xs.reduce((s, x, j) => s + w[j] * (x - mean) ** 2, 0) / sw;
    return { mean, v };
  }

  it('EWMA mean and variance with the equal-weight start-up equal the weighted two-pass values', () => {
    const r = rng(11);
    for (const span of [1, 2, 7, 60, 200]) {
      const alpha = 2 / (span + 1);
      const b = newBaseline();
      const xs: number[] = [];
      for (let i = 0; i < 300; i++) {
        const x = r() < 0.2 ? 0 : Math.exp(r() * 10);
        xs.push(x);
        bUpdate(b, x, alpha);
        const d = direct(xs, alpha);
        expect(b.n).toBe(xs.length);
        expect(Math.abs(b.mean - d.mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(d.mean)));
        expect(Math.abs(b.s - d.v)).toBeLessThanOrEqual(1e-9 * Math.max(1, d.v));
      }
    }
  });

  it('the closed form of k quiet windows equals k updates of 0 (across the start-up too)', () => {
    const r = rng(12);
    for (let t = 0; t < 200; t++) {
      const alpha = 2 / (1 + Math.floor(1 + r() * 100));
      const a = newBaseline();
      const n0 = Math.floor(r() * 80);
      for (let i = 0; i < n0; i++) bUpdate(a, r() * 1e4, alpha);
      const b = { ...a };
      const k = Math.floor(r() * 300);
      bZeros(a, k, alpha);
      for (let i = 0; i < k; i++) bUpdate(b, 0, alpha);
      expect(a.n).toBe(b.n);
      expect(Math.abs(a.mean - b.mean)).toBeLessThanOrEqual(1e-9 * Math.max(1e-300, Math.abs(b.mean)) + 1e-300);
      expect(Math.abs(a.s - b.s)).toBeLessThanOrEqual(1e-9 * Math.max(1e-300, b.s) + 1e-300);
    }
  });

  it("Mitchell's log2 is within 0.087 of log2, exact at powers of two, monotone, and mexp2 inverts it", () => {
    const r = rng(13);
    let prev = -Infinity;
    for (let i = 0; i < 5000; i++) {
      const x = 2 ** (r() * 80 - 20);
      expect(Math.abs(mlog2(x) - Math.log2(x))).toBeLessThan(0.087);
      expect(Math.abs(mexp2(mlog2(x)) - x)).toBeLessThanOrEqual(1e-13 * x);
    }
    for (let e = -30; e < 60; e++) expect(mlog2(2 ** e)).toBe(e);
    for (let x = 1; x < 5000; x += 1) {
      const l = mlog2(x);
      expect(l).toBeGreaterThan(prev);
      prev = l;
    }
  });
});

// ---------------------------------------------------------------- random streams

interface StreamOpts {
  seed: number;
  packets: number;
  dsts: number;
  /** Fraction of packets sent back in time, and how far (µs). */
  disorder: number;
  disorderUs: number;
  /** Probability of a silence of many windows before a packet, and its length (µs). */
  gapP: number;
  gapUs: number;
}

/** A random stream: a few clients and servers, TCP/UDP/ICMP/other, services churning, bursts to
 *  one destination, packets out of order (some beyond the lateness: late), long silences. */
function randomRows(o: StreamOpts): PacketRow[] {
  const r = rng(o.seed);
  const rows: PacketRow[] = [];
  let t = 1_600_000_000_000_000 + Math.floor(r() * 1e9);
  let burstLeft = 0;
  let burstDst = 0;
  let burstProto = 17;
  for (let i = 0; i < o.packets; i++) {
    t += Math.floor(r() * r() * 60_000);
    if (r() < o.gapP) t += Math.floor(o.gapUs * (0.2 + r()));
    if (burstLeft === 0 && r() < 0.004) {
      burstLeft = 50 + Math.floor(r() * 600);
      burstDst = Math.floor(r() * (o.dsts + 3));
      burstProto = [6, 17, 1, 58, 47][Math.floor(r() * 5)];
    }
    const inBurst = burstLeft > 0;
    if (inBurst) burstLeft--;
    const dst = inBurst ? burstDst : Math.floor(r() * r() * o.dsts);
    const proto = inBurst ? burstProto : r() < 0.7 ? 6 : r() < 0.8 ? 17 : r() < 0.5 ? 1 : 58;
    const server = inBurst ? 53 : [80, 443, 22, 25][Math.floor(r() * 4)] + (r() < 0.05 ? Math.floor(r() * 60) : 0);
    const client = 1024 + Math.floor(r() * 40);
    const reply = !inBurst && r() < 0.4;
    const back = r() < o.disorder ? Math.floor(r() * o.disorderUs) : 0;
    const cl = v4(`10.0.${Math.floor(r() * 3)}.${1 + Math.floor(r() * 6)}`);
    const sv = v4(`10.9.0.${1 + dst}`);
    rows.push({
      ts: t - back,
      src: reply ? sv : cl,
      dst: reply ? cl : sv,
      sport: reply ? server : client,
      dport: reply ? client : server,
      proto,
      flags: proto === 6 ? (r() < 0.1 ? 2 : 16) : 0,
      size: inBurst ? 200 + Math.floor(r() * 1300) : r() < 0.01 ? 0 : 40 + Math.floor(r() * r() * 1460),
    });
  }
  return rows;
}

const SMALL: MetricsConfig = {
  ...DEFAULT_METRICS, windowS: 1, latenessS: 0.4, baselineWindows: 12, warmup: 2, minBps: 20, highMinBps: 2000, shiftMinPackets: 5,
};

describe('core against the plain reference on random streams', () => {
  const cases: [string, StreamOpts, MetricsConfig][] = [
    ['in order, 1-s windows, N = 12', { seed: 1, packets: 6000, dsts: 6, disorder: 0, disorderUs: 0, gapP: 0.002, gapUs: 4e6 }, SMALL],
    ['out of order within and beyond the lateness', { seed: 2, packets: 6000, dsts: 8, disorder: 0.2, disorderUs: 2e6, gapP: 0.002, gapUs: 4e6 }, SMALL],
    ['gaps of more than N windows (new sessions)', { seed: 3, packets: 6000, dsts: 5, disorder: 0.05, disorderUs: 1e6, gapP: 0.003, gapUs: 30e6 }, SMALL],
    ['many destinations, N = 3, warm-up 1, lateness 0', { seed: 4, packets: 8000, dsts: 40, disorder: 0.1, disorderUs: 3e5, gapP: 0.001, gapUs: 2e6 },
      { ...SMALL, baselineWindows: 3, warmup: 1, latenessS: 0 }],
    ['default thresholds, 0.5-s windows, N = 30', { seed: 5, packets: 8000, dsts: 10, disorder: 0.1, disorderUs: 6e5, gapP: 0.002, gapUs: 8e6 },
      { ...DEFAULT_METRICS, windowS: 0.5, latenessS: 0.2, baselineWindows: 30, shiftMinPackets: 20 }],
    ['sigma 1 and 1.5, floor 0, PROTOSHIFT 10/20 points', { seed: 6, packets: 6000, dsts: 6, disorder: 0.05, disorderUs: 5e5, gapP: 0.002, gapUs: 3e6 },
      { ...SMALL, mediumSigma: 1, highSigma: 1.5, minStdLog2: 0, minBps: 0, highMinBps: 0, shiftPoints: 10, shiftHighPoints: 20 }],
  ];
  for (const [name, o, c] of cases) {
    it(name, async () => {
      const rows = randomRows(o);
      const core = await runRows(rows, c);
      const ref = referenceMetrics(metricPackets(rows), c);
      expectAgreement(core, ref, rows.length);
      // The stream exercises what it is meant to.
      expect(spikes(ref.episodes).length).toBeGreaterThan(0);
      expect(shifts(ref.episodes).length).toBeGreaterThan(0);
      if (o.disorder > 0 && c.latenessS < o.disorderUs / 1e6) expect(ref.late).toBeGreaterThan(0);
      if (o.gapUs / 1e6 > c.windowS * c.baselineWindows) expect(ref.sessions).toBeGreaterThan(1);
    });
  }

  it('the same episodes whatever the chunking and with the alert region nearly full all the time', async () => {
    const rows = randomRows({ seed: 7, packets: 5000, dsts: 6, disorder: 0.1, disorderUs: 5e5, gapP: 0.003, gapUs: 3e6 });
    const c = { ...SMALL, minBps: 0, highMinBps: 0, shiftPoints: 5, shiftHighPoints: 10 };
    const ref = referenceMetrics(metricPackets(rows), c);
    for (const chunk of [64, 4096]) {
      const core = await runRows(rows, c, { [abi.CFG_ALERT_CAPACITY]: 65, [abi.CFG_TRACE_CAPACITY]: 1 }, undefined, chunk);
      expectAgreement(core, ref, rows.length);
    }
    expect(ref.episodes.length).toBeGreaterThan(60); // more than one alert region's worth
  });

  it('the trace of a destination and the global series equal the reference', async () => {
    const rows = randomRows({ seed: 8, packets: 6000, dsts: 4, disorder: 0.1, disorderUs: 5e5, gapP: 0.003, gapUs: 20e6 });
    const pk = metricPackets(rows);
    // The busiest destination, one with a spike, and the global series.
    const spiked = spikes(referenceMetrics(pk, SMALL).episodes, abi.SPIKE_DST).map((e) => e.dst).find((d) => d !== '10.9.0.1');
    expect(spiked).toBeDefined();
    for (const dst of ['10.9.0.1', spiked!, '']) {
      const key = new Uint8Array(abi.TRACE_KEY_BYTES);
      if (dst !== '') key.set(v4(dst), 16);
      const core = await runRows(rows, SMALL, { [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_SPIKE, [abi.CFG_TRACE_CAPACITY]: 7 }, key);
      const ref = referenceMetrics(pk, SMALL, dst);
      expect(core.trace.length).toBeGreaterThan(dst === spiked ? 5 : 50);
      expect(core.trace).toEqual(ref.trace);
      if (dst === spiked) expect(core.trace.some((p) => p.flags & 2)).toBe(true);
      if (dst !== '') expect(core.trace.some((p) => p.size === 0)).toBe(true); // quiet windows are points
    }
  });
});

// ---------------------------------------------------------------- hand-made cases

describe('windows, episodes, sweep and flush', () => {
  const A = v4('10.0.0.1');
  const B = v4('10.0.0.2');
  /** `n` packets of `size` bytes to `dst` spread over [t0, t0 + spanUs). */
  const steady = (t0: number, spanUs: number, n: number, dst: Uint8Array, size: number, proto = 6, dport = 80): PacketRow[] =>
    Array.from({ length: n }, (_, i) => ({ ts: t0 + Math.floor((i * spanUs) / n), src: A, dst, sport: 40000, dport, proto, size }));

  it('a flood after a steady baseline: NEW at the crossing packet, every later packet of the window evidence, UPDATE with the peak', async () => {
    const t0 = 1_000_000_000_000_000; // a window boundary
    const c = { ...DEFAULT_METRICS, shiftOn: false };
    // 40 windows of 2 packets of 500 B to B (100 B/s), then 1000 packets of 1000 B in 1 s.
    // (6 s into window 40: window 39 has closed, L = 5 s.)
    const rows = [...steady(t0, 400e6, 80, B, 500), ...steady(t0 + 406e6, 1e6, 1000, B, 1000)];
    const core = await runRows(rows, c);
    const ref = referenceMetrics(metricPackets(rows), c);
    expectAgreement(core, ref, rows.length);
    const dst = spikes(core.episodes, abi.SPIKE_DST);
    expect(dst.length).toBe(1);
    const e = dst[0];
    expect(e.dst).toBe('10.0.0.2');
    expect(e.aux).toBe(0); // its own baseline
    expect(e.samples).toBe(40);
    expect(e.mean).toBeCloseTo(100, 6); // the geometric mean of 1 + 100 B/s, minus 1
    expect(e.std).toBe(0);
    // NEW at the first packet whose window rate (bytes / 10 s) passes the MEDIUM threshold, at
    // least 2x the mean (sigma floor 0.5 in log2); HIGH once it passes the HIGH one (40 windows
    // >= 31, and over 10 KB/s).
    const k = e.firstIndex - 80 + 1;
    expect(e.newSeverity).toBe(abi.SEV_MEDIUM);
    expect(e.newThreshold).toBeGreaterThanOrEqual(2 * 101 - 1 - 1e-9);
    expect((k * 1000) / 10).toBeGreaterThan(e.newThreshold);
    expect(((k - 1) * 1000) / 10).toBeLessThanOrEqual(e.newThreshold);
    expect(e.newValue).toBe((k * 1000) / 10);
    expect(e.severity).toBe(abi.SEV_HIGH);
    expect(e.threshold).toBe(10000); // mexp2(log2(101) + 1.5) - 1 is below the floor
    expect(e.count).toBe(1000 - k + 1);
    expect(e.value).toBe(100_000);
    expect(e.score).toBeCloseTo(100_000 / e.mean, 9);
    expect(e.kinds).toEqual([abi.ALERT_KIND_NEW, abi.ALERT_KIND_UPDATE]);
    expect(core.spikeMarks.has(e.firstIndex - 1)).toBe(false);
    expect(core.spikeMarks.has(e.firstIndex)).toBe(true);
  });

  it('the episode stays open over consecutive windows above and ends at the first window below; the sweep closes it', async () => {
    const t0 = 1_000_000_000_000_000;
    const c = { ...DEFAULT_METRICS, shiftOn: false, spikeOn: false };
    const C = v4('10.0.0.3');
    const rows = [
      ...steady(t0, 100e6, 50, B, 500), // B: 10 windows of 250 B/s
      ...steady(t0 + 100e6, 30e6, 3000, B, 1000), // B: 3 windows of 100 KB/s
      ...steady(t0, 200e6, 200, C, 100), // C: 20 windows of 100 B/s
      ...steady(t0 + 130e6, 100e6, 6000, A, 100), // A: 10 windows of 6 KB/s (B quiet)
      ...steady(t0 + 231e6, 1e6, 500, C, 1000), // then C floods
    ].sort((x, y) => x.ts - y.ts);
    const core = await runRows(rows, c);
    const ref = referenceMetrics(metricPackets(rows), c);
    expectAgreement(core, ref, rows.length);
    const eb = spikes(core.episodes).filter((x) => x.dst === '10.0.0.2');
    const ec = spikes(core.episodes).filter((x) => x.dst === '10.0.0.3');
    expect(eb.length).toBe(1);
    expect(ec.length).toBe(1);
    // One episode over the three flood windows: evidence in each of them, ended by the quiet one.
    expect(eb[0].firstUs).toBeLessThan(t0 + 101e6);
    expect(eb[0].lastUs).toBeGreaterThan(t0 + 129e6);
    expect(eb[0].count).toBeGreaterThan(2900);
    expect(eb[0].count).toBeLessThan(3000);
    // B's UPDATE came from the sweep during A's traffic, before C's NEW (at the end of input it
    // would come after it).
    const bUpdate = core.order.findIndex(([ep, k]) => ep === eb[0].episode && k === abi.ALERT_KIND_UPDATE);
    const cNew = core.order.findIndex(([ep, k]) => ep === ec[0].episode && k === abi.ALERT_KIND_NEW);
    expect(bUpdate).toBeGreaterThanOrEqual(0);
    expect(bUpdate).toBeLessThan(cNew);
  });

  it('a destination quiet for N windows starts over, and the sweep removes it', async () => {
    const t0 = 1_000_000_000_000_000;
    const c = { ...DEFAULT_METRICS, baselineWindows: 5, shiftOn: false, spikeOn: false };
    const rows = [...steady(t0, 20e6, 40, B, 500), ...steady(t0 + 20e6, 400e6, 4000, A, 100)];
    const core = await runRows(rows, c);
    expect(core.counters[abi.C_SPIKE_HOSTS_LIVE]).toBe(1); // B removed by the sweep
    expectAgreement(core, referenceMetrics(metricPackets(rows), c), rows.length);
  });

  it('late packets are counted and left out; a jump over N windows starts a new session', async () => {
    const t0 = 1_000_000_000_000_000;
    const c = { ...DEFAULT_METRICS, baselineWindows: 4, latenessS: 2 };
    const rows = [
      ...steady(t0, 30e6, 30, B, 100),
      { ts: t0 + 15e6, src: A, dst: B, size: 100 }, // 15 s behind: its window closed long ago
      { ts: t0 + 29e6, src: A, dst: B, size: 100 }, // on time
      ...steady(t0 + 100e6, 10e6, 10, B, 100), // 7 windows later: a new session (>= 4)
    ];
    const core = await runRows(rows, c);
    const ref = referenceMetrics(metricPackets(rows), c);
    expectAgreement(core, ref, rows.length);
    expect(core.counters[abi.C_METRIC_LATE]).toBe(1);
    expect(core.counters[abi.C_METRIC_SESSIONS]).toBe(2);
    expect(core.counters[abi.C_METRIC_WINDOWS]).toBe(4); // 3 + 1: skipped windows are not windows
  });

  it('memory per destination is constant: at the cap the table evicts the least recently seen', async () => {
    const t0 = 1_000_000_000_000_000;
    const rows: PacketRow[] = [];
    for (let i = 0; i < 3000; i++) {
      const d = v4(`10.${(i >> 8) & 255}.${i & 255}.7`);
      rows.push({ ts: t0 + i * 1000, src: A, dst: d, size: 100 });
    }
    // 32 KiB - 1 B: the largest power of two of 128-B slots that fits is 128 slots, 96 at the load limit.
    const core = await runRows(rows, { ...DEFAULT_METRICS, shiftOn: false }, { [abi.CFG_SPIKE_MEMORY_CAP_BYTES]: 32 * 1024 - 1 });
    expect(core.counters[abi.C_SPIKE_HOSTS_LIVE]).toBe(96);
    expect(core.counters[abi.C_SPIKE_HOSTS_EVICTED]).toBe(3000 - 96);
    const big = await runRows(rows, { ...DEFAULT_METRICS, shiftOn: false });
    expect(big.counters[abi.C_SPIKE_HOSTS_LIVE]).toBe(3000);
    expect(big.counters[abi.C_SPIKE_HOSTS_EVICTED]).toBe(0);
  });

  it('an evicted destination and an evicted episode record close their episode', async () => {
    // 300 destinations with 5 quiet windows each, then each floods in turn: at a cap of 96
    // destinations (and 12 episode records) episodes are evicted while open.
    const t0 = 1_000_000_000_000_000;
    const rows: PacketRow[] = [];
    const dst = (i: number) => v4(`10.1.${i >> 8}.${i & 255}`);
    for (let w = 0; w < 5; w++) for (let i = 0; i < 300; i++) rows.push({ ts: t0 + w * 10e6 + i * 1000, src: A, dst: dst(i), size: 200 });
    for (let i = 0; i < 300; i++) for (let k = 0; k < 20; k++) rows.push({ ts: t0 + 56e6 + i * 10_000 + k, src: A, dst: dst(i), size: 1500 });
    const c = { ...DEFAULT_METRICS, shiftOn: false, spikeOn: false };
    const core = await runRows(rows, c, { [abi.CFG_SPIKE_MEMORY_CAP_BYTES]: 32 * 1024 - 1 });
    expect(core.counters[abi.C_SPIKE_HOSTS_EVICTED]).toBeGreaterThan(0);
    const eps = spikes(core.episodes);
    expect(eps.length).toBeGreaterThan(50);
    expect(eps.every((e) => e.closed && e.kinds.length === 2)).toBe(true);
    // Without the cap: one episode per destination, the same as the reference.
    const free = await runRows(rows, c);
    expectAgreement(free, referenceMetrics(metricPackets(rows), c), rows.length);
    expect(spikes(free.episodes).length).toBe(300);
  });

  it('the off switches', async () => {
    const rows = randomRows({ seed: 1, packets: 6000, dsts: 6, disorder: 0.05, disorderUs: 3e5, gapP: 0.002, gapUs: 3e6 });
    const c = SMALL;
    const all = await runRows(rows, c);
    expect(spikes(all.episodes, abi.SPIKE_GLOBAL).length).toBeGreaterThan(0);
    expect(spikes(all.episodes, abi.SPIKE_DST).length).toBeGreaterThan(0);
    expect(shifts(all.episodes, abi.PROTOSHIFT_SERVICE).length).toBeGreaterThan(0);
    const noGlobal = await runRows(rows, { ...c, spikeOn: false });
    expect(spikes(noGlobal.episodes, abi.SPIKE_GLOBAL).length).toBe(0);
    expect(spikes(noGlobal.episodes, abi.SPIKE_DST).map(strip)).toEqual(spikes(all.episodes, abi.SPIKE_DST).map(strip));
    const noDst = await runRows(rows, { ...c, spikeDstOn: false });
    expect(spikes(noDst.episodes, abi.SPIKE_DST).length).toBe(0);
    expect(noDst.counters[abi.C_SPIKE_HOSTS_LIVE]).toBe(0);
    const noSvc = await runRows(rows, { ...c, shiftServicesOn: false });
    expect(shifts(noSvc.episodes, abi.PROTOSHIFT_SERVICE).length).toBe(0);
    expect(shifts(noSvc.episodes, abi.PROTOSHIFT_PROTO).map(strip)).toEqual(shifts(all.episodes, abi.PROTOSHIFT_PROTO).map(strip));
    const none = await runRows(rows, { ...c, spikeOn: false, spikeDstOn: false, shiftOn: false });
    expect(none.episodes.length).toBe(0);
    expect(none.counters[abi.C_METRIC_WINDOWS]).toBe(0);
  });
});

// ---------------------------------------------------------------- real captures

/** Victims (MANIFEST.md ground truth) of the flood captures. */
const FLOODS: [string, string][] = [
  [SF + 'evgenii_syn_flood.pcap', '192.168.1.34'],
  [SF + 'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng', '10.10.10.10'],
  [SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng', '10.10.10.10'],
  [SF + 'suricata-verify_tcp-session-syn-flood.pcap', '198.51.100.5'],
  [AMP + 'stopddos_amp.TCP.reflection.SYNACK.pcap', '10.10.10.10'],
  [AMP + 'stopddos_amp.UDP.bacnet.IOT.37810.pcapng', '10.10.10.1'],
  [AMP + 'stopddos_amp.UDP.isakmp.pcap', '10.10.10.10'],
  [AMP + 'stopddos_amp.dns.RRSIG.fragmented.pcap', '10.10.10.10'],
  // The other floods of attacks/ (test/eval/ground-truth.ts expects SPIKE on them too).
  ['attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap', 'ff020000000000000000000000000001'], // ff02::1 as this file's episodes print IPv6
  ['attacks/misc/suricata-verify_dhcp-request-flood.pcap', '255.255.255.255'],
];
/** Floods with a past of their own in the capture: caught without learning anything elsewhere. */
const SOLO = new Set([SF + 'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng', SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng']);

describe('SPIKE on the flood captures of attacks/ (the issue: a spike against the victim)', () => {
  for (const [rel, victim] of FLOODS) {
    const name = rel.split('/').pop()!;
    if (SOLO.has(rel)) {
      it(`${name}: SPIKE_DST against ${victim} from the capture alone, agreeing with the reference`, async () => {
        const core = await runMetrics(capture(rel), { ...ONLY_METRICS });
        // The reference on the same decoded packets (packed records: the reader's decoding).
        const rows = captureRows(rel);
        expectAgreement(await runRows(rows, DEFAULT_METRICS), referenceMetrics(metricPackets(rows), DEFAULT_METRICS), rows.length);
        const eps = spikes(core.episodes, abi.SPIKE_DST).filter((e) => e.dst === victim);
        expect(eps.length).toBeGreaterThan(0);
        console.log(name, eps.map((e) => `${e.severity === 3 ? 'HIGH' : 'MEDIUM'} ${Math.round(e.value)} B/s (thr ${Math.round(e.threshold)}, mean ${Math.round(e.mean)} over ${e.samples}, aux ${e.aux}), ${e.count} packets`).join('; '));
      });
    } else {
      it(`${name}: no past in the capture, so nothing alone; SPIKE_DST against ${victim} after learning ${LEARN}`, async () => {
        // Alone: the flood starts with the capture (or lasts under a second): no window closes
        // before it, no baseline exists, nothing can be judged. Stated, and checked.
        const solo = await runMetrics(capture(rel), { ...ONLY_METRICS });
        expect(spikes(solo.episodes, abi.SPIKE_DST).filter((e) => e.dst === victim)).toEqual([]);
        // Learned elsewhere (LEARN, prepended and time-shifted: see learnedRows()).
        const { rows, attackStartUs } = learnedRows(LEARN, rel);
        const core = await runRows(rows, DEFAULT_METRICS);
        expectAgreement(core, referenceMetrics(metricPackets(rows), DEFAULT_METRICS), rows.length);
        const eps = spikes(core.episodes, abi.SPIKE_DST).filter((e) => e.dst === victim && e.lastUs >= attackStartUs);
        expect(eps.length).toBeGreaterThan(0);
        console.log(name, eps.map((e) => `${e.severity === 3 ? 'HIGH' : 'MEDIUM'} ${Math.round(e.value)} B/s (thr ${Math.round(e.threshold)}, mean ${Math.round(e.mean)} over ${e.samples}, aux ${e.aux}), ${e.count} packets`).join('; '),
          '| global', spikes(core.episodes, abi.SPIKE_GLOBAL).filter((e) => e.lastUs >= attackStartUs).map((e) => `${e.severity === 3 ? 'HIGH' : 'MEDIUM'} ${Math.round(e.value)}`).join(' '),
          '| shift', shifts(core.episodes).filter((e) => e.lastUs >= attackStartUs).map((e) => `${e.variant ? `svc ${e.aux >>> 16}/${e.aux & 0xffff}` : `class ${e.aux}`} ${e.severity === 3 ? 'HIGH' : 'MEDIUM'} ${e.value.toFixed(0)}% (mean ${e.mean.toFixed(0)}%)`).join(' '));
      });
    }
  }

  it('ppa1e_dosattack: no victim (100 SYNs to 100 random hosts), so no SPIKE_DST; SYNFLOOD_SPREAD is its detector', async () => {
    const { rows, attackStartUs } = learnedRows(LEARN, SF + 'ppa1e_dosattack.pcap');
    const core = await runRows(rows, DEFAULT_METRICS);
    expectAgreement(core, referenceMetrics(metricPackets(rows), DEFAULT_METRICS), rows.length);
    expect(spikes(core.episodes).filter((e) => e.lastUs >= attackStartUs)).toEqual([]);
  });
});

const BENIGN = [
  'normal/chrissanders_http_espn.pcapng', 'normal/chrissanders_http_google.pcapng', 'normal/chrissanders_tcp_ports.pcapng', 'normal/evgenii_no_flood.pcap',
  'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap', 'normal/zeek_ftp_cwd-navigation.pcap', 'normal/zeek_http_206_example_b.pcap',
  'normal/zeek_http_bro.org.pcap', 'normal/zeek_irc-dcc-send.pcapng', 'normal/zeek_quic_quic_win11_firefox_google.pcap', 'normal/zeek_smb_smb2.pcap',
  'normal/zeek_smtp.pcap', 'normal/zeek_ssh_ssh.pcap', 'normal/perf/zeek_echo-connections.pcap.gz', 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz',
];

describe('the benign captures of normal/ and normal/perf/', () => {
  for (const rel of BENIGN) {
    it(`${rel.split('/').pop()}: no HIGH spike; the core agrees with the reference`, async () => {
      const core = await runMetrics(capture(rel), { ...ONLY_METRICS });
      const rows = captureRows(rel);
      expectAgreement(await runRows(rows, DEFAULT_METRICS), referenceMetrics(metricPackets(rows), DEFAULT_METRICS), rows.length);
      const sp = spikes(core.episodes);
      expect(sp.filter((e) => e.severity === abi.SEV_HIGH)).toEqual([]);
      const sh = shifts(core.episodes);
      console.log(rel.split('/').pop(), `SPIKE ${sp.length} MEDIUM`, sp.slice(0, 4).map((e) => `${e.dst || 'global'} ${Math.round(e.value)} B/s (mean ${Math.round(e.mean)}, aux ${e.aux})`).join('; '),
        `| PROTOSHIFT ${sh.filter((e) => e.severity === abi.SEV_HIGH).length} HIGH ${sh.filter((e) => e.severity === abi.SEV_MEDIUM).length} MEDIUM`,
        sh.slice(0, 3).map((e) => `${e.variant ? `svc ${e.aux >>> 16}/${e.aux & 0xffff}` : `class ${e.aux}`} ${e.value.toFixed(0)}% (mean ${e.mean.toFixed(0)}%)`).join('; '));
    });
  }
});
