// The bidirectional flow table: one record per (two address/port ends, IP protocol, VLAN), found
// by both directions, with Zeek's orig/resp roles, per-direction counts and TCP flag counts.
// Never allocates per packet; reads config only in flowReset().
//
// Idle expiry (inactivity timeouts by protocol, seconds of packet time: CFG_TCP_TIMEOUT_S 300 s,
// CFG_UDP_TIMEOUT_S / CFG_ICMP_TIMEOUT_S / CFG_OTHER_TIMEOUT_S 60 s, Zeek's defaults; the issue's
// "default 300 s, overridable per protocol" is the TCP value and these per-protocol settings):
// - On lookup: a packet ends its flow and starts a new one when it comes more than the timeout
//   after the flow's last packet (ts - last > timeout), or when the newest packet time is more than
//   timeout + L past it (L = the flow-window lateness bound, detect/flow-window.ts): the second rule
//   only matters for packets more than L behind the newest and makes the outcome independent of
//   whether the sweep already removed the flow.
// - Chunked sweep (Suricata flow-manager style): after every packet SWEEP_SLOTS slots at a cursor
//   are checked and flows with newest - last > timeout + L are removed, so the per-packet cost does
//   not grow with the number of live flows and a full pass over C slots takes C / SWEEP_SLOTS
//   packets. The sweep leaves a flow whose flow windows are still open (possible only when the
//   timeout is below W + L) for its next pass; the flow-window catch-up pass ends and removes such
//   flows when their windows close (flowRetireIdle()).
// - Ended flows with open windows: when a lookup ends a flow whose windows are still open, the
//   slot is kept as an ended flow (its key's protocol word gets ENDED_FLAG, so no lookup finds it)
//   and a new flow is inserted; the catch-up pass of detect/flow-window.ts emits its windows when
//   they close and the sweep then removes it (not counted again). flowFlush() emits and hides the
//   ended flows still there at end of input. Until then a host reading the table mid-analysis sees
//   them with FLOW_PROTO >= 256.
// Every flow end (idle, evicted at the memory cap, end of input) goes through onFlowEnd
// (detect/flow-end.ts) before the slot changes.
// Handshake completion (curHandshakeDone, C_HANDSHAKES_COMPLETED; the half-open test of
// detect/synflood.ts): a TCP packet sent by the originator with ACK set and SYN and RST clear,
// when the originator's OR-ed flags before it hold SYN but not ACK and the responder's hold SYN and
// ACK (Zeek history "ShA"; with OR-ed flags, "the responder sent SYN and ACK"). At most once per
// flow: the packet sets the originator's ACK bit. Costs a few instructions per packet, no state.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktWireLen, pktProto, pktSport, pktDport, pktTcpFlags, pktVlan,
} from "../packet";
import { OpenTable, SLOT_AUX, SLOT_LAST, SLOT_KEY } from "./open-table";
import { outputRoomFor } from "../detect/output";
import { seedFromConfig } from "./hash";
import { onFlowEnd, onFlowPacket } from "../detect/flow-end";
import { flowWindowEnd, flowWindowHasOpen, flowWindowsClosed, latenessUsFromConfig } from "../detect/flow-window";

// ---- key (FLOW_KEY_BYTES at SLOT_KEY): the two ends in canonical order, proto, VLAN ----
const FK_LO_ADDR: usize = 0; // 16 bytes: the smaller end's address (IPv4-mapped for IPv4)
const FK_HI_ADDR: usize = 16; // 16 bytes
const FK_LO_PORT: usize = 32; // u16 (ICMP: see flowPacket())
const FK_HI_PORT: usize = 34; // u16
const FK_PROTO: usize = 36; // u32 IP protocol number
const FK_VLAN: usize = 40; // u32 (outer << 12) | inner
export const FLOW_KEY_BYTES: usize = 44;
const FLOW_KEY_WORDS: i32 = 11;

// ---- flow slot: open-table header (16 B), key (44 B), value; the layout is abi.FLOW_* ----
/** Bytes per flow slot (abi.FLOW_STRIDE): 0-123 the flow (abi.FLOW_*), 124-159 per-flow rule
 *  state (detect/flow-rules.ts), 160-255 the open flow windows (detect/flow-window.ts), 256-319
 *  the TCP and connection state (detect/tcp-flow.ts). With the 3/4 load limit a live flow costs
 *  320-427 B. */
export const FLOW_STRIDE: usize = <usize>abi.FLOW_STRIDE;
// SLOT_AUX (abi.FLOW_ORIG_IS_LO) bit 0: 1 when orig (the end that sent the first packet) is the lo end.
// SLOT_LAST (abi.FLOW_LAST_US): i64 max packet time seen (µs).
const FV_OR_FLAGS: usize = <usize>abi.FLOW_FLAGS_ORIG; // u8 orig, u8 resp at +1
const FV_FIRST_US: usize = <usize>abi.FLOW_FIRST_US;
const FV_PKTS_ORIG: usize = <usize>abi.FLOW_PKTS_ORIG;
const FV_PKTS_RESP: usize = <usize>abi.FLOW_PKTS_RESP;
const FV_BYTES_ORIG: usize = <usize>abi.FLOW_BYTES_ORIG;
const FV_BYTES_RESP: usize = <usize>abi.FLOW_BYTES_RESP;
const FV_SYN: usize = <usize>abi.FLOW_SYN;
const FV_FIN: usize = <usize>abi.FLOW_FIN;
const FV_RST: usize = <usize>abi.FLOW_RST;
const FV_ACK: usize = <usize>abi.FLOW_ACK;
const FV_PSH: usize = <usize>abi.FLOW_PSH;
const FV_URG: usize = <usize>abi.FLOW_URG;
const FV_ECE: usize = <usize>abi.FLOW_ECE;
const FV_CWR: usize = <usize>abi.FLOW_CWR;
/** Bit set in the key's protocol word of an ended flow kept for its open windows (header). */
const ENDED_FLAG: u32 = 0x100;

/** Slots the sweep checks per packet. Constant, so a full pass over C slots takes C/4 packets. */
export const SWEEP_SLOTS: u32 = 4;

const KEY: usize = memory.data(48, 16);

export const flows = new OpenTable();
let tcpTimeoutUs: i64 = 0;
let udpTimeoutUs: i64 = 0;
let icmpTimeoutUs: i64 = 0;
let otherTimeoutUs: i64 = 0;
let latenessUs: i64 = 0;
let sweepCursor: u32 = 0;
let flushCursor: u32 = 0;

// ---- the current packet's flow, for the detectors that run after flowPacket() ----
/** Slot of the current packet's flow; valid until flowSweep() (which may move slots). */
export let curFlow: usize = 0;
/** True when the current packet was sent by the flow's originator (Zeek's orig). */
export let curIsOrig: bool = false;
/** True when the current packet created its flow (first packet, or first after an idle expiry). */
export let curFresh: bool = false;
/** The current packet's flow's newest packet time before this packet (when not curFresh). */
export let curPrevLastUs: i64 = 0;
/** True when the current packet completed its flow's TCP handshake (header). */
export let curHandshakeDone: bool = false;

/** Address of the flow slots and their number (abi.FLOW_*; empty slots have hash 0). */
export function flowSlotsPtr(): usize { return flows.base; }
export function flowSlots(): i32 { return <i32>flows.cap; }

/** (Re)allocates the flow table from config (CFG_FLOW_CAPACITY, CFG_FLOW_MEMORY_CAP_BYTES,
 *  CFG_*_TIMEOUT_S, CFG_LATENESS_S, CFG_SEED) and publishes C_FLOW_CAPACITY / C_FLOW_TABLE_BYTES. */
export function flowReset(): void {
  flows.init(cfg(abi.CFG_FLOW_CAPACITY), FLOW_STRIDE, FLOW_KEY_BYTES, cfg(abi.CFG_FLOW_MEMORY_CAP_BYTES),
    seedFromConfig(cfg(abi.CFG_SEED)));
  tcpTimeoutUs = <i64>(cfg(abi.CFG_TCP_TIMEOUT_S) * 1e6);
  udpTimeoutUs = <i64>(cfg(abi.CFG_UDP_TIMEOUT_S) * 1e6);
  icmpTimeoutUs = <i64>(cfg(abi.CFG_ICMP_TIMEOUT_S) * 1e6);
  otherTimeoutUs = <i64>(cfg(abi.CFG_OTHER_TIMEOUT_S) * 1e6);
  latenessUs = latenessUsFromConfig();
  sweepCursor = 0;
  flushCursor = 0;
  curFlow = 0;
  curHandshakeDone = false;
  publish();
}

@inline function publish(): void {
  cSet(abi.C_FLOWS_LIVE, <f64>flows.count);
  cSet(abi.C_FLOW_CAPACITY, <f64>flows.cap);
  cSet(abi.C_FLOW_TABLE_BYTES, flows.bytes());
}

@inline function timeoutFor(proto: u32): i64 {
  if (proto == 6) return tcpTimeoutUs;
  if (proto == 17) return udpTimeoutUs;
  if (proto == 1 || proto == 58) return icmpTimeoutUs;
  return otherTimeoutUs;
}

/** Zeek's ICMP counterpart (ICMP4_counterpart / ICMP6_counterpart in src/packet_analysis/
 *  protocol/icmp): the type answering a request type and vice versa, or -1 for one-way types. */
@inline function icmpCounterpart(proto: u32, type: u32): i32 {
  if (proto == 1) {
    switch (type) {
      case 8: return 0; case 0: return 8; // echo request / reply
      case 13: return 14; case 14: return 13; // timestamp
      case 15: return 16; case 16: return 15; // information
      case 10: return 9; case 9: return 10; // router solicitation / advertisement
      case 17: return 18; case 18: return 17; // address mask
    }
  } else {
    switch (type) {
      case 128: return 129; case 129: return 128; // echo
      case 130: return 131; case 131: return 130; // multicast listener query / report
      case 133: return 134; case 134: return 133; // router solicitation / advertisement
      case 135: return 136; case 136: return 135; // neighbor solicitation / advertisement
      case 139: return 140; case 140: return 139; // node information query / response
    }
  }
  return -1;
}

/** Compares the (address, port) ends; < 0 when the source end is the smaller one. */
@inline function compareEnds(sp: u32, dp: u32): i32 {
  const a0 = bswap<u64>(load<u64>(PKT_SRC));
  const b0 = bswap<u64>(load<u64>(PKT_DST));
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  const a1 = bswap<u64>(load<u64>(PKT_SRC, 8));
  const b1 = bswap<u64>(load<u64>(PKT_DST, 8));
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  return sp < dp ? -1 : sp > dp ? 1 : 0;
}

const KEY2: usize = memory.data(48, 16);

/** The live flow with ends (`a`, port `pa`) and (`b`, port `pb`) (16-byte addresses, IPv4-mapped
 *  for IPv4), IP protocol `proto` (not ICMP: its ports are not remapped here) and VLAN, in either
 *  direction; 0 when there is none. Sets flowFoundAIsLo. Reads only: no flow is created or
 *  touched. For quoted datagrams (detect/tcp-flow.ts, ICMP packet too big). */
export function flowFind(a: usize, b: usize, pa: u32, pb: u32, proto: u32, vlan: u32): usize {
  let c: i32 = 0;
  const a0 = bswap<u64>(load<u64>(a));
  const b0 = bswap<u64>(load<u64>(b));
  if (a0 != b0) c = a0 < b0 ? -1 : 1;
  else {
    const a1 = bswap<u64>(load<u64>(a, 8));
    const b1 = bswap<u64>(load<u64>(b, 8));
    c = a1 != b1 ? (a1 < b1 ? -1 : 1) : pa < pb ? -1 : pa > pb ? 1 : 0;
  }
  const aIsLo = c <= 0;
  v128.store(KEY2 + FK_LO_ADDR, v128.load(aIsLo ? a : b));
  v128.store(KEY2 + FK_HI_ADDR, v128.load(aIsLo ? b : a));
  store<u16>(KEY2 + FK_LO_PORT, <u16>(aIsLo ? pa : pb));
  store<u16>(KEY2 + FK_HI_PORT, <u16>(aIsLo ? pb : pa));
  store<u32>(KEY2 + FK_PROTO, proto);
  store<u32>(KEY2 + FK_VLAN, vlan);
  flowFoundAIsLo = aIsLo;
  return flows.find(KEY2, flows.hash(KEY2, FLOW_KEY_WORDS), FLOW_KEY_WORDS);
}
/** flowFind(): whether `a` is the found flow's lo end. */
export let flowFoundAIsLo: bool = false;

/**
 * Updates the flow of the current packet (packet.ts globals).
 * `newestUs` is the largest packet time seen so far (including this packet), used by the sweep.
 * Counters: C_FLOWS_CREATED, C_FLOWS_EXPIRED, C_FLOWS_EVICTED_FULL, C_FLOWS_LIVE, C_FLOW_CAPACITY,
 * C_FLOW_TABLE_BYTES, C_HANDSHAKES_COMPLETED.
 */
export function flowPacket(newestUs: i64): void {
  const proto = pktProto;
  let sp = pktSport;
  let dp = pktDport;
  if (proto == 1 || proto == 58) {
    // Ports are (type, code). Request/reply pairs key as (type, counterpart) so both directions
    // meet; one-way types keep (type, code), as Zeek does.
    const c = icmpCounterpart(proto, sp);
    if (c >= 0) dp = <u32>c;
  }
  const srcIsLo = compareEnds(sp, dp) <= 0;
  if (srcIsLo) {
    v128.store(KEY + FK_LO_ADDR, v128.load(PKT_SRC));
    v128.store(KEY + FK_HI_ADDR, v128.load(PKT_DST));
    store<u16>(KEY + FK_LO_PORT, <u16>sp);
    store<u16>(KEY + FK_HI_PORT, <u16>dp);
  } else {
    v128.store(KEY + FK_LO_ADDR, v128.load(PKT_DST));
    v128.store(KEY + FK_HI_ADDR, v128.load(PKT_SRC));
    store<u16>(KEY + FK_LO_PORT, <u16>dp);
    store<u16>(KEY + FK_HI_PORT, <u16>sp);
  }
  store<u32>(KEY + FK_PROTO, proto);
  store<u32>(KEY + FK_VLAN, pktVlan);

  const ts = pktTsUs;
  const h = flows.hash(KEY, FLOW_KEY_WORDS);
  let s = flows.find(KEY, h, FLOW_KEY_WORDS);
  let fresh = false;
  if (s != 0) {
    const last = load<i64>(s + SLOT_LAST);
    curPrevLastUs = last;
    const timeout = timeoutFor(proto);
    if (ts - last > timeout || newestUs - last > timeout + latenessUs) {
      // Idle past its timeout: the old flow ends here and a new one starts (header).
      cInc(abi.C_FLOWS_EXPIRED);
      onFlowEnd(s, abi.FWIN_END_IDLE);
      if (flowWindowHasOpen(s)) {
        store<u32>(s + SLOT_KEY + FK_PROTO, proto | ENDED_FLAG);
        s = 0;
      } else {
        memory.fill(s + SLOT_AUX, 0, SLOT_KEY - SLOT_AUX); // aux, last; keep hash and key
        memory.fill(s + SLOT_KEY + FLOW_KEY_BYTES, 0, FLOW_STRIDE - SLOT_KEY - FLOW_KEY_BYTES);
        fresh = true;
      }
    }
  }
  if (s == 0) {
    s = flows.insert(KEY, h);
    if (flows.evicted) {
      const v = flows.evictedCopy;
      if (load<u32>(v + SLOT_KEY + FK_PROTO) & ENDED_FLAG) {
        flowWindowEnd(v, abi.FWIN_END_EVICTED); // already ended and counted
      } else {
        cInc(abi.C_FLOWS_EVICTED_FULL);
        onFlowEnd(v, abi.FWIN_END_EVICTED);
      }
    }
    fresh = true;
  }
  if (fresh) {
    cInc(abi.C_FLOWS_CREATED);
    store<u32>(s + SLOT_AUX, srcIsLo ? 1 : 0);
    store<i64>(s + SLOT_LAST, ts);
    store<i64>(s + FV_FIRST_US, ts);
  } else {
    // Out-of-order packets widen [first, last]; they never shorten it or move it backwards.
    if (ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);
    if (ts < load<i64>(s + FV_FIRST_US)) store<i64>(s + FV_FIRST_US, ts);
  }
  const isOrig = (load<u32>(s + SLOT_AUX) & 1) == (srcIsLo ? 1 : 0);
  const len = <u64>pktWireLen;
  const f = pktTcpFlags;
  let done = false;
  if (isOrig) {
    store<u32>(s + FV_PKTS_ORIG, load<u32>(s + FV_PKTS_ORIG) + 1);
    store<u64>(s + FV_BYTES_ORIG, load<u64>(s + FV_BYTES_ORIG) + len);
    const before = <u32>load<u8>(s + FV_OR_FLAGS);
    // ACK without SYN/RST; orig had sent SYN, never ACK; resp had sent SYN and ACK (header).
    done = proto == 6 && (f & 0x16) == 0x10 && (before & 0x12) == 0x02 && (<u32>load<u8>(s + FV_OR_FLAGS + 1) & 0x12) == 0x12;
    store<u8>(s + FV_OR_FLAGS, <u8>(before | f));
  } else {
    store<u32>(s + FV_PKTS_RESP, load<u32>(s + FV_PKTS_RESP) + 1);
    store<u64>(s + FV_BYTES_RESP, load<u64>(s + FV_BYTES_RESP) + len);
    store<u8>(s + FV_OR_FLAGS + 1, load<u8>(s + FV_OR_FLAGS + 1) | <u8>f);
  }
  if (f != 0) {
    if (f & 0x02) store<u32>(s + FV_SYN, load<u32>(s + FV_SYN) + 1);
    if (f & 0x01) store<u32>(s + FV_FIN, load<u32>(s + FV_FIN) + 1);
    if (f & 0x04) store<u32>(s + FV_RST, load<u32>(s + FV_RST) + 1);
    if (f & 0x10) store<u32>(s + FV_ACK, load<u32>(s + FV_ACK) + 1);
    if (f & 0x08) store<u32>(s + FV_PSH, load<u32>(s + FV_PSH) + 1);
    if (f & 0x20) store<u32>(s + FV_URG, load<u32>(s + FV_URG) + 1);
    if (f & 0x40) store<u16>(s + FV_ECE, load<u16>(s + FV_ECE) + 1);
    if (f & 0x80) store<u16>(s + FV_CWR, load<u16>(s + FV_CWR) + 1);
  }
  if (done) cInc(abi.C_HANDSHAKES_COMPLETED);
  curFlow = s;
  curIsOrig = isOrig;
  curFresh = fresh;
  curHandshakeDone = done;
  onFlowPacket(s, isOrig, fresh, newestUs);
  publish();
}

/** Runs the chunked idle sweep after the detectors (it may move slots, so curFlow is stale after). */
export function flowSweep(newestUs: i64): void {
  sweep(newestUs, curFlow);
  curFlow = 0;
  publish();
}

/** End of input: ends every live flow (onFlowEnd(slot, FWIN_END_INPUT)) without removing it, so
 *  the host can still read the table; ended flows kept for their open windows emit them and are
 *  hidden (hash 0). Resumable: returns false when the output regions ran out of room (drain and
 *  call again), true when every flow was done. */
export function flowFlush(): bool {
  const cap = flows.cap;
  while (flushCursor < cap) {
    if (!outputRoomFor(8, 4)) return false;
    const s = flows.slotAt(flushCursor);
    if (load<u32>(s) != 0) {
      if (load<u32>(s + SLOT_KEY + FK_PROTO) & ENDED_FLAG) {
        flowWindowEnd(s, abi.FWIN_END_INPUT);
        flows.hide(s); // no lookup follows the flush
      } else {
        onFlowEnd(s, abi.FWIN_END_INPUT);
      }
    }
    flushCursor++;
  }
  publish();
  return true;
}

/** Called by the catch-up pass of detect/flow-window.ts right after it emitted the closed windows
 *  of the flow in slot `s`: when the flow holds no window any more and is idle past its timeout + L
 *  (or is an ended flow kept for its windows), ends it (onFlowEnd IDLE, C_FLOWS_EXPIRED) and
 *  removes it, so such flows leave at their window's close rather than at the sweep's next pass.
 *  Returns true when it removed the slot (a later entry may have moved into it). The caller
 *  checked the output room (8 alerts). */
export function flowRetireIdle(s: usize, newestUs: i64): bool {
  if (flowWindowHasOpen(s)) return false;
  const p = load<u32>(s + SLOT_KEY + FK_PROTO);
  if (p & ENDED_FLAG) {
    flows.remove(s);
  } else if (newestUs - load<i64>(s + SLOT_LAST) > timeoutFor(p) + latenessUs) {
    onFlowEnd(s, abi.FWIN_END_IDLE);
    cInc(abi.C_FLOWS_EXPIRED);
    flows.remove(s);
  } else {
    return false;
  }
  publish();
  return true;
}

/** Checks SWEEP_SLOTS slots at the cursor and removes flows idle past their timeout + L relative
 *  to `newestUs` whose windows have closed, and ended flows whose windows have closed. A removal
 *  pulls a later entry back into the checked slot, so the cursor stays there. `keep` (the current
 *  packet's flow) is never removed. */
function sweep(newestUs: i64, keep: usize): void {
  const mask = flows.mask;
  let i = sweepCursor & mask;
  for (let k: u32 = 0; k < SWEEP_SLOTS; k++) {
    if (!flows.used(i)) { i = (i + 1) & mask; continue; }
    const s = flows.slotAt(i);
    let drop = false;
    if (s != keep) {
      const p = load<u32>(s + SLOT_KEY + FK_PROTO);
      if (p & ENDED_FLAG) {
        if (flowWindowsClosed(s, newestUs)) {
          flowWindowEnd(s, abi.FWIN_END_IDLE);
          drop = true;
        }
      } else if (newestUs - load<i64>(s + SLOT_LAST) > timeoutFor(p) + latenessUs && flowWindowsClosed(s, newestUs)) {
        onFlowEnd(s, abi.FWIN_END_IDLE);
        cInc(abi.C_FLOWS_EXPIRED);
        drop = true;
      }
    }
    if (drop) flows.remove(s);
    else i = (i + 1) & mask;
  }
  sweepCursor = i;
}
