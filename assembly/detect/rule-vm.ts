// The flow-rule VM: judges every flow window (abi.FWIN_*) by the host's flow rules, compiled to
// bytecode by src/rules/rule-program.ts (the program layout, the opcodes and the semantics are
// documented there; the opcode table below must match it: test/assembly/rule-vm.test.ts checks).
// The host writes the program before reset() (ruleProgramReserve()); ruleVmReset() verifies it
// once (known opcodes, operands in bounds, forward jumps to instruction starts, the same stack
// depth on every path, at most MAX_STACK values, exactly one value left), so the evaluation loop
// needs no checks. Per window: the 7 features (windowFeatures(), defined here), then every rule
// on a fixed stack in static memory, giving a u32 bit mask (bit i = enabled rule i matches). No
// allocation after reset.
//
// Equality with expr-eval-fork's evaluate() + truthy, bit for bit: values carry a type (number or
// boolean, as in JS), booleans are 0/1 in arithmetic and comparisons, `==` compares type and
// value (`===`), and every operation is either an exact IEEE operation done here (+ - * / %,
// comparisons, sqrt, abs, floor, ceil, trunc, round (JS rounding), sign, min, max) or calls the
// very JS function expr-eval calls, imported from the host (Math.sin ... Math.exp, Math.pow,
// Math.atan2, Math.hypot, expr-eval's roundTo: src/rules/rule-program.ts ruleVmImports(), provided
// by src/worker/engine.ts instantiateCore()), so the result does not depend on how the browser's
// libm rounds.
import * as abi from "../abi";

// ---- JS functions (module "env", src/rules/rule-program.ts ruleVmImports()) ----
@external("env", "Math.sin") declare function jsSin(x: f64): f64;
@external("env", "Math.cos") declare function jsCos(x: f64): f64;
@external("env", "Math.tan") declare function jsTan(x: f64): f64;
@external("env", "Math.asin") declare function jsAsin(x: f64): f64;
@external("env", "Math.acos") declare function jsAcos(x: f64): f64;
@external("env", "Math.atan") declare function jsAtan(x: f64): f64;
@external("env", "Math.sinh") declare function jsSinh(x: f64): f64;
@external("env", "Math.cosh") declare function jsCosh(x: f64): f64;
@external("env", "Math.tanh") declare function jsTanh(x: f64): f64;
@external("env", "Math.asinh") declare function jsAsinh(x: f64): f64;
@external("env", "Math.acosh") declare function jsAcosh(x: f64): f64;
@external("env", "Math.atanh") declare function jsAtanh(x: f64): f64;
@external("env", "Math.cbrt") declare function jsCbrt(x: f64): f64;
@external("env", "Math.log") declare function jsLog(x: f64): f64;
@external("env", "Math.log2") declare function jsLog2(x: f64): f64;
@external("env", "Math.log10") declare function jsLog10(x: f64): f64;
@external("env", "Math.log1p") declare function jsLog1p(x: f64): f64;
@external("env", "Math.expm1") declare function jsExpm1(x: f64): f64;
@external("env", "Math.exp") declare function jsExp(x: f64): f64;
@external("env", "Math.pow") declare function jsPow(x: f64, y: f64): f64;
@external("env", "Math.atan2") declare function jsAtan2(y: f64, x: f64): f64;
/** Math.hypot of the `n` f64 values at `ptr`. */
@external("env", "ruleHypot") declare function jsHypot(ptr: usize, n: i32): f64;
/** expr-eval's roundTo(value, exp). */
@external("env", "ruleRoundTo") declare function jsRoundTo(v: f64, e: f64): f64;

/** Rules a program may hold (FWIN_RULES is a u32 mask). */
export const MAX_RULES: i32 = 32;
/** Values on the stack at most (the compiler and ruleVmReset() reject deeper code). */
export const MAX_STACK: i32 = 64;
/** Features per window (src/rules/flow-rule-defaults.ts FEATURE_NAMES). */
export const FEATURE_COUNT: i32 = 7;
/** One-argument JS functions (OP_MATH1 operand), rule-program.ts RULE_VM_MATH1. */
export const MATH1_COUNT: i32 = 19;

// ---- opcodes: src/rules/rule-program.ts OP_* (same values) ----
export const OP_NUM: u32 = 1;
export const OP_TRUE: u32 = 2;
export const OP_FALSE: u32 = 3;
export const OP_FEATURE: u32 = 4;
export const OP_NEG: u32 = 10;
export const OP_PLUS: u32 = 11;
export const OP_NOT: u32 = 12;
export const OP_ABS: u32 = 13;
export const OP_SQRT: u32 = 14;
export const OP_CEIL: u32 = 15;
export const OP_FLOOR: u32 = 16;
export const OP_ROUND: u32 = 17;
export const OP_TRUNC: u32 = 18;
export const OP_SIGN: u32 = 19;
export const OP_MATH1: u32 = 20;
export const OP_ADD: u32 = 30;
export const OP_SUB: u32 = 31;
export const OP_MUL: u32 = 32;
export const OP_DIV: u32 = 33;
export const OP_MOD: u32 = 34;
export const OP_POW: u32 = 35;
export const OP_EQ: u32 = 36;
export const OP_NE: u32 = 37;
export const OP_LT: u32 = 38;
export const OP_LE: u32 = 39;
export const OP_GT: u32 = 40;
export const OP_GE: u32 = 41;
export const OP_ATAN2: u32 = 42;
export const OP_ROUNDTO: u32 = 43;
export const OP_MIN: u32 = 50;
export const OP_MAX: u32 = 51;
export const OP_HYPOT: u32 = 52;
export const OP_IF: u32 = 53;
export const OP_AND: u32 = 60;
export const OP_OR: u32 = 61;
export const OP_BOOL: u32 = 62;
export const OP_JF: u32 = 63;
export const OP_JMP: u32 = 64;
export const OP_ZERO: u32 = 65;

const NUM: u8 = 0;
const BOOL: u8 = 1;

/** The stack: f64 values and their types (NUM, BOOL). */
const STACK: usize = memory.data(MAX_STACK * 8, 16);
const TAGS: usize = memory.data(MAX_STACK, 16);
/** The current window's features (FEATURE_NAMES order); also the test entry's input. */
export const FEATURES: usize = memory.data(FEATURE_COUNT * 8, 16);
/** Start and end address of each verified rule. */
const RULE_START: usize = memory.data(MAX_RULES * 4, 16);
const RULE_END: usize = memory.data(MAX_RULES * 4, 16);

let programMem: usize = 0;
let programBytes: usize = 0;
let ruleCount: i32 = 0;
/** Scratch of the verifier: the stack depth expected at each code byte (0xff: none). */
let depthMem: usize = 0;
let depthCap: usize = 0;

/**
 * Makes room for a program of `bytes` bytes (replacing the old one) and returns where the host
 * writes it (layout: src/rules/rule-program.ts). 0 bytes: no rules. Applies at reset().
 */
export function ruleProgramReserve(bytes: i32): usize {
  if (programMem != 0) heap.free(programMem);
  programMem = 0;
  programBytes = <usize>max<i32>(0, bytes);
  if (programBytes > 0) programMem = heap.alloc(programBytes);
  return programMem;
}

/** Rules of the loaded program (0 when none was written). */
export function ruleVmCount(): i32 {
  return ruleCount;
}

/** Loads and verifies the program the host wrote; aborts on a malformed one (a host bug). */
export function ruleVmReset(): void {
  ruleCount = 0;
  if (programMem == 0 || programBytes < 4) return;
  const count = load<u32>(programMem);
  if (count > <u32>MAX_RULES) throw new Error("rule program: too many rules");
  let o: usize = 4;
  for (let r: u32 = 0; r < count; r++) {
    if (o + 4 > programBytes) throw new Error("rule program: truncated");
    const len = <usize>load<u32>(programMem + o);
    o += 4;
    if (len > programBytes - o) throw new Error("rule program: truncated");
    if (!verify(programMem + o, len)) throw new Error("rule program: bad code");
    store<u32>(RULE_START + (<usize>r << 2), <u32>(programMem + o));
    store<u32>(RULE_END + (<usize>r << 2), <u32>(programMem + o + len));
    o += len;
  }
  ruleCount = <i32>count;
}

/** Checks one rule's code (see the header); true when it is safe and well formed. */
function verify(code: usize, len: usize): bool {
  if (depthCap < len + 1) {
    if (depthMem != 0) heap.free(depthMem);
    depthCap = len + 1;
    depthMem = heap.alloc(depthCap);
  }
  memory.fill(depthMem, 0xff, len + 1);
  let d: i32 = 0; // depth before the op at pc; -1 after an unconditional jump
  let pc: usize = 0;
  while (pc < len) {
    const want = <i32>load<u8>(depthMem + pc);
    if (want != 0xff) {
      if (d < 0) d = want;
      else if (d != want) return false;
    }
    if (d < 0) return false; // unreachable code
    const op = <u32>load<u8>(code + pc);
    let size: usize = 1;
    let pop: i32 = 0;
    let push: i32 = 1;
    let jump = false;
    let jumpDepth: i32 = 0;
    switch (op) {
      case OP_NUM: size = 9; break;
      case OP_TRUE: case OP_FALSE: break;
      case OP_FEATURE: {
        size = 2;
        if (pc + 1 >= len || <i32>load<u8>(code + pc + 1) >= FEATURE_COUNT) return false;
        break;
      }
      case OP_NEG: case OP_PLUS: case OP_NOT: case OP_ABS: case OP_SQRT: case OP_CEIL: case OP_FLOOR:
      case OP_ROUND: case OP_TRUNC: case OP_SIGN: case OP_BOOL: case OP_ZERO:
        pop = 1; break;
      case OP_MATH1: {
        size = 2;
        pop = 1;
        if (pc + 1 >= len || <i32>load<u8>(code + pc + 1) >= MATH1_COUNT) return false;
        break;
      }
      case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD: case OP_POW: case OP_EQ: case OP_NE:
      case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_ATAN2: case OP_ROUNDTO:
        pop = 2; break;
      case OP_MIN: case OP_MAX: case OP_HYPOT: {
        size = 2;
        if (pc + 1 >= len) return false;
        pop = <i32>load<u8>(code + pc + 1);
        break;
      }
      case OP_IF: pop = 3; break;
      case OP_AND: case OP_OR:
        size = 3; pop = 1; push = 0; jump = true; jumpDepth = d; break;
      case OP_JF:
        size = 3; pop = 1; push = 0; jump = true; jumpDepth = d - 1; break;
      case OP_JMP:
        size = 3; push = 0; jump = true; jumpDepth = d; break;
      default:
        return false;
    }
    if (size > len - pc) return false;
    for (let k: usize = 1; k < size; k++) if (load<u8>(depthMem + pc + k) != 0xff) return false; // a jump into an operand
    if (pop > d) return false;
    d += push - pop;
    if (d > MAX_STACK) return false;
    if (jump) {
      const target = pc + size + <usize>load<u16>(code + pc + 1);
      if (target > len) return false;
      const have = <i32>load<u8>(depthMem + target);
      if (have == 0xff) store<u8>(depthMem + target, <u8>jumpDepth);
      else if (have != jumpDepth) return false;
      if (op == OP_JMP) d = -1;
    }
    pc += size;
  }
  const atEnd = <i32>load<u8>(depthMem + len);
  if (atEnd != 0xff) {
    if (d < 0) d = atEnd;
    else if (d != atEnd) return false;
  }
  return d == 1;
}

/**
 * The features of the flow-window record at `p` (abi.FWIN_*) into FEATURES, in FEATURE_NAMES
 * order (src/rules/flow-rules.ts windowFeatures() is the host-side mirror, same f64 operations):
 * - packets: packets of the flow in the window, both directions (FWIN_PACKETS);
 * - bytes: their wire bytes (FWIN_BYTES);
 * - mean_size: bytes / packets (0 with no packets), bytes;
 * - packets_per_s, bytes_per_s: packets and bytes / max((last - first) / 1e6, 1) with first and
 *   last the flow's first and last packet times (µs, as f64) inside the window (FWIN_FIRST_US,
 *   FWIN_LAST_US). The 1-s floor keeps a burst of packets with one timestamp (0 s) finite: it
 *   counts as one second;
 * - dst_ports: distinct destination ports the flow's originator contacted in the window over all
 *   its flows (FWIN_DST_PORTS, detect/flow-window.ts);
 * - syn_ratio: packets with SYN set (SYN and SYN/ACK, FWIN_SYN) / packets for TCP, 0 for other
 *   protocols.
 */
export function windowFeatures(p: usize): void {
  const packets = <f64>load<u32>(p + abi.FWIN_PACKETS);
  const bytes = load<f64>(p + abi.FWIN_BYTES);
  const firstUs = <f64>load<i64>(p + abi.FWIN_FIRST_US);
  const lastUs = <f64>load<i64>(p + abi.FWIN_LAST_US);
  const durS = max<f64>((lastUs - firstUs) / 1e6, 1);
  store<f64>(FEATURES, packets);
  store<f64>(FEATURES + 8, bytes);
  store<f64>(FEATURES + 16, packets > 0 ? bytes / packets : 0);
  store<f64>(FEATURES + 24, packets / durS);
  store<f64>(FEATURES + 32, bytes / durS);
  store<f64>(FEATURES + 40, <f64>load<u32>(p + abi.FWIN_DST_PORTS));
  store<f64>(FEATURES + 48,
    load<u8>(p + abi.FWIN_PROTO) == 6 && packets > 0 ? <f64>load<u32>(p + abi.FWIN_SYN) / packets : 0);
}

/** Judges the window at `p` (abi.FWIN_*): its features, then every rule. Bit i set: rule i matches. */
export function ruleVmJudge(p: usize): u32 {
  windowFeatures(p);
  return ruleVmEval();
}

/** Every rule of the program on the features in FEATURES (bit i set: rule i matches). */
export function ruleVmEval(): u32 {
  let mask: u32 = 0;
  for (let r: i32 = 0; r < ruleCount; r++) {
    const o = <usize>r << 2;
    if (run(<usize>load<u32>(RULE_START + o), <usize>load<u32>(RULE_END + o))) mask |= (<u32>1) << <u32>r;
  }
  return mask;
}

/** JS truthiness of a number or a boolean (0/1): not 0, not NaN. */
@inline function truthy(v: f64): bool {
  return v != 0 && v == v;
}

/** Math.round: the nearest integer, ties toward +Infinity, -0 for -0.5 <= x <= -0. `x - floor(x)`
 *  is exact for every finite x (Sterbenz; for -1 < x < -0.5, 1 + x is exact too). */
@inline function jsRound(x: f64): f64 {
  let r = Math.floor(x);
  if (x - r >= 0.5) r += 1;
  return r == 0 ? copysign<f64>(0, x) : r;
}

/** Math.sign: 1, -1, or the argument itself for +0, -0 and NaN. */
@inline function jsSign(x: f64): f64 {
  return x > 0 ? 1 : x < 0 ? -1 : x;
}

function math1(id: u32, x: f64): f64 {
  switch (id) {
    case 0: return jsSin(x);
    case 1: return jsCos(x);
    case 2: return jsTan(x);
    case 3: return jsAsin(x);
    case 4: return jsAcos(x);
    case 5: return jsAtan(x);
    case 6: return jsSinh(x);
    case 7: return jsCosh(x);
    case 8: return jsTanh(x);
    case 9: return jsAsinh(x);
    case 10: return jsAcosh(x);
    case 11: return jsAtanh(x);
    case 12: return jsCbrt(x);
    case 13: return jsLog(x);
    case 14: return jsLog2(x);
    case 15: return jsLog10(x);
    case 16: return jsLog1p(x);
    case 17: return jsExpm1(x);
    default: return jsExp(x);
  }
}

/** Runs one verified rule; true when its value is truthy. */
function run(pc: usize, end: usize): bool {
  let n: usize = 0; // values on the stack
  while (pc < end) {
    const op = <u32>load<u8>(pc);
    pc++;
    switch (op) {
      case OP_NUM: {
        store<f64>(STACK + (n << 3), load<f64>(pc));
        store<u8>(TAGS + n, NUM);
        n++;
        pc += 8;
        break;
      }
      case OP_TRUE:
      case OP_FALSE: {
        store<f64>(STACK + (n << 3), op == OP_TRUE ? 1 : 0);
        store<u8>(TAGS + n, BOOL);
        n++;
        break;
      }
      case OP_FEATURE: {
        store<f64>(STACK + (n << 3), load<f64>(FEATURES + (<usize>load<u8>(pc) << 3)));
        store<u8>(TAGS + n, NUM);
        n++;
        pc++;
        break;
      }
      case OP_NOT: {
        const t = STACK + ((n - 1) << 3);
        store<f64>(t, truthy(load<f64>(t)) ? 0 : 1);
        store<u8>(TAGS + n - 1, BOOL);
        break;
      }
      case OP_BOOL: {
        const t = STACK + ((n - 1) << 3);
        store<f64>(t, truthy(load<f64>(t)) ? 1 : 0);
        store<u8>(TAGS + n - 1, BOOL);
        break;
      }
      case OP_ZERO: {
        // evaluate() returns +0 for -0 (a ?: branch's value); booleans are 0/1 already.
        const t = STACK + ((n - 1) << 3);
        if (load<f64>(t) == 0) store<f64>(t, 0);
        break;
      }
      case OP_NEG: case OP_PLUS: case OP_ABS: case OP_SQRT: case OP_CEIL: case OP_FLOOR: case OP_ROUND:
      case OP_TRUNC: case OP_SIGN: case OP_MATH1: {
        const t = STACK + ((n - 1) << 3);
        const a = load<f64>(t);
        let r: f64;
        switch (op) {
          case OP_NEG: r = -a; break;
          case OP_PLUS: r = a; break;
          case OP_ABS: r = Math.abs(a); break;
          case OP_SQRT: r = Math.sqrt(a); break;
          case OP_CEIL: r = Math.ceil(a); break;
          case OP_FLOOR: r = Math.floor(a); break;
          case OP_ROUND: r = jsRound(a); break;
          case OP_TRUNC: r = Math.trunc(a); break;
          case OP_SIGN: r = jsSign(a); break;
          default: {
            r = math1(<u32>load<u8>(pc), a);
            pc++;
          }
        }
        store<f64>(t, r);
        store<u8>(TAGS + n - 1, NUM);
        break;
      }
      case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV: case OP_MOD: case OP_POW: case OP_ATAN2:
      case OP_ROUNDTO: {
        n--;
        const t = STACK + ((n - 1) << 3);
        const a = load<f64>(t);
        const b = load<f64>(t + 8);
        let r: f64;
        switch (op) {
          case OP_ADD: r = a + b; break;
          case OP_SUB: r = a - b; break;
          case OP_MUL: r = a * b; break;
          case OP_DIV: r = a / b; break;
          case OP_MOD: r = a % b; break;
          case OP_POW: r = jsPow(a, b); break;
          case OP_ATAN2: r = jsAtan2(a, b); break;
          default: r = jsRoundTo(a, b);
        }
        store<f64>(t, r);
        store<u8>(TAGS + n - 1, NUM);
        break;
      }
      case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
        n--;
        const t = STACK + ((n - 1) << 3);
        const a = load<f64>(t);
        const b = load<f64>(t + 8);
        let r: bool;
        switch (op) {
          case OP_EQ: r = load<u8>(TAGS + n - 1) == load<u8>(TAGS + n) && a == b; break;
          case OP_NE: r = load<u8>(TAGS + n - 1) != load<u8>(TAGS + n) || a != b; break;
          case OP_LT: r = a < b; break;
          case OP_LE: r = a <= b; break;
          case OP_GT: r = a > b; break;
          default: r = a >= b;
        }
        store<f64>(t, r ? 1 : 0);
        store<u8>(TAGS + n - 1, BOOL);
        break;
      }
      case OP_MIN: case OP_MAX: case OP_HYPOT: {
        const k = <usize>load<u8>(pc);
        pc++;
        const base = STACK + ((n - k) << 3);
        let r: f64;
        if (op == OP_HYPOT) {
          r = jsHypot(base, <i32>k);
        } else if (op == OP_MIN) {
          r = Infinity;
          for (let i: usize = 0; i < k; i++) r = min<f64>(r, load<f64>(base + (i << 3)));
        } else {
          r = -Infinity;
          for (let i: usize = 0; i < k; i++) r = max<f64>(r, load<f64>(base + (i << 3)));
        }
        n -= k;
        store<f64>(STACK + (n << 3), r);
        store<u8>(TAGS + n, NUM);
        n++;
        break;
      }
      case OP_IF: {
        // if(c, a, b): every argument evaluated; the chosen one as it is (value and type).
        n -= 2;
        const c = STACK + ((n - 1) << 3);
        const pick = truthy(load<f64>(c)) ? n : n + 1;
        store<f64>(c, load<f64>(STACK + (pick << 3)));
        store<u8>(TAGS + n - 1, load<u8>(TAGS + pick));
        break;
      }
      case OP_AND: case OP_OR: {
        n--;
        const a = truthy(load<f64>(STACK + (n << 3)));
        if (a == (op == OP_OR)) {
          store<f64>(STACK + (n << 3), a ? 1 : 0);
          store<u8>(TAGS + n, BOOL);
          n++;
          pc += 2 + <usize>load<u16>(pc);
        } else {
          pc += 2;
        }
        break;
      }
      case OP_JF: {
        n--;
        pc = truthy(load<f64>(STACK + (n << 3))) ? pc + 2 : pc + 2 + <usize>load<u16>(pc);
        break;
      }
      default: {
        // OP_JMP (the verifier admits nothing else)
        pc += 2 + <usize>load<u16>(pc);
      }
    }
  }
  return truthy(load<f64>(STACK + ((n - 1) << 3)));
}
