// SYNFLOOD (assembly/detect/synflood.ts: per destination and spread) through the whole core: the
// real flood captures against MANIFEST.md's ground truth and against the plain reference
// (test/reference/scan-rules.ts), the benign captures, property tests on random SYN streams
// (bursts near the threshold, out-of-order and late SYNs, replies), the off switches, eviction at
// the memory cap, constant memory per destination and the trace.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';
import {
  runCore, episodes, expectAgreement, readCapturePackets, v4, ONLY_KEYED_RULES, EPS_HLL_DST, EPS_HLL_SPREAD, type CoreRun,
} from '../reference/scan-core';
import {
  referenceRules, flowMarks, DEFAULT_RULES, ruleConfigIds, type RefPacket, type RuleConfig, type FlowTimeouts,
} from '../reference/scan-rules';

const SF = 'attacks/synflood/';
const MARKS = { ...ONLY_KEYED_RULES, [abi.CFG_MARKS_ENABLED]: 1 };
const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };
const ZERO = '0'.repeat(32);

function capture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(DATA + rel));
}

function floodEpisodes(run: CoreRun, variant?: number) {
  return episodes(run.alerts).filter((e) => e.detector === abi.DET_SYNFLOOD && (variant === undefined || e.variant === variant));
}

describe('SYNFLOOD on the real flood captures', () => {
  it('evgenii_syn_flood: victim 192.168.1.34 flooded by 192.168.1.52 (5870 SYNs in 0.19 s)', async () => {
    const run = await runCore(capture(SF + 'evgenii_syn_flood.pcap'), ONLY_KEYED_RULES);
    const eps = floodEpisodes(run);
    expect(eps.length).toBe(1);
    const e = eps[0];
    expect([e.variant, e.src, e.dst, e.dport]).toEqual([abi.SYNFLOOD_DST, '192.168.1.52', '192.168.1.34', 80]);
    expect(e.value).toBe(5870); // every SYN of the flood is in one window
    expect(e.count).toBe(5870 - 100); // the 101st SYN crosses M = 100
    expect(e.peakRate).toBe(5770); // 20:49:26.488 -> .674: one 1-s bin
    expect(e.aux).toBe(1); // one attacker
    expect(e.severity).toBe(abi.SEV_HIGH);
    expect(e.newRecord.value).toBe(101);
    expect(e.closed).toBe(true);
  });

  it('DOMINATE: victim 10.10.10.10:30120, 9639 SYNs from 9639 spoofed sources', async () => {
    const run = await runCore(capture(SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng'), ONLY_KEYED_RULES);
    const eps = floodEpisodes(run);
    expect(eps.length).toBe(1);
    const e = eps[0];
    expect([e.variant, e.dst, e.dport]).toEqual([abi.SYNFLOOD_DST, '10.10.10.10', 30120]);
    expect(e.value).toBe(9639);
    expect(e.count).toBe(9639 - 100);
    // GT peak 7197 SYN/s; the first 100 SYNs (same second) are not evidence.
    expect(e.peakRate).toBe(7197 - 100);
    // Distinct sources of the 9539 evidence SYNs (all distinct), HyperLogLog estimate.
    expect(Math.abs(e.aux - 9539)).toBeLessThanOrEqual(9539 * EPS_HLL_DST);
    // The flood lasts 0.44 s: the episode spans at most that.
    expect(e.lastUs - e.tsUs).toBeLessThanOrEqual(443_000);
  });

  it('suricata-verify: 200 SYNs 192.0.2.10 -> 198.51.100.5:443 in 0.2 s', async () => {
    const run = await runCore(capture(SF + 'suricata-verify_tcp-session-syn-flood.pcap'), ONLY_KEYED_RULES);
    const eps = floodEpisodes(run);
    expect(eps.length).toBe(1);
    const e = eps[0];
    expect([e.variant, e.src, e.dst, e.dport]).toEqual([abi.SYNFLOOD_DST, '192.0.2.10', '198.51.100.5', 443]);
    expect([e.value, e.count, e.aux, e.severity]).toEqual([200, 100, 1, abi.SEV_MEDIUM]);
    expect(e.score).toBe(2);
  });

  it('ppa1e_dosattack: 100 SYNs to 100 random destinations in 16 ms: the spread variant, no single victim', async () => {
    const run = await runCore(capture(SF + 'ppa1e_dosattack.pcap'), ONLY_KEYED_RULES);
    expect(floodEpisodes(run, abi.SYNFLOOD_DST)).toEqual([]);
    const eps = floodEpisodes(run, abi.SYNFLOOD_SPREAD);
    expect(eps.length).toBe(1);
    const e = eps[0];
    expect(e.dst).toBe(ZERO);
    expect(e.value).toBe(100);
    expect(e.count).toBe(100 - 50); // the 51st SYN crosses M' = 50 (the destinations are all distinct)
    expect(Math.abs(e.aux - 50)).toBeLessThanOrEqual(50 * EPS_HLL_SPREAD);
    expect([e.threshold, e.windowS]).toEqual([50, 1]);
  });

  it('stopddos amp.TCP.syn: the low-rate flood peaks at 54 SYNs in 60 s, below M = 100; named with M under its peak', async () => {
    const bytes = capture(SF + 'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng');
    const pkts = readCapturePackets(bytes);
    const syns = pkts.filter((p) => p.proto === 6 && (p.flags & 0x12) === 2 && p.dst === '10.10.10.10').map((p) => p.tsUs);
    expect(syns.length).toBe(354); // GT: 354 SYN-only packets over 13.6 min
    let peak = 0;
    for (const t of syns) peak = Math.max(peak, syns.filter((u) => u > t - 60e6 && u <= t).length);
    expect(peak).toBe(54);
    const run = await runCore(bytes, ONLY_KEYED_RULES);
    expect(floodEpisodes(run)).toEqual([]);
    // The bucket model's peak (window between 56.25 s and 60 s) is at most the exact one.
    const ref = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES, { detector: abi.DET_SYNFLOOD, dst: '10.10.10.10' });
    const modelPeak = Math.max(...ref.trace.map((p) => p.value));
    expect(modelPeak).toBeLessThanOrEqual(peak);
    const low = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: modelPeak - 1 });
    const eps = floodEpisodes(low, abi.SYNFLOOD_DST);
    expect(eps.length).toBeGreaterThan(0);
    expect(eps.every((e) => e.dst === '10.10.10.10' && e.value === modelPeak)).toBe(true);
  });

  it('single-victim floods never fire the spread variant', async () => {
    for (const f of readdirSync(DATA + SF).filter((x) => !x.startsWith('ppa1e_dosattack'))) {
      const run = await runCore(capture(SF + f), ONLY_KEYED_RULES);
      expect(floodEpisodes(run, abi.SYNFLOOD_SPREAD), f).toEqual([]);
    }
  });

  it('agrees with the reference on every synflood capture (marks exactly, episodes within bounds)', async () => {
    const files = readdirSync(DATA + SF).filter((f) => /\.pcap(ng)?$/.test(f));
    expect(files.length).toBe(5);
    for (const f of files) {
      const bytes = capture(SF + f);
      const pkts = readCapturePackets(bytes);
      const run = await runCore(bytes, { ...MARKS, ...ruleConfigIds(DEFAULT_RULES) });
      expect(pkts.length, f).toBe(run.counters[abi.C_PACKETS_DECODED]);
      expectAgreement(pkts, run, referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES), DEFAULT_RULES);
    }
  });
});

describe('SYNFLOOD on benign captures', () => {
  it('raises nothing on normal/*.pcap* (top level)', async () => {
    const files = readdirSync(DATA + 'normal').filter((f) => /\.pcap/.test(f));
    expect(files.length).toBeGreaterThanOrEqual(13);
    for (const f of files) {
      const run = await runCore(capture('normal/' + f), MARKS);
      expect(floodEpisodes(run), f).toEqual([]);
      expect(run.counters[abi.C_MARKS_SYNFLOOD], f).toBe(0);
    }
  });
});

// ---------------------------------------------------------------- random streams

const NO_EXPIRY: FlowTimeouts = { tcp: 1e7, udp: 1e7, icmp: 1e7, other: 1e7 };
const FLOOD_RULES: RuleConfig = {
  ...DEFAULT_RULES,
  portsOn: false, synOn: false, hostsOn: false,
  floodM: 12, floodWindowS: 1.6, spreadM: 10, spreadWindowS: 0.4,
};

/**
 * Random SYN traffic: victims receiving SYN bursts whose rate hovers around M per window (so the
 * bucket boundaries matter), spread bursts (random destinations, sometimes one horizontal SYN
 * scanner), background SYNs, SYN/ACK and RST replies (never SYNs), SYN+ECE+CWR; 5% of the
 * timestamps up to 1 s out of order, 2% up to 5 s late (mostly beyond any window); with `gridUs` > 1 every time is a multiple of it (exact window and bucket
 * edges).
 */
function floodStream(seed: number, n: number, gridUs = 1): RefPacket[] {
  const r = rng(seed);
  const int = (k: number) => Math.floor(r() * k);
  const victims = Array.from({ length: 5 }, (_, i) => `10.5.0.${i + 1}`);
  const out: RefPacket[] = [];
  let t = 1_700_000_000_000_000;
  let mode = 0;
  let left = 0;
  let victim = victims[0];
  let gapUs = 100_000;
  for (let i = 0; i < n; i++) {
    if (left <= 0) {
      mode = int(4);
      left = 20 + int(150);
      victim = victims[int(victims.length)];
      // mean gap so that a window of 1.6 s holds about 6..24 SYNs (M = 12) or a spread burst
      gapUs = mode === 1 ? 20_000 + int(60_000) : 60_000 + int(220_000);
    }
    left--;
    t += r() < 0.01 ? 2_000_000 + int(2_000_000) : int(2 * gapUs);
    let ts = t;
    const u = r();
    if (u < 0.05) ts = t - int(1_000_000);
    else if (u < 0.07) ts = t - int(5_000_000); // often beyond the window, sometimes right on its edge
    ts = Math.round(ts / gridUs) * gridUs;
    const src = `172.20.${int(30)}.${int(250)}`;
    const sport = 1024 + int(60000);
    const k = r();
    let p: RefPacket;
    if (k < 0.1) p = { tsUs: ts, src: victim, dst: src, sport: 80, dport: sport, proto: 6, flags: r() < 0.5 ? 0x12 : 0x04 };
    else if (mode === 1) {
      // spread: random sources, or one horizontal scanner on one port
      const scanner = left % 3 === 0;
      p = { tsUs: ts, src: scanner ? '172.22.0.1' : src, dst: `192.0.${int(100)}.${int(250)}`, sport, dport: scanner ? 22 : 1 + int(65535), proto: 6, flags: 2 };
    }
    else if (mode === 3) p = { tsUs: ts, src, dst: `10.6.${int(4)}.${int(4)}`, sport, dport: 443, proto: r() < 0.8 ? 6 : 17, flags: 2 };
    else p = { tsUs: ts, src: r() < 0.5 ? src : '172.21.0.1', dst: victim, sport, dport: 80, proto: 6, flags: r() < 0.2 ? 0xc2 : 2 };
    out.push(p);
  }
  return out;
}

function rows(pkts: RefPacket[]): PacketRow[] {
  return pkts.map((p) => ({ ts: p.tsUs, src: v4(p.src), dst: v4(p.dst), sport: p.sport, dport: p.dport, proto: p.proto, flags: p.flags }));
}

async function propertyRun(pkts: RefPacket[], rules: RuleConfig) {
  const timeouts = {
    [abi.CFG_TCP_TIMEOUT_S]: NO_EXPIRY.tcp, [abi.CFG_UDP_TIMEOUT_S]: NO_EXPIRY.udp,
    [abi.CFG_ICMP_TIMEOUT_S]: NO_EXPIRY.icmp, [abi.CFG_OTHER_TIMEOUT_S]: NO_EXPIRY.other,
  };
  const run = await runCore(packRows(rows(pkts)), { ...RECORDS, ...MARKS, ...ruleConfigIds(rules), ...timeouts }, undefined, 64 * 1009);
  const ref = referenceRules(pkts, flowMarks(pkts, NO_EXPIRY), rules);
  return { run, ref };
}

describe('SYNFLOOD against the reference on random streams', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: marks exactly (and between the short- and long-window decisions), episodes`, async () => {
      const pkts = floodStream(seed, 12000);
      const { run, ref } = await propertyRun(pkts, FLOOD_RULES);
      for (const v of [abi.SYNFLOOD_DST, abi.SYNFLOOD_SPREAD]) {
        expect(ref.episodes.filter((e) => e.variant === v).length, `variant ${v}`).toBeGreaterThan(3);
      }
      // The bucket model must differ from the exact windows somewhere, or the bound test is empty.
      const differs = ref.marks.some((m, i) => m !== ref.marksLong[i] || m !== ref.marksShort[i]);
      expect(differs).toBe(true);
      expectAgreement(pkts, run, ref, FLOOD_RULES);
    });
  }

  for (const seed of [6, 7]) {
    it(`seed ${seed}, times on a 100-ms grid: SYNs exactly on window and bucket edges`, async () => {
      const pkts = floodStream(seed, 12000, 100_000);
      const { run, ref } = await propertyRun(pkts, FLOOD_RULES);
      expect(ref.episodes.length).toBeGreaterThan(10);
      expectAgreement(pkts, run, ref, FLOOD_RULES);
    });
  }

  it('all rules together (scan tables share the stream)', async () => {
    const pkts = floodStream(9, 8000);
    const rules: RuleConfig = { ...FLOOD_RULES, portsOn: true, portsN: 5, portsWindowS: 1, synOn: true, synS: 8, synP: 4, synWindowS: 1, hostsOn: true, hostsH: 5, hostsWindowS: 2 };
    const { run, ref } = await propertyRun(pkts, rules);
    expect(ref.episodes.filter((e) => e.detector === abi.DET_PORTSCAN).length).toBeGreaterThan(0);
    expectAgreement(pkts, run, ref, rules);
  });
});

// ---------------------------------------------------------------- edge cases

describe('SYNFLOOD switches, memory and output', () => {
  it('does nothing when both variants are disabled', async () => {
    const off = { ...MARKS, [abi.CFG_SYNFLOOD_ENABLED]: 0, [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0 };
    for (const f of ['evgenii_syn_flood.pcap', 'ppa1e_dosattack.pcap']) {
      const run = await runCore(capture(SF + f), off);
      expect(floodEpisodes(run), f).toEqual([]);
      expect(run.counters[abi.C_MARKS_SYNFLOOD], f).toBe(0);
      expect(run.counters[abi.C_SYNFLOOD_KEYS_LIVE], f).toBe(0);
      const on = await runCore(capture(SF + f), MARKS);
      expect(floodEpisodes(on).length, f).toBe(1);
    }
  });

  it('memory per destination is constant: 100,000 spoofed sources cost what 200 do', async () => {
    const config = {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_PORTSCAN_ENABLED]: 0, [abi.CFG_PORTSCAN_SYN_ENABLED]: 0,
      [abi.CFG_ADDRSCAN_ENABLED]: 0, [abi.CFG_FLOW_CAPACITY]: 1 << 18,
    };
    const sizes: number[] = [];
    for (const n of [200, 100_000]) {
      const rowsIn: PacketRow[] = Array.from({ length: n }, (_, i) => ({
        ts: 1_000_000_000 + i * 100, src: v4(`100.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`), dst: v4('10.10.10.10'),
        sport: 1024 + (i % 60000), dport: 80, proto: 6, flags: 2,
      }));
      const engine = await newEngine();
      const aux: number[] = [];
      engine.start({ [abi.CFG_SEED]: 3, ...config }, (o) => {
        for (let i = 0; i < o.alertCount; i++) aux.push(o.alerts.getFloat64(i * abi.ALERT_STRIDE + abi.ALERT_AUX, true));
      });
      engine.feed(packRows(rowsIn));
      engine.finish();
      const c = engine.counters();
      expect(c[abi.C_SYNFLOOD_KEYS_LIVE]).toBe(1);
      expect(c[abi.C_FLOW_CAPACITY]).toBe(1 << 18);
      sizes.push(engine.core.memory.buffer.byteLength);
      // AUX of the update: distinct sources of the n - 100 evidence SYNs.
      expect(Math.abs(aux[aux.length - 1] - (n - 100))).toBeLessThanOrEqual((n - 100) * EPS_HLL_DST);
    }
    expect(sizes[1]).toBe(sizes[0]);
  });

  it('evicts at the memory cap and closes the evicted destinations\' episodes', async () => {
    const rowsIn: PacketRow[] = [];
    for (let k = 0; k < 3000; k++) {
      for (let j = 0; j < 4; j++) {
        rowsIn.push({ ts: 1_000_000_000 + k * 4000 + j * 1000, src: v4('172.30.0.1'), dst: v4(`10.7.${k >> 8}.${k & 255}`), sport: 3000 + j, dport: 80, proto: 6, flags: 2 });
      }
    }
    const run = await runCore(packRows(rowsIn), {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: 3, [abi.CFG_SYNFLOOD_MEMORY_CAP_BYTES]: 16 * 1024,
      [abi.CFG_PORTSCAN_ENABLED]: 0, [abi.CFG_PORTSCAN_SYN_ENABLED]: 0, [abi.CFG_ADDRSCAN_ENABLED]: 0,
      [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
    });
    expect(run.counters[abi.C_SYNFLOOD_KEYS_EVICTED]).toBeGreaterThan(2900);
    expect(run.counters[abi.C_SYNFLOOD_KEYS_LIVE]).toBeLessThanOrEqual(24);
    const eps = floodEpisodes(run, abi.SYNFLOOD_DST);
    expect(eps.length).toBe(3000);
    expect(eps.every((e) => e.closed && e.count === 1 && e.value === 4)).toBe(true);
  });

  it('an episode ends when the clock passes LAST + T: SYNs exactly T later continue it, T + 1 µs later start a new one', async () => {
    const T = 1_600_000; // 16 buckets of 100 ms
    for (const gap of [T, T + 1]) {
      // M = 1: two SYNs at 0 cross (evidence at 0); two more at `gap` cross again.
      const rowsIn: PacketRow[] = [0, 0, gap, gap].map((dt, i) => ({
        ts: 8e9 + dt, src: v4('172.16.0.9'), dst: v4('10.10.10.10'), sport: 1000 + i, dport: 80, proto: 6, flags: 2,
      }));
      const run = await runCore(packRows(rowsIn), {
        ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: 1, [abi.CFG_SYNFLOOD_WINDOW_S]: 1.6,
      });
      const eps = floodEpisodes(run, abi.SYNFLOOD_DST);
      if (gap === T) expect(eps.map((e) => [e.count, e.recordIndex, e.value])).toEqual([[2, 1, 2]]);
      else expect(eps.map((e) => [e.count, e.recordIndex])).toEqual([[1, 1], [1, 3]]);
    }
  });

  it('trace: one point per SYN to the traced victim with the SYNs in the window', async () => {
    const bytes = capture(SF + 'suricata-verify_tcp-session-syn-flood.pcap');
    const key = new Uint8Array(abi.TRACE_KEY_BYTES);
    key.set(v4('198.51.100.5'), 16);
    const run = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_SYNFLOOD }, key);
    expect(run.trace.length).toBe(200);
    run.trace.forEach((p, i) => {
      expect(p.size).toBe(i + 1);
      expect(p.mean).toBe(100);
      expect(p.flags).toBe(i + 1 > 100 ? 3 : 1);
    });
    // Against the reference on a flood with out-of-order times (DOMINATE) as well.
    const dom = capture(SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng');
    const k2 = new Uint8Array(abi.TRACE_KEY_BYTES);
    k2.set(v4('10.10.10.10'), 16);
    const run2 = await runCore(dom, { ...ONLY_KEYED_RULES, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_SYNFLOOD }, k2);
    const pkts = readCapturePackets(dom);
    const ref = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES, { detector: abi.DET_SYNFLOOD, dst: '10.10.10.10' });
    expect(run2.trace.map((p) => [p.recordIndex, p.size])).toEqual(ref.trace.map((p) => [p.index, p.value]));
    // Another detector's trace writes no SYNFLOOD points.
    const other = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_PORTSCAN }, key);
    expect(other.trace).toEqual([]);
  });
});
