// A real capture with a latency baseline before the slow handshake: tcp_behaviour/
// chrissanders_latency1.pcapng (SYN -> SYN/ACK 30 ms) repeated, 1000 s apart, then
// chrissanders_latency2.pcapng (the same client and server, 878.5 ms; MANIFEST.md). Used by the
// LATENCY series test and the browser test.
import { readFileSync } from 'node:fs';
import { DATA } from '../helpers/core';

/** pcapng with every EPB timestamp (µs resolution) moved by `shiftUs`. */
export function shiftPcapng(b: Uint8Array, shiftUs: bigint): Uint8Array {
  const out = b.slice();
  const v = new DataView(out.buffer);
  for (let o = 0; o + 12 <= out.length; ) {
    const type = v.getUint32(o, true);
    const len = v.getUint32(o + 4, true);
    if (type === 6) {
      const ts = ((BigInt(v.getUint32(o + 12, true)) << 32n) | BigInt(v.getUint32(o + 16, true))) + shiftUs;
      v.setUint32(o + 12, Number(ts >> 32n), true);
      v.setUint32(o + 16, Number(ts & 0xffffffffn), true);
    }
    o += len;
  }
  return out;
}

/** The first EPB timestamp of a pcapng (µs resolution). */
function firstEpbUs(b: Uint8Array): bigint {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let o = 0; o + 12 <= b.length; o += v.getUint32(o + 4, true)) {
    if (v.getUint32(o, true) === 6) return (BigInt(v.getUint32(o + 12, true)) << 32n) | BigInt(v.getUint32(o + 16, true));
  }
  throw new Error('no enhanced packet block');
}

/** latency1 `n` times, 1000 s apart, then latency2 (at its own time, four months later, or with
 *  `adjacent` 1000 s after the last latency1, so that a chart over time shows every sample): one
 *  pcapng of n + 1 sections. */
export function latencyCapture(n = 12, adjacent = false): Uint8Array<ArrayBuffer> {
  const base = new Uint8Array(readFileSync(DATA + 'tcp_behaviour/chrissanders_latency1.pcapng'));
  const parts = Array.from({ length: n }, (_, k) => shiftPcapng(base, BigInt(k) * 1_000_000_000n));
  let slow: Uint8Array = new Uint8Array(readFileSync(DATA + 'tcp_behaviour/chrissanders_latency2.pcapng'));
  if (adjacent) slow = shiftPcapng(slow, firstEpbUs(base) + BigInt(n) * 1_000_000_000n - firstEpbUs(slow));
  parts.push(slow);
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
