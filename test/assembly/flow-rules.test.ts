// The per-flow rules BLACKLIST, LARGESIZE and UNUSUAL (assembly/detect/flow-rules.ts,
// assembly/detect/blacklist.ts) through the whole core: a differential test against the plain
// TypeScript reference (test/reference/flow-rules.ts) on random packed-record streams (IPv4 and
// IPv6, ranges of every prefix length, sizes around S, random normal sets), per-packet reasons
// (MARK_REASONS) and episodes (NEW + UPDATE) compared exactly; edge cases (SYN+ACK first, ICMP,
// eviction, a tiny alert region, unsorted ranges, off switches); and real captures.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import type { RuleInputs } from '../../src/worker/engine';
import { DATA, newEngine, readAlert, type RawAlert } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';
import {
  addrBig, cidr, rangeBytes, referenceFlowRules, servicesBitmap,
  type RefConfig, type RefEpisode, type RefPacket, type RefRange, type RefServices,
} from '../reference/flow-rules';

const MY_REASONS = (1 << abi.DET_BLACKLIST) | (1 << abi.DET_LARGESIZE) | (1 << abi.DET_UNUSUAL);

/** Every other detector off, marks on: the reasons seen are this file's rules only. */
const QUIET: Record<number, number> = {
  [abi.CFG_SEED]: 12345,
  [abi.CFG_ZSCORE_ENABLED]: 0,
  [abi.CFG_PORTSCAN_ENABLED]: 0,
  [abi.CFG_PORTSCAN_SYN_ENABLED]: 0,
  [abi.CFG_ADDRSCAN_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0,
  [abi.CFG_FLOWWIN_ENABLED]: 0,
  [abi.CFG_LATENCY_ENABLED]: 0,
  [abi.CFG_RETRANS_ENABLED]: 0,
  [abi.CFG_LONGCONN_ENABLED]: 0,
  [abi.CFG_LONGCONN_LADDER_ENABLED]: 0,
  [abi.CFG_SPIKE_ENABLED]: 0,
  [abi.CFG_SPIKE_DST_ENABLED]: 0,
  [abi.CFG_PROTOSHIFT_ENABLED]: 0,
  [abi.CFG_MARKS_ENABLED]: 1,
};
const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };

function v4(s: string): Uint8Array {
  const a = new Uint8Array(16);
  a[10] = 0xff;
  a[11] = 0xff;
  s.split('.').forEach((x, i) => (a[12 + i] = Number(x)));
  return a;
}
/** IPv6 text with "::" (no embedded IPv4). */
function v6(s: string): Uint8Array {
  const [head, tail] = s.includes('::') ? s.split('::') : [s, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const a = new Uint8Array(16);
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    a[2 * i] = n >> 8;
    a[2 * i + 1] = n & 255;
  });
  return a;
}
const hex = (a: Uint8Array) => Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('');

/** An alert record with hex addresses (and the short names this file uses for two fields). */
type Alert = Omit<RawAlert, 'src' | 'dst'> & { src: string; dst: string; label: number; offset: number };

interface Run {
  alerts: Alert[];
  /** Reason bits of this file's rules per record index (marked packets only). */
  reasons: Map<number, number>;
  /** Every marked packet as the core decoded it. */
  marked: RefPacket[];
  counters: Float64Array;
  status: number;
}

async function run(bytes: Uint8Array, config: Record<number, number>, rules: RuleInputs, chunk = 1 << 20): Promise<Run> {
  const engine = await newEngine();
  const alerts: Alert[] = [];
  const reasons = new Map<number, number>();
  const marked: RefPacket[] = [];
  engine.start({ ...QUIET, ...config }, (o) => {
    const v = o.alerts;
    for (let i = 0; i < o.alertCount; i++) {
      const a = readAlert(v, i * abi.ALERT_STRIDE);
      alerts.push({ ...a, src: hex(a.src), dst: hex(a.dst), label: a.protoLabel, offset: a.recordOffset });
    }
    const m = o.marks;
    for (let i = 0; i < o.markCount; i++) {
      const b = i * abi.MARK_STRIDE;
      const idx = m.getUint32(b + abi.MARK_RECORD_INDEX, true);
      const r = m.getUint32(b + abi.MARK_REASONS, true) & MY_REASONS;
      if (r) reasons.set(idx, r);
      const u8 = new Uint8Array(m.buffer, m.byteOffset + b, abi.MARK_STRIDE);
      marked.push({
        tsUs: Number(m.getBigInt64(b + abi.MARK_TS_US, true)),
        src: u8.slice(abi.MARK_SRC, abi.MARK_SRC + 16),
        dst: u8.slice(abi.MARK_DST, abi.MARK_DST + 16),
        sport: m.getUint16(b + abi.MARK_SPORT, true),
        dport: m.getUint16(b + abi.MARK_DPORT, true),
        proto: m.getUint8(b + abi.MARK_PROTO),
        flags: m.getUint8(b + abi.MARK_TCP_FLAGS),
        label: m.getUint16(b + abi.MARK_PROTO_LABEL, true),
        size: m.getUint32(b + abi.MARK_WIRE_LEN, true),
        vlan: m.getUint32(b + abi.MARK_VLAN, true),
        recordIndex: idx,
      });
    }
  }, rules);
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  const st = engine.finish();
  return { alerts, reasons, marked, counters: engine.counters(), status: st.status };
}

interface Episode {
  neu: Alert;
  upd: Alert;
}

/** Pairs NEW and UPDATE by episode id; asserts exactly one of each per id, NEW first, and that
 *  the UPDATE repeats the NEW's subject fields. Keyed by "detector:first record index". (Checks
 *  collect messages and assert once: thousands of expect() calls per stream are slow.) */
function episodesOf(alerts: Alert[]): Map<string, Episode> {
  const errors: string[] = [];
  const byId = new Map<number, { neu?: Alert; upd?: Alert }>();
  for (const a of alerts) {
    if (!(a.episode > 0)) errors.push(`episode id ${a.episode}`);
    const e = byId.get(a.episode) ?? {};
    if (a.kind === abi.ALERT_KIND_NEW) {
      if (e.neu) errors.push(`second NEW for episode ${a.episode}`);
      if (e.upd) errors.push(`UPDATE before NEW, episode ${a.episode}`);
      e.neu = a;
    } else {
      if (a.kind !== abi.ALERT_KIND_UPDATE) errors.push(`kind ${a.kind}`);
      if (e.upd) errors.push(`second UPDATE for episode ${a.episode}`);
      e.upd = a;
    }
    byId.set(a.episode, e);
  }
  const out = new Map<string, Episode>();
  for (const [id, e] of byId) {
    if (!e.neu || !e.upd) {
      errors.push(`episode ${id} without ${e.neu ? 'UPDATE' : 'NEW'}`);
      continue;
    }
    const n = e.neu, u = e.upd;
    for (const k of ['tsUs', 'src', 'dst', 'sport', 'dport', 'label', 'detector', 'size', 'recordIndex', 'vlan', 'offset', 'variant', 'threshold'] as const) {
      if (u[k] !== n[k]) errors.push(`UPDATE ${k} of episode ${id}: ${u[k]} vs NEW ${n[k]}`);
    }
    const key = `${n.detector}:${n.recordIndex}`;
    if (out.has(key)) errors.push(`two episodes ${key}`);
    out.set(key, { neu: n, upd: u });
  }
  expect(errors).toEqual([]);
  return out;
}

/** Asserts the core's reasons and episodes equal the reference's exactly. */
function expectMatches(got: Run, want: { reasons: Map<number, number>; episodes: RefEpisode[] }, tag: string): Map<string, Episode> {
  expect(got.status, tag).toBe(abi.STATUS_DONE);
  const byIndex = (m: Map<number, number>) => [...m].sort((a, b) => a[0] - b[0]);
  expect(byIndex(got.reasons), `${tag}: reasons`).toEqual(byIndex(want.reasons));
  const eps = episodesOf(got.alerts);
  // One row per episode: key, the NEW's subject and numbers, the UPDATE's final numbers.
  const gotRows = [...eps].map(([key, { neu: n, upd: u }]) => ({
    key,
    subject: [n.tsUs, n.lastUs, n.src, n.dst, n.sport, n.dport, n.label, n.size, n.vlan],
    neu: [n.severity, n.score, n.value, n.threshold, n.count, n.peakRate, n.variant, n.aux, n.windowS],
    upd: [u.severity, u.score, u.value, u.count, u.lastUs, u.peakRate, u.aux, u.mean, u.std, u.samples, u.windowS],
  }));
  const wantRows = want.episodes.map((w) => {
    const f = w.first;
    return {
      key: `${w.detector}:${f.recordIndex}`,
      subject: [f.tsUs, f.tsUs, hex(f.src), hex(f.dst), f.sport, f.dport, f.label, f.size, f.vlan],
      neu: [w.newSeverity, w.newScore, w.newValue, w.threshold, 1, 1, w.variant, w.aux, 0],
      upd: [w.severity, w.score, w.value, w.count, w.lastUs, w.peakRate, w.aux, 0, 0, 0, 0],
    };
  });
  const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  expect(gotRows.sort(byKey), `${tag}: episodes`).toEqual(wantRows.sort(byKey));
  const det = (d: number) => want.episodes.filter((e) => e.detector === d).length;
  const marks = (d: number) => [...want.reasons.values()].filter((r) => r & (1 << d)).length;
  expect([got.counters[abi.C_ALERTS_BLACKLIST], got.counters[abi.C_ALERTS_LARGESIZE], got.counters[abi.C_ALERTS_UNUSUAL]], `${tag}: C_ALERTS`).toEqual(
    [det(abi.DET_BLACKLIST), det(abi.DET_LARGESIZE), det(abi.DET_UNUSUAL)]);
  expect([got.counters[abi.C_MARKS_BLACKLIST], got.counters[abi.C_MARKS_LARGESIZE], got.counters[abi.C_MARKS_UNUSUAL]], `${tag}: C_MARKS`).toEqual(
    [marks(abi.DET_BLACKLIST), marks(abi.DET_LARGESIZE), marks(abi.DET_UNUSUAL)]);
  return eps;
}

const TIMEOUTS = { tcpTimeoutS: 4, udpTimeoutS: 3, icmpTimeoutS: 2, otherTimeoutS: 2 };
function coreConfig(c: RefConfig): Record<number, number> {
  return {
    ...RECORDS,
    [abi.CFG_BLACKLIST_ENABLED]: c.blacklistOn ? 1 : 0,
    [abi.CFG_LARGESIZE_ENABLED]: c.largeOn ? 1 : 0,
    [abi.CFG_LARGESIZE_BYTES]: c.largeBytes,
    [abi.CFG_UNUSUAL_ENABLED]: c.unusualOn ? 1 : 0,
    [abi.CFG_TCP_TIMEOUT_S]: c.tcpTimeoutS,
    [abi.CFG_UDP_TIMEOUT_S]: c.udpTimeoutS,
    [abi.CFG_ICMP_TIMEOUT_S]: c.icmpTimeoutS,
    [abi.CFG_OTHER_TIMEOUT_S]: c.otherTimeoutS,
  };
}

function toRef(rows: PacketRow[]): RefPacket[] {
  return rows.map((r, i) => ({
    tsUs: r.ts, src: r.src, dst: r.dst, sport: r.sport ?? 0, dport: r.dport ?? 0, proto: r.proto ?? 6,
    flags: r.flags ?? 0, label: r.label ?? r.proto ?? 6, size: r.size ?? 60, vlan: r.vlan ?? 0, recordIndex: i,
  }));
}

const MAX128 = (1n << 128n) - 1n;

interface Trial {
  rows: PacketRow[];
  /** What the host passes (maybe unsorted, overlapping, with an invalid range). */
  given: RefRange[];
  /** The valid ranges given (the reference scans them all). */
  valid: RefRange[];
  services: RefServices;
  cfg: RefConfig;
}

function randomTrial(seed: number): Trial {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: T[]): T => xs[int(xs.length)];
  const v4Hosts = ['10.0.0.1', '10.0.0.2', '10.0.0.255', '10.0.1.0', '10.0.1.7', '192.168.5.9', '0.0.0.0', '255.255.255.255'].map(v4);
  for (let i = 0; i < 6; i++) v4Hosts.push(v4(`10.0.${int(2)}.${int(256)}`));
  const v6Hosts = ['2001:db8::1', '2001:db8::2', '2001:db8:0:1::5', 'fe80::1', '::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '::'].map(v6);
  for (let i = 0; i < 6; i++) {
    const a = v6('2001:db8::');
    a[14] = int(2);
    a[15] = int(256);
    v6Hosts.push(a);
  }
  v6Hosts.push(Uint8Array.from({ length: 16 }, () => int(256)));

  // Ranges: prefixes of every length around the hosts, single addresses, adjacent ranges.
  const cands: RefRange[] = [];
  const nr = 1 + int(7);
  for (let i = 0; i < nr; i++) {
    const isV4 = r() < 0.5;
    const h = isV4 ? pick(v4Hosts) : pick(v6Hosts);
    const kind = r();
    let rg: RefRange;
    if (kind < 0.25) rg = { first: addrBig(h), last: addrBig(h) };
    else if (isV4) rg = cidr(h, 96 + (r() < 0.2 ? pick([0, 32, 31, 24]) : int(33)));
    else rg = cidr(h, r() < 0.2 ? pick([0, 128, 127, 64]) : r() < 0.03 ? 0 : 8 + int(121));
    cands.push(rg);
    if (r() < 0.3 && rg.last < MAX128) {
      const f = rg.last + 1n;
      cands.push({ first: f, last: f + BigInt(int(300)) > MAX128 ? MAX128 : f + BigInt(int(300)) });
    }
  }
  const sorted = [...cands].sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const disjoint: RefRange[] = [];
  for (const c of sorted) if (!disjoint.length || disjoint[disjoint.length - 1].last < c.first) disjoint.push(c);
  let given = disjoint;
  let valid = disjoint;
  if (r() < 0.3) {
    // Unsorted, overlapping, plus one with first > last: the core must sort, merge and drop.
    valid = cands.map((c) => c).sort(() => r() - 0.5);
    given = [...valid, { first: 5n, last: 4n }];
  }
  if (r() < 0.1) given = valid = [];

  const portPool = [22, 53, 80, 443, 8080, 1024 + int(4), 50000 + int(3)];
  const subset = (xs: number[]) => new Set(xs.filter(() => r() < 0.5));
  const services: RefServices = r() < 0.1
    ? { tcp: new Set(), udp: new Set(), protos: new Set() }
    : { tcp: subset(portPool), udp: subset(portPool), protos: subset([1, 58, 47, 6]) };

  const S = pick([1500, 1500, 200 + int(1300), 1000, 0]);
  const cfg: RefConfig = { blacklistOn: r() < 0.9, largeOn: r() < 0.9, largeBytes: S, unusualOn: r() < 0.9, ...TIMEOUTS };

  // Conversations: a pair of one family, a protocol, ports, a VLAN.
  const conv = Array.from({ length: 10 + int(30) }, () => {
    const fam = r() < 0.5;
    const hosts = fam ? v4Hosts : v6Hosts;
    const proto = pick([6, 6, 6, 17, 17, fam ? 1 : 58, 47]);
    return {
      a: pick(hosts), b: pick(hosts), proto,
      ap: pick(portPool), bp: pick(portPool),
      vlan: r() < 0.1 ? 5 : 0,
    };
  });
  const rows: PacketRow[] = [];
  let ts = r() < 0.2 ? -3_000_000 + int(1_000_000) : 1_700_000_000_000_000 + int(1e9);
  const n = 300 + int(500);
  for (let i = 0; i < n; i++) {
    const c = pick(conv);
    const fwd = r() < 0.6;
    if (r() > 0.3) ts += int(1_300_000);
    let sport = fwd ? c.ap : c.bp;
    let dport = fwd ? c.bp : c.ap;
    if (c.proto === 1 || c.proto === 58) {
      sport = c.proto === 1 ? pick([8, 0, 13, 14, 3, 11]) : pick([128, 129, 135, 136, 1]);
      dport = int(2);
    } else if (c.proto === 47) {
      sport = dport = 0;
    }
    const size = pick([S - 1, S, S + 1, S + 2, 4 * S, 4 * S + 1, 60, 40 + int(Math.max(3 * S, 100))]);
    rows.push({
      ts, src: fwd ? c.a : c.b, dst: fwd ? c.b : c.a, sport, dport, proto: c.proto,
      flags: c.proto === 6 ? pick([0x02, 0x12, 0x12, 0x10, 0x18, 0x11, 0x04, 0]) : 0,
      label: r() < 0.1 ? 256 + int(3) : c.proto,
      size: Math.max(0, size), vlan: c.vlan,
    });
  }
  return { rows, given, valid, services, cfg };
}

describe('flow rules: BLACKLIST, LARGESIZE, UNUSUAL', () => {
  it('agree with the reference on random streams (reasons per packet, episodes exactly)', async () => {
    const seen = { bl: 0, ls: 0, un: 0, blBoth: 0, unSwapped: 0, lsMedium: 0, unsortedRanges: 0 };
    for (let seed = 1; seed <= 60; seed++) {
      const t = randomTrial(seed);
      const packets = toRef(t.rows);
      const want = referenceFlowRules(packets, t.cfg, t.valid, t.services);
      const got = await run(packRows(t.rows), coreConfig(t.cfg), { blacklist: rangeBytes(t.given), services: servicesBitmap(t.services) });
      expect(got.counters[abi.C_PACKETS_DECODED]).toBe(t.rows.length);
      expect(got.counters[abi.C_BLACKLIST_RANGES], `seed ${seed} ranges`).toBe(t.cfg.blacklistOn ? t.valid.length : 0);
      expectMatches(got, want, `seed ${seed}`);
      for (const e of want.episodes) {
        if (e.detector === abi.DET_BLACKLIST) { seen.bl++; if (e.variant === 3) seen.blBoth++; }
        if (e.detector === abi.DET_LARGESIZE) { seen.ls++; if (e.severity === abi.SEV_MEDIUM) seen.lsMedium++; }
        if (e.detector === abi.DET_UNUSUAL) { seen.un++; if ((e.first.flags & 0x12) === 0x12 && e.first.proto === 6) seen.unSwapped++; }
      }
      if (t.given !== t.valid) seen.unsortedRanges++;
    }
    // The streams exercise every case.
    for (const [k, v] of Object.entries(seen)) expect(v, k).toBeGreaterThan(3);
  });

  it('matches single addresses, adjacent ranges and the /0, /32, /128 edges exactly', async () => {
    const A = v4('10.1.2.3'), B = v4('10.1.2.4'), C = v4('10.1.2.5'), D = v6('2001:db8::ff'), E = v6('2001:db8::100');
    const Z = v6('::'), M = v6('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'), X = v4('11.0.0.1');
    const peer4 = v4('192.0.2.1'), peer6 = v6('2001:db8:1::1');
    const rows: PacketRow[] = [A, B, C, X].map((s, i) => ({ ts: i, src: s, dst: peer4, sport: 1000 + i, dport: 80 }));
    [D, E, Z, M].forEach((s, i) => rows.push({ ts: 10 + i, src: peer6, dst: s, sport: 2000 + i, dport: 80 }));
    const SRC = abi.BLACKLIST_MATCH_SRC, DST = abi.BLACKLIST_MATCH_DST;
    // [name, ranges, [record index, variant] of every match]; every packet here is its own flow.
    const cases: [string, RefRange[], [number, number][]][] = [
      ['A /128', [cidr(A, 128)], [[0, SRC]]],
      ['A..B adjacent singles', [cidr(A, 128), cidr(B, 128)], [[0, SRC], [1, SRC]]],
      ['10.1.2.3/32 + adjacent 10.1.2.4/31', [cidr(A, 128), cidr(B, 127)], [[0, SRC], [1, SRC], [2, SRC]]],
      ['IPv4 /0 (::ffff:0:0/96) holds both IPv4 ends', [cidr(A, 96)], [0, 1, 2, 3].map((i) => [i, SRC | DST])],
      ['IPv4 /8 misses 192.0.2.1 and 11.0.0.1', [cidr(A, 104)], [[0, SRC], [1, SRC], [2, SRC]]],
      ['IPv6 ::/0 holds everything', [cidr(D, 0)], [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i, SRC | DST])],
      ['2001:db8::ff/128 and adjacent ::100/120', [cidr(D, 128), cidr(E, 120)], [[4, DST], [5, DST]]],
      [':: and ffff..ff', [cidr(Z, 128), cidr(M, 128)], [[6, DST], [7, DST]]],
      ['10.1.2.4/32 misses its neighbours', [cidr(B, 128)], [[1, SRC]]],
      ['2001:db8::/32 holds the IPv6 peer too', [cidr(D, 32)], [[4, SRC | DST], [5, SRC | DST], [6, SRC], [7, SRC]]],
    ];
    for (const [name, ranges, hit] of cases) {
      const got = await run(packRows(rows), RECORDS, { blacklist: rangeBytes(ranges) });
      const marked = [...got.reasons].filter(([, r]) => r & (1 << abi.DET_BLACKLIST)).map(([i]) => i).sort((a, b) => a - b);
      expect(marked, name).toEqual(hit.map(([i]) => i));
      const variants = got.alerts.filter((a) => a.detector === abi.DET_BLACKLIST && a.kind === abi.ALERT_KIND_NEW).map((a) => [a.recordIndex, a.variant]);
      expect(variants, name).toEqual(hit);
    }
  });

  it('judges the server port: SYN to it, SYN+ACK from it, replies never', async () => {
    const cli = v4('10.0.0.1'), srv = v4('10.0.0.2');
    const rows: PacketRow[] = [
      // 0-1: first captured packet is the server's SYN/ACK from 443 (normal): not unusual.
      { ts: 0, src: srv, dst: cli, sport: 443, dport: 50000, flags: 0x12 },
      { ts: 1, src: cli, dst: srv, sport: 50000, dport: 443, flags: 0x10 },
      // 2-3: SYN/ACK from 8443: unusual, VALUE 8443, both directions evidence.
      { ts: 2, src: srv, dst: cli, sport: 8443, dport: 50001, flags: 0x12 },
      { ts: 3, src: cli, dst: srv, sport: 50001, dport: 8443, flags: 0x10 },
      // 4-5: SYN to 443: normal, though the reply's destination port 50002 is not.
      { ts: 4, src: cli, dst: srv, sport: 50002, dport: 443, flags: 0x02 },
      { ts: 5, src: srv, dst: cli, sport: 443, dport: 50002, flags: 0x12 },
      // 6: mid-connection ACK (or 7: RST) from 443 to a client port: a reply of 443, normal.
      { ts: 6, src: srv, dst: cli, sport: 443, dport: 50003, flags: 0x10 },
      { ts: 7, src: srv, dst: cli, sport: 443, dport: 50004, flags: 0x04 },
      // 8: mid-connection ACK between two unlisted ports: unusual, VALUE = its destination port.
      { ts: 8, src: srv, dst: cli, sport: 8443, dport: 50005, flags: 0x10 },
      // 9: a SYN from source port 443 to 50006 is a connection TO 50006: unusual.
      { ts: 9, src: cli, dst: srv, sport: 443, dport: 50006, flags: 0x02 },
      // 10: UDP to 53 normal; 11: UDP reply from 53 normal; 12: UDP 40000 -> 5353 unusual.
      { ts: 10, src: cli, dst: srv, sport: 40000, dport: 53, proto: 17 },
      { ts: 11, src: srv, dst: cli, sport: 53, dport: 40001, proto: 17 },
      { ts: 12, src: cli, dst: srv, sport: 40000, dport: 5353, proto: 17 },
      // 13: ICMP echo: unusual unless protocol 1 is normal; VALUE 0, AUX 1.
      { ts: 13, src: cli, dst: srv, sport: 8, dport: 0, proto: 1 },
    ];
    const services = { tcp: new Set([443]), udp: new Set([53]), protos: new Set<number>() };
    const got = await run(packRows(rows), RECORDS, { services: servicesBitmap(services) });
    const un = got.alerts.filter((a) => a.detector === abi.DET_UNUSUAL && a.kind === abi.ALERT_KIND_UPDATE)
      .map((a) => [a.recordIndex, a.value, a.count, a.aux]).sort((a, b) => a[0] - b[0]);
    expect(un).toEqual([[2, 8443, 2, 6], [8, 50005, 1, 6], [9, 50006, 1, 6], [12, 5353, 1, 17], [13, 0, 1, 1]]);
    expect([...got.reasons.keys()].sort((a, b) => a - b)).toEqual([2, 3, 8, 9, 12, 13]);
    // Protocol bitmap: every ICMP "port" normal.
    const got2 = await run(packRows(rows), RECORDS, { services: servicesBitmap({ ...services, protos: new Set([1]) }) });
    expect(got2.reasons.has(13)).toBe(false);
    expect(got2.counters[abi.C_ALERTS_UNUSUAL]).toBe(4);
    // No normal set written at all: UNUSUAL stays silent instead of flagging everything.
    const got3 = await run(packRows(rows), RECORDS, {});
    expect(got3.alerts).toEqual([]);
  });

  it('keeps the first packet subject of an ICMP flow in the UPDATE (code, not the counterpart)', async () => {
    const a = v4('10.0.0.1'), b = v4('10.0.0.2');
    const rows: PacketRow[] = [
      { ts: 0, src: a, dst: b, sport: 13, dport: 0, proto: 1, size: 80, label: 300 }, // timestamp request
      { ts: 5, src: b, dst: a, sport: 14, dport: 0, proto: 1, size: 2000 }, // reply: same flow
    ];
    const got = await run(packRows(rows), { ...RECORDS, [abi.CFG_LARGESIZE_BYTES]: 1500 }, {
      blacklist: rangeBytes([cidr(b, 128)]),
      services: servicesBitmap({ tcp: new Set([80]), udp: new Set(), protos: new Set() }),
    });
    const eps = episodesOf(got.alerts);
    expect([...eps.keys()].sort()).toEqual([`${abi.DET_BLACKLIST}:0`, `${abi.DET_LARGESIZE}:1`, `${abi.DET_UNUSUAL}:0`]);
    const bl = eps.get(`${abi.DET_BLACKLIST}:0`)!;
    expect([bl.upd.sport, bl.upd.dport, bl.upd.label, bl.upd.size, bl.upd.count, bl.upd.variant]).toEqual([13, 0, 300, 80, 2, abi.BLACKLIST_MATCH_DST]);
    const ls = eps.get(`${abi.DET_LARGESIZE}:1`)!;
    expect([ls.upd.src, ls.upd.sport, ls.upd.value, ls.upd.threshold, ls.upd.count]).toEqual([hex(b), 14, 2000, 1500, 1]);
    expect(got.reasons.get(0)).toBe((1 << abi.DET_BLACKLIST) | (1 << abi.DET_UNUSUAL));
    expect(got.reasons.get(1)).toBe(MY_REASONS);
  });

  it('holds hundreds of open LARGESIZE episodes at once and reuses their records after expiry', async () => {
    // 3 waves of 300 concurrent flows, each with large packets; each wave expires before the next.
    const rows: PacketRow[] = [];
    for (let wave = 0; wave < 3; wave++) {
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 300; i++) {
          const ts = wave * 20_000_000 + round * 1_000_000 + i * 1000;
          const c = v4(`10.${wave}.${i >> 8}.${i & 255}`), srv = v4('192.0.2.80');
          const fwd = (i + round) % 2 === 0;
          rows.push({ ts, src: fwd ? c : srv, dst: fwd ? srv : c, sport: fwd ? 40000 : 80, dport: fwd ? 80 : 40000, size: 1500 + ((i * 7 + round * 3) % 5) });
        }
      }
    }
    const cfg: RefConfig = { ...DEFAULT_CFG, ...TIMEOUTS, blacklistOn: false, unusualOn: false };
    const want = referenceFlowRules(toRef(rows), cfg, [], { tcp: new Set(), udp: new Set(), protos: new Set() });
    expect(want.episodes.length).toBe(900);
    const got = await run(packRows(rows), coreConfig(cfg), {});
    expectMatches(got, want, 'waves');
  });

  it('each off switch silences its rule only', async () => {
    const t = randomTrial(4242);
    t.cfg.blacklistOn = t.cfg.largeOn = t.cfg.unusualOn = true;
    const rules = { blacklist: rangeBytes(t.given), services: servicesBitmap(t.services) };
    const all = await run(packRows(t.rows), coreConfig(t.cfg), rules);
    for (const [cfgId, det] of [[abi.CFG_BLACKLIST_ENABLED, abi.DET_BLACKLIST], [abi.CFG_LARGESIZE_ENABLED, abi.DET_LARGESIZE], [abi.CFG_UNUSUAL_ENABLED, abi.DET_UNUSUAL]]) {
      expect(all.alerts.some((a) => a.detector === det), `det ${det} fires when on`).toBe(true);
      const off = await run(packRows(t.rows), { ...coreConfig(t.cfg), [cfgId]: 0 }, rules);
      expect(off.alerts.some((a) => a.detector === det)).toBe(false);
      expect([...off.reasons.values()].some((r) => r & (1 << det))).toBe(false);
      const others = (xs: Alert[]) => xs.filter((a) => a.detector !== det).map((a) => `${a.detector}:${a.recordIndex}:${a.kind}:${a.count}`).sort();
      expect(others(off.alerts)).toEqual(others(all.alerts));
    }
  });

  it('closes every episode exactly once under eviction, and a tiny alert region loses nothing', async () => {
    // 16-slot flow table at its cap: flows are evicted (their slot copy ends them) all the time.
    const t = randomTrial(777);
    t.cfg.blacklistOn = t.cfg.largeOn = t.cfg.unusualOn = true;
    const rules = { blacklist: rangeBytes(t.given), services: servicesBitmap(t.services) };
    const small = { ...coreConfig(t.cfg), [abi.CFG_FLOW_CAPACITY]: 16, [abi.CFG_FLOW_MEMORY_CAP_BYTES]: 16 * abi.FLOW_STRIDE };
    const got = await run(packRows(t.rows), small, rules);
    expect(got.counters[abi.C_FLOWS_EVICTED_FULL]).toBeGreaterThan(20);
    const eps = episodesOf(got.alerts);
    for (const det of [abi.DET_BLACKLIST, abi.DET_LARGESIZE, abi.DET_UNUSUAL]) {
      const mine = [...eps.values()].filter((e) => e.neu.detector === det);
      expect(mine.length, `det ${det}`).toBeGreaterThan(0);
      // Every evidence packet belongs to exactly one episode of its rule.
      const sum = mine.reduce((s, e) => s + e.upd.count, 0);
      expect(sum, `det ${det}`).toBe([...got.reasons.values()].filter((r) => r & (1 << det)).length);
    }
    // The same stream with the smallest alert region and 1 KiB input pieces: identical output.
    const tiny = await run(packRows(t.rows), { ...small, [abi.CFG_ALERT_CAPACITY]: 1 }, rules, 1024);
    const norm = (xs: Alert[]) => xs.map((a) => JSON.stringify({ ...a, episode: 0 })).sort();
    expect(norm(tiny.alerts)).toEqual(norm(got.alerts));
    expect(tiny.reasons).toEqual(got.reasons);
  });
});

// ---- real captures ----

/** Classic pcap records: wire (orig) length and frame bytes, read independently of the core. */
function pcapRecords(bytes: Uint8Array): { origLen: number; frame: Uint8Array }[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = v.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  expect(le || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1).toBe(true);
  const out: { origLen: number; frame: Uint8Array }[] = [];
  for (let p = 24; p + 16 <= bytes.length;) {
    const incl = v.getUint32(p + 8, le);
    out.push({ origLen: v.getUint32(p + 12, le), frame: bytes.subarray(p + 16, p + 16 + incl) });
    p += 16 + incl;
  }
  return out;
}

/** Ethernet (with 802.1Q/802.1ad tags) → the IP version and the 16-byte mapped src/dst, or null. */
function ethAddrs(f: Uint8Array): { src: Uint8Array; dst: Uint8Array } | null {
  let o = 12;
  let type = (f[o] << 8) | f[o + 1];
  while (type === 0x8100 || type === 0x88a8) {
    o += 4;
    type = (f[o] << 8) | f[o + 1];
  }
  o += 2;
  if (type === 0x86dd) return { src: f.slice(o + 8, o + 24), dst: f.slice(o + 24, o + 40) };
  if (type === 0x0800) {
    const m = (a: Uint8Array) => { const x = new Uint8Array(16); x[10] = x[11] = 0xff; x.set(a, 12); return x; };
    return { src: m(f.slice(o + 12, o + 16)), dst: m(f.slice(o + 16, o + 20)) };
  }
  return null;
}

const file = (p: string) => {
  const b = readFileSync(DATA + p);
  return new Uint8Array(p.endsWith('.gz') ? gunzipSync(b) : b);
};

/** The core's decoded packet stream: every packet, read back from the marks of a blacklist that
 *  covers every address (::/0). */
async function decodedPackets(bytes: Uint8Array): Promise<RefPacket[]> {
  const all = await run(bytes, { [abi.CFG_LARGESIZE_ENABLED]: 0, [abi.CFG_UNUSUAL_ENABLED]: 0 }, { blacklist: rangeBytes([{ first: 0n, last: (1n << 128n) - 1n }]) });
  expect(all.marked.length).toBe(all.counters[abi.C_PACKETS_DECODED]);
  return all.marked;
}

const DEFAULT_CFG: RefConfig = {
  blacklistOn: true, largeOn: true, largeBytes: 1500, unusualOn: true,
  tcpTimeoutS: 300, udpTimeoutS: 60, icmpTimeoutS: 60, otherTimeoutS: 60,
};

describe('flow rules on real captures', () => {
  it('honeynet attack trace: blacklisting the attacker flags exactly its flows and its 348 packets', async () => {
    const bytes = file('attacks/misc/honeynet_attack-trace.pcap');
    const attacker = v4('98.114.205.102'), honeypot = v4('192.150.11.111');
    const got = await run(bytes, { [abi.CFG_LARGESIZE_ENABLED]: 0 }, { blacklist: rangeBytes([cidr(attacker, 128)]) });
    // MANIFEST: top src 98.114.205.102 195, top dst 98.114.205.102 153; only two hosts talk.
    expect(got.counters[abi.C_MARKS_BLACKLIST]).toBe(195 + 153);
    expect(got.reasons.size).toBe(348);
    const eps = [...episodesOf(got.alerts).values()];
    // Every flow of this capture involves the attacker: one episode per flow.
    expect(eps.length).toBe(got.counters[abi.C_FLOWS_CREATED]);
    expect(eps.length).toBeGreaterThanOrEqual(4); // 445, 1957, 1080 and the honeypot's connection back
    expect(eps.reduce((s, e) => s + e.upd.count, 0)).toBe(348);
    for (const { neu } of eps) {
      const srcIsAttacker = neu.src === hex(attacker);
      expect(srcIsAttacker || neu.dst === hex(attacker)).toBe(true);
      expect(neu.variant).toBe(srcIsAttacker ? abi.BLACKLIST_MATCH_SRC : abi.BLACKLIST_MATCH_DST);
      expect(neu.severity).toBe(abi.SEV_HIGH);
    }
    // At least one flow opened by the honeypot towards the attacker (the FTP download back).
    expect(eps.some((e) => e.neu.src === hex(honeypot))).toBe(true);
    expect(got.counters[abi.C_BLACKLIST_RANGES]).toBe(1);
    // Both ends listed: variant SRC|DST everywhere; the neighbours .101 and .103 match nothing.
    const both = await run(bytes, {}, { blacklist: rangeBytes([cidr(attacker, 128), cidr(honeypot, 120)]) });
    const bothEps = [...episodesOf(both.alerts).values()].filter((e) => e.neu.detector === abi.DET_BLACKLIST);
    expect(bothEps.length).toBe(eps.length);
    expect(bothEps.every((e) => e.neu.variant === 3)).toBe(true);
    const near = await run(bytes, {}, { blacklist: rangeBytes([cidr(v4('98.114.205.101'), 128), cidr(v4('98.114.205.103'), 128)]) });
    expect(near.counters[abi.C_MARKS_BLACKLIST]).toBe(0);
    expect(near.counters[abi.C_ALERTS_BLACKLIST]).toBe(0);
  });

  it('IPv6 ranges: rsmurf6 (ff02::/16) and the RRSIG capture (a /64 and all of IPv4)', async () => {
    const smurf = await run(file('attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap'), {}, { blacklist: rangeBytes([cidr(v6('ff02::'), 16)]) });
    expect(smurf.counters[abi.C_MARKS_BLACKLIST]).toBe(1000); // MANIFEST: 1000 echo requests ff02::1 -> ff02::1
    const e = [...episodesOf(smurf.alerts).values()].filter((x) => x.neu.detector === abi.DET_BLACKLIST);
    expect(e.length).toBe(smurf.counters[abi.C_FLOWS_CREATED]);
    expect(e.every((x) => x.neu.variant === 3)).toBe(true);
    expect(e.reduce((s, x) => s + x.upd.count, 0)).toBe(1000);

    const bytes = file('attacks/ddos_amplification/stopddos_amp.dns.RRSIG.fragmented.pcap');
    const recs = pcapRecords(bytes);
    const net = cidr(v6('2a01:4f8:221:17d3::'), 64);
    const inNet = (a: Uint8Array) => { const x = addrBig(a); return x >= net.first && x <= net.last; };
    const addrs = recs.map((r) => ethAddrs(r.frame));
    const want6 = addrs.filter((a) => a && (inNet(a.src) || inNet(a.dst))).length;
    expect(want6).toBeGreaterThanOrEqual(12); // MANIFEST: top dst 2a01:4f8:221:17d3::2 12
    const got6 = await run(bytes, {}, { blacklist: rangeBytes([net]) });
    expect(got6.counters[abi.C_MARKS_BLACKLIST]).toBe(want6);
    const mapped = cidr(v4('0.0.0.0'), 96);
    const want4 = addrs.filter((a) => a && addrBig(a.src) >= mapped.first && addrBig(a.src) <= mapped.last).length;
    expect(want4).toBe(4397); // MANIFEST: IPv4 4397
    const got4 = await run(bytes, {}, { blacklist: rangeBytes([mapped]) });
    expect(got4.counters[abi.C_MARKS_BLACKLIST]).toBe(want4);
  });

  for (const [path, S] of [
    ['normal/evgenii_no_flood.pcap', 1500], // max frame 4879
    ['normal/evgenii_no_flood.pcap', 4000],
    ['attacks/ddos_amplification/stopddos_amp.dns.RRSIG.fragmented.pcap', 1500], // max frame 6197
    ['tcp_behaviour/suricata-verify_syn_retransmit_with_ts.pcap', 1514], // max frame 1518
  ] as const) {
    it(`LARGESIZE counts exactly the frames longer than ${S} B in ${path}`, async () => {
      const bytes = file(path);
      const recs = pcapRecords(bytes);
      const want = recs.filter((r) => r.origLen > S).length;
      expect(want).toBeGreaterThan(0);
      const got = await run(bytes, { [abi.CFG_LARGESIZE_BYTES]: S }, {});
      expect(got.counters[abi.C_PACKETS_DECODED]).toBe(recs.length);
      expect(got.counters[abi.C_MARKS_LARGESIZE]).toBe(want);
      const eps = [...episodesOf(got.alerts).values()];
      expect(eps.reduce((s, e) => s + e.upd.count, 0)).toBe(want);
      expect(Math.max(...eps.map((e) => e.upd.value))).toBe(Math.max(...recs.map((r) => r.origLen)));
      // Episodes per flow as the reference groups the core's decoded packets.
      const ref = referenceFlowRules(await decodedPackets(bytes), { ...DEFAULT_CFG, largeBytes: S }, [], { tcp: new Set(), udp: new Set(), protos: new Set() });
      expectMatches(got, ref, path);
    });
  }

  for (const path of [
    'attacks/ddos_amplification/stopddos_amp.TCP.reflection.SYNACK.pcap', // flows opened by SYN/ACKs, UDP, ICMP
    'normal/zeek_smtp.pcap', // TCP 25, UDP, ICMP
    'attacks/portscan/evilfingers_xprobe_xprobe_tcp_scan_filter.pcap',
  ]) {
    it(`UNUSUAL with {tcp/80, tcp/443, udp/53} flags exactly the flows outside it in ${path}`, async () => {
      const bytes = file(path);
      const services: RefServices = { tcp: new Set([80, 443]), udp: new Set([53]), protos: new Set() };
      const got = await run(bytes, { [abi.CFG_LARGESIZE_ENABLED]: 0 }, { services: servicesBitmap(services) });
      const packets = await decodedPackets(bytes);
      const ref = referenceFlowRules(packets, { ...DEFAULT_CFG, largeOn: false }, [], services);
      const eps = expectMatches(got, ref, path);
      expect(eps.size).toBeGreaterThan(0);
      if (path.includes('SYNACK')) {
        // Reflected SYN/ACKs and RSTs from web servers open most flows here: judged as replies of
        // 80/443 (normal), none is flagged, though their destination ports are random.
        const fromWeb = (p: RefPacket) => p.proto === 6 && (p.sport === 80 || p.sport === 443) && !(p.flags === 0x02);
        expect(packets.filter((p) => fromWeb(p) && (p.flags & 0x12) === 0x12).length).toBeGreaterThan(1000);
        expect(packets.filter((p) => fromWeb(p) && (p.flags & 0x04)).length).toBeGreaterThan(500);
        const bad = [...eps.values()].filter((e) => e.neu.aux === 6 && (e.neu.sport === 80 || e.neu.sport === 443));
        expect(bad).toEqual([]);
      }
      // Independent of the reference: no flagged flow has a normal (protocol, server port).
      for (const { upd } of eps.values()) {
        if (upd.aux === 6) expect([80, 443]).not.toContain(upd.value);
        if (upd.aux === 17) expect(upd.value).not.toBe(53);
      }
    });
  }
});
