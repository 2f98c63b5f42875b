// The CLI end to end: the example prints exactly records 4 and 8, the same rows as JSON
// and JSON Lines give the same answer, bad input exits non-zero with a clear message.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const EXAMPLE = `timestamp,source_node,destination_node,packet_size,protocol,flags
1678886400,A,B,1000,TCP,1
1678886401,A,B,1100,TCP,1
1678886402,A,B,1200,TCP,1
1678886403,A,B,5000,TCP,1
1678886404,C,D,500,UDP,0
1678886405,C,D,600,UDP,0
1678886406,C,D,700,UDP,0
1678886407,C,D,100,UDP,0
`;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'flowlens-cli-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

describe('flowlens analyze', () => {
  it('flags exactly records 4 and 8 of the example with --min-samples 3', () => {
    const r = cli(['analyze', write('example.csv', EXAMPLE), '--min-samples', '3']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => x.record)).toEqual([4, 8]);
    const [a, b] = rows;
    for (const k of ['detector', 'severity', 'score', 'ts', 'src', 'dst', 'sport', 'dport', 'proto', 'size', 'mean', 'std', 'message']) {
      expect(a, k).toHaveProperty(k);
    }
    expect(a).toMatchObject({ detector: 'zscore', src: 'A', dst: 'B', proto: 'TCP', size: 5000, ts: 1678886403 });
    expect(a.mean).toBeCloseTo(1100, 9);
    expect(a.std).toBeCloseTo(100, 9);
    expect(b).toMatchObject({ src: 'C', dst: 'D', proto: 'UDP', size: 100, ts: 1678886407 });
    expect(b.mean).toBeCloseTo(600, 9);
    expect(a.fields).toMatchObject({ source_node: 'A', packet_size: '5000', flags: '1' });
    expect(r.stderr).toMatch(/records: 8 read, 8 decoded, 0 skipped/);
    expect(r.stderr).toMatch(/packets\/s/);
  });

  it('gives the same two records for the rows as JSON and JSON Lines, and as CSV output', () => {
    const objs = EXAMPLE.trim().split('\n').slice(1).map((l) => {
      const [timestamp, source_node, destination_node, packet_size, protocol, flags] = l.split(',');
      return { timestamp: Number(timestamp), source_node, destination_node, packet_size: Number(packet_size), protocol, flags: Number(flags) };
    });
    // named .txt on purpose: the format comes from the content
    const json = cli(['analyze', write('rows.txt', JSON.stringify(objs)), '--min-samples', '3']);
    const jsonl = cli(['analyze', write('rows2.txt', objs.map((o) => JSON.stringify(o)).join('\n')), '--min-samples', '3']);
    for (const r of [json, jsonl]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).record)).toEqual([4, 8]);
    }
    const csv = cli(['analyze', write('example2.csv', EXAMPLE), '--min-samples', '3', '--format', 'csv']);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^detector,severity,score/);
  });

  it('with the default settings flags the same two records', () => {
    const r = cli(['analyze', write('example3.csv', EXAMPLE)]);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).record)).toEqual([4, 8]);
  });

  it('analyses a real capture and prints one JSON object per flagged packet', () => {
    const r = cli(['analyze', join(DATA, 'normal/chrissanders_http_espn.pcapng'), '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/records: 956 read, 956 decoded, 0 skipped/);
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(Math.abs(row.z)).toBeGreaterThan(3);
  });

  it('reads gzip through zlib and reports a cut gzip file as an error (exit 1)', () => {
    const gz = readFileSync(join(DATA, 'normal/perf/zeek_echo-connections.pcap.gz'));
    const ok = cli(['analyze', join(DATA, 'normal/perf/zeek_echo-connections.pcap.gz'), '--quiet', '--seed', '1']);
    expect(ok.code, ok.stderr).toBe(0);
    const cutPath = join(dir, 'cut.bin');
    writeFileSync(cutPath, gz.subarray(0, gz.length >> 1));
    const cut = cli(['analyze', cutPath, '--seed', '1']);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/gzip/i);
    expect(cut.stderr).toMatch(/records: [1-9][\d,]* read/);
  });

  it('exits 1 with the byte offset on a file that is not a capture, and 2 on bad usage', () => {
    const r = cli(['analyze', write('junk.bin', '\u0000\u0001binary junk')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not .*(pcap|capture)/i);
    const missing = cli(['analyze', join(dir, 'nope.pcap')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read/);
    expect(cli(['analyze']).code).toBe(2);
    expect(cli(['analyze', 'x', '--window', 'abc']).code).toBe(2);
  });
});
