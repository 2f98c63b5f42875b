// The page controller: wires the input area, settings, progress, problems, summary, alerts table,
// the selected alert's explanation and its chart, and the baseline manager to the worker API. Owns
// the page state (the current file and result, the selected alert; the applied baseline is the
// manager's). Never touches file bytes or WASM memory: the worker does (ARCHITECTURE §1). An
// analysis starts only with valid settings (SettingsPanel.read).
import * as Comlink from 'comlink';
import type { FlowlensWorkerApi } from '../worker/api';
import type { AnalysisResult, AnalyzeExtras } from '../shared/protocol';
import { openBaselineStore } from '../store/baseline-store';
import { createBaselineManager, downloadText, type ManagerStore } from './baseline-manager';
import * as abi from '../shared/abi';
import { el, replaceChildren } from './dom';
import { createDropZone } from './drop-zone';
import { createSettings, type SettingsPanel } from './settings';
import { createProgress } from './progress';
import { renderFailure, renderProblems } from './problems';
import { renderSummary } from './summary';
import { createAlertTable } from './alert-table';
import { createChart } from './chart';
import { renderProfileDetail } from './profile-detail';
import { renderAlertDetail } from './alert-detail';
import { channelLabels, detectorName, subjectLabel, variantName } from './alert-filter';
import { seriesOrigin } from './series';
import { channelLabel, formatInt } from './format';
// #5 sessions:
import { createSessions } from './history';
import { openSessionStore, type SessionStore } from '../store/session-store';
// #5 exports: export panel, alert actions, printable report
import { createExportPanel, downloadBlob } from './exports';
import { createReport } from './report';
// #5 overview: the overview, timeline and tabs (src/ui/workbench.ts).
import { createWorkbench } from './workbench';
// #5 flow: the queue of files, partial results, cancel keeping results.
import { createAnalysisFlow, type FlowDisplay, type Prepared } from './analysis-flow';
import { createQueuePanel } from './queue-panel';
import { resultNoteText, type ResultKind } from './queue';

/** What a LATENCY variant measures, for the chart's subtitle. */
function latencyMetric(variant: number): string {
  if (variant === abi.LATENCY_SERVER) return 'SYN \u2192 SYN/ACK';
  if (variant === abi.LATENCY_CLIENT) return 'SYN/ACK \u2192 ACK';
  return 'request \u2192 response';
}

/** Points requested for the chart of one channel or one detector series. */
export const SERIES_MAX_POINTS = 50_000;

/** Where the sample capture lives, relative to the page (public/, see public/SAMPLE.md). */
export const SAMPLE_URL = 'sample/zeek_ssh_sshguess.pcap';

/** The worker API as the page holds it: a Comlink remote, or anything with the same shape. */
export type RemoteApi = Comlink.Remote<FlowlensWorkerApi> | FlowlensWorkerApi;

/**
 * Builds the page inside `root` and drives `api`. Exposes nothing; the page's state is observable
 * only through the DOM (ids: drop-zone, file-input, sample-button, settings, baselines (and the
 * baseline-* ids of src/ui/baseline-manager.ts), progress, problems, summary, detector-summary,
 * alerts, alert-table, explore, alert-detail, chart) and `document.body.dataset.state` (idle |
 * running | done | failed; running until the queue of files drains), #queue (the files), #result-note
 * and root data-result (partial | cancelled | final). `settings` and the baseline store's opener may be given (tests).
 */
export function createApp(
  root: HTMLElement,
  api: RemoteApi,
  settings: SettingsPanel = createSettings(),
  openStore: () => Promise<ManagerStore> = openBaselineStore,
  openSessions: () => Promise<SessionStore> = openSessionStore,
): { showFailure(title: string, message: string): void } {
  const status = el('p', { id: 'status', class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  const problemsSlot = el('div', { id: 'problems-slot' });
  const summarySlot = el('div', { id: 'summary-slot' });
  // #5 flow: files are queued and analysed one after another (src/ui/analysis-flow.ts).
  const progress = createProgress(() => flow.cancelRunning());
  const queuePanel = createQueuePanel({ onView: (id) => flow.view(id), onRemove: (id) => flow.remove(id), onCancel: () => flow.cancelRunning() });
  const resultNote = el('p', { id: 'result-note', class: 'result-note', attrs: { hidden: true } });
  const tableNote = el('p', { id: 'alerts-so-far', class: 'result-note', attrs: { hidden: true } });
  const drop = createDropZone({ onFiles: (fs) => flow.enqueue(fs), onSample: () => void runSample() });
  const table = createAlertTable((i) => void selectAlert(i, true));
  const chart = createChart();
  const baselines = createBaselineManager({
    openStore,
    checkBaseline: (text) => api.checkBaseline(text),
    learn: () => learn(),
    rerun: () => {
      if (currentFile) void flow.analyze(currentFile);
    },
    download: downloadText,
  });
  // #5 sessions: every analysis saved (history panel), reopened without the file, triage per alert.
  const sessions = createSessions({
    openStore: openSessions,
    hash: (f) => api.fileSha256(f),
    // #5 flow: re-read the file of the shown result (several files may have been analysed).
    channelSeries: (key, max) => api.channelSeries(key, max, shownTarget()),
    detectorSeries: (i, max) => api.detectorSeries(i, max, shownTarget()),
    show: (r, s) => {
      currentFile = null; // a reopened session has no file: learning and re-running are off
      baselines.setFile(null);
      resultBaseline = s.meta.baselineName;
      show(r);
    },
    download: downloadText,
  });
  // #5 exports: the export panel (text exports, packet cuts in the worker) and the print report.
  const report = createReport();
  const exportPanel = createExportPanel({
    result: () => result,
    checked: () => table.checked(),
    cutPackets: (request) => api.cutPackets(request, shownTarget()),
    // A session reopened from history has no file in the worker to cut from.
    canCut: () => currentFile !== null,
    download: downloadBlob,
    print: () => {
      if (result) report.print(result);
    },
  });
  table.onCheckedChange(() => exportPanel.update());
  // #5 exports: end
  // #5 overview: overview + timeline above the Alerts / Flows / Hosts / Protocols tabs; the alerts
  // table lives in the Alerts tab. A range on the timeline filters the table (its time chip; removing
  // the chip clears the timeline's range); a host's button puts its address in the table's address
  // filter (an exact address match on either end of the subject).
  const workbench = createWorkbench({
    alerts: table.element,
    onRange: (fromUs, toUs) => table.setTimeRange(fromUs, toUs),
    onHost: (address) => {
      const input = table.element.querySelector<HTMLInputElement>('#alert-address');
      if (!input) return;
      input.value = address;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.focus();
    },
  });
  table.onTimeRangeChange((fromUs, toUs) => {
    if (fromUs === null && toUs === null) workbench.clearRange();
  });
  // #5 sessions: the table's Triage column and filter read the shown session's triage states.
  table.setTriage(sessions.triageLookup);
  sessions.triage.onChange(() => table.refreshTriage());
  const detailSlot = el('div', { class: 'detail-slot' });
  const explore = el(
    'section',
    { id: 'explore', class: 'panel explore', attrs: { hidden: true, 'aria-labelledby': 'explore-title' } },
    el('h2', { id: 'explore-title' }, 'Selected alert'),
    el('div', { class: 'explore-grid' }, detailSlot, chart.element),
  );
  replaceChildren(
    root,
    el('section', { class: 'input-row' }, drop.element),
    settings.element,
    baselines.element,
    sessions.element, // #5 sessions
    progress.element,
    queuePanel.element,
    status,
    sessions.banner, // #5 sessions
    problemsSlot,
    resultNote,
    tableNote,
    workbench.element, // #5 overview: overview, timeline, tabs (the alerts table is in its Alerts tab)
    exportPanel.element, // #5 exports
    explore,
    summarySlot, // #5 overview: the detailed summary, below the first glance
  );
  root.prepend(report.element); // #5 exports: print-only report, first on the printed page
  setState('idle');
  settings.onValidity((problems) => {
    drop.setBlocked(
      problems.length ? `Analysis blocked: ${problems.length === 1 ? 'a setting is' : `${problems.length} settings are`} invalid.` : null,
      () => settings.revealProblems(),
    );
  });

  let result: AnalysisResult | null = null;
  /** The file of the displayed result (learning and re-running use it) and the applied baseline's
   *  name in its result (null: none). */
  let currentFile: File | null = null;
  let resultBaseline: string | null = null;
  let selected = -1;
  /** The file whose result `selected` indexes (an alert picked while a file is read stays picked in
   *  its later snapshots and its final result: their alerts extend the earlier ones, same indices). */
  let selectedFile: File | null = null;
  /** The page state once the queue has drained (the displayed result's). */
  let restState: 'idle' | 'done' | 'failed' = 'idle';

  function setState(s: 'idle' | 'running' | 'done' | 'failed'): void {
    document.body.dataset.state = s;
  }

  function showFailure(title: string, message: string): void {
    replaceChildren(problemsSlot, renderFailure(title, message));
    status.textContent = `${title}: ${message}`;
    restState = 'failed';
    if (document.body.dataset.state !== 'running') setState('failed');
  }

  /** Re-analyses the current file learning a baseline (AnalyzeExtras.learn): its JSON text. */
  async function learn(): Promise<{ text: string; fileName: string }> {
    const file = currentFile;
    if (!file) throw new Error('analyse a capture first');
    const r = await flow.analyze(file, { learn: true });
    if (!r) throw new Error(`the analysis of ${file.name} did not finish`);
    if (!r.ok || r.cancelled) throw new Error(`the analysis of ${file.name} did not complete${r.error ? `: ${r.error.message}` : ''}`);
    if (typeof r.learnedBaseline !== 'string') throw new Error('the analysis worker returned no baseline');
    return { text: r.learnedBaseline, fileName: file.name };
  }

  // #5 flow: what one analysis needs (valid settings, the applied baseline unless learning).
  async function prepare(file: File, learnMode: boolean): Promise<Prepared> {
    await settings.ready;
    const read = settings.read();
    if (!read.ok) {
      const first = read.problems[0];
      settings.revealProblems();
      return {
        ok: false,
        title: 'The settings are invalid',
        message: `Fix ${read.problems.length === 1 ? 'this setting' : `these ${read.problems.length} settings`} before analysing ${file.name}: ${first.where}: ${first.message}${read.problems.length > 1 ? '; …' : ''}`,
      };
    }
    // The applied baseline (not when learning one): read before the analysis starts, so that a
    // baseline deleted meanwhile stops it with a message instead of analysing without it.
    let extras: AnalyzeExtras | undefined = learnMode ? { learn: true } : undefined;
    let applied: string | null = null;
    if (!learnMode) {
      try {
        const b = await baselines.appliedJson();
        if (b) {
          extras = { baselineJson: b.text };
          applied = b.name;
        }
      } catch (e) {
        return { ok: false, title: 'The applied baseline could not be read', message: e instanceof Error ? e.message : String(e) };
      }
    }
    // #5 sessions: the file of the reopened session shown is analysed with its hash seed (same
    // alerts in the same order: the session carries on, see sessions.analysed).
    const seed = sessions.seedFor(file);
    return { ok: true, options: seed === undefined ? read.options : { ...read.options, seed }, extras, applied };
  }

  // #5 flow: the flow asks the page to display a result (partial, cancelled or final), a file
  // being read (nothing yet) or a failure.
  const flow = createAnalysisFlow({
    api,
    prepare,
    progress,
    panel: queuePanel,
    busy(b) {
      drop.setBusy(b);
      baselines.setBusy(b);
      setState(b ? 'running' : restState);
    },
    display(d: FlowDisplay) {
      currentFile = d.file;
      baselines.setFile(d.file.name);
      if (d.what === 'result') {
        resultBaseline = d.applied;
        show(d.result, d.kind, d.fraction);
        // #5 sessions: a finished or cancelled result is saved after it is shown (once; showing it
        // again from the queue makes its session the current one again).
        if (d.kind !== 'partial') void sessions.analysed(d.file, d.result, d.applied);
      } else if (d.what === 'reading') {
        workbench.clearRange(); // #5 overview: a new file starts without a range
        clearResult();
        status.textContent = `Analysing ${d.file.name}…`;
      } else {
        clearResult();
        showFailure(d.title, d.message);
      }
    },
  });

  /** The file of the last result shown and whether it was a partial one (#5 flow). */
  let lastShown: { file: File | null; partial: boolean } = { file: null, partial: false };

  /** The worker's id of the shown result's file (#5 flow), undefined for none. */
  function shownTarget(): number | undefined {
    return result ? flow.targetOf(result) : undefined;
  }

  /** Empties the result area (a file starts and nothing of it is known yet). */
  function clearResult(): void {
    result = null;
    selected = -1;
    replaceChildren(problemsSlot);
    replaceChildren(summarySlot);
    resultNote.hidden = true;
    tableNote.hidden = true;
    delete root.dataset.result;
    table.setResult(null);
    workbench.setResult(null); // #5 overview
    exportPanel.update(); // #5 exports
    explore.hidden = true;
  }

  async function runSample(): Promise<void> {
    try {
      const res = await fetch(new URL(SAMPLE_URL, document.baseURI));
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${SAMPLE_URL}`);
      const blob = await res.blob();
      const name = SAMPLE_URL.slice(SAMPLE_URL.lastIndexOf('/') + 1);
      flow.enqueue([new File([blob], name, { type: 'application/vnd.tcpdump.pcap' })]);
    } catch (e) {
      showFailure('The sample could not be loaded', e instanceof Error ? e.message : String(e));
    }
  }

  /** Displays a result. `kind` (#5 flow): 'partial' while the file is read (labelled "so far",
   *  never auto-selects or scrolls), 'cancelled' (the result so far, labelled where it stopped) or
   *  'final'; `fraction` = bytes read / size. A result that follows a partial one of the same file
   *  keeps the table's filters, sort, ticks, scroll and focused row, and the alert picked while
   *  the file was read (else the final result opens its first alert). */
  function show(r: AnalysisResult, kind: ResultKind = 'final', fraction = 1): void {
    const partial = kind === 'partial';
    // #5 flow: a newer snapshot (partial, cancelled or final) of the file whose snapshot is shown
    // keeps the user's place: the focused row, the table's scroll and the alert picked.
    const continuing = lastShown.partial && lastShown.file === currentFile && currentFile !== null;
    const picked = continuing && selectedFile === currentFile && selected >= 0 && selected < r.alerts.count ? selected : -1;
    const focusedRow = continuing && document.activeElement instanceof HTMLElement ? document.activeElement.closest<HTMLElement>('#alerts [data-alert]')?.dataset.alert : undefined;
    const scroller = continuing ? table.element.querySelector<HTMLElement>('.table-scroll') : null;
    const scrollTop = scroller?.scrollTop ?? 0;
    result = r;
    if (!partial || picked < 0) selected = -1;
    const problems = renderProblems(r);
    replaceChildren(problemsSlot, problems);
    replaceChildren(summarySlot, renderSummary(r, resultBaseline !== null ? { name: resultBaseline, summary: r.baseline } : undefined));
    // #5 flow: a newer snapshot of the same file's analysis keeps the table's filters, sort and ticks.
    table.setResult(r, { keepView: continuing });
    if (picked >= 0) table.setSelected(picked);
    lastShown = { file: currentFile, partial };
    exportPanel.update(); // #5 exports
    workbench.setResult(r); // #5 overview (also the figures so far of a partial result)
    // #5 flow: "so far" / "cancelled at" notes above the summary and the table.
    const note = resultNoteText(kind, fraction);
    for (const n of [resultNote, tableNote]) {
      n.textContent = note;
      n.hidden = note === '';
      n.dataset.kind = kind;
    }
    root.dataset.result = kind;
    if (scroller && scrollTop > 0) scroller.scrollTop = scrollTop; // (setting it forces a layout)
    if (focusedRow !== undefined) table.element.querySelector<HTMLElement>(`[data-alert="${focusedRow}"]`)?.focus({ preventScroll: true });
    if (partial) return; // no auto-selection, no status announcement (the progress panel speaks)
    explore.hidden = r.alerts.count === 0;
    status.textContent =
      `${r.cancelled ? `${note}:` : r.ok ? 'Analysed' : 'Stopped by an error in'} ${r.summary.fileName}: ` +
      `${formatInt(r.summary.packetsDecoded)} packets, ${formatInt(r.summary.alerts)} alerts.`;
    restState = r.ok || r.cancelled ? 'done' : 'failed';
    if (document.body.dataset.state !== 'running') setState(restState);
    // The alert picked while the file was read (its detail and chart now from the whole file), else
    // the first one.
    const first = picked >= 0 ? picked : table.first();
    if (first >= 0) void selectAlert(first, false);
    else {
      replaceChildren(detailSlot);
      chart.message(r.alerts.count ? 'Every alert is suppressed; show them in the table to chart one.' : 'No alerts.');
    }
  }

  /** Shows alert i: its explanation, then its chart (ZSCORE: the channel; PORTSCAN, SYNFLOOD,
   *  SPIKE, LATENCY, PROTOSHIFT: the detector's series; others: none). `fromTable`: bring the
   *  explanation into view. */
  async function selectAlert(i: number, fromTable: boolean): Promise<void> {
    const r = result;
    if (!r || i < 0 || i >= r.alerts.count) return;
    selected = i;
    selectedFile = currentFile;
    table.setSelected(i);
    explore.hidden = false;
    // #5 exports: actions (packets only while the worker holds this result's file); #5 sessions: triage
    replaceChildren(
      detailSlot,
      renderAlertDetail(r, i, currentFile ? { exportPackets: (k) => exportPanel.cutAlert(k) } : {}),
      sessions.triageBlock(i),
    );
    if (fromTable) {
      const box = explore.getBoundingClientRect();
      if (box.top < 0 || box.top > window.innerHeight) explore.scrollIntoView({ block: 'start', behavior: 'smooth' });
    }
    const a = r.alerts;
    const det = a.detector[i];
    const subject = subjectLabel(r, i, channelLabels(r));
    // #5 flow: a snapshot has no file to re-read yet; the series come from the file of the result.
    if (r.partial) {
      chart.message('The evidence chart is drawn once the whole file is read.', subject);
      explore.dataset.chart = 'partial';
      return;
    }
    explore.dataset.chart = 'loading';
    try {
      if (det === abi.DET_ZSCORE) {
        const ch = a.channel[i];
        const info = r.channels[ch];
        if (!info) throw new Error(`alert ${i} names no channel`);
        const label = channelLabel(info.src, info.dst, info.proto);
        chart.message(`Loading ${label}…`, label);
        // A copy of the key: Comlink may transfer or clone; the result's own key stays intact.
        const series = await sessions.channelSeries(i, info.key.slice(), SERIES_MAX_POINTS); // #5 sessions: stored or live (of the result's file)
        if (result !== r || selected !== i) return;
        // x starts at the channel's first packet: captures can span years (small numbers read better).
        const origin = seriesOrigin(series.tsUs, Number.isFinite(r.summary.tsFirstUs) ? r.summary.tsFirstUs : 0);
        let flagged = 0;
        for (let k = 0; k < a.count; k++) if (a.channel[k] === ch && a.detector[k] === abi.DET_ZSCORE) flagged++;
        chart.show({ label, alerts: flagged }, series, r.options.zscore.threshold, origin);
      } else if (det === abi.DET_PORTSCAN || det === abi.DET_SYNFLOOD) {
        chart.message(`Loading the evidence of ${subject}…`, subject);
        const series = await sessions.detectorSeries(i, SERIES_MAX_POINTS); // #5 sessions: stored or live (of the result's file)
        if (result !== r || selected !== i) return;
        const origin = seriesOrigin(series.tsUs, a.tsUs[i]);
        if (series.tsUs.length === 0) {
          chart.message('The detector reported no evidence points for this alert.', subject);
        } else if (det === abi.DET_PORTSCAN) {
          const what = a.variant[i] === abi.PORTSCAN_HOSTS ? 'distinct hosts' : 'distinct ports';
          chart.showPortscan(`${detectorName(det)} (${variantName(det, a.variant[i])}): ${subject}`, series, what, origin);
        } else {
          const ch = r.channels[a.channel[i]];
          const victim = a.variant[i] === abi.SYNFLOOD_SPREAD ? 'to all destinations' : `to ${ch?.dst ?? 'the victim'}`;
          chart.showSynflood(`${detectorName(det)} (${variantName(det, a.variant[i])}): ${subject}`, series, victim, origin);
        }
      } else if (det === abi.DET_SPIKE || det === abi.DET_LATENCY || det === abi.DET_PROTOSHIFT) {
        chart.message(`Loading the evidence of ${subject}…`, subject);
        const series = await sessions.detectorSeries(i, SERIES_MAX_POINTS); // #5 sessions: stored or live (of the result's file)
        if (result !== r || selected !== i) return;
        const origin = seriesOrigin(series.tsUs, a.tsUs[i]);
        const title = `${detectorName(det)} (${variantName(det, a.variant[i])}): ${subject}`;
        if (series.tsUs.length === 0) {
          chart.message('The detector reported no evidence points for this alert.', subject);
        } else if (det === abi.DET_SPIKE) {
          const ch = r.channels[a.channel[i]];
          chart.showSpike(title, series, a.variant[i] === abi.SPIKE_DST ? `to ${ch?.dst ?? 'the destination'}` : 'of all traffic', origin);
        } else if (det === abi.DET_LATENCY) {
          const ch = r.channels[a.channel[i]];
          chart.showLatency(title, series, `${latencyMetric(a.variant[i])} of ${ch?.dst ?? 'the server'}:${a.dport[i]}`, origin);
        } else {
          // The subject of a shift is a protocol or a service, not a pair of hosts.
          const row = series.shares && series.focus !== undefined ? series.shares.rows[series.focus] : undefined;
          const what = row ? row.label : subject;
          chart.showProtoshift(`${detectorName(det)} (${variantName(det, a.variant[i])}): ${what}`, series, r.options.protocolShift.points, origin);
        }
      } else if (det === abi.DET_PROFILE) {
        const node = renderProfileDetail(r, i);
        if (node) chart.showElement(`PROFILE: ${subject}`, node);
        else chart.message('The profile detail of this alert is not in the result.', subject);
      } else {
        chart.message(`${detectorName(det)} alerts have no chart; every number behind this one is listed beside it.`, subject);
      }
      explore.dataset.chart = String(i);
    } catch (e) {
      if (result !== r || selected !== i) return;
      chart.message(`The evidence of ${subject} could not be loaded: ${e instanceof Error ? e.message : String(e)}`, subject);
      explore.dataset.chart = 'error';
    }
  }

  return { showFailure };
}
