// Types that cross the worker boundary and reach the CLI: options in, results out. Plain data
// only (structured-clone safe); bulk columns are typed arrays that the worker transfers.
// Imports nothing but the ABI mirror.

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

export interface AnalysisOptions {
  zscore: ZScoreOptions;
  flow: FlowOptions;
  /** Bytes read from the file per chunk. Default 1 MiB. */
  chunkBytes: number;
  /** Hash seed; undefined means a random one per analysis. */
  seed?: number;
  /** Alerts kept in the result; the rest are counted in summary.alertsDropped. Default 200,000. */
  maxAlerts: number;
}

export const DEFAULT_OPTIONS: AnalysisOptions = {
  zscore: { enabled: true, window: 1000, threshold: 3.0, minSamples: 3, minStdBytes: 1, minStdFraction: 0.05 },
  flow: {
    tcpTimeoutS: 300,
    udpTimeoutS: 60,
    icmpTimeoutS: 60,
    otherTimeoutS: 60,
    capacity: 65536,
    memoryCapBytes: 256 * 1024 * 1024,
  },
  chunkBytes: 1024 * 1024,
  maxAlerts: 200_000,
};

/** What the content sniffer found (never the file name). */
export type InputFormat = 'pcap' | 'pcapng' | 'csv' | 'json' | 'jsonl' | 'unknown';

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

/** Flagged packets as columns; index i of every array is one alert. */
export interface AlertColumns {
  count: number;
  tsUs: Float64Array;
  size: Float64Array;
  z: Float64Array;
  mean: Float64Array;
  std: Float64Array;
  samples: Uint32Array;
  severity: Uint8Array;
  detector: Uint8Array;
  recordIndex: Uint32Array;
  /** Byte offset of the packet record in the stream (pcap) or -1. */
  recordOffset: Float64Array;
  sport: Uint16Array;
  dport: Uint16Array;
  /** Index into AnalysisResult.channels. */
  channel: Uint32Array;
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
  /** For CSV/JSON input: the original row of each alert (same index as the alert columns). */
  rowFields?: Record<string, unknown>[];
  /** The options the analysis ran with. */
  options: AnalysisOptions;
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
}
