// The sessions of the page (issue #5 "Sessions that last"): saves every analysis in the session
// store (src/store/session-store.ts), lists them in the history panel (newest first: name, file,
// size, date, packets, alerts by severity) with Open, Rename (inline, Enter/Escape), Export (one
// JSON file, src/store/session-file.ts), Delete (with an inline confirmation) and Import; keeps the
// shown session's triage (src/ui/triage.ts) and the evidence series the page loaded, and serves
// evidence charts of a reopened session from the stored series (the file is not there: the chart
// then says which file to drop; the file dropped again carries the session on, see
// sessionMismatch). A store that cannot be opened or written (private window, disabled
// storage, full disk) gives the banner's "This session was not saved: …" and the analysis stays.
// Ids: history (panel), history-list (table, rows data-session), history-note, history-import,
// session-banner, session-reopened, session-not-saved.
import type { AnalysisResult, ChannelSeries, DetectorSeries } from '../shared/protocol';
import * as abi from '../shared/abi';
import {
  isSessionWorthy,
  metaOf,
  notSavedMessage,
  type LoadedSession,
  type SessionMeta,
  type SessionStore,
  type StoredSeries,
  type TriageEntry,
} from '../store/session-store';
import { asResult, sessionFileName, sessionFromJson, sessionToJson } from '../store/session-file';
import { el, replaceChildren } from './dom';
import { formatBytes, formatInt } from './format';
import { createTriage, renderTriage, type Triage, type TriageLookup } from './triage';

/** What the sessions need from the page and the worker. */
export interface SessionsDeps {
  openStore: () => Promise<SessionStore>;
  /** The worker's fileSha256. */
  hash: (file: Blob) => Promise<string>;
  /** The worker's evidence series of the last analysed file. */
  channelSeries: (key: Uint8Array, maxPoints: number) => Promise<ChannelSeries>;
  detectorSeries: (alert: number, maxPoints: number) => Promise<DetectorSeries>;
  /** Shows a stored result (the page's show(), with re-reading the file disabled). */
  show: (result: AnalysisResult, session: LoadedSession) => void;
  download: (fileName: string, text: string) => void;
}

export interface Sessions {
  /** The history panel. */
  element: HTMLElement;
  /** The note above the summary (reopened session, not saved). */
  banner: HTMLElement;
  triage: Triage;
  /** For the alerts table: `table.setTriage(sessions.triageLookup)`. */
  triageLookup: TriageLookup;
  /** A new analysis is shown: save it (then its hash). Never throws; failures go to the banner. */
  analysed(file: File, result: AnalysisResult, baselineName: string | null): Promise<SessionMeta | null>;
  /** Evidence of alert `alert` (a ZSCORE channel): from the worker for a fresh analysis (and
   *  stored in the session), from the store for a reopened one. */
  channelSeries(alert: number, key: Uint8Array, maxPoints: number): Promise<ChannelSeries>;
  detectorSeries(alert: number, maxPoints: number): Promise<DetectorSeries>;
  /** The triage block of alert `alert` for the detail, or null when no analysis is shown. */
  triageBlock(alert: number): HTMLElement | null;
  /** Opens a stored session (as the Open button does). */
  open(id: string): Promise<void>;
  /** True while the shown result is a reopened session (the file is not loaded). */
  reopened(): boolean;
  /** The hash seed of the reopened session shown when `file` has its file's name and size (the
   *  page analyses it with that seed, so that the same file gives the same alerts in the same
   *  order and the session carries on), else undefined. */
  seedFor(file: { name: string; size: number }): number | undefined;
  /** Resolves when the pending writes (save, hash, series) are done; for tests. */
  idle(): Promise<void>;
}

interface Current {
  id: string | null;
  result: AnalysisResult;
  reopened: boolean;
  meta: SessionMeta | null;
  series: Map<number, StoredSeries>;
  /** Series loaded before the session was saved: written once it has an id. */
  pendingSeries: Map<number, StoredSeries>;
  /** Whether the session is being saved, is saved, or could not be (or was not meant to be). */
  saving: 'pending' | 'saved' | 'not-saved';
  /** Its triage while another result is shown (the page's queue switches between results). */
  triageEntries?: Map<number, TriageEntry>;
}

/** "2024-06-01 12:00 UTC". */
export function formatDateMs(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime())) return '—';
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The chart's message for a reopened session without a stored series of the alert. */
export function needsFileMessage(meta: Pick<SessionMeta, 'file'>): string {
  const sha = meta.file.sha256 ? `sha256 ${meta.file.sha256.slice(0, 16)}…` : 'sha256 not computed';
  return `the evidence chart needs the original file: drop ${meta.file.name} (${sha}) to re-analyse`;
}

/** The options as one string, keys sorted at every level (the stored copy went through IndexedDB
 *  and JSON; only the values matter). */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Alert `i` of `r` as one string: detector, variant, first and last time, ports, its channel's
 *  addresses and protocol. */
function alertFingerprint(r: Pick<AnalysisResult, 'alerts' | 'channels'>, i: number): string {
  const a = r.alerts;
  const c = r.channels[a.channel[i]];
  return `${a.detector[i]}/${a.variant[i]}/${a.tsUs[i]}/${a.lastUs[i]}/${a.sport[i]}/${a.dport[i]}/${c?.src}/${c?.dst}/${c?.proto}`;
}

/**
 * Why analysis `r` of `file` (with baseline `baselineName`) is not the analysis stored as session
 * `meta` / `stored`, or null when it is: the same file name and size, the same settings (hash seed
 * included: the order of alerts raised from the flow table follows it, and the triage is kept by
 * alert index; see Sessions.seedFor) and baseline, the same outcome and counts (packets, bytes,
 * flows, alerts), and alert for alert the same detector, times, ports and channel. The page then re-attaches
 * the dropped file to the reopened session (its triage and stored charts carry on) instead of
 * saving a new one; the file's SHA-256 is checked against the stored one afterwards.
 */
export function sessionMismatch(meta: SessionMeta, stored: Pick<AnalysisResult, 'options' | 'alerts' | 'channels'>, file: { name: string; size: number }, r: AnalysisResult, baselineName: string | null): string | null {
  if (file.name !== meta.file.name) return `another file name (${meta.file.name})`;
  if (file.size !== meta.file.sizeBytes) return `another file size (${formatBytes(meta.file.sizeBytes)})`;
  if (baselineName !== meta.baselineName) return meta.baselineName ? `another baseline (${meta.baselineName})` : 'a baseline applied';
  if (canonicalJson(r.options) !== canonicalJson(stored.options)) return 'other settings';
  const now = metaOf(meta.id, meta.name, meta.createdAtMs, meta.file, baselineName, r);
  for (const k of ['outcome', 'packets', 'bytes', 'flows', 'alerts'] as const) if (now[k] !== meta[k]) return `another ${k === 'outcome' ? 'outcome' : `count of ${k}`}`;
  if (stored.alerts.count !== r.alerts.count) return 'another count of alerts';
  for (let i = 0; i < r.alerts.count; i++) if (alertFingerprint(stored, i) !== alertFingerprint(r, i)) return `another alert ${i + 1}`;
  return null;
}

/** A stored ZSCORE channel series usable for alert `alert`: its own, or another ZSCORE alert's
 *  of the same channel (the series is the channel's). */
export function storedChannelSeries(r: AnalysisResult, series: Map<number, StoredSeries>, alert: number): ChannelSeries | undefined {
  const own = series.get(alert);
  if (own?.kind === 'channel') return own.series;
  const ch = r.alerts.channel[alert];
  for (const [k, s] of series) if (s.kind === 'channel' && r.alerts.channel[k] === ch && r.alerts.detector[k] === abi.DET_ZSCORE) return s.series;
  return undefined;
}

export function createSessions(deps: SessionsDeps): Sessions {
  let storePromise: Promise<SessionStore> | null = null;
  const store = () => (storePromise ??= deps.openStore());
  let current: Current | null = null;
  /** The sessions of the results analysed in this page, by result (a result shown again resumes its session). */
  const liveSessions = new WeakMap<AnalysisResult, Current>();
  let pending: Promise<unknown> = Promise.resolve();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending = pending.then(() => p).catch(() => undefined);
    return p;
  };

  const reopenedNote = el('p', { id: 'session-reopened', class: 'session-reopened', attrs: { hidden: true } });
  const notSaved = el('p', { id: 'session-not-saved', class: 'session-not-saved', attrs: { role: 'alert', hidden: true } });
  const banner = el('div', { id: 'session-banner', class: 'session-banner' }, reopenedNote, notSaved);
  const note = el('p', { id: 'history-note', class: 'history-note', attrs: { role: 'status', 'aria-live': 'polite' } });
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'history-list', class: 'history-list' },
    el('caption', { class: 'visually-hidden' }, 'Saved analysis sessions, newest first'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Name', 'File', 'Size', 'Saved', 'Packets', 'Alerts (high / medium / low)', 'Actions'].map((h, i) =>
          el('th', { class: i === 2 || i === 4 || i === 5 ? 'num' : undefined, attrs: { scope: 'col' } }, h),
        ),
      ),
    ),
    tbody,
  );
  const importInput = el('input', { id: 'history-import', attrs: { type: 'file', accept: '.json,application/json' } });
  const element = el(
    'section',
    { id: 'history', class: 'panel history', attrs: { 'aria-labelledby': 'history-title' } },
    el('h2', { id: 'history-title' }, 'Sessions'),
    el('p', { class: 'muted' }, 'Every analysis is saved in this browser (never the packets): reopen it without the file, triage its alerts, export it to a colleague.'),
    note,
    el('div', { class: 'table-scroll' }, table),
    el('div', { class: 'history-import' }, el('label', { attrs: { for: 'history-import' } }, 'Import a session file'), importInput),
  );

  let sessions: SessionMeta[] = [];
  let unavailable: string | null = null;
  let renaming: string | null = null;
  let confirming: string | null = null;

  const triage = createTriage(async (entries) => {
    const c = current;
    if (!c) return;
    if (c.id) return (await store()).setTriage(c.id, entries);
    if (c.saving === 'pending') return; // written with the session once it has an id
    throw new Error('this analysis is not saved in the browser, so its triage is kept in this page only');
  });
  triage.onSaved((e) => {
    if (e !== null && current?.id) showNotSaved(`Triage not saved: ${e instanceof Error ? e.message : String(e)}`);
  });

  function say(text: string): void {
    note.textContent = text;
  }
  function showNotSaved(text: string | null): void {
    notSaved.textContent = text ?? '';
    notSaved.hidden = text === null;
  }

  async function refresh(): Promise<void> {
    try {
      sessions = await (await store()).list();
      unavailable = null;
      // The shown session's meta as stored now (a rename, its hash).
      const c = current;
      const now = c?.id ? sessions.find((m) => m.id === c.id && !m.problem) : undefined;
      if (c && now) c.meta = now;
    } catch (e) {
      unavailable = e instanceof Error ? e.message : String(e);
    }
    render();
  }

  function render(): void {
    importInput.disabled = unavailable !== null;
    if (unavailable !== null) {
      replaceChildren(tbody, el('tr', {}, el('td', { attrs: { colspan: 7 } }, `Sessions unavailable: ${unavailable}`)));
      return;
    }
    if (sessions.length === 0) {
      replaceChildren(tbody, el('tr', {}, el('td', { attrs: { colspan: 7 } }, 'No saved sessions yet: analyse a capture.')));
      return;
    }
    replaceChildren(tbody, ...sessions.map(row));
  }

  function button(label: string, aria: string, cls: string, onClick: () => void): HTMLButtonElement {
    const b = el('button', { class: `small ${cls}`, attrs: { type: 'button', 'aria-label': aria } }, label);
    b.addEventListener('click', onClick);
    return b;
  }

  function row(m: SessionMeta): HTMLElement {
    let nameCell: HTMLElement;
    if (renaming === m.id) {
      const input = el('input', { class: 'history-rename', attrs: { type: 'text', 'aria-label': `New name of session ${m.name}`, maxlength: 200 } });
      input.value = m.name;
      let done = false;
      const commit = async (save: boolean) => {
        if (done) return;
        done = true;
        renaming = null;
        if (save && input.value.trim() !== m.name) {
          try {
            await (await store()).rename(m.id, input.value);
            say(`Renamed to ${input.value.trim()}.`);
          } catch (e) {
            say(`Not renamed: ${e instanceof Error ? e.message : String(e)}`);
          }
        }
        await refresh();
        (tbody.querySelector<HTMLElement>(`tr[data-session="${m.id}"] .history-rename-button`) ?? undefined)?.focus();
      };
      input.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') void commit(true);
        else if (ev.key === 'Escape') void commit(false);
      });
      input.addEventListener('blur', () => void commit(true));
      nameCell = el('th', { attrs: { scope: 'row' } }, input);
      queueMicrotask(() => {
        input.focus();
        input.select();
      });
    } else {
      nameCell = el('th', { class: 'history-name', attrs: { scope: 'row' } }, m.name);
    }
    let actions: HTMLElement;
    if (m.problem) {
      actions = el('td', {}, el('span', { class: 'muted' }, m.problem), ' ', button('Delete', `Delete session ${m.name}`, 'history-delete', () => void remove(m)));
    } else if (confirming === m.id) {
      const no = button('Cancel', `Keep session ${m.name}`, 'history-cancel-delete', () => {
        confirming = null;
        render();
      });
      actions = el(
        'td',
        { class: 'confirm' },
        `Delete “${m.name}”? `,
        button('Yes, delete', `Yes, delete session ${m.name}`, 'danger history-confirm-delete', () => void remove(m)),
        ' ',
        no,
      );
      queueMicrotask(() => no.focus());
    } else {
      actions = el(
        'td',
        { class: 'actions' },
        button('Open', `Open session ${m.name}`, 'history-open', () => void open(m.id)),
        ' ',
        button('Rename', `Rename session ${m.name}`, 'history-rename-button', () => {
          renaming = m.id;
          confirming = null;
          render();
        }),
        ' ',
        button('Export', `Export session ${m.name}`, 'history-export', () => void exportSession(m)),
        ' ',
        button('Delete', `Delete session ${m.name}`, 'history-delete', () => {
          confirming = m.id;
          renaming = null;
          render();
        }),
      );
    }
    const sev = m.bySeverity;
    return el(
      'tr',
      { attrs: { 'data-session': m.id, 'data-current': current?.id === m.id || undefined } },
      nameCell,
      el('td', { class: 'history-file' }, m.file.name),
      el('td', { class: 'num' }, formatBytes(m.file.sizeBytes)),
      el('td', {}, formatDateMs(m.createdAtMs)),
      el('td', { class: 'num' }, formatInt(m.packets)),
      el('td', { class: 'num', attrs: { 'data-alerts': m.alerts } }, `${formatInt(m.alerts)} (${formatInt(sev.high)} / ${formatInt(sev.medium)} / ${formatInt(sev.low)})`),
      actions,
    );
  }

  async function remove(m: SessionMeta): Promise<void> {
    confirming = null;
    try {
      await (await store()).delete(m.id);
      say(`Deleted session ${m.name}.`);
      if (current?.id === m.id) {
        current.id = null; // still shown; no longer saved
        current.saving = 'not-saved';
      }
    } catch (e) {
      say(`Not deleted: ${e instanceof Error ? e.message : String(e)}`);
    }
    await refresh();
  }

  async function exportSession(m: SessionMeta): Promise<void> {
    try {
      await triage.flush().catch(() => undefined);
      const s = await (await store()).open(m.id);
      if (!s) throw new Error('it is no longer stored');
      deps.download(sessionFileName(s.meta.name), sessionToJson(s));
      say(`Exported ${m.name}.`);
    } catch (e) {
      say(`Not exported: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  importInput.addEventListener('change', async () => {
    const f = importInput.files?.[0];
    importInput.value = '';
    if (!f) return;
    try {
      const loaded = sessionFromJson(await f.text());
      const meta = await (await store()).saveLoaded(loaded);
      say(`Imported ${meta.name} from ${f.name}.`);
    } catch (e) {
      say(`${f.name} was not imported: ${e instanceof Error ? e.message : String(e)}`);
    }
    await refresh();
  });

  async function open(id: string): Promise<void> {
    try {
      await triage.flush().catch(() => undefined);
      const s = await (await store()).open(id);
      if (!s) throw new Error('it is no longer stored');
      current = { id, result: asResult(s.data.result), reopened: true, meta: s.meta, series: new Map(s.series), pendingSeries: new Map(), saving: 'saved' };
      triage.load(s.triage);
      showNotSaved(null);
      const cap = s.data.connsCap ? ` Flows: the ${formatInt(s.data.connsCap.kept)} largest of ${formatInt(s.data.connsCap.total)} were kept.` : '';
      reopenedNote.textContent =
        `Session from ${formatDateMs(s.meta.createdAtMs)}, file not loaded (${s.meta.file.name}, ${formatBytes(s.meta.file.sizeBytes)}` +
        `${s.meta.file.sha256 ? `, sha256 ${s.meta.file.sha256}` : ''}): “${s.meta.name}”. Drop the file to analyse it again.` +
        `${s.meta.baselineName ? ` Baseline applied: ${s.meta.baselineName}.` : ''}${cap}`;
      reopenedNote.hidden = false;
      deps.show(current.result, s);
      say(`Opened ${s.meta.name}.`);
      render();
    } catch (e) {
      say(`Not opened: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  async function analysed(file: File, result: AnalysisResult, baselineName: string | null): Promise<SessionMeta | null> {
    await triage.flush().catch(() => undefined);
    const prev = current;
    if (prev?.reopened && prev.id && prev.meta && isSessionWorthy(result) && sessionMismatch(prev.meta, prev.result, file, result, baselineName) === null) {
      return reattach(prev, file, result);
    }
    if (current && !current.reopened) current.triageEntries = new Map(triage.entries());
    // Shown again (the page's queue): its session becomes the current one again, nothing is re-saved.
    const known = liveSessions.get(result);
    if (known) {
      current = known;
      triage.load(known.triageEntries ?? new Map());
      reopenedNote.hidden = true;
      reopenedNote.textContent = '';
      showNotSaved(null);
      return known.meta;
    }
    const c: Current = { id: null, result, reopened: false, meta: null, series: new Map(), pendingSeries: new Map(), saving: 'pending' };
    liveSessions.set(result, c);
    current = c;
    triage.load(new Map());
    reopenedNote.hidden = true;
    reopenedNote.textContent = '';
    showNotSaved(null);
    if (!isSessionWorthy(result)) {
      c.saving = 'not-saved';
      return null;
    }
    const work = (async () => {
      let s: SessionStore;
      let meta: SessionMeta;
      try {
        s = await store();
        meta = await s.save({ result, file, baselineName });
      } catch (e) {
        c.saving = 'not-saved';
        if (current === c) showNotSaved(notSavedMessage(e));
        await refresh();
        return null;
      }
      c.id = meta.id;
      c.saving = 'saved';
      c.meta = meta;
      try {
        for (const [alert, stored] of c.pendingSeries) await s.addSeries(meta.id, alert, stored);
        c.pendingSeries.clear();
        if (triage.entries().size && current === c) await s.setTriage(meta.id, triage.entries());
      } catch (e) {
        if (current === c) showNotSaved(notSavedMessage(e));
      }
      await refresh();
      try {
        const sha = await deps.hash(file);
        await s.setHash(meta.id, sha);
        c.meta = { ...meta, file: { ...meta.file, sha256: sha } };
        await refresh();
      } catch (e) {
        say(`The file's SHA-256 was not saved: ${e instanceof Error ? e.message : String(e)}`);
      }
      return meta;
    })();
    return track(work);
  }

  /** The file of reopened session `prev` was dropped again and analysed to the same figures: the
   *  session carries on with the file (its triage stays loaded, its stored series stay, charts of
   *  other alerts now re-read the file and are added to it); nothing is saved anew. The file's
   *  SHA-256 is then checked against the stored one (or stored, when it was never computed). */
  function reattach(prev: Current, file: File, result: AnalysisResult): Promise<SessionMeta | null> {
    const meta = prev.meta!;
    const c: Current = { id: prev.id, result, reopened: false, meta, series: new Map(prev.series), pendingSeries: new Map(), saving: 'saved' };
    liveSessions.set(result, c);
    current = c;
    reopenedNote.hidden = true;
    reopenedNote.textContent = '';
    showNotSaved(null);
    const what = `${file.name} analysed again with the same settings and figures: it carries on the session “${meta.name}” (triage and charts kept, nothing saved anew)`;
    say(`${what}; checking its SHA-256…`);
    const work = (async () => {
      try {
        const sha = await deps.hash(file);
        if (meta.file.sha256 === null) {
          await (await store()).setHash(meta.id, sha);
          c.meta = { ...meta, file: { ...meta.file, sha256: sha } };
          await refresh();
          say(`${what}; its SHA-256 is now stored.`);
        } else if (sha === meta.file.sha256) {
          say(`${what}; SHA-256 matches.`);
        } else {
          say(`${what}, but its SHA-256 differs from the stored file's (${meta.file.sha256.slice(0, 16)}…): another file with the same name, size and figures.`);
        }
      } catch (e) {
        say(`${what}; its SHA-256 was not checked: ${e instanceof Error ? e.message : String(e)}`);
      }
      return c.meta;
    })();
    return track(work);
  }

  function keep(alert: number, stored: StoredSeries): void {
    const c = current;
    if (!c || c.reopened) return;
    c.series.set(alert, stored);
    if (c.id === null) {
      c.pendingSeries.set(alert, stored);
      return;
    }
    const id = c.id;
    void track(
      store()
        .then((s) => s.addSeries(id, alert, stored))
        .catch((e) => {
          if (current === c) showNotSaved(notSavedMessage(e));
        }),
    );
  }

  async function channelSeries(alert: number, key: Uint8Array, maxPoints: number): Promise<ChannelSeries> {
    const c = current;
    if (c?.reopened) {
      const s = storedChannelSeries(c.result, c.series, alert);
      if (s) return s;
      throw new Error(needsFileMessage(c.meta!));
    }
    const s = await deps.channelSeries(key, maxPoints);
    keep(alert, { kind: 'channel', series: s });
    return s;
  }

  async function detectorSeries(alert: number, maxPoints: number): Promise<DetectorSeries> {
    const c = current;
    if (c?.reopened) {
      const s = c.series.get(alert);
      if (s?.kind === 'detector') return s.series;
      throw new Error(needsFileMessage(c.meta!));
    }
    const s = await deps.detectorSeries(alert, maxPoints);
    keep(alert, { kind: 'detector', series: s });
    return s;
  }

  void refresh();

  return {
    element,
    banner,
    triage,
    triageLookup: triage.lookup,
    analysed,
    channelSeries,
    detectorSeries,
    triageBlock: (alert) => (current ? renderTriage(triage, alert) : null),
    open,
    reopened: () => current?.reopened ?? false,
    seedFor(file) {
      const c = current;
      if (!c?.reopened || !c.meta || c.meta.file.name !== file.name || c.meta.file.sizeBytes !== file.size) return undefined;
      return c.result.options.seed;
    },
    idle: () => pending.then(() => undefined),
  };
}
