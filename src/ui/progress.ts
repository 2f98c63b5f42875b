// The progress panel: a <progress> bar of bytes read / file bytes, packets and packets/s, the
// file's place in the queue and the Cancel button (cancels the file being read; the result so far
// stays on the page and the queue goes on). Owns only its own DOM; cancelling is the caller's job
// (onCancel). Screen readers hear the start and every quarter through a polite live region (the
// numbers themselves change too often to announce).
import type { Progress } from '../shared/protocol';
import { el } from './dom';
import { formatBytes, formatInt, formatRate } from './format';
import { percent } from './queue';

/** The progress panel. Hidden until `start`; `finish` hides it again. */
export interface ProgressPanel {
  element: HTMLElement;
  /** A file starts; `queued`: how many files wait after it. */
  start(fileName: string, fileBytes: number, queued?: number): void;
  update(p: Progress): void;
  finish(): void;
}

/** Creates the progress panel; `onCancel` runs when Cancel is pressed (once per analysis). */
export function createProgress(onCancel: () => void): ProgressPanel {
  const bar = el('progress', { id: 'progress-bar', attrs: { max: 1, value: 0, 'aria-labelledby': 'progress-title' } });
  const title = el('span', { id: 'progress-title' }, 'Reading');
  const detail = el('span', { class: 'progress-detail', attrs: { 'aria-live': 'off' } });
  const waiting = el('span', { id: 'progress-queue', class: 'muted' });
  const spoken = el('p', { id: 'progress-status', class: 'visually-hidden', attrs: { role: 'status', 'aria-live': 'polite' } });
  const cancel = el('button', { id: 'cancel-button', class: 'button', attrs: { type: 'button' } }, 'Cancel');
  const element = el(
    'section',
    { id: 'progress', class: 'progress', attrs: { hidden: true, 'aria-label': 'Progress' } },
    el('div', { class: 'progress-head' }, title, waiting, cancel),
    bar,
    detail,
    spoken,
  );
  let name = '';
  let quarter = 0;
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    onCancel();
  });
  return {
    element,
    start(fileName, fileBytes, queued = 0) {
      name = fileName;
      quarter = 0;
      element.hidden = false;
      title.textContent = `Reading ${fileName}`;
      waiting.textContent = queued > 0 ? `(${queued} more queued)` : '';
      bar.max = Math.max(1, fileBytes);
      bar.value = 0;
      detail.textContent = `0 of ${formatBytes(fileBytes)}`;
      spoken.textContent = `Reading ${fileName}.`;
      cancel.disabled = false;
      cancel.textContent = 'Cancel';
      cancel.setAttribute('aria-label', `Cancel the analysis of ${fileName} (the results so far stay)`);
    },
    update(p) {
      bar.max = Math.max(1, p.fileBytes);
      bar.value = Math.min(p.bytesRead, p.fileBytes);
      detail.textContent = `${formatBytes(p.bytesRead)} of ${formatBytes(p.fileBytes)} · ${formatInt(p.packets)} packets · ${formatRate(p.packetsPerS, 'pkt')} · ${formatInt(p.alerts)} alerts`;
      const q = Math.floor(percent(p.bytesRead / Math.max(1, p.fileBytes)) / 25);
      if (q > quarter && q < 4) {
        quarter = q;
        spoken.textContent = `Reading ${name}: ${q * 25} %.`;
      }
    },
    finish() {
      element.hidden = true;
    },
  };
}
