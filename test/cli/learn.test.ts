// `flowlens learn` → `flowlens analyze --baseline` end to end through a file, on real captures
// (/work/shared/data, MANIFEST.md): the learnt file is a version 2 baseline, the summary says what
// it holds, analysing the SYN scan against it prints PROFILE rows (JSONL and CSV) for the scanner
// 192.168.1.10 at medium or above with the baseline named in the summary; an old or corrupt file
// exits 2 with its JSON path; --warmup works without a file.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALERT_CSV_COLUMNS } from '../../src/io/alert-rows';
import Papa from 'papaparse';

const ROOT = new URL('../../', import.meta.url).pathname;
const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const SSH = DATA + 'normal/zeek_ssh_ssh.pcap';
const MIX = DATA + 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz';
const SCAN = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const FTP = DATA + 'attacks/bruteforce/zeek_ftp_bruteforce.pcap';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 256 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const dir = mkdtempSync(join(tmpdir(), 'flowlens-learn-'));
const jsonl = (stdout: string) => stdout.trim().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));

let mixFile: string;
beforeAll(() => {
  mixFile = join(dir, 'mix.json');
  const r = cli(['learn', MIX, '--out', mixFile, '--seed', '5']);
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('flowlens learn', () => {
  it('writes a version 2 baseline file and says what it learnt', () => {
    const out = join(dir, 'ssh.json');
    const r = cli(['learn', SSH, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect([f.format, f.version]).toEqual(['flowlens-baseline', 2]);
    expect(f.source.fileName).toBe('zeek_ssh_ssh.pcap');
    expect(f.source.packets).toBe(1797);
    const conns = f.model.counts.connections;
    expect(r.stderr).toMatch(new RegExp(`^learnt: ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\([\\d,]+ bytes\\) from zeek_ssh_ssh\\.pcap: 1,797 packets`, 'm'));
    expect(r.stderr).toMatch(new RegExp(`^profiles: ${conns} connections, ${f.model.counts.sources} sources, ${f.model.counts.profiled} profiled`, 'm'));
    expect(r.stderr).toMatch(/^forest: 100 trees, sub-samples of \d+, seed 1$/m);
    expect(r.stderr).toMatch(/^window baselines: SPIKE \d+ global \+ \d+ destinations, PROTOSHIFT/m);
  });

  it('exits 1 when the capture has too few connections to learn from', () => {
    const r = cli(['learn', DATA + 'normal/chrissanders_http_google.pcapng', '--out', join(dir, 'google.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No baseline learnt: the capture has 1 connection; learning needs at least 2/);
  });
});

describe('flowlens analyze --baseline', () => {
  it('flags the SYN scanner against a benign baseline and names the baseline (JSONL)', () => {
    const r = cli(['analyze', SCAN, '--baseline', mixFile, '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
    const rows = jsonl(r.stdout).filter((x) => x.detector === 'PROFILE');
    expect(rows.length).toBeGreaterThan(900);
    const medium = rows.filter((x) => x.src === '192.168.1.10' && (x.severity === 'medium' || x.severity === 'high'));
    expect(medium.length).toBeGreaterThan(900);
    expect(rows.every((x) => x.src === '192.168.1.10' || x.severity === 'low')).toBe(true);
    const row = medium[medium.length - 1];
    expect(row.message).toMatch(/^Per-source profile: 192\.168\.1\.10 → 192\.168\.1\.25:\d+\/tcp scores 0\.\d\d \((MEDIUM|HIGH|CRITICAL); statistical /);
    expect(row.variant).toMatch(/^(medium|high|critical)$/);
    expect(row.evidence).toMatchObject({ level: expect.stringMatching(/MEDIUM|HIGH|CRITICAL/), baseline: 'population', metric: 'connsPerMinute' });
    expect(r.stderr).toMatch(/^  PROFILE: [\d,]+ alerts, 0 suppressed/m);
    expect(r.stderr).toMatch(/^severity \(kept alerts\): high [\d,]+.*, medium [\d,]+, low [\d,]+$/m);
    expect(r.stderr).toMatch(/^baseline applied: learnt \S+ from real_mix_ndpi_zeek_merged\.pcap\.gz: [\d,]+ connections/m);
    expect(r.stderr).toMatch(/^profile: against the applied baseline, 1,005 connections scored; alerts by level: CRITICAL \d+, HIGH \d+, MEDIUM [\d,]+, LOW \d+$/m);
  });

  it('writes PROFILE rows in the CSV with the shared columns', () => {
    const r = cli(['analyze', FTP, '--baseline', mixFile, '--format', 'csv', '--profile-threshold', '0.5']);
    expect(r.code, r.stderr).toBe(0);
    const parsed = Papa.parse<Record<string, string>>(r.stdout.trim(), { header: true });
    expect(parsed.meta.fields).toEqual([...ALERT_CSV_COLUMNS]);
    const rows = parsed.data.filter((x) => x.detector === 'PROFILE');
    expect(rows.length).toBeGreaterThan(0);
    for (const x of rows) {
      expect(Number(x['evidence.value'])).toBeGreaterThanOrEqual(0.5);
      expect(x['evidence.level']).toMatch(/^(LOW|MEDIUM|HIGH|CRITICAL)$/);
      expect(x.message).toMatch(/^Per-source profile: /);
    }
  });

  it('refuses an old or corrupt baseline file with exit 2 and the JSON path', () => {
    const f = JSON.parse(readFileSync(mixFile, 'utf8'));
    const v1 = join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({ ...f, version: 1 }));
    let r = cli(['analyze', SCAN, '--baseline', v1]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/v1\.json: baseline file: version: version 1 .*learn the baseline again/);
    expect(r.stdout).toBe('');
    f.model.standardiser.std[2] = -1;
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(f));
    r = cli(['analyze', SCAN, '--baseline', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.json: baseline file: model\.standardiser\.std\[2\]/);
  });

  it('--warmup learns from the start of the capture itself', () => {
    const r = cli(['analyze', FTP, '--warmup', '50%', '--format', 'csv']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^profile: learnt from the warm-up \(15 connections\), 15 connections scored/m);
    expect(r.stderr).toMatch(/^warm-up: until \S+; alerts inside it dropped: SPIKE 0, PROTOSHIFT 0, LATENCY 0, LONGCONN 0$/m);
  });
});
