// Browser test of "runs anywhere, talks to no one" (issue #5): the single self-contained
// dist/flowlens.html opened from disk (file://, no server, network off) analyses a real capture like
// the hosted page does and requests nothing but itself and its blob: worker; the hosted site keeps
// working offline once its service worker controls it (server gone, network off); analysing a
// capture on the hosted page requests nothing at all, and loading it only the build's own files;
// the CSP of both builds has no unsafe-eval and no remote source, is enforced (an injected inline
// script is refused) and reports no violation during an analysis. Screenshots: offline-*.png.
// Run after `npm run build` (`npm run e2e` builds first).
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DATA, DIST, SHOTS, chartPixels, dropFile, serve, useHarness, waitForResult } from './harness';

/** A real capture with alerts (nmap -sS of 1000 ports; MANIFEST.md: 2020 records). */
const CAPTURE = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const CAPTURE_NAME = 'evilfingers_TCP_SYN_SCAN.pcap';
const SINGLE = join(DIST, 'flowlens.html');

/** capinfos record count of a MANIFEST.md row. */
function manifestRecords(path: string): number {
  const line = readFileSync(join(DATA, 'MANIFEST.md'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`| \`${path}\` |`));
  if (!line) throw new Error(`${path} is not in MANIFEST.md`);
  return Number(line.split('|')[5].trim().replace(/,/g, ''));
}

/** Directive name → sources of the CSP meta of an HTML text. Throws when there is none. */
function parseCsp(html: string): Map<string, string[]> {
  const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  if (!m) throw new Error('no CSP meta');
  const out = new Map<string, string[]>();
  for (const part of m[1].split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name.toLowerCase(), sources);
  }
  return out;
}

/** Files of the hosted build a visitor can request (dist/ without source maps and the single file). */
function hostedFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(DIST, path).split(sep).join('/'));
    }
  };
  walk(DIST);
  return files.filter((f) => !f.endsWith('.map') && f !== 'flowlens.html');
}

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every request of the context (page, workers, service worker), in order. */
  requests: string[];
  errors: string[];
}

/** A fresh context and page that record requests, page errors, console errors, and (in every
 *  document, before its scripts) CSP violations into window.__cspViolations. */
async function openWatched(browser: Browser, options: { offline?: boolean } = {}): Promise<Watched> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, offline: options.offline ?? false });
  await context.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} ${e.sample}`);
    });
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return { context, page, requests, errors };
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

/** Waits until the worker reports its WASM core (data-core on <body>) and returns the state. */
async function coreState(page: Page): Promise<string> {
  await page.waitForFunction(() => ['ready', 'failed'].includes(document.body.dataset.core ?? ''), undefined, { timeout: 30_000 });
  return page.evaluate(() => document.body.dataset.core ?? '');
}

async function summaryNumber(page: Page, field: string): Promise<number> {
  const text = await page.locator(`#summary [data-field="${field}"]`).innerText();
  return Number(text.replace(/\(.*$/, '').replace(/[^\d]/g, ''));
}

interface Counts {
  records: number;
  packets: number;
  alerts: number;
  flows: number;
}

async function analyse(page: Page): Promise<Counts> {
  await dropFile(page, readFileSync(join(DATA, CAPTURE)), CAPTURE_NAME);
  await waitForResult(page, CAPTURE_NAME);
  expect(await page.evaluate(() => document.body.dataset.state)).toBe('done');
  // The first alert is selected and charted (uPlot styles its elements: no style-src violation).
  expect((await chartPixels(page)).drawn).toBeGreaterThan(200);
  return {
    records: await summaryNumber(page, 'records'),
    packets: await summaryNumber(page, 'packets'),
    alerts: await summaryNumber(page, 'alerts'),
    flows: await summaryNumber(page, 'flows'),
  };
}

describe('offline builds (dist/ and dist/flowlens.html in chromium)', () => {
  let browser: Browser;
  let origin = '';
  /** The hosted page's counts for CAPTURE, set by the first test. */
  let hosted: Counts | null = null;
  useHarness(
    (h) => ({ browser, origin } = h),
    () => {
      if (!existsSync(SINGLE)) throw new Error('dist/flowlens.html is missing: run `npm run build`');
    },
  );

  it('hosted: loading requests only the build\'s own files, analysing requests nothing, no CSP violation', async () => {
    const w = await openWatched(browser);
    await w.page.goto(`${origin}/index.html`);
    expect(await coreState(w.page)).toBe('ready');
    // Wait for the service worker: its precache fetches are part of loading, not of analysing.
    await w.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    const known = new Set(hostedFiles().map((f) => `${origin}/${f}`));
    const loadRequests = [...w.requests];
    expect(loadRequests.filter((u) => !known.has(u))).toEqual([]);
    // The page, its script, style, worker, WASM core and service worker were all requested.
    for (const re of [/\/index\.html$/, /\/assets\/index-[^/]+\.js$/, /\/assets\/index-[^/]+\.css$/, /\/assets\/worker-[^/]+\.js$/, /\/assets\/core-[^/]+\.wasm$/, /\/sw\.js$/]) {
      expect(loadRequests.some((u) => re.test(u)), String(re)).toBe(true);
    }
    const before = w.requests.length;
    hosted = await analyse(w.page);
    expect(w.requests.slice(before)).toEqual([]);
    expect(hosted.records).toBe(manifestRecords(CAPTURE));
    expect(hosted.alerts).toBeGreaterThan(0);
    expect(await violations(w.page)).toEqual([]);
    expect(w.errors).toEqual([]);
    await w.context.close();
  });

  it('single file: opened from disk with the network off, analyses like the hosted page, requests only itself and its blob: worker', async () => {
    expect(hosted, 'the hosted test ran first').not.toBeNull();
    const w = await openWatched(browser, { offline: true });
    const url = pathToFileURL(SINGLE).href;
    await w.page.goto(url);
    expect(await coreState(w.page)).toBe('ready');
    expect(await w.page.evaluate(() => document.documentElement.dataset.build)).toBe('single');
    expect(await w.page.locator('#sample-button').count()).toBe(0); // the sample is a file of the hosted site
    await w.page.screenshot({ path: join(SHOTS, 'offline-single-file-empty.png'), fullPage: false });
    const counts = await analyse(w.page);
    expect(counts).toEqual(hosted);
    await w.page.locator('#summary').scrollIntoViewIfNeeded();
    await w.page.screenshot({ path: join(SHOTS, 'offline-single-file.png'), fullPage: false });
    expect(await violations(w.page)).toEqual([]);
    expect(w.errors).toEqual([]);
    expect(w.requests.filter((u) => !/^(file|blob|data):/.test(u))).toEqual([]);
    expect(w.requests.filter((u) => u.startsWith('file:'))).toEqual([url]);
    expect(w.requests.filter((u) => u.startsWith('blob:')).length).toBe(1); // the inlined worker
    // The CSP is in force (its script hash is what let the page run): an injected inline script is
    // refused and reported, so the empty list above means something.
    const ran = await w.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__injected = true';
      document.head.append(s);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    await w.page.waitForFunction(() => (window as unknown as { __cspViolations: string[] }).__cspViolations.length > 0);
    expect((await violations(w.page))[0]).toMatch(/^script-src(-elem)? blocked inline/);
    await w.context.close();
  });

  it('hosted: after the first visit it loads and analyses with the server gone and the network off', async () => {
    // A server of its own, closed before the offline reload.
    const own = await serve(DIST);
    const ownOrigin = `http://127.0.0.1:${(own.address() as AddressInfo).port}`;
    const w = await openWatched(browser);
    await w.page.goto(`${ownOrigin}/index.html`);
    expect(await coreState(w.page)).toBe('ready');
    await w.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    await new Promise<void>((ok) => {
      own.close(() => ok());
      own.closeAllConnections();
    });
    await w.context.setOffline(true);
    // Without the service worker this navigation fails (checked: the server is gone).
    const response = await w.page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    expect(await coreState(w.page)).toBe('ready');
    const counts = await analyse(w.page);
    expect(counts).toEqual(hosted);
    await w.page.locator('#summary').scrollIntoViewIfNeeded();
    await w.page.screenshot({ path: join(SHOTS, 'offline-hosted-reload.png'), fullPage: false });
    // The sample is precached too.
    await w.page.click('#sample-button');
    await waitForResult(w.page, 'zeek_ssh_sshguess.pcap');
    expect(await w.page.evaluate(() => document.body.dataset.state)).toBe('done');
    expect(await violations(w.page)).toEqual([]);
    await w.context.close();
    // A fresh visitor (no service worker) cannot load it now: the offline load above was the
    // service worker's doing.
    const fresh = await browser.newContext();
    const p = await fresh.newPage();
    await expect(p.goto(`${ownOrigin}/index.html`)).rejects.toThrow();
    await fresh.close();
  });

  it('hosted: when the WASM core cannot be fetched, the page says so at once (data-core failed)', async () => {
    const context = await browser.newContext({ serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.route('**/*.wasm', (route) => route.abort());
    await page.goto(`${origin}/index.html`);
    expect(await coreState(page)).toBe('failed');
    await page.waitForFunction(() => document.body.dataset.state === 'failed');
    expect(await page.locator('#app').innerText()).toContain('The analysis core could not be loaded');
    await context.close();
  });

  it('the CSP of both builds: no unsafe-eval, nothing remote, connections only where needed, script hashes that match', () => {
    const remote = (s: string) => /[:/]/.test(s.replace(/^'[^']*'$/, '')) && !/^(data|blob):$/.test(s);
    const hostedHtml = readFileSync(join(DIST, 'index.html'), 'utf8');
    const singleHtml = readFileSync(SINGLE, 'utf8');
    for (const [name, html] of [['index.html', hostedHtml], ['flowlens.html', singleHtml]] as const) {
      const csp = parseCsp(html);
      expect(csp.get('default-src'), name).toEqual(["'none'"]);
      for (const [directive, sources] of csp) {
        expect(sources.filter((s) => s === "'unsafe-eval'" || s === '*' || remote(s)), `${name} ${directive}`).toEqual([]);
      }
      expect(csp.get('script-src'), name).not.toContain("'unsafe-inline'");
      expect(csp.get('script-src'), name).toContain("'wasm-unsafe-eval'");
      expect(csp.get('base-uri'), name).toEqual(["'none'"]);
      expect(csp.get('form-action'), name).toEqual(["'none'"]);
    }
    const h = parseCsp(hostedHtml);
    expect(h.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(h.get('connect-src')).toEqual(["'self'"]);
    expect(h.get('worker-src')).toEqual(["'self'"]);
    expect(hostedHtml).not.toMatch(/<script\b[^>]*>[^<\s]/); // no inline script in the hosted page
    const s = parseCsp(singleHtml);
    expect(s.get('connect-src')).toEqual(["'none'"]);
    expect(s.get('worker-src')).toEqual(['blob:']);
    // Every inline script and style is allowed by its own hash, and nothing else is allowed.
    const hashes = (tag: string) =>
      [...singleHtml.matchAll(new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*?)</${tag}>`, 'g'))].map(
        (m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`,
      );
    expect(hashes('script').length).toBe(1);
    expect(s.get('script-src')).toEqual([...hashes('script'), "'wasm-unsafe-eval'"]);
    expect(s.get('style-src')?.filter((x) => x.startsWith("'sha256-"))).toEqual(hashes('style'));
    // Self-contained: no file referenced, the WASM core inside.
    expect(singleHtml).not.toMatch(/<script\b[^>]*\bsrc=|<link\b[^>]*rel="(stylesheet|modulepreload)"/);
    expect(singleHtml).toContain('data:application/wasm;base64,');
  });
});
