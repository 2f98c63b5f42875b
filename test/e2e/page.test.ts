// Browser test of the built page (dist/): serves it from a tiny static server on 127.0.0.1, drives
// Debian's chromium through playwright-core, and checks what a user sees: no foreign requests, the
// CSP, a dropped real capture (counts from shared/data/MANIFEST.md), the sample, fatal errors with
// byte offsets, hostile CSV names rendered as text, and the rule detectors' page: settings saved
// in IndexedDB across a reload, validation that blocks the analysis, the flow-rule editor's error
// caret, the blacklist file loader, the suppressed-alerts toggle, and the PORTSCAN and SYNFLOOD
// alerts of real attack captures with their charts. Screenshots go to test-results/screenshots/.
// Run with `npm run e2e` (it builds dist/ first).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIG, BIG_REPEAT, DATA, SHOTS, bigRepeated, dropFile, dropDataFile, waitForResult, chartPixels, useHarness } from './harness';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { defaultOptions } from '../../src/rules/options';
import { DET_PORTSCAN } from '../../src/shared/abi';


/** Capture dropped in step 2 (pcapng, all IPv4, z-score alerts expected on its HTTP channels). */
const DROP_FILE = 'normal/chrissanders_http_espn.pcapng';
/** The capture shipped as the sample (public/sample/, see public/SAMPLE.md). */
const SAMPLE_FILE = 'attacks/bruteforce/zeek_ssh_sshguess.pcap';


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


/** #5 table: every row of the virtualised alerts table, scrolled through from top to bottom
 *  (position order): its alert, whether it is marked suppressed and carries the tag. */
async function allRows(page: Page): Promise<{ alert: string; suppressed: boolean; tagged: boolean }[]> {
  return page.evaluate(async () => {
    const scroll = document.getElementById('alert-scroll')!;
    const seen = new Map<number, { alert: string; suppressed: boolean; tagged: boolean }>();
    for (let top = 0; ; top += Math.max(1, scroll.clientHeight / 2)) {
      scroll.scrollTop = top;
      await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      for (const tr of Array.from(document.querySelectorAll<HTMLElement>('#alert-table tbody tr'))) {
        seen.set(Number(tr.dataset.pos), { alert: tr.dataset.alert ?? '', suppressed: tr.classList.contains('suppressed'), tagged: tr.querySelector('.suppressed-tag') !== null });
      }
      if (top >= scroll.scrollHeight) break;
    }
    scroll.scrollTop = 0;
    return [...seen.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
  });
}

/** Numbers in a summary field ("1,234" → 1234). */
async function field(page: Page, name: string): Promise<number> {
  const text = await page.locator(`#summary [data-field="${name}"]`).innerText();
  return Number(text.replace(/[^\d.]/g, ''));
}

describe('Flowlens page (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

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
    expect(await page.locator('#alert-table tbody tr[data-detector="ZSCORE"]').count()).toBeGreaterThan(0);
    // Default selection: the first row (highest severity), explained and charted (its channel).
    const px = await chartPixels(page);
    expect(px.width).toBeGreaterThan(200);
    expect(px.drawn).toBeGreaterThan(500);
    expect(px.red).toBeGreaterThan(10); // flagged points
    const firstAlert = await page.locator('#alert-table tbody tr').first().getAttribute('data-alert');
    expect(await page.locator('#explore').getAttribute('data-chart')).toBe(firstAlert);
    expect(await page.locator('#alert-detail').getAttribute('data-alert')).toBe(firstAlert);
    expect(await page.locator('#alert-table tbody tr.selected').getAttribute('data-alert')).toBe(firstAlert);
    // The capture is benign: no HIGH alert (issue #4), so the first row is a MEDIUM one.
    expect(await page.locator('#alert-table tbody tr').first().locator('td').nth(1).innerText()).toBe('medium');
    // The explanation lists the numbers behind the z-score.
    expect(await page.locator('#alert-message').innerText()).toMatch(/σ/);
    expect(await page.locator('#evidence-table tbody tr').count()).toBeGreaterThan(2);
    // Alerts by detector: ZSCORE with every alert.
    const alerts = await field(page, 'alerts');
    expect(Number((await page.locator('#detector-summary tr[data-detector="ZSCORE"] [data-col="alerts"]').innerText()).replace(/,/g, ''))).toBe(alerts);
    await page.screenshot({ path: join(SHOTS, '02-drop-espn.png'), fullPage: true });

    // Score sorts by |score|, descending first; every z is above the default threshold 3.
    await page.locator('#alert-table th button', { hasText: 'Score' }).click();
    const z = await page.locator('#alert-table tbody tr td.score').allInnerTexts();
    const absZ = z.map((t) => Math.abs(Number(t.replace('\u2212', '-'))));
    expect(absZ[0]).toBeGreaterThan(3);
    for (let i = 1; i < absZ.length; i++) expect(absZ[i]).toBeLessThanOrEqual(absZ[i - 1]);
    // First (UTC) sorts ascending; Enter on a row of another channel selects that alert.
    await page.locator('#alert-table th button', { hasText: 'First (UTC)' }).click();
    const times = await page.locator('#alert-table tbody tr td:nth-child(3)').allInnerTexts();
    expect([...times].sort()).toEqual(times);
    const selectedSubject = await page.locator('#alert-table tbody tr.selected td.channel').innerText();
    const other = await page.locator('#alert-table tbody tr').evaluateAll(
      (trs, subj) => trs.findIndex((tr) => (tr.querySelector('td.channel')?.textContent ?? '').split(' (')[0] !== subj.split(' (')[0]),
      selectedSubject,
    );
    expect(other).toBeGreaterThanOrEqual(0);
    const row = page.locator('#alert-table tbody tr').nth(other);
    const id = await row.getAttribute('data-alert');
    await row.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction((c) => document.getElementById('explore')?.dataset.chart === c, id);
    expect(await page.locator('#alert-detail').getAttribute('data-alert')).toBe(id);
    expect((await chartPixels(page)).drawn).toBeGreaterThan(200);
    expectSameOrigin(requests);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('passes the settings to analyze() and builds only the visible rows of the table', async () => {
    const { context, page, errors } = await openPage();
    const file = 'normal/zeek_ftp_cwd-navigation.pcap';
    const name = file.split('/').pop()!;
    await page.locator('#settings-summary').click();
    await page.locator('#opt-zscore-threshold').fill('0.5');
    await dropDataFile(page, file);
    await waitForResult(page, name);
    expect(await field(page, 'records')).toBe(manifestCounts(file).records);
    const alerts = await field(page, 'alerts');
    expect(alerts).toBeGreaterThan(1000);
    // #5 table: virtualised rows: every alert is counted, only the visible ones are built.
    expect(await page.locator('#alert-note').getAttribute('data-shown')).toBe(String(alerts));
    expect(await page.locator('#alert-note').innerText()).toContain(`${alerts.toLocaleString('en-US')} of ${alerts.toLocaleString('en-US')} alerts`);
    expect(await page.locator('#alert-table tbody tr').count()).toBeLessThan(100);
    // z-score rows only: the file also holds a LONGCONN ladder alert (a flow past 10 min)
    const zRows = () => page.locator('#alert-table tbody tr').evaluateAll((trs) =>
      trs.filter((tr) => (tr.querySelector('td.detector')?.textContent ?? '').startsWith('ZSCORE')).map((tr) => tr.querySelector('td.score')?.textContent ?? ''));
    const z = await zRows();
    expect(z.length).toBeGreaterThan(10);
    expect(z.every((t) => Math.abs(Number(t.replace('\u2212', '-'))) > 0.5)).toBe(true);
    await page.screenshot({ path: join(SHOTS, '07-settings-threshold.png'), fullPage: false });
    // End reaches the last alert (built on demand).
    await page.locator('#alert-table tbody tr').first().focus();
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-rowindex'))).toBe(String(alerts + 1));

    // The same file at threshold 5 flags fewer packets, each with |z| > 5.
    await page.locator('#opt-zscore-threshold').fill('5');
    await dropDataFile(page, file);
    await page.waitForFunction((n) => document.querySelector('#summary [data-field="alerts"]')?.textContent !== n, alerts.toLocaleString('en-US'));
    await waitForResult(page, name);
    const fewer = await field(page, 'alerts');
    expect(fewer).toBeLessThan(alerts);
    const z5 = await zRows();
    expect(z5.length).toBeGreaterThan(0);
    expect(z5.every((t) => Math.abs(Number(t.replace('\u2212', '-'))) > 5)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows progress and a partial result after Cancel', async () => {
    const { context, page, errors } = await openPage();
    // The real merged capture, BIG_REPEAT times over: read alone it now ends before Cancel lands.
    const big = bigRepeated();
    const name = big.split('/').pop()!;
    const total = BIG_REPEAT * manifestCounts(BIG).records;
    await page.locator('#file-input').setInputFiles(big);
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
  // ---- the rule detectors' page (issue #3) ----

  /** Opens the settings panel (once). */
  async function openSettings(page: Page): Promise<void> {
    if ((await page.locator('#settings').getAttribute('open')) === null) await page.locator('#settings-summary').click();
  }

  /** Waits until the settings were written to IndexedDB. */
  async function waitSaved(page: Page): Promise<void> {
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'saved');
  }

  it('keeps settings across a reload (IndexedDB) and restores the defaults', async () => {
    const { context, page, errors } = await openPage();
    const d = defaultOptions();
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'defaults');
    await openSettings(page);
    // Every group of the panel, with the fields of every PORTSCAN variant.
    for (const g of ['zscore', 'portscan', 'synflood', 'largesize', 'unusual', 'blacklist', 'flowrule', 'flow', 'general']) {
      expect(await page.locator(`#settings-${g}`).count(), g).toBe(1);
    }
    for (const id of ['rules-portscan-threshold', 'rules-portscanSyn-syns', 'rules-portscanSyn-ports', 'rules-addressScan-threshold', 'rules-synfloodSpread-windowS', 'flowFeatures-latenessS', 'limits-flowrule-max']) {
      expect(await page.locator(`#opt-${id}`).count(), id).toBe(1);
    }
    expect(await page.locator('#opt-rules-portscan-threshold').inputValue()).toBe(String(d.rules.portscan.threshold));
    expect(await page.locator('#opt-rules-portscan-threshold-help').innerText()).toContain(`Default ${d.rules.portscan.threshold} ports`);
    expect(await page.locator('#services-text').inputValue()).toBe(d.rules.unusual.normal.join('\n'));
    expect(await page.locator('#rule-table tbody tr').count()).toBe(d.flowFeatures.rules.length);
    await page.screenshot({ path: join(SHOTS, '10-settings-open.png'), fullPage: true });

    await page.locator('#opt-rules-portscan-threshold').fill('25');
    await page.locator('#opt-rules-synfloodSpread-enabled').uncheck();
    await page.locator('#opt-limits-zscore-enabled').check();
    await page.locator('#blacklist-text').fill('# lab\n192.0.2.1\n198.51.100.0/24');
    await waitSaved(page);
    await page.reload();
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'restored');
    await openSettings(page);
    expect(await page.locator('#settings-store-note').innerText()).toContain('restored');
    expect(await page.locator('#opt-rules-portscan-threshold').inputValue()).toBe('25');
    expect(await page.locator('#opt-rules-synfloodSpread-enabled').isChecked()).toBe(false);
    expect(await page.locator('#opt-limits-zscore-enabled').isChecked()).toBe(true);
    expect(await page.locator('#blacklist-text').inputValue()).toBe('# lab\n192.0.2.1\n198.51.100.0/24');
    expect(await page.locator('#blacklist-text-count').innerText()).toContain('2 entries');

    await page.locator('#settings-restore').click();
    expect(await page.locator('#opt-rules-portscan-threshold').inputValue()).toBe(String(d.rules.portscan.threshold));
    expect(await page.locator('#opt-rules-synfloodSpread-enabled').isChecked()).toBe(d.rules.synfloodSpread.enabled);
    expect(await page.locator('#blacklist-text').inputValue()).toBe('');
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'defaults');
    await page.reload();
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'defaults');
    expect(await page.locator('#opt-rules-portscan-threshold').inputValue()).toBe(String(d.rules.portscan.threshold));
    expect(await page.locator('#opt-limits-zscore-enabled').isChecked()).toBe(d.limits.zscore.enabled);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows invalid settings next to their field and blocks the analysis until fixed', async () => {
    const { context, page, errors } = await openPage();
    await openSettings(page);
    const window = defaultOptions().flowFeatures.windowS;
    await page.locator('#opt-flowFeatures-latenessS').fill(String(window));
    const err = page.locator('#opt-flowFeatures-latenessS-error');
    await err.waitFor({ state: 'visible' });
    expect(await page.locator('#opt-flowFeatures-latenessS').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#opt-rules-portscan-threshold').fill('2.5');
    expect(await page.locator('#opt-rules-portscan-threshold-error').innerText()).toContain('whole number');
    await page.locator('#opt-zscore-window').fill('abc');
    expect(await page.locator('#opt-zscore-window-error').innerText()).toBe('Enter a number.');
    expect(await page.locator('#settings-problems li').count()).toBe(3);
    expect(await page.locator('#settings-state').innerText()).toContain('3 problems');
    expect(await page.locator('#drop-blocked').isVisible()).toBe(true);
    expect(await page.locator('#sample-button').isDisabled()).toBe(true);
    expect(await page.locator('#file-input').isDisabled()).toBe(true);
    await page.screenshot({ path: join(SHOTS, '11-settings-invalid.png'), fullPage: false });
    // A dropped file is refused with the reason; nothing is analysed.
    await dropFile(page, readFileSync(join(DATA, SAMPLE_FILE)), 'blocked.pcap');
    await page.locator('#problems .error-block').waitFor();
    expect(await page.locator('#problems').innerText()).toContain('The settings are invalid');
    expect(await page.locator('#summary').count()).toBe(0);
    // Fixing every field unblocks; the analysis runs with the fixed values.
    await page.locator('#opt-flowFeatures-latenessS').fill('5');
    await page.locator('#opt-rules-portscan-threshold').fill('12');
    await page.locator('#opt-zscore-window').fill('500');
    expect(await page.locator('#settings-problems').isHidden()).toBe(true);
    expect(await page.locator('#drop-blocked').isHidden()).toBe(true);
    expect(await err.isHidden()).toBe(true);
    await page.locator('#sample-button').click();
    await waitForResult(page, SAMPLE_FILE.split('/').pop()!);
    expect(await field(page, 'records')).toBe(manifestCounts(SAMPLE_FILE).records);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('validates flow rules live: the error points at the column, invalid rules block the run', async () => {
    const { context, page, errors } = await openPage();
    await openSettings(page);
    const n = await page.locator('#rule-table tbody tr').count();
    await page.locator('#rule-add').click();
    expect(await page.locator('#rule-table tbody tr').count()).toBe(n + 1);
    const expr = 'packets > 2 @ 3';
    await page.locator(`#rule-${n}-name`).fill('my rule');
    await page.locator(`#rule-${n}-expr`).fill(expr);
    const box = page.locator(`#rule-${n}-expr-error`);
    await box.waitFor({ state: 'visible' });
    const caret = box.locator('pre.caret');
    expect(await box.locator('.expr-message').innerText()).toMatch(/column \d+/);
    // The caret sits under the offending character.
    const [line1, line2] = (await caret.innerText()).split('\n');
    expect(line1).toBe(expr);
    expect(line2.indexOf('^')).toBe(expr.indexOf('@'));
    expect(await page.locator(`#rule-${n}-expr`).getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#drop-blocked').isVisible()).toBe(true);
    expect(await page.locator('#settings-problems').innerText()).toContain('my rule');
    await page.locator(`#rule-${n}-expr`).scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, '12-rule-error.png'), fullPage: false });
    // An unknown variable is named.
    await page.locator(`#rule-${n}-expr`).fill('packetz > 3');
    await page.waitForFunction((i) => document.getElementById(`rule-${i}-expr-error`)?.textContent?.includes('packetz'), n);
    // A duplicate name is an error of the name field.
    const firstName = await page.locator('#rule-0-name').inputValue();
    await page.locator(`#rule-${n}-expr`).fill('syn_ratio > 0.5 and packets >= 10');
    await page.locator(`#rule-${n}-name`).fill(firstName);
    await page.locator(`#rule-${n}-name-error`).waitFor({ state: 'visible' });
    expect(await page.locator(`#rule-${n}-expr-error`).isHidden()).toBe(true);
    await page.locator(`#rule-${n}-name`).fill('half-open');
    expect(await page.locator('#drop-blocked').isHidden()).toBe(true);
    // Removing a rule removes its row; the list is saved.
    await page.locator(`#rule-table tbody tr[data-rule="${n}"] button.remove`).click();
    expect(await page.locator('#rule-table tbody tr').count()).toBe(n);
    await waitSaved(page);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('loads a blacklist from a local file, numbers the bad lines, counts the entries', async () => {
    const { context, page, errors, requests } = await openPage();
    await openSettings(page);
    const text = '# hosts seen in the lab\n205.234.218.129\n10.0.0.0/8, 2001:db8::/32\n\nnot-an-address   # typo\n172.16.0.999\n';
    await page.setInputFiles('#blacklist-text-file', { name: 'lab-hosts.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.waitForFunction((t) => (document.getElementById('blacklist-text') as HTMLTextAreaElement | null)?.value === t, text);
    expect(await page.locator('#blacklist-text-file-note').innerText()).toBe('Loaded 7 lines from lab-hosts.txt.');
    const bad = await page.locator('#blacklist-text-problems li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.line));
    expect(bad).toEqual(['5', '6']);
    expect(await page.locator('#blacklist-text-problems').innerText()).toContain('not-an-address');
    expect(await page.locator('#blacklist-text-count').innerText()).toContain('2 problems');
    expect(await page.locator('#drop-blocked').isVisible()).toBe(true);
    await page.locator('#settings-blacklist').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, '13-blacklist-file.png'), fullPage: false });
    // Fix the two lines: the list is valid, blocks nothing, and counts its entries.
    await page.locator('#blacklist-text').fill('# hosts seen in the lab\n205.234.218.129\n10.0.0.0/8, 2001:db8::/32\n');
    await page.waitForFunction(() => document.getElementById('blacklist-text-count')?.textContent?.startsWith('3 entries;'));
    expect(await page.locator('#blacklist-text-problems li').count()).toBe(0);
    expect(await page.locator('#drop-blocked').isHidden()).toBe(true);
    // The file never left the page.
    expect(requests.some((u) => u.includes('lab-hosts'))).toBe(false);
    expectSameOrigin(requests);
    // After the merge: the analysis loads the ranges and flags the listed ESPN server.
    await dropFile(page, readFileSync(join(DATA, DROP_FILE)), 'espn.pcapng');
    await waitForResult(page, 'espn.pcapng');
    expect(await field(page, 'blacklist-ranges')).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#detector-summary tr[data-detector="BLACKLIST"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works with defaults and says so when IndexedDB is unavailable', async () => {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        throw new DOMException('A mutation operation was attempted on a database that did not allow mutations.', 'InvalidStateError');
      };
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/index.html`);
    await page.waitForFunction(() => document.getElementById('settings')?.dataset.store === 'unavailable');
    // Visible without opening the panel.
    expect(await page.locator('#settings-store-flag').isVisible()).toBe(true);
    await openSettings(page);
    const note = await page.locator('#settings-store-note').innerText();
    expect(note).toContain('cannot be saved');
    expect(note).toContain('InvalidStateError');
    expect(await page.locator('#opt-rules-portscan-threshold').inputValue()).toBe(String(defaultOptions().rules.portscan.threshold));
    await page.screenshot({ path: join(SHOTS, '14-no-indexeddb.png'), fullPage: false });
    // Settings still apply to the analysis in this page.
    await page.locator('#opt-zscore-threshold').fill('50');
    await page.locator('#sample-button').click();
    await waitForResult(page, SAMPLE_FILE.split('/').pop()!);
    expect(await field(page, 'records')).toBe(manifestCounts(SAMPLE_FILE).records);
    const scores = await page.locator('#alert-table tbody tr[data-detector="ZSCORE"] td.score').allInnerTexts();
    expect(scores.every((t) => Math.abs(Number(t.replace('\u2212', '-'))) > 50)).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('hides the rate limiter\'s suppressed alerts behind a count and shows them on request', async () => {
    const { context, page, errors } = await openPage();
    await openSettings(page);
    // Z-score alerts limited to 1 per hour: all but the first of each limiter key are suppressed.
    await page.locator('#opt-limits-zscore-enabled').check();
    await page.locator('#opt-limits-zscore-max').fill('1');
    await page.locator('#opt-limits-zscore-perS').fill('3600');
    await page.locator('#settings-summary').click();
    await dropFile(page, readFileSync(join(DATA, DROP_FILE)), 'espn.pcapng');
    await waitForResult(page, 'espn.pcapng');
    const total = await field(page, 'alerts');
    const suppressed = await field(page, 'suppressed');
    expect(suppressed).toBeGreaterThan(0);
    expect(suppressed).toBeLessThan(total);
    const note = page.locator('#suppressed-note');
    expect(await note.innerText()).toContain(`${suppressed} suppressed by the rate limiter`);
    // #5 table: rows are virtualised: scroll through them all.
    let rows = await allRows(page);
    expect(rows.length).toBe(total - suppressed);
    expect(rows.filter((r) => r.suppressed).length).toBe(0);
    expect(await page.locator('#detector-summary tr[data-detector="ZSCORE"] [data-col="suppressed"]').innerText()).toBe(String(suppressed));
    await page.locator('#suppressed-toggle').click();
    rows = await allRows(page);
    expect(rows.length).toBe(total);
    expect(rows.filter((r) => r.suppressed).length).toBe(suppressed);
    expect(rows.filter((r) => r.suppressed && r.tagged).length).toBe(suppressed);
    await page.evaluate(async () => {
      const scroll = document.getElementById('alert-scroll')!;
      for (let top = 0; !document.querySelector('#alert-table tbody tr.suppressed') && top <= scroll.scrollHeight; top += scroll.clientHeight / 2) {
        scroll.scrollTop = top;
        await new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok)));
      }
    });
    await page.locator('#alert-table tbody tr.suppressed').first().click();
    expect(await page.locator('#alert-detail').innerText()).toContain('suppressed by the rate limiter');
    await page.screenshot({ path: join(SHOTS, '15-suppressed-shown.png'), fullPage: true });
    await page.locator('#suppressed-toggle').click();
    expect((await allRows(page)).length).toBe(total - suppressed);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('explains a PORTSCAN alert of a real SYN scan and charts the distinct ports probed', async () => {
    const { context, page, errors } = await openPage();
    const file = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
    const name = file.split('/').pop()!;
    await dropDataFile(page, file);
    await waitForResult(page, name);
    expect(await field(page, 'records')).toBe(manifestCounts(file).records);
    // After the merge: the scanner and target of MANIFEST.md's ground truth.
    expect(await page.locator(`#alert-detector option[value="${DET_PORTSCAN}"]`).count()).toBe(1);
    await page.locator('#alert-detector').selectOption(String(DET_PORTSCAN));
    const rows = page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]');
    expect(await rows.count()).toBeGreaterThan(0);
    expect(await page.locator('#alert-table tbody tr:not([data-detector="PORTSCAN"])').count()).toBe(0);
    const scan = rows.filter({ hasText: '192.168.1.10 \u2192 192.168.1.25' }).first();
    expect(await scan.count()).toBe(1);
    const id = await scan.getAttribute('data-alert');
    await scan.click();
    await page.waitForFunction((c) => document.getElementById('explore')?.dataset.chart === c, id);
    const message = await page.locator('#alert-message').innerText();
    expect(message).toContain('192.168.1.10');
    expect(message).toContain('192.168.1.25');
    const keys = await page.locator('#evidence-table tbody tr').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.key));
    expect(keys).toContain('threshold');
    expect(await page.locator('.chart-panel').getAttribute('data-kind')).toBe('portscan');
    const px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(500);
    expect(px.red).toBeGreaterThan(10); // the threshold line
    expect(await page.locator('#chart-sub').innerText()).toMatch(/distinct ports/);
    expect(Number((await page.locator('#detector-summary tr[data-detector="PORTSCAN"] [data-col="alerts"]').innerText()).replace(/,/g, ''))).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, '16-portscan.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('charts the SYNs per second of a SYNFLOOD alert of a real flood', async () => {
    const { context, page, errors } = await openPage();
    const file = 'attacks/synflood/suricata-verify_tcp-session-syn-flood.pcap';
    const name = file.split('/').pop()!;
    await dropDataFile(page, file);
    await waitForResult(page, name);
    // After the merge: 200 SYNs 192.0.2.10 → 198.51.100.5:443 in 0.2 s (MANIFEST.md) exceed 100 in 60 s.
    const flood = page.locator('#alert-table tbody tr[data-detector="SYNFLOOD"]').filter({ hasText: '198.51.100.5' }).first();
    expect(await flood.count()).toBe(1);
    const id = await flood.getAttribute('data-alert');
    await flood.click();
    await page.waitForFunction((c) => document.getElementById('explore')?.dataset.chart === c, id);
    expect(await page.locator('.chart-panel').getAttribute('data-kind')).toBe('synflood');
    expect(await page.locator('#chart-sub').innerText()).toMatch(/per second/);
    const px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(300);
    await page.screenshot({ path: join(SHOTS, '17-synflood.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
