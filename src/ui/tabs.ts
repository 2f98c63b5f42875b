// Tabs, the WAI-ARIA tabs pattern (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/): a tablist of
// buttons (role=tab, aria-selected, aria-controls, roving tabindex) and one tabpanel per tab
// (aria-labelledby, hidden when not selected). Left/Right arrows move to the previous/next tab and
// select it (automatic activation), Home/End the first/last. DOM ids: tab-<id>, tabpanel-<id>.

import { el } from './dom';

/** One tab: its id (used in DOM ids), its label, and the element shown in its panel. */
export interface TabSpec {
  id: string;
  label: string;
  panel: HTMLElement;
}

export interface Tabs {
  element: HTMLElement;
  /** Selects tab `id` (optionally moving focus to it). */
  select(id: string, focus?: boolean): void;
  /** The selected tab's id. */
  selected(): string;
  /** Changes a tab's label (e.g. "Alerts (12 in range)"). */
  setLabel(id: string, label: string): void;
}

/** Creates the tabs; `onChange(id)` after each selection. `label` names the tablist. */
export function createTabs(specs: TabSpec[], label: string, onChange?: (id: string) => void): Tabs {
  const buttons = specs.map((s) =>
    el('button', { id: `tab-${s.id}`, class: 'tab', attrs: { type: 'button', role: 'tab', 'aria-controls': `tabpanel-${s.id}`, 'aria-selected': 'false', tabindex: -1 } }, s.label),
  );
  const panels = specs.map((s) =>
    el('div', { id: `tabpanel-${s.id}`, class: 'tabpanel', attrs: { role: 'tabpanel', 'aria-labelledby': `tab-${s.id}`, tabindex: 0, hidden: true } }, s.panel),
  );
  const list = el('div', { class: 'tablist', attrs: { role: 'tablist', 'aria-label': label } }, ...buttons);
  const element = el('section', { class: 'tabs', attrs: { 'aria-label': label } }, list, ...panels);
  let current = -1;

  function selectIndex(k: number, focus: boolean): void {
    if (k < 0 || k >= specs.length) return;
    const changed = k !== current;
    current = k;
    buttons.forEach((b, j) => {
      b.setAttribute('aria-selected', String(j === k));
      b.tabIndex = j === k ? 0 : -1;
      panels[j].hidden = j !== k;
    });
    element.dataset.selected = specs[k].id;
    if (focus) buttons[k].focus();
    if (changed) onChange?.(specs[k].id);
  }

  buttons.forEach((b, k) => {
    b.addEventListener('click', () => selectIndex(k, false));
    b.addEventListener('keydown', (e) => {
      let next = -1;
      if (e.key === 'ArrowRight') next = (k + 1) % specs.length;
      else if (e.key === 'ArrowLeft') next = (k - 1 + specs.length) % specs.length;
      else if (e.key === 'Home') next = 0;
      else if (e.key === 'End') next = specs.length - 1;
      if (next < 0) return;
      e.preventDefault();
      selectIndex(next, true);
    });
  });
  selectIndex(0, false);

  return {
    element,
    select: (id, focus = false) => selectIndex(specs.findIndex((s) => s.id === id), focus),
    selected: () => specs[current]?.id ?? '',
    setLabel(id, text) {
      const k = specs.findIndex((s) => s.id === id);
      if (k >= 0) buttons[k].textContent = text;
    },
  };
}
