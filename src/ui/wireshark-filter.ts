// What an alert is about, as a scope (addresses, protocol, ports, time span), and that scope as a
// Wireshark display filter (issue #5, alert detail "Copy Wireshark display filter"). Pure: no DOM.
//
// The scope per detector (alertScope): the parts the alert really has, nothing guessed.
// - a flow or connection (BLACKLIST, UNUSUAL, FLOWRULE, RETRANS, LONGCONN, PROFILE): both
//   addresses, the protocol and both ports (TCP, UDP, SCTP), either direction;
// - a channel, i.e. a pair of hosts and a protocol (ZSCORE, LARGESIZE, PORTSCAN ports/syn): both
//   addresses and the protocol, either direction (a scan's replies are kept);
// - PORTSCAN hosts (address scan): packets FROM the scanner with the protocol;
// - SYNFLOOD dst/slow: TCP SYNs without ACK TO the victim; SYNFLOOD spread: every SYN without ACK;
// - SPIKE dst: packets TO the destination; LATENCY: the server's address and port (TCP);
// - SPIKE global, PROTOSHIFT: all traffic (time only).
// Every scope carries the alert's first and last evidence time.
//
// The filter (Wireshark display-filter syntax, wireshark-filter(4)): IPv4 ends as ip.addr / ip.src
// / ip.dst, IPv6 ends as ipv6.addr / ipv6.src / ipv6.dst; an end that is not an IP address (a node
// name from a CSV) is left out. Ports as tcp.port / udp.port / sctp.port (each given port must be
// one of the packet's ports); ICMP as icmp / icmpv6 (no type: a flow has both directions); other
// protocols as ip.proto==N (IPv4) or ipv6.nxt==N (IPv6). Time as frame.time_epoch (seconds since
// 1970-01-01 UTC, so no time zone is involved) from the first evidence time to the last,
// inclusive, with µs digits: `frame.time_epoch >= 1678886400.123456 && frame.time_epoch <= ...`.
import ipaddr from 'ipaddr.js';
import {
  DET_BLACKLIST, DET_FLOWRULE, DET_LARGESIZE, DET_LATENCY, DET_LONGCONN, DET_PORTSCAN, DET_PROFILE, DET_PROTOSHIFT,
  DET_RETRANS, DET_SPIKE, DET_SYNFLOOD, DET_UNUSUAL, DET_ZSCORE, PORTSCAN_HOSTS, SPIKE_DST, SYNFLOOD_SPREAD,
} from '../shared/abi';
import type { AnalysisResult } from '../shared/protocol';
import { ipProtoNumber } from '../io/community-id';

/**
 * The packets an alert is about. With both `src` and `dst`: packets between the two, either
 * direction; with one of them: packets from `src` / to `dst` only; with neither: all traffic.
 * `ports` (TCP, UDP, SCTP only): each must be one of the packet's ports. Times in µs since the
 * epoch (UTC), inclusive.
 */
export interface AlertScope {
  src?: string;
  dst?: string;
  /** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
  proto?: number;
  ports?: number[];
  /** Only TCP SYNs without ACK (SYNFLOOD). */
  synOnly?: boolean;
  fromUs: number;
  toUs: number;
}

const PORT_PROTOS: Record<number, string> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };
const FLOW_DETECTORS = new Set([DET_BLACKLIST, DET_UNUSUAL, DET_FLOWRULE, DET_RETRANS, DET_LONGCONN, DET_PROFILE]);
const PAIR_DETECTORS = new Set([DET_ZSCORE, DET_LARGESIZE, DET_PORTSCAN]);

/** The scope of alert i of `result` (see the header for each detector). */
export function alertScope(result: AnalysisResult, i: number): AlertScope {
  const a = result.alerts;
  const det = a.detector[i];
  const variant = a.variant[i];
  const ch = result.channels[a.channel[i]];
  const scope: AlertScope = { fromUs: a.tsUs[i], toUs: a.lastUs[i] };
  if (!ch) return scope;
  const proto = ipProtoNumber(ch.proto);
  const ports = () => (proto !== undefined && PORT_PROTOS[proto] ? [...new Set([a.sport[i], a.dport[i]])] : undefined);
  if (FLOW_DETECTORS.has(det)) {
    Object.assign(scope, { src: ch.src, dst: ch.dst, proto, ports: ports() });
  } else if (det === DET_PORTSCAN && variant === PORTSCAN_HOSTS) {
    Object.assign(scope, { src: ch.src, proto });
  } else if (PAIR_DETECTORS.has(det)) {
    Object.assign(scope, { src: ch.src, dst: ch.dst, proto });
  } else if (det === DET_SYNFLOOD) {
    Object.assign(scope, variant === SYNFLOOD_SPREAD ? { proto: 6, synOnly: true } : { dst: ch.dst, proto: 6, synOnly: true });
  } else if (det === DET_SPIKE && variant === SPIKE_DST) {
    scope.dst = ch.dst;
  } else if (det === DET_LATENCY) {
    Object.assign(scope, { dst: ch.dst, proto: 6, ports: [a.dport[i]] });
  } else if (det === DET_SPIKE || det === DET_PROTOSHIFT) {
    // all traffic
  }
  for (const k of ['src', 'dst', 'proto', 'ports'] as const) if (scope[k] === undefined) delete scope[k];
  return scope;
}

/** 'ip' (IPv4), 'ipv6' or undefined (not an IP address: a node name). */
export function addressFamily(addr: string): 'ip' | 'ipv6' | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(addr)) return 'ip';
  if (ipaddr.IPv6.isValid(addr)) return 'ipv6';
  return undefined;
}

/** µs since the epoch as seconds with 6 decimals, exactly (no float rounding):
 *  1678886400123456 → "1678886400.123456". */
export function epochSeconds(us: number): string {
  const neg = us < 0;
  const abs = Math.abs(Math.trunc(us));
  const s = Math.floor(abs / 1e6);
  const frac = abs - s * 1e6;
  return `${neg ? '-' : ''}${s}.${String(frac).padStart(6, '0')}`;
}

/** An IPv6 address as Wireshark writes it (RFC 5952 compressed form); IPv4 as it is. */
function addrText(addr: string, family: 'ip' | 'ipv6'): string {
  return family === 'ipv6' ? ipaddr.IPv6.parse(addr).toRFC5952String() : addr;
}

/**
 * The scope as a Wireshark display filter (see the header), parts joined with " && ". Throws
 * nothing; a scope with no usable part gives just the time bounds.
 */
export function wiresharkFilter(scope: AlertScope): string {
  const parts: string[] = [];
  let family: 'ip' | 'ipv6' | undefined;
  const ends: [string | undefined, string][] = scope.src !== undefined && scope.dst !== undefined
    ? [[scope.src, 'addr'], [scope.dst, 'addr']]
    : [[scope.src, 'src'], [scope.dst, 'dst']];
  for (const [addr, field] of ends) {
    if (addr === undefined) continue;
    const f = addressFamily(addr);
    if (!f) continue;
    family ??= f;
    parts.push(`${f}.${field}==${addrText(addr, f)}`);
  }
  const p = scope.proto;
  if (p !== undefined) {
    const portProto = PORT_PROTOS[p];
    if (portProto && scope.ports && scope.ports.length > 0) {
      for (const port of [...new Set(scope.ports)]) parts.push(`${portProto}.port==${port}`);
    } else if (portProto) parts.push(portProto);
    else if (p === 1) parts.push('icmp');
    else if (p === 58) parts.push('icmpv6');
    else parts.push(family === 'ipv6' ? `ipv6.nxt==${p}` : `ip.proto==${p}`);
  }
  if (scope.synOnly) parts.push('tcp.flags.syn==1 && tcp.flags.ack==0');
  parts.push(`frame.time_epoch >= ${epochSeconds(scope.fromUs)}`, `frame.time_epoch <= ${epochSeconds(scope.toUs)}`);
  return parts.join(' && ');
}

/** The display filter of alert i of `result`: wiresharkFilter(alertScope(result, i)). */
export function alertWiresharkFilter(result: AnalysisResult, i: number): string {
  return wiresharkFilter(alertScope(result, i));
}
