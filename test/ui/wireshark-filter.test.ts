// src/ui/wireshark-filter.ts: the display filter of a scope (pure cases: IPv4/IPv6 ends, ports,
// ICMP, other protocols, SYN-only, node names left out, exact µs epoch times) and the scopes of
// real alerts; src/ui/alert-detail.ts flowsInScope: the flows involved of real alerts.
import { describe, expect, it } from 'vitest';
import { addressFamily, alertScope, alertWiresharkFilter, epochSeconds, wiresharkFilter } from '../../src/ui/wireshark-filter';
import { alertJsonText, connIndex, flowsInScope } from '../../src/ui/alert-detail';
import { parseCli, runAnalyze, type CliRun } from '../../src/cli/main';
import { alertRow } from '../../src/io/alert-rows';
import { DET_FLOWRULE, DET_PORTSCAN, DET_SYNFLOOD, DET_UNUSUAL, PORTSCAN_HOSTS } from '../../src/shared/abi';
import type { AnalysisResult } from '../../src/shared/protocol';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

async function analyze(file: string, args: string[] = []): Promise<AnalysisResult> {
  const run = parseCli(['analyze', DATA + file, '--seed', '3', ...args]) as CliRun;
  return runAnalyze(DATA + file, 'jsonl', run.options, () => undefined);
}

describe('wiresharkFilter', () => {
  const t0 = 1678886400_123456;
  it('a TCP flow between two IPv4 hosts: both addresses, both ports, the time span', () => {
    expect(wiresharkFilter({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, ports: [51000, 80], fromUs: t0, toUs: t0 + 2_500_001 })).toBe(
      'ip.addr==10.0.0.1 && ip.addr==10.0.0.2 && tcp.port==51000 && tcp.port==80 && frame.time_epoch >= 1678886400.123456 && frame.time_epoch <= 1678886402.623457',
    );
  });
  it('IPv6 ends in RFC 5952 form, UDP with one port twice given once', () => {
    expect(wiresharkFilter({ src: '2001:db8:0:0:0:0:0:1', dst: 'fe80::1', proto: 17, ports: [53, 53], fromUs: 0, toUs: 1 })).toBe(
      'ipv6.addr==2001:db8::1 && ipv6.addr==fe80::1 && udp.port==53 && frame.time_epoch >= 0.000000 && frame.time_epoch <= 0.000001',
    );
  });
  it('one end only is directed; ICMP and ICMPv6 without types; other protocols by number', () => {
    expect(wiresharkFilter({ src: '10.0.0.9', proto: 1, fromUs: 5e6, toUs: 6e6 })).toBe('ip.src==10.0.0.9 && icmp && frame.time_epoch >= 5.000000 && frame.time_epoch <= 6.000000');
    expect(wiresharkFilter({ dst: '::1', proto: 58, fromUs: 5e6, toUs: 6e6 })).toMatch(/^ipv6\.dst==::1 && icmpv6 && /);
    expect(wiresharkFilter({ src: '10.0.0.1', dst: '10.0.0.2', proto: 47, fromUs: 0, toUs: 0 })).toMatch(/ && ip\.proto==47 && /);
    expect(wiresharkFilter({ src: 'fe80::1', dst: 'fe80::2', proto: 47, fromUs: 0, toUs: 0 })).toMatch(/ && ipv6\.nxt==47 && /);
    expect(wiresharkFilter({ proto: 6, fromUs: 0, toUs: 0 })).toBe('tcp && frame.time_epoch >= 0.000000 && frame.time_epoch <= 0.000000');
  });
  it('SYN-only scopes add the flag test; node names and unknown protocols are left out', () => {
    expect(wiresharkFilter({ dst: '10.1.1.1', proto: 6, synOnly: true, fromUs: 0, toUs: 0 })).toBe(
      'ip.dst==10.1.1.1 && tcp && tcp.flags.syn==1 && tcp.flags.ack==0 && frame.time_epoch >= 0.000000 && frame.time_epoch <= 0.000000',
    );
    expect(wiresharkFilter({ src: 'web-server', dst: '<script>', fromUs: 0, toUs: 0 })).toBe('frame.time_epoch >= 0.000000 && frame.time_epoch <= 0.000000');
  });
  it('epochSeconds is exact to the µs for large times and addressFamily tells v4, v6 and names apart', () => {
    expect(epochSeconds(4102444800_999999)).toBe('4102444800.999999');
    expect(epochSeconds(1_000_001)).toBe('1.000001');
    expect(addressFamily('192.168.0.1')).toBe('ip');
    expect(addressFamily('::ffff:1.2.3.4')).toBe('ipv6');
    expect(addressFamily('host-1')).toBeUndefined();
  });
});

describe('alert scopes and flows involved on real captures', () => {
  it('TCP SYN scan: PORTSCAN is the host pair, UNUSUAL and FLOWRULE the flow, SYNFLOOD the victim’s SYNs', async () => {
    const r = await analyze('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const a = r.alerts;
    const find = (det: number) => [...Array(a.count).keys()].find((i) => a.detector[i] === det)!;
    const scan = find(DET_PORTSCAN);
    const row = alertRow(r, scan);
    expect(a.variant[scan]).not.toBe(PORTSCAN_HOSTS);
    expect(alertScope(r, scan)).toEqual({ src: row.src, dst: row.dst, proto: 6, fromUs: row.first_ts_us, toUs: row.last_ts_us });
    expect(alertWiresharkFilter(r, scan)).toBe(`ip.addr==${row.src} && ip.addr==${row.dst} && tcp && frame.time_epoch >= ${epochSeconds(row.first_ts_us)} && frame.time_epoch <= ${epochSeconds(row.last_ts_us)}`);
    // The scan's flows: many records, every one between the two hosts, overlapping the span.
    const scope = alertScope(r, scan);
    const flows = flowsInScope(r.conns!, scope, 10_000);
    expect(flows.total).toBeGreaterThan(500);
    for (const k of flows.indices) {
      const ends = [r.conns!.names[r.conns!.orig[k]], r.conns!.names[r.conns!.resp[k]]].sort();
      expect(ends).toEqual([row.src, row.dst].sort());
      expect(r.conns!.lastUs[k] >= scope.fromUs && r.conns!.firstUs[k] <= scope.toUs).toBe(true);
    }
    expect(flowsInScope(r.conns!, scope, 5).indices.length).toBe(5);

    const un = find(DET_UNUSUAL);
    const u = alertRow(r, un);
    expect(alertScope(r, un)).toMatchObject({ src: u.src, dst: u.dst, proto: 6, ports: [u.sport, u.dport] });
    expect(alertWiresharkFilter(r, un)).toContain(`tcp.port==${u.sport} && tcp.port==${u.dport}`);
    // UNUSUAL's flow is in the connection records, with the same community_id as the alert.
    const f = flowsInScope(r.conns!, alertScope(r, un));
    expect(f.total).toBeGreaterThanOrEqual(1);
    const c = r.conns!;
    const k = f.indices[0];
    expect([c.origPort[k], c.respPort[k]].sort()).toEqual([u.sport, u.dport].sort());

    const fr = find(DET_FLOWRULE);
    expect(alertScope(r, fr).ports?.length).toBeGreaterThanOrEqual(1);
    const sf = find(DET_SYNFLOOD);
    expect(alertScope(r, sf)).toMatchObject({ dst: alertRow(r, sf).dst, proto: 6, synOnly: true });
    expect(alertScope(r, sf).src).toBeUndefined();

    // The index finds the same records as the full pass, for every alert.
    const ix = connIndex(r.conns!);
    for (let k = 0; k < r.alerts.count; k += 7) {
      expect(flowsInScope(r.conns!, alertScope(r, k), Infinity, ix)).toEqual(flowsInScope(r.conns!, alertScope(r, k), Infinity));
    }

    // Copy as JSON: the JSONL row, pretty.
    expect(JSON.parse(alertJsonText(r, un))).toEqual(JSON.parse(JSON.stringify(u)));
    expect(alertJsonText(r, un)).toContain('\n  "detector": "UNUSUAL"');
  });

  it('IPv6 ICMPv6 flow rule: ipv6.addr ends and icmpv6', async () => {
    const r = await analyze('attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap');
    expect(r.alerts.count).toBeGreaterThan(0);
    const f = alertWiresharkFilter(r, 0);
    expect(f).toMatch(/^ipv6\.addr==\S+ && ipv6\.addr==\S+ && icmpv6 && frame\.time_epoch >= \d+\.\d{6} && frame\.time_epoch <= \d+\.\d{6}$/);
    expect(flowsInScope(r.conns!, alertScope(r, 0)).total).toBeGreaterThanOrEqual(1);
  });
});
