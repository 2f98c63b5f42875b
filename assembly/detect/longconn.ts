// LONGCONN (DET_LONGCONN): long-lived flows, of every IP protocol. Two rules:
// - LONGCONN_MEAN / LONGCONN_IDLE (CFG_LONGCONN_ENABLED): a flow whose duration d (newest minus
//   oldest packet time) exceeds r1 x the mean duration of the completed flows of its service
//   (MEDIUM; r1 = CFG_LONGCONN_MEDIUM_RATIO, 1.5) or r2 x (HIGH; CFG_LONGCONN_HIGH_RATIO, 2), once
//   the service has M = CFG_LONGCONN_MIN_FLOWS completed flows, and only when d >= D =
//   CFG_LONGCONN_MIN_DURATION_S (a floor: a 0.2 s DNS exchange is not "long" next to 0.1 s ones;
//   config.ts gives the evidence). Variant IDLE instead of MEAN when the flow carried fewer than
//   CFG_LONGCONN_IDLE_BYTES wire bytes (both directions) at the decision.
//   Service = (IP protocol, the responder's port as the flow key holds it; ICMP: the type's
//   counterpart or code). Baseline (the exportable, learned state: a keyed table of plain
//   records): per service the count n, mean and M2 of completed flows' durations in seconds
//   (Welford 1962; std = sqrt(M2 / (n - 1)), 0 for n < 2). A flow is completed, and its duration
//   joins its service once, when it is seen closed (a TCP packet with FIN or RST after which
//   either end sent RST or both sent FIN: Zeek's view of a finished connection) or when it ends
//   idle or evicted; flows cut by the end of input do not join (their duration is only a lower
//   bound). A flow is judged before its own duration joins.
//   Judging points: at a packet of the flow when d reaches the duration cached in its slot (the
//   smaller of the next threshold at the service's current mean, the next ladder step, and d + 60 s
//   (RECHECK_MS: the service mean moves as other flows complete); at least D); by a sweep (on one
//   packet in SWEEP_EVERY, LC_SWEEP_SLOTS flow slots at a cursor; flows with d >= D are judged
//   again, since the service's mean may have dropped); and at flow end. Each judgement of a live
//   flow looks the service up once; no other packet does more than one compare.
//   Episode per flow: NEW at the first judgement that reaches MEDIUM or HIGH, and the UPDATE at
//   flow end with the final numbers (SEVERITY = the highest level reached). Fields: subject = the flow (detect/tcp-flow.ts flowSubject: orig -> resp, TS = the
//   flow's first packet, RECORD_INDEX = the record that created it, RECORD_OFFSET -1, label = the
//   IP protocol), VALUE = d (s), THRESHOLD = r x mean of the level reached (s), MEAN / STD / SAMPLES
//   = the service baseline at the decision (s, s, completed flows), SCORE = VALUE / MEAN, COUNT =
//   the flow's packets, PEAK_RATE = packets per second of d (at least 1 s), AUX = the flow's wire
//   bytes (both directions), WINDOW_S 0. An episode opened at flow end is written as NEW + UPDATE.
// - LONGCONN_LADDER (CFG_LONGCONN_LADDER_ENABLED): the fixed steps of Zeek's long-connections
//   package (10 min, 30 min, 1 h, 12 h, 24 h): one alert per step a flow's duration crosses (as
//   that package writes one conn_long.log record per step), each a single record (ALERT_EPISODE 0),
//   SEVERITY LOW (a fact for the responder, not an anomaly), VALUE = d at the crossing packet (s),
//   THRESHOLD = the step (s), SCORE = VALUE / THRESHOLD, TS = the flow's first packet, LAST = the
//   crossing packet, AUX = the flow's wire bytes, MEAN/STD/SAMPLES 0. Checked at the flow's packets
//   (d changes only there). C_ALERTS_LONGCONN counts MEAN/IDLE episodes and ladder alerts.
// Per-flow state in the flow slot (detect/tcp-flow.ts T_LC_NEXT_MS, T_EP_LONG, T_LC: ladder steps
// reported (bits 0-2), level (bits 3-4), counted in the baseline (bit 5)).
// Export and import (detect/baseline-io.ts, abi BLREC_LONGCONN_SERVICE): longconnExport() writes
// n, mean and M2 of every service with completed flows (at most CFG_BASELINE_EXPORT_MAX_KEYS, the
// most recently updated first); longconnImport() loads them at reset (judging at once when n >= M),
// frozen under CFG_BASELINE_FROZEN (SLOT_AUX SA_FROZEN: completed flows are counted, not added).
// Memory per service, constant: SVC_STRIDE = 48 B (header 16, key 4, pad 4, n, mean, M2). The
// table doubles up to CFG_LONGCONN_MEMORY_CAP_BYTES, then evicts the least recently updated service
// near the new key's home slot (C_SERVICES_EVICTED); services never expire otherwise.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import { pktTcpFlags, pktTsUs } from "../packet";
import { OpenTable, SLOT_AUX, SLOT_LAST, SLOT_KEY } from "../table/open-table";
import { seedFromConfig } from "../table/hash";
import { flows, curFlow, curFresh } from "../table/flow-table";
import { alertAppend, episodeId } from "./output";
import { SWEEP_EVERY } from "./sliding";
import { T_LC_NEXT_MS, T_EP_LONG, T_LC, flowSubject } from "./tcp-flow";
import { cutBegin, cutAdd, cutFinish, cutTake, recAppend, recStats, recValid, tableFull } from "./baseline-io";

const SVC_KEY: usize = memory.data(16, 16);
const S_N: usize = 24; // f64
const S_MEAN: usize = 32; // f64 seconds
const S_M2: usize = 40; // f64
export const SVC_STRIDE: usize = 48;
const LC_STEP: u32 = 7;
const LC_LEVEL_SHIFT: u32 = 3;
const LC_COUNTED: u32 = 32;
/** Re-judging interval of a flow's duration, ms (see the header). */
export const RECHECK_MS: f64 = 60000;
/** Flow slots the LONGCONN sweep judges on one packet in SWEEP_EVERY. */
export const LC_SWEEP_SLOTS: u32 = 4;
/** Zeek long-connections' default steps, seconds. */
const LADDER_S: StaticArray<f64> = [600, 1800, 3600, 43200, 86400];

export const services = new OpenTable();
let meanOn = false;
let ladderOn = false;
let anyOn = false;
let r1: f64 = 1.5;
let r2: f64 = 2;
let minFlows: f64 = 10;
let minDurMs: f64 = 0;
let idleBytes: f64 = 1000;
let firstCheckMs: u32 = 0;
let sweepCursor: u32 = 0;
let sweepTick: u32 = 0;
let frozenOn = false;
/** SLOT_AUX of a service: its baseline was loaded frozen (CFG_BASELINE_FROZEN). */
const SA_FROZEN: u32 = 1;

/** Copies the config (CFG_LONGCONN_*) and (re)allocates the service table. */
export function longconnReset(): void {
  meanOn = cfg(abi.CFG_LONGCONN_ENABLED) != 0;
  ladderOn = cfg(abi.CFG_LONGCONN_LADDER_ENABLED) != 0;
  anyOn = meanOn || ladderOn;
  r1 = cfg(abi.CFG_LONGCONN_MEDIUM_RATIO);
  r2 = cfg(abi.CFG_LONGCONN_HIGH_RATIO);
  minFlows = max<f64>(1, cfg(abi.CFG_LONGCONN_MIN_FLOWS));
  minDurMs = max<f64>(0, cfg(abi.CFG_LONGCONN_MIN_DURATION_S) * 1000);
  idleBytes = cfg(abi.CFG_LONGCONN_IDLE_BYTES);
  let first: f64 = 4294967295;
  if (meanOn) first = min<f64>(first, minDurMs);
  if (ladderOn) first = min<f64>(first, LADDER_S[0] * 1000);
  firstCheckMs = <u32>first;
  sweepCursor = 0;
  sweepTick = 0;
  frozenOn = cfg(abi.CFG_BASELINE_FROZEN) != 0;
  if (meanOn) {
    services.init(256, SVC_STRIDE, 4, cfg(abi.CFG_LONGCONN_MEMORY_CAP_BYTES), seedFromConfig(cfg(abi.CFG_SEED)) ^ 0x68e31da4);
  } else {
    services.release();
  }
  publish();
}

@inline function publish(): void {
  cSet(abi.C_SERVICES_LIVE, <f64>services.count);
}

@inline function durationUs(s: usize): i64 {
  return load<i64>(s + SLOT_LAST) - load<i64>(s + abi.FLOW_FIRST_US);
}

@inline function flowBytes(s: usize): f64 {
  return <f64>load<u64>(s + abi.FLOW_BYTES_ORIG) + <f64>load<u64>(s + abi.FLOW_BYTES_RESP);
}

@inline function flowPackets(s: usize): f64 {
  return <f64>load<u32>(s + abi.FLOW_PKTS_ORIG) + <f64>load<u32>(s + abi.FLOW_PKTS_RESP);
}

/** The service key of the flow in slot `s`: (IP protocol << 16) | responder port. */
@inline function serviceKey(s: usize): void {
  const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
  const port = <u32>load<u16>(s + (origIsLo ? abi.FLOW_HI_PORT : abi.FLOW_LO_PORT));
  store<u32>(SVC_KEY, ((load<u32>(s + abi.FLOW_PROTO) & 0xff) << 16) | port);
}

/** The service slot of the flow in slot `s`, or 0 (`create`: insert when absent). */
function serviceOf(s: usize, create: bool): usize {
  serviceKey(s);
  const h = services.hash(SVC_KEY, 1);
  let v = services.find(SVC_KEY, h, 1);
  if (v == 0 && create) {
    v = services.insert(SVC_KEY, h);
    if (services.evicted) cInc(abi.C_SERVICES_EVICTED);
    publish();
  }
  return v;
}

/** Adds the duration of the flow in slot `s` to its service (once per flow). */
function complete(s: usize, lc: u32): u32 {
  const v = serviceOf(s, true);
  if ((load<u32>(v + SLOT_AUX) & SA_FROZEN) != 0) {
    cInc(abi.C_FLOWS_COMPLETED);
    return lc | LC_COUNTED;
  }
  const x = <f64>durationUs(s) / 1e6;
  const n = load<f64>(v + S_N) + 1;
  const mean = load<f64>(v + S_MEAN);
  const d = x - mean;
  const m = mean + d / n;
  store<f64>(v + S_N, n);
  store<f64>(v + S_MEAN, m);
  store<f64>(v + S_M2, load<f64>(v + S_M2) + d * (x - m));
  store<i64>(v + SLOT_LAST, pktTsUs);
  cInc(abi.C_FLOWS_COMPLETED);
  return lc | LC_COUNTED;
}

/** Per packet, after the flow table (curFlow valid): completion and the cached duration check. */
export function longconnPacket(): void {
  if (!anyOn) return;
  const s = curFlow;
  if (curFresh) store<u32>(s + T_LC_NEXT_MS, firstCheckMs);
  const f = pktTcpFlags;
  if ((f & 5) != 0 && meanOn) {
    let lc = <u32>load<u8>(s + T_LC);
    if (!(lc & LC_COUNTED)) {
      const fo = <u32>load<u8>(s + abi.FLOW_FLAGS_ORIG);
      const fr = <u32>load<u8>(s + abi.FLOW_FLAGS_RESP);
      if (((fo | fr) & 4) != 0 || (fo & fr & 1) != 0) {
        // Judged against the baseline before its own duration joins it.
        judge(s, true);
        lc = complete(s, <u32>load<u8>(s + T_LC));
        store<u8>(s + T_LC, <u8>lc);
      }
    }
  }
  if (<f64>durationUs(s) >= <f64>load<u32>(s + T_LC_NEXT_MS) * 1000) judge(s, true);
}

/** Level of duration `dS` against service slot `v` (0 when not judged), and the threshold. */
@inline function levelOf(dS: f64, n: f64, mean: f64): u32 {
  if (n < minFlows || mean <= 0 || dS * 1000 < minDurMs) return 0;
  return dS > r2 * mean ? 2 : dS > r1 * mean ? 1 : 0;
}

/** Judges the live flow in slot `s` now (ladder when `ladder`; the mean rule) and caches the
 *  duration of its next check. */
function judge(s: usize, ladder: bool): void {
  const dUs = durationUs(s);
  const dMs = <f64>dUs / 1000;
  const dS = dMs / 1000;
  let lc = <u32>load<u8>(s + T_LC);
  let next: f64 = 4294967295;
  if (ladderOn) {
    let step = lc & LC_STEP;
    if (ladder) {
      while (step < 5 && dS >= LADDER_S[step]) {
        ladderAlert(s, dS, LADDER_S[step]);
        step++;
      }
      lc = (lc & ~LC_STEP) | step;
    }
    if (step < 5) next = LADDER_S[step] * 1000;
  }
  if (meanOn) {
    let lv = (lc >> LC_LEVEL_SHIFT) & 3;
    if (lv < 2) {
      let cand = max<f64>(minDurMs, dMs + RECHECK_MS);
      if (dMs >= minDurMs) {
        const v = serviceOf(s, false);
        if (v != 0) {
          const n = load<f64>(v + S_N);
          const mean = load<f64>(v + S_MEAN);
          const nl = levelOf(dS, n, mean);
          if (nl > lv) {
            // A NEW when the episode opens; a rise to HIGH later shows in the final UPDATE (the
            // episode protocol has one UPDATE, at the end).
            if (load<u32>(s + T_EP_LONG) == 0) meanAlert(s, v, dS, nl, abi.ALERT_KIND_NEW);
            lv = nl;
          }
          if (n >= minFlows && mean > 0 && lv < 2) cand = min<f64>(cand, max<f64>(minDurMs, (lv == 0 ? r1 : r2) * mean * 1000));
        }
      }
      if (lv < 2) next = min<f64>(next, cand);
      lc = (lc & ~(3 << LC_LEVEL_SHIFT)) | (lv << LC_LEVEL_SHIFT);
    }
  }
  store<u8>(s + T_LC, <u8>lc);
  store<u32>(s + T_LC_NEXT_MS, next >= 4294967295 ? 0xffffffff : <u32>Math.ceil(next));
}

function ladderAlert(s: usize, dS: f64, stepS: f64): void {
  const a = alertAppend();
  flowSubject(a, s);
  store<u8>(a + abi.ALERT_DETECTOR, <u8>abi.DET_LONGCONN);
  store<u8>(a + abi.ALERT_VARIANT, <u8>abi.LONGCONN_LADDER);
  store<u8>(a + abi.ALERT_SEVERITY, <u8>abi.SEV_LOW);
  store<f64>(a + abi.ALERT_VALUE, dS);
  store<f64>(a + abi.ALERT_THRESHOLD, stepS);
  store<f64>(a + abi.ALERT_SCORE, dS / stepS);
  const pk = flowPackets(s);
  store<f64>(a + abi.ALERT_COUNT, pk);
  store<f64>(a + abi.ALERT_PEAK_RATE, pk / max<f64>(dS, 1));
  store<f64>(a + abi.ALERT_AUX, flowBytes(s));
  cInc(abi.C_ALERTS_LONGCONN);
}

/** Writes a MEAN/IDLE alert of kind `kind` for the flow in slot `s` at level `lv` against service
 *  slot `v` (or the numbers the caller passes through it); opens the episode for a NEW. */
function meanAlert(s: usize, v: usize, dS: f64, lv: u32, kind: i32): void {
  const n = load<f64>(v + S_N);
  const mean = load<f64>(v + S_MEAN);
  const m2 = load<f64>(v + S_M2);
  writeMean(s, dS, lv, kind, n, mean, n >= 2 ? Math.sqrt(m2 / (n - 1)) : 0);
}

function writeMean(s: usize, dS: f64, lv: u32, kind: i32, n: f64, mean: f64, std: f64): void {
  let ep = load<u32>(s + T_EP_LONG);
  if (kind == abi.ALERT_KIND_NEW) {
    ep = episodeId();
    store<u32>(s + T_EP_LONG, ep);
    cInc(abi.C_ALERTS_LONGCONN);
  }
  const a = alertAppend();
  flowSubject(a, s);
  const bytes = flowBytes(s);
  store<u8>(a + abi.ALERT_DETECTOR, <u8>abi.DET_LONGCONN);
  store<u8>(a + abi.ALERT_VARIANT, <u8>(bytes < idleBytes ? abi.LONGCONN_IDLE : abi.LONGCONN_MEAN));
  store<u8>(a + abi.ALERT_SEVERITY, <u8>(lv >= 2 ? abi.SEV_HIGH : abi.SEV_MEDIUM));
  store<f64>(a + abi.ALERT_VALUE, dS);
  store<f64>(a + abi.ALERT_THRESHOLD, (lv >= 2 ? r2 : r1) * mean);
  store<f64>(a + abi.ALERT_MEAN, mean);
  store<f64>(a + abi.ALERT_STD, std);
  store<u32>(a + abi.ALERT_SAMPLES, <u32>n);
  store<f64>(a + abi.ALERT_SCORE, mean > 0 ? dS / mean : dS);
  const pk = flowPackets(s);
  store<f64>(a + abi.ALERT_COUNT, pk);
  store<f64>(a + abi.ALERT_PEAK_RATE, pk / max<f64>(dS, 1));
  store<f64>(a + abi.ALERT_AUX, bytes);
  store<u32>(a + abi.ALERT_EPISODE, ep);
  store<u8>(a + abi.ALERT_KIND, <u8>kind);
}

/** On one packet in SWEEP_EVERY: judges LC_SWEEP_SLOTS flow slots at a cursor again (header). At
 *  most LC_SWEEP_SLOTS alerts. Call before flowSweep() (no slot moves in between). */
export function longconnSweep(): void {
  if (!meanOn) return;
  if (++sweepTick < SWEEP_EVERY) return;
  sweepTick = 0;
  const mask = flows.mask;
  let i = sweepCursor & mask;
  for (let k: u32 = 0; k < LC_SWEEP_SLOTS; k++) {
    const s = flows.slotAt(i);
    // Live flows only: an ended flow kept for its windows has its protocol word >= 256.
    if (flows.used(i) && load<u32>(s + abi.FLOW_PROTO) < 256 && <f64>durationUs(s) >= minDurMs * 1000 &&
      ((<u32>load<u8>(s + T_LC) >> LC_LEVEL_SHIFT) & 3) < 2) {
      judge(s, false);
    }
    i = (i + 1) & mask;
  }
  sweepCursor = i;
}

/** The flow in slot `s` (a copy when evicted) ends for `why` (abi.FWIN_END_*): the final
 *  judgement (at most 2 alerts) and, unless the input ended, its duration joins the baseline. */
export function longconnEnd(s: usize, why: i32): void {
  if (!meanOn) return;
  let lc = <u32>load<u8>(s + T_LC);
  const dS = <f64>durationUs(s) / 1e6;
  let lv = (lc >> LC_LEVEL_SHIFT) & 3;
  const v = serviceOf(s, false);
  let n: f64 = 0;
  let mean: f64 = 0;
  let std: f64 = 0;
  if (v != 0) {
    n = load<f64>(v + S_N);
    mean = load<f64>(v + S_MEAN);
    std = n >= 2 ? Math.sqrt(load<f64>(v + S_M2) / (n - 1)) : 0;
    // Its own duration may already be in the baseline (seen closed): judged as it was then.
    if (!(lc & LC_COUNTED)) lv = max<u32>(lv, levelOf(dS, n, mean));
  }
  if (lv > 0) {
    if (load<u32>(s + T_EP_LONG) == 0) writeMean(s, dS, lv, abi.ALERT_KIND_NEW, n, mean, std);
    writeMean(s, dS, lv, abi.ALERT_KIND_UPDATE, n, mean, std);
  }
  if (why != abi.FWIN_END_INPUT && !(lc & LC_COUNTED)) lc = complete(s, lc);
  if (why == abi.FWIN_END_INPUT) {
    store<u32>(s + T_EP_LONG, 0);
    store<u32>(s + T_LC_NEXT_MS, 0xffffffff);
  }
  store<u8>(s + T_LC, <u8>((lc & ~(3 << LC_LEVEL_SHIFT)) | (lv << LC_LEVEL_SHIFT)));
}

// ---------------------------------------------------------------- export and import (baseline-io.ts)

/** Writes one abi BLREC_LONGCONN_SERVICE record per service with completed flows (PROTO, PORT;
 *  n, mean s, M2 s²); at most CFG_BASELINE_EXPORT_MAX_KEYS, the most recently updated first. */
export function longconnExport(): void {
  if (!meanOn) return;
  cutBegin();
  for (let i: u32 = 0; i < services.cap; i++) {
    const v = services.slotAt(i);
    if (load<u32>(v) != 0 && load<f64>(v + S_N) > 0) cutAdd(v);
  }
  cutFinish();
  for (let i: u32 = 0; i < services.cap; i++) {
    const v = services.slotAt(i);
    if (load<u32>(v) == 0 || !(load<f64>(v + S_N) > 0) || !cutTake(v)) continue;
    const key = load<u32>(v + SLOT_KEY);
    const r = recAppend(abi.BLREC_LONGCONN_SERVICE);
    store<u8>(r + abi.BLREC_PROTO, <u8>(key >>> 16));
    store<u16>(r + abi.BLREC_PORT, <u16>(key & 0xffff));
    recStats(r, load<f64>(v + S_N), load<f64>(v + S_MEAN), load<f64>(v + S_M2));
  }
}

/** Loads one BLREC_LONGCONN_SERVICE record before the first packet (n as learnt: judged at once
 *  when n >= CFG_LONGCONN_MIN_FLOWS; frozen under CFG_BASELINE_FROZEN); false when it cannot be
 *  placed (invalid, LONGCONN off, duplicate, table at its memory cap). */
export function longconnImport(r: usize): bool {
  if (!meanOn || !recValid(r, true) || load<f64>(r + abi.BLREC_N) < 1) return false;
  store<u32>(SVC_KEY, (<u32>load<u8>(r + abi.BLREC_PROTO) << 16) | <u32>load<u16>(r + abi.BLREC_PORT));
  const h = services.hash(SVC_KEY, 1);
  if (services.find(SVC_KEY, h, 1) != 0 || tableFull(services)) return false;
  const v = services.insert(SVC_KEY, h);
  recStatsTo(v, r);
  if (frozenOn) store<u32>(v + SLOT_AUX, SA_FROZEN);
  publish();
  return true;
}

@inline function recStatsTo(v: usize, r: usize): void {
  store<f64>(v + S_N, load<f64>(r + abi.BLREC_N));
  store<f64>(v + S_MEAN, load<f64>(r + abi.BLREC_MEAN));
  store<f64>(v + S_M2, load<f64>(r + abi.BLREC_S));
}
