// Browser test of the sessions (issue #5 "Sessions that last"; src/ui/history.ts, triage.ts,
// src/store/session-store.ts, session-file.ts) on the built page in Debian's chromium: a real
// capture is analysed and saved, an alert is triaged (confirmed, with a note), the page is reloaded
// and the session reopened from the history without the file (same counts, the triage back, the
// evidence chart from the stored series, the "needs the original file" message for an alert
// without one), renamed, exported (the download captured) and imported into a fresh context, and
// deleted; a page without IndexedDB and one whose disk is full still show the analysis with
// "This session was not saved: …"; a version 2 database keeps its settings and baselines when
// the page upgrades it. Screenshots: test-results/screenshots/sessions-*.png.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DET_PORTSCAN } from '../../src/shared/abi';
import { SHOTS, chartPixels, dropDataFile, useHarness, waitForResult, openWatchedPage } from './harness';

const SCAN = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const SCAN_NAME = 'evilfingers_TCP_SYN_SCAN.pcap';

async function field(page: Page, name: string): Promise<string> {
  return page.locator(`#summary [data-field="${name}"]`).innerText();
}

/** Session rows of the history: [id, name]. */
async function sessionRows(page: Page): Promise<string[][]> {
  return page
    .locator('#history-list tbody tr[data-session]')
    .evaluateAll((trs) => trs.map((tr) => [(tr as HTMLElement).dataset.session!, tr.querySelector('th')?.textContent ?? '']));
}

/** Counts of the IndexedDB session stores, read directly. */
async function storeCounts(page: Page): Promise<Record<string, number>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, number>>((ok, fail) => {
        const req = indexedDB.open('flowlens');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const db = req.result;
          const names = ['sessions', 'session-data', 'session-series', 'session-triage'];
          const tx = db.transaction(names, 'readonly');
          const out: Record<string, number> = {};
          for (const n of names) {
            const c = tx.objectStore(n).count();
            c.onsuccess = () => (out[n] = c.result);
          }
          tx.oncomplete = () => {
            db.close();
            ok(out);
          };
        };
      }),
  );
}

/** Selects the first PORTSCAN row (detector filter), returns its alert index. */
async function selectPortscan(page: Page, nth = 0): Promise<string> {
  await page.locator('#alert-detector').selectOption(String(DET_PORTSCAN));
  const row = page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]').nth(nth);
  const id = (await row.getAttribute('data-alert'))!;
  await row.click();
  await page.waitForFunction((c) => ['error', c].includes(document.getElementById('explore')?.dataset.chart ?? ''), id, { timeout: 60_000 });
  return id;
}

describe('Flowlens sessions (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

  async function openPage(init?: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    // timeoutMs: the machine is shared: slow, not stuck
    const opened = await openWatchedPage(browser, origin, { init, timeoutMs: 120_000 });
    await opened.page.waitForSelector('#history-list tbody tr');
    return opened;
  }

  it('saves, triages, reopens after a reload, renames, exports, imports elsewhere and deletes a session', { timeout: 400_000 }, async () => {
    const t0 = Date.now();
    const step = (s: string) => console.log(`[sessions e2e] ${((Date.now() - t0) / 1000).toFixed(1)} s: ${s}`);
    const { context, page, errors } = await openPage();
    expect(await page.locator('#history-list tbody').innerText()).toContain('No saved sessions yet');
    await dropDataFile(page, SCAN);
    await waitForResult(page, SCAN_NAME);
    step('analysed');
    const packets = await field(page, 'packets');
    const alerts = await field(page, 'alerts');
    const alertRows = await page.locator('#alert-table tbody tr[data-alert]').count();
    expect(Number(alerts.replace(/\D/g, ''))).toBeGreaterThan(0);
    // Saved, then its hash filled in.
    await page.waitForFunction(() => document.querySelectorAll('#history-list tbody tr[data-session]').length === 1);
    const [[id, name]] = await sessionRows(page);
    expect(name).toMatch(/^evilfingers_TCP_SYN_SCAN\.pcap \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    const sha = await page.waitForFunction(
      (sid) =>
        new Promise<string | null>((ok) => {
          const req = indexedDB.open('flowlens');
          req.onsuccess = () => {
            const g = req.result.transaction('sessions').objectStore('sessions').get(sid);
            g.onsuccess = () => {
              req.result.close();
              ok(g.result?.file?.sha256 ?? null);
            };
          };
        }),
      id,
      { timeout: 30_000 },
    );
    const { createHash } = await import('node:crypto');
    expect(await sha.jsonValue()).toBe(createHash('sha256').update(readFileSync(join(__dirname, '../../../shared/data', SCAN))).digest('hex'));

    step('saved and hashed');
    // Triage a PORTSCAN alert (its chart's series is kept in the session).
    const alert = await selectPortscan(page);
    const px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(300);
    await page.locator('label[for="triage-confirmed"]').click();
    await page.locator('#triage-note').fill('lab scanner <script>alert(1)</script>, ticket 42');
    await page.waitForFunction(() => document.getElementById('triage-status')?.textContent === 'Saved in this session.');
    expect(await storeCounts(page)).toEqual({ sessions: 1, 'session-data': 1, 'session-series': 1, 'session-triage': 1 });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'sessions-1-triage.png') });
    // The alerts table's Triage column and filter read the same state.
    await page.waitForFunction((i) => document.querySelector(`#alert-table tr[data-alert="${i}"] td.triage`)?.getAttribute('data-triage') === 'confirmed', alert);
    await page.locator('#alert-triage').selectOption('confirmed');
    await page.waitForFunction(() => document.getElementById('alert-note')?.dataset.shown === '1');
    await page.locator('#alert-triage').selectOption('');

    step('triaged');
    // Reload: the history still has it; open it without the file.
    await page.reload();
    await page.waitForSelector('#history-list tbody tr[data-session]');
    expect(await page.locator('#session-reopened').isHidden()).toBe(true);
    await page.locator(`#history-list tr[data-session="${id}"] .history-open`).click();
    await waitForResult(page, SCAN_NAME);
    expect(await page.locator('#session-reopened').innerText()).toMatch(/^Session from \d{4}-\d\d-\d\d \d\d:\d\d UTC, file not loaded/);
    expect(await field(page, 'packets')).toBe(packets);
    expect(await field(page, 'alerts')).toBe(alerts);
    expect(await page.locator('#alert-table tbody tr[data-alert]').count()).toBe(alertRows);
    expect(await selectPortscan(page)).toBe(alert);
    const again = await chartPixels(page); // from the stored series: no file to re-read
    expect(again.drawn).toBeGreaterThan(300);
    expect(await page.locator('#triage-confirmed').isChecked()).toBe(true);
    expect(await page.locator('#triage-note').inputValue()).toBe('lab scanner <script>alert(1)</script>, ticket 42');
    await page.screenshot({ path: join(SHOTS, 'sessions-2-reopened.png'), fullPage: true });
    // Another PORTSCAN alert has no stored series: the chart says which file to drop.
    const rows = await page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]').count();
    if (rows > 1) {
      await selectPortscan(page, 1);
      const msg = await page.locator('.chart-message').innerText();
      expect(msg).toContain(`the evidence chart needs the original file: drop ${SCAN_NAME} (sha256 `);
      await page.locator('#explore').screenshot({ path: join(SHOTS, 'sessions-3-needs-file.png') });
    }

    step('reopened');
    // Rename inline with the keyboard.
    await page.locator(`#history-list tr[data-session="${id}"] .history-rename-button`).click();
    const input = page.locator('#history-list .history-rename');
    await input.fill('Lab scan, Tuesday');
    await input.press('Enter');
    await page.waitForFunction(() => document.querySelector('#history-list tbody th.history-name')?.textContent === 'Lab scan, Tuesday');
    // Escape leaves the name as it was.
    await page.locator(`#history-list tr[data-session="${id}"] .history-rename-button`).click();
    await page.locator('#history-list .history-rename').fill('discarded');
    await page.locator('#history-list .history-rename').press('Escape');
    await page.waitForFunction(() => document.querySelector('#history-list tbody th.history-name')?.textContent === 'Lab scan, Tuesday');

    step('renamed');
    // Export: one JSON file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`#history-list tr[data-session="${id}"] .history-export`).click()]);
    expect(download.suggestedFilename()).toBe('Lab_scan_Tuesday.flowlens-session.json');
    const text = readFileSync((await download.path())!, 'utf8');
    const doc = JSON.parse(text);
    expect(doc.format).toBe('flowlens-session');
    expect(doc.version).toBe(1);
    expect(doc.meta.name).toBe('Lab scan, Tuesday');
    expect(doc.triage).toEqual([{ alert: Number(alert), state: 'confirmed', note: 'lab scanner <script>alert(1)</script>, ticket 42', updatedAtMs: expect.any(Number) }]);
    expect(doc.series.map((s: { alert: number }) => s.alert)).toEqual([Number(alert)]);

    step('exported');
    // Import into a fresh context (another browser profile): refused when damaged, then accepted.
    const fresh = await openPage();
    const bad = JSON.parse(text);
    bad.result.alerts.severity.base64 = 'AAE=';
    await fresh.page.locator('#history-import').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(bad)) });
    await fresh.page.waitForFunction(() => /not imported/.test(document.getElementById('history-note')?.textContent ?? ''));
    expect(await fresh.page.locator('#history-note').innerText()).toMatch(/bad\.json was not imported: session file: result\.alerts\.severity: expected \d+ entries, got 2/);
    await fresh.page.locator('#history-import').setInputFiles({ name: 'lab.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await fresh.page.waitForSelector('#history-list tbody tr[data-session]');
    expect((await sessionRows(fresh.page)).map((r) => r[1])).toEqual(['Lab scan, Tuesday']);
    await fresh.page.locator('#history-list .history-open').click();
    await waitForResult(fresh.page, SCAN_NAME);
    expect(await field(fresh.page, 'packets')).toBe(packets);
    expect(await field(fresh.page, 'alerts')).toBe(alerts);
    expect(await selectPortscan(fresh.page)).toBe(alert);
    expect((await chartPixels(fresh.page)).drawn).toBeGreaterThan(300);
    expect(await fresh.page.locator('#triage-confirmed').isChecked()).toBe(true);
    await fresh.page.screenshot({ path: join(SHOTS, 'sessions-4-imported.png'), fullPage: true });
    expect(fresh.errors).toEqual([]);
    await fresh.context.close();

    step('imported');
    // The file dropped again while its session is shown: analysed with the session's hash seed to
    // the same alerts in the same order, it carries on that session (no new one; the triage stays;
    // an alert whose chart was never opened now charts from the file, and its series is added).
    const portscans = await page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]').count();
    expect(portscans).toBeGreaterThan(1);
    await dropDataFile(page, SCAN);
    await page.waitForFunction(() => /SHA-256 matches\.$/.test(document.getElementById('history-note')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await page.locator('#history-note').innerText()).toBe(
      `${SCAN_NAME} analysed again with the same settings and figures: it carries on the session “Lab scan, Tuesday” (triage and charts kept, nothing saved anew); SHA-256 matches.`,
    );
    expect(await page.locator('#session-reopened').isHidden()).toBe(true);
    expect((await sessionRows(page)).map((r) => r[1])).toEqual(['Lab scan, Tuesday']);
    expect(await field(page, 'packets')).toBe(packets);
    expect(await selectPortscan(page)).toBe(alert);
    expect(await page.locator('#triage-confirmed').isChecked()).toBe(true);
    expect(await page.locator('#triage-note').inputValue()).toBe('lab scanner <script>alert(1)</script>, ticket 42');
    await selectPortscan(page, 1);
    expect((await chartPixels(page)).drawn).toBeGreaterThan(300);
    await page.waitForFunction(async () => {
      const n = await new Promise<number>((ok) => {
        const req = indexedDB.open('flowlens');
        req.onsuccess = () => {
          const c = req.result.transaction('session-series').objectStore('session-series').count();
          c.onsuccess = () => {
            req.result.close();
            ok(c.result);
          };
        };
      });
      return n === 2;
    }, undefined, { timeout: 30_000, polling: 200 });
    expect(await storeCounts(page)).toEqual({ sessions: 1, 'session-data': 1, 'session-series': 2, 'session-triage': 1 });
    await page.locator('#history').screenshot({ path: join(SHOTS, 'sessions-4b-reattached-history.png') });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'sessions-4c-reattached-chart.png') });

    step('re-attached');
    // Delete, with its confirmation.
    await page.locator(`#history-list tr[data-session="${id}"] .history-delete`).click();
    expect(await page.locator('#history-list .history-confirm-delete').isVisible()).toBe(true);
    await page.locator('#history-list').screenshot({ path: join(SHOTS, 'sessions-5-delete-confirm.png') });
    await page.locator('#history-list .history-cancel-delete').click();
    expect((await sessionRows(page)).length).toBe(1);
    await page.locator(`#history-list tr[data-session="${id}"] .history-delete`).click();
    await page.locator('#history-list .history-confirm-delete').click();
    await page.waitForFunction(() => /No saved sessions yet/.test(document.querySelector('#history-list tbody')?.textContent ?? ''));
    expect(await storeCounts(page)).toEqual({ sessions: 0, 'session-data': 0, 'session-series': 0, 'session-triage': 0 });
    await page.locator('#history').screenshot({ path: join(SHOTS, 'sessions-6-history-empty.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('without IndexedDB the analysis shows and the page says the session was not saved', { timeout: 300_000 }, async () => {
    const { context, page, errors } = await openPage('Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });');
    await page.waitForFunction(() => /Sessions unavailable/.test(document.getElementById('history-list')?.textContent ?? ''));
    await dropDataFile(page, SCAN);
    await waitForResult(page, SCAN_NAME);
    expect(await page.locator('body').getAttribute('data-state')).toBe('done');
    expect(Number((await field(page, 'alerts')).replace(/\D/g, ''))).toBeGreaterThan(0);
    await page.waitForSelector('#session-not-saved:not([hidden])');
    expect(await page.locator('#session-not-saved').innerText()).toMatch(/^This session was not saved: the browser's storage \(IndexedDB\) is not usable here \(IndexedDB is not available\)/);
    // The evidence chart still comes from the file.
    await selectPortscan(page);
    expect((await chartPixels(page)).drawn).toBeGreaterThan(300);
    // Triage works on the page but says it is not kept.
    await page.locator('label[for="triage-false-positive"]').click();
    await page.waitForFunction(() => /^Not saved: /.test(document.getElementById('triage-status')?.textContent ?? ''));
    expect(await page.locator('#triage-status').innerText()).toContain('kept in this page only');
    expect(await page.locator('#triage-false-positive').isChecked()).toBe(true);
    await page.locator('#session-banner').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SHOTS, 'sessions-7-no-storage.png'), fullPage: false });
    expect(errors.filter((e) => !/indexeddb/i.test(e))).toEqual([]);
    await context.close();
  });

  it('a full disk (QuotaExceededError) keeps the analysis and writes nothing half', { timeout: 300_000 }, async () => {
    const { context, page, errors } = await openPage(`
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (this.name === 'session-data') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };`);
    await dropDataFile(page, SCAN);
    await waitForResult(page, SCAN_NAME);
    await page.waitForSelector('#session-not-saved:not([hidden])');
    expect(await page.locator('#session-not-saved').innerText()).toMatch(/^This session was not saved: the browser's storage for this page is full \(QuotaExceededError\)/);
    expect(await page.locator('body').getAttribute('data-state')).toBe('done');
    expect(await page.locator('#alert-table tbody tr[data-alert]').count()).toBeGreaterThan(0);
    expect(await storeCounts(page)).toEqual({ sessions: 0, 'session-data': 0, 'session-series': 0, 'session-triage': 0 });
    await page.locator('#session-banner').evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: join(SHOTS, 'sessions-8-quota.png'), fullPage: false });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('upgrades a version 2 database, keeping its settings and baselines', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${origin}/no-page-here`); // same origin, the app not loaded
    await page.evaluate(
      () =>
        new Promise<void>((ok, fail) => {
          const req = indexedDB.open('flowlens', 2);
          req.onupgradeneeded = () => {
            const d = req.result;
            d.createObjectStore('settings');
            d.createObjectStore('baselines', { keyPath: 'name' });
            d.createObjectStore('baseline-data');
          };
          req.onerror = () => fail(req.error);
          req.onsuccess = () => {
            const d = req.result;
            const tx = d.transaction(['settings', 'baselines', 'baseline-data'], 'readwrite');
            tx.objectStore('settings').put({ version: 1, options: {}, blacklistText: '10.9.8.7 # kept', servicesText: 'tcp/22', savedAtMs: 1 }, 'current');
            tx.objectStore('baselines').put({ version: 2, name: 'office', createdAt: '2024-01-01T00:00:00Z', savedAtMs: 1, sizeBytes: 2, sourceFile: 'o.pcap', connections: 5, sources: 1 });
            tx.objectStore('baseline-data').put('{}', 'office');
            tx.oncomplete = () => {
              d.close();
              ok();
            };
          };
        }),
    );
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#history-list tbody tr');
    const after = await page.evaluate(
      () =>
        new Promise<{ version: number; stores: string[]; settings: unknown; baseline: unknown; data: unknown }>((ok) => {
          const req = indexedDB.open('flowlens');
          req.onsuccess = () => {
            const d = req.result;
            const tx = d.transaction(['settings', 'baselines', 'baseline-data'], 'readonly');
            const s = tx.objectStore('settings').get('current');
            const b = tx.objectStore('baselines').get('office');
            const x = tx.objectStore('baseline-data').get('office');
            tx.oncomplete = () => {
              const out = { version: d.version, stores: [...d.objectStoreNames].sort(), settings: s.result, baseline: b.result, data: x.result };
              d.close();
              ok(out);
            };
          };
        }),
    );
    expect(after.version).toBe(3);
    expect(after.stores).toEqual(['baseline-data', 'baselines', 'session-data', 'session-series', 'session-triage', 'sessions', 'settings']);
    expect((after.settings as { blacklistText: string }).blacklistText).toContain('10.9.8.7');
    expect((after.baseline as { name: string }).name).toBe('office');
    expect(after.data).toBe('{}');
    expect(await page.locator('#baseline-list tbody tr[data-name="office"]').count()).toBe(1);
    await context.close();
  });
});
