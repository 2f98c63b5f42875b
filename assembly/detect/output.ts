// The alert and trace output regions: fixed heap blocks sized from config at reset, appended to
// by detectors and emptied by the worker (clearOut()). Never grows per packet: when either region
// is full, outputHasRoom() is false and the reader returns STATUS_OUTPUT_FULL before the next record.
import * as abi from "../abi";
import { cfg } from "../config";

let alertMem: usize = 0;
let alertCap: i32 = 0;
let alertN: i32 = 0;
let traceMem: usize = 0;
let traceCap: i32 = 0;
let traceN: i32 = 0;

/** Trace key (36 bytes: src 16, dst 16, u32 protocol label). Static: reset never clears it,
 *  because the engine writes it before reset(). */
export const TRACE_KEY: usize = memory.data(abi.TRACE_KEY_BYTES + 12, 16);

/** (Re)allocates both regions: CFG_ALERT_CAPACITY x ALERT_STRIDE and CFG_TRACE_CAPACITY x
 *  TRACE_STRIDE bytes (each at least one record). */
export function outputReset(): void {
  if (alertMem != 0) heap.free(alertMem);
  if (traceMem != 0) heap.free(traceMem);
  alertCap = max<i32>(1, <i32>cfg(abi.CFG_ALERT_CAPACITY));
  traceCap = max<i32>(1, <i32>cfg(abi.CFG_TRACE_CAPACITY));
  alertMem = heap.alloc(<usize>alertCap * abi.ALERT_STRIDE);
  traceMem = heap.alloc(<usize>traceCap * abi.TRACE_STRIDE);
  memory.fill(alertMem, 0, <usize>alertCap * abi.ALERT_STRIDE);
  memory.fill(traceMem, 0, <usize>traceCap * abi.TRACE_STRIDE);
  alertN = 0;
  traceN = 0;
}

/** True when one more alert and one more trace point fit. */
@inline export function outputHasRoom(): bool {
  return alertN < alertCap && traceN < traceCap;
}

/** Address of a zeroed alert record to fill (the caller checked outputHasRoom() for this packet). */
@inline export function alertAppend(): usize {
  const p = alertMem + <usize>alertN * abi.ALERT_STRIDE;
  alertN++;
  memory.fill(p, 0, abi.ALERT_STRIDE);
  return p;
}

/** Address of the next trace record to fill (every field is written by the caller). */
@inline export function traceAppend(): usize {
  const p = traceMem + <usize>traceN * abi.TRACE_STRIDE;
  traceN++;
  return p;
}

export function outputAlertBase(): usize { return alertMem; }
export function outputAlertCount(): i32 { return alertN; }
export function outputTraceBase(): usize { return traceMem; }
export function outputTraceCount(): i32 { return traceN; }

/** Empties both regions (the worker copied them out). */
export function outputClear(): void {
  alertN = 0;
  traceN = 0;
}
