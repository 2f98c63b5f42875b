// The explanation of the selected alert: its one-line message and every number behind it — the
// fields of alertRow() (times, subject, score, episode, suppressed) and its `evidence` object
// (value, threshold, window, counts, z-score baseline, flow features, ...), flattened into
// labelled rows, plus the original row of a CSV/JSON input. Everything is rendered as text.
import type { AnalysisResult } from '../shared/protocol';
import { alertRow } from '../io/alert-rows';
import { el, type Child } from './dom';
import { formatInt } from './format';
import { detectorName, subjectLabel, variantName } from './alert-filter';

/** A value of the evidence as text: numbers with up to 6 significant decimals and separators,
 *  booleans yes/no, arrays comma-joined, null/undefined "—". */
export function evidenceText(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return String(v);
    if (Number.isInteger(v)) return formatInt(v);
    return Number(v.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 6 });
  }
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.map(evidenceText).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** The rows of an evidence object: nested objects flattened with dotted names
 *  ({ features: { packets: 3 } } → ["features.packets", 3]). */
export function evidenceRows(evidence: Record<string, unknown>, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [k, v] of Object.entries(evidence)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) out.push(...evidenceRows(v as Record<string, unknown>, name));
    else out.push([name, v]);
  }
  return out;
}

function kv(label: string, value: Child, field?: string): HTMLElement {
  return el('div', { class: 'kv' }, el('dt', {}, label), el('dd', { attrs: field ? { 'data-field': field } : {} }, value));
}

/** Renders the explanation of alert `i` of `r` as a <section id="alert-detail">. */
export function renderAlertDetail(r: AnalysisResult, i: number): HTMLElement {
  const row = alertRow(r, i);
  const a = r.alerts;
  const variant = variantName(a.detector[i], a.variant[i]);
  const evidence = evidenceRows(row.evidence ?? {});
  const fields = row.fields ? Object.entries(row.fields) : [];
  return el(
    'section',
    { id: 'alert-detail', class: 'alert-detail', attrs: { 'aria-labelledby': 'alert-detail-title', 'data-alert': i, 'data-detector': detectorName(a.detector[i]) } },
    el(
      'h3',
      { id: 'alert-detail-title' },
      detectorName(a.detector[i]),
      variant ? el('span', { class: 'muted' }, ` · ${variant}`) : null,
      ' ',
      el('span', { class: `sev sev-${row.severity}` }, row.severity),
      row.suppressed ? el('span', { class: 'tag suppressed-tag' }, 'suppressed by the rate limiter') : null,
    ),
    el('p', { class: 'alert-message', id: 'alert-message' }, row.message),
    el(
      'dl',
      { class: 'detail-grid' },
      kv('Subject', subjectLabel(r, i), 'subject'),
      kv('First (UTC)', el('time', {}, row.first_ts), 'first'),
      kv('Last (UTC)', el('time', {}, row.last_ts), 'last'),
      kv('Score', evidenceText(row.score), 'score'),
      row.episode ? kv('Episode', formatInt(row.episode), 'episode') : null,
      row.variant ? kv('Variant', row.variant, 'variant') : null,
    ),
    el('h4', {}, 'Evidence'),
    evidence.length
      ? el(
          'table',
          { id: 'evidence-table', class: 'evidence' },
          el('tbody', {}, ...evidence.map(([k, v]) => el('tr', { attrs: { 'data-key': k } }, el('th', { attrs: { scope: 'row' } }, k), el('td', { class: 'num' }, evidenceText(v))))),
        )
      : el('p', { class: 'muted' }, 'This detector reported no numbers.'),
    fields.length
      ? el(
          'details',
          { class: 'row-fields' },
          el('summary', {}, 'Original row'),
          el('table', { class: 'evidence' }, el('tbody', {}, ...fields.map(([k, v]) => el('tr', {}, el('th', { attrs: { scope: 'row' } }, k), el('td', {}, evidenceText(v)))))),
        )
      : null,
  );
}
