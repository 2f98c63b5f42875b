// The flow-rule VM (assembly/detect/rule-vm.ts) and its compiler (src/rules/rule-program.ts):
// a property test over thousands of random expressions (every operator and function the parser
// config allows, booleans mixed with numbers, NaN/Infinity/-0/0 features, nesting up to the stack
// limit) on random and real feature vectors, comparing the core's mask with expr-eval's evaluate +
// truthy (compileRule(...).evaluate, the reference); the core's features of real windows against
// the host mirror windowFeatures(); emission of matching windows only (and of all with
// CFG_FLOWWIN_EMIT_ALL); compile errors for what the VM cannot run and for a 33rd enabled rule;
// the reset-time verifier refusing malformed programs; the opcode table mirror.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Parser } from 'expr-eval-fork';
import * as abi from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT, type FlowRule } from '../../src/shared/protocol';
import {
  compileRule, DEFAULT_FLOW_RULES, FEATURE_NAMES, FlowRuleSet, validateRules, windowFeatures,
  type CompiledRule,
} from '../../src/rules/flow-rules';
import * as prog from '../../src/rules/rule-program';
import { validateOptions } from '../../src/rules/options';
import type { Engine } from '../../src/worker/engine';
import { DATA, newEngine } from '../helpers/core';
import { rng } from '../helpers/rng';

const load = (p: string) => (p.endsWith('.gz') ? gunzipSync(readFileSync(DATA + p)) : readFileSync(DATA + p));

// ---- random expressions ----

const NUMBERS = [
  '0', '1', '2', '3', '0.5', '0.1', '1.5', '2.5', '10', '60', '100', '1000', '1e3', '.25', '0x1f', '0b101', '1e308',
  '1e-310', '5e-324', '123456789.125', '4503599627370497', '9007199254740993', '0.49999999999999994', 'E', 'PI',
];
const UNARY_FNS = [
  'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh', 'sqrt', 'cbrt', 'log',
  'ln', 'log2', 'lg', 'log10', 'log1p', 'expm1', 'exp', 'abs', 'ceil', 'floor', 'round', 'trunc', 'sign',
];
const BINARY = ['+', '-', '*', '/', '%', '^', '==', '!=', '<', '<=', '>', '>=', 'and', 'or'];

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const args = (n: number, d: number) => Array.from({ length: n }, () => gen(d - 1)).join(', ');
  function leaf(): string {
    const x = r();
    if (x < 0.5) return pick(FEATURE_NAMES);
    if (x < 0.85) return pick(NUMBERS);
    return pick(['true', 'false']);
  }
  function gen(d: number): string {
    if (d <= 0 || r() < 0.2) return leaf();
    const x = r();
    if (x < 0.1) {
      const op = pick(['-', '+', 'not ']);
      return `${op}(${gen(d - 1)})`;
    }
    if (x < 0.22) return `${pick(UNARY_FNS)}(${gen(d - 1)})`;
    if (x < 0.62) {
      const op = pick(BINARY);
      const e = `${gen(d - 1)} ${op} ${gen(d - 1)}`;
      return r() < 0.25 ? e : `(${e})`; // unparenthesized: the parser's precedence decides
    }
    if (x < 0.76) {
      const e = `${gen(d - 1)} ? ${gen(d - 1)} : ${gen(d - 1)}`;
      return r() < 0.2 ? e : `(${e})`;
    }
    const fn = pick(['min', 'max', 'hypot', 'pow', 'atan2', 'if', 'roundTo']);
    switch (fn) {
      case 'min':
      case 'max':
      case 'hypot':
        return `${fn}(${args(Math.floor(r() * 5), d)})`;
      case 'if':
        return `if(${args(3 + Math.floor(r() * 2), d)})`;
      default:
        return `${fn}(${args(Math.floor(r() * 4), d)})`;
    }
  }
  /** A rule: a random expression made a condition when it is not one (compileRule's probe). */
  function rule(): { expr: string; compiled: CompiledRule } {
    for (;;) {
      const e = gen(1 + Math.floor(r() * 6));
      const forms = [
        e,
        `(${e}) ? true : false`,
        `not (${e})`,
        `(${e}) == (${gen(2)})`,
        `(${e}) != true`,
        `(${e}) and (${gen(3)})`,
        `(${e}) or (${gen(3)})`,
        `(${e}) > (${gen(2)})`,
        `if(${e}, ${pick(['true', 'false'])}, ${gen(2)} < ${gen(2)})`,
      ];
      const expr = r() < 0.3 ? e : pick(forms);
      const c = compileRule(expr);
      if (c.ok) return { expr, compiled: c };
    }
  }
  return { gen, rule, r, pick };
}

/** A chain that holds `k` values on the stack at once: f0 + (f1 * (f2 - (...))). */
function chain(k: number, seed: number): string {
  const r = rng(seed);
  const ops = ['+', '-', '*', '/', '%', '<', '>=', '=='];
  let e: string = FEATURE_NAMES[k % 7];
  for (let i = k - 2; i >= 0; i--) e = `${r() < 0.3 ? 'true' : FEATURE_NAMES[i % 7]} ${ops[i % ops.length]} (${e})`;
  return `(${e}) ? true : false`;
}

// ---- feature vectors ----

const SPECIAL = [
  0, -0, 1, -1, 0.5, -0.5, 1.5, 2.5, -2.5, NaN, Infinity, -Infinity, 1e308, -1e308, 5e-324, 2, 3, 60, 100, 1000, 0.1, 1 / 3,
  2 ** 53, 2 ** 53 + 2, 0.49999999999999994, 1e-7, 65535,
];

function vectors(seed: number, n: number, real: Float64Array[]): Float64Array[] {
  const r = rng(seed);
  const out: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    if (real.length > 0 && r() < 0.4) {
      out.push(real[Math.floor(r() * real.length)]);
      continue;
    }
    const f = new Float64Array(FEATURE_COUNT);
    for (let k = 0; k < FEATURE_COUNT; k++) {
      const x = r();
      if (x < 0.45) f[k] = SPECIAL[Math.floor(r() * SPECIAL.length)];
      else if (x < 0.7) f[k] = Math.floor(r() * 2000);
      else if (x < 0.9) f[k] = r() * 10 ** Math.floor(r() * 8 - 2);
      else f[k] = real.length > 0 ? real[Math.floor(r() * real.length)][k] : r();
    }
    out.push(f);
  }
  return out;
}

// ---- engine helpers ----

function program(rules: { compiled: CompiledRule }[]): Uint8Array {
  return prog.packProgram(rules.map((x) => x.compiled.code));
}

/** An engine whose rule VM holds `programBytes` (flow windows off: only the test entries run). */
async function vmEngine(programBytes: Uint8Array): Promise<Engine> {
  const engine = await newEngine();
  engine.start({ [abi.CFG_SEED]: 1, [abi.CFG_FLOWWIN_ENABLED]: 0 }, () => {}, { ruleProgram: programBytes });
  return engine;
}

function coreMask(engine: Engine, f: Float64Array): number {
  new Float64Array(engine.core.memory.buffer, engine.core.ruleVmFeaturesPtr(), FEATURE_COUNT).set(f);
  return engine.core.ruleVmMask() >>> 0;
}

function refMask(rules: { compiled: CompiledRule }[], f: Float64Array): number {
  let m = 0;
  rules.forEach((x, i) => {
    if (x.compiled.evaluate(f)) m |= 1 << i;
  });
  return m >>> 0;
}

/** Every flow-window record of a run (104 bytes each, copies) and the counters. */
async function runWindows(bytes: Uint8Array, config: Record<number, number>, ruleProgram?: Uint8Array) {
  const engine = await newEngine();
  const records: Uint8Array[] = [];
  engine.start({ [abi.CFG_SEED]: 7, ...config }, (o) => {
    for (let i = 0; i < o.windowCount; i++) {
      records.push(new Uint8Array(o.windows.buffer, o.windows.byteOffset + i * abi.FWIN_STRIDE, abi.FWIN_STRIDE).slice());
    }
  }, { ruleProgram });
  engine.feed(bytes);
  engine.finish();
  return { engine, records, counters: engine.counters() };
}

const view = (rec: Uint8Array) => new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
const maskOf = (rec: Uint8Array) => view(rec).getUint32(abi.FWIN_RULES, true);

/** Feature vectors of real windows: 1-s windows of a mixed capture (fractional rates, SYN ratios). */
let realCache: Float64Array[] | null = null;
async function realFeatures(): Promise<Float64Array[]> {
  if (realCache) return realCache;
  const { records } = await runWindows(load('normal/perf/real_mix_ndpi_zeek_merged.pcap.gz'), {
    [abi.CFG_FLOWWIN_EMIT_ALL]: 1, [abi.CFG_FLOWWIN_WINDOW_S]: 1, [abi.CFG_LATENESS_S]: 0.5,
  });
  realCache = records.map((rec) => windowFeatures(view(rec), 0, new Float64Array(FEATURE_COUNT)));
  return realCache;
}

describe('rule VM: opcode table', () => {
  it('assembly/detect/rule-vm.ts and src/rules/rule-program.ts agree on every opcode, bound and import', () => {
    const src = readFileSync(new URL('../../assembly/detect/rule-vm.ts', import.meta.url), 'utf8');
    const core = Object.fromEntries([...src.matchAll(/export const (\w+): \w+ = (\d+);/g)].map(([, k, v]) => [k, Number(v)]));
    const ops = Object.entries(prog).filter(([k]) => k.startsWith('OP_'));
    expect(ops.length).toBeGreaterThan(35);
    for (const [k, v] of ops) expect(core[k], k).toBe(v);
    expect(Object.keys(core).filter((k) => k.startsWith('OP_')).length).toBe(ops.length);
    expect([core.MAX_STACK, core.MAX_RULES, core.FEATURE_COUNT, core.MATH1_COUNT]).toEqual([
      prog.MAX_STACK, prog.MAX_RULES, FEATURE_COUNT, prog.RULE_VM_MATH1.length,
    ]);
    // math1(): case i calls the import of RULE_VM_MATH1[i]; the last one is the default.
    const cases = [...src.matchAll(/case (\d+): return js(\w+)\(x\);/g)].map(([, i, f]) => [Number(i), f.toLowerCase()]);
    expect(cases).toEqual(prog.RULE_VM_MATH1.slice(0, -1).map(([n], i) => [i, n]));
    expect(src).toMatch(new RegExp(`default: return js${prog.RULE_VM_MATH1.at(-1)![0]}\\(x\\);`, 'i'));
    for (const [n] of prog.RULE_VM_MATH1) expect(src).toContain(`@external("env", "Math.${n}")`);
  });
});

describe('rule VM: equal to expr-eval, bit for bit', () => {
  it('3,200 random expressions x 300 feature vectors (random, special and real windows)', async () => {
    const real = await realFeatures();
    expect(real.length).toBeGreaterThan(1000);
    const g = generator(20240601);
    let checked = 0;
    let matches = 0;
    const kinds = new Set<number>();
    for (let batch = 0; batch < 100; batch++) {
      const rules = Array.from({ length: 32 }, () => g.rule());
      for (const x of rules) for (const op of opcodes(x.compiled.code)) kinds.add(op);
      const engine = await vmEngine(program(rules));
      for (const f of vectors(batch, 300, real)) {
        const want = refMask(rules, f);
        const got = coreMask(engine, f);
        if (got !== want) {
          const bad = rules.findIndex((_, i) => ((got ^ want) >>> i) & 1);
          expect({ expr: rules[bad].expr, features: Array.from(f), core: (got >>> bad) & 1 }).toEqual({
            expr: rules[bad].expr, features: Array.from(f), core: (want >>> bad) & 1,
          });
        }
        matches += popcount(want);
        checked += 32;
      }
    }
    expect(checked).toBe(100 * 32 * 300);
    // Both outcomes are common (the comparison is not vacuous), and every opcode was exercised.
    expect(matches / checked).toBeGreaterThan(0.2);
    expect(matches / checked).toBeLessThan(0.8);
    for (const [k, v] of Object.entries(prog)) if (k.startsWith('OP_')) expect(kinds.has(v as number), k).toBe(true);
  }, 120_000);

  it('booleans and numbers keep their JS types: ===, true + true, and/or give booleans, -0 through ?:', async () => {
    const cases: [string, number[], boolean][] = [
      ['(packets > 1) == 1', [5], false],
      ['(packets > 1) == true', [5], true],
      ['(packets > 1) + (packets > 1) == 2', [5], true],
      ['true + true == 2', [0], true],
      ['(packets and bytes) == true', [3, 4], true],
      ['(packets or bytes) == 3', [3, 4], false],
      ['if(packets, bytes, true) == 4', [3, 4], true],
      ['if(packets, true, bytes) == 1', [3, 4], false],
      ['1 / (packets ? -0 : 1) > 0', [1], true], // ?: returns +0 for -0
      ['1 / if(packets, -0, 1) < 0', [1], true], // if() does not
      ['1 / (-packets) < 0', [0], true],
      ['packets == packets', [NaN], false],
      ['packets != packets', [NaN], true],
      ['not packets', [NaN], true],
      ['packets % 0 != packets % 0', [5], true],
      ['-7 % 3 == -1 and 7 % -3 == 1 and 5.5 % 2 == 1.5', [0], true],
      ['1 / (-0 % 5) < 0', [0], true],
      ['round(-0.5) == 0 and 1 / round(-0.5) < 0 and round(2.5) == 3 and round(-2.5) == -2', [0], true],
      ['round(packets) == 0', [0.49999999999999994], true],
      ['sign(-0) == 0 and 1 / sign(-0) < 0', [0], true],
      ['min() == 1 / 0 and max() == -1 / 0 and hypot() == 0', [0], true],
      ['min(packets, 1) != min(packets, 1)', [NaN], true],
      ['pow(2) != pow(2)', [0], true],
      ['roundTo(packets, 2) == 1.23', [1.2345], true],
      ['roundTo(packets) == 2', [1.5], true],
      ['packets ^ 0.5 == sqrt(packets)', [2], true],
    ];
    const rules = cases.map(([expr]) => {
      const c = compileRule(expr);
      expect(c.ok, expr).toBe(true);
      return { compiled: c as CompiledRule };
    });
    const engine = await vmEngine(program(rules));
    cases.forEach(([expr, f, want], i) => {
      const v = new Float64Array(FEATURE_COUNT);
      v.set(f);
      expect(rules[i].compiled.evaluate(v), `reference: ${expr}`).toBe(want);
      expect(((coreMask(engine, v) >>> i) & 1) === 1, `core: ${expr}`).toBe(want);
    });
  });

  it('nesting: 64 stacked values compile and agree; 65 are refused; long flat chains are fine', async () => {
    for (let k = 60; k <= 64; k++) expect(compileRule(chain(k, k)).ok, `${k}`).toBe(true);
    const over = compileRule(chain(65, 65));
    expect(over).toMatchObject({ ok: false, message: expect.stringMatching(/nested too deeply \(more than 64/) });
    const flat = compileRule(`${Array(120).fill('packets').join(' + ')} > 0 and ${Array(25).fill('(bytes > 1)').join(' and ')}`);
    expect(flat.ok).toBe(true);
    const rules = [60, 61, 62, 63, 64].map((k) => ({ compiled: compileRule(chain(k, k)) as CompiledRule }));
    rules.push({ compiled: flat as CompiledRule });
    const engine = await vmEngine(program(rules));
    for (const f of vectors(99, 2000, await realFeatures())) expect(coreMask(engine, f)).toBe(refMask(rules, f));
  });
});

describe('rule VM: real windows', () => {
  it('the core computes the features of real windows exactly as windowFeatures() and masks them as expr-eval', async () => {
    const g = generator(77);
    const real = await realFeatures();
    const rnd = rng(5);
    // Thresholds taken from real features, so that the rules split real windows.
    const thresholds = Array.from({ length: 24 }, (_, i) => {
      const k = i % FEATURE_COUNT;
      const v = real[Math.floor(rnd() * real.length)][k];
      return `${FEATURE_NAMES[k]} ${['>', '>=', '<', '=='][i % 4]} ${v}`;
    });
    const rules: { expr: string; compiled: CompiledRule }[] = [...DEFAULT_FLOW_RULES.map((x) => x.expr), ...thresholds].map((expr) => ({
      expr, compiled: compileRule(expr) as CompiledRule,
    }));
    while (rules.length < 32) rules.push(g.rule());
    const p = program(rules);
    for (const [path, windowS] of [['normal/perf/real_mix_ndpi_zeek_merged.pcap.gz', 1], ['attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap', 60], ['normal/markofu_CounterHack_HackChallenge_Cmas2011.pcap', 10]] as const) {
      const run = await runWindows(load(path), { [abi.CFG_FLOWWIN_EMIT_ALL]: 1, [abi.CFG_FLOWWIN_WINDOW_S]: windowS }, p);
      expect(run.records.length, path).toBeGreaterThan(20);
      const f = new Float64Array(FEATURE_COUNT);
      let matched = 0;
      run.records.forEach((rec) => {
        windowFeatures(view(rec), 0, f);
        expect(maskOf(rec)).toBe(refMask(rules, f));
        if (maskOf(rec) !== 0) matched++;
      });
      expect(matched, path).toBe(run.counters[abi.C_FLOW_WINDOWS_MATCHED]);
      expect(run.counters[abi.C_FLOW_WINDOWS]).toBe(run.records.length);
      // The core's own features, record by record, through the test entry.
      const core = run.engine.core;
      for (const rec of run.records.slice(0, 3000)) {
        new Uint8Array(core.memory.buffer, core.inputPtr(), abi.FWIN_STRIDE).set(rec);
        expect(core.ruleVmJudgeAt(core.inputPtr()) >>> 0).toBe(maskOf(rec));
        const got = Array.from(new Float64Array(core.memory.buffer, core.ruleVmFeaturesPtr(), FEATURE_COUNT));
        expect(got).toEqual(Array.from(windowFeatures(view(rec), 0, f)));
      }
    }
  }, 60_000);
});

describe('rule VM: emission', () => {
  it('only matching windows are written by default, every window with CFG_FLOWWIN_EMIT_ALL (same records, same order)', async () => {
    const p = new FlowRuleSet(DEFAULT_FLOW_RULES).program;
    const bytes = load('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const all = await runWindows(bytes, { [abi.CFG_FLOWWIN_EMIT_ALL]: 1 }, p);
    const some = await runWindows(bytes, {}, p);
    const matching = all.records.filter((r) => maskOf(r) !== 0);
    expect(matching.length).toBeGreaterThanOrEqual(990); // port-fanout: one window per probe flow
    expect(all.records.length).toBeGreaterThan(matching.length); // and windows no rule matches
    expect(some.records.map((r) => Array.from(r))).toEqual(matching.map((r) => Array.from(r)));
    for (const r of some.records) expect(view(r).getUint32(abi.FWIN_RULES + 4, true)).toBe(0);
    expect(some.counters[abi.C_FLOW_WINDOWS]).toBe(all.records.length); // every window judged
    expect(some.counters[abi.C_FLOW_WINDOWS_MATCHED]).toBe(matching.length);
    expect(all.counters[abi.C_FLOW_WINDOWS_MATCHED]).toBe(matching.length);
    // The rule bits name the default rules (bit 1: port-fanout).
    expect(matching.filter((r) => maskOf(r) & 2).length).toBeGreaterThanOrEqual(990);
  });

  it('without rules (and without EMIT_ALL) no window is computed: no records, no originator table', async () => {
    const bytes = load('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const none = await runWindows(bytes, {});
    expect(none.records.length).toBe(0);
    expect(none.counters[abi.C_FLOW_WINDOWS]).toBe(0);
    expect(none.counters[abi.C_SOURCES_LIVE]).toBe(0);
    const empty = await runWindows(bytes, {}, prog.packProgram([]));
    expect(empty.counters[abi.C_FLOW_WINDOWS]).toBe(0);
    const all = await runWindows(bytes, { [abi.CFG_FLOWWIN_EMIT_ALL]: 1 });
    expect(all.records.length).toBeGreaterThan(1000);
    expect(all.records.every((r) => maskOf(r) === 0)).toBe(true);
  });
});

describe('rule VM: compile errors', () => {
  it('refuses what the VM cannot run, with a message', () => {
    const bad: [string, RegExp][] = [
      ['packets > "10"', /strings are not supported/],
      ['length packets > 1', /"length" is not supported/],
      ['(min == max) or packets > 1', /function "(min|max)" is used as a value/],
      ['packets > 1; bytes > 2', /';'/],
      ['if(packets > 1, true)', /if\(\) takes 3 arguments/],
      // expr-eval throws here at run time ("Is not an allowed function"); the zero probe misses it
      ['packets > 0 and (packets)(1) > 0', /only min, max, pow, hypot, atan2, if and roundTo can be called/],
    ];
    for (const [expr, msg] of bad) {
      const c = compileRule(expr);
      expect(c.ok, expr).toBe(false);
      if (!c.ok) expect(c.message, expr).toMatch(msg);
    }
    // Each of them parses, and expr-eval gives a boolean at zero features for most: only the VM
    // compiler refuses them.
    expect(bad.filter(([e]) => typeof new Parser().parse(e).evaluate(zeros()) === 'boolean').length).toBeGreaterThanOrEqual(4);
  });

  it('at most 32 enabled rules: validateRules and validateOptions report the 33rd, FlowRuleSet refuses it', () => {
    const rules: FlowRule[] = Array.from({ length: 34 }, (_, i) => ({ name: `r${i}`, expr: `packets > ${i}`, severity: 'low', enabled: i !== 3 }));
    expect(validateRules(rules)).toEqual([{ index: 33, field: 'name', message: expect.stringMatching(/at most 32 flow rules .*enabled rule 33/) }]);
    expect(validateRules(rules.slice(0, 33))).toEqual([]); // 32 enabled, one disabled
    const problems = validateOptions({ ...DEFAULT_OPTIONS, flowFeatures: { ...DEFAULT_OPTIONS.flowFeatures, rules } });
    expect(problems).toEqual([{ path: 'flowFeatures.rules[33].name', message: expect.stringMatching(/at most 32/) }]);
    expect(() => new FlowRuleSet(rules)).toThrow(/at most 32/);
    expect(new FlowRuleSet(rules.slice(0, 33)).size).toBe(32);
    expect(() => prog.packProgram(Array(33).fill(new Uint8Array([prog.OP_TRUE])))).toThrow(/at most 32/);
  });
});

describe('rule VM: the reset-time verifier', () => {
  const code = (...b: number[]) => prog.packProgram([Uint8Array.from(b)]);
  const starts = async (p: Uint8Array) => {
    const engine = await newEngine();
    engine.start({}, () => {}, { ruleProgram: p });
    return engine.core.ruleVmMask() >>> 0;
  };

  it('loads well-formed hand-written code', async () => {
    expect(await starts(code(prog.OP_TRUE))).toBe(1);
    // false or (true): OR jumps over nothing when its operand is falsy
    expect(await starts(code(prog.OP_FALSE, prog.OP_OR, 2, 0, prog.OP_TRUE, prog.OP_BOOL))).toBe(1);
  });

  it('aborts on malformed programs instead of running them', async () => {
    const bad = [
      code(prog.OP_ADD), // stack underflow
      code(prog.OP_TRUE, prog.OP_TRUE), // two values left
      code(99), // unknown opcode
      code(prog.OP_FEATURE, 7), // feature index out of range
      code(prog.OP_MATH1), // operand past the end
      code(prog.OP_TRUE, prog.OP_JF, 1, 0, prog.OP_NUM, 0, 0, 0, 0, 0, 0, 0, 0), // a jump into an operand
      code(prog.OP_TRUE, prog.OP_JF, 9, 0, prog.OP_TRUE), // a jump past the end
      code(...Array(65).fill(prog.OP_TRUE), prog.OP_MAX, 65), // 65 values
      (() => {
        const p = code(prog.OP_TRUE);
        new DataView(p.buffer).setUint32(4, 5, true); // rule longer than the program
        return p;
      })(),
      (() => {
        const p = new Uint8Array(4);
        new DataView(p.buffer).setUint32(0, 33, true); // 33 rules
        return p;
      })(),
    ];
    for (const p of bad) await expect(starts(p), Array.from(p).join(',')).rejects.toThrow(/aborted/);
  });
});

function zeros(): Record<string, number> {
  return Object.fromEntries(FEATURE_NAMES.map((n) => [n, 0]));
}

/** The opcodes of one rule's code, in order (operand sizes: src/rules/rule-program.ts header). */
function opcodes(code: Uint8Array): number[] {
  const out: number[] = [];
  for (let pc = 0; pc < code.length; ) {
    const op = code[pc];
    out.push(op);
    if (op === prog.OP_NUM) pc += 9;
    else if ([prog.OP_FEATURE, prog.OP_MATH1, prog.OP_MIN, prog.OP_MAX, prog.OP_HYPOT].includes(op)) pc += 2;
    else if ([prog.OP_AND, prog.OP_OR, prog.OP_JF, prog.OP_JMP].includes(op)) pc += 3;
    else pc += 1;
  }
  return out;
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}
