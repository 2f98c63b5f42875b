// The pipeline shared by the worker and the CLI, on real captures: gzip is sniffed by content,
// names never matter, a truncated file keeps what came before, cancel keeps a partial result,
// progress is throttled, and the worker service transfers (detaches) its result buffers.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import { analyzeBlob } from '../../src/worker/pipeline';
import { createWorkerApi } from '../../src/worker/service';
import type { FlowlensWorkerApi } from '../../src/worker/api';
import { DEFAULT_OPTIONS, type AnalysisOptions, type Progress } from '../../src/shared/protocol';
import { DATA, newEngine } from '../helpers/core';

const opts: AnalysisOptions = { ...DEFAULT_OPTIONS, seed: 7 };
const run = async (bytes: Uint8Array, name = 'x', o: AnalysisOptions = opts, hooks = {}) =>
  (await analyzeBlob(await newEngine(), new Blob([new Uint8Array(bytes)]), name, o, hooks)).result;

const espn = readFileSync(DATA + 'normal/chrissanders_http_espn.pcapng');

describe('pipeline', () => {
  it('reads a gzip capture like the plain one, whatever the name', async () => {
    const plain = await run(espn, 'a.pcapng');
    const gz = await run(gzipSync(espn), 'looks-like.csv');
    expect(plain.ok).toBe(true);
    expect(plain.summary.recordsRead).toBe(956);
    expect(gz.summary.gzip).toBe(true);
    expect(gz.summary.format).toBe('pcapng');
    const { fileName: _a, fileBytes: _b, gzip: _c, elapsedMs: _d, packetsPerS: _e, mbPerS: _f, ...p } = plain.summary;
    const { fileName: _g, fileBytes: _h, gzip: _i, elapsedMs: _j, packetsPerS: _k, mbPerS: _l, ...g } = gz.summary;
    expect(g).toEqual(p);
    expect(Array.from(gz.alerts.z)).toEqual(Array.from(plain.alerts.z));
  });

  it('reads the real gzip perf capture (150,489 packets per the manifest)', async () => {
    const r = (await analyzeBlob(await newEngine(), new Blob([readFileSync(DATA + 'normal/perf/real_mix_ndpi_zeek_merged.pcap.gz')]), 'p', opts)).result;
    expect(r.ok).toBe(true);
    expect(r.summary.recordsRead).toBe(150489);
  });

  it('keeps the packets before the cut of a truncated capture and names the offset', async () => {
    const cut = espn.subarray(0, Math.floor(espn.length / 2));
    const r = await run(cut);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('truncated');
    expect(r.error?.offset).toBeGreaterThan(0);
    expect(r.error?.offset).toBeLessThan(cut.length);
    expect(r.error?.message).toContain(String(r.error?.offset));
    expect(r.summary.packetsDecoded).toBeGreaterThan(300);
    expect(r.summary.skipped.truncated).toBe(1);
  });

  it('a gzip file cut short is a gzip error that keeps the packets decoded before it', async () => {
    const gz = gzipSync(espn);
    const r = await run(gz.subarray(0, Math.floor(gz.length * 0.6)));
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('gzip');
    expect(r.summary.packetsDecoded).toBeGreaterThan(100);
  });

  it('says what is wrong with a file that is not a capture', async () => {
    const r = await run(new TextEncoder().encode('\u0000\u0007 not a capture at all'));
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ code: 'not-a-capture', offset: 0 });
    const empty = await run(new Uint8Array(0));
    expect(empty.ok).toBe(false);
    expect(empty.error?.message).toMatch(/empty/);
  });

  it('a CSV without a source column is an error, not a silent empty result; bad rows are counted', async () => {
    const enc = new TextEncoder();
    const noSrc = await run(enc.encode('timestamp,dst,size\n1,B,10\n'));
    expect(noSrc.ok).toBe(false);
    expect(noSrc.error?.code).toBe('csv-missing-column');
    expect(noSrc.error?.message).toMatch(/source/);
    const bad = await run(enc.encode('timestamp,src,dst,size\n1,A,B,10\n2,A,B,-5\n3,A,B,12\n'));
    expect(bad.ok).toBe(true);
    expect(bad.summary.packetsDecoded).toBe(2);
    expect(bad.summary.skipped.badRow).toBe(1);
    expect(bad.summary.recordsRead).toBe(3);
    expect(bad.warnings[0]).toMatchObject({ line: 3 });
  });

  it('reports progress at most every interval and stops on cancel with a partial result', async () => {
    const big = readFileSync(DATA + 'normal/perf/zeek_echo-connections.pcap.gz');
    const seen: Progress[] = [];
    const token = { cancelled: false };
    const r = (
      await analyzeBlob(await newEngine(), new Blob([big]), 'e', { ...opts, chunkBytes: 64 * 1024 }, {
        cancel: token,
        progressIntervalMs: 0,
        onProgress: (p) => {
          seen.push(p);
          if (p.packets > 10000) token.cancelled = true;
        },
      })
    ).result;
    expect(r.cancelled).toBe(true);
    expect(r.summary.packetsDecoded).toBeGreaterThan(10000);
    expect(r.summary.packetsDecoded).toBeLessThan(82582);
    expect(seen.length).toBeGreaterThan(1);
    const throttled: Progress[] = [];
    await analyzeBlob(await newEngine(), new Blob([big]), 'e', { ...opts, chunkBytes: 64 * 1024 }, {
      progressIntervalMs: 60_000,
      onProgress: (p) => throttled.push(p),
    });
    expect(throttled.length).toBeLessThanOrEqual(2); // the first report and the final one
  });

  it('worker service: results cross a MessagePort transferred, and the channel series matches the alerts', async () => {
    const { port1, port2 } = new MessageChannel();
    Comlink.expose(createWorkerApi(newEngine), port1 as unknown as Comlink.Endpoint);
    const api = Comlink.wrap<FlowlensWorkerApi>(port2 as unknown as Comlink.Endpoint);
    const result = await api.analyze(new Blob([espn]), 'espn.pcapng', opts);
    expect(result.summary.recordsRead).toBe(956);
    expect(result.alerts.count).toBeGreaterThan(0);
    expect(result.alerts.z).toBeInstanceOf(Float64Array);
    // the channel with most alerts: its series holds every one of its flagged packets
    const best = result.channels.reduce((a, b) => (b.alerts > a.alerts ? b : a));
    const series = await api.channelSeries(best.key, 100_000);
    const flagged = series.flagged.reduce((a, b) => a + b, 0);
    expect(flagged).toBe(best.alerts);
    expect(series.size.length).toBeGreaterThan(best.alerts);
    port1.close();
    port2.close();
  });

  it('transfers, not copies: the sender buffers are detached afterwards', async () => {
    const out = await analyzeBlob(await newEngine(), new Blob([espn]), 'espn', opts);
    const { port1, port2 } = new MessageChannel();
    port1.postMessage(out.result, out.transfer);
    expect(out.transfer.length).toBeGreaterThan(5);
    for (const b of out.transfer) expect(b.byteLength).toBe(0);
    expect(out.result.alerts.z.length).toBe(0);
    port1.close();
    port2.close();
  });
});
