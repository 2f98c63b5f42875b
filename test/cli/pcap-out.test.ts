// `flowlens analyze --pcap-out FILE` (src/cli/main.ts writePcapCut over src/io/pcap-cut.ts) on real
// captures. What the cut must hold: every packet the core marked (the evidence packets of
// BLACKLIST, PORTSCAN, LARGESIZE, SYNFLOOD, UNUSUAL, SPIKE) and every printed alert's first evidence
// packet, nothing else, in file order. The oracle: both the original and the cut are analysed with
// LARGESIZE over 0 bytes, which marks every decoded packet, and the cut's packets (timestamp, 5-tuple,
// flags, wire length as the core decoded them) must be the original's packets at the chosen record
// indexes, one for one. gzip input gives the same cut as the plain file; CSV input and `learn` are
// refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseCli, runAnalyze, writePcapCut, type CliRun } from '../../src/cli/main';
import { alertPacketIndexes, cutIndexes } from '../../src/io/pcap-cut';
import { DET_FLOWRULE, DET_ZSCORE, MARK_REASONS, MARK_RECORD_INDEX, MARK_STRIDE, MARK_WIRE_LEN } from '../../src/shared/abi';
import type { AnalysisResult } from '../../src/shared/protocol';

const ROOT = new URL('../../', import.meta.url).pathname;
const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const PCAP = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const PCAPNG = DATA + 'attacks/bruteforce/sbousseaden_zerologon_netlogon_bruteforce.pcapng';
const dir = mkdtempSync(join(tmpdir(), 'flowlens-pcap-out-'));

async function analyze(file: string, args: string[] = []): Promise<AnalysisResult> {
  const run = parseCli(['analyze', file, ...args]) as CliRun;
  return runAnalyze(file, 'jsonl', run.options, () => undefined, false, { collectMarks: true });
}

/** Every decoded packet of `file` by record index: its mark's bytes up to the wire length (time,
 *  addresses, ports, protocol, flags, label, wire length), as hex. */
async function everyPacket(file: string): Promise<Map<number, string>> {
  const m = (await analyze(file, ['--large-size', '0'])).marks!;
  const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
  const out = new Map<number, string>();
  for (let b = 0; b < m.length; b += MARK_STRIDE) {
    out.set(v.getUint32(b + MARK_RECORD_INDEX, true), Buffer.from(m.subarray(b, b + MARK_WIRE_LEN + 4)).toString('hex'));
  }
  return out;
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('--pcap-out', () => {
  for (const [file, format] of [
    [PCAP, 'pcap'],
    [PCAPNG, 'pcapng'],
  ] as const) {
    it(`${format}: the marked packets and each alert's first packet, exactly, as the original's`, async () => {
      const result = await analyze(file);
      expect(result.summary.format).toBe(format);
      const idx = cutIndexes(result);
      const chosen = new Set(idx);
      const m = result.marks!;
      expect(m.length).toBeGreaterThan(0);
      for (let b = 0; b < m.length; b += MARK_STRIDE) {
        expect(chosen.has(new DataView(m.buffer, m.byteOffset).getUint32(b + MARK_RECORD_INDEX, true))).toBe(true);
      }
      for (let i = 0; i < result.alerts.count; i++) if (!result.alerts.suppressed[i]) expect(chosen.has(result.alerts.recordIndex[i])).toBe(true);

      const out = join(dir, `cut.${format}`);
      const cut = await writePcapCut(file, result, out, false);
      expect(cut).toMatchObject({ records: idx.length, missing: 0 });
      const bytes = readFileSync(out);
      const orig = readFileSync(file);
      if (format === 'pcap') expect(bytes.subarray(0, 24)).toEqual(orig.subarray(0, 24));
      else expect(bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);

      const all = await everyPacket(file);
      const back = await everyPacket(out);
      expect([...back.keys()]).toEqual(idx.map((_, k) => k));
      expect([...back.values()]).toEqual(idx.map((i) => all.get(i)));
    });
  }

  // One alert's packets (alertPacketIndexes): for the detectors that mark packets, the marks of the
  // alert's subject and time span must be exactly its evidence packets (their number is the core's
  // evidence count), and the alerts of a detector together must cover all of its marks.
  const BL = join(dir, 'bl.txt');
  writeFileSync(BL, '10.0.2.17\n');
  for (const [name, args] of [
    ['attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap', ['--large-size', '300']], // PORTSCAN ports+syn, SYNFLOOD dst, LARGESIZE, UNUSUAL
    ['attacks/synflood/ppa1e_dosattack.pcap', []], // SYNFLOOD spread, UNUSUAL
    ['attacks/portscan/sbousseaden_discovery_scan_dcerpc_endpoint_mapper.pcapng', ['--blacklist', BL, '--large-size', '300']], // BLACKLIST, LARGESIZE
    ['attacks/bruteforce/sbousseaden_zerologon_netlogon_bruteforce.pcapng', []], // UNUSUAL
  ] as const) {
    it(`one alert's packets are its evidence packets: ${name.split('/').pop()}`, async () => {
      const r = await analyze(DATA + name, [...args]);
      const m = r.marks!;
      const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
      const marksOf = new Map<number, Set<number>>();
      for (let b = 0; b < m.length; b += MARK_STRIDE) {
        for (let d = 0; d < 32; d++) {
          if ((v.getUint32(b + MARK_REASONS, true) & (1 << d)) === 0) continue;
          if (!marksOf.has(d)) marksOf.set(d, new Set());
          marksOf.get(d)!.add(v.getUint32(b + MARK_RECORD_INDEX, true));
        }
      }
      expect(marksOf.size).toBeGreaterThan(0);
      const covered = new Map<number, Set<number>>();
      let checked = 0;
      for (let i = 0; i < r.alerts.count; i++) {
        const d = r.alerts.detector[i];
        const got = alertPacketIndexes(r, i);
        expect(got).toContain(r.alerts.recordIndex[i]);
        if (d === DET_ZSCORE || d === DET_FLOWRULE) {
          expect(got).toEqual([r.alerts.recordIndex[i]]);
          continue;
        }
        expect(got.length).toBe(r.alerts.evidence[i]);
        checked++;
        if (!covered.has(d)) covered.set(d, new Set());
        for (const k of got) covered.get(d)!.add(k);
      }
      expect(checked).toBeGreaterThan(0);
      for (const [d, marked] of marksOf) expect([...(covered.get(d) ?? [])].sort((a, b) => a - b)).toEqual([...marked].sort((a, b) => a - b));
    });
  }

  it('gzip input: the same cut as the plain file, uncompressed', async () => {
    const gz = join(dir, 'scan.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(PCAP)));
    const plainOut = join(dir, 'plain.pcap');
    const gzOut = join(dir, 'gz.pcap');
    // One hash seed for both: the order of the alerts raised by the table sweeps follows the
    // seed, and so (rarely) does which of them the rate limiter suppresses, i.e. which evidence
    // packets are cut (3 seeds in 40 differ by one packet here).
    const plain = await analyze(PCAP, ['--seed', '7']);
    await writePcapCut(PCAP, plain, plainOut, false);
    const zipped = await analyze(gz, ['--seed', '7']);
    expect(zipped.summary.gzip).toBe(true);
    const cut = await writePcapCut(gz, zipped, gzOut, false);
    expect(cut.records).toBeGreaterThan(0);
    expect(readFileSync(gzOut)).toEqual(readFileSync(plainOut));
  });

  it('the command line: writes the file and says so; refuses CSV input and learn', () => {
    const out = join(dir, 'cli.pcapng');
    const ok = cli(['analyze', PCAPNG, '--pcap-out', out]);
    expect(ok.code).toBe(0);
    const n = Number(/wrote (\d+) packets to /.exec(ok.stderr)?.[1]);
    expect(n).toBeGreaterThan(0);
    expect(readFileSync(out).readUInt32LE(0)).toBe(0x0a0d0d0a);

    // --pcap-alert 1: the first printed alert's packets only (an UNUSUAL flow here).
    const oneOut = join(dir, 'one.pcapng');
    const one = cli(['analyze', PCAPNG, '--pcap-out', oneOut, '--pcap-alert', '1']);
    expect(one.code).toBe(0);
    const first = JSON.parse(one.stdout.split('\n')[0]);
    expect(first.detector).toBe('UNUSUAL');
    expect(Number(/wrote (\d+) packets/.exec(one.stderr)?.[1])).toBe(first.evidence.count);
    expect(cli(['analyze', PCAPNG, '--pcap-alert', '1']).code).toBe(2);

    const csv = join(dir, 'rows.csv');
    writeFileSync(csv, 'timestamp,src_ip,dst_ip,src_port,dst_port,protocol,size\n1678886400,10.0.0.1,10.0.0.2,1234,80,TCP,60\n');
    const bad = cli(['analyze', csv, '--pcap-out', join(dir, 'x.pcap'), '--quiet']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--pcap-out needs a pcap or pcapng input, this is csv/);

    const learn = cli(['learn', PCAP, '--out', join(dir, 'b.json'), '--pcap-out', join(dir, 'y.pcap')]);
    expect(learn.code).toBe(2);
    expect(learn.stderr).toMatch(/--pcap-out is for analyze/);
  });
});
