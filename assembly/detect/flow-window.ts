// Flow features per tumbling window (abi.FWIN_*): for every flow of the flow table and every window
// of W seconds in which it has packets, one record with its packets, bytes, SYNs, first/last packet
// time, roles, first record index, late packets and its originator's distinct destination ports
// (detect/sources.ts), judged by the flow rules when it is emitted (detect/rule-vm.ts: FWIN_RULES)
// and written to the window region only when a rule matches (every one with
// CFG_FLOWWIN_EMIT_ALL). State lives in the
// flow slot (bytes 160-255: the flow's at most two open windows, and bit 1 of SLOT_AUX); never
// allocates per packet; reads config only in flowWindowReset(). The plain TypeScript reference is
// test/reference/flow-windows.ts.
//
// Semantics:
// - Windows: W = CFG_FLOWWIN_WINDOW_S (default 60 s, at least 1 ms), aligned to the epoch:
//   start = floor(ts / W) * W (µs; also for negative times). A flow's window holds its packets of
//   both directions with start <= ts < start + W.
// - Watermark: wm = newest packet time seen - L, with L = CFG_LATENESS_S (default 5 s, clamped to
//   [0, W - 1 µs]). A window is closed once wm >= its end (start + W). So at most two windows are
//   open at any time (the one holding wm and the next), and a flow holds at most two.
// - Emission: a closed window is emitted (FWIN_END_CLOSED) promptly: a flow touched by a
//   slow-path packet (see Cost) first emits its own closed windows; when the watermark crosses a
//   window boundary, the catch-up pass (flowWindowCatchUp(), run by analyzeHasRoom() before the
//   next packet, resumable when the output region is full) emits every other closed window. A flow that
//   ends emits its windows too (onFlowEnd in detect/flow-end.ts; see "End" below), and at end of
//   input every open window is emitted (FWIN_END_INPUT). A window is emitted exactly once: emitting
//   it empties it in the slot.
// - Out-of-order packets: a packet whose window is still open (in particular any packet at most L
//   behind the newest) lands in its own window. A packet whose window has already closed (ts < the
//   start of the oldest open window) is late: it is counted in C_LATE_PACKETS and folded into the
//   flow's earliest open window, or, when the flow has none, into the oldest open window; there it
//   counts as if it had been sent at that window's start (PACKETS, BYTES, SYN, LATE; FIRST_US
//   becomes the window start, FIRST_RECORD its record when earlier). It counts in the flow table's
//   totals with its own time and runs through the other detectors as any packet.
// - FIRST_RECORD: the record of the packet with the smallest (folded) time in the window, the first
//   in input order among equal times.
// - Roles: orig is the end that sent the flow's first packet (flow table, Zeek's orig).
// - FWIN_DST_PORTS: the number of distinct responder ports of the originator's (address, VLAN)
//   flows that have an orig-direction packet in the window (TCP/UDP/SCTP/DCCP/UDP-Lite; exact up to
//   128, then a HyperLogLog estimate within +-20 %: detect/sources.ts), read when the record is
//   emitted. Ports are added when the packets are processed, so this is final for a window emitted
//   after it closed or at end of input; for one emitted earlier by an eviction at the table's
//   memory cap it counts the ports seen so far (a lower bound).
// - End reason (FWIN_END) of a window emitted when its flow ends: with closeAt = start + W + L
//   (the newest time that closes it) and expireAt = flow last + timeout + 1 µs (the newest time at
//   which the flow counts as idle past its timeout): when closeAt <= expireAt the window closes
//   first and is CLOSED once newest >= closeAt; otherwise the flow went idle first and the window
//   is IDLE once newest >= expireAt; else the flow's end reason (EVICTED, INPUT). This depends only
//   on packet times, not on when the sweep reaches the flow.
// - End: an idle flow (flow-table.ts) emits only its closed windows when it ends; its open ones
//   stay in its slot (an ended flow is kept, unfindable, until they close and the catch-up pass or
//   the sweep emits them), so an idle expiry never emits a partial DST_PORTS. A flow evicted at the
//   table's memory cap emits all its windows at once (FWIN_END_EVICTED unless CLOSED/IDLE apply).
// - Judging: every emitted window (closed, idle, evicted, end of input) gets its features
//   (detect/rule-vm.ts windowFeatures(): mean size = bytes / packets; SYN ratio = syn / packets;
//   rates use the window's own span: packets_per_s = packets / max(last - first, 1 s), bytes_per_s
//   likewise, so a flow shorter than 1 s in the window is rated per second, and a flow that is
//   active only part of the window is rated over its active part, not over W) and the bit mask of
//   the rules it matches (FWIN_RULES). C_FLOW_WINDOWS counts every judged window,
//   C_FLOW_WINDOWS_MATCHED those with a non-zero mask; only those are written (all of them with
//   CFG_FLOWWIN_EMIT_ALL). A record is built in a scratch block and copied out when written.
// - Cost: the newest window of a flow (its head) is kept implicitly: its packets, bytes and SYNs
//   are the flow table's totals minus a snapshot taken when it opened, and its last packet time is
//   the flow's. So a packet in time order in the same window as its flow's previous packet (nearly
//   every packet) costs a few compares on values already loaded by the flow table: no access to
//   the window state (bytes 160-255, two more cache lines). Other packets (a flow's first packet
//   in a window, its originator's first, out-of-order and late packets) take the slow path, which
//   updates the explicit state and, once per flow and window, the originator table; one
//   originator slot is swept per slow-path packet. The catch-up pass runs once per window
//   boundary of packet time and is bounded by O(flow table capacity): amortised over the packets
//   of a window, capacity / packets-per-window slot visits per packet. In practice it visits only
//   the probe runs of the flows that opened the closed windows (a list of their hashes, 4 bytes
//   each), falling back to a sequential walk of the whole table when those are more than a
//   quarter of the slots; it is skipped when nothing is pending and stops as soon as the counted
//   pending windows are emitted. So a capture with few packets per window (many boundaries, as a
//   merge of short captures far apart in time) does not pay a table walk each. The pass also
//   ends and removes the flows it leaves without a window that are idle past their timeout + L
//   (flow-table.ts flowRetireIdle()), so they leave at their window's close, not at the sweep's
//   next visit.
// - Off switch: CFG_FLOWWIN_ENABLED = 0, or a rule program without rules (and CFG_FLOWWIN_EMIT_ALL
//   0), computes no windows and frees the originator table.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cGet } from "../counters";
import {
  PKT_SRC, pktTsUs, pktWireLen, pktTcpFlags, pktRecordIndex, pktProtoLabel, pktProto, pktDport, pktVlan,
} from "../packet";
import { SLOT_AUX, SLOT_LAST } from "../table/open-table";
import { flows, curPrevLastUs, flowRetireIdle } from "../table/flow-table";
import { windowAppend, outputRoomFor } from "./output";
import { sourcesReset, sourcesAdd, sourcesCount, sourcesSweep, hasPorts } from "./sources";
import { ruleVmReset, ruleVmCount, ruleVmJudge } from "./rule-vm";

// ---- window state in the flow slot (bytes 160-255; internal, not part of the ABI) ----
// The head (the flow's newest window): start, explicit first/last/first record/late, and the
// snapshot of the flow totals (abi.FLOW_PKTS_*, FLOW_BYTES_*, FLOW_SYN) that its counts are
// measured from. The old window (start = head start - W), when the flow has one, is explicit.
const H_START: usize = 160; // i64 head window start (µs)
const H_FIRST: usize = 168; // i64 first (folded) packet time
const H_LAST: usize = 176; // i64 last packet time of the slow-path packets (the flow's last covers the rest)
const H_SNAP_BYTES: usize = 184; // u64 flow bytes (both directions) not in the head
const H_SNAP_PKTS: usize = 192; // u32 flow packets not in the head
const H_SNAP_SYN: usize = 196; // u32 flow SYN packets not in the head
const H_FREC: usize = 200; // u32 record index of the head's first packet
const H_LATE: usize = 204; // u32 late packets folded into the head
const O_FIRST: usize = 208; // i64
const O_LAST: usize = 216; // i64
const O_BYTES: usize = 224; // u64
const O_PKTS: usize = 232; // u32
const O_SYN: usize = 236; // u32
const O_FREC: usize = 240; // u32
const O_LATE: usize = 244; // u32
const LABEL: usize = 248; // u16 protocol label of the flow's first packet
const WFLAGS: usize = 250; // u8 F_*; 251 spare
const SRC_HINT: usize = 252; // u32 where the originator's entry was last found (sources.ts hint)
const F_HEAD: u32 = 1; // the flow has a head window
const F_OLD: u32 = 2; // ... and an old one
const F_OLD_ORIG: u32 = 4; // the old window already added the flow to its originator's ports
/** SLOT_AUX bit (bit 0 is the flow table's orig-is-lo): the head window already added the flow to
 *  its originator's ports. In the first cache line, so the fast path can test it. */
const AUX_HEAD_ORIG: u32 = 2;

let enabled = false;
let emitAll = false;
let windowUs: i64 = 60000000;
let latenessUs: i64 = 5000000;
let tcpTimeoutUs: i64 = 0;
let udpTimeoutUs: i64 = 0;
let icmpTimeoutUs: i64 = 0;
let otherTimeoutUs: i64 = 0;
let started = false;
/** Start of the oldest open window (the one holding the watermark). */
let openStartUs: i64 = i64.MIN_VALUE;
/** Newest packet time at which the watermark leaves that window. */
let advanceAtUs: i64 = i64.MIN_VALUE;
/** Originator entries whose windows all start before this are no longer read (the catch-up pass
 *  for them has run): the oldest open window before the last boundary. */
let sourcesDoneUs: i64 = i64.MIN_VALUE;
/** An open window, [cacheStartUs, cacheEndUs): the one of the last on-time slow-path packet. */
let cacheStartUs: i64 = 0;
let cacheEndUs: i64 = 0;
/** Windows held in flow slots starting at openStartUs, at openStartUs + W, and closed ones not
 *  yet emitted (the catch-up pass stops when this reaches 0). */
let openHere: i64 = 0;
let openNext: i64 = 0;
let pending: i64 = 0;
let catchCursor: u32 = 0;

/** The stored hashes (open-table SLOT_HASH) of the flows that opened a window: a list per open
 *  window and the lists of the windows that closed at the last boundary. The catch-up pass walks
 *  each listed flow's probe run from its home slot (a flow moved by a deletion or a table growth
 *  is still in that run; an ended flow kept for its windows and its successor share the hash and
 *  the run), so its cost follows the flows that had windows, not the table capacity. A list
 *  longer than a quarter of the table's slots stops growing and is marked overflowed: the pass
 *  then walks the whole table instead (cheaper by then). Memory: at most 4 x capacity / 4 u32,
 *  4 bytes per flow slot. Grown by doubling (never per packet in steady state). */
class HashList {
  ptr: usize = 0;
  len: u32 = 0;
  cap: u32 = 0;
  overflow: bool = false;

  push(h: u32, limit: u32): void {
    if (this.overflow) return;
    if (this.len >= limit) {
      this.overflow = true;
      return;
    }
    if (this.len == this.cap) {
      const n: u32 = this.cap == 0 ? 1024 : this.cap << 1;
      const p = heap.alloc(<usize>n << 2);
      if (this.ptr != 0) {
        memory.copy(p, this.ptr, <usize>this.len << 2);
        heap.free(this.ptr);
      }
      this.ptr = p;
      this.cap = n;
    }
    store<u32>(this.ptr + (<usize>this.len << 2), h);
    this.len++;
  }

  @inline at(i: u32): u32 {
    return load<u32>(this.ptr + (<usize>i << 2));
  }

  clear(): void {
    this.len = 0;
    this.overflow = false;
  }
}
/** List entries the catch-up pass loads ahead, and the sink of those loads. */
const LOOKAHEAD: u32 = 8;
let touched: u32 = 0;
let listHere = new HashList();
let listNext = new HashList();
let closed0 = new HashList();
let closed1 = new HashList();

/** Window length from config (CFG_FLOWWIN_WINDOW_S), µs, at least 1 ms. */
export function windowUsFromConfig(): i64 {
  const w = <i64>Math.round(cfg(abi.CFG_FLOWWIN_WINDOW_S) * 1e6);
  return w < 1000 ? 1000 : w;
}

/** Lateness bound from config (CFG_LATENESS_S), µs, clamped to [0, window - 1 µs]. */
export function latenessUsFromConfig(): i64 {
  const v = cfg(abi.CFG_LATENESS_S);
  const l: i64 = v > 0 ? <i64>Math.round(v * 1e6) : 0;
  const w = windowUsFromConfig();
  return l >= w ? w - 1 : l;
}

/** Loads the flow-rule program (detect/rule-vm.ts), reads config (CFG_FLOWWIN_ENABLED,
 *  CFG_FLOWWIN_EMIT_ALL, CFG_FLOWWIN_WINDOW_S, CFG_LATENESS_S, CFG_*_TIMEOUT_S) and clears the
 *  watermark, the counts and lists of open windows and the originator table. */
export function flowWindowReset(): void {
  ruleVmReset();
  emitAll = cfg(abi.CFG_FLOWWIN_EMIT_ALL) != 0;
  enabled = cfg(abi.CFG_FLOWWIN_ENABLED) != 0 && (ruleVmCount() > 0 || emitAll);
  windowUs = windowUsFromConfig();
  latenessUs = latenessUsFromConfig();
  tcpTimeoutUs = <i64>(cfg(abi.CFG_TCP_TIMEOUT_S) * 1e6);
  udpTimeoutUs = <i64>(cfg(abi.CFG_UDP_TIMEOUT_S) * 1e6);
  icmpTimeoutUs = <i64>(cfg(abi.CFG_ICMP_TIMEOUT_S) * 1e6);
  otherTimeoutUs = <i64>(cfg(abi.CFG_OTHER_TIMEOUT_S) * 1e6);
  started = false;
  openStartUs = i64.MIN_VALUE;
  advanceAtUs = i64.MIN_VALUE;
  sourcesDoneUs = i64.MIN_VALUE;
  cacheStartUs = 0;
  cacheEndUs = 0;
  openHere = 0;
  openNext = 0;
  pending = 0;
  catchCursor = 0;
  listHere.clear();
  listNext.clear();
  closed0.clear();
  closed1.clear();
  sourcesReset(enabled);
}

@inline function timeoutFor(proto: u32): i64 {
  if (proto == 6) return tcpTimeoutUs;
  if (proto == 17) return udpTimeoutUs;
  if (proto == 1 || proto == 58) return icmpTimeoutUs;
  return otherTimeoutUs;
}

@inline function floorStart(t: i64): i64 {
  let r = t % windowUs;
  if (r < 0) r += windowUs;
  return t - r;
}

@inline function totalPkts(s: usize): u32 {
  return load<u32>(s + abi.FLOW_PKTS_ORIG) + load<u32>(s + abi.FLOW_PKTS_RESP);
}
@inline function totalBytes(s: usize): u64 {
  return load<u64>(s + abi.FLOW_BYTES_ORIG) + load<u64>(s + abi.FLOW_BYTES_RESP);
}

/** The watermark left the oldest open window: windows before the new one are now pending. */
function advance(newestUs: i64): void {
  const k = floorStart(newestUs - latenessUs);
  // The last catch-up pass has finished (it runs before every packet): its lists are spent.
  closed0.clear();
  closed1.clear();
  if (started) {
    sourcesDoneUs = openStartUs;
    pending += openHere;
    let t = closed0;
    closed0 = listHere;
    listHere = t;
    if (openStartUs + windowUs == k) {
      openHere = openNext;
      t = listHere; // the spent list
      listHere = listNext;
      listNext = t;
    } else {
      pending += openNext;
      openHere = 0;
      t = closed1;
      closed1 = listNext;
      listNext = t;
    }
    openNext = 0;
  }
  started = true;
  openStartUs = k;
  advanceAtUs = k + windowUs + latenessUs;
  cacheStartUs = k;
  cacheEndUs = k + windowUs;
  catchCursor = 0;
}

/** Counts a window opened at `start` by the flow in slot `s` and lists the flow for the catch-up. */
@inline function countOpen(s: usize, start: i64): void {
  const limit = max<u32>(16, flows.cap >> 2);
  if (start == openStartUs) {
    openHere++;
    listHere.push(load<u32>(s), limit);
  } else {
    openNext++;
    listNext.push(load<u32>(s), limit);
  }
}

@inline function countEmit(start: i64): void {
  if (start < openStartUs) pending--;
  else if (start == openStartUs) openHere--;
  else openNext--;
}

/**
 * The current packet (packet.ts) was counted in the flow in slot `s` (see detect/flow-end.ts):
 * emits the flow's closed windows, then adds the packet to its window (or folds it in when late)
 * and, for the first orig packet of the flow in that window, its responder port to the
 * originator's ports. Counters: C_LATE_PACKETS, C_FLOW_WINDOWS(_MATCHED), C_SOURCES_*.
 */
@inline export function flowWindowPacket(s: usize, isOrig: bool, fresh: bool, newestUs: i64): void {
  if (!enabled) return;
  if (newestUs >= advanceAtUs) advance(newestUs);
  const ts = pktTsUs;
  const prev = curPrevLastUs;
  // Fast path: in time order, in the open window of the flow's previous packet, which is then the
  // flow's head; its counts follow the flow totals. An orig packet also needs the head's
  // originator already counted.
  if (!fresh && ts >= cacheStartUs && ts < cacheEndUs && prev >= cacheStartUs && prev <= ts &&
      (!isOrig || (load<u32>(s + SLOT_AUX) & AUX_HEAD_ORIG) != 0)) return;
  slowPacket(s, isOrig, fresh, newestUs);
}

function slowPacket(s: usize, isOrig: bool, fresh: bool, newestUs: i64): void {
  sourcesSweep(sourcesDoneUs);
  const ts = pktTsUs;
  const len = <u64>pktWireLen;
  const syn: u32 = (pktTcpFlags & 0x02) != 0 ? 1 : 0;
  let flags: u32 = 0;
  let excluded = false;
  if (fresh) {
    store<u16>(s + LABEL, <u16>pktProtoLabel);
    store<u8>(s + WFLAGS, 0);
    store<u32>(s + SRC_HINT, 0);
  } else {
    flags = <u32>load<u8>(s + WFLAGS);
    if (flags & F_HEAD) {
      // Keep this packet out of the head's counts while its closed windows are emitted.
      snapAdd(s, len, syn);
      excluded = true;
    }
    emitClosed(s, newestUs, curPrevLastUs);
    flags = <u32>load<u8>(s + WFLAGS);
  }
  let start: i64;
  let t = ts;
  let late = false;
  if (ts >= cacheStartUs && ts < cacheEndUs) {
    start = cacheStartUs;
  } else if (ts >= openStartUs) {
    start = floorStart(ts);
    cacheStartUs = start;
    cacheEndUs = start + windowUs;
  } else {
    // Late: into the flow's earliest open window, or the oldest open one.
    late = true;
    cInc(abi.C_LATE_PACKETS);
    if (flags & F_OLD) start = load<i64>(s + H_START) - windowUs;
    else if (flags & F_HEAD) start = load<i64>(s + H_START);
    else start = openStartUs;
    t = start;
  }
  // The flow's windows are in {openStartUs, openStartUs + W}: the head is the later one.
  let toOld = false;
  if ((flags & F_HEAD) == 0) {
    openHead(s, start, t, len, syn);
    flags = F_HEAD;
  } else {
    const hs = load<i64>(s + H_START);
    if (start == hs) {
      if (excluded) snapSub(s, len, syn);
    } else if (start > hs) {
      // A later window: the head becomes the old window (there was none: at most two are open).
      const lastSeen = max<i64>(load<i64>(s + H_LAST), curPrevLastUs);
      store<i64>(s + O_FIRST, load<i64>(s + H_FIRST));
      store<i64>(s + O_LAST, lastSeen);
      store<u64>(s + O_BYTES, totalBytes(s) - load<u64>(s + H_SNAP_BYTES));
      store<u32>(s + O_PKTS, totalPkts(s) - load<u32>(s + H_SNAP_PKTS));
      store<u32>(s + O_SYN, load<u32>(s + abi.FLOW_SYN) - load<u32>(s + H_SNAP_SYN));
      store<u32>(s + O_FREC, load<u32>(s + H_FREC));
      store<u32>(s + O_LATE, load<u32>(s + H_LATE));
      flags = F_HEAD | F_OLD | ((load<u32>(s + SLOT_AUX) & AUX_HEAD_ORIG) != 0 ? F_OLD_ORIG : 0);
      openHead(s, start, t, len, syn);
    } else {
      // The window before the head (out of order): the old window, explicit.
      toOld = true;
      if ((flags & F_OLD) == 0) {
        store<i64>(s + O_FIRST, t);
        store<i64>(s + O_LAST, t);
        store<u64>(s + O_BYTES, 0);
        store<u32>(s + O_PKTS, 0);
        store<u32>(s + O_SYN, 0);
        store<u32>(s + O_FREC, pktRecordIndex);
        store<u32>(s + O_LATE, 0);
        flags |= F_OLD;
        countOpen(s, start);
      }
      store<u32>(s + O_PKTS, load<u32>(s + O_PKTS) + 1);
      store<u64>(s + O_BYTES, load<u64>(s + O_BYTES) + len);
      store<u32>(s + O_SYN, load<u32>(s + O_SYN) + syn);
      if (!excluded) snapAdd(s, len, syn); // counted here, not in the head
    }
  }
  // First/last time, first record and late count of the window the packet went to.
  const fo: usize = toOld ? O_FIRST : H_FIRST;
  const lo: usize = toOld ? O_LAST : H_LAST;
  if (t > load<i64>(s + lo)) {
    store<i64>(s + lo, t);
  } else if (t < load<i64>(s + fo)) {
    store<i64>(s + fo, t);
    store<u32>(s + (toOld ? O_FREC : H_FREC), pktRecordIndex);
  }
  if (late) {
    const lt: usize = toOld ? O_LATE : H_LATE;
    store<u32>(s + lt, load<u32>(s + lt) + 1);
  }
  if (isOrig) {
    if (toOld) {
      if ((flags & F_OLD_ORIG) == 0) {
        flags |= F_OLD_ORIG;
        if (hasPorts(pktProto)) addPort(s, start, ts);
      }
    } else {
      const aux = load<u32>(s + SLOT_AUX);
      if ((aux & AUX_HEAD_ORIG) == 0) {
        store<u32>(s + SLOT_AUX, aux | AUX_HEAD_ORIG);
        if (hasPorts(pktProto)) addPort(s, start, ts);
      }
    }
  }
  store<u8>(s + WFLAGS, <u8>flags);
}

/** Adds the current (orig) packet's destination port to its originator's ports of window `start`. */
@inline function addPort(s: usize, start: i64, ts: i64): void {
  store<u32>(s + SRC_HINT, sourcesAdd(PKT_SRC, pktVlan, pktDport, start, ts, load<u32>(s + SRC_HINT)));
}

@inline function snapAdd(s: usize, len: u64, syn: u32): void {
  store<u32>(s + H_SNAP_PKTS, load<u32>(s + H_SNAP_PKTS) + 1);
  store<u64>(s + H_SNAP_BYTES, load<u64>(s + H_SNAP_BYTES) + len);
  store<u32>(s + H_SNAP_SYN, load<u32>(s + H_SNAP_SYN) + syn);
}

@inline function snapSub(s: usize, len: u64, syn: u32): void {
  store<u32>(s + H_SNAP_PKTS, load<u32>(s + H_SNAP_PKTS) - 1);
  store<u64>(s + H_SNAP_BYTES, load<u64>(s + H_SNAP_BYTES) - len);
  store<u32>(s + H_SNAP_SYN, load<u32>(s + H_SNAP_SYN) - syn);
}

/** Opens the head window at `start` with the current packet (time `t`): the snapshot is the flow
 *  totals without this packet. */
function openHead(s: usize, start: i64, t: i64, len: u64, syn: u32): void {
  store<i64>(s + H_START, start);
  store<i64>(s + H_FIRST, t);
  store<i64>(s + H_LAST, t);
  store<u64>(s + H_SNAP_BYTES, totalBytes(s) - len);
  store<u32>(s + H_SNAP_PKTS, totalPkts(s) - 1);
  store<u32>(s + H_SNAP_SYN, load<u32>(s + abi.FLOW_SYN) - syn);
  store<u32>(s + H_FREC, pktRecordIndex);
  store<u32>(s + H_LATE, 0);
  store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) & ~AUX_HEAD_ORIG);
  countOpen(s, start);
}

/** Emits the flow's windows that start before the oldest open window (old first, then head).
 *  `flowLastUs`: the flow's newest packet time not counting a packet being added (for the head's
 *  last time). */
function emitClosed(s: usize, newestUs: i64, flowLastUs: i64): void {
  let flags = <u32>load<u8>(s + WFLAGS);
  if ((flags & F_HEAD) == 0) return;
  const hs = load<i64>(s + H_START);
  if ((flags & F_OLD) != 0 && hs - windowUs < openStartUs) {
    emitOld(s, abi.FWIN_END_CLOSED, newestUs);
    flags &= ~(F_OLD | F_OLD_ORIG);
  }
  if (hs < openStartUs) {
    emitHead(s, abi.FWIN_END_CLOSED, newestUs, flowLastUs);
    flags = 0;
  }
  store<u8>(s + WFLAGS, <u8>flags);
}

/** Alerts a flow's end may write (detect/flow-rules.ts closes its episodes): the catch-up pass
 *  keeps room for them, as flowFlush() does. */
const RETIRE_ALERTS: i32 = 8;

/** The catch-up pass's work on a flow with a closed window: emits its closed windows and retires
 *  it when it is idle with nothing left open (flow-table.ts). True when the slot was removed. */
@inline function catchUpFlow(s: usize, newestUs: i64): bool {
  emitClosed(s, newestUs, load<i64>(s + SLOT_LAST));
  return flowRetireIdle(s, newestUs);
}

/** True when the flow in slot `s` holds a window that has closed. */
@inline function hasClosed(s: usize): bool {
  const f = <u32>load<u8>(s + WFLAGS);
  if ((f & F_HEAD) == 0) return false;
  const hs = load<i64>(s + H_START);
  return ((f & F_OLD) != 0 ? hs - windowUs : hs) < openStartUs;
}

/** The end reason of a window starting at `start` of a flow last seen at `lastUs` (header). */
@inline function endLabel(start: i64, lastUs: i64, proto: u32, newestUs: i64, why: i32): i32 {
  const closeAt = start + windowUs + latenessUs;
  const expireAt = lastUs + timeoutFor(proto) + 1;
  if (closeAt <= expireAt) return newestUs >= closeAt ? abi.FWIN_END_CLOSED : why;
  return newestUs >= expireAt ? abi.FWIN_END_IDLE : why;
}

/** The window record being built (abi.FWIN_*): record() fills the flow's fields, emitOld() and
 *  emitHead() the window's own, judge() the rules and copies it out. */
const SCRATCH: usize = memory.data(abi.FWIN_STRIDE, 16);

/** Starts the window record of slot `s` (a flow slot or a copy of one) in SCRATCH with the flow's
 *  fields; the caller fills the window's own and calls judge(). */
function record(s: usize, start: i64, why: i32, newestUs: i64): usize {
  const p = SCRATCH;
  const origLo = (load<u32>(s + SLOT_AUX) & 1) != 0;
  const oa = s + <usize>(origLo ? abi.FLOW_LO_ADDR : abi.FLOW_HI_ADDR);
  const ra = s + <usize>(origLo ? abi.FLOW_HI_ADDR : abi.FLOW_LO_ADDR);
  const op = s + <usize>(origLo ? abi.FLOW_LO_PORT : abi.FLOW_HI_PORT);
  const rp = s + <usize>(origLo ? abi.FLOW_HI_PORT : abi.FLOW_LO_PORT);
  const proto = load<u32>(s + abi.FLOW_PROTO) & 0xff;
  const vlan = load<u32>(s + abi.FLOW_VLAN);
  store<i64>(p + abi.FWIN_START_US, start);
  v128.store(p + abi.FWIN_ORIG, v128.load(oa));
  v128.store(p + abi.FWIN_RESP, v128.load(ra));
  store<u16>(p + abi.FWIN_ORIG_PORT, load<u16>(op));
  store<u16>(p + abi.FWIN_RESP_PORT, load<u16>(rp));
  store<u8>(p + abi.FWIN_PROTO, <u8>proto);
  store<u8>(p + abi.FWIN_END, <u8>endLabel(start, load<i64>(s + SLOT_LAST), proto, newestUs, why));
  store<u16>(p + abi.FWIN_PROTO_LABEL, load<u16>(s + LABEL));
  store<u32>(p + abi.FWIN_DST_PORTS, sourcesCount(oa, vlan, start, load<u32>(s + SRC_HINT)));
  store<u32>(p + abi.FWIN_VLAN, vlan);
  countEmit(start);
  return p;
}

/** Judges the window record at `p` (SCRATCH) by the flow rules and writes it to the window
 *  region when one matches or CFG_FLOWWIN_EMIT_ALL is set (see the header). The caller checked the
 *  output room. */
function judge(p: usize): void {
  const mask = ruleVmJudge(p);
  store<u32>(p + abi.FWIN_RULES, mask);
  store<u32>(p + abi.FWIN_RULES + 4, 0);
  if (mask != 0) cInc(abi.C_FLOW_WINDOWS_MATCHED);
  // windowAppend() counts C_FLOW_WINDOWS for a written window; an unwritten one is counted here.
  if (mask != 0 || emitAll) memory.copy(windowAppend(), p, abi.FWIN_STRIDE);
  else cInc(abi.C_FLOW_WINDOWS);
}

/** Emits the old window of slot `s` (the caller clears F_OLD). */
function emitOld(s: usize, why: i32, newestUs: i64): void {
  const p = record(s, load<i64>(s + H_START) - windowUs, why, newestUs);
  store<i64>(p + abi.FWIN_FIRST_US, load<i64>(s + O_FIRST));
  store<i64>(p + abi.FWIN_LAST_US, load<i64>(s + O_LAST));
  store<u32>(p + abi.FWIN_PACKETS, load<u32>(s + O_PKTS));
  store<u32>(p + abi.FWIN_SYN, load<u32>(s + O_SYN));
  store<f64>(p + abi.FWIN_BYTES, <f64>load<u64>(s + O_BYTES));
  store<u32>(p + abi.FWIN_FIRST_RECORD, load<u32>(s + O_FREC));
  store<u32>(p + abi.FWIN_LATE, load<u32>(s + O_LATE));
  judge(p);
}

/** Emits the head window of slot `s` (the caller clears the flags); `flowLastUs` as emitClosed(). */
function emitHead(s: usize, why: i32, newestUs: i64, flowLastUs: i64): void {
  const p = record(s, load<i64>(s + H_START), why, newestUs);
  store<i64>(p + abi.FWIN_FIRST_US, load<i64>(s + H_FIRST));
  store<i64>(p + abi.FWIN_LAST_US, max<i64>(load<i64>(s + H_LAST), flowLastUs));
  store<u32>(p + abi.FWIN_PACKETS, totalPkts(s) - load<u32>(s + H_SNAP_PKTS));
  store<u32>(p + abi.FWIN_SYN, load<u32>(s + abi.FLOW_SYN) - load<u32>(s + H_SNAP_SYN));
  store<f64>(p + abi.FWIN_BYTES, <f64>(totalBytes(s) - load<u64>(s + H_SNAP_BYTES)));
  store<u32>(p + abi.FWIN_FIRST_RECORD, load<u32>(s + H_FREC));
  store<u32>(p + abi.FWIN_LATE, load<u32>(s + H_LATE));
  judge(p);
}

/**
 * The flow in slot `s` (or a copy of an evicted slot) ends for reason `why` (abi.FWIN_END_*).
 * FWIN_END_IDLE emits only the windows that have closed (newest >= start + W + L) and leaves the
 * open ones in the slot (flow-table.ts keeps the ended flow until they close: see the header);
 * every other reason emits all of them. The caller checked the output room (<= 2 windows).
 */
export function flowWindowEnd(s: usize, why: i32): void {
  if (!enabled) return;
  let flags = <u32>load<u8>(s + WFLAGS);
  if ((flags & F_HEAD) == 0) return;
  const newestUs = <i64>cGet(abi.C_TS_LAST_US);
  const hs = load<i64>(s + H_START);
  const closeGap = windowUs + latenessUs;
  if ((flags & F_OLD) != 0) {
    if (why == abi.FWIN_END_IDLE && hs - windowUs + closeGap > newestUs) return;
    emitOld(s, why, newestUs);
    flags = F_HEAD;
  }
  if (why != abi.FWIN_END_IDLE || hs + closeGap <= newestUs) {
    emitHead(s, why, newestUs, load<i64>(s + SLOT_LAST));
    flags = 0;
  }
  store<u8>(s + WFLAGS, <u8>flags);
}

/** True when the flow in slot `s` still holds a window (after flowWindowEnd(s, IDLE): an open one). */
export function flowWindowHasOpen(s: usize): bool {
  return enabled && (load<u8>(s + WFLAGS) & <u8>F_HEAD) != 0;
}

/** True when every window the flow in slot `s` holds has closed by `newestUs` (or it holds none). */
export function flowWindowsClosed(s: usize, newestUs: i64): bool {
  if (!enabled || (load<u8>(s + WFLAGS) & <u8>F_HEAD) == 0) return true;
  return load<i64>(s + H_START) + windowUs + latenessUs <= newestUs;
}

/**
 * Pending window-boundary work: emits every closed window still held in the flow table (see the
 * header): walks the probe runs of the flows listed as having opened the closed windows, or the
 * whole table when a list overflowed. Resumable: returns false when the output region has no room
 * for two more windows (drain and call again), true when nothing is pending. Cheap when nothing is
 * pending; stops as soon as the pending count reaches 0.
 */
export function flowWindowCatchUp(): bool {
  if (pending <= 0) return true;
  const newestUs = <i64>cGet(abi.C_TS_LAST_US);
  if (closed0.overflow || closed1.overflow) {
    const cap = flows.cap;
    while (catchCursor < cap) {
      if (!outputRoomFor(RETIRE_ALERTS, 2)) return false;
      const s = flows.slotAt(catchCursor);
      // A retired flow's slot may now hold a later entry: look at it again.
      if (load<u32>(s) != 0 && hasClosed(s) && catchUpFlow(s, newestUs)) continue;
      catchCursor++;
      if (pending <= 0) break;
    }
  } else {
    const n0 = closed0.len;
    const total = n0 + closed1.len;
    const mask = flows.mask;
    while (catchCursor < total) {
      const c = catchCursor;
      const h = c < n0 ? closed0.at(c) : closed1.at(c - n0);
      // Early loads of the home slots of flows listed further on (their cache misses overlap
      // this one's work).
      const a = c + LOOKAHEAD;
      if (a < total) touched += load<u32>(flows.slotAt((a < n0 ? closed0.at(a) : closed1.at(a - n0)) & mask));
      // The flow is between its home slot and the next empty slot (a resumed walk starts over:
      // emitted windows are gone).
      let i = h & mask;
      for (;;) {
        const s = flows.slotAt(i);
        if (load<u32>(s) == 0) break;
        if (hasClosed(s)) {
          if (!outputRoomFor(RETIRE_ALERTS, 2)) return false;
          if (catchUpFlow(s, newestUs)) continue; // a later entry moved into slot i
        }
        i = (i + 1) & mask;
      }
      catchCursor++;
      if (pending <= 0) break;
    }
  }
  pending = 0;
  closed0.clear();
  closed1.clear();
  return true;
}
