// L3/L4 decoding: IPv4 (RFC 791), IPv6 with its extension-header chain (RFC 8200), and the first
// bytes of TCP, UDP, ICMP and ICMPv6. Fills the packet globals (addresses, proto, ports, flags)
// and returns the counter of the outcome (C_PACKETS_DECODED or one C_SKIP_*). Never reads past
// `end` (the captured bytes), never allocates, never throws.
import * as abi from "../abi";
import { cInc } from "../counters";
import { setPktL3, setPktL4, setPktTcpHdrLen, setPktTcpWin, setPktIcmpQuote, PKT_SRC, PKT_DST } from "../packet";
import { be16, be32 } from "./bytes";

/** Upper bound of IPv6 extension headers walked before giving up (ports then stay 0). */
const MAX_V6_EXT: i32 = 8;

/**
 * Transport header at `q` (bytes up to `end`). A transport header cut by the snap length is not a
 * skip: the packet is decoded with the fields that fit (ports need 4 bytes, TCP seq 8, ack 12,
 * flags 14; otherwise 0), as tshark still counts it as IP. Only an impossible TCP data offset
 * (< 5 words) is C_SKIP_BAD_HEADER.
 */
@inline function decodeL4(proto: u32, q: usize, end: usize): i32 {
  const rem: isize = <isize>end - <isize>q;
  if (proto == 6) {
    if (rem >= 13) {
      if ((load<u8>(q, 12) >> 4) < 5) return abi.C_SKIP_BAD_HEADER;
    }
    if (rem >= 14) {
      setPktL4(be16(q), be16(q + 2), <u32>load<u8>(q, 13), be32(q + 4), be32(q + 8));
      setPktTcpHdrLen(<u32>(load<u8>(q, 12) >> 4) << 2);
      if (rem >= 16) setPktTcpWin(<u32>be16(q + 14));
    } else if (rem >= 4) {
      setPktL4(be16(q), be16(q + 2), 0, rem >= 8 ? be32(q + 4) : 0, rem >= 12 ? be32(q + 8) : 0);
    }
    cInc(abi.C_TCP);
  } else if (proto == 17) {
    if (rem >= 4) setPktL4(be16(q), be16(q + 2), 0, 0, 0);
    cInc(abi.C_UDP);
  } else if (proto == 1 || proto == 58) {
    if (rem >= 2) setPktL4(<u32>load<u8>(q), <u32>load<u8>(q, 1), 0, 0, 0);
    // Path MTU discovery (RFC 1191 / RFC 8201): the quoted datagram starts after the 8-byte header.
    if (rem >= 8 && (proto == 1 ? load<u16>(q) == 0x0403 : load<u8>(q) == 2)) setPktIcmpQuote(q + 8, end);
    cInc(abi.C_ICMP);
  } else {
    cInc(abi.C_OTHER_IP);
  }
  return abi.C_PACKETS_DECODED;
}

/**
 * IPv4 header at `q`, captured bytes up to `end`. Fewer than 20 captured bytes or an IHL beyond
 * them: C_SKIP_TRUNCATED. Version != 4, IHL < 5, or total length < IHL*4: C_SKIP_BAD_HEADER, except
 * total length 0, which TCP segmentation offload writes (Wireshark: "likely TSO"): the payload is
 * then what was captured. Non-first fragments (offset > 0) keep ports 0 (C_FRAGMENTS_NONFIRST).
 */
export function decodeIPv4(q: usize, end: usize): i32 {
  const rem: isize = <isize>end - <isize>q;
  if (rem < 20) return abi.C_SKIP_TRUNCATED;
  const b0 = <u32>load<u8>(q);
  if ((b0 >> 4) != 4) return abi.C_SKIP_BAD_HEADER;
  const ihl = <isize>((b0 & 15) << 2);
  if (ihl < 20) return abi.C_SKIP_BAD_HEADER;
  if (ihl > rem) return abi.C_SKIP_TRUNCATED;
  const tot = <isize>be16(q + 2);
  let l4end = end;
  let payload: u32;
  if (tot == 0) {
    payload = <u32>(rem - ihl);
  } else {
    if (tot < ihl) return abi.C_SKIP_BAD_HEADER;
    payload = <u32>(tot - ihl);
    if (tot < rem) l4end = q + <usize>tot;
  }
  store<u64>(PKT_SRC, 0);
  store<u32>(PKT_SRC, 0xffff0000, 8);
  store<u32>(PKT_SRC, load<u32>(q, 12), 12);
  store<u64>(PKT_DST, 0);
  store<u32>(PKT_DST, 0xffff0000, 8);
  store<u32>(PKT_DST, load<u32>(q, 16), 12);
  const proto = <u32>load<u8>(q, 9);
  const fragOff = be16(q + 6) & 0x1fff;
  if (fragOff != 0) {
    setPktL3(proto, false, true, payload);
    cInc(abi.C_FRAGMENTS_NONFIRST);
    cInc(abi.C_IPV4);
    countProto(proto);
    return abi.C_PACKETS_DECODED;
  }
  setPktL3(proto, false, false, payload);
  const r = decodeL4(proto, q + <usize>ihl, l4end);
  if (r == abi.C_PACKETS_DECODED) cInc(abi.C_IPV4);
  return r;
}

/** Protocol counters for packets whose transport header we do not read (non-first fragments). */
@inline function countProto(proto: u32): void {
  if (proto == 6) cInc(abi.C_TCP);
  else if (proto == 17) cInc(abi.C_UDP);
  else if (proto == 1 || proto == 58) cInc(abi.C_ICMP);
  else cInc(abi.C_OTHER_IP);
}

/**
 * IPv6 header at `q`. Fewer than 40 captured bytes: C_SKIP_TRUNCATED; version != 6: bad header.
 * Walks hop-by-hop (0), routing (43), fragment (44), destination options (60), AH (51: length
 * (n+2)*4, RFC 4302) and mobility (135) headers, at most MAX_V6_EXT; stops at ESP (50), no next
 * header (59) or anything else. An extension chain cut by the snap length or longer than the bound
 * leaves proto = the next-header value reached and ports 0. Payload length 0 (jumbogram) means the
 * captured bytes.
 */
export function decodeIPv6(q: usize, end: usize): i32 {
  const rem: isize = <isize>end - <isize>q;
  if (rem < 40) return abi.C_SKIP_TRUNCATED;
  if ((load<u8>(q) >> 4) != 6) return abi.C_SKIP_BAD_HEADER;
  const plen = <isize>be16(q + 4);
  let nh = <u32>load<u8>(q, 6);
  memory.copy(PKT_SRC, q + 8, 32);
  let h = q + 40;
  let l4end = end;
  if (plen != 0 && plen < rem - 40) l4end = h + <usize>plen;
  let frag = false;
  let done = false;
  for (let i = 0; i < MAX_V6_EXT; i++) {
    if (nh == 0 || nh == 43 || nh == 60 || nh == 135) {
      if (h + 2 > l4end) break;
      const len = (<usize>load<u8>(h, 1) + 1) << 3;
      nh = <u32>load<u8>(h);
      h += len;
    } else if (nh == 44) {
      if (h + 8 > l4end) break;
      const off = be16(h + 2) & 0xfff8;
      nh = <u32>load<u8>(h);
      h += 8;
      if (off != 0) { frag = true; break; }
    } else if (nh == 51) {
      if (h + 2 > l4end) break;
      const len = (<usize>load<u8>(h, 1) + 2) << 2;
      nh = <u32>load<u8>(h);
      h += len;
    } else {
      done = true;
      break;
    }
  }
  const extLen = <isize>(h - (q + 40));
  const payload: isize = plen != 0 ? plen - extLen : rem - 40 - extLen;
  setPktL3(nh, true, frag, payload > 0 ? <u32>payload : 0);
  if (frag) {
    cInc(abi.C_FRAGMENTS_NONFIRST);
    cInc(abi.C_IPV6);
    countProto(nh);
    return abi.C_PACKETS_DECODED;
  }
  if (!done || h > l4end) {
    // Chain cut by the snap length or too long: no transport header.
    cInc(abi.C_IPV6);
    countProto(nh);
    return abi.C_PACKETS_DECODED;
  }
  const r = decodeL4(nh, h, l4end);
  if (r == abi.C_PACKETS_DECODED) cInc(abi.C_IPV6);
  return r;
}
