// PROFILE: the per-source profiles and the Isolation Forest (src/ml/baseline-model.ts) run over
// the connection records of one analysis, after the core finished. Called by the pipeline
// (src/worker/pipeline.ts) in one of two modes:
// - 'baseline': a baseline file was applied; every connection is scored against its model;
// - 'warmup': options.profile.warmup set and no baseline: a model is learnt from the first part of
//   the capture (splitWarmup: minutes of packet time from the first connection's start, or a
//   percent of the connections in time order) and the rest is scored; the pipeline also drops the
//   alerts of the baseline detectors (SPIKE, PROTOSHIFT, LATENCY, LONGCONN) that fall inside the
//   warm-up (AlertCollector.dropBefore), as their baselines were still being learnt.
// Detection-time settings (weights, threshold, levels) are the analysis's options.profile; an
// applied model keeps the forest and profiles it was learnt with (trees, sample size, seed).
//
// Every connection at LOW or above becomes one PROFILE alert, appended after the core's alerts in
// time order, through the rate limiter (limits.profile) and maxAlerts. Columns of a PROFILE row:
// tsUs / lastUs = the connection's first / last packet; channel = orig → resp, protocol; sport /
// dport = orig / resp port; severity = the threat level (LOW → SEV_LOW, MEDIUM → SEV_MEDIUM, HIGH
// and CRITICAL → SEV_HIGH: the alert columns have three severities, so CRITICAL is kept in
// `variant` and the detail); variant = the level, 1 LOW, 2 MEDIUM, 3 HIGH, 4 CRITICAL; score =
// value = the combined score; threshold = the lower bound of the level reached; windowS 0;
// evidence = the connection's packets; peakRate NaN; aux = the index of its detail in
// AnalysisResult.profile.details; size NaN; mean = the top feature's baseline (typical value, raw
// units), std = its baseline spread (log1p units for numeric features, 0 for categorical ones),
// samples = training connections of the profile used; recordIndex = the connection's first record;
// recordOffset −1; episode 0. The explanation names the features that contributed most, with
// their values and baselines (explain()).
import * as abi from '../shared/abi';
import type {
  AnalysisOptions,
  ConnColumns,
  ProfileBaseline,
  ProfileDetail,
  ProfileFeature,
  ProfileLevel,
  ProfileResult,
} from '../shared/protocol';
import { detect, learn, splitWarmup, type BaselineOptionsInput, type Model, type Scored } from '../ml/baseline-model';
import type { Connection } from '../ml/connection';
import type { Contribution, SourceProfile } from '../ml/source-profile';
import type { AlertCollector } from './alert-collector';
import { connectionsOf } from './conn-collector';
import { PROFILE_FEATURES } from '../shared/profile-features';

/** Detectors whose alerts inside a warm-up are dropped (their baselines were being learnt). */
export const WARMUP_DETECTORS: readonly number[] = [abi.DET_SPIKE, abi.DET_PROTOSHIFT, abi.DET_LATENCY, abi.DET_LONGCONN];

/** Features named in an explanation: at most this many; after the first, each with a surprise of
 *  at least MIN_FEATURE_SCORE (0.2 = a tail probability of 1 in 16 after the 6-decade scaling). */
export const EXPLAIN_FEATURES = 3;
export const MIN_FEATURE_SCORE = 0.2;

const LEVEL_ORDINAL: Record<ProfileLevel, number> = { LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };
const LEVEL_SEVERITY: Record<ProfileLevel, number> = { LOW: abi.SEV_LOW, MEDIUM: abi.SEV_MEDIUM, HIGH: abi.SEV_HIGH, CRITICAL: abi.SEV_HIGH };

/** The level's name from a PROFILE alert's variant (1..4), or '' for another value. */
export function profileLevelName(variant: number): ProfileLevel | '' {
  return (['', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const)[variant] ?? '';
}

/** The options of a model learnt by this analysis (learn, warm-up) from options.profile. */
export function modelOptions(o: AnalysisOptions): BaselineOptionsInput {
  const p = o.profile;
  return {
    weights: { ...p.weights },
    threshold: p.threshold,
    levels: { ...p.levels },
    trees: p.trees,
    sampleSize: p.sampleSize,
    seed: p.seed,
    minConnections: p.minConnections,
  };
}

const PROTO: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };

/** "22/tcp", "icmp", "proto47". */
export function serviceText(proto: number, port: number): string {
  const p = PROTO[proto] ?? `proto${proto}`;
  return port || proto === 6 || proto === 17 ? `${port}/${p}` : p;
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const grouped = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : String(v));
const fixed = (v: number, d = 2) => v.toFixed(d);
/** A raw-unit number with up to 3 significant digits below 10, grouped above. */
function amount(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 100) return grouped(v);
  return String(Number(v.toPrecision(3)));
}


/** One feature's phrase: value and baseline ("bytes sent 12,345 B vs baseline 420 B (150–1,100 B
 *  at ±1σ, z 4.2)", "port 22/tcp never used by this source (it used 3 services)"). `who` is "this
 *  source" or "the network"; `proto` the connection's IP protocol. */
export function featureText(f: ProfileFeature, who: string, b: ProfileBaseline, proto: number): string {
  const num = PROFILE_FEATURES[f.feature];
  if (num?.numeric) {
    const lo = Math.expm1(Math.max(0, f.baselineMean - f.baselineStd));
    const hi = Math.expm1(f.baselineMean + f.baselineStd);
    const u = num.unit === '' || num.unit.startsWith('/') ? num.unit : ` ${num.unit}`;
    return `${num.phrase} ${amount(f.value)}${u} vs baseline ${amount(f.typical)}${u} (${amount(lo)}–${amount(hi)}${u} at ±1σ, z ${fixed(f.z, 1)})`;
  }
  switch (f.feature) {
    case 'service': {
      const svc = proto === 6 || proto === 17 ? `port ${serviceText(proto, f.value)}` : serviceText(proto, f.value);
      return f.typical === 0
        ? `${svc} never used by ${who} (it used ${grouped(b.services)} service${b.services === 1 ? '' : 's'})`
        : `${svc} rare for ${who} (${grouped(f.typical)} of ${grouped(b.connections)} connections)`;
    }
    case 'hour':
      return `at ${String(f.value).padStart(2, '0')}:00 UTC, an hour of ${grouped(f.typical)} of ${who}'s ${grouped(b.connections)} connections`;
    case 'day':
      return `on ${DAYS[f.value] ?? f.value} (UTC), a day of ${grouped(f.typical)} of ${who}'s ${grouped(b.connections)} connections`;
    case 'newSource':
      return `source never seen while learning (p ${f.p.toPrecision(2)})`;
    default:
      return `${f.feature} ${amount(f.value)}`;
  }
}

/** The explanation of one PROFILE alert (see the file header). */
export function explain(d: Omit<ProfileDetail, 'explanation' | 'alert'>): string {
  const c = d.connection;
  const who = d.baseline.basis === 'source' ? 'this source' : 'the network';
  const head =
    `Per-source profile: ${c.orig} → ${c.resp}:${serviceText(c.proto, c.respPort)} scores ${fixed(d.combined)} ` +
    `(${d.level}; statistical ${fixed(d.statistical)}, ML ${fixed(d.ml)})`;
  const parts = d.features
    .filter((f, i) => f.score > 0 && (i === 0 || f.score >= MIN_FEATURE_SCORE))
    .slice(0, EXPLAIN_FEATURES)
    .map((f) => featureText(f, who, d.baseline, c.proto));
  const basis = d.baseline.basis === 'population' ? (d.baseline.unknownSource ? ' [new source: scored against the whole network]' : ' [few training connections: scored against the whole network]') : '';
  return `${head}: ${parts.length ? parts.join('; ') : 'no single feature stands out; the forest isolates the connection quickly'}${basis}`;
}

function featureOf(c: Contribution): ProfileFeature {
  const f: ProfileFeature = {
    feature: c.feature,
    value: c.value,
    typical: c.typical,
    baselineMean: c.baselineMean,
    baselineStd: c.baselineStd,
    z: c.z,
    p: c.p,
    score: c.score,
  };
  if (c.label !== undefined) f.label = c.label;
  return f;
}

/** A profile's baseline as shown next to a connection (protocol.ts ProfileBaseline). */
export function baselineOf(p: SourceProfile, basis: 'source' | 'population', unknownSource: boolean): ProfileBaseline {
  const svc = p.services;
  const top = svc.keys
    .map((k, i) => ({ k, n: svc.counts[i] }))
    .sort((a, b) => b.n - a.n || a.k - b.k)
    .slice(0, 8)
    .map(({ k, n }) => ({ label: serviceText(Math.floor(k / 65536), k % 65536), share: p.n > 0 ? n / p.n : 0 }));
  const numeric = (['origBytes', 'respBytes', 'duration', 'packets', 'connsPerMinute', 'dstsPerHour'] as const).map((k) => ({
    feature: k,
    typical: Math.expm1(p[k].mean),
    mean: p[k].mean,
    std: p[k].std(),
  }));
  return {
    basis,
    unknownSource,
    connections: p.n,
    topServices: top,
    services: Math.round(svc.distinct()),
    hours: p.hours.slice(),
    days: p.days.slice(),
    numeric,
  };
}

/** What runProfile needs besides the options. */
export interface ProfileInput {
  conns: ConnColumns;
  /** The 16-byte address of names[i] (ConnCollector.address). */
  address: (nameIndex: number) => Uint8Array;
  /** Connection records beyond connRecords.max (not in `conns`). */
  connsDropped: number;
  collector: AlertCollector;
  /** An applied baseline's model; absent: options.profile.warmup decides. */
  model?: Model;
}

/**
 * Runs PROFILE (see the file header): learns (warm-up) or takes the applied model, scores the
 * connections, appends the alerts to `collector` and drops the baseline detectors' warm-up alerts.
 * Returns undefined when nothing was asked (profile disabled, or neither a model nor a warm-up).
 */
export function runProfile(options: AnalysisOptions, input: ProfileInput): ProfileResult | undefined {
  const po = options.profile;
  if (!po.enabled || (!input.model && !po.warmup)) return undefined;
  const all = connectionsOf(input.conns);
  const result: ProfileResult = {
    mode: input.model ? 'baseline' : 'warmup',
    learnt: 0,
    scored: 0,
    connsDropped: input.connsDropped,
    byLevel: { LOW: 0, MEDIUM: 0, HIGH: 0, CRITICAL: 0 },
    details: [],
  };
  let model = input.model;
  let toScore: Connection[] = all;
  if (!model) {
    const warmup = po.warmup!;
    const split = splitWarmup(all, warmup);
    result.warmup = { ...warmup };
    const first = split.learn[0] ?? split.detect[0];
    result.warmupEndUs =
      'minutes' in warmup
        ? (first?.tsUs ?? 0) + warmup.minutes * 60e6
        : split.detect.length > 0
          ? split.detect[0].tsUs
          : (split.learn[split.learn.length - 1]?.tsUs ?? 0) + 1;
    result.droppedInWarmup = input.collector.dropBefore(WARMUP_DETECTORS, result.warmupEndUs);
    result.learnt = split.learn.length;
    if (split.learn.length < 2) {
      result.skipped = `the warm-up holds ${split.learn.length} connection${split.learn.length === 1 ? '' : 's'}; learning needs at least 2`;
      return result;
    }
    model = learn(split.learn, modelOptions(options), new Date(0).toISOString());
    toScore = split.detect;
  }
  result.scored = toScore.length;
  // Connection → record row (the warm-up split reorders; objects are shared with `all`).
  const rowOf = new Map<Connection, number>();
  all.forEach((c, i) => rowOf.set(c, i));
  const hits: Scored[] = detect(model, toScore, { weights: po.weights, threshold: po.threshold, levels: po.levels });
  const cols = input.conns;
  const key = new Uint8Array(abi.TRACE_KEY_BYTES);
  const keyView = new DataView(key.buffer);
  for (const s of hits) {
    const level = s.level as ProfileLevel;
    result.byLevel[level]++;
    const c = s.connection;
    const row = rowOf.get(c)!;
    const profile = s.basis === 'source' ? model.profiles.get(c.orig)! : model.population;
    const features = s.contributions.map(featureOf);
    const partial = {
      level,
      combined: s.combined,
      statistical: s.statistical,
      ml: s.ml,
      connection: { ...c },
      features,
      baseline: baselineOf(profile, s.basis, s.unknownSource),
    };
    const explanation = explain(partial);
    const top = features[0];
    key.set(input.address(cols.orig[row]), 0);
    key.set(input.address(cols.resp[row]), 16);
    keyView.setUint32(32, c.proto, true);
    const threshold = level === 'CRITICAL' ? po.levels.critical : level === 'HIGH' ? po.levels.high : level === 'MEDIUM' ? po.levels.medium : po.threshold;
    const alertRow = input.collector.addHostAlert({
      detector: abi.DET_PROFILE,
      variant: LEVEL_ORDINAL[level],
      severity: LEVEL_SEVERITY[level],
      key,
      tsUs: c.tsUs,
      lastUs: cols.lastUs[row],
      score: s.combined,
      value: s.combined,
      threshold,
      windowS: 0,
      evidence: c.origPkts + c.respPkts,
      peakRate: NaN,
      aux: result.details.length,
      size: NaN,
      mean: top ? top.typical : NaN,
      std: top ? top.baselineStd : NaN,
      samples: profile.n,
      recordIndex: cols.firstRecord[row],
      sport: c.origPort,
      dport: c.respPort,
    });
    if (alertRow >= 0) result.details.push({ alert: alertRow, ...partial, explanation });
  }
  return result;
}
