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

/** latency1 `n` times, 1000 s apart, then latency2: one pcapng of n + 1 sections. */
export function latencyCapture(n = 12): Uint8Array<ArrayBuffer> {
  const base = new Uint8Array(readFileSync(DATA + 'tcp_behaviour/chrissanders_latency1.pcapng'));
  const parts = Array.from({ length: n }, (_, k) => shiftPcapng(base, BigInt(k) * 1_000_000_000n));
  parts.push(new Uint8Array(readFileSync(DATA + 'tcp_behaviour/chrissanders_latency2.pcapng')));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

