// Browser test of the virtualised alerts table (src/ui/alert-table.ts) in the built page: a
// generated CSV of 100,000 packets, each its own flow with a packet larger than the MTU, so that
// LARGESIZE (its rate limit off by default; every other detector switched off in the settings
// panel) raises exactly one alert per row. Every expected count is computed here from the rows
// generated, never read back from the page. Then a real capture (nmap SYN scan) filtered by
// address and port against the same capture analysed in node. Screenshots: table-*.png.
// Run: npm run build && npx vitest run --config vitest.e2e.config.ts test/e2e/table.test.ts
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DATA, SHOTS, dropFile, useHarness, waitForResult, openWatchedPage } from './harness';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { newEngine } from '../helpers/core';

/** Rows (= alerts) of the generated CSV. */
const N = 100_000;
const DSTS = ['192.168.1.1', '192.168.1.2', '192.168.2.1', '172.16.0.9', '8.8.8.8'];
const DPORTS = [80, 443, 53, 22, 25];
const BASE_MS = 1_700_000_000_000;

interface Row {
  i: number;
  src: string;
  dst: string;
  proto: 'TCP' | 'UDP' | 'ICMP' | 'GRE';
  sport: number;
  dport: number;
  size: number;
}

/** Row i of the generated input: a unique source (so a unique flow), 5 destinations, TCP/UDP/
 *  ICMP/GRE 5:3:1:1, ports only for TCP/UDP, sizes 1501..9500 bytes (all above the 1500 MTU). */
function row(i: number): Row {
  const m = i % 10;
  const proto = m < 5 ? 'TCP' : m < 8 ? 'UDP' : m === 8 ? 'ICMP' : 'GRE';
  const ports = proto === 'TCP' || proto === 'UDP';
  return {
    i,
    src: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    dst: DSTS[i % 5],
    proto,
    sport: ports ? 1024 + (i % 50_000) : 0,
    dport: ports ? DPORTS[Math.floor(i / 5) % 5] : 0,
    size: 1501 + ((i * 7919) % 8000),
  };
}
const ROWS = Array.from({ length: N }, (_, i) => row(i));

function csv(): Uint8Array {
  const lines = ['timestamp,src,dst,sport,dport,protocol,size'];
  for (const r of ROWS) {
    const ports = r.proto === 'TCP' || r.proto === 'UDP';
    lines.push(`${BASE_MS + r.i * 10},${r.src},${r.dst},${ports ? r.sport : ''},${ports ? r.dport : ''},${r.proto},${r.size}`);
  }
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

const count = (f: (r: Row) => boolean) => ROWS.filter(f).length;

describe('alerts table (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

  const openPage = () => openWatchedPage(browser, origin, { viewport: { width: 1400, height: 1000 } });

  const shown = async (page: Page) => Number(await page.locator('#alert-note').getAttribute('data-shown'));
  const rowCount = (page: Page) => page.locator('#alert-table tbody tr').count();

  /** Waits (polling, not per frame) until the note says `want` alerts are shown, then checks it,
   *  naming the filter inputs, the note and the page's errors when it is not (a CI run once timed
   *  out here without saying what the page showed). */
  async function expectShown(page: Page, want: number, errors: string[]): Promise<void> {
    await page
      .waitForFunction((w) => document.getElementById('alert-note')?.dataset.shown === String(w), want, { timeout: 15_000, polling: 100 })
      .catch(() => undefined);
    const state = await page.evaluate(() => ({
      shown: document.getElementById('alert-note')?.dataset.shown,
      note: document.getElementById('alert-note')?.textContent,
      address: (document.getElementById('alert-address') as HTMLInputElement | null)?.value,
      port: (document.getElementById('alert-port') as HTMLInputElement | null)?.value,
      problem: document.getElementById('alert-filter-problem')?.textContent,
      state: document.body.dataset.state,
      result: document.body.dataset.result,
    }));
    expect(state.shown, `the page: ${JSON.stringify({ ...state, errors })}`).toBe(String(want));
    expect(errors).toEqual([]);
  }

  /** Sets a filter control and waits until the table re-rendered with `want` rows. */
  async function expectFilter(page: Page, want: number): Promise<void> {
    await page.waitForFunction((w) => document.getElementById('alert-note')?.dataset.shown === String(w), want, { timeout: 10_000 }).catch(() => undefined);
    expect(await shown(page)).toBe(want);
    expect(await page.locator('#alert-table').getAttribute('aria-rowcount')).toBe(String(want + 1));
    expect(await page.locator('#alert-note').innerText()).toContain(`${want.toLocaleString('en-US')} of ${N.toLocaleString('en-US')} alerts`);
  }

  it('shows 100,000 alerts with a small DOM, keyboard, sorting, every filter and ticks', async () => {
    const { context, page, errors } = await openPage();
    // Only LARGESIZE: switch every other detector off (its rate limit is off by default).
    await page.locator('#settings-summary').click();
    const ids = await page.locator('#settings input[type="checkbox"]').evaluateAll((els) =>
      els
        .map((e) => e.id)
        .filter((id) => /^opt-(?!limits-).*-(enabled|perDestination)$/.test(id) && id !== 'opt-rules-largesize-enabled'),
    );
    expect(ids).toContain('opt-zscore-enabled');
    // element.click() (change events as from the user): some boxes sit under their help text.
    for (const id of ids) await page.locator(`#${id}`).evaluate((e) => (e as HTMLInputElement).checked && (e as HTMLInputElement).click());
    for (const id of ids) expect(await page.locator(`#${id}`).isChecked()).toBe(false);
    expect(await page.locator('#opt-rules-largesize-enabled').isChecked()).toBe(true);
    expect(await page.locator('#opt-limits-largesize-enabled').isChecked()).toBe(false);
    await page.locator('#settings-summary').click();

    await dropFile(page, csv(), 'largesize-100k.csv');
    await waitForResult(page, 'largesize-100k.csv');
    expect(await page.locator('#detector-summary tr[data-detector="LARGESIZE"] [data-col="alerts"]').innerText()).toBe('100,000');
    await expectFilter(page, N);
    const rendered = await rowCount(page);
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
    // Rendered rows carry their position for screen readers.
    expect(await page.locator('#alert-table tbody tr').first().getAttribute('aria-rowindex')).toBe('2');
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-100k.png') });

    // Sort by score (|score| descending): the first row is the largest packet, earliest first.
    await page.locator('#alert-table th button', { hasText: 'Score' }).click();
    const maxSize = Math.max(...ROWS.map((r) => r.size));
    const biggest = ROWS.find((r) => r.size === maxSize)!;
    const first = page.locator('#alert-table tbody tr').first();
    expect(await first.locator('td.channel').innerText()).toBe(`${biggest.src} \u2192 ${biggest.dst} \u00b7 ${biggest.proto}${biggest.sport ? ` (${biggest.sport} \u2192 ${biggest.dport})` : ''}`);
    expect(await first.locator('td.score').innerText()).toBe((maxSize / 1500).toFixed(2));
    const scores = (await page.locator('#alert-table tbody tr td.score').allInnerTexts()).map(Number);
    for (let k = 1; k < scores.length; k++) expect(scores[k]).toBeLessThanOrEqual(scores[k - 1]);

    // Keyboard: End jumps to the last alert (smallest packet; ties by first time, so the latest
    // of them last), built although it was never rendered; Home back; ↓ and PgDn move.
    await first.click();
    await page.keyboard.press('End');
    const minSize = Math.min(...ROWS.map((r) => r.size));
    const smallest = ROWS.filter((r) => r.size === minSize).pop()!;
    const focused = () => page.evaluate(() => {
      const a = document.activeElement as HTMLElement | null;
      return { alert: a?.dataset.alert ?? null, rowindex: a?.getAttribute('aria-rowindex') ?? null, subject: a?.querySelector('td.channel')?.textContent ?? '' };
    });
    let f = await focused();
    expect(f.rowindex).toBe(String(N + 1));
    expect(f.subject.startsWith(`${smallest.src} \u2192`)).toBe(true);
    expect(await rowCount(page)).toBeLessThan(100);
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-end.png') });
    await page.keyboard.press('Home');
    expect((await focused()).rowindex).toBe('2');
    await page.keyboard.press('ArrowDown');
    expect((await focused()).rowindex).toBe('3');
    await page.keyboard.press('PageDown');
    f = await focused();
    expect(Number(f.rowindex)).toBeGreaterThan(10);
    // Enter opens the focused alert.
    await page.keyboard.press('Enter');
    await page.waitForFunction((a) => document.getElementById('alert-detail')?.dataset.alert === a, f.alert);

    // Space ticks the focused row; three rows ticked, the count and the rows say so.
    await page.keyboard.press('Home');
    const ticked: string[] = [];
    for (let k = 0; k < 3; k++) {
      await page.keyboard.press('Space');
      ticked.push((await focused()).alert!);
      await page.keyboard.press('ArrowDown');
    }
    expect(await page.locator('#alert-checked').getAttribute('data-checked')).toBe('3');
    expect(await page.locator('#alert-table tbody tr[data-checked="true"]').evaluateAll((trs) => trs.map((t) => (t as HTMLElement).dataset.alert))).toEqual(ticked);
    // Space again unticks; the mouse ticks through the checkbox.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('Space');
    expect(await page.locator('#alert-checked').getAttribute('data-checked')).toBe('2');
    await page.locator(`#alert-table tbody tr[data-alert="${ticked[2]}"] input.row-check`).click();
    expect(await page.locator('#alert-checked').getAttribute('data-checked')).toBe('3');
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-ticked.png') });

    // Measure (not asserted): filter + sort + render of 100k, as the page does it on a change.
    const timing = await page.evaluate(() => {
      const sel = document.getElementById('alert-protocol') as HTMLSelectElement;
      const t0 = performance.now();
      sel.value = 'UDP';
      sel.dispatchEvent(new Event('change'));
      const t1 = performance.now();
      sel.value = '';
      sel.dispatchEvent(new Event('change'));
      const t2 = performance.now();
      (Array.from(document.querySelectorAll('#alert-table th button')).find((b) => b.textContent === 'First (UTC)') as HTMLButtonElement).click();
      const t3 = performance.now();
      (Array.from(document.querySelectorAll('#alert-table th button')).find((b) => b.textContent === 'Subject') as HTMLButtonElement).click();
      const t4 = performance.now();
      (Array.from(document.querySelectorAll('#alert-table th button')).find((b) => b.textContent === 'Score') as HTMLButtonElement).click();
      const t5 = performance.now();
      return { filterUdpMs: t1 - t0, filterAllMs: t2 - t1, sortFirstMs: t3 - t2, sortSubjectMs: t4 - t3, sortScoreMs: t5 - t4 };
    });
    const textT = await page.evaluate(() => {
      const inp = document.getElementById('alert-search') as HTMLInputElement;
      inp.value = '9500 bytes';
      const t0 = performance.now();
      inp.dispatchEvent(new Event('input'));
      return new Promise<number>((ok) => {
        const check = () => (document.getElementById('alert-note')?.dataset.shown !== '100000' ? ok(performance.now() - t0 - 150) : setTimeout(check, 5));
        check();
      });
    });
    console.log(`table timings, 100,000 alerts: ${JSON.stringify({ ...timing, firstTextFilterMs: textT })}`);

    // Filters, each against counts computed from the generated rows.
    await expectFilter(page, count((r) => r.size === 9500));
    const searchBox = page.locator('#alert-search');
    await searchBox.fill(ROWS[70_000].src);
    await expectFilter(page, 1);
    expect(await page.locator('#alert-table tbody tr td.channel').innerText()).toContain(`${ROWS[70_000].src} \u2192 ${ROWS[70_000].dst}`);
    await searchBox.fill('');
    await expectFilter(page, N);

    const address = page.locator('#alert-address');
    await address.fill('192.168.1.0/24');
    await expectFilter(page, count((r) => r.dst.startsWith('192.168.1.')));
    await address.fill('172.16.0.9');
    await expectFilter(page, count((r) => r.dst === '172.16.0.9'));
    await address.fill('10.1.0.0/16');
    await expectFilter(page, count((r) => r.src.startsWith('10.1.')));
    await address.fill('10.1.0');
    await expectFilter(page, 0);
    expect(await page.locator('#alert-filter-problem').innerText()).toContain('Address');
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-bad-address.png') });
    await address.fill('');
    await expectFilter(page, N);

    const port = page.locator('#alert-port');
    await port.fill('443');
    await expectFilter(page, count((r) => r.sport === 443 || r.dport === 443));
    await port.fill('1100');
    await expectFilter(page, count((r) => r.sport === 1100 || r.dport === 1100));
    await port.fill('');

    for (const [cls, want] of [['UDP', count((r) => r.proto === 'UDP')], ['ICMP', count((r) => r.proto === 'ICMP')], ['other', count((r) => r.proto === 'GRE')], ['TCP', count((r) => r.proto === 'TCP')]] as const) {
      await page.locator('#alert-protocol').selectOption(cls);
      await expectFilter(page, want);
    }
    // Combined (AND): TCP to 192.168.1.1 on port 80, severity medium (packets > 4 × 1500 B).
    await address.fill('192.168.1.1');
    await port.fill('80');
    await page.locator('#alert-severity').selectOption('2');
    const combined = count((r) => r.proto === 'TCP' && r.dst === '192.168.1.1' && r.dport === 80 && r.size > 6000);
    expect(combined).toBeGreaterThan(0);
    await expectFilter(page, combined);
    const subjects = await page.locator('#alert-table tbody tr td.channel').allInnerTexts();
    for (const s of subjects) expect(s).toMatch(/ \u2192 192\.168\.1\.1 \u00b7 TCP \(\d+ \u2192 80\)$/);
    expect(await page.locator('#alert-table tbody tr td .sev').allInnerTexts()).toEqual(subjects.map(() => 'medium'));
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-filtered.png') });

    // The header checkbox ticks every alert matching the filter (3 ticked before, none of them
    // necessarily in it: the count adds up from the rows generated).
    const matching = new Set(ROWS.filter((r) => r.proto === 'TCP' && r.dst === '192.168.1.1' && r.dport === 80 && r.size > 6000).map((r) => r.src));
    const tickedSrcs = ticked.map((a) => ROWS[Number(a)].src);
    await page.locator('#alert-check-all').check();
    const expectedTicks = combined + tickedSrcs.filter((s) => !matching.has(s)).length;
    expect(await page.locator('#alert-checked').getAttribute('data-checked')).toBe(String(expectedTicks));
    expect(await page.locator('#alert-table tbody tr:not([data-checked])').count()).toBe(0);
    await page.locator('#alert-check-all').uncheck();
    expect(await page.locator('#alert-checked').getAttribute('data-checked')).toBe(String(expectedTicks - combined));
    // The alert indices are the rows' (one alert per row, raised in row order).
    expect(ticked.map((a) => ROWS[Number(a)].src)).toEqual(tickedSrcs);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('filters a real port scan by address and port like the same capture analysed in node', async () => {
    const file = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
    const bytes = readFileSync(join(DATA, file));
    // One hash seed in node and in the page: the order of the alerts raised by the table sweeps
    // follows it, and for a few seeds so does which alert the rate limiter suppresses (3 seeds in
    // 40 change this capture's evidence cut by one packet; the counts below were the same for all
    // 40, but they are counts of unsuppressed alerts).
    const seed = 7;
    const o = { ...defaultOptions(), seed };
    const r = (await analyzeBlob(await newEngine(), new Blob([new Uint8Array(bytes)]), file, o, {})).result;
    const want = (addr: string, p: number | null) => {
      let n = 0;
      for (let i = 0; i < r.alerts.count; i++) {
        if (r.alerts.suppressed[i]) continue;
        const c = r.channels[r.alerts.channel[i]];
        if ((c.src === addr || c.dst === addr) && (p === null || r.alerts.sport[i] === p || r.alerts.dport[i] === p)) n++;
      }
      return n;
    };
    const { context, page, errors } = await openPage();
    await page.locator('#settings-summary').click();
    await page.locator('#opt-seed').fill(String(seed));
    await page.locator('#settings-summary').click();
    await dropFile(page, new Uint8Array(bytes), 'TCP_SYN_SCAN.pcap');
    await waitForResult(page, 'TCP_SYN_SCAN.pcap');
    const total = Number(await page.locator('#alert-note').getAttribute('data-total'));
    expect(total).toBe(r.alerts.count);
    await page.locator('#alert-address').fill('192.168.1.25');
    const victim = want('192.168.1.25', null);
    expect(victim).toBeGreaterThan(0);
    await expectShown(page, victim, errors);
    // Two of the ports nmap probed (554: an UNUSUAL and the PORTSCAN alert name it; 1723: UNUSUAL).
    for (const p of [554, 1723]) {
      await page.locator('#alert-port').fill(String(p));
      const w = want('192.168.1.25', p);
      expect(w).toBeGreaterThan(0);
      await expectShown(page, w, errors);
      const subjects = await page.locator('#alert-table tbody tr td.channel').allInnerTexts();
      expect(subjects.length).toBe(Math.min(w, subjects.length));
      for (const s of subjects) {
        expect(s).toContain('192.168.1.25');
        expect(s).toMatch(new RegExp(`\\((${p} \u2192 \\d+|\\d+ \u2192 ${p})\\)$`));
      }
    }
    await page.locator('#alerts').screenshot({ path: join(SHOTS, 'table-real-scan.png') });
    await page.locator('#alert-address').fill('192.168.1.99');
    await expectShown(page, 0, errors);
    expect(await page.locator('#alert-note').innerText()).toContain('No alert matches the filter');
    expect(errors).toEqual([]);
    await context.close();
  });
});
