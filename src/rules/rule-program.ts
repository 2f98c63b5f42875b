// Flow rules as bytecode for the core's rule VM (assembly/detect/rule-vm.ts): compiles the token
// list of an expression parsed by expr-eval-fork (./flow-rules.ts compileRule: same parser, same
// config; no parser here) into the ops of a small stack machine, and packs the enabled rules of an
// analysis into one program that the engine writes into the core before reset()
// (ruleProgramReserve). The core then judges every flow window itself and emits only the windows
// that match (FWIN_RULES); expr-eval's own evaluate() stays the reference (test/assembly/rule-vm.test.ts
// compares the two bit for bit on random expressions and feature vectors).
//
// Program layout (little-endian):
//   u32 rule count (at most MAX_RULES = 32; bit i of FWIN_RULES is rule i)
//   per rule: u32 byte length, then that many bytes of ops
// Op encoding: one opcode byte (OP_*), then its operand: OP_NUM an f64; OP_FEATURE, OP_MATH1,
// OP_MIN/MAX/HYPOT a u8; the jumps (OP_AND, OP_OR, OP_JF, OP_JMP) a u16 forward offset counted from
// the end of the jump instruction. A rule's ops leave exactly one value on the stack; the rule
// matches when that value is truthy (true, or a number that is neither 0 nor NaN). Every value
// carries a type, number or boolean, as in JS, because expr-eval's `==` is `===` (`(packets > 1)
// == 1` is false) while arithmetic and comparisons treat booleans as 0/1. At most MAX_STACK values
// are on the stack at any time: the compiler rejects deeper expressions.
//
// Semantics follow expr-eval-fork 3.0.3's evaluate() (node_modules/expr-eval-fork/dist/index.mjs):
// - `and`, `or`: the right operand is a lazily evaluated sub-expression (IEXPR): `a and b` is
//   a ? !!b : false, `a or b` is a ? true : !!b (booleans);
// - `c ? x : y`: only the chosen branch is evaluated, through a nested evaluate(), which returns
//   +0 for -0 (OP_ZERO);
// - `if(c, x, y)`: a plain function: every argument is evaluated, the chosen one is returned as is;
// - `+` is Number(a) + Number(b); `-`, `*`, `/`, `%`, `^` (Math.pow), comparisons: JS operators;
//   `==`/`!=` are `===`/`!==`; unary `-` is -a, `+` is Number(a), `not` is !a;
// - functions: Math.* of the running JS engine (sqrt, abs, floor, ceil, trunc, round, sign, min and
//   max are exact in IEEE arithmetic and computed in the core; the others are imported from JS:
//   RULE_VM_MATH1 and ruleVmImports()); roundTo(v, e) is expr-eval's own function (imported).
// Rejected (compile errors): strings, `length`, a function or operator used as a value, `;`
// statements, `if` with fewer than 3 arguments, more than MAX_STACK stacked values. Missing
// arguments of pow/atan2/roundTo are undefined in expr-eval (NaN as numbers) and compile to NaN;
// extra arguments are ignored (they cannot fail or have effects).
import { Parser } from 'expr-eval-fork';
import { FEATURE_NAMES } from './flow-rule-defaults';

/** Enabled flow rules an analysis may have: FWIN_RULES is a u32 bit mask. */
export const MAX_RULES = 32;
/** Values on the VM's stack at most (assembly/detect/rule-vm.ts MAX_STACK). */
export const MAX_STACK = 64;

// ---- opcodes (assembly/detect/rule-vm.ts has the same table; test/assembly/rule-vm.test.ts
// checks that they agree) ----
export const OP_NUM = 1; // + f64: push a number
export const OP_TRUE = 2; // push true
export const OP_FALSE = 3; // push false
export const OP_FEATURE = 4; // + u8 index (FEATURE_NAMES order): push that feature (a number)
export const OP_NEG = 10; // -a
export const OP_PLUS = 11; // Number(a)
export const OP_NOT = 12; // !a (boolean)
export const OP_ABS = 13;
export const OP_SQRT = 14;
export const OP_CEIL = 15;
export const OP_FLOOR = 16;
export const OP_ROUND = 17; // Math.round: nearest integer, ties toward +Infinity
export const OP_TRUNC = 18;
export const OP_SIGN = 19;
export const OP_MATH1 = 20; // + u8 RULE_VM_MATH1 index: a one-argument JS Math function
export const OP_ADD = 30;
export const OP_SUB = 31;
export const OP_MUL = 32;
export const OP_DIV = 33;
export const OP_MOD = 34;
export const OP_POW = 35; // Math.pow (imported)
export const OP_EQ = 36; // ===
export const OP_NE = 37; // !==
export const OP_LT = 38;
export const OP_LE = 39;
export const OP_GT = 40;
export const OP_GE = 41;
export const OP_ATAN2 = 42; // Math.atan2 (imported)
export const OP_ROUNDTO = 43; // expr-eval's roundTo(value, exp) (imported)
export const OP_MIN = 50; // + u8 n: Math.min of the top n values
export const OP_MAX = 51; // + u8 n
export const OP_HYPOT = 52; // + u8 n: Math.hypot (imported)
export const OP_IF = 53; // c, a, b -> c ? a : b
export const OP_AND = 60; // + u16: pop a; if a is falsy push false and jump
export const OP_OR = 61; // + u16: pop a; if a is truthy push true and jump
export const OP_BOOL = 62; // top -> !!top
export const OP_JF = 63; // + u16: pop c; jump if c is falsy
export const OP_JMP = 64; // + u16
export const OP_ZERO = 65; // a number -0 on top becomes +0

/** The one-argument Math functions the VM imports from JS (OP_MATH1 operand = index), with the
 *  expr-eval names that map to each. The import of index i is env["Math." + RULE_VM_MATH1[i][0]]. */
export const RULE_VM_MATH1: readonly (readonly [keyof Math & string, ...string[]])[] = [
  ['sin', 'sin'], ['cos', 'cos'], ['tan', 'tan'], ['asin', 'asin'], ['acos', 'acos'], ['atan', 'atan'],
  ['sinh', 'sinh'], ['cosh', 'cosh'], ['tanh', 'tanh'], ['asinh', 'asinh'], ['acosh', 'acosh'], ['atanh', 'atanh'],
  ['cbrt', 'cbrt'], ['log', 'log', 'ln'], ['log2', 'log2'], ['log10', 'log10', 'lg'], ['log1p', 'log1p'],
  ['expm1', 'expm1'], ['exp', 'exp'],
];

/** Unary operators computed in the core (exact IEEE operations). */
const UNARY: Record<string, number> = {
  '-': OP_NEG, '+': OP_PLUS, not: OP_NOT, abs: OP_ABS, sqrt: OP_SQRT, ceil: OP_CEIL, floor: OP_FLOOR,
  round: OP_ROUND, trunc: OP_TRUNC, sign: OP_SIGN,
};
const MATH1 = new Map<string, number>();
RULE_VM_MATH1.forEach(([, ...names], i) => names.forEach((n) => MATH1.set(n, i)));

const BINARY: Record<string, number> = {
  '+': OP_ADD, '-': OP_SUB, '*': OP_MUL, '/': OP_DIV, '%': OP_MOD, '^': OP_POW,
  '==': OP_EQ, '!=': OP_NE, '<': OP_LT, '<=': OP_LE, '>': OP_GT, '>=': OP_GE,
};

/** The functions a rule may call (flow-rules.ts SAFE_FUNCTIONS). */
const FUNCTIONS = new Set(['min', 'max', 'pow', 'hypot', 'atan2', 'if', 'roundTo']);
const FEATURE_INDEX = new Map<string, number>(FEATURE_NAMES.map((n, i) => [n, i]));

/** The JS functions the core imports for the VM (module "env"): Math.<name> for RULE_VM_MATH1,
 *  Math.pow and Math.atan2, ruleHypot(ptr, n) (Math.hypot of n f64 at ptr in the core's memory,
 *  read through `memory()`), ruleRoundTo(v, e) (expr-eval's roundTo). Taken from the running
 *  engine, so the core computes what expr-eval computes here, to the bit. */
export function ruleVmImports(memory: () => WebAssembly.Memory): Record<string, (...a: number[]) => number> {
  // The very functions expr-eval calls (its unaryOps, binaryOps['^'] and functions tables; the
  // Math.* of the engine wherever the engine has them).
  const p = new Parser() as Parser & { binaryOps: Record<string, (...a: number[]) => number> };
  const env: Record<string, (...a: number[]) => number> = {};
  for (const [name] of RULE_VM_MATH1) env[`Math.${name}`] = p.unaryOps[name];
  env['Math.pow'] = p.binaryOps['^'];
  env['Math.atan2'] = p.functions.atan2;
  const hypot = p.functions.hypot as (...a: number[]) => number;
  env.ruleHypot = (ptr: number, n: number) => hypot(...new Float64Array(memory().buffer, ptr, n));
  env.ruleRoundTo = p.functions.roundTo;
  return env;
}

/** expr-eval's instruction (Expression.tokens, not in its typings). */
interface Token {
  type: string;
  value: unknown;
}

type Node =
  | { k: 'num'; v: number }
  | { k: 'bool'; v: boolean }
  | { k: 'feat'; i: number }
  | { k: 'op'; op: number; args: Node[]; n?: number }
  | { k: 'and' | 'or'; a: Node; b: Node }
  | { k: 'cond'; c: Node; t: Node; f: Node };

type Item = Node | { k: 'fn'; name: string } | { k: 'lazy'; tokens: Token[] };

/** A rule the VM cannot run; the message names the construct. */
export class RuleCodeError extends Error {}

function value(x: Item | undefined, what: string): Node {
  if (!x) throw new RuleCodeError(`${what} is missing an operand`);
  if (x.k === 'fn') throw new RuleCodeError(`the function "${x.name}" is used as a value; call it, e.g. ${x.name}(a, b)`);
  if (x.k === 'lazy') throw new RuleCodeError("';' (several statements) is not supported");
  return x;
}

function lazy(x: Item | undefined, what: string): Node {
  if (!x || x.k !== 'lazy') throw new RuleCodeError(`unsupported form of "${what}"`);
  return tree(x.tokens);
}

const NAN: Node = { k: 'num', v: NaN };

/** Argument i of a call, or NaN (expr-eval passes undefined, which every use turns into NaN). */
const arg = (args: Node[], i: number) => (i < args.length ? args[i] : NAN);

function call(name: string, args: Node[]): Node {
  switch (name) {
    case 'min':
    case 'max':
    case 'hypot':
      if (args.length > 255) throw new RuleCodeError(`${name}() takes at most 255 arguments`);
      return { k: 'op', op: name === 'min' ? OP_MIN : name === 'max' ? OP_MAX : OP_HYPOT, args, n: args.length };
    case 'pow':
      return { k: 'op', op: OP_POW, args: [arg(args, 0), arg(args, 1)] };
    case 'atan2':
      return { k: 'op', op: OP_ATAN2, args: [arg(args, 0), arg(args, 1)] };
    case 'roundTo':
      // roundTo(v) and roundTo(v, undefined) are Math.round(v).
      return args.length < 2 ? { k: 'op', op: OP_ROUND, args: [arg(args, 0)] } : { k: 'op', op: OP_ROUNDTO, args: args.slice(0, 2) };
    case 'if':
      if (args.length < 3) throw new RuleCodeError('if() takes 3 arguments: if(condition, then, else)');
      return { k: 'op', op: OP_IF, args: args.slice(0, 3) };
    default:
      throw new RuleCodeError(`the function "${name}" is not supported`);
  }
}

/** The expression tree of an RPN token list (one value). */
function tree(tokens: Token[]): Node {
  const st: Item[] = [];
  for (const t of tokens) {
    switch (t.type) {
      case 'INUMBER':
        if (typeof t.value === 'number') st.push({ k: 'num', v: t.value });
        else if (typeof t.value === 'boolean') st.push({ k: 'bool', v: t.value });
        else throw new RuleCodeError('strings are not supported; the features are numbers');
        break;
      case 'IVAR': {
        const name = String(t.value);
        const f = FEATURE_INDEX.get(name);
        if (f !== undefined) st.push({ k: 'feat', i: f });
        else if (FUNCTIONS.has(name)) st.push({ k: 'fn', name });
        else if (name in UNARY || MATH1.has(name)) throw new RuleCodeError(`"${name}" is used as a value; write ${name}(x)`);
        else throw new RuleCodeError(`unknown name "${name}"`);
        break;
      }
      case 'IOP1': {
        const op = String(t.value);
        const a = value(st.pop(), op);
        if (op in UNARY) st.push({ k: 'op', op: UNARY[op], args: [a] });
        else if (MATH1.has(op)) st.push({ k: 'op', op: OP_MATH1, args: [a], n: MATH1.get(op) });
        else throw new RuleCodeError(`the operator "${op}" is not supported`);
        break;
      }
      case 'IOP2': {
        const op = String(t.value);
        if (op === 'and' || op === 'or') {
          const b = lazy(st.pop(), op);
          st.push({ k: op, a: value(st.pop(), op), b });
        } else if (op in BINARY) {
          const b = value(st.pop(), op);
          st.push({ k: 'op', op: BINARY[op], args: [value(st.pop(), op), b] });
        } else throw new RuleCodeError(`the operator "${op}" is not supported`);
        break;
      }
      case 'IOP3': {
        if (t.value !== '?') throw new RuleCodeError(`the operator "${String(t.value)}" is not supported`);
        const f = lazy(st.pop(), '?:');
        const tr = lazy(st.pop(), '?:');
        st.push({ k: 'cond', c: value(st.pop(), '?:'), t: tr, f });
        break;
      }
      case 'IFUNCALL': {
        const n = Number(t.value);
        const args: Node[] = [];
        for (let i = 0; i < n; i++) args.unshift(value(st.pop(), 'a function call'));
        const callee = st.pop();
        if (!callee || callee.k !== 'fn') throw new RuleCodeError('only min, max, pow, hypot, atan2, if and roundTo can be called');
        st.push(call(callee.name, args));
        break;
      }
      case 'IEXPR':
        st.push({ k: 'lazy', tokens: t.value as Token[] });
        break;
      default:
        throw new RuleCodeError(`unsupported construct (${t.type})`);
    }
  }
  if (st.length !== 1) throw new RuleCodeError(st.length === 0 ? 'the expression is empty' : "';' (several statements) is not supported");
  return value(st[0], 'the expression');
}

/** Byte writer for one rule, tracking the stack depth. */
class Code {
  private bytes: number[] = [];
  depth = 0;
  maxDepth = 0;

  get length(): number {
    return this.bytes.length;
  }
  op(op: number, pushed: number, popped = 0): void {
    this.bytes.push(op);
    this.depth += pushed - popped;
    if (this.depth > this.maxDepth) this.maxDepth = this.depth;
    if (this.maxDepth > MAX_STACK) throw new RuleCodeError(`the expression is nested too deeply (more than ${MAX_STACK} values at once)`);
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  f64(v: number): void {
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.bytes.push(x);
  }
  /** Emits a jump with a placeholder offset; returns the patch position. */
  jump(op: number, pushed: number, popped: number): number {
    this.op(op, pushed, popped);
    this.bytes.push(0, 0);
    return this.bytes.length;
  }
  /** Points the jump whose operand ends at `at` to the current end. */
  land(at: number): void {
    const off = this.bytes.length - at;
    if (off > 0xffff) throw new RuleCodeError('the expression is too long');
    this.bytes[at - 2] = off & 0xff;
    this.bytes[at - 1] = off >> 8;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

function emit(c: Code, n: Node): void {
  switch (n.k) {
    case 'num':
      c.op(OP_NUM, 1);
      c.f64(n.v);
      return;
    case 'bool':
      c.op(n.v ? OP_TRUE : OP_FALSE, 1);
      return;
    case 'feat':
      c.op(OP_FEATURE, 1);
      c.u8(n.i);
      return;
    case 'op':
      for (const a of n.args) emit(c, a);
      if (n.op === OP_MIN || n.op === OP_MAX || n.op === OP_HYPOT) {
        c.op(n.op, 1, n.args.length);
        c.u8(n.args.length);
      } else if (n.op === OP_MATH1) {
        c.op(n.op, 1, 1);
        c.u8(n.n!);
      } else c.op(n.op, 1, n.args.length);
      return;
    case 'and':
    case 'or': {
      emit(c, n.a);
      // Falls through with a popped; the jump path pushes the boolean result.
      const j = c.jump(n.k === 'and' ? OP_AND : OP_OR, 0, 1);
      emit(c, n.b);
      c.op(OP_BOOL, 0);
      c.land(j);
      return;
    }
    case 'cond': {
      emit(c, n.c);
      const jf = c.jump(OP_JF, 0, 1);
      emit(c, n.t);
      c.op(OP_ZERO, 0);
      const je = c.jump(OP_JMP, 0, 0);
      c.land(jf);
      c.depth--; // the else branch starts where the then branch did
      emit(c, n.f);
      c.op(OP_ZERO, 0);
      c.land(je);
      return;
    }
  }
}

/**
 * The VM code of one expression from its expr-eval token list (`parsed.tokens` of the parser in
 * ./flow-rules.ts). Throws RuleCodeError, with a message for the rule editor, for what the VM
 * cannot run (see the header).
 */
export function ruleCode(tokens: readonly unknown[]): Uint8Array {
  const c = new Code();
  emit(c, tree(tokens as Token[]));
  if (c.depth !== 1) throw new Error(`rule code leaves ${c.depth} values (compiler bug)`);
  return c.done();
}

/** Packs rule codes (enabled rules in order; at most MAX_RULES) into one program (layout in the header). */
export function packProgram(codes: readonly Uint8Array[]): Uint8Array {
  if (codes.length > MAX_RULES) throw new Error(`at most ${MAX_RULES} flow rules can be enabled, got ${codes.length}`);
  let total = 4;
  for (const c of codes) total += 4 + c.length;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, codes.length, true);
  let o = 4;
  for (const c of codes) {
    v.setUint32(o, c.length, true);
    out.set(c, o + 4);
    o += 4 + c.length;
  }
  return out;
}
