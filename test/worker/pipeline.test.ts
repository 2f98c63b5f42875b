// The pipeline shared by the worker and the CLI, on real captures: gzip is sniffed by content,
// names never matter, a truncated file keeps what came before, cancel keeps a partial result,
// progress is throttled, and the worker service transfers (detaches) its result buffers. Also:
// invalid options stop before the engine runs, every option reaches its core config id, the rule
// inputs reach the engine, and the result carries the flow rules, per-detector counts and marks.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { analyzeBlob, coreConfig, type PipelineHooks } from '../../src/worker/pipeline';
import type { Engine, RuleInputs } from '../../src/worker/engine';
import { defaultOptions } from '../../src/rules/options';
import { blacklistRanges } from '../../src/rules/blacklist';
import { parseServices } from '../../src/shared/services';
import { createWorkerApi } from '../../src/worker/service';
import type { FlowlensWorkerApi } from '../../src/worker/api';
import { DEFAULT_OPTIONS, type AnalysisOptions, type Progress } from '../../src/shared/protocol';
import { DATA, newEngine } from '../helpers/core';

const opts: AnalysisOptions = { ...DEFAULT_OPTIONS, seed: 7 };
const run = async (bytes: Uint8Array, name = 'x', o: AnalysisOptions = opts, hooks: PipelineHooks = {}) =>
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
    expect(Array.from(gz.alerts.score)).toEqual(Array.from(plain.alerts.score));
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
    expect(result.alerts.score).toBeInstanceOf(Float64Array);
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
    expect(out.result.alerts.score.length).toBe(0);
    port1.close();
    port2.close();
  });
});

describe('pipeline: options, rule inputs and the new result fields', () => {
  const small = readFileSync(DATA + 'normal/chrissanders_http_google.pcapng');

  it('refuses invalid options before touching the engine, naming every problem', async () => {
    const untouchable = new Proxy({}, { get: () => { throw new Error('engine used'); } }) as Engine;
    const o = defaultOptions();
    o.rules.portscan.windowS = 0;
    o.flowFeatures.rules[1].expr = 'dst_ports >> 3';
    o.rules.blacklist.entries = ['10.0.0.1', 'nope'];
    const { result } = await analyzeBlob(untouchable, new Blob([small]), 'g', o);
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('bad-options');
    expect(result.error?.message).toMatch(/rules\.portscan\.windowS/);
    expect(result.error?.message).toMatch(/flowFeatures\.rules\[1\]\.expr: .*column 12/);
    expect(result.error?.message).toMatch(/rules\.blacklist\.entries\[1\]/);
    expect(result.warnings.length).toBe(3);
    expect(result.alerts.count).toBe(0);
    expect(result.summary.packetsDecoded).toBe(0);
  });

  it('maps every option onto its core config id (read back from the core after the run)', async () => {
    const engine = await newEngine();
    const o = defaultOptions();
    o.seed = 99;
    o.rules = {
      blacklist: { enabled: false, entries: [] },
      portscan: { enabled: false, threshold: 11, windowS: 61 },
      portscanSyn: { enabled: true, syns: 101, ports: 21, windowS: 62 },
      addressScan: { enabled: false, threshold: 26, windowS: 301 },
      synflood: { enabled: true, threshold: 102, windowS: 63, completedFraction: 0.4 },
      synfloodSlow: { enabled: false, threshold: 202, windowS: 603 },
      synfloodSpread: { enabled: false, threshold: 51, windowS: 2 },
      largesize: { enabled: false, bytes: 9000 },
      unusual: { enabled: false, normal: ['tcp/80'] },
      latency: { enabled: true, response: true, span: 7, warmup: 4, mediumRatio: 1.25, highRatio: 3, minExcessMs: 5, minSigmas: 2 },
      retrans: { enabled: false, minSegments: 9, minRetransmissions: 3, medium: 0.03, high: 0.07 },
      longConnections: { enabled: false, mediumRatio: 1.7, highRatio: 2.5, minFlows: 12, minDurationS: 90, idleBytes: 500, ladder: false },
    };
    o.connRecords = { enabled: false, max: 10 };
    o.flowFeatures = { ...o.flowFeatures, windowS: 30, latenessS: 2 };
    await analyzeBlob(engine, new Blob([small]), 'g', o, { collectMarks: true });
    const expected: [number, number][] = [
      [abi.CFG_SEED, 99],
      [abi.CFG_BLACKLIST_ENABLED, 0],
      [abi.CFG_PORTSCAN_ENABLED, 0], [abi.CFG_PORTSCAN_PORTS, 11], [abi.CFG_PORTSCAN_WINDOW_S, 61],
      [abi.CFG_PORTSCAN_SYN_ENABLED, 1], [abi.CFG_PORTSCAN_SYN_SYNS, 101], [abi.CFG_PORTSCAN_SYN_PORTS, 21], [abi.CFG_PORTSCAN_SYN_WINDOW_S, 62],
      [abi.CFG_ADDRSCAN_ENABLED, 0], [abi.CFG_ADDRSCAN_HOSTS, 26], [abi.CFG_ADDRSCAN_WINDOW_S, 301],
      [abi.CFG_SYNFLOOD_ENABLED, 1], [abi.CFG_SYNFLOOD_SYNS, 102], [abi.CFG_SYNFLOOD_WINDOW_S, 63],
      [abi.CFG_SYNFLOOD_COMPLETED_FRACTION, 0.4],
      [abi.CFG_SYNFLOOD_SLOW_ENABLED, 0], [abi.CFG_SYNFLOOD_SLOW_SYNS, 202], [abi.CFG_SYNFLOOD_SLOW_WINDOW_S, 603],
      [abi.CFG_SYNFLOOD_SPREAD_ENABLED, 0], [abi.CFG_SYNFLOOD_SPREAD_SYNS, 51], [abi.CFG_SYNFLOOD_SPREAD_WINDOW_S, 2],
      [abi.CFG_LARGESIZE_ENABLED, 0], [abi.CFG_LARGESIZE_BYTES, 9000],
      [abi.CFG_UNUSUAL_ENABLED, 0],
      [abi.CFG_FLOWWIN_ENABLED, 1], [abi.CFG_FLOWWIN_WINDOW_S, 30], [abi.CFG_LATENESS_S, 2],
      [abi.CFG_MARKS_ENABLED, 1],
      [abi.CFG_ZSCORE_WINDOW, 1000], [abi.CFG_TCP_TIMEOUT_S, 300],
      [abi.CFG_LATENCY_ENABLED, 1], [abi.CFG_LATENCY_RESPONSE_ENABLED, 1], [abi.CFG_LATENCY_SPAN, 7],
      [abi.CFG_LATENCY_WARMUP, 4], [abi.CFG_LATENCY_MEDIUM_RATIO, 1.25], [abi.CFG_LATENCY_HIGH_RATIO, 3],
      [abi.CFG_LATENCY_MIN_EXCESS_MS, 5], [abi.CFG_LATENCY_MIN_SIGMAS, 2],
      [abi.CFG_RETRANS_ENABLED, 0], [abi.CFG_RETRANS_MIN_SEGMENTS, 9], [abi.CFG_RETRANS_MIN_RETRANSMISSIONS, 3],
      [abi.CFG_RETRANS_MEDIUM, 0.03], [abi.CFG_RETRANS_HIGH, 0.07],
      [abi.CFG_LONGCONN_ENABLED, 0], [abi.CFG_LONGCONN_MEDIUM_RATIO, 1.7], [abi.CFG_LONGCONN_HIGH_RATIO, 2.5],
      [abi.CFG_LONGCONN_MIN_FLOWS, 12], [abi.CFG_LONGCONN_MIN_DURATION_S, 90], [abi.CFG_LONGCONN_IDLE_BYTES, 500],
      [abi.CFG_LONGCONN_LADDER_ENABLED, 0], [abi.CFG_CONN_RECORDS_ENABLED, 0],
    ];
    expect(expected.map(([id]) => [id, engine.core.getConfig(id)])).toEqual(expected);
    // no enabled flow rule: no flow windows to compute
    const none = defaultOptions();
    none.flowFeatures.rules.forEach((r) => (r.enabled = false));
    expect(coreConfig(none, 1)[abi.CFG_FLOWWIN_ENABLED]).toBe(0);
    expect(coreConfig(defaultOptions(), 1)[abi.CFG_MARKS_ENABLED]).toBe(0);
  });

  it('passes the merged blacklist ranges (only when enabled and non-empty) and the services bitmap to the engine', async () => {
    const engine = await newEngine();
    const seen: RuleInputs[] = [];
    const start = engine.start.bind(engine);
    engine.start = (config, sink, rules) => {
      seen.push(rules ?? {});
      start(config, sink, rules);
    };
    const o = defaultOptions();
    o.rules.blacklist.entries = ['10.0.0.0/25', '10.0.0.128/25', '2001:db8::1'];
    const r1 = (await analyzeBlob(engine, new Blob([small]), 'g', o)).result;
    expect(seen[0].blacklist).toEqual(blacklistRanges(o.rules.blacklist.entries).bytes);
    expect(r1.summary.blacklistRanges).toBe(2);
    expect(seen[0].services).toEqual(parseServices(o.rules.unusual.normal).bitmap);
    o.rules.blacklist.enabled = false;
    const r2 = (await analyzeBlob(engine, new Blob([small]), 'g', o)).result;
    expect(seen[1].blacklist).toBeUndefined();
    expect(r2.summary.blacklistRanges).toBe(0);
    o.rules.blacklist = { enabled: true, entries: [] };
    await analyzeBlob(engine, new Blob([small]), 'g', o);
    expect(seen[2].blacklist).toBeUndefined();
  });

  it('reports the flow rules it ran, per-detector counts and marks only on request', async () => {
    const o = defaultOptions();
    o.seed = 3;
    o.flowFeatures.rules[0].enabled = false;
    const r = await run(espn, 'e', o);
    expect(r.flowRules).toEqual(o.flowFeatures.rules.filter((x) => x.enabled).map((x) => x.name));
    expect(Object.keys(r.summary.byDetector).sort()).toEqual(['BLACKLIST', 'FLOWRULE', 'LARGESIZE', 'LATENCY', 'LONGCONN', 'PORTSCAN', 'PROFILE', 'PROTOSHIFT', 'RETRANS', 'SPIKE', 'SYNFLOOD', 'UNUSUAL', 'ZSCORE']);
    expect(r.summary.byDetector.ZSCORE.alerts).toBe(r.alerts.count);
    expect(r.summary.byDetector.ZSCORE.evidencePackets).toBe(r.alerts.count);
    expect(r.summary.alerts).toBe(r.alerts.count);
    expect(Number.isFinite(r.summary.latePackets) && Number.isFinite(r.summary.flowWindows)).toBe(true);
    expect(r.marks).toBeUndefined();
    const m = await run(espn, 'e', o, { collectMarks: true });
    expect(m.marks).toBeInstanceOf(Uint8Array);
    expect(m.marks!.length % abi.MARK_STRIDE).toBe(0);
    const off = defaultOptions();
    off.flowFeatures.enabled = false;
    expect((await run(espn, 'e', off)).flowRules).toEqual([]);
  });

  it('worker service: detectorSeries rejects alerts that have no evidence series', async () => {
    const api = createWorkerApi(newEngine);
    await expect(api.detectorSeries(0, 10)).rejects.toThrow(/no analysis/);
    const r = await api.analyze(new Blob([espn]), 'espn.pcapng', opts);
    const z = r.alerts.detector.indexOf(abi.DET_ZSCORE);
    expect(z).toBeGreaterThanOrEqual(0);
    await expect(api.detectorSeries(z, 10)).rejects.toThrow(/no evidence series/);
    await expect(api.detectorSeries(r.alerts.count, 10)).rejects.toThrow(/does not exist/);
  });
});
