// Plain, obviously-correct reference of the keyed rules of assembly/detect/portscan.ts (PORTSCAN:
// PORTS, SYN, HOSTS) and assembly/detect/synflood.ts (SYNFLOOD: DST, SLOW, SPREAD): arrays of
// timestamps and Maps, recomputed from scratch at every packet. Same definitions as the core's
// header comments:
// - flows (flowMarks): key = the two (address, port) ends, IP protocol, VLAN; ICMP ports are
//   (type, counterpart type) for request/reply types (Zeek's counterpart table), (type, code)
//   otherwise; a packet is `fresh` when its key is new or the flow's newest packet is more than
//   the protocol's idle timeout older than it; `orig` when it was sent by the end that sent the
//   flow's fresh packet; `handshake` when it completes the flow's TCP handshake: TCP, orig, ACK
//   set, SYN and RST clear, orig's OR-ed flags before it hold SYN but not ACK, resp's hold SYN and
//   ACK (assembly/table/flow-table.ts; flags restart with the flow).
// - answer (address scan only): the first packet of a flow sent by its responder, not a
//   non-first fragment, not a TCP RST; for ICMP only an echo reply (answering an echo probe). It
//   removes the responder from the (originator, probed service) key's hosts unless the key's
//   episode is open.
// - probe: fresh, not a non-first fragment, not ICMP/ICMPv6, not a TCP reply (RST, or SYN+ACK);
//   service = proto << 16 | (dport for TCP/UDP, else proto). echo: fresh ICMP type 8 / ICMPv6
//   type 128 (address scan only). SYN: TCP, SYN set, ACK clear (any packet).
// - clock = newest packet time so far (this packet included); a packet older than clock - T
//   (T the rule's window) is ignored by that rule.
// - distinct counts are exact over (clock - T, clock]. SYN counts are reported three ways: the
//   core's bucket model (16 buckets of w = floor(T/16) aligned to the epoch: SYNs with
//   floor(ts/w) > floor(clock/w) - 16), and the exact counts over (clock - 15·w, clock] (short) and
//   (clock - T, clock] (long), which bound it.
// - SYNFLOOD per destination: completions (handshake packets) to a destination that has state
//   are counted like SYNs (the three ways). The gate holds when completions < f·SYNs (f >= 1: no
//   gate); for the bounds: short = nShort > M && cLong < f·nShort, long = nLong > M && cShort <
//   f·nLong, model = nModel > M && cModel < f·nModel (so short => model => long). DST decides
//   first; SLOW (its own window T2 and threshold M2) is evidence only when DST's model condition
//   does not hold. The mark bit DET_SYNFLOOD = DST or SLOW or SPREAD. A destination's state
//   restarts when its newest SYN is more than the longest enabled window older than the clock.
// - a key's state (pair: probes, ports, SYNs; host key; destination) restarts when its newest
//   accepted packet is more than its window older than the clock.
// - episodes: NEW at the first evidence packet, closed when the clock passes the newest evidence
//   time + T (or at the end); COUNT, LAST (newest evidence time), PEAK_RATE (evidence packets per
//   floor(clock / 1 s) bin), exact peak values, and the exact distinct counts that the core
//   estimates (for bound checks).
import * as abi from '../../src/shared/abi';

export interface RefPacket {
  tsUs: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: number;
  flags: number;
  vlan?: number;
  /** A non-first IP fragment (ports unknown, 0). */
  fragment?: boolean;
  /** Record index in the input (default: the position in the list). */
  index?: number;
}

export interface FlowMark {
  fresh: boolean;
  orig: boolean;
  /** The first packet the flow's responder sent in it (not `fresh`, not `orig`). */
  firstReply: boolean;
  /** The packet completes its flow's TCP handshake (see the header). */
  handshake: boolean;
}

const ICMP4_COUNTERPART: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
const ICMP6_COUNTERPART: Record<number, number> = {
  128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135, 139: 140, 140: 139,
};

/** Idle timeouts of the flow table, seconds (assembly/config.ts defaults). */
export interface FlowTimeouts {
  tcp: number;
  udp: number;
  icmp: number;
  other: number;
}
export const DEFAULT_TIMEOUTS: FlowTimeouts = { tcp: 300, udp: 60, icmp: 60, other: 60 };

/** fresh/orig/handshake of every packet (see the header). */
export function flowMarks(pkts: RefPacket[], timeouts: FlowTimeouts = DEFAULT_TIMEOUTS): FlowMark[] {
  const flows = new Map<string, { orig: string; last: number; replies: number; origFlags: number; respFlags: number }>();
  return pkts.map((p) => {
    let dp = p.dport;
    if (p.proto === 1 || p.proto === 58) {
      const c = (p.proto === 1 ? ICMP4_COUNTERPART : ICMP6_COUNTERPART)[p.sport];
      if (c !== undefined) dp = c;
    }
    const a = `${p.src}|${p.sport}`;
    const b = `${p.dst}|${dp}`;
    const key = `${a < b ? a : b}#${a < b ? b : a}#${p.proto}#${p.vlan ?? 0}`;
    const t = p.proto === 6 ? timeouts.tcp : p.proto === 17 ? timeouts.udp : p.proto === 1 || p.proto === 58 ? timeouts.icmp : timeouts.other;
    let f = flows.get(key);
    let fresh = false;
    if (!f || p.tsUs - f.last > t * 1e6) {
      f = { orig: a, last: p.tsUs, replies: 0, origFlags: 0, respFlags: 0 };
      flows.set(key, f);
      fresh = true;
    } else {
      f.last = Math.max(f.last, p.tsUs);
    }
    const orig = a === f.orig;
    let handshake = false;
    if (orig) {
      handshake = p.proto === 6 && (p.flags & 0x16) === 0x10 && (f.origFlags & 0x12) === 0x02 && (f.respFlags & 0x12) === 0x12;
      f.origFlags |= p.flags;
    } else {
      f.respFlags |= p.flags;
      f.replies++;
    }
    return { fresh, orig, handshake, firstReply: !orig && f.replies === 1 };
  });
}

export interface RuleConfig {
  portsOn: boolean;
  portsN: number;
  portsWindowS: number;
  synOn: boolean;
  synS: number;
  synP: number;
  synWindowS: number;
  hostsOn: boolean;
  hostsH: number;
  hostsWindowS: number;
  floodOn: boolean;
  floodM: number;
  floodWindowS: number;
  spreadOn: boolean;
  spreadM: number;
  spreadWindowS: number;
  /** The slow tier (SYNFLOOD_SLOW); absent = off (configs that predate it). */
  slowOn?: boolean;
  /** M2, default 200. */
  slowM?: number;
  /** T2, seconds, default 600. */
  slowWindowS?: number;
  /** The completion gate's f (>= 1: off); default 0.25. */
  completedFraction?: number;
}

/** The slow-tier and gate fields of `c` with their defaults. */
export function slowConfig(c: RuleConfig): { slowOn: boolean; slowM: number; slowWindowS: number; completedFraction: number } {
  return { slowOn: c.slowOn ?? false, slowM: c.slowM ?? 200, slowWindowS: c.slowWindowS ?? 600, completedFraction: c.completedFraction ?? 0.25 };
}

/** The core's defaults (assembly/config.ts). */
export const DEFAULT_RULES: RuleConfig = {
  portsOn: true, portsN: 10, portsWindowS: 60,
  synOn: true, synS: 100, synP: 20, synWindowS: 60,
  hostsOn: true, hostsH: 25, hostsWindowS: 300,
  floodOn: true, floodM: 100, floodWindowS: 60,
  spreadOn: true, spreadM: 50, spreadWindowS: 1,
  slowOn: true, slowM: 200, slowWindowS: 600, completedFraction: 0.25,
};

/** The config ids of a RuleConfig, for the core. */
export function ruleConfigIds(c: RuleConfig): Record<number, number> {
  const sc = slowConfig(c);
  return {
    [abi.CFG_SYNFLOOD_SLOW_ENABLED]: sc.slowOn ? 1 : 0,
    [abi.CFG_SYNFLOOD_SLOW_SYNS]: sc.slowM,
    [abi.CFG_SYNFLOOD_SLOW_WINDOW_S]: sc.slowWindowS,
    [abi.CFG_SYNFLOOD_COMPLETED_FRACTION]: sc.completedFraction,
    [abi.CFG_PORTSCAN_ENABLED]: c.portsOn ? 1 : 0,
    [abi.CFG_PORTSCAN_PORTS]: c.portsN,
    [abi.CFG_PORTSCAN_WINDOW_S]: c.portsWindowS,
    [abi.CFG_PORTSCAN_SYN_ENABLED]: c.synOn ? 1 : 0,
    [abi.CFG_PORTSCAN_SYN_SYNS]: c.synS,
    [abi.CFG_PORTSCAN_SYN_PORTS]: c.synP,
    [abi.CFG_PORTSCAN_SYN_WINDOW_S]: c.synWindowS,
    [abi.CFG_ADDRSCAN_ENABLED]: c.hostsOn ? 1 : 0,
    [abi.CFG_ADDRSCAN_HOSTS]: c.hostsH,
    [abi.CFG_ADDRSCAN_WINDOW_S]: c.hostsWindowS,
    [abi.CFG_SYNFLOOD_ENABLED]: c.floodOn ? 1 : 0,
    [abi.CFG_SYNFLOOD_SYNS]: c.floodM,
    [abi.CFG_SYNFLOOD_WINDOW_S]: c.floodWindowS,
    [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: c.spreadOn ? 1 : 0,
    [abi.CFG_SYNFLOOD_SPREAD_SYNS]: c.spreadM,
    [abi.CFG_SYNFLOOD_SPREAD_WINDOW_S]: c.spreadWindowS,
  };
}

export interface RefEpisode {
  detector: number;
  variant: number;
  /** Alert SRC and DST (text); the spread variant's DST is the zero address ''. */
  src: string;
  dst: string;
  firstIndex: number;
  firstUs: number;
  lastUs: number;
  count: number;
  peakRate: number;
  /** VALUE at the NEW record. */
  newValue: number;
  /** Exact peak of VALUE (PORTS/HOSTS: distinct in (clock-T, clock]; SYN/DST/SLOW/SPREAD: the bucket model). */
  value: number;
  /** PORTS/HOSTS: peak distinct in (clock - 7·floor(T/8), clock] (the sketch's shortest window). */
  valueShort: number;
  /** PORTS/HOSTS: probes of the key at the last evidence packet; SYN: peak distinct SYN ports in
   *  (clock-T, clock]; DST/SLOW: distinct sources of the evidence SYNs; SPREAD: distinct destinations. */
  aux: number;
  /** SYN: peak distinct SYN ports in (clock - 7·floor(T/8), clock]. */
  auxShort: number;
}

/** One point of a traced key (see referenceRules' `trace`). */
export interface RefTracePoint {
  index: number;
  /** PORTS pair: exact distinct services in (clock-T, clock] and in (clock - 7·floor(T/8), clock];
   *  SYNFLOOD victim: the bucket-model SYN count in T (both fields); `over`: the DST condition
   *  (over M and the gate). */
  value: number;
  valueShort: number;
  over: boolean;
}

export interface RefResult {
  /** Per packet: bit 1 << DET_PORTSCAN / DET_SYNFLOOD under the core's (bucket) model. */
  marks: number[];
  /** Per packet, with exact SYN counts over the shorter and the longer window. */
  marksShort: number[];
  marksLong: number[];
  episodes: RefEpisode[];
  /** Points of the traced PORTS pair (one per counted probe) or SYNFLOOD victim (one per SYN counted in T). */
  trace: RefTracePoint[];
  /** SYNFLOOD DST/SLOW decisions (bucket model) over their threshold: the completion gate blocked
   *  them, or let them pass with completions in the window (so tests can see both happen). */
  gate: { blocked: number; passedWithCompletions: number };
}

/** What to trace: a (scanner, target) pair for PORTS, or a victim for SYNFLOOD. */
export interface RefTraceKey {
  detector: number;
  src?: string;
  dst: string;
}

const US = 1e6;

/** Distinct keys of `m` with a last-seen time after `cutoff`. */
function distinctAfter(m: Map<string | number, number>, cutoff: number): number {
  let n = 0;
  for (const t of m.values()) if (t > cutoff) n++;
  return n;
}

function touch(m: Map<string | number, number>, id: string | number, ts: number): void {
  m.set(id, Math.max(m.get(id) ?? -Infinity, ts));
}

interface SynCounts {
  model: number;
  short: number;
  long: number;
}

/** SYN counts of `times` at `clock` for window `winUs` (see the header). */
function synCounts(times: number[], clock: number, winUs: number): SynCounts {
  const w = Math.max(1, Math.floor(winUs / 16));
  const bNow = Math.floor(clock / w);
  let model = 0;
  let short = 0;
  let long = 0;
  for (const t of times) {
    if (Math.floor(t / w) > bNow - 16) model++;
    if (t > clock - 15 * w) short++;
    if (t > clock - winUs) long++;
  }
  return { model, short, long };
}

function winUs(s: number): number {
  return Math.max(1, Math.round(s * US));
}

class Ep {
  open: RefEpisode | null = null;
  rateBin = NaN;
  rateN = 0;
}

/** Runs every rule over `pkts` (in input order) with `fm` from flowMarks(). */
export function referenceRules(pkts: RefPacket[], fm: FlowMark[], c: RuleConfig, traceKey?: RefTraceKey): RefResult {
  const trace: RefTracePoint[] = [];
  const tp = winUs(c.portsWindowS);
  const tsyn = winUs(c.synWindowS);
  const th = winUs(c.hostsWindowS);
  const tm = winUs(c.floodWindowS);
  const tsp = winUs(c.spreadWindowS);
  const sc = slowConfig(c);
  const tslow = winUs(sc.slowWindowS);
  const keyedOn = c.floodOn || sc.slowOn;
  const keyWin = Math.max(c.floodOn ? tm : 0, sc.slowOn ? tslow : 0);
  const f = sc.completedFraction;
  const gateOn = f < 1;
  const gate = { blocked: 0, passedWithCompletions: 0 };
  const nP = Math.min(255, Math.max(0, Math.floor(c.portsN)));
  const nS = Math.min(255, Math.max(0, Math.floor(c.synP)));
  const nH = Math.min(255, Math.max(0, Math.floor(c.hostsH)));
  const nD = Math.min(255, Math.max(0, Math.floor(c.spreadM / 2)));
  const pairIdle = Math.max(c.portsOn ? tp : 0, c.synOn ? tsyn : 0);
  const episodes: RefEpisode[] = [];
  const marks: number[] = [];
  const marksShort: number[] = [];
  const marksLong: number[] = [];

  interface Pair {
    last: number;
    probes: number;
    ports: Map<number, number>;
    synTimes: number[];
    synPorts: Map<number, number>;
    epPorts: Ep;
    epSyn: Ep;
  }
  interface HostKey {
    last: number;
    probes: number;
    hosts: Map<string, number>;
    ep: Ep;
  }
  interface Victim {
    last: number;
    synTimes: number[];
    /** Times of the handshakes completed to the destination. */
    doneTimes: number[];
    ep: Ep;
    sources: Set<string>;
    epSlow: Ep;
    slowSources: Set<string>;
  }
  const pairs = new Map<string, Pair>();
  const hostKeys = new Map<string, HostKey>();
  const victims = new Map<string, Victim>();
  const spread = { synTimes: [] as number[], dsts: new Map<string, number>(), ep: new Ep(), set: new Set<string>() };

  let clock = -Infinity;
  const quiet = (ep: Ep, winUsV: number) => {
    if (ep.open && clock - ep.open.lastUs > winUsV) ep.open = null;
  };
  /** Evidence at packet i; returns the open episode. */
  const evidence = (ep: Ep, i: number, p: RefPacket, det: number, variant: number, src: string, dst: string, value: number): RefEpisode => {
    if (!ep.open) {
      ep.open = {
        detector: det, variant, src, dst, firstIndex: p.index ?? i, firstUs: p.tsUs, lastUs: p.tsUs, count: 0, peakRate: 0,
        newValue: value, value: 0, valueShort: 0, aux: 0, auxShort: 0,
      };
      ep.rateBin = NaN;
      episodes.push(ep.open);
    }
    const e = ep.open;
    e.count++;
    e.lastUs = Math.max(e.lastUs, p.tsUs);
    const bin = Math.floor(clock / US);
    if (bin === ep.rateBin) ep.rateN++;
    else {
      ep.rateBin = bin;
      ep.rateN = 1;
    }
    e.peakRate = Math.max(e.peakRate, ep.rateN);
    e.value = Math.max(e.value, value);
    return e;
  };

  pkts.forEach((p, i) => {
    clock = Math.max(clock, p.tsUs);
    let bits = 0;
    let bitsShort = 0;
    let bitsLong = 0;
    const { fresh, firstReply } = fm[i];
    const tcp = p.proto === 6;
    const syn = tcp && (p.flags & 0x12) === 0x02;
    const icmp = p.proto === 1 || p.proto === 58;
    const probe = fresh && !p.fragment && !icmp && !(tcp && ((p.flags & 0x04) !== 0 || (p.flags & 0x12) === 0x12));
    const echo = fresh && !p.fragment && icmp && p.sport === (p.proto === 1 ? 8 : 128);
    const svc = p.proto * 65536 + (p.proto === 6 || p.proto === 17 ? p.dport : p.proto);

    // ---- pair rules (PORTS, SYN)
    const inPorts = c.portsOn && probe && p.tsUs > clock - tp;
    const inSyn = c.synOn && syn && p.tsUs > clock - tsyn;
    if (inPorts || inSyn) {
      const k = `${p.src}>${p.dst}`;
      let st = pairs.get(k);
      if (st) {
        quiet(st.epPorts, tp);
        quiet(st.epSyn, tsyn);
        if (clock - st.last > pairIdle) {
          st = { ...st, last: -Infinity, probes: 0, ports: new Map(), synTimes: [], synPorts: new Map() };
          pairs.set(k, st);
        }
      } else {
        st = { last: -Infinity, probes: 0, ports: new Map(), synTimes: [], synPorts: new Map(), epPorts: new Ep(), epSyn: new Ep() };
        pairs.set(k, st);
      }
      st.last = Math.max(st.last, p.tsUs);
      if (inPorts) {
        st.probes++;
        touch(st.ports, svc, p.tsUs);
        const n = distinctAfter(st.ports, clock - tp);
        const nShort = distinctAfter(st.ports, clock - 7 * Math.max(1, Math.floor(tp / 8)));
        if (traceKey?.detector === abi.DET_PORTSCAN && traceKey.src === p.src && traceKey.dst === p.dst) {
          trace.push({ index: p.index ?? i, value: n, valueShort: nShort, over: n > nP });
        }
        if (n > nP) {
          bits |= 1 << abi.DET_PORTSCAN;
          bitsShort |= 1 << abi.DET_PORTSCAN;
          bitsLong |= 1 << abi.DET_PORTSCAN;
          const e = evidence(st.epPorts, i, p, abi.DET_PORTSCAN, abi.PORTSCAN_PORTS, p.src, p.dst, n);
          e.valueShort = Math.max(e.valueShort, nShort);
          e.aux = st.probes;
        }
      }
      if (inSyn) {
        st.synTimes.push(p.tsUs);
        touch(st.synPorts, p.dport, p.tsUs);
        const cnt = synCounts(st.synTimes, clock, tsyn);
        const ports = distinctAfter(st.synPorts, clock - tsyn);
        const portsOver = ports > nS;
        if (portsOver && cnt.short > c.synS) bitsShort |= 1 << abi.DET_PORTSCAN;
        if (portsOver && cnt.long > c.synS) bitsLong |= 1 << abi.DET_PORTSCAN;
        if (portsOver && cnt.model > c.synS) {
          bits |= 1 << abi.DET_PORTSCAN;
          const e = evidence(st.epSyn, i, p, abi.DET_PORTSCAN, abi.PORTSCAN_SYN, p.src, p.dst, cnt.model);
          e.aux = Math.max(e.aux, ports);
          e.auxShort = Math.max(e.auxShort, distinctAfter(st.synPorts, clock - 7 * Math.max(1, Math.floor(tsyn / 8))));
        }
      }
    }

    // ---- address scan (HOSTS): an answered probe's host leaves its key unless an episode is open
    if (c.hostsOn && firstReply && !p.fragment && !(tcp && (p.flags & 0x04) !== 0)) {
      let hsvc = -1;
      if (p.proto === 6 || p.proto === 17) hsvc = p.proto * 65536 + p.sport;
      else if (icmp) hsvc = p.sport === (p.proto === 1 ? 0 : 129) ? p.proto * 65536 + (p.proto === 1 ? 8 : 128) : -1;
      else hsvc = p.proto * 65536 + p.proto;
      const st = hsvc < 0 ? undefined : hostKeys.get(`${p.dst}>${hsvc}`);
      if (st) {
        quiet(st.ep, th);
        if (!st.ep.open) st.hosts.delete(p.src);
      }
    }
    if (c.hostsOn && (probe || echo) && p.tsUs > clock - th) {
      const hsvc = echo ? p.proto * 65536 + p.sport : svc;
      const k = `${p.src}>${hsvc}`;
      let st = hostKeys.get(k);
      if (st) {
        quiet(st.ep, th);
        if (clock - st.last > th) st = { ...st, last: -Infinity, probes: 0, hosts: new Map() };
      } else {
        st = { last: -Infinity, probes: 0, hosts: new Map(), ep: new Ep() };
      }
      hostKeys.set(k, st);
      st.last = Math.max(st.last, p.tsUs);
      st.probes++;
      touch(st.hosts, p.dst, p.tsUs);
      const n = distinctAfter(st.hosts, clock - th);
      if (n > nH) {
        bits |= 1 << abi.DET_PORTSCAN;
        bitsShort |= 1 << abi.DET_PORTSCAN;
        bitsLong |= 1 << abi.DET_PORTSCAN;
        const e = evidence(st.ep, i, p, abi.DET_PORTSCAN, abi.PORTSCAN_HOSTS, p.src, p.dst, n);
        e.valueShort = Math.max(e.valueShort, distinctAfter(st.hosts, clock - 7 * Math.max(1, Math.floor(th / 8))));
        e.aux = st.probes;
      }
    }

    // ---- SYNFLOOD per destination: completions, then SYNs (DST, then SLOW)
    if (keyedOn && gateOn && fm[i].handshake && p.tsUs > clock - keyWin) {
      const st = victims.get(p.dst);
      if (st) st.doneTimes.push(p.tsUs);
    }
    if (keyedOn && syn && p.tsUs > clock - keyWin) {
      let st = victims.get(p.dst);
      if (st) {
        quiet(st.ep, tm);
        quiet(st.epSlow, tslow);
        if (clock - st.last > keyWin) st = { ...st, last: -Infinity, synTimes: [], doneTimes: [] };
      } else {
        st = { last: -Infinity, synTimes: [], doneTimes: [], ep: new Ep(), sources: new Set(), epSlow: new Ep(), slowSources: new Set() };
      }
      victims.set(p.dst, st);
      st.last = Math.max(st.last, p.tsUs);
      st.synTimes.push(p.tsUs);
      /** [model, short, long] decisions of "more than m SYNs and the gate" over window `win`. */
      const decide = (win: number, m: number): { n: SynCounts; over: boolean[] } => {
        const n = synCounts(st.synTimes, clock, win);
        const d = synCounts(st.doneTimes, clock, win);
        const g = (syns: number, done: number) => !gateOn || done < f * syns;
        if (n.model > m) {
          if (!g(n.model, d.model)) gate.blocked++;
          else if (d.model > 0) gate.passedWithCompletions++;
        }
        return { n, over: [n.model > m && g(n.model, d.model), n.short > m && g(n.short, d.long), n.long > m && g(n.long, d.short)] };
      };
      let dstOver = false;
      if (c.floodOn && p.tsUs > clock - tm) {
        const { n, over } = decide(tm, c.floodM);
        dstOver = over[0];
        if (traceKey?.detector === abi.DET_SYNFLOOD && traceKey.dst === p.dst) {
          trace.push({ index: p.index ?? i, value: n.model, valueShort: n.model, over: dstOver });
        }
        if (over[1]) bitsShort |= 1 << abi.DET_SYNFLOOD;
        if (over[2]) bitsLong |= 1 << abi.DET_SYNFLOOD;
        if (dstOver) {
          bits |= 1 << abi.DET_SYNFLOOD;
          if (!st.ep.open) st.sources = new Set();
          const e = evidence(st.ep, i, p, abi.DET_SYNFLOOD, abi.SYNFLOOD_DST, p.src, p.dst, n.model);
          st.sources.add(p.src);
          e.aux = st.sources.size;
        }
      }
      if (sc.slowOn && p.tsUs > clock - tslow) {
        const { n, over } = decide(tslow, sc.slowM);
        if (over[1]) bitsShort |= 1 << abi.DET_SYNFLOOD;
        if (over[2]) bitsLong |= 1 << abi.DET_SYNFLOOD;
        if (over[0]) bits |= 1 << abi.DET_SYNFLOOD;
        if (over[0] && !dstOver) {
          if (!st.epSlow.open) st.slowSources = new Set();
          const e = evidence(st.epSlow, i, p, abi.DET_SYNFLOOD, abi.SYNFLOOD_SLOW, p.src, p.dst, n.model);
          st.slowSources.add(p.src);
          e.aux = st.slowSources.size;
        }
      }
    }

    // ---- SYNFLOOD spread
    if (c.spreadOn && syn && p.tsUs > clock - tsp) {
      quiet(spread.ep, tsp);
      spread.synTimes.push(p.tsUs);
      touch(spread.dsts, p.dst, p.tsUs);
      const cnt = synCounts(spread.synTimes, clock, tsp);
      const d = distinctAfter(spread.dsts, clock - tsp);
      if (d > nD && cnt.short > c.spreadM) bitsShort |= 1 << abi.DET_SYNFLOOD;
      if (d > nD && cnt.long > c.spreadM) bitsLong |= 1 << abi.DET_SYNFLOOD;
      if (d > nD && cnt.model > c.spreadM) {
        bits |= 1 << abi.DET_SYNFLOOD;
        if (!spread.ep.open) spread.set = new Set();
        const e = evidence(spread.ep, i, p, abi.DET_SYNFLOOD, abi.SYNFLOOD_SPREAD, p.src, '', cnt.model);
        spread.set.add(p.dst);
        e.aux = spread.set.size;
      }
    }
    marks.push(bits);
    marksShort.push(bitsShort);
    marksLong.push(bitsLong);
  });
  return { marks, marksShort, marksLong, episodes, trace, gate };
}
