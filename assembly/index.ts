// The only export surface of the WASM core. Numbers in, numbers out: bulk data moves through
// regions of linear memory whose addresses these functions return (see abi.ts). The worker owns
// the instance; the UI never touches it. Call order for one analysis:
//   setConfig(...)*, reset(), { write <= inputRoom() bytes at inputPtr(), commit(n),
//   while (process() == STATUS_OUTPUT_FULL) drain+clearOutput() }*, finish(),
//   while (flush() == STATUS_OUTPUT_FULL) drain; drain.
// flush() also follows a fatal error or a cancel, so open windows and episodes are never lost.
import * as abi from "./abi";
import { setConfigValue, configDefaults, cfg } from "./config";
import { COUNTERS, countersClear } from "./counters";
import { readerReset, readerInputPtr, readerInputRoom, readerCommit, readerProcess, readerFinish,
  readerErrorCode, readerErrorOffset } from "./decode/reader";
import { analyzeReset, analyzeFlush, alertBase, alertCount, traceBase, traceCount, traceKeyBase, clearOutput,
  flowSlotsBase, flowSlotCount, markBase, markCount, windowBase, windowCount, connBase, connCount } from "./analyze";
import { SERVICES, blacklistReserve as reserveBlacklist } from "./detect/rule-inputs";
import { analyzeBaselineExport } from "./analyze";
import { timelineBase, timelineUsed, timelineBinUs as tlBinUs, timelineStartUs as tlStartUs } from "./detect/timeline";
import { baselineReserve as reserveBaselines, exportPtr } from "./detect/baseline-io";
import { ruleProgramReserve as reserveRuleProgram, ruleVmEval, ruleVmJudge, FEATURES } from "./detect/rule-vm";

/** Sets config `id` (abi.CFG_*) to `value`; applies at the next reset(). */
export function setConfig(id: i32, value: f64): void { setConfigValue(id, value); }
/** Restores every config default. */
export function resetConfig(): void { configDefaults(); }
/** Current value of config `id`. */
export function getConfig(id: i32): f64 { return cfg(id); }

/** Starts a new analysis: clears counters, tables, detectors and the reader with the current config. */
export function reset(): void {
  countersClear();
  analyzeReset();
  readerReset();
}

/** Address where the next input bytes go, and how many fit (at least CFG_CHUNK_BYTES after process()). */
export function inputPtr(): usize { return readerInputPtr(); }
export function inputRoom(): usize { return readerInputRoom(); }
/** Declares that `len` bytes were written at inputPtr(). */
export function commit(len: usize): void { readerCommit(len); }
/** Walks every complete record; returns abi.STATUS_NEED_INPUT, STATUS_OUTPUT_FULL or STATUS_ERROR. */
export function process(): i32 { return readerProcess(); }
/** Ends the stream: a partial record left over is counted as truncated; returns STATUS_DONE or STATUS_ERROR. */
export function finish(): i32 { return readerFinish(); }
/** abi.ERR_* of the last fatal error (or a truncation noted by finish()), and its byte offset. */
export function errorCode(): i32 { return readerErrorCode(); }
export function errorOffset(): f64 { return readerErrorOffset(); }

/** Emits every open flow window and closes every open episode (after finish(), a fatal error or
 *  a cancel). Returns abi.STATUS_OUTPUT_FULL while the output regions need draining, then
 *  STATUS_DONE. */
export function flush(): i32 { return analyzeFlush() ? abi.STATUS_DONE : abi.STATUS_OUTPUT_FULL; }

export function counterPtr(): usize { return COUNTERS; }
export function alertPtr(): usize { return alertBase(); }
export function alerts(): i32 { return alertCount(); }
export function tracePtr(): usize { return traceBase(); }
export function tracePoints(): i32 { return traceCount(); }
export function traceKeyPtr(): usize { return traceKeyBase(); }
/** Packet marks (abi.MARK_*, CFG_MARKS_ENABLED) and flow windows (abi.FWIN_*). */
export function markPtr(): usize { return markBase(); }
export function marks(): i32 { return markCount(); }
export function windowPtr(): usize { return windowBase(); }
export function windows(): i32 { return windowCount(); }
/** Connection records (abi.CONN_*, CFG_CONN_RECORDS_ENABLED): one per flow end. */
export function connPtr(): usize { return connBase(); }
export function conns(): i32 { return connCount(); }
/** Empties every output region after the worker copied them out. */
export function clearOut(): void { clearOutput(); }
/** Room for `n` blacklist ranges (abi.BLACKLIST_RANGE_BYTES each, sorted, disjoint); applies at reset(). */
export function blacklistReserve(n: i32): usize { return reserveBlacklist(n); }
/** The normal-services bitmaps (abi.SERVICES_*); written by the host, applies at reset(). */
export function servicesPtr(): usize { return SERVICES; }
/** Room for a flow-rule program of `bytes` bytes (layout: src/rules/rule-program.ts); applies at
 *  reset(), which verifies it. */
export function ruleProgramReserve(bytes: i32): usize { return reserveRuleProgram(bytes); }
/** Test entries of the rule VM. ruleVmFeaturesPtr(): its 7 f64 features (FEATURE_NAMES order).
 *  ruleVmMask(): every rule of the program loaded at reset() on those features, bit i set when
 *  rule i matches (as FWIN_RULES). ruleVmJudgeAt(p): the features of the FWIN record at `p`
 *  (written there by the caller, e.g. at inputPtr()), then ruleVmMask(). */
export function ruleVmFeaturesPtr(): usize { return FEATURES; }
export function ruleVmMask(): u32 { return ruleVmEval(); }
export function ruleVmJudgeAt(p: usize): u32 { return ruleVmJudge(p); }
/** The flow table's slots (abi.FLOW_*), valid until the next process()/finish()/reset(). */
export function flowTablePtr(): usize { return flowSlotsBase(); }
export function flowTableSlots(): i32 { return flowSlotCount(); }
/** Room for `n` learned-baseline records (abi.BLREC_STRIDE each, validated by the host) that the
 *  next reset() loads as ready baselines (detect/baseline-io.ts); n = 0 loads none. The records
 *  stay for later resets: the engine calls it before every reset(). */
export function baselineReserve(n: i32): usize { return reserveBaselines(n); }
/** Writes every learned baseline as abi.BLREC_* records (after flush()) and returns their number;
 *  baselinePtr() is their address, valid until the next baselineExport() or reset(). */
export function baselineExport(): i32 { return analyzeBaselineExport(); }
export function baselinePtr(): usize { return exportPtr(); }
/** The traffic timeline (detect/timeline.ts): timelineBins() records of abi.TL_STRIDE bytes at
 *  timelinePtr() (abi.TL_*), bin k covering [timelineStartUs() + k·timelineBinUs(), +binUs) µs.
 *  Valid until the next process()/finish()/reset(); at most abi.TL_MAX_BINS bins. */
export function timelinePtr(): usize { return timelineBase(); }
export function timelineBins(): i32 { return timelineUsed(); }
export function timelineBinUs(): f64 { return tlBinUs(); }
export function timelineStartUs(): f64 { return tlStartUs(); }
/** ABI version: bump when abi.ts changes incompatibly. */
export function abiVersion(): i32 { return 5; }
