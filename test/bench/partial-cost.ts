// CPU cost of partial results (Progress.partial) on the CLI path (direct reads, the worker's
// pipeline): the same analysis with a progress report after every chunk, once without partials
// and once with a partial on every report; (difference) / partials = CPU per partial. Twice each,
// interleaved. Usage: npx tsx test/bench/partial-cost.ts CAPTURE [MAX_STREAM_BYTES]
import { closeSync, openAsBlob, openSync } from 'node:fs';
import { analyzeBlob } from '../../src/worker/pipeline';
import { fileReader, nodeEngine } from '../../src/cli/main';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';

const path = process.argv[2];
const maxStreamBytes = Number(process.argv[3] ?? 100e6);
const cpu: Record<string, number[]> = { without: [], with: [] };
let partials = 0;
for (let rep = 0; rep < 2; rep++) {
  for (const mode of ['without', 'with'] as const) {
    const fd = openSync(path, 'r');
    let n = 0;
    const c0 = process.cpuUsage();
    const { result } = await analyzeBlob(await nodeEngine(), await openAsBlob(path), 'x', { ...DEFAULT_OPTIONS, seed: 1 }, {
      direct: fileReader(fd),
      maxStreamBytes,
      progressIntervalMs: 0,
      partialIntervalMs: mode === 'with' ? 0 : Infinity,
      onProgress: (p) => void (p.partial && n++),
    });
    const u = process.cpuUsage(c0);
    closeSync(fd);
    cpu[mode].push((u.user + u.system) / 1e6);
    if (mode === 'with') partials = n;
    console.log(rep, mode.padEnd(8), 'partials', cpu[mode].at(-1)!.toFixed(2), 's cpu', 'partials', n, 'packets', result.summary.packetsDecoded, 'alerts', result.alerts.count, 'channels', result.channels.length);
  }
}
const d = cpu.with.map((w, i) => (w - cpu.without[i]) / partials);
console.log('CPU per partial:', d.map((x) => (x * 1000).toFixed(1) + ' ms').join(', '));
