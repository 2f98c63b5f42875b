// Traffic timeline (issue #5 overview): decoded packets and their wire bytes per time bin, in total
// and per protocol class (0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other: PROTOSHIFT's class index).
// - Bin k covers [startUs + k·binUs, startUs + (k+1)·binUs). startUs is the first decoded packet's
//   time floored to TL_INITIAL_BIN_US (1 ms); binUs starts at TL_INITIAL_BIN_US.
// - At most TL_MAX_BINS bins: a packet beyond the last bin doubles binUs, merging bins 2i and 2i+1
//   into bin i, as often as needed. Memory does not depend on the capture's length; the counts
//   are never lost (every merge keeps the sums).
// - A packet timestamped before startUs (out of order) is counted in bin 0.
// - Counts exactly the packets analyzePacket() sees, i.e. C_PACKETS_DECODED / C_BYTES_DECODED
//   (bytes = pktWireLen, which is what the walkers add to C_BYTES_DECODED).
// Per packet: a range check against the current bin and two f64 adds (the packet's class; a
// bin's totals are the sums over its classes, added by the host); the division and merges happen
// only when a packet leaves the current bin. One region of TL_MAX_BINS · TL_STRIDE bytes
// (160 KiB), allocated at the first reset and reused.
import * as abi from "../abi";
import { pktTsUs, pktWireLen, pktProto } from "../packet";

// The merge adds 16-byte lanes: the stride must be a multiple of 16.
// @ts-ignore: compile-time check
if (abi.TL_STRIDE % 16 != 0) ERROR("TL_STRIDE must be a multiple of 16");

const MAX_BINS: i32 = abi.TL_MAX_BINS;
const STRIDE: usize = <usize>abi.TL_STRIDE;
const INITIAL_US: i64 = <i64>abi.TL_INITIAL_BIN_US;

let region: usize = 0;
let started = false;
let startUs: i64 = 0;
let binUs: i64 = INITIAL_US;
let used: i32 = 0;
// The current bin [curLo, curHi) and its record: the fast path of timelinePacket().
let curLo: i64 = 0;
let curHi: i64 = 0;
let curPtr: usize = 0;

/** Clears the timeline (allocates its region once). */
export function timelineReset(): void {
  if (region == 0) region = heap.alloc(<usize>MAX_BINS * STRIDE);
  memory.fill(region, 0, <usize>MAX_BINS * STRIDE);
  started = false;
  startUs = 0;
  binUs = INITIAL_US;
  used = 0;
  curLo = 0;
  curHi = 0;
  curPtr = region;
}

/** Same mapping as detect/metrics.ts protoClass (kept equal: TIMELINE_CLASSES). */
@inline function tlClass(p: u32): usize {
  return p == 6 ? 0 : p == 17 ? 1 : p == 1 ? 2 : p == 58 ? 3 : 4;
}

/** Counts the current packet (packet.ts globals). */
@inline export function timelinePacket(): void {
  const ts = pktTsUs;
  const p = ts >= curLo && ts < curHi ? curPtr : binOf(ts);
  const c = p + (tlClass(pktProto) << 3);
  store<f64>(c, load<f64>(c, abi.TL_CLASS_PACKETS) + 1.0, abi.TL_CLASS_PACKETS);
  store<f64>(c, load<f64>(c, abi.TL_CLASS_BYTES) + <f64>pktWireLen, abi.TL_CLASS_BYTES);
}

/** `ts` floored to a multiple of `w` (also for negative times). */
@inline function floorTo(ts: i64, w: i64): i64 {
  const r = ts % w;
  return r < 0 ? ts - r - w : ts - r;
}

/** Slow path: the bin of `ts` (starting the timeline, merging bins as needed); makes it the
 *  current bin unless `ts` is before startUs. */
function binOf(ts: i64): usize {
  if (!started) {
    started = true;
    startUs = floorTo(ts, INITIAL_US);
  }
  if (ts < startUs) {
    if (used == 0) used = 1;
    return region; // out of order before the start: bin 0, current bin unchanged
  }
  let k = (ts - startUs) / binUs;
  while (k >= <i64>MAX_BINS) {
    mergeHalves();
    k = (ts - startUs) / binUs;
  }
  const ki = <i32>k;
  if (ki >= used) used = ki + 1;
  curLo = startUs + k * binUs;
  curHi = curLo + binUs;
  curPtr = region + <usize>ki * STRIDE;
  return curPtr;
}

/** Doubles binUs: bin i = bin 2i + bin 2i+1; the upper half is cleared. */
function mergeHalves(): void {
  const half = MAX_BINS >> 1;
  for (let i = 0; i < half; i++) {
    const d = region + <usize>i * STRIDE;
    const a = region + <usize>(2 * i) * STRIDE;
    const b = a + STRIDE;
    for (let o: usize = 0; o < STRIDE; o += 16) {
      v128.store(d + o, f64x2.add(v128.load(a + o), v128.load(b + o)));
    }
  }
  memory.fill(region + <usize>half * STRIDE, 0, <usize>half * STRIDE);
  binUs <<= 1;
  used = (used + 1) >> 1;
}

/** Address of bin 0 (TL_STRIDE-byte records, abi TL_*). */
export function timelineBase(): usize { return region; }
/** Bins in use (0 before the first packet). */
export function timelineUsed(): i32 { return used; }
/** Bin width, µs. */
export function timelineBinUs(): f64 { return <f64>binUs; }
/** Start of bin 0, µs since the epoch (0 before the first packet). */
export function timelineStartUs(): f64 { return <f64>startUs; }
