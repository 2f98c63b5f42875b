// Plain TypeScript reference of the core's flow windows (assembly/detect/flow-window.ts, whose header
// states the semantics): flows keyed as the flow table keys them (two ends in canonical order, ICMP
// request/reply counterparts, protocol, VLAN; orig = the first sender), idle expiry on lookup,
// tumbling windows closed by the watermark (newest - lateness), late packets folded into the
// flow's earliest open window, end reasons, and FWIN_DST_PORTS from exact per-originator sets.
// Written with Maps and Sets and no cleverness: it walks the packets in input order and, after
// every packet that moves the watermark into a new window, emits every closed window of every flow.
// It has no sweep, no eviction and no memory cap: the core's results must not depend on those
// (tests keep the tables below their caps).

/** One packet, as the core sees it after decoding (addresses are 16 bytes, IPv4-mapped for IPv4). */
export interface RefPacket {
  ts: number; // µs
  src: Uint8Array;
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
  flags: number;
  size: number;
  vlan: number;
  label: number;
  recordIndex: number;
}

export interface RefConfig {
  windowS: number;
  latenessS: number;
  tcpTimeoutS: number;
  udpTimeoutS: number;
  icmpTimeoutS: number;
  otherTimeoutS: number;
}

export const DEFAULT_REF_CONFIG: RefConfig = {
  windowS: 60,
  latenessS: 5,
  tcpTimeoutS: 300,
  udpTimeoutS: 60,
  icmpTimeoutS: 60,
  otherTimeoutS: 60,
};

/** One flow-window record (abi.FWIN_* fields). Addresses as 32 hex digits. */
export interface RefWindow {
  startUs: number;
  firstUs: number;
  lastUs: number;
  orig: string;
  resp: string;
  origPort: number;
  respPort: number;
  proto: number;
  end: number;
  label: number;
  packets: number;
  syn: number;
  bytes: number;
  dstPorts: number;
  vlan: number;
  firstRecord: number;
  late: number;
}

export interface RefResult {
  windows: RefWindow[];
  latePackets: number;
}

// abi.FWIN_END_*
const END_CLOSED = 0;
const END_IDLE = 1;
const END_INPUT = 3;

interface Win {
  start: number;
  first: number;
  last: number;
  bytes: number;
  packets: number;
  syn: number;
  firstRecord: number;
  late: number;
  origSeen: boolean;
}

interface Flow {
  origAddr: string;
  respAddr: string;
  origPort: number;
  respPort: number;
  origIsLo: boolean;
  proto: number;
  vlan: number;
  label: number;
  last: number;
  wins: Win[]; // sorted by start, at most two
}

export function hex(a: Uint8Array): string {
  return Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Zeek's ICMP counterpart type, or -1 (same table as flow-table.ts). */
function icmpCounterpart(proto: number, type: number): number {
  const v4: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
  const v6: Record<number, number> = { 128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135, 139: 140, 140: 139 };
  const t = proto === 1 ? v4[type] : v6[type];
  return t === undefined ? -1 : t;
}

/** Window length and lateness in µs, clamped as the core does (flow-window.ts). */
export function windowParams(c: RefConfig): { windowUs: number; latenessUs: number } {
  const windowUs = Math.max(1000, Math.round(c.windowS * 1e6));
  let latenessUs = c.latenessS > 0 ? Math.round(c.latenessS * 1e6) : 0;
  if (latenessUs >= windowUs) latenessUs = windowUs - 1;
  return { windowUs, latenessUs };
}

/** The flow table's key of packet `p` (canonical ends, ICMP counterpart, protocol, VLAN), whether
 *  its sender is the lo end, and the key's ports of the sender (sp) and receiver (dp). */
export function flowKey(p: RefPacket): { key: string; srcIsLo: boolean; sp: number; dp: number } {
  const sp = p.sport;
  let dp = p.dport;
  if (p.proto === 1 || p.proto === 58) {
    const cp = icmpCounterpart(p.proto, sp);
    if (cp >= 0) dp = cp;
  }
  const hs = hex(p.src);
  const hd = hex(p.dst);
  const srcIsLo = hs < hd || (hs === hd && sp <= dp);
  const key = srcIsLo ? `${hs} ${sp} ${hd} ${dp} ${p.proto} ${p.vlan}` : `${hd} ${dp} ${hs} ${sp} ${p.proto} ${p.vlan}`;
  return { key, srcIsLo, sp, dp };
}

const hasPorts = (proto: number) => proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136;

/** Computes every flow-window record of `packets` (in input order) under config `c`. */
export function referenceFlowWindows(packets: RefPacket[], c: RefConfig = DEFAULT_REF_CONFIG): RefResult {
  const { windowUs: W, latenessUs: L } = windowParams(c);
  const timeout = (proto: number) =>
    Math.trunc(
      (proto === 6 ? c.tcpTimeoutS : proto === 17 ? c.udpTimeoutS : proto === 1 || proto === 58 ? c.icmpTimeoutS : c.otherTimeoutS) * 1e6,
    );
  const floorStart = (t: number) => t - (((t % W) + W) % W);
  const flows = new Map<string, Flow>();
  let ended: Flow[] = [];
  /** originator (address hex + VLAN) -> window start -> responder ports */
  const sources = new Map<string, Map<number, Set<number>>>();
  const out: RefWindow[] = [];
  let newest = -Infinity;
  let openStart = -Infinity;
  let latePackets = 0;

  const endLabel = (f: Flow, start: number, why: number): number => {
    const closeAt = start + W + L;
    const expireAt = f.last + timeout(f.proto) + 1;
    if (closeAt <= expireAt) return newest >= closeAt ? END_CLOSED : why;
    return newest >= expireAt ? END_IDLE : why;
  };
  const emitFirst = (f: Flow, why: number) => {
    const w = f.wins.shift()!;
    out.push({
      startUs: w.start,
      firstUs: w.first,
      lastUs: w.last,
      orig: f.origAddr,
      resp: f.respAddr,
      origPort: f.origPort,
      respPort: f.respPort,
      proto: f.proto,
      end: endLabel(f, w.start, why),
      label: f.label,
      packets: w.packets,
      syn: w.syn,
      bytes: w.bytes,
      dstPorts: sources.get(`${f.origAddr}/${f.vlan}`)?.get(w.start)?.size ?? 0,
      vlan: f.vlan,
      firstRecord: w.firstRecord,
      late: w.late,
    });
  };
  const emitClosed = (f: Flow) => {
    while (f.wins.length > 0 && f.wins[0].start < openStart) emitFirst(f, END_CLOSED);
  };

  for (const p of packets) {
    if (p.ts > newest) newest = p.ts;
    const { key, srcIsLo, sp, dp } = flowKey(p);
    const hs = hex(p.src);
    const hd = hex(p.dst);
    let f = flows.get(key);
    if (f && (p.ts - f.last > timeout(f.proto) || newest - f.last > timeout(f.proto) + L)) {
      // Idle expiry: closed windows now, open ones when they close.
      while (f.wins.length > 0 && f.wins[0].start + W + L <= newest) emitFirst(f, END_IDLE);
      flows.delete(key);
      if (f.wins.length > 0) ended.push(f);
      f = undefined;
    }
    if (!f) {
      f = {
        origAddr: hs,
        respAddr: hd,
        origPort: sp,
        respPort: dp,
        origIsLo: srcIsLo,
        proto: p.proto,
        vlan: p.vlan,
        label: p.label,
        last: p.ts,
        wins: [],
      };
      flows.set(key, f);
    } else if (p.ts > f.last) {
      f.last = p.ts;
    }
    const isOrig = f.origIsLo === srcIsLo;
    // The watermark.
    let moved = false;
    if (floorStart(newest - L) > openStart) {
      openStart = floorStart(newest - L);
      moved = true;
    }
    emitClosed(f);
    let start: number;
    let t = p.ts;
    const late = p.ts < openStart;
    if (late) {
      latePackets++;
      start = f.wins.length > 0 ? f.wins[0].start : openStart;
      t = start;
    } else {
      start = floorStart(p.ts);
    }
    let w = f.wins.find((x) => x.start === start);
    if (!w) {
      w = { start, first: t, last: t, bytes: 0, packets: 0, syn: 0, firstRecord: p.recordIndex, late: 0, origSeen: false };
      f.wins.push(w);
      f.wins.sort((a, b) => a.start - b.start);
    }
    w.packets++;
    w.bytes += p.size;
    if (p.flags & 2) w.syn++;
    if (t > w.last) w.last = t;
    if (t < w.first) {
      w.first = t;
      w.firstRecord = p.recordIndex;
    }
    if (late) w.late++;
    if (isOrig && !w.origSeen) {
      w.origSeen = true;
      if (hasPorts(p.proto)) {
        const sk = `${hs}/${p.vlan}`;
        let byStart = sources.get(sk);
        if (!byStart) sources.set(sk, (byStart = new Map()));
        let set = byStart.get(start);
        if (!set) byStart.set(start, (set = new Set()));
        set.add(p.dport);
      }
    }
    if (moved) {
      // The catch-up pass (the core runs it before the next packet).
      for (const g of flows.values()) emitClosed(g);
      for (const g of ended) emitClosed(g);
      ended = ended.filter((g) => g.wins.length > 0);
    }
  }
  // End of input.
  for (const g of [...flows.values(), ...ended]) while (g.wins.length > 0) emitFirst(g, END_INPUT);
  return { windows: out, latePackets };
}
