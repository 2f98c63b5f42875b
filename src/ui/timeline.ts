// The capture timeline (issue #5): packets/s (left axis) and bytes/s (right axis) per bin of
// result.timeline over capture time (UTC), every kept alert marked at its first time in one row per
// severity (high ▲ top row, medium ◆ middle, low ● bottom: colour and shape and row, so the marks
// read without colour), a legend, and a range: drag across the plot with the mouse (uPlot cursor
// drag, setSelect hook), or type From / To (UTC) and Apply; "Clear range" or Escape clears it.
// Each change calls onRange(fromUs, toUs) (null, null when cleared). Owns its uPlot instance.
// DOM ids: timeline, timeline-chart, timeline-from, timeline-to, timeline-apply, timeline-clear,
// timeline-range (the range as text); data-range on the element = "fromUs,toUs" or "".
import uPlot from 'uplot';
import * as abi from '../shared/abi';
import type { AnalysisResult, TrafficTimeline } from '../shared/protocol';
import { el } from './dom';
import { createPlotHost } from './plot-host';
import { formatBytes, formatDurationUs, formatInt, formatUtcUs } from './format';
import { makeRange, parseUtcUs, timelineRates, type TimeRange, utcTicks } from './traffic-model';

/** The timeline panel. */
export interface Timeline {
  element: HTMLElement;
  /** Draws r.timeline and r's alerts; keeps the current range (call clearRange for a new file). */
  setResult(r: AnalysisResult | null): void;
  /** Clears the range (the drawn selection and the inputs) and calls onRange(null, null). */
  clearRange(): void;
  /** The current range, µs, or null. */
  range(): TimeRange;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Severity rows of the marks, top to bottom. */
const MARK_ROWS = [
  { sev: abi.SEV_HIGH, name: 'high', shape: '\u25b2', cssVar: '--sev-high', fallback: '#c62828' },
  { sev: abi.SEV_MEDIUM, name: 'medium', shape: '\u25c6', cssVar: '--sev-medium', fallback: '#b86100' },
  { sev: abi.SEV_LOW, name: 'low', shape: '\u25cf', cssVar: '--sev-low', fallback: '#5b6168' },
];
const ROW_PX = 11;

function drawShape(ctx: CanvasRenderingContext2D, shape: number, x: number, y: number, r: number): void {
  ctx.beginPath();
  if (shape === 0) {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y + r);
    ctx.lineTo(x - r, y + r);
  } else if (shape === 1) {
    ctx.moveTo(x, y - r);
    ctx.lineTo(x + r, y);
    ctx.lineTo(x, y + r);
    ctx.lineTo(x - r, y);
  } else {
    ctx.arc(x, y, r * 0.85, 0, Math.PI * 2);
  }
  ctx.closePath();
  ctx.fill();
}

/** Creates the timeline; `onRange(fromUs, toUs)` on every range change (null, null: cleared). */
export function createTimeline(onRange: (fromUs: number | null, toUs: number | null) => void): Timeline {
  const heading = el('h2', { id: 'timeline-title' }, 'Timeline');
  const sub = el('p', { class: 'muted', id: 'timeline-sub' });
  const plot = el('div', {
    id: 'timeline-chart',
    class: 'chart timeline-chart',
    attrs: { role: 'img', 'aria-labelledby': 'timeline-title', 'aria-describedby': 'timeline-sub', tabindex: 0 },
  });
  const legend = el(
    'p',
    { class: 'timeline-legend', attrs: { 'aria-label': 'Alert marks' } },
    'Alert marks: ',
    ...MARK_ROWS.map((m) => el('span', { class: `mark sev-${m.name}`, attrs: { 'data-severity': m.name } }, `${m.shape} ${m.name}`, el('span', { class: 'mark-count' }))),
    el('span', { class: 'muted' }, ' (one row per severity, at the alert\u2019s first time)'),
  );
  const from = el('input', { id: 'timeline-from', attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'YYYY-MM-DDThh:mm:ss.ffffffZ', size: 28 } });
  const to = el('input', { id: 'timeline-to', attrs: { type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'YYYY-MM-DDThh:mm:ss.ffffffZ', size: 28 } });
  const apply = el('button', { id: 'timeline-apply', class: 'button small', attrs: { type: 'submit' } }, 'Apply range');
  const clear = el('button', { id: 'timeline-clear', class: 'button small', attrs: { type: 'button', disabled: true } }, 'Clear range');
  const rangeText = el('p', { id: 'timeline-range', attrs: { 'aria-live': 'polite' } });
  const form = el(
    'form',
    { class: 'timeline-range-form', attrs: { 'aria-label': 'Time range (UTC)' } },
    el('label', { attrs: { for: 'timeline-from' } }, 'From (UTC)'),
    from,
    el('label', { attrs: { for: 'timeline-to' } }, 'To (UTC)'),
    to,
    apply,
    clear,
  );
  const element = el(
    'section',
    { id: 'timeline', class: 'panel timeline', attrs: { 'aria-labelledby': 'timeline-title', hidden: true } },
    heading,
    sub,
    plot,
    legend,
    form,
    rangeText,
  );
  element.dataset.range = '';

  let current: TimeRange = null;
  /** Alert first times (epoch s), sorted, per MARK_ROWS row. */
  let marks: number[][] = [[], [], []];
  const host = createPlotHost(plot, element, 260, 800);
  const destroy = () => host.destroy();

  function showRangeText(): void {
    if (!current) {
      rangeText.textContent = 'No range selected: everything below covers the whole capture. Drag across the chart or type a range.';
      element.dataset.range = '';
      clear.disabled = true;
      return;
    }
    rangeText.textContent = `Range: ${formatUtcUs(current.fromUs)} \u2192 ${formatUtcUs(current.toUs)} (${formatDurationUs(current.toUs - current.fromUs)}); everything below shows this range only.`;
    element.dataset.range = `${current.fromUs},${current.toUs}`;
    clear.disabled = false;
  }

  /** Draws the current range as uPlot's selection (without firing setSelect). */
  function drawSelection(): void {
    const u = host.chart;
    if (!u) return;
    if (!current) {
      u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      return;
    }
    const l = u.valToPos(current.fromUs / 1e6, 'x');
    const r = u.valToPos(current.toUs / 1e6, 'x');
    const w = u.bbox.width / devicePixelRatio;
    const left = Math.max(0, Math.min(w, l));
    const right = Math.max(0, Math.min(w, r));
    u.setSelect({ left, top: 0, width: Math.max(1, right - left), height: u.bbox.height / devicePixelRatio }, false);
  }

  function setRange(range: TimeRange, fromDrag: boolean): void {
    current = range;
    from.value = range ? formatUtcUs(range.fromUs) : '';
    to.value = range ? formatUtcUs(range.toUs) : '';
    if (!fromDrag) drawSelection();
    showRangeText();
    onRange(range ? range.fromUs : null, range ? range.toUs : null);
  }

  function clearRange(): void {
    setRange(null, false);
  }

  function drawMarks(self: uPlot): void {
    const ctx = self.ctx;
    const { left, top, width: w } = self.bbox;
    const dpr = devicePixelRatio;
    const r = 4 * dpr;
    ctx.save();
    MARK_ROWS.forEach((m, row) => {
      ctx.fillStyle = cssVar(m.cssVar, m.fallback);
      const y = top + (row * ROW_PX + ROW_PX / 2 + 1) * dpr;
      let last = -Infinity;
      for (const t of marks[row]) {
        const x = self.valToPos(t, 'x', true);
        if (x < left - r || x > left + w + r) continue;
        if (x - last < 1.5 * dpr) continue; // one mark per pixel column and row
        last = x;
        drawShape(ctx, row, x, y, r);
      }
    });
    ctx.restore();
  }

  function draw(t: TrafficTimeline): void {
    destroy();
    const { xS, pps, bps } = timelineRates(t);
    // One extra point at the end of the last bin, so that a stepped line covers it.
    const endX = xS.length ? xS[xS.length - 1] + t.binUs / 1e6 : 0;
    const data: uPlot.AlignedData = [[...xS, endX], [...pps, pps[pps.length - 1] ?? 0], [...bps, bps[bps.length - 1] ?? 0]];
    const fg = cssVar('--fg', '#222');
    const grid = cssVar('--grid', 'rgba(128,128,128,0.2)');
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const headroom = (max: number) => Math.max(1, max) * 1.45; // room above the data for the mark rows
    const step = uPlot.paths.stepped?.({ align: 1 });
    host.mount(
      {
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
        select: { show: true, left: 0, top: 0, width: 0, height: 0 },
        scales: {
          x: { time: true, range: () => [xS[0] ?? 0, endX > (xS[0] ?? 0) ? endX : (xS[0] ?? 0) + 1] },
          pps: { range: (_u, _min, max) => [0, headroom(max)] },
          bps: { range: (_u, _min, max) => [0, headroom(max)] },
        },
        axes: [
          { ...axis, space: 100, label: 'UTC', labelSize: 16, size: 52, values: (self, ticks) => utcTicks(ticks, (self.scales.x.max ?? 0) - (self.scales.x.min ?? 0)) },
          { ...axis, scale: 'pps', label: 'packets/s', labelSize: 18, size: 64, values: (_u, v) => v.map((x) => formatInt(x)) },
          { ...axis, scale: 'bps', side: 1, label: 'bytes/s', labelSize: 18, size: 80, grid: { show: false }, values: (_u, v) => v.map((x) => formatBytes(x)) },
        ],
        series: [
          { label: 'UTC' },
          { label: 'packets/s', scale: 'pps', stroke: cssVar('--chart-point', '#3b6fc4'), fill: cssVar('--timeline-fill', 'rgba(59,111,196,0.18)'), width: 1.5, paths: step, points: { show: false } },
          { label: 'bytes/s', scale: 'bps', stroke: cssVar('--chart-mean', '#1b8a4b'), width: 1.5, dash: [5, 3], paths: step, points: { show: false } },
        ],
        hooks: {
          draw: [drawMarks],
          setSelect: [
            (self) => {
              if (self.select.width < 2) return;
              const a = self.posToVal(self.select.left, 'x');
              const b = self.posToVal(self.select.left + self.select.width, 'x');
              setRange(makeRange(Math.round(a * 1e6), Math.round(b * 1e6)), true);
            },
          ],
        },
      },
      data,
      drawSelection,
    );
    drawSelection();
  }

  function setResult(r: AnalysisResult | null): void {
    if (!r) {
      destroy();
      element.hidden = true;
      return;
    }
    element.hidden = false;
    const a = r.alerts;
    const rows: number[][] = [[], [], []];
    for (let i = 0; i < a.count; i++) {
      const row = MARK_ROWS.findIndex((m) => m.sev === a.severity[i]);
      rows[row < 0 ? 2 : row].push(a.tsUs[i] / 1e6);
    }
    for (const row of rows) row.sort((x, y) => x - y);
    marks = rows;
    legend.querySelectorAll<HTMLElement>('.mark-count').forEach((n, k) => (n.textContent = ` (${formatInt(rows[k].length)})`));
    const t = r.timeline;
    if (!t || t.bins === 0) {
      destroy();
      element.dataset.kind = 'none';
      plot.append(el('p', { class: 'muted', id: 'timeline-none' }, t ? 'No packets in the timeline yet.' : 'No timeline in this result (an analysis saved before timelines existed, or a worker without them). The range inputs below still filter the tabs.'));
      sub.textContent = '';
    } else {
      element.dataset.kind = 'chart';
      sub.textContent =
        `${r.partial ? 'So far: ' : ''}${formatInt(t.bins)} bins of ${formatDurationUs(t.binUs)}, packets/s (filled, left axis) and bytes/s (dashed line, right axis) averaged per bin; ` +
        `${formatInt(a.count)} alerts marked. Drag across the chart to select a range.`;
      draw(t);
    }
    showRangeText();
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = parseUtcUs(from.value);
    const g = parseUtcUs(to.value);
    if (f === null || g === null) {
      rangeText.textContent = `Not a UTC time: ${f === null ? 'From' : 'To'} (write it as 2009-01-03T18:58:35.000000Z).`;
      (f === null ? from : to).focus();
      return;
    }
    setRange(makeRange(f, g), false);
  });
  clear.addEventListener('click', () => clearRange());
  element.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && current) {
      e.preventDefault();
      clearRange();
    }
  });

  return { element, setResult, clearRange, range: () => current };
}
