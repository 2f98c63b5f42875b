// Chunk-boundary invariance (perfetto proto_ring_buffer_unittest style): the same bytes fed in
// chunks of 1, 7, 64, 1000, random sizes, or split in two at every offset near record boundaries
// give identical counters; a copy cut mid-record keeps what came before and reports ERR_TRUNCATED
// at the start of the cut record.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { newEngine, runBytes } from '../helpers/core';
import { readData } from './decode-helpers';

const FILES = [
  'parser_corpus/tcpdump/pptp.pcap', // pcap big-endian
  'parser_corpus/tcpdump/tcp-handshake-nano.pcap', // pcap ns, Linux SLL
  'parser_corpus/zeek/pcapng-multi-interface.pcapng', // pcapng, 2 IDBs
  'parser_corpus/zeek/linux_dlt_sll2.pcap', // SLL2
  'parser_corpus/tcpdump/802.1ad_QinQ.pcap',
  'attacks/synflood/ppa1e_dosattack.pcap', // pcap LE
  'parser_corpus/tcpdump/icmp-length-zero.pcapng',
];

/** Record (pcap) or block (pcapng) start offsets, computed independently of the core. */
function boundaries(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  const m = v.getUint32(0, true);
  if (m === 0x0a0d0d0a) {
    let o = 0;
    let le = true;
    while (o + 12 <= b.length) {
      if (v.getUint32(o, true) === 0x0a0d0d0a) le = v.getUint32(o + 8, true) === 0x1a2b3c4d;
      out.push(o);
      o += v.getUint32(o + 4, le);
    }
  } else {
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    let o = 24;
    out.push(0);
    while (o + 16 <= b.length) {
      out.push(o);
      o += 16 + v.getUint32(o + 8, le);
    }
  }
  return out;
}

let shared: Awaited<ReturnType<typeof newEngine>> | null = null;
async function runSplits(bytes: Uint8Array, cuts: number[]): Promise<Float64Array> {
  const engine = (shared ??= await newEngine());
  engine.start({ [abi.CFG_SEED]: 1 }, () => {});
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    if (c > prev) engine.feed(bytes.subarray(prev, c));
    prev = Math.max(prev, c);
  }
  engine.finish();
  return engine.counters();
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('decode: chunk boundaries', () => {
  for (const path of FILES) {
    it(`${path}: identical counters for every chunking`, async () => {
      const bytes = readData(path);
      const base = await runBytes(bytes);
      expect(base.status).toBe(abi.STATUS_DONE);
      expect(base.counters[abi.C_RECORDS_READ]).toBeGreaterThan(0);
      for (const chunk of [1, 7, 64, 1000]) {
        const r = await runBytes(bytes, {}, chunk);
        expect([...r.counters], `chunk ${chunk}`).toEqual([...base.counters]);
        expect(r.status).toBe(abi.STATUS_DONE);
      }
      const rand = rng(42);
      for (let k = 0; k < 5; k++) {
        const cuts: number[] = [];
        for (let o = 0; o < bytes.length; ) cuts.push((o += 1 + Math.floor(rand() * 300)));
        expect([...(await runSplits(bytes, cuts))], 'random').toEqual([...base.counters]);
      }
      const bounds = boundaries(bytes).slice(0, 25);
      for (const b of bounds) {
        for (let d = -18; d <= 18; d++) {
          const at = b + d;
          if (at <= 0 || at >= bytes.length) continue;
          expect([...(await runSplits(bytes, [at]))], `split at ${at}`).toEqual([...base.counters]);
        }
      }
    }, 120_000);
  }

  it('a big file in 1 MiB, 64 KiB and odd-sized chunks, with a small input region', async () => {
    const bytes = readData('attacks/portscan/evilfingers_FTP_BOUNCE_SCAN.pcap');
    const base = await runBytes(bytes);
    expect(base.counters[abi.C_PACKETS_DECODED]).toBe(11115);
    for (const [chunk, region] of [[65536, 1 << 20], [12345, 4096], [1 << 20, 65536]]) {
      const r = await runBytes(bytes, { [abi.CFG_CHUNK_BYTES]: region }, chunk);
      expect([...r.counters]).toEqual([...base.counters]);
    }
  });
});

describe('decode: truncated copies', () => {
  for (const path of ['attacks/synflood/ppa1e_dosattack.pcap', 'parser_corpus/zeek/pcapng-multi-interface.pcapng', 'parser_corpus/tcpdump/pptp.pcap']) {
    it(`${path} cut mid-record keeps the records before the cut`, async () => {
      const bytes = readData(path);
      const bounds = boundaries(bytes);
      const full = await runBytes(bytes);
      // cut inside the last record (pcap) / last block (pcapng)
      const last = bounds[bounds.length - 1];
      const cut = bytes.subarray(0, last + 9);
      for (const chunk of [1 << 20, 7]) {
        const r = await runBytes(cut, {}, chunk);
        expect(r.status).toBe(abi.STATUS_ERROR);
        expect(r.errorCode).toBe(abi.ERR_TRUNCATED);
        expect(r.errorOffset).toBe(last);
        expect(r.counters[abi.C_RECORDS_READ]).toBe(full.counters[abi.C_RECORDS_READ]);
        expect(r.counters[abi.C_SKIP_TRUNCATED]).toBe(full.counters[abi.C_SKIP_TRUNCATED] + 1);
        expect(r.counters[abi.C_BYTES_CONSUMED]).toBe(cut.length);
      }
    });
  }
  it('a cut exactly at a record boundary is a clean end', async () => {
    const bytes = readData('attacks/synflood/ppa1e_dosattack.pcap');
    const b = boundaries(bytes);
    const r = await runBytes(bytes.subarray(0, b[50]));
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(49);
  });
});
