// Connection records (abi.CONN_*, CFG_CONN_RECORDS_ENABLED): one per flow end (idle expiry,
// eviction at the memory cap, end of input; table/flow-table.ts through detect/flow-end.ts), like a
// row of Zeek's conn.log, for the per-source baselines (src/ml/) and the conn.log export. Built
// from the flow slot (abi.FLOW_*) and its TCP state (detect/tcp-flow.ts). Never allocates.
//
// conn_state: Zeek's conn_state() (base/protocols/conn/main.zeek) computed from endpoint states,
// which are approximated here from the OR of the TCP flags each end sent (the slot keeps no order
// of events):
//   RESET    the end sent RST;
//   CLOSED   it sent FIN (and no RST);
//   INACTIVE it sent nothing;
//   SYN_SENT it sent SYN without ACK and the handshake did not complete (orig: the other end never
//            sent SYN+ACK, or this end never sent an ACK);
//   SYN_ACK_SENT it sent SYN+ACK and the other end never completed the handshake;
//   ESTABLISHED  the handshake completed (orig sent SYN, resp SYN+ACK, orig an ACK) or, for the end
//            that sent no SYN at all, it sent packets after the other end's SYN (rare);
//   PARTIAL  it sent packets but no SYN, and the flow shows no handshake (mid-stream).
// then, as Zeek: resp RESET: REJ when orig is SYN_SENT or SYN_ACK_SENT (or RESET with no payload
// either way), RSTRH when orig is INACTIVE or PARTIAL, else RSTR; orig RESET: with resp INACTIVE or
// PARTIAL, RSTOS0 when orig sent SYN and resp sent no SYN+ACK (Zeek: history "S...R" with nothing
// else from either side in between), else OTH; otherwise RSTO; both CLOSED: SF; orig CLOSED: SH when
// resp is INACTIVE or PARTIAL, else S2; resp CLOSED: SHR when orig is INACTIVE or PARTIAL, else S3;
// orig SYN_SENT and resp INACTIVE: S0; both ESTABLISHED: S1; anything else OTH. UDP: SF when both
// ends sent, S0 when only orig (orig always sent the first packet); other protocols OTH.
// Approximations: flag order is lost (a FIN after a RST, a SYN after data), and roles are the flow
// table's (orig = the sender of the first captured packet; Zeek flips the roles when the first
// packet is a SYN+ACK, we do not: such a flow's orig is the server, and its state reads as Zeek's
// would for the swapped roles only in the symmetric cases).
import * as abi from "../abi";
import { SLOT_LAST } from "../table/open-table";
import { connAppend, connRecordsOn } from "./output";
import { T_PAY, T_DATA, T_RETX, T_FIRST_REC, flowRttUs } from "./tcp-flow";

const INACTIVE: u32 = 0;
const SYN_SENT: u32 = 1;
const SYN_ACK_SENT: u32 = 2;
const PARTIAL: u32 = 3;
const ESTABLISHED: u32 = 4;
const CLOSED: u32 = 5;
const RESET: u32 = 6;

/** Endpoint state from the flags it sent (`mine`), whether it sent anything, and whether the
 *  handshake completed (header). */
@inline function endState(mine: u32, sent: bool, handshake: bool): u32 {
  if (mine & 4) return RESET;
  if (mine & 1) return CLOSED;
  if (!sent) return INACTIVE;
  if (handshake) return ESTABLISHED;
  if ((mine & 0x12) == 0x12) return SYN_ACK_SENT;
  if (mine & 0x02) return SYN_SENT;
  return PARTIAL;
}

/** Zeek's conn_state of the flow in slot `s` (abi.CONN_STATE_*; header). */
export function connState(s: usize): i32 {
  const proto = load<u32>(s + abi.FLOW_PROTO) & 0xff;
  const po = load<u32>(s + abi.FLOW_PKTS_ORIG);
  const pr = load<u32>(s + abi.FLOW_PKTS_RESP);
  if (proto == 17) return pr > 0 ? (po > 0 ? abi.CONN_STATE_SF : abi.CONN_STATE_SHR) : (po > 0 ? abi.CONN_STATE_S0 : abi.CONN_STATE_OTH);
  if (proto != 6) return abi.CONN_STATE_OTH;
  const fo = <u32>load<u8>(s + abi.FLOW_FLAGS_ORIG);
  const fr = <u32>load<u8>(s + abi.FLOW_FLAGS_RESP);
  const handshake = (fo & 0x02) != 0 && (fr & 0x12) == 0x12 && (fo & 0x10) != 0;
  const os = endState(fo, po > 0, handshake);
  const rs = endState(fr, pr > 0, handshake);
  const oInactive = os == INACTIVE || os == PARTIAL;
  const rInactive = rs == INACTIVE || rs == PARTIAL;
  if (rs == RESET) {
    const noPayload = load<u32>(s + T_PAY) == 0 && load<u32>(s + T_PAY + 4) == 0;
    if (os == SYN_SENT || os == SYN_ACK_SENT || (os == RESET && noPayload)) return abi.CONN_STATE_REJ;
    return oInactive ? abi.CONN_STATE_RSTRH : abi.CONN_STATE_RSTR;
  }
  if (os == RESET) {
    if (rInactive) return (fo & 0x02) != 0 && (fr & 0x12) != 0x12 ? abi.CONN_STATE_RSTOS0 : abi.CONN_STATE_OTH;
    return abi.CONN_STATE_RSTO;
  }
  if (rs == CLOSED && os == CLOSED) return abi.CONN_STATE_SF;
  if (os == CLOSED) return rInactive ? abi.CONN_STATE_SH : abi.CONN_STATE_S2;
  if (rs == CLOSED) return oInactive ? abi.CONN_STATE_SHR : abi.CONN_STATE_S3;
  if (os == SYN_SENT && rs == INACTIVE) return abi.CONN_STATE_S0;
  if (os == ESTABLISHED && rs == ESTABLISHED) return abi.CONN_STATE_S1;
  return abi.CONN_STATE_OTH;
}

/** Writes the connection record of the flow in slot `s` (a copy when evicted) ending for `why`
 *  (abi.FWIN_END_*), when records are on. The caller checked the room (output.ts CONN_HEADROOM). */
export function connEnd(s: usize, why: i32): void {
  if (!connRecordsOn()) return;
  const c = connAppend();
  const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
  store<i64>(c + abi.CONN_FIRST_US, load<i64>(s + abi.FLOW_FIRST_US));
  store<i64>(c + abi.CONN_LAST_US, load<i64>(s + SLOT_LAST));
  v128.store(c + abi.CONN_ORIG, v128.load(s + (origIsLo ? abi.FLOW_LO_ADDR : abi.FLOW_HI_ADDR)));
  v128.store(c + abi.CONN_RESP, v128.load(s + (origIsLo ? abi.FLOW_HI_ADDR : abi.FLOW_LO_ADDR)));
  store<u16>(c + abi.CONN_ORIG_PORT, load<u16>(s + (origIsLo ? abi.FLOW_LO_PORT : abi.FLOW_HI_PORT)));
  store<u16>(c + abi.CONN_RESP_PORT, load<u16>(s + (origIsLo ? abi.FLOW_HI_PORT : abi.FLOW_LO_PORT)));
  store<u8>(c + abi.CONN_PROTO, <u8>load<u32>(s + abi.FLOW_PROTO));
  store<u8>(c + abi.CONN_STATE, <u8>connState(s));
  store<u8>(c + abi.CONN_END, <u8>why);
  store<u8>(c + abi.CONN_FLAGS_ORIG, load<u8>(s + abi.FLOW_FLAGS_ORIG));
  store<u8>(c + abi.CONN_FLAGS_RESP, load<u8>(s + abi.FLOW_FLAGS_RESP));
  store<u32>(c + abi.CONN_VLAN, load<u32>(s + abi.FLOW_VLAN));
  store<u32>(c + abi.CONN_PKTS_ORIG, load<u32>(s + abi.FLOW_PKTS_ORIG));
  store<u32>(c + abi.CONN_PKTS_RESP, load<u32>(s + abi.FLOW_PKTS_RESP));
  store<f64>(c + abi.CONN_BYTES_ORIG, <f64>load<u64>(s + abi.FLOW_BYTES_ORIG));
  store<f64>(c + abi.CONN_BYTES_RESP, <f64>load<u64>(s + abi.FLOW_BYTES_RESP));
  store<f64>(c + abi.CONN_PAYLOAD_ORIG, <f64>load<u32>(s + T_PAY));
  store<f64>(c + abi.CONN_PAYLOAD_RESP, <f64>load<u32>(s + T_PAY + 4));
  store<u32>(c + abi.CONN_FIRST_RECORD, load<u32>(s + T_FIRST_REC));
  store<u32>(c + abi.CONN_DATA_SEGMENTS, load<u32>(s + T_DATA));
  store<u32>(c + abi.CONN_RETRANSMISSIONS, load<u32>(s + T_RETX));
  const rtt = flowRttUs(s);
  store<u32>(c + abi.CONN_RTT_US, rtt < 0 ? 0xffffffff : <u32>rtt);
}
