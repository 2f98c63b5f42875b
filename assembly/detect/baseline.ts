// Learned baselines of the windowed detectors (detect/metrics.ts): an EWMA of the mean and of the
// variance of one metric over past windows, kept as a plain 24-byte record (BL_*) that a later
// step can dump and reload ("learn here, detect there"). Also the deterministic log2 the metric
// baselines use. Pure arithmetic on linear memory: no allocation, no config, no state of its own.
//
// - EWMA (exponentially weighted moving average) with span N: weight alpha = 2 / (N + 1), the
//   span convention of pandas' ewm(span=N) and of trading "N-period EMAs" (the centre of mass of
//   the weights is (N - 1) / 2 windows back, as for a sliding window of N). Mean and variance
//   update incrementally (Finch 2009, "Incremental calculation of weighted mean and variance",
//   eq. 124 and 143; West 1979 for the weighted form):
//     d = x - mean;  mean += a·d;  s = (1 - a)·(s + a·d²)      (s: the EWMA variance)
//   with a = max(alpha, 1/n) for the n-th sample: the first samples get equal weights (a = 1/n is
//   Welford's exact running mean and population variance), so the baseline is the plain average
//   until 1/n falls to alpha, after about (N + 1) / 2 samples, and an EWMA from then on. Without
//   that start-up the first window would weigh (1 - alpha)^(n-1) (87 % after 5 windows of N = 60).
// - Quiet windows (blZeros): k samples of 0 in O(log k): during the start-up one update each (at
//   most (N + 1) / 2 of them), then the closed form of k EWMA steps of x = 0:
//     r = (1 - alpha)^k;  s' = r·(s + mean²·(1 - r));  mean' = r·mean
//   (from s_{j+1} = (1 - alpha)·s_j + alpha·(1 - alpha)·mean_j², mean_j = (1 - alpha)^j·mean).
//   r is computed by squaring (powInt), the same multiplications as the plain TypeScript reference,
//   so both agree to the bit; it differs from k single updates by rounding only (test/assembly/
//   metrics.test.ts checks 1e-9 relative).
// - mlog2 / mexp2: Mitchell's binary logarithm (1962, "Computer multiplication and division using
//   binary logarithms"): log2(x) ~ exponent + mantissa fraction, exact bit arithmetic, monotone,
//   within 0.086 of log2 (6 %); mexp2 is its exact inverse. Used instead of Math.log/Math.exp so
//   the core and the reference agree to the bit (the last bit of log/exp is not fixed by IEEE).

/** Baseline record: u32 samples, then f64 mean and f64 s (EWMA variance). */
export const BL_N: usize = 0;
export const BL_MEAN: usize = 8;
export const BL_S: usize = 16;
export const BL_BYTES: usize = 24;

/** Empties baseline `b`. */
@inline export function blClear(b: usize): void {
  store<u64>(b, 0);
  store<f64>(b + BL_MEAN, 0);
  store<f64>(b + BL_S, 0);
}

/** Samples in baseline `b`. */
@inline export function blN(b: usize): u32 {
  return load<u32>(b + BL_N);
}

@inline export function blMean(b: usize): f64 {
  return load<f64>(b + BL_MEAN);
}

/** Standard deviation of baseline `b` (sqrt of the EWMA variance, 0 when negative by rounding). */
@inline export function blStd(b: usize): f64 {
  const s = load<f64>(b + BL_S);
  return Math.sqrt(s > 0 ? s : 0);
}

/** Start-up lengths of a span's alpha (blSpan()): 1/n >= alpha for n < upN (blUpdate's weight is
 *  1/n), 1/(n+1) > alpha for n + 1 < zeroN (blZeros' one-by-one steps); the same comparisons as
 *  the reference, made once instead of a division per update. */
let upN: u64 = 1;
let zeroN: u64 = 1;

/** Sets the alpha every later blUpdate()/blZeros() call passes (called at reset). */
export function blSpan(alpha: f64): void {
  // Both are near 1 / alpha; 1/n falls as n grows, so step from just below it.
  const c = Math.floor(1 / alpha) - 2;
  let n: u64 = c > 1 ? <u64>c : 1;
  while (n > 1 && 1.0 / <f64>(n - 1) < alpha) n--;
  while (n < 0xffffffff && !(1.0 / <f64>n < alpha)) n++;
  upN = n;
  let m: u64 = c > 1 ? <u64>c : 1;
  while (m > 1 && !(1.0 / <f64>(m - 1) > alpha)) m--;
  while (m < 0xffffffff && 1.0 / <f64>m > alpha) m++;
  zeroN = m;
}

/** Adds sample `x` with weight max(alpha, 1 / n) (see the header; alpha as given to blSpan()). */
export function blUpdate(b: usize, x: f64, alpha: f64): void {
  const n = load<u32>(b + BL_N) + 1;
  store<u32>(b + BL_N, n);
  const a = <u64>n < upN ? 1.0 / <f64>n : alpha;
  const mean = load<f64>(b + BL_MEAN);
  const d = x - mean;
  const inc = a * d;
  store<f64>(b + BL_MEAN, mean + inc);
  store<f64>(b + BL_S, (1 - a) * (load<f64>(b + BL_S) + d * inc));
}

/** base^k by squaring (k >= 0). */
export function powInt(base: f64, k: u64): f64 {
  let r: f64 = 1;
  let x = base;
  while (k > 0) {
    if (k & 1) r *= x;
    x *= x;
    k >>= 1;
  }
  return r;
}

/** Adds `k` samples of 0 (quiet windows): start-up steps one by one, then the closed form. */
export function blZeros(b: usize, k: u64, alpha: f64): void {
  while (k > 0 && <u64>load<u32>(b + BL_N) + 1 < zeroN) {
    blUpdate(b, 0, alpha);
    k--;
  }
  if (k == 0) return;
  const r = powInt(1 - alpha, k);
  const mean = load<f64>(b + BL_MEAN);
  store<f64>(b + BL_S, r * (load<f64>(b + BL_S) + mean * mean * (1 - r)));
  store<f64>(b + BL_MEAN, r * mean);
  const n = <u64>load<u32>(b + BL_N) + k;
  store<u32>(b + BL_N, n > 0xffffffff ? 0xffffffff : <u32>n);
}

/** Mitchell's log2 of `x` (> 0, normal): exponent + mantissa fraction. */
@inline export function mlog2(x: f64): f64 {
  const bits = reinterpret<u64>(x);
  const e = <i32>((bits >> 52) & 0x7ff) - 1023;
  const m = reinterpret<f64>((bits & 0x000fffffffffffff) | 0x3ff0000000000000);
  return <f64>e + (m - 1);
}

/** The inverse of mlog2: 2^floor(y) x (1 + frac(y)); Infinity above 2^1024, 0 below 2^-1022. */
export function mexp2(y: f64): f64 {
  const e = Math.floor(y);
  if (e > 1023) return Infinity;
  if (e < -1022) return 0;
  return reinterpret<f64>(<u64>(<i64>e + 1023) << 52) * (1 + (y - e));
}
