// NameTable: addresses and node names to 16 bytes and back; protocol labels.
import { describe, expect, it } from 'vitest';
import { NameTable } from '../../src/io/names';

const bytesOf = (t: NameTable, v: string) => {
  const out = new Uint8Array(20).fill(0xee);
  t.address(v, out, 2);
  expect(out[0]).toBe(0xee);
  expect(out[18]).toBe(0xee);
  return out.subarray(2, 18);
};

describe('NameTable.address / formatAddress', () => {
  it('IPv4 becomes IPv4-mapped IPv6 and formats back as a dotted quad', () => {
    const t = new NameTable();
    const b = bytesOf(t, '192.168.10.5');
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 10, 5]);
    expect(t.formatAddress(b)).toBe('192.168.10.5');
    expect(Array.from(bytesOf(t, '::ffff:192.168.10.5'))).toEqual(Array.from(b));
    expect(t.nodeCount).toBe(0);
  });

  it('IPv6 in any written form gives the same bytes and formats as RFC 5952', () => {
    const t = new NameTable();
    const forms = ['2001:db8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:DB8:0:0::1', ' 2001:db8::1 '];
    const first = Array.from(bytesOf(t, forms[0]));
    expect(first).toEqual([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (const f of forms) expect(Array.from(bytesOf(t, f))).toEqual(first);
    expect(t.formatAddress(bytesOf(t, forms[1]))).toBe('2001:db8::1');
    expect(t.formatAddress(bytesOf(t, '2001:db8:0:0:1:0:0:1'))).toBe('2001:db8::1:0:0:1');
    expect(t.formatAddress(bytesOf(t, 'fe80::1%eth0'))).toBe('fe80::1');
    expect(t.formatAddress(bytesOf(t, '::'))).toBe('::');
    expect(t.formatAddress(bytesOf(t, '::1'))).toBe('::1');
  });

  it('node names are interned into 100::/64 from id 0 in first-seen order', () => {
    const t = new NameTable();
    const names = ['A', 'web-01', 'a', '10', '1.2.3', '999.1.1.1', 'B', 'A'];
    const ids = names.map((n) => {
      const b = bytesOf(t, n);
      expect(Array.from(b.subarray(0, 12))).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(t.formatAddress(b)).toBe(n);
      return new DataView(b.buffer, b.byteOffset + 12, 4).getUint32(0, false);
    });
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 0]);
    expect(t.nodeCount).toBe(7);
    // A second table given the same input issues the same ids.
    const u = new NameTable();
    expect(names.map((n) => Array.from(bytesOf(u, n)))).toEqual(names.map((n) => Array.from(bytesOf(t, n))));
    // An id this table never issued formats as the IPv6 address it is.
    expect(t.formatAddress(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0]))).toBe('100::100');
  });

  it('formats 200,000 addresses quickly', () => {
    const t = new NameTable();
    const b = new Uint8Array(16 * 1000);
    for (let i = 0; i < 1000; i++) t.address(`10.0.${i >> 8}.${i & 255}`, b, i * 16);
    const t0 = performance.now();
    let n = 0;
    for (let k = 0; k < 200_000; k++) n += t.formatAddress(b.subarray((k % 1000) * 16, (k % 1000) * 16 + 16)).length;
    expect(n).toBeGreaterThan(0);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('NameTable.protoLabel / formatProto', () => {
  it('numbers and known names map to the IP protocol number', () => {
    const t = new NameTable();
    expect(t.protoLabel(6)).toEqual({ label: 6, proto: 6 });
    expect(t.protoLabel('17')).toEqual({ label: 17, proto: 17 });
    expect(t.protoLabel('tcp')).toEqual({ label: 6, proto: 6 });
    expect(t.protoLabel('ICMP')).toEqual({ label: 1, proto: 1 });
    expect(t.protoLabel('IPV6-ICMP')).toEqual({ label: 58, proto: 58 });
    expect(t.protoLabel('ICMPv6')).toEqual({ label: 58, proto: 58 });
    expect(t.protoLabel('gre')).toEqual({ label: 47, proto: 47 });
    expect(t.protoLabel('ESP')).toEqual({ label: 50, proto: 50 });
    expect(t.protoLabel('SCTP')).toEqual({ label: 132, proto: 132 });
    expect(t.protoLabel(0)).toEqual({ label: 0, proto: 0 });
    expect(t.protoLabel('')).toEqual({ label: 0, proto: 0 });
    expect(t.protoLabel(256)).toEqual({ label: 0, proto: 0 });
    expect(t.protoLabel(6.5)).toEqual({ label: 0, proto: 0 });
    expect(t.protoCount).toBe(0);
  });

  it('other names are interned case-insensitively from 256, keeping the first spelling', () => {
    const t = new NameTable();
    expect(t.protoLabel('HTTP')).toEqual({ label: 256, proto: 6 });
    expect(t.protoLabel('DNS')).toEqual({ label: 257, proto: 17 });
    expect(t.protoLabel('http')).toEqual({ label: 256, proto: 6 });
    expect(t.protoLabel('TLSv1.2')).toEqual({ label: 258, proto: 6 });
    expect(t.protoLabel('ARP')).toEqual({ label: 259, proto: 0 });
    expect(t.protoLabel('SSH')).toEqual({ label: 260, proto: 6 });
    expect(t.formatProto(256)).toBe('HTTP');
    expect(t.formatProto(258)).toBe('TLSv1.2');
    expect(t.formatProto(999)).toBe('proto-999');
  });

  it('formats numbers with common names', () => {
    const t = new NameTable();
    expect([6, 17, 1, 58, 47, 0, 253].map((n) => t.formatProto(n))).toEqual(['TCP', 'UDP', 'ICMP', 'ICMPv6', 'GRE', 'unknown', '253']);
    for (let n = 1; n < 256; n++) expect(t.protoLabel(t.formatProto(n)).label).toBe(n === 41 ? 256 : n); // "IPv6" is a layer name
  });
});
