// SPIKE and PROTOSHIFT through the whole pipeline and the CLI on a real capture
// (attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng, MANIFEST.md: 9639 spoofed SYNs to
// 10.10.10.10:30120 in 0.44 s after 34 s of scattered RSTs): the alert, its message and counts, the
// evidence series of the worker service, the options (validation, off switches, the metric
// window) and the CLI flags.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import type { AnalysisOptions, AnalysisResult } from '../../src/shared/protocol';
import { analyzeBlob, coreConfig } from '../../src/worker/pipeline';
import { createWorkerApi } from '../../src/worker/service';
import { defaultOptions, validateOptions } from '../../src/rules/options';
import { alertMessage, alertRow } from '../../src/io/alert-rows';
import { parseCli, runAnalyze } from '../../src/cli/main';
import { DATA, newEngine } from '../helpers/core';

const DOMINATE = 'attacks/synflood/stopddos_pkt.TCP.DOMINATE.syn.ecn.cwr.pcapng';
const bytes = new Uint8Array(readFileSync(DATA + DOMINATE));
const options = (f: (o: AnalysisOptions) => void = () => {}) => {
  const o = defaultOptions();
  o.seed = 5;
  f(o);
  return o;
};
const run = async (o = options()) => (await analyzeBlob(await newEngine(), new Blob([bytes]), 'dominate', o)).result;
const pick = (r: AnalysisResult, det: number, variant?: number) =>
  [...Array(r.alerts.count).keys()].filter((i) => r.alerts.detector[i] === det && (variant === undefined || r.alerts.variant[i] === variant));

describe('SPIKE on DOMINATE through the pipeline', () => {
  it('one SPIKE_DST episode against 10.10.10.10, explained, counted with its evidence packets', async () => {
    const r = await run();
    expect(r.ok).toBe(true);
    const dst = pick(r, abi.DET_SPIKE, abi.SPIKE_DST);
    expect(dst.length).toBe(1);
    const i = dst[0];
    expect(r.channels[r.alerts.channel[i]].dst).toBe('10.10.10.10');
    expect(r.alerts.severity[i]).toBe(abi.SEV_MEDIUM); // 3 windows of baseline: HIGH needs 31
    // The flood window: 7317 packets, 439,020 B in 10 s (MANIFEST: 7305 packets in second :19).
    expect(r.alerts.value[i]).toBe(43_902);
    expect(r.alerts.samples[i]).toBe(3);
    expect(r.alerts.windowS[i]).toBe(10);
    expect(r.alerts.value[i]).toBeGreaterThan(r.alerts.threshold[i]);
    expect(alertMessage(r, i)).toMatch(/^Medium traffic spike to 10\.10\.10\.10: 43,902 B\/s \(threshold [\d,]+ B\/s, baseline [\d,]+ B\/s over 3 windows, \+[\d,]+ %\)$/);
    expect(alertRow(r, i).evidence.baseline).toBe('own');
    expect(r.summary.byDetector.SPIKE.alerts).toBe(pick(r, abi.DET_SPIKE).length);
    // Evidence: the flood's packets from the crossing on (both windows it spans), at most all 9878.
    expect(r.summary.byDetector.SPIKE.evidencePackets).toBeGreaterThan(9600);
    expect(r.summary.byDetector.SPIKE.evidencePackets).toBeLessThanOrEqual(9878);
    // A TCP-only capture: no protocol shift.
    expect(pick(r, abi.DET_PROTOSHIFT)).toEqual([]);
    expect(r.summary.byDetector.PROTOSHIFT.evidencePackets).toBe(0);
  });

  it('its evidence series: one point per window with the baseline and thresholds (worker service re-read)', async () => {
    const api = createWorkerApi(newEngine);
    const r = await api.analyze(new Blob([bytes]), 'dominate', options());
    const i = pick(r, abi.DET_SPIKE, abi.SPIKE_DST)[0];
    const s = await api.detectorSeries(i, 1000);
    expect(s.detector).toBe('SPIKE');
    expect(s.windowS).toBe(10);
    // 5 windows (MANIFEST: 34 s from 15:55:45.785); the first is covered from the first packet.
    expect(s.tsUs.length).toBe(5);
    expect(Array.from(s.value).map(Math.round)).toEqual([171, 120, 78, 43_902, 15_099]);
    expect(Array.from(s.flagged!)).toEqual([0, 0, 0, 1, 1]);
    expect(Number.isNaN(s.mean![0]) && Number.isNaN(s.medium![2])).toBe(true); // warming up: 3 windows
    expect(s.medium![3]).toBe(r.alerts.threshold[i]);
    expect(s.mean![3]).toBeCloseTo(r.alerts.mean[i], 9);
    expect(Number.isNaN(s.high![3])).toBe(true); // HIGH not possible yet
    const g = pick(r, abi.DET_SPIKE, abi.SPIKE_GLOBAL)[0];
    const gs = await api.detectorSeries(g, 1000);
    expect(gs.tsUs.length).toBe(5); // the global series: the same windows, one destination here
    expect(Array.from(gs.value)).toEqual(Array.from(s.value));
  });

  it('the options: off switches, the metric window, validation', async () => {
    const off = await run(options((o) => {
      o.spike.enabled = false;
      o.spike.perDestination = false;
    }));
    expect(pick(off, abi.DET_SPIKE)).toEqual([]);
    const globalOnly = await run(options((o) => (o.spike.perDestination = false)));
    expect(pick(globalOnly, abi.DET_SPIKE, abi.SPIKE_DST)).toEqual([]);
    expect(pick(globalOnly, abi.DET_SPIKE, abi.SPIKE_GLOBAL).length).toBe(1);
    // 1-s windows: the flood's first second against 30 windows of a few RSTs each.
    const w1 = await run(options((o) => (o.baseline.windowS = 1)));
    const e = pick(w1, abi.DET_SPIKE, abi.SPIKE_DST);
    expect(e.length).toBeGreaterThan(0);
    expect(w1.alerts.windowS[e[0]]).toBe(1);
    const c = coreConfig(options((o) => (o.baseline.windowS = 2.5)), 1);
    expect([c[abi.CFG_METRIC_WINDOW_S], c[abi.CFG_BASELINE_WINDOWS], c[abi.CFG_SPIKE_HIGH_MIN_BPS], c[abi.CFG_PROTOSHIFT_MIN_PACKETS]]).toEqual([2.5, 60, 10_000, 100]);
    const bad = validateOptions(options((o) => {
      o.spike.highSigma = 1;
      o.protocolShift.highPoints = 10;
      o.baseline.windows = 0;
    }));
    expect(bad.map((p) => p.path).sort()).toEqual(['baseline.windows', 'protocolShift.highPoints', 'spike.highSigma']);
  });
});

describe('the CLI flags', () => {
  it('--no-spike, --no-spike-dst, --no-protocol-shift, --metric-window, --baseline-windows, --baseline-warmup', () => {
    const p = parseCli(['analyze', 'x.pcap', '--no-spike', '--no-protocol-shift', '--metric-window', '5', '--baseline-windows', '30', '--baseline-warmup', '4']);
    if (p === 'help') throw new Error('help');
    expect([p.options.spike.enabled, p.options.spike.perDestination, p.options.protocolShift.enabled]).toEqual([false, false, false]);
    expect(p.options.baseline).toEqual({ windowS: 5, windows: 30, warmup: 4, frozen: false });
    const q = parseCli(['analyze', 'x.pcap', '--no-spike-dst']);
    if (q === 'help') throw new Error('help');
    expect([q.options.spike.enabled, q.options.spike.perDestination]).toEqual([true, false]);
    expect(() => parseCli(['analyze', 'x.pcap', '--baseline-windows', '2.5'])).toThrow(/baseline-windows/);
  });

  it('prints the SPIKE row in JSON Lines, and none with --no-spike', async () => {
    const lines: string[] = [];
    await runAnalyze(DATA + DOMINATE, 'jsonl', options(), (s) => lines.push(s));
    const rows = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    const spike = rows.filter((r) => r.detector === 'SPIKE' && r.variant === 'dst');
    expect(spike.length).toBe(1);
    expect(spike[0].dst).toBe('10.10.10.10');
    expect(spike[0].message).toMatch(/^Medium traffic spike to 10\.10\.10\.10: 43,902 B\/s/);
    const p = parseCli(['analyze', DATA + DOMINATE, '--no-spike']);
    if (p === 'help') throw new Error('help');
    const none: string[] = [];
    await runAnalyze(DATA + DOMINATE, 'jsonl', p.options, (s) => none.push(s));
    expect(none.join('')).not.toMatch(/"detector":"SPIKE"/);
  });
});
