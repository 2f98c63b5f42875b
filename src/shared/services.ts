// The "normal services" of the UNUSUAL detector (assembly/detect/flow-rules.ts): which (protocol,
// server port) pairs a flow may use without being unusual. Holds the default list and the parser
// that turns entries like "tcp/80", "udp/5353", "tcp/6000-6063", "icmp" or "proto/47" into the
// bitmaps the core reads (abi.SERVICES_*). Plain data and a pure function: no DOM, no Node, no
// dependencies, so protocol.ts may import it for DEFAULT_OPTIONS.
import { SERVICES_BYTES, SERVICES_PROTO, SERVICES_TCP, SERVICES_UDP } from './abi';

/** A rejected list entry: `line` is its 1-based position (index in the list + 1, or the line of
 *  a text file), `entry` the text as given, `message` what is wrong with it. */
export interface EntryError {
  line: number;
  entry: string;
  message: string;
}

/**
 * Common services, with the IANA "Service Name and Transport Protocol Port Number Registry" port
 * (or the IP protocol number) of each. A flow whose server port is in this list is never UNUSUAL.
 * Chosen to cover the benign captures in shared/data/normal (HTTP, TLS, QUIC, DNS, SMTP, SSH, FTP,
 * SMB, IRC) plus the usual LAN chatter (DHCP, NetBIOS, mDNS, LLMNR, SSDP, NTP) and management
 * protocols; ephemeral ranges are deliberately absent.
 */
export const DEFAULT_NORMAL_SERVICES: readonly string[] = [
  'tcp/20-21', // FTP data and control (RFC 959)
  'tcp/22', // SSH
  'tcp/23', // Telnet
  'tcp/25', // SMTP
  'tcp/53', // DNS over TCP (zone transfers, large answers)
  'udp/53', // DNS
  'udp/67-68', // DHCP / BOOTP server and client
  'udp/69', // TFTP
  'tcp/80', // HTTP
  'tcp/88', // Kerberos
  'udp/88', // Kerberos
  'tcp/110', // POP3
  'udp/123', // NTP
  'tcp/135', // MS RPC endpoint mapper
  'udp/137-138', // NetBIOS name and datagram service
  'tcp/139', // NetBIOS session service (SMB over NetBIOS)
  'tcp/143', // IMAP
  'udp/161-162', // SNMP and SNMP traps
  'tcp/389', // LDAP
  'udp/389', // CLDAP
  'tcp/443', // HTTPS (TLS)
  'udp/443', // QUIC (HTTP/3)
  'tcp/445', // SMB over TCP
  'tcp/465', // SMTP submission over TLS
  'udp/500', // IKE / ISAKMP (IPsec)
  'udp/514', // syslog
  'tcp/587', // SMTP submission
  'tcp/631', // IPP (printing)
  'tcp/636', // LDAPS
  'tcp/853', // DNS over TLS
  'tcp/993', // IMAPS
  'tcp/995', // POP3S
  'udp/1900', // SSDP (UPnP discovery)
  'tcp/3389', // RDP
  'udp/3478', // STUN / TURN
  'udp/4500', // IPsec NAT traversal
  'udp/5353', // mDNS
  'udp/5355', // LLMNR
  'tcp/5222-5223', // XMPP client and XMPP over TLS (also Apple push)
  'tcp/6667', // IRC
  'tcp/8080', // HTTP alternate / proxies
  'tcp/8443', // HTTPS alternate
  'icmp', // ICMP (echo, unreachable, time exceeded)
  'icmpv6', // ICMPv6 (neighbour discovery, echo)
  'proto/2', // IGMP (multicast group membership)
];

/** IP protocol names accepted as whole-protocol entries (IANA "Protocol Numbers" keywords). */
const PROTO_BY_NAME: ReadonlyMap<string, number> = new Map([
  ['icmp', 1],
  ['igmp', 2],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['icmpv6', 58],
  ['icmp6', 58],
  ['ospf', 89],
  ['pim', 103],
  ['vrrp', 112],
  ['sctp', 132],
]);

const PORT = /^\d{1,5}$/;

function port(text: string): number | string {
  if (!PORT.test(text)) return `"${text}" is not a port number (0-65535)`;
  const p = Number(text);
  return p <= 65535 ? p : `port ${p} is above 65535`;
}

function setBit(bitmap: Uint8Array, base: number, bit: number): void {
  bitmap[base + (bit >>> 3)] |= 1 << (bit & 7);
}

/**
 * Parses normal-service entries into the core's bitmaps (abi.SERVICES_BYTES: TCP ports at
 * SERVICES_TCP, UDP ports at SERVICES_UDP, whole IP protocols at SERVICES_PROTO; byte i holds
 * ports 8i..8i+7, bit 0 the lowest). Accepted forms, case-insensitive, surrounding spaces ignored:
 * - `tcp/P`, `udp/P` — one port, 0-65535;
 * - `tcp/A-B`, `udp/A-B` — every port from A to B inclusive (A <= B);
 * - `proto/N` — every port of IP protocol N (0-255);
 * - `icmp`, `icmpv6`, `igmp`, `gre`, `esp`, `ah`, `ospf`, `pim`, `vrrp`, `sctp` — the same by name.
 * Empty entries are ignored. Bad entries are skipped and reported with their 1-based position;
 * the bitmap holds every good one.
 */
export function parseServices(entries: readonly string[]): { bitmap: Uint8Array; errors: EntryError[] } {
  const bitmap = new Uint8Array(SERVICES_BYTES);
  const errors: EntryError[] = [];
  entries.forEach((raw, i) => {
    const fail = (message: string) => errors.push({ line: i + 1, entry: raw, message });
    if (typeof raw !== 'string') return fail('not a text entry');
    const e = raw.trim().toLowerCase();
    if (e === '') return;
    const named = PROTO_BY_NAME.get(e);
    if (named !== undefined) return setBit(bitmap, SERVICES_PROTO, named);
    const slash = e.indexOf('/');
    if (slash < 0) {
      if (e === 'tcp' || e === 'udp') return fail(`"${raw.trim()}" needs a port: ${e}/PORT or ${e}/FIRST-LAST`);
      return fail(`unknown service "${raw.trim()}": expected tcp/PORT, udp/PORT, tcp/FIRST-LAST, proto/NUMBER or a protocol name (icmp, icmpv6, igmp, gre, ...)`);
    }
    const kind = e.slice(0, slash).trim();
    const rest = e.slice(slash + 1).trim();
    if (kind === 'proto') {
      if (!/^\d{1,3}$/.test(rest) || Number(rest) > 255) return fail(`"${rest}" is not an IP protocol number (0-255)`);
      return setBit(bitmap, SERVICES_PROTO, Number(rest));
    }
    if (kind !== 'tcp' && kind !== 'udp') {
      return fail(`unknown protocol "${kind}": only tcp and udp have ports (use proto/NUMBER or a name for others)`);
    }
    const dash = rest.indexOf('-');
    const a = port(dash < 0 ? rest : rest.slice(0, dash).trim());
    if (typeof a === 'string') return fail(a);
    const b = dash < 0 ? a : port(rest.slice(dash + 1).trim());
    if (typeof b === 'string') return fail(b);
    if (b < a) return fail(`range ${a}-${b} runs backwards (first port must be <= last)`);
    const base = kind === 'tcp' ? SERVICES_TCP : SERVICES_UDP;
    for (let p = a; p <= b; p++) setBit(bitmap, base, p);
  });
  return { bitmap, errors };
}
