// Per-source behavioural baseline ("what does this address usually do?") with bounded memory, and
// the statistical score of a connection against it. Learnt from connections (src/ml/connection.ts)
// where the source is the originator; used by baseline-model.ts.
//
// What a profile keeps (fixed size apart from the port sketch, which appears only when needed):
// - Welford running mean and variance (Welford 1962; Knuth TAOCP vol. 2, 4.2.2) of log1p(bytes
//   sent), log1p(bytes received), log1p(duration s) and log1p(packets, both directions). log1p
//   because these are heavy-tailed (a few bulk transfers are orders of magnitude above the typical
//   connection): on the raw values one transfer inflates the variance so much that nothing else
//   ever deviates; in log space a deviation is a ratio ("10× the usual bytes") and the
//   distribution is close enough to normal for a z-score. log1p keeps 0 at 0.
// - Destination service = (IP protocol, responder port), key proto·65536 + port: a Space-Saving
//   table of the top k = 32 (Metwally, Agrawal and El Abbadi 2005: every service seen more than n/k
//   times is in it, each count overestimates by at most the smallest count) — 32 covers every
//   service of a typical client or server exactly; and, once more than 32 services were seen, a
//   count-min sketch (Cormode and Muthukrishnan 2005) of width w = 128 and depth d = 4 with
//   conservative update (Estan and Varghese 2002) over every service (seeded with the table's exact
//   counts when it first overflows), which answers for the services that left or never entered
//   the table: an estimate never undercounts and
//   overcounts by at most ε·n with ε = e/w ≈ 0.021, with probability ≥ 1 − e^−d ≈ 0.98 (2 KiB). The
//   estimate of a service's count is the smaller of the two upper bounds. The number of distinct
//   services is exact up to 32, then a linear-counting bitmap of m = 1024 bits (Whang, Vander-Zanden
//   and Taylor 1990: D ≈ −m ln(zero bits / m), about 3 % standard error at 1000 services, capped at
//   m ln m ≈ 7100 when every bit is set; 128 bytes) created with the sketch.
// - 24 hour-of-day and 7 day-of-week counts, in UTC (a capture has no time zone; a baseline must
//   mean the same wherever it is used).
// - Connections per minute: Welford over log1p(count) of the tumbling UTC minutes in which the
//   source started at least one connection (idle minutes are not counted: a mostly idle host would
//   otherwise have a mean near 0 and every burst would be an anomaly; the question asked is "when
//   it is active, how busy is it").
// - Distinct responders per hour: Welford over log1p(distinct count) of the tumbling UTC hours in
//   which the source was active; the distinct set of the open hour is exact up to 256 addresses,
//   then the count stops at 256 (documented cap; 256 already makes any z-score extreme).
// The open minute and hour live in a RateTracker (not saved), one per source while learning or
// detecting. Saved size of a profile: about 0.5 KB of JSON, plus about 4 KB once the sketch exists.
//
// Scoring a connection (scoreConnection): each feature gives a tail probability p (how often the
// source does something at least this unusual):
// - the four numeric features: two-sided normal tail of z = (x − mean) / sqrt(var + σ0²) in log1p
//   space, σ0 = 0.25 (a prior spread: a source that always sends the same size would otherwise get
//   an infinite z for one byte more; 0.25 is a ±28 % change);
// - connections per minute and distinct responders per hour "now" (RateTracker estimates): the
//   upper one-sided normal tail of the same z (fewer connections than usual is not suspicious);
// - service: p = (S + D + 1) / (n + 1), S the source's connections to services at most as
//   frequent as this one (the rank tail; 0 for a service never seen), D the distinct services: D/n
//   is the share of the source's connections that went to a service it had not used before, the
//   chance that the next one does, so a new service is surprising for a source that always uses
//   the same few and not for one that keeps trying new ones (an upper bound of the Good–Turing
//   missing mass N1/n, Good 1953, which a sketch cannot track: it cannot tell a new service from a
//   collision); +1 is Laplace smoothing;
// - hour and day: the rank tail of the bin with one pseudo-count per bin: p = Σ_{b: c_b ≤ c_h}
//   (c_b + 1) / (n + bins);
// - an unknown source scored against the population profile adds "newSource" with the
//   Good–Turing chance of a new source (baseline-model.ts).
// Combination: the smallest p, corrected for having looked at k features (Šidák: 1 − (1 − p)^k,
// the chance that the smallest of k independent uniform p-values is that small), as surprise in
// decades, −log10 p, divided by D = 6 and clamped to [0, 1]: 1 means "a one-in-a-million event for
// this source". max-type combination because an alert must be explainable by its top features and
// a conjunction of many mildly unusual features (noisy-OR would add them up) is normal variation;
// monotonic in every p (smaller p never lowers it). Each feature's own contribution is
// min(1, −log10 p / D), uncorrected.
import { dayOfWeek, hourOfDay, type Connection } from './connection';
import { arr, BaselineFormatError, keysExactly, num, nums, obj } from './json-check';

/** Space-Saving table size (services kept exactly per source). */
export const TOP_K_PORTS = 32;
/** Count-min sketch width (ε = e / width ≈ 0.021 of n). */
export const CMS_WIDTH = 128;
/** Count-min sketch depth (failure probability e^−depth ≈ 0.018). */
export const CMS_DEPTH = 4;
/** Bits of the distinct-services bitmap (linear counting). */
export const DISTINCT_BITS = 1024;
/** Distinct responders per hour are counted exactly up to this many, then stop. */
export const DISTINCT_DST_CAP = 256;
/** Prior spread σ0 added to every z-score's variance, log1p units. */
export const STD_FLOOR = 0.25;
/** Surprise (decades of p) that maps to a statistical score of 1. */
export const SURPRISE_DECADES = 6;
/** A source with fewer training connections has no profile of its own (see baseline-model.ts). */
export const MIN_CONNECTIONS = 10;

const MINUTE_US = 60_000_000;
const HOUR_US = 3_600_000_000;

export type FeatureName =
  | 'origBytes'
  | 'respBytes'
  | 'duration'
  | 'packets'
  | 'connsPerMinute'
  | 'dstsPerHour'
  | 'service'
  | 'hour'
  | 'day'
  | 'newSource';

/** One feature's part in a statistical score. */
export interface Contribution {
  feature: FeatureName;
  /** The connection's value, raw units: bytes, s, packets, connections/min, responders/h; the
   *  responder port for 'service'; 0..23 UTC for 'hour'; 0..6 (Sunday = 0) for 'day'; 1 for
   *  'newSource'. */
  value: number;
  /** Numeric features: the baseline mean and standard deviation in log1p units (z is measured
   *  there); categorical ones: the share of the source's connections with this value, std 0. */
  baselineMean: number;
  baselineStd: number;
  /** Numeric features: expm1(baselineMean), the typical value in raw units; categorical: the
   *  count of the source's connections with this value. */
  typical: number;
  /** z-score (numeric features; 0 for the others). */
  z: number;
  /** Tail probability: how often the source does something at least this unusual. */
  p: number;
  /** min(1, −log10 p / 6): this feature's own surprise, what the list is sorted by. */
  score: number;
  /** Readable value, e.g. "tcp/22". */
  label?: string;
}

export interface StatisticalScore {
  /** In [0, 1]; see the file header. */
  statistical: number;
  /** Every feature, largest score first. */
  contributions: Contribution[];
}

/** The rates of the connection's source "now" (RateTracker). */
export interface LiveRates {
  connsPerMinute: number;
  dstsPerHour: number;
}

/** Welford's running mean and variance. */
export class Welford {
  n = 0;
  mean = 0;
  m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  /** Sample variance (n − 1), 0 below 2 values. */
  variance(): number {
    return this.n > 1 ? this.m2 / (this.n - 1) : 0;
  }
  std(): number {
    return Math.sqrt(this.variance());
  }
  toJSON(): number[] {
    return [this.n, this.mean, this.m2];
  }
  static fromJSON(v: unknown, path: string): Welford {
    const [n, mean, m2] = nums(v, path, 3);
    num(n, `${path}[0]`, { min: 0, int: true });
    num(m2, `${path}[2]`, { min: 0 });
    if (n === 0 && (mean !== 0 || m2 !== 0)) throw new BaselineFormatError(path, 'empty but with a mean or spread');
    const w = new Welford();
    w.n = n;
    w.mean = mean;
    w.m2 = m2;
    return w;
  }
}

/** fmix32 of MurmurHash3 (Appleby): a 32-bit integer mix; row r of the sketch hashes key ^ seed_r. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
const CMS_SEEDS = [0x9e3779b9, 0x7f4a7c15, 0x94d049bb, 0xbf58476d];
const DISTINCT_SEED = 0x2545f491;

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Destination services of one source: Space-Saving top-k plus, once it overflows, a count-min
 *  sketch and a distinct-count bitmap (see the file header). */
export class ServiceCounts {
  /** Connections counted. */
  n = 0;
  keys: number[] = [];
  counts: number[] = [];
  /** Space-Saving overestimation bound of each entry. */
  errors: number[] = [];
  /** CMS_DEPTH × CMS_WIDTH counters, row-major; null until the table first overflows. */
  sketch: Uint32Array | null = null;
  /** DISTINCT_BITS bits (32-bit words) of the services seen; null until the table first overflows. */
  seen: Uint32Array | null = null;

  private cell(row: number, key: number): number {
    return row * CMS_WIDTH + (mix32(key ^ CMS_SEEDS[row]) & (CMS_WIDTH - 1));
  }

  private mark(key: number): void {
    const b = mix32(key ^ DISTINCT_SEED) & (DISTINCT_BITS - 1);
    this.seen![b >>> 5] |= 1 << (b & 31);
  }

  /** Distinct services: exact up to TOP_K_PORTS, then linear counting (see the file header). */
  distinct(): number {
    if (!this.seen) return this.keys.length;
    let zeros = 0;
    for (const w of this.seen) zeros += 32 - popcount32(w);
    const m = DISTINCT_BITS;
    const est = zeros === 0 ? m * Math.log(m) : -m * Math.log(zeros / m);
    return Math.max(this.keys.length, est);
  }

  /** Upper bound of the count of `key` (exact while the sketch does not exist). */
  estimate(key: number): number {
    const i = this.keys.indexOf(key);
    const ss = i >= 0 ? this.counts[i] : Infinity;
    if (!this.sketch) return i >= 0 ? ss : 0;
    let m = Infinity;
    for (let r = 0; r < CMS_DEPTH; r++) m = Math.min(m, this.sketch[this.cell(r, key)]);
    return Math.min(ss, m);
  }

  add(key: number): void {
    this.n++;
    const i = this.keys.indexOf(key);
    if (i >= 0) {
      this.counts[i]++;
    } else if (this.keys.length < TOP_K_PORTS) {
      this.keys.push(key);
      this.counts.push(1);
      this.errors.push(0);
    } else {
      if (!this.sketch) {
        // First overflow: the table still holds exact counts and every service seen; copy them in.
        this.sketch = new Uint32Array(CMS_DEPTH * CMS_WIDTH);
        this.seen = new Uint32Array(DISTINCT_BITS / 32);
        for (let j = 0; j < this.keys.length; j++) {
          this.sketchAdd(this.keys[j], this.counts[j]);
          this.mark(this.keys[j]);
        }
      }
      // Space-Saving: the newcomer replaces the smallest entry and inherits its count + 1.
      let m = 0;
      for (let j = 1; j < this.counts.length; j++) if (this.counts[j] < this.counts[m]) m = j;
      this.keys[m] = key;
      this.errors[m] = this.counts[m];
      this.counts[m]++;
    }
    if (this.sketch) {
      this.sketchAdd(key, 1);
      this.mark(key);
    }
  }

  /** Conservative update: raise only the cells below the new estimate. */
  private sketchAdd(key: number, c: number): void {
    const s = this.sketch!;
    let m = Infinity;
    for (let r = 0; r < CMS_DEPTH; r++) m = Math.min(m, s[this.cell(r, key)]);
    const target = m + c;
    for (let r = 0; r < CMS_DEPTH; r++) {
      const k = this.cell(r, key);
      if (s[k] < target) s[k] = target;
    }
  }

  /** Tail probability of `key` (see the file header) and its estimated count. The table's counts
   *  add up to n (Space-Saving hands an evicted entry's count to the newcomer), so for a table
   *  entry S = the counts of the entries at most as large, which include the mass of services no
   *  longer in the table (it sits in the small entries' errors); for a service outside the table S
   *  = its sketch estimate + all that mass (Σ errors), an upper bound. */
  rarity(key: number): { p: number; count: number } {
    const count = Math.min(this.estimate(key), this.n);
    let s = 0;
    if (count > 0) {
      const i = this.keys.indexOf(key);
      if (i >= 0) {
        for (let j = 0; j < this.keys.length; j++) if (this.counts[j] <= this.counts[i]) s += this.counts[j];
      } else {
        s = count;
        for (const e of this.errors) s += e;
      }
    }
    return { p: Math.min(1, (Math.min(s, this.n) + this.distinct() + 1) / (this.n + 1)), count };
  }

  toJSON(): unknown {
    return {
      n: this.n,
      keys: this.keys,
      counts: this.counts,
      errors: this.errors,
      sketch: this.sketch ? Array.from(this.sketch) : null,
      seen: this.seen ? Array.from(this.seen) : null,
    };
  }

  static fromJSON(v: unknown, path: string): ServiceCounts {
    const o = obj(v, path);
    keysExactly(o, path, ['n', 'keys', 'counts', 'errors', 'sketch', 'seen']);
    const c = new ServiceCounts();
    c.n = num(o.n, `${path}.n`, { min: 0, int: true });
    c.keys = nums(o.keys, `${path}.keys`, undefined, { min: 0, max: 255 * 65536 + 65535, int: true }).slice();
    if (c.keys.length > TOP_K_PORTS) throw new BaselineFormatError(`${path}.keys`, `more than ${TOP_K_PORTS} entries`);
    if (new Set(c.keys).size !== c.keys.length) throw new BaselineFormatError(`${path}.keys`, 'duplicate service');
    c.counts = nums(o.counts, `${path}.counts`, c.keys.length, { min: 1, max: c.n, int: true }).slice();
    c.errors = nums(o.errors, `${path}.errors`, c.keys.length, { min: 0, max: c.n, int: true }).slice();
    c.errors.forEach((e, i) => {
      if (e >= c.counts[i]) throw new BaselineFormatError(`${path}.errors[${i}]`, 'not below its count');
    });
    if (c.counts.reduce((a, b) => a + b, 0) !== c.n) throw new BaselineFormatError(`${path}.counts`, `counts do not add up to n = ${c.n}`);
    if ((o.sketch === null) !== (o.seen === null)) throw new BaselineFormatError(`${path}.seen`, 'the sketch and the bitmap come together');
    if (o.sketch !== null) {
      if (c.keys.length < TOP_K_PORTS) throw new BaselineFormatError(`${path}.sketch`, 'a sketch with a table that never overflowed');
      c.sketch = Uint32Array.from(nums(o.sketch, `${path}.sketch`, CMS_DEPTH * CMS_WIDTH, { min: 0, max: c.n, int: true }));
      c.seen = Uint32Array.from(nums(o.seen, `${path}.seen`, DISTINCT_BITS / 32, { min: 0, max: 0xffffffff, int: true }));
    } else if (c.errors.some((e) => e !== 0)) {
      throw new BaselineFormatError(`${path}.errors`, 'errors without a sketch (nothing was ever evicted)');
    }
    return c;
  }
}

/** One source's baseline (see the file header). `update` learns one connection; the rate
 *  observations come from a RateTracker. */
export class SourceProfile {
  /** Connections learnt. */
  n = 0;
  origBytes = new Welford();
  respBytes = new Welford();
  duration = new Welford();
  packets = new Welford();
  /** log1p(connections) per active minute. */
  connsPerMinute = new Welford();
  /** log1p(distinct responders) per active hour. */
  dstsPerHour = new Welford();
  services = new ServiceCounts();
  hours = new Array<number>(24).fill(0);
  days = new Array<number>(7).fill(0);

  update(c: Connection): void {
    this.n++;
    this.origBytes.add(Math.log1p(c.origBytes));
    this.respBytes.add(Math.log1p(c.respBytes));
    this.duration.add(Math.log1p(c.durationS));
    this.packets.add(Math.log1p(c.origPkts + c.respPkts));
    this.services.add(serviceKey(c));
    this.hours[hourOfDay(c.tsUs)]++;
    this.days[dayOfWeek(c.tsUs)]++;
  }

  toJSON(): unknown {
    return {
      n: this.n,
      origBytes: this.origBytes,
      respBytes: this.respBytes,
      duration: this.duration,
      packets: this.packets,
      connsPerMinute: this.connsPerMinute,
      dstsPerHour: this.dstsPerHour,
      services: this.services,
      hours: this.hours,
      days: this.days,
    };
  }

  static fromJSON(v: unknown, path: string): SourceProfile {
    const o = obj(v, path);
    keysExactly(o, path, ['n', 'origBytes', 'respBytes', 'duration', 'packets', 'connsPerMinute', 'dstsPerHour', 'services', 'hours', 'days']);
    const p = new SourceProfile();
    p.n = num(o.n, `${path}.n`, { min: 1, int: true });
    for (const k of ['origBytes', 'respBytes', 'duration', 'packets'] as const) {
      p[k] = Welford.fromJSON(o[k], `${path}.${k}`);
      if (p[k].n !== p.n) throw new BaselineFormatError(`${path}.${k}`, `counts ${p[k].n} connections, the profile ${p.n}`);
      if (p[k].mean < 0) throw new BaselineFormatError(`${path}.${k}`, 'negative mean of log1p values');
    }
    p.connsPerMinute = Welford.fromJSON(o.connsPerMinute, `${path}.connsPerMinute`);
    p.dstsPerHour = Welford.fromJSON(o.dstsPerHour, `${path}.dstsPerHour`);
    if (p.connsPerMinute.n > p.n || p.dstsPerHour.n > p.connsPerMinute.n) throw new BaselineFormatError(path, 'more active minutes or hours than connections');
    p.services = ServiceCounts.fromJSON(o.services, `${path}.services`);
    if (p.services.n !== p.n) throw new BaselineFormatError(`${path}.services.n`, `counts ${p.services.n} connections, the profile ${p.n}`);
    const bins = (v: unknown, name: string, len: number): number[] => {
      const b = nums(v, `${path}.${name}`, len, { min: 0, int: true });
      if (b.reduce((a, x) => a + x, 0) !== p.n) throw new BaselineFormatError(`${path}.${name}`, `bins do not add up to n = ${p.n}`);
      return b.slice();
    };
    p.hours = bins(o.hours, 'hours', 24);
    p.days = bins(o.days, 'days', 7);
    return p;
  }
}

/** The destination service key: proto · 65536 + responder port. */
export function serviceKey(c: Connection): number {
  return c.proto * 65536 + c.respPort;
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };
function serviceLabel(c: Connection): string {
  const p = PROTO_NAMES[c.proto] ?? `proto${c.proto}`;
  return c.respPort || c.proto === 6 || c.proto === 17 ? `${p}/${c.respPort}` : p;
}

/** Receives the windows a RateTracker closes (learning only). */
export interface RateSink {
  minuteClosed(connections: number): void;
  hourClosed(distinctDsts: number): void;
}

/**
 * A source's open minute and hour (tumbling, UTC, on tsUs), live rates at each connection:
 * connections per minute ≈ the open minute's count + the previous minute's count × the part of it
 * still inside the last 60 s (the sliding-window approximation of a rate limiter; exact when the
 * connections are uniform in time), distinct responders per hour = max(this hour's exact count,
 * the previous hour's × the part still inside the last 3600 s). Connections must come in time
 * order; one earlier than the open minute is counted in it. Memory: up to DISTINCT_DST_CAP
 * addresses for the open hour.
 */
export class RateTracker {
  private minute = -Infinity;
  private minuteCount = 0;
  private prevMinuteCount = 0;
  private hour = -Infinity;
  private dsts = new Set<string>();
  private prevHourDistinct = 0;

  /** Counts connection `c` and returns its source's live rates (written into `out`). */
  observe(c: Connection, out: LiveRates, sink: RateSink | null = null): LiveRates {
    const m = Math.floor(c.tsUs / MINUTE_US);
    if (m > this.minute) {
      if (this.minuteCount > 0) sink?.minuteClosed(this.minuteCount);
      this.prevMinuteCount = m === this.minute + 1 ? this.minuteCount : 0;
      this.minute = m;
      this.minuteCount = 0;
    }
    this.minuteCount++;
    const h = Math.floor(c.tsUs / HOUR_US);
    if (h > this.hour) {
      if (this.dsts.size > 0) sink?.hourClosed(this.dsts.size);
      this.prevHourDistinct = h === this.hour + 1 ? this.dsts.size : 0;
      this.hour = h;
      this.dsts.clear();
    }
    if (this.dsts.size < DISTINCT_DST_CAP) this.dsts.add(c.resp);
    const inMinute = Math.min(1, Math.max(0, (c.tsUs - this.minute * MINUTE_US) / MINUTE_US));
    const inHour = Math.min(1, Math.max(0, (c.tsUs - this.hour * HOUR_US) / HOUR_US));
    out.connsPerMinute = this.minuteCount + this.prevMinuteCount * (1 - inMinute);
    out.dstsPerHour = Math.max(this.dsts.size, this.prevHourDistinct * (1 - inHour));
    return out;
  }

  /** Closes the open windows into `sink` (end of learning). */
  flush(sink: RateSink): void {
    if (this.minuteCount > 0) sink.minuteClosed(this.minuteCount);
    if (this.dsts.size > 0) sink.hourClosed(this.dsts.size);
    this.minuteCount = 0;
    this.dsts.clear();
  }
}

/** Adds a RateTracker's closed windows to a profile's rate statistics. */
export function rateSinkOf(p: SourceProfile): RateSink {
  return {
    minuteClosed: (n) => p.connsPerMinute.add(Math.log1p(n)),
    hourClosed: (n) => p.dstsPerHour.add(Math.log1p(n)),
  };
}

/** Complementary error function; Numerical Recipes' erfcc (Chebyshev fit, fractional error
 *  < 1.2e−7 everywhere). */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Surprise of one tail probability: min(1, −log10 p / SURPRISE_DECADES), 0 for p ≥ 1. */
export function surprise(p: number): number {
  if (!(p < 1)) return 0;
  if (!(p > 0)) return 1;
  return Math.min(1, -Math.log10(p) / SURPRISE_DECADES);
}

/** The statistical score of k tail probabilities: Šidák-corrected smallest p as surprise (see the
 *  file header). In [0, 1], never lower when any p gets smaller. */
export function combineTails(ps: ArrayLike<number>, k = ps.length): number {
  if (k === 0) return 0;
  let pMin = 1;
  for (let i = 0; i < k; i++) if (ps[i] < pMin) pMin = Math.max(0, ps[i]);
  // 1 − (1 − p)^k without cancellation for tiny p.
  const family = -Math.expm1(k * Math.log1p(-pMin));
  return surprise(Math.min(1, family));
}

/** z of `value` (raw units) against Welford `w` of log1p values, with the prior spread σ0. */
function zOf(value: number, w: Welford): number {
  const sd = w.std();
  return (Math.log1p(value) - w.mean) / Math.sqrt(sd * sd + STD_FLOOR * STD_FLOOR);
}

/** Two-sided (or upper one-sided) normal tail of z. */
function normalTail(z: number, twoSided: boolean): number {
  return twoSided ? Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) : Math.min(1, 0.5 * erfc(z / Math.SQRT2));
}

/** Rank tail of bin `value` with one pseudo-count per bin. */
function binTail(value: number, bins: readonly number[], n: number): number {
  const c = bins[value];
  let s = 0;
  for (const b of bins) if (b <= c) s += b + 1;
  return Math.min(1, s / (n + bins.length));
}

/** Feature order of the tails (scoreConnection's contributions come in this order before sorting). */
const FEATURES: readonly FeatureName[] = ['origBytes', 'respBytes', 'duration', 'packets', 'connsPerMinute', 'dstsPerHour', 'service', 'hour', 'day', 'newSource'];
const scratchP = new Float64Array(FEATURES.length);
const scratchZ = new Float64Array(FEATURES.length);

function putNumeric(i: number, value: number, w: Welford, twoSided: boolean): void {
  const z = zOf(value, w);
  scratchZ[i] = z;
  scratchP[i] = normalTail(z, twoSided);
}

/** Writes every feature's tail probability (and z) into scratchP/scratchZ; returns how many. */
function tails(p: SourceProfile, c: Connection, rates: LiveRates, newSourceP: number | undefined): number {
  putNumeric(0, c.origBytes, p.origBytes, true);
  putNumeric(1, c.respBytes, p.respBytes, true);
  putNumeric(2, c.durationS, p.duration, true);
  putNumeric(3, c.origPkts + c.respPkts, p.packets, true);
  putNumeric(4, rates.connsPerMinute, p.connsPerMinute, false);
  putNumeric(5, rates.dstsPerHour, p.dstsPerHour, false);
  scratchP[6] = p.services.rarity(serviceKey(c)).p;
  scratchP[7] = binTail(hourOfDay(c.tsUs), p.hours, p.n);
  scratchP[8] = binTail(dayOfWeek(c.tsUs), p.days, p.n);
  scratchZ[6] = scratchZ[7] = scratchZ[8] = scratchZ[9] = 0;
  if (newSourceP === undefined) return 9;
  scratchP[9] = Math.min(1, Math.max(0, newSourceP));
  return 10;
}

/** The statistical score alone (no contributions, no allocation): equal to
 *  scoreConnection(...).statistical. */
export function statisticalScore(p: SourceProfile, c: Connection, rates: LiveRates, newSourceP?: number): number {
  return combineTails(scratchP, tails(p, c, rates, newSourceP));
}

/**
 * Scores connection `c` (with its source's live rates) against profile `p`. `newSourceP`, when
 * given, adds the 'newSource' feature with that tail probability (an unknown source scored against
 * the population profile). Returns the statistical score and every feature's contribution, largest
 * first.
 */
export function scoreConnection(p: SourceProfile, c: Connection, rates: LiveRates, newSourceP?: number): StatisticalScore {
  const k = tails(p, c, rates, newSourceP);
  const statistical = combineTails(scratchP, k);
  const welfords = [p.origBytes, p.respBytes, p.duration, p.packets, p.connsPerMinute, p.dstsPerHour];
  const values = [c.origBytes, c.respBytes, c.durationS, c.origPkts + c.respPkts, rates.connsPerMinute, rates.dstsPerHour];
  const out: Contribution[] = [];
  for (let i = 0; i < 6; i++) {
    const w = welfords[i];
    out.push({ feature: FEATURES[i], value: values[i], baselineMean: w.mean, baselineStd: w.std(), typical: Math.expm1(w.mean), z: scratchZ[i], p: scratchP[i], score: surprise(scratchP[i]) });
  }
  const count = p.services.rarity(serviceKey(c)).count;
  const share = (x: number) => (p.n > 0 ? x / p.n : 0);
  out.push({ feature: 'service', value: c.respPort, baselineMean: share(count), baselineStd: 0, typical: count, z: 0, p: scratchP[6], score: surprise(scratchP[6]), label: serviceLabel(c) });
  const h = hourOfDay(c.tsUs);
  const d = dayOfWeek(c.tsUs);
  out.push({ feature: 'hour', value: h, baselineMean: share(p.hours[h]), baselineStd: 0, typical: p.hours[h], z: 0, p: scratchP[7], score: surprise(scratchP[7]) });
  out.push({ feature: 'day', value: d, baselineMean: share(p.days[d]), baselineStd: 0, typical: p.days[d], z: 0, p: scratchP[8], score: surprise(scratchP[8]) });
  if (k === 10) out.push({ feature: 'newSource', value: 1, baselineMean: scratchP[9], baselineStd: 0, typical: 0, z: 0, p: scratchP[9], score: surprise(scratchP[9]) });
  out.sort((a, b) => b.score - a.score);
  return { statistical, contributions: out };
}

/** Reads a list of [source, profile] pairs (baseline-model.ts's `profiles`). */
export function profilesFromJSON(v: unknown, path: string): Map<string, SourceProfile> {
  const a = arr(v, path);
  const m = new Map<string, SourceProfile>();
  a.forEach((e, i) => {
    const pair = arr(e, `${path}[${i}]`, 2);
    if (typeof pair[0] !== 'string' || pair[0] === '') throw new BaselineFormatError(`${path}[${i}][0]`, 'expected a source address');
    if (m.has(pair[0])) throw new BaselineFormatError(`${path}[${i}][0]`, `source ${pair[0]} twice`);
    m.set(pair[0], SourceProfile.fromJSON(pair[1], `${path}[${i}][1]`));
  });
  return m;
}
