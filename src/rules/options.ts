// AnalysisOptions beyond their types: a fresh copy of the defaults, validation of every field
// (unit, range, cross-field rules, the lists and expressions inside) with the path of each problem,
// and merging of config files (JSON objects shaped like a partial AnalysisOptions) onto a base.
// One schema (SPEC) drives both, so a field cannot be merged without being validated. Pure
// functions; used by the page's settings, the CLI's --config and the pipeline (which refuses to
// start on invalid options).
import { DEFAULT_OPTIONS, DETECTOR_NAMES, type AnalysisOptions, type FlowRule } from '../shared/protocol';
import { parseServices } from '../shared/services';
import { blacklistRanges } from './blacklist';
import { validateRules } from './flow-rules';

/** A problem with one option: `path` like "rules.portscan.windowS" or "flowFeatures.rules[2].expr". */
export interface OptionProblem {
  path: string;
  message: string;
}

type Leaf =
  | { t: 'bool' }
  | { t: 'num'; min: number; max: number; int?: boolean; gt?: boolean; unit: string }
  | { t: 'list' }
  | { t: 'rules' }
  | { t: 'seed' }
  | { t: 'warmup' };
type Spec = { [key: string]: Spec | Leaf };

const isLeaf = (s: Spec | Leaf): s is Leaf => typeof (s as Leaf).t === 'string';

const bool: Leaf = { t: 'bool' };
const list: Leaf = { t: 'list' };
const int = (min: number, max: number, unit: string): Leaf => ({ t: 'num', min, max, int: true, unit });
const num = (min: number, max: number, unit: string): Leaf => ({ t: 'num', min, max, unit });
/** A duration that must be above 0. */
const seconds = (max: number): Leaf => ({ t: 'num', min: 0, max, gt: true, unit: 'seconds' });
const windowRule = (unit: string): Spec => ({ enabled: bool, threshold: int(0, 1e9, unit), windowS: seconds(1e6) });
const rateLimit: Spec = { enabled: bool, max: int(1, 1e9, 'alerts'), perS: seconds(1e6) };

/** Every option, its type, unit and accepted range. Upper bounds only keep values sane (a window
 *  of 11 days, a billion ports); the core clamps nothing silently. */
const SPEC: Spec = {
  zscore: {
    enabled: bool,
    window: int(1, 1e6, 'packets'),
    threshold: num(0.1, 1000, 'z (standard deviations)'),
    minSamples: int(1, 1e6, 'packets'),
    minStdBytes: num(0, 1e6, 'bytes'),
    minStdFraction: num(0, 10, 'fraction of the mean'),
    highMinSamples: int(0, 1e6, 'packets'),
    highMaxFactor: num(0, 1000, 'times the largest packet in the window'),
  },
  flow: {
    tcpTimeoutS: seconds(1e7),
    udpTimeoutS: seconds(1e7),
    icmpTimeoutS: seconds(1e7),
    otherTimeoutS: seconds(1e7),
    capacity: int(1, 2 ** 26, 'slots'),
    memoryCapBytes: int(64 * 1024, 2 ** 31, 'bytes'),
  },
  rules: {
    blacklist: { enabled: bool, entries: list },
    portscan: windowRule('distinct ports'),
    portscanSyn: { enabled: bool, syns: int(0, 1e9, 'SYNs'), ports: int(0, 65535, 'distinct ports'), windowS: seconds(1e6) },
    addressScan: windowRule('distinct hosts'),
    synflood: { ...windowRule('SYNs'), completedFraction: num(0, 1, 'fraction of the SYNs') },
    synfloodSlow: windowRule('SYNs'),
    synfloodSpread: windowRule('SYNs'),
    largesize: { enabled: bool, bytes: int(0, 1e6, 'bytes') },
    unusual: { enabled: bool, normal: list },
    latency: {
      enabled: bool,
      response: bool,
      span: num(1, 1e6, 'samples'),
      warmup: int(1, 1e6, 'samples'),
      mediumRatio: num(1, 1000, 'x the baseline mean'),
      highRatio: num(1, 1000, 'x the baseline mean'),
      minExcessMs: num(0, 1e7, 'milliseconds'),
      minSigmas: num(0, 1000, 'standard deviations'),
    },
    retrans: {
      enabled: bool,
      minSegments: int(1, 1e9, 'data segments'),
      minRetransmissions: int(1, 1e9, 'retransmitted segments'),
      medium: num(0, 1, 'fraction of data segments'),
      high: num(0, 1, 'fraction of data segments'),
    },
    longConnections: {
      enabled: bool,
      mediumRatio: num(1, 1000, 'x the service mean'),
      highRatio: num(1, 1000, 'x the service mean'),
      minFlows: int(1, 1e9, 'completed flows'),
      minDurationS: num(0, 1e8, 'seconds'),
      idleBytes: num(0, 1e15, 'bytes'),
      ladder: bool,
    },
  },
  flowFeatures: { enabled: bool, windowS: seconds(86400), latenessS: num(0, 86400, 'seconds'), rules: { t: 'rules' } },
  baseline: { windowS: { t: 'num', min: 0.001, max: 86400, unit: 'seconds' }, windows: int(1, 1e6, 'windows'), warmup: int(1, 1e6, 'windows'), frozen: bool },
  spike: {
    enabled: bool,
    perDestination: bool,
    mediumSigma: num(0, 100, 'σ (log2 scale)'),
    highSigma: num(0, 100, 'σ (log2 scale)'),
    minStdLog2: num(0, 64, 'log2 units'),
    minBps: num(0, 1e12, 'bytes per second'),
    highMinBps: num(0, 1e12, 'bytes per second'),
    memoryCapBytes: int(64 * 1024, 2 ** 31, 'bytes'),
  },
  protocolShift: {
    enabled: bool,
    services: bool,
    points: num(0, 100, 'percentage points'),
    highPoints: num(0, 100, 'percentage points'),
    minPackets: int(0, 1e9, 'packets'),
  },
  limits: Object.fromEntries(DETECTOR_NAMES.slice(1).map((n) => [n.toLowerCase(), rateLimit])),
  connRecords: { enabled: bool, max: int(0, 1e8, 'records') },
  profile: {
    enabled: bool,
    weights: { statistical: num(0, 1, 'weight'), ml: num(0, 1, 'weight') },
    threshold: { t: 'num', min: 0, max: 1, gt: true, unit: 'combined score' },
    levels: { medium: num(0, 1, 'combined score'), high: num(0, 1, 'combined score'), critical: num(0, 1, 'combined score') },
    warmup: { t: 'warmup' },
    trees: int(1, 10_000, 'trees'),
    sampleSize: int(2, 4096, 'connections'),
    seed: int(0, 0xffffffff, 'seed'),
    minConnections: int(1, 1e9, 'connections'),
  },
  chunkBytes: int(64 * 1024, 256 * 1024 * 1024, 'bytes'),
  seed: { t: 'seed' },
  maxAlerts: int(0, 1e8, 'alerts'),
  communityIdSeed: int(0, 65535, 'seed'),
};

const SEVERITIES = ['low', 'medium', 'high'];
const RULE_KEYS = ['name', 'expr', 'severity', 'enabled'];

/** A deep copy of DEFAULT_OPTIONS (safe to modify). */
export function defaultOptions(): AnalysisOptions {
  return structuredClone(DEFAULT_OPTIONS);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `"${v.length > 40 ? v.slice(0, 40) + '…' : v}"`;
  return typeof v === 'object' ? 'an object' : String(v);
}

/** Checks one leaf's type and range; returns a message or null. */
function checkLeaf(leaf: Leaf, v: unknown): string | null {
  switch (leaf.t) {
    case 'bool':
      return typeof v === 'boolean' ? null : `expected true or false, got ${describe(v)}`;
    case 'num': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `expected a number (${leaf.unit}), got ${describe(v)}`;
      if (leaf.int && !Number.isInteger(v)) return `expected a whole number of ${leaf.unit}, got ${v}`;
      if (leaf.gt ? v <= leaf.min : v < leaf.min) return `must be ${leaf.gt ? 'above' : 'at least'} ${leaf.min} ${leaf.unit}, got ${v}`;
      if (v > leaf.max) return `must be at most ${leaf.max} ${leaf.unit}, got ${v}`;
      return null;
    }
    case 'list':
      return Array.isArray(v) && v.every((x) => typeof x === 'string') ? null : `expected a list of strings, got ${describe(v)}`;
    case 'rules':
      return Array.isArray(v) ? null : `expected a list of rules, got ${describe(v)}`;
    case 'warmup': {
      if (v === null) return null;
      const ok = isObject(v) && Object.keys(v).length === 1;
      if (ok && 'minutes' in v) {
        const m = v.minutes;
        return typeof m === 'number' && Number.isFinite(m) && m > 0 && m <= 1e7 ? null : `warm-up minutes must be a number above 0 (at most 1e7), got ${describe(m)}`;
      }
      if (ok && 'percent' in v) {
        const p = v.percent;
        return typeof p === 'number' && Number.isFinite(p) && p > 0 && p < 100 ? null : `warm-up percent must be a number above 0 and below 100, got ${describe(p)}`;
      }
      return `expected null (no warm-up), {"minutes": M} or {"percent": P}, got ${describe(v)}`;
    }
    case 'seed':
      if (v === undefined) return null;
      return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff
        ? null
        : `expected a whole number 0-4294967295 (or no seed for a random one), got ${describe(v)}`;
  }
}

function checkRules(path: string, rules: unknown[], out: OptionProblem[]): void {
  const well: FlowRule[] = [];
  rules.forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(r)) {
      out.push({ path: p, message: `expected a rule {name, expr, severity, enabled}, got ${describe(r)}` });
      well.push({ name: `#${i}`, expr: 'packets < 0', severity: 'low', enabled: false });
      return;
    }
    for (const k of Object.keys(r)) if (!RULE_KEYS.includes(k)) out.push({ path: `${p}.${k}`, message: `unknown rule field (expected ${RULE_KEYS.join(', ')})` });
    if (typeof r.name !== 'string') out.push({ path: `${p}.name`, message: `expected a text name, got ${describe(r.name)}` });
    if (typeof r.expr !== 'string') out.push({ path: `${p}.expr`, message: `expected a text expression, got ${describe(r.expr)}` });
    if (!SEVERITIES.includes(r.severity as string)) out.push({ path: `${p}.severity`, message: `expected low, medium or high, got ${describe(r.severity)}` });
    if (typeof r.enabled !== 'boolean') out.push({ path: `${p}.enabled`, message: `expected true or false, got ${describe(r.enabled)}` });
    well.push({
      name: typeof r.name === 'string' ? r.name : `#${i}`,
      expr: typeof r.expr === 'string' ? r.expr : 'packets < 0',
      severity: 'low',
      enabled: r.enabled === true, // validateRules counts the enabled rules (at most 32)
    });
  });
  for (const p of validateRules(well)) {
    // Type problems were reported above; only report names/expressions that are text.
    const r = rules[p.index] as Record<string, unknown>;
    if (!isObject(r) || typeof r[p.field] !== 'string') continue;
    out.push({ path: `${path}[${p.index}].${p.field}`, message: p.column !== undefined && !/column/.test(p.message) ? `column ${p.column}: ${p.message}` : p.message });
  }
}

function walkValidate(spec: Spec, value: unknown, path: string, out: OptionProblem[]): void {
  if (!isObject(value)) {
    out.push({ path: path || '(options)', message: `expected an object, got ${describe(value)}` });
    return;
  }
  for (const [key, sub] of Object.entries(spec)) {
    const p = join(path, key);
    const v = value[key];
    if (isLeaf(sub)) {
      const msg = checkLeaf(sub, v);
      if (msg) out.push({ path: p, message: msg });
      else if (sub.t === 'rules') checkRules(p, v as unknown[], out);
    } else walkValidate(sub, v, p, out);
  }
}

/**
 * Every problem of `o`, each with its path: types; each number's unit and range (SPEC above:
 * windows and timeouts above 0 s, counts whole numbers, ...); flowFeatures.latenessS below
 * flowFeatures.windowS (a packet later than a whole window cannot land in its window);
 * spike.highSigma and protocolShift.highPoints at least their MEDIUM counterparts; profile.weights
 * adding up to 1 and profile.threshold ≤ levels.medium ≤ levels.high ≤ levels.critical; blacklist
 * entries and normal services that do not parse (path with the entry's index); flow rules with an
 * empty or duplicate name, a bad expression (with its column) or a bad severity. Empty = valid.
 */
export function validateOptions(o: AnalysisOptions): OptionProblem[] {
  const out: OptionProblem[] = [];
  walkValidate(SPEC, o, '', out);
  if (out.length > 0 && !isObject(o)) return out;
  const ff = o.flowFeatures;
  if (isObject(ff) && typeof ff.windowS === 'number' && typeof ff.latenessS === 'number' && ff.latenessS >= ff.windowS) {
    out.push({ path: 'flowFeatures.latenessS', message: `must be below flowFeatures.windowS (${ff.windowS} s), got ${ff.latenessS}` });
  }
  const sp = o.spike;
  if (isObject(sp) && typeof sp.mediumSigma === 'number' && typeof sp.highSigma === 'number' && sp.highSigma < sp.mediumSigma) {
    out.push({ path: 'spike.highSigma', message: `must be at least spike.mediumSigma (${sp.mediumSigma}), got ${sp.highSigma}` });
  }
  const ps = o.protocolShift;
  if (isObject(ps) && typeof ps.points === 'number' && typeof ps.highPoints === 'number' && ps.highPoints < ps.points) {
    out.push({ path: 'protocolShift.highPoints', message: `must be at least protocolShift.points (${ps.points}), got ${ps.highPoints}` });
  }
  const pr = o.profile;
  if (isObject(pr) && isObject(pr.weights) && typeof pr.weights.statistical === 'number' && typeof pr.weights.ml === 'number') {
    const sum = pr.weights.statistical + pr.weights.ml;
    if (Math.abs(sum - 1) > 1e-9) out.push({ path: 'profile.weights', message: `statistical + ml must add up to 1, got ${sum}` });
  }
  if (isObject(pr) && isObject(pr.levels)) {
    const l = pr.levels;
    const chain: [string, unknown][] = [['profile.threshold', pr.threshold], ['profile.levels.medium', l.medium], ['profile.levels.high', l.high], ['profile.levels.critical', l.critical]];
    for (let i = 1; i < chain.length; i++) {
      const [pp, pv] = chain[i - 1];
      const [path, v] = chain[i];
      if (typeof pv === 'number' && typeof v === 'number' && v < pv) out.push({ path, message: `must be at least ${pp} (${pv}), got ${v}` });
    }
  }
  const entries = o.rules?.blacklist?.entries;
  if (Array.isArray(entries) && entries.every((x) => typeof x === 'string')) {
    for (const e of blacklistRanges(entries).errors) out.push({ path: `rules.blacklist.entries[${e.line - 1}]`, message: `"${e.entry}": ${e.message}` });
  }
  const normal = o.rules?.unusual?.normal;
  if (Array.isArray(normal) && normal.every((x) => typeof x === 'string')) {
    for (const e of parseServices(normal).errors) out.push({ path: `rules.unusual.normal[${e.line - 1}]`, message: `"${e.entry}": ${e.message}` });
  }
  return out;
}

function walkMerge(spec: Spec, target: Record<string, unknown>, partial: Record<string, unknown>, path: string, out: OptionProblem[]): void {
  for (const [key, v] of Object.entries(partial)) {
    const p = join(path, key);
    const sub = Object.hasOwn(spec, key) ? spec[key] : undefined;
    if (!sub) {
      const near = Object.keys(spec).find((k) => k.toLowerCase() === key.toLowerCase());
      out.push({ path: p, message: `unknown option${near ? ` (did you mean "${join(path, near)}"?)` : ''}` });
      continue;
    }
    if (!isLeaf(sub)) {
      if (!isObject(v)) out.push({ path: p, message: `expected an object, got ${describe(v)}` });
      else walkMerge(sub, target[key] as Record<string, unknown>, v, p, out);
      continue;
    }
    if (sub.t === 'seed' && v === null) {
      delete target[key]; // null = a random seed per analysis
      continue;
    }
    if (sub.t === 'warmup') {
      const msg = checkLeaf(sub, v);
      if (msg) out.push({ path: p, message: msg });
      else target[key] = structuredClone(v);
      continue;
    }
    if (sub.t === 'rules' && Array.isArray(v)) {
      // Rules may leave out severity (medium) and enabled (true).
      target[key] = v.map((r) => (isObject(r) ? { severity: 'medium', enabled: true, ...structuredClone(r) } : r));
      continue;
    }
    // Types are checked here (a wrong type keeps the base value); ranges by validateOptions().
    const msg = sub.t === 'num' ? (typeof v === 'number' && Number.isFinite(v) ? null : checkLeaf(sub, v)) : checkLeaf(sub, v);
    if (msg) out.push({ path: p, message: msg });
    else target[key] = structuredClone(v);
  }
}

/**
 * Merges a config object onto `base` (which is not modified): nested objects merge key by key,
 * lists (blacklist entries, normal services, flow rules) replace the base's list, `seed: null`
 * means a random seed. Flow rules may omit severity ("medium") and enabled (true). Unknown keys
 * and values of the wrong type are problems (with their path) and leave the base value; ranges and
 * lists are not checked here — run validateOptions() on the result.
 */
export function mergeOptions(base: AnalysisOptions, partial: unknown): { options: AnalysisOptions; problems: OptionProblem[] } {
  const options = structuredClone(base);
  const problems: OptionProblem[] = [];
  if (!isObject(partial)) {
    problems.push({ path: '(config)', message: `expected an object of options, got ${describe(partial)}` });
    return { options, problems };
  }
  walkMerge(SPEC, options as unknown as Record<string, unknown>, partial, '', problems);
  return { options, problems };
}
