// Options: defaults are a safe copy, validation names the path of every problem (types, units and
// ranges, lateness vs window, lists, flow rules), and config files merge onto a base with unknown
// keys and wrong types reported.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type AnalysisOptions } from '../../src/shared/protocol';
import { DEFAULT_FLOW_RULES } from '../../src/rules/flow-rules';
import { defaultOptions, mergeOptions, validateOptions } from '../../src/rules/options';

const paths = (o: AnalysisOptions) => validateOptions(o).map((p) => p.path);

describe('defaultOptions', () => {
  it('is a deep copy of DEFAULT_OPTIONS with the default rules and services, and valid', () => {
    const a = defaultOptions();
    expect(a).toEqual(DEFAULT_OPTIONS);
    expect(a.flowFeatures.rules).toEqual(DEFAULT_FLOW_RULES);
    expect(a.rules.unusual.normal.length).toBeGreaterThan(10);
    a.rules.portscan.threshold = 99;
    a.flowFeatures.rules[0].expr = 'packets > 1';
    a.rules.unusual.normal.push('tcp/1');
    expect(DEFAULT_OPTIONS.rules.portscan.threshold).toBe(10);
    expect(DEFAULT_OPTIONS.flowFeatures.rules[0].expr).toBe(DEFAULT_FLOW_RULES[0].expr);
    expect(DEFAULT_OPTIONS.rules.unusual.normal).not.toContain('tcp/1');
    expect(validateOptions(defaultOptions())).toEqual([]);
  });
});

describe('validateOptions', () => {
  it('checks units and ranges of numbers, with the path', () => {
    const o = defaultOptions();
    o.zscore.window = 1.5;
    o.flow.tcpTimeoutS = 0;
    o.rules.portscan.windowS = -1;
    o.rules.synflood.threshold = Number.NaN;
    o.limits.flowrule.max = 0;
    o.chunkBytes = 1000;
    o.maxAlerts = -1;
    const problems = validateOptions(o);
    expect(problems.map((p) => p.path)).toEqual([
      'zscore.window',
      'flow.tcpTimeoutS',
      'rules.portscan.windowS',
      'rules.synflood.threshold',
      'limits.flowrule.max',
      'chunkBytes',
      'maxAlerts',
    ]);
    expect(problems[0].message).toMatch(/whole number of packets/);
    expect(problems[1].message).toMatch(/above 0 seconds/);
    expect(problems[3].message).toMatch(/expected a number/);
  });

  it('checks types, seeds, and that lateness is below the flow window', () => {
    const o = defaultOptions() as unknown as Record<string, any>;
    o.zscore.enabled = 'yes';
    o.seed = -3;
    o.flowFeatures.latenessS = 60;
    expect(paths(o as AnalysisOptions)).toEqual(['zscore.enabled', 'seed', 'flowFeatures.latenessS']);
    const p = validateOptions(o as AnalysisOptions).find((x) => x.path === 'flowFeatures.latenessS');
    expect(p?.message).toMatch(/below flowFeatures.windowS \(60 s\)/);
    o.seed = undefined;
    o.zscore.enabled = true;
    o.flowFeatures.latenessS = 59.5;
    expect(paths(o as AnalysisOptions)).toEqual([]);
  });

  it('checks the blacklist, the normal services and the flow rules entry by entry', () => {
    const o = defaultOptions();
    o.rules.blacklist.entries = ['10.0.0.0/8', '10.0.0.999'];
    o.rules.unusual.normal = ['tcp/80', 'tcp/99999'];
    o.flowFeatures.rules = [
      { name: 'ok', expr: 'packets > 1', severity: 'low', enabled: true },
      { name: 'ok', expr: 'packets >> 1', severity: 'urgent' as 'low', enabled: true },
    ];
    const problems = validateOptions(o);
    expect(problems.map((p) => p.path)).toEqual([
      'flowFeatures.rules[1].severity',
      'flowFeatures.rules[1].name',
      'flowFeatures.rules[1].expr',
      'rules.blacklist.entries[1]',
      'rules.unusual.normal[1]',
    ]);
    expect(problems[2].message).toMatch(/column 10/);
    expect(problems[3].message).toMatch(/10\.0\.0\.999/);
  });
});

describe('mergeOptions', () => {
  it('merges a config file onto the base without touching the base', () => {
    const base = defaultOptions();
    const json = JSON.parse(`{
      "rules": { "portscan": { "threshold": 25 }, "blacklist": { "entries": ["203.0.113.0/24"] } },
      "flowFeatures": { "windowS": 30, "rules": [ { "name": "big", "expr": "bytes > 1e9" } ] },
      "limits": { "portscan": { "enabled": true } },
      "seed": 7
    }`);
    const { options, problems } = mergeOptions(base, json);
    expect(problems).toEqual([]);
    expect(options.rules.portscan).toEqual({ enabled: true, threshold: 25, windowS: 60 });
    expect(options.rules.blacklist.entries).toEqual(['203.0.113.0/24']);
    expect(options.flowFeatures.windowS).toBe(30);
    expect(options.flowFeatures.rules).toEqual([{ name: 'big', expr: 'bytes > 1e9', severity: 'medium', enabled: true }]);
    expect(options.limits.portscan).toEqual({ enabled: true, max: 10, perS: 60 });
    expect(options.seed).toBe(7);
    expect(base).toEqual(DEFAULT_OPTIONS);
    expect(validateOptions(options)).toEqual([]);
    expect(mergeOptions(options, { seed: null }).options.seed).toBeUndefined();
  });

  it('reports unknown keys and wrong types with their path and keeps the base value', () => {
    const { options, problems } = mergeOptions(defaultOptions(), {
      zscore: { Threshold: 4, window: '100' },
      rules: { portscan: 5, synflod: {} },
      bogus: 1,
      flowFeatures: { rules: [{ name: 'x', expr: 'packets > 1', colour: 'red' }] },
    });
    expect(problems).toEqual([
      { path: 'zscore.Threshold', message: 'unknown option (did you mean "zscore.threshold"?)' },
      { path: 'zscore.window', message: expect.stringMatching(/expected a number/) },
      { path: 'rules.portscan', message: expect.stringMatching(/expected an object/) },
      { path: 'rules.synflod', message: 'unknown option' },
      { path: 'bogus', message: 'unknown option' },
    ]);
    expect(options.zscore.threshold).toBe(3);
    expect(options.zscore.window).toBe(1000);
    // The unknown rule field is left for validateOptions to report.
    expect(validateOptions(options).map((p) => p.path)).toEqual(['flowFeatures.rules[0].colour']);
    expect(mergeOptions(defaultOptions(), [1, 2]).problems[0].message).toMatch(/expected an object/);
  });

  it('a merged value out of range is caught by validateOptions', () => {
    const { options, problems } = mergeOptions(defaultOptions(), { flowFeatures: { windowS: 4 } });
    expect(problems).toEqual([]);
    expect(validateOptions(options)).toEqual([{ path: 'flowFeatures.latenessS', message: expect.stringMatching(/below/) }]);
  });
});
