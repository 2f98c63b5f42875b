// The chart panel (uPlot), one chart at a time, for the selected alert:
// - ZSCORE: its channel: x = seconds since the channel's first packet, y = packet size in bytes;
//   every packet (points), baseline mean (line), mean ± threshold·σ (a filled band) and the
//   flagged packets (larger points in a distinct red).
// - PORTSCAN: distinct ports (or hosts) of the target probed in the rule's window, at each probe
//   (a step line with points), and the threshold (dashed red).
// - SYNFLOOD: SYNs to the victim per 1-s bin (bars), the detector's SYN count in its sliding window
//   at the end of each bin (line; for the low-and-slow tier the exact count over its long window,
//   src/worker/service.ts slidingCount) and the threshold that count had to exceed (dashed red).
// - SPIKE: bytes/s per metric window (stepped line with points), the baseline mean (line), the
//   MEDIUM and HIGH thresholds in force at each window (dashed), the band from mean to MEDIUM
//   (filled) and the flagged windows (red).
// - LATENCY: the server's samples of the alert's variant (points, ms), its baseline mean (line),
//   the MEDIUM (1.5x) and HIGH (2x, with the floors of detect/latency.ts) thresholds (dashed), the
//   band from mean to MEDIUM (filled) and the samples above them (orange, red).
// - PROTOSHIFT: the shares of TCP, UDP, ICMP, ICMPv6 and other stacked per window (filled areas,
//   percent of the window's packets), the flagged class's or service's share (line) and its
//   baseline share (dashed), the windows the core flagged (red points).
// Owns the uPlot instance; data comes in as typed arrays and is copied into sorted plain arrays.
import uPlot from 'uplot';
import type { ChannelSeries, DetectorSeries } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { createPlotHost } from './plot-host';
import { formatDurationUs, formatInt, formatUtcUs } from './format';
import { latencyColumns, portscanColumns, shareColumns, spikeColumns, synBins } from './series';

/** What the chart shows about its channel, above the plot. */
export interface ChartTitle {
  label: string;
  alerts: number;
}

/** The chart panel. `show*` draw a chart; `message` replaces the plot with a line of text.
 *  What is drawn ('channel' | 'portscan' | 'synflood' | 'spike' | 'latency' | 'protoshift' |
 *  'message') is on data-kind of the element. */
export interface ChannelChart {
  element: HTMLElement;
  show(title: ChartTitle, series: ChannelSeries, threshold: number, originUs: number): void;
  /** PORTSCAN: `what` names the counted things ("distinct ports", "distinct hosts"). */
  showPortscan(title: string, series: DetectorSeries, what: string, originUs: number): void;
  /** SYNFLOOD: `victim` names where the SYNs went ("to 10.0.0.1", "to all destinations"). */
  showSynflood(title: string, series: DetectorSeries, victim: string, originUs: number): void;
  /** SPIKE: `subject` names the traffic ("to 10.0.0.1", "all traffic"). */
  showSpike(title: string, series: DetectorSeries, subject: string, originUs: number): void;
  /** LATENCY: `what` names the samples ("SYN → SYN/ACK of 10.0.0.1:80"). */
  showLatency(title: string, series: DetectorSeries, what: string, originUs: number): void;
  /** PROTOSHIFT: `points` = the MEDIUM rise in percentage points (options). */
  showProtoshift(title: string, series: DetectorSeries, points: number, originUs: number): void;
  message(text: string, title?: string): void;
  /** Shows `node` (built from text nodes only) in place of a chart, e.g. a PROFILE alert's source
   *  profile next to its connection: the panel is the wide one. */
  showElement(title: string, node: HTMLElement): void;
  destroy(): void;
}

/** Columns for uPlot: [x, size, mean, lower, upper, flagged]; gaps are null. Sorted by time. */
export function toColumns(s: ChannelSeries, threshold: number, originUs: number): (number | null)[][] {
  const n = s.tsUs.length;
  const order = Array.from({ length: n }, (_, i) => i);
  let sorted = true;
  for (let i = 1; i < n; i++) if (s.tsUs[i] < s.tsUs[i - 1]) { sorted = false; break; }
  if (!sorted) order.sort((a, b) => s.tsUs[a] - s.tsUs[b]);
  const x: number[] = new Array(n);
  const size: (number | null)[] = new Array(n);
  const mean: (number | null)[] = new Array(n);
  const lo: (number | null)[] = new Array(n);
  const hi: (number | null)[] = new Array(n);
  const flag: (number | null)[] = new Array(n);
  for (let k = 0; k < n; k++) {
    const i = order[k];
    x[k] = (s.tsUs[i] - originUs) / 1e6;
    size[k] = s.size[i];
    const m = s.mean[i];
    const sd = s.std[i];
    const warm = Number.isFinite(m) && Number.isFinite(sd);
    mean[k] = warm ? m : null;
    lo[k] = warm ? m - threshold * sd : null;
    hi[k] = warm ? m + threshold * sd : null;
    flag[k] = s.flagged[i] ? s.size[i] : null;
  }
  return [x, size, mean, lo, hi, flag];
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

/** Creates the chart panel (empty until a `show*`). */
export function createChart(): ChannelChart {
  const heading = el('h3', { id: 'chart-title' }, 'Chart');
  const sub = el('p', { class: 'muted', id: 'chart-sub' });
  const plot = el('div', { id: 'chart', class: 'chart', attrs: { role: 'img', 'aria-labelledby': 'chart-title', 'aria-describedby': 'chart-sub' } });
  const element = el('figure', { class: 'chart-panel' }, heading, sub, plot);
  const host = createPlotHost(plot, element, 320, 640);
  const destroy = () => host.destroy();
  function colors() {
    return {
      fg: cssVar('--fg', '#222'),
      grid: cssVar('--grid', 'rgba(128,128,128,0.2)'),
      point: cssVar('--chart-point', '#3b7dd8'),
      mean: cssVar('--chart-mean', '#2a9d5c'),
      band: cssVar('--chart-band', 'rgba(42,157,92,0.15)'),
      flag: cssVar('--chart-flag', '#d62828'),
      warn: cssVar('--chart-warn', '#e07b00'),
      classes: [0, 1, 2, 3, 4].map((k) => cssVar(`--share-${k}`, ['#7aa6e0', '#f0b35e', '#9ccf8f', '#c79ad6', '#b8b8b8'][k])),
    };
  }
  function axis(c: ReturnType<typeof colors>) {
    return { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  }
  function draw(kind: string, opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void {
    host.mount(opts, data);
    element.dataset.kind = kind;
  }

  return {
    element,
    show(title, series, threshold, originUs) {
      destroy();
      const c = colors();
      const data = toColumns(series, threshold, originUs);
      heading.textContent = title.label;
      sub.textContent =
        `${formatInt(series.tsUs.length)} packets${series.truncated ? ' (truncated to the point limit)' : ''}, ` +
        `${formatInt(title.alerts)} flagged. x: seconds since the channel's first packet, ${formatUtcUs(originUs)}; band: mean ± ${threshold}σ.`;
      draw(
        'channel',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          // Sizes are never negative: the lower band edge is clipped at 0 instead of stretching the axis.
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: 'size (B)', labelSize: 20, size: 60 },
          ],
          series: [
            {},
            { label: 'packet size', stroke: c.point, fill: undefined, width: 0, paths: () => null, points: { show: true, size: 4, stroke: c.point, fill: c.point, width: 1 } },
            { label: 'baseline mean', stroke: c.mean, width: 1.5, points: { show: false }, spanGaps: false },
            { label: `mean − ${threshold}σ`, stroke: c.mean, width: 1, dash: [4, 4], points: { show: false } },
            { label: `mean + ${threshold}σ`, stroke: c.mean, width: 1, dash: [4, 4], points: { show: false } },
            { label: 'flagged', stroke: c.flag, width: 0, paths: () => null, points: { show: true, size: 9, stroke: c.flag, fill: c.flag, width: 2 } },
          ],
          bands: [{ series: [4, 3], fill: c.band }],
        },
        data as uPlot.AlignedData,
      );
    },
    showPortscan(title, series, what, originUs) {
      destroy();
      const c = colors();
      const [x, v, t] = portscanColumns(series, originUs);
      heading.textContent = title;
      let peak = 0;
      for (const y of v) if (y > peak) peak = y;
      sub.textContent =
        `${formatInt(x.length)} probes${series.truncated ? ' (truncated to the point limit)' : ''}; peak ${formatInt(peak)} ${what} ` +
        `in the ${series.windowS} s window, threshold ${formatInt(series.threshold)}. x: seconds since the first probe, ${formatUtcUs(originUs)}.`;
      draw(
        'portscan',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max, series.threshold) * 1.08] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: what, labelSize: 20, size: 60 },
          ],
          series: [
            {},
            {
              label: `${what} in the window`,
              stroke: c.point,
              width: 2,
              paths: uPlot.paths.stepped?.({ align: 1 }),
              points: { show: x.length <= 2000, size: 4, stroke: c.point, fill: c.point },
            },
            { label: `threshold (${formatInt(series.threshold)})`, stroke: c.flag, width: 1.5, dash: [6, 4], points: { show: false } },
          ],
        },
        [x, v, t],
      );
    },
    showSynflood(title, series, victim, originUs) {
      destroy();
      const c = colors();
      const b = synBins(series, originUs);
      const th = b.x.map(() => series.threshold);
      heading.textContent = title;
      const per = b.binS === 1 ? 'second' : `${b.binS} s`;
      sub.textContent =
        `${formatInt(series.tsUs.length)} SYNs ${victim}${series.truncated ? ' (truncated to the point limit)' : ''}, ` +
        `peak ${formatInt(b.peak)} per ${per}. The detector counts SYNs in a sliding ${series.windowS} s window and fires above ${formatInt(series.threshold)}` +
        `${series.windowS === b.binS ? '' : ' (the line; the threshold is per window, not per bar)'}. x: seconds since the first SYN, ${formatUtcUs(originUs)}` +
        `${b.x.length > 1 ? `, span ${formatDurationUs(b.x[b.x.length - 1] * 1e6)}` : ''}.`;
      draw(
        'synflood',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          scales: { x: { time: false, range: () => [(b.x[0] ?? 0) - b.binS * 0.5, (b.x[b.x.length - 1] ?? 0) + b.binS * 1.5] }, y: { range: (_u, _min, max) => [0, Math.max(1, max, series.threshold) * 1.08] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: 'SYNs', labelSize: 20, size: 60 },
          ],
          series: [
            {},
            { label: `SYNs per ${per}`, stroke: c.point, fill: c.point, width: 1, paths: uPlot.paths.bars?.({ size: [0.9, 48, 1], align: 1 }), points: { show: false } },
            { label: `SYNs in the ${series.windowS} s window`, stroke: c.mean, width: 2, spanGaps: true, points: { show: b.x.length <= 200, size: 4, stroke: c.mean, fill: c.mean } },
            { label: `threshold (${formatInt(series.threshold)})`, stroke: c.flag, width: 1.5, dash: [6, 4], points: { show: false } },
          ],
        },
        [b.x, b.count, b.inWindow, th] as uPlot.AlignedData,
      );
    },
    showSpike(title, series, subject, originUs) {
      destroy();
      const c = colors();
      const cols = spikeColumns(series, originUs);
      const n = cols[0].length;
      // Each window is a step from its start to the next; the last one ends at start + windowS.
      const endX = n ? (cols[0][n - 1] as number) + series.windowS : 0;
      const data = cols.map((c, k) => (k === 0 ? [...c, endX] : k === 5 ? [...c, null] : [...c, c[n - 1] ?? null]));
      heading.textContent = title;
      let flagged = 0;
      let peak = 0;
      for (let i = 0; i < cols[0].length; i++) {
        if (cols[5][i] !== null) flagged++;
        if ((cols[1][i] ?? 0) > peak) peak = cols[1][i]!;
      }
      sub.textContent =
        `${formatInt(n)} windows of ${series.windowS} s${series.truncated ? ' (truncated to the point limit)' : ''}, bytes/s ${subject}; ` +
        `peak ${formatInt(peak)} B/s, ${formatInt(flagged)} flagged. Lines: the baseline mean before each window and the MEDIUM and HIGH thresholds ` +
        `(none while the baseline warms up); band: mean to MEDIUM. x: seconds since the first window, ${formatUtcUs(originUs)}.`;
      draw(
        'spike',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: 'B/s', labelSize: 20, size: 70 },
          ],
          series: [
            {},
            { label: 'bytes/s in the window', stroke: c.point, width: 2, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: cols[0].length <= 500, size: 4, stroke: c.point, fill: c.point } },
            { label: 'baseline mean', stroke: c.mean, width: 1.5, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
            { label: 'MEDIUM threshold', stroke: c.warn, width: 1.5, dash: [6, 4], paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
            { label: 'HIGH threshold', stroke: c.flag, width: 1.5, dash: [2, 3], paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
            { label: 'flagged window', stroke: c.flag, width: 0, paths: () => null, points: { show: true, size: 9, stroke: c.flag, fill: c.flag, width: 2 } },
          ],
          // The baseline band: from the mean up to the MEDIUM threshold, what the baseline calls normal.
          bands: [{ series: [3, 2], fill: c.band }],
        },
        data as uPlot.AlignedData,
      );
    },
    showLatency(title, series, what, originUs) {
      destroy();
      const c = colors();
      const cols = latencyColumns(series, originUs);
      heading.textContent = title;
      let above = 0;
      for (let i = 0; i < cols[0].length; i++) if (cols[5][i] !== null || cols[6][i] !== null) above++;
      sub.textContent =
        `${formatInt(cols[0].length)} samples, ${what}${series.truncated ? ' (truncated to the point limit)' : ''}; ${formatInt(above)} above the MEDIUM threshold. ` +
        `Lines: the server's baseline before each sample, MEDIUM and HIGH thresholds (none while the server warms up); band: mean to MEDIUM. ` +
        `x: seconds since the first sample, ${formatUtcUs(originUs)}.`;
      draw(
        'latency',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.08] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: 'latency (ms)', labelSize: 20, size: 60 },
          ],
          series: [
            {},
            { label: 'sample', stroke: c.point, width: 0, paths: () => null, points: { show: true, size: 5, stroke: c.point, fill: c.point, width: 1 } },
            { label: 'baseline mean', stroke: c.mean, width: 1.5, points: { show: false } },
            { label: 'MEDIUM threshold', stroke: c.warn, width: 1.5, dash: [6, 4], points: { show: false } },
            { label: 'HIGH threshold', stroke: c.flag, width: 1.5, dash: [2, 3], points: { show: false } },
            { label: 'above MEDIUM', stroke: c.warn, width: 0, paths: () => null, points: { show: true, size: 9, stroke: c.warn, fill: c.warn, width: 2 } },
            { label: 'above HIGH', stroke: c.flag, width: 0, paths: () => null, points: { show: true, size: 10, stroke: c.flag, fill: c.flag, width: 2 } },
          ],
          bands: [{ series: [3, 2], fill: c.band }],
        },
        cols as uPlot.AlignedData,
      );
    },
    showProtoshift(title, series, points, originUs) {
      destroy();
      const c = colors();
      const d = shareColumns(series, originUs);
      heading.textContent = title;
      const windows = d.x.length;
      let flagged = 0;
      for (const v of d.flagged) if (v !== null) flagged++;
      sub.textContent =
        `${formatInt(windows)} windows of ${series.windowS} s${series.truncated ? ' (truncated to the point limit)' : ''}: share of each window's packets per protocol (stacked), ` +
        `${d.focusLabel ? `${d.focusLabel}'s share and its baseline share (flagged above baseline + ${points} points: ${formatInt(flagged)} ${flagged === 1 ? 'window' : 'windows'})` : 'the flagged row is not in the trace'}. ` +
        `x: seconds since the first window, ${formatUtcUs(originUs)}.`;
      // Stacked areas: the running sums, drawn top (all classes) first, each filled down to 0.
      const stackSeries = d.stacked
        .map((_, k) => ({
          label: d.classes[k],
          stroke: c.classes[k],
          fill: c.classes[k],
          width: 1,
          paths: uPlot.paths.stepped?.({ align: 1 }),
          points: { show: false },
        }))
        .reverse();
      const stacked = d.stacked.slice().reverse();
      const xEnd = windows ? d.x[windows - 1] + series.windowS : 1;
      draw(
        'protoshift',
        {
          legend: { show: true, live: false },
          cursor: { drag: { x: true, y: false }, points: { show: false } },
          scales: { x: { time: false, range: () => [d.x[0] ?? 0, xEnd] }, y: { range: () => [0, 100] } },
          axes: [
            { ...axis(c), label: 'time (s)', labelSize: 20, space: 70 },
            { ...axis(c), label: '% of packets', labelSize: 20, size: 60 },
          ],
          series: [
            {},
            ...stackSeries,
            { label: `${d.focusLabel || 'flagged row'} share`, stroke: c.fg, width: 2.5, paths: uPlot.paths.stepped?.({ align: 1 }), points: { show: false } },
            { label: `${d.focusLabel || 'flagged row'} baseline share`, stroke: c.fg, width: 1.5, dash: [6, 4], points: { show: false } },
            { label: 'flagged window', stroke: c.flag, width: 0, paths: () => null, points: { show: true, size: 10, stroke: c.flag, fill: c.flag, width: 2 } },
          ],
        },
        // x: the window starts plus the end of the last window, so its step is drawn whole.
        [[...d.x, xEnd], ...stacked.map((s) => [...s, s[windows - 1] ?? null]), [...d.focus, d.focus[windows - 1] ?? null], [...d.baseline, null], [...d.flagged, null]] as uPlot.AlignedData,
      );
    },
    message(text, title = 'Chart') {
      destroy();
      heading.textContent = title;
      sub.textContent = '';
      element.dataset.kind = 'message';
      replaceChildren(plot, el('p', { class: 'muted chart-message' }, text));
    },
    showElement(title, node) {
      destroy();
      heading.textContent = title;
      sub.textContent = '';
      element.dataset.kind = 'element';
      replaceChildren(plot, node);
    },
    destroy,
  };
}
