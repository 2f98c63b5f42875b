// Learned baselines, end to end: learn() builds a Model from connections (per-source profiles, a
// population profile, the feature standardiser and an Isolation Forest); scoreConnections() and
// detect() score other connections against it; toJson()/fromJson() save and restore it ("learn
// here, detect there"); splitWarmup() cuts a capture into a learning part and a detection part.
// Pure TypeScript, no DOM or Node: runs in the worker, the CLI and tests.
//
// Scores of a connection c from source s (all in [0, 1]):
// - ml: the forest's s(x) of c's standardised feature vector (features.ts, isolation-forest.ts);
// - statistical (source-profile.ts scoreConnection), with the basis named in the result:
//   'source' when s has a profile of at least minConnections (default 10) training connections;
//   otherwise 'population': c is scored against the population profile, learnt from every training
//   connection (rates pooled over every source's active minutes and hours). A source with no
//   training connection at all (unknown) also gets the 'newSource' feature, whose tail probability
//   is the Good–Turing chance of a new source, (sources seen once + 1) / (connections + 1): a new
//   address is surprising in a network whose sources are stable and not in one where new ones come
//   and go. So a new scanner is still judged: on its rates and services against the whole network,
//   and by the forest, which does not depend on the source;
// - combined = wStat · statistical + wMl · ml (weights default 0.6 / 0.4, must add up to 1).
// Threat level of the combined score: below `threshold` (0.7) none; [threshold, 0.8) LOW;
// [0.8, 0.9) MEDIUM; [0.9, 0.95) HIGH; ≥ 0.95 CRITICAL (boundaries configurable, ascending).
//
// Live rates: each source's connections per minute and distinct responders per hour are tracked
// afresh over the connections being scored (RateTracker), in time order; detection never changes
// the model.
//
// JSON form of a model (modelToJSON / toJson): one object {createdAt, options, counts,
// standardiser, forest, population, profiles: [[source, profile], ...]}, the `model` part of a
// baseline file (src/ml/baseline-file.ts: format name, version 2, the core's window baselines).
// modelFromJSON checks every field (types, ranges, lengths, sums, tree structure) and builds a new
// Model only when all of it is valid; errors are BaselineFormatError with the JSON path.
import type { Connection } from './connection';
import { FEATURE_DIMS, featureRow, fitStandardiser, standardise, standardiserFromJSON, type Standardiser } from './features';
import { fitForest, forestFromJSON, forestToJSON, MAX_SAMPLE_SIZE, scoreRow, type IsolationForest } from './isolation-forest';
import { BaselineFormatError, keysExactly, num, obj, str } from './json-check';
import {
  MIN_CONNECTIONS,
  profilesFromJSON,
  RateTracker,
  rateSinkOf,
  scoreConnection,
  SourceProfile,
  statisticalScore,
  type Contribution,
  type LiveRates,
  type RateSink,
} from './source-profile';

export const BASELINE_FORMAT = 'flowlens-baseline';
/** Version of the baseline file format (and of the model's meaning); src/ml/baseline-file.ts reads
 *  exactly this one. 1: the model alone (no core window baselines); 2: the model and the core's
 *  window baselines. */
export const BASELINE_VERSION = 2;

export interface BaselineOptions {
  /** Weights of the combined score; each in [0, 1], adding up to 1 (±1e−9). */
  weights: { statistical: number; ml: number };
  /** Combined score from which a connection is an alert (LOW). */
  threshold: number;
  /** Lower bounds of the other levels; threshold ≤ medium ≤ high ≤ critical ≤ 1. */
  levels: { medium: number; high: number; critical: number };
  /** Isolation Forest: trees, sub-sample size ψ, PRNG seed (the paper's 100 and 256). */
  trees: number;
  sampleSize: number;
  seed: number;
  /** Training connections a source needs for a profile of its own to be used. */
  minConnections: number;
  /** Most profiles kept; later new sources are learnt into the population profile only (and are
   *  unknown when scored). Bounds the model's size. */
  maxSources: number;
}

export const DEFAULT_BASELINE_OPTIONS: Readonly<BaselineOptions> = Object.freeze({
  weights: Object.freeze({ statistical: 0.6, ml: 0.4 }),
  threshold: 0.7,
  levels: Object.freeze({ medium: 0.8, high: 0.9, critical: 0.95 }),
  trees: 100,
  sampleSize: 256,
  seed: 1,
  minConnections: MIN_CONNECTIONS,
  maxSources: 65536,
});

/** Options as given: any field may be left out (weights and levels too, field by field). */
export type BaselineOptionsInput = Partial<Omit<BaselineOptions, 'weights' | 'levels'>> & {
  weights?: Partial<BaselineOptions['weights']>;
  levels?: Partial<BaselineOptions['levels']>;
};

/** Problems of an options object, each with its path ("weights.ml"); empty when valid. */
export function baselineOptionProblems(o: BaselineOptions): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const check = (path: string, v: unknown, min: number, max: number, int = false) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) out.push({ path, message: `expected a finite number, got ${String(v)}` });
    else if (int && !Number.isInteger(v)) out.push({ path, message: `expected an integer, got ${v}` });
    else if (v < min || v > max) out.push({ path, message: `${v} is outside ${min}..${max}` });
  };
  check('weights.statistical', o.weights?.statistical, 0, 1);
  check('weights.ml', o.weights?.ml, 0, 1);
  if (out.length === 0 && Math.abs(o.weights.statistical + o.weights.ml - 1) > 1e-9) {
    out.push({ path: 'weights', message: `statistical + ml must be 1, got ${o.weights.statistical + o.weights.ml}` });
  }
  check('threshold', o.threshold, Number.MIN_VALUE, 1);
  check('levels.medium', o.levels?.medium, 0, 1);
  check('levels.high', o.levels?.high, 0, 1);
  check('levels.critical', o.levels?.critical, 0, 1);
  if (out.length === 0 && !(o.threshold <= o.levels.medium && o.levels.medium <= o.levels.high && o.levels.high <= o.levels.critical)) {
    out.push({ path: 'levels', message: `must ascend: threshold ${o.threshold} ≤ medium ${o.levels.medium} ≤ high ${o.levels.high} ≤ critical ${o.levels.critical}` });
  }
  check('trees', o.trees, 1, 10_000, true);
  check('sampleSize', o.sampleSize, 2, MAX_SAMPLE_SIZE, true);
  check('seed', o.seed, 0, 0xffffffff, true);
  check('minConnections', o.minConnections, 1, 1e9, true);
  check('maxSources', o.maxSources, 1, 1e8, true);
  return out;
}

/** Defaults overlaid with `input`; throws RangeError listing every problem. */
export function resolveBaselineOptions(input: BaselineOptionsInput = {}, base: BaselineOptions = DEFAULT_BASELINE_OPTIONS): BaselineOptions {
  const o: BaselineOptions = {
    ...base,
    ...input,
    weights: { ...base.weights, ...input.weights },
    levels: { ...base.levels, ...input.levels },
  };
  const problems = baselineOptionProblems(o);
  if (problems.length) throw new RangeError(`baseline options: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  return o;
}

export interface ModelCounts {
  /** Training connections. */
  connections: number;
  /** Distinct sources among them. */
  sources: number;
  /** Sources with a profile (≤ maxSources). */
  profiled: number;
  /** Sources with at least minConnections connections (scored on their own profile). */
  profiledEnough: number;
  /** Sources seen in exactly one training connection (Good–Turing). */
  sourcesSeenOnce: number;
  /** First and last training connection start, µs since the epoch. */
  firstUs: number;
  lastUs: number;
}

export interface Model {
  version: number;
  /** ISO 8601 time of learning. */
  createdAt: string;
  options: BaselineOptions;
  counts: ModelCounts;
  standardiser: Standardiser;
  forest: IsolationForest;
  /** Every training connection, as one source. */
  population: SourceProfile;
  profiles: Map<string, SourceProfile>;
}

export type ThreatLevel = 'none' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

/** One scored connection. */
export interface Scored {
  connection: Connection;
  /** Position in the input array. */
  index: number;
  statistical: number;
  ml: number;
  combined: number;
  level: ThreatLevel;
  /** Which profile the statistical score used (see the file header). */
  basis: 'source' | 'population';
  /** The source had no training connection (false for any source without a profile when
   *  maxSources cut profiles while learning: it may have been seen). */
  unknownSource: boolean;
  /** The statistical features, largest contribution first. */
  contributions: Contribution[];
}

/** The threat level of a combined score (see the file header). */
export function threatLevel(combined: number, o: Pick<BaselineOptions, 'threshold' | 'levels'>): ThreatLevel {
  if (!(combined >= o.threshold)) return 'none';
  if (combined >= o.levels.critical) return 'CRITICAL';
  if (combined >= o.levels.high) return 'HIGH';
  if (combined >= o.levels.medium) return 'MEDIUM';
  return 'LOW';
}

function checkConnection(c: Connection, i: number): void {
  const bad = (field: string, why: string) => new RangeError(`connections[${i}].${field}: ${why}`);
  if (!c || typeof c !== 'object') throw new RangeError(`connections[${i}]: not a connection`);
  if (!Number.isFinite(c.tsUs)) throw bad('tsUs', `not a finite time: ${c.tsUs}`);
  for (const f of ['durationS', 'origBytes', 'respBytes', 'origPkts', 'respPkts'] as const) {
    if (!(Number.isFinite(c[f]) && c[f] >= 0)) throw bad(f, `expected a finite number ≥ 0, got ${c[f]}`);
  }
  for (const f of ['origPort', 'respPort'] as const) {
    if (!(Number.isInteger(c[f]) && c[f] >= 0 && c[f] <= 65535)) throw bad(f, `expected a port 0..65535, got ${c[f]}`);
  }
  if (!(Number.isInteger(c.proto) && c.proto >= 0 && c.proto <= 255)) throw bad('proto', `expected 0..255, got ${c.proto}`);
  if (typeof c.orig !== 'string' || typeof c.resp !== 'string') throw bad('orig', 'addresses must be strings');
}

/** Indices of `conns` in time order (stable for equal tsUs). */
function timeOrder(conns: readonly Connection[]): Int32Array {
  const order = new Int32Array(conns.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  order.sort((a, b) => conns[a].tsUs - conns[b].tsUs || a - b);
  return order;
}

/**
 * Learns a model from `connections` (any order; taken in time order). Throws RangeError on bad
 * options, a malformed connection (named by index) or fewer than 2 connections. Deterministic for
 * the same connections, options and createdAt.
 */
export function learn(connections: readonly Connection[], options: BaselineOptionsInput = {}, createdAt = new Date().toISOString()): Model {
  const o = resolveBaselineOptions(options);
  connections.forEach(checkConnection);
  if (connections.length < 2) throw new RangeError(`learning needs at least 2 connections, got ${connections.length}`);
  const order = timeOrder(connections);
  const population = new SourceProfile();
  const popSink = rateSinkOf(population);
  const profiles = new Map<string, SourceProfile>();
  interface Learner {
    tracker: RateTracker;
    profile: SourceProfile | null;
    sink: RateSink;
    n: number;
  }
  const learners = new Map<string, Learner>();
  const X = new Float64Array(connections.length * FEATURE_DIMS);
  const rates: LiveRates = { connsPerMinute: 0, dstsPerHour: 0 };
  for (let r = 0; r < order.length; r++) {
    const c = connections[order[r]];
    let l = learners.get(c.orig);
    if (!l) {
      let profile: SourceProfile | null = null;
      let sink: RateSink = popSink;
      if (profiles.size < o.maxSources) {
        const p = new SourceProfile();
        profile = p;
        profiles.set(c.orig, p);
        const own = rateSinkOf(p);
        sink = {
          minuteClosed: (n) => (own.minuteClosed(n), popSink.minuteClosed(n)),
          hourClosed: (n) => (own.hourClosed(n), popSink.hourClosed(n)),
        };
      }
      l = { tracker: new RateTracker(), profile, sink, n: 0 };
      learners.set(c.orig, l);
    }
    l.tracker.observe(c, rates, l.sink);
    l.n++;
    featureRow(c, rates, X, r * FEATURE_DIMS);
    l.profile?.update(c);
    population.update(c);
  }
  let sourcesSeenOnce = 0;
  for (const l of learners.values()) {
    l.tracker.flush(l.sink);
    if (l.n === 1) sourcesSeenOnce++;
  }
  const standardiser = fitStandardiser(X, FEATURE_DIMS);
  standardise(standardiser, X);
  const forest = fitForest(X, FEATURE_DIMS, { trees: o.trees, sampleSize: o.sampleSize, seed: o.seed });
  let profiledEnough = 0;
  for (const p of profiles.values()) if (p.n >= o.minConnections) profiledEnough++;
  return {
    version: BASELINE_VERSION,
    createdAt,
    options: o,
    counts: {
      connections: connections.length,
      sources: learners.size,
      profiled: profiles.size,
      profiledEnough,
      sourcesSeenOnce,
      firstUs: connections[order[0]].tsUs,
      lastUs: connections[order[order.length - 1]].tsUs,
    },
    standardiser,
    forest,
    population,
    profiles,
  };
}

/** Detection-time settings that may differ from the model's without learning again; `explain`
 *  says which results carry their contributions: every one (default) or only those at LOW or above
 *  (the others get an empty list; faster: no per-feature objects). */
export type DetectOptions = Pick<BaselineOptionsInput, 'weights' | 'threshold' | 'levels'> & { explain?: 'all' | 'alerts' };

const NO_CONTRIBUTIONS: Contribution[] = Object.freeze([]) as unknown as Contribution[];

/**
 * Scores every connection against `model` (taken in time order for the live rates; the result is
 * in input order). `options` override the model's weights, threshold and levels.
 */
export function scoreConnections(model: Model, connections: readonly Connection[], options: DetectOptions = {}): Scored[] {
  const { explain = 'all', ...overrides } = options;
  const o = resolveBaselineOptions(overrides, model.options);
  connections.forEach(checkConnection);
  const order = timeOrder(connections);
  const trackers = new Map<string, RateTracker>();
  const row = new Float64Array(FEATURE_DIMS);
  const rates: LiveRates = { connsPerMinute: 0, dstsPerHour: 0 };
  const pNewSource = (model.counts.sourcesSeenOnce + 1) / (model.counts.connections + 1);
  // When maxSources cut profiles, a source without one may have been learnt: it is not "unknown".
  const capped = model.counts.profiled < model.counts.sources;
  const out = new Array<Scored>(connections.length);
  for (let r = 0; r < order.length; r++) {
    const index = order[r];
    const c = connections[index];
    let t = trackers.get(c.orig);
    if (!t) {
      t = new RateTracker();
      trackers.set(c.orig, t);
    }
    t.observe(c, rates);
    featureRow(c, rates, row, 0);
    standardise(model.standardiser, row);
    const ml = scoreRow(model.forest, row);
    const profile = model.profiles.get(c.orig);
    const own = profile !== undefined && profile.n >= o.minConnections;
    const unknownSource = profile === undefined && !capped;
    const basis = own ? profile : model.population;
    const newSourceP = unknownSource ? pNewSource : undefined;
    const explained = explain === 'all' ? scoreConnection(basis, c, rates, newSourceP) : null;
    const statistical = explained ? explained.statistical : statisticalScore(basis, c, rates, newSourceP);
    const combined = o.weights.statistical * statistical + o.weights.ml * ml;
    const level = threatLevel(combined, o);
    out[index] = {
      connection: c,
      index,
      statistical,
      ml,
      combined,
      level,
      basis: own ? 'source' : 'population',
      unknownSource,
      contributions: explained ? explained.contributions : level !== 'none' ? scoreConnection(basis, c, rates, newSourceP).contributions : NO_CONTRIBUTIONS,
    };
  }
  return out;
}

/** The connections scored at LOW or above, in time order (see scoreConnections). */
export function detect(model: Model, connections: readonly Connection[], options: DetectOptions = {}): Scored[] {
  return scoreConnections(model, connections, { explain: 'alerts', ...options })
    .filter((s) => s.level !== 'none')
    .sort((a, b) => a.connection.tsUs - b.connection.tsUs || a.index - b.index);
}

/** How much of a capture to learn from: its first `minutes` (from the earliest connection start)
 *  or its first `percent` of connections in time order. */
export type Warmup = { minutes: number } | { percent: number };

/** Splits `connections` into a learning part and a detection part (both in time order). Throws
 *  RangeError on minutes ≤ 0 or percent outside (0, 100). */
export function splitWarmup(connections: readonly Connection[], warmup: Warmup): { learn: Connection[]; detect: Connection[] } {
  const sorted = Array.from(timeOrder(connections), (i) => connections[i]);
  let cut: number;
  if ('minutes' in warmup) {
    if (!(Number.isFinite(warmup.minutes) && warmup.minutes > 0)) throw new RangeError(`warm-up minutes must be > 0, got ${warmup.minutes}`);
    if (sorted.length === 0) return { learn: [], detect: [] };
    const end = sorted[0].tsUs + warmup.minutes * 60e6;
    cut = sorted.findIndex((c) => c.tsUs >= end);
    if (cut < 0) cut = sorted.length;
  } else {
    if (!(Number.isFinite(warmup.percent) && warmup.percent > 0 && warmup.percent < 100)) throw new RangeError(`warm-up percent must be in (0, 100), got ${warmup.percent}`);
    cut = Math.round((sorted.length * warmup.percent) / 100);
  }
  return { learn: sorted.slice(0, cut), detect: sorted.slice(cut) };
}

/** The model as a plain JSON value (see the file header); the `model` part of a baseline file. */
export function modelToJSON(model: Model): Record<string, unknown> {
  return {
    createdAt: model.createdAt,
    options: model.options,
    counts: model.counts,
    standardiser: model.standardiser,
    forest: forestToJSON(model.forest),
    population: model.population,
    profiles: Array.from(model.profiles),
  };
}

/** The model as JSON text (modelToJSON). */
export function toJson(model: Model): string {
  return JSON.stringify(modelToJSON(model));
}

const at = (path: string, key: string) => (path ? `${path}.${key}` : key);

function countsFromJSON(v: unknown, path: string): ModelCounts {
  const o = obj(v, path);
  const keys = ['connections', 'sources', 'profiled', 'profiledEnough', 'sourcesSeenOnce', 'firstUs', 'lastUs'] as const;
  keysExactly(o, path, keys);
  const n = (k: (typeof keys)[number], max = Number.MAX_SAFE_INTEGER) => num(o[k], `${path}.${k}`, { int: true, min: 0, max });
  const connections = n('connections');
  if (connections < 2) throw new BaselineFormatError(`${path}.connections`, 'a model learnt from fewer than 2 connections');
  const sources = n('sources', connections);
  const c: ModelCounts = {
    connections,
    sources,
    profiled: n('profiled', sources),
    profiledEnough: 0,
    sourcesSeenOnce: n('sourcesSeenOnce', sources),
    firstUs: num(o.firstUs, `${path}.firstUs`),
    lastUs: num(o.lastUs, `${path}.lastUs`),
  };
  c.profiledEnough = n('profiledEnough', c.profiled);
  if (c.lastUs < c.firstUs) throw new BaselineFormatError(`${path}.lastUs`, 'before firstUs');
  return c;
}

/**
 * Reads a model written by modelToJSON from the JSON value `v` found at `path` ("" for a whole
 * document, "model" inside a baseline file). Throws BaselineFormatError (with the JSON path) when
 * any field is missing, unknown, of the wrong type, out of range or inconsistent (profile counts,
 * tree structure). Never returns a partly valid model.
 */
export function modelFromJSON(v: unknown, path = ''): Model {
  const o = obj(v, path);
  keysExactly(o, path, ['createdAt', 'options', 'counts', 'standardiser', 'forest', 'population', 'profiles']);
  const createdAt = str(o.createdAt, at(path, 'createdAt'));
  if (Number.isNaN(Date.parse(createdAt))) throw new BaselineFormatError(at(path, 'createdAt'), `not a date: ${createdAt}`);
  const optPath = at(path, 'options');
  const opt = obj(o.options, optPath);
  keysExactly(opt, optPath, Object.keys(DEFAULT_BASELINE_OPTIONS));
  keysExactly(obj(opt.weights, `${optPath}.weights`), `${optPath}.weights`, ['statistical', 'ml']);
  keysExactly(obj(opt.levels, `${optPath}.levels`), `${optPath}.levels`, ['medium', 'high', 'critical']);
  const options = opt as unknown as BaselineOptions;
  const problems = baselineOptionProblems(options);
  if (problems.length) throw new BaselineFormatError(`${optPath}.${problems[0].path}`, problems[0].message);
  const counts = countsFromJSON(o.counts, at(path, 'counts'));
  const standardiser = standardiserFromJSON(o.standardiser, at(path, 'standardiser'));
  const forest = forestFromJSON(o.forest, at(path, 'forest'), FEATURE_DIMS);
  if (forest.trees !== options.trees || forest.seed !== options.seed || forest.sampleSize !== Math.min(options.sampleSize, counts.connections)) {
    throw new BaselineFormatError(at(path, 'forest'), 'trees, seed or sample size differ from the options');
  }
  const population = SourceProfile.fromJSON(o.population, at(path, 'population'));
  if (population.n !== counts.connections) throw new BaselineFormatError(at(path, 'population.n'), `${population.n} connections, counts say ${counts.connections}`);
  const profPath = at(path, 'profiles');
  const profiles = profilesFromJSON(o.profiles, profPath);
  if (profiles.size !== counts.profiled) throw new BaselineFormatError(profPath, `${profiles.size} profiles, counts say ${counts.profiled}`);
  let enough = 0;
  let total = 0;
  for (const p of profiles.values()) {
    total += p.n;
    if (p.n >= options.minConnections) enough++;
  }
  if (enough !== counts.profiledEnough) throw new BaselineFormatError(profPath, `${enough} profiles with ≥ ${options.minConnections} connections, counts say ${counts.profiledEnough}`);
  if (total > counts.connections) throw new BaselineFormatError(profPath, `profiles hold ${total} connections, more than the ${counts.connections} learnt`);
  return {
    version: BASELINE_VERSION,
    createdAt,
    options: {
      ...options,
      weights: { statistical: options.weights.statistical, ml: options.weights.ml },
      levels: { medium: options.levels.medium, high: options.levels.high, critical: options.levels.critical },
    },
    counts,
    standardiser,
    forest,
    population,
    profiles,
  };
}

/** Reads a model written by toJson (modelFromJSON of the parsed text); text that is not JSON is a
 *  BaselineFormatError at path "". */
export function fromJson(text: string): Model {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (e) {
    throw new BaselineFormatError('', `not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  return modelFromJSON(root, '');
}
