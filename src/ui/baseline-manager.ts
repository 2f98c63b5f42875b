// The baseline manager panel: the learned baselines saved in this browser (src/store/baseline-store.ts,
// IndexedDB) listed with their source file, creation time, connections, sources and size; Apply
// (one radio group: "none" or a name; the applied baseline's JSON goes to the next analysis as
// AnalyzeExtras.baselineJson, and the current file can be re-analysed with it), Export (a download
// of the baseline file, src/ml/baseline-file.ts), Import (file input → the worker's checkBaseline →
// store.importJson; a bad file shows its error with the JSON path and saves nothing), Delete (with
// an inline confirmation) and "Learn from this file" under a name (the page re-analyses the current
// file with AnalyzeExtras.learn and saves result.learnedBaseline; what was learnt is shown).
// BaselineController holds the logic without DOM (tested in test/ui/baseline-manager.test.ts);
// createBaselineManager renders it. Every file-derived string (names, file names) is a text node.
// IndexedDB unavailable: the panel says so and disables itself; the rest of the page works.
import type { BaselineSummary } from '../shared/protocol';
import { checkBaselineName, MAX_NAME_LENGTH, type BaselineMeta } from '../store/baseline-store';
import { el, replaceChildren } from './dom';
import { formatBytes, formatInt } from './format';

/** The store as the manager uses it (src/store/baseline-store.ts BaselineStore: baselines kept as
 *  their file's JSON text). */
export interface ManagerStore {
  list(): Promise<BaselineMeta[]>;
  save(name: string, jsonText: string, sourceFile?: string): Promise<BaselineMeta>;
  importJson(name: string, text: string, sourceFile?: string): Promise<BaselineMeta>;
  load(name: string): Promise<string | undefined>;
  delete(name: string): Promise<void>;
  exportJson(name: string): Promise<string | undefined>;
}

/** What a baseline holds (src/ml/baseline-file.ts describeBaseline). */
export type LearntSummary = BaselineSummary;

/** What the page gives the manager. */
export interface ManagerHooks {
  /** Opens the store; rejects (BaselineStoreError) when IndexedDB cannot be used. */
  openStore(): Promise<ManagerStore>;
  /** The worker's checkBaseline: the summary of a valid file; rejects with the BaselineFormatError
   *  message (JSON path) otherwise. */
  checkBaseline(text: string): Promise<LearntSummary>;
  /** Re-analyses the current file learning a baseline: its JSON text and the file's name; rejects
   *  with a message when there is no file or the analysis gave no baseline. */
  learn(): Promise<{ text: string; fileName: string }>;
  /** Re-analyses the current file (with the applied baseline, if any). */
  rerun(): void;
  /** Triggers a download of `text` as `fileName`. */
  download(fileName: string, text: string): void;
}

/** The error's message (Error or anything else). */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** The file name an exported baseline gets: the name with anything but letters, digits, '.', '_'
 *  and '-' as '_', then ".flowlens-baseline.json". */
export function exportFileName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'baseline';
  return `${safe}.flowlens-baseline.json`;
}

/** The name an imported file is saved under: its file name without ".json" (and without
 *  ".flowlens-baseline"), trimmed and cut to MAX_NAME_LENGTH, made unique among `taken` by " (2)",
 *  " (3)", ... ("imported baseline" when nothing is left). */
export function importName(fileName: string, taken: readonly string[]): string {
  let base = fileName.replace(/\.json$/i, '').replace(/\.flowlens-baseline$/i, '');
  base = base.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || 'imported baseline';
  base = base.slice(0, MAX_NAME_LENGTH - 5).trim();
  const set = new Set(taken);
  if (!set.has(base)) return base;
  for (let k = 2; ; k++) {
    const n = `${base} (${k})`;
    if (!set.has(n)) return n;
  }
}

/** One line on what a baseline holds: "1,234 connections from 12 sources (10 profiled), window
 *  baselines of 8 destinations, 3 latency servers, 5 long-connection services". */
export function learntText(s: LearntSummary): string {
  return (
    `${formatInt(s.connections)} connections from ${formatInt(s.sources)} sources (${formatInt(s.profiled)} profiled), ` +
    `window baselines of ${formatInt(s.spikeDestinations)} destinations, ${formatInt(s.latencyServers)} latency servers, ` +
    `${formatInt(s.longconnServices)} long-connection services`
  );
}

/** Outcome of an action: what to tell the user. */
export type Outcome = { ok: true; message: string } | { ok: false; message: string };

/** The manager's state and actions, without DOM. `items` is the last list read; `applied` the
 *  name used by the next analysis (null: none); `unavailable` why the store cannot be used. */
export class BaselineController {
  items: BaselineMeta[] = [];
  applied: string | null = null;
  unavailable: string | null = null;
  private opening: Promise<ManagerStore | null> | null = null;

  constructor(private readonly hooks: Pick<ManagerHooks, 'openStore' | 'checkBaseline'>) {}

  /** The store, opened once; null (and `unavailable` set) when it cannot be opened. */
  async open(): Promise<ManagerStore | null> {
    this.opening ??= this.hooks.openStore().then(
      (s) => s,
      (e) => {
        this.unavailable = messageOf(e);
        return null;
      },
    );
    return this.opening;
  }

  /** Re-reads the list; the applied name is dropped when it is no longer there. */
  async refresh(): Promise<void> {
    const s = await this.open();
    if (!s) return;
    this.items = await s.list();
    if (this.applied !== null && !this.items.some((m) => m.name === this.applied && !m.problem)) this.applied = null;
  }

  /** Applies `name` (null: none) to the next analysis. Throws on a name that is not listed. */
  apply(name: string | null): void {
    if (name !== null && !this.items.some((m) => m.name === name)) throw new Error(`no baseline named ${name}`);
    this.applied = name;
  }

  /** The applied baseline's name and JSON text, null when none is applied. Throws when it cannot
   *  be read (deleted in another tab, IndexedDB failure): the analysis must not run without it. */
  async appliedJson(): Promise<{ name: string; text: string } | null> {
    if (this.applied === null) return null;
    const name = this.applied;
    const s = await this.open();
    if (!s) throw new Error(`the baseline ${name} cannot be read: ${this.unavailable}`);
    const text = await s.load(name);
    if (text === undefined) throw new Error(`the baseline ${name} is no longer saved in this browser`);
    return { name, text };
  }

  /** Validates `text` in the worker, then saves it as a new baseline named after `fileName`. On
   *  failure nothing is saved and the message names the problem (the JSON path of a bad file). */
  async importFile(fileName: string, text: string): Promise<Outcome> {
    const s = await this.open();
    if (!s) return { ok: false, message: `Baselines cannot be saved in this browser: ${this.unavailable}` };
    let summary: LearntSummary;
    try {
      summary = await this.hooks.checkBaseline(text);
    } catch (e) {
      return { ok: false, message: `${fileName} is not a baseline this page can use: ${messageOf(e)}` };
    }
    const name = importName(fileName, this.items.map((m) => m.name));
    try {
      await s.importJson(name, text, summary.sourceFile);
    } catch (e) {
      return { ok: false, message: `${fileName} could not be imported: ${messageOf(e)}` };
    }
    await this.refresh();
    return { ok: true, message: `Imported ${fileName} as ${name}: ${learntText(summary)}.` };
  }

  /** Saves a learnt baseline's JSON `text` under `name` (replacing one of that name). */
  async saveLearnt(name: string, text: string, sourceFile: string): Promise<Outcome> {
    const s = await this.open();
    if (!s) return { ok: false, message: `Baselines cannot be saved in this browser: ${this.unavailable}` };
    let n: string;
    let summary: LearntSummary;
    try {
      n = checkBaselineName(name);
      summary = await this.hooks.checkBaseline(text);
      await s.save(n, text, sourceFile);
    } catch (e) {
      return { ok: false, message: `The baseline could not be saved: ${messageOf(e)}` };
    }
    const replaced = this.items.some((m) => m.name === n);
    await this.refresh();
    return { ok: true, message: `${replaced ? 'Replaced' : 'Saved'} ${n}, learnt from ${sourceFile}: ${learntText(summary)}.` };
  }

  /** Deletes `name`; un-applies it when it was applied. */
  async remove(name: string): Promise<Outcome> {
    const s = await this.open();
    if (!s) return { ok: false, message: `Baselines cannot be changed in this browser: ${this.unavailable}` };
    try {
      await s.delete(name);
    } catch (e) {
      return { ok: false, message: `${name} could not be deleted: ${messageOf(e)}` };
    }
    if (this.applied === name) this.applied = null;
    await this.refresh();
    return { ok: true, message: `Deleted ${name}.` };
  }

  /** The export of `name`: the file name and the stored JSON text. */
  async exportFile(name: string): Promise<{ fileName: string; text: string }> {
    const s = await this.open();
    if (!s) throw new Error(`baselines cannot be read in this browser: ${this.unavailable}`);
    const text = await s.exportJson(name);
    if (text === undefined) throw new Error(`the baseline ${name} is no longer saved in this browser`);
    return { fileName: exportFileName(name), text };
  }
}

/** Triggers a browser download of `text` (application/json) as `fileName`: an object URL on a
 *  temporary <a download> (a navigation the page's CSP allows: no fetch, no remote origin). */
export function downloadText(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = el('a', { attrs: { href: url, download: fileName, hidden: true } });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The panel. `setFile` tells it the current file's name (null: none): learning and re-running
 *  need one. `appliedJson` and `appliedName` serve the next analysis. */
export interface BaselineManager {
  element: HTMLElement;
  controller: BaselineController;
  setFile(name: string | null): void;
  /** Enables or disables the actions that start an analysis. */
  setBusy(busy: boolean): void;
  appliedName(): string | null;
  appliedJson(): Promise<{ name: string; text: string } | null>;
  /** Re-reads the list and redraws. */
  refresh(): Promise<void>;
}

const fmtCreated = (iso: string): string => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : iso || '—';
};

/** Builds the panel (id baselines) and loads the list. Element ids: baseline-list (table),
 *  baseline-none (the "none" radio), baseline-name, baseline-learn, baseline-import,
 *  baseline-rerun, baseline-message (status) and baseline-error (alert). Rows carry
 *  data-name; their buttons the classes export and delete, the confirmation confirm-delete and
 *  cancel-delete. */
export function createBaselineManager(hooks: ManagerHooks): BaselineManager {
  const c = new BaselineController(hooks);
  let fileName: string | null = null;
  let busy = false;
  let confirming: string | null = null;

  const message = el('p', { id: 'baseline-message', class: 'baseline-message', attrs: { role: 'status', 'aria-live': 'polite' } });
  const error = el('p', { id: 'baseline-error', class: 'baseline-error', attrs: { role: 'alert', hidden: true } });
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'baseline-list', class: 'baseline-list' },
    el('caption', { class: 'visually-hidden' }, 'Saved baselines; the selected one is applied to the next analysis'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...['Apply', 'Name', 'Learnt from', 'Created (UTC)', 'Connections', 'Sources', 'Size', 'Actions'].map((h, k) =>
          el('th', { attrs: { scope: 'col' }, class: k >= 4 && k <= 6 ? 'num' : undefined }, h),
        ),
      ),
    ),
    tbody,
  );
  const fieldset = el('fieldset', { class: 'baseline-apply' }, el('legend', {}, 'Apply to the next analysis'), table);
  const rerun = el('button', { id: 'baseline-rerun', attrs: { type: 'button', hidden: true } });
  const nameInput = el('input', {
    id: 'baseline-name',
    attrs: { type: 'text', maxlength: MAX_NAME_LENGTH, autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. office' },
  });
  const learnButton = el('button', { id: 'baseline-learn', class: 'primary', attrs: { type: 'submit' } }, 'Learn from this file');
  const learnHint = el('span', { id: 'baseline-learn-hint', class: 'muted' });
  const learnForm = el(
    'form',
    { class: 'baseline-learn', attrs: { 'aria-describedby': 'baseline-learn-hint' } },
    el('label', { attrs: { for: 'baseline-name' } }, 'Name'),
    nameInput,
    learnButton,
    learnHint,
  );
  const importInput = el('input', { id: 'baseline-import', attrs: { type: 'file', accept: '.json,application/json' } });
  const importRow = el('div', { class: 'baseline-import' }, el('label', { attrs: { for: 'baseline-import' } }, 'Import a baseline file'), importInput);
  const element = el(
    'section',
    { id: 'baselines', class: 'panel baselines', attrs: { 'aria-labelledby': 'baselines-title' } },
    el('h2', { id: 'baselines-title' }, 'Learned baselines'),
    el(
      'p',
      { class: 'muted' },
      'Learn what is normal from a capture known to be clean, then apply it to analyse another one: traffic spikes, latency, ' +
        'protocol shifts and long connections are judged against it, and every connection is scored against its source\u2019s profile ' +
        '(PROFILE alerts). Saved in this browser only.',
    ),
    error,
    message,
    fieldset,
    rerun,
    learnForm,
    importRow,
  );

  function say(o: Outcome): void {
    if (o.ok) {
      error.hidden = true;
      error.textContent = '';
      message.textContent = o.message;
    } else {
      message.textContent = '';
      error.textContent = o.message;
      error.hidden = false;
    }
  }

  function radio(value: string, label: string, id?: string): HTMLInputElement {
    const r = el('input', {
      id,
      attrs: { type: 'radio', name: 'baseline-apply', value, 'aria-label': label, checked: (c.applied ?? '') === value, disabled: !!c.unavailable },
    });
    r.addEventListener('change', () => {
      if (!r.checked) return;
      c.apply(value === '' ? null : value);
      confirming = null;
      render();
      say({ ok: true, message: value === '' ? 'No baseline applied: the next analysis builds its baselines from its own file.' : `${value} is applied to the next analysis.` });
    });
    return r;
  }

  function row(m: BaselineMeta): HTMLElement {
    const name = m.name;
    let actions: HTMLElement;
    if (confirming === name) {
      const yes = el('button', { class: 'small confirm-delete danger', attrs: { type: 'button' } }, 'Yes, delete');
      const no = el('button', { class: 'small cancel-delete', attrs: { type: 'button' } }, 'Cancel');
      yes.addEventListener('click', async () => {
        confirming = null;
        const o = await c.remove(name);
        render();
        say(o);
        (element.querySelector<HTMLInputElement>('#baseline-none') ?? nameInput).focus();
      });
      no.addEventListener('click', () => {
        confirming = null;
        render();
        element.querySelector<HTMLButtonElement>(`tr[data-name="${CSS.escape(name)}"] button.delete`)?.focus();
      });
      actions = el('span', { class: 'confirm' }, el('span', {}, `Delete ${name}?`), ' ', yes, ' ', no);
      queueMicrotask(() => no.focus());
    } else {
      const exp = el('button', { class: 'small export', attrs: { type: 'button', 'aria-label': `Export ${name}`, disabled: !!m.problem } }, 'Export');
      const del = el('button', { class: 'small delete', attrs: { type: 'button', 'aria-label': `Delete ${name}` } }, 'Delete');
      exp.addEventListener('click', async () => {
        try {
          const f = await c.exportFile(name);
          hooks.download(f.fileName, f.text);
          say({ ok: true, message: `Exported ${name} as ${f.fileName}.` });
        } catch (e) {
          say({ ok: false, message: `${name} could not be exported: ${messageOf(e)}` });
        }
      });
      del.addEventListener('click', () => {
        confirming = name;
        render();
      });
      actions = el('span', { class: 'actions' }, exp, ' ', del);
    }
    return el(
      'tr',
      { attrs: { 'data-name': name, 'data-applied': c.applied === name } },
      el('td', {}, m.problem ? null : radio(name, `Apply ${name}`)),
      el('th', { attrs: { scope: 'row' }, class: 'break' }, name, m.problem ? el('span', { class: 'muted' }, ` (${m.problem})`) : null),
      el('td', { class: 'break' }, m.sourceFile || '—'),
      el('td', {}, m.problem ? '—' : fmtCreated(m.createdAt)),
      el('td', { class: 'num' }, m.problem ? '—' : formatInt(m.connections)),
      el('td', { class: 'num' }, m.problem ? '—' : formatInt(m.sources)),
      el('td', { class: 'num' }, m.problem ? '—' : formatBytes(m.sizeBytes)),
      el('td', {}, actions),
    );
  }

  function render(): void {
    if (c.unavailable) {
      replaceChildren(
        tbody,
        el('tr', {}, el('td', { attrs: { colspan: 8 }, class: 'muted' }, `Saved baselines are unavailable in this browser (${c.unavailable}). The rest of the page works without them.`)),
      );
    } else {
      replaceChildren(
        tbody,
        el('tr', { attrs: { 'data-name': '' } }, el('td', {}, radio('', 'Apply no baseline', 'baseline-none')), el('th', { attrs: { scope: 'row', colspan: 7 } }, 'None')),
        ...c.items.map(row),
        c.items.length ? null : el('tr', {}, el('td', { attrs: { colspan: 8 }, class: 'muted' }, 'No baseline saved yet.')),
      );
    }
    const canRun = !!fileName && !busy;
    rerun.hidden = !fileName || c.unavailable !== null;
    rerun.disabled = !canRun;
    rerun.textContent = fileName ? `Re-analyse ${fileName} ${c.applied ? `with ${c.applied}` : 'without a baseline'}` : '';
    learnButton.disabled = !canRun || !!c.unavailable;
    nameInput.disabled = !!c.unavailable;
    importInput.disabled = !!c.unavailable;
    learnHint.textContent = c.unavailable
      ? 'Unavailable: baselines cannot be saved in this browser.'
      : fileName
        ? `Re-analyses ${fileName} and saves what is normal in it under this name.`
        : 'Analyse a capture first; its baseline is learnt from it.';
  }

  rerun.addEventListener('click', () => hooks.rerun());
  learnForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let name: string;
    try {
      name = checkBaselineName(nameInput.value);
    } catch (e) {
      say({ ok: false, message: `Name the baseline first: ${messageOf(e)}.` });
      nameInput.focus();
      return;
    }
    say({ ok: true, message: `Learning ${name} from ${fileName}…` });
    let learnt: { text: string; fileName: string };
    try {
      learnt = await hooks.learn();
    } catch (e) {
      say({ ok: false, message: `Nothing was learnt: ${messageOf(e)}` });
      return;
    }
    const o = await c.saveLearnt(name, learnt.text, learnt.fileName);
    render();
    say(o);
  });
  importInput.addEventListener('change', async () => {
    const f = importInput.files?.[0];
    importInput.value = '';
    if (!f) return;
    let text: string;
    try {
      text = await f.text();
    } catch (e) {
      say({ ok: false, message: `${f.name} could not be read: ${messageOf(e)}` });
      return;
    }
    const o = await c.importFile(f.name, text);
    render();
    say(o);
  });

  const refresh = async () => {
    try {
      await c.refresh();
    } catch (e) {
      say({ ok: false, message: `The saved baselines could not be listed: ${messageOf(e)}` });
    }
    render();
  };
  render();
  void refresh();

  return {
    element,
    controller: c,
    setFile(name) {
      fileName = name;
      render();
    },
    setBusy(b) {
      busy = b;
      render();
    },
    appliedName: () => c.applied,
    appliedJson: () => c.appliedJson(),
    refresh,
  };
}
