// The per-record accounting shared by the pcap and pcapng walkers: decode one captured frame,
// count exactly one outcome (decoded or one C_SKIP_*) and hand decoded packets to analyze.ts.
import * as abi from "../abi";
import { cInc, cAdd } from "../counters";
import { analyzePacket } from "../analyze";
import { decodeFrame } from "./link";

/** Decodes the frame (packet globals already cleared and timed) and accounts for it:
 *  C_RECORDS_READ + 1 and exactly one of C_PACKETS_DECODED (plus `wire` to C_BYTES_DECODED and
 *  analyzePacket()) or a C_SKIP_* counter. */
@inline export function emitFrame(lt: u32, data: usize, cap: u32, wire: u32): void {
  const r = decodeFrame(lt, data, cap);
  cInc(abi.C_RECORDS_READ);
  cInc(r);
  if (r == abi.C_PACKETS_DECODED) {
    cAdd(abi.C_BYTES_DECODED, <f64>wire);
    analyzePacket();
  }
}
