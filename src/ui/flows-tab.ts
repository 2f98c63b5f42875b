// The flows tab (issue #5): the top flows of result.conns by bytes, packets or duration (a select),
// within the selected time range (a flow matches when [firstUs, lastUs] overlaps it), at most
// FLOW_ROWS rows, with how many matched. Columns: orig → resp with ports, proto, service
// (proto/port), conn_state (Zeek names, src/io/conn-log.ts), the Zeek-style history as far as the
// records allow (traffic-model.ts connHistory), packets and bytes each side, duration,
// community_id (conn-log.ts connCommunityId) and the kept alerts on that flow's 5-tuple.
// DOM ids: flows-tab, flows-rank, flows-note, flows-table; rows carry data-flow (record index).
import type { AnalysisResult } from '../shared/protocol';
import { CONN_STATE_NAMES, connCommunityId } from '../io/conn-log';
import { el, replaceChildren } from './dom';
import { formatBytes, formatDurationUs, formatInt, formatUtcUs } from './format';
import { alertsByFiveTuple, connHistory, flowKey, flowsInRange, makeRange, protoName, topFlows, type FlowRank, type TimeRange } from './traffic-model';

/** Rows the flows tab shows at most. */
export const FLOW_ROWS = 200;

/** A tab view: new data, and the selected range (null, null: the whole capture). */
export interface TabView {
  element: HTMLElement;
  setResult(r: AnalysisResult | null): void;
  setRange(fromUs: number | null, toUs: number | null): void;
}

const HEADS: [string, string][] = [
  ['Orig → resp', 'Originator address:port → responder address:port'],
  ['Proto', 'IP protocol'],
  ['Service', 'Protocol and responder port'],
  ['conn_state', 'Zeek conn_state, from the flags each end sent'],
  ['History', 'Zeek-style history: the letters seen, each once, in handshake order (upper case: orig), not their order'],
  ['Pkts orig', 'Packets from the originator'],
  ['Pkts resp', 'Packets from the responder'],
  ['Bytes orig', 'Wire bytes from the originator'],
  ['Bytes resp', 'Wire bytes from the responder'],
  ['Duration', 'Last − first packet'],
  ['First (UTC)', 'First packet'],
  ['community_id', 'Community ID v1 of the flow (seed 0)'],
  ['Alerts', 'Kept alerts on this 5-tuple'],
];

/** Creates the flows tab. */
export function createFlowsTab(): TabView {
  const rank = el(
    'select',
    { id: 'flows-rank' },
    el('option', { attrs: { value: 'bytes' } }, 'bytes'),
    el('option', { attrs: { value: 'packets' } }, 'packets'),
    el('option', { attrs: { value: 'duration' } }, 'duration'),
  );
  const note = el('p', { id: 'flows-note', class: 'muted', attrs: { 'aria-live': 'polite' } });
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'flows-table', class: 'data-table', attrs: { 'aria-describedby': 'flows-note' } },
    el('caption', { class: 'visually-hidden' }, 'Top flows'),
    el('thead', {}, el('tr', {}, ...HEADS.map(([h, title], k) => el('th', { class: k >= 5 && k <= 9 || k === 12 ? 'num' : '', attrs: { scope: 'col', title } }, h)))),
    tbody,
  );
  const element = el(
    'div',
    { id: 'flows-tab', class: 'tab-view' },
    el('div', { class: 'tab-controls' }, el('label', { attrs: { for: 'flows-rank' } }, 'Top flows by'), rank),
    note,
    el('div', { class: 'table-scroll', attrs: { tabindex: 0, role: 'region', 'aria-label': 'Flows table' } }, table),
  );
  let result: AnalysisResult | null = null;
  let range: TimeRange = null;
  let byTuple = new Map<string, number>();

  function refresh(): void {
    const r = result;
    const c = r?.conns;
    if (!r || !c) {
      note.textContent = r?.partial ? 'Connection records arrive when the analysis finishes.' : 'No connection records in this result (connRecords off).';
      replaceChildren(tbody);
      element.dataset.matched = '0';
      return;
    }
    const by = rank.value as FlowRank;
    const { rows, matched } = topFlows(c, flowsInRange(c, range), by, FLOW_ROWS);
    element.dataset.matched = String(matched);
    note.textContent =
      `${formatInt(matched)} of ${formatInt(c.count)} flows ${range ? 'overlap the range' : 'in the capture'}` +
      `${matched > rows.length ? `; the top ${formatInt(rows.length)} by ${by}` : ''}` +
      `${r.summary.connsDropped ? ` (${formatInt(r.summary.connsDropped)} records over the limit not kept)` : ''}.`;
    replaceChildren(
      tbody,
      ...rows.map((i) => {
        const p = c.proto[i];
        const ports = p === 6 || p === 17;
        const svc = ports ? `${protoName(p).toLowerCase()}/${c.respPort[i]}` : protoName(p).toLowerCase();
        const n = byTuple.get(flowKey(c, i)) ?? 0;
        return el(
          'tr',
          { attrs: { 'data-flow': i } },
          el('td', { class: 'channel' }, `${c.names[c.orig[i]]}:${c.origPort[i]} \u2192 ${c.names[c.resp[i]]}:${c.respPort[i]}`),
          el('td', {}, protoName(p)),
          el('td', {}, svc),
          el('td', { attrs: { 'data-col': 'state' } }, CONN_STATE_NAMES[c.state[i]] ?? 'OTH'),
          el('td', { class: 'mono', attrs: { 'data-col': 'history' } }, connHistory(c, i)),
          el('td', { class: 'num' }, formatInt(c.pktsOrig[i])),
          el('td', { class: 'num' }, formatInt(c.pktsResp[i])),
          el('td', { class: 'num', attrs: { 'data-col': 'bytes-orig' } }, formatBytes(c.bytesOrig[i])),
          el('td', { class: 'num', attrs: { 'data-col': 'bytes-resp' } }, formatBytes(c.bytesResp[i])),
          el('td', { class: 'num' }, formatDurationUs(c.lastUs[i] - c.firstUs[i])),
          el('td', { class: 'time' }, formatUtcUs(c.firstUs[i])),
          el('td', { class: 'mono' }, connCommunityId(c, i) ?? '-'),
          el('td', { class: `num${n ? ' has-alerts' : ''}`, attrs: { 'data-col': 'alerts' } }, formatInt(n)),
        );
      }),
    );
  }
  rank.addEventListener('change', refresh);

  return {
    element,
    setResult(r) {
      result = r;
      byTuple = r ? alertsByFiveTuple(r) : new Map();
      refresh();
    },
    setRange(fromUs, toUs) {
      range = makeRange(fromUs, toUs);
      refresh();
    },
  };
}
