// SYNFLOOD: SYN counts over sliding windows, per destination and over all destinations, as episode
// detectors (abi.ts ALERT_* episode protocol). A SYN is a TCP packet with SYN set and ACK clear
// (every such packet: retransmissions and SYN+ECE+CWR count). Only SYNs do any work; every other
// packet returns at once. Reads config only in synfloodReset(); no allocation per packet.
// Time: the clock is the newest packet time so far (C_TS_LAST_US); a SYN older than clock - T is
// outside every window it could belong to and is ignored.
//
// Variants (abi.SYNFLOOD_*):
// - SYNFLOOD_DST: more than M SYNs (CFG_SYNFLOOD_SYNS, default 100) to one destination address
//   within T (CFG_SYNFLOOD_WINDOW_S, 60 s), whatever the number of sources (a spoofed flood uses a
//   new source for nearly every SYN). Key = destination address (VLAN not part of the key). The
//   SYNs are counted in a bucket counter (sliding.ts): the count covers [(floor(clock/w) - 15)·w,
//   clock] with w = floor(T/16), a window between 15/16·T and T. Evidence = every SYN to the
//   victim while the count is above M. VALUE = SYNs in the window (peak), AUX = distinct sources
//   of the episode's evidence SYNs (HyperLogLog of 128 registers: standard error about 9%; the M
//   SYNs before the crossing are not in it). SRC = the source of the first evidence SYN, DST =
//   the victim.
// - SYNFLOOD_SPREAD: more than M' SYNs over all destinations (CFG_SYNFLOOD_SPREAD_SYNS, 50) within
//   T' (CFG_SYNFLOOD_SPREAD_WINDOW_S, 1 s; bucket counter as above) while they go to more than
//   M'/2 distinct destination addresses in T' (exact: sliding.ts recent-distinct set of
//   floor(M'/2) + 1 entries, at most 256). For a flood with a random destination per SYN and no
//   single victim (attacks/synflood/ppa1e_dosattack.pcap: 100 SYNs in 16 ms to 100 hosts). A
//   single-victim flood has one destination and never fires it; the benign captures of
//   normal/*.pcap* peak at 25 SYNs in 1 s (to 13 hosts, chrissanders_http_espn). Note that a fast
//   horizontal SYN scan (one source, many hosts) fires it too. Evidence = every SYN while both
//   hold. VALUE = SYNs in the window (peak), AUX = distinct destinations of the episode's evidence
//   SYNs (HyperLogLog of 256 registers, standard error about 6.5%). SRC = the source of the
//   first evidence SYN, DST = the zero address.
// Episodes: ALERT_KIND_NEW at the first evidence SYN; later evidence updates COUNT, LAST, the peak
// VALUE and PEAK_RATE (evidence SYNs per 1-s bin of the clock); the episode ends when the clock
// passes LAST + T (checked at the key's next SYN and by the sweep) or at flush: ALERT_KIND_UPDATE
// with the same EPISODE. SEVERITY: MEDIUM, HIGH when VALUE > 10 x the threshold; SCORE = VALUE /
// threshold. C_ALERTS_SYNFLOOD counts episodes of both variants.
//
// Memory per destination, constant: 344 B (header 16, key 16, episode 104, bucket counter 80,
// HyperLogLog 128). The table doubles up to CFG_SYNFLOOD_MEMORY_CAP_BYTES (64 MiB), then evicts
// the least recently seen destination near the new key's home slot, closing its episode first
// (C_SYNFLOOD_KEYS_EVICTED). The spread variant keeps one global state (about 4.6 KiB, static).
// Sweep: SWEEP_SLOTS slots per packet close quiet episodes and remove destinations without SYNs
// for longer than T (at most SWEEP_ALERTS alerts per packet). Per packet this module writes at
// most 7 alerts (destination: close, new, evicted; spread: close, new; sweep 2).
// Trace (CFG_TRACE_ENABLED, CFG_TRACE_DETECTOR = DET_SYNFLOOD): TRACE_KEY's dst is the victim; one
// point per counted SYN to it: TRACE_SIZE = SYNs in the window after it, TRACE_MEAN = M,
// TRACE_FLAGS bit 0 always, bit 1 when over M; TRACE_STD and TRACE_Z NaN.
import * as abi from "../abi";
import { cfg } from "../config";
import { cGet, cInc, cSet } from "../counters";
import { PKT_SRC, PKT_DST, pktTsUs, pktProto, pktTcpFlags, pktRecordIndex } from "../packet";
import { OpenTable, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig, hashWords, fmix32 } from "../table/hash";
import { markReason, outputRoomFor, traceAppend, TRACE_KEY } from "./output";
import {
  recentTouch, recentCount, BC_BYTES, bcInit, bcAdd, bucketUs, hllAdd, hllEstimate,
  windowUs, epStart, epEvidence, epAlert, EP_BYTES, EP_ID, EP_LAST_US, EP_AUX, EP_ADDR,
} from "./sliding";

/** Slots the sweep checks per packet, and the most episodes it closes per packet. */
export const SWEEP_SLOTS: u32 = 4;
export const SWEEP_ALERTS: i32 = 2;
/** Most distinct destinations the spread variant requires (M'/2 is clamped to it). */
export const SPREAD_MAX_DISTINCT: f64 = 255;
const INITIAL_KEYS: f64 = 1024;

// ---- destination slot: header 16, key 16 (destination address), then ----
const V_KEY_BYTES: usize = 16;
const V_KEY_WORDS: i32 = 4;
const V_EP: usize = 32;
const V_BC: usize = V_EP + EP_BYTES;
const V_HLL: usize = V_BC + BC_BYTES;
const V_LOG2M: i32 = 7;
/** Bytes per destination slot. */
export const VICTIM_STRIDE: usize = V_HLL + (1 << V_LOG2M);

// ---- spread state (static) ----
const S_LOG2M: i32 = 8;
const SPREAD_EP: usize = memory.data(<i32>EP_BYTES, 16);
const SPREAD_BC: usize = memory.data(<i32>BC_BYTES, 16);
const SPREAD_USED: usize = memory.data(16, 16);
const SPREAD_HLL: usize = memory.data(1 << S_LOG2M, 16);
const SPREAD_RECENT: usize = memory.data(256 * 16, 16); // recentBytes(256)
const ZERO16: usize = memory.data(16, 16);

export const victims = new OpenTable();
let dstOn = false;
let spreadOn = false;
let traceOn = false;
let synM: f64 = 100;
let dstWinUs: i64 = 0;
let dstWinS: f64 = 0;
let dstBcW: i64 = 1;
let spreadM: f64 = 50;
let spreadK: i32 = 26;
let spreadWinUs: i64 = 0;
let spreadWinS: f64 = 0;
let spreadBcW: i64 = 1;
let seedSrc: u32 = 0;
let seedDstA: u32 = 0;
let seedDstB: u32 = 0;
let sweepCursor: u32 = 0;
let flushCursor: u32 = 0;
let spreadFlushed = false;

/** Copies the config (CFG_SYNFLOOD_*, CFG_SYNFLOOD_MEMORY_CAP_BYTES, CFG_TRACE_*, CFG_SEED) and
 *  (re)allocates the destination table when the per-destination variant is enabled. */
export function synfloodReset(): void {
  dstOn = cfg(abi.CFG_SYNFLOOD_ENABLED) != 0;
  spreadOn = cfg(abi.CFG_SYNFLOOD_SPREAD_ENABLED) != 0;
  traceOn = cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_SYNFLOOD;
  synM = cfg(abi.CFG_SYNFLOOD_SYNS);
  dstWinS = cfg(abi.CFG_SYNFLOOD_WINDOW_S);
  dstWinUs = windowUs(dstWinS);
  dstBcW = bucketUs(dstWinUs);
  spreadM = cfg(abi.CFG_SYNFLOOD_SPREAD_SYNS);
  spreadK = <i32>Math.min(SPREAD_MAX_DISTINCT, Math.max(0, Math.floor(spreadM / 2))) + 1;
  spreadWinS = cfg(abi.CFG_SYNFLOOD_SPREAD_WINDOW_S);
  spreadWinUs = windowUs(spreadWinS);
  spreadBcW = bucketUs(spreadWinUs);
  const seed = seedFromConfig(cfg(abi.CFG_SEED));
  seedSrc = fmix32(seed ^ 0x4cf5ad43);
  seedDstA = fmix32(seed ^ 0x27d4eb2f);
  seedDstB = fmix32(seed ^ 0x165667b1);
  if (dstOn) {
    victims.init(INITIAL_KEYS, VICTIM_STRIDE, V_KEY_BYTES, cfg(abi.CFG_SYNFLOOD_MEMORY_CAP_BYTES), seed ^ 0x9e3779b1);
  } else {
    victims.release();
  }
  memory.fill(SPREAD_EP, 0, EP_BYTES);
  bcInit(SPREAD_BC);
  store<u32>(SPREAD_USED, 0);
  memory.fill(SPREAD_HLL, 0, 1 << S_LOG2M);
  sweepCursor = 0;
  flushCursor = 0;
  spreadFlushed = false;
  publish();
}

@inline function publish(): void {
  cSet(abi.C_SYNFLOOD_KEYS_LIVE, <f64>victims.count);
}

/** Looks at the current packet: SYNs update their destination and the spread state; every other
 *  packet returns at once. Appends alerts, marks (markReason) and trace points. */
export function synfloodPacket(): void {
  if (!dstOn && !spreadOn) return;
  if (pktProto != 6 || (pktTcpFlags & 0x12) != 0x02) return;
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (dstOn) victimSyn(clock);
  if (spreadOn) spreadSyn(clock);
}

// ---------------------------------------------------------------- per destination

function closeVictim(s: usize): void {
  const ep = s + V_EP;
  store<f64>(ep + EP_AUX, Math.round(hllEstimate(s + V_HLL, V_LOG2M)));
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_SYNFLOOD, abi.SYNFLOOD_DST, ep + EP_ADDR, s + SLOT_KEY, synM, dstWinS);
  store<u32>(ep + EP_ID, 0);
}

function victimSyn(clock: i64): void {
  const ts = pktTsUs;
  if (ts <= clock - dstWinUs) return;
  const h = victims.hash(PKT_DST, V_KEY_WORDS);
  let s = victims.find(PKT_DST, h, V_KEY_WORDS);
  let fresh = false;
  if (s == 0) {
    s = victims.insert(PKT_DST, h); // zeroed
    if (victims.evicted) {
      cInc(abi.C_SYNFLOOD_KEYS_EVICTED);
      if (load<u32>(victims.evictedCopy + V_EP + EP_ID) != 0) closeVictim(victims.evictedCopy);
    }
    fresh = true;
    publish();
  } else {
    if (load<u32>(s + V_EP + EP_ID) != 0 && clock - load<i64>(s + V_EP + EP_LAST_US) > dstWinUs) closeVictim(s);
    fresh = clock - load<i64>(s + SLOT_LAST) > dstWinUs;
    if (fresh) memory.fill(s + SLOT_KEY + V_KEY_BYTES, 0, VICTIM_STRIDE - SLOT_KEY - V_KEY_BYTES);
  }
  if (fresh) bcInit(s + V_BC);
  if (fresh || ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);
  const n = bcAdd(s + V_BC, ts, clock, dstBcW);
  const over = <f64>n > synM;
  if (over) {
    markReason(abi.DET_SYNFLOOD);
    const ep = s + V_EP;
    const src = hashWords(PKT_SRC, 4, seedSrc);
    if (load<u32>(ep + EP_ID) == 0) {
      epStart(ep, PKT_SRC);
      memory.fill(s + V_HLL, 0, 1 << V_LOG2M);
      hllAdd(s + V_HLL, V_LOG2M, src);
      epEvidence(ep, clock, <f64>n);
      store<f64>(ep + EP_AUX, 1);
      epAlert(ep, abi.ALERT_KIND_NEW, abi.DET_SYNFLOOD, abi.SYNFLOOD_DST, ep + EP_ADDR, s + SLOT_KEY, synM, dstWinS);
      cInc(abi.C_ALERTS_SYNFLOOD);
    } else {
      hllAdd(s + V_HLL, V_LOG2M, src);
      epEvidence(ep, clock, <f64>n);
    }
  }
  if (traceOn && keysEqual(s + SLOT_KEY, TRACE_KEY + 16, V_KEY_WORDS)) {
    const p = traceAppend();
    store<i64>(p + abi.TRACE_TS_US, ts);
    store<f64>(p + abi.TRACE_SIZE, <f64>n);
    store<f64>(p + abi.TRACE_MEAN, synM);
    store<f64>(p + abi.TRACE_STD, NaN);
    store<f64>(p + abi.TRACE_Z, NaN);
    store<u32>(p + abi.TRACE_FLAGS, over ? 3 : 1);
    store<u32>(p + abi.TRACE_RECORD_INDEX, pktRecordIndex);
  }
}

// ---------------------------------------------------------------- spread

function closeSpread(): void {
  store<f64>(SPREAD_EP + EP_AUX, Math.round(hllEstimate(SPREAD_HLL, S_LOG2M)));
  epAlert(SPREAD_EP, abi.ALERT_KIND_UPDATE, abi.DET_SYNFLOOD, abi.SYNFLOOD_SPREAD, SPREAD_EP + EP_ADDR, ZERO16,
    spreadM, spreadWinS);
  store<u32>(SPREAD_EP + EP_ID, 0);
}

@inline function spreadQuiet(clock: i64): bool {
  return load<u32>(SPREAD_EP + EP_ID) != 0 && clock - load<i64>(SPREAD_EP + EP_LAST_US) > spreadWinUs;
}

function spreadSyn(clock: i64): void {
  const ts = pktTsUs;
  if (ts <= clock - spreadWinUs) return;
  if (spreadQuiet(clock)) closeSpread();
  const n = bcAdd(SPREAD_BC, ts, clock, spreadBcW);
  const a = hashWords(PKT_DST, 4, seedDstA);
  const id = (<u64>a << 32) | <u64>hashWords(PKT_DST, 4, seedDstB);
  recentTouch(SPREAD_RECENT, SPREAD_USED, spreadK, id, ts);
  const d = recentCount(SPREAD_RECENT, <i32>load<u32>(SPREAD_USED), clock - spreadWinUs);
  if (<f64>n <= spreadM || d < spreadK) return;
  markReason(abi.DET_SYNFLOOD);
  if (load<u32>(SPREAD_EP + EP_ID) == 0) {
    epStart(SPREAD_EP, PKT_SRC);
    memory.fill(SPREAD_HLL, 0, 1 << S_LOG2M);
    hllAdd(SPREAD_HLL, S_LOG2M, a);
    epEvidence(SPREAD_EP, clock, <f64>n);
    store<f64>(SPREAD_EP + EP_AUX, 1);
    epAlert(SPREAD_EP, abi.ALERT_KIND_NEW, abi.DET_SYNFLOOD, abi.SYNFLOOD_SPREAD, SPREAD_EP + EP_ADDR, ZERO16,
      spreadM, spreadWinS);
    cInc(abi.C_ALERTS_SYNFLOOD);
  } else {
    hllAdd(SPREAD_HLL, S_LOG2M, a);
    epEvidence(SPREAD_EP, clock, <f64>n);
  }
}

// ---------------------------------------------------------------- sweep and flush

/** Closes a quiet spread episode and checks SWEEP_SLOTS destination slots: closes quiet episodes
 *  and removes destinations without SYNs for longer than T. At most SWEEP_ALERTS + 1 alerts. */
export function synfloodSweep(): void {
  if (!dstOn && !spreadOn) return;
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (spreadOn && spreadQuiet(clock)) closeSpread();
  if (!dstOn) return;
  const mask = victims.mask;
  let i = sweepCursor & mask;
  let budget = SWEEP_ALERTS;
  for (let k: u32 = 0; k < SWEEP_SLOTS && budget >= 1; k++) {
    const s = victims.slotAt(i);
    if (load<u32>(s) != 0) {
      const open = load<u32>(s + V_EP + EP_ID) != 0;
      const idle = clock - load<i64>(s + SLOT_LAST) > dstWinUs;
      if (open && (idle || clock - load<i64>(s + V_EP + EP_LAST_US) > dstWinUs)) {
        closeVictim(s);
        budget--;
      }
      if (idle) {
        victims.remove(s);
        continue; // a later entry moved into slot i
      }
    }
    i = (i + 1) & mask;
  }
  sweepCursor = i;
  publish();
}

/** End of input: closes every open episode (keys stay). Resumable: false when the alert region
 *  ran out of room (drain and call again). */
export function synfloodFlush(): bool {
  if (dstOn) {
    const cap = victims.cap;
    while (flushCursor < cap) {
      if (!outputRoomFor(1, 0)) return false;
      const s = victims.slotAt(flushCursor);
      if (load<u32>(s) != 0 && load<u32>(s + V_EP + EP_ID) != 0) closeVictim(s);
      flushCursor++;
    }
  }
  if (spreadOn && !spreadFlushed) {
    if (!outputRoomFor(1, 0)) return false;
    if (load<u32>(SPREAD_EP + EP_ID) != 0) closeSpread();
    spreadFlushed = true;
  }
  return true;
}
