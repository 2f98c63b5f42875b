// Pure models of the overview, the timeline and the flows / hosts / protocols tabs (issue #5):
// range filters, top-N flows, host tallies, protocol shares per timeline bin, service totals, the
// Zeek-style history approximated from the OR of each end's TCP flags, and alert lookups by 5-tuple
// and by host. No DOM, no state: each function maps result columns (AnalysisResult.conns,
// .alerts, .timeline) to plain arrays and counts. Times are µs since the epoch.
import * as abi from '../shared/abi';
import { TIMELINE_CLASSES, type AnalysisResult, type ConnColumns, type TrafficTimeline } from '../shared/protocol';
import { NameTable } from '../io/names';
import { detectorName, PROFILE_CRITICAL } from './alert-filter';
import { formatUtcUs } from './format';

/** A time range, µs since the epoch, both ends inclusive; null: the whole capture. */
export type TimeRange = { fromUs: number; toUs: number } | null;

/** The range from two ends in either order; null when either is missing or not finite. */
export function makeRange(fromUs: number | null, toUs: number | null): TimeRange {
  if (fromUs === null || toUs === null || !Number.isFinite(fromUs) || !Number.isFinite(toUs)) return null;
  return fromUs <= toUs ? { fromUs, toUs } : { fromUs: toUs, toUs: fromUs };
}

/** True when [firstUs, lastUs] overlaps the range (always with no range). */
export function overlaps(firstUs: number, lastUs: number, range: TimeRange): boolean {
  if (!range) return true;
  return firstUs <= range.toUs && lastUs >= range.fromUs;
}

/** Indices of the flows whose [firstUs, lastUs] overlaps `range`, in record order. */
export function flowsInRange(c: ConnColumns, range: TimeRange): Uint32Array {
  const out: number[] = [];
  for (let i = 0; i < c.count; i++) if (overlaps(c.firstUs[i], c.lastUs[i], range)) out.push(i);
  return Uint32Array.from(out);
}

/** Alerts whose [tsUs, lastUs] overlaps `range`: kept ones, and of those the ones not suppressed. */
export function alertsInRange(r: AnalysisResult, range: TimeRange): { all: number; shown: number } {
  const a = r.alerts;
  let all = 0;
  let shown = 0;
  for (let i = 0; i < a.count; i++) {
    if (!overlaps(a.tsUs[i], a.lastUs[i], range)) continue;
    all++;
    if (!a.suppressed[i]) shown++;
  }
  return { all, shown };
}

/** What the flows tab ranks by. */
export type FlowRank = 'bytes' | 'packets' | 'duration';

/** The ranking value of flow i: wire bytes or packets of both sides, or last − first (µs). */
export function flowValue(c: ConnColumns, i: number, by: FlowRank): number {
  if (by === 'bytes') return c.bytesOrig[i] + c.bytesResp[i];
  if (by === 'packets') return c.pktsOrig[i] + c.pktsResp[i];
  return c.lastUs[i] - c.firstUs[i];
}

/** The top `n` of the flows `idx` by `by`, largest first (ties: earlier first packet, then index),
 *  and how many matched (idx.length). */
export function topFlows(c: ConnColumns, idx: ArrayLike<number>, by: FlowRank, n: number): { rows: number[]; matched: number } {
  const all = Array.from(idx);
  all.sort((x, y) => flowValue(c, y, by) - flowValue(c, x, by) || c.firstUs[x] - c.firstUs[y] || x - y);
  return { rows: all.slice(0, Math.max(0, n)), matched: all.length };
}

// TCP flag bits (abi.REC_TCP_FLAGS).
const FIN = 1;
const SYN = 2;
const RST = 4;
const ACK = 16;

/**
 * A Zeek-style history string for flow i, as far as connection records allow. Zeek's history is
 * the ORDER of events (e.g. "ShADadFf"); the core keeps only the OR of the TCP flags each end sent
 * and the payload bytes of each end, so this gives the letters that occurred, each once, in
 * Zeek's canonical handshake order, upper case for the originator and lower case for the
 * responder as Zeek does: S a SYN from orig, h a SYN with ACK from resp (s without ACK), A/a an
 * ACK beyond the SYN, FIN and RST packets (the ACK flag, and more packets from that end than one
 * per SYN, FIN and RST flag seen; data packets also carry ACK, so A/a may stand for them), D/d
 * payload bytes, F/f FIN, R/r RST. It cannot show
 * repeats (Zeek's counting letters T, W, C...), retransmissions, or the order; "-" for non-TCP flows
 * or when no flag was seen.
 */
export function connHistory(c: ConnColumns, i: number): string {
  if (c.proto[i] !== 6) return '-';
  const o = c.flagsOrig[i];
  const r = c.flagsResp[i];
  let h = '';
  if (o & SYN) h += 'S';
  if (r & SYN) h += r & ACK ? 'h' : 's';
  // An ACK beyond the SYN, FIN and RST packets (which carry the flag too): the ACK flag, and more
  // packets from that end than one per SYN, FIN, RST seen.
  const special = (f: number) => (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0) + (f & RST ? 1 : 0);
  if (o & ACK && c.pktsOrig[i] > special(o)) h += 'A';
  if (r & ACK && c.pktsResp[i] > special(r)) h += 'a';
  if (c.payloadOrig[i] > 0) h += 'D';
  if (c.payloadResp[i] > 0) h += 'd';
  if (o & FIN) h += 'F';
  if (r & FIN) h += 'f';
  if (o & RST) h += 'R';
  if (r & RST) h += 'r';
  return h || '-';
}

const names = new NameTable();

/** The protocol name of an IP protocol number as alert channels spell it ("TCP", "UDP", "ICMP",
 *  "ICMPv6", "GRE", or the number). */
export function protoName(p: number): string {
  return names.formatProto(p);
}

/** The 5-tuple key of an unordered pair of endpoints (either direction gives the same key). */
export function fiveTupleKey(a: string, aPort: number, b: string, bPort: number, proto: string): string {
  const x = `${a}\u0000${aPort}`;
  const y = `${b}\u0000${bPort}`;
  return x <= y ? `${proto}\u0001${x}\u0001${y}` : `${proto}\u0001${y}\u0001${x}`;
}

/** Detectors whose alerts judge all traffic rather than a host pair (their channel is a
 *  placeholder): PROTOSHIFT always, SPIKE with the all-traffic variant. */
function judgesAllTraffic(r: AnalysisResult, i: number): boolean {
  const d = r.alerts.detector[i];
  return d === abi.DET_PROTOSHIFT || (d === abi.DET_SPIKE && r.alerts.variant[i] === abi.SPIKE_GLOBAL);
}

/** Kept alerts by 5-tuple key (fiveTupleKey of channel src/sport, dst/dport, proto); alerts
 *  without ports (sport = dport = 0) and alerts on all traffic are left out. */
export function alertsByFiveTuple(r: AnalysisResult): Map<string, number> {
  const a = r.alerts;
  const out = new Map<string, number>();
  for (let i = 0; i < a.count; i++) {
    if (judgesAllTraffic(r, i) || (!a.sport[i] && !a.dport[i])) continue;
    const ch = r.channels[a.channel[i]];
    if (!ch) continue;
    const k = fiveTupleKey(ch.src, a.sport[i], ch.dst, a.dport[i], ch.proto);
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

/** The 5-tuple key of flow i (fiveTupleKey with protoName). */
export function flowKey(c: ConnColumns, i: number): string {
  return fiveTupleKey(c.names[c.orig[i]], c.origPort[i], c.names[c.resp[i]], c.respPort[i], protoName(c.proto[i]));
}

/** One host of the hosts tab. */
export interface HostRow {
  address: string;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  flowsOrig: number;
  flowsResp: number;
  peers: number;
  /** Alerts (kept, in range) whose subject names this host (channel src or dst). */
  alerts: number;
}

/**
 * Per host over the flows `idx`: wire bytes and packets sent and received (orig sends bytesOrig,
 * resp sends bytesResp), flows as orig and as resp, distinct peers; plus the kept alerts in
 * `range` whose channel names the host (alerts on all traffic excluded). Sorted by bytes sent +
 * received, largest first (ties by address). Every flow's bytes are counted twice over all hosts
 * (once sent, once received), so Σ bytesSent = Σ bytesReceived = the flows' bytes.
 */
export function hostRows(r: AnalysisResult, c: ConnColumns, idx: ArrayLike<number>, range: TimeRange): HostRow[] {
  const rows = new Map<number, HostRow & { peerSet: Set<number> }>();
  const get = (h: number) => {
    let row = rows.get(h);
    if (!row) {
      row = { address: c.names[h], bytesSent: 0, bytesReceived: 0, packetsSent: 0, packetsReceived: 0, flowsOrig: 0, flowsResp: 0, peers: 0, alerts: 0, peerSet: new Set() };
      rows.set(h, row);
    }
    return row;
  };
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const o = get(c.orig[i]);
    const p = get(c.resp[i]);
    o.bytesSent += c.bytesOrig[i];
    o.bytesReceived += c.bytesResp[i];
    o.packetsSent += c.pktsOrig[i];
    o.packetsReceived += c.pktsResp[i];
    o.flowsOrig++;
    o.peerSet.add(c.resp[i]);
    p.bytesSent += c.bytesResp[i];
    p.bytesReceived += c.bytesOrig[i];
    p.packetsSent += c.pktsResp[i];
    p.packetsReceived += c.pktsOrig[i];
    p.flowsResp++;
    p.peerSet.add(c.orig[i]);
  }
  const byAddress = new Map<string, HostRow>();
  const out: HostRow[] = [];
  for (const row of rows.values()) {
    const { peerSet, ...rest } = row;
    const h: HostRow = { ...rest, peers: peerSet.size };
    byAddress.set(h.address, h);
    out.push(h);
  }
  const counts = hostAlertCounts(r, range);
  for (const [addr, n] of counts) {
    const h = byAddress.get(addr);
    if (h) h.alerts = n;
  }
  out.sort((x, y) => y.bytesSent + y.bytesReceived - (x.bytesSent + x.bytesReceived) || (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
  return out;
}

/** Kept alerts in `range` per address named by their channel (src and dst; an alert whose src
 *  and dst are the same address counts once); alerts on all traffic are left out. */
export function hostAlertCounts(r: AnalysisResult, range: TimeRange): Map<string, number> {
  const a = r.alerts;
  const out = new Map<string, number>();
  for (let i = 0; i < a.count; i++) {
    if (judgesAllTraffic(r, i) || !overlaps(a.tsUs[i], a.lastUs[i], range)) continue;
    const ch = r.channels[a.channel[i]];
    if (!ch) continue;
    out.set(ch.src, (out.get(ch.src) ?? 0) + 1);
    if (ch.dst !== ch.src) out.set(ch.dst, (out.get(ch.dst) ?? 0) + 1);
  }
  return out;
}

/** The TIMELINE_CLASSES index of an IP protocol number: TCP 0, UDP 1, ICMP 2, ICMPv6 3, other 4. */
export function classOf(proto: number): number {
  return proto === 6 ? 0 : proto === 17 ? 1 : proto === 1 ? 2 : proto === 58 ? 3 : 4;
}

/** Bin k's start, µs. */
export function binStartUs(t: TrafficTimeline, k: number): number {
  return t.startUs + k * t.binUs;
}

/** Indices [lo, hi) of the bins that overlap `range` (every bin with no range). */
export function binsInRange(t: TrafficTimeline, range: TimeRange): [number, number] {
  if (!range) return [0, t.bins];
  const lo = Math.max(0, Math.floor((range.fromUs - t.startUs) / t.binUs));
  const hi = Math.min(t.bins, Math.floor((range.toUs - t.startUs) / t.binUs) + 1);
  return [Math.min(lo, hi), Math.max(hi, 0)];
}

/** Packets/s and bytes/s per bin (packets[k] / (binUs / 1e6)); x = bin start in epoch seconds. */
export function timelineRates(t: TrafficTimeline): { xS: number[]; pps: number[]; bps: number[] } {
  const perS = 1e6 / t.binUs;
  const xS: number[] = new Array(t.bins);
  const pps: number[] = new Array(t.bins);
  const bps: number[] = new Array(t.bins);
  for (let k = 0; k < t.bins; k++) {
    xS[k] = binStartUs(t, k) / 1e6;
    pps[k] = t.packets[k] * perS;
    bps[k] = t.bytes[k] * perS;
  }
  return { xS, pps, bps };
}

/** Per class (TIMELINE_CLASSES order), per bin, the class's share of the bin's packets (0..1);
 *  null in an empty bin (no packets), so that every non-empty bin's shares sum to 1. */
export function classShares(t: TrafficTimeline): (number | null)[][] {
  return TIMELINE_CLASSES.map((_, c) => {
    const col = t.classPackets[c];
    const out: (number | null)[] = new Array(t.bins);
    for (let k = 0; k < t.bins; k++) {
      let total = 0;
      for (let j = 0; j < TIMELINE_CLASSES.length; j++) total += t.classPackets[j]?.[k] ?? 0;
      out[k] = total > 0 ? (col?.[k] ?? 0) / total : null;
    }
    return out;
  });
}

/** Shares stacked for drawing: row c = the sum of classes 0..c (cumulative), null in empty bins. */
export function stackShares(shares: (number | null)[][]): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let c = 0; c < shares.length; c++) {
    out.push(shares[c].map((v, k) => (v === null ? null : v + (c ? (out[c - 1][k] ?? 0) : 0))));
  }
  return out;
}

/** Packets and bytes per class over the bins [lo, hi) of the timeline. */
export function classTotals(t: TrafficTimeline, range: TimeRange): { name: string; packets: number; bytes: number }[] {
  const [lo, hi] = binsInRange(t, range);
  return TIMELINE_CLASSES.map((name, c) => {
    let packets = 0;
    let bytes = 0;
    for (let k = lo; k < hi; k++) {
      packets += t.classPackets[c]?.[k] ?? 0;
      bytes += t.classBytes[c]?.[k] ?? 0;
    }
    return { name, packets, bytes };
  });
}

/** Packets and bytes per class from the flows `idx` (class of the flow's IP protocol). */
export function classTotalsOfFlows(c: ConnColumns, idx: ArrayLike<number>): { name: string; flows: number; packets: number; bytes: number }[] {
  const rows = TIMELINE_CLASSES.map((name) => ({ name: name as string, flows: 0, packets: 0, bytes: 0 }));
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const row = rows[classOf(c.proto[i])];
    row.flows++;
    row.packets += c.pktsOrig[i] + c.pktsResp[i];
    row.bytes += c.bytesOrig[i] + c.bytesResp[i];
  }
  return rows;
}

/** A service: IP protocol and responder port (ICMP: the port field is the type counterpart). */
export interface ServiceRow {
  proto: number;
  port: number;
  label: string;
  flows: number;
  packets: number;
  bytes: number;
}

/** Services (protocol, responder port) of the flows `idx` by flows, most first (ties: bytes,
 *  then label); the top `n`. Labels as the UNUSUAL list writes them: "tcp/443", "icmp", "proto/47". */
export function topServices(c: ConnColumns, idx: ArrayLike<number>, n: number): ServiceRow[] {
  const by = new Map<number, ServiceRow>();
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const p = c.proto[i];
    const port = p === 6 || p === 17 ? c.respPort[i] : 0;
    const key = p * 65536 + port;
    let row = by.get(key);
    if (!row) {
      const label = p === 6 ? `tcp/${port}` : p === 17 ? `udp/${port}` : p === 1 ? 'icmp' : p === 58 ? 'icmp6' : `proto/${p}`;
      by.set(key, (row = { proto: p, port, label, flows: 0, packets: 0, bytes: 0 }));
    }
    row.flows++;
    row.packets += c.pktsOrig[i] + c.pktsResp[i];
    row.bytes += c.bytesOrig[i] + c.bytesResp[i];
  }
  return [...by.values()].sort((x, y) => y.flows - x.flows || y.bytes - x.bytes || (x.label < y.label ? -1 : 1)).slice(0, n);
}

/** One cell of the alerts matrix: kept alerts of a detector at a severity. */
export interface AlertMatrix {
  detectors: string[];
  /** Column names: 'high', 'medium', 'low' (and 'critical' first when PROFILE has any). */
  severities: string[];
  /** counts[d][s]. */
  counts: number[][];
  total: number;
}

/** Kept alerts by detector × severity (PROFILE's CRITICAL level is its own column when present);
 *  detectors without alerts are left out, in detector id order. */
export function alertMatrix(r: AnalysisResult): AlertMatrix {
  const a = r.alerts;
  const by = new Map<number, number[]>(); // [critical, high, medium, low]
  for (let i = 0; i < a.count; i++) {
    const d = a.detector[i];
    let row = by.get(d);
    if (!row) by.set(d, (row = [0, 0, 0, 0]));
    const s = a.severity[i];
    if (d === abi.DET_PROFILE && a.variant[i] === PROFILE_CRITICAL) row[0]++;
    else if (s === abi.SEV_HIGH) row[1]++;
    else if (s === abi.SEV_MEDIUM) row[2]++;
    else row[3]++;
  }
  const ids = [...by.keys()].sort((x, y) => x - y);
  const critical = ids.some((d) => by.get(d)![0] > 0);
  const cols = critical ? [0, 1, 2, 3] : [1, 2, 3];
  const all = ['critical', 'high', 'medium', 'low'];
  return {
    detectors: ids.map((d) => detectorName(d)),
    severities: cols.map((k) => all[k]),
    counts: ids.map((d) => cols.map((k) => by.get(d)![k])),
    total: a.count,
  };
}

/** Skipped records by reason, readable names, in a fixed order (zero reasons included). */
export function skippedReasons(r: AnalysisResult): { key: string; label: string; count: number }[] {
  const s = r.summary.skipped;
  return [
    { key: 'truncated', label: 'truncated record', count: s.truncated },
    { key: 'unsupportedLink', label: 'unsupported link type', count: s.unsupportedLink },
    { key: 'notIp', label: 'not IP (ARP, STP, ...)', count: s.notIp },
    { key: 'badHeader', label: 'bad IP/transport header', count: s.badHeader },
    { key: 'badRow', label: 'bad CSV/JSON row', count: s.badRow },
  ];
}

/** Average rates over capture time: packets and wire bytes divided by (last − first packet time);
 *  NaN when the span is 0 or unknown. */
export function captureRates(r: AnalysisResult): { spanUs: number; packetsPerS: number; bytesPerS: number } {
  const s = r.summary;
  const spanUs = s.tsLastUs - s.tsFirstUs;
  const ok = Number.isFinite(spanUs) && spanUs > 0;
  return { spanUs: Number.isFinite(spanUs) ? spanUs : NaN, packetsPerS: ok ? s.packetsDecoded / (spanUs / 1e6) : NaN, bytesPerS: ok ? s.bytesDecoded / (spanUs / 1e6) : NaN };
}

/**
 * Parses a UTC time as typed into the range inputs: ISO 8601 "2009-01-04T05:15:57.858123Z" (the
 * Z may be left out: the time is UTC anyway; a space may stand for the T; up to 6 fraction digits,
 * kept exactly). µs since the epoch, or null when it is not such a time.
 */
export function parseUtcUs(text: string): number | null {
  const m = /^\s*(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*Z?\s*$/i.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${m[4] ?? '00'}Z`);
  if (!Number.isFinite(ms)) return null;
  const frac = m[5] ? Number(m[5].padEnd(6, '0')) : 0;
  return ms * 1000 + frac;
}

/** How many flows' [firstUs, lastUs] fall at least partly in `range`, for the range note; also
 *  the sum of their bytes. */
export function flowTotals(c: ConnColumns, idx: ArrayLike<number>): { flows: number; packets: number; bytes: number } {
  let packets = 0;
  let bytes = 0;
  for (let k = 0; k < idx.length; k++) {
    packets += c.pktsOrig[idx[k]] + c.pktsResp[idx[k]];
    bytes += c.bytesOrig[idx[k]] + c.bytesResp[idx[k]];
  }
  return { flows: idx.length, packets, bytes };
}

/** Tick labels of a UTC time axis (epoch seconds): the time of day to the millisecond when the
 *  visible span is under 10 s, to the second under a day, else date and minute; the first tick
 *  also carries the date when the span is under a day. */
export function utcTicks(ticksS: number[], spanS: number): string[] {
  return ticksS.map((t, k) => {
    const iso = formatUtcUs(t * 1e6); // 2009-01-03T18:58:35.000000Z
    if (!Number.isFinite(t) || iso === '\u2014') return '';
    const T = iso.indexOf('T');
    const day = iso.slice(0, T);
    const time = spanS < 10 ? iso.slice(T + 1, T + 13) : spanS < 86400 ? iso.slice(T + 1, T + 9) : iso.slice(T + 1, T + 6);
    if (spanS >= 86400) return `${day} ${time}`;
    return k === 0 ? `${time}\n${day}` : time;
  });
}
