// Partial results while a file is read (Progress.partial, src/worker/pipeline.ts): on real
// captures read in 64 KiB chunks with a zero partial interval, several partials arrive; their
// packets and alerts never decrease; each partial's alerts are a prefix of the final alerts;
// every partial's timeline sums to its summary; cancelling keeps what was read, timeline included;
// partials cross a MessagePort through Comlink; the interval throttles them.
import { readFileSync } from 'node:fs';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { analyzeBlob, type PipelineHooks } from '../../src/worker/pipeline';
import { DEFAULT_OPTIONS, type AnalysisOptions, type AnalysisResult, type Progress } from '../../src/shared/protocol';
import { DATA, newEngine } from '../helpers/core';

const opts: AnalysisOptions = { ...DEFAULT_OPTIONS, seed: 11, chunkBytes: 64 * 1024 };
const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

async function runWithPartials(path: string, hooks: PipelineHooks = {}): Promise<{ result: AnalysisResult; partials: AnalysisResult[]; reports: Progress[] }> {
  const partials: AnalysisResult[] = [];
  const reports: Progress[] = [];
  const bytes = readFileSync(DATA + path);
  const { result } = await analyzeBlob(await newEngine(), new Blob([new Uint8Array(bytes)]), path, opts, {
    progressIntervalMs: 0,
    partialIntervalMs: 0,
    ...hooks,
    onProgress: (p) => {
      reports.push(p);
      if (p.partial) partials.push(p.partial);
      hooks.onProgress?.(p);
    },
  });
  return { result, partials, reports };
}

/** The timeline of `r` sums to its summary's decoded packets and bytes. */
function expectTimelineMatches(r: AnalysisResult): void {
  expect(r.timeline).toBeDefined();
  expect(sum(r.timeline!.packets)).toBe(r.summary.packetsDecoded);
  expect(sum(r.timeline!.bytes)).toBe(r.summary.bytesDecoded);
}

/** Rows 0..partial.count-1 of the final alerts have the partial's detector and first time. */
function expectPrefix(partial: AnalysisResult, final: AnalysisResult): void {
  const p = partial.alerts;
  const f = final.alerts;
  expect(p.count).toBeLessThanOrEqual(f.count);
  expect(Array.from(p.detector)).toEqual(Array.from(f.detector.subarray(0, p.count)));
  expect(Array.from(p.tsUs)).toEqual(Array.from(f.tsUs.subarray(0, p.count)));
  expect(Array.from(p.channel)).toEqual(Array.from(f.channel.subarray(0, p.count)));
  // The channels a partial names are the first of the final list, same subjects.
  for (let i = 0; i < partial.channels.length; i++) {
    expect(partial.channels[i].src).toBe(final.channels[i].src);
    expect(partial.channels[i].dst).toBe(final.channels[i].dst);
  }
}

describe('partial results', () => {
  it('arrive while a real portscan capture is read, grow monotonically and are prefixes of the final result', async () => {
    const { result, partials } = await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap');
    expect(result.ok).toBe(true);
    expect(result.partial).toBeUndefined();
    expect(result.alerts.count).toBeGreaterThan(0);
    // 1.7 MB in 64 KiB chunks: a partial after (nearly) every chunk.
    expect(partials.length).toBeGreaterThanOrEqual(10);
    let packets = 0;
    let alerts = 0;
    for (const p of partials) {
      expect(p.partial).toBe(true);
      expect(p.ok).toBe(true);
      expect(p.cancelled).toBe(false);
      expect(p.summary.packetsDecoded).toBeGreaterThanOrEqual(packets);
      expect(p.alerts.count).toBeGreaterThanOrEqual(alerts);
      packets = p.summary.packetsDecoded;
      alerts = p.alerts.count;
      expect(p.summary.packetsDecoded).toBeLessThanOrEqual(result.summary.packetsDecoded);
      expectTimelineMatches(p);
      expectPrefix(p, result);
      // Channel alert counts are this partial's (refreshed, not those of an earlier partial).
      expect(p.channels.reduce((a, c) => a + c.alerts, 0)).toBe(p.alerts.count);
      // Summary counts per detector agree with the rows kept so far (nothing is dropped here).
      const raised = Object.values(p.summary.byDetector).reduce((a, d) => a + d.alerts, 0);
      expect(raised).toBe(p.alerts.count);
    }
    // Partials grew during the read: the first saw less than the last, and alerts appeared before the end.
    expect(partials[0].summary.packetsDecoded).toBeLessThan(partials[partials.length - 1].summary.packetsDecoded);
    expect(partials.some((p) => p.alerts.count > 0 && p.alerts.count <= result.alerts.count)).toBe(true);
    expectTimelineMatches(result);
    expect(sum(result.timeline!.packets)).toBe(12014);
  });

  it('keeps earlier partial buffers intact: a later partial or the final result does not overwrite them', async () => {
    const { result, partials } = await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap');
    const first = partials.find((p) => p.alerts.count > 0)!;
    const before = Array.from(first.alerts.tsUs);
    const tl = Array.from(first.timeline!.packets);
    expect(result.alerts.count).toBeGreaterThan(0);
    expect(Array.from(first.alerts.tsUs)).toEqual(before);
    expect(Array.from(first.timeline!.packets)).toEqual(tl);
    expect(sum(first.timeline!.packets)).toBe(first.summary.packetsDecoded);
  });

  it('cancelling resolves with what was read, timeline included, after partials were shown', async () => {
    const token = { cancelled: false };
    const { result, partials } = await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap', {
      cancel: token,
      onProgress: (p) => {
        if (p.partial && p.partial.summary.packetsDecoded > 3000) token.cancelled = true;
      },
    });
    expect(result.cancelled).toBe(true);
    expect(result.summary.packetsDecoded).toBeGreaterThan(3000);
    expect(result.summary.packetsDecoded).toBeLessThan(12014);
    expectTimelineMatches(result);
    const last = partials[partials.length - 1];
    expect(last.summary.packetsDecoded).toBeLessThanOrEqual(result.summary.packetsDecoded);
    expectPrefix(last, result);
  });

  it('arrive for CSV rows too (one per row batch of 16,384 rows), with their row fields', async () => {
    const { result, partials } = await runWithPartials('flows/cicids2017_improved_sample/SSH-Patator_2500.csv');
    expect(result.summary.format).toBe('csv');
    expect(partials.length).toBeGreaterThanOrEqual(1);
    let packets = 0;
    for (const p of partials) {
      expect(p.summary.packetsDecoded).toBeGreaterThanOrEqual(packets);
      packets = p.summary.packetsDecoded;
      expectTimelineMatches(p);
      expectPrefix(p, result);
      expect(p.rowFields?.length).toBe(p.alerts.count);
    }
    expect(packets).toBeLessThanOrEqual(2500);
    expectTimelineMatches(result);
  });

  it('are throttled by partialIntervalMs (default PARTIAL_INTERVAL_MS) and need onProgress', async () => {
    const { partials, reports } = await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap', { partialIntervalMs: 60_000 });
    expect(reports.length).toBeGreaterThan(5);
    expect(partials.length).toBe(0); // the analysis takes far less than a minute
    // Without onProgress there is nothing to attach to, and the result is the same.
    const plain = (await analyzeBlob(await newEngine(), new Blob([new Uint8Array(readFileSync(DATA + 'attacks/portscan/evilfingers_xscan_capture.pcap'))]), 'x', opts)).result;
    const withPartials = (await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap')).result;
    expect(Array.from(withPartials.alerts.tsUs)).toEqual(Array.from(plain.alerts.tsUs));
    expect(withPartials.summary.packetsDecoded).toBe(plain.summary.packetsDecoded);
  });

  it('come on request only with a partial gate: one per request, on the next report, none unasked', async () => {
    const gate = { wanted: false };
    let seen = 0; // reports so far
    let requests = 0;
    const partialAt: number[] = []; // 1-based report numbers that carried a partial
    const { result, partials } = await runWithPartials('attacks/portscan/evilfingers_xscan_capture.pcap', {
      partialGate: gate,
      onProgress: (p) => {
        seen++;
        if (p.partial) partialAt.push(seen);
        // The page asks again once it has drawn: here after every 4th report.
        if (seen % 4 === 0) {
          gate.wanted = true;
          requests++;
        }
      },
    });
    expect(seen).toBeGreaterThan(12);
    expect(requests).toBeGreaterThan(2);
    // One partial per request, on the report right after it (the last request may find no more
    // reports: the final one never carries a partial).
    expect(partialAt.length).toBeGreaterThanOrEqual(requests - 1);
    expect(partialAt.length).toBeLessThanOrEqual(requests);
    expect(partialAt).toEqual(partialAt.map((_, k) => 4 * (k + 1) + 1));
    expect(partials.length).toBe(partialAt.length);
    for (const p of partials) expectPrefix(p, result);
  });

  it('cross a MessagePort through Comlink (structured clone, typed arrays kept)', async () => {
    const { port1, port2 } = new MessageChannel();
    const bytes = new Uint8Array(readFileSync(DATA + 'attacks/portscan/evilfingers_xscan_capture.pcap'));
    Comlink.expose(
      {
        async run(onProgress: (p: Progress) => void) {
          const out = await analyzeBlob(await newEngine(), new Blob([bytes]), 'x', opts, { onProgress, progressIntervalMs: 0, partialIntervalMs: 0 });
          return Comlink.transfer(out.result, out.transfer);
        },
      },
      port1 as unknown as Comlink.Endpoint,
    );
    const remote = Comlink.wrap<{ run(onProgress: (p: Progress) => void): Promise<AnalysisResult> }>(port2 as unknown as Comlink.Endpoint);
    const got: AnalysisResult[] = [];
    const result = await remote.run(Comlink.proxy((p: Progress) => void (p.partial && got.push(p.partial))));
    // Progress callbacks are posted before the result resolves.
    await new Promise((r) => setTimeout(r, 50));
    expect(got.length).toBeGreaterThan(5);
    for (const p of got) {
      expect(p.partial).toBe(true);
      expect(p.alerts.tsUs).toBeInstanceOf(Float64Array);
      expect(p.timeline!.packets).toBeInstanceOf(Float64Array);
      expect(p.timeline!.classPackets).toHaveLength(5);
      expectTimelineMatches(p);
      expectPrefix(p, result);
    }
    expectTimelineMatches(result);
    port1.close();
    port2.close();
  });
});
