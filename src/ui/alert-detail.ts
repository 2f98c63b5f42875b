// The explanation of the selected alert: its one-line message and every number behind it — the
// fields of alertRow() (times, subject, score, episode, suppressed) and its `evidence` object
// (value, threshold, window, counts, z-score baseline, flow features, ...), flattened into
// labelled rows, plus the original row of a CSV/JSON input. Everything is rendered as text.
// Issue #5 (exports): the actions (copy a Wireshark display filter, copy the alert's JSON row,
// export its packets) and the flows involved (the connection records in the alert's scope and
// time span, src/ui/wireshark-filter.ts alertScope).
import type { AnalysisResult, ConnColumns } from '../shared/protocol';
import { alertRow, communityIdSeedOf, isoUs } from '../io/alert-rows';
import { CONN_STATE_NAMES, connCommunityId } from '../io/conn-log';
import { el, replaceChildren, type Child } from './dom';
import { formatBytes, formatDurationUs, formatInt } from './format';
import { detectorName, subjectLabel, variantName } from './alert-filter';
import { alertScope, alertWiresharkFilter, type AlertScope } from './wireshark-filter';

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

/** Renders the explanation of alert `i` of `r` as a <section id="alert-detail">; with `actions`
 *  also the action buttons (copy filter, copy JSON, export packets) and the flows involved. */
export function renderAlertDetail(r: AnalysisResult, i: number, actions?: AlertActions): HTMLElement {
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
    actions ? renderActions(r, i, actions) : null,
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
    actions ? renderFlowsInvolved(r, i) : null,
  );
}

// ---- #5 exports: actions and flows involved ----

/** What the detail's action buttons call. */
export interface AlertActions {
  /** Exports the packets of alert i as a capture, resolving with the status text; no button
   *  without it or for input that is not a pcap/pcapng capture. */
  exportPackets?(i: number): Promise<string>;
  /** Copies text to the clipboard; resolves true when it worked (copyText by default). */
  copy?(text: string): Promise<boolean>;
}

/**
 * Copies `text`: navigator.clipboard.writeText when the page may use it, else (no permission, an
 * insecure context, an old browser) a readonly <textarea> is selected and document.execCommand
 * ('copy') tried. Resolves true when either worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the textarea
  }
  const ta = el('textarea', { class: 'visually-hidden', attrs: { readonly: true, 'aria-hidden': 'true' } });
  ta.value = text;
  document.body.appendChild(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

/** The alert's JSON row (the JSONL export's line), pretty-printed with 2 spaces. */
export function alertJsonText(r: AnalysisResult, i: number): string {
  return JSON.stringify(alertRow(r, i), null, 2);
}

function renderActions(r: AnalysisResult, i: number, actions: AlertActions): HTMLElement {
  const copy = actions.copy ?? copyText;
  const status = el('span', { id: 'alert-action-status', class: 'action-status muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const filter = alertWiresharkFilter(r, i);
  const button = (id: string, label: string, run: () => Promise<string>) => {
    const b = el('button', { id, attrs: { type: 'button' } }, label);
    b.addEventListener('click', () => {
      b.disabled = true;
      run()
        .then((msg) => (status.textContent = msg))
        .catch((e) => (status.textContent = `Failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => (b.disabled = false));
    });
    return b;
  };
  const copied = (what: string) => async (text: string) => ((await copy(text)) ? `Copied ${what}.` : `Could not copy ${what}: select it below and copy it by hand.`);
  const capture = r.summary.format === 'pcap' || r.summary.format === 'pcapng';
  return el(
    'div',
    { class: 'alert-actions', attrs: { role: 'group', 'aria-label': 'Alert actions' } },
    button('copy-filter', 'Copy Wireshark filter', () => copied('the Wireshark display filter')(filter)),
    button('copy-json', 'Copy as JSON', () => copied('the alert as JSON')(alertJsonText(r, i))),
    actions.exportPackets && capture
      ? button('export-alert-packets', 'Export packets', () => actions.exportPackets!(i))
      : null,
    status,
    el(
      'details',
      { class: 'filter-text' },
      el('summary', {}, 'Wireshark display filter'),
      el('code', { id: 'wireshark-filter' }, filter),
    ),
  );
}

/** Connection records by host pair (sorted ends), originator and responder: candidates for
 *  flowsInScope() without a pass over every record. */
export interface ConnIndex {
  byPair: Map<string, number[]>;
  byOrig: Map<string, number[]>;
  byResp: Map<string, number[]>;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

/** Builds the ConnIndex of `c` (O(records)). */
export function connIndex(c: ConnColumns): ConnIndex {
  const ix: ConnIndex = { byPair: new Map(), byOrig: new Map(), byResp: new Map() };
  const add = (m: Map<string, number[]>, k: string, v: number) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (let k = 0; k < c.count; k++) {
    const o = c.names[c.orig[k]];
    const p = c.names[c.resp[k]];
    add(ix.byPair, pairKey(o, p), k);
    add(ix.byOrig, o, k);
    add(ix.byResp, p, k);
  }
  return ix;
}

/**
 * Indices of the connection records of `c` in `scope` (wireshark-filter.ts AlertScope): a pair of
 * addresses matches either orientation, `src` alone the originator, `dst` alone the responder;
 * `proto` and `ports` (each must be one of the record's ports) when given; the record's
 * [firstUs, lastUs] must overlap [fromUs, toUs]. In first-packet order; at most `limit`, with
 * the total. `index` (connIndex(c)) avoids a pass over every record.
 */
export function flowsInScope(c: ConnColumns, scope: AlertScope, limit = 50, index?: ConnIndex): { indices: number[]; total: number } {
  const out: number[] = [];
  let candidates: Iterable<number> | undefined;
  if (index) {
    if (scope.src !== undefined && scope.dst !== undefined) candidates = index.byPair.get(pairKey(scope.src, scope.dst)) ?? [];
    else if (scope.src !== undefined) candidates = index.byOrig.get(scope.src) ?? [];
    else if (scope.dst !== undefined) candidates = index.byResp.get(scope.dst) ?? [];
  }
  candidates ??= Array.from({ length: c.count }, (_, k) => k);
  for (const k of candidates) {
    if (c.lastUs[k] < scope.fromUs || c.firstUs[k] > scope.toUs) continue;
    if (scope.proto !== undefined && c.proto[k] !== scope.proto) continue;
    const o = c.names[c.orig[k]];
    const p = c.names[c.resp[k]];
    if (scope.src !== undefined && scope.dst !== undefined) {
      if (!((o === scope.src && p === scope.dst) || (o === scope.dst && p === scope.src))) continue;
    } else if (scope.src !== undefined ? o !== scope.src : scope.dst !== undefined && p !== scope.dst) continue;
    if (scope.ports && !scope.ports.every((q) => c.origPort[k] === q || c.respPort[k] === q)) continue;
    out.push(k);
  }
  out.sort((x, y) => c.firstUs[x] - c.firstUs[y] || x - y);
  return { indices: out.slice(0, limit), total: out.length };
}

const endLabel = (a: string, p: number, proto: number): string =>
  proto === 6 || proto === 17 || proto === 132 ? (a.includes(':') ? `[${a}]:${p}` : `${a}:${p}`) : a;

/** The "Flows involved" block: the records of flowsInScope() as a table (or why there is none). */
export function renderFlowsInvolved(r: AnalysisResult, i: number, limit = 20): HTMLElement {
  const c = r.conns;
  const body: Child[] = [];
  if (!c) body.push(el('p', { class: 'muted' }, 'No connection records in this result (switch on "Connection records" in the settings).'));
  else {
    const scope = alertScope(r, i);
    const { indices, total } = flowsInScope(c, scope, limit);
    const seed = communityIdSeedOf(r);
    if (total === 0) body.push(el('p', { class: 'muted' }, 'No connection record lies in this alert’s scope and time span.'));
    else {
      body.push(
        el(
          'table',
          { id: 'flows-involved-table', class: 'flows-involved' },
          el(
            'thead',
            {},
            el('tr', {}, ...['Originator', 'Responder', 'Proto', 'First (UTC)', 'Duration', 'conn_state', 'Packets', 'Bytes orig / resp', 'community_id'].map((h) => el('th', { attrs: { scope: 'col' } }, h))),
          ),
          el(
            'tbody',
            {},
            ...indices.map((k) =>
              el(
                'tr',
                { attrs: { 'data-conn': k } },
                el('td', {}, endLabel(c.names[c.orig[k]], c.origPort[k], c.proto[k])),
                el('td', {}, endLabel(c.names[c.resp[k]], c.respPort[k], c.proto[k])),
                el('td', {}, c.proto[k] === 6 ? 'tcp' : c.proto[k] === 17 ? 'udp' : c.proto[k] === 1 || c.proto[k] === 58 ? 'icmp' : String(c.proto[k])),
                el('td', {}, el('time', {}, isoUs(c.firstUs[k]))),
                el('td', { class: 'num' }, formatDurationUs(c.lastUs[k] - c.firstUs[k])),
                el('td', { attrs: { 'data-field': 'conn_state' } }, CONN_STATE_NAMES[c.state[k]] ?? 'OTH'),
                el('td', { class: 'num' }, `${formatInt(c.pktsOrig[k])} / ${formatInt(c.pktsResp[k])}`),
                el('td', { class: 'num' }, `${formatBytes(c.bytesOrig[k])} / ${formatBytes(c.bytesResp[k])}`),
                el('td', { class: 'cid', attrs: { 'data-field': 'community_id' } }, connCommunityId(c, k, seed) ?? '—'),
              ),
            ),
          ),
        ),
      );
      if (total > indices.length) body.push(el('p', { class: 'muted' }, `${formatInt(indices.length)} of ${formatInt(total)} flows shown (the first by time).`));
    }
  }
  // Focusable: it scrolls sideways when the table is wider than the panel (keyboard users can scroll it).
  const box = el('section', { id: 'flows-involved', class: 'flows-involved-box', attrs: { 'aria-labelledby': 'flows-involved-title', tabindex: 0 } }, el('h4', { id: 'flows-involved-title' }, 'Flows involved'));
  replaceChildren(box, box.firstChild as Node, ...body);
  return box;
}
// ---- #5 exports: end ----
