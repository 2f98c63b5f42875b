// Test helpers for src/io: byte streams split into chosen chunks, and a collector over readRows().
import { expect } from 'vitest';
import {
  REC_DPORT, REC_DST, REC_INDEX, REC_PROTO, REC_PROTO_LABEL, REC_SPORT, REC_SRC, REC_STRIDE, REC_TCP_FLAGS,
  REC_TS_US, REC_VLAN, REC_WIRE_LEN,
} from '../../src/shared/abi';
import { NameTable } from '../../src/io/names';
import { rng } from '../helpers/rng';

export { rng };
import { readRows, type ReadRowsOptions, type RowFormat, type RowReport } from '../../src/io/rows';


/** A stream of `bytes` cut into chunks: a fixed size, or 'random' sizes 1..maxRandom. */
export function streamOf(input: string | Uint8Array, chunk: number | 'random' = 1 << 20, seed = 1, maxRandom = 97): ReadableStream<Uint8Array> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const next = rng(seed);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(ctrl) {
      if (at >= bytes.length) {
        ctrl.close();
        return;
      }
      const n = chunk === 'random' ? 1 + Math.floor(next() * maxRandom) : chunk;
      ctrl.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

export interface Collected {
  records: Uint8Array;
  count: number;
  rows: Record<string, unknown>[];
  batches: number;
  report: RowReport;
  names: NameTable;
}

/** Reads everything and concatenates the batches. */
export async function collect(
  input: string | Uint8Array,
  format: RowFormat,
  chunk: number | 'random' = 1 << 20,
  opts: ReadRowsOptions = {},
  seed = 1,
): Promise<Collected> {
  const names = new NameTable();
  const parts: Uint8Array[] = [];
  const rows: Record<string, unknown>[] = [];
  let count = 0;
  let batches = 0;
  const report = await readRows(streamOf(input, chunk, seed), format, names, async (b) => {
    expect(b.records.length).toBe(b.count * REC_STRIDE);
    expect(b.rows.length).toBe(b.count);
    parts.push(b.records.slice());
    rows.push(...b.rows);
    count += b.count;
    batches++;
  }, opts);
  const records = new Uint8Array(count * REC_STRIDE);
  let at = 0;
  for (const p of parts) {
    records.set(p, at);
    at += p.length;
  }
  return { records, count, rows, batches, report, names };
}

/** One packed record read back field by field with a DataView at the REC_* offsets. */
export interface Decoded {
  tsUs: bigint;
  src: string;
  dst: string;
  srcBytes: number[];
  dstBytes: number[];
  sport: number;
  dport: number;
  proto: number;
  flags: number;
  label: number;
  size: number;
  index: number;
  vlan: number;
}

export function decode(records: Uint8Array, i: number, names: NameTable): Decoded {
  const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
  const b = i * REC_STRIDE;
  return {
    tsUs: v.getBigInt64(b + REC_TS_US, true),
    src: names.formatAddress(records.subarray(b + REC_SRC, b + REC_SRC + 16)),
    dst: names.formatAddress(records.subarray(b + REC_DST, b + REC_DST + 16)),
    srcBytes: Array.from(records.subarray(b + REC_SRC, b + REC_SRC + 16)),
    dstBytes: Array.from(records.subarray(b + REC_DST, b + REC_DST + 16)),
    sport: v.getUint16(b + REC_SPORT, true),
    dport: v.getUint16(b + REC_DPORT, true),
    proto: v.getUint8(b + REC_PROTO),
    flags: v.getUint8(b + REC_TCP_FLAGS),
    label: v.getUint16(b + REC_PROTO_LABEL, true),
    size: v.getUint32(b + REC_WIRE_LEN, true),
    index: v.getUint32(b + REC_INDEX, true),
    vlan: v.getUint32(b + REC_VLAN, true),
  };
}

export function decodeAll(c: Collected): Decoded[] {
  return Array.from({ length: c.count }, (_, i) => decode(c.records, i, c.names));
}
