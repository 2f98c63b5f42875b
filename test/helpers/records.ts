// Packs synthetic packet rows into the core's REC_STRIDE-byte records (abi.REC_*), for tests that
// feed the core through its FORMAT_RECORDS input.
import * as abi from '../../src/shared/abi';

/** One synthetic packet; omitted fields default to 0, TCP (6) and 60 bytes. */
export interface PacketRow {
  ts: number; // µs
  src: Uint8Array;
  dst: Uint8Array;
  sport?: number;
  dport?: number;
  proto?: number;
  flags?: number;
  /** Channel protocol label; defaults to proto. */
  label?: number;
  size?: number;
  vlan?: number;
}

/** Packs rows into REC_STRIDE-byte records; REC_INDEX is the row index. */
export function packRows(rows: PacketRow[]): Uint8Array {
  const out = new Uint8Array(rows.length * abi.REC_STRIDE);
  const v = new DataView(out.buffer);
  rows.forEach((r, i) => {
    const o = i * abi.REC_STRIDE;
    v.setBigInt64(o + abi.REC_TS_US, BigInt(r.ts), true);
    out.set(r.src, o + abi.REC_SRC);
    out.set(r.dst, o + abi.REC_DST);
    v.setUint16(o + abi.REC_SPORT, r.sport ?? 0, true);
    v.setUint16(o + abi.REC_DPORT, r.dport ?? 0, true);
    v.setUint8(o + abi.REC_PROTO, r.proto ?? 6);
    v.setUint8(o + abi.REC_TCP_FLAGS, r.flags ?? 0);
    v.setUint16(o + abi.REC_PROTO_LABEL, r.label ?? r.proto ?? 6, true);
    v.setUint32(o + abi.REC_WIRE_LEN, r.size ?? 60, true);
    v.setUint32(o + abi.REC_INDEX, i, true);
    v.setUint32(o + abi.REC_VLAN, r.vlan ?? 0, true);
  });
  return out;
}
