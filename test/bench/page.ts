// `npm run bench:page`: throughput and memory of the page's Web Worker in the real built page
// (dist/index.html served from 127.0.0.1) in Debian's chromium, next to the CLI path (bench.ts's
// measure) on the same input and mode. A benchmark, not a test: figures go in the README, never in
// tests; it exits 0 unless a run fails.
//
// Per input and mode, RUNS (env, default 3) runs, each in a fresh browser context (new renderer, no
// cache, default settings), median reported:
// - the mode is set in the settings panel as a user would (every detector checkbox; "z-score only"
//   unticks all of them but the z-score's, like bench.ts's zscoreOnly), then the drop zone's file
//   input (#file-input) gets the file with locator.setInputFiles(path): chromium reads it from disk
//   as a File (no base64, no copy through Playwright);
// - wall: from the input's change event to body[data-state] = done with the file's summary shown
//   (page clock, so Playwright's polling is not in it): the worker's read, decode and detectors
//   plus sending the result to the page and the page rendering it (partial results too);
// - worker: the summary's Elapsed (the worker's own t0 → result), and the overview's
//   "Analysis speed" figure as the page shows it;
// - main long tasks: the page's main-thread tasks over 50 ms during the run (PerformanceObserver
//   'longtask'), summed: the page's share (rendering partial and final results), which on two
//   cores competes with the worker;
// - memory: every 100 ms each chromium process descended from this node process (/proc/<pid>/stat
//   ppid): peak of the summed VmRSS (shared pages, e.g. the chromium binary, counted once per
//   process, so the sum overstates), peak of the summed RssAnon + RssShmem (/proc/<pid>/status:
//   without the binary's and libraries' pages) and the VmRSS of the largest renderer (--type=renderer) before the file
//   is set and at its peak. The page's main thread and its dedicated worker (with the WASM core's
//   linear memory) are threads of that one process, so they cannot be told apart.
// Inputs: the real captures of bench.ts (../shared/data/normal/perf), the biggest normal pcapng, and
// the generated captures bench.ts uses (same cache files in the OS temp dir; BENCH_PACKETS).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, median } from './load';
import { allDetectors, measure, zscoreOnly, type Row } from './bench';
import { writeSyntheticPcap } from './synthetic-pcap';
import type { AnalysisOptions } from '../../src/shared/protocol';

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const GENERATED_PACKETS = Number(process.env.BENCH_PACKETS ?? 5_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
/** Only the inputs whose name matches this (env ONLY, a regular expression; default all). */
const ONLY = new RegExp(process.env.ONLY ?? '');
/** One analysis may take this long before the run counts as failed (5 M packets, every detector,
 *  200,000 flows take ~25 s in the CLI on the 2-core machine). */
const RUN_TIMEOUT_MS = 15 * 60_000;

interface Mode {
  name: string;
  /** The checkbox ids left ticked among the detector switches (null: all, the defaults). */
  keep: RegExp | null;
  cli: AnalysisOptions;
}
/** The settings' on/off switches of detectors and of what feeds them (flow features, connection
 *  records, PROFILE, the LONGCONN ladder); not the rate limits (bench.ts keeps them at defaults). */
const SWITCH = /^opt-(?!limits-).*-(enabled|ladder)$/;
const MODES: Mode[] = [
  { name: 'z-score only', keep: /^opt-zscore-enabled$/, cli: zscoreOnly },
  { name: 'all detectors', keep: null, cli: allDetectors },
];

interface PageRun {
  wallS: number;
  workerS: number;
  packets: number;
  speedText: string;
  /** Records read (what bench.ts's packets/s counts; packets = the decoded ones). */
  records: number;
  /** Main-thread long tasks (over 50 ms) during the run, summed: the page's own work. */
  longTaskS: number;
  memory: MemoryPeak;
}

// ---------------------------------------------------------------- chromium's memory from /proc

interface Proc {
  pid: number;
  ppid: number;
}
function procs(): Proc[] {
  const out: Proc[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(d), ppid: Number(rest[1]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
/** Pids of every process below `root` (chromium and its zygotes, renderers, GPU and utility processes). */
function descendants(root: number): number[] {
  const all = procs();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    const p = queue.pop()!;
    for (const c of all) if (c.ppid === p) (found.push(c.pid), queue.push(c.pid));
  }
  return found;
}
/** VmRSS (resident, shared pages counted in every process that maps them) and RssAnon + RssShmem
 *  (resident memory of the process's own making: heaps, the WASM memory, shared buffers; not the
 *  mapped binary and libraries) from /proc/<pid>/status, MiB; 0 for a process gone meanwhile.
 *  Not Pss from smaps_rollup: that walks the renderer's page tables (over a TiB of address space
 *  reserved for WASM memories) and cost most of a core in kernel time every 100 ms, slowing the
 *  page it measured. */
function memMiB(pid: number): { rss: number; anon: number } {
  try {
    const st = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(st)?.[1] ?? 0) / 1024;
    return { rss: kb('VmRSS'), anon: kb('RssAnon') + kb('RssShmem') };
  } catch {
    return { rss: 0, anon: 0 };
  }
}
/** 'renderer', 'other' (a chromium process) or null (not chromium: tsx's esbuild service). Read
 *  every time: a process forked by the zygote shows the zygote's command line at first. Chromium
 *  rewrites its command line into one space-separated string, so this matches words, not argv. */
function kind(pid: number): 'renderer' | 'other' | null {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!/chrom/.test(cmd)) return null;
    return /--type=renderer(\s|\0|$)/.test(cmd) ? 'renderer' : 'other';
  } catch {
    return null;
  }
}

interface MemoryPeak {
  /** Peak of the summed VmRSS of every chromium process. */
  rssMiB: number;
  /** Peak of the summed RssAnon + RssShmem (closer to what the run costs: the binary's pages
   *  are not in it; shared memory between processes is still counted once per process). */
  anonMiB: number;
  /** Peak VmRSS of the largest renderer (the page's: its main thread and its worker). */
  rendererMiB: number;
  /** The same at the first sample (the page loaded, core ready, nothing read yet). */
  rendererIdleMiB: number;
}

/** Samples chromium's processes every 100 ms until stop(). The process list is re-read every
 *  sample (renderers come and go). */
function sampleMemory(): { stop(): MemoryPeak } {
  const peak: MemoryPeak = { rssMiB: 0, anonMiB: 0, rendererMiB: 0, rendererIdleMiB: NaN };
  const tick = () => {
    let rss = 0;
    let anon = 0;
    for (const pid of descendants(process.pid)) {
      const k = kind(pid);
      if (!k) continue;
      const m = memMiB(pid);
      rss += m.rss;
      anon += m.anon;
      if (k === 'renderer') peak.rendererMiB = Math.max(peak.rendererMiB, m.rss);
    }
    peak.rssMiB = Math.max(peak.rssMiB, rss);
    peak.anonMiB = Math.max(peak.anonMiB, anon);
  };
  tick();
  peak.rendererIdleMiB = peak.rendererMiB;
  const timer = setInterval(tick, 100);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}

// ---------------------------------------------------------------- one run in the page

const num = (s: string) => Number(s.replace(/[^\d.]/g, ''));

/** Sets the mode's detector switches in the settings panel (element.click(): change events as
 *  from the user; some boxes sit under their help text, as in test/e2e/table.test.ts). */
async function setMode(page: Page, mode: Mode): Promise<void> {
  if (!mode.keep) return; // the defaults: every detector on
  const keep = mode.keep;
  await page.locator('#settings-summary').click();
  const ids = await page.locator('#settings input[type="checkbox"]').evaluateAll((els) => els.map((e) => e.id));
  const off = ids.filter((id) => SWITCH.test(id) && !keep.test(id));
  if (!off.includes('opt-connRecords-enabled') || !ids.includes('opt-zscore-enabled')) throw new Error(`the settings' switches changed: ${ids.join(' ')}`);
  for (const id of off) await page.locator(`#${id}`).evaluate((e) => (e as HTMLInputElement).checked && (e as HTMLInputElement).click());
  for (const id of ids.filter((i) => SWITCH.test(i))) {
    if ((await page.locator(`#${id}`).isChecked()) !== keep.test(id)) throw new Error(`${id} did not switch`);
  }
  await page.locator('#settings-summary').click();
  if (await page.locator('#drop-blocked').isVisible()) throw new Error(`the page refuses to analyse: ${await page.locator('#drop-blocked').innerText()}`);
}

async function pageRun(browser: Browser, origin: string, path: string, mode: Mode): Promise<PageRun> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.core ?? ''), undefined, { timeout: 60_000 });
    if ((await page.evaluate(() => document.body.dataset.core)) !== 'ready') throw new Error('the WASM core failed to load');
    await setMode(page, mode);
    const name = basename(path);
    // Page-side clock: t0 at the input's change event (capture phase, before the page's own
    // listener), t1 when body[data-state] turns done/failed with this file's summary shown.
    // Installed (awaited) before the file is set, so the change event cannot beat it. The
    // long-task observer sums the page's main-thread tasks over 50 ms during the run (rendering
    // partial and final results; the worker's own thread is not in it).
    type Done = { ms: number; state: string; longTaskMs: number };
    await page.evaluate((fileName) => {
      (window as unknown as { benchDone: Promise<Done> }).benchDone = new Promise((ok) => {
        let t0 = NaN;
        let longTaskMs = 0;
        const lt = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (e.startTime >= t0) longTaskMs += e.duration;
        });
        lt.observe({ type: 'longtask' });
        document.getElementById('file-input')!.addEventListener('change', () => (t0 = performance.now()), { capture: true, once: true });
        const obs = new MutationObserver(() => {
          const s = document.body.dataset.state;
          const f = document.querySelector('#summary [data-field="file"]');
          if ((s === 'done' || s === 'failed') && f?.textContent === fileName && !Number.isNaN(t0)) {
            obs.disconnect();
            const ms = performance.now() - t0;
            for (const e of lt.takeRecords()) if (e.startTime >= t0) longTaskMs += e.duration;
            lt.disconnect();
            ok({ ms, state: s, longTaskMs });
          }
        });
        obs.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
      });
    }, name);
    const done = page.evaluate(() => (window as unknown as { benchDone: Promise<Done> }).benchDone);
    const memory = sampleMemory();
    await page.locator('#file-input').setInputFiles(path);
    const r = await Promise.race([
      done,
      new Promise<never>((_, no) => setTimeout(() => no(new Error(`${name}: no result within ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS).unref()),
    ]);
    const mem = memory.stop();
    if (r.state !== 'done') throw new Error(`${name}: the page reports failure: ${await page.locator('#problems, .failure').allInnerTexts()}`);
    if (errors.length) throw new Error(`${name}: page errors: ${errors.join('; ')}`);
    const field = (f: string, within = '#summary') => page.locator(`${within} [data-field="${f}"]`).first().innerText();
    const packets = num(await field('packets'));
    const records = num(await field('records'));
    const workerS = num(await field('elapsed')) / 1000;
    const speedText = await field('analysis-speed', '#overview');
    return { wallS: r.ms / 1000, workerS, packets, records, longTaskS: r.longTaskMs / 1000, speedText, memory: mem };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------- inputs, table

interface Input {
  name: string;
  path: string;
  /** Bytes the core reads (uncompressed): MB/s is over these, as in bench.ts. */
  streamBytes: number;
}

function inputs(): Input[] {
  const out: Input[] = [];
  const real = ['normal/perf/real_mix_ndpi_zeek_merged.pcap.gz', 'normal/perf/zeek_echo-connections.pcap.gz', 'normal/zeek_irc-dcc-send.pcapng'];
  for (const rel of real) {
    const path = join(DATA, rel);
    if (!existsSync(path)) throw new Error(`${path} is missing (../shared/data)`);
    out.push({ name: basename(rel), path, streamBytes: rel.endsWith('.gz') ? gunzipSync(readFileSync(path)).length : statSync(path).size });
  }
  for (const flows of [200_000, 2_000]) {
    const path = join(tmpdir(), `flowlens-bench-v2-${GENERATED_PACKETS}-${flows}.pcap`); // bench.ts's cache
    if (!existsSync(path)) {
      const t0 = performance.now();
      writeSyntheticPcap(path, GENERATED_PACKETS, 42, flows);
      console.error(`generated ${path} (${(statSync(path).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    out.push({ name: `generated ${(GENERATED_PACKETS / 1e6).toLocaleString('en-US')} M pkts, ${flows.toLocaleString('en-US')} flows`, path, streamBytes: statSync(path).size });
  }
  return out;
}

function table(head: string[], body: string[][], left: number): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (c: string[]) => c.map((x, i) => (i < left ? x.padEnd(w[i]) : x.padStart(w[i]))).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run build` (npm run bench:page does)');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  const list = inputs().filter((i) => ONLY.test(i.name));
  const server = await serve(resolve(DIST));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const rows: string[][] = [];
  const M = (n: number) => `${(n / 1e6).toFixed(2)} M`;
  try {
    for (const input of list) {
      for (const mode of MODES) {
        const runs: PageRun[] = [];
        for (let i = 0; i < RUNS; i++) {
          const r = await pageRun(browser, origin, input.path, mode);
          console.error(`${input.name} · ${mode.name} · run ${i + 1}/${RUNS}: ${r.packets.toLocaleString('en-US')} packets, wall ${r.wallS.toFixed(2)} s, worker ${r.workerS.toFixed(2)} s, main-thread long tasks ${r.longTaskS.toFixed(2)} s, "${r.speedText}", peak RSS ${r.memory.rssMiB.toFixed(0)} MiB, anon ${r.memory.anonMiB.toFixed(0)} MiB, renderer RSS ${r.memory.rendererMiB.toFixed(0)} MiB`);
          runs.push(r);
        }
        const { packets, records } = runs[0];
        if (runs.some((r) => r.packets !== packets || r.records !== records)) throw new Error(`${input.name}: packet counts differ between runs`);
        const wall = median(runs.map((r) => r.wallS));
        const worker = median(runs.map((r) => r.workerS));
        // The page's own figure of the run whose wall time is the median (the figure is text).
        const mid = [...runs].sort((a, b) => a.wallS - b.wallS)[runs.length >> 1];
        const cli: Row = await measure(input.name, input.path, mode.name, mode.cli);
        if (cli.packets !== records) throw new Error(`${input.name} ${mode.name}: the CLI read ${cli.packets} records, the page ${records}`);
        rows.push([
          input.name,
          mode.name,
          packets.toLocaleString('en-US'),
          (input.streamBytes / 1e6).toFixed(1),
          wall.toFixed(2),
          M(records / wall),
          (input.streamBytes / 1e6 / wall).toFixed(1),
          worker.toFixed(2),
          median(runs.map((r) => r.longTaskS)).toFixed(2),
          mid.speedText,
          median(runs.map((r) => r.memory.rssMiB)).toFixed(0),
          median(runs.map((r) => r.memory.anonMiB)).toFixed(0),
          `${median(runs.map((r) => r.memory.rendererIdleMiB)).toFixed(0)} → ${median(runs.map((r) => r.memory.rendererMiB)).toFixed(0)}`,
          cli.seconds.toFixed(2),
          M(cli.packetsPerS),
          cli.mbPerS.toFixed(1),
          cli.peakRssMiB.toFixed(0),
          `${((cli.seconds / wall) * 100).toFixed(0)} %`,
        ]);
      }
    }
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
  console.log(`page (dist/index.html in ${CHROMIUM}, median of ${RUNS} runs, fresh context each) vs CLI (bench.ts measure, 1 run), ${new Date().toISOString()}`);
  console.log('packets: decoded; pkt/s and MB/s: records read and bytes streamed per second of page wall time (as bench.ts counts); peak RSS and anon (RssAnon+RssShmem): summed over all chromium processes; page/CLI: CLI s / page wall s');
  console.log(
    table(
      ['input', 'mode', 'packets', 'MB', 'page wall s', 'page pkt/s', 'page MB/s', 'worker s', 'main long tasks s', 'page "Analysis speed"', 'peak RSS MiB', 'peak anon MiB', 'renderer RSS MiB idle → peak', 'CLI s', 'CLI pkt/s', 'CLI MB/s', 'CLI RSS MiB', 'page/CLI'],
      rows,
      2,
    ),
  );
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(fileURLToPath(import.meta.url))) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
