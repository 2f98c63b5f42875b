// Browser test of the overview, the timeline and the tabs (issue #5; src/ui/triage.ts): drop a real
// capture, check the overview against MANIFEST.md and an analysis of the same file in node, count
// the timeline's drawn pixels (data and alert marks), drag a range with the mouse and check that
// the Alerts tab's count and the flows tab narrow to the numbers computed here, clear it with
// Escape, type a range from the keyboard and clear it with the button, move between tabs with the
// arrow keys, filter the alerts by a host, and save screenshots (overview-*.png).
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BIG, DATA, SHOTS, bigRepeated, dropFile, useHarness, waitForResult } from './harness';
import { analyzeBlob } from '../../src/worker/pipeline';
import { defaultOptions } from '../../src/rules/options';
import { newEngine } from '../helpers/core';
import type { AnalysisResult } from '../../src/shared/protocol';
import { alertsInRange, flowsInRange, makeRange } from '../../src/ui/traffic-model';
import { formatInt, formatUtcUs } from '../../src/ui/format';

const FILE = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const NAME = FILE.split('/').pop()!;

/** MANIFEST.md row: capinfos records and IPv4 + IPv6 packets. */
function manifestCounts(path: string): { records: number; ip: number } {
  const line = readFileSync(join(DATA, 'MANIFEST.md'), 'utf8').split('\n').find((l) => l.startsWith(`| \`${path}\` |`))!;
  const cols = line.split('|').map((c) => c.trim());
  const m = /IPv4 (\d+), IPv6 (\d+)/.exec(line)!;
  return { records: Number(cols[5].replace(/,/g, '')), ip: Number(m[1]) + Number(m[2]) };
}

const num = (s: string) => Number(s.replace(/[^\d.]/g, ''));

/** Drawn (non-transparent) pixels of a canvas, and those in the top `bandPx` rows of the plot area
 *  (the alert marks' rows) that are not the background. */
async function canvasPixels(page: Page, selector: string): Promise<{ drawn: number; width: number }> {
  return page.evaluate((sel) => {
    const c = document.querySelector<HTMLCanvasElement>(sel);
    if (!c) return { drawn: 0, width: 0 };
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let drawn = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) drawn++;
    return { drawn, width: c.width };
  }, selector);
}

/** Pixels in the colour of a CSS variable (±40 per channel) inside the canvas rows [y0, y1). */
async function colourPixels(page: Page, cssVar: string, y0: number, y1: number): Promise<number> {
  return page.evaluate(
    ([v, a, b]) => {
      const c = document.querySelector<HTMLCanvasElement>('#timeline-chart canvas')!;
      const probe = document.createElement('span');
      probe.style.color = `var(${v})`;
      document.body.append(probe);
      const rgb = getComputedStyle(probe).color.match(/\d+/g)!.map(Number);
      probe.remove();
      const d = c.getContext('2d')!.getImageData(0, a, c.width, b - a).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40 && Math.abs(d[i + 2] - rgb[2]) < 40) n++;
      }
      return n;
    },
    [cssVar, y0, y1] as const,
  );
}

describe('overview, timeline and tabs (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  let node: AnalysisResult;
  useHarness((h) => ({ browser, origin } = h));
  beforeAll(async () => {
    const o = defaultOptions();
    node = (await analyzeBlob(await newEngine(), new Blob([readFileSync(join(DATA, FILE))]), NAME, o)).result;
  });

  it('shows the overview, draws the timeline, narrows the tabs to a dragged range, switches tabs by keyboard', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'light' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#drop-zone');
    await dropFile(page, readFileSync(join(DATA, FILE)), NAME);
    await waitForResult(page, NAME);

    // Overview: the manifest's figures and the node analysis' numbers.
    const want = manifestCounts(FILE);
    const ov = (f: string) => page.locator(`#overview [data-field="${f}"]`).innerText();
    expect(await page.locator('#overview').isVisible()).toBe(true);
    expect(num(await ov('packets'))).toBe(want.ip);
    expect(num(await ov('flows'))).toBe(node.summary.flows);
    expect(num(await ov('alerts'))).toBe(node.summary.alerts);
    expect(num(await ov('skipped-notIp'))).toBe(want.records - want.ip); // 9 non-IP frames
    expect(num(await ov('skipped-truncated'))).toBe(0);
    expect(await ov('span')).toContain('2009-01-03T18:58:34.958');
    expect(await ov('duration')).toMatch(/^1\.24\d s$/);
    const matrixTotal = await page.locator('#overview-matrix td').evaluateAll((tds) => tds.reduce((n, td) => n + Number((td.textContent ?? '').replace(/,/g, '')), 0));
    expect(matrixTotal).toBe(node.alerts.count);
    expect(await page.locator('#overview-badge').innerText()).toBe('complete');

    // Timeline: drawn, with alert marks in the top rows.
    expect(await page.locator('#timeline').getAttribute('data-kind')).toBe('chart');
    const px = await canvasPixels(page, '#timeline-chart canvas');
    expect(px.width).toBeGreaterThan(400);
    expect(px.drawn).toBeGreaterThan(2000);
    const top = await page.evaluate(() => {
      const over = document.querySelector('#timeline-chart .u-over')!.getBoundingClientRect();
      const canvas = document.querySelector('#timeline-chart canvas')!.getBoundingClientRect();
      return Math.round((over.top - canvas.top) * devicePixelRatio);
    });
    const dpr = await page.evaluate(() => devicePixelRatio);
    const sevs = new Set<number>(Array.from(node.alerts.severity));
    // each severity that occurs has marks of its colour in its own row (11 css px per row)
    const rowOf: Record<number, [string, number]> = { 3: ['--sev-high', 0], 2: ['--sev-medium', 1], 1: ['--sev-low', 2] };
    for (const s of sevs) {
      const [v, row] = rowOf[s];
      expect(await colourPixels(page, v, top + Math.round(row * 11 * dpr), top + Math.round((row + 1) * 11 * dpr))).toBeGreaterThan(10);
    }
    await page.screenshot({ path: join(SHOTS, 'overview-page.png'), fullPage: false });
    await page.locator('#workbench').screenshot({ path: join(SHOTS, 'overview-triage.png') });

    // Drag a range across the middle of the plot with the mouse.
    const total = node.alerts.count;
    expect(await page.locator('#tab-alerts').innerText()).toBe(`Alerts (${formatInt(total)})`);
    await page.locator('#tab-flows').click();
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(node.conns!.count);
    const box = (await page.locator('#timeline-chart .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.6);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.6, { steps: 8 });
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 8 });
    await page.mouse.up();
    await page.waitForFunction(() => (document.getElementById('timeline')?.dataset.range ?? '') !== '');
    const [fromUs, toUs] = (await page.locator('#timeline').getAttribute('data-range'))!.split(',').map(Number);
    expect(fromUs).toBeGreaterThan(node.summary.tsFirstUs);
    expect(toUs).toBeLessThan(node.summary.tsLastUs);
    const range = makeRange(fromUs, toUs);
    const inRange = alertsInRange(node, range).all;
    const flowsIn = flowsInRange(node.conns!, range).length;
    expect(inRange).toBeLessThan(total);
    expect(flowsIn).toBeLessThan(node.conns!.count);
    expect(flowsIn).toBeGreaterThan(0);
    expect(await page.locator('#tab-alerts').innerText()).toBe(`Alerts (${formatInt(inRange)} of ${formatInt(total)} in range)`);
    // The alerts table itself is narrowed to the range (its time chip shows; suppressed alerts stay hidden).
    const shownIn = alertsInRange(node, range).shown;
    await page.waitForFunction((n) => document.getElementById('alert-note')?.dataset.shown === String(n), shownIn);
    // (the Alerts tab is not the selected one here: the chip's own hidden flag, not its visibility)
    expect(await page.locator('#alert-time-chip').evaluate((e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.locator('#alert-time-chip').innerText()).toContain(formatUtcUs(fromUs));
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(flowsIn);
    expect(await page.locator('#flows-note').innerText()).toContain(`${formatInt(flowsIn)} of ${formatInt(node.conns!.count)} flows overlap the range`);
    expect(await page.locator('#timeline-from').inputValue()).toBe(formatUtcUs(fromUs));
    expect(await page.locator('#timeline-range').innerText()).toContain('Range:');
    await page.locator('#workbench').screenshot({ path: join(SHOTS, 'overview-range.png') });

    // Escape clears the range: everything back.
    await page.locator('#timeline-chart').focus();
    await page.keyboard.press('Escape');
    expect(await page.locator('#timeline').getAttribute('data-range')).toBe('');
    expect(await page.locator('#tab-alerts').innerText()).toBe(`Alerts (${formatInt(total)})`);
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(node.conns!.count);
    await page.waitForFunction((n) => document.getElementById('alert-note')?.dataset.shown === String(n), alertsInRange(node, makeRange(null, null)).shown);
    expect(await page.locator('#alert-time-chip').evaluate((e) => (e as HTMLElement).hidden)).toBe(true);
    // the drawn selection is gone (uPlot's width style; the CSS borders stay 4 px wide)
    expect(await page.locator('#timeline-chart .u-select').evaluate((e) => parseFloat((e as HTMLElement).style.width))).toBe(0);

    // Keyboard-only range: type From / To, Enter; then the Clear range button.
    const kFrom = node.summary.tsFirstUs;
    const kTo = node.summary.tsFirstUs + 200_000;
    await page.locator('#timeline-from').fill(formatUtcUs(kFrom));
    await page.locator('#timeline-to').fill(formatUtcUs(kTo));
    await page.locator('#timeline-to').press('Enter');
    expect(await page.locator('#timeline').getAttribute('data-range')).toBe(`${kFrom},${kTo}`);
    const kFlows = flowsInRange(node.conns!, makeRange(kFrom, kTo)).length;
    expect(kFlows).toBeLessThan(node.conns!.count);
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(kFlows);
    expect(await page.locator('#tab-alerts').innerText()).toBe(`Alerts (${formatInt(alertsInRange(node, makeRange(kFrom, kTo)).all)} of ${formatInt(total)} in range)`);
    // the typed range is drawn as the chart's selection
    expect(await page.locator('#timeline-chart .u-select').evaluate((e) => parseFloat((e as HTMLElement).style.width))).toBeGreaterThan(5);
    await page.locator('#timeline-clear').click();
    expect(await page.locator('#timeline').getAttribute('data-range')).toBe('');
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(node.conns!.count);
    // A hidden tab is brought up to date when shown (the tabs compute only while shown): the
    // range typed while the Alerts tab is up narrows the Flows tab once it is selected.
    await page.locator('#tab-alerts').click();
    await page.locator('#timeline-from').fill(formatUtcUs(kFrom));
    await page.locator('#timeline-to').fill(formatUtcUs(kTo));
    await page.locator('#timeline-to').press('Enter');
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(node.conns!.count); // not yet
    await page.locator('#tab-flows').click();
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(kFlows);
    await page.locator('#timeline-clear').click();
    expect(Number(await page.locator('#flows-tab').getAttribute('data-matched'))).toBe(node.conns!.count);
    // a bad time is refused with a message
    await page.locator('#timeline-from').fill('yesterday');
    await page.locator('#timeline-to').press('Enter');
    expect(await page.locator('#timeline-range').innerText()).toContain('Not a UTC time: From');
    expect(await page.locator('#timeline').getAttribute('data-range')).toBe('');

    // Flows tab: the top flow by bytes is the node max; rows carry conn_state and history.
    await page.locator('#flows-rank').selectOption('packets');
    const rows = await page.locator('#flows-table tbody tr').count();
    expect(rows).toBe(Math.min(200, node.conns!.count));
    expect(await page.locator('#flows-note').innerText()).toContain('the top 200 by packets');
    const states = new Set(await page.locator('#flows-table [data-col="state"]').allInnerTexts());
    expect(states.has('REJ') || states.has('S0') || states.has('SF')).toBe(true);
    await page.locator('#tabpanel-flows').screenshot({ path: join(SHOTS, 'overview-flows.png') });

    // Tabs by arrow keys: flows → hosts → protocols → alerts (wraps).
    await page.locator('#tab-flows').focus();
    for (const next of ['hosts', 'protocols', 'alerts', 'flows']) {
      await page.keyboard.press('ArrowRight');
      expect(await page.locator(`#tab-${next}`).getAttribute('aria-selected')).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`tab-${next}`);
      expect(await page.locator(`#tabpanel-${next}`).isVisible()).toBe(true);
    }
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('#tab-alerts').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#tabpanel-flows').isHidden()).toBe(true);
    await page.keyboard.press('End');
    expect(await page.locator('#tab-protocols').getAttribute('aria-selected')).toBe('true');

    // Protocols tab: shares chart drawn, class totals = summary.
    await page.waitForFunction(() => (document.querySelector<HTMLCanvasElement>('#protocols-chart canvas')?.getBoundingClientRect().width ?? 0) > 400);
    expect((await canvasPixels(page, '#protocols-chart canvas')).drawn).toBeGreaterThan(2000);
    expect(num(await page.locator('#protocols-classes-table tr[data-class="TCP"] [data-col="packets"]').innerText())).toBe(node.summary.tcp);
    await page.locator('#tabpanel-protocols').screenshot({ path: join(SHOTS, 'overview-protocols.png') });

    // Hosts tab: the scanner's alert count, its button filters the alerts table.
    await page.locator('#tab-hosts').click();
    const scanner = page.locator('#hosts-table tr[data-host="192.168.1.10"]');
    expect(num(await scanner.locator('[data-col="alerts"]').innerText())).toBeGreaterThan(0);
    await page.locator('#tabpanel-hosts').screenshot({ path: join(SHOTS, 'overview-hosts.png') });
    await scanner.getByRole('button').click();
    expect(await page.locator('#tab-alerts').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#alert-address').inputValue()).toBe('192.168.1.10');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders partial results while the file is read ("so far"), then the complete one', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#drop-zone');
    // The merged perf capture twice over (harness bigRepeated: 2 × 150,489 records) in 64 KiB chunks:
    // seconds of analysis even on an idle machine, a partial result every second.
    const big = bigRepeated(2);
    // Record every partial overview as it is rendered (a MutationObserver sees the DOM of that
    // render before the next worker message can replace it).
    await page.evaluate(() => {
      const w = window as unknown as { __partials: { badge: string; packets: string }[] };
      w.__partials = [];
      const ov = document.getElementById('overview')!;
      new MutationObserver(() => {
        if (ov.dataset.partial !== 'true') return;
        w.__partials.push({ badge: document.getElementById('overview-badge')?.textContent ?? '', packets: ov.querySelector('[data-field="packets"]')?.textContent ?? '' });
      }).observe(ov, { attributes: true, subtree: true, childList: true });
    });
    // Small chunks: a progress report (and so, once a second, a partial result) after each one.
    await page.locator('#settings-summary').click();
    await page.locator('#opt-chunkBytes').fill('64'); // the smallest allowed (src/rules/options.ts)
    await page.setInputFiles('#file-input', big);
    await waitForResult(page, basename(big));
    const partial = (await page.evaluate(() => (window as unknown as { __partials: { badge: string; packets: string }[] }).__partials[0])) ?? null;
    expect(partial, 'no partial overview was rendered').not.toBeNull();
    expect(partial.badge).toBe('so far (still reading)');
    const soFar = num(partial.packets);
    expect(soFar).toBeGreaterThan(0);
    expect(await page.locator('#overview').getAttribute('data-partial')).toBe('false');
    expect(await page.locator('#overview-badge').innerText()).toBe('complete');
    const final = num(await page.locator('#overview [data-field="packets"]').innerText());
    // the same figure as the detailed summary; more than one copy's IP packets (the repeated copy
    // loses a few to its time going back: late packets)
    expect(final).toBe(num(await page.locator('#summary [data-field="packets"]').innerText()));
    expect(final).toBeGreaterThan(manifestCounts(BIG).ip);
    expect(soFar).toBeLessThan(final);
    await context.close();
  });

  it('dark theme screenshot', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${origin}/index.html`);
    await page.waitForSelector('#drop-zone');
    await dropFile(page, readFileSync(join(DATA, FILE)), NAME);
    await waitForResult(page, NAME);
    expect((await canvasPixels(page, '#timeline-chart canvas')).drawn).toBeGreaterThan(2000);
    await page.locator('#workbench').screenshot({ path: join(SHOTS, 'overview-dark.png') });
    await context.close();
  });
});
