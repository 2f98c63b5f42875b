// The flow table (assembly/table/flow-table.ts) through the whole core: flow counts on real captures
// where the manifest pins them, bidirectionality and Zeek's orig/resp roles, ICMP counterparts,
// idle expiry (lookup and sweep, the timeout + L rule) and out-of-order packets, on packed records
// (FORMAT_RECORDS).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { DATA, newEngine } from '../helpers/core';
import { packRows as pack, type PacketRow as Row } from '../helpers/records';


function v4(s: string): Uint8Array {
  const a = new Uint8Array(16);
  a[10] = 0xff;
  a[11] = 0xff;
  s.split('.').forEach((x, i) => (a[12 + i] = Number(x)));
  return a;
}
function v6(last: number): Uint8Array {
  const a = new Uint8Array(16);
  a[0] = 0x20;
  a[1] = 0x01;
  a[15] = last;
  return a;
}


interface Flow {
  orig: string; // "addr port" of the first sender
  resp: string;
  proto: number;
  vlan: number;
  firstUs: number;
  lastUs: number;
  pktsOrig: number;
  pktsResp: number;
  bytesOrig: number;
  bytesResp: number;
  flagsOrig: number;
  flagsResp: number;
  syn: number;
  fin: number;
  rst: number;
  ack: number;
  psh: number;
  urg: number;
}

function addrText(a: Uint8Array): string {
  const mapped = a.slice(0, 10).every((x) => x === 0) && a[10] === 0xff && a[11] === 0xff;
  if (mapped) return Array.from(a.slice(12)).join('.');
  return Array.from(a, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** Runs `bytes` through a fresh core and returns the counters and every flow in the table. */
async function runFlows(bytes: Uint8Array, config: Record<number, number> = {}) {
  const engine = await newEngine();
  engine.start({ [abi.CFG_SEED]: 12345, ...config }, () => {});
  engine.feed(bytes);
  const st = engine.finish();
  const core = engine.core as unknown as { flowTablePtr(): number; flowTableSlots(): number };
  const raw = new Uint8Array(engine.core.memory.buffer, core.flowTablePtr(), core.flowTableSlots() * abi.FLOW_STRIDE).slice();
  const v = new DataView(raw.buffer);
  const flows: Flow[] = [];
  for (let o = 0; o < raw.length; o += abi.FLOW_STRIDE) {
    if (v.getUint32(o + abi.FLOW_HASH, true) === 0) continue;
    const lo = `${addrText(raw.slice(o + abi.FLOW_LO_ADDR, o + abi.FLOW_LO_ADDR + 16))} ${v.getUint16(o + abi.FLOW_LO_PORT, true)}`;
    const hi = `${addrText(raw.slice(o + abi.FLOW_HI_ADDR, o + abi.FLOW_HI_ADDR + 16))} ${v.getUint16(o + abi.FLOW_HI_PORT, true)}`;
    const origLo = (v.getUint32(o + abi.FLOW_ORIG_IS_LO, true) & 1) === 1;
    flows.push({
      orig: origLo ? lo : hi,
      resp: origLo ? hi : lo,
      proto: v.getUint32(o + abi.FLOW_PROTO, true),
      vlan: v.getUint32(o + abi.FLOW_VLAN, true),
      firstUs: Number(v.getBigInt64(o + abi.FLOW_FIRST_US, true)),
      lastUs: Number(v.getBigInt64(o + abi.FLOW_LAST_US, true)),
      pktsOrig: v.getUint32(o + abi.FLOW_PKTS_ORIG, true),
      pktsResp: v.getUint32(o + abi.FLOW_PKTS_RESP, true),
      bytesOrig: Number(v.getBigUint64(o + abi.FLOW_BYTES_ORIG, true)),
      bytesResp: Number(v.getBigUint64(o + abi.FLOW_BYTES_RESP, true)),
      flagsOrig: v.getUint8(o + abi.FLOW_FLAGS_ORIG),
      flagsResp: v.getUint8(o + abi.FLOW_FLAGS_RESP),
      syn: v.getUint32(o + abi.FLOW_SYN, true),
      fin: v.getUint32(o + abi.FLOW_FIN, true),
      rst: v.getUint32(o + abi.FLOW_RST, true),
      ack: v.getUint32(o + abi.FLOW_ACK, true),
      psh: v.getUint32(o + abi.FLOW_PSH, true),
      urg: v.getUint32(o + abi.FLOW_URG, true),
    });
  }
  return { counters: engine.counters(), status: st.status, flows };
}

const RECORDS = { [abi.CFG_INPUT_FORMAT]: abi.FORMAT_RECORDS };
const S = 1_000_000;
const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32;

describe('flow table on real captures', () => {
  for (const [file, flags] of [
    ['evilfingers_ACK_SCAN.pcap', ACK],
    ['evilfingers_NULL_SCAN.pcap', 0],
    ['evilfingers_FIN_SCAN.pcap', FIN],
    ['evilfingers_XMAS_TREE_SCAN.pcap', FIN | PSH | URG],
  ] as const) {
    it(`${file}: 1000 probes each answered by one RST give 1000 flows`, async () => {
      const r = await runFlows(readFileSync(`${DATA}attacks/portscan/${file}`));
      expect(r.status).toBe(abi.STATUS_DONE);
      expect(r.counters[abi.C_PACKETS_DECODED]).toBe(2000);
      expect(r.counters[abi.C_FLOWS_CREATED]).toBe(1000);
      expect(r.counters[abi.C_FLOWS_LIVE]).toBe(1000);
      expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(0);
      expect(r.flows.length).toBe(1000);
      for (const f of r.flows) {
        expect(f.orig.startsWith('192.168.1.10 ')).toBe(true);
        expect(f.resp.startsWith('192.168.1.25 ')).toBe(true);
        expect([f.pktsOrig, f.pktsResp]).toEqual([1, 1]);
        expect(f.flagsOrig).toBe(flags);
        expect(f.flagsResp & RST).toBe(RST);
        expect(f.syn).toBe(0);
        expect(f.rst).toBe(1);
        expect(f.lastUs).toBeGreaterThanOrEqual(f.firstUs);
      }
      expect(new Set(r.flows.map((f) => f.resp)).size).toBe(1000);
    });
  }

  it('chrissanders_http_google.pcapng: one TCP flow, client is orig', async () => {
    const r = await runFlows(readFileSync(`${DATA}normal/chrissanders_http_google.pcapng`));
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(1);
    const [f] = r.flows;
    expect(f.proto).toBe(6);
    expect(f.orig).toMatch(/^172\.16\.16\.128 /);
    expect(f.resp).toBe('74.125.95.104 80');
    expect([f.pktsOrig, f.pktsResp]).toEqual([5, 7]);
    expect(f.syn).toBe(2); // SYN and SYN/ACK
    expect(f.flagsOrig & SYN).toBe(SYN);
    expect(f.bytesOrig + f.bytesResp).toBe(r.counters[abi.C_BYTES_DECODED]);
  });

  it('zeek_dns_long-connection.pcap: one 5-tuple; split by the 71 s gap under the 60 s UDP timeout', async () => {
    const bytes = readFileSync(`${DATA}tcp_behaviour/zeek_dns_long-connection.pcap`);
    // Zeek's own btests raise udp_inactivity_timeout (30 min) for this trace so the gaps do not end it.
    const long = await runFlows(bytes, { [abi.CFG_UDP_TIMEOUT_S]: 1800 });
    expect(long.counters[abi.C_FLOWS_CREATED]).toBe(1);
    const [f] = long.flows;
    expect(f.orig).toBe('192.168.170.8 32795');
    expect(f.resp).toBe('192.168.170.20 53');
    expect([f.pktsOrig, f.pktsResp]).toEqual([11, 11]);
    expect((f.lastUs - f.firstUs) / S).toBeCloseTo(267.232, 2);
    // With the default 60 s, the single 71.4 s silence ends the flow (the 59.8 s one does not).
    const dflt = await runFlows(bytes);
    expect(dflt.counters[abi.C_FLOWS_CREATED]).toBe(2);
    expect(dflt.counters[abi.C_FLOWS_EXPIRED]).toBe(1);
  });
});

describe('flow table on synthetic records', () => {
  const A = v4('10.0.0.1'), B = v4('10.0.0.2'), C = v4('10.0.0.3');

  it('keys both directions to one flow; orig is the first sender even when it is the larger end', async () => {
    const rows: Row[] = [
      { ts: 1 * S, src: B, dst: A, sport: 40000, dport: 80, flags: SYN, size: 60 },
      { ts: 1 * S + 10, src: A, dst: B, sport: 80, dport: 40000, flags: SYN | ACK, size: 60 },
      { ts: 1 * S + 20, src: B, dst: A, sport: 40000, dport: 80, flags: ACK, size: 54 },
      { ts: 1 * S + 30, src: B, dst: A, sport: 40000, dport: 80, flags: PSH | ACK, size: 400 },
      { ts: 1 * S + 40, src: A, dst: B, sport: 80, dport: 40000, flags: PSH | ACK | URG, size: 1500 },
      { ts: 1 * S + 50, src: A, dst: B, sport: 80, dport: 40000, flags: FIN | ACK, size: 54 },
      { ts: 1 * S + 60, src: B, dst: A, sport: 40000, dport: 80, flags: RST, size: 54 },
      // Same addresses, other port / protocol / VLAN: three more flows.
      { ts: 2 * S, src: B, dst: A, sport: 40001, dport: 80, flags: SYN },
      { ts: 2 * S, src: B, dst: A, sport: 40000, dport: 80, proto: 17 },
      { ts: 2 * S, src: B, dst: A, sport: 40000, dport: 80, flags: SYN, vlan: 7 },
    ];
    const r = await runFlows(pack(rows), RECORDS);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(4);
    const f = r.flows.find((x) => x.pktsOrig + x.pktsResp === 7)!;
    expect(f.orig).toBe('10.0.0.2 40000');
    expect(f.resp).toBe('10.0.0.1 80');
    expect([f.pktsOrig, f.pktsResp]).toEqual([4, 3]);
    expect([f.bytesOrig, f.bytesResp]).toEqual([60 + 54 + 400 + 54, 60 + 1500 + 54]);
    expect(f.flagsOrig).toBe(SYN | ACK | PSH | RST);
    expect(f.flagsResp).toBe(SYN | ACK | PSH | URG | FIN);
    expect([f.syn, f.fin, f.rst, f.ack, f.psh, f.urg]).toEqual([2, 1, 1, 5, 2, 1]);
    expect([f.firstUs, f.lastUs]).toEqual([1 * S, 1 * S + 60]);
    expect(r.flows.find((x) => x.vlan === 7)?.proto).toBe(6);
  });

  it('pairs ICMP echo request/reply (and ICMPv6 128/129) in one flow; unreachables are one-way', async () => {
    const X = v6(1), Y = v6(2);
    const rows: Row[] = [
      { ts: 1, src: A, dst: B, proto: 1, sport: 8, dport: 0 },
      { ts: 2, src: B, dst: A, proto: 1, sport: 0, dport: 0 },
      { ts: 3, src: A, dst: B, proto: 1, sport: 13, dport: 0 },
      { ts: 4, src: B, dst: A, proto: 1, sport: 14, dport: 0 },
      { ts: 5, src: B, dst: A, proto: 1, sport: 3, dport: 3 },
      { ts: 6, src: B, dst: A, proto: 1, sport: 3, dport: 3 },
      { ts: 7, src: X, dst: Y, proto: 58, sport: 128, dport: 0 },
      { ts: 8, src: Y, dst: X, proto: 58, sport: 129, dport: 0 },
    ];
    const r = await runFlows(pack(rows), RECORDS);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(4);
    const byOrig = Object.fromEntries(r.flows.map((f) => [f.orig, [f.pktsOrig, f.pktsResp]]));
    expect(byOrig['10.0.0.1 8']).toEqual([1, 1]);
    expect(byOrig['10.0.0.1 13']).toEqual([1, 1]);
    expect(byOrig['10.0.0.2 3']).toEqual([2, 0]);
    expect(r.flows.find((f) => f.proto === 58)).toMatchObject({ pktsOrig: 1, pktsResp: 1 });
  });

  it('expires a UDP pair 61 s apart (2 flows) but not 59 s apart (1 flow)', async () => {
    for (const [gap, flows] of [[61, 2], [59, 1], [60, 1]]) {
      const rows: Row[] = [
        { ts: 0, src: A, dst: B, sport: 5353, dport: 53, proto: 17 },
        { ts: gap * S, src: B, dst: A, sport: 53, dport: 5353, proto: 17 },
      ];
      const r = await runFlows(pack(rows), RECORDS);
      expect(r.counters[abi.C_FLOWS_CREATED], `gap ${gap}`).toBe(flows);
      expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(flows - 1);
      expect(r.counters[abi.C_FLOWS_LIVE]).toBe(1);
      // After expiry the later packet's sender is the new flow's orig.
      if (flows === 2) expect(r.flows[0].orig).toBe('10.0.0.2 53');
    }
  });

  it('uses the TCP timeout for TCP (300 s default) and honours configured timeouts', async () => {
    const rows = (gap: number): Row[] => [
      { ts: 0, src: A, dst: B, sport: 1, dport: 2, proto: 6 },
      { ts: gap * S, src: A, dst: B, sport: 1, dport: 2, proto: 6 },
    ];
    expect((await runFlows(pack(rows(299)), RECORDS)).counters[abi.C_FLOWS_CREATED]).toBe(1);
    expect((await runFlows(pack(rows(301)), RECORDS)).counters[abi.C_FLOWS_CREATED]).toBe(2);
    const cfg = { ...RECORDS, [abi.CFG_TCP_TIMEOUT_S]: 10 };
    expect((await runFlows(pack(rows(11)), cfg)).counters[abi.C_FLOWS_CREATED]).toBe(2);
  });

  it('out-of-order packets widen [first, last], never expire a flow early, and are counted', async () => {
    const rows: Row[] = [
      { ts: 100 * S, src: A, dst: B, sport: 1, dport: 2, proto: 17 },
      { ts: 150 * S, src: B, dst: A, sport: 2, dport: 1, proto: 17 },
      { ts: 30 * S, src: A, dst: B, sport: 1, dport: 2, proto: 17 }, // 120 s older than the newest
      { ts: 140 * S, src: A, dst: B, sport: 1, dport: 2, proto: 17 },
    ];
    const r = await runFlows(pack(rows), RECORDS);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(1);
    expect(r.counters[abi.C_TS_OUT_OF_ORDER]).toBe(2);
    expect(r.counters[abi.C_TS_FIRST_US]).toBe(30 * S);
    expect(r.counters[abi.C_TS_LAST_US]).toBe(150 * S);
    expect([r.flows[0].firstUs, r.flows[0].lastUs]).toEqual([30 * S, 150 * S]);
    expect([r.flows[0].pktsOrig, r.flows[0].pktsResp]).toEqual([3, 1]);
  });

  it('a packet more than timeout + L behind the newest starts a new flow, whether or not the sweep ran', async () => {
    // UDP timeout 60 s, L = 5 s. The flow's packet at 50 s is only 50 s after its last one, but
    // the newest packet time (100 s) is 100 s past it: the flow has ended either way.
    const rows = (sweepFirst: boolean): Row[] => [
      { ts: 0, src: A, dst: B, sport: 1, dport: 2, proto: 17 },
      ...Array.from({ length: sweepFirst ? 600 : 1 }, (_, i) => ({ ts: 100 * S + i, src: A, dst: C, sport: 3, dport: 4, proto: 17 })),
      { ts: 50 * S, src: B, dst: A, sport: 2, dport: 1, proto: 17 },
    ];
    for (const sweepFirst of [false, true]) {
      const r = await runFlows(pack(rows(sweepFirst)), { ...RECORDS, [abi.CFG_FLOW_CAPACITY]: 16 });
      expect(r.counters[abi.C_FLOWS_CREATED], `sweep first: ${sweepFirst}`).toBe(3);
      expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(1);
      expect(r.flows.find((f) => f.resp === '10.0.0.1 1')?.orig).toBe('10.0.0.2 2');
    }
    // 64 s behind (within timeout + L of the newest): still the same flow.
    const near: Row[] = [
      { ts: 0, src: A, dst: B, sport: 1, dport: 2, proto: 17 },
      { ts: 64 * S, src: A, dst: C, sport: 3, dport: 4, proto: 17 },
      { ts: 50 * S, src: B, dst: A, sport: 2, dport: 1, proto: 17 },
    ];
    const r = await runFlows(pack(near), RECORDS);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(2);
    expect(r.flows.find((f) => f.orig === '10.0.0.1 1')).toMatchObject({ pktsOrig: 1, pktsResp: 1 });
  });

  it('sweeps idle flows in chunks by packet time', async () => {
    const rows: Row[] = [];
    for (let i = 0; i < 1000; i++) rows.push({ ts: i, src: A, dst: C, sport: 10000 + i, dport: 53, proto: 17 });
    // 100 s later one busy flow: the sweep (4 slots per packet) must retire the 1000 idle ones.
    for (let i = 0; i < 1000; i++) rows.push({ ts: 100 * S + i, src: A, dst: B, sport: 1, dport: 2, proto: 17 });
    const r = await runFlows(pack(rows), { ...RECORDS, [abi.CFG_FLOW_CAPACITY]: 2048 });
    expect(r.counters[abi.C_FLOW_CAPACITY]).toBe(2048);
    expect(r.counters[abi.C_FLOWS_CREATED]).toBe(1001);
    expect(r.counters[abi.C_FLOWS_EXPIRED]).toBe(1000);
    expect(r.counters[abi.C_FLOWS_LIVE]).toBe(1);
    expect(r.flows.length).toBe(1);
    expect(r.flows[0].pktsOrig).toBe(1000);
  });
});
