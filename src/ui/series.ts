// The data behind the detector charts, as uPlot columns: the PORTSCAN series (distinct ports or
// hosts probed in the window, per probe) and the SYNFLOOD series binned into SYNs per second.
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
