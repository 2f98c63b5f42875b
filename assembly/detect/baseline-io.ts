// Dump and reload of the learned baselines ("learn here, detect there", issue #4): the two regions
// of fixed-stride records (abi BLREC_*, 64 B each) and the bound of an export. The detectors own
// their records' meaning (detect/metrics.ts metricsExport/metricsImport, latency.ts, longconn.ts);
// this module only holds the memory, appends records and picks which keys of a bounded table are
// written. analyze.ts calls the detectors in order. Nothing here runs per packet.
//
// - Export (baselineExport() after flush()): every baseline becomes one record in a heap region
//   that grows by doubling (recAppend). Keyed tables (SPIKE destinations, LATENCY servers, LONGCONN
//   services) are bounded by CFG_BASELINE_EXPORT_MAX_KEYS each: when a table holds more eligible
//   keys, the most recently active ones (largest SLOT_LAST: last packet, sample or completed flow)
//   are written, ties by slot order; the rest are counted in C_BASELINE_EXPORT_DROPPED.
//   C_BASELINE_EXPORTED counts the records written.
// - Import (baselineReserve(n) before reset(); reset() loads them after every detector's reset):
//   the host validates the records first (src/worker/core-baselines.ts); the core checks them again
//   (kind, finite numbers, n >= 0, s >= 0 where it is a variance) and places each in its table as a
//   ready baseline. A record it cannot place (invalid, detector off, duplicate key, table at its
//   memory cap, service list full, destination expired) is skipped and counted in
//   C_BASELINE_IMPORT_REJECTED; C_BASELINE_IMPORTED counts the others.
import * as abi from "../abi";
import { cfg } from "../config";
import { cAdd, cInc, cSet } from "../counters";
import { OpenTable, SLOT_LAST } from "../table/open-table";

let inMem: usize = 0;
let inCap: i32 = 0;
let inN: i32 = 0;
let outMem: usize = 0;
let outCap: i32 = 0;
let outN: i32 = 0;

/** Room for `n` records to load at the next reset() (the host writes them there); 0 clears. */
export function baselineReserve(n: i32): usize {
  if (n < 0) n = 0;
  if (n > inCap) {
    if (inMem != 0) heap.free(inMem);
    inMem = heap.alloc(<usize>n * abi.BLREC_STRIDE);
    inCap = n;
  }
  inN = n;
  if (n > 0) memory.fill(inMem, 0, <usize>n * abi.BLREC_STRIDE);
  return inMem;
}

/** Records waiting to be loaded and the address of record `i`. */
export function importCount(): i32 { return inN; }
export function importAt(i: i32): usize { return inMem + <usize>i * abi.BLREC_STRIDE; }

/** The record at `r`: kind in range, finite n >= 0 (an integer), finite mean, finite s (>= 0 when
 *  `sNonNegative`). */
export function recValid(r: usize, sNonNegative: bool): bool {
  const kind = <i32>load<u8>(r + abi.BLREC_KIND);
  if (kind < 1 || kind >= abi.BLREC_KINDS) return false;
  const n = load<f64>(r + abi.BLREC_N);
  const m = load<f64>(r + abi.BLREC_MEAN);
  const s = load<f64>(r + abi.BLREC_S);
  if (!isFinite(n) || !(n >= 0) || Math.floor(n) != n || !isFinite(m) || !isFinite(s)) return false;
  return !sNonNegative || s >= 0;
}

/** Samples n of record `r` as a u32 (saturated). */
@inline export function recN32(r: usize): u32 {
  const n = load<f64>(r + abi.BLREC_N);
  return n >= 4294967295 ? 0xffffffff : <u32>n;
}

/** Counts an import outcome. */
export function importCounted(ok: bool): void {
  cInc(ok ? abi.C_BASELINE_IMPORTED : abi.C_BASELINE_IMPORT_REJECTED);
}

/** True when `t` cannot take one more key without evicting one (at its memory cap). */
export function tableFull(t: OpenTable): bool {
  return t.count + 1 > t.limit && t.cap >= t.maxCap;
}

// ---------------------------------------------------------------- export region

/** Starts an export: no records, counters cleared. */
export function exportBegin(): void {
  outN = 0;
  cSet(abi.C_BASELINE_EXPORTED, 0);
  cSet(abi.C_BASELINE_EXPORT_DROPPED, 0);
}

/** A zeroed record of `kind` to fill. */
export function recAppend(kind: i32): usize {
  if (outN >= outCap) {
    const cap = outCap < 256 ? 256 : outCap * 2;
    const mem = heap.alloc(<usize>cap * abi.BLREC_STRIDE);
    if (outN > 0) memory.copy(mem, outMem, <usize>outN * abi.BLREC_STRIDE);
    if (outMem != 0) heap.free(outMem);
    outMem = mem;
    outCap = cap;
  }
  const r = outMem + <usize>outN * abi.BLREC_STRIDE;
  outN++;
  memory.fill(r, 0, abi.BLREC_STRIDE);
  store<u8>(r + abi.BLREC_KIND, <u8>kind);
  cInc(abi.C_BASELINE_EXPORTED);
  return r;
}

/** Fills n, mean and s of record `r`. */
@inline export function recStats(r: usize, n: f64, mean: f64, s: f64): void {
  store<f64>(r + abi.BLREC_N, n);
  store<f64>(r + abi.BLREC_MEAN, mean);
  store<f64>(r + abi.BLREC_S, s);
}

export function exportPtr(): usize { return outMem; }
export function exportCount(): i32 { return outN; }

// ---------------------------------------------------------------- the bound of a keyed table

const lasts = new Array<i64>();
let maxKeys: i32 = 65536;
let cutLast: i64 = 0;
let cutTies: i32 = 0;
let cutAll = true;

/** Reads CFG_BASELINE_EXPORT_MAX_KEYS (at reset, as every config). */
export function baselineIoReset(): void {
  const mx = cfg(abi.CFG_BASELINE_EXPORT_MAX_KEYS);
  maxKeys = mx >= 2147483647 ? 2147483647 : mx > 0 ? <i32>mx : 0;
}

/** Starts the selection of one table's keys: cutAdd() each eligible key's SLOT_LAST, then
 *  cutFinish(), then cutTake() for each eligible key in the same order. */
export function cutBegin(): void {
  lasts.length = 0;
}

export function cutAdd(slot: usize): void {
  lasts.push(load<i64>(slot + SLOT_LAST));
}

/** Fixes the cut: at most CFG_BASELINE_EXPORT_MAX_KEYS keys, the newest first; counts the rest. */
export function cutFinish(): void {
  const max = maxKeys;
  const n = lasts.length;
  cutAll = n <= max;
  if (cutAll) return;
  lasts.sort((a: i64, b: i64): i32 => (a < b ? 1 : a > b ? -1 : 0));
  if (max == 0) {
    cutLast = i64.MAX_VALUE;
    cutTies = 0;
  } else {
    cutLast = lasts[max - 1];
    let above = 0;
    while (above < max && lasts[above] > cutLast) above++;
    cutTies = max - above;
  }
  cAdd(abi.C_BASELINE_EXPORT_DROPPED, <f64>(n - max));
}

/** True when the key in `slot` is written (see cutFinish). */
export function cutTake(slot: usize): bool {
  if (cutAll) return true;
  const l = load<i64>(slot + SLOT_LAST);
  if (l > cutLast) return true;
  if (l == cutLast && cutTies > 0) {
    cutTies--;
    return true;
  }
  return false;
}
