// The browser tests' harness (test/e2e/*.test.ts): where things are, a static server for dist/
// (plus a test-only /__data/ route to ../shared/data), dropping a file on the page's drop zone as a
// real DataTransfer, waiting for a result, and counting a chart's drawn pixels.
import { afterAll, beforeAll } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const DATA = resolve(ROOT, '../shared/data');
export const SHOTS = join(ROOT, 'test-results/screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';


export const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
  '.pcap': 'application/vnd.tcpdump.pcap',
  '.pcapng': 'application/octet-stream',
};

export function serve(dir: string): Promise<Server> {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      let rel = decodeURIComponent(url.pathname);
      if (rel.endsWith('/')) rel += 'index.html';
      // Test-only route: big captures reach the page by a same-origin fetch instead of base64.
      const base = rel.startsWith('/__data/') ? DATA : dir;
      if (base === DATA) rel = rel.slice('/__data'.length);
      const file = normalize(join(base, rel));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end();
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

/** Builds a File in the page from `bytes` and dispatches dragenter/dragover/drop on the drop zone
 *  with a real DataTransfer carrying it. */
export async function dropFile(page: Page, bytes: Uint8Array, name: string): Promise<void> {
  await page.evaluate(
    ([b64, fileName]) => {
      const bin = atob(b64);
      const u8 = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) u8[i] = bin.charCodeAt(i);
      const dt = new DataTransfer();
      dt.items.add(new File([u8], fileName));
      const zone = document.getElementById('drop-zone');
      if (!zone) throw new Error('no #drop-zone');
      for (const type of ['dragenter', 'dragover', 'drop']) {
        zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
      }
    },
    [Buffer.from(bytes).toString('base64'), name] as const,
  );
}

/** Like dropFile, but the page fetches the bytes from the test server's /__data/ route first
 *  (for captures too big to pass as base64). */
export async function dropDataFile(page: Page, path: string): Promise<void> {
  await page.evaluate(async (p) => {
    const res = await fetch(`/__data/${p}`);
    if (!res.ok) throw new Error(`fetch ${p}: ${res.status}`);
    const dt = new DataTransfer();
    dt.items.add(new File([await res.blob()], p.slice(p.lastIndexOf('/') + 1)));
    const zone = document.getElementById('drop-zone');
    if (!zone) throw new Error('no #drop-zone');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
    }
  }, path);
}

/** Waits until the page has finished an analysis of `fileName` (done or failed). */
export async function waitForResult(page: Page, fileName: string): Promise<void> {
  await page.waitForFunction(
    (name) => {
      const s = document.body.dataset.state;
      const f = document.querySelector('#summary [data-field="file"]');
      return (s === 'done' || s === 'failed') && f?.textContent === name;
    },
    fileName,
    { timeout: 60_000 },
  );
}

/** Waits for the chart of the selected alert and returns how many of its pixels are drawn and
 *  how many are in the flagged/threshold colour (red). */
export async function chartPixels(page: Page): Promise<{ drawn: number; red: number; width: number }> {
  await page.waitForFunction(() => /^\d+$/.test(document.getElementById('explore')?.dataset.chart ?? ''), undefined, { timeout: 60_000 });
  return page.evaluate(() => {
    const c = document.querySelector<HTMLCanvasElement>('#chart canvas');
    if (!c) return { drawn: 0, red: 0, width: 0 };
    const ctx = c.getContext('2d');
    if (!ctx) return { drawn: 0, red: 0, width: c.width };
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    let red = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) drawn++;
      if (d[i + 3] > 200 && d[i] > 170 && d[i + 1] < 100 && d[i + 2] < 100) red++;
    }
    return { drawn, red, width: c.width };
  });
}

/** A running harness: dist/ served on a free localhost port and a headless Debian chromium. */
export interface Harness {
  server: Server;
  browser: Browser;
  /** http://127.0.0.1:PORT */
  origin: string;
}

/** Checks that dist/ was built and chromium is installed, serves dist/ and launches chromium.
 *  Throws with the command to run when either is missing. */
export async function startHarness(): Promise<Harness> {
  if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run e2e` (it builds first)');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(SHOTS, { recursive: true });
  const server = await serve(DIST);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { server, browser, origin };
}

/** Closes what startHarness opened (either may be missing after a failed start). */
export async function stopHarness(h: Partial<Harness>): Promise<void> {
  await h.browser?.close();
  await new Promise((ok) => (h.server ? h.server.close(ok) : ok(undefined)));
}

/** Starts the harness before the suite's tests and stops it after them (vitest's beforeAll and
 *  afterAll, so call it inside the describe); `set` receives it, e.g.
 *  `useHarness((h) => ({ browser, origin } = h))`. `before` runs first (a check of its own). */
export function useHarness(set: (h: Harness) => void, before?: () => void): void {
  let h: Harness | undefined;
  beforeAll(async () => {
    before?.();
    h = await startHarness();
    set(h);
  });
  afterAll(async () => {
    await stopHarness(h ?? {});
  });
}

/** How openWatchedPage() opens its page. */
export interface WatchedPageOptions {
  colorScheme?: 'light' | 'dark';
  /** Default 1280 × 900. */
  viewport?: { width: number; height: number };
  /** A script run in the page before its own (e.g. one that removes indexedDB). */
  init?: string;
  /** The context's default timeout for actions and waits, ms (Playwright's default otherwise). */
  timeoutMs?: number;
}

/** A fresh context and page at `origin`/index.html with the drop zone shown (downloads accepted),
 *  collecting page errors and console errors into `errors`. */
export async function openWatchedPage(
  browser: Browser,
  origin: string,
  opts: WatchedPageOptions = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 900 },
    colorScheme: opts.colorScheme ?? 'light',
    acceptDownloads: true,
  });
  if (opts.timeoutMs !== undefined) context.setDefaultTimeout(opts.timeoutMs);
  if (opts.init) await context.addInitScript(opts.init);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${origin}/index.html`);
  await page.waitForSelector('#drop-zone');
  return { context, page, errors };
}

/** The merged perf capture (MANIFEST: 150,489 records; about a second of analysis on an idle machine). */
export const BIG = 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz';

/** How many copies of BIG's records bigRepeated() writes by default: one copy is read in under a
 *  second now (0.7–1.0 s in the page on an idle machine), too fast for a test to see partial
 *  results and press Cancel before the end (a CI run lost that race with BIG itself). */
export const BIG_REPEAT = 3;

/** BIG (a real capture) with its records repeated `repeat` times after its one header, gzipped:
 *  long enough to be read over several PARTIAL_INTERVAL_MS even on a fast machine. Records are
 *  byte-identical; timestamps restart at each repetition (counted as out of order). Written once
 *  to the temp dir; returns its path. */
export function bigRepeated(repeat = BIG_REPEAT): string {
  const path = join(tmpdir(), `flowlens-flow-big-x${repeat}.pcap.gz`);
  if (existsSync(path)) return path;
  const pcap = gunzipSync(readFileSync(join(DATA, BIG)));
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('BIG is not a little-endian µs pcap');
  const records = pcap.subarray(24);
  writeFileSync(path, gzipSync(Buffer.concat([pcap.subarray(0, 24), ...Array(repeat).fill(records)]), { level: 1 }));
  return path;
}
