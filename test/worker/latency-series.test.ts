// The LATENCY evidence series of the worker service (src/worker/service.ts detectorSeries): the
// samples of the alert's server and variant with their baseline and thresholds, on a real capture
// with a baseline before it: tcp_behaviour/chrissanders_latency1.pcapng (SYN -> SYN/ACK 30 ms)
// repeated 12 times 1000 s apart, then chrissanders_latency2.pcapng (the same client and server
// 74.125.95.104:80, 878.5 ms: MANIFEST.md "SYN -> SYN/ACK 0.879 s").
import { describe, expect, it } from 'vitest';
import * as abi from '../../src/shared/abi';
import { defaultOptions } from '../../src/rules/options';
import { createWorkerApi } from '../../src/worker/service';
import { newEngine } from '../helpers/core';
import { latencyCapture } from './latency-capture';

describe('LATENCY evidence series', () => {
  it('the server-side samples of 74.125.95.104:80: 12 baseline samples at 30 ms, then 878.5 ms flagged HIGH', async () => {
    const api = createWorkerApi(newEngine);
    const o = defaultOptions();
    o.seed = 3;
    const r = await api.analyze(new Blob([latencyCapture()]), 'latency', o);
    expect(r.ok).toBe(true);
    const lat = [...Array(r.alerts.count).keys()].filter((i) => r.alerts.detector[i] === abi.DET_LATENCY && r.alerts.variant[i] === abi.LATENCY_SERVER);
    expect(lat.length).toBe(1);
    const i = lat[0];
    const s = await api.detectorSeries(i, 1000);
    expect(s.detector).toBe('LATENCY');
    expect(s.tsUs.length).toBe(13); // one SYN -> SYN/ACK sample per handshake; the client side is another variant
    const last = 12;
    expect(s.value[last]).toBeCloseTo(878.53, 2);
    expect(s.value[last]).toBe(r.alerts.value[i]);
    for (let k = 0; k < last; k++) expect(s.value[k]).toBeCloseTo(s.value[0], 9); // the same handshake 12 times
    expect(s.value[0]).toBeGreaterThan(20);
    expect(s.value[0]).toBeLessThan(40);
    expect(Array.from(s.flagged!)).toEqual([...Array(12).fill(0), 2]);
    // warm-up: a server is judged after 10 samples; the baseline exists from the second sample on
    expect(Number.isNaN(s.mean![0])).toBe(true);
    expect(s.mean![1]).toBeCloseTo(s.value[0], 9);
    expect(s.medium!.slice(0, 10).every(Number.isNaN)).toBe(true);
    expect(Number.isFinite(s.medium![10])).toBe(true);
    // the decision of the alert: baseline, and HIGH = max(2 m, m + 10 ms, m + 3 std) = the alert's threshold
    expect(s.mean![last]).toBeCloseTo(r.alerts.mean[i], 9);
    expect(s.high![last]).toBeCloseTo(r.alerts.threshold[i], 9);
    expect(s.medium![last]).toBeCloseTo(Math.max(1.5 * s.mean![last], s.mean![last] + 10), 9);
    expect(s.threshold).toBe(r.alerts.threshold[i]);
  });
});
