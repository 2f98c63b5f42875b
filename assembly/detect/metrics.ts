// Metric windows and the two windowed baseline detectors of issue #4: SPIKE (bytes/s above the
// baseline, over all traffic and per destination) and PROTOSHIFT (a protocol class's or a
// service's share of the packets above its baseline share). Per packet O(1): one lookup in the
// destination table, a few adds, two Mitchell log2s and compares; no allocation; config is read in
// metricsReset() only. The plain TypeScript reference is test/reference/metrics.ts.
//
// Windows
// - Tumbling windows of W = CFG_METRIC_WINDOW_S seconds of packet time (default 10, at least
//   1 ms), aligned to multiples of W since the epoch. The clock is the newest packet time; the
//   watermark is clock - L (L = CFG_LATENESS_S, clamped to [0, W - 1 µs], as flow windows). A
//   window closes when the watermark passes its end, so at most two are open: the clock's and,
//   for L after a boundary, the one before. A packet older than the oldest open window is late:
//   counted in C_METRIC_LATE and left out of every metric (it still counts everywhere else).
// - Only windows the clock entered are windows here ("visited"; each gets an ordinal 1, 2, ...).
//   Windows the clock jumped over (no packet at all) are not samples: a capture cannot tell a
//   silent network from a pause in capturing (merged files, a stopped capture). A jump over N or
//   more windows (N = CFG_BASELINE_WINDOWS: a silence of the whole baseline span) starts a new
//   session (C_METRIC_SESSIONS): every baseline starts over and open episodes end. A packet that
//   jumps into an earlier-skipped window is late.
// - Rate of a window: bytes / span, span = W, except the first window of a session, which the
//   capture covers only from its first packet: span = max(window end - first packet, min(1 s, W)).
// - A window closed by a packet is folded into the global baselines (and judged by PROTOSHIFT)
//   before the next packet (metricsCatchUp(), called by analyzeHasRoom(), resumable when the
//   output region is full). Per window: bytes, packets, packets per protocol class (TCP, UDP,
//   ICMP, ICMPv6, other) and per tracked service, and for the population baseline the number of
//   destinations and the sums of their log2 bytes.
//
// Baselines (detect/baseline.ts: EWMA with span N = CFG_BASELINE_WINDOWS, default 60 windows,
// alpha = 2 / (N + 1), equal weights during the first (N + 1) / 2 windows). The "baseline" state
// (what a later step exports) is: the global rate baseline G_BASE, the population (popN, popM1,
// popM2), the class baselines CLS_BASE, the service entries (key + baseline) and, per destination,
// H_BASE with H_LAST_ACTIVE / H_LAST_FOLDED; everything else (window accumulators,
// per-destination window bytes, episodes, threshold caches) is transient window state.
// - SPIKE baselines hold x = mlog2(1 + rate) (Mitchell's log2 of the window's bytes/s): traffic
//   volume is heavy-tailed (10-s rates of one host span 5 orders of magnitude in normal/), so
//   sigma bands in linear B/s flag ordinary bursts; on the log scale the bands are factors.
//   Measured on normal/ (perf included) with the same floors: linear bands raised 24 HIGH and 223
//   MEDIUM spikes, log bands 0 HIGH and 119 MEDIUM (README, test/assembly/metrics.test.ts).
//   Thresholds: T_k = mexp2(mean + k·se) - 1 B/s with se = max(sigma, CFG_SPIKE_MIN_STD_LOG2
//   (0.5: a band of at least 2^(2·0.5) = 2x the mean for MEDIUM)), k = CFG_SPIKE_MEDIUM_SIGMA (2)
//   for MEDIUM and CFG_SPIKE_HIGH_SIGMA (3) for HIGH (issue #4: mu + 2 sigma, mu + 3 sigma, on the
//   log scale); MEDIUM never below CFG_SPIKE_MIN_BPS (100 B/s), HIGH never below
//   CFG_SPIKE_HIGH_MIN_BPS (10,000 B/s). MEAN in alerts = mexp2(mean) - 1 B/s (the geometric
//   mean of 1 + rate, minus 1), STD = sigma in log2 units.
// - A baseline is ready after CFG_BASELINE_WARMUP windows (default 3; nothing is judged against it
//   before); HIGH needs (N + 1) / 2 windows (31 of 60: the start-up averaging is over and sigma
//   rests on enough windows): before that a spike is at most MEDIUM.
// - Anomalous windows update the baseline winsorised: x is clamped at mean + k_HIGH·se (Tukey's
//   winsorising), so a flood never becomes "normal" in one window but a lasting level shift is
//   learnt over tens of windows (the mean moves by at most alpha·k_HIGH·se per window).
// - Per destination, windows in which it had no packet are samples of 0, applied lazily when the
//   destination is next seen (baseline.ts blZeros: the closed form after the start-up). A
//   destination quiet for N windows or more, or last seen in an earlier session, starts over.
//
// SPIKE (abi.DET_SPIKE)
// - SPIKE_GLOBAL: the window's rate over all packets against G_BASE. SPIKE_DST: the rate of the
//   packets to one destination address (VLAN not part of the key) against its own baseline; before
//   that is ready, against the population baseline (below), at most MEDIUM (AUX = 1; 0 when its
//   own). An own baseline's thresholds are raised to at least the population's MEDIUM threshold
//   when that is ready: a spike must be unusual for the host and among hosts.
// - Population baseline (the fallback for destinations without a baseline of their own, so that a
//   flood against a host never seen before is named): per closed window, the mean m and mean
//   square q over its destinations of mlog2(their bytes / span), EWMA of m and q over windows;
//   mean = popM1, sigma² = popM2 - popM1²; threshold mexp2(mean + k_MED·se) B/s. The sums are
//   kept exact per packet (a destination's log2 bytes is replaced as its bytes grow).
// - Bytes in a window only grow, so a window whose rate crosses its threshold mid-window is over
//   it for good (the test is bytes > T x span: no division per packet; below CFG_SPIKE_MIN_BPS x
//   span no threshold is even looked at): the crossing packet opens the episode (ALERT_KIND_NEW)
//   and is evidence (markReason) with every later packet of that window (and of the
//   destination, for SPIKE_DST). The episode
//   stays open while windows keep crossing: it ends when a window newer than its last crossing one
//   closes without crossing (a quiet window of a destination counts), at session end, eviction or
//   end of input (ALERT_KIND_UPDATE with the peak). A window crossing before the previous one
//   closed (within L) continues the episode.
// - Severity: MEDIUM over T_MEDIUM, HIGH over T_HIGH (see Baselines); it can rise within an
//   episode. VALUE = peak rate (B/s), THRESHOLD = the threshold of the severity reached, MEAN / STD
//   / SAMPLES = the baseline at that decision (SAMPLES = min(windows, N)), WINDOW_S = W, SCORE =
//   VALUE / max(MEAN, 1), COUNT = evidence packets, PEAK_RATE = evidence packets per 1-s bin. SRC,
//   ports, label, size, record: the first evidence packet; DST: the destination (all-zero for
//   SPIKE_GLOBAL). C_ALERTS_SPIKE counts episodes, C_MARKS_SPIKE evidence packets.
// - Real captures (MANIFEST.md; test/assembly/metrics.test.ts): the floods of attacks/synflood and
//   attacks/ddos_amplification that have their own past in the capture raise SPIKE_DST against the
//   victim (DOMINATE, the low-rate stopddos_amp.TCP.syn); the ones that start with the capture
//   (less than a second long, or the flood from the first packet) have no past to learn from and
//   need a baseline learnt elsewhere (the test prepends normal/evgenii_no_flood.pcap).
//
// PROTOSHIFT (abi.DET_PROTOSHIFT), judged when a window closes
// - Share of a window's packets per protocol class (PROTOSHIFT_PROTO, AUX = class 0 TCP, 1 UDP,
//   2 ICMP, 3 ICMPv6, 4 other) and per tracked service (PROTOSHIFT_SERVICE, AUX = (IP protocol <<
//   16) | port; TCP and UDP: the service is the responder's port of the packet's flow, Zeek's
//   resp_p), in percent, against its baseline share (EWMA of the shares of every window, linear).
// - An increase of more than P = CFG_PROTOSHIFT_POINTS (30) percentage points over the baseline
//   share is MEDIUM, of more than CFG_PROTOSHIFT_HIGH_POINTS (50) HIGH. Only increases: the class
//   that takes over is the actionable one (a share that falls is another's that rose; a fall
//   spread over several classes each below P is not flagged). Only windows of at least
//   CFG_PROTOSHIFT_MIN_PACKETS packets (100) are judged (a new connection is 40 % of a 50-packet
//   window); every window updates the baselines (winsorised at mean + P). HIGH needs a mature
//   baseline of (N + 1) / 2 windows, as SPIKE: on normal/perf/real_mix (986 captures merged) 23
//   HIGH shifts fired where the stream moved to the next capture, against baselines of 3–11
//   windows; a share learnt over so few windows is not worth HIGH. One episode per class or
//   service while consecutive windows stay shifted; VALUE = peak share (%), MEAN = baseline share,
//   STD = its sigma (points), THRESHOLD = the points of the severity reached, SAMPLES = windows,
//   SCORE = VALUE / max(MEAN, 1), COUNT = packets of the class or service in the shifted windows,
//   PEAK_RATE = their peak packets/s; TS / record: the first packet of the first shifted window,
//   LAST: the last packet of the last one; DPORT = the port, label = the IP protocol (0 other).
// - Tracked services: SERVICES = 16 entries (a small bounded structure): a packet of an untracked
//   service takes a free entry, whose baseline starts as 0 % for every window of the session so
//   far; an entry is freed when a window closes after its last packet while its baseline share is
//   below 1 % and no episode is open. With all entries taken, packets of other services count
//   only in the class shares.
//
// Memory: DEST_STRIDE = 128 B per destination (header 16, key 16, two open windows, threshold
// cache, baseline 24: one aligned pair of cache lines, all a packet reads); the table doubles up
// to CFG_SPIKE_MEMORY_CAP_BYTES (64 MiB), then evicts the least recently seen destination near the
// new key's home slot, closing its episode (C_SPIKE_HOSTS_EVICTED). Open SPIKE_DST episodes (rare)
// live in a second table keyed by the destination, 192 B each, capped at 1/8 of that (at its cap
// the least recently opened episode is closed early; its window's later packets are no evidence).
// Static: 4 window accumulators (208 B), the global, class and service states (about 7 KiB). Sweep: on one packet in SWEEP_EVERY, SWEEP_SLOTS destinations:
// ended episodes are closed and stale destinations (the restart rule above) removed; the same
// rules apply at the next packet, so the sweep changes no decision. Per packet at most 7 alerts
// (destination: restart 1, eviction 1, fold 1, new 1; global new 1; sweep 2).
// Trace (CFG_TRACE_ENABLED, CFG_TRACE_DETECTOR = DET_SPIKE): TRACE_KEY's dst is the destination,
// all-zero for the global series (src ignored); one point per closed window (a destination's
// quiet windows included, from its first packet on): TRACE_TS_US = window start, TRACE_SIZE = its
// rate (B/s), TRACE_MEAN = the baseline mean before it (B/s), TRACE_STD = the MEDIUM threshold,
// TRACE_Z = the HIGH threshold (NaN when HIGH is not possible), TRACE_FLAGS bit 0 thresholds
// exist, bit 1 the window crossed, bit 2 the population's, TRACE_RECORD_INDEX = the window's first
// record. The mean and thresholds are the ones the window was judged against: those in force at
// its last packet (of the destination) before it crossed, or at the decision (crossing, HIGH) for
// a window that crossed; for a destination's quiet window (rate 0) those when it is folded. So a
// flagged point is always above its MEDIUM threshold and a judged unflagged one at or below it,
// and an alert's THRESHOLD / MEAN are its window's point's. The thresholds are not recomputed at
// the close: a window is judged while the one before is still open (lateness L) and closes after
// it, so the baselines may have taken in one or more windows since its packets (a flood window
// raising the population's MEDIUM under an own baseline: DOMINATE's last window against
// 10.10.10.10, 15 kB/s, was drawn under 95 kB/s though it crossed 237 B/s). Kept per window
// (A_S_* in the accumulator; TSNAP per window parity for the traced destination, HA_TRACED on its
// slot): taken at a packet only when the baselines changed since the last snapshot of the window
// (doneOrd) and at decisions; with tracing off nothing is taken. The traced destination is folded
// at every window close (the same results: folding earlier changes no decision, only the rounding
// of its quiet-window runs).
// Trace (CFG_TRACE_DETECTOR = DET_PROTOSHIFT, key ignored): per closed window one point per
// protocol class (5, in class order) and per tracked service (entry order): TRACE_TS_US = window
// start, TRACE_SIZE = the row's share of the window's packets (0..1), TRACE_MEAN = its baseline
// share before the window (0..1, NaN while n < CFG_BASELINE_WARMUP), TRACE_STD = that baseline's
// sigma (0..1), TRACE_Z = the window's packets, TRACE_FLAGS bit 1 = the row's episode was opened or
// extended by this window, bits 8-15 = the row (0..4 the class, abi.PROTOSHIFT_ROW_SERVICE a
// service), TRACE_RECORD_INDEX = the service's (IP protocol << 16) | port (0 for a class).
// A window's points are written together (the catch-up waits for CLASSES + SERVICES of room; with a
// trace region smaller than that, CFG_TRACE_CAPACITY < 21, each window's later rows are left out).
//
// Export and import of the learned state (detect/baseline-io.ts, abi BLREC_*; "learn here, detect
// there"):
// - metricsExport() after metricsFlush(): G_BASE, the population, CLS_BASE and the tracked services
//   as they are after the last window; every destination of this session not expired (quiet for
//   fewer than N windows), folded first up to the last window (its quiet windows since its last
//   packet are samples of 0, as at its next packet), with AGE_W = windows since its last packet.
// - metricsImport() at reset, before the first packet: each record becomes a ready baseline (its n
//   as learnt, so no warm-up). The capture's first window continues the learnt windows: it gets
//   ordinal ordBase + 1 with ordBase = N + 1, a loaded destination H_LAST_ACTIVE = ordBase - AGE_W
//   and H_LAST_FOLDED = ordBase, so the time between the two captures counts as no window (no
//   decay across captures, like the windows the clock jumps over within a capture) and a
//   destination expires after N quiet windows counted over both captures. The first window still
//   has the span of a capture's first window (spanFirstOrd). Loaded baselines keep adapting as
//   usual; with CFG_BASELINE_FROZEN they are not updated (HA_FROZEN per destination, flags for the
//   global, population, class and service baselines) until a session restart or an expiry, after
//   which the new baseline learns. A loaded service takes a tracked entry (SVC_LAST = ordBase), so
//   the usual freeing rule applies at the first window close.
// - Straight run vs. two runs with the state carried over (test/assembly/baseline-io.test.ts):
//   with the split at the first packet of a window the decisions are the same when that window's
//   span is the same (W <= 1 s, or the split packet at the window start); a destination quiet across
//   the split folds its quiet windows in two closed-form steps instead of one (rounding only).
import * as abi from "../abi";
import { cfg } from "../config";
import { cGet, cInc, cSet } from "../counters";
import { PKT_SRC, PKT_DST, pktTsUs, pktWireLen, pktProto, pktSport, pktDport, pktRecordIndex, pktRecordOffset } from "../packet";
import { OpenTable, SLOT_AUX, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig } from "../table/hash";
import { curIsOrig } from "../table/flow-table";
import { alertAppend, episodeId, markReason, outputRoomFor, outputTraceCount, outputTraceRoom, traceAppend, TRACE_KEY } from "./output";
import {
  EP_BYTES, EP_ID, EP_COUNT, EP_FIRST_US, EP_LAST_US, EP_OFFSET, EP_INDEX, EP_SPORT, EP_DPORT, EP_LABEL, EP_SIZE,
  EP_VLAN, EP_RATE_PEAK, EP_VALUE, EP_AUX, EP_ADDR, epStart, epEvidence, epRecord, SWEEP_EVERY,
} from "./sliding";
import { BL_BYTES, BL_N, BL_MEAN, BL_S, blClear, blSpan, blUpdate, blZeros, blStd, mlog2, mexp2 } from "./baseline";
import { cutBegin, cutAdd, cutFinish, cutTake, recAppend, recStats, recValid, recN32, tableFull } from "./baseline-io";

/** Protocol classes and tracked services. */
export const CLASSES: i32 = 5;
export const SERVICES: i32 = 16;
/** Destinations the sweep checks per run, and the episode closes after which it stops. */
export const SWEEP_SLOTS: u32 = 4;
export const SWEEP_ALERTS: i32 = 2;
const INITIAL_KEYS: f64 = 1024;
/** Alerts one catch-up window may write: global end, 5 classes, 16 services, a traced fold, and
 *  the same again at a session reset. */
const WINDOW_ALERTS: i32 = 48;

// ---- window accumulator (ring of 4, indexed by ordinal & 3) ----
const A_ORD: usize = 0; // u32
const A_PACKETS: usize = 4; // u32
const A_START: usize = 8; // i64 window start (µs)
const A_SPAN: usize = 16; // f64 span (s)
const A_BYTES: usize = 24; // f64
const A_D: usize = 32; // u32 destinations with bytes
const A_FLAGGED: usize = 36; // u32 SPIKE_GLOBAL crossed
const A_SUML: usize = 40; // f64 sum over destinations of mlog2(bytes)
const A_SUML2: usize = 48; // f64 sum of its squares
const A_FIRST_US: usize = 56; // i64 first (smallest) packet time
const A_LAST_US: usize = 64; // i64 last packet time
const A_FIRST_OFFSET: usize = 72; // f64 record offset of the first packet
const A_FIRST_INDEX: usize = 80; // u32 record index of the first packet
const A_CLS: usize = 84; // u32 x CLASSES
const A_SVC: usize = A_CLS + (<usize>CLASSES << 2); // u32 x SERVICES
// SPIKE_GLOBAL thresholds in force for this window (traceGlobal only; see the Trace header): taken
// at its packets while it has not crossed (the last one wins) and at every decision.
const A_S_DONE: usize = 168; // u32 doneOrd + 1 when taken (0 = none)
const A_S_FLAGS: usize = 172; // u32 TS_* bits below
const A_S_MED: usize = 176; // f64 MEDIUM threshold (B/s)
const A_S_HIGH: usize = 184; // f64 HIGH threshold (B/s)
const A_S_MEAN: usize = 192; // f64 baseline mean (B/s)
const ACC_BYTES: usize = 208;
const ACC = memory.data(4 * <i32>ACC_BYTES, 16);

// ---- decision block next to every episode record (EP_* of sliding.ts) ----
const X_LAST_ORD: usize = 0; // u32 ordinal of the last window over the threshold
const X_SEV: usize = 4; // u8 severity
const X_THR: usize = 8; // f64 THRESHOLD
const X_MEAN: usize = 16; // f64 MEAN
const X_STD: usize = 24; // f64 STD
const X_SAMPLES: usize = 32; // u32 SAMPLES
const X_PEAK: usize = 40; // f64 PEAK_RATE (PROTOSHIFT)
const X_BYTES: usize = 48;
const EPX: usize = EP_BYTES + X_BYTES; // episode record + decision block

// ---- destination slot: header 16 (SLOT_AUX holds the HA_* bits below), key 16 (the destination
// address), then what every packet reads: slots are 128 B, one aligned pair of cache lines. A
// destination holds at most two windows, both open (closed ones are folded first): ordinals
// H_WORD - 1 and H_WORD, in window slot i = ordinal & 1. ----
const H_KEY_WORDS: i32 = 4;
const H_LAST_ACTIVE: usize = 32; // u32 newest ordinal with a packet (>= sessFirstOrd: this session)
const H_LAST_FOLDED: usize = 36; // u32 windows <= this are in H_BASE
const H_WORD: usize = 40; // u32 newest held window (0 = none)
const H_THR_VER: usize = 44; // u32 popVer the threshold cache was computed at (0 = stale)
const H_WBYTES: usize = 48; // f64 x 2 bytes of window slot i
const H_MED: usize = 64; // f64 cached MEDIUM threshold (B/s)
const H_HIGH: usize = 72; // f64 cached HIGH threshold
const H_BASE: usize = 80; // baseline (BL_BYTES); 104-127 spare
/** Bytes per destination slot (two 64-byte lines, one aligned pair). */
export const DEST_STRIDE: usize = 128;
/** Open SPIKE_DST episodes live in a second table keyed by the destination (HA_EP says one
 *  exists): header 16, key 16, the episode (EPX). */
const E_EP: usize = 32;
const EPISODE_STRIDE: usize = E_EP + EPX + 8;
// SLOT_AUX bits
const HA_CROSSED: u32 = 1; // << i: window slot i crossed its threshold
const HA_HELD: u32 = 4; // << i: window slot i holds a window
const HA_KIND_SHIFT: u32 = 4; // 2 bits: the cache's K_*
const HA_HIGH_OK: u32 = 64; // the cache's HIGH is possible
const HA_EP: u32 = 128; // an episode is open (in `episodes`)
const HA_FROZEN: u32 = 256; // a loaded baseline under CFG_BASELINE_FROZEN: not updated
const HA_TRACED: u32 = 512; // the traced destination (traceDst): its packets take TSNAP snapshots

const K_NONE: u32 = 0;
const K_OWN: u32 = 1;
const K_POP: u32 = 2;

// ---- global, class and service state (static) ----
const G_BASE = memory.data(<i32>BL_BYTES, 16);
const G_EP = memory.data(<i32>EPX, 16);
const CLS_BASE = memory.data(<i32>(BL_BYTES * 5), 16);
const CLS_EP = memory.data(<i32>(EPX * 5), 16);
const SVC_KEYS = memory.data(SERVICES * 4, 16); // u32 (proto << 16) | port, 0 = free
const SVC_LAST = memory.data(SERVICES * 4, 16); // u32 ordinal of the newest window with a packet
const SVC_BASE = memory.data(<i32>(BL_BYTES * 16), 16);
const SVC_EP = memory.data(<i32>(EPX * 16), 16);
const ZERO16 = memory.data(16, 16);
/** Trace points of the traced destination's folds, written by the next catch-up. */
const TBUF_MAX: i32 = 8;
const TBUF = memory.data(TBUF_MAX * abi.TRACE_STRIDE, 16);
let tbufN: i32 = 0;
/** The traced destination's thresholds in force for its open windows (one per parity, as the
 *  window slots): taken at its packets while the window has not crossed and at every decision. */
const TS_ORD: usize = 0; // u32 window ordinal (0 = none)
const TS_DONE: usize = 4; // u32 doneOrd when taken
const TS_FLAGS: usize = 8; // u32 TS_* bits
const TS_MED: usize = 16; // f64
const TS_HIGH: usize = 24; // f64
const TS_MEAN: usize = 32; // f64
const TS_STRIDE: usize = 48;
const TSNAP = memory.data(2 * <i32>TS_STRIDE, 16);
// TS_FLAGS / A_S_FLAGS bits
const TS_JUDGED: u32 = 1; // the packet was judged (not the first packet of a new session)
const TS_READY: u32 = 2; // thresholds exist (judged and a ready baseline)
const TS_HIGH_OK: u32 = 4; // HIGH is possible
const TS_POP: u32 = 8; // the population's thresholds (K_POP)
/** Set by spikeDecide(): the last spikeCheck() made a decision (the trace snapshots it). */
let spikeDecided = false;

export const dests = new OpenTable();
export const episodes = new OpenTable();
let spikeOn = false;
let dstOn = false;
let shiftOn = false;
let svcOn = false;
let anyOn = false;
let traceDst = false;
let traceGlobal = false;
let wUs: i64 = 10000000;
let lUs: i64 = 5000000;
let windowS: f64 = 10;
let nSpan: u32 = 60;
let alpha: f64 = 2.0 / 61;
let warmup: u32 = 3;
let mature: u32 = 31;
let minSpanUs: i64 = 1000000;
let kMed: f64 = 2;
let kHigh: f64 = 3;
let minStdL: f64 = 0.5;
let minBps: f64 = 100;
let highMinBps: f64 = 10000;
let pMed: f64 = 30;
let pHigh: f64 = 50;
let minPackets: u32 = 100;

let started = false;
let curStart: i64 = 0;
let ord: u32 = 0;
let prevOpen = false;
let closedOrd: u32 = 0;
let doneOrd: u32 = 0;
let session: u32 = 0;
let resetAfterOrd: u32 = 0;
let sessFirstOrd: u32 = 0;
let sessFirstSpanS: f64 = 10;
/** The window whose span is sessFirstSpanS (the first of the capture or of a later session). */
let spanFirstOrd: u32 = 0;
let shiftN: u32 = 0;
/** Loaded baselines (metricsImport): the capture's first window gets ordinal ordBase + 1, so that
 *  loaded destinations (ordinals ordBase - age) continue without a gap. 0 = nothing loaded. */
let ordBase: u32 = 0;
let frozenOn = false;
let gFrozen = false;
let popFrozen = false;
/** Bit k: class k's / service entry k's baseline is loaded and frozen. */
let clsFrozen: u32 = 0;
let svcFrozen: u32 = 0;
let traceShift = false;
/** Free entries of SVC_KEYS. */
let svcFree: i32 = SERVICES;
// global thresholds (recomputed when G_BASE changes)
let gReady = false;
let gHighOk = false;
let gMed: f64 = 0;
let gHigh: f64 = 0;
// population
let popN: u32 = 0;
let popM1: f64 = 0;
let popM2: f64 = 0;
let popVer: u32 = 1;
let popReady = false;
let popMed: f64 = 0;
let popStd: f64 = 0;
let sweepCursor: u32 = 0;
let sweepTick: u32 = 0;
let flushStage: i32 = 0;
let flushCursor: u32 = 0;

/** Reads the config (CFG_METRIC_WINDOW_S, CFG_LATENESS_S, CFG_BASELINE_*, CFG_SPIKE_*,
 *  CFG_PROTOSHIFT_*, CFG_TRACE_*, CFG_SEED), clears every window, baseline and episode and
 *  (re)allocates the destination table when SPIKE_DST is on. */
export function metricsReset(): void {
  spikeOn = cfg(abi.CFG_SPIKE_ENABLED) != 0;
  dstOn = cfg(abi.CFG_SPIKE_DST_ENABLED) != 0;
  shiftOn = cfg(abi.CFG_PROTOSHIFT_ENABLED) != 0;
  svcOn = shiftOn && cfg(abi.CFG_PROTOSHIFT_SERVICES_ENABLED) != 0;
  anyOn = spikeOn || dstOn || shiftOn;
  const tracing = cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_SPIKE;
  const zeroKey = keysEqual(TRACE_KEY + 16, ZERO16, 4);
  traceGlobal = tracing && zeroKey && spikeOn;
  traceDst = tracing && !zeroKey && dstOn;
  traceShift = shiftOn && cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_PROTOSHIFT;
  frozenOn = cfg(abi.CFG_BASELINE_FROZEN) != 0;
  ordBase = 0;
  const w = Math.round(cfg(abi.CFG_METRIC_WINDOW_S) * 1e6);
  wUs = w >= 1000 ? <i64>w : 1000;
  const l = cfg(abi.CFG_LATENESS_S);
  const lr: i64 = l > 0 ? <i64>Math.round(l * 1e6) : 0;
  lUs = lr >= wUs ? wUs - 1 : lr;
  windowS = <f64>wUs / 1e6;
  minSpanUs = wUs < 1000000 ? wUs : 1000000;
  const n = Math.floor(cfg(abi.CFG_BASELINE_WINDOWS));
  nSpan = n >= 1 ? (n <= 1e9 ? <u32>n : 1000000000) : 1;
  alpha = 2.0 / (<f64>nSpan + 1);
  blSpan(alpha);
  const wu = Math.floor(cfg(abi.CFG_BASELINE_WARMUP));
  warmup = wu >= 1 ? (wu <= 1e9 ? <u32>wu : 1000000000) : 1;
  mature = <u32>Math.ceil((<f64>nSpan + 1) / 2);
  kMed = cfg(abi.CFG_SPIKE_MEDIUM_SIGMA);
  kHigh = max<f64>(cfg(abi.CFG_SPIKE_HIGH_SIGMA), kMed);
  minStdL = cfg(abi.CFG_SPIKE_MIN_STD_LOG2);
  minBps = cfg(abi.CFG_SPIKE_MIN_BPS);
  highMinBps = cfg(abi.CFG_SPIKE_HIGH_MIN_BPS);
  pMed = cfg(abi.CFG_PROTOSHIFT_POINTS);
  pHigh = max<f64>(cfg(abi.CFG_PROTOSHIFT_HIGH_POINTS), pMed);
  const mp = Math.floor(cfg(abi.CFG_PROTOSHIFT_MIN_PACKETS));
  minPackets = mp >= 0 ? (mp <= 1e9 ? <u32>mp : 1000000000) : 0;
  if (dstOn) {
    const cap = cfg(abi.CFG_SPIKE_MEMORY_CAP_BYTES);
    const seed = seedFromConfig(cfg(abi.CFG_SEED));
    dests.init(INITIAL_KEYS, DEST_STRIDE, 16, cap, seed ^ 0x2545f491);
    episodes.init(64, EPISODE_STRIDE, 16, cap / 8, seed ^ 0x61c88647);
  } else {
    dests.release();
    episodes.release();
  }
  started = false;
  curStart = 0;
  ord = 0;
  prevOpen = false;
  closedOrd = 0;
  doneOrd = 0;
  session = 0;
  resetAfterOrd = 0;
  sessFirstOrd = 0;
  sessFirstSpanS = windowS;
  spanFirstOrd = 0;
  memory.fill(ACC, 0, 4 * ACC_BYTES);
  memory.fill(G_EP, 0, EPX);
  memory.fill(CLS_EP, 0, EPX * 5);
  memory.fill(SVC_EP, 0, EPX * 16);
  resetBaselines();
  tbufN = 0;
  memory.fill(TSNAP, 0, 2 * TS_STRIDE);
  lastDest = 0;
  sweepCursor = 0;
  sweepTick = 0;
  flushStage = 0;
  flushCursor = 0;
  publish();
}

/** Empties the global, population, class and service baselines (a new session). */
function resetBaselines(): void {
  blClear(G_BASE);
  globalThresholds();
  popN = 0;
  popM1 = 0;
  popM2 = 0;
  popVer++;
  if (popVer == 0) popVer = 1;
  popThresholds();
  for (let k = 0; k < CLASSES; k++) blClear(CLS_BASE + <usize>k * BL_BYTES);
  memory.fill(SVC_KEYS, 0, SERVICES * 4);
  memory.fill(SVC_LAST, 0, SERVICES * 4);
  svcFree = SERVICES;
  shiftN = 0;
  gFrozen = false;
  popFrozen = false;
  clsFrozen = 0;
  svcFrozen = 0;
}

@inline function publish(): void {
  cSet(abi.C_SPIKE_HOSTS_LIVE, <f64>dests.count);
}

@inline function floorStart(t: i64): i64 {
  let r = t % wUs;
  if (r < 0) r += wUs;
  return t - r;
}

@inline function accPtr(o: u32): usize {
  return ACC + <usize>(o & 3) * ACC_BYTES;
}

@inline function spanOf(o: u32): f64 {
  return o == spanFirstOrd ? sessFirstSpanS : windowS;
}

// ---------------------------------------------------------------- thresholds

/** MEDIUM threshold (B/s) of an own baseline with log2 mean `m` and sigma `sd`. */
@inline function ownMed(m: f64, sd: f64): f64 {
  const se = sd > minStdL ? sd : minStdL;
  const t = mexp2(m + kMed * se) - 1;
  return t > minBps ? t : minBps;
}

@inline function ownHigh(m: f64, sd: f64): f64 {
  const se = sd > minStdL ? sd : minStdL;
  const t = mexp2(m + kHigh * se) - 1;
  return t > highMinBps ? t : highMinBps;
}

/** The winsorising bound of a ready baseline (log2 units; +inf while warming up). */
@inline function clampOf(b: usize): f64 {
  if (load<u32>(b + BL_N) < warmup) return Infinity;
  const sd = blStd(b);
  return load<f64>(b + BL_MEAN) + kHigh * (sd > minStdL ? sd : minStdL);
}

/** Sample `x` clamped at the winsorising bound of baseline `b` (clampOf); below the bound's
 *  floor (sigma at its minimum) no square root is needed. */
@inline function winsorised(b: usize, x: f64): f64 {
  if (x <= load<f64>(b + BL_MEAN) + kHigh * minStdL) return x;
  const cl = clampOf(b);
  return x < cl ? x : cl;
}

function globalThresholds(): void {
  const n = load<u32>(G_BASE + BL_N);
  gReady = n >= warmup;
  gHighOk = n >= mature;
  const m = load<f64>(G_BASE + BL_MEAN);
  const sd = blStd(G_BASE);
  gMed = ownMed(m, sd);
  gHigh = ownHigh(m, sd);
}

function popThresholds(): void {
  popReady = popN >= warmup;
  let v = popM2 - popM1 * popM1;
  if (!(v > 0)) v = 0;
  popStd = Math.sqrt(v);
  const se = popStd > minStdL ? popStd : minStdL;
  const t = mexp2(popM1 + kMed * se);
  popMed = t > minBps ? t : minBps;
}

/** Refreshes the threshold cache of destination slot `s` (stale when H_THR_VER != popVer). */
function hostThresholds(s: usize): void {
  const b = s + H_BASE;
  const n = load<u32>(b + BL_N);
  let kind = K_NONE;
  let med: f64 = 0;
  let high: f64 = Infinity;
  let highOk = false;
  if (n >= warmup) {
    kind = K_OWN;
    const m = load<f64>(b + BL_MEAN);
    const sd = blStd(b);
    med = ownMed(m, sd);
    high = ownHigh(m, sd);
    highOk = n >= mature;
    if (popReady) {
      if (popMed > med) med = popMed;
      if (popMed > high) high = popMed;
    }
  } else if (popReady) {
    kind = K_POP;
    med = popMed;
  }
  store<f64>(s + H_MED, med);
  store<f64>(s + H_HIGH, high);
  const aux = load<u32>(s + SLOT_AUX) & ~((<u32>3 << HA_KIND_SHIFT) | HA_HIGH_OK);
  store<u32>(s + SLOT_AUX, aux | (kind << HA_KIND_SHIFT) | (highOk ? HA_HIGH_OK : 0));
  store<u32>(s + H_THR_VER, popVer);
}

// ---------------------------------------------------------------- episodes and alerts

/** Records a decision in the decision block `x` of an episode: severity, its threshold, and the
 *  baseline's MEAN (B/s or %), STD and SAMPLES. */
@inline function decide(x: usize, sev: i32, thr: f64, mean: f64, sd: f64, samples: u32): void {
  store<u8>(x + X_SEV, <u8>sev);
  store<f64>(x + X_THR, thr);
  store<f64>(x + X_MEAN, mean);
  store<f64>(x + X_STD, sd);
  store<u32>(x + X_SAMPLES, samples < nSpan ? samples : nSpan);
}

/** Writes the alert record of episode `ep` (decision block at ep + EP_BYTES); `src`/`dst` 16-byte
 *  addresses or 0 for the zero address, `peak` = PEAK_RATE. The caller checked the room. */
function epWrite(ep: usize, kind: i32, det: i32, variant: i32, src: usize, dst: usize, peak: f64): void {
  const x = ep + EP_BYTES;
  const mean = load<f64>(x + X_MEAN);
  const a = epRecord(ep, kind, det, variant, src, dst, <i32>load<u8>(x + X_SEV), load<f64>(ep + EP_VALUE) / (mean > 1 ? mean : 1),
    load<f64>(x + X_THR), windowS, peak);
  store<f64>(a + abi.ALERT_MEAN, mean);
  store<f64>(a + abi.ALERT_STD, load<f64>(x + X_STD));
  store<u32>(a + abi.ALERT_SAMPLES, load<u32>(x + X_SAMPLES));
}

/** Ends the open SPIKE episode `ep` (ALERT_KIND_UPDATE); `dst` as epWrite. */
function spikeEnd(ep: usize, variant: i32, dst: usize): void {
  epWrite(ep, abi.ALERT_KIND_UPDATE, abi.DET_SPIKE, variant, ep + EP_ADDR, dst, <f64>load<u32>(ep + EP_RATE_PEAK));
  store<u32>(ep + EP_ID, 0);
}

function shiftEnd(ep: usize, variant: i32): void {
  epWrite(ep, abi.ALERT_KIND_UPDATE, abi.DET_PROTOSHIFT, variant, 0, 0, load<f64>(ep + EP_BYTES + X_PEAK));
  store<u32>(ep + EP_ID, 0);
}

/** The open episode of destination slot `s` (a slot or a copy of one), or 0. */
function hostEp(s: usize): usize {
  if ((load<u32>(s + SLOT_AUX) & HA_EP) == 0) return 0;
  const e = episodes.find(s + SLOT_KEY, episodes.hash(s + SLOT_KEY, H_KEY_WORDS), H_KEY_WORDS);
  return e != 0 ? e + E_EP : 0;
}

/** Ends the open episode of destination slot `s` (ALERT_KIND_UPDATE) and drops its record. */
function hostEnd(s: usize): void {
  const ep = hostEp(s);
  if (ep != 0) {
    spikeEnd(ep, abi.SPIKE_DST, s + SLOT_KEY);
    episodes.remove(ep - E_EP);
  }
  store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) & ~HA_EP);
}

/** Ends the episode of slot `s` when a window newer than its last crossing one has closed
 *  (ordinal `closed`): the episode-end rule of the header. */
function hostEndAfter(s: usize, closed: u32): bool {
  const ep = hostEp(s);
  if (ep == 0 || closed <= load<u32>(ep + EP_BYTES + X_LAST_ORD)) return false;
  hostEnd(s);
  return true;
}

/** The current packet against a window's threshold (see the header): the window holds `bytes`
 *  over `span` seconds; it crosses when bytes > threshold x span. `flagged` says whether it crossed
 *  before this packet; returns whether it has now. Opens the episode at the crossing, counts
 *  evidence (VALUE = bytes / span), raises the severity. `kind`: K_OWN or K_POP (AUX). */
function spikeCheck(ep: usize, flagged: bool, bytes: f64, span: f64, ready: bool, med: f64, high: f64, highOk: bool, wo: u32,
    clock: i64, variant: i32, dst: usize, kind: u32, b: usize): bool {
  const x = ep + EP_BYTES;
  let opened = false;
  if (ready && !flagged && bytes > med * span) {
    flagged = true;
    if (load<u32>(ep + EP_ID) == 0) {
      epStart(ep, PKT_SRC);
      store<u32>(x + X_LAST_ORD, wo);
      spikeDecide(x, highOk && bytes > high * span ? abi.SEV_HIGH : abi.SEV_MEDIUM, med, high, kind, b);
      store<f64>(ep + EP_AUX, kind == K_POP ? 1 : 0);
      opened = true;
    }
  }
  if (!flagged) return false;
  epEvidence(ep, clock, bytes / span);
  if (wo > load<u32>(x + X_LAST_ORD)) store<u32>(x + X_LAST_ORD, wo);
  if (!opened && ready && highOk && bytes > high * span && <i32>load<u8>(x + X_SEV) < abi.SEV_HIGH) {
    spikeDecide(x, abi.SEV_HIGH, med, high, kind, b);
    store<f64>(ep + EP_AUX, kind == K_POP ? 1 : 0);
  }
  markReason(abi.DET_SPIKE);
  if (opened) {
    epWrite(ep, abi.ALERT_KIND_NEW, abi.DET_SPIKE, variant, ep + EP_ADDR, dst, <f64>load<u32>(ep + EP_RATE_PEAK));
    cInc(abi.C_ALERTS_SPIKE);
  }
  return true;
}

/** A SPIKE decision: MEAN / STD / SAMPLES of baseline `b` (own, log2) or of the population. */
function spikeDecide(x: usize, sev: i32, med: f64, high: f64, kind: u32, b: usize): void {
  spikeDecided = true;
  const thr = sev == abi.SEV_HIGH ? high : med;
  if (kind == K_POP) decide(x, sev, thr, mexp2(popM1), popStd, popN);
  else decide(x, sev, thr, mexp2(load<f64>(b + BL_MEAN)) - 1, blStd(b), load<u32>(b + BL_N));
}

// ---------------------------------------------------------------- the clock

/** Moves the window state to clock `clk` (the newest packet time, this packet included). */
function advance(clk: i64): void {
  if (started && clk < curStart + wUs) {
    // Nearly every packet: the clock is still in its window.
    if (prevOpen && clk >= curStart + lUs) {
      closedOrd = ord - 1;
      prevOpen = false;
    }
    return;
  }
  const cw = floorStart(clk);
  if (!started) {
    started = true;
    curStart = cw;
    // Loaded baselines: the first window continues them (ordinal ordBase + 1; loaded destinations
    // are at ordinals >= 2, in this session).
    ord = ordBase + 1;
    session = 1;
    cInc(abi.C_METRIC_SESSIONS);
    sessFirstOrd = 1;
    spanFirstOrd = ord;
    sessFirstSpanS = firstSpan(cw, clk);
    openAcc(ord, cw, sessFirstSpanS);
  } else if (cw > curStart) {
    const skipped = (cw - curStart) / wUs - 1;
    if (prevOpen) closedOrd = ord - 1;
    if (skipped == 0) prevOpen = true;
    else {
      closedOrd = ord;
      prevOpen = false;
    }
    ord++;
    curStart = cw;
    let span = windowS;
    if (skipped >= <i64>nSpan) {
      resetAfterOrd = ord - 1;
      session++;
      cInc(abi.C_METRIC_SESSIONS);
      sessFirstOrd = ord;
      spanFirstOrd = ord;
      sessFirstSpanS = firstSpan(cw, clk);
      span = sessFirstSpanS;
    }
    openAcc(ord, cw, span);
  }
  if (prevOpen && clk >= curStart + lUs) {
    closedOrd = ord - 1;
    prevOpen = false;
  }
}

@inline function firstSpan(cw: i64, clk: i64): f64 {
  const c = cw + wUs - clk;
  return <f64>(c > minSpanUs ? c : minSpanUs) / 1e6;
}

function openAcc(o: u32, start: i64, span: f64): void {
  const a = accPtr(o);
  memory.fill(a, 0, ACC_BYTES);
  store<u32>(a + A_ORD, o);
  store<i64>(a + A_START, start);
  store<f64>(a + A_SPAN, span);
}

// ---------------------------------------------------------------- per packet

/** The current packet: window bookkeeping, SPIKE (global and per destination), the counts of
 *  PROTOSHIFT. Appends alerts and marks (markReason). */
export function metricsPacket(): void {
  if (!anyOn) return;
  const ts = pktTsUs;
  const clk = <i64>cGet(abi.C_TS_LAST_US);
  advance(clk);
  // ts <= clock < curStart + W: the packet is in the clock's window, the open one before, or late.
  let wo: u32;
  if (ts >= curStart) wo = ord;
  else if (prevOpen && ts >= curStart - wUs) wo = ord - 1;
  else {
    cInc(abi.C_METRIC_LATE);
    return;
  }
  // The first packet of a new session is not judged: the baselines reset before the next one.
  const judge = resetAfterOrd <= doneOrd;
  const a = accPtr(wo);
  const n = load<u32>(a + A_PACKETS);
  if (n == 0) {
    store<i64>(a + A_FIRST_US, ts);
    store<i64>(a + A_LAST_US, ts);
    store<u32>(a + A_FIRST_INDEX, pktRecordIndex);
    store<f64>(a + A_FIRST_OFFSET, pktRecordOffset);
  } else {
    if (ts < load<i64>(a + A_FIRST_US)) {
      store<i64>(a + A_FIRST_US, ts);
      store<u32>(a + A_FIRST_INDEX, pktRecordIndex);
      store<f64>(a + A_FIRST_OFFSET, pktRecordOffset);
    }
    if (ts > load<i64>(a + A_LAST_US)) store<i64>(a + A_LAST_US, ts);
  }
  store<u32>(a + A_PACKETS, n + 1);
  const size = <f64>pktWireLen;
  const bytes = load<f64>(a + A_BYTES) + size;
  store<f64>(a + A_BYTES, bytes);
  if (shiftOn) shiftCount(a, wo, judge);
  if (spikeOn) {
    const flagged = load<u32>(a + A_FLAGGED) != 0;
    if (traceGlobal && !flagged) globalSnap(a, judge, false);
    if (flagged || (gReady && bytes > gMed * load<f64>(a + A_SPAN))) {
      spikeDecided = false;
      if (spikeCheck(G_EP, flagged, bytes, load<f64>(a + A_SPAN), gReady && judge, gMed, gHigh, gHighOk, wo, clk, abi.SPIKE_GLOBAL, 0, K_OWN, G_BASE)) {
        store<u32>(a + A_FLAGGED, 1);
      }
      if (traceGlobal && spikeDecided) globalSnap(a, judge, true);
    }
  }
  if (dstOn) destPacket(a, wo, clk, size, judge);
}

@inline function protoClass(p: u32): i32 {
  return p == 6 ? 0 : p == 17 ? 1 : p == 1 ? 2 : p == 58 ? 3 : 4;
}

/** Index of service `key` in SVC_KEYS (0 finds a free entry), or -1. */
@inline function svcFind(key: u32): i32 {
  const k = i32x4.splat(<i32>key);
  for (let q = 0; q < SERVICES; q += 4) {
    const m = i32x4.bitmask(i32x4.eq(v128.load(SVC_KEYS + (<usize>q << 2)), k));
    if (m != 0) return q + <i32>ctz<u32>(m);
  }
  return -1;
}

function shiftCount(a: usize, wo: u32, judge: bool): void {
  const p = pktProto;
  const c = a + A_CLS + (<usize>protoClass(p) << 2);
  store<u32>(c, load<u32>(c) + 1);
  if (!svcOn || !judge || (p != 6 && p != 17)) return;
  const key = (p << 16) | (curIsOrig ? pktDport : pktSport);
  let i = svcFind(key);
  if (i < 0) {
    if (svcFree == 0) return;
    i = svcFind(0);
    svcFree--;
    store<u32>(SVC_KEYS + (<usize>i << 2), key);
    store<u32>(SVC_LAST + (<usize>i << 2), wo);
    const b = SVC_BASE + <usize>i * BL_BYTES;
    blClear(b);
    blZeros(b, <u64>shiftN, alpha);
    svcFrozen &= ~(<u32>1 << <u32>i);
    store<u32>(SVC_EP + <usize>i * EPX + EP_ID, 0);
  }
  const sc = a + A_SVC + (<usize>i << 2);
  store<u32>(sc, load<u32>(sc) + 1);
  const l = SVC_LAST + (<usize>i << 2);
  if (wo > load<u32>(l)) store<u32>(l, wo);
}

/** True when destination slot `s` starts over for a packet in window `wo` (another session, or
 *  quiet for N windows or more). */
@inline function stale(s: usize, wo: u32): bool {
  const last = load<u32>(s + H_LAST_ACTIVE);
  return last < sessFirstOrd || <i64>wo - <i64>last - 1 >= <i64>nSpan;
}

function destInit(s: usize, wo: u32, oldestOpen: u32): void {
  let aux: u32 = 0;
  if (traced(s)) {
    // A new start drops the held windows: their snapshots go with them.
    aux = HA_TRACED;
    memory.fill(TSNAP, 0, 2 * TS_STRIDE);
  }
  store<u32>(s + SLOT_AUX, aux);
  store<u32>(s + H_LAST_ACTIVE, wo);
  store<u32>(s + H_LAST_FOLDED, oldestOpen - 1);
  store<u32>(s + H_WORD, 0);
  store<u32>(s + H_THR_VER, 0);
  blClear(s + H_BASE);
}

function destPacket(a: usize, wo: u32, clk: i64, size: f64, judge: bool): void {
  // Runs of packets to one destination skip the lookup (the slot stays put until the table changes).
  let s = lastDest;
  if (s == 0 || !keysEqual(s + SLOT_KEY, PKT_DST, H_KEY_WORDS)) {
    const h = dests.hash(PKT_DST, H_KEY_WORDS);
    s = dests.find(PKT_DST, h, H_KEY_WORDS);
    if (s == 0) {
      s = dests.insert(PKT_DST, h);
      lastDest = 0;
      if (dests.evicted) {
        cInc(abi.C_SPIKE_HOSTS_EVICTED);
        if ((load<u32>(dests.evictedCopy + SLOT_AUX) & HA_EP) != 0) hostEnd(dests.evictedCopy);
      }
      destInit(s, wo, prevOpen ? ord - 1 : ord);
      store<i64>(s + SLOT_LAST, pktTsUs);
      publish();
      s = s | NEW_SLOT;
    }
    lastDest = s & ~NEW_SLOT;
  }
  destUpdate(s & ~NEW_SLOT, (s & NEW_SLOT) != 0, a, wo, clk, size, judge);
}

/** Marks a slot just inserted (slots are 64-byte aligned: bit 0 is free). */
const NEW_SLOT: usize = 1;
/** The slot of the last destination seen (0 = none); reset when the table changes. */
let lastDest: usize = 0;

/** Clears HA_EP of the destination `key` (its episode record was evicted). */
function clearEpBit(key: usize): void {
  const s = dests.find(key, dests.hash(key, H_KEY_WORDS), H_KEY_WORDS);
  if (s != 0) store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) & ~HA_EP);
}

function destUpdate(s: usize, inserted: bool, a: usize, wo: u32, clk: i64, size: f64, judge: bool): void {
  const oldestOpen = prevOpen ? ord - 1 : ord;
  if (!inserted) {
    if (stale(s, wo)) {
      if ((load<u32>(s + SLOT_AUX) & HA_EP) != 0) hostEnd(s);
      destInit(s, wo, oldestOpen);
    }
    if (pktTsUs > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, pktTsUs);
  }
  if (oldestOpen - 1 > load<u32>(s + H_LAST_FOLDED)) fold(s, oldestOpen - 1);
  if (wo > load<u32>(s + H_LAST_ACTIVE)) store<u32>(s + H_LAST_ACTIVE, wo);
  if (wo > load<u32>(s + H_WORD)) store<u32>(s + H_WORD, wo);
  // Slot i holds window wo when held: the held windows are the open ones, one per parity.
  const wi = <u32>(wo & 1);
  const wBytes = s + H_WBYTES + (<usize>wi << 3);
  let aux = load<u32>(s + SLOT_AUX);
  let b0: f64 = 0;
  if ((aux & (HA_HELD << wi)) == 0) {
    aux = (aux | (HA_HELD << wi)) & ~(HA_CROSSED << wi);
    store<u32>(s + SLOT_AUX, aux);
  } else b0 = load<f64>(wBytes);
  const b1 = b0 + size;
  if (size > 0) {
    const l1 = mlog2(b1);
    if (b0 == 0) {
      store<u32>(a + A_D, load<u32>(a + A_D) + 1);
      store<f64>(a + A_SUML, load<f64>(a + A_SUML) + l1);
      store<f64>(a + A_SUML2, load<f64>(a + A_SUML2) + l1 * l1);
    } else {
      const l0 = mlog2(b0);
      store<f64>(a + A_SUML, load<f64>(a + A_SUML) + (l1 - l0));
      store<f64>(a + A_SUML2, load<f64>(a + A_SUML2) + (l1 * l1 - l0 * l0));
    }
  }
  store<f64>(wBytes, b1);
  const crossed = (aux >> wi) & 1;
  if ((aux & HA_TRACED) != 0 && crossed == 0) {
    destSnap(s, wo, judge, false);
    aux = load<u32>(s + SLOT_AUX); // destSnap may have refreshed the threshold cache
  }
  const span = load<f64>(a + A_SPAN);
  // Every threshold is at least minBps: below that no window can cross (nothing to look up).
  if (crossed == 0 && !(b1 > minBps * span)) return;
  if (load<u32>(s + H_THR_VER) != popVer) {
    hostThresholds(s);
    aux = load<u32>(s + SLOT_AUX);
  }
  const kind = (aux >> HA_KIND_SHIFT) & 3;
  // Nearly every packet ends here: not over the threshold, no crossing before.
  if (crossed == 0 && (kind == K_NONE || !(b1 > load<f64>(s + H_MED) * span))) return;
  let ep = hostEp(s);
  if (ep == 0) {
    // A crossing opens an episode; a crossed window whose record was evicted (episode table at
    // its cap) stays without one.
    if (crossed != 0 || kind == K_NONE || !judge) return;
    const e = episodes.insert(s + SLOT_KEY, episodes.hash(s + SLOT_KEY, H_KEY_WORDS));
    if (episodes.evicted) {
      const v = episodes.evictedCopy;
      spikeEnd(v + E_EP, abi.SPIKE_DST, v + SLOT_KEY);
      clearEpBit(v + SLOT_KEY);
    }
    store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) | HA_EP);
    ep = e + E_EP;
  }
  spikeDecided = false;
  if (spikeCheck(ep, crossed != 0, b1, span, kind != K_NONE && judge, load<f64>(s + H_MED), load<f64>(s + H_HIGH),
      (aux & HA_HIGH_OK) != 0, wo, clk, abi.SPIKE_DST, s + SLOT_KEY, kind, s + H_BASE)) {
    store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) | (HA_CROSSED << wi));
  }
  if (spikeDecided && (aux & HA_TRACED) != 0) destSnap(s, wo, judge, true);
}

/** Snapshot of the thresholds in force for the traced destination `s`'s window `wo` at this packet
 *  (TSNAP); skipped when one was taken in this window at the same doneOrd (the same baselines)
 *  unless `force` (a decision). Refreshes the threshold cache as the check would. */
function destSnap(s: usize, wo: u32, judge: bool, force: bool): void {
  const t = TSNAP + <usize>(wo & 1) * TS_STRIDE;
  if (!force && load<u32>(t + TS_ORD) == wo && load<u32>(t + TS_DONE) == doneOrd &&
      ((load<u32>(t + TS_FLAGS) & TS_JUDGED) != 0) == judge) return;
  if (load<u32>(s + H_THR_VER) != popVer) hostThresholds(s);
  const aux = load<u32>(s + SLOT_AUX);
  const kind = (aux >> HA_KIND_SHIFT) & 3;
  const ready = judge && kind != K_NONE;
  store<u32>(t + TS_ORD, wo);
  store<u32>(t + TS_DONE, doneOrd);
  store<u32>(t + TS_FLAGS, (judge ? TS_JUDGED : 0) | (ready ? TS_READY : 0) |
    (ready && kind == K_OWN && (aux & HA_HIGH_OK) != 0 ? TS_HIGH_OK : 0) | (ready && kind == K_POP ? TS_POP : 0));
  store<f64>(t + TS_MED, load<f64>(s + H_MED));
  store<f64>(t + TS_HIGH, load<f64>(s + H_HIGH));
  store<f64>(t + TS_MEAN, kind == K_OWN ? mexp2(load<f64>(s + H_BASE + BL_MEAN)) - 1 : mexp2(popM1));
}

/** Snapshot of the SPIKE_GLOBAL thresholds in force for window `a` at this packet (A_S_*), as
 *  destSnap(). */
function globalSnap(a: usize, judge: bool, force: bool): void {
  const ready = gReady && judge;
  const flags = (judge ? TS_JUDGED : 0) | (ready ? TS_READY : 0) | (ready && gHighOk ? TS_HIGH_OK : 0);
  if (!force && load<u32>(a + A_S_DONE) == doneOrd + 1 && load<u32>(a + A_S_FLAGS) == flags) return;
  store<u32>(a + A_S_DONE, doneOrd + 1);
  store<u32>(a + A_S_FLAGS, flags);
  store<f64>(a + A_S_MED, gMed);
  store<f64>(a + A_S_HIGH, gHigh);
  store<f64>(a + A_S_MEAN, mexp2(load<f64>(G_BASE + BL_MEAN)) - 1);
}

// ---------------------------------------------------------------- folding a destination

@inline function traced(s: usize): bool {
  return traceDst && keysEqual(s + SLOT_KEY, TRACE_KEY + 16, H_KEY_WORDS);
}

/** Folds destination `s`'s windows up to ordinal `upTo` into its baseline: its held windows in
 *  order and the quiet windows between (samples of 0); ends its episode at the first window newer
 *  than its last crossing one. */
function fold(s: usize, upTo: u32): void {
  const tracing = traced(s);
  const b = s + H_BASE;
  const newest = load<u32>(s + H_WORD);
  // The held windows in ordinal order: newest - 1, then newest.
  for (let j: u32 = 0; j < 2; j++) {
    const wo = newest - 1 + j;
    if (newest == 0 || wo == 0 || wo > upTo) continue;
    const wi = wo & 1;
    const aux = load<u32>(s + SLOT_AUX);
    if ((aux & (HA_HELD << wi)) == 0) continue;
    const last = load<u32>(s + H_LAST_FOLDED);
    if (wo > last + 1) zeros(s, wo - last - 1, tracing);
    if ((load<u32>(s + SLOT_AUX) & HA_EP) != 0) hostEndAfter(s, wo);
    const rate = load<f64>(s + H_WBYTES + (<usize>wi << 3)) / spanOf(wo);
    if (tracing) hostPoint(s, wo, rate, (aux & (HA_CROSSED << wi)) != 0);
    if ((load<u32>(s + SLOT_AUX) & HA_FROZEN) == 0) blUpdate(b, winsorised(b, mlog2(1 + rate)), alpha);
    store<u32>(s + H_LAST_FOLDED, wo);
    store<u32>(s + SLOT_AUX, load<u32>(s + SLOT_AUX) & ~((HA_HELD | HA_CROSSED) << wi));
  }
  const last = load<u32>(s + H_LAST_FOLDED);
  if (upTo > last) zeros(s, upTo - last, tracing);
  store<u32>(s + H_THR_VER, 0);
}

function zeros(s: usize, k: u32, tracing: bool): void {
  const last = load<u32>(s + H_LAST_FOLDED);
  if ((load<u32>(s + SLOT_AUX) & HA_EP) != 0) hostEndAfter(s, last + 1);
  const frozen = (load<u32>(s + SLOT_AUX) & HA_FROZEN) != 0;
  if (tracing) {
    for (let j: u32 = 1; j <= k; j++) {
      hostPoint(s, last + j, 0, false);
      if (!frozen) blZeros(s + H_BASE, 1, alpha);
    }
  } else if (!frozen) blZeros(s + H_BASE, <u64>k, alpha);
  store<u32>(s + H_LAST_FOLDED, last + k);
}

/** A trace point of the traced destination's window `o` (before it joins the baseline). */
function hostPoint(s: usize, o: u32, rate: f64, flagged: bool): void {
  if (tbufN >= TBUF_MAX) return; // cannot happen (see the header); never overrun
  const a = accPtr(o);
  const p = TBUF + <usize>tbufN * abi.TRACE_STRIDE;
  tbufN++;
  const t = TSNAP + <usize>(o & 1) * TS_STRIDE;
  let flags: u32;
  if (load<u32>(t + TS_ORD) == o) {
    // A window with packets: the thresholds its last judgement (or its crossing) used.
    flags = load<u32>(t + TS_FLAGS);
    store<u32>(t + TS_ORD, 0);
    store<f64>(p + abi.TRACE_MEAN, load<f64>(t + TS_MEAN));
    store<f64>(p + abi.TRACE_STD, load<f64>(t + TS_MED));
    store<f64>(p + abi.TRACE_Z, load<f64>(t + TS_HIGH));
  } else {
    // A quiet window (rate 0): the thresholds now.
    hostThresholds(s);
    const aux = load<u32>(s + SLOT_AUX);
    const kind = (aux >> HA_KIND_SHIFT) & 3;
    flags = (kind != K_NONE ? TS_READY : 0) | (kind == K_OWN && (aux & HA_HIGH_OK) != 0 ? TS_HIGH_OK : 0) | (kind == K_POP ? TS_POP : 0);
    store<f64>(p + abi.TRACE_MEAN, kind == K_OWN ? mexp2(load<f64>(s + H_BASE + BL_MEAN)) - 1 : mexp2(popM1));
    store<f64>(p + abi.TRACE_STD, load<f64>(s + H_MED));
    store<f64>(p + abi.TRACE_Z, load<f64>(s + H_HIGH));
  }
  pointThresholds(p, flags);
  store<i64>(p + abi.TRACE_TS_US, load<u32>(a + A_ORD) == o ? load<i64>(a + A_START) : 0);
  store<f64>(p + abi.TRACE_SIZE, rate);
  store<u32>(p + abi.TRACE_FLAGS, ((flags & TS_READY) != 0 ? 1 : 0) | (flagged ? 2 : 0) | ((flags & TS_POP) != 0 ? 4 : 0));
  store<u32>(p + abi.TRACE_RECORD_INDEX, load<u32>(a + A_ORD) == o ? load<u32>(a + A_FIRST_INDEX) : 0);
}

/** NaN for what trace point `p`'s TS_* `flags` say does not exist: MEAN and the MEDIUM threshold
 *  without TS_READY, the HIGH threshold without TS_HIGH_OK. */
@inline function pointThresholds(p: usize, flags: u32): void {
  if ((flags & TS_READY) == 0) {
    store<f64>(p + abi.TRACE_MEAN, NaN);
    store<f64>(p + abi.TRACE_STD, NaN);
  }
  if ((flags & TS_HIGH_OK) == 0) store<f64>(p + abi.TRACE_Z, NaN);
}

// ---------------------------------------------------------------- window close (catch-up)

/** PROTOSHIFT of one class or service at the close of window `a` (see the header). */
function shiftJudge(b: usize, ep: usize, count: u32, a: usize, judged: bool, variant: i32, aux: u32, dport: u32,
    label: u32, frozen: bool): void {
  const o = load<u32>(a + A_ORD);
  const packets = load<u32>(a + A_PACKETS);
  const share = 100 * <f64>count / <f64>packets;
  const mean = load<f64>(b + BL_MEAN);
  const n = load<u32>(b + BL_N);
  const x = ep + EP_BYTES;
  let sample = share;
  if (judged && n >= warmup && share - mean > pMed) {
    const sev = share - mean > pHigh && n >= mature ? abi.SEV_HIGH : abi.SEV_MEDIUM;
    const r = <f64>count / load<f64>(a + A_SPAN);
    if (load<u32>(ep + EP_ID) == 0) {
      store<u32>(ep + EP_ID, episodeId());
      store<u32>(ep + EP_COUNT, count);
      store<i64>(ep + EP_FIRST_US, load<i64>(a + A_FIRST_US));
      store<i64>(ep + EP_LAST_US, load<i64>(a + A_LAST_US));
      store<f64>(ep + EP_OFFSET, load<f64>(a + A_FIRST_OFFSET));
      store<u32>(ep + EP_INDEX, load<u32>(a + A_FIRST_INDEX));
      store<u16>(ep + EP_SPORT, 0);
      store<u16>(ep + EP_DPORT, <u16>dport);
      store<u16>(ep + EP_LABEL, <u16>label);
      store<u32>(ep + EP_SIZE, 0);
      store<u32>(ep + EP_VLAN, 0);
      store<f64>(ep + EP_VALUE, share);
      store<f64>(ep + EP_AUX, <f64>aux);
      store<f64>(x + X_PEAK, r);
      store<u32>(x + X_LAST_ORD, o);
      decide(x, sev, sev == abi.SEV_HIGH ? pHigh : pMed, mean, blStd(b), n);
      epWrite(ep, abi.ALERT_KIND_NEW, abi.DET_PROTOSHIFT, variant, 0, 0, r);
      cInc(abi.C_ALERTS_PROTOSHIFT);
    } else {
      store<i64>(ep + EP_LAST_US, load<i64>(a + A_LAST_US));
      store<u32>(ep + EP_COUNT, load<u32>(ep + EP_COUNT) + count);
      if (r > load<f64>(x + X_PEAK)) store<f64>(x + X_PEAK, r);
      if (share > load<f64>(ep + EP_VALUE)) store<f64>(ep + EP_VALUE, share);
      if (sev > <i32>load<u8>(x + X_SEV)) decide(x, sev, pHigh, mean, blStd(b), n);
      store<u32>(x + X_LAST_ORD, o);
    }
    sample = mean + pMed;
  } else if (load<u32>(ep + EP_ID) != 0 && o > load<u32>(x + X_LAST_ORD)) {
    shiftEnd(ep, variant);
  }
  if (!frozen) blUpdate(b, sample, alpha);
}

const CLASS_PROTO: StaticArray<u32> = [6, 17, 1, 58, 0];

/** Folds closed window `a` into the global baselines and judges PROTOSHIFT (see the header). */
function closeWindow(a: usize): void {
  const o = load<u32>(a + A_ORD);
  cInc(abi.C_METRIC_WINDOWS);
  if (spikeOn) {
    if (load<u32>(G_EP + EP_ID) != 0 && o > load<u32>(G_EP + EP_BYTES + X_LAST_ORD)) spikeEnd(G_EP, abi.SPIKE_GLOBAL, 0);
    const rate = load<f64>(a + A_BYTES) / load<f64>(a + A_SPAN);
    if (traceGlobal) globalPoint(a, rate);
    if (!gFrozen) blUpdate(G_BASE, winsorised(G_BASE, mlog2(1 + rate)), alpha);
    globalThresholds();
  }
  // The traced destination's point of this window, with the population before the window joins it.
  if (traceDst) {
    const s = dests.find(TRACE_KEY + 16, dests.hash(TRACE_KEY + 16, H_KEY_WORDS), H_KEY_WORDS);
    if (s != 0 && !stale(s, prevOpen ? ord - 1 : ord) && o > load<u32>(s + H_LAST_FOLDED)) fold(s, o);
  }
  if (dstOn) {
    const d = load<u32>(a + A_D);
    if (d > 0 && !popFrozen) {
      const ls = mlog2(load<f64>(a + A_SPAN));
      const m = load<f64>(a + A_SUML) / <f64>d;
      const x1 = m - ls;
      const x2 = load<f64>(a + A_SUML2) / <f64>d - 2 * ls * m + ls * ls;
      popN++;
      let w = 1.0 / <f64>popN;
      if (w < alpha) w = alpha;
      popM1 = popM1 + w * (x1 - popM1);
      popM2 = popM2 + w * (x2 - popM2);
      popVer++;
      if (popVer == 0) popVer = 1;
      popThresholds();
    }
  }
  if (shiftOn) {
    const judged = load<u32>(a + A_PACKETS) >= minPackets;
    for (let k = 0; k < CLASSES; k++) {
      const b = CLS_BASE + <usize>k * BL_BYTES;
      const ep = CLS_EP + <usize>k * EPX;
      const count = load<u32>(a + A_CLS + (<usize>k << 2));
      const p = traceShift ? shiftPoint(b, count, a, <u32>k, 0) : 0;
      shiftJudge(b, ep, count, a, judged, abi.PROTOSHIFT_PROTO, <u32>k, 0, CLASS_PROTO[k], ((clsFrozen >> <u32>k) & 1) != 0);
      if (p != 0) shiftFlag(p, ep, o);
    }
    for (let i = 0; i < SERVICES; i++) {
      const key = load<u32>(SVC_KEYS + (<usize>i << 2));
      if (key == 0) continue;
      const b = SVC_BASE + <usize>i * BL_BYTES;
      const ep = SVC_EP + <usize>i * EPX;
      const count = load<u32>(a + A_SVC + (<usize>i << 2));
      const p = traceShift ? shiftPoint(b, count, a, <u32>abi.PROTOSHIFT_ROW_SERVICE, key) : 0;
      shiftJudge(b, ep, count, a, judged, abi.PROTOSHIFT_SERVICE, key, key & 0xffff, key >>> 16, ((svcFrozen >> <u32>i) & 1) != 0);
      if (p != 0) shiftFlag(p, ep, o);
    }
    shiftN++;
    for (let i = 0; i < SERVICES; i++) {
      if (load<u32>(SVC_KEYS + (<usize>i << 2)) == 0) continue;
      if (load<u32>(SVC_EP + <usize>i * EPX + EP_ID) == 0 && load<u32>(SVC_LAST + (<usize>i << 2)) < o &&
          load<f64>(SVC_BASE + <usize>i * BL_BYTES + BL_MEAN) < 1) {
        store<u32>(SVC_KEYS + (<usize>i << 2), 0);
        svcFrozen &= ~(<u32>1 << <u32>i);
        svcFree++;
      }
    }
  }
  if (o == resetAfterOrd) {
    if (load<u32>(G_EP + EP_ID) != 0) spikeEnd(G_EP, abi.SPIKE_GLOBAL, 0);
    endShifts();
    resetBaselines();
  }
}

/** Ends every open PROTOSHIFT episode. */
function endShifts(): void {
  for (let k = 0; k < CLASSES; k++) {
    const ep = CLS_EP + <usize>k * EPX;
    if (load<u32>(ep + EP_ID) != 0) shiftEnd(ep, abi.PROTOSHIFT_PROTO);
  }
  for (let i = 0; i < SERVICES; i++) {
    const ep = SVC_EP + <usize>i * EPX;
    if (load<u32>(SVC_KEYS + (<usize>i << 2)) != 0 && load<u32>(ep + EP_ID) != 0) shiftEnd(ep, abi.PROTOSHIFT_SERVICE);
  }
}

/** PROTOSHIFT trace point of one class or service row (abi.ts, DET_PROTOSHIFT) at the close of
 *  window `a`, with baseline `b` before the window joins it; shiftFlag() sets bit 1 after the
 *  decision. Returns the point. */
function shiftPoint(b: usize, count: u32, a: usize, row: u32, key: u32): usize {
  if (outputTraceRoom() < 1) return 0;
  const p = traceAppend();
  const packets = load<u32>(a + A_PACKETS);
  store<i64>(p + abi.TRACE_TS_US, load<i64>(a + A_START));
  store<f64>(p + abi.TRACE_SIZE, packets > 0 ? <f64>count / <f64>packets : 0);
  store<f64>(p + abi.TRACE_MEAN, load<u32>(b + BL_N) >= warmup ? load<f64>(b + BL_MEAN) / 100 : NaN);
  store<f64>(p + abi.TRACE_STD, blStd(b) / 100);
  store<f64>(p + abi.TRACE_Z, <f64>packets);
  store<u32>(p + abi.TRACE_FLAGS, row << 8);
  store<u32>(p + abi.TRACE_RECORD_INDEX, key);
  return p;
}

/** Sets bit 1 of trace point `p` when episode `ep` was extended or opened by window `o`. */
@inline function shiftFlag(p: usize, ep: usize, o: u32): void {
  if (load<u32>(ep + EP_ID) != 0 && load<u32>(ep + EP_BYTES + X_LAST_ORD) == o) {
    store<u32>(p + abi.TRACE_FLAGS, load<u32>(p + abi.TRACE_FLAGS) | 2);
  }
}

function globalPoint(a: usize, rate: f64): void {
  const p = traceAppend();
  // Every window has a packet, so a snapshot (globalSnap); without one (cannot happen) the thresholds now.
  if (load<u32>(a + A_S_DONE) == 0) globalSnap(a, true, true);
  const flags = load<u32>(a + A_S_FLAGS);
  store<i64>(p + abi.TRACE_TS_US, load<i64>(a + A_START));
  store<f64>(p + abi.TRACE_SIZE, rate);
  store<f64>(p + abi.TRACE_MEAN, load<f64>(a + A_S_MEAN));
  store<f64>(p + abi.TRACE_STD, load<f64>(a + A_S_MED));
  store<f64>(p + abi.TRACE_Z, load<f64>(a + A_S_HIGH));
  pointThresholds(p, flags);
  store<u32>(p + abi.TRACE_FLAGS, ((flags & TS_READY) != 0 ? 1 : 0) | (load<u32>(a + A_FLAGGED) != 0 ? 2 : 0));
  store<u32>(p + abi.TRACE_RECORD_INDEX, load<u32>(a + A_FIRST_INDEX));
}

/** Writes the buffered trace points that fit; false when some are left (the region is full). */
function flushTrace(): bool {
  const room = outputTraceRoom();
  const n = room < tbufN ? room : tbufN;
  for (let i = 0; i < n; i++) memory.copy(traceAppend(), TBUF + <usize>i * abi.TRACE_STRIDE, abi.TRACE_STRIDE);
  if (n > 0 && n < tbufN) memory.copy(TBUF, TBUF + <usize>n * abi.TRACE_STRIDE, <usize>(tbufN - n) * abi.TRACE_STRIDE);
  tbufN -= n;
  return tbufN == 0;
}

/**
 * Folds every window closed by earlier packets (see the header). Resumable: false when the
 * output regions lack room for one more window's alerts and trace point (drain and call again);
 * cheap when nothing is pending.
 */
export function metricsCatchUp(): bool {
  if (tbufN != 0 && !flushTrace()) return false;
  while (doneOrd < closedOrd) {
    if (!outputRoomFor(WINDOW_ALERTS, 0)) return false;
    if ((traceGlobal || traceDst) && outputTraceRoom() < 1) return false;
    // A window's PROTOSHIFT points go out together; a region smaller than that (CFG_TRACE_CAPACITY
    // < 21) takes what fits of each window, never blocking.
    if (traceShift && outputTraceRoom() < CLASSES + SERVICES && outputTraceCount() > 0) return false;
    doneOrd++;
    closeWindow(accPtr(doneOrd));
    if (tbufN != 0 && !flushTrace()) return false;
  }
  return true;
}

// ---------------------------------------------------------------- sweep and flush

/** Checks SWEEP_SLOTS destinations: closes episodes whose next window closed without crossing
 *  and removes destinations that would start over at their next packet; stops after the slot
 *  that brings it to SWEEP_ALERTS closes. */
export function metricsSweep(): void {
  if (++sweepTick < SWEEP_EVERY) return;
  sweepTick = 0;
  if (!dstOn || !started) return;
  const oldestOpen = prevOpen ? ord - 1 : ord;
  const mask = dests.mask;
  let i = sweepCursor & mask;
  let budget = SWEEP_ALERTS;
  for (let k: u32 = 0; k < SWEEP_SLOTS && budget >= 1; k++) {
    const s = dests.slotAt(i);
    if (dests.used(i)) {
      const hasEp = (load<u32>(s + SLOT_AUX) & HA_EP) != 0;
      if (stale(s, oldestOpen)) {
        if (hasEp) {
          hostEnd(s);
          budget--;
        }
        dests.remove(s);
        lastDest = 0;
        continue; // a later entry moved into slot i
      }
      if (hasEp && hostEndAfter(s, oldestOpen - 1)) budget--;
    }
    i = (i + 1) & mask;
  }
  sweepCursor = i;
  publish();
}

/** End of input: folds the pending and the open windows (PROTOSHIFT judges them) and closes every
 *  open episode. Resumable: false when the output regions ran out of room. */
export function metricsFlush(): bool {
  if (!anyOn || !started) return true;
  if (!metricsCatchUp()) return false;
  if (flushStage == 0) {
    closedOrd = ord;
    prevOpen = false;
    flushStage = 1;
  }
  if (!metricsCatchUp()) return false;
  if (flushStage == 1) {
    if (!outputRoomFor(1 + CLASSES + SERVICES, 0)) return false;
    if (load<u32>(G_EP + EP_ID) != 0) spikeEnd(G_EP, abi.SPIKE_GLOBAL, 0);
    endShifts();
    flushStage = 2;
  }
  if (dstOn) {
    const cap = dests.cap;
    while (flushCursor < cap) {
      if (!outputRoomFor(1, 0)) return false;
      const s = dests.slotAt(flushCursor);
      if (load<u32>(s) != 0 && (load<u32>(s + SLOT_AUX) & HA_EP) != 0) hostEnd(s);
      flushCursor++;
    }
  }
  return true;
}

// ---------------------------------------------------------------- export and import (baseline-io.ts)

/**
 * Writes the learned baselines as abi BLREC_* records (after metricsFlush(): every window folded,
 * no episode open): SPIKE_GLOBAL, SPIKE_POPULATION, the 5 PROTO_CLASS and the tracked
 * PROTO_SERVICE entries, then the destinations of this session that are not expired (quiet for
 * fewer than N windows), each folded up to the last window first (its quiet windows since its last
 * packet are samples of 0, as at its next packet), AGE_W = windows since its last packet; at most
 * CFG_BASELINE_EXPORT_MAX_KEYS destinations, the most recently seen first. Baselines with no
 * samples are not written.
 */
export function metricsExport(): void {
  if (spikeOn && blN(G_BASE) > 0) blRecord(abi.BLREC_SPIKE_GLOBAL, G_BASE);
  if (dstOn && popN > 0) recStats(recAppend(abi.BLREC_SPIKE_POPULATION), <f64>popN, popM1, popM2);
  if (shiftOn) {
    for (let k = 0; k < CLASSES; k++) {
      const b = CLS_BASE + <usize>k * BL_BYTES;
      if (blN(b) == 0) continue;
      store<u8>(blRecord(abi.BLREC_PROTO_CLASS, b) + abi.BLREC_VARIANT, <u8>k);
    }
    for (let i = 0; i < SERVICES; i++) {
      const key = load<u32>(SVC_KEYS + (<usize>i << 2));
      const b = SVC_BASE + <usize>i * BL_BYTES;
      if (key == 0 || blN(b) == 0) continue;
      const r = blRecord(abi.BLREC_PROTO_SERVICE, b);
      store<u8>(r + abi.BLREC_PROTO, <u8>(key >>> 16));
      store<u16>(r + abi.BLREC_PORT, <u16>(key & 0xffff));
    }
  }
  if (!dstOn) return;
  const cur = started ? ord : ordBase;
  const wasTraced = traceDst;
  traceDst = false; // a fold here is no window close: no trace point
  cutBegin();
  for (let i: u32 = 0; i < dests.cap; i++) {
    const s = dests.slotAt(i);
    if (load<u32>(s) != 0 && destExported(s, cur)) cutAdd(s);
  }
  cutFinish();
  for (let i: u32 = 0; i < dests.cap; i++) {
    const s = dests.slotAt(i);
    if (load<u32>(s) == 0 || !destExported(s, cur) || !cutTake(s)) continue;
    if (cur > load<u32>(s + H_LAST_FOLDED)) fold(s, cur);
    const b = s + H_BASE;
    if (blN(b) == 0) continue;
    const r = blRecord(abi.BLREC_SPIKE_DST, b);
    memory.copy(r + abi.BLREC_ADDR, s + SLOT_KEY, 16);
    store<u32>(r + abi.BLREC_AGE_W, cur - load<u32>(s + H_LAST_ACTIVE));
  }
  traceDst = wasTraced;
}

@inline function blN(b: usize): u32 {
  return load<u32>(b + BL_N);
}

/** A record of `kind` with baseline `b`'s n, mean and s. */
function blRecord(kind: i32, b: usize): usize {
  const r = recAppend(kind);
  recStats(r, <f64>load<u32>(b + BL_N), load<f64>(b + BL_MEAN), load<f64>(b + BL_S));
  return r;
}

/** Destination `s` is in this session and not expired after window `cur`. */
@inline function destExported(s: usize, cur: u32): bool {
  const last = load<u32>(s + H_LAST_ACTIVE);
  return last >= sessFirstOrd && last <= cur && <i64>cur - <i64>last < <i64>nSpan;
}

/** Loads one record of a windowed kind (before the first packet; baseline-io.ts); false when it
 *  cannot be placed (invalid, its detector off, duplicate, full, expired). Loaded baselines are
 *  ready (their n as learnt), the capture's first window continues them (ordBase), and they keep
 *  adapting unless CFG_BASELINE_FROZEN. */
export function metricsImport(r: usize): bool {
  if (started) return false;
  const kind = <i32>load<u8>(r + abi.BLREC_KIND);
  if (!recValid(r, kind != abi.BLREC_SPIKE_POPULATION)) return false;
  if (ordBase == 0) {
    // The loaded destinations' ordinals are ordBase - age (age < N), all >= 2.
    ordBase = nSpan + 1;
    closedOrd = ordBase;
    doneOrd = ordBase;
  }
  const n = recN32(r);
  const mean = load<f64>(r + abi.BLREC_MEAN);
  const sv = load<f64>(r + abi.BLREC_S);
  if (kind == abi.BLREC_SPIKE_GLOBAL) {
    if (!spikeOn || gFrozen || blN(G_BASE) != 0) return false;
    blSet(G_BASE, n, mean, sv);
    gFrozen = frozenOn;
    globalThresholds();
    return true;
  }
  if (kind == abi.BLREC_SPIKE_POPULATION) {
    if (!dstOn || popN != 0) return false;
    popN = n;
    popM1 = mean;
    popM2 = sv;
    popFrozen = frozenOn;
    popVer++;
    if (popVer == 0) popVer = 1;
    popThresholds();
    return true;
  }
  if (kind == abi.BLREC_PROTO_CLASS) {
    const k = <i32>load<u8>(r + abi.BLREC_VARIANT);
    if (!shiftOn || k >= CLASSES) return false;
    const b = CLS_BASE + <usize>k * BL_BYTES;
    if (blN(b) != 0) return false;
    blSet(b, n, mean, sv);
    if (frozenOn) clsFrozen |= <u32>1 << <u32>k;
    if (n > shiftN) shiftN = n;
    return true;
  }
  if (kind == abi.BLREC_PROTO_SERVICE) {
    const proto = <u32>load<u8>(r + abi.BLREC_PROTO);
    const key = (proto << 16) | <u32>load<u16>(r + abi.BLREC_PORT);
    if (!svcOn || (proto != 6 && proto != 17) || svcFind(key) >= 0 || svcFree == 0) return false;
    const i = svcFind(0);
    svcFree--;
    store<u32>(SVC_KEYS + (<usize>i << 2), key);
    store<u32>(SVC_LAST + (<usize>i << 2), ordBase);
    blSet(SVC_BASE + <usize>i * BL_BYTES, n, mean, sv);
    store<u32>(SVC_EP + <usize>i * EPX + EP_ID, 0);
    if (frozenOn) svcFrozen |= <u32>1 << <u32>i;
    return true;
  }
  if (kind == abi.BLREC_SPIKE_DST) {
    const age = load<u32>(r + abi.BLREC_AGE_W);
    if (!dstOn || age >= nSpan) return false;
    const key = r + abi.BLREC_ADDR;
    const h = dests.hash(key, H_KEY_WORDS);
    if (dests.find(key, h, H_KEY_WORDS) != 0 || tableFull(dests)) return false;
    const s = dests.insert(key, h);
    lastDest = 0;
    store<u32>(s + SLOT_AUX, (frozenOn ? HA_FROZEN : 0) | (traced(s) ? HA_TRACED : 0));
    store<u32>(s + H_LAST_ACTIVE, ordBase - age);
    store<u32>(s + H_LAST_FOLDED, ordBase);
    store<u32>(s + H_WORD, 0);
    store<u32>(s + H_THR_VER, 0);
    blSet(s + H_BASE, n, mean, sv);
    publish();
    return true;
  }
  return false;
}

@inline function blSet(b: usize, n: u32, mean: f64, sv: f64): void {
  store<u64>(b + BL_N, <u64>n);
  store<f64>(b + BL_MEAN, mean);
  store<f64>(b + BL_S, sv);
}
