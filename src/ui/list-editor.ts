// A textarea editor for a list of entries (blacklist, normal services): one entry per line, "#"
// comments, live check (debounced) with the count of entries and every bad line by number, and
// optionally "Load from file…" (a local text file read with File.text(); never uploaded). Owns
// only its DOM; the text is checked by the `check` function it is given (src/ui/lists.ts).
import { el, replaceChildren } from './dom';
import type { ListCheck } from './lists';
import { formatBytes } from './format';

/** Problems listed at most under the editor; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 50;
/** Largest file "Load from file…" accepts. */
export const MAX_LIST_FILE_BYTES = 16 * 1024 * 1024;
/** Delay between the last keystroke and the check, ms. */
const CHECK_DELAY_MS = 150;

export interface ListEditorSpec {
  /** Id of the textarea; the other parts use it as a prefix. */
  id: string;
  label: string;
  help: string;
  placeholder: string;
  rows: number;
  check(text: string): ListCheck;
  /** Adds "Load from file…" with these accepted types. */
  fileAccept?: string;
}

export interface ListEditor {
  element: HTMLElement;
  textarea: HTMLTextAreaElement;
  /** Replaces the text (no change event) and checks it now. */
  set(text: string): void;
  /** The last check of the current text (an edit still waiting for its check is checked and
   *  reported through onChange first). */
  current(): { text: string; check: ListCheck };
  /** Extra problems for the list as a whole (from validateOptions), shown under the editor. */
  setExtra(messages: string[]): void;
}

/** Creates the editor; `onChange(text, check)` runs after each (debounced) check of an edit. */
export function createListEditor(spec: ListEditorSpec, onChange: (text: string, check: ListCheck) => void): ListEditor {
  const textarea = el('textarea', {
    id: spec.id,
    class: 'list-text',
    attrs: {
      rows: spec.rows,
      spellcheck: 'false',
      autocomplete: 'off',
      autocapitalize: 'off',
      placeholder: spec.placeholder,
      'aria-describedby': `${spec.id}-help ${spec.id}-count ${spec.id}-problems`,
    },
  });
  const count = el('p', { id: `${spec.id}-count`, class: 'list-count', attrs: { 'aria-live': 'polite' } });
  const problems = el('ul', { id: `${spec.id}-problems`, class: 'field-problems' });
  const extra = el('p', { class: 'field-error', attrs: { hidden: true } });
  const fileNote = el('span', { id: `${spec.id}-file-note`, class: 'muted file-note', attrs: { 'aria-live': 'polite' } });
  let fileRow: HTMLElement | null = null;
  if (spec.fileAccept) {
    const input = el('input', { id: `${spec.id}-file`, class: 'visually-hidden', attrs: { type: 'file', accept: spec.fileAccept } });
    const button = el('label', { class: 'button small', attrs: { for: `${spec.id}-file` } }, 'Load from file…');
    input.addEventListener('change', () => {
      const f = input.files?.[0];
      input.value = '';
      if (f) void load(f);
    });
    fileRow = el('div', { class: 'file-row' }, input, button, fileNote);
  }
  const element = el(
    'div',
    { class: 'list-editor' },
    el('label', { class: 'editor-label', attrs: { for: spec.id } }, spec.label),
    el('p', { id: `${spec.id}-help`, class: 'help' }, spec.help),
    textarea,
    fileRow,
    count,
    extra,
    problems,
  );

  let text = '';
  let last: ListCheck = spec.check('');
  let timer: ReturnType<typeof setTimeout> | undefined;

  function render(c: ListCheck): void {
    count.textContent = c.countText;
    textarea.setAttribute('aria-invalid', String(c.problems.length > 0));
    const shown = c.problems.slice(0, MAX_LISTED_PROBLEMS);
    replaceChildren(
      problems,
      ...shown.map((p) =>
        el(
          'li',
          { attrs: { 'data-line': p.line } },
          el('span', { class: 'line-no' }, `Line ${p.line}`),
          ': ',
          el('code', {}, p.entry),
          ` — ${p.message}`,
        ),
      ),
      c.problems.length > shown.length ? el('li', { class: 'muted' }, `…and ${(c.problems.length - shown.length).toLocaleString('en-US')} more.`) : null,
    );
  }
  function runCheck(): void {
    clearTimeout(timer);
    timer = undefined;
    text = textarea.value;
    last = spec.check(text);
    render(last);
  }
  textarea.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      runCheck();
      onChange(text, last);
    }, CHECK_DELAY_MS);
  });

  async function load(f: File): Promise<void> {
    if (f.size > MAX_LIST_FILE_BYTES) {
      fileNote.textContent = `${f.name} is ${formatBytes(f.size)}; at most ${formatBytes(MAX_LIST_FILE_BYTES)} can be loaded.`;
      return;
    }
    try {
      const t = await f.text();
      textarea.value = t;
      runCheck();
      const lines = t === '' ? 0 : t.split(/\r\n|\n|\r/).length;
      fileNote.textContent = `Loaded ${lines.toLocaleString('en-US')} line${lines === 1 ? '' : 's'} from ${f.name}.`;
      onChange(text, last);
    } catch (e) {
      fileNote.textContent = `${f.name} could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  return {
    element,
    textarea,
    set(t) {
      textarea.value = t;
      if (fileNote) fileNote.textContent = '';
      runCheck();
    },
    current() {
      if (timer !== undefined) {
        runCheck();
        onChange(text, last);
      }
      return { text, check: last };
    },
    setExtra(messages) {
      extra.hidden = messages.length === 0;
      extra.textContent = messages.join(' ');
    },
  };
}
