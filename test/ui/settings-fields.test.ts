// The settings form covers every parameter of AnalysisOptions, and its path and number helpers.
import { describe, expect, it } from 'vitest';
import { defaultOptions } from '../../src/rules/options';
import {
  SETTINGS_GROUPS,
  allFields,
  defaultText,
  fieldForProblem,
  fieldPaths,
  formatNumberInput,
  getPath,
  leafPaths,
  parseNumberInput,
  setPath,
  type NumberField,
} from '../../src/ui/settings-fields';

describe('SETTINGS_GROUPS', () => {
  const paths = allFields().flatMap(fieldPaths);

  it('has a field for every leaf of the default options, and no field without a leaf', () => {
    const leaves = leafPaths(defaultOptions());
    expect(leaves.length).toBeGreaterThan(40);
    for (const leaf of leaves) expect(paths, leaf).toContain(leaf);
    // `seed` is optional (absent from the defaults); every other field writes an existing leaf.
    for (const p of paths) if (p !== 'seed') expect(leaves, p).toContain(p);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('gives every number field a label, a unit or an explicit none, and a help line', () => {
    for (const f of allFields()) {
      if (f.kind !== 'number') continue;
      expect(f.label, f.path).not.toBe('');
      expect(f.help.length, f.path).toBeGreaterThan(10);
      if (f.path !== 'seed') expect(f.unit, f.path).not.toBe('');
    }
  });

  it('groups the rule detectors with their own rate limit', () => {
    for (const [group, limit] of [['portscan', 'limits.portscan'], ['synflood', 'limits.synflood'], ['flowrule', 'limits.flowrule'], ['blacklist', 'limits.blacklist']]) {
      const g = SETTINGS_GROUPS.find((x) => x.id === group)!;
      expect(g.sections.flatMap((s) => s.fields).some((f) => f.path === limit), group).toBe(true);
    }
  });
});

describe('paths', () => {
  it('gets and sets by dot path', () => {
    const o = defaultOptions();
    expect(getPath(o, 'rules.portscan.threshold')).toBe(o.rules.portscan.threshold);
    setPath(o, 'rules.portscan.threshold', 42);
    expect(o.rules.portscan.threshold).toBe(42);
    expect(getPath(o, 'rules.nothing.here')).toBeUndefined();
  });

  it('maps a validation problem to the longest matching field path', () => {
    const paths = ['rules.blacklist.entries', 'rules.blacklist.enabled', 'limits.flowrule.max', 'flowFeatures.rules', 'flowFeatures.windowS'];
    expect(fieldForProblem('rules.blacklist.entries[3]', paths)).toBe('rules.blacklist.entries');
    expect(fieldForProblem('rules.blacklist.entries.3', paths)).toBe('rules.blacklist.entries');
    expect(fieldForProblem('flowFeatures.rules[1].expr', paths)).toBe('flowFeatures.rules');
    expect(fieldForProblem('limits.flowrule.max', paths)).toBe('limits.flowrule.max');
    // A prefix that is not a whole segment does not match.
    expect(fieldForProblem('flowFeatures.windowSize', paths)).toBeNull();
    expect(fieldForProblem('chunkBytes', paths)).toBeNull();
  });
});

describe('number inputs', () => {
  const mib: Pick<NumberField, 'scale'> = { scale: 1024 * 1024 };

  it('parses the shown value times the scale, and refuses text that is not a number', () => {
    expect(parseNumberInput(' 256 ', mib)).toEqual({ value: 256 * 1024 * 1024 });
    expect(parseNumberInput('0.5', {})).toEqual({ value: 0.5 });
    expect(parseNumberInput('12abc', {}).error).toBe('Enter a number.');
    expect(parseNumberInput('', {}).error).toBe('Enter a number.');
    expect(parseNumberInput('', { optional: true })).toEqual({ value: undefined });
  });

  it('formats the stored value divided by the scale, without float noise', () => {
    expect(formatNumberInput(268435456, mib)).toBe('256');
    expect(formatNumberInput(0.1 + 0.2, {})).toBe('0.3');
    expect(formatNumberInput(undefined, {})).toBe('');
  });

  it('writes the default with its unit', () => {
    const f = allFields().find((x) => x.path === 'flow.memoryCapBytes') as NumberField;
    const o = defaultOptions();
    expect(defaultText(f, o)).toBe(`Default ${o.flow.memoryCapBytes / 1048576} MiB.`);
  });
});
