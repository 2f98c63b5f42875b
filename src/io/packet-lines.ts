// The headerless packet-line format of issue #3 (protocol.ts InputFormat 'lines'), one packet per
// line:  timestamp_ms,src,dst,sport,dport,proto,size,flags
//   e.g. 1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN
// Reading (LinesSink, a readRows() sink: bytes in, REC_* records out through the RecordPacker),
// writing (formatPacketLine: a packet back in this format, e.g. from a mark of a pcap) and
// re-reading selected lines by index (forEachDataLine, for `--format reasons`). Memory stays flat
// in the file size: one decoded chunk, one partial line. Never evaluates input.
import type { AnalysisError } from '../shared/protocol';
import type { NameTable } from './names';
import type { RecordPacker } from './row-fields';
import type { Sink } from './json-rows';

/** Field names, in line order; also the keys of each line's original row (alert `fields`). */
export const PACKET_LINE_FIELDS = ['timestamp_ms', 'src', 'dst', 'sport', 'dport', 'proto', 'size', 'flags'] as const;

/** Longest line accepted, characters; a longer one is skipped as a bad line (still a data line). */
export const MAX_PACKET_LINE_CHARS = 64 * 1024;

/** Largest timestamp, ms, whose µs value is still an exact double (2^53 µs, the year 2255). */
const MAX_TS_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/** TCP flag names and bits (RFC 9293 header order FIN=1 ... CWR=128), in the order
 *  flagsName() writes them: SYN, FIN, RST, PSH, URG, ECE, CWR, then ACK last, so the usual
 *  combinations read as in the issue: SYN-ACK, FIN-ACK, PSH-ACK, RST-ACK. */
export const TCP_FLAG_NAMES: readonly (readonly [string, number])[] = [
  ['SYN', 2], ['FIN', 1], ['RST', 4], ['PSH', 8], ['URG', 32], ['ECE', 64], ['CWR', 128], ['ACK', 16],
];
const FLAG_BY_NAME: ReadonlyMap<string, number> = new Map(TCP_FLAG_NAMES.map(([n, b]) => [n, b]));

/**
 * A flags field → the TCP flags byte, or -1 when invalid. `NONE` (alone) is 0; otherwise flag
 * names from TCP_FLAG_NAMES joined by '-' in any order ("SYN", "SYN-ACK", "ACK-SYN",
 * "FIN-PSH-ACK"), case-insensitive, surrounding spaces ignored. Empty text and empty parts are
 * invalid.
 */
export function parseFlagNames(text: string): number {
  const s = text.trim().toUpperCase();
  if (s === 'NONE') return 0;
  if (s === '') return -1;
  let bits = 0;
  for (const part of s.split('-')) {
    const b = FLAG_BY_NAME.get(part.trim());
    if (b === undefined) return -1;
    bits |= b;
  }
  return bits;
}

/** The TCP flags byte as a flags field: names in TCP_FLAG_NAMES order joined by '-', "NONE" for 0. */
export function flagsName(bits: number): string {
  if ((bits & 0xff) === 0) return 'NONE';
  const out: string[] = [];
  for (const [n, b] of TCP_FLAG_NAMES) if (bits & b) out.push(n);
  return out.join('-');
}

/** IP protocol number → the proto field: TCP, UDP, ICMP, else the number. */
export function protoField(proto: number): string {
  return proto === 6 ? 'TCP' : proto === 17 ? 'UDP' : proto === 1 ? 'ICMP' : String(proto);
}

/** True when `line` looks like a packet line for the sniffer: exactly 8 comma-separated fields,
 *  the first a whole number (the millisecond timestamp; so never a header row). */
export function isPacketLine(line: string): boolean {
  let commas = 0;
  for (let i = 0; i < line.length; i++) if (line.charCodeAt(i) === 0x2c) commas++;
  if (commas !== 7) return false;
  return /^\s*\d{1,16}\s*$/.test(line.slice(0, line.indexOf(',')));
}

/** A packet in record units, for formatPacketLine(). */
export interface PacketLineFields {
  /** µs since the epoch; written as whole milliseconds (floor). */
  tsUs: number;
  /** Address text (IPv4 dotted, IPv6, or a node name). */
  src: string;
  dst: string;
  sport: number;
  dport: number;
  /** IP protocol number. */
  proto: number;
  /** Wire length, bytes. */
  size: number;
  /** TCP flags byte (ignored, written NONE, for protocols other than TCP). */
  flags: number;
}

/** One packet as a packet line (no newline). Sub-millisecond time is cut off: the format has
 *  whole milliseconds. */
export function formatPacketLine(f: PacketLineFields): string {
  const flags = f.proto === 6 ? flagsName(f.flags) : 'NONE';
  return `${Math.floor(f.tsUs / 1000)},${f.src},${f.dst},${f.sport},${f.dport},${protoField(f.proto)},${f.size},${flags}`;
}

/** Result of parsePacketLine(): the converted fields, or why the line is not a packet. */
export type ParsedPacketLine =
  | { ok: true; tsUs: number; src: string; dst: string; sport: number; dport: number; proto: number; label: number; size: number; flags: number }
  | { ok: false; message: string };

const DIGITS = /^\d+$/;

function quote(v: string): string {
  return JSON.stringify(v.length > 60 ? v.slice(0, 57) + '...' : v);
}

/**
 * Parses the 8 fields of one line (already split on ','). Rules: timestamp_ms a whole number of
 * milliseconds ≤ 2^53 / 1000 (→ µs); src and dst non-empty (IPv4, IPv6 or a node name); ports
 * whole numbers 0–65535; proto TCP, UDP, ICMP or another IP protocol keyword the NameTable knows
 * (ICMPv6, GRE, SCTP, ... case-insensitive) or a number 0–255; size a whole number of bytes
 * < 2^32; flags see parseFlagNames(). TCP flags are kept for TCP only (other protocols have none:
 * stored as 0). Fields are trimmed.
 */
export function parsePacketLine(parts: readonly string[], names: NameTable): ParsedPacketLine {
  if (parts.length !== 8) {
    return { ok: false, message: `has ${parts.length} field${parts.length === 1 ? '' : 's'}, expected 8 (${PACKET_LINE_FIELDS.join(',')})` };
  }
  const ts = parts[0].trim();
  if (!DIGITS.test(ts)) return { ok: false, message: `timestamp_ms ${quote(ts)} is not a whole number of milliseconds` };
  const ms = Number(ts);
  if (ms > MAX_TS_MS) return { ok: false, message: `timestamp_ms ${quote(ts)} is larger than ${MAX_TS_MS}` };
  const src = parts[1].trim();
  const dst = parts[2].trim();
  if (src === '') return { ok: false, message: 'missing src' };
  if (dst === '') return { ok: false, message: 'missing dst' };
  const sport = uint(parts[3], 'sport', 0xffff);
  if (typeof sport === 'string') return { ok: false, message: sport };
  const dport = uint(parts[4], 'dport', 0xffff);
  if (typeof dport === 'string') return { ok: false, message: dport };
  const protoText = parts[5].trim();
  let proto: number;
  let label: number;
  if (DIGITS.test(protoText)) {
    proto = Number(protoText);
    if (proto > 255) return { ok: false, message: `proto ${quote(protoText)} is larger than 255` };
    label = proto;
  } else {
    ({ proto, label } = protoText === '' ? { proto: 0, label: 0 } : names.protoLabel(protoText));
    if (label === 0 || label > 255) return { ok: false, message: `proto ${quote(protoText)} is not TCP, UDP, ICMP or an IP protocol number` };
  }
  const size = uint(parts[6], 'size', 0xffffffff);
  if (typeof size === 'string') return { ok: false, message: size };
  const flags = parseFlagNames(parts[7]);
  if (flags < 0) {
    return { ok: false, message: `flags ${quote(parts[7].trim())} are not NONE or names among ${TCP_FLAG_NAMES.map((f) => f[0]).join(', ')} joined by '-'` };
  }
  return { ok: true, tsUs: ms * 1000, src, dst, sport, dport, proto, label, size, flags: proto === 6 ? flags : 0 };
}

function uint(text: string, what: string, max: number): number | string {
  const t = text.trim();
  if (!DIGITS.test(t)) return `${what} ${quote(t)} is not a whole number`;
  const n = Number(t);
  if (n > max) return `${what} ${quote(t)} is larger than ${max}`;
  return n;
}

/**
 * Splits decoded text into lines (LF or CRLF; a CR before the LF is dropped) and reports each one
 * with its 1-based line number, blank lines included. A line longer than MAX_PACKET_LINE_CHARS is
 * reported once as `null` (its text is dropped up to the next LF), so memory stays bounded.
 */
class LineSplitter {
  private readonly decoder = new TextDecoder('utf-8');
  private tail = '';
  private overlong = false;
  private lineNo = 1;

  constructor(private readonly onLine: (line: string | null, lineNo: number) => void) {}

  write(bytes: Uint8Array): void {
    this.push(this.decoder.decode(bytes, { stream: true }));
  }

  end(): void {
    this.push(this.decoder.decode());
    if (this.overlong) this.emit(null);
    else if (this.tail !== '') this.emit(this.tail.endsWith('\r') ? this.tail.slice(0, -1) : this.tail);
    this.tail = '';
  }

  private push(s: string): void {
    let from = 0;
    for (;;) {
      const nl = s.indexOf('\n', from);
      if (nl < 0) break;
      if (this.overlong) {
        this.overlong = false;
        this.emit(null);
      } else {
        const piece = s.slice(from, nl);
        const line = this.tail === '' ? piece : this.tail + piece;
        this.tail = '';
        if (line.length > MAX_PACKET_LINE_CHARS) this.emit(null);
        else this.emit(line.endsWith('\r') ? line.slice(0, -1) : line);
      }
      from = nl + 1;
    }
    if (this.overlong) return;
    const rest = from === 0 ? s : s.slice(from);
    if (this.tail.length + rest.length > MAX_PACKET_LINE_CHARS + 1) {
      this.overlong = true;
      this.tail = '';
    } else if (rest !== '') this.tail = this.tail === '' ? rest : this.tail + rest;
  }

  private emit(line: string | null): void {
    this.onLine(line, this.lineNo++);
  }
}

/** True for a line that is not a data line: empty or only whitespace. */
function isBlank(line: string): boolean {
  return line.trim() === '';
}

/**
 * readRows() sink for packet lines (format 'lines'). Every non-blank line is a data line and
 * consumes one row index (REC_INDEX, 0-based), valid or not, so a mark's record index is the
 * line's index among the non-blank lines (forEachDataLine() counts the same way). Bad lines are
 * skipped and described with their 1-based line number. A UTF-8 BOM is dropped. Never fatal.
 */
export class LinesSink implements Sink {
  fatal: AnalysisError | null = null;
  private readonly splitter: LineSplitter;

  constructor(packer: RecordPacker, names: NameTable) {
    this.splitter = new LineSplitter((line, lineNo) => {
      if (line === null) {
        packer.skip(`longer than ${MAX_PACKET_LINE_CHARS} characters`, lineNo);
        return;
      }
      if (isBlank(line)) return;
      const parts = line.split(',');
      const p = parsePacketLine(parts, names);
      if (!p.ok) {
        packer.skip(p.message, lineNo);
        return;
      }
      const original: Record<string, unknown> = {
        timestamp_ms: parts[0], src: parts[1], dst: parts[2], sport: parts[3], dport: parts[4], proto: parts[5], size: parts[6], flags: parts[7],
      };
      packer.addPacked(p, original);
    });
  }

  write(bytes: Uint8Array): void {
    this.splitter.write(bytes);
  }

  end(): void {
    this.splitter.end();
  }
}

/**
 * Streams `stream` (packet-line text, the same bytes readRows() read) and calls `onLine(index,
 * line)` for every data line (non-blank; index 0-based among them, as REC_INDEX), without the line
 * break; an over-long line is reported as `null`. `onLine` may return false to stop reading (the
 * stream is cancelled). Returns the number of data lines reported. Memory: one chunk and one
 * partial line. `signal` stops at the next chunk.
 */
export async function forEachDataLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (index: number, line: string | null) => void | boolean,
  signal?: AbortSignal,
): Promise<number> {
  let index = 0;
  let stop = false;
  const splitter = new LineSplitter((line) => {
    if (stop || (line !== null && isBlank(line))) return;
    if (onLine(index++, line) === false) stop = true;
  });
  const reader = stream.getReader();
  try {
    for (;;) {
      if (stop || signal?.aborted) {
        await reader.cancel().catch(() => undefined);
        break;
      }
      const r = await reader.read();
      if (r.done) {
        splitter.end();
        break;
      }
      if (r.value.length > 0) splitter.write(r.value);
    }
  } finally {
    reader.releaseLock();
  }
  return index;
}
