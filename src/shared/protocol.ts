// Types that cross the worker boundary and reach the CLI: options in, results out. Plain data
// only (structured-clone safe); bulk columns are typed arrays that the worker transfers.
// Imports only plain data: the default normal services and the default flow rules (for
// DEFAULT_OPTIONS). Validation and merging of options live in src/rules/options.ts.
import type { Connection } from '../ml/connection';
import { DEFAULT_NORMAL_SERVICES } from './services';
import { DEFAULT_FLOW_RULES } from '../rules/flow-rule-defaults';

/** Settings of the packet-size z-score detector (assembly/detect/zscore.ts). */
export interface ZScoreOptions {
  /** Run the detector at all. Default true. */
  enabled: boolean;
  /** Sliding window, packets per channel. Default 1000. */
  window: number;
  /** |z| above which a packet is flagged. Default 3.0. */
  threshold: number;
  /** Baseline packets required before a channel's packets are scored. Default 3. */
  minSamples: number;
  /** Absolute floor of σ in bytes. Default 1. */
  minStdBytes: number;
  /** Relative floor of σ as a fraction of |mean|. Default 0.05. */
  minStdFraction: number;
  /** Baseline packets a channel needs before an alert may be HIGH; HIGH then also needs z > 0 and
   *  the channel's σ at or above its floor, else the alert is MEDIUM. 0: issue #2's plain ladder
   *  (HIGH from 4t). Default 30 (evidence in assembly/config.ts CFG_ZSCORE_HIGH_MIN_SAMPLES). */
  highMinSamples: number;
  /** With highMinSamples > 0, HIGH also needs the packet above this multiple of the largest packet
   *  in the channel's window (a size it has not carried). 0: no such condition. Default 2. */
  highMaxFactor: number;
}

/** Flow table settings (assembly/table/flow-table.ts). Timeouts in seconds of packet time. */
export interface FlowOptions {
  tcpTimeoutS: number;
  udpTimeoutS: number;
  icmpTimeoutS: number;
  otherTimeoutS: number;
  /** Initial slots. */
  capacity: number;
  /** Memory cap of the table, bytes. */
  memoryCapBytes: number;
}

/** A sliding-window threshold rule: fires when the count exceeds `threshold` within `windowS`. */
export interface WindowRule {
  enabled: boolean;
  threshold: number;
  /** Seconds of packet time. */
  windowS: number;
}

/** SYNFLOOD per destination: a WindowRule plus the completion gate, which also applies to the
 *  slow tier (RuleOptions.synfloodSlow). */
export interface SynfloodRule extends WindowRule {
  /** The tiers fire only while the handshakes completed to the destination in the window are
   *  fewer than this fraction of its SYNs there; 1 switches the gate off, 0 silences both tiers.
   *  Range [0, 1], default 0.25 (assembly/config.ts CFG_SYNFLOOD_COMPLETED_FRACTION). */
  completedFraction: number;
}

/** The rule detectors of the core (assembly/detect/*.ts; every default and its source is in
 *  assembly/config.ts). */
export interface RuleOptions {
  /** BLACKLIST: addresses and CIDR ranges, IPv4 or IPv6, as typed ("10.0.0.0/8", "2001:db8::1"). */
  blacklist: { enabled: boolean; entries: string[] };
  /** PORTSCAN: > threshold distinct destination ports of one target in windowS (10 in 60 s). */
  portscan: WindowRule;
  /** PORTSCAN strict: > syns SYNs and > ports distinct ports of one target in windowS (100, 20, 60 s). */
  portscanSyn: { enabled: boolean; syns: number; ports: number; windowS: number };
  /** Address scan: > threshold distinct hosts on one port in windowS (Zeek: 25 in 300 s). */
  addressScan: WindowRule;
  /** SYNFLOOD: > threshold SYNs (SYN set, ACK clear) to one destination in windowS (100 in 60 s)
   *  while fewer than completedFraction of them complete their handshake (0.25). */
  synflood: SynfloodRule;
  /** SYNFLOOD low and slow: > threshold SYNs to one destination in the long windowS (200 in
   *  600 s) with the same completion gate, for SYNs where the one above does not hold. */
  synfloodSlow: WindowRule;
  /** SYNFLOOD spread: > threshold SYNs over all destinations in windowS (no single victim). */
  synfloodSpread: WindowRule;
  /** LARGESIZE: packets larger than `bytes` (1500). */
  largesize: { enabled: boolean; bytes: number };
  /** UNUSUAL: flows whose (protocol, server port) is not in `normal` ("tcp/80", "udp/53",
   *  "tcp/8000-8080", "icmp", "proto/47"); default list in src/shared/services.ts. */
  unusual: { enabled: boolean; normal: string[] };
  /** LATENCY (assembly/detect/latency.ts): TCP handshake RTT (SYN -> SYN/ACK, SYN/ACK -> ACK) and,
   *  with `response`, request -> response latency, against an EWMA baseline per server. */
  latency: LatencyOptions;
  /** RETRANS (assembly/detect/tcp-flow.ts): retransmitted over data segments per flow. */
  retrans: RetransOptions;
  /** LONGCONN (assembly/detect/longconn.ts): flows long for their service, and the fixed ladder. */
  longConnections: LongConnectionOptions;
}

/** LATENCY settings; defaults and their evidence in assembly/config.ts (CFG_LATENCY_*). */
export interface LatencyOptions {
  enabled: boolean;
  /** Also judge request -> response latency (last client data -> first server data). Default false. */
  response: boolean;
  /** EWMA span N (alpha = 2 / (N + 1)). Default 15 (alpha 1/8, RFC 6298). */
  span: number;
  /** Samples a server's baseline needs before it is judged. Default 10. */
  warmup: number;
  /** MEDIUM above mediumRatio x the baseline mean, HIGH above highRatio x. Defaults 1.5, 2. */
  mediumRatio: number;
  highRatio: number;
  /** A sample must also exceed the mean by this many ms and by minSigmas standard deviations.
   *  Defaults 10 ms, 3. */
  minExcessMs: number;
  minSigmas: number;
}

/** RETRANS settings (CFG_RETRANS_*). */
export interface RetransOptions {
  enabled: boolean;
  /** Data segments a flow needs before it is judged. Default 6. */
  minSegments: number;
  /** Retransmitted segments a flow needs besides the ratio. Default 2. */
  minRetransmissions: number;
  /** Fractions of data segments retransmitted: MEDIUM above medium (0.02), HIGH above high (0.05). */
  medium: number;
  high: number;
}

/** LONGCONN settings (CFG_LONGCONN_*). */
export interface LongConnectionOptions {
  enabled: boolean;
  /** MEDIUM above mediumRatio x the service's mean completed-flow duration, HIGH above highRatio x.
   *  Defaults 1.5, 2. */
  mediumRatio: number;
  highRatio: number;
  /** Completed flows a service needs before its flows are judged. Default 10. */
  minFlows: number;
  /** Flows shorter than this are never long, seconds. Default 600. */
  minDurationS: number;
  /** A long flow with fewer wire bytes than this is idle. Default 1000. */
  idleBytes: number;
  /** Report the fixed ladder (10 min, 30 min, 1 h, 12 h, 24 h; LOW). Default true. */
  ladder: boolean;
}

/** Connection records (one per flow end, Zeek conn.log-like; assembly/detect/conn.ts), collected
 *  into AnalysisResult.conns. */
export interface ConnRecordOptions {
  enabled: boolean;
  /** Records kept; the rest are counted in summary.connsDropped. Default 1,000,000 (about 100 MB). */
  max: number;
}

/** Metric windows and the learned baselines of the windowed detectors (assembly/detect/metrics.ts,
 *  detect/baseline.ts; defaults and their sources in assembly/config.ts CFG_METRIC_WINDOW_S,
 *  CFG_BASELINE_*). */
export interface BaselineOptions {
  /** Metric window, seconds of packet time (tumbling, aligned to the epoch). Default 10. */
  windowS: number;
  /** EWMA span N, windows ("a baseline over the last N windows"); a silence of N windows starts
   *  the baselines over. Default 60. */
  windows: number;
  /** Windows a baseline needs before anything is judged against it. Default 3. */
  warmup: number;
  /** Baselines loaded from a baseline file are not updated by this capture (CFG_BASELINE_FROZEN):
   *  every window is judged against the file's baseline as learnt. Default false (they keep
   *  adapting, as the capture's own baselines do). */
  frozen: boolean;
}

/** SPIKE: bytes/s per metric window above mean + k·sigma of its baseline (log2 scale). */
export interface SpikeOptions {
  /** SPIKE_GLOBAL (all traffic). Default true. */
  enabled: boolean;
  /** SPIKE_DST (per destination address, with the population of destinations as the fallback
   *  baseline). Default true. */
  perDestination: boolean;
  /** MEDIUM above mean + k·sigma. Default 2. */
  mediumSigma: number;
  /** HIGH above mean + k·sigma (and a baseline of (N + 1) / 2 windows). Default 3. */
  highSigma: number;
  /** Floor of sigma, log2 units (0.5: MEDIUM is at least 2x the mean). Default 0.5. */
  minStdLog2: number;
  /** No spike below this rate, B/s. Default 100. */
  minBps: number;
  /** No HIGH spike below this rate, B/s. Default 10,000. */
  highMinBps: number;
  /** Memory cap of the destination table, bytes. Default 64 MiB. */
  memoryCapBytes: number;
}

/** PROTOSHIFT: a protocol class's (or a tracked service's) share of a window's packets rising
 *  above its baseline share. */
export interface ProtocolShiftOptions {
  /** Protocol classes (TCP, UDP, ICMP, ICMPv6, other). Default true. */
  enabled: boolean;
  /** Also the top services (protocol, responder port; 16 tracked). Default true. */
  services: boolean;
  /** MEDIUM when a share rises more than this many percentage points. Default 30. */
  points: number;
  /** HIGH above this many points. Default 50. */
  highPoints: number;
  /** Windows with fewer packets are not judged (they still update the baselines). Default 100. */
  minPackets: number;
}

/** One user flow rule: a named boolean expression over a flow window's features. */
export interface FlowRule {
  name: string;
  /** expr-eval syntax, e.g. "syn_ratio > 0.9 and packets >= 20"; variables and their definitions
   *  in src/rules/flow-rules.ts (FEATURE_NAMES, windowFeatures). */
  expr: string;
  severity: 'low' | 'medium' | 'high';
  enabled: boolean;
}

/** Flow features per tumbling window (assembly/detect/flow-window.ts) and the rules over them. */
export interface FlowFeatureOptions {
  enabled: boolean;
  /** Tumbling window, seconds. Default 60. */
  windowS: number;
  /** Out-of-order tolerance, seconds (< windowS). Default 5. */
  latenessS: number;
  rules: FlowRule[];
}

/** How much of a capture to learn the per-source profiles from when no baseline is applied: its
 *  first `minutes` of packet time (from the first connection's start) or its first `percent` of
 *  connections in time order (src/ml/baseline-model.ts splitWarmup). */
export type WarmupOption = { minutes: number } | { percent: number };

/** PROFILE: per-source profiles and the Isolation Forest (src/ml/baseline-model.ts, run by
 *  src/worker/profile.ts after the core finishes). Scores need a model: an applied baseline file
 *  (AnalyzeExtras.baselineJson, CLI --baseline) or one learnt from the warm-up part of the capture
 *  itself (`warmup`). Defaults and their sources: issue #4 (weights, threshold, levels) and Liu,
 *  Ting and Zhou 2008 (trees, sampleSize). */
export interface ProfileOptions {
  /** Score connections when a model is available. Default true. */
  enabled: boolean;
  /** Combined score = statistical · weights.statistical + ML · weights.ml; each in [0, 1],
   *  adding up to 1. Defaults 0.6, 0.4. */
  weights: { statistical: number; ml: number };
  /** Combined score from which a connection is a (LOW) alert, in (0, 1]. Default 0.7. */
  threshold: number;
  /** Lower bounds of MEDIUM, HIGH, CRITICAL; threshold ≤ medium ≤ high ≤ critical ≤ 1. Defaults
   *  0.8, 0.9, 0.95. */
  levels: { medium: number; high: number; critical: number };
  /** Learn from the first part of the capture itself (no baseline applied); null: off. Default null. */
  warmup: WarmupOption | null;
  /** Isolation Forest trees (100), sub-sample size ψ (256, at most 4096), PRNG seed (1). Only
   *  used when a model is learnt (learn, warm-up); an applied baseline keeps its own. */
  trees: number;
  sampleSize: number;
  seed: number;
  /** Training connections a source needs to be scored on its own profile (fewer: the population
   *  profile). Default 10. */
  minConnections: number;
}

/** A rate limit: at most `max` alerts per `perS` seconds of packet time (sliding). */
export interface RateLimit {
  enabled: boolean;
  max: number;
  perS: number;
}

/** Alert rate limits per detector name (DETECTOR_NAMES); suppressed alerts are kept and counted. */
export interface AlertLimitOptions {
  /** Flow rules: on, 10 per 60 s (issue #3). */
  flowrule: RateLimit;
  /** Every other detector: off by default (same K and T when switched on). */
  zscore: RateLimit;
  blacklist: RateLimit;
  portscan: RateLimit;
  synflood: RateLimit;
  largesize: RateLimit;
  unusual: RateLimit;
  spike: RateLimit;
  latency: RateLimit;
  retrans: RateLimit;
  protoshift: RateLimit;
  longconn: RateLimit;
  profile: RateLimit;
}

export interface AnalysisOptions {
  zscore: ZScoreOptions;
  flow: FlowOptions;
  rules: RuleOptions;
  flowFeatures: FlowFeatureOptions;
  /** Metric windows and baselines (SPIKE, PROTOSHIFT). */
  baseline: BaselineOptions;
  spike: SpikeOptions;
  protocolShift: ProtocolShiftOptions;
  limits: AlertLimitOptions;
  connRecords: ConnRecordOptions;
  /** PROFILE: per-source profiles and the Isolation Forest (needs connRecords.enabled). */
  profile: ProfileOptions;
  /** Bytes read from the file per chunk. Default 1 MiB. */
  chunkBytes: number;
  /** Hash seed; undefined means a random one per analysis. */
  seed?: number;
  /** Community ID v1 seed (0-65535) of every community_id written (alerts, EVE, conn.log); 0 as in
   *  Zeek and Suricata. Tools only agree on a flow's ID when they use the same seed. */
  communityIdSeed: number;
  /** Alerts kept in the result; the rest are counted in summary.alertsDropped. Default 200,000. */
  maxAlerts: number;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  zscore: { enabled: true, window: 1000, threshold: 3.0, minSamples: 3, minStdBytes: 1, minStdFraction: 0.05, highMinSamples: 30, highMaxFactor: 2 },
  flow: {
    tcpTimeoutS: 300,
    udpTimeoutS: 60,
    icmpTimeoutS: 60,
    otherTimeoutS: 60,
    capacity: 65536,
    memoryCapBytes: 320 * 1024 * 1024,
  },
  rules: {
    blacklist: { enabled: true, entries: [] },
    portscan: { enabled: true, threshold: 10, windowS: 60 },
    portscanSyn: { enabled: true, syns: 100, ports: 20, windowS: 60 },
    addressScan: { enabled: true, threshold: 25, windowS: 300 },
    synflood: { enabled: true, threshold: 100, windowS: 60, completedFraction: 0.25 },
    synfloodSlow: { enabled: true, threshold: 200, windowS: 600 },
    synfloodSpread: { enabled: true, threshold: 50, windowS: 1 },
    largesize: { enabled: true, bytes: 1500 },
    unusual: { enabled: true, normal: [...DEFAULT_NORMAL_SERVICES] },
    latency: { enabled: true, response: false, span: 15, warmup: 10, mediumRatio: 1.5, highRatio: 2, minExcessMs: 10, minSigmas: 3 },
    retrans: { enabled: true, minSegments: 6, minRetransmissions: 2, medium: 0.02, high: 0.05 },
    longConnections: { enabled: true, mediumRatio: 1.5, highRatio: 2, minFlows: 10, minDurationS: 600, idleBytes: 1000, ladder: true },
  },
  flowFeatures: { enabled: true, windowS: 60, latenessS: 5, rules: DEFAULT_FLOW_RULES.map((r) => ({ ...r })) },
  baseline: { windowS: 10, windows: 60, warmup: 3, frozen: false },
  spike: {
    enabled: true,
    perDestination: true,
    mediumSigma: 2,
    highSigma: 3,
    minStdLog2: 0.5,
    minBps: 100,
    highMinBps: 10_000,
    memoryCapBytes: 64 * 1024 * 1024,
  },
  protocolShift: { enabled: true, services: true, points: 30, highPoints: 50, minPackets: 100 },
  limits: {
    flowrule: { enabled: true, max: 10, perS: 60 },
    zscore: { enabled: false, max: 10, perS: 60 },
    blacklist: { enabled: false, max: 10, perS: 60 },
    portscan: { enabled: false, max: 10, perS: 60 },
    synflood: { enabled: false, max: 10, perS: 60 },
    largesize: { enabled: false, max: 10, perS: 60 },
    unusual: { enabled: false, max: 10, perS: 60 },
    spike: { enabled: false, max: 10, perS: 60 },
    latency: { enabled: false, max: 10, perS: 60 },
    retrans: { enabled: false, max: 10, perS: 60 },
    protoshift: { enabled: false, max: 10, perS: 60 },
    longconn: { enabled: false, max: 10, perS: 60 },
    profile: { enabled: false, max: 10, perS: 60 },
  },
  connRecords: { enabled: true, max: 1_000_000 },
  profile: {
    enabled: true,
    weights: { statistical: 0.6, ml: 0.4 },
    threshold: 0.7,
    levels: { medium: 0.8, high: 0.9, critical: 0.95 },
    warmup: null,
    trees: 100,
    sampleSize: 256,
    seed: 1,
    minConnections: 10,
  },
  chunkBytes: 1024 * 1024,
  maxAlerts: 200_000,
  communityIdSeed: 0,
};

/** Detector names by abi.DET_* id (index 0 unused), as they appear in every output. */
export const DETECTOR_NAMES = ['', 'ZSCORE', 'BLACKLIST', 'PORTSCAN', 'SYNFLOOD', 'LARGESIZE', 'UNUSUAL', 'FLOWRULE', 'SPIKE', 'LATENCY', 'RETRANS', 'PROTOSHIFT', 'LONGCONN', 'PROFILE'] as const;
export type DetectorName = (typeof DETECTOR_NAMES)[number];

/** Per-detector alert counts in the summary. */
export interface DetectorCounts {
  /** Alerts (episodes) raised, reported + suppressed. */
  alerts: number;
  /** Alerts the rate limiter suppressed (kept, flagged `suppressed`). */
  suppressed: number;
  /** Packets that were evidence for this detector (rule detectors and SPIKE: the core's C_MARKS_*
   *  counters; ZSCORE: flagged packets = its alerts). FLOWRULE: flow windows that matched at least
   *  one rule. PROTOSHIFT: packets of the shifted classes and services in their episodes' windows
   *  (the kept alerts' counts). */
  evidencePackets: number;
}

/** What the content sniffer found (never the file name). */
export type InputFormat = 'pcap' | 'pcapng' | 'csv' | 'json' | 'jsonl' | 'lines' | 'unknown';
// 'lines': the headerless packet-line format of issue #3, one packet per line:
//   timestamp_ms,src,dst,sport,dport,proto,size,flags   e.g. 1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN
// flags: SYN, ACK, SYN-ACK, FIN, RST, PSH, NONE or combinations joined by '-'.

/** An expected failure, as a value (ARCHITECTURE.md rule 5). `offset` is a byte offset in the
 *  (decompressed) stream, `line` a 1-based line for CSV/JSON. */
export interface AnalysisError {
  code: string;
  message: string;
  offset?: number;
  line?: number;
}

/** Records skipped, by reason. Sum + packetsDecoded = recordsRead. */
export interface SkippedCounts {
  truncated: number;
  unsupportedLink: number;
  notIp: number;
  badHeader: number;
  /** CSV/JSON rows that could not be turned into a record (missing or invalid fields). */
  badRow: number;
}

export interface Summary {
  fileName: string;
  /** Bytes of the file as stored (compressed if gzip). */
  fileBytes: number;
  gzip: boolean;
  format: InputFormat;
  /** Link type of the first interface (pcap/pcapng), -1 for rows. */
  linktype: number;
  /** Bytes fed to the core (after decompression). */
  streamBytes: number;
  recordsRead: number;
  packetsDecoded: number;
  /** Sum of wire lengths of decoded packets. */
  bytesDecoded: number;
  skipped: SkippedCounts;
  flows: number;
  flowsLive: number;
  flowsExpired: number;
  flowsEvictedFull: number;
  channels: number;
  channelsEvictedFull: number;
  /** Smallest and largest packet timestamps, µs since the epoch (NaN with no packets). */
  tsFirstUs: number;
  tsLastUs: number;
  outOfOrder: number;
  ipv4: number;
  ipv6: number;
  tcp: number;
  udp: number;
  icmp: number;
  otherIp: number;
  fragmentsNonFirst: number;
  sections: number;
  interfaces: number;
  blocksSkipped: number;
  alerts: number;
  alertsDropped: number;
  /** By detector name (DETECTOR_NAMES without ''). */
  byDetector: Record<string, DetectorCounts>;
  /** Packets more than latenessS behind the newest one. */
  latePackets: number;
  /** Flow windows the core judged by the flow rules (C_FLOW_WINDOWS; only the matching ones leave
   *  the core). */
  flowWindows: number;
  /** Blacklist ranges loaded after merging. */
  blacklistRanges: number;
  /** Connection records written by the core (one per flow end) and those beyond connRecords.max
   *  that were counted but not kept. */
  conns: number;
  connsDropped: number;
  /** TCP data segments and retransmissions among them (assembly/detect/tcp-flow.ts), latency
   *  samples taken. */
  tcpDataSegments: number;
  tcpRetransmissions: number;
  latencySamples: number;
  elapsedMs: number;
  packetsPerS: number;
  mbPerS: number;
}

/** One (source, destination, protocol) channel that has alerts. */
export interface ChannelInfo {
  src: string;
  dst: string;
  proto: string;
  /** 36-byte channel key (src 16, dst 16, u32 protocol label) for a series request. */
  key: Uint8Array;
  alerts: number;
}

/** Number of flow features per FLOWRULE alert in AlertColumns.features (FEATURE_NAMES order:
 *  packets, bytes, mean_size, packets_per_s, bytes_per_s, dst_ports, syn_ratio). */
export const FEATURE_COUNT = 7;

/** Alerts of every detector as columns; index i of every array is one alert (one episode for
 *  the rule detectors, updated to its final state). Ordered by first time as raised.
 *  FLOWRULE rows (one per matching flow window and rule; src/worker/alert-collector.ts): tsUs/
 *  lastUs = the flow's first/last packet in the window, channel = orig → resp, sport/dport = orig/
 *  resp port, score 1, value and threshold NaN, windowS = the flow-window length, evidence = the
 *  window's packets, peakRate NaN, aux = late packets folded into the window, size/mean/std NaN. */
export interface AlertColumns {
  count: number;
  /** First and last evidence time, µs. */
  tsUs: Float64Array;
  lastUs: Float64Array;
  /** abi.DET_* and the detector's variant (abi.PORTSCAN_*, SYNFLOOD_*, BLACKLIST_MATCH_*). */
  detector: Uint8Array;
  variant: Uint8Array;
  severity: Uint8Array;
  /** Detector score: signed z (ZSCORE), value / threshold (rules), 1 for a flow rule match. */
  score: Float64Array;
  /** The measured number and the threshold it exceeded (ALERT_VALUE / ALERT_THRESHOLD). */
  value: Float64Array;
  threshold: Float64Array;
  /** The rule's window, seconds (0 when none). */
  windowS: Float64Array;
  /** Evidence packets of the episode (ALERT_COUNT), and the peak per-second rate of evidence. */
  evidence: Float64Array;
  peakRate: Float64Array;
  /** Variant-specific second number (abi.ts ALERT_AUX). */
  aux: Float64Array;
  /** Packet size (bytes) of the first evidence packet; the baseline's mean, σ and samples: ZSCORE
   *  (bytes, packets), SPIKE (the mean in B/s, σ in log2 units, windows; for a SPIKE_DST without a
   *  baseline of its own the population's: aux 1), PROTOSHIFT (share %, points, windows). */
  size: Float64Array;
  mean: Float64Array;
  std: Float64Array;
  samples: Uint32Array;
  recordIndex: Uint32Array;
  /** Byte offset of the packet record in the stream (pcap) or -1. */
  recordOffset: Float64Array;
  sport: Uint16Array;
  dport: Uint16Array;
  /** Index into AnalysisResult.channels: the alert's subject (src, dst, protocol). */
  channel: Uint32Array;
  /** Core episode id (0 for single-packet alerts and flow rules). */
  episode: Uint32Array;
  /** 1 when the rate limiter suppressed the alert. */
  suppressed: Uint8Array;
  /** Index into AnalysisResult.flowRules (the enabled rules) for FLOWRULE alerts, -1 otherwise. */
  rule: Int16Array;
  /** FEATURE_COUNT values per alert (FLOWRULE only; NaN otherwise). */
  features: Float64Array;
}

export interface AnalysisResult {
  /** false when a fatal error stopped the analysis; everything before it is still here. */
  ok: boolean;
  error?: AnalysisError;
  /** Non-fatal problems (first bad CSV rows, a truncated last record, ...). */
  warnings: AnalysisError[];
  cancelled: boolean;
  summary: Summary;
  alerts: AlertColumns;
  channels: ChannelInfo[];
  /** Names of the flow rules the analysis ran: the enabled ones, in options order (AlertColumns.rule
   *  indexes them); empty when flowFeatures.enabled is false. */
  flowRules: string[];
  /** Packet marks (abi.MARK_STRIDE-byte records, abi.MARK_*), in input order, only when the
   *  analysis ran with `collectMarks` (CLI --format reasons, pcap cuts). Memory: 64 B per packet
   *  that any rule flagged (a 1-million-packet flood costs 64 MB). */
  marks?: Uint8Array;
  /** For CSV/JSON input: the original row of each alert (same index as the alert columns). */
  rowFields?: Record<string, unknown>[];
  /** Connection records (one per flow end, in the order flows ended), with connRecords.enabled. */
  conns?: ConnColumns;
  /** The options the analysis ran with. */
  options: AnalysisOptions;
  /** The baseline applied (AnalyzeExtras.baselineJson). */
  baseline?: BaselineSummary;
  /** PROFILE: set when connections were scored (a baseline applied, or profile.warmup). */
  profile?: ProfileResult;
  /** With AnalyzeExtras.learn: the learnt baseline file's JSON text (src/ml/baseline-file.ts). */
  learnedBaseline?: string;
  /** Packets and bytes over capture time, from the core (issue #5 overview, timeline and protocols
   *  tab). Absent for results saved before it existed. */
  timeline?: TrafficTimeline;
  /** True for a snapshot taken while the file is still being read (Progress.partial): counters,
   *  alerts and timeline so far; no conns, profile or learnt baseline yet. */
  partial?: boolean;
}

/** Protocol classes of TrafficTimeline.classPackets/classBytes, in order (the core's class index,
 *  as PROTOSHIFT uses it). */
export const TIMELINE_CLASSES = ['TCP', 'UDP', 'ICMP', 'ICMPv6', 'other'] as const;

/**
 * Packets and wire bytes per time bin over the capture (assembly/detect/timeline.ts). Bin k covers
 * [startUs + k·binUs, startUs + (k+1)·binUs). The core keeps at most a fixed number of bins and
 * doubles binUs (merging neighbours) when the capture outgrows them, so memory does not depend on
 * the capture's length; packets timestamped before startUs (out of order) are counted in bin 0.
 * Rates: packets[k] / (binUs / 1e6) packets/s.
 */
export interface TrafficTimeline {
  /** Bin width, µs (a power-of-two multiple of the initial width). */
  binUs: number;
  /** Start of bin 0, µs since the epoch (the first packet's time, floored to the initial width). */
  startUs: number;
  /** Bins in use (arrays have this length). */
  bins: number;
  packets: Float64Array;
  bytes: Float64Array;
  /** Per TIMELINE_CLASSES entry, packets and bytes per bin. */
  classPackets: Float64Array[];
  classBytes: Float64Array[];
}

/** Extra inputs of an analysis (worker API analyze(), CLI learn / --baseline). */
export interface AnalyzeExtras {
  /** A baseline file's JSON text (src/ml/baseline-file.ts) to detect against: its core window
   *  baselines are seeded before the first packet and PROFILE scores every connection against its
   *  model. A bad file: ok = false, error.code 'bad-baseline' (message with the JSON path), nothing
   *  analysed. */
  baselineJson?: string;
  /** Learn a baseline from this capture: result.learnedBaseline is the file's JSON text. */
  learn?: boolean;
  // #5 flow: several files, each keeping its result; the charts must re-read the right one.
  /** The caller's id for this file (the page's queue item id): the worker remembers the file (and
   *  the seed, settings and baseline the series re-reads need) under it, and useTarget(id) points
   *  channelSeries/detectorSeries back at it. Without it only "the last analysed file" is kept. */
  targetId?: number;
  /** Partial results on request: Progress.partial comes only after FlowlensWorkerApi.wantPartial()
   *  (one per call, still at most once per PARTIAL_INTERVAL_MS). The page asks for the next one
   *  once it has drawn the last, so its main thread never receives snapshots it cannot draw.
   *  Without it a partial comes every PARTIAL_INTERVAL_MS. */
  partialsOnRequest?: boolean;
}

/** What a baseline holds (src/ml/baseline-file.ts describeBaseline), for lists and summaries. */
export interface BaselineSummary {
  /** ISO 8601 time of learning, and the capture it was learnt from. */
  createdAt: string;
  sourceFile: string;
  /** Training connections, distinct sources, sources with a profile. */
  connections: number;
  sources: number;
  profiled: number;
  /** Core window baselines: destinations with a SPIKE baseline, servers with a LATENCY baseline,
   *  services with a LONGCONN mean duration. */
  spikeDestinations: number;
  latencyServers: number;
  longconnServices: number;
  /** Size of the JSON text, bytes (UTF-8), when known. */
  sizeBytes?: number;
}

/** PROFILE threat levels at or above the alert threshold (src/ml/baseline-model.ts threatLevel). */
export type ProfileLevel = 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** One feature of a PROFILE alert: the connection's value against the source's baseline
 *  (src/ml/source-profile.ts Contribution). */
export interface ProfileFeature {
  /** origBytes, respBytes, duration, packets, connsPerMinute, dstsPerHour, service, hour, day,
   *  newSource. */
  feature: string;
  /** The connection's value, raw units (bytes, s, packets, per minute, per hour; the responder port
   *  for service, 0..23 UTC for hour, 0..6 for day). */
  value: number;
  /** Numeric features: the baseline's typical value in raw units (expm1 of the log1p mean) and
   *  its mean ± std in log1p units; categorical ones: typical = the source's connections with
   *  this value, mean = their share, std 0. */
  typical: number;
  baselineMean: number;
  baselineStd: number;
  /** z-score in log1p units (numeric features; 0 otherwise). */
  z: number;
  /** Tail probability and this feature's own surprise min(1, −log10 p / 6). */
  p: number;
  score: number;
  /** Readable value ("tcp/22"). */
  label?: string;
}

/** A source's baseline as shown next to a flagged connection. */
export interface ProfileBaseline {
  /** The profile the statistical score used: the source's own, or the population's (too few
   *  training connections, or an unknown source). */
  basis: 'source' | 'population';
  unknownSource: boolean;
  /** Training connections of that profile. */
  connections: number;
  /** Its most used services ("tcp/443"), share of its connections, at most 8, largest first. */
  topServices: { label: string; share: number }[];
  /** Distinct services (estimate beyond 32). */
  services: number;
  /** Connections per UTC hour of day (24) and day of week (7, Sunday = 0). */
  hours: number[];
  days: number[];
  /** Numeric features: typical value (raw units) and mean ± std in log1p units. */
  numeric: { feature: string; typical: number; mean: number; std: number }[];
}

/** One PROFILE alert's detail (AnalysisResult.profile.details; the alert's `aux` column is its
 *  index there). */
export interface ProfileDetail {
  /** Row of the alert in AnalysisResult.alerts. */
  alert: number;
  level: ProfileLevel;
  combined: number;
  statistical: number;
  ml: number;
  /** The connection. */
  connection: Connection;
  /** Every statistical feature, largest contribution first. */
  features: ProfileFeature[];
  baseline: ProfileBaseline;
  /** The alert's explanation (the same text as its JSONL/CSV message). */
  explanation: string;
}

/** The PROFILE run of an analysis (src/worker/profile.ts). */
export interface ProfileResult {
  /** Where the model came from: an applied baseline file, or learnt from the warm-up part. */
  mode: 'baseline' | 'warmup';
  /** Connections learnt from (warm-up) and scored. */
  learnt: number;
  scored: number;
  /** Connection records beyond connRecords.max that were neither learnt nor scored. */
  connsDropped: number;
  /** Alerts at LOW or above (raised; kept ones have a detail), by level. */
  byLevel: Record<ProfileLevel, number>;
  /** Details of the kept PROFILE alerts, in alert order. */
  details: ProfileDetail[];
  /** Warm-up only: the end of the learning part, µs (alerts of SPIKE, PROTOSHIFT, LATENCY and
   *  LONGCONN before it were dropped: counted here by detector name), and how it was given. */
  warmupEndUs?: number;
  warmup?: WarmupOption;
  droppedInWarmup?: Record<string, number>;
  /** Why no profile ran although one was asked for (too few connections to learn, ...). */
  skipped?: string;
}

/** Connection records as columns (src/worker/conn-collector.ts; abi.CONN_*): index i of every
 *  array is one flow, in the order the flows ended. Addresses are texts in `names` (orig/resp
 *  index into it). Bytes are wire bytes; payload is TCP sequence space (retransmissions counted
 *  once) or transport payload. */
export interface ConnColumns {
  count: number;
  /** First and last packet time, µs. */
  firstUs: Float64Array;
  lastUs: Float64Array;
  /** Indices into `names`. */
  orig: Uint32Array;
  resp: Uint32Array;
  names: string[];
  origPort: Uint16Array;
  respPort: Uint16Array;
  /** IP protocol number. */
  proto: Uint8Array;
  /** abi.CONN_STATE_* (Zeek conn_state). */
  state: Uint8Array;
  /** abi.FWIN_END_IDLE / EVICTED / INPUT. */
  end: Uint8Array;
  flagsOrig: Uint8Array;
  flagsResp: Uint8Array;
  vlan: Uint32Array;
  pktsOrig: Float64Array;
  pktsResp: Float64Array;
  bytesOrig: Float64Array;
  bytesResp: Float64Array;
  payloadOrig: Float64Array;
  payloadResp: Float64Array;
  firstRecord: Uint32Array;
  dataSegments: Uint32Array;
  retransmissions: Uint32Array;
  /** Handshake RTT, µs; NaN when not measured. */
  rttUs: Float64Array;
}

/** Every packet of one channel with the baseline it was scored against, for the chart. */
export interface ChannelSeries {
  tsUs: Float64Array;
  size: Float64Array;
  /** Baseline mean and effective σ before the packet; NaN while the channel was warming up. */
  mean: Float64Array;
  std: Float64Array;
  z: Float64Array;
  flagged: Uint8Array;
  /** The raw TRACE_FLAGS and TRACE_RECORD_INDEX of each point (detector traces give them
   *  detector-specific meanings: assembly/abi.ts TRACE_KEY_BYTES). */
  flags?: Uint32Array;
  recordIndex?: Uint32Array;
  /** True when the series hit its point limit and stops early. */
  truncated: boolean;
}

/** Progress report, sent at most ~10 times a second. */
export interface Progress {
  bytesRead: number;
  fileBytes: number;
  packets: number;
  packetsPerS: number;
  alerts: number;
  /** At most once every PARTIAL_INTERVAL_MS while reading: the result so far (partial = true). */
  partial?: AnalysisResult;
}

/** Least time between two partial results (Progress.partial), ms. */
export const PARTIAL_INTERVAL_MS = 1000;

/** The evidence series behind a PORTSCAN, SYNFLOOD, SPIKE, LATENCY or PROTOSHIFT alert, for its
 *  chart: one point per probe (PORTSCAN: distinct ports of the target probed in the window after
 *  it), per SYN to the victim (SYNFLOOD: SYNs in the window after it), per closed metric window
 *  (SPIKE: the destination's, or all traffic's, bytes/s in the window; tsUs = the window start;
 *  quiet windows of a destination are points of 0; PROTOSHIFT: the flagged row's share of the
 *  window's packets, 0..1, tsUs = the window start) or per latency sample of the alert's variant
 *  (LATENCY: the sample in ms at the packet that completed it, of the alert's server). */
export interface DetectorSeries {
  detector: 'PORTSCAN' | 'SYNFLOOD' | 'SPIKE' | 'LATENCY' | 'PROTOSHIFT';
  tsUs: Float64Array;
  value: Float64Array;
  /** SPIKE: per window, the baseline mean before it (B/s) and the MEDIUM and HIGH thresholds
   *  in force when it closed (B/s; NaN while the baseline warms up, HIGH NaN while not possible;
   *  for a destination without a baseline of its own, the population's), and `flagged` 1 when the
   *  window crossed its threshold.
   *  LATENCY: per sample, the server's baseline mean and std before it (ms; NaN before its first
   *  sample), the MEDIUM threshold (ms, from the core; NaN while the server warms up), the HIGH
   *  threshold (ms, max(highRatio·mean, mean + minExcessMs, mean + minSigmas·std) with the
   *  analysis' options, the formula of assembly/detect/latency.ts; NaN while warming up) and
   *  `flagged` 0, 1 (above MEDIUM) or 2 (above HIGH). */
  mean?: Float64Array;
  std?: Float64Array;
  medium?: Float64Array;
  high?: Float64Array;
  flagged?: Uint8Array;
  /** PROTOSHIFT: every class and tracked service per window; `focus` = the alert's row in it
   *  (-1 when the trace has no such row). */
  shares?: ProtocolShareSeries;
  focus?: number;
  /** The rule's threshold and window, seconds (LATENCY: the alert's threshold in ms, window 0;
   *  PROTOSHIFT: the threshold in percentage points, the metric window). */
  threshold: number;
  windowS: number;
  /** True when the series hit its point limit and stops early. */
  truncated: boolean;
}

/** One row of a ProtocolShareSeries: a protocol class (TCP, UDP, ICMP, ICMPv6, other: index
 *  0..4 in `classIndex`, proto/port 0) or a tracked service (classIndex -1; IP protocol and
 *  responder port). */
export interface ShareRow {
  label: string;
  classIndex: number;
  proto: number;
  port: number;
}

/** Per metric window, the share of its packets of each protocol class and tracked service
 *  (src/worker/protocol-shares.ts decodes it from the PROTOSHIFT trace). Row r, window w:
 *  shares[r][w] in 0..1 (0 when the row had no point in that window), baseline[r][w] and
 *  std[r][w] the baseline share before the window and its std (NaN in warm-up or unknown),
 *  flagged[r][w] 1 when the core flagged that row in that window. */
export interface ProtocolShareSeries {
  /** Window starts, µs, ascending. */
  tsUs: Float64Array;
  /** Packets of each window. */
  packets: Float64Array;
  rows: ShareRow[];
  shares: Float64Array[];
  baseline: Float64Array[];
  std: Float64Array[];
  flagged: Uint8Array[];
  windowS: number;
  /** The trace hit its point limit: later windows are missing (the cut window is dropped). */
  truncated: boolean;
}
