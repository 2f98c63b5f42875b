// Plain TypeScript reference of the core's metric windows, baselines and their two detectors
// (assembly/detect/metrics.ts and assembly/detect/baseline.ts, whose headers state the semantics):
// tumbling windows of packet time closed by the watermark, ordinals of the windows the clock
// visited, sessions split by gaps, the EWMA baselines (exact start-up averaging, closed-form quiet
// windows, winsorised updates), the population baseline of destination rates in Mitchell's
// log2, SPIKE (global and per destination) and PROTOSHIFT (protocol classes and tracked
// services) with their episodes. It follows the core's event order (a window closed by a packet
// is folded before the next packet; a destination folds its closed windows when it is next seen)
// with Maps and plain objects, no sweep, no eviction and no memory cap: the core's results must
// not depend on those (tests keep the host table below its cap). Floating-point operations are
// the core's, in the same order, so the two agree exactly.
import * as abi from '../../src/shared/abi';

/** One packet as the detectors see it. `orig`: sent by its flow's originator (the flow table's
 *  view: scan-rules.ts flowMarks()); the service of a TCP/UDP packet is its responder's port. */
export interface MetricPacket {
  tsUs: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  size: number;
  orig: boolean;
  /** Record index (default: position in the list). */
  index?: number;
  label?: number;
}

/** The config the core reads (abi.CFG_* of the metric detectors and CFG_LATENESS_S). */
export interface MetricsConfig {
  windowS: number;
  latenessS: number;
  baselineWindows: number;
  warmup: number;
  spikeOn: boolean;
  spikeDstOn: boolean;
  mediumSigma: number;
  highSigma: number;
  minStdLog2: number;
  minBps: number;
  highMinBps: number;
  shiftOn: boolean;
  shiftServicesOn: boolean;
  shiftPoints: number;
  shiftHighPoints: number;
  shiftMinPackets: number;
}

export const DEFAULT_METRICS: MetricsConfig = {
  windowS: 10,
  latenessS: 5,
  baselineWindows: 60,
  warmup: 3,
  spikeOn: true,
  spikeDstOn: true,
  mediumSigma: 2,
  highSigma: 3,
  minStdLog2: 0.5,
  minBps: 100,
  highMinBps: 10000,
  shiftOn: true,
  shiftServicesOn: true,
  shiftPoints: 30,
  shiftHighPoints: 50,
  shiftMinPackets: 100,
};

/** Config ids of MetricsConfig (for the core). */
export function metricsConfigIds(c: MetricsConfig): Record<number, number> {
  const b = (v: boolean) => (v ? 1 : 0);
  return {
    [abi.CFG_METRIC_WINDOW_S]: c.windowS,
    [abi.CFG_LATENESS_S]: c.latenessS,
    [abi.CFG_BASELINE_WINDOWS]: c.baselineWindows,
    [abi.CFG_BASELINE_WARMUP]: c.warmup,
    [abi.CFG_SPIKE_ENABLED]: b(c.spikeOn),
    [abi.CFG_SPIKE_DST_ENABLED]: b(c.spikeDstOn),
    [abi.CFG_SPIKE_MEDIUM_SIGMA]: c.mediumSigma,
    [abi.CFG_SPIKE_HIGH_SIGMA]: c.highSigma,
    [abi.CFG_SPIKE_MIN_STD_LOG2]: c.minStdLog2,
    [abi.CFG_SPIKE_MIN_BPS]: c.minBps,
    [abi.CFG_SPIKE_HIGH_MIN_BPS]: c.highMinBps,
    [abi.CFG_PROTOSHIFT_ENABLED]: b(c.shiftOn),
    [abi.CFG_PROTOSHIFT_SERVICES_ENABLED]: b(c.shiftServicesOn),
    [abi.CFG_PROTOSHIFT_POINTS]: c.shiftPoints,
    [abi.CFG_PROTOSHIFT_HIGH_POINTS]: c.shiftHighPoints,
    [abi.CFG_PROTOSHIFT_MIN_PACKETS]: c.shiftMinPackets,
  };
}

// ---------------------------------------------------------------- arithmetic (baseline.ts)

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** Mitchell's log2 (1962): exponent + mantissa fraction, exact bit arithmetic; x > 0, normal. */
export function mlog2(x: number): number {
  F64[0] = x;
  const hi = U32[1];
  const e = ((hi >>> 20) & 0x7ff) - 1023;
  U32[1] = (hi & 0x000fffff) | 0x3ff00000;
  return e + (F64[0] - 1);
}

/** The inverse of mlog2: 2^floor(y) x (1 + frac(y)). */
export function mexp2(y: number): number {
  const e = Math.floor(y);
  if (e > 1023) return Infinity;
  if (e < -1022) return 0;
  return 2 ** e * (1 + (y - e));
}

/** base^k by squaring (k >= 0 integer), the core's order of multiplications. */
export function powInt(base: number, k: number): number {
  let r = 1;
  let b = base;
  while (k > 0) {
    if (k & 1) r *= b;
    b *= b;
    k = Math.floor(k / 2);
  }
  return r;
}

/** An EWMA baseline (baseline.ts): n samples, mean, s (the EWMA variance, Finch 2009). */
export interface Baseline {
  n: number;
  mean: number;
  s: number;
}

export const newBaseline = (): Baseline => ({ n: 0, mean: 0, s: 0 });

/** One sample x with weight a = max(alpha, 1/n) (Finch 2009 eq. 124/143; 1/n = Welford). */
export function bUpdate(b: Baseline, x: number, alpha: number): void {
  const n = b.n + 1;
  b.n = n;
  let a = 1 / n;
  if (a < alpha) a = alpha;
  const d = x - b.mean;
  const inc = a * d;
  b.mean = b.mean + inc;
  b.s = (1 - a) * (b.s + d * inc);
}

/** k samples of 0: start-up steps one by one, then the closed form with r = (1 - alpha)^k. */
export function bZeros(b: Baseline, k: number, alpha: number): void {
  while (k > 0 && 1 / (b.n + 1) > alpha) {
    bUpdate(b, 0, alpha);
    k--;
  }
  if (k <= 0) return;
  const r = powInt(1 - alpha, k);
  b.s = r * (b.s + b.mean * b.mean * (1 - r));
  b.mean = r * b.mean;
  b.n = Math.min(b.n + k, 0xffffffff);
}

// ---------------------------------------------------------------- results

export interface RefEpisode {
  detector: number;
  variant: number;
  /** SPIKE_DST: the destination; PROTOSHIFT and SPIKE_GLOBAL: ''. */
  dst: string;
  src: string;
  firstUs: number;
  lastUs: number;
  firstIndex: number;
  sport: number;
  dport: number;
  label: number;
  size: number;
  value: number;
  newValue: number;
  threshold: number;
  mean: number;
  std: number;
  samples: number;
  severity: number;
  score: number;
  count: number;
  peakRate: number;
  aux: number;
  windowS: number;
}

export interface RefTracePoint {
  tsUs: number;
  size: number;
  mean: number;
  std: number;
  z: number;
  flags: number;
  recordIndex: number;
}

export interface MetricsResult {
  episodes: RefEpisode[];
  /** SPIKE evidence per packet (input order). */
  marks: boolean[];
  windows: number;
  late: number;
  sessions: number;
  trace: RefTracePoint[];
}

// ---------------------------------------------------------------- the detectors

interface Ep {
  open: boolean;
  firstUs: number;
  lastUs: number;
  firstIndex: number;
  src: string;
  sport: number;
  dport: number;
  label: number;
  size: number;
  count: number;
  rateBin: number;
  rateN: number;
  ratePeak: number;
  value: number;
  newValue: number;
  threshold: number;
  mean: number;
  std: number;
  samples: number;
  severity: number;
  aux: number;
  lastOrd: number;
  out?: RefEpisode;
}

const newEp = (): Ep => ({
  open: false, firstUs: 0, lastUs: 0, firstIndex: 0, src: '', sport: 0, dport: 0, label: 0, size: 0, count: 0, rateBin: -Infinity,
  rateN: 0, ratePeak: 0, value: 0, newValue: 0, threshold: 0, mean: 0, std: 0, samples: 0, severity: 0, aux: 0, lastOrd: 0,
});

interface Acc {
  ord: number;
  start: number;
  spanS: number;
  bytes: number;
  packets: number;
  cls: number[];
  d: number;
  sumL: number;
  sumL2: number;
  svc: number[];
  flagged: boolean;
  /** SPIKE_GLOBAL thresholds in force for the window: at its last packet before it crossed, or at
   *  its last decision (null: not judged or no ready baseline). */
  thr?: Thr | null;
  firstUs: number;
  lastUs: number;
  firstIndex: number;
}

interface HostWin {
  ord: number;
  bytes: number;
  flagged: boolean;
  /** The thresholds in force for the window, as Acc.thr. */
  thr?: Thr | null;
}

interface Host {
  session: number;
  lastActiveOrd: number;
  lastFoldedOrd: number;
  base: Baseline;
  win: (HostWin | null)[];
  ep: Ep;
}

interface Service {
  key: number;
  base: Baseline;
  lastOrd: number;
  ep: Ep;
}

export const CLASSES = 5;
export const SERVICES = 16;

/** Protocol class of an IP protocol number: 0 TCP, 1 UDP, 2 ICMP, 3 ICMPv6, 4 other. */
export function protoClass(p: number): number {
  return p === 6 ? 0 : p === 17 ? 1 : p === 1 ? 2 : p === 58 ? 3 : 4;
}
const CLASS_PROTO = [6, 17, 1, 58, 0];


interface Thr {
  /** 1 own baseline, 2 the population's (the core's K_OWN / K_POP). */
  kind: number;
  med: number;
  high: number;
  mean: number;
  std: number;
  samples: number;
  highOk: boolean;
}

/** Runs the reference over `pkts` (input order). `traceDst`: record the SPIKE trace of that
 *  destination ('' = the global series), as the core does with CFG_TRACE_DETECTOR = DET_SPIKE. */
export function referenceMetrics(pkts: MetricPacket[], c: MetricsConfig, traceDst?: string): MetricsResult {
  const wUs = Math.max(1000, Math.round(c.windowS * 1e6));
  const lRaw = c.latenessS > 0 ? Math.round(c.latenessS * 1e6) : 0;
  const lUs = lRaw >= wUs ? wUs - 1 : lRaw;
  const nRaw = Math.floor(c.baselineWindows);
  const nSpan = nRaw >= 1 ? Math.min(nRaw, 1e9) : 1;
  const alpha = 2 / (nSpan + 1);
  const wuRaw = Math.floor(c.warmup);
  const warmup = wuRaw >= 1 ? Math.min(wuRaw, 1e9) : 1;
  const mature = Math.ceil((nSpan + 1) / 2);
  const windowS = wUs / 1e6;
  const minSpanUs = Math.min(1e6, wUs);
  const kMed = c.mediumSigma;
  const kHigh = Math.max(c.highSigma, c.mediumSigma);
  const pMed = c.shiftPoints;
  const pHigh = Math.max(c.shiftHighPoints, c.shiftPoints);
  const mpRaw = Math.floor(c.shiftMinPackets);
  const minPackets = mpRaw >= 0 ? Math.min(mpRaw, 1e9) : 0;
  const svcOn = c.shiftOn && c.shiftServicesOn;
  const traceGlobal = traceDst === '' && c.spikeOn;
  const traceHost = traceDst !== undefined && traceDst !== '' && c.spikeDstOn ? traceDst : undefined;

  const out: RefEpisode[] = [];
  const marks: boolean[] = new Array(pkts.length).fill(false);
  const trace: RefTracePoint[] = [];
  let windows = 0;
  let late = 0;
  let sessions = 0;

  let started = false;
  let clock = -Infinity;
  let curStart = 0;
  let ord = 0;
  let prevOpen = false;
  let closedOrd = 0;
  let doneOrd = 0;
  let session = 0;
  let resetAfterOrd = 0;
  let sessFirstOrd = 0;
  let sessFirstSpanS = windowS;
  const accs = new Map<number, Acc>();
  const gBase = newBaseline();
  const gEp = newEp();
  const pop = { n: 0, m1: 0, m2: 0 };
  const clsBase = Array.from({ length: CLASSES }, newBaseline);
  const clsEp = Array.from({ length: CLASSES }, newEp);
  let shiftN = 0;
  const services: (Service | null)[] = new Array(SERVICES).fill(null);
  const hosts = new Map<string, Host>();

  const spanOf = (o: number) => (o === sessFirstOrd ? sessFirstSpanS : windowS);
  const oldestOpen = () => (prevOpen ? ord - 1 : ord);

  // ---- thresholds (metrics.ts ownMed/ownHigh/popThresholds/hostThresholds)
  const std = (b: Baseline) => Math.sqrt(b.s > 0 ? b.s : 0);
  const ownThr = (b: Baseline): Thr => {
    const sd = std(b);
    const se = sd > c.minStdLog2 ? sd : c.minStdLog2;
    const med = mexp2(b.mean + kMed * se) - 1;
    const high = mexp2(b.mean + kHigh * se) - 1;
    return {
      kind: 1, med: med > c.minBps ? med : c.minBps, high: high > c.highMinBps ? high : c.highMinBps, mean: mexp2(b.mean) - 1,
      std: sd, samples: Math.min(b.n, nSpan), highOk: b.n >= mature,
    };
  };
  const popReady = () => pop.n >= warmup;
  const popThr = (): Thr => {
    let v = pop.m2 - pop.m1 * pop.m1;
    if (!(v > 0)) v = 0;
    const sd = Math.sqrt(v);
    const se = sd > c.minStdLog2 ? sd : c.minStdLog2;
    const med = mexp2(pop.m1 + kMed * se);
    return { kind: 2, med: med > c.minBps ? med : c.minBps, high: Infinity, mean: mexp2(pop.m1), std: sd, samples: Math.min(pop.n, nSpan), highOk: false };
  };
  const hostThr = (b: Baseline): Thr | null => {
    if (b.n >= warmup) {
      const t = ownThr(b);
      if (popReady()) {
        const g = popThr().med;
        if (g > t.med) t.med = g;
        if (g > t.high) t.high = g;
      }
      return t;
    }
    return popReady() ? popThr() : null;
  };
  const clampOf = (b: Baseline) => {
    if (b.n < warmup) return Infinity;
    const sd = std(b);
    return b.mean + kHigh * (sd > c.minStdLog2 ? sd : c.minStdLog2);
  };

  // ---- episodes
  const emit = (ep: Ep, det: number, variant: number, dst: string, kind: 'new' | 'update') => {
    const rec: RefEpisode = {
      detector: det, variant, dst, src: ep.src, firstUs: ep.firstUs, lastUs: ep.lastUs, firstIndex: ep.firstIndex, sport: ep.sport,
      dport: ep.dport, label: ep.label, size: ep.size, value: ep.value, newValue: ep.value, threshold: ep.threshold, mean: ep.mean,
      std: ep.std, samples: ep.samples, severity: ep.severity, score: ep.value / (ep.mean > 1 ? ep.mean : 1), count: ep.count,
      peakRate: ep.ratePeak, aux: ep.aux, windowS,
    };
    if (kind === 'new') {
      ep.out = rec;
      out.push(rec);
    } else {
      Object.assign(ep.out!, rec, { newValue: ep.out!.newValue });
      ep.open = false;
    }
  };
  const decide = (ep: Ep, sev: number, t: Thr) => {
    ep.severity = sev;
    ep.threshold = sev === abi.SEV_HIGH ? t.high : t.med;
    ep.mean = t.mean;
    ep.std = t.std;
    ep.samples = t.samples;
  };
  /** The packet against its window's threshold `thr` (null: nothing to judge against): the window
   *  holds `bytes` over `span` s and crosses when bytes > threshold x span; VALUE = bytes / span. */
  const spikeCheck = (ep: Ep, win: { flagged: boolean; thr?: Thr | null }, bytes: number, span: number, thr: Thr | null, p: MetricPacket,
    i: number, wo: number, variant: number, dst: string) => {
    // The trace shows the thresholds of the window's last judgement before it crossed, or of its
    // last decision (crossing or HIGH).
    if (!win.flagged) win.thr = thr;
    let opened = false;
    if (thr && !win.flagged && bytes > thr.med * span) {
      win.flagged = true;
      if (!ep.open) {
        Object.assign(ep, newEp(), {
          open: true, firstUs: p.tsUs, lastUs: p.tsUs, firstIndex: p.index ?? i, src: p.src, sport: p.sport, dport: p.dport,
          label: p.label ?? p.proto, size: p.size, lastOrd: wo, aux: thr.kind === 2 ? 1 : 0,
        });
        decide(ep, thr.highOk && bytes > thr.high * span ? abi.SEV_HIGH : abi.SEV_MEDIUM, thr);
        opened = true;
      }
    }
    if (!win.flagged) return;
    const rate = bytes / span;
    ep.count++;
    if (p.tsUs > ep.lastUs) ep.lastUs = p.tsUs;
    const bin = Math.floor(clock / 1e6);
    let n = 1;
    if (bin === ep.rateBin) n = ep.rateN + 1;
    else ep.rateBin = bin;
    ep.rateN = n;
    if (n > ep.ratePeak) ep.ratePeak = n;
    if (rate > ep.value) ep.value = rate;
    if (wo > ep.lastOrd) ep.lastOrd = wo;
    if (!opened && thr && thr.highOk && bytes > thr.high * span && ep.severity < abi.SEV_HIGH) {
      decide(ep, abi.SEV_HIGH, thr);
      ep.aux = thr.kind === 2 ? 1 : 0;
      win.thr = thr;
    }
    marks[i] = true;
    if (opened) emit(ep, abi.DET_SPIKE, variant, dst, 'new');
  };

  // ---- trace (metrics.ts hostPoint / globalPoint)
  const accStart = (o: number) => accs.get(o)?.start ?? 0;
  const accIndex = (o: number) => accs.get(o)?.firstIndex ?? 0;
  /** `w`: the held window (its thresholds in force); none for a quiet window (the thresholds now). */
  const hostPoint = (h: Host, o: number, rate: number, flagged: boolean, w?: HostWin) => {
    const t = w ? w.thr ?? null : hostThr(h.base);
    trace.push({
      tsUs: accStart(o), size: rate, mean: t ? t.mean : NaN, std: t ? t.med : NaN, z: t && t.kind === 1 && t.highOk ? t.high : NaN,
      flags: (t ? 1 : 0) | (flagged ? 2 : 0) | (t && t.kind === 2 ? 4 : 0), recordIndex: accIndex(o),
    });
  };

  // ---- destinations
  const endHostEp = (h: Host, dst: string) => {
    if (h.ep.open) emit(h.ep, abi.DET_SPIKE, abi.SPIKE_DST, dst, 'update');
  };
  const zeros = (h: Host, dst: string, k: number, tracing: boolean) => {
    if (h.ep.open && h.lastFoldedOrd + 1 > h.ep.lastOrd) endHostEp(h, dst);
    if (tracing) {
      for (let j = 1; j <= k; j++) {
        hostPoint(h, h.lastFoldedOrd + j, 0, false);
        bZeros(h.base, 1, alpha);
      }
    } else bZeros(h.base, k, alpha);
    h.lastFoldedOrd += k;
  };
  /** Folds host h's windows up to ordinal `upTo`: its held windows and the quiet ones between. */
  const fold = (h: Host, dst: string, upTo: number) => {
    const tracing = traceHost === dst;
    const held = h.win.filter((w): w is HostWin => w !== null && w.ord <= upTo).sort((x, y) => x.ord - y.ord);
    for (const w of held) {
      if (w.ord > h.lastFoldedOrd + 1) zeros(h, dst, w.ord - h.lastFoldedOrd - 1, tracing);
      if (h.ep.open && w.ord > h.ep.lastOrd) endHostEp(h, dst);
      const rate = w.bytes / spanOf(w.ord);
      if (tracing) hostPoint(h, w.ord, rate, w.flagged, w);
      const x = mlog2(1 + rate);
      const cl = clampOf(h.base);
      bUpdate(h.base, x < cl ? x : cl, alpha);
      h.lastFoldedOrd = w.ord;
      h.win[w.ord & 1] = null;
    }
    if (upTo > h.lastFoldedOrd) zeros(h, dst, upTo - h.lastFoldedOrd, tracing);
  };
  const stale = (h: Host, wo: number) => h.session !== session || wo - h.lastActiveOrd - 1 >= nSpan;

  // ---- protoshift (metrics.ts shiftJudge)
  const shiftJudge = (base: Baseline, ep: Ep, count: number, a: Acc, judged: boolean, variant: number, aux: number, dport: number,
    label: number) => {
    const o = a.ord;
    const share = (100 * count) / a.packets;
    let x = share;
    if (judged && base.n >= warmup && share - base.mean > pMed) {
      const sev = share - base.mean > pHigh && base.n >= mature ? abi.SEV_HIGH : abi.SEV_MEDIUM;
      const t: Thr = { kind: 0, med: pMed, high: pHigh, mean: base.mean, std: std(base), samples: Math.min(base.n, nSpan), highOk: true };
      const r = count / a.spanS;
      if (!ep.open) {
        Object.assign(ep, newEp(), {
          open: true, firstUs: a.firstUs, lastUs: a.lastUs, firstIndex: a.firstIndex, dport, label, count, ratePeak: r, value: share,
          aux, lastOrd: o,
        });
        decide(ep, sev, t);
        emit(ep, abi.DET_PROTOSHIFT, variant, '', 'new');
      } else {
        ep.lastUs = a.lastUs;
        ep.count += count;
        if (r > ep.ratePeak) ep.ratePeak = r;
        if (share > ep.value) ep.value = share;
        if (sev > ep.severity) decide(ep, sev, t);
        ep.lastOrd = o;
      }
      x = base.mean + pMed;
    } else if (ep.open && o > ep.lastOrd) emit(ep, abi.DET_PROTOSHIFT, variant, '', 'update');
    bUpdate(base, x, alpha);
  };
  const endShifts = () => {
    for (let k = 0; k < CLASSES; k++) if (clsEp[k].open) emit(clsEp[k], abi.DET_PROTOSHIFT, abi.PROTOSHIFT_PROTO, '', 'update');
    for (const s of services) if (s && s.ep.open) emit(s.ep, abi.DET_PROTOSHIFT, abi.PROTOSHIFT_SERVICE, '', 'update');
  };

  // ---- window close (metrics.ts closeWindow)
  const closeWindow = (a: Acc) => {
    const o = a.ord;
    windows++;
    if (c.spikeOn) {
      if (gEp.open && o > gEp.lastOrd) emit(gEp, abi.DET_SPIKE, abi.SPIKE_GLOBAL, '', 'update');
      const rate = a.bytes / a.spanS;
      if (traceGlobal) {
        const t = a.thr ?? null;
        trace.push({
          tsUs: a.start, size: rate, mean: t ? t.mean : NaN, std: t ? t.med : NaN, z: t && t.highOk ? t.high : NaN,
          flags: (t ? 1 : 0) | (a.flagged ? 2 : 0), recordIndex: a.firstIndex,
        });
      }
      const x = mlog2(1 + rate);
      const cl = clampOf(gBase);
      bUpdate(gBase, x < cl ? x : cl, alpha);
    }
    if (traceHost !== undefined) {
      const h = hosts.get(traceHost);
      if (h && !stale(h, oldestOpen()) && o > h.lastFoldedOrd) fold(h, traceHost, o);
    }
    if (c.spikeDstOn && a.d > 0) {
      const ls = mlog2(a.spanS);
      const m = a.sumL / a.d;
      const x1 = m - ls;
      const x2 = a.sumL2 / a.d - 2 * ls * m + ls * ls;
      pop.n++;
      let w = 1 / pop.n;
      if (w < alpha) w = alpha;
      pop.m1 = pop.m1 + w * (x1 - pop.m1);
      pop.m2 = pop.m2 + w * (x2 - pop.m2);
    }
    if (c.shiftOn) {
      const judged = a.packets >= minPackets;
      for (let k = 0; k < CLASSES; k++) shiftJudge(clsBase[k], clsEp[k], a.cls[k], a, judged, abi.PROTOSHIFT_PROTO, k, 0, CLASS_PROTO[k]);
      for (let i = 0; i < SERVICES; i++) {
        const s = services[i];
        if (s) shiftJudge(s.base, s.ep, a.svc[i], a, judged, abi.PROTOSHIFT_SERVICE, s.key, s.key & 0xffff, s.key >>> 16);
      }
      shiftN++;
      for (let i = 0; i < SERVICES; i++) {
        const s = services[i];
        if (s && !s.ep.open && s.lastOrd < o && s.base.mean < 1) services[i] = null;
      }
    }
    if (o === resetAfterOrd) {
      if (gEp.open) emit(gEp, abi.DET_SPIKE, abi.SPIKE_GLOBAL, '', 'update');
      endShifts();
      Object.assign(gBase, newBaseline());
      pop.n = 0;
      pop.m1 = 0;
      pop.m2 = 0;
      for (const b of clsBase) Object.assign(b, newBaseline());
      services.fill(null);
      shiftN = 0;
    }
  };
  const catchUp = () => {
    while (doneOrd < closedOrd) {
      doneOrd++;
      closeWindow(accs.get(doneOrd)!);
    }
  };
  const openAcc = (o: number, start: number, spanS: number) => {
    accs.set(o, {
      ord: o, start, spanS, bytes: 0, packets: 0, cls: new Array(CLASSES).fill(0), d: 0, sumL: 0, sumL2: 0,
      svc: new Array(SERVICES).fill(0), flagged: false, firstUs: 0, lastUs: 0, firstIndex: 0,
    });
    accs.delete(o - 8); // keep the few the trace may still read
  };

  pkts.forEach((p, i) => {
    catchUp();
    const ts = p.tsUs;
    const idx = p.index ?? i;
    if (ts > clock) clock = ts;
    // ---- the clock (metrics.ts advance)
    const cw = Math.floor(clock / wUs) * wUs;
    if (!started) {
      started = true;
      curStart = cw;
      ord = 1;
      session = 1;
      sessions = 1;
      sessFirstOrd = 1;
      sessFirstSpanS = Math.max(cw + wUs - clock, minSpanUs) / 1e6;
      openAcc(1, cw, sessFirstSpanS);
    } else if (cw > curStart) {
      const skipped = (cw - curStart) / wUs - 1;
      if (prevOpen) closedOrd = ord - 1;
      if (skipped === 0) prevOpen = true;
      else {
        closedOrd = ord;
        prevOpen = false;
      }
      ord++;
      curStart = cw;
      let span = windowS;
      if (skipped >= nSpan) {
        resetAfterOrd = ord - 1;
        session++;
        sessions++;
        sessFirstOrd = ord;
        sessFirstSpanS = Math.max(cw + wUs - clock, minSpanUs) / 1e6;
        span = sessFirstSpanS;
      }
      openAcc(ord, cw, span);
    }
    if (prevOpen && clock >= curStart + lUs) {
      closedOrd = ord - 1;
      prevOpen = false;
    }
    // ---- the packet's window
    const t = Math.floor(ts / wUs) * wUs;
    let wo: number;
    if (t === curStart) wo = ord;
    else if (prevOpen && t === curStart - wUs) wo = ord - 1;
    else {
      late++;
      return;
    }
    const judge = resetAfterOrd <= doneOrd;
    const a = accs.get(wo)!;
    if (a.packets === 0) {
      a.firstUs = ts;
      a.lastUs = ts;
      a.firstIndex = idx;
    } else {
      if (ts < a.firstUs) {
        a.firstUs = ts;
        a.firstIndex = idx;
      }
      if (ts > a.lastUs) a.lastUs = ts;
    }
    a.packets++;
    a.bytes += p.size;
    if (c.shiftOn) {
      a.cls[protoClass(p.proto)]++;
      if (svcOn && judge && (p.proto === 6 || p.proto === 17)) {
        const key = (p.proto << 16) | (p.orig ? p.dport : p.sport);
        let at = services.findIndex((s) => s !== null && s.key === key);
        if (at < 0) {
          at = services.findIndex((s) => s === null);
          if (at >= 0) {
            const base = newBaseline();
            bZeros(base, shiftN, alpha);
            services[at] = { key, base, lastOrd: wo, ep: newEp() };
          }
        }
        if (at >= 0) {
          a.svc[at]++;
          const s = services[at]!;
          if (wo > s.lastOrd) s.lastOrd = wo;
        }
      }
    }
    if (c.spikeOn) {
      const thr = gBase.n >= warmup && judge ? ownThr(gBase) : null;
      spikeCheck(gEp, a, a.bytes, a.spanS, thr, p, i, wo, abi.SPIKE_GLOBAL, '');
    }
    if (c.spikeDstOn) {
      let h = hosts.get(p.dst);
      const oo = oldestOpen();
      if (h && stale(h, wo)) {
        endHostEp(h, p.dst);
        h = undefined;
      }
      if (!h) {
        h = { session, lastActiveOrd: wo, lastFoldedOrd: oo - 1, base: newBaseline(), win: [null, null], ep: newEp() };
        hosts.set(p.dst, h);
      }
      if (oo - 1 > h.lastFoldedOrd) fold(h, p.dst, oo - 1);
      if (wo > h.lastActiveOrd) h.lastActiveOrd = wo;
      let w = h.win[wo & 1];
      if (!w) {
        w = { ord: wo, bytes: 0, flagged: false };
        h.win[wo & 1] = w;
      }
      const b0 = w.bytes;
      const b1 = b0 + p.size;
      if (p.size > 0) {
        const l1 = mlog2(b1);
        if (b0 === 0) {
          a.d++;
          a.sumL += l1;
          a.sumL2 += l1 * l1;
        } else {
          const l0 = mlog2(b0);
          a.sumL += l1 - l0;
          a.sumL2 += l1 * l1 - l0 * l0;
        }
      }
      w.bytes = b1;
      const thr = judge ? hostThr(h.base) : null;
      spikeCheck(h.ep, w, b1, a.spanS, thr, p, i, wo, abi.SPIKE_DST, p.dst);
    }
  });
  // ---- end of input (metrics.ts metricsFlush)
  catchUp();
  if (started) {
    closedOrd = ord;
    prevOpen = false;
    catchUp();
  }
  if (gEp.open) emit(gEp, abi.DET_SPIKE, abi.SPIKE_GLOBAL, '', 'update');
  endShifts();
  for (const [dst, h] of hosts) endHostEp(h, dst);
  return { episodes: out, marks, windows, late, sessions, trace };
}
