// Browser test of keyboard use, screen-reader labels and the two themes (issue #5): a keyboard-only
// run (Tab / Enter / Space / arrows; the file reaches the page through the file chooser that Space
// on the picker opens) reaches the result and opens an alert; Cancel is reachable and keeps the
// result so far; every control has an accessible name, every control Tab reaches shows a focus
// ring (computed outline), live regions exist for progress and results; axe-core (WCAG 2 A/AA)
// finds no violation on the page with a result, in the light and the dark theme. Screenshots:
// test-results/screenshots/a11y-*.png. Run: npm run build && npx vitest run --config
// vitest.e2e.config.ts test/e2e/a11y.test.ts
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DATA, ROOT, SHOTS, bigRepeated, openWatchedPage, useHarness } from './harness';

const ESPN = 'normal/chrissanders_http_espn.pcapng';
const SSH = 'attacks/bruteforce/zeek_ssh_sshguess.pcap';
const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** What the focused element is and whether it shows a focus indicator: its own computed outline
 *  (or box-shadow), or, for the visually hidden file input, its label's. */
interface Focused {
  id: string;
  tag: string;
  desc: string;
  ring: boolean;
}

async function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const a = document.activeElement as HTMLElement | null;
    if (!a || a === document.body) return { id: '', tag: 'body', desc: 'body', ring: false };
    const shows = (e: Element) => {
      const cs = getComputedStyle(e);
      return (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2) || (cs.boxShadow !== 'none' && cs.boxShadow !== '');
    };
    const label = a.id ? document.querySelector(`label[for="${a.id}"]`) : null;
    const ring = shows(a) || (a instanceof HTMLInputElement && a.type === 'file' && !!label && shows(label));
    return { id: a.id, tag: a.tagName.toLowerCase(), desc: `${a.tagName.toLowerCase()}#${a.id}.${a.className} "${(a.textContent ?? '').trim().slice(0, 40)}"`, ring };
  });
}

/** Presses Tab until `pred` holds for the focused element (at most `max` times); every element
 *  passed on the way is returned (to check its focus ring). */
async function tabUntil(page: Page, pred: (f: Focused) => boolean, max = 250, back = false): Promise<Focused[]> {
  const seen: Focused[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    seen.push(f);
    if (pred(f)) return seen;
  }
  throw new Error(`not reached in ${max} Tabs; last: ${seen.slice(-5).map((f) => f.desc).join(' | ')}`);
}

/** Controls without an accessible name (aria-labelledby, aria-label, a <label>, own text for
 *  buttons and links, title), hidden ones excluded except the visually hidden file inputs. */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const text = (e: Element | null) => (e?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const out: string[] = [];
    const controls = document.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href], [role="button"], [tabindex]:not([tabindex="-1"])');
    for (const c of Array.from(controls)) {
      if (c.closest('[hidden]') || (c as HTMLInputElement).type === 'hidden') continue;
      if (c.getClientRects().length === 0 && !(c instanceof HTMLInputElement && c.type === 'file')) continue;
      let name = '';
      const by = c.getAttribute('aria-labelledby');
      if (by) name = by.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      if (!name) name = (c.getAttribute('aria-label') ?? '').trim();
      if (!name && c.id) name = text(document.querySelector(`label[for="${c.id}"]`));
      if (!name) name = text(c.closest('label'));
      if (!name && (c instanceof HTMLButtonElement || c instanceof HTMLAnchorElement || c.getAttribute('role') === 'button')) name = text(c);
      if (!name && c.tagName === 'TR') name = text(c); // table rows read their cells
      if (!name) name = (c.getAttribute('title') ?? '').trim();
      if (!name) out.push(`${c.tagName.toLowerCase()}#${c.id}.${c.className}`);
    }
    return out;
  });
}

/** axe-core's WCAG 2 A/AA violations (id: the nodes' selectors). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE); // evaluated by the test driver, not a page script: the CSP is untouched
  const res = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 6).join(', ')}`);
  });
  return res;
}

describe('keyboard, labels and themes (built dist/ in chromium)', () => {
  let browser: Browser;
  let origin = '';
  useHarness((h) => ({ browser, origin } = h));

  async function openPage(colorScheme: 'light' | 'dark' = 'light') {
    const opened = await openWatchedPage(browser, origin, { colorScheme });
    // The page is settled (core loaded, history listed) before the keyboard walk starts.
    await opened.page.waitForFunction(() => document.body.dataset.core === 'ready');
    return opened;
  }

  /** Focuses the file picker with Tab and picks `paths` through the chooser Space opens. */
  async function pickWithKeyboard(page: Page, paths: string[]): Promise<Focused[]> {
    // Wait for the chooser before the Tab walk: Playwright turns the file-chooser interception on
    // lazily (when the first waiter is added), and a Space pressed right after could open the native
    // chooser before the interception is in force (the puppeteer#6040 race).
    const chooser = page.waitForEvent('filechooser');
    const seen = await tabUntil(page, (f) => f.id === 'file-input', 20);
    await page.keyboard.press('Space');
    const fc = await chooser;
    expect(fc.isMultiple()).toBe(true);
    await fc.setFiles(paths.map((p) => (isAbsolute(p) ? p : join(DATA, p))));
    return seen;
  }

  it('keyboard only: pick two files, reach the result, open an alert; every stop shows a focus ring', async () => {
    const { context, page, errors } = await openPage();
    const seen = await pickWithKeyboard(page, [SSH, ESPN]);
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.querySelectorAll('#queue-list li[data-state="done"]').length === 2, undefined, {
      timeout: 60_000,
    });
    // Live regions: the page status says what was analysed; progress has its own.
    expect(await page.locator('#status[role="status"]').innerText()).toMatch(/^Analysed chrissanders_http_espn\.pcapng: 956 packets, \d+ alerts\.$/);
    expect(await page.locator('#progress-status').getAttribute('aria-live')).toBe('polite');
    // Tab on: through the queue's Show button (switch to ssh and back with Enter), to the table.
    seen.push(...(await tabUntil(page, (f) => f.tag === 'button' && f.desc.includes('"Show"'))));
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#summary [data-field="file"]')?.textContent === 'zeek_ssh_sshguess.pcap');
    // Focus stays in the queue (on the other file's Show button), so Enter switches back.
    expect((await focused(page)).desc).toContain('"Show"');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#summary [data-field="file"]')?.textContent === 'chrissanders_http_espn.pcapng');
    seen.push(...(await tabUntil(page, (f) => f.tag === 'tr')));
    const first = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.alert);
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.alert);
    expect(second).not.toBe(first);
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => document.getElementById('alert-detail')?.dataset.alert === id, second);
    await page.waitForFunction((id) => document.getElementById('explore')?.dataset.chart === id, second, { timeout: 60_000 });
    seen.push(await focused(page));
    const noRing = seen.filter((f) => !f.ring).map((f) => f.desc);
    expect(noRing).toEqual([]);
    expect(seen.length).toBeGreaterThan(10);
    await page.screenshot({ path: join(SHOTS, 'a11y-keyboard-alert.png'), fullPage: false });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('keyboard only: Cancel is reachable while a big capture is read and keeps the result so far', async () => {
    const { context, page, errors } = await openPage();
    // BIG several times over (harness bigRepeated): read alone, BIG can end during the Tab walk.
    const big = bigRepeated();
    const name = basename(big);
    await pickWithKeyboard(page, [big]);
    await page.locator('#progress').waitFor({ state: 'visible' });
    const seen = await tabUntil(page, (f) => f.id === 'cancel-button');
    expect(seen.every((f) => f.ring)).toBe(true);
    expect(await page.locator('#cancel-button').getAttribute('aria-label')).toBe(`Cancel the analysis of ${name} (the results so far stay)`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.body.dataset.state === 'done' && document.getElementById('app')?.dataset.result === 'cancelled', undefined, { timeout: 60_000 });
    expect(await page.locator('#result-note').innerText()).toMatch(/^Cancelled at \d+ % — results so far$/);
    expect(await page.locator('#status').innerText()).toMatch(new RegExp(`^Cancelled at \\d+ % — results so far: ${name.replace(/\./g, '\\.')}: [\\d,]+ packets`));
    expect(errors).toEqual([]);
    await context.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    it(`${scheme} theme: every control named, no axe-core WCAG A/AA violation, themed colours`, async () => {
      const { context, page, errors } = await openPage(scheme);
      await pickWithKeyboard(page, [ESPN, SSH]);
      await page.waitForFunction(() => document.body.dataset.state === 'done' && document.querySelectorAll('#queue-list li[data-state="done"]').length === 2, undefined, {
        timeout: 60_000,
      });
      await page.waitForFunction(() => /^\d+$/.test(document.getElementById('explore')?.dataset.chart ?? ''), undefined, { timeout: 60_000 });
      await page.emulateMedia({ colorScheme: scheme });
      expect(await unnamedControls(page)).toEqual([]);
      expect(await axeViolations(page)).toEqual([]);
      // The theme follows the system: background and text colours of the page and the queue.
      const colours = await page.evaluate(() => ({
        bg: getComputedStyle(document.body).backgroundColor,
        fg: getComputedStyle(document.body).color,
        queue: getComputedStyle(document.getElementById('queue')!).backgroundColor,
      }));
      const lum = (c: string) => {
        const [r, g, b] = (c.match(/\d+/g) ?? []).map(Number);
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      if (scheme === 'dark') {
        expect(lum(colours.bg)).toBeLessThan(60);
        expect(lum(colours.queue)).toBeLessThan(60);
        expect(lum(colours.fg)).toBeGreaterThan(180);
      } else {
        expect(lum(colours.bg)).toBeGreaterThan(200);
        expect(lum(colours.queue)).toBeGreaterThan(200);
        expect(lum(colours.fg)).toBeLessThan(60);
      }
      await page.screenshot({ path: join(SHOTS, `a11y-${scheme}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
