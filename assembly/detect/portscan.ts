// PORTSCAN: three keyed sliding-window rules over the probes a source SENDS (never the ports its
// replies reach), each an episode detector (abi.ts ALERT_* episode protocol). Reads config only in
// portscanReset(); no allocation per packet; only fresh flows and SYNs do table work.
//
// Probe (the reference in test/reference/scan-rules.ts uses the same definition): the packet that
// created its flow (flow-table.ts curFresh; its sender is the flow's originator), not a non-first
// fragment, not ICMP/ICMPv6 (an ICMP error quotes the offending packet's header: those ports are
// the quoted packet's), and not a TCP reply (RST set, or SYN and ACK both set): a scan victim's
// RSTs and SYN/ACKs to thousands of the scanner's ports never make it a scanner. FIN, NULL, XMAS,
// ACK, window and UDP probes are probes. Service of a probe = (IP protocol << 16) | port, where
// port = the destination port for TCP and UDP and the protocol number itself for other IP
// protocols (an IP-protocol scan, nmap -sO, probes one service per protocol number). A packet
// older than clock - T (clock = newest packet time so far) is outside the window and ignored.
//
// Variants (abi.PORTSCAN_*), key = (scanner, target) addresses for PORTS and SYN (Zeek
// Scan::Port_Scan semantics; VLAN not part of the key), (scanner, service) for HOSTS:
// - PORTSCAN_PORTS: more than N (CFG_PORTSCAN_PORTS, default 10) distinct services of one target
//   probed in (clock - T, clock] (CFG_PORTSCAN_WINDOW_S, 60 s). Exact decision (sliding.ts
//   recent-distinct set of N+1 entries). Evidence = every probe of the pair while the count is
//   above N (the crossing one included). VALUE = distinct services in the window (peak), AUX =
//   probes of the pair since its state started (a pair is forgotten after T without probes).
// - PORTSCAN_SYN (strict): more than S SYNs (CFG_PORTSCAN_SYN_SYNS, 100; TCP SYN set, ACK clear,
//   every such packet, retransmissions included) and more than P distinct destination ports of
//   those SYNs (CFG_PORTSCAN_SYN_PORTS, 20) of one target within T (CFG_PORTSCAN_SYN_WINDOW_S,
//   60 s). Ports exact; SYNs in a bucket counter (sliding.ts: the count covers [(floor(clock/w) -
//   15)·w, clock], w = floor(T/16): between 15/16·T and T). Evidence = every SYN of the pair while
//   both hold. VALUE = SYNs in the window (peak), AUX = distinct SYN ports in the window (peak).
// - PORTSCAN_HOSTS (address scan): more than H distinct destination hosts (CFG_ADDRSCAN_HOSTS, 25,
//   Zeek Scan::addr_scan_threshold) probed on one service by one source within T
//   (CFG_ADDRSCAN_WINDOW_S, 300 s, Zeek Scan::addr_scan_interval). Hosts are kept as 64-bit
//   fingerprints of the 16-byte address (exact unless two of them collide: probability below
//   k/2^64 per probe). ICMP echo requests (ICMP type 8, ICMPv6 type 128) that open a flow count as
//   probes of service (protocol << 16 | type) (ping sweeps); ICMP errors never. VALUE = distinct
//   hosts (peak), AUX = probes since the key's state started. DST of the alert = the host of the
//   first evidence probe. Answered probes stop counting, as in Zeek (which counts only failed
//   connection attempts): when the first packet a probed host sends back in the probe's flow is
//   not a RST (a SYN/ACK, a UDP reply, an echo reply), the host leaves the key's set (hostAnswer);
//   a RST, an ICMP error (another flow) or silence keep it. The decision is still made at each
//   probe, so a client that opens flows to more than H servers on one port faster than they
//   answer fires it. While the key's episode is open answers change nothing (the alert is made;
//   keeping the count exact after the set filled would need unbounded memory); the hosts pushed
//   out of a full set then are all older than the episode's last evidence, hence out of the
//   window by the time the episode closes, so the count stays exact. Measured on real captures:
//   the benign normal/perf/real_mix_ndpi_zeek_merged peaks at 56 hosts probed on one service in
//   300 s (UDP 6000) but 21 unanswered, below H = 25.
// Distinct counts above the threshold (VALUE of PORTS and HOSTS, AUX of SYN) are estimated: when
// the exact count first exceeds the threshold (PORTS, HOSTS: the episode opens; SYN: the ports
// condition first holds since the key's state started, the sketch then stays with the key), a
// sliding HyperLogLog sketch (sliding.ts: 256 registers, 8 sub-windows, std error 6.5%, window
// between 7/8·T and T) is seeded with the N+1 exact entries (at that moment every id in the
// window) and fed every later probe. VALUE = round(estimate) clamped to [N+1, probes of the key]
// (the key's probes bound its distinct services in the window); AUX of SYN = round(estimate), at
// least P+1. With no sketch left in the pool (more than max(64, floor(CFG_SCAN_MEMORY_CAP_BYTES /
// 8 / 2,328)) sketches in use at once) the value stays at the exact lower bound N+1 (P+1).
//
// Episodes (one per key and variant): ALERT_KIND_NEW at the first evidence packet (VALUE = N+1
// for PORTS and HOSTS, the SYN count for SYN); every later evidence packet updates COUNT, LAST,
// the peak VALUE, PEAK_RATE (evidence packets per 1-s bin of the clock) and AUX; the episode ends
// when the clock passes LAST + T (checked at the key's next packet and by the sweep) or at flush:
// then ALERT_KIND_UPDATE with the same EPISODE. SEVERITY: MEDIUM, HIGH when VALUE > 10 x the
// threshold; SCORE = VALUE / threshold. SRC = scanner, DST = target, ports and protocol label of
// the first evidence packet. C_ALERTS_PORTSCAN counts episodes of all three variants.
//
// Memory per key, constant (a source probing 65,535 ports costs what one probing 11 does):
// pair slot = 64 B (header, key, counters) + per enabled variant: PORTS 104 + 16·(N+1) B, SYN
// 104 + 80 + 16·(P+1) B; defaults 864 B. Host slot = 48 + 104 + 16·(H+1) B; default 568 B. N, P
// and H are capped at MAX_DISTINCT = 255. Each table doubles up to CFG_SCAN_MEMORY_CAP_BYTES (64
// MiB), then evicts the least recently seen key near the new key's home slot (open-table.ts),
// closing its episodes first (C_PORTSCAN_KEYS_EVICTED, C_ADDRSCAN_KEYS_EVICTED). The sketch pool
// takes at most CFG_SCAN_MEMORY_CAP_BYTES / 8 more.
// Sweep: on one packet in SWEEP_EVERY (sliding.ts), SWEEP_SLOTS slots of each table close quiet
// episodes and remove keys idle for longer than their window (at most SWEEP_ALERTS alerts per
// table per sweep). Per packet this
// module writes at most 13 alerts (pair: 2 closes, 2 new, 2 evicted; host: 1+1+1; sweeps 2+2).
// Trace (CFG_TRACE_ENABLED, CFG_TRACE_DETECTOR = DET_PORTSCAN): the pair (TRACE_KEY src, dst) gets
// a sketch from its first probe; one point per counted probe: TRACE_SIZE = distinct services in
// the window after it (exact up to N, then as VALUE), TRACE_MEAN = N, TRACE_FLAGS bit 0 always,
// bit 1 when over N; TRACE_STD and TRACE_Z NaN.
import * as abi from "../abi";
import { cfg } from "../config";
import { cGet, cInc, cSet } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktProto, pktSport, pktDport, pktTcpFlags, pktIsFragment, pktRecordIndex,
} from "../packet";
import { curFlow, curFresh, curIsOrig } from "../table/flow-table";
import { OpenTable, SLOT_AUX, SLOT_LAST, SLOT_KEY, keysEqual } from "../table/open-table";
import { seedFromConfig, hashWords, fmix32 } from "../table/hash";
import { markReason, outputRoomFor, traceAppend, TRACE_KEY } from "./output";
import {
  recentBytes, recentTouch, recentCount, recentRemove, BC_BYTES, bcInit, bcAdd, bucketUs, skPoolReset, skAlloc,
  skRelease, skAdd, skEstimate, skWidthUs, windowUs, SWEEP_EVERY, epStart, epEvidence, epAlert, EP_BYTES, EP_ID,
  EP_LAST_US, EP_SKETCH, EP_AUX, EP_ADDR,
} from "./sliding";

/** Largest distinct-count threshold (N, P, H); larger values are clamped to it. */
export const MAX_DISTINCT: f64 = 255;
/** Slots each sweep checks per packet, and the most episodes it closes per packet. */
export const SWEEP_SLOTS: u32 = 4;
export const SWEEP_ALERTS: i32 = 2;
const INITIAL_KEYS: f64 = 1024;

// ---- pair slot: header 16, key 32 (scanner, target), then ----
const PAIR_KEY_BYTES: usize = 32;
const PAIR_KEY_WORDS: i32 = 8;
const P_PROBES: usize = 48; // u32 probes since the pair's state started
const P_PORTS_USED: usize = 52; // u32 entries of the PORTS set in use
const P_SYN_USED: usize = 56; // u32 entries of the SYN-ports set in use
const P_TRACE_SK: usize = 60; // u32 sketch owned by the traced pair, 0 none
// SLOT_AUX: 1 for the traced pair (TRACE_KEY), else 0.
const PAIR_FIXED: usize = 64;
// ---- host slot: header 16, key 20 (scanner, u32 service), then ----
const HOST_KEY_BYTES: usize = 20;
const HOST_KEY_WORDS: i32 = 5;
const H_PROBES: usize = 36; // u32
const H_USED: usize = 40; // u32
const H_EP: usize = 48; // episode (EP_BYTES)
const H_RECENT: usize = H_EP + EP_BYTES;

const KEY: usize = memory.data(48, 16);

export const pairs = new OpenTable();
export const hosts = new OpenTable();

let portsOn = false;
let synOn = false;
let hostsOn = false;
let traceOn = false;
let portsN: f64 = 10;
let portsK: i32 = 11;
let portsWinUs: i64 = 0;
let portsWinS: f64 = 0;
let portsSkW: i64 = 1;
let synS: f64 = 100;
let synP: f64 = 20;
let synK: i32 = 21;
let synWinUs: i64 = 0;
let synWinS: f64 = 0;
let synBcW: i64 = 1;
let synSkW: i64 = 1;
let hostsH: f64 = 25;
let hostsK: i32 = 26;
let hostsWinUs: i64 = 0;
let hostsWinS: f64 = 0;
let hostsSkW: i64 = 1;
let pairIdleUs: i64 = 0;
let oEpPorts: usize = 0;
let oRecPorts: usize = 0;
let oEpSyn: usize = 0;
let oBc: usize = 0;
let oRecSyn: usize = 0;
let seedSvc: u32 = 0;
let seedPort: u32 = 0;
let seedHostA: u32 = 0;
let seedHostB: u32 = 0;
let pairSweep: u32 = 0;
let hostSweep: u32 = 0;
let pairFlush: u32 = 0;
let hostFlush: u32 = 0;
let sweepTick: u32 = 0;

function distinctThreshold(v: f64): f64 {
  return Math.min(MAX_DISTINCT, Math.max(0, Math.floor(v)));
}

/** Copies the config (CFG_PORTSCAN_*, CFG_ADDRSCAN_*, CFG_SCAN_MEMORY_CAP_BYTES, CFG_TRACE_*,
 *  CFG_SEED), sizes the slots and (re)allocates the tables of the enabled variants. */
export function portscanReset(): void {
  portsOn = cfg(abi.CFG_PORTSCAN_ENABLED) != 0;
  synOn = cfg(abi.CFG_PORTSCAN_SYN_ENABLED) != 0;
  hostsOn = cfg(abi.CFG_ADDRSCAN_ENABLED) != 0;
  traceOn = cfg(abi.CFG_TRACE_ENABLED) != 0 && <i32>cfg(abi.CFG_TRACE_DETECTOR) == abi.DET_PORTSCAN;
  portsN = distinctThreshold(cfg(abi.CFG_PORTSCAN_PORTS));
  portsK = <i32>portsN + 1;
  portsWinS = cfg(abi.CFG_PORTSCAN_WINDOW_S);
  portsWinUs = windowUs(portsWinS);
  portsSkW = skWidthUs(portsWinUs);
  synS = cfg(abi.CFG_PORTSCAN_SYN_SYNS);
  synP = distinctThreshold(cfg(abi.CFG_PORTSCAN_SYN_PORTS));
  synK = <i32>synP + 1;
  synWinS = cfg(abi.CFG_PORTSCAN_SYN_WINDOW_S);
  synWinUs = windowUs(synWinS);
  synBcW = bucketUs(synWinUs);
  synSkW = skWidthUs(synWinUs);
  hostsH = distinctThreshold(cfg(abi.CFG_ADDRSCAN_HOSTS));
  hostsK = <i32>hostsH + 1;
  hostsWinS = cfg(abi.CFG_ADDRSCAN_WINDOW_S);
  hostsWinUs = windowUs(hostsWinS);
  hostsSkW = skWidthUs(hostsWinUs);
  pairIdleUs = 0;
  let o = PAIR_FIXED;
  if (portsOn) {
    oEpPorts = o;
    o += EP_BYTES;
    oRecPorts = o;
    o += recentBytes(portsK);
    pairIdleUs = portsWinUs;
  }
  if (synOn) {
    oEpSyn = o;
    o += EP_BYTES;
    oBc = o;
    o += BC_BYTES;
    oRecSyn = o;
    o += recentBytes(synK);
    if (synWinUs > pairIdleUs) pairIdleUs = synWinUs;
  }
  const seed = seedFromConfig(cfg(abi.CFG_SEED));
  seedSvc = fmix32(seed ^ 0x2f6b1d35);
  seedPort = fmix32(seed ^ 0x7a3c9e41);
  seedHostA = fmix32(seed ^ 0x1b56c4e9);
  seedHostB = fmix32(seed ^ 0x63d8a7f1);
  const cap = cfg(abi.CFG_SCAN_MEMORY_CAP_BYTES);
  if (portsOn || synOn) {
    pairs.init(INITIAL_KEYS, o, PAIR_KEY_BYTES, cap, seed ^ 0x85ebca6b);
    pairs.clearBytes = PAIR_FIXED; // pairInit() writes the rest that is read
  } else pairs.release();
  if (hostsOn) {
    hosts.init(INITIAL_KEYS, H_RECENT + recentBytes(hostsK), HOST_KEY_BYTES, cap, seed ^ 0xc2b2ae35);
    hosts.clearBytes = H_RECENT; // the recent set is read up to H_USED only
  } else hosts.release();
  skPoolReset(cap / 8);
  pairSweep = 0;
  hostSweep = 0;
  sweepTick = 0;
  pairFlush = 0;
  hostFlush = 0;
  publish();
}

@inline function publish(): void {
  cSet(abi.C_PORTSCAN_KEYS_LIVE, <f64>pairs.count);
  cSet(abi.C_ADDRSCAN_KEYS_LIVE, <f64>hosts.count);
}

/** The service of the current probe: (protocol << 16) | destination port (TCP, UDP) or protocol. */
@inline function service(): u32 {
  const proto = pktProto;
  return (proto << 16) | (proto == 6 || proto == 17 ? pktDport : proto);
}

/** A distinct count above the threshold: the sketch's estimate, rounded, clamped to [k, probes]
 *  (k: the exact set says at least k; probes: the key's probes bound the distinct ones). */
function distinctValue(sk: u32, clock: i64, w: i64, k: i32, probes: u32): f64 {
  return Math.min(Math.max(<f64>k, Math.round(skEstimate(sk, clock, w))), <f64>probes);
}

/** Looks at the current packet (after flowPacket()): probes and SYNs update their keys; every
 *  other packet returns at once. Appends alerts, marks (markReason) and trace points. */
export function portscanPacket(): void {
  if (!portsOn && !synOn && !hostsOn) return;
  const proto = pktProto;
  const f = pktTcpFlags;
  const tcp = proto == 6;
  const syn = tcp && (f & 0x12) == 0x02;
  let probe = false;
  let echo = false;
  if (curFresh && !pktIsFragment) {
    if (proto == 1 || proto == 58) echo = pktSport == (proto == 1 ? <u32>8 : <u32>128);
    else probe = !(tcp && ((f & 0x04) != 0 || (f & 0x12) == 0x12));
  }
  const pairWork = (portsOn && probe) || (synOn && syn);
  const hostWork = hostsOn && (probe || echo);
  if (!pairWork && !hostWork) {
    // The first packet the responder sends in its flow, unless a RST: the probe was answered.
    if (hostsOn && !curFresh && !curIsOrig && curFlow != 0 && !pktIsFragment &&
        load<u32>(curFlow + abi.FLOW_PKTS_RESP) == 1 && !(tcp && (f & 0x04) != 0)) {
      hostAnswer(<i64>cGet(abi.C_TS_LAST_US));
    }
    return;
  }
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (pairWork) pairPacket(portsOn && probe, synOn && syn, clock);
  if (hostWork) hostPacket(echo, clock);
  publish();
}

// ---------------------------------------------------------------- pairs (PORTS, SYN)

/** Sketch feeding the PORTS variant of pair slot `s`: the episode's, else the trace's. */
@inline function portsSketch(s: usize): u32 {
  const e = <u32>load<u16>(s + oEpPorts + EP_SKETCH);
  return e != 0 ? e : load<u32>(s + P_TRACE_SK);
}

/** Starts the state of pair slot `s` (`reused`: an idle slot whose value must be cleared; a slot
 *  fresh from insert() is zeroed already). */
function pairInit(s: usize, reused: bool): void {
  // Only what is read before it is written (pairs.clearBytes = PAIR_FIXED): the counters, each
  // episode's id and sketch, the bucket counter. The recent sets are read up to their used counts.
  if (reused) memory.fill(s + SLOT_KEY + PAIR_KEY_BYTES, 0, PAIR_FIXED - SLOT_KEY - PAIR_KEY_BYTES);
  store<i64>(s + SLOT_LAST, i64.MIN_VALUE);
  if (portsOn) {
    store<u32>(s + oEpPorts + EP_ID, 0);
    store<u16>(s + oEpPorts + EP_SKETCH, 0);
  }
  if (synOn) {
    store<u32>(s + oEpSyn + EP_ID, 0);
    store<u16>(s + oEpSyn + EP_SKETCH, 0);
    bcInit(s + oBc);
  }
  if (traceOn && portsOn && keysEqual(s + SLOT_KEY, TRACE_KEY, PAIR_KEY_WORDS)) {
    store<u32>(s + SLOT_AUX, 1);
    store<u32>(s + P_TRACE_SK, skAlloc());
  }
}

function closePorts(s: usize): void {
  const ep = s + oEpPorts;
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_PORTSCAN, abi.PORTSCAN_PORTS, s + SLOT_KEY, s + SLOT_KEY + 16,
    portsN, portsWinS);
  skRelease(<u32>load<u16>(ep + EP_SKETCH));
  store<u16>(ep + EP_SKETCH, 0);
  store<u32>(ep + EP_ID, 0);
}

function closeSyn(s: usize): void {
  const ep = s + oEpSyn;
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_PORTSCAN, abi.PORTSCAN_SYN, s + SLOT_KEY, s + SLOT_KEY + 16,
    synS, synWinS);
  store<u32>(ep + EP_ID, 0); // the SYN-ports sketch belongs to the key (pairEnd releases it)
}

/** Closes the episodes of pair slot `s` that had no evidence for their window; returns how many. */
function pairQuiet(s: usize, clock: i64): i32 {
  let n = 0;
  if (portsOn && load<u32>(s + oEpPorts + EP_ID) != 0 && clock - load<i64>(s + oEpPorts + EP_LAST_US) > portsWinUs) {
    closePorts(s);
    n++;
  }
  if (synOn && load<u32>(s + oEpSyn + EP_ID) != 0 && clock - load<i64>(s + oEpSyn + EP_LAST_US) > synWinUs) {
    closeSyn(s);
    n++;
  }
  return n;
}

/** Ends pair slot `s` (or an evicted copy): closes its open episodes and returns its sketches. */
function pairEnd(s: usize): i32 {
  let n = 0;
  if (portsOn && load<u32>(s + oEpPorts + EP_ID) != 0) {
    closePorts(s);
    n++;
  }
  if (synOn && load<u32>(s + oEpSyn + EP_ID) != 0) {
    closeSyn(s);
    n++;
  }
  skRelease(load<u32>(s + P_TRACE_SK));
  store<u32>(s + P_TRACE_SK, 0);
  if (synOn) {
    skRelease(<u32>load<u16>(s + oEpSyn + EP_SKETCH));
    store<u16>(s + oEpSyn + EP_SKETCH, 0);
  }
  return n;
}

function pairPacket(probe: bool, syn: bool, clock: i64): void {
  const ts = pktTsUs;
  const inPorts = probe && ts > clock - portsWinUs;
  const inSyn = syn && ts > clock - synWinUs;
  if (!inPorts && !inSyn) return;
  v128.store(KEY, v128.load(PKT_SRC));
  v128.store(KEY, v128.load(PKT_DST), 16);
  const h = pairs.hash(KEY, PAIR_KEY_WORDS);
  let s = pairs.find(KEY, h, PAIR_KEY_WORDS);
  if (s == 0) {
    s = pairs.insert(KEY, h);
    if (pairs.evicted) {
      cInc(abi.C_PORTSCAN_KEYS_EVICTED);
      pairEnd(pairs.evictedCopy);
    }
    pairInit(s, false);
  } else {
    pairQuiet(s, clock);
    if (clock - load<i64>(s + SLOT_LAST) > pairIdleUs) {
      pairEnd(s);
      pairInit(s, true);
    }
  }
  if (ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);
  if (inPorts) portsProbe(s, ts, clock);
  if (inSyn) synProbe(s, ts, clock);
}

function portsProbe(s: usize, ts: i64, clock: i64): void {
  const probes = load<u32>(s + P_PROBES) + 1;
  store<u32>(s + P_PROBES, probes);
  const svc = service();
  const rec = s + oRecPorts;
  recentTouch(rec, s + P_PORTS_USED, portsK, <u64>svc, ts);
  const n = recentCount(rec, <i32>load<u32>(s + P_PORTS_USED), clock - portsWinUs);
  const over = n >= portsK;
  const ep = s + oEpPorts;
  let sk = portsSketch(s);
  if (sk != 0) skAdd(sk, fmix32(svc ^ seedSvc), ts, clock, portsSkW);
  let value = <f64>n;
  if (over) {
    markReason(abi.DET_PORTSCAN);
    if (load<u32>(ep + EP_ID) == 0) {
      epStart(ep, 0);
      if (sk == 0) {
        sk = skAlloc();
        if (sk != 0) {
          // Seed with the exact set: at the crossing it holds every service in the window.
          for (let i = 0; i < portsK; i++) {
            const e = rec + (<usize>i << 4);
            skAdd(sk, fmix32(<u32>load<u64>(e, 8) ^ seedSvc), load<i64>(e), clock, portsSkW);
          }
          store<u16>(ep + EP_SKETCH, <u16>sk);
        }
      }
      epEvidence(ep, clock, value);
      store<f64>(ep + EP_AUX, <f64>probes);
      epAlert(ep, abi.ALERT_KIND_NEW, abi.DET_PORTSCAN, abi.PORTSCAN_PORTS, s + SLOT_KEY, s + SLOT_KEY + 16,
        portsN, portsWinS);
      cInc(abi.C_ALERTS_PORTSCAN);
    } else {
      if (sk != 0) value = distinctValue(sk, clock, portsSkW, portsK, probes);
      epEvidence(ep, clock, value);
      store<f64>(ep + EP_AUX, <f64>probes);
    }
  }
  if (traceOn && load<u32>(s + SLOT_AUX) == 1) {
    if (over && sk != 0) value = distinctValue(sk, clock, portsSkW, portsK, probes);
    const p = traceAppend();
    store<i64>(p + abi.TRACE_TS_US, ts);
    store<f64>(p + abi.TRACE_SIZE, value);
    store<f64>(p + abi.TRACE_MEAN, portsN);
    store<f64>(p + abi.TRACE_STD, NaN);
    store<f64>(p + abi.TRACE_Z, NaN);
    store<u32>(p + abi.TRACE_FLAGS, over ? 3 : 1);
    store<u32>(p + abi.TRACE_RECORD_INDEX, pktRecordIndex);
  }
}

function synProbe(s: usize, ts: i64, clock: i64): void {
  const c = bcAdd(s + oBc, ts, clock, synBcW);
  const port = pktDport;
  const rec = s + oRecSyn;
  recentTouch(rec, s + P_SYN_USED, synK, <u64>port, ts);
  const n = recentCount(rec, <i32>load<u32>(s + P_SYN_USED), clock - synWinUs);
  const ep = s + oEpSyn;
  let sk = <u32>load<u16>(ep + EP_SKETCH);
  if (sk != 0) {
    skAdd(sk, fmix32(port ^ seedPort), ts, clock, synSkW);
  } else if (n >= synK) {
    // First time above P since the key's state started: the exact set holds every SYN port in
    // the window, so the sketch starts exact. It stays with the key (the ports condition may
    // outlive an episode of the SYN-count condition).
    sk = skAlloc();
    if (sk != 0) {
      for (let i = 0; i < synK; i++) {
        const e = rec + (<usize>i << 4);
        skAdd(sk, fmix32(<u32>load<u64>(e, 8) ^ seedPort), load<i64>(e), clock, synSkW);
      }
      store<u16>(ep + EP_SKETCH, <u16>sk);
    }
  }
  if (<f64>c <= synS || n < synK) return;
  markReason(abi.DET_PORTSCAN);
  let ports = <f64>synK;
  if (sk != 0) ports = Math.max(ports, Math.round(skEstimate(sk, clock, synSkW)));
  if (load<u32>(ep + EP_ID) == 0) {
    epStart(ep, 0);
    epEvidence(ep, clock, <f64>c);
    store<f64>(ep + EP_AUX, ports);
    epAlert(ep, abi.ALERT_KIND_NEW, abi.DET_PORTSCAN, abi.PORTSCAN_SYN, s + SLOT_KEY, s + SLOT_KEY + 16,
      synS, synWinS);
    cInc(abi.C_ALERTS_PORTSCAN);
  } else {
    epEvidence(ep, clock, <f64>c);
    if (ports > load<f64>(ep + EP_AUX)) store<f64>(ep + EP_AUX, ports);
  }
}

// ---------------------------------------------------------------- hosts (address scan)

/** 64-bit fingerprint of a 16-byte address: two independent seeded 32-bit hashes. */
@inline function hostId(addr: usize): u64 {
  return (<u64>hashWords(addr, 4, seedHostA) << 32) | <u64>hashWords(addr, 4, seedHostB);
}

function closeHosts(s: usize): void {
  const ep = s + H_EP;
  epAlert(ep, abi.ALERT_KIND_UPDATE, abi.DET_PORTSCAN, abi.PORTSCAN_HOSTS, s + SLOT_KEY, ep + EP_ADDR,
    hostsH, hostsWinS);
  skRelease(<u32>load<u16>(ep + EP_SKETCH));
  store<u16>(ep + EP_SKETCH, 0);
  store<u32>(ep + EP_ID, 0);
}

function hostPacket(echo: bool, clock: i64): void {
  const ts = pktTsUs;
  if (ts <= clock - hostsWinUs) return;
  const svc: u32 = echo ? (pktProto << 16) | pktSport : service();
  v128.store(KEY, v128.load(PKT_SRC));
  store<u32>(KEY + 16, svc);
  const h = hosts.hash(KEY, HOST_KEY_WORDS);
  let s = hosts.find(KEY, h, HOST_KEY_WORDS);
  let fresh = false;
  if (s == 0) {
    s = hosts.insert(KEY, h); // zeroed
    if (hosts.evicted) {
      cInc(abi.C_ADDRSCAN_KEYS_EVICTED);
      if (load<u32>(hosts.evictedCopy + H_EP + EP_ID) != 0) closeHosts(hosts.evictedCopy);
    }
    fresh = true;
  } else {
    if (load<u32>(s + H_EP + EP_ID) != 0 && clock - load<i64>(s + H_EP + EP_LAST_US) > hostsWinUs) closeHosts(s);
    fresh = clock - load<i64>(s + SLOT_LAST) > hostsWinUs;
    if (fresh) memory.fill(s + SLOT_KEY + HOST_KEY_BYTES, 0, H_RECENT - SLOT_KEY - HOST_KEY_BYTES);
  }
  if (fresh || ts > load<i64>(s + SLOT_LAST)) store<i64>(s + SLOT_LAST, ts);
  const probes = load<u32>(s + H_PROBES) + 1;
  store<u32>(s + H_PROBES, probes);
  const id = hostId(PKT_DST);
  const rec = s + H_RECENT;
  recentTouch(rec, s + H_USED, hostsK, id, ts);
  const n = recentCount(rec, <i32>load<u32>(s + H_USED), clock - hostsWinUs);
  const ep = s + H_EP;
  let sk = <u32>load<u16>(ep + EP_SKETCH);
  if (sk != 0) skAdd(sk, <u32>id, ts, clock, hostsSkW);
  if (n < hostsK) return;
  markReason(abi.DET_PORTSCAN);
  let value = <f64>n;
  if (load<u32>(ep + EP_ID) == 0) {
    epStart(ep, PKT_DST);
    sk = skAlloc();
    if (sk != 0) {
      for (let i = 0; i < hostsK; i++) {
        const e = rec + (<usize>i << 4);
        skAdd(sk, <u32>load<u64>(e, 8), load<i64>(e), clock, hostsSkW);
      }
      store<u16>(ep + EP_SKETCH, <u16>sk);
    }
    epEvidence(ep, clock, value);
    store<f64>(ep + EP_AUX, <f64>probes);
    epAlert(ep, abi.ALERT_KIND_NEW, abi.DET_PORTSCAN, abi.PORTSCAN_HOSTS, s + SLOT_KEY, ep + EP_ADDR,
      hostsH, hostsWinS);
    cInc(abi.C_ALERTS_PORTSCAN);
  } else {
    if (sk != 0) value = distinctValue(sk, clock, hostsSkW, hostsK, probes);
    epEvidence(ep, clock, value);
    store<f64>(ep + EP_AUX, <f64>probes);
  }
}

/** The current packet is the first one a probed host sent back in the probe's flow, not a RST
 *  (a SYN/ACK, a UDP reply, an echo reply...): the probe succeeded, so the host stops counting for
 *  the (scanner, service) key (Zeek counts only failed attempts), unless the key's episode is open
 *  (closed first when quiet, as at a probe): then the decision has been made and the host stays.
 *  The key is (this packet's destination = the flow's originator, the service its probe named). */
function hostAnswer(clock: i64): void {
  const proto = pktProto;
  let svc: u32;
  if (proto == 6 || proto == 17) svc = (proto << 16) | pktSport;
  else if (proto == 1 || proto == 58) {
    if (pktSport != (proto == 1 ? <u32>0 : <u32>129)) return; // only echo replies answer echo probes
    svc = (proto << 16) | (proto == 1 ? <u32>8 : <u32>128);
  } else svc = (proto << 16) | proto;
  v128.store(KEY, v128.load(PKT_DST));
  store<u32>(KEY + 16, svc);
  const s = hosts.find(KEY, hosts.hash(KEY, HOST_KEY_WORDS), HOST_KEY_WORDS);
  if (s == 0) return;
  const ep = s + H_EP;
  if (load<u32>(ep + EP_ID) != 0) {
    if (clock - load<i64>(ep + EP_LAST_US) <= hostsWinUs) return;
    closeHosts(s);
  }
  recentRemove(s + H_RECENT, s + H_USED, hostId(PKT_SRC));
}

// ---------------------------------------------------------------- sweep and flush

/** Checks SWEEP_SLOTS slots of each table: closes quiet episodes, removes keys idle for longer
 *  than their window (closing their episodes first). At most SWEEP_ALERTS alerts per table. */
export function portscanSweep(): void {
  if (!portsOn && !synOn && !hostsOn) return;
  if (++sweepTick < SWEEP_EVERY) return;
  sweepTick = 0;
  const clock = <i64>cGet(abi.C_TS_LAST_US);
  if (portsOn || synOn) {
    const mask = pairs.mask;
    let i = pairSweep & mask;
    let budget = SWEEP_ALERTS;
    for (let k: u32 = 0; k < SWEEP_SLOTS && budget >= 2; k++) {
      const s = pairs.slotAt(i);
      if (pairs.used(i)) {
        if (clock - load<i64>(s + SLOT_LAST) > pairIdleUs) {
          budget -= pairEnd(s);
          pairs.remove(s);
          continue; // a later entry moved into slot i
        }
        budget -= pairQuiet(s, clock);
      }
      i = (i + 1) & mask;
    }
    pairSweep = i;
  }
  if (hostsOn) {
    const mask = hosts.mask;
    let i = hostSweep & mask;
    let budget = SWEEP_ALERTS;
    for (let k: u32 = 0; k < SWEEP_SLOTS && budget >= 1; k++) {
      const s = hosts.slotAt(i);
      if (hosts.used(i)) {
        const open = load<u32>(s + H_EP + EP_ID) != 0;
        const idle = clock - load<i64>(s + SLOT_LAST) > hostsWinUs;
        if (open && (idle || clock - load<i64>(s + H_EP + EP_LAST_US) > hostsWinUs)) {
          closeHosts(s);
          budget--;
        }
        if (idle) {
          hosts.remove(s);
          continue;
        }
      }
      i = (i + 1) & mask;
    }
    hostSweep = i;
  }
  publish();
}

/** End of input: closes every open episode (keys stay). Resumable: false when the alert region
 *  ran out of room (drain and call again). */
export function portscanFlush(): bool {
  if (portsOn || synOn) {
    const cap = pairs.cap;
    while (pairFlush < cap) {
      if (!outputRoomFor(2, 0)) return false;
      const s = pairs.slotAt(pairFlush);
      if (load<u32>(s) != 0) pairEnd(s);
      pairFlush++;
    }
  }
  if (hostsOn) {
    const cap = hosts.cap;
    while (hostFlush < cap) {
      if (!outputRoomFor(1, 0)) return false;
      const s = hosts.slotAt(hostFlush);
      if (load<u32>(s) != 0 && load<u32>(s + H_EP + EP_ID) != 0) closeHosts(s);
      hostFlush++;
    }
  }
  return true;
}
