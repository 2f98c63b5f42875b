// Flow windows (assembly/detect/flow-window.ts) and the per-originator port counts behind
// FWIN_DST_PORTS (assembly/detect/sources.ts): property tests against the plain TypeScript
// reference (test/reference/flow-windows.ts) on random packed-record streams with out-of-order
// times within and beyond the lateness bound, idle gaps and many flows; real captures (packet and
// byte conservation, window bounds, scan port counts); the shuffle test (a real capture reordered
// by less than L/2 gives identical windows, beyond L the reference's late count); idle expiry,
// eviction at the memory cap and the off switch.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine } from '../helpers/core';
import { packRows, type PacketRow } from '../helpers/records';
import { rng } from '../helpers/rng';
import {
  DEFAULT_REF_CONFIG, flowKey, hex, referenceFlowWindows, windowParams,
  type RefConfig, type RefPacket, type RefWindow,
} from '../reference/flow-windows';

const S = 1_000_000;
const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };
const SYN = 2, ACK = 16, FIN = 1, RST = 4, PSH = 8;
const EXACT_LIMIT = 128; // sources.ts EXACT_PORTS
const BOUND = 0.2; // sources.ts: HLL estimate within +-20 %

function v4(a: number, b: number, c: number, d: number): Uint8Array {
  const x = new Uint8Array(16);
  x[10] = 0xff;
  x[11] = 0xff;
  x.set([a, b, c, d], 12);
  return x;
}
function v6(last: number): Uint8Array {
  const x = new Uint8Array(16);
  x[0] = 0x20;
  x[1] = 0x01;
  x[14] = last >> 8;
  x[15] = last & 0xff;
  return x;
}

function readWindow(v: DataView, o: number): RefWindow {
  const u8 = new Uint8Array(v.buffer, v.byteOffset + o, abi.FWIN_STRIDE);
  return {
    startUs: Number(v.getBigInt64(o + abi.FWIN_START_US, true)),
    firstUs: Number(v.getBigInt64(o + abi.FWIN_FIRST_US, true)),
    lastUs: Number(v.getBigInt64(o + abi.FWIN_LAST_US, true)),
    orig: hex(u8.slice(abi.FWIN_ORIG, abi.FWIN_ORIG + 16)),
    resp: hex(u8.slice(abi.FWIN_RESP, abi.FWIN_RESP + 16)),
    origPort: v.getUint16(o + abi.FWIN_ORIG_PORT, true),
    respPort: v.getUint16(o + abi.FWIN_RESP_PORT, true),
    proto: v.getUint8(o + abi.FWIN_PROTO),
    end: v.getUint8(o + abi.FWIN_END),
    label: v.getUint16(o + abi.FWIN_PROTO_LABEL, true),
    packets: v.getUint32(o + abi.FWIN_PACKETS, true),
    syn: v.getUint32(o + abi.FWIN_SYN, true),
    bytes: v.getFloat64(o + abi.FWIN_BYTES, true),
    dstPorts: v.getUint32(o + abi.FWIN_DST_PORTS, true),
    vlan: v.getUint32(o + abi.FWIN_VLAN, true),
    firstRecord: v.getUint32(o + abi.FWIN_FIRST_RECORD, true),
    late: v.getUint32(o + abi.FWIN_LATE, true),
  };
}

/** Runs `bytes` through a fresh core in `chunk`-byte pieces; returns the counters and every
 *  flow-window record in emission order (CFG_FLOWWIN_EMIT_ALL: every window, with no rules). */
async function runWindows(bytes: Uint8Array, config: Record<number, number> = {}, chunk = 1 << 20) {
  const engine = await newEngine();
  const windows: RefWindow[] = [];
  engine.start({ [abi.CFG_SEED]: 12345, [abi.CFG_FLOWWIN_EMIT_ALL]: 1, ...config }, (o) => {
    for (let i = 0; i < o.windowCount; i++) windows.push(readWindow(o.windows, i * abi.FWIN_STRIDE));
  });
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  const st = engine.finish();
  return { counters: engine.counters(), status: st.status, windows };
}

function coreConfig(c: RefConfig): Record<number, number> {
  return {
    [abi.CFG_FLOWWIN_WINDOW_S]: c.windowS,
    [abi.CFG_LATENESS_S]: c.latenessS,
    [abi.CFG_TCP_TIMEOUT_S]: c.tcpTimeoutS,
    [abi.CFG_UDP_TIMEOUT_S]: c.udpTimeoutS,
    [abi.CFG_ICMP_TIMEOUT_S]: c.icmpTimeoutS,
    [abi.CFG_OTHER_TIMEOUT_S]: c.otherTimeoutS,
  };
}

function toRef(rows: PacketRow[]): RefPacket[] {
  return rows.map((r, i) => ({
    ts: r.ts,
    src: r.src,
    dst: r.dst,
    sport: r.sport ?? 0,
    dport: r.dport ?? 0,
    proto: r.proto ?? 6,
    flags: r.flags ?? 0,
    size: r.size ?? 60,
    vlan: r.vlan ?? 0,
    label: r.label ?? r.proto ?? 6,
    recordIndex: i,
  }));
}

const keyOf = (w: RefWindow) =>
  [w.startUs, w.firstUs, w.lastUs, w.orig, w.origPort, w.resp, w.respPort, w.proto, w.end, w.label, w.packets, w.syn,
    w.bytes, w.vlan, w.firstRecord, w.late].join(' ');

/** Asserts the two lists are equal as multisets: every field exactly, except FWIN_DST_PORTS above
 *  the exact limit, which must be within the estimator's bound of the reference's exact count. */
function expectSameWindows(core: RefWindow[], ref: RefWindow[]): { estimated: number } {
  const sort = (l: RefWindow[]) =>
    [...l].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : a.dstPorts - b.dstPorts));
  const a = sort(core);
  const b = sort(ref);
  expect(a.map(keyOf)).toEqual(b.map(keyOf));
  let estimated = 0;
  for (let i = 0; i < a.length; i++) {
    if (b[i].dstPorts <= EXACT_LIMIT) {
      expect(a[i].dstPorts, keyOf(b[i])).toBe(b[i].dstPorts);
    } else {
      estimated++;
      expect(Math.abs(a[i].dstPorts - b[i].dstPorts), keyOf(b[i])).toBeLessThanOrEqual(BOUND * b[i].dstPorts);
    }
  }
  return { estimated };
}

// ---- random streams ----

interface StreamShape {
  n: number;
  meanGapS: number; // mean inter-arrival of the packet clock
  idleJumpP: number; // probability of a jump of 1-5 windows
  windowS: number;
  latenessS: number;
  withinP: number; // probability of a packet up to L behind the clock
  beyondP: number; // probability of a packet L..L + 2.5 W behind
  scanP: number; // probability of a scanner probe (new port: many flows, many ports)
  burstP: number; // probability of a scan burst of 150-400 probes, 2 ms apart
}

function randomStream(seed: number, sh: StreamShape): PacketRow[] {
  const r = rng(seed);
  const hosts = [
    ...Array.from({ length: 12 }, (_, i) => v4(10, 0, 0, i + 1)),
    ...Array.from({ length: 4 }, (_, i) => v6(i + 1)),
  ];
  const pick = <T>(l: T[]) => l[Math.floor(r() * l.length)];
  interface Conv { a: Uint8Array; b: Uint8Array; sport: number; dport: number; proto: number; vlan: number }
  const convs: Conv[] = [];
  for (let i = 0; i < 80; i++) {
    const v6pair = r() < 0.2;
    const a = v6pair ? hosts[12 + Math.floor(r() * 4)] : hosts[Math.floor(r() * 12)];
    let b = v6pair ? hosts[12 + Math.floor(r() * 4)] : hosts[Math.floor(r() * 12)];
    if (b === a && r() < 0.9) b = v6pair ? hosts[12 + ((hosts.indexOf(a) - 11) % 4)] : hosts[(hosts.indexOf(a) + 1) % 12];
    const u = r();
    const proto = u < 0.55 ? 6 : u < 0.8 ? 17 : u < 0.9 ? (v6pair ? 58 : 1) : 47;
    const icmpType = proto === 1 ? pick([8, 13, 3]) : proto === 58 ? pick([128, 135, 1]) : 0;
    convs.push({
      a, b, proto,
      sport: proto === 1 || proto === 58 ? icmpType : proto === 47 ? 0 : 1024 + Math.floor(r() * 60000),
      dport: proto === 1 || proto === 58 ? 0 : proto === 47 ? 0 : pick([22, 53, 80, 443, 123, 8080, 5353]),
      vlan: r() < 0.1 ? 7 : 0,
    });
  }
  const scanners = [hosts[0], hosts[13]];
  const rows: PacketRow[] = [];
  let clock = 1_700_000_000 * S + Math.floor(r() * S);
  for (let i = 0; i < sh.n; i++) {
    clock += Math.floor(-Math.log(1 - r()) * sh.meanGapS * S);
    if (r() < sh.idleJumpP) clock += Math.floor((1 + r() * 4) * sh.windowS * S);
    let ts = clock;
    const u = r();
    if (u < sh.withinP) ts -= Math.floor(r() * sh.latenessS * S * 0.999);
    else if (u < sh.withinP + sh.beyondP) ts -= Math.floor(sh.latenessS * S + r() * 2.5 * sh.windowS * S);
    const size = 40 + Math.floor(r() * 1460);
    if (r() < sh.burstP) {
      const src = scanners[Math.floor(r() * 2)];
      const dst = hosts[2 + Math.floor(r() * 10)];
      const m = 150 + Math.floor(r() * 250);
      for (let j = 0; j < m && i < sh.n; j++, i++) {
        clock += 2000;
        rows.push({ ts: r() < 0.1 ? clock - Math.floor(r() * sh.latenessS * S * 0.999) : clock, src, dst, sport: 33000, dport: 1 + Math.floor(r() * 3000), flags: SYN, size: 60 });
      }
      continue;
    }
    if (r() < sh.scanP) {
      const sIdx = Math.floor(r() * 2);
      const src = scanners[sIdx];
      const dst = sIdx === 0 ? hosts[1 + Math.floor(r() * 3)] : hosts[14];
      const udp = r() < 0.3;
      rows.push({
        ts, src, dst, sport: 40000 + Math.floor(r() * 20), dport: 1 + Math.floor(r() * 2000),
        proto: udp ? 17 : 6, flags: udp ? 0 : SYN, size,
      });
      continue;
    }
    const c = pick(convs);
    const fwd = r() < 0.6;
    let sport = fwd ? c.sport : c.dport;
    let dport = fwd ? c.dport : c.sport;
    if (c.proto === 1 || c.proto === 58) {
      // Requests one way, replies (counterpart) the other; one-way types keep their code.
      const reply: Record<number, number> = { 8: 0, 13: 14, 128: 129, 135: 136 };
      sport = fwd || reply[c.sport] === undefined ? c.sport : reply[c.sport];
      dport = Math.floor(r() * 2);
    }
    const flags = c.proto === 6 ? pick([SYN, SYN | ACK, ACK, PSH | ACK, FIN | ACK, RST, ACK]) : 0;
    rows.push({
      ts, src: fwd ? c.a : c.b, dst: fwd ? c.b : c.a, sport, dport, proto: c.proto, flags, size, vlan: c.vlan,
      label: c.proto === 17 && c.dport === 53 ? 300 : undefined,
    });
  }
  return rows;
}

const SHORT: RefConfig = { windowS: 10, latenessS: 2, tcpTimeoutS: 30, udpTimeoutS: 8, icmpTimeoutS: 5, otherTimeoutS: 12 };

describe('flow windows: core against the reference on random streams', () => {
  const cases: { name: string; cfg: RefConfig; shape: StreamShape; extra?: Record<number, number>; chunk?: number }[] = [
    {
      name: 'W=10 s, L=2 s, timeouts below W+L (ended flows kept for open windows)',
      cfg: SHORT,
      shape: { n: 6000, meanGapS: 0.25, idleJumpP: 0.004, windowS: 10, latenessS: 2, withinP: 0.15, beyondP: 0.04, scanP: 0.08, burstP: 0.001 },
    },
    {
      name: 'defaults (W=60 s, L=5 s, TCP 300 s, UDP/ICMP/other 60 s)',
      cfg: DEFAULT_REF_CONFIG,
      shape: { n: 5000, meanGapS: 2, idleJumpP: 0.004, windowS: 60, latenessS: 5, withinP: 0.15, beyondP: 0.03, scanP: 0.1, burstP: 0.0005 },
    },
    {
      name: 'L=0: every packet behind a closed boundary is late',
      cfg: { ...SHORT, latenessS: 0 },
      shape: { n: 4000, meanGapS: 0.3, idleJumpP: 0.003, windowS: 10, latenessS: 1, withinP: 0.2, beyondP: 0.03, scanP: 0.05, burstP: 0.0015 },
    },
    {
      name: 'tiny output region and flow table (resumable catch-up and flush, table growth), 1-record chunks',
      cfg: SHORT,
      shape: { n: 3000, meanGapS: 0.25, idleJumpP: 0.004, windowS: 10, latenessS: 2, withinP: 0.15, beyondP: 0.04, scanP: 0.08, burstP: 0.002 },
      extra: { [abi.CFG_WINDOW_CAPACITY]: 17, [abi.CFG_FLOW_CAPACITY]: 16, [abi.CFG_ALERT_CAPACITY]: 40 },
      chunk: abi.REC_STRIDE,
    },
  ];
  for (const tc of cases) {
    for (const seed of [1, 2, 3]) {
      it(`${tc.name}, seed ${seed}`, async () => {
        const rows = randomStream(seed * 7919 + tc.shape.n, tc.shape);
        const ref = referenceFlowWindows(toRef(rows), tc.cfg);
        const r = await runWindows(packRows(rows), { ...RECORDS, ...coreConfig(tc.cfg), ...tc.extra }, tc.chunk);
        expect(r.status).toBe(abi.STATUS_DONE);
        expect(r.counters[abi.C_FLOWS_EVICTED_FULL]).toBe(0);
        expect(r.counters[abi.C_SOURCES_EVICTED]).toBe(0);
        expect(r.counters[abi.C_LATE_PACKETS]).toBe(ref.latePackets);
        expect(r.counters[abi.C_FLOW_WINDOWS]).toBe(r.windows.length);
        expect(r.windows.reduce((s, w) => s + w.packets, 0)).toBe(rows.length);
        const { estimated } = expectSameWindows(r.windows, ref.windows);
        // The streams exercise what they are meant to.
        if (tc.shape.beyondP > 0) expect(ref.latePackets).toBeGreaterThan(0);
        expect(ref.windows.some((w) => w.end === abi.FWIN_END_CLOSED)).toBe(true);
        expect(ref.windows.some((w) => w.end === abi.FWIN_END_INPUT)).toBe(true);
        if (tc.cfg === SHORT) expect(ref.windows.some((w) => w.end === abi.FWIN_END_IDLE)).toBe(true);
        expect(estimated).toBeGreaterThan(0);
        expect(r.counters[abi.C_FLOWS_EXPIRED]).toBeGreaterThan(0);
      });
    }
  }
});

describe('FWIN_DST_PORTS: exact to 128 ports, then within +-20 %, constant memory per originator', () => {
  /** One window: source i contacts counts[i] distinct TCP ports of one target, one SYN each. */
  function scanRows(counts: number[], seed: number): PacketRow[] {
    const r = rng(seed);
    const rows: PacketRow[] = [];
    const t0 = 1_700_000_040 * S; // a 60-s window starts at 1_700_000_040 s
    const total = counts.reduce((a, b) => a + b, 0);
    const dt = Math.floor((50 * S) / total);
    let k = 0;
    counts.forEach((n, i) => {
      const ports = Array.from({ length: 65535 }, (_, j) => j + 1);
      for (let j = 0; j < n; j++) {
        const x = j + Math.floor(r() * (65535 - j));
        [ports[j], ports[x]] = [ports[x], ports[j]];
        rows.push({ ts: t0 + k++ * dt, src: v4(172, 16, i >> 8, i & 255), dst: v4(10, 9, 9, 9), sport: 50000, dport: ports[j], flags: SYN });
      }
    });
    return rows;
  }

  it('one source per count from 1 to 65,535 ports', async () => {
    const counts = [1, 10, 128, 129, 200, 640, 1000, 1500, 5000, 20000, 65535];
    const r = await runWindows(packRows(scanRows(counts, 5)), RECORDS);
    expect(r.counters[abi.C_SOURCES_LIVE]).toBe(counts.length);
    counts.forEach((n, i) => {
      const mine = r.windows.filter((w) => w.orig === hex(v4(172, 16, i >> 8, i & 255)));
      expect(mine.length).toBe(n);
      const got = new Set(mine.map((w) => w.dstPorts));
      expect(got.size).toBe(1);
      const est = [...got][0];
      if (n <= EXACT_LIMIT) expect(est).toBe(n);
      else expect(Math.abs(est - n), `${n} ports`).toBeLessThanOrEqual(BOUND * n);
    });
  });

  it('estimates are unbiased over many sources (mean relative error under 6 %)', async () => {
    const r0 = rng(99);
    const counts = Array.from({ length: 40 }, () => 129 + Math.floor(r0() * 3000));
    const r = await runWindows(packRows(scanRows(counts, 6)), RECORDS);
    let sum = 0;
    counts.forEach((n, i) => {
      const est = r.windows.find((w) => w.orig === hex(v4(172, 16, i >> 8, i & 255)))!.dstPorts;
      expect(Math.abs(est - n)).toBeLessThanOrEqual(BOUND * n);
      sum += Math.abs(est - n) / n;
    });
    expect(sum / counts.length).toBeLessThan(0.06);
  });

  it('12 sources of 5,000 ports each fit the memory of a 16-slot originator table (16 x 656 bytes); a 13th evicts', async () => {
    const cap = { ...RECORDS, [abi.CFG_SOURCE_MEMORY_CAP_BYTES]: 16 * 656 };
    const twelve = await runWindows(packRows(scanRows(Array(12).fill(5000), 7)), cap);
    expect(twelve.counters[abi.C_SOURCES_EVICTED]).toBe(0);
    expect(twelve.counters[abi.C_SOURCES_LIVE]).toBe(12);
    for (const w of twelve.windows) expect(Math.abs(w.dstPorts - 5000)).toBeLessThanOrEqual(BOUND * 5000);
    const thirteen = await runWindows(packRows(scanRows(Array(13).fill(10), 8)), cap);
    expect(thirteen.counters[abi.C_SOURCES_EVICTED]).toBeGreaterThan(0);
  });

  it('counts responder ports of orig-direction packets only, per (address, VLAN), not ICMP', async () => {
    const A = v4(10, 0, 0, 1), B = v4(10, 0, 0, 2), C = v4(10, 0, 0, 3);
    const t = 1_700_000_040 * S;
    const rows: PacketRow[] = [
      { ts: t, src: A, dst: B, sport: 1000, dport: 80, flags: SYN },
      { ts: t + 1, src: A, dst: C, sport: 1001, dport: 443, flags: SYN },
      { ts: t + 2, src: A, dst: C, sport: 1002, dport: 53, proto: 17 },
      { ts: t + 3, src: A, dst: B, sport: 1003, dport: 80, flags: SYN }, // port 80 again
      { ts: t + 4, src: A, dst: B, sport: 8, dport: 0, proto: 1 }, // ICMP echo: no port
      { ts: t + 5, src: A, dst: B, sport: 1004, dport: 22, vlan: 5 }, // another VLAN: another originator
      { ts: t + 6, src: C, dst: A, sport: 7000, dport: 9999, proto: 17 }, // C is orig of its own flow
      { ts: t + 7, src: B, dst: A, sport: 80, dport: 1000, flags: SYN | ACK }, // resp direction
    ];
    const r = await runWindows(packRows(rows), RECORDS);
    const a = r.windows.filter((w) => w.orig === hex(A) && w.vlan === 0);
    expect(a.length).toBe(5);
    for (const w of a) expect(w.dstPorts).toBe(3); // 80, 443, 53
    expect(r.windows.find((w) => w.vlan === 5)!.dstPorts).toBe(1);
    expect(r.windows.find((w) => w.orig === hex(C))!.dstPorts).toBe(1);
  });
});

// ---- real captures: a minimal pcap reader/writer and Ethernet/IP decoder for the shuffle test ----

interface PcapRec { ts: number; header: Uint8Array; data: Uint8Array }

function readPcap(bytes: Uint8Array): { header: Uint8Array; recs: PcapRec[] } {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== 0xa1b2c3d4) throw new Error('test reader: little-endian µs pcap only');
  if (v.getUint32(20, true) !== 1) throw new Error('test reader: Ethernet only');
  const recs: PcapRec[] = [];
  for (let o = 24; o < bytes.length; ) {
    const incl = v.getUint32(o + 8, true);
    recs.push({ ts: v.getUint32(o, true) * S + v.getUint32(o + 4, true), header: bytes.subarray(o, o + 16), data: bytes.subarray(o + 16, o + 16 + incl) });
    o += 16 + incl;
  }
  return { header: bytes.subarray(0, 24), recs };
}

function writePcap(header: Uint8Array, recs: PcapRec[]): Uint8Array {
  const out = new Uint8Array(24 + recs.reduce((s, r) => s + 16 + r.data.length, 0));
  out.set(header, 0);
  let o = 24;
  for (const r of recs) {
    out.set(r.header, o);
    out.set(r.data, o + 16);
    o += 16 + r.data.length;
  }
  return out;
}

/** Decodes Ethernet (+ VLAN tags) / IPv4 / IPv6 without extension headers / TCP, UDP, ICMP as the
 *  core does (decode/link.ts, decode/ip.ts); null for anything else. */
function decodeEthernet(rec: PcapRec, index: number): RefPacket | null {
  const d = rec.data;
  const v = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const wire = new DataView(rec.header.buffer, rec.header.byteOffset, 16).getUint32(12, true);
  if (d.length < 14) return null;
  let et = v.getUint16(12);
  let off = 14;
  let vlan = 0;
  let tags = 0;
  while (et === 0x8100 || et === 0x88a8 || et === 0x9100) {
    if (off + 4 > d.length) return null;
    const vid = v.getUint16(off) & 0xfff;
    if (tags === 0) vlan = vid;
    else if (tags === 1) vlan = (vlan << 12) | vid;
    tags++;
    et = v.getUint16(off + 2);
    off += 4;
  }
  const src = new Uint8Array(16);
  const dst = new Uint8Array(16);
  let proto: number;
  let l4: number;
  let end = d.length;
  let frag = false;
  if (et === 0x0800) {
    if (d.length - off < 20 || d[off] >> 4 !== 4) return null;
    const ihl = (d[off] & 15) * 4;
    const tot = v.getUint16(off + 2);
    if (ihl < 20 || off + ihl > d.length || (tot !== 0 && tot < ihl)) return null;
    if (tot !== 0 && tot < d.length - off) end = off + tot;
    src[10] = src[11] = dst[10] = dst[11] = 0xff;
    src.set(d.subarray(off + 12, off + 16), 12);
    dst.set(d.subarray(off + 16, off + 20), 12);
    proto = d[off + 9];
    frag = (v.getUint16(off + 6) & 0x1fff) !== 0;
    l4 = off + ihl;
  } else if (et === 0x86dd) {
    if (d.length - off < 40 || d[off] >> 4 !== 6) return null;
    proto = d[off + 6];
    if ([0, 43, 44, 60, 51, 135].includes(proto)) throw new Error('test decoder: IPv6 extension headers not handled');
    const plen = v.getUint16(off + 4);
    if (plen !== 0 && plen < d.length - off - 40) end = off + 40 + plen;
    src.set(d.subarray(off + 8, off + 24));
    dst.set(d.subarray(off + 24, off + 40));
    l4 = off + 40;
  } else {
    return null;
  }
  let sport = 0, dport = 0, flags = 0;
  const rem = end - l4;
  if (!frag) {
    if (proto === 6) {
      if (rem >= 13 && d[l4 + 12] >> 4 < 5) return null;
      if (rem >= 4) [sport, dport] = [v.getUint16(l4), v.getUint16(l4 + 2)];
      if (rem >= 14) flags = d[l4 + 13];
    } else if (proto === 17) {
      if (rem >= 4) [sport, dport] = [v.getUint16(l4), v.getUint16(l4 + 2)];
    } else if (proto === 1 || proto === 58) {
      if (rem >= 2) [sport, dport] = [d[l4], d[l4 + 1]];
    }
  }
  return { ts: rec.ts, src, dst, sport, dport, proto, flags, size: wire, vlan, label: proto, recordIndex: index };
}

function decodeAll(recs: PcapRec[]): RefPacket[] {
  const out: RefPacket[] = [];
  recs.forEach((r, i) => {
    const p = decodeEthernet(r, i);
    if (p) out.push(p);
  });
  return out;
}

/** Reorders the records: record i moves to sort key ts + jitter, jitter in [0, maxJitterUs) a hash
 *  of (its flow, its time), so packets of one flow with equal times keep their order; a flow's
 *  first packet (and the first after a gap of more than `splitGapUs`) gets jitter 0 so it stays
 *  first and keeps the originator role. Returns the new records and, per new index, the old one. */
function shuffle(recs: PcapRec[], maxJitterUs: number, splitGapUs: number, seed: number): { recs: PcapRec[]; from: number[] } {
  const flows = new Map<string, { last: number; firstKey: number }>();
  const keys = recs.map((rec, i) => {
    const p = decodeEthernet(rec, i);
    if (!p) return { k: rec.ts, i };
    const { key } = flowKey(p);
    const st = flows.get(key);
    if (st === undefined || rec.ts - st.last > splitGapUs) {
      flows.set(key, { last: rec.ts, firstKey: rec.ts });
      return { k: rec.ts, i };
    }
    st.last = Math.max(st.last, rec.ts);
    let h = seed >>> 0;
    for (const ch of `${key}|${rec.ts}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    // Never before the flow's first packet (already out of order in the file or not).
    return { k: Math.max(st.firstKey, rec.ts + Math.floor((h / 2 ** 32) * maxJitterUs)), i };
  });
  keys.sort((a, b) => a.k - b.k || a.i - b.i);
  return { recs: keys.map((x) => recs[x.i]), from: keys.map((x) => x.i) };
}

function sumCheck(r: Awaited<ReturnType<typeof runWindows>>, windowS: number) {
  const W = windowS * S;
  expect(r.windows.reduce((s, w) => s + w.packets, 0)).toBe(r.counters[abi.C_PACKETS_DECODED]);
  expect(r.windows.reduce((s, w) => s + w.bytes, 0)).toBe(r.counters[abi.C_BYTES_DECODED]);
  expect(r.counters[abi.C_FLOW_WINDOWS]).toBe(r.windows.length);
  for (const w of r.windows) {
    expect(((w.startUs % W) + W) % W).toBe(0);
    expect(w.firstUs).toBeGreaterThanOrEqual(w.startUs);
    expect(w.lastUs).toBeGreaterThanOrEqual(w.firstUs);
    expect(w.lastUs).toBeLessThan(w.startUs + W);
    expect(w.packets).toBeGreaterThan(0);
    expect(w.syn).toBeLessThanOrEqual(w.packets);
    expect(w.late).toBeLessThanOrEqual(w.packets);
  }
}

function load(path: string): Uint8Array {
  const b = readFileSync(DATA + path);
  return path.endsWith('.gz') ? gunzipSync(b) : b;
}

describe('flow windows on real captures', () => {
  for (const path of [
    'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz', // 150k packets, multi-year gaps
    'normal/perf/zeek_echo-connections.pcap.gz', // non-monotonic, thousands of flows
    'normal/zeek_ftp_cwd-navigation.pcap',
    'normal/zeek_http_206_example_b.pcap',
    'tcp_behaviour/zeek_dns_long-connection.pcap',
    'attacks/ddos_amplification/stopddos_amp.UDP.bacnet.IOT.37810.pcapng', // non-monotonic
    'attacks/portscan/evilfingers_FIN_SCAN.pcap', // non-monotonic
    'parser_corpus/tcpdump/babel_update_oobr.pcap', // 1970 -> 2038, non-monotonic
  ]) {
    it(`${path}: windows hold every decoded packet and byte, inside their bounds`, async () => {
      const r = await runWindows(load(path));
      expect(r.counters[abi.C_PACKETS_DECODED]).toBeGreaterThan(0);
      sumCheck(r, 60);
      // Sub-minute windows on the same capture conserve the totals as well.
      const small = await runWindows(load(path), { [abi.CFG_FLOWWIN_WINDOW_S]: 1, [abi.CFG_LATENESS_S]: 0.25 });
      sumCheck(small, 1);
    });
  }

  it('evilfingers_TCP_SYN_SCAN.pcap: the scanner contacted ~1000 distinct ports (GT 1000, estimate within 20 %)', async () => {
    const r = await runWindows(load('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap'));
    const scanner = r.windows.filter((w) => w.orig === hex(v4(192, 168, 1, 10)));
    expect(scanner.length).toBeGreaterThanOrEqual(1000);
    for (const w of scanner) expect(Math.abs(w.dstPorts - 1000)).toBeLessThanOrEqual(200);
    expect(scanner.reduce((s, w) => s + w.syn, 0)).toBeGreaterThanOrEqual(1002);
  });

  it('ppa1e_portscan.pcap: 29 SYNs to 29 distinct ports give DST_PORTS 29 exactly (GT)', async () => {
    const r = await runWindows(load('attacks/portscan/ppa1e_portscan.pcap'));
    expect(r.windows.length).toBe(29);
    for (const w of r.windows) {
      expect(w.orig).toBe(hex(v4(10, 100, 25, 14)));
      expect(w.dstPorts).toBe(29);
      expect([w.packets, w.syn]).toEqual([1, 1]);
    }
  });

  const shuffles: { path: string; cfg: RefConfig }[] = [
    { path: 'normal/zeek_ftp_cwd-navigation.pcap', cfg: DEFAULT_REF_CONFIG },
    { path: 'normal/zeek_http_206_example_b.pcap', cfg: DEFAULT_REF_CONFIG },
    { path: 'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap', cfg: DEFAULT_REF_CONFIG },
    { path: 'normal/perf/zeek_echo-connections.pcap.gz', cfg: { ...DEFAULT_REF_CONFIG, windowS: 1, latenessS: 0.4 } },
  ];
  for (const { path, cfg } of shuffles) {
    it(`${path}: the reference agrees; shuffled by < L/2 the windows are identical; beyond L late packets match the reference`, async () => {
      const { header, recs } = readPcap(load(path));
      const config = coreConfig(cfg);
      const { latenessUs } = windowParams(cfg);
      const minTimeoutUs = Math.min(cfg.tcpTimeoutS, cfg.udpTimeoutS, cfg.icmpTimeoutS, cfg.otherTimeoutS) * S;
      // The original against the reference (checks the test's decoder against the core's first).
      const orig = await runWindows(writePcap(header, recs), config);
      const rows = decodeAll(recs);
      expect(rows.length).toBe(orig.counters[abi.C_PACKETS_DECODED]);
      expect(rows.reduce((s, p) => s + p.size, 0)).toBe(orig.counters[abi.C_BYTES_DECODED]);
      const ref = referenceFlowWindows(rows, cfg);
      expectSameWindows(orig.windows, ref.windows);
      expect(orig.counters[abi.C_LATE_PACKETS]).toBe(ref.latePackets);

      // Within L/2: identical windows (record indices mapped back), no late packet.
      const near = shuffle(recs, latenessUs / 2, minTimeoutUs, 17);
      expect(near.from.some((x, i) => x !== i)).toBe(true);
      const a = await runWindows(writePcap(header, near.recs), config);
      expect(a.counters[abi.C_LATE_PACKETS]).toBe(0);
      expect(a.counters[abi.C_TS_OUT_OF_ORDER]).toBeGreaterThan(orig.counters[abi.C_TS_OUT_OF_ORDER]);
      const mapped = a.windows.map((w) => ({ ...w, firstRecord: near.from[w.firstRecord] }));
      expect(mapped.map(keyOf).sort()).toEqual(orig.windows.map(keyOf).sort());
      expect(mapped.map((w) => `${keyOf(w)} ${w.dstPorts}`).sort()).toEqual(orig.windows.map((w) => `${keyOf(w)} ${w.dstPorts}`).sort());

      // Beyond L: late packets as the reference counts them, totals conserved, same records as it.
      const far = shuffle(recs, 1.5 * windowParams(cfg).windowUs, minTimeoutUs, 23);
      const b = await runWindows(writePcap(header, far.recs), config);
      const farRef = referenceFlowWindows(decodeAll(far.recs), cfg);
      expect(farRef.latePackets).toBeGreaterThan(0);
      expect(b.counters[abi.C_LATE_PACKETS]).toBe(farRef.latePackets);
      sumCheck(b, cfg.windowS);
      expectSameWindows(b.windows, farRef.windows);
    });
  }
});

describe('flow windows: idle expiry, eviction, off switch', () => {
  const A = v4(10, 0, 0, 1), B = v4(10, 0, 0, 2), C = v4(10, 0, 0, 3);
  const t0 = 1_700_000_040 * S; // window start

  it('idle UDP flows are swept after their windows close and emit them as IDLE', async () => {
    const rows: PacketRow[] = [];
    for (let i = 0; i < 1000; i++) rows.push({ ts: t0 + i * 1000, src: A, dst: C, sport: 10000 + i, dport: 53, proto: 17 });
    // A busy flow for 100 s: the 1000 flows pass their 10-s timeout at ~11 s, their window closes
    // at 65 s (W + L), then the catch-up emits them (IDLE: idle before the close) and the sweep
    // removes them.
    for (let i = 0; i < 5000; i++) rows.push({ ts: t0 + 2 * S + i * 20_000, src: A, dst: B, sport: 1, dport: 2, proto: 17 });
    const r = await runWindows(packRows(rows), { ...RECORDS, [abi.CFG_UDP_TIMEOUT_S]: 10, [abi.CFG_FLOW_CAPACITY]: 2048 });
    expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(1000);
    expect(r.counters[abi.C_FLOWS_LIVE]).toBe(1);
    const idle = r.windows.filter((w) => w.resp === hex(C));
    expect(idle.length).toBe(1000);
    for (const w of idle) expect([w.end, w.packets, w.startUs]).toEqual([abi.FWIN_END_IDLE, 1, t0]);
    const busy = r.windows.filter((w) => w.resp === hex(B));
    expect(busy.map((w) => w.end)).toEqual([abi.FWIN_END_CLOSED, abi.FWIN_END_INPUT]);
    expect(busy.reduce((s, w) => s + w.packets, 0)).toBe(5000);
    const ref = referenceFlowWindows(toRef(rows), { ...DEFAULT_REF_CONFIG, udpTimeoutS: 10 });
    expectSameWindows(r.windows, ref.windows);
  });

  it('a flow returning after its timeout while its window is open: old window emitted once, when it closes', async () => {
    const rows: PacketRow[] = [
      { ts: t0 + 1 * S, src: A, dst: B, sport: 5353, dport: 53, proto: 17, size: 100 },
      { ts: t0 + 40 * S, src: B, dst: A, sport: 53, dport: 5353, proto: 17, size: 200 }, // 39 s > 30 s later: new flow
      { ts: t0 + 64 * S, src: B, dst: A, sport: 53, dport: 5353, proto: 17, size: 300 },
      { ts: t0 + 70 * S, src: A, dst: C, sport: 1, dport: 2, proto: 17, size: 400 }, // closes [t0, t0+60)
    ];
    const r = await runWindows(packRows(rows), { ...RECORDS, [abi.CFG_UDP_TIMEOUT_S]: 30 });
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(3);
    expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(1);
    expect(r.counters[abi.C_FLOWS_LIVE]).toBe(2);
    // The old flow and the new one share the window [t0, t0+60): two records, the old one IDLE
    // (idle at t0+31 s, before the window closed at t0+65 s), emitted by the catch-up at t0+70 s.
    const old = r.windows.filter((w) => w.orig === hex(A) && w.resp === hex(B));
    expect(old.map((w) => [w.startUs, w.packets, w.bytes, w.end])).toEqual([[t0, 1, 100, abi.FWIN_END_IDLE]]);
    const neu = r.windows.filter((w) => w.orig === hex(B));
    expect(neu.map((w) => [w.startUs, w.packets, w.bytes, w.end])).toEqual([
      [t0, 1, 200, abi.FWIN_END_CLOSED],
      [t0 + 60 * S, 1, 300, abi.FWIN_END_INPUT],
    ]);
    expectSameWindows(r.windows, referenceFlowWindows(toRef(rows), { ...DEFAULT_REF_CONFIG, udpTimeoutS: 30 }).windows);
  });

  it('a table at its memory cap evicts flows with their windows (EVICTED) and conserves the totals', async () => {
    const r0 = rng(4);
    const rows: PacketRow[] = [];
    for (let i = 0; i < 20000; i++) {
      const f = Math.floor(r0() * 200);
      rows.push({ ts: t0 + i * 1000, src: v4(10, 1, f >> 8, f & 255), dst: B, sport: 1000 + f, dport: 80, size: 100 + (i % 7) });
    }
    const r = await runWindows(packRows(rows), { ...RECORDS, [abi.CFG_FLOW_MEMORY_CAP_BYTES]: 64 * abi.FLOW_STRIDE });
    expect(r.counters[abi.C_FLOW_CAPACITY]).toBe(64);
    expect(r.counters[abi.C_FLOWS_EVICTED_FULL]).toBeGreaterThan(0);
    const evicted = r.windows.filter((w) => w.end === abi.FWIN_END_EVICTED);
    expect(evicted.length).toBe(r.counters[abi.C_FLOWS_EVICTED_FULL]);
    expect(r.windows.reduce((s, w) => s + w.packets, 0)).toBe(rows.length);
    expect(r.windows.reduce((s, w) => s + w.bytes, 0)).toBe(rows.reduce((s, x) => s + (x.size ?? 60), 0));
  });

  it('late packets are folded into the earliest open window and counted', async () => {
    const rows: PacketRow[] = [
      { ts: t0 + 10 * S, src: A, dst: B, sport: 1, dport: 80, flags: SYN, size: 60 },
      { ts: t0 + 70 * S, src: A, dst: B, sport: 1, dport: 80, size: 100 }, // closes [t0, t0+60)
      { ts: t0 + 30 * S, src: A, dst: B, sport: 1, dport: 80, flags: SYN, size: 1000 }, // late
      { ts: t0 + 58 * S, src: B, dst: A, sport: 80, dport: 1, size: 10 }, // late (window closed)
      { ts: t0 + 66 * S, src: A, dst: B, sport: 1, dport: 80, size: 1 }, // 4 s behind: on time
    ];
    const r = await runWindows(packRows(rows), RECORDS);
    expect(r.counters[abi.C_LATE_PACKETS]).toBe(2);
    expect(r.windows.map((w) => [w.startUs, w.firstUs, w.lastUs, w.packets, w.bytes, w.syn, w.late, w.firstRecord, w.end])).toEqual([
      [t0, t0 + 10 * S, t0 + 10 * S, 1, 60, 1, 0, 0, abi.FWIN_END_CLOSED],
      [t0 + 60 * S, t0 + 60 * S, t0 + 70 * S, 4, 1111, 1, 2, 2, abi.FWIN_END_INPUT],
    ]);
    expectSameWindows(r.windows, referenceFlowWindows(toRef(rows)).windows);
  });

  it('CFG_FLOWWIN_ENABLED = 0: no windows, no late count, no originator table', async () => {
    const rows = randomStream(11, { n: 2000, meanGapS: 0.25, idleJumpP: 0.004, windowS: 10, latenessS: 2, withinP: 0.15, beyondP: 0.05, scanP: 0.1, burstP: 0.001 });
    const r = await runWindows(packRows(rows), { ...RECORDS, ...coreConfig(SHORT), [abi.CFG_FLOWWIN_ENABLED]: 0 });
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.windows.length).toBe(0);
    expect(r.counters[abi.C_FLOW_WINDOWS]).toBe(0);
    expect(r.counters[abi.C_LATE_PACKETS]).toBe(0);
    expect(r.counters[abi.C_SOURCES_LIVE]).toBe(0);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBeGreaterThan(0);
  });
});
