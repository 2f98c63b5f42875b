// `npm run load`: how fast the built page becomes usable on
// a cold cache from localhost (issue #5: under a second). Serves dist/ on 127.0.0.1 (the browser
// `cache-control: no-store`, like the browser tests' server), opens it RUNS times in Debian's chromium, each
// time in a fresh browser context (empty HTTP cache, no service worker), and reports per build:
// - DOMContentLoaded: the page script has run and the drop zone is there;
// - core ready: the worker has compiled and instantiated the WASM core (performance mark
//   'flowlens:core-ready', set by src/main.ts when the worker reports it; document.body.dataset.core).
// The single file (dist/flowlens.html) is measured opened from disk (file://). Exits 1 when the median
// time to core ready of either build is over LOAD_BUDGET_MS. Run after `npm run build`.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

const DIST = fileURLToPath(new URL('../../dist', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** A static server of `dir` on a free 127.0.0.1 port, every response `cache-control: no-store`.
 *  File bodies are kept in memory after the first read (like a host's page cache), so the
 *  figures measure the browser, not this process's disk reads. */
export function serve(dir: string): Promise<Server> {
  const bodies = new Map<string, Promise<Buffer>>();
  const server = createServer(async (req, res) => {
    try {
      let rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      const file = normalize(join(dir, rel));
      if (!file.startsWith(dir + sep)) throw new Error('outside');
      if (!bodies.has(file)) bodies.set(file, readFile(file));
      const body = await bodies.get(file)!;
      res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** The budget: usable (core ready) within a second of navigation, cold cache, localhost. */
export const LOAD_BUDGET_MS = 1000;

/** One cold load: milliseconds from navigation start. */
export interface LoadTiming {
  domContentLoadedMs: number;
  coreReadyMs: number;
}

/** Opens `url` in a fresh context of `browser` and times it. Throws when the core does not report
 *  ready within 30 s (or reports failed). */
export async function coldLoad(browser: Browser, url: string): Promise<LoadTiming> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.core ?? ''), undefined, { timeout: 30_000 });
    return await page.evaluate(() => {
      if (document.body.dataset.core !== 'ready') throw new Error('the WASM core failed to load');
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const mark = performance.getEntriesByName('flowlens:core-ready')[0];
      return { domContentLoadedMs: nav.domContentLoadedEventEnd, coreReadyMs: mark.startTime };
    });
  } finally {
    await context.close();
  }
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** `runs` cold loads of the hosted page (served from dist/) and of the single file (file://). */
export async function measureLoads(runs: number, dist = DIST): Promise<{ hosted: LoadTiming[]; single: LoadTiming[] }> {
  const server = await serve(dist);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hosted: LoadTiming[] = [];
    const single: LoadTiming[] = [];
    for (let i = 0; i < runs; i++) {
      hosted.push(await coldLoad(browser, `${origin}/index.html`));
      single.push(await coldLoad(browser, pathToFileURL(join(dist, 'flowlens.html')).href));
    }
    return { hosted, single };
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}

async function main(): Promise<void> {
  const runs = Number(process.env.LOAD_RUNS ?? 5);
  const dist = resolve(DIST);
  if (!existsSync(join(dist, 'index.html')) || !existsSync(join(dist, 'flowlens.html'))) throw new Error('dist/ is incomplete: run `npm run build`');
  const { hosted, single } = await measureLoads(runs, dist);
  const ms = (n: number) => `${n.toFixed(0).padStart(6)} ms`;
  console.log(`cold load, ${runs} runs each (median / max), chromium, ${new Date().toISOString()}`);
  let ok = true;
  for (const [name, rows] of [['hosted dist/index.html (http://127.0.0.1)', hosted], ['single dist/flowlens.html (file://)', single]] as const) {
    const dcl = rows.map((r) => r.domContentLoadedMs);
    const core = rows.map((r) => r.coreReadyMs);
    const within = median(core) <= LOAD_BUDGET_MS;
    ok &&= within;
    console.log(`${name.padEnd(44)} DOMContentLoaded ${ms(median(dcl))} / ${ms(Math.max(...dcl))}   core ready ${ms(median(core))} / ${ms(Math.max(...core))}   ${within ? 'within' : 'OVER'} the ${LOAD_BUDGET_MS} ms budget`);
  }
  if (!ok) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
