// The decoded packet: the one place where the decoders (decode/) leave what they found and the
// tables and detectors (table/, detect/) read it. Plain globals and one static 32-byte address
// buffer, overwritten for every packet: no allocation per packet, nothing kept across packets.

/** Static buffer: bytes 0-15 source address, 16-31 destination address. IPv4 is stored
 *  IPv4-mapped (::ffff:a.b.c.d: ten 0x00 bytes, 0xff 0xff, the four address bytes). */
export const PKT_ADDR: usize = memory.data(32, 16);
export const PKT_SRC: usize = PKT_ADDR;
export const PKT_DST: usize = PKT_ADDR + 16;

/** Packet timestamp, microseconds since the Unix epoch (nanosecond captures are floored to µs). */
export let pktTsUs: i64 = 0;
/** Original (wire) length in bytes: pcap orig_len, pcapng original packet length, CSV packet_size. */
export let pktWireLen: u32 = 0;
/** Captured length in bytes (what the record holds). */
export let pktCapLen: u32 = 0;
/** 0-based index of this record in the input (packet number - 1, or CSV row index). */
export let pktRecordIndex: u32 = 0;
/** Byte offset of the record header in the (decompressed) input stream. */
export let pktRecordOffset: f64 = 0;
/** IP protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, ...). */
export let pktProto: u32 = 0;
/** Channel protocol label: the IP protocol number, or 256 + an interned name for CSV/JSON rows. */
export let pktProtoLabel: u32 = 0;
/** Source and destination port (TCP/UDP); for ICMP sport = type, dport = code; 0 otherwise and
 *  for non-first fragments. */
export let pktSport: u32 = 0;
export let pktDport: u32 = 0;
/** TCP flags byte (FIN=1 SYN=2 RST=4 PSH=8 ACK=16 URG=32 ECE=64 CWR=128); 0 for non-TCP. */
export let pktTcpFlags: u32 = 0;
export let pktTcpSeq: u32 = 0;
export let pktTcpAck: u32 = 0;
/** Transport payload length in bytes (from the IP length fields; 0 when unknown): the transport
 *  header and its data. */
export let pktPayloadLen: u32 = 0;
/** TCP header length in bytes (data offset x 4); 0 when the TCP header was not captured up to its
 *  flags (then seq/ack/flags are not all known) and for non-TCP. TCP data = pktPayloadLen minus this. */
export let pktTcpHdrLen: u32 = 0;
/** TCP window field as sent (unscaled: the window-scale option is not tracked, so only 0 is exact);
 *  0xffffffff when the header was not captured up to it and for non-TCP. */
export let pktTcpWin: u32 = 0xffffffff;
/** ICMP "fragmentation needed" (type 3 code 4) or ICMPv6 "packet too big" (type 2): the address of
 *  the quoted datagram (its IP header) in the current record and the end of the captured bytes;
 *  0 otherwise (detect/tcp-flow.ts: path MTU discovery). */
export let pktIcmpQuote: usize = 0;
export let pktIcmpQuoteEnd: usize = 0;
/** (outer VLAN id << 12) | inner VLAN id; 0 when untagged. */
export let pktVlan: u32 = 0;
/** True for IPv6 (the address buffer is then not IPv4-mapped). */
export let pktIsV6: bool = false;
/** True for a non-first IP fragment: ports are unknown and 0. */
export let pktIsFragment: bool = false;

// Setters: AssemblyScript exports of mutable globals are read-only from other modules.
export function setPktTime(tsUs: i64, wireLen: u32, capLen: u32, recordIndex: u32, recordOffset: f64): void {
  pktTsUs = tsUs;
  pktWireLen = wireLen;
  pktCapLen = capLen;
  pktRecordIndex = recordIndex;
  pktRecordOffset = recordOffset;
}

export function setPktL3(proto: u32, isV6: bool, isFragment: bool, payloadLen: u32): void {
  pktProto = proto;
  pktProtoLabel = proto;
  pktIsV6 = isV6;
  pktIsFragment = isFragment;
  pktPayloadLen = payloadLen;
}

export function setPktL4(sport: u32, dport: u32, tcpFlags: u32, seq: u32, ack: u32): void {
  pktSport = sport;
  pktDport = dport;
  pktTcpFlags = tcpFlags;
  pktTcpSeq = seq;
  pktTcpAck = ack;
}

export function setPktTcpHdrLen(len: u32): void {
  pktTcpHdrLen = len;
}

export function setPktTcpWin(win: u32): void {
  pktTcpWin = win;
}

export function setPktIcmpQuote(p: usize, end: usize): void {
  pktIcmpQuote = p;
  pktIcmpQuoteEnd = end;
}

export function setPktVlan(vlan: u32): void {
  pktVlan = vlan;
}

export function setPktProtoLabel(label: u32): void {
  pktProtoLabel = label;
}

/** Clears the per-packet fields a decoder may not reach (called before each record). */
@inline
export function clearPkt(): void {
  pktProto = 0;
  pktProtoLabel = 0;
  pktSport = 0;
  pktDport = 0;
  pktTcpFlags = 0;
  pktTcpSeq = 0;
  pktTcpAck = 0;
  pktPayloadLen = 0;
  pktTcpHdrLen = 0;
  pktTcpWin = 0xffffffff;
  pktIcmpQuote = 0;
  pktVlan = 0;
  pktIsV6 = false;
  pktIsFragment = false;
}
