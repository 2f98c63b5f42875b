// Browser test of the exports (issue #5) on the built page (dist/) in Debian's chromium: a real
// capture is dropped (hash seed fixed in the settings so that the CLI can analyse it the same way),
// every text export is downloaded through the page (playwright download events) and compared with
// what `flowlens analyze --format F` prints for the same capture and settings (byte for byte), the
// files are parsed (JSONL, CSV, EVE with event_type alert and the Community ID computed here with
// src/io/community-id.ts, conn.log with its #fields header and community_id column); the alert
// detail's actions copy the Wireshark filter and the JSON row to the clipboard and list the flows
// involved; the packet exports (one alert, evidence packets of all alerts) hold exactly the
// original records at the indexes a CLI run with collectMarks gives, and the core re-reads them;
// the print view shows the report (file name, an alert's explanation) and hides the controls.
// Screenshots: exports-menu.png, exports-detail.png, exports-print.png, exports-print.pdf.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import type { BrowserContext, Page } from 'playwright-core';
import { DATA, SHOTS, dropFile, startHarness, stopHarness, waitForResult, type Harness } from './harness';
import { parseCli, runAnalyze, type CliRun, type OutputFormat } from '../../src/cli/main';
import { alertRow } from '../../src/io/alert-rows';
import { communityId } from '../../src/io/community-id';
import { alertPacketIndexes, cutIndexes } from '../../src/io/pcap-cut';
import { alertWiresharkFilter } from '../../src/ui/wireshark-filter';
import { flaggedFlowRecords } from '../../src/ui/exports';
import { records } from '../helpers/capture-records';
import type { AnalysisResult } from '../../src/shared/protocol';

const FILE = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const NAME = 'evilfingers_TCP_SYN_SCAN.pcap';
const SEED = '7';
const tmp = mkdtempSync(join(tmpdir(), 'flowlens-exports-'));

async function cli(format: OutputFormat): Promise<string> {
  const run = parseCli(['analyze', join(DATA, FILE), '--format', format, '--seed', SEED]) as CliRun;
  let text = '';
  await runAnalyze(join(DATA, FILE), format, run.options, (s) => (text += s));
  return text;
}

/** Clicks `selector` and returns the downloaded file's name and bytes. */
async function download(page: Page, selector: string): Promise<{ name: string; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.locator(selector).click()]);
  const path = join(tmp, d.suggestedFilename());
  await d.saveAs(path);
  return { name: d.suggestedFilename(), bytes: readFileSync(path) };
}

const PROTO: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMPv6: 58, tcp: 6, udp: 17, icmp: 1 };

describe('exports on the page', () => {
  let h: Harness;
  let context: BrowserContext;
  let page: Page;
  let marked: AnalysisResult;
  const original = records(readFileSync(join(DATA, FILE)), 'pcap');

  beforeAll(async () => {
    h = await startHarness();
    context = await h.browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: h.origin });
    page = await context.newPage();
    await page.goto(h.origin + '/');
    await page.locator('#settings-summary').click();
    await page.locator('#opt-seed').fill(SEED);
    await page.locator('#settings-summary').click();
    await dropFile(page, readFileSync(join(DATA, FILE)), NAME);
    await waitForResult(page, NAME);
    const run = parseCli(['analyze', join(DATA, FILE), '--seed', SEED]) as CliRun;
    marked = await runAnalyze(join(DATA, FILE), 'jsonl', run.options, () => undefined, false, { collectMarks: true });
  });

  afterAll(async () => {
    await context?.close();
    await stopHarness(h ?? {});
  });

  it('shows the export panel, keyboard reachable', async () => {
    await expect.poll(() => page.locator('#exports').isVisible()).toBe(true);
    for (const id of ['alerts-jsonl', 'alerts-csv', 'alerts-eve', 'flows-conn', 'flows-csv']) {
      expect(await page.locator(`#export-${id}`).isEnabled(), id).toBe(true);
    }
    expect(await page.locator('#export-pcap-evidence').isEnabled()).toBe(true);
    // Tab reaches the buttons (native buttons in document order).
    await page.locator('#export-alerts-jsonl').focus();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('export-alerts-csv');
    await page.locator('#exports').screenshot({ path: join(SHOTS, 'exports-menu.png') });
  });

  it('alerts as JSONL and CSV: parse, and equal the CLI output byte for byte', async () => {
    const jsonl = await download(page, '#export-alerts-jsonl');
    expect(jsonl.name).toBe('evilfingers_TCP_SYN_SCAN-alerts.jsonl');
    const text = jsonl.bytes.toString('utf8');
    expect(text).toBe(await cli('jsonl'));
    const rows = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(900);
    expect(await page.locator('#export-status').innerText()).toContain(`Saved ${jsonl.name}`);

    const csv = await download(page, '#export-alerts-csv');
    expect(csv.bytes.toString('utf8')).toBe(await cli('csv'));
    const parsed = Papa.parse<Record<string, string>>(csv.bytes.toString('utf8'), { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.length).toBe(rows.length);
    expect(parsed.data.map((r) => r.community_id)).toEqual(rows.map((r) => r.community_id ?? ''));
  });

  it('alerts as Suricata EVE: event_type alert and the right community_id', async () => {
    const eve = await download(page, '#export-alerts-eve');
    const text = eve.bytes.toString('utf8');
    expect(text).toBe(await cli('eve'));
    const events = text.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(events.length).toBeGreaterThan(900);
    for (const e of events) {
      expect(e.event_type).toBe('alert');
      expect(e.alert.signature).toMatch(/^FLOWLENS /);
      expect(e.community_id).toBe(communityId({ src: e.src_ip, dst: e.dest_ip, proto: PROTO[e.proto], sport: e.src_port, dport: e.dest_port }));
    }
  });

  it('flows as Zeek conn.log (#fields header, community_id column) and CSV', async () => {
    const log = await download(page, '#export-flows-conn');
    expect(log.name).toBe('evilfingers_TCP_SYN_SCAN-conn.log');
    const text = log.bytes.toString('utf8');
    expect(text).toBe(await cli('conn'));
    const lines = text.trimEnd().split('\n');
    const fields = lines.find((l) => l.startsWith('#fields\t'))!.split('\t').slice(1);
    expect(fields.at(-1)).toBe('community_id');
    const col = (n: string) => fields.indexOf(n);
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => l.split('\t'));
    expect(rows.length).toBeGreaterThan(900);
    for (const c of rows) {
      expect(c.length).toBe(fields.length);
      const t = { src: c[col('id.orig_h')], dst: c[col('id.resp_h')], proto: PROTO[c[col('proto')]], sport: Number(c[col('id.orig_p')]), dport: Number(c[col('id.resp_p')]) };
      expect(c[col('community_id')]).toBe(communityId(t));
    }
    const csv = await download(page, '#export-flows-csv');
    expect(csv.bytes.toString('utf8')).toBe(await cli('conn-csv'));
  });

  it('the alert detail: copy the Wireshark filter and the JSON row, flows involved', async () => {
    const row = page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]').first();
    await row.click();
    const i = Number(await row.getAttribute('data-alert'));
    await page.waitForFunction((k) => document.getElementById('alert-detail')?.dataset.alert === String(k), i);
    await page.locator('#copy-filter').click();
    await expect.poll(() => page.locator('#alert-action-status').innerText()).toContain('Copied');
    const filter = await page.evaluate(() => navigator.clipboard.readText());
    expect(filter).toBe(alertWiresharkFilter(marked, i));
    expect(filter).toMatch(/^ip\.addr==\S+ && ip\.addr==\S+ && tcp && frame\.time_epoch >= \d+\.\d{6} && frame\.time_epoch <= \d+\.\d{6}$/);
    await page.locator('#copy-json').click();
    await expect.poll(() => page.locator('#alert-action-status').innerText()).toContain('Copied the alert as JSON');
    const json = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    expect(json).toEqual(JSON.parse(JSON.stringify(alertRow(marked, i))));
    // Flows involved: the scan's connection records, each with its community_id.
    const cells = await page.locator('#flows-involved-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? '')),
    );
    expect(cells.length).toBe(20);
    expect(await page.locator('#flows-involved').innerText()).toMatch(/20 of [\d,]+ flows shown/);
    const a = alertRow(marked, i);
    for (const c of cells) {
      const [o, op] = c[0].split(':');
      const [r, rp] = c[1].split(':');
      expect([o, r].sort()).toEqual([a.src, a.dst].sort());
      expect(['S0', 'REJ', 'SF', 'RSTO', 'RSTR', 'SH', 'OTH', 'S1', 'RSTOS0', 'RSTRH', 'SHR', 'S2', 'S3']).toContain(c[5]);
      expect(c[8]).toBe(communityId({ src: o, dst: r, proto: 6, sport: Number(op), dport: Number(rp) }));
    }
    await page.locator('#explore').screenshot({ path: join(SHOTS, 'exports-detail.png') });
  });

  it('exports one alert’s packets: exactly its records, re-read by the core', async () => {
    const row = page.locator('#alert-table tbody tr[data-detector="PORTSCAN"]').first();
    await row.click();
    const i = Number(await row.getAttribute('data-alert'));
    await page.waitForFunction((k) => document.getElementById('alert-detail')?.dataset.alert === String(k), i);
    const cut = await download(page, '#export-alert-packets');
    expect(cut.name).toBe(`evilfingers_TCP_SYN_SCAN-alert-${i + 1}.pcap`);
    const want = alertPacketIndexes(marked, i);
    expect(want.length).toBeGreaterThan(100);
    const got = records(cut.bytes, 'pcap');
    expect(got.head[0].equals(original.head[0])).toBe(true);
    expect(got.packets.length).toBe(want.length);
    want.forEach((r, k) => expect(got.packets[k].equals(original.packets[r]), `record ${r}`).toBe(true));
    const path = join(tmp, cut.name);
    writeFileSync(path, cut.bytes);
    const reread = await runAnalyze(path, 'jsonl', (parseCli(['analyze', path]) as CliRun).options, () => undefined);
    expect(reread.ok).toBe(true);
    expect(reread.summary.recordsRead).toBe(want.length);
    expect(reread.summary.packetsDecoded).toBe(want.length);
    await expect.poll(() => page.locator('#alert-action-status').innerText()).toContain(`(${want.length.toLocaleString('en-US')} packets)`);
  });

  it('exports the evidence packets of all alerts (as --pcap-out)', async () => {
    const cut = await download(page, '#export-pcap-evidence');
    expect(cut.name).toBe('evilfingers_TCP_SYN_SCAN-evidence.pcap');
    const want = cutIndexes(marked);
    const got = records(cut.bytes, 'pcap').packets;
    expect(got.length).toBe(want.length);
    want.forEach((r, k) => expect(got[k].equals(original.packets[r])).toBe(true));
  });

  it('exports every packet of all flagged flows', async () => {
    const recs = flaggedFlowRecords(marked);
    const c = marked.conns!;
    expect(await page.locator('#export-pcap-flows').innerText()).toBe(`All flagged flows (${recs.length.toLocaleString('en-US')})`);
    const cut = await download(page, '#export-pcap-flows');
    expect(cut.name).toBe('evilfingers_TCP_SYN_SCAN-flagged-flows.pcap');
    const got = records(cut.bytes, 'pcap').packets;
    expect(got.length).toBe(recs.reduce((n, k) => n + c.pktsOrig[k] + c.pktsResp[k], 0));
    let at = 0;
    for (const p of got) {
      while (at < original.packets.length && !original.packets[at].equals(p)) at++;
      expect(at).toBeLessThan(original.packets.length);
      at++;
    }
  });

  it('prints a report: header with the file, the alerts table; controls hidden', async () => {
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => {
        (window as unknown as { printed: number }).printed++;
      };
    });
    await page.locator('#print-report').click();
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    expect(await page.locator('#report').isVisible()).toBe(false); // print only
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#report').isVisible()).toBe(true);
    expect(await page.locator('#report-file').innerText()).toBe(NAME);
    for (const sel of ['#exports', '#settings', '#alerts', '#copy-filter', '#drop-zone']) expect(await page.locator(sel).isVisible(), sel).toBe(false);
    expect(await page.locator('#summary').isVisible()).toBe(true);
    const rows = page.locator('#report-alerts tbody tr');
    expect(await rows.count()).toBe(500);
    // The first printed row is a high alert (severity first) with its explanation.
    const first = Number(await rows.first().getAttribute('data-alert'));
    expect(await rows.first().locator('td').nth(3).innerText()).toBe(alertRow(marked, first).message);
    expect(alertRow(marked, first).severity).toBe('high');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(SHOTS, 'exports-print.png'), fullPage: true, clip: { x: 0, y: 0, width: 1280, height: 2400 } });
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    writeFileSync(join(SHOTS, 'exports-print.pdf'), pdf);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(20_000);
    await page.emulateMedia({ media: 'screen' });
  });
});
