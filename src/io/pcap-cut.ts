// Cuts chosen packet records out of a pcap or pcapng capture into a new capture of the same format,
// record by record: original bytes, original timestamps, nothing re-encoded (issue #5, "the packets
// of the alerts as a new pcap"). Pure (no Node, no DOM): the CLI feeds it a file stream, the worker
// can feed it Blob.stream().
//
// Which records: by 0-based RECORD INDEX, the core's packet numbering (abi.ts ALERT_RECORD_INDEX,
// MARK_RECORD_INDEX): every pcap record, every pcapng packet block (EPB, SPB, OPB) counts, other
// blocks do not. Marks carry only the index (not the byte offset), so the cut walks the record
// framing once, sequentially, and copies the chosen records; it reads only the 16-byte pcap record
// headers / the 8-byte pcapng block headers (lengths), never decodes a packet. Reading stops after
// the last chosen record. A sequential stream instead of random byte-range reads also covers gzip
// input: the indexes count records of the decompressed stream, so the caller passes the gunzipped
// content (the CLI pipes the file through zlib, as the analysis did).
//
// Output format = input format:
// - pcap (libpcap, https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html): the 24-byte
//   file header as it is (magic: byte order and µs/ns resolution, snaplen, link type), then the
//   chosen records (16-byte header + captured bytes) as they are.
// - pcapng (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-02.html): every Section Header
//   Block, Interface Description Block, Name Resolution Block and Decryption Secrets Block as it is
//   (so interface ids, link types, if_tsresol/if_tsoffset and byte order stay valid for the copied
//   packet blocks), then the chosen EPB/SPB/OPB as they are. Interface Statistics Blocks (they
//   count the original capture's packets) and all other blocks are dropped. Blocks after the last
//   chosen packet are not written. Wireshark, tshark and libpcap read both results.
// Which packets belong to the alerts: cutIndexes() (all alerts) and alertPacketIndexes() (one alert),
// from the core's packet marks and the alerts' first evidence packet.
// Errors: a malformed header or framing throws PcapCutError (what was written so far is a valid
// prefix only for pcap); indexes past the end are counted in CutResult.missing.
import {
  DET_BLACKLIST, DET_LARGESIZE, DET_PORTSCAN, DET_SPIKE, DET_SYNFLOOD, DET_UNUSUAL, MARK_DPORT, MARK_DST, MARK_RECORD_INDEX,
  MARK_REASONS, MARK_SPORT, MARK_SRC, MARK_STRIDE, MARK_TS_US, PORTSCAN_HOSTS, SPIKE_DST, SYNFLOOD_SPREAD,
} from '../shared/abi';
import type { AnalysisResult } from '../shared/protocol';
import { alertIndices } from './alert-rows';

/** The capture formats that can be cut. */
export type CutFormat = 'pcap' | 'pcapng';

/** What cutCapture() wrote. */
export interface CutResult {
  /** Packet records written. */
  records: number;
  /** Chosen indexes not found (past the last record of the input). */
  missing: number;
  /** Bytes written, headers included. */
  bytes: number;
}

/** Thrown for a malformed capture (bad magic, a record or block length that cannot be). */
export class PcapCutError extends Error {}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_IDB = 1;
const PCAPNG_OPB = 2;
const PCAPNG_SPB = 3;
const PCAPNG_NRB = 4;
const PCAPNG_DSB = 0x0a;
const PCAPNG_EPB = 6;
const PCAPNG_BOM = 0x1a2b3c4d;
/** Largest pcap record / pcapng block accepted (larger is malformed): 64 MiB. */
const MAX_RECORD_BYTES = 64 << 20;

/** Sequential reader over a byte stream with exact-length reads and skips. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0; // offset into chunks[0]
  private avail = 0;
  private done = false;
  constructor(private it: AsyncIterator<Uint8Array>) {}

  /** Ensures `n` bytes are buffered; false when the stream ends first. */
  async fill(n: number): Promise<boolean> {
    while (this.avail < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.avail += r.value.length;
      }
    }
    return this.avail >= n;
  }

  /** The next `n` buffered bytes (fill(n) first), consumed. */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.chunks[0];
      const k = Math.min(n - o, c.length - this.head);
      out.set(c.subarray(this.head, this.head + k), o);
      o += k;
      this.drop(k);
    }
    return out;
  }

  /** Discards `n` bytes, reading as needed; false when the stream ends first. */
  async skip(n: number): Promise<boolean> {
    while (n > 0) {
      if (this.avail === 0 && !(await this.fill(1))) return false;
      const k = Math.min(n, this.chunks[0].length - this.head);
      this.drop(k);
      n -= k;
    }
    return true;
  }

  /** True when nothing is buffered and the stream has ended. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  async close(): Promise<void> {
    if (!this.done) await this.it.return?.();
  }

  private drop(k: number): void {
    this.head += k;
    this.avail -= k;
    if (this.head === this.chunks[0].length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

function iteratorOf(source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>): AsyncIterator<Uint8Array> {
  if (Symbol.asyncIterator in source) return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const reader = (source as ReadableStream<Uint8Array>).getReader();
  return {
    next: async () => {
      const r = await reader.read();
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    return: async () => {
      await reader.cancel();
      return { done: true, value: undefined };
    },
  };
}

function u32(b: Uint8Array, at: number, little: boolean): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, little);
}

/**
 * Writes a new capture holding exactly the records of `source` (the capture's whole content,
 * decompressed, in `format`) whose record index is in `indexes`, in file order, through `write`
 * (called with whole headers and records, in order; may be async). Throws PcapCutError on a
 * malformed capture. Memory: one record or block at a time plus the stream's chunks.
 */
export async function cutCapture(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  format: CutFormat,
  indexes: Iterable<number>,
  write: (chunk: Uint8Array) => void | Promise<void>,
): Promise<CutResult> {
  const wanted = [...new Set(indexes)].filter((i) => Number.isInteger(i) && i >= 0).sort((a, b) => a - b);
  const q = new ByteQueue(iteratorOf(source));
  const res: CutResult = { records: 0, missing: 0, bytes: 0 };
  const emit = async (b: Uint8Array) => {
    res.bytes += b.length;
    await write(b);
  };
  try {
    const found = format === 'pcap' ? await cutPcap(q, wanted, emit) : await cutPcapng(q, wanted, emit);
    res.records = found;
    res.missing = wanted.length - found;
  } finally {
    await q.close();
  }
  return res;
}

async function cutPcap(q: ByteQueue, wanted: number[], emit: (b: Uint8Array) => Promise<void>): Promise<number> {
  if (!(await q.fill(24))) throw new PcapCutError('pcap: shorter than its 24-byte file header');
  const header = q.take(24);
  const m = u32(header, 0, true);
  let little: boolean;
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) little = true;
  else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) little = false;
  else throw new PcapCutError(`pcap: bad magic 0x${m.toString(16)}`);
  await emit(header);
  let found = 0;
  let w = 0;
  for (let index = 0; w < wanted.length; index++) {
    if (!(await q.fill(16))) break; // end of input (a partial header is a truncated last record)
    const rh = q.take(16);
    const incl = u32(rh, 8, little);
    if (incl > MAX_RECORD_BYTES) throw new PcapCutError(`pcap: record ${index} claims ${incl} captured bytes`);
    if (index === wanted[w]) {
      w++;
      if (!(await q.fill(incl))) break; // truncated last record: not copied
      await emit(rh);
      await emit(q.take(incl));
      found++;
    } else if (!(await q.skip(incl))) break;
  }
  return found;
}

async function cutPcapng(q: ByteQueue, wanted: number[], emit: (b: Uint8Array) => Promise<void>): Promise<number> {
  let little = true;
  let found = 0;
  let w = 0;
  let index = 0;
  let first = true;
  while (w < wanted.length && (await q.fill(8))) {
    const h = q.take(8);
    let type = u32(h, 0, little);
    let body: Uint8Array | undefined;
    if (type === PCAPNG_SHB) {
      // The section's byte order is in the byte-order magic right after the header.
      if (!(await q.fill(4))) break;
      const bom = q.take(4);
      if (u32(bom, 0, true) === PCAPNG_BOM) little = true;
      else if (u32(bom, 0, false) === PCAPNG_BOM) little = false;
      else throw new PcapCutError('pcapng: Section Header Block without a valid byte-order magic');
      body = bom;
    } else if (first) throw new PcapCutError('pcapng: does not start with a Section Header Block');
    first = false;
    type = u32(h, 0, little);
    const total = u32(h, 4, little);
    if (total < 12 || total % 4 !== 0 || total > MAX_RECORD_BYTES) {
      throw new PcapCutError(`pcapng: block of type 0x${type.toString(16)} with bad length ${total}`);
    }
    const rest = total - 8 - (body ? body.length : 0);
    const isPacket = type === PCAPNG_EPB || type === PCAPNG_SPB || type === PCAPNG_OPB;
    const keep = isPacket
      ? index === wanted[w]
      : type === PCAPNG_SHB || type === PCAPNG_IDB || type === PCAPNG_NRB || type === PCAPNG_DSB;
    if (keep) {
      if (!(await q.fill(rest))) break; // truncated last block: not copied
      await emit(h);
      if (body) await emit(body);
      await emit(q.take(rest));
    } else if (!(await q.skip(rest))) break;
    if (isPacket) {
      if (keep) {
        found++;
        w++;
      }
      index++;
    }
  }
  return found;
}

/** Detector bits (1 << DET_*) of every detector: the default filter of cutIndexes(). */
const ALL_DETECTORS = ~0;

/**
 * The record indexes of "the packets of the alerts" of `result` (sorted, unique): every packet the
 * core marked (result.marks: needs the analysis run with collectMarks), i.e. every evidence packet
 * of BLACKLIST, PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL and SPIKE (the detectors that mark packets;
 * see `--format reasons`), plus the first evidence packet (recordIndex) of every alert, which is
 * all the core keeps of ZSCORE (the packet itself), FLOWRULE, LATENCY, RETRANS, PROTOSHIFT,
 * LONGCONN and PROFILE alerts. `detectorBits` (1 << DET_*) limits both to those detectors;
 * suppressed alerts count only with `includeSuppressed`. Row input (CSV, JSON, lines) has record
 * indexes too but nothing to cut.
 */
export function cutIndexes(result: AnalysisResult, includeSuppressed = false, detectorBits = ALL_DETECTORS): number[] {
  const set = new Set<number>();
  const m = result.marks;
  if (m) {
    const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
    for (let b = 0; b + MARK_STRIDE <= m.length; b += MARK_STRIDE) {
      if ((v.getUint32(b + MARK_REASONS, true) & detectorBits) !== 0) set.add(v.getUint32(b + MARK_RECORD_INDEX, true));
    }
  }
  const a = result.alerts;
  for (const i of alertIndices(result, includeSuppressed)) {
    if (((1 << a.detector[i]) & detectorBits) !== 0) set.add(a.recordIndex[i]);
  }
  return [...set].sort((x, y) => x - y);
}

/** True when the 16 bytes at `a`[ai] equal those at `b`[bi]. */
function same16(a: Uint8Array, ai: number, b: Uint8Array, bi: number): boolean {
  for (let k = 0; k < 16; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}

/**
 * The record indexes (sorted) of the packets of ONE alert `i` of `result` (marks needed, as for
 * cutIndexes()): its first evidence packet (recordIndex), and for the detectors that mark packets
 * the marks with that detector's reason whose time lies in the alert's [tsUs, lastUs] and that
 * belong to its subject (the channel key: src, dst): PORTSCAN ports/syn scanner → target, PORTSCAN
 * hosts (address scan) the scanner's packets, SYNFLOOD dst/slow the SYNs to the victim, SYNFLOOD
 * spread the SYNs of the time span, LARGESIZE src → dst, BLACKLIST and UNUSUAL both directions of
 * the flow (addresses and ports), SPIKE dst the packets to the destination, SPIKE global every
 * SPIKE mark of the span. Other detectors: the first evidence packet only.
 */
export function alertPacketIndexes(result: AnalysisResult, i: number): number[] {
  const a = result.alerts;
  const set = new Set<number>([a.recordIndex[i]]);
  const det = a.detector[i];
  const variant = a.variant[i];
  const m = result.marks;
  const key = result.channels[a.channel[i]]?.key;
  if (m && key) {
    const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
    const from = a.tsUs[i];
    const to = a.lastUs[i];
    const sport = a.sport[i];
    const dport = a.dport[i];
    for (let b = 0; b + MARK_STRIDE <= m.length; b += MARK_STRIDE) {
      if ((v.getUint32(b + MARK_REASONS, true) & (1 << det)) === 0) continue;
      const ts = Number(v.getBigInt64(b + MARK_TS_US, true));
      if (ts < from || ts > to) continue;
      const srcIsSrc = same16(m, b + MARK_SRC, key, 0);
      const dstIsDst = same16(m, b + MARK_DST, key, 16);
      let ok: boolean;
      switch (det) {
        case DET_PORTSCAN:
          ok = variant === PORTSCAN_HOSTS ? srcIsSrc : srcIsSrc && dstIsDst;
          break;
        case DET_SYNFLOOD:
          ok = variant === SYNFLOOD_SPREAD ? true : dstIsDst;
          break;
        case DET_LARGESIZE:
          ok = srcIsSrc && dstIsDst;
          break;
        case DET_BLACKLIST:
        case DET_UNUSUAL: {
          const ms = v.getUint16(b + MARK_SPORT, true);
          const md = v.getUint16(b + MARK_DPORT, true);
          const fwd = srcIsSrc && dstIsDst && ms === sport && md === dport;
          const rev = same16(m, b + MARK_SRC, key, 16) && same16(m, b + MARK_DST, key, 0) && ms === dport && md === sport;
          ok = fwd || rev;
          break;
        }
        case DET_SPIKE:
          ok = variant === SPIKE_DST ? dstIsDst : true;
          break;
        default:
          ok = false;
      }
      if (ok) set.add(v.getUint32(b + MARK_RECORD_INDEX, true));
    }
  }
  return [...set].sort((x, y) => x - y);
}
