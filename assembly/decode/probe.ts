// Test-only entry point (never part of build/core.wasm): the full export surface of index.ts plus
// read access to the packet globals of packet.ts, so decode tests can check the fields the
// decoders set for the last packet of a stream. Built by test/assembly/decode-helpers.ts.
export * from "../index";
import * as P from "../packet";

/** Packet field `i` of the last decoded record as f64: 0 tsUs, 1 wireLen, 2 capLen, 3 recordIndex,
 *  4 recordOffset, 5 proto, 6 protoLabel, 7 sport, 8 dport, 9 tcpFlags, 10 seq, 11 ack,
 *  12 payloadLen, 13 vlan, 14 isV6, 15 isFragment. */
export function probeField(i: i32): f64 {
  switch (i) {
    case 0: return <f64>P.pktTsUs;
    case 1: return <f64>P.pktWireLen;
    case 2: return <f64>P.pktCapLen;
    case 3: return <f64>P.pktRecordIndex;
    case 4: return P.pktRecordOffset;
    case 5: return <f64>P.pktProto;
    case 6: return <f64>P.pktProtoLabel;
    case 7: return <f64>P.pktSport;
    case 8: return <f64>P.pktDport;
    case 9: return <f64>P.pktTcpFlags;
    case 10: return <f64>P.pktTcpSeq;
    case 11: return <f64>P.pktTcpAck;
    case 12: return <f64>P.pktPayloadLen;
    case 13: return <f64>P.pktVlan;
    case 14: return P.pktIsV6 ? 1 : 0;
    case 15: return P.pktIsFragment ? 1 : 0;
  }
  return -1;
}
/** Address of the 32-byte source/destination buffer (PKT_ADDR). */
export function probeAddr(): usize { return P.PKT_ADDR; }
