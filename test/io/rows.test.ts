// readRows(): CSV / JSON / JSON Lines to packed records — the issue's example in three formats,
// real CICIDS2017 flow CSVs, chunk-boundary independence, bad and hostile rows.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NODE_PREFIX_BYTE0, REC_STRIDE } from '../../src/shared/abi';
import { parseFlags, parseTimestampUs } from '../../src/io/rows';
import { collect, decodeAll, streamOf } from './helpers';
import { NameTable } from '../../src/io/names';
import { readRows } from '../../src/io/rows';

const ISSUE_ROWS: [number, string, string, number, string, number][] = [
  [1678886400, 'A', 'B', 1000, 'TCP', 1],
  [1678886401, 'A', 'B', 1100, 'TCP', 1],
  [1678886402, 'A', 'B', 1200, 'TCP', 1],
  [1678886403, 'C', 'D', 500, 'UDP', 0],
  [1678886404, 'C', 'D', 600, 'UDP', 0],
  [1678886405, 'C', 'D', 700, 'UDP', 0],
  [1678886406, 'A', 'B', 5000, 'TCP', 1],
  [1678886407, 'C', 'D', 100, 'UDP', 0],
];
const ISSUE_CSV =
  'timestamp,source_node,destination_node,packet_size,protocol,flags\n' + ISSUE_ROWS.map((r) => r.join(',')).join('\n') + '\n';
const issueObjects = ISSUE_ROWS.map(([timestamp, source_node, destination_node, packet_size, protocol, flags]) => ({
  timestamp, source_node, destination_node, packet_size, protocol, flags,
}));
const ISSUE_JSON = '[\n' + issueObjects.map((o) => '  ' + JSON.stringify(o)).join(',\n') + '\n]\n';
const ISSUE_JSONL = issueObjects.map((o) => JSON.stringify(o)).join('\n') + '\n';

const nodeBytes = (id: number) => [NODE_PREFIX_BYTE0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, id];

describe('the issue example', () => {
  it('CSV, JSON and JSON Lines give identical packed records, field by field', async () => {
    const csv = await collect(ISSUE_CSV, 'csv');
    const json = await collect(ISSUE_JSON, 'json');
    const jsonl = await collect(ISSUE_JSONL, 'jsonl');
    for (const c of [csv, json, jsonl]) {
      expect(c.report).toMatchObject({ rowsRead: 8, rowsSkipped: 0, problems: [], cancelled: false });
      expect(c.report.error).toBeUndefined();
      expect(c.count).toBe(8);
      const d = decodeAll(c);
      d.forEach((r, i) => {
        const [ts, src, dst, size, proto, flags] = ISSUE_ROWS[i];
        expect(r.tsUs).toBe(BigInt(ts) * 1_000_000n);
        expect(r.src).toBe(src);
        expect(r.dst).toBe(dst);
        expect(r.srcBytes).toEqual(nodeBytes({ A: 0, B: 1, C: 2, D: 3 }[src]!));
        expect(r.dstBytes).toEqual(nodeBytes({ A: 0, B: 1, C: 2, D: 3 }[dst]!));
        expect(r.size).toBe(size);
        expect(r.proto).toBe(proto === 'TCP' ? 6 : 17);
        expect(r.label).toBe(r.proto);
        expect(r.flags).toBe(flags);
        expect(r.sport).toBe(0);
        expect(r.dport).toBe(0);
        expect(r.vlan).toBe(0);
        expect(r.index).toBe(i);
      });
    }
    expect(json.records).toEqual(csv.records);
    expect(jsonl.records).toEqual(csv.records);
    // Original fields: strings for CSV, parsed values for JSON.
    expect({ ...csv.rows[6] }).toEqual({ timestamp: '1678886406', source_node: 'A', destination_node: 'B', packet_size: '5000', protocol: 'TCP', flags: '1' });
    expect(json.rows[6]).toEqual(issueObjects[6]);
    expect(jsonl.rows[6]).toEqual(issueObjects[6]);
  });

  it('batches hold batchRows records and the last one the rest', async () => {
    const c = await collect(ISSUE_CSV, 'csv', 1 << 20, { batchRows: 3 });
    expect(c.batches).toBe(3);
    expect((await collect(ISSUE_CSV, 'csv')).records).toEqual(c.records);
  });
});

/** A CSV with the awkward parts: BOM, CRLF, quoted delimiters, quoted CRLF, escaped quotes, blank lines. */
const TRICKY_CSV =
  '\uFEFFts,src,dst,len,proto,flags,sport,dport,note\r\n' +
  '1.5,10.0.0.1,10.0.0.2,60,TCP,S,1234,80,"plain"\r\n' +
  '1.75,10.0.0.2,10.0.0.1,60,TCP,SA,80,1234,"with, comma"\r\n' +
  '\r\n' +
  '2,2001:db8::1,2001:db8::2,1500,UDP,0,5353,53,"multi\r\nline ""quoted"""\r\n' +
  '2017-07-07 12:59:00.123456,"web-01",db,400,HTTP,0x18,,,""\r\n' +
  '2023-03-15T13:20:00Z,"x,y",z,0,ICMP,,,,last';

const TRICKY_JSON = JSON.stringify(
  [
    { ts: 1.5, src: '10.0.0.1', dst: '10.0.0.2', len: 60, proto: 'TCP', flags: 'S', sport: 1234, dport: 80, note: 'plain' },
    { ts: '1.75', src: '10.0.0.2', dst: '10.0.0.1', len: '60', proto: 6, flags: 18, sport: 80, dport: 1234, note: 'with, comma' },
    { ts: 2, src: '2001:db8::1', dst: '2001:db8::2', len: 1500, proto: 'udp', flags: 0, sport: 5353, dport: 53, note: 'multi\r\nline "quoted"\u00e9\u4e2d' },
    { ts: '2017-07-07 12:59:00.123456', src: 'web-01', dst: 'db', len: 400, proto: 'HTTP', flags: '0x18', note: '' },
    { ts: '2023-03-15T13:20:00Z', src: 'x,y', dst: 'z', len: 0, proto: 'ICMP', note: 'last' },
  ],
  null,
  2,
);
const TRICKY_JSONL = '\uFEFF' + JSON.parse(TRICKY_JSON).map((o: unknown) => JSON.stringify(o)).join('\r\n\r\n');

describe('chunk boundaries', () => {
  for (const [format, text] of [['csv', TRICKY_CSV], ['json', TRICKY_JSON], ['jsonl', TRICKY_JSONL]] as const) {
    it(`${format}: 1-byte, 7-byte and random chunks give the same records as one chunk`, async () => {
      const whole = await collect(text, format);
      expect(whole.report.problems).toEqual([]);
      expect(whole.count).toBe(5);
      const d = decodeAll(whole);
      expect(d.map((r) => r.src)).toEqual(['10.0.0.1', '10.0.0.2', '2001:db8::1', 'web-01', 'x,y']);
      expect(d.map((r) => r.flags)).toEqual([2, 18, 0, 0x18, 0]);
      expect(d.map((r) => r.tsUs)).toEqual([1_500_000n, 1_750_000n, 2_000_000n, 1499432340123456n, 1678886400000000n]);
      expect(d.map((r) => [r.sport, r.dport])).toEqual([[1234, 80], [80, 1234], [5353, 53], [0, 0], [0, 0]]);
      expect(d.map((r) => whole.names.formatProto(r.label))).toEqual(['TCP', 'TCP', 'UDP', 'HTTP', 'ICMP']);
      expect(d[3].proto).toBe(6); // HTTP runs on TCP
      const cuts: (number | 'random')[] = [1, 7, 'random'];
      for (const cut of cuts) {
        for (const seed of cut === 'random' ? [1, 2, 3, 4, 5] : [1]) {
          const c = await collect(text, format, cut, { batchRows: 2 }, seed);
          expect(c.records, `${format} cut ${cut} seed ${seed}`).toEqual(whole.records);
          expect(c.report).toEqual(whole.report);
        }
      }
    });
  }

  it('CSV original fields keep quotes resolved and multi-line values intact', async () => {
    const c = await collect(TRICKY_CSV, 'csv', 1);
    expect(c.rows[2].note).toBe('multi\r\nline "quoted"');
    expect(c.rows[4].src).toBe('x,y');
    expect(Object.keys(c.rows[0])[0]).toBe('ts'); // BOM stripped from the first header name
  });
});

describe('bad rows', () => {
  const BAD_CSV = [
    'timestamp,source_node,destination_node,packet_size,protocol', // line 1
    '1,A,B,100,TCP', // 2 ok, index 0
    '2,A,B,,TCP', // 3 missing size
    '3,A,B,-5,TCP', // 4 negative size
    'yesterday,A,B,100,TCP', // 5 bad timestamp
    '4,A,B,100.5,TCP', // 6 fractional size
    '5,A,B,4294967296,TCP', // 7 too large
    '6,A,,100,TCP', // 8 missing destination
    '7,A,B,100', // 9 wrong field count
    '8,A,B,4294967295,TCP', // 10 ok (max u32), index 8
  ].join('\n');

  it('are skipped with their line numbers, the rest parsed, and still consume a row index', async () => {
    for (const cut of [1 << 20, 1, 5] as const) {
      const c = await collect(BAD_CSV, 'csv', cut);
      expect(c.report.rowsRead).toBe(9);
      expect(c.report.rowsSkipped).toBe(7);
      expect(c.report.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
      expect(c.report.problems.every((p) => p.code === 'bad-row' && p.message.startsWith(`line ${p.line}: `))).toBe(true);
      expect(c.report.problems.map((p) => p.message)).toEqual([
        'line 3: missing size',
        'line 4: size "-5" is negative',
        'line 5: timestamp "yesterday" is not a number of seconds or an ISO-8601 date',
        'line 6: size "100.5" is not a whole number',
        'line 7: size "4294967296" is larger than 4294967295',
        'line 8: missing destination',
        'line 9: has 4 fields, the header has 5',
      ]);
      const d = decodeAll(c);
      expect(d.map((r) => [r.index, r.size])).toEqual([[0, 100], [8, 4294967295]]);
      expect(c.rows.map((r) => r.timestamp)).toEqual(['1', '8']);
    }
  });

  it('JSON arrays and JSON Lines report the line each bad element starts on', async () => {
    const objs = [
      { ts: 1, src: 'A', dst: 'B', size: 10 },
      { ts: 2, src: 'A', dst: 'B', size: -1 },
      7,
      { ts: 'nope', src: 'A', dst: 'B', size: 10 },
      { ts: 3, src: 'A', dst: 'B' },
      { ts: 4, src: 'A', dst: 'B', size: 10 },
    ];
    const pretty = JSON.stringify(objs, null, 2); // each object spans 6 lines
    // Line of the i-th element: the i-th line indented by exactly two spaces (8, 14, 15, 21).
    const starts = pretty.split('\n').flatMap((l, k) => (/^ {2}[^\s}]/.test(l) ? [k + 1] : []));
    const lineOf = (i: number) => starts[i];
    for (const cut of [1 << 20, 1, 3]) {
      const j = await collect(pretty, 'json', cut);
      expect(j.report.rowsRead).toBe(6);
      expect(j.report.problems.map((p) => p.line)).toEqual([1, 2, 3, 4].map(lineOf));
      expect(j.report.problems[1].message).toMatch(/expected an object, found number/);
      expect(j.report.problems[3].message).toMatch(/no size column; expected one of packet_size/);
      expect(decodeAll(j).map((r) => r.index)).toEqual([0, 5]);
    }
    const lines = objs.map((o) => JSON.stringify(o));
    lines.splice(3, 0, '{"ts": 9, "src": "A", oops}', '', '   ');
    const l = await collect(lines.join('\n'), 'jsonl', 2);
    expect(l.report.rowsRead).toBe(7); // blank lines are not rows
    expect(l.report.problems.map((p) => p.line)).toEqual([2, 3, 4, 7, 8]);
    expect(l.report.problems[2].message).toMatch(/^line 4: not valid JSON/);
    expect(decodeAll(l).map((r) => [r.index, r.tsUs])).toEqual([[0, 1_000_000n], [6, 4_000_000n]]);
  });

  it('keeps the first 100 problems and counts the rest', async () => {
    const text = 'ts,src,dst,size\n' + Array.from({ length: 250 }, (_, i) => `${i},A,B,${i % 2 ? 'x' : 1}`).join('\n');
    const c = await collect(text, 'csv', 64);
    expect(c.report.rowsRead).toBe(250);
    expect(c.report.rowsSkipped).toBe(125);
    expect(c.report.problems.length).toBe(100);
    expect(c.count).toBe(125);
  });

  it('hostile strings are kept verbatim as data', async () => {
    const evil = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '__proto__', 'constructor', "=cmd|' /C calc'!A0", '${process.exit(1)}'];
    const csv = '__proto__,ts,src,dst,size,constructor\n' +
      evil.map((e, i) => `"${e.replace(/"/g, '""')}",${i},"${e.replace(/"/g, '""')}",toString,${i},x`).join('\n');
    const c = await collect(csv, 'csv');
    expect(c.report.problems).toEqual([]);
    const d = decodeAll(c);
    expect(d.map((r) => r.src)).toEqual(evil);
    expect(d.map((r) => r.dst)).toEqual(evil.map(() => 'toString'));
    expect(c.rows.map((r) => r.__proto__)).toEqual(evil);
    expect(({} as Record<string, unknown>).src).toBeUndefined(); // no prototype pollution
    // A "__proto__" key is an own property of the row (and, normalized to "proto", the protocol).
    const json = JSON.stringify(evil.map((e, i) => ({ ts: i, src: e, dst: e, size: 1, ['__proto__']: e })));
    for (const [fmt, text] of [['json', json], ['jsonl', JSON.parse(json).map((o: unknown) => JSON.stringify(o)).join('\n')]] as const) {
      const j = await collect(text, fmt);
      expect(j.report.problems).toEqual([]);
      const dj = decodeAll(j);
      expect(dj.map((r) => r.dst)).toEqual(evil);
      expect(dj.map((r) => j.names.formatProto(r.label))).toEqual(evil);
      expect(Object.getOwnPropertyDescriptor(j.rows[0], '__proto__')?.value).toBe(evil[0]);
    }
    expect(Object.prototype).not.toHaveProperty('src');
  });
});

describe('headers and fatal errors', () => {
  it('a CSV header without a required column is a clear error and nothing is parsed', async () => {
    let called = 0;
    const report = await readRows(streamOf('time,from,to,size\n1,A,B,10\n'), 'csv', new NameTable(), () => void called++);
    expect(called).toBe(0);
    expect(report.rowsRead).toBe(0);
    expect(report.error?.code).toBe('csv-missing-column');
    expect(report.error?.line).toBe(1);
    expect(report.error?.message).toMatch(/^CSV header has no source column; expected one of source_node, src, source, src_ip, .*"Src IP"/);
    expect(report.error?.message).toMatch(/also missing: destination/);
    expect(report.problems).toContainEqual(report.error);
  });

  it('matches aliases case-insensitively: tshark, Zeek and Wireshark style headers', async () => {
    const tshark = 'frame.time_epoch\tip.src\tip.dst\tframe.len\t_ws.col.Protocol\ttcp.flags\n1678886400.000001\t10.1.1.1\t10.1.1.2\t74\tTLSv1.2\t0x0018\n';
    const t = await collect(tshark, 'csv');
    expect(decodeAll(t)[0]).toMatchObject({ tsUs: 1678886400000001n, src: '10.1.1.1', size: 74, proto: 6, flags: 0x18 });
    expect(t.names.formatProto(decodeAll(t)[0].label)).toBe('TLSv1.2');
    const zeek = JSON.stringify({ ts: 1678886400.5, 'id.orig_h': 'fe80::1', 'id.orig_p': 5353, 'id.resp_h': 'ff02::fb', 'id.resp_p': 5353, proto: 'udp', orig_ip_bytes: 120 });
    const z = await collect(zeek + '\n', 'jsonl');
    expect(decodeAll(z)[0]).toMatchObject({ src: 'fe80::1', dst: 'ff02::fb', sport: 5353, dport: 5353, proto: 17, size: 120 });
    const semi = 'TIMESTAMP;SRC;DST;BYTES;VLAN\n1;a;b;5;100\n';
    expect(decodeAll(await collect(semi, 'csv'))[0]).toMatchObject({ src: 'a', size: 5, vlan: 100 });
  });

  it('JSON that is not an array, is cut short, or is empty is a fatal error after the rows before it', async () => {
    const obj = await collect('{"rows": []}', 'json');
    expect(obj.report.error?.code).toBe('not-an-array');
    const cut = await collect('[{"ts":1,"src":"A","dst":"B","size":1},\n{"ts":2,"src":"A","dst":"B","size":2},\n{"ts":3,', 'json', 4);
    expect(cut.count).toBe(2);
    expect(cut.report.error?.code).toBe('bad-json');
    const bad = await collect('[{"ts":1,"src":"A","dst":"B","size":1},\n{"ts":2 "src"}]', 'json');
    expect(bad.count).toBe(1);
    expect(bad.report.error?.line).toBe(2);
    expect((await collect('  ', 'json')).report.error?.message).toMatch(/empty/);
  });

  it('stops at the next chunk when the signal aborts', async () => {
    const text = 'ts,src,dst,size\n' + Array.from({ length: 1000 }, (_, i) => `${i},A,B,1`).join('\n');
    const ac = new AbortController();
    let seen = 0;
    const report = await readRows(streamOf(text, 100), 'csv', new NameTable(), (b) => {
      seen += b.count;
      if (seen >= 10) ac.abort();
    }, { batchRows: 10, signal: ac.signal });
    expect(report.cancelled).toBe(true);
    expect(report.rowsRead).toBeLessThan(1000);
    expect(seen).toBe(report.rowsRead);
  });
});

describe('real flow CSVs (CICIDS2017 improved)', () => {
  const dir = '/work/shared/data/flows/cicids2017_improved_sample';
  const files = readdirSync(dir).filter((f) => f.endsWith('.csv'));

  it.each(files)('%s: every data line becomes a record', async (f) => {
    const bytes = readFileSync(`${dir}/${f}`);
    const text = bytes.toString('utf8');
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const header = lines[0].split(',');
    const col = (name: string) => header.indexOf(name);
    const c = await collect(new Uint8Array(bytes), 'csv', 65536, { batchRows: 1000 });
    expect(c.report.problems).toEqual([]);
    expect(c.report.rowsRead).toBe(lines.length - 1);
    expect(c.count).toBe(lines.length - 1);
    const d = decodeAll(c);
    for (const k of [0, Math.floor(d.length / 2), d.length - 1]) {
      const cells = lines[k + 1].split(',');
      // Size of a flow row = bytes the source sent (Total Length of Fwd Packet).
      expect(d[k].size).toBe(Number(cells[col('Total Length of Fwd Packet')]));
      expect(d[k].src).toBe(cells[col('Src IP')]);
      expect(d[k].dst).toBe(cells[col('Dst IP')]);
      expect(d[k].sport).toBe(Number(cells[col('Src Port')]));
      expect(d[k].dport).toBe(Number(cells[col('Dst Port')]));
      expect(d[k].proto).toBe(Number(cells[col('Protocol')]));
      expect(d[k].label).toBe(d[k].proto);
      // "2017-07-07 12:59:00.123456" has no zone and is read as UTC, microseconds kept.
      expect(Number(d[k].tsUs)).toBe(Date.parse(cells[col('Timestamp')].replace(' ', 'T').slice(0, 23) + 'Z') * 1000 +
        Number((cells[col('Timestamp')].split('.')[1] ?? '').padEnd(6, '0').slice(3, 6)));
      expect(d[k].index).toBe(k);
      expect(c.rows[k].Label).toBe(cells[col('Label')]);
    }
    const v4 = d[0].srcBytes;
    expect(v4.slice(0, 12)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);
  });
});

describe('value parsers', () => {
  it('timestamps: seconds, ms > 1e11, µs > 1e14, ns > 1e17, ISO-8601 with and without zone', () => {
    expect(parseTimestampUs(1678886400)).toBe(1678886400e6);
    expect(parseTimestampUs('1678886400.25')).toBe(1678886400250000);
    expect(parseTimestampUs(1678886400123)).toBe(1678886400123000);
    expect(parseTimestampUs(1678886400123456)).toBe(1678886400123456);
    expect(parseTimestampUs('1678886400123456789')).toBe(1678886400123457);
    expect(parseTimestampUs('2023-03-15T13:20:00Z')).toBe(1678886400e6);
    expect(parseTimestampUs('2023-03-15T15:20:00.5+02:00')).toBe(1678886400500000);
    expect(parseTimestampUs('2023-03-15 13:20:00.000001')).toBe(1678886400000001);
    expect(parseTimestampUs('2023-03-15')).toBe(Date.UTC(2023, 2, 15) * 1000);
    expect(parseTimestampUs('Wed, 15 Mar 2023 13:20:00 GMT')).toBe(1678886400e6);
    for (const bad of ['', 'soon', '2023-02-30T00:00:00Z', 'NaN', 'Infinity', null, true, {}]) expect(parseTimestampUs(bad)).toBeNaN();
  });

  it('flags: numbers masked to 8 bits, hex strings, tcpdump and Wireshark letters', () => {
    expect(parseFlags(1)).toBe(1);
    expect(parseFlags(0x112)).toBe(0x12);
    expect(parseFlags('SA')).toBe(18);
    expect(parseFlags('S')).toBe(2);
    expect(parseFlags('FA')).toBe(17);
    expect(parseFlags('S.')).toBe(18);
    expect(parseFlags('0x0018')).toBe(24);
    expect(parseFlags('··········S·')).toBe(2);
    expect(parseFlags('FSRPAUEC')).toBe(255);
    expect(parseFlags('SYN')).toBe(-1);
  });

  it('a record is exactly REC_STRIDE bytes per row', async () => {
    const c = await collect(ISSUE_CSV, 'csv');
    expect(c.records.length).toBe(8 * REC_STRIDE);
  });
});

describe('detachRow', () => {
  it('copies a row, keeping every key (including __proto__) and value', async () => {
    const { detachRow } = await import('../../src/io/rows');
    const c = await collect('__proto__,ts,src,dst,size\nx-long-value-here-1234,1,A,B,2\n', 'csv');
    const d = detachRow(c.rows[0]);
    expect(d).toEqual(c.rows[0]);
    expect(Object.getOwnPropertyDescriptor(d, '__proto__')?.value).toBe('x-long-value-here-1234');
    expect(Object.getPrototypeOf(d)).toBe(Object.prototype);
  });
});
