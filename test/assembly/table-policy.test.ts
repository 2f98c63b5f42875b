// The open-addressed table's policies (assembly/table/open-table.ts) seen through the flow and
// channel tables: growth by doubling up to the memory cap, O(1) least-recently-seen eviction when
// full (counted), backward-shift deletion under churn, and seed determinism.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { newEngine } from '../helpers/core';

interface Row {
  ts: number;
  src: number; // IPv4 as u32
  dst: number;
  sport: number;
  dport: number;
  proto: number;
  size?: number;
}

function pack(rows: Row[]): Uint8Array {
  const out = new Uint8Array(rows.length * abi.REC_STRIDE);
  const v = new DataView(out.buffer);
  rows.forEach((r, i) => {
    const o = i * abi.REC_STRIDE;
    v.setBigInt64(o + abi.REC_TS_US, BigInt(r.ts), true);
    for (const [off, ip] of [[abi.REC_SRC, r.src], [abi.REC_DST, r.dst]]) {
      out[o + off + 10] = 0xff;
      out[o + off + 11] = 0xff;
      v.setUint32(o + off + 12, ip >>> 0, false);
    }
    v.setUint16(o + abi.REC_SPORT, r.sport, true);
    v.setUint16(o + abi.REC_DPORT, r.dport, true);
    v.setUint8(o + abi.REC_PROTO, r.proto);
    v.setUint16(o + abi.REC_PROTO_LABEL, r.proto, true);
    v.setUint32(o + abi.REC_WIRE_LEN, r.size ?? 100, true);
    v.setUint32(o + abi.REC_INDEX, i, true);
  });
  return out;
}

const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };

/** Runs rows; returns counters, the sorted list of flows (orig addr/port and packet counts) and
 *  the raw flow-table bytes. */
async function run(rows: Row[], config: Record<number, number> = {}, chunk = 1 << 20) {
  const engine = await newEngine();
  let alerts = 0;
  engine.start({ [abi.CFG_SEED]: 12345, ...RECORDS, ...config }, (o) => (alerts += o.alertCount));
  const bytes = pack(rows);
  for (let p = 0; p < bytes.length; p += chunk) engine.feed(bytes.subarray(p, p + chunk));
  engine.finish();
  const core = engine.core as unknown as { flowTablePtr(): number; flowTableSlots(): number };
  const raw = new Uint8Array(engine.core.memory.buffer, core.flowTablePtr(), core.flowTableSlots() * abi.FLOW_STRIDE).slice();
  const v = new DataView(raw.buffer);
  const flows: string[] = [];
  for (let o = 0; o < raw.length; o += abi.FLOW_STRIDE) {
    if (v.getUint32(o + abi.FLOW_HASH, true) === 0) continue;
    flows.push([
      v.getUint32(o + abi.FLOW_LO_ADDR + 12, false), v.getUint16(o + abi.FLOW_LO_PORT, true),
      v.getUint32(o + abi.FLOW_HI_ADDR + 12, false), v.getUint16(o + abi.FLOW_HI_PORT, true),
      v.getUint32(o + abi.FLOW_PROTO, true), v.getUint32(o + abi.FLOW_PKTS_ORIG, true), v.getUint32(o + abi.FLOW_PKTS_RESP, true),
    ].join(':'));
  }
  flows.sort();
  return { counters: engine.counters(), flows, raw, alerts };
}

/** A deterministic churn stream: `n` packets over `flows` random 5-tuples, both directions. */
function churn(n: number, flows: number, seed: number, stepUs = 1000): Row[] {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s);
  const tuples = Array.from({ length: flows }, () => ({
    a: 0x0a000000 | (next() & 0xffff), b: 0xc0a80000 | (next() & 0xff), sp: next() & 0xffff, dp: [53, 80, 443][next() % 3],
    proto: next() % 4 === 0 ? 17 : 6,
  }));
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const t = tuples[next() % flows];
    const fwd = next() % 2 === 0;
    rows.push(fwd
      ? { ts: i * stepUs, src: t.a, dst: t.b, sport: t.sp, dport: t.dp, proto: t.proto, size: 60 + (next() % 1400) }
      : { ts: i * stepUs, src: t.b, dst: t.a, sport: t.dp, dport: t.sp, proto: t.proto, size: 60 + (next() % 1400) });
  }
  return rows;
}

function consistent(c: Float64Array): void {
  expect(c[abi.C_FLOWS_CREATED] - c[abi.C_FLOWS_EXPIRED] - c[abi.C_FLOWS_EVICTED_FULL]).toBe(c[abi.C_FLOWS_LIVE]);
}

describe('open table policies', () => {
  it('grows by doubling from a tiny initial capacity without evicting', async () => {
    const rows = Array.from({ length: 5000 }, (_, i): Row => ({ ts: i, src: 1, dst: 2, sport: i, dport: 80, proto: 6 }));
    const r = await run(rows, { [abi.CFG_FLOW_CAPACITY]: 16 });
    expect(r.counters[abi.C_FLOWS_LIVE]).toBe(5000);
    expect(r.counters[abi.C_FLOW_CAPACITY]).toBe(8192); // 5000 <= 3/4 of 8192
    expect(r.counters[abi.C_FLOW_TABLE_BYTES]).toBe(8192 * abi.FLOW_STRIDE);
    expect(r.counters[abi.C_FLOWS_EVICTED_FULL]).toBe(0);
    expect(r.flows.length).toBe(5000);
  });

  it('at the memory cap evicts the least recently seen flow near the home slot, counted', async () => {
    // Cap 16 slots x 128 B: at most 12 live flows. A hot flow seen every other packet must survive.
    const rows: Row[] = [];
    for (let i = 0; i < 2000; i++) {
      rows.push({ ts: 2 * i, src: 1, dst: 2, sport: 1, dport: 2, proto: 6 });
      rows.push({ ts: 2 * i + 1, src: 3, dst: 4, sport: i, dport: 80, proto: 6 });
    }
    const r = await run(rows, { [abi.CFG_FLOW_CAPACITY]: 16, [abi.CFG_FLOW_MEMORY_CAP_BYTES]: 16 * abi.FLOW_STRIDE });
    const c = r.counters;
    expect(c[abi.C_FLOW_CAPACITY]).toBe(16);
    expect(c[abi.C_FLOWS_CREATED]).toBe(2001);
    expect(c[abi.C_FLOWS_LIVE]).toBe(12);
    expect(c[abi.C_FLOWS_EVICTED_FULL]).toBe(2001 - 12);
    consistent(c);
    expect(r.flows).toContain(`${0x00000001}:1:${0x00000002}:2:6:2000:0`);
  });

  it('survives heavy churn at a small cap with consistent counts (backward-shift deletion)', async () => {
    const rows = churn(100_000, 5000, 7, 20_000); // 2000 s of traffic: sweep, expiry and eviction mix
    const r = await run(rows, { [abi.CFG_FLOW_CAPACITY]: 16, [abi.CFG_FLOW_MEMORY_CAP_BYTES]: 1024 * abi.FLOW_STRIDE,
      [abi.CFG_UDP_TIMEOUT_S]: 5, [abi.CFG_TCP_TIMEOUT_S]: 30 });
    const c = r.counters;
    expect(c[abi.C_FLOW_CAPACITY]).toBe(1024);
    expect(c[abi.C_FLOWS_EVICTED_FULL]).toBeGreaterThan(0);
    expect(c[abi.C_FLOWS_EXPIRED]).toBeGreaterThan(0);
    expect(c[abi.C_FLOWS_LIVE]).toBeLessThanOrEqual(768);
    expect(r.flows.length).toBe(c[abi.C_FLOWS_LIVE]);
    consistent(c);
    // Every live flow is findable: feeding its packets again must not create duplicates.
    expect(new Set(r.flows.map((f) => f.split(':').slice(0, 5).join(':'))).size).toBe(r.flows.length);
  });

  it('same seed gives identical tables; another seed gives the same counts and flows', async () => {
    const rows = churn(30_000, 3000, 11);
    const a = await run(rows, { [abi.CFG_SEED]: 1 });
    const b = await run(rows, { [abi.CFG_SEED]: 1 });
    const c = await run(rows, { [abi.CFG_SEED]: 0xdeadbeef });
    expect(Buffer.compare(Buffer.from(a.raw), Buffer.from(b.raw))).toBe(0);
    expect(Buffer.compare(Buffer.from(a.raw), Buffer.from(c.raw))).not.toBe(0);
    for (const id of [abi.C_FLOWS_CREATED, abi.C_FLOWS_LIVE, abi.C_FLOWS_EXPIRED, abi.C_CHANNELS_LIVE, abi.C_ALERTS_ZSCORE]) {
      expect(c.counters[id]).toBe(a.counters[id]);
    }
    expect(c.flows).toEqual(a.flows);
    expect(c.alerts).toBe(a.alerts);
  });

  it('evicts channels at the channel memory cap and counts them', async () => {
    const rows = Array.from({ length: 3000 }, (_, i): Row => ({ ts: i, src: i, dst: 2, sport: 1, dport: 2, proto: 17 }));
    const r = await run(rows, { [abi.CFG_CHANNEL_CAPACITY]: 16, [abi.CFG_CHANNEL_MEMORY_CAP_BYTES]: 4096 });
    const c = r.counters;
    expect(c[abi.C_CHANNEL_CAPACITY]).toBe(16);
    expect(c[abi.C_CHANNELS_LIVE]).toBe(12);
    expect(c[abi.C_CHANNELS_EVICTED_FULL]).toBe(3000 - 12);
    expect(c[abi.C_FLOWS_LIVE]).toBe(3000);
  });

  it('gives the same results for any input chunking', async () => {
    const rows = churn(20_000, 500, 3);
    const a = await run(rows, {}, 1 << 20);
    const b = await run(rows, {}, 64 * 7 + 13);
    expect(Array.from(b.counters)).toEqual(Array.from(a.counters));
    expect(b.flows).toEqual(a.flows);
  });
});
