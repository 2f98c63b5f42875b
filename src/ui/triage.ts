// Triage of the alerts of the shown session: a state per alert (new / confirmed / false positive)
// and a free-text note, kept in memory by createTriage and written to the session store through
// `save` after a quiet period (debounced, so typing a note writes once). `lookup` answers the state
// of an alert for the alerts table (`table.setTriage(lookup)`, wired by the table's helper);
// `onChange` tells it when to redraw. renderTriage builds the block shown in the selected alert's
// detail: a labelled radio group and a note, keyboard usable; text is set as values, never HTML.
import type { TriageEntry, TriageState } from '../store/session-store';
import { el } from './dom';

export type { TriageState } from '../store/session-store';
/** The state of an alert by index ('new' when untouched). */
export type TriageLookup = (alert: number) => TriageState;

/** Quiet time before a change is written, ms. */
export const TRIAGE_SAVE_DELAY_MS = 600;

export const TRIAGE_LABELS: Record<TriageState, string> = { new: 'New', confirmed: 'Confirmed', 'false-positive': 'False positive' };

export interface Triage {
  /** Replaces every entry (a session opened or a new analysis); nothing is written. */
  load(entries: Map<number, TriageEntry>): void;
  get(alert: number): TriageEntry;
  /** Changes alert's state and/or note; written after TRIAGE_SAVE_DELAY_MS of quiet. */
  set(alert: number, change: Partial<Pick<TriageEntry, 'state' | 'note'>>): void;
  lookup: TriageLookup;
  entries(): Map<number, TriageEntry>;
  /** Writes a pending change now (resolves when written; rejects with the save's error). */
  flush(): Promise<void>;
  /** Called after each change (the table redraws its triage column). */
  onChange(cb: () => void): void;
  /** Called with the save's outcome: null when written, else the error. */
  onSaved(cb: (error: unknown | null) => void): void;
  /** The one listener of the shown triage block (replaced by each render). */
  setStatusListener(cb: ((error: unknown | null) => void) | null): void;
}

/** Timer functions (fake ones in tests). */
export interface Timers {
  set(f: () => void, ms: number): unknown;
  clear(h: unknown): void;
}
const realTimers: Timers = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };

/** The triage state of the shown session; `save` writes every entry (the session store's setTriage). */
export function createTriage(save: (entries: Map<number, TriageEntry>) => Promise<void>, now: () => number = Date.now, delayMs = TRIAGE_SAVE_DELAY_MS, timers: Timers = realTimers): Triage {
  let map = new Map<number, TriageEntry>();
  let timer: unknown = null;
  let dirty = false;
  const changed: (() => void)[] = [];
  const saved: ((e: unknown | null) => void)[] = [];
  let statusListener: ((e: unknown | null) => void) | null = null;
  const write = async (): Promise<void> => {
    if (timer !== null) timers.clear(timer);
    timer = null;
    if (!dirty) return;
    dirty = false;
    try {
      await save(new Map(map));
      for (const cb of saved) cb(null);
      statusListener?.(null);
    } catch (e) {
      for (const cb of saved) cb(e);
      statusListener?.(e);
      throw e;
    }
  };
  const t: Triage = {
    load(entries) {
      if (timer !== null) timers.clear(timer);
      timer = null;
      dirty = false;
      map = new Map(entries);
      for (const cb of changed) cb();
    },
    get: (alert) => map.get(alert) ?? { state: 'new', note: '', updatedAtMs: 0 },
    set(alert, change) {
      const cur = t.get(alert);
      map.set(alert, { state: change.state ?? cur.state, note: change.note ?? cur.note, updatedAtMs: now() });
      dirty = true;
      if (timer !== null) timers.clear(timer);
      timer = timers.set(() => void write().catch(() => undefined), delayMs);
      for (const cb of changed) cb();
    },
    lookup: (alert) => map.get(alert)?.state ?? 'new',
    entries: () => new Map(map),
    flush: write,
    onChange: (cb) => void changed.push(cb),
    onSaved: (cb) => void saved.push(cb),
    setStatusListener: (cb) => void (statusListener = cb),
  };
  return t;
}

/** The triage block of alert `alert` (ids triage, triage-note; radios named triage-state). */
export function renderTriage(triage: Triage, alert: number): HTMLElement {
  const entry = triage.get(alert);
  const status = el('span', { id: 'triage-status', class: 'triage-status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const radios = (Object.keys(TRIAGE_LABELS) as TriageState[]).map((state) => {
    const id = `triage-${state}`;
    const input = el('input', { id, attrs: { type: 'radio', name: 'triage-state', value: state, checked: entry.state === state } });
    input.addEventListener('change', () => {
      if (input.checked) {
        triage.set(alert, { state });
        status.textContent = 'Saving…';
      }
    });
    return el('span', { class: 'triage-choice' }, input, el('label', { attrs: { for: id } }, TRIAGE_LABELS[state]));
  });
  const note = el('textarea', { id: 'triage-note', attrs: { rows: 3, maxlength: 10000, placeholder: 'What you found, who you told…' } });
  note.value = entry.note;
  note.addEventListener('input', () => {
    triage.set(alert, { note: note.value });
    status.textContent = 'Saving…';
  });
  const block = el(
    'fieldset',
    { id: 'triage', class: 'triage-block', attrs: { 'data-alert': alert } },
    el('legend', {}, 'Triage'),
    el('div', { class: 'triage-states', attrs: { role: 'radiogroup', 'aria-label': 'Triage state' } }, ...radios),
    el('label', { attrs: { for: 'triage-note' } }, 'Note'),
    note,
    status,
  );
  triage.setStatusListener((e) => {
    if (!block.isConnected) return;
    status.textContent = e === null ? 'Saved in this session.' : `Not saved: ${e instanceof Error ? e.message : String(e)}`;
  });
  return block;
}
