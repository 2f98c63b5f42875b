// Link layers: from a captured frame to its IP header, by pcap LINKTYPE number
// (https://www.tcpdump.org/linktypes.html). Ethernet with 802.1Q/802.1ad/QinQ tags, LLC/SNAP,
// PPPoE session and MPLS; Linux SLL/SLL2; raw IP; BSD null/loop. Also keeps the per-interface
// bookkeeping (C_INTERFACES, C_INTERFACES_UNSUPPORTED, C_LINKTYPE) and the finish-time
// ERR_UNSUPPORTED_LINKTYPE rule. Returns counter ids; never allocates, never throws.
import * as abi from "../abi";
import { cInc, cGet, cSet } from "../counters";
import { setPktVlan } from "../packet";
import { be16, be32 } from "./bytes";
import { decodeIPv4, decodeIPv6 } from "./ip";
import { failAt } from "./state";

export const LT_NULL: u32 = 0;
export const LT_ETHERNET: u32 = 1;
export const LT_PPP: u32 = 9;
export const LT_RAW_DLT12: u32 = 12;
export const LT_RAW_DLT14: u32 = 14;
export const LT_PPP_HDLC: u32 = 50;
export const LT_RAW: u32 = 101;
export const LT_C_HDLC: u32 = 104;
export const LT_LOOP: u32 = 108;
export const LT_LINUX_SLL: u32 = 113;
export const LT_IPV4: u32 = 228;
export const LT_IPV6: u32 = 229;
export const LT_LINUX_SLL2: u32 = 276;

/** Ethernet tags and MPLS labels walked before giving up (bounds the loop on hostile frames). */
const MAX_TAGS: i32 = 8;

let firstUnsupportedOffset: f64 = -1;
let interfacesSeen: u32 = 0;
let interfacesUnsupported: u32 = 0;

export function linkReset(): void {
  firstUnsupportedOffset = -1;
  interfacesSeen = 0;
  interfacesUnsupported = 0;
}

/** True for the link types decodeFrame() understands. */
export function linkSupported(lt: u32): bool {
  return lt == LT_ETHERNET || lt == LT_LINUX_SLL || lt == LT_LINUX_SLL2 || lt == LT_RAW ||
    lt == LT_RAW_DLT12 || lt == LT_RAW_DLT14 || lt == LT_IPV4 || lt == LT_IPV6 || lt == LT_NULL ||
    lt == LT_LOOP || lt == LT_PPP || lt == LT_PPP_HDLC || lt == LT_C_HDLC;
}

/** Registers an interface (pcap file header or pcapng IDB at stream offset `headerOffset`). */
export function noteInterface(lt: u32, headerOffset: f64): void {
  if (interfacesSeen == 0) cSet(abi.C_LINKTYPE, <f64>lt);
  interfacesSeen++;
  cInc(abi.C_INTERFACES);
  if (!linkSupported(lt)) {
    interfacesUnsupported++;
    cInc(abi.C_INTERFACES_UNSUPPORTED);
    if (firstUnsupportedOffset < 0) firstUnsupportedOffset = headerOffset;
  }
}

/** Number of interfaces registered so far (all sections). */
export function linkInterfaceCount(): u32 { return interfacesSeen; }

/** At finish(): no packet decoded and every interface unsupported → ERR_UNSUPPORTED_LINKTYPE at the
 *  first such interface's header. Returns true when it set the error. */
export function linkFinishError(): bool {
  if (interfacesSeen > 0 && interfacesUnsupported == interfacesSeen && cGet(abi.C_PACKETS_DECODED) == 0) {
    failAt(abi.ERR_UNSUPPORTED_LINKTYPE, firstUnsupportedOffset);
    return true;
  }
  return false;
}

/** IP by version nibble (raw IP links, MPLS payloads). */
@inline function byVersion(q: usize, end: usize): i32 {
  if (q >= end) return abi.C_SKIP_TRUNCATED;
  const v = <u32>load<u8>(q) >> 4;
  if (v == 4) return decodeIPv4(q, end);
  if (v == 6) return decodeIPv6(q, end);
  return abi.C_SKIP_NOT_IP;
}

/** PPP protocol field (RFC 1661): 0x0021 IPv4, 0x0057 IPv6. */
@inline function byPpp(proto: u32, q: usize, end: usize): i32 {
  if (proto == 0x0021) return decodeIPv4(q, end);
  if (proto == 0x0057) return decodeIPv6(q, end);
  return abi.C_SKIP_NOT_IP;
}

/**
 * Ethertype dispatch from `q` (first byte after the type field) with type `et`: VLAN tags
 * (0x8100, 0x88a8, 0x9100; one tag → vlan = id, two → (outer << 12) | inner), PPPoE session
 * (0x8864), MPLS (0x8847/0x8848, payload by version nibble or an Ethernet pseudowire), 802.1ah
 * PBB (0x88e7), Cisco FabricPath (0x8903), IPv4, IPv6; else not IP. At most MAX_TAGS layers.
 */
function byEthertype(et: u32, q: usize, end: usize): i32 {
  let tags = 0;
  let vlan: u32 = 0;
  for (let i = 0; i < MAX_TAGS; i++) {
    if (et == 0x0800) return decodeIPv4(q, end);
    if (et == 0x86dd) return decodeIPv6(q, end);
    if (et == 0x8100 || et == 0x88a8 || et == 0x9100) {
      if (q + 4 > end) return abi.C_SKIP_TRUNCATED;
      const vid = be16(q) & 0xfff;
      if (tags == 0) vlan = vid;
      else if (tags == 1) vlan = (vlan << 12) | vid;
      tags++;
      setPktVlan(vlan);
      et = be16(q + 2);
      q += 4;
      continue;
    }
    if (et == 0x8864) {
      if (q + 8 > end) return abi.C_SKIP_TRUNCATED;
      return byPpp(be16(q + 6), q + 8, end);
    }
    if (et == 0x8847 || et == 0x8848) {
      let bos = 0;
      for (let j = 0; j < MAX_TAGS && !bos; j++) {
        if (q + 4 > end) return abi.C_SKIP_TRUNCATED;
        bos = load<u8>(q, 2) & 1;
        q += 4;
      }
      if (!bos || q >= end) return abi.C_SKIP_NOT_IP;
      const nib = <u32>load<u8>(q) >> 4;
      if (nib != 0) return byVersion(q, end);
      // Ethernet pseudowire (RFC 4448): 4-byte control word, then an Ethernet frame.
      if (q + 18 > end) return abi.C_SKIP_TRUNCATED;
      et = be16(q + 16);
      q += 18;
      continue;
    }
    if (et == 0x88e7) {
      // 802.1ah PBB: 4-byte I-TAG, then the customer Ethernet header (12 bytes of MACs + type).
      if (q + 18 > end) return abi.C_SKIP_TRUNCATED;
      et = be16(q + 16);
      q += 18;
      continue;
    }
    if (et == 0x8903) {
      // Cisco FabricPath: 2-byte FTag/TTL after the type, then the inner Ethernet header.
      if (q + 16 > end) return abi.C_SKIP_TRUNCATED;
      et = be16(q + 14);
      q += 16;
      continue;
    }
    return abi.C_SKIP_NOT_IP;
  }
  return abi.C_SKIP_NOT_IP;
}

/** BSD loopback family values for IPv4 (2) and IPv6 (24 NetBSD/OpenBSD, 28 FreeBSD, 30 macOS). */
@inline function byFamily(fam: u32, q: usize, end: usize): i32 {
  if (fam == 2) return decodeIPv4(q, end);
  if (fam == 24 || fam == 28 || fam == 30) return decodeIPv6(q, end);
  return abi.C_SKIP_NOT_IP;
}

/**
 * Decodes one captured frame of link type `lt` at `p` (`cap` captured bytes) into the packet
 * globals. Returns abi.C_PACKETS_DECODED or the C_SKIP_* counter that explains the skip: a frame
 * shorter than its link header is C_SKIP_TRUNCATED, an unknown link type C_SKIP_UNSUPPORTED_LINK.
 */
export function decodeFrame(lt: u32, p: usize, cap: u32): i32 {
  const end = p + <usize>cap;
  if (lt == LT_ETHERNET) {
    if (cap < 14) return abi.C_SKIP_TRUNCATED;
    const et = be16(p + 12);
    if (et < 0x600) {
      // 802.3 length field: LLC; only SNAP with OUI 0 carries an ethertype (RFC 1042).
      if (cap < 22) return abi.C_SKIP_NOT_IP;
      if (load<u16>(p, 14) == 0xaaaa && load<u8>(p, 16) == 3 && (be32(p + 16) & 0xffffff) == 0) {
        return byEthertype(be16(p + 20), p + 22, end);
      }
      return abi.C_SKIP_NOT_IP;
    }
    return byEthertype(et, p + 14, end);
  }
  if (lt == LT_RAW || lt == LT_RAW_DLT12 || lt == LT_RAW_DLT14) return byVersion(p, end);
  if (lt == LT_LINUX_SLL) {
    // Linux cooked v1: 16-byte header, protocol (ethertype) at 14.
    if (cap < 16) return abi.C_SKIP_TRUNCATED;
    return byEthertype(be16(p + 14), p + 16, end);
  }
  if (lt == LT_LINUX_SLL2) {
    // Linux cooked v2: 20-byte header, protocol (ethertype) at 0.
    if (cap < 20) return abi.C_SKIP_TRUNCATED;
    return byEthertype(be16(p), p + 20, end);
  }
  if (lt == LT_IPV4) return decodeIPv4(p, end);
  if (lt == LT_IPV6) return decodeIPv6(p, end);
  if (lt == LT_NULL) {
    // 4-byte address family in the capturing host's byte order: the non-zero half tells which.
    if (cap < 4) return abi.C_SKIP_TRUNCATED;
    let fam = load<u32>(p);
    if ((fam & 0xffff0000) != 0) fam = bswap<u32>(fam);
    return byFamily(fam, p + 4, end);
  }
  if (lt == LT_LOOP) {
    if (cap < 4) return abi.C_SKIP_TRUNCATED;
    return byFamily(be32(p), p + 4, end);
  }
  if (lt == LT_PPP || lt == LT_PPP_HDLC) {
    // Optional HDLC address/control 0xff 0x03, then a 1- or 2-byte protocol (RFC 1661/1662).
    let q = p;
    if (cap >= 2 && load<u8>(q) == 0xff && load<u8>(q, 1) == 0x03) q += 2;
    if (q + 1 > end) return abi.C_SKIP_TRUNCATED;
    if (load<u8>(q) & 1) return byPpp(<u32>load<u8>(q), q + 1, end);
    if (q + 2 > end) return abi.C_SKIP_TRUNCATED;
    return byPpp(be16(q), q + 2, end);
  }
  if (lt == LT_C_HDLC) {
    // Cisco HDLC: address, control, ethertype.
    if (cap < 4) return abi.C_SKIP_TRUNCATED;
    return byEthertype(be16(p + 2), p + 4, end);
  }
  return abi.C_SKIP_UNSUPPORTED_LINK;
}
