// Which alerts the table shows and in what order, and the per-detector tallies of the summary.
// Pure (no DOM): works on the AlertColumns of a result, returns index arrays and counts. The
// rate limiter's suppressed alerts are hidden unless asked for, and always counted.
import * as abi from '../shared/abi';
import { DETECTOR_NAMES, type AnalysisResult } from '../shared/protocol';
import { channelLabel } from './format';
import { shiftSubject } from '../io/alert-rows';

/** Columns the table sorts by. */
export type SortKey = 'detector' | 'severity' | 'first' | 'last' | 'subject' | 'score';

/** What the table shows. `detector`/`severity` 0 = all; `text` matches the subject (case-insensitive). */
export interface AlertQuery {
  detector: number;
  severity: number;
  showSuppressed: boolean;
  text: string;
}

export const ALL_ALERTS: AlertQuery = { detector: 0, severity: 0, showSuppressed: false, text: '' };

/** The display name of detector id `d` ("PORTSCAN"), "detector N" for an unknown id. */
export function detectorName(d: number): string {
  return DETECTOR_NAMES[d] || `detector ${d}`;
}

/** The variant's name for the table ("distinct ports", "SYN scan", "address scan", "spread", ...),
 *  or '' for a detector's only form. */
export function variantName(detector: number, variant: number): string {
  if (detector === abi.DET_PORTSCAN) {
    if (variant === abi.PORTSCAN_SYN) return 'SYN scan';
    if (variant === abi.PORTSCAN_HOSTS) return 'address scan';
    return 'ports';
  }
  if (detector === abi.DET_SYNFLOOD) {
    return variant === abi.SYNFLOOD_SPREAD ? 'spread' : variant === abi.SYNFLOOD_SLOW ? 'low and slow' : 'one victim';
  }
  if (detector === abi.DET_BLACKLIST) {
    const src = (variant & abi.BLACKLIST_MATCH_SRC) !== 0;
    const dst = (variant & abi.BLACKLIST_MATCH_DST) !== 0;
    return src && dst ? 'both ends' : src ? 'source' : dst ? 'destination' : '';
  }
  if (detector === abi.DET_LATENCY) {
    return variant === abi.LATENCY_CLIENT ? 'client side' : variant === abi.LATENCY_RESPONSE ? 'response' : 'server side';
  }
  if (detector === abi.DET_LONGCONN) return variant === abi.LONGCONN_IDLE ? 'idle' : variant === abi.LONGCONN_LADDER ? 'ladder' : 'service mean';
  if (detector === abi.DET_SPIKE) return variant === abi.SPIKE_DST ? 'one destination' : 'all traffic';
  if (detector === abi.DET_PROTOSHIFT) return variant === abi.PROTOSHIFT_SERVICE ? 'service' : 'protocol';
  return '';
}

/** Channel labels of a result by channel index ("src → dst · proto"). */
export function channelLabels(r: AnalysisResult): string[] {
  return r.channels.map((c) => channelLabel(c.src, c.dst, c.proto));
}

/** The subject of alert i: its channel label plus " (sport → dport)" when it has ports. */
export function subjectLabel(r: AnalysisResult, i: number, labels: readonly string[] = channelLabels(r)): string {
  const a = r.alerts;
  // Judgements of the whole traffic name no host pair: a protocol shift names its class or
  // service, a global spike all traffic.
  if (a.detector[i] === abi.DET_PROTOSHIFT) return `all traffic \u00b7 ${shiftSubject(a.variant[i], a.aux[i])}`;
  if (a.detector[i] === abi.DET_SPIKE && a.variant[i] === abi.SPIKE_GLOBAL) return 'all traffic';
  const ch = a.channel[i];
  const base = labels[ch] ?? `channel ${ch}`;
  return a.sport[i] || a.dport[i] ? `${base} (${a.sport[i]} \u2192 ${a.dport[i]})` : base;
}

function matches(r: AnalysisResult, i: number, q: AlertQuery, needle: string, labels: readonly string[]): boolean {
  const a = r.alerts;
  if (q.detector && a.detector[i] !== q.detector) return false;
  if (q.severity && a.severity[i] !== q.severity) return false;
  if (needle && !(labels[a.channel[i]] ?? '').toLowerCase().includes(needle)) return false;
  return true;
}

/**
 * Indexes of the alerts `q` selects, sorted by `key` in direction `dir` (1 ascending, -1
 * descending; score sorts by |score|), ties by first time then index. Suppressed alerts only
 * with q.showSuppressed. `labels` are channelLabels(r) (subject sort and text filter).
 */
export function selectAlerts(r: AnalysisResult, q: AlertQuery, key: SortKey, dir: 1 | -1, labels: readonly string[]): Uint32Array {
  const a = r.alerts;
  const needle = q.text.trim().toLowerCase();
  const picked: number[] = [];
  for (let i = 0; i < a.count; i++) {
    if (!q.showSuppressed && a.suppressed[i]) continue;
    if (matches(r, i, q, needle, labels)) picked.push(i);
  }
  const idx = Uint32Array.from(picked);
  let cmp: (x: number, y: number) => number;
  switch (key) {
    case 'detector': cmp = (x, y) => a.detector[x] - a.detector[y] || a.variant[x] - a.variant[y]; break;
    case 'severity': cmp = (x, y) => a.severity[x] - a.severity[y] || Math.abs(a.score[x]) - Math.abs(a.score[y]); break;
    case 'first': cmp = (x, y) => a.tsUs[x] - a.tsUs[y]; break;
    case 'last': cmp = (x, y) => a.lastUs[x] - a.lastUs[y]; break;
    case 'subject': cmp = (x, y) => (labels[a.channel[x]] ?? '').localeCompare(labels[a.channel[y]] ?? ''); break;
    default: cmp = (x, y) => Math.abs(a.score[x]) - Math.abs(a.score[y]);
  }
  // NaN-safe: a comparator returning NaN would leave the order undefined.
  idx.sort((x, y) => dir * (cmp(x, y) || 0) || a.tsUs[x] - a.tsUs[y] || x - y);
  return idx;
}

/** Suppressed alerts that `q` would show with showSuppressed on (the "N suppressed — show" note). */
export function countSuppressed(r: AnalysisResult, q: AlertQuery, labels: readonly string[]): number {
  const a = r.alerts;
  const needle = q.text.trim().toLowerCase();
  let n = 0;
  for (let i = 0; i < a.count; i++) if (a.suppressed[i] && matches(r, i, q, needle, labels)) n++;
  return n;
}

/** PROFILE's variant for the CRITICAL threat level (src/worker/profile.ts: 1 LOW .. 4 CRITICAL). */
export const PROFILE_CRITICAL = 4;

/** Alerts of one detector in a result, by severity, with the suppressed ones. */
export interface DetectorTally {
  detector: number;
  name: string;
  alerts: number;
  suppressed: number;
  low: number;
  medium: number;
  high: number;
  /** PROFILE's CRITICAL threat level (stored as severity HIGH, variant 4), not counted in `high`. */
  critical: number;
}

/** Tallies per detector id of the kept alerts (detectors without alerts are left out), in
 *  detector id order. */
export function tallyAlerts(r: AnalysisResult): DetectorTally[] {
  const a = r.alerts;
  const by = new Map<number, DetectorTally>();
  for (let i = 0; i < a.count; i++) {
    const d = a.detector[i];
    let t = by.get(d);
    if (!t) by.set(d, (t = { detector: d, name: detectorName(d), alerts: 0, suppressed: 0, low: 0, medium: 0, high: 0, critical: 0 }));
    t.alerts++;
    if (a.suppressed[i]) t.suppressed++;
    const s = a.severity[i];
    if (d === abi.DET_PROFILE && a.variant[i] === PROFILE_CRITICAL) t.critical++;
    else if (s === abi.SEV_HIGH) t.high++;
    else if (s === abi.SEV_MEDIUM) t.medium++;
    else t.low++;
  }
  return [...by.values()].sort((x, y) => x.detector - y.detector);
}
