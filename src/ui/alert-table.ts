// The table of flagged packets: sortable columns, at most MAX_ROWS rows in the DOM (in the current
// sort order, with a "showing N of M" note), rows that select their channel on click or Enter
// (one row in the tab order; ↑/↓ move between rows).
// Cells are filled with textContent only; channel names come from hostile files.
import type { AnalysisResult } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { channelLabel, formatInt, formatStat, formatUtcUs, formatZ, severityName } from './format';

/** Rows rendered at most; the rest are counted in the note. */
export const MAX_ROWS = 1000;

type SortKey = 'time' | 'channel' | 'size' | 'mean' | 'std' | 'z' | 'severity';

interface Column {
  key: SortKey;
  label: string;
  title: string;
  numeric: boolean;
  /** Direction of the first click on this header. */
  firstDir: 1 | -1;
}

const COLUMNS: Column[] = [
  { key: 'time', label: 'Time (UTC)', title: 'Packet time, UTC, microseconds', numeric: false, firstDir: 1 },
  { key: 'channel', label: 'Channel', title: 'Source → destination · protocol (ports)', numeric: false, firstDir: 1 },
  { key: 'size', label: 'Size (B)', title: 'Packet size in bytes', numeric: true, firstDir: -1 },
  { key: 'mean', label: 'Mean (B)', title: 'Baseline mean of the channel before this packet, bytes', numeric: true, firstDir: -1 },
  { key: 'std', label: 'σ (B)', title: 'Baseline standard deviation (with floors), bytes', numeric: true, firstDir: -1 },
  { key: 'z', label: 'z', title: '(size − mean) / σ; sorted by |z|', numeric: true, firstDir: -1 },
  { key: 'severity', label: 'Severity', title: 'low / medium / high', numeric: false, firstDir: -1 },
];

/** The alert table. `setResult` replaces the data; `setSelectedChannel` highlights a channel's rows. */
export interface AlertTable {
  element: HTMLElement;
  setResult(r: AnalysisResult | null): void;
  setSelectedChannel(channel: number): void;
}

/** Creates the table; `onSelect(channelIndex)` runs when a row is activated. */
export function createAlertTable(onSelect: (channel: number) => void): AlertTable {
  const note = el('p', { id: 'alert-note', class: 'muted', attrs: { 'aria-live': 'polite' } });
  const headRow = el('tr');
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'alert-table', class: 'alerts', attrs: { 'aria-describedby': 'alert-note' } },
    el('caption', { class: 'visually-hidden' }, 'Flagged packets. Activate a row to chart its channel.'),
    el('thead', {}, headRow),
    tbody,
  );
  const scroll = el('div', { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Flagged packets table' } }, table);
  const element = el(
    'section',
    { id: 'alerts', class: 'panel', attrs: { 'aria-labelledby': 'alerts-title', hidden: true } },
    el('h2', { id: 'alerts-title' }, 'Flagged packets'),
    note,
    scroll,
  );

  let result: AnalysisResult | null = null;
  let labels: string[] = [];
  let sortKey: SortKey = 'z';
  let sortDir: 1 | -1 = -1;
  let selected = -1;

  const headerButtons = new Map<SortKey, HTMLTableCellElement>();
  for (const c of COLUMNS) {
    const btn = el('button', { class: 'sort', attrs: { type: 'button', title: c.title } }, c.label);
    btn.addEventListener('click', () => {
      if (sortKey === c.key) sortDir = sortDir === 1 ? -1 : 1;
      else {
        sortKey = c.key;
        sortDir = c.firstDir;
      }
      render();
    });
    const th = el('th', { class: c.numeric ? 'num' : '', attrs: { scope: 'col' } }, btn);
    headerButtons.set(c.key, th);
    headRow.append(th);
  }

  function rowOf(target: EventTarget | null): HTMLTableRowElement | null {
    return target instanceof Element ? (target.closest('tr') as HTMLTableRowElement | null) : null;
  }
  tbody.addEventListener('click', (e) => {
    const tr = rowOf(e.target);
    if (tr?.dataset.channel) onSelect(Number(tr.dataset.channel));
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = rowOf(e.target);
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (tr.dataset.channel) onSelect(Number(tr.dataset.channel));
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

  function sortedIndex(r: AnalysisResult): Uint32Array {
    const a = r.alerts;
    const idx = new Uint32Array(a.count);
    for (let i = 0; i < a.count; i++) idx[i] = i;
    const d = sortDir;
    let cmp: (x: number, y: number) => number;
    switch (sortKey) {
      case 'time': cmp = (x, y) => d * (a.tsUs[x] - a.tsUs[y]); break;
      case 'size': cmp = (x, y) => d * (a.size[x] - a.size[y]); break;
      case 'mean': cmp = (x, y) => d * (a.mean[x] - a.mean[y]); break;
      case 'std': cmp = (x, y) => d * (a.std[x] - a.std[y]); break;
      case 'severity': cmp = (x, y) => d * (a.severity[x] - a.severity[y]) || Math.abs(a.z[y]) - Math.abs(a.z[x]); break;
      case 'channel': cmp = (x, y) => d * (labels[a.channel[x]] ?? '').localeCompare(labels[a.channel[y]] ?? '') || a.tsUs[x] - a.tsUs[y]; break;
      default: cmp = (x, y) => d * (Math.abs(a.z[x]) - Math.abs(a.z[y])) || a.tsUs[x] - a.tsUs[y];
    }
    // NaN-safe: a comparator returning NaN would leave the order undefined.
    idx.sort((x, y) => cmp(x, y) || 0);
    return idx;
  }

  function render(): void {
    for (const c of COLUMNS) {
      const th = headerButtons.get(c.key)!;
      if (c.key === sortKey) th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    const r = result;
    scroll.hidden = !r || r.alerts.count === 0;
    if (!r || r.alerts.count === 0) {
      replaceChildren(tbody);
      note.textContent = r ? 'No packets were flagged.' : '';
      return;
    }
    const a = r.alerts;
    const idx = sortedIndex(r);
    const n = Math.min(MAX_ROWS, idx.length);
    const frag = document.createDocumentFragment();
    for (let k = 0; k < n; k++) {
      const i = idx[k];
      const ch = a.channel[i];
      const info = r.channels[ch];
      const ports = a.sport[i] || a.dport[i] ? ` (${a.sport[i]} \u2192 ${a.dport[i]})` : '';
      const sev = severityName(a.severity[i]);
      const tr = el(
        'tr',
        { class: ch === selected ? 'selected' : '', attrs: { tabindex: k === 0 ? 0 : -1, 'data-channel': ch } },
        el('td', { class: 'mono' }, formatUtcUs(a.tsUs[i])),
        el('td', { class: 'channel' }, info ? channelLabel(info.src, info.dst, info.proto) : `channel ${ch}`, el('span', { class: 'muted' }, ports)),
        el('td', { class: 'num' }, formatInt(a.size[i])),
        el('td', { class: 'num' }, formatStat(a.mean[i])),
        el('td', { class: 'num' }, formatStat(a.std[i])),
        el('td', { class: `num z ${a.z[i] < 0 ? 'neg' : 'pos'}` }, formatZ(a.z[i])),
        el('td', {}, el('span', { class: `sev sev-${sev.replace(/\s/g, '')}` }, sev)),
      );
      frag.append(tr);
    }
    replaceChildren(tbody, frag);
    const order = `sorted by ${sortKey === 'z' ? '|z|' : sortKey}, ${sortDir === 1 ? 'ascending' : 'descending'}`;
    const dropped = r.summary.alertsDropped ? `; ${formatInt(r.summary.alertsDropped)} more were flagged but not kept` : '';
    note.textContent =
      idx.length > n
        ? `Showing ${formatInt(n)} of ${formatInt(idx.length)} flagged packets (${order})${dropped}.`
        : `${formatInt(idx.length)} flagged packet${idx.length === 1 ? '' : 's'} (${order})${dropped}.`;
  }

  return {
    element,
    setResult(r) {
      result = r;
      selected = -1;
      labels = r ? r.channels.map((c) => channelLabel(c.src, c.dst, c.proto)) : [];
      element.hidden = !r;
      render();
    },
    setSelectedChannel(ch) {
      selected = ch;
      for (const tr of Array.from(tbody.rows)) tr.classList.toggle('selected', Number(tr.dataset.channel) === ch);
    },
  };
}
