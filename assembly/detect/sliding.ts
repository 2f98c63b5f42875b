// Shared building blocks of the keyed rule detectors (detect/portscan.ts, detect/synflood.ts):
// sliding-window structures that live inside a table slot (or in a small pool), and the episode
// record every keyed rule keeps per key. Never allocates per packet; the sketch pool allocates
// chunks of SK_CHUNK sketches on first use, bounded by the cap given at reset.
//
// Time: every window ends at the detector's clock = the newest packet time seen so far (µs,
// C_TS_LAST_US, including the current packet). A packet older than clock - T is outside every
// window it could ever belong to (the clock never goes back) and the rules ignore it.
//
// - Recent-distinct set (recent*): the k = N+1 distinct ids with the largest last-seen times,
//   16 B per entry (i64 last-seen µs, u64 id). Invariant: every id outside the set has a last-seen
//   time <= the set's oldest one (an id is only left out or replaced when it is not newer than
//   the oldest entry). Hence "more than N distinct ids in (clock - T, clock]" holds iff all k
//   entries are inside the window, and recentCount() is the exact distinct count whenever it is
//   below k. Exact, also for out-of-order times; O(k) per update.
// - Bucket counter (bc*): BUCKETS = 16 counts of w = floor(T / 16) µs, aligned to multiples of w
//   since the epoch. The total covers the buckets floor(clock/w)-15 .. floor(clock/w), i.e. the
//   packets with time in [(floor(clock/w) - 15)·w, clock]: a window between 15·w and 16·w long,
//   16·w <= T ("the count covers between (1 - 1/16)·T and T"). 80 B, O(1) amortized.
// - HyperLogLog (hll*): m one-byte registers (Flajolet et al. 2007, with the linear-counting
//   correction below 2.5·m); standard error about 1.04/sqrt(m). Used for the AUX estimates
//   (distinct sources or destinations of an episode).
// - Sliding sketch (sk*): a HyperLogLog of SK_M = 256 registers kept per sub-window, SK_B = 8
//   sub-windows of w = floor(T / 8) µs, plus the register-wise maximum over the live sub-windows
//   and its harmonic sum, so adding and estimating are O(1) (a sub-window rotation costs 8·256
//   byte reads, at most once per w of packet time). It estimates the distinct ids seen in
//   [(floor(clock/w) - 7)·w, clock] (a window between 7/8·T and T) with a standard error of
//   1.04/16 = 6.5%. SK_BYTES = 2,328 B each, from a pool (skPoolReset).
// - Episode record (EP_*, EP_BYTES = 104 B): the first evidence packet's subject fields (for the
//   ALERT_KIND_UPDATE record, which repeats them), last evidence time, evidence count, peak value,
//   peak rate in 1-s bins, AUX, and one extra address (the first source or destination when the
//   key holds only one end).
import * as abi from "../abi";
import {
  pktTsUs, pktSport, pktDport, pktProtoLabel, pktWireLen, pktRecordIndex, pktRecordOffset,
  pktVlan,
} from "../packet";
import { alertAppend, episodeId } from "./output";

/** The keyed rules' chunked sweeps (portscan.ts, synflood.ts) run on one packet in SWEEP_EVERY.
 *  Closing a quiet episode or removing an idle key changes no decision (the key's next packet
 *  does the same checks first), so the sweep only bounds how long they linger: a full pass over C
 *  slots takes C / SWEEP_SLOTS x SWEEP_EVERY packets (65,536 slots: 262,144 packets). Sweeping on
 *  every packet cost a fifth of the core's time on a 200,000-flow capture (test/bench), four
 *  slots of 400-900 B each, read from memory for every packet. */
export const SWEEP_EVERY: u32 = 16;

/** Floor division (timestamps may be negative in packed records). */
@inline export function floorDiv(a: i64, b: i64): i64 {
  const q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/** Window in µs from config seconds: at least 1 µs. */
export function windowUs(seconds: f64): i64 {
  const us = Math.round(seconds * 1e6);
  return us >= 1 ? <i64>us : 1;
}

// ---------------------------------------------------------------- recent-distinct set
/** Bytes of a recent-distinct set of `k` entries. */
@inline export function recentBytes(k: i32): usize {
  return <usize>k << 4;
}

/** Records id `id` seen at `ts` in the set at `p` (capacity `k`, entries in use at `usedPtr`, u32):
 *  raises its last-seen time, or inserts it (in place of the oldest entry when full and `ts` is
 *  newer than that entry; otherwise the id is not among the k newest and is left out). */
export function recentTouch(p: usize, usedPtr: usize, k: i32, id: u64, ts: i64): void {
  const used = <i32>load<u32>(usedPtr);
  for (let i = 0; i < used; i++) {
    const e = p + (<usize>i << 4);
    if (load<u64>(e, 8) == id) {
      if (ts > load<i64>(e)) store<i64>(e, ts);
      return;
    }
  }
  if (used < k) {
    const e = p + (<usize>used << 4);
    store<i64>(e, ts);
    store<u64>(e, id, 8);
    store<u32>(usedPtr, <u32>(used + 1));
    return;
  }
  let oldest = 0;
  let oldestTs = load<i64>(p);
  for (let i = 1; i < k; i++) {
    const t = load<i64>(p + (<usize>i << 4));
    if (t < oldestTs) {
      oldestTs = t;
      oldest = i;
    }
  }
  if (ts > oldestTs) {
    const e = p + (<usize>oldest << 4);
    store<i64>(e, ts);
    store<u64>(e, id, 8);
  }
}

/** Removes id `id` from the set at `p` (entries in use at `usedPtr`), if present: the last entry
 *  takes its place. The invariant above still holds (the set's oldest time can only grow). */
export function recentRemove(p: usize, usedPtr: usize, id: u64): void {
  const used = <i32>load<u32>(usedPtr);
  for (let i = 0; i < used; i++) {
    const e = p + (<usize>i << 4);
    if (load<u64>(e, 8) != id) continue;
    const last = p + (<usize>(used - 1) << 4);
    if (e != last) v128.store(e, v128.load(last));
    store<u32>(usedPtr, <u32>(used - 1));
    return;
  }
}

/** Entries of the set with a last-seen time after `cutoffUs` (= the exact distinct count in
 *  (cutoff, clock] while below k; k means "at least k"). */
export function recentCount(p: usize, used: i32, cutoffUs: i64): i32 {
  let n = 0;
  for (let i = 0; i < used; i++) if (load<i64>(p + (<usize>i << 4)) > cutoffUs) n++;
  return n;
}

// ---------------------------------------------------------------- bucket counter
export const BUCKETS: i32 = 16;
/** Bytes of a bucket counter: i64 newest bucket number, u32 total, pad, u32 x BUCKETS. */
export const BC_BYTES: usize = 16 + (<usize>BUCKETS << 2);
const NEVER: i64 = i64.MIN_VALUE / 4;

/** Bucket width in µs for a window of `windowUs`: floor(T / BUCKETS), at least 1. */
export function bucketUs(windowUs: i64): i64 {
  const w = windowUs / BUCKETS;
  return w >= 1 ? w : 1;
}

export function bcInit(p: usize): void {
  store<i64>(p, NEVER);
  memory.fill(p + 8, 0, BC_BYTES - 8);
}

@inline function bcAdvance(p: usize, bNow: i64): void {
  const newest = load<i64>(p);
  if (bNow <= newest) return;
  if (bNow - newest >= BUCKETS) {
    memory.fill(p + 16, 0, <usize>BUCKETS << 2);
    store<u32>(p + 8, 0);
  } else {
    let total = load<u32>(p + 8);
    for (let b = newest + 1; b <= bNow; b++) {
      const c = p + 16 + (<usize>(b & (BUCKETS - 1)) << 2);
      total -= load<u32>(c);
      store<u32>(c, 0);
    }
    store<u32>(p + 8, total);
  }
  store<i64>(p, bNow);
}

/** Counts one event at `ts` (<= clock) and returns the total in the window ending at `clock`. */
export function bcAdd(p: usize, ts: i64, clock: i64, w: i64): u32 {
  const bNow = floorDiv(clock, w);
  bcAdvance(p, bNow);
  const b = floorDiv(ts, w);
  let total = load<u32>(p + 8);
  if (b > bNow - BUCKETS) {
    const c = p + 16 + (<usize>(b & (BUCKETS - 1)) << 2);
    store<u32>(c, load<u32>(c) + 1);
    total++;
    store<u32>(p + 8, total);
  }
  return total;
}

/** The total in the window ending at `clock` (advances the buckets; counts nothing). */
export function bcTotal(p: usize, clock: i64, w: i64): u32 {
  bcAdvance(p, floorDiv(clock, w));
  return load<u32>(p + 8);
}

// ---------------------------------------------------------------- HyperLogLog
/** 2^-r for a register value r. */
@inline function pow2neg(r: u32): f64 {
  return reinterpret<f64>(<u64>(1023 - r) << 52);
}

/** Adds 32-bit hash `h` to the 2^log2m one-byte registers at `regs`. */
@inline export function hllAdd(regs: usize, log2m: i32, h: u32): void {
  const j = h >>> (32 - log2m);
  const rank = <u32>clz<u32>((h << log2m) | (1 << (log2m - 1))) + 1;
  if (rank > <u32>load<u8>(regs + j)) store<u8>(regs + j, <u8>rank);
}

/** The HyperLogLog estimate from the harmonic sum of 2^-register and the zero registers. */
export function hllFinish(sum: f64, zeros: u32, m: i32): f64 {
  const mf = <f64>m;
  const alpha = m >= 128 ? 0.7213 / (1 + 1.079 / mf) : m >= 64 ? 0.709 : m >= 32 ? 0.697 : 0.673;
  let e = alpha * mf * mf / sum;
  if (e <= 2.5 * mf && zeros > 0) e = mf * Math.log(mf / <f64>zeros);
  return e;
}

/** Estimate of the distinct hashes added to the registers at `regs`. */
export function hllEstimate(regs: usize, log2m: i32): f64 {
  const m = 1 << log2m;
  let sum: f64 = 0;
  let zeros: u32 = 0;
  for (let j = 0; j < m; j++) {
    const r = <u32>load<u8>(regs + j);
    sum += pow2neg(r);
    if (r == 0) zeros++;
  }
  return hllFinish(sum, zeros, m);
}

// ---------------------------------------------------------------- sliding sketch pool
export const SK_LOG2M: i32 = 8;
export const SK_M: i32 = 1 << SK_LOG2M;
export const SK_B: i32 = 8;
const SK_NEWEST: usize = 0; // i64 newest sub-window number
const SK_SUM: usize = 8; // f64 sum of 2^-combined[j]
const SK_ZEROS: usize = 16; // u32 combined registers equal to 0
const SK_NEXT: usize = 20; // u32 next free sketch id (free list)
const SK_COMB: usize = 24; // u8 x SK_M: max over the live sub-windows
const SK_REGS: usize = 24 + <usize>SK_M; // u8 x SK_M per sub-window, sub-window s at (s mod SK_B)
/** Bytes per sketch. */
export const SK_BYTES: usize = SK_REGS + <usize>(SK_M * SK_B);
/** Sketches per allocated chunk and the most chunks (so at most 16,384 sketches). */
const SK_CHUNK: i32 = 64;
const SK_MAX_CHUNKS: i32 = 256;
const skChunks: usize = memory.data(SK_MAX_CHUNKS * 4, 16);
let skCap: i32 = 0;
let skMade: i32 = 0;
let skFreeHead: u32 = 0;

/** Sub-window width in µs for a window of `windowUs`: floor(T / SK_B), at least 1. */
export function skWidthUs(windowUs: i64): i64 {
  const w = windowUs / SK_B;
  return w >= 1 ? w : 1;
}

/** Frees every sketch and sets the pool's budget: floor(capBytes / SK_BYTES) sketches, at least
 *  SK_CHUNK, at most SK_CHUNK x SK_MAX_CHUNKS. */
export function skPoolReset(capBytes: f64): void {
  const chunks = (skMade + SK_CHUNK - 1) / SK_CHUNK;
  for (let c = 0; c < chunks; c++) heap.free(load<u32>(skChunks + (<usize>c << 2)));
  memory.fill(skChunks, 0, SK_MAX_CHUNKS * 4);
  skMade = 0;
  skFreeHead = 0;
  const n = Math.floor(capBytes / <f64>SK_BYTES);
  skCap = <i32>Math.min(Math.max(n, <f64>SK_CHUNK), <f64>(SK_CHUNK * SK_MAX_CHUNKS));
}

/** Address of sketch `id` (1-based). */
@inline export function skPtr(id: u32): usize {
  const i = <i32>id - 1;
  return <usize>load<u32>(skChunks + (<usize>(i / SK_CHUNK) << 2)) + <usize>(i % SK_CHUNK) * SK_BYTES;
}

/** A cleared sketch's id (1-based), or 0 when the pool is exhausted. */
export function skAlloc(): u32 {
  let id: u32 = 0;
  if (skFreeHead != 0) {
    id = skFreeHead;
    skFreeHead = load<u32>(skPtr(id) + SK_NEXT);
  } else if (skMade < skCap) {
    if (skMade % SK_CHUNK == 0) {
      store<u32>(skChunks + (<usize>(skMade / SK_CHUNK) << 2), <u32>heap.alloc(<usize>SK_CHUNK * SK_BYTES));
    }
    skMade++;
    id = <u32>skMade;
  } else {
    return 0;
  }
  const p = skPtr(id);
  memory.fill(p, 0, SK_BYTES);
  store<i64>(p + SK_NEWEST, NEVER);
  store<f64>(p + SK_SUM, <f64>SK_M);
  store<u32>(p + SK_ZEROS, <u32>SK_M);
  return id;
}

/** Returns sketch `id` to the pool (0 is ignored). */
export function skRelease(id: u32): void {
  if (id == 0) return;
  store<u32>(skPtr(id) + SK_NEXT, skFreeHead);
  skFreeHead = id;
}

function skAdvance(p: usize, swNow: i64): void {
  const newest = load<i64>(p + SK_NEWEST);
  if (swNow <= newest) return;
  if (swNow - newest >= SK_B) {
    memory.fill(p + SK_REGS, 0, <usize>(SK_M * SK_B));
  } else {
    for (let s = newest + 1; s <= swNow; s++) {
      memory.fill(p + SK_REGS + <usize>(s & (SK_B - 1)) * SK_M, 0, <usize>SK_M);
    }
  }
  store<i64>(p + SK_NEWEST, swNow);
  let sum: f64 = 0;
  let zeros: u32 = 0;
  for (let j = 0; j < SK_M; j++) {
    let r: u32 = 0;
    for (let s = 0; s < SK_B; s++) r = max<u32>(r, <u32>load<u8>(p + SK_REGS + <usize>(s * SK_M + j)));
    store<u8>(p + SK_COMB + j, <u8>r);
    sum += pow2neg(r);
    if (r == 0) zeros++;
  }
  store<f64>(p + SK_SUM, sum);
  store<u32>(p + SK_ZEROS, zeros);
}

/** Adds hash `h` seen at `ts` (<= clock) to sketch `id` with sub-windows of `w` µs. */
export function skAdd(id: u32, h: u32, ts: i64, clock: i64, w: i64): void {
  const p = skPtr(id);
  const swNow = floorDiv(clock, w);
  skAdvance(p, swNow);
  const sw = floorDiv(ts, w);
  if (sw <= swNow - SK_B) return;
  const j = <usize>(h >>> (32 - SK_LOG2M));
  const rank = <u32>clz<u32>((h << SK_LOG2M) | (1 << (SK_LOG2M - 1))) + 1;
  const r = p + SK_REGS + <usize>(sw & (SK_B - 1)) * SK_M + j;
  if (rank > <u32>load<u8>(r)) store<u8>(r, <u8>rank);
  const c = <u32>load<u8>(p + SK_COMB + j);
  if (rank > c) {
    store<u8>(p + SK_COMB + j, <u8>rank);
    store<f64>(p + SK_SUM, load<f64>(p + SK_SUM) - pow2neg(c) + pow2neg(rank));
    if (c == 0) store<u32>(p + SK_ZEROS, load<u32>(p + SK_ZEROS) - 1);
  }
}

/** Estimated distinct hashes of sketch `id` in the window ending at `clock`. */
export function skEstimate(id: u32, clock: i64, w: i64): f64 {
  const p = skPtr(id);
  skAdvance(p, floorDiv(clock, w));
  return hllFinish(load<f64>(p + SK_SUM), load<u32>(p + SK_ZEROS), SK_M);
}

// ---------------------------------------------------------------- episode record
export const EP_ID: usize = 0; // u32 episode id, 0 = no episode open
export const EP_COUNT: usize = 4; // u32 evidence packets
export const EP_FIRST_US: usize = 8; // i64 first evidence packet time
export const EP_LAST_US: usize = 16; // i64 newest evidence packet time
export const EP_OFFSET: usize = 24; // f64 record offset of the first evidence packet
export const EP_INDEX: usize = 32; // u32 record index of the first evidence packet
export const EP_SPORT: usize = 36; // u16
export const EP_DPORT: usize = 38; // u16
export const EP_LABEL: usize = 40; // u16 protocol label
export const EP_SKETCH: usize = 42; // u16 sliding sketch id (owner-defined), 0 = none
export const EP_SIZE: usize = 44; // u32 wire length
export const EP_VLAN: usize = 48; // u32
export const EP_RATE_PEAK: usize = 52; // u32 peak evidence packets in one 1-s bin
export const EP_RATE_BIN: usize = 56; // i64 current 1-s bin (floor(clock / 1 s))
export const EP_RATE_N: usize = 64; // u32 evidence packets in the current bin
export const EP_VALUE: usize = 72; // f64 peak VALUE
export const EP_AUX: usize = 80; // f64 AUX
export const EP_ADDR: usize = 88; // 16 bytes: the end the key does not hold (owner-defined)
export const EP_BYTES: usize = 104;

/** Opens an episode in `ep` from the current packet (a new episode id); `addr` (16 bytes) is
 *  copied to EP_ADDR when not 0. The caller then calls epEvidence() for the same packet. */
export function epStart(ep: usize, addr: usize): void {
  store<u32>(ep + EP_ID, episodeId());
  store<u32>(ep + EP_COUNT, 0);
  store<i64>(ep + EP_FIRST_US, pktTsUs);
  store<i64>(ep + EP_LAST_US, pktTsUs);
  store<f64>(ep + EP_OFFSET, pktRecordOffset);
  store<u32>(ep + EP_INDEX, pktRecordIndex);
  store<u16>(ep + EP_SPORT, <u16>pktSport);
  store<u16>(ep + EP_DPORT, <u16>pktDport);
  store<u16>(ep + EP_LABEL, <u16>pktProtoLabel);
  store<u32>(ep + EP_SIZE, pktWireLen);
  store<u32>(ep + EP_VLAN, pktVlan);
  store<u32>(ep + EP_RATE_PEAK, 0);
  store<i64>(ep + EP_RATE_BIN, NEVER);
  store<u32>(ep + EP_RATE_N, 0);
  store<f64>(ep + EP_VALUE, 0);
  store<f64>(ep + EP_AUX, 0);
  if (addr != 0) v128.store(ep + EP_ADDR, v128.load(addr));
  else v128.store(ep + EP_ADDR, i64x2.splat(0));
}

/** Counts the current packet as evidence of the open episode in `ep`: COUNT, LAST (newest
 *  evidence time), the 1-s bin of `clock` for PEAK_RATE, and the peak of `value`. */
export function epEvidence(ep: usize, clock: i64, value: f64): void {
  store<u32>(ep + EP_COUNT, load<u32>(ep + EP_COUNT) + 1);
  if (pktTsUs > load<i64>(ep + EP_LAST_US)) store<i64>(ep + EP_LAST_US, pktTsUs);
  const bin = floorDiv(clock, 1000000);
  let n: u32 = 1;
  if (bin == load<i64>(ep + EP_RATE_BIN)) n = load<u32>(ep + EP_RATE_N) + 1;
  else store<i64>(ep + EP_RATE_BIN, bin);
  store<u32>(ep + EP_RATE_N, n);
  if (n > load<u32>(ep + EP_RATE_PEAK)) store<u32>(ep + EP_RATE_PEAK, n);
  if (value > load<f64>(ep + EP_VALUE)) store<f64>(ep + EP_VALUE, value);
}

/** Severity of an episode: HIGH when VALUE > 10 x the threshold, MEDIUM otherwise. */
@inline export function epSeverity(value: f64, threshold: f64): i32 {
  return value > 10 * threshold ? abi.SEV_HIGH : abi.SEV_MEDIUM;
}

/** Writes the alert record of the episode in `ep` (the caller checked the output room): kind
 *  abi.ALERT_KIND_*, detector, variant, the 16-byte `src` and `dst` (0 = the zero address),
 *  THRESHOLD, WINDOW_S; SCORE = VALUE / THRESHOLD (VALUE when the threshold is 0). */
export function epAlert(ep: usize, kind: i32, det: i32, variant: i32, src: usize, dst: usize,
    threshold: f64, windowS: f64): void {
  const value = load<f64>(ep + EP_VALUE);
  epRecord(ep, kind, det, variant, src, dst, epSeverity(value, threshold), threshold > 0 ? value / threshold : value,
    threshold, windowS, <f64>load<u32>(ep + EP_RATE_PEAK));
}

/** The alert record of the episode in `ep` with the severity, score, threshold, window and peak
 *  rate given (the fields every episode alert shares: times, addresses, ports, label, size,
 *  record, VALUE, COUNT, EPISODE, KIND, VARIANT, AUX); returns it for the caller's own fields
 *  (detect/metrics.ts adds the baseline's MEAN, STD and SAMPLES). The caller checked the room. */
export function epRecord(ep: usize, kind: i32, det: i32, variant: i32, src: usize, dst: usize, sev: i32, score: f64,
    threshold: f64, windowS: f64, peak: f64): usize {
  const a = alertAppend();
  store<i64>(a + abi.ALERT_TS_US, load<i64>(ep + EP_FIRST_US));
  store<i64>(a + abi.ALERT_LAST_US, load<i64>(ep + EP_LAST_US));
  if (src != 0) v128.store(a + abi.ALERT_SRC, v128.load(src));
  if (dst != 0) v128.store(a + abi.ALERT_DST, v128.load(dst));
  store<u16>(a + abi.ALERT_SPORT, load<u16>(ep + EP_SPORT));
  store<u16>(a + abi.ALERT_DPORT, load<u16>(ep + EP_DPORT));
  store<u16>(a + abi.ALERT_PROTO_LABEL, load<u16>(ep + EP_LABEL));
  store<u8>(a + abi.ALERT_DETECTOR, <u8>det);
  store<u8>(a + abi.ALERT_SEVERITY, <u8>sev);
  store<u32>(a + abi.ALERT_SIZE, load<u32>(ep + EP_SIZE));
  store<u32>(a + abi.ALERT_RECORD_INDEX, load<u32>(ep + EP_INDEX));
  store<f64>(a + abi.ALERT_SCORE, score);
  store<u32>(a + abi.ALERT_VLAN, load<u32>(ep + EP_VLAN));
  store<f64>(a + abi.ALERT_RECORD_OFFSET, load<f64>(ep + EP_OFFSET));
  store<f64>(a + abi.ALERT_VALUE, load<f64>(ep + EP_VALUE));
  store<f64>(a + abi.ALERT_THRESHOLD, threshold);
  store<f64>(a + abi.ALERT_WINDOW_S, windowS);
  store<f64>(a + abi.ALERT_COUNT, <f64>load<u32>(ep + EP_COUNT));
  store<f64>(a + abi.ALERT_PEAK_RATE, peak);
  store<u32>(a + abi.ALERT_EPISODE, load<u32>(ep + EP_ID));
  store<u8>(a + abi.ALERT_KIND, <u8>kind);
  store<u8>(a + abi.ALERT_VARIANT, <u8>variant);
  store<f64>(a + abi.ALERT_AUX, load<f64>(ep + EP_AUX));
  return a;
}
