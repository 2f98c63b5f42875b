// useTarget (src/worker/service.ts, issue #5 several files): after analysing two real captures
// with targetIds, the charts' re-reads go to the file named, not to "the last analysed file".
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { defaultOptions } from '../../src/rules/options';
import { createWorkerApi, TARGETS_KEPT } from '../../src/worker/service';
import { newEngine } from '../helpers/core';

const DATA = resolve(__dirname, '../../../shared/data');
const blob = (p: string) => new Blob([readFileSync(join(DATA, p))]);

describe('worker useTarget', () => {
  it('re-targets channelSeries/detectorSeries to the file analysed under an id', async () => {
    const api = createWorkerApi(newEngine);
    const o = defaultOptions();
    const a = await api.analyze(blob('normal/chrissanders_http_espn.pcapng'), 'espn', o, undefined, { targetId: 1 });
    expect(a.ok).toBe(true);
    const i = [...Array(a.alerts.count).keys()].find((k) => a.alerts.detector[k] === abi.DET_ZSCORE);
    expect(i).toBeDefined();
    const key = a.channels[a.alerts.channel[i!]].key.slice();
    const before = await api.channelSeries(key.slice(), 50_000);
    expect(before.tsUs.length).toBeGreaterThan(10);
    const flaggedBefore = before.flagged.reduce((n, f) => n + (f ? 1 : 0), 0);
    expect(flaggedBefore).toBeGreaterThan(0);

    const b = await api.analyze(blob('attacks/bruteforce/zeek_ssh_sshguess.pcap'), 'ssh', o, undefined, { targetId: 2 });
    expect(b.ok).toBe(true);
    // Without re-targeting, the series of espn's channel is read from the ssh capture: not the same.
    const wrong = await api.channelSeries(key.slice(), 50_000);
    expect(wrong.tsUs.length).not.toBe(before.tsUs.length);

    await api.useTarget(1);
    const again = await api.channelSeries(key.slice(), 50_000);
    expect(Array.from(again.tsUs)).toEqual(Array.from(before.tsUs));
    expect(Array.from(again.size)).toEqual(Array.from(before.size));
    expect(Array.from(again.flagged)).toEqual(Array.from(before.flagged)); // same seed, same decisions
    // detectorSeries indexes the re-targeted file's alerts.
    await expect(api.detectorSeries(a.alerts.count, 100)).rejects.toThrow(`the last result has ${a.alerts.count}`);

    await api.useTarget(2);
    const back = await api.channelSeries(key.slice(), 50_000);
    expect(back.tsUs.length).toBe(wrong.tsUs.length);
    await expect(api.useTarget(3)).rejects.toThrow(`no analysed file with id 3 (it keeps the last ${TARGETS_KEPT})`);
  }, 60_000);
});

describe('worker series with a targetId', () => {
  it('charts the named file even while another file is being analysed (no interleaving on the one engine)', async () => {
    const api = createWorkerApi(newEngine);
    const o = defaultOptions();
    o.seed = 7;
    const a = await api.analyze(blob('normal/chrissanders_http_espn.pcapng'), 'espn', o, undefined, { targetId: 10 });
    const i = [...Array(a.alerts.count).keys()].find((k) => a.alerts.detector[k] === abi.DET_ZSCORE)!;
    const key = a.channels[a.alerts.channel[i]].key.slice();
    const before = await api.channelSeries(key.slice(), 50_000, 10);
    const alone = await api.analyze(blob('normal/zeek_smb_smb2.pcap'), 'smb', o, undefined, { targetId: 11 });
    // Now both at once: the analysis of smb2 again, and espn's series requested while it runs.
    const [again, b] = await Promise.all([
      api.analyze(blob('normal/zeek_smb_smb2.pcap'), 'smb', o, undefined, { targetId: 12 }),
      api.channelSeries(key.slice(), 50_000, 10),
    ]).then(([r, s]) => [s, r] as const);
    expect(Array.from(again.tsUs)).toEqual(Array.from(before.tsUs));
    expect(Array.from(again.flagged)).toEqual(Array.from(before.flagged));
    expect(b.summary.packetsDecoded).toBe(alone.summary.packetsDecoded);
    expect(b.alerts.count).toBe(alone.alerts.count);
    expect(Array.from(b.alerts.tsUs)).toEqual(Array.from(alone.alerts.tsUs));
    await expect(api.channelSeries(key.slice(), 10, 99)).rejects.toThrow('no analysed file with id 99');
  }, 60_000);
});
