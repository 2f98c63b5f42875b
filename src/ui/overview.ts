// The overview panel (issue #5, the first glance): packets, bytes, flows, time span, throughput over
// capture time and analysis speed, skipped records by reason, alerts by detector × severity. Renders
// from a partial result too (result.partial: the figures are "so far"). Text only (el()); the
// numbers come from src/ui/traffic-model.ts and the summary. Fields carry data-field names for
// tests: packets, bytes, flows, span, duration, capture-pps, capture-bps, analysis-pps,
// analysis-mbps, skipped-<reason>, alerts; the matrix cells data-detector / data-severity.
import type { AnalysisResult } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { formatBytes, formatDurationUs, formatInt, formatUtcUs } from './format';
import { alertMatrix, captureRates, skippedReasons } from './traffic-model';

/** The overview panel: `setResult(r)` redraws it (null: empty and hidden). */
export interface Overview {
  element: HTMLElement;
  setResult(r: AnalysisResult | null): void;
}

function fig(label: string, value: string, field: string, title?: string): HTMLElement {
  return el(
    'div',
    { class: 'ov-fig' },
    el('dt', {}, label),
    el('dd', { attrs: { 'data-field': field, title } }, value),
  );
}

function rate(n: number, unit: string): string {
  if (!Number.isFinite(n)) return '—';
  if (n >= 100) return `${formatInt(n)} ${unit}/s`;
  return `${n.toPrecision(3)} ${unit}/s`;
}

/** Creates the overview panel (hidden until a result). */
export function createOverview(): Overview {
  const title = el('h2', { id: 'overview-title' }, 'Overview');
  const badge = el('span', { class: 'badge', id: 'overview-badge' });
  const body = el('div', { class: 'ov-body' });
  const element = el(
    'section',
    { id: 'overview', class: 'panel overview', attrs: { 'aria-labelledby': 'overview-title', hidden: true, 'aria-live': 'off' } },
    el('div', { class: 'ov-head' }, title, badge),
    body,
  );

  function setResult(r: AnalysisResult | null): void {
    if (!r) {
      element.hidden = true;
      replaceChildren(body);
      return;
    }
    element.hidden = false;
    const s = r.summary;
    const partial = r.partial === true;
    element.dataset.partial = String(partial);
    badge.textContent = partial ? 'so far (still reading)' : r.cancelled ? 'cancelled: what was read' : r.ok ? 'complete' : 'stopped by an error';
    badge.className = `badge ${partial || r.cancelled || !r.ok ? 'partial' : 'ok'}`;
    const rates = captureRates(r);
    const hasSpan = Number.isFinite(s.tsFirstUs) && Number.isFinite(s.tsLastUs);
    const skipped = skippedReasons(r);
    const skippedTotal = skipped.reduce((n, x) => n + x.count, 0);
    const m = alertMatrix(r);

    const figures = el(
      'dl',
      { class: 'ov-figures' },
      fig('Packets', formatInt(s.packetsDecoded), 'packets'),
      fig('Bytes (wire)', formatBytes(s.bytesDecoded), 'bytes', `${formatInt(s.bytesDecoded)} bytes`),
      fig('Flows', formatInt(s.flows), 'flows'),
      fig('Alerts', `${formatInt(s.alerts)}${s.alertsDropped ? ` (+${formatInt(s.alertsDropped)} not kept)` : ''}`, 'alerts'),
      fig('Duration', hasSpan ? formatDurationUs(rates.spanUs) : '—', 'duration'),
      fig('Capture rate', rate(rates.packetsPerS, 'pkt'), 'capture-pps', 'packets ÷ (last − first packet time)'),
      fig('Capture throughput', Number.isFinite(rates.bytesPerS) ? `${formatBytes(rates.bytesPerS)}/s` : '—', 'capture-bps', 'wire bytes ÷ (last − first packet time)'),
      fig('Analysis speed', `${rate(s.packetsPerS, 'pkt')}, ${Number.isFinite(s.mbPerS) ? s.mbPerS.toFixed(1) : '—'} MB/s`, 'analysis-speed', 'packets and megabytes analysed per second of wall time'),
    );
    const span = el(
      'p',
      { class: 'ov-span', attrs: { 'data-field': 'span' } },
      el('span', { class: 'muted' }, 'Time span (UTC): '),
      hasSpan ? el('time', {}, formatUtcUs(s.tsFirstUs)) : 'no packets',
      hasSpan ? ' \u2192 ' : null,
      hasSpan ? el('time', {}, formatUtcUs(s.tsLastUs)) : null,
    );
    const skippedList = el(
      'ul',
      { class: 'ov-skipped', attrs: { 'aria-label': 'Skipped records by reason' } },
      ...skipped.map((x) =>
        el('li', { class: x.count ? '' : 'muted' }, el('span', {}, x.label), ': ', el('span', { attrs: { 'data-field': `skipped-${x.key}` } }, formatInt(x.count))),
      ),
    );
    const matrix =
      m.detectors.length === 0
        ? el('p', { class: 'muted', id: 'overview-matrix' }, partial ? 'No alert so far.' : 'No detector raised an alert.')
        : el(
            'table',
            { id: 'overview-matrix', class: 'ov-matrix' },
            el('caption', {}, `Alerts by detector and severity (${formatInt(m.total)} kept)`),
            el('thead', {}, el('tr', {}, el('th', { attrs: { scope: 'col' } }, 'Detector'), ...m.severities.map((sv) => el('th', { class: `num sev-${sv}`, attrs: { scope: 'col' } }, sv)))),
            el(
              'tbody',
              {},
              ...m.detectors.map((d, i) =>
                el(
                  'tr',
                  {},
                  el('th', { attrs: { scope: 'row' } }, d),
                  ...m.counts[i].map((n, k) =>
                    el('td', { class: `num${n ? '' : ' muted'}`, attrs: { 'data-detector': d, 'data-severity': m.severities[k] } }, formatInt(n)),
                  ),
                ),
              ),
            ),
          );
    replaceChildren(
      body,
      figures,
      span,
      el(
        'div',
        { class: 'ov-grid' },
        el('div', {}, el('h3', {}, `Skipped records: ${formatInt(skippedTotal)}`), skippedList),
        el('div', {}, matrix),
      ),
    );
  }

  return { element, setResult };
}
