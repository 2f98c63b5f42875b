// Copies alert records and channel trace points out of the core's output regions into growable
// typed-array columns, groups alerts by channel, and keeps the original CSV/JSON row of each
// alert. Bounded: at most `maxAlerts` alerts and `maxTracePoints` points are kept; the rest is
// counted. Runs in the worker and in Node; no DOM.
import * as abi from '../shared/abi';
import type { AlertColumns, ChannelInfo, ChannelSeries } from '../shared/protocol';
import type { NameTable } from '../io/names';
import { detachRow } from '../io/rows';

/** A typed-array column that doubles when full. */
class Column<T extends Float64Array | Uint32Array> {
  n = 0;
  constructor(public a: T) {}
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new (this.a.constructor as new (n: number) => T)(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  /** A right-sized copy of the values pushed so far. */
  done(): T {
    return this.a.slice(0, this.n) as T;
  }
}

const f64 = () => new Column(new Float64Array(1024));
const u32 = () => new Column(new Uint32Array(1024));

interface ChannelEntry {
  key: Uint8Array;
  index: number;
  alerts: number;
}

export class AlertCollector {
  /** Alerts the core raised (kept + dropped). */
  total = 0;
  dropped = 0;
  private ts = f64();
  private size = f64();
  private z = f64();
  private mean = f64();
  private std = f64();
  private offset = f64();
  private samples = u32();
  private recIndex = u32();
  private channelIdx = u32();
  /** severity | detector << 8 | sport << 16 packed, and dport separately. */
  private sevDet = u32();
  private ports = u32();
  private channels = new Map<string, ChannelEntry>();
  private channelList: ChannelEntry[] = [];
  private rowFields: Record<string, unknown>[] = [];
  private batchRows: Map<number, Record<string, unknown>> = new Map();
  // trace
  private tTs = f64();
  private tSize = f64();
  private tMean = f64();
  private tStd = f64();
  private tZ = f64();
  private tFlags = u32();
  traceFull = false;

  constructor(
    private readonly maxAlerts: number,
    private readonly maxTracePoints: number,
  ) {}

  /** The rows behind the packed records being fed now (CSV/JSON), so alerts can carry them. */
  setRows(rows: Record<string, unknown>[], records: Uint8Array, count: number): void {
    this.batchRows.clear();
    const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
    for (let i = 0; i < count; i++) this.batchRows.set(v.getUint32(i * abi.REC_STRIDE + abi.REC_INDEX, true), rows[i]);
  }

  /** Engine sink: copies the output regions (valid only during this call). */
  take(out: { alerts: DataView; alertCount: number; trace: DataView; traceCount: number }): void {
    const v = out.alerts;
    for (let i = 0; i < out.alertCount; i++) {
      this.total++;
      if (this.total > this.maxAlerts) {
        this.dropped++;
        continue;
      }
      const o = i * abi.ALERT_STRIDE;
      const key = new Uint8Array(abi.TRACE_KEY_BYTES);
      key.set(new Uint8Array(v.buffer, v.byteOffset + o + abi.ALERT_SRC, 32));
      new DataView(key.buffer).setUint32(32, v.getUint16(o + abi.ALERT_PROTO_LABEL, true), true);
      const k = keyString(key);
      let ch = this.channels.get(k);
      if (!ch) {
        ch = { key, index: this.channelList.length, alerts: 0 };
        this.channels.set(k, ch);
        this.channelList.push(ch);
      }
      ch.alerts++;
      this.channelIdx.push(ch.index);
      this.ts.push(Number(v.getBigInt64(o + abi.ALERT_TS_US, true)));
      this.size.push(v.getUint32(o + abi.ALERT_SIZE, true));
      this.z.push(v.getFloat64(o + abi.ALERT_SCORE, true));
      this.mean.push(v.getFloat64(o + abi.ALERT_MEAN, true));
      this.std.push(v.getFloat64(o + abi.ALERT_STD, true));
      this.offset.push(v.getFloat64(o + abi.ALERT_RECORD_OFFSET, true));
      this.samples.push(v.getUint32(o + abi.ALERT_SAMPLES, true));
      const rec = v.getUint32(o + abi.ALERT_RECORD_INDEX, true);
      this.recIndex.push(rec);
      this.sevDet.push(v.getUint8(o + abi.ALERT_SEVERITY) | (v.getUint8(o + abi.ALERT_DETECTOR) << 8));
      this.ports.push(v.getUint16(o + abi.ALERT_SPORT, true) | (v.getUint16(o + abi.ALERT_DPORT, true) << 16));
      // detachRow: a kept row must not pin the whole decoded chunk its strings came from.
      if (this.batchRows.size > 0) this.rowFields.push(detachRow(this.batchRows.get(rec) ?? {}));
    }
    const t = out.trace;
    for (let i = 0; i < out.traceCount; i++) {
      if (this.tTs.n >= this.maxTracePoints) {
        this.traceFull = true;
        break;
      }
      const o = i * abi.TRACE_STRIDE;
      this.tTs.push(Number(t.getBigInt64(o + abi.TRACE_TS_US, true)));
      this.tSize.push(t.getFloat64(o + abi.TRACE_SIZE, true));
      this.tMean.push(t.getFloat64(o + abi.TRACE_MEAN, true));
      this.tStd.push(t.getFloat64(o + abi.TRACE_STD, true));
      this.tZ.push(t.getFloat64(o + abi.TRACE_Z, true));
      this.tFlags.push(t.getUint32(o + abi.TRACE_FLAGS, true));
    }
  }

  /** The columns, the channel list (with display strings) and the buffers to transfer. */
  finish(names: NameTable): {
    alerts: AlertColumns;
    channels: ChannelInfo[];
    rowFields: Record<string, unknown>[];
    transfer: ArrayBuffer[];
  } {
    const n = this.ts.n;
    const sev = new Uint8Array(n);
    const det = new Uint8Array(n);
    const sport = new Uint16Array(n);
    const dport = new Uint16Array(n);
    for (let i = 0; i < n; i++) {
      sev[i] = this.sevDet.a[i] & 0xff;
      det[i] = this.sevDet.a[i] >>> 8;
      sport[i] = this.ports.a[i] & 0xffff;
      dport[i] = this.ports.a[i] >>> 16;
    }
    const alerts: AlertColumns = {
      count: n,
      tsUs: this.ts.done(),
      size: this.size.done(),
      z: this.z.done(),
      mean: this.mean.done(),
      std: this.std.done(),
      samples: this.samples.done(),
      severity: sev,
      detector: det,
      recordIndex: this.recIndex.done(),
      recordOffset: this.offset.done(),
      sport,
      dport,
      channel: this.channelIdx.done(),
    };
    const channels: ChannelInfo[] = this.channelList.map((c) => ({
      src: names.formatAddress(c.key.subarray(0, 16)),
      dst: names.formatAddress(c.key.subarray(16, 32)),
      proto: names.formatProto(new DataView(c.key.buffer).getUint32(32, true)),
      key: c.key,
      alerts: c.alerts,
    }));
    const transfer = [
      alerts.tsUs, alerts.size, alerts.z, alerts.mean, alerts.std, alerts.samples, alerts.severity,
      alerts.detector, alerts.recordIndex, alerts.recordOffset, alerts.sport, alerts.dport, alerts.channel,
    ].map((a) => a.buffer as ArrayBuffer);
    return { alerts, channels, rowFields: this.rowFields, transfer };
  }

  /** The traced channel's points. */
  series(): ChannelSeries {
    const n = this.tTs.n;
    const flagged = new Uint8Array(n);
    for (let i = 0; i < n; i++) flagged[i] = (this.tFlags.a[i] >>> 1) & 1;
    return {
      tsUs: this.tTs.done(),
      size: this.tSize.done(),
      mean: this.tMean.done(),
      std: this.tStd.done(),
      z: this.tZ.done(),
      flagged,
      truncated: this.traceFull,
    };
  }
}

function keyString(key: Uint8Array): string {
  const w = new Uint32Array(key.buffer, key.byteOffset, 9);
  return `${w[0]},${w[1]},${w[2]},${w[3]},${w[4]},${w[5]},${w[6]},${w[7]},${w[8]}`;
}
