// The worker's service object (FlowlensWorkerApi) over an engine loader. Kept apart from
// worker.ts (which only exposes it) so that tests can run the same service over a MessageChannel
// in Node and check what Comlink transfers.
import * as Comlink from 'comlink';
import * as abi from '../shared/abi';
import type { FlowlensWorkerApi } from './api';
import type { Engine } from './engine';
import { analyzeBlob, type CancelToken, type PartialGate } from './pipeline';
import { type AnalysisOptions, type AnalysisResult, type AnalyzeExtras, type BaselineSummary, type ChannelSeries, type DetectorSeries, type Progress } from '../shared/protocol';
import { baselineFileFromJson, checkBaselineFile, type BaselineFile } from '../ml/baseline-file';
import { decodeProtocolShares, shareRowIndex } from './protocol-shares';
import { sha256OfBlob } from './hash'; // #5 sessions
// #5 exports: packet cuts
import type { CutPackets, CutPacketsRequest } from './api';
import { cutPacketsOf, markEveryPacket } from './packet-cut';

/** What detectorSeries() needs of the last result, copied before its columns are transferred
 *  away: 1 + 1 + 4 + 8 + 8 + 8 + 2 bytes per alert plus the channel keys. */
interface AlertIndex {
  detector: Uint8Array;
  variant: Uint8Array;
  channel: Uint32Array;
  threshold: Float64Array;
  windowS: Float64Array;
  aux: Float64Array;
  dport: Uint16Array;
  keys: Uint8Array[];
}

function indexOf(r: AnalysisResult): AlertIndex {
  const a = r.alerts;
  return {
    detector: a.detector.slice(),
    variant: a.variant.slice(),
    channel: a.channel.slice(),
    threshold: a.threshold.slice(),
    windowS: a.windowS.slice(),
    aux: a.aux.slice(),
    dport: a.dport.slice(),
    keys: r.channels.map((c) => c.key.slice()),
  };
}

// #5 flow: several analysed files, each re-readable for its charts (AnalyzeExtras.targetId).
/** Files kept for useTarget(): the oldest is forgotten past this many. */
export const TARGETS_KEPT = 64;

/** Builds the API; `loadEngine` is called once, lazily. */
export function createWorkerApi(loadEngine: () => Promise<Engine>): FlowlensWorkerApi {
  let enginePromise: Promise<Engine> | null = null;
  const engine = () => (enginePromise ??= loadEngine());
  /** The running analysis: its cancel flag and, with AnalyzeExtras.partialsOnRequest, its partial gate. */
  let current: { token: CancelToken; gate?: PartialGate } | null = null;
  type Target = { file: Blob; fileName: string; options: AnalysisOptions; streamBytes?: number; alerts: AlertIndex; baseline?: BaselineFile };
  let last: Target | null = null;
  // #5 flow: the files analysed with a targetId (insertion order = age).
  const targets = new Map<number, Target>();

  // #5 flow: one WASM instance (engine.ts): an analysis and a series re-read must never interleave
  // (the page may chart one file while the queue analyses the next), so every use of the engine
  // runs after the previous one ended.
  let engineTail: Promise<unknown> = Promise.resolve();
  function exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = engineTail.then(fn, fn);
    engineTail = run.catch(() => undefined);
    return run;
  }
  /** The target of a series request: the file analysed under `targetId`, else the last one. */
  function targetOf(targetId: number | undefined): Target {
    const t = targetId === undefined ? last : targets.get(targetId);
    if (!t) {
      throw new Error(
        targetId === undefined ? 'no analysis to take a series from' : `the worker holds no analysed file with id ${targetId} (it keeps the last ${TARGETS_KEPT})`,
      );
    }
    return t;
  }

  /** Re-reads target `last` with one key traced (CFG_TRACE_DETECTOR = `detector`). */
  async function trace(last: Target, key: Uint8Array, maxPoints: number, detector: number): Promise<ChannelSeries> {
    const out = await exclusive(async () => analyzeBlob(await engine(), last.file, last.fileName, last.options, {
      traceKey: key,
      traceDetector: detector,
      traceMaxPoints: maxPoints,
      maxStreamBytes: last.streamBytes,
      baseline: last.baseline,
    }));
    return out.series!;
  }

  /** LATENCY: the samples of the alert's server (key dst = the server, label = its port) of the
   *  alert's variant, with the baseline and thresholds each was judged against. */
  async function latencySeries(last: Target, i: number, maxPoints: number): Promise<DetectorSeries> {
    const a = last.alerts;
    const key = new Uint8Array(abi.TRACE_KEY_BYTES);
    key.set(a.keys[a.channel[i]].subarray(16, 32), 16);
    new DataView(key.buffer).setUint32(32, a.dport[i], true);
    const s = await trace(last, key, maxPoints, abi.DET_LATENCY);
    const variant = a.variant[i];
    const flags = s.flags ?? new Uint32Array(s.tsUs.length);
    const keep: number[] = [];
    for (let k = 0; k < s.tsUs.length; k++) if (((flags[k] >>> 8) & 0xff) === variant) keep.push(k);
    const pick = (col: Float64Array) => Float64Array.from(keep, (k) => col[k]);
    const mean = pick(s.mean);
    const std = pick(s.std);
    const medium = pick(s.z);
    const lat = last.options.rules.latency;
    // detect/latency.ts: HIGH when x > max(r2 m, m + e, m + k std), judged only when warm (TRACE_Z set).
    const high = medium.map((med, k) =>
      Number.isFinite(med) ? Math.max(lat.highRatio * mean[k], mean[k] + lat.minExcessMs, mean[k] + lat.minSigmas * std[k]) : NaN,
    );
    const flagged = Uint8Array.from(keep, (k) => ((flags[k] & 4) !== 0 ? 2 : (flags[k] & 2) !== 0 ? 1 : 0));
    const series: DetectorSeries = {
      detector: 'LATENCY',
      tsUs: pick(s.tsUs),
      value: pick(s.size),
      mean,
      std,
      medium,
      high,
      flagged,
      threshold: a.threshold[i],
      windowS: 0,
      truncated: s.truncated,
    };
    return Comlink.transfer(series, [series.tsUs, series.value, mean, std, medium, high].map((c) => c.buffer as ArrayBuffer).concat(flagged.buffer as ArrayBuffer));
  }

  /** PROTOSHIFT: every class's and tracked service's share per metric window (the key is ignored;
   *  a window is 5 + up to 16 points, so `maxPoints` covers at least maxPoints / 21 windows). */
  async function protoshiftSeries(last: Target, i: number, maxPoints: number): Promise<DetectorSeries> {
    const a = last.alerts;
    const s = await trace(last, new Uint8Array(abi.TRACE_KEY_BYTES), maxPoints, abi.DET_PROTOSHIFT);
    const n = s.tsUs.length;
    const shares = decodeProtocolShares(
      { ...s, flags: s.flags ?? new Uint32Array(n), recordIndex: s.recordIndex ?? new Uint32Array(n) },
      last.options.baseline.windowS,
      s.truncated,
    );
    const focus = shareRowIndex(shares, a.variant[i], a.aux[i]);
    const series: DetectorSeries = {
      detector: 'PROTOSHIFT',
      tsUs: shares.tsUs,
      value: focus >= 0 ? shares.shares[focus] : new Float64Array(shares.tsUs.length),
      shares,
      focus,
      threshold: a.threshold[i],
      windowS: shares.windowS,
      truncated: s.truncated,
    };
    return series;
  }

  return {
    async analyze(file: Blob, fileName: string, options: AnalysisOptions, onProgress?: (p: Progress) => void, extras: AnalyzeExtras = {}) {
      // #5 flow: partials on request (the page asks for the next once it drew the last one).
      const run = { token: { cancelled: false }, gate: extras.partialsOnRequest ? { wanted: false } : undefined };
      current = run;
      // Fix the seed so that a series re-read sees the same tables.
      const fixed = { ...options, seed: options.seed ?? (Math.random() * 0xffffffff) >>> 0 };
      // The baseline is parsed once (the pipeline refuses a bad one) and kept for the re-reads.
      let baseline: BaselineFile | undefined;
      if (extras.baselineJson !== undefined) {
        try {
          baseline = baselineFileFromJson(extras.baselineJson, fixed);
        } catch {
          baseline = undefined; // analyzeBlob parses the text again and returns 'bad-baseline'
        }
      }
      const out = await exclusive(async () => analyzeBlob(await engine(), file, fileName, fixed, {
        onProgress,
        partialGate: run.gate,
        cancel: run.token,
        learn: extras.learn,
        // The text too: its size goes into result.baseline, and a bad one is refused from it.
        baseline,
        baselineJson: extras.baselineJson,
      }));
      if (current === run) current = null;
      last = { file, fileName, options: fixed, alerts: indexOf(out.result), baseline };
      // After a cancel, the chart must not show packets past the point where reading stopped.
      if (out.result.cancelled) last.streamBytes = out.result.summary.streamBytes;
      // #5 flow
      if (extras.targetId !== undefined) {
        targets.delete(extras.targetId);
        targets.set(extras.targetId, last);
        while (targets.size > TARGETS_KEPT) targets.delete(targets.keys().next().value as number);
      }
      return Comlink.transfer(out.result, out.transfer);
    },
    cancel() {
      if (current) current.token.cancelled = true;
    },
    wantPartial() {
      if (current?.gate) current.gate.wanted = true;
    },
    // #5 flow
    async useTarget(targetId: number): Promise<void> {
      last = targetOf(targetId);
    },
    async checkBaseline(text: string): Promise<BaselineSummary> {
      // Rejects with the BaselineFormatError (its message names the JSON path); the core part is
      // checked against the metric window it was learnt with (applying it checks the settings).
      return checkBaselineFile(text).summary;
    },
    async channelSeries(key: Uint8Array, maxPoints: number, targetId?: number): Promise<ChannelSeries> {
      const s = await trace(targetOf(targetId), key, maxPoints, 0);
      return Comlink.transfer(s, [s.tsUs, s.size, s.mean, s.std, s.z, s.flagged].map((a) => a.buffer as ArrayBuffer));
    },
    // #5 exports: packet cuts (src/worker/packet-cut.ts). Re-reads the target file (default: the
    // last analysed or useTarget's) with marks; never at the same time as another engine use.
    async cutPackets(request: CutPacketsRequest, targetId?: number): Promise<CutPackets> {
      const l = targetOf(targetId);
      const cut = await cutPacketsOf(request, l.file, (everyPacket) =>
        exclusive(async () => {
          const options = everyPacket ? markEveryPacket(l.options) : l.options;
          const out = await analyzeBlob(await engine(), l.file, l.fileName, options, {
            collectMarks: true,
            maxStreamBytes: l.streamBytes,
            baseline: l.baseline,
          });
          return out.result;
        }),
      );
      return Comlink.transfer(cut, [cut.bytes.buffer as ArrayBuffer]);
    },
    // #5 exports: end
    async detectorSeries(alertIndex: number, maxPoints: number, targetId?: number): Promise<DetectorSeries> {
      const last = targetOf(targetId);
      const a = last.alerts;
      if (!Number.isInteger(alertIndex) || alertIndex < 0 || alertIndex >= a.detector.length) {
        throw new Error(`alert ${alertIndex} does not exist (the last result has ${a.detector.length})`);
      }
      const det = a.detector[alertIndex];
      const variant = a.variant[alertIndex];
      if (det === abi.DET_LATENCY) return latencySeries(last, alertIndex, maxPoints);
      if (det === abi.DET_PROTOSHIFT) return protoshiftSeries(last, alertIndex, maxPoints);
      // abi.ts TRACE_KEY_BYTES: PORTSCAN keys are (scanner, target), SYNFLOOD keys the victim, SPIKE
      // keys the destination (all-zero dst: the global series, which a SPIKE_GLOBAL alert's key
      // has); an address scan has no single target and a spread flood no single victim.
      const slow = det === abi.DET_SYNFLOOD && variant === abi.SYNFLOOD_SLOW;
      const traceable =
        (det === abi.DET_PORTSCAN && variant !== abi.PORTSCAN_HOSTS) || (det === abi.DET_SYNFLOOD && (variant === abi.SYNFLOOD_DST || slow)) ||
        det === abi.DET_SPIKE;
      if (!traceable) {
        throw new Error(
          `alert ${alertIndex} has no evidence series (only port scans of one target, SYN floods of one victim, traffic spikes, latency and protocol shifts have one)`,
        );
      }
      const s = await trace(last, a.keys[a.channel[alertIndex]], maxPoints, det);
      const series: DetectorSeries = {
        detector: det === abi.DET_PORTSCAN ? 'PORTSCAN' : det === abi.DET_SYNFLOOD ? 'SYNFLOOD' : 'SPIKE',
        tsUs: s.tsUs,
        // The core traces the victim's SYNs with the one-victim tier's count; the low-and-slow
        // tier's count is recomputed here over its own window from the same SYN points.
        value: slow ? slidingCount(s.tsUs, a.windowS[alertIndex]) : s.size,
        threshold: a.threshold[alertIndex],
        windowS: a.windowS[alertIndex],
        truncated: s.truncated,
      };
      const buffers = [series.tsUs.buffer as ArrayBuffer, series.value.buffer as ArrayBuffer];
      if (det === abi.DET_SPIKE) {
        // abi.ts / detect/metrics.ts: TRACE_MEAN = the baseline mean, TRACE_STD = the MEDIUM
        // threshold, TRACE_Z = the HIGH threshold, flags bit 1 = the window crossed.
        series.mean = s.mean;
        series.medium = s.std;
        series.high = s.z;
        series.flagged = s.flagged;
        buffers.push(s.mean.buffer as ArrayBuffer, s.std.buffer as ArrayBuffer, s.z.buffer as ArrayBuffer, s.flagged.buffer as ArrayBuffer);
      }
      return Comlink.transfer(series, buffers);
    },
    // #5 sessions: the file's hash for the saved session.
    fileSha256: (file: Blob) => sha256OfBlob(file),
  };
}

/**
 * For each point i of `tsUs` (µs, any order), the number of points with a time in
 * (tsUs[i] − windowS, tsUs[i]]: an exact sliding count (the core's bucketed SYN count covers
 * between 15/16 and all of the window, so it is at most this). O(n log n).
 */
export function slidingCount(tsUs: Float64Array, windowS: number): Float64Array {
  const n = tsUs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => tsUs[x] - tsUs[y]);
  const out = new Float64Array(n);
  const winUs = windowS * 1e6;
  let lo = 0;
  let hi = 0;
  for (let k = 0; k < n; k++) {
    const t = tsUs[order[k]];
    while (hi < n && tsUs[order[hi]] <= t) hi++;
    while (tsUs[order[lo]] <= t - winUs) lo++;
    out[order[k]] = hi - lo;
  }
  return out;
}
