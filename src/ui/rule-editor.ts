// The flow-rule editor: one row per rule (enabled, name, expression, severity, remove) and "Add
// rule". Every edit is reported at once (onChange) so the settings panel can validate it; problems
// come back through showProblems and are shown under the field, an expression error with a caret
// under the column it names. Owns only its DOM and the list it was given.
import type { FlowRule } from '../shared/protocol';
import { FEATURE_NAMES } from '../rules/flow-rules';
import { el, replaceChildren } from './dom';
import { caretLine, type RuleProblems } from './lists';

/** Definitions of the flow features for the help list (FEATURE_NAMES order is the contract's;
 *  a name missing here is listed without a definition). */
const FEATURE_HELP: Record<string, string> = {
  packets: 'packets of the flow in the window',
  bytes: 'bytes of the flow in the window',
  mean_size: 'bytes / packets',
  packets_per_s: 'packets / max(last − first, 1 s)',
  bytes_per_s: 'bytes / max(last − first, 1 s)',
  dst_ports: 'distinct destination ports the originator contacted in the window, over all its flows',
  syn_ratio: 'SYN packets / packets (TCP; 0 otherwise)',
};

const SEVERITIES: FlowRule['severity'][] = ['low', 'medium', 'high'];

export interface RuleEditor {
  element: HTMLElement;
  /** Replaces the rules (a copy is kept; no change event). */
  set(rules: readonly FlowRule[]): void;
  /** Shows the problems per rule index (absent = none). */
  showProblems(problems: Map<number, RuleProblems>): void;
}

/** Creates the editor; `onChange(rules)` gets a fresh copy after every edit. */
export function createRuleEditor(onChange: (rules: FlowRule[]) => void): RuleEditor {
  const tbody = el('tbody');
  const table = el(
    'table',
    { id: 'rule-table', class: 'rule-table' },
    el('caption', { class: 'visually-hidden' }, 'Flow rules'),
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { attrs: { scope: 'col' } }, 'On'),
        el('th', { attrs: { scope: 'col' } }, 'Name'),
        el('th', { attrs: { scope: 'col' } }, 'Expression'),
        el('th', { attrs: { scope: 'col' } }, 'Severity'),
        el('th', { attrs: { scope: 'col' } }, el('span', { class: 'visually-hidden' }, 'Remove')),
      ),
    ),
    tbody,
  );
  const add = el('button', { id: 'rule-add', class: 'button small', attrs: { type: 'button' } }, 'Add rule');
  const empty = el('p', { class: 'muted', attrs: { hidden: true } }, 'No flow rules.');
  const vars = el(
    'details',
    { class: 'rule-vars' },
    el('summary', {}, 'Variables and operators'),
    el(
      'dl',
      {},
      ...FEATURE_NAMES.flatMap((n) => [el('dt', {}, el('code', {}, n)), el('dd', {}, FEATURE_HELP[n] ?? '')]),
    ),
    el('p', { class: 'help' }, 'Operators: and, or, not, < <= > >= == !=, + − * /, parentheses. Example: syn_ratio > 0.9 and packets >= 20'),
  );
  const element = el(
    'div',
    { class: 'rule-editor' },
    el('p', { class: 'editor-label', id: 'rule-title' }, 'Rules'),
    el('p', { class: 'help' }, 'A rule fires for each flow and window where its expression is true. Invalid rules block the analysis until fixed.'),
    el('div', { class: 'rule-scroll' }, table),
    empty,
    el('div', { class: 'rule-actions' }, add),
    vars,
  );

  let rules: FlowRule[] = [];
  const emit = () => onChange(rules.map((r) => ({ ...r })));

  function row(r: FlowRule, i: number): HTMLTableRowElement {
    const id = `rule-${i}`;
    const enabled = el('input', { id: `${id}-enabled`, attrs: { type: 'checkbox', 'aria-label': `Rule ${i + 1} enabled` } });
    enabled.checked = r.enabled;
    const name = el('input', { id: `${id}-name`, class: 'rule-name', attrs: { type: 'text', value: r.name, 'aria-label': `Rule ${i + 1} name`, spellcheck: 'false', 'aria-describedby': `${id}-name-error` } });
    const expr = el('input', {
      id: `${id}-expr`,
      class: 'rule-expr mono',
      attrs: { type: 'text', value: r.expr, 'aria-label': `Rule ${i + 1} expression`, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': `${id}-expr-error` },
    });
    const sev = el('select', { id: `${id}-severity`, attrs: { 'aria-label': `Rule ${i + 1} severity` } }, ...SEVERITIES.map((s) => el('option', { attrs: { value: s } }, s)));
    sev.value = r.severity;
    const remove = el('button', { class: 'button small remove', attrs: { type: 'button', 'aria-label': `Remove rule ${i + 1}` } }, 'Remove');
    enabled.addEventListener('change', () => {
      rules[i].enabled = enabled.checked;
      emit();
    });
    name.addEventListener('input', () => {
      rules[i].name = name.value;
      emit();
    });
    expr.addEventListener('input', () => {
      rules[i].expr = expr.value;
      emit();
    });
    sev.addEventListener('change', () => {
      rules[i].severity = sev.value as FlowRule['severity'];
      emit();
    });
    remove.addEventListener('click', () => {
      rules.splice(i, 1);
      render();
      emit();
      const next = tbody.querySelector<HTMLElement>(`#rule-${Math.min(i, rules.length - 1)}-name`);
      (next ?? add).focus();
    });
    return el(
      'tr',
      { attrs: { 'data-rule': i } },
      el('td', {}, enabled),
      el('td', {}, name, el('p', { id: `${id}-name-error`, class: 'field-error', attrs: { hidden: true } })),
      el('td', { class: 'expr-cell' }, expr, el('div', { id: `${id}-expr-error`, class: 'field-error expr-error', attrs: { hidden: true } })),
      el('td', {}, sev),
      el('td', {}, remove),
    );
  }

  function render(): void {
    replaceChildren(tbody, ...rules.map(row));
    empty.hidden = rules.length > 0;
  }

  add.addEventListener('click', () => {
    const names = new Set(rules.map((r) => r.name));
    let n = rules.length + 1;
    while (names.has(`rule ${n}`)) n++;
    rules.push({ name: `rule ${n}`, expr: '', severity: 'medium', enabled: true });
    render();
    emit();
    tbody.querySelector<HTMLElement>(`#rule-${rules.length - 1}-expr`)?.focus();
  });

  return {
    element,
    set(next) {
      rules = next.map((r) => ({ ...r }));
      render();
    },
    showProblems(problems) {
      for (let i = 0; i < rules.length; i++) {
        const p = problems.get(i);
        const nameInput = tbody.querySelector<HTMLInputElement>(`#rule-${i}-name`);
        const nameErr = tbody.querySelector<HTMLElement>(`#rule-${i}-name-error`);
        const exprInput = tbody.querySelector<HTMLInputElement>(`#rule-${i}-expr`);
        const exprErr = tbody.querySelector<HTMLElement>(`#rule-${i}-expr-error`);
        if (!nameInput || !nameErr || !exprInput || !exprErr) continue;
        nameInput.setAttribute('aria-invalid', String(!!p?.name));
        nameErr.hidden = !p?.name;
        nameErr.textContent = p?.name ?? '';
        exprInput.setAttribute('aria-invalid', String(!!p?.expr));
        exprErr.hidden = !p?.expr;
        if (p?.expr) {
          const e = p.expr;
          const expr = rules[i].expr;
          const at = e.column !== undefined ? ` (column ${e.column})` : '';
          replaceChildren(
            exprErr,
            el('p', { class: 'expr-message' }, `${e.message}${at}`),
            e.column !== undefined && expr !== ''
              ? el('pre', { class: 'caret', attrs: { 'aria-hidden': 'true', 'data-column': e.column } }, expr, '\n', el('span', { class: 'caret-mark' }, caretLine(expr, e.column)))
              : null,
          );
        } else replaceChildren(exprErr);
      }
    },
  };
}
