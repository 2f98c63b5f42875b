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
import { cutIndexes } from '../../src/io/pcap-cut';
import { MARK_RECORD_INDEX, MARK_STRIDE, MARK_WIRE_LEN } from '../../src/shared/abi';
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

  it('gzip input: the same cut as the plain file, uncompressed', async () => {
    const gz = join(dir, 'scan.pcap.gz');
    writeFileSync(gz, gzipSync(readFileSync(PCAP)));
    const plainOut = join(dir, 'plain.pcap');
    const gzOut = join(dir, 'gz.pcap');
    const plain = await analyze(PCAP);
    await writePcapCut(PCAP, plain, plainOut, false);
    const zipped = await analyze(gz);
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
