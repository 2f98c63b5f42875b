// Packet lines (issue #3's headerless format): parsing into packed records, every flag form, bad
// lines with line numbers, chunk-boundary independence, re-reading lines by index, and writing a
// packet back as a line.
import { describe, expect, it } from 'vitest';
import { NameTable } from '../../src/io/names';
import {
  flagsName, forEachDataLine, formatPacketLine, isPacketLine, MAX_PACKET_LINE_CHARS, parseFlagNames, parsePacketLine,
  TCP_FLAG_NAMES,
} from '../../src/io/packet-lines';
import { collect, decodeAll, streamOf } from './helpers';

const FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16, URG = 32, ECE = 64, CWR = 128;
const v4 = (s: string) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...s.split('.').map(Number)];

const GOOD = [
  '1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN',
  '1678886400250,10.0.0.20,192.168.1.10,80,54321,tcp,60,SYN-ACK',
  '1678886400251,192.168.1.10,10.0.0.20,54321,80,Tcp,52,ACK',
  '1678886401000,192.168.1.10,10.0.0.53,5353,53,UDP,74,NONE',
  '1678886402000,2001:db8::1,2001:db8::2,0,0,ICMP,98,NONE',
  '1678886403000,10.0.0.1,10.0.0.2,0,0,47,1400,NONE',
  ' 1678886404000 , 10.0.0.1 , 10.0.0.2 , 1 , 2 , 17 , 9 , NONE ',
];

describe('readRows(lines): good lines', () => {
  it('packs every field: ms → µs, addresses, ports, protocol, size, flags, 0-based index', async () => {
    const c = await collect(GOOD.join('\n') + '\n', 'lines');
    expect(c.report).toMatchObject({ rowsRead: 7, rowsSkipped: 0, problems: [], cancelled: false });
    const d = decodeAll(c);
    expect(d.map((r) => r.tsUs)).toEqual([1678886400000000n, 1678886400250000n, 1678886400251000n, 1678886401000000n, 1678886402000000n, 1678886403000000n, 1678886404000000n]);
    expect(d[0]).toMatchObject({ src: '192.168.1.10', dst: '10.0.0.20', sport: 54321, dport: 80, proto: 6, label: 6, size: 1024, flags: SYN, index: 0, vlan: 0 });
    expect(d[0].srcBytes).toEqual(v4('192.168.1.10'));
    expect(d[1]).toMatchObject({ src: '10.0.0.20', sport: 80, dport: 54321, proto: 6, flags: SYN | ACK, size: 60, index: 1 });
    expect(d[2]).toMatchObject({ proto: 6, flags: ACK, index: 2 });
    expect(d[3]).toMatchObject({ dst: '10.0.0.53', sport: 5353, dport: 53, proto: 17, label: 17, flags: 0, size: 74 });
    expect(d[4]).toMatchObject({ src: '2001:db8::1', dst: '2001:db8::2', proto: 1, size: 98 });
    expect(d[5]).toMatchObject({ proto: 47, label: 47, size: 1400 });
    expect(d[6]).toMatchObject({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, proto: 17, size: 9, index: 6 });
    expect(c.rows[0]).toEqual({ timestamp_ms: '1678886400000', src: '192.168.1.10', dst: '10.0.0.20', sport: '54321', dport: '80', proto: 'TCP', size: '1024', flags: 'SYN' });
  });

  it('skips blank lines without giving them an index; CRLF, a BOM and no final newline are fine', async () => {
    const text = '\uFEFF\r\n' + GOOD[0] + '\r\n   \r\n\r\n' + GOOD[1] + '\r\n' + GOOD[3];
    const c = await collect(text, 'lines');
    expect(c.report).toMatchObject({ rowsRead: 3, rowsSkipped: 0, problems: [] });
    expect(decodeAll(c).map((r) => [r.index, r.size, r.flags])).toEqual([[0, 1024, SYN], [1, 60, SYN | ACK], [2, 74, 0]]);
    expect(c.rows[2].flags).toBe('NONE');
  });

  it('gives identical records for every chunking', async () => {
    const text = Array.from({ length: 300 }, (_, i) => `${1678886400000 + i},10.0.${i >> 8}.${i & 255},10.1.0.1,${1000 + i},${i % 7 === 0 ? 443 : 80},${i % 3 ? 'TCP' : 'UDP'},${40 + i},${i % 2 ? 'PSH-ACK' : 'SYN'}`).join('\r\n');
    const whole = await collect(text, 'lines');
    expect(whole.count).toBe(300);
    for (const [chunk, seed] of [[1, 1], ['random', 2], ['random', 3], [7, 1]] as const) {
      const c = await collect(text, 'lines', chunk, { batchRows: 64 }, seed);
      expect(c.records).toEqual(whole.records);
      expect(c.report).toEqual(whole.report);
    }
  });
});

describe('flags', () => {
  it.each([
    ['SYN', SYN], ['ACK', ACK], ['SYN-ACK', SYN | ACK], ['FIN', FIN], ['RST', RST], ['PSH', PSH], ['NONE', 0],
    ['FIN-ACK', FIN | ACK], ['PSH-ACK', PSH | ACK], ['RST-ACK', RST | ACK], ['ACK-SYN', SYN | ACK], ['syn-ack', SYN | ACK],
    ['none', 0], ['FIN-PSH-ACK', FIN | PSH | ACK], ['URG', URG], ['ECE-CWR', ECE | CWR], [' SYN ', SYN],
  ])('%j → %i', (text, bits) => {
    expect(parseFlagNames(text)).toBe(bits);
  });

  it.each(['', 'SYNACK', 'SYN-', '-SYN', 'NONE-ACK', 'S', '2', 'SYN ACK', 'SYN_ACK'])('%j is invalid', (text) => {
    expect(parseFlagNames(text)).toBe(-1);
  });

  it('flagsName writes the issue spelling and round-trips every flag byte', () => {
    expect(flagsName(SYN | ACK)).toBe('SYN-ACK');
    expect(flagsName(FIN | ACK)).toBe('FIN-ACK');
    expect(flagsName(PSH | ACK)).toBe('PSH-ACK');
    expect(flagsName(FIN | PSH | ACK)).toBe('FIN-PSH-ACK');
    expect(flagsName(0)).toBe('NONE');
    for (let b = 0; b < 256; b++) expect(parseFlagNames(flagsName(b))).toBe(b);
    expect(TCP_FLAG_NAMES.reduce((m, [, bit]) => m | bit, 0)).toBe(255);
  });

  it('keeps TCP flags for TCP only', async () => {
    const c = await collect('1,a,b,1,2,UDP,10,SYN\n2,a,b,1,2,TCP,10,SYN\n3,a,b,1,2,ICMP,10,RST\n', 'lines');
    expect(decodeAll(c).map((r) => r.flags)).toEqual([0, SYN, 0]);
  });
});

describe('readRows(lines): bad lines', () => {
  it('reports each bad line with its 1-based line number; a bad line still uses its index', async () => {
    const lines = [
      GOOD[0], // line 1, index 0
      '', // line 2: blank
      'timestamp_ms,src,dst,sport,dport,proto,size,flags', // 3, index 1
      '1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024', // 4, index 2
      '1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN,extra', // 5, index 3
      '1678886400000.5,a,b,1,2,TCP,1,SYN', // 6
      '1678886400000,,b,1,2,TCP,1,SYN', // 7
      '1678886400000,a, ,1,2,TCP,1,SYN', // 8
      '1678886400000,a,b,65536,2,TCP,1,SYN', // 9
      '1678886400000,a,b,1,-2,TCP,1,SYN', // 10
      '1678886400000,a,b,1,2,HTTP,1,SYN', // 11
      '1678886400000,a,b,1,2,256,1,SYN', // 12
      '1678886400000,a,b,1,2,TCP,1.5,SYN', // 13
      '1678886400000,a,b,1,2,TCP,4294967296,SYN', // 14
      '1678886400000,a,b,1,2,TCP,1,SYNACK', // 15
      '1678886400000,a,b,1,2,TCP,1,', // 16
      '99999999999999999,a,b,1,2,TCP,1,SYN', // 17
      '1678886400000,a,b,1,2,,1,SYN', // 18
      GOOD[1], // 19, index 17
    ];
    const c = await collect(lines.join('\n'), 'lines');
    expect(c.report.rowsRead).toBe(18);
    expect(c.report.rowsSkipped).toBe(16);
    expect(c.report.error).toBeUndefined();
    expect(c.report.problems.map((p) => p.message)).toEqual([
      'line 3: timestamp_ms "timestamp_ms" is not a whole number of milliseconds',
      'line 4: has 7 fields, expected 8 (timestamp_ms,src,dst,sport,dport,proto,size,flags)',
      'line 5: has 9 fields, expected 8 (timestamp_ms,src,dst,sport,dport,proto,size,flags)',
      'line 6: timestamp_ms "1678886400000.5" is not a whole number of milliseconds',
      'line 7: missing src',
      'line 8: missing dst',
      'line 9: sport "65536" is larger than 65535',
      'line 10: dport "-2" is not a whole number',
      'line 11: proto "HTTP" is not TCP, UDP, ICMP or an IP protocol number',
      'line 12: proto "256" is larger than 255',
      'line 13: size "1.5" is not a whole number',
      'line 14: size "4294967296" is larger than 4294967295',
      'line 15: flags "SYNACK" are not NONE or names among SYN, FIN, RST, PSH, URG, ECE, CWR, ACK joined by \'-\'',
      'line 16: flags "" are not NONE or names among SYN, FIN, RST, PSH, URG, ECE, CWR, ACK joined by \'-\'',
      'line 17: timestamp_ms "99999999999999999" is larger than 9007199254740',
      'line 18: proto "" is not TCP, UDP, ICMP or an IP protocol number',
    ]);
    expect(c.report.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    expect(decodeAll(c).map((r) => r.index)).toEqual([0, 17]);
  });

  it('skips an over-long line as one bad line and goes on', async () => {
    const long = '1,' + 'x'.repeat(MAX_PACKET_LINE_CHARS + 10) + ',b,1,2,TCP,1,SYN';
    const text = [GOOD[0], long, GOOD[1]].join('\n');
    for (const chunk of [1 << 20, 1000]) {
      const c = await collect(text, 'lines', chunk);
      expect(c.report.rowsRead).toBe(3);
      expect(c.report.problems.map((p) => p.message)).toEqual([`line 2: longer than ${MAX_PACKET_LINE_CHARS} characters`]);
      expect(decodeAll(c).map((r) => [r.index, r.size])).toEqual([[0, 1024], [2, 60]]);
    }
  });
});

describe('forEachDataLine', () => {
  it('gives every data line with the index readRows packed it under', async () => {
    const text = '\n' + GOOD[0] + '\r\n\r\nbad line\n' + GOOD.slice(1).join('\n') + '\n\n';
    const c = await collect(text, 'lines');
    const seen: [number, string | null][] = [];
    const n = await forEachDataLine(streamOf(text, 'random', 5, 13), (i, l) => {
      seen.push([i, l]);
    });
    expect(n).toBe(GOOD.length + 1);
    expect(seen.map((s) => s[1])).toEqual([GOOD[0], 'bad line', ...GOOD.slice(1)]);
    expect(seen.map((s) => s[0])).toEqual(seen.map((_, i) => i));
    // Every packed record is the line found at its REC_INDEX.
    for (const r of decodeAll(c)) {
      const line = seen[r.index][1]!;
      const p = parsePacketLine(line.split(','), new NameTable());
      expect(p.ok && p.size).toBe(r.size);
      expect(p.ok && BigInt(p.tsUs)).toBe(r.tsUs);
    }
  });

  it('stops when the callback returns false', async () => {
    const got: number[] = [];
    const n = await forEachDataLine(streamOf(GOOD.join('\n'), 3), (i) => {
      got.push(i);
      return i < 2;
    });
    expect(got).toEqual([0, 1, 2]);
    expect(n).toBe(3);
  });
});

describe('formatPacketLine and sniffing a line', () => {
  it('writes a packet that parses back to the same fields (ms precision)', () => {
    const names = new NameTable();
    const line = formatPacketLine({ tsUs: 1678886400123999, src: '192.168.1.10', dst: '2001:db8::1', sport: 54321, dport: 80, proto: 6, size: 1500, flags: FIN | ACK });
    expect(line).toBe('1678886400123,192.168.1.10,2001:db8::1,54321,80,TCP,1500,FIN-ACK');
    expect(isPacketLine(line)).toBe(true);
    expect(parsePacketLine(line.split(','), names)).toEqual({ ok: true, tsUs: 1678886400123000, src: '192.168.1.10', dst: '2001:db8::1', sport: 54321, dport: 80, proto: 6, label: 6, size: 1500, flags: FIN | ACK });
    expect(formatPacketLine({ tsUs: 5e6, src: 'a', dst: 'b', sport: 1, dport: 2, proto: 17, size: 3, flags: SYN })).toBe('5000,a,b,1,2,UDP,3,NONE');
    expect(formatPacketLine({ tsUs: 5e6, src: 'a', dst: 'b', sport: 8, dport: 0, proto: 58, size: 3, flags: 0 })).toBe('5000,a,b,8,0,58,3,NONE');
  });

  it('isPacketLine: 8 fields and a whole-number first field', () => {
    expect(isPacketLine(GOOD[0])).toBe(true);
    expect(isPacketLine(' 12 ,a,b,c,d,e,f,g')).toBe(true);
    expect(isPacketLine('timestamp_ms,src,dst,sport,dport,proto,size,flags')).toBe(false);
    expect(isPacketLine('1678886400.5,a,b,1,2,TCP,1,SYN')).toBe(false);
    expect(isPacketLine('1678886400000,a,b,1,2,TCP,1')).toBe(false);
    expect(isPacketLine('1678886400000,a,b,1,2,TCP,1,SYN,x')).toBe(false);
  });
});
