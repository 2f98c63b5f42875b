// Per-flow TCP state, RETRANS, LATENCY, LONGCONN and connection records through the whole core
// (assembly/detect/tcp-flow.ts, latency.ts, longconn.ts, conn.ts): a differential test against
// the plain TypeScript reference (test/reference/tcp.ts) on random TCP streams (sequence
// wrap-around, out-of-order and duplicated segments, retransmissions, keep-alives, retried SYNs
// and SYN/ACKs, FIN/RST endings); real captures of tcp_behaviour/ against the manifest's figures;
// benign captures; connection records against a direct computation; constant memory per key.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { shiftPcapng } from '../worker/latency-capture';
import { DATA, newEngine, readAlert, type RawAlert } from '../helpers/core';
import { rng } from '../helpers/rng';
import { cat, eth, ipv4, pcap, tcp, udp, type PcapRec } from './decode-helpers';
import { connState, referenceTcp, type RefSegment } from '../reference/tcp';

const STATE_NAMES = ['OTH', 'S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0', 'RSTRH', 'SH', 'SHR'];

interface Conn {
  firstUs: number;
  lastUs: number;
  orig: string;
  resp: string;
  origPort: number;
  respPort: number;
  proto: number;
  state: string;
  end: number;
  flagsOrig: number;
  flagsResp: number;
  pktsOrig: number;
  pktsResp: number;
  bytesOrig: number;
  bytesResp: number;
  payloadOrig: number;
  payloadResp: number;
  firstRecord: number;
  data: number;
  retx: number;
  rttUs: number;
}

const ip4 = (b: Uint8Array, o: number) => `${b[o + 12]}.${b[o + 13]}.${b[o + 14]}.${b[o + 15]}`;

function readConn(v: DataView, o: number): Conn {
  const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return {
    firstUs: Number(v.getBigInt64(o + abi.CONN_FIRST_US, true)),
    lastUs: Number(v.getBigInt64(o + abi.CONN_LAST_US, true)),
    orig: ip4(b, o + abi.CONN_ORIG),
    resp: ip4(b, o + abi.CONN_RESP),
    origPort: v.getUint16(o + abi.CONN_ORIG_PORT, true),
    respPort: v.getUint16(o + abi.CONN_RESP_PORT, true),
    proto: v.getUint8(o + abi.CONN_PROTO),
    state: STATE_NAMES[v.getUint8(o + abi.CONN_STATE)],
    end: v.getUint8(o + abi.CONN_END),
    flagsOrig: v.getUint8(o + abi.CONN_FLAGS_ORIG),
    flagsResp: v.getUint8(o + abi.CONN_FLAGS_RESP),
    pktsOrig: v.getUint32(o + abi.CONN_PKTS_ORIG, true),
    pktsResp: v.getUint32(o + abi.CONN_PKTS_RESP, true),
    bytesOrig: v.getFloat64(o + abi.CONN_BYTES_ORIG, true),
    bytesResp: v.getFloat64(o + abi.CONN_BYTES_RESP, true),
    payloadOrig: v.getFloat64(o + abi.CONN_PAYLOAD_ORIG, true),
    payloadResp: v.getFloat64(o + abi.CONN_PAYLOAD_RESP, true),
    firstRecord: v.getUint32(o + abi.CONN_FIRST_RECORD, true),
    data: v.getUint32(o + abi.CONN_DATA_SEGMENTS, true),
    retx: v.getUint32(o + abi.CONN_RETRANSMISSIONS, true),
    rttUs: v.getUint32(o + abi.CONN_RTT_US, true),
  };
}

interface Run {
  alerts: RawAlert[];
  /** Episodes merged: the last record of each episode (single records as they are). */
  final: RawAlert[];
  conns: Conn[];
  trace: Array<{ tsUs: number; ms: number; mean: number; flags: number }>;
  counters: Float64Array;
}

/** Every other detector off; connection records on. */
const QUIET: Record<number, number> = {
  [abi.CFG_SEED]: 7,
  [abi.CFG_ZSCORE_ENABLED]: 0,
  [abi.CFG_PORTSCAN_ENABLED]: 0,
  [abi.CFG_PORTSCAN_SYN_ENABLED]: 0,
  [abi.CFG_ADDRSCAN_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SPREAD_ENABLED]: 0,
  [abi.CFG_SYNFLOOD_SLOW_ENABLED]: 0,
  [abi.CFG_FLOWWIN_ENABLED]: 0,
  [abi.CFG_LARGESIZE_ENABLED]: 0,
  [abi.CFG_CONN_RECORDS_ENABLED]: 1,
};

async function run(bytes: Uint8Array, config: Record<number, number> = {}, traceKey?: Uint8Array): Promise<Run> {
  const engine = await newEngine();
  const alerts: RawAlert[] = [];
  const conns: Conn[] = [];
  const trace: Run['trace'] = [];
  if (traceKey) engine.setTraceKey(traceKey);
  engine.start({ ...QUIET, ...config }, (o) => {
    for (let i = 0; i < o.alertCount; i++) alerts.push(readAlert(o.alerts, i * abi.ALERT_STRIDE));
    for (let i = 0; i < o.connCount; i++) conns.push(readConn(o.conns, i * abi.CONN_STRIDE));
    for (let i = 0; i < o.traceCount; i++) {
      const b = i * abi.TRACE_STRIDE;
      trace.push({
        tsUs: Number(o.trace.getBigInt64(b + abi.TRACE_TS_US, true)),
        ms: o.trace.getFloat64(b + abi.TRACE_SIZE, true),
        mean: o.trace.getFloat64(b + abi.TRACE_MEAN, true),
        flags: o.trace.getUint32(b + abi.TRACE_FLAGS, true),
      });
    }
  });
  for (let p = 0; p < bytes.length; p += 1 << 20) engine.feed(bytes.subarray(p, p + (1 << 20)));
  engine.finish();
  const byEp = new Map<number, RawAlert>();
  const final: RawAlert[] = [];
  for (const a of alerts) if (a.episode === 0) final.push(a); else byEp.set(a.episode, a);
  final.push(...byEp.values());
  return { alerts, final, conns, trace, counters: engine.counters() };
}

const read = (rel: string) => {
  const b = readFileSync(DATA + rel);
  return new Uint8Array(rel.endsWith('.gz') ? gunzipSync(b) : b);
};

// ------------------------------------------------------------------ capture rewriting helpers


/** The records of a little-endian µs pcap. */
function pcapRecords(b: Uint8Array): PcapRec[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: PcapRec[] = [];
  for (let o = 24; o + 16 <= b.length; ) {
    const cap = v.getUint32(o + 8, true);
    out.push({ sec: v.getUint32(o, true), frac: v.getUint32(o + 4, true), data: b.slice(o + 16, o + 16 + cap), wire: v.getUint32(o + 12, true) });
    o += 16 + cap;
  }
  return out;
}

/** The same pcap with 802.1Q tags removed (the capture's two directions differ only in that). */
function stripVlan(b: Uint8Array): Uint8Array {
  const recs = pcapRecords(b).map((r) => {
    if (r.data[12] !== 0x81 || r.data[13] !== 0x00) return r;
    return { ...r, data: cat(r.data.subarray(0, 12), r.data.subarray(16)), wire: (r.wire ?? r.data.length) - 4 };
  });
  return pcap(1, recs);
}

// ------------------------------------------------------------------ random streams

interface GenPacket extends RefSegment {
  flow: number;
}

const CLIENT = [10, 0, 0, 1];
const SERVER = [10, 0, 0, 2];

/** Random TCP flows (header of this file), each with its own client port 20000 + i, interleaved in
 *  time. Returns the packets in time order. */
function randomFlows(seed: number, flows: number): GenPacket[] {
  const r = rng(seed);
  const pick = (n: number) => Math.floor(r() * n);
  const all: GenPacket[] = [];
  for (let f = 0; f < flows; f++) {
    const out: GenPacket[] = [];
    let t = 1_600_000_000_000_000 + f * 1_000 + pick(5_000_000);
    const step = (maxUs: number) => (t += 1 + pick(maxUs));
    const wrap = r() < 0.3;
    const isn = [wrap ? 0x100000000 - 1 - pick(3000) : pick(0x100000000), r() < 0.3 ? 0xffffffff - pick(2000) : pick(0x100000000)];
    const nxt = [isn[0] + 1, isn[1] + 1];
    const push = (orig: boolean, flags: number, seq: number, len: number, ack = 0, win = 65535) =>
      out.push({ flow: f, tsUs: t, orig, flags, seq: seq >>> 0, len, ack: ack >>> 0, win });
    const midstream = r() < 0.1;
    if (!midstream) {
      push(true, 0x02, isn[0], 0);
      for (let k = pick(3); k > 0; k--) { step(1_500_000); push(true, 0x02, isn[0], 0); }
      if (r() < 0.1) { all.push(...out); continue; } // no answer (S0)
      if (r() < 0.08) { step(30_000); push(false, 0x14, 0, 0); all.push(...out); continue; } // refused
      step(80_000);
      push(false, 0x12, isn[1], 0);
      if (r() < 0.2) { step(900_000); push(false, 0x12, isn[1], 0); }
      if (r() < 0.08) {
        // the server answers a retried SYN with a new ISN (a SYN proxy, a restarted listener)
        step(900_000);
        isn[1] = pick(0x100000000);
        nxt[1] = isn[1] + 1;
        push(false, 0x12, isn[1], 0);
      }
      step(60_000);
      push(true, 0x10, nxt[0], 0);
    } else {
      nxt[0] = isn[0];
      nxt[1] = isn[1];
    }
    const sent: Array<[boolean, number, number]> = [];
    const rounds = 1 + pick(8);
    for (let k = 0; k < rounds; k++) {
      for (const orig of [true, false]) {
        const d = orig ? 0 : 1;
        const segs = 1 + pick(orig ? 3 : 12);
        const burst: Array<[number, number]> = [];
        for (let j = 0; j < segs; j++) {
          const len = 1 + pick(1400);
          burst.push([nxt[d], len]);
          nxt[d] += len;
        }
        if (burst.length > 1 && r() < 0.2) {
          // out of order: swap two adjacent segments, sent back to back
          const j = pick(burst.length - 1);
          [burst[j], burst[j + 1]] = [burst[j + 1], burst[j]];
        }
        for (const [seq, len] of burst) {
          step(orig ? 40_000 : 400);
          push(orig, 0x18, seq, len);
          sent.push([orig, seq, len]);
          if (r() < 0.04) push(orig, 0x18, seq, len); // duplicated on the wire, same µs
        }
        if (r() < 0.12) {
          // zero window: the receiver closes its window at the sender's NXT, the sender overruns it
          // (the segments are dropped), the window reopens and the sender re-sends them after an
          // RTO: flow control, not retransmissions; then everything is acknowledged.
          const ackAt = nxt[d];
          step(1_000);
          push(!orig, 0x10, nxt[1 - d], 0, ackAt, 0);
          const over: Array<[number, number]> = [];
          for (let j = 1 + pick(4); j > 0; j--) {
            const len = 1 + pick(1400);
            step(400);
            push(orig, 0x18, nxt[d], len);
            over.push([nxt[d], len]);
            nxt[d] += len;
          }
          step(50_000);
          push(!orig, 0x10, nxt[1 - d], 0, ackAt, 65535);
          for (const [seq, len] of over) { step(300_000); push(orig, 0x18, seq, len); }
          step(2_000);
          push(!orig, 0x10, nxt[1 - d], 0, nxt[d], 65535);
        }
        if (r() < 0.15 && sent.length > 0) {
          // retransmission of an earlier segment after an RTO
          const [o2, seq, len] = sent[pick(sent.length)];
          step(300_000);
          push(o2, 0x18, seq, len);
        }
        step(2_000);
        push(!orig, 0x10, nxt[1 - d], 0, nxt[d]);
      }
      if (r() < 0.1) {
        // keep-alive after idle, 0 or 1 byte at nxt - 1, and its ACK
        const o = r() < 0.5;
        step(20_000_000);
        push(o, 0x10, nxt[o ? 0 : 1] - 1, pick(2));
        step(1_000);
        push(!o, 0x10, nxt[o ? 1 : 0], 0);
      }
    }
    const end = r();
    if (end < 0.5) {
      step(10_000); push(true, 0x11, nxt[0], 0);
      step(10_000); push(false, 0x11, nxt[1], 0);
      step(10_000); push(true, 0x10, nxt[0] + 1, 0);
    } else if (end < 0.7) {
      step(10_000); push(r() < 0.5, 0x14, nxt[0], 0);
    }
    all.push(...out);
  }
  return all.sort((a, b) => a.tsUs - b.tsUs || a.flow - b.flow);
}

function toPcap(packets: GenPacket[]): Uint8Array {
  const recs: PcapRec[] = packets.map((p) => {
    const [src, dst, sp, dp] = p.orig ? [CLIENT, SERVER, 20000 + p.flow, 80] : [SERVER, CLIENT, 80, 20000 + p.flow];
    const payload = new Uint8Array(p.len);
    const h = tcp(sp, dp, p.flags, p.seq, p.ack ?? 0);
    new DataView(h.buffer).setUint16(14, p.win ?? 65535);
    const seg = cat(h, payload);
    const data = eth(0x0800, ipv4(src, dst, 6, seg));
    return { sec: Math.floor(p.tsUs / 1e6), frac: p.tsUs % 1e6, data };
  });
  return pcap(1, recs);
}

describe('TCP state against the reference (random streams)', () => {
  it('counts data segments, retransmissions, payload, handshake RTT, latency samples and conn_state as the reference does', async () => {
    for (const seed of [1, 2, 3]) {
      const packets = randomFlows(seed, 120);
      const res = await run(toPcap(packets), { [abi.CFG_LATENCY_RESPONSE_ENABLED]: 1 });
      const byFlow = new Map<number, GenPacket[]>();
      for (const p of packets) byFlow.set(p.flow, [...(byFlow.get(p.flow) ?? []), p]);
      expect(res.conns.length).toBe(byFlow.size);
      let samples = 0;
      let retx = 0;
      let data = 0;
      for (const c of res.conns) {
        const f = (c.origPort === 80 ? c.respPort : c.origPort) - 20000;
        const segs = byFlow.get(f)!;
        // the generator's "orig" is the client; the flow table's orig is the first sender
        const firstOrig = segs[0].orig;
        const ref = referenceTcp(segs.map((s) => ({ ...s, orig: s.orig === firstOrig })), true);
        const got = { data: c.data, retx: c.retx, po: c.payloadOrig, pr: c.payloadResp, rtt: c.rttUs === 0xffffffff ? -1 : c.rttUs, state: c.state };
        expect(got, `seed ${seed} flow ${f}`).toEqual({ data: ref.dataSegments, retx: ref.retransmissions, po: ref.payloadOrig, pr: ref.payloadResp, rtt: ref.rttUs, state: ref.state });
        samples += ref.samples.length;
        retx += ref.retransmissions;
        data += ref.dataSegments;
      }
      expect(res.counters[abi.C_LATENCY_SAMPLES]).toBe(samples);
      expect(res.counters[abi.C_TCP_RETRANSMISSIONS]).toBe(retx);
      expect(res.counters[abi.C_TCP_DATA_SEGMENTS]).toBe(data);
      // the streams do exercise the cases
      expect(retx).toBeGreaterThan(10);
      expect(new Set(res.conns.map((c) => c.state)).size).toBeGreaterThanOrEqual(5);
    }
  });

  it('treats a keep-alive (0 or 1 byte at seq - 1) as no data segment, a duplicate within the RTT as no retransmission, across 2^32', async () => {
    const seg = (tsUs: number, orig: boolean, flags: number, seq: number, len: number): GenPacket => ({ flow: 0, tsUs, orig, flags, seq: seq >>> 0, len });
    const t0 = 1_600_000_000_000_000;
    const isn = 0xfffffff0; // the data crosses 2^32
    const pk = [
      seg(t0, true, 0x02, isn, 0), seg(t0 + 1000, false, 0x12, 5000, 0), seg(t0 + 2000, true, 0x10, isn + 1, 0),
      seg(t0 + 3000, true, 0x18, isn + 1, 100), seg(t0 + 3100, true, 0x18, isn + 1, 100), // duplicate within the 2 ms RTT
      seg(t0 + 60_000_000, true, 0x10, isn + 100, 1), // keep-alive with 1 byte
      seg(t0 + 60_001_000, true, 0x10, isn + 100, 0), // keep-alive with 0 bytes
      seg(t0 + 61_000_000, true, 0x18, isn + 1, 100), // a real retransmission
    ];
    const res = await run(toPcap(pk));
    expect(res.conns).toHaveLength(1);
    // data: the original, its duplicate (out of order: within the RTT) and the retransmission
    expect(res.conns[0]).toMatchObject({ data: 3, retx: 1, rttUs: 2000, payloadOrig: 100, state: 'S1' });
    const ref = referenceTcp(pk, false);
    expect([ref.dataSegments, ref.retransmissions, ref.payloadOrig]).toEqual([3, 1, 100]);
  });
});

describe('zero receive window (flow control is not loss)', () => {
  // The flow of normal/zeek_http_206_example_b in miniature: the receiver closes its window, the
  // sender keeps sending (the receiver drops those segments), the window reopens and the sender
  // re-sends them after an RTO.
  const seg = (tsUs: number, orig: boolean, flags: number, seq: number, len: number, ack = 0, win = 65535): GenPacket =>
    ({ flow: 0, tsUs, orig, flags, seq: seq >>> 0, len, ack: ack >>> 0, win });
  const t0 = 1_600_000_000_000_000;
  const flow = (closedWin: number): GenPacket[] => {
    const pk = [seg(t0, true, 0x02, 100, 0), seg(t0 + 1000, false, 0x12, 5000, 0, 101), seg(t0 + 2000, true, 0x10, 101, 0, 5001)];
    let t = t0 + 3000;
    const sent: number[] = [];
    for (let k = 0; k < 10; k++) { pk.push(seg((t += 100), false, 0x18, 5001 + 1000 * k, 1000, 101)); }
    pk.push(seg((t += 1000), true, 0x10, 101, 0, 15001, closedWin)); // window closed at 15001
    for (let k = 10; k < 16; k++) { pk.push(seg((t += 100), false, 0x18, 5001 + 1000 * k, 1000, 101)); sent.push(5001 + 1000 * k); }
    pk.push(seg((t += 50_000), true, 0x10, 101, 0, 15001, 65535)); // reopened, still at 15001
    for (const q of sent) pk.push(seg((t += 300_000), false, 0x18, q, 1000, 101)); // re-sent
    pk.push(seg((t += 1000), true, 0x10, 101, 0, 21001, 65535)); // all acknowledged
    pk.push(seg((t += 300_000), false, 0x18, 5001, 1000, 101)); // after that a re-send is a retransmission again
    return pk;
  };

  it('re-sends of data sent into a zero window are no retransmissions until the receiver has acknowledged it all', async () => {
    const res = await run(toPcap(flow(0)));
    expect(res.conns).toHaveLength(1);
    expect(res.conns[0]).toMatchObject({ data: 23, retx: 1 });
    expect(referenceTcp(flow(0), false)).toMatchObject({ dataSegments: 23, retransmissions: 1 });
    // The same flow with the window open (the segments were lost on the path): 7 retransmissions,
    // RETRANS HIGH (7 of 23).
    const open = await run(toPcap(flow(1)));
    expect(open.conns[0]).toMatchObject({ data: 23, retx: 7 });
    expect(referenceTcp(flow(1), false)).toMatchObject({ dataSegments: 23, retransmissions: 7 });
    expect(open.final.filter((a) => a.detector === abi.DET_RETRANS).map((a) => a.severity)).toEqual([abi.SEV_HIGH]);
    expect(res.final.filter((a) => a.detector === abi.DET_RETRANS)).toEqual([]);
  });

  it('normal/zeek_http_206_example_b: the 56 segments tshark flags are re-sends after two zero-window overruns, no RETRANS', async () => {
    const res = await run(read('normal/zeek_http_206_example_b.pcap'));
    const big = res.conns.reduce((a, c) => (c.data > a.data ? c : a));
    expect(big.data).toBe(842); // the 192.168.72.14:3254 -> 65.54.95.206:80 transfer
    // Before the zero-window rule: 56 retransmissions of 842 (6.7 %, HIGH).
    expect(big.retx).toBeLessThan(842 * 0.02);
    expect(res.final.filter((a) => a.detector === abi.DET_RETRANS)).toEqual([]);
  });
});

describe('a SYN with a new initial sequence number starts the sequence space over', () => {
  const seg = (tsUs: number, orig: boolean, flags: number, seq: number, len: number): GenPacket => ({ flow: 0, tsUs, orig, flags, seq: seq >>> 0, len });
  const t0 = 1_600_000_000_000_000;
  it('SYN/ACKs with new ISNs (normal/perf/real_mix, 10.10.10.1:443): the data after the last one is no retransmission', async () => {
    const pk = [
      seg(t0, true, 0x02, 1000, 0), seg(t0 + 1000, false, 0x12, 238755595, 0),
      seg(t0 + 2_000_000, false, 0x12, 238755595, 0), // retried, same ISN
      seg(t0 + 13_000_000, false, 0x12, 2859879429, 0), seg(t0 + 28_000_000, false, 0x12, 2829651200, 0), // new ISNs
      seg(t0 + 28_300_000, true, 0x18, 1001, 517),
    ];
    for (let k = 0; k < 5; k++) pk.push(seg(t0 + 28_400_000 + k, false, 0x18, 2829651201 + 1360 * k, 1360));
    const res = await run(toPcap(pk));
    expect(res.conns[0]).toMatchObject({ data: 6, retx: 0, payloadResp: 5 * 1360 });
    expect(referenceTcp(pk, false)).toMatchObject({ dataSegments: 6, retransmissions: 0 });
    expect(res.final.filter((a) => a.detector === abi.DET_RETRANS)).toEqual([]);
  });

  it('a reused 5-tuple: the new connection is not measured against the old one', async () => {
    const pk: GenPacket[] = [seg(t0, true, 0x02, 5_000_000, 0), seg(t0 + 1000, false, 0x12, 9_000_000, 0), seg(t0 + 2000, true, 0x10, 5_000_001, 0)];
    for (let k = 0; k < 10; k++) pk.push(seg(t0 + 3000 + k * 100, true, 0x18, 5_000_001 + 1000 * k, 1000));
    pk.push(seg(t0 + 10_000, true, 0x11, 5_010_001, 0), seg(t0 + 11_000, false, 0x11, 9_000_001, 0));
    // 10 s later the client reuses the port with a lower ISN (before the old NXT)
    pk.push(seg(t0 + 10_000_000, true, 0x02, 1_000_000, 0), seg(t0 + 10_001_000, false, 0x12, 3_000_000, 0), seg(t0 + 10_002_000, true, 0x10, 1_000_001, 0));
    for (let k = 0; k < 10; k++) pk.push(seg(t0 + 10_500_000 + k * 100_000, true, 0x18, 1_000_001 + 1000 * k, 1000));
    const res = await run(toPcap(pk));
    expect(res.conns).toHaveLength(1); // within the TCP timeout the flow table keeps one flow
    expect(res.conns[0]).toMatchObject({ data: 20, retx: 0, payloadOrig: 20_000 });
    expect(referenceTcp(pk, false)).toMatchObject({ dataSegments: 20, retransmissions: 0 });
  });
});

describe('path MTU discovery (ICMP fragmentation needed is not loss)', () => {
  // 10.0.0.1:20000 -> 10.0.0.2:80 sends 8 full segments; a router answers the first 3 with ICMP
  // type 3 code 4 quoting them (`quotePort`: the quoted source port), the sender re-sends them,
  // the receiver acknowledges everything, and later one more re-send.
  const A = [10, 0, 0, 1], B = [10, 0, 0, 2], R = [10, 0, 0, 254];
  const build = (quotePort: number): Uint8Array => {
    const recs: PcapRec[] = [];
    let t = 1_600_000_000_000_000;
    const add = (data: Uint8Array) => { t += 1000; recs.push({ sec: Math.floor(t / 1e6), frac: t % 1e6, data }); };
    const seg = (src: number[], dst: number[], sp: number, dp: number, flags: number, seq: number, ack: number, len: number) => {
      const h = tcp(sp, dp, flags, seq, ack);
      new DataView(h.buffer).setUint16(14, 65535);
      return ipv4(src, dst, 6, cat(h, new Uint8Array(len)));
    };
    add(eth(0x0800, seg(A, B, 20000, 80, 0x02, 100, 0, 0)));
    add(eth(0x0800, seg(B, A, 80, 20000, 0x12, 5000, 101, 0)));
    add(eth(0x0800, seg(A, B, 20000, 80, 0x10, 101, 5001, 0)));
    for (let k = 0; k < 8; k++) add(eth(0x0800, seg(A, B, 20000, 80, 0x18, 101 + 1460 * k, 5001, 1460)));
    for (let k = 0; k < 3; k++) {
      const quoted = seg(A, B, quotePort, 80, 0x18, 101 + 1460 * k, 5001, 1460).subarray(0, 28);
      const icmp = cat(new Uint8Array([3, 4, 0, 0, 0, 0, 0x05, 0xd4]), quoted); // MTU 1492
      add(eth(0x0800, ipv4(R, A, 1, icmp)));
    }
    t += 300_000;
    for (let k = 0; k < 3; k++) add(eth(0x0800, seg(A, B, 20000, 80, 0x18, 101 + 1452 * k, 5001, 1452)));
    add(eth(0x0800, seg(B, A, 80, 20000, 0x10, 5001, 101 + 1460 * 8, 0)));
    t += 300_000;
    add(eth(0x0800, seg(A, B, 20000, 80, 0x18, 101, 5001, 1460)));
    return pcap(1, recs);
  };

  it('re-sends after a quoted segment are no retransmissions until the receiver has acknowledged all', async () => {
    const res = await run(build(20000));
    const c = res.conns.find((x) => x.data > 0)!;
    expect(c).toMatchObject({ data: 12, retx: 1 }); // only the last re-send
    expect(res.final.filter((a) => a.detector === abi.DET_RETRANS)).toEqual([]);
    // The ICMP quotes another connection (port 20001): the 3 re-sends are retransmissions.
    const other = await run(build(20001));
    expect(other.conns.find((x) => x.data > 0)).toMatchObject({ data: 12, retx: 4 });
    expect(other.final.filter((a) => a.detector === abi.DET_RETRANS).map((a) => a.severity)).toEqual([abi.SEV_HIGH]);
  });

  it('normal/zeek_smtp: the 4 re-sent segments follow the router\'s 4 "fragmentation needed, MTU 1492" that quote them: no RETRANS', async () => {
    const res = await run(read('normal/zeek_smtp.pcap'));
    // 10.10.1.4:1470 -> 74.53.140.153:25, 33 data segments; before this rule 4 retransmissions (12 %, HIGH).
    const c = res.conns.find((x) => x.data === 33)!;
    expect(c.retx).toBe(0);
    expect(res.final.filter((a) => a.detector === abi.DET_RETRANS)).toEqual([]);
  });
});

describe('RETRANS on real captures', () => {
  it('tcp_retransmissions: one segment sent 6 times is 5 retransmissions of 6 data segments (tshark: retrans=5), HIGH', async () => {
    const res = await run(read('tcp_behaviour/chrissanders_tcp_retransmissions.pcapng'));
    const r = res.final.filter((a) => a.detector === abi.DET_RETRANS);
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ severity: abi.SEV_HIGH, count: 5, aux: 6, samples: 6, threshold: 5 });
    expect(r[0].value).toBeCloseTo((100 * 5) / 6, 6);
    expect(res.counters[abi.C_TCP_RETRANSMISSIONS]).toBe(5);
  });

  it('syn_retransmit_with_ts: 17 data retransmissions = tshark 18 minus the retried SYN, once both directions share a flow', async () => {
    // The capture tags the client's packets with VLAN 3136 and leaves the server's untagged, so
    // the flow table (keyed by VLAN) sees two half flows; without the tags it is one connection.
    const raw = read('tcp_behaviour/suricata-verify_syn_retransmit_with_ts.pcap');
    const split = await run(raw);
    expect(split.conns).toHaveLength(2);
    const res = await run(stripVlan(raw));
    expect(res.conns).toHaveLength(1);
    expect(res.conns[0]).toMatchObject({ retx: 17, data: 146, rttUs: 1, state: 'SF' });
    const r = res.final.filter((a) => a.detector === abi.DET_RETRANS);
    expect(r).toHaveLength(1);
    expect(r[0].severity).toBe(abi.SEV_HIGH);
    expect(r[0].value).toBeCloseTo((100 * 17) / 146, 6);
  });

  it('captures without retransmissions (tshark retrans=0) count none', async () => {
    for (const f of ['chrissanders_latency1.pcapng', 'chrissanders_tcp_zerowindowdead.pcapng', 'chrissanders_tcp_zerowindowrecovery.pcapng', 'zeek_tcp_missing-syn.pcap', 'zeek_tcp_miss_end_data.pcap']) {
      const res = await run(read('tcp_behaviour/' + f));
      expect(res.counters[abi.C_TCP_RETRANSMISSIONS], f).toBe(0);
      expect(res.final.filter((a) => a.detector === abi.DET_RETRANS), f).toHaveLength(0);
    }
  });
});

describe('LATENCY on real captures', () => {
  /** latency1 repeated `n` times 1000 s apart (the baseline), then `tail`. */
  const withBaseline = (n: number, tail: string) => {
    const base = read('tcp_behaviour/chrissanders_latency1.pcapng');
    const parts = Array.from({ length: n }, (_, k) => shiftPcapng(base, BigInt(k) * 1_000_000_000n));
    return cat(...parts, read('tcp_behaviour/' + tail));
  };

  it('handshake RTT as tshark measures it (initial_rtt = SYN -> ACK)', async () => {
    const cases: Array<[string, number]> = [
      ['chrissanders_tcp_handshake.pcapng', 132768], ['chrissanders_latency1.pcapng', 30182],
      ['chrissanders_latency2.pcapng', 895134], ['chrissanders_latency3.pcapng', 38684],
    ];
    for (const [f, us] of cases) {
      const res = await run(read('tcp_behaviour/' + f));
      expect(res.conns[0].rttUs, f).toBe(us);
    }
  });

  it('latency2 after a latency1 baseline: SYN -> SYN/ACK 878.5 ms against 30 ms is HIGH (manifest: 0.879 s vs 0.030 s)', async () => {
    const key = new Uint8Array(abi.TRACE_KEY_BYTES);
    key.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 74, 125, 95, 104], 16);
    new DataView(key.buffer).setUint32(32, 80, true);
    const res = await run(withBaseline(12, 'chrissanders_latency2.pcapng'), {
      [abi.CFG_TRACE_ENABLED]: 1, [abi.CFG_TRACE_DETECTOR]: abi.DET_LATENCY,
    }, key);
    const lat = res.final.filter((a) => a.detector === abi.DET_LATENCY);
    const server = lat.filter((a) => a.variant === abi.LATENCY_SERVER);
    expect(server).toHaveLength(1);
    expect(server[0].severity).toBe(abi.SEV_HIGH);
    expect(server[0].value).toBeCloseTo(878.53, 2);
    expect(server[0].mean).toBeCloseTo(latency1ServerMs(), 2);
    expect(server[0].std).toBe(0);
    expect(server[0].samples).toBe(12);
    expect(server[0].threshold).toBeCloseTo(2 * server[0].mean + 0 * 0, 6);
    // the evidence for the page: one trace point per sample of the server, with the baseline
    expect(res.trace.filter((p) => (p.flags >> 8) === abi.LATENCY_SERVER)).toHaveLength(13);
    const last = res.trace.filter((p) => (p.flags >> 8) === abi.LATENCY_SERVER).at(-1)!;
    expect(last.ms).toBeCloseTo(878.53, 2);
    expect(last.flags & 7).toBe(7);
  });

  it('latency3 (low network RTT, the delay is the client\'s) after the same baseline: no server-side alert, the client side is', async () => {
    const res = await run(withBaseline(12, 'chrissanders_latency3.pcapng'));
    const lat = res.final.filter((a) => a.detector === abi.DET_LATENCY);
    expect(lat.filter((a) => a.variant === abi.LATENCY_SERVER)).toHaveLength(0);
    // SYN/ACK -> ACK 14.9 ms (packets 2 and 3) against latency1's client side, below 1 ms
    const client = lat.filter((a) => a.variant === abi.LATENCY_CLIENT);
    expect(client).toHaveLength(1);
    expect(client[0].value).toBeCloseTo(38.684 - 23.79, 2);
    expect(client[0].mean).toBeLessThan(1);
  });
});

/** latency1's SYN -> SYN/ACK in ms, read from the capture itself. */
function latency1ServerMs(): number {
  const b = read('tcp_behaviour/chrissanders_latency1.pcapng');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const ts: number[] = [];
  for (let o = 0; o + 12 <= b.length; ) {
    if (v.getUint32(o, true) === 6) ts.push(v.getUint32(o + 12, true) * 2 ** 32 + v.getUint32(o + 16, true));
    o += v.getUint32(o + 4, true);
  }
  return (ts[1] - ts[0]) / 1000;
}

describe('LONGCONN', () => {
  it('the long-lived DNS flow (267 s) against a baseline of short udp/53 flows is HIGH', async () => {
    const long = pcapRecords(read('tcp_behaviour/zeek_dns_long-connection.pcap'));
    const t0 = long[0].sec - 100;
    const short: PcapRec[] = [];
    for (let k = 0; k < 12; k++) {
      const q = eth(0x0800, ipv4([192, 168, 170, 8], [192, 168, 170, 20], 17, udp(40000 + k, 53, 30)));
      const a = eth(0x0800, ipv4([192, 168, 170, 20], [192, 168, 170, 8], 17, udp(53, 40000 + k, 80)));
      short.push({ sec: t0 - 100 + k, frac: 0, data: q }, { sec: t0 - 100 + k, frac: 20_000 + k * 1000, data: a });
    }
    // A small flow table, so the idle sweep (4 slots a packet) reaches the short flows, which then
    // complete (their durations join udp/53's baseline) before the long flow passes the floor.
    // The capture has a pause of more than a minute (UDP's default idle timeout), so the test keeps
    // UDP flows for 5 min, as the manifest counts the 5-tuple as one 267 s connection.
    const small = { [abi.CFG_FLOW_CAPACITY]: 16, [abi.CFG_UDP_TIMEOUT_S]: 300 };
    const res = await run(pcap(1, [...short, ...long]), { ...small, [abi.CFG_LONGCONN_MIN_DURATION_S]: 60 });
    const lc = res.final.filter((a) => a.detector === abi.DET_LONGCONN);
    expect(lc).toHaveLength(1);
    expect(lc[0]).toMatchObject({ severity: abi.SEV_HIGH, variant: abi.LONGCONN_MEAN });
    expect(lc[0].value).toBeCloseTo(267.232, 2);
    // the 12 short flows (20-31 ms) and the capture's other, short udp/53 exchange
    expect(lc[0].samples).toBeGreaterThanOrEqual(12);
    expect(lc[0].samples).toBe(res.counters[abi.C_FLOWS_COMPLETED]);
    expect(lc[0].mean).toBeLessThan(1);
    expect(lc[0].threshold).toBeCloseTo(2 * lc[0].mean, 9);
    expect(lc[0].score).toBeCloseTo(lc[0].value / lc[0].mean, 9);
    // with the default floor (600 s) the same flow is not long
    const dflt = await run(pcap(1, [...short, ...long]), small);
    expect(dflt.final.filter((a) => a.detector === abi.DET_LONGCONN)).toHaveLength(0);
  });

  it('reports the Zeek ladder step once a flow passes 10 min (zeek_ftp_cwd-navigation)', async () => {
    const res = await run(read('normal/zeek_ftp_cwd-navigation.pcap'));
    const ladder = res.final.filter((a) => a.detector === abi.DET_LONGCONN && a.variant === abi.LONGCONN_LADDER);
    const long = res.conns.filter((c) => c.lastUs - c.firstUs >= 600e6);
    expect(long.length).toBeGreaterThan(0);
    expect(ladder).toHaveLength(long.length);
    for (const a of ladder) {
      expect(a.threshold).toBe(600);
      expect(a.value).toBeGreaterThanOrEqual(600);
      expect(a.severity).toBe(abi.SEV_LOW);
    }
  });
});

describe('benign captures', () => {
  it('raise no HIGH LATENCY, LONGCONN or RETRANS alert in normal/ (zero-window and PMTU re-sends are not loss)', async () => {
    const files = ['chrissanders_http_espn.pcapng', 'chrissanders_http_google.pcapng', 'chrissanders_tcp_ports.pcapng',
      'evgenii_no_flood.pcap', 'markofu_CounterHack_HackChallenge_Cmas2011.pcap', 'zeek_ftp_cwd-navigation.pcap',
      'zeek_http_206_example_b.pcap', 'zeek_http_bro.org.pcap', 'zeek_irc-dcc-send.pcapng', 'zeek_smb_smb2.pcap',
      'zeek_smtp.pcap', 'zeek_ssh_ssh.pcap', 'perf/zeek_echo-connections.pcap.gz'];
    for (const f of files) {
      const res = await run(read('normal/' + f));
      const high = res.final.filter((a) => a.severity === abi.SEV_HIGH);
      expect(high.filter((a) => a.detector === abi.DET_LATENCY || a.detector === abi.DET_LONGCONN), f).toHaveLength(0);
      // Before the zero-window and PMTU rules: zeek_http_206_example_b (56 of 842) and zeek_smtp (4 of 33).
      expect(high.filter((a) => a.detector === abi.DET_RETRANS), f).toHaveLength(0);
      for (const a of res.final.filter((x) => x.detector === abi.DET_RETRANS)) {
        expect(a.count, f).toBeGreaterThanOrEqual(2);
        expect(a.count / a.aux, f).toBeGreaterThan(0.02);
      }
    }
  });
});

describe('connection records', () => {
  it('agree with a direct computation over the capture (packets, bytes, times, flags, roles)', async () => {
    const b = read('normal/chrissanders_http_espn.pcapng');
    const res = await run(b);
    // Direct: walk the EPBs, key by the 5-tuple, orig = the first sender.
    const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
    const flows = new Map<string, Conn & { n: number }>();
    let rec = 0;
    for (let o = 0; o + 12 <= b.length; ) {
      const type = v.getUint32(o, true);
      const len = v.getUint32(o + 4, true);
      if (type === 6) {
        const ts = v.getUint32(o + 12, true) * 2 ** 32 + v.getUint32(o + 16, true);
        const wire = v.getUint32(o + 24, true);
        const d = b.subarray(o + 28);
        if (d[12] === 0x08 && d[13] === 0x00) {
          const proto = d[23];
          const src = `${d[26]}.${d[27]}.${d[28]}.${d[29]}`;
          const dst = `${d[30]}.${d[31]}.${d[32]}.${d[33]}`;
          const l4 = 14 + (d[14] & 15) * 4;
          const sp = proto === 6 || proto === 17 ? (d[l4] << 8) | d[l4 + 1] : 0;
          const dp = proto === 6 || proto === 17 ? (d[l4 + 2] << 8) | d[l4 + 3] : 0;
          const flags = proto === 6 ? d[l4 + 13] : 0;
          const k1 = `${proto}|${src}|${sp}|${dst}|${dp}`;
          const k2 = `${proto}|${dst}|${dp}|${src}|${sp}`;
          let f = flows.get(k1);
          let orig = true;
          if (!f && flows.has(k2)) { f = flows.get(k2)!; orig = false; }
          if (!f && (proto === 6 || proto === 17)) {
            f = { firstUs: ts, lastUs: ts, orig: src, resp: dst, origPort: sp, respPort: dp, proto, state: '', end: 0, flagsOrig: 0, flagsResp: 0,
              pktsOrig: 0, pktsResp: 0, bytesOrig: 0, bytesResp: 0, payloadOrig: 0, payloadResp: 0, firstRecord: rec, data: 0, retx: 0, rttUs: 0, n: 0 };
            flows.set(k1, f);
          }
          if (f) {
            f.lastUs = Math.max(f.lastUs, ts);
            if (orig) { f.pktsOrig++; f.bytesOrig += wire; f.flagsOrig |= flags; } else { f.pktsResp++; f.bytesResp += wire; f.flagsResp |= flags; }
          }
        }
        rec++;
      }
      o += len;
    }
    const got = res.conns.filter((c) => c.proto === 6 || c.proto === 17);
    expect(got.length).toBe(flows.size);
    expect(res.conns.every((c) => c.end === abi.FWIN_END_INPUT)).toBe(true);
    for (const c of got) {
      const f = flows.get(`${c.proto}|${c.orig}|${c.origPort}|${c.resp}|${c.respPort}`)!;
      expect(f, `${c.orig}:${c.origPort}`).toBeDefined();
      const pick = (x: Conn) => [x.firstUs, x.lastUs, x.pktsOrig, x.pktsResp, x.bytesOrig, x.bytesResp, x.flagsOrig, x.flagsResp, x.firstRecord];
      expect(pick(c)).toEqual(pick(f));
      if (c.proto === 6) expect(c.state).toBe(connState(f.flagsOrig, f.flagsResp, f.pktsOrig, f.pktsResp, c.payloadOrig + c.payloadResp === 0));
    }
  });

  it('give Zeek conn_state for the small tcp_behaviour captures', async () => {
    const expected: Array<[string, string]> = [
      ['chrissanders_tcp_refuseconnection.pcapng', 'REJ'], // SYN answered by RST
      ['chrissanders_tcp_handshake.pcapng', 'S1'], // established, not closed
      ['chrissanders_latency1.pcapng', 'S1'],
    ];
    for (const [f, state] of expected) {
      const res = await run(read('tcp_behaviour/' + f));
      expect(res.conns.map((c) => c.state), f).toEqual([state]);
    }
  });
});

describe('memory per key', () => {
  it('the LATENCY server table stays within its cap (448 B a server) and evicts the least recent', async () => {
    const packets: GenPacket[] = [];
    const recs: PcapRec[] = [];
    let t = 1_600_000_000_000_000;
    for (let k = 0; k < 2000; k++) {
      const srv = [10, 1, k >> 8, k & 255];
      for (const [src, dst, sp, dp, flags] of [[CLIENT, srv, 30000, 80, 0x02], [srv, CLIENT, 80, 30000, 0x12], [CLIENT, srv, 30000, 80, 0x10]] as const) {
        t += 1000;
        recs.push({ sec: Math.floor(t / 1e6), frac: t % 1e6, data: eth(0x0800, ipv4([...src], [...dst], 6, tcp(sp, dp, flags, 1, 1))) });
      }
    }
    expect(packets).toHaveLength(0);
    const cap = 64 * 1024;
    const res = await run(pcap(1, recs), { [abi.CFG_LATENCY_MEMORY_CAP_BYTES]: cap });
    const slots = 2 ** Math.floor(Math.log2(cap / 448));
    expect(res.counters[abi.C_LATENCY_KEYS_LIVE]).toBeLessThanOrEqual((slots * 3) / 4);
    expect(res.counters[abi.C_LATENCY_KEYS_EVICTED]).toBe(2000 - res.counters[abi.C_LATENCY_KEYS_LIVE]);
    expect(res.counters[abi.C_LATENCY_SAMPLES]).toBe(4000);
  });
});
