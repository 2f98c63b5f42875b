// sniffFormat(): content, not names — real files from shared/data and small edge cases, packet
// lines against CSV.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SNIFF_BYTES, sniffFormat } from '../../src/io/sniff';

const DATA = '/work/shared/data';
const head = (p: string) => new Uint8Array(readFileSync(p).subarray(0, SNIFF_BYTES));
const enc = (s: string) => new TextEncoder().encode(s);

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('sniffFormat on real files', () => {
  it('StopDDoS ".pcapng" files that are really classic pcap sniff as pcap', () => {
    const files = readdirSync(`${DATA}/attacks/synflood`).filter((f) => f.startsWith('stopddos_'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) expect(sniffFormat(head(`${DATA}/attacks/synflood/${f}`)), f).toBe('pcap');
  });

  it('every capture sniffs by its magic, whatever its name says', () => {
    const all = walk(DATA);
    const counts: Record<string, number> = {};
    for (const p of all) {
      const h = head(p);
      const got = sniffFormat(h);
      counts[got] = (counts[got] ?? 0) + 1;
      const m = Buffer.from(h.subarray(0, 4)).toString('hex');
      if (p.endsWith('.gz')) expect(got, p).toBe('gzip');
      else if (['a1b2c3d4', 'd4c3b2a1', 'a1b23c4d', '4d3cb2a1'].includes(m)) expect(got, p).toBe('pcap');
      else if (m === '0a0d0d0a') expect(got, p).toBe('pcapng');
      if (p.endsWith('.csv')) expect(got, p).toBe('csv');
    }
    expect(counts.pcap).toBeGreaterThan(100);
    expect(counts.pcapng).toBeGreaterThan(10);
    expect(counts.gzip).toBeGreaterThan(5);
    expect(counts.csv).toBeGreaterThanOrEqual(14);
  });

  it('a nanosecond pcap and a big-endian pcap are pcap', () => {
    expect(sniffFormat(Uint8Array.from([0x4d, 0x3c, 0xb2, 0xa1, 2, 0]))).toBe('pcap');
    expect(sniffFormat(Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4, 0, 2]))).toBe('pcap');
    expect(sniffFormat(Uint8Array.from([0xa1, 0xb2, 0x3c, 0x4d]))).toBe('pcap');
  });

  it('Zeek conn.log (TSV with #separator) is not mistaken for CSV', () => {
    for (const f of readdirSync(`${DATA}/flows/zeek_conn`)) expect(sniffFormat(head(`${DATA}/flows/zeek_conn/${f}`))).toBe('unknown');
  });
});

describe('sniffFormat on text', () => {
  it.each([
    ['[{"a":1}]', 'json'],
    ['\uFEFF \r\n [ ]', 'json'],
    ['{"a":1}\n{"a":2}\n', 'jsonl'],
    ['\n\n  {"a":1}', 'jsonl'],
    ['timestamp,source_node,destination_node\n1,A,B', 'csv'],
    ['\uFEFFts;src;dst\n', 'csv'],
    ['frame.time_epoch\tip.src\n', 'csv'],
    ['\r\n\r\nts,src', 'csv'],
    ['hello world\nno delimiters, here', 'unknown'],
    ['', 'unknown'],
    ['   \n', 'unknown'],
  ])('%j → %s', (text, want) => {
    expect(sniffFormat(enc(text))).toBe(want);
  });

  it.each([
    ['1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN\n', 'lines'],
    ['\r\n\n1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN\r\n1,a', 'lines'],
    ['\uFEFF1678886400000,a,b,1,2,UDP,10,NONE', 'lines'],
    ['0,a,b,1,2,UDP,10,NONE', 'lines'],
    // A header row makes it CSV even with the same 8 columns.
    ['timestamp_ms,src,dst,sport,dport,proto,size,flags\n1678886400000,a,b,1,2,TCP,1,SYN\n', 'csv'],
    // Not 8 fields, or a first field that is not a whole number: CSV as before.
    ['1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024\n', 'csv'],
    ['1678886400000,192.168.1.10,10.0.0.20,54321,80,TCP,1024,SYN,x\n', 'csv'],
    ['1678886400.5,a,b,1,2,TCP,1,SYN\n', 'csv'],
    ['1678886400000;a;b;1;2;TCP;1;SYN\n', 'csv'],
    ['1678886400000\ta\tb\t1\t2\tTCP\t1\tSYN\n', 'csv'],
  ])('packet lines: %j → %s', (text, want) => {
    expect(sniffFormat(enc(text))).toBe(want);
  });

  it('binary is unknown even with a comma in it', () => {
    expect(sniffFormat(Uint8Array.from([0x61, 0x2c, 0x00, 0x62]))).toBe('unknown');
    expect(sniffFormat(Uint8Array.from([0x1f]))).toBe('unknown');
    expect(sniffFormat(Uint8Array.from([0x1f, 0x8b]))).toBe('gzip');
  });
});
