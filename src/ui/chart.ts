// The chart of one channel (uPlot): x = seconds since the channel's first packet, y = packet size
// in bytes; series: every packet (points), baseline mean (line), mean ± threshold·σ (a filled
// band) and the flagged packets (larger points in a distinct red). Owns the uPlot instance; takes a
// ChannelSeries (copied into plain arrays, sorted by time because uPlot needs ascending x).
import uPlot from 'uplot';
import type { ChannelSeries } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { formatInt, formatUtcUs } from './format';

/** What the chart shows about its channel, above the plot. */
export interface ChartTitle {
  label: string;
  alerts: number;
}

/** The chart panel. `show` draws a series; `message` replaces the plot with a line of text. */
export interface ChannelChart {
  element: HTMLElement;
  show(title: ChartTitle, series: ChannelSeries, threshold: number, originUs: number): void;
  message(text: string): void;
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

/** Creates the chart panel (empty until `show`). */
export function createChart(): ChannelChart {
  const heading = el('h3', { id: 'chart-title' }, 'Channel');
  const sub = el('p', { class: 'muted', id: 'chart-sub' });
  const plot = el('div', { id: 'chart', class: 'chart', attrs: { role: 'img', 'aria-labelledby': 'chart-title', 'aria-describedby': 'chart-sub' } });
  const element = el('figure', { class: 'chart-panel' }, heading, sub, plot);
  let u: uPlot | null = null;
  let ro: ResizeObserver | null = null;

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

  return {
    element,
    show(title, series, threshold, originUs) {
      destroy();
      const fg = cssVar('--fg', '#222');
      const grid = cssVar('--grid', 'rgba(128,128,128,0.2)');
      const point = cssVar('--chart-point', '#3b7dd8');
      const meanC = cssVar('--chart-mean', '#2a9d5c');
      const band = cssVar('--chart-band', 'rgba(42,157,92,0.15)');
      const flagC = cssVar('--chart-flag', '#d62828');
      const data = toColumns(series, threshold, originUs);
      heading.textContent = title.label;
      sub.textContent =
        `${formatInt(series.tsUs.length)} packets${series.truncated ? ' (truncated to the point limit)' : ''}, ` +
        `${formatInt(title.alerts)} flagged. x: seconds since the channel's first packet, ${formatUtcUs(originUs)}; band: mean ± ${threshold}σ.`;
      const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      const opts: uPlot.Options = {
        width: width(),
        height: 320,
        legend: { show: true, live: false },
        cursor: { drag: { x: true, y: false }, points: { show: false } },
        // Sizes are never negative: the lower band edge is clipped at 0 instead of stretching the axis.
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.05] } },
        axes: [
          { ...axis, label: 'time (s)', labelSize: 20, space: 70 },
          { ...axis, label: 'size (B)', labelSize: 20, size: 60 },
        ],
        series: [
          {},
          { label: 'packet size', stroke: point, fill: undefined, width: 0, paths: () => null, points: { show: true, size: 4, stroke: point, fill: point, width: 1 } },
          { label: 'baseline mean', stroke: meanC, width: 1.5, points: { show: false }, spanGaps: false },
          { label: `mean − ${threshold}σ`, stroke: meanC, width: 1, dash: [4, 4], points: { show: false } },
          { label: `mean + ${threshold}σ`, stroke: meanC, width: 1, dash: [4, 4], points: { show: false } },
          { label: 'flagged', stroke: flagC, width: 0, paths: () => null, points: { show: true, size: 9, stroke: flagC, fill: flagC, width: 2 } },
        ],
        bands: [{ series: [4, 3], fill: band }],
      };
      u = new uPlot(opts, data as uPlot.AlignedData, plot);
      ro = new ResizeObserver(() => {
        if (u && Math.abs(u.width - width()) > 4) u.setSize({ width: width(), height: 320 });
      });
      ro.observe(plot);
    },
    message(text) {
      destroy();
      heading.textContent = 'Channel';
      sub.textContent = '';
      replaceChildren(plot, el('p', { class: 'muted chart-message' }, text));
    },
    destroy,
  };
}
