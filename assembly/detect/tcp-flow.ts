// Per-flow TCP state in the flow slot (bytes 256-319, one cache line, zero for a new flow: abi.ts)
// and the detector that judges it, RETRANS (DET_RETRANS); it also takes the latency samples that
// detect/latency.ts judges (handshake RTT and request -> response). For every flow it keeps the
// record index of the packet that created it and the payload bytes per direction, for the
// connection records (detect/conn.ts). Never allocates; reads config only in tcpFlowReset(); per
// packet a few loads and stores in that one line (non-TCP packets: the payload sum only).
//
// Sequence tracking (per direction; RST segments and segments whose TCP header was not captured
// up to its flags are ignored; packed CSV/JSON records carry no sequence numbers, so only the
// handshake samples work for them):
// - Sequence space: a segment covers [seq, end) with end = seq + SYN + payload + FIN (Wireshark's
//   "next expected sequence number" = last seq + segment length). NXT = the largest end seen
//   (RFC 1982 serial-number comparison: (i32)(a - b) < 0 means a before b; correct while the
//   sequence numbers of one direction stay within 2^31 of each other, so also across the 2^32
//   wrap). The first segment of a direction sets NXT, and so does a SYN whose seq + 1 is not NXT: a
//   new initial sequence number (the server answering a retried SYN with a new ISN, or the 5-tuple
//   reused for a new connection while the flow table still holds the old one; Wireshark's "port
//   numbers reused"). Evidence: normal/perf/real_mix 10.10.10.1:443 -> 192.168.0.1:59927 sent 4
//   SYN/ACKs with 3 ISNs, and its 5 data segments after the last counted as 5 retransmissions of
//   6 (RETRANS HIGH) against the first ISN's NXT; now 0.
// - Data segment: payload > 0 and not a keep-alive. Keep-alive (Wireshark's tcp.analysis.
//   keep_alive): payload 0 or 1, seq = NXT - 1, none of SYN, FIN, RST. Segments without payload
//   (pure ACKs, SYN and FIN alone, SYN retries of a connection attempt or of a scan) are never
//   data segments, so retried SYNs are not counted as path loss; they are not in the ratio at all.
// - Retransmission (Wireshark's tcp.analysis.retransmission, without its SYN/FIN-only cases): a
//   data segment with seq before NXT (a repeat of sequence space already seen, whole or in part)
//   that is not out of order. Out of order (Wireshark's rule): it arrived less than the flow's
//   handshake RTT (SYN -> ACK as measured below; 3 ms while unknown, Wireshark's default) after
//   the previous segment of its direction, and it does not end exactly at NXT. Error of this
//   heuristic, as in Wireshark: a segment reordered by more than that time counts as a
//   retransmission, and a retransmission sent that soon after the previous segment (rare: RTO is at
//   least 200 ms, fast retransmit waits for three duplicate ACKs) as out of order. Exact ranges
//   would need a range set per flow; a gap filled later by the segment lost before the capture
//   point counts as a retransmission (it is path loss), as in Wireshark.
// - Not path loss (Wireshark counts both as retransmissions; a responder reading "packet loss"
//   would not), per direction in T_ZW: (a) flow control: a direction that sends new data while the
//   other's last ACK advertised a zero window (window field 0: exact whatever the window scale,
//   which is not tracked) overran it, and the receiver drops such data (RFC 9293 3.8.6); (b) path
//   MTU discovery (RFC 1191, RFC 8201): an ICMP "fragmentation needed" / ICMPv6 "packet too big"
//   quoting a segment of the flow says the path dropped it for its size (packetTooBig()). Either
//   way the direction's re-sends are no retransmissions until the other side has acknowledged all
//   the direction had sent (its ACK reaches NXT); they still count as data segments. Bound: real
//   loss in that span goes uncounted. Evidence (npm run evaluate at 9206f36): normal/zeek_http_206_
//   example_b 192.168.72.14:3254 <- 65.54.95.206:80, 56 of 842 segments re-sent after two zero-
//   window overruns (tshark: 56 retransmissions), RETRANS HIGH -> none; normal/zeek_smtp
//   10.10.1.4:1470 -> 74.53.140.153:25, the 4 full-size segments the router 192.168.1.1 quoted in
//   "fragmentation needed, MTU 1492" re-sent at 1452 B, 4 of 33, HIGH -> none. The retransmitting
//   flows left in normal/perf/real_mix (71 HIGH) re-send with fresh IP IDs after an RTO or three
//   duplicate ACKs: real loss in the merged captures (test/worker/benign-quiet.test.ts).
// - Payload bytes per direction (the connection record's, Zeek's orig_bytes/resp_bytes are the
//   same idea): TCP counts each sequence-space byte once (a retransmission adds only its part
//   beyond NXT; an out-of-order segment all of its payload); other protocols add the transport
//   payload (IP payload minus 8 for UDP). Kept mod 2^32 (wrong past 4 GiB per direction).
//
// RETRANS (CFG_RETRANS_ENABLED), RETRANS_FLOW, one episode per flow, judged at two points:
// 1. at the data segment that brings the flow to D = CFG_RETRANS_MIN_SEGMENTS data segments
//    (both directions together);
// 2. at flow end (idle, evicted, end of input), when the flow has at least D data segments.
// With r = retransmitted / data segments (both directions) and k = retransmitted segments: MEDIUM
// when r > CFG_RETRANS_MEDIUM (2 %) and k >= CFG_RETRANS_MIN_RETRANSMISSIONS, HIGH when r >
// CFG_RETRANS_HIGH (5 %) and k >= that minimum. A NEW at point 1 when it holds there; at flow end
// an UPDATE (or NEW + UPDATE when point 1 did not fire but the end does) with the final numbers;
// SEVERITY = the higher of the two levels. Alert: subject = the flow (SRC/SPORT = orig, DST/DPORT
// = resp, label = the IP protocol 6), TS = the flow's first packet, LAST = the flow's newest packet
// (at NEW: the current one), RECORD_INDEX = the record that created the flow, RECORD_OFFSET -1,
// SIZE 0; VALUE = r in percent at the decision (NEW: at point 1; UPDATE: final; not a peak),
// THRESHOLD = the percent threshold of the severity reached, SAMPLES = data segments, COUNT =
// retransmitted segments, AUX = data segments, SCORE = VALUE / the MEDIUM threshold, MEAN and STD
// 0 (no baseline), WINDOW_S 0, PEAK_RATE = retransmitted segments per second of the flow's
// duration (at least 1 s). C_ALERTS_RETRANS counts episodes; C_TCP_DATA_SEGMENTS and
// C_TCP_RETRANSMISSIONS count every data segment and retransmission.
//
// Latency samples (CFG_LATENCY_ENABLED; judged per server by detect/latency.ts):
// - LATENCY_SERVER: the first SYN/ACK from resp minus the time of orig's last SYN before it (a
//   retried SYN restarts the clock: if the SYN/ACK answered an earlier SYN the sample is too
//   small, a lower bound, which can hide latency but never invent it; Karn's rule would skip it).
//   Retransmitted SYN/ACKs give no further server sample.
// - LATENCY_CLIENT: the handshake's ACK (table/flow-table.ts curHandshakeDone) minus the time of
//   resp's last SYN/ACK before it (same choice for retransmitted SYN/ACKs). SYN -> that ACK is the
//   flow's handshake RTT (the out-of-order window above, and CONN_RTT_US).
// - LATENCY_RESPONSE (CFG_LATENCY_RESPONSE_ENABLED): the first data segment from resp that is not
//   a retransmission, after orig's last data segment, minus that segment's time. Karn's rule: when
//   orig's last data segment was a retransmission, the sample is skipped. Measures server (and
//   application) think time plus the path RTT, turn by turn; pushes from the server that answer
//   nothing are measured too (a server that talks first, or unsolicited, looks slow).
// Times are kept as the low 32 bits of µs: a sample is the 32-bit difference, so gaps of 71.6
// minutes or more wrap (never within one handshake; a response after an hour of silence would be
// measured mod 2^32 µs). Negative differences (timestamps out of order) give no sample.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc } from "../counters";
import {
  pktTsUs, pktProto, pktTcpFlags, pktTcpSeq, pktTcpAck, pktTcpWin, pktPayloadLen, pktTcpHdrLen, pktRecordIndex,
  pktIcmpQuote, pktIcmpQuoteEnd, pktVlan,
} from "../packet";
import { curFlow, curIsOrig, curFresh, curHandshakeDone, flowFind, flowFoundAIsLo } from "../table/flow-table";
import { SLOT_LAST } from "../table/open-table";
import { alertAppend, episodeId } from "./output";
import { latencySample, latencyOn, latencyResponseOn } from "./latency";

// ---- flow slot bytes 256-319 (abi.ts) ----
export const T_NXT: usize = 256; // u32 x 2 (orig, resp)
export const T_SEGT: usize = 264; // u32 x 2
export const T_DATA: usize = 272; // u32
export const T_RETX: usize = 276; // u32
export const T_PAY: usize = 280; // u32 x 2
export const T_SYN: usize = 288; // u32: orig's last SYN (low 32 bits of µs), then the handshake RTT (µs)
export const T_SYNACK: usize = 292; // u32
export const T_REQ: usize = 296; // u32
export const T_FIRST_REC: usize = 300; // u32
export const T_LC_NEXT_MS: usize = 304; // u32 (detect/longconn.ts)
export const T_EP_RETRANS: usize = 308; // u32
export const T_EP_LONG: usize = 312; // u32 (detect/longconn.ts)
export const T_FLAGS: usize = 316; // u8 TF_*
export const T_LC: usize = 317; // u8 (detect/longconn.ts)
export const T_RT: usize = 318; // u8 RT_*
export const T_ZW: usize = 319; // u8 ZW_*

const TF_NXT_O: u32 = 1;
const TF_NXT_R: u32 = 2;
/** T_SYN holds the handshake RTT. */
export const TF_RTT: u32 = 4;
const TF_SRV_DONE: u32 = 8;
const TF_WAITING: u32 = 16;
const TF_REQ_RETX: u32 = 32;
// T_ZW bits: the direction's last segment advertised a zero receive window (CLOSED), and the
// direction sent new data into the other's closed window that the other has not yet acknowledged
// in full (OVER).
const ZW_CLOSED_O: u32 = 1;
const ZW_CLOSED_R: u32 = 2;
const ZW_OVER_O: u32 = 4;
const ZW_OVER_R: u32 = 8;
const RT_LEVEL: u32 = 3;
const RT_JUDGED: u32 = 4;

/** Wireshark's default out-of-order window while the flow's RTT is unknown, µs. */
export const OOO_DEFAULT_US: u32 = 3000;

let retransOn = false;
/** Anything reads this state: RETRANS, LATENCY, LONGCONN (the record index) or connection records. */
let anyOn = false;
let latOn = false;
let respOn = false;
let minSegs: u32 = 20;
let minRetx: u32 = 2;
let medium: f64 = 0.02;
let high: f64 = 0.05;

/** Copies the config (CFG_RETRANS_*, whether latency samples are wanted, and whether anything
 *  reads this state at all: otherwise no packet touches it). Call after latencyReset(). */
export function tcpFlowReset(): void {
  retransOn = cfg(abi.CFG_RETRANS_ENABLED) != 0;
  latOn = latencyOn();
  respOn = latencyResponseOn();
  const d = cfg(abi.CFG_RETRANS_MIN_SEGMENTS);
  minSegs = d >= 1 ? (d < 4294967295 ? <u32>d : 0xffffffff) : 1;
  const k = cfg(abi.CFG_RETRANS_MIN_RETRANSMISSIONS);
  minRetx = k >= 1 ? (k < 4294967295 ? <u32>k : 0xffffffff) : 1;
  medium = cfg(abi.CFG_RETRANS_MEDIUM);
  high = cfg(abi.CFG_RETRANS_HIGH);
  anyOn = retransOn || latOn || cfg(abi.CFG_CONN_RECORDS_ENABLED) != 0 || cfg(abi.CFG_LONGCONN_ENABLED) != 0 ||
    cfg(abi.CFG_LONGCONN_LADDER_ENABLED) != 0;
}

/** Retransmission level of a flow: 0 none, 1 MEDIUM, 2 HIGH. */
@inline function level(data: u32, retx: u32): u32 {
  if (retx < minRetx || data == 0) return 0;
  const r = <f64>retx / <f64>data;
  return r > high ? 2 : r > medium ? 1 : 0;
}

/** Per packet, after the flow table (curFlow valid). */
export function tcpFlowPacket(): void {
  if (!anyOn) return;
  const s = curFlow;
  if (curFresh) store<u32>(s + T_FIRST_REC, pktRecordIndex);
  if (pktProto != 6) {
    // Other protocols: the transport payload (UDP: minus its 8-byte header).
    let pay = pktPayloadLen;
    if (pktProto == 17) pay = pay > 8 ? pay - 8 : 0;
    const p = s + T_PAY + (curIsOrig ? 0 : 4);
    store<u32>(p, load<u32>(p) + pay);
    if (pktIcmpQuote != 0 && retransOn) packetTooBig();
    return;
  }
  const f = pktTcpFlags;
  const t32 = <u32>pktTsUs;
  let tf = <u32>load<u8>(s + T_FLAGS);
  const tf0 = tf;
  const orig = curIsOrig;
  // ---- handshake (always: the RTT is the out-of-order window and CONN_RTT_US) ----
  if (orig) {
    if ((f & 0x12) == 0x02) {
      if (!(tf & TF_RTT)) store<u32>(s + T_SYN, t32);
    } else if (curHandshakeDone && !(tf & TF_RTT)) {
      const c = <i32>(t32 - load<u32>(s + T_SYNACK));
      if (latOn && c >= 0) latencySample(abi.LATENCY_CLIENT, <f64>c);
      const rtt = <i32>(t32 - load<u32>(s + T_SYN));
      if (rtt >= 0) {
        store<u32>(s + T_SYN, <u32>rtt);
        tf |= TF_RTT;
      }
    }
  } else if ((f & 0x12) == 0x12) {
    if (!(tf & (TF_SRV_DONE | TF_RTT)) && (<u32>load<u8>(s + abi.FLOW_FLAGS_ORIG) & 0x02) != 0) {
      const d = <i32>(t32 - load<u32>(s + T_SYN));
      if (latOn && d >= 0) latencySample(abi.LATENCY_SERVER, <f64>d);
      tf |= TF_SRV_DONE;
    }
    store<u32>(s + T_SYNACK, t32);
  }
  // ---- sequence tracking ----
  const hdr = pktTcpHdrLen;
  if ((f & 0x04) == 0 && hdr != 0) {
    const len = pktPayloadLen > hdr ? pktPayloadLen - hdr : 0;
    const seq = pktTcpSeq;
    const syn: u32 = (f >> 1) & 1;
    const dataStart = seq + syn;
    const dataEnd = dataStart + len;
    const end = dataEnd + (f & 1);
    const dirBit = orig ? TF_NXT_O : TF_NXT_R;
    const off: usize = orig ? 0 : 4;
    // ---- receive-window state (T_ZW) ----
    const zw0 = <u32>load<u8>(s + T_ZW);
    let zw = zw0;
    const closedMe = orig ? ZW_CLOSED_O : ZW_CLOSED_R;
    const closedPeer = orig ? ZW_CLOSED_R : ZW_CLOSED_O;
    const overMe = orig ? ZW_OVER_O : ZW_OVER_R;
    const overPeer = orig ? ZW_OVER_R : ZW_OVER_O;
    if ((f & 0x12) == 0x10) {
      const win = pktTcpWin;
      if (win == 0) zw |= closedMe;
      else if (win != 0xffffffff) zw &= ~closedMe;
      // The peer's data is acknowledged up to its NXT: its flow-control re-sends are over.
      const peerBit = orig ? TF_NXT_R : TF_NXT_O;
      if ((zw & overPeer) && (tf & peerBit) && <i32>(pktTcpAck - load<u32>(s + T_NXT + (orig ? 4 : 0))) >= 0) {
        zw &= ~overPeer;
      }
    }
    if (!(tf & dirBit) || (syn != 0 && seq + 1 != load<u32>(s + T_NXT + off))) {
      // The direction's first segment, or a SYN with a new initial sequence number (a connection
      // attempt restarted with a new ISN, or the 5-tuple reused for a new connection): NXT starts
      // over from it. A retried SYN (same ISN, nothing sent yet) leaves NXT as it is.
      tf |= dirBit;
      store<u32>(s + T_NXT + off, end);
      store<u32>(s + T_SEGT + off, t32);
      if (len > 0) tf = dataSegmentFlags(s, orig, false, len, t32, tf);
    } else {
      const nxt = load<u32>(s + T_NXT + off);
      if (len > 0 && !(len <= 1 && seq == nxt - 1 && (f & 0x03) == 0)) {
        let retx = false;
        let fresh = len;
        if (<i32>(dataStart - nxt) < 0) {
          fresh = <i32>(dataEnd - nxt) > 0 ? dataEnd - nxt : 0;
          let window = OOO_DEFAULT_US;
          if (tf & TF_RTT) window = load<u32>(s + T_SYN);
          // Sent while this direction's data overran the peer's closed window: flow control.
          if (t32 - load<u32>(s + T_SEGT + off) >= window && !(zw & overMe)) retx = true;
        } else if (zw & closedPeer) {
          zw |= overMe;
        }
        tf = dataSegmentFlags(s, orig, retx, fresh, t32, tf);
      }
      if (<i32>(end - nxt) > 0) {
        store<u32>(s + T_NXT + off, end);
        store<u32>(s + T_SEGT + off, t32);
      }
    }
    if (zw != zw0) store<u8>(s + T_ZW, <u8>zw);
  }
  if (tf != tf0) store<u8>(s + T_FLAGS, <u8>tf);
}

const QA: usize = memory.data(16, 16);
const QB: usize = memory.data(16, 16);

/** The current packet is an ICMP "fragmentation needed" / ICMPv6 "packet too big" (packet.ts
 *  pktIcmpQuote): when its quoted datagram is a segment of a live TCP flow (IPv4 with its options,
 *  or IPv6 whose next header is TCP; same VLAN), the quoted sender's re-sends are path MTU
 *  discovery from now until its peer has acknowledged all it sent (ZW_OVER, as for a zero window). */
function packetTooBig(): void {
  const q = pktIcmpQuote;
  const end = pktIcmpQuoteEnd;
  if (q + 1 > end) return;
  const v = <u32>load<u8>(q) >> 4;
  let l4: usize = 0;
  if (v == 4) {
    const ihl = <usize>(load<u8>(q) & 15) << 2;
    if (ihl < 20 || q + ihl + 4 > end || load<u8>(q, 9) != 6) return;
    store<u64>(QA, 0);
    store<u32>(QA, 0xffff0000, 8);
    store<u32>(QA, load<u32>(q, 12), 12);
    store<u64>(QB, 0);
    store<u32>(QB, 0xffff0000, 8);
    store<u32>(QB, load<u32>(q, 16), 12);
    l4 = q + ihl;
  } else if (v == 6) {
    if (q + 44 > end || load<u8>(q, 6) != 6) return;
    v128.store(QA, v128.load(q, 8));
    v128.store(QB, v128.load(q, 24));
    l4 = q + 40;
  } else {
    return;
  }
  const sp = <u32>bswap<u16>(load<u16>(l4));
  const dp = <u32>bswap<u16>(load<u16>(l4, 2));
  const s = flowFind(QA, QB, sp, dp, 6, pktVlan);
  if (s == 0) return;
  const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
  const senderIsOrig = flowFoundAIsLo == origIsLo;
  store<u8>(s + T_ZW, <u8>(<u32>load<u8>(s + T_ZW) | (senderIsOrig ? ZW_OVER_O : ZW_OVER_R)));
}

/** Counts a data segment of the flow in slot `s` (`retx`: a retransmission; `pay`: new payload
 *  bytes), takes a response sample, runs RETRANS point 1. Returns the updated TF_* flags. */
function dataSegmentFlags(s: usize, orig: bool, retx: bool, pay: u32, t32: u32, tf: u32): u32 {
  const data = load<u32>(s + T_DATA) + 1;
  store<u32>(s + T_DATA, data);
  cInc(abi.C_TCP_DATA_SEGMENTS);
  let nretx = load<u32>(s + T_RETX);
  if (retx) {
    nretx++;
    store<u32>(s + T_RETX, nretx);
    cInc(abi.C_TCP_RETRANSMISSIONS);
  }
  const p = s + T_PAY + (orig ? 0 : 4);
  store<u32>(p, load<u32>(p) + pay);
  if (respOn) {
    if (orig) {
      store<u32>(s + T_REQ, t32);
      tf = (tf | TF_WAITING) & ~TF_REQ_RETX;
      if (retx) tf |= TF_REQ_RETX;
    } else if ((tf & TF_WAITING) && !retx) {
      if (!(tf & TF_REQ_RETX)) {
        const d = <i32>(t32 - load<u32>(s + T_REQ));
        if (d >= 0) latencySample(abi.LATENCY_RESPONSE, <f64>d);
      }
      tf &= ~(TF_WAITING | TF_REQ_RETX);
    }
  }
  if (retransOn && data == minSegs) {
    const rt = <u32>load<u8>(s + T_RT);
    if (!(rt & RT_JUDGED)) {
      const lv = level(data, nretx);
      if (lv > 0) {
        const a = retransAlert(s, abi.ALERT_KIND_NEW, episodeId(), lv, data, nretx, pktTsUs);
        store<u32>(s + T_EP_RETRANS, load<u32>(a + abi.ALERT_EPISODE));
        cInc(abi.C_ALERTS_RETRANS);
      }
      store<u8>(s + T_RT, <u8>(RT_JUDGED | lv));
    }
  }
  return tf;
}

/** Writes a RETRANS alert for the flow in slot `s` (see the header). */
function retransAlert(s: usize, kind: i32, ep: u32, lv: u32, data: u32, retx: u32, lastUs: i64): usize {
  const a = alertAppend();
  flowSubject(a, s);
  store<i64>(a + abi.ALERT_LAST_US, lastUs);
  store<u8>(a + abi.ALERT_DETECTOR, <u8>abi.DET_RETRANS);
  store<u8>(a + abi.ALERT_VARIANT, <u8>abi.RETRANS_FLOW);
  store<u8>(a + abi.ALERT_SEVERITY, <u8>(lv >= 2 ? abi.SEV_HIGH : abi.SEV_MEDIUM));
  const pct = 100 * <f64>retx / <f64>data;
  store<f64>(a + abi.ALERT_VALUE, pct);
  store<f64>(a + abi.ALERT_THRESHOLD, 100 * (lv >= 2 ? high : medium));
  store<f64>(a + abi.ALERT_SCORE, medium > 0 ? pct / (100 * medium) : pct);
  store<u32>(a + abi.ALERT_SAMPLES, data);
  store<f64>(a + abi.ALERT_COUNT, <f64>retx);
  store<f64>(a + abi.ALERT_AUX, <f64>data);
  const durS = <f64>(lastUs - load<i64>(s + abi.FLOW_FIRST_US)) / 1e6;
  store<f64>(a + abi.ALERT_PEAK_RATE, <f64>retx / max<f64>(durS, 1));
  store<u32>(a + abi.ALERT_EPISODE, ep);
  store<u8>(a + abi.ALERT_KIND, <u8>kind);
  return a;
}

/** Fills the subject of alert `a` from the flow in slot `s`: orig -> resp with their ports, label
 *  = the IP protocol, VLAN, TS = the flow's first packet, LAST = its newest, RECORD_INDEX = the
 *  record that created it, RECORD_OFFSET -1, SIZE 0. */
export function flowSubject(a: usize, s: usize): void {
  const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
  v128.store(a + abi.ALERT_SRC, v128.load(s + (origIsLo ? abi.FLOW_LO_ADDR : abi.FLOW_HI_ADDR)));
  v128.store(a + abi.ALERT_DST, v128.load(s + (origIsLo ? abi.FLOW_HI_ADDR : abi.FLOW_LO_ADDR)));
  store<u16>(a + abi.ALERT_SPORT, load<u16>(s + (origIsLo ? abi.FLOW_LO_PORT : abi.FLOW_HI_PORT)));
  store<u16>(a + abi.ALERT_DPORT, load<u16>(s + (origIsLo ? abi.FLOW_HI_PORT : abi.FLOW_LO_PORT)));
  store<u16>(a + abi.ALERT_PROTO_LABEL, <u16>(load<u32>(s + abi.FLOW_PROTO) & 0xff));
  store<u32>(a + abi.ALERT_VLAN, load<u32>(s + abi.FLOW_VLAN));
  store<i64>(a + abi.ALERT_TS_US, load<i64>(s + abi.FLOW_FIRST_US));
  store<i64>(a + abi.ALERT_LAST_US, load<i64>(s + SLOT_LAST));
  store<u32>(a + abi.ALERT_RECORD_INDEX, load<u32>(s + T_FIRST_REC));
  store<f64>(a + abi.ALERT_RECORD_OFFSET, -1);
}

/** The flow in slot `s` (a copy when evicted) ends: RETRANS point 2 (at most 2 alerts; the caller
 *  checked the room). */
export function tcpFlowEnd(s: usize, why: i32): void {
  if (!retransOn || (load<u32>(s + abi.FLOW_PROTO) & 0xff) != 6) return;
  const data = load<u32>(s + T_DATA);
  if (data < minSegs) return;
  const retx = load<u32>(s + T_RETX);
  const rt = <u32>load<u8>(s + T_RT);
  const lv = level(data, retx);
  const peak = max<u32>(lv, rt & RT_LEVEL);
  let ep = load<u32>(s + T_EP_RETRANS);
  if (ep == 0 && lv > 0) {
    ep = episodeId();
    retransAlert(s, abi.ALERT_KIND_NEW, ep, lv, data, retx, load<i64>(s + SLOT_LAST));
    cInc(abi.C_ALERTS_RETRANS);
  }
  if (ep != 0) retransAlert(s, abi.ALERT_KIND_UPDATE, ep, peak, data, retx, load<i64>(s + SLOT_LAST));
  if (why == abi.FWIN_END_INPUT) {
    store<u32>(s + T_EP_RETRANS, 0);
    store<u8>(s + T_RT, <u8>(rt | RT_JUDGED));
  }
}

/** The handshake RTT of the flow in slot `s` (SYN -> ACK, µs), or -1 when not measured. */
@inline export function flowRttUs(s: usize): i64 {
  return (<u32>load<u8>(s + T_FLAGS) & TF_RTT) ? <i64>load<u32>(s + T_SYN) : -1;
}
