// The alerts table: every detector's alerts (detector and variant, severity, first and last time,
// subject, the one-line explanation, score), filtered by detector, severity and subject text,
// sortable by column. The rate limiter's suppressed alerts are hidden behind a visible count and a
// toggle that shows them marked. At most PAGE_ROWS rows are added at a time ("Show more"): the
// DOM stays small with 200,000 alerts. Rows select their alert on click or Enter (one row in the
// tab order; ↑/↓ move between rows). Cells are filled with textContent only (hostile files).
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM, DET_ZSCORE, DET_FLOWRULE } from '../shared/abi';
import type { AnalysisResult } from '../shared/protocol';
import { alertMessage } from '../io/alert-rows';
import { el, replaceChildren } from './dom';
import { formatInt, formatUtcUs, formatZ, severityName } from './format';
import {
  ALL_ALERTS,
  channelLabels,
  countSuppressed,
  detectorName,
  selectAlerts,
  subjectLabel,
  tallyAlerts,
  variantName,
  type AlertQuery,
  type SortKey,
} from './alert-filter';

/** Rows added per "Show more" (and shown at first). */
export const PAGE_ROWS = 1000;

interface Column {
  key: SortKey | null;
  label: string;
  title: string;
  cls: string;
  /** Direction of the first click on this header. */
  firstDir: 1 | -1;
}

const COLUMNS: Column[] = [
  { key: 'detector', label: 'Detector', title: 'The detector that raised the alert, and its variant', cls: 'detector', firstDir: 1 },
  { key: 'severity', label: 'Severity', title: 'low / medium / high', cls: 'sev-col', firstDir: -1 },
  { key: 'first', label: 'First (UTC)', title: 'First evidence packet, UTC, microseconds', cls: 'time', firstDir: 1 },
  { key: 'last', label: 'Last (UTC)', title: 'Last evidence packet, UTC, microseconds', cls: 'time', firstDir: -1 },
  { key: 'subject', label: 'Subject', title: 'Source → destination · protocol (ports)', cls: 'channel', firstDir: 1 },
  { key: null, label: 'Explanation', title: 'What the detector saw, in one line', cls: 'message', firstDir: 1 },
  { key: 'score', label: 'Score', title: 'z for ZSCORE (sorted by |z|); value ÷ threshold for the rules; 1 for a flow-rule match', cls: 'num', firstDir: -1 },
];

/** The alerts table. `setResult` replaces the data; `setSelected` highlights one alert. */
export interface AlertTable {
  element: HTMLElement;
  setResult(r: AnalysisResult | null): void;
  setSelected(alert: number): void;
  /** The first alert in the current order and filter, or -1. */
  first(): number;
}

/** The score as shown: signed z for ZSCORE, else two decimals. */
export function formatScore(detector: number, score: number): string {
  if (detector === DET_ZSCORE) return formatZ(score);
  return Number.isFinite(score) ? score.toFixed(2) : '—';
}

/** The last time as shown: only the time of day ("17:29:31.341222Z") when it is on the first
 *  time's UTC day, else the full timestamp. */
export function lastTime(firstUs: number, lastUs: number): string {
  const f = formatUtcUs(firstUs);
  const l = formatUtcUs(lastUs);
  return f.length === l.length && f.slice(0, 11) === l.slice(0, 11) ? l.slice(11) : l;
}

/** Creates the table; `onSelect(alertIndex)` runs when a row is activated. */
export function createAlertTable(onSelect: (alert: number) => void): AlertTable {
  const detSelect = el('select', { id: 'alert-detector' });
  const sevSelect = el(
    'select',
    { id: 'alert-severity' },
    el('option', { attrs: { value: 0 } }, 'All severities'),
    el('option', { attrs: { value: SEV_HIGH } }, 'high'),
    el('option', { attrs: { value: SEV_MEDIUM } }, 'medium'),
    el('option', { attrs: { value: SEV_LOW } }, 'low'),
  );
  const search = el('input', { id: 'alert-search', attrs: { type: 'search', placeholder: 'address or name', spellcheck: 'false', autocomplete: 'off' } });
  const suppressedText = el('span', { id: 'suppressed-text' });
  const suppressedToggle = el('button', { id: 'suppressed-toggle', class: 'link', attrs: { type: 'button', 'aria-pressed': 'false' } }, 'show');
  const suppressedNote = el('p', { id: 'suppressed-note', class: 'suppressed-note', attrs: { hidden: true } }, suppressedText, ' — ', suppressedToggle);
  const note = el('p', { id: 'alert-note', class: 'muted', attrs: { 'aria-live': 'polite' } });
  const headRow = el('tr');
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'alert-table', class: 'alerts', attrs: { 'aria-describedby': 'alert-note' } },
    el('caption', { class: 'visually-hidden' }, 'Alerts. Activate a row to explain it and chart its evidence.'),
    el('thead', {}, headRow),
    tbody,
  );
  const scroll = el('div', { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Alerts table' } }, table);
  const more = el('button', { id: 'alert-more', class: 'button small', attrs: { type: 'button', hidden: true } }, 'Show more');
  const element = el(
    'section',
    { id: 'alerts', class: 'panel', attrs: { 'aria-labelledby': 'alerts-title', hidden: true } },
    el('h2', { id: 'alerts-title' }, 'Alerts'),
    el(
      'div',
      { class: 'alert-filters', attrs: { role: 'group', 'aria-label': 'Filter alerts' } },
      el('label', { attrs: { for: 'alert-detector' } }, 'Detector'),
      detSelect,
      el('label', { attrs: { for: 'alert-severity' } }, 'Severity'),
      sevSelect,
      el('label', { attrs: { for: 'alert-search' } }, 'Subject'),
      search,
    ),
    suppressedNote,
    note,
    scroll,
    more,
  );

  let result: AnalysisResult | null = null;
  let labels: string[] = [];
  let query: AlertQuery = { ...ALL_ALERTS };
  let sortKey: SortKey = 'severity';
  let sortDir: 1 | -1 = -1;
  let selected = -1;
  let order: Uint32Array = new Uint32Array(0);
  let shown = 0;

  const headers = new Map<SortKey, HTMLTableCellElement>();
  for (const c of COLUMNS) {
    let content: HTMLElement | string = c.label;
    if (c.key) {
      const key = c.key;
      const btn = el('button', { class: 'sort', attrs: { type: 'button', title: c.title } }, c.label);
      btn.addEventListener('click', () => {
        if (sortKey === key) sortDir = sortDir === 1 ? -1 : 1;
        else {
          sortKey = key;
          sortDir = c.firstDir;
        }
        refresh();
      });
      content = btn;
    }
    const th = el('th', { class: c.cls, attrs: { scope: 'col', title: c.key ? undefined : c.title } }, content);
    if (c.key) headers.set(c.key, th);
    headRow.append(th);
  }

  detSelect.addEventListener('change', () => {
    query = { ...query, detector: Number(detSelect.value) };
    refresh();
  });
  sevSelect.addEventListener('change', () => {
    query = { ...query, severity: Number(sevSelect.value) };
    refresh();
  });
  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => {
      query = { ...query, text: search.value };
      refresh();
    }, 150);
  });
  suppressedToggle.addEventListener('click', () => {
    query = { ...query, showSuppressed: !query.showSuppressed };
    refresh();
  });
  more.addEventListener('click', () => appendRows(PAGE_ROWS));

  function rowOf(target: EventTarget | null): HTMLTableRowElement | null {
    return target instanceof Element ? (target.closest('tr') as HTMLTableRowElement | null) : null;
  }
  tbody.addEventListener('click', (e) => {
    const tr = rowOf(e.target);
    if (tr?.dataset.alert) onSelect(Number(tr.dataset.alert));
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = rowOf(e.target);
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (tr.dataset.alert) onSelect(Number(tr.dataset.alert));
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling) as HTMLElement | null;
      if (next) {
        // Roving tabindex: one row is in the tab order; arrows move it (WAI-ARIA grid pattern).
        tr.tabIndex = -1;
        next.tabIndex = 0;
        next.focus();
      }
    }
  });

  function rowFor(r: AnalysisResult, i: number, k: number): HTMLTableRowElement {
    const a = r.alerts;
    const det = a.detector[i];
    const sev = severityName(a.severity[i]);
    const variant = variantName(det, a.variant[i]);
    const suppressed = a.suppressed[i] === 1;
    const rule = det === DET_FLOWRULE && a.rule[i] >= 0 ? r.flowRules[a.rule[i]] : undefined;
    return el(
      'tr',
      {
        class: `${i === selected ? 'selected' : ''}${suppressed ? ' suppressed' : ''}`.trim(),
        attrs: { tabindex: k === 0 ? 0 : -1, 'data-alert': i, 'data-detector': detectorName(det), 'data-suppressed': suppressed ? 'true' : undefined },
      },
      el(
        'td',
        { class: 'detector' },
        el('span', { class: 'det-name' }, detectorName(det)),
        variant ? el('span', { class: 'variant muted' }, ` ${variant}`) : null,
        rule !== undefined ? el('span', { class: 'variant muted' }, ` ${rule}`) : null,
        suppressed ? el('span', { class: 'tag suppressed-tag', attrs: { title: 'Suppressed by the rate limiter' } }, 'suppressed') : null,
      ),
      el('td', {}, el('span', { class: `sev sev-${sev.replace(/\s/g, '')}` }, sev)),
      el('td', { class: 'mono time' }, formatUtcUs(a.tsUs[i])),
      a.lastUs[i] !== a.tsUs[i]
        ? el('td', { class: 'mono time', attrs: { title: formatUtcUs(a.lastUs[i]) } }, lastTime(a.tsUs[i], a.lastUs[i]))
        : el('td', { class: 'muted same', attrs: { title: 'A single packet: last = first' } }, 'same'),
      el('td', { class: 'channel' }, subjectLabel(r, i, labels)),
      el('td', { class: 'message' }, alertMessage(r, i)),
      el('td', { class: `num score${det === DET_ZSCORE ? (a.score[i] < 0 ? ' z neg' : ' z pos') : ''}` }, formatScore(det, a.score[i])),
    );
  }

  function appendRows(n: number): void {
    const r = result;
    if (!r) return;
    const end = Math.min(order.length, shown + n);
    const frag = document.createDocumentFragment();
    for (let k = shown; k < end; k++) frag.append(rowFor(r, order[k], k));
    tbody.append(frag);
    shown = end;
    writeNote();
  }

  function writeNote(): void {
    const r = result;
    if (!r) return;
    const rest = order.length - shown;
    more.hidden = rest <= 0;
    more.textContent = `Show ${formatInt(Math.min(PAGE_ROWS, rest))} more`;
    const col = COLUMNS.find((c) => c.key === sortKey)?.label.toLowerCase() ?? sortKey;
    const how = `sorted by ${sortKey === 'score' ? '|score|' : col}, ${sortDir === 1 ? 'ascending' : 'descending'}`;
    const dropped = r.summary.alertsDropped ? `; ${formatInt(r.summary.alertsDropped)} more were raised but not kept` : '';
    note.textContent =
      order.length === 0
        ? r.alerts.count === 0
          ? 'No alerts.'
          : 'No alert matches the filter.'
        : shown < order.length
          ? `Showing ${formatInt(shown)} of ${formatInt(order.length)} alerts (${how})${dropped}.`
          : `${formatInt(order.length)} alert${order.length === 1 ? '' : 's'} (${how})${dropped}.`;
  }

  function refresh(): void {
    for (const [key, th] of headers) {
      if (key === sortKey) th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    replaceChildren(tbody);
    shown = 0;
    const r = result;
    if (!r) {
      order = new Uint32Array(0);
      note.textContent = '';
      return;
    }
    order = selectAlerts(r, query, sortKey, sortDir, labels);
    const hidden = countSuppressed(r, query, labels);
    suppressedNote.hidden = hidden === 0;
    suppressedNote.classList.toggle('showing', query.showSuppressed);
    suppressedText.textContent = query.showSuppressed
      ? `${formatInt(hidden)} suppressed by the rate limiter are shown (marked)`
      : `${formatInt(hidden)} suppressed by the rate limiter`;
    suppressedToggle.textContent = query.showSuppressed ? 'hide' : 'show';
    suppressedToggle.setAttribute('aria-pressed', String(query.showSuppressed));
    scroll.hidden = order.length === 0;
    appendRows(PAGE_ROWS);
  }

  function fillDetectors(r: AnalysisResult): void {
    const tallies = tallyAlerts(r);
    replaceChildren(
      detSelect,
      el('option', { attrs: { value: 0 } }, `All detectors (${formatInt(r.alerts.count)})`),
      ...tallies.map((t) => el('option', { attrs: { value: t.detector } }, `${t.name} (${formatInt(t.alerts)})`)),
    );
  }

  return {
    element,
    setResult(r) {
      result = r;
      selected = -1;
      labels = r ? channelLabels(r) : [];
      query = { ...ALL_ALERTS };
      sevSelect.value = '0';
      search.value = '';
      if (r) fillDetectors(r);
      element.hidden = !r;
      refresh();
    },
    setSelected(i) {
      selected = i;
      for (const tr of Array.from(tbody.rows)) tr.classList.toggle('selected', Number(tr.dataset.alert) === i);
    },
    first() {
      return order.length ? order[0] : -1;
    },
  };
}
