// The per-flow rule detectors BLACKLIST, LARGESIZE and UNUSUAL (issue #3). Each judges packets of
// one flow and keeps one episode per flow: ALERT_KIND_NEW at the first evidence packet, and
// ALERT_KIND_UPDATE when the flow ends (idle expiry, eviction, end of input) with the final
// COUNT/LAST/VALUE/PEAK_RATE. State lives in the flow slot (bytes 124-159, zero for a new flow)
// plus, for LARGESIZE only, a record in a small pool. Never allocates per packet (the pool grows
// by doubling, like the tables); reads config only in flowRulesReset().
//
// Semantics (the plain TypeScript reference is test/reference/flow-rules.ts):
// - BLACKLIST (DET_BLACKLIST, CFG_BLACKLIST_ENABLED): when the flow is created, both ends of its
//   first packet are looked up in the host's ranges (detect/blacklist.ts: binary search over the
//   sorted ranges, 128-bit big-endian compares); the result is stored in the slot and each later
//   packet only tests those bits. VARIANT = AUX = BLACKLIST_MATCH_SRC | BLACKLIST_MATCH_DST of
//   the ends that matched, relative to the flow's first packet (SRC = the originator). Every
//   packet of a matching flow (both directions) is evidence. No list loaded (or disabled): no
//   work. C_BLACKLIST_RANGES = valid ranges given (first <= last), set at reset (0 when disabled).
//   SEVERITY high; SCORE = number of matching ends (1 or 2); VALUE 1; THRESHOLD 0.
// - LARGESIZE (DET_LARGESIZE, CFG_LARGESIZE_ENABLED): a packet whose wire length is larger than
//   S = CFG_LARGESIZE_BYTES (default 1500, the Ethernet MTU) is evidence; the episode is the
//   flow. Note: captures taken on a host with segmentation offload (TSO/GSO, GRO/LRO) hold frames
//   of up to 64 KiB that never crossed the wire at that size (IPv4 total length 0 "likely TSO"),
//   so such captures flag bulk TCP flows; raise S for them. VALUE = the packet size at NEW, the
//   largest evidence size at UPDATE; THRESHOLD = S; SCORE = VALUE / S (VALUE when S <= 0);
//   SEVERITY low, medium when VALUE > 4 x S (a frame 4 MTUs long is offload or reassembly, not a
//   jumbo-frame LAN). AUX 0.
// - UNUSUAL (DET_UNUSUAL, CFG_UNUSUAL_ENABLED): the flow's (IP protocol, server port) is judged
//   once, at creation, against the host's normal-services bitmaps (rule-inputs.ts SERVICES,
//   layout abi.SERVICES_*): the pair is normal when the protocol bitmap has the protocol's bit
//   (every port of it normal), or for TCP (6) the TCP bitmap, for UDP (17) the UDP bitmap has the
//   port's bit. Other protocols are judged by the protocol bitmap alone; protocol 0 (a CSV row's
//   unknown protocol) by its bit 0. The server port is the port the originator's first packet
//   went to, never a reply's destination port. Since the first captured packet may be a reply,
//   the first packet decides:
//     TCP with SYN and ACK (the SYN was missed, or SYN/ACK reflection): it comes from the server,
//       so its SOURCE port is judged (and is VALUE);
//     TCP with SYN, no ACK: a connection to the destination port; that port is judged;
//     TCP without SYN (capture began mid-connection; RST/ACK backscatter), UDP: no direction, so,
//       as Zeek's likely_server_ports heuristic, a normal source port marks a reply of that
//       service: unusual = neither port normal (VALUE = the destination port).
//   Real reflection captures (stopddos_amp.TCP.reflection.SYNACK.pcap) open thousands of flows
//   with SYN/ACKs and RSTs from 80/443 to random ports; without this each would be "unusual". The
//   price: a flow from source port 53/80/443 to an odd port passes when its SYN is not captured.
//   When the host wrote no normal set at all (every bitmap byte 0 at reset) UNUSUAL does nothing,
//   instead of flagging every flow. Every packet of an unusual flow (both directions) is
//   evidence. VALUE = the server port for TCP and UDP, 0 for other protocols; AUX = the IP
//   protocol number; SEVERITY low; SCORE 1; THRESHOLD 0.
// - Alerts: NEW = alertFromPacket() of the first evidence packet + DETECTOR, SEVERITY, SCORE,
//   VALUE, THRESHOLD, COUNT 1, PEAK_RATE 1, EPISODE = episodeId(); C_ALERTS_<DET> counts NEWs.
//   UPDATE repeats the NEW's subject fields (TS, SRC, DST, ports, label, SIZE, RECORD_INDEX,
//   RECORD_OFFSET, VLAN) with COUNT = evidence packets, LAST = the newest evidence packet time,
//   the final VALUE/SCORE/SEVERITY and PEAK_RATE. Evidence packets are marked (markReason) per
//   packet; markCommit() counts C_MARKS_<DET>.
// - PEAK_RATE: LARGESIZE keeps 1-s bins of packet time (abi's definition): bin = floor(ts / 1 s);
//   a packet of a later bin than the current one starts it (count 1), a packet of the current or an
//   earlier bin (out of order) counts into the current one; PEAK_RATE = the largest bin count. For
//   BLACKLIST and UNUSUAL every packet of the flow is evidence and there is no room for bins in
//   the slot: PEAK_RATE = COUNT / max(duration, 1 s), duration = the flow's newest minus oldest
//   packet time (the mean rate; 1 at NEW).
// - State, flow slot bytes 124-159 (zero for a new flow; filled only when BLACKLIST or UNUSUAL
//   matched): flags, the first packet's label/record index/time/size/destination port/record
//   offset (for the UPDATE's subject; the addresses, source port and VLAN come from the flow key;
//   the destination port is kept because for ICMP the key holds the type's counterpart, not the
//   code), the episode id (UNUSUAL's is BLACKLIST's + 1 when both fired: they are allocated
//   back to back), and the LARGESIZE pool reference. Bounds: the record offset is kept in 48 bits
//   (exact for inputs below 256 TiB).
// - LARGESIZE pool: one ALERT_STRIDE (160 B) record per open LARGESIZE episode (the live alert:
//   its subject fields from the NEW, the running COUNT/VALUE/LAST/PEAK_RATE, and the current bin
//   kept in the MEAN/SAMPLES fields, which are zeroed in the UPDATE), reused through a free list
//   and doubled when full. Live records <= live flows with a large packet, so the pool stays
//   below 160 B x the flow table's live flows.
import * as abi from "../abi";
import { cfg } from "../config";
import { cInc, cSet } from "../counters";
import {
  PKT_SRC, PKT_DST, pktTsUs, pktWireLen, pktProto, pktSport, pktDport, pktTcpFlags, pktProtoLabel,
  pktRecordIndex, pktRecordOffset,
} from "../packet";
import { curFlow, curFresh } from "../table/flow-table";
import { alertAppend, alertFromPacket, episodeId, markReason } from "./output";
import { SERVICES, blacklistBase, blacklistCount } from "./rule-inputs";
import { blacklistLoad, blacklistMatch } from "./blacklist";

// ---- flow slot bytes 124-159 ----
const FR_FLAGS: usize = 124; // u8 F_*
// 125: spare
const FR_LABEL: usize = 126; // u16 protocol label of the flow's first packet
const FR_INDEX: usize = 128; // u32 record index of the flow's first packet
const FR_EPISODE: usize = 132; // u32 first episode id (BLACKLIST's, else UNUSUAL's)
const FR_TS: usize = 136; // i64 time of the flow's first packet (µs)
const FR_SIZE: usize = 144; // u32 wire length of the flow's first packet
const FR_DPORT: usize = 148; // u16 destination port of the flow's first packet (ICMP: code)
const FR_OFF_HI: usize = 150; // u16 record offset of the first packet, bits 32-47
const FR_OFF_LO: usize = 152; // u32 record offset, bits 0-31
const FR_LS_REF: usize = 156; // u32 LARGESIZE pool record + 1 (0: no episode)

const F_BL_SRC: u32 = <u32>abi.BLACKLIST_MATCH_SRC; // 1
const F_BL_DST: u32 = <u32>abi.BLACKLIST_MATCH_DST; // 2
const F_BL: u32 = F_BL_SRC | F_BL_DST;
const F_UNUSUAL: u32 = 4;
/** UNUSUAL judged the first packet's source port (TCP SYN+ACK first). */
const F_SWAPPED: u32 = 8;

const POOL_STRIDE: usize = <usize>abi.ALERT_STRIDE;
const POOL_INITIAL: u32 = 64;
/** Inside a pool record: the current 1-s bin (i64) and its count (u32), zeroed in the UPDATE. */
const P_BIN: usize = <usize>abi.ALERT_MEAN;
const P_BIN_COUNT: usize = <usize>abi.ALERT_SAMPLES;

let blOn = false;
let unOn = false;
let lsOn = false;
let anyOn = false;
/** Judging at flow creation is needed (BLACKLIST or UNUSUAL on). */
let judgeOn = false;
/** LARGESIZE fires for wire lengths > lsLimit (floor(S), clamped to [-1, 2^32]). */
let lsLimit: i64 = 1500;
let lsBytes: f64 = 1500;

let pool: usize = 0;
let poolCap: u32 = 0;
let poolUsed: u32 = 0;
let poolFree: u32 = 0; // head of the free list (ref = index + 1), 0 = empty

/** Reads CFG_BLACKLIST_ENABLED, CFG_LARGESIZE_ENABLED, CFG_LARGESIZE_BYTES, CFG_UNUSUAL_ENABLED,
 *  loads the blacklist ranges (sets C_BLACKLIST_RANGES), checks the services bitmaps and empties
 *  the LARGESIZE pool. */
export function flowRulesReset(): void {
  const ranges = cfg(abi.CFG_BLACKLIST_ENABLED) != 0 ? blacklistLoad(blacklistBase(), blacklistCount()) : blacklistLoad(0, 0);
  cSet(abi.C_BLACKLIST_RANGES, <f64>ranges);
  blOn = ranges > 0;
  unOn = cfg(abi.CFG_UNUSUAL_ENABLED) != 0 && servicesWritten();
  lsOn = cfg(abi.CFG_LARGESIZE_ENABLED) != 0;
  lsBytes = cfg(abi.CFG_LARGESIZE_BYTES);
  const s = Math.floor(lsBytes);
  lsLimit = s != s ? 4294967296 : s < -1 ? -1 : s > 4294967296.0 ? 4294967296 : <i64>s;
  judgeOn = blOn || unOn;
  anyOn = judgeOn || lsOn;
  if (pool != 0) heap.free(pool);
  pool = 0;
  poolCap = 0;
  poolUsed = 0;
  poolFree = 0;
}

function servicesWritten(): bool {
  // SERVICES_BYTES (16416) is a multiple of 8.
  for (let i: usize = 0; i < <usize>abi.SERVICES_BYTES; i += 8) if (load<u64>(SERVICES + i) != 0) return true;
  return false;
}

/** True when (proto, port) is in the normal set (see the header). */
@inline function serviceNormal(proto: u32, port: u32): bool {
  const p = proto & 255;
  if ((<u32>load<u8>(SERVICES + <usize>abi.SERVICES_PROTO + (p >> 3)) >> (p & 7)) & 1) return true;
  const q = port & 0xffff;
  if (proto == 6) return ((<u32>load<u8>(SERVICES + <usize>abi.SERVICES_TCP + (q >> 3)) >> (q & 7)) & 1) != 0;
  if (proto == 17) return ((<u32>load<u8>(SERVICES + <usize>abi.SERVICES_UDP + (q >> 3)) >> (q & 7)) & 1) != 0;
  return false;
}

/** Per packet, after the flow table (curFlow/curFresh valid): judges a new flow, marks evidence,
 *  and runs LARGESIZE. Cost when nothing matches: two flag tests, one slot byte and one compare. */
export function flowRulesPacket(): void {
  if (!anyOn) return;
  const s = curFlow;
  if (curFresh && judgeOn) judge(s);
  const f = <u32>load<u8>(s + FR_FLAGS);
  if (f != 0) {
    if (f & F_BL) markReason(abi.DET_BLACKLIST);
    if (f & F_UNUSUAL) markReason(abi.DET_UNUSUAL);
  }
  if (lsOn && <i64>pktWireLen > lsLimit) largePacket(s);
}

/** BLACKLIST and UNUSUAL on the first packet of the flow in slot `s`. */
function judge(s: usize): void {
  let flags: u32 = 0;
  if (blOn) {
    if (blacklistMatch(PKT_SRC)) flags |= F_BL_SRC;
    if (blacklistMatch(PKT_DST)) flags |= F_BL_DST;
  }
  if (unOn) {
    const proto = pktProto;
    const tf = pktTcpFlags;
    if (proto == 6 && (tf & 0x12) == 0x12) {
      // SYN+ACK: sent by the server.
      if (!serviceNormal(6, pktSport)) flags |= F_UNUSUAL | F_SWAPPED;
    } else if ((proto == 6 && (tf & 0x02) == 0) || proto == 17) {
      // Direction unknown (no SYN, or UDP): a normal source port means a reply of that service.
      if (!serviceNormal(proto, pktDport) && !serviceNormal(proto, pktSport)) flags |= F_UNUSUAL;
    } else if (!serviceNormal(proto, pktDport)) {
      flags |= F_UNUSUAL;
    }
  }
  if (flags == 0) return;
  store<u8>(s + FR_FLAGS, <u8>flags);
  store<u16>(s + FR_LABEL, <u16>pktProtoLabel);
  store<u32>(s + FR_INDEX, pktRecordIndex);
  store<i64>(s + FR_TS, pktTsUs);
  store<u32>(s + FR_SIZE, pktWireLen);
  store<u16>(s + FR_DPORT, <u16>pktDport);
  const off = <u64>pktRecordOffset;
  store<u16>(s + FR_OFF_HI, <u16>(off >> 32));
  store<u32>(s + FR_OFF_LO, <u32>off);
  let first = true;
  if (flags & F_BL) {
    const a = newAlert(abi.DET_BLACKLIST);
    fillBlacklist(a, flags);
    store<u8>(a + abi.ALERT_VARIANT, <u8>(flags & F_BL));
    store<u32>(s + FR_EPISODE, load<u32>(a + abi.ALERT_EPISODE));
    first = false;
    cInc(abi.C_ALERTS_BLACKLIST);
  }
  if (flags & F_UNUSUAL) {
    const a = newAlert(abi.DET_UNUSUAL);
    fillUnusual(a, flags, pktProto, pktSport, pktDport);
    if (first) store<u32>(s + FR_EPISODE, load<u32>(a + abi.ALERT_EPISODE));
    cInc(abi.C_ALERTS_UNUSUAL);
  }
}

/** A NEW alert of `det` for the current packet: subject fields, COUNT 1, PEAK_RATE 1, a new episode. */
@inline function newAlert(det: i32): usize {
  const a = alertAppend();
  alertFromPacket(a, pktRecordOffset);
  store<u8>(a + abi.ALERT_DETECTOR, <u8>det);
  store<f64>(a + abi.ALERT_COUNT, 1);
  store<f64>(a + abi.ALERT_PEAK_RATE, 1);
  store<u32>(a + abi.ALERT_EPISODE, episodeId());
  store<u8>(a + abi.ALERT_KIND, <u8>abi.ALERT_KIND_NEW);
  return a;
}

@inline function fillBlacklist(a: usize, flags: u32): void {
  const bits = flags & F_BL;
  store<u8>(a + abi.ALERT_SEVERITY, <u8>abi.SEV_HIGH);
  store<f64>(a + abi.ALERT_SCORE, <f64>popcnt<u32>(bits));
  store<f64>(a + abi.ALERT_VALUE, 1);
  store<f64>(a + abi.ALERT_AUX, <f64>bits);
}

@inline function fillUnusual(a: usize, flags: u32, proto: u32, sport: u32, dport: u32): void {
  const port = (flags & F_SWAPPED) ? sport : dport;
  store<u8>(a + abi.ALERT_SEVERITY, <u8>abi.SEV_LOW);
  store<f64>(a + abi.ALERT_SCORE, 1);
  store<f64>(a + abi.ALERT_VALUE, proto == 6 || proto == 17 ? <f64>port : 0);
  store<f64>(a + abi.ALERT_AUX, <f64>proto);
}

@inline function fillLarge(a: usize, value: f64): void {
  store<u8>(a + abi.ALERT_SEVERITY, <u8>(value > 4 * lsBytes ? abi.SEV_MEDIUM : abi.SEV_LOW));
  store<f64>(a + abi.ALERT_SCORE, lsBytes > 0 ? value / lsBytes : value);
  store<f64>(a + abi.ALERT_VALUE, value);
}

/** floor(ts / 1 s) for µs times (also before 1970). */
@inline function binOf(tsUs: i64): i64 {
  const q = tsUs / 1000000;
  return tsUs < 0 && q * 1000000 != tsUs ? q - 1 : q;
}

@inline function poolAt(ref: u32): usize {
  return pool + <usize>(ref - 1) * POOL_STRIDE;
}

/** A pool record (ref = index + 1): from the free list, else the next unused one, doubling when full. */
function poolTake(): u32 {
  if (poolFree != 0) {
    const ref = poolFree;
    poolFree = load<u32>(poolAt(ref));
    return ref;
  }
  if (poolUsed == poolCap) {
    const cap = poolCap == 0 ? POOL_INITIAL : poolCap * 2;
    pool = pool == 0 ? heap.alloc(<usize>cap * POOL_STRIDE) : heap.realloc(pool, <usize>cap * POOL_STRIDE);
    poolCap = cap;
  }
  poolUsed++;
  return poolUsed;
}

@inline function poolGive(ref: u32): void {
  store<u32>(poolAt(ref), poolFree);
  poolFree = ref;
}

/** LARGESIZE evidence: the current packet of the flow in slot `s` is larger than S. */
function largePacket(s: usize): void {
  markReason(abi.DET_LARGESIZE);
  const ts = pktTsUs;
  const size = <f64>pktWireLen;
  const ref = load<u32>(s + FR_LS_REF);
  if (ref == 0) {
    const a = newAlert(abi.DET_LARGESIZE);
    fillLarge(a, size);
    store<f64>(a + abi.ALERT_THRESHOLD, lsBytes);
    cInc(abi.C_ALERTS_LARGESIZE);
    const r2 = poolTake();
    const r = poolAt(r2);
    memory.copy(r, a, POOL_STRIDE);
    store<i64>(r + P_BIN, binOf(ts));
    store<u32>(r + P_BIN_COUNT, 1);
    store<u32>(s + FR_LS_REF, r2);
    return;
  }
  const r = poolAt(ref);
  store<f64>(r + abi.ALERT_COUNT, load<f64>(r + abi.ALERT_COUNT) + 1);
  if (size > load<f64>(r + abi.ALERT_VALUE)) store<f64>(r + abi.ALERT_VALUE, size);
  if (ts > load<i64>(r + abi.ALERT_LAST_US)) store<i64>(r + abi.ALERT_LAST_US, ts);
  const b = binOf(ts);
  let n: u32 = 1;
  if (b > load<i64>(r + P_BIN)) store<i64>(r + P_BIN, b);
  else n = load<u32>(r + P_BIN_COUNT) + 1;
  store<u32>(r + P_BIN_COUNT, n);
  if (<f64>n > load<f64>(r + abi.ALERT_PEAK_RATE)) store<f64>(r + abi.ALERT_PEAK_RATE, <f64>n);
}

/** The flow in slot `s` (a copy when evicted) ended for `why` (abi.FWIN_END_*): writes the UPDATE
 *  of each of its open episodes (at most 3 alerts; the caller checked the room). At FWIN_END_INPUT
 *  the slot stays, so its episodes are marked closed. */
export function flowRulesEnd(s: usize, why: i32): void {
  if (!anyOn) return;
  const f = <u32>load<u8>(s + FR_FLAGS);
  if (f & (F_BL | F_UNUSUAL)) {
    let ep = load<u32>(s + FR_EPISODE);
    if (f & F_BL) {
      const a = updateFromFlow(s, abi.DET_BLACKLIST, ep++);
      fillBlacklist(a, f);
      store<u8>(a + abi.ALERT_VARIANT, <u8>(f & F_BL));
    }
    if (f & F_UNUSUAL) {
      const a = updateFromFlow(s, abi.DET_UNUSUAL, ep);
      const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
      const sport = <u32>load<u16>(s + (origIsLo ? abi.FLOW_LO_PORT : abi.FLOW_HI_PORT));
      fillUnusual(a, f, load<u32>(s + abi.FLOW_PROTO), sport, <u32>load<u16>(s + FR_DPORT));
    }
  }
  const ref = load<u32>(s + FR_LS_REF);
  if (ref != 0) {
    const r = poolAt(ref);
    const a = alertAppend();
    memory.copy(a, r, POOL_STRIDE);
    store<i64>(a + P_BIN, 0);
    store<u32>(a + P_BIN_COUNT, 0);
    store<u8>(a + abi.ALERT_KIND, <u8>abi.ALERT_KIND_UPDATE);
    fillLarge(a, load<f64>(a + abi.ALERT_VALUE));
    poolGive(ref);
  }
  if (why == abi.FWIN_END_INPUT) {
    store<u8>(s + FR_FLAGS, 0);
    store<u32>(s + FR_LS_REF, 0);
  }
}

/** An UPDATE alert of `det`, episode `ep`, for the flow in slot `s`: the subject of the flow's
 *  first packet (stored at creation and the flow key), COUNT = the flow's packets, LAST = its
 *  newest packet, PEAK_RATE = COUNT / max(duration, 1 s). */
function updateFromFlow(s: usize, det: i32, ep: u32): usize {
  const a = alertAppend();
  const origIsLo = (load<u32>(s + abi.FLOW_ORIG_IS_LO) & 1) != 0;
  const origAddr = s + (origIsLo ? abi.FLOW_LO_ADDR : abi.FLOW_HI_ADDR);
  const respAddr = s + (origIsLo ? abi.FLOW_HI_ADDR : abi.FLOW_LO_ADDR);
  v128.store(a + abi.ALERT_SRC, v128.load(origAddr));
  v128.store(a + abi.ALERT_DST, v128.load(respAddr));
  store<u16>(a + abi.ALERT_SPORT, load<u16>(s + (origIsLo ? abi.FLOW_LO_PORT : abi.FLOW_HI_PORT)));
  store<u16>(a + abi.ALERT_DPORT, load<u16>(s + FR_DPORT));
  store<u16>(a + abi.ALERT_PROTO_LABEL, load<u16>(s + FR_LABEL));
  store<u8>(a + abi.ALERT_DETECTOR, <u8>det);
  store<u32>(a + abi.ALERT_SIZE, load<u32>(s + FR_SIZE));
  store<u32>(a + abi.ALERT_RECORD_INDEX, load<u32>(s + FR_INDEX));
  store<u32>(a + abi.ALERT_VLAN, load<u32>(s + abi.FLOW_VLAN));
  const off = (<u64>load<u16>(s + FR_OFF_HI) << 32) | <u64>load<u32>(s + FR_OFF_LO);
  store<f64>(a + abi.ALERT_RECORD_OFFSET, <f64>off);
  store<i64>(a + abi.ALERT_TS_US, load<i64>(s + FR_TS));
  const last = load<i64>(s + abi.FLOW_LAST_US);
  store<i64>(a + abi.ALERT_LAST_US, last);
  const count = <f64>load<u32>(s + abi.FLOW_PKTS_ORIG) + <f64>load<u32>(s + abi.FLOW_PKTS_RESP);
  store<f64>(a + abi.ALERT_COUNT, count);
  const durS = <f64>(last - load<i64>(s + abi.FLOW_FIRST_US)) / 1e6;
  store<f64>(a + abi.ALERT_PEAK_RATE, count / max<f64>(durS, 1));
  store<u32>(a + abi.ALERT_EPISODE, ep);
  store<u8>(a + abi.ALERT_KIND, <u8>abi.ALERT_KIND_UPDATE);
  return a;
}
