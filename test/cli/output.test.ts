// writeOutput() in process on results built here: --format reasons re-reads packet-line files
// (plain and gzip) for the original lines and re-reads CSV rows to turn node ids back into names;
// jsonl/csv/flows print what alert-rows gives, without suppressed alerts unless asked.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/cli/main';
import {
  DET_BLACKLIST, DET_FLOWRULE, DET_LARGESIZE, DET_UNUSUAL, MARK_DST, MARK_PROTO, MARK_REASONS, MARK_RECORD_INDEX, MARK_SRC, MARK_STRIDE,
  MARK_TS_US, MARK_WIRE_LEN, NODE_PREFIX_BYTE0, SEV_HIGH,
} from '../../src/shared/abi';
import { DEFAULT_OPTIONS, FEATURE_COUNT, type AnalysisResult, type InputFormat, type Summary } from '../../src/shared/protocol';
import { ALERT_CSV_COLUMNS } from '../../src/io/alert-rows';

const dir = mkdtempSync(join(tmpdir(), 'flowlens-out-'));
const write = (name: string, data: string | Uint8Array) => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};

type Mark = { index: number; reasons: number[]; src?: number[]; dst?: number[]; ts?: number; size?: number; proto?: number };
function result(format: InputFormat, gzip: boolean, marks: Mark[], alerts: { det: number; sport: number; suppressed: boolean }[] = []): AnalysisResult {
  const m = new Uint8Array(marks.length * MARK_STRIDE);
  const v = new DataView(m.buffer);
  marks.forEach((x, k) => {
    const o = k * MARK_STRIDE;
    v.setBigInt64(o + MARK_TS_US, BigInt(x.ts ?? 0), true);
    if (x.src) m.set(x.src, o + MARK_SRC);
    if (x.dst) m.set(x.dst, o + MARK_DST);
    m[o + MARK_PROTO] = x.proto ?? 17;
    v.setUint32(o + MARK_WIRE_LEN, x.size ?? 0, true);
    v.setUint32(o + MARK_RECORD_INDEX, x.index, true);
    v.setUint32(o + MARK_REASONS, x.reasons.reduce((a, d) => a | (1 << d), 0), true);
  });
  const n = alerts.length;
  const f = (fn: (i: number) => number) => Float64Array.from({ length: n }, (_, i) => fn(i));
  return {
    ok: true, warnings: [], cancelled: false, options: DEFAULT_OPTIONS, flowRules: ['big'],
    summary: { format, gzip } as Summary,
    channels: [{ src: '10.0.0.1', dst: '10.0.0.9', proto: 'TCP', key: new Uint8Array(36), alerts: n }],
    marks: m,
    alerts: {
      count: n, tsUs: f(() => 1e15), lastUs: f(() => 1e15), detector: Uint8Array.from(alerts.map((a) => a.det)), variant: new Uint8Array(n),
      severity: new Uint8Array(n).fill(SEV_HIGH), score: f(() => 1), value: f(() => 0), threshold: f(() => 0), windowS: f(() => 60),
      evidence: f(() => 1), peakRate: f(() => 1), aux: f(() => 0), size: f(() => 60), mean: f(() => 0), std: f(() => 0),
      samples: new Uint32Array(n), recordIndex: new Uint32Array(n), recordOffset: f(() => -1), sport: Uint16Array.from(alerts.map((a) => a.sport)),
      dport: new Uint16Array(n).fill(80), channel: new Uint32Array(n), episode: new Uint32Array(n),
      suppressed: Uint8Array.from(alerts.map((a) => (a.suppressed ? 1 : 0))), rule: new Int16Array(n),
      features: new Float64Array(n * FEATURE_COUNT),
    },
  };
}

async function output(file: string, r: AnalysisResult, format: 'jsonl' | 'csv' | 'flows' | 'reasons', includeSuppressed = false): Promise<string> {
  let out = '';
  await writeOutput(file, r, format, includeSuppressed, (s) => (out += s));
  return out;
}

const LINES = [
  '1678886400000,192.168.1.100,10.0.0.60,51000,80,TCP,60,SYN',
  '',
  '1678886400310, 192.168.1.20 ,10.0.0.40,50000,443,tcp,1501,psh-ack',
  '1678886400700,192.168.1.42,10.0.0.80,53002,80,UDP,100,NONE',
].join('\n') + '\n';

describe('writeOutput --format reasons', () => {
  const marks: Mark[] = [{ index: 0, reasons: [DET_BLACKLIST] }, { index: 1, reasons: [DET_LARGESIZE] }, { index: 2, reasons: [DET_UNUSUAL, DET_LARGESIZE] }];
  const expected =
    'BLACKLIST,1678886400000,192.168.1.100,10.0.0.60,51000,80,TCP,60,SYN\n' +
    'LARGESIZE,1678886400310, 192.168.1.20 ,10.0.0.40,50000,443,tcp,1501,psh-ack\n' +
    'LARGESIZE,1678886400700,192.168.1.42,10.0.0.80,53002,80,UDP,100,NONE\n' +
    'UNUSUAL,1678886400700,192.168.1.42,10.0.0.80,53002,80,UDP,100,NONE\n';

  it('packet lines: the original lines from the file, plain or gzip', async () => {
    expect(await output(write('l.txt', LINES), result('lines', false, marks), 'reasons')).toBe(expected);
    expect(await output(write('l.gz', gzipSync(LINES)), result('lines', true, marks), 'reasons')).toBe(expected);
    expect(await output(write('l2.txt', LINES), result('lines', false, []), 'reasons')).toBe('');
  });

  it('CSV rows: packet lines from the marks, node ids turned back into the names of the file', async () => {
    const csv = write('rows.csv', 'timestamp,src,dst,size\n1,A,B,10\n2,C,A,20\n3,10.0.0.1,B,30\n');
    const node = (id: number) => [NODE_PREFIX_BYTE0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, id];
    const v4 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1];
    const r = result('csv', false, [
      { index: 1, reasons: [DET_LARGESIZE], src: node(2), dst: node(0), ts: 2e6, size: 20, proto: 0 },
      { index: 2, reasons: [DET_BLACKLIST], src: v4, dst: node(1), ts: 3e6, size: 30, proto: 0 },
    ]);
    expect(await output(csv, r, 'reasons')).toBe('LARGESIZE,2000,C,A,0,0,0,20,NONE\nBLACKLIST,3000,10.0.0.1,B,0,0,0,30,NONE\n');
  });
});

describe('writeOutput: alerts and flows', () => {
  const alerts = [
    { det: DET_FLOWRULE, sport: 1, suppressed: false },
    { det: DET_FLOWRULE, sport: 2, suppressed: true },
    { det: DET_FLOWRULE, sport: 1, suppressed: false },
  ];
  it('jsonl and csv leave suppressed alerts out unless asked; csv always has its header', async () => {
    const r = result('pcap', false, [], alerts);
    const rows = (await output('x', r, 'jsonl')).trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((x) => [x.detector, x.sport, x.suppressed])).toEqual([['FLOWRULE', 1, false], ['FLOWRULE', 1, false]]);
    const all = (await output('x', r, 'jsonl', true)).trim().split('\n').map((l) => JSON.parse(l));
    expect(all.map((x) => x.suppressed)).toEqual([false, true, false]);
    const csv = (await output('x', r, 'csv')).trim().split('\n');
    expect(csv[0]).toBe(ALERT_CSV_COLUMNS.join(','));
    expect(csv).toHaveLength(3);
    expect((await output('x', result('pcap', false, []), 'csv'))).toBe(ALERT_CSV_COLUMNS.join(',') + '\n');
  });

  it('flows: one line per 5-tuple, suppressed only when asked', async () => {
    const r = result('pcap', false, [], alerts);
    expect(await output('x', r, 'flows')).toBe('(10.0.0.1, 10.0.0.9, 1, 80, TCP)\n');
    expect(await output('x', r, 'flows', true)).toBe('(10.0.0.1, 10.0.0.9, 1, 80, TCP)\n(10.0.0.1, 10.0.0.9, 2, 80, TCP)\n');
  });
});
