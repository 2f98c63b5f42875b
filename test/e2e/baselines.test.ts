// Browser test of the baseline manager and the charts of the learned-baseline detectors (issue #4
// "On the page"), on the built page (dist/) in Debian's chromium through playwright-core, with the
// setup of test/e2e/page.test.ts: learn a baseline named "office" from a benign capture
// (normal/zeek_ssh_ssh.pcap), see it listed, export it (the download is a flowlens-baseline file,
// version 2), import a corrupt and an old file (error with its JSON path, list unchanged), apply
// "office" to a port scan (attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap: PROFILE alerts at MEDIUM
// or above on the scanner 192.168.1.10, explained), open a LATENCY alert (latency1 x12 then
// latency2 1000 s later, test/worker/latency-capture.ts) and its chart, a PROTOSHIFT alert (markofu's
// tcp/5001 transfer) and a SPIKE alert (DOMINATE) and theirs, delete the baseline (with its
// confirmation), and a browser without IndexedDB (the panel says so, analysis still works).
// Screenshots go to test-results/screenshots/ (b*.png). Run with `npm run e2e`.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHOTS, dropFile, dropDataFile, waitForResult, chartPixels, useHarness, openWatchedPage } from './harness';
import { type Browser, type Page } from 'playwright-core';
import { DET_LATENCY, DET_PROFILE, DET_PROTOSHIFT, DET_SPIKE } from '../../src/shared/abi';
import { latencyCapture } from '../worker/latency-capture';

const BENIGN = 'normal/zeek_ssh_ssh.pcap';
const SCAN = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const SCANNER = '192.168.1.10';
const SHIFT = 'normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap';
const SPIKE = 'attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng';

/** Names listed in the baseline table (the "none" row left out). */
async function listed(page: Page): Promise<string[]> {
  return page.locator('#baseline-list tbody tr[data-name]').evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.name!).filter((n) => n !== ''));
}

/** Selects the first table row of `detector` (optionally containing `text`), waits for its chart,
 *  and returns the chart's kind. */
async function openAlert(page: Page, detector: number, name: string, text?: string): Promise<string | null> {
  await page.locator('#alert-detector').selectOption(String(detector));
  let rows = page.locator(`#alert-table tbody tr[data-detector="${name}"]`);
  if (text) rows = rows.filter({ hasText: text });
  expect(await rows.count()).toBeGreaterThan(0);
  const row = rows.first();
  const id = await row.getAttribute('data-alert');
  await row.click();
  await page.waitForFunction((c) => ['error', c].includes(document.getElementById('explore')?.dataset.chart ?? ''), id, { timeout: 60_000 });
  expect(await page.locator('#explore').getAttribute('data-chart')).toBe(id);
  return page.locator('.chart-panel').getAttribute('data-kind');
}

describe('Flowlens baselines and behavioural charts (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

  async function openPage(init?: string) {
    const opened = await openWatchedPage(browser, origin, { init });
    await opened.page.waitForSelector('#baseline-list tbody tr');
    return opened;
  }

  it('learns, lists, exports, refuses bad imports, applies (PROFILE alerts on a scan) and deletes a baseline', async () => {
    const { context, page, errors } = await openPage();
    expect(await page.locator('#baselines').isVisible()).toBe(true);
    expect(await listed(page)).toEqual([]);
    expect(await page.locator('#baseline-learn').isDisabled()).toBe(true); // no file yet
    expect(await page.locator('label[for="baseline-name"]').count()).toBe(1);
    expect(await page.locator('label[for="baseline-import"]').count()).toBe(1);

    // Learn "office" from a benign capture.
    await dropDataFile(page, BENIGN);
    await waitForResult(page, 'zeek_ssh_ssh.pcap');
    await page.locator('#baseline-name').fill('office');
    await page.locator('#baseline-name').press('Enter'); // the form submits from the keyboard
    await page.waitForFunction(() => !!document.querySelector('#baseline-list tr[data-name="office"]'), undefined, { timeout: 60_000 });
    expect(await listed(page)).toEqual(['office']);
    const learnt = await page.locator('#baseline-message').innerText();
    expect(learnt).toMatch(/^Saved office, learnt from zeek_ssh_ssh\.pcap: [\d,]+ connections from [\d,]+ sources/);
    const cells = await page.locator('#baseline-list tr[data-name="office"] td').allInnerTexts();
    expect(cells[1]).toBe('zeek_ssh_ssh.pcap');
    expect(Number(cells[3].replace(/,/g, ''))).toBeGreaterThan(0); // connections
    expect(Number(cells[4].replace(/,/g, ''))).toBeGreaterThan(0); // sources
    await page.screenshot({ path: join(SHOTS, 'b01-learnt.png'), fullPage: true });
    await page.locator('#baselines').screenshot({ path: join(SHOTS, 'b01-learnt-panel.png') });

    // Export: the download is the baseline file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#baseline-list tr[data-name="office"] button.export').click()]);
    expect(download.suggestedFilename()).toBe('office.flowlens-baseline.json');
    const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
    expect(exported.format).toBe('flowlens-baseline');
    expect(exported.version).toBe(2);
    expect(exported.source.fileName).toBe('zeek_ssh_ssh.pcap');

    // A corrupt file and an old one: the error names where, nothing is saved.
    const corrupt = { ...exported, core: { ...exported.core, windowS: 'ten' } };
    await page.setInputFiles('#baseline-import', { name: 'corrupt.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(corrupt)) });
    await page.waitForFunction(() => !document.getElementById('baseline-error')?.hidden);
    const err = await page.locator('#baseline-error').innerText();
    expect(err).toMatch(/^corrupt\.json is not a baseline this page can use: /);
    expect(err).toContain('core.windowS');
    expect(await listed(page)).toEqual(['office']);
    await page.locator('#baselines').screenshot({ path: join(SHOTS, 'b02-import-error.png') });
    await page.setInputFiles('#baseline-import', { name: 'old.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...exported, version: 1 })) });
    await page.waitForFunction(() => /old\.json/.test(document.getElementById('baseline-error')?.textContent ?? ''));
    expect(await page.locator('#baseline-error').innerText()).toMatch(/learn/i);
    expect(await listed(page)).toEqual(['office']);
    // A valid import (the export itself) is listed under a name of its own.
    await page.setInputFiles('#baseline-import', { name: 'office.flowlens-baseline.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(exported)) });
    await page.waitForFunction(() => document.querySelectorAll('#baseline-list tr[data-name]').length === 3);
    expect(await listed(page)).toEqual(['office', 'office (2)']);
    expect(await page.locator('#baseline-error').isHidden()).toBe(true);

    // Apply "office" and analyse the port scan: the scanner's connections are PROFILE alerts.
    await page.locator('#baseline-list tr[data-name="office"] input[type="radio"]').check();
    expect(await page.locator('#baseline-list tr[data-name="office"]').getAttribute('data-applied')).toBe('');
    await dropDataFile(page, SCAN);
    await waitForResult(page, 'evilfingers_TCP_SYN_SCAN.pcap');
    expect(await page.locator('#summary [data-field="baseline"]').innerText()).toMatch(/^office, learnt from zeek_ssh_ssh\.pcap/);
    const profRow = page.locator('#detector-summary tr[data-detector="PROFILE"]');
    expect(await profRow.count()).toBe(1);
    const medPlus = ['high', 'medium', 'critical'].map(async (c) => {
      const cell = profRow.locator(`[data-col="${c}"]`);
      return (await cell.count()) ? Number((await cell.innerText()).replace(/,/g, '')) : 0;
    });
    expect((await Promise.all(medPlus)).reduce((a, b) => a + b, 0)).toBeGreaterThan(100);
    await openAlert(page, DET_PROFILE, 'PROFILE', SCANNER);
    const sev = await page.locator('#alert-detail .sev').innerText();
    expect(['medium', 'high']).toContain(sev.toLowerCase());
    const explanation = await page.locator('#alert-message').innerText();
    expect(explanation).toContain(SCANNER);
    expect(explanation.length).toBeGreaterThan(40);
    // The source's profile next to the flagged connection, in the wide panel beside the detail.
    const profile = page.locator('#explore .chart-panel #profile-detail');
    await profile.waitFor({ timeout: 30_000 });
    expect(await profile.locator('#profile-features tr').count()).toBeGreaterThan(3);
    const tableBox = await profile.locator('#profile-features').boundingBox();
    expect(tableBox!.width).toBeGreaterThan(500);
    await page.screenshot({ path: join(SHOTS, 'b03-profile.png'), fullPage: true });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'b03-profile-explore.png') });

    // Re-run without a baseline: no PROFILE alerts.
    await page.locator('#baseline-none').check();
    await page.locator('#baseline-rerun').click();
    await page.waitForFunction(() => /none applied/.test(document.querySelector('#summary [data-field="baseline"]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await waitForResult(page, 'evilfingers_TCP_SYN_SCAN.pcap');
    expect(await page.locator('#detector-summary tr[data-detector="PROFILE"]').count()).toBe(0);

    // Delete: cancel first, then confirm.
    await page.locator('#baseline-list tr[data-name="office (2)"] button.delete').click();
    await page.locator('#baseline-list tr[data-name="office (2)"] button.cancel-delete').click();
    expect(await listed(page)).toEqual(['office', 'office (2)']);
    await page.locator('#baseline-list tr[data-name="office (2)"] button.delete').click();
    await page.locator('#baselines').screenshot({ path: join(SHOTS, 'b04-delete-confirm.png') });
    await page.locator('#baseline-list tr[data-name="office (2)"] button.confirm-delete').click();
    await page.waitForFunction(() => !document.querySelector('#baseline-list tr[data-name="office (2)"]'));
    await page.locator('#baseline-list tr[data-name="office"] button.delete').click();
    await page.locator('#baseline-list tr[data-name="office"] button.confirm-delete').click();
    await page.waitForFunction(() => !document.querySelector('#baseline-list tr[data-name="office"]'));
    expect(await listed(page)).toEqual([]);
    // Gone after a reload too (IndexedDB).
    await page.reload();
    await page.waitForSelector('#baseline-list tbody tr');
    await page.waitForFunction(() => /No baseline saved yet/.test(document.getElementById('baseline-list')?.textContent ?? ''));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('charts a LATENCY alert: the server\'s samples, its baseline and thresholds', async () => {
    const { context, page, errors } = await openPage();
    await dropFile(page, latencyCapture(12, true), 'latency-baseline.pcapng');
    await waitForResult(page, 'latency-baseline.pcapng');
    expect(await openAlert(page, DET_LATENCY, 'LATENCY', 'server side')).toBe('latency');
    expect(await page.locator('#chart-title').innerText()).toMatch(/^LATENCY \(server side\): .*74\.125\.95\.104/);
    expect(await page.locator('#chart-sub').innerText()).toMatch(/^13 samples, SYN \u2192 SYN\/ACK of 74\.125\.95\.104:80; 1 above the MEDIUM threshold/);
    const px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(300);
    expect(px.red).toBeGreaterThan(10); // the HIGH sample and the HIGH threshold
    await page.screenshot({ path: join(SHOTS, 'b05-latency.png'), fullPage: true });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'b05-latency-explore.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('charts a PROTOSHIFT alert as stacked shares and a SPIKE alert with its baseline', async () => {
    const { context, page, errors } = await openPage();
    await dropDataFile(page, SHIFT);
    await waitForResult(page, SHIFT.split('/').pop()!);
    expect(await openAlert(page, DET_PROTOSHIFT, 'PROTOSHIFT')).toBe('protoshift');
    expect(await page.locator('#chart-title').innerText()).toBe('PROTOSHIFT (service): TCP/5001');
    expect(await page.locator('#chart-sub').innerText()).toMatch(/windows of 10 s: share of each window's packets per protocol \(stacked\), TCP\/5001's share/);
    let px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(5000); // filled areas
    expect(px.red).toBeGreaterThan(10); // the flagged windows
    await page.screenshot({ path: join(SHOTS, 'b06-protoshift.png'), fullPage: true });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'b06-protoshift-explore.png') });

    await dropDataFile(page, SPIKE);
    await waitForResult(page, SPIKE.split('/').pop()!);
    expect(await openAlert(page, DET_SPIKE, 'SPIKE', '10.10.10.10')).toBe('spike');
    expect(await page.locator('#chart-sub').innerText()).toMatch(/^5 windows of 10 s, bytes\/s to 10\.10\.10\.10; peak 43,902 B\/s, 2 flagged/);
    px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(300);
    expect(px.red).toBeGreaterThan(10);
    await page.screenshot({ path: join(SHOTS, 'b07-spike.png'), fullPage: true });
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'b07-spike-explore.png') });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works without IndexedDB: the panel says so, analysis runs', async () => {
    const { context, page, errors } = await openPage('Object.defineProperty(window, "indexedDB", { value: undefined, configurable: true });');
    await page.waitForFunction(() => /unavailable/.test(document.getElementById('baseline-list')?.textContent ?? ''));
    expect(await page.locator('#baseline-import').isDisabled()).toBe(true);
    await dropDataFile(page, BENIGN);
    await waitForResult(page, 'zeek_ssh_ssh.pcap');
    expect(await page.locator('#baseline-learn').isDisabled()).toBe(true);
    expect(await page.locator('body').getAttribute('data-state')).toBe('done');
    await page.screenshot({ path: join(SHOTS, 'b08-no-indexeddb.png'), fullPage: true });
    // The settings store may log its own IndexedDB failure; nothing else may fail.
    expect(errors.filter((e) => !/indexeddb/i.test(e))).toEqual([]);
    await context.close();
  });
});
