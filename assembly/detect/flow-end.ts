// The flow table's two notifications to the detectors that keep per-flow state inside the flow
// slot: every packet of a flow (after the table updated its counts) and the end of a flow (idle
// expiry, eviction at the memory cap, or end of input). One dispatcher, so flow-table.ts does not
// import every detector. Both run before flowSweep(), while the slot pointer is valid.
import { flowWindowPacket, flowWindowEnd } from "./flow-window";
import { flowRulesEnd } from "./flow-rules";
import { tcpFlowEnd } from "./tcp-flow";
import { longconnEnd } from "./longconn";
import { connEnd } from "./conn";

/** Packet `s` of the flow in slot `s` was just counted; `isOrig`: sent by the originator;
 *  `fresh`: it created the flow; `newestUs`: the newest packet time seen so far. */
@inline export function onFlowPacket(s: usize, isOrig: bool, fresh: bool, newestUs: i64): void {
  flowWindowPacket(s, isOrig, fresh, newestUs);
}

/** The flow in slot `s` (or a copy of an evicted slot) ends for reason `why` (abi.FWIN_END_*):
 *  its open windows are emitted, its rule episodes closed (flow rules, RETRANS, LONGCONN: at most
 *  3 + 2 + 2 alerts) and its connection record written. At FWIN_END_INPUT the slot stays. */
export function onFlowEnd(s: usize, why: i32): void {
  flowWindowEnd(s, why);
  flowRulesEnd(s, why);
  tcpFlowEnd(s, why);
  longconnEnd(s, why);
  connEnd(s, why);
}
