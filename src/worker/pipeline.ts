// One analysis, from a Blob to an AnalysisResult: validate the options, sniff the content, stream
// it in chunks (through DecompressionStream for gzip) into the core, or turn CSV/JSON/packet-line
// rows into packed records first; load the rule inputs (blacklist ranges, normal services, the
// flow rules compiled to a rule-VM program: the core judges the flow windows); collect alerts as
// columns, raise the flow-rule alerts of the matching windows, rate-limit; build the summary from
// the core's counters. Learned baselines: an applied baseline file (hooks.baseline / baselineJson,
// src/ml/baseline-file.ts) seeds the core's window baselines before the first packet and, after
// the core finished, PROFILE scores the connections against its model (src/worker/profile.ts; also
// with options.profile.warmup and no file); with hooks.learn the run ends by building a baseline
// file from this capture (result.learnedBaseline). Shared by the worker (src/worker/worker.ts) and the CLI (src/cli/main.ts): no
// DOM, no Node APIs here.
import * as abi from '../shared/abi';
import { DETECTOR_NAMES, PARTIAL_INTERVAL_MS } from '../shared/protocol';
import type {
  AnalysisError,
  AnalysisOptions,
  AnalysisResult,
  ChannelInfo,
  ChannelSeries,
  InputFormat,
  Progress,
  Summary,
} from '../shared/protocol';
import type { Engine, RuleInputs } from './engine';
import { AlertCollector } from './alert-collector';
import { ConnCollector, connectionsOf } from './conn-collector';
import { DetectorLimits } from './limiter';
import { NameTable } from '../io/names';
import { readRows, type RowFormat } from '../io/rows';
import { sniffFormat } from '../io/sniff';
import { parseServices } from '../shared/services';
import { blacklistRanges } from '../rules/blacklist';
import { FlowRuleSet } from '../rules/flow-rules';
import { validateOptions } from '../rules/options';
import { baselineFileFromJson, baselineFileToJson, describeBaseline, utf8Bytes, type BaselineFile } from '../ml/baseline-file';
import { BaselineFormatError } from '../ml/json-check';
import { learn } from '../ml/baseline-model';
import { coreBaselinesToJson } from './core-baselines';
import { modelOptions, runProfile } from './profile';

/**
 * Reads file bytes straight into a target view (WASM memory), where the platform allows it: the
 * CLI passes one over fs.readSync; browsers cannot (WASM memory cannot back a BYOB read).
 */
export interface DirectReader {
  /** Reads up to target.length bytes at `position` into `target`; returns the count (0 at the end). */
  readInto(target: Uint8Array, position: number): number;
}

/** See PipelineHooks.partialGate. */
export interface PartialGate {
  wanted: boolean;
}

/** Cancellation flag, checked between chunks. */
export interface CancelToken {
  cancelled: boolean;
}

export interface PipelineHooks {
  /** Called at most every `progressIntervalMs` (default 100 ms, i.e. ~10 times a second). */
  onProgress?: (p: Progress) => void;
  progressIntervalMs?: number;
  /** #5 timeline: least time between two partial results attached to a progress report
   *  (Progress.partial), ms; default PARTIAL_INTERVAL_MS. Only with onProgress. */
  partialIntervalMs?: number;
  /** Partial results on request (pull): when given, a partial is attached only while
   *  `wanted` is true, which it then resets. The page sets it (FlowlensWorkerApi.wantPartial)
   *  once it has drawn the last snapshot, so snapshots it could not draw are never built, sent
   *  and deserialised on its main thread. partialIntervalMs still applies. */
  partialGate?: PartialGate;
  cancel?: CancelToken;
  /** Trace one channel (36-byte key) instead of collecting alerts: see channelSeries(). */
  traceKey?: Uint8Array;
  /** What traceKey names (CFG_TRACE_DETECTOR): 0 a z-score channel (default), abi.DET_PORTSCAN a
   *  (scanner, target) pair, abi.DET_SYNFLOOD a victim, abi.DET_LATENCY a server (dst = its
   *  address, the u32 label field = its port: one point per latency sample with the baseline;
   *  assembly/detect/latency.ts), abi.DET_SPIKE a destination (all-zero: all traffic)
   *  (abi.ts TRACE_KEY_BYTES). */
  traceDetector?: number;
  /** Keep the core's packet marks (CFG_MARKS_ENABLED) in result.marks: one 64-byte record per
   *  packet that any rule flagged (64 MB for a million flagged packets). */
  collectMarks?: boolean;
  traceMaxPoints?: number;
  /** Stop after this many stream bytes (a channel series of a cancelled analysis stops where it did). */
  maxStreamBytes?: number;
  /** Zero-copy reads of the plain (not gzip) capture file into the core's input region. */
  direct?: DirectReader;
  /** A platform gunzip of the whole file, used instead of DecompressionStream (Node's zlib
   *  streams are several times faster than its web-stream DecompressionStream). */
  gunzip?: () => AsyncIterator<Uint8Array>;
  /** A baseline to detect against (parsed with baselineFileFromJson for these options): its core
   *  records are seeded (RuleInputs.baselines) and, unless tracing, PROFILE scores the connections
   *  against its model. */
  baseline?: BaselineFile;
  /** The same as `baseline`, as the file's JSON text: parsed here after the options are checked
   *  when `baseline` is not given (a bad file gives ok = false, code 'bad-baseline', before the
   *  engine is touched); with both, `baseline` is used and the text gives result.baseline's size. */
  baselineJson?: string;
  /** Build a baseline file from this capture after the run: result.learnedBaseline (JSON text). */
  learn?: boolean;
}

/** Maps the options onto core config ids (abi.CFG_*); defaults and their sources are in
 *  assembly/config.ts. Flow windows are computed only when flowFeatures.enabled and at least one
 *  flow rule is enabled (nothing else reads them). Marks are written with `collectMarks`. */
export function coreConfig(o: AnalysisOptions, seed: number, collectMarks = false): Record<number, number> {
  const b = (v: boolean) => (v ? 1 : 0);
  const r = o.rules;
  const ff = o.flowFeatures;
  return {
    [abi.CFG_SEED]: seed,
    [abi.CFG_ZSCORE_ENABLED]: b(o.zscore.enabled),
    [abi.CFG_ZSCORE_WINDOW]: o.zscore.window,
    [abi.CFG_ZSCORE_THRESHOLD]: o.zscore.threshold,
    [abi.CFG_ZSCORE_MIN_SAMPLES]: o.zscore.minSamples,
    [abi.CFG_ZSCORE_MIN_STD_BYTES]: o.zscore.minStdBytes,
    [abi.CFG_ZSCORE_MIN_STD_FRACTION]: o.zscore.minStdFraction,
    [abi.CFG_ZSCORE_HIGH_MIN_SAMPLES]: o.zscore.highMinSamples,
    [abi.CFG_ZSCORE_HIGH_MAX_FACTOR]: o.zscore.highMaxFactor,
    [abi.CFG_TCP_TIMEOUT_S]: o.flow.tcpTimeoutS,
    [abi.CFG_UDP_TIMEOUT_S]: o.flow.udpTimeoutS,
    [abi.CFG_ICMP_TIMEOUT_S]: o.flow.icmpTimeoutS,
    [abi.CFG_OTHER_TIMEOUT_S]: o.flow.otherTimeoutS,
    [abi.CFG_FLOW_CAPACITY]: o.flow.capacity,
    [abi.CFG_FLOW_MEMORY_CAP_BYTES]: o.flow.memoryCapBytes,
    [abi.CFG_CHUNK_BYTES]: o.chunkBytes,
    [abi.CFG_BLACKLIST_ENABLED]: b(r.blacklist.enabled),
    [abi.CFG_PORTSCAN_ENABLED]: b(r.portscan.enabled),
    [abi.CFG_PORTSCAN_PORTS]: r.portscan.threshold,
    [abi.CFG_PORTSCAN_WINDOW_S]: r.portscan.windowS,
    [abi.CFG_PORTSCAN_SYN_ENABLED]: b(r.portscanSyn.enabled),
    [abi.CFG_PORTSCAN_SYN_SYNS]: r.portscanSyn.syns,
    [abi.CFG_PORTSCAN_SYN_PORTS]: r.portscanSyn.ports,
    [abi.CFG_PORTSCAN_SYN_WINDOW_S]: r.portscanSyn.windowS,
    [abi.CFG_ADDRSCAN_ENABLED]: b(r.addressScan.enabled),
    [abi.CFG_ADDRSCAN_HOSTS]: r.addressScan.threshold,
    [abi.CFG_ADDRSCAN_WINDOW_S]: r.addressScan.windowS,
    [abi.CFG_SYNFLOOD_ENABLED]: b(r.synflood.enabled),
    [abi.CFG_SYNFLOOD_SYNS]: r.synflood.threshold,
    [abi.CFG_SYNFLOOD_WINDOW_S]: r.synflood.windowS,
    [abi.CFG_SYNFLOOD_COMPLETED_FRACTION]: r.synflood.completedFraction,
    [abi.CFG_SYNFLOOD_SLOW_ENABLED]: b(r.synfloodSlow.enabled),
    [abi.CFG_SYNFLOOD_SLOW_SYNS]: r.synfloodSlow.threshold,
    [abi.CFG_SYNFLOOD_SLOW_WINDOW_S]: r.synfloodSlow.windowS,
    [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: b(r.synfloodSpread.enabled),
    [abi.CFG_SYNFLOOD_SPREAD_SYNS]: r.synfloodSpread.threshold,
    [abi.CFG_SYNFLOOD_SPREAD_WINDOW_S]: r.synfloodSpread.windowS,
    [abi.CFG_LARGESIZE_ENABLED]: b(r.largesize.enabled),
    [abi.CFG_LARGESIZE_BYTES]: r.largesize.bytes,
    [abi.CFG_UNUSUAL_ENABLED]: b(r.unusual.enabled),
    [abi.CFG_FLOWWIN_ENABLED]: b(ff.enabled && ff.rules.some((x) => x.enabled)),
    [abi.CFG_FLOWWIN_WINDOW_S]: ff.windowS,
    [abi.CFG_LATENESS_S]: ff.latenessS,
    [abi.CFG_MARKS_ENABLED]: b(collectMarks),
    [abi.CFG_LATENCY_ENABLED]: b(r.latency.enabled),
    [abi.CFG_LATENCY_RESPONSE_ENABLED]: b(r.latency.response),
    [abi.CFG_LATENCY_SPAN]: r.latency.span,
    [abi.CFG_LATENCY_WARMUP]: r.latency.warmup,
    [abi.CFG_LATENCY_MEDIUM_RATIO]: r.latency.mediumRatio,
    [abi.CFG_LATENCY_HIGH_RATIO]: r.latency.highRatio,
    [abi.CFG_LATENCY_MIN_EXCESS_MS]: r.latency.minExcessMs,
    [abi.CFG_LATENCY_MIN_SIGMAS]: r.latency.minSigmas,
    [abi.CFG_RETRANS_ENABLED]: b(r.retrans.enabled),
    [abi.CFG_RETRANS_MIN_SEGMENTS]: r.retrans.minSegments,
    [abi.CFG_RETRANS_MIN_RETRANSMISSIONS]: r.retrans.minRetransmissions,
    [abi.CFG_RETRANS_MEDIUM]: r.retrans.medium,
    [abi.CFG_RETRANS_HIGH]: r.retrans.high,
    [abi.CFG_LONGCONN_ENABLED]: b(r.longConnections.enabled),
    [abi.CFG_LONGCONN_MEDIUM_RATIO]: r.longConnections.mediumRatio,
    [abi.CFG_LONGCONN_HIGH_RATIO]: r.longConnections.highRatio,
    [abi.CFG_LONGCONN_MIN_FLOWS]: r.longConnections.minFlows,
    [abi.CFG_LONGCONN_MIN_DURATION_S]: r.longConnections.minDurationS,
    [abi.CFG_LONGCONN_IDLE_BYTES]: r.longConnections.idleBytes,
    [abi.CFG_LONGCONN_LADDER_ENABLED]: b(r.longConnections.ladder),
    [abi.CFG_CONN_RECORDS_ENABLED]: b(o.connRecords.enabled && o.connRecords.max > 0),
    [abi.CFG_METRIC_WINDOW_S]: o.baseline.windowS,
    [abi.CFG_BASELINE_WINDOWS]: o.baseline.windows,
    [abi.CFG_BASELINE_WARMUP]: o.baseline.warmup,
    [abi.CFG_BASELINE_FROZEN]: o.baseline.frozen ? 1 : 0,
    [abi.CFG_SPIKE_ENABLED]: b(o.spike.enabled),
    [abi.CFG_SPIKE_DST_ENABLED]: b(o.spike.perDestination),
    [abi.CFG_SPIKE_MEDIUM_SIGMA]: o.spike.mediumSigma,
    [abi.CFG_SPIKE_HIGH_SIGMA]: o.spike.highSigma,
    [abi.CFG_SPIKE_MIN_STD_LOG2]: o.spike.minStdLog2,
    [abi.CFG_SPIKE_MIN_BPS]: o.spike.minBps,
    [abi.CFG_SPIKE_HIGH_MIN_BPS]: o.spike.highMinBps,
    [abi.CFG_SPIKE_MEMORY_CAP_BYTES]: o.spike.memoryCapBytes,
    [abi.CFG_PROTOSHIFT_ENABLED]: b(o.protocolShift.enabled),
    [abi.CFG_PROTOSHIFT_SERVICES_ENABLED]: b(o.protocolShift.services),
    [abi.CFG_PROTOSHIFT_POINTS]: o.protocolShift.points,
    [abi.CFG_PROTOSHIFT_HIGH_POINTS]: o.protocolShift.highPoints,
    [abi.CFG_PROTOSHIFT_MIN_PACKETS]: o.protocolShift.minPackets,
  };
}

/** The rule inputs the core reads at reset(): the merged blacklist ranges (only when the
 *  blacklist is enabled and has entries), the normal-services bitmaps and, when flow features are
 *  on and a flow rule is enabled, the enabled flow rules as a rule-VM program (`flowRules`, or
 *  compiled here from the options). Assumes valid options (validateOptions); bad entries would be
 *  left out. */
export function ruleInputs(o: AnalysisOptions, flowRules?: FlowRuleSet | null): { inputs: RuleInputs; blacklistRanges: number } {
  const inputs: RuleInputs = { services: parseServices(o.rules.unusual.normal).bitmap };
  if (o.flowFeatures.enabled) {
    const set = flowRules ?? new FlowRuleSet(o.flowFeatures.rules);
    if (set.size > 0) inputs.ruleProgram = set.program;
  }
  let count = 0;
  if (o.rules.blacklist.enabled && o.rules.blacklist.entries.length > 0) {
    const bl = blacklistRanges(o.rules.blacklist.entries);
    if (bl.count > 0) inputs.blacklist = bl.bytes;
    count = bl.count;
  }
  return { inputs, blacklistRanges: count };
}

const SNIFF_BYTES = 4096;

/** Human-readable text for a core error code, with the byte offset where it happened. */
export function coreError(code: number, offset: number, linktype: number, gzip: boolean): AnalysisError {
  const at = `at byte ${offset}${gzip ? ' of the decompressed stream' : ''}`;
  switch (code) {
    case abi.ERR_NOT_A_CAPTURE:
      return { code: 'not-a-capture', message: `Not a capture: no pcap or pcapng magic number ${at}.`, offset };
    case abi.ERR_BAD_FILE_HEADER:
      return { code: 'bad-file-header', message: `Malformed file or section header ${at}.`, offset };
    case abi.ERR_BAD_RECORD_HEADER:
      return { code: 'bad-record-header', message: `Malformed record or block header ${at}; reading stopped there.`, offset };
    case abi.ERR_TRUNCATED:
      return { code: 'truncated', message: `The file ends in the middle of a record that starts ${at}.`, offset };
    case abi.ERR_NO_INTERFACE:
      return { code: 'no-interface', message: `A packet block ${at} names an interface that no IDB described.`, offset };
    case abi.ERR_UNSUPPORTED_LINKTYPE:
      return {
        code: 'unsupported-linktype',
        message: `Unsupported link type ${linktype} (declared ${at}); no packet could be decoded.`,
        offset,
      };
    default:
      return { code: `core-${code}`, message: `Core error ${code} ${at}.`, offset };
  }
}

const ROW_FORMATS: readonly InputFormat[] = ['csv', 'json', 'jsonl', 'lines'];

/** Evidence counters per rule detector (abi.DET_* → abi.C_MARKS_*). */
const MARK_COUNTERS: Record<number, number> = {
  [abi.DET_BLACKLIST]: abi.C_MARKS_BLACKLIST,
  [abi.DET_PORTSCAN]: abi.C_MARKS_PORTSCAN,
  [abi.DET_SYNFLOOD]: abi.C_MARKS_SYNFLOOD,
  [abi.DET_LARGESIZE]: abi.C_MARKS_LARGESIZE,
  [abi.DET_UNUSUAL]: abi.C_MARKS_UNUSUAL,
  [abi.DET_SPIKE]: abi.C_MARKS_SPIKE,
};

function summaryFrom(
  c: Float64Array,
  meta: { fileName: string; fileBytes: number; gzip: boolean; format: InputFormat; streamBytes: number; elapsedMs: number },
  collector: AlertCollector,
  conns: ConnCollector,
  blacklistCount: number,
  badRows: number,
  rowsRead: number,
): Summary {
  const rows = ROW_FORMATS.includes(meta.format);
  const byDetector = collector.detectorCounts();
  DETECTOR_NAMES.forEach((name, det) => {
    if (det === 0) return;
    const d = byDetector[name];
    if (det === abi.DET_ZSCORE) d.evidencePackets = d.alerts;
    else if (det === abi.DET_FLOWRULE) d.evidencePackets = c[abi.C_FLOW_WINDOWS_MATCHED];
    else if (det === abi.DET_PROTOSHIFT || det === abi.DET_PROFILE) d.evidencePackets = collector.evidenceSum(det);
    else if (MARK_COUNTERS[det] !== undefined) d.evidencePackets = c[MARK_COUNTERS[det]];
  });
  const decoded = c[abi.C_PACKETS_DECODED];
  const s = meta.elapsedMs / 1000;
  return {
    ...meta,
    linktype: rows ? -1 : c[abi.C_LINKTYPE],
    recordsRead: rows ? rowsRead : c[abi.C_RECORDS_READ],
    packetsDecoded: decoded,
    bytesDecoded: c[abi.C_BYTES_DECODED],
    skipped: {
      truncated: c[abi.C_SKIP_TRUNCATED],
      unsupportedLink: c[abi.C_SKIP_UNSUPPORTED_LINK],
      notIp: c[abi.C_SKIP_NOT_IP],
      badHeader: c[abi.C_SKIP_BAD_HEADER],
      badRow: badRows,
    },
    flows: c[abi.C_FLOWS_CREATED],
    flowsLive: c[abi.C_FLOWS_LIVE],
    flowsExpired: c[abi.C_FLOWS_EXPIRED],
    flowsEvictedFull: c[abi.C_FLOWS_EVICTED_FULL],
    channels: c[abi.C_CHANNELS_LIVE],
    channelsEvictedFull: c[abi.C_CHANNELS_EVICTED_FULL],
    tsFirstUs: decoded > 0 ? c[abi.C_TS_FIRST_US] : NaN,
    tsLastUs: decoded > 0 ? c[abi.C_TS_LAST_US] : NaN,
    outOfOrder: c[abi.C_TS_OUT_OF_ORDER],
    ipv4: c[abi.C_IPV4],
    ipv6: c[abi.C_IPV6],
    tcp: c[abi.C_TCP],
    udp: c[abi.C_UDP],
    icmp: c[abi.C_ICMP],
    otherIp: c[abi.C_OTHER_IP],
    fragmentsNonFirst: c[abi.C_FRAGMENTS_NONFIRST],
    sections: c[abi.C_SECTIONS],
    interfaces: c[abi.C_INTERFACES],
    blocksSkipped: c[abi.C_BLOCKS_SKIPPED],
    alerts: collector.total,
    alertsDropped: collector.dropped,
    byDetector,
    latePackets: c[abi.C_LATE_PACKETS],
    flowWindows: c[abi.C_FLOW_WINDOWS],
    blacklistRanges: blacklistCount,
    conns: conns.total,
    connsDropped: conns.dropped,
    tcpDataSegments: c[abi.C_TCP_DATA_SEGMENTS],
    tcpRetransmissions: c[abi.C_TCP_RETRANSMISSIONS],
    latencySamples: c[abi.C_LATENCY_SAMPLES],
    packetsPerS: s > 0 ? decoded / s : 0,
    mbPerS: s > 0 ? meta.streamBytes / 1e6 / s : 0,
  };
}

/** A byte source: the file, or its decompressed stream. `next()` returns null at the end. */
interface ByteSource {
  next(): Promise<Uint8Array | null>;
  /** Bytes of the file read so far (compressed bytes for gzip). */
  fileBytesRead(): number;
}

/** Time between two turns given to the worker's event loop while a blob is read, ms. */
const YIELD_EVERY_MS = 16;

/** Resolves on a later macrotask turn (a MessageChannel message: unlike setTimeout, not clamped to
 *  4 ms), so that the messages waiting in the worker's queue (cancel, wantPartial) run. */
function macrotask(): Promise<void> {
  return new Promise((ok) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      ok();
    };
    port2.postMessage(null);
  });
}

/**
 * Reads `blob` through `blob.stream()` in chunks of `chunkBytes` (the last one shorter), each into a
 * fresh buffer with a BYOB reader (a default reader's pieces are handed out as they come where BYOB
 * is missing). Measured in chromium's worker on a 557 MB file, reading only: one
 * `blob.slice().arrayBuffer()` per MiB 3.2–5.0 s (each read is a round trip to the browser
 * process), `stream()` with a default reader 1.2–1.7 s, with a BYOB reader 0.8 s. The stream
 * reads ahead of the core by itself and keeps only its small queue (backpressure), so memory does
 * not grow with the file. A fresh buffer per chunk: the pipeline may still hold the last one.
 * Reads of data the stream already holds resolve as microtasks, so without a turn of the event
 * loop now and then (every YIELD_EVERY_MS) the worker would never see Cancel nor the page's
 * requests for partial results until the end of the file.
 */
function blobSource(blob: Blob, chunkBytes: number): ByteSource {
  let pos = 0;
  let byob: ReadableStreamBYOBReader | null = null;
  let plain: ReadableStreamDefaultReader<Uint8Array> | null = null;
  let done = false;
  let lastTurn = performance.now();
  const open = () => {
    const stream = blob.stream() as ReadableStream<Uint8Array>;
    try {
      byob = stream.getReader({ mode: 'byob' });
    } catch {
      plain = stream.getReader();
    }
  };
  return {
    async next() {
      if (done) return null;
      if (performance.now() - lastTurn >= YIELD_EVERY_MS) {
        await macrotask();
        lastTurn = performance.now();
      }
      if (!byob && !plain) open();
      if (plain) {
        const r = await plain.read();
        if (r.done) {
          done = true;
          return null;
        }
        pos += r.value.length;
        return r.value;
      }
      const size = Math.max(1, Math.min(chunkBytes, blob.size - pos));
      let buffer = new ArrayBuffer(size);
      let filled = 0;
      while (filled < size) {
        const r = await byob!.read(new Uint8Array(buffer, filled, size - filled));
        if (r.value) buffer = r.value.buffer as ArrayBuffer; // the view's buffer is transferred back
        if (r.done) {
          done = true;
          break;
        }
        filled += r.value!.byteLength;
      }
      pos += filled;
      return filled > 0 ? new Uint8Array(buffer, 0, filled) : null;
    },
    fileBytesRead: () => pos,
  };
}

function iteratorSource(it: AsyncIterator<Uint8Array>, compressedRead: () => number): ByteSource {
  return {
    async next() {
      const r = await it.next();
      return r.done ? null : r.value;
    },
    fileBytesRead: compressedRead,
  };
}

function gzipSource(blob: Blob, chunkBytes: number): ByteSource {
  // Count compressed bytes as they enter the decompressor, for the progress bar.
  let compressedRead = 0;
  const counted = blobSource(blob, chunkBytes);
  const input = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const b = await counted.next();
      if (b) {
        compressedRead = counted.fileBytesRead();
        ctl.enqueue(b);
      } else ctl.close();
    },
  });
  const reader = input.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  return {
    async next() {
      const r = await reader.read();
      return r.done ? null : r.value;
    },
    fileBytesRead: () => compressedRead,
  };
}

/** Reads the first bytes of a source without losing them: returns the head and a source that replays it. */
async function peek(src: ByteSource, want: number): Promise<{ head: Uint8Array; source: ByteSource }> {
  const parts: Uint8Array[] = [];
  let have = 0;
  while (have < want) {
    const b = await src.next();
    if (!b) break;
    parts.push(b);
    have += b.length;
  }
  const head = concat(parts, have);
  let replayed = false;
  return {
    head: head.subarray(0, Math.min(want, head.length)),
    source: {
      async next() {
        if (!replayed) {
          replayed = true;
          if (head.length > 0) return head;
        }
        return src.next();
      },
      fileBytesRead: () => src.fileBytesRead(),
    },
  };
}

function concat(parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function toStream(src: ByteSource, cancel?: CancelToken): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async pull(ctl) {
      const b = cancel?.cancelled ? null : await src.next();
      if (b) ctl.enqueue(b);
      else ctl.close();
    },
  });
}

export interface PipelineOutput {
  result: AnalysisResult;
  /** Buffers to transfer (Comlink.transfer) with the result. */
  transfer: ArrayBuffer[];
  /** Set when hooks.traceKey was given. */
  series?: ChannelSeries;
}

/**
 * Analyses `blob` with `engine`. Expected failures (not a capture, truncated, bad header, bad
 * CSV header) come back as result.ok = false with the offset or line; what was decoded before
 * the fault is in the result. Invalid options (src/rules/options.ts validateOptions) come back as
 * ok = false with code 'bad-options' and every problem's path, before the engine is touched.
 * Flow rules are compiled once here and judged by the core per flow window (never per packet);
 * only the windows they match come out. Throws only on bugs.
 */
export async function analyzeBlob(
  engine: Engine,
  blob: Blob,
  fileName: string,
  options: AnalysisOptions,
  hooks: PipelineHooks = {},
): Promise<PipelineOutput> {
  const t0 = performance.now();
  // Options are checked before anything runs: never a half-configured engine.
  const problems = validateOptions(options);
  if (problems.length > 0) return invalidOptions(blob, fileName, options, problems, performance.now() - t0);
  let baseline = hooks.baseline;
  if (!baseline && hooks.baselineJson !== undefined) {
    try {
      baseline = baselineFileFromJson(hooks.baselineJson, options);
    } catch (e) {
      if (!(e instanceof BaselineFormatError)) throw e;
      return refused(blob, fileName, options, { code: 'bad-baseline', message: `Baseline not applied (nothing was analysed): ${e.message}` }, [], performance.now() - t0);
    }
  }
  const chunkBytes = Math.max(64 * 1024, options.chunkBytes | 0);
  const seed = options.seed ?? (Math.random() * 0xffffffff) >>> 0;
  const warnings: AnalysisError[] = [];
  let error: AnalysisError | undefined;

  // Sniff by content; gzip is unwrapped and sniffed again.
  let src = blobSource(blob, chunkBytes);
  let { head, source } = await peek(src, SNIFF_BYTES);
  let gzip = false;
  let sniffed = sniffFormat(head);
  if (sniffed === 'gzip') {
    gzip = true;
    const unzipped = hooks.gunzip ? iteratorSource(hooks.gunzip(), () => blob.size) : gzipSource(blob, chunkBytes);
    ({ head, source } = await peek(unzipped, SNIFF_BYTES).catch((e: unknown) => {
      error = { code: 'gzip', message: `Gzip stream is corrupt: ${(e as Error).message}`, offset: 0 };
      return { head: new Uint8Array(0), source: src };
    }));
    sniffed = error ? 'unknown' : sniffFormat(head);
  }
  const format: InputFormat = sniffed === 'gzip' ? 'unknown' : sniffed;
  const isRows = ROW_FORMATS.includes(format);

  // Flow rules are compiled once per analysis (a trace re-read needs none).
  const flowRules = options.flowFeatures.enabled && !hooks.traceKey ? new FlowRuleSet(options.flowFeatures.rules) : null;
  const collector = new AlertCollector({
    maxAlerts: hooks.traceKey ? 0 : options.maxAlerts,
    maxTracePoints: hooks.traceMaxPoints ?? 0,
    flowRules,
    flowWindowS: options.flowFeatures.windowS,
    limits: new DetectorLimits(options.limits),
    collectMarks: !!hooks.collectMarks && !hooks.traceKey,
  });
  const connCollector = new ConnCollector(hooks.traceKey ? 0 : options.connRecords.max);
  const config = coreConfig(options, seed, !!hooks.collectMarks && !hooks.traceKey);
  if (hooks.traceKey) config[abi.CFG_CONN_RECORDS_ENABLED] = 0;
  config[abi.CFG_INPUT_FORMAT] = isRows ? abi.FORMAT_RECORDS : abi.FORMAT_UNKNOWN;
  if (hooks.traceKey) {
    engine.setTraceKey(hooks.traceKey);
    config[abi.CFG_TRACE_ENABLED] = 1;
    config[abi.CFG_TRACE_DETECTOR] = hooks.traceDetector ?? 0;
  }
  const rules = ruleInputs(options, flowRules);
  // Seeded window baselines (validated by baselineFileFromJson for these options).
  if (baseline && baseline.coreRecords.length > 0) rules.inputs.baselines = baseline.coreRecords;
  engine.start(
    config,
    (out) => {
      collector.take(out);
      if (out.connCount > 0) connCollector.take(out.conns, out.connCount);
    },
    rules.inputs,
  );

  let streamBytes = 0;
  let lastProgress = 0;
  const interval = hooks.progressIntervalMs ?? 100;
  // #5 timeline: partial results (Progress.partial), at most once every partialIntervalMs.
  const partialInterval = hooks.partialIntervalMs ?? PARTIAL_INTERVAL_MS;
  let lastPartial = t0;
  let partialChannels: ChannelInfo[] = [];
  // (Called only from progress(), after names, badRows and rowsRead below are set.)
  const partialResult = (now: number): AnalysisResult => {
    engine.drain(); // the alerts still in the core's output region
    const counters = engine.counters();
    const snap = collector.snapshot(names, partialChannels);
    partialChannels = snap.channels;
    const summary = summaryFrom(
      counters,
      { fileName, fileBytes: blob.size, gzip, format, streamBytes, elapsedMs: now - t0 },
      collector,
      connCollector,
      rules.blacklistRanges,
      badRows,
      // Rows read so far: the packed records fed (rowsRead is known at the end only).
      isRows ? counters[abi.C_RECORDS_READ] : 0,
    );
    return {
      ok: true,
      warnings: [],
      cancelled: false,
      partial: true,
      summary,
      alerts: snap.alerts,
      channels: snap.channels,
      flowRules: flowRules?.names ?? [],
      rowFields: isRows ? snap.rowFields : undefined,
      options,
      timeline: engine.timeline(),
    };
  };
  const progress = (force = false) => {
    if (!hooks.onProgress) return;
    const now = performance.now();
    if (!force && now - lastProgress < interval) return;
    lastProgress = now;
    const c = engine.counters();
    const s = (now - t0) / 1000;
    const p: Progress = {
      bytesRead: source.fileBytesRead(),
      fileBytes: blob.size,
      packets: c[abi.C_PACKETS_DECODED],
      packetsPerS: s > 0 ? c[abi.C_PACKETS_DECODED] / s : 0,
      alerts: collector.total,
    };
    // The final report (force) is followed by the result itself: no partial there.
    const gate = hooks.partialGate;
    if (!force && !hooks.traceKey && now - lastPartial >= partialInterval && (!gate || gate.wanted)) {
      if (gate) gate.wanted = false;
      lastPartial = now;
      p.partial = partialResult(now);
      p.alerts = collector.total;
    }
    hooks.onProgress(p);
  };
  const cancel = hooks.cancel;
  const names = new NameTable();
  let badRows = 0;
  let rowsRead = 0;

  try {
    if (error) {
      // gzip failed before any byte could be sniffed
    } else if (format === 'unknown') {
      error = {
        code: 'not-a-capture',
        message:
          head.length === 0
            ? 'The file is empty.'
            : `Not a capture: the first bytes (${hex(head.subarray(0, 8))}) are not pcap, pcapng, gzip, CSV or JSON.`,
        offset: 0,
      };
    } else if (isRows) {
      const report = await readRows(toStream(source, cancel), format as RowFormat, names, (batch) => {
        collector.setRows(batch.rows, batch.records, batch.count);
        engine.feed(batch.records.subarray(0, batch.count * abi.REC_STRIDE));
        engine.drain();
        streamBytes += batch.count * abi.REC_STRIDE;
        progress();
        if (collector.traceFull) cancel && (cancel.cancelled = true);
      });
      collector.setRows([], new Uint8Array(0), 0);
      badRows = report.rowsSkipped;
      rowsRead = report.rowsRead;
      warnings.push(...report.problems.filter((p) => p !== report.error));
      if (report.error) error = report.error;
    } else if (hooks.direct && !gzip) {
      // Zero-copy: the file lands in the core's input region; one chunk at a time.
      let pos = 0;
      const max = hooks.maxStreamBytes ?? Infinity;
      while (!cancel?.cancelled && !collector.traceFull && pos < max) {
        const room = Math.min(engine.core.inputRoom(), chunkBytes, max - pos);
        const n = hooks.direct.readInto(new Uint8Array(engine.core.memory.buffer, engine.core.inputPtr(), room), pos);
        if (n <= 0) break;
        pos += n;
        streamBytes += n;
        if (!engine.commitInPlace(n)) break;
        progress();
      }
      source = { next: async () => null, fileBytesRead: () => pos };
    } else {
      for (;;) {
        if (cancel?.cancelled || collector.traceFull) break;
        let bytes = await source.next();
        if (!bytes) break;
        const limit = (hooks.maxStreamBytes ?? Infinity) - streamBytes;
        if (limit <= 0) break;
        if (bytes.length > limit) bytes = bytes.subarray(0, limit);
        streamBytes += bytes.length;
        if (!engine.feed(bytes)) break;
        progress();
      }
    }
  } catch (e) {
    if (gzip && (e instanceof TypeError || (e as { code?: string }).code?.startsWith('Z_'))) {
      error = {
        code: 'gzip',
        message: `Gzip stream is corrupt or truncated after ${source.fileBytesRead()} compressed bytes: ${(e as Error).message}`,
        offset: source.fileBytesRead(),
      };
    } else throw e;
  }

  const cancelled = !!cancel?.cancelled && !collector.traceFull;
  const stoppedEarly = !!cancel?.cancelled || collector.traceFull || (hooks.maxStreamBytes ?? Infinity) <= streamBytes;
  const st = stoppedEarly ? engine.abandon() : engine.finish();
  const counters = engine.counters();
  if (!error && st.status === abi.STATUS_ERROR) {
    error = coreError(st.errorCode, st.errorOffset, counters[abi.C_LINKTYPE], gzip);
  }
  progress(true);

  const connsOn = options.connRecords.enabled && !hooks.traceKey;
  const connOut = connsOn ? connCollector.finish(names) : undefined;
  // PROFILE and learning run on the connections once the core finished (never per packet).
  let profile: AnalysisResult['profile'];
  let learnedBaseline: string | undefined;
  // PROFILE also runs on what was read before an input fault (as the core's detectors did); a
  // baseline is learnt only from a capture read whole.
  if (!hooks.traceKey && !cancelled) {
    const wanted = options.profile.enabled && (baseline || options.profile.warmup);
    if (wanted && !connOut) {
      warnings.push({ code: 'profile-off', message: 'PROFILE needs connection records (connRecords.enabled); no connection was scored.' });
    } else if (wanted && connOut) {
      profile = runProfile(options, {
        conns: connOut.conns,
        address: (i) => connCollector.address(i),
        connsDropped: connCollector.dropped,
        collector,
        model: baseline?.model,
      });
      if (profile?.connsDropped) {
        warnings.push({ code: 'profile-partial', message: `PROFILE scored ${profile.scored} connections; ${connCollector.dropped} beyond connRecords.max (${options.connRecords.max}) were not kept and not scored.` });
      }
      if (profile?.skipped) warnings.push({ code: 'profile-skipped', message: `PROFILE: ${profile.skipped}.` });
    }
    if (hooks.learn && !error) {
      const learnt = connOut ? learnBaseline(engine, connOut.conns, options, fileName, counters) : 'connection records are off (connRecords.enabled)';
      if (typeof learnt === 'string') error = { code: 'cannot-learn', message: `No baseline learnt: ${learnt}.` };
      else learnedBaseline = learnt.json;
      if (connOut && connCollector.dropped) {
        warnings.push({ code: 'learn-partial', message: `The baseline was learnt from ${connOut.conns.count} connections; ${connCollector.dropped} beyond connRecords.max were not kept.` });
      }
    }
  }
  const { alerts, channels, rowFields, transfer } = collector.finish(names);
  if (connOut) transfer.push(...connOut.transfer);
  const summary = summaryFrom(
    counters,
    { fileName, fileBytes: blob.size, gzip, format, streamBytes, elapsedMs: performance.now() - t0 },
    collector,
    connCollector,
    rules.blacklistRanges,
    badRows,
    rowsRead,
  );
  const result: AnalysisResult = {
    ok: !error,
    error,
    warnings,
    cancelled,
    summary,
    alerts,
    channels,
    flowRules: flowRules?.names ?? [],
    marks: hooks.collectMarks && !hooks.traceKey ? collector.takeMarks() : undefined,
    rowFields: isRows ? rowFields : undefined,
    conns: connOut?.conns,
    options,
  };
  if (baseline) result.baseline = describeBaseline(baseline, hooks.baselineJson !== undefined ? utf8Bytes(hooks.baselineJson) : undefined);
  if (profile) result.profile = profile;
  if (learnedBaseline !== undefined) result.learnedBaseline = learnedBaseline;
  // #5 timeline: packets and bytes over capture time (also after a cancel or an input fault).
  if (!hooks.traceKey) {
    result.timeline = engine.timeline();
    transfer.push(result.timeline.packets.buffer as ArrayBuffer, result.timeline.bytes.buffer as ArrayBuffer);
    for (const a of [...result.timeline.classPackets, ...result.timeline.classBytes]) transfer.push(a.buffer as ArrayBuffer);
  }
  return { result, transfer, series: hooks.traceKey ? collector.series() : undefined };
}

/**
 * Builds the baseline file of this capture: the model learnt from every connection (options.profile
 * gives its forest settings) and the core's window baselines (Engine.exportBaselines, after
 * finish()). Returns the reason when nothing can be learnt (fewer than 2 connections).
 */
export function learnBaseline(
  engine: Engine,
  conns: import('../shared/protocol').ConnColumns,
  options: AnalysisOptions,
  fileName: string,
  counters: Float64Array,
): { file: BaselineFile; json: string } | string {
  if (conns.count < 2) return `the capture has ${conns.count} connection${conns.count === 1 ? '' : 's'}; learning needs at least 2`;
  const createdAt = new Date().toISOString();
  const model = learn(connectionsOf(conns), modelOptions(options), createdAt);
  const records = engine.exportBaselines();
  const decoded = counters[abi.C_PACKETS_DECODED];
  const file: BaselineFile = {
    createdAt,
    source: {
      fileName,
      packets: decoded,
      firstUs: decoded > 0 ? counters[abi.C_TS_FIRST_US] : 0,
      lastUs: decoded > 0 ? counters[abi.C_TS_LAST_US] : 0,
    },
    model,
    core: coreBaselinesToJson(records, options),
    coreRecords: records,
  };
  return { file, json: baselineFileToJson(file) };
}

/** The result of an analysis refused for invalid options: ok=false, code 'bad-options', every
 *  problem in the message (path: message) and in `warnings`; empty columns and counters. */
function invalidOptions(
  blob: Blob,
  fileName: string,
  options: AnalysisOptions,
  problems: { path: string; message: string }[],
  elapsedMs: number,
): PipelineOutput {
  const text = problems.map((p) => `${p.path}: ${p.message}`);
  return refused(
    blob,
    fileName,
    options,
    { code: 'bad-options', message: `Invalid options (nothing was analysed): ${text.join('; ')}` },
    problems.map((p) => ({ code: 'bad-option', message: `${p.path}: ${p.message}` })),
    elapsedMs,
  );
}

/** A result for an analysis refused before the engine was touched (bad options, bad baseline):
 *  ok=false with `error`, empty columns and counters. */
function refused(blob: Blob, fileName: string, options: AnalysisOptions, error: AnalysisError, warnings: AnalysisError[], elapsedMs: number): PipelineOutput {
  const collector = new AlertCollector({ maxAlerts: 0, maxTracePoints: 0 });
  const { alerts, channels, transfer } = collector.finish(new NameTable());
  const summary = summaryFrom(
    new Float64Array(abi.COUNTER_COUNT),
    { fileName, fileBytes: blob.size, gzip: false, format: 'unknown', streamBytes: 0, elapsedMs },
    collector,
    new ConnCollector(0),
    0,
    0,
    0,
  );
  const result: AnalysisResult = {
    ok: false,
    error,
    warnings,
    cancelled: false,
    summary,
    alerts,
    channels,
    flowRules: [],
    options,
  };
  return { result, transfer };
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

export type { ChannelInfo };
