// The alerts table: every detector's alerts (detector and variant, severity, first and last time,
// subject, the one-line explanation, score, triage state), filtered by detector, severity,
// address/CIDR, port, protocol, text, time range (set from outside, shown as a removable chip) and
// triage state, sortable by column. The rate limiter's suppressed alerts are hidden behind a
// visible count and a toggle that shows them marked.
//
// Virtualised: rows have a fixed height (ROW_HEIGHT_PX); a scroll container holds a sizer of the
// full height and one <table> placed at the first rendered row, with only the visible rows plus
// OVERSCAN_ROWS above and below built as DOM (rows kept while they stay in range, the rest built
// in a requestAnimationFrame after a scroll). The filter and sort run over the typed columns
// (alert-filter.ts), giving a Uint32Array order. Screen readers get aria-rowcount on the table and
// aria-rowindex on every rendered row, and a live note "N of M alerts".
//
// Keyboard (one row in the tab order, roving tabindex): ↑/↓ one row, PgUp/PgDn a page, Home/End
// the first/last alert, Enter opens the alert (onSelect), Space ticks/unticks its checkbox; the
// focused row is scrolled into view and built when it was not rendered. Ticked alerts are "the
// selected alerts" of the exports (checked()). Cells are filled with textContent only.
import { SEV_HIGH, SEV_LOW, SEV_MEDIUM, DET_ZSCORE, DET_FLOWRULE } from '../shared/abi';
import type { AnalysisResult } from '../shared/protocol';
import { alertMessage } from '../io/alert-rows';
import { el, replaceChildren } from './dom';
import { formatInt, formatUtcUs, formatZ, severityName } from './format';
import {
  ALL_ALERTS,
  AlertChecks,
  PROTOCOL_CLASSES,
  TRIAGE_STATES,
  alertIndex,
  countSuppressed,
  detectorName,
  queryProblem,
  selectAlerts,
  subjectLabel,
  tallyAlerts,
  variantName,
  type AlertIndex,
  type AlertQuery,
  type ProtocolClass,
  type SortKey,
  type TriageLookup,
  type TriageState,
} from './alert-filter';

/** Height of one body row, px (the CSS of `.alerts.virtual` gives rows this height). */
export const ROW_HEIGHT_PX = 30;
/** Rows built above and below the visible ones. */
export const OVERSCAN_ROWS = 8;

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
  { key: 'last', label: 'Last (UTC)', title: 'Last evidence packet, UTC, microseconds', cls: 'time last', firstDir: -1 },
  { key: 'subject', label: 'Subject', title: 'Source → destination · protocol (ports)', cls: 'channel', firstDir: 1 },
  { key: null, label: 'Explanation', title: 'What the detector saw, in one line', cls: 'message', firstDir: 1 },
  { key: 'score', label: 'Score', title: 'z for ZSCORE (sorted by |z|); value ÷ threshold for the rules; 1 for a flow-rule match', cls: 'num', firstDir: -1 },
  { key: 'triage', label: 'Triage', title: 'Triage state: new, confirmed or false positive', cls: 'triage', firstDir: 1 },
];

const TRIAGE_LABELS: Record<TriageState, string> = { new: 'new', confirmed: 'confirmed', 'false-positive': 'false positive' };

/** The alerts table. `setResult` replaces the data; `setSelected` highlights one alert. */
export interface AlertTable {
  element: HTMLElement;
  /** Replaces the data. With `keepView` (a newer snapshot of the same analysis: partial results,
   *  whose alerts are a prefix of the next ones) the filters, sort and ticks stay; otherwise they
   *  are reset. */
  setResult(r: AnalysisResult | null, opts?: { keepView?: boolean }): void;
  setSelected(alert: number): void;
  /** The first alert in the current order and filter, or -1. */
  first(): number;
  /** Alert indices in the current order after the filters (the table's rows, top to bottom). */
  filtered(): Uint32Array;
  /** Ticked alert indices, ascending ("the selected alerts" of the exports). */
  checked(): number[];
  /** Runs `cb(checked())` after every change of the ticked alerts (also when a new result clears them). */
  onCheckedChange(cb: (checked: number[]) => void): void;
  /** Limits the table to alerts whose [tsUs, lastUs] overlaps [fromUs, toUs] (µs, null = open
   *  end; both null removes the filter). Shown as a removable chip. Does not call onTimeRangeChange. */
  setTimeRange(fromUs: number | null, toUs: number | null): void;
  /** Runs `cb(null, null)` when the user removes the time chip. */
  onTimeRangeChange(cb: (fromUs: number | null, toUs: number | null) => void): void;
  /** Sets (or removes, null) the triage-state lookup: shows the Triage column and its filter. */
  setTriage(lookup: TriageLookup | null): void;
  /** Re-reads the triage states of the shown rows (and re-filters/sorts when they matter). */
  refreshTriage(): void;
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

/** The time chip's text: "Time: from – to" (open ends as "start" / "end"). */
export function timeRangeText(fromUs: number | null, toUs: number | null): string {
  return `Time: ${fromUs === null ? 'start' : formatUtcUs(fromUs)} \u2013 ${toUs === null ? 'end' : formatUtcUs(toUs)}`;
}

/** Creates the table; `onSelect(alertIndex)` runs when a row is activated (click or Enter). */
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
  const address = el('input', { id: 'alert-address', attrs: { type: 'text', placeholder: '10.0.0.5 or 10.0.0.0/8', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'alert-filter-problem' } });
  const port = el('input', { id: 'alert-port', attrs: { type: 'text', inputmode: 'numeric', placeholder: 'any', spellcheck: 'false', autocomplete: 'off', size: 6, 'aria-describedby': 'alert-filter-problem' } });
  const protoSelect = el(
    'select',
    { id: 'alert-protocol' },
    el('option', { attrs: { value: '' } }, 'All protocols'),
    ...PROTOCOL_CLASSES.map((p) => el('option', { attrs: { value: p } }, p)),
  );
  const search = el('input', { id: 'alert-search', attrs: { type: 'search', placeholder: 'explanation or subject', spellcheck: 'false', autocomplete: 'off' } });
  const triageLabel = el('label', { attrs: { for: 'alert-triage', hidden: true } }, 'Triage');
  const triageSelect = el(
    'select',
    { id: 'alert-triage', attrs: { hidden: true } },
    el('option', { attrs: { value: '' } }, 'All states'),
    ...TRIAGE_STATES.map((s) => el('option', { attrs: { value: s } }, TRIAGE_LABELS[s])),
  );
  const timeChip = el('button', { id: 'alert-time-chip', class: 'chip', attrs: { type: 'button', hidden: true } });
  const problem = el('p', { id: 'alert-filter-problem', class: 'field-error', attrs: { hidden: true, role: 'alert' } });
  const suppressedText = el('span', { id: 'suppressed-text' });
  const suppressedToggle = el('button', { id: 'suppressed-toggle', class: 'link', attrs: { type: 'button', 'aria-pressed': 'false' } }, 'show');
  const suppressedNote = el('p', { id: 'suppressed-note', class: 'suppressed-note', attrs: { hidden: true } }, suppressedText, ' — ', suppressedToggle);
  const note = el('span', { id: 'alert-note', attrs: { 'aria-live': 'polite' } });
  const checkedNote = el('span', { id: 'alert-checked', class: 'checked-count', attrs: { 'data-checked': 0, 'aria-live': 'polite' } });
  const checkAll = el('input', { id: 'alert-check-all', attrs: { type: 'checkbox', 'aria-label': 'Tick every alert matching the filter', title: 'Tick every alert matching the filter' } });
  const headRow = el('tr', { attrs: { 'aria-rowindex': 1 } });
  const tbody = el('tbody');
  const colgroup = el('colgroup', {}, ...COLUMNS.map((c) => el('col', { class: `col-${c.cls.split(' ').pop()}` })));
  const table = el(
    'table',
    { id: 'alert-table', class: 'alerts virtual', attrs: { 'aria-describedby': 'alert-note', 'aria-rowcount': 1 } },
    el('caption', { class: 'visually-hidden' }, 'Alerts. Activate a row to explain it and chart its evidence; Space ticks it.'),
    colgroup,
    el('thead', {}, headRow),
    tbody,
  );
  const sizer = el('div', { class: 'alert-sizer' }, table);
  const scroll = el('div', { id: 'alert-scroll', class: 'table-scroll virtual', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Alerts table' } }, sizer);
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
      el('label', { attrs: { for: 'alert-address' } }, 'Address'),
      address,
      el('label', { attrs: { for: 'alert-port' } }, 'Port'),
      port,
      el('label', { attrs: { for: 'alert-protocol' } }, 'Protocol'),
      protoSelect,
      el('label', { attrs: { for: 'alert-search' } }, 'Text'),
      search,
      triageLabel,
      triageSelect,
      timeChip,
    ),
    problem,
    suppressedNote,
    el('p', { class: 'alert-status muted' }, note, ' ', checkedNote),
    scroll,
  );

  let result: AnalysisResult | null = null;
  let index: AlertIndex | null = null;
  let query: AlertQuery = { ...ALL_ALERTS };
  let sortKey: SortKey = 'severity';
  let sortDir: 1 | -1 = -1;
  let selected = -1;
  let order: Uint32Array = new Uint32Array(0);
  let checks = new AlertChecks(0);
  let triage: TriageLookup | null = null;
  /** Position (in `order`) of the row in the tab order. */
  let focusPos = 0;
  /** Rendered rows by position in `order` (one contiguous range). */
  const rows = new Map<number, HTMLTableRowElement>();
  let rowH = ROW_HEIGHT_PX;
  let frame = 0;
  const checkedCbs: ((checked: number[]) => void)[] = [];
  const timeCbs: ((fromUs: number | null, toUs: number | null) => void)[] = [];

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
    const th = el('th', { class: c.cls, attrs: { scope: 'col', title: c.key ? undefined : c.title } }, c.key === 'detector' ? checkAll : null, content);
    if (c.key) headers.set(c.key, th);
    headRow.append(th);
  }
  const triageTh = headers.get('triage');

  function setQuery(q: Partial<AlertQuery>): void {
    query = { ...query, ...q };
    refresh();
  }
  detSelect.addEventListener('change', () => setQuery({ detector: Number(detSelect.value) }));
  sevSelect.addEventListener('change', () => setQuery({ severity: Number(sevSelect.value) }));
  protoSelect.addEventListener('change', () => setQuery({ protocol: protoSelect.value as ProtocolClass | '' }));
  triageSelect.addEventListener('change', () => setQuery({ triage: triageSelect.value as TriageState | '' }));
  function debounced(input: HTMLInputElement, apply: () => void): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(apply, 150);
    });
  }
  debounced(search, () => setQuery({ text: search.value }));
  debounced(address, () => setQuery({ address: address.value }));
  debounced(port, () => {
    const t = port.value.trim();
    // An invalid port filters nothing out until fixed; the problem line says why.
    setQuery({ port: /^\d{1,5}$/.test(t) && Number(t) <= 65535 ? Number(t) : null });
  });
  suppressedToggle.addEventListener('click', () => setQuery({ showSuppressed: !query.showSuppressed }));
  timeChip.addEventListener('click', () => {
    setQuery({ fromUs: null, toUs: null });
    for (const cb of timeCbs) cb(null, null);
    scroll.focus();
  });
  checkAll.addEventListener('change', () => {
    checks.setAll(order, checks.stateOf(order) !== 'all');
    checksChanged();
  });

  // ---- rows ----
  function rowFor(r: AnalysisResult, i: number, pos: number): HTMLTableRowElement {
    const a = r.alerts;
    const det = a.detector[i];
    const sev = severityName(a.severity[i]);
    const variant = variantName(det, a.variant[i]);
    const suppressed = a.suppressed[i] === 1;
    const rule = det === DET_FLOWRULE && a.rule[i] >= 0 ? r.flowRules[a.rule[i]] : undefined;
    const ticked = checks.has(i);
    const box = el('input', { class: 'row-check', attrs: { type: 'checkbox', tabindex: -1, 'aria-label': `Tick alert ${i + 1}` } });
    box.checked = ticked;
    const subject = subjectLabel(r, i, index?.labels);
    const message = alertMessage(r, i);
    const state = triage ? triage(i) : null;
    return el(
      'tr',
      {
        class: `${i === selected ? 'selected' : ''}${suppressed ? ' suppressed' : ''}${ticked ? ' checked' : ''}`.trim(),
        attrs: {
          tabindex: pos === focusPos ? 0 : -1,
          'aria-rowindex': pos + 2,
          'aria-selected': i === selected ? 'true' : undefined,
          'data-alert': i,
          'data-pos': pos,
          'data-detector': detectorName(det),
          'data-suppressed': suppressed ? 'true' : undefined,
          'data-checked': ticked ? 'true' : undefined,
        },
      },
      el(
        'td',
        { class: 'detector' },
        box,
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
      el('td', { class: 'channel', attrs: { title: subject } }, subject),
      el('td', { class: 'message', attrs: { title: message } }, message),
      el('td', { class: `num score${det === DET_ZSCORE ? (a.score[i] < 0 ? ' z neg' : ' z pos') : ''}` }, formatScore(det, a.score[i])),
      el('td', { class: `triage${state ? ` triage-${state}` : ''}`, attrs: { hidden: triage ? undefined : true, 'data-triage': state ?? undefined } }, state ? TRIAGE_LABELS[state] : ''),
    );
  }

  function headerHeight(): number {
    return headRow.getBoundingClientRect().height || 0;
  }

  /** Builds the rows of the visible range (plus overscan), keeping the rows already built. */
  function render(): void {
    frame = 0;
    const r = result;
    const n = order.length;
    if (!r || n === 0) {
      for (const tr of rows.values()) tr.remove();
      rows.clear();
      return;
    }
    const h = headerHeight();
    const view = Math.max(rowH, scroll.clientHeight - h);
    const top = scroll.scrollTop;
    const s = Math.max(0, Math.min(n - 1, Math.floor(top / rowH)) - OVERSCAN_ROWS);
    const e = Math.min(n, Math.ceil((top + view) / rowH) + OVERSCAN_ROWS);
    // Drop the rows out of range; build the missing ones in order.
    for (const [pos, tr] of rows) {
      if (pos < s || pos >= e) {
        tr.remove();
        rows.delete(pos);
      }
    }
    // The kept rows are one contiguous run [keptStart, ...): new rows go before or after it.
    let keptStart = e;
    for (const pos of rows.keys()) keptStart = Math.min(keptStart, pos);
    const before = document.createDocumentFragment();
    const after = document.createDocumentFragment();
    for (let pos = s; pos < e; pos++) {
      if (rows.has(pos)) continue;
      const tr = rowFor(r, order[pos], pos);
      rows.set(pos, tr);
      (pos < keptStart ? before : after).append(tr);
    }
    tbody.prepend(before);
    tbody.append(after);
    table.style.top = `${s * rowH}px`;
    // Rows are laid out by CSS at ROW_HEIGHT_PX; a different real height (zoom, fonts) is adopted.
    const first = rows.get(s);
    const real = first ? first.getBoundingClientRect().height : 0;
    if (real > 0 && Math.abs(real - rowH) > 0.5) {
      rowH = real;
      layout();
      render();
    }
  }

  function schedule(): void {
    if (!frame) frame = requestAnimationFrame(render);
  }
  scroll.addEventListener('scroll', schedule, { passive: true });
  // A resize, or the table becoming visible (a tab, a panel opened): measure and render again.
  if (typeof ResizeObserver !== 'undefined') {
    new ResizeObserver(() => {
      layout();
      schedule();
    }).observe(scroll);
  } else window.addEventListener('resize', schedule);

  /** Sets the sizer to the full height of the current order. */
  function layout(): void {
    sizer.style.height = `${headerHeight() + order.length * rowH}px`;
  }

  /** Drops every rendered row (a new order or new contents) and renders again. */
  function rebuild(): void {
    for (const tr of rows.values()) tr.remove();
    rows.clear();
    layout();
    render();
  }

  /** Rows per PgUp/PgDn. */
  function pageRows(): number {
    return Math.max(1, Math.floor((scroll.clientHeight - headerHeight()) / rowH) - 1);
  }

  /** Moves the roving focus to position `pos` (clamped), scrolls it into view and focuses it. */
  function focusAt(pos: number, focus = true): void {
    const n = order.length;
    if (n === 0) return;
    pos = Math.max(0, Math.min(n - 1, pos));
    const old = rows.get(focusPos);
    if (old) old.tabIndex = -1;
    focusPos = pos;
    const h = headerHeight();
    const top = pos * rowH;
    const bottom = top + rowH + h;
    if (top < scroll.scrollTop) scroll.scrollTop = top;
    else if (bottom > scroll.scrollTop + scroll.clientHeight) scroll.scrollTop = bottom - scroll.clientHeight;
    render();
    const tr = rows.get(pos);
    if (tr) {
      tr.tabIndex = 0;
      if (focus) tr.focus({ preventScroll: true });
    }
  }

  function posOf(target: EventTarget | null): number {
    const tr = target instanceof Element ? target.closest('tr') : null;
    return tr && tr.parentElement === tbody ? Number((tr as HTMLElement).dataset.pos) : -1;
  }

  tbody.addEventListener('click', (e) => {
    if (e.target instanceof HTMLInputElement) return; // the checkbox: its change event ticks
    const pos = posOf(e.target);
    if (pos < 0) return;
    focusAt(pos);
    onSelect(order[pos]);
  });
  tbody.addEventListener('change', (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement)) return;
    const pos = posOf(t);
    if (pos < 0) return;
    checks.set(order[pos], t.checked);
    checksChanged();
  });
  scroll.addEventListener('keydown', (e) => {
    // Rows and the container itself; not the header's buttons and checkbox.
    const onRow = posOf(e.target) >= 0;
    if (!onRow && e.target !== scroll) return;
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const n = order.length;
    if (n === 0) return;
    const cur = onRow ? posOf(e.target) : Math.min(focusPos, n - 1);
    let next = -1;
    switch (e.key) {
      case 'ArrowDown': next = cur + 1; break;
      case 'ArrowUp': next = cur - 1; break;
      case 'PageDown': next = cur + pageRows(); break;
      case 'PageUp': next = cur - pageRows(); break;
      case 'Home': next = 0; break;
      case 'End': next = n - 1; break;
      case 'Enter':
        e.preventDefault();
        focusAt(cur);
        onSelect(order[cur]);
        return;
      case ' ':
      case 'Spacebar':
        e.preventDefault();
        focusAt(cur);
        checks.toggle(order[cur]);
        checksChanged();
        return;
      default:
        return;
    }
    e.preventDefault();
    focusAt(next);
  });

  // ---- ticks ----
  function checksChanged(): void {
    for (const [pos, tr] of rows) {
      const on = checks.has(order[pos]);
      tr.classList.toggle('checked', on);
      if (on) tr.dataset.checked = 'true';
      else delete tr.dataset.checked;
      const box = tr.querySelector<HTMLInputElement>('input.row-check');
      if (box) box.checked = on;
    }
    writeChecked();
    const list = checks.list();
    for (const cb of checkedCbs) cb(list);
  }

  function writeChecked(): void {
    const state = checks.stateOf(order);
    checkAll.checked = state === 'all';
    checkAll.indeterminate = state === 'some';
    checkAll.disabled = order.length === 0;
    checkedNote.dataset.checked = String(checks.count);
    checkedNote.textContent = checks.count ? `${formatInt(checks.count)} ticked` : '';
  }

  // ---- filter, sort, notes ----
  function writeNote(): void {
    const r = result;
    if (!r) return;
    const col = COLUMNS.find((c) => c.key === sortKey)?.label.toLowerCase() ?? sortKey;
    const how = `sorted by ${sortKey === 'score' ? '|score|' : col}, ${sortDir === 1 ? 'ascending' : 'descending'}`;
    const dropped = r.summary.alertsDropped ? `; ${formatInt(r.summary.alertsDropped)} more were raised but not kept` : '';
    note.textContent =
      r.alerts.count === 0
        ? 'No alerts.'
        : order.length === 0
          ? `No alert matches the filter (0 of ${formatInt(r.alerts.count)} alerts).`
          : `${formatInt(order.length)} of ${formatInt(r.alerts.count)} alerts (${how})${dropped}.`;
    note.dataset.shown = String(order.length);
    note.dataset.total = String(r.alerts.count);
  }

  function writeProblem(): void {
    const addrProblem = queryProblem(query);
    const t = port.value.trim();
    const portProblem = t !== '' && !(/^\d{1,5}$/.test(t) && Number(t) <= 65535) ? `"${t}" is not a port (0-65535)` : null;
    address.setAttribute('aria-invalid', String(addrProblem !== null));
    port.setAttribute('aria-invalid', String(portProblem !== null));
    const text = [addrProblem && `Address: ${addrProblem}`, portProblem && `Port: ${portProblem}`].filter(Boolean).join(' · ');
    problem.textContent = text;
    problem.hidden = text === '';
  }

  function writeTimeChip(): void {
    const on = query.fromUs !== null || query.toUs !== null;
    timeChip.hidden = !on;
    if (on) {
      const text = timeRangeText(query.fromUs, query.toUs);
      timeChip.textContent = `${text} \u2715`;
      timeChip.setAttribute('aria-label', `${text}; remove the time filter`);
    }
  }

  function refresh(): void {
    for (const [key, th] of headers) {
      if (key === sortKey) th.setAttribute('aria-sort', sortDir === 1 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    writeProblem();
    writeTimeChip();
    const r = result;
    if (!r || !index) {
      order = new Uint32Array(0);
      note.textContent = '';
      rebuild();
      return;
    }
    const ctx = { index, triage };
    order = selectAlerts(r, query, sortKey, sortDir, index.labels, ctx);
    const hidden = countSuppressed(r, query, index.labels, ctx);
    suppressedNote.hidden = hidden === 0;
    suppressedNote.classList.toggle('showing', query.showSuppressed);
    suppressedText.textContent = query.showSuppressed
      ? `${formatInt(hidden)} suppressed by the rate limiter are shown (marked)`
      : `${formatInt(hidden)} suppressed by the rate limiter`;
    suppressedToggle.textContent = query.showSuppressed ? 'hide' : 'show';
    suppressedToggle.setAttribute('aria-pressed', String(query.showSuppressed));
    table.setAttribute('aria-rowcount', String(order.length + 1));
    scroll.hidden = order.length === 0;
    focusPos = 0;
    scroll.scrollTop = 0;
    rebuild();
    writeNote();
    writeChecked();
  }

  function fillDetectors(r: AnalysisResult): void {
    const tallies = tallyAlerts(r);
    replaceChildren(
      detSelect,
      el('option', { attrs: { value: 0 } }, `All detectors (${formatInt(r.alerts.count)})`),
      ...tallies.map((t) => el('option', { attrs: { value: t.detector } }, `${t.name} (${formatInt(t.alerts)})`)),
    );
  }

  function showTriage(): void {
    const on = triage !== null;
    triageLabel.hidden = !on;
    triageSelect.hidden = !on;
    if (triageTh) triageTh.hidden = !on;
    table.classList.toggle('with-triage', on);
    if (!on && query.triage) {
      query = { ...query, triage: '' };
      triageSelect.value = '';
    }
  }
  showTriage();

  return {
    element,
    setResult(r, opts) {
      const keep = !!opts?.keepView && r !== null && result !== null;
      const before = checks;
      result = r;
      index = r ? alertIndex(r) : null;
      selected = -1;
      if (keep && r) {
        checks = new AlertChecks(r.alerts.count);
        for (let i = 0; i < r.alerts.count; i++) if (before.has(i)) checks.set(i, true);
        const det = detSelect.value;
        fillDetectors(r);
        detSelect.value = det;
        if (detSelect.value !== det) {
          detSelect.value = '0';
          query = { ...query, detector: 0 };
        }
        refresh();
        if (checks.count !== before.count) for (const cb of checkedCbs) cb(checks.list());
        return;
      }
      const hadChecks = checks.count > 0;
      checks = new AlertChecks(r ? r.alerts.count : 0);
      query = { ...ALL_ALERTS };
      protoSelect.value = '';
      triageSelect.value = '';
      sevSelect.value = '0';
      search.value = '';
      address.value = '';
      port.value = '';
      if (r) fillDetectors(r);
      element.hidden = !r;
      refresh();
      if (hadChecks) for (const cb of checkedCbs) cb([]);
    },
    setSelected(i) {
      selected = i;
      for (const tr of rows.values()) {
        const on = Number(tr.dataset.alert) === i;
        tr.classList.toggle('selected', on);
        if (on) tr.setAttribute('aria-selected', 'true');
        else tr.removeAttribute('aria-selected');
      }
    },
    first() {
      return order.length ? order[0] : -1;
    },
    filtered() {
      return order;
    },
    checked() {
      return checks.list();
    },
    onCheckedChange(cb) {
      checkedCbs.push(cb);
    },
    setTimeRange(fromUs, toUs) {
      setQuery({ fromUs, toUs });
    },
    onTimeRangeChange(cb) {
      timeCbs.push(cb);
    },
    setTriage(lookup) {
      triage = lookup;
      showTriage();
      refresh();
    },
    refreshTriage() {
      if (query.triage || sortKey === 'triage') refresh();
      else rebuild();
    },
  };
}
