// Pure parts of the history (src/ui/history.ts): which stored series serves a ZSCORE alert of a
// reopened session (its own, else another ZSCORE alert's of the same channel, never another
// channel's), the chart's message when none is stored, and the date shown in the list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { DET_ZSCORE } from '../../src/shared/abi';
import { formatDateMs, needsFileMessage, sessionMismatch, storedChannelSeries } from '../../src/ui/history';
import { metaOf } from '../../src/store/session-store';
import type { StoredSeries } from '../../src/store/session-store';
import { DATA, newEngine } from '../helpers/core';

describe('history helpers', () => {
  it('serves a stored channel series to every ZSCORE alert of that channel only', async () => {
    const api = createWorkerApi(newEngine);
    const r = await api.analyze(new Blob([readFileSync(DATA + 'normal/chrissanders_http_espn.pcapng')]), 'espn.pcapng', defaultOptions());
    const z = Array.from({ length: r.alerts.count }, (_, i) => i).filter((i) => r.alerts.detector[i] === DET_ZSCORE);
    const a = z[0];
    const same = z.find((i) => i !== a && r.alerts.channel[i] === r.alerts.channel[a]);
    const other = z.find((i) => r.alerts.channel[i] !== r.alerts.channel[a]);
    expect(same).toBeDefined();
    expect(other).toBeDefined();
    const series = await api.channelSeries(r.channels[r.alerts.channel[a]].key.slice(), 1000);
    const stored = new Map<number, StoredSeries>([[a, { kind: 'channel', series }]]);
    expect(storedChannelSeries(r, stored, a)).toBe(series);
    expect(storedChannelSeries(r, stored, same!)).toBe(series);
    expect(storedChannelSeries(r, stored, other!)).toBeUndefined();
  });

  it('names the file and its hash when the chart needs it', () => {
    expect(needsFileMessage({ file: { name: 'x.pcap', sizeBytes: 1, sha256: 'ab'.repeat(32), lastModifiedMs: 0 } })).toBe(
      'the evidence chart needs the original file: drop x.pcap (sha256 abababababababab…) to re-analyse',
    );
    expect(needsFileMessage({ file: { name: 'x.pcap', sizeBytes: 1, sha256: null, lastModifiedMs: 0 } })).toContain('(sha256 not computed)');
    expect(formatDateMs(Date.UTC(2024, 5, 1, 12, 34, 56))).toBe('2024-06-01 12:34 UTC');
    expect(formatDateMs(NaN)).toBe('—');
  });

  it("knows a reopened session's file analysed again (same name, size, settings, seed, baseline, alerts) and says what differs otherwise", async () => {
    const api = createWorkerApi(newEngine);
    const bytes = readFileSync(DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap');
    const file = { name: 'scan.pcap', size: bytes.length };
    // The stored session: analysed with a random hash seed, recorded in its options.
    const r = await api.analyze(new Blob([bytes]), file.name, defaultOptions());
    expect(r.alerts.count).toBeGreaterThan(1000);
    const seed = r.options.seed!;
    expect(Number.isInteger(seed)).toBe(true);
    const meta = metaOf('id1', 'Lab scan', 0, { name: file.name, sizeBytes: file.size, sha256: null, lastModifiedMs: 0 }, null, r);
    // The stored copy went through IndexedDB or JSON: key order may differ, values not.
    const reversed = (v: unknown): unknown =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse().map(([k, x]) => [k, reversed(x)])) : v;
    const stored = { ...r, options: reversed(JSON.parse(JSON.stringify(r.options))) as typeof r.options };
    expect(Object.keys(stored.options)[0]).toBe(Object.keys(r.options).at(-1));
    // Analysed again with the session's seed (what the page does, Sessions.seedFor): the same.
    const again = await api.analyze(new Blob([bytes]), file.name, { ...defaultOptions(), seed });
    expect(sessionMismatch(meta, stored, file, again, null)).toBeNull();
    expect(sessionMismatch(meta, stored, { ...file, name: 'other.pcap' }, again, null)).toBe('another file name (scan.pcap)');
    expect(sessionMismatch(meta, stored, { ...file, size: file.size + 1 }, again, null)).toMatch(/^another file size/);
    expect(sessionMismatch(meta, stored, file, again, 'office')).toBe('a baseline applied');
    // Another seed: the same alerts, but those raised from the flow table in another order (the
    // triage is kept by index), so not the same analysis.
    const reseeded = await api.analyze(new Blob([bytes]), file.name, { ...defaultOptions(), seed: (seed + 1) >>> 0 });
    expect(sessionMismatch(meta, stored, file, reseeded, null)).toBe('other settings');
    expect(sessionMismatch(meta, { ...stored, options: reseeded.options }, file, reseeded, null)).toMatch(/^another alert \d+$/);
    const stricter = defaultOptions();
    stricter.zscore.threshold += 1;
    const r2 = await api.analyze(new Blob([bytes]), file.name, { ...stricter, seed });
    expect(sessionMismatch(meta, stored, file, r2, null)).toBe('other settings');
    // The same settings over other bytes (the first half of the file): other counts.
    const half = await api.analyze(new Blob([bytes.subarray(0, bytes.length >> 1)]), file.name, { ...defaultOptions(), seed });
    expect(sessionMismatch(meta, stored, file, half, null)).toMatch(/^another (outcome|count of packets)$/);
  });
});
