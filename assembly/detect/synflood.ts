// SYNFLOOD: SYN counts over sliding windows, per destination (two tiers) and over all
// destinations, as episode detectors (abi.ts ALERT_* episode protocol). A SYN is a TCP packet with
// SYN set and ACK clear (every such packet: retransmissions and SYN+ECE+CWR count). Only SYNs and
// handshake completions (table/flow-table.ts curHandshakeDone) do any work; every other packet
// returns at once. Reads config only in synfloodReset(); no allocation per packet.
// Time: the clock is the newest packet time so far (C_TS_LAST_US); a SYN older than clock - T is
// outside every window of length T it could belong to and that window ignores it.
//
// Variants (abi.SYNFLOOD_*):
// - SYNFLOOD_DST: more than M SYNs (CFG_SYNFLOOD_SYNS, default 100) to one destination address
//   within T (CFG_SYNFLOOD_WINDOW_S, 60 s), whatever the number of sources (a spoofed flood uses a
//   new source for nearly every SYN), and the completion gate below holds. Key = destination
//   address (VLAN not part of the key). The SYNs are counted in a bucket counter (sliding.ts): the
//   count covers [(floor(clock/w) - 15)·w, clock] with w = floor(T/16), a window between 15/16·T
//   and T. Evidence = every SYN to the victim while the condition holds. VALUE = SYNs in the window
//   (peak), AUX = distinct sources of the episode's evidence SYNs (HyperLogLog of 128 registers:
//   standard error about 9%; the SYNs before the crossing are not in it). SRC = the source of the
//   first evidence SYN, DST = the victim.
// - SYNFLOOD_SLOW (low and slow): more than M2 SYNs (CFG_SYNFLOOD_SLOW_SYNS, 200) to one
//   destination within T2 (CFG_SYNFLOOD_SLOW_WINDOW_S, 600 s: a sustained third of a SYN per
//   second for ten minutes), with the completion gate over T2, at a SYN where the DST condition
//   does not hold: a SYN is evidence of at most one tier (DST when DST's condition holds, else SLOW
//   when SLOW's holds); every SYN is counted in both windows either way. Same key, bucket geometry
//   (w = floor(T2/16)), evidence, VALUE, AUX, SRC and DST as DST, its own episode and HyperLogLog.
//   For floods below M per T: attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.
//   optionallysamePort.pcapng sends 354 SYNs from 53 sources to 10.10.10.10 over 818 s (peak 54 in
//   any 60 s, 269 in any 600 s, no handshake completed); the benign captures of normal/ (perf
//   included) peak at 63 SYNs per destination in 600 s, apart from zeek_echo-connections (741 in
//   3 s), which the gate clears.
// - Completion gate (DST and SLOW): with c = handshakes completed to the destination in the tier's
//   window (a second bucket counter of the same geometry; a completion to destination D, the
//   packet's dst, counts at its packet time when D has a slot, and is dropped otherwise) and n the
//   SYNs in it, the tier fires only while c < f·n (f = CFG_SYNFLOOD_COMPLETED_FRACTION, default
//   0.25; f >= 1 switches the gate off: the SYN count alone decides; f = 0 silences both tiers).
//   The classic half-open test (Zeek's and Suricata's view of half-open connections): a
//   destination whose handshakes complete for at least 1 SYN in 4 is busy (a load test, an
//   overloaded listen queue whose clients retry their SYNs), not flooded; the SYNs of a flood from
//   spoofed sources, or from sources that answer the SYN+ACK with RST, never complete.
//   Measured: normal/perf/zeek_echo-connections.pcap.gz (a benign echo load test, 741 SYNs from
//   127.0.0.1 to 127.0.0.1:7000 in 3 s, 500 handshakes completed) never goes below 0.57
//   completions per SYN in 60 s once past 100 SYNs; every flood of attacks/synflood completes none;
//   the SYN scans of attacks/portscan at most 0.007 per SYN (the connect scanner of
//   evilfingers_xscan_capture up to 0.97 in its connect phase: its SYNs are PORTSCAN's job).
// - SYNFLOOD_SPREAD: more than M' SYNs over all destinations (CFG_SYNFLOOD_SPREAD_SYNS, 50) within
//   T' (CFG_SYNFLOOD_SPREAD_WINDOW_S, 1 s; bucket counter as above) while they go to more than
//   M'/2 distinct destination addresses in T' (exact: sliding.ts recent-distinct set of
//   floor(M'/2) + 1 entries, at most 256). For a flood with a random destination per SYN and no
//   single victim (attacks/synflood/ppa1e_dosattack.pcap: 100 SYNs in 16 ms to 100 hosts). A
//   single-victim flood has one destination and never fires it; the benign captures of
//   normal/*.pcap* peak at 25 SYNs in 1 s (to 13 hosts, chrissanders_http_espn). Note that a fast
//   horizontal SYN scan (one source, many hosts) fires it too. No completion gate. Evidence =
//   every SYN while both hold. VALUE = SYNs in the window (peak), AUX = distinct destinations of
//   the episode's evidence SYNs (HyperLogLog of 256 registers, standard error about 6.5%). SRC =
//   the source of the first evidence SYN, DST = the zero address.
// Episodes: ALERT_KIND_NEW at the first evidence SYN; later evidence updates COUNT, LAST, the peak
// VALUE and PEAK_RATE (evidence SYNs per 1-s bin of the clock); the episode ends when the clock
// passes LAST + the variant's window (checked at the key's next SYN and by the sweep) or at flush:
// ALERT_KIND_UPDATE with the same EPISODE. SEVERITY: MEDIUM, HIGH when VALUE > 10 x the threshold;
// SCORE = VALUE / threshold. C_ALERTS_SYNFLOOD counts episodes of every variant.
//
// Memory per destination, constant: 424 B (header 16, key 16, DST: episode 104, SYN and
// completion bucket counters 80 each, HyperLogLog 128), 816 B with the slow tier enabled (SLOW:
// episode 104, two bucket counters 160, HyperLogLog 128). The table doubles up to
// CFG_SYNFLOOD_MEMORY_CAP_BYTES (64 MiB), then evicts the least recently seen destination near the
// new key's home slot, closing its episodes first (C_SYNFLOOD_KEYS_EVICTED). The spread variant
// keeps one global state (about 4.6 KiB, static).
// Sweep: on one packet in SWEEP_EVERY (sliding.ts), SWEEP_SLOTS slots close quiet episodes and remove destinations without SYNs
// for longer than the longest enabled per-destination window (the same test makes a slot fresh at
// its next SYN); it stops after the slot that brings it to SWEEP_ALERTS closes. Per packet this
// module writes at most 11 alerts (destination: close 2, evicted 2, new 1; spread: close, new;
// sweep 3 + 1 spread).
// Trace (CFG_TRACE_ENABLED, CFG_TRACE_DETECTOR = DET_SYNFLOOD): TRACE_KEY's dst is the victim; one
// point per SYN counted in the DST window: TRACE_SIZE = SYNs in the window after it, TRACE_MEAN =
// M, TRACE_FLAGS bit 0 always, bit 1 when the DST condition holds (over M and the gate);
// TRACE_STD and TRACE_Z NaN. The slow tier has no trace.
import * as abi from "../abi";
import { cfg } from "../config";
import { cGet, cInc, cSet } from "../counters";
import { PKT_SRC, PKT_DST, pktTsUs, pktProto, pktTcpFlags, pktRecordIndex } from "../packet";
import { OpenTable, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig, hashWords, fmix32 } from "../table/hash";
import { curHandshakeDone } from "../table/flow-table";
import { markReason, outputRoomFor, traceAppend, TRACE_KEY } from "./output";
import {
  recentTouch, recentCount, BC_BYTES, bcInit, bcAdd, bcTotal, bucketUs, hllAdd, hllEstimate,
  windowUs, epStart, epEvidence, epAlert, EP_BYTES, EP_ID, EP_LAST_US, EP_AUX, EP_ADDR, SWEEP_EVERY,
} from "./sliding";

/** Slots the sweep checks per packet, and the episode closes after which it stops. */
export const SWEEP_SLOTS: u32 = 4;
export const SWEEP_ALERTS: i32 = 2;
/** Most distinct destinations the spread variant requires (M'/2 is clamped to it). */
export const SPREAD_MAX_DISTINCT: f64 = 255;
const INITIAL_KEYS: f64 = 1024;

// ---- destination slot: header 16, key 16 (destination address), then ----
const V_KEY_BYTES: usize = 16;
const V_KEY_WORDS: i32 = 4;
const V_LOG2M: i32 = 7;
// DST tier
const V_EP: usize = 32;
const V_BC: usize = V_EP + EP_BYTES; // SYNs in T
const V_CBC: usize = V_BC + BC_BYTES; // handshakes completed in T
const V_HLL: usize = V_CBC + BC_BYTES;
/** Bytes per destination slot without the slow tier. */
export const VICTIM_STRIDE_FAST: usize = V_HLL + (1 << V_LOG2M);
// SLOW tier
const V_SEP: usize = VICTIM_STRIDE_FAST;
const V_SBC: usize = V_SEP + EP_BYTES; // SYNs in T2
const V_SCBC: usize = V_SBC + BC_BYTES; // handshakes completed in T2
const V_SHLL: usize = V_SCBC + BC_BYTES;
/** Bytes per destination slot with the slow tier. */
export const VICTIM_STRIDE: usize = V_SHLL + (1 << V_LOG2M);

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
let slowOn = false;
let keyedOn = false;
let spreadOn = false;
let traceOn = false;
let gateOn = true;
let completedFraction: f64 = 0.25;
let victimStride: usize = VICTIM_STRIDE;
let keyWinUs: i64 = 0;
let synM: f64 = 100;
let dstWinUs: i64 = 0;
let dstWinS: f64 = 0;
let dstBcW: i64 = 1;
let slowM: f64 = 200;
let slowWinUs: i64 = 0;
let slowWinS: f64 = 0;
let slowBcW: i64 = 1;
let spreadM: f64 = 50;
let spreadK: i32 = 26;
let spreadWinUs: i64 = 0;
let spreadWinS: f64 = 0;
let spreadBcW: i64 = 1;
let seedSrc: u32 = 0;
let seedDstA: u32 = 0;
let seedDstB: u32 = 0;
let sweepCursor: u32 = 0;
let sweepTick: u32 = 0;
let flushCursor: u32 = 0;
let spreadFlushed = false;

/** Copies the config (CFG_SYNFLOOD_*, CFG_SYNFLOOD_MEMORY_CAP_BYTES, CFG_TRACE_*, CFG_SEED) and
 *  (re)allocates the destination table when a per-destination tier (DST or SLOW) is enabled. */
export function synfloodReset(): void {
  dstOn = cfg(abi.CFG_SYNFLOOD_ENABLED) != 0;
  slowOn = cfg(abi.CFG_SYNFLOOD_SLOW_ENABLED) != 0;
  keyedOn = dstOn || slowOn;
  spreadOn = cfg(abi.CFG_SYNFLOOD_SPREAD_ENABLED) != 0;
  traceOn = cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_SYNFLOOD;
  completedFraction = cfg(abi.CFG_SYNFLOOD_COMPLETED_FRACTION);
  gateOn = completedFraction < 1;
  synM = cfg(abi.CFG_SYNFLOOD_SYNS);
  dstWinS = cfg(abi.CFG_SYNFLOOD_WINDOW_S);
  dstWinUs = windowUs(dstWinS);
  dstBcW = bucketUs(dstWinUs);
  slowM = cfg(abi.CFG_SYNFLOOD_SLOW_SYNS);
  slowWinS = cfg(abi.CFG_SYNFLOOD_SLOW_WINDOW_S);
  slowWinUs = windowUs(slowWinS);
  slowBcW = bucketUs(slowWinUs);
  // A destination is idle (swept, or fresh at its next SYN) past the longest enabled window.
  keyWinUs = max<i64>(dstOn ? dstWinUs : 0, slowOn ? slowWinUs : 0);
  victimStride = slowOn ? VICTIM_STRIDE : VICTIM_STRIDE_FAST;
  spreadM = cfg(abi.CFG_SYNFLOOD_SPREAD_SYNS);
  spreadK = <i32>Math.min(SPREAD_MAX_DISTINCT, Math.max(0, Math.floor(spreadM / 2))) + 1;
  spreadWinS = cfg(abi.CFG_SYNFLOOD_SPREAD_WINDOW_S);
  spreadWinUs = windowUs(spreadWinS);
  spreadBcW = bucketUs(spreadWinUs);
  const seed = seedFromConfig(cfg(abi.CFG_SEED));
  seedSrc = fmix32(seed ^ 0x4cf5ad43);
  seedDstA = fmix32(seed ^ 0x27d4eb2f);
  seedDstB = fmix32(seed ^ 0x165667b1);
  if (keyedOn) {
    victims.init(INITIAL_KEYS, victimStride, V_KEY_BYTES, cfg(abi.CFG_SYNFLOOD_MEMORY_CAP_BYTES), seed ^ 0x9e3779b1);
  } else {
    victims.release();
  }
  memory.fill(SPREAD_EP, 0, EP_BYTES);
  bcInit(SPREAD_BC);
  store<u32>(SPREAD_USED, 0);
  memory.fill(SPREAD_HLL, 0, 1 << S_LOG2M);
  sweepCursor = 0;
  sweepTick = 0;
  flushCursor = 0;
  spreadFlushed = false;
  publish();
}

@inline function publish(): void {
  cSet(abi.C_SYNFLOOD_KEYS_LIVE, <f64>victims.count);
}

/** Looks at the current packet: SYNs update their destination and the spread state, handshake
 *  completions their destination's completion counters; every other packet returns at once.
 *  Appends alerts, marks (markReason) and trace points. */
export function synfloodPacket(): void {
  if (!keyedOn && !spreadOn) return;
  if (pktProto != 6) return;
  if (curHandshakeDone) {
    if (keyedOn && gateOn) victimCompleted(<i64>cGet(abi.C_TS_LAST_US));
    return;
  }
  if ((pktTcpFlags & 0x12) != 0x02) return;
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (keyedOn) victimSyn(clock);
  if (spreadOn) spreadSyn(clock);
}

// ---------------------------------------------------------------- per destination

/** The completion gate: fewer than f x `syns` handshakes completed (callers skip it when off). */
@inline function gateHolds(completed: u32, syns: u32): bool {
  return <f64>completed < completedFraction * <f64>syns;
}

function closeVictim(s: usize): void {
  const ep = s + V_EP;
  store<f64>(ep + EP_AUX, Math.round(hllEstimate(s + V_HLL, V_LOG2M)));
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_SYNFLOOD, abi.SYNFLOOD_DST, ep + EP_ADDR, s + SLOT_KEY, synM, dstWinS);
  store<u32>(ep + EP_ID, 0);
}

function closeSlow(s: usize): void {
  const ep = s + V_SEP;
  store<f64>(ep + EP_AUX, Math.round(hllEstimate(s + V_SHLL, V_LOG2M)));
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_SYNFLOOD, abi.SYNFLOOD_SLOW, ep + EP_ADDR, s + SLOT_KEY, slowM, slowWinS);
  store<u32>(ep + EP_ID, 0);
}

/** Closes the open episodes of slot `s` (at most 2 alerts). */
function closeAll(s: usize): void {
  if (load<u32>(s + V_EP + EP_ID) != 0) closeVictim(s);
  if (slowOn && load<u32>(s + V_SEP + EP_ID) != 0) closeSlow(s);
}

/** Counts the current packet, a handshake completion, for its destination when it has a slot. */
function victimCompleted(clock: i64): void {
  const ts = pktTsUs;
  if (ts <= clock - keyWinUs) return;
  const s = victims.find(PKT_DST, victims.hash(PKT_DST, V_KEY_WORDS), V_KEY_WORDS);
  if (s == 0) return;
  // A slot idle past keyWinUs is wiped at its next SYN (fresh), this completion with it.
  if (dstOn) bcAdd(s + V_CBC, ts, clock, dstBcW);
  if (slowOn) bcAdd(s + V_SCBC, ts, clock, slowBcW);
}

/** Evidence of the current SYN for the episode at `ep` with source HyperLogLog `hll`; opens the
 *  episode (ALERT_KIND_NEW) when none is open. */
function victimEvidence(s: usize, ep: usize, hll: usize, variant: i32, n: u32, clock: i64, threshold: f64, winS: f64): void {
  markReason(abi.DET_SYNFLOOD);
  const src = hashWords(PKT_SRC, 4, seedSrc);
  if (load<u32>(ep + EP_ID) == 0) {
    epStart(ep, PKT_SRC);
    memory.fill(hll, 0, 1 << V_LOG2M);
    hllAdd(hll, V_LOG2M, src);
    epEvidence(ep, clock, <f64>n);
    store<f64>(ep + EP_AUX, 1);
    epAlert(ep, abi.ALERT_KIND_NEW, abi.DET_SYNFLOOD, variant, ep + EP_ADDR, s + SLOT_KEY, threshold, winS);
    cInc(abi.C_ALERTS_SYNFLOOD);
  } else {
    hllAdd(hll, V_LOG2M, src);
    epEvidence(ep, clock, <f64>n);
  }
}

function victimSyn(clock: i64): void {
  const ts = pktTsUs;
  if (ts <= clock - keyWinUs) return;
  const h = victims.hash(PKT_DST, V_KEY_WORDS);
  let s = victims.find(PKT_DST, h, V_KEY_WORDS);
  let fresh = false;
  if (s == 0) {
    s = victims.insert(PKT_DST, h); // zeroed
    if (victims.evicted) {
      cInc(abi.C_SYNFLOOD_KEYS_EVICTED);
      closeAll(victims.evictedCopy);
    }
    fresh = true;
    publish();
  } else {
    if (load<u32>(s + V_EP + EP_ID) != 0 && clock - load<i64>(s + V_EP + EP_LAST_US) > dstWinUs) closeVictim(s);
    if (slowOn && load<u32>(s + V_SEP + EP_ID) != 0 && clock - load<i64>(s + V_SEP + EP_LAST_US) > slowWinUs) closeSlow(s);
    fresh = clock - load<i64>(s + SLOT_LAST) > keyWinUs;
    if (fresh) memory.fill(s + SLOT_KEY + V_KEY_BYTES, 0, victimStride - SLOT_KEY - V_KEY_BYTES);
  }
  if (fresh) {
    bcInit(s + V_BC);
    bcInit(s + V_CBC);
    if (slowOn) {
      bcInit(s + V_SBC);
      bcInit(s + V_SCBC);
    }
  }
  if (fresh || ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);

  let dstOver = false;
  if (dstOn && ts > clock - dstWinUs) {
    const n = bcAdd(s + V_BC, ts, clock, dstBcW);
    dstOver = <f64>n > synM && (!gateOn || gateHolds(bcTotal(s + V_CBC, clock, dstBcW), n));
    if (dstOver) victimEvidence(s, s + V_EP, s + V_HLL, abi.SYNFLOOD_DST, n, clock, synM, dstWinS);
    if (traceOn && keysEqual(s + SLOT_KEY, TRACE_KEY + 16, V_KEY_WORDS)) {
      const p = traceAppend();
      store<i64>(p + abi.TRACE_TS_US, ts);
      store<f64>(p + abi.TRACE_SIZE, <f64>n);
      store<f64>(p + abi.TRACE_MEAN, synM);
      store<f64>(p + abi.TRACE_STD, NaN);
      store<f64>(p + abi.TRACE_Z, NaN);
      store<u32>(p + abi.TRACE_FLAGS, dstOver ? 3 : 1);
      store<u32>(p + abi.TRACE_RECORD_INDEX, pktRecordIndex);
    }
  }
  if (slowOn && ts > clock - slowWinUs) {
    // Every SYN in T2 counts; it is SLOW evidence only when it is not DST evidence.
    const n = bcAdd(s + V_SBC, ts, clock, slowBcW);
    if (!dstOver && <f64>n > slowM && (!gateOn || gateHolds(bcTotal(s + V_SCBC, clock, slowBcW), n))) {
      victimEvidence(s, s + V_SEP, s + V_SHLL, abi.SYNFLOOD_SLOW, n, clock, slowM, slowWinS);
    }
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
 *  and removes destinations without SYNs for longer than the longest enabled per-destination
 *  window; stops after the slot that used up SWEEP_ALERTS closes. At most SWEEP_ALERTS + 2 alerts. */
export function synfloodSweep(): void {
  if (++sweepTick < SWEEP_EVERY) return;
  sweepTick = 0;
  if (!keyedOn && !spreadOn) return;
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (spreadOn && spreadQuiet(clock)) closeSpread();
  if (!keyedOn) return;
  const mask = victims.mask;
  let i = sweepCursor & mask;
  let budget = SWEEP_ALERTS;
  for (let k: u32 = 0; k < SWEEP_SLOTS && budget >= 1; k++) {
    const s = victims.slotAt(i);
    if (victims.used(i)) {
      const idle = clock - load<i64>(s + SLOT_LAST) > keyWinUs;
      if (load<u32>(s + V_EP + EP_ID) != 0 && (idle || clock - load<i64>(s + V_EP + EP_LAST_US) > dstWinUs)) {
        closeVictim(s);
        budget--;
      }
      if (slowOn && load<u32>(s + V_SEP + EP_ID) != 0 && (idle || clock - load<i64>(s + V_SEP + EP_LAST_US) > slowWinUs)) {
        closeSlow(s);
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
  if (keyedOn) {
    const cap = victims.cap;
    while (flushCursor < cap) {
      if (!outputRoomFor(2, 0)) return false;
      const s = victims.slotAt(flushCursor);
      if (load<u32>(s) != 0) closeAll(s);
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
