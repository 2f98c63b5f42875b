// Writes a large classic pcap (LE, µs) of synthetic Ethernet/IPv4 TCP and UDP traffic for the
// benchmark: 20,000 clients that each talk to 1-4 of 2,000 servers, `flows` flows (default 200,000) drawn with a skew, packet sizes per flow around a
// flow-specific mean with rare outliers, 2,000 packets/s of packet time. Frames are stored with
// snaplen 96 (headers only), as a header-only capture would be. Deterministic for a seed.
import { closeSync, openSync, writeSync } from 'node:fs';

/** xorshift32: small, fast, deterministic. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const SNAPLEN = 96;

/** Writes `packets` packets of `flows` flows (default 200,000) to `path`. */
export function writeSyntheticPcap(path: string, packets: number, seed: number, flows = 200_000): void {
  const rand = rng(seed);
  const FLOWS = flows;
  const flowSrc = new Uint32Array(FLOWS);
  const flowDst = new Uint32Array(FLOWS);
  const flowPorts = new Uint32Array(FLOWS);
  const flowMean = new Uint16Array(FLOWS);
  const flowUdp = new Uint8Array(FLOWS);
  const CLIENTS = 20_000;
  const serversOf = new Uint32Array(CLIENTS * 4);
  for (let i = 0; i < serversOf.length; i++) serversOf[i] = 0x0a100000 + Math.floor(rand() * 2_000);
  for (let f = 0; f < FLOWS; f++) {
    const client = Math.floor(rand() * CLIENTS);
    flowSrc[f] = 0x0a000000 + client;
    flowDst[f] = serversOf[client * 4 + Math.floor(rand() * (1 + (client % 4)))];
    flowPorts[f] = ((1024 + Math.floor(rand() * 60_000)) << 16) | [80, 443, 53, 22, 25, 8080][Math.floor(rand() * 6)];
    flowMean[f] = 60 + Math.floor(rand() * 1400);
    flowUdp[f] = (flowPorts[f] & 0xffff) === 53 ? 1 : 0;
  }
  const fd = openSync(path, 'w');
  const BUF = 4 << 20;
  const buf = new Uint8Array(BUF);
  const v = new DataView(buf.buffer);
  // global header
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, SNAPLEN, true);
  v.setUint32(20, 1, true);
  let o = 24;
  let tsUs = 1_700_000_000_000_000;
  for (let i = 0; i < packets; i++) {
    if (o + 16 + SNAPLEN > BUF) {
      writeSync(fd, buf, 0, o);
      o = 0;
    }
    // skewed flow choice: squares favour low ids
    const r = rand();
    const f = Math.floor(r * r * FLOWS);
    const reply = rand() < 0.4;
    const udp = flowUdp[f] === 1;
    let wire = flowMean[f] + Math.floor((rand() - 0.5) * 40);
    if (rand() < 0.001) wire = 1514;
    const l4 = udp ? 8 : 20;
    wire = Math.max(14 + 20 + l4, Math.min(1514, wire));
    const cap = Math.min(SNAPLEN, wire);
    tsUs += Math.floor(rand() * 1000);
    v.setUint32(o, Math.floor(tsUs / 1e6), true);
    v.setUint32(o + 4, tsUs % 1e6, true);
    v.setUint32(o + 8, cap, true);
    v.setUint32(o + 12, wire, true);
    const p = o + 16;
    buf.fill(0, p, p + cap);
    v.setUint16(p + 12, 0x0800); // Ethernet: IPv4
    v.setUint8(p + 14, 0x45);
    v.setUint16(p + 16, wire - 14);
    v.setUint8(p + 22, 64);
    v.setUint8(p + 23, udp ? 17 : 6);
    const a = flowSrc[f];
    const b = flowDst[f];
    v.setUint32(p + 26, reply ? b : a);
    v.setUint32(p + 30, reply ? a : b);
    const sp = flowPorts[f] >>> 16;
    const dp = flowPorts[f] & 0xffff;
    v.setUint16(p + 34, reply ? dp : sp);
    v.setUint16(p + 36, reply ? sp : dp);
    if (udp) v.setUint16(p + 38, wire - 34);
    else {
      v.setUint32(p + 38, i);
      v.setUint32(p + 42, i >>> 1);
      v.setUint8(p + 46, 0x50);
      v.setUint8(p + 47, rand() < 0.02 ? 0x02 : 0x18);
    }
    o += 16 + cap;
  }
  writeSync(fd, buf, 0, o);
  closeSync(fd);
}
