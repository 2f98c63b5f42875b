// Row semantics shared by the CSV, JSON and JSON Lines readers (src/io/rows.ts): which column means
// what (case-insensitive aliases), how each value is validated and converted, and the packer that
// writes valid rows as REC_* records into batches and describes invalid ones (the packet-line
// reader, ./packet-lines.ts, validates its fixed fields itself and packs through addPacked()). It never evaluates
// input: every value is data, converted only by the explicit parsers below.
import type { AnalysisError } from '../shared/protocol';
import {
  REC_DPORT, REC_DST, REC_INDEX, REC_PROTO, REC_PROTO_LABEL, REC_SPORT, REC_SRC, REC_STRIDE,
  REC_TCP_FLAGS, REC_TS_US, REC_VLAN, REC_WIRE_LEN,
} from '../shared/abi';
import type { NameTable } from './names';

/** Field ids, the index into a ColumnMap. */
export const F_TS = 0, F_SRC = 1, F_DST = 2, F_SIZE = 3, F_PROTO = 4, F_FLAGS = 5, F_SPORT = 6, F_DPORT = 7, F_VLAN = 8;
const FIELD_COUNT = 9;
/** Field names as used in messages. */
export const FIELD_LABELS = ['timestamp', 'source', 'destination', 'size', 'protocol', 'flags', 'source port', 'destination port', 'vlan'];
/** Fields without which a row cannot become a record. */
export const REQUIRED_FIELDS = [F_TS, F_SRC, F_DST, F_SIZE];

/**
 * Column aliases per field, in priority order (the first alias present in the header wins).
 * Matching ignores case, spaces, '_', '.' and '-', so "Src IP", "src_ip" and "srcip" are one name.
 * Size: packet-size columns first; flow CSVs have none, so the size of a flow row falls back to the
 * bytes the source sent in the flow (CICFlowMeter "Total Length of Fwd Packet(s)"/"TotLen Fwd
 * Pkts", Zeek "orig_ip_bytes"/"orig_bytes", UNSW-NB15 "sbytes", KDD "src_bytes"). The channel is
 * src → dst, so a flow's forward bytes are what that channel carried; z-scores then compare flow
 * volumes of a channel rather than single packets.
 */
export const FIELD_ALIASES: readonly (readonly string[])[] = [
  ['timestamp', 'ts', 'time', 'frame.time_epoch', 'stime'],
  ['source_node', 'src', 'source', 'src_ip', 'source_ip', 'id.orig_h', 'saddr', 'Src IP', 'ip.src', 'srcaddr'],
  ['destination_node', 'dst', 'destination', 'dst_ip', 'destination_ip', 'id.resp_h', 'daddr', 'Dst IP', 'ip.dst', 'dstaddr'],
  ['packet_size', 'size', 'length', 'len', 'bytes', 'frame.len', 'Packet Length',
    'Total Length of Fwd Packet', 'Total Length of Fwd Packets', 'TotLen Fwd Pkts', 'orig_ip_bytes', 'orig_bytes', 'sbytes', 'src_bytes'],
  ['protocol', 'proto', '_ws.col.Protocol', 'ip.proto'],
  ['flags', 'tcp_flags', 'tcp.flags'],
  ['src_port', 'sport', 'Src Port', 'id.orig_p', 'source_port', 'srcport'],
  ['dst_port', 'dport', 'Dst Port', 'id.resp_p', 'destination_port', 'dstport'],
  ['vlan', 'vlan_id', 'vlan.id'],
];

/** Column index per field (-1 when the field has no column). */
export type ColumnMap = Int32Array;

/** Fills `out[field]` from a row's cells (an array, or an object with `keys`) through `map`.
 *  Reusing one `out` array per reader avoids an allocation per row. */
export function fieldValues(map: ColumnMap, cells: readonly unknown[] | Record<string, unknown>, keys: readonly string[] | null, out: unknown[]): unknown[] {
  for (let f = 0; f < FIELD_COUNT; f++) {
    const i = map[f];
    out[f] = i < 0 ? undefined : keys === null ? (cells as readonly unknown[])[i] : (cells as Record<string, unknown>)[keys[i]];
  }
  return out;
}

/** Lower-cases and drops spaces, '_', '.', '-' (see FIELD_ALIASES). */
export function normalizeColumn(name: string): string {
  return name.replace(/^\uFEFF/, '').toLowerCase().replace(/[\s_.\-]+/g, '');
}

const ALIAS_RANK: Map<string, { field: number; rank: number }> = new Map();
FIELD_ALIASES.forEach((aliases, field) =>
  aliases.forEach((a, rank) => {
    const k = normalizeColumn(a);
    if (!ALIAS_RANK.has(k)) ALIAS_RANK.set(k, { field, rank });
  }),
);

/** Maps column names (a CSV header or an object's keys) to fields; the best-ranked alias wins. */
export function resolveColumns(keys: readonly string[]): ColumnMap {
  const map = new Int32Array(FIELD_COUNT).fill(-1);
  const rank = new Int32Array(FIELD_COUNT).fill(1 << 30);
  for (let i = 0; i < keys.length; i++) {
    const hit = ALIAS_RANK.get(normalizeColumn(keys[i]));
    if (hit && hit.rank < rank[hit.field]) {
      rank[hit.field] = hit.rank;
      map[hit.field] = i;
    }
  }
  return map;
}

/** "source column; expected one of source_node, src, ..." for a required field that is absent. */
export function missingFieldText(field: number): string {
  return `${FIELD_LABELS[field]} column; expected one of ${FIELD_ALIASES[field].map((a) => (/[\s]/.test(a) ? `"${a}"` : a)).join(', ')}`;
}

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/;

function isAbsent(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v !== 'string') return false;
  const c = v.charCodeAt(0);
  if (c > 0x2d && c !== 0xa0 && c < 0x2000) return false; // cannot be blank or "-"
  const t = v.trim();
  return t === '' || t === '-';
}

function isScalar(v: unknown): v is string | number {
  return typeof v === 'string' || typeof v === 'number';
}

/** A number, a decimal string, or NaN. */
function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = v.trim();
    return NUMERIC.test(s) ? Number(s) : NaN;
  }
  return NaN;
}

/**
 * Timestamp → µs since the Unix epoch, or NaN.
 * Numbers (and numeric strings) are seconds, fractions allowed; by magnitude, |v| > 1e17 is
 * nanoseconds, > 1e14 microseconds and > 1e11 milliseconds (1e11 s is the year 5138, so no real
 * seconds value is that large, and 1e11 ms is 1973). Strings: ISO-8601 / RFC 3339 date-times
 * ("2017-07-07 12:59:00.123456", "...T...Z", "+02:00"), microseconds kept; without a zone they are
 * read as UTC (CICIDS2017 timestamps carry none). Other strings go to Date.parse (e.g. RFC 2822),
 * whose zone-less forms are engine-defined local time.
 */
export function parseTimestampUs(v: unknown): number {
  const n = toNumber(v);
  if (!Number.isNaN(n)) {
    if (!Number.isFinite(n)) return NaN;
    const a = Math.abs(n);
    if (a > 1e17) return Math.round(n / 1e3);
    if (a > 1e14) return Math.round(n);
    if (a > 1e11) return Math.round(n * 1e3);
    return Math.round(n * 1e6);
  }
  if (typeof v !== 'string') return NaN;
  const s = v.trim();
  const m = ISO.exec(s);
  if (m) {
    const [y, mo, d, h = '0', mi = '0', sec = '0'] = [m[1], m[2], m[3], m[4], m[5], m[6]];
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec);
    const check = new Date(ms);
    if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +sec > 60) return NaN;
    const frac = m[7] ? Math.round(Number('0.' + m[7]) * 1e6) : 0;
    let offMin = 0;
    const z = m[8];
    if (z && z !== 'Z' && z !== 'z' && z !== 'UTC') {
      const digits = z.replace(':', '');
      offMin = (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || '0')) * (digits[0] === '-' ? -1 : 1);
    }
    return ms * 1000 + frac - offMin * 60_000_000;
  }
  if (s === '') return NaN;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? NaN : ms * 1000;
}

/** TCP flag letters: tcpdump ("S", "S.", "FP.") and Wireshark/nfdump ("SA", "···AP···") styles. */
const FLAG_BITS: Record<string, number> = { f: 1, s: 2, r: 4, p: 8, a: 16, '.': 16, u: 32, e: 64, c: 128, w: 128 };

/** Flags value → byte, or -1 when invalid. Numbers and numeric or 0x-hex strings are masked to 8
 *  bits; letter strings are OR-ed from FLAG_BITS (placeholders '·', '*', '-' and spaces ignored). */
export function parseFlags(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) & 0xff : -1;
  if (typeof v !== 'string') return -1;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return parseInt(s.slice(2), 16) & 0xff;
  const n = toNumber(s);
  if (!Number.isNaN(n)) return Number.isFinite(n) ? Math.trunc(n) & 0xff : -1;
  let bits = 0;
  for (const ch of s.toLowerCase()) {
    if (ch === '·' || ch === '*' || ch === '-' || ch === ' ') continue;
    const b = FLAG_BITS[ch];
    if (b === undefined) return -1;
    bits |= b;
  }
  return bits;
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return JSON.stringify(s.length > 60 ? s.slice(0, 57) + '...' : s);
}

/** Non-negative integer ≤ max, or an error text. */
function uint(v: unknown, what: string, max: number): number | string {
  const n = toNumber(v);
  if (Number.isNaN(n)) return `${what} ${show(v)} is not a number`;
  if (n < 0) return `${what} ${show(v)} is negative`;
  if (!Number.isInteger(n)) return `${what} ${show(v)} is not a whole number`;
  if (n > max) return `${what} ${show(v)} is larger than ${max}`;
  return n;
}

/** A batch of packed records: `records` holds `count` × REC_STRIDE bytes; `rows[i]` is the
 *  original row of record i as parsed (CSV: strings by header name; JSON: the object). The batch
 *  is the consumer's to keep (fresh buffers each time). CSV strings may share memory with the
 *  decoded chunk they came from: keep a row beyond the batch through detachRow(). */
export interface RowBatch {
  records: Uint8Array;
  count: number;
  rows: Record<string, unknown>[];
}

/** A shallow copy of `row` whose strings no longer share memory with the chunk text they were
 *  cut from (V8 keeps the parent of a 13+ character substring alive). Use it for the few rows you
 *  keep (e.g. those of alerts) so memory stays bounded by them, not by the file. */
export function detachRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row)) {
    const v = row[k];
    Object.defineProperty(out, k, { value: typeof v === 'string' ? (' ' + v).slice(1) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Problems kept in a RowReport (the rest are only counted). */
export const MAX_PROBLEMS = 100;

/**
 * Packs rows into REC_* records and collects batches. Parsers call add() synchronously; the reader
 * awaits drain() between input chunks so onBatch() can apply back-pressure.
 */
export class RecordPacker {
  rowsRead = 0;
  rowsSkipped = 0;
  readonly problems: AnalysisError[] = [];
  private readonly ready: RowBatch[] = [];
  private buf: Uint8Array;
  private view: DataView;
  private rows: Record<string, unknown>[] = [];
  private count = 0;

  constructor(private readonly names: NameTable, private readonly batchRows: number) {
    this.buf = new Uint8Array(batchRows * REC_STRIDE);
    this.view = new DataView(this.buf.buffer);
  }

  /** Records a problem (kept if fewer than MAX_PROBLEMS so far). */
  problem(code: string, message: string, line?: number): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(line === undefined ? { code, message } : { code, message, line });
  }

  /** A row that cannot be read at all (not an object, bad JSON line): consumes a row index. */
  skip(message: string, line: number): void {
    this.rowsRead++;
    this.rowsSkipped++;
    this.problem('bad-row', `line ${line}: ${message}`, line);
  }

  /**
   * Converts one row. `values[field]` is the raw value of each field's column (undefined when
   * absent; see fieldValues()). Valid rows are packed with REC_INDEX = their 0-based row index;
   * invalid ones are counted and described. Returns true when the row was packed.
   */
  add(values: readonly unknown[], original: Record<string, unknown>, line: number): boolean {
    const index = this.rowsRead++;
    const err = this.pack(values, index);
    if (err !== null) {
      this.rowsSkipped++;
      this.problem('bad-row', `line ${line}: ${err}`, line);
      return false;
    }
    this.rows.push(original);
    if (++this.count === this.batchRows) this.cut();
    return true;
  }

  /** Moves the partly filled batch to the ready list (end of input). */
  finish(): void {
    if (this.count > 0) this.cut();
  }

  /** Hands every ready batch to onBatch, in order, awaiting each. */
  async drain(onBatch: (b: RowBatch) => void | Promise<void>): Promise<void> {
    while (this.ready.length > 0) await onBatch(this.ready.shift()!);
  }

  private cut(): void {
    this.ready.push({ records: this.buf.subarray(0, this.count * REC_STRIDE), count: this.count, rows: this.rows });
    this.buf = new Uint8Array(this.batchRows * REC_STRIDE);
    this.view = new DataView(this.buf.buffer);
    this.rows = [];
    this.count = 0;
  }

  /** Writes record `count` of the current batch, or returns why the row is invalid. */
  private pack(values: readonly unknown[], index: number): string | null {
    const rawTs = values[F_TS], rawSrc = values[F_SRC], rawDst = values[F_DST], rawSize = values[F_SIZE];
    if (isAbsent(rawTs)) return 'missing timestamp';
    if (isAbsent(rawSrc)) return 'missing source';
    if (isAbsent(rawDst)) return 'missing destination';
    if (isAbsent(rawSize)) return 'missing size';
    if (!isScalar(rawSrc)) return `source ${show(rawSrc)} is not a name or address`;
    if (!isScalar(rawDst)) return `destination ${show(rawDst)} is not a name or address`;
    const ts = parseTimestampUs(rawTs);
    if (Number.isNaN(ts) || Math.abs(ts) > 8.64e18) return `timestamp ${show(rawTs)} is not a number of seconds or an ISO-8601 date`;
    const size = uint(rawSize, 'size', 0xffffffff);
    if (typeof size === 'string') return size;
    let sport = 0, dport = 0, vlan = 0, flags = 0;
    const rawSport = values[F_SPORT], rawDport = values[F_DPORT], rawVlan = values[F_VLAN], rawFlags = values[F_FLAGS], rawProto = values[F_PROTO];
    if (!isAbsent(rawSport)) {
      const p = uint(rawSport, 'source port', 0xffff);
      if (typeof p === 'string') return p;
      sport = p;
    }
    if (!isAbsent(rawDport)) {
      const p = uint(rawDport, 'destination port', 0xffff);
      if (typeof p === 'string') return p;
      dport = p;
    }
    if (!isAbsent(rawVlan)) {
      const p = uint(rawVlan, 'vlan', 0xffffffff);
      if (typeof p === 'string') return p;
      vlan = p;
    }
    if (!isAbsent(rawFlags)) {
      flags = parseFlags(rawFlags);
      if (flags < 0) return `flags ${show(rawFlags)} are neither a number nor TCP flag letters (FSRPAUEC)`;
    }
    let label = 0, proto = 0;
    if (!isAbsent(rawProto)) {
      if (typeof rawProto !== 'string' && typeof rawProto !== 'number') return `protocol ${show(rawProto)} is not a name or number`;
      ({ label, proto } = this.names.protoLabel(rawProto));
    }
    this.write(ts, String(rawSrc), String(rawDst), sport, dport, proto, flags, label, size, index, vlan);
    return null;
  }

  /**
   * Packs one row whose fields a format reader already validated and converted (the packet-line
   * reader, ./packet-lines.ts): `f` in record units (µs, IP protocol number and label, TCP flags
   * byte, bytes). REC_INDEX = the next row index, like add(). Returns that index.
   */
  addPacked(f: PackedFields, original: Record<string, unknown>): number {
    const index = this.rowsRead++;
    this.write(f.tsUs, f.src, f.dst, f.sport, f.dport, f.proto, f.flags, f.label, f.size, index, 0);
    this.rows.push(original);
    if (++this.count === this.batchRows) this.cut();
    return index;
  }

  /** Writes record `count` of the current batch (every value already validated). */
  private write(
    ts: number, src: string, dst: string, sport: number, dport: number, proto: number, flags: number,
    label: number, size: number, index: number, vlan: number,
  ): void {
    const base = this.count * REC_STRIDE;
    const buf = this.buf, view = this.view;
    buf.fill(0, base, base + REC_STRIDE);
    const hi = Math.floor(ts / 4294967296);
    view.setUint32(base + REC_TS_US, ts - hi * 4294967296, true);
    view.setInt32(base + REC_TS_US + 4, hi, true);
    this.names.address(src, buf, base + REC_SRC);
    this.names.address(dst, buf, base + REC_DST);
    view.setUint16(base + REC_SPORT, sport, true);
    view.setUint16(base + REC_DPORT, dport, true);
    buf[base + REC_PROTO] = proto;
    buf[base + REC_TCP_FLAGS] = flags;
    view.setUint16(base + REC_PROTO_LABEL, label, true);
    view.setUint32(base + REC_WIRE_LEN, size, true);
    view.setUint32(base + REC_INDEX, index >>> 0, true);
    view.setUint32(base + REC_VLAN, vlan, true);
  }
}

/** One row already converted to record units, for RecordPacker.addPacked(). */
export interface PackedFields {
  /** Microseconds since the Unix epoch (a safe integer). */
  tsUs: number;
  /** Address or node name text (NameTable.address()). */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IP protocol number (REC_PROTO) and channel label (REC_PROTO_LABEL). */
  proto: number;
  label: number;
  /** TCP flags byte. */
  flags: number;
  /** Wire length, bytes. */
  size: number;
}
