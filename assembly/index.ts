// The only export surface of the WASM core. Numbers in, numbers out: bulk data moves through
// regions of linear memory whose addresses these functions return (see abi.ts). The worker owns
// the instance; the UI never touches it. Call order for one analysis:
//   setConfig(...)*, reset(), { write <= inputRoom() bytes at inputPtr(), commit(n),
//   while (process() == STATUS_OUTPUT_FULL) drain+clearOutput() }*, finish(), drain.
import * as abi from "./abi";
import { setConfigValue, configDefaults, cfg } from "./config";
import { COUNTERS, countersClear } from "./counters";
import { readerReset, readerInputPtr, readerInputRoom, readerCommit, readerProcess, readerFinish,
  readerErrorCode, readerErrorOffset } from "./decode/reader";
import { analyzeReset, alertBase, alertCount, traceBase, traceCount, traceKeyBase, clearOutput, flowSlotsBase,
  flowSlotCount } from "./analyze";

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

export function counterPtr(): usize { return COUNTERS; }
export function alertPtr(): usize { return alertBase(); }
export function alerts(): i32 { return alertCount(); }
export function tracePtr(): usize { return traceBase(); }
export function tracePoints(): i32 { return traceCount(); }
export function traceKeyPtr(): usize { return traceKeyBase(); }
/** Empties the alert and trace regions after the worker copied them out. */
export function clearOut(): void { clearOutput(); }
/** The flow table's slots (abi.FLOW_*), valid until the next process()/finish()/reset(). */
export function flowTablePtr(): usize { return flowSlotsBase(); }
export function flowTableSlots(): i32 { return flowSlotCount(); }
/** ABI version: bump when abi.ts changes incompatibly. */
export function abiVersion(): i32 { return 1; }
