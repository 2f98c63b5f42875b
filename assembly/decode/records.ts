// Walker of the packed-record stream (abi.FORMAT_RECORDS): fixed REC_STRIDE-byte little-endian
// rows that src/io builds from CSV/JSON. Fills the packet globals straight from each row; never
// interprets names (they arrive as interned ids / NODE_PREFIX addresses).
import * as abi from "../abi";
import { cInc, cAdd } from "../counters";
import { clearPkt, setPktTime, setPktL3, setPktL4, setPktVlan, setPktProtoLabel, PKT_SRC, PKT_DST } from "../packet";
import { analyzeHasRoom, analyzePacket } from "../analyze";
import { rBuf, rLen, rPos, rBase, setPos } from "./state";

/** True when the 16 bytes at `a` are an IPv4-mapped address (::ffff:a.b.c.d). */
@inline function isMapped(a: usize): bool {
  return load<u64>(a) == 0 && load<u32>(a, 8) == 0xffff0000;
}

/**
 * Walks every complete record from rPos. Returns STATUS_OUTPUT_FULL (rPos left at the record that
 * did not fit) or STATUS_NEED_INPUT (rPos at the first incomplete record).
 */
export function walkRecords(): i32 {
  const stride = <usize>abi.REC_STRIDE;
  let pos = rPos;
  const end = rLen;
  while (pos + stride <= end) {
    if (!analyzeHasRoom()) { setPos(pos); return abi.STATUS_OUTPUT_FULL; }
    const r = rBuf + pos;
    clearPkt();
    const wire = load<u32>(r, abi.REC_WIRE_LEN);
    setPktTime(load<i64>(r, abi.REC_TS_US), wire, wire, load<u32>(r, abi.REC_INDEX), rBase + <f64>pos);
    memory.copy(PKT_SRC, r + abi.REC_SRC, 16);
    memory.copy(PKT_DST, r + abi.REC_DST, 16);
    const v6 = !(isMapped(PKT_SRC) && isMapped(PKT_DST));
    setPktL3(<u32>load<u8>(r, abi.REC_PROTO), v6, false, 0);
    setPktProtoLabel(<u32>load<u16>(r, abi.REC_PROTO_LABEL));
    setPktL4(<u32>load<u16>(r, abi.REC_SPORT), <u32>load<u16>(r, abi.REC_DPORT),
      <u32>load<u8>(r, abi.REC_TCP_FLAGS), 0, 0);
    setPktVlan(load<u32>(r, abi.REC_VLAN));
    cInc(abi.C_RECORDS_READ);
    cInc(abi.C_PACKETS_DECODED);
    cAdd(abi.C_BYTES_DECODED, <f64>wire);
    analyzePacket();
    pos += stride;
  }
  setPos(pos);
  return abi.STATUS_NEED_INPUT;
}
