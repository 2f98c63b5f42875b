// The protocols tab (issue #5): each protocol class's share of the packets per timeline bin
// (TIMELINE_CLASSES from result.timeline.classPackets, stacked areas, uPlot; the x scale follows
// the selected range), the totals by class (packets and bytes of the bins in range from the
// timeline; flows from the connection records) and the top services (protocol, responder port) of
// the flows in range. DOM ids: protocols-tab, protocols-chart, protocols-classes,
// protocols-services; data-kind on #protocols-chart: 'chart' | 'none'.
import uPlot from 'uplot';
import { TIMELINE_CLASSES, type AnalysisResult, type TrafficTimeline } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { createPlotHost } from './plot-host';
import { formatBytes, formatInt } from './format';
import { classShares, classTotals, classTotalsOfFlows, flowsInRange, makeRange, stackShares, topServices, type TimeRange, utcTicks } from './traffic-model';
import type { TabView } from './flows-tab';

/** Services listed at most. */
export const SERVICE_ROWS = 20;

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v || fallback;
}

const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)} %` : '—');

/** Creates the protocols tab. */
export function createProtocolsTab(): TabView {
  const sub = el('p', { class: 'muted', id: 'protocols-sub' });
  const plot = el('div', { id: 'protocols-chart', class: 'chart', attrs: { role: 'img', 'aria-label': 'Protocol class shares of the packets over time', 'aria-describedby': 'protocols-sub' } });
  const classes = el('div', { id: 'protocols-classes' });
  const services = el('div', { id: 'protocols-services' });
  const element = el('div', { id: 'protocols-tab', class: 'tab-view' }, sub, plot, el('div', { class: 'ov-grid' }, classes, services));
  let result: AnalysisResult | null = null;
  let range: TimeRange = null;
  let fullX: [number, number] = [0, 1];
  const host = createPlotHost(plot, element, 220, 800);
  const destroy = () => host.destroy();

  function draw(t: TrafficTimeline): void {
    destroy();
    const stacked = stackShares(classShares(t));
    const x: number[] = [];
    for (let k = 0; k < t.bins; k++) x.push((t.startUs + k * t.binUs) / 1e6);
    fullX = [x[0], x[x.length - 1] + t.binUs / 1e6];
    const fg = cssVar('--fg', '#222');
    const grid = cssVar('--grid', 'rgba(128,128,128,0.2)');
    const axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const step = uPlot.paths.stepped?.({ align: 1 });
    // Largest stack first: each class's area is drawn over the ones above it in the stack.
    const order = [4, 3, 2, 1, 0];
    const data: uPlot.AlignedData = [[...x, fullX[1]], ...order.map((c) => [...stacked[c].map((v) => (v === null ? null : v * 100)), stacked[c][x.length - 1] === null ? null : stacked[c][x.length - 1]! * 100])];
    host.mount(
      {
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: true, range: () => (range ? [range.fromUs / 1e6, range.toUs / 1e6] : fullX) }, y: { range: () => [0, 100] } },
        axes: [{ ...axis, space: 100, label: 'UTC', labelSize: 16, size: 52, values: (self, ticks) => utcTicks(ticks, (self.scales.x.max ?? 0) - (self.scales.x.min ?? 0)) }, { ...axis, label: '% of packets', labelSize: 18, size: 56 }],
        series: [
          { label: 'UTC' },
          ...order.map((c) => ({
            label: TIMELINE_CLASSES[c],
            stroke: cssVar(`--share-${c}`, '#888'),
            fill: cssVar(`--share-${c}`, '#888'),
            width: 1,
            paths: step,
            points: { show: false },
          })),
        ],
      },
      data,
    );
    plot.dataset.kind = 'chart';
  }

  function tables(): void {
    const r = result;
    if (!r) return;
    const c = r.conns;
    const idx = c ? flowsInRange(c, range) : new Uint32Array(0);
    const t = r.timeline;
    const byFlows = c ? classTotalsOfFlows(c, idx) : null;
    const byBins = t ? classTotals(t, range) : null;
    const rows = TIMELINE_CLASSES.map((name, k) => ({
      name,
      packets: byBins ? byBins[k].packets : byFlows ? byFlows[k].packets : 0,
      bytes: byBins ? byBins[k].bytes : byFlows ? byFlows[k].bytes : 0,
      flows: byFlows ? byFlows[k].flows : NaN,
    }));
    const pk = rows.reduce((n, x) => n + x.packets, 0);
    const by = rows.reduce((n, x) => n + x.bytes, 0);
    replaceChildren(
      classes,
      el(
        'table',
        { class: 'data-table', id: 'protocols-classes-table' },
        el('caption', {}, `By protocol class${range ? ' (range)' : ''}${byBins ? '' : ' (from the flows)'}`),
        el('thead', {}, el('tr', {}, ...['Class', 'Packets', 'Share', 'Bytes', 'Flows'].map((h, k) => el('th', { class: k ? 'num' : '', attrs: { scope: 'col' } }, h)))),
        el(
          'tbody',
          {},
          ...rows.map((x) =>
            el(
              'tr',
              { attrs: { 'data-class': x.name } },
              el('th', { attrs: { scope: 'row' } }, x.name),
              el('td', { class: 'num', attrs: { 'data-col': 'packets' } }, formatInt(x.packets)),
              el('td', { class: 'num' }, pct(x.packets, pk)),
              el('td', { class: 'num' }, formatBytes(x.bytes)),
              el('td', { class: 'num' }, formatInt(x.flows)),
            ),
          ),
          el('tr', {}, el('th', { attrs: { scope: 'row' } }, 'all'), el('td', { class: 'num' }, formatInt(pk)), el('td', { class: 'num' }, ''), el('td', { class: 'num' }, formatBytes(by)), el('td', { class: 'num' }, c ? formatInt(idx.length) : '—')),
        ),
      ),
    );
    if (!c) {
      replaceChildren(services, el('p', { class: 'muted' }, r.partial ? 'Services appear when the analysis finishes (they come from the connection records).' : 'No connection records in this result.'));
      return;
    }
    const svc = topServices(c, idx, SERVICE_ROWS);
    replaceChildren(
      services,
      el(
        'table',
        { class: 'data-table', id: 'protocols-services-table' },
        el('caption', {}, `Top services (protocol/responder port) by flows${range ? ' (range)' : ''}`),
        el('thead', {}, el('tr', {}, ...['Service', 'Flows', 'Packets', 'Bytes'].map((h, k) => el('th', { class: k ? 'num' : '', attrs: { scope: 'col' } }, h)))),
        el(
          'tbody',
          {},
          ...svc.map((s) =>
            el('tr', { attrs: { 'data-service': s.label } }, el('th', { attrs: { scope: 'row' } }, s.label), el('td', { class: 'num' }, formatInt(s.flows)), el('td', { class: 'num' }, formatInt(s.packets)), el('td', { class: 'num' }, formatBytes(s.bytes))),
          ),
        ),
      ),
    );
  }

  return {
    element,
    setResult(r) {
      result = r;
      if (!r) {
        destroy();
        replaceChildren(classes);
        replaceChildren(services);
        return;
      }
      const t = r.timeline;
      if (t && t.bins > 0) {
        sub.textContent = `Share of each protocol class in the packets of each ${formatInt(t.binUs / 1000)} ms bin (stacked; empty bins left blank).`;
        draw(t);
      } else {
        destroy();
        plot.dataset.kind = 'none';
        sub.textContent = 'No timeline in this result: no shares over time. The totals below come from the connection records.';
      }
      tables();
    },
    setRange(fromUs, toUs) {
      range = makeRange(fromUs, toUs);
      host.chart?.setScale('x', { min: range ? range.fromUs / 1e6 : fullX[0], max: range ? range.toUs / 1e6 : fullX[1] });
      tables();
    },
  };
}
