// The worker's Comlink surface, as the page sees it. Implemented by src/worker/worker.ts.
import type { AnalysisOptions, AnalysisResult, AnalyzeExtras, BaselineSummary, ChannelSeries, DetectorSeries, Progress } from '../shared/protocol';

export interface FlowlensWorkerApi {
  /**
   * Analyses a File/Blob (never its bytes: the worker reads it in chunks). `onProgress` is a
   * Comlink.proxy callback, called at most ~10 times a second. Resolves with the result (typed
   * arrays transferred); a fatal input error resolves with ok=false and everything before it.
   * `extras`: a baseline file's text to detect against (seeded core baselines, PROFILE alerts,
   * result.baseline; a bad file resolves with ok=false, error.code 'bad-baseline' and the JSON path,
   * nothing analysed) and/or `learn` (result.learnedBaseline: the file's JSON text).
   */
  analyze(file: Blob, fileName: string, options: AnalysisOptions, onProgress?: (p: Progress) => void, extras?: AnalyzeExtras): Promise<AnalysisResult>;
  /** Checks a baseline file's text (src/ml/baseline-file.ts checkBaselineFile: every part, the core
   *  part against the metric window it was learnt with), e.g. before the page imports it; resolves
   *  with its summary (sizeBytes set) or rejects with the BaselineFormatError message (JSON path
   *  included). Whether it fits the current settings is checked when analyze() applies it. */
  checkBaseline(text: string): Promise<BaselineSummary>;
  /** Stops the running analysis at the next chunk; it resolves with cancelled=true and what was read. */
  cancel(): void;
  /** Asks the running analysis (started with AnalyzeExtras.partialsOnRequest) for one more partial
   *  result, attached to a progress report once PARTIAL_INTERVAL_MS have passed since the last;
   *  nothing when no analysis runs. */
  wantPartial(): void;
  /** Re-reads the last analysed file (with the same applied baseline seeded, so series and alerts
   *  agree) and returns every packet of one channel (ChannelInfo.key) with its baseline, at most
   *  `maxPoints` points. */
  channelSeries(key: Uint8Array, maxPoints: number, targetId?: number): Promise<ChannelSeries>;
  /** Re-reads the last analysed file and returns the evidence series of alert `alertIndex` (a
   *  PORTSCAN alert of one target, a SYNFLOOD alert of one victim, or a SPIKE alert: the metric
   *  windows of its destination or of all traffic with the baseline band, of the last result), at most
   *  `maxPoints` points. Rejects for other alerts (address scans, spread floods, other detectors)
   *  and for an index outside the last result. */
  detectorSeries(alertIndex: number, maxPoints: number, targetId?: number): Promise<DetectorSeries>;
  // #5 flow: channelSeries/detectorSeries with `targetId` re-read the file analysed with
  // AnalyzeExtras.targetId = targetId (rejecting for an id the worker no longer holds) instead of
  // the last one. Series re-reads and analyses never run at the same time: a series requested
  // while a file is being analysed waits for it to end.
  /** Points channelSeries/detectorSeries (without a targetId) at the file analysed with AnalyzeExtras.targetId =
   *  `targetId` (the page switches between the results of several files). The worker keeps the
   *  last TARGETS_KEPT such files (a File handle and the alert index, never the bytes); rejects
   *  for an id it does not hold. */
  useTarget(targetId: number): Promise<void>;
  // #5 sessions:
  /** Lowercase hex SHA-256 of `file`'s bytes (src/worker/hash.ts: read through Blob.stream(),
   *  hashed incrementally in constant memory). For the saved session; call after the analysis. */
  fileSha256(file: Blob): Promise<string>;
  // #5 exports: packet cuts
  /**
   * Re-reads the last analysed file with the core's packet marks (collectMarks; same options,
   * seed and baseline, so the alerts are the same) and cuts packet records out of it
   * (src/io/pcap-cut.ts) into a new capture of the input's format: original records, bytes and
   * timestamps; gzip input is gunzipped (DecompressionStream) and the cut is uncompressed.
   * `{alerts}`: the packets of those alerts (indices into the last result; alertPacketIndexes(),
   * the same as `flowlens analyze --pcap-out F --pcap-alert N`). `{allAlerts}`: the evidence
   * packets of every alert (cutIndexes(), the same as `--pcap-out F` alone; suppressed alerts only
   * with includeSuppressed). `{flows}`: every packet of those flows, both directions (a second
   * re-read marks every decoded packet, LARGESIZE over 0 bytes; a packet belongs to a flow when its
   * protocol, ends and ports, either way round, are the flow's and its time lies in the flow's
   * span; ICMP by ends and time only). Rejects when there is no last file, it is not pcap/pcapng, an alert
   * index is out of range, or the capture is malformed (PcapCutError's message). `targetId`: as
   * for channelSeries (#5 flow).
   */
  cutPackets(request: CutPacketsRequest, targetId?: number): Promise<CutPackets>;
  // #5 exports: end
}

// #5 exports: packet cuts
/** What cutPackets() cuts: some alerts' packets, or the evidence packets of all alerts. */
export type CutPacketsRequest = { alerts: number[] } | { allAlerts: true; includeSuppressed?: boolean } | { flows: FlowKey[] };

/** One flow (a connection record of AnalysisResult.conns) to cut: its ends as the record names
 *  them (orig = src), IP protocol, ports (ICMP: ignored) and its first and last packet time (µs,
 *  inclusive). */
export interface FlowKey {
  src: string;
  dst: string;
  proto: number;
  sport: number;
  dport: number;
  fromUs: number;
  toUs: number;
}

/** A cut capture: the file's bytes (transferred), its format (= the input's) and its records. */
export interface CutPackets {
  bytes: Uint8Array;
  format: 'pcap' | 'pcapng';
  /** Packet records written. */
  records: number;
}
// #5 exports: end
