// The packet-size z-score detector: per channel (source address, destination address, protocol
// label) it scores each packet's wire length against a sliding baseline of that channel's previous
// packets and alerts when |z| exceeds the threshold. Constant memory per channel; never allocates
// per packet; reads config only in zscoreReset().
//
// Semantics (issue #2; the TypeScript reference in test/assembly/zscore-detector.test.ts):
// - Window: the last W packets of the channel (CFG_ZSCORE_WINDOW, default 1000), kept as
//   B = min(8, W) buckets of bucketSize = ceil(W/B) packets; buckets = ceil(W/bucketSize). A new
//   packet goes into the current bucket; once it holds bucketSize packets the next packet opens the
//   next bucket, dropping the oldest when all are in use. With n earlier packets the baseline holds
//   m = n when n <= buckets*bucketSize, else (buckets-1)*bucketSize + ((n-1) mod bucketSize) + 1
//   packets: exact for W <= 8; W = 1000 keeps the last 876-1000 packets.
// - Each bucket keeps shifted sums S1 = sum(x-K), S2 = sum((x-K)^2) with K = the channel's first
//   size (shifted-data variance), and the channel keeps their totals (a dropped bucket is
//   subtracted). Sizes are integers, so all sums are exact (f64 integers < 2^53: |x-K| < 2.8e6 B
//   for W = 1000; beyond that they round, as any f64 sum would), and the variance numerator
//   m*S2 - S1^2 is formed exactly in i64 while it fits.
// - Scoring happens BEFORE the packet joins the baseline, and only when m >= min samples
//   (CFG_ZSCORE_MIN_SAMPLES, default 3; values below 1 act as 1). mean = K + S1/m, sigma = sample
//   standard deviation (m-1 denominator, as pandas; 0 when m = 1).
// - Floor: sigma_eff = max(sigma, CFG_ZSCORE_MIN_STD_BYTES (1 B), CFG_ZSCORE_MIN_STD_FRACTION (0.05)
//   * |mean|); z = (x - mean) / sigma_eff; flagged when |z| > t (CFG_ZSCORE_THRESHOLD, 3.0).
// - Severity: LOW for |z| > t, MEDIUM for |z| >= 2t, HIGH for |z| >= 4t (issue #2's ladder), where
//   HIGH also needs (CFG_ZSCORE_HIGH_MIN_SAMPLES = H > 0, default 30; H = 0 keeps the plain
//   ladder): m >= H, z > 0, sigma >= its floor and x > F x the largest packet of the window
//   (CFG_ZSCORE_HIGH_MAX_FACTOR = F, default 2; F = 0 drops that condition); otherwise the alert
//   is MEDIUM. The alert carries the signed z, the mean, sigma before the floor and m.
//   Why (issue #4: benign captures stay quiet at high severity; npm run evaluate at 9206f36, ZSCORE
//   HIGH on normal/ + tcp_behaviour/: 691 alerts in 11 captures before, 32 in 3 after): packet
//   sizes of a channel are not Gaussian but bimodal (header-only ACKs vs data up to the MSS), so a
//   z from a handful of packets (m < 30: 607 alerts, the first data packet after a TCP handshake,
//   e.g. zeek_ssh_ssh 1514 B against 73 B +- 10 over 4 packets, z = 145) says only that the
//   channel started carrying data; a downward z (21, e.g. zeek_smb_smb2 60 B after 930 full
//   1514-B segments) is bounded by the header size and ends a bulk run; a z against the floor (4)
//   measures the floor, not the channel; a packet within twice the window's largest (27, e.g.
//   zeek_http_206 a 347-B request after a 341-B one) repeats known traffic. What stays HIGH is an
//   upward jump of 12+ sigma over at least 30 packets of the channel's own spread to a size it has
//   not carried: the 32 left are such jumps where a channel (a host pair and protocol, all their
//   connections together) starts a bulk transfer after 30+ small packets (zeek_irc-dcc-send: a
//   DCC file after the IRC chat, 2; markofu 1; normal/perf/real_mix 29, several of them on
//   127.0.0.1 channels that carry many merged captures). test/worker/benign-quiet.test.ts names them.
//   The largest packet per bucket (CV_MAX) costs one compare and store per packet.
// - Out-of-order packets: nothing special; the window is in packet (record) order, not time order.
// - Memory: CHANNEL_STRIDE = 256 bytes per channel slot (16 header + 36 key + 36 state + 8 buckets
//   x 16 B + 8 bucket maxima x 4 B = 248, padded to 4 cache lines); with the 3/4 load limit 256-341 B per live channel.
//   Running totals keep scoring O(1) (two cache lines plus the current bucket). Channels never
//   expire; at the memory cap (CFG_CHANNEL_MEMORY_CAP_BYTES) the open table evicts the least
//   recently seen channel near the new key's home slot (C_CHANNELS_EVICTED_FULL); an evicted
//   channel starts afresh.
// - Off switch: CFG_ZSCORE_ENABLED = 0 skips the detector and frees its table (no channels).
// - Trace: with CFG_TRACE_ENABLED = 1, every packet of the channel equal to the trace key
//   (traceKeyPtr()) appends a TRACE_* point (NaN mean/std/z when not scored).
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktWireLen, pktProtoLabel, pktSport, pktDport, pktVlan, pktRecordIndex,
  pktRecordOffset,
} from "../packet";
import { OpenTable, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig } from "../table/hash";
import { alertAppend, traceAppend, TRACE_KEY } from "./output";

/** Channel key bytes: src 16, dst 16, u32 protocol label (the trace key layout). */
export const CHANNEL_KEY_BYTES: usize = 36;
const CHANNEL_KEY_WORDS: i32 = 9;
// Channel slot: open-table header (16 B), key (36 B) at SLOT_KEY, then:
const CV_CUR: usize = 52; // u32 ring index of the current bucket
const CV_K: usize = 56; // f64 shift K: the channel's first packet size
const CV_USED: usize = 64; // u32 buckets in use (0: no packet yet)
const CV_CUR_COUNT: usize = 68; // u32 packets in the current bucket
const CV_T1: usize = 72; // f64 sum of the buckets' S1 (exact: integer sums below 2^53)
const CV_T2: usize = 80; // f64 sum of the buckets' S2
const CV_BUCKETS: usize = 88; // MAX_BUCKETS x (f64 S1, f64 S2)
const CV_MAX: usize = 216; // MAX_BUCKETS x u32: the largest size in each bucket
/** Most buckets per channel. */
export const MAX_BUCKETS: u32 = 8;
/** Bytes per channel slot: 248 used, padded to four 64-byte cache lines. */
export const CHANNEL_STRIDE: usize = 256;

const KEY: usize = memory.data(48, 16);
const TWO53: f64 = 9007199254740992.0;
const I64_SAFE: f64 = 4.6e18;

export const channels = new OpenTable();
let enabled = false;
let traceOn = false;
let bucketSize: u32 = 1;
let buckets: u32 = 1;
let minSamples: u32 = 3;
let threshold: f64 = 3.0;
let minStdBytes: f64 = 1.0;
let minStdFraction: f64 = 0.05;
let highMinSamples: u32 = 30;
let highMaxFactor: f64 = 2;

/** (Re)allocates the channel table and copies the detector's config (CFG_ZSCORE_*,
 *  CFG_CHANNEL_*, CFG_TRACE_ENABLED). */
export function zscoreReset(): void {
  enabled = cfg(abi.CFG_ZSCORE_ENABLED) != 0;
  const traceDet = <i32>cfg(abi.CFG_TRACE_DETECTOR);
  traceOn = cfg(abi.CFG_TRACE_ENABLED) != 0 && (traceDet == 0 || traceDet == abi.DET_ZSCORE);
  const w = max<u32>(1, <u32>cfg(abi.CFG_ZSCORE_WINDOW));
  const b = min<u32>(MAX_BUCKETS, w);
  bucketSize = (w + b - 1) / b;
  buckets = (w + bucketSize - 1) / bucketSize;
  minSamples = max<u32>(1, <u32>cfg(abi.CFG_ZSCORE_MIN_SAMPLES));
  threshold = cfg(abi.CFG_ZSCORE_THRESHOLD);
  minStdBytes = cfg(abi.CFG_ZSCORE_MIN_STD_BYTES);
  minStdFraction = cfg(abi.CFG_ZSCORE_MIN_STD_FRACTION);
  const hm = cfg(abi.CFG_ZSCORE_HIGH_MIN_SAMPLES);
  highMinSamples = hm >= 1 ? (hm < 4294967295 ? <u32>hm : 0xffffffff) : 0;
  highMaxFactor = cfg(abi.CFG_ZSCORE_HIGH_MAX_FACTOR);
  if (enabled) {
    channels.init(cfg(abi.CFG_CHANNEL_CAPACITY), CHANNEL_STRIDE, CHANNEL_KEY_BYTES,
      cfg(abi.CFG_CHANNEL_MEMORY_CAP_BYTES), seedFromConfig(cfg(abi.CFG_SEED)) ^ 0x5bd1e995);
  } else {
    channels.release();
  }
  publish();
}

@inline function publish(): void {
  cSet(abi.C_CHANNELS_LIVE, <f64>channels.count);
  cSet(abi.C_CHANNEL_CAPACITY, <f64>channels.cap);
}

/** Scores the current packet (packet.ts globals) in its channel, then adds it to the baseline.
 *  Appends at most one alert and one trace point (the caller checked the output room). */
export function zscorePacket(): void {
  if (!enabled) return;
  v128.store(KEY, v128.load(PKT_SRC));
  v128.store(KEY, v128.load(PKT_SRC, 16), 16);
  store<u32>(KEY + 32, pktProtoLabel);
  const ts = pktTsUs;
  const x = pktWireLen;
  const h = channels.hash(KEY, CHANNEL_KEY_WORDS);
  let s = channels.find(KEY, h, CHANNEL_KEY_WORDS);
  if (s == 0) {
    s = channels.insert(KEY, h);
    if (channels.evicted) cInc(abi.C_CHANNELS_EVICTED_FULL);
    store<f64>(s + CV_K, <f64>x);
    store<i64>(s + SLOT_LAST, ts);
    publish();
  } else if (ts > load<i64>(s + SLOT_LAST)) {
    store<i64>(s + SLOT_LAST, ts);
  }
  const traced = traceOn && keysEqual(KEY, TRACE_KEY, CHANNEL_KEY_WORDS);
  const k = load<f64>(s + CV_K);
  const used = load<u32>(s + CV_USED);
  const curCount = load<u32>(s + CV_CUR_COUNT);
  const m: u32 = used == 0 ? 0 : (used - 1) * bucketSize + curCount;
  const d = <f64>x - k;

  if (m >= minSamples) {
    const t1 = load<f64>(s + CV_T1);
    const t2 = load<f64>(s + CV_T2);
    const mf = <f64>m;
    const mean = k + t1 / mf;
    let variance: f64 = 0;
    if (m > 1) {
      if (t2 < TWO53 && t2 * mf < I64_SAFE) {
        const num = <i64>t2 * <i64>m - <i64>t1 * <i64>t1;
        variance = <f64>num / (mf * (mf - 1));
      } else {
        variance = max<f64>(0, (t2 - t1 * (t1 / mf)) / (mf - 1));
      }
    }
    const sigma = Math.sqrt(variance);
    const sigmaEff = max<f64>(max<f64>(sigma, minStdBytes), minStdFraction * Math.abs(mean));
    const z = (<f64>x - mean) / sigmaEff;
    const az = Math.abs(z);
    const flagged = az > threshold;
    if (flagged) {
      cInc(abi.C_ALERTS_ZSCORE);
      const a = alertAppend();
      store<i64>(a + abi.ALERT_TS_US, ts);
      v128.store(a + abi.ALERT_SRC, v128.load(PKT_SRC));
      v128.store(a + abi.ALERT_DST, v128.load(PKT_DST));
      store<u16>(a + abi.ALERT_SPORT, <u16>pktSport);
      store<u16>(a + abi.ALERT_DPORT, <u16>pktDport);
      store<u16>(a + abi.ALERT_PROTO_LABEL, <u16>pktProtoLabel);
      store<u8>(a + abi.ALERT_DETECTOR, <u8>abi.DET_ZSCORE);
      let sev = az >= 4 * threshold ? abi.SEV_HIGH : az >= 2 * threshold ? abi.SEV_MEDIUM : abi.SEV_LOW;
      if (sev == abi.SEV_HIGH && highMinSamples != 0 &&
          (m < highMinSamples || z <= 0 || sigma < sigmaEff || <f64>x <= highMaxFactor * <f64>windowMax(s, used))) {
        sev = abi.SEV_MEDIUM;
      }
      store<u8>(a + abi.ALERT_SEVERITY, <u8>sev);
      store<u32>(a + abi.ALERT_SIZE, x);
      store<u32>(a + abi.ALERT_RECORD_INDEX, pktRecordIndex);
      store<f64>(a + abi.ALERT_SCORE, z);
      store<f64>(a + abi.ALERT_MEAN, mean);
      store<f64>(a + abi.ALERT_STD, sigma);
      store<u32>(a + abi.ALERT_SAMPLES, m);
      store<u32>(a + abi.ALERT_VLAN, pktVlan);
      store<f64>(a + abi.ALERT_RECORD_OFFSET, pktRecordOffset);
      store<i64>(a + abi.ALERT_LAST_US, ts);
      store<f64>(a + abi.ALERT_VALUE, <f64>x);
      store<f64>(a + abi.ALERT_THRESHOLD, threshold);
      store<f64>(a + abi.ALERT_COUNT, 1);
    }
    if (traced) writeTrace(ts, x, mean, sigmaEff, z, flagged ? 3 : 1);
  } else if (traced) {
    writeTrace(ts, x, NaN, NaN, NaN, 0);
  }

  // Add the packet to the baseline.
  let cur = load<u32>(s + CV_CUR);
  let cnt = curCount;
  if (used == 0) {
    store<u32>(s + CV_USED, 1);
  } else if (cnt == bucketSize) {
    cur = cur + 1 == buckets ? 0 : cur + 1;
    if (used < buckets) store<u32>(s + CV_USED, used + 1);
    const b = s + CV_BUCKETS + (<usize>cur << 4);
    if (used == buckets) {
      // Drop the oldest bucket (the one being reused). Exact: the sums are integers.
      store<f64>(s + CV_T1, load<f64>(s + CV_T1) - load<f64>(b));
      store<f64>(s + CV_T2, load<f64>(s + CV_T2) - load<f64>(b, 8));
    }
    store<f64>(b, 0);
    store<f64>(b, 0, 8);
    store<u32>(s + CV_MAX + (<usize>cur << 2), 0);
    store<u32>(s + CV_CUR, cur);
    cnt = 0;
  }
  store<u32>(s + CV_CUR_COUNT, cnt + 1);
  const bm = s + CV_MAX + (<usize>cur << 2);
  if (x > load<u32>(bm)) store<u32>(bm, x);
  const b = s + CV_BUCKETS + (<usize>cur << 4);
  const d2 = d * d;
  store<f64>(b, load<f64>(b) + d);
  store<f64>(b, load<f64>(b, 8) + d2, 8);
  store<f64>(s + CV_T1, load<f64>(s + CV_T1) + d);
  store<f64>(s + CV_T2, load<f64>(s + CV_T2) + d2);
}

/** The largest packet size in the `used` buckets of channel slot `s` (the whole baseline). */
function windowMax(s: usize, used: u32): u32 {
  let mx: u32 = 0;
  for (let i: u32 = 0; i < used; i++) mx = max<u32>(mx, load<u32>(s + CV_MAX + (<usize>i << 2)));
  return mx;
}

function writeTrace(ts: i64, x: u32, mean: f64, stdEff: f64, z: f64, flags: u32): void {
  const p = traceAppend();
  store<i64>(p + abi.TRACE_TS_US, ts);
  store<f64>(p + abi.TRACE_SIZE, <f64>x);
  store<f64>(p + abi.TRACE_MEAN, mean);
  store<f64>(p + abi.TRACE_STD, stdEff);
  store<f64>(p + abi.TRACE_Z, z);
  store<u32>(p + abi.TRACE_FLAGS, flags);
  store<u32>(p + abi.TRACE_RECORD_INDEX, pktRecordIndex);
}
