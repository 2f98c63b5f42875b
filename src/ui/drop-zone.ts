// The input area: a drop zone (files dropped anywhere on the page land here, with a visible
// drag-over state), a keyboard-reachable file picker (several files at once) and the "Try the
// sample" button. Owns only getting Files; it never reads their bytes (the worker does). Several
// files are queued by the page and analysed one after another (src/ui/queue.ts).
import { el } from './dom';

/** Callbacks of the input area. */
export interface DropZoneHandlers {
  /** Files were dropped or picked (one or more, in the order given). */
  onFiles(files: File[]): void;
  /** The sample button was pressed. */
  onSample(): void;
}

/** The input area: `element` to mount; `setBusy` disables the sample while files are analysed
 *  (more files can still be dropped or picked: they are queued);
 *  `setBlocked` disables the picker and the sample and shows why (invalid settings), with a
 *  button that runs `onReveal`; null unblocks. */
export interface DropZone {
  element: HTMLElement;
  setBusy(busy: boolean): void;
  setBlocked(reason: string | null, onReveal?: () => void): void;
}

/** Creates the drop zone and installs window-level drag handlers (so a drop outside the zone does
 *  not make the browser navigate to the file). */
export function createDropZone(h: DropZoneHandlers): DropZone {
  const input = el('input', {
    id: 'file-input',
    class: 'visually-hidden',
    attrs: { type: 'file', multiple: true, 'aria-describedby': 'drop-help', accept: '.pcap,.pcapng,.cap,.gz,.csv,.json,.jsonl,.log,.txt,application/vnd.tcpdump.pcap' },
  });
  const pick = el('label', { class: 'button primary', attrs: { for: 'file-input' } }, 'Choose captures…');
  const sample = el('button', { id: 'sample-button', class: 'button', attrs: { type: 'button' } }, 'Try the sample');
  const element = el(
    'section',
    { id: 'drop-zone', class: 'drop-zone', attrs: { 'aria-labelledby': 'drop-title', 'aria-describedby': 'drop-help' } },
    el('h2', { id: 'drop-title' }, 'Open a capture'),
    el(
      'p',
      { id: 'drop-help' },
      'Drop pcap, pcapng (optionally .gz), CSV or JSON files here; several files are analysed one after another, each with its own result. They are read in this tab and never uploaded.',
    ),
    el('div', { class: 'drop-actions' }, input, pick, sample),
  );
  const blockedText = el('span', {});
  const reveal = el('button', { id: 'blocked-reveal', class: 'link', attrs: { type: 'button' } }, 'Show the problems');
  const blocked = el('p', { id: 'drop-blocked', class: 'drop-blocked', attrs: { hidden: true, role: 'status' } }, blockedText, ' ', reveal);
  element.append(blocked);
  let onReveal: (() => void) | undefined;
  reveal.addEventListener('click', () => onReveal?.());
  let busy = false;
  let isBlocked = false;
  const sync = () => {
    sample.disabled = busy || isBlocked;
    input.disabled = isBlocked;
    pick.setAttribute('aria-disabled', String(isBlocked));
    pick.classList.toggle('disabled', isBlocked);
    element.classList.toggle('busy', busy);
    element.classList.toggle('blocked', isBlocked);
  };

  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = ''; // picking the same file again fires change again
    if (files.length) h.onFiles(files);
  });
  sample.addEventListener('click', () => h.onSample());

  // Window-level so that dropping anywhere works and never navigates away. dragenter/dragleave
  // fire for every child element; a depth counter tells when the pointer really left.
  let depth = 0;
  const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
  window.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    element.classList.add('dragover');
  });
  window.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  window.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) element.classList.remove('dragover');
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    element.classList.remove('dragover');
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) h.onFiles(files);
  });

  return {
    element,
    setBusy(b) {
      busy = b;
      sync();
    },
    setBlocked(reason, reveal) {
      isBlocked = reason !== null;
      onReveal = reveal;
      blocked.hidden = !isBlocked;
      blockedText.textContent = reason ?? '';
      sync();
    },
  };
}
