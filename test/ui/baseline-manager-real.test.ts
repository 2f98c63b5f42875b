// The baseline manager's logic (src/ui/baseline-manager.ts BaselineController) over the real parts
// it drives in the page: the worker service (learn, checkBaseline, analyze with the applied
// baseline) and the baseline store (src/store/baseline-store.ts over its in-memory backend), on
// real captures: learn from normal/zeek_ssh_ssh.pcap, save, export, re-import, refuse a corrupt
// copy (nothing saved), apply to attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap (PROFILE alerts on
// the scanner 192.168.1.10, MANIFEST.md), delete.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { defaultOptions } from '../../src/rules/options';
import { baselineStoreOver, memoryBaselineBackend } from '../../src/store/baseline-store';
import { BaselineController } from '../../src/ui/baseline-manager';
import { createWorkerApi } from '../../src/worker/service';
import { DATA, newEngine } from '../helpers/core';

const blob = (rel: string) => new Blob([new Uint8Array(readFileSync(DATA + rel))]);

describe('BaselineController with the worker service and the store', () => {
  it('learns, saves, exports, refuses a corrupt import, applies to a scan and deletes', async () => {
    const api = createWorkerApi(newEngine);
    const backend = memoryBaselineBackend();
    const c = new BaselineController({ openStore: async () => baselineStoreOver(backend), checkBaseline: (t) => api.checkBaseline(t) });
    await c.refresh();
    const o = defaultOptions();
    o.seed = 4;

    const learnt = await api.analyze(blob('normal/zeek_ssh_ssh.pcap'), 'zeek_ssh_ssh.pcap', o, undefined, { learn: true });
    expect(learnt.ok).toBe(true);
    const text = learnt.learnedBaseline!;
    const saved = await c.saveLearnt('office', text, 'zeek_ssh_ssh.pcap');
    expect(saved.ok).toBe(true);
    expect(saved.message).toMatch(/^Saved office, learnt from zeek_ssh_ssh\.pcap: 25 connections from 5 sources/); // as test/ml/real-captures.test.ts measures it
    expect(c.items.map((m) => [m.name, m.sourceFile, m.connections, m.sources])).toEqual([['office', 'zeek_ssh_ssh.pcap', 25, 5]]);

    const exported = await c.exportFile('office');
    expect(JSON.parse(exported.text)).toMatchObject({ format: 'flowlens-baseline', version: 2 });

    // A corrupt copy: the path of the bad field, nothing written.
    const bad = JSON.parse(exported.text);
    bad.core.windowS = 'ten';
    const refused = await c.importFile('corrupt.json', JSON.stringify(bad));
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain('core.windowS');
    expect([...backend.records.keys()]).toEqual(['office']);
    const again = await c.importFile('office.flowlens-baseline.json', exported.text);
    expect(again.ok).toBe(true);
    expect(c.items.map((m) => m.name)).toEqual(['office', 'office (2)']);

    // Applied: the analysis gets the stored text and PROFILE flags the scanner.
    c.apply('office');
    const applied = (await c.appliedJson())!;
    expect(applied.text).toBe(text);
    const r = await api.analyze(blob('attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap'), 'scan', o, undefined, { baselineJson: applied.text });
    expect(r.ok).toBe(true);
    expect(r.baseline?.sourceFile).toBe('zeek_ssh_ssh.pcap');
    const prof = [...Array(r.alerts.count).keys()].filter((i) => r.alerts.detector[i] === abi.DET_PROFILE && r.alerts.severity[i] >= abi.SEV_MEDIUM);
    expect(prof.length).toBeGreaterThan(900); // 1002 probes from the scanner (MANIFEST)
    expect(prof.every((i) => r.channels[r.alerts.channel[i]].src === '192.168.1.10')).toBe(true);

    expect((await c.remove('office')).ok).toBe(true);
    expect(c.applied).toBeNull();
    expect([...backend.records.keys()]).toEqual(['office (2)']);
  });
});
