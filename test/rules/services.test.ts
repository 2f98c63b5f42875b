// Normal-services parsing: entry forms, the bit layout the core reads (abi.SERVICES_*), and errors
// that name the entry's position.
import { describe, expect, it } from 'vitest';
import { SERVICES_BYTES, SERVICES_PROTO, SERVICES_TCP, SERVICES_UDP } from '../../src/shared/abi';
import { DEFAULT_NORMAL_SERVICES, parseServices } from '../../src/shared/services';
import { DEFAULT_OPTIONS } from '../../src/shared/protocol';

const bit = (b: Uint8Array, base: number, n: number) => (b[base + (n >> 3)] >> (n & 7)) & 1;
const setBits = (b: Uint8Array, base: number, len: number) => {
  const out: number[] = [];
  for (let n = 0; n < len * 8; n++) if (bit(b, base, n)) out.push(n);
  return out;
};

describe('parseServices', () => {
  it('sets exactly the listed TCP/UDP ports, ranges inclusive, byte i bit j = port 8i+j', () => {
    const { bitmap, errors } = parseServices(['tcp/80', 'udp/53', 'TCP/6000-6003', ' udp/0 ', 'tcp/65535']);
    expect(errors).toEqual([]);
    expect(bitmap.length).toBe(SERVICES_BYTES);
    expect(setBits(bitmap, SERVICES_TCP, 8192)).toEqual([80, 6000, 6001, 6002, 6003, 65535]);
    expect(setBits(bitmap, SERVICES_UDP, 8192)).toEqual([0, 53]);
    expect(setBits(bitmap, SERVICES_PROTO, 32)).toEqual([]);
    // port 80 = byte 10, bit 0; port 65535 = last TCP byte, bit 7
    expect(bitmap[SERVICES_TCP + 10]).toBe(1);
    expect(bitmap[SERVICES_TCP + 8191]).toBe(0x80);
  });

  it('whole protocols by name or number', () => {
    const { bitmap, errors } = parseServices(['icmp', 'ICMPv6', 'proto/47', 'proto/255', 'igmp']);
    expect(errors).toEqual([]);
    expect(setBits(bitmap, SERVICES_PROTO, 32)).toEqual([1, 2, 47, 58, 255]);
    expect(setBits(bitmap, SERVICES_TCP, 8192)).toEqual([]);
  });

  it('reports bad entries with their 1-based position and keeps the good ones', () => {
    const { bitmap, errors } = parseServices(['tcp/22', 'tcp/70000', 'ftp/21', 'udp/9-3', 'tcp', 'proto/300', '', 'tcp/x', 'udp/53']);
    expect(errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 8]);
    expect(errors[0]).toMatchObject({ entry: 'tcp/70000' });
    expect(errors[0].message).toMatch(/65535/);
    expect(errors[1].message).toMatch(/ftp/);
    expect(errors[2].message).toMatch(/backwards/);
    expect(errors[3].message).toMatch(/needs a port/);
    expect(errors[4].message).toMatch(/0-255/);
    expect(setBits(bitmap, SERVICES_TCP, 8192)).toEqual([22]);
    expect(setBits(bitmap, SERVICES_UDP, 8192)).toEqual([53]);
  });

  it('the default list parses cleanly and is what DEFAULT_OPTIONS carries', () => {
    expect(parseServices(DEFAULT_NORMAL_SERVICES).errors).toEqual([]);
    expect(DEFAULT_OPTIONS.rules.unusual.normal).toEqual([...DEFAULT_NORMAL_SERVICES]);
    const { bitmap } = parseServices(DEFAULT_NORMAL_SERVICES);
    for (const p of [22, 25, 80, 443, 445, 6667]) expect(bit(bitmap, SERVICES_TCP, p)).toBe(1);
    for (const p of [53, 123, 443, 5353]) expect(bit(bitmap, SERVICES_UDP, p)).toBe(1);
    expect(bit(bitmap, SERVICES_TCP, 31337)).toBe(0);
    expect(bit(bitmap, SERVICES_PROTO, 1)).toBe(1);
    expect(bit(bitmap, SERVICES_PROTO, 58)).toBe(1);
  });
});
