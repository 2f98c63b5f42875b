// The settings panel (collapsed <details>): the z-score detector's window, threshold and minimum
// samples, with units and defaults from DEFAULT_OPTIONS. Owns only its form; it never starts an
// analysis and never stores anything.
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../shared/protocol';
import { el } from './dom';

/** The settings panel: `element` to mount, `read()` for the options of the next analysis. */
export interface SettingsPanel {
  element: HTMLDetailsElement;
  /** Options built from DEFAULT_OPTIONS with the form's values; invalid fields fall back to the
   *  default and are marked aria-invalid. */
  read(): AnalysisOptions;
}

interface FieldSpec {
  id: string;
  label: string;
  unit: string;
  help: string;
  def: number;
  min: number;
  max: number;
  step: number;
  integer: boolean;
}

/** Creates the settings panel, collapsed, with the defaults filled in. */
export function createSettings(): SettingsPanel {
  const z = DEFAULT_OPTIONS.zscore;
  const specs: FieldSpec[] = [
    { id: 'opt-window', label: 'Window', unit: 'packets', help: 'Sliding baseline per channel.', def: z.window, min: 2, max: 1_000_000, step: 1, integer: true },
    { id: 'opt-threshold', label: 'Threshold', unit: 'z (σ)', help: 'Flag a packet when |z| exceeds this.', def: z.threshold, min: 0.1, max: 1000, step: 0.1, integer: false },
    { id: 'opt-min-samples', label: 'Min samples', unit: 'packets', help: 'Baseline packets before scoring starts.', def: z.minSamples, min: 1, max: 1_000_000, step: 1, integer: true },
  ];
  const inputs = new Map<string, HTMLInputElement>();
  const rows = specs.map((s) => {
    const input = el('input', {
      id: s.id,
      attrs: { type: 'number', min: s.min, max: s.max, step: s.step, value: s.def, inputmode: s.integer ? 'numeric' : 'decimal', 'aria-describedby': `${s.id}-help` },
    });
    inputs.set(s.id, input);
    return el(
      'div',
      { class: 'setting' },
      el('label', { attrs: { for: s.id } }, s.label),
      el('span', { class: 'setting-input' }, input, el('span', { class: 'unit' }, s.unit)),
      el('span', { class: 'help', id: `${s.id}-help` }, `${s.help} Default ${s.def}.`),
    );
  });
  const reset = el('button', { attrs: { type: 'button' } }, 'Reset to defaults');
  reset.addEventListener('click', () => {
    for (const s of specs) {
      const i = inputs.get(s.id)!;
      i.value = String(s.def);
      i.removeAttribute('aria-invalid');
    }
  });
  const element = el(
    'details',
    { id: 'settings', class: 'settings' },
    el('summary', {}, 'Settings'),
    el('div', { class: 'settings-body' }, ...rows, reset),
  );

  function value(s: FieldSpec): number {
    const input = inputs.get(s.id)!;
    const v = Number(input.value);
    const ok = input.value.trim() !== '' && Number.isFinite(v) && v >= s.min && v <= s.max && (!s.integer || Number.isInteger(v));
    if (ok) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    return ok ? v : s.def;
  }

  return {
    element,
    read() {
      const [w, t, m] = specs.map(value);
      return {
        ...DEFAULT_OPTIONS,
        zscore: { ...DEFAULT_OPTIONS.zscore, window: w, threshold: t, minSamples: m },
        flow: { ...DEFAULT_OPTIONS.flow },
      };
    },
  };
}
