// Test helper for the keyed rule detectors (PORTSCAN, SYNFLOOD): runs bytes through a fresh core
// and decodes every alert field, the packet marks and the trace points, and folds the episode
// records (ALERT_KIND_NEW + ALERT_KIND_UPDATE) into one row per episode.
import { readFileSync } from 'node:fs';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine, readAlert, readTracePoint, type RawAlert } from '../helpers/core';
import { expect } from 'vitest';
import { slowConfig, type RefPacket, type RefResult, type RuleConfig } from './scan-rules';

/** An alert record as the tests read it: every field, addresses as text. */
export type CoreAlert = Omit<RawAlert, 'src' | 'dst'> & { src: string; dst: string };

export interface CoreTrace {
  tsUs: number;
  size: number;
  mean: number;
  flags: number;
  recordIndex: number;
}

export interface CoreRun {
  counters: Float64Array;
  alerts: CoreAlert[];
  /** Record index -> MARK_REASONS bits (only with CFG_MARKS_ENABLED). */
  marks: Map<number, number>;
  trace: CoreTrace[];
}

/** Text of a 16-byte address: dotted quad for IPv4-mapped, hex otherwise. */
export function addrText(a: Uint8Array): string {
  const mapped = a.slice(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff;
  if (mapped) return Array.from(a.slice(12)).join('.');
  return Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** 16-byte IPv4-mapped address of a dotted quad. */
export function v4(s: string): Uint8Array {
  const a = new Uint8Array(16);
  a[10] = 0xff;
  a[11] = 0xff;
  s.split('.').forEach((x, i) => (a[12 + i] = Number(x)));
  return a;
}

/** Every detector but the keyed rules off (no other marks or alerts in the way). */
export const ONLY_KEYED_RULES: Record<number, number> = {
  [abi.CFG_ZSCORE_ENABLED]: 0,
  [abi.CFG_BLACKLIST_ENABLED]: 0,
  [abi.CFG_LARGESIZE_ENABLED]: 0,
  [abi.CFG_UNUSUAL_ENABLED]: 0,
  [abi.CFG_FLOWWIN_ENABLED]: 0,
};

/** Runs `bytes` through a fresh core with config overrides (seed fixed) and an optional trace key. */
export async function runCore(bytes: Uint8Array, config: Record<number, number> = {}, traceKey?: Uint8Array, chunk = 1 << 20): Promise<CoreRun> {
  const engine = await newEngine();
  const alerts: CoreAlert[] = [];
  const marks = new Map<number, number>();
  const trace: CoreTrace[] = [];
  if (traceKey) engine.setTraceKey(traceKey);
  engine.start({ [abi.CFG_SEED]: 12345, ...config }, (out) => {
    const v = out.alerts;
    for (let i = 0; i < out.alertCount; i++) {
      const a = readAlert(v, i * abi.ALERT_STRIDE);
      alerts.push({ ...a, src: addrText(a.src), dst: addrText(a.dst) });
    }
    const m = out.marks;
    for (let i = 0; i < out.markCount; i++) {
      const o = i * abi.MARK_STRIDE;
      marks.set(m.getUint32(o + abi.MARK_RECORD_INDEX, true), m.getUint32(o + abi.MARK_REASONS, true));
    }
    for (let i = 0; i < out.traceCount; i++) trace.push(readTracePoint(out.trace, i));
  });
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  engine.finish();
  return { counters: engine.counters(), alerts, marks, trace };
}

/** Runs capture `rel` (relative to /work/shared/data). */
export async function runCapture(rel: string, config: Record<number, number> = {}): Promise<CoreRun> {
  return runCore(new Uint8Array(readFileSync(DATA + rel)), config);
}

/** One row per episode: the NEW record with the UPDATE's final fields; `closed` when the UPDATE came. */
export type Episode = CoreAlert & {
  closed: boolean;
  newRecord: CoreAlert;
};

/** Folds episode records by ALERT_EPISODE (throws on an UPDATE without NEW or a second NEW/UPDATE). */
export function episodes(alerts: CoreAlert[]): Episode[] {
  const byId = new Map<number, Episode>();
  for (const a of alerts) {
    if (a.episode === 0) continue;
    const e = byId.get(a.episode);
    if (a.kind === abi.ALERT_KIND_NEW) {
      if (e) throw new Error(`episode ${a.episode}: second NEW`);
      byId.set(a.episode, { ...a, closed: false, newRecord: a });
    } else {
      if (!e) throw new Error(`episode ${a.episode}: UPDATE before NEW`);
      if (e.closed) throw new Error(`episode ${a.episode}: second UPDATE`);
      Object.assign(e, a, { closed: true, newRecord: e.newRecord });
    }
  }
  return [...byId.values()].sort((a, b) => a.episode - b.episode);
}

/** A decoded packet with its wire length (the record's original length, bytes). */
export type CapturePacket = RefPacket & { size: number };

/** Minimal capture reader for the reference (test/reference/scan-rules.ts): pcap (either byte
 *  order, µs or ns) and pcapng (EPB/SPB, if_tsresol), Ethernet with up to two 802.1Q tags, IPv4
 *  (non-first fragments keep ports 0) and IPv6 without extension headers, TCP/UDP ports and TCP
 *  flags, ICMP type/code as ports. Records that are not IP are skipped but keep their index. */
export function readCapturePackets(bytes: Uint8Array): CapturePacket[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: CapturePacket[] = [];
  let index = 0;
  const frame = (tsUs: number, off: number, len: number, size = len) => {
    const p = decodeEthernet(dv, off, len, tsUs);
    if (p) out.push({ ...p, index, size });
    index++;
  };
  const magic = dv.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    let o = 24;
    while (o + 16 <= bytes.length) {
      const sec = dv.getUint32(o, le);
      const frac = dv.getUint32(o + 4, le);
      const cl = dv.getUint32(o + 8, le);
      frame(sec * 1e6 + (nano ? Math.floor(frac / 1000) : frac), o + 16, cl, dv.getUint32(o + 12, le));
      o += 16 + cl;
    }
  } else if (magic === 0x0a0d0d0a) {
    let o = 0;
    let le = true;
    let resol: number[] = [];
    while (o + 12 <= bytes.length) {
      const type = dv.getUint32(o, le);
      if (type === 0x0a0d0d0a) {
        le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
        resol = [];
      }
      const bl = dv.getUint32(o + 4, le);
      if (type === 1) {
        let r = 1e-6;
        for (let q = o + 16; q + 4 <= o + bl - 4; ) {
          const code = dv.getUint16(q, le);
          const ol = dv.getUint16(q + 2, le);
          if (code === 0) break;
          if (code === 9) {
            const v = dv.getUint8(q + 4);
            r = v & 0x80 ? 2 ** -(v & 0x7f) : 10 ** -v;
          }
          q += 4 + ((ol + 3) & ~3);
        }
        resol.push(r);
      } else if (type === 6) {
        const ifc = dv.getUint32(o + 8, le);
        const ts = dv.getUint32(o + 12, le) * 2 ** 32 + dv.getUint32(o + 16, le);
        frame(Math.floor(ts * resol[ifc] * 1e6 + 1e-6), o + 28, dv.getUint32(o + 20, le), dv.getUint32(o + 24, le));
      } else if (type === 3) {
        frame(0, o + 16, bl - 20, dv.getUint32(o + 8, le));
      }
      o += bl;
    }
  } else {
    throw new Error('not a capture');
  }
  return out;
}

function ip4(dv: DataView, o: number): string {
  return `${dv.getUint8(o)}.${dv.getUint8(o + 1)}.${dv.getUint8(o + 2)}.${dv.getUint8(o + 3)}`;
}
function ip6(dv: DataView, o: number): string {
  const b = new Uint8Array(dv.buffer, dv.byteOffset + o, 16);
  return addrText(b);
}

function decodeEthernet(dv: DataView, off: number, len: number, tsUs: number): Omit<RefPacket, 'index'> | null {
  if (len < 14) return null;
  let o = off + 12;
  let type = dv.getUint16(o);
  let vlan = 0;
  let tags = 0;
  while ((type === 0x8100 || type === 0x88a8) && o + 4 + 2 <= off + len && tags < 2) {
    vlan = (vlan << 12) | (dv.getUint16(o + 2) & 0xfff);
    o += 4;
    type = dv.getUint16(o);
    tags++;
  }
  o += 2;
  const end = off + len;
  let proto: number;
  let src: string;
  let dst: string;
  let q: number;
  let fragment = false;
  if (type === 0x0800) {
    if (o + 20 > end) return null;
    const ihl = (dv.getUint8(o) & 15) * 4;
    proto = dv.getUint8(o + 9);
    fragment = (dv.getUint16(o + 6) & 0x1fff) !== 0;
    src = ip4(dv, o + 12);
    dst = ip4(dv, o + 16);
    q = o + ihl;
  } else if (type === 0x86dd) {
    if (o + 40 > end) return null;
    proto = dv.getUint8(o + 6);
    src = ip6(dv, o + 8);
    dst = ip6(dv, o + 24);
    q = o + 40;
  } else {
    return null;
  }
  let sport = 0;
  let dport = 0;
  let flags = 0;
  if (!fragment) {
    if ((proto === 6 || proto === 17) && q + 4 <= end) {
      sport = dv.getUint16(q);
      dport = dv.getUint16(q + 2);
      if (proto === 6 && q + 14 <= end) flags = dv.getUint8(q + 13);
    } else if ((proto === 1 || proto === 58) && q + 2 <= end) {
      sport = dv.getUint8(q);
      dport = dv.getUint8(q + 1);
    }
  }
  return { tsUs, src, dst, sport, dport, proto, flags, vlan, fragment };
}

/** Relative error bounds (4 standard errors) of the core's estimates: the sliding sketch (256
 *  registers: 1.04/16), the per-destination HyperLogLogs (DST and SLOW, 128: 1.04/sqrt(128)) and
 *  the spread one. */
export const EPS_SKETCH = 4 * 1.04 / 16;
export const EPS_HLL_DST = 4 * 1.04 / Math.sqrt(128);
export const EPS_HLL_SPREAD = 4 * 1.04 / 16;

function within(x: number, lo: number, hi: number, eps: number): boolean {
  return x >= Math.floor(lo * (1 - eps)) - 1 && x <= Math.ceil(hi * (1 + eps)) + 1;
}

/** Asserts that the core's run agrees with the reference: every packet's PORTSCAN/SYNFLOOD mark
 *  bits equal the reference's (bucket model) and lie between its shorter- and longer-window
 *  decisions; the episodes match one to one with exact COUNT, TS, LAST, PEAK_RATE, record index,
 *  subject fields, THRESHOLD, WINDOW_S, SEVERITY, SCORE, exact VALUE where the core is exact
 *  (SYN counts, AUX = probes) and estimates within their stated bounds. */
export function expectAgreement(pkts: RefPacket[], core: CoreRun, ref: RefResult, c: RuleConfig): void {
  const mask = (1 << abi.DET_PORTSCAN) | (1 << abi.DET_SYNFLOOD);
  const markDiff: string[] = [];
  const boundDiff: string[] = [];
  pkts.forEach((p, i) => {
    const idx = p.index ?? i;
    const got = (core.marks.get(idx) ?? 0) & mask;
    if (got !== ref.marks[i]) markDiff.push(`#${idx} core ${got} ref ${ref.marks[i]}`);
    if ((ref.marksShort[i] & ~got) !== 0 || (got & ~ref.marksLong[i]) !== 0) boundDiff.push(`#${idx}`);
  });
  expect(markDiff.slice(0, 10)).toEqual([]);
  expect(boundDiff.slice(0, 10)).toEqual([]);
  let portscanMarks = 0;
  let synfloodMarks = 0;
  for (const m of ref.marks) {
    if (m & (1 << abi.DET_PORTSCAN)) portscanMarks++;
    if (m & (1 << abi.DET_SYNFLOOD)) synfloodMarks++;
  }
  expect(core.counters[abi.C_MARKS_PORTSCAN]).toBe(portscanMarks);
  expect(core.counters[abi.C_MARKS_SYNFLOOD]).toBe(synfloodMarks);

  const byIndex = new Map(pkts.map((p, i) => [p.index ?? i, p]));
  const eps = episodes(core.alerts).filter((e) => e.detector === abi.DET_PORTSCAN || e.detector === abi.DET_SYNFLOOD);
  expect(eps.length).toBe(ref.episodes.length);
  expect(core.counters[abi.C_ALERTS_PORTSCAN]).toBe(ref.episodes.filter((e) => e.detector === abi.DET_PORTSCAN).length);
  expect(core.counters[abi.C_ALERTS_SYNFLOOD]).toBe(ref.episodes.filter((e) => e.detector === abi.DET_SYNFLOOD).length);
  const kPorts = Math.min(255, Math.max(0, Math.floor(c.portsN))) + 1;
  const kSyn = Math.min(255, Math.max(0, Math.floor(c.synP))) + 1;
  const kHosts = Math.min(255, Math.max(0, Math.floor(c.hostsH))) + 1;
  for (const e of ref.episodes) {
    const what = `d${e.detector}v${e.variant} ${e.src}->${e.dst} #${e.firstIndex}`;
    const m = eps.filter((x) => x.detector === e.detector && x.variant === e.variant && x.recordIndex === e.firstIndex);
    expect(m.length, what).toBe(1);
    const x = m[0];
    const p = byIndex.get(e.firstIndex)!;
    expect(x.closed, what).toBe(true);
    expect(x.src, what).toBe(e.src);
    expect(x.dst, what).toBe(e.dst === '' ? '0'.repeat(32) : e.dst);
    expect([x.sport, x.dport, x.protoLabel], what).toEqual([p.sport, p.dport, p.proto]);
    expect([x.tsUs, x.lastUs, x.count, x.peakRate], what).toEqual([e.firstUs, e.lastUs, e.count, e.peakRate]);
    expect(x.newRecord.value, what).toBe(e.newValue);
    expect(x.newRecord.count, what).toBe(1);
    const [threshold, windowS] =
      e.detector === abi.DET_SYNFLOOD
        ? e.variant === abi.SYNFLOOD_DST ? [c.floodM, c.floodWindowS]
          : e.variant === abi.SYNFLOOD_SLOW ? [slowConfig(c).slowM, slowConfig(c).slowWindowS] : [c.spreadM, c.spreadWindowS]
        : e.variant === abi.PORTSCAN_PORTS ? [kPorts - 1, c.portsWindowS]
          : e.variant === abi.PORTSCAN_SYN ? [c.synS, c.synWindowS] : [kHosts - 1, c.hostsWindowS];
    expect([x.threshold, x.windowS], what).toEqual([threshold, windowS]);
    expect(x.severity, what).toBe(x.value > 10 * threshold ? abi.SEV_HIGH : abi.SEV_MEDIUM);
    expect(x.score, what).toBeCloseTo(x.value / threshold, 12);
    if (e.detector === abi.DET_PORTSCAN && e.variant !== abi.PORTSCAN_SYN) {
      // Distinct count: exact K at NEW, then the sketch's estimate clamped to [K, probes].
      const k = e.variant === abi.PORTSCAN_PORTS ? kPorts : kHosts;
      expect(x.aux, what).toBe(e.aux);
      expect(x.value, what).toBeGreaterThanOrEqual(k);
      expect(x.value, what).toBeLessThanOrEqual(e.aux);
      expect(within(x.value, e.valueShort, e.value, EPS_SKETCH), `${what}: value ${x.value} vs ${e.valueShort}..${e.value}`).toBe(true);
    } else if (e.detector === abi.DET_PORTSCAN) {
      expect(x.value, what).toBe(e.value);
      expect(x.aux, what).toBeGreaterThanOrEqual(kSyn);
      expect(within(x.aux, e.auxShort, e.aux, EPS_SKETCH), `${what}: aux ${x.aux} vs ${e.auxShort}..${e.aux}`).toBe(true);
    } else {
      expect(x.value, what).toBe(e.value);
      const epsAux = e.variant === abi.SYNFLOOD_SPREAD ? EPS_HLL_SPREAD : EPS_HLL_DST;
      expect(within(x.aux, e.aux, e.aux, epsAux), `${what}: aux ${x.aux} vs ${e.aux}`).toBe(true);
    }
  }
}
