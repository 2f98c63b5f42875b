// `--format timeline`: the traffic timeline as CSV, from the CLI process on a real capture (rows
// evenly spaced by bin_us, sums equal to the summary and to the pipeline's timeline), and the
// pure writer on a hand-made timeline (exact cells).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forEachTimelineCsvLine, TIMELINE_CSV_COLUMNS } from '../../src/io/timeline-csv';
import { analyzeBlob } from '../../src/worker/pipeline';
import { DEFAULT_OPTIONS, type TrafficTimeline } from '../../src/shared/protocol';
import { DATA, newEngine } from '../helpers/core';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('--format timeline', () => {
  it('prints one CSV row per bin of a real capture; the columns sum to the summary', async () => {
    const path = DATA + 'attacks/ddos_amplification/stopddos_amp.dns.RRSIG.fragmented.pcap';
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'analyze', path, '--format', 'timeline', '--quiet'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(TIMELINE_CSV_COLUMNS.join(','));
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (name: string) => rows.map((c) => Number(c[TIMELINE_CSV_COLUMNS.indexOf(name)]));
    const total = (name: string) => col(name).reduce((a, b) => a + b, 0);
    const { result } = await analyzeBlob(await newEngine(), new Blob([new Uint8Array(readFileSync(path))]), 'x', { ...DEFAULT_OPTIONS, seed: 1 });
    const t = result.timeline!;
    expect(rows.length).toBe(t.bins);
    expect(total('packets')).toBe(result.summary.packetsDecoded);
    expect(total('bytes')).toBe(result.summary.bytesDecoded);
    expect(total('tcp_packets')).toBe(result.summary.tcp);
    expect(total('udp_packets')).toBe(result.summary.udp);
    expect(total('icmp_packets') + total('icmpv6_packets')).toBe(result.summary.icmp);
    expect(total('other_packets')).toBe(result.summary.otherIp);
    expect(col('packets')).toEqual(Array.from(t.packets));
    // Bin starts step by bin_us, from the first packet's millisecond.
    const starts = rows.map((c) => Date.parse(c[0]));
    expect(starts[0] * 1000).toBe(t.startUs);
    for (let k = 1; k < starts.length; k++) expect((starts[k] - starts[k - 1]) * 1000).toBe(t.binUs);
    expect(starts[0]).toBeLessThanOrEqual(result.summary.tsFirstUs / 1000);
    expect(starts[starts.length - 1] + t.binUs / 1000).toBeGreaterThan(result.summary.tsLastUs / 1000);
  });

  it('writes exact cells for a hand-made timeline', () => {
    const f = (...v: number[]) => Float64Array.from(v);
    const t: TrafficTimeline = {
      binUs: 2000,
      startUs: Date.UTC(2024, 0, 2, 3, 4, 5, 6) * 1000,
      bins: 2,
      packets: f(3, 0),
      bytes: f(300, 0),
      classPackets: [f(1, 0), f(1, 0), f(0, 0), f(1, 0), f(0, 0)],
      classBytes: [f(100, 0), f(150, 0), f(0, 0), f(50, 0), f(0, 0)],
    };
    const out: string[] = [];
    forEachTimelineCsvLine(t, (l) => out.push(l));
    expect(out).toEqual([
      'bin_start,bin_us,packets,bytes,tcp_packets,udp_packets,icmp_packets,icmpv6_packets,other_packets,tcp_bytes,udp_bytes,icmp_bytes,icmpv6_bytes,other_bytes',
      '2024-01-02T03:04:05.006Z,2000,3,300,1,1,0,1,0,100,150,0,50,0',
      '2024-01-02T03:04:05.008Z,2000,0,0,0,0,0,0,0,0,0,0,0,0',
    ]);
  });
});
