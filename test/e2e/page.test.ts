// Browser test of the built page (dist/): serves it from a tiny static server on 127.0.0.1, drives
// Debian's chromium through playwright-core, and checks what a user sees: no foreign requests, the
// CSP, a dropped real capture (counts from shared/data/MANIFEST.md), the sample, fatal errors with
// byte offsets, hostile CSV names rendered as text. Screenshots go to test-results/screenshots/.
// Run with `npm run e2e` (it builds dist/ first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const ROOT = resolve(__dirname, '../..');
const DIST = join(ROOT, 'dist');
const DATA = resolve(ROOT, '../shared/data');
const SHOTS = join(ROOT, 'test-results/screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Capture dropped in step 2 (pcapng, all IPv4, z-score alerts expected on its HTTP channels). */
const DROP_FILE = 'normal/chrissanders_http_espn.pcapng';
/** The capture shipped as the sample (public/sample/, see public/SAMPLE.md). */
const SAMPLE_FILE = 'attacks/bruteforce/zeek_ssh_sshguess.pcap';

const MIME: Record<string, string> = {
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

/** Packet counts of a MANIFEST.md row: capinfos records and IPv4+IPv6 (decodable) packets. */
function manifestCounts(path: string): { records: number; ip: number } {
  const manifest = readFileSync(join(DATA, 'MANIFEST.md'), 'utf8');
  const line = manifest.split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
  if (!line) throw new Error(`${path} is not in MANIFEST.md`);
  const cols = line.split('|').map((c) => c.trim());
  const records = Number(cols[5].replace(/,/g, ''));
  const m = /IPv4 (\d+), IPv6 (\d+)/.exec(line);
  if (!Number.isFinite(records) || !m) throw new Error(`cannot read counts of ${path}`);
  return { records, ip: Number(m[1]) + Number(m[2]) };
}

/** Offsets of the record headers of a little-endian µs pcap (24-byte file header). */
function pcapRecordOffsets(b: Buffer): number[] {
  const offs: number[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    offs.push(o);
    o += 16 + b.readUInt32LE(o + 8);
  }
  return offs;
}

function serve(dir: string): Promise<Server> {
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

/** Numbers in a summary field ("1,234" → 1234). */
async function field(page: Page, name: string): Promise<number> {
  const text = await page.locator(`#summary [data-field="${name}"]`).innerText();
  return Number(text.replace(/[^\d.]/g, ''));
}

/** Builds a File in the page from `bytes` and dispatches dragenter/dragover/drop on the drop zone
 *  with a real DataTransfer carrying it. */
async function dropFile(page: Page, bytes: Uint8Array, name: string): Promise<void> {
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
async function dropDataFile(page: Page, path: string): Promise<void> {
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
async function waitForResult(page: Page, fileName: string): Promise<void> {
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

/** Waits for the chart of the selected channel and returns how many of its pixels are drawn and
 *  how many are in the flagged colour (red). */
async function chartPixels(page: Page): Promise<{ drawn: number; red: number; width: number }> {
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

describe('Flowlens page (built dist/ in chromium)', () => {
  let server: Server;
  let browser: Browser;
  let origin = '';

  beforeAll(async () => {
    if (!existsSync(join(DIST, 'index.html'))) throw new Error('dist/ is missing: run `npm run e2e` (it builds first)');
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    mkdirSync(SHOTS, { recursive: true });
    server = await serve(DIST);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => (server ? server.close(ok) : ok(undefined)));
  });

  /** A fresh page with watchers: every request URL, page errors, console errors (CSP reports
   *  appear there) and dialogs (dismissed and recorded). */
  async function openPage(colorScheme: 'light' | 'dark' = 'light') {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#drop-zone');
    return { context, page, requests, errors, dialogs };
  }

  function expectSameOrigin(requests: string[]): void {
    const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(foreign).toEqual([]);
  }

  it('loads with its CSP, requests nothing from another origin, opens a picked file', async () => {
    const { context, page, requests, errors } = await openPage();
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).toContain("form-action 'none'");
    expect(await page.locator('#settings').getAttribute('open')).toBeNull(); // collapsed
    expect(await page.locator('label[for="file-input"]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, '01-empty.png'), fullPage: true });
    // The file picker is reachable from the keyboard, and picking a file analyses it.
    let focused = '';
    for (let i = 0; i < 6 && focused !== 'file-input'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    expect(focused).toBe('file-input');
    const picked = 'tcp_behaviour/zeek_tcp_missing-syn.pcap';
    await page.setInputFiles('#file-input', join(DATA, picked));
    await waitForResult(page, 'zeek_tcp_missing-syn.pcap');
    expect(await field(page, 'records')).toBe(manifestCounts(picked).records);
    expect(requests.length).toBeGreaterThan(1);
    expectSameOrigin(requests);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('analyses a dropped pcapng: counts match the manifest, alerts listed, chart drawn', async () => {
    const { context, page, requests, errors } = await openPage();
    const bytes = readFileSync(join(DATA, DROP_FILE));
    const name = DROP_FILE.split('/').pop()!;
    const want = manifestCounts(DROP_FILE);
    // Visible drag-over state while a file is dragged over the page.
    const dragState = await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'x.pcap'));
      const zone = document.getElementById('drop-zone')!;
      zone.dispatchEvent(new DragEvent('dragenter', { bubbles: true, cancelable: true, dataTransfer: dt }));
      const during = zone.classList.contains('dragover');
      zone.dispatchEvent(new DragEvent('dragleave', { bubbles: true, cancelable: true, dataTransfer: dt }));
      return [during, zone.classList.contains('dragover')];
    });
    expect(dragState).toEqual([true, false]);
    await dropFile(page, bytes, name);
    await waitForResult(page, name);
    expect(await page.locator('#summary').getAttribute('data-status')).toBe('ok');
    expect(await field(page, 'records')).toBe(want.records);
    expect(await field(page, 'packets')).toBe(want.ip);
    expect(await page.locator('#problems .error-block').count()).toBe(0);
    for (const f of ['skipped-truncated', 'skipped-unsupported-link', 'skipped-not-ip', 'skipped-bad-header', 'skipped-bad-row']) {
      expect(await page.locator(`#summary [data-field="${f}"]`).innerText()).toMatch(/^\d[\d,]*$/);
    }
    expect(await page.locator('#summary [data-field="span"]').innerText()).toContain('2010-04-07T17:29:29.');
    const rows = await page.locator('#alert-table tbody tr').count();
    expect(rows).toBeGreaterThan(0);
    expect(rows).toBeLessThanOrEqual(1000);
    // First row has the largest |z|, and |z| exceeds the default threshold 3.
    const z = await page.locator('#alert-table tbody tr td.z').allInnerTexts();
    const absZ = z.map((t) => Math.abs(Number(t.replace('\u2212', '-'))));
    expect(absZ[0]).toBeGreaterThan(3);
    for (let i = 1; i < absZ.length; i++) expect(absZ[i]).toBeLessThanOrEqual(absZ[i - 1]);
    // Default selection: the channel with the most alerts, and its chart is drawn.
    const px = await chartPixels(page);
    expect(px.width).toBeGreaterThan(200);
    expect(px.drawn).toBeGreaterThan(500);
    expect(px.red).toBeGreaterThan(10); // flagged points
    const pressed = page.locator('#channel-list button[aria-pressed="true"]');
    expect(await pressed.count()).toBe(1);
    const counts = (await page.locator('#channel-list .count').allInnerTexts()).map((t) => Number(t.replace(/,/g, '')));
    expect(Number((await pressed.locator('.count').innerText()).replace(/,/g, ''))).toBe(Math.max(...counts));
    await page.screenshot({ path: join(SHOTS, '02-drop-espn.png'), fullPage: true });

    // Clicking a header sorts; Enter on a row selects its channel.
    await page.locator('#alert-table th button', { hasText: 'Time (UTC)' }).click();
    const times = await page.locator('#alert-table tbody tr td:first-child').allInnerTexts();
    expect([...times].sort()).toEqual(times);
    const other = await page.locator('#alert-table tbody tr').evaluateAll((trs) => {
      const sel = document.querySelector<HTMLElement>('#channel-list button[aria-pressed="true"]')?.dataset.channel;
      const i = trs.findIndex((tr) => (tr as HTMLElement).dataset.channel !== sel);
      return i;
    });
    if (other >= 0) {
      const row = page.locator('#alert-table tbody tr').nth(other);
      const ch = await row.getAttribute('data-channel');
      await row.focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((c) => document.getElementById('explore')?.dataset.chart === c, ch);
      expect(await page.locator('#channel-list button[aria-pressed="true"]').getAttribute('data-channel')).toBe(ch);
      expect((await chartPixels(page)).drawn).toBeGreaterThan(200);
    }
    expectSameOrigin(requests);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('passes the settings to analyze() and caps the table at 1000 rows', async () => {
    const { context, page, errors } = await openPage();
    const file = 'normal/zeek_ftp_cwd-navigation.pcap';
    const name = file.split('/').pop()!;
    await page.locator('#settings summary').click();
    await page.locator('#opt-threshold').fill('0.5');
    await dropDataFile(page, file);
    await waitForResult(page, name);
    expect(await field(page, 'records')).toBe(manifestCounts(file).records);
    const alerts = await field(page, 'alerts');
    expect(alerts).toBeGreaterThan(1000);
    expect(await page.locator('#alert-table tbody tr').count()).toBe(1000);
    expect(await page.locator('#alert-note').innerText()).toContain(`Showing 1,000 of ${alerts.toLocaleString('en-US')}`);
    const z = await page.locator('#alert-table tbody tr td.z').allInnerTexts();
    expect(z.every((t) => Math.abs(Number(t.replace('\u2212', '-'))) > 0.5)).toBe(true);
    await page.screenshot({ path: join(SHOTS, '07-settings-threshold.png'), fullPage: false });

    // The same file at threshold 5 flags fewer packets, each with |z| > 5.
    await page.locator('#opt-threshold').fill('5');
    await dropDataFile(page, file);
    await page.waitForFunction((n) => document.querySelector('#summary [data-field="alerts"]')?.textContent !== n, alerts.toLocaleString('en-US'));
    await waitForResult(page, name);
    const fewer = await field(page, 'alerts');
    expect(fewer).toBeLessThan(alerts);
    const z5 = await page.locator('#alert-table tbody tr td.z').allInnerTexts();
    expect(z5.every((t) => Math.abs(Number(t.replace('\u2212', '-'))) > 5)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows progress and a partial result after Cancel', async () => {
    const { context, page, errors } = await openPage();
    const file = 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz';
    const name = file.split('/').pop()!;
    const total = manifestCounts(file).records;
    await dropDataFile(page, file);
    await page.locator('#progress').waitFor({ state: 'visible' });
    await page.waitForFunction(() => /\d+ packets/.test(document.querySelector('#progress .progress-detail')?.textContent ?? '') && !/ 0 packets/.test(document.querySelector('#progress .progress-detail')?.textContent ?? ''));
    expect(await page.locator('#progress .progress-detail').innerText()).toMatch(/pkt\/s/);
    await page.screenshot({ path: join(SHOTS, '08-progress.png'), fullPage: false });
    await page.locator('#cancel-button').click();
    await waitForResult(page, name);
    expect(await page.locator('#summary').getAttribute('data-status')).toBe('cancelled');
    expect(await page.locator('#summary .badge').innerText()).toContain('partial');
    const records = await field(page, 'records');
    expect(records).toBeGreaterThan(0);
    expect(records).toBeLessThan(total);
    expect(await page.locator('#progress').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '09-cancelled.png'), fullPage: true });
    await context.close();
  });

  it('"Try the sample" analyses the shipped capture', async () => {
    const { context, page, requests, errors } = await openPage('dark');
    const name = SAMPLE_FILE.split('/').pop()!;
    const want = manifestCounts(SAMPLE_FILE);
    await page.locator('#sample-button').click();
    await waitForResult(page, name);
    expect(await field(page, 'records')).toBe(want.records);
    expect(await field(page, 'packets')).toBe(want.ip);
    expect(await page.locator('#alert-table tbody tr').count()).toBeGreaterThan(0);
    expect((await chartPixels(page)).drawn).toBeGreaterThan(500);
    expectSameOrigin(requests);
    expect(requests.some((u) => u.endsWith(`/sample/${name}`))).toBe(true);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '03-sample-dark.png'), fullPage: true });
    await context.close();
  });

  it('shows a clear error for a text file that is not a capture', async () => {
    const { context, page, errors } = await openPage();
    await dropFile(page, new TextEncoder().encode('This is a plain text note.\nIt is not a network capture at all.\n'), 'notes.txt');
    await waitForResult(page, 'notes.txt');
    const block = page.locator('#problems .error-block');
    await block.waitFor();
    expect(await block.getAttribute('role')).toBe('alert');
    expect(await block.locator('.code').innerText()).toBe('not-a-capture');
    expect(await block.locator('.position').getAttribute('data-offset')).toBe('0');
    expect(await block.innerText()).toContain('byte offset 0');
    expect(await field(page, 'packets')).toBe(0);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '04-not-a-capture.png'), fullPage: true });
    await context.close();
  });

  it('shows the fault offset of a pcap truncated mid-record and the packets before it', async () => {
    const { context, page, errors } = await openPage();
    const full = readFileSync(join(DATA, SAMPLE_FILE));
    const offs = pcapRecordOffsets(full);
    const k = 300; // cut inside record #300, in the middle of its data
    const cut = offs[k] + 16 + Math.floor(full.readUInt32LE(offs[k] + 8) / 2);
    await dropFile(page, full.subarray(0, cut), 'cut.pcap');
    await waitForResult(page, 'cut.pcap');
    const block = page.locator('#problems .error-block');
    await block.waitFor();
    expect(await block.locator('.code').innerText()).toBe('truncated');
    expect(await block.locator('.position').getAttribute('data-offset')).toBe(String(offs[k]));
    expect(await block.innerText()).toContain(`byte offset ${offs[k].toLocaleString('en-US')}`);
    // Everything before the fault was decoded and is shown below the error.
    expect(await field(page, 'packets')).toBe(k);
    expect(await block.locator('.decoded-note').innerText()).toContain(`${k} packets`);
    const order = await page.evaluate(() => {
      const p = document.getElementById('problems');
      const s = document.getElementById('summary');
      return !!p && !!s && !!(p.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    expect(order).toBe(true);
    expect(await page.locator('#summary').getAttribute('data-status')).toBe('error');
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '05-truncated.png'), fullPage: true });
    await context.close();
  });

  it('renders hostile CSV node names as text: no element, no dialog', async () => {
    const { context, page, errors, dialogs } = await openPage();
    const img = '<img src=x onerror=alert(1)>';
    const script = '<script>alert(2)</script>';
    const lines = ['ts,src,dst,proto,size'];
    for (let i = 0; i < 60; i++) lines.push(`${1700000000 + i},${img},${script},tcp,${100 + (i % 3)}`);
    lines.push(`1700000061,${img},${script},tcp,9000`);
    for (let i = 0; i < 5; i++) lines.push(`${1700000062 + i},${script},${img},udp,${60 + i}`);
    await dropFile(page, new TextEncoder().encode(lines.join('\n') + '\n'), 'hostile.csv');
    await waitForResult(page, 'hostile.csv');
    // Give an injected handler every chance to run.
    await page.waitForTimeout(300);
    expect(dialogs).toEqual([]);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).toBe(0);
    const text = await page.locator('main').innerText();
    expect(text).toContain(img);
    expect(text).toContain(script);
    expect(await page.locator('#alert-table tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#alert-table tbody tr td.channel').first().innerText()).toContain(img);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '06-hostile-csv.png'), fullPage: true });
    await context.close();
  });
});
