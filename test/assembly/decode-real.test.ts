// Named real captures with explicit expectations (link types, byte orders, nanosecond and
// if_tsresol time, pcapng interfaces, VLAN/QinQ, IPv6), plus a timestamp sweep: the last record's
// time equals the manifest's (capinfos) last packet time for every monotonic capture.
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { probeRun, readData, readManifest } from './decode-helpers';

const run = (path: string, chunk = 1 << 20) => probeRun(readData(path), {}, chunk);

describe('decode: named real captures', () => {
  it('pcapng with two interfaces (if_tsresol 10^-9 and 10^-6)', async () => {
    const r = await run('parser_corpus/zeek/pcapng-multi-interface.pcapng');
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_FORMAT]).toBe(abi.FORMAT_PCAPNG);
    expect(r.counters[abi.C_RECORDS_READ]).toBe(6);
    expect(r.counters[abi.C_INTERFACES]).toBe(2);
    expect(r.counters[abi.C_SECTIONS]).toBe(1);
    expect(r.counters[abi.C_LINKTYPE]).toBe(1);
    expect(r.f.recordIndex).toBe(5);
  });

  it('classic pcap named .pcapng is sniffed as pcap', async () => {
    const r = await run('attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng');
    expect(r.counters[abi.C_FORMAT]).toBe(abi.FORMAT_PCAP);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(9878);
    expect(r.counters[abi.C_TCP]).toBe(9878);
  });

  it('big-endian pcap (pptp.pcap): 23 packets', async () => {
    const r = await run('parser_corpus/tcpdump/pptp.pcap');
    expect(r.counters[abi.C_RECORDS_READ]).toBe(23);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(23);
  });

  it('nanosecond pcap over Linux SLL', async () => {
    const r = await run('parser_corpus/tcpdump/tcp-handshake-nano.pcap');
    expect(r.counters[abi.C_LINKTYPE]).toBe(113);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(3);
    expect(r.counters[abi.C_TCP]).toBe(3);
    expect(Number.isInteger(r.f.tsUs)).toBe(true);
  });

  it('Linux SLL2 (276): 2 IPv4, 2 IPv6, ARP and RARP', async () => {
    const r = await run('parser_corpus/zeek/linux_dlt_sll2.pcap');
    expect(r.counters[abi.C_LINKTYPE]).toBe(276);
    expect(r.counters[abi.C_RECORDS_READ]).toBe(6);
    expect(r.counters[abi.C_IPV4]).toBe(2);
    expect(r.counters[abi.C_IPV6]).toBe(2);
    expect(r.counters[abi.C_SKIP_NOT_IP]).toBe(2);
  });

  it('BSD null loopback (dns-svcb.pcap) and raw IPv4 / IPv6 link types', async () => {
    for (const [path, lt, v4, v6] of [
      ['parser_corpus/zeek/dns-svcb.pcap', 0, 2, 0],
      ['parser_corpus/tcpdump/LINKTYPE_RAW_ipv6.pcap', 101, 0, 1],
      ['parser_corpus/tcpdump/LINKTYPE_IPV4.pcap', 228, 1, 0],
    ] as const) {
      const r = await run(path);
      expect(r.counters[abi.C_LINKTYPE], path).toBe(lt);
      expect(r.counters[abi.C_IPV4], path).toBe(v4);
      expect(r.counters[abi.C_IPV6], path).toBe(v6);
    }
  });

  it('802.1ad QinQ: outer 200, inner 2001 (ARP inside, so not IP)', async () => {
    const r = await run('parser_corpus/tcpdump/802.1ad_QinQ.pcap');
    expect(r.counters[abi.C_SKIP_NOT_IP]).toBe(2);
    expect(r.f.vlan).toBe((200 << 12) | 2001);
  });

  it('IPv6 attack capture (rsmurf6): every packet IPv6', async () => {
    const row = readManifest().find((x) => x.path === 'attacks/icmp/suricata-verify_ipv6_rsmurf6.pcap')!;
    const r = await run(row.path);
    expect(r.counters[abi.C_IPV6]).toBe(row.ipv6);
    expect(r.f.isV6).toBe(true);
  });

  it('802.11 (105) only: unsupported link type reported at finish, every frame counted', async () => {
    const r = await run('parser_corpus/misc/netforensics_evidence08_80211.pcap.gz');
    expect(r.counters[abi.C_RECORDS_READ]).toBe(133068);
    expect(r.counters[abi.C_SKIP_UNSUPPORTED_LINK]).toBe(133068);
    expect(r.errorCode).toBe(abi.ERR_UNSUPPORTED_LINKTYPE);
    expect(r.errorOffset).toBe(0);
  });

  it('unsupported pcapng interface: error offset is its IDB', async () => {
    const r = await run('parser_corpus/tcpdump/vsock-1.pcapng');
    expect(r.errorCode).toBe(abi.ERR_UNSUPPORTED_LINKTYPE);
    const b = readData('parser_corpus/tcpdump/vsock-1.pcapng');
    const v = new DataView(b.buffer, b.byteOffset);
    expect(v.getUint32(r.errorOffset, true)).toBe(1); // an IDB starts there
  });
});

describe('decode: timestamps against the manifest', () => {
  it('the last record time equals capinfos last packet time (±1 ms) for monotonic captures', async () => {
    let checked = 0;
    for (const row of readManifest()) {
      if (row.lastMs === null || !row.monotonic || !/\.(pcap|pcapng)(\.gz)?$/.test(row.path)) continue;
      if (row.path.includes('libpcap_malformed/')) continue;
      const r = await probeRun(readData(row.path));
      if (r.counters[abi.C_RECORDS_READ] === 0 || (r.status !== abi.STATUS_DONE && r.errorCode !== abi.ERR_UNSUPPORTED_LINKTYPE)) continue;
      expect(Math.abs(Math.floor(r.f.tsUs / 1000) - row.lastMs), row.path).toBeLessThanOrEqual(1);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  }, 300_000);
});
