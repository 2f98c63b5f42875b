// Cost of progress reports and partial results (Progress.partial) on the CLI path (direct reads,
// same pipeline as the worker): CPU seconds (best of 3) of one analysis with no onProgress, with
// progress every 100 ms and partials every PARTIAL_INTERVAL_MS (the page's setting), and with a
// partial on every 100 ms report (10x the default rate), and the partials seen. Cost of one
// partial ≈ (CPU with − CPU without) / partials. Usage: npx tsx test/bench/partial-cost.ts CAPTURE
import { closeSync, openAsBlob, openSync } from 'node:fs';
import { analyzeBlob, type PipelineHooks } from '../../src/worker/pipeline';
import { fileReader, nodeEngine } from '../../src/cli/main';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';

const path = process.argv[2];
const modes: Array<[string, PipelineHooks | null]> = [
  ['no progress', null],
  ['progress, partial 1 s', { progressIntervalMs: 100 }],
  ['progress, partial 100 ms', { progressIntervalMs: 100, partialIntervalMs: 0 }],
];
for (const [name, hooks] of modes) {
  let best = Infinity;
  let packets = 0;
  let partials = 0;
  for (let rep = 0; rep < 3; rep++) {
    const o: AnalysisOptions = structuredClone({ ...DEFAULT_OPTIONS, seed: 1 });
    const engine = await nodeEngine();
    const blob = await openAsBlob(path);
    const fd = openSync(path, 'r');
    let n = 0;
    const h: PipelineHooks = { direct: fileReader(fd) };
    if (hooks) Object.assign(h, hooks, { onProgress: (p: { partial?: unknown }) => void (p.partial && n++) });
    const c0 = process.cpuUsage();
    const { result } = await analyzeBlob(engine, blob, 'x', o, h);
    const u = process.cpuUsage(c0);
    closeSync(fd);
    packets = result.summary.packetsDecoded;
    const s = (u.user + u.system) / 1e6;
    if (s < best) {
      best = s;
      partials = n;
    }
  }
  console.log(name.padEnd(26), best.toFixed(2), 's cpu', (packets / best / 1e6).toFixed(2), 'M pkt/s', hooks ? `partials ${partials}` : '');
}
