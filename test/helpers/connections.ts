// Test helper: Zeek conn.log-like connections (src/ml/connection.ts) from a real capture, for the
// learned-baseline tests. Packets come from test/reference/scan-core.ts readCapturePackets (pcap
// and pcapng, Ethernet, IPv4/IPv6) and are grouped by 5-tuple in either direction: the first
// sender of a connection is orig (as Zeek without a handshake to go by); a packet more than 300 s
// (TCP) or 60 s (UDP and the rest) after the connection's last one starts a new connection (Zeek's
// default tcp/udp inactivity timeouts). ICMP and ICMPv6 get ports 0 (the reader gives type/code
// there), so an echo request and its reply are one connection. Bytes are wire bytes (each
// record's original length); the connections come out in start-time order.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { Connection } from '../../src/ml/connection';
import { readCapturePackets } from '../reference/scan-core';
import { DATA } from './core';

export const TCP_IDLE_US = 300e6;
export const OTHER_IDLE_US = 60e6;

/** Connections of capture bytes (see the file header). */
export function connectionsOfBytes(bytes: Uint8Array): Connection[] {
  const open = new Map<string, { c: Connection; lastUs: number }>();
  const out: Connection[] = [];
  for (const p of readCapturePackets(bytes)) {
    const icmp = p.proto === 1 || p.proto === 58;
    const sport = icmp ? 0 : p.sport;
    const dport = icmp ? 0 : p.dport;
    const fwd = `${p.proto}|${p.src}|${sport}|${p.dst}|${dport}`;
    const rev = `${p.proto}|${p.dst}|${dport}|${p.src}|${sport}`;
    const idle = p.proto === 6 ? TCP_IDLE_US : OTHER_IDLE_US;
    let key = open.has(fwd) ? fwd : open.has(rev) ? rev : fwd;
    let e = open.get(key);
    if (e && p.tsUs - e.lastUs > idle) {
      open.delete(key);
      e = undefined;
      key = fwd;
    }
    if (!e) {
      e = {
        c: { tsUs: p.tsUs, durationS: 0, orig: p.src, resp: p.dst, origPort: sport, respPort: dport, proto: p.proto, origBytes: 0, respBytes: 0, origPkts: 0, respPkts: 0 },
        lastUs: p.tsUs,
      };
      open.set(key, e);
      out.push(e.c);
    }
    const c = e.c;
    if (p.tsUs > e.lastUs) e.lastUs = p.tsUs;
    c.durationS = (e.lastUs - c.tsUs) / 1e6;
    if (p.src === c.orig && sport === c.origPort && p.dst === c.resp) {
      c.origPkts++;
      c.origBytes += p.size;
    } else {
      c.respPkts++;
      c.respBytes += p.size;
    }
  }
  return out.sort((a, b) => a.tsUs - b.tsUs);
}

/** Connections of capture `rel` under /work/shared/data (gunzipped when it ends in .gz). */
export function connectionsOf(rel: string): Connection[] {
  const b = readFileSync(DATA + rel);
  return connectionsOfBytes(rel.endsWith('.gz') ? gunzipSync(b) : new Uint8Array(b.buffer, b.byteOffset, b.length));
}
