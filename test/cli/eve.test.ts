// --format eve on real captures: every line a Suricata EVE alert event with the required fields,
// community_id equal to the library's for the event's 5-tuple, and hand-checked Community IDs
// (Python hashlib over the spec's hash input) for one TCP and one ICMP alert.
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CONN_LOG_FIELDS } from '../../src/io/conn-log';
import { runAnalyze } from '../../src/cli/main';
import { communityId } from '../../src/io/community-id';
import { eveSignatureId } from '../../src/io/eve';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;

async function eve(file: string): Promise<Record<string, any>[]> {
  let text = '';
  await runAnalyze(DATA + file, 'eve', DEFAULT_OPTIONS, (s) => (text += s));
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  return lines.map((l) => JSON.parse(l));
}

describe('--format eve', () => {
  it('writes one alert event per line on a TCP SYN scan, community_id as the library computes it', async () => {
    const ev = await eve('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    expect(ev.length).toBeGreaterThan(10);
    for (const e of ev) {
      expect(e.event_type).toBe('alert');
      expect(e.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+0000$/);
      expect(e.proto).toBe('TCP');
      for (const k of ['flow_id', 'src_ip', 'src_port', 'dest_ip', 'dest_port', 'community_id']) expect(e[k], k).toBeDefined();
      expect(Number.isSafeInteger(e.flow_id)).toBe(true);
      expect(e.community_id).toBe(communityId({ src: e.src_ip, dst: e.dest_ip, proto: 6, sport: e.src_port, dport: e.dest_port }));
      expect(e.alert).toMatchObject({ action: 'allowed', gid: 1, rev: 1 });
      expect([1, 2, 3]).toContain(e.alert.severity);
      expect(e.alert.signature).toMatch(new RegExp(`^FLOWLENS ${e.flowlens.detector}`));
      expect(typeof e.alert.category).toBe('string');
      expect(e.flowlens.evidence).toBeTypeOf('object');
    }
    const scan = ev.filter((e) => e.flowlens.detector === 'PORTSCAN');
    expect(scan.length).toBeGreaterThan(0);
    expect(new Set(scan.map((e) => e.alert.signature_id)).size).toBeLessThanOrEqual(2);
    expect(scan.every((e) => e.alert.signature_id >= 1770300 && e.alert.signature_id < 1770400)).toBe(true);
    // First alert: 192.168.1.10:35503 -> 192.168.1.25:1723 TCP.
    expect(ev[0]).toMatchObject({ src_ip: '192.168.1.10', src_port: 35503, dest_ip: '192.168.1.25', dest_port: 1723, community_id: '1:XQCdXd4G1UyyrH5uQSRAcYjXhoM=' });
  });

  it('maps ICMP type/code per the spec (an echo reply hashes as the request pair)', async () => {
    const ev = await eve('attacks/portscan/evilfingers_xprobe_xprobe_icmp_udp_scan.pcap');
    const icmp = ev.filter((e) => e.proto === 'ICMP');
    expect(icmp.length).toBeGreaterThan(0);
    for (const e of icmp) expect(e.src_port).toBeUndefined();
    // 192.168.1.25 -> 192.168.1.20 echo reply (type 0, code 0): hashed as (.20, .25, 1, 8, 0).
    const reply = icmp.find((e) => e.icmp_type === 0 && e.icmp_code === 0)!;
    expect(reply).toMatchObject({ src_ip: '192.168.1.25', dest_ip: '192.168.1.20', community_id: '1:J1FLRlVmvhXjCBZYdRPp16u7ITQ=' });
    // Destination unreachable (type 3, code 3), one-way: hashed in packet order.
    const unreach = icmp.find((e) => e.icmp_type === 3 && e.icmp_code === 3)!;
    expect(unreach.community_id).toBe('1:sA2MnJ9t7RCdKYPiTjnROSKFdvE=');
  });
});

describe('--format conn community_id', () => {
  it('is the last column, the spec hash of each flow, and joins the alerts of the same capture', async () => {
    const file = 'attacks/portscan/evilfingers_xprobe_xprobe_icmp_udp_scan.pcap';
    let text = '';
    await runAnalyze(DATA + file, 'conn', DEFAULT_OPTIONS, (s) => (text += s));
    const lines = text.trim().split('\n');
    const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
    expect(fields.at(-1)).toBe('community_id');
    const rows = lines.filter((l) => !l.startsWith('#')).map((l) => Object.fromEntries(l.split('\t').map((v, k) => [fields[k], v])));
    const proto: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };
    for (const r of rows) {
      expect(r.community_id).toBe(communityId({ src: r['id.orig_h'], dst: r['id.resp_h'], proto: proto[r.proto], sport: +r['id.orig_p'], dport: +r['id.resp_p'] }));
    }
    // The echo request flow 192.168.1.20 -> .25 (ports 8, 0): hand-checked as in the EVE test.
    expect(rows.find((r) => r.proto === 'icmp' && r['id.orig_p'] === '8')!.community_id).toBe('1:J1FLRlVmvhXjCBZYdRPp16u7ITQ=');
    const ids = new Set(rows.map((r) => r.community_id));
    const alerts = (await eve(file)).filter((e) => e.community_id);
    expect(alerts.length).toBeGreaterThan(0);
    for (const e of alerts) expect(ids.has(e.community_id), `${e.flowlens.detector} ${e.community_id}`).toBe(true);
  });
});

describe('--format conn-csv', () => {
  it('has the conn.log columns and values (unset ones empty), one row per connection', async () => {
    const file = 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
    let tsv = '';
    let csv = '';
    await runAnalyze(DATA + file, 'conn', DEFAULT_OPTIONS, (s) => (tsv += s));
    await runAnalyze(DATA + file, 'conn-csv', DEFAULT_OPTIONS, (s) => (csv += s));
    const parsed = Papa.parse<string[]>(csv.trim(), { header: false });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toEqual([...CONN_LOG_FIELDS]);
    const logRows = tsv.trim().split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split('\t').map((v) => (v === '-' ? '' : v)));
    expect(logRows.length).toBeGreaterThan(100);
    expect(parsed.data.slice(1)).toEqual(logRows);
  });
});

describe('EVE whole-traffic alerts and signature ids', () => {
  it('writes a global SPIKE without a 5-tuple, subject "all traffic"', async () => {
    const ev = await eve('attacks/synflood/stopddos_amp.TCP.syn.optionallyACK.optionallysamePort.pcapng');
    const spike = ev.filter((e) => e.flowlens.detector === 'SPIKE' && e.flowlens.variant === 'global');
    expect(spike.length).toBeGreaterThan(0);
    for (const e of spike) {
      for (const k of ['flow_id', 'src_ip', 'dest_ip', 'src_port', 'dest_port', 'community_id']) expect(e[k], k).toBeUndefined();
      expect(e.flowlens.subject).toBe('all traffic');
      expect(e.alert.signature_id).toBe(1770800);
    }
    expect(ev.filter((e) => e.flowlens.detector !== 'SPIKE' && e.flowlens.detector !== 'PROTOSHIFT').every((e) => e.community_id)).toBe(true);
  });

  it('numbers signatures by detector and variant', () => {
    expect(eveSignatureId('ZSCORE')).toBe(1770100);
    expect(eveSignatureId('PORTSCAN', 'ports')).toBe(1770300);
    expect(eveSignatureId('PORTSCAN', 'hosts')).toBe(1770302);
    expect(eveSignatureId('SYNFLOOD', 'spread')).toBe(1770402);
    expect(eveSignatureId('PROFILE', 'critical')).toBe(1771303);
  });
});
