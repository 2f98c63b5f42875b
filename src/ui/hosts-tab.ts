// The hosts tab (issue #5): top talkers over the flows in the selected range (bytes sent +
// received, packets, flows as orig and as resp, distinct peers; traffic-model.ts hostRows) with the
// kept alerts in range whose subject names the host, and a button per host that filters the alerts
// table by that address (onHost(address)). At most HOST_ROWS rows. DOM ids: hosts-tab, hosts-note,
// hosts-table; rows carry data-host (the address).
import type { AnalysisResult } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { formatBytes, formatInt } from './format';
import { flowsInRange, hostRows, makeRange, type TimeRange } from './traffic-model';
import type { TabView } from './flows-tab';

/** Rows the hosts tab shows at most. */
export const HOST_ROWS = 200;

/** Creates the hosts tab; `onHost(address)` when a host's "Show alerts" is pressed. */
export function createHostsTab(onHost: (address: string) => void): TabView {
  const note = el('p', { id: 'hosts-note', class: 'muted', attrs: { 'aria-live': 'polite' } });
  const tbody = el('tbody');
  const heads: [string, boolean][] = [['Host', false], ['Bytes sent', true], ['Bytes received', true], ['Packets sent / received', true], ['Flows as orig', true], ['Flows as resp', true], ['Peers', true], ['Alerts', true], ['', false]];
  const table = el(
    'table',
    { id: 'hosts-table', class: 'data-table', attrs: { 'aria-describedby': 'hosts-note' } },
    el('caption', { class: 'visually-hidden' }, 'Top talkers'),
    el('thead', {}, el('tr', {}, ...heads.map(([h, num]) => el('th', { class: num ? 'num' : '', attrs: { scope: 'col' } }, h)))),
    tbody,
  );
  const element = el(
    'div',
    { id: 'hosts-tab', class: 'tab-view' },
    note,
    el('div', { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Hosts table' } }, table),
  );
  let result: AnalysisResult | null = null;
  let range: TimeRange = null;

  function refresh(): void {
    const r = result;
    const c = r?.conns;
    if (!r || !c) {
      note.textContent = r?.partial ? 'Hosts appear when the analysis finishes (they come from the connection records).' : 'No connection records in this result (connRecords off).';
      replaceChildren(tbody);
      element.dataset.hosts = '0';
      return;
    }
    const rows = hostRows(r, c, flowsInRange(c, range), range);
    element.dataset.hosts = String(rows.length);
    note.textContent = `${formatInt(rows.length)} hosts ${range ? 'in the range' : 'in the capture'}, by bytes sent + received${rows.length > HOST_ROWS ? `; the top ${HOST_ROWS}` : ''}. Alerts: kept alerts ${range ? 'in the range ' : ''}whose subject names the host.`;
    replaceChildren(
      tbody,
      ...rows.slice(0, HOST_ROWS).map((h) => {
        const btn = el('button', { class: 'button small', attrs: { type: 'button', 'aria-label': `Show the alerts of ${h.address}` } }, 'Show alerts');
        btn.addEventListener('click', () => onHost(h.address));
        return el(
          'tr',
          { attrs: { 'data-host': h.address } },
          el('th', { class: 'channel', attrs: { scope: 'row' } }, h.address),
          el('td', { class: 'num' }, formatBytes(h.bytesSent)),
          el('td', { class: 'num' }, formatBytes(h.bytesReceived)),
          el('td', { class: 'num' }, `${formatInt(h.packetsSent)} / ${formatInt(h.packetsReceived)}`),
          el('td', { class: 'num' }, formatInt(h.flowsOrig)),
          el('td', { class: 'num' }, formatInt(h.flowsResp)),
          el('td', { class: 'num' }, formatInt(h.peers)),
          el('td', { class: `num${h.alerts ? ' has-alerts' : ''}`, attrs: { 'data-col': 'alerts' } }, formatInt(h.alerts)),
          el('td', {}, btn),
        );
      }),
    );
  }

  return {
    element,
    setResult(r) {
      result = r;
      refresh();
    },
    setRange(fromUs, toUs) {
      range = makeRange(fromUs, toUs);
      refresh();
    },
  };
}
