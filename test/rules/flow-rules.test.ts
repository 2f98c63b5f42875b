// Flow rules: the features of a flow window (FWIN_* record → 7 numbers), compiling expressions
// (errors that name the variable or the column), evaluation without eval/new Function (the page's
// CSP), rule-list validation, and the default rules on feature vectors.
import { afterEach, describe, expect, it } from 'vitest';
import { Parser } from 'expr-eval-fork';
import * as abi from '../../src/shared/abi';
import { FEATURE_COUNT } from '../../src/shared/protocol';
import {
  compileRule, DEFAULT_FLOW_RULES, FEATURE_NAMES, FlowRuleSet, validateRules, windowFeatures,
} from '../../src/rules/flow-rules';
import { v4, windowRecords } from '../worker/core-records';
import { rng } from '../helpers/rng';

const features = (o: Partial<Record<(typeof FEATURE_NAMES)[number], number>>) => FEATURE_NAMES.map((n) => o[n] ?? 0);

describe('windowFeatures', () => {
  it('computes the 7 documented features from one FWIN record', () => {
    expect(FEATURE_NAMES.length).toBe(FEATURE_COUNT);
    const v = windowRecords([
      { firstUs: 1_000_000_000, lastUs: 1_002_500_000, packets: 10, syn: 3, bytes: 1000, dstPorts: 7, orig: v4('10.0.0.1'), resp: v4('10.0.0.2') },
      { firstUs: 5e12, lastUs: 5e12, packets: 40, syn: 40, bytes: 2400, dstPorts: 1 }, // one timestamp: 1-s floor
      { firstUs: 0, lastUs: 30e6, packets: 6, syn: 6, bytes: 600, proto: 17 }, // UDP: syn_ratio 0
    ]);
    const out = new Float64Array(FEATURE_COUNT);
    expect(Array.from(windowFeatures(v, 0, out))).toEqual([10, 1000, 100, 4, 400, 7, 0.3]);
    expect(Array.from(windowFeatures(v, abi.FWIN_STRIDE, out))).toEqual([40, 2400, 60, 40, 2400, 1, 1]);
    expect(Array.from(windowFeatures(v, 2 * abi.FWIN_STRIDE, out))).toEqual([6, 600, 100, 0.2, 20, 1, 0]);
  });
});

describe('compileRule', () => {
  it('evaluates comparisons with and / or / not over the features', () => {
    const r = compileRule('syn_ratio > 0.9 and packets >= 20');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.variables.sort()).toEqual(['packets', 'syn_ratio']);
    expect(r.evaluate(features({ syn_ratio: 0.95, packets: 20 }))).toBe(true);
    expect(r.evaluate(features({ syn_ratio: 0.95, packets: 19 }))).toBe(false);
    expect(r.evaluate(features({ syn_ratio: 0.9, packets: 100 }))).toBe(false);
    const c = compileRule('not (dst_ports <= 100) or (bytes_per_s / max(packets_per_s, 1) < 60 and mean_size != 0)');
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.evaluate(features({ dst_ports: 101 }))).toBe(true);
    expect(c.evaluate(features({ dst_ports: 5, bytes_per_s: 500, packets_per_s: 10, mean_size: 50 }))).toBe(true);
    expect(c.evaluate(features({ dst_ports: 5, bytes_per_s: 700, packets_per_s: 10, mean_size: 50 }))).toBe(false);
  });

  it('agrees with a plain JS predicate on random feature vectors', () => {
    const r = compileRule('(packets > 50 and syn_ratio >= 0.5) or bytes_per_s > 1e5');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rand = rng(7);
    for (let i = 0; i < 2000; i++) {
      const f = features({ packets: Math.floor(rand() * 100), syn_ratio: rand(), bytes_per_s: rand() * 2e5 });
      expect(r.evaluate(f)).toBe((f[0] > 50 && f[6] >= 0.5) || f[4] > 1e5);
    }
  });

  it('rejects an empty or overlong expression', () => {
    expect(compileRule('')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(compileRule('   ')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(compileRule('packets > 1 and '.repeat(200) + 'bytes > 0')).toMatchObject({ ok: false, message: expect.stringMatching(/longer than 2000/) });
  });

  it('names every unknown variable and points at the first', () => {
    const r = compileRule('packets > 1 and flows > 2 or rtt < 3');
    expect(r).toMatchObject({ ok: false, column: 17 });
    if (r.ok) return;
    expect(r.message).toMatch(/"flows"/);
    expect(r.message).toMatch(/"rtt"/);
    expect(r.message).toMatch(/packets, bytes, mean_size/);
    // functions that are not allowed become unknown names
    expect(compileRule('random() > 0.5')).toMatchObject({ ok: false, message: expect.stringMatching(/"random"/) });
  });

  it('gives the column of a syntax error', () => {
    expect(compileRule('packets > > 3')).toMatchObject({ ok: false, column: 11 });
    expect(compileRule('packets > 3 3')).toMatchObject({ ok: false, column: 13 });
    expect(compileRule(') packets')).toMatchObject({ ok: false, column: 1 });
    expect(compileRule('packets >')).toMatchObject({ ok: false, column: 10, message: expect.stringMatching(/ends too early/) });
    expect(compileRule('(packets > 3')).toMatchObject({ ok: false, column: 13 });
    expect(compileRule('packets > 3 && bytes > 1')).toMatchObject({ ok: false, column: 13, message: expect.stringMatching(/'and'/) });
    expect(compileRule('packets > 3 || bytes > 1')).toMatchObject({ ok: false, column: 13, message: expect.stringMatching(/'or'/) });
    expect(compileRule('packets = 3')).toMatchObject({ ok: false, column: 9, message: expect.stringMatching(/==/) });
    expect(compileRule('packets.x > 1')).toMatchObject({ ok: false, column: 8 });
    const r = compileRule('packets > 3 3');
    expect(!r.ok && r.message).toMatch(/column 13/);
  });

  it('rejects expressions that are not conditions and the unsafe operators', () => {
    expect(compileRule('packets + 1')).toMatchObject({ ok: false, message: expect.stringMatching(/condition/) });
    expect(compileRule('x = 1').ok).toBe(false); // assignment
    expect(compileRule('f(x) = 1').ok).toBe(false); // function definition
    expect(compileRule('packets in [1, 2]').ok).toBe(false); // arrays, in
    expect(compileRule('constructor > 1').ok).toBe(false);
  });

  describe('never evaluates code', () => {
    const realFunction = globalThis.Function;
    const realEval = globalThis.eval;
    afterEach(() => {
      globalThis.Function = realFunction;
      globalThis.eval = realEval;
    });

    it('compiles and evaluates with Function and eval replaced by throwing stubs', () => {
      const trap = function trap() {
        throw new Error('code generation attempted');
      } as unknown as FunctionConstructor;
      globalThis.Function = trap;
      globalThis.eval = trap as unknown as typeof eval;
      // The stub is effective: the library's code-generating path (toJSFunction) now fails.
      expect(() => new Parser().parse('x + 1').toJSFunction('x')).toThrow(/code generation/);
      const rules = [...DEFAULT_FLOW_RULES.map((r) => r.expr), 'not (packets < 3) and min(bytes, 10) == 10 ? true : false'];
      for (const e of rules) {
        const r = compileRule(e);
        expect(r.ok).toBe(true);
        if (r.ok) r.evaluate(features({ packets: 5000, bytes: 1e6, mean_size: 60, packets_per_s: 900, dst_ports: 200, syn_ratio: 1 }));
      }
      const set = new FlowRuleSet(DEFAULT_FLOW_RULES);
      expect(set.matches(0, features({ syn_ratio: 1, packets: 30 }))).toBe(true);
    });
  });
});

describe('validateRules', () => {
  it('reports empty and duplicate names and bad expressions by index and field', () => {
    const problems = validateRules([
      { name: 'a', expr: 'packets > 1', severity: 'low', enabled: true },
      { name: ' ', expr: 'packets > 1', severity: 'low', enabled: true },
      { name: 'a', expr: 'packets >', severity: 'low', enabled: false },
      { name: 'b', expr: 'nope > 1', severity: 'high', enabled: true },
    ]);
    expect(problems).toEqual([
      { index: 1, field: 'name', message: expect.stringMatching(/name/) },
      { index: 2, field: 'name', message: expect.stringMatching(/already used by rule 1/) },
      { index: 2, field: 'expr', message: expect.stringMatching(/ends too early/), column: 10 },
      { index: 3, field: 'expr', message: expect.stringMatching(/"nope"/), column: 1 },
    ]);
    expect(validateRules(DEFAULT_FLOW_RULES)).toEqual([]);
  });
});

describe('DEFAULT_FLOW_RULES', () => {
  const set = new FlowRuleSet(DEFAULT_FLOW_RULES);
  const hits = (f: number[]) => set.names.filter((_, i) => set.matches(i, f));

  it('fire on attack-shaped windows and stay quiet on benign-shaped ones', () => {
    // A scan probe flow: 2 packets, originator probed 1000 ports (evilfingers_*_SCAN).
    expect(hits(features({ packets: 2, bytes: 114, mean_size: 57, packets_per_s: 2, bytes_per_s: 114, dst_ports: 1000, syn_ratio: 0.5 }))).toEqual(['port-fanout']);
    // A fixed-5-tuple SYN flood window.
    expect(hits(features({ packets: 30, bytes: 1800, mean_size: 60, packets_per_s: 0.5, bytes_per_s: 30, dst_ports: 9, syn_ratio: 1 }))).toEqual(['syn-repeat']);
    // 1000 ICMPv6 echo requests in 8 ms (rsmurf6).
    expect(hits(features({ packets: 1000, bytes: 78000, mean_size: 78, packets_per_s: 1000, bytes_per_s: 78000, dst_ports: 1 }))).toEqual(['small-packet-flood']);
    // Benign: an SMB transfer (1178 packets/s of 1346 B), a web page, a 3-packet handshake.
    expect(hits(features({ packets: 1178, bytes: 1.58e6, mean_size: 1346, packets_per_s: 1178, bytes_per_s: 1.58e6, dst_ports: 1, syn_ratio: 0.002 }))).toEqual([]);
    expect(hits(features({ packets: 221, bytes: 150000, mean_size: 680, packets_per_s: 135, bytes_per_s: 92000, dst_ports: 2, syn_ratio: 0.01 }))).toEqual([]);
    expect(hits(features({ packets: 3, bytes: 186, mean_size: 62, packets_per_s: 3, bytes_per_s: 186, dst_ports: 1, syn_ratio: 2 / 3 }))).toEqual([]);
  });

  it('FlowRuleSet keeps only the enabled rules, in order, with their severities', () => {
    const s = new FlowRuleSet([
      { name: 'x', expr: 'packets > 1', severity: 'low', enabled: false },
      { name: ' y ', expr: 'packets > 2', severity: 'high', enabled: true },
      { name: 'z', expr: 'packets > 3', severity: 'low', enabled: true },
    ]);
    expect(s.names).toEqual(['y', 'z']);
    expect([s.severity(0), s.severity(1)]).toEqual([abi.SEV_HIGH, abi.SEV_LOW]);
    expect(s.matches(0, features({ packets: 3 }))).toBe(true);
    expect(s.matches(1, features({ packets: 3 }))).toBe(false);
    expect(() => new FlowRuleSet([{ name: 'bad', expr: 'packets >', severity: 'low', enabled: true }])).toThrow(/bad/);
  });
});
