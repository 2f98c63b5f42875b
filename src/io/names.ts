// NameTable: turns the address and protocol strings of CSV/JSON rows into the fixed-size values of
// the packed record (16-byte addresses, u16 protocol labels), and back into strings for output.
// It owns the interning of node names (into 100::/64, RFC 6666) and protocol names (labels 256+).
// IP strings are parsed with ipaddr.js only; nothing here parses addresses by hand or evaluates
// input. Ids are assigned from 0 in first-seen order, so the same input gives the same ids.
import ipaddr from 'ipaddr.js';
import { NODE_PREFIX_BYTE0 } from '../shared/abi';

/** Protocol numbers with a conventional name (IANA "Protocol Numbers" registry keywords, spelled
 *  as Wireshark shows them). formatProto() uses these; protoLabel() accepts them case-insensitively. */
const PROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'ICMP'],
  [2, 'IGMP'],
  [4, 'IPIP'],
  [6, 'TCP'],
  [17, 'UDP'],
  [41, 'IPv6'],
  [47, 'GRE'],
  [50, 'ESP'],
  [51, 'AH'],
  [58, 'ICMPv6'],
  [88, 'EIGRP'],
  [89, 'OSPF'],
  [103, 'PIM'],
  [112, 'VRRP'],
  [132, 'SCTP'],
  [136, 'UDPLite'],
]);

/** Lower-case protocol names that mean an IP protocol number. "IPv6" is deliberately absent: in a
 *  capture tool's Protocol column it names the layer, not IP protocol 41, so it is interned. */
const PROTO_NUMBERS: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['igmp', 2],
  ['ipip', 4],
  ['ipencap', 4],
  ['tcp', 6],
  ['udp', 17],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['icmpv6', 58],
  ['icmp6', 58],
  ['ipv6-icmp', 58],
  ['eigrp', 88],
  ['ospf', 89],
  ['ospfigp', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['sctp', 132],
  ['udplite', 136],
]);

/** Application protocol name prefixes (lower case) and the transport they usually run on. A name
 *  that starts with one of these gets that `proto`; e.g. "TLSv1.2" → 6, "DNS" → 17. */
const TCP_APPS = ['http', 'tls', 'ssl', 'ssh', 'ftp', 'smtp', 'imap', 'pop', 'telnet', 'smb', 'rdp',
  'bgp', 'ldap', 'irc', 'xmpp', 'mysql', 'pgsql', 'mqtt', 'rtsp', 'kerberos', 'nbss', 'vnc', 'modbus'];
const UDP_APPS = ['dns', 'mdns', 'llmnr', 'ntp', 'dhcp', 'bootp', 'snmp', 'ssdp', 'quic', 'syslog',
  'tftp', 'nbns', 'nbds', 'rtp', 'rtcp', 'stun', 'coap', 'openvpn', 'wireguard', 'netflow', 'cldap'];

/** Protocol labels above this are never handed out (REC_PROTO_LABEL is a u16). */
const MAX_PROTO_LABEL = 0xffff;
/** IP strings remembered by address() before the cache is cleared (bounds memory on hostile input). */
const IP_CACHE_LIMIT = 1 << 16;

/** Result of NameTable.protoLabel(): `label` is the channel's protocol label (REC_PROTO_LABEL),
 *  `proto` the IP protocol number for REC_PROTO (0 when unknown). */
export interface ProtoLabel {
  label: number;
  proto: number;
}

/**
 * Interning table for node names and protocol names, shared by the row reader (src/io/rows.ts)
 * and the output formatters. One instance per analysis: ids are only meaningful with the table
 * that issued them.
 */
export class NameTable {
  private readonly nodeIds = new Map<string, number>();
  private readonly nodeNames: string[] = [];
  private readonly ipCache = new Map<string, Uint8Array>();
  private readonly protoIds = new Map<string, number>();
  private readonly protoNames: string[] = [];
  private readonly protoCache = new Map<string, ProtoLabel>();
  private readonly protoTransports: number[] = [];
  private readonly v4Strings = new Map<number, string>();
  private readonly v6Strings = new Map<string, string>();

  /** Number of distinct node names interned so far. */
  get nodeCount(): number {
    return this.nodeNames.length;
  }

  /** Number of distinct protocol names interned so far (labels 256 .. 256 + protoCount - 1). */
  get protoCount(): number {
    return this.protoNames.length;
  }

  /**
   * Writes the 16-byte address of `value` into `out[at .. at+16)`.
   * - dotted-quad IPv4 ("10.0.0.1") → IPv4-mapped IPv6 (::ffff:10.0.0.1);
   * - any IPv6 form ipaddr.js accepts ("2001:db8::1", "::ffff:1.2.3.4", "fe80::1%eth0" — the zone is
   *   dropped) → its 16 bytes;
   * - anything else, e.g. "A" or "web-01", is a node name → 0100::xxxx:xxxx (byte 0 =
   *   NODE_PREFIX_BYTE0, bytes 1–11 = 0, bytes 12–15 = the name's id, big-endian).
   * Leading/trailing whitespace is ignored. Names are case-sensitive ("a" ≠ "A"). Never throws;
   * the caller rejects empty values before calling.
   */
  address(value: string, out: Uint8Array, at: number): void {
    const v = value.trim();
    const id = this.nodeIds.get(v);
    if (id !== undefined) {
      writeNode(id, out, at);
      return;
    }
    const cached = this.ipCache.get(v);
    if (cached !== undefined) {
      out.set(cached, at);
      return;
    }
    const ip = parseIp(v);
    if (ip === null) {
      const newId = this.nodeNames.length;
      const name = own(v);
      this.nodeIds.set(name, newId);
      this.nodeNames.push(name);
      writeNode(newId, out, at);
      return;
    }
    if (this.ipCache.size >= IP_CACHE_LIMIT) this.ipCache.clear();
    this.ipCache.set(own(v), ip);
    out.set(ip, at);
  }

  /**
   * Maps a protocol value to its channel label and IP protocol number.
   * - integers 0–255 (numbers or decimal strings) and known names (TCP, UDP, ICMP, ICMPv6 /
   *   IPV6-ICMP, GRE, ESP, AH, SCTP, IGMP, OSPF, ... case-insensitive) → label = proto = the number;
   * - any other name (HTTP, DNS, TLSv1.2, ...) → label = 256 + an id interned case-insensitively
   *   (first spelling kept for output); proto = 6 for TCP application protocols (HTTP, TLS, SSH,
   *   ...), 17 for UDP ones (DNS, NTP, QUIC, ...), else 0;
   * - empty, non-integer or out-of-range numbers, or names beyond the 65,280 label slots → label 0
   *   ("unknown"), proto 0.
   */
  protoLabel(value: string | number): Readonly<ProtoLabel> {
    if (typeof value === 'number') {
      return Number.isInteger(value) && value >= 0 && value <= 255 ? { label: value, proto: value } : { label: 0, proto: 0 };
    }
    const hit = this.protoCache.get(value);
    if (hit !== undefined) return hit;
    const r = this.protoLabelOf(value);
    if (this.protoCache.size >= 4096) this.protoCache.clear();
    this.protoCache.set(own(value), r);
    return r;
  }

  private protoLabelOf(value: string): ProtoLabel {
    const v = value.trim();
    if (v === '') return { label: 0, proto: 0 };
    if (/^\d{1,3}$/.test(v)) return this.protoLabel(Number(v));
    const key = v.toLowerCase();
    const known = PROTO_NUMBERS.get(key);
    if (known !== undefined) return { label: known, proto: known };
    let id = this.protoIds.get(key);
    if (id === undefined) {
      if (256 + this.protoNames.length > MAX_PROTO_LABEL) return { label: 0, proto: 0 };
      id = this.protoNames.length;
      this.protoIds.set(own(key), id);
      this.protoNames.push(own(v));
      this.protoTransports.push(transportOf(key));
    }
    return { label: 256 + id, proto: this.protoTransports[id] };
  }

  /**
   * Formats a 16-byte address (a record's or alert's src/dst): IPv4-mapped → "a.b.c.d"; a node id
   * in 100::/64 issued by this table → the original name; anything else → RFC 5952 IPv6 text
   * (ipaddr.js). Results are cached, so formatting 200,000 alerts costs map look-ups.
   */
  formatAddress(bytes16: Uint8Array): string {
    const b = bytes16;
    let zero = true;
    for (let i = 1; i < 10; i++) {
      if (b[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero && b[0] === 0 && b[10] === 0xff && b[11] === 0xff) {
      const key = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) >>> 0;
      let s = this.v4Strings.get(key);
      if (s === undefined) {
        s = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
        if (this.v4Strings.size >= IP_CACHE_LIMIT) this.v4Strings.clear();
        this.v4Strings.set(key, s);
      }
      return s;
    }
    if (zero && b[0] === NODE_PREFIX_BYTE0 && b[10] === 0 && b[11] === 0) {
      const id = ((b[12] << 24) | (b[13] << 16) | (b[14] << 8) | b[15]) >>> 0;
      if (id < this.nodeNames.length) return this.nodeNames[id];
    }
    let key = '';
    for (let i = 0; i < 16; i += 2) key += String.fromCharCode((b[i] << 8) | b[i + 1]);
    let s = this.v6Strings.get(key);
    if (s === undefined) {
      s = (ipaddr.fromByteArray(Array.from(b.subarray(0, 16))) as ipaddr.IPv6).toRFC5952String();
      if (this.v6Strings.size >= IP_CACHE_LIMIT) this.v6Strings.clear();
      this.v6Strings.set(key, s);
    }
    return s;
  }

  /**
   * Formats a protocol label: 0 → "unknown"; 1–255 → the IANA keyword when common (6 "TCP",
   * 17 "UDP", 1 "ICMP", 58 "ICMPv6", 47 "GRE", ...) else the number as a string; 256+ → the interned
   * name in its first-seen spelling ("proto-<label>" if this table never issued it).
   */
  formatProto(label: number): string {
    if (label === 0) return 'unknown';
    if (label < 256) return PROTO_NAMES.get(label) ?? String(label);
    return this.protoNames[label - 256] ?? `proto-${label}`;
  }
}

/** Parses an IPv4 dotted quad or an IPv6 string into 16 bytes, or null for anything else.
 *  IPv4 must be four decimal parts: ipaddr.js would otherwise read "10" or "0x7f.1" as addresses. */
function parseIp(v: string): Uint8Array | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(v)) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(ipaddr.IPv4.parse(v).octets, 12);
    return out;
  }
  if (v.includes(':') && ipaddr.IPv6.isValid(v)) {
    return Uint8Array.from(ipaddr.IPv6.parse(v).toByteArray());
  }
  return null;
}

/** A copy of `s` that does not share memory with a larger string. V8 represents substrings of 13+
 *  characters as slices that keep their parent alive; CSV fields are slices of a whole decoded
 *  chunk, so a long-lived Map key would otherwise pin megabytes per entry. */
function own(s: string): string {
  return (' ' + s).slice(1);
}

function writeNode(id: number, out: Uint8Array, at: number): void {
  out.fill(0, at, at + 16);
  out[at] = NODE_PREFIX_BYTE0;
  out[at + 12] = (id >>> 24) & 0xff;
  out[at + 13] = (id >>> 16) & 0xff;
  out[at + 14] = (id >>> 8) & 0xff;
  out[at + 15] = id & 0xff;
}

function transportOf(lowerName: string): number {
  for (const p of TCP_APPS) if (lowerName.startsWith(p)) return 6;
  for (const p of UDP_APPS) if (lowerName.startsWith(p)) return 17;
  return 0;
}
