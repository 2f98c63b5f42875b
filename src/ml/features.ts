// The feature vector of a connection for the Isolation Forest (isolation-forest.ts), and its
// standardisation (mean and standard deviation per feature, learnt on the training set and stored
// in the model). FEATURE_DIMS = 11 values, in this order:
//   0 log1p(bytes sent by orig)        1 log1p(bytes sent by resp)
//   2 log1p(duration, s)               3 log1p(packets, both directions)
//   4 responder-port class: 0 none (port 0: a protocol without ports), 1 well-known (1..1023),
//     2 registered (1024..49151), 3 dynamic/private (49152..65535) — the IANA ranges (RFC 6335 §6)
//   5, 6 sin and cos of the UTC time of day (2π · fraction of the day): cyclic, so 23:59 is next
//     to 00:00 instead of 24 hours away
//   7, 8 sin and cos of the UTC time of week (2π · (day of week + fraction of day) / 7)
//   9 log1p(the source's connections per minute at that point), 10 log1p(its distinct responders
//     per hour at that point) — RateTracker's live estimates (source-profile.ts), so a burst shows
//     on the connections inside it.
// log1p for the same reason as in the profiles (heavy tails). Standardising does not change what
// the forest isolates (its splits are uniform between each attribute's min and max, invariant to
// an affine map per attribute) but keeps the stored vectors comparable and readable in z units; a
// constant feature gets std 1 (it is never split on).
import { dayFraction, dayOfWeek, type Connection } from './connection';
import { BaselineFormatError, keysExactly, nums, obj } from './json-check';
import type { LiveRates } from './source-profile';

export const FEATURE_NAMES = [
  'log1pOrigBytes',
  'log1pRespBytes',
  'log1pDuration',
  'log1pPackets',
  'portClass',
  'timeOfDaySin',
  'timeOfDayCos',
  'timeOfWeekSin',
  'timeOfWeekCos',
  'log1pConnsPerMinute',
  'log1pDstsPerHour',
] as const;
export const FEATURE_DIMS = FEATURE_NAMES.length;

/** IANA port range class of a responder port (see the file header). */
export function portClass(port: number): number {
  if (port <= 0) return 0;
  if (port < 1024) return 1;
  if (port < 49152) return 2;
  return 3;
}

/** Writes the FEATURE_DIMS raw features of `c` (with its source's live rates) at `out[offset]`. */
export function featureRow(c: Connection, rates: LiveRates, out: Float64Array, offset: number): void {
  const day = dayFraction(c.tsUs);
  const week = (dayOfWeek(c.tsUs) + day) / 7;
  out[offset] = Math.log1p(c.origBytes);
  out[offset + 1] = Math.log1p(c.respBytes);
  out[offset + 2] = Math.log1p(c.durationS);
  out[offset + 3] = Math.log1p(c.origPkts + c.respPkts);
  out[offset + 4] = portClass(c.respPort);
  out[offset + 5] = Math.sin(2 * Math.PI * day);
  out[offset + 6] = Math.cos(2 * Math.PI * day);
  out[offset + 7] = Math.sin(2 * Math.PI * week);
  out[offset + 8] = Math.cos(2 * Math.PI * week);
  out[offset + 9] = Math.log1p(rates.connsPerMinute);
  out[offset + 10] = Math.log1p(rates.dstsPerHour);
}

/** Per-feature mean and standard deviation (population, n) of the training rows. */
export interface Standardiser {
  mean: number[];
  std: number[];
}

/** Learns the standardiser of `X` (rows × dims); a feature with std < 1e-12 gets std 1. */
export function fitStandardiser(X: Float64Array, dims: number): Standardiser {
  const rows = X.length / dims;
  const mean = new Array<number>(dims).fill(0);
  const std = new Array<number>(dims).fill(0);
  for (let d = 0; d < dims; d++) {
    let m = 0;
    let m2 = 0;
    for (let r = 0; r < rows; r++) {
      const x = X[r * dims + d];
      const delta = x - m;
      m += delta / (r + 1);
      m2 += delta * (x - m);
    }
    mean[d] = m;
    const s = rows > 0 ? Math.sqrt(m2 / rows) : 0;
    std[d] = s < 1e-12 ? 1 : s;
  }
  return { mean, std };
}

/** Standardises `X` (rows × s.mean.length) in place: (x − mean) / std. */
export function standardise(s: Standardiser, X: Float64Array, from = 0, to = X.length): void {
  const dims = s.mean.length;
  for (let i = from; i < to; i++) {
    const d = (i - from) % dims;
    X[i] = (X[i] - s.mean[d]) / s.std[d];
  }
}

export function standardiserFromJSON(v: unknown, path: string): Standardiser {
  const o = obj(v, path);
  keysExactly(o, path, ['mean', 'std']);
  const mean = nums(o.mean, `${path}.mean`, FEATURE_DIMS).slice();
  const std = nums(o.std, `${path}.std`, FEATURE_DIMS).slice();
  std.forEach((s, i) => {
    if (!(s > 0)) throw new BaselineFormatError(`${path}.std[${i}]`, `standard deviation must be > 0, got ${s}`);
  });
  return { mean, std };
}
