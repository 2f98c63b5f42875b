// The worker service's baseline surface (src/worker/service.ts) over a MessagePort, as the page
// uses it: analyze(..., extras) learns a baseline file and detects against one (result.baseline,
// PROFILE alerts), a bad file resolves ok=false 'bad-baseline', checkBaseline() summarises or
// rejects with the JSON path, and the trace re-reads run with the same applied baseline.
import { readFileSync } from 'node:fs';
import * as Comlink from 'comlink';
import { afterAll, describe, expect, it, vi } from 'vitest';
import * as abi from '../../src/shared/abi';
import type { FlowlensWorkerApi } from '../../src/worker/api';
import type { PipelineHooks } from '../../src/worker/pipeline';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions } from '../../src/rules/options';
import { DATA, newEngine } from '../helpers/core';

// Every analyzeBlob call's hooks, to see what the re-reads run with.
const calls = vi.hoisted(() => [] as PipelineHooks[]);
vi.mock('../../src/worker/pipeline', async (importOriginal) => {
  const m = await importOriginal<typeof import('../../src/worker/pipeline')>();
  return { ...m, analyzeBlob: (...args: Parameters<typeof m.analyzeBlob>) => (calls.push(args[4] ?? {}), m.analyzeBlob(...args)) };
});

const { port1, port2 } = new MessageChannel();
Comlink.expose(createWorkerApi(newEngine), port1 as unknown as Comlink.Endpoint);
const api = Comlink.wrap<FlowlensWorkerApi>(port2 as unknown as Comlink.Endpoint);
afterAll(() => {
  port1.close();
  port2.close();
});
const o = { ...defaultOptions(), seed: 4 };
const ssh = new Blob([readFileSync(DATA + 'normal/zeek_ssh_ssh.pcap')]);
const scan = new Blob([readFileSync(DATA + 'attacks/portscan/evilfingers_TCP_SYN_SCAN.pcap')]);

describe('worker service with baselines', () => {
  it('learns, checks, applies a baseline; the re-reads run with it', async () => {
    const learnt = await api.analyze(ssh, 'ssh.pcap', o, undefined, { learn: true });
    expect(learnt.ok).toBe(true);
    const text = learnt.learnedBaseline!;
    expect(JSON.parse(text).version).toBe(2);

    const summary = await api.checkBaseline(text);
    expect(summary).toMatchObject({ sourceFile: 'ssh.pcap', sizeBytes: new TextEncoder().encode(text).length });
    expect(summary.connections).toBe(JSON.parse(text).model.counts.connections);

    calls.length = 0;
    const r = await api.analyze(scan, 'scan.pcap', o, undefined, { baselineJson: text });
    expect(r.ok).toBe(true);
    expect(r.baseline).toEqual(summary);
    expect(r.profile!.mode).toBe('baseline');
    const rows = Array.from(r.alerts.detector).filter((d) => d === abi.DET_PROFILE).length;
    expect(rows).toBeGreaterThan(900);
    expect(r.profile!.details.length).toBe(rows);
    const applied = calls[0].baseline;
    expect(applied).toBeDefined();

    // A traced re-read (PORTSCAN alert's series) runs with the same parsed baseline.
    const portscan = Array.from(r.alerts.detector).indexOf(abi.DET_PORTSCAN);
    expect(portscan).toBeGreaterThanOrEqual(0);
    await api.detectorSeries(portscan, 10_000);
    const best = r.channels.reduce((a, b) => (b.alerts > a.alerts ? b : a));
    await api.channelSeries(best.key, 1000);
    expect(calls.length).toBe(3);
    expect(calls[1].traceKey && calls[2].traceKey).toBeTruthy();
    expect(calls[1].baseline).toBe(applied);
    expect(calls[2].baseline).toBe(applied);

    // Without a baseline, the re-reads have none either.
    await api.analyze(scan, 'scan.pcap', o);
    await api.channelSeries(best.key, 1000);
    expect(calls[calls.length - 1].baseline).toBeUndefined();
  });

  it('a bad baseline: analyze resolves ok=false bad-baseline, checkBaseline rejects with the path', async () => {
    const r = await api.analyze(scan, 'scan.pcap', o, undefined, { baselineJson: '{"format":"flowlens-baseline","version":1}' });
    expect(r.ok).toBe(false);
    expect(r.error!.code).toBe('bad-baseline');
    expect(r.error!.message).toMatch(/version 1 .*learn the baseline again/);
    expect(r.summary.packetsDecoded).toBe(0);
    await expect(api.checkBaseline('{"format":"flowlens-baseline","version":2,"createdAt":"2024-01-01T00:00:00Z"}')).rejects.toThrow(
      /baseline file: missing field "source"/,
    );
    await expect(api.checkBaseline('nope')).rejects.toThrow(/not JSON/);
  });
});
