// Browser test of the page's analysis flow (issue #5): two real captures dropped at once are
// queued and analysed in turn, the queue panel shows both done with their packet counts
// (MANIFEST.md), switching shows each result and charts it from the right file (the worker
// re-reads the file shown, not the last analysed one); a big capture (the 150k-packet perf capture,
// its records repeated twice) shows partial results while it is read (a "so far" state with fewer
// packets than the end), and Cancel keeps the rows so far.
// Screenshots: test-results/screenshots/flow-*.png. Run: npm run build && npx vitest run --config
// vitest.e2e.config.ts test/e2e/flow.test.ts
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BIG, BIG_REPEAT, DATA, SHOTS, bigRepeated as bigRepeatedOf, chartPixels, openWatchedPage, useHarness } from './harness';
import { SEV_HIGH } from '../../src/shared/abi';

/** IPv4 + IPv6 packets of a MANIFEST.md row (what the summary's "Packets" counts). */
function manifestIp(path: string): number {
  const manifest = readFileSync(join(DATA, 'MANIFEST.md'), 'utf8');
  const line = manifest.split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
  const m = line && /IPv4 (\d+), IPv6 (\d+)/.exec(line);
  if (!m) throw new Error(`cannot read the counts of ${path} in MANIFEST.md`);
  return Number(m[1]) + Number(m[2]);
}

/** Drops several files (fetched from the harness's /__data/ route) in one DataTransfer. */
async function dropDataFiles(page: Page, paths: string[]): Promise<void> {
  await page.evaluate(async (ps) => {
    const dt = new DataTransfer();
    for (const p of ps) {
      const res = await fetch(`/__data/${p}`);
      if (!res.ok) throw new Error(`fetch ${p}: ${res.status}`);
      dt.items.add(new File([await res.blob()], p.slice(p.lastIndexOf('/') + 1)));
    }
    const zone = document.getElementById('drop-zone')!;
    for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, paths);
}

/** capinfos records of a MANIFEST.md row. */
function manifestRecords(path: string): number {
  const line = readFileSync(join(DATA, 'MANIFEST.md'), 'utf8').split('\n').find((l) => l.startsWith(`| \`${path}\` |`));
  const n = Number(line?.split('|')[5].trim().replace(/,/g, ''));
  if (!Number.isFinite(n)) throw new Error(`cannot read the records of ${path} in MANIFEST.md`);
  return n;
}

const num = (t: string) => Number(t.replace(/[^\d]/g, ''));

const ESPN = 'normal/chrissanders_http_espn.pcapng';
const SSH = 'attacks/bruteforce/zeek_ssh_sshguess.pcap';
/** How many times BIG's records are repeated in the capture of the partial-results test. */
const REPEAT = BIG_REPEAT;

const bigRepeated = () => bigRepeatedOf(REPEAT);

describe('analysis flow (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

  const openPage = (colorScheme: 'light' | 'dark' = 'light') => openWatchedPage(browser, origin, { colorScheme });

  it('queues two dropped captures, analyses both in turn, switches between their results and charts each from its own file', async () => {
    const { context, page, errors } = await openPage();
    const want = { 'chrissanders_http_espn.pcapng': manifestIp(ESPN), 'zeek_ssh_sshguess.pcap': manifestIp(SSH) };
    await dropDataFiles(page, [ESPN, SSH]);
    await page.locator('#queue').waitFor({ state: 'visible' });
    // Both in the queue, in order; the second waits while the first is read.
    expect(await page.locator('#queue-list li .queue-name').allInnerTexts()).toEqual(Object.keys(want));
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li[data-state="done"]').length === 2 && document.body.dataset.state === 'done', undefined, {
      timeout: 60_000,
    });
    const rows = page.locator('#queue-list li');
    for (let k = 0; k < 2; k++) {
      const name = Object.keys(want)[k] as keyof typeof want;
      const state = rows.nth(k).locator('.queue-state');
      expect(await state.innerText()).toMatch(/^done: [\d,]+ packets?, [\d,]+ alerts?$/);
      expect(Number(await state.getAttribute('data-packets'))).toBe(want[name]);
    }
    // The display followed the queue: the last file is shown, the first can be shown again.
    expect(await page.locator('#summary [data-field="file"]').innerText()).toBe('zeek_ssh_sshguess.pcap');
    expect(await rows.nth(1).getAttribute('aria-current')).toBe('true');
    expect(num(await page.locator('#summary [data-field="packets"]').innerText())).toBe(want['zeek_ssh_sshguess.pcap']);
    await page.screenshot({ path: join(SHOTS, 'flow-queue-done.png'), fullPage: true });

    // Switch to espn (analysed first, so not the worker's last file): its result and its chart.
    await rows.nth(0).getByRole('button', { name: /Show the result of chrissanders_http_espn/ }).click();
    await page.waitForFunction(() => document.querySelector('#summary [data-field="file"]')?.textContent === 'chrissanders_http_espn.pcapng');
    expect(await rows.nth(0).getAttribute('aria-current')).toBe('true');
    expect(num(await page.locator('#summary [data-field="packets"]').innerText())).toBe(want['chrissanders_http_espn.pcapng']);
    expect(await page.locator('#alert-table tbody tr[data-detector="ZSCORE"]').count()).toBeGreaterThan(0);
    // The first alert (a ZSCORE channel of espn) is charted from espn's packets: points and
    // flagged (red) points. Re-read from the ssh capture, the channel would have no points.
    const px = await chartPixels(page);
    expect(px.drawn).toBeGreaterThan(500);
    expect(px.red).toBeGreaterThan(10);
    expect(await page.locator('#explore').getAttribute('data-chart')).toBe(await page.locator('#alert-table tbody tr').first().getAttribute('data-alert'));
    await page.screenshot({ path: join(SHOTS, 'flow-switch-espn.png'), fullPage: true });

    // And back to ssh: its own numbers and alerts again.
    await rows.nth(1).getByRole('button', { name: /Show the result of zeek_ssh_sshguess/ }).click();
    await page.waitForFunction(() => document.querySelector('#summary [data-field="file"]')?.textContent === 'zeek_ssh_sshguess.pcap');
    expect(num(await page.locator('#summary [data-field="packets"]').innerText())).toBe(want['zeek_ssh_sshguess.pcap']);
    expect(num(await page.locator('#summary [data-field="alerts"]').innerText())).toBe(Number(await rows.nth(1).locator('.queue-state').getAttribute('data-alerts')));
    await page.waitForFunction(() => /^(\d+|error)$/.test(document.getElementById('explore')?.dataset.chart ?? ''), undefined, { timeout: 60_000 });
    expect(await page.locator('#explore').getAttribute('data-chart')).not.toBe('error');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows partial results while a big capture is read, and Cancel keeps them', async () => {
    const { context, page, errors } = await openPage();
    const total = REPEAT * manifestIp(BIG);
    const big = bigRepeated();
    // Record every partial state the page goes through (polled in the page, 20 times a second).
    await page.evaluate(() => {
      const seen: { packets: number; rows: number; note: string }[] = []; // emptied by partialsSeen()
      (window as unknown as { __partials: typeof seen }).__partials = seen;
      setInterval(() => {
        if (document.getElementById('app')?.dataset.result !== 'partial') return;
        const p = document.querySelector('#summary [data-field="packets"]')?.textContent ?? '';
        seen.push({
          packets: Number(p.replace(/[^\d]/g, '')),
          rows: document.querySelectorAll('#alert-table tbody tr').length,
          note: document.getElementById('result-note')?.textContent ?? '',
        });
      }, 50);
    });
    type Seen = { packets: number; rows: number; note: string };
    const partialsSeen = () => page.evaluate(() => (window as unknown as { __partials: Seen[] }).__partials.splice(0));
    await page.setInputFiles('#file-input', big);
    // The first partial result with alerts in the table, read atomically; then Cancel at once
    // (the whole file takes a few seconds).
    const snap = await (
      await page.waitForFunction(
        () => {
          if (document.getElementById('app')?.dataset.result !== 'partial' || document.querySelectorAll('#alert-table tbody tr').length < 2) return null;
          return {
            note: document.getElementById('result-note')?.textContent ?? '',
            noteHidden: document.getElementById('result-note')?.hidden,
            badge: document.querySelector('#summary .badge')?.textContent ?? '',
            selected: document.querySelectorAll('#alert-table tbody tr.selected').length,
            explore: document.getElementById('explore')?.hidden,
            state: document.body.dataset.state,
          };
        },
        undefined,
        { timeout: 90_000, polling: 20 },
      )
    ).jsonValue();
    // An alert picked while the file is read (the second row: the first is what the page picks by
    // itself at the end) stays picked in the result that follows.
    const pickedRow = page.locator('#alert-table tbody tr').nth(1);
    const picked = await pickedRow.getAttribute('data-alert');
    await pickedRow.click();
    await page.locator('#cancel-button').click();
    expect(snap).toMatchObject({ noteHidden: false, badge: 'Reading — results so far', selected: 0, explore: true, state: 'running' });
    expect(snap!.note).toMatch(/^Results so far \(reading… \d+ %\)$/);
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.getElementById('app')?.dataset.result === 'cancelled', undefined, { timeout: 60_000 });
    const partials = await partialsSeen();
    expect(partials.length).toBeGreaterThan(0);
    const cancelledPackets = num(await page.locator('#summary [data-field="packets"]').innerText());
    expect(cancelledPackets).toBeGreaterThan(0);
    expect(cancelledPackets).toBeLessThan(total);
    // Every partial state had packets, at most as many as where reading stopped.
    for (const p of partials) {
      expect(p.packets).toBeGreaterThan(0);
      expect(p.packets).toBeLessThanOrEqual(cancelledPackets);
      expect(p.note).toMatch(/^Results so far \(reading… \d+ %\)$/);
    }
    // Cancel kept the rows and says where it stopped.
    expect(await page.locator('#result-note').innerText()).toMatch(/^Cancelled at \d+ % — results so far$/);
    expect(await page.locator('#summary').getAttribute('data-status')).toBe('cancelled');
    expect(await page.locator('#alert-table tbody tr').count()).toBeGreaterThan(0);
    expect(picked).toMatch(/^\d+$/);
    expect(await page.locator('#alert-table tbody tr.selected').getAttribute('data-alert')).toBe(picked);
    expect(await page.locator('#alert-detail').getAttribute('data-alert')).toBe(picked);
    expect(await page.locator('#explore').isHidden()).toBe(false);
    expect(await page.locator('#alert-table tbody tr').first().getAttribute('data-alert')).not.toBe(picked);
    expect(await page.locator('#queue-list li .queue-state').innerText()).toMatch(/^cancelled at \d+ %: [\d,]+ packets/);
    expect(await page.locator('#progress').isHidden()).toBe(true);
    await page.locator('#result-note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'flow-cancelled.png'), fullPage: false });

    // The same capture again, read to the end: partial states before it, all with fewer packets
    // than the final result (which matches the manifest).
    await page.setInputFiles('#file-input', big);
    await page.waitForFunction(() => document.getElementById('app')?.dataset.result === 'partial', undefined, { timeout: 90_000, polling: 20 });
    await page.locator('#result-note').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'flow-partial.png'), fullPage: false });
    // A filter set while the file is read stays through the next partial results and the final one.
    await page.locator('#tab-alerts').click();
    await page.locator('#alert-severity').selectOption(String(SEV_HIGH));
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.getElementById('app')?.dataset.result === 'final', undefined, { timeout: 120_000 });
    expect(await page.locator('#alert-severity').inputValue()).toBe(String(SEV_HIGH));
    const sevs = await page.locator('#alert-table tbody tr .sev').allInnerTexts();
    for (const sv of sevs) expect(sv).toBe('high');
    await page.locator('#alert-severity').selectOption('0');
    // Every record read; packets: the repeated copy loses a few to the time going back (late
    // packets), so between one copy's and REPEAT copies' IP packets.
    expect(num(await page.locator('#summary [data-field="records"]').innerText())).toBe(REPEAT * manifestRecords(BIG));
    const final = num(await page.locator('#summary [data-field="packets"]').innerText());
    expect(final).toBeGreaterThan(manifestIp(BIG));
    expect(final).toBeLessThanOrEqual(total);
    const second = await partialsSeen();
    expect(second.length).toBeGreaterThan(0);
    for (const p of second) expect(p.packets).toBeLessThan(final);
    expect(await page.locator('#queue-list li[data-state]').evaluateAll((li) => li.map((x) => x.getAttribute('data-state')))).toEqual(['cancelled', 'done']);
    expect(errors).toEqual([]);
    await context.close();
  });
});
