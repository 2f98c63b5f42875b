// LATENCY (DET_LATENCY): TCP latency samples (taken by detect/tcp-flow.ts: LATENCY_SERVER =
// SYN -> SYN/ACK, LATENCY_CLIENT = SYN/ACK -> ACK, LATENCY_RESPONSE = last client data segment ->
// first server data segment after it) judged against a baseline per server: key = the server's
// address and port (the flow's responder; VLAN not part of it), one baseline per variant. Works
// only when a sample comes (a few per flow); never allocates per packet; reads config only in
// latencyReset().
//
// Baseline (the exportable, learned state: per server and variant, plain numbers in the slot):
// an exponentially weighted mean and variance of the samples (µs), m and v, and the sample count
// n. With alpha = 2 / (N + 1), N = CFG_LATENCY_SPAN (default 15: alpha = 1/8, the gain of TCP's own
// smoothed RTT, RFC 6298), the first sample sets m = x, v = 0; each later one d = x - m,
// m += alpha d, v = (1 - alpha)(v + alpha d^2) (Finch 2009, "Incremental calculation of weighted
// mean and variance"); std = sqrt(v). Every sample joins the baseline after it is judged (a server
// that stays slow becomes its own new normal), high ones included.
// Judging: once n >= W = CFG_LATENCY_WARMUP, a sample x is MEDIUM when x > max(r1 m, m + e,
// m + k std) and HIGH when x > max(r2 m, m + e, m + k std), r1 = CFG_LATENCY_MEDIUM_RATIO (1.5),
// r2 = CFG_LATENCY_HIGH_RATIO (2), e = CFG_LATENCY_MIN_EXCESS_MS (an absolute floor of the excess,
// so that sub-millisecond LAN and loopback jitter is not latency) and k = CFG_LATENCY_MIN_SIGMAS (a
// server whose RTT already varies that much is not slow at 2x its mean); config.ts gives the
// evidence for both.
// Episodes (per server and variant): the first sample above the MEDIUM threshold opens one
// (ALERT_KIND_NEW with its numbers); each later sample above it is evidence (COUNT, LAST, and,
// when it is the largest so far, VALUE with the THRESHOLD/MEAN/STD/SAMPLES of that decision);
// the episode ends (ALERT_KIND_UPDATE) at the server's first sample of that variant that comes more
// than QUIET_US (60 s of packet time) after the last evidence, at eviction of the server, or at
// flush.
// Alert fields: SRC/SPORT = the client (orig) of the first evidence sample's flow, DST/DPORT = the
// server, TS/RECORD_INDEX/RECORD_OFFSET/SIZE/label/VLAN = the packet that completed that sample;
// VALUE = the largest sample (ms), THRESHOLD = the threshold of the severity reached at that
// sample (ms), MEAN/STD = the baseline before that sample (ms), SAMPLES = n before it, SCORE =
// VALUE / MEAN, SEVERITY = the highest reached, COUNT = evidence samples, PEAK_RATE = COUNT per
// second of the episode (at least 1 s), WINDOW_S 0, AUX 0.
// Trace (CFG_TRACE_ENABLED, CFG_TRACE_DETECTOR = DET_LATENCY): TRACE_KEY's dst = the server
// address, its u32 label field = the server port; one point per sample of that server, any
// variant: TRACE_SIZE = the sample (ms), TRACE_MEAN/TRACE_STD = the baseline before it (ms; NaN
// before the first sample), TRACE_Z = the MEDIUM threshold (ms; NaN while warming up),
// TRACE_FLAGS bit 0 judged (warm), bit 1 above MEDIUM, bit 2 above HIGH, bits 8-15 the variant.
//
// Export and import (detect/baseline-io.ts, abi BLREC_LATENCY_SERVER): latencyExport() writes the
// m, v, n of every server and variant with samples (µs, µs²), at most CFG_BASELINE_EXPORT_MAX_KEYS
// servers, the most recently sampled first; latencyImport() loads them at reset as ready baselines
// (judged once n >= W) that keep learning, or not at all under CFG_BASELINE_FROZEN (SLOT_AUX bit
// `variant`). Episodes are not exported.
// Memory per server, constant: LAT_STRIDE = 448 B (header 16, key 20, pad 4, 3 baselines of
// 24 B, 3 episode records of 104 B, pad). The table doubles up to CFG_LATENCY_MEMORY_CAP_BYTES,
// then evicts the least recently sampled server near the new key's home slot, closing its
// episodes (C_LATENCY_KEYS_EVICTED). Servers never expire otherwise. Per sample at most 2 alerts
// (close, new) plus 3 for an evicted server.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktSport, pktDport, pktProtoLabel, pktWireLen, pktRecordIndex,
  pktRecordOffset, pktVlan,
} from "../packet";
import { OpenTable, SLOT_AUX, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig } from "../table/hash";
import { curIsOrig } from "../table/flow-table";
import { alertAppend, episodeId, outputRoomFor, traceAppend, TRACE_KEY } from "./output";
import { cutBegin, cutAdd, cutFinish, cutTake, recAppend, recStats, recValid, recN32, tableFull } from "./baseline-io";

const KEY_BYTES: usize = 20;
const KEY_WORDS: i32 = 5;
// ---- slot: header 16, key (server address 16, u32 port) at 16 ----
const B_BASE: usize = 40; // 3 baselines of B_BYTES
const B_MEAN: usize = 0; // f64 µs
const B_VAR: usize = 8; // f64 µs^2
const B_N: usize = 16; // u32
const B_BYTES: usize = 24;
const E_BASE: usize = B_BASE + 3 * B_BYTES; // 112: 3 episodes of E_BYTES
const E_ID: usize = 0; // u32, 0 = none open
const E_COUNT: usize = 4; // u32 evidence samples
const E_FIRST: usize = 8; // i64
const E_LAST: usize = 16; // i64 last evidence sample
const E_OFF: usize = 24; // f64 record offset
const E_INDEX: usize = 32; // u32
const E_SPORT: usize = 36; // u16 client port
const E_LABEL: usize = 38; // u16
const E_SIZE: usize = 40; // u32
const E_VLAN: usize = 44; // u32
const E_LEVEL: usize = 48; // u32 1 MEDIUM, 2 HIGH
const E_N: usize = 52; // u32 samples in the baseline at the peak's decision
const E_PEAK: usize = 56; // f64 ms
const E_MEAN: usize = 64; // f64 ms
const E_STD: usize = 72; // f64 ms
const E_THR: usize = 80; // f64 ms
const E_CLIENT: usize = 88; // 16 bytes
const E_BYTES: usize = 104;
/** Bytes per server slot. */
export const LAT_STRIDE: usize = 448;
const INITIAL_KEYS: f64 = 256;

const KEY: usize = memory.data(32, 16);

export const servers = new OpenTable();
let enabled = false;
let respOn = false;
let traceOn = false;
let alpha: f64 = 0.125;
let warmup: u32 = 10;
let r1: f64 = 1.5;
let r2: f64 = 2;
let excessUs: f64 = 0;
let sigmas: f64 = 0;
/** An episode ends at a sample this long after its last evidence, µs (header). */
export const QUIET_US: i64 = 60000000;
const quietUs = QUIET_US;
let flushCursor: u32 = 0;
let frozenOn = false;

/** Copies the config (CFG_LATENCY_*, CFG_TRACE_*, CFG_SEED) and (re)allocates the server table. */
export function latencyReset(): void {
  enabled = cfg(abi.CFG_LATENCY_ENABLED) != 0;
  respOn = enabled && cfg(abi.CFG_LATENCY_RESPONSE_ENABLED) != 0;
  traceOn = cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_LATENCY;
  const span = cfg(abi.CFG_LATENCY_SPAN);
  alpha = span >= 1 ? 2 / (span + 1) : 1;
  const w = cfg(abi.CFG_LATENCY_WARMUP);
  warmup = w >= 1 ? (w < 4294967295 ? <u32>w : 0xffffffff) : 1;
  r1 = cfg(abi.CFG_LATENCY_MEDIUM_RATIO);
  r2 = cfg(abi.CFG_LATENCY_HIGH_RATIO);
  excessUs = cfg(abi.CFG_LATENCY_MIN_EXCESS_MS) * 1000;
  sigmas = cfg(abi.CFG_LATENCY_MIN_SIGMAS);
  flushCursor = 0;
  frozenOn = cfg(abi.CFG_BASELINE_FROZEN) != 0;
  if (enabled) {
    servers.init(INITIAL_KEYS, LAT_STRIDE, KEY_BYTES, cfg(abi.CFG_LATENCY_MEMORY_CAP_BYTES),
      seedFromConfig(cfg(abi.CFG_SEED)) ^ 0x2545f491);
  } else {
    servers.release();
  }
  publish();
}

@inline function publish(): void {
  cSet(abi.C_LATENCY_KEYS_LIVE, <f64>servers.count);
}

/** True when LATENCY runs (detect/tcp-flow.ts takes samples only then). */
export function latencyOn(): bool { return enabled; }
/** True when LATENCY_RESPONSE samples are taken. */
export function latencyResponseOn(): bool { return respOn; }

@inline function threshold(mean: f64, ratio: f64, sd: f64): f64 {
  return max<f64>(ratio * mean, mean + max<f64>(excessUs, sigmas * sd));
}

/** One sample of `variant` (abi.LATENCY_*), `us` microseconds, completed by the current packet of
 *  the current flow (packet.ts; the server is the flow's responder: the packet's destination when
 *  it was sent by orig, else its source). */
export function latencySample(variant: i32, us: f64): void {
  cInc(abi.C_LATENCY_SAMPLES);
  // Key: the responder's address and port.
  const fromOrig = curIsOrig;
  const srv = fromOrig ? PKT_DST : PKT_SRC;
  v128.store(KEY, v128.load(srv));
  store<u32>(KEY + 16, fromOrig ? pktDport : pktSport);
  const h = servers.hash(KEY, KEY_WORDS);
  let s = servers.find(KEY, h, KEY_WORDS);
  if (s == 0) {
    s = servers.insert(KEY, h);
    if (servers.evicted) {
      cInc(abi.C_LATENCY_KEYS_EVICTED);
      closeAll(servers.evictedCopy);
    }
    publish();
  }
  const ts = pktTsUs;
  if (ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);
  const b = s + B_BASE + <usize>variant * B_BYTES;
  const e = s + E_BASE + <usize>variant * E_BYTES;
  const n = load<u32>(b + B_N);
  const m = load<f64>(b + B_MEAN);
  const v = load<f64>(b + B_VAR);
  const sd = Math.sqrt(v);
  const warm = n >= warmup;
  let lv: u32 = 0;
  let thrMed: f64 = NaN;
  if (warm) {
    thrMed = threshold(m, r1, sd);
    const thrHigh = threshold(m, r2, sd);
    lv = us > thrHigh ? 2 : us > thrMed ? 1 : 0;
  }
  // Episode: a quiet one ends at this sample; evidence opens or extends one.
  if (load<u32>(e + E_ID) != 0 && ts - load<i64>(e + E_LAST) > quietUs) close(s, variant);
  if (lv > 0) {
    const ms = us / 1000;
    const thr = (lv >= 2 ? threshold(m, r2, sd) : thrMed) / 1000;
    if (load<u32>(e + E_ID) == 0) {
      store<u32>(e + E_ID, episodeId());
      store<u32>(e + E_COUNT, 1);
      store<i64>(e + E_FIRST, ts);
      store<i64>(e + E_LAST, ts);
      store<f64>(e + E_OFF, pktRecordOffset);
      store<u32>(e + E_INDEX, pktRecordIndex);
      store<u16>(e + E_SPORT, <u16>(fromOrig ? pktSport : pktDport));
      store<u16>(e + E_LABEL, <u16>pktProtoLabel);
      store<u32>(e + E_SIZE, pktWireLen);
      store<u32>(e + E_VLAN, pktVlan);
      v128.store(e + E_CLIENT, v128.load(fromOrig ? PKT_SRC : PKT_DST));
      peak(e, lv, n, ms, m, sd, thr);
      writeAlert(s, variant, abi.ALERT_KIND_NEW);
      cInc(abi.C_ALERTS_LATENCY);
    } else {
      store<u32>(e + E_COUNT, load<u32>(e + E_COUNT) + 1);
      if (ts > load<i64>(e + E_LAST)) store<i64>(e + E_LAST, ts);
      if (ms > load<f64>(e + E_PEAK)) peak(e, max<u32>(lv, load<u32>(e + E_LEVEL)), n, ms, m, sd, thr);
      else if (lv > load<u32>(e + E_LEVEL)) store<u32>(e + E_LEVEL, lv);
    }
  }
  if (traceOn && keysEqual(KEY, TRACE_KEY + 16, 4) && load<u32>(KEY + 16) == load<u32>(TRACE_KEY + 32)) {
    const p = traceAppend();
    store<i64>(p + abi.TRACE_TS_US, ts);
    store<f64>(p + abi.TRACE_SIZE, us / 1000);
    store<f64>(p + abi.TRACE_MEAN, n > 0 ? m / 1000 : NaN);
    store<f64>(p + abi.TRACE_STD, n > 0 ? sd / 1000 : NaN);
    store<f64>(p + abi.TRACE_Z, warm ? thrMed / 1000 : NaN);
    store<u32>(p + abi.TRACE_FLAGS, (warm ? 1 : 0) | (lv >= 1 ? 2 : 0) | (lv >= 2 ? 4 : 0) | (<u32>variant << 8));
    store<u32>(p + abi.TRACE_RECORD_INDEX, pktRecordIndex);
  }
  // The baseline learns the sample (header), unless it was loaded frozen (SLOT_AUX bit `variant`).
  if ((load<u32>(s + SLOT_AUX) & (<u32>1 << <u32>variant)) != 0) return;
  if (n == 0) {
    store<f64>(b + B_MEAN, us);
    store<f64>(b + B_VAR, 0);
  } else {
    const d = us - m;
    store<f64>(b + B_MEAN, m + alpha * d);
    store<f64>(b + B_VAR, (1 - alpha) * (v + alpha * d * d));
  }
  if (n < 0xffffffff) store<u32>(b + B_N, n + 1);
}

@inline function peak(e: usize, lv: u32, n: u32, ms: f64, m: f64, sd: f64, thr: f64): void {
  store<u32>(e + E_LEVEL, lv);
  store<u32>(e + E_N, n);
  store<f64>(e + E_PEAK, ms);
  store<f64>(e + E_MEAN, m / 1000);
  store<f64>(e + E_STD, sd / 1000);
  store<f64>(e + E_THR, thr);
}

/** Writes the alert of the open episode of `variant` in slot `s` (header). */
function writeAlert(s: usize, variant: i32, kind: i32): void {
  const e = s + E_BASE + <usize>variant * E_BYTES;
  const a = alertAppend();
  store<i64>(a + abi.ALERT_TS_US, load<i64>(e + E_FIRST));
  const last = load<i64>(e + E_LAST);
  store<i64>(a + abi.ALERT_LAST_US, last);
  v128.store(a + abi.ALERT_SRC, v128.load(e + E_CLIENT));
  v128.store(a + abi.ALERT_DST, v128.load(s + SLOT_KEY));
  store<u16>(a + abi.ALERT_SPORT, load<u16>(e + E_SPORT));
  store<u16>(a + abi.ALERT_DPORT, <u16>load<u32>(s + SLOT_KEY + 16));
  store<u16>(a + abi.ALERT_PROTO_LABEL, load<u16>(e + E_LABEL));
  store<u8>(a + abi.ALERT_DETECTOR, <u8>abi.DET_LATENCY);
  const lv = load<u32>(e + E_LEVEL);
  store<u8>(a + abi.ALERT_SEVERITY, <u8>(lv >= 2 ? abi.SEV_HIGH : abi.SEV_MEDIUM));
  store<u32>(a + abi.ALERT_SIZE, load<u32>(e + E_SIZE));
  store<u32>(a + abi.ALERT_RECORD_INDEX, load<u32>(e + E_INDEX));
  store<u32>(a + abi.ALERT_VLAN, load<u32>(e + E_VLAN));
  store<f64>(a + abi.ALERT_RECORD_OFFSET, load<f64>(e + E_OFF));
  const value = load<f64>(e + E_PEAK);
  const mean = load<f64>(e + E_MEAN);
  store<f64>(a + abi.ALERT_VALUE, value);
  store<f64>(a + abi.ALERT_THRESHOLD, load<f64>(e + E_THR));
  store<f64>(a + abi.ALERT_MEAN, mean);
  store<f64>(a + abi.ALERT_STD, load<f64>(e + E_STD));
  store<u32>(a + abi.ALERT_SAMPLES, load<u32>(e + E_N));
  store<f64>(a + abi.ALERT_SCORE, mean > 0 ? value / mean : value);
  const count = <f64>load<u32>(e + E_COUNT);
  store<f64>(a + abi.ALERT_COUNT, count);
  const durS = <f64>(last - load<i64>(e + E_FIRST)) / 1e6;
  store<f64>(a + abi.ALERT_PEAK_RATE, count / max<f64>(durS, 1));
  store<u32>(a + abi.ALERT_EPISODE, load<u32>(e + E_ID));
  store<u8>(a + abi.ALERT_KIND, <u8>kind);
  store<u8>(a + abi.ALERT_VARIANT, <u8>variant);
}

function close(s: usize, variant: i32): void {
  writeAlert(s, variant, abi.ALERT_KIND_UPDATE);
  store<u32>(s + E_BASE + <usize>variant * E_BYTES + E_ID, 0);
}

/** Closes every open episode of slot `s` (at most 3 alerts). */
function closeAll(s: usize): void {
  for (let v = 0; v < 3; v++) if (load<u32>(s + E_BASE + <usize>v * E_BYTES + E_ID) != 0) close(s, v);
}

/** End of input: closes every open episode (servers stay). Resumable: false when the alert region
 *  ran out of room (drain and call again). */
export function latencyFlush(): bool {
  if (!enabled) return true;
  const cap = servers.cap;
  while (flushCursor < cap) {
    if (!outputRoomFor(3, 0)) return false;
    const s = servers.slotAt(flushCursor);
    if (load<u32>(s) != 0) closeAll(s);
    flushCursor++;
  }
  return true;
}

// ---------------------------------------------------------------- export and import (baseline-io.ts)

/** Writes one abi BLREC_LATENCY_SERVER record per server and variant with samples (ADDR, PORT,
 *  PROTO 6, VARIANT; mean µs, s = variance µs²); at most CFG_BASELINE_EXPORT_MAX_KEYS servers, the
 *  most recently sampled first. */
export function latencyExport(): void {
  if (!enabled) return;
  cutBegin();
  for (let i: u32 = 0; i < servers.cap; i++) {
    const s = servers.slotAt(i);
    if (load<u32>(s) != 0 && sampled(s)) cutAdd(s);
  }
  cutFinish();
  for (let i: u32 = 0; i < servers.cap; i++) {
    const s = servers.slotAt(i);
    if (load<u32>(s) == 0 || !sampled(s) || !cutTake(s)) continue;
    for (let v = 0; v < 3; v++) {
      const b = s + B_BASE + <usize>v * B_BYTES;
      const n = load<u32>(b + B_N);
      if (n == 0) continue;
      const r = recAppend(abi.BLREC_LATENCY_SERVER);
      store<u8>(r + abi.BLREC_VARIANT, <u8>v);
      store<u8>(r + abi.BLREC_PROTO, 6);
      store<u16>(r + abi.BLREC_PORT, <u16>load<u32>(s + SLOT_KEY + 16));
      memory.copy(r + abi.BLREC_ADDR, s + SLOT_KEY, 16);
      recStats(r, <f64>n, load<f64>(b + B_MEAN), load<f64>(b + B_VAR));
    }
  }
}

function sampled(s: usize): bool {
  for (let v = 0; v < 3; v++) if (load<u32>(s + B_BASE + <usize>v * B_BYTES + B_N) != 0) return true;
  return false;
}

/** Loads one BLREC_LATENCY_SERVER record before the first packet as a ready baseline (n as learnt;
 *  frozen under CFG_BASELINE_FROZEN); false when it cannot be placed (invalid, LATENCY off,
 *  variant already loaded, table at its memory cap). */
export function latencyImport(r: usize): bool {
  const v = <i32>load<u8>(r + abi.BLREC_VARIANT);
  if (!enabled || !recValid(r, true) || v > 2 || load<u8>(r + abi.BLREC_PROTO) != 6 || load<f64>(r + abi.BLREC_N) < 1) return false;
  v128.store(KEY, v128.load(r + abi.BLREC_ADDR));
  store<u32>(KEY + 16, <u32>load<u16>(r + abi.BLREC_PORT));
  const h = servers.hash(KEY, KEY_WORDS);
  let s = servers.find(KEY, h, KEY_WORDS);
  if (s == 0) {
    if (tableFull(servers)) return false;
    s = servers.insert(KEY, h);
    publish();
  }
  const b = s + B_BASE + <usize>v * B_BYTES;
  if (load<u32>(b + B_N) != 0) return false;
  store<f64>(b + B_MEAN, load<f64>(r + abi.BLREC_MEAN));
  store<f64>(b + B_VAR, load<f64>(r + abi.BLREC_S));
  store<u32>(b + B_N, recN32(r));
  if (frozenOn) store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) | (<u32>1 << <u32>v));
  return true;
}
