// The printable report (issue #5): "Print report" fills a print-only section (#report) with a
// header (file, size, hash when known, the date of the report, the capture's span and counts, the
// settings that differ from the defaults) and the alerts as a plain table (the first `maxRows` by
// severity, then time: the on-screen table is virtualised and would print only its visible rows),
// then calls window.print(). The print stylesheet (style.css, "#5 exports: print") hides the
// inputs, buttons and the interactive table, and prints the report, the overview and the charts
// (canvases print as they are drawn). Everything is rendered as text.
import { DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult } from '../shared/protocol';
import { alertIndices, alertRow } from '../io/alert-rows';
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM } from '../shared/abi';
import { el, replaceChildren } from './dom';
import { formatBytes, formatInt } from './format';

/** What the report says about the input beyond the result (the hash when the page knows it). */
export interface ReportInfo {
  /** Hex digest of the file and its algorithm's name, e.g. { algorithm: 'SHA-256', hex }. */
  hash?: { algorithm: string; hex: string };
  /** The report's date (default: now). */
  now?: Date;
  /** Alert rows printed (default REPORT_MAX_ROWS). */
  maxRows?: number;
  /** Include alerts suppressed by the rate limiter (default false, as the CLI). */
  includeSuppressed?: boolean;
}

/** Alert rows in the printed table by default. */
export const REPORT_MAX_ROWS = 500;

const SEV_RANK: Record<number, number> = { [SEV_HIGH]: 0, [SEV_MEDIUM]: 1, [SEV_LOW]: 2 };

/** Indices of the alerts to print: severity (high first), then first time, then index; at most
 *  `maxRows`. */
export function reportAlertOrder(r: AnalysisResult, maxRows = REPORT_MAX_ROWS, includeSuppressed = false): number[] {
  const a = r.alerts;
  return alertIndices(r, includeSuppressed)
    .sort((x, y) => (SEV_RANK[a.severity[x]] ?? 3) - (SEV_RANK[a.severity[y]] ?? 3) || a.tsUs[x] - a.tsUs[y] || x - y)
    .slice(0, maxRows);
}

/**
 * The settings of `o` that differ from `base` (DEFAULT_OPTIONS), as [dotted path, JSON value]
 * pairs in key order; lists compared whole. The hash seed (random per analysis unless set) is left
 * out.
 */
export function settingsDiff(o: AnalysisOptions, base: AnalysisOptions = DEFAULT_OPTIONS): [string, string][] {
  const out: [string, string][] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (x && typeof x === 'object' && !Array.isArray(x) && y && typeof y === 'object' && !Array.isArray(y)) {
      const keys = new Set([...Object.keys(x as object), ...Object.keys(y as object)]);
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    } else if (JSON.stringify(x) !== JSON.stringify(y) && path !== 'seed') out.push([path, x === undefined ? '(unset)' : JSON.stringify(x)]);
  };
  walk(o, base, '');
  return out;
}

const SEV_NAMES: Record<number, string> = { [SEV_HIGH]: 'high', [SEV_MEDIUM]: 'medium', [SEV_LOW]: 'low' };

/** The report section's content for `r` (the children of #report). */
export function renderReport(r: AnalysisResult, info: ReportInfo = {}): HTMLElement[] {
  const s = r.summary;
  const now = info.now ?? new Date();
  const maxRows = info.maxRows ?? REPORT_MAX_ROWS;
  const printed = alertIndices(r, info.includeSuppressed ?? false).length;
  const order = reportAlertOrder(r, maxRows, info.includeSuppressed ?? false);
  const diff = settingsDiff(r.options);
  const span = Number.isFinite(s.tsFirstUs) ? `${new Date(s.tsFirstUs / 1000).toISOString()} – ${new Date(s.tsLastUs / 1000).toISOString()}` : '—';
  const kv = (k: string, v: string, field?: string) => el('div', { class: 'kv' }, el('dt', {}, k), el('dd', { attrs: field ? { 'data-field': field } : {} }, v));
  const header = el(
    'header',
    { class: 'report-header' },
    el('h1', {}, 'Flowlens report: ', el('span', { id: 'report-file' }, s.fileName)),
    el(
      'dl',
      { class: 'detail-grid' },
      kv('File', `${s.fileName} (${formatBytes(s.fileBytes)}${s.gzip ? ', gzip' : ''}, ${s.format})`, 'file'),
      info.hash ? kv(info.hash.algorithm, info.hash.hex, 'hash') : null,
      kv('Report date (UTC)', now.toISOString(), 'date'),
      kv('Capture span (UTC)', span),
      kv('Packets', formatInt(s.packetsDecoded)),
      kv('Flows', formatInt(s.flows)),
      kv('Alerts', `${formatInt(printed)}${r.alerts.count > printed ? ` (+${formatInt(r.alerts.count - printed)} suppressed by the rate limiter)` : ''}`),
      r.cancelled ? kv('Note', 'The analysis was cancelled: the report covers what was read.') : null,
      kv('Settings', diff.length === 0 ? 'defaults' : `${diff.length} changed from the defaults (listed below)`, 'settings'),
    ),
    diff.length
      ? el('ul', { class: 'report-settings' }, ...diff.map(([p, v]) => el('li', {}, el('code', {}, p), ' = ', el('code', {}, v))))
      : null,
  );
  const table = el(
    'table',
    { id: 'report-alerts', class: 'report-alerts' },
    el('thead', {}, el('tr', {}, ...['Severity', 'Detector', 'First (UTC)', 'Explanation', 'community_id'].map((h) => el('th', { attrs: { scope: 'col' } }, h)))),
    el(
      'tbody',
      {},
      ...order.map((i) => {
        const row = alertRow(r, i);
        return el(
          'tr',
          { attrs: { 'data-alert': i } },
          el('td', { class: `sev sev-${SEV_NAMES[r.alerts.severity[i]] ?? 'low'}` }, row.severity),
          el('td', {}, row.detector + (row.variant ? ` (${row.variant})` : '')),
          el('td', {}, row.first_ts),
          el('td', {}, row.message),
          el('td', { class: 'cid' }, row.community_id ?? '—'),
        );
      }),
    ),
  );
  const alerts = el(
    'section',
    { class: 'report-alerts-box' },
    el('h2', {}, 'Alerts'),
    el('p', { class: 'muted' }, order.length < printed ? `The first ${formatInt(order.length)} of ${formatInt(printed)} alerts by severity, then time.` : `All ${formatInt(printed)} alerts by severity, then time.`),
    order.length ? table : el('p', {}, 'No alerts.'),
  );
  return [header, alerts];
}

/** The print-only section (#report) and print(): fills it for `r` and opens the print dialog. */
export interface ReportPanel {
  element: HTMLElement;
  /** Fills the report for `r` (without printing). */
  prepare(r: AnalysisResult, info?: ReportInfo): void;
  /** prepare() then window.print(). */
  print(r: AnalysisResult, info?: ReportInfo): void;
}

export function createReport(): ReportPanel {
  const element = el('section', { id: 'report', class: 'report print-only', attrs: { 'aria-label': 'Printable report' } });
  const prepare = (r: AnalysisResult, info?: ReportInfo) => replaceChildren(element, ...renderReport(r, info));
  return {
    element,
    prepare,
    print(r, info) {
      prepare(r, info);
      window.print();
    },
  };
}
