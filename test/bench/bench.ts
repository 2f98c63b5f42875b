// `npm run bench`: packets/s, MB/s and peak memory of the CLI path (same core and pipeline as the
// page's worker) on real captures from ../shared/data and on a generated capture of 5 M packets
// (written to the OS temp dir at bench time, never committed). Figures go here, never in tests.
import { closeSync, existsSync, openAsBlob, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyzeBlob } from '../../src/worker/pipeline';
import { fileGunzip, fileReader, nodeEngine } from '../../src/cli/main';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';
import { writeSyntheticPcap } from './synthetic-pcap';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const GENERATED_PACKETS = Number(process.env.BENCH_PACKETS ?? 5_000_000);

export interface Row {
  input: string;
  mode: string;
  packets: number;
  mb: number;
  seconds: number;
  packetsPerS: number;
  mbPerS: number;
  peakRssMiB: number;
  wasmMiB: number;
}

export async function measure(input: string, path: string, mode: string, options: AnalysisOptions): Promise<Row> {
  const engine = await nodeEngine();
  const blob = await openAsBlob(path);
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  const fd = openSync(path, 'r');
  const { result } = await analyzeBlob(engine, blob, input, options, { direct: fileReader(fd), gunzip: fileGunzip(path) });
  closeSync(fd);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (!result.ok) throw new Error(`${input}: ${result.error?.message}`);
  const s = result.summary;
  return {
    input,
    mode,
    packets: s.recordsRead,
    mb: s.streamBytes / 1e6,
    seconds,
    packetsPerS: s.recordsRead / seconds,
    mbPerS: s.streamBytes / 1e6 / seconds,
    peakRssMiB: peak / 2 ** 20,
    wasmMiB: engine.core.memory.buffer.byteLength / 2 ** 20,
  };
}

/** The core alone on bytes already in memory (no file reads): the ceiling of the pipeline. */
async function measureInMemory(input: string, bytes: Uint8Array, mode: string, options: AnalysisOptions): Promise<Row> {
  const engine = await nodeEngine();
  const { coreConfig, ruleInputs } = await import('../../src/worker/pipeline');
  engine.start(coreConfig(options, 1), () => {}, ruleInputs(options).inputs);
  const chunk = options.chunkBytes;
  const t0 = performance.now();
  for (let p = 0; p < bytes.length; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  engine.finish();
  const seconds = (performance.now() - t0) / 1000;
  const packets = engine.counters()[1];
  return {
    input,
    mode,
    packets,
    mb: bytes.length / 1e6,
    seconds,
    packetsPerS: packets / seconds,
    mbPerS: bytes.length / 1e6 / seconds,
    peakRssMiB: NaN, // the whole file is in memory here: RSS says nothing about the core
    wasmMiB: engine.core.memory.buffer.byteLength / 2 ** 20,
  };
}

function print(rows: Row[]): void {
  const head = ['input', 'mode', 'packets', 'MB', 's', 'packets/s', 'MB/s', 'peak RSS MiB', 'WASM MiB'];
  const body = rows.map((r) => [
    r.input,
    r.mode,
    r.packets.toLocaleString('en-US'),
    r.mb.toFixed(1),
    r.seconds.toFixed(2),
    Math.round(r.packetsPerS).toLocaleString('en-US'),
    r.mbPerS.toFixed(1),
    Number.isNaN(r.peakRssMiB) ? '-' : r.peakRssMiB.toFixed(0),
    r.wasmMiB.toFixed(0),
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const b of body) console.log(line(b));
}

/** DEFAULT_OPTIONS with the z-score detector and every other detector (the rules of issue #3, the
 *  learned-baseline detectors of issue #4, the flow features and the connection records PROFILE
 *  reads) switched on or off as asked. PROFILE itself needs a baseline: see withProfile. */
function optionsWith(zscore: boolean, rules: boolean): AnalysisOptions {
  const o: AnalysisOptions = structuredClone({ ...DEFAULT_OPTIONS, seed: 1 });
  o.zscore.enabled = zscore;
  const switchable = (v: unknown): v is { enabled: boolean } => !!v && typeof v === 'object' && 'enabled' in v;
  for (const v of Object.values(o.rules)) if (switchable(v)) v.enabled = rules;
  for (const [k, v] of Object.entries(o)) if (k !== 'zscore' && k !== 'limits' && switchable(v)) v.enabled = rules;
  o.rules.longConnections.ladder = rules;
  return o;
}
/** Every detector, and PROFILE learning from the first 25 % of the connections and scoring the
 *  rest (the warm-up path: learn + detect in one run). */
function withProfile(): AnalysisOptions {
  const o = optionsWith(true, true);
  o.profile.warmup = { percent: 25 };
  return o;
}
const noDetectors = optionsWith(false, false);
export const zscoreOnly = optionsWith(true, false);
export const allDetectors = optionsWith(true, true);
const allWithProfile = withProfile();

async function main(): Promise<void> {
  const rows: Row[] = [];
  // Two generated profiles: 200,000 flows interleaved at random (~165,000 live: the flow table
  // far exceeds the caches, every packet is a cache miss) and 2,000 flows (the table fits in L2).
  const generated: [string, string][] = [];
  for (const flows of [200_000, 2_000]) {
    const gen = join(tmpdir(), `flowlens-bench-v2-${GENERATED_PACKETS}-${flows}.pcap`);
    if (!existsSync(gen)) {
      const t0 = performance.now();
      writeSyntheticPcap(gen, GENERATED_PACKETS, 42, flows);
      console.error(`generated ${gen} (${(statSync(gen).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    generated.push([`generated, ${flows.toLocaleString('en-US')} flows`, gen]);
  }
  const real = [
    ['real_mix_ndpi_zeek_merged.pcap.gz', join(DATA, 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz')],
    ['zeek_echo-connections.pcap.gz', join(DATA, 'normal/perf/zeek_echo-connections.pcap.gz')],
  ];
  // File-path rows first (their peak RSS is the pipeline's), then the in-memory ceilings.
  for (const [name, path] of [...real, ...generated]) {
    rows.push(await measure(name, path, 'decode+flows', noDetectors));
    rows.push(await measure(name, path, 'z-score only', zscoreOnly));
    rows.push(await measure(name, path, 'all detectors', allDetectors));
    rows.push(await measure(name, path, 'all + PROFILE (warm-up 25 %)', allWithProfile));
  }
  for (const [name, path] of [...real, ...generated]) {
    const bytes = path.endsWith('.gz') ? gunzipSync(readFileSync(path)) : readFileSync(path);
    rows.push(await measureInMemory(name, bytes, 'in memory: decode+flows', noDetectors));
    rows.push(await measureInMemory(name, bytes, 'in memory: z-score only', zscoreOnly));
    rows.push(await measureInMemory(name, bytes, 'in memory: all detectors', allDetectors));
  }
  print(rows);
  writeFileSync(join(tmpdir(), 'flowlens-bench-results.json'), JSON.stringify(rows, null, 2));
}

// Run only as a script: test/bench/page.ts imports measure() and the modes for its CLI column.
if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) await main();
