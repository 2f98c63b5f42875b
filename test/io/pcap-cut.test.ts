// src/io/pcap-cut.ts on real captures. The oracle is the original file: the offset of each packet
// record by index, walked from the framing here and checked against the core's own numbering (each
// alert's record index and byte offset, and the records it read). cutCapture() copies chosen
// indexes; the cut's file header / section and interface blocks are the original's bytes, each
// record is byte for byte the original record at its index's offset, in file order, and the core
// reads the cut back without error and with exactly that many records. Streams are fed in odd
// pieces so records straddle chunk boundaries.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { cutCapture, PcapCutError, type CutFormat } from '../../src/io/pcap-cut';
import { DATA, runBytes, type RawAlert } from '../helpers/core';
import { streamOf } from './helpers';

/** Length of the record (pcap: 16-byte header + incl_len) or block (pcapng) at `o`. */
function recordLength(bytes: Uint8Array, format: CutFormat, o: number, little: boolean): number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return format === 'pcap' ? 16 + v.getUint32(o + 8, little) : v.getUint32(o + 4, little);
}

async function cut(bytes: Uint8Array, format: CutFormat, indexes: number[], chunk: number | 'random' = 'random') {
  const parts: Uint8Array[] = [];
  const res = await cutCapture(streamOf(bytes, chunk, 7, 4099), format, indexes, (b) => {
    parts.push(b.slice());
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  expect(res.bytes).toBe(out.length);
  return { res, out };
}

/** LARGESIZE over 0 bytes alone: every decoded packet is an alert carrying its record's index and
 *  byte offset (the core's numbering, the oracle of these tests). */
const EVERY_PACKET = {
  [abi.CFG_ZSCORE_ENABLED]: 0,
  [abi.CFG_LARGESIZE_ENABLED]: 1,
  [abi.CFG_LARGESIZE_BYTES]: 0,
};

/** Byte offset of every packet record of `bytes` by record index, walked here from the framing
 *  alone (little-endian files: all the test captures are). */
function walk(bytes: Uint8Array, format: CutFormat): number[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  if (format === 'pcap') {
    for (let o = 24; o + 16 <= bytes.length; o += 16 + v.getUint32(o + 8, true)) out.push(o);
  } else {
    for (let o = 0; o + 8 <= bytes.length; o += v.getUint32(o + 4, true)) {
      const t = v.getUint32(o, true);
      if (t === 6 || t === 3 || t === 2) out.push(o);
    }
  }
  return out;
}

/** Record index -> byte offset of every packet record in `bytes` (walk()), checked against the
 *  core's numbering: each alert's record index and offset (LARGESIZE over 0 bytes: the first
 *  packet of each episode), and the count of records the core read. */
async function numbering(bytes: Uint8Array, format: CutFormat): Promise<{ offsets: Map<number, number>; total: number }> {
  const offsets = new Map(walk(bytes, format).map((at, i) => [i, at] as [number, number]));
  const r = await runBytes(bytes, EVERY_PACKET);
  expect(r.errorCode).toBe(0);
  expect(r.alerts.length).toBeGreaterThan(0);
  for (const a of r.alerts as RawAlert[]) expect(offsets.get(a.recordIndex)).toBe(a.recordOffset);
  expect(offsets.size).toBe(r.counters[abi.C_RECORDS_READ]);
  return { offsets, total: offsets.size };
}

/** Every 7th numbered record, the first and the last. */
function sample(offsets: Map<number, number>): number[] {
  const all = [...offsets.keys()].sort((a, b) => a - b);
  return all.filter((i, k) => k % 7 === 3 || k === 0 || k === all.length - 1);
}

const PCAP = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const read = (name: string) => new Uint8Array(readFileSync(DATA + name));

/** Checks the cut `out` of `bytes` (pcapng) block by block: each packet block is the original
 *  block at the core's offset for the next chosen index; every other block is an SHB, IDB, NRB or
 *  DSB found in the original. Returns the packet blocks seen. */
function checkPcapng(bytes: Uint8Array, out: Uint8Array, indexes: number[], offsets: Map<number, number>): number {
  const v = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const orig = Buffer.from(bytes);
  expect(v.getUint32(0, true)).toBe(0x0a0d0d0a);
  let o = 0;
  let k = 0;
  while (o < out.length) {
    const type = v.getUint32(o, true);
    const len = v.getUint32(o + 4, true);
    const block = out.subarray(o, o + len);
    if (type === 6 || type === 3 || type === 2) {
      const at = offsets.get(indexes[k++])!;
      expect(block).toEqual(bytes.subarray(at, at + recordLength(bytes, 'pcapng', at, true)));
    } else {
      expect([0x0a0d0d0a, 1, 4, 0x0a]).toContain(type);
      expect(orig.indexOf(Buffer.from(block))).toBeGreaterThanOrEqual(0);
    }
    o += len;
  }
  expect(o).toBe(out.length);
  return k;
}

describe('cutCapture', () => {
  it('pcap: the original file header, then exactly the chosen records as they are', async () => {
    const bytes = read(PCAP);
    const { offsets } = await numbering(bytes, 'pcap');
    const indexes = sample(offsets);
    expect(indexes.length).toBeGreaterThan(100);
    // Order and repeats of the input do not matter: file order, once each.
    const { res, out } = await cut(bytes, 'pcap', [...indexes].reverse().concat(indexes[0]));
    expect(res).toMatchObject({ records: indexes.length, missing: 0 });
    expect(out.subarray(0, 24)).toEqual(bytes.subarray(0, 24));
    let o = 24;
    for (const i of indexes) {
      const at = offsets.get(i)!;
      const len = recordLength(bytes, 'pcap', at, true);
      expect(out.subarray(o, o + len)).toEqual(bytes.subarray(at, at + len));
      o += len;
    }
    expect(o).toBe(out.length);
    const back = await runBytes(out);
    expect(back.errorCode).toBe(0);
    expect(back.counters[abi.C_RECORDS_READ]).toBe(indexes.length);
  });

  it('pcap: indexes past the end are missing; nothing chosen gives the bare header', async () => {
    const bytes = read(PCAP);
    const { total } = await numbering(bytes, 'pcap');
    const last = await cut(bytes, 'pcap', [total - 1, total, total + 5]);
    expect(last.res).toMatchObject({ records: 1, missing: 2 });
    expect((await runBytes(last.out)).counters[abi.C_RECORDS_READ]).toBe(1);
    const none = await cut(bytes, 'pcap', []);
    expect(none.res).toMatchObject({ records: 0, missing: 0, bytes: 24 });
    expect(none.out).toEqual(bytes.subarray(0, 24));
  });

  it('pcapng: section and interface blocks, then the chosen packet blocks as they are', async () => {
    const bytes = read('attacks/portscan/sbousseaden_discovery_scan_dcerpc_endpoint_mapper.pcapng');
    const { offsets, total } = await numbering(bytes, 'pcapng');
    const indexes = sample(offsets);
    expect(indexes.length).toBeGreaterThan(20);
    const { res, out } = await cut(bytes, 'pcapng', indexes);
    expect(res).toMatchObject({ records: indexes.length, missing: 0 });
    expect(checkPcapng(bytes, out, indexes, offsets)).toBe(indexes.length);
    const back = await runBytes(out);
    expect(back.errorCode).toBe(0);
    expect(back.counters[abi.C_RECORDS_READ]).toBe(indexes.length);
    // The last record alone, in 3-byte pieces.
    const one = await cut(bytes, 'pcapng', [total - 1], 3);
    expect(one.res).toMatchObject({ records: 1, missing: 0 });
    expect((await runBytes(one.out)).counters[abi.C_RECORDS_READ]).toBe(1);
  });

  it('pcapng with two sections (two files end to end): both sections’ headers, indexes run on', async () => {
    const a = read('attacks/bruteforce/sbousseaden_kerbrute_passwordspray.pcapng');
    const b = read('attacks/portscan/sbousseaden_discovery_scan_dcerpc_endpoint_mapper.pcapng');
    const bytes = new Uint8Array(a.length + b.length);
    bytes.set(a);
    bytes.set(b, a.length);
    const { offsets } = await numbering(bytes, 'pcapng');
    const firstOfB = Math.min(...[...offsets].filter(([, at]) => at >= a.length).map(([i]) => i));
    const indexes = [0, firstOfB - 1, firstOfB, firstOfB + 1].filter((i) => offsets.has(i));
    expect(indexes.length).toBe(4);
    const { res, out } = await cut(bytes, 'pcapng', indexes);
    expect(res).toMatchObject({ records: 4, missing: 0 });
    expect(checkPcapng(bytes, out, indexes, offsets)).toBe(4);
    let shbs = 0;
    for (let o = 0, v = new DataView(out.buffer); o < out.length; o += v.getUint32(o + 4, true)) if (v.getUint32(o, true) === 0x0a0d0d0a) shbs++;
    expect(shbs).toBe(2);
    const back = await runBytes(out);
    expect(back.errorCode).toBe(0);
    expect(back.counters[abi.C_RECORDS_READ]).toBe(4);
  });

  it('refuses what is not a capture of the format', async () => {
    const text = new TextEncoder().encode('ts,src,dst\n1,10.0.0.1,10.0.0.2\n');
    await expect(cut(text, 'pcap', [0])).rejects.toThrow(PcapCutError);
    await expect(cut(text, 'pcapng', [0])).rejects.toThrow(PcapCutError);
    await expect(cut(read(PCAP), 'pcapng', [0])).rejects.toThrow(/Section Header Block/);
  });
});
