// The data behind the detector charts, as uPlot columns: the PORTSCAN series (distinct ports or
// hosts probed in the window, per probe), the SYNFLOOD series binned into SYNs per second, the
// SPIKE windows and LATENCY samples with their baselines and thresholds, and the PROTOSHIFT shares
// stacked per window (percent).
// Pure (no DOM, no uPlot). x is seconds since `originUs`, ascending (uPlot needs sorted x).
import type { DetectorSeries } from '../shared/protocol';

/** Bins a SYN chart may have; a longer span widens the bins (whole seconds) to stay under it. */
export const MAX_BINS = 20_000;

/** The smallest finite time of `tsUs`, or `fallback` when there is none. */
export function seriesOrigin(tsUs: ArrayLike<number>, fallback: number): number {
  let o = Infinity;
  for (let i = 0; i < tsUs.length; i++) if (tsUs[i] < o) o = tsUs[i];
  return Number.isFinite(o) ? o : fallback;
}

/** Point indexes of `tsUs` in time order (stable; input order when already sorted). */
function timeOrder(tsUs: ArrayLike<number>): number[] {
  const n = tsUs.length;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 1; i < n; i++) {
    if (tsUs[i] < tsUs[i - 1]) {
      order.sort((a, b) => tsUs[a] - tsUs[b] || a - b);
      break;
    }
  }
  return order;
}

/** PORTSCAN columns [x s, value, threshold]: one point per probe, the threshold as a constant
 *  line (null where the series is empty). */
export function portscanColumns(s: DetectorSeries, originUs: number): [number[], number[], number[]] {
  const order = timeOrder(s.tsUs);
  const x = order.map((i) => (s.tsUs[i] - originUs) / 1e6);
  const v = order.map((i) => s.value[i]);
  const t = order.map(() => s.threshold);
  return [x, v, t];
}

/** SYNs binned for the SYNFLOOD chart. */
export interface SynBins {
  /** Bin start, seconds since the origin. */
  x: number[];
  /** SYN points in each bin. */
  count: number[];
  /** The detector's count of SYNs in its window at the last SYN of the bin (null in empty bins). */
  inWindow: (number | null)[];
  /** Bin width, seconds (1 unless the span needed more than maxBins bins). */
  binS: number;
  /** Largest count of a bin. */
  peak: number;
}

/**
 * Bins the SYN points of a SYNFLOOD series (one point per SYN) into `binS`-second bins from
 * `originUs`: 1 s, or the smallest whole number of seconds that keeps the bins ≤ maxBins. Empty
 * bins are kept (count 0), so gaps show as gaps.
 */
export function synBins(s: DetectorSeries, originUs: number, maxBins = MAX_BINS): SynBins {
  const n = s.tsUs.length;
  if (n === 0) return { x: [], count: [], inWindow: [], binS: 1, peak: 0 };
  let last = -Infinity;
  for (let i = 0; i < n; i++) if (s.tsUs[i] > last) last = s.tsUs[i];
  const spanS = Math.max(0, (last - originUs) / 1e6);
  let binS = 1;
  if (Math.floor(spanS) + 1 > maxBins) binS = Math.ceil((spanS + 1) / maxBins);
  const bins = Math.floor(spanS / binS) + 1;
  const count = new Array<number>(bins).fill(0);
  const inWindow = new Array<number | null>(bins).fill(null);
  const lastTs = new Array<number>(bins).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor((s.tsUs[i] - originUs) / 1e6 / binS)));
    count[b]++;
    if (s.tsUs[i] >= lastTs[b]) {
      lastTs[b] = s.tsUs[i];
      inWindow[b] = s.value[i];
    }
  }
  let peak = 0;
  for (const c of count) if (c > peak) peak = c;
  return { x: count.map((_, b) => b * binS), count, inWindow, binS, peak };
}

const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** SPIKE columns [x s, B/s, baseline mean, MEDIUM, HIGH, flagged B/s]: one point per metric
 *  window (x = its start); NaN baselines and thresholds (warm-up) become gaps (null); `flagged`
 *  holds the window's rate where the core flagged it, null elsewhere. */
export function spikeColumns(s: DetectorSeries, originUs: number): (number | null)[][] {
  const order = timeOrder(s.tsUs);
  return [
    order.map((i) => (s.tsUs[i] - originUs) / 1e6),
    order.map((i) => s.value[i]),
    order.map((i) => finite(s.mean?.[i] ?? NaN)),
    order.map((i) => finite(s.medium?.[i] ?? NaN)),
    order.map((i) => finite(s.high?.[i] ?? NaN)),
    order.map((i) => (s.flagged?.[i] ? s.value[i] : null)),
  ];
}

/** LATENCY columns [x s, sample ms, baseline mean, MEDIUM, HIGH, above MEDIUM only, above HIGH]:
 *  one point per sample; gaps (null) where the baseline or a threshold is NaN (before the first
 *  sample, warm-up); the two flagged columns hold the sample where its level (s.flagged 1 or 2)
 *  matches, null elsewhere. */
export function latencyColumns(s: DetectorSeries, originUs: number): (number | null)[][] {
  const order = timeOrder(s.tsUs);
  const level = (i: number) => s.flagged?.[i] ?? 0;
  return [
    order.map((i) => (s.tsUs[i] - originUs) / 1e6),
    order.map((i) => s.value[i]),
    order.map((i) => finite(s.mean?.[i] ?? NaN)),
    order.map((i) => finite(s.medium?.[i] ?? NaN)),
    order.map((i) => finite(s.high?.[i] ?? NaN)),
    order.map((i) => (level(i) === 1 ? s.value[i] : null)),
    order.map((i) => (level(i) >= 2 ? s.value[i] : null)),
  ];
}

/** The PROTOSHIFT chart's data, in percent of a window's packets. */
export interface ShareColumns {
  /** Window starts, seconds since the origin. */
  x: number[];
  /** Class labels bottom to top (TCP, UDP, ICMP, ICMPv6, other). */
  classes: string[];
  /** stacked[c][w]: the sum of the shares of classes 0..c in window w (%), so the top one is 100
   *  for every window with packets; drawn top first, each filled down to 0. */
  stacked: number[][];
  /** The alert's row (null columns when there is none): its share, its baseline share before the
   *  window (null in warm-up) and its share where the core flagged it (null elsewhere). */
  focusLabel: string;
  focus: (number | null)[];
  baseline: (number | null)[];
  flagged: (number | null)[];
}

/** Columns for the stacked shares of `s` (its `shares`; empty when absent) with the row `focus`
 *  of the alert (-1: none). */
export function shareColumns(s: DetectorSeries, originUs: number): ShareColumns {
  const p = s.shares;
  if (!p) return { x: [], classes: [], stacked: [], focusLabel: '', focus: [], baseline: [], flagged: [] };
  const W = p.tsUs.length;
  const classes = p.rows.filter((r) => r.classIndex >= 0).map((r) => r.label);
  const stacked: number[][] = [];
  let run = new Array<number>(W).fill(0);
  p.rows.forEach((r, k) => {
    if (r.classIndex < 0) return;
    run = run.map((v, w) => v + p.shares[k][w] * 100);
    stacked.push(run);
  });
  const f = s.focus ?? -1;
  const ok = f >= 0 && f < p.rows.length;
  const col = (g: (w: number) => number | null) => Array.from({ length: W }, (_, w) => (ok ? g(w) : null));
  return {
    x: Array.from(p.tsUs, (t) => (t - originUs) / 1e6),
    classes,
    stacked,
    focusLabel: ok ? p.rows[f].label : '',
    focus: col((w) => p.shares[f][w] * 100),
    baseline: col((w) => (Number.isFinite(p.baseline[f][w]) ? p.baseline[f][w] * 100 : null)),
    flagged: col((w) => (p.flagged[f][w] ? p.shares[f][w] * 100 : null)),
  };
}
