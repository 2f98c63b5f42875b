// Copies what the core writes into its output regions into growable typed-array columns, once per
// drain: alert records (ALERT_*: single-packet alerts, and rule episodes written as NEW then
// UPDATE, merged here into one row per episode), flow windows (FWIN_*: judged by the core's flow-rule
// VM; each rule bit in FWIN_RULES becomes a FLOWRULE alert), packet marks (MARK_*, kept raw when asked) and trace points (TRACE_*).
// Every alert goes through the rate limiter (./limiter.ts) and names its subject through a
// channel (src, dst, protocol). Bounded: at most `maxAlerts` alerts and `maxTracePoints` points are
// kept; the rest are counted. Runs in the worker and in Node; no DOM.
import * as abi from '../shared/abi';
import { DETECTOR_NAMES, FEATURE_COUNT } from '../shared/protocol';
import type { AlertColumns, ChannelInfo, ChannelSeries, DetectorCounts } from '../shared/protocol';
import type { NameTable } from '../io/names';
import { detachRow } from '../io/rows';
import { windowFeatures, type FlowRuleSet } from '../rules/flow-rules';
import { DetectorLimits } from './limiter';

import { Column, INIT, f64, u16, u32, u8, type Typed } from './columns';

interface ChannelEntry {
  key: Uint8Array;
  index: number;
  alerts: number;
}

/** An alert raised by the host after the core finished (PROFILE, src/worker/profile.ts): every
 *  column's value; `key` is the channel key (src 16 bytes, dst 16 bytes, u32 protocol label). */
export interface HostAlert {
  detector: number;
  variant: number;
  severity: number;
  key: Uint8Array;
  tsUs: number;
  lastUs: number;
  score: number;
  value: number;
  threshold: number;
  windowS: number;
  evidence: number;
  peakRate: number;
  aux: number;
  size: number;
  mean: number;
  std: number;
  samples: number;
  recordIndex: number;
  sport: number;
  dport: number;
}

/** The output sink's view of one drain (src/worker/engine.ts OutputSink). */
export interface CoreOutput {
  alerts: DataView;
  alertCount: number;
  trace: DataView;
  traceCount: number;
  marks?: DataView;
  markCount?: number;
  windows?: DataView;
  windowCount?: number;
}

export interface CollectorOptions {
  /** Alerts kept; later ones are counted in `dropped` (and still rate-limited and counted). */
  maxAlerts: number;
  /** Trace points kept; `traceFull` is set when reached. */
  maxTracePoints: number;
  /** The compiled enabled flow rules (names and severities of the FWIN_RULES bits: the program the
   *  core ran); null or empty: flow windows are only counted. */
  flowRules?: FlowRuleSet | null;
  /** Flow-window length, seconds: the windowS column of FLOWRULE alerts. */
  flowWindowS?: number;
  /** Rate limits per detector; default: none. */
  limits?: DetectorLimits;
  /** Keep the raw mark records (64 B per flagged packet). */
  collectMarks?: boolean;
}

const DETECTORS = DETECTOR_NAMES.length;

/**
 * Alert columns (protocol.ts AlertColumns), filled in the order alerts are raised:
 * - a single-packet alert (ALERT_EPISODE 0, e.g. ZSCORE) appends a row;
 * - ALERT_KIND_NEW appends a row and remembers episode → row; ALERT_KIND_UPDATE overwrites that
 *   row's lastUs, value, evidence (ALERT_COUNT), peakRate, aux, severity, score, and the baseline
 *   numbers of the decision (threshold, mean, std, samples) and the variant (LONGCONN: MEAN or
 *   IDLE by the final bytes). An UPDATE of an
 *   episode whose NEW was dropped (maxAlerts) is ignored; one whose NEW never came is appended;
 * - each flow window comes judged by the core (FWIN_RULES, bit i = enabled rule i matches; the
 *   core writes only matching windows unless CFG_FLOWWIN_EMIT_ALL); each set bit, in rule order,
 *   appends a FLOWRULE row:
 *   tsUs/lastUs = the flow's first/last packet in the window, subject = orig → resp, orig port →
 *   resp port, protocol label; rule = the rule's index in FlowRuleSet.names; severity = the rule's;
 *   score = 1; value and threshold NaN (a rule has no single number); windowS = the flow-window
 *   length; evidence = the window's packets; peakRate NaN; aux = late packets folded into the window
 *   (FWIN_LATE); features = the 7 values (FEATURE_NAMES order); recordIndex = the flow's first
 *   record in the window; recordOffset -1; size, mean, std NaN; samples 0; episode 0.
 * Every raised alert (kept or dropped) is judged by the rate limiter at the moment it is raised.
 */
export class AlertCollector {
  /** Alerts raised (kept + dropped). */
  total = 0;
  dropped = 0;
  /** Flow-window records received (the core writes only matching ones unless
   *  CFG_FLOWWIN_EMIT_ALL; C_FLOW_WINDOWS counts every judged one), and those that matched at
   *  least one rule. */
  windows = 0;
  matchedWindows = 0;
  traceFull = false;

  private readonly raised = new Float64Array(DETECTORS);
  private readonly suppressedBy = new Float64Array(DETECTORS);

  private readonly maxAlerts: number;
  private readonly maxTracePoints: number;
  private readonly flowRules: FlowRuleSet | null;
  private readonly flowWindowS: number;
  private readonly limits: DetectorLimits;
  private readonly collectMarks: boolean;

  private ts = f64();
  private last = f64();
  private detector = u8();
  private variant = u8();
  private severity = u8();
  private score = f64();
  private value = f64();
  private threshold = f64();
  private windowS = f64();
  private evidence = f64();
  private peakRate = f64();
  private aux = f64();
  private size = f64();
  private mean = f64();
  private std = f64();
  private samples = u32();
  private recIndex = u32();
  private offset = f64();
  private sport = u16();
  private dport = u16();
  private channelIdx = u32();
  private episode = u32();
  private suppressed = u8();
  private rule = new Column(new Int16Array(INIT));
  private features = new Column(new Float64Array(INIT * FEATURE_COUNT));

  /** Row of each kept episode, and the highest episode id seen in a NEW record. */
  private episodeRow = new Map<number, number>();
  private maxEpisode = 0;

  private channels = new Map<string, ChannelEntry>();
  private channelList: ChannelEntry[] = [];
  private rowsMode = false;
  private rowFields: Record<string, unknown>[] = [];
  private batchRows: Map<number, Record<string, unknown>> = new Map();

  private marks = new Uint8Array(0);
  private markBytes = 0;

  private readonly feat = new Float64Array(FEATURE_COUNT);
  private readonly key = new Uint8Array(abi.TRACE_KEY_BYTES);
  private readonly keyView = new DataView(this.key.buffer);

  // trace
  private tTs = f64();
  private tSize = f64();
  private tMean = f64();
  private tStd = f64();
  private tZ = f64();
  private tFlags = u32();
  private tRec = u32();

  constructor(o: CollectorOptions) {
    this.maxAlerts = o.maxAlerts;
    this.maxTracePoints = o.maxTracePoints;
    this.flowRules = o.flowRules && o.flowRules.size > 0 ? o.flowRules : null;
    this.flowWindowS = o.flowWindowS ?? 0;
    this.limits = o.limits ?? new DetectorLimits();
    this.collectMarks = !!o.collectMarks;
  }

  /** Rows kept in the columns. */
  get kept(): number {
    return this.ts.n;
  }

  /** The rows behind the packed records being fed now (CSV/JSON/lines), so alerts can carry them. */
  setRows(rows: Record<string, unknown>[], records: Uint8Array, count: number): void {
    this.rowsMode = true;
    this.batchRows.clear();
    const v = new DataView(records.buffer, records.byteOffset, records.byteLength);
    for (let i = 0; i < count; i++) this.batchRows.set(v.getUint32(i * abi.REC_STRIDE + abi.REC_INDEX, true), rows[i]);
  }

  /** Engine sink: copies the output regions (valid only during this call). */
  take(out: CoreOutput): void {
    const v = out.alerts;
    for (let i = 0; i < out.alertCount; i++) this.alert(v, i * abi.ALERT_STRIDE);
    if (out.windows && out.windowCount) {
      const w = out.windows;
      for (let i = 0; i < out.windowCount; i++) this.flowWindow(w, i * abi.FWIN_STRIDE);
    }
    if (this.collectMarks && out.marks && out.markCount) this.appendMarks(out.marks, out.markCount);
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
      this.tRec.push(t.getUint32(o + abi.TRACE_RECORD_INDEX, true));
    }
  }

  /** Counts a raised alert, judges it, and says whether it gets a row and whether it is suppressed. */
  private raise(det: number, tsUs: number): { keep: boolean; suppressed: boolean } {
    this.total++;
    const d = det < DETECTORS ? det : 0;
    this.raised[d]++;
    const suppressed = !this.limits.admit(det, tsUs);
    if (suppressed) this.suppressedBy[d]++;
    if (this.ts.n >= this.maxAlerts) {
      this.dropped++;
      return { keep: false, suppressed };
    }
    return { keep: true, suppressed };
  }

  private channelOf(key: Uint8Array): number {
    const k = keyString(key);
    let ch = this.channels.get(k);
    if (!ch) {
      ch = { key: key.slice(), index: this.channelList.length, alerts: 0 };
      this.channels.set(k, ch);
      this.channelList.push(ch);
    }
    ch.alerts++;
    return ch.index;
  }

  private pushRow(recordIndex: number): void {
    // detachRow: a kept row must not pin the whole decoded chunk its strings came from.
    if (this.rowsMode) this.rowFields.push(detachRow(this.batchRows.get(recordIndex) ?? {}));
  }

  private alert(v: DataView, o: number): void {
    const episode = v.getUint32(o + abi.ALERT_EPISODE, true);
    const kind = v.getUint8(o + abi.ALERT_KIND);
    if (episode !== 0 && kind === abi.ALERT_KIND_UPDATE) {
      const row = this.episodeRow.get(episode);
      if (row !== undefined) {
        this.last.a[row] = Number(v.getBigInt64(o + abi.ALERT_LAST_US, true));
        this.value.a[row] = v.getFloat64(o + abi.ALERT_VALUE, true);
        this.evidence.a[row] = v.getFloat64(o + abi.ALERT_COUNT, true);
        this.peakRate.a[row] = v.getFloat64(o + abi.ALERT_PEAK_RATE, true);
        this.aux.a[row] = v.getFloat64(o + abi.ALERT_AUX, true);
        this.severity.a[row] = v.getUint8(o + abi.ALERT_SEVERITY);
        this.score.a[row] = v.getFloat64(o + abi.ALERT_SCORE, true);
        // The baseline detectors (SPIKE, PROTOSHIFT) decide again when the severity rises: the
        // threshold reached and the baseline at that decision.
        this.threshold.a[row] = v.getFloat64(o + abi.ALERT_THRESHOLD, true);
        this.mean.a[row] = v.getFloat64(o + abi.ALERT_MEAN, true);
        this.std.a[row] = v.getFloat64(o + abi.ALERT_STD, true);
        this.samples.a[row] = v.getUint32(o + abi.ALERT_SAMPLES, true);
        this.variant.a[row] = v.getUint8(o + abi.ALERT_VARIANT);
        return;
      }
      if (episode <= this.maxEpisode) return; // its NEW was dropped (maxAlerts)
      // An UPDATE without its NEW: take it as the whole episode.
    }
    if (episode > this.maxEpisode) this.maxEpisode = episode;
    const det = v.getUint8(o + abi.ALERT_DETECTOR);
    const tsUs = Number(v.getBigInt64(o + abi.ALERT_TS_US, true));
    const { keep, suppressed } = this.raise(det, tsUs);
    if (!keep) return;
    if (episode !== 0) this.episodeRow.set(episode, this.ts.n);
    this.key.set(new Uint8Array(v.buffer, v.byteOffset + o + abi.ALERT_SRC, 32));
    this.keyView.setUint32(32, v.getUint16(o + abi.ALERT_PROTO_LABEL, true), true);
    this.channelIdx.push(this.channelOf(this.key));
    this.ts.push(tsUs);
    this.last.push(Number(v.getBigInt64(o + abi.ALERT_LAST_US, true)));
    this.detector.push(det);
    this.variant.push(v.getUint8(o + abi.ALERT_VARIANT));
    this.severity.push(v.getUint8(o + abi.ALERT_SEVERITY));
    this.score.push(v.getFloat64(o + abi.ALERT_SCORE, true));
    this.value.push(v.getFloat64(o + abi.ALERT_VALUE, true));
    this.threshold.push(v.getFloat64(o + abi.ALERT_THRESHOLD, true));
    this.windowS.push(v.getFloat64(o + abi.ALERT_WINDOW_S, true));
    this.evidence.push(v.getFloat64(o + abi.ALERT_COUNT, true));
    this.peakRate.push(v.getFloat64(o + abi.ALERT_PEAK_RATE, true));
    this.aux.push(v.getFloat64(o + abi.ALERT_AUX, true));
    this.size.push(v.getUint32(o + abi.ALERT_SIZE, true));
    this.mean.push(v.getFloat64(o + abi.ALERT_MEAN, true));
    this.std.push(v.getFloat64(o + abi.ALERT_STD, true));
    this.samples.push(v.getUint32(o + abi.ALERT_SAMPLES, true));
    const rec = v.getUint32(o + abi.ALERT_RECORD_INDEX, true);
    this.recIndex.push(rec);
    this.offset.push(v.getFloat64(o + abi.ALERT_RECORD_OFFSET, true));
    this.sport.push(v.getUint16(o + abi.ALERT_SPORT, true));
    this.dport.push(v.getUint16(o + abi.ALERT_DPORT, true));
    this.episode.push(episode);
    this.suppressed.push(suppressed ? 1 : 0);
    this.rule.push(-1);
    for (let k = 0; k < FEATURE_COUNT; k++) this.features.push(NaN);
    this.pushRow(rec);
  }

  private flowWindow(v: DataView, o: number): void {
    this.windows++;
    const rules = this.flowRules;
    if (!rules) return;
    const mask = v.getUint32(o + abi.FWIN_RULES, true);
    if (mask === 0) return;
    const f = windowFeatures(v, o, this.feat);
    let matched = false;
    for (let r = 0; r < rules.size; r++) {
      if (((mask >>> r) & 1) === 0) continue;
      matched = true;
      const firstUs = Number(v.getBigInt64(o + abi.FWIN_FIRST_US, true));
      const { keep, suppressed } = this.raise(abi.DET_FLOWRULE, firstUs);
      if (!keep) continue;
      this.key.set(new Uint8Array(v.buffer, v.byteOffset + o + abi.FWIN_ORIG, 32));
      this.keyView.setUint32(32, v.getUint16(o + abi.FWIN_PROTO_LABEL, true), true);
      this.channelIdx.push(this.channelOf(this.key));
      this.ts.push(firstUs);
      this.last.push(Number(v.getBigInt64(o + abi.FWIN_LAST_US, true)));
      this.detector.push(abi.DET_FLOWRULE);
      this.variant.push(0);
      this.severity.push(rules.severity(r));
      this.score.push(1);
      this.value.push(NaN);
      this.threshold.push(NaN);
      this.windowS.push(this.flowWindowS);
      this.evidence.push(f[0]);
      this.peakRate.push(NaN);
      this.aux.push(v.getUint32(o + abi.FWIN_LATE, true));
      this.size.push(NaN);
      this.mean.push(NaN);
      this.std.push(NaN);
      this.samples.push(0);
      const rec = v.getUint32(o + abi.FWIN_FIRST_RECORD, true);
      this.recIndex.push(rec);
      this.offset.push(-1);
      this.sport.push(v.getUint16(o + abi.FWIN_ORIG_PORT, true));
      this.dport.push(v.getUint16(o + abi.FWIN_RESP_PORT, true));
      this.episode.push(0);
      this.suppressed.push(suppressed ? 1 : 0);
      this.rule.push(r);
      for (let k = 0; k < FEATURE_COUNT; k++) this.features.push(f[k]);
      this.pushRow(rec);
    }
    if (matched) this.matchedWindows++;
  }

  private appendMarks(v: DataView, count: number): void {
    const n = count * abi.MARK_STRIDE;
    if (this.markBytes + n > this.marks.length) {
      const next = new Uint8Array(Math.max(this.markBytes + n, this.marks.length * 2, 64 * abi.MARK_STRIDE));
      next.set(this.marks.subarray(0, this.markBytes));
      this.marks = next;
    }
    this.marks.set(new Uint8Array(v.buffer, v.byteOffset, n), this.markBytes);
    this.markBytes += n;
  }

  /**
   * Appends a host-raised alert (after the core's, in the order called: callers pass them in time
   * order) through the same rate limiter and maxAlerts bound. Returns its row, or -1 when it was
   * counted but not kept (maxAlerts).
   */
  addHostAlert(a: HostAlert): number {
    const { keep, suppressed } = this.raise(a.detector, a.tsUs);
    if (!keep) return -1;
    const row = this.ts.n;
    this.channelIdx.push(this.channelOf(a.key));
    this.ts.push(a.tsUs);
    this.last.push(a.lastUs);
    this.detector.push(a.detector);
    this.variant.push(a.variant);
    this.severity.push(a.severity);
    this.score.push(a.score);
    this.value.push(a.value);
    this.threshold.push(a.threshold);
    this.windowS.push(a.windowS);
    this.evidence.push(a.evidence);
    this.peakRate.push(a.peakRate);
    this.aux.push(a.aux);
    this.size.push(a.size);
    this.mean.push(a.mean);
    this.std.push(a.std);
    this.samples.push(a.samples);
    this.recIndex.push(a.recordIndex);
    this.offset.push(-1);
    this.sport.push(a.sport);
    this.dport.push(a.dport);
    this.episode.push(0);
    this.suppressed.push(suppressed ? 1 : 0);
    this.rule.push(-1);
    for (let k = 0; k < FEATURE_COUNT; k++) this.features.push(NaN);
    if (this.rowsMode) this.rowFields.push({});
    return row;
  }

  /**
   * Removes the kept alerts of `detectors` whose first time is before `endUs` (a warm-up: the
   * baselines were still being learnt) and takes them out of the raised and suppressed counts.
   * Call after the core finished (no episode update can follow). Returns the count removed per
   * detector name. Alerts beyond maxAlerts were never kept and stay counted.
   */
  dropBefore(detectors: readonly number[], endUs: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const d of detectors) out[DETECTOR_NAMES[d]] = 0;
    const n = this.ts.n;
    let w = 0;
    const cols = [
      this.ts, this.last, this.detector, this.variant, this.severity, this.score, this.value, this.threshold, this.windowS,
      this.evidence, this.peakRate, this.aux, this.size, this.mean, this.std, this.samples, this.recIndex, this.offset,
      this.sport, this.dport, this.channelIdx, this.episode, this.suppressed, this.rule,
    ] as Column<Typed>[];
    for (let r = 0; r < n; r++) {
      const det = this.detector.a[r];
      if (detectors.includes(det) && this.ts.a[r] < endUs) {
        out[DETECTOR_NAMES[det]]++;
        this.raised[det]--;
        this.total--;
        if (this.suppressed.a[r]) this.suppressedBy[det]--;
        this.channelList[this.channelIdx.a[r]].alerts--;
        continue;
      }
      if (w !== r) {
        for (const c of cols) c.a[w] = c.a[r];
        this.features.a.copyWithin(w * FEATURE_COUNT, r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT);
        if (this.rowsMode) this.rowFields[w] = this.rowFields[r];
      }
      w++;
    }
    for (const c of cols) c.n = w;
    this.features.n = w * FEATURE_COUNT;
    if (this.rowsMode) this.rowFields.length = w;
    this.episodeRow.clear();
    return out;
  }

  /** Alerts raised and suppressed per detector name (DETECTOR_NAMES without ''); evidencePackets
   *  is filled in by the caller from the core's counters. */
  detectorCounts(): Record<string, DetectorCounts> {
    const out: Record<string, DetectorCounts> = {};
    for (let d = 1; d < DETECTORS; d++) {
      out[DETECTOR_NAMES[d]] = { alerts: this.raised[d], suppressed: this.suppressedBy[d], evidencePackets: 0 };
    }
    return out;
  }

  /** Sum of the evidence column (ALERT_COUNT) over the kept rows of detector `det`. */
  evidenceSum(det: number): number {
    let sum = 0;
    for (let i = 0; i < this.detector.n; i++) if (this.detector.a[i] === det) sum += this.evidence.a[i];
    return sum;
  }

  /** The raw mark records collected (collectMarks), MARK_STRIDE bytes each, in input order. */
  takeMarks(): Uint8Array {
    return this.marks.slice(0, this.markBytes);
  }

  /** The columns, the channel list (with display strings) and the buffers to transfer. */
  finish(names: NameTable): {
    alerts: AlertColumns;
    channels: ChannelInfo[];
    rowFields: Record<string, unknown>[];
    transfer: ArrayBuffer[];
  } {
    const alerts = this.columns();
    const channels: ChannelInfo[] = this.channelList.map((c) => this.channelInfo(names, c));
    const transfer: ArrayBuffer[] = [];
    for (const col of Object.values(alerts)) if (ArrayBuffer.isView(col)) transfer.push(col.buffer as ArrayBuffer);
    return { alerts, channels, rowFields: this.rowFields, transfer };
  }

  /** #5 timeline: a copy of the columns, channels and row fields so far, for a partial result
   *  (the collector goes on). Channels listed in `prev` (an earlier snapshot's list, same
   *  analysis) keep their display strings; only their alert counts are refreshed, so a snapshot
   *  formats only the channels that are new since. */
  snapshot(names: NameTable, prev: readonly ChannelInfo[] = []): {
    alerts: AlertColumns;
    channels: ChannelInfo[];
    rowFields: Record<string, unknown>[];
  } {
    const channels = this.channelList.map((c, i) =>
      i < prev.length ? { ...prev[i], alerts: c.alerts } : this.channelInfo(names, c),
    );
    return { alerts: this.columns(), channels, rowFields: this.rowFields.slice() };
  }

  private channelInfo(names: NameTable, c: ChannelEntry): ChannelInfo {
    return {
      src: formatSubject(names, c.key.subarray(0, 16)),
      dst: formatSubject(names, c.key.subarray(16, 32)),
      proto: names.formatProto(new DataView(c.key.buffer).getUint32(32, true)),
      key: c.key,
      alerts: c.alerts,
    };
  }

  /** Right-sized copies of every alert column. */
  private columns(): AlertColumns {
    return {
      count: this.ts.n,
      tsUs: this.ts.done(),
      lastUs: this.last.done(),
      detector: this.detector.done(),
      variant: this.variant.done(),
      severity: this.severity.done(),
      score: this.score.done(),
      value: this.value.done(),
      threshold: this.threshold.done(),
      windowS: this.windowS.done(),
      evidence: this.evidence.done(),
      peakRate: this.peakRate.done(),
      aux: this.aux.done(),
      size: this.size.done(),
      mean: this.mean.done(),
      std: this.std.done(),
      samples: this.samples.done(),
      recordIndex: this.recIndex.done(),
      recordOffset: this.offset.done(),
      sport: this.sport.done(),
      dport: this.dport.done(),
      channel: this.channelIdx.done(),
      episode: this.episode.done(),
      suppressed: this.suppressed.done(),
      rule: this.rule.done(),
      features: this.features.done(),
    };
  }

  /** The traced channel's points (CFG_TRACE_DETECTOR 0), or a detector trace's points with
   *  TRACE_SIZE in `size` and TRACE_MEAN (the threshold) in `mean`. */
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
      flags: this.tFlags.done(),
      recordIndex: this.tRec.done(),
      truncated: this.traceFull,
    };
  }
}

/** An alert subject's address as text; the all-zero address (no single peer, e.g. a SYNFLOOD
 *  spread episode's destination) is ''. */
function formatSubject(names: NameTable, bytes16: Uint8Array): string {
  for (let i = 0; i < 16; i++) if (bytes16[i] !== 0) return names.formatAddress(bytes16);
  return '';
}

function keyString(key: Uint8Array): string {
  const w = new Uint32Array(key.buffer, key.byteOffset, 9);
  return `${w[0]},${w[1]},${w[2]},${w[3]},${w[4]},${w[5]},${w[6]},${w[7]},${w[8]}`;
}
