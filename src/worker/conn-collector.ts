// Copies the core's connection records (abi.CONN_*: one per flow end, assembly/detect/conn.ts)
// into growable typed-array columns (protocol.ts ConnColumns), once per drain, for the per-source
// baselines (src/ml/: toConnections() gives their Connection shape) and the conn.log export
// (src/io/conn-log.ts). Addresses are interned: each distinct 16-byte address is formatted once,
// at finish(), with the analysis's NameTable (CSV node names resolve only then). Bounded: at most
// `max` records are kept; later ones are counted in `dropped`. Runs in the worker and in Node.
import * as abi from '../shared/abi';
import type { ConnColumns } from '../shared/protocol';
import type { NameTable } from '../io/names';
import type { Connection } from '../ml/connection';
import { f64, u16, u32, u8 } from './columns';

export class ConnCollector {
  /** Records received (kept + dropped) and those beyond `max`. */
  total = 0;
  dropped = 0;
  private readonly max: number;
  private firstUs = f64();
  private lastUs = f64();
  private orig = u32();
  private resp = u32();
  private origPort = u16();
  private respPort = u16();
  private proto = u8();
  private state = u8();
  private end = u8();
  private flagsOrig = u8();
  private flagsResp = u8();
  private vlan = u32();
  private pktsOrig = f64();
  private pktsResp = f64();
  private bytesOrig = f64();
  private bytesResp = f64();
  private payloadOrig = f64();
  private payloadResp = f64();
  private firstRecord = u32();
  private data = u32();
  private retx = u32();
  private rtt = f64();
  private addrIndex = new Map<string, number>();
  private addrs: Uint8Array[] = [];

  /** `max`: records kept (protocol.ts ConnRecordOptions.max). */
  constructor(max: number) {
    this.max = max;
  }

  /** Records kept. */
  get kept(): number {
    return this.firstUs.n;
  }

  private intern(v: DataView, o: number): number {
    const k = `${v.getUint32(o, true)},${v.getUint32(o + 4, true)},${v.getUint32(o + 8, true)},${v.getUint32(o + 12, true)}`;
    let i = this.addrIndex.get(k);
    if (i === undefined) {
      i = this.addrs.length;
      this.addrIndex.set(k, i);
      this.addrs.push(new Uint8Array(v.buffer, v.byteOffset + o, 16).slice());
    }
    return i;
  }

  /** The 16-byte address behind ConnColumns.names[i] (orig/resp values index both). */
  address(i: number): Uint8Array {
    return this.addrs[i];
  }

  /** Engine sink part: copies `count` records of the region `v` (valid only during the call). */
  take(v: DataView, count: number): void {
    for (let i = 0; i < count; i++) {
      this.total++;
      if (this.firstUs.n >= this.max) {
        this.dropped++;
        continue;
      }
      const o = i * abi.CONN_STRIDE;
      this.firstUs.push(Number(v.getBigInt64(o + abi.CONN_FIRST_US, true)));
      this.lastUs.push(Number(v.getBigInt64(o + abi.CONN_LAST_US, true)));
      this.orig.push(this.intern(v, o + abi.CONN_ORIG));
      this.resp.push(this.intern(v, o + abi.CONN_RESP));
      this.origPort.push(v.getUint16(o + abi.CONN_ORIG_PORT, true));
      this.respPort.push(v.getUint16(o + abi.CONN_RESP_PORT, true));
      this.proto.push(v.getUint8(o + abi.CONN_PROTO));
      this.state.push(v.getUint8(o + abi.CONN_STATE));
      this.end.push(v.getUint8(o + abi.CONN_END));
      this.flagsOrig.push(v.getUint8(o + abi.CONN_FLAGS_ORIG));
      this.flagsResp.push(v.getUint8(o + abi.CONN_FLAGS_RESP));
      this.vlan.push(v.getUint32(o + abi.CONN_VLAN, true));
      this.pktsOrig.push(v.getUint32(o + abi.CONN_PKTS_ORIG, true));
      this.pktsResp.push(v.getUint32(o + abi.CONN_PKTS_RESP, true));
      this.bytesOrig.push(v.getFloat64(o + abi.CONN_BYTES_ORIG, true));
      this.bytesResp.push(v.getFloat64(o + abi.CONN_BYTES_RESP, true));
      this.payloadOrig.push(v.getFloat64(o + abi.CONN_PAYLOAD_ORIG, true));
      this.payloadResp.push(v.getFloat64(o + abi.CONN_PAYLOAD_RESP, true));
      this.firstRecord.push(v.getUint32(o + abi.CONN_FIRST_RECORD, true));
      this.data.push(v.getUint32(o + abi.CONN_DATA_SEGMENTS, true));
      this.retx.push(v.getUint32(o + abi.CONN_RETRANSMISSIONS, true));
      const rtt = v.getUint32(o + abi.CONN_RTT_US, true);
      this.rtt.push(rtt === 0xffffffff ? NaN : rtt);
    }
  }

  /** The columns, with every address formatted by `names`, and the buffers to transfer. */
  finish(names: NameTable): { conns: ConnColumns; transfer: ArrayBuffer[] } {
    const conns: ConnColumns = {
      count: this.firstUs.n,
      firstUs: this.firstUs.done(),
      lastUs: this.lastUs.done(),
      orig: this.orig.done(),
      resp: this.resp.done(),
      names: this.addrs.map((a) => names.formatAddress(a)),
      origPort: this.origPort.done(),
      respPort: this.respPort.done(),
      proto: this.proto.done(),
      state: this.state.done(),
      end: this.end.done(),
      flagsOrig: this.flagsOrig.done(),
      flagsResp: this.flagsResp.done(),
      vlan: this.vlan.done(),
      pktsOrig: this.pktsOrig.done(),
      pktsResp: this.pktsResp.done(),
      bytesOrig: this.bytesOrig.done(),
      bytesResp: this.bytesResp.done(),
      payloadOrig: this.payloadOrig.done(),
      payloadResp: this.payloadResp.done(),
      firstRecord: this.firstRecord.done(),
      dataSegments: this.data.done(),
      retransmissions: this.retx.done(),
      rttUs: this.rtt.done(),
    };
    const transfer: ArrayBuffer[] = [];
    for (const col of Object.values(conns)) if (ArrayBuffer.isView(col)) transfer.push(col.buffer as ArrayBuffer);
    return { conns, transfer };
  }
}

/** The records of `c` as src/ml Connections (wire bytes, as that module defines them), in column
 *  order: index i is record i (PROFILE maps scored connections back to their records). */
export function connectionsOf(c: ConnColumns): Connection[] {
  const out = new Array<Connection>(c.count);
  for (let i = 0; i < c.count; i++) {
    out[i] = {
      tsUs: c.firstUs[i],
      durationS: (c.lastUs[i] - c.firstUs[i]) / 1e6,
      orig: c.names[c.orig[i]],
      resp: c.names[c.resp[i]],
      origPort: c.origPort[i],
      respPort: c.respPort[i],
      proto: c.proto[i],
      origBytes: c.bytesOrig[i],
      respBytes: c.bytesResp[i],
      origPkts: c.pktsOrig[i],
      respPkts: c.pktsResp[i],
    };
  }
  return out;
}

/** The records of `c` as src/ml Connections (connectionsOf), ordered by first packet time (stable). */
export function toConnections(c: ConnColumns): Connection[] {
  return connectionsOf(c).sort((a, b) => a.tsUs - b.tsUs);
}
