// Pure parts of the history (src/ui/history.ts): which stored series serves a ZSCORE alert of a
// reopened session (its own, else another ZSCORE alert's of the same channel, never another
// channel's), the chart's message when none is stored, and the date shown in the list.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { DET_ZSCORE } from '../../src/shared/abi';
import { formatDateMs, needsFileMessage, storedChannelSeries } from '../../src/ui/history';
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
});
