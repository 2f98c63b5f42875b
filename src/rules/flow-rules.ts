// User flow rules: named boolean expressions over the features of one flow in one tumbling window
// (the core's FWIN_* records, assembly/detect/flow-window.ts). Compiles expressions with
// expr-eval-fork (a parser and tree-walking interpreter: it never builds code with eval or new
// Function on this path, which the page's CSP forbids; see test/rules/flow-rules.test.ts) and then
// into bytecode for the core's rule VM (./rule-program.ts), which judges every flow window in the
// core (assembly/detect/rule-vm.ts). expr-eval's evaluate() stays the reference (CompiledRule.evaluate,
// FlowRuleSet.matches) and windowFeatures() the host-side mirror of the core's features.
import { Parser, type Expression } from 'expr-eval-fork';
import * as abi from '../shared/abi';
import type { FlowRule } from '../shared/protocol';
import { FEATURE_NAMES } from './flow-rule-defaults';
import { MAX_RULES, packProgram, ruleCode, RuleCodeError } from './rule-program';

export { DEFAULT_FLOW_RULES, FEATURE_NAMES, type FeatureName } from './flow-rule-defaults';

/** Index of each feature in a features vector (FEATURE_NAMES order). */
export const F_PACKETS = 0, F_BYTES = 1, F_MEAN_SIZE = 2, F_PACKETS_PER_S = 3, F_BYTES_PER_S = 4, F_DST_PORTS = 5, F_SYN_RATIO = 6;

/**
 * Computes the features of the flow-window record at byte `o` of `v` (abi.FWIN_*) into `out`
 * (FEATURE_NAMES order, 7 values): the host-side mirror of the core's windowFeatures() in
 * assembly/detect/rule-vm.ts, which defines them (same formulas, same f64 operations; the
 * collector uses this for the features of a matched window, tests to check the core).
 */
export function windowFeatures(v: DataView, o: number, out: Float64Array): Float64Array {
  const packets = v.getUint32(o + abi.FWIN_PACKETS, true);
  const bytes = v.getFloat64(o + abi.FWIN_BYTES, true);
  const firstUs = Number(v.getBigInt64(o + abi.FWIN_FIRST_US, true));
  const lastUs = Number(v.getBigInt64(o + abi.FWIN_LAST_US, true));
  const durS = Math.max((lastUs - firstUs) / 1e6, 1);
  out[F_PACKETS] = packets;
  out[F_BYTES] = bytes;
  out[F_MEAN_SIZE] = packets > 0 ? bytes / packets : 0;
  out[F_PACKETS_PER_S] = packets / durS;
  out[F_BYTES_PER_S] = bytes / durS;
  out[F_DST_PORTS] = v.getUint32(o + abi.FWIN_DST_PORTS, true);
  out[F_SYN_RATIO] = v.getUint8(o + abi.FWIN_PROTO) === 6 && packets > 0 ? v.getUint32(o + abi.FWIN_SYN, true) / packets : 0;
  return out;
}

/** A compiled rule (compileRule). `evaluate` takes the features in FEATURE_NAMES order (expr-eval's
 *  interpreter: the reference); `code` is the same rule as rule-VM bytecode (./rule-program.ts). */
export type CompiledRule = { ok: true; evaluate(features: ArrayLike<number>): boolean; variables: string[]; code: Uint8Array };
export type RuleError = { ok: false; message: string; column?: number };

/** Functions a rule may call besides the unary math operators (abs, sqrt, log, floor, ...). The
 *  parser's others (random, map, fold, filter, join, ...) are removed: a rule is a pure condition. */
const SAFE_FUNCTIONS = ['min', 'max', 'pow', 'hypot', 'atan2', 'if', 'roundTo'];

function newParser(): Parser {
  const p = new Parser({
    allowMemberAccess: false,
    // '=' assignment, 'f(x) = ...' definitions, '[...]' arrays, 'in', '||' string concatenation and
    // postfix '!' factorial are switched off; 'and', 'or', 'not', comparisons, + - * / % ^ and
    // 'c ? a : b' remain.
    operators: { assignment: false, fndef: false, concatenate: false, factorial: false, in: false, array: false } as never,
  });
  const fns = p.functions as Record<string, unknown>;
  for (const k of Object.keys(fns)) if (!SAFE_FUNCTIONS.includes(k)) delete fns[k];
  return p;
}

const parser = newParser();
const KNOWN = new Set<string>(FEATURE_NAMES);

/** Token spans of an expression, close to expr-eval's tokenizer (used only to place error columns). */
const TOKEN = /\s+|\/\*[\s\S]*?(?:\*\/|$)|\d*\.?\d+(?:[eE][+-]?\d+)?|[A-Za-z_$][\w$]*|"(?:\\.|[^"\\])*"?|'(?:\\.|[^'\\])*'?|[<>=!]=|\|\||&&|[\s\S]/gy;

function tokens(expr: string): { start: number; end: number; text: string }[] {
  const out: { start: number; end: number; text: string }[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(expr); m && m[0].length > 0; m = TOKEN.exec(expr)) {
    if (!/^\s/.test(m[0]) && !m[0].startsWith('/*')) out.push({ start: m.index, end: m.index + m[0].length, text: m[0] });
    if (TOKEN.lastIndex >= expr.length) break;
  }
  return out;
}

const SENTINEL = '@';
/** Longest expression accepted (locating a syntax error re-parses prefixes: quadratic in length). */
const MAX_EXPR_CHARS = 2000;

function parses(text: string): Error | null {
  try {
    parser.parse(text);
    return null;
  } catch (e) {
    return e as Error;
  }
}

/** Hints for operators people bring from other languages. */
const HINTS: Record<string, string> = {
  '&': "use 'and' instead of '&&'",
  '|': "use 'or' instead of '||'",
  '!': "use 'not' instead of '!', and '!=' for 'not equal'",
  '=': "use '==' to compare",
  '[': 'arrays are not allowed',
};

/** Turns a parse error into a message and a 1-based column (offset in the expression + 1). */
function syntaxError(expr: string, err: Error): RuleError {
  const m = /^parse error \[(\d+):(\d+)\]: (.*)$/s.exec(err.message);
  if (m && m[3].startsWith('Unknown character')) {
    const lines = expr.split('\n');
    let offset = Number(m[2]) - 1;
    for (let l = 0; l < Number(m[1]) - 1; l++) offset += lines[l].length + 1;
    const ch = expr.charAt(offset);
    const hint = HINTS[ch];
    return { ok: false, message: `unexpected character "${ch}" at column ${offset + 1}${hint ? ` (${hint})` : ''}`, column: offset + 1 };
  }
  if (err.message.includes('member access')) {
    const dot = tokens(expr).find((t) => t.text === '.');
    if (dot) return { ok: false, message: `syntax error at column ${dot.start + 1}: "." is not allowed (no member access)`, column: dot.start + 1 };
  }
  // The parser reads one token ahead and consumes tokens strictly left to right: the culprit is the
  // first token t such that parsing the text up to t followed by an unknown character fails on
  // something other than that character (i.e. the parser never got past t).
  const toks = tokens(expr);
  for (const t of toks) {
    const e = parses(expr.slice(0, t.end) + ' ' + SENTINEL);
    if (e && !e.message.includes(`Unknown character "${SENTINEL}"`)) {
      const hint = HINTS[t.text[0]];
      return {
        ok: false,
        message: `syntax error at column ${t.start + 1}: unexpected "${t.text}"${hint ? ` (${hint})` : ''}`,
        column: t.start + 1,
      };
    }
  }
  const end = expr.trimEnd().length + 1;
  return { ok: false, message: `syntax error at column ${end}: the expression ends too early`, column: end };
}

/** True when a rule's value counts as a match: `true`, or a finite non-zero number. */
function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'number' && v !== 0 && !Number.isNaN(v));
}

/**
 * Compiles a flow-rule expression (expr-eval syntax: comparisons, `and`, `or`, `not`, + - * / % ^,
 * parentheses, `c ? a : b`, math functions like abs/sqrt/log/min/max) over the variables in
 * FEATURE_NAMES, and into rule-VM bytecode (`code`). Errors, as values: an empty expression or one
 * over 2000 characters; a syntax error with its 1-based `column`; unknown variables, all named,
 * with the column of the first; a construct the core's rule VM cannot run (strings, `length`, a
 * function used as a value, `;`, `if` with fewer than 3 arguments, nesting deeper than 64 values:
 * ./rule-program.ts); an expression that is not a condition (its value for all-zero features is
 * not true/false). Never uses eval or new Function.
 */
export function compileRule(expr: string): CompiledRule | RuleError {
  if (typeof expr !== 'string' || expr.trim() === '') return { ok: false, message: 'the expression is empty', column: 1 };
  if (expr.length > MAX_EXPR_CHARS) return { ok: false, message: `the expression is longer than ${MAX_EXPR_CHARS} characters`, column: MAX_EXPR_CHARS + 1 };
  let parsed: Expression;
  try {
    parsed = parser.parse(expr);
  } catch (e) {
    return syntaxError(expr, e as Error);
  }
  const variables = parsed.variables();
  const unknown = variables.filter((n) => !KNOWN.has(n));
  if (unknown.length > 0) {
    const at = tokens(expr).find((t) => t.text === unknown[0]);
    return {
      ok: false,
      message: `unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}; the features are ${FEATURE_NAMES.join(', ')}`,
      column: at ? at.start + 1 : undefined,
    };
  }
  let code: Uint8Array;
  try {
    code = ruleCode((parsed as unknown as { tokens: unknown[] }).tokens);
  } catch (e) {
    if (e instanceof RuleCodeError) return { ok: false, message: `the expression cannot be judged: ${e.message}` };
    throw e;
  }
  const vars: Record<string, number> = {};
  for (const n of FEATURE_NAMES) vars[n] = 0;
  let probe: unknown;
  try {
    probe = parsed.evaluate(vars);
  } catch (e) {
    return { ok: false, message: `the expression cannot be evaluated: ${(e as Error).message}` };
  }
  if (typeof probe !== 'boolean') {
    return { ok: false, message: `the expression must be a condition such as "packets > 100" (it gives a ${typeof probe})` };
  }
  return {
    ok: true,
    variables,
    code,
    evaluate(features: ArrayLike<number>): boolean {
      for (let i = 0; i < FEATURE_NAMES.length; i++) vars[FEATURE_NAMES[i]] = features[i];
      try {
        return truthy(parsed.evaluate(vars));
      } catch {
        return false;
      }
    },
  };
}

/** A problem with one rule of a list (validateRules). */
export interface RuleProblem {
  index: number;
  field: 'name' | 'expr';
  message: string;
  column?: number;
}

/** Checks a rule list: every name non-empty and unique (after trimming), every expression
 *  compiles (compileRule), at most MAX_RULES (32) rules enabled (the core's FWIN_RULES is a 32-bit
 *  mask; each enabled rule past the 32nd is reported on its name). Disabled rules are checked
 *  too. Empty array = no problems. */
export function validateRules(rules: readonly FlowRule[]): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const seen = new Map<string, number>();
  let enabled = 0;
  rules.forEach((r, index) => {
    const name = typeof r?.name === 'string' ? r.name.trim() : '';
    if (name === '') problems.push({ index, field: 'name', message: 'the rule needs a name' });
    else if (seen.has(name)) problems.push({ index, field: 'name', message: `the name "${name}" is already used by rule ${seen.get(name)! + 1}` });
    else seen.set(name, index);
    if (r?.enabled === true && ++enabled > MAX_RULES) {
      problems.push({ index, field: 'name', message: `at most ${MAX_RULES} flow rules can be enabled at once (this is enabled rule ${enabled}); disable some` });
    }
    const c = compileRule(r?.expr);
    if (!c.ok) problems.push({ index, field: 'expr', message: c.message, column: c.column });
  });
  return problems;
}

const SEVERITY: Record<FlowRule['severity'], number> = { low: abi.SEV_LOW, medium: abi.SEV_MEDIUM, high: abi.SEV_HIGH };

/** The enabled rules of an analysis, compiled once. `names[i]` is rule i (AlertColumns.rule, bit
 *  i of FWIN_RULES); `program` is their rule-VM program for the core (./rule-program.ts layout). */
export class FlowRuleSet {
  readonly names: string[];
  readonly program: Uint8Array;
  private readonly evals: ((f: ArrayLike<number>) => boolean)[];
  private readonly severities: Uint8Array;

  /** Throws on a rule that does not compile and on more than MAX_RULES (32) enabled rules
   *  (validate the options first). */
  constructor(rules: readonly FlowRule[]) {
    const enabled = rules.filter((r) => r.enabled);
    if (enabled.length > MAX_RULES) throw new Error(`at most ${MAX_RULES} flow rules can be enabled, got ${enabled.length}`);
    this.names = enabled.map((r) => r.name.trim());
    this.severities = Uint8Array.from(enabled, (r) => SEVERITY[r.severity] ?? abi.SEV_MEDIUM);
    const compiled = enabled.map((r) => {
      const c = compileRule(r.expr);
      if (!c.ok) throw new Error(`flow rule "${r.name}": ${c.message}`);
      return c;
    });
    this.evals = compiled.map((c) => c.evaluate);
    this.program = packProgram(compiled.map((c) => c.code));
  }

  get size(): number {
    return this.evals.length;
  }

  /** Severity (abi.SEV_*) of rule i. */
  severity(i: number): number {
    return this.severities[i];
  }

  /** True when rule i matches the features (expr-eval: the reference the core's VM agrees with). */
  matches(i: number, features: ArrayLike<number>): boolean {
    return this.evals[i](features);
  }
}
