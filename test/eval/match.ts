// Matches the alerts of one analysis against a capture's ground truth (test/eval/ground-truth.ts)
// for the evaluation (`npm run evaluate`, test/eval/evaluate.ts). Pure functions over plain
// alert records (EvalAlert, taken from an AnalysisResult by alertsOf()), so the matcher is tested
// on hand-built alerts (test/eval/ground-truth.test.ts). Which detectors exist comes from
// DETECTOR_NAMES (src/shared/protocol.ts): expectations of detectors not built yet come out as
// 'not-built', never as misses.
import { SEV_HIGH, SEV_MEDIUM } from '../../src/shared/abi';
import { variantName } from '../../src/io/alert-rows';
import { DETECTOR_NAMES, type AnalysisResult } from '../../src/shared/protocol';
import type { AlertPattern, CaptureTruth, Expectation, Severity } from './ground-truth';

export const SEVERITY_RANK: Record<Severity, number> = { low: 1, medium: 2, high: 3 };
const SEVERITIES: Severity[] = ['high', 'medium', 'low'];

/**
 * Variant ids by detector and name (the `variant` of a pattern). PORTSCAN and SYNFLOOD: abi.ts
 * PORTSCAN_* / SYNFLOOD_*; the detectors of issue #4 (SPIKE … LONGCONN): the id allocation the
 * core helpers work to (SPIKE_GLOBAL 0, SPIKE_DST 1; LATENCY_SERVER 0, _CLIENT 1, _RESPONSE 2;
 * RETRANS_FLOW 0; PROTOSHIFT_PROTO 0, _SERVICE 1; LONGCONN_MEAN 0, _IDLE 1, _LADDER 2). Matched
 * by id, so the evaluation does not depend on how the output names them.
 */
export const VARIANT_IDS: Record<string, Record<string, number>> = {
  PORTSCAN: { ports: 0, syn: 1, hosts: 2 },
  SYNFLOOD: { dst: 0, spread: 1, slow: 2 },
  SPIKE: { global: 0, dst: 1 },
  LATENCY: { server: 0, client: 1, response: 2 },
  RETRANS: { flow: 0 },
  PROTOSHIFT: { proto: 0, service: 1 },
  LONGCONN: { mean: 0, idle: 1, ladder: 2 },
};

/** Detector names planned for issue #4 that may not be built yet (ids 8–12). */
export const PLANNED_DETECTORS = ['SPIKE', 'LATENCY', 'RETRANS', 'PROTOSHIFT', 'LONGCONN'] as const;

/** The detectors the core has: DETECTOR_NAMES without the unused index 0. */
export function builtDetectors(): string[] {
  return (DETECTOR_NAMES as readonly string[]).filter((n) => n !== '');
}

/** One alert, as the matcher sees it. `value`, `evidence` and `aux` are ALERT_VALUE, ALERT_COUNT
 *  and ALERT_AUX (NaN where a detector leaves them empty). */
export interface EvalAlert {
  detector: string;
  variantId: number;
  /** The variant's name (src/io/alert-rows.ts variantName, else VARIANT_IDS), or undefined. */
  variant?: string;
  severity: Severity;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  value: number;
  evidence: number;
  aux: number;
  suppressed: boolean;
}

const severityOf = (s: number): Severity => (s >= SEV_HIGH ? 'high' : s === SEV_MEDIUM ? 'medium' : 'low');

/** The variant's name from VARIANT_IDS (for detectors the output does not name yet). */
function variantLabel(detector: string, id: number): string | undefined {
  const names = VARIANT_IDS[detector];
  if (!names) return undefined;
  return Object.keys(names).find((k) => names[k] === id);
}

/** Every alert of `result` (suppressed ones included: the rate limiter hides them from the
 *  output, it does not undo the detection). */
export function alertsOf(result: AnalysisResult): EvalAlert[] {
  const a = result.alerts;
  const out: EvalAlert[] = [];
  for (let i = 0; i < a.count; i++) {
    const det = a.detector[i];
    const name = (DETECTOR_NAMES as readonly string[])[det] || `detector ${det}`;
    const ch = result.channels[a.channel[i]];
    out.push({
      detector: name,
      variantId: a.variant[i],
      variant: variantName(det, a.variant[i]) ?? variantLabel(name, a.variant[i]),
      severity: severityOf(a.severity[i]),
      src: ch?.src ?? '',
      dst: ch?.dst ?? '',
      sport: a.sport[i],
      dport: a.dport[i],
      value: a.value[i],
      evidence: a.evidence[i],
      aux: a.aux[i],
      suppressed: a.suppressed[i] === 1,
    });
  }
  return out;
}

/** True when alert `a` satisfies every field of pattern `p` (ground-truth.ts AlertPattern). */
export function matches(p: AlertPattern, a: EvalAlert): boolean {
  if (p.detector !== undefined && p.detector !== a.detector) return false;
  if (p.variant !== undefined) {
    const id = p.detector === undefined ? undefined : VARIANT_IDS[p.detector]?.[p.variant];
    if (id !== undefined ? a.variantId !== id : a.variant !== p.variant) return false;
  }
  if (p.src !== undefined && p.src !== a.src) return false;
  if (p.dst !== undefined && p.dst !== a.dst) return false;
  if (p.dport !== undefined && p.dport !== a.dport) return false;
  if (p.between !== undefined) {
    const [x, y] = p.between;
    if (!((a.src === x && a.dst === y) || (a.src === y && a.dst === x))) return false;
  }
  if (p.minSeverity !== undefined && SEVERITY_RANK[a.severity] < SEVERITY_RANK[p.minSeverity]) return false;
  return true;
}

/** "PORTSCAN syn 192.168.1.10 → 192.168.1.25", "SPIKE → 10.10.10.10", "any ≥ high". */
export function patternText(p: AlertPattern): string {
  const parts = [p.detector ?? 'any'];
  if (p.variant) parts.push(p.variant);
  if (p.between) parts.push(`${p.between[0]} ↔ ${p.between[1]}${p.dport === undefined ? '' : `:${p.dport}`}`);
  else if (p.src !== undefined || p.dst !== undefined || p.dport !== undefined) {
    const to = `${p.dst ?? '*'}${p.dport === undefined ? '' : `:${p.dport}`}`;
    parts.push(p.src === undefined ? `→ ${to}` : `${p.src} → ${to}`);
  }
  if (p.minSeverity) parts.push(`≥ ${p.minSeverity}`);
  return parts.join(' ');
}

export type ExpectationStatus = 'found' | 'missed' | 'not-built';

export interface ExpectationOutcome {
  expectation: Expectation;
  status: ExpectationStatus;
  /** Alerts matching the expectation. */
  alerts: number;
  /** The highest severity among them. */
  maxSeverity?: Severity;
  /** Our figure for expectation.count (its agg of its field over the matching alerts of its
   *  variant); undefined when there is no count or no such alert. */
  ours?: number;
}

/** Alerts of one detector and severity. */
export interface AlertGroup {
  detector: string;
  severity: Severity;
  alerts: number;
}

/**
 * Every alert of a capture lands in exactly one of: `matched` (satisfies an expectation),
 * `falsePositives` (matches a forbidden pattern: on benign and behaviour captures QUIET, i.e.
 * PORTSCAN, SYNFLOOD or any HIGH alert; on attack captures what the manifest calls wrong),
 * `onTarget` (attack captures: names a ground-truth host, not expected), `offTarget` (attack
 * captures: names none of them — counted, not called wrong) and `other` (benign and behaviour
 * captures: LOW/MEDIUM alerts of detectors QUIET does not forbid).
 */
export interface CaptureOutcome {
  expectations: ExpectationOutcome[];
  matched: AlertGroup[];
  /** Alerts the ground truth names as real on a quiet capture (CaptureTruth.named). */
  named: AlertGroup[];
  falsePositives: AlertGroup[];
  onTarget: AlertGroup[];
  offTarget: AlertGroup[];
  other: AlertGroup[];
}

function groupBy(alerts: EvalAlert[], order: readonly string[]): AlertGroup[] {
  const n = new Map<string, AlertGroup>();
  for (const a of alerts) {
    const k = `${a.detector}\u0000${a.severity}`;
    const g = n.get(k);
    if (g) g.alerts++;
    else n.set(k, { detector: a.detector, severity: a.severity, alerts: 1 });
  }
  const rank = (d: string) => (order.indexOf(d) < 0 ? order.length : order.indexOf(d));
  return [...n.values()].sort((x, y) => rank(x.detector) - rank(y.detector) || x.detector.localeCompare(y.detector) ||
    SEVERITIES.indexOf(x.severity) - SEVERITIES.indexOf(y.severity));
}

/** Judges the alerts of one capture against its ground truth; `built` = the detectors that exist. */
export function judgeCapture(truth: CaptureTruth, alerts: EvalAlert[], built: readonly string[] = builtDetectors()): CaptureOutcome {
  const expectations: ExpectationOutcome[] = truth.expect.map((e) => {
    if (!built.includes(e.detector)) return { expectation: e, status: 'not-built', alerts: 0 };
    const hits = alerts.filter((a) => matches(e, a));
    let maxSeverity: Severity | undefined;
    for (const a of hits) if (!maxSeverity || SEVERITY_RANK[a.severity] > SEVERITY_RANK[maxSeverity]) maxSeverity = a.severity;
    let ours: number | undefined;
    if (e.count) {
      const c = e.count;
      const vals = hits.filter((a) => c.variant === undefined || matches({ detector: e.detector, variant: c.variant }, a))
        .map((a) => a[c.field]).filter((v) => Number.isFinite(v));
      if (vals.length > 0) ours = c.agg === 'sum' ? vals.reduce((s, v) => s + v, 0) : Math.max(...vals);
    }
    return { expectation: e, status: hits.length > 0 ? 'found' : 'missed', alerts: hits.length, maxSeverity, ours };
  });
  const matched: EvalAlert[] = [];
  const named: EvalAlert[] = [];
  const fp: EvalAlert[] = [];
  const onTarget: EvalAlert[] = [];
  const offTarget: EvalAlert[] = [];
  const other: EvalAlert[] = [];
  for (const a of alerts) {
    if (truth.expect.some((e) => matches(e, a))) matched.push(a);
    else if (truth.named?.some((p) => matches(p, a))) named.push(a);
    else if (truth.forbid.some((p) => matches(p, a))) fp.push(a);
    else if (truth.category !== 'attack') other.push(a);
    else if (truth.hosts.includes(a.src) || truth.hosts.includes(a.dst)) onTarget.push(a);
    else offTarget.push(a);
  }
  const order = builtDetectors();
  return {
    expectations,
    matched: groupBy(matched, order),
    named: groupBy(named, order),
    falsePositives: groupBy(fp, order),
    onTarget: groupBy(onTarget, order),
    offTarget: groupBy(offTarget, order),
    other: groupBy(other, order),
  };
}

/** "ZSCORE high 5, low 6; LARGESIZE low 4" (detectors in DETECTOR_NAMES order), or "" when none. */
export function groupsText(groups: AlertGroup[]): string {
  const byDet = new Map<string, string[]>();
  for (const g of groups) {
    const l = byDet.get(g.detector) ?? [];
    l.push(`${g.severity} ${g.alerts}`);
    byDet.set(g.detector, l);
  }
  return [...byDet].map(([d, l]) => `${d} ${l.join(', ')}`).join('; ');
}

/** Total alerts of `groups`, optionally of one detector. */
export const groupTotal = (groups: AlertGroup[], detector?: string): number =>
  groups.filter((g) => detector === undefined || g.detector === detector).reduce((s, g) => s + g.alerts, 0);

/**
 * The expectations of a capture in the evaluation with baselines: an expectation marked `alone`
 * (the capture by itself cannot show it) takes its status from the run with the learnt baseline,
 * every other one keeps the status of the run alone. Without a baseline run, the run alone's.
 * Both outcomes must come from judgeCapture on the same ground truth (same expectation order).
 */
export function combineExpectations(alone: CaptureOutcome, withBaseline?: CaptureOutcome): ExpectationOutcome[] {
  if (!withBaseline) return alone.expectations;
  return alone.expectations.map((o, i) => {
    const b = withBaseline.expectations[i];
    if (b?.expectation !== o.expectation) throw new Error('combineExpectations: the two outcomes judge different ground truths');
    return o.expectation.alone ? b : o;
  });
}

/** Expectations not marked `alone` that the run alone finds and the run with the baseline misses
 *  (a baseline that hides an alert: reported, not counted as a miss). */
export function lostExpectations(alone: CaptureOutcome, withBaseline: CaptureOutcome): ExpectationOutcome[] {
  return withBaseline.expectations.filter((o, i) => !o.expectation.alone && o.status === 'missed' && alone.expectations[i].status === 'found');
}
