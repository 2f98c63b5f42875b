// Blacklist parsing and the range table the core reads: IPv4 (stored IPv4-mapped), IPv6, CIDR,
// /0, host bits, merging of overlapping and adjacent ranges, sorting, and errors with line numbers.
import { describe, expect, it } from 'vitest';
import { BLACKLIST_RANGE_BYTES } from '../../src/shared/abi';
import { blacklistRanges, parseBlacklistEntry, parseBlacklistText } from '../../src/rules/blacklist';
import { rng } from '../helpers/rng';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
/** The ranges as [first, last] hex strings (32 hex digits each). */
const table = (entries: string[]) => {
  const r = blacklistRanges(entries);
  expect(r.bytes.length).toBe(r.count * BLACKLIST_RANGE_BYTES);
  const out: [string, string][] = [];
  for (let i = 0; i < r.count; i++) {
    const o = i * BLACKLIST_RANGE_BYTES;
    out.push([hex(r.bytes.subarray(o, o + 16)), hex(r.bytes.subarray(o + 16, o + 32))]);
  }
  return out;
};
const V4 = '00000000000000000000ffff';

describe('blacklistRanges', () => {
  it('an IPv4 address is one IPv4-mapped address; IPv6 is its 16 bytes', () => {
    expect(table(['192.0.2.7'])).toEqual([[V4 + 'c0000207', V4 + 'c0000207']]);
    expect(table(['::ffff:192.0.2.7'])).toEqual([[V4 + 'c0000207', V4 + 'c0000207']]);
    expect(table(['2001:db8::1'])).toEqual([['20010db8000000000000000000000001', '20010db8000000000000000000000001']]);
  });

  it('CIDR blocks cover first..last, host bits are ignored, /0 is everything of the family', () => {
    expect(table(['10.0.0.0/8'])).toEqual([[V4 + '0a000000', V4 + '0affffff']]);
    expect(table(['10.1.2.3/8'])).toEqual([[V4 + '0a000000', V4 + '0affffff']]);
    expect(table(['192.168.1.128/25'])).toEqual([[V4 + 'c0a80180', V4 + 'c0a801ff']]);
    expect(table(['192.168.1.9/32'])).toEqual([[V4 + 'c0a80109', V4 + 'c0a80109']]);
    expect(table(['0.0.0.0/0'])).toEqual([[V4 + '00000000', V4 + 'ffffffff']]);
    expect(table(['::/0'])).toEqual([['0'.repeat(32), 'f'.repeat(32)]]);
    expect(table(['2001:db8::/32'])).toEqual([['20010db8' + '0'.repeat(24), '20010db8' + 'f'.repeat(24)]]);
  });

  it('sorts, and merges overlapping, nested and adjacent ranges (not ones with a gap)', () => {
    expect(
      table(['10.0.0.128/25', '2001:db8::1', '10.0.0.0/25', '10.0.1.0/24', '10.0.0.5', '10.0.3.0/24', '1.2.3.4']),
    ).toEqual([
      [V4 + '01020304', V4 + '01020304'],
      [V4 + '0a000000', V4 + '0a0001ff'], // 10.0.0.0/25 + 10.0.0.128/25 (adjacent) + 10.0.1.0/24 (adjacent) ⊇ 10.0.0.5
      [V4 + '0a000300', V4 + '0a0003ff'], // 10.0.2.x is a gap
      ['20010db8000000000000000000000001', '20010db8000000000000000000000001'],
    ]);
    expect(table(['::/0', '10.0.0.1', '2001:db8::/32'])).toEqual([['0'.repeat(32), 'f'.repeat(32)]]);
  });

  it('merged ranges match exactly the addresses some entry matches (random IPv4 blocks)', () => {
    const r = rng(42);
    for (let trial = 0; trial < 30; trial++) {
      const blocks: [number, number][] = [];
      const entries: string[] = [];
      for (let i = 0; i < 12; i++) {
        const prefix = 24 + Math.floor(r() * 9); // /24../32 inside 10.0.0.0/22 so they collide
        const a = (0x0a000000 | Math.floor(r() * 1024)) >>> 0;
        const size = 2 ** (32 - prefix);
        const first = a - (a % size);
        blocks.push([first, first + size - 1]);
        entries.push(`${first >>> 24}.${(first >>> 16) & 255}.${(first >>> 8) & 255}.${first & 255}/${prefix}`);
      }
      const t = table(entries).map(([f, l]) => [parseInt(f.slice(24), 16), parseInt(l.slice(24), 16)]);
      for (let i = 1; i < t.length; i++) expect(t[i][0]).toBeGreaterThan(t[i - 1][1] + 1); // disjoint, not adjacent
      for (let x = 0x0a000000 - 2; x <= 0x0a000400 + 2; x++) {
        const want = blocks.some(([f, l]) => x >= f && x <= l);
        expect(t.some(([f, l]) => x >= f && x <= l)).toBe(want);
      }
    }
  });

  it('reports bad entries with their 1-based index and keeps the rest; empty entries are ignored', () => {
    const r = blacklistRanges(['10.0.0.1', '10.0.0.256', '', 'example.com', '10.0.0.0/33', '2001:db8::/129', '1.2.3', '2001:db8::1/64']);
    expect(r.errors.map((e) => [e.line, e.entry])).toEqual([
      [2, '10.0.0.256'],
      [4, 'example.com'],
      [5, '10.0.0.0/33'],
      [6, '2001:db8::/129'],
      [7, '1.2.3'],
    ]);
    expect(r.errors[2].message).toMatch(/0-32/);
    expect(r.errors[3].message).toMatch(/0-128/);
    expect(r.count).toBe(2);
  });

  it('an empty list gives no ranges', () => {
    expect(blacklistRanges([])).toEqual({ bytes: new Uint8Array(0), count: 0, errors: [] });
  });
});

describe('parseBlacklistText', () => {
  it('one or more entries per line, # comments, blank lines; errors carry the text line', () => {
    const text = [
      '# threat feed, 2024', // 1
      '198.51.100.7', // 2
      '', // 3
      '203.0.113.0/24, 2001:db8::/48  # two on a line', // 4
      '  10.0.0.300 ', // 5
      '192.0.2.1 192.0.2.2\r', // 6
      'not-an-ip,10.9.9.9', // 7
    ].join('\n');
    const r = parseBlacklistText(text);
    expect(r.entries).toEqual(['198.51.100.7', '203.0.113.0/24', '2001:db8::/48', '192.0.2.1', '192.0.2.2', '10.9.9.9']);
    expect(r.errors).toEqual([
      { line: 5, entry: '10.0.0.300', message: expect.stringMatching(/not an IPv4 address/) },
      { line: 7, entry: 'not-an-ip', message: expect.stringMatching(/not an IP address/) },
    ]);
  });

  it('entries are the same ones blacklistRanges accepts', () => {
    const r = parseBlacklistText('10.0.0.0/8\nfe80::1%eth0\n');
    expect(r.errors).toEqual([]);
    expect(blacklistRanges(r.entries).errors).toEqual([]);
    expect(parseBlacklistEntry('fe80::1%eth0')).toEqual(parseBlacklistEntry('fe80::1'));
  });
});
