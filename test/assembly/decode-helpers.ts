// Decode test helpers: MANIFEST.md rows (packet count, link type, tshark's IPv4/IPv6/non-IP
// counts), a probe core that exposes the packet fields of the last record, and tiny pcap/pcapng
// builders for edge cases the real captures lack. Not a test file itself.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DATA } from '../helpers/core';
import { Engine, instantiateCore, type CoreExports } from '../../src/worker/engine';
import * as abi from '../../src/shared/abi';

export interface ManifestRow {
  path: string;
  /** capinfos packet count, or null when the column is not a plain number. */
  packets: number | null;
  packetsCell: string;
  linkCell: string;
  /** First LINKTYPE number of the link-type column (pcap) or null. */
  linktype: number | null;
  ipv4: number | null;
  ipv6: number | null;
  nonIp: number | null;
  protos: Record<string, number> | null;
  /** Last packet time (ms since the epoch, UTC) of the time-span column, and its monotonic flag. */
  lastMs: number | null;
  monotonic: boolean;
  notes: string;
}

export function readManifest(): ManifestRow[] {
  const text = readFileSync(DATA + 'MANIFEST.md', 'utf8');
  const rows: ManifestRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\| `([^`]+)` \|/.exec(line);
    if (!m) continue;
    const cells = line.split(' | ');
    const packetsCell = cells[4] ?? '';
    const linkCell = cells[5] ?? '';
    const notes = cells.slice(7).join(' | ');
    const pk = /^(\d+)$/.exec(packetsCell.trim());
    const lt = /^(\d+) /.exec(linkCell.trim());
    const c = /computed: IPv4 (\d+), IPv6 (\d+), non-IP (\d+)/.exec(notes);
    const ts = / → (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) /.exec(cells[6] ?? '');
    const pr = /IP protos (\{[^}]*\})/.exec(notes);
    rows.push({
      path: m[1],
      packets: pk ? Number(pk[1]) : null,
      packetsCell,
      linkCell,
      linktype: lt ? Number(lt[1]) : null,
      ipv4: c ? Number(c[1]) : null,
      ipv6: c ? Number(c[2]) : null,
      nonIp: c ? Number(c[3]) : null,
      protos: pr ? (JSON.parse(pr[1].replace(/'/g, '"')) as Record<string, number>) : null,
      lastMs: ts ? Date.parse(ts[1].replace(' ', 'T') + 'Z') : null,
      monotonic: !(cells[6] ?? '').includes('non-monotonic'),
      notes,
    });
  }
  return rows;
}

/** The bytes of a data file (gunzipped when its name ends in .gz). */
export function readData(path: string): Uint8Array {
  const b = readFileSync(DATA + path);
  return path.endsWith('.gz') ? gunzipSync(b) : new Uint8Array(b.buffer, b.byteOffset, b.length);
}

// ---------------------------------------------------------------------------------------------
// Probe build: assembly/decode/probe.ts (index.ts + packet-field getters) compiled once per test
// file to build/decode-probe-<pid>.wasm with the release options of asconfig.json.

let probeModule: Promise<WebAssembly.Module> | null = null;

async function buildProbe(): Promise<WebAssembly.Module> {
  const asc = (await import('assemblyscript/asc')).default;
  const root = new URL('../../', import.meta.url).pathname;
  const out = `build/decode-probe-${process.pid}.wasm`;
  const { error, stderr } = await asc.main(
    [
      'assembly/decode/probe.ts', '--outFile', out, '-O3', '--runtime', 'minimal', '--noAssert',
      '--initialMemory', '64', '--maximumMemory', '65536',
      '--enable', 'simd,bulk-memory,sign-extension,nontrapping-f2i,mutable-globals',
      '--baseDir', root,
    ],
    {},
  );
  if (error) throw new Error(`probe build failed: ${error.message}\n${stderr.toString()}`);
  const { readFileSync, rmSync } = await import('node:fs');
  const bytes = readFileSync(root + out);
  rmSync(root + out, { force: true });
  return new WebAssembly.Module(bytes);
}

export type ProbeCore = CoreExports & { probeField(i: number): number; probeAddr(): number };

export interface ProbeRun {
  status: number;
  errorCode: number;
  errorOffset: number;
  counters: Float64Array;
  /** Fields of the last record handed to the decoders (see probe.ts). */
  f: {
    tsUs: number; wireLen: number; capLen: number; recordIndex: number; recordOffset: number;
    proto: number; protoLabel: number; sport: number; dport: number; tcpFlags: number; seq: number;
    ack: number; payloadLen: number; vlan: number; isV6: boolean; isFragment: boolean;
  };
  src: Uint8Array;
  dst: Uint8Array;
}

/** Runs `bytes` through a probe core in chunks of `chunk`; returns status, counters and the
 *  packet fields left by the last record. */
export async function probeRun(bytes: Uint8Array, config: Record<number, number> = {}, chunk = 1 << 20): Promise<ProbeRun> {
  probeModule ??= buildProbe();
  const core = (await instantiateCore(await probeModule)) as ProbeCore;
  const engine = new Engine(core);
  engine.start({ [abi.CFG_SEED]: 1, ...config }, () => {});
  for (let p = 0; p < bytes.length && engine.fatal === null; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  const st = engine.finish();
  const g = (i: number) => core.probeField(i);
  const mem = new Uint8Array(core.memory.buffer, core.probeAddr(), 32).slice();
  return {
    ...st,
    counters: engine.counters(),
    f: {
      tsUs: g(0), wireLen: g(1), capLen: g(2), recordIndex: g(3), recordOffset: g(4), proto: g(5),
      protoLabel: g(6), sport: g(7), dport: g(8), tcpFlags: g(9), seq: g(10), ack: g(11),
      payloadLen: g(12), vlan: g(13), isV6: g(14) === 1, isFragment: g(15) === 1,
    },
    src: mem.slice(0, 16),
    dst: mem.slice(16, 32),
  };
}

// ---------------------------------------------------------------------------------------------
// Tiny capture builders for edge cases real data lacks.

export function cat(...parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
const be16b = (v: number) => new Uint8Array([(v >> 8) & 255, v & 255]);

export function tcp(sport: number, dport: number, flags: number, seq = 1000, ack = 2000, doff = 5): Uint8Array {
  const h = new Uint8Array(doff * 4 < 20 ? 20 : doff * 4);
  const v = new DataView(h.buffer);
  v.setUint16(0, sport); v.setUint16(2, dport); v.setUint32(4, seq); v.setUint32(8, ack);
  h[12] = doff << 4; h[13] = flags;
  return h;
}
export function udp(sport: number, dport: number, payload = 4): Uint8Array {
  const h = new Uint8Array(8 + payload);
  const v = new DataView(h.buffer);
  v.setUint16(0, sport); v.setUint16(2, dport); v.setUint16(4, 8 + payload);
  return h;
}
export function ipv4(src: number[], dst: number[], proto: number, l4: Uint8Array, frag = 0, options = 0): Uint8Array {
  const ihl = 20 + options;
  const h = new Uint8Array(ihl);
  const v = new DataView(h.buffer);
  h[0] = 0x40 | (ihl / 4); v.setUint16(2, ihl + l4.length); v.setUint16(6, frag); h[8] = 64; h[9] = proto;
  h.set(src, 12); h.set(dst, 16);
  return cat(h, l4);
}
/** IPv6 with extension headers: `ext` is a list of [type, bytes] (bytes include next-header at 0,
 *  which this function fills), followed by the upper-layer `proto` and `l4`. */
export function ipv6(src: number[], dst: number[], ext: Array<[number, Uint8Array]>, proto: number, l4: Uint8Array): Uint8Array {
  const h = new Uint8Array(40);
  const v = new DataView(h.buffer);
  h[0] = 0x60;
  const chain = ext.map(([, b]) => b);
  ext.forEach(([, b], i) => { b[0] = i + 1 < ext.length ? ext[i + 1][0] : proto; });
  const body = cat(...chain, l4);
  v.setUint16(4, body.length); h[6] = ext.length ? ext[0][0] : proto; h[7] = 64;
  h.set(src, 8); h.set(dst, 24);
  return cat(h, body);
}
export function eth(type: number, payload: Uint8Array, tags: Array<[number, number]> = []): Uint8Array {
  const macs = new Uint8Array(12).fill(2);
  const t = tags.map(([tpid, vid]) => cat(be16b(tpid), be16b(vid)));
  return cat(macs, ...t, be16b(type), payload);
}

export interface PcapRec { sec: number; frac: number; data: Uint8Array; wire?: number; cap?: number }
export function pcap(linktype: number, recs: PcapRec[], opts: { be?: boolean; ns?: boolean; major?: number; minor?: number } = {}): Uint8Array {
  const le = !opts.be;
  const h = new Uint8Array(24);
  const v = new DataView(h.buffer);
  v.setUint32(0, opts.ns ? 0xa1b23c4d : 0xa1b2c3d4, le);
  v.setUint16(4, opts.major ?? 2, le); v.setUint16(6, opts.minor ?? 4, le);
  v.setUint32(16, 65535, le); v.setUint32(20, linktype, le);
  const parts: Uint8Array[] = [h];
  for (const r of recs) {
    const rh = new Uint8Array(16);
    const rv = new DataView(rh.buffer);
    rv.setUint32(0, r.sec, le); rv.setUint32(4, r.frac, le);
    rv.setUint32(8, r.cap ?? r.data.length, le); rv.setUint32(12, r.wire ?? r.data.length, le);
    parts.push(rh, r.data);
  }
  return cat(...parts);
}

/** pcapng block: type, body (padded to 4), total length at both ends, in `le` order. */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const pad = (4 - (body.length % 4)) % 4;
  const len = 12 + body.length + pad;
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, le); v.setUint32(4, len, le);
  b.set(body, 8);
  v.setUint32(len - 4, len, le);
  return b;
}
export function shb(le = true, major = 1, minor = 0): Uint8Array {
  const body = new Uint8Array(16);
  const v = new DataView(body.buffer);
  v.setUint32(0, 0x1a2b3c4d, le); v.setUint16(4, major, le); v.setUint16(6, minor, le);
  v.setBigInt64(8, -1n, le);
  return block(0x0a0d0d0a, body, le);
}
export function option(code: number, value: Uint8Array, le = true): Uint8Array {
  const pad = (4 - (value.length % 4)) % 4;
  const o = new Uint8Array(4 + value.length + pad);
  const v = new DataView(o.buffer);
  v.setUint16(0, code, le); v.setUint16(2, value.length, le);
  o.set(value, 4);
  return o;
}
export function idb(linktype: number, opts: Uint8Array[] = [], le = true, snaplen = 0): Uint8Array {
  const head = new Uint8Array(8);
  const v = new DataView(head.buffer);
  v.setUint16(0, linktype, le); v.setUint32(4, snaplen, le);
  const body = opts.length ? cat(head, ...opts, new Uint8Array(4)) : head;
  return block(1, body, le);
}
export function epb(ifid: number, ts: bigint, data: Uint8Array, le = true, wire?: number): Uint8Array {
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint32(0, ifid, le); v.setUint32(4, Number(ts >> 32n), le); v.setUint32(8, Number(ts & 0xffffffffn), le);
  v.setUint32(12, data.length, le); v.setUint32(16, wire ?? data.length, le);
  return block(6, cat(head, data), le);
}
export function opb(ifid: number, ts: bigint, data: Uint8Array, le = true): Uint8Array {
  const head = new Uint8Array(20);
  const v = new DataView(head.buffer);
  v.setUint16(0, ifid, le); v.setUint32(4, Number(ts >> 32n), le); v.setUint32(8, Number(ts & 0xffffffffn), le);
  v.setUint32(12, data.length, le); v.setUint32(16, data.length, le);
  return block(2, cat(head, data), le);
}
export function spb(data: Uint8Array, wire: number, le = true): Uint8Array {
  const head = new Uint8Array(4);
  new DataView(head.buffer).setUint32(0, wire, le);
  return block(3, cat(head, data), le);
}
