// The settings panel (a collapsed <details>): every parameter of AnalysisOptions, grouped per
// detector (src/ui/settings-fields.ts), each with label, unit, default and a one-line help; the
// blacklist, normal-services and flow-rule editors. Validated on every edit (field parsing here,
// ranges and cross-field rules by validateOptions, lists by their parsers) with the message next
// to the field and a list of every problem at the top; while anything is invalid `read()` refuses
// (the page blocks the analysis). Saved in IndexedDB (src/store/settings-store.ts) after each edit
// and restored on load; without IndexedDB a note says so and the defaults are used.
import type { AnalysisOptions, FlowRule } from '../shared/protocol';
import { defaultOptions, validateOptions } from '../rules/options';
import {
  openSettingsStore,
  restoreSettings,
  RECORD_VERSION,
  type SettingsStore,
} from '../store/settings-store';
import { el, replaceChildren } from './dom';
import {
  SETTINGS_GROUPS,
  allFields,
  defaultText,
  fieldForProblem,
  fieldPaths,
  formatNumberInput,
  getPath,
  parseNumberInput,
  setPath,
  type Field,
  type FieldGroup,
  type LimitField,
  type NumberField,
  type TextField,
} from './settings-fields';
import { createListEditor } from './list-editor';
import { createRuleEditor } from './rule-editor';
import { checkBlacklistText, checkServicesText, listText, ruleProblems, type ListCheck, type RuleProblems } from './lists';

/** Delay between the last edit and the save, ms. */
const SAVE_DELAY_MS = 300;

/** One problem that blocks the analysis, for the list at the top of the panel. */
export interface SettingsProblem {
  /** Where: "Port scan › Ports (N)" or "Blacklist, line 3". */
  where: string;
  message: string;
  /** Id of the element to focus. */
  focusId: string;
}

/** The settings panel. */
export interface SettingsPanel {
  element: HTMLDetailsElement;
  /** Resolves when saved settings were restored, or could not be (never rejects). */
  ready: Promise<void>;
  /** The options of the next analysis, or the problems that block it. */
  read(): { ok: true; options: AnalysisOptions } | { ok: false; problems: SettingsProblem[] };
  /** Opens the panel and focuses the first problem. */
  revealProblems(): void;
  /** Called after every validation with the problems (empty when valid). */
  onValidity(cb: (problems: SettingsProblem[]) => void): void;
}

/** The id of the input of a field path: "rules.portscan.threshold" → "opt-rules-portscan-threshold". */
export function inputId(path: string): string {
  return `opt-${path.replace(/\./g, '-')}`;
}

/** Creates the panel with the defaults, then restores saved settings from `openStore()`. */
export function createSettings(openStore: () => Promise<SettingsStore> = () => openSettingsStore()): SettingsPanel {
  const defaults = defaultOptions();
  let draft: AnalysisOptions = defaultOptions();
  /** Parse errors of number inputs, by path (text that is not a number, not a whole number). */
  const localErrors = new Map<string, string>();
  const numberInputs = new Map<string, { input: HTMLInputElement; field: NumberField }>();
  const toggles = new Map<string, HTMLInputElement>();
  const textInputs = new Map<string, { input: HTMLInputElement; field: TextField }>();
  const errorSlots = new Map<string, HTMLElement>();
  const labels = new Map<string, string>();
  const groupOfPath = new Map<string, string>();
  let blacklistCheck: ListCheck = checkBlacklistText('');
  let servicesCheck: ListCheck = checkServicesText('');
  let rulesProblems = new Map<number, RuleProblems>();
  let problems: SettingsProblem[] = [];
  const listeners: ((p: SettingsProblem[]) => void)[] = [];

  const blacklist = createListEditor(
    {
      id: 'blacklist-text',
      label: 'Addresses and ranges',
      help: 'One IPv4/IPv6 address or CIDR range per line (commas also separate); # starts a comment.',
      placeholder: '# e.g.\n203.0.113.7\n198.51.100.0/24\n2001:db8::/32',
      rows: 6,
      check: checkBlacklistText,
      fileAccept: '.txt,.list,.csv,.conf,text/plain',
    },
    (_t, c) => {
      blacklistCheck = c;
      changed();
    },
  );
  const services = createListEditor(
    {
      id: 'services-text',
      label: 'Normal services',
      help: 'One per line: tcp/80, udp/53, tcp/6000-6063, icmp, icmpv6, proto/47; # starts a comment.',
      placeholder: 'tcp/80\nudp/53',
      rows: 6,
      check: checkServicesText,
    },
    (_t, c) => {
      servicesCheck = c;
      changed();
    },
  );
  const rules = createRuleEditor((r: FlowRule[]) => {
    draft.flowFeatures.rules = r;
    changed();
  });
  const editors: Record<'blacklist' | 'services' | 'rules', { element: HTMLElement }> = { blacklist, services, rules };

  // ---- rendering the fields ----
  function errorSlot(path: string): HTMLElement {
    const slot = el('p', { id: `${inputId(path)}-error`, class: 'field-error', attrs: { hidden: true, 'aria-live': 'polite' } });
    errorSlots.set(path, slot);
    return slot;
  }
  function numberInput(f: NumberField, id: string, ariaLabel?: string): HTMLInputElement {
    const input = el('input', {
      id,
      attrs: {
        type: 'text',
        inputmode: f.integer ? 'numeric' : 'decimal',
        autocomplete: 'off',
        spellcheck: 'false',
        'aria-label': ariaLabel,
        'aria-describedby': `${id}-help ${id}-error`,
      },
    });
    numberInputs.set(f.path, { input, field: f });
    input.addEventListener('input', () => {
      const { value, error } = parseNumberInput(input.value, f);
      if (error) localErrors.set(f.path, error);
      else if (f.integer && value !== undefined && !Number.isInteger(value)) localErrors.set(f.path, 'Enter a whole number.');
      else localErrors.delete(f.path);
      setPath(draft, f.path, value);
      changed();
    });
    return input;
  }
  function toggleInput(path: string, id: string, label: string): HTMLElement {
    const input = el('input', { id, attrs: { type: 'checkbox' } });
    toggles.set(path, input);
    input.addEventListener('change', () => {
      setPath(draft, path, input.checked);
      changed();
    });
    return el('label', { class: 'toggle', attrs: { for: id } }, input, ` ${label}`);
  }
  function renderField(g: FieldGroup, f: Field): HTMLElement {
    if (f.kind === 'editor') {
      labels.set(f.path, g.title);
      groupOfPath.set(f.path, g.id);
      return editors[f.editor].element;
    }
    const id = inputId(f.path);
    for (const p of fieldPaths(f)) groupOfPath.set(p, g.id);
    if (f.kind === 'toggle') {
      labels.set(f.path, `${g.title} › ${f.label}`);
      return el('div', { class: 'setting setting-toggle' }, toggleInput(f.path, id, f.label), f.help ? el('span', { class: 'help', id: `${id}-help` }, f.help) : null);
    }
    if (f.kind === 'limit') return renderLimit(g, f);
    if (f.kind === 'text') {
      labels.set(f.path, `${g.title} › ${f.label}`);
      const input = el('input', { id, attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `${id}-help ${id}-error` } });
      textInputs.set(f.path, { input, field: f });
      input.addEventListener('input', () => {
        const { value, error } = f.parse(input.value);
        if (error) localErrors.set(f.path, error);
        else localErrors.delete(f.path);
        if (!error) setPath(draft, f.path, value);
        changed();
      });
      return el('div', { class: 'setting' }, el('label', { attrs: { for: id } }, f.label), el('span', { class: 'setting-input' }, input, el('span', { class: 'unit' }, f.unit)), el('span', { class: 'help', id: `${id}-help` }, f.help), errorSlot(f.path));
    }
    labels.set(f.path, `${g.title} › ${f.label}`);
    const def = defaultText(f, defaults);
    return el(
      'div',
      { class: 'setting' },
      el('label', { attrs: { for: id } }, f.label),
      el('span', { class: 'setting-input' }, numberInput(f, id), el('span', { class: 'unit' }, f.unit)),
      el('span', { class: 'help', id: `${id}-help` }, `${f.help} ${def}`.trim()),
      errorSlot(f.path),
    );
  }
  function renderLimit(g: FieldGroup, f: LimitField): HTMLElement {
    const id = inputId(f.path);
    const max: NumberField = { kind: 'number', path: `${f.path}.max`, label: 'alerts', unit: 'alerts', help: '', integer: true };
    const per: NumberField = { kind: 'number', path: `${f.path}.perS`, label: 'seconds', unit: 's', help: '', integer: false };
    labels.set(`${f.path}.enabled`, `${g.title} › ${f.label}`);
    labels.set(max.path, `${g.title} › ${f.label} (alerts)`);
    labels.set(per.path, `${g.title} › ${f.label} (seconds)`);
    const d = getPath(defaults, f.path) as { enabled: boolean; max: number; perS: number } | undefined;
    const defText = d ? ` Default ${d.enabled ? 'on' : 'off'}, ${d.max} per ${d.perS} s.` : '';
    const maxInput = numberInput(max, `${id}-max`, `${g.title}: at most this many alerts`);
    const perInput = numberInput(per, `${id}-perS`, `${g.title}: per this many seconds`);
    maxInput.classList.add('narrow');
    perInput.classList.add('narrow');
    maxInput.setAttribute('aria-describedby', `${id}-help ${id}-max-error`);
    perInput.setAttribute('aria-describedby', `${id}-help ${id}-perS-error`);
    return el(
      'div',
      { class: 'setting setting-limit' },
      el('span', { class: 'limit-title' }, f.label),
      el(
        'span',
        { class: 'setting-input limit-inputs' },
        toggleInput(`${f.path}.enabled`, `${id}-enabled`, 'on:'),
        ' at most ',
        maxInput,
        ' alerts per ',
        perInput,
        el('span', { class: 'unit' }, 's'),
      ),
      el('span', { class: 'help', id: `${id}-help` }, `${f.help}${defText}`),
      errorSlot(max.path),
      errorSlot(per.path),
    );
  }

  const groups = SETTINGS_GROUPS.map((g) =>
    el(
      'fieldset',
      { id: `settings-${g.id}`, class: `settings-group group-${g.id}` },
      el('legend', {}, g.title),
      el('p', { class: 'help group-help' }, g.help),
      ...g.sections.map((s) =>
        el(
          'div',
          { class: `settings-section${s.title ? ' titled' : ''}` },
          s.title ? el('h4', {}, s.title) : null,
          s.help ? el('p', { class: 'help' }, s.help) : null,
          ...s.fields.map((f) => renderField(g, f)),
        ),
      ),
    ),
  );
  const allPaths = allFields().flatMap(fieldPaths);

  // ---- the panel ----
  const state = el('span', { id: 'settings-state', class: 'settings-state' });
  const storeFlag = el('span', { id: 'settings-store-flag', class: 'settings-state warn', attrs: { hidden: true } }, 'not saved: this browser window refuses storage');
  const storeNote = el('p', { id: 'settings-store-note', class: 'store-note muted', attrs: { 'aria-live': 'polite' } }, 'Loading saved settings…');
  const restore = el('button', { id: 'settings-restore', class: 'button small', attrs: { type: 'button' } }, 'Restore defaults');
  const problemBox = el('div', { id: 'settings-problems', class: 'settings-problems', attrs: { hidden: true, role: 'alert' } });
  const element = el(
    'details',
    { id: 'settings', class: 'settings' },
    el('summary', { id: 'settings-summary' }, el('span', { class: 'settings-title' }, 'Settings'), ' ', state, storeFlag),
    el('div', { class: 'settings-bar' }, storeNote, restore),
    problemBox,
    el('div', { class: 'settings-groups' }, ...groups),
  );

  // ---- values in and out ----
  function fill(o: AnalysisOptions, blacklistText: string, servicesText: string): void {
    draft = structuredClone(o);
    localErrors.clear();
    for (const [path, { input, field }] of numberInputs) input.value = formatNumberInput(getPath(draft, path), field);
    for (const [path, input] of toggles) input.checked = getPath(draft, path) === true;
    for (const [path, { input, field }] of textInputs) input.value = field.format(getPath(draft, path));
    blacklist.set(blacklistText);
    services.set(servicesText);
    blacklistCheck = blacklist.current().check;
    servicesCheck = services.current().check;
    rules.set(draft.flowFeatures.rules);
    validate();
  }

  /** The options as they would run: lists from the editors. */
  function built(): AnalysisOptions {
    const o = structuredClone(draft);
    o.rules.blacklist.entries = [...blacklistCheck.entries];
    o.rules.unusual.normal = [...servicesCheck.entries];
    if (o.seed === undefined) delete o.seed;
    return o;
  }

  function validate(): void {
    const o = built();
    const found: SettingsProblem[] = [];
    const byField = new Map<string, string[]>();
    const add = (path: string, message: string) => {
      const list = byField.get(path) ?? [];
      if (!list.includes(message)) list.push(message);
      byField.set(path, list);
    };
    for (const [path, message] of localErrors) add(path, message);
    const editorPaths = new Set(['rules.blacklist.entries', 'rules.unusual.normal', 'flowFeatures.rules']);
    const editorExtra = new Map<string, string[]>();
    rulesProblems = ruleProblems(o.flowFeatures.rules);
    for (const p of validateOptions(o)) {
      const f = fieldForProblem(p.path, allPaths);
      if (!f) {
        found.push({ where: p.path, message: p.message, focusId: 'settings' });
        continue;
      }
      if (editorPaths.has(f)) {
        const own =
          f === 'rules.blacklist.entries' ? blacklistCheck.problems.length : f === 'rules.unusual.normal' ? servicesCheck.problems.length : rulesProblems.size;
        if (own === 0) editorExtra.set(f, [...(editorExtra.get(f) ?? []), p.message]);
        continue;
      }
      if (!localErrors.has(f)) add(f, p.message);
    }

    for (const [path, slot] of errorSlots) {
      const msgs = byField.get(path) ?? [];
      slot.hidden = msgs.length === 0;
      slot.textContent = msgs.join(' ');
      numberInputs.get(path)?.input.setAttribute('aria-invalid', String(msgs.length > 0));
    }
    for (const [path, msgs] of byField) for (const m of msgs) found.push({ where: labels.get(path) ?? path, message: m, focusId: numberInputs.has(path) ? numberInputs.get(path)!.input.id : inputId(path) });

    blacklist.setExtra(editorExtra.get('rules.blacklist.entries') ?? []);
    services.setExtra(editorExtra.get('rules.unusual.normal') ?? []);
    for (const p of blacklistCheck.problems) found.push({ where: `Blacklist, line ${p.line}`, message: `${p.entry} — ${p.message}`, focusId: 'blacklist-text' });
    for (const m of editorExtra.get('rules.blacklist.entries') ?? []) found.push({ where: 'Blacklist', message: m, focusId: 'blacklist-text' });
    for (const p of servicesCheck.problems) found.push({ where: `Normal services, line ${p.line}`, message: `${p.entry} — ${p.message}`, focusId: 'services-text' });
    for (const m of editorExtra.get('rules.unusual.normal') ?? []) found.push({ where: 'Normal services', message: m, focusId: 'services-text' });
    rules.showProblems(rulesProblems);
    for (const [i, p] of rulesProblems) {
      const name = o.flowFeatures.rules[i]?.name || `#${i + 1}`;
      if (p.name) found.push({ where: `Flow rule ${i + 1}`, message: p.name, focusId: `rule-${i}-name` });
      if (p.expr) found.push({ where: `Flow rule “${name}”`, message: `${p.expr.message}${p.expr.column !== undefined ? ` (column ${p.expr.column})` : ''}`, focusId: `rule-${i}-expr` });
    }
    for (const m of editorExtra.get('flowFeatures.rules') ?? []) found.push({ where: 'Flow rules', message: m, focusId: 'rule-add' });

    // Mark the groups with problems (their legend shows a count).
    const perGroup = new Map<string, number>();
    for (const [path] of byField) perGroup.set(groupOfPath.get(path) ?? '', (perGroup.get(groupOfPath.get(path) ?? '') ?? 0) + 1);
    if (blacklistCheck.problems.length) perGroup.set('blacklist', (perGroup.get('blacklist') ?? 0) + blacklistCheck.problems.length);
    if (servicesCheck.problems.length) perGroup.set('unusual', (perGroup.get('unusual') ?? 0) + servicesCheck.problems.length);
    if (rulesProblems.size) perGroup.set('flowrule', (perGroup.get('flowrule') ?? 0) + rulesProblems.size);
    for (const g of groups) g.classList.toggle('invalid', (perGroup.get(g.id.slice('settings-'.length)) ?? 0) > 0);

    problems = found;
    renderProblems();
    for (const cb of listeners) cb(problems);
  }

  function renderProblems(): void {
    element.dataset.valid = String(problems.length === 0);
    state.textContent = problems.length ? `${problems.length} problem${problems.length === 1 ? '' : 's'} — analysis blocked` : '';
    state.classList.toggle('bad', problems.length > 0);
    problemBox.hidden = problems.length === 0;
    if (problems.length === 0) {
      replaceChildren(problemBox);
      return;
    }
    replaceChildren(
      problemBox,
      el('p', { class: 'problems-title' }, `Fix ${problems.length === 1 ? 'this setting' : `these ${problems.length} settings`} to analyse a file:`),
      el(
        'ul',
        {},
        ...problems.slice(0, 30).map((p) => {
          const b = el('button', { class: 'link', attrs: { type: 'button', 'data-focus': p.focusId } }, p.where);
          b.addEventListener('click', () => focusProblem(p));
          return el('li', {}, b, `: ${p.message}`);
        }),
        problems.length > 30 ? el('li', { class: 'muted' }, `…and ${problems.length - 30} more.`) : null,
      ),
    );
  }

  function focusProblem(p: SettingsProblem): void {
    element.open = true;
    const target = document.getElementById(p.focusId);
    target?.focus();
    target?.scrollIntoView({ block: 'center' });
  }

  // ---- persistence ----
  let store: SettingsStore | null = null;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  let touched = false;
  element.dataset.store = 'loading';

  function changed(): void {
    touched = true;
    validate();
    scheduleSave();
  }
  function scheduleSave(): void {
    if (!store) return;
    clearTimeout(saveTimer);
    element.dataset.store = 'pending';
    saveTimer = setTimeout(() => void save(), SAVE_DELAY_MS);
  }
  async function save(): Promise<void> {
    if (!store) return;
    try {
      await store.save({
        version: RECORD_VERSION,
        options: built(),
        blacklistText: blacklist.current().text,
        servicesText: services.current().text,
        savedAtMs: Date.now(),
      });
      element.dataset.store = 'saved';
      storeNote.textContent = 'Settings are saved in this browser.';
    } catch (e) {
      unavailable(e);
    }
  }
  function unavailable(e: unknown): void {
    store = null;
    element.dataset.store = 'unavailable';
    storeNote.textContent =
      `Settings cannot be saved in this browser window (${e instanceof Error ? e.message : String(e)}). ` +
      'The defaults are used, and changes last until the page is closed.';
    storeNote.classList.add('warn');
    storeFlag.hidden = false;
  }

  restore.addEventListener('click', () => {
    touched = true;
    clearTimeout(saveTimer);
    fill(defaultOptions(), listText(defaults.rules.blacklist.entries), listText(defaults.rules.unusual.normal));
    if (store) {
      store.clear().then(
        () => {
          element.dataset.store = 'defaults';
          storeNote.textContent = 'Defaults restored; settings are saved in this browser.';
        },
        (e) => unavailable(e),
      );
    }
  });

  fill(defaults, listText(defaults.rules.blacklist.entries), listText(defaults.rules.unusual.normal));
  touched = false;

  const ready = (async () => {
    try {
      store = await openStore();
      const rec = await store.load();
      if (rec !== undefined && !touched) {
        const r = restoreSettings(rec, defaultOptions());
        fill(r.options, r.blacklistText, r.servicesText);
        storeNote.textContent = r.problems.length
          ? `Saved settings restored; ignored: ${r.problems.slice(0, 5).join('; ')}${r.problems.length > 5 ? '; …' : ''}.`
          : 'Saved settings restored.';
        element.dataset.store = 'restored';
      } else {
        storeNote.textContent = 'Defaults; changes are saved in this browser.';
        element.dataset.store = 'defaults';
      }
      if (touched) scheduleSave();
    } catch (e) {
      unavailable(e);
    }
  })();

  return {
    element,
    ready,
    read() {
      // An edit of a list may still wait for its check.
      blacklist.current();
      services.current();
      return problems.length ? { ok: false, problems } : { ok: true, options: built() };
    },
    revealProblems() {
      if (problems[0]) focusProblem(problems[0]);
      else element.open = true;
    },
    onValidity(cb) {
      listeners.push(cb);
      cb(problems);
    },
  };
}
