// Which alerts the table shows and in what order, the ticked alerts, and the per-detector tallies
// of the summary. Pure (no DOM): works on the AlertColumns of a result, returns index arrays and
// counts. Filters: detector, severity, address or CIDR (either end of the subject), port (either
// port), protocol class, text (explanation + subject), time range (overlap), triage state. The
// rate limiter's suppressed alerts are hidden unless asked for, and always counted.
import * as abi from '../shared/abi';
import { DETECTOR_NAMES, type AnalysisResult } from '../shared/protocol';
import { channelLabel } from './format';
import { alertMessage, shiftSubject } from '../io/alert-rows';
import { parseBlacklistEntry } from '../rules/blacklist';

/** Columns the table sorts by. */
export type SortKey = 'detector' | 'severity' | 'first' | 'last' | 'subject' | 'score' | 'triage';

/** Protocol classes of the protocol filter (the subject's IP protocol; anything else is 'other'). */
export const PROTOCOL_CLASSES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other'] as const;
export type ProtocolClass = (typeof PROTOCOL_CLASSES)[number];

/** Triage states of an alert (stored elsewhere: the table reads them through a TriageLookup). */
export const TRIAGE_STATES = ['new', 'confirmed', 'false-positive'] as const;
export type TriageState = (typeof TRIAGE_STATES)[number];
/** The triage state of alert index i. */
export type TriageLookup = (alert: number) => TriageState;

/**
 * What the table shows. `detector`/`severity` 0 = all; `text` matches the explanation and the
 * subject (case-insensitive substring); `address` an address ("10.0.0.1", "2001:db8::1"), a CIDR
 * block ("10.0.0.0/8") or a node name (CSV input), matched against either end of the subject
 * ('' = any); `port` either port of the subject (null = any); `protocol` the subject's protocol
 * class ('' = any); `fromUs`/`toUs` a time range in µs (null = open end): an alert matches when
 * [tsUs, lastUs] overlaps it; `triage` a triage state ('' = any; ignored without a lookup).
 */
export interface AlertQuery {
  detector: number;
  severity: number;
  showSuppressed: boolean;
  text: string;
  address: string;
  port: number | null;
  protocol: ProtocolClass | '';
  fromUs: number | null;
  toUs: number | null;
  triage: TriageState | '';
}

export const ALL_ALERTS: AlertQuery = {
  detector: 0, severity: 0, showSuppressed: false, text: '', address: '', port: null, protocol: '', fromUs: null, toUs: null, triage: '',
};

/** The display name of detector id `d` ("PORTSCAN"), "detector N" for an unknown id. */
export function detectorName(d: number): string {
  return DETECTOR_NAMES[d] || `detector ${d}`;
}

/** The variant's name for the table ("distinct ports", "SYN scan", "address scan", "spread", ...),
 *  or '' for a detector's only form. */
export function variantName(detector: number, variant: number): string {
  if (detector === abi.DET_PORTSCAN) {
    if (variant === abi.PORTSCAN_SYN) return 'SYN scan';
    if (variant === abi.PORTSCAN_HOSTS) return 'address scan';
    return 'ports';
  }
  if (detector === abi.DET_SYNFLOOD) {
    return variant === abi.SYNFLOOD_SPREAD ? 'spread' : variant === abi.SYNFLOOD_SLOW ? 'low and slow' : 'one victim';
  }
  if (detector === abi.DET_BLACKLIST) {
    const src = (variant & abi.BLACKLIST_MATCH_SRC) !== 0;
    const dst = (variant & abi.BLACKLIST_MATCH_DST) !== 0;
    return src && dst ? 'both ends' : src ? 'source' : dst ? 'destination' : '';
  }
  if (detector === abi.DET_LATENCY) {
    return variant === abi.LATENCY_CLIENT ? 'client side' : variant === abi.LATENCY_RESPONSE ? 'response' : 'server side';
  }
  if (detector === abi.DET_LONGCONN) return variant === abi.LONGCONN_IDLE ? 'idle' : variant === abi.LONGCONN_LADDER ? 'ladder' : 'service mean';
  if (detector === abi.DET_SPIKE) return variant === abi.SPIKE_DST ? 'one destination' : 'all traffic';
  if (detector === abi.DET_PROTOSHIFT) return variant === abi.PROTOSHIFT_SERVICE ? 'service' : 'protocol';
  return '';
}

/** Channel labels of a result by channel index ("src → dst · proto"). */
export function channelLabels(r: AnalysisResult): string[] {
  return r.channels.map((c) => channelLabel(c.src, c.dst, c.proto));
}

/** True for the judgements of the whole traffic, which name no host pair (PROTOSHIFT, SPIKE all
 *  traffic): the address, port and protocol filters never match them. */
function wholeTraffic(r: AnalysisResult, i: number): boolean {
  const d = r.alerts.detector[i];
  return d === abi.DET_PROTOSHIFT || (d === abi.DET_SPIKE && r.alerts.variant[i] === abi.SPIKE_GLOBAL);
}

/** The subject of alert i: its channel label plus " (sport → dport)" when it has ports. */
export function subjectLabel(r: AnalysisResult, i: number, labels: readonly string[] = channelLabels(r)): string {
  const a = r.alerts;
  // Judgements of the whole traffic name no host pair: a protocol shift names its class or
  // service, a global spike all traffic.
  if (a.detector[i] === abi.DET_PROTOSHIFT) return `all traffic \u00b7 ${shiftSubject(a.variant[i], a.aux[i])}`;
  if (a.detector[i] === abi.DET_SPIKE && a.variant[i] === abi.SPIKE_GLOBAL) return 'all traffic';
  const ch = a.channel[i];
  const base = labels[ch] ?? `channel ${ch}`;
  return a.sport[i] || a.dport[i] ? `${base} (${a.sport[i]} \u2192 ${a.dport[i]})` : base;
}

/** The protocol class of a channel's protocol name (names.formatProto spelling: "TCP", "UDP",
 *  "ICMP", "ICMPv6"; anything else, including "unknown" and CSV names like "HTTP", is 'other'). */
export function protocolClass(proto: string): ProtocolClass {
  return proto === 'TCP' || proto === 'UDP' || proto === 'ICMP' || proto === 'ICMPv6' ? proto : 'other';
}

/** A parsed address filter: an inclusive 128-bit range (IPv4 as IPv4-mapped, like the core and
 *  the blacklist), or a node name (lower case) for non-IP input. */
export type AddressMatcher = { first: bigint; last: bigint } | { name: string };

/**
 * Parses the address filter's text: an IPv4/IPv6 address or CIDR block (parseBlacklistEntry's
 * forms, ipaddr.js), or a node name (CSV input: any text without '/' that does not look like an
 * address). Returns null for '' (no filter) and an error message for text that looks like an
 * address but is not one ("10.0.0", "10.0.0.0/33").
 */
export function parseAddressFilter(text: string): AddressMatcher | null | string {
  const t = text.trim();
  if (t === '') return null;
  const looksIp = t.includes('/') || t.includes(':') || /^[\d.]+$/.test(t);
  const r = parseBlacklistEntry(t);
  if (typeof r !== 'string') return r;
  return looksIp ? r : { name: t.toLowerCase() };
}

/** The 16 bytes (big-endian, IPv4 as IPv4-mapped) of an address text, or null (a node name, ''). */
function addressBytes(text: string): Uint8Array | null {
  if (text === '' || text.includes('/')) return null;
  const r = parseBlacklistEntry(text);
  return typeof r === 'string' ? null : bigBytes(r.first);
}

function bigBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(16);
  for (let k = 15; k >= 0; k--) {
    out[k] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** True when the 16 bytes at `at` hold an address: not all zero (hand-built results, whole
 *  traffic) and not a node-name id (names.ts: NODE_PREFIX_BYTE0, then zeros, then the id). */
function isAddress(b: Uint8Array, at: number): boolean {
  let zero = true;
  for (let k = 1; k < 12; k++) if (b[at + k] !== 0) zero = false;
  if (zero && b[at] === abi.NODE_PREFIX_BYTE0) return false;
  if (zero && b[at] === 0 && b[at + 12] === 0 && b[at + 13] === 0 && b[at + 14] === 0 && b[at + 15] === 0) return false;
  return true;
}

/** Lexicographic comparison of 16 bytes at `at` with `x`. */
function cmp16(b: Uint8Array, at: number, x: Uint8Array): number {
  for (let k = 0; k < 16; k++) {
    const d = b[at + k] - x[k];
    if (d) return d;
  }
  return 0;
}

/**
 * Per-result caches the filter and sort need (built lazily, once per result): channel labels,
 * lower-cased "explanation subject" texts, channel address values, protocol classes and the
 * subject sort rank. Build one per result with alertIndex(r) and pass it to selectAlerts.
 */
export class AlertIndex {
  readonly labels: string[];
  private haystacks: string[] | null = null;
  /** Per channel: source and destination address bytes (32 bytes) and which of them are
   *  addresses (bit 0 source, bit 1 destination). */
  private ends: { bytes: Uint8Array; kind: Uint8Array } | null = null;
  private byTime: Uint32Array | null = null;
  private timePos: Uint32Array | null = null;
  private protos: Uint8Array | null = null;
  private ranks: Uint32Array | null = null;

  constructor(readonly result: AnalysisResult, labels?: string[]) {
    this.labels = labels ?? channelLabels(result);
  }

  /** Lower-cased "explanation \n subject" of alert i (the text filter's haystack). */
  haystack(i: number): string {
    if (!this.haystacks) {
      const r = this.result;
      const h: string[] = new Array(r.alerts.count);
      for (let k = 0; k < r.alerts.count; k++) h[k] = `${alertMessage(r, k)}\n${subjectLabel(r, k, this.labels)}`.toLowerCase();
      this.haystacks = h;
    }
    return this.haystacks[i];
  }

  /** Channels whose source or destination matches `m` (1) or not (0). Addresses come from the
   *  channel keys (no parsing); a key without one falls back to the channel's text. */
  channelMatches(m: AddressMatcher): Uint8Array {
    const ch = this.result.channels;
    const out = new Uint8Array(ch.length);
    if ('name' in m) {
      for (let c = 0; c < ch.length; c++) out[c] = ch[c].src.toLowerCase() === m.name || ch[c].dst.toLowerCase() === m.name ? 1 : 0;
      return out;
    }
    const { bytes, kind } = this.addressEnds();
    const first = bigBytes(m.first);
    const last = bigBytes(m.last);
    for (let c = 0; c < ch.length; c++) {
      const at = c * 32;
      const s = (kind[c] & 1) !== 0 && cmp16(bytes, at, first) >= 0 && cmp16(bytes, at, last) <= 0;
      const d = !s && (kind[c] & 2) !== 0 && cmp16(bytes, at + 16, first) >= 0 && cmp16(bytes, at + 16, last) <= 0;
      out[c] = s || d ? 1 : 0;
    }
    return out;
  }

  private addressEnds(): { bytes: Uint8Array; kind: Uint8Array } {
    if (this.ends) return this.ends;
    const ch = this.result.channels;
    const bytes = new Uint8Array(ch.length * 32);
    const kind = new Uint8Array(ch.length);
    for (let c = 0; c < ch.length; c++) {
      const key = ch[c].key;
      for (let end = 0; end < 2; end++) {
        if (key && key.length >= 32 && isAddress(key, end * 16)) {
          bytes.set(key.subarray(end * 16, end * 16 + 16), c * 32 + end * 16);
          kind[c] |= 1 << end;
        } else {
          const b = addressBytes(end === 0 ? ch[c].src : ch[c].dst);
          if (b) {
            bytes.set(b, c * 32 + end * 16);
            kind[c] |= 1 << end;
          }
        }
      }
    }
    return (this.ends = { bytes, kind });
  }

  /** Every alert index by first time, then index (the sort's tie order). */
  timeOrder(): Uint32Array {
    if (!this.byTime) {
      const a = this.result.alerts;
      const idx = new Uint32Array(a.count);
      for (let i = 0; i < a.count; i++) idx[i] = i;
      const ts = a.tsUs;
      let ordered = true;
      for (let i = 1; i < a.count && ordered; i++) if (!(ts[i - 1] <= ts[i])) ordered = false;
      if (!ordered) idx.sort((x, y) => ts[x] - ts[y] || x - y);
      this.byTime = idx;
    }
    return this.byTime;
  }

  /** The position of every alert in timeOrder(). */
  timePositions(): Uint32Array {
    if (!this.timePos) {
      const order = this.timeOrder();
      const pos = new Uint32Array(order.length);
      for (let p = 0; p < order.length; p++) pos[order[p]] = p;
      this.timePos = pos;
    }
    return this.timePos;
  }

  /** Index into PROTOCOL_CLASSES of each channel's protocol. */
  channelProtocols(): Uint8Array {
    if (!this.protos) this.protos = Uint8Array.from(this.result.channels, (c) => PROTOCOL_CLASSES.indexOf(protocolClass(c.proto)));
    return this.protos;
  }

  /** Rank of each channel's label in collation order (the subject sort). */
  channelRanks(): Uint32Array {
    if (!this.ranks) {
      const n = this.labels.length;
      const byLabel = Array.from({ length: n }, (_, c) => c);
      const coll = new Intl.Collator(undefined, { numeric: false });
      byLabel.sort((x, y) => coll.compare(this.labels[x], this.labels[y]));
      const ranks = new Uint32Array(n);
      for (let k = 0, rank = 0; k < n; k++) {
        if (k > 0 && this.labels[byLabel[k]] !== this.labels[byLabel[k - 1]]) rank = k;
        ranks[byLabel[k]] = rank;
      }
      this.ranks = ranks;
    }
    return this.ranks;
  }
}

const indexes = new WeakMap<AnalysisResult, AlertIndex>();

/** The AlertIndex of `r` (one per result object, kept while the result lives). */
export function alertIndex(r: AnalysisResult, labels?: string[]): AlertIndex {
  let x = indexes.get(r);
  if (!x) indexes.set(r, (x = new AlertIndex(r, labels)));
  return x;
}

/** What selectAlerts needs besides the query: the result's index and the triage lookup. */
export interface SelectContext {
  index?: AlertIndex;
  triage?: TriageLookup | null;
}

/** A compiled query: one predicate over alert indices (suppression not included). */
function compile(r: AnalysisResult, q: AlertQuery, labels: readonly string[], ctx: SelectContext): ((i: number) => boolean) | string {
  const a = r.alerts;
  const index = ctx.index ?? alertIndex(r, labels as string[]);
  const needle = q.text.trim().toLowerCase();
  const addr = parseAddressFilter(q.address);
  if (typeof addr === 'string') return addr;
  const chanOk = addr ? index.channelMatches(addr) : null;
  const proto = q.protocol ? PROTOCOL_CLASSES.indexOf(q.protocol) : -1;
  const protos = proto >= 0 ? index.channelProtocols() : null;
  const port = q.port;
  const from = q.fromUs ?? -Infinity;
  const to = q.toUs ?? Infinity;
  const timed = q.fromUs !== null || q.toUs !== null;
  const triage = q.triage && ctx.triage ? ctx.triage : null;
  const state = q.triage;
  return (i) => {
    if (q.detector && a.detector[i] !== q.detector) return false;
    if (q.severity && a.severity[i] !== q.severity) return false;
    if (timed && (a.lastUs[i] < from || a.tsUs[i] > to)) return false;
    if ((chanOk || protos || port !== null) && wholeTraffic(r, i)) return false;
    if (chanOk && !chanOk[a.channel[i]]) return false;
    if (protos && protos[a.channel[i]] !== proto) return false;
    if (port !== null && a.sport[i] !== port && a.dport[i] !== port) return false;
    if (triage && triage(i) !== state) return false;
    if (needle && !index.haystack(i).includes(needle)) return false;
    return true;
  };
}

/** The problem with a query's text fields (the address filter), or null when it is valid. */
export function queryProblem(q: AlertQuery): string | null {
  const addr = parseAddressFilter(q.address);
  return typeof addr === 'string' ? addr : null;
}

/**
 * Indexes of the alerts `q` selects, sorted by `key` in direction `dir` (1 ascending, -1
 * descending; score sorts by |score|, NaN lowest; severity by severity then |score|; triage by
 * new < confirmed < false-positive), ties by first time then index (whatever the direction).
 * Suppressed alerts only with q.showSuppressed. `labels` are channelLabels(r). An invalid address
 * filter selects nothing (see queryProblem). O(n) filter over the typed columns, then sortAlerts.
 */
export function selectAlerts(r: AnalysisResult, q: AlertQuery, key: SortKey, dir: 1 | -1, labels: readonly string[], ctx: SelectContext = {}): Uint32Array {
  const a = r.alerts;
  const ok = compile(r, q, labels, ctx);
  if (typeof ok === 'string') return new Uint32Array(0);
  const buf = new Uint32Array(a.count);
  let n = 0;
  for (let i = 0; i < a.count; i++) {
    if (!q.showSuppressed && a.suppressed[i]) continue;
    if (ok(i)) buf[n++] = i;
  }
  const idx = buf.slice(0, n);
  sortAlerts(r, idx, key, dir, labels, ctx);
  return idx;
}

/** |score| for sorting: NaN lowest. */
const absScore = (v: number) => (Number.isNaN(v) ? -Infinity : Math.abs(v));
/** |score| squeezed into [0, 1), monotonic (NaN 0): the severity sort's second key. */
const squash = (v: number) => {
  const s = Math.abs(v);
  return Number.isNaN(s) ? 0 : s === Infinity ? 0.99 : 0.5 + 0.49 * (s / (1 + s));
};
const TWO_32 = 4294967296;

/**
 * Sorts alert indices `idx` in place (see selectAlerts) and returns it. No comparator: one number
 * per alert (the key, negated when descending), its rank among the distinct keys, and the rank
 * packed with the alert's position in first-time order into one float, sorted natively
 * (Float64Array.sort): ~2 native sorts of n numbers instead of n log n comparator calls.
 */
export function sortAlerts(r: AnalysisResult, idx: Uint32Array, key: SortKey, dir: 1 | -1, labels: readonly string[], ctx: SelectContext = {}): Uint32Array {
  const a = r.alerts;
  const n = idx.length;
  if (n < 2) return idx;
  const index = ctx.index ?? alertIndex(r, labels as string[]);
  const keys = new Float64Array(n);
  const ranksOf = key === 'subject' ? index.channelRanks() : null;
  const t = ctx.triage;
  for (let j = 0; j < n; j++) {
    const i = idx[j];
    let k: number;
    switch (key) {
      case 'detector': k = a.detector[i] * 256 + a.variant[i]; break;
      case 'severity': k = a.severity[i] + squash(a.score[i]); break;
      case 'first': k = a.tsUs[i]; break;
      case 'last': k = a.lastUs[i]; break;
      case 'subject': k = ranksOf![a.channel[i]] ?? TWO_32; break;
      case 'triage': k = t ? TRIAGE_STATES.indexOf(t(i)) : 0; break;
      default: k = absScore(a.score[i]);
    }
    if (Number.isNaN(k)) k = -Infinity;
    keys[j] = dir === 1 ? k : -k;
  }
  // Distinct keys, ascending.
  const sorted = keys.slice().sort();
  let m = 0;
  for (let j = 0; j < n; j++) if (j === 0 || sorted[j] !== sorted[m - 1]) sorted[m++] = sorted[j];
  const pos = index.timePositions();
  const packed = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const k = keys[j];
    let lo = 0;
    let hi = m - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < k) lo = mid + 1;
      else hi = mid;
    }
    packed[j] = lo * TWO_32 + pos[idx[j]];
  }
  packed.sort();
  const byTime = index.timeOrder();
  for (let j = 0; j < n; j++) idx[j] = byTime[packed[j] % TWO_32];
  return idx;
}

/** Suppressed alerts that `q` would show with showSuppressed on (the "N suppressed — show" note). */
export function countSuppressed(r: AnalysisResult, q: AlertQuery, labels: readonly string[], ctx: SelectContext = {}): number {
  const a = r.alerts;
  const ok = compile(r, q, labels, ctx);
  if (typeof ok === 'string') return 0;
  let n = 0;
  for (let i = 0; i < a.count; i++) if (a.suppressed[i] && ok(i)) n++;
  return n;
}

/**
 * The ticked alerts ("the selected alerts" of the exports): a bit per alert index and a count.
 * Pure; the table renders it.
 */
export class AlertChecks {
  private bits: Uint8Array;
  private n = 0;

  constructor(count: number) {
    this.bits = new Uint8Array(count);
  }

  get count(): number {
    return this.n;
  }

  has(i: number): boolean {
    return this.bits[i] === 1;
  }

  /** Ticks (on) or unticks alert i; returns whether anything changed. */
  set(i: number, on: boolean): boolean {
    if (i < 0 || i >= this.bits.length || (this.bits[i] === 1) === on) return false;
    this.bits[i] = on ? 1 : 0;
    this.n += on ? 1 : -1;
    return true;
  }

  toggle(i: number): boolean {
    return this.set(i, !this.has(i));
  }

  /** How many of `order` are ticked: 'none', 'some' or 'all' ('none' for an empty order). */
  stateOf(order: Uint32Array): 'none' | 'some' | 'all' {
    let k = 0;
    for (const i of order) k += this.bits[i];
    return k === 0 ? 'none' : k === order.length ? 'all' : 'some';
  }

  /** Ticks (on) or unticks every alert of `order`. */
  setAll(order: Uint32Array, on: boolean): void {
    for (const i of order) this.set(i, on);
  }

  /** Ticked alert indices, ascending. */
  list(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.bits.length; i++) if (this.bits[i]) out.push(i);
    return out;
  }
}

/** PROFILE's variant for the CRITICAL threat level (src/worker/profile.ts: 1 LOW .. 4 CRITICAL). */
export const PROFILE_CRITICAL = 4;

/** Alerts of one detector in a result, by severity, with the suppressed ones. */
export interface DetectorTally {
  detector: number;
  name: string;
  alerts: number;
  suppressed: number;
  low: number;
  medium: number;
  high: number;
  /** PROFILE's CRITICAL threat level (stored as severity HIGH, variant 4), not counted in `high`. */
  critical: number;
}

/** Tallies per detector id of the kept alerts (detectors without alerts are left out), in
 *  detector id order. */
export function tallyAlerts(r: AnalysisResult): DetectorTally[] {
  const a = r.alerts;
  const by = new Map<number, DetectorTally>();
  for (let i = 0; i < a.count; i++) {
    const d = a.detector[i];
    let t = by.get(d);
    if (!t) by.set(d, (t = { detector: d, name: detectorName(d), alerts: 0, suppressed: 0, low: 0, medium: 0, high: 0, critical: 0 }));
    t.alerts++;
    if (a.suppressed[i]) t.suppressed++;
    const s = a.severity[i];
    if (d === abi.DET_PROFILE && a.variant[i] === PROFILE_CRITICAL) t.critical++;
    else if (s === abi.SEV_HIGH) t.high++;
    else if (s === abi.SEV_MEDIUM) t.medium++;
    else t.low++;
  }
  return [...by.values()].sort((x, y) => x.detector - y.detector);
}
