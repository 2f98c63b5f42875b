// A/B helper for core performance work: CPU seconds (best of N) of the core alone on a capture in
// memory, per mode, plus (CHECK=1) a digest of everything the core wrote (alerts, trace, marks,
// flow windows, connection records, counters, timeline, exported baselines) so two builds can be
// compared for identical results. Modes: 'd' decode + flow table (every detector off, as bench.ts
// 'decode+flows'), 'z' z-score only and 'all' DEFAULT_OPTIONS (as core-cpu.ts), 'every' every
// detector on (as bench.ts 'all detectors').
// Usage: npx tsx test/bench/core-ab.ts CAPTURE [d,z,all,every] [reps]   (env CHECK=1: digests;
// env WASM=path: that core instead of build/core.wasm)
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { nodeEngine } from '../../src/cli/main';
import { Engine, instantiateCore } from '../../src/worker/engine';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';
import { coreConfig, ruleInputs } from '../../src/worker/pipeline';

const bytes = readFileSync(process.argv[2]);
const modes = (process.argv[3] ?? 'd,z,all').split(',');
const reps = Number(process.argv[4] ?? 3);
const check = process.env.CHECK === '1';
const wasmPath = process.env.WASM;
const wasmBytes = wasmPath ? readFileSync(wasmPath) : null;
const newEngine = async (): Promise<Engine> => (wasmBytes ? new Engine(await instantiateCore(wasmBytes)) : nodeEngine());
const switchable = (v: unknown): v is { enabled: boolean } => !!v && typeof v === 'object' && 'enabled' in v;

function options(mode: string): AnalysisOptions {
  const o: AnalysisOptions = structuredClone({ ...DEFAULT_OPTIONS, seed: 1 });
  if (mode === 'z' || mode === 'd') {
    const r = o.rules as any;
    for (const k of Object.keys(r)) if (switchable(r[k])) r[k].enabled = false;
    o.flowFeatures.enabled = false;
    for (const [k, v] of Object.entries(o)) if (k !== 'zscore' && switchable(v)) v.enabled = false;
    o.spike.perDestination = false;
    if (mode === 'd') o.zscore.enabled = false;
  } else if (mode === 'every') {
    o.zscore.enabled = true;
    for (const v of Object.values(o.rules)) if (switchable(v)) v.enabled = true;
    for (const [k, v] of Object.entries(o)) if (k !== 'zscore' && k !== 'limits' && switchable(v)) v.enabled = true;
    o.rules.longConnections.ladder = true;
  }
  return o;
}

for (const mode of modes) {
  let best = Infinity;
  let packets = 0;
  const o = options(mode);
  for (let rep = 0; rep < reps; rep++) {
    const engine = await newEngine();
    engine.start(coreConfig(o, 1), () => {}, ruleInputs(o).inputs);
    const c0 = process.cpuUsage();
    for (let p = 0; p < bytes.length; p += o.chunkBytes) engine.feed(bytes.subarray(p, p + o.chunkBytes));
    engine.finish();
    const u = process.cpuUsage(c0);
    packets = engine.counters()[1];
    best = Math.min(best, (u.user + u.system) / 1e6);
  }
  let digest = '';
  if (check) {
    const h = createHash('sha256');
    const add = (v: DataView) => h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    const engine = await newEngine();
    let alerts = 0;
    engine.start(coreConfig(o, 1), (out) => {
      alerts += out.alertCount;
      add(out.alerts); add(out.trace); add(out.marks); add(out.windows); add(out.conns);
    }, ruleInputs(o).inputs);
    for (let p = 0; p < bytes.length; p += o.chunkBytes) engine.feed(bytes.subarray(p, p + o.chunkBytes));
    h.update(JSON.stringify(engine.finish()));
    h.update(new Uint8Array(engine.counters().buffer));
    h.update(JSON.stringify(engine.timeline()));
    h.update(engine.exportBaselines());
    digest = ` alerts ${alerts} digest ${h.digest('hex').slice(0, 16)}`;
  }
  console.log(mode.padEnd(5), best.toFixed(2), 's cpu', (packets / best / 1e6).toFixed(2), 'M pkt/s', packets + digest);
}
