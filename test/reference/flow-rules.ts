// Plain TypeScript reference of the per-flow rules BLACKLIST, LARGESIZE and UNUSUAL
// (assembly/detect/flow-rules.ts), written for obviousness, not speed: addresses as BigInt, the
// blacklist as a list scanned linearly ("inside any range"), the normal services as Sets, and a
// Map of flows keyed like the core's flow table (two (address, port) ends in canonical order,
// IP protocol, VLAN; ICMP request/reply types keyed by (type, counterpart); orig = the first
// sender; a packet more than the protocol's idle timeout after the flow's newest packet starts a
// new flow). Assumes no eviction (the flow table below its memory cap) and packets in timestamp
// order (so the core's idle sweep ends flows exactly where the lookup rule would).
import * as abi from '../../src/shared/abi';

/** One decoded packet, as the core sees it (packet.ts globals). */
export interface RefPacket {
  tsUs: number;
  src: Uint8Array; // 16 bytes, IPv4-mapped for IPv4
  dst: Uint8Array;
  sport: number;
  dport: number;
  proto: number;
  flags: number;
  label: number;
  size: number; // wire length
  vlan: number;
  recordIndex: number;
}

export interface RefConfig {
  blacklistOn: boolean;
  largeOn: boolean;
  largeBytes: number;
  unusualOn: boolean;
  /** Idle timeouts, seconds. */
  tcpTimeoutS: number;
  udpTimeoutS: number;
  icmpTimeoutS: number;
  otherTimeoutS: number;
}

/** An inclusive address range, addresses as 128-bit numbers. */
export interface RefRange {
  first: bigint;
  last: bigint;
}

export interface RefServices {
  tcp: Set<number>;
  udp: Set<number>;
  protos: Set<number>;
}

/** One episode as both alerts must show it (the NEW has COUNT 1, PEAK_RATE 1, LAST = TS and the
 *  first evidence packet's VALUE/SCORE/SEVERITY). */
export interface RefEpisode {
  detector: number;
  /** The first evidence packet. */
  first: RefPacket;
  variant: number;
  aux: number;
  threshold: number;
  newValue: number;
  newScore: number;
  newSeverity: number;
  count: number;
  lastUs: number;
  value: number;
  score: number;
  severity: number;
  peakRate: number;
}

export interface RefResult {
  /** Reason bits (1 << DET_*) per record index; packets without a reason are absent. */
  reasons: Map<number, number>;
  episodes: RefEpisode[];
}

export function addrBig(a: Uint8Array): bigint {
  let x = 0n;
  for (let i = 0; i < 16; i++) x = (x << 8n) | BigInt(a[i]);
  return x;
}

/** Zeek's ICMP counterpart types (flow-table.ts icmpCounterpart), -1 for one-way types. */
export function icmpCounterpart(proto: number, type: number): number {
  const v4: Record<number, number> = { 8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17 };
  const v6: Record<number, number> = {
    128: 129, 129: 128, 130: 131, 131: 130, 133: 134, 134: 133, 135: 136, 136: 135, 139: 140, 140: 139,
  };
  const t = proto === 1 ? v4 : v6;
  return t[type] ?? -1;
}

interface RefFlow {
  first: RefPacket;
  firstUs: number;
  lastUs: number;
  packets: number;
  bl: number; // match bits
  unusual: boolean;
  serverPort: number;
  large: { first: RefPacket; count: number; max: number; lastUs: number; bin: number; binCount: number; peak: number } | null;
}

const SEV_OF_LARGE = (v: number, s: number) => (v > 4 * s ? abi.SEV_MEDIUM : abi.SEV_LOW);

/** Runs the three rules over `packets` (in timestamp order) and returns reasons and episodes. */
export function referenceFlowRules(
  packets: RefPacket[],
  cfg: RefConfig,
  ranges: RefRange[],
  services: RefServices,
): RefResult {
  const blOn = cfg.blacklistOn && ranges.length > 0;
  const unOn = cfg.unusualOn && (services.tcp.size + services.udp.size + services.protos.size) > 0;
  const S = cfg.largeBytes;
  const limit = Math.floor(S);
  const flows = new Map<string, RefFlow>();
  const reasons = new Map<number, number>();
  const episodes: RefEpisode[] = [];
  const timeoutUs = (proto: number) =>
    1e6 * (proto === 6 ? cfg.tcpTimeoutS : proto === 17 ? cfg.udpTimeoutS : proto === 1 || proto === 58 ? cfg.icmpTimeoutS : cfg.otherTimeoutS);
  const inList = (a: Uint8Array) => {
    const x = addrBig(a);
    return ranges.some((r) => r.first <= x && x <= r.last);
  };
  const normal = (proto: number, port: number) =>
    services.protos.has(proto) || (proto === 6 && services.tcp.has(port)) || (proto === 17 && services.udp.has(port));

  const end = (f: RefFlow) => {
    const durS = Math.max((f.lastUs - f.firstUs) / 1e6, 1);
    if (f.bl) {
      const bits = f.bl;
      const score = (bits & 1) + ((bits >> 1) & 1);
      episodes.push({
        detector: abi.DET_BLACKLIST, first: f.first, variant: bits, aux: bits, threshold: 0,
        newValue: 1, newScore: score, newSeverity: abi.SEV_HIGH, count: f.packets, lastUs: f.lastUs,
        value: 1, score, severity: abi.SEV_HIGH, peakRate: f.packets / durS,
      });
    }
    if (f.unusual) {
      const p = f.first.proto;
      const value = p === 6 || p === 17 ? f.serverPort : 0;
      episodes.push({
        detector: abi.DET_UNUSUAL, first: f.first, variant: 0, aux: p, threshold: 0,
        newValue: value, newScore: 1, newSeverity: abi.SEV_LOW, count: f.packets, lastUs: f.lastUs,
        value, score: 1, severity: abi.SEV_LOW, peakRate: f.packets / durS,
      });
    }
    if (f.large) {
      const l = f.large;
      const v0 = l.first.size;
      episodes.push({
        detector: abi.DET_LARGESIZE, first: l.first, variant: 0, aux: 0, threshold: S,
        newValue: v0, newScore: S > 0 ? v0 / S : v0, newSeverity: SEV_OF_LARGE(v0, S), count: l.count,
        lastUs: l.lastUs, value: l.max, score: S > 0 ? l.max / S : l.max, severity: SEV_OF_LARGE(l.max, S),
        peakRate: l.peak,
      });
    }
  };

  for (const p of packets) {
    let dp = p.dport;
    if (p.proto === 1 || p.proto === 58) {
      const c = icmpCounterpart(p.proto, p.sport);
      if (c >= 0) dp = c;
    }
    const a = (addrBig(p.src) << 16n) | BigInt(p.sport);
    const b = (addrBig(p.dst) << 16n) | BigInt(dp);
    const key = a <= b ? `${a}|${b}|${p.proto}|${p.vlan}` : `${b}|${a}|${p.proto}|${p.vlan}`;
    let f = flows.get(key);
    if (f && p.tsUs - f.lastUs > timeoutUs(p.proto)) {
      end(f);
      f = undefined;
    }
    if (!f) {
      f = { first: p, firstUs: p.tsUs, lastUs: p.tsUs, packets: 0, bl: 0, unusual: false, serverPort: 0, large: null };
      flows.set(key, f);
      if (blOn) f.bl = (inList(p.src) ? abi.BLACKLIST_MATCH_SRC : 0) | (inList(p.dst) ? abi.BLACKLIST_MATCH_DST : 0);
      if (unOn) {
        if (p.proto === 6 && (p.flags & 0x12) === 0x12) {
          // SYN+ACK: from the server.
          f.serverPort = p.sport;
          f.unusual = !normal(6, p.sport);
        } else if ((p.proto === 6 && !(p.flags & 0x02)) || p.proto === 17) {
          // No direction: normal when either port is (a reply of a normal service).
          f.serverPort = p.dport;
          f.unusual = !normal(p.proto, p.dport) && !normal(p.proto, p.sport);
        } else {
          f.serverPort = p.dport;
          f.unusual = !normal(p.proto, p.dport);
        }
      }
    }
    f.packets++;
    f.lastUs = Math.max(f.lastUs, p.tsUs);
    f.firstUs = Math.min(f.firstUs, p.tsUs);
    let r = 0;
    if (f.bl) r |= 1 << abi.DET_BLACKLIST;
    if (f.unusual) r |= 1 << abi.DET_UNUSUAL;
    if (cfg.largeOn && p.size > limit) {
      r |= 1 << abi.DET_LARGESIZE;
      const bin = Math.floor(p.tsUs / 1e6);
      if (!f.large) {
        f.large = { first: p, count: 1, max: p.size, lastUs: p.tsUs, bin, binCount: 1, peak: 1 };
      } else {
        const l = f.large;
        l.count++;
        l.max = Math.max(l.max, p.size);
        l.lastUs = Math.max(l.lastUs, p.tsUs);
        if (bin > l.bin) {
          l.bin = bin;
          l.binCount = 1;
        } else {
          l.binCount++;
        }
        l.peak = Math.max(l.peak, l.binCount);
      }
    }
    if (r) reasons.set(p.recordIndex, r);
  }
  for (const f of flows.values()) end(f);
  return { reasons, episodes };
}

/** The normal-services bitmaps (abi.SERVICES_*) for `s`: what the host writes at servicesPtr(). */
export function servicesBitmap(s: RefServices): Uint8Array {
  const out = new Uint8Array(abi.SERVICES_BYTES);
  const set = (base: number, n: number) => (out[base + (n >> 3)] |= 1 << (n & 7));
  for (const p of s.tcp) set(abi.SERVICES_TCP, p);
  for (const p of s.udp) set(abi.SERVICES_UDP, p);
  for (const p of s.protos) set(abi.SERVICES_PROTO, p);
  return out;
}

/** 16 big-endian bytes of a 128-bit number. */
export function bigAddr(x: bigint): Uint8Array {
  const a = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    a[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return a;
}

/** The host's range bytes (abi.BLACKLIST_RANGE_BYTES each, in the given order). */
export function rangeBytes(ranges: RefRange[]): Uint8Array {
  const out = new Uint8Array(ranges.length * abi.BLACKLIST_RANGE_BYTES);
  ranges.forEach((r, i) => {
    out.set(bigAddr(r.first), i * abi.BLACKLIST_RANGE_BYTES);
    out.set(bigAddr(r.last), i * abi.BLACKLIST_RANGE_BYTES + 16);
  });
  return out;
}

/** The range of CIDR prefix `addr`/`len` over 128-bit addresses (IPv4: pass the mapped address
 *  and 96 + the IPv4 prefix length). */
export function cidr(addr: Uint8Array, len: number): RefRange {
  const x = addrBig(addr);
  const hostBits = BigInt(128 - len);
  const mask = (1n << hostBits) - 1n;
  return { first: x & ~mask & ((1n << 128n) - 1n), last: (x & ~mask) | mask };
}
