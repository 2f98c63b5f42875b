// The page controller: wires the input area, settings, progress, problems, summary, alert table,
// channel list and chart to the worker API. Owns the page state (the current result and the
// selected channel). Never touches file bytes or WASM memory: the worker does (ARCHITECTURE §1).
import * as Comlink from 'comlink';
import type { FlowlensWorkerApi } from '../worker/api';
import type { AnalysisResult, Progress } from '../shared/protocol';
import { el, replaceChildren } from './dom';
import { createDropZone } from './drop-zone';
import { createSettings } from './settings';
import { createProgress } from './progress';
import { renderFailure, renderProblems } from './problems';
import { renderSummary } from './summary';
import { createAlertTable } from './alert-table';
import { channelsByAlerts, createChannelList } from './channel-list';
import { createChart } from './chart';
import { channelLabel, formatInt } from './format';

/** Points requested for the chart of one channel. */
export const SERIES_MAX_POINTS = 50_000;

/** Where the sample capture lives, relative to the page (public/, see public/SAMPLE.md). */
export const SAMPLE_URL = 'sample/zeek_ssh_sshguess.pcap';

/** The worker API as the page holds it: a Comlink remote, or anything with the same shape. */
export type RemoteApi = Comlink.Remote<FlowlensWorkerApi> | FlowlensWorkerApi;

/**
 * Builds the page inside `root` and drives `api`. Exposes nothing; the page's state is observable
 * only through the DOM (ids: drop-zone, file-input, sample-button, settings, progress, problems,
 * summary, alert-table, channel-list, chart) and `document.body.dataset.state`
 * (idle | running | done | failed).
 */
export function createApp(root: HTMLElement, api: RemoteApi): { showFailure(title: string, message: string): void } {
  const status = el('p', { id: 'status', class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  const problemsSlot = el('div', { id: 'problems-slot' });
  const summarySlot = el('div', { id: 'summary-slot' });
  const settings = createSettings();
  const progress = createProgress(() => void api.cancel());
  const drop = createDropZone({ onFile: (f) => void run(f), onSample: () => void runSample() });
  const table = createAlertTable((ch) => void selectChannel(ch));
  const channels = createChannelList((ch) => void selectChannel(ch));
  const chart = createChart();
  const explore = el(
    'section',
    { id: 'explore', class: 'panel explore', attrs: { hidden: true, 'aria-labelledby': 'explore-title' } },
    el('h2', { id: 'explore-title' }, 'Packet size by channel'),
    el('div', { class: 'explore-grid' }, channels.element, chart.element),
  );
  replaceChildren(
    root,
    el('section', { class: 'input-row' }, drop.element, settings.element),
    progress.element,
    status,
    problemsSlot,
    summarySlot,
    explore,
    table.element,
  );
  setState('idle');

  let result: AnalysisResult | null = null;
  let running: Promise<unknown> | null = null;
  let generation = 0;
  let selected = -1;

  function setState(s: 'idle' | 'running' | 'done' | 'failed'): void {
    document.body.dataset.state = s;
  }

  function showFailure(title: string, message: string): void {
    replaceChildren(problemsSlot, renderFailure(title, message));
    status.textContent = `${title}: ${message}`;
    setState('failed');
  }

  async function run(file: File): Promise<void> {
    const gen = ++generation;
    if (running) {
      await api.cancel();
      await running.catch(() => undefined);
      if (gen !== generation) return; // an even newer file arrived meanwhile
    }
    const options = settings.read();
    drop.setBusy(true);
    setState('running');
    progress.start(file.name, file.size);
    status.textContent = `Analysing ${file.name}…`;
    replaceChildren(problemsSlot);
    const onProgress = Comlink.proxy((p: Progress) => {
      if (gen === generation) progress.update(p);
    });
    const pending = api.analyze(file, file.name, options, onProgress);
    running = pending;
    let r: AnalysisResult;
    try {
      r = await pending;
    } catch (e) {
      if (gen === generation) {
        progress.finish();
        drop.setBusy(false);
        showFailure('The analysis failed', e instanceof Error ? e.message : String(e));
      }
      return;
    } finally {
      if (running === pending) running = null;
    }
    if (gen !== generation) return;
    progress.finish();
    drop.setBusy(false);
    show(r);
  }

  async function runSample(): Promise<void> {
    try {
      const res = await fetch(new URL(SAMPLE_URL, document.baseURI));
      if (!res.ok) throw new Error(`HTTP ${res.status} for ${SAMPLE_URL}`);
      const blob = await res.blob();
      const name = SAMPLE_URL.slice(SAMPLE_URL.lastIndexOf('/') + 1);
      await run(new File([blob], name, { type: 'application/vnd.tcpdump.pcap' }));
    } catch (e) {
      showFailure('The sample could not be loaded', e instanceof Error ? e.message : String(e));
    }
  }

  function show(r: AnalysisResult): void {
    result = r;
    selected = -1;
    const problems = renderProblems(r);
    replaceChildren(problemsSlot, problems);
    replaceChildren(summarySlot, renderSummary(r));
    table.setResult(r);
    channels.setChannels(r.channels);
    const withAlerts = r.channels.some((c) => c.alerts > 0);
    explore.hidden = !withAlerts;
    status.textContent =
      `${r.cancelled ? 'Cancelled' : r.ok ? 'Analysed' : 'Stopped by an error in'} ${r.summary.fileName}: ` +
      `${formatInt(r.summary.packetsDecoded)} packets, ${formatInt(r.summary.alerts)} flagged.`;
    setState(r.ok || r.cancelled ? 'done' : 'failed');
    if (withAlerts) void selectChannel(channelsByAlerts(r.channels)[0]);
    else chart.message('No channel has alerts.');
  }

  async function selectChannel(ch: number): Promise<void> {
    const r = result;
    if (!r || !r.channels[ch]) return;
    selected = ch;
    table.setSelectedChannel(ch);
    channels.setSelected(ch);
    const info = r.channels[ch];
    const label = channelLabel(info.src, info.dst, info.proto);
    chart.message(`Loading ${label}…`);
    explore.dataset.chart = 'loading';
    try {
      // A copy of the key: Comlink may transfer or clone; the result's own key stays intact.
      const series = await api.channelSeries(info.key.slice(), SERIES_MAX_POINTS);
      if (result !== r || selected !== ch) return;
      // x starts at the channel's first packet: captures can span years (small numbers read better).
      let origin = Infinity;
      for (let i = 0; i < series.tsUs.length; i++) if (series.tsUs[i] < origin) origin = series.tsUs[i];
      if (!Number.isFinite(origin)) origin = Number.isFinite(r.summary.tsFirstUs) ? r.summary.tsFirstUs : 0;
      chart.show({ label, alerts: info.alerts }, series, r.options.zscore.threshold, origin);
      explore.dataset.chart = String(ch);
    } catch (e) {
      if (result !== r || selected !== ch) return;
      chart.message(`The series of ${label} could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      explore.dataset.chart = 'error';
    }
  }

  return { showFailure };
}
