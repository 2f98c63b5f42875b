// Per-packet analysis after decoding: packet-time bookkeeping, the flow table and the detectors,
// and the alert/trace output regions they write. The reader calls analyzeHasRoom() before each
// record and analyzePacket() once per decoded packet. Never allocates per packet; allocation
// happens only in analyzeReset() (and in table growth, bounded by the memory caps).
import * as abi from "./abi";
import { cInc, cSet } from "./counters";
import { pktTsUs } from "./packet";
import { flowReset, flowPacket, flowSweep, flowFlush, flowSlotsPtr, flowSlots } from "./table/flow-table";
import { zscoreReset, zscorePacket } from "./detect/zscore";
import { flowWindowReset, flowWindowCatchUp } from "./detect/flow-window";
import { flowRulesReset, flowRulesPacket } from "./detect/flow-rules";
import { portscanReset, portscanPacket, portscanSweep, portscanFlush } from "./detect/portscan";
import { synfloodReset, synfloodPacket, synfloodSweep, synfloodFlush } from "./detect/synflood";
import { tcpFlowReset, tcpFlowPacket } from "./detect/tcp-flow";
import { latencyReset, latencyFlush, latencyExport, latencyImport } from "./detect/latency";
import { longconnReset, longconnPacket, longconnSweep, longconnExport, longconnImport } from "./detect/longconn";
import { metricsReset, metricsPacket, metricsCatchUp, metricsSweep, metricsFlush, metricsExport, metricsImport } from "./detect/metrics";
import { timelineReset, timelinePacket } from "./detect/timeline";
import { importCount, importAt, importCounted, exportBegin, exportCount, baselineIoReset } from "./detect/baseline-io";
import {
  outputReset, outputHasRoom, outputClear, outputAlertBase, outputAlertCount, outputTraceBase,
  outputTraceCount, outputMarkBase, outputMarkCount, outputWindowBase, outputWindowCount, markCommit,
  outputConnBase, outputConnCount, TRACE_KEY,
} from "./detect/output";

let seenAny = false;
let oldestUs: i64 = 0;
let newestUs: i64 = 0;

/** (Re)allocates the flow table, the channel table and the output regions from config and clears
 *  them. The trace key (traceKeyBase()) is kept: the engine writes it before reset(). */
export function analyzeReset(): void {
  seenAny = false;
  oldestUs = 0;
  newestUs = 0;
  flushed = false;
  outputReset();
  flowReset();
  flowWindowReset();
  flowRulesReset();
  zscoreReset();
  portscanReset();
  synfloodReset();
  latencyReset();
  tcpFlowReset();
  longconnReset();
  metricsReset();
  timelineReset();
  baselinesLoad();
}

/** Loads the learned baselines the host wrote (baselineReserve) into the detectors' fresh tables;
 *  counts what could not be placed (detect/baseline-io.ts). */
function baselinesLoad(): void {
  baselineIoReset();
  const n = importCount();
  for (let i = 0; i < n; i++) {
    const r = importAt(i);
    const kind = <i32>load<u8>(r + abi.BLREC_KIND);
    let ok = false;
    if (kind == abi.BLREC_LATENCY_SERVER) ok = latencyImport(r);
    else if (kind == abi.BLREC_LONGCONN_SERVICE) ok = longconnImport(r);
    else ok = metricsImport(r);
    importCounted(ok);
  }
}

/** Writes every learned baseline as abi BLREC_* records (after analyzeFlush(): windows folded,
 *  episodes closed); returns their number (detect/baseline-io.ts exportPtr()). */
export function analyzeBaselineExport(): i32 {
  exportBegin();
  metricsExport();
  latencyExport();
  longconnExport();
  return exportCount();
}

let flushed = false;

/** Called once per decoded packet with the globals of packet.ts filled in. Updates C_TS_FIRST_US,
 *  C_TS_LAST_US, C_TS_OUT_OF_ORDER, the traffic timeline, the flow table and the detectors. */
export function analyzePacket(): void {
  timelinePacket();
  const ts = pktTsUs;
  if (!seenAny) {
    seenAny = true;
    oldestUs = ts;
    newestUs = ts;
    cSet(abi.C_TS_FIRST_US, <f64>ts);
    cSet(abi.C_TS_LAST_US, <f64>ts);
  } else if (ts > newestUs) {
    newestUs = ts;
    cSet(abi.C_TS_LAST_US, <f64>ts);
  } else {
    if (ts < newestUs) cInc(abi.C_TS_OUT_OF_ORDER);
    if (ts < oldestUs) {
      oldestUs = ts;
      cSet(abi.C_TS_FIRST_US, <f64>ts);
    }
  }
  // Order: the flow table (sets curFlow/curIsOrig/curFresh and updates the flow's windows), the
  // per-flow rules, the per-flow TCP state (RETRANS, latency samples) and LONGCONN, the keyed
  // rules, the z-score; then the marks of this packet; then the sweeps (the flow sweep last: it
  // may move flow slots).
  // per-flow rules, the keyed rules, the metric windows (SPIKE, PROTOSHIFT), the z-score; then the
  // marks of this packet; then the sweeps (which may move flow slots).
  flowPacket(newestUs);
  flowRulesPacket();
  tcpFlowPacket();
  longconnPacket();
  portscanPacket();
  synfloodPacket();
  metricsPacket();
  zscorePacket();
  markCommit();
  portscanSweep();
  synfloodSweep();
  longconnSweep();
  metricsSweep();
  flowSweep(newestUs);
}

/** End of input (or of a stopped analysis): emits every open flow window and closes every open
 *  episode. Resumable: false when the output regions ran out of room (drain and call again). */
export function analyzeFlush(): bool {
  if (flushed) return true;
  if (!flowWindowCatchUp()) return false;
  if (!flowFlush()) return false;
  if (!portscanFlush()) return false;
  if (!synfloodFlush()) return false;
  if (!latencyFlush()) return false;
  if (!metricsFlush()) return false;
  flushed = true;
  return true;
}

/** True when the output regions can take one more packet's output (detect/output.ts). */
export function analyzeHasRoom(): bool {
  // Window-boundary work left over from the last packet runs first, while there is room.
  if (!flowWindowCatchUp()) return false;
  if (!metricsCatchUp()) return false;
  return outputHasRoom();
}
export function markBase(): usize { return outputMarkBase(); }
export function markCount(): i32 { return outputMarkCount(); }
export function windowBase(): usize { return outputWindowBase(); }
export function windowCount(): i32 { return outputWindowCount(); }
/** Address of the connection-record region: connCount() records of abi.CONN_STRIDE bytes. */
export function connBase(): usize { return outputConnBase(); }
export function connCount(): i32 { return outputConnCount(); }
/** Address of the alert region: alertCount() records of abi.ALERT_STRIDE bytes. */
export function alertBase(): usize { return outputAlertBase(); }
export function alertCount(): i32 { return outputAlertCount(); }
/** Address of the trace region: traceCount() records of abi.TRACE_STRIDE bytes. */
export function traceBase(): usize { return outputTraceBase(); }
export function traceCount(): i32 { return outputTraceCount(); }
/** Address of the 36-byte trace key (src 16, dst 16, u32 label); static, survives reset(). */
export function traceKeyBase(): usize { return TRACE_KEY; }
/** Empties the alert and trace regions after the worker copied them out. */
export function clearOutput(): void { outputClear(); }
/** The flow table's slots (abi.FLOW_* layout) and their number, for export and tests. */
export function flowSlotsBase(): usize { return flowSlotsPtr(); }
export function flowSlotCount(): i32 { return flowSlots(); }
