// The chart panel (uPlot), one chart at a time, for the selected alert:
// - ZSCORE: its channel: x = seconds since the channel's first packet, y = packet size in bytes;
//   every packet (points), baseline mean (line), mean ± threshold·σ (a filled band) and the
//   flagged packets (larger points in a distinct red).
// - PORTSCAN: distinct ports (or hosts) of the target probed in the rule's window, at each probe
//   (a step line with points), and the threshold (dashed red).
// - SYNFLOOD: SYNs to the victim per 1-s bin (bars), the detector's SYN count in its sliding window
//   at the end of each bin (line; for the low-and-slow tier the exact count over its long window,
//   src/worker/service.ts slidingCount) and the threshold that count had to exceed (dashed red).
// Owns the uPlot instance; data comes in as typed arrays and is copied into sorted plain arrays.
import uPlot from 'uplot';
import type { ChannelSeries, DetectorSeries } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { formatDurationUs, formatInt, formatUtcUs } from './format';
import { portscanColumns, synBins } from './series';

/** What the chart shows about its channel, above the plot. */
export interface ChartTitle {
  label: string;
  alerts: number;
}

/** The chart panel. `show*` draw a chart; `message` replaces the plot with a line of text.
 *  `kind` is what is drawn ('channel' | 'portscan' | 'synflood' | 'message'), also on
 *  data-kind of the element. */
export interface ChannelChart {
  element: HTMLElement;
  show(title: ChartTitle, series: ChannelSeries, threshold: number, originUs: number): void;
  /** PORTSCAN: `what` names the counted things ("distinct ports", "distinct hosts"). */
  showPortscan(title: string, series: DetectorSeries, what: string, originUs: number): void;
  /** SYNFLOOD: `victim` names where the SYNs went ("to 10.0.0.1", "to all destinations"). */
  showSynflood(title: string, series: DetectorSeries, victim: string, originUs: number): void;
  message(text: string, title?: string): void;
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
  let u: uPlot | null = null;
  let ro: ResizeObserver | null = null;
  const HEIGHT = 320;

  function width(): number {
    return Math.max(280, Math.floor(plot.clientWidth || element.clientWidth || 640));
  }
  function destroy(): void {
    ro?.disconnect();
    ro = null;
    u?.destroy();
    u = null;
    replaceChildren(plot);
  }
  function colors() {
    return {
      fg: cssVar('--fg', '#222'),
      grid: cssVar('--grid', 'rgba(128,128,128,0.2)'),
      point: cssVar('--chart-point', '#3b7dd8'),
      mean: cssVar('--chart-mean', '#2a9d5c'),
      band: cssVar('--chart-band', 'rgba(42,157,92,0.15)'),
      flag: cssVar('--chart-flag', '#d62828'),
    };
  }
  function axis(c: ReturnType<typeof colors>) {
    return { stroke: c.fg, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  }
  function draw(kind: string, opts: Omit<uPlot.Options, 'width' | 'height'>, data: uPlot.AlignedData): void {
    u = new uPlot({ ...opts, width: width(), height: HEIGHT } as uPlot.Options, data, plot);
    element.dataset.kind = kind;
    ro = new ResizeObserver(() => {
      if (u && Math.abs(u.width - width()) > 4) u.setSize({ width: width(), height: HEIGHT });
    });
    ro.observe(plot);
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
    message(text, title = 'Chart') {
      destroy();
      heading.textContent = title;
      sub.textContent = '';
      element.dataset.kind = 'message';
      replaceChildren(plot, el('p', { class: 'muted chart-message' }, text));
    },
    destroy,
  };
}
