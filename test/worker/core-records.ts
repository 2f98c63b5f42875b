// Test helper: writes the core's output records (alert ALERT_*, flow window FWIN_*, mark MARK_*)
// at the ABI offsets, so the collector and the flow rules can be tested without a core that emits
// them. Omitted fields are 0.
import * as abi from '../../src/shared/abi';
import { FEATURE_COUNT } from '../../src/shared/protocol';
import { windowFeatures, type FlowRuleSet } from '../../src/rules/flow-rules';

/** 16-byte IPv4-mapped address of "a.b.c.d". */
export function v4(text: string): Uint8Array {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(text.split('.').map(Number), 12);
  return out;
}

export interface AlertSpec {
  tsUs: number;
  lastUs?: number;
  src?: Uint8Array;
  dst?: Uint8Array;
  sport?: number;
  dport?: number;
  label?: number;
  detector: number;
  severity?: number;
  size?: number;
  recordIndex?: number;
  score?: number;
  mean?: number;
  std?: number;
  samples?: number;
  recordOffset?: number;
  value?: number;
  threshold?: number;
  windowS?: number;
  count?: number;
  peakRate?: number;
  episode?: number;
  kind?: number;
  variant?: number;
  aux?: number;
}

export function alertRecords(specs: AlertSpec[]): DataView {
  const b = new Uint8Array(specs.length * abi.ALERT_STRIDE);
  const v = new DataView(b.buffer);
  specs.forEach((s, i) => {
    const o = i * abi.ALERT_STRIDE;
    v.setBigInt64(o + abi.ALERT_TS_US, BigInt(s.tsUs), true);
    v.setBigInt64(o + abi.ALERT_LAST_US, BigInt(s.lastUs ?? s.tsUs), true);
    if (s.src) b.set(s.src, o + abi.ALERT_SRC);
    if (s.dst) b.set(s.dst, o + abi.ALERT_DST);
    v.setUint16(o + abi.ALERT_SPORT, s.sport ?? 0, true);
    v.setUint16(o + abi.ALERT_DPORT, s.dport ?? 0, true);
    v.setUint16(o + abi.ALERT_PROTO_LABEL, s.label ?? 6, true);
    v.setUint8(o + abi.ALERT_DETECTOR, s.detector);
    v.setUint8(o + abi.ALERT_SEVERITY, s.severity ?? abi.SEV_MEDIUM);
    v.setUint32(o + abi.ALERT_SIZE, s.size ?? 0, true);
    v.setUint32(o + abi.ALERT_RECORD_INDEX, s.recordIndex ?? 0, true);
    v.setFloat64(o + abi.ALERT_SCORE, s.score ?? 0, true);
    v.setFloat64(o + abi.ALERT_MEAN, s.mean ?? 0, true);
    v.setFloat64(o + abi.ALERT_STD, s.std ?? 0, true);
    v.setUint32(o + abi.ALERT_SAMPLES, s.samples ?? 0, true);
    v.setFloat64(o + abi.ALERT_RECORD_OFFSET, s.recordOffset ?? -1, true);
    v.setFloat64(o + abi.ALERT_VALUE, s.value ?? 0, true);
    v.setFloat64(o + abi.ALERT_THRESHOLD, s.threshold ?? 0, true);
    v.setFloat64(o + abi.ALERT_WINDOW_S, s.windowS ?? 0, true);
    v.setFloat64(o + abi.ALERT_COUNT, s.count ?? 1, true);
    v.setFloat64(o + abi.ALERT_PEAK_RATE, s.peakRate ?? 0, true);
    v.setUint32(o + abi.ALERT_EPISODE, s.episode ?? 0, true);
    v.setUint8(o + abi.ALERT_KIND, s.kind ?? abi.ALERT_KIND_NEW);
    v.setUint8(o + abi.ALERT_VARIANT, s.variant ?? 0);
    v.setFloat64(o + abi.ALERT_AUX, s.aux ?? 0, true);
  });
  return v;
}

export interface WindowSpec {
  startUs?: number;
  firstUs: number;
  lastUs: number;
  orig?: Uint8Array;
  resp?: Uint8Array;
  origPort?: number;
  respPort?: number;
  proto?: number;
  label?: number;
  end?: number;
  packets: number;
  syn?: number;
  bytes: number;
  dstPorts?: number;
  firstRecord?: number;
  late?: number;
}

/** Flow-window records; with `rules`, FWIN_RULES holds the mask the core would write (each rule
 *  judged by expr-eval, the VM's reference, on windowFeatures()), else 0. */
export function windowRecords(specs: WindowSpec[], rules?: FlowRuleSet): DataView {
  const b = new Uint8Array(specs.length * abi.FWIN_STRIDE);
  const v = new DataView(b.buffer);
  specs.forEach((s, i) => {
    const o = i * abi.FWIN_STRIDE;
    v.setBigInt64(o + abi.FWIN_START_US, BigInt(s.startUs ?? Math.floor(s.firstUs / 60e6) * 60e6), true);
    v.setBigInt64(o + abi.FWIN_FIRST_US, BigInt(s.firstUs), true);
    v.setBigInt64(o + abi.FWIN_LAST_US, BigInt(s.lastUs), true);
    if (s.orig) b.set(s.orig, o + abi.FWIN_ORIG);
    if (s.resp) b.set(s.resp, o + abi.FWIN_RESP);
    v.setUint16(o + abi.FWIN_ORIG_PORT, s.origPort ?? 0, true);
    v.setUint16(o + abi.FWIN_RESP_PORT, s.respPort ?? 0, true);
    v.setUint8(o + abi.FWIN_PROTO, s.proto ?? 6);
    v.setUint8(o + abi.FWIN_END, s.end ?? abi.FWIN_END_CLOSED);
    v.setUint16(o + abi.FWIN_PROTO_LABEL, s.label ?? s.proto ?? 6, true);
    v.setUint32(o + abi.FWIN_PACKETS, s.packets, true);
    v.setUint32(o + abi.FWIN_SYN, s.syn ?? 0, true);
    v.setFloat64(o + abi.FWIN_BYTES, s.bytes, true);
    v.setUint32(o + abi.FWIN_DST_PORTS, s.dstPorts ?? 1, true);
    v.setUint32(o + abi.FWIN_FIRST_RECORD, s.firstRecord ?? 0, true);
    v.setUint32(o + abi.FWIN_LATE, s.late ?? 0, true);
    if (rules) {
      const f = windowFeatures(v, o, new Float64Array(FEATURE_COUNT));
      let mask = 0;
      for (let r = 0; r < rules.size; r++) if (rules.matches(r, f)) mask |= 1 << r;
      v.setUint32(o + abi.FWIN_RULES, mask >>> 0, true);
    }
  });
  return v;
}

/** `n` mark records whose MARK_RECORD_INDEX is first..first+n-1 and MARK_REASONS `reasons`. */
export function markRecords(first: number, n: number, reasons: number): DataView {
  const v = new DataView(new ArrayBuffer(n * abi.MARK_STRIDE));
  for (let i = 0; i < n; i++) {
    v.setBigInt64(i * abi.MARK_STRIDE + abi.MARK_TS_US, BigInt(1e12 + i), true);
    v.setUint32(i * abi.MARK_STRIDE + abi.MARK_RECORD_INDEX, first + i, true);
    v.setUint32(i * abi.MARK_STRIDE + abi.MARK_REASONS, reasons, true);
  }
  return v;
}

/** An engine-sink call with only the given regions non-empty. */
export function output(o: { alerts?: DataView; windows?: DataView; marks?: DataView }) {
  const empty = new DataView(new ArrayBuffer(0));
  return {
    alerts: o.alerts ?? empty,
    alertCount: (o.alerts?.byteLength ?? 0) / abi.ALERT_STRIDE,
    trace: empty,
    traceCount: 0,
    marks: o.marks ?? empty,
    markCount: (o.marks?.byteLength ?? 0) / abi.MARK_STRIDE,
    windows: o.windows ?? empty,
    windowCount: (o.windows?.byteLength ?? 0) / abi.FWIN_STRIDE,
  };
}
