// Generated edge cases the real corpus lacks (QinQ, SPB, OPB, byte-order changes between
// sections, if_tsresol 2^-n, fragments, IPv6 extension chains, BSD null in both byte orders...),
// checked field by field on a probe core (assembly/decode/probe.ts).
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import {
  probeRun, pcap, eth, ipv4, ipv6, tcp, udp, cat, shb, idb, epb, opb, spb, option, block,
} from './decode-helpers';

const A = [10, 0, 0, 1];
const B = [192, 168, 7, 9];
const V6A = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
const V6B = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
const mapped = (a: number[]) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...a];
const SYN = 2;

describe('decode fixtures: link layers', () => {
  it('Ethernet IPv4 TCP: every field', async () => {
    const frame = eth(0x0800, ipv4(A, B, 6, tcp(40000, 443, SYN, 77, 88)));
    const r = await probeRun(pcap(1, [{ sec: 1_700_000_000, frac: 123456, data: frame, wire: 1514 }]));
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.f).toMatchObject({
      tsUs: 1_700_000_000_123_456, wireLen: 1514, capLen: frame.length, recordIndex: 0, recordOffset: 24,
      proto: 6, protoLabel: 6, sport: 40000, dport: 443, tcpFlags: SYN, seq: 77, ack: 88, payloadLen: 20,
      vlan: 0, isV6: false, isFragment: false,
    });
    expect([...r.src]).toEqual(mapped(A));
    expect([...r.dst]).toEqual(mapped(B));
    expect(r.counters[abi.C_BYTES_DECODED]).toBe(1514);
    expect(r.counters[abi.C_TCP]).toBe(1);
    expect(r.counters[abi.C_IPV4]).toBe(1);
    expect(r.counters[abi.C_INTERFACES]).toBe(1);
    expect(r.counters[abi.C_LINKTYPE]).toBe(1);
    expect(r.counters[abi.C_FORMAT]).toBe(abi.FORMAT_PCAP);
  });

  it('802.1Q single tag, QinQ 802.1ad + 802.1Q, 0x9100', async () => {
    const p = ipv4(A, B, 17, udp(53, 5353));
    let r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, p, [[0x8100, 0x2064]]) }]));
    expect(r.f.vlan).toBe(100);
    expect(r.f.sport).toBe(53);
    r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, p, [[0x88a8, 200], [0x8100, 300]]) }]));
    expect(r.f.vlan).toBe((200 << 12) | 300);
    expect(r.f.dport).toBe(5353);
    r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, p, [[0x9100, 7], [0x8100, 8]]) }]));
    expect(r.f.vlan).toBe((7 << 12) | 8);
  });

  it('ARP and 802.3/LLC frames are not IP; a short frame is truncated', async () => {
    const arp = eth(0x0806, new Uint8Array(28));
    const llc = eth(0x0026, cat(new Uint8Array([0x42, 0x42, 3]), new Uint8Array(35)));
    const short = new Uint8Array(10);
    const cut = eth(0x0800, new Uint8Array(12)); // IPv4 header cut by the snap length
    const r = await probeRun(pcap(1, [arp, llc, short, cut].map((data) => ({ sec: 1, frac: 0, data }))));
    expect(r.counters[abi.C_RECORDS_READ]).toBe(4);
    expect(r.counters[abi.C_SKIP_NOT_IP]).toBe(2);
    expect(r.counters[abi.C_SKIP_TRUNCATED]).toBe(2);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(0);
  });

  it('PPPoE session and MPLS carry IP', async () => {
    const ppp = cat(new Uint8Array([0x11, 0, 0, 1, 0, 0x30, 0, 0x21]), ipv4(A, B, 6, tcp(1, 2, 16)));
    const mpls = cat(new Uint8Array([0, 0x01, 0x00, 64, 0, 0x02, 0x01, 64]), ipv6(V6A, V6B, [], 17, udp(7, 8)));
    const r = await probeRun(pcap(1, [
      { sec: 1, frac: 0, data: eth(0x8864, ppp) },
      { sec: 1, frac: 0, data: eth(0x8847, mpls) },
    ]));
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(2);
    expect(r.counters[abi.C_IPV4]).toBe(1);
    expect(r.counters[abi.C_IPV6]).toBe(1);
    expect(r.f).toMatchObject({ isV6: true, proto: 17, sport: 7, dport: 8 });
  });

  it('Linux SLL, SLL2, raw IP (101, 12, 14), IPv4/IPv6 link types', async () => {
    const p4 = ipv4(A, B, 17, udp(1, 2));
    const p6 = ipv6(V6A, V6B, [], 6, tcp(3, 4, SYN));
    const sll = cat(new Uint8Array(14), new Uint8Array([0x08, 0x00]), p4);
    const sll2 = cat(new Uint8Array([0x86, 0xdd]), new Uint8Array(18), p6);
    for (const [lt, data, v6] of [
      [113, sll, false], [276, sll2, true], [101, p4, false], [12, p6, true], [14, p4, false], [228, p4, false], [229, p6, true],
    ] as const) {
      const r = await probeRun(pcap(lt, [{ sec: 1, frac: 0, data }]));
      expect(r.counters[abi.C_PACKETS_DECODED], `lt ${lt}`).toBe(1);
      expect(r.f.isV6, `lt ${lt}`).toBe(v6);
    }
  });

  it('BSD null in both host byte orders and OpenBSD loop', async () => {
    const p6 = ipv6(V6A, V6B, [], 58, new Uint8Array([128, 0, 0, 0]));
    const p4 = ipv4(A, B, 1, new Uint8Array([8, 0, 0, 0]));
    const le = (n: number) => new Uint8Array([n, 0, 0, 0]);
    const be = (n: number) => new Uint8Array([0, 0, 0, n]);
    for (const [lt, hdr, p, v6] of [
      [0, le(2), p4, false], [0, be(2), p4, false], [0, le(30), p6, true], [0, be(24), p6, true], [0, le(28), p6, true],
      [108, be(2), p4, false], [108, be(24), p6, true],
    ] as const) {
      const r = await probeRun(pcap(lt, [{ sec: 1, frac: 0, data: cat(hdr, p) }]));
      expect(r.counters[abi.C_PACKETS_DECODED], `lt ${lt} ${hdr}`).toBe(1);
      expect(r.f.isV6).toBe(v6);
      expect(r.f.sport).toBe(v6 ? 128 : 8); // ICMP type
      expect(r.counters[abi.C_ICMP]).toBe(1);
    }
    const r = await probeRun(pcap(0, [{ sec: 1, frac: 0, data: cat(le(7), p4) }]));
    expect(r.counters[abi.C_SKIP_NOT_IP]).toBe(1);
  });

  it('an unsupported link type is counted per packet and reported at finish', async () => {
    const r = await probeRun(pcap(147, [{ sec: 1, frac: 0, data: new Uint8Array(40) }, { sec: 2, frac: 0, data: new Uint8Array(40) }]));
    expect(r.counters[abi.C_SKIP_UNSUPPORTED_LINK]).toBe(2);
    expect(r.counters[abi.C_INTERFACES_UNSUPPORTED]).toBe(1);
    expect(r.status).toBe(abi.STATUS_ERROR);
    expect(r.errorCode).toBe(abi.ERR_UNSUPPORTED_LINKTYPE);
    expect(r.errorOffset).toBe(0);
  });
});

describe('decode fixtures: IP and transport', () => {
  it('IPv4 options, first and non-first fragments', async () => {
    let r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, ipv4(A, B, 6, tcp(5, 6, 18), 0, 8)) }]));
    expect(r.f).toMatchObject({ sport: 5, dport: 6, tcpFlags: 18, payloadLen: 20 });
    r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, ipv4(A, B, 17, udp(5, 6), 0x2000)) }]));
    expect(r.f).toMatchObject({ sport: 5, dport: 6, isFragment: false });
    expect(r.counters[abi.C_FRAGMENTS_NONFIRST]).toBe(0);
    r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: eth(0x0800, ipv4(A, B, 17, udp(5, 6), 185)) }]));
    expect(r.f).toMatchObject({ sport: 0, dport: 0, isFragment: true, proto: 17 });
    expect(r.counters[abi.C_FRAGMENTS_NONFIRST]).toBe(1);
    expect(r.counters[abi.C_UDP]).toBe(1);
  });

  it('impossible IPv4 and TCP headers are bad headers; a cut TCP header keeps its ports', async () => {
    const badIhl = ipv4(A, B, 6, tcp(1, 2, 2)); badIhl[0] = 0x44;
    const badVer = ipv4(A, B, 6, tcp(1, 2, 2)); badVer[0] = 0x55;
    const badTot = ipv4(A, B, 6, tcp(1, 2, 2)); badTot[2] = 0; badTot[3] = 10;
    const badDoff = ipv4(A, B, 6, tcp(1, 2, 2, 0, 0, 3));
    const cutTcp = ipv4(A, B, 6, tcp(1234, 80, 2)).subarray(0, 26);
    const r = await probeRun(pcap(1, [badIhl, badVer, badTot, badDoff, cutTcp].map((p) => ({ sec: 1, frac: 0, data: eth(0x0800, p) }))));
    expect(r.counters[abi.C_SKIP_BAD_HEADER]).toBe(4);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1);
    expect(r.f).toMatchObject({ sport: 1234, dport: 80, tcpFlags: 0 });
  });

  it('IPv6 extension chain: hop-by-hop, routing, dest options, AH, then TCP', async () => {
    const ext = (n: number) => { const b = new Uint8Array(8 * (n + 1)); b[1] = n; return b; };
    const ah = new Uint8Array(16); ah[1] = 2; // (2+2)*4 = 16 bytes
    const p = ipv6(V6A, V6B, [[0, ext(0)], [43, ext(1)], [60, ext(0)], [51, ah]], 6, tcp(22, 50000, 0x12));
    const r = await probeRun(pcap(229, [{ sec: 1, frac: 0, data: p }]));
    expect(r.f).toMatchObject({ isV6: true, proto: 6, sport: 22, dport: 50000, tcpFlags: 0x12, payloadLen: 20 });
    expect([...r.src]).toEqual(V6A);
    expect([...r.dst]).toEqual(V6B);
  });

  it('IPv6 fragments: first has ports, non-first does not; ESP stops the walk', async () => {
    const frag = (off: number) => { const b = new Uint8Array(8); b[2] = off >> 8; b[3] = off & 0xf8; return b; };
    let r = await probeRun(pcap(229, [{ sec: 1, frac: 0, data: ipv6(V6A, V6B, [[44, frag(0)]], 17, udp(9, 10)) }]));
    expect(r.f).toMatchObject({ proto: 17, sport: 9, dport: 10, isFragment: false });
    r = await probeRun(pcap(229, [{ sec: 1, frac: 0, data: ipv6(V6A, V6B, [[44, frag(1480)]], 17, udp(9, 10)) }]));
    expect(r.f).toMatchObject({ proto: 17, sport: 0, dport: 0, isFragment: true });
    expect(r.counters[abi.C_FRAGMENTS_NONFIRST]).toBe(1);
    r = await probeRun(pcap(229, [{ sec: 1, frac: 0, data: ipv6(V6A, V6B, [], 50, new Uint8Array(16)) }]));
    expect(r.f).toMatchObject({ proto: 50, sport: 0 });
    expect(r.counters[abi.C_OTHER_IP]).toBe(1);
  });
});

describe('decode fixtures: pcap header variants', () => {
  const frame = eth(0x0800, ipv4(A, B, 6, tcp(1, 2, 2)));
  it('big-endian and nanosecond files; ns floored to µs; seconds past 2038 unsigned', async () => {
    let r = await probeRun(pcap(1, [{ sec: 0xfffffff0, frac: 999_999_999, data: frame }], { be: true, ns: true }));
    expect(r.f.tsUs).toBe(0xfffffff0 * 1e6 + 999_999);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1);
    r = await probeRun(pcap(1, [{ sec: 5, frac: 7, data: frame }], { be: true }));
    expect(r.f.tsUs).toBe(5_000_007);
  });
  it('versions other than 2.0-2.4 are rejected; FCS bits in the link type are allowed', async () => {
    for (const [major, minor] of [[1, 4], [2, 5], [3, 0]]) {
      const r = await probeRun(pcap(1, [{ sec: 1, frac: 0, data: frame }], { major, minor }));
      expect(r.errorCode).toBe(abi.ERR_BAD_FILE_HEADER);
    }
    const r = await probeRun(pcap(0x14000000 | 1, [{ sec: 1, frac: 0, data: frame }]));
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1);
  });
  it('caplen above 262144 is fatal at the record; what came before stays counted', async () => {
    const f = pcap(1, [{ sec: 1, frac: 0, data: frame }, { sec: 2, frac: 0, data: frame, cap: 262145 }]);
    const r = await probeRun(f);
    expect(r.errorCode).toBe(abi.ERR_BAD_RECORD_HEADER);
    expect(r.errorOffset).toBe(24 + 16 + frame.length);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1);
  });
  it('anything else is not a capture', async () => {
    const r = await probeRun(new TextEncoder().encode('ts,src,dst\n1,2,3\n'));
    expect(r.errorCode).toBe(abi.ERR_NOT_A_CAPTURE);
    expect(r.errorOffset).toBe(0);
    const r2 = await probeRun(new Uint8Array([0xd4, 0xc3]));
    expect(r2.errorCode).toBe(abi.ERR_TRUNCATED);
  });
});

describe('decode fixtures: pcapng', () => {
  const f4 = eth(0x0800, ipv4(A, B, 17, udp(1000, 53)));
  const f6 = eth(0x86dd, ipv6(V6A, V6B, [], 6, tcp(1, 2, SYN)));

  it('EPB on two interfaces with different if_tsresol (10^-9 and 2^-10) and if_tsoffset', async () => {
    const off = new Uint8Array(8); new DataView(off.buffer).setBigInt64(0, 100n, true);
    const file = cat(
      shb(),
      idb(1, [option(9, new Uint8Array([9]))]),
      idb(1, [option(9, new Uint8Array([0x80 | 10])), option(14, off)]),
      epb(0, 1_500_000_000_123_456_789n, f4),
      epb(1, 1024n * 5n + 512n, f6),
    );
    const r = await probeRun(file);
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(2);
    expect(r.counters[abi.C_INTERFACES]).toBe(2);
    expect(r.counters[abi.C_SECTIONS]).toBe(1);
    expect(r.counters[abi.C_FORMAT]).toBe(abi.FORMAT_PCAPNG);
    // 5.5 s after the 100 s offset
    expect(r.f.tsUs).toBe(105_500_000);
    expect(r.f.recordIndex).toBe(1);
    const r0 = await probeRun(cat(shb(), idb(1, [option(9, new Uint8Array([9]))]), epb(0, 1_500_000_000_123_456_789n, f4)));
    expect(r0.f.tsUs).toBe(1_500_000_000_123_456);
  });

  it('SPB takes interface 0, min(orig len, body, snaplen) and the previous timestamp; OPB works', async () => {
    const file = cat(shb(), idb(1, [], true, 60), epb(0, 7_000_000n, f4), spb(f6, 1000), opb(0, 9_000_000n, f4));
    let r = await probeRun(file.subarray(0, file.length - opb(0, 9_000_000n, f4).length));
    expect(r.counters[abi.C_RECORDS_READ]).toBe(2);
    expect(r.f.tsUs).toBe(7_000_000);
    expect(r.f.capLen).toBe(60);
    expect(r.f.sport).toBe(1);
    expect(r.f.wireLen).toBe(1000);
    expect(r.f.isV6).toBe(true);
    r = await probeRun(file);
    expect(r.counters[abi.C_RECORDS_READ]).toBe(3);
    expect(r.f.tsUs).toBe(9_000_000);
    expect(r.f.sport).toBe(1000);
  });

  it('several sections with different byte orders; each resets the interface list', async () => {
    const file = cat(
      shb(true), idb(1, [], true), epb(0, 1_000_000n, f4, true),
      shb(false), idb(101, [], false), idb(1, [], false), epb(1, 2_000_000n, f6, false),
      block(5, new Uint8Array(20), false), block(0x40000bad, new Uint8Array(8), false),
    );
    const r = await probeRun(file);
    expect(r.status).toBe(abi.STATUS_DONE);
    expect(r.counters[abi.C_SECTIONS]).toBe(2);
    expect(r.counters[abi.C_INTERFACES]).toBe(3);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(2);
    expect(r.counters[abi.C_BLOCKS_SKIPPED]).toBe(2);
    expect(r.f.tsUs).toBe(2_000_000);
    // interface 1 of section 2 is not visible to a packet in section 1 and vice versa
    const bad = cat(shb(), idb(1), idb(1), shb(), idb(1), epb(1, 0n, f4));
    const rb = await probeRun(bad);
    expect(rb.errorCode).toBe(abi.ERR_NO_INTERFACE);
    expect(rb.errorOffset).toBe(bad.length - epb(1, 0n, f4).length);
  });

  it('block framing errors are fatal at the block', async () => {
    const good = cat(shb(), idb(1), epb(0, 0n, f4));
    const mism = epb(0, 0n, f4); mism[mism.length - 4] ^= 4;
    let r = await probeRun(cat(good, mism));
    expect(r.errorCode).toBe(abi.ERR_BAD_RECORD_HEADER);
    expect(r.errorOffset).toBe(good.length);
    expect(r.counters[abi.C_PACKETS_DECODED]).toBe(1);
    const capTooBig = epb(0, 0n, f4); new DataView(capTooBig.buffer).setUint32(20, 5000, true);
    r = await probeRun(cat(good, capTooBig));
    expect(r.errorCode).toBe(abi.ERR_BAD_RECORD_HEADER);
  });

  it('a non-packet block larger than the input region is skipped in streaming mode', async () => {
    const big = block(0x00000bad, new Uint8Array(3 * 1024 * 1024 + 4));
    const file = cat(shb(), idb(1), epb(0, 0n, f4), big, epb(0, 0n, f6));
    for (const chunk of [65536, 1 << 20, 4 << 20]) {
      const r = await probeRun(file, { [abi.CFG_CHUNK_BYTES]: 1 << 20 }, chunk);
      expect(r.status).toBe(abi.STATUS_DONE);
      expect(r.counters[abi.C_PACKETS_DECODED]).toBe(2);
      expect(r.counters[abi.C_BLOCKS_SKIPPED]).toBe(1);
      expect(r.counters[abi.C_BYTES_CONSUMED]).toBe(file.length);
    }
    const cut = await probeRun(file.subarray(0, file.length - 1000));
    expect(cut.errorCode).toBe(abi.ERR_TRUNCATED);
    expect(cut.errorOffset).toBe(cat(shb(), idb(1), epb(0, 0n, f4)).length);
    // a packet block that large is fatal
    const hugeEpb = epb(0, 0n, new Uint8Array(400_000));
    const r2 = await probeRun(cat(shb(), idb(1), hugeEpb));
    expect(r2.errorCode).toBe(abi.ERR_BAD_RECORD_HEADER);
  });
});
