// The worker's service object (FlowlensWorkerApi) over an engine loader. Kept apart from
// worker.ts (which only exposes it) so that tests can run the same service over a MessageChannel
// in Node and check what Comlink transfers.
import * as Comlink from 'comlink';
import type { FlowlensWorkerApi } from './api';
import type { Engine } from './engine';
import { analyzeBlob, type CancelToken } from './pipeline';
import type { AnalysisOptions, ChannelSeries, Progress } from '../shared/protocol';

/** Builds the API; `loadEngine` is called once, lazily. */
export function createWorkerApi(loadEngine: () => Promise<Engine>): FlowlensWorkerApi {
  let enginePromise: Promise<Engine> | null = null;
  const engine = () => (enginePromise ??= loadEngine());
  let current: CancelToken | null = null;
  let last: { file: Blob; fileName: string; options: AnalysisOptions; streamBytes?: number } | null = null;
  return {
    async analyze(file: Blob, fileName: string, options: AnalysisOptions, onProgress?: (p: Progress) => void) {
      const token: CancelToken = { cancelled: false };
      current = token;
      // Fix the seed so that a channel series re-read sees the same tables.
      last = { file, fileName, options: { ...options, seed: options.seed ?? (Math.random() * 0xffffffff) >>> 0 } };
      const out = await analyzeBlob(await engine(), file, fileName, last.options, { onProgress, cancel: token });
      if (current === token) current = null;
      // After a cancel, the chart must not show packets past the point where reading stopped.
      if (out.result.cancelled) last.streamBytes = out.result.summary.streamBytes;
      return Comlink.transfer(out.result, out.transfer);
    },
    cancel() {
      if (current) current.cancelled = true;
    },
    async channelSeries(key: Uint8Array, maxPoints: number): Promise<ChannelSeries> {
      if (!last) throw new Error('no analysis to take a channel from');
      const out = await analyzeBlob(await engine(), last.file, last.fileName, last.options, {
        traceKey: key,
        traceMaxPoints: maxPoints,
        maxStreamBytes: last.streamBytes,
      });
      const s = out.series!;
      return Comlink.transfer(s, [s.tsUs, s.size, s.mean, s.std, s.z, s.flagged].map((a) => a.buffer as ArrayBuffer));
    },
  };
}
