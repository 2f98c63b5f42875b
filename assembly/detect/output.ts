// The output regions: alerts, trace points, packet marks, flow windows and connection records. Fixed heap blocks sized
// from config at reset, appended to by detectors and emptied by the worker (clearOut()). Never
// grows per packet: before each record the reader asks outputHasRoom(), which keeps enough
// headroom for the most one packet can write (ALERT_HEADROOM alerts, one trace point, one mark,
// WINDOW_HEADROOM flow windows, CONN_HEADROOM connection records); when that is not there it
// returns STATUS_OUTPUT_FULL.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktSport, pktDport, pktProto, pktTcpFlags, pktProtoLabel, pktWireLen,
  pktRecordIndex, pktVlan,
} from "../packet";

/** Alerts one packet may write at most, with margin: z-score 1; portscan 13 and synflood 7 (new
 *  episodes, closed ones and their sweeps: detect/portscan.ts, synflood.ts); flow rules 3 new plus
 *  3 updates for each flow that ends (the expired one on lookup, the evicted one, up to
 *  SWEEP_SLOTS = 4 swept): 18. Total 42. Issue #4 (tcp): RETRANS 1 new, LONGCONN 1 + 5 ladder
 *  steps at a packet and 4 in its sweep, LATENCY 2 plus 3 for an evicted server, and for each of
 *  the 6 flows that may end: RETRANS 2 and LONGCONN 2 (24): 40 more, 82 in all; spike 7 (detect/metrics.ts; its window closes are written by
 *  metricsCatchUp(), which checks its own room): 89. */
export const ALERT_HEADROOM: i32 = 128;
/** Flow windows one packet may emit at most (its flow's rollover, the sweep's closed windows). */
export const WINDOW_HEADROOM: i32 = 16;
/** Connection records one packet may write at most: one per flow that ends (the expired one on
 *  lookup, the evicted one, SWEEP_SLOTS = 4 swept): 6, with margin. Also the room outputRoomFor()
 *  keeps for the flush and catch-up loops, which end at most a few flows between checks. */
export const CONN_HEADROOM: i32 = 8;

let alertMem: usize = 0;
let alertCap: i32 = 0;
let alertN: i32 = 0;
let traceMem: usize = 0;
let traceCap: i32 = 0;
let traceN: i32 = 0;
let markMem: usize = 0;
let markCap: i32 = 0;
let markN: i32 = 0;
let marksOn = false;
let windowMem: usize = 0;
let windowCap: i32 = 0;
let windowN: i32 = 0;
let connMem: usize = 0;
let connCap: i32 = 0;
let connN: i32 = 0;
let connsOn = false;
let episodeNext: u32 = 1;

/** Reasons (bit 1 << DET_*) the rules gave the current packet; markCommit() writes and clears it. */
let packetReasons: u32 = 0;

/** Trace key (36 bytes: src 16, dst 16, u32 protocol label). Static: reset never clears it,
 *  because the engine writes it before reset(). */
export const TRACE_KEY: usize = memory.data(abi.TRACE_KEY_BYTES + 12, 16);

function region(mem: usize, cap: i32, stride: i32): usize {
  if (mem != 0) heap.free(mem);
  const p = heap.alloc(<usize>cap * stride);
  memory.fill(p, 0, <usize>cap * stride);
  return p;
}

/** (Re)allocates every region from config (CFG_ALERT_CAPACITY, CFG_TRACE_CAPACITY,
 *  CFG_MARK_CAPACITY when CFG_MARKS_ENABLED, CFG_WINDOW_CAPACITY, CFG_CONN_CAPACITY when
 *  CFG_CONN_RECORDS_ENABLED) and restarts episode ids at 1. */
export function outputReset(): void {
  alertCap = max<i32>(ALERT_HEADROOM + 1, <i32>cfg(abi.CFG_ALERT_CAPACITY));
  traceCap = max<i32>(1, <i32>cfg(abi.CFG_TRACE_CAPACITY));
  marksOn = cfg(abi.CFG_MARKS_ENABLED) != 0;
  markCap = marksOn ? max<i32>(1, <i32>cfg(abi.CFG_MARK_CAPACITY)) : 1;
  windowCap = max<i32>(WINDOW_HEADROOM + 1, <i32>cfg(abi.CFG_WINDOW_CAPACITY));
  alertMem = region(alertMem, alertCap, abi.ALERT_STRIDE);
  traceMem = region(traceMem, traceCap, abi.TRACE_STRIDE);
  markMem = region(markMem, markCap, abi.MARK_STRIDE);
  windowMem = region(windowMem, windowCap, abi.FWIN_STRIDE);
  connsOn = cfg(abi.CFG_CONN_RECORDS_ENABLED) != 0;
  connCap = connsOn ? max<i32>(CONN_HEADROOM + 1, <i32>cfg(abi.CFG_CONN_CAPACITY)) : CONN_HEADROOM + 1;
  connMem = region(connMem, connCap, abi.CONN_STRIDE);
  connN = 0;
  alertN = 0;
  traceN = 0;
  markN = 0;
  windowN = 0;
  episodeNext = 1;
  packetReasons = 0;
}

/** True when one more packet's worth of output fits (see the header). */
@inline export function outputHasRoom(): bool {
  return alertN + ALERT_HEADROOM <= alertCap && traceN < traceCap && markN < markCap &&
    windowN + WINDOW_HEADROOM <= windowCap && connN + CONN_HEADROOM <= connCap;
}

/** Trace points that still fit. */
@inline export function outputTraceRoom(): i32 {
  return traceCap - traceN;
}

/** True when `alerts` more alerts and `windows` more flow windows fit, and CONN_HEADROOM
 *  connection records (flush loops at finish, the flow-window catch-up pass). */
@inline export function outputRoomFor(alerts: i32, windows: i32): bool {
  return alertN + alerts <= alertCap && windowN + windows <= windowCap && connN + CONN_HEADROOM <= connCap;
}

/** True when connection records are written (CFG_CONN_RECORDS_ENABLED). */
@inline export function connRecordsOn(): bool {
  return connsOn;
}

/** Address of a zeroed connection record to fill (the caller checked the room). */
@inline export function connAppend(): usize {
  const p = connMem + <usize>connN * abi.CONN_STRIDE;
  connN++;
  memory.fill(p, 0, abi.CONN_STRIDE);
  cInc(abi.C_CONN_RECORDS);
  return p;
}

/** Address of a zeroed alert record to fill (the caller checked the room). */
@inline export function alertAppend(): usize {
  const p = alertMem + <usize>alertN * abi.ALERT_STRIDE;
  alertN++;
  memory.fill(p, 0, abi.ALERT_STRIDE);
  return p;
}

/** A new episode id (never 0), unique within one analysis. */
@inline export function episodeId(): u32 {
  return episodeNext++;
}

/** Fills the subject fields of alert `p` from the current packet: time (TS and LAST), addresses,
 *  ports, protocol label, size, record index and offset, VLAN. */
export function alertFromPacket(p: usize, recordOffset: f64): void {
  store<i64>(p + abi.ALERT_TS_US, pktTsUs);
  store<i64>(p + abi.ALERT_LAST_US, pktTsUs);
  v128.store(p + abi.ALERT_SRC, v128.load(PKT_SRC));
  v128.store(p + abi.ALERT_DST, v128.load(PKT_DST));
  store<u16>(p + abi.ALERT_SPORT, <u16>pktSport);
  store<u16>(p + abi.ALERT_DPORT, <u16>pktDport);
  store<u16>(p + abi.ALERT_PROTO_LABEL, <u16>pktProtoLabel);
  store<u32>(p + abi.ALERT_SIZE, pktWireLen);
  store<u32>(p + abi.ALERT_RECORD_INDEX, pktRecordIndex);
  store<u32>(p + abi.ALERT_VLAN, pktVlan);
  store<f64>(p + abi.ALERT_RECORD_OFFSET, recordOffset);
}

/** Address of the next trace record to fill (every field is written by the caller). */
@inline export function traceAppend(): usize {
  const p = traceMem + <usize>traceN * abi.TRACE_STRIDE;
  traceN++;
  return p;
}

/** Address of a zeroed flow-window record to fill (the caller checked the room). */
@inline export function windowAppend(): usize {
  const p = windowMem + <usize>windowN * abi.FWIN_STRIDE;
  windowN++;
  memory.fill(p, 0, abi.FWIN_STRIDE);
  cInc(abi.C_FLOW_WINDOWS);
  return p;
}

/** Records that rule `det` (abi.DET_*) flagged the current packet. */
@inline export function markReason(det: i32): void {
  packetReasons |= (<u32>1) << <u32>det;
}

/** Ends the current packet's rules: counts C_MARKS_* per reason and, with CFG_MARKS_ENABLED,
 *  writes one mark record (abi.MARK_*). Called once per packet after every detector. */
export function markCommit(): void {
  const r = packetReasons;
  if (r == 0) return;
  packetReasons = 0;
  if (r & (1 << abi.DET_BLACKLIST)) cInc(abi.C_MARKS_BLACKLIST);
  if (r & (1 << abi.DET_PORTSCAN)) cInc(abi.C_MARKS_PORTSCAN);
  if (r & (1 << abi.DET_SYNFLOOD)) cInc(abi.C_MARKS_SYNFLOOD);
  if (r & (1 << abi.DET_LARGESIZE)) cInc(abi.C_MARKS_LARGESIZE);
  if (r & (1 << abi.DET_UNUSUAL)) cInc(abi.C_MARKS_UNUSUAL);
  if (r & (1 << abi.DET_SPIKE)) cInc(abi.C_MARKS_SPIKE);
  if (!marksOn) return;
  const p = markMem + <usize>markN * abi.MARK_STRIDE;
  markN++;
  cInc(abi.C_MARKS_WRITTEN);
  store<i64>(p + abi.MARK_TS_US, pktTsUs);
  v128.store(p + abi.MARK_SRC, v128.load(PKT_SRC));
  v128.store(p + abi.MARK_DST, v128.load(PKT_DST));
  store<u16>(p + abi.MARK_SPORT, <u16>pktSport);
  store<u16>(p + abi.MARK_DPORT, <u16>pktDport);
  store<u8>(p + abi.MARK_PROTO, <u8>pktProto);
  store<u8>(p + abi.MARK_TCP_FLAGS, <u8>pktTcpFlags);
  store<u16>(p + abi.MARK_PROTO_LABEL, <u16>pktProtoLabel);
  store<u32>(p + abi.MARK_WIRE_LEN, pktWireLen);
  store<u32>(p + abi.MARK_RECORD_INDEX, pktRecordIndex);
  store<u32>(p + abi.MARK_VLAN, pktVlan);
  store<u32>(p + abi.MARK_REASONS, r);
}

export function outputAlertBase(): usize { return alertMem; }
export function outputAlertCount(): i32 { return alertN; }
export function outputTraceBase(): usize { return traceMem; }
export function outputTraceCount(): i32 { return traceN; }
export function outputMarkBase(): usize { return markMem; }
export function outputMarkCount(): i32 { return markN; }
export function outputWindowBase(): usize { return windowMem; }
export function outputWindowCount(): i32 { return windowN; }
export function outputConnBase(): usize { return connMem; }
export function outputConnCount(): i32 { return connN; }

/** Empties every region (the worker copied them out). */
export function outputClear(): void {
  alertN = 0;
  traceN = 0;
  markN = 0;
  windowN = 0;
  connN = 0;
}
