// The queue panel (issue #5 several files): one row per file with its state (queued / reading N %
// / done: packets, alerts / failed: message / cancelled at N %), a "Show" button for every file
// with a result (the displayed one is marked aria-current), "Remove" for queued files and "Cancel"
// for the file being read. Shown once more than one file was given. Owns only its DOM; the flow
// (src/ui/analysis-flow.ts) owns the AnalysisQueue it renders.
import { el, replaceChildren } from './dom';
import { formatBytes } from './format';
import { stateText, type AnalysisQueue } from './queue';

/** What the panel's buttons ask for. */
export interface QueuePanelHandlers {
  onView(id: number): void;
  onRemove(id: number): void;
  onCancel(id: number): void;
}

export interface QueuePanel {
  element: HTMLElement;
  /** Redraws from the queue (cheap: a row per file). Keeps keyboard focus on the same button. */
  render(q: AnalysisQueue<unknown, unknown>): void;
}

export function createQueuePanel(h: QueuePanelHandlers): QueuePanel {
  const list = el('ol', { id: 'queue-list', class: 'queue-list' });
  const element = el(
    'section',
    { id: 'queue', class: 'panel queue', attrs: { hidden: true, 'aria-labelledby': 'queue-title' } },
    el('h2', { id: 'queue-title' }, 'Files'),
    el('p', { class: 'muted' }, 'Analysed one after another; each keeps its own result. Show switches the result below.'),
    list,
  );
  list.addEventListener('click', (e) => {
    const b = e.target instanceof Element ? e.target.closest('button') : null;
    const id = Number(b?.closest('li')?.dataset.queueId);
    if (!b || !Number.isInteger(id)) return;
    if (b.dataset.action === 'view') h.onView(id);
    else if (b.dataset.action === 'remove') h.onRemove(id);
    else if (b.dataset.action === 'cancel') h.onCancel(id);
  });

  return {
    element,
    render(q) {
      const items = q.items();
      element.hidden = items.length < 2;
      // Keep focus on the same control of the same file across a redraw.
      const active = document.activeElement;
      const focusKey =
        active instanceof HTMLButtonElement && list.contains(active) ? `${active.closest('li')?.dataset.queueId}:${active.dataset.action}` : null;
      const viewed = q.viewed();
      replaceChildren(
        list,
        ...items.map((it) => {
          const buttons: HTMLButtonElement[] = [];
          const button = (action: string, text: string, label: string) =>
            el('button', { class: 'button small', attrs: { type: 'button', 'data-action': action, 'aria-label': label } }, text);
          if (it.state === 'queued') buttons.push(button('remove', 'Remove', `Remove ${it.name} from the queue`));
          if (it.state === 'reading') {
            if (viewed !== it.id) buttons.push(button('view', 'Show', `Show the results so far of ${it.name}`));
            buttons.push(button('cancel', 'Cancel', `Cancel the analysis of ${it.name} (the results so far stay)`));
          }
          if (it.result !== null && it.state !== 'reading' && viewed !== it.id) buttons.push(button('view', 'Show', `Show the result of ${it.name}`));
          return el(
            'li',
            {
              class: `queue-item state-${it.state}`,
              attrs: { 'data-queue-id': it.id, 'data-state': it.state, 'aria-current': viewed === it.id ? 'true' : undefined },
            },
            el('span', { class: 'queue-name break' }, it.name),
            el('span', { class: 'muted queue-size' }, formatBytes(it.bytes)),
            el('span', { class: 'queue-state', attrs: { 'data-packets': it.packets, 'data-alerts': it.alerts } }, stateText(it)),
            viewed === it.id ? el('span', { class: 'tag queue-shown' }, 'shown') : null,
            el('span', { class: 'queue-actions' }, ...buttons),
          );
        }),
      );
      if (focusKey) {
        const [id, action] = focusKey.split(':');
        const again =
          list.querySelector<HTMLButtonElement>(`li[data-queue-id="${id}"] button[data-action="${action}"]`) ??
          list.querySelector<HTMLButtonElement>(`li[data-queue-id="${id}"] button`) ??
          list.querySelector<HTMLButtonElement>('button');
        again?.focus({ preventScroll: true });
      }
    },
  };
}
