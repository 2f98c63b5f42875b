// PORTSCAN (assembly/detect/portscan.ts: PORTS, SYN, HOSTS variants) through the whole core: the
// real scan captures against MANIFEST.md's ground truth and against the plain reference
// (test/reference/scan-rules.ts), the negatives and the benign captures, property tests on random
// packed-record streams (out-of-order and late timestamps, many sources and targets, repeated
// ports, port-space extremes, replies, ICMP, other IP protocols), the off switches, eviction at the
// memory cap, constant memory per key, the resumable flush and the trace.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';
import {
  runCore, episodes, expectAgreement, readCapturePackets, v4, ONLY_KEYED_RULES, EPS_SKETCH, type CoreRun,
} from '../reference/scan-core';
import {
  referenceRules, flowMarks, DEFAULT_RULES, ruleConfigIds, type RefPacket, type RuleConfig, type FlowTimeouts,
} from '../reference/scan-rules';

const PS = 'attacks/portscan/';
const MARKS = { ...ONLY_KEYED_RULES, [abi.CFG_MARKS_ENABLED]: 1 };

function capture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(DATA + rel));
}

function portscanEpisodes(run: CoreRun, variant?: number) {
  return episodes(run.alerts).filter((e) => e.detector === abi.DET_PORTSCAN && (variant === undefined || e.variant === variant));
}

/** Ground truth from MANIFEST.md: scanner, target, and for the 1000-port nmap scans the probes
 *  (= AUX) and distinct ports. */
const SCANS: { file: string; scanner: string; target: string; probes?: number; ports?: number }[] = [
  // "1000 ACK-only probes to 1000 distinct ports of 192.168.1.25"
  { file: 'evilfingers_ACK_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1000, ports: 1000 },
  { file: 'evilfingers_FIN_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1000, ports: 1000 },
  { file: 'evilfingers_NULL_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1000, ports: 1000 },
  { file: 'evilfingers_XMAS_TREE_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1000, ports: 1000 },
  { file: 'evilfingers_WINDOW_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1000, ports: 1000 },
  // "1002 SYN probes to 1000 distinct TCP ports"
  { file: 'evilfingers_TCP_SYN_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1002, ports: 1000 },
  // "1008 SYNs from 192.168.1.10 to 1000 distinct ports"
  { file: 'evilfingers_version_scan.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 1008, ports: 1000 },
  // "UDP probes to 1001 distinct UDP ports" (probes: retransmissions included, not in the GT)
  { file: 'evilfingers_UDP_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', ports: 1001 },
  // "256 probes, one per IP protocol number 0-255": 254 services without the ICMP and ICMPv6 ones
  { file: 'evilfingers_IP_PROTOCOL_SCAN.pcap', scanner: '192.168.1.10', target: '192.168.1.25', probes: 254, ports: 254 },
  // the bounce host 192.168.1.25 (src port 20) sends SYNs to 999 distinct ports of 192.168.1.15
  { file: 'evilfingers_FTP_BOUNCE_SCAN.pcap', scanner: '192.168.1.25', target: '192.168.1.15' },
  { file: 'evilfingers_xprobe_xprobe_tcp_scan_filter.pcap', scanner: '192.168.1.20', target: '192.168.1.25' },
  { file: 'evilfingers_xprobe_xprobe_icmp_udp_scan.pcap', scanner: '192.168.1.20', target: '192.168.1.25' },
  { file: 'evilfingers_xscan_capture.pcap', scanner: '192.168.1.125', target: '192.168.1.120' },
  // "29 SYNs to 29 distinct well-known ports in 2.8 s"
  { file: 'ppa1e_portscan.pcap', scanner: '10.100.25.14', target: '10.100.18.12', probes: 29, ports: 29 },
];
const NEGATIVES = [
  'evilfingers_xprobe_ICMP_echo_fingerprinting.pcap',
  'ndpi_tcp_scan.pcapng',
  'sbousseaden_discovery_scan_dcerpc_endpoint_mapper.pcapng',
];
/** The victim of every attack capture (MANIFEST.md GT): never the SRC of a PORTSCAN alert. */
const VICTIMS: Record<string, string> = {
  ...Object.fromEntries(SCANS.map((s) => [PS + s.file, s.target])),
  [PS + 'evilfingers_xprobe_ICMP_echo_fingerprinting.pcap']: '192.168.1.25',
  [PS + 'ndpi_tcp_scan.pcapng']: '192.168.1.2',
  [PS + 'sbousseaden_discovery_scan_dcerpc_endpoint_mapper.pcapng']: '10.0.2.18',
  'attacks/synflood/evgenii_syn_flood.pcap': '192.168.1.34',
  'attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng': '10.10.10.10',
  'attacks/synflood/suricata-verify_tcp-session-syn-flood.pcap': '198.51.100.5',
  'attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng': '10.10.10.10',
};

describe('PORTSCAN on the real scan captures', () => {
  for (const s of SCANS) {
    it(`${s.file}: names ${s.scanner} scanning ${s.target}`, async () => {
      const run = await runCore(capture(PS + s.file), ONLY_KEYED_RULES);
      const ports = portscanEpisodes(run, abi.PORTSCAN_PORTS);
      expect(ports.length).toBeGreaterThan(0);
      for (const e of portscanEpisodes(run)) {
        expect([e.src, e.dst]).toEqual([s.scanner, s.target]);
        expect(e.closed).toBe(true);
      }
      if (s.ports !== undefined) {
        // One episode per pair; COUNT = the probes after the crossing one's N predecessors.
        expect(ports.length).toBe(1);
        const e = ports[0];
        if (s.probes !== undefined) expect(e.aux).toBe(s.probes);
        expect(e.count).toBe(e.aux - 10);
        expect(e.newRecord.value).toBe(11);
        expect(e.value).toBeGreaterThanOrEqual(Math.floor(s.ports * (1 - EPS_SKETCH)));
        expect(e.value).toBeLessThanOrEqual(Math.min(e.aux, Math.ceil(s.ports * (1 + EPS_SKETCH))));
        expect(e.severity).toBe(e.value > 100 ? abi.SEV_HIGH : abi.SEV_MEDIUM);
      }
    });
  }

  it('the 1000-port nmap scans: one episode, VALUE within 10% of the GT ports, PEAK_RATE from the GT', async () => {
    // MANIFEST: ACK scan "1000 probes ... in 0.07 s" within one second: all 990 evidence probes in one bin.
    const run = await runCore(capture(PS + 'evilfingers_ACK_SCAN.pcap'), ONLY_KEYED_RULES);
    const [e] = portscanEpisodes(run, abi.PORTSCAN_PORTS);
    expect(Math.abs(e.value - 1000)).toBeLessThanOrEqual(100);
    expect(e.peakRate).toBe(990);
    expect(e.lastUs - e.tsUs).toBeLessThan(70_000);
  });

  it('FTP bounce: one slow episode over ~16 min; the strict SYN variant peaks at the GT 6 SYN/s', async () => {
    const run = await runCore(capture(PS + 'evilfingers_FTP_BOUNCE_SCAN.pcap'), ONLY_KEYED_RULES);
    const ports = portscanEpisodes(run, abi.PORTSCAN_PORTS);
    expect(ports.length).toBe(1);
    expect(ports[0].lastUs - ports[0].tsUs).toBeGreaterThan(15 * 60e6);
    // 999 distinct ports over 16.6 min: about 60 per minute, far fewer than 999 in one window.
    expect(ports[0].value).toBeGreaterThan(10);
    expect(ports[0].value).toBeLessThan(200);
    const syn = portscanEpisodes(run, abi.PORTSCAN_SYN);
    expect(syn.length).toBe(1);
    expect(syn[0].peakRate).toBe(6);
  });

  for (const f of NEGATIVES) {
    it(`${f}: no PORTSCAN alert (negative)`, async () => {
      const run = await runCore(capture(PS + f), MARKS);
      expect(portscanEpisodes(run)).toEqual([]);
      expect(run.counters[abi.C_MARKS_PORTSCAN]).toBe(0);
      expect(run.counters[abi.C_ALERTS_PORTSCAN]).toBe(0);
    });
  }

  it('never names a scan or flood victim as a scanner (every portscan and synflood capture)', async () => {
    for (const [rel, victim] of Object.entries(VICTIMS)) {
      const run = await runCore(capture(rel), ONLY_KEYED_RULES);
      const srcs = new Set(run.alerts.filter((a) => a.detector === abi.DET_PORTSCAN).map((a) => a.src));
      expect(srcs.has(victim), `${rel}: ${victim} named as scanner`).toBe(false);
    }
  });

  it('agrees with the reference on every portscan capture (marks exactly, episodes within bounds)', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(DATA + PS).filter((f) => /\.pcap(ng)?$/.test(f));
    expect(files.length).toBe(17);
    for (const f of files) {
      const bytes = capture(PS + f);
      const pkts = readCapturePackets(bytes);
      const run = await runCore(bytes, { ...MARKS, ...ruleConfigIds(DEFAULT_RULES) });
      expect(pkts.length, f).toBe(run.counters[abi.C_PACKETS_DECODED]);
      expectAgreement(pkts, run, referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES), DEFAULT_RULES);
    }
  });
});

describe('PORTSCAN on benign captures', () => {
  it('raises nothing on normal/*.pcap* and normal/perf/*.pcap.gz', async () => {
    const { readdirSync } = await import('node:fs');
    const top = readdirSync(DATA + 'normal').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/' + f);
    const perf = readdirSync(DATA + 'normal/perf').filter((f) => /\.pcap/.test(f)).map((f) => 'normal/perf/' + f);
    expect(top.length).toBeGreaterThanOrEqual(13);
    expect(perf.length).toBeGreaterThanOrEqual(2);
    for (const f of [...top, ...perf]) {
      const run = await runCore(f.endsWith('.gz') ? new Uint8Array(gunzipSync(readFileSync(DATA + f))) : capture(f), MARKS);
      expect(portscanEpisodes(run), f).toEqual([]);
      expect(run.counters[abi.C_MARKS_PORTSCAN], f).toBe(0);
    }
  });

  it('real_mix: 56 hosts probed on UDP 6000 by 10.8.0.1 in 300 s, 21 unanswered: an address scan only when answers are ignored', async () => {
    // MANIFEST: normal/perf/real_mix_ndpi_zeek_merged (benign traffic of many captures merged).
    const bytes = new Uint8Array(gunzipSync(readFileSync(DATA + 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz')));
    const pkts = readCapturePackets(bytes);
    // Without the answers (flowMarks with every firstReply false) the reference counts every host probed.
    const blind = flowMarks(pkts).map((m) => ({ ...m, firstReply: false }));
    const noAnswers = referenceRules(pkts, blind, DEFAULT_RULES).episodes.filter((e) => e.variant === abi.PORTSCAN_HOSTS && e.detector === abi.DET_PORTSCAN);
    expect(noAnswers.map((e) => e.src)).toContain('10.8.0.1');
    const withAnswers = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES);
    expect(withAnswers.episodes.filter((e) => e.detector === abi.DET_PORTSCAN)).toEqual([]);
    const run = await runCore(bytes, { ...MARKS, ...ruleConfigIds(DEFAULT_RULES) });
    expectAgreement(pkts, run, withAnswers, DEFAULT_RULES);
  });
});

describe('address scan: answered probes stop counting (Zeek counts failed attempts only)', () => {
  // 10.9.0.1 probes tcp/443 on 40 hosts, 50 ms apart; each host answers 1 ms later (or not).
  function sweep(answer: 'synack' | 'rst' | 'none' | 'late'): RefPacket[] {
    const out: RefPacket[] = [];
    const t0 = 1_700_000_000_000_000;
    for (let i = 0; i < 40; i++) {
      const host = `10.9.1.${i + 1}`;
      out.push({ tsUs: t0 + i * 50_000, src: '10.9.0.1', dst: host, sport: 40000 + i, dport: 443, proto: 6, flags: 2 });
      const flags = answer === 'rst' ? 0x14 : 0x12;
      if (answer === 'synack' || answer === 'rst') out.push({ tsUs: t0 + i * 50_000 + 1000, src: host, dst: '10.9.0.1', sport: 443, dport: 40000 + i, proto: 6, flags });
    }
    if (answer === 'late') {
      // every host answers, but only after all 40 probes: the scan is decided before
      for (let i = 0; i < 40; i++) out.push({ tsUs: t0 + 2_000_000 + i, src: `10.9.1.${i + 1}`, dst: '10.9.0.1', sport: 443, dport: 40000 + i, proto: 6, flags: 0x12 });
    }
    return out;
  }
  const hostsOnly: RuleConfig = { ...DEFAULT_RULES, portsOn: false, synOn: false, floodOn: false, spreadOn: false };
  for (const [kind, alerts] of [['synack', 0], ['rst', 1], ['none', 1], ['late', 1]] as const) {
    it(`${kind}: ${alerts} HOSTS episode(s), the core agreeing with the reference`, async () => {
      const pkts = sweep(kind);
      const { run, ref } = await propertyRun(pkts, hostsOnly, NODE_TIMEOUTS);
      const eps = portscanEpisodes(run, abi.PORTSCAN_HOSTS);
      expect(eps.length).toBe(alerts);
      if (alerts) {
        expect(eps[0].src).toBe('10.9.0.1');
        expect(eps[0].newRecord.value).toBe(26); // the 26th host probed crosses H = 25
      }
      expectAgreement(pkts, run, ref, hostsOnly);
    });
  }
});

// ---------------------------------------------------------------- random streams

const NODE_TIMEOUTS: FlowTimeouts = { tcp: 1e7, udp: 1e7, icmp: 1e7, other: 1e7 };
const SHORT_TIMEOUTS: FlowTimeouts = { tcp: 3, udp: 2, icmp: 2, other: 1.5 };

function timeoutConfig(t: FlowTimeouts): Record<number, number> {
  return {
    [abi.CFG_TCP_TIMEOUT_S]: t.tcp, [abi.CFG_UDP_TIMEOUT_S]: t.udp,
    [abi.CFG_ICMP_TIMEOUT_S]: t.icmp, [abi.CFG_OTHER_TIMEOUT_S]: t.other,
  };
}

/** Small thresholds and windows so random streams cross them often and windows slide. */
const SMALL_RULES: RuleConfig = {
  portsOn: true, portsN: 4, portsWindowS: 2,
  synOn: true, synS: 6, synP: 3, synWindowS: 1.5,
  hostsOn: true, hostsH: 4, hostsWindowS: 3,
  floodOn: true, floodM: 8, floodWindowS: 2,
  spreadOn: true, spreadM: 8, spreadWindowS: 0.5,
};

const EXTREME_PORTS = [0, 1, 21, 22, 23, 25, 53, 80, 443, 445, 3389, 8080, 65534, 65535];

/**
 * A random stream: bursts of vertical scans (one source, one target, many ports, any TCP flags or
 * UDP), horizontal scans (one port or ICMP echo, many hosts), SYN floods, spread SYNs, retransmissions,
 * the victims' replies (SYN/ACK, RST, RST/ACK, ICMP errors), reply-looking fresh packets and other
 * IP protocols. Timestamps: gaps from microseconds to seconds (episodes end), 5% up to 1.5 s out of
 * order, 2% up to 7 s late (mostly beyond any window), 1% exactly one window behind the newest
 * time (unless `monotonic`); with `gridUs` > 1 every time is a
 * multiple of it, so packets land exactly on window and bucket edges. Bursts of backscatter: a
 * host answering spoofed probes with SYN/ACKs and RSTs that open their own flows, a router sending
 * ICMP errors and echo replies to many hosts (never probes).
 */
function scanStream(seed: number, n: number, monotonic = false, gridUs = 1): RefPacket[] {
  const r = rng(seed);
  const int = (k: number) => Math.floor(r() * k);
  const pick = <T>(a: T[]): T => a[int(a.length)];
  const srcs = Array.from({ length: 6 }, (_, i) => `10.0.0.${i + 1}`);
  const dsts = Array.from({ length: 48 }, (_, i) => `10.1.${i >> 4}.${i & 15}`);
  const out: RefPacket[] = [];
  let t = 1_600_000_000_000_000;
  let burst = { kind: 0, src: srcs[0], dst: dsts[0], port: 80, left: 0 };
  let clock = t;
  const port = () => (r() < 0.5 ? pick(EXTREME_PORTS) : 1 + int(65535));
  for (let i = 0; i < n; i++) {
    t += r() < 0.01 ? 2_000_000 + int(4_000_000) : int(r() < 0.6 ? 30_000 : 250_000);
    let ts = t;
    if (!monotonic) {
      const u = r();
      if (u < 0.05) ts = t - int(1_500_000);
      else if (u < 0.07) ts = t - int(7_000_000); // mostly beyond the window
      else if (u < 0.08) ts = clock - pick([500_000, 1_500_000, 2_000_000, 3_000_000]); // right on a window's edge
    }
    ts = Math.round(ts / gridUs) * gridUs;
    clock = Math.max(clock, ts);
    if (burst.left <= 0) burst = { kind: int(6), src: pick(srcs), dst: pick(dsts), port: port(), left: 5 + int(60) };
    burst.left--;
    const sport = 1024 + int(64000);
    const u = r();
    let p: RefPacket;
    if (u < 0.55) {
      switch (burst.kind) {
        case 0: { // vertical scan, any probe kind
          const k = int(9);
          if (k < 6) p = { tsUs: ts, src: burst.src, dst: burst.dst, sport, dport: port(), proto: 6, flags: [2, 2, 0xc2, 1, 0, 0x29][k] };
          else if (k < 8) p = { tsUs: ts, src: burst.src, dst: burst.dst, sport, dport: port(), proto: 17, flags: 0 };
          else p = { tsUs: ts, src: burst.src, dst: burst.dst, sport: 0, dport: 0, proto: pick([0, 2, 47, 132, 200, 255]), flags: 0 };
          break;
        }
        case 1: // horizontal scan on one port, or a ping sweep
          if (burst.port % 3 === 0) p = { tsUs: ts, src: burst.src, dst: pick(dsts), sport: 8, dport: 0, proto: 1, flags: 0 };
          else p = { tsUs: ts, src: burst.src, dst: pick(dsts), sport, dport: burst.port, proto: burst.port % 3 === 1 ? 6 : 17, flags: 2 };
          break;
        case 2: // SYN flood on one victim from many sources
          p = { tsUs: ts, src: `172.16.${int(4)}.${int(250)}`, dst: burst.dst, sport, dport: burst.port, proto: 6, flags: r() < 0.2 ? 0xc2 : 2 };
          break;
        case 3: // spread SYNs: random sources and destinations
          p = { tsUs: ts, src: `172.17.${int(200)}.${int(250)}`, dst: `192.168.${int(200)}.${int(250)}`, sport, dport: port(), proto: 6, flags: 2 };
          break;
        case 5: // backscatter: the "target" answers spoofed SYNs to many ports of one address, or a
          // router sends ICMP errors / echo replies to many hosts
          if (burst.port % 4 === 0) p = { tsUs: ts, src: burst.dst, dst: `10.4.${int(8)}.${int(8)}`, sport: pick([0, 3, 11, 5]), dport: int(4), proto: 1, flags: 0 };
          else p = { tsUs: ts, src: burst.dst, dst: burst.src, sport: burst.port, dport: port(), proto: 6, flags: pick([0x12, 0x14, 0x04]) };
          break;
        default: // slow mixed probing of a few ports (repeats)
          p = { tsUs: ts, src: burst.src, dst: burst.dst, sport, dport: pick([22, 80, 443, 8080, 0, 65535]), proto: 6, flags: 2 };
      }
    } else if (u < 0.7 && out.length > 0) {
      // retransmission of an earlier packet (same flow: not fresh; SYNs still count)
      p = { ...pick(out), tsUs: ts };
    } else if (u < 0.85 && out.length > 0) {
      // the target's reply to an earlier packet (half of the time one of the last few: prompt answers)
      const q = r() < 0.5 ? out[Math.max(0, out.length - 1 - int(4))] : pick(out);
      if (q.proto === 6) p = { tsUs: ts, src: q.dst, dst: q.src, sport: q.dport, dport: q.sport, proto: 6, flags: pick([0x12, 0x14, 0x04]) };
      else if (q.proto === 17 && r() < 0.5) p = { tsUs: ts, src: q.dst, dst: q.src, sport: q.dport, dport: q.sport, proto: 17, flags: 0 };
      else if (q.proto === 1 && q.sport === 8 && r() < 0.7) p = { tsUs: ts, src: q.dst, dst: q.src, sport: 0, dport: 0, proto: 1, flags: 0 };
      else p = { tsUs: ts, src: q.dst, dst: q.src, sport: 3, dport: pick([1, 3, 13]), proto: 1, flags: 0 };
    } else if (u < 0.92) {
      // a reply-looking packet that opens its own flow (RST or SYN/ACK), or an ICMP error / echo reply
      const k = int(3);
      if (k < 2) p = { tsUs: ts, src: pick(dsts), dst: pick(srcs), sport: port(), dport: sport, proto: 6, flags: k === 0 ? 0x12 : 0x04 };
      else p = { tsUs: ts, src: pick(dsts), dst: pick(srcs), sport: pick([0, 3, 11]), dport: int(16), proto: 1, flags: 0 };
    } else {
      p = { tsUs: ts, src: pick(srcs), dst: pick(dsts), sport, dport: port(), proto: pick([6, 17]), flags: pick([2, 0x10, 0x18, 1]) };
    }
    out.push(p!);
  }
  return out;
}

function rows(pkts: RefPacket[]): PacketRow[] {
  return pkts.map((p) => ({ ts: p.tsUs, src: v4(p.src), dst: v4(p.dst), sport: p.sport, dport: p.dport, proto: p.proto, flags: p.flags }));
}

const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };

async function propertyRun(pkts: RefPacket[], rules: RuleConfig, timeouts: FlowTimeouts) {
  const run = await runCore(packRows(rows(pkts)), { ...RECORDS, ...MARKS, ...ruleConfigIds(rules), ...timeoutConfig(timeouts) }, undefined, 64 * 997);
  const ref = referenceRules(pkts, flowMarks(pkts, timeouts), rules);
  return { run, ref };
}

describe('PORTSCAN against the reference on random streams', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: marks exactly, episodes within the stated bounds`, async () => {
      const pkts = scanStream(seed, 8000);
      const { run, ref } = await propertyRun(pkts, SMALL_RULES, NODE_TIMEOUTS);
      // The stream must exercise every variant (else the test proves nothing).
      for (const v of [abi.PORTSCAN_PORTS, abi.PORTSCAN_SYN, abi.PORTSCAN_HOSTS]) {
        expect(ref.episodes.filter((e) => e.detector === abi.DET_PORTSCAN && e.variant === v).length, `variant ${v}`).toBeGreaterThan(3);
      }
      expect(run.counters[abi.C_TS_OUT_OF_ORDER]).toBeGreaterThan(100);
      // Answered probes matter in this stream: ignoring the answers changes the address scans.
      const blind = referenceRules(pkts, flowMarks(pkts, NODE_TIMEOUTS).map((m) => ({ ...m, firstReply: false })), SMALL_RULES);
      const hostEvidence = (x: typeof ref) => x.episodes.filter((e) => e.variant === abi.PORTSCAN_HOSTS && e.detector === abi.DET_PORTSCAN)
        .reduce((n, e) => n + e.count, 0);
      expect(hostEvidence(blind)).toBeGreaterThan(hostEvidence(ref));
      expectAgreement(pkts, run, ref, SMALL_RULES);
    });
  }

  for (const seed of [7, 8]) {
    it(`seed ${seed}, times on a 50-ms grid: packets exactly on window, bucket and timeout edges`, async () => {
      const pkts = scanStream(seed, 8000, false, 50_000);
      const { run, ref } = await propertyRun(pkts, SMALL_RULES, NODE_TIMEOUTS);
      expect(ref.episodes.length).toBeGreaterThan(10);
      expectAgreement(pkts, run, ref, SMALL_RULES);
    });
  }

  it('with flow idle timeouts (monotonic time): fresh-after-expiry probes count again', async () => {
    const pkts = scanStream(11, 8000, true);
    const { run, ref } = await propertyRun(pkts, SMALL_RULES, SHORT_TIMEOUTS);
    expect(run.counters[abi.C_FLOWS_EXPIRED]).toBeGreaterThan(100);
    expectAgreement(pkts, run, ref, SMALL_RULES);
  });

  it('with the default thresholds and windows', async () => {
    const pkts = scanStream(21, 10000).map((p) => ({ ...p, tsUs: 1_600_000_000_000_000 + (p.tsUs - 1_600_000_000_000_000) * 8 }));
    const { run, ref } = await propertyRun(pkts, DEFAULT_RULES, NODE_TIMEOUTS);
    expect(ref.episodes.filter((e) => e.detector === abi.DET_PORTSCAN).length).toBeGreaterThan(3);
    expectAgreement(pkts, run, ref, DEFAULT_RULES);
  });

  it('one variant at a time: the others write nothing', async () => {
    const pkts = scanStream(5, 5000);
    for (const only of ['portsOn', 'synOn', 'hostsOn'] as const) {
      const rules: RuleConfig = { ...SMALL_RULES, portsOn: false, synOn: false, hostsOn: false, floodOn: false, spreadOn: false, [only]: true };
      const { run, ref } = await propertyRun(pkts, rules, NODE_TIMEOUTS);
      expect(ref.episodes.length, only).toBeGreaterThan(0);
      expectAgreement(pkts, run, ref, rules);
    }
  });
});

// ---------------------------------------------------------------- edge cases

/** `ports` probes (SYN, fresh) from A to B, 0.5 ms apart (65,535 of them fit in one window). */
function verticalScan(ports: number[], t0 = 1_000_000_000): PacketRow[] {
  return ports.map((dport, i) => ({ ts: t0 + i * 500, src: v4('10.0.0.1'), dst: v4('10.0.0.2'), sport: 40000 + (i % 20000), dport, proto: 6, flags: 2 }));
}

describe('PORTSCAN switches, memory and output', () => {
  it('does nothing when every variant is disabled', async () => {
    const bytes = capture(PS + 'evilfingers_TCP_SYN_SCAN.pcap');
    const run = await runCore(bytes, {
      ...MARKS, [abi.CFG_PORTSCAN_ENABLED]: 0, [abi.CFG_PORTSCAN_SYN_ENABLED]: 0, [abi.CFG_ADDRSCAN_ENABLED]: 0,
    });
    expect(portscanEpisodes(run)).toEqual([]);
    expect(run.counters[abi.C_MARKS_PORTSCAN]).toBe(0);
    expect(run.counters[abi.C_PORTSCAN_KEYS_LIVE]).toBe(0);
    expect(run.counters[abi.C_ADDRSCAN_KEYS_LIVE]).toBe(0);
    // ... while the same capture fires with them on.
    const on = await runCore(bytes, MARKS);
    expect(portscanEpisodes(on).length).toBe(2);
  });

  it('memory per pair is constant: 65,535 probed ports cost what 11 do', async () => {
    const config = {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_ADDRSCAN_ENABLED]: 0, [abi.CFG_FLOW_CAPACITY]: 1 << 18,
    };
    const sizes: number[] = [];
    for (const n of [11, 65535]) {
      const engine = await newEngine();
      const alerts: number[] = [];
      engine.start({ [abi.CFG_SEED]: 1, ...config }, (o) => {
        for (let i = 0; i < o.alertCount; i++) alerts.push(o.alerts.getFloat64(i * abi.ALERT_STRIDE + abi.ALERT_VALUE, true));
      });
      engine.feed(packRows(verticalScan(Array.from({ length: n }, (_, i) => i + 1))));
      engine.finish();
      const c = engine.counters();
      expect(c[abi.C_PORTSCAN_KEYS_LIVE]).toBe(1);
      expect(c[abi.C_FLOW_CAPACITY]).toBe(1 << 18);
      sizes.push(engine.core.memory.buffer.byteLength);
      // VALUE of the update: the estimate for 65,535 ports, exactly 11 for 11.
      const final = alerts[alerts.length - 1];
      if (n === 11) expect(final).toBe(11);
      else expect(Math.abs(final - n)).toBeLessThanOrEqual(n * EPS_SKETCH);
    }
    expect(sizes[1]).toBe(sizes[0]);
  });

  it('evicts at the memory cap and closes the evicted pairs\' episodes', async () => {
    // 3,000 pairs, each a 12-port scan within 12 ms, all inside one window; a 64 KiB cap holds ~50.
    const rowsIn: PacketRow[] = [];
    for (let k = 0; k < 3000; k++) {
      for (let j = 0; j < 12; j++) {
        rowsIn.push({ ts: 1_000_000_000 + k * 12_000 + j * 1000, src: v4(`10.2.${k >> 8}.${k & 255}`), dst: v4('10.9.9.9'), sport: 1000 + j, dport: 100 + j, proto: 6, flags: 2 });
      }
    }
    const run = await runCore(packRows(rowsIn), {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_SCAN_MEMORY_CAP_BYTES]: 64 * 1024, [abi.CFG_ADDRSCAN_ENABLED]: 0,
      [abi.CFG_SYNFLOOD_ENABLED]: 0, [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
    });
    expect(run.counters[abi.C_PORTSCAN_KEYS_EVICTED]).toBeGreaterThan(2000);
    expect(run.counters[abi.C_PORTSCAN_KEYS_LIVE]).toBeLessThan(100);
    const eps = portscanEpisodes(run, abi.PORTSCAN_PORTS);
    // Every pair crossed N while live (its 12 probes arrive back to back), and every episode closed.
    expect(eps.length).toBe(3000);
    expect(eps.every((e) => e.closed && e.count === 2)).toBe(true);
  });

  it('flush is resumable: 500 open episodes through a 33-alert region', async () => {
    const rowsIn: PacketRow[] = [];
    for (let k = 0; k < 500; k++) {
      for (let j = 0; j < 11; j++) {
        rowsIn.push({ ts: 1_000_000_000 + k * 100 + j, src: v4(`10.3.${k >> 8}.${k & 255}`), dst: v4('10.9.9.8'), sport: 2000 + j, dport: 7 + j, proto: 17, flags: 0 });
      }
    }
    const run = await runCore(packRows(rowsIn), {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_ALERT_CAPACITY]: 33, [abi.CFG_ADDRSCAN_ENABLED]: 0,
    });
    const eps = portscanEpisodes(run, abi.PORTSCAN_PORTS);
    expect(eps.length).toBe(500);
    expect(eps.every((e) => e.closed)).toBe(true);
    expect(run.alerts.length).toBe(1000);
  });

  it('trace: one point per probe of the traced pair, exact distinct counts up to N', async () => {
    const bytes = capture(PS + 'evilfingers_TCP_SYN_SCAN.pcap');
    const key = new Uint8Array(abi.TRACE_KEY_BYTES);
    key.set(v4('192.168.1.10'), 0);
    key.set(v4('192.168.1.25'), 16);
    const run = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_PORTSCAN }, key);
    const pkts = readCapturePackets(bytes);
    const ref = referenceRules(pkts, flowMarks(pkts), DEFAULT_RULES, { detector: abi.DET_PORTSCAN, src: '192.168.1.10', dst: '192.168.1.25' });
    expect(ref.trace.length).toBe(1002);
    expect(run.trace.map((p) => p.recordIndex)).toEqual(ref.trace.map((p) => p.index));
    run.trace.forEach((p, i) => {
      const e = ref.trace[i];
      expect(p.mean).toBe(10);
      expect(p.flags).toBe(e.over ? 3 : 1);
      if (!e.over) expect(p.size).toBe(e.value);
      else expect(Math.abs(p.size - e.value)).toBeLessThanOrEqual(Math.ceil(e.value * EPS_SKETCH) + 1);
    });
    expect(run.trace[run.trace.length - 1].size).toBeGreaterThan(900);
    // The reverse direction (the victim's replies) is not the traced pair and never a probe.
    const rev = new Uint8Array(abi.TRACE_KEY_BYTES);
    rev.set(v4('192.168.1.25'), 0);
    rev.set(v4('192.168.1.10'), 16);
    const none = await runCore(bytes, { ...ONLY_KEYED_RULES, [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_PORTSCAN }, rev);
    expect(none.trace).toEqual([]);
  });

  it('an episode ends when the clock passes LAST + T: evidence exactly T later continues it, T + 1 µs later starts a new one', async () => {
    const A = v4('10.0.0.1');
    const B = v4('10.0.0.2');
    const T = 1_000_000;
    for (const gap of [T, T + 1]) {
      // N = 1: two ports at 0 cross (evidence at 0); two new ports at `gap` cross again.
      const rowsIn: PacketRow[] = [
        { ts: 5e9, src: A, dst: B, sport: 1, dport: 1, flags: 2 },
        { ts: 5e9, src: A, dst: B, sport: 2, dport: 2, flags: 2 },
        { ts: 5e9 + gap, src: A, dst: B, sport: 3, dport: 3, flags: 2 },
        { ts: 5e9 + gap, src: A, dst: B, sport: 4, dport: 4, flags: 2 },
      ];
      const run = await runCore(packRows(rowsIn), { ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_PORTSCAN_PORTS]: 1, [abi.CFG_PORTSCAN_WINDOW_S]: 1 });
      const eps = portscanEpisodes(run, abi.PORTSCAN_PORTS);
      if (gap === T) {
        expect(eps.map((e) => [e.count, e.recordIndex, e.lastUs - e.tsUs])).toEqual([[2, 1, T]]);
      } else {
        expect(eps.map((e) => [e.count, e.recordIndex])).toEqual([[1, 1], [1, 3]]);
      }
    }
  });

  it('thresholds above the cap are clamped to 255 distinct', async () => {
    const run = await runCore(packRows(verticalScan(Array.from({ length: 300 }, (_, i) => i + 1))), {
      ...RECORDS, ...ONLY_KEYED_RULES, [abi.CFG_PORTSCAN_PORTS]: 10000,
    });
    const [e] = portscanEpisodes(run, abi.PORTSCAN_PORTS);
    expect(e.threshold).toBe(255);
    expect(e.newRecord.value).toBe(256);
    expect(e.count).toBe(300 - 255);
  });
});
