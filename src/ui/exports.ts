// "Exports other tools read" on the page (issue #5): the export panel and the text builders behind
// it. Alerts as JSON Lines, CSV and Suricata EVE JSON lines; flows (connection records) as a
// Zeek-style conn.log and as CSV; packets as a capture cut from the original file by the worker
// (FlowlensWorkerApi.cutPackets). Text files are built here from the result, with the SAME
// functions and in the same order as `flowlens analyze --format jsonl|csv|eve|conn|conn-csv`
// (src/cli/main.ts writeOutput), so the page's file and the CLI's stdout are byte for byte equal
// for the same result (test/ui/exports.test.ts); community_id uses the result's
// options.communityIdSeed in both. Downloads go through a Blob URL and <a download>.
import type { AnalysisResult } from '../shared/protocol';
import { alertIndices, alertRow, communityIdSeedOf, csvColumns, rowFieldNames, toCsvHeader, toCsvRow, toJsonlRow } from '../io/alert-rows';
import { eveLine } from '../io/eve';
import { forEachConnCsvLine, forEachConnLogLine } from '../io/conn-log';
import type { CutPackets, CutPacketsRequest, FlowKey } from '../worker/api';
import { el, replaceChildren } from './dom';
import { formatInt } from './format';
import { alertScope } from './wireshark-filter';
import { connIndex, flowsInScope } from './alert-detail';
import { MAX_FLOW_CUT_PACKETS } from '../worker/packet-cut';

/**
 * The flagged flows of `result`: the connection records in the scope of any (printed) alert that
 * names at least one host (src/ui/wireshark-filter.ts alertScope and alert-detail.ts flowsInScope:
 * the alert's flow, the host pair's flows, a scanner's or a victim's flows within the alert's time
 * span). Alerts about all traffic (SPIKE global, PROTOSHIFT, SYNFLOOD spread) flag no flow.
 * Record indices into result.conns, sorted; empty without connection records.
 */
export function flaggedFlowRecords(result: AnalysisResult, includeSuppressed = false): number[] {
  const c = result.conns;
  if (!c) return [];
  const set = new Set<number>();
  const index = connIndex(c);
  for (const i of alertIndices(result, includeSuppressed)) {
    const scope = alertScope(result, i);
    if (scope.src === undefined && scope.dst === undefined) continue;
    for (const k of flowsInScope(c, scope, Infinity, index).indices) set.add(k);
  }
  return [...set].sort((a, b) => a - b);
}

/** Connection records as the worker's FlowKeys (ends, protocol, ports, first/last packet time). */
export function flowKeys(result: AnalysisResult, records: readonly number[]): FlowKey[] {
  const c = result.conns;
  if (!c) return [];
  return records.map((k) => ({
    src: c.names[c.orig[k]],
    dst: c.names[c.resp[k]],
    proto: c.proto[k],
    sport: c.origPort[k],
    dport: c.respPort[k],
    fromUs: c.firstUs[k],
    toUs: c.lastUs[k],
  }));
}

/** The text exports, by the CLI format each equals. */
export const TEXT_EXPORTS = {
  'alerts-jsonl': { format: 'jsonl', suffix: '-alerts.jsonl', mime: 'application/x-ndjson', label: 'Alerts · JSONL' },
  'alerts-csv': { format: 'csv', suffix: '-alerts.csv', mime: 'text/csv', label: 'Alerts · CSV' },
  'alerts-eve': { format: 'eve', suffix: '-eve.json', mime: 'application/x-ndjson', label: 'Alerts · Suricata EVE' },
  'flows-conn': { format: 'conn', suffix: '-conn.log', mime: 'text/plain', label: 'Flows · Zeek conn.log' },
  'flows-csv': { format: 'conn-csv', suffix: '-conn.csv', mime: 'text/csv', label: 'Flows · CSV' },
} as const;

export type TextExportKind = keyof typeof TEXT_EXPORTS;

/** A file to download. */
export interface ExportFile {
  fileName: string;
  mime: string;
  text: string;
}

/** The input's name without a .gz and a capture/data extension ("a.pcap.gz" → "a"), safe as a
 *  file name (path separators and control characters replaced). */
export function baseName(fileName: string): string {
  const b = fileName.replace(/\.gz$/i, '').replace(/\.(pcapng|pcap|cap|csv|jsonl|json|ndjson|txt|log)$/i, '');
  // eslint-disable-next-line no-control-regex
  return b.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_') || 'flowlens';
}

/**
 * The text of export `kind` for `result`: exactly what `flowlens analyze FILE --format F` writes to
 * stdout for the same result (F = TEXT_EXPORTS[kind].format; `includeSuppressed` =
 * --include-suppressed), every line ending in "\n". Flows: empty when the result has no
 * connection records (connRecords off), as the CLI's.
 */
export function exportText(result: AnalysisResult, kind: TextExportKind, includeSuppressed = false): string {
  const lines: string[] = [];
  const emit = (l: string) => lines.push(l);
  const format = TEXT_EXPORTS[kind].format;
  if (format === 'conn' || format === 'conn-csv') {
    if (result.conns) (format === 'conn' ? forEachConnLogLine : forEachConnCsvLine)(result.conns, emit, communityIdSeedOf(result));
  } else {
    const indices = alertIndices(result, includeSuppressed);
    if (format === 'csv') {
      const columns = csvColumns(rowFieldNames(result));
      emit(toCsvHeader(columns));
      for (const i of indices) emit(toCsvRow(alertRow(result, i), columns));
    } else if (format === 'eve') for (const i of indices) emit(eveLine(result, i));
    else for (const i of indices) emit(toJsonlRow(alertRow(result, i)));
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}

/** Export `kind` of `result` as a file named after the input ("x.pcap" → "x-alerts.jsonl"). */
export function buildExport(result: AnalysisResult, kind: TextExportKind, includeSuppressed = false): ExportFile {
  const e = TEXT_EXPORTS[kind];
  return { fileName: baseName(result.summary.fileName) + e.suffix, mime: e.mime, text: exportText(result, kind, includeSuppressed) };
}

/** The file name of a packet cut: "x-alert-12.pcap", "x-selected-3.pcapng", "x-evidence.pcap". */
export function cutFileName(sourceName: string, what: string, format: 'pcap' | 'pcapng'): string {
  return `${baseName(sourceName)}-${what}.${format}`;
}

/** Starts a download of `data` as `fileName` (Blob URL + <a download>; the URL is revoked after a
 *  minute). */
export function downloadBlob(fileName: string, data: string | Uint8Array, mime: string): void {
  const url = URL.createObjectURL(new Blob([data as BlobPart], { type: mime }));
  const a = el('a', { attrs: { href: url, download: fileName, hidden: true } });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** MIME of a cut capture. */
export const CAPTURE_MIME = 'application/vnd.tcpdump.pcap';

/** What the export panel needs from the page. */
export interface ExportDeps {
  /** The shown result, or null. */
  result(): AnalysisResult | null;
  /** Indices of the ticked alerts (the alerts table's checked()). */
  checked(): number[];
  /** The worker's cutPackets (re-reads the last analysed file). */
  cutPackets(request: CutPacketsRequest): Promise<CutPackets>;
  /** Downloads a file (downloadBlob by default; tests may replace it). */
  download?(fileName: string, data: string | Uint8Array, mime: string): void;
  /** False when the shown result is not the worker's last analysis (e.g. a session reopened
   *  from history, without its file): the packet buttons are disabled. Default: true. */
  canCut?(): boolean;
  /** Opens the printable report (src/ui/report.ts); the button is left out without it. */
  print?(): void;
}

/** The export panel: element, and update() to call when the result or the ticked alerts change;
 *  cutAlert() exports one alert's packets (the alert detail's action). */
export interface ExportPanel {
  element: HTMLElement;
  update(): void;
  /** Cuts and downloads alert i's packets; resolves with the status text ("Saved … (N packets).")
   *  and rejects with the error. */
  cutAlert(i: number): Promise<string>;
}

/**
 * Builds the export panel (<section id="exports">): buttons for each text export
 * (#export-alerts-jsonl, -alerts-csv, -alerts-eve, -flows-conn, -flows-csv), the packet cuts
 * (#export-pcap-selected: the ticked alerts; #export-pcap-flows: every packet of the flagged
 * flows, flaggedFlowRecords(); #export-pcap-evidence: the evidence packets of every alert, the
 * CLI's --pcap-out), the "include suppressed alerts" box (#export-suppressed) and a
 * status line (#export-status, role=status: "Saved x-alerts.jsonl (12 alerts)" or the error).
 * Every control is a native button or checkbox (keyboard usable, labelled).
 */
export function createExportPanel(deps: ExportDeps): ExportPanel {
  const download = deps.download ?? downloadBlob;
  const status = el('p', { id: 'export-status', class: 'export-status muted', attrs: { role: 'status', 'aria-live': 'polite' } });
  const suppressed = el('input', { id: 'export-suppressed', attrs: { type: 'checkbox' } });
  suppressed.addEventListener('change', () => update());
  const textButtons = (Object.keys(TEXT_EXPORTS) as TextExportKind[]).map((kind) => {
    const b = el('button', { id: `export-${kind}`, attrs: { type: 'button' } }, TEXT_EXPORTS[kind].label.split(' · ')[1]);
    b.addEventListener('click', () => exportTextFile(kind));
    return [kind, b] as const;
  });
  const byKind = new Map(textButtons);
  const selectedButton = el('button', { id: 'export-pcap-selected', attrs: { type: 'button' } }, 'Ticked alerts');
  const evidenceButton = el('button', { id: 'export-pcap-evidence', attrs: { type: 'button' } }, 'Evidence packets of all alerts');
  const flowsButton = el('button', { id: 'export-pcap-flows', attrs: { type: 'button' } }, 'All flagged flows');
  const printButton = deps.print ? el('button', { id: 'print-report', attrs: { type: 'button' } }, 'Print report') : null;
  selectedButton.addEventListener('click', () => void cut({ alerts: ticked() }, `selected-${ticked().length}`).catch(() => undefined));
  flowsButton.addEventListener('click', () => {
    const r = deps.result();
    if (!r) return;
    const flows = flowKeys(r, flaggedFlowRecords(r, suppressed.checked));
    void cut({ flows }, 'flagged-flows').catch(() => undefined);
  });
  evidenceButton.addEventListener('click', () => void cut({ allAlerts: true, includeSuppressed: suppressed.checked }, 'evidence').catch(() => undefined));
  printButton?.addEventListener('click', () => deps.print?.());

  const group = (title: string, help: string, ...buttons: HTMLElement[]) =>
    el('div', { class: 'export-group', attrs: { role: 'group', 'aria-label': title } }, el('h3', {}, title), el('div', { class: 'export-buttons' }, ...buttons), el('p', { class: 'muted small' }, help));
  const element = el(
    'section',
    { id: 'exports', class: 'panel exports', attrs: { 'aria-labelledby': 'exports-title', hidden: true } },
    el('h2', { id: 'exports-title' }, 'Export'),
    el(
      'div',
      { class: 'export-grid' },
      group('Alerts', 'One alert per line (JSONL, EVE) or row (CSV), each with its community_id.', byKind.get('alerts-jsonl')!, byKind.get('alerts-csv')!, byKind.get('alerts-eve')!),
      group('Flows', 'One connection record per flow, Zeek conn.log columns and community_id.', byKind.get('flows-conn')!, byKind.get('flows-csv')!),
      group(
        'Packets',
        'A capture cut from the original file (same format, original records and timestamps). Flagged flows: every packet, both directions, of each flow in an alert’s scope and time span (not alerts about all traffic). Evidence packets: every packet a detector flagged and the first evidence packet of every alert (as flowlens analyze --pcap-out).',
        selectedButton,
        flowsButton,
        evidenceButton,
      ),
    ),
    el('label', { class: 'check' }, suppressed, ' Include alerts suppressed by the rate limiter'),
    printButton ? el('div', { class: 'export-print' }, printButton) : null,
    status,
  );

  function ticked(): number[] {
    const r = deps.result();
    if (!r) return [];
    return [...new Set(deps.checked())].filter((i) => Number.isInteger(i) && i >= 0 && i < r.alerts.count).sort((a, b) => a - b);
  }

  function say(text: string, failed = false): void {
    status.textContent = text;
    status.classList.toggle('error', failed);
  }

  function exportTextFile(kind: TextExportKind): void {
    const r = deps.result();
    if (!r) return;
    const f = buildExport(r, kind, suppressed.checked);
    download(f.fileName, f.text, f.mime);
    const n = kind.startsWith('alerts') ? alertIndices(r, suppressed.checked).length : r.conns?.count ?? 0;
    say(`Saved ${f.fileName} (${formatInt(n)} ${kind.startsWith('alerts') ? 'alerts' : 'flows'}).`);
  }

  let busy = false;
  async function cut(request: CutPacketsRequest, what: string): Promise<string> {
    const r = deps.result();
    if (!r) throw new Error('no result');
    if (busy) throw new Error('a cut is running');
    if ('alerts' in request && request.alerts.length === 0) {
      say('Tick one or more alerts in the table first.', true);
      throw new Error('no alert ticked');
    }
    busy = true;
    update();
    say('Cutting packets from the original file…');
    try {
      const c = await deps.cutPackets(request);
      const name = cutFileName(r.summary.fileName, what, c.format);
      download(name, c.bytes, CAPTURE_MIME);
      const msg = `Saved ${name} (${formatInt(c.records)} packets).`;
      say(msg);
      return msg;
    } catch (e) {
      say(`The packets could not be cut: ${e instanceof Error ? e.message : String(e)}`, true);
      throw e;
    } finally {
      busy = false;
      update();
    }
  }

  let flaggedCache: { r: AnalysisResult; suppressed: boolean; n: number } | null = null;
  function flaggedCount(r: AnalysisResult, sup: boolean): number {
    if (flaggedCache?.r !== r || flaggedCache.suppressed !== sup) flaggedCache = { r, suppressed: sup, n: flaggedFlowRecords(r, sup).length };
    return flaggedCache.n;
  }

  function update(): void {
    const r = deps.result();
    element.hidden = !r;
    if (!r) return;
    const capture = r.summary.format === 'pcap' || r.summary.format === 'pcapng';
    const hasAlerts = r.alerts.count > 0;
    for (const [kind, b] of byKind) {
      const flows = kind.startsWith('flows');
      b.disabled = flows ? !r.conns : false;
      b.title = flows && !r.conns ? 'No connection records: switch on "Connection records" in the settings and analyse again.' : '';
    }
    const n = ticked().length;
    replaceChildren(selectedButton, `Ticked alerts (${formatInt(n)})`);
    const noFile = deps.canCut ? !deps.canCut() : false;
    const why = !capture
      ? 'Only pcap and pcapng captures can be cut.'
      : noFile
        ? 'Packets are cut from the original file: analyse it again to cut packets.'
        : r.partial
          ? 'Wait for the analysis to finish.'
          : '';
    selectedButton.disabled = busy || why !== '' || n === 0;
    evidenceButton.disabled = busy || why !== '' || !hasAlerts;
    const flagged = r.conns && hasAlerts && capture ? flaggedCount(r, suppressed.checked) : 0;
    replaceChildren(flowsButton, `All flagged flows (${formatInt(flagged)})`);
    const tooBig = r.summary.packetsDecoded > MAX_FLOW_CUT_PACKETS;
    flowsButton.disabled = busy || why !== '' || flagged === 0 || tooBig;
    flowsButton.title =
      why ||
      (!r.conns ? 'No connection records: switch on "Connection records" in the settings and analyse again.' : tooBig ? `More than ${formatInt(MAX_FLOW_CUT_PACKETS)} packets: too many to mark in the browser.` : flagged === 0 ? 'No alert names a flow.' : '');
    selectedButton.title = why || (n === 0 ? 'Tick alerts in the table first.' : '');
    evidenceButton.title = why || (!hasAlerts ? 'No alerts.' : '');
  }

  return {
    element,
    update,
    cutAlert: (i: number) => cut({ alerts: [i] }, `alert-${i + 1}`),
  };
}
