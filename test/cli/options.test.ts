// parseCli() in process: every flag lands on its option, the config file sits between the
// defaults and the flags, blacklist files and --rule, and every bad value is a UsageError that
// names the flag, the option path or the file line (the CLI turns it into exit status 2).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCli, UsageError, type CliRun } from '../../src/cli/main';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';
import { coreConfig } from '../../src/worker/pipeline';
import { CFG_BASELINE_FROZEN } from '../../src/shared/abi';

const dir = mkdtempSync(join(tmpdir(), 'flowlens-opts-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const run = (...args: string[]): CliRun => {
  const r = parseCli(['analyze', 'file.pcap', ...args]);
  if (r === 'help') throw new Error('help');
  return r;
};
const fails = (args: string[], message: RegExp) => {
  let err: unknown;
  try {
    run(...args);
  } catch (e) {
    err = e;
  }
  expect(err, args.join(' ')).toBeInstanceOf(UsageError);
  expect((err as Error).message).toMatch(message);
};

describe('parseCli: flags', () => {
  it('defaults: jsonl, suppressed alerts hidden, every detector on', () => {
    const r = run();
    expect(r).toMatchObject({ file: 'file.pcap', format: 'jsonl', quiet: false, includeSuppressed: false });
    expect(r.options.rules.portscan).toEqual(DEFAULT_OPTIONS.rules.portscan);
    expect(r.options.zscore).toEqual(DEFAULT_OPTIONS.zscore);
    expect(r.options.limits).toEqual(DEFAULT_OPTIONS.limits);
    expect(r.options.seed).toBeUndefined();
    expect(parseCli(['--help'])).toBe('help');
  });

  it('maps each rule flag onto its option', () => {
    const o = run(
      '--portscan-ports', '7', '--portscan-window', '30', '--synflood-syns', '5', '--synflood-window', '2.5', '--large-size', '9000',
      '--synflood-slow-syns', '40', '--synflood-slow-window', '300', '--synflood-completed', '0.5',
      '--normal', 'tcp/80, tcp/443 ,udp/53', '--flow-window', '30', '--lateness', '2', '--flow-rule-limit', '3/10',
      '--window', '50', '--threshold', '4', '--min-samples', '10', '--min-std-bytes', '2', '--min-std-fraction', '0.1',
      '--tcp-timeout', '100', '--udp-timeout', '20', '--icmp-timeout', '10', '--max-alerts', '5', '--chunk-bytes', '65536', '--seed', '9',
    ).options;
    expect(o.rules.portscan).toEqual({ enabled: true, threshold: 7, windowS: 30 });
    expect(o.rules.synflood).toEqual({ enabled: true, threshold: 5, windowS: 2.5, completedFraction: 0.5 });
    expect(o.rules.synfloodSlow).toEqual({ enabled: true, threshold: 40, windowS: 300 });
    expect(o.rules.largesize).toEqual({ enabled: true, bytes: 9000 });
    expect(o.rules.unusual.normal).toEqual(['tcp/80', 'tcp/443', 'udp/53']);
    expect(o.flowFeatures).toMatchObject({ windowS: 30, latenessS: 2 });
    expect(o.limits.flowrule).toEqual({ enabled: true, max: 3, perS: 10 });
    expect(o.zscore).toEqual({ enabled: true, window: 50, threshold: 4, minSamples: 10, minStdBytes: 2, minStdFraction: 0.1, highMinSamples: 30, highMaxFactor: 2 });
    expect(o.flow).toMatchObject({ tcpTimeoutS: 100, udpTimeoutS: 20, icmpTimeoutS: 10 });
    expect(o).toMatchObject({ maxAlerts: 5, chunkBytes: 65536, seed: 9 });
    expect(run('--flow-rule-limit', 'off').options.limits.flowrule.enabled).toBe(false);
  });

  it('--no-DETECTOR switches exactly that one off', () => {
    const cases: [string, (r: CliRun) => boolean][] = [
      ['--no-zscore', (r) => r.options.zscore.enabled],
      ['--no-blacklist', (r) => r.options.rules.blacklist.enabled],
      ['--no-portscan', (r) => r.options.rules.portscan.enabled],
      ['--no-portscan-syn', (r) => r.options.rules.portscanSyn.enabled],
      ['--no-address-scan', (r) => r.options.rules.addressScan.enabled],
      ['--no-synflood', (r) => r.options.rules.synflood.enabled],
      ['--no-synflood-slow', (r) => r.options.rules.synfloodSlow.enabled],
      ['--no-synflood-spread', (r) => r.options.rules.synfloodSpread.enabled],
      ['--no-largesize', (r) => r.options.rules.largesize.enabled],
      ['--no-unusual', (r) => r.options.rules.unusual.enabled],
      ['--no-flow-rules', (r) => r.options.flowFeatures.enabled],
    ];
    for (const [flag, get] of cases) {
      const r = run(flag);
      expect(get(r), flag).toBe(false);
      for (const [other, g] of cases) if (other !== flag) expect(g(r), `${flag} leaves ${other}`).toBe(true);
    }
  });

  it('--format, --include-suppressed, --quiet', () => {
    for (const f of ['jsonl', 'csv', 'flows', 'reasons'] as const) expect(run('--format', f).format).toBe(f);
    expect(run('--include-suppressed', '--quiet')).toMatchObject({ includeSuppressed: true, quiet: true });
  });

  it('--rule adds a rule or replaces the expression of one with that name; repeatable', () => {
    const r = run('--rule', 'big=bytes > 5000', '--rule', 'ports = dst_ports >= 50', '--rule', 'big=bytes >= 9000');
    const rules = r.options.flowFeatures.rules;
    expect(rules.slice(-2)).toEqual([
      { name: 'big', expr: 'bytes >= 9000', severity: 'medium', enabled: true },
      { name: 'ports', expr: 'dst_ports >= 50', severity: 'medium', enabled: true },
    ]);
    expect(rules.length).toBe(DEFAULT_OPTIONS.flowFeatures.rules.length + 2);
  });

  it('--blacklist files add their entries (repeatable); --config sits between defaults and flags', () => {
    const a = write('a.txt', '# office\n10.0.0.1\n10.0.0.0/8, 2001:db8::/32 # two on a line\n\n');
    const b = write('b.txt', '192.168.1.100\n');
    expect(run('--blacklist', a, '--blacklist', b).options.rules.blacklist.entries).toEqual(['10.0.0.1', '10.0.0.0/8', '2001:db8::/32', '192.168.1.100']);
    const config = write('c.json', JSON.stringify({
      rules: { portscan: { threshold: 3 }, blacklist: { entries: ['172.16.0.0/12'] }, largesize: { enabled: false } },
      zscore: { threshold: 5 },
      limits: { flowrule: { max: 2 } },
    }));
    const o = run('--config', config, '--portscan-ports', '4', '--blacklist', b).options;
    expect(o.rules.portscan).toEqual({ enabled: true, threshold: 4, windowS: DEFAULT_OPTIONS.rules.portscan.windowS });
    expect(o.rules.blacklist.entries).toEqual(['172.16.0.0/12', '192.168.1.100']);
    expect(o.rules.largesize.enabled).toBe(false);
    expect(o.zscore.threshold).toBe(5);
    expect(o.limits.flowrule).toEqual({ ...DEFAULT_OPTIONS.limits.flowrule, max: 2 });
  });
});

describe('parseCli: usage errors', () => {
  it('bad numbers and lists name the flag', () => {
    fails(['--portscan-ports', 'x'], /--portscan-ports wants a non-negative integer, got "x"/);
    fails(['--portscan-ports=-1'], /--portscan-ports wants a non-negative integer, got "-1"/);
    fails(['--synflood-syns', '2.5'], /--synflood-syns wants a non-negative integer/);
    fails(['--synflood-slow-syns', '2.5'], /--synflood-slow-syns wants a non-negative integer/);
    fails(['--large-size', ''], /--large-size wants a non-negative integer/);
    fails(['--portscan-window', 'soon'], /--portscan-window wants a non-negative number/);
    fails(['--flow-window', 'NaN'], /--flow-window wants a non-negative number/);
    fails(['--lateness', 'Infinity'], /--lateness wants a non-negative number/);
    fails(['--window', '0'], /--window must be at least 1/);
    fails(['--flow-rule-limit', '10'], /--flow-rule-limit wants K\/S/);
    fails(['--flow-rule-limit', '10/0'], /--flow-rule-limit wants K\/S/);
    fails(['--normal', ','], /--normal wants a comma-separated list/);
    fails(['--format', 'xml'], /--format wants jsonl, csv, eve, flows, reasons, conn, conn-csv or timeline/);
  });

  it('option problems found by validation name the option path', () => {
    fails(['--normal', 'tcp/80,http'], /rules\.unusual\.normal\[1\]/);
    fails(['--flow-window', '5', '--lateness', '5'], /flowFeatures\.latenessS/);
  });

  it('--rule problems name the rule', () => {
    fails(['--rule', 'noequals'], /--rule wants NAME=EXPR, got "noequals"/);
    fails(['--rule', 'name='], /--rule wants NAME=EXPR/);
    fails(['--rule', 'broken=packets >'], /^--rule broken: /);
    fails(['--rule', 'typo=pakets > 5'], /^--rule typo: .*pakets/);
  });

  it('config and blacklist problems name the file and the path or line', () => {
    const missing = join(dir, 'nope.json');
    fails(['--config', missing], /cannot read the config file .*nope\.json/);
    fails(['--config', write('syntax.json', '{"zscore": {')], /config file .*syntax\.json is not JSON/);
    fails(['--config', write('list.json', '[]')], /config file .*list\.json: expected a JSON object/);
    fails(['--config', write('unknown.json', '{"rules": {"portscan": {"ports": 3}}}')], /config file .*unknown\.json: rules\.portscan\.ports/);
    fails(['--config', write('late.json', '{"flowFeatures": {"windowS": 5, "latenessS": 9}}')], /flowFeatures\.latenessS/);
    fails(['--blacklist', join(dir, 'nope.txt')], /cannot read the blacklist file/);
    const bl = write('bad-bl.txt', '10.0.0.1\n# fine\n300.1.1.1\n10.0.0.0/33\n');
    fails(['--blacklist', bl], new RegExp(`blacklist ${bl}:3: [^\\n]*300\\.1\\.1\\.1[\\s\\S]*blacklist ${bl}:4: `));
  });

  it('profile flags: --warmup, --profile-threshold, --profile-weights, --no-profile', () => {
    expect(run().options.profile).toEqual(DEFAULT_OPTIONS.profile);
    expect(run('--warmup', '10m').options.profile.warmup).toEqual({ minutes: 10 });
    expect(run('--warmup', '1.5h').options.profile.warmup).toEqual({ minutes: 90 });
    expect(run('--warmup', '25%').options.profile.warmup).toEqual({ percent: 25 });
    expect(run('--profile-threshold', '0.75').options.profile.threshold).toBe(0.75);
    expect(run('--profile-weights', '0.5,0.5').options.profile.weights).toEqual({ statistical: 0.5, ml: 0.5 });
    expect(run('--no-profile').options.profile.enabled).toBe(false);
    expect(run().options.baseline.frozen).toBe(false);
    expect(run('--zscore-high-min-samples', '0', '--zscore-high-max-factor', '3').options.zscore).toMatchObject({ highMinSamples: 0, highMaxFactor: 3 });
    expect(run().options.zscore).toMatchObject({ highMinSamples: DEFAULT_OPTIONS.zscore.highMinSamples, highMaxFactor: DEFAULT_OPTIONS.zscore.highMaxFactor });
    expect(run('--baseline-frozen').options.baseline.frozen).toBe(true);
    expect(coreConfig(run('--baseline-frozen').options, 1)[CFG_BASELINE_FROZEN]).toBe(1);
    expect(coreConfig(run().options, 1)[CFG_BASELINE_FROZEN]).toBe(0);
    fails(['--warmup', '10'], /--warmup: expected minutes/);
    fails(['--warmup', '100%'], /--warmup: a percent above 0 and below 100/);
    fails(['--profile-weights', '0.5'], /--profile-weights wants S,M/);
    fails(['--profile-weights', '0.5,0.6'], /profile\.weights: statistical \+ ml must add up to 1/);
    fails(['--profile-threshold', '0.85'], /profile\.levels\.medium: must be at least profile\.threshold/);
  });

  it('learn needs --out; --out and --baseline belong to their commands', () => {
    const r = parseCli(['learn', 'file.pcap', '--out', 'b.json']);
    expect(r).toMatchObject({ command: 'learn', out: 'b.json' });
    expect(() => parseCli(['learn', 'file.pcap'])).toThrow(/learn needs --out FILE/);
    expect(() => parseCli(['learn', 'file.pcap', '--out', 'b.json', '--baseline', 'a.json'])).toThrow(/--baseline is for analyze/);
    fails(['--out', 'b.json'], /--out is for learn/);
    fails(['--baseline', join(dir, 'none.json')], /cannot read the baseline file/);
    fails(['--baseline', write('v0.json', '{"format": "flowlens-baseline", "version": 1}')], /v0\.json: baseline file: version: version 1 .*learn the baseline again/);
  });

  it('profile options in a config file are checked with their path', () => {
    fails(['--config', write('warm.json', '{"profile": {"warmup": {"hours": 3}}}')], /config file .*warm\.json: profile\.warmup: expected null/);
    fails(['--config', write('lv.json', '{"profile": {"levels": {"high": 0.99}}}')], /profile\.levels\.critical: must be at least profile\.levels\.high/);
    const ok = run('--config', write('w.json', '{"profile": {"warmup": {"percent": 10}, "trees": 50}}'));
    expect(ok.options.profile).toMatchObject({ warmup: { percent: 10 }, trees: 50 });
  });
});
