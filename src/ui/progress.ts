// The progress panel: a <progress> bar of bytes read / file bytes, packets and packets/s, and the
// Cancel button. Owns only its own DOM; cancelling is the caller's job (onCancel).
import type { Progress } from '../shared/protocol';
import { el } from './dom';
import { formatBytes, formatInt, formatRate } from './format';

/** The progress panel. Hidden until `start`; `finish` hides it again. */
export interface ProgressPanel {
  element: HTMLElement;
  start(fileName: string, fileBytes: number): void;
  update(p: Progress): void;
  finish(): void;
}

/** Creates the progress panel; `onCancel` runs when Cancel is pressed (once per analysis). */
export function createProgress(onCancel: () => void): ProgressPanel {
  const bar = el('progress', { id: 'progress-bar', attrs: { max: 1, value: 0, 'aria-labelledby': 'progress-title' } });
  const title = el('span', { id: 'progress-title' }, 'Reading');
  const detail = el('span', { class: 'progress-detail', attrs: { 'aria-live': 'off' } });
  const cancel = el('button', { id: 'cancel-button', class: 'button', attrs: { type: 'button' } }, 'Cancel');
  const element = el(
    'section',
    { id: 'progress', class: 'progress', attrs: { hidden: true, 'aria-label': 'Progress' } },
    el('div', { class: 'progress-head' }, title, cancel),
    bar,
    detail,
  );
  cancel.addEventListener('click', () => {
    cancel.disabled = true;
    cancel.textContent = 'Cancelling…';
    onCancel();
  });
  return {
    element,
    start(fileName, fileBytes) {
      element.hidden = false;
      title.textContent = `Reading ${fileName}`;
      bar.max = Math.max(1, fileBytes);
      bar.value = 0;
      detail.textContent = `0 of ${formatBytes(fileBytes)}`;
      cancel.disabled = false;
      cancel.textContent = 'Cancel';
    },
    update(p) {
      bar.max = Math.max(1, p.fileBytes);
      bar.value = Math.min(p.bytesRead, p.fileBytes);
      detail.textContent = `${formatBytes(p.bytesRead)} of ${formatBytes(p.fileBytes)} · ${formatInt(p.packets)} packets · ${formatRate(p.packetsPerS, 'pkt')} · ${formatInt(p.alerts)} alerts`;
    },
    finish() {
      element.hidden = true;
    },
  };
}
