// SYNFLOOD (assembly/detect/synflood.ts: per destination with the DST and low-and-slow SLOW tiers
// and the handshake-completion gate, and spread) through the whole core: the real flood captures
// against MANIFEST.md's ground truth and against the plain reference (test/reference/scan-rules.ts),
// the benign captures of normal/ and normal/perf/ (the echo load test silenced by the gate),
// property tests on random SYN streams (bursts near the thresholds, completed handshakes,
// out-of-order and late SYNs, replies), the gate's exact boundary, idle removal over the longest
// window, the off switches, eviction at the memory cap, constant memory per destination and the
// trace.
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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

/** The bytes of capture `rel` (under shared/data), gunzipped when it ends in .gz. */
function capture(rel: string): Uint8Array {
  const b = readFileSync(DATA + rel);
  return new Uint8Array(rel.endsWith('.gz') ? gunzipSync(b) : b);
}

const AMP = SF + 'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng';
const DOMINATE = SF + 'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng';
const ECHO = 'normal/perf/zeek_echo-connections.pcap.gz';

/** Most of `times` (sorted or not) in any window (t - winUs, t]. */
function peakIn(times: number[], winUs: number): number {
  let peak = 0;
  for (const t of times) peak = Math.max(peak, times.filter((u) => u > t - winUs && u <= t).length);
  return peak;
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
    const run = await runCore(capture(DOMINATE), ONLY_KEYED_RULES);
    expect(run.counters[abi.C_HANDSHAKES_COMPLETED]).toBe(0); // spoofed: no handshake completes
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

  it('stopddos amp.TCP.syn: a low-and-slow flood (peak 54 SYNs in 60 s, below M = 100) is one SLOW episode on 10.10.10.10, never DST', async () => {
    const bytes = capture(AMP);
    const pkts = readCapturePackets(bytes);
    const syns = pkts.filter((p) => p.proto === 6 && (p.flags & 0x12) === 2 && p.dst === '10.10.10.10').map((p) => p.tsUs);
    expect(syns.length).toBe(354); // GT: 354 SYN-only packets over 13.6 min
    expect(peakIn(syns, 60e6)).toBe(54);
    const peak600 = peakIn(syns, 600e6);
    expect(peak600).toBeGreaterThan(200); // over M2 = 200 in T2 = 600 s
    const run = await runCore(bytes, ONLY_KEYED_RULES);
    expect(run.counters[abi.C_HANDSHAKES_COMPLETED]).toBe(0);
    expect(floodEpisodes(run, abi.SYNFLOOD_DST)).toEqual([]);
    const slow = floodEpisodes(run, abi.SYNFLOOD_SLOW);
    expect(slow.length).toBe(1);
    const e = slow[0];
    expect([e.dst, e.threshold, e.windowS, e.closed, e.severity]).toEqual(['10.10.10.10', 200, 600, true, abi.SEV_MEDIUM]);
    // The bucket model's window is between 562.5 s and 600 s: its peak is over M2, at most the exact one.
    expect(e.value).toBeGreaterThan(200);
    expect(e.value).toBeLessThanOrEqual(peak600);
    expect(e.score).toBeCloseTo(e.value / 200, 12);
    const ref = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES).episodes.filter((x) => x.variant === abi.SYNFLOOD_SLOW);
    expect(ref.length).toBe(1);
    expect([e.value, e.count, e.recordIndex, e.tsUs, e.lastUs]).toEqual([ref[0].value, ref[0].count, ref[0].firstIndex, ref[0].firstUs, ref[0].lastUs]);
    expect(e.count).toBe(syns.length - 200 - syns.filter((t) => t < e.tsUs - 600e6).length); // every SYN past the 200th in the window
    expect(Math.abs(e.aux - ref[0].aux)).toBeLessThanOrEqual(ref[0].aux * EPS_HLL_DST + 1);
    expect(ref[0].aux).toBeLessThanOrEqual(53); // GT: 53 sources in all
    // The slow tier off: nothing at all.
    const off = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0 });
    expect(floodEpisodes(off)).toEqual([]);
  });

  it('stopddos amp.TCP.syn: DST names the victim once M is under its 60-s peak', async () => {
    const bytes = capture(AMP);
    const pkts = readCapturePackets(bytes);
    // The bucket model's peak (window between 56.25 s and 60 s) is at most the exact one (54).
    const ref = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES, { detector: abi.DET_SYNFLOOD, dst: '10.10.10.10' });
    const modelPeak = Math.max(...ref.trace.map((p) => p.value));
    expect(modelPeak).toBeLessThanOrEqual(54);
    const low = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: modelPeak - 1 });
    const eps = floodEpisodes(low, abi.SYNFLOOD_DST);
    expect(eps.length).toBeGreaterThan(0);
    expect(eps.every((e) => e.dst === '10.10.10.10' && e.value === modelPeak)).toBe(true);
  });

  it('every capture in attacks/synflood raises SYNFLOOD naming its victim (MANIFEST ground truth)', async () => {
    const victims: Record<string, string> = {
      'evgenii_syn_flood.pcap': '192.168.1.34',
      'ppa1e_dosattack.pcap': ZERO, // random destinations: the spread variant, no single victim
      'stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng': '10.10.10.10', // low and slow
      'stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng': '10.10.10.10',
      'suricata-verify_tcp-session-syn-flood.pcap': '198.51.100.5',
    };
    const files = readdirSync(DATA + SF).filter((f) => /\.pcap(ng)?$/.test(f));
    expect(files.sort()).toEqual(Object.keys(victims).sort());
    for (const f of files) {
      const eps = floodEpisodes(await runCore(capture(SF + f), MARKS));
      expect(eps.length, f).toBeGreaterThan(0);
      expect(eps.map((e) => e.dst), f).toEqual(eps.map(() => victims[f]));
    }
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
  it('raises nothing on normal/*.pcap* and normal/perf/*.pcap*', async () => {
    const files = [
      ...readdirSync(DATA + 'normal').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/' + f),
      ...readdirSync(DATA + 'normal/perf').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/perf/' + f),
    ];
    expect(files.length).toBeGreaterThanOrEqual(15);
    expect(files).toContain(ECHO);
    for (const f of files) {
      const run = await runCore(capture(f), MARKS);
      expect(run.counters[abi.C_PACKETS_DECODED], f).toBeGreaterThan(0);
      expect(floodEpisodes(run), f).toEqual([]);
      expect(run.counters[abi.C_MARKS_SYNFLOOD], f).toBe(0);
    }
  });

  it('zeek_echo-connections (741 SYNs to 127.0.0.1:7000 in 3 s, an echo load test): the handshakes complete, so the gate keeps it silent; without the gate DST fires', async () => {
    const bytes = capture(ECHO);
    const pkts = readCapturePackets(bytes);
    const syns = pkts.filter((p) => p.proto === 6 && (p.flags & 0x12) === 2);
    expect(syns.length).toBe(741); // GT
    const run = await runCore(bytes, { ...MARKS, ...ruleConfigIds(DEFAULT_RULES) });
    expect(floodEpisodes(run)).toEqual([]);
    const done = run.counters[abi.C_HANDSHAKES_COMPLETED];
    expect(done).toBeGreaterThanOrEqual(400);
    expect(done).toBeLessThanOrEqual(741);
    expect(done).toBe(flowMarks(pkts).filter((m) => m.handshake).length);
    const noGate: RuleConfig = { ...DEFAULT_RULES, completedFraction: 1 };
    const off = await runCore(bytes, { ...MARKS, ...ruleConfigIds(noGate) });
    const eps = floodEpisodes(off);
    expect(eps.map((e) => [e.variant, e.dst, e.dport, e.value])).toEqual([[abi.SYNFLOOD_DST, '127.0.0.1', 7000, 741]]);
    expect(eps[0].count).toBe(741 - 100);
    // Both decisions agree with the reference, packet by packet.
    expectAgreement(pkts, run, referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES), DEFAULT_RULES);
    expectAgreement(pkts, off, referenceRules(pkts, flowMarks(pkts), noGate), noGate);
  });
});

// ---------------------------------------------------------------- random streams

const NO_EXPIRY: FlowTimeouts = { tcp: 1e7, udp: 1e7, icmp: 1e7, other: 1e7 };
const FLOOD_RULES: RuleConfig = {
  ...DEFAULT_RULES,
  portsOn: false, synOn: false, hostsOn: false,
  floodM: 12, floodWindowS: 1.6, spreadM: 10, spreadWindowS: 0.4,
  slowOn: true, slowM: 25, slowWindowS: 6.4, completedFraction: 0.25,
};

/**
 * Random SYN traffic: victims receiving SYN bursts whose rate hovers around M per T and M2 per T2
 * (so the bucket boundaries and both tiers matter), where a burst's SYNs complete their handshake
 * (SYN, SYN/ACK, ACK on the same ports, sometimes a repeated ACK) with a probability around the
 * gate's fraction f = 0.25 (so the gate blocks and passes), spread bursts (random destinations,
 * sometimes one horizontal SYN scanner), background SYNs, SYN/ACK and RST replies (never SYNs),
 * SYN+ECE+CWR; 5% of the timestamps up to 1 s out of order, 2% up to 5 s late (mostly beyond any
 * window); with `gridUs` > 1 every time is a multiple of it (exact window and bucket edges).
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
  let doneP = 0;
  const grid = (x: number) => Math.round(x / gridUs) * gridUs;
  while (out.length < n) {
    if (left <= 0) {
      mode = int(4);
      left = 20 + int(150);
      victim = victims[int(victims.length)];
      // mean gap so that a window of 1.6 s holds about 6..24 SYNs (M = 12) or a spread burst
      gapUs = mode === 1 ? 20_000 + int(60_000) : 60_000 + int(220_000);
      doneP = [0, 0, 0.15, 0.25, 0.35, 0.8][int(6)];
    }
    left--;
    t += r() < 0.01 ? 2_000_000 + int(2_000_000) : int(2 * gapUs);
    let ts = t;
    const u = r();
    if (u < 0.05) ts = t - int(1_000_000);
    else if (u < 0.07) ts = t - int(5_000_000); // often beyond the window, sometimes right on its edge
    ts = grid(ts);
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
    if (p.flags & 2 && !(p.flags & 0x10) && p.dst === victim && r() < doneP) {
      // The handshake completes: SYN/ACK, then the originator's ACK (and sometimes a second one,
      // which completes nothing); a few ms later, now and then out of order.
      const reply = { ...p, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport };
      out.push({ ...reply, tsUs: grid(ts + int(5_000)), flags: 0x12 });
      out.push({ ...p, tsUs: grid(ts + (r() < 0.1 ? -int(500_000) : int(10_000))), flags: 0x10 });
      if (r() < 0.2) out.push({ ...p, tsUs: grid(ts + int(20_000)), flags: 0x18 });
    }
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
      for (const v of [abi.SYNFLOOD_DST, abi.SYNFLOOD_SLOW, abi.SYNFLOOD_SPREAD]) {
        expect(ref.episodes.filter((e) => e.variant === v).length, `variant ${v}`).toBeGreaterThan(3);
      }
      // The gate both blocks SYNs over a threshold and lets some through despite completions.
      expect(ref.gate.blocked).toBeGreaterThan(0);
      expect(ref.gate.passedWithCompletions).toBeGreaterThan(0);
      expect(run.counters[abi.C_HANDSHAKES_COMPLETED]).toBe(flowMarks(pkts, NO_EXPIRY).filter((m) => m.handshake).length);
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

  it('other gate fractions: 0.5, 1 (off: never blocks, the most evidence) and 0 (both tiers silent)', async () => {
    const pkts = floodStream(8, 8000);
    const marks: number[] = [];
    for (const f of [0.5, 1, 0]) {
      const rules: RuleConfig = { ...FLOOD_RULES, completedFraction: f };
      const { run, ref } = await propertyRun(pkts, rules);
      expectAgreement(pkts, run, ref, rules);
      if (f === 1) expect(ref.gate).toEqual({ blocked: 0, passedWithCompletions: ref.gate.passedWithCompletions });
      if (f === 0) expect(ref.episodes.filter((e) => e.variant !== abi.SYNFLOOD_SPREAD)).toEqual([]);
      else expect(ref.episodes.filter((e) => e.variant === abi.SYNFLOOD_DST).length, `f ${f}`).toBeGreaterThan(3);
      marks.push(run.counters[abi.C_MARKS_SYNFLOOD]);
    }
    expect(marks[1]).toBeGreaterThan(marks[0]);
    expect(marks[0]).toBeGreaterThan(marks[2]);
  });

  it('the slow tier alone (DST off) and DST alone (slow off)', async () => {
    const pkts = floodStream(10, 6000);
    for (const rules of [{ ...FLOOD_RULES, floodOn: false }, { ...FLOOD_RULES, slowOn: false }] as RuleConfig[]) {
      const { run, ref } = await propertyRun(pkts, rules);
      expect(ref.episodes.length).toBeGreaterThan(3);
      expectAgreement(pkts, run, ref, rules);
    }
  });

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
  it('does nothing when every variant is disabled', async () => {
    const off = { ...MARKS, [abi.CFG_SYNFLOOD_ENABLED]: 0, [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0, [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0 };
    for (const f of ['evgenii_syn_flood.pcap', 'ppa1e_dosattack.pcap']) {
      const run = await runCore(capture(SF + f), off);
      expect(floodEpisodes(run), f).toEqual([]);
      expect(run.counters[abi.C_MARKS_SYNFLOOD], f).toBe(0);
      expect(run.counters[abi.C_SYNFLOOD_KEYS_LIVE], f).toBe(0);
      const on = await runCore(capture(SF + f), MARKS);
      expect(floodEpisodes(on).length, f).toBe(1);
    }
  });

  it('the gate: a SYN over M is evidence only while completions < f x SYNs (exactly f x SYNs is not)', async () => {
    // To 10.10.10.10:80: three SYNs of which two complete (SYN, SYN/ACK, ACK; one ACK repeated)
    // and one is answered with RST/ACK (its ACK completes nothing), then six more SYNs.
    const D = '10.10.10.10';
    const C = '172.16.0.9';
    const at = (i: number, src: string, dst: string, sport: number, dport: number, flags: number): PacketRow => ({
      ts: 8e9 + i * 1000, src: v4(src), dst: v4(dst), sport, dport, proto: 6, flags,
    });
    const rowsIn: PacketRow[] = [
      at(0, C, D, 1000, 80, 0x02), at(1, D, C, 80, 1000, 0x12), at(2, C, D, 1000, 80, 0x10), at(3, C, D, 1000, 80, 0x10),
      at(4, C, D, 1001, 80, 0x02), at(5, D, C, 80, 1001, 0x12), at(6, C, D, 1001, 80, 0x10),
      at(7, C, D, 1002, 80, 0x02), at(8, D, C, 80, 1002, 0x14), at(9, C, D, 1002, 80, 0x10),
      ...[0, 1, 2, 3, 4, 5].map((k) => at(10 + k, C, D, 2000 + k, 80, 0x02)),
    ];
    const base = { ...RECORDS, ...MARKS, ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: 4 };
    const cases: [number, number[]][] = [
      [0.25, [15]], // 2 < 0.25 x 9 first at the 9th SYN (2 = 0.25 x 8 is not below)
      [1, [11, 12, 13, 14, 15]], // gate off: from the 5th SYN
      [0.2, []], // 2 < 0.2 x n needs n > 10
    ];
    for (const [f, evidence] of cases) {
      const run = await runCore(packRows(rowsIn), { ...base, [abi.CFG_SYNFLOOD_COMPLETED_FRACTION]: f });
      expect(run.counters[abi.C_HANDSHAKES_COMPLETED], `f ${f}`).toBe(2);
      expect([...run.marks.keys()].sort((a, b) => a - b), `f ${f}`).toEqual(evidence);
      const eps = floodEpisodes(run);
      expect(eps.map((e) => [e.variant, e.recordIndex, e.count]), `f ${f}`).toEqual(evidence.length ? [[abi.SYNFLOOD_DST, evidence[0], evidence.length]] : []);
    }
  });

  it('a destination stays while the longest enabled window holds its SYNs (slow tier on), not longer', async () => {
    // One SYN to D, then 2,000 UDP packets 2 s later (past T = 1.6 s, within T2 = 6.4 s; the sweep
    // visits every slot), then a second SYN to D 5 s after the first.
    const rowsIn: PacketRow[] = [{ ts: 9e9, src: v4('172.16.0.9'), dst: v4('10.10.10.10'), sport: 1000, dport: 80, proto: 6, flags: 2 }];
    for (let i = 0; i < 2000; i++) rowsIn.push({ ts: 9e9 + 2e6 + i, src: v4('172.16.1.1'), dst: v4('172.16.1.2'), sport: 53, dport: 53, proto: 17, flags: 0 });
    rowsIn.push({ ts: 9e9 + 5e6, src: v4('172.16.0.8'), dst: v4('10.10.10.10'), sport: 1001, dport: 80, proto: 6, flags: 2 });
    const base = {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_SYNFLOOD_SYNS]: 1, [abi.CFG_SYNFLOOD_WINDOW_S]: 1.6,
      [abi.CFG_SYNFLOOD_SLOW_SYNS]: 1, [abi.CFG_SYNFLOOD_SLOW_WINDOW_S]: 6.4, [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
    };
    const kept: number[] = [];
    const engine = await newEngine();
    engine.start({ [abi.CFG_SEED]: 5, ...base }, () => {});
    engine.feed(packRows(rowsIn.slice(0, 2001)));
    kept.push(engine.counters()[abi.C_SYNFLOOD_KEYS_LIVE]);
    const slowOff = await newEngine();
    slowOff.start({ [abi.CFG_SEED]: 5, ...base, [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0 }, () => {});
    slowOff.feed(packRows(rowsIn.slice(0, 2001)));
    kept.push(slowOff.counters()[abi.C_SYNFLOOD_KEYS_LIVE]);
    expect(kept).toEqual([1, 0]);
    // The second SYN finds the first in T2: 2 > M2 = 1, and DST (1 SYN in T) does not hold.
    const run = await runCore(packRows(rowsIn), base);
    expect(floodEpisodes(run).map((e) => [e.variant, e.recordIndex, e.value, e.src])).toEqual([[abi.SYNFLOOD_SLOW, 2001, 2, '172.16.0.8']]);
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
