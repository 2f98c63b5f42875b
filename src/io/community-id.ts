// Community ID v1 (corelight/community-id-spec, README "Technical details" and the reference
// community-id.py): a flow hash that Zeek, Suricata, Arkime and Wireshark compute the same way,
// so an alert of ours can be joined with their records of the same flow.
//
//   "1:" + base64(SHA-1(seed u16 BE | addr lo | addr hi | proto u8 | 0 u8 | port lo u16 BE | port hi u16 BE))
//
// The endpoints are ordered (smaller address first, then smaller port) so both directions hash
// alike; addresses are 4 bytes for IPv4, 16 for IPv6. Ports are hashed only for TCP, UDP, SCTP,
// ICMP and ICMPv6; ICMP's "ports" are (type, counterpart type) for request/reply types and
// (type, code) for the others, which are one-way (never reordered).
//
// SHA-1 is computed here, synchronously (FIPS 180-4): WebCrypto's crypto.subtle.digest is async,
// which would make every row writer async, no SHA-1 library is in the dependencies, and the
// input is one 40-byte block at most. Runs per alert or flow written, never per packet. Not for
// anything security-related: Community ID is an identifier, not a MAC.
import ipaddr from 'ipaddr.js';

/** A 5-tuple as seen in one packet or flow direction. ICMP/ICMPv6: sport = type, dport = code. */
export interface FiveTuple {
  /** IPv4 dotted quad or IPv6 text (IPv4-mapped IPv6 is hashed as IPv6, as the spec does). */
  src: string;
  dst: string;
  /** IP protocol number (6 TCP, 17 UDP, 132 SCTP, 1 ICMP, 58 ICMPv6, any other 0-255). */
  proto: number;
  sport: number;
  dport: number;
}

/** ICMPv4 request/reply counterparts (spec; Zeek's ICMP4_counterpart). Router advertisement (9)
 *  has none: it is one-way while solicitation (10) maps to it. */
const ICMP4_PAIRS: ReadonlyMap<number, number> = new Map([
  [8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [17, 18], [18, 17],
]);
/** ICMPv6 counterparts: echo, router and neighbor discovery, MLD query/report, node information
 *  (who-are-you), home agent address discovery. */
const ICMP6_PAIRS: ReadonlyMap<number, number> = new Map([
  [128, 129], [129, 128], [133, 134], [134, 133], [135, 136], [136, 135], [130, 131], [131, 130],
  [139, 140], [140, 139], [144, 145], [145, 144],
]);

const PORT_PROTOS = new Set([1, 6, 17, 58, 132]);

/** The address as 4 (IPv4) or 16 (IPv6) bytes, or null when `a` is not an IP address. */
function addrBytes(a: string): number[] | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(a)) return ipaddr.IPv4.parse(a).toByteArray();
  if (ipaddr.IPv6.isValid(a)) return ipaddr.IPv6.parse(a).toByteArray();
  return null;
}

/** -1, 0, 1: byte-wise comparison, shorter (IPv4) first when lengths differ. */
function compareBytes(x: number[], y: number[]): number {
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

/**
 * The hash input of `t` per the spec (seed, ordered endpoints, protocol, padding, ports), or null
 * when src or dst is not an IP address (node names), the families differ, or proto is not 0-255.
 */
export function communityIdInput(t: FiveTuple, seed = 0): Uint8Array | null {
  let a = addrBytes(t.src);
  let b = addrBytes(t.dst);
  if (!a || !b || a.length !== b.length || !Number.isInteger(t.proto) || t.proto < 0 || t.proto > 255) return null;
  let p = t.sport & 0xffff;
  let q = t.dport & 0xffff;
  let oneWay = false;
  if (t.proto === 1 || t.proto === 58) {
    const pair = (t.proto === 1 ? ICMP4_PAIRS : ICMP6_PAIRS).get(p);
    if (pair === undefined) oneWay = true;
    else q = pair;
  }
  const c = compareBytes(a, b);
  if (!oneWay && (c > 0 || (c === 0 && p > q))) {
    [a, b] = [b, a];
    [p, q] = [q, p];
  }
  const ports = PORT_PROTOS.has(t.proto);
  const out = new Uint8Array(2 + a.length * 2 + 2 + (ports ? 4 : 0));
  out[0] = (seed >>> 8) & 0xff;
  out[1] = seed & 0xff;
  out.set(a, 2);
  out.set(b, 2 + a.length);
  let k = 2 + a.length * 2;
  out[k++] = t.proto;
  out[k++] = 0;
  if (ports) {
    out[k++] = p >>> 8;
    out[k++] = p & 0xff;
    out[k++] = q >>> 8;
    out[k++] = q & 0xff;
  }
  return out;
}

/**
 * Community ID v1 of `t` ("1:" + 28 base64 characters), or undefined when it has none (see
 * communityIdInput). `seed` 0-65535, 0 by default as in Zeek and Suricata.
 */
export function communityId(t: FiveTuple, seed = 0): string | undefined {
  const input = communityIdInput(t, seed);
  return input ? '1:' + base64(sha1(input)) : undefined;
}

/** The first 53 bits of the SHA-1 of the Community ID input as a safe integer (EVE flow_id), or
 *  undefined when the tuple has no Community ID. Same tuple (either direction), same number. */
export function communityFlowId(t: FiveTuple, seed = 0): number | undefined {
  const input = communityIdInput(t, seed);
  if (!input) return undefined;
  const h = sha1(input);
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + h[i];
  return v * 32 + (h[6] >>> 3);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 (RFC 4648 §4) with padding. */
export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >>> 18) & 63] + B64[(n >>> 12) & 63];
    out += i + 1 < bytes.length ? B64[(n >>> 6) & 63] : '=';
    out += i + 2 < bytes.length ? B64[n & 63] : '=';
  }
  return out;
}

/** SHA-1 (FIPS 180-4 §6.1) of `msg`: 20 bytes. Any length; written for short inputs. */
export function sha1(msg: Uint8Array): Uint8Array {
  const bitLen = msg.length * 8;
  const padded = new Uint8Array((((msg.length + 8) >>> 6) + 1) << 6);
  padded.set(msg);
  padded[msg.length] = 0x80;
  const dv = new DataView(padded.buffer);
  dv.setUint32(padded.length - 8, Math.floor(bitLen / 2 ** 32));
  dv.setUint32(padded.length - 4, bitLen >>> 0);
  let h0 = 0x67452301, h1 = 0xefcdab89, h2 = 0x98badcfe, h3 = 0x10325476, h4 = 0xc3d2e1f0;
  const w = new Uint32Array(80);
  for (let off = 0; off < padded.length; off += 64) {
    for (let t = 0; t < 16; t++) w[t] = dv.getUint32(off + t * 4);
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number, k: number;
      if (t < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
      else if (t < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
      else if (t < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
      else { f = b ^ c ^ d; k = 0xca62c1d6; }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) >>> 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    h0 = (h0 + a) >>> 0; h1 = (h1 + b) >>> 0; h2 = (h2 + c) >>> 0; h3 = (h3 + d) >>> 0; h4 = (h4 + e) >>> 0;
  }
  const out = new Uint8Array(20);
  const ov = new DataView(out.buffer);
  [h0, h1, h2, h3, h4].forEach((h, i) => ov.setUint32(i * 4, h));
  return out;
}

/** IP protocol number of a channel's protocol text ("TCP", "ICMPv6", "47"), or undefined for
 *  names that are not IP protocols (interned names from CSV rows such as "DNS"). */
export function ipProtoNumber(proto: string): number | undefined {
  const n = IP_PROTO_BY_NAME.get(proto.toLowerCase());
  if (n !== undefined) return n;
  return /^\d{1,3}$/.test(proto) && Number(proto) <= 255 ? Number(proto) : undefined;
}

const IP_PROTO_BY_NAME: ReadonlyMap<string, number> = new Map([
  ['icmp', 1], ['igmp', 2], ['ipip', 4], ['tcp', 6], ['udp', 17], ['ipv6', 41], ['gre', 47], ['esp', 50],
  ['ah', 51], ['icmpv6', 58], ['eigrp', 88], ['ospf', 89], ['pim', 103], ['vrrp', 112], ['sctp', 132],
  ['udplite', 136],
]);
