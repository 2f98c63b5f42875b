// Quick comparison for core work: CPU seconds (best of 3) of the core alone on a capture already
// in memory, z-score only ('z') versus every detector ('all'), no file reads, no JS sink work.
// Usage: npx tsx test/bench/core-cpu.ts CAPTURE [z,all]. CPU time, not wall time, so that other
// processes on the machine disturb it less. `npm run bench` is the reference benchmark.
import { readFileSync } from 'node:fs';
import { nodeEngine } from '../../src/cli/main';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';
import { coreConfig, ruleInputs } from '../../src/worker/pipeline';
const bytes = readFileSync(process.argv[2]);
const modes = (process.argv[3] ?? 'z,all').split(',');
for (const mode of modes) {
  let best = Infinity;
  let packets = 0;
  for (let rep = 0; rep < 3; rep++) {
    const o: AnalysisOptions = structuredClone({ ...DEFAULT_OPTIONS, seed: 1 });
    if (mode === 'z') {
      const r = o.rules as any;
      for (const k of Object.keys(r)) if (r[k] && typeof r[k] === 'object' && 'enabled' in r[k]) r[k].enabled = false;
      o.flowFeatures.enabled = false;
      // The detectors with options of their own (flowFeatures, spike, protocolShift, ...).
      for (const [k, v] of Object.entries(o)) if (k !== 'zscore' && v && typeof v === 'object' && 'enabled' in v) (v as { enabled: boolean }).enabled = false;
      o.spike.perDestination = false;
    }
    const engine = await nodeEngine();
    engine.start(coreConfig(o, 1), () => {}, ruleInputs(o).inputs);
    const c0 = process.cpuUsage();
    for (let p = 0; p < bytes.length; p += o.chunkBytes) engine.feed(bytes.subarray(p, p + o.chunkBytes));
    engine.finish();
    packets = engine.counters()[1];
    const u = process.cpuUsage(c0);
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  console.log(mode.padEnd(5), best.toFixed(2), 's cpu', (packets / best / 1e6).toFixed(2), 'M pkt/s');
}
