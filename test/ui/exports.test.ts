// The page's text exports (src/ui/exports.ts exportText) against the CLI (src/cli/main.ts
// runAnalyze, which writes stdout through writeOutput) on real captures: for the same result the
// page's file must be byte for byte what `flowlens analyze --format F` prints, for every format,
// with and without --include-suppressed and with a Community ID seed.
import { describe, expect, it } from 'vitest';
import { parseCli, runAnalyze, writeOutput, type CliRun, type OutputFormat } from '../../src/cli/main';
import { baseName, buildExport, exportText, TEXT_EXPORTS, type TextExportKind } from '../../src/ui/exports';
import type { AnalysisResult } from '../../src/shared/protocol';

const DATA = new URL('../../../shared/data/', import.meta.url).pathname;
const SCAN = DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap';
const NG = DATA + 'attacks/bruteforce/sbousseaden_zerologon_netlogon_bruteforce.pcapng';

async function cli(file: string, format: OutputFormat, args: string[] = []): Promise<{ text: string; result: AnalysisResult }> {
  const run = parseCli(['analyze', file, '--format', format, '--seed', '7', ...args]) as CliRun;
  let text = '';
  const result = await runAnalyze(file, format, run.options, (s) => (text += s), run.includeSuppressed);
  return { text, result };
}

const KINDS = Object.keys(TEXT_EXPORTS) as TextExportKind[];

describe('page exports equal the CLI output', () => {
  for (const file of [SCAN, NG]) {
    for (const kind of KINDS) {
      it(`${kind} of ${file.slice(file.lastIndexOf('/') + 1)}`, async () => {
        const { text, result } = await cli(file, TEXT_EXPORTS[kind].format);
        expect(text.length).toBeGreaterThan(100);
        expect(exportText(result, kind)).toBe(text);
      });
    }
  }

  it('with suppressed alerts (--include-suppressed) and without them differ as the CLI does', async () => {
    // A flow-rule limit of 1 per 3600 s suppresses all but one FLOWRULE alert of the scan.
    const args = ['--flow-rule-limit', '1/3600'];
    const plain = await cli(SCAN, 'jsonl', args);
    const all = await cli(SCAN, 'jsonl', [...args, '--include-suppressed']);
    expect(all.text.split('\n').length).toBeGreaterThan(plain.text.split('\n').length);
    expect(exportText(plain.result, 'alerts-jsonl', false)).toBe(plain.text);
    expect(exportText(all.result, 'alerts-jsonl', true)).toBe(all.text);
  });

  it('with --community-id-seed 1 (the seed in result.options) for alerts, EVE and conn.log', async () => {
    for (const kind of ['alerts-jsonl', 'alerts-eve', 'flows-conn'] as const) {
      const seeded = await cli(SCAN, TEXT_EXPORTS[kind].format, ['--community-id-seed', '1']);
      const plain = await cli(SCAN, TEXT_EXPORTS[kind].format);
      expect(seeded.result.options.communityIdSeed).toBe(1);
      expect(exportText(seeded.result, kind)).toBe(seeded.text);
      expect(seeded.text).not.toBe(plain.text); // the IDs changed
    }
  });

  it('writes nothing for flows when the result has no connection records, as the CLI', async () => {
    const { result } = await cli(SCAN, 'jsonl');
    const bare = { ...result, conns: undefined };
    let text = '';
    await writeOutput(SCAN, bare, 'conn', false, (s) => (text += s));
    expect(text).toBe('');
    expect(exportText(bare, 'flows-conn')).toBe('');
  });

  it('names files after the input', async () => {
    const { result } = await cli(SCAN, 'jsonl');
    expect(buildExport(result, 'alerts-eve').fileName).toBe('evilfingers_TCP_SYN_SCAN-eve.json');
    expect(buildExport(result, 'flows-conn').fileName).toBe('evilfingers_TCP_SYN_SCAN-conn.log');
    expect(baseName('a/b:c.pcap.gz')).toBe('a_b_c');
    expect(baseName('capture.pcapng')).toBe('capture');
    expect(baseName('.pcap')).toBe('flowlens');
  });
});
