// The CLI end to end: the CSV example still flags records 4 and 8 with the z-score
// detector, JSON and JSON Lines give the same answer, packet-line input, the shared JSONL/CSV
// shape, `--format flows` with the rate limiter and --include-suppressed, the detector flags,
// and every usage error (exit 2, with the flag, option path or file line) and input error (exit 1).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_CSV_COLUMNS } from '../../src/io/alert-rows';

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
/** Every rule detector off: the z-score detector alone, as before issue #3. */
const RULES_OFF = ['--no-blacklist', '--no-portscan', '--no-portscan-syn', '--no-address-scan', '--no-synflood', '--no-synflood-slow', '--no-synflood-spread', '--no-largesize', '--no-unusual', '--no-flow-rules'];

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
const jsonl = (stdout: string) => stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

describe('flowlens analyze: the z-score example (needs the merged pipeline)', () => {
  it('flags exactly records 4 and 8 of the example with --min-samples 3', () => {
    const r = cli(['analyze', write('example.csv', EXAMPLE), '--min-samples', '3', ...RULES_OFF]);
    expect(r.code, r.stderr).toBe(0);
    const rows = jsonl(r.stdout);
    expect(rows.map((x) => x.record)).toEqual([4, 8]);
    const [a, b] = rows;
    for (const k of ['detector', 'severity', 'score', 'first_ts', 'last_ts', 'first_ts_us', 'last_ts_us', 'src', 'dst', 'sport', 'dport', 'proto', 'size', 'record', 'suppressed', 'episode', 'evidence', 'message']) {
      expect(a, k).toHaveProperty(k);
    }
    expect(a).toMatchObject({ detector: 'ZSCORE', src: 'A', dst: 'B', proto: 'TCP', size: 5000, first_ts_us: 1678886403e6, first_ts: '2023-03-15T13:20:03.000000Z', suppressed: false });
    expect(a.evidence.mean).toBeCloseTo(1100, 9);
    expect(a.evidence.std).toBeCloseTo(100, 9);
    expect(a.evidence.z).toBeGreaterThan(3);
    expect(b).toMatchObject({ detector: 'ZSCORE', src: 'C', dst: 'D', proto: 'UDP', size: 100, first_ts_us: 1678886407e6 });
    expect(b.evidence.mean).toBeCloseTo(600, 9);
    expect(b.evidence.z).toBeLessThan(-3);
    expect(a.fields).toMatchObject({ source_node: 'A', packet_size: '5000', flags: '1' });
    expect(r.stderr).toMatch(/records: 8 read, 8 decoded, 0 skipped/);
    expect(r.stderr).toMatch(/ZSCORE: 2 alerts, 0 suppressed/);
    expect(r.stderr).toMatch(/packets\/s/);
  });

  it('with the rule detectors on, the z-score rows are the same two records', () => {
    for (const args of [['--min-samples', '3'], []]) {
      const r = cli(['analyze', write('example3.csv', EXAMPLE), ...args]);
      expect(r.code, r.stderr).toBe(0);
      expect(jsonl(r.stdout).filter((x) => x.detector === 'ZSCORE').map((x) => x.record)).toEqual([4, 8]);
    }
  });

  it('gives the same two records for the rows as JSON and JSON Lines, and as CSV output', () => {
    const objs = EXAMPLE.trim().split('\n').slice(1).map((l) => {
      const [timestamp, source_node, destination_node, packet_size, protocol, flags] = l.split(',');
      return { timestamp: Number(timestamp), source_node, destination_node, packet_size: Number(packet_size), protocol, flags: Number(flags) };
    });
    // named .txt on purpose: the format comes from the content
    const json = cli(['analyze', write('rows.txt', JSON.stringify(objs)), '--min-samples', '3', ...RULES_OFF]);
    const jl = cli(['analyze', write('rows2.txt', objs.map((o) => JSON.stringify(o)).join('\n')), '--min-samples', '3', ...RULES_OFF]);
    for (const r of [json, jl]) {
      expect(r.code, r.stderr).toBe(0);
      expect(jsonl(r.stdout).map((x) => x.record)).toEqual([4, 8]);
    }
    // Issue #2's plain ladder (HIGH from 4t; the default demands 30 baseline packets for HIGH).
    const plain = write('plain-ladder.json', JSON.stringify({ zscore: { highMinSamples: 0 } }));
    const csv = cli(['analyze', write('example2.csv', EXAMPLE), '--min-samples', '3', '--config', plain, '--format', 'csv', ...RULES_OFF]);
    const lines = csv.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe([...ALERT_CSV_COLUMNS, 'field.timestamp', 'field.source_node', 'field.destination_node', 'field.packet_size', 'field.protocol', 'field.flags'].join(','));
    expect(lines[1]).toMatch(/^ZSCORE,,high,/);
  });

  it('analyses a real capture and prints one JSON object per alert', () => {
    const r = cli(['analyze', join(DATA, 'normal/chrissanders_http_espn.pcapng'), '--seed', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/records: 956 read, 956 decoded, 0 skipped/);
    const rows = jsonl(r.stdout);
    const z = rows.filter((x) => x.detector === 'ZSCORE');
    expect(z.length).toBeGreaterThan(0);
    for (const row of z) expect(Math.abs(row.evidence.z)).toBeGreaterThan(3);
    for (const row of rows) expect(row.message).not.toBe('');
  });
});

describe('flowlens analyze: input faults and usage', () => {
  it('reads gzip through zlib and reports a cut gzip file as an error (exit 1)', () => {
    const gz = readFileSync(join(DATA, 'normal/perf/zeek_echo-connections.pcap.gz'));
    const ok = cli(['analyze', join(DATA, 'normal/perf/zeek_echo-connections.pcap.gz'), '--quiet', '--seed', '1', '--no-zscore']);
    expect(ok.code, ok.stderr).toBe(0);
    const cutPath = join(dir, 'cut.bin');
    writeFileSync(cutPath, gz.subarray(0, gz.length >> 1));
    const cut = cli(['analyze', cutPath, '--seed', '1', '--no-zscore']);
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

  it('--help lists every option', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of [
      '--format', 'jsonl', 'csv', 'flows', 'reasons', '--include-suppressed', '--config', '--blacklist', '--portscan-ports', '--portscan-window',
      '--synflood-syns', '--synflood-window', '--synflood-slow-syns', '--synflood-slow-window', '--synflood-completed',
      '--large-size', '--normal', '--rule', '--flow-window', '--lateness', '--flow-rule-limit',
      '--no-zscore', '--no-blacklist', '--no-portscan', '--no-portscan-syn', '--no-address-scan', '--no-synflood', '--no-synflood-slow',
      '--no-synflood-spread',
      '--no-largesize', '--no-unusual', '--no-flow-rules', '--window', '--threshold', '--min-samples', '--seed', '--quiet',
    ]) expect(r.stdout, flag).toContain(flag);
  });

  const usage = (args: string[], message: RegExp) => {
    const r = cli(['analyze', write('any.csv', EXAMPLE), ...args]);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain('Usage: flowlens analyze FILE');
    expect(r.stdout).toBe('');
  };

  it('exit 2 with the flag, the option path or the file line (details: options.test.ts)', () => {
    usage(['--portscan-ports=-1'], /--portscan-ports wants a non-negative integer, got "-1"/);
    usage(['--no-such-flag'], /no-such-flag/);
    usage(['--rule', 'typo=pakets > 5'], /--rule typo: .*pakets/);
    const unknown = write('unknown.json', JSON.stringify({ rules: { portscan: { thresold: 5 } } }));
    usage(['--config', unknown], new RegExp(`config file ${unknown}: rules\\.portscan\\.thresold`));
    const bl = write('bl.txt', '# list\n10.0.0.1\n\n10.0.0.0/8, not-an-address\n');
    usage(['--blacklist', bl], new RegExp(`blacklist ${bl}:4: .*not-an-address`));
  });
});

// Flow rule "big" (bytes > 5000) fires on three flows in three 1-s windows, in time order; the
// fourth packet closes the windows. The rate limit 1/60 lets only the first alert through.
const FLOWS = `1678886400000,10.0.0.1,10.0.0.9,40001,80,TCP,6000,PSH-ACK
1678886402000,10.0.0.2,10.0.0.9,40002,80,TCP,6000,PSH-ACK
1678886404000,10.0.0.3,10.0.0.9,40003,80,TCP,6000,PSH-ACK
1678886410000,10.0.0.4,10.0.0.9,40004,80,TCP,100,ACK
`;
const FLOW_CONFIG = { flowFeatures: { windowS: 1, latenessS: 0.5, rules: [{ name: 'big', expr: 'bytes > 5000', severity: 'high', enabled: true }] } };

describe('flowlens analyze: packet lines, flows, rate limits (needs the merged core)', () => {
  it('--format flows prints the rate-limited anomalous flows; --include-suppressed all of them', () => {
    const file = write('flows.txt', FLOWS);
    const config = write('flows.json', JSON.stringify(FLOW_CONFIG));
    const r = cli(['analyze', file, '--format', 'flows', '--config', config, '--flow-rule-limit', '1/60', '--no-zscore']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('(10.0.0.1, 10.0.0.9, 40001, 80, TCP)\n');
    expect(r.stderr).toMatch(/FLOWRULE: 3 alerts, 2 suppressed/);
    const all = cli(['analyze', file, '--format', 'flows', '--config', config, '--flow-rule-limit', '1/60', '--no-zscore', '--include-suppressed']);
    expect(all.stdout).toBe('(10.0.0.1, 10.0.0.9, 40001, 80, TCP)\n(10.0.0.2, 10.0.0.9, 40002, 80, TCP)\n(10.0.0.3, 10.0.0.9, 40003, 80, TCP)\n');
    const off = cli(['analyze', file, '--format', 'flows', '--config', config, '--flow-rule-limit', 'off', '--no-zscore']);
    expect(off.stdout).toBe(all.stdout);
    const none = cli(['analyze', file, '--format', 'flows', '--config', config, '--no-flow-rules', '--no-zscore']);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
  });

  it('JSONL of packet lines: FLOWRULE rows with the rule and features, suppressed ones only on request', () => {
    const file = write('flows2.txt', FLOWS);
    const config = write('flows2.json', JSON.stringify(FLOW_CONFIG));
    const base = ['analyze', file, '--config', config, '--flow-rule-limit', '1/60', '--no-zscore', '--no-largesize', '--no-unusual'];
    const shown = jsonl(cli(base).stdout);
    expect(shown.map((x) => [x.detector, x.src, x.suppressed])).toEqual([['FLOWRULE', '10.0.0.1', false]]);
    expect(shown[0]).toMatchObject({ severity: 'high', dst: '10.0.0.9', sport: 40001, dport: 80, proto: 'TCP', evidence: { rule: 'big', window_s: 1, packets: 1, bytes: 6000 } });
    expect(shown[0].message).toMatch(/^flow 10\.0\.0\.1:40001 → 10\.0\.0\.9:80 \(TCP\) matched rule 'big': bytes > 5000 \(bytes 6000\)/);
    const all = jsonl(cli([...base, '--include-suppressed']).stdout);
    expect(all.map((x) => [x.src, x.suppressed])).toEqual([['10.0.0.1', false], ['10.0.0.2', true], ['10.0.0.3', true]]);
  });

  it('LARGESIZE and UNUSUAL on packet lines: the shared shape, the original line as fields, bad lines reported', () => {
    const text = '1678886400000,192.168.1.10,10.0.0.20,54321,31337,TCP,9014,SYN\nnot,a,packet\n1678886400100,10.0.0.20,192.168.1.10,31337,54321,TCP,60,SYN-ACK\n';
    const r = cli(['analyze', write('lines.txt', text), '--large-size', '1500', '--normal', 'tcp/80', '--no-zscore', '--no-flow-rules']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lines/);
    expect(r.stderr).toMatch(/records: 3 read, 2 decoded, 1 skipped/);
    expect(r.stderr).toMatch(/warning: line 2: has 3 fields, expected 8/);
    const rows = jsonl(r.stdout);
    expect(rows.map((x) => x.detector).sort()).toEqual(['LARGESIZE', 'UNUSUAL']);
    const large = rows.find((x) => x.detector === 'LARGESIZE');
    expect(large).toMatchObject({ src: '192.168.1.10', dst: '10.0.0.20', sport: 54321, dport: 31337, proto: 'TCP', size: 9014, record: 1, evidence: { value: 9014, threshold: 1500, count: 1 } });
    expect(large.message).toBe('192.168.1.10:54321 → 10.0.0.20:31337 (TCP): packet of 9014 bytes (threshold 1500)');
    expect(large.fields).toEqual({ timestamp_ms: '1678886400000', src: '192.168.1.10', dst: '10.0.0.20', sport: '54321', dport: '31337', proto: 'TCP', size: '9014', flags: 'SYN' });
    const unusual = rows.find((x) => x.detector === 'UNUSUAL');
    expect(unusual).toMatchObject({ record: 1, evidence: { value: 31337, protocol: 6, count: 2 } });
    expect(unusual.message).toBe('192.168.1.10:54321 → 10.0.0.20:31337 (TCP): tcp/31337 is not a normal service; 2 packets');
    expect(r.stderr).toMatch(/LARGESIZE: 1 alert, 0 suppressed, 1 evidence packet/);
    expect(r.stderr).toMatch(/UNUSUAL: 1 alert, 0 suppressed, 2 evidence packets/);
    // --no-largesize and --no-unusual switch them off.
    const off = cli(['analyze', write('lines2.txt', text), '--large-size', '1500', '--normal', 'tcp/80', '--no-zscore', '--no-flow-rules', '--no-largesize', '--no-unusual']);
    expect(off.stdout).toBe('');
    // CSV output keeps the original line's fields as field.<name> columns.
    const csv = cli(['analyze', write('lines3.txt', text), '--large-size', '1500', '--normal', 'tcp/80', '--no-zscore', '--no-flow-rules', '--no-unusual', '--format', 'csv']);
    const head = csv.stdout.split('\n')[0].split(',');
    expect(head.slice(-8)).toEqual(['field.timestamp_ms', 'field.src', 'field.dst', 'field.sport', 'field.dport', 'field.proto', 'field.size', 'field.flags']);
    expect(csv.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('--portscan-ports, --synflood-syns and --blacklist change what fires', () => {
    const lines: string[] = [];
    // Six SYN probes to six ports of one target, one a second.
    for (let p = 1; p <= 6; p++) lines.push(`${1678886400000 + p * 1000},192.168.1.10,10.0.0.20,40000,${2000 + p},TCP,60,SYN`);
    const file = write('scan.txt', lines.join('\n') + '\n');
    const base = ['analyze', file, '--no-zscore', '--no-flow-rules', '--no-unusual', '--no-portscan-syn', '--no-synflood-spread', '--no-address-scan'];
    const dets = (args: string[]) => jsonl(cli([...base, ...args]).stdout).map((x) => `${x.detector}/${x.variant ?? ''}`).sort();
    expect(dets([])).toEqual([]);
    expect(dets(['--portscan-ports', '5'])).toEqual(['PORTSCAN/ports']);
    expect(dets(['--synflood-syns', '5'])).toEqual(['SYNFLOOD/dst']);
    expect(dets(['--portscan-ports', '5', '--synflood-syns', '5', '--no-portscan'])).toEqual(['SYNFLOOD/dst']);
    expect(dets(['--portscan-ports', '5', '--synflood-syns', '5', '--no-synflood'])).toEqual(['PORTSCAN/ports']);
    // A 2.5-s window holds 3 of them at most (never on its boundary).
    expect(dets(['--portscan-ports', '2', '--portscan-window', '2.5'])).toEqual(['PORTSCAN/ports']);
    expect(dets(['--portscan-ports', '3', '--portscan-window', '2.5'])).toEqual([]);
    expect(dets(['--synflood-syns', '2', '--synflood-window', '2.5'])).toEqual(['SYNFLOOD/dst']);
    expect(dets(['--synflood-syns', '3', '--synflood-window', '2.5'])).toEqual([]);
    const bl = write('scan-bl.txt', '10.0.0.0/24\n');
    expect(dets(['--blacklist', bl])).toEqual(['BLACKLIST/dst', 'BLACKLIST/dst', 'BLACKLIST/dst', 'BLACKLIST/dst', 'BLACKLIST/dst', 'BLACKLIST/dst']);
    expect(dets(['--blacklist', bl, '--no-blacklist'])).toEqual([]);
  });
});
